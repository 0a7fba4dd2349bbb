/*
 * audit_key.c: the checkpoint signing key (Ed25519) and the key of the
 * person pseudonyms (HMAC-SHA256), both kept in the state directory.
 *
 * Made on first start with mode 0600 (written to a temporary file,
 * fsync'ed and renamed, so a crash never leaves half a key); the public
 * key is exported beside it for auditors.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include "audit.h"

#define KEY_PRIV	"audit-key.pem"
#define KEY_PUB		"audit-key.pub"
#define KEY_PERSON	"person.key"

/* Write data to dir/name atomically with the given mode. */
static int
key_write(const char *dir, const char *name, const void *data, size_t len,
    mode_t mode, char *err, size_t errlen)
{
	char	path[4096], tmp[4200];
	int	fd = -1, dfd = -1;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	    mode)) == -1 || write(fd, data, len) != (ssize_t)len ||
	    fsync(fd) == -1 || close(fd) == -1) {
		snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
		if (fd != -1)
			close(fd);
		return -1;
	}
	if (rename(tmp, path) == -1) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) != -1) {
		fsync(dfd);
		close(dfd);
	}
	return 0;
}

static int
key_fingerprint(struct audit_keys *k)
{
	unsigned char	*der = NULL, md[32];
	int		 n;

	if ((n = i2d_PUBKEY(k->pub, &der)) <= 0)
		return -1;
	SHA256(der, (size_t)n, md);
	OPENSSL_free(der);
	audit_hex(md, 32, k->fpr);
	return 0;
}

/* PEM text of a key, in a malloc'ed buffer. */
static char *
key_pem(EVP_PKEY *pk, int private, size_t *len)
{
	BIO	*b;
	char	*data, *out = NULL;
	long	 n;

	if ((b = BIO_new(BIO_s_mem())) == NULL)
		return NULL;
	if ((private ? PEM_write_bio_PrivateKey(b, pk, NULL, NULL, 0, NULL,
	    NULL) : PEM_write_bio_PUBKEY(b, pk)) == 1 &&
	    (n = BIO_get_mem_data(b, &data)) > 0 &&
	    (out = malloc((size_t)n)) != NULL) {
		memcpy(out, data, (size_t)n);
		*len = (size_t)n;
	}
	BIO_free(b);
	return out;
}

static EVP_PKEY *
key_read(const char *path, int private)
{
	FILE		*f;
	EVP_PKEY	*pk;

	if ((f = fopen(path, "r")) == NULL)
		return NULL;
	pk = private ? PEM_read_PrivateKey(f, NULL, NULL, NULL) :
	    PEM_read_PUBKEY(f, NULL, NULL, NULL);
	fclose(f);
	return pk;
}

static int
key_create(const char *dir, struct audit_keys *k, char *err, size_t errlen)
{
	EVP_PKEY_CTX	*ctx = NULL;
	char		*pem = NULL;
	size_t		 len;
	int		 rc = -1;

	if ((ctx = EVP_PKEY_CTX_new_id(EVP_PKEY_ED25519, NULL)) == NULL ||
	    EVP_PKEY_keygen_init(ctx) <= 0 ||
	    EVP_PKEY_keygen(ctx, &k->priv) <= 0) {
		snprintf(err, errlen, "cannot generate the Ed25519 key");
		goto out;
	}
	if ((pem = key_pem(k->priv, 1, &len)) == NULL ||
	    key_write(dir, KEY_PRIV, pem, len, 0600, err, errlen) == -1)
		goto out;
	free(pem);
	if ((pem = key_pem(k->priv, 0, &len)) == NULL ||
	    key_write(dir, KEY_PUB, pem, len, 0644, err, errlen) == -1)
		goto out;
	rc = 0;
 out:
	if (rc == -1 && err[0] == '\0')
		snprintf(err, errlen, "cannot write the audit key");
	free(pem);
	EVP_PKEY_CTX_free(ctx);
	return rc;
}

int
audit_keys_open(const char *dir, int create, struct audit_keys **out,
    char *err, size_t errlen)
{
	struct audit_keys	*k;
	char			 path[4096];
	FILE			*f;

	err[0] = '\0';
	if ((k = calloc(1, sizeof(*k))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	snprintf(path, sizeof(path), "%s/%s", dir, KEY_PRIV);
	if ((k->priv = key_read(path, 1)) == NULL) {
		if (!create || access(path, F_OK) == 0) {
			snprintf(err, errlen, "%s: cannot read the audit key",
			    path);
			goto err;
		}
		if (key_create(dir, k, err, errlen) == -1)
			goto err;
	}
	if (EVP_PKEY_get_id(k->priv) != EVP_PKEY_ED25519) {
		snprintf(err, errlen, "%s: not an Ed25519 key", path);
		goto err;
	}
	/* The public key is the private key's; the file is for others. */
	if (EVP_PKEY_up_ref(k->priv) != 1)
		goto err;
	k->pub = k->priv;
	if (key_fingerprint(k) == -1)
		goto err;
	snprintf(path, sizeof(path), "%s/%s", dir, KEY_PERSON);
	if ((f = fopen(path, "rb")) != NULL) {
		k->has_person = fread(k->person, 1, 32, f) == 32 &&
		    fgetc(f) == EOF;
		fclose(f);
		if (!k->has_person) {
			snprintf(err, errlen, "%s: not exactly 32 bytes", path);
			goto err;
		}
	} else if (create) {
		if (RAND_bytes(k->person, 32) != 1 ||
		    key_write(dir, KEY_PERSON, k->person, 32, 0600, err,
		    errlen) == -1)
			goto err;
		k->has_person = 1;
	}
	*out = k;
	return 0;
 err:
	if (err[0] == '\0')
		snprintf(err, errlen, "%s: audit keys unusable", dir);
	audit_keys_free(k);
	return -1;
}

int
audit_keys_open_pub(const char *pubpath, struct audit_keys **out, char *err,
    size_t errlen)
{
	struct audit_keys *k;

	if ((k = calloc(1, sizeof(*k))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if ((k->pub = key_read(pubpath, 0)) == NULL ||
	    EVP_PKEY_get_id(k->pub) != EVP_PKEY_ED25519 ||
	    key_fingerprint(k) == -1) {
		snprintf(err, errlen, "%s: not an Ed25519 public key",
		    pubpath);
		audit_keys_free(k);
		return -1;
	}
	*out = k;
	return 0;
}

void
audit_keys_free(struct audit_keys *k)
{
	if (k == NULL)
		return;
	EVP_PKEY_free(k->priv);
	EVP_PKEY_free(k->pub);
	OPENSSL_cleanse(k->person, sizeof(k->person));
	free(k);
}

void
audit_cp_message(struct abuf *b, uint64_t seq, const char *time,
    uint64_t head_seq, const char *head, const char *fpr)
{
	char line[128];
	int  n;

	abuf_put(b, "bistandd-checkpoint-v1\n", 23);
	n = snprintf(line, sizeof(line), "%llu\n", (unsigned long long)seq);
	abuf_put(b, line, (size_t)n);
	abuf_put(b, time, strlen(time));
	n = snprintf(line, sizeof(line), "\n%llu\n",
	    (unsigned long long)head_seq);
	abuf_put(b, line, (size_t)n);
	abuf_put(b, head, 64);
	abuf_put(b, "\n", 1);
	abuf_put(b, fpr, 64);
	abuf_put(b, "\n", 1);
}

int
audit_sign(const struct audit_keys *k, const void *msg, size_t len,
    char sighex[129])
{
	EVP_MD_CTX	*ctx;
	unsigned char	 sig[64];
	size_t		 slen = sizeof(sig);
	int		 rc = -1;

	if (k->priv == NULL || (ctx = EVP_MD_CTX_new()) == NULL)
		return -1;
	if (EVP_DigestSignInit(ctx, NULL, NULL, NULL, k->priv) == 1 &&
	    EVP_DigestSign(ctx, sig, &slen, msg, len) == 1 && slen == 64) {
		audit_hex(sig, 64, sighex);
		rc = 0;
	}
	EVP_MD_CTX_free(ctx);
	return rc;
}

int
audit_verify(const struct audit_keys *k, const void *msg, size_t len,
    const char *sighex)
{
	EVP_MD_CTX	*ctx;
	unsigned char	 sig[64];
	int		 i, hi, lo, rc = -1;

	if (strlen(sighex) != 128)
		return -1;
	for (i = 0; i < 64; i++) {
		hi = sighex[2 * i];
		lo = sighex[2 * i + 1];
		hi = hi >= 'a' && hi <= 'f' ? hi - 'a' + 10 :
		    hi >= '0' && hi <= '9' ? hi - '0' : -1;
		lo = lo >= 'a' && lo <= 'f' ? lo - 'a' + 10 :
		    lo >= '0' && lo <= '9' ? lo - '0' : -1;
		if (hi < 0 || lo < 0)
			return -1;
		sig[i] = (unsigned char)(hi << 4 | lo);
	}
	if ((ctx = EVP_MD_CTX_new()) == NULL)
		return -1;
	if (EVP_DigestVerifyInit(ctx, NULL, NULL, NULL, k->pub) == 1 &&
	    EVP_DigestVerify(ctx, sig, 64, msg, len) == 1)
		rc = 0;
	EVP_MD_CTX_free(ctx);
	ERR_clear_error();
	return rc;
}

int
audit_pseudonym(const struct audit_keys *k, const char *pnr,
    char out[AUDIT_PSEUDO_LEN])
{
	unsigned char	md[32];

	if (!k->has_person || audit_hmac_sha256(k->person, 32, pnr,
	    strlen(pnr), md) == -1)
		return -1;
	audit_hex(md, 16, out);
	return 0;
}
