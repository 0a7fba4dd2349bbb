/*
 * api_applications.c: POST /v1/applications and GET /v1/applications/{id}
 * (role eservice).
 *
 * Intake: content type, body, then app_parse() (hardened parse, schema,
 * semantic checks) gives the application model, which goes on to the
 * evaluation stage. Until the rule engine and the audit trail exist,
 * that stage can store nothing, and since a 2xx must mean "durable"
 * the answer to a valid application is 503: valid, but not stored.
 */
#include <stdio.h>
#include <stdlib.h>

#include "api.h"
#include "application.h"
#include "errdoc.h"
#include "http.h"
#include "log.h"
#include "state.h"

/* The evaluation boundary: the model is complete and valid here. */
static void
api_application_evaluate(struct hreq *h, struct application *app)
{
	struct errdoc e;

	log_info("intake: application %s valid (persons=%zu incomes=%zu "
	    "costs=%zu period=%04d-%02d); no evaluation stage in this "
	    "version, not stored", app->id, app->npersons, app->nincomes,
	    app->ncosts, app->period_year, app->period_month);
	errdoc_set(&e, 503, ERR_UNAVAILABLE, "application %s is valid, but "
	    "this version cannot evaluate or store it yet; nothing was "
	    "stored, send it again later", app->id);
	http_reply_error(h, &e);
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
