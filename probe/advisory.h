/* advisory: the etcd releases the etcd maintainers tell users not to run in production, as a
 * table, and the lookup of a member's version (Maintenance/Status "version") in it. Pure. */
#ifndef PROBE_ADVISORY_H
#define PROBE_ADVISORY_H

#include <stddef.h>

/* Longest version string accepted, suffixes included; longer input is not a version. */
#define ADVISORY_VERSION_MAX 48

struct advisory_version {
	unsigned major, minor, patch;
};

/* One row: every release in [first_bad, fixed_in) has the defect; fixed_in is the first release
 * of that line without it. reason is one short line, source where the maintainers say so
 * ("etcd-io/etcd#13766"); both static strings. */
struct advisory {
	struct advisory_version first_bad;
	struct advisory_version fixed_in;
	const char *reason;
	const char *source;
};

/* Parses "MAJOR.MINOR.PATCH" with an optional semver suffix ("-rc.1", "+git", "-rc.1+git"):
 * numbers of 1 to 6 digits without leading zeros, suffix identifiers of [0-9A-Za-z-] separated
 * by single dots, at most ADVISORY_VERSION_MAX - 1 bytes in all. Returns 0 and writes *ret, or
 * -EINVAL for NULL, garbage or hostile input (*ret untouched). The suffix is checked, then
 * ignored: see advisory_find. */
int advisory_parse_version(const char *s, struct advisory_version *ret);

/* <0, 0, >0 as a is before, equal to, after b. */
int advisory_version_cmp(const struct advisory_version *a, const struct advisory_version *b);

/* The first row of the table that version falls in, or NULL when none does or version does not
 * parse. A pre-release is judged as the release it leads to (3.5.0-rc.1 as 3.5.0): etcd tags
 * pre-releases only ahead of a minor's first release (3.5.0-rc.1, 3.6.0-rc.5) and of 3.3.14,
 * and they carry that release's code. Build metadata (+git) is ignored, as semver says. */
const struct advisory *advisory_find(const char *version);

/* The next row after prev that version falls in (prev NULL: the first, as advisory_find), or
 * NULL. prev must be a row of the table. */
const struct advisory *advisory_next(const char *version, const struct advisory *prev);

/* Row i of the table, or NULL past its end (tests walk every row). */
const struct advisory *advisory_row(size_t i);

#endif
