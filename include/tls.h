/*
 * tls.h: the server's TLS context and the identity of a client.
 *
 * Mutual TLS only: a client without a certificate, or with one that the
 * configured client CA did not issue, is refused in the handshake. The
 * role is the subject's organizationalUnitName (OU), the identity its
 * commonName (CN).
 */
#ifndef BISTAND_TLS_H
#define BISTAND_TLS_H

#include <stddef.h>

#include <openssl/ssl.h>

struct config;

enum tls_role {
	TLS_ROLE_NONE = 0,		/* no verified certificate */
	TLS_ROLE_ESERVICE = 1 << 0,
	TLS_ROLE_CASEWORKER = 1 << 1,
	TLS_ROLE_AUDITOR = 1 << 2,
	TLS_ROLE_OTHER = 1 << 3		/* verified, but an OU we do not
					   know, or more than one OU */
};
#define TLS_ROLES_ANY	(TLS_ROLE_ESERVICE | TLS_ROLE_CASEWORKER | \
			 TLS_ROLE_AUDITOR | TLS_ROLE_OTHER)

#define TLS_NAME_MAX	64		/* X.509 upper bound for CN and OU */

struct tls_peer {
	enum tls_role	role;
	char		cn[TLS_NAME_MAX + 1];
	char		ou[TLS_NAME_MAX + 1];
};

/* A new server context from the configuration: certificate chain, key
 * (checked against each other), client CA, TLS 1.2 or 1.3 minimum,
 * ciphers, client certificate required. NULL with err filled. */
SSL_CTX	*tls_ctx_new(const struct config *, char *err, size_t errlen);
/* The verified peer of a finished handshake. 0, or -1 when there is no
 * verified certificate (then p->role is TLS_ROLE_NONE). */
int	 tls_peer_get(SSL *ssl, struct tls_peer *p);
const char *tls_role_name(enum tls_role);
/* The oldest OpenSSL error as text, and clear the queue. */
const char *tls_error(char *buf, size_t len);

#endif
