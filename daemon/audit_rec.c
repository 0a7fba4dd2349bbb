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

/*
 * Byte classes for the syntax check: one table lookup per byte instead
 * of a chain of comparisons and strchr(), since replay checks every
 * byte of a trail of gigabytes at start-up. RC_PLAIN is rec_plain();
 * tests/check_audit.c holds the parser to the format on every byte.
 */
#define RC_PLAIN	0x01	/* a value byte written as it is */
#define RC_KEY		0x02	/* [a-z0-9_] */
#define RC_UHEX		0x04	/* [0-9A-F]: a %XX digit */
#define RC_LHEX		0x08	/* [0-9a-f]: a PREV digit */
#define RC_TYPE		0x10	/* [a-z-] */
#define RC_DIGIT	0x20	/* [0-9] */

/* The classes of byte c, as a constant expression, so the table below
 * is built by the compiler: no initialisation to run or to race. */
#define RC_IS_PLAIN(c)	(((c) >= 'A' && (c) <= 'Z') ||			\
	    ((c) >= 'a' && (c) <= 'z') || ((c) >= '0' && (c) <= '9') ||	\
	    (c) == '-' || (c) == '.' || (c) == '_' || (c) == '~' ||	\
	    (c) == ':' || (c) == ',' || (c) == '+' || (c) == '/' ||	\
	    (c) == '=' || (c) == '@')
#define RC_OF(c)	(unsigned char)(				\
	    (RC_IS_PLAIN(c) ? RC_PLAIN : 0) |				\
	    (((c) >= 'a' && (c) <= 'z') || ((c) >= '0' && (c) <= '9') ||	\
	    (c) == '_' ? RC_KEY : 0) |					\
	    (((c) >= '0' && (c) <= '9') || ((c) >= 'A' && (c) <= 'F') ?	\
	    RC_UHEX : 0) |						\
	    (((c) >= '0' && (c) <= '9') || ((c) >= 'a' && (c) <= 'f') ?	\
	    RC_LHEX : 0) |						\
	    (((c) >= 'a' && (c) <= 'z') || (c) == '-' ? RC_TYPE : 0) |	\
	    ((c) >= '0' && (c) <= '9' ? RC_DIGIT : 0))
#define RC_4(c)		RC_OF(c), RC_OF((c) + 1), RC_OF((c) + 2), RC_OF((c) + 3)
#define RC_16(c)	RC_4(c), RC_4((c) + 4), RC_4((c) + 8), RC_4((c) + 12)
#define RC_64(c)	RC_16(c), RC_16((c) + 16), RC_16((c) + 32),	\
			RC_16((c) + 48)

static const unsigned char rec_class[256] = {
	RC_64(0), RC_64(64), RC_64(128), RC_64(192)
};

static int
rec_time_ok(const unsigned char *t, size_t n)
{
	static const char shape[] = "dddd-dd-ddTdd:dd:dd.ddddddZ";
	size_t i;

	if (n != AUDIT_TIME_LEN)
		return 0;
	for (i = 0; i < n; i++)
		if (shape[i] == 'd' ? !(rec_class[t[i]] & RC_DIGIT) :
		    t[i] != (unsigned char)shape[i])
			return 0;
	return 1;
}

/*
 * Plain bytes and %XX from s[*i] up to a byte that is neither (left in
 * *i). 0 when a '%' is not followed by two uppercase hex digits before
 * n. The common case, eight plain bytes, is one branch: a base64
 * decision is kilobytes of them.
 */
static int
rec_encoded_run(const unsigned char *s, size_t n, size_t *i)
{
	size_t j = *i;

	for (;;) {
		while (j + 8 <= n && (rec_class[s[j]] & rec_class[s[j + 1]] &
		    rec_class[s[j + 2]] & rec_class[s[j + 3]] &
		    rec_class[s[j + 4]] & rec_class[s[j + 5]] &
		    rec_class[s[j + 6]] & rec_class[s[j + 7]] & RC_PLAIN))
			j += 8;
		while (j < n && (rec_class[s[j]] & RC_PLAIN))
			j++;
		if (j == n || s[j] != '%')
			break;
		if (j + 2 >= n || !(rec_class[s[j + 1]] & RC_UHEX) ||
		    !(rec_class[s[j + 2]] & RC_UHEX))
			return 0;
		j += 3;
	}
	*i = j;
	return 1;
}

/* An encoded value or actor: plain bytes and %XX only. */
static int
rec_encoded_ok(const unsigned char *s, size_t n)
{
	size_t i = 0;

	return rec_encoded_run(s, n, &i) && i == n;
}

/*
 * KEY=VALUE pairs joined by '&', in one pass: a key is a run of key
 * bytes ending in '=', its value the encoded run after it, which must
 * end at '&' (then another key must follow) or at the end. A '%' near
 * the value's end sees '&' (not a hex digit) as the value's end would.
 */
static int
rec_payload_ok(const unsigned char *p, size_t n)
{
	size_t i = 0, k;

	if (n == 0)
		return 1;
	for (;;) {
		for (k = i; k < n && (rec_class[p[k]] & RC_KEY); k++)
			;
		if (k == i || k == n || p[k] != '=')
			return 0;
		i = k + 1;
		if (!rec_encoded_run(p, n, &i))
			return 0;
		if (i == n)
			return 1;
		if (p[i] != '&')
			return 0;
		i++;
	}
}

/* The first field that breaks its syntax, as audit_parse names it, or
 * NULL; *seq the SEQ. */
static const char *
rec_fields_bad(const unsigned char *const f[6], const size_t fl[6],
    uint64_t *seq)
{
	size_t i;

	*seq = 0;
	if (fl[0] == 0 || fl[0] > 20 || f[0][0] == '0')
		return "bad SEQ";
	for (i = 0; i < fl[0]; i++) {
		if (!(rec_class[f[0][i]] & RC_DIGIT) ||
		    *seq > (UINT64_MAX - (uint64_t)(f[0][i] - '0')) / 10)
			return "bad SEQ";
		*seq = *seq * 10 + (uint64_t)(f[0][i] - '0');
	}
	if (!rec_time_ok(f[1], fl[1]))
		return "bad TIME";
	if (fl[2] == 0 || f[2][0] < 'a' || f[2][0] > 'z')
		return "bad TYPE";
	for (i = 0; i < fl[2]; i++)
		if (!(rec_class[f[2][i]] & RC_TYPE))
			return "bad TYPE";
	if (fl[3] == 0 || !rec_encoded_ok(f[3], fl[3]))
		return "bad ACTOR";
	if (fl[4] != 64)
		return "bad PREV";
	for (i = 0; i < 64; i++)
		if (!(rec_class[f[4][i]] & RC_LHEX))
			return "bad PREV";
	if (!rec_payload_ok(f[5], fl[5]))
		return "bad PAYLOAD";
	return NULL;
}

/*
 * Why line (ending in LF) is refused: split it at every TAB and LF as
 * the format counts fields, then the first bad field. Only for lines
 * the fast path refused, so it may walk the line byte by byte.
 */
static void
rec_refuse(const unsigned char *line, size_t len, char *why, size_t whylen)
{
	const unsigned char	*f[6];
	const char		*bad;
	size_t			 fl[6], i, nf = 0, start = 0;
	uint64_t		 seq;

	for (i = 0; i < len; i++) {
		if (line[i] != '\t' && line[i] != '\n')
			continue;
		if (nf == 6 || (line[i] == '\n' && i != len - 1)) {
			snprintf(why, whylen, "too many fields");
			return;
		}
		f[nf] = line + start;
		fl[nf++] = i - start;
		start = i + 1;
	}
	if (nf != 6) {
		snprintf(why, whylen, "%zu fields, not 6", nf);
		return;
	}
	bad = rec_fields_bad(f, fl, &seq);
	/* The fast path refused it, so some field is bad. */
	snprintf(why, whylen, "%s", bad != NULL ? bad : "bad record");
}

/*
 * The fast path finds the five TABs with memchr and leaves TABs and LFs
 * inside a field to the field checks, none of which accepts either
 * byte. So a line passes it exactly when it has six fields split by
 * TABs, one LF at the end and every field right: what the format says.
 * Anything it refuses goes to rec_refuse() for the reason.
 */
int
audit_parse(const char *line, size_t len, struct audit_record *r,
    char *why, size_t whylen)
{
	return audit_parse_md(line, len, r, NULL, NULL, why, whylen);
}

int
audit_parse_md(const char *line, size_t len, struct audit_record *r,
    EVP_MD_CTX *ctx, const EVP_MD *md, char *why, size_t whylen)
{
	const unsigned char	*p = (const unsigned char *)line, *f[6], *t;
	const unsigned char	*end;
	size_t			 fl[6], i;
	uint64_t		 seq;

	memset(r, 0, sizeof(*r));
	if (len == 0 || line[len - 1] != '\n') {
		snprintf(why, whylen, "record does not end in a line feed");
		return -1;
	}
	end = p + len - 1;		/* the LF */
	f[0] = p;
	for (i = 0; i < 5; i++) {
		if ((t = memchr(f[i], '\t', (size_t)(end - f[i]))) == NULL)
			goto refuse;
		fl[i] = (size_t)(t - f[i]);
		f[i + 1] = t + 1;
	}
	fl[5] = (size_t)(end - f[5]);
	if (rec_fields_bad(f, fl, &seq) != NULL)
		goto refuse;
	r->seq = seq;
	r->time = (const char *)f[1];
	r->type = (const char *)f[2];
	r->type_len = fl[2];
	r->actor = (const char *)f[3];
	r->actor_len = fl[3];
	r->prev = (const char *)f[4];
	r->payload = (const char *)f[5];
	r->payload_len = fl[5];
	r->line = line;
	r->len = len;
	/* A caller hashing a whole trail passes its own context; others
	 * get this thread's. Either way the same bytes. */
	if (ctx == NULL || md == NULL ||
	    EVP_DigestInit_ex(ctx, md, NULL) != 1 ||
	    EVP_DigestUpdate(ctx, line, len) != 1 ||
	    EVP_DigestFinal_ex(ctx, r->hash, NULL) != 1)
		audit_sha256(line, len, r->hash);
	return 0;
 refuse:
	rec_refuse(p, len, why, whylen);
	return -1;
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
audit_hexval(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * Percent-decode v[0..n) into out, NUL-terminated: 0, or -1 when the
 * result holds a NUL or does not fit in outlen - 1 bytes (out is then
 * left alone). This is what strndup + evhttp_uridecode(v, 0, …) did,
 * byte for byte — the value ends at a NUL, %XX with hex digits of
 * either case is one byte, any other '%' and '+' stay — without the
 * two mallocs per key that cost replay ~1 µs a record. The first pass
 * only measures, so a refused value writes nothing.
 */
static int
rec_decode(const char *v, size_t n, char *out, size_t outlen)
{
	const unsigned char	*s = (const unsigned char *)v;
	size_t			 i, j, len = strnlen(v, n);
	int			 pass, hi, lo, c;

	for (pass = 0; pass < 2; pass++) {
		for (i = j = 0; i < len; i++, j++) {
			c = s[i];
			if (c == '%' && i + 2 < len &&
			    (hi = audit_hexval(s[i + 1])) != -1 &&
			    (lo = audit_hexval(s[i + 2])) != -1) {
				c = hi << 4 | lo;
				i += 2;
			}
			if (pass == 0 && (c == '\0' || j + 1 >= outlen))
				return -1;
			if (pass == 1)
				out[j] = (char)c;
		}
		if (pass == 0 && j >= outlen)
			return -1;
	}
	out[j] = '\0';
	return 0;
}

int
audit_get(const struct audit_record *r, const char *key, char *out,
    size_t outlen)
{
	const char	*v;
	size_t		 n;

	if (audit_get_raw(r, key, &v, &n) == -1)
		return -1;
	return rec_decode(v, n, out, outlen);
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
