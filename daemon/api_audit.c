/*
 * api_audit.c: GET /v1/audit (role auditor).
 *
 *   ?case=ID  &from=RFC3339  &to=RFC3339  &after=SEQ  &limit=N
 *
 * Answers the matching records exactly as they stand in the trail
 * (docs/audit-format.md), oldest first, at most limit (default 1000,
 * at most 10000). When the limit cut the answer, the header
 * X-Audit-Next-After gives the SEQ to continue after.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "api.h"
#include "application.h"
#include "audit.h"
#include "core.h"
#include "errdoc.h"
#include "http.h"

#define AUDIT_API_LIMIT		1000
#define AUDIT_API_LIMIT_MAX	10000

struct audit_collect {
	const struct audit_query *q;
	struct abuf		 out;
	size_t			 n, limit;
	uint64_t		 last;
	int			 more;
};

static int
api_audit_visit(const struct audit_record *r, void *arg)
{
	struct audit_collect *c = arg;

	if (!audit_match(r, c->q))
		return 0;
	if (c->n == c->limit) {
		c->more = 1;
		return 1;		/* stop: the page is full */
	}
	abuf_put(&c->out, r->line, r->len);
	c->n++;
	c->last = r->seq;
	return 0;
}

/* Parse the query string into q; -1 with e filled. */
static int
api_audit_query(struct hreq *h, struct evkeyvalq *kv, struct audit_query *q,
    size_t *limit, struct errdoc *e)
{
	const char	*v, *qs;
	char		*end;
	unsigned long long n;

	memset(q, 0, sizeof(*q));
	*limit = AUDIT_API_LIMIT;
	qs = evhttp_uri_get_query(evhttp_request_get_evhttp_uri(h->req));
	if (qs != NULL && evhttp_parse_query_str(qs, kv) == -1)
		goto bad;
	if ((v = evhttp_find_header(kv, "case")) != NULL) {
		if (strlen(v) == 0 || strlen(v) > APP_ID_MAX ||
		    strspn(v, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstu"
		    "vwxyz0123456789._-") != strlen(v))
			goto bad;
		q->case_id = v;
	}
	if ((v = evhttp_find_header(kv, "from")) != NULL &&
	    app_parse_datetime(v, &q->from) == -1)
		goto bad;
	if ((v = evhttp_find_header(kv, "to")) != NULL &&
	    app_parse_datetime(v, &q->to) == -1)
		goto bad;
	if ((v = evhttp_find_header(kv, "after")) != NULL) {
		n = strtoull(v, &end, 10);
		if (*v < '0' || *v > '9' || *end != '\0')
			goto bad;
		q->after = n;
	}
	if ((v = evhttp_find_header(kv, "limit")) != NULL) {
		n = strtoull(v, &end, 10);
		if (*v < '1' || *v > '9' || *end != '\0' ||
		    n > AUDIT_API_LIMIT_MAX)
			goto bad;
		*limit = (size_t)n;
	}
	return 0;
 bad:
	errdoc_set(e, 400, ERR_QUERY, "query: case=ID, from= and to= (RFC "
	    "3339 with offset), after=SEQ, limit=1..%d", AUDIT_API_LIMIT_MAX);
	return -1;
}

void
api_audit_get(struct hreq *h)
{
	struct evkeyvalq	 kv;
	struct audit_query	 q;
	struct audit_collect	 c;
	struct audit_scan	 s;
	struct errdoc		 e;
	char			 path[4200], next[32];

	TAILQ_INIT(&kv);
	memset(&c, 0, sizeof(c));
	if (api_audit_query(h, &kv, &q, &c.limit, &e) == -1) {
		http_reply_error(h, &e);
		goto out;
	}
	c.q = &q;
	snprintf(path, sizeof(path), "%s/" AUDIT_TRAIL, h->core->state_dir);
	/* Only what is durable: past it a batch is being written, not yet
	 * anything to rely on (a crash could still cut it). */
	if (audit_scan_file_upto(path, audit_writer_durable(h->core->writer),
	    NULL, 0, api_audit_visit, &c, &s) == -1 && !c.more) {
		errdoc_set(&e, 500, ERR_INTERNAL, "the trail cannot be read: "
		    "%s", s.error);
		http_reply_error(h, &e);
		goto out;
	}
	if (c.out.oom) {
		errdoc_set(&e, 500, ERR_INTERNAL, "out of memory");
		http_reply_error(h, &e);
		goto out;
	}
	if (c.more) {
		snprintf(next, sizeof(next), "%llu",
		    (unsigned long long)c.last);
		http_header(h, "X-Audit-Next-After", next);
	}
	http_reply_text(h, 200, c.out.p ? c.out.p : "", c.out.len);
 out:
	abuf_free(&c.out);
	evhttp_clear_headers(&kv);
}
