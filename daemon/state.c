/*
 * state.c: build (and free) the reloadable state.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "application.h"
#include "config.h"
#include "decision.h"
#include "errdoc.h"
#include "rules.h"
#include "state.h"
#include "tls.h"

#define STATE_EXAMPLE_MAX	(1024 * 1024)

/* Parse and evaluate one example; -1 with err when it is refused or
 * the rule set fails on it. */
static int
state_try_example(const char *path, const struct app_schema *schema,
    struct rules *r, char *err, size_t errlen)
{
	struct application	*app = NULL;
	struct decision		 d;
	struct errdoc		 e;
	FILE			*f;
	char			*buf = NULL;
	size_t			 len;
	int			 rc = -1;

	memset(&d, 0, sizeof(d));
	if ((f = fopen(path, "rb")) == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if ((buf = malloc(STATE_EXAMPLE_MAX)) == NULL) {
		snprintf(err, errlen, "out of memory");
		goto err;
	}
	len = fread(buf, 1, STATE_EXAMPLE_MAX, f);
	if (ferror(f) || len == STATE_EXAMPLE_MAX) {
		snprintf(err, errlen, "%s: unreadable or too large", path);
		goto err;
	}
	if (app_parse(schema, buf, len, &app, &e) == -1) {
		snprintf(err, errlen, "example %s is refused: %s (line %d)",
		    path, e.code, e.line);
		goto err;
	}
	if (rules_eval(r, app, NULL, &d) == -1) {
		snprintf(err, errlen, "out of memory");
		goto err;
	}
	if (d.failure != NULL) {
		snprintf(err, errlen, "rule set %.12s fails on example %s: "
		    "%.400s", rules_hash(r), path, d.failure);
		goto err;
	}
	rc = 0;
 err:
	decision_free(&d);
	app_free(app);
	free(buf);
	fclose(f);
	return rc;
}

int
state_rules_load(const char *rules_dir, const char *examples_dir,
    const struct app_schema *schema, const struct rules_limits *lim,
    struct rules **out, size_t *nexamples, char *err, size_t errlen)
{
	struct rules	*r = NULL;
	DIR		*d = NULL;
	struct dirent	*de;
	char		 path[4096];
	size_t		 len, n = 0;
	int		 rc = -1;

	if (rules_load(rules_dir, lim, &r, err, errlen) == -1)
		return -1;
	if ((d = opendir(examples_dir)) == NULL) {
		snprintf(err, errlen, "examples_dir %s: %s", examples_dir,
		    strerror(errno));
		goto err;
	}
	while ((de = readdir(d)) != NULL) {
		len = strlen(de->d_name);
		if (len < 5 || strcmp(de->d_name + len - 4, ".xml") != 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", examples_dir,
		    de->d_name);
		if (state_try_example(path, schema, r, err, errlen) == -1)
			goto err;
		n++;
	}
	if (n == 0) {
		snprintf(err, errlen, "examples_dir %s: no example "
		    "applications (*.xml) to test the rule set on",
		    examples_dir);
		goto err;
	}
	*out = r;
	r = NULL;
	*nexamples = n;
	rc = 0;
 err:
	if (d != NULL)
		closedir(d);
	rules_free(r);
	return rc;
}

/* A Lua state of the same rule set for each worker. Each is loaded
 * and self-tested like the loop's, and must have the same hash: files
 * changed between two loads would otherwise give two rule sets.
 * Worker 0 is given the loop's own state (a state less to keep in
 * memory, ~0.35 MB): with workers the loop never evaluates, and what it
 * still reads of its state, the hash and the file sources, is never
 * written after loading. */
static int
state_worker_rules(struct state *s, const struct rules_limits *lim,
    char *err, size_t errlen)
{
	size_t	n;
	int	i;

	if (s->conf->workers == 0)
		return 0;
	if ((s->wrules = calloc((size_t)s->conf->workers,
	    sizeof(*s->wrules))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	s->nworkers = s->conf->workers;
	s->wrules[0] = s->rules;
	for (i = 1; i < s->nworkers; i++) {
		if (state_rules_load(s->conf->rules_dir, s->conf->examples_dir,
		    s->schema, lim, &s->wrules[i], &n, err, errlen) == -1)
			return -1;
		if (strcmp(rules_hash(s->wrules[i]), rules_hash(s->rules))
		    != 0) {
			snprintf(err, errlen, "rules_dir %s changed while it "
			    "was loaded; load again", s->conf->rules_dir);
			return -1;
		}
	}
	return 0;
}

static int
state_schema(const char *dir, const char *name, struct app_schema **out,
    struct errdoc *e)
{
	char	*path;
	int	 rc;

	if ((path = config_path_join(dir, name)) == NULL) {
		errdoc_set(e, 500, ERR_INTERNAL, "out of memory");
		return -1;
	}
	rc = app_schema_load(path, out, e);
	free(path);
	return rc;
}

int
state_load(const char *path, struct state **out, char *err, size_t errlen)
{
	struct state		*s = NULL;
	struct errdoc		 e;
	struct stat		 sb;
	struct rules_limits	 lim;
	char			*xsd = NULL;
	int			 rc = -1;

	if ((s = calloc(1, sizeof(*s))) == NULL) {
		snprintf(err, errlen, "%s: out of memory", path);
		goto err;
	}
	atomic_init(&s->refs, 1);
	if (config_load(path, &s->conf, err, errlen) == -1)
		goto err;
	if ((s->ssl_ctx = tls_ctx_new(s->conf, err, errlen)) == NULL)
		goto err;
	if ((xsd = config_path_join(s->conf->schema_dir,
	    "application.xsd")) == NULL) {
		snprintf(err, errlen, "out of memory");
		goto err;
	}
	if (app_schema_load(xsd, &s->schema, &e) == -1 ||
	    state_schema(s->conf->schema_dir, "decision.xsd",
	    &s->decision_schema, &e) == -1 ||
	    state_schema(s->conf->schema_dir, "caseworker-request.xsd",
	    &s->request_schema, &e) == -1) {
		snprintf(err, errlen, "%s", e.message);
		goto err;
	}
	lim.instructions = (uint64_t)s->conf->rules_instructions;
	lim.memory = s->conf->rules_memory;
	if (state_rules_load(s->conf->rules_dir, s->conf->examples_dir,
	    s->schema, &lim, &s->rules, &s->nexamples, err, errlen) == -1)
		goto err;
	if (state_worker_rules(s, &lim, err, errlen) == -1)
		goto err;
	s->policy.due_hours = s->conf->due_hours;
	s->policy.urgent_due_hours = s->conf->urgent_due_hours;
	s->policy.follow_up_days = s->conf->follow_up_days;
	/* The state directory must exist; the audit trail lives there,
	 * and failing now beats failing on the first case. */
	if (stat(s->conf->state_dir, &sb) == -1) {
		snprintf(err, errlen, "state_dir %s: %s", s->conf->state_dir,
		    strerror(errno));
		goto err;
	}
	if (!S_ISDIR(sb.st_mode)) {
		snprintf(err, errlen, "state_dir %s: not a directory",
		    s->conf->state_dir);
		goto err;
	}
	*out = s;
	s = NULL;
	rc = 0;
 err:
	free(xsd);
	state_free(s);
	return rc;
}

void
state_hold(struct state *s)
{
	atomic_fetch_add(&s->refs, 1);
}

void
state_free(struct state *s)
{
	int i;

	if (s == NULL || atomic_fetch_sub(&s->refs, 1) > 1)
		return;
	for (i = 0; s->wrules != NULL && i < s->nworkers; i++)
		if (s->wrules[i] != s->rules)	/* worker 0's is the loop's */
			rules_free(s->wrules[i]);
	free(s->wrules);
	rules_free(s->rules);
	app_schema_free(s->schema);
	app_schema_free(s->decision_schema);
	app_schema_free(s->request_schema);
	SSL_CTX_free(s->ssl_ctx);
	config_free(s->conf);
	free(s);
}
