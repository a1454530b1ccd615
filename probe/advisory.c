/* advisory: the releases etcd's maintainers warn against, and the strict version parser that
 * looks a member's version up in them.
 *
 * What is in the table: what etcd's CHANGELOG/README.md "Production recommendation" says (at
 * etcd-io/etcd c34dc7ee, lines 3-11: the minimum for production is v3.4.22+ and v3.5.6+; v3.5.0
 * to v3.5.2 can lose committed writes on a killed member), broken down into the defects behind
 * it, each with the release that fixed it (CHANGELOG-3.4.md, CHANGELOG-3.5.md). Left out on
 * purpose: ordinary bug fixes, security fixes (most need auth or a given flag the probe cannot
 * see, and distributions backport them without changing the version), and the 3.5 -> 3.6
 * upgrade path (etcd's 2025 blog post: 3.5.1-3.5.19 must go to 3.5.20+ before 3.6), which only
 * matters when upgrading. Rows are checked in order; the most specific come first. */
#include "probe/advisory.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>

#define V(a, b, c) {(a), (b), (c)}

static const struct advisory advisories[] = {
	/* etcd-io/etcd#13766; fixed by #13908 in v3.5.3 (CHANGELOG-3.5.md:591 at c34dc7ee);
	 * CHANGELOG/README.md:7-11; postmortem Documentation/postmortems/v3.5-data-inconsistency.md */
	{V(3, 5, 0), V(3, 5, 3), "a member killed under load can miss committed writes",
	 "etcd-io/etcd#13766"},
	/* v3.5.0-v3.5.5, fixed by #14733 in v3.5.6 (CHANGELOG-3.5.md:525); announced on etcd-dev
	 * ("two possible data inconsistency issues", cited by kubernetes/kubernetes#114093) */
	{V(3, 5, 0), V(3, 5, 6), "a crash during defragmentation can leave its revision ahead of "
	 "the other members", "etcd-io/etcd#14733"},
	/* same announcement: auth enabled and a member that catches up from a snapshot (a new
	 * member); v3.5.5 fixed by #14648 in v3.5.6 (CHANGELOG-3.5.md:524), v3.4.20-v3.4.21 by
	 * #14649 in v3.4.22 (CHANGELOG-3.4.md:363) */
	{V(3, 5, 5), V(3, 5, 6), "with auth enabled, a member restored from a snapshot can diverge",
	 "etcd-io/etcd#14648"},
	{V(3, 4, 20), V(3, 4, 22), "with auth enabled, a member restored from a snapshot can "
	 "diverge", "etcd-io/etcd#14649"},
	/* CHANGELOG/README.md:5 (commit 146f44d3, etcd-io/etcd#15761): below v3.4.22 nothing is
	 * recommended for production; v3.5.0-v3.5.5 are covered by the rows above. */
	{V(3, 0, 0), V(3, 4, 22), "below the minimum the maintainers recommend for production",
	 "etcd-io/etcd CHANGELOG/README.md"},
};

#define N_ADVISORIES (sizeof(advisories) / sizeof(advisories[0]))

/* Up to 6 digits, no leading zero unless the number is 0: "007" and 20-digit numbers are not
 * a version. Returns the bytes read, 0 when there is no number. */
static size_t parse_number(const char *s, unsigned *ret)
{
	size_t n = 0;
	unsigned v = 0;
	while (s[n] >= '0' && s[n] <= '9') {
		if (n == 6 || (n == 1 && s[0] == '0'))
			return 0;
		v = v * 10 + (unsigned)(s[n] - '0');
		n++;
	}
	if (n)
		*ret = v;
	return n;
}

static bool is_ident_char(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       c == '-';
}

/* Dot-separated non-empty identifiers up to stop or the end; returns the bytes read, 0 when
 * there is none or one is empty. */
static size_t parse_idents(const char *s, char stop)
{
	size_t n = 0, ident = 0;
	for (; s[n] && s[n] != stop; n++) {
		if (s[n] == '.') {
			if (ident == 0)
				return 0;
			ident = 0;
		} else if (is_ident_char(s[n])) {
			ident++;
		} else {
			return 0;
		}
	}
	return ident ? n : 0;
}

int advisory_parse_version(const char *s, struct advisory_version *ret)
{
	struct advisory_version v = {0, 0, 0};
	unsigned *part[3] = {&v.major, &v.minor, &v.patch};

	if (!s || strnlen(s, ADVISORY_VERSION_MAX) == ADVISORY_VERSION_MAX)
		return -EINVAL;
	const char *p = s;
	for (int i = 0; i < 3; i++) {
		size_t n = parse_number(p, part[i]);
		if (!n)
			return -EINVAL;
		p += n;
		if (i < 2 && *p++ != '.')
			return -EINVAL;
	}
	if (*p == '-') {
		size_t n = parse_idents(++p, '+');
		if (!n)
			return -EINVAL;
		p += n;
	}
	if (*p == '+') {
		size_t n = parse_idents(++p, '\0');
		if (!n)
			return -EINVAL;
		p += n;
	}
	if (*p)
		return -EINVAL;
	*ret = v;
	return 0;
}

int advisory_version_cmp(const struct advisory_version *a, const struct advisory_version *b)
{
	if (a->major != b->major)
		return a->major < b->major ? -1 : 1;
	if (a->minor != b->minor)
		return a->minor < b->minor ? -1 : 1;
	if (a->patch != b->patch)
		return a->patch < b->patch ? -1 : 1;
	return 0;
}

const struct advisory *advisory_next(const char *version, const struct advisory *prev)
{
	struct advisory_version v;
	if (advisory_parse_version(version, &v) < 0)
		return NULL;
	size_t i = 0;
	if (prev) {
		/* found by equality: comparing pointers outside the array would be undefined */
		while (i < N_ADVISORIES && &advisories[i] != prev)
			i++;
		if (i++ == N_ADVISORIES)
			return NULL;
	}
	for (; i < N_ADVISORIES; i++)
		if (advisory_version_cmp(&v, &advisories[i].first_bad) >= 0 &&
		    advisory_version_cmp(&v, &advisories[i].fixed_in) < 0)
			return &advisories[i];
	return NULL;
}

const struct advisory *advisory_find(const char *version)
{
	return advisory_next(version, NULL);
}

const struct advisory *advisory_row(size_t i)
{
	return i < N_ADVISORIES ? &advisories[i] : NULL;
}
