/*
 * api_cases.c: the caseworkers' routes (docs/caseworker-api.md):
 * GET /v1/queue, GET /v1/cases/{id}, POST …/claim, …/release,
 * …/assign, …/decision, …/complete.
 *
 * Every action is one record; the answer waits until it is durable,
 * and then the record is applied to the views exactly as replay would
 * apply it (core_apply), so what a caseworker sees after a restart is
 * what they saw before. Refusals are recorded too.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <libxml/tree.h>
#include <libxml/xmlwriter.h>

#include "api.h"
#include "application.h"
#include "audit.h"
#include "config.h"
#include "core.h"
#include "decision.h"
#include "errdoc.h"
#include "http.h"
#include "log.h"
#include "state.h"
#include "view.h"

#define CW_NS		"urn:bistand:caseworker:1"
#define CW_LIMIT	100
#define CW_LIMIT_MAX	10000

struct case_job {
	struct audit_job	 job;
	struct hreq		*h;
	struct core		*core;
	char			 id[APP_ID_MAX + 1];	/* the busy case */
	int			 idle;		/* claim_idle_minutes */
	int			 reply_doc;	/* answer the new decision */
	char			*doc;
	size_t			 doclen;
};

/* --- rendering --------------------------------------------------- */

static int
cw_time(xmlTextWriterPtr w, const char *name, int64_t t)
{
	char buf[32];

	audit_time_of(t, buf);
	return xmlTextWriterWriteElement(w, BAD_CAST name, BAD_CAST buf);
}

static const char *
cw_state(const struct view *v, const struct q_item *q, int64_t now, int idle)
{
	if (q->closed == 1)
		return "decided";
	if (q->closed == 2)
		return "completed";
	return queue_holder(v, q, now, idle)[0] != '\0' ? "claimed" : "open";
}

static int
cw_item(xmlTextWriterPtr w, const struct view *v, const struct q_item *q,
    int64_t now, int idle)
{
	const char	*holder = q->closed ? "" : queue_holder(v, q, now, idle);
	const char	*preferred = queue_preferred(v, q);
	char		 reasons[256];

	queue_reasons_text(q, reasons, sizeof(reasons));
	if (xmlTextWriterStartElement(w, BAD_CAST "item") < 0 ||
	    xmlTextWriterWriteAttribute(w, BAD_CAST "id",
	    BAD_CAST q->app->id) < 0 ||
	    xmlTextWriterWriteAttribute(w, BAD_CAST "kind",
	    BAD_CAST (q->kind == Q_CASE ? "case" : "follow-up")) < 0 ||
	    xmlTextWriterWriteAttribute(w, BAD_CAST "priority",
	    BAD_CAST (q->urgent ? "urgent" : "normal")) < 0 ||
	    xmlTextWriterWriteAttribute(w, BAD_CAST "state",
	    BAD_CAST cw_state(v, q, now, idle)) < 0 ||
	    xmlTextWriterWriteAttribute(w, BAD_CAST "overdue",
	    BAD_CAST (!q->closed && now > q->due ? "true" : "false")) < 0 ||
	    cw_time(w, "received", q->received) < 0 ||
	    cw_time(w, "due", q->due) < 0 ||
	    xmlTextWriterWriteElement(w, BAD_CAST "reasons",
	    BAD_CAST reasons) < 0)
		return -1;
	if (holder[0] != '\0' && (xmlTextWriterWriteElement(w,
	    BAD_CAST "assignee", BAD_CAST holder) < 0 ||
	    cw_time(w, "claimed-at", q->claimed_at) < 0))
		return -1;
	if (preferred[0] != '\0' && xmlTextWriterWriteElement(w,
	    BAD_CAST "preferred-caseworker", BAD_CAST preferred) < 0)
		return -1;
	return xmlTextWriterEndElement(w) < 0 ? -1 : 0;
}

/* A whole document of ours, embedded without its XML declaration. */
static int
cw_embed(xmlTextWriterPtr w, const char *doc, size_t len)
{
	const char *p = doc, *end;

	if (len >= 5 && strncmp(doc, "<?xml", 5) == 0 &&
	    (end = memchr(doc, '>', len)) != NULL)
		p = end + 1;
	return xmlTextWriterWriteRawLen(w, BAD_CAST p,
	    (int)(len - (size_t)(p - doc))) < 0 ? -1 : 0;
}

/* One line of history: what a person needs from the record. */
static void
cw_summary(const struct audit_record *r, char *out, size_t len)
{
	char a[64] = "", b[256] = "";

	out[0] = '\0';
	if (audit_is(r, "evaluated") || audit_is(r, "decided")) {
		(void)audit_get(r, "outcome", a, sizeof(a));
		(void)audit_get(r, "reasons", b, sizeof(b));
		snprintf(out, len, "%s%s%s", a, b[0] ? ": " : "", b);
	} else if (audit_is(r, "assigned")) {
		(void)audit_get(r, "to", a, sizeof(a));
		snprintf(out, len, "to %s", a);
	} else if (audit_is(r, "completed"))
		(void)audit_get(r, "note", out, len);
}

static int
cw_history(xmlTextWriterPtr w, struct core *core, const struct view_app *a)
{
	struct audit_record	 r;
	char			*line, seq[24], t[AUDIT_TIME_LEN + 1];
	char			 type[32], actor[200], text[1024];
	uint32_t		 i;
	int			 rc = 0;

	if (xmlTextWriterStartElement(w, BAD_CAST "history") < 0)
		return -1;
	for (i = 0; i < a->nevents && rc == 0; i++) {
		if (core_read_record(core, view_events(a)[i].off,
		    view_events(a)[i].len, &line, &r) == -1)
			return -1;
		snprintf(seq, sizeof(seq), "%llu", (unsigned long long)r.seq);
		snprintf(t, sizeof(t), "%.*s", AUDIT_TIME_LEN, r.time);
		snprintf(type, sizeof(type), "%.*s", (int)r.type_len, r.type);
		snprintf(actor, sizeof(actor), "%.*s", (int)r.actor_len,
		    r.actor);
		cw_summary(&r, text, sizeof(text));
		if (xmlTextWriterStartElement(w, BAD_CAST "event") < 0 ||
		    xmlTextWriterWriteAttribute(w, BAD_CAST "seq",
		    BAD_CAST seq) < 0 ||
		    xmlTextWriterWriteAttribute(w, BAD_CAST "time",
		    BAD_CAST t) < 0 ||
		    xmlTextWriterWriteAttribute(w, BAD_CAST "type",
		    BAD_CAST type) < 0 ||
		    xmlTextWriterWriteAttribute(w, BAD_CAST "actor",
		    BAD_CAST actor) < 0 ||
		    xmlTextWriterWriteString(w, BAD_CAST text) < 0 ||
		    xmlTextWriterEndElement(w) < 0)
			rc = -1;
		free(line);
	}
	return rc == 0 && xmlTextWriterEndElement(w) >= 0 ? 0 : -1;
}

/* Start a document of ours with root name; the buffer is the caller's. */
static xmlTextWriterPtr
cw_start(xmlBufferPtr buf, const char *root)
{
	xmlTextWriterPtr w;

	if ((w = xmlNewTextWriterMemory(buf, 0)) == NULL)
		return NULL;
	xmlTextWriterSetIndent(w, 1);
	xmlTextWriterSetIndentString(w, BAD_CAST "  ");
	if (xmlTextWriterStartDocument(w, "1.0", "UTF-8", NULL) < 0 ||
	    xmlTextWriterStartElementNS(w, NULL, BAD_CAST root,
	    BAD_CAST CW_NS) < 0) {
		xmlFreeTextWriter(w);
		return NULL;
	}
	return w;
}

/* Finish w and hand the text of buf over. */
static int
cw_finish(xmlTextWriterPtr w, xmlBufferPtr buf, char **out, size_t *len)
{
	int rc = xmlTextWriterEndDocument(w) < 0 ? -1 : 0;

	xmlFreeTextWriter(w);
	if (rc == -1)
		return -1;
	*len = (size_t)xmlBufferLength(buf);
	return (*out = (char *)xmlBufferDetach(buf)) == NULL ? -1 : 0;
}

static int
cw_render_case(struct core *core, struct view_app *a, int64_t now, int idle,
    char **out, size_t *len)
{
	struct audit_record	 r;
	xmlBufferPtr		 buf;
	xmlTextWriterPtr	 w = NULL;
	char			*line = NULL, *doc = NULL, err[256];
	size_t			 dlen;
	int			 rc = -1;

	if ((buf = xmlBufferCreate()) == NULL)
		return -1;
	if ((w = cw_start(buf, "case")) == NULL)
		goto out;
	if (a->item != NULL && cw_item(w, &core->view, a->item, now, idle) ==
	    -1)
		goto out;
	/* The application as received: the first event is its record. */
	if (xmlTextWriterStartElement(w, BAD_CAST "application") < 0 ||
	    a->nevents == 0 || core_read_record(core, view_events(a)[0].off,
	    view_events(a)[0].len, &line, &r) == -1)
		goto out;
	if (audit_read_document(core->state_dir, &r, &doc, &dlen, err,
	    sizeof(err)) == 0 && cw_embed(w, doc, dlen) == -1)
		goto out;
	free(doc);
	doc = NULL;
	if (xmlTextWriterEndElement(w) < 0 ||
	    xmlTextWriterStartElement(w, BAD_CAST "decision") < 0 ||
	    core_read_decision(core, a, &doc, &dlen) == -1 ||
	    cw_embed(w, doc, dlen) == -1 ||
	    xmlTextWriterEndElement(w) < 0 ||
	    cw_history(w, core, a) == -1)
		goto out;
	rc = cw_finish(w, buf, out, len);
	w = NULL;
 out:
	if (w != NULL)
		xmlFreeTextWriter(w);
	xmlBufferFree(buf);
	free(line);
	free(doc);
	return rc;
}

static void
cw_reply_case(struct hreq *h, struct core *core, struct view_app *a,
    int idle)
{
	struct errdoc	 e;
	char		*doc;
	size_t		 len;

	if (cw_render_case(core, a, (int64_t)time(NULL), idle, &doc,
	    &len) == -1) {
		errdoc_set(&e, 500, ERR_INTERNAL, "the case could not be read");
		http_reply_error(h, &e);
		return;
	}
	http_reply(h, 200, doc, len);
	free(doc);
}

/* --- refusals and the common prelude ----------------------------- */

static void
cw_refuse(struct hreq *h, int status, const char *code, const char *msg)
{
	struct abuf	pl = { 0 };
	struct errdoc	e;

	errdoc_set(&e, status, code, "%s", msg);
	abuf_kvf(&pl, "status", "%d", status);
	abuf_kv(&pl, "code", code);
	abuf_kv(&pl, "id", h->param);
	abuf_kv(&pl, "route", h->route);
	http_reply_error_audited(h, &e, "refused", &pl);
}

/* The open queue item of {id}, or a 404 answered (NULL). */
static struct q_item *
cw_item_of(struct hreq *h)
{
	struct view_app *a = view_app(&h->core->view, h->param);

	snprintf(h->case_id, sizeof(h->case_id), "%s", h->param);
	if (a == NULL || a->pending || a->item == NULL || a->item->closed) {
		cw_refuse(h, 404, ERR_NOT_FOUND, "no open queue item with "
		    "this id");
		return NULL;
	}
	/* Checks are made against the views, which change only once a
	 * record is durable: one change per case at a time, or two
	 * requests at the same moment would both pass them. */
	if (a->busy) {
		cw_refuse(h, 409, ERR_CONFLICT, "another change to this case "
		    "is being recorded right now; look at the case again");
		return NULL;
	}
	return a->item;
}

/* The caller must hold the claim; else 409 answered, -1. */
static int
cw_must_hold(struct hreq *h, const struct q_item *q, int idle)
{
	const char	*holder = queue_holder(&h->core->view, q,
			    (int64_t)time(NULL), idle);
	char		 msg[200];

	if (strcmp(holder, h->peer.cn) == 0)
		return 0;
	if (holder[0] == '\0')
		snprintf(msg, sizeof(msg), "you do not hold a claim on this "
		    "item (nobody does, or your claim lapsed): claim it first");
	else
		snprintf(msg, sizeof(msg), "held by %s", holder);
	cw_refuse(h, 409, ERR_CONFLICT, msg);
	return -1;
}

static void
cw_job_done(struct audit_job *j)
{
	struct case_job	*cj = j->arg;
	struct view_app	*a;
	struct errdoc	 e;

	if ((a = view_app(&cj->core->view, cj->id)) != NULL)
		a->busy = 0;
	if (!j->ok || core_apply(cj->core, j->rec[0].offset,
	    j->rec[0].len) == -1) {
		if (j->ok)
			log_warnx("cases: %s recorded but not applied to the "
			    "views", cj->h->case_id);
		errdoc_set(&e, 503, ERR_UNAVAILABLE, "the daemon cannot make "
		    "records durable right now; nothing was changed");
		http_reply_error(cj->h, &e);
	} else if (cj->reply_doc)
		http_reply(cj->h, 200, cj->doc, cj->doclen);
	else if ((a = view_app(&cj->core->view, cj->h->case_id)) != NULL)
		cw_reply_case(cj->h, cj->core, a, cj->idle);
	audit_job_clear(j);
	free(cj->doc);
	free(cj);
}

/* Queue one record about {id} by the caller; payload is taken over. */
static void
cw_record(struct hreq *h, const char *type, struct abuf *pl, char *doc,
    size_t doclen)
{
	struct case_job	*cj;
	struct view_app	*a;
	struct errdoc	 e;

	if (!audit_writer_ok(h->core->writer) ||
	    (cj = calloc(1, sizeof(*cj))) == NULL) {
		abuf_free(pl);
		free(doc);
		errdoc_set(&e, 503, ERR_UNAVAILABLE, "the daemon cannot make "
		    "records durable right now; nothing was changed");
		http_reply_error(h, &e);
		return;
	}
	cj->h = h;
	cj->core = h->core;
	snprintf(cj->id, sizeof(cj->id), "%s", h->param);
	if ((a = view_app(&h->core->view, h->param)) != NULL)
		a->busy = 1;
	cj->idle = h->st->conf->claim_idle_minutes;
	cj->doc = doc;
	cj->doclen = doclen;
	cj->reply_doc = doc != NULL;
	audit_job_single(&cj->job, type, h->actor, pl);
	cj->job.done = cw_job_done;
	cj->job.arg = cj;
	audit_writer_submit(h->core->writer, &cj->job);
}

/* Parse and validate a request body; the root must be name. */
static xmlDocPtr
cw_body(struct hreq *h, const struct app_schema *schema, const char *name)
{
	xmlDocPtr	 doc = NULL;
	xmlNodePtr	 root;
	struct errdoc	 e;
	const char	*body;
	size_t		 len;
	char		 msg[128];

	if (!http_content_is_xml(h)) {
		cw_refuse(h, 415, ERR_MEDIA_TYPE, "Content-Type must be "
		    "application/xml");
		return NULL;
	}
	body = http_body(h, &len);
	if (app_parse_xml(schema, body, len, &doc, &e) == -1) {
		cw_refuse(h, e.status, e.code, e.message);
		return NULL;
	}
	root = xmlDocGetRootElement(doc);
	if (xmlStrcmp(root->name, BAD_CAST name) != 0) {
		xmlFreeDoc(doc);
		snprintf(msg, sizeof(msg), "the body must be a %s", name);
		cw_refuse(h, 400, ERR_SCHEMA, msg);
		return NULL;
	}
	return doc;
}

/* xs:token's value space: no leading or trailing white space, inner
 * runs as one space (the schema validated the collapsed form). */
static void
cw_token(char *s)
{
	char	*r = s, *w = s;
	int	 space = 0;

	for (; *r != '\0'; r++) {
		if (*r == ' ' || *r == '\t' || *r == '\n' || *r == '\r') {
			space = w != s;
			continue;
		}
		if (space)
			*w++ = ' ';
		space = 0;
		*w++ = *r;
	}
	*w = '\0';
}

/* The text of root's child name (malloc'ed), or NULL when absent. */
static char *
cw_child(xmlDocPtr doc, const char *name)
{
	xmlNodePtr	 n;
	xmlChar		*t;
	char		*s;

	for (n = xmlDocGetRootElement(doc)->children; n != NULL; n = n->next) {
		if (n->type != XML_ELEMENT_NODE ||
		    xmlStrcmp(n->name, BAD_CAST name) != 0)
			continue;
		if ((t = xmlNodeGetContent(n)) == NULL)
			return NULL;
		s = strdup((char *)t);
		xmlFree(t);
		return s;
	}
	return NULL;
}

/* --- routes ------------------------------------------------------ */

void
api_queue_get(struct hreq *h)
{
	struct evkeyvalq	 kv;
	struct queue_filter	 f;
	struct q_item		**list = NULL;
	xmlBufferPtr		 buf = NULL;
	xmlTextWriterPtr	 w = NULL;
	struct errdoc		 e;
	const char		*v, *qs;
	char			*doc, *end, num[24];
	size_t			 n = 0, i, limit = CW_LIMIT, len, total = 0;
	int64_t			 now = (int64_t)time(NULL);
	int			 idle = h->st->conf->claim_idle_minutes;
	unsigned long		 l;

	TAILQ_INIT(&kv);
	memset(&f, 0, sizeof(f));
	qs = evhttp_uri_get_query(evhttp_request_get_evhttp_uri(h->req));
	if (qs != NULL && evhttp_parse_query_str(qs, &kv) == -1)
		goto bad;
	if ((v = evhttp_find_header(&kv, "state")) != NULL) {
		if (strcmp(v, "open") == 0)
			f.state = 1;
		else if (strcmp(v, "claimed") == 0)
			f.state = 2;
		else if (strcmp(v, "all") != 0)
			goto bad;
	}
	if ((v = evhttp_find_header(&kv, "priority")) != NULL) {
		if (strcmp(v, "urgent") == 0)
			f.priority = 1;
		else if (strcmp(v, "normal") == 0)
			f.priority = 2;
		else
			goto bad;
	}
	if ((v = evhttp_find_header(&kv, "kind")) != NULL) {
		if (strcmp(v, "case") == 0)
			f.kind = 1;
		else if (strcmp(v, "follow-up") == 0)
			f.kind = 2;
		else
			goto bad;
	}
	if ((v = evhttp_find_header(&kv, "overdue")) != NULL) {
		if (strcmp(v, "true") == 0)
			f.overdue = 1;
		else if (strcmp(v, "false") != 0)
			goto bad;
	}
	if ((v = evhttp_find_header(&kv, "assignee")) != NULL)
		f.assignee = strcmp(v, "me") == 0 ? h->peer.cn : v;
	if ((v = evhttp_find_header(&kv, "limit")) != NULL) {
		l = strtoul(v, &end, 10);
		if (*v < '1' || *v > '9' || *end != '\0' || l > CW_LIMIT_MAX)
			goto bad;
		limit = l;
	}
	if (queue_list(&h->core->view, &f, now, idle, limit, &list, &n,
	    &total) == -1 ||
	    (buf = xmlBufferCreate()) == NULL ||
	    (w = cw_start(buf, "queue")) == NULL)
		goto oom;
	snprintf(num, sizeof(num), "%zu", n);
	if (xmlTextWriterWriteAttribute(w, BAD_CAST "count", BAD_CAST num) < 0)
		goto oom;
	snprintf(num, sizeof(num), "%zu", total);
	if (xmlTextWriterWriteAttribute(w, BAD_CAST "total", BAD_CAST num) < 0)
		goto oom;
	for (i = 0; i < n; i++)
		if (cw_item(w, &h->core->view, list[i], now, idle) == -1)
			goto oom;
	if (cw_finish(w, buf, &doc, &len) == -1) {
		w = NULL;
		goto oom;
	}
	w = NULL;
	http_reply(h, 200, doc, len);
	free(doc);
	goto out;
 bad:
	errdoc_set(&e, 400, ERR_QUERY, "query: state=open|claimed|all, "
	    "priority=urgent|normal, kind=case|follow-up, overdue=true|false, "
	    "assignee=CN|me, limit=1..%d", CW_LIMIT_MAX);
	http_reply_error(h, &e);
	goto out;
 oom:
	errdoc_set(&e, 500, ERR_INTERNAL, "out of memory");
	http_reply_error(h, &e);
 out:
	if (w != NULL)
		xmlFreeTextWriter(w);
	if (buf != NULL)
		xmlBufferFree(buf);
	free(list);
	evhttp_clear_headers(&kv);
}

void
api_case_get(struct hreq *h)
{
	struct view_app	*a = view_app(&h->core->view, h->param);
	struct errdoc	 e;

	snprintf(h->case_id, sizeof(h->case_id), "%s", h->param);
	if (a == NULL || a->pending) {
		errdoc_set(&e, 404, ERR_NOT_FOUND, "no case with this id");
		http_reply_error(h, &e);
		return;
	}
	cw_reply_case(h, h->core, a, h->st->conf->claim_idle_minutes);
}

void
api_case_claim(struct hreq *h)
{
	struct q_item	*q;
	struct abuf	 pl = { 0 };
	const char	*holder, *preferred;
	char		 msg[200], t[32];
	int64_t		 now = (int64_t)time(NULL);

	if ((q = cw_item_of(h)) == NULL)
		return;
	holder = queue_holder(&h->core->view, q, now,
	    h->st->conf->claim_idle_minutes);
	preferred = queue_preferred(&h->core->view, q);
	if (holder[0] != '\0' && strcmp(holder, h->peer.cn) != 0) {
		snprintf(msg, sizeof(msg), "held by %s", holder);
		cw_refuse(h, 409, ERR_CONFLICT, msg);
		return;
	}
	if (holder[0] == '\0' && queue_reserved(q, now) &&
	    strcmp(preferred, h->peer.cn) != 0) {
		audit_time_of(q->received + (q->due - q->received) / 2, t);
		snprintf(msg, sizeof(msg), "offered first to %s, the "
		    "household's caseworker, until %s", preferred, t);
		cw_refuse(h, 409, ERR_CONFLICT, msg);
		return;
	}
	abuf_kv(&pl, "id", h->param);
	cw_record(h, "claimed", &pl, NULL, 0);
}

void
api_case_release(struct hreq *h)
{
	struct q_item	*q;
	struct abuf	 pl = { 0 };

	if ((q = cw_item_of(h)) == NULL ||
	    cw_must_hold(h, q, h->st->conf->claim_idle_minutes) == -1)
		return;
	abuf_kv(&pl, "id", h->param);
	cw_record(h, "released", &pl, NULL, 0);
}

void
api_case_assign(struct hreq *h)
{
	struct q_item	*q;
	struct abuf	 pl = { 0 };
	xmlDocPtr	 doc;
	char		*to;

	if ((q = cw_item_of(h)) == NULL ||
	    cw_must_hold(h, q, h->st->conf->claim_idle_minutes) == -1 ||
	    (doc = cw_body(h, h->st->request_schema, "assign-request")) ==
	    NULL)
		return;
	to = cw_child(doc, "to");
	xmlFreeDoc(doc);
	if (to == NULL) {
		cw_refuse(h, 500, ERR_INTERNAL, "out of memory");
		return;
	}
	cw_token(to);
	abuf_kv(&pl, "id", h->param);
	abuf_kv(&pl, "to", to);
	free(to);
	cw_record(h, "assigned", &pl, NULL, 0);
}

void
api_case_decide(struct hreq *h)
{
	struct q_item	*q;
	struct view_app	*a;
	struct abuf	 pl = { 0 };
	xmlDocPtr	 doc;
	enum dec_outcome outcome;
	char		*out = NULL, *amt = NULL, *mot = NULL, *cur = NULL;
	char		*newdoc = NULL, *end;
	size_t		 curlen, newlen = 0;
	long long	 amount = 0;

	if ((q = cw_item_of(h)) == NULL ||
	    cw_must_hold(h, q, h->st->conf->claim_idle_minutes) == -1)
		return;
	if (q->kind != Q_CASE) {
		cw_refuse(h, 409, ERR_CONFLICT, "a follow-up task is "
		    "completed with a note, not decided");
		return;
	}
	if ((doc = cw_body(h, h->st->decision_schema, "decision-request")) ==
	    NULL)
		return;
	out = cw_child(doc, "outcome");
	amt = cw_child(doc, "amount");
	mot = cw_child(doc, "motivation");
	xmlFreeDoc(doc);
	if (out == NULL || mot == NULL) {
		cw_refuse(h, 500, ERR_INTERNAL, "out of memory");
		goto out;
	}
	cw_token(out);
	if (amt != NULL)
		cw_token(amt);
	outcome = strcmp(out, "granted") == 0 ? DEC_GRANTED :
	    strcmp(out, "denied") == 0 ? DEC_DENIED : DEC_PARTLY_GRANTED;
	if (amt != NULL)
		amount = strtoll(amt, &end, 10);
	/* What the schema cannot say. */
	if (!decision_message_present(mot)) {
		cw_refuse(h, 400, ERR_INCONSISTENT, "a decision needs a "
		    "motivation (Förvaltningslagen 32 §)");
		goto out;
	}
	if (outcome != DEC_DENIED && (amt == NULL || amount <= 0)) {
		cw_refuse(h, 400, ERR_INCONSISTENT, "a grant needs an amount "
		    "greater than 0");
		goto out;
	}
	if (outcome == DEC_DENIED && amt != NULL) {
		cw_refuse(h, 400, ERR_INCONSISTENT, "a denial has no amount");
		goto out;
	}
	a = q->app;
	if (core_read_decision(h->core, a, &cur, &curlen) == -1 ||
	    decision_by_caseworker(cur, curlen, outcome, amt != NULL,
	    (app_amount)amount, h->peer.cn, (int64_t)time(NULL), mot,
	    &newdoc, &newlen) == -1) {
		cw_refuse(h, 500, ERR_INTERNAL, "the current decision could "
		    "not be read");
		goto out;
	}
	abuf_kv(&pl, "id", h->param);
	abuf_kv(&pl, "outcome", out);
	if (amt != NULL)
		abuf_kvf(&pl, "amount", "%lld", amount);
	abuf_kv(&pl, "motivation", mot);
	abuf_kv_b64(&pl, "decision", newdoc, newlen);
	log_info("cases: %s decided %s by a caseworker", a->id, out);
	cw_record(h, "decided", &pl, newdoc, newlen);
	newdoc = NULL;			/* the job's now */
 out:
	free(out);
	free(amt);
	free(mot);
	free(cur);
	free(newdoc);
}

void
api_case_complete(struct hreq *h)
{
	struct q_item	*q;
	struct abuf	 pl = { 0 };
	xmlDocPtr	 doc;
	char		*note;

	if ((q = cw_item_of(h)) == NULL ||
	    cw_must_hold(h, q, h->st->conf->claim_idle_minutes) == -1)
		return;
	if (q->kind != Q_FOLLOW_UP) {
		cw_refuse(h, 409, ERR_CONFLICT, "a case is decided, not "
		    "completed");
		return;
	}
	if ((doc = cw_body(h, h->st->request_schema, "completion-request")) ==
	    NULL)
		return;
	note = cw_child(doc, "note");
	xmlFreeDoc(doc);
	if (note == NULL || !decision_message_present(note)) {
		free(note);
		cw_refuse(h, 400, ERR_INCONSISTENT, "a completed follow-up "
		    "needs a note of what was done");
		return;
	}
	abuf_kv(&pl, "id", h->param);
	abuf_kv(&pl, "note", note);
	free(note);
	cw_record(h, "completed", &pl, NULL, 0);
}
