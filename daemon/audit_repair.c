/*
 * audit_repair.c: what start-up mends in a trail a crash interrupted
 * (docs/audit-format.md, "Durability, and a torn tail"), and the
 * writes that everything else here is built on. Every cut keeps the
 * bytes it removes beside the trail, and cuts only what cannot have
 * been acknowledged.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "audit.h"
#include "log.h"

int
audit_write_all(int fd, const char *p, size_t n)
{
	ssize_t w;

	while (n > 0) {
		if ((w = write(fd, p, n)) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/*
 * Keep the bytes from off to the end of the trail at path beside it
 * (keep, named for the moment), then cut them off durably. 0, or -1
 * with errno.
 */
static int
repair_keep_cut(const char *path, off_t off, off_t len, char *keep,
    size_t keeplen)
{
	char		*buf = NULL;
	int		 fd = -1, kfd = -1, rc = -1;
	struct timespec	 now;

	/* Nanoseconds: two cuts within one second must not collide. */
	clock_gettime(CLOCK_REALTIME, &now);
	snprintf(keep, keeplen, "%s.torn-%lld.%09ld", path,
	    (long long)now.tv_sec, now.tv_nsec);
	if ((fd = open(path, O_RDWR | O_CLOEXEC)) == -1 ||
	    (buf = malloc((size_t)len)) == NULL ||
	    audit_pread_all(fd, buf, (size_t)len, off) != 0)
		goto out;
	if ((kfd = open(keep, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
	    0600)) == -1 || audit_write_all(kfd, buf, (size_t)len) == -1 ||
	    fsync(kfd) == -1)
		goto out;
	if (ftruncate(fd, off) == -1 || fsync(fd) == -1)
		goto out;
	rc = 0;
 out:
	if (kfd != -1)
		close(kfd);
	if (fd != -1)
		close(fd);
	free(buf);
	return rc;
}

/* Keep the bytes of a torn tail beside the trail, then cut it off. */
int
audit_repair_torn(const char *path, const struct audit_scan *s, char *err,
    size_t errlen)
{
	char keep[4400];

	if (repair_keep_cut(path, s->end, s->torn, keep, sizeof(keep)) == -1) {
		snprintf(err, errlen, "%s: cannot cut the torn tail: %s", path,
		    strerror(errno));
		return -1;
	}
	log_warnx("audit: cut a torn tail of %lld bytes after record %llu "
	    "(a crash during a write; nothing in it was acknowledged); the "
	    "bytes are kept in %s", (long long)s->torn,
	    (unsigned long long)s->last_seq, keep);
	return 0;
}

int
audit_pread_all(int fd, char *p, size_t n, off_t off)
{
	ssize_t r;

	while (n > 0) {
		if ((r = pread(fd, p, n, off)) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (r == 0)
			return 1;
		p += r;
		n -= (size_t)r;
		off += r;
	}
	return 0;
}

/*
 * Read the complete lines of the trail's tail that hold its last
 * nlines records (fewer when the trail is shorter) into *buf: *off is
 * the trail offset of (*buf)[0]. A torn last line is left out. 0, or
 * -1 with errno.
 */
static int
repair_read_tail(int fd, off_t size, size_t nlines, char **buf,
    size_t *len, off_t *off)
{
	off_t	 chunk = 256 * 1024, start;
	size_t	 n, lines;
	char	*p, *q, *b = NULL, *nb;
	int	 rc = -1;

	for (;;) {
		start = size > chunk ? size - chunk : 0;
		n = (size_t)(size - start);
		if ((nb = realloc(b, n + 1)) == NULL)
			goto out;
		b = nb;
		switch (audit_pread_all(fd, b, n, start)) {
		case -1:
			goto out;
		case 1:
			errno = EIO;	/* shorter than fstat said */
			goto out;
		}
		/* Cut the torn line (if any) off the end, a partial one off
		 * the start. */
		while (n > 0 && b[n - 1] != '\n')
			n--;
		p = b;
		if (start > 0) {
			if ((p = memchr(b, '\n', n)) == NULL)
				p = b + n;
			else
				p++;
		}
		for (lines = 0, q = p; q < b + n; lines++)
			q = (char *)memchr(q, '\n', (size_t)(b + n - q)) + 1;
		if (start == 0 || lines >= nlines)
			break;
		chunk *= 4;
	}
	/* Only the last nlines lines matter. */
	for (; lines > nlines; lines--)
		p = (char *)memchr(p, '\n', (size_t)(b + n - p)) + 1;
	memmove(b, p, (size_t)(b + n - p));
	*len = (size_t)(b + n - p);
	*off = start + (p - b);
	*buf = b;
	b = NULL;
	rc = 0;
 out:
	free(b);
	return rc;
}

/*
 * After a crash, cut the records of the last batch whose documents did
 * not reach the disk. The segment and the trail of a batch are made
 * durable at once (audit_writer.c), and the next batch starts only when
 * both are: a document a crash lost is one of the last batch's, at the
 * end of the newest segment, named by one of the trail's last
 * batch_max * AUDIT_JOB_RECS + 1 records (a batch's, its checkpoint
 * included), and nothing in that batch was answered.
 *
 * But a document can also be damaged otherwise, and then its record
 * may well have been acknowledged: cut only what has the crash's shape,
 * else leave the trail alone (reading the document will report it).
 * The shape: the records of the window chain up (SEQ and PREV, so an
 * edited record is left for the scan to refuse); the missing documents
 * are the newest segment's last ones — every document named after the
 * first missing one is missing too — and they are at most a batch's.
 * Then the trail is cut before the first of them, the bytes kept beside
 * it as for a torn tail. A segment that is not there at all is not a
 * crash's doing (retention, or a person): that cuts nothing. A document
 * that cannot be read at all stops the start.
 */
int
audit_repair_docs(const char *state, const char *path, size_t batch_max,
    char *err, size_t errlen)
{
	struct audit_record	*r = NULL, *nr;
	struct stat		 sb;
	char			*buf = NULL, *p, *nl, why[256], hex[AUDIT_HEX];
	char			 ref[64], newest[64], segpath[4300], keep[4400];
	char			*doc;
	size_t			 len, dlen, nrec = 0, cap = 0, i, first = 0;
	size_t			 nlost = 0;
	off_t			 off, size, cut;
	int			 fd = -1, sfd = -1, st, rc = -1;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		if (errno == ENOENT)
			rc = 0;
		else
			snprintf(err, errlen, "%s: %s", path, strerror(errno));
		goto out;
	}
	if (fstat(fd, &sb) == -1 || repair_read_tail(fd, sb.st_size,
	    batch_max * AUDIT_JOB_RECS + 1, &buf, &len, &off) == -1) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		goto out;
	}
	size = sb.st_size;
	for (p = buf; p < buf + len; p = nl + 1) {
		nl = memchr(p, '\n', (size_t)(buf + len - p));
		if (nrec == cap) {
			cap = cap ? cap * 2 : 256;
			if ((nr = reallocarray(r, cap, sizeof(*r))) == NULL) {
				snprintf(err, errlen, "out of memory");
				goto out;
			}
			r = nr;
		}
		if (audit_parse(p, (size_t)(nl - p + 1), &r[nrec], why,
		    sizeof(why)) == -1)
			goto leave;	/* the scan will say what is wrong */
		if (nrec > 0) {
			audit_hex(r[nrec - 1].hash, 32, hex);
			if (r[nrec].seq != r[nrec - 1].seq + 1 ||
			    memcmp(r[nrec].prev, hex, 64) != 0)
				goto leave;	/* likewise */
		}
		nrec++;
	}

	/* The newest segment: the last one named. */
	newest[0] = '\0';
	for (i = 0; i < nrec; i++)
		if (audit_get(&r[i], "doc", ref, sizeof(ref)) == 0 &&
		    (p = strchr(ref, ':')) != NULL && p - ref < 60)
			snprintf(newest, sizeof(newest), "%.*s", (int)(p - ref),
			    ref);
	snprintf(segpath, sizeof(segpath), "%s/documents/%s", state, newest);
	if (newest[0] == '\0' || strchr(newest, '/') != NULL)
		goto leave;
	if ((sfd = open(segpath, O_RDONLY | O_CLOEXEC)) == -1 ||
	    fstat(sfd, &sb) == -1) {
		if (errno == ENOENT)
			goto leave;
		snprintf(err, errlen, "%s: %s", segpath, strerror(errno));
		goto out;
	}
	for (i = 0; i < nrec; i++) {
		if (audit_get(&r[i], "doc", ref, sizeof(ref)) == -1 ||
		    strncmp(ref, newest, strlen(newest)) != 0 ||
		    ref[strlen(newest)] != ':')
			continue;
		/* 1: not there whole — past the end, cut short, or other
		 * bytes (zeros, or stale blocks of a file system without a
		 * journal), as an unfinished write leaves it. */
		if ((st = audit_doc_entry(sfd, sb.st_size, &r[i], &doc, &dlen,
		    why, sizeof(why))) == -1) {
			snprintf(err, errlen, "%s: %s", segpath, why);
			goto out;
		}
		free(doc);
		if (st == 1 && nlost++ == 0)
			first = i;
		if (st == 0 && nlost > 0) {
			log_warnx("audit: the document of record %llu is "
			    "missing or damaged in %s, but a later one is "
			    "whole: not what a crash leaves, so nothing is "
			    "cut", (unsigned long long)r[first].seq, segpath);
			goto leave;
		}
	}
	if (nlost == 0)
		goto leave;
	if (nlost > batch_max) {
		log_warnx("audit: the last %zu documents in %s are missing or "
		    "damaged: more than a batch holds, so not a crash's "
		    "doing, and nothing is cut", nlost, segpath);
		goto leave;
	}
	cut = off + (off_t)(r[first].line - buf);
	if (repair_keep_cut(path, cut, size - cut, keep, sizeof(keep)) == -1) {
		snprintf(err, errlen, "%s: cannot cut records without their "
		    "document: %s", path, strerror(errno));
		goto out;
	}
	log_warnx("audit: cut records %llu to %llu: the last %zu document(s) "
	    "they name in %s are missing or incomplete, as a crash while a "
	    "batch was being made durable leaves them (none of the batch "
	    "was answered); the bytes are kept in %s",
	    (unsigned long long)r[first].seq,
	    (unsigned long long)r[nrec - 1].seq, nlost, segpath, keep);
 leave:
	rc = 0;
 out:
	if (sfd != -1)
		close(sfd);
	if (fd != -1)
		close(fd);
	free(r);
	free(buf);
	return rc;
}

