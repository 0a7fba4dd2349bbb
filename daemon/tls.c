/*
 * tls.c: SSL_CTX for the listener, and who is on the other end.
 */
#include <stdio.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "config.h"
#include "tls.h"

/* TLS 1.3 suites: all AEAD; OpenSSL's default order is fine. */
#define TLS13_SUITES \
	"TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:" \
	"TLS_CHACHA20_POLY1305_SHA256"

const char *
tls_error(char *buf, size_t len)
{
	unsigned long e = ERR_get_error();

	if (e == 0)
		snprintf(buf, len, "unknown TLS error");
	else
		ERR_error_string_n(e, buf, len);
	ERR_clear_error();
	return buf;
}

SSL_CTX *
tls_ctx_new(const struct config *c, char *err, size_t errlen)
{
	SSL_CTX		*ctx = NULL;
	STACK_OF(X509_NAME) *cas = NULL;
	char		 eb[256];
	const char	*what;

	ERR_clear_error();
	what = "creating the TLS context";
	if ((ctx = SSL_CTX_new(TLS_server_method())) == NULL)
		goto err;
	what = "setting the TLS versions";
	if (!SSL_CTX_set_min_proto_version(ctx, c->tls_min_version) ||
	    !SSL_CTX_set_max_proto_version(ctx, TLS1_3_VERSION))
		goto err;
	/* No renegotiation (a DoS lever and pointless with TLS 1.3), no
	 * compression (CRIME); the server picks the cipher. */
	SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION |
	    SSL_OP_NO_COMPRESSION | SSL_OP_CIPHER_SERVER_PREFERENCE);
	/* Idle connections should not each hold 2 × 16 KiB of buffers. */
	SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS);
	what = "tls_ciphers";
	if (!SSL_CTX_set_cipher_list(ctx, c->tls_ciphers) ||
	    !SSL_CTX_set_ciphersuites(ctx, TLS13_SUITES))
		goto err;
	what = c->tls_certificate;
	if (!SSL_CTX_use_certificate_chain_file(ctx, c->tls_certificate))
		goto err;
	what = c->tls_key;
	if (!SSL_CTX_use_PrivateKey_file(ctx, c->tls_key, SSL_FILETYPE_PEM))
		goto err;
	what = "tls_key does not match tls_certificate";
	if (!SSL_CTX_check_private_key(ctx))
		goto err;
	what = c->tls_client_ca;
	if (!SSL_CTX_load_verify_locations(ctx, c->tls_client_ca, NULL))
		goto err;
	if ((cas = SSL_load_client_CA_file(c->tls_client_ca)) == NULL)
		goto err;
	SSL_CTX_set_client_CA_list(ctx, cas);	/* ctx owns cas now */
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER |
	    SSL_VERIFY_FAIL_IF_NO_PEER_CERT | SSL_VERIFY_CLIENT_ONCE, NULL);
	SSL_CTX_set_verify_depth(ctx, 4);
	/* Required for session resumption when clients are verified. */
	what = "setting the session id context";
	if (!SSL_CTX_set_session_id_context(ctx,
	    (const unsigned char *)"bistandd", 8))
		goto err;
	return ctx;
 err:
	snprintf(err, errlen, "%s: %s", what, tls_error(eb, sizeof(eb)));
	SSL_CTX_free(ctx);
	return NULL;
}

/* The single value of an attribute in name; 1 found once, 0 absent,
 * -1 present more than once or unreadable. */
static int
tls_name_entry(X509_NAME *name, int nid, char *out, size_t outlen)
{
	int		 i, n;
	X509_NAME_ENTRY	*ent;
	ASN1_STRING	*data;
	unsigned char	*utf8 = NULL;

	if ((i = X509_NAME_get_index_by_NID(name, nid, -1)) < 0)
		return 0;
	if (X509_NAME_get_index_by_NID(name, nid, i) >= 0)
		return -1;
	ent = X509_NAME_get_entry(name, i);
	data = X509_NAME_ENTRY_get_data(ent);
	if ((n = ASN1_STRING_to_UTF8(&utf8, data)) < 0)
		return -1;
	if ((size_t)n >= outlen || memchr(utf8, '\0', (size_t)n) != NULL) {
		OPENSSL_free(utf8);
		return -1;
	}
	/* A name goes into logs, the trail and decision documents: no
	 * control characters (they would make a document not XML). */
	for (i = 0; i < n; i++)
		if (utf8[i] < 0x20 || utf8[i] == 0x7f) {
			OPENSSL_free(utf8);
			return -1;
		}
	memcpy(out, utf8, (size_t)n);
	out[n] = '\0';
	OPENSSL_free(utf8);
	return 1;
}

int
tls_peer_get(SSL *ssl, struct tls_peer *p)
{
	X509		*cert;
	X509_NAME	*subj;
	int		 ou;

	memset(p, 0, sizeof(*p));
	cert = SSL_get0_peer_certificate(ssl);
	if (cert == NULL || SSL_get_verify_result(ssl) != X509_V_OK)
		return -1;
	subj = X509_get_subject_name(cert);
	if (tls_name_entry(subj, NID_commonName, p->cn, sizeof(p->cn)) != 1)
		strcpy(p->cn, "-");
	ou = tls_name_entry(subj, NID_organizationalUnitName, p->ou,
	    sizeof(p->ou));
	p->role = TLS_ROLE_OTHER;
	if (ou == 1) {
		if (strcmp(p->ou, "eservice") == 0)
			p->role = TLS_ROLE_ESERVICE;
		else if (strcmp(p->ou, "caseworker") == 0)
			p->role = TLS_ROLE_CASEWORKER;
		else if (strcmp(p->ou, "auditor") == 0)
			p->role = TLS_ROLE_AUDITOR;
	}
	return 0;
}

const char *
tls_role_name(enum tls_role r)
{
	switch (r) {
	case TLS_ROLE_ESERVICE:		return "eservice";
	case TLS_ROLE_CASEWORKER:	return "caseworker";
	case TLS_ROLE_AUDITOR:		return "auditor";
	case TLS_ROLE_OTHER:		return "other";
	default:			return "none";
	}
}
