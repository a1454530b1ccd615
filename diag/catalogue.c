/* catalogue.c: the table of finding codes: name, category, severity, summary and remedy. */
#include "diag/catalogue.h"

#include <string.h>

/* How deploy/etcd-install runs etcd: etcd.service as User=etcd Group=etcd, data dir /var/lib/etcd
 * etcd:etcd 0700, certificate and key /etc/etcd/ssl/etcd.pem + etcd-key.pem (root:etcd 0640),
 * CA /etc/kubernetes/ssl/ca.pem; Debian's etcd-server package runs the same unit name as
 * User=etcd (no Group=), older installs as root (no User=). Ownership remedies name the unit's
 * User=/Group= when the configuration read says them ({user} {group}), else ask the unit which
 * user it is rather than guessing one (CATALOGUE_UNIT_USER_SH); the group is that user's own. */

/* One row per code: severity, summary and remedy. Placeholders: {member} {peer} {wanted}
 * {sans} {wanted_san} (IP:{wanted} or DNS:{wanted}) {detail} {duration} {url} {cert} {key}
 * {ca} {datadir} {name} {user} {group} {reissue} ("it", for a CA file "the CA and every
 * certificate it signed"), filled by the report. */
static const struct diag_code_info code_table[DIAG_CODE__MAX] = {
	[DIAG_CODE_NONE] = {DIAG_CODE_NONE, "none", "none", DIAG_SEV_OK, 0, "no problem", ""},
	[DIAG_CERT_SAN_MISMATCH] = {DIAG_CERT_SAN_MISMATCH, "cert-san-mismatch", "tls",
		DIAG_SEV_CRITICAL, 1,
		"certificate presented by {member} is valid for {sans}, not {wanted}",
		"on {member}: etcd-install --renew-cert (re-issues {cert} for {wanted}), or "
		"openssl req -new -key {key} -subj /CN=etcd -addext "
		"subjectAltName=IP:127.0.0.1,{wanted_san} -addext "
		"extendedKeyUsage=serverAuth,clientAuth | openssl x509 -req -CA {ca} -CAkey "
		"<the CA key beside {ca}, e.g. ca-key.pem> -copy_extensions copy -days 365 -out {cert} "
		"&& systemctl restart etcd"},
	[DIAG_CERT_UNKNOWN_AUTHORITY] = {DIAG_CERT_UNKNOWN_AUTHORITY, "cert-unknown-authority",
		"tls", DIAG_SEV_CRITICAL, 1,
		"a certificate is signed by a CA the other side does not trust",
		"on {member}: openssl verify -CAfile {ca} {cert}; re-issue the certificate from the "
		"cluster CA (or put the right CA in --trusted-ca-file/--peer-trusted-ca-file)"},
	[DIAG_CERT_EXPIRED] = {DIAG_CERT_EXPIRED, "cert-expired", "tls", DIAG_SEV_CRITICAL, 1,
		"a certificate has expired ({detail})",
		"on {member}: openssl x509 -noout -dates -in {cert}; re-issue {reissue} and "
		"systemctl restart etcd"},
	[DIAG_CERT_NOT_YET_VALID] = {DIAG_CERT_NOT_YET_VALID, "cert-not-yet-valid", "tls",
		DIAG_SEV_CRITICAL, 1, "a certificate is not valid yet ({detail})",
		"on {member}: check the clock (timedatectl) and openssl x509 -noout -dates -in {cert}"},
	[DIAG_CERT_EXPIRING] = {DIAG_CERT_EXPIRING, "cert-expiring", "tls", DIAG_SEV_WARNING, 1,
		"{detail}", "on {member}: before {cert} expires, re-issue {reissue}"},
	[DIAG_CERT_KEY_MISMATCH] = {DIAG_CERT_KEY_MISMATCH, "cert-key-mismatch", "tls",
		DIAG_SEV_CRITICAL, 1, "the private key does not match the certificate ({detail})",
		"on {member}: compare openssl x509 -noout -pubkey -in {cert} with openssl pkey -pubout "
		"-in {key}; install the matching pair"},
	[DIAG_CERT_BAD_KEY_USAGE] = {DIAG_CERT_BAD_KEY_USAGE, "cert-bad-key-usage", "tls",
		DIAG_SEV_CRITICAL, 1,
		"a certificate's extended key usage lacks serverAuth or clientAuth ({detail})",
		"on {member}: re-issue {cert} with -addext extendedKeyUsage=serverAuth,clientAuth"},
	[DIAG_CERT_REJECTED] = {DIAG_CERT_REJECTED, "cert-rejected", "tls", DIAG_SEV_WARNING, 3,
		"peers reject the certificate {member} presents (remote error: bad certificate)",
		"on {member}: openssl x509 -noout -text -in {cert}; compare its SANs and issuer with "
		"the other members'"},
	[DIAG_KEY_FILE_PERMISSIONS] = {DIAG_KEY_FILE_PERMISSIONS, "key-file-permissions", "tls",
		DIAG_SEV_WARNING, 1, "private key {detail} is readable by others (or writable by its group)",
		"on {member}: chown root:{group} {detail} && chmod 640 {detail}"},
	[DIAG_CLIENT_CERT_MISSING] = {DIAG_CLIENT_CERT_MISSING, "client-cert-missing", "tls",
		DIAG_SEV_WARNING, 1, "clients connect without the client certificate {member} requires",
		"give the client --cert/--key signed by {ca} (etcdctl --cert ... --key ...)"},
	[DIAG_CLIENT_CERT_REJECTED] = {DIAG_CLIENT_CERT_REJECTED, "client-cert-rejected", "tls",
		DIAG_SEV_CRITICAL, 1,
		"the members reject the client certificate these checks present ({detail})",
		"re-issue that --cert from the cluster CA with clientAuth (etcdctl and etcd-probe "
		"present the same file): openssl req -new -key <its --key> -subj /CN=root | openssl "
		"x509 -req -CA <cluster ca.pem> -CAkey <cluster ca-key.pem> -days 365 -extfile <(echo "
		"extendedKeyUsage=clientAuth) -out <the --cert file>"},
	[DIAG_CLUSTER_ID_MISMATCH] = {DIAG_CLUSTER_ID_MISMATCH, "cluster-id-mismatch",
		"membership", DIAG_SEV_CRITICAL, 1,
		"{member} belongs to another cluster ({detail}): it was wiped and bootstrapped anew",
		"on {member}: systemctl stop etcd; etcdctl member remove <old id> && etcdctl member add "
		"{name} --peer-urls={url} (from a healthy member); rm -rf {datadir}; start it with "
		"--initial-cluster-state=existing"},
	[DIAG_MEMBER_ALREADY_BOOTSTRAPPED] = {DIAG_MEMBER_ALREADY_BOOTSTRAPPED,
		"member-already-bootstrapped", "membership", DIAG_SEV_CRITICAL, 1,
		"{member} was bootstrapped before but is started as a new member",
		"on {member}: start it with --initial-cluster-state=existing, or remove {datadir}"},
	[DIAG_MEMBER_NOT_IN_INITIAL_CLUSTER] = {DIAG_MEMBER_NOT_IN_INITIAL_CLUSTER,
		"member-not-in-initial-cluster", "membership", DIAG_SEV_CRITICAL, 1,
		"{member}'s name or peer URL does not match --initial-cluster ({detail})",
		"on {member}: make --name and --initial-advertise-peer-urls match an entry of "
		"--initial-cluster (etcdctl member list on a healthy member)"},
	[DIAG_MEMBER_REMOVED] = {DIAG_MEMBER_REMOVED, "member-removed", "membership",
		DIAG_SEV_CRITICAL, 1, "{member} was removed from the cluster but still runs",
		"on {member}: systemctl stop etcd; rm -rf {datadir}; etcdctl member add {name} "
		"--peer-urls={url}; start with --initial-cluster-state=existing"},
	[DIAG_PEER_UNREACHABLE] = {DIAG_PEER_UNREACHABLE, "peer-unreachable", "network",
		DIAG_SEV_WARNING, 1, "peers cannot reach {member} ({detail})",
		"on {member}: systemctl status etcd; ss -ltnp | grep 2380; check firewalls between "
		"members"},
	[DIAG_MEMBER_DOWN] = {DIAG_MEMBER_DOWN, "member-down", "network", DIAG_SEV_CRITICAL, 1,
		"{member} is down: its peers get connection refused",
		"on {member}: systemctl start etcd; journalctl -u etcd.service -b"},
	[DIAG_QUORUM_LOST] = {DIAG_QUORUM_LOST, "quorum-lost", "raft", DIAG_SEV_CRITICAL, 1,
		"the cluster lost quorum ({detail})",
		"start the stopped members (systemctl start etcd on each); etcdctl endpoint status "
		"--cluster"},
	[DIAG_NO_LEADER] = {DIAG_NO_LEADER, "no-leader", "raft", DIAG_SEV_CRITICAL, 1,
		"{member} has no leader", "etcdctl endpoint status --cluster; start missing members"},
	[DIAG_LEADER_CHURN] = {DIAG_LEADER_CHURN, "leader-churn", "raft", DIAG_SEV_WARNING, 6,
		"{member} started leader elections", "check disk latency (fio) and network between "
		"members; raise --heartbeat-interval/--election-timeout if the links are slow"},
	[DIAG_SLOW_DISK] = {DIAG_SLOW_DISK, "slow-disk", "disk", DIAG_SEV_WARNING, 1,
		"{member}'s WAL fsync is slow ({duration})",
		"on {member}: put {datadir} on an SSD; check iostat -x 1; ionice other I/O"},
	[DIAG_OVERLOADED] = {DIAG_OVERLOADED, "overloaded", "disk", DIAG_SEV_WARNING, 20,
		"{member} is overloaded: requests or heartbeats late ({duration})",
		"on {member}: check CPU and disk (top, iostat -x 1); reduce large range requests"},
	[DIAG_NOSPACE_ALARM] = {DIAG_NOSPACE_ALARM, "nospace-alarm", "space", DIAG_SEV_CRITICAL, 1,
		"database space exceeded: alarm NOSPACE, the cluster accepts only reads and deletes",
		"rev=$(etcdctl endpoint status -w json | grep -o '\"revision\":[0-9]*' | cut -d: -f2); "
		"etcdctl compact $rev; etcdctl defrag --cluster; etcdctl alarm disarm (raise "
		"--quota-backend-bytes if needed)"},
	[DIAG_CORRUPT_ALARM] = {DIAG_CORRUPT_ALARM, "corrupt-alarm", "space", DIAG_SEV_CRITICAL, 1,
		"data inconsistency between members (alarm CORRUPT)",
		"find the odd member with etcdctl endpoint hashkv --cluster; remove it, wipe its "
		"data dir and add it back"},
	[DIAG_CLOCK_DRIFT] = {DIAG_CLOCK_DRIFT, "clock-drift", "clock", DIAG_SEV_WARNING, 1,
		"clock of {member} differs from its peers ({duration})",
		"on every member: timedatectl; chronyc tracking; enable NTP"},
	[DIAG_PORT_IN_USE] = {DIAG_PORT_IN_USE, "port-in-use", "startup", DIAG_SEV_CRITICAL, 1,
		"{member} cannot listen on {url}: address already in use",
		"on {member}: ss -ltnp | grep {url} and stop the other process"},
	[DIAG_BIND_ADDRESS_UNAVAILABLE] = {DIAG_BIND_ADDRESS_UNAVAILABLE,
		"bind-address-unavailable", "startup", DIAG_SEV_CRITICAL, 1,
		"{member} cannot listen on {url}: the address is not on this host",
		"on {member}: ip -br addr; fix --listen-client-urls/--listen-peer-urls"},
	[DIAG_DATA_DIR_PERMISSION] = {DIAG_DATA_DIR_PERMISSION, "data-dir-permission", "startup",
		DIAG_SEV_CRITICAL, 1, "{member} cannot use its data dir: {detail}",
		"on {member}: chown -R {user}: {datadir} && chmod 700 {datadir} && "
		"systemctl restart etcd"},
	[DIAG_DATA_DIR_MODE] = {DIAG_DATA_DIR_MODE, "data-dir-mode", "startup", DIAG_SEV_INFO, 1,
		"{member}'s data dir is readable by others", "on {member}: chmod 700 {datadir}"},
	[DIAG_FILE_MISSING] = {DIAG_FILE_MISSING, "file-missing", "startup", DIAG_SEV_CRITICAL, 1,
		"{member} cannot open {detail}", "on {member}: ls -l {detail}; fix the path in the unit "
		"or install the file"},
	[DIAG_ENDPOINT_UNHEALTHY] = {DIAG_ENDPOINT_UNHEALTHY, "endpoint-unhealthy", "live",
		DIAG_SEV_CRITICAL, 1, "{member} fails the live check: {detail}",
		"etcd-probe --endpoints={url} -v"},
	[DIAG_RAFT_LOG_CORRUPT] = {DIAG_RAFT_LOG_CORRUPT, "raft-log-corrupt", "disk",
		DIAG_SEV_CRITICAL, 1,
		"{member}'s raft log is behind what the cluster committed ({detail}): its WAL was "
		"corrupted, truncated or restored from an old copy",
		"on {member}: systemctl stop etcd; from a healthy member: etcdctl member remove <its "
		"id> && etcdctl member add {name} --peer-urls={url}; then on {member}: mv {datadir} "
		"{datadir}.broken; start it with --initial-cluster-state=existing (re-run "
		"etcd-install --initial-cluster-state existing)"},
	[DIAG_DATA_DIR_LOCKED] = {DIAG_DATA_DIR_LOCKED, "data-dir-locked", "startup",
		DIAG_SEV_CRITICAL, 1,
		"{member} waits for the lock on its data dir: another etcd process holds {detail}",
		"on {member}: fuser -v {datadir}/member/snap/db (or lsof +D {datadir}); stop the "
		"other etcd (a second unit, a manual run, a container on the same dir); then "
		"systemctl restart etcd"},
	[DIAG_WAL_CORRUPT] = {DIAG_WAL_CORRUPT, "wal-corrupt", "disk", DIAG_SEV_CRITICAL, 1,
		"{member}'s write-ahead log cannot be read ({detail})",
		"on {member}: systemctl stop etcd; keep a copy (cp -a {datadir} {datadir}.broken); "
		"remove the member from a healthy one (etcdctl member remove <its id>; etcdctl member "
		"add {name} --peer-urls={url}), rm -rf {datadir}/member, start with "
		"--initial-cluster-state=existing; a single-member cluster: etcdutl snapshot restore "
		"from the last backup"},
	[DIAG_SNAPSHOT_CORRUPT] = {DIAG_SNAPSHOT_CORRUPT, "snapshot-corrupt", "disk",
		DIAG_SEV_CRITICAL, 1,
		"{member}'s snapshot files are missing or damaged ({detail})",
		"on {member}: ls -l {datadir}/member/snap; a .snap.db lost from there (cleaned by "
		"hand, a full disk) cannot be recreated: systemctl stop etcd, remove and re-add the "
		"member from a healthy one (etcdctl member remove/add), rm -rf {datadir}/member, "
		"start with --initial-cluster-state=existing"},
	[DIAG_PEM_NO_DATA] = {DIAG_PEM_NO_DATA, "pem-no-data", "tls", DIAG_SEV_CRITICAL, 1,
		"{member} cannot load its certificate or key: {detail}",
		"on {member}: openssl x509 -noout -subject -in {cert}; openssl pkey -noout -in {key} "
		"(empty, DER, or the two files swapped); re-run etcd-install --renew-cert, then "
		"systemctl restart etcd"},
	[DIAG_AUTH_TOKEN_INVALID] = {DIAG_AUTH_TOKEN_INVALID, "auth-token-invalid", "auth",
		DIAG_SEV_WARNING, 20,
		"clients of {member} send auth tokens it does not know (expired simple tokens, a "
		"member restarted, or tokens of another member)",
		"make clients re-authenticate on 'invalid auth token'; with several members use "
		"--auth-token=jwt,pub-key=...,priv-key=...,sign-method=RS256 (simple tokens live in "
		"one member's memory only), or raise --auth-token-ttl"},
	[DIAG_REVISION_COMPACTED] = {DIAG_REVISION_COMPACTED, "revision-compacted", "space",
		DIAG_SEV_WARNING, 20,
		"clients of {member} ask for revisions already compacted away",
		"clients must re-list and watch from the current revision after 'required revision "
		"has been compacted'; if it keeps coming, compact less often (--auto-compaction-"
		"retention) or find the client that watches from an old revision"},
	[DIAG_MESSAGE_TOO_LARGE] = {DIAG_MESSAGE_TOO_LARGE, "message-too-large", "limits",
		DIAG_SEV_WARNING, 1,
		"requests or responses on {member} exceed the size limit ({detail})",
		"find the large value or range (etcdctl get --prefix --keys-only | wc -l); keep "
		"values small, page ranges (--limit), or raise --max-request-bytes (server, default "
		"1.5 MiB) and the client's max call size together on every member and client"},
	[DIAG_PEER_NAME_UNRESOLVED] = {DIAG_PEER_NAME_UNRESOLVED, "peer-name-unresolved",
		"network", DIAG_SEV_CRITICAL, 1,
		"the peer URL host {wanted} of {member} does not resolve ({detail})",
		"on the members that dial it: getent hosts {wanted}; add it to DNS or /etc/hosts, or "
		"use the member's IP in --initial-cluster / --initial-advertise-peer-urls "
		"(etcdctl member update <id> --peer-urls=https://<ip>:2380)"},
	[DIAG_FILE_PERMISSION] = {DIAG_FILE_PERMISSION, "file-permission", "startup",
		DIAG_SEV_CRITICAL, 1, "{member} may not open {detail}: permission denied",
		"on {member}: ls -l {detail}; chgrp {group} {detail} && chmod g+r {detail} "
		"(the group of the user etcd.service runs as; keys root:that group 0640) && "
		"systemctl restart etcd"},
	[DIAG_CANNOT_READ_HERE] = {DIAG_CANNOT_READ_HERE, "cannot-read", "diag", DIAG_SEV_INFO, 1,
		"{detail}", "run etcd-diag as root (sudo etcd-diag ...), or as a member of the "
		"file's group"},
	[DIAG_DISK_FULL] = {DIAG_DISK_FULL, "disk-full", "disk", DIAG_SEV_CRITICAL, 1,
		"{member}'s data dir is on a full filesystem, etcd could not write ({detail})",
		"on {member}: df -h {datadir}; free space on that filesystem (or grow it), then "
		"systemctl start etcd (the filesystem, not the quota: etcdctl alarm list shows no "
		"NOSPACE for it)"},
	[DIAG_FACT_LOCAL_MEMBER] = {DIAG_FACT_LOCAL_MEMBER, "fact-local-member", "fact",
		DIAG_SEV_OK, 0, "", ""},
	[DIAG_FACT_MEMBER_ADDED] = {DIAG_FACT_MEMBER_ADDED, "fact-member-added", "fact",
		DIAG_SEV_OK, 0, "", ""},
	[DIAG_FACT_PUBLISHED] = {DIAG_FACT_PUBLISHED, "fact-published", "fact", DIAG_SEV_OK, 0,
		"", ""},
	[DIAG_FACT_PEER_ACTIVE] = {DIAG_FACT_PEER_ACTIVE, "fact-peer-active", "fact", DIAG_SEV_OK,
		0, "", ""},
	[DIAG_FACT_LEADER_ELECTED] = {DIAG_FACT_LEADER_ELECTED, "fact-leader-elected", "fact",
		DIAG_SEV_OK, 0, "", ""},
	[DIAG_FACT_VOTE_SENT] = {DIAG_FACT_VOTE_SENT, "fact-vote-sent", "fact", DIAG_SEV_OK, 0, "",
		""},
	[DIAG_FACT_VOTE_ANSWER] = {DIAG_FACT_VOTE_ANSWER, "fact-vote-answer", "fact", DIAG_SEV_OK,
		0, "", ""},
};

const struct diag_code_info *diag_code_info_get(enum diag_code code)
{
	if ((unsigned)code >= DIAG_CODE__MAX)
		return &code_table[DIAG_CODE_NONE];
	return &code_table[code];
}

const char *diag_code_str(enum diag_code code)
{
	return diag_code_info_get(code)->name;
}

const char *diag_severity_str(enum diag_severity sev)
{
	static const char *const names[] = {"ok", "info", "warning", "critical"};
	return (unsigned)sev < 4 ? names[sev] : "unknown";
}

enum diag_code diag_code_from_str(const char *name)
{
	for (int c = 1; name && c < DIAG_CODE__MAX; c++)
		if (strcmp(code_table[c].name, name) == 0)
			return (enum diag_code)c;
	return DIAG_CODE_NONE;
}
