/*
 * bench_replay.c: start-up cost of a large trail.
 *
 * Generates a trail of N records (default 500 000) with the project's
 * own formatting and signing (audit_format, SHA-256 chain,
 * audit_cp_message + audit_sign for a checkpoint after every 1 000
 * records, exactly as the writer does): an `opened` and a `ruleset`
 * record, then per application a `received` (~330 B, actor
 * eservice:CN) and an `evaluated` (~4.3 KB with the base64 decision),
 * about 2 % `refused`. Applicants come from a pool (so the person and
 * period views see repeats), half the cases are granted.
 *
 * It checks that the trail scans clean, then times:
 *   A. audit_scan_file(keys) + view_replay into a fresh struct view —
 *      what audit_writer_start does at start-up — warm page cache,
 *      twice, and once cold (fdatasync + POSIX_FADV_DONTNEED first);
 *   B. audit_scan_file(keys), no visitor (verification alone);
 *   C. audit_scan_file(NULL), no visitor (no signature checks);
 *   D. the view part: the time spent inside view_replay during A;
 *   E. lower bounds on the same bytes: one SHA-256 per record, the LF
 *      split alone, and one Ed25519 verification × the checkpoints.
 *
 *   bench_replay [-n records] [-d parent-dir] [-r runs] [-x (keep)]
 *                [-t dir (reuse a trail made with -x; time A only, for
 *                perf record)]
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <event2/http.h>
#include <openssl/evp.h>
#include <openssl/sha.h>

#include "audit.h"
#include "view.h"

#include "bench_util.h"

#define CP_EVERY	1000
#define PERSONS		200000
#define DECISION_BYTES	2900

struct gen {
	int		 fd;
	struct abuf	 out;
	uint64_t	 seq;
	uint64_t	 since_cp;
	char		 head[AUDIT_HEX];
	int64_t		 t_us;		/* synthetic clock, µs */
	int64_t		 cached_sec;
	char		 tbuf[AUDIT_TIME_LEN + 1];
	struct audit_keys *keys;
	uint64_t	 bytes;
	uint64_t	 ncp;
};

static void
gen_time(struct gen *g, char out[AUDIT_TIME_LEN + 1])
{
	int64_t		sec = g->t_us / 1000000;
	struct tm	tm;
	time_t		t = (time_t)sec;

	if (sec != g->cached_sec) {
		gmtime_r(&t, &tm);
		strftime(g->tbuf, sizeof(g->tbuf), "%Y-%m-%dT%H:%M:%S", &tm);
		g->cached_sec = sec;
	}
	memcpy(out, g->tbuf, 19);
	snprintf(out + 19, AUDIT_TIME_LEN + 1 - 19, ".%06uZ",
	    (unsigned)(g->t_us % 1000000));
	g->t_us += 700;		/* ~1 400 records/s of history */
}

static int
gen_flush(struct gen *g, int force)
{
	if (g->out.oom)
		return -1;
	if (!force && g->out.len < (8u << 20))
		return 0;
	if (write(g->fd, g->out.p, g->out.len) != (ssize_t)g->out.len)
		return -1;
	g->bytes += g->out.len;
	g->out.len = 0;
	return 0;
}

static void gen_checkpoint(struct gen *);

static void
gen_record(struct gen *g, const char *type, const char *actor,
    const char *payload, size_t plen)
{
	unsigned char	hash[32];
	char		now[AUDIT_TIME_LEN + 1];
	size_t		start = g->out.len;

	gen_time(g, now);
	g->seq++;
	audit_format(&g->out, g->seq, now, type, actor, g->head, payload,
	    plen);
	SHA256((unsigned char *)g->out.p + start, g->out.len - start, hash);
	audit_hex(hash, 32, g->head);
	if (++g->since_cp >= CP_EVERY)
		gen_checkpoint(g);
}

/* As writer_append_checkpoint does it. */
static void
gen_checkpoint(struct gen *g)
{
	struct abuf	 msg = { 0 }, pl = { 0 };
	char		 sig[129], now[AUDIT_TIME_LEN + 1], head[AUDIT_HEX];
	unsigned char	 hash[32];
	uint64_t	 head_seq = g->seq;
	size_t		 start = g->out.len;

	memcpy(head, g->head, sizeof(head));
	gen_time(g, now);
	audit_cp_message(&msg, g->seq + 1, now, head_seq, head, g->keys->fpr);
	if (msg.oom || audit_sign(g->keys, msg.p, msg.len, sig) == -1) {
		fprintf(stderr, "bench_replay: signing failed\n");
		exit(1);
	}
	abuf_kvf(&pl, "head_seq", "%llu", (unsigned long long)head_seq);
	abuf_kv(&pl, "head", head);
	abuf_kv(&pl, "alg", "ed25519");
	abuf_kv(&pl, "key", g->keys->fpr);
	abuf_kv(&pl, "sig", sig);
	g->seq++;
	audit_format(&g->out, g->seq, now, "checkpoint", "daemon", head,
	    pl.p, pl.len);
	SHA256((unsigned char *)g->out.p + start, g->out.len - start, hash);
	audit_hex(hash, 32, g->head);
	g->since_cp = 0;
	g->ncp++;
	abuf_free(&msg);
	abuf_free(&pl);
}

/* xorshift, for a repeatable mix */
static uint64_t
rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static int
generate(const char *dir, uint64_t n, struct audit_keys *keys,
    double *secs, uint64_t *bytes, uint64_t *ncp, uint64_t *napps,
    uint64_t *nrec)
{
	struct gen	 g;
	struct abuf	 pl = { 0 };
	char		 path[4200], decision[DECISION_BYTES], actor[160];
	char		 id[64], pseudo[40], pseudo2[40], sha[AUDIT_HEX];
	char		 due[32], ruleset[AUDIT_HEX];
	uint64_t	 t0, app = 0, s = 0x9e3779b97f4a7c15ULL, seg = 0;
	size_t		 i;

	memset(&g, 0, sizeof(g));
	g.keys = keys;
	g.cached_sec = -1;
	g.t_us = (int64_t)1764547200 * 1000000;	/* 2025-12-01 */
	memset(g.head, '0', 64);
	for (i = 0; i < DECISION_BYTES; i++)
		decision[i] = "<decision xmlns='urn:bistand:d"[i % 30];
	memset(ruleset, 'a', 64);
	ruleset[64] = '\0';
	snprintf(path, sizeof(path), "%s/" AUDIT_TRAIL, dir);
	if ((g.fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600)) == -1) {
		perror(path);
		return -1;
	}
	t0 = bench_now_ns();
	abuf_kv(&pl, "format", "1");
	abuf_kv(&pl, "ruleset", ruleset);
	abuf_kv(&pl, "key", keys->fpr);
	gen_record(&g, "opened", "daemon", pl.p, pl.len);
	pl.len = 0;
	abuf_kv(&pl, "hash", ruleset);
	abuf_kv(&pl, "files", "params/riksnorm.lua,evaluate.lua,norm.lua");
	gen_record(&g, "ruleset", "daemon", pl.p, pl.len);
	snprintf(actor, sizeof(actor), "eservice:e-tjanst.kommun.example.se");
	while (g.seq < n) {
		uint64_t	r = rnd(&s);
		int		period = 2024 * 12 + (int)(r % 24);
		int		granted = (r >> 8) & 1;

		if ((r >> 16) % 100 < 2) {	/* a refusal */
			pl.len = 0;
			abuf_kv(&pl, "status", "400");
			abuf_kv(&pl, "code", "SCHEMA_VIOLATION");
			abuf_kv(&pl, "line", "12");
			abuf_kv(&pl, "column", "7");
			abuf_kv(&pl, "element", "income");
			snprintf(sha, sizeof(sha), "%064llx",
			    (unsigned long long)r);
			abuf_kv(&pl, "sha256", sha);
			abuf_kv(&pl, "size", "2311");
			gen_record(&g, "refused", actor, pl.p, pl.len);
			if (gen_flush(&g, 0) == -1)
				goto err;
			continue;
		}
		app++;
		snprintf(id, sizeof(id), "2025-%010llu",
		    (unsigned long long)app);
		snprintf(pseudo, sizeof(pseudo), "%032llx",
		    (unsigned long long)((r >> 20) % PERSONS) *
		    0x9e3779b97f4a7c15ULL);
		snprintf(pseudo2, sizeof(pseudo2), "%032llx",
		    (unsigned long long)(((r >> 40) % PERSONS) + PERSONS) *
		    0x9e3779b97f4a7c15ULL);
		snprintf(sha, sizeof(sha), "%016llx%016llx%016llx%016llx",
		    (unsigned long long)r, (unsigned long long)rnd(&s),
		    (unsigned long long)app, (unsigned long long)~r);
		pl.len = 0;
		abuf_kv(&pl, "id", id);
		abuf_kv(&pl, "sha256", sha);
		abuf_kv(&pl, "size", "2500");
		abuf_kv(&pl, "applicant", pseudo);
		if (r & 4)
			abuf_kv(&pl, "partner", pseudo2);
		abuf_kvf(&pl, "period", "%04d-%02d", period / 12,
		    period % 12 + 1);
		abuf_kvf(&pl, "doc", "2025-12.seg:%llu",
		    (unsigned long long)seg);
		seg += 2600;
		gen_record(&g, "received", actor, pl.p, pl.len);
		if (g.seq >= n)
			break;
		pl.len = 0;
		abuf_kv(&pl, "id", id);
		abuf_kv(&pl, "ruleset", ruleset);
		abuf_kv(&pl, "norm_year", "2025");
		abuf_kv(&pl, "outcome", granted ? "granted" : "routed");
		if (granted)
			abuf_kvf(&pl, "amount", "%llu",
			    (unsigned long long)(r % 20000));
		abuf_kv(&pl, "reasons", granted ? "" : "HOUSING_COST,HEALTH");
		if (!granted) {
			audit_time_of(g.t_us / 1000000 + 48 * 3600, due);
			abuf_kv(&pl, "priority", "normal");
			abuf_kv(&pl, "due", due);
		}
		abuf_kvf(&pl, "received_at", "%lld",
		    (long long)(g.t_us / 1000000));
		abuf_kv(&pl, "policy", "48,4,14");
		abuf_kv(&pl, "history", "2025-08,2025-09");
		abuf_kv(&pl, "duplicate", "0");
		abuf_kv_b64(&pl, "decision", decision, sizeof(decision));
		gen_record(&g, "evaluated", "automated", pl.p, pl.len);
		if (gen_flush(&g, 0) == -1)
			goto err;
	}
	if (gen_flush(&g, 1) == -1)
		goto err;
	*secs = (double)(bench_now_ns() - t0) / 1e9;
	*bytes = g.bytes;
	*ncp = g.ncp;
	*napps = app;
	*nrec = g.seq;
	abuf_free(&pl);
	abuf_free(&g.out);
	close(g.fd);
	return 0;
 err:
	perror("bench_replay: writing the trail");
	close(g.fd);
	return -1;
}

/* --- timing ------------------------------------------------------ */

static uint64_t view_ns;

static int
timed_replay(const struct audit_record *r, void *arg)
{
	uint64_t	t0 = bench_now_ns();
	int		rc = view_replay(r, arg);

	view_ns += bench_now_ns() - t0;
	return rc;
}

struct result {
	double		 secs;		/* wall */
	double		 cpu;		/* this thread's CPU time */
	double		 pcpu;		/* the process's: with the scan's
					 * reader thread */
	uint64_t	 records;
};

static uint64_t
proc_cpu_ns(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int
scan(const char *path, const struct audit_keys *keys, audit_visit visit,
    void *arg, struct result *res)
{
	struct audit_scan	s;
	uint64_t		t0, t1, c0, c1, p0, p1;

	t0 = bench_now_ns();
	c0 = bench_cpu_ns();
	p0 = proc_cpu_ns();
	if (audit_scan_file(path, keys, 0, visit, arg, &s) == -1) {
		fprintf(stderr, "bench_replay: scan failed at record %llu: "
		    "%s\n", (unsigned long long)s.bad_seq, s.error);
		return -1;
	}
	p1 = proc_cpu_ns();
	c1 = bench_cpu_ns();
	t1 = bench_now_ns();
	res->secs = (double)(t1 - t0) / 1e9;
	res->cpu = (double)(c1 - c0) / 1e9;
	res->pcpu = (double)(p1 - p0) / 1e9;
	res->records = s.nrecords;
	return 0;
}

static void
report(const char *what, const struct result *r, double bytes)
{
	printf("  %-44s %6.3f s %8.0f rec/s %6.1f MB/s | cpu %6.3f s "
	    "%8.0f rec/s | all threads %6.3f s\n", what, r->secs,
	    (double)r->records / r->secs, bytes / r->secs / 1e6, r->cpu,
	    (double)r->records / r->cpu, r->pcpu);
}

/* The fastest of several runs (by wall clock). */
static void
best(struct result *b, const struct result *r)
{
	if (b->secs == 0 || r->secs < b->secs)
		*b = *r;
}

static int
drop_cache(const char *path)
{
	int fd;

	if ((fd = open(path, O_RDONLY)) == -1)
		return -1;
	fdatasync(fd);
	posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
	close(fd);
	return 0;
}

/* --- E: lower bounds and the old parser -------------------------- */

/*
 * audit_parse as it was before the one-pass table check (commit
 * c4a39dd), kept verbatim but for the names: the reference the new one
 * must agree with, verdict and reason, on every record of the trail and
 * on mutated copies (differential() below), and the "before" of E4.
 */
static int
old_plain(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9') ||
	    (c != '\0' && strchr("-._~:,+/=@", c) != NULL);
}

static int
old_hexdigit(char c, int upper)
{
	return (c >= '0' && c <= '9') ||
	    (upper ? (c >= 'A' && c <= 'F') : (c >= 'a' && c <= 'f'));
}

static int
old_time_ok(const char *t, size_t n)
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

static int
old_encoded_ok(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (s[i] == '%') {
			if (i + 2 >= n || !old_hexdigit(s[i + 1], 1) ||
			    !old_hexdigit(s[i + 2], 1))
				return 0;
			i += 2;
		} else if (!old_plain((unsigned char)s[i]))
			return 0;
	}
	return 1;
}

static int
old_payload_ok(const char *p, size_t n)
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
		if (!old_encoded_ok(p + k + 1, v - k - 1))
			return 0;
		if (v == n)
			return 1;
		i = v + 1;
	}
	return 0;
}

static int
old_parse(const char *line, size_t len, struct audit_record *r,
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
	if (!old_time_ok(f[1], fl[1])) {
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
	if (fl[3] == 0 || !old_encoded_ok(f[3], fl[3])) {
		snprintf(why, whylen, "bad ACTOR");
		return -1;
	}
	if (fl[4] != 64) {
		snprintf(why, whylen, "bad PREV");
		return -1;
	}
	for (i = 0; i < 64; i++)
		if (!old_hexdigit(f[4][i], 0)) {
			snprintf(why, whylen, "bad PREV");
			return -1;
		}
	if (!old_payload_ok(f[5], fl[5])) {
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

/* The new audit_parse must give what old_parse gives: the verdict, and
 * the reason or the record's fields and hash. */
static int	same_get(const struct audit_record *);

/* with_get: also every audit_get on it (slow: the old one mallocs). */
static int
same_parse(const char *p, size_t len, int with_get)
{
	struct audit_record	r1, r2;
	char			w1[128] = "", w2[128] = "";
	int			a, b;

	a = old_parse(p, len, &r1, w1, sizeof(w1));
	b = audit_parse(p, len, &r2, w2, sizeof(w2));
	if (a != b)
		return 0;
	if (a != 0)
		return strcmp(w1, w2) == 0;
	return memcmp(&r1, &r2, sizeof(r1)) == 0 &&
	    (!with_get || same_get(&r2));
}

/* audit_parse must accept and refuse what old_parse does, for the same
 * reason: every record of the trail, each 50th also mutated 20 times at
 * random positions. */
static void
differential(const char *map, const char *end, uint64_t *lines,
    uint64_t *mutants, uint64_t *mismatches)
{
	const char		*p, *nl;
	char			*buf = NULL;
	size_t			 cap = 0, len, pos;
	uint64_t		 s = 0x2545F4914F6CDD1DULL, n = 0;
	static const char	 bytes[] = "\t\n%&=_-aZ09F+/ \x80g";
	int			 m;

	*lines = *mutants = *mismatches = 0;
	for (p = map; p < end && (nl = memchr(p, '\n', (size_t)(end - p)));
	    p = nl + 1, n++) {
		len = (size_t)(nl - p + 1);
		(*lines)++;
		if (!same_parse(p, len, n % 50 == 0))
			(*mismatches)++;
		if (n % 50 != 0)
			continue;
		if (len + 4 > cap) {
			cap = len + 4;
			if ((buf = realloc(buf, cap)) == NULL)
				return;
		}
		for (m = 0; m < 20; m++) {
			memcpy(buf, p, len);
			s ^= s << 13; s ^= s >> 7; s ^= s << 17;
			/* mostly near the field starts, where it matters */
			pos = (s >> 8) % 4 == 0 ? (size_t)((s >> 16) % len) :
			    (size_t)((s >> 16) % (len < 200 ? len : 200));
			if (m % 5 == 4)
				pos = len - 1 - (size_t)((s >> 24) % 8 % len);
			buf[pos] = bytes[(s >> 40) % (sizeof(bytes) - 1)];
			(*mutants)++;
			if (!same_parse(buf, len, 1)) {
				if (*mismatches < 3)
					fprintf(stderr, "bench_replay: "
					    "audit_parse differs from the old "
					    "one at byte %zu\n", pos);
				(*mismatches)++;
			}
		}
	}
	free(buf);
}

struct tm2 {
	double	wall, cpu;
};

static void	tm_best(struct tm2 *, uint64_t, uint64_t);
static void	tm_report(const char *, const struct tm2 *, uint64_t, double);

/* The field reads view_replay does, as it does them (audit_get: strndup
 * + evhttp_uridecode per key; sscanf("%2x") per SHA-256 byte; SHA-256
 * of the actor) against reads without allocation (values that hold no
 * '%' are copied as they are) and a table hex decode. */
static int
old_get(const struct audit_record *r, const char *key, char *out,
    size_t outlen)
{
	const char	*v;
	char		*enc, *dec;
	size_t		 n, dn;

	/* audit_get as it was: strndup + evhttp_uridecode per key. */
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

/* audit_get must give what old_get did, for every key the views read
 * and a few more, at buffer sizes around the value's length. */
static int
same_get(const struct audit_record *r)
{
	static const char *const keys[] = { "id", "sha256", "applicant",
	    "partner", "period", "outcome", "due", "reasons", "hash", "head",
	    "sig", "received_at", "absent", NULL };
	static const size_t sizes[] = { 0, 1, 2, 8, 16, 32, 33, 34, 64, 65,
	    66, 80 };
	char	 o1[80], o2[80];
	size_t	 out, i, k;
	int	 a, b;

	for (i = 0; keys[i] != NULL; i++)
		for (k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
			out = sizes[k];
			memset(o1, 'x', sizeof(o1));
			memset(o2, 'x', sizeof(o2));
			a = old_get(r, keys[i], o1, out);
			b = audit_get(r, keys[i], o2, out);
			if (a != b || memcmp(o1, o2, sizeof(o1)) != 0)
				return 0;
		}
	return 1;
}

static int
hexval(int c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ?
	    c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

static void
view_bounds(const char *map, const char *end, int runs)
{
	struct audit_record	 r;
	const char		*p, *nl;
	char			 id[65], sha[AUDIT_HEX], app[AUDIT_PSEUDO_LEN];
	char			 partner[AUDIT_PSEUDO_LEN], period[8], why[64];
	char			 outcome[16], actor[200];
	unsigned char		 bin[32];
	uint64_t		 t0, t1, c0, c1, n = 0, x = 0;
	struct tm2		 slow = { 0, 0 }, fast = { 0, 0 };
	int			 run, i, y, m, k;

	for (run = 0; run < runs; run++) {
		for (k = 0; k < 2; k++) {
			int (*get)(const struct audit_record *, const char *,
			    char *, size_t) = k ? audit_get : old_get;

			n = 0;
			t0 = bench_now_ns();
			c0 = bench_cpu_ns();
			for (p = map; p < end && (nl = memchr(p, '\n',
			    (size_t)(end - p))); p = nl + 1) {
				if (audit_parse(p, (size_t)(nl - p + 1), &r,
				    why, sizeof(why)) == -1)
					continue;
				n++;
				if (audit_is(&r, "received")) {
					get(&r, "id", id, sizeof(id));
					get(&r, "sha256", sha, sizeof(sha));
					get(&r, "applicant", app, sizeof(app));
					get(&r, "period", period,
					    sizeof(period));
					get(&r, "partner", partner,
					    sizeof(partner));
					if (k == 0) {
						unsigned int byte;

						sscanf(period, "%4d-%2d", &y,
						    &m);
						for (i = 0; i < 32; i++) {
							sscanf(sha + 2 * i,
							    "%2x", &byte);
							bin[i] = (unsigned
							    char)byte;
						}
						memcpy(actor, r.actor,
						    r.actor_len);
						actor[r.actor_len] = '\0';
						x += view_actor_hash(actor);
					} else {
						y = atoi(period);
						m = atoi(period + 5);
						for (i = 0; i < 32; i++)
							bin[i] = (unsigned char)
							    (hexval(sha[2 * i])
							    << 4 | hexval(
							    sha[2 * i + 1]));
						/* the actor hash, cached */
						x += r.actor_len;
					}
					x += bin[3] + (uint64_t)y + (uint64_t)m;
				} else if (audit_is(&r, "evaluated")) {
					get(&r, "id", id, sizeof(id));
					get(&r, "outcome", outcome,
					    sizeof(outcome));
				}
			}
			c1 = bench_cpu_ns();
			t1 = bench_now_ns();
			tm_best(k ? &fast : &slow, t1 - t0, c1 - c0);
		}
	}
	/* Both include audit_parse; the difference is the field reads. */
	tm_report("E7. audit_parse + the field reads as they were", &slow, n,
	    (double)(end - map));
	tm_report("E7b. the reads now (audit_get, table hex, cached)", &fast, n,
	    (double)(end - map));
	printf("      => field reads as view_replay does them cost ~%.2f us "
	    "more per record (CPU) than without allocation\n",
	    (slow.cpu - fast.cpu) * 1e6 / (double)n);
	if (x == 42)
		printf("\n");
}

static void
tm_best(struct tm2 *b, uint64_t w, uint64_t c)
{
	if (b->wall == 0 || (double)w / 1e9 < b->wall) {
		b->wall = (double)w / 1e9;
		b->cpu = (double)c / 1e9;
	}
}

static void
tm_report(const char *what, const struct tm2 *t, uint64_t n, double bytes)
{
	printf("  %-44s %6.3f s %8.0f rec/s %6.1f MB/s | cpu %6.3f s "
	    "%8.0f rec/s\n", what, t->wall, n / t->wall, bytes / t->wall /
	    1e6, t->cpu, n / t->cpu);
}

static void
bounds(const char *path, const struct audit_keys *keys, uint64_t ncp,
    int runs)
{
	struct stat	 sb;
	const char	*map, *p, *end, *nl;
	unsigned char	 md[32];
	uint64_t	 t0, t1, c0, c1, n = 0, x = 0, l, mu, mm;
	struct tm2	 e1 = { 0, 0 }, e2 = { 0, 0 }, e2b = { 0, 0 };
	struct tm2	 e4 = { 0, 0 }, e5 = { 0, 0 }, e5h = { 0, 0 };
	EVP_MD		*md256 = EVP_MD_fetch(NULL, "SHA256", NULL);
	EVP_MD_CTX	*ctx = EVP_MD_CTX_new();
	unsigned int	 mdlen;
	struct abuf	 msg = { 0 };
	struct audit_record r;
	char		 sig[129], head[AUDIT_HEX], why[128];
	int		 fd, i, run;

	struct tm2	 e0 = { 0, 0 };

	if ((fd = open(path, O_RDONLY)) == -1 || fstat(fd, &sb) == -1)
		return;
	/* E0: what audit_scan_file's mapping costs in page faults alone
	 * (warm page cache): map, touch every 4 KiB page, unmap. */
	for (run = 0; run < runs; run++) {
		volatile const char	*vp;
		uint64_t		 sum = 0;

		t0 = bench_now_ns();
		c0 = bench_cpu_ns();
		map = mmap(NULL, (size_t)sb.st_size, PROT_READ, MAP_PRIVATE,
		    fd, 0);
		if (map == MAP_FAILED)
			return;
		madvise((void *)map, (size_t)sb.st_size, MADV_SEQUENTIAL);
		for (vp = map; vp < map + sb.st_size; vp += 4096)
			sum += (unsigned char)*vp;
		munmap((void *)map, (size_t)sb.st_size);
		c1 = bench_cpu_ns();
		t1 = bench_now_ns();
		tm_best(&e0, t1 - t0, c1 - c0);
		x += sum;
	}
	map = mmap(NULL, (size_t)sb.st_size, PROT_READ, MAP_PRIVATE |
	    MAP_POPULATE, fd, 0);
	close(fd);
	if (map == MAP_FAILED)
		return;
	end = map + sb.st_size;
	for (run = 0; run < runs; run++) {
#define TIMED(slot, body) do {						\
		n = 0;							\
		t0 = bench_now_ns();					\
		c0 = bench_cpu_ns();					\
		for (p = map; p < end && (nl = memchr(p, '\n',		\
		    (size_t)(end - p))); p = nl + 1, n++) {		\
			body;						\
		}							\
		c1 = bench_cpu_ns();					\
		t1 = bench_now_ns();					\
		tm_best(&slot, t1 - t0, c1 - c0);			\
	} while (0)
		TIMED(e1, x++);
		TIMED(e2, SHA256((const unsigned char *)p,
		    (size_t)(nl - p + 1), md); x += md[0]);
		TIMED(e2b, EVP_DigestInit_ex(ctx, md256, NULL);
		    EVP_DigestUpdate(ctx, p, (size_t)(nl - p + 1));
		    EVP_DigestFinal_ex(ctx, md, &mdlen); x += md[0]);
		TIMED(e4, x += audit_parse(p, (size_t)(nl - p + 1), &r, why,
		    sizeof(why)));
		TIMED(e5, x += old_parse(p, (size_t)(nl - p + 1), &r, why,
		    sizeof(why)));
		TIMED(e5h, x += audit_parse_md(p, (size_t)(nl - p + 1), &r,
		    ctx, md256, why, sizeof(why)));
#undef TIMED
	}
	printf("\nlower bounds and the old parser on the same bytes (mapped and "
	    "populated, so no page faults; best of %d):\n", runs);
	tm_report("E0. mmap + touch every page (page faults)", &e0, n,
	    (double)sb.st_size);
	tm_report("E1. LF split alone (memchr)", &e1, n, (double)sb.st_size);
	tm_report("E2. + SHA256() per record (as audit_parse)", &e2, n,
	    (double)sb.st_size);
	tm_report("E2b. + SHA-256, EVP_MD fetched once, ctx reused", &e2b, n,
	    (double)sb.st_size);
	tm_report("E4. + audit_parse (syntax + SHA256())", &e4, n,
	    (double)sb.st_size);
	printf("      => syntax check alone in audit_parse ~ %.3f s CPU "
	    "(E4 - E2)\n", e4.cpu - e2.cpu);
	tm_report("E5. + the old audit_parse (copy)", &e5, n,
	    (double)sb.st_size);
	printf("      => the old syntax check ~ %.3f s CPU (E5 - E2)\n",
	    e5.cpu - e2.cpu);
	tm_report("E6. audit_parse_md (reused ctx, as the scan)", &e5h, n,
	    (double)sb.st_size);
	view_bounds(map, end, 1);
	differential(map, end, &l, &mu, &mm);
	printf("      audit_parse vs the old one: %llu records + %llu "
	    "mutated copies, %llu disagreements\n", (unsigned long long)l,
	    (unsigned long long)mu, (unsigned long long)mm);
	munmap((void *)map, (size_t)sb.st_size);
	EVP_MD_CTX_free(ctx);
	EVP_MD_free(md256);

	memset(head, 'a', 64);
	head[64] = '\0';
	audit_cp_message(&msg, 1001, "2025-12-01T00:00:00.000000Z", 1000,
	    head, keys->fpr);
	audit_sign(keys, msg.p, msg.len, sig);
	t0 = bench_now_ns();
	for (i = 0; i < 1000; i++)
		if (audit_verify(keys, msg.p, msg.len, sig) == -1)
			fprintf(stderr, "bench_replay: verify failed\n");
	t1 = bench_now_ns();
	printf("  %-44s %6.1f us each => %.3f s for the %llu checkpoints\n",
	    "E3. audit_verify (Ed25519, incl. EVP setup)",
	    (t1 - t0) / 1e3 / 1000, (t1 - t0) / 1e9 / 1000 * (double)ncp,
	    (unsigned long long)ncp);
	abuf_free(&msg);
	if (x == 42)
		printf("\n");	/* keep x alive */
}

static void
usage(void)
{
	fprintf(stderr, "usage: bench_replay [-n records] [-d parent-dir] "
	    "[-r runs] [-x] [-t existing-dir]\n");
	exit(2);
}

int
main(int argc, char *argv[])
{
	struct audit_keys	*keys;
	struct view		 v;
	struct result		 ra, rb, rc, rcold, ba, ba1, rb1;
	struct stat		 sb;
	const char		*parent = "/var/tmp", *reuse = NULL;
	char			 dir[4096], path[4200], err[512], cmd[4200];
	char			 machine[256], load[64];
	uint64_t		 n = 500000, bytes = 0, ncp = 0, napps = 0;
	double			 gsecs = 0, vsecs = 0;
	long			 rss0, hwm0, rss1, hwm1;
	int			 c, keep = 0, i, runs = 3;

	while ((c = getopt(argc, argv, "n:d:xt:r:")) != -1) {
		switch (c) {
		case 'r': runs = atoi(optarg); break;
		case 'n': n = strtoull(optarg, NULL, 10); break;
		case 'd': parent = optarg; break;
		case 'x': keep = 1; break;
		case 't': reuse = optarg; break;
		default: usage();
		}
	}
	bench_machine(machine, sizeof(machine));
	if (reuse != NULL) {
		snprintf(dir, sizeof(dir), "%s", reuse);
		keep = 1;
	} else {
		snprintf(dir, sizeof(dir), "%s/bistand-bench-replay.XXXXXX",
		    parent);
		if (mkdtemp(dir) == NULL) {
			perror(dir);
			return 1;
		}
	}
	if (audit_keys_open(dir, 1, &keys, err, sizeof(err)) == -1) {
		fprintf(stderr, "bench_replay: %s\n", err);
		return 1;
	}
	snprintf(path, sizeof(path), "%s/" AUDIT_TRAIL, dir);
	bench_loadavg(load, sizeof(load));
	printf("bench_replay: %s; load average %s; trail %s\n", machine,
	    load, path);

	if (reuse != NULL) {
		/* Only A, for perf record. */
		memset(&v, 0, sizeof(v));
		if (stat(path, &sb) == -1 ||
		    scan(path, keys, timed_replay, &v, &ra) == -1)
			return 1;
		report("A. scan(keys) + view_replay", &ra,
		    (double)sb.st_size);
		printf("  view part %.3f s\n", view_ns / 1e9);
		bench_rss(&rss1, &hwm1);
		printf("  RSS %ld KiB\n", rss1);
		view_free(&v);
		audit_keys_free(keys);
		return 0;
	}

	if (generate(dir, n, keys, &gsecs, &bytes, &ncp, &napps, &n) == -1)
		return 1;
	printf("generated %llu records (%llu applications, %llu "
	    "checkpoints), %.1f MB (%.0f B/record) in %.2f s\n",
	    (unsigned long long)n, (unsigned long long)napps,
	    (unsigned long long)ncp, bytes / 1e6, (double)bytes / n, gsecs);
	fflush(stdout);

	/* It must scan clean (B doubles as that check). */
	if (scan(path, keys, NULL, NULL, &rb) == -1 || rb.records != n) {
		fprintf(stderr, "bench_replay: the trail does not verify "
		    "(%llu records)\n", (unsigned long long)rb.records);
		return 1;
	}
	printf("trail verifies: %llu records\n\n",
	    (unsigned long long)rb.records);

	/* Cold: as after a reboot. The view's memory is measured here,
	 * on the first replay of the process (RSS of the mapping's pages
	 * included: it is MAP_PRIVATE read-only, so they count while
	 * mapped, and the scan unmaps at the end). */
	bench_rss(&rss0, &hwm0);
	drop_cache(path);
	memset(&v, 0, sizeof(v));
	view_ns = 0;
	if (scan(path, keys, timed_replay, &v, &rcold) == -1)
		return 1;
	bench_rss(&rss1, &hwm1);
	printf("view after replay: %zu applications, %zu persons, %zu "
	    "person-periods; RSS %ld -> %ld KiB (+%.1f MiB for the view)\n\n",
	    v.apps.n, v.persons.n, v.periods.n, rss0, rss1,
	    (rss1 - rss0) / 1024.0);
	view_free(&v);
	report("A. scan(keys) + view_replay, cold cache", &rcold,
	    (double)bytes);

	memset(&ba, 0, sizeof(ba));
	memset(&ba1, 0, sizeof(ba1));
	memset(&rb1, 0, sizeof(rb1));
	for (i = 0; i < runs; i++) {
		char what[64];

		memset(&v, 0, sizeof(v));
		view_ns = 0;
		if (scan(path, keys, timed_replay, &v, &ra) == -1)
			return 1;
		snprintf(what, sizeof(what), "A. scan(keys) + view_replay, "
		    "warm, run %d", i + 1);
		report(what, &ra, (double)bytes);
		if (ba.secs == 0 || ra.secs < ba.secs) {
			ba = ra;
			vsecs = view_ns / 1e9;
		}
		view_free(&v);
		/* The same with the scan on one thread, interleaved so
		 * that both see the same load on a shared machine. */
		audit_scan_tune(0, 0);
		memset(&v, 0, sizeof(v));
		if (scan(path, keys, view_replay, &v, &ra) == -1)
			return 1;
		view_free(&v);
		audit_scan_tune(0, 1);
		snprintf(what, sizeof(what), "A1. the same, one thread, run "
		    "%d", i + 1);
		report(what, &ra, (double)bytes);
		best(&ba1, &ra);
	}
	memset(&rb, 0, sizeof(rb));
	memset(&rc, 0, sizeof(rc));
	for (i = 0; i < runs; i++) {
		struct result r;

		if (scan(path, keys, NULL, NULL, &r) == -1)
			return 1;
		best(&rb, &r);
		if (scan(path, NULL, NULL, NULL, &r) == -1)
			return 1;
		best(&rc, &r);
		audit_scan_tune(0, 0);
		if (scan(path, keys, NULL, NULL, &r) == -1)
			return 1;
		audit_scan_tune(0, 1);
		best(&rb1, &r);
	}
	printf("\nbest of %d (wall clock):\n", runs);
	report("A. scan(keys) + view_replay (start-up)", &ba, (double)bytes);
	report("A1. the same, one thread", &ba1, (double)bytes);
	report("B. scan(keys), no visitor (verification)", &rb,
	    (double)bytes);
	report("B1. the same, one thread", &rb1, (double)bytes);
	report("C. scan(NULL keys), no visitor", &rc, (double)bytes);
	printf("  %-44s %6.3f s %8.0f rec/s (%.2f us/record; %.0f%% of A)\n",
	    "D. inside view_replay (during best A)", vsecs,
	    ba.records / vsecs, vsecs * 1e6 / ba.records,
	    100 * vsecs / ba.secs);
	/* B - C (the signature checks) is below the noise of a shared
	 * machine; E3 times them directly. */
	bounds(path, keys, ncp, 2);

	audit_keys_free(keys);
	if (!keep) {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
		if (system(cmd) != 0)
			fprintf(stderr, "bench_replay: cannot remove %s\n",
			    dir);
	} else
		printf("kept %s (reuse: bench_replay -t %s)\n", dir, dir);
	return 0;
}
