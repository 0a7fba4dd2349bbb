/*
 * check_audit.c: the audit trail — the record codec, the keys and the
 * person pseudonyms, the verifying scan (chain, checkpoints, torn tail
 * versus damage) and the writer thread (group commit, documents,
 * checkpoints, restart, torn-tail recovery, write failure and
 * self-recovery).
 *
 * Expected values come from docs/audit-format.md and are computed here
 * independently where the format allows it (SHA-256 of the line, the
 * DER fingerprint, the HMAC pseudonym, the signed message), not by
 * asking the code under test.
 */
#include <check.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>
#include <event2/http.h>
#include <event2/thread.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>
#include <openssl/sha.h>
#include <openssl/x509.h>

#include "audit.h"

#define T0	"2026-11-22T10:00:00.000000Z"
#define Z64	"0000000000000000000000000000000000000000000000000000000000000000"
#define P64	"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define RULESET	"5d41402abc4b2a76b9719d911017c592aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
/* The bytes a value carries unescaped (docs/audit-format.md). */
#define PLAIN	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz" \
		"0123456789-._~:,+/=@"

static char			 dir[] = "/tmp/check_audit.XXXXXX";
static char			 trail[256];
static struct audit_keys	*keys;		/* scan and writer tests */

/* --- helpers ----------------------------------------------------- */

static void
setup(void)
{
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(trail, sizeof(trail), "%s/" AUDIT_TRAIL, dir);
}

static void
teardown(void)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	ck_assert_int_eq(system(cmd), 0);
	strcpy(dir, "/tmp/check_audit.XXXXXX");
}

static void
setup_keys(void)
{
	char err[512];

	setup();
	if (audit_keys_open(dir, 1, &keys, err, sizeof(err)) != 0)
		ck_abort_msg("audit_keys_open: %s", err);
}

static void
teardown_keys(void)
{
	audit_keys_free(keys);
	keys = NULL;
	teardown();
}

static void
hex(const unsigned char *bin, size_t n, char *out)
{
	size_t i;

	for (i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", bin[i]);
	out[2 * n] = '\0';
}

/* SHA-256 in lowercase hex, through the EVP interface. */
static void
sha_hex(const void *data, size_t len, char out[AUDIT_HEX])
{
	unsigned char	md[32];
	unsigned int	mdlen = 0;

	ck_assert_int_eq(EVP_Digest(data, len, md, &mdlen, EVP_sha256(),
	    NULL), 1);
	ck_assert_uint_eq(mdlen, 32);
	hex(md, 32, out);
}

static void
put_file(const char *path, const void *data, size_t len, const char *mode)
{
	FILE *f = fopen(path, mode);

	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(data, 1, len, f), len);
	ck_assert_int_eq(fclose(f), 0);
}

/* The whole file, NUL-terminated; NULL (len 0) when missing. */
static char *
slurp(const char *path, size_t *len)
{
	FILE	*f = fopen(path, "rb");
	char	*b;
	long	 n;

	*len = 0;
	if (f == NULL)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	ck_assert_ptr_nonnull(b = malloc((size_t)n + 1));
	ck_assert_uint_eq(fread(b, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	b[n] = '\0';
	*len = (size_t)n;
	return b;
}

static off_t
file_size(const char *path)
{
	struct stat sb;

	return stat(path, &sb) == -1 ? -1 : sb.st_size;
}

/* A trail built by hand: every record with the next SEQ and the hash
 * of the one before as PREV, TIME fixed at T0. */
struct trail {
	struct abuf	 buf;
	uint64_t	 seq;
	char		 head[AUDIT_HEX];
	off_t		 off[64];	/* by SEQ */
};

static void
tr_init(struct trail *t)
{
	memset(t, 0, sizeof(*t));
	memcpy(t->head, Z64, sizeof(t->head));
}

static void
tr_add_prev(struct trail *t, uint64_t seq, const char *type,
    const char *actor, const char *prev, const char *payload)
{
	size_t start = t->buf.len;

	t->seq = seq;
	if (seq < 64)
		t->off[seq] = (off_t)start;
	audit_format(&t->buf, seq, T0, type, actor, prev, payload,
	    strlen(payload));
	ck_assert_int_eq(t->buf.oom, 0);
	sha_hex(t->buf.p + start, t->buf.len - start, t->head);
}

static void
tr_add(struct trail *t, const char *type, const char *actor,
    const char *payload)
{
	char prev[AUDIT_HEX];

	memcpy(prev, t->head, sizeof(prev));
	tr_add_prev(t, t->seq + 1, type, actor, prev, payload);
}

/* How to (mis)make a checkpoint; zero: a correct one. */
struct cpopt {
	const struct audit_keys	*signer;	/* NULL: keys */
	const char		*actor;
	int			 head_delta;	/* head_seq = seq - 1 + this */
	const char		*head;		/* NULL: the right one */
	const char		*alg;
	const char		*fpr;		/* key=, NULL: signer's */
	const char		*msg_time;	/* signed TIME, NULL: T0 */
	int			 flip;		/* change one signature digit */
	int			 upper;		/* signature in uppercase */
	int			 no_sig;
};

static void
tr_cp(struct trail *t, const struct cpopt *o)
{
	static const struct cpopt	 none;
	const struct audit_keys		*k;
	struct abuf			 msg = { 0 }, pl = { 0 };
	char				 sig[129], head[AUDIT_HEX];
	uint64_t			 hs;
	size_t				 i;

	if (o == NULL)
		o = &none;
	k = o->signer ? o->signer : keys;
	hs = t->seq + (uint64_t)(int64_t)o->head_delta;
	memcpy(head, o->head ? o->head : t->head, sizeof(head));
	audit_cp_message(&msg, t->seq + 1, o->msg_time ? o->msg_time : T0,
	    hs, head, o->fpr ? o->fpr : k->fpr);
	ck_assert_int_eq(audit_sign(k, msg.p, msg.len, sig), 0);
	if (o->flip)
		sig[10] = sig[10] == '0' ? '1' : '0';
	for (i = 0; o->upper && sig[i] != '\0'; i++)
		sig[i] = (char)toupper((unsigned char)sig[i]);
	abuf_kvf(&pl, "head_seq", "%llu", (unsigned long long)hs);
	abuf_kv(&pl, "head", head);
	abuf_kv(&pl, "alg", o->alg ? o->alg : "ed25519");
	abuf_kv(&pl, "key", o->fpr ? o->fpr : k->fpr);
	if (!o->no_sig)
		abuf_kv(&pl, "sig", sig);
	tr_add(t, "checkpoint", o->actor ? o->actor : "daemon", pl.p);
	abuf_free(&msg);
	abuf_free(&pl);
}

/* Records 1..5 of a typical trail, ending in a checkpoint. */
static void
tr_typical(struct trail *t)
{
	char pl[256];

	tr_init(t);
	snprintf(pl, sizeof(pl), "format=1&ruleset=%s&key=%s", RULESET,
	    keys->fpr);
	tr_add(t, "opened", "daemon", pl);
	tr_add(t, "ruleset", "daemon", "hash=" RULESET "&files=main.lua");
	tr_add(t, "received", "eservice:Kommun%20A", "id=a1&sha256=" P64
	    "&size=10&doc=2026-11.seg:0&applicant=" "00112233445566778899"
	    "aabbccddeeff&period=2026-11");
	tr_add(t, "evaluated", "automated", "id=a1&ruleset=" RULESET
	    "&norm_year=2026&outcome=granted&amount=100&reasons=");
	tr_cp(t, NULL);
}

static void
expect_scan_ok(const struct audit_keys *k, int allow_torn,
    struct audit_scan *s)
{
	if (audit_scan_file(trail, k, allow_torn, NULL, NULL, s) != 0)
		ck_abort_msg("scan failed: %s", s->error);
	ck_assert_str_eq(s->error, "");
}

/* --- codec ------------------------------------------------------- */

START_TEST(kv_every_byte)
{
	struct abuf	b = { 0 };
	char		want[16], v;
	int		c;

	for (c = 0; c < 256; c++) {
		b.len = 0;
		v = (char)c;
		abuf_kvn(&b, "k", &v, 1);
		if (c != 0 && strchr(PLAIN, c) != NULL)
			snprintf(want, sizeof(want), "k=%c", c);
		else
			snprintf(want, sizeof(want), "k=%%%02X", c);
		ck_assert_str_eq(b.p, want);
		ck_assert_uint_eq(b.len, strlen(want));
	}
	ck_assert_int_eq(b.oom, 0);
	abuf_free(&b);
	ck_assert_ptr_null(b.p);
	ck_assert_uint_eq(b.len, 0);
}
END_TEST

START_TEST(kv_examples)
{
	struct abuf	b = { 0 };
	char		actor[160];

	abuf_kv(&b, "note", "a&b\tc\nd%e f");
	abuf_kv(&b, "name", "\xc3\xa5sa");		/* "åsa" */
	abuf_kv(&b, "empty", "");
	abuf_kv(&b, "plain", PLAIN);
	abuf_kvn(&b, "nul", "a\0b", 3);
	abuf_kvf(&b, "f", "%d-%s", 42, "x y");
	abuf_kv_b64(&b, "d", "hello", 5);
	ck_assert_str_eq(b.p, "note=a%26b%09c%0Ad%25e%20f&name=%C3%A5sa"
	    "&empty=&plain=" PLAIN "&nul=a%00b&f=42-x%20y&d=aGVsbG8=");
	ck_assert_uint_eq(b.len, strlen(b.p));
	ck_assert_int_eq(b.oom, 0);
	abuf_free(&b);

	audit_actor(actor, sizeof(actor), "eservice", "Kommun \xc3\x85&B");
	ck_assert_str_eq(actor, "eservice:Kommun%20%C3%85%26B");
	audit_actor(actor, sizeof(actor), "caseworker", "anna.berg@x.se");
	ck_assert_str_eq(actor, "caseworker:anna.berg@x.se");
}
END_TEST

START_TEST(format_exact)
{
	struct abuf b = { 0 };

	audit_format(&b, 1, T0, "opened", "daemon", Z64, "format=1", 8);
	ck_assert_str_eq(b.p, "1\t" T0 "\topened\tdaemon\t" Z64
	    "\tformat=1\n");
	b.len = 0;
	audit_format(&b, UINT64_MAX, T0, "a-b-", "automated", P64, "", 0);
	ck_assert_str_eq(b.p, "18446744073709551615\t" T0 "\ta-b-\t"
	    "automated\t" P64 "\t\n");
	abuf_free(&b);
}
END_TEST

START_TEST(round_trip)
{
	static const unsigned char tail[] = { 0xfb, 0xff, 0xbf, 0x00, 0x01 };
	static const char *const tail64[] = { "", "+w==", "+/8=", "+/+/",
	    "+/+/AA==", "+/+/AAE=" };
	struct abuf		 pl = { 0 }, line = { 0 };
	struct audit_record	 r;
	unsigned char		 bytes[256];
	char			 all[256], out[1024], why[128], key[8], *bin;
	char			 want[AUDIT_HEX], got[AUDIT_HEX];
	const char		*raw;
	size_t			 n, rawlen;
	uint64_t		 u;
	int			 i;

	for (i = 0; i < 255; i++)
		all[i] = (char)(i + 1);
	all[255] = '\0';
	for (i = 0; i < 256; i++)
		bytes[i] = (unsigned char)i;
	abuf_kv(&pl, "id", "x");
	abuf_kv(&pl, "idx", "y");
	abuf_kv(&pl, "all", all);
	abuf_kv_b64(&pl, "bin", bytes, 256);
	for (i = 0; i <= 5; i++) {
		snprintf(key, sizeof(key), "b%d", i);
		abuf_kv_b64(&pl, key, tail, (size_t)i);
	}
	abuf_kv(&pl, "max", "18446744073709551615");
	abuf_kv(&pl, "over", "18446744073709551616");
	abuf_kv(&pl, "zero", "0");
	abuf_kv(&pl, "neg", "-1");
	abuf_kv(&pl, "plus", "+1");
	abuf_kv(&pl, "sp", "1 ");
	abuf_kv(&pl, "empty", "");
	abuf_kvn(&pl, "nul", "a\0b", 3);
	abuf_kv(&pl, "bad64", "AB.D");
	ck_assert_int_eq(pl.oom, 0);
	audit_format(&line, 42, T0, "received", "eservice:Kommun%20A", P64,
	    pl.p, pl.len);
	if (audit_parse(line.p, line.len, &r, why, sizeof(why)) != 0)
		ck_abort_msg("parse: %s", why);

	/* The fields, and the record hash = SHA-256 of the whole line. */
	ck_assert_uint_eq(r.seq, 42);
	ck_assert_int_eq(memcmp(r.time, T0, AUDIT_TIME_LEN), 0);
	ck_assert_uint_eq(r.type_len, 8);
	ck_assert_int_eq(memcmp(r.type, "received", 8), 0);
	ck_assert_int_eq(audit_is(&r, "received"), 1);
	ck_assert_int_eq(audit_is(&r, "receive"), 0);
	ck_assert_int_eq(audit_is(&r, "receivedx"), 0);
	ck_assert_uint_eq(r.actor_len, strlen("eservice:Kommun%20A"));
	ck_assert_int_eq(memcmp(r.actor, "eservice:Kommun%20A",
	    r.actor_len), 0);
	ck_assert_int_eq(memcmp(r.prev, P64, 64), 0);
	ck_assert_uint_eq(r.payload_len, pl.len);
	ck_assert_int_eq(memcmp(r.payload, pl.p, pl.len), 0);
	ck_assert_ptr_eq(r.line, line.p);
	ck_assert_uint_eq(r.len, line.len);
	sha_hex(line.p, line.len, want);
	hex(r.hash, 32, got);
	ck_assert_str_eq(got, want);

	/* Keys match whole, not as prefixes. */
	ck_assert_int_eq(audit_get(&r, "id", out, sizeof(out)), 0);
	ck_assert_str_eq(out, "x");
	ck_assert_int_eq(audit_get(&r, "idx", out, sizeof(out)), 0);
	ck_assert_str_eq(out, "y");
	ck_assert_int_eq(audit_get(&r, "i", out, sizeof(out)), -1);
	ck_assert_int_eq(audit_get(&r, "missing", out, sizeof(out)), -1);
	ck_assert_int_eq(audit_get_raw(&r, "ll", &raw, &rawlen), -1);

	/* Every byte but NUL survives; the buffer must hold it all. */
	ck_assert_int_eq(audit_get(&r, "all", out, 256), 0);
	ck_assert_str_eq(out, all);
	ck_assert_int_eq(audit_get(&r, "all", out, 255), -1);
	ck_assert_int_eq(audit_get_raw(&r, "all", &raw, &rawlen), 0);
	ck_assert_int_eq(memcmp(raw, "%01%02%03", 9), 0);
	ck_assert_int_eq(memchr(raw, '&', rawlen) == NULL, 1);
	/* A NUL cannot come back as a C string. */
	ck_assert_int_eq(audit_get(&r, "nul", out, sizeof(out)), -1);
	ck_assert_int_eq(audit_get_raw(&r, "nul", &raw, &rawlen), 0);
	ck_assert_uint_eq(rawlen, 5);
	ck_assert_int_eq(memcmp(raw, "a%00b", 5), 0);
	ck_assert_int_eq(audit_get(&r, "empty", out, sizeof(out)), 0);
	ck_assert_str_eq(out, "");
	ck_assert_int_eq(audit_get_raw(&r, "empty", &raw, &rawlen), 0);
	ck_assert_uint_eq(rawlen, 0);

	/* Numbers: decimal digits only, within 64 bits. */
	ck_assert_int_eq(audit_get_u64(&r, "max", &u), 0);
	ck_assert_uint_eq(u, UINT64_MAX);
	ck_assert_int_eq(audit_get_u64(&r, "zero", &u), 0);
	ck_assert_uint_eq(u, 0);
	ck_assert_int_eq(audit_get_u64(&r, "over", &u), -1);
	ck_assert_int_eq(audit_get_u64(&r, "neg", &u), -1);
	ck_assert_int_eq(audit_get_u64(&r, "plus", &u), -1);
	ck_assert_int_eq(audit_get_u64(&r, "sp", &u), -1);
	ck_assert_int_eq(audit_get_u64(&r, "empty", &u), -1);
	ck_assert_int_eq(audit_get_u64(&r, "id", &u), -1);
	ck_assert_int_eq(audit_get_u64(&r, "missing", &u), -1);

	/* Base64: all 256 byte values, and every padding length. */
	ck_assert_int_eq(audit_get_b64(&r, "bin", &bin, &n), 0);
	ck_assert_uint_eq(n, 256);
	ck_assert_int_eq(memcmp(bin, bytes, 256), 0);
	free(bin);
	for (i = 0; i <= 5; i++) {
		snprintf(key, sizeof(key), "b%d", i);
		ck_assert_int_eq(audit_get_raw(&r, key, &raw, &rawlen), 0);
		ck_assert_uint_eq(rawlen, strlen(tail64[i]));
		ck_assert_int_eq(memcmp(raw, tail64[i], rawlen), 0);
		n = 99;
		ck_assert_int_eq(audit_get_b64(&r, key, &bin, &n), 0);
		ck_assert_uint_eq(n, (size_t)i);
		ck_assert_int_eq(memcmp(bin, tail, n), 0);
		ck_assert_int_eq(bin[n], '\0');
		free(bin);
	}
	ck_assert_int_eq(audit_get_b64(&r, "id", &bin, &n), -1);
	ck_assert_int_eq(audit_get_b64(&r, "bad64", &bin, &n), -1);
	ck_assert_int_eq(audit_get_b64(&r, "all", &bin, &n), -1);
	ck_assert_int_eq(audit_get_b64(&r, "missing", &bin, &n), -1);
	abuf_free(&pl);
	abuf_free(&line);
}
END_TEST

START_TEST(parse_accepts)
{
	static const char *const good[] = {
		"1\t" T0 "\topened\tdaemon\t" Z64 "\t\n",
		"18446744073709551615\t" T0 "\tx\tautomated\t" P64 "\ta=\n",
		"9\t" T0 "\ta-b-\teservice:a%20b%C3%A5\t" P64 "\ta==b\n",
		"9\t" T0 "\tx\tother:" PLAIN "\t" P64 "\ta_1=x&b2=%2B&c=\n",
	};
	static const uint64_t seqs[] = { 1, UINT64_MAX, 9, 9 };
	struct audit_record	r;
	char			why[128];
	size_t			i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		if (audit_parse(good[i], strlen(good[i]), &r, why,
		    sizeof(why)) != 0)
			ck_abort_msg("'%s' refused: %s", good[i], why);
		ck_assert_uint_eq(r.seq, seqs[i]);
	}
	ck_assert_uint_eq(r.payload_len, strlen("a_1=x&b2=%2B&c="));
}
END_TEST

#define REC(seq, time, type, actor, prev, pl) \
	seq "\t" time "\t" type "\t" actor "\t" prev "\t" pl "\n"
#define SEQ_(s)		REC(s, T0, "received", "eservice:x", P64, "a=b")
#define TIME_(t)	REC("7", t, "received", "eservice:x", P64, "a=b")
#define TYPE_(t)	REC("7", T0, t, "eservice:x", P64, "a=b")
#define ACTOR_(a)	REC("7", T0, "received", a, P64, "a=b")
#define PREV_(p)	REC("7", T0, "received", "eservice:x", p, "a=b")
#define PAYLOAD_(p)	REC("7", T0, "received", "eservice:x", P64, p)

static const struct {
	const char	*line;
	size_t		 len;		/* 0: strlen */
	const char	*why;
} malformed[] = {
	{ "7\t" T0 "\treceived\teservice:x\t" P64 "\ta=b", 0,
	  "record does not end in a line feed" },
	{ "7\t" T0 "\treceived\teservice:x\t" P64 "\ta=b\n", 70,
	  "record does not end in a line feed" },
	{ "7\t" T0 "\treceived\teservice:x\t" P64 "\n", 0,
	  "5 fields, not 6" },
	{ "\n", 0, "1 fields, not 6" },
	{ SEQ_("7\tx"), 0, "too many fields" },
	{ PAYLOAD_("a=b\tc=d"), 0, "too many fields" },
	{ PAYLOAD_("a=b\nc=d"), 0, "too many fields" },
	{ SEQ_("0"), 0, "bad SEQ" },
	{ SEQ_("07"), 0, "bad SEQ" },
	{ SEQ_(""), 0, "bad SEQ" },
	{ SEQ_("+7"), 0, "bad SEQ" },
	{ SEQ_("-7"), 0, "bad SEQ" },
	{ SEQ_(" 7"), 0, "bad SEQ" },
	{ SEQ_("7a"), 0, "bad SEQ" },
	{ SEQ_("18446744073709551616"), 0, "bad SEQ" },
	{ SEQ_("99999999999999999999"), 0, "bad SEQ" },
	{ SEQ_("100000000000000000000"), 0, "bad SEQ" },
	{ TIME_(""), 0, "bad TIME" },
	{ TIME_("2026-11-22T10:00:00Z"), 0, "bad TIME" },
	{ TIME_("2026-11-22T10:00:00.00000Z"), 0, "bad TIME" },
	{ TIME_("2026-11-22T10:00:00.0000000Z"), 0, "bad TIME" },
	{ TIME_("2026-11-22 10:00:00.000000Z"), 0, "bad TIME" },
	{ TIME_("2026-11-22T10:00:00.000000z"), 0, "bad TIME" },
	{ TIME_("2026-11-22T10:00:00,000000Z"), 0, "bad TIME" },
	{ TIME_("2026-11-22T10:00:00.000000+"), 0, "bad TIME" },
	{ TIME_("2026/11/22T10:00:00.000000Z"), 0, "bad TIME" },
	{ TIME_("2026-1a-22T10:00:00.000000Z"), 0, "bad TIME" },
	{ TYPE_(""), 0, "bad TYPE" },
	{ TYPE_("Received"), 0, "bad TYPE" },
	{ TYPE_("receiveD"), 0, "bad TYPE" },
	{ TYPE_("-received"), 0, "bad TYPE" },
	{ TYPE_("received_x"), 0, "bad TYPE" },
	{ TYPE_("rec3ived"), 0, "bad TYPE" },
	{ TYPE_("r\xc3\xa5"), 0, "bad TYPE" },
	{ ACTOR_(""), 0, "bad ACTOR" },
	{ ACTOR_("eservice:a b"), 0, "bad ACTOR" },
	{ ACTOR_("eservice:a&b"), 0, "bad ACTOR" },
	{ ACTOR_("eservice:a%2b"), 0, "bad ACTOR" },
	{ ACTOR_("eservice:a%2"), 0, "bad ACTOR" },
	{ ACTOR_("eservice:a%"), 0, "bad ACTOR" },
	{ ACTOR_("eservice:\xc3\xa5"), 0, "bad ACTOR" },
	{ PREV_(""), 0, "bad PREV" },
	{ PREV_("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde"),
	  0, "bad PREV" },
	{ PREV_(P64 "0"), 0, "bad PREV" },
	{ PREV_("0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef"),
	  0, "bad PREV" },
	{ PREV_("0123456789abcdeg0123456789abcdef0123456789abcdef0123456789abcdef"),
	  0, "bad PREV" },
	{ PAYLOAD_("a=b&&c=d"), 0, "bad PAYLOAD" },
	{ PAYLOAD_("a=b&"), 0, "bad PAYLOAD" },
	{ PAYLOAD_("&a=b"), 0, "bad PAYLOAD" },
	{ PAYLOAD_("A=b"), 0, "bad PAYLOAD" },
	{ PAYLOAD_("aB=b"), 0, "bad PAYLOAD" },
	{ PAYLOAD_("a-b=c"), 0, "bad PAYLOAD" },
	{ PAYLOAD_("=b"), 0, "bad PAYLOAD" },
	{ PAYLOAD_("a"), 0, "bad PAYLOAD" },
	{ PAYLOAD_("a=b&c"), 0, "bad PAYLOAD" },
	{ PAYLOAD_("a=%2b"), 0, "bad PAYLOAD" },
	{ PAYLOAD_("a=%G0"), 0, "bad PAYLOAD" },
	{ PAYLOAD_("a=%4"), 0, "bad PAYLOAD" },
	{ PAYLOAD_("a=%"), 0, "bad PAYLOAD" },
	{ PAYLOAD_("a=%%41"), 0, "bad PAYLOAD" },
	{ PAYLOAD_("a=b c"), 0, "bad PAYLOAD" },
	{ PAYLOAD_("a=\xc3\xa5"), 0, "bad PAYLOAD" },
	{ PAYLOAD_("\xc3\xa5=b"), 0, "bad PAYLOAD" },
	{ PAYLOAD_("a=b\rc"), 0, "bad PAYLOAD" },
	/* A NUL inside the payload (explicit length). */
	{ "7\t" T0 "\treceived\teservice:x\t" P64 "\ta=b\0c\n",
	  2 + 28 + 9 + 11 + 65 + 6, "bad PAYLOAD" },
};

START_TEST(parse_rejects)
{
	struct audit_record	 r;
	const char		*line = malformed[_i].line;
	size_t			 len = malformed[_i].len;
	char			 why[128] = "";

	if (len == 0)
		len = strlen(line);
	if (audit_parse(line, len, &r, why, sizeof(why)) != -1)
		ck_abort_msg("accepted: '%.*s'", (int)len, line);
	ck_assert_str_eq(why, malformed[_i].why);
	/* Nothing of the line is left in r. */
	ck_assert_ptr_null(r.line);
	ck_assert_uint_eq(r.seq, 0);
}
END_TEST

START_TEST(parse_empty)
{
	struct audit_record	r;
	char			why[128];

	ck_assert_int_eq(audit_parse("", 0, &r, why, sizeof(why)), -1);
	ck_assert_str_eq(why, "record does not end in a line feed");
}
END_TEST

START_TEST(time_shapes)
{
	char	t[AUDIT_TIME_LEN + 1], r[32];
	struct audit_record rec;
	struct abuf b = { 0 };
	char	why[64];

	audit_time(t);
	ck_assert_uint_eq(strlen(t), AUDIT_TIME_LEN);
	audit_format(&b, 1, t, "opened", "daemon", Z64, "", 0);
	ck_assert_int_eq(audit_parse(b.p, b.len, &rec, why, sizeof(why)), 0);
	abuf_free(&b);
	audit_time_of(0, r);
	ck_assert_str_eq(r, "1970-01-01T00:00:00Z");
	audit_time_of(1795341600, r);
	ck_assert_str_eq(r, "2026-11-22T10:00:00Z");
}
END_TEST

/*
 * The parser against the format on many mutated records. spec_ok() is
 * docs/audit-format.md "A record" written out again, as plainly as
 * possible and without sharing code with audit_rec.c; audit_parse must
 * give its verdict on every truncation, deletion, replacement (by every
 * byte value), insertion (TABs, LFs, escapes, separators) and random
 * multi-byte damage of a few records like the writer's.
 */
static int
spec_value_ok(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (s[i] == '%') {
			if (n - i < 3 || strchr("0123456789ABCDEF", s[i + 1]) ==
			    NULL || strchr("0123456789ABCDEF", s[i + 2]) ==
			    NULL || s[i + 1] == '\0' || s[i + 2] == '\0')
				return 0;
			i += 2;
		} else if (s[i] == '\0' || strchr(PLAIN, s[i]) == NULL)
			return 0;
	}
	return 1;
}

static int
spec_all_in(const char *s, size_t n, const char *set)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] == '\0' || strchr(set, s[i]) == NULL)
			return 0;
	return 1;
}

static int
spec_ok(const char *l, size_t len)
{
	static const char	 shape[] = "dddd-dd-ddTdd:dd:dd.ddddddZ";
	const char		*f[6], *pair, *eq, *amp, *end;
	size_t			 fl[6], i, nf = 0, start = 0;

	/* One line: LF at the end and nowhere else; six TAB-separated
	 * fields. */
	if (len == 0 || l[len - 1] != '\n' || memchr(l, '\n', len - 1))
		return 0;
	for (i = 0; i < len; i++)
		if (l[i] == '\t' || i == len - 1) {
			if (nf == 6)
				return 0;
			f[nf] = l + start;
			fl[nf++] = i - start;
			start = i + 1;
		}
	if (nf != 6)
		return 0;
	/* SEQ: decimal, no leading zero, a uint64_t. */
	if (fl[0] == 0 || fl[0] > 20 || f[0][0] == '0' ||
	    !spec_all_in(f[0], fl[0], "0123456789") || (fl[0] == 20 &&
	    memcmp(f[0], "18446744073709551615", 20) > 0))
		return 0;
	if (fl[1] != AUDIT_TIME_LEN)
		return 0;
	for (i = 0; i < AUDIT_TIME_LEN; i++)
		if (shape[i] == 'd' ? !spec_all_in(f[1] + i, 1, "0123456789") :
		    f[1][i] != shape[i])
			return 0;
	if (fl[2] == 0 || !spec_all_in(f[2], 1, "abcdefghijklmnopqrstuvwxyz") ||
	    !spec_all_in(f[2], fl[2], "abcdefghijklmnopqrstuvwxyz-"))
		return 0;
	/* ACTOR: its syntax is that of an encoded value. */
	if (fl[3] == 0 || !spec_value_ok(f[3], fl[3]))
		return 0;
	if (fl[4] != 64 || !spec_all_in(f[4], 64, "0123456789abcdef"))
		return 0;
	if (fl[5] == 0)
		return 1;
	/* KEY=VALUE pairs joined by '&'; the first '=' ends the key. */
	end = f[5] + fl[5];
	for (pair = f[5]; ; pair = amp + 1) {
		if ((amp = memchr(pair, '&', (size_t)(end - pair))) == NULL)
			amp = end;
		if ((eq = memchr(pair, '=', (size_t)(amp - pair))) == NULL ||
		    eq == pair || !spec_all_in(pair, (size_t)(eq - pair),
		    "abcdefghijklmnopqrstuvwxyz0123456789_") ||
		    !spec_value_ok(eq + 1, (size_t)(amp - eq - 1)))
			return 0;
		if (amp == end)
			return 1;
	}
}

struct mut_stats {
	unsigned long	 n, accepted;
	char		 first_bad[300];
};

/* One candidate: audit_parse must agree with spec_ok, give a known
 * reason when it refuses, and the line's SHA-256 when it accepts. */
static void
mut_check(struct mut_stats *st, const char *l, size_t len)
{
	static const char *const reasons[] = { "record does not end in a "
	    "line feed", "too many fields", "bad SEQ", "bad TIME", "bad TYPE",
	    "bad ACTOR", "bad PREV", "bad PAYLOAD", NULL };
	struct audit_record	 r;
	unsigned char		 md[32];
	unsigned int		 mdlen;
	char			 why[128] = "";
	int			 got, want, i, known = 0;

	st->n++;
	got = audit_parse(l, len, &r, why, sizeof(why)) == 0;
	want = spec_ok(l, len);
	if (got && want) {
		st->accepted++;
		EVP_Digest(l, len, md, &mdlen, EVP_sha256(), NULL);
		if (r.line != l || r.len != len || memcmp(r.hash, md, 32) != 0)
			got = -1;
	} else if (!got) {
		for (i = 0; reasons[i] != NULL; i++)
			known |= strcmp(why, reasons[i]) == 0;
		if (strstr(why, " fields, not 6") != NULL)
			known = 1;
		if (!known || r.line != NULL)
			got = -1;
	}
	if (got != want && st->first_bad[0] == '\0')
		snprintf(st->first_bad, sizeof(st->first_bad), "parser %d, "
		    "format %d (%s): '%.*s'", got, want, why,
		    (int)(len < 200 ? len : 200), l);
}

START_TEST(parse_mutants)
{
	static const char *const base[] = {
		"1\t" T0 "\topened\tdaemon\t" Z64 "\tformat=1&ruleset="
		    RULESET "\n",
		"18446744073709551615\t" T0 "\tx\tautomated\t" P64 "\ta=\n",
		"9\t" T0 "\ta-b-\teservice:a%20b%C3%A5\t" P64 "\ta==b\n",
		"9\t" T0 "\tx\tother:" PLAIN "\t" P64 "\ta_1=x&b2=%2B&c=\n",
		"12\t" T0 "\treceived\teservice:e-tjanst.example.se\t" P64
		    "\tid=2025-0000000001&sha256=" P64 "&size=2500&applicant="
		    "0123456789abcdef0123456789abcdef&period=2025-11&doc="
		    "2025-11.seg:0\n",
		"13\t" T0 "\tevaluated\tautomated\t" P64 "\tid=2025-1&outcome="
		    "routed&reasons=HOUSING_COST%2CHEALTH&due=2026-11-24T10%3A"
		    "00%3A00Z&decision=PGRlY2lzaW9uIHhtbG5zPSd1cm46YmlzdGFuZD"
		    "pkJz48L2RlY2lzaW9uPg==\n",
		"14\t" T0 "\tcheckpoint\tdaemon\t" P64 "\thead_seq=13&head="
		    P64 "&alg=ed25519&key=" Z64 "&sig=" P64 P64 "\n",
		"7\t" T0 "\tx\tdaemon\t" P64 "\t\n",
	};
	static const char *const ins[] = { "\t", "\n", "\t\t", "%", "%4",
	    "%41", "%4g", "%g1", "%2b", "%00", "&", "&&", "=", "&a=", "a=",
	    "_", "-", " ", "\r", "\x7f", "\xc3\xa5", "0", "A", "z" };
	struct mut_stats	 st;
	char			 buf[1024];
	uint64_t		 s = 0x9e3779b97f4a7c15ULL;
	size_t			 b, len, i, k, c, n;

	memset(&st, 0, sizeof(st));
	for (b = 0; b < sizeof(base) / sizeof(base[0]); b++) {
		len = strlen(base[b]);
		ck_assert_uint_lt(len + 8, sizeof(buf));
		ck_assert_msg(spec_ok(base[b], len), "base %zu", b);
		mut_check(&st, base[b], len);
		/* Truncated, as a torn write leaves it; and cut with an LF
		 * put back. */
		for (i = 0; i < len; i++) {
			memcpy(buf, base[b], i);
			mut_check(&st, buf, i);
			buf[i] = '\n';
			mut_check(&st, buf, i + 1);
		}
		/* Every byte replaced by every byte value. */
		for (i = 0; i < len; i++)
			for (c = 0; c < 256; c++) {
				memcpy(buf, base[b], len);
				buf[i] = (char)c;
				mut_check(&st, buf, len);
			}
		/* Every byte deleted. */
		for (i = 0; i < len; i++) {
			memcpy(buf, base[b], i);
			memcpy(buf + i, base[b] + i + 1, len - i - 1);
			mut_check(&st, buf, len - 1);
		}
		/* Separators, escapes and control bytes inserted anywhere. */
		for (i = 0; i < len; i++)
			for (k = 0; k < sizeof(ins) / sizeof(ins[0]); k++) {
				n = strlen(ins[k]);
				memcpy(buf, base[b], i);
				memcpy(buf + i, ins[k], n);
				memcpy(buf + i + n, base[b] + i, len - i);
				mut_check(&st, buf, len + n);
			}
		/* Random damage of one to four bytes. */
		for (k = 0; k < 4000; k++) {
			memcpy(buf, base[b], len);
			for (n = 0; n <= k % 4; n++) {
				s ^= s << 13;
				s ^= s >> 7;
				s ^= s << 17;
				buf[(s >> 8) % len] = (char)(s >> 40);
			}
			mut_check(&st, buf, len);
		}
	}
	if (st.first_bad[0] != '\0')
		ck_abort_msg("%s", st.first_bad);
	/* Both verdicts were exercised, many times. */
	ck_assert_uint_gt(st.n, 300000);
	ck_assert_uint_gt(st.accepted, 10000);
	ck_assert_uint_gt(st.n - st.accepted, 100000);
}
END_TEST

/* audit_get decodes as strndup + evhttp_uridecode(v, 0, …) did (its
 * earlier implementation), on values a parsed record never holds too:
 * lowercase and broken escapes, '+', a NUL, every buffer size. */
START_TEST(get_like_uridecode)
{
	static const char	 alpha[] = "%4a1F+g&=x\0";
	struct audit_record	 r;
	char			 pl[16], o1[16], o2[16], *enc, *dec;
	const char		*v;
	uint64_t		 s = 0x2545F4914F6CDD1DULL;
	size_t			 n, dn, out, i, vn;
	int			 k, want, got, bad = 0;

	for (k = 0; k < 20000 && bad == 0; k++) {
		s ^= s << 13;
		s ^= s >> 7;
		s ^= s << 17;
		n = s % 9;
		memcpy(pl, "k=", 2);
		for (i = 0; i < n; i++)
			pl[2 + i] = alpha[(s >> (8 + 4 * i)) % (sizeof(alpha) -
			    1)];
		memset(&r, 0, sizeof(r));
		r.payload = pl;
		r.payload_len = 2 + n;
		out = (s >> 56) % 12;
		memset(o1, 'y', sizeof(o1));
		memset(o2, 'y', sizeof(o2));
		/* The value ends at '&', as audit_get_raw finds it. */
		ck_assert_int_eq(audit_get_raw(&r, "k", &v, &vn), 0);
		ck_assert_ptr_nonnull(enc = strndup(v, vn));
		ck_assert_ptr_nonnull(dec = evhttp_uridecode(enc, 0, &dn));
		want = dn >= out || strlen(dec) != dn ? -1 : 0;
		if (want == 0)
			memcpy(o1, dec, dn + 1);
		free(enc);
		free(dec);
		got = audit_get(&r, "k", o2, out);
		if (got != want || memcmp(o1, o2, sizeof(o1)) != 0)
			bad = k + 1;
	}
	ck_assert_msg(bad == 0, "case %d differs", bad - 1);
}
END_TEST

/* audit_parse_md (the scan's reused digest) gives what audit_parse
 * does, and with no digest falls back to it. */
START_TEST(parse_md_same)
{
	static const char	 line[] = "12\t" T0 "\treceived\teservice:x\t"
	    P64 "\tid=a&b=%2B\n";
	struct audit_record	 r1, r2, r3;
	EVP_MD			*md = EVP_MD_fetch(NULL, "SHA256", NULL);
	EVP_MD_CTX		*ctx = EVP_MD_CTX_new();
	char			 why[128];
	int			 i;

	ck_assert_ptr_nonnull(md);
	ck_assert_ptr_nonnull(ctx);
	ck_assert_int_eq(audit_parse(line, strlen(line), &r1, why,
	    sizeof(why)), 0);
	for (i = 0; i < 3; i++) {
		ck_assert_int_eq(audit_parse_md(line, strlen(line), &r2, ctx,
		    md, why, sizeof(why)), 0);
		ck_assert_int_eq(memcmp(&r1, &r2, sizeof(r1)), 0);
	}
	ck_assert_int_eq(audit_parse_md(line, strlen(line), &r3, NULL, NULL,
	    why, sizeof(why)), 0);
	ck_assert_int_eq(memcmp(&r1, &r3, sizeof(r1)), 0);
	ck_assert_int_eq(audit_parse_md(line, 5, &r3, ctx, md, why,
	    sizeof(why)), -1);
	ck_assert_str_eq(why, "record does not end in a line feed");
	EVP_MD_CTX_free(ctx);
	EVP_MD_free(md);
}
END_TEST

/* --- keys -------------------------------------------------------- */

/* SHA-256 of the DER SubjectPublicKeyInfo, computed here. */
static void
der_fpr(EVP_PKEY *pk, char out[AUDIT_HEX])
{
	unsigned char	*der = NULL;
	int		 n;
	/* SPKI header of an Ed25519 key (RFC 8410). */
	static const unsigned char spki[] = { 0x30, 0x2a, 0x30, 0x05, 0x06,
	    0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00 };

	n = i2d_PUBKEY(pk, &der);
	ck_assert_int_eq(n, 44);
	ck_assert_int_eq(memcmp(der, spki, sizeof(spki)), 0);
	sha_hex(der, (size_t)n, out);
	OPENSSL_free(der);
}

static EVP_PKEY *
read_pub(const char *path)
{
	FILE		*f = fopen(path, "r");
	EVP_PKEY	*pk;

	ck_assert_ptr_nonnull(f);
	pk = PEM_read_PUBKEY(f, NULL, NULL, NULL);
	fclose(f);
	ck_assert_ptr_nonnull(pk);
	return pk;
}

static void
expect_mode(const char *name, mode_t mode, off_t size)
{
	char		path[512];
	struct stat	sb;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	ck_assert_int_eq(stat(path, &sb), 0);
	ck_assert_int_eq(S_ISREG(sb.st_mode), 1);
	if (mode != 0)
		ck_assert_uint_eq(sb.st_mode & 07777, mode);
	if (size >= 0)
		ck_assert_int_eq(sb.st_size, size);
	snprintf(path, sizeof(path), "%s/%s.tmp", dir, name);
	ck_assert_int_eq(access(path, F_OK), -1);
}

START_TEST(keys_create_and_reopen)
{
	struct audit_keys	*k = NULL, *k2 = NULL, *kp = NULL;
	EVP_PKEY		*pk;
	char			 err[512], path[512], fpr[AUDIT_HEX];
	char			*pem1, *pem2, *person;
	size_t			 len1, len2, plen, i;

	ck_assert_int_eq(audit_keys_open(dir, 1, &k, err, sizeof(err)), 0);
	expect_mode("audit-key.pem", 0600, -1);
	expect_mode("person.key", 0600, 32);
	expect_mode("audit-key.pub", 0, -1);
	snprintf(path, sizeof(path), "%s/audit-key.pem", dir);
	pem1 = slurp(path, &len1);
	ck_assert_int_eq(strncmp(pem1, "-----BEGIN PRIVATE KEY-----\n", 28),
	    0);
	snprintf(path, sizeof(path), "%s/person.key", dir);
	person = slurp(path, &plen);
	ck_assert_int_eq(k->has_person, 1);
	ck_assert_int_eq(memcmp(k->person, person, 32), 0);
	ck_assert_ptr_nonnull(k->priv);
	ck_assert_ptr_nonnull(k->pub);
	ck_assert_int_eq(EVP_PKEY_get_id(k->priv), EVP_PKEY_ED25519);

	/* The fingerprint: 64 lowercase hex digits, SHA-256 of the DER
	 * public key, both of the key in memory and of audit-key.pub. */
	ck_assert_uint_eq(strlen(k->fpr), 64);
	for (i = 0; i < 64; i++)
		ck_assert_ptr_nonnull(strchr("0123456789abcdef", k->fpr[i]));
	der_fpr(k->pub, fpr);
	ck_assert_str_eq(k->fpr, fpr);
	snprintf(path, sizeof(path), "%s/audit-key.pub", dir);
	pem2 = slurp(path, &len2);
	ck_assert_int_eq(strncmp(pem2, "-----BEGIN PUBLIC KEY-----\n", 27), 0);
	free(pem2);
	pk = read_pub(path);
	der_fpr(pk, fpr);
	EVP_PKEY_free(pk);
	ck_assert_str_eq(k->fpr, fpr);

	/* A second open (create or not) reads the same keys, untouched. */
	ck_assert_int_eq(audit_keys_open(dir, 1, &k2, err, sizeof(err)), 0);
	ck_assert_str_eq(k2->fpr, k->fpr);
	ck_assert_int_eq(memcmp(k2->person, k->person, 32), 0);
	audit_keys_free(k2);
	k2 = NULL;
	ck_assert_int_eq(audit_keys_open(dir, 0, &k2, err, sizeof(err)), 0);
	ck_assert_str_eq(k2->fpr, k->fpr);
	ck_assert_int_eq(k2->has_person, 1);
	snprintf(path, sizeof(path), "%s/audit-key.pem", dir);
	pem2 = slurp(path, &len2);
	ck_assert_uint_eq(len2, len1);
	ck_assert_int_eq(memcmp(pem1, pem2, len1), 0);

	/* The auditor's view: only the public key. */
	snprintf(path, sizeof(path), "%s/audit-key.pub", dir);
	ck_assert_int_eq(audit_keys_open_pub(path, &kp, err, sizeof(err)), 0);
	ck_assert_str_eq(kp->fpr, k->fpr);
	ck_assert_ptr_null(kp->priv);
	ck_assert_ptr_nonnull(kp->pub);
	ck_assert_int_eq(kp->has_person, 0);

	free(pem1);
	free(pem2);
	free(person);
	audit_keys_free(k);
	audit_keys_free(k2);
	audit_keys_free(kp);
	audit_keys_free(NULL);
}
END_TEST

/* Open a key pair in a fresh subdirectory of dir. */
static struct audit_keys *
keys_in(const char *sub)
{
	struct audit_keys	*k = NULL;
	char			 path[512], err[512];

	snprintf(path, sizeof(path), "%s/%s", dir, sub);
	ck_assert_int_eq(mkdir(path, 0700), 0);
	if (audit_keys_open(path, 1, &k, err, sizeof(err)) != 0)
		ck_abort_msg("audit_keys_open: %s", err);
	return k;
}

START_TEST(keys_sign_verify)
{
	static const char	 msg[] = "bistandd-checkpoint-v1\n2\n" T0
	    "\n1\n" P64 "\n" P64 "\n";
	struct audit_keys	*k = keys_in("a"), *k2 = keys_in("b");
	struct audit_keys	*kp = NULL;
	EVP_MD_CTX		*ctx;
	EVP_PKEY		*pk;
	unsigned char		 raw[64];
	char			 sig[129], again[129], sig2[129], bad[200];
	char			 path[512], err[512], other[sizeof(msg)];
	size_t			 i, len = sizeof(msg) - 1;
	unsigned int		 byte;

	ck_assert_int_eq(audit_sign(k, msg, len, sig), 0);
	ck_assert_uint_eq(strlen(sig), 128);
	for (i = 0; i < 128; i++)
		ck_assert_ptr_nonnull(strchr("0123456789abcdef", sig[i]));
	/* Ed25519 is deterministic. */
	ck_assert_int_eq(audit_sign(k, msg, len, again), 0);
	ck_assert_str_eq(again, sig);
	ck_assert_int_eq(audit_verify(k, msg, len, sig), 0);

	/* The public key alone verifies, and cannot sign. */
	snprintf(path, sizeof(path), "%s/a/audit-key.pub", dir);
	ck_assert_int_eq(audit_keys_open_pub(path, &kp, err, sizeof(err)), 0);
	ck_assert_int_eq(audit_verify(kp, msg, len, sig), 0);
	ck_assert_int_eq(audit_sign(kp, msg, len, again), -1);

	/* Independently: OpenSSL on the exported public key. */
	for (i = 0; i < 64; i++) {
		ck_assert_int_eq(sscanf(sig + 2 * i, "%2x", &byte), 1);
		raw[i] = (unsigned char)byte;
	}
	pk = read_pub(path);
	ck_assert_ptr_nonnull(ctx = EVP_MD_CTX_new());
	ck_assert_int_eq(EVP_DigestVerifyInit(ctx, NULL, NULL, NULL, pk), 1);
	ck_assert_int_eq(EVP_DigestVerify(ctx, raw, 64,
	    (const unsigned char *)msg, len), 1);
	EVP_MD_CTX_free(ctx);
	EVP_PKEY_free(pk);

	/* A changed message, a shorter one, an empty one. */
	memcpy(other, msg, sizeof(msg));
	other[30] ^= 1;
	ck_assert_int_eq(audit_verify(k, other, len, sig), -1);
	ck_assert_int_eq(audit_verify(k, msg, len - 1, sig), -1);
	ck_assert_int_eq(audit_verify(k, msg, 0, sig), -1);
	/* A changed signature, anywhere. */
	for (i = 0; i < 128; i += 17) {
		snprintf(bad, sizeof(bad), "%s", sig);
		bad[i] = bad[i] == 'f' ? '0' : bad[i] == '9' ? 'a' :
		    (char)(bad[i] + 1);
		ck_assert_int_eq(audit_verify(k, msg, len, bad), -1);
	}
	/* Another key's signature. */
	ck_assert_int_eq(audit_sign(k2, msg, len, sig2), 0);
	ck_assert_str_ne(sig2, sig);
	ck_assert_int_eq(audit_verify(k2, msg, len, sig2), 0);
	ck_assert_int_eq(audit_verify(k, msg, len, sig2), -1);
	ck_assert_int_eq(audit_verify(k2, msg, len, sig), -1);
	/* Malformed hex. */
	snprintf(bad, sizeof(bad), "%.127s", sig);
	ck_assert_int_eq(audit_verify(k, msg, len, bad), -1);
	snprintf(bad, sizeof(bad), "%s0", sig);
	ck_assert_int_eq(audit_verify(k, msg, len, bad), -1);
	ck_assert_int_eq(audit_verify(k, msg, len, ""), -1);
	for (i = 0; i < 128; i++)
		bad[i] = (char)toupper((unsigned char)sig[i]);
	bad[128] = '\0';
	ck_assert_str_ne(bad, sig);		/* it has letters */
	ck_assert_int_eq(audit_verify(k, msg, len, bad), -1);
	snprintf(bad, sizeof(bad), "%s", sig);
	bad[64] = 'g';
	ck_assert_int_eq(audit_verify(k, msg, len, bad), -1);
	bad[64] = ' ';
	ck_assert_int_eq(audit_verify(k, msg, len, bad), -1);

	audit_keys_free(k);
	audit_keys_free(k2);
	audit_keys_free(kp);
}
END_TEST

START_TEST(keys_cp_message)
{
	static const char	 h[] = "fedcba9876543210fedcba9876543210"
	    "fedcba9876543210fedcba9876543210";
	struct abuf		 b = { 0 };
	char			 want[512];
	size_t			 i, lf = 0;

	/* Six lines, each ending in LF, exactly as the document prints
	 * them with printf. */
	audit_cp_message(&b, 12, "2026-11-22T10:00:00.123456Z", 11, h, P64);
	snprintf(want, sizeof(want), "bistandd-checkpoint-v1\n%s\n%s\n%s\n"
	    "%s\n%s\n", "12", "2026-11-22T10:00:00.123456Z", "11", h, P64);
	ck_assert_str_eq(b.p, want);
	ck_assert_uint_eq(b.len, strlen(want));
	for (i = 0; i < b.len; i++)
		lf += b.p[i] == '\n';
	ck_assert_uint_eq(lf, 6);
	ck_assert_int_eq(b.p[b.len - 1], '\n');
	b.len = 0;
	audit_cp_message(&b, UINT64_MAX, T0, UINT64_MAX - 1, Z64, P64);
	ck_assert_str_eq(b.p, "bistandd-checkpoint-v1\n18446744073709551615\n"
	    T0 "\n18446744073709551614\n" Z64 "\n" P64 "\n");
	abuf_free(&b);
}
END_TEST

/* audit_sha256 and audit_hmac_sha256 give the one-shot functions' bytes,
 * for many lengths, and from several threads at once (each has its own
 * contexts). Returns the number of mismatches. */
static void *
hash_compare(void *arg)
{
	static unsigned char	 key[32] = "0123456789abcdef0123456789abcde";
	unsigned char		 buf[5000], a[32], b[32];
	unsigned int		 blen = sizeof(b);
	size_t			 n, bad = 0;
	int			 round;

	for (n = 0; n < sizeof(buf); n++)
		buf[n] = (unsigned char)(n * 7 + (size_t)arg);
	for (round = 0; round < 3; round++)
		for (n = 0; n < sizeof(buf); n += 1 + n / 8) {
			audit_sha256(buf, n, a);
			SHA256(buf, n, b);
			bad += memcmp(a, b, 32) != 0;
			if (audit_hmac_sha256(key, sizeof(key), buf, n, a) != 0)
				bad++;
			HMAC(EVP_sha256(), key, sizeof(key), buf, n, b, &blen);
			bad += memcmp(a, b, 32) != 0;
		}
	return (void *)bad;
}

START_TEST(hash_reused_contexts)
{
	pthread_t	t[4];
	void		*bad;
	size_t		 i;

	ck_assert_ptr_eq(hash_compare((void *)0), NULL);
	for (i = 0; i < 4; i++)
		ck_assert_int_eq(pthread_create(&t[i], NULL, hash_compare,
		    (void *)(i + 1)), 0);
	for (i = 0; i < 4; i++) {
		ck_assert_int_eq(pthread_join(t[i], &bad), 0);
		ck_assert_ptr_eq(bad, NULL);
	}
}
END_TEST

START_TEST(keys_pseudonyms)
{
	struct audit_keys	*k = keys_in("a"), *k2 = keys_in("b");
	struct audit_keys	*kp = NULL;
	unsigned char		 md[32];
	unsigned int		 mdlen = sizeof(md);
	char			 a[AUDIT_PSEUDO_LEN], b[AUDIT_PSEUDO_LEN];
	char			 c[AUDIT_PSEUDO_LEN], want[AUDIT_HEX];
	char			 path[512], err[512], *person;
	size_t			 plen, i;

	ck_assert_int_eq(audit_pseudonym(k, "197001011239", a), 0);
	ck_assert_uint_eq(strlen(a), 32);
	for (i = 0; i < 32; i++)
		ck_assert_ptr_nonnull(strchr("0123456789abcdef", a[i]));
	/* HMAC-SHA256 with person.key over the 12 digits, first 16 bytes. */
	snprintf(path, sizeof(path), "%s/a/person.key", dir);
	person = slurp(path, &plen);
	ck_assert_uint_eq(plen, 32);
	ck_assert_ptr_nonnull(HMAC(EVP_sha256(), person, 32,
	    (const unsigned char *)"197001011239", 12, md, &mdlen));
	hex(md, 16, want);
	ck_assert_str_eq(a, want);
	free(person);

	ck_assert_int_eq(audit_pseudonym(k, "197001011239", b), 0);
	ck_assert_str_eq(a, b);
	ck_assert_int_eq(audit_pseudonym(k, "197001021238", b), 0);
	ck_assert_str_ne(a, b);
	ck_assert_int_eq(audit_pseudonym(k2, "197001011239", c), 0);
	ck_assert_str_ne(a, c);
	/* Without a person key there are no pseudonyms. */
	snprintf(path, sizeof(path), "%s/a/audit-key.pub", dir);
	ck_assert_int_eq(audit_keys_open_pub(path, &kp, err, sizeof(err)), 0);
	ck_assert_int_eq(audit_pseudonym(kp, "197001011239", c), -1);
	audit_keys_free(k);
	audit_keys_free(k2);
	audit_keys_free(kp);
}
END_TEST

START_TEST(keys_errors)
{
	struct audit_keys	*k = NULL;
	EVP_PKEY		*ec;
	FILE			*f;
	char			 err[512], want[600], path[512], pub[512];
	char			*text;
	size_t			 len;

	/* Nothing there and nothing to be made. */
	ck_assert_int_eq(audit_keys_open(dir, 0, &k, err, sizeof(err)), -1);
	ck_assert_ptr_null(k);
	snprintf(want, sizeof(want), "%s/audit-key.pem: cannot read the "
	    "audit key", dir);
	ck_assert_str_eq(err, want);
	snprintf(path, sizeof(path), "%s/audit-key.pem", dir);
	ck_assert_int_eq(access(path, F_OK), -1);
	snprintf(path, sizeof(path), "%s/person.key", dir);
	ck_assert_int_eq(access(path, F_OK), -1);

	/* A corrupt key is never replaced by a new one. */
	snprintf(path, sizeof(path), "%s/audit-key.pem", dir);
	put_file(path, "not a key\n", 10, "w");
	ck_assert_int_eq(audit_keys_open(dir, 1, &k, err, sizeof(err)), -1);
	ck_assert_ptr_null(k);
	ck_assert_str_eq(err, want);
	text = slurp(path, &len);
	ck_assert_str_eq(text, "not a key\n");
	free(text);

	/* A key of another kind. */
	ck_assert_ptr_nonnull(ec = EVP_PKEY_Q_keygen(NULL, NULL, "EC",
	    "P-256"));
	ck_assert_ptr_nonnull(f = fopen(path, "w"));
	ck_assert_int_eq(PEM_write_PrivateKey(f, ec, NULL, NULL, 0, NULL,
	    NULL), 1);
	fclose(f);
	snprintf(pub, sizeof(pub), "%s/ec.pub", dir);
	ck_assert_ptr_nonnull(f = fopen(pub, "w"));
	ck_assert_int_eq(PEM_write_PUBKEY(f, ec), 1);
	fclose(f);
	EVP_PKEY_free(ec);
	ck_assert_int_eq(audit_keys_open(dir, 1, &k, err, sizeof(err)), -1);
	snprintf(want, sizeof(want), "%s: not an Ed25519 key", path);
	ck_assert_str_eq(err, want);
	ck_assert_int_eq(audit_keys_open_pub(pub, &k, err, sizeof(err)), -1);
	snprintf(want, sizeof(want), "%s: not an Ed25519 public key", pub);
	ck_assert_str_eq(err, want);
	ck_assert_ptr_null(k);

	/* A good key, but a person key of the wrong size. */
	unlink(path);
	ck_assert_int_eq(audit_keys_open(dir, 1, &k, err, sizeof(err)), 0);
	audit_keys_free(k);
	k = NULL;
	snprintf(path, sizeof(path), "%s/person.key", dir);
	put_file(path, "0123456789012345678901234567890", 31, "w");
	ck_assert_int_eq(audit_keys_open(dir, 1, &k, err, sizeof(err)), -1);
	snprintf(want, sizeof(want), "%s: not exactly 32 bytes", path);
	ck_assert_str_eq(err, want);
	ck_assert_ptr_null(k);
	/* One byte too many is just as wrong: not the key that was made. */
	put_file(path, "012345678901234567890123456789012", 33, "w");
	ck_assert_int_eq(audit_keys_open(dir, 1, &k, err, sizeof(err)), -1);
	ck_assert_str_eq(err, want);
	ck_assert_ptr_null(k);
	/* No person key and none to make: keys, but no pseudonyms. */
	unlink(path);
	ck_assert_int_eq(audit_keys_open(dir, 0, &k, err, sizeof(err)), 0);
	ck_assert_int_eq(k->has_person, 0);
	ck_assert_int_eq(access(path, F_OK), -1);
	audit_keys_free(k);
	k = NULL;

	/* The auditor's open: missing, private instead of public, junk. */
	snprintf(pub, sizeof(pub), "%s/missing.pub", dir);
	ck_assert_int_eq(audit_keys_open_pub(pub, &k, err, sizeof(err)), -1);
	snprintf(want, sizeof(want), "%s: not an Ed25519 public key", pub);
	ck_assert_str_eq(err, want);
	snprintf(pub, sizeof(pub), "%s/audit-key.pem", dir);
	ck_assert_int_eq(audit_keys_open_pub(pub, &k, err, sizeof(err)), -1);
	snprintf(pub, sizeof(pub), "%s/person.key", dir);
	put_file(pub, "junk", 4, "w");
	ck_assert_int_eq(audit_keys_open_pub(pub, &k, err, sizeof(err)), -1);
	ck_assert_ptr_null(k);
}
END_TEST

/* --- scan -------------------------------------------------------- */

START_TEST(scan_empty)
{
	struct audit_scan	s;
	static const unsigned char zero[32];

	/* Missing and empty are both an empty trail. */
	ck_assert_int_eq(audit_scan_file(trail, keys, 0, NULL, NULL, &s), 0);
	ck_assert_uint_eq(s.nrecords, 0);
	ck_assert_uint_eq(s.last_seq, 0);
	ck_assert_int_eq(s.end, 0);
	ck_assert_int_eq(s.torn, 0);
	ck_assert_str_eq(s.error, "");
	put_file(trail, "", 0, "w");
	memset(&s, 0xff, sizeof(s));
	ck_assert_int_eq(audit_scan_file(trail, keys, 0, NULL, NULL, &s), 0);
	ck_assert_uint_eq(s.nrecords, 0);
	ck_assert_uint_eq(s.ncheckpoints, 0);
	ck_assert_uint_eq(s.last_seq, 0);
	ck_assert_uint_eq(s.last_cp_seq, 0);
	ck_assert_int_eq(memcmp(s.last_hash, zero, 32), 0);
	ck_assert_int_eq(s.end, 0);
	ck_assert_int_eq(s.torn, 0);
	ck_assert_uint_eq(s.bad_seq, 0);
	ck_assert_str_eq(s.error, "");
	/* Unreadable is not empty. */
	ck_assert_int_eq(audit_scan_file(dir, keys, 1, NULL, NULL, &s), -1);
	ck_assert_str_ne(s.error, "");
}
END_TEST

struct seen {
	size_t	 n;
	int	 stop_at;		/* SEQ to refuse; 0: none */
	struct {
		uint64_t	seq;
		off_t		off;
		size_t		len;
		char		type[16];
		char		hash[AUDIT_HEX];
		char		prev[AUDIT_HEX];
	}	 r[1024];
};

static int
seen_visit(const struct audit_record *r, void *arg)
{
	struct seen *s = arg;

	if (s->stop_at != 0 && r->seq == (uint64_t)s->stop_at)
		return 1;
	ck_assert_uint_lt(s->n, 1024);
	s->r[s->n].seq = r->seq;
	s->r[s->n].off = r->offset;
	s->r[s->n].len = r->len;
	snprintf(s->r[s->n].type, sizeof(s->r[s->n].type), "%.*s",
	    (int)r->type_len, r->type);
	sha_hex(r->line, r->len, s->r[s->n].hash);
	memcpy(s->r[s->n].prev, r->prev, 64);
	s->r[s->n].prev[64] = '\0';
	s->n++;
	return 0;
}

START_TEST(scan_good_trail)
{
	static const char *const types[] = { "opened", "ruleset", "received",
	    "evaluated", "checkpoint", "refused", "forbidden", "checkpoint" };
	struct audit_keys	*kp = NULL;
	struct audit_scan	 s;
	struct trail		 t;
	struct seen		*seen = calloc(1, sizeof(*seen));
	char			 last[AUDIT_HEX], path[512], err[512];
	size_t			 i;

	tr_typical(&t);
	tr_add(&t, "refused", "eservice:x", "status=400&code=SCHEMA&line=3"
	    "&sha256=" P64 "&size=9");
	tr_add(&t, "forbidden", "other:x", "method=GET&path=/v1/x&status=403");
	tr_cp(&t, NULL);
	put_file(trail, t.buf.p, t.buf.len, "w");

	ck_assert_int_eq(audit_scan_file(trail, keys, 0, seen_visit, seen,
	    &s), 0);
	ck_assert_str_eq(s.error, "");
	ck_assert_uint_eq(s.nrecords, 8);
	ck_assert_uint_eq(s.ncheckpoints, 2);
	ck_assert_uint_eq(s.last_seq, 8);
	ck_assert_uint_eq(s.last_cp_seq, 8);
	hex(s.last_hash, 32, last);
	ck_assert_str_eq(last, t.head);
	ck_assert_int_eq(s.end, (off_t)t.buf.len);
	ck_assert_int_eq(s.torn, 0);
	ck_assert_uint_eq(s.bad_seq, 0);

	/* The visitor saw each record once, in order, where it is. */
	ck_assert_uint_eq(seen->n, 8);
	for (i = 0; i < 8; i++) {
		ck_assert_uint_eq(seen->r[i].seq, i + 1);
		ck_assert_int_eq(seen->r[i].off, t.off[i + 1]);
		ck_assert_int_eq(seen->r[i].off + (off_t)seen->r[i].len,
		    i == 7 ? (off_t)t.buf.len : t.off[i + 2]);
		ck_assert_str_eq(seen->r[i].type, types[i]);
		ck_assert_str_eq(seen->r[i].prev, i == 0 ? Z64 :
		    seen->r[i - 1].hash);
	}

	/* Without keys (structure only) and with the public key alone. */
	expect_scan_ok(NULL, 0, &s);
	ck_assert_uint_eq(s.nrecords, 8);
	ck_assert_uint_eq(s.ncheckpoints, 2);
	snprintf(path, sizeof(path), "%s/audit-key.pub", dir);
	ck_assert_int_eq(audit_keys_open_pub(path, &kp, err, sizeof(err)), 0);
	expect_scan_ok(kp, 0, &s);
	ck_assert_uint_eq(s.nrecords, 8);
	audit_keys_free(kp);

	/* A trail need not end in a checkpoint. */
	tr_add(&t, "refused", "eservice:x", "status=415");
	put_file(trail, t.buf.p, t.buf.len, "w");
	expect_scan_ok(keys, 0, &s);
	ck_assert_uint_eq(s.last_seq, 9);
	ck_assert_uint_eq(s.last_cp_seq, 8);
	abuf_free(&t.buf);
	free(seen);
}
END_TEST

START_TEST(scan_visitor_stops)
{
	struct audit_scan	 s;
	struct trail		 t;
	struct seen		*seen = calloc(1, sizeof(*seen));

	tr_typical(&t);
	put_file(trail, t.buf.p, t.buf.len, "w");
	seen->stop_at = 3;
	ck_assert_int_eq(audit_scan_file(trail, keys, 1, seen_visit, seen,
	    &s), -1);
	ck_assert_str_eq(s.error, "stopped by the caller");
	ck_assert_uint_eq(s.bad_seq, 3);
	ck_assert_int_eq(s.bad_offset, t.off[3]);
	ck_assert_uint_eq(seen->n, 2);
	ck_assert_uint_eq(s.nrecords, 2);
	ck_assert_uint_eq(s.last_seq, 2);
	ck_assert_int_eq(s.end, t.off[3]);
	ck_assert_int_eq(s.torn, 0);
	abuf_free(&t.buf);
	free(seen);
}
END_TEST

/*
 * Damage: each case builds a trail with one fault. bad is the SEQ the
 * scan must name, at the offset of record at_seq (or of the raw line
 * when at_seq is 0, see damage_build). key: the fault is only visible
 * with the key (a structure-only scan passes).
 */
static const struct {
	const char	*name;
	uint64_t	 bad;
	const char	*why;
	int		 key;
} damage[] = {
	{ "seq gap", 4, "SEQ 4 where 3 was due", 0 },
	{ "seq repeated", 2, "SEQ 2 where 3 was due", 0 },	/* [1] */
	{ "prev mismatch", 3, "PREV is not the hash of record 2: that record "
	    "or this one was changed", 0 },
	{ "record changed", 3, "PREV is not the hash of record 2: that record "
	    "or this one was changed", 0 },
	{ "record removed", 3, "SEQ 3 where 2 was due", 0 },	/* [4] */
	{ "first prev not zero", 1, "PREV is not the hash of record 0: that "
	    "record or this one was changed", 0 },
	{ "first seq not 1", 2, "SEQ 2 where 1 was due", 0 },	/* [6] */
	{ "unknown type", 3, "unknown record type 'frobbed'", 0 },
	{ "cp head_seq", 5, "checkpoint head is not the record before it", 0 },
	{ "cp head", 5, "checkpoint head is not the record before it", 0 },
	{ "cp alg", 5, "checkpoint algorithm 'rsa'", 0 },
	{ "cp actor", 5, "checkpoint not written by the daemon", 0 },
	{ "cp no sig", 5, "checkpoint lacks a field", 0 },
	{ "cp other key", 5, NULL, 1 },				/* [13] */
	{ "cp bad sig", 5, "checkpoint signature does not verify", 1 },
	{ "cp sig of other key", 5, "checkpoint signature does not verify",
	    1 },
	{ "cp sig over other time", 5, "checkpoint signature does not verify",
	    1 },
	{ "cp sig uppercase", 5, "checkpoint signature does not verify", 1 },
	{ "bad line then record", 6, "1 fields, not 6", 0 },	/* [18] */
	{ "last line bad prev", 6, "PREV is not the hash of record 5: that "
	    "record or this one was changed", 0 },
	{ "last line seq gap", 7, "SEQ 7 where 6 was due", 0 },
};

/* Build damage case i into t; the offset the scan must name. */
static off_t
damage_build(int i, struct trail *t, struct audit_keys *other)
{
	struct cpopt	o;
	char		prev[AUDIT_HEX];
	off_t		at;

	memset(&o, 0, sizeof(o));
	tr_init(t);
	if (i >= 8 && i <= 17) {
		tr_add(t, "opened", "daemon", "format=1");
		tr_add(t, "refused", "eservice:x", "status=400");
		tr_add(t, "refused", "eservice:x", "status=400");
		tr_add(t, "refused", "eservice:x", "status=400");
		switch (i) {
		case 8:  o.head_delta = -1; break;
		case 9:  o.head = P64; break;
		case 10: o.alg = "rsa"; break;
		case 11: o.actor = "eservice:x"; break;
		case 12: o.no_sig = 1; break;
		case 13: o.signer = other; break;
		case 14: o.flip = 1; break;
		case 15: o.signer = other; o.fpr = keys->fpr; break;
		case 16: o.msg_time = "2026-11-22T10:00:00.000001Z"; break;
		case 17: o.upper = 1; break;
		}
		tr_cp(t, &o);
		tr_add(t, "refused", "eservice:x", "status=400");
		return t->off[5];
	}
	switch (i) {
	case 0:
		tr_add(t, "opened", "daemon", "format=1");
		tr_add(t, "refused", "eservice:x", "status=400");
		t->seq++;
		tr_add(t, "refused", "eservice:x", "status=400");
		tr_add(t, "refused", "eservice:x", "status=400");
		return t->off[4];
	case 1:
		tr_add(t, "opened", "daemon", "format=1");
		tr_add(t, "refused", "eservice:x", "status=400");
		at = (off_t)t->buf.len;
		memcpy(prev, t->head, sizeof(prev));
		tr_add_prev(t, 2, "refused", "eservice:x", prev,
		    "status=400");
		return at;
	case 2:
		tr_add(t, "opened", "daemon", "format=1");
		tr_add(t, "refused", "eservice:x", "status=400");
		tr_add_prev(t, 3, "refused", "eservice:x", P64, "status=400");
		tr_add(t, "refused", "eservice:x", "status=400");
		return t->off[3];
	case 3:
		tr_add(t, "opened", "daemon", "format=1");
		tr_add(t, "refused", "eservice:x", "status=400");
		tr_add(t, "refused", "eservice:x", "status=400");
		tr_cp(t, NULL);
		/* "status=400" → "status=401" in record 2: still valid. */
		t->buf.p[t->off[3] - 2] = '1';
		return t->off[3];
	case 4:
		tr_add(t, "opened", "daemon", "format=1");
		tr_add(t, "refused", "eservice:x", "status=400");
		tr_add(t, "refused", "eservice:x", "status=400");
		at = t->off[2];
		memmove(t->buf.p + t->off[2], t->buf.p + t->off[3],
		    t->buf.len - (size_t)t->off[3]);
		t->buf.len -= (size_t)(t->off[3] - t->off[2]);
		return at;
	case 5:
		tr_add_prev(t, 1, "opened", "daemon", P64, "format=1");
		tr_add(t, "refused", "eservice:x", "status=400");
		return 0;
	case 6:
		tr_add_prev(t, 2, "opened", "daemon", Z64, "format=1");
		return 0;
	case 7:
		tr_add(t, "opened", "daemon", "format=1");
		tr_add(t, "refused", "eservice:x", "status=400");
		tr_add(t, "frobbed", "daemon", "x=1");
		tr_add(t, "refused", "eservice:x", "status=400");
		return t->off[3];
	case 18:
		/* A line that does not parse, then good records: damage,
		 * not a torn tail. */
		tr_typical(t);
		at = (off_t)t->buf.len;
		abuf_put(&t->buf, "garbage\n", 8);
		tr_add(t, "refused", "eservice:x", "status=400");
		return at;
	case 19:
		/* A complete last line that parses but breaks the chain. */
		tr_typical(t);
		tr_add_prev(t, 6, "refused", "eservice:x", P64, "status=400");
		return t->off[6];
	case 20:
		tr_typical(t);
		t->seq++;
		tr_add(t, "refused", "eservice:x", "status=400");
		return t->off[7];
	}
	ck_abort_msg("no case %d", i);
	return -1;
}

START_TEST(scan_damage)
{
	struct audit_keys	*other = keys_in("other");
	struct audit_scan	 s;
	struct trail		 t;
	char			 want[600], why[300];
	off_t			 at;
	int			 allow;

	at = damage_build(_i, &t, other);
	put_file(trail, t.buf.p, t.buf.len, "w");
	if (damage[_i].why != NULL)
		snprintf(why, sizeof(why), "%s", damage[_i].why);
	else
		snprintf(why, sizeof(why), "checkpoint signed by another key "
		    "(%.16s…, expected %.16s…)", other->fpr, keys->fpr);
	snprintf(want, sizeof(want), "record %llu (byte %lld): %s",
	    (unsigned long long)damage[_i].bad, (long long)at, why);
	/* Damage is an error whether or not a torn tail is allowed. */
	for (allow = 0; allow <= 1; allow++) {
		memset(&s, 0, sizeof(s));
		if (audit_scan_file(trail, keys, allow, NULL, NULL, &s) != -1)
			ck_abort_msg("%s: not detected", damage[_i].name);
		ck_assert_str_eq(s.error, want);
		ck_assert_uint_eq(s.bad_seq, damage[_i].bad);
		ck_assert_int_eq(s.bad_offset, at);
		ck_assert_int_eq(s.torn, 0);
		ck_assert_int_eq(s.end, at);
	}
	/* A structure-only scan does not see what needs the key. */
	memset(&s, 0, sizeof(s));
	ck_assert_int_eq(audit_scan_file(trail, NULL, 0, NULL, NULL, &s),
	    damage[_i].key ? 0 : -1);
	abuf_free(&t.buf);
	audit_keys_free(other);
}
END_TEST

/*
 * Torn tails: a good trail of 5 records, then bytes that hold no
 * further parseable record.
 */
static const struct {
	const char	*tail;
	size_t		 len;
	const char	*why;
} torn_tails[] = {
	{ "6\t2026-11-22T10:0", 17, "incomplete record (no line feed)" },
	{ "6\t" T0 "\trefused\teservice:x\t" P64 "\tstatus=400", 0,
	  "incomplete record (no line feed)" },
	{ "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 16,
	  "incomplete record (no line feed)" },
	{ "6\t2026\0\0\0\0\0\0", 12, "incomplete record (no line feed)" },
	{ "\0\0\0\n", 4, "1 fields, not 6" },
	{ "6\tgarbage\n", 0, "2 fields, not 6" },
	{ "6\tgarbage\nmore junk\n", 0, "2 fields, not 6" },
	{ "6\tgarbage\n6\t2026-11", 0, "2 fields, not 6" },
	{ "\n", 0, "1 fields, not 6" },
};

START_TEST(scan_torn)
{
	struct audit_scan	 s;
	struct trail		 t;
	char			 want[600], last[AUDIT_HEX];
	size_t			 len = torn_tails[_i].len, good;

	if (len == 0)
		len = strlen(torn_tails[_i].tail);
	tr_typical(&t);
	good = t.buf.len;
	abuf_put(&t.buf, torn_tails[_i].tail, len);
	put_file(trail, t.buf.p, t.buf.len, "w");

	/* Not allowed: an error that says so. */
	ck_assert_int_eq(audit_scan_file(trail, keys, 0, NULL, NULL, &s), -1);
	snprintf(want, sizeof(want), "record 6 (byte %zu): %s; the trail ends "
	    "in %zu bytes that are not a whole record", good,
	    torn_tails[_i].why, len);
	ck_assert_str_eq(s.error, want);
	ck_assert_int_eq(s.torn, (off_t)len);
	ck_assert_int_eq(s.end, (off_t)good);
	ck_assert_uint_eq(s.bad_seq, 6);
	ck_assert_int_eq(s.bad_offset, (off_t)good);

	/* Allowed: the good prefix, and the length of the rest. */
	ck_assert_int_eq(audit_scan_file(trail, keys, 1, NULL, NULL, &s), 0);
	ck_assert_str_eq(s.error, "");
	ck_assert_int_eq(s.torn, (off_t)len);
	ck_assert_int_eq(s.end, (off_t)good);
	ck_assert_uint_eq(s.nrecords, 5);
	ck_assert_uint_eq(s.last_seq, 5);
	ck_assert_uint_eq(s.last_cp_seq, 5);
	hex(s.last_hash, 32, last);
	ck_assert_str_eq(last, t.head);
	abuf_free(&t.buf);
}
END_TEST

START_TEST(scan_torn_only)
{
	struct audit_scan s;

	/* The very first record torn: nothing verifies, all is torn. */
	put_file(trail, "1\t2026-11-22T1", 14, "w");
	ck_assert_int_eq(audit_scan_file(trail, keys, 1, NULL, NULL, &s), 0);
	ck_assert_uint_eq(s.nrecords, 0);
	ck_assert_int_eq(s.end, 0);
	ck_assert_int_eq(s.torn, 14);
	ck_assert_int_eq(audit_scan_file(trail, keys, 0, NULL, NULL, &s), -1);
	ck_assert_uint_eq(s.bad_seq, 1);
	ck_assert_int_eq(s.bad_offset, 0);
}
END_TEST

/* A scan up to a limit (a reader of the durable part of a trail being
 * written) sees the records before it and nothing of what follows: up
 * to a record boundary exactly those; into a record, a torn tail. */
START_TEST(scan_upto)
{
	struct trail		 t;
	struct audit_scan	 s;
	struct seen		*seen = calloc(1, sizeof(*seen));

	tr_typical(&t);
	put_file(trail, t.buf.p, t.buf.len, "w");
	ck_assert_int_eq(audit_scan_file_upto(trail, t.off[4], keys, 0,
	    seen_visit, seen, &s), 0);
	ck_assert_uint_eq(s.nrecords, 3);
	ck_assert_uint_eq(seen->n, 3);
	ck_assert_int_eq(s.end, t.off[4]);
	ck_assert_int_eq(audit_scan_file_upto(trail, t.off[4] + 10, keys, 0,
	    NULL, NULL, &s), -1);
	ck_assert_int_eq(audit_scan_file_upto(trail, t.off[4] + 10, keys, 1,
	    NULL, NULL, &s), 0);
	ck_assert_int_eq(s.end, t.off[4]);
	ck_assert_int_eq(s.torn, 10);
	ck_assert_int_eq(audit_scan_file_upto(trail, 0, keys, 0, NULL, NULL,
	    &s), 0);
	ck_assert_uint_eq(s.nrecords, 0);
	ck_assert_int_eq(audit_scan_file_upto(trail, -1, keys, 0, NULL, NULL,
	    &s), 0);
	ck_assert_uint_eq(s.nrecords, 5);
	abuf_free(&t.buf);
	free(seen);
}
END_TEST

START_TEST(scan_line_max)
{
	struct audit_scan	 s;
	struct abuf		 b = { 0 };
	char			*pl;
	size_t			 fixed, n;

	/* A record of exactly AUDIT_LINE_MAX bytes is fine ... */
	audit_format(&b, 1, T0, "opened", "daemon", Z64, "", 0);
	fixed = b.len;
	b.len = 0;
	n = AUDIT_LINE_MAX - fixed;
	ck_assert_ptr_nonnull(pl = malloc(n + 2));
	memset(pl, 'x', n + 1);
	memcpy(pl, "a=", 2);
	audit_format(&b, 1, T0, "opened", "daemon", Z64, pl, n);
	ck_assert_uint_eq(b.len, AUDIT_LINE_MAX);
	put_file(trail, b.p, b.len, "w");
	expect_scan_ok(keys, 0, &s);
	ck_assert_uint_eq(s.nrecords, 1);
	/* ... one more byte is not. */
	b.len = 0;
	audit_format(&b, 1, T0, "opened", "daemon", Z64, pl, n + 1);
	put_file(trail, b.p, b.len, "w");
	ck_assert_int_eq(audit_scan_file(trail, keys, 0, NULL, NULL, &s), -1);
	ck_assert_ptr_nonnull(strstr(s.error, "record 1 (byte 0): record "
	    "longer than 1048576 bytes"));
	free(pl);
	abuf_free(&b);
}
END_TEST

/* --- writer ------------------------------------------------------ */

static struct event_base	*base;
static struct event		*tick;
static int			 ndone;

/* One job as the intake builds it: received (with the document) and
 * evaluated, or a single record without a document. */
struct tjob {
	struct audit_job	 job;
	char			*doc;
	char			 id[32];
	int			 done;
	int			 order;
};

static void
tjob_done(struct audit_job *j)
{
	struct tjob *t = j->arg;

	t->done++;
	t->order = ndone++;
}

static void
tick_cb(evutil_socket_t fd, short ev, void *arg)
{
	(void)fd; (void)ev; (void)arg;
}

static void
setup_writer(void)
{
	struct timeval tv = { 0, 20 * 1000 };

	setup_keys();
	ck_assert_ptr_nonnull(base = event_base_new());
	/* Something pending, so that EVLOOP_ONCE waits rather than spins. */
	ck_assert_ptr_nonnull(tick = event_new(base, -1, EV_PERSIST, tick_cb,
	    NULL));
	ck_assert_int_eq(event_add(tick, &tv), 0);
	ndone = 0;
}

static void
teardown_writer(void)
{
	event_free(tick);
	event_base_free(base);
	teardown_keys();
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Run the loop until want jobs are done or secs have passed. */
static void
drive(int want, double secs)
{
	double until = now() + secs;

	while (ndone < want && now() < until)
		event_base_loop(base, EVLOOP_ONCE);
	ck_assert_int_eq(ndone, want);
}

static void
drive_for(double secs)
{
	double until = now() + secs;

	while (now() < until)
		event_base_loop(base, EVLOOP_ONCE);
}

static struct audit_writer *
wstart(int cp_records, int cp_seconds, audit_visit visit, void *arg,
    struct audit_scan *s)
{
	struct audit_writer_conf	 c;
	struct audit_writer		*w = NULL;
	struct audit_scan		 scan;
	char				 err[1024];

	memset(&c, 0, sizeof(c));
	c.state_dir = dir;
	c.checkpoint_records = cp_records;
	c.checkpoint_seconds = cp_seconds;
	c.ruleset = RULESET;
	if (audit_writer_start(base, &c, keys, visit, arg, s ? s : &scan, &w,
	    err, sizeof(err)) != 0)
		ck_abort_msg("audit_writer_start: %s", err);
	ck_assert_ptr_nonnull(w);
	ck_assert_int_eq(audit_writer_ok(w), 1);
	return w;
}

/* An application job: document i of doclen bytes (every byte value,
 * LF and NUL included), received in month. */
static void
tjob_app(struct tjob *t, int i, const char *month, size_t doclen)
{
	struct audit_job_rec	*rec;
	size_t			 k;

	memset(t, 0, sizeof(*t));
	snprintf(t->id, sizeof(t->id), "app-%04d", i);
	ck_assert_ptr_nonnull(t->doc = malloc(doclen));
	for (k = 0; k < doclen; k++)
		t->doc[k] = (char)((k * 7 + (size_t)i) & 0xff);
	t->job.doc = t->doc;
	t->job.doclen = doclen;
	sha_hex(t->doc, doclen, t->job.doc_sha);
	snprintf(t->job.doc_month, sizeof(t->job.doc_month), "%s", month);
	t->job.nrec = 2;
	rec = &t->job.rec[0];
	rec->type = "received";
	audit_actor(rec->actor, sizeof(rec->actor), "eservice", "Kommun A");
	rec->with_doc = 1;
	abuf_kv(&rec->payload, "id", t->id);
	abuf_kv(&rec->payload, "sha256", t->job.doc_sha);
	abuf_kvf(&rec->payload, "size", "%zu", doclen);
	abuf_kv(&rec->payload, "applicant", "00112233445566778899aabbccddeeff");
	abuf_kv(&rec->payload, "period", month);
	rec = &t->job.rec[1];
	rec->type = "evaluated";
	snprintf(rec->actor, sizeof(rec->actor), "automated");
	abuf_kv(&rec->payload, "id", t->id);
	abuf_kv(&rec->payload, "outcome", "granted");
	abuf_kvf(&rec->payload, "amount", "%d", 1000 + i);
	abuf_kv(&rec->payload, "reasons", "");
	t->job.done = tjob_done;
	t->job.arg = t;
}

/* A job of one record without a document. */
static void
tjob_one(struct tjob *t, int i)
{
	memset(t, 0, sizeof(*t));
	snprintf(t->id, sizeof(t->id), "ref-%04d", i);
	t->job.nrec = 1;
	t->job.rec[0].type = "refused";
	audit_actor(t->job.rec[0].actor, sizeof(t->job.rec[0].actor),
	    "eservice", "Kommun A");
	abuf_kv(&t->job.rec[0].payload, "status", "400");
	abuf_kv(&t->job.rec[0].payload, "id", t->id);
	t->job.done = tjob_done;
	t->job.arg = t;
}

static void
tjob_free(struct tjob *t)
{
	audit_job_clear(&t->job);
	free(t->doc);
	t->doc = NULL;
}

/*
 * Check a finished job against the file: each record's offset and
 * length are exactly its line, with its SEQ and type; a received
 * record's doc= names the document's entry in its month's segment.
 */
static void
check_job(const char *file, size_t flen, const struct tjob *t)
{
	struct audit_record	 r;
	char			 why[128], ref[64], path[512], hdr[128];
	char			 id[32], *seg, *end;
	size_t			 seglen, hn;
	long long		 off;
	int			 k;

	ck_assert_int_eq(t->done, 1);
	ck_assert_int_eq(t->job.ok, 1);
	for (k = 0; k < t->job.nrec; k++) {
		const struct audit_job_rec *rec = &t->job.rec[k];

		ck_assert_uint_gt(rec->seq, 0);
		ck_assert_uint_le((size_t)rec->offset + rec->len, flen);
		ck_assert_int_eq(rec->offset == 0 ||
		    file[rec->offset - 1] == '\n', 1);
		if (audit_parse(file + rec->offset, rec->len, &r, why,
		    sizeof(why)) != 0)
			ck_abort_msg("%s record %d: %s", t->id, k, why);
		ck_assert_uint_eq(r.seq, rec->seq);
		ck_assert_int_eq(audit_is(&r, rec->type), 1);
		ck_assert_int_eq(audit_get(&r, "id", id, sizeof(id)), 0);
		ck_assert_str_eq(id, t->id);
		if (k > 0)
			ck_assert_uint_eq(rec->seq, t->job.rec[k - 1].seq + 1);
		if (!rec->with_doc || t->job.doc == NULL) {
			ck_assert_int_eq(audit_get(&r, "doc", ref,
			    sizeof(ref)), -1);
			continue;
		}
		/* The payload as given, then "&doc=" at its end. */
		ck_assert_int_eq(memcmp(r.payload, rec->payload.p,
		    rec->payload.len), 0);
		ck_assert_int_eq(memcmp(r.payload + rec->payload.len, "&doc=",
		    5), 0);
		ck_assert_int_eq(audit_get(&r, "doc", ref, sizeof(ref)), 0);
		ck_assert_int_eq(strncmp(ref, t->job.doc_month, 7), 0);
		ck_assert_int_eq(strncmp(ref + 7, ".seg:", 5), 0);
		off = strtoll(ref + 12, &end, 10);
		ck_assert_int_eq(*end, '\0');
		snprintf(path, sizeof(path), "%s/documents/%s.seg", dir,
		    t->job.doc_month);
		ck_assert_ptr_nonnull(seg = slurp(path, &seglen));
		hn = (size_t)snprintf(hdr, sizeof(hdr), "%s %zu\n",
		    t->job.doc_sha, t->job.doclen);
		ck_assert_uint_le((size_t)off + hn + t->job.doclen + 1, seglen);
		if (memcmp(seg + off, hdr, hn) != 0)
			ck_abort_msg("%s: no header at %s: '%.*s'", t->id, ref,
			    (int)hn - 1, seg + off);
		ck_assert_int_eq(memcmp(seg + off + hn, t->job.doc,
		    t->job.doclen), 0);
		ck_assert_int_eq(seg[off + (long long)hn +
		    (long long)t->job.doclen], '\n');
		free(seg);
	}
}

/* Bytes of a document entry in its segment. */
static off_t
entry_size(const struct tjob *t)
{
	return (off_t)(64 + 1 + (size_t)snprintf(NULL, 0, "%zu",
	    t->job.doclen) + 1 + t->job.doclen + 1);
}

static off_t
seg_size(const char *month)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/documents/%s.seg", dir, month);
	return file_size(path);
}

START_TEST(writer_opened)
{
	struct audit_writer	*w;
	struct audit_scan	 s, s2;
	struct audit_record	 r;
	struct seen		*seen = calloc(1, sizeof(*seen));
	struct tm		 tm;
	char			*file, why[128], want[256], path[512];
	size_t			 len;
	time_t			 t;
	struct stat		 sb;

	w = wstart(0, 0, seen_visit, seen, &s);
	/* An empty directory: nothing to replay, then the opened record
	 * is on disk before start returns. */
	ck_assert_uint_eq(seen->n, 0);
	ck_assert_uint_eq(s.nrecords, 0);
	ck_assert_ptr_nonnull(file = slurp(trail, &len));
	ck_assert_int_eq(audit_parse(file, len, &r, why, sizeof(why)), 0);
	ck_assert_uint_eq(r.seq, 1);
	ck_assert_int_eq(audit_is(&r, "opened"), 1);
	ck_assert_int_eq(memcmp(r.actor, "daemon", r.actor_len), 0);
	ck_assert_int_eq(memcmp(r.prev, Z64, 64), 0);
	snprintf(want, sizeof(want), "format=1&ruleset=" RULESET "&key=%s",
	    keys->fpr);
	ck_assert_uint_eq(r.payload_len, strlen(want));
	ck_assert_int_eq(memcmp(r.payload, want, r.payload_len), 0);
	/* TIME is now, in UTC. */
	memset(&tm, 0, sizeof(tm));
	ck_assert_ptr_nonnull(strptime(r.time, "%Y-%m-%dT%H:%M:%S", &tm));
	t = timegm(&tm);
	ck_assert_int_le(labs((long)(t - time(NULL))), 5);
	free(file);
	ck_assert_int_eq(stat(trail, &sb), 0);
	ck_assert_uint_eq(sb.st_mode & 0777, 0600);
	snprintf(path, sizeof(path), "%s/documents", dir);
	ck_assert_int_eq(stat(path, &sb), 0);
	ck_assert_int_eq(S_ISDIR(sb.st_mode), 1);

	/* An orderly stop ends in a checkpoint over the opened record. */
	audit_writer_stop(w);
	expect_scan_ok(keys, 0, &s2);
	ck_assert_uint_eq(s2.nrecords, 2);
	ck_assert_uint_eq(s2.last_cp_seq, 2);
	free(seen);
}
END_TEST

/*
 * Group commit: 200 jobs queued at once. With checkpoint_records 1
 * every batch ends in a checkpoint, so the checkpoints show where the
 * batches were: fewer than 200 batches, and no job split by one.
 */
START_TEST(writer_group_commit)
{
	enum { N = 200 };
	struct audit_writer	*w;
	struct audit_scan	 s;
	struct seen		*seen = calloc(1, sizeof(*seen));
	struct tjob		*jobs = calloc(N, sizeof(*jobs));
	char			*file;
	size_t			 flen, i, nrec = 1, ncp = 0;
	off_t			 seg11 = 0, seg12 = 0;
	uint64_t		 expect;

	w = wstart(1, 3600, NULL, NULL, NULL);
	for (i = 0; i < N; i++) {
		if (i % 10 == 9)
			tjob_one(&jobs[i], (int)i);
		else
			tjob_app(&jobs[i], (int)i, i < 150 ? "2026-11" :
			    "2026-12", 50 + (i * 37) % 700);
	}
	ck_assert_int_eq(audit_writer_durable(w), file_size(trail));
	for (i = 0; i < N; i++)
		audit_writer_submit(w, &jobs[i].job);
	drive(N, 20);
	/* Readers see exactly what is durable: all of it, now. */
	ck_assert_int_eq(audit_writer_durable(w), file_size(trail));
	audit_writer_stop(w);

	ck_assert_ptr_nonnull(file = slurp(trail, &flen));
	ck_assert_int_eq(audit_scan_file(trail, keys, 0, seen_visit, seen,
	    &s), 0);
	ck_assert_int_eq(s.end, (off_t)flen);
	for (i = 0; i < N; i++) {
		ck_assert_int_eq(jobs[i].order, (int)i);	/* FIFO */
		check_job(file, flen, &jobs[i]);
		nrec += (size_t)jobs[i].job.nrec;
		if (jobs[i].job.doc != NULL) {
			if (i < 150)
				seg11 += entry_size(&jobs[i]);
			else
				seg12 += entry_size(&jobs[i]);
		}
		/* SEQs follow on, but for a checkpoint between jobs. */
		if (i == 0)
			continue;
		expect = jobs[i - 1].job.rec[jobs[i - 1].job.nrec - 1].seq + 1;
		if (jobs[i].job.rec[0].seq != expect) {
			ck_assert_uint_eq(jobs[i].job.rec[0].seq, expect + 1);
			ck_assert_str_eq(seen->r[expect - 1].type,
			    "checkpoint");
		}
	}
	/* The segments hold exactly the documents, nothing else. */
	ck_assert_int_eq(seg_size("2026-11"), seg11);
	ck_assert_int_eq(seg_size("2026-12"), seg12);

	/* Every record is the opened one, a job's, or a checkpoint. */
	for (i = 0; i < seen->n; i++) {
		ck_assert_uint_eq(seen->r[i].seq, i + 1);
		if (strcmp(seen->r[i].type, "checkpoint") == 0) {
			ncp++;
			/* Checkpoints come at batch ends: never within a job. */
			ck_assert_str_ne(seen->r[i - 1].type, "received");
		}
	}
	ck_assert_uint_eq(seen->n, nrec + ncp);
	ck_assert_uint_eq(s.ncheckpoints, ncp);
	ck_assert_str_eq(seen->r[seen->n - 1].type, "checkpoint");
	/* One checkpoint per batch: the opened one's, and fewer than one
	 * per job, since jobs were grouped. */
	ck_assert_uint_ge(ncp, 2);
	ck_assert_uint_lt(ncp, N + 1);
	for (i = 0; i < N; i++)
		tjob_free(&jobs[i]);
	free(file);
	free(jobs);
	free(seen);
}
END_TEST

/* checkpoint_records: with jobs one at a time (2 records each) and 5
 * as the limit, the first checkpoint follows record 5 (opened + 2
 * jobs), the next record 5 later. */
START_TEST(writer_checkpoint_records)
{
	struct audit_writer	*w;
	struct audit_scan	 s;
	struct seen		*seen = calloc(1, sizeof(*seen));
	struct tjob		 jobs[5];
	size_t			 i;

	w = wstart(5, 3600, NULL, NULL, NULL);
	for (i = 0; i < 5; i++) {
		tjob_app(&jobs[i], (int)i, "2026-11", 10);
		audit_writer_submit(w, &jobs[i].job);
		drive((int)i + 1, 10);
		ck_assert_int_eq(jobs[i].job.ok, 1);
	}
	expect_scan_ok(keys, 0, &s);
	/* opened 1, jobs 2-3 and 4-5, checkpoint 6 (5 records), jobs
	 * 7-8, 9-10, 11-12, checkpoint 13: checkpoints come at the end of
	 * the batch that reached the count. */
	ck_assert_uint_eq(s.last_seq, 13);
	ck_assert_uint_eq(s.ncheckpoints, 2);
	ck_assert_uint_eq(s.last_cp_seq, 13);
	ck_assert_uint_eq(jobs[2].job.rec[0].seq, 7);
	ck_assert_uint_eq(jobs[4].job.rec[1].seq, 12);
	/* Ending in a checkpoint already, stop adds none. */
	audit_writer_stop(w);
	ck_assert_int_eq(audit_scan_file(trail, keys, 0, seen_visit, seen,
	    &s), 0);
	ck_assert_uint_eq(s.last_seq, 13);
	ck_assert_str_eq(seen->r[5].type, "checkpoint");
	ck_assert_str_eq(seen->r[12].type, "checkpoint");
	ck_assert_uint_eq(s.ncheckpoints, 2);
	for (i = 0; i < 5; i++)
		tjob_free(&jobs[i]);
	free(seen);
}
END_TEST

/* checkpoint_seconds: records written, then idle: a checkpoint comes
 * by itself. */
START_TEST(writer_checkpoint_seconds)
{
	struct audit_writer	*w;
	struct audit_scan	 s;
	struct tjob		 j;
	double			 until;

	w = wstart(1000, 1, NULL, NULL, NULL);
	tjob_app(&j, 1, "2026-11", 10);
	audit_writer_submit(w, &j.job);
	drive(1, 10);
	until = now() + 5;
	do {
		drive_for(0.1);
		ck_assert_int_eq(audit_scan_file(trail, keys, 1, NULL, NULL,
		    &s), 0);
	} while (s.ncheckpoints == 0 && now() < until);
	ck_assert_uint_eq(s.ncheckpoints, 1);
	ck_assert_uint_eq(s.last_seq, 4);
	ck_assert_uint_eq(s.last_cp_seq, 4);
	/* Idle after a checkpoint: no more of them. */
	drive_for(2.2);
	expect_scan_ok(keys, 0, &s);
	ck_assert_uint_eq(s.last_seq, 4);
	audit_writer_stop(w);
	expect_scan_ok(keys, 0, &s);
	ck_assert_uint_eq(s.last_seq, 4);	/* no second final one */
	tjob_free(&j);
}
END_TEST

/* Stop writes what is queued and answers it, then a checkpoint. */
START_TEST(writer_stop_flushes)
{
	struct audit_writer	*w;
	struct audit_scan	 s;
	struct tjob		 jobs[5];
	char			*file;
	size_t			 flen, i;

	w = wstart(0, 0, NULL, NULL, NULL);
	for (i = 0; i < 5; i++) {
		tjob_app(&jobs[i], (int)i, "2026-11", 100);
		audit_writer_submit(w, &jobs[i].job);
	}
	audit_writer_stop(w);		/* the loop never ran */
	ck_assert_int_eq(ndone, 5);
	ck_assert_ptr_nonnull(file = slurp(trail, &flen));
	for (i = 0; i < 5; i++) {
		check_job(file, flen, &jobs[i]);
		tjob_free(&jobs[i]);
	}
	expect_scan_ok(keys, 0, &s);
	ck_assert_uint_eq(s.last_seq, 12);
	ck_assert_uint_eq(s.last_cp_seq, 12);
	ck_assert_uint_eq(s.ncheckpoints, 1);
	free(file);
}
END_TEST

/* A restart replays, continues the chain and the segment. */
START_TEST(writer_restart)
{
	struct audit_writer	*w;
	struct audit_scan	 s;
	struct seen		*seen = calloc(1, sizeof(*seen));
	struct tjob		 a[3], b[2];
	struct audit_record	 r;
	char			*file, why[128], head[AUDIT_HEX];
	size_t			 flen, i, n1;

	w = wstart(0, 0, NULL, NULL, NULL);
	for (i = 0; i < 3; i++) {
		tjob_app(&a[i], (int)i, "2026-11", 300);
		audit_writer_submit(w, &a[i].job);
	}
	drive(3, 10);
	audit_writer_stop(w);
	expect_scan_ok(keys, 0, &s);
	ck_assert_uint_eq(s.last_seq, 8);	/* 1 + 3*2 + checkpoint */
	n1 = (size_t)s.end;
	hex(s.last_hash, 32, head);

	w = wstart(0, 0, seen_visit, seen, &s);
	ck_assert_uint_eq(seen->n, 8);		/* replayed */
	ck_assert_uint_eq(s.last_seq, 8);
	ck_assert_int_eq(s.end, (off_t)n1);
	for (i = 0; i < 2; i++) {
		tjob_app(&b[i], 10 + (int)i, "2026-11", 200);
		audit_writer_submit(w, &b[i].job);
	}
	drive(5, 10);
	audit_writer_stop(w);

	ck_assert_ptr_nonnull(file = slurp(trail, &flen));
	/* Record 9 is the second opened record, chained to record 8. */
	ck_assert_int_eq(audit_parse(file + n1, (size_t)(strchr(file + n1,
	    '\n') - (file + n1) + 1), &r, why, sizeof(why)), 0);
	ck_assert_uint_eq(r.seq, 9);
	ck_assert_int_eq(audit_is(&r, "opened"), 1);
	ck_assert_int_eq(memcmp(r.prev, head, 64), 0);
	for (i = 0; i < 3; i++)
		check_job(file, flen, &a[i]);
	for (i = 0; i < 2; i++)
		check_job(file, flen, &b[i]);
	ck_assert_uint_eq(b[0].job.rec[0].seq, 10);
	ck_assert_int_eq(seg_size("2026-11"), entry_size(&a[0]) * 3 +
	    entry_size(&b[0]) * 2);
	expect_scan_ok(keys, 0, &s);
	ck_assert_uint_eq(s.last_seq, 14);
	ck_assert_uint_eq(s.ncheckpoints, 2);
	for (i = 0; i < 3; i++)
		tjob_free(&a[i]);
	for (i = 0; i < 2; i++)
		tjob_free(&b[i]);
	free(file);
	free(seen);
}
END_TEST

/* The one file named audit.trail.torn-*, or NULL. */
static char *
find_torn(void)
{
	DIR		*d;
	struct dirent	*e;
	char		*found = NULL;
	int		 n = 0;

	ck_assert_ptr_nonnull(d = opendir(dir));
	while ((e = readdir(d)) != NULL)
		if (strncmp(e->d_name, AUDIT_TRAIL ".torn-", 17) == 0) {
			n++;
			free(found);
			ck_assert_ptr_nonnull(found = malloc(600));
			snprintf(found, 600, "%s/%s", dir, e->d_name);
		}
	closedir(d);
	ck_assert_int_le(n, 1);
	return found;
}

static const struct {
	const char	*tail;
	size_t		 len;
} cut_tails[] = {
	{ "9\t2026-11-22T10:00:00.0", 0 },
	{ "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0",
	  32 },
	{ "9\tjunk\n", 0 },
};

START_TEST(writer_cuts_torn_tail)
{
	struct audit_writer	*w;
	struct audit_scan	 s;
	struct audit_record	 r;
	struct tjob		 j;
	char			*file, *kept, *torn, why[128], head[AUDIT_HEX];
	size_t			 flen, klen, good, len = cut_tails[_i].len;

	if (len == 0)
		len = strlen(cut_tails[_i].tail);
	w = wstart(0, 0, NULL, NULL, NULL);
	tjob_app(&j, 1, "2026-11", 100);
	audit_writer_submit(w, &j.job);
	drive(1, 10);
	audit_writer_stop(w);
	tjob_free(&j);
	expect_scan_ok(keys, 0, &s);
	good = (size_t)s.end;
	hex(s.last_hash, 32, head);
	put_file(trail, cut_tails[_i].tail, len, "a");
	ck_assert_ptr_null(find_torn());

	w = wstart(0, 0, NULL, NULL, &s);
	ck_assert_int_eq(s.torn, (off_t)len);
	ck_assert_int_eq(s.end, (off_t)good);
	ck_assert_uint_eq(s.last_seq, 4);
	/* The cut bytes are kept, exactly. */
	ck_assert_ptr_nonnull(torn = find_torn());
	ck_assert_ptr_nonnull(kept = slurp(torn, &klen));
	ck_assert_uint_eq(klen, len);
	ck_assert_int_eq(memcmp(kept, cut_tails[_i].tail, len), 0);
	/* The chain goes on from the last good record. */
	ck_assert_ptr_nonnull(file = slurp(trail, &flen));
	ck_assert_uint_gt(flen, good);
	ck_assert_int_eq(audit_parse(file + good, (size_t)(strchr(file + good,
	    '\n') - (file + good) + 1), &r, why, sizeof(why)), 0);
	ck_assert_uint_eq(r.seq, 5);
	ck_assert_int_eq(audit_is(&r, "opened"), 1);
	ck_assert_int_eq(memcmp(r.prev, head, 64), 0);
	audit_writer_stop(w);
	expect_scan_ok(keys, 0, &s);
	ck_assert_uint_eq(s.last_seq, 6);
	free(file);
	free(kept);
	free(torn);
}
END_TEST

/* The offset of job t's document entry in its segment. */
static long long
doc_offset(const char *file, const struct tjob *t)
{
	struct audit_record	 r;
	char			 why[128], ref[64];

	ck_assert_int_eq(audit_parse(file + t->job.rec[0].offset,
	    t->job.rec[0].len, &r, why, sizeof(why)), 0);
	ck_assert_int_eq(audit_get(&r, "doc", ref, sizeof(ref)), 0);
	return strtoll(strchr(ref, ':') + 1, NULL, 10);
}

/*
 * A batch's documents and records are made durable at once, so a crash
 * can leave the last batch's records on disk without their documents,
 * the newest segment's last ones. Start-up cuts the trail before the
 * first record whose document is not there whole and keeps the bytes,
 * as for a torn line. Six applications; then, as a crash would leave
 * the segment: [0] the last document's bytes zero in part (a page never
 * written), [1] the segment ends inside the last document, [2] it ends
 * where the third document begins.
 */
static const struct {
	int	victim;		/* first job whose document is lost */
	int	how;
} doc_losses[] = { { 5, 0 }, { 5, 1 }, { 2, 2 } };

START_TEST(writer_cuts_records_without_document)
{
	enum { N = 6 };
	struct audit_writer	*w;
	struct audit_scan	 s;
	struct audit_record	 r;
	struct tjob		 jobs[N];
	char			*file, *file2, *kept, *torn, *doc, why[128];
	char			 seg[512], err[512], zeros[64];
	size_t			 flen, flen2, klen, dlen, i;
	int			 v = doc_losses[_i].victim, fd;
	long long		 off;
	off_t			 cut;
	uint64_t		 cut_seq;

	w = wstart(0, 0, NULL, NULL, NULL);
	for (i = 0; i < N; i++)
		tjob_app(&jobs[i], (int)i, "2026-11", 300);
	for (i = 0; i < N; i++)
		audit_writer_submit(w, &jobs[i].job);
	drive(N, 10);
	audit_writer_stop(w);
	ck_assert_ptr_nonnull(file = slurp(trail, &flen));
	cut = jobs[v].job.rec[0].offset;
	cut_seq = jobs[v].job.rec[0].seq;
	off = doc_offset(file, &jobs[v]);
	snprintf(seg, sizeof(seg), "%s/documents/2026-11.seg", dir);
	ck_assert_int_ge(fd = open(seg, O_RDWR), 0);
	memset(zeros, 0, sizeof(zeros));
	switch (doc_losses[_i].how) {
	case 0:
		ck_assert_int_eq(pwrite(fd, zeros, sizeof(zeros), off + 120),
		    (ssize_t)sizeof(zeros));
		break;
	case 1:
		ck_assert_int_eq(ftruncate(fd, off + 100), 0);
		break;
	default:
		ck_assert_int_eq(ftruncate(fd, off), 0);
		break;
	}
	close(fd);

	w = wstart(0, 0, NULL, NULL, &s);
	ck_assert_int_eq(s.torn, 0);
	ck_assert_int_eq(s.end, cut);
	ck_assert_uint_eq(s.last_seq, cut_seq - 1);
	/* The cut bytes are kept, exactly: the lost record and every one
	 * after it (the rest of the batch and the final checkpoint). */
	ck_assert_ptr_nonnull(torn = find_torn());
	ck_assert_ptr_nonnull(kept = slurp(torn, &klen));
	ck_assert_uint_eq(klen, flen - (size_t)cut);
	ck_assert_int_eq(memcmp(kept, file + cut, klen), 0);
	audit_writer_stop(w);
	/* The chain goes on from the last record kept: an opened record
	 * takes the cut one's SEQ. */
	expect_scan_ok(keys, 0, &s);
	ck_assert_ptr_nonnull(file2 = slurp(trail, &flen2));
	ck_assert_int_eq(memcmp(file2, file, (size_t)cut), 0);
	ck_assert_int_eq(audit_parse(file2 + cut, (size_t)(strchr(file2 + cut,
	    '\n') - (file2 + cut) + 1), &r, why, sizeof(why)), 0);
	ck_assert_uint_eq(r.seq, cut_seq);
	ck_assert_int_eq(audit_is(&r, "opened"), 1);
	/* The documents of the records kept are all there. */
	for (i = 0; i < (size_t)v; i++) {
		ck_assert_int_eq(audit_parse(file + jobs[i].job.rec[0].offset,
		    jobs[i].job.rec[0].len, &r, why, sizeof(why)), 0);
		if (audit_read_document(dir, &r, &doc, &dlen, err,
		    sizeof(err)) != 0)
			ck_abort_msg("job %zu: %s", i, err);
		ck_assert_uint_eq(dlen, 300);
		ck_assert_int_eq(memcmp(doc, jobs[i].doc, dlen), 0);
		free(doc);
	}
	for (i = 0; i < N; i++)
		tjob_free(&jobs[i]);
	free(file);
	free(file2);
	free(kept);
	free(torn);
}
END_TEST

/* A batch that crosses into a new month: the old month's segment is
 * finished (and synced) before the new one's documents are written, so
 * only the new segment's can be lost. Losing the last of them cuts from
 * its record; the old month's documents are all there. */
START_TEST(writer_cuts_in_new_month)
{
	enum { N = 6 };
	struct audit_writer	*w;
	struct audit_scan	 s;
	struct audit_record	 r;
	struct tjob		 jobs[N];
	char			*file, *doc, why[128], seg[512], err[512];
	size_t			 flen, dlen, i;

	w = wstart(0, 0, NULL, NULL, NULL);
	for (i = 0; i < N; i++)
		tjob_app(&jobs[i], (int)i, i < 3 ? "2026-11" : "2026-12", 200);
	for (i = 0; i < N; i++)
		audit_writer_submit(w, &jobs[i].job);
	drive(N, 10);
	audit_writer_stop(w);
	ck_assert_ptr_nonnull(file = slurp(trail, &flen));
	snprintf(seg, sizeof(seg), "%s/documents/2026-12.seg", dir);
	ck_assert_int_eq(truncate(seg, doc_offset(file, &jobs[N - 1]) + 50),
	    0);
	w = wstart(0, 0, NULL, NULL, &s);
	ck_assert_int_eq(s.end, jobs[N - 1].job.rec[0].offset);
	ck_assert_uint_eq(s.last_seq, jobs[N - 1].job.rec[0].seq - 1);
	audit_writer_stop(w);
	for (i = 0; i < N - 1; i++) {
		ck_assert_int_eq(audit_parse(file + jobs[i].job.rec[0].offset,
		    jobs[i].job.rec[0].len, &r, why, sizeof(why)), 0);
		if (audit_read_document(dir, &r, &doc, &dlen, err,
		    sizeof(err)) != 0)
			ck_abort_msg("job %zu: %s", i, err);
		free(doc);
	}
	for (i = 0; i < N; i++)
		tjob_free(&jobs[i]);
	free(file);
}
END_TEST

/* What start-up must not cut: [0] a segment that is not there at all
 * (retention removed it, or a person did: not a crash); [1] a lost
 * document older than the last batch can be; [2] a lost document that
 * later whole ones follow — not the shape a crash leaves, so its record
 * may have been acknowledged. Reading the document will say what is
 * wrong; the records stay. */
START_TEST(writer_keeps_records_beyond_crash)
{
	enum { N = 2100 };
	struct audit_writer	*w;
	struct audit_scan	 s, s2;
	struct tjob		*jobs = calloc(N + 1, sizeof(*jobs));
	char			*file, seg[512], zeros[64];
	size_t			 flen, n = _i == 1 ? N + 1 : 3, i;
	int			 fd;

	w = wstart(0, 0, NULL, NULL, NULL);
	tjob_app(&jobs[0], 0, "2026-11", 300);
	for (i = 1; i < n; i++) {
		if (_i == 2)
			tjob_app(&jobs[i], (int)i, "2026-11", 300);
		else
			tjob_one(&jobs[i], (int)i);
	}
	for (i = 0; i < n; i++)
		audit_writer_submit(w, &jobs[i].job);
	drive((int)n, 30);
	audit_writer_stop(w);
	expect_scan_ok(keys, 0, &s);
	ck_assert_ptr_nonnull(file = slurp(trail, &flen));
	snprintf(seg, sizeof(seg), "%s/documents/2026-11.seg", dir);
	if (_i == 0)
		ck_assert_int_eq(unlink(seg), 0);
	else {
		if (_i == 1)
			/* More than a batch's records back. */
			ck_assert_uint_gt(s.last_seq -
			    jobs[0].job.rec[0].seq, 512 * AUDIT_JOB_RECS + 1);
		memset(zeros, 0, sizeof(zeros));
		ck_assert_int_ge(fd = open(seg, O_RDWR), 0);
		ck_assert_int_eq(pwrite(fd, zeros, sizeof(zeros),
		    doc_offset(file, &jobs[0]) + 120), (ssize_t)sizeof(zeros));
		close(fd);
	}
	w = wstart(0, 0, NULL, NULL, &s2);
	ck_assert_ptr_null(find_torn());
	ck_assert_int_eq(s2.end, (off_t)flen);
	ck_assert_uint_eq(s2.last_seq, s.last_seq);
	audit_writer_stop(w);
	for (i = 0; i < n; i++)
		tjob_free(&jobs[i]);
	free(jobs);
	free(file);
}
END_TEST

/*
 * The largest loss a crash can leave: a whole batch of 512 jobs of
 * AUDIT_JOB_RECS records each, its checkpoint after them, every
 * document lost. All 2 049 records are cut, and not one before them.
 */
START_TEST(writer_cuts_whole_batch)
{
	enum { N = 600, LOST = 512 };
	struct audit_writer	*w;
	struct audit_scan	 s;
	struct tjob		*jobs = calloc(N, sizeof(*jobs));
	struct audit_job_rec	*rec;
	char			*file, *torn, seg[512];
	size_t			 flen, i, k;
	uint64_t		 last;

	ck_assert_int_eq(AUDIT_JOB_RECS, 4);
	w = wstart(100000, 3600, NULL, NULL, NULL);
	for (i = 0; i < N; i++) {
		tjob_app(&jobs[i], (int)i, "2026-11", 40);
		for (k = 2; k < AUDIT_JOB_RECS; k++) {
			rec = &jobs[i].job.rec[k];
			rec->type = "refused";
			audit_actor(rec->actor, sizeof(rec->actor),
			    "eservice", "Kommun A");
			abuf_kv(&rec->payload, "status", "400");
			abuf_kv(&rec->payload, "id", jobs[i].id);
		}
		jobs[i].job.nrec = AUDIT_JOB_RECS;
	}
	for (i = 0; i < N; i++)
		audit_writer_submit(w, &jobs[i].job);
	drive(N, 30);
	audit_writer_stop(w);
	expect_scan_ok(keys, 0, &s);
	last = s.last_seq;
	ck_assert_ptr_nonnull(file = slurp(trail, &flen));
	/* From the first lost job's received record to the final
	 * checkpoint: exactly a batch's records at most. */
	ck_assert_uint_eq(last - jobs[N - LOST].job.rec[0].seq + 1,
	    LOST * AUDIT_JOB_RECS + 1);
	snprintf(seg, sizeof(seg), "%s/documents/2026-11.seg", dir);
	ck_assert_int_eq(truncate(seg, doc_offset(file,
	    &jobs[N - LOST])), 0);
	w = wstart(100000, 3600, NULL, NULL, &s);
	ck_assert_int_eq(s.end, jobs[N - LOST].job.rec[0].offset);
	ck_assert_uint_eq(s.last_seq, jobs[N - LOST].job.rec[0].seq - 1);
	audit_writer_stop(w);
	ck_assert_ptr_nonnull(torn = find_torn());
	ck_assert_int_eq(file_size(torn),
	    (off_t)flen - jobs[N - LOST].job.rec[0].offset);
	for (i = 0; i < N; i++)
		tjob_free(&jobs[i]);
	free(jobs);
	free(file);
	free(torn);
}
END_TEST

/* An edited record in the last batch's window is not taken for a
 * crash: nothing is cut, and the scan refuses the trail as before. */
START_TEST(writer_edit_is_not_cut)
{
	enum { N = 6 };
	struct audit_writer_conf	 c;
	struct audit_writer		*w = NULL;
	struct audit_scan		 s;
	struct tjob			 jobs[N];
	char				*file, *p, err[1024];
	size_t				 flen, i;

	w = wstart(0, 0, NULL, NULL, NULL);
	for (i = 0; i < N; i++)
		tjob_app(&jobs[i], (int)i, "2026-11", 300);
	for (i = 0; i < N; i++)
		audit_writer_submit(w, &jobs[i].job);
	drive(N, 10);
	audit_writer_stop(w);
	ck_assert_ptr_nonnull(file = slurp(trail, &flen));
	/* One hex digit of the last job's sha256: its document no longer
	 * matches — the shape of a lost one — but the next record's PREV
	 * no longer either. */
	p = memmem(file + jobs[N - 1].job.rec[0].offset,
	    jobs[N - 1].job.rec[0].len, "sha256=", 7);
	ck_assert_ptr_nonnull(p);
	p[7] = p[7] == '0' ? '1' : '0';
	put_file(trail, file, flen, "w");
	memset(&c, 0, sizeof(c));
	c.state_dir = dir;
	c.ruleset = RULESET;
	ck_assert_int_eq(audit_writer_start(base, &c, keys, NULL, NULL, &s, &w,
	    err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "PREV"));
	ck_assert_ptr_null(find_torn());
	ck_assert_int_eq(file_size(trail), (off_t)flen);
	for (i = 0; i < N; i++)
		tjob_free(&jobs[i]);
	free(file);
}
END_TEST

/* Checkpoints (one per batch with checkpoint_records 1) split the trail
 * into batches: count the jobs of each. */
struct batches {
	size_t	 jobs;		/* in the current batch */
	size_t	 most;
	size_t	 n;
};

static int
batch_visit(const struct audit_record *r, void *arg)
{
	struct batches *b = arg;

	if (audit_is(r, "checkpoint")) {
		if (b->jobs > b->most)
			b->most = b->jobs;
		b->jobs = 0;
		b->n++;
	} else if (!audit_is(r, "opened"))
		b->jobs++;
	return 0;
}

/* 1 500 jobs queued at once go in batches of at most 512 (what
 * start-up's check after a crash relies on), and in order. */
START_TEST(writer_batch_bound)
{
	enum { N = 1500 };
	struct audit_writer	*w;
	struct audit_scan	 s;
	struct batches		 b;
	struct tjob		*jobs = calloc(N, sizeof(*jobs));
	size_t			 i;

	w = wstart(1, 3600, NULL, NULL, NULL);
	for (i = 0; i < N; i++)
		tjob_one(&jobs[i], (int)i);
	for (i = 0; i < N; i++)
		audit_writer_submit(w, &jobs[i].job);
	drive(N, 30);
	audit_writer_stop(w);
	memset(&b, 0, sizeof(b));
	ck_assert_int_eq(audit_scan_file(trail, keys, 0, batch_visit, &b,
	    &s), 0);
	ck_assert_uint_eq(b.jobs, 0);
	ck_assert_uint_le(b.most, 512);
	ck_assert_uint_ge(b.n, 1 + (N + 511) / 512);
	for (i = 0; i < N; i++) {
		ck_assert_int_eq(jobs[i].order, (int)i);
		ck_assert_int_eq(jobs[i].job.ok, 1);
		tjob_free(&jobs[i]);
	}
	free(jobs);
}
END_TEST

/* Damage before the end: the writer does not start, nothing is cut or
 * written. */
START_TEST(writer_refuses_damage)
{
	struct audit_writer_conf	 c;
	struct audit_writer		*w = NULL;
	struct audit_keys		*other;
	struct audit_scan		 s;
	struct trail			 t;
	char				 err[1024], want[600];
	size_t				 at;

	tr_typical(&t);
	at = t.buf.len;
	abuf_put(&t.buf, "garbage\n", 8);
	tr_add(&t, "refused", "eservice:x", "status=400");
	put_file(trail, t.buf.p, t.buf.len, "w");
	memset(&c, 0, sizeof(c));
	c.state_dir = dir;
	c.ruleset = RULESET;
	ck_assert_int_eq(audit_writer_start(base, &c, keys, NULL, NULL, &s, &w,
	    err, sizeof(err)), -1);
	ck_assert_ptr_null(w);
	snprintf(want, sizeof(want), "%s: record 6 (byte %zu): 1 fields, not "
	    "6", trail, at);
	ck_assert_str_eq(err, want);
	ck_assert_uint_eq(s.bad_seq, 6);
	ck_assert_int_eq(file_size(trail), (off_t)t.buf.len);
	ck_assert_ptr_null(find_torn());

	/* A trail signed by another key is not ours to continue. */
	abuf_free(&t.buf);
	tr_typical(&t);
	put_file(trail, t.buf.p, t.buf.len, "w");
	other = keys_in("other");
	ck_assert_int_eq(audit_writer_start(base, &c, other, NULL, NULL, &s,
	    &w, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "checkpoint signed by another key"));
	ck_assert_int_eq(file_size(trail), (off_t)t.buf.len);
	audit_keys_free(other);
	abuf_free(&t.buf);
}
END_TEST

/*
 * While the file size limit is on, nothing may call check's assertions:
 * a passing one writes to check's message file, which the limit would
 * refuse. So these helpers only observe, and the test asserts after
 * lifting the limit.
 */
static int
set_fsize(rlim_t lim)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_FSIZE, &rl) == -1)
		return -1;
	rl.rlim_cur = lim;
	return setrlimit(RLIMIT_FSIZE, &rl);
}

static int
drive_quiet(int want, double secs)
{
	double until = now() + secs;

	while (ndone < want && now() < until)
		event_base_loop(base, EVLOOP_ONCE);
	return ndone;
}

/* What a failed phase left behind. */
struct after_fail {
	int		 done;		/* jobs done */
	int		 ok;		/* audit_writer_ok */
	off_t		 trail;		/* sizes */
	off_t		 seg;
	int		 scan_rc;
	struct audit_scan scan;
};

static void
observe(struct audit_writer *w, int want, struct after_fail *o)
{
	o->done = drive_quiet(want, 10);
	o->ok = audit_writer_ok(w);
	o->trail = file_size(trail);
	o->seg = seg_size("2026-11");
	o->scan_rc = audit_scan_file(trail, keys, 0, NULL, NULL, &o->scan);
}

/* Wait for audit_writer_ok to become want; seconds it took. */
static double
wait_ok(struct audit_writer *w, int want, double secs)
{
	double start = now();

	while (audit_writer_ok(w) != want && now() - start < secs)
		drive_for(0.02);
	ck_assert_int_eq(audit_writer_ok(w), want);
	return now() - start;
}

/* Let jobs fail under a file size limit of lim bytes, then lift it. */
static void
fail_phase(struct audit_writer *w, off_t lim, struct tjob *j, int n,
    struct after_fail *o)
{
	struct rlimit	old;
	int		i, rc;

	ck_assert_int_eq(getrlimit(RLIMIT_FSIZE, &old), 0);
	rc = set_fsize((rlim_t)lim);
	for (i = 0; i < n; i++)
		audit_writer_submit(w, &j[i].job);
	observe(w, ndone + n, o);
	ck_assert_int_eq(set_fsize(old.rlim_cur), 0);
	ck_assert_int_eq(rc, 0);
	for (i = 0; i < n; i++) {
		ck_assert_int_eq(j[i].done, 1);
		ck_assert_int_eq(j[i].job.ok, 0);
	}
	ck_assert_int_eq(o->ok, 0);
	ck_assert_int_eq(o->scan_rc, 0);
	ck_assert_int_eq(o->scan.torn, 0);
	ck_assert_int_eq(o->scan.end, o->trail);
}

/*
 * fdatasync and fsync, wrapped (the Makefile links check_audit with
 * --wrap=fdatasync --wrap=fsync): the next call on a descriptor whose
 * path ends in fail_sync_suffix (fdatasync: the writer's files) or
 * fail_fsync_suffix (fsync: directories) fails with EIO, once. Atomic:
 * the writer and its syncer call them from their own threads.
 */
int	__real_fdatasync(int);
int	__wrap_fdatasync(int);
int	__real_fsync(int);
int	__wrap_fsync(int);
static const char *_Atomic	fail_sync_suffix;
static const char *_Atomic	fail_fsync_suffix;

/* Whether this call on fd is the one to fail (and *which is spent). */
static int
fail_once(int fd, const char *_Atomic *which)
{
	const char	*suffix = atomic_load(which);
	char		 link[64], path[512];
	ssize_t		 n;

	if (suffix == NULL)
		return 0;
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	if ((n = readlink(link, path, sizeof(path) - 1)) <= 0)
		return 0;
	path[n] = '\0';
	return (size_t)n >= strlen(suffix) &&
	    strcmp(path + n - strlen(suffix), suffix) == 0 &&
	    atomic_compare_exchange_strong(which, &suffix, NULL);
}

int
__wrap_fdatasync(int fd)
{
	if (fail_once(fd, &fail_sync_suffix)) {
		errno = EIO;
		return -1;
	}
	return __real_fdatasync(fd);
}

int
__wrap_fsync(int fd)
{
	if (fail_once(fd, &fail_fsync_suffix)) {
		errno = EIO;
		return -1;
	}
	return __real_fsync(fd);
}

/* Writing works again: ok by itself, its probe a checkpoint. */
static void
recovers(struct audit_writer *w, uint64_t seq)
{
	struct audit_scan	s;
	double			took;

	took = wait_ok(w, 1, 3);
	ck_assert(took < 2.5);
	expect_scan_ok(keys, 0, &s);
	ck_assert_uint_eq(s.last_seq, seq);
	ck_assert_uint_eq(s.last_cp_seq, seq);
}

static void
submit_ok(struct audit_writer *w, struct tjob *j)
{
	audit_writer_submit(w, &j->job);
	drive(ndone + 1, 10);
	ck_assert_int_eq(j->job.ok, 1);
}

/*
 * Writes fail (RLIMIT_FSIZE on the test's own process: check forks
 * each test): jobs fail, nothing partial stays in the trail or in a
 * segment, and once writing works again the writer is ok by itself.
 * Limits are a few bytes above a file's size, so writes fail half-way;
 * each phase takes a different path through the undo:
 *
 *  0. a record alone: the trail write fails;
 *  1. the first document of the run: its segment is opened in the
 *     batch and the document write fails;
 *  2. a document to the open segment fails;
 *  3. a document to a segment opened in the batch is durable, then the
 *     trail write fails.
 *
 * Observations are made right after the failed job completes (the
 * writer's next probe is a second away) and asserted after the limit
 * is lifted.
 */
START_TEST(writer_write_failure)
{
	struct audit_writer	*w;
	struct audit_scan	 s;
	struct after_fail	 o;
	struct tjob		 f0[2], f1[1], f2[1], f3[1], b, d, e;
	char			*file;
	size_t			 flen;
	off_t			 size, seg;

	signal(SIGXFSZ, SIG_IGN);
	w = wstart(1000, 3600, NULL, NULL, NULL);
	tjob_one(&f0[0], 1);
	tjob_one(&f0[1], 2);
	tjob_app(&f1[0], 3, "2026-11", 1500);
	tjob_app(&b, 4, "2026-11", 1500);
	tjob_app(&f2[0], 5, "2026-11", 1500);
	tjob_app(&d, 6, "2026-11", 700);
	tjob_app(&f3[0], 7, "2026-12", 100);
	tjob_app(&e, 8, "2026-12", 300);

	/* 0. */
	size = file_size(trail);
	fail_phase(w, size + 40, f0, 2, &o);
	ck_assert_int_eq(o.trail, size);
	ck_assert_uint_eq(o.scan.last_seq, 1);
	recovers(w, 2);

	/* 1. */
	size = file_size(trail);
	fail_phase(w, size + 40, f1, 1, &o);
	ck_assert_int_eq(o.trail, size);
	ck_assert_int_le(o.seg, 0);
	recovers(w, 3);
	submit_ok(w, &b);
	ck_assert_int_eq(seg_size("2026-11"), entry_size(&b));

	/* 2. */
	size = file_size(trail);
	seg = seg_size("2026-11");
	ck_assert_int_gt(seg, size);
	fail_phase(w, seg + 40, f2, 1, &o);
	ck_assert_int_eq(o.trail, size);
	ck_assert_int_eq(o.seg, seg);
	recovers(w, 6);
	submit_ok(w, &d);

	/* 3. */
	size = file_size(trail);
	ck_assert_int_gt(size, entry_size(&f3[0]));
	fail_phase(w, size + 40, f3, 1, &o);
	ck_assert_int_eq(o.trail, size);
	ck_assert_int_le(seg_size("2026-12"), 0);
	recovers(w, 9);
	submit_ok(w, &e);
	audit_writer_stop(w);

	/* Only what succeeded is there, each document where it is named. */
	ck_assert_ptr_nonnull(file = slurp(trail, &flen));
	check_job(file, flen, &b);
	check_job(file, flen, &d);
	check_job(file, flen, &e);
	ck_assert_int_eq(seg_size("2026-11"), entry_size(&b) +
	    entry_size(&d));
	ck_assert_int_eq(seg_size("2026-12"), entry_size(&e));
	expect_scan_ok(keys, 0, &s);
	/* 1 opened, 2 and 3 probes, 4-5 b, 6 probe, 7-8 d, 9 probe,
	 * 10-11 e, 12 the final checkpoint. */
	ck_assert_uint_eq(b.job.rec[0].seq, 4);
	ck_assert_uint_eq(d.job.rec[0].seq, 7);
	ck_assert_uint_eq(e.job.rec[0].seq, 10);
	ck_assert_uint_eq(s.last_seq, 12);
	ck_assert_uint_eq(s.ncheckpoints, 5);
	free(file);
	tjob_free(&f0[0]);
	tjob_free(&f0[1]);
	tjob_free(&f1[0]);
	tjob_free(&b);
	tjob_free(&f2[0]);
	tjob_free(&d);
	tjob_free(&f3[0]);
	tjob_free(&e);
}
END_TEST

/*
 * Arm hook with suffix and submit f: its batch fails once (the hook is
 * used up), f fails, and the batch is undone as for a failed write —
 * the trail at size and November's segment at seg, the trail scans to
 * its end, the writer is not ok.
 */
static void
batch_fails(struct audit_writer *w, struct tjob *f,
    const char *_Atomic *hook, const char *suffix, off_t size, off_t seg)
{
	struct after_fail o;

	atomic_store(hook, suffix);
	audit_writer_submit(w, &f->job);
	observe(w, ndone + 1, &o);
	ck_assert_ptr_null(atomic_load(hook));	/* it failed */
	ck_assert_int_eq(f->done, 1);
	ck_assert_int_eq(f->job.ok, 0);
	ck_assert_int_eq(o.ok, 0);
	ck_assert_int_eq(o.trail, size);
	ck_assert_int_eq(o.seg, seg);
	ck_assert_int_eq(o.scan_rc, 0);
	ck_assert_int_eq(o.scan.end, size);
}

/*
 * One of a batch's two fdatasyncs fails on its own (the documents'
 * on the syncer thread [0], the trail's on the writer [1]): the batch
 * is undone as for a failed write — its jobs fail, both files go back
 * to their durable sizes, the writer is not ok — and comes back by
 * itself; the next batch is durable, the trail verifies.
 */
START_TEST(writer_sync_failure)
{
	struct audit_writer	*w;
	struct audit_scan	 s;
	struct tjob		 a, f, b;
	off_t			 size, seg;

	w = wstart(1000, 3600, NULL, NULL, NULL);
	tjob_app(&a, 1, "2026-11", 500);
	tjob_app(&f, 2, "2026-11", 500);
	tjob_app(&b, 3, "2026-11", 500);
	submit_ok(w, &a);
	size = file_size(trail);
	seg = seg_size("2026-11");
	batch_fails(w, &f, &fail_sync_suffix,
	    _i == 0 ? ".seg" : "/" AUDIT_TRAIL, size, seg);
	recovers(w, 4);		/* opened, a's two, the probe's checkpoint */
	submit_ok(w, &b);
	audit_writer_stop(w);
	expect_scan_ok(keys, 0, &s);
	ck_assert_uint_eq(s.last_seq, 7);	/* b's two, the final checkpoint */
	ck_assert_int_eq(seg_size("2026-11"), seg + entry_size(&b));
	tjob_free(&a);
	tjob_free(&f);
	tjob_free(&b);
}
END_TEST

/*
 * The documents directory's fsync fails as a new month's segment is
 * opened (a crash could lose the new file's entry while records name
 * it): that batch fails and is undone like a failed write, the writer
 * comes back by itself, and the month's next job opens the segment
 * again — the directory synced this time — and is durable.
 */
START_TEST(writer_dir_sync_failure)
{
	struct audit_writer	*w;
	struct audit_scan	 s;
	struct tjob		 a, f, b;
	off_t			 size, seg;

	w = wstart(1000, 3600, NULL, NULL, NULL);
	tjob_app(&a, 1, "2026-11", 500);
	tjob_app(&f, 2, "2026-12", 500);
	tjob_app(&b, 3, "2026-12", 500);
	submit_ok(w, &a);
	size = file_size(trail);
	seg = seg_size("2026-11");
	batch_fails(w, &f, &fail_fsync_suffix, "/documents", size, seg);
	ck_assert_int_eq(seg_size("2026-12"), 0);
	recovers(w, 4);		/* opened, a's two, the probe's checkpoint */
	submit_ok(w, &b);
	audit_writer_stop(w);
	expect_scan_ok(keys, 0, &s);
	ck_assert_uint_eq(s.last_seq, 7);	/* b's two, the final checkpoint */
	ck_assert_int_eq(seg_size("2026-12"), entry_size(&b));
	ck_assert_int_eq(seg_size("2026-11"), seg);
	tjob_free(&a);
	tjob_free(&f);
	tjob_free(&b);
}
END_TEST

/*
 * Parsing ahead on a second thread: trails of many chunks (the chunk
 * made small here), damaged at the first and last record of chunks,
 * must scan exactly as on one thread — same result, same message, the
 * same records visited in order and nothing after the first error.
 */
#define BIG_RECORDS	1500

struct big {
	struct trail	 t;
	off_t		 off[BIG_RECORDS + 2];	/* by SEQ; [n + 1]: end */
	uint64_t	 n;
};

/* Records of varying length, a checkpoint every 100, and (with long)
 * three records of ~300 KB that span whole chunks. */
static void
big_build(struct big *b, int with_long)
{
	char		*pl;
	uint64_t	 i;
	size_t		 n;

	ck_assert_ptr_nonnull(pl = malloc(300 * 1024 + BIG_RECORDS + 64));
	tr_init(&b->t);
	for (i = 1; i <= BIG_RECORDS; i++) {
		b->off[i] = (off_t)b->t.buf.len;
		if (i % 100 == 0)
			tr_cp(&b->t, NULL);
		else if (with_long && i % 500 == 250) {
			n = 300 * 1024 + (size_t)i;
			memset(pl, 'x', n);
			memcpy(pl, "a=", 2);
			pl[n] = '\0';
			tr_add(&b->t, "refused", "eservice:x", pl);
		} else {
			n = (size_t)(i * 7919 % 300);
			memset(pl, 'y', n);
			pl[n] = '\0';
			snprintf(pl, 40, "status=400&n=%llu&pad=",
			    (unsigned long long)i);
			pl[strlen(pl)] = n > 40 ? 'y' : '\0';
			tr_add(&b->t, "refused", "eservice:x", pl);
		}
	}
	b->n = BIG_RECORDS;
	b->off[b->n + 1] = (off_t)b->t.buf.len;
	free(pl);
}

/* The first record starting at or after byte at. */
static uint64_t
big_at(const struct big *b, off_t at)
{
	uint64_t i;

	for (i = 1; i <= b->n; i++)
		if (b->off[i] >= at)
			return i;
	return b->n;
}

struct visits {
	size_t		 n;
	uint64_t	 stop_at;
	uint64_t	 seq[BIG_RECORDS + 1];
	off_t		 off[BIG_RECORDS + 1];
	unsigned char	 hash[BIG_RECORDS + 1][32];
};

static int
visits_add(const struct audit_record *r, void *arg)
{
	struct visits *v = arg;

	if (v->stop_at != 0 && r->seq == v->stop_at)
		return 1;
	ck_assert_uint_le(v->n, BIG_RECORDS);
	v->seq[v->n] = r->seq;
	v->off[v->n] = r->offset;
	memcpy(v->hash[v->n], r->hash, 32);
	v->n++;
	return 0;
}

/* Scan trail on one thread and with chunk bytes on two; both must
 * agree in everything. rc of the single-threaded scan, its result in
 * one. */
static int
scan_both(size_t chunk, int allow_torn, uint64_t stop_at,
    struct audit_scan *one)
{
	struct visits	*v1 = calloc(1, sizeof(*v1));
	struct visits	*v2 = calloc(1, sizeof(*v2));
	struct audit_scan s2;
	int		 rc1, rc2;

	ck_assert_ptr_nonnull(v1);
	ck_assert_ptr_nonnull(v2);
	v1->stop_at = v2->stop_at = stop_at;
	audit_scan_tune(0, 0);
	rc1 = audit_scan_file(trail, keys, allow_torn, visits_add, v1, one);
	audit_scan_tune(chunk, 1);
	rc2 = audit_scan_file(trail, keys, allow_torn, visits_add, v2, &s2);
	audit_scan_tune(0, 1);
	ck_assert_int_eq(rc1, rc2);
	ck_assert_str_eq(one->error, s2.error);
	ck_assert_uint_eq(one->nrecords, s2.nrecords);
	ck_assert_uint_eq(one->ncheckpoints, s2.ncheckpoints);
	ck_assert_uint_eq(one->last_seq, s2.last_seq);
	ck_assert_uint_eq(one->last_cp_seq, s2.last_cp_seq);
	ck_assert_int_eq(memcmp(one->last_hash, s2.last_hash, 32), 0);
	ck_assert_int_eq(one->end, s2.end);
	ck_assert_int_eq(one->torn, s2.torn);
	ck_assert_uint_eq(one->bad_seq, s2.bad_seq);
	ck_assert_int_eq(one->bad_offset, s2.bad_offset);
	ck_assert_uint_eq(v1->n, v2->n);
	ck_assert_int_eq(memcmp(v1->seq, v2->seq, v1->n * sizeof(v1->seq[0])),
	    0);
	ck_assert_int_eq(memcmp(v1->off, v2->off, v1->n * sizeof(v1->off[0])),
	    0);
	ck_assert_int_eq(memcmp(v1->hash, v2->hash, v1->n * 32), 0);
	/* Nothing after the first error (or the stop) was visited. */
	ck_assert_uint_eq(v1->n, one->nrecords);
	free(v1);
	free(v2);
	return rc1;
}

static const size_t chunks[] = { 4096, 65536, 1000, 97 };

START_TEST(scan_threaded_clean)
{
	struct audit_scan	 s;
	struct big		*b = calloc(1, sizeof(*b));
	size_t			 c;

	ck_assert_ptr_nonnull(b);
	big_build(b, _i);
	put_file(trail, b->t.buf.p, b->t.buf.len, "w");
	for (c = 0; c < sizeof(chunks) / sizeof(chunks[0]); c++) {
		ck_assert_int_eq(scan_both(chunks[c], 0, 0, &s), 0);
		ck_assert_uint_eq(s.nrecords, BIG_RECORDS);
		ck_assert_uint_eq(s.ncheckpoints, BIG_RECORDS / 100);
		ck_assert_int_eq(s.end, (off_t)b->t.buf.len);
		/* The visitor stops at a chunk's first record. */
		ck_assert_int_eq(scan_both(chunks[c], 1,
		    big_at(b, 5 * (off_t)chunks[c]), &s), -1);
		ck_assert_str_eq(s.error, "stopped by the caller");
	}
	/* The default chunk: too big for a thread without the long
	 * records, four chunks or more with them. */
	ck_assert_int_eq(scan_both(0, 0, 0, &s), 0);
	abuf_free(&b->t.buf);
	free(b);
}
END_TEST

/* Damage kinds, each applied to one record. */
enum { DMG_BYTE, DMG_TAB, DMG_LF, DMG_CUT, DMG_LONG, DMG_SIG, DMG_N };

START_TEST(scan_threaded_damage)
{
	static const char	 sigpat[] = "&sig=";
	struct audit_scan	 s;
	struct big		*b = calloc(1, sizeof(*b));
	struct abuf		 d = { 0 };
	const char		*p;
	char			*line;
	size_t			 c, w, len;
	uint64_t		 at[8], r;
	off_t			 o, whole;
	int			 kind = _i, allow, rc, torn, k;

	ck_assert_ptr_nonnull(b);
	big_build(b, 0);
	whole = (off_t)b->t.buf.len;
	for (c = 0; c < sizeof(chunks) / sizeof(chunks[0]); c++) {
		o = (off_t)chunks[c];
		/* First and last records of chunks: the very first, of
		 * the second chunk, of one in the middle, of the last. */
		at[0] = 1;
		at[1] = big_at(b, o);
		at[2] = at[1] - 1;
		at[3] = big_at(b, (whole / o / 2) * o);
		at[4] = at[3] - 1;
		at[5] = big_at(b, (whole - 1) / o * o);
		at[6] = at[5] - 1;
		at[7] = b->n;
		for (w = 0; w < 8; w++) {
			r = at[w];
			if (kind == DMG_SIG)	/* the nearest checkpoint */
				r = r < 100 ? 100 : r / 100 * 100;
			d.len = 0;
			abuf_put(&d, b->t.buf.p, b->t.buf.len);
			line = d.p + b->off[r];
			len = (size_t)(b->off[r + 1] - b->off[r]);
			switch (kind) {
			case DMG_BYTE:	/* still a record: the chain breaks */
				line[len - 2] = line[len - 2] == 'y' ? 'z' :
				    'q';
				break;
			case DMG_TAB:	/* no longer a record */
				*(char *)memchr(line, '\t', len) = ' ';
				break;
			case DMG_LF:	/* two records run together */
				line[len - 1] = ' ';
				break;
			case DMG_CUT:	/* a torn tail inside record r */
				d.len = (size_t)b->off[r] + len / 2;
				break;
			case DMG_LONG:	/* a line over AUDIT_LINE_MAX */
				d.len = (size_t)b->off[r];
				for (k = 0; k < AUDIT_LINE_MAX / 64 + 1; k++)
					abuf_put(&d, "xxxxxxxxxxxxxxxxxxxxxxxxxxx"
					    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
					    "xxxx", 64);
				abuf_put(&d, b->t.buf.p + b->off[r],
				    b->t.buf.len - (size_t)b->off[r]);
				break;
			case DMG_SIG:
				p = memmem(line, len, sigpat, 5);
				ck_assert_ptr_nonnull(p);
				/* Another hex digit: flipping a bit could make
				 * a non-hex byte ('a' ^ 1 is '`'), which on the
				 * last line is a torn tail, not a bad signature
				 * (1 run in 16 failed that way). */
				line[p - line + 9] = line[p - line + 9] == '0' ?
				    '1' : '0';
				break;
			}
			ck_assert_int_eq(d.oom, 0);
			put_file(trail, d.p, d.len, "w");
			/* A bad last line is a torn tail, not damage; a
			 * changed last record breaks no chain. */
			torn = kind == DMG_CUT || (r == b->n && kind != DMG_BYTE &&
			    kind != DMG_SIG) || (r + 1 == b->n &&
			    kind == DMG_LF);
			for (allow = 0; allow <= 1; allow++) {
				rc = scan_both(chunks[c], allow, 0, &s);
				/* The single-threaded scan itself found it
				 * where it is. */
				/* No record after it: seen only when it is
				 * a checkpoint (the signature). */
				if (kind == DMG_BYTE && r == b->n) {
					ck_assert_int_eq(rc, r % 100 == 0 ?
					    -1 : 0);
					continue;
				}
				if (torn && allow) {
					ck_assert_int_eq(rc, 0);
					ck_assert_int_eq(s.end, b->off[r]);
					ck_assert_int_gt(s.torn, 0);
					continue;
				}
				ck_assert_int_eq(rc, -1);
				if (kind == DMG_BYTE)
					ck_assert(s.bad_seq == r ||
					    s.bad_seq == r + 1);
				else
					ck_assert_uint_eq(s.bad_seq, r);
				ck_assert_int_eq(s.bad_offset, b->off[
				    s.bad_seq]);
				ck_assert_int_eq(s.torn > 0, torn);
			}
		}
		if (kind == DMG_LONG)	/* 1 MB each: one chunk size */
			break;
	}
	abuf_free(&d);
	abuf_free(&b->t.buf);
	free(b);
}
END_TEST

static Suite *
audit_suite(void)
{
	Suite	*s = suite_create("audit");
	TCase	*tc;

	tc = tcase_create("codec");
	/* parse_mutants takes ~4 s under ThreadSanitizer on a busy
	 * machine: past the default timeout. */
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, kv_every_byte);
	tcase_add_test(tc, kv_examples);
	tcase_add_test(tc, format_exact);
	tcase_add_test(tc, round_trip);
	tcase_add_test(tc, parse_accepts);
	tcase_add_loop_test(tc, parse_rejects, 0,
	    sizeof(malformed) / sizeof(malformed[0]));
	tcase_add_test(tc, parse_empty);
	tcase_add_test(tc, time_shapes);
	tcase_add_test(tc, parse_mutants);
	tcase_add_test(tc, parse_md_same);
	tcase_add_test(tc, get_like_uridecode);
	suite_add_tcase(s, tc);

	tc = tcase_create("keys");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, keys_create_and_reopen);
	tcase_add_test(tc, keys_sign_verify);
	tcase_add_test(tc, keys_cp_message);
	tcase_add_test(tc, keys_pseudonyms);
	tcase_add_test(tc, hash_reused_contexts);
	tcase_add_test(tc, keys_errors);
	suite_add_tcase(s, tc);

	tc = tcase_create("scan");
	tcase_add_checked_fixture(tc, setup_keys, teardown_keys);
	tcase_add_test(tc, scan_empty);
	tcase_add_test(tc, scan_good_trail);
	tcase_add_test(tc, scan_visitor_stops);
	tcase_add_loop_test(tc, scan_damage, 0,
	    sizeof(damage) / sizeof(damage[0]));
	tcase_add_loop_test(tc, scan_torn, 0,
	    sizeof(torn_tails) / sizeof(torn_tails[0]));
	tcase_add_test(tc, scan_torn_only);
	tcase_add_test(tc, scan_line_max);
	tcase_add_test(tc, scan_upto);
	suite_add_tcase(s, tc);

	/* Larger trails, and slow under the sanitizers. */
	tc = tcase_create("scan_threaded");
	tcase_set_timeout(tc, 300);
	tcase_add_checked_fixture(tc, setup_keys, teardown_keys);
	tcase_add_loop_test(tc, scan_threaded_clean, 0, 2);
	tcase_add_loop_test(tc, scan_threaded_damage, 0, DMG_N);
	suite_add_tcase(s, tc);

	tc = tcase_create("writer");
	tcase_set_timeout(tc, 60);
	tcase_add_checked_fixture(tc, setup_writer, teardown_writer);
	tcase_add_test(tc, writer_opened);
	tcase_add_test(tc, writer_group_commit);
	tcase_add_test(tc, writer_checkpoint_records);
	tcase_add_test(tc, writer_checkpoint_seconds);
	tcase_add_test(tc, writer_stop_flushes);
	tcase_add_test(tc, writer_restart);
	tcase_add_loop_test(tc, writer_cuts_torn_tail, 0,
	    sizeof(cut_tails) / sizeof(cut_tails[0]));
	tcase_add_loop_test(tc, writer_cuts_records_without_document, 0,
	    sizeof(doc_losses) / sizeof(doc_losses[0]));
	tcase_add_loop_test(tc, writer_keeps_records_beyond_crash, 0, 3);
	tcase_add_test(tc, writer_cuts_whole_batch);
	tcase_add_test(tc, writer_cuts_in_new_month);
	tcase_add_test(tc, writer_edit_is_not_cut);
	tcase_add_test(tc, writer_batch_bound);
	tcase_add_test(tc, writer_refuses_damage);
	tcase_add_test(tc, writer_write_failure);
	tcase_add_loop_test(tc, writer_sync_failure, 0, 2);
	tcase_add_test(tc, writer_dir_sync_failure);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner	*sr;
	int	 failed;

	/* The writer thread wakes the loop: libevent must know threads. */
	if (evthread_use_pthreads() == -1)
		return EXIT_FAILURE;
	sr = srunner_create(audit_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
