/* classify.h: the etcd failure signatures and the classifier of one log entry (the codes they
 * give and what is said about each are in catalogue.h). */
#ifndef DIAG_CLASSIFY_H
#define DIAG_CLASSIFY_H

#include <stdbool.h>
#include <stddef.h>

#include "diag/catalogue.h"

enum diag_log_format {
	DIAG_FMT_BARE = 0, /* journal-native capnslog: bare text, level in PRIORITY */
	DIAG_FMT_CAPNSLOG, /* "2026-11-24 19:13:39.106784 W | pkg: text" */
	DIAG_FMT_STDLOG,   /* 3.4 raft / grpc on stderr: "raft2026/11/25 05:30:53 INFO: text" */
	DIAG_FMT_ZAP,      /* {"level":"warn",...,"msg":"...",fields} */
};

#define DIAG_ID_LEN 17 /* 16 hex digits + NUL */
#define CLASSIFY_SAMPLE_LEN 512

/* Fields extracted from one entry; empty string when absent. */
struct classify_fields {
	char peer_id[DIAG_ID_LEN];    /* the remote peer the line is about */
	char local_id[DIAG_ID_LEN];   /* the logging member's own ID, when the line says it */
	char cluster_id[DIAG_ID_LEN]; /* the logging member's own cluster ID */
	char remote_cluster_id[DIAG_ID_LEN];
	char remote_addr[64];  /* "127.0.0.1:35442" of a rejected connection */
	char wanted[64];       /* x509 "not X": the address the certificate should have had */
	char sans[160];        /* x509 "valid for A, B": what the certificate has */
	char duration[32];     /* "1.2s", "[1.5s > 1s]" */
	char url[128];         /* peer URL of an added member, listen address, ... */
	char name[64];         /* member name (published / couldn't find local name) */
	char detail[192];      /* path, alarm, error text */
	bool peer_at_fault;    /* peer_id names the member at fault, not the logging host */
};

struct classify_result {
	enum diag_code code;
	enum diag_log_format format;
	int priority; /* syslog level 0..7 from the text when it has one, else the journal's, else -1 */
	struct classify_fields f;
	/* The evidence to keep instead of the raw line when sample_len > 0: a zap line with its
	 * values unescaped, or a line with a secret cut out. Not NUL-terminated. */
	size_t sample_len;
	char sample[CLASSIFY_SAMPLE_LEN];
};

/* Classifies one log entry: msg/len is the MESSAGE (not NUL-terminated, may end in '\n'),
 * priority the journal PRIORITY or -1. Always fills *ret (code DIAG_CODE_NONE for healthy or
 * unknown lines; f is zeroed, sample_len 0). Pure; the fast path is one pass over the message
 * without allocation; only a zap line that a signature matched is decoded (jansson). */
void classify_entry(const char *msg, size_t len, int priority, struct classify_result *ret);

/* Number of signature rows, for tests and the README. */
size_t classify_signature_count(void);
/* The i-th row's needle and code (what `etcd-diag --list-signatures` prints, for the bench's
 * grep -E of the same signatures); NULL past the end. */
const char *classify_signature_needle(size_t i, enum diag_code *ret_code);

#endif
