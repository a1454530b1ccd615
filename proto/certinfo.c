/* certinfo: certificate facts and verification-failure wording, shared by probe and diag. */
#include "proto/certinfo.h"

#include <arpa/inet.h>
#include <errno.h>
#include <openssl/asn1.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <string.h>

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

static void sans_list(X509 *cert, char *out, size_t outlen)
{
	GENERAL_NAMES *names = X509_get_ext_d2i(cert, NID_subject_alt_name, NULL, NULL);
	out[0] = '\0';
	if (!names)
		return;
	/* Go lists IP SANs and DNS SANs; keep the certificate's order within each kind, IPs first
	 * as Go does ("certificate is valid for 127.0.0.1, ..."). */
	for (int pass = 0; pass < 2; pass++) {
		for (int i = 0; i < sk_GENERAL_NAME_num(names); i++) {
			const GENERAL_NAME *gn = sk_GENERAL_NAME_value(names, i);
			char buf[256];
			if (pass == 0 && gn->type == GEN_IPADD) {
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
			} else if (pass == 1 && gn->type == GEN_DNS) {
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
	sans_list(cert, f.sans, sizeof(f.sans));
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
		if (have && f.sans[0])
			snprintf(out, outlen, "certificate is valid for %s, not %s", f.sans, host);
		else if (have)
			snprintf(out, outlen, "certificate has no subject alternative names (%s), "
					      "not valid for %s", f.subject, host);
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
