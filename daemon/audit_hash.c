/*
 * audit_hash.c: SHA-256 and HMAC-SHA256 with contexts reused per thread.
 *
 * OpenSSL 3's one-shot SHA256() and HMAC() fetch the algorithm from the
 * provider and allocate a context on every call; on the intake path
 * (body hash, pseudonyms, every record the writer chains, every record
 * read back) that fetch and allocation cost more than hashing a few
 * kilobytes. Here the algorithms are fetched once per process and each
 * thread keeps one digest and one MAC context, freed by the thread-key
 * destructor when the thread ends (the main thread's stay reachable
 * until exit). Should any of it fail, the one-shot functions give the
 * same bytes, so a caller never sees the difference.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/params.h>
#include <openssl/sha.h>

#include "audit.h"

struct hash_tls {
	EVP_MD_CTX	*md;
	EVP_MAC_CTX	*mac;
};

static pthread_once_t	 hash_once = PTHREAD_ONCE_INIT;
static pthread_key_t	 hash_key;
static int		 hash_ok;
static EVP_MD		*hash_sha256;	/* fetched once, for the process */
static EVP_MAC		*hash_hmac;

static void
hash_tls_free(void *p)
{
	struct hash_tls *t = p;

	EVP_MD_CTX_free(t->md);
	EVP_MAC_CTX_free(t->mac);
	free(t);
}

static void
hash_init(void)
{
	if (pthread_key_create(&hash_key, hash_tls_free) != 0)
		return;
	hash_sha256 = EVP_MD_fetch(NULL, "SHA256", NULL);
	hash_hmac = EVP_MAC_fetch(NULL, "HMAC", NULL);
	hash_ok = hash_sha256 != NULL && hash_hmac != NULL;
}

/* This thread's contexts, made on first use; NULL if that failed. */
static struct hash_tls *
hash_tls(void)
{
	struct hash_tls	*t;
	OSSL_PARAM	 params[2];

	if (pthread_once(&hash_once, hash_init) != 0 || !hash_ok)
		return NULL;
	if ((t = pthread_getspecific(hash_key)) != NULL)
		return t;
	if ((t = calloc(1, sizeof(*t))) == NULL)
		return NULL;
	/* The MAC's digest is set once: given to every EVP_MAC_init it
	 * would be fetched again each time. */
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
	    (char *)"SHA256", 0);
	params[1] = OSSL_PARAM_construct_end();
	t->md = EVP_MD_CTX_new();
	t->mac = EVP_MAC_CTX_new(hash_hmac);
	if (t->md == NULL || t->mac == NULL ||
	    EVP_MAC_CTX_set_params(t->mac, params) != 1 ||
	    pthread_setspecific(hash_key, t) != 0) {
		hash_tls_free(t);
		return NULL;
	}
	return t;
}

void
audit_sha256(const void *p, size_t n, unsigned char out[32])
{
	struct hash_tls *t = hash_tls();

	if (t == NULL || EVP_DigestInit_ex2(t->md, hash_sha256, NULL) != 1 ||
	    EVP_DigestUpdate(t->md, p, n) != 1 ||
	    EVP_DigestFinal_ex(t->md, out, NULL) != 1)
		SHA256(p, n, out);
}

int
audit_hmac_sha256(const unsigned char *key, size_t keylen, const void *p,
    size_t n, unsigned char out[32])
{
	struct hash_tls	*t = hash_tls();
	size_t		 outlen = 0;
	unsigned int	 len = 32;

	if (t != NULL && EVP_MAC_init(t->mac, key, keylen, NULL) == 1 &&
	    EVP_MAC_update(t->mac, p, n) == 1 &&
	    EVP_MAC_final(t->mac, out, &outlen, 32) == 1 && outlen == 32)
		return 0;
	return HMAC(EVP_sha256(), key, (int)keylen, p, n, out, &len) ==
	    NULL || len != 32 ? -1 : 0;
}
