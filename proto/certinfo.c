/* certinfo: certificate facts and verification-failure wording, shared by probe and diag. */
#include "proto/certinfo.h"

#include <arpa/inet.h>
#include <errno.h>
#include <openssl/asn1.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

static void name_oneline(const X509_NAME *name, char *out, size_t outlen)
{
	BIO *b = BIO_new(BIO_s_mem());
	out[0] = '\0';
	if (!b)
		return;
	if (X509_NAME_print_ex(b, name, 0, XN_FLAG_ONELINE & ~ASN1_STRFLGS_ESC_MSB) >= 0) {
		int n = BIO_read(b, out, (int)outlen - 1);
		out[n > 0 ? n : 0] = '\0';
	}
	BIO_free(b);
	/* XN_FLAG_ONELINE writes "CN = etcd": tighten to Go's "CN=etcd". */
	char *w = out;
	for (const char *r = out; *r; r++) {
		if (*r == ' ' && (r[1] == '=' || (r > out && r[-1] == '=')))
			continue;
		*w++ = *r;
	}
	*w = '\0';
}

static void append(char *out, size_t outlen, const char *s)
{
	size_t used = strlen(out);
	if (used + 2 < outlen)
		snprintf(out + used, outlen - used, "%s%s", used ? ", " : "", s);
}

/* The SANs of the kinds asked for, IPs first as Go lists them ("certificate is valid for
 * 127.0.0.1, ..."), the certificate's order within each kind. */
static void sans_list(X509 *cert, bool want_ip, bool want_dns, char *out, size_t outlen)
{
	GENERAL_NAMES *names = X509_get_ext_d2i(cert, NID_subject_alt_name, NULL, NULL);
	out[0] = '\0';
	if (!names)
		return;
	for (int pass = 0; pass < 2; pass++) {
		for (int i = 0; i < sk_GENERAL_NAME_num(names); i++) {
			const GENERAL_NAME *gn = sk_GENERAL_NAME_value(names, i);
			char buf[256];
			if (pass == 0 && want_ip && gn->type == GEN_IPADD) {
				const unsigned char *ip = gn->d.iPAddress->data;
				int len = gn->d.iPAddress->length;
				if (len == 4)
					snprintf(buf, sizeof(buf), "%u.%u.%u.%u", ip[0], ip[1], ip[2],
						 ip[3]);
				else if (len == 16)
					inet_ntop(AF_INET6, ip, buf, sizeof(buf));
				else
					continue;
				append(out, outlen, buf);
			} else if (pass == 1 && want_dns && gn->type == GEN_DNS) {
				const unsigned char *s = ASN1_STRING_get0_data(gn->d.dNSName);
				int len = ASN1_STRING_length(gn->d.dNSName);
				snprintf(buf, sizeof(buf), "%.*s", len, (const char *)s);
				for (char *c = buf; *c; c++)
					if (*c < 0x21 || *c > 0x7e)
						*c = '?';
				append(out, outlen, buf);
			}
		}
	}
	GENERAL_NAMES_free(names);
}

bool certinfo_host_is_ip(const char *host)
{
	unsigned char buf[16];
	return inet_pton(AF_INET, host, buf) == 1 || inet_pton(AF_INET6, host, buf) == 1;
}

bool certinfo_covers(X509 *cert, const char *host)
{
	/* X509_check_ip_asc looks at iPAddress SANs only: a DNS SAN "127.0.0.1" does not count,
	 * as in Go. */
	if (certinfo_host_is_ip(host))
		return X509_check_ip_asc(cert, host, 0) == 1;
	return X509_check_host(cert, host, 0, CERTINFO_HOST_FLAGS, NULL) == 1;
}

/* The subject's last CN (Go's Subject.CommonName keeps the last one), printable ASCII. */
static void subject_cn(X509 *cert, char *out, size_t outlen)
{
	const X509_NAME *n = X509_get_subject_name(cert);
	int i = -1, last = -1;
	out[0] = '\0';
	while ((i = X509_NAME_get_index_by_NID(n, NID_commonName, i)) >= 0)
		last = i;
	if (last < 0)
		return;
	const ASN1_STRING *v = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(n, last));
	snprintf(out, outlen, "%.*s", ASN1_STRING_length(v),
		 (const char *)ASN1_STRING_get0_data(v));
	for (char *c = out; *c; c++)
		if (*c < 0x20 || *c > 0x7e)
			*c = '?';
}

/* Go's matchHostnames: same number of labels, equal ignoring ASCII case, a leftmost "*"
 * matching any one label. Only used to word the legacy-CN case, as Go does. */
static bool go_match_hostnames(const char *pattern, const char *host)
{
	if (!pattern[0] || !host[0])
		return false;
	for (bool first = true;; first = false) {
		size_t pl = strcspn(pattern, "."), hl = strcspn(host, ".");
		bool star = first && pl == 1 && pattern[0] == '*';
		if (!star && (pl != hl || strncasecmp(pattern, host, pl) != 0))
			return false;
		pattern += pl;
		host += hl;
		if (!*pattern || !*host)
			return !*pattern && !*host;
		pattern++;
		host++;
	}
}

void certinfo_explain_name(X509 *cert, const char *host, char *out, size_t outlen)
{
	char ips[256], dns[256], cn[128], subject[256];
	bool has_san = X509_get_ext_by_NID(cert, NID_subject_alt_name, -1) >= 0;

	sans_list(cert, true, false, ips, sizeof(ips));
	sans_list(cert, false, true, dns, sizeof(dns));
	subject_cn(cert, cn, sizeof(cn));
	name_oneline(X509_get_subject_name(cert), subject, sizeof(subject));
	if (!has_san && go_match_hostnames(cn, host)) {
		snprintf(out, outlen, "certificate relies on legacy Common Name field, use SANs "
				      "instead (CN=%s, no subject alternative names)", cn);
		return;
	}
	bool ip = certinfo_host_is_ip(host);
	const char *valid = ip ? ips : dns, *other = ip ? dns : ips;
	if (valid[0]) {
		snprintf(out, outlen, "certificate is valid for %s, not %s", valid, host);
		return;
	}
	char presented[300];
	if (other[0])
		snprintf(presented, sizeof(presented), "%s SANs: %s", ip ? "DNS" : "IP", other);
	else
		snprintf(presented, sizeof(presented), "no subject alternative names; subject %s",
			 subject[0] ? subject : "empty");
	if (ip)
		snprintf(out, outlen, "cannot validate certificate for %s because it doesn't "
				      "contain any IP SANs (%s)", host, presented);
	else
		snprintf(out, outlen, "certificate is not valid for any names, but wanted to match "
				      "%s (%s)", host, presented);
}

static int asn1_to_time(const ASN1_TIME *t, time_t *ret)
{
	struct tm tm;
	if (!t || ASN1_TIME_to_tm(t, &tm) != 1)
		return -EINVAL;
	*ret = timegm(&tm);
	return 0;
}

int certinfo_read(X509 *cert, struct cert_facts *ret)
{
	struct cert_facts f = {0};

	name_oneline(X509_get_subject_name(cert), f.subject, sizeof(f.subject));
	name_oneline(X509_get_issuer_name(cert), f.issuer, sizeof(f.issuer));
	sans_list(cert, true, true, f.sans, sizeof(f.sans));
	if (asn1_to_time(X509_get0_notBefore(cert), &f.not_before) < 0 ||
	    asn1_to_time(X509_get0_notAfter(cert), &f.not_after) < 0)
		return -EINVAL;
	uint32_t flags = X509_get_extension_flags(cert);
	f.has_eku = (flags & EXFLAG_XKUSAGE) != 0;
	uint32_t xku = X509_get_extended_key_usage(cert);
	f.eku_server = !f.has_eku || (xku & XKU_SSL_SERVER);
	f.eku_client = !f.has_eku || (xku & XKU_SSL_CLIENT);
	*ret = f;
	return 0;
}

void certinfo_date(time_t t, char out[16])
{
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(out, 16, "%Y-%m-%d", &tm);
}

void certinfo_explain_verify(long verify_err, X509 *cert, const char *host, char *out,
			     size_t outlen)
{
	struct cert_facts f;
	bool have = cert && certinfo_read(cert, &f) == 0;
	char date[16];

	switch (verify_err) {
	case X509_V_ERR_HOSTNAME_MISMATCH:
	case X509_V_ERR_IP_ADDRESS_MISMATCH:
		if (cert)
			certinfo_explain_name(cert, host, out, outlen);
		else
			snprintf(out, outlen, "certificate is not valid for %s", host);
		return;
	case X509_V_ERR_CERT_HAS_EXPIRED:
		if (have) {
			certinfo_date(f.not_after, date);
			snprintf(out, outlen, "certificate expired %s (%s)", date, f.subject);
		} else {
			snprintf(out, outlen, "certificate has expired");
		}
		return;
	case X509_V_ERR_CERT_NOT_YET_VALID:
		if (have) {
			certinfo_date(f.not_before, date);
			snprintf(out, outlen, "certificate is not valid before %s (%s): check the "
					      "clocks", date, f.subject);
		} else {
			snprintf(out, outlen, "certificate is not yet valid");
		}
		return;
	case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
	case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
	case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
	case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
	case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
	case X509_V_ERR_CERT_SIGNATURE_FAILURE:
		if (have)
			snprintf(out, outlen, "certificate signed by unknown authority (issuer %s): "
					      "not the --cacert CA", f.issuer);
		else
			snprintf(out, outlen, "certificate signed by unknown authority");
		return;
	case X509_V_ERR_INVALID_PURPOSE:
		snprintf(out, outlen, "certificate is not allowed for serverAuth (extended key "
				      "usage)");
		return;
	default:
		snprintf(out, outlen, "certificate verify failed: %s",
			 X509_verify_cert_error_string(verify_err));
	}
}
