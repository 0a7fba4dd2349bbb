/*
 * core.c: open and close the daemon's lasting state (see core.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "audit.h"
#include "pool.h"
#include "config.h"
#include "core.h"
#include "log.h"
#include "rules.h"
#include "view.h"

int
core_open(struct event_base *base, const struct config *conf,
    const char *ruleset, struct core **out, char *err, size_t errlen)
{
	struct audit_writer_conf	 wc;
	struct core			*c;
	char				 path[4200];
	size_t				 n;

	if ((c = calloc(1, sizeof(*c))) == NULL ||
	    (c->state_dir = strdup(conf->state_dir)) == NULL) {
		free(c);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	c->trail_fd = -1;
	if (audit_keys_open(c->state_dir, 1, &c->keys, err, errlen) == -1)
		goto err;
	memset(&wc, 0, sizeof(wc));
	wc.state_dir = c->state_dir;
	wc.checkpoint_records = conf->audit_checkpoint_records;
	wc.checkpoint_seconds = conf->audit_checkpoint_seconds;
	wc.ruleset = ruleset;
	if (audit_writer_start(base, &wc, c->keys, view_replay, &c->view,
	    &c->scan, &c->writer, err, errlen) == -1)
		goto err;
	if (c->view.ignored > 0)
		log_warnx("audit: %llu caseworker record(s) did not fit their "
		    "case's state and changed nothing (they stay in the trail)",
		    (unsigned long long)c->view.ignored);
	if ((n = view_drop_pending(&c->view)) > 0)
		log_warnx("audit: %zu application(s) have a received record "
		    "but no evaluation (a crash between the two; never "
		    "acknowledged): a resubmission is handled afresh", n);
	if (conf->workers > 0 && pool_start(base, conf->workers, &c->pool,
	    err, errlen) == -1)
		goto err;
	c->nworkers = conf->workers;
	snprintf(path, sizeof(path), "%s/" AUDIT_TRAIL, c->state_dir);
	if ((c->trail_fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		goto err;
	}
	*out = c;
	return 0;
 err:
	core_close(c);
	return -1;
}

/* Copy the rule set's files (the bytes that were hashed) into
 * rulesets/<hash>/, via a temporary directory renamed into place. */
static int
core_copy_ruleset(struct core *c, const struct rules *r, const char *dst)
{
	char		 tmp[4400], path[4600], *slash;
	const char	*name, *data;
	size_t		 i, len;
	int		 fd;

	snprintf(tmp, sizeof(tmp), "%s.tmp-%ld", dst, (long)getpid());
	snprintf(path, sizeof(path), "%s/params", tmp);
	if ((mkdir(tmp, 0700) == -1 && errno != EEXIST) ||
	    (mkdir(path, 0700) == -1 && errno != EEXIST))
		return -1;
	for (i = 0; i < rules_nfiles(r); i++) {
		rules_file(r, i, &name, &data, &len);
		snprintf(path, sizeof(path), "%s/%s", tmp, name);
		if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
		    0400)) == -1)
			return -1;
		if (write(fd, data, len) != (ssize_t)len || fsync(fd) == -1) {
			close(fd);
			return -1;
		}
		close(fd);
	}
	snprintf(path, sizeof(path), "%s/params", tmp);
	if ((fd = open(path, O_RDONLY | O_DIRECTORY)) != -1) {
		fsync(fd);
		close(fd);
	}
	if (rename(tmp, dst) == -1)
		return -1;
	snprintf(path, sizeof(path), "%s", dst);
	if ((slash = strrchr(path, '/')) != NULL)
		*slash = '\0';
	if ((fd = open(path, O_RDONLY | O_DIRECTORY)) != -1) {
		fsync(fd);
		close(fd);
	}
	(void)c;
	return 0;
}

struct core_rsjob {
	struct audit_job	 job;
	struct core		*core;
	char			 hash[AUDIT_HEX];
};

static void
core_ruleset_done(struct audit_job *j)
{
	struct core_rsjob *rj = j->arg;

	if (j->ok)
		view_add_ruleset(&rj->core->view, rj->hash);
	else
		log_warnx("audit: the ruleset record of %.12s was not "
		    "written; it is written again on the next reload",
		    rj->hash);
	audit_job_clear(j);
	free(rj);
}

int
core_archive_ruleset(struct core *c, const struct rules *r)
{
	struct core_rsjob	*rj;
	struct abuf		 files = { 0 }, pl = { 0 };
	const char		*hash = rules_hash(r), *name, *data;
	char			 dir[4200];
	struct stat		 sb;
	size_t			 i, len;

	if (view_has_ruleset(&c->view, hash))
		return 0;
	snprintf(dir, sizeof(dir), "%s/rulesets", c->state_dir);
	if (mkdir(dir, 0700) == -1 && errno != EEXIST) {
		log_warn("audit: %s", dir);
		return -1;
	}
	snprintf(dir, sizeof(dir), "%s/rulesets/%s", c->state_dir, hash);
	if (stat(dir, &sb) == -1 && core_copy_ruleset(c, r, dir) == -1) {
		log_warn("audit: cannot archive the rule set in %s", dir);
		return -1;
	}
	if ((rj = calloc(1, sizeof(*rj))) == NULL)
		return -1;
	rj->core = c;
	snprintf(rj->hash, sizeof(rj->hash), "%s", hash);
	for (i = 0; i < rules_nfiles(r); i++) {
		rules_file(r, i, &name, &data, &len);
		if (i > 0)
			abuf_put(&files, ",", 1);
		abuf_put(&files, name, strlen(name));
	}
	abuf_kv(&pl, "hash", hash);
	abuf_kv(&pl, "files", files.oom ? "" : files.p);
	abuf_free(&files);
	audit_job_single(&rj->job, "ruleset", "daemon", &pl);
	rj->job.done = core_ruleset_done;
	rj->job.arg = rj;
	audit_writer_submit(c->writer, &rj->job);
	log_info("audit: rule set %.12s archived in %s", hash, dir);
	return 0;
}

int
core_read_decision(struct core *c, const struct view_app *a, char **doc,
    size_t *len)
{
	struct audit_record	 r;
	char			*line;
	int			 rc;

	if (a->pending || core_read_record(c, a->eval_off, a->eval_len, &line,
	    &r) == -1)
		return -1;
	rc = audit_get_b64(&r, "decision", doc, len);
	free(line);
	return rc;
}

int
core_read_record(struct core *c, off_t off, size_t len, char **line,
    struct audit_record *r)
{
	char why[128];

	if (len == 0 || (*line = malloc(len)) == NULL)
		return -1;
	if (pread(c->trail_fd, *line, len, off) != (ssize_t)len ||
	    audit_parse(*line, len, r, why, sizeof(why)) == -1) {
		free(*line);
		*line = NULL;
		return -1;
	}
	r->offset = off;
	return 0;
}

int
core_apply(struct core *c, off_t off, size_t len)
{
	struct audit_record	 r;
	char			*line;
	int			 rc;

	if (core_read_record(c, off, len, &line, &r) == -1)
		return -1;
	rc = view_replay(&r, &c->view);
	free(line);
	return rc;
}

void
core_close(struct core *c)
{
	if (c == NULL)
		return;
	/* The workers first: what they still evaluate goes to the writer,
	 * which answers it before it stops. */
	pool_stop(c->pool);
	audit_writer_stop(c->writer);
	if (c->trail_fd != -1)
		close(c->trail_fd);
	view_free(&c->view);
	audit_keys_free(c->keys);
	free(c->state_dir);
	free(c);
}
