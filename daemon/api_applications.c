/*
 * api_applications.c: POST /v1/applications and GET /v1/applications/{id}
 * (role eservice).
 *
 * Intake: content type, body, then app_parse() (hardened parse, schema,
 * semantic checks) gives the application model; the rule engine and
 * decision_finish() give the decision. Until the audit trail exists
 * nothing can be made durable, and since a 2xx must mean "durable" the
 * answer to a valid application is 503: evaluated, but not stored.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api.h"
#include "application.h"
#include "decision.h"
#include "errdoc.h"
#include "http.h"
#include "log.h"
#include "rules.h"
#include "state.h"

/* The reason codes of d as "A,B,C" for the log (codes only). */
static void
api_reason_list(const struct decision *d, char *buf, size_t len)
{
	size_t i, n = 0;

	buf[0] = '\0';
	for (i = 0; i < d->nreasons && n < len; i++)
		n += (size_t)snprintf(buf + n, len - n, "%s%s", i ? "," : "",
		    d->reasons[i].code);
	if (d->nreasons == 0)
		snprintf(buf, len, "-");
}

static void
api_application_evaluate(struct hreq *h, struct application *app)
{
	struct decision	 d;
	struct errdoc	 e;
	char		 reasons[512];

	memset(&d, 0, sizeof(d));
	if (rules_eval(h->st->rules, app, NULL, &d) == -1 ||
	    decision_finish(&d, app, &h->st->policy, (int64_t)time(NULL)) ==
	    -1) {
		errdoc_set(&e, 500, ERR_INTERNAL, "out of memory");
		http_reply_error(h, &e);
		goto out;
	}
	api_reason_list(&d, reasons, sizeof(reasons));
	log_info("intake: application %s valid, evaluated: outcome=%s "
	    "reasons=%s norm_year=%d ruleset=%.12s; not stored (no audit "
	    "trail in this version)", app->id,
	    decision_outcome_name(d.outcome), reasons, d.norm_year,
	    d.ruleset);
	errdoc_set(&e, 503, ERR_UNAVAILABLE, "application %s is valid and "
	    "was evaluated (%s), but this version cannot store it yet; "
	    "nothing was stored, send it again later", app->id,
	    decision_outcome_name(d.outcome));
	http_reply_error(h, &e);
 out:
	decision_free(&d);
}

void
api_application_submit(struct hreq *h)
{
	struct application	*app = NULL;
	struct errdoc		 e;
	const char		*body;
	size_t			 len;

	if (!http_content_is_xml(h)) {
		errdoc_set(&e, 415, ERR_MEDIA_TYPE, "Content-Type must be "
		    "application/xml (charset utf-8, if given)");
		http_reply_error(h, &e);
		return;
	}
	body = http_body(h, &len);
	if (app_parse(h->st->schema, body, len, &app, &e) == -1) {
		/* The message may quote the document; the log must not. */
		log_info("intake: refused %s line=%d column=%d element=%s",
		    e.code, e.line, e.column, e.element[0] ? e.element : "-");
		http_reply_error(h, &e);
		return;
	}
	api_application_evaluate(h, app);
	app_free(app);
}

void
api_application_get(struct hreq *h)
{
	struct errdoc e;

	/* Nothing is stored before the audit trail exists. */
	errdoc_set(&e, 404, ERR_NOT_FOUND, "no application with id %s is "
	    "held", h->param);
	http_reply_error(h, &e);
}
