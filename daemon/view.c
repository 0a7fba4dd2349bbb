/*
 * view.c: the views over the audit trail (see view.h).
 *
 * Replay and live updates go through the same functions (view_pending,
 * view_commit), so the state after a restart is exactly the state
 * before it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


#include "audit.h"
#include "view.h"

struct view_person {
	char	 key[AUDIT_PSEUDO_LEN];
	int	*months;		/* ascending, unique */
	size_t	 n, cap;
	const char *caseworker;		/* who decided its last case
					   (interned), or NULL */
};

struct view_wait {
	struct view_app		*app;
	struct view_waiter	*list;
};

struct view_ruleset {
	char	 key[AUDIT_HEX];
};

uint64_t
view_actor_hash(const char *actor)
{
	unsigned char	md[32];
	uint64_t	h;

	audit_sha256(actor, strlen(actor), md);
	memcpy(&h, md, sizeof(h));
	return h;
}

/* An interned name: its number, for the map's lookups by name. */
struct view_cn {
	uint32_t	 id;
	char		 s[];
};

int
view_intern_id(struct view *v, const char *s, uint32_t *id)
{
	struct view_cn	 *c;
	const char	**nl;
	size_t		  len = strlen(s), cap;

	*id = 0;
	if (len == 0)
		return 0;
	v->cns.keyoff = offsetof(struct view_cn, s);	/* zeroed view */
	if ((c = map_get(&v->cns, s)) != NULL) {
		*id = c->id;
		return 0;
	}
	if (v->ncn == v->capcn) {
		cap = v->capcn ? v->capcn * 2 : 16;
		if (cap > UINT32_MAX ||
		    (nl = realloc(v->cn, cap * sizeof(*nl))) == NULL)
			return -1;
		v->cn = nl;
		v->capcn = cap;
	}
	if ((c = malloc(offsetof(struct view_cn, s) + len + 1)) == NULL)
		return -1;
	memcpy(c->s, s, len + 1);
	c->id = (uint32_t)v->ncn + 1;
	if (map_put(&v->cns, c) == -1) {
		free(c);
		return -1;
	}
	v->cn[v->ncn++] = c->s;
	*id = c->id;
	return 0;
}

const char *
view_cn(const struct view *v, uint32_t id)
{
	return id == 0 ? "" : v->cn[id - 1];
}

const char *
view_intern(struct view *v, const char *s)
{
	uint32_t id;

	return view_intern_id(v, s, &id) == -1 ? NULL : view_cn(v, id);
}

struct view_app *
view_app(struct view *v, const char *id)
{
	return map_get(&v->apps, id);
}

/* A pseudonym's 32 hex digits (lowercase, as audit_pseudonym writes
 * them) as its 16 bytes; -1 for anything else. */
static int
view_pseudo_bin(const char *hex, unsigned char bin[16])
{
	int i, hi, lo;

	for (i = 0; i < 16; i++) {
		if ((hex[2 * i] >= 'A' && hex[2 * i] <= 'F') ||
		    (hi = audit_hexval((unsigned char)hex[2 * i])) < 0 ||
		    (hex[2 * i + 1] >= 'A' && hex[2 * i + 1] <= 'F') ||
		    (lo = audit_hexval((unsigned char)hex[2 * i + 1])) < 0)
			return -1;
		bin[i] = (unsigned char)(hi << 4 | lo);
	}
	return hex[32] == '\0' ? 0 : -1;
}

void
view_app_persons(const struct view_app *a, char applicant[AUDIT_PSEUDO_LEN],
    char partner[AUDIT_PSEUDO_LEN])
{
	audit_hex(a->applicant, 16, applicant);
	if (a->has_partner)
		audit_hex(a->partner, 16, partner);
	else
		partner[0] = '\0';
}

const struct view_event *
view_events(const struct view_app *a)
{
	return a->nevents > 2 ? a->ev.heap : a->ev.in;
}

/* --- applications per applicant and period (view.h) -------------- */

#define VP_COUNT	((1ULL << 20) - 1)
#define VP_EMPTY	0

/* The fingerprint of (pseudonym, period), in the slot's top 44 bits:
 * FNV-1a over the bytes, then a finalizer so that the low bits (the
 * slot index) depend on every input bit. Never 0, so a slot with
 * count 0 is still told apart from an empty one. */
static uint64_t
view_period_fp(const unsigned char pseudo[16], int period)
{
	uint64_t	h = 1469598103934665603ULL;
	uint32_t	p = (uint32_t)period;
	int		i;

	for (i = 0; i < 16; i++) {
		h ^= pseudo[i];
		h *= 1099511628211ULL;
	}
	for (i = 0; i < 4; i++, p >>= 8) {
		h ^= p & 0xff;
		h *= 1099511628211ULL;
	}
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	h &= ~VP_COUNT;
	return h == 0 ? VP_COUNT + 1 : h;
}

/* The live slot of fp, or NULL. */
static uint64_t *
view_period_find(const struct view_periods *t, uint64_t fp)
{
	size_t i;

	if (t->cap == 0)
		return NULL;
	for (i = (fp >> 20) & (t->cap - 1);; i = (i + 1) & (t->cap - 1)) {
		if (t->slots[i] == VP_EMPTY)
			return NULL;
		if ((t->slots[i] & ~VP_COUNT) == fp &&
		    (t->slots[i] & VP_COUNT) != 0)
			return &t->slots[i];
	}
}

/* Grown (or rebuilt without the deleted slots) at 70 % use, as map.c. */
static int
view_period_grow(struct view_periods *t)
{
	uint64_t	*old = t->slots;
	size_t		 oldcap = t->cap, cap, i, j;

	cap = oldcap ? (t->n * 2 >= oldcap ? oldcap * 2 : oldcap) : 64;
	if ((t->slots = calloc(cap, sizeof(*t->slots))) == NULL) {
		t->slots = old;
		return -1;
	}
	t->cap = cap;
	t->used = t->n;
	for (i = 0; i < oldcap; i++) {
		if ((old[i] & VP_COUNT) == 0)
			continue;
		for (j = (old[i] >> 20) & (cap - 1); t->slots[j] != VP_EMPTY;
		    j = (j + 1) & (cap - 1))
			;
		t->slots[j] = old[i];
	}
	free(old);
	return 0;
}

static int
view_period_add(struct view *v, const unsigned char pseudo[16], int period,
    int delta)
{
	struct view_periods	*t = &v->periods;
	uint64_t		 fp = view_period_fp(pseudo, period), *s;
	size_t			 i;

	if ((s = view_period_find(t, fp)) != NULL) {
		if (delta > 0 && (*s & VP_COUNT) == VP_COUNT)
			return -1;	/* a million for one month: refused */
		*s = delta > 0 ? *s + 1 : *s - 1;
		if ((*s & VP_COUNT) == 0)
			t->n--;		/* the slot stays as deleted */
		return 0;
	}
	if (delta < 0)
		return 0;
	if ((t->used + 1) * 10 >= t->cap * 7 && view_period_grow(t) == -1)
		return -1;
	for (i = (fp >> 20) & (t->cap - 1); (t->slots[i] & VP_COUNT) != 0;
	    i = (i + 1) & (t->cap - 1))
		;
	if (t->slots[i] == VP_EMPTY)
		t->used++;
	t->slots[i] = fp | 1;
	t->n++;
	return 0;
}

int
view_duplicate(struct view *v, const char *applicant, int period)
{
	unsigned char bin[16];

	return view_pseudo_bin(applicant, bin) == 0 &&
	    view_period_find(&v->periods, view_period_fp(bin, period)) != NULL;
}

static struct view_person *
view_person(struct view *v, const char *pseudo)
{
	struct view_person *p;

	if ((p = map_get(&v->persons, pseudo)) != NULL)
		return p;
	if ((p = calloc(1, sizeof(*p))) == NULL)
		return NULL;
	snprintf(p->key, sizeof(p->key), "%s", pseudo);
	if (map_put(&v->persons, p) == -1) {
		free(p);
		return NULL;
	}
	return p;
}

/* Add a granted month to a person's history. */
static int
view_month_add(struct view *v, const char *pseudo, int month)
{
	struct view_person	*p;
	size_t			 i;
	int			*nm;

	if (pseudo[0] == '\0')
		return 0;
	if ((p = view_person(v, pseudo)) == NULL)
		return -1;
	for (i = p->n; i > 0 && p->months[i - 1] > month; i--)
		;
	if (i > 0 && p->months[i - 1] == month)
		return 0;
	if (p->n == p->cap) {
		if ((nm = realloc(p->months, (p->cap ? p->cap * 2 : 8) *
		    sizeof(*nm))) == NULL)
			return -1;
		p->months = nm;
		p->cap = p->cap ? p->cap * 2 : 8;
	}
	memmove(p->months + i + 1, p->months + i, (p->n - i) *
	    sizeof(*p->months));
	p->months[i] = month;
	p->n++;
	return 0;
}

int
view_history(struct view *v, const char *applicant, const char *partner,
    int period, int **months, size_t *n)
{
	struct view_person	*a, *b;
	size_t			 i = 0, j = 0, na, nb, k = 0;
	int			*out, m;

	a = map_get(&v->persons, applicant);
	b = partner[0] ? map_get(&v->persons, partner) : NULL;
	na = a ? a->n : 0;
	nb = b ? b->n : 0;
	*months = NULL;
	*n = 0;
	if (na + nb == 0)
		return 0;
	if ((out = malloc((na + nb) * sizeof(*out))) == NULL)
		return -1;
	while (i < na || j < nb) {
		if (j == nb || (i < na && a->months[i] <= b->months[j]))
			m = a->months[i++];
		else
			m = b->months[j++];
		if (m < period && (k == 0 || out[k - 1] != m))
			out[k++] = m;
	}
	*months = out;
	*n = k;
	return 0;
}

int
view_has_ruleset(struct view *v, const char *hash)
{
	return map_get(&v->rulesets, hash) != NULL;
}

int
view_add_ruleset(struct view *v, const char *hash)
{
	struct view_ruleset *r;

	if (view_has_ruleset(v, hash))
		return 0;
	if ((r = calloc(1, sizeof(*r))) == NULL)
		return -1;
	snprintf(r->key, sizeof(r->key), "%s", hash);
	if (map_put(&v->rulesets, r) == -1) {
		free(r);
		return -1;
	}
	return 0;
}

struct view_app *
view_pending(struct view *v, const char *id, const unsigned char sha[32],
    uint64_t submitter, const char *applicant, const char *partner,
    int period)
{
	struct view_app *a;
	size_t		 idlen = strlen(id);

	if (idlen == 0 || idlen > 64 ||
	    (a = calloc(1, offsetof(struct view_app, id) + idlen + 1)) == NULL)
		return NULL;
	memcpy(a->id, id, idlen + 1);
	memcpy(a->sha, sha, 32);
	a->submitter = submitter;
	a->period = period;
	a->pending = 1;
	a->has_partner = partner[0] != '\0';
	if (view_pseudo_bin(applicant, a->applicant) == -1 ||
	    (a->has_partner && view_pseudo_bin(partner, a->partner) == -1)) {
		free(a);
		return NULL;
	}
	/* The apps map finds an id inside its view_app (a zeroed view
	 * starts with offset 0). */
	v->apps.keyoff = offsetof(struct view_app, id);
	if (map_put(&v->apps, a) == -1) {
		free(a);
		return NULL;
	}
	if (view_period_add(v, a->applicant, period, 1) == -1) {
		map_del(&v->apps, a->id);
		free(a);
		return NULL;
	}
	return a;
}

/* A caseworker decided a case of this household: they are its
 * preferred caseworker from now on. */
int
view_set_caseworker(struct view *v, struct view_app *a, const char *cn)
{
	struct view_person	*p;
	char			 who[2][AUDIT_PSEUDO_LEN];
	int			 i;

	view_app_persons(a, who[0], who[1]);
	for (i = 0; i < 2; i++) {
		if (who[i][0] == '\0')
			continue;
		if ((p = view_person(v, who[i])) == NULL)
			return -1;
		if ((p->caseworker = view_intern(v, cn)) == NULL)
			return -1;
	}
	return 0;
}

const char *
view_preferred(struct view *v, const char *applicant, const char *partner)
{
	struct view_person *p;

	if ((p = map_get(&v->persons, applicant)) != NULL &&
	    p->caseworker != NULL)
		return p->caseworker;
	if (partner[0] != '\0' && (p = map_get(&v->persons, partner)) !=
	    NULL && p->caseworker != NULL)
		return p->caseworker;
	return "";
}

int
view_grant_month(struct view *v, struct view_app *a)
{
	char app[AUDIT_PSEUDO_LEN], partner[AUDIT_PSEUDO_LEN];

	view_app_persons(a, app, partner);
	if (view_month_add(v, app, a->period) == -1 ||
	    view_month_add(v, partner, a->period) == -1)
		return -1;
	return 0;
}

int
view_event_add(struct view_app *a, off_t off, uint32_t len)
{
	struct view_event	*ne;
	uint32_t		 n = a->nevents;

	/* The capacity is not stored: two inside, then on the heap
	 * doubled from 4 whenever the count reaches a power of two. */
	if (n == 2) {
		if ((ne = malloc(4 * sizeof(*ne))) == NULL)
			return -1;
		memcpy(ne, a->ev.in, sizeof(a->ev.in));
		a->ev.heap = ne;
	} else if (n > 2 && (n & (n - 1)) == 0) {
		if (n > UINT32_MAX / 2 ||
		    (ne = realloc(a->ev.heap, 2 * (size_t)n * sizeof(*ne))) ==
		    NULL)
			return -1;
		a->ev.heap = ne;
	}
	ne = n >= 2 ? a->ev.heap : a->ev.in;
	ne[n].off = off;
	ne[n].len = len;
	a->nevents++;
	return 0;
}

static struct view_wait *
view_wait_find(struct view *v, const struct view_app *a)
{
	size_t i;

	for (i = 0; a->waited && i < v->nwaits; i++)
		if (v->waits[i].app == a)
			return &v->waits[i];
	return NULL;
}

struct view_waiter **
view_waiters(struct view *v, struct view_app *a)
{
	struct view_wait	*w;
	size_t			 cap;

	if ((w = view_wait_find(v, a)) != NULL)
		return &w->list;
	if (v->nwaits == v->capwaits) {
		cap = v->capwaits ? v->capwaits * 2 : 8;
		if ((w = realloc(v->waits, cap * sizeof(*w))) == NULL)
			return NULL;
		v->waits = w;
		v->capwaits = cap;
	}
	w = &v->waits[v->nwaits++];
	w->app = a;
	w->list = NULL;
	a->waited = 1;
	return &w->list;
}

struct view_waiter *
view_waiters_take(struct view *v, struct view_app *a)
{
	struct view_wait	*w = view_wait_find(v, a);
	struct view_waiter	*list;

	if (w == NULL)
		return NULL;
	list = w->list;
	*w = v->waits[--v->nwaits];
	a->waited = 0;
	return list;
}

int
view_commit(struct view *v, struct view_app *a, int granted, off_t off,
    uint32_t len)
{
	a->pending = 0;
	a->granted = granted;
	a->eval_off = off;
	a->eval_len = len;
	/* A grant is a month with försörjningsstöd for the household. */
	if (granted && view_grant_month(v, a) == -1)
		return -1;
	return 0;
}

static void
view_app_free(void *p)
{
	struct view_app *a = p;

	free(a->item);
	if (a->nevents > 2)
		free(a->ev.heap);
	free(a);
}

void
view_abort(struct view *v, struct view_app *a)
{
	(void)view_waiters_take(v, a);	/* the caller's, if any */
	view_period_add(v, a->applicant, a->period, -1);
	if (a->item != NULL && !a->item->closed)
		queue_remove(v, a->item);
	map_del(&v->apps, a->id);
	view_app_free(a);
}

size_t
view_drop_pending(struct view *v)
{
	struct view_app	*a;
	size_t		 i, n = 0;

	/* Deleting never moves entries (map_at), so the walk over the
	 * slots stays valid. */
	for (i = 0; i < v->apps.cap; i++) {
		if ((a = map_at(&v->apps, i)) == NULL)
			continue;
		if (a->pending) {
			view_abort(v, a);
			n++;
		}
	}
	return n;
}

/* --- replay ------------------------------------------------------ */

/* The SHA-256 of the application from its 64 hex digits: pairs of
 * ASCII hex digits (all the writer makes) directly, instead of 32
 * sscanf calls a record; anything else still through sscanf("%2x"),
 * so odd values decode as they always did. */
static int
view_sha_bin(const char *sha, unsigned char bin[32])
{
	unsigned int	byte;
	int		i, hi, lo;

	for (i = 0; i < 32; i++) {
		hi = audit_hexval((unsigned char)sha[2 * i]);
		lo = audit_hexval((unsigned char)sha[2 * i + 1]);
		if (hi >= 0 && lo >= 0) {
			bin[i] = (unsigned char)(hi << 4 | lo);
			continue;
		}
		if (sscanf(sha + 2 * i, "%2x", &byte) != 1)
			return -1;
		bin[i] = (unsigned char)byte;
	}
	return 0;
}

/* YYYY-MM as year and month: digits by hand (the writer's shape), any
 * other text through sscanf("%4d-%2d") as before. */
static int
view_period_of(const char *period, int *y, int *m)
{
	const char *p = period;

	if (strlen(p) == 7 && p[4] == '-' &&
	    p[0] >= '0' && p[0] <= '9' && p[1] >= '0' && p[1] <= '9' &&
	    p[2] >= '0' && p[2] <= '9' && p[3] >= '0' && p[3] <= '9' &&
	    p[5] >= '0' && p[5] <= '9' && p[6] >= '0' && p[6] <= '9') {
		*y = (p[0] - '0') * 1000 + (p[1] - '0') * 100 +
		    (p[2] - '0') * 10 + (p[3] - '0');
		*m = (p[5] - '0') * 10 + (p[6] - '0');
		return 0;
	}
	return sscanf(period, "%4d-%2d", y, m) == 2 ? 0 : -1;
}

/*
 * view_actor_hash of a received record's actor. A trail has a handful
 * of e-services submitting hundreds of thousands of applications, and
 * a SHA-256 per record was ~0.3 µs of replay: remember the last few.
 * Per thread, since views on different threads may replay at once.
 */
#define VIEW_ACTORS	8

static uint64_t
view_actor_hash_cached(const char *actor, size_t len)
{
	static _Thread_local struct {
		size_t		 len;
		char		 s[200];
		uint64_t	 h;
	}			 c[VIEW_ACTORS];
	static _Thread_local unsigned	 next;
	unsigned		 i;

	for (i = 0; i < VIEW_ACTORS; i++)
		if (c[i].len == len && len > 0 && memcmp(c[i].s, actor, len) ==
		    0)
			return c[i].h;
	i = next++ % VIEW_ACTORS;
	if (len >= sizeof(c[i].s))
		return view_actor_hash(actor);
	memcpy(c[i].s, actor, len);
	c[i].len = len;
	c[i].h = view_actor_hash(actor);
	return c[i].h;
}

static int
view_replay_received(struct view *v, const struct audit_record *r)
{
	char		 id[65], sha[AUDIT_HEX], app[AUDIT_PSEUDO_LEN];
	char		 partner[AUDIT_PSEUDO_LEN] = "", period[8], actor[200];
	unsigned char	 bin[32];
	struct view_app	*a;
	int		 y, m;

	if (audit_get(r, "id", id, sizeof(id)) == -1 ||
	    audit_get(r, "sha256", sha, sizeof(sha)) == -1 ||
	    strlen(sha) != 64 ||
	    audit_get(r, "applicant", app, sizeof(app)) == -1 ||
	    audit_get(r, "period", period, sizeof(period)) == -1 ||
	    view_period_of(period, &y, &m) == -1 ||
	    r->actor_len >= sizeof(actor))
		return -1;
	(void)audit_get(r, "partner", partner, sizeof(partner));
	if (view_sha_bin(sha, bin) == -1)
		return -1;
	memcpy(actor, r->actor, r->actor_len);
	actor[r->actor_len] = '\0';
	/* An id received again is only right after a crash cut its first
	 * job in half (received without evaluated); anything else would be
	 * a writer bug, and replay refuses to guess. */
	if ((a = view_app(v, id)) != NULL) {
		if (!a->pending)
			return -1;
		view_abort(v, a);
	}
	if ((a = view_pending(v, id, bin, view_actor_hash_cached(actor,
	    r->actor_len), app, partner, y * 12 + m - 1)) == NULL)
		return -1;
	return view_event_add(a, r->offset, (uint32_t)r->len);
}

static int
view_replay_evaluated(struct view *v, const struct audit_record *r)
{
	struct view_app	*a;
	char		 id[65], outcome[16];

	if (audit_get(r, "id", id, sizeof(id)) == -1 ||
	    audit_get(r, "outcome", outcome, sizeof(outcome)) == -1 ||
	    (a = view_app(v, id)) == NULL || !a->pending)
		return -1;
	if (view_commit(v, a, strcmp(outcome, "granted") == 0, r->offset,
	    (uint32_t)r->len) == -1 ||
	    view_event_add(a, r->offset, (uint32_t)r->len) == -1)
		return -1;
	return queue_replay(v, a, r);
}

/* claimed, released, assigned, decided, completed. */
static int
view_replay_case(struct view *v, const struct audit_record *r)
{
	struct view_app	*a;
	char		 id[65];

	int		 rc;

	if (audit_get(r, "id", id, sizeof(id)) == -1 ||
	    (a = view_app(v, id)) == NULL || a->pending ||
	    (rc = queue_replay(v, a, r)) == -1)
		return -1;
	if (rc == 1)
		v->ignored++;
	return view_event_add(a, r->offset, (uint32_t)r->len);
}

int
view_replay(const struct audit_record *r, void *arg)
{
	struct view	*v = arg;
	char		 hash[AUDIT_HEX];

	v->records++;
	if (audit_is(r, "received"))
		return view_replay_received(v, r);
	if (audit_is(r, "evaluated"))
		return view_replay_evaluated(v, r);
	if (audit_is(r, "claimed") || audit_is(r, "released") ||
	    audit_is(r, "assigned") || audit_is(r, "decided") ||
	    audit_is(r, "completed"))
		return view_replay_case(v, r);
	if (audit_is(r, "ruleset")) {
		if (audit_get(r, "hash", hash, sizeof(hash)) == -1)
			return -1;
		return view_add_ruleset(v, hash);
	}
	return 0;
}

static void
view_person_free(void *p)
{
	struct view_person *vp = p;

	free(vp->months);
	free(vp);
}

void
view_free(struct view *v)
{
	free(v->waits);
	v->waits = NULL;
	v->nwaits = v->capwaits = 0;
	free(v->queue.items);		/* the items belong to their apps */
	memset(&v->queue, 0, sizeof(v->queue));
	map_clear(&v->apps, view_app_free);
	map_clear(&v->persons, view_person_free);
	free(v->periods.slots);
	memset(&v->periods, 0, sizeof(v->periods));
	map_clear(&v->rulesets, free);
	map_clear(&v->cns, free);
	free(v->cn);
	v->cn = NULL;
	v->ncn = v->capcn = 0;
}
