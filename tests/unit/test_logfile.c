/* test_logfile.c: reading log files into the aggregates: the shapes, P/F joined across reads,
 * the window, hostile bytes (huge lines, NUL, CR), what is not a file (FIFO, directory, no
 * permission), kubeadm's pod directories, and the notes the report gets. */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "diag/logfile.h"

static const char *const tags[] = {"etcd", "etcd2", "etcd3", NULL};
static char dir[64];

static const char SAN[] = "rafthttp: health check for peer f3e60613aa798362 could not connect: "
			  "x509: certificate is valid for 127.0.0.1, 127.0.100.1, not 127.0.100.3";

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/test-logfile.XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static void write_file(const char *path, const char *data, size_t len)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

static void scan(struct logfile_opts *o, struct diag_aggs **a, struct logfile_scan *s)
{
	*a = aggs_new();
	assert_non_null(*a);
	o->tags = tags;
	assert_int_equal(logfile_scan_all(o, *a, s), 0);
}

static void test_shapes(void **state)
{
	(void)state;
	char path[128], buf[4096];
	/* containerd with a P/F split, CRI-O with an offset, docker, syslog, plain */
	static const char *const files[][2] = {
		{"cri", "2026-11-24T19:13:39.1Z stderr F 2026-11-24 19:13:39.1 I | etcdserver: ok\n"
			"2026-11-24T19:13:40.1Z stderr P 2026-11-24 19:13:40.1 W | rafthttp: heal"
			"\n2026-11-24T19:13:40.2Z stderr F th check for peer %s\n"},
		{"crio", "2026-11-24T20:13:40.1+01:00 stderr F 2026-11-24 19:13:40.1 W | %s\r\n"},
		{"docker", "{\"log\":\"2026-11-24 19:13:40.1 W | %s\\n\",\"stream\":\"stderr\","
			   "\"time\":\"2026-11-24T19:13:40.1Z\"}\n"},
		{"syslog", "Nov 24 19:13:40 m7 kubelet[9]: %s\n"
			   "Nov 24 19:13:40 m7 etcd[1]: 2026-11-24 19:13:40.1 W | %s\n"},
		{"plain", "[WARNING] no stamp here\n2026-11-24 19:13:40.1 W | %s"},
	};
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s.log", dir, files[i][0]);
		/* the cri row splits SAN into "heal" + "th check for peer %s" */
		int n = snprintf(buf, sizeof(buf), files[i][1], i == 0 ? SAN + 32 : SAN, SAN);
		write_file(path, buf, (size_t)n);
		struct logfile_opts o = {.files = {path}, .n_files = 1};
		struct logfile_scan s;
		struct diag_aggs *a;
		scan(&o, &a, &s);
		assert_int_equal(s.n, 1);
		assert_int_equal(s.v[0].err, 0);
		assert_int_equal(a->n, 1);
		assert_int_equal(a->v[0].code, DIAG_CERT_SAN_MISMATCH);
		/* syslog: the line's host; else the file's name */
		assert_string_equal(a->v[0].host, i == 3 ? "m7" : files[i][0]);
		assert_int_equal(a->v[0].first_usec, 1795547620100000ull - (i == 3 ? 100000 : 0));
		assert_int_equal(a->v[0].samples[0][strlen(a->v[0].samples[0]) - 1], '3');
		if (i == 3) {
			assert_int_equal(s.v[0].lines, 2);
			assert_int_equal(s.v[0].etcd_lines, 1);
		}
		aggs_free(a);
		unlink(path);
	}
}

static void test_window(void **state)
{
	(void)state;
	char path[128], note[512];
	snprintf(path, sizeof(path), "%s/old.log", dir);
	const char *d = "2026-11-24T19:13:39Z stderr F a\n2026-11-24T19:13:41Z stderr F b\n"
			"no stamp: the one before\n";
	write_file(path, d, strlen(d));
	struct logfile_opts o = {.files = {path}, .n_files = 1,
				 .since_usec = 1795547620000000ull, .until_usec = 0};
	struct logfile_scan s;
	struct diag_aggs *a;
	scan(&o, &a, &s);
	assert_int_equal(s.v[0].etcd_lines, 3);
	assert_int_equal(s.v[0].in_window, 2); /* b, and the stamp-less line after it */
	assert_int_equal(a->entries, 2);
	aggs_free(a);
	o.since_usec = 1795547700000000ull;
	scan(&o, &a, &s);
	assert_int_equal(a->entries, 0);
	assert_true(logfile_notes(&s, note, sizeof(note)) > 0);
	assert_non_null(strstr(note, "old.log: 3 lines, none in the window (they span "));
	assert_non_null(strstr(note, "; widen --since"));
	aggs_free(a);
}

/* the run's deadline: a scan past it stops at once and says it was cut */
static void test_deadline(void **state)
{
	(void)state;
	char path[128];
	snprintf(path, sizeof(path), "%s/d.log", dir);
	write_file(path, "2026-11-24T19:13:39Z stderr F x\n", 32);
	struct logfile_opts o = {.files = {path}, .n_files = 1, .deadline_ns = 1};
	struct logfile_scan s;
	struct diag_aggs *a;
	scan(&o, &a, &s);
	assert_true(a->cut_by_deadline);
	assert_int_equal(s.v[0].lines, 0);
	aggs_free(a);
}

static void test_hostile(void **state)
{
	(void)state;
	char path[128], note[512];
	snprintf(path, sizeof(path), "%s/hostile.log", dir);
	/* a 200 KiB line (cut at 64 KiB, counted), NUL, CR, ESC, invalid UTF-8, then the SAN line */
	size_t big = 200 * 1024, n = 0;
	char *d = malloc(big + 1024);
	assert_non_null(d);
	memset(d, 'x', big);
	n = big;
	d[n++] = '\n';
	memcpy(d + n, "a\0b\r\n", 6);
	n += 6;
	n += (size_t)snprintf(d + n, 1000, "\xff\xfe\x1b[2J %s\n", SAN);
	/* the second sample: a BEL and a DEL far into the line (past the 8-byte words) */
	n += (size_t)snprintf(d + n, 1000, "%s and then a bell \x07 and a del \x7f\n", SAN);
	write_file(path, d, n);
	free(d);
	struct logfile_opts o = {.files = {path}, .n_files = 1};
	struct logfile_scan s;
	struct diag_aggs *a;
	scan(&o, &a, &s);
	assert_int_equal(s.v[0].lines, 4);
	assert_int_equal(s.v[0].cut, 1);
	assert_int_equal(a->n, 1);
	/* the control bytes are defanged in the samples */
	assert_int_equal(a->v[0].n_samples, 2);
	for (size_t k = 0; k < 2; k++)
		for (const char *c = a->v[0].samples[k]; *c; c++)
			assert_true((unsigned char)*c >= 0x20 && *c != 0x7f);
	assert_non_null(strstr(a->v[0].samples[1], "bell ? and a del ?"));
	assert_true(logfile_notes(&s, note, sizeof(note)) > 0);
	assert_non_null(strstr(note, "1 lines over 64 KiB cut there"));
	aggs_free(a);
	unlink(path);

	/* and so are the fields cut out of a line: an escape among the SANs */
	const char *esc = "rafthttp: health check for peer f3e60613aa798362 could not connect: "
			  "x509: certificate is valid for 127.0.0.1\x1b[31m, not 127.0.100.3\n";
	write_file(path, esc, strlen(esc));
	scan(&o, &a, &s);
	assert_int_equal(a->n, 1);
	assert_string_equal(a->v[0].f.sans, "127.0.0.1?[31m");
	aggs_free(a);
	unlink(path);

	/* a P part longer than the cap, its F after it: one line, cut, counted */
	d = malloc(3 * LOGSHAPE_LINE_MAX);
	assert_non_null(d);
	n = 0;
	for (int k = 0; k < 3; k++) {
		n += (size_t)sprintf(d + n, "2026-11-24T19:13:39Z stderr P ");
		memset(d + n, 'y', 40000);
		n += 40000;
		d[n++] = '\n';
	}
	n += (size_t)sprintf(d + n, "2026-11-24T19:13:39Z stderr F end\n");
	write_file(path, d, n);
	free(d);
	scan(&o, &a, &s);
	assert_int_equal(s.v[0].joined_cut, 1);
	assert_int_equal(s.v[0].etcd_lines, 1);
	aggs_free(a);
	unlink(path);
}

/* A file of mode MODE (group GROUP when given) that nobody may look up but not read: the note
 * says so with HINT. */
static void denied(mode_t mode, const char *group, const char *hint)
{
	char secret[160], note[512];
	snprintf(secret, sizeof(secret), "%s/secret.log", dir);
	write_file(secret, "x\n", 2);
	chmod(secret, mode);
	const struct group *gr = group ? getgrnam(group) : NULL;
	if (group && (!gr || chown(secret, 0, gr->gr_gid) != 0)) {
		unlink(secret);
		return; /* a machine without that group */
	}
	chmod(dir, 0711);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		if (geteuid() == 0 && setuid(65534) != 0)
			_exit(2);
		struct logfile_opts so = {.files = {secret}, .n_files = 1, .tags = tags};
		struct logfile_scan ss;
		struct diag_aggs *sa = aggs_new();
		if (!sa || logfile_scan_all(&so, sa, &ss) < 0)
			_exit(3);
		logfile_notes(&ss, note, sizeof(note));
		_exit(ss.v[0].err == -EACCES && strstr(note, hint) ? 0 : 1);
	}
	int st;
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
	unlink(secret);
}

static void test_not_files(void **state)
{
	(void)state;
	char fifo[128], sub[128], note[1024];
	snprintf(fifo, sizeof(fifo), "%s/fifo.log", dir);
	snprintf(sub, sizeof(sub), "%s/sub", dir);
	assert_int_equal(mkfifo(fifo, 0600), 0);
	assert_int_equal(mkdir(sub, 0700), 0);
	struct logfile_opts o = {.files = {fifo, sub, "/nonexistent/x.log"}, .n_files = 3};
	struct logfile_scan s;
	struct diag_aggs *a;
	scan(&o, &a, &s); /* a FIFO without a writer: refused at once, not waited on */
	assert_int_equal(s.v[0].err, -EINVAL);
	assert_int_equal(s.v[1].err, -EISDIR);
	assert_int_equal(s.v[2].err, -ENOENT);
	assert_true(logfile_named_failed(&s));
	logfile_notes(&s, note, sizeof(note));
	assert_non_null(strstr(note, "fifo.log: not a regular file"));
	aggs_free(a);
	unlink(fifo);
	rmdir(sub);

	/* no permission: as nobody, in a child (these tests run as root); the advice from the file
	 * itself: 0600 root leaves only root, 0640 root:adm names the group */
	denied(0600, NULL, "secret.log: permission denied (run as root; it is mode 0600)");
	denied(0640, "adm",
	       "secret.log: permission denied (run as root or as a member of group adm)");
}

static void test_dirs(void **state)
{
	(void)state;
	char p[256];
	const char *line = "2026-11-24T19:13:39Z stderr F x\n";
	/* a plain dir: *.log sorted, nothing else, not recursive */
	snprintf(p, sizeof(p), "%s/plain", dir);
	mkdir(p, 0700);
	static const char *const names[] = {"10.log", "2.log", "notes.txt", "a.log.1.gz"};
	for (size_t i = 0; i < 4; i++) {
		snprintf(p, sizeof(p), "%s/plain/%s", dir, names[i]);
		write_file(p, line, strlen(line));
	}
	snprintf(p, sizeof(p), "%s/plain/deeper", dir);
	mkdir(p, 0700);
	snprintf(p, sizeof(p), "%s/plain", dir);
	struct logfile_opts o = {.dirs = {p}, .n_dirs = 1};
	struct logfile_scan s;
	struct diag_aggs *a;
	scan(&o, &a, &s);
	assert_int_equal(s.n, 2);
	assert_non_null(strstr(s.v[0].path, "/2.log"));
	assert_non_null(strstr(s.v[1].path, "/10.log"));
	assert_int_equal(s.skipped_gz, 1);
	aggs_free(a);

	/* a kubeadm pods root: the etcd pods' container logs, host = node name */
	const char *pod = "kube-system_etcd-node-7.example_0123abcd-0000-4000-8000-000000000001";
	snprintf(p, sizeof(p), "%s/pods/%s/etcd", dir, pod);
	char cmd[512];
	snprintf(cmd, sizeof(cmd), "mkdir -p '%s' '%s/pods/kube-system_kube-apiserver-n_1/x'", p, dir);
	assert_int_equal(system(cmd), 0);
	snprintf(p, sizeof(p), "%s/pods/%s/etcd/0.log", dir, pod);
	write_file(p, line, strlen(line));
	snprintf(p, sizeof(p), "%s/pods/%s/etcd/0.log.20261124-191339", dir, pod);
	write_file(p, line, strlen(line));
	snprintf(p, sizeof(p), "%s/pods/%s/etcd/0.log.20261124-101339.gz", dir, pod);
	write_file(p, line, strlen(line));
	snprintf(p, sizeof(p), "%s/pods", dir);
	struct logfile_opts k = {.pods_root = p};
	scan(&k, &a, &s);
	assert_int_equal(s.n, 2);
	assert_string_equal(s.v[0].host, "node-7.example");
	assert_int_equal(s.skipped_gz, 1);
	aggs_free(a);
	/* the same as --log-dir: the root, the pod dir, its etcd/ */
	char pd[256];
	snprintf(pd, sizeof(pd), "%s/pods/%s/etcd/", dir, pod);
	struct logfile_opts ld = {.dirs = {p, pd}, .n_dirs = 2};
	scan(&ld, &a, &s);
	assert_int_equal(s.n, 4);
	assert_string_equal(s.v[3].host, "node-7.example");
	aggs_free(a);

	char node[64];
	assert_false(logfile_pod_node("kube-system_etcd-x", node, sizeof(node)));
	assert_false(logfile_pod_node("default_etcd-x_1", node, sizeof(node)));
	assert_true(logfile_pod_node("/a/kube-system_etcd-m1_u", node, sizeof(node)));
	assert_string_equal(node, "m1");
}

/* --until excludes lines too, and the note names the bound that left them out: the one to
 * move (lines a at :39, b and a stamp-less one at :41). */
static void test_window_until(void **state)
{
	(void)state;
	char path[128], note[512];
	snprintf(path, sizeof(path), "%s/late.log", dir);
	const char *d = "2026-11-24T19:13:39Z stderr F a\n2026-11-24T19:13:41Z stderr F b\n"
			"no stamp: the one before\n";
	write_file(path, d, strlen(d));
	static const struct {
		uint64_t since, until, entries;
		const char *widen; /* NULL: no note */
	} rows[] = {
		{1795547600000000ull, 1795547620000000ull, 1, NULL},
		{1795547600000000ull, 1795547610000000ull, 0, "; widen --until"},
		{1795547620500000ull, 1795547620600000ull, 0, "; widen --since and --until"},
		{1795547630000000ull, 0, 0, "; widen --since"},
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct logfile_opts o = {.files = {path}, .n_files = 1, .since_usec = rows[i].since,
					 .until_usec = rows[i].until};
		struct logfile_scan s;
		struct diag_aggs *a;
		scan(&o, &a, &s);
		assert_int_equal(s.v[0].etcd_lines, 3);
		assert_int_equal(a->entries, rows[i].entries);
		note[0] = '\0';
		size_t n = logfile_notes(&s, note, sizeof(note));
		if (!rows[i].widen) {
			assert_int_equal(n, 0);
		} else {
			char *w = strstr(note, "; widen ");
			assert_non_null(w);
			if (strcmp(w, rows[i].widen) != 0)
				fail_msg("row %zu: note \"%s\", want it to end \"%s\"", i, note,
					 rows[i].widen);
		}
		aggs_free(a);
	}
}

/* --log-file twice: two members' files, each read, each line's host its own file's name. */
static void test_two_log_files(void **state)
{
	(void)state;
	char p1[128], p2[128], buf[1024];
	snprintf(p1, sizeof(p1), "%s/m1.log", dir);
	snprintf(p2, sizeof(p2), "%s/m2.log", dir);
	int n = snprintf(buf, sizeof(buf), "2026-11-24 19:13:40.1 W | %s\n", SAN);
	write_file(p1, buf, (size_t)n);
	n = snprintf(buf, sizeof(buf), "2026-11-24 19:13:40.2 I | etcdserver: ok\n"
				       "2026-11-24 19:13:40.3 W | %s\n", SAN);
	write_file(p2, buf, (size_t)n);
	struct logfile_opts o = {.files = {p1, p2}, .n_files = 2};
	struct logfile_scan s;
	struct diag_aggs *a;
	scan(&o, &a, &s);
	assert_int_equal(s.n, 2);
	assert_int_equal(s.v[0].etcd_lines + s.v[1].etcd_lines, 3);
	assert_int_equal(a->entries, 3);
	assert_int_equal(a->n, 2);
	bool m1 = false, m2 = false;
	for (size_t i = 0; i < a->n; i++) {
		assert_int_equal(a->v[i].code, DIAG_CERT_SAN_MISMATCH);
		assert_int_equal(a->v[i].count, 1);
		m1 |= strcmp(a->v[i].host, "m1") == 0;
		m2 |= strcmp(a->v[i].host, "m2") == 0;
	}
	assert_true(m1 && m2);
	aggs_free(a);
}

int main(void)
{
	/* zone-less stamps (capnslog, RFC 3164) are the host's local time: UTC here */
	setenv("TZ", "UTC", 1);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_shapes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_window, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hostile, setup, teardown),
		cmocka_unit_test_setup_teardown(test_deadline, setup, teardown),
		cmocka_unit_test_setup_teardown(test_not_files, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dirs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_window_until, setup, teardown),
		cmocka_unit_test_setup_teardown(test_two_log_files, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
