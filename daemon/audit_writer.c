/*
 * audit_writer.c: the one thread that writes the audit trail.
 *
 * Group commit: the loop thread queues jobs; the writer takes the jobs
 * queued so far (at most WRITER_BATCH_MAX) as one batch, appends their
 * documents to the month's segment (one write) and their records to the
 * trail (one write), makes both durable at once — the trail's
 * fdatasync here, the segment's on the syncer thread — and hands the
 * batch back to the loop, which answers exactly those requests. Nothing
 * is acknowledged before both fdatasyncs returned.
 *
 * Two fdatasyncs in a row cost two disk flushes of latency, and on this
 * kind of VM their tails add up (bench/bench_fsync: p99 5.1 ms in a
 * row, 0.8 ms at once, one CPU busy). At once, a crash can leave the
 * last batch's records on disk without their documents; start-up
 * finds those (audit_repair.c) and cuts them, as it cuts a torn
 * line — only when the loss has the shape a crash gives it, since
 * other damage may hit records that were acknowledged.
 *
 * On any write error the batch is undone (files truncated back to the
 * last durable size, chain state restored), every queued job fails
 * and the writer reports "not ok" (the loop answers 503). Once a
 * second it tries again by writing a checkpoint; when that is durable
 * writing works again and the writer is ok by itself.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "audit.h"
#include "log.h"
#include "metrics.h"

#define WRITER_RETRY_SECS	1
/* Room a probe must find before the writer calls itself ok again: a
 * batch of applications, not just one small checkpoint (which can fit
 * into the last page of a full file system). */
#define WRITER_HEADROOM		(256 * 1024)
/* Jobs per batch. Bounds what a crash can leave half-durable, and so
 * what start-up has to check (audit_repair_docs). Far above the batches
 * group commit forms (tens of jobs at 10 000 requests/s). */
#define WRITER_BATCH_MAX	512

/* The syncer's request state (sync_state). */
enum { SYNC_IDLE, SYNC_ASKED, SYNC_DONE };

struct audit_writer {
	struct event_base	*base;
	struct event		*done_ev;
	pthread_t		 thread;
	int			 started;
	pthread_mutex_t		 mu;
	pthread_cond_t		 cv;
	TAILQ_HEAD(, audit_job)	 queue;		/* mu */
	TAILQ_HEAD(, audit_job)	 done;		/* mu */
	int			 stop;		/* mu */
	atomic_int		 ok;

	/* The writer thread's own; start-up sets them before it runs. */
	char			*dir;
	struct audit_keys	*keys;
	int			 fd;		/* the trail */
	off_t			 size;		/* durable bytes */
	atomic_llong		 durable;	/* size, for other threads */
	uint64_t		 seq;
	char			 head[AUDIT_HEX];	/* hash of record seq */
	int			 last_is_cp;
	uint64_t		 since_cp;
	time_t			 cp_time;	/* monotonic, last checkpoint */
	int			 cp_records;
	int			 cp_seconds;
	int			 seg_fd;
	char			 seg_month[8];
	off_t			 seg_size;
	struct abuf		 buf;
	struct abuf		 docs;

	/* The syncer: fdatasync of the segment while the writer does the
	 * trail's. sync_mu guards the fields after it. */
	pthread_t		 sync_thread;
	int			 sync_started;
	pthread_mutex_t		 sync_mu;
	pthread_cond_t		 sync_cv;
	int			 sync_state;
	int			 sync_fd;
	int			 sync_rc;
	int			 sync_errno;
	int			 sync_quit;
};

static time_t
writer_mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
}

/* Make the entries of dir durable (a file just created in it). 0, or
 * -1 with errno. */
static int
writer_fsync_dir(const char *dir)
{
	int fd, rc;

	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		return -1;
	rc = fsync(fd);
	close(fd);
	return rc;
}

/* Append one record to w->buf with the next SEQ and the chain head. */
static void
writer_append(struct audit_writer *w, struct audit_job_rec *rec,
    const char *type, const char *actor, const char *payload, size_t plen)
{
	unsigned char	hash[32];
	char		now[AUDIT_TIME_LEN + 1];
	size_t		start = w->buf.len;

	audit_time(now);
	w->seq++;
	audit_format(&w->buf, w->seq, now, type, actor, w->head, payload,
	    plen);
	if (w->buf.oom)
		return;
	audit_sha256(w->buf.p + start, w->buf.len - start, hash);
	audit_hex(hash, 32, w->head);
	if (rec != NULL) {
		memcpy(rec->time, now, sizeof(rec->time));
		rec->seq = w->seq;
		rec->offset = w->size + (off_t)start;
		rec->len = w->buf.len - start;
	}
	w->last_is_cp = strcmp(type, "checkpoint") == 0;
	w->since_cp = w->last_is_cp ? 0 : w->since_cp + 1;
}

static void
writer_append_checkpoint(struct audit_writer *w)
{
	struct abuf	 msg = { 0 }, pl = { 0 };
	char		 sig[129], now[AUDIT_TIME_LEN + 1], head[AUDIT_HEX];
	uint64_t	 head_seq = w->seq;
	size_t		 start = w->buf.len;
	unsigned char	 hash[32];

	/* The signed message holds the record's own TIME, so the time is
	 * taken here and the record formatted by hand. */
	memcpy(head, w->head, sizeof(head));
	audit_time(now);
	audit_cp_message(&msg, w->seq + 1, now, head_seq, head,
	    w->keys->fpr);
	if (msg.oom || audit_sign(w->keys, msg.p, msg.len, sig) == -1) {
		w->buf.oom = 1;
		goto out;
	}
	abuf_kvf(&pl, "head_seq", "%llu", (unsigned long long)head_seq);
	abuf_kv(&pl, "head", head);
	abuf_kv(&pl, "alg", "ed25519");
	abuf_kv(&pl, "key", w->keys->fpr);
	abuf_kv(&pl, "sig", sig);
	if (pl.oom) {
		w->buf.oom = 1;
		goto out;
	}
	w->seq++;
	audit_format(&w->buf, w->seq, now, "checkpoint", "daemon", head,
	    pl.p, pl.len);
	if (!w->buf.oom) {
		audit_sha256(w->buf.p + start, w->buf.len - start,
		    hash);
		audit_hex(hash, 32, w->head);
	}
	w->last_is_cp = 1;
	w->since_cp = 0;
	w->cp_time = writer_mono();
 out:
	abuf_free(&msg);
	abuf_free(&pl);
}

/*
 * Make the segment of month the open one. Its directory is synced on
 * every open, not only when the file is new: a sync that failed once
 * would otherwise never be tried again, and the documents a record
 * names must not vanish with a directory entry a crash lost.
 */
static int
writer_segment(struct audit_writer *w, const char *month)
{
	char		path[4200];
	struct stat	sb;
	int		fd;

	if (w->seg_fd != -1 && strcmp(w->seg_month, month) == 0)
		return 0;
	snprintf(path, sizeof(path), "%s/documents/%s.seg", w->dir, month);
	if ((fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC,
	    0600)) == -1 || fstat(fd, &sb) == -1) {
		log_warn("audit: %s", path);
		goto err;
	}
	snprintf(path, sizeof(path), "%s/documents", w->dir);
	if (writer_fsync_dir(path) == -1) {
		log_warn("audit: fsync %s", path);
		goto err;
	}
	if (w->seg_fd != -1)
		close(w->seg_fd);
	w->seg_fd = fd;
	w->seg_size = sb.st_size;
	snprintf(w->seg_month, sizeof(w->seg_month), "%s", month);
	return 0;
 err:
	if (fd != -1)
		close(fd);
	return -1;
}

static void *
writer_syncer_main(void *arg)
{
	struct audit_writer	*w = arg;
	int			 fd, rc, e;

	pthread_mutex_lock(&w->sync_mu);
	for (;;) {
		while (w->sync_state != SYNC_ASKED && !w->sync_quit)
			pthread_cond_wait(&w->sync_cv, &w->sync_mu);
		if (w->sync_state != SYNC_ASKED)
			break;
		fd = w->sync_fd;
		pthread_mutex_unlock(&w->sync_mu);
		rc = fdatasync(fd);
		e = errno;
		pthread_mutex_lock(&w->sync_mu);
		w->sync_rc = rc;
		w->sync_errno = e;
		w->sync_state = SYNC_DONE;
		pthread_cond_broadcast(&w->sync_cv);
	}
	pthread_mutex_unlock(&w->sync_mu);
	return NULL;
}

/*
 * fdatasync the trail and, when seg_fd is not -1, the segment at the
 * same time. Waits for both, also when one fails, so that an undo never
 * races a sync. 0, or -1 with errno of the first failure.
 */
static int
writer_sync(struct audit_writer *w, int seg_fd)
{
	int rc, e = 0;

	if (seg_fd == -1)
		return fdatasync(w->fd);
	pthread_mutex_lock(&w->sync_mu);
	w->sync_fd = seg_fd;
	w->sync_state = SYNC_ASKED;
	pthread_cond_broadcast(&w->sync_cv);
	pthread_mutex_unlock(&w->sync_mu);
	if ((rc = fdatasync(w->fd)) == -1)
		e = errno;
	pthread_mutex_lock(&w->sync_mu);
	while (w->sync_state != SYNC_DONE)
		pthread_cond_wait(&w->sync_cv, &w->sync_mu);
	w->sync_state = SYNC_IDLE;
	if (rc == 0 && w->sync_rc == -1) {
		rc = -1;
		e = w->sync_errno;
	}
	pthread_mutex_unlock(&w->sync_mu);
	if (rc == -1)
		errno = e;
	return rc;
}

/* Write w->docs to the open segment durably (on its own: a month's
 * segment is finished before the next one's documents are written). */
static int
writer_flush_docs(struct audit_writer *w)
{
	if (w->docs.len == 0)
		return 0;
	if (w->docs.oom || audit_write_all(w->seg_fd, w->docs.p,
	    w->docs.len) == -1 || fdatasync(w->seg_fd) == -1)
		return -1;
	w->seg_size += (off_t)w->docs.len;
	w->docs.len = 0;
	return 0;
}

/*
 * Write one batch: its documents and the records that name them, then
 * both made durable at once. 0 when all of it is durable; -1 after
 * undoing it.
 */
static int
writer_batch(struct audit_writer *w, struct audit_job **jobs, size_t n)
{
	struct audit_job	*j;
	struct abuf		 pl = { 0 };
	uint64_t		 seq0 = w->seq, since0 = w->since_cp;
	char			 head0[AUDIT_HEX], seg0[8], hdr[128], docref[64];
	off_t			 segsize0 = w->seg_size;
	size_t			 i, r;
	int			 hn, last0 = w->last_is_cp, rc = -1;

	memcpy(head0, w->head, sizeof(head0));
	memcpy(seg0, w->seg_month, sizeof(seg0));
	w->buf.len = 0;
	w->docs.len = 0;
	for (i = 0; i < n; i++) {
		j = jobs[i];
		docref[0] = '\0';
		if (j->doc != NULL) {
			if (strcmp(w->seg_month, j->doc_month) != 0) {
				if (writer_flush_docs(w) == -1 ||
				    writer_segment(w, j->doc_month) == -1)
					goto undo;
				/* An undo cuts this segment back to where it
				 * is now (what went to the one before is
				 * durable, named by nothing, and harmless). */
				memcpy(seg0, w->seg_month, sizeof(seg0));
				segsize0 = w->seg_size;
			}
			snprintf(docref, sizeof(docref), "%s.seg:%lld",
			    j->doc_month, (long long)(w->seg_size +
			    (off_t)w->docs.len));
			hn = snprintf(hdr, sizeof(hdr), "%s %zu\n", j->doc_sha,
			    j->doclen);
			abuf_put(&w->docs, hdr, (size_t)hn);
			abuf_put(&w->docs, j->doc, j->doclen);
			abuf_put(&w->docs, "\n", 1);
		}
		for (r = 0; r < (size_t)j->nrec; r++) {
			struct audit_job_rec *rec = &j->rec[r];

			pl.len = 0;
			abuf_put(&pl, rec->payload.p, rec->payload.len);
			if (rec->with_doc && docref[0] != '\0')
				abuf_kv(&pl, "doc", docref);
			if (pl.oom)
				goto undo;
			writer_append(w, rec, rec->type, rec->actor, pl.p,
			    pl.len);
		}
	}
	if (w->since_cp >= (uint64_t)w->cp_records)
		writer_append_checkpoint(w);
	if (w->buf.oom || w->docs.oom)
		goto undo;
	if (w->docs.len > 0 && audit_write_all(w->seg_fd, w->docs.p,
	    w->docs.len) == -1)
		goto undo;
	if (audit_write_all(w->fd, w->buf.p, w->buf.len) == -1 ||
	    writer_sync(w, w->docs.len > 0 ? w->seg_fd : -1) == -1)
		goto undo;
	w->seg_size += (off_t)w->docs.len;
	w->docs.len = 0;
	w->size += (off_t)w->buf.len;
	atomic_store(&w->durable, (long long)w->size);
	metrics_batch(n);
	rc = 0;
	goto out;
 undo:
	log_warn("audit: write failed; %zu job(s) not stored, answering 503 "
	    "until writing works again", n);
	w->seq = seq0;
	w->since_cp = since0;
	w->last_is_cp = last0;
	memcpy(w->head, head0, sizeof(head0));
	/* Back to the last durable sizes; a partial write is cut off. */
	if (ftruncate(w->fd, w->size) == -1)
		log_warn("audit: cannot truncate the trail back");
	if (w->seg_fd != -1 && strcmp(seg0, w->seg_month) == 0 &&
	    ftruncate(w->seg_fd, segsize0) == -1)
		log_warn("audit: cannot truncate the document segment back");
	if (strcmp(seg0, w->seg_month) == 0)
		w->seg_size = segsize0;
	w->docs.len = 0;
	w->docs.oom = 0;
	w->buf.oom = 0;
	atomic_store(&w->ok, 0);
 out:
	abuf_free(&pl);
	return rc;
}

/* Reserve len bytes past off in fd and give them back. fallocate(2)
 * itself, not posix_fallocate(): glibc's fallback for file systems
 * without it fails on O_APPEND files. Where it is not supported the
 * checkpoint probe alone decides. */
static int
writer_reserve(int fd, off_t off, off_t len)
{
	int rc = 0;

	if (fallocate(fd, 0, off, len) == -1 && errno != EOPNOTSUPP)
		rc = -1;
	if (ftruncate(fd, off) == -1)
		rc = -1;
	return rc;
}

/* Is there room for real work again? */
static int
writer_headroom(struct audit_writer *w)
{
	if (writer_reserve(w->fd, w->size, WRITER_HEADROOM) == -1)
		return -1;
	if (w->seg_fd != -1 &&
	    writer_reserve(w->seg_fd, w->seg_size, WRITER_HEADROOM) == -1)
		return -1;
	return 0;
}

/* A checkpoint alone: the periodic one, the final one, and the probe
 * that tells whether writing works again. */
static int
writer_checkpoint_now(struct audit_writer *w)
{
	uint64_t	seq0 = w->seq, since0 = w->since_cp;
	char		head0[AUDIT_HEX];

	memcpy(head0, w->head, sizeof(head0));
	w->buf.len = 0;
	if (ftruncate(w->fd, w->size) == -1)
		goto undo;
	writer_append_checkpoint(w);
	if (w->buf.oom || audit_write_all(w->fd, w->buf.p, w->buf.len) == -1 ||
	    fdatasync(w->fd) == -1)
		goto undo;
	w->size += (off_t)w->buf.len;
	atomic_store(&w->durable, (long long)w->size);
	return 0;
 undo:
	w->buf.oom = 0;
	w->seq = seq0;
	w->since_cp = since0;
	memcpy(w->head, head0, sizeof(head0));
	if (ftruncate(w->fd, w->size) == -1)
		log_debug("audit: truncate failed while retrying");
	return -1;
}

/* Hand finished jobs to the loop thread. */
static void
writer_complete(struct audit_writer *w, struct audit_job **jobs, size_t n,
    int ok)
{
	size_t i;

	pthread_mutex_lock(&w->mu);
	for (i = 0; i < n; i++) {
		jobs[i]->ok = ok;
		TAILQ_INSERT_TAIL(&w->done, jobs[i], entry);
	}
	pthread_mutex_unlock(&w->mu);
	if (n > 0)
		event_active(w->done_ev, 0, 0);
}

static void *
writer_main(void *arg)
{
	struct audit_writer	*w = arg;
	struct audit_job	**jobs = NULL, *j, **nj;
	struct timespec		 until;
	size_t			 n, cap = 0;
	int			 stopping, ok;
	time_t			 last_try = 0;

	for (;;) {
		pthread_mutex_lock(&w->mu);
		while (TAILQ_EMPTY(&w->queue) && !w->stop) {
			/* Wake up for a due checkpoint or a retry. */
			if (!atomic_load(&w->ok) || w->since_cp > 0) {
				clock_gettime(CLOCK_REALTIME, &until);
				until.tv_sec += 1;
				if (pthread_cond_timedwait(&w->cv, &w->mu,
				    &until) == ETIMEDOUT)
					break;
			} else
				pthread_cond_wait(&w->cv, &w->mu);
		}
		n = 0;
		while (n < WRITER_BATCH_MAX &&
		    (j = TAILQ_FIRST(&w->queue)) != NULL) {
			if (n == cap) {
				cap = cap ? cap * 2 : 64;
				if ((nj = realloc(jobs, cap *
				    sizeof(*jobs))) == NULL) {
					cap = n;
					break;
				}
				jobs = nj;
			}
			TAILQ_REMOVE(&w->queue, j, entry);
			jobs[n++] = j;
		}
		stopping = w->stop && TAILQ_EMPTY(&w->queue);
		pthread_mutex_unlock(&w->mu);

		if (!atomic_load(&w->ok) &&
		    writer_mono() - last_try >= WRITER_RETRY_SECS) {
			last_try = writer_mono();
			if (writer_headroom(w) == 0 &&
			    writer_checkpoint_now(w) == 0) {
				log_info("audit: writing works again "
				    "(checkpoint %llu)", (unsigned long long)
				    w->seq);
				atomic_store(&w->ok, 1);
			}
		}
		if (n > 0) {
			ok = atomic_load(&w->ok) &&
			    writer_batch(w, jobs, n) == 0;
			writer_complete(w, jobs, n, ok);
		} else if (atomic_load(&w->ok) && w->since_cp > 0 &&
		    writer_mono() - w->cp_time >= w->cp_seconds) {
			if (writer_checkpoint_now(w) == -1) {
				log_warn("audit: checkpoint failed");
				atomic_store(&w->ok, 0);
			}
		}
		if (stopping)
			break;
	}
	if (atomic_load(&w->ok) && !w->last_is_cp &&
	    writer_checkpoint_now(w) == -1)
		log_warn("audit: final checkpoint failed");
	free(jobs);
	return NULL;
}

/* Loop thread: run the callbacks of finished jobs. */
static void
writer_done_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct audit_writer	*w = arg;
	TAILQ_HEAD(, audit_job)	 list;
	struct audit_job	*j;

	(void)fd; (void)ev;
	TAILQ_INIT(&list);
	pthread_mutex_lock(&w->mu);
	TAILQ_CONCAT(&list, &w->done, entry);
	pthread_mutex_unlock(&w->mu);
	while ((j = TAILQ_FIRST(&list)) != NULL) {
		TAILQ_REMOVE(&list, j, entry);
		j->done(j);
	}
}

void
audit_writer_submit(struct audit_writer *w, struct audit_job *j)
{
	pthread_mutex_lock(&w->mu);
	TAILQ_INSERT_TAIL(&w->queue, j, entry);
	pthread_cond_signal(&w->cv);
	pthread_mutex_unlock(&w->mu);
}

int
audit_writer_ok(struct audit_writer *w)
{
	return atomic_load(&w->ok);
}

off_t
audit_writer_durable(struct audit_writer *w)
{
	return (off_t)atomic_load(&w->durable);
}

void
audit_job_single(struct audit_job *j, const char *type, const char *actor,
    struct abuf *payload)
{
	j->nrec = 1;
	j->rec[0].type = type;
	snprintf(j->rec[0].actor, sizeof(j->rec[0].actor), "%s", actor);
	j->rec[0].payload = *payload;
	memset(payload, 0, sizeof(*payload));
}

void
audit_job_clear(struct audit_job *j)
{
	int i;

	for (i = 0; i < AUDIT_JOB_RECS; i++)
		abuf_free(&j->rec[i].payload);
}

static void
writer_free(struct audit_writer *w)
{
	if (w == NULL)
		return;
	if (w->sync_started) {
		pthread_mutex_lock(&w->sync_mu);
		w->sync_quit = 1;
		pthread_cond_broadcast(&w->sync_cv);
		pthread_mutex_unlock(&w->sync_mu);
		pthread_join(w->sync_thread, NULL);
	}
	if (w->done_ev != NULL)
		event_free(w->done_ev);
	if (w->fd != -1)
		close(w->fd);
	if (w->seg_fd != -1)
		close(w->seg_fd);
	abuf_free(&w->buf);
	abuf_free(&w->docs);
	pthread_mutex_destroy(&w->sync_mu);
	pthread_cond_destroy(&w->sync_cv);
	pthread_mutex_destroy(&w->mu);
	pthread_cond_destroy(&w->cv);
	free(w->dir);
	free(w);
}

int
audit_writer_start(struct event_base *base, const struct audit_writer_conf *c,
    struct audit_keys *keys, audit_visit visit, void *arg,
    struct audit_scan *s, struct audit_writer **out, char *err,
    size_t errlen)
{
	struct audit_writer	*w;
	struct audit_job	 opened;
	char			 path[4200];
	int			 created;

	if ((w = calloc(1, sizeof(*w))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	w->fd = w->seg_fd = -1;
	pthread_mutex_init(&w->mu, NULL);
	pthread_cond_init(&w->cv, NULL);
	pthread_mutex_init(&w->sync_mu, NULL);
	pthread_cond_init(&w->sync_cv, NULL);
	atomic_init(&w->durable, 0);
	TAILQ_INIT(&w->queue);
	TAILQ_INIT(&w->done);
	w->base = base;
	w->keys = keys;
	w->cp_records = c->checkpoint_records > 0 ? c->checkpoint_records :
	    1000;
	w->cp_seconds = c->checkpoint_seconds > 0 ? c->checkpoint_seconds :
	    60;
	if ((w->dir = strdup(c->state_dir)) == NULL) {
		snprintf(err, errlen, "out of memory");
		goto err;
	}
	snprintf(path, sizeof(path), "%s/" AUDIT_TRAIL, w->dir);
	if (audit_repair_docs(w->dir, path, WRITER_BATCH_MAX, err,
	    errlen) == -1)
		goto err;
	if (audit_scan_file(path, keys, 1, visit, arg, s) == -1) {
		snprintf(err, errlen, "%s: %s", path, s->error);
		goto err;
	}
	if (s->torn > 0 && audit_repair_torn(path, s, err, errlen) == -1)
		goto err;
	created = access(path, F_OK) == -1;
	if ((w->fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC,
	    0600)) == -1) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		goto err;
	}
	snprintf(path, sizeof(path), "%s/documents", w->dir);
	if (mkdir(path, 0700) == 0)
		created = 1;
	else if (errno != EEXIST) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		goto err;
	}
	/* The trail's and the documents directory's entries durable. */
	if (created && writer_fsync_dir(w->dir) == -1) {
		snprintf(err, errlen, "fsync %s: %s", w->dir, strerror(errno));
		goto err;
	}
	w->size = s->end;
	w->seq = s->last_seq;
	if (s->last_seq == 0)
		memset(w->head, '0', 64), w->head[64] = '\0';
	else
		audit_hex(s->last_hash, 32, w->head);
	w->last_is_cp = s->last_seq != 0 && s->last_cp_seq == s->last_seq;
	w->cp_time = writer_mono();
	atomic_store(&w->ok, 1);

	if (pthread_create(&w->sync_thread, NULL, writer_syncer_main,
	    w) != 0) {
		snprintf(err, errlen, "cannot start the syncer thread");
		goto err;
	}
	w->sync_started = 1;

	/* The opened record, synchronously: start-up fails if the trail
	 * cannot be written at all. */
	memset(&opened, 0, sizeof(opened));
	opened.nrec = 1;
	opened.rec[0].type = "opened";
	snprintf(opened.rec[0].actor, sizeof(opened.rec[0].actor), "daemon");
	abuf_kvf(&opened.rec[0].payload, "format", "%d", AUDIT_FORMAT);
	abuf_kv(&opened.rec[0].payload, "ruleset", c->ruleset);
	abuf_kv(&opened.rec[0].payload, "key", keys->fpr);
	{
		struct audit_job *one = &opened;

		if (writer_batch(w, &one, 1) == -1) {
			audit_job_clear(&opened);
			snprintf(err, errlen, "%s/" AUDIT_TRAIL ": cannot "
			    "write: %s", w->dir, strerror(errno));
			goto err;
		}
	}
	audit_job_clear(&opened);
	if ((w->done_ev = event_new(base, -1, 0, writer_done_cb, w)) == NULL) {
		snprintf(err, errlen, "event_new failed");
		goto err;
	}
	if (pthread_create(&w->thread, NULL, writer_main, w) != 0) {
		snprintf(err, errlen, "cannot start the writer thread");
		goto err;
	}
	w->started = 1;
	*out = w;
	return 0;
 err:
	writer_free(w);
	return -1;
}

void
audit_writer_stop(struct audit_writer *w)
{
	if (w == NULL)
		return;
	if (w->started) {
		pthread_mutex_lock(&w->mu);
		w->stop = 1;
		pthread_cond_signal(&w->cv);
		pthread_mutex_unlock(&w->mu);
		pthread_join(w->thread, NULL);
		/* Answer what finished after the loop stopped. */
		writer_done_cb(-1, 0, w);
	}
	writer_free(w);
}
