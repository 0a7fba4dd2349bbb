/*
 * state.c: build (and free) the reloadable state.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "application.h"
#include "config.h"
#include "errdoc.h"
#include "state.h"
#include "tls.h"

int
state_load(const char *path, struct state **out, char *err, size_t errlen)
{
	struct state	*s = NULL;
	struct errdoc	 e;
	struct stat	 sb;
	char		*xsd = NULL;
	int		 rc = -1;

	if ((s = calloc(1, sizeof(*s))) == NULL) {
		snprintf(err, errlen, "%s: out of memory", path);
		goto err;
	}
	if (config_load(path, &s->conf, err, errlen) == -1)
		goto err;
	if ((s->ssl_ctx = tls_ctx_new(s->conf, err, errlen)) == NULL)
		goto err;
	if ((xsd = config_path_join(s->conf->schema_dir,
	    "application.xsd")) == NULL) {
		snprintf(err, errlen, "out of memory");
		goto err;
	}
	if (app_schema_load(xsd, &s->schema, &e) == -1) {
		snprintf(err, errlen, "%s", e.message);
		goto err;
	}
	/* The state directory must exist; later issues write the audit
	 * trail there, and failing now beats failing on the first case. */
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
state_free(struct state *s)
{
	if (s == NULL)
		return;
	app_schema_free(s->schema);
	SSL_CTX_free(s->ssl_ctx);
	config_free(s->conf);
	free(s);
}
