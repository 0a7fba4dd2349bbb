/*
 * audit_log.c: read a trail end to end and verify it.
 *
 * The file is mapped read-only and walked line by line: syntax, SEQ,
 * the hash chain, record types, and every checkpoint's signature.
 *
 * Torn tail versus damage: a crash can only leave a partial last batch,
 * never a good record after a bad one. So when the first bad line does
 * not even parse, and no complete line after it parses either, the
 * rest is a torn tail (the caller may cut it). A line that parses but
 * breaks the chain or a signature, or any parseable record after a bad
 * line, is damage: the trail is not to be served.
 *
 * Splitting and hashing (most of the cost) are independent per record;
 * only SEQ, PREV, checkpoints and the visitor are sequential. So a
 * large trail is cut into chunks (by byte offset) that a second thread
 * parses ahead while this one checks the chain and visits; whenever the
 * record it needs is not parsed yet, this thread parses it itself
 * rather than wait (on a busy machine the reader may not be running).
 * The reader only produces what audit_parse_md would give for a line
 * and stops at the first line that does not parse: that line, and any
 * line the reader did not do, is parsed here as before, so every
 * verdict and message is the single-threaded one.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/sha.h>

#include "application.h"
#include "audit.h"

static const char *const log_types[] = { "opened", "ruleset", "received",
	"evaluated", "refused", "forbidden", "checkpoint", "claimed", "released",
	"assigned", "decided", "completed", NULL };

static int
log_type_known(const struct audit_record *r)
{
	size_t i;

	for (i = 0; log_types[i] != NULL; i++)
		if (audit_is(r, log_types[i]))
			return 1;
	return 0;
}

/* Verify a checkpoint's fields and signature; -1 with why. */
static int
log_checkpoint(const struct audit_record *r, const struct audit_keys *k,
    char *why, size_t whylen)
{
	struct abuf	 msg = { 0 };
	char		 head[AUDIT_HEX + 1], fpr[AUDIT_HEX + 1], sig[130];
	char		 alg[16], time[AUDIT_TIME_LEN + 1];
	uint64_t	 head_seq;
	int		 rc = -1;

	if (r->actor_len != 6 || memcmp(r->actor, "daemon", 6) != 0) {
		snprintf(why, whylen, "checkpoint not written by the daemon");
		return -1;
	}
	if (audit_get_u64(r, "head_seq", &head_seq) == -1 ||
	    audit_get(r, "head", head, sizeof(head)) == -1 ||
	    audit_get(r, "alg", alg, sizeof(alg)) == -1 ||
	    audit_get(r, "key", fpr, sizeof(fpr)) == -1 ||
	    audit_get(r, "sig", sig, sizeof(sig)) == -1) {
		snprintf(why, whylen, "checkpoint lacks a field");
		return -1;
	}
	if (head_seq + 1 != r->seq || strlen(head) != 64 ||
	    memcmp(head, r->prev, 64) != 0) {
		snprintf(why, whylen, "checkpoint head is not the record "
		    "before it");
		return -1;
	}
	if (strcmp(alg, "ed25519") != 0) {
		snprintf(why, whylen, "checkpoint algorithm '%s'", alg);
		return -1;
	}
	if (k == NULL)
		return 0;
	if (strcmp(fpr, k->fpr) != 0) {
		snprintf(why, whylen, "checkpoint signed by another key (%.16s"
		    "…, expected %.16s…)", fpr, k->fpr);
		return -1;
	}
	memcpy(time, r->time, AUDIT_TIME_LEN);
	time[AUDIT_TIME_LEN] = '\0';
	audit_cp_message(&msg, r->seq, time, head_seq, head, fpr);
	if (msg.oom) {
		snprintf(why, whylen, "out of memory");
		goto out;
	}
	if (audit_verify(k, msg.p, msg.len, sig) == -1) {
		snprintf(why, whylen, "checkpoint signature does not verify");
		goto out;
	}
	rc = 0;
 out:
	abuf_free(&msg);
	return rc;
}

/* The line at off as a record: 0, or -1 with why. */
static int
scan_line(const char *map, off_t off, off_t size, struct audit_record *r,
    EVP_MD_CTX *ctx, const EVP_MD *md, char *why, size_t whylen)
{
	const char	*nl;

	if ((nl = memchr(map + off, '\n', (size_t)(size - off))) == NULL) {
		snprintf(why, whylen, "incomplete record (no line feed)");
		return -1;
	}
	if (nl - (map + off) + 1 > AUDIT_LINE_MAX) {
		snprintf(why, whylen, "record longer than %d bytes",
		    AUDIT_LINE_MAX);
		return -1;
	}
	return audit_parse_md(map + off, (size_t)(nl - (map + off) + 1), r,
	    ctx, md, why, whylen);
}

/* --- parsing ahead ----------------------------------------------- */

/* 128 KiB: ~58 records of the benchmark's shape, so the lock is taken
 * once per ~50 records; 1 MiB ahead at most, so the bytes are still in
 * the shared cache when the visitor reads them. */
#define SCAN_CHUNK	(128 * 1024)
#define SCAN_RING	8	/* chunks parsed ahead at most */
/* No record is shorter (SEQ, TIME, PREV, five TABs and the LF are
 * 98 bytes), so a chunk's records fit an array of chunk / 98 + 1,
 * allocated once: the scan reads it while the reader appends. */
#define SCAN_MIN_REC	98
#define SCAN_POLL_NS	200000	/* reader, ring full: look again */

static size_t	scan_chunk = SCAN_CHUNK;
static int	scan_threads = 1;

void
audit_scan_tune(size_t chunk, int threads)
{
	scan_chunk = chunk == 0 ? SCAN_CHUNK : chunk;
	scan_threads = threads;
}

struct scan_slot {
	struct audit_record	*rec;
	size_t			 cap;
	uint64_t		 chunk;		/* which, when claimed */
	int			 busy;		/* the reader is on it */
	_Atomic size_t		 n;		/* records published */
	_Atomic int		 taken;		/* the scan parses the rest */
};

struct scan_pipe {
	pthread_mutex_t		 mu;
	pthread_cond_t		 cv;
	const char		*map;
	off_t			 size;
	off_t			 chunk;
	uint64_t		 nchunks;
	uint64_t		 next;		/* first chunk nobody claimed */
	uint64_t		 consumed;	/* slots of chunks below: free */
	_Atomic int		 stop;
	const EVP_MD		*md;
	struct scan_slot	 slot[SCAN_RING];
	/* The scanning thread's side, not shared. */
	uint64_t		 cur;		/* chunk being consumed */
	struct scan_slot	*use;		/* its records, or NULL */
	size_t			 pos;		/* records of it done */
	pthread_t		 thread;
	int			 started;
};

/* Parse the lines starting in chunk k into sl, publishing each: the
 * records a scan would accept, up to the first line it would refuse,
 * or until the scan takes the chunk over. A record may end beyond the
 * chunk; the next chunk starts at its first line start. */
static void
pipe_parse(struct scan_pipe *p, uint64_t k, struct scan_slot *sl,
    EVP_MD_CTX *ctx)
{
	const char	*nl;
	char		 why[256];
	size_t		 n = 0;
	off_t		 off = (off_t)k * p->chunk, end, lim;

	end = off + p->chunk < p->size ? off + p->chunk : p->size;
	/* A line starts at o when o is 0 or follows a LF; bounded by the
	 * chunk, so a long run without LF costs each chunk its own bytes
	 * only. */
	if (off > 0) {
		nl = memchr(p->map + off - 1, '\n', (size_t)(end - off + 1));
		if (nl == NULL)
			return;
		off = nl - p->map + 1;
	}
	while (off < end && n < sl->cap &&
	    !atomic_load_explicit(&sl->taken, memory_order_relaxed) &&
	    !atomic_load_explicit(&p->stop, memory_order_relaxed)) {
		/* A line the scan accepts has its LF within AUDIT_LINE_MAX
		 * bytes; anything else is an error the scan words itself. */
		lim = p->size - off < AUDIT_LINE_MAX ? p->size - off :
		    AUDIT_LINE_MAX;
		if ((nl = memchr(p->map + off, '\n', (size_t)lim)) == NULL)
			return;
		if (audit_parse_md(p->map + off, (size_t)(nl - (p->map + off) +
		    1), &sl->rec[n], ctx, p->md, why, sizeof(why)) == -1)
			return;
		sl->rec[n].offset = off;
		atomic_store_explicit(&sl->n, ++n, memory_order_release);
		off = nl - p->map + 1;
	}
}

static void *
pipe_reader(void *arg)
{
	struct scan_pipe	*p = arg;
	struct scan_slot	*sl;
	struct timespec		 ts;
	EVP_MD_CTX		*ctx = EVP_MD_CTX_new();
	uint64_t		 k;

	if (ctx == NULL)
		return NULL;	/* the scan parses everything itself */
	pthread_mutex_lock(&p->mu);
	for (;;) {
		if (atomic_load(&p->stop) || p->next >= p->nchunks)
			break;
		if (p->next >= p->consumed + SCAN_RING) {
			/* The ring is full: look again in a while. Not
			 * woken by the scan: on a busy machine each such
			 * wake-up put this thread on the scan's CPU and
			 * preempted it (measured: 15-25 % of the scan's wall
			 * clock lost in pthread_mutex_unlock after a
			 * signal). A full ring is ~1 ms of the scan's work. */
			clock_gettime(CLOCK_MONOTONIC, &ts);
			ts.tv_nsec += SCAN_POLL_NS;
			if (ts.tv_nsec >= 1000000000) {
				ts.tv_sec++;
				ts.tv_nsec -= 1000000000;
			}
			pthread_cond_timedwait(&p->cv, &p->mu, &ts);
			continue;
		}
		k = p->next++;
		sl = &p->slot[k % SCAN_RING];
		if (sl->rec == NULL) {
			sl->cap = (size_t)p->chunk / SCAN_MIN_REC + 1;
			if ((sl->rec = calloc(sl->cap, sizeof(*sl->rec))) ==
			    NULL)
				break;
		}
		sl->chunk = k;
		sl->busy = 1;
		atomic_store(&sl->n, 0);
		atomic_store(&sl->taken, 0);
		pthread_mutex_unlock(&p->mu);
		pipe_parse(p, k, sl, ctx);
		pthread_mutex_lock(&p->mu);
		sl->busy = 0;
	}
	pthread_mutex_unlock(&p->mu);
	EVP_MD_CTX_free(ctx);
	return NULL;
}

/* Make chunk k the one being consumed. Never waits for the reader: a
 * chunk it has not claimed, the scan claims and parses itself. */
static void
pipe_enter(struct scan_pipe *p, uint64_t k)
{
	struct scan_slot	*sl;

	pthread_mutex_lock(&p->mu);
	/* Free the slots of chunks left behind, in order; one the reader
	 * is still on (taken over, it stops within a record) is freed on
	 * a later call. */
	while (p->consumed < k) {
		sl = &p->slot[p->consumed % SCAN_RING];
		if (sl->chunk == p->consumed && sl->busy)
			break;
		p->consumed++;
	}
	sl = &p->slot[k % SCAN_RING];
	if (k < p->next && sl->chunk == k && sl->rec != NULL)
		p->use = sl;
	else {
		p->use = NULL;
		if (k >= p->next)
			p->next = k + 1;
	}
	pthread_mutex_unlock(&p->mu);
	p->cur = k;
	p->pos = 0;
}

/* The record at off, parsed ahead: 0, or -1 when the caller is to
 * parse it (the reader is behind, stopped there or never came). */
static int
pipe_take(struct scan_pipe *p, off_t off, struct audit_record *r)
{
	struct scan_slot	*sl;
	uint64_t		 k = (uint64_t)(off / p->chunk);
	size_t			 i;

	if (k != p->cur)
		pipe_enter(p, k);
	i = p->pos++;
	if ((sl = p->use) == NULL)
		return -1;
	if (i < atomic_load_explicit(&sl->n, memory_order_acquire) &&
	    sl->rec[i].offset == off) {
		*r = sl->rec[i];
		return 0;
	}
	/* Behind us: rather than wait (it may not even be running on a
	 * busy machine), parse the rest of this chunk here. */
	atomic_store_explicit(&sl->taken, 1, memory_order_relaxed);
	return -1;
}

/* NULL when the trail is small or a thread cannot be had: the scan
 * then parses every line itself. */
static struct scan_pipe *
pipe_start(const char *map, off_t size, const EVP_MD *md)
{
	struct scan_pipe	*p;
	pthread_condattr_t	 ca;
	sigset_t		 all, old;
	off_t			 chunk = (off_t)scan_chunk;

	if (!scan_threads || md == NULL || size < 4 * chunk ||
	    (p = calloc(1, sizeof(*p))) == NULL)
		return NULL;
	p->map = map;
	p->size = size;
	p->chunk = chunk;
	p->nchunks = (uint64_t)((size + chunk - 1) / chunk);
	p->md = md;
	p->cur = UINT64_MAX;		/* no chunk entered yet */
	pthread_mutex_init(&p->mu, NULL);
	/* The reader's polls are timed on the monotonic clock: a step
	 * of the wall clock must not stall it. */
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&p->cv, &ca);
	pthread_condattr_destroy(&ca);
	/* The reader takes no signals: they stay with the daemon's
	 * threads, as before. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	p->started = pthread_create(&p->thread, NULL, pipe_reader, p) == 0;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return p;
}

static void
pipe_stop(struct scan_pipe *p)
{
	size_t	 i;

	if (p == NULL)
		return;
	pthread_mutex_lock(&p->mu);
	atomic_store(&p->stop, 1);
	pthread_cond_broadcast(&p->cv);
	pthread_mutex_unlock(&p->mu);
	if (p->started)
		pthread_join(p->thread, NULL);
	for (i = 0; i < SCAN_RING; i++)
		free(p->slot[i].rec);
	pthread_cond_destroy(&p->cv);
	pthread_mutex_destroy(&p->mu);
	free(p);
}

/* 1 when no complete line in [off, size) parses as a record. */
static int
log_rest_is_torn(const char *map, off_t off, off_t size)
{
	struct audit_record	 r;
	const char		*nl;
	char			 why[64];

	/* Skip the bad line itself. */
	if ((nl = memchr(map + off, '\n', (size_t)(size - off))) == NULL)
		return 1;
	off = nl - map + 1;
	while (off < size) {
		nl = memchr(map + off, '\n', (size_t)(size - off));
		if (nl == NULL)
			return 1;
		if (audit_parse(map + off, (size_t)(nl - (map + off) + 1), &r,
		    why, sizeof(why)) == 0)
			return 0;
		off = nl - map + 1;
	}
	return 1;
}

int
audit_scan_file(const char *path, const struct audit_keys *k,
    int allow_torn, audit_visit visit, void *arg, struct audit_scan *s)
{
	return audit_scan_file_upto(path, -1, k, allow_torn, visit, arg, s);
}

int
audit_scan_file_upto(const char *path, off_t limit,
    const struct audit_keys *k, int allow_torn, audit_visit visit,
    void *arg, struct audit_scan *s)
{
	struct audit_record	 r;
	struct scan_pipe	*pipe = NULL;
	struct stat		 sb;
	const char		*map = MAP_FAILED;
	char			 why[256], prevhex[AUDIT_HEX];
	off_t			 off = 0;
	int			 fd, rc = -1, parsed;
	/* One digest and context for every record: SHA256() would fetch
	 * and allocate them per record. NULL (out of memory) falls back
	 * to it in audit_parse_md. */
	EVP_MD			*md = EVP_MD_fetch(NULL, "SHA256", NULL);
	EVP_MD_CTX		*ctx = EVP_MD_CTX_new();

	memset(s, 0, sizeof(*s));
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		if (errno == ENOENT)
			rc = 0;
		else
			snprintf(s->error, sizeof(s->error), "%s: %s", path,
			    strerror(errno));
		goto out;
	}
	if (fstat(fd, &sb) == -1) {
		snprintf(s->error, sizeof(s->error), "%s: %s", path,
		    strerror(errno));
		goto out;
	}
	/* Only the first limit bytes are mapped: the writer may truncate
	 * what lies past them (undoing a batch), which would fault a
	 * reader that had them mapped. */
	if (limit >= 0 && sb.st_size > limit)
		sb.st_size = limit;
	if (sb.st_size == 0) {
		rc = 0;
		goto out;
	}
	map = mmap(NULL, (size_t)sb.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (map == MAP_FAILED) {
		snprintf(s->error, sizeof(s->error), "%s: mmap: %s", path,
		    strerror(errno));
		goto out;
	}
	madvise((void *)map, (size_t)sb.st_size, MADV_SEQUENTIAL);
	pipe = pipe_start(map, sb.st_size, md);
	memset(prevhex, '0', 64);
	prevhex[64] = '\0';
	while (off < sb.st_size) {
		parsed = 0;
		if ((pipe != NULL && pipe_take(pipe, off, &r) == 0) ||
		    scan_line(map, off, sb.st_size, &r, ctx, md, why,
		    sizeof(why)) == 0) {
			parsed = 1;
			r.offset = off;
			if (r.seq != s->last_seq + 1)
				snprintf(why, sizeof(why), "SEQ %llu where "
				    "%llu was due", (unsigned long long)r.seq,
				    (unsigned long long)s->last_seq + 1);
			else if (memcmp(r.prev, prevhex, 64) != 0)
				snprintf(why, sizeof(why), "PREV is not the "
				    "hash of record %llu: that record or this "
				    "one was changed", (unsigned long long)
				    s->last_seq);
			else if (!log_type_known(&r))
				snprintf(why, sizeof(why), "unknown record "
				    "type '%.*s'", (int)r.type_len, r.type);
			else if (audit_is(&r, "checkpoint") &&
			    log_checkpoint(&r, k, why, sizeof(why)) == -1)
				;
			else {
				if (visit != NULL && visit(&r, arg) != 0) {
					s->bad_seq = r.seq;
					s->bad_offset = off;
					snprintf(s->error, sizeof(s->error),
					    "stopped by the caller");
					goto out;
				}
				if (audit_is(&r, "checkpoint")) {
					s->ncheckpoints++;
					s->last_cp_seq = r.seq;
				}
				s->nrecords++;
				s->last_seq = r.seq;
				memcpy(s->last_hash, r.hash, 32);
				audit_hex(r.hash, 32, prevhex);
				off += (off_t)r.len;
				s->end = off;
				continue;
			}
		}
		/* The first bad line: torn tail or damage. */
		s->bad_seq = parsed ? r.seq : s->last_seq + 1;
		s->bad_offset = off;
		if (!parsed && log_rest_is_torn(map, off, sb.st_size)) {
			s->torn = sb.st_size - off;
			if (allow_torn)
				rc = 0;
			else
				snprintf(s->error, sizeof(s->error), "record "
				    "%llu (byte %lld): %s; the trail ends in "
				    "%lld bytes that are not a whole record",
				    (unsigned long long)s->bad_seq,
				    (long long)off, why, (long long)s->torn);
			goto out;
		}
		snprintf(s->error, sizeof(s->error), "record %llu (byte %lld):"
		    " %s", (unsigned long long)s->bad_seq, (long long)off, why);
		goto out;
	}
	rc = 0;
 out:
	/* Before the unmap: the reader may still be parsing ahead. */
	pipe_stop(pipe);
	if (map != MAP_FAILED)
		munmap((void *)map, (size_t)sb.st_size);
	if (fd != -1)
		close(fd);
	EVP_MD_CTX_free(ctx);
	EVP_MD_free(md);
	return rc;
}

int
audit_match(const struct audit_record *r, const struct audit_query *q)
{
	char	 id[APP_ID_MAX + 1], t[AUDIT_TIME_LEN + 1];
	int64_t	 when;

	if (r->seq <= q->after)
		return 0;
	if (q->from != 0 || q->to != 0) {
		memcpy(t, r->time, AUDIT_TIME_LEN);
		t[AUDIT_TIME_LEN] = '\0';
		if (app_parse_datetime(t, &when) == -1 ||
		    (q->from != 0 && when < q->from) ||
		    (q->to != 0 && when > q->to))
			return 0;
	}
	if (q->case_id != NULL && (audit_get(r, "id", id, sizeof(id)) == -1 ||
	    strcmp(id, q->case_id) != 0))
		return 0;
	return 1;
}

int
audit_doc_entry(int fd, off_t segsize, const struct audit_record *rec,
    char **doc, size_t *len, char *why, size_t whylen)
{
	char		 ref[64], sha[AUDIT_HEX], want[160], hdr[160], *colon;
	unsigned char	 md[32];
	uint64_t	 size;
	long long	 off;
	size_t		 hn;
	int		 rd, rc = -1;

	*doc = NULL;
	if (audit_get(rec, "doc", ref, sizeof(ref)) == -1 ||
	    audit_get(rec, "sha256", sha, sizeof(sha)) == -1 ||
	    audit_get_u64(rec, "size", &size) == -1 ||
	    (colon = strchr(ref, ':')) == NULL) {
		snprintf(why, whylen, "record %llu names no document",
		    (unsigned long long)rec->seq);
		errno = EINVAL;
		return -1;
	}
	off = strtoll(colon + 1, NULL, 10);
	hn = (size_t)snprintf(want, sizeof(want), "%s %llu\n", sha,
	    (unsigned long long)size);
	rc = 1;
	if (off < 0 || (uint64_t)segsize < hn || size > (uint64_t)segsize ||
	    off > segsize - (off_t)hn - (off_t)size) {
		snprintf(why, whylen, "at %lld: past the end of the segment",
		    off);
		goto out;
	}
	if ((*doc = malloc(size + 1)) == NULL) {
		rc = -1;
		snprintf(why, whylen, "out of memory");
		goto out;
	}
	if ((rd = audit_pread_all(fd, hdr, hn, off)) == 0)
		rd = audit_pread_all(fd, *doc, size, off + (off_t)hn);
	if (rd == -1) {
		rc = -1;
		snprintf(why, whylen, "at %lld: %s", off, strerror(errno));
		goto out;
	}
	if (rd == 1 || memcmp(hdr, want, hn) != 0) {
		snprintf(why, whylen, "at %lld: not the entry of record %llu",
		    off, (unsigned long long)rec->seq);
		goto out;
	}
	audit_sha256(*doc, size, md);
	audit_hex(md, 32, want);
	if (strcmp(want, sha) != 0) {
		snprintf(why, whylen, "at %lld: the document does not match "
		    "its SHA-256 in the trail", off);
		goto out;
	}
	(*doc)[size] = '\0';
	*len = size;
	rc = 0;
 out:
	if (rc != 0) {
		free(*doc);
		*doc = NULL;
	}
	return rc;
}

int
audit_read_document(const char *state, const struct audit_record *rec,
    char **doc, size_t *len, char *err, size_t errlen)
{
	char		 ref[64], path[4300], why[256], *colon;
	struct stat	 sb;
	int		 fd, rc = -1;

	*doc = NULL;
	if (audit_get(rec, "doc", ref, sizeof(ref)) == -1 ||
	    (colon = strchr(ref, ':')) == NULL || strchr(ref, '/') != NULL) {
		snprintf(err, errlen, "record %llu names no document",
		    (unsigned long long)rec->seq);
		return -1;
	}
	*colon = '\0';
	snprintf(path, sizeof(path), "%s/documents/%s", state, ref);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		snprintf(err, errlen, "%s: %s (removed by retention?)", path,
		    strerror(errno));
		return -1;
	}
	if (fstat(fd, &sb) == -1)
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
	else if (audit_doc_entry(fd, sb.st_size, rec, doc, len, why,
	    sizeof(why)) != 0)
		snprintf(err, errlen, "%s %s", path, why);
	else
		rc = 0;
	close(fd);
	return rc;
}
