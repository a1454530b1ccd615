/* logfile.c: read etcd's log files line by line with a fixed buffer into the classifier and
 * aggregates (through logsink), and say what each file held. */
#include "diag/logfile.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "diag/access_hint.h"
#include "diag/logsink.h"
#include "diag/text.h"
#include "proto/conn.h"

#define READ_BUF (256 * 1024)  /* holds at least one whole LOGSHAPE_LINE_MAX line */
#define DIR_NAMES_MAX 256      /* names kept from one directory listing */

/* The one reading state, allocated once per scan: memory is this, whatever the files. */
struct reader {
	char buf[READ_BUF];
	char scratch[LOGSHAPE_LINE_MAX]; /* a docker record's unescaped "log" */
	struct logjoin join;
	struct logshape_opts shape;
	struct logshape_memo memo;
	uint64_t prev_usec; /* a line without a time has the one before it */
	uint64_t n_lines;   /* for the deadline check */
	bool stop;
};

struct names {
	size_t n;
	char v[DIR_NAMES_MAX][256];
};

static struct logfile_stat *add_file(struct logfile_scan *s, const char *path, const char *host,
				     bool named)
{
	if (s->n >= LOGFILE_MAX) {
		s->not_read++;
		return NULL;
	}
	struct logfile_stat *st = &s->v[s->n++];
	memset(st, 0, sizeof(*st));
	text_scopy(st->path, sizeof(st->path), path);
	st->named = named;
	if (host && host[0]) {
		text_scopy(st->host, sizeof(st->host), host);
	} else {
		/* no host in the file: its name ("m1.log" -> "m1") keeps two files' members apart */
		const char *b = strrchr(path, '/');
		b = b ? b + 1 : path;
		size_t n = strlen(b);
		if (n > 4 && strcmp(b + n - 4, ".log") == 0)
			n -= 4;
		text_copy(st->host, sizeof(st->host), b, n);
	}
	return st;
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);
	return n >= k && strcmp(s + n - k, suffix) == 0;
}

static int cmp_names(const void *a, const void *b)
{
	return strverscmp(a, b); /* 2.log before 10.log (kubelet counts restarts) */
}

/* The entries of dir whose names pass want(), sorted; -errno when it cannot be listed. The
 * rotated .gz logs and names beyond the cap are counted in s (NULL: a look for pod dirs). */
static int list_dir(const char *dir, bool (*want)(const char *), struct names *out,
		    struct logfile_scan *s)
{
	DIR *d = opendir(dir);
	if (!d)
		return -errno;
	out->n = 0;
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		if (ends_with(e->d_name, ".gz") && strstr(e->d_name, ".log.")) {
			if (s)
				s->skipped_gz++;
			continue;
		}
		if (!want(e->d_name))
			continue;
		if (out->n >= DIR_NAMES_MAX) {
			if (s)
				s->not_read++;
			continue;
		}
		text_scopy(out->v[out->n++], sizeof(out->v[0]), e->d_name);
	}
	closedir(d);
	qsort(out->v, out->n, sizeof(out->v[0]), cmp_names);
	return 0;
}

static bool want_log(const char *name)
{
	return ends_with(name, ".log");
}

/* kubelet's rotation keeps the newest rotated file uncompressed: "0.log.20261124-191339" */
static bool want_pod_log(const char *name)
{
	const char *p = strstr(name, ".log");
	return p && (p[4] == '\0' || (p[4] == '.' && p[5] >= '0' && p[5] <= '9'));
}

static bool want_etcd_pod(const char *name)
{
	return strncmp(name, "kube-system_etcd-", 17) == 0;
}

bool logfile_pod_node(const char *dirname, char *out, size_t cap)
{
	const char *b = strrchr(dirname, '/');
	b = b && b[1] ? b + 1 : dirname;
	if (!want_etcd_pod(b))
		return false;
	const char *node = b + 17, *uid = strrchr(node, '_');
	if (!uid || uid == node)
		return false;
	text_copy(out, cap, node, (size_t)(uid - node));
	return true;
}

/* One kubeadm pod directory: its etcd/ container logs, host = the node name. */
static int add_pod_dir(struct logfile_scan *s, const char *poddir, struct names *nm)
{
	char node[64], dir[512], path[1024];
	if (!logfile_pod_node(poddir, node, sizeof(node)))
		return -EINVAL;
	snprintf(dir, sizeof(dir), "%s/etcd", poddir);
	int r = list_dir(dir, want_pod_log, nm, s);
	if (r < 0)
		return r;
	for (size_t i = 0; i < nm->n; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, nm->v[i]);
		add_file(s, path, node, false);
	}
	return 0;
}

/* /var/log/pods (or a copy of it): every kube-system_etcd-* pod in it. */
static int add_pods_root(struct logfile_scan *s, const char *root, struct names *nm,
			 struct names *pods)
{
	int r = list_dir(root, want_etcd_pod, pods, NULL);
	if (r < 0)
		return r;
	char dir[512];
	for (size_t i = 0; i < pods->n; i++) {
		snprintf(dir, sizeof(dir), "%s/%s", root, pods->v[i]);
		add_pod_dir(s, dir, nm);
	}
	return (int)pods->n;
}

/* --log-dir: a kubeadm pod dir (or its etcd/), a pods root, or a plain dir of *.log files. */
static int add_log_dir(struct logfile_scan *s, const char *dir, struct names *nm,
		       struct names *pods)
{
	char node[64], parent[512], path[1024];
	text_scopy(parent, sizeof(parent), dir);
	size_t n = strlen(parent);
	while (n > 1 && parent[n - 1] == '/')
		parent[--n] = '\0';
	if (logfile_pod_node(parent, node, sizeof(node)))
		return add_pod_dir(s, parent, nm);
	if (ends_with(parent, "/etcd")) {
		parent[n - 5] = '\0';
		if (logfile_pod_node(parent, node, sizeof(node)))
			return add_pod_dir(s, parent, nm);
		parent[n - 5] = '/';
	}
	int r = add_pods_root(s, parent, nm, pods);
	if (r != 0)
		return r < 0 ? r : 0;
	r = list_dir(parent, want_log, nm, s);
	if (r < 0)
		return r;
	for (size_t i = 0; i < nm->n; i++) {
		snprintf(path, sizeof(path), "%s/%s", parent, nm->v[i]);
		struct stat sb;
		/* regular files only; a FIFO named *.log is refused when opened, not listed here */
		if (stat(path, &sb) == 0 && S_ISDIR(sb.st_mode))
			continue;
		add_file(s, path, NULL, false);
	}
	return 0;
}

struct file_ctx {
	const char *host;
};

static void file_more(void *ctx, struct logsink_more *ret)
{
	const struct file_ctx *c = ctx;
	ret->priority = -1;
	ret->host = c->host;
	ret->host_len = strlen(c->host);
}

/* One etcd entry (a whole line, or a joined one) at usec (0: the line had no time). */
static void take_entry(struct reader *rd, struct logfile_stat *st, const struct logfile_opts *o,
		       struct diag_aggs *aggs, const char *text, size_t len, uint64_t usec,
		       const char *host)
{
	if (usec)
		rd->prev_usec = usec;
	else
		usec = rd->prev_usec;
	st->etcd_lines++;
	if (!st->first_usec || usec < st->first_usec)
		st->first_usec = usec;
	if (usec > st->last_usec)
		st->last_usec = usec;
	if (o->until_usec && usec > o->until_usec) {
		st->after_until++;
		return;
	}
	if (o->since_usec && usec < o->since_usec)
		return;
	st->in_window++;
	struct file_ctx c = {host && host[0] ? host : st->host};
	logsink_add(aggs, usec, text, len, file_more, &c);
}

static void flush_join(struct reader *rd, struct logfile_stat *st, const struct logfile_opts *o,
		       struct diag_aggs *aggs)
{
	size_t n;
	bool cut;
	const char *p = logjoin_flush(&rd->join, &n, &cut);
	if (!p)
		return;
	st->joined_cut += cut;
	take_entry(rd, st, o, aggs, p, n, rd->join.usec, NULL);
}

static void take_line(struct reader *rd, struct logfile_stat *st, const struct logfile_opts *o,
		      struct diag_aggs *aggs, const char *line, size_t len)
{
	if (len && line[len - 1] == '\r')
		len--;
	st->lines++;
	struct logshape_line l;
	logshape_parse(line, len, &rd->shape, rd->scratch, sizeof(rd->scratch), &l);
	if (!l.etcd)
		return;
	if (st->etcd_lines == 0 && !rd->join.open)
		st->kind = l.kind;
	bool wrapped = l.kind == LOGSHAPE_CRI || l.kind == LOGSHAPE_DOCKER;
	if (!wrapped) {
		flush_join(rd, st, o, aggs); /* parts whose final one never came */
		take_entry(rd, st, o, aggs, l.text, l.text_len, l.usec, l.host);
		return;
	}
	size_t n;
	bool cut;
	const char *p = logjoin_add(&rd->join, l.text, l.text_len, l.partial, l.usec, &n, &cut);
	if (!p)
		return;
	st->joined_cut += cut;
	take_entry(rd, st, o, aggs, p, n, p == rd->join.buf ? rd->join.usec : l.usec, NULL);
}

/* The host's zone and the year for stamps without them, from the file's last write. */
static void clock_from(time_t mtime, struct logshape_clock *clk)
{
	struct tm tm;
	localtime_r(&mtime, &tm);
	clk->year = tm.tm_year + 1900;
	clk->month = tm.tm_mon + 1;
	clk->local_off_s = tm.tm_gmtoff;
}

static void read_file(struct reader *rd, struct logfile_stat *st, const struct logfile_opts *o,
		      struct diag_aggs *aggs)
{
	/* O_NONBLOCK: a FIFO without a writer must not stall the run; regular files only */
	int fd = open(st->path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0) {
		st->err = -errno;
		return;
	}
	struct stat sb;
	if (fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode)) {
		st->err = fstat(fd, &sb) == 0 && S_ISDIR(sb.st_mode) ? -EISDIR : -EINVAL;
		close(fd);
		return;
	}
	clock_from(sb.st_mtime, &rd->shape.clock);
	rd->prev_usec = (uint64_t)sb.st_mtime * 1000000ull; /* until a line says otherwise */
	rd->join.open = false;
	/* a file growing while read is read to its size at open: never chasing a writer */
	uint64_t left = (uint64_t)sb.st_size;
	size_t have = 0;      /* bytes in buf not yet taken */
	bool skipping = false; /* in the rest of a line already cut at LOGSHAPE_LINE_MAX */
	while (!rd->stop) {
		size_t want = READ_BUF - have;
		if (want > left)
			want = (size_t)left;
		ssize_t got = want ? read(fd, rd->buf + have, want) : 0;
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			st->err = -errno;
			break;
		}
		left -= (uint64_t)got;
		have += (size_t)got;
		bool eof = got == 0;
		size_t at = 0;
		while (at < have) {
			if (o->deadline_ns && (rd->n_lines++ & 1023) == 0 &&
			    conn_now_ns() >= o->deadline_ns) {
				rd->stop = aggs->cut_by_deadline = true;
				break;
			}
			char *nl = memchr(rd->buf + at, '\n', have - at);
			size_t len = nl ? (size_t)(nl - (rd->buf + at)) : have - at;
			if (!nl && !eof && len < LOGSHAPE_LINE_MAX)
				break; /* the line goes on in the next read */
			if (skipping) {
				skipping = !nl;
			} else if (len > LOGSHAPE_LINE_MAX) {
				/* cut, counted, the rest of it skipped up to its newline */
				st->cut++;
				take_line(rd, st, o, aggs, rd->buf + at, LOGSHAPE_LINE_MAX);
				skipping = !nl;
			} else if (len == LOGSHAPE_LINE_MAX && !nl && !eof) {
				st->cut++;
				take_line(rd, st, o, aggs, rd->buf + at, len);
				skipping = true;
			} else {
				take_line(rd, st, o, aggs, rd->buf + at, len);
			}
			at += len + (nl ? 1 : 0);
		}
		memmove(rd->buf, rd->buf + at, have - at);
		have -= at;
		if (eof)
			break;
	}
	flush_join(rd, st, o, aggs);
	close(fd);
}

/* Why path could not be read; buf holds the advice of a permission denied. */
static const char *err_str(int err, const char *path, char *buf, size_t cap)
{
	char hint[160];
	switch (-err) {
	case EACCES:
		access_hint(path, "adm or systemd-journal", hint, sizeof(hint));
		text_printf(buf, cap, "permission denied (%s)", hint);
		return buf;
	case EINVAL:
		return "not a regular file";
	case EISDIR:
		return "a directory (use --log-dir)";
	default:
		return strerror(-err);
	}
}

int logfile_scan_all(const struct logfile_opts *o, struct diag_aggs *aggs, struct logfile_scan *s)
{
	char why[256];
	memset(s, 0, sizeof(*s));
	struct names *nm = malloc(sizeof(*nm)), *pods = malloc(sizeof(*pods));
	struct reader *rd = calloc(1, sizeof(*rd));
	if (!nm || !pods || !rd) {
		free(nm);
		free(pods);
		free(rd);
		return -ENOMEM;
	}
	for (size_t i = 0; i < o->n_files; i++)
		add_file(s, o->files[i], NULL, true);
	for (size_t i = 0; i < o->n_dirs; i++) {
		int r = add_log_dir(s, o->dirs[i], nm, pods);
		if (r < 0 && !s->dir_err[0])
			text_printf(s->dir_err, sizeof(s->dir_err), "cannot list --log-dir %s: %s",
				    o->dirs[i], err_str(r, o->dirs[i], why, sizeof(why)));
	}
	struct stat sb;
	int r;
	if (o->pods_root && stat(o->pods_root, &sb) == 0 && S_ISDIR(sb.st_mode) &&
	    (r = add_pods_root(s, o->pods_root, nm, pods)) < 0 && !s->dir_err[0])
		text_printf(s->dir_err, sizeof(s->dir_err), "cannot list %s: %s", o->pods_root,
			    err_str(r, o->pods_root, why, sizeof(why)));
	rd->shape.tags = o->tags;
	rd->shape.memo = &rd->memo;
	enum agg_source was = aggs->source;
	aggs->source = AGG_SOURCE_LOG_FILE;
	for (size_t i = 0; i < s->n && !rd->stop; i++)
		read_file(rd, &s->v[i], o, aggs);
	aggs->source = was;
	free(nm);
	free(pods);
	free(rd);
	return 0;
}

bool logfile_named_failed(const struct logfile_scan *s)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->v[i].named && s->v[i].err)
			return true;
	return false;
}

static void stamp(uint64_t usec, char *out, size_t cap)
{
	time_t t = (time_t)(usec / 1000000);
	struct tm tm;
	localtime_r(&t, &tm);
	strftime(out, cap, "%Y-%m-%d %H:%M:%S", &tm);
}

size_t logfile_notes(const struct logfile_scan *s, char *out, size_t cap)
{
	char why[256];
	size_t w = 0;
	char a[32], b[32];
#define NOTE(...) (w += text_printf(out + w, cap - w, "%s", w ? "; " : ""), \
		   w += text_printf(out + w, cap - w, __VA_ARGS__))
	if (cap)
		out[0] = '\0';
	if (s->dir_err[0] && w < cap)
		NOTE("%s", s->dir_err);
	for (size_t i = 0; i < s->n && w < cap; i++) {
		const struct logfile_stat *st = &s->v[i];
		if (st->err) {
			NOTE("cannot read %s: %s", st->path, err_str(st->err, st->path, why, sizeof(why)));
			continue;
		}
		if (st->lines && !st->etcd_lines)
			NOTE("%s: %llu lines, none from etcd", st->path,
			     (unsigned long long)st->lines);
		else if (st->etcd_lines && !st->in_window) {
			stamp(st->first_usec, a, sizeof(a));
			stamp(st->last_usec, b, sizeof(b));
			/* the bound that left them out is the one to move */
			bool after = st->after_until > 0, before = st->after_until < st->etcd_lines;
			NOTE("%s: %llu lines, none in the window (they span %s..%s); widen %s",
			     st->path, (unsigned long long)st->etcd_lines, a, b,
			     after && before ? "--since and --until"
			     : after	     ? "--until"
					     : "--since");
		}
		if (st->cut && w < cap)
			NOTE("%s: %llu lines over %d KiB cut there", st->path,
			     (unsigned long long)st->cut, LOGSHAPE_LINE_MAX / 1024);
		if (st->joined_cut && w < cap)
			NOTE("%s: %llu split lines longer than %d KiB joined, cut there", st->path,
			     (unsigned long long)st->joined_cut, LOGSHAPE_LINE_MAX / 1024);
	}
	if (s->skipped_gz && w < cap)
		NOTE("%zu rotated .gz log%s not read (zcat them into a file for --log-file)",
		     s->skipped_gz, s->skipped_gz == 1 ? "" : "s");
	if (s->not_read && w < cap)
		NOTE("%zu more log files not read (at most %d)", s->not_read, LOGFILE_MAX);
#undef NOTE
	return w;
}
