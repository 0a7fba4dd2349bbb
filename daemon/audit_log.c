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
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
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
	struct audit_record	 r;
	struct stat		 sb;
	const char		*map = MAP_FAILED, *nl;
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
	memset(prevhex, '0', 64);
	prevhex[64] = '\0';
	while (off < sb.st_size) {
		parsed = 0;
		nl = memchr(map + off, '\n', (size_t)(sb.st_size - off));
		if (nl == NULL) {
			snprintf(why, sizeof(why), "incomplete record (no "
			    "line feed)");
		} else if (nl - (map + off) + 1 > AUDIT_LINE_MAX) {
			snprintf(why, sizeof(why), "record longer than %d "
			    "bytes", AUDIT_LINE_MAX);
		} else if (audit_parse_md(map + off, (size_t)(nl - (map +
		    off) + 1), &r, ctx, md, why, sizeof(why)) == 0) {
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
audit_read_document(const char *state, const struct audit_record *rec,
    char **doc, size_t *len, char *err, size_t errlen)
{
	char		 ref[64], sha[AUDIT_HEX], hdr[128], path[4300], *colon;
	char		 want[AUDIT_HEX], *nl;
	unsigned char	 md[32];
	unsigned long long size;
	uint64_t	 recsize;
	long long	 off;
	ssize_t		 n;
	int		 fd, rc = -1;

	*doc = NULL;
	if (audit_get(rec, "doc", ref, sizeof(ref)) == -1 ||
	    audit_get(rec, "sha256", sha, sizeof(sha)) == -1 ||
	    audit_get_u64(rec, "size", &recsize) == -1 ||
	    (colon = strchr(ref, ':')) == NULL || strchr(ref, '/') != NULL) {
		snprintf(err, errlen, "record %llu names no document",
		    (unsigned long long)rec->seq);
		return -1;
	}
	*colon = '\0';
	off = strtoll(colon + 1, NULL, 10);
	snprintf(path, sizeof(path), "%s/documents/%s", state, ref);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		snprintf(err, errlen, "%s: %s (removed by retention?)", path,
		    strerror(errno));
		return -1;
	}
	n = pread(fd, hdr, sizeof(hdr) - 1, off);
	hdr[n > 0 ? n : 0] = '\0';
	if (n <= 0 || (nl = strchr(hdr, '\n')) == NULL ||
	    sscanf(hdr, "%64s %llu", want, &size) != 2 ||
	    strcmp(want, sha) != 0 || size != recsize ||
	    (*doc = malloc(size + 1)) == NULL) {
		snprintf(err, errlen, "%s at %lld: not the entry of record "
		    "%llu", path, off, (unsigned long long)rec->seq);
		goto out;
	}
	n = pread(fd, *doc, size, off + (nl - hdr) + 1);
	SHA256((unsigned char *)*doc, size, md);
	audit_hex(md, 32, want);
	if (n != (ssize_t)size || strcmp(want, sha) != 0) {
		snprintf(err, errlen, "%s at %lld: the document does not match "
		    "its SHA-256 in the trail", path, off);
		goto out;
	}
	(*doc)[size] = '\0';
	*len = size;
	rc = 0;
 out:
	if (rc == -1) {
		free(*doc);
		*doc = NULL;
	}
	close(fd);
	return rc;
}
