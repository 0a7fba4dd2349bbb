/*
 * queue.c: the caseworkers' queue, a view over the audit trail
 * (docs/caseworker-api.md).
 *
 * Items are made and changed only here, from records — at start-up by
 * replay and afterwards from each record once it is durable (the API
 * reads its own record back and replays it) — so the queue after a
 * restart is exactly the queue before it. Claim expiry and the
 * preferred caseworker's head start are not records: they follow from
 * the record times and the clock whenever the queue is read.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/http.h>

#include "application.h"
#include "audit.h"
#include "view.h"

/* The record's TIME as epoch seconds. */
static int64_t
queue_rtime(const struct audit_record *r)
{
	char	t[AUDIT_TIME_LEN + 1];
	int64_t	when = 0;

	memcpy(t, r->time, AUDIT_TIME_LEN);
	t[AUDIT_TIME_LEN] = '\0';
	(void)app_parse_datetime(t, &when);
	return when;
}

/* The CN of an ACTOR "caseworker:CN" (CN percent-encoded). */
static int
queue_actor_cn(const struct audit_record *r, char *cn, size_t len)
{
	const char	*colon;
	char		*enc, *dec;
	size_t		 n;

	colon = memchr(r->actor, ':', r->actor_len);
	if (colon == NULL || (size_t)(colon - r->actor) != 10 ||
	    memcmp(r->actor, "caseworker", 10) != 0)
		return -1;
	if ((enc = strndup(colon + 1, r->actor_len - 11)) == NULL)
		return -1;
	dec = evhttp_uridecode(enc, 0, &n);
	free(enc);
	if (dec == NULL || n == 0 || n >= len) {
		free(dec);
		return -1;
	}
	memcpy(cn, dec, n + 1);
	free(dec);
	return 0;
}

static int
queue_time_field(const struct audit_record *r, const char *key, int64_t *out)
{
	char t[40];

	return audit_get(r, key, t, sizeof(t)) == -1 ? -1 :
	    app_parse_datetime(t, out);
}

/* The record's comma-separated reason codes as indices, in order, one
 * byte each instead of the text (a queue holds 100 000s of items).
 * 1 when a code is not known here (*n is then 0). */
static int
queue_parse_reasons(const char *list, uint8_t reason[DECISION_NREASONS],
    uint8_t *nr)
{
	const char	*p = list;
	char		 code[64];
	size_t		 n, i;
	int		 k;

	*nr = 0;
	while (*p != '\0') {
		n = strcspn(p, ",");
		if (n >= sizeof(code))
			goto other;
		memcpy(code, p, n);
		code[n] = '\0';
		if ((k = decision_reason_index(code)) < 0)
			goto other;
		for (i = 0; i < *nr && reason[i] != k; i++)
			;
		if (i == *nr)		/* each code once */
			reason[(*nr)++] = (uint8_t)k;
		p += n;
		if (*p == ',')
			p++;
	}
	return 0;
 other:
	*nr = 0;
	return 1;
}

const char *
queue_other(const struct q_item *q)
{
	return q->has_other ? (const char *)q->reason : NULL;
}

void
queue_reasons_text(const struct q_item *q, char *out, size_t len)
{
	size_t	 used = 0;
	int	 i, w;

	if (len == 0)
		return;
	out[0] = '\0';
	if (q->has_other || q->kind == Q_FOLLOW_UP) {
		snprintf(out, len, "%s", q->has_other ? queue_other(q) :
		    "LONG_TERM");
		return;
	}
	for (i = 0; i < q->nreasons; i++) {
		w = snprintf(out + used, len - used, "%s%s", i ? " " : "",
		    decision_reason_code(q->reason[i]));
		if (w < 0 || (size_t)w >= len - used) {
			out[used] = '\0';	/* whole codes only */
			return;
		}
		used += (size_t)w;
	}
}

/* Into the open items. */
static int
queue_add(struct view *v, struct q_item *q)
{
	struct view_queue	*vq = &v->queue;
	struct q_item		**ni;
	size_t			  cap;

	if (vq->n == vq->cap) {
		cap = vq->cap ? vq->cap * 2 : 64;
		if (cap > UINT32_MAX ||
		    (ni = realloc(vq->items, cap * sizeof(*ni))) == NULL)
			return -1;
		vq->items = ni;
		vq->cap = cap;
	}
	q->qidx = (uint32_t)vq->n;
	vq->items[vq->n++] = q;
	return 0;
}

void
queue_remove(struct view *v, struct q_item *q)
{
	struct view_queue *vq = &v->queue;

	/* The last item takes its place: order is queue_list's job. */
	vq->items[q->qidx] = vq->items[--vq->n];
	vq->items[q->qidx]->qidx = q->qidx;
}

/* An evaluated record: a routed case, or a grant with a follow-up. */
static int
queue_from_evaluated(struct view *v, struct view_app *a,
    const struct audit_record *r)
{
	struct q_item	*q;
	char		 outcome[16], prio[16], reasons[256];
	char		 app[AUDIT_PSEUDO_LEN], partner[AUDIT_PSEUDO_LEN];
	uint8_t		 reason[DECISION_NREASONS], nr = 0;
	uint64_t	 received;
	int64_t		 due;
	size_t		 olen = 0, i;
	int		 kind;

	if (audit_get(r, "outcome", outcome, sizeof(outcome)) == -1 ||
	    audit_get_u64(r, "received_at", &received) == -1)
		return -1;
	if (strcmp(outcome, "routed") == 0) {
		if (audit_get(r, "priority", prio, sizeof(prio)) == -1 ||
		    queue_time_field(r, "due", &due) == -1 ||
		    audit_get(r, "reasons", reasons, sizeof(reasons)) == -1)
			return -1;
	} else if (queue_time_field(r, "follow_up_due", &due) == 0)
		snprintf(prio, sizeof(prio), "normal");
	else
		return 0;		/* a plain grant: not in the queue */
	kind = strcmp(outcome, "routed") == 0 ? Q_CASE : Q_FOLLOW_UP;
	/* Not ours to judge here: an unknown code keeps the list shown as
	 * recorded, commas as spaces. */
	if (kind == Q_CASE && queue_parse_reasons(reasons, reason, &nr) == 1)
		olen = strlen(reasons);
	if (a->item != NULL || (q = calloc(1, offsetof(struct q_item, reason) +
	    (olen > 0 ? olen + 1 : nr))) == NULL)
		return -1;
	q->app = a;
	q->kind = kind;
	q->urgent = strcmp(prio, "urgent") == 0;
	q->nreasons = nr;
	memcpy(q->reason, reason, nr);
	q->has_other = olen > 0;
	for (i = 0; i < olen; i++)
		q->reason[i] = (uint8_t)(reasons[i] == ',' ? ' ' : reasons[i]);
	q->received = (int64_t)received;
	q->due = due;
	view_app_persons(a, app, partner);
	if ((q->kind == Q_CASE && view_intern_id(v, view_preferred(v, app,
	    partner), &q->preferred) == -1) || queue_add(v, q) == -1) {
		free(q);
		return -1;
	}
	a->item = q;
	return 0;
}

/* Out of the queue; the item stays with its application (the case
 * document shows it as decided or completed). */
static void
queue_close(struct view *v, struct view_app *a, int how)
{
	queue_remove(v, a->item);
	a->item->closed = (uint8_t)how;
	a->item->holder = 0;
}

int
queue_replay(struct view *v, struct view_app *a, const struct audit_record *r)
{
	struct q_item	*q = a->item;
	char		 cn[65], to[65], outcome[16];

	if (audit_is(r, "evaluated"))
		return queue_from_evaluated(v, a, r);
	if (queue_actor_cn(r, cn, sizeof(cn)) == -1)
		return -1;
	if (q == NULL || q->closed)
		return 1;
	if (audit_is(r, "claimed")) {
		if (view_intern_id(v, cn, &q->holder) == -1)
			return -1;
		q->claimed_at = queue_rtime(r);
	} else if (audit_is(r, "released")) {
		q->holder = 0;
		q->claimed_at = 0;
	} else if (audit_is(r, "assigned")) {
		if (audit_get(r, "to", to, sizeof(to)) == -1)
			return -1;
		if (view_intern_id(v, to, &q->holder) == -1)
			return -1;
		q->claimed_at = queue_rtime(r);
	} else if (audit_is(r, "decided")) {
		if (audit_get(r, "outcome", outcome, sizeof(outcome)) == -1)
			return -1;
		if (q->kind != Q_CASE)
			return 1;
		/* The caseworker's decision is the current one now. */
		a->eval_off = r->offset;
		a->eval_len = (uint32_t)r->len;
		a->decided = 1;
		a->granted = strcmp(outcome, "denied") != 0;
		if ((a->granted && view_grant_month(v, a) == -1) ||
		    view_set_caseworker(v, a, cn) == -1)
			return -1;
		queue_close(v, a, 1);
	} else if (audit_is(r, "completed")) {
		if (q->kind != Q_FOLLOW_UP)
			return 1;
		a->completed = 1;
		queue_close(v, a, 2);
	} else
		return -1;
	return 0;
}

const char *
queue_holder(const struct view *v, const struct q_item *q, int64_t now,
    int idle_minutes)
{
	if (q->holder == 0 ||
	    now >= q->claimed_at + (int64_t)idle_minutes * 60)
		return "";
	return view_cn(v, q->holder);
}

const char *
queue_preferred(const struct view *v, const struct q_item *q)
{
	return view_cn(v, q->preferred);
}

int
queue_reserved(const struct q_item *q, int64_t now)
{
	/* Offered first to the preferred caseworker, for the first half
	 * of the time from receipt to due; then to anyone. */
	return q->preferred != 0 &&
	    now < q->received + (q->due - q->received) / 2;
}

static int
queue_order(const void *pa, const void *pb)
{
	const struct q_item *a = *(struct q_item *const *)pa;
	const struct q_item *b = *(struct q_item *const *)pb;

	if (a->urgent != b->urgent)
		return b->urgent - a->urgent;
	if (a->due != b->due)
		return a->due < b->due ? -1 : 1;
	if (a->received != b->received)
		return a->received < b->received ? -1 : 1;
	return strcmp(a->app->id, b->app->id);
}

/* Sift-down in a max-heap by queue order (the root is the item that
 * comes last among those kept). */
static void
queue_sift(struct q_item **h, size_t n, size_t i)
{
	struct q_item	*t;
	size_t		 c;

	for (; (c = 2 * i + 1) < n; i = c) {
		if (c + 1 < n && queue_order(&h[c + 1], &h[c]) > 0)
			c++;
		if (queue_order(&h[c], &h[i]) <= 0)
			break;
		t = h[i];
		h[i] = h[c];
		h[c] = t;
	}
}

int
queue_list(struct view *v, const struct queue_filter *f, int64_t now,
    int idle_minutes, size_t limit, struct q_item ***out, size_t *n,
    size_t *total)
{
	struct q_item	**heap, *q;
	const char	 *holder;
	size_t		  i, k = 0, matched = 0;

	*out = NULL;
	*n = *total = 0;
	if (v->queue.n == 0 || limit == 0)
		return 0;
	if (limit > v->queue.n)
		limit = v->queue.n;
	if ((heap = malloc(limit * sizeof(*heap))) == NULL)
		return -1;
	/* Only the first `limit` in queue order are kept: a bounded heap
	 * makes a page of a 100 000-item queue O(n log limit), not a sort
	 * of everything. */
	for (i = 0; i < v->queue.n; i++) {
		q = v->queue.items[i];
		holder = queue_holder(v, q, now, idle_minutes);
		if ((f->state == 1 && holder[0] != '\0') ||
		    (f->state == 2 && holder[0] == '\0') ||
		    (f->priority == 1 && !q->urgent) ||
		    (f->priority == 2 && q->urgent) ||
		    (f->kind == 1 && q->kind != Q_CASE) ||
		    (f->kind == 2 && q->kind != Q_FOLLOW_UP) ||
		    (f->overdue && now <= q->due) ||
		    (f->assignee != NULL && strcmp(holder, f->assignee) != 0))
			continue;
		matched++;
		if (k < limit) {
			heap[k++] = q;
			if (k == limit) {
				size_t j;

				for (j = limit / 2; j-- > 0;)
					queue_sift(heap, limit, j);
			}
		} else if (queue_order(&q, &heap[0]) < 0) {
			heap[0] = q;
			queue_sift(heap, limit, 0);
		}
	}
	qsort(heap, k, sizeof(*heap), queue_order);
	*out = heap;
	*n = k;
	*total = matched;
	return 0;
}
