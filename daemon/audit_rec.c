/*
 * audit_rec.c: payload building, record formatting and strict parsing
 * (docs/audit-format.md, "A record").
 *
 * Parsing is strict on purpose: a record that is not exactly what the
 * writer produces is damage, not something to be lenient about.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/http.h>
#include <openssl/evp.h>
#include <openssl/sha.h>

#include "audit.h"

/* Bytes a value may carry unescaped. (Not NUL: strchr() finds the
 * terminator.) */
static int
rec_plain(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9') ||
	    (c != '\0' && strchr("-._~:,+/=@", c) != NULL);
}

static int
rec_hexdigit(char c, int upper)
{
	return (c >= '0' && c <= '9') ||
	    (upper ? (c >= 'A' && c <= 'F') : (c >= 'a' && c <= 'f'));
}

/* --- building ---------------------------------------------------- */

void
abuf_free(struct abuf *b)
{
	free(b->p);
	memset(b, 0, sizeof(*b));
}

static int
abuf_grow(struct abuf *b, size_t more)
{
	size_t	 cap;
	char	*p;

	if (b->oom)
		return -1;
	if (b->len + more + 1 <= b->cap)
		return 0;
	cap = b->cap ? b->cap : 256;
	while (cap < b->len + more + 1)
		cap *= 2;
	if ((p = realloc(b->p, cap)) == NULL) {
		b->oom = 1;
		return -1;
	}
	b->p = p;
	b->cap = cap;
	return 0;
}

void
abuf_put(struct abuf *b, const void *data, size_t n)
{
	if (abuf_grow(b, n) == -1)
		return;
	memcpy(b->p + b->len, data, n);
	b->len += n;
	b->p[b->len] = '\0';
}

void
abuf_kvn(struct abuf *b, const char *key, const char *val, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t	i, run;
	char	esc[3];

	if (b->len > 0)
		abuf_put(b, "&", 1);
	abuf_put(b, key, strlen(key));
	abuf_put(b, "=", 1);
	/* Runs of plain bytes are copied at once: a base64 decision is
	 * kilobytes of them, and byte-wise appends cost ~20 µs a request. */
	for (i = 0; i < n; i += run) {
		for (run = 0; i + run < n &&
		    rec_plain((unsigned char)val[i + run]); run++)
			;
		if (run > 0) {
			abuf_put(b, val + i, run);
			continue;
		}
		esc[0] = '%';
		esc[1] = hex[(unsigned char)val[i] >> 4];
		esc[2] = hex[(unsigned char)val[i] & 15];
		abuf_put(b, esc, 3);
		run = 1;
	}
}

void
abuf_kv(struct abuf *b, const char *key, const char *val)
{
	abuf_kvn(b, key, val, strlen(val));
}

void
abuf_kvf(struct abuf *b, const char *key, const char *fmt, ...)
{
	char	buf[512];
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	abuf_kv(b, key, buf);
}

void
abuf_kv_b64(struct abuf *b, const char *key, const void *data, size_t n)
{
	size_t	 need = 4 * ((n + 2) / 3) + 1;
	char	*tmp;
	int	 len;

	if ((tmp = malloc(need)) == NULL) {
		b->oom = 1;
		return;
	}
	len = EVP_EncodeBlock((unsigned char *)tmp, data, (int)n);
	abuf_kvn(b, key, tmp, (size_t)len);	/* base64 needs no escape */
	free(tmp);
}

void
audit_hex(const unsigned char *bin, size_t n, char *out)
{
	static const char hex[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = hex[bin[i] >> 4];
		out[2 * i + 1] = hex[bin[i] & 15];
	}
	out[2 * n] = '\0';
}

void
audit_time(char out[AUDIT_TIME_LEN + 1])
{
	struct timespec	ts;
	struct tm	tm;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(out, AUDIT_TIME_LEN + 1, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(out + 19, AUDIT_TIME_LEN + 1 - 19, ".%06uZ",
	    (unsigned)(ts.tv_nsec / 1000) % 1000000u);
}

void
audit_time_of(int64_t epoch, char out[32])
{
	time_t		t = (time_t)epoch;
	struct tm	tm;

	gmtime_r(&t, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

void
audit_actor(char *out, size_t outlen, const char *role, const char *cn)
{
	struct abuf b = { 0 };

	/* Reuse the value encoding; "x=" is cut off again. */
	abuf_kv(&b, "x", cn);
	snprintf(out, outlen, "%s:%s", role, b.oom ? "?" : b.p + 2);
	abuf_free(&b);
}

void
audit_format(struct abuf *out, uint64_t seq, const char *time,
    const char *type, const char *actor, const char *prev_hex,
    const char *payload, size_t payload_len)
{
	char head[64];
	int  n;

	n = snprintf(head, sizeof(head), "%llu\t", (unsigned long long)seq);
	abuf_put(out, head, (size_t)n);
	abuf_put(out, time, strlen(time));
	abuf_put(out, "\t", 1);
	abuf_put(out, type, strlen(type));
	abuf_put(out, "\t", 1);
	abuf_put(out, actor, strlen(actor));
	abuf_put(out, "\t", 1);
	abuf_put(out, prev_hex, 64);
	abuf_put(out, "\t", 1);
	abuf_put(out, payload, payload_len);
	abuf_put(out, "\n", 1);
}

/* --- parsing ----------------------------------------------------- */

static int
rec_time_ok(const char *t, size_t n)
{
	static const char shape[] = "dddd-dd-ddTdd:dd:dd.ddddddZ";
	size_t i;

	if (n != AUDIT_TIME_LEN)
		return 0;
	for (i = 0; i < n; i++)
		if (shape[i] == 'd' ? !(t[i] >= '0' && t[i] <= '9') :
		    t[i] != shape[i])
			return 0;
	return 1;
}

/* An encoded value or actor: plain bytes and %XX only. */
static int
rec_encoded_ok(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (s[i] == '%') {
			if (i + 2 >= n || !rec_hexdigit(s[i + 1], 1) ||
			    !rec_hexdigit(s[i + 2], 1))
				return 0;
			i += 2;
		} else if (!rec_plain((unsigned char)s[i]))
			return 0;
	}
	return 1;
}

static int
rec_payload_ok(const char *p, size_t n)
{
	size_t	 i = 0, k, v;

	if (n == 0)
		return 1;
	while (i <= n) {
		for (k = i; k < n && ((p[k] >= 'a' && p[k] <= 'z') ||
		    (p[k] >= '0' && p[k] <= '9') || p[k] == '_'); k++)
			;
		if (k == i || k == n || p[k] != '=')
			return 0;
		for (v = k + 1; v < n && p[v] != '&'; v++)
			;
		if (!rec_encoded_ok(p + k + 1, v - k - 1))
			return 0;
		if (v == n)
			return 1;
		i = v + 1;
	}
	return 0;
}

int
audit_parse(const char *line, size_t len, struct audit_record *r,
    char *why, size_t whylen)
{
	const char	*f[6];
	size_t		 fl[6], i, nf = 0, start = 0;
	uint64_t	 seq = 0;

	memset(r, 0, sizeof(*r));
	if (len == 0 || line[len - 1] != '\n') {
		snprintf(why, whylen, "record does not end in a line feed");
		return -1;
	}
	for (i = 0; i < len; i++) {
		if (line[i] != '\t' && line[i] != '\n')
			continue;
		if (nf == 6 || (line[i] == '\n' && i != len - 1)) {
			snprintf(why, whylen, "too many fields");
			return -1;
		}
		f[nf] = line + start;
		fl[nf++] = i - start;
		start = i + 1;
	}
	if (nf != 6) {
		snprintf(why, whylen, "%zu fields, not 6", nf);
		return -1;
	}
	if (fl[0] == 0 || fl[0] > 20 || (f[0][0] == '0')) {
		snprintf(why, whylen, "bad SEQ");
		return -1;
	}
	for (i = 0; i < fl[0]; i++) {
		if (f[0][i] < '0' || f[0][i] > '9' ||
		    seq > (UINT64_MAX - (uint64_t)(f[0][i] - '0')) / 10) {
			snprintf(why, whylen, "bad SEQ");
			return -1;
		}
		seq = seq * 10 + (uint64_t)(f[0][i] - '0');
	}
	if (!rec_time_ok(f[1], fl[1])) {
		snprintf(why, whylen, "bad TIME");
		return -1;
	}
	if (fl[2] == 0 || f[2][0] < 'a' || f[2][0] > 'z') {
		snprintf(why, whylen, "bad TYPE");
		return -1;
	}
	for (i = 0; i < fl[2]; i++)
		if (!((f[2][i] >= 'a' && f[2][i] <= 'z') || f[2][i] == '-')) {
			snprintf(why, whylen, "bad TYPE");
			return -1;
		}
	if (fl[3] == 0 || !rec_encoded_ok(f[3], fl[3])) {
		snprintf(why, whylen, "bad ACTOR");
		return -1;
	}
	if (fl[4] != 64) {
		snprintf(why, whylen, "bad PREV");
		return -1;
	}
	for (i = 0; i < 64; i++)
		if (!rec_hexdigit(f[4][i], 0)) {
			snprintf(why, whylen, "bad PREV");
			return -1;
		}
	if (!rec_payload_ok(f[5], fl[5])) {
		snprintf(why, whylen, "bad PAYLOAD");
		return -1;
	}
	r->seq = seq;
	r->time = f[1];
	r->type = f[2];
	r->type_len = fl[2];
	r->actor = f[3];
	r->actor_len = fl[3];
	r->prev = f[4];
	r->payload = f[5];
	r->payload_len = fl[5];
	r->line = line;
	r->len = len;
	SHA256((const unsigned char *)line, len, r->hash);
	return 0;
}

int
audit_is(const struct audit_record *r, const char *type)
{
	return r->type_len == strlen(type) &&
	    memcmp(r->type, type, r->type_len) == 0;
}

int
audit_get_raw(const struct audit_record *r, const char *key,
    const char **val, size_t *len)
{
	const char	*p = r->payload, *end = r->payload + r->payload_len;
	const char	*amp;
	size_t		 kl = strlen(key);

	while (p < end) {
		if ((amp = memchr(p, '&', (size_t)(end - p))) == NULL)
			amp = end;
		if ((size_t)(amp - p) > kl && memcmp(p, key, kl) == 0 &&
		    p[kl] == '=') {
			*val = p + kl + 1;
			*len = (size_t)(amp - *val);
			return 0;
		}
		p = amp + 1;
	}
	return -1;
}

int
audit_get(const struct audit_record *r, const char *key, char *out,
    size_t outlen)
{
	const char	*v;
	char		*enc, *dec;
	size_t		 n, dn;

	if (audit_get_raw(r, key, &v, &n) == -1)
		return -1;
	if ((enc = strndup(v, n)) == NULL)
		return -1;
	dec = evhttp_uridecode(enc, 0, &dn);
	free(enc);
	if (dec == NULL)
		return -1;
	if (dn >= outlen || strlen(dec) != dn) {
		free(dec);
		return -1;
	}
	memcpy(out, dec, dn + 1);
	free(dec);
	return 0;
}

int
audit_get_u64(const struct audit_record *r, const char *key, uint64_t *out)
{
	char			 buf[24], *end;
	unsigned long long	 v;

	if (audit_get(r, key, buf, sizeof(buf)) == -1 || buf[0] < '0' ||
	    buf[0] > '9')
		return -1;
	/* strtoull() saturates on overflow; that is not the value. */
	errno = 0;
	v = strtoull(buf, &end, 10);
	if (*end != '\0' || errno == ERANGE)
		return -1;
	*out = v;
	return 0;
}

int
audit_get_b64(const struct audit_record *r, const char *key, char **out,
    size_t *outlen)
{
	const char	*v;
	size_t		 n, pad = 0;
	unsigned char	*buf;
	int		 len;

	if (audit_get_raw(r, key, &v, &n) == -1 || n % 4 != 0 ||
	    n > INT32_MAX)
		return -1;
	if ((buf = malloc(n / 4 * 3 + 1)) == NULL)
		return -1;
	if ((len = EVP_DecodeBlock(buf, (const unsigned char *)v,
	    (int)n)) < 0) {
		free(buf);
		return -1;
	}
	/* EVP_DecodeBlock counts the padding as zero bytes. */
	if (n >= 1 && v[n - 1] == '=')
		pad++;
	if (n >= 2 && v[n - 2] == '=')
		pad++;
	*outlen = (size_t)len - pad;
	buf[*outlen] = '\0';
	*out = (char *)buf;
	return 0;
}
