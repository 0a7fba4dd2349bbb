/*
 * bench_fsync: the latency of the writer's durable step on this disk,
 * alone and with the CPUs busy.
 *
 *   bench_fsync [-n batches] [-b busy-threads] [dir]
 *
 * A batch here is what audit_writer.c does per group commit: append
 * ~11 KB of documents to one file and ~20 KB of records to another and
 * make both durable. Five ways, each -n times, in fresh files under
 * dir (default /var/tmp; never tmpfs):
 *   serial    write + fdatasync the documents, then the records (today's
 *             order: documents durable before the records naming them)
 *   parallel  write both, fdatasync both at once (a second thread)
 *   one file  write + fdatasync the records only (the floor: one file)
 *   one, both both payloads to one file, one fdatasync (what documents
 *             kept in the trail itself would cost)
 *   two in flight  two threads, each writing a batch to both files and
 *             fdatasync'ing them, so that one batch is written and synced
 *             while the other's sync is still running: a pipelined writer.
 *             Its batches/s against "serial" says whether this disk
 *             overlaps flushes at all (bench/README.md, session 5).
 * Each way also prints batches/s (n over the way's elapsed time).
 * With -b N, N threads spin on the CPU meanwhile, as the event loop,
 * the evaluation worker and a load generator do under load: on this VM
 * that, not the disk alone, makes the tail (bench/README.md).
 */
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define DOCS_BYTES	11000
#define RECS_BYTES	20000

static char		 buf[RECS_BYTES];
static atomic_int	 stop_busy;
static int		 sync_fd = -1;
static pthread_mutex_t	 mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t	 cv = PTHREAD_COND_INITIALIZER;
static int		 sync_go, sync_done, sync_quit;

static double
now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

static void *
busy_main(void *arg)
{
	volatile unsigned long x = 0;

	(void)arg;
	while (!atomic_load(&stop_busy))
		x++;
	return NULL;
}

/* The second thread of "parallel": fdatasync(sync_fd) when told. */
static void *
sync_main(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&mu);
	for (;;) {
		while (!sync_go && !sync_quit)
			pthread_cond_wait(&cv, &mu);
		if (sync_quit)
			break;
		sync_go = 0;
		pthread_mutex_unlock(&mu);
		if (fdatasync(sync_fd) == -1)
			perror("fdatasync");
		pthread_mutex_lock(&mu);
		sync_done = 1;
		pthread_cond_broadcast(&cv);
	}
	pthread_mutex_unlock(&mu);
	return NULL;
}

static int
append(int fd, size_t n)
{
	if (write(fd, buf, n) != (ssize_t)n) {
		perror("write");
		return -1;
	}
	return 0;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void
report(const char *name, int n, double *lat, double sum, double elapsed)
{
	qsort(lat, (size_t)n, sizeof(*lat), cmp_double);
	printf("  %-13s n=%d  %6.0f batches/s  mean %6.3f  p50 %6.3f  "
	    "p90 %6.3f  p99 %7.3f  max %7.3f ms\n", name, n,
	    n / (elapsed / 1e3), sum / n, lat[n / 2], lat[n * 9 / 10],
	    lat[n * 99 / 100], lat[n - 1]);
}

/* A way's two files, fresh under dir, removed after. */
struct files {
	char	docs_path[4096], recs_path[4096];
	int	docs, recs;
};

/* 0, or -1 (said on stderr; files_close still needed). */
static int
files_open(struct files *f, const char *dir)
{
	snprintf(f->docs_path, sizeof(f->docs_path),
	    "%s/bench-fsync-docs.%d", dir, (int)getpid());
	snprintf(f->recs_path, sizeof(f->recs_path),
	    "%s/bench-fsync-recs.%d", dir, (int)getpid());
	f->docs = open(f->docs_path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND,
	    0600);
	f->recs = open(f->recs_path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND,
	    0600);
	if (f->docs == -1 || f->recs == -1) {
		perror(dir);
		return -1;
	}
	return 0;
}

static void
files_close(struct files *f)
{
	if (f->docs != -1)
		close(f->docs);
	if (f->recs != -1)
		close(f->recs);
	unlink(f->docs_path);
	unlink(f->recs_path);
}

/* "two in flight": the files, the next batch's number, the results. */
static struct files	 pipe_f;
static int		 pipe_n, pipe_next;
static int		 pipe_failed;
static double		*pipe_lat, pipe_sum;

static void *
pipe_main(void *arg)
{
	double	t0, t;
	int	i, ok;

	(void)arg;
	for (;;) {
		/* the two files' bytes in batch order, as one writer would */
		pthread_mutex_lock(&mu);
		if (pipe_failed || (i = pipe_next++) >= pipe_n) {
			pthread_mutex_unlock(&mu);
			return NULL;
		}
		t0 = now_ms();
		ok = append(pipe_f.docs, DOCS_BYTES) == 0 &&
		    append(pipe_f.recs, RECS_BYTES) == 0;
		pthread_mutex_unlock(&mu);
		if (ok && (fdatasync(pipe_f.docs) == -1 ||
		    fdatasync(pipe_f.recs) == -1)) {
			perror("fdatasync");
			ok = 0;
		}
		t = now_ms() - t0;
		pthread_mutex_lock(&mu);
		pipe_failed |= !ok;
		pipe_lat[i] = t;
		pipe_sum += t;
		pthread_mutex_unlock(&mu);
	}
}

/* Two batches in flight at a time, n in all. 0 or -1. */
static int
run_pipelined(const char *dir, int n, double *lat)
{
	pthread_t	 t[2];
	double		 start;
	int		 i, started = 0, rc = -1;

	if (files_open(&pipe_f, dir) == -1)
		goto out;
	pipe_n = n;
	pipe_next = 0;
	pipe_failed = 0;
	pipe_lat = lat;
	pipe_sum = 0;
	start = now_ms();
	for (; started < 2; started++)
		if (pthread_create(&t[started], NULL, pipe_main, NULL) != 0) {
			pthread_mutex_lock(&mu);
			pipe_failed = 1;	/* the other one stops */
			pthread_mutex_unlock(&mu);
			break;
		}
	for (i = 0; i < started; i++)
		pthread_join(t[i], NULL);
	if (pipe_failed)
		goto out;
	report("two in flight", n, lat, pipe_sum, now_ms() - start);
	rc = 0;
 out:
	files_close(&pipe_f);
	return rc;
}

/* One way, n batches; prints the distribution. 0 or -1. */
static int
run(const char *dir, const char *name, int mode, int n, double *lat)
{
	struct files	f;
	int		fd_docs, fd_recs, i, rc = -1;
	double		t0, start, sum = 0;

	if (files_open(&f, dir) == -1)
		goto out;
	fd_docs = f.docs;
	fd_recs = f.recs;
	start = now_ms();
	for (i = 0; i < n; i++) {
		t0 = now_ms();
		if (mode == 0) {
			if (append(fd_docs, DOCS_BYTES) == -1 ||
			    fdatasync(fd_docs) == -1 ||
			    append(fd_recs, RECS_BYTES) == -1 ||
			    fdatasync(fd_recs) == -1)
				goto out;
		} else if (mode == 1) {
			if (append(fd_docs, DOCS_BYTES) == -1 ||
			    append(fd_recs, RECS_BYTES) == -1)
				goto out;
			pthread_mutex_lock(&mu);
			sync_fd = fd_docs;
			sync_done = 0;
			sync_go = 1;
			pthread_cond_broadcast(&cv);
			pthread_mutex_unlock(&mu);
			if (fdatasync(fd_recs) == -1)
				goto out;
			pthread_mutex_lock(&mu);
			while (!sync_done)
				pthread_cond_wait(&cv, &mu);
			pthread_mutex_unlock(&mu);
		} else if (append(fd_recs, RECS_BYTES) == -1 ||
		    (mode == 3 && append(fd_recs, DOCS_BYTES) == -1) ||
		    fdatasync(fd_recs) == -1)
			goto out;
		lat[i] = now_ms() - t0;
		sum += lat[i];
	}
	report(name, n, lat, sum, now_ms() - start);
	rc = 0;
 out:
	files_close(&f);
	return rc;
}

int
main(int argc, char *argv[])
{
	pthread_t	 busy[16], syncer;
	const char	*dir = "/var/tmp";
	double		*lat;
	int		 ch, n = 1000, nbusy = 0, i, rc = 1;

	while ((ch = getopt(argc, argv, "n:b:")) != -1) {
		switch (ch) {
		case 'n':
			n = atoi(optarg);
			break;
		case 'b':
			nbusy = atoi(optarg);
			break;
		default:
			fprintf(stderr, "usage: bench_fsync [-n batches] "
			    "[-b busy-threads] [dir]\n");
			return 2;
		}
	}
	if (optind < argc)
		dir = argv[optind];
	if (n < 10 || nbusy < 0 || nbusy > 16) {
		fprintf(stderr, "bench_fsync: -n >= 10, -b 0..16\n");
		return 2;
	}
	if ((lat = calloc((size_t)n, sizeof(*lat))) == NULL)
		return 1;
	memset(buf, 'x', sizeof(buf));
	if (pthread_create(&syncer, NULL, sync_main, NULL) != 0)
		return 1;
	for (i = 0; i < nbusy; i++)
		if (pthread_create(&busy[i], NULL, busy_main, NULL) != 0)
			return 1;
	printf("bench_fsync: %s, batches of %d + %d bytes, %d busy "
	    "thread(s)\n", dir, DOCS_BYTES, RECS_BYTES, nbusy);
	if (run(dir, "serial", 0, n, lat) == 0 &&
	    run(dir, "parallel", 1, n, lat) == 0 &&
	    run(dir, "one file", 2, n, lat) == 0 &&
	    run(dir, "one, both", 3, n, lat) == 0 &&
	    run_pipelined(dir, n, lat) == 0)
		rc = 0;
	atomic_store(&stop_busy, 1);
	for (i = 0; i < nbusy; i++)
		pthread_join(busy[i], NULL);
	pthread_mutex_lock(&mu);
	sync_quit = 1;
	pthread_cond_broadcast(&cv);
	pthread_mutex_unlock(&mu);
	pthread_join(syncer, NULL);
	free(lat);
	return rc;
}
