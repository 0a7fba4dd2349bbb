/*
 * bench_queue.c: a state directory whose trail holds N routed cases,
 * for timing the queue of the real daemon (bench/queue.sh).
 *
 *   bench_queue -n 100000 -d STATE_DIR
 *
 * Writes keys, then a valid, verifiable trail: opened, N × (received,
 * evaluated routed — every tenth urgent), a signed checkpoint every
 * 1000 records and at the end. It also times replaying the trail into
 * the views in-process, and how long queue_list takes over them.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/sha.h>

#include "audit.h"
#include "bench_util.h"
#include "view.h"

#define T0	1795341600LL		/* 2026-11-22T10:00:00Z */

struct gen {
	struct abuf		 out;
	struct audit_keys	*keys;
	uint64_t		 seq;
	char			 head[AUDIT_HEX];
	int			 fd;
};

static void
gen_flush(struct gen *g)
{
	if (g->out.oom || write(g->fd, g->out.p, g->out.len) !=
	    (ssize_t)g->out.len) {
		perror("write");
		exit(1);
	}
	g->out.len = 0;
}

static void
gen_rec(struct gen *g, const char *time, const char *type, const char *actor,
    const struct abuf *pl)
{
	unsigned char	h[32];
	size_t		start = g->out.len;

	audit_format(&g->out, ++g->seq, time, type, actor, g->head, pl->p,
	    pl->len);
	SHA256((unsigned char *)g->out.p + start, g->out.len - start, h);
	audit_hex(h, 32, g->head);
}

static void
gen_checkpoint(struct gen *g, const char *time)
{
	struct abuf	msg = { 0 }, pl = { 0 };
	char		sig[129];

	audit_cp_message(&msg, g->seq + 1, time, g->seq, g->head, g->keys->fpr);
	if (audit_sign(g->keys, msg.p, msg.len, sig) == -1) {
		fprintf(stderr, "sign failed\n");
		exit(1);
	}
	abuf_kvf(&pl, "head_seq", "%llu", (unsigned long long)g->seq);
	abuf_kv(&pl, "head", g->head);
	abuf_kv(&pl, "alg", "ed25519");
	abuf_kv(&pl, "key", g->keys->fpr);
	abuf_kv(&pl, "sig", sig);
	gen_rec(g, time, "checkpoint", "daemon", &pl);
	abuf_free(&msg);
	abuf_free(&pl);
}

static const char *const reasons[] = {
	"FIRST_APPLICATION,HEALTH,APPLICANT_MESSAGE",
	"VIOLENCE,CHILD_WELFARE,ACUTE_NEED,EVICTION_RISK,APPLICANT_MESSAGE",
	"FIRST_APPLICATION,VIOLENCE,CHILD_WELFARE,HEALTH,ACUTE_NEED,"
	    "EVICTION_RISK,APPLICANT_MESSAGE",
};

int
main(int argc, char *argv[])
{
	static const char decision[] = "<?xml version=\"1.0\" encoding=\"UTF-8\""
	    "?>\n<decision xmlns=\"urn:bistand:decision:1\"/>\n";
	struct gen		 g;
	struct abuf		 pl = { 0 };
	struct audit_scan	 s;
	struct view		 v;
	struct queue_filter	 f;
	struct samples		 sm = { 0 };
	struct q_item		**l;
	size_t			 total;
	const char		*dir = NULL;
	char			 path[4200], err[512], time[32], due[32], id[32];
	char			 pseudo[AUDIT_PSEUDO_LEN], line[256];
	long			 n = 100000, i, rss, hwm, rss0;
	size_t			 k;
	uint64_t		 t;
	int			 ch;

	while ((ch = getopt(argc, argv, "n:d:")) != -1) {
		if (ch == 'n')
			n = atol(optarg);
		else if (ch == 'd')
			dir = optarg;
		else
			return 2;
	}
	if (dir == NULL || n < 1) {
		fprintf(stderr, "usage: bench_queue -n N -d STATE_DIR\n");
		return 2;
	}
	memset(&g, 0, sizeof(g));
	memset(g.head, '0', 64);
	if (mkdir(dir, 0700) == -1 && errno != EEXIST) {
		perror(dir);
		return 1;
	}
	if (audit_keys_open(dir, 1, &g.keys, err, sizeof(err)) == -1) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	snprintf(path, sizeof(path), "%s/" AUDIT_TRAIL, dir);
	if ((g.fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600)) == -1) {
		perror(path);
		return 1;
	}
	t = bench_now_ns();
	abuf_kv(&pl, "format", "1");
	gen_rec(&g, "2026-11-22T10:00:00.000000Z", "opened", "daemon", &pl);
	for (i = 0; i < n; i++) {
		int64_t rcv = T0 + i, d = rcv + (i % 10 == 0 ? 4 : 48) * 3600;

		snprintf(time, sizeof(time), "2026-11-22T10:00:00.%06ldZ",
		    i % 1000000);
		snprintf(id, sizeof(id), "Q-%08ld", i);
		snprintf(pseudo, sizeof(pseudo), "%032lx", (unsigned long)i);
		pl.len = 0;
		abuf_kv(&pl, "id", id);
		abuf_kv(&pl, "sha256", "0101010101010101010101010101010101010"
		    "101010101010101010101010101");
		abuf_kv(&pl, "size", "2462");
		abuf_kv(&pl, "applicant", pseudo);
		abuf_kv(&pl, "period", "2026-11");
		abuf_kv(&pl, "doc", "2026-11.seg:0");
		gen_rec(&g, time, "received", "eservice:e-tjanst", &pl);
		pl.len = 0;
		abuf_kv(&pl, "id", id);
		abuf_kv(&pl, "outcome", "routed");
		/* Reason lists as the examples' routed decisions have them
		 * (3, 5 and 7 reasons), not one or two: an item's size grows
		 * with them. */
		abuf_kv(&pl, "reasons", reasons[i % 3]);
		abuf_kv(&pl, "priority", i % 10 == 0 ? "urgent" : "normal");
		audit_time_of(d, due);
		abuf_kv(&pl, "due", due);
		abuf_kvf(&pl, "received_at", "%lld", (long long)rcv);
		abuf_kv_b64(&pl, "decision", decision, sizeof(decision) - 1);
		gen_rec(&g, time, "evaluated", "automated", &pl);
		if (i % 500 == 499)		/* about every 1000 records */
			gen_checkpoint(&g, time);
		if (g.out.len > (1 << 20))
			gen_flush(&g);
	}
	gen_checkpoint(&g, "2026-11-22T23:59:59.000000Z");
	gen_flush(&g);
	fsync(g.fd);
	close(g.fd);
	printf("generated %ld routed cases, %llu records in %.2f s\n", n,
	    (unsigned long long)g.seq, (double)(bench_now_ns() - t) / 1e9);

	/* Start-up's part, in-process: verify and replay into views. */
	memset(&v, 0, sizeof(v));
	bench_rss(&rss0, &hwm);
	t = bench_now_ns();
	if (audit_scan_file(path, g.keys, 0, view_replay, &v, &s) == -1) {
		fprintf(stderr, "scan: %s\n", s.error);
		return 1;
	}
	printf("replay into the views: %.2f s (%llu records), queue %zu\n",
	    (double)(bench_now_ns() - t) / 1e9,
	    (unsigned long long)s.nrecords, v.queue.n);
	bench_rss(&rss, &hwm);
	printf("RSS with the views: %ld KiB (+%ld KiB, %ld B per case)\n",
	    rss, rss - rss0, (rss - rss0) * 1024 / n);
	/* queue_list over everything, as GET /v1/queue does. */
	memset(&f, 0, sizeof(f));
	for (i = 0; i < 50; i++) {
		t = bench_now_ns();
		if (queue_list(&v, &f, T0 + 3600, 120, 100, &l, &k,
		    &total) == -1)
			return 1;
		samples_add(&sm, bench_now_ns() - t);
		free(l);
	}
	samples_line(&sm, line, sizeof(line));
	printf("queue_list, first %zu of %zu items: %s\n", k, total, line);
	samples_free(&sm);
	view_free(&v);
	audit_keys_free(g.keys);
	abuf_free(&pl);
	return 0;
}
