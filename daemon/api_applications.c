/*
 * api_applications.c: POST /v1/applications and GET /v1/applications/{id}
 * (role eservice).
 *
 * The path of one application: content type → app_parse() (hardened
 * parse, schema, checks) → idempotency against the views → the rule
 * engine with the household's history from the trail → decision_finish()
 * → one audit job (received + evaluated + the document) → answered
 * with 201 only after the writer reports it durable. Refusals are
 * recorded too, and answered after their record.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>


#include "api.h"
#include "application.h"
#include "audit.h"
#include "core.h"
#include "decision.h"
#include "errdoc.h"
#include "http.h"
#include "log.h"
#include "metrics.h"
#include "pool.h"
#include "rules.h"
#include "state.h"
#include "view.h"

/* A request waiting for the same application's records (a repeat sent
 * while the first was being written). */
struct view_waiter {
	struct hreq		*h;
	struct view_waiter	*next;
};

/* One application from receipt to its answer. On the loop until it is
 * held as pending, then a worker's (evaluation), then the writer's,
 * then the loop's again in api_submit_done. */
struct submit {
	struct pool_task	 task;		/* first: a pool_task is one */
	struct audit_job	 job;
	struct hreq		*h;
	struct core		*core;
	struct state		*st;		/* held while a worker has it */
	struct view_app		*app;		/* held as pending */
	struct application	*parsed;
	struct rules_context	 ctx;		/* months owned */
	unsigned char		 sha[32];
	char			 applicant[AUDIT_PSEUDO_LEN];
	char			 partner[AUDIT_PSEUDO_LEN];
	char			 actor[160];
	int			 period;
	time_t			 now;
	char			*body;		/* the document, as received */
	size_t			 bodylen;
	char			*doc;		/* the decision document */
	size_t			 doclen;
	int			 oom;		/* evaluation ran out of memory */
	int			 granted;	/* for the metrics, */
	uint32_t		 reasons;	/* once durable */
	struct timespec		 queued;
};

static double
api_since(const struct timespec *t0)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - t0->tv_sec) +
	    (double)(now.tv_nsec - t0->tv_nsec) / 1e9;
}

static void
api_refuse(struct hreq *h, const struct errdoc *e, const unsigned char *sha,
    size_t size)
{
	struct abuf	pl = { 0 };
	char		hex[AUDIT_HEX];

	abuf_kvf(&pl, "status", "%d", e->status);
	abuf_kv(&pl, "code", e->code);
	if (e->line > 0)
		abuf_kvf(&pl, "line", "%d", e->line);
	if (e->column > 0)
		abuf_kvf(&pl, "column", "%d", e->column);
	if (e->element[0] != '\0')
		abuf_kv(&pl, "element", e->element);
	if (sha != NULL) {
		audit_hex(sha, 32, hex);
		abuf_kv(&pl, "sha256", hex);
	}
	abuf_kvf(&pl, "size", "%zu", size);
	if (h->case_id[0] != '\0')
		abuf_kv(&pl, "id", h->case_id);
	/* The message may quote the document; the log must not. */
	log_info("intake: refused %s line=%d column=%d element=%s", e->code,
	    e->line, e->column, e->element[0] ? e->element : "-");
	http_reply_error_audited(h, e, "refused", &pl);
}

static void
api_unavailable(struct hreq *h)
{
	struct errdoc e;

	errdoc_set(&e, 503, ERR_UNAVAILABLE, "the daemon cannot make "
	    "records durable right now; nothing was stored, send the "
	    "application again later");
	http_reply_error(h, &e);
}

static void
api_reply_stored(struct hreq *h, struct core *core, struct view_app *a)
{
	struct errdoc	 e;
	char		*doc;
	size_t		 len;

	if (core_read_decision(core, a, &doc, &len) == -1) {
		errdoc_set(&e, 500, ERR_INTERNAL, "the stored decision could "
		    "not be read");
		http_reply_error(h, &e);
		return;
	}
	http_reply(h, 200, doc, len);
	free(doc);
}

static void api_submit_free(struct submit *);

/* why 0: the trail could not be written, nothing stored (503); 1: out
 * of memory while evaluating, nothing stored (500); 2: stored, but the
 * daemon could not take it into its views (500). */
static void
api_failed(struct hreq *h, int why)
{
	struct errdoc e;

	if (why == 0) {
		api_unavailable(h);
		return;
	}
	if (why == 1)
		errdoc_set(&e, 500, ERR_INTERNAL, "out of memory while "
		    "evaluating; nothing was stored, send the application "
		    "again");
	else
		errdoc_set(&e, 500, ERR_INTERNAL, "the application and its "
		    "decision were stored, but the daemon ran out of memory "
		    "taking them in; it answers for them after a restart");
	http_reply_error(h, &e);
}

static void
api_submit_done(struct audit_job *j)
{
	struct submit		*s = j->arg;
	struct view_waiter	*w, *next;
	struct view_app		*a = s->app;
	char			 loc[128];
	int			 why;

	w = view_waiters_take(&s->core->view, a);
	/* The evaluated record is applied exactly as replay will apply it
	 * after a restart (which also puts a routed case in the queue). */
	/* Only a job that reached the writer has a durable-write time. */
	if (s->queued.tv_sec != 0 || s->queued.tv_nsec != 0)
		metrics_durable_seconds(api_since(&s->queued));
	if (j->ok && view_event_add(a, j->rec[0].offset,
	    (uint32_t)j->rec[0].len) == 0 &&
	    core_apply(s->core, j->rec[1].offset, j->rec[1].len) == 0) {
		metrics_decision(s->granted, s->reasons);
		snprintf(loc, sizeof(loc), "/v1/applications/%s", a->id);
		http_header(s->h, "Location", loc);
		http_reply(s->h, 201, s->doc, s->doclen);
		for (; w != NULL; w = next) {
			next = w->next;
			http_reply(w->h, 200, s->doc, s->doclen);
			free(w);
		}
	} else {
		/* Stored but not applied (out of memory reading it back):
		 * the records are durable, so "nothing was stored" would be
		 * false; a restart applies them (replay). */
		why = j->ok ? 2 : s->oom;
		if (j->ok)
			log_warnx("intake: %s stored but the view could not "
			    "be updated (out of memory); a restart applies it",
			    a->id);
		else
			view_abort(&s->core->view, a);
		api_failed(s->h, why);
		for (; w != NULL; w = next) {
			next = w->next;
			api_failed(w->h, why);
			free(w);
		}
	}
	api_submit_free(s);
}

/* The same id again: same bytes get the stored decision (200), others
 * a conflict (409). Returns 1 when h was answered or queued. */
static int
api_repeat(struct hreq *h, struct view_app *a, const unsigned char *sha,
    size_t len)
{
	struct view_waiter	*w, **head;
	struct errdoc		 e;

	if (a->submitter != view_actor_hash(h->actor) ||
	    memcmp(a->sha, sha, 32) != 0) {
		errdoc_set(&e, 409, ERR_CONFLICT, "application %s is already "
		    "held with other content", a->id);
		api_refuse(h, &e, sha, len);
		return 1;
	}
	if (!a->pending) {
		api_reply_stored(h, h->core, a);
		return 1;
	}
	if ((w = calloc(1, sizeof(*w))) == NULL)
		return 0;
	if ((head = view_waiters(&h->core->view, a)) == NULL) {
		free(w);
		return 0;
	}
	w->h = h;
	w->next = *head;
	*head = w;
	return 1;
}

/* The evaluated record: everything needed to show the decision and to
 * re-evaluate it exactly (docs/audit-format.md). */
static void
api_evaluated_payload(struct abuf *pl, const struct application *app,
    const struct decision *d, const struct rules_context *ctx,
    const struct dec_policy *pol, int64_t received, const char *doc,
    size_t doclen)
{
	char	t[32];
	size_t	i;
	struct abuf list = { 0 };

	abuf_kv(pl, "id", app->id);
	abuf_kv(pl, "ruleset", d->ruleset);
	abuf_kvf(pl, "norm_year", "%d", d->norm_year);
	abuf_kv(pl, "outcome", decision_outcome_name(d->outcome));
	if (d->has_amount)
		abuf_kvf(pl, "amount", "%lld", (long long)d->amount);
	for (i = 0; i < d->nreasons; i++) {
		if (i > 0)
			abuf_put(&list, ",", 1);
		abuf_put(&list, d->reasons[i].code, strlen(d->reasons[i].code));
	}
	abuf_kvn(pl, "reasons", list.p ? list.p : "", list.len);
	if (d->outcome == DEC_ROUTED) {
		abuf_kv(pl, "priority", d->urgent ? "urgent" : "normal");
		audit_time_of(d->due, t);
		abuf_kv(pl, "due", t);
	}
	if (d->follow_up) {
		audit_time_of(d->follow_up_due, t);
		abuf_kv(pl, "follow_up_due", t);
	}
	abuf_kvf(pl, "received_at", "%lld", (long long)received);
	abuf_kvf(pl, "policy", "%d,%d,%d", pol->due_hours,
	    pol->urgent_due_hours, pol->follow_up_days);
	list.len = 0;
	for (i = 0; i < ctx->nmonths; i++) {
		char m[16];
		int  n = snprintf(m, sizeof(m), "%s%04d-%02d", i ? "," : "",
		    ctx->months[i] / 12, ctx->months[i] % 12 + 1);

		abuf_put(&list, m, (size_t)n);
	}
	abuf_kvn(pl, "history", list.p ? list.p : "", list.len);
	abuf_kvf(pl, "duplicate", "%d", ctx->duplicate_period);
	if (d->failure != NULL)
		abuf_kv(pl, "failure", d->failure);
	abuf_kv_b64(pl, "decision", doc, doclen);
	abuf_free(&list);
}

/* Everything the evaluation needs from the views, taken on the loop,
 * and the application held as pending at once: a repeat or another
 * application for the same person and period arriving while this one
 * is evaluated must see it. 0, or -1 with e filled (nothing held). */
static int
api_prepare(struct hreq *h, struct submit *s, const unsigned char *sha,
    const char *body, size_t len, struct errdoc *e)
{
	struct core		*core = h->core;
	const struct application *app = s->parsed;
	int			*months = NULL;
	size_t			 nmonths = 0;

	s->period = app->period_year * 12 + app->period_month - 1;
	s->now = time(NULL);
	memcpy(s->sha, sha, 32);
	snprintf(s->actor, sizeof(s->actor), "%s", h->actor);
	if (audit_pseudonym(core->keys, app->persons[app->applicant].pnr,
	    s->applicant) == -1 || (app->has_partner && audit_pseudonym(
	    core->keys, app->persons[app->partner].pnr, s->partner) == -1) ||
	    view_history(&core->view, s->applicant, s->partner, s->period,
	    &months, &nmonths) == -1)
		goto oom;
	s->ctx.months = months;
	s->ctx.nmonths = nmonths;
	s->ctx.duplicate_period = view_duplicate(&core->view, s->applicant,
	    s->period);
	if ((s->body = malloc(len)) == NULL)
		goto oom;
	memcpy(s->body, body, len);
	s->bodylen = len;
	if ((s->app = view_pending(&core->view, app->id, sha,
	    view_actor_hash(h->actor), s->applicant, s->partner,
	    s->period)) == NULL)
		goto oom;
	return 0;
 oom:
	errdoc_set(e, 500, ERR_INTERNAL, "out of memory");
	return -1;
}

/* Evaluate with rules r and build the job (received + evaluated + the
 * document). Runs on a worker, or on the loop when there are none: it
 * touches neither the views nor the request. 0, or -1 out of memory. */
static int
api_evaluate(struct submit *s, struct rules *r, const struct dec_policy *pol)
{
	const struct application *app = s->parsed;
	struct decision		 d;
	struct tm		 tm;
	struct timespec		 t0;
	char			 hex[AUDIT_HEX];
	struct audit_job_rec	*rec;
	int			 rc = -1;

	memset(&d, 0, sizeof(d));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (rules_eval(r, app, &s->ctx, &d) == -1 ||
	    decision_finish(&d, app, pol, (int64_t)s->now) == -1)
		goto out;
	metrics_eval_seconds(api_since(&t0));
	s->granted = d.outcome == DEC_GRANTED;
	s->reasons = metrics_reason_mask(&d);
	if (decision_render(&d, &s->doc, &s->doclen) == -1)
		goto out;
	if (d.failure != NULL) {
		metrics_rule_failure();
		log_warnx("rules: RULE_FAILURE for %s; the error and its "
		    "traceback are in the evaluated record", app->id);
	}
	s->job.nrec = 2;
	s->job.doc = s->body;
	s->job.doclen = s->bodylen;
	audit_hex(s->sha, 32, s->job.doc_sha);
	gmtime_r(&s->now, &tm);
	strftime(s->job.doc_month, sizeof(s->job.doc_month), "%Y-%m", &tm);
	rec = &s->job.rec[0];
	rec->type = "received";
	snprintf(rec->actor, sizeof(rec->actor), "%s", s->actor);
	rec->with_doc = 1;
	abuf_kv(&rec->payload, "id", app->id);
	audit_hex(s->sha, 32, hex);
	abuf_kv(&rec->payload, "sha256", hex);
	abuf_kvf(&rec->payload, "size", "%zu", s->bodylen);
	abuf_kv(&rec->payload, "applicant", s->applicant);
	if (s->partner[0] != '\0')
		abuf_kv(&rec->payload, "partner", s->partner);
	abuf_kvf(&rec->payload, "period", "%04d-%02d", app->period_year,
	    app->period_month);
	rec = &s->job.rec[1];
	rec->type = "evaluated";
	snprintf(rec->actor, sizeof(rec->actor), "automated");
	api_evaluated_payload(&rec->payload, app, &d, &s->ctx, pol,
	    (int64_t)s->now, s->doc, s->doclen);
	if (s->job.rec[0].payload.oom || rec->payload.oom)
		goto out;
	log_info("intake: %s evaluated outcome=%s reasons=%zu norm_year=%d",
	    app->id, decision_outcome_name(d.outcome), d.nreasons,
	    d.norm_year);
	rc = 0;
 out:
	decision_free(&d);
	return rc;
}

static void
api_submit_free(struct submit *s)
{
	audit_job_clear(&s->job);
	app_free(s->parsed);
	free((void *)s->ctx.months);	/* ours: api_prepare */
	free(s->body);
	free(s->doc);
	free(s);
}

/* To the writer: s is its until api_submit_done on the loop. */
static void
api_write(struct submit *s)
{
	s->job.done = api_submit_done;
	s->job.arg = s;
	clock_gettime(CLOCK_MONOTONIC, &s->queued);
	audit_writer_submit(s->core->writer, &s->job);
}

/* pool_task.run, on a worker: evaluate with this worker's Lua state. */
static int
api_task_run(struct pool_task *t, int worker)
{
	struct submit	*s = (struct submit *)t;
	int		 rc;

	rc = api_evaluate(s, s->st->wrules[worker], &s->st->policy);
	state_free(s->st);	/* this case's reference */
	s->st = NULL;
	if (rc == -1) {
		s->oom = 1;
		return 1;	/* answered on the loop: api_task_done */
	}
	api_write(s);
	return 0;
}

/* pool_task.done, on the loop: the evaluation ran out of memory. */
static void
api_task_done(struct pool_task *t)
{
	struct submit *s = (struct submit *)t;

	s->job.ok = 0;
	api_submit_done(&s->job);
}

void
api_application_submit(struct hreq *h)
{
	struct application	*app = NULL;
	struct view_app		*a;
	struct submit		*s = NULL;
	struct errdoc		 e;
	unsigned char		 sha[32];
	const char		*body;
	size_t			 len;

	body = http_body(h, &len);
	audit_sha256(body, len, sha);
	if (!http_content_is_xml(h)) {
		errdoc_set(&e, 415, ERR_MEDIA_TYPE, "Content-Type must be "
		    "application/xml (charset utf-8, if given)");
		api_refuse(h, &e, sha, len);
		return;
	}
	if (app_parse(h->st->schema, body, len, &app, &e) == -1) {
		api_refuse(h, &e, sha, len);
		return;
	}
	snprintf(h->case_id, sizeof(h->case_id), "%s", app->id);
	if (!audit_writer_ok(h->core->writer)) {
		api_unavailable(h);
		goto out;
	}
	if ((a = view_app(&h->core->view, app->id)) != NULL) {
		if (!api_repeat(h, a, sha, len)) {
			errdoc_set(&e, 500, ERR_INTERNAL, "out of memory");
			http_reply_error(h, &e);
		}
		goto out;
	}
	if ((s = calloc(1, sizeof(*s))) == NULL) {
		errdoc_set(&e, 500, ERR_INTERNAL, "out of memory");
		http_reply_error(h, &e);
		goto out;
	}
	s->h = h;
	s->core = h->core;
	s->parsed = app;		/* s owns it now */
	app = NULL;
	if (api_prepare(h, s, sha, body, len, &e) == -1) {
		api_submit_free(s);
		http_reply_error(h, &e);
		goto out;
	}
	if (h->core->pool != NULL) {
		/* The state may be swapped by a reload meanwhile: the case
		 * keeps the rule set it was received under. */
		s->st = (struct state *)h->st;
		state_hold(s->st);
		s->task.run = api_task_run;
		s->task.done = api_task_done;
		pool_submit(h->core->pool, &s->task);
	} else if (api_evaluate(s, h->st->rules, &h->st->policy) == 0)
		api_write(s);
	else {
		s->oom = 1;
		s->job.ok = 0;
		api_submit_done(&s->job);
	}
 out:
	app_free(app);
}

void
api_application_get(struct hreq *h)
{
	struct view_app	*a;
	struct errdoc	 e;

	snprintf(h->case_id, sizeof(h->case_id), "%s", h->param);
	a = view_app(&h->core->view, h->param);
	/* Only the e-service that submitted it may read it; to others it
	 * does not exist. A pending one is not held yet. */
	if (a == NULL || a->pending ||
	    a->submitter != view_actor_hash(h->actor)) {
		errdoc_set(&e, 404, ERR_NOT_FOUND, "no application with id "
		    "%s is held", h->param);
		http_reply_error(h, &e);
		return;
	}
	api_reply_stored(h, h->core, a);
}
