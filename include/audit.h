/*
 * audit.h: the audit trail (docs/audit-format.md is the byte-level
 * specification; this is the C surface of it).
 *
 *  - audit_rec.c: building payloads, formatting and parsing records;
 *  - audit_key.c: the Ed25519 checkpoint key and the person pseudonyms;
 *  - audit_log.c: reading a trail end to end with full verification
 *    (start-up recovery, `bistandctl audit verify`, replay);
 *  - audit_repair.c: start-up repair after a crash (a torn last line,
 *    records whose documents were lost with the last batch);
 *  - audit_writer.c: the writer thread — group commit with fdatasync,
 *    checkpoints, application documents, failure and self-recovery.
 */
#ifndef BISTAND_AUDIT_H
#define BISTAND_AUDIT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <openssl/evp.h>

#define AUDIT_FORMAT		1
#define AUDIT_LINE_MAX		(1024 * 1024)
#define AUDIT_HEX		65	/* 64 hex digits and NUL */
#define AUDIT_TIME_LEN		27	/* YYYY-MM-DDTHH:MM:SS.ffffffZ */
#define AUDIT_PSEUDO_LEN	33	/* 32 hex digits and NUL */
#define AUDIT_TRAIL		"audit.trail"

/* --- audit_rec.c ------------------------------------------------- */

/* A growable byte buffer; oom is sticky, checked once at the end. */
struct abuf {
	char	*p;
	size_t	 len;
	size_t	 cap;
	int	 oom;
};

void	abuf_free(struct abuf *);
void	abuf_put(struct abuf *, const void *, size_t);
/* Append "&key=value" ("key=value" when empty), value percent-encoded
 * as the format says. */
void	abuf_kv(struct abuf *, const char *key, const char *val);
void	abuf_kvn(struct abuf *, const char *key, const char *val, size_t n);
void	abuf_kvf(struct abuf *, const char *key, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));
void	abuf_kv_b64(struct abuf *, const char *key, const void *, size_t);

/* A parsed record: pointers into the line it was parsed from. */
struct audit_record {
	uint64_t	 seq;
	const char	*time;		/* AUDIT_TIME_LEN bytes */
	const char	*type;
	size_t		 type_len;
	const char	*actor;
	size_t		 actor_len;
	const char	*prev;		/* 64 hex digits */
	const char	*payload;
	size_t		 payload_len;
	const char	*line;		/* the whole record, LF included */
	size_t		 len;
	off_t		 offset;	/* in the trail file */
	unsigned char	 hash[32];	/* SHA-256 of line[0..len) */
};

/* Append one complete record line to out. */
void	audit_format(struct abuf *out, uint64_t seq, const char *time,
	    const char *type, const char *actor, const char *prev_hex,
	    const char *payload, size_t payload_len);
/* Parse the syntax of one line (LF included) and hash it. 0, or -1
 * with a reason in why. */
int	audit_parse(const char *line, size_t len, struct audit_record *r,
	    char *why, size_t whylen);
/* The same, hashing with md in ctx (both reused across the records of
 * a scan); with either NULL, exactly audit_parse. */
int	audit_parse_md(const char *line, size_t len, struct audit_record *r,
	    EVP_MD_CTX *ctx, const EVP_MD *md, char *why, size_t whylen);
int	audit_is(const struct audit_record *, const char *type);
/* The value of key, percent-decoded, NUL-terminated. 0 found; -1
 * absent, malformed or longer than outlen - 1. */
int	audit_get(const struct audit_record *, const char *key, char *out,
	    size_t outlen);
/* The raw (still encoded) value of key; 0 found, -1 absent. */
int	audit_get_raw(const struct audit_record *, const char *key,
	    const char **val, size_t *len);
int	audit_get_u64(const struct audit_record *, const char *key,
	    uint64_t *out);
/* key holds base64; decode into a new malloc'ed buffer. 0 or -1. */
int	audit_get_b64(const struct audit_record *, const char *key,
	    char **out, size_t *outlen);
/* Now (or the given time) as the record TIME. */
void	audit_time(char out[AUDIT_TIME_LEN + 1]);
void	audit_time_of(int64_t epoch, char out[32]);	/* RFC 3339, s */
void	audit_hex(const unsigned char *bin, size_t n, char *out);
/* The value of an ASCII hex digit of either case, -1 for other bytes. */
int	audit_hexval(unsigned char c);
/* The actor field for a role and certificate CN (CN encoded). */
void	audit_actor(char *out, size_t outlen, const char *role,
	    const char *cn);

/* --- audit_hash.c ------------------------------------------------ */

/* SHA-256 and HMAC-SHA256 (0 or -1) with this thread's reused context:
 * the same bytes as SHA256() and HMAC(), without a fetch and an
 * allocation per call. Safe from any thread. */
void	audit_sha256(const void *, size_t, unsigned char out[32]);
int	audit_hmac_sha256(const unsigned char *key, size_t keylen,
	    const void *, size_t, unsigned char out[32]);

/* --- audit_key.c ------------------------------------------------- */

struct audit_keys {
	EVP_PKEY	*priv;		/* NULL when only verifying */
	EVP_PKEY	*pub;
	char		 fpr[AUDIT_HEX];	/* SHA-256 of the DER pubkey */
	unsigned char	 person[32];	/* pseudonym key; zero if absent */
	int		 has_person;
};

/* Open the keys of state_dir; with create, make the missing ones
 * (0600) on first start. 0, or -1 with err. */
int	audit_keys_open(const char *state_dir, int create,
	    struct audit_keys **out, char *err, size_t errlen);
/* Only the public key, for auditors: a path to audit-key.pub. */
int	audit_keys_open_pub(const char *pubpath, struct audit_keys **out,
	    char *err, size_t errlen);
void	audit_keys_free(struct audit_keys *);
/* The signed message of a checkpoint with the given own fields. */
void	audit_cp_message(struct abuf *, uint64_t seq, const char *time,
	    uint64_t head_seq, const char *head, const char *fpr);
int	audit_sign(const struct audit_keys *, const void *msg, size_t len,
	    char sighex[129]);
int	audit_verify(const struct audit_keys *, const void *msg, size_t len,
	    const char *sighex);
/* First 32 hex digits of HMAC-SHA256(person key, pnr). 0 or -1. */
int	audit_pseudonym(const struct audit_keys *, const char *pnr,
	    char out[AUDIT_PSEUDO_LEN]);

/* --- audit_log.c ------------------------------------------------- */

struct audit_scan {
	uint64_t	 nrecords;
	uint64_t	 ncheckpoints;
	uint64_t	 last_seq;
	uint64_t	 last_cp_seq;	/* 0 when none */
	unsigned char	 last_hash[32];	/* zero when empty */
	off_t		 end;		/* bytes that verify */
	off_t		 torn;		/* bytes after end (a torn tail) */
	uint64_t	 bad_seq;	/* on damage: the record */
	off_t		 bad_offset;
	char		 error[512];
};

/* Called for each verified record, in order; non-zero stops the scan
 * (audit_scan then returns -1 with error "stopped by the caller"). */
typedef int (*audit_visit)(const struct audit_record *, void *arg);

/*
 * Read path end to end and verify every record: syntax, SEQ, chain,
 * and (with keys) every checkpoint's signature. A torn tail — bytes
 * after the last good record that hold no further parseable record —
 * is reported in s->torn (0 when none) and is not an error when
 * allow_torn; anything else is damage: -1, s->bad_seq/bad_offset and
 * s->error say where and what. A missing file is an empty trail.
 */
int	audit_scan_file(const char *path, const struct audit_keys *,
	    int allow_torn, audit_visit, void *arg, struct audit_scan *s);
/* The same over the first limit bytes only (-1: all): a trail being
 * written, read up to its durable end (audit_writer_durable). */
int	audit_scan_file_upto(const char *path, off_t limit,
	    const struct audit_keys *, int allow_torn, audit_visit,
	    void *arg, struct audit_scan *s);
/* For tests and benchmarks: the bytes per chunk a trail of at least
 * four chunks is parsed ahead in by a second thread (0: the default,
 * 128 KiB), and whether that thread is used at all (0: never, the scan
 * parses every line itself). Results are the same either way. Not
 * thread-safe: set before scanning. */
void	audit_scan_tune(size_t chunk, int threads);

/* The application bytes a `received` record names (doc=SEGMENT:OFFSET),
 * checked against its sha256 and size. *doc malloc'ed. 0, or -1 with
 * err (e.g. the segment was removed by retention). */
int	audit_read_document(const char *state_dir, const struct audit_record *,
	    char **doc, size_t *len, char *err, size_t errlen);
/* The same check in an open segment fd of segsize bytes: 0 the entry is
 * whole (*doc malloc'ed, NUL-terminated); 1 it is not there whole (past
 * the end, cut short, another header, or bytes that do not match the
 * SHA-256); -1 it cannot be read (errno; or the record names none, or
 * out of memory). why says which. */
int	audit_doc_entry(int fd, off_t segsize, const struct audit_record *,
	    char **doc, size_t *len, char *why, size_t whylen);

/* Which records a reader wants (GET /v1/audit, bistandctl audit show). */
struct audit_query {
	const char	*case_id;	/* NULL: any; else the payload's id */
	int64_t		 from;		/* epoch seconds, inclusive; 0: any */
	int64_t		 to;		/* inclusive; 0: any */
	uint64_t	 after;		/* SEQ greater than this */
};
int	audit_match(const struct audit_record *, const struct audit_query *);

/* --- audit_repair.c ---------------------------------------------- */

/* write(2) all n bytes; 0, or -1 with errno. */
int	audit_write_all(int fd, const char *p, size_t n);
/* pread(2) all n bytes at off: 0; 1 when the file ends first; -1 with
 * errno. */
int	audit_pread_all(int fd, char *p, size_t n, off_t off);
/* Keep a torn tail (s->end, s->torn bytes) beside the trail at path,
 * then cut it off. 0, or -1 with err. */
int	audit_repair_torn(const char *path, const struct audit_scan *s,
	    char *err, size_t errlen);
/* Before the scan: cut the records of the last batch (at most
 * batch_max jobs) whose documents a crash lost, when the loss has the
 * shape only a crash gives it. 0 (cut or not), or -1 with err when a
 * document cannot be read at all. */
int	audit_repair_docs(const char *state_dir, const char *path,
	    size_t batch_max, char *err, size_t errlen);

/* --- audit_writer.c ---------------------------------------------- */

#include <sys/queue.h>

struct event_base;
struct audit_writer;

#define AUDIT_JOB_RECS	4

/* One record of a job: the loop thread fills type, actor and payload;
 * the writer adds SEQ, TIME and PREV (and "&doc=…" when with_doc). */
struct audit_job_rec {
	const char	*type;
	char		 actor[160];
	struct abuf	 payload;
	int		 with_doc;
	uint64_t	 seq;		/* out */
	off_t		 offset;	/* out: in the trail */
	size_t		 len;		/* out */
	char		 time[AUDIT_TIME_LEN + 1];	/* out: its TIME */
};

/*
 * A job: the records of one request that become durable together,
 * with at most one application document. After the batch holding it
 * was written and fdatasync'ed — or failed — done(job) runs on the
 * loop thread with job->ok set. The job and the document bytes belong
 * to the submitter, who must keep them until done runs.
 */
struct audit_job {
	TAILQ_ENTRY(audit_job)	 entry;
	struct audit_job_rec	 rec[AUDIT_JOB_RECS];
	int			 nrec;
	const char		*doc;		/* NULL: none */
	size_t			 doclen;
	char			 doc_sha[AUDIT_HEX];
	char			 doc_month[8];	/* YYYY-MM of receipt */
	int			 ok;		/* out */
	void			(*done)(struct audit_job *);
	void			*arg;
};

struct audit_writer_conf {
	const char	*state_dir;
	int		 checkpoint_records;	/* 0: default 1000 */
	int		 checkpoint_seconds;	/* 0: default 60 */
	const char	*ruleset;		/* for the opened record */
};

/* Recover the trail (cut a torn tail, keeping the cut bytes beside it),
 * then start the writer thread and write an `opened` record. scan gets
 * what the recovery scan found; visit sees every record (the views'
 * replay). 0, or -1 with err (damage: the daemon must not serve). */
int	audit_writer_start(struct event_base *, const struct audit_writer_conf *,
	    struct audit_keys *, audit_visit, void *arg,
	    struct audit_scan *scan, struct audit_writer **out, char *err,
	    size_t errlen);
void	audit_writer_submit(struct audit_writer *, struct audit_job *);
/* 0 while writes fail (answer 503); 1 when durable writes work. */
int	audit_writer_ok(struct audit_writer *);
/* The trail's bytes that are durable: a reader must not show what lies
 * past them (a batch being written, which a crash could still cut).
 * Any thread. */
off_t	audit_writer_durable(struct audit_writer *);
/* Write what is queued, a final checkpoint, stop the thread, free. */
void	audit_writer_stop(struct audit_writer *);
/* Make j a job of one record; the payload is taken over. */
void	audit_job_single(struct audit_job *j, const char *type,
	    const char *actor, struct abuf *payload);
/* Free a job's payload buffers (not the job). */
void	audit_job_clear(struct audit_job *);

#endif
