/*
 * bench_commit.c: the audit writer's group commit on this machine's disk.
 *
 *  1. Serial durability cost: 2 000 × (append 300 B + fdatasync) to one
 *     file; then 1 000 × what one job costs when written alone, exactly as
 *     writer_batch does it (document segment: append ~2.5 KB + fdatasync,
 *     then trail: append ~4.6 KB + fdatasync).
 *  2. The real writer (audit_writer_start on an event_base, writer
 *     thread, checkpoints, document segment) with K jobs kept in flight,
 *     K = 1, 8, 64, 256, 1024: every completion callback submits a new
 *     job at once. Each job is what api_decide builds: a `received`
 *     record (~300 B) with a ~2.5 KB document and an `evaluated` record
 *     (~4 KB payload with the base64 decision document).
 *
 * The binary is linked with -Wl,--wrap=fdatasync, so every fdatasync the
 * writer makes is counted, timed, and tagged with the file and its size
 * after the call; a job's batch is then found from its record offset,
 * which gives the true jobs-per-fdatasync distribution.
 *
 *   bench_commit [-d parent-dir] [-s seconds-per-K] [-k K,K,...] [-n serial]
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>
#include <event2/thread.h>
#include <openssl/evp.h>

#include "audit.h"

#include "bench_util.h"

#define DOC_BYTES	2500
#define DECISION_BYTES	2900	/* base64 → ~3 870 B in the payload */
#define MAX_SYNCS	(1 << 20)

/* --- the fdatasync wrapper --------------------------------------- */

int	__real_fdatasync(int);
int	__wrap_fdatasync(int);

struct sync_rec {
	uint64_t	 end_ns;
	uint32_t	 dur_ns;
	ino_t		 ino;
	off_t		 size;		/* file size after the call */
};

static struct sync_rec	*syncs;
static volatile size_t	 nsyncs;	/* written by the writer thread only */

int
__wrap_fdatasync(int fd)
{
	struct stat	sb;
	uint64_t	t0, t1;
	int		rc;

	t0 = bench_now_ns();
	rc = __real_fdatasync(fd);
	t1 = bench_now_ns();
	if (syncs != NULL && nsyncs < MAX_SYNCS && fstat(fd, &sb) == 0) {
		syncs[nsyncs].end_ns = t1;
		syncs[nsyncs].dur_ns = (uint32_t)(t1 - t0);
		syncs[nsyncs].ino = sb.st_ino;
		syncs[nsyncs].size = sb.st_size;
		__atomic_store_n(&nsyncs, nsyncs + 1, __ATOMIC_RELEASE);
	}
	return rc;
}

/* --- the jobs ---------------------------------------------------- */

struct run;

struct bjob {
	struct audit_job	 job;
	struct run		*run;
	uint64_t		 t_submit;
	uint64_t		 n;
};

struct run {
	struct audit_writer	*w;
	struct event_base	*base;
	int			 k;
	int			 inflight;
	int			 stopping;
	uint64_t		 next_id;
	uint64_t		 t_start;	/* counting window */
	uint64_t		 t_end;
	uint64_t		 jobs, failed;
	uint64_t		 fill_ns, nfill;	/* loop thread CPU */
	struct samples		 lat;
	off_t			*offsets;	/* rec[0].offset of counted jobs */
	size_t			 noff, capoff;
};

static char	 docbuf[DOC_BYTES];
static char	 decision[DECISION_BYTES];
static char	 month[8];
static char	 ruleset[AUDIT_HEX];

static void	job_done(struct audit_job *);

static void
job_fill(struct run *r, struct bjob *b)
{
	struct audit_job_rec	*rec;
	char			 id[64], due[32];
	unsigned long long	 n = (unsigned long long)r->next_id++;
	uint64_t		 c0 = bench_cpu_ns();

	audit_job_clear(&b->job);
	memset(&b->job, 0, sizeof(b->job));
	b->run = r;
	b->n = n;
	snprintf(id, sizeof(id), "bench-%012llu", n);
	b->job.nrec = 2;
	b->job.doc = docbuf;
	b->job.doclen = sizeof(docbuf);
	snprintf(b->job.doc_sha, sizeof(b->job.doc_sha), "%064llx", n);
	memcpy(b->job.doc_month, month, sizeof(b->job.doc_month));
	b->job.done = job_done;
	b->job.arg = b;

	rec = &b->job.rec[0];
	rec->type = "received";
	snprintf(rec->actor, sizeof(rec->actor),
	    "eservice:e-tjanst.kommun.example.se");
	rec->with_doc = 1;
	abuf_kv(&rec->payload, "id", id);
	abuf_kv(&rec->payload, "sha256", b->job.doc_sha);
	abuf_kvf(&rec->payload, "size", "%d", DOC_BYTES);
	abuf_kvf(&rec->payload, "applicant", "%032llx", n * 2654435761ULL);
	abuf_kvf(&rec->payload, "partner", "%032llx", n * 40503ULL);
	abuf_kv(&rec->payload, "period", month);

	rec = &b->job.rec[1];
	rec->type = "evaluated";
	snprintf(rec->actor, sizeof(rec->actor), "automated");
	audit_time_of((int64_t)time(NULL) + 48 * 3600, due);
	abuf_kv(&rec->payload, "id", id);
	abuf_kv(&rec->payload, "ruleset", ruleset);
	abuf_kv(&rec->payload, "norm_year", "2026");
	abuf_kv(&rec->payload, "outcome", n % 2 ? "granted" : "routed");
	if (n % 2)
		abuf_kv(&rec->payload, "amount", "8412");
	abuf_kv(&rec->payload, "reasons", n % 2 ? "" : "HOUSING_COST,HEALTH");
	if (!(n % 2)) {
		abuf_kv(&rec->payload, "priority", "normal");
		abuf_kv(&rec->payload, "due", due);
	}
	abuf_kvf(&rec->payload, "received_at", "%lld",
	    (long long)time(NULL));
	abuf_kv(&rec->payload, "policy", "48,4,14");
	abuf_kv(&rec->payload, "history", "2026-08,2026-09");
	abuf_kv(&rec->payload, "duplicate", "0");
	abuf_kv_b64(&rec->payload, "decision", decision, sizeof(decision));
	r->fill_ns += bench_cpu_ns() - c0;
	r->nfill++;
	b->t_submit = bench_now_ns();
}

static void
job_done(struct audit_job *j)
{
	struct bjob	*b = j->arg;
	struct run	*r = b->run;
	uint64_t	 now = bench_now_ns();

	if (!j->ok)
		r->failed++;
	else if (b->t_submit >= r->t_start && !r->stopping) {
		r->jobs++;
		samples_add(&r->lat, now - b->t_submit);
		if (r->noff == r->capoff) {
			r->capoff = r->capoff ? r->capoff * 2 : 65536;
			r->offsets = realloc(r->offsets, r->capoff *
			    sizeof(*r->offsets));
			if (r->offsets == NULL)
				abort();
		}
		r->offsets[r->noff++] = j->rec[0].offset;
	}
	if (r->stopping) {
		audit_job_clear(j);
		if (--r->inflight == 0)
			event_base_loopbreak(r->base);
		return;
	}
	job_fill(r, b);
	audit_writer_submit(r->w, &b->job);
}

static void
stop_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct run *r = arg;

	(void)fd; (void)ev;
	r->stopping = 1;
	r->t_end = bench_now_ns();
}

static int
offcmp(const void *a, const void *b)
{
	off_t x = *(const off_t *)a, y = *(const off_t *)b;

	return x < y ? -1 : x > y;
}

static int
u64cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* --- 1. serial fdatasync ----------------------------------------- */

static void *
sync_thread(void *arg)
{
	__real_fdatasync(*(int *)arg);
	return NULL;
}

static int
serial(const char *dir, int n)
{
	struct samples	 s = { 0 }, s2 = { 0 }, s3 = { 0 };
	char		 path[4200], path2[4200], buf[300], big[4700];
	char		 line[256];
	int		 fd, i;
	uint64_t	 t0, t1, w0;

	memset(buf, 'x', sizeof(buf));
	buf[sizeof(buf) - 1] = '\n';
	snprintf(path, sizeof(path), "%s/serial.dat", dir);
	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND,
	    0600)) == -1) {
		perror(path);
		return -1;
	}
	for (i = 0; i < 20; i++)	/* warm-up */
		if (write(fd, buf, sizeof(buf)) != sizeof(buf) ||
		    __real_fdatasync(fd) == -1)
			return -1;
	w0 = bench_now_ns();
	for (i = 0; i < n; i++) {
		t0 = bench_now_ns();
		if (write(fd, buf, sizeof(buf)) != sizeof(buf) ||
		    __real_fdatasync(fd) == -1) {
			perror("serial");
			return -1;
		}
		t1 = bench_now_ns();
		samples_add(&s, t1 - t0);
	}
	t1 = bench_now_ns();
	close(fd);
	samples_line(&s, line, sizeof(line));
	printf("serial append 300 B + fdatasync, one file:\n  %s\n"
	    "  => ceiling %.0f durable writes/s (1/p50), measured %.0f/s\n",
	    line, 1e6 / samples_pct_us(&s, .5),
	    n / ((double)(t1 - w0) / 1e9));

	/* One job alone, as writer_batch writes it (segment: write +
	 * fdatasync, then trail: write + fdatasync), against the same with
	 * both fdatasyncs issued at once from two threads — what
	 * overlapping them would buy (it would give up the order "documents
	 * durable before the records naming them"). Fresh files for each,
	 * kept open, and the two variants alternate in rounds of 50 so that
	 * both see the same background load. */
	memset(big, 'y', sizeof(big));
	big[sizeof(big) - 1] = '\n';
	{
		int	 sfd[2], tfd[2], v, round;
		uint64_t wall[2] = { 0, 0 };

		for (v = 0; v < 2; v++) {
			snprintf(path, sizeof(path), "%s/v%d.trail", dir, v);
			snprintf(path2, sizeof(path2), "%s/v%d.seg", dir, v);
			if ((tfd[v] = open(path, O_WRONLY | O_CREAT |
			    O_APPEND, 0600)) == -1 || (sfd[v] = open(path2,
			    O_WRONLY | O_CREAT | O_APPEND, 0600)) == -1) {
				perror(path2);
				return -1;
			}
		}
		for (round = 0; round < n / 100; round++) {
			for (v = 0; v < 2; v++) {
				w0 = bench_now_ns();
				for (i = 0; i < 50; i++) {
					pthread_t th;

					t0 = bench_now_ns();
					if (v == 0 && (write(sfd[0], docbuf,
					    DOC_BYTES) != DOC_BYTES ||
					    __real_fdatasync(sfd[0]) == -1 ||
					    write(tfd[0], big, sizeof(big)) !=
					    sizeof(big) ||
					    __real_fdatasync(tfd[0]) == -1)) {
						perror("serial");
						return -1;
					}
					if (v == 1 && (write(sfd[1], docbuf,
					    DOC_BYTES) != DOC_BYTES ||
					    write(tfd[1], big, sizeof(big)) !=
					    sizeof(big) ||
					    pthread_create(&th, NULL,
					    sync_thread, &sfd[1]) != 0 ||
					    __real_fdatasync(tfd[1]) == -1 ||
					    pthread_join(th, NULL) != 0)) {
						perror("serial");
						return -1;
					}
					t1 = bench_now_ns();
					samples_add(v ? &s2 : &s3, t1 - t0);
				}
				wall[v] += bench_now_ns() - w0;
			}
		}
		samples_line(&s3, line, sizeof(line));
		printf("one job alone as writer_batch does it (2.5 KB to the "
		    "segment + fdatasync, then 4.7 KB to the trail + "
		    "fdatasync):\n  %s\n  => %.0f batches/s when every "
		    "batch holds one job\n", line, s3.n / (wall[0] / 1e9));
		samples_line(&s2, line, sizeof(line));
		printf("the same two writes, both fdatasyncs at once (two "
		    "threads), interleaved with the above:\n  %s\n"
		    "  => %.0f batches/s\n", line, s2.n / (wall[1] / 1e9));
		for (v = 0; v < 2; v++) {
			close(sfd[v]);
			close(tfd[v]);
			snprintf(path, sizeof(path), "%s/v%d.trail", dir, v);
			snprintf(path2, sizeof(path2), "%s/v%d.seg", dir, v);
			unlink(path);
			unlink(path2);
		}
	}
	snprintf(path, sizeof(path), "%s/serial.dat", dir);
	unlink(path);
	samples_free(&s);
	samples_free(&s2);
	samples_free(&s3);
	return 0;
}

/* --- payload building: abuf_kv_b64 goes through abuf_kvn, one
 * abuf_put per byte; base64 needs no escaping, so one memcpy would do. */
static void
payload_micro(void)
{
	struct abuf	 b = { 0 };
	char		*tmp = malloc(4 * ((sizeof(decision) + 2) / 3) + 1);
	uint64_t	 c0, c1, c2;
	int		 i, n = 20000, len;

	if (tmp == NULL)
		return;
	c0 = bench_cpu_ns();
	for (i = 0; i < n; i++) {
		b.len = 0;
		abuf_kv_b64(&b, "decision", decision, sizeof(decision));
	}
	c1 = bench_cpu_ns();
	for (i = 0; i < n; i++) {
		b.len = 0;
		len = EVP_EncodeBlock((unsigned char *)tmp,
		    (const unsigned char *)decision, (int)sizeof(decision));
		abuf_put(&b, "decision=", 9);
		abuf_put(&b, tmp, (size_t)len);
	}
	c2 = bench_cpu_ns();
	printf("building the evaluated payload's base64 decision (%zu B -> "
	    "%zu B), CPU per call:\n  abuf_kv_b64 (per-byte abuf_put) %.2f "
	    "us; EVP_EncodeBlock + one abuf_put %.2f us\n",
	    sizeof(decision), b.len, (double)(c1 - c0) / n / 1e3,
	    (double)(c2 - c1) / n / 1e3);
	abuf_free(&b);
	free(tmp);
}

/* --- 2. group commit with K in flight ---------------------------- */

static int
run_k(const char *parent, int k, double secs, struct audit_keys *keys)
{
	struct audit_writer_conf c;
	struct audit_scan	 scan;
	struct run		 r;
	struct bjob		*jobs;
	struct event		*stop;
	struct timeval		 tv;
	struct rusage		 ru0, ru1;
	struct stat		 sb, sbseg;
	char			 dir[4200], path[4400], err[512], line[256];
	size_t			 i, s0, s1, ntrail = 0, nseg = 0, b, nb;
	uint64_t		*per = NULL, tsum = 0, wall;
	struct samples		 tdur = { 0 }, sdur = { 0 }, bsz = { 0 };
	double			 cpu, el;
	char			 segpath[4400];
	uint64_t		 tr0, tr1;
	off_t			 tfirst = -1, tlast = 0, sfirst = -1, slast = 0;

	snprintf(dir, sizeof(dir), "%s/k%d", parent, k);
	if (mkdir(dir, 0700) == -1 && errno != EEXIST) {
		perror(dir);
		return -1;
	}
	memset(&r, 0, sizeof(r));
	r.k = k;
	if ((r.base = event_base_new()) == NULL)
		return -1;
	memset(&c, 0, sizeof(c));
	c.state_dir = dir;
	c.ruleset = ruleset;
	if (audit_writer_start(r.base, &c, keys, NULL, NULL, &scan, &r.w,
	    err, sizeof(err)) == -1) {
		fprintf(stderr, "bench_commit: %s\n", err);
		return -1;
	}
	if ((jobs = calloc((size_t)k, sizeof(*jobs))) == NULL)
		return -1;
	stop = evtimer_new(r.base, stop_cb, &r);
	tv.tv_sec = (time_t)secs;
	tv.tv_usec = (suseconds_t)((secs - (double)tv.tv_sec) * 1e6) +
	    300000;		/* + the 0.3 s warm-up */
	if (tv.tv_usec >= 1000000) {
		tv.tv_sec++;
		tv.tv_usec -= 1000000;
	}
	evtimer_add(stop, &tv);
	s0 = __atomic_load_n(&nsyncs, __ATOMIC_ACQUIRE);
	r.t_start = bench_now_ns() + 300000000ULL;
	for (i = 0; i < (size_t)k; i++) {
		job_fill(&r, &jobs[i]);
		r.inflight++;
		audit_writer_submit(r.w, &jobs[i].job);
	}
	getrusage(RUSAGE_SELF, &ru0);	/* incl. the ramp; fine at 3 s */
	/* The done event is only ever activated, never added: keep the
	 * loop running until the last job in flight came back. */
	event_base_loop(r.base, EVLOOP_NO_EXIT_ON_EMPTY);
	getrusage(RUSAGE_SELF, &ru1);
	s1 = __atomic_load_n(&nsyncs, __ATOMIC_ACQUIRE);
	audit_writer_stop(r.w);
	event_free(stop);
	event_base_free(r.base);

	/* Which fdatasyncs in the window were the trail's, the segment's. */
	snprintf(path, sizeof(path), "%s/" AUDIT_TRAIL, dir);
	snprintf(segpath, sizeof(segpath), "%s/documents/%s.seg", dir,
	    month);
	if (stat(path, &sb) == -1 || stat(segpath, &sbseg) == -1) {
		perror(path);
		return -1;
	}
	qsort(r.offsets, r.noff, sizeof(*r.offsets), offcmp);
	nb = 0;
	per = calloc(s1 - s0 + 1, sizeof(*per));
	for (i = s0; i < s1; i++) {
		if (syncs[i].end_ns < r.t_start || syncs[i].end_ns > r.t_end)
			continue;
		if (syncs[i].ino == sb.st_ino) {
			if (tfirst == -1)
				tfirst = syncs[i].size;
			tlast = syncs[i].size;
			ntrail++;
			samples_add(&tdur, syncs[i].dur_ns);
			tsum += syncs[i].dur_ns;
		} else if (syncs[i].ino == sbseg.st_ino) {
			if (sfirst == -1)
				sfirst = syncs[i].size;
			slast = syncs[i].size;
			nseg++;
			samples_add(&sdur, syncs[i].dur_ns);
			tsum += syncs[i].dur_ns;
		}
	}
	/* Jobs per trail fdatasync: a job belongs to the first trail sync
	 * whose size-after is beyond its received record's offset. */
	{
		size_t j = 0;

		for (i = s0; i < s1; i++) {
			if (syncs[i].ino != sb.st_ino)
				continue;
			b = 0;
			while (j < r.noff && r.offsets[j] < syncs[i].size) {
				b++;
				j++;
			}
			if (b > 0) {
				per[nb++] = b;
				samples_add(&bsz, b);
			}
		}
	}
	qsort(per, nb, sizeof(*per), u64cmp);
	wall = r.t_end - r.t_start;
	el = (double)wall / 1e9;
	cpu = ((double)(ru1.ru_utime.tv_sec - ru0.ru_utime.tv_sec) +
	    (double)(ru1.ru_utime.tv_usec - ru0.ru_utime.tv_usec) / 1e6 +
	    (double)(ru1.ru_stime.tv_sec - ru0.ru_stime.tv_sec) +
	    (double)(ru1.ru_stime.tv_usec - ru0.ru_stime.tv_usec) / 1e6);

	printf("\nK=%-5d %.2f s: %llu jobs committed = %.0f jobs/s, %.0f "
	    "records/s (+checkpoints), %.1f MB/s trail + %.1f MB/s documents\n",
	    k, el, (unsigned long long)r.jobs, r.jobs / el, 2 * r.jobs / el,
	    (double)(tlast - (tfirst < 0 ? 0 : tfirst)) / el / 1e6,
	    (double)(slast - (sfirst < 0 ? 0 : sfirst)) / el / 1e6);
	samples_line(&r.lat, line, sizeof(line));
	printf("  submit->completion: %s\n", line);
	printf("  batches (trail fdatasyncs with jobs of the window): %zu, "
	    "jobs per batch mean %.1f p50 %.0f p99 %.0f max %.0f; "
	    "fdatasyncs trail %zu + segment %zu = %.0f/s (%.0f%% of the "
	    "time inside fdatasync)\n", nb, nb ? (double)r.jobs / nb : 0.0,
	    bsz.n ? samples_pct_us(&bsz, .5) * 1000 : 0,
	    bsz.n ? samples_pct_us(&bsz, .99) * 1000 : 0,
	    bsz.n ? samples_max_us(&bsz) * 1000 : 0, ntrail, nseg,
	    (ntrail + nseg) / el, 100.0 * (double)tsum / (double)wall);
	samples_line(&tdur, line, sizeof(line));
	printf("  writer fdatasync trail:   %s\n", line);
	samples_line(&sdur, line, sizeof(line));
	printf("  writer fdatasync segment: %s\n", line);
	printf("  process CPU %.0f%% of one core (loop + writer threads); "
	    "building one job's payloads on the loop thread %.1f us CPU; "
	    "failed jobs %llu\n", 100.0 * cpu / el,
	    r.nfill ? (double)r.fill_ns / r.nfill / 1e3 : 0.0,
	    (unsigned long long)r.failed);

	/* The trail this made must verify. */
	tr0 = bench_now_ns();
	if (audit_scan_file(path, keys, 0, NULL, NULL, &scan) == -1) {
		fprintf(stderr, "bench_commit: %s does not verify: %s\n", path,
		    scan.error);
		return -1;
	}
	tr1 = bench_now_ns();
	printf("  trail verifies: %llu records, %llu checkpoints, %.1f MB "
	    "(scan %.0f ms); document segment %.1f MB\n",
	    (unsigned long long)scan.nrecords,
	    (unsigned long long)scan.ncheckpoints, (double)sb.st_size / 1e6,
	    (double)(tr1 - tr0) / 1e6, (double)sbseg.st_size / 1e6);
	fflush(stdout);

	samples_free(&r.lat);
	samples_free(&tdur);
	samples_free(&sdur);
	samples_free(&bsz);
	free(per);
	free(r.offsets);
	free(jobs);
	return 0;
}

static void
usage(void)
{
	fprintf(stderr, "usage: bench_commit [-d parent-dir] [-s seconds] "
	    "[-k K,K,...] [-n serial-count] [-x (keep the files)]\n");
	exit(2);
}

int
main(int argc, char *argv[])
{
	struct audit_keys	*keys;
	const char		*parent = "/var/tmp", *klist = "1,8,64,256,1024";
	char			 dir[4096], err[512], cmd[9000], machine[256];
	char			 load[64];
	char			*list, *tok, *save;
	double			 secs = 3.0;
	int			 c, n = 2000, keep = 0;
	size_t			 i;
	time_t			 now;
	struct tm		 tm;

	while ((c = getopt(argc, argv, "d:s:k:n:x")) != -1) {
		switch (c) {
		case 'd': parent = optarg; break;
		case 's': secs = atof(optarg); break;
		case 'k': klist = optarg; break;
		case 'n': n = atoi(optarg); break;
		case 'x': keep = 1; break;
		default: usage();
		}
	}
	if (evthread_use_pthreads() == -1) {
		fprintf(stderr, "bench_commit: evthread_use_pthreads\n");
		return 1;
	}
	if ((syncs = calloc(MAX_SYNCS, sizeof(*syncs))) == NULL)
		return 1;
	now = time(NULL);
	gmtime_r(&now, &tm);
	strftime(month, sizeof(month), "%Y-%m", &tm);
	memset(ruleset, 'a', 64);
	/* A document and a decision of the right sizes, XML-ish. */
	for (i = 0; i < sizeof(docbuf); i++)
		docbuf[i] = "<application>abcdefghij</xml>\n"[i % 30];
	for (i = 0; i < sizeof(decision); i++)
		decision[i] = "<decision xmlns='urn:bistand'>"[i % 30];

	snprintf(dir, sizeof(dir), "%s/bistand-bench-commit.XXXXXX", parent);
	if (mkdtemp(dir) == NULL) {
		perror(dir);
		return 1;
	}
	bench_machine(machine, sizeof(machine));
	bench_loadavg(load, sizeof(load));
	printf("bench_commit: %s; load average %s; state under %s\n",
	    machine, load, dir);
	fflush(stdout);
	snprintf(cmd, sizeof(cmd), "df -T '%s' | tail -n 1 | awk "
	    "'{print \"filesystem: \" $1 \" \" $2 \" mounted on \" $7}'; "
	    "findmnt -n -o OPTIONS -T '%s' | sed 's/^/mount options: /'",
	    dir, dir);
	if (system(cmd) != 0)
		fprintf(stderr, "bench_commit: df failed\n");
	fflush(stdout);

	if (serial(dir, n) == -1)
		return 1;
	payload_micro();
	if (audit_keys_open(dir, 1, &keys, err, sizeof(err)) == -1) {
		fprintf(stderr, "bench_commit: %s\n", err);
		return 1;
	}
	if ((list = strdup(klist)) == NULL)
		return 1;
	for (tok = strtok_r(list, ",", &save); tok != NULL;
	    tok = strtok_r(NULL, ",", &save))
		if (run_k(dir, atoi(tok), secs, keys) == -1)
			return 1;
	free(list);
	audit_keys_free(keys);
	bench_loadavg(load, sizeof(load));
	printf("\nload average at the end: %s\n", load);
	if (!keep) {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
		if (system(cmd) != 0)
			fprintf(stderr, "bench_commit: cannot remove %s\n",
			    dir);
	} else
		printf("kept %s\n", dir);
	free(syncs);
	return 0;
}
