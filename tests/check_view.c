/*
 * check_view.c: the string map, and the views over the audit trail —
 * pending/commit/abort, duplicate periods, the household history, rule
 * sets, and that replaying a trail the real writer wrote gives exactly
 * the views that were built live while writing it.
 */
#include <check.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>
#include <event2/thread.h>
#include <openssl/sha.h>

#include "audit.h"
#include "map.h"
#include "view.h"

#define RULESET	"5d41402abc4b2a76b9719d911017c592aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define PA	"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define PB	"bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
#define PC	"cccccccccccccccccccccccccccccccc"

/* year*12 + month-1, as the views count months. */
#define M(y, m)	((y) * 12 + (m) - 1)

/* --- map --------------------------------------------------------- */

struct item {
	char	key[24];
	int	val;
};

static struct item *
item_new(const char *key, int val)
{
	struct item *it = calloc(1, sizeof(*it));

	ck_assert_ptr_nonnull(it);
	snprintf(it->key, sizeof(it->key), "%s", key);
	it->val = val;
	return it;
}

static int nfreed;

static void
item_free(void *p)
{
	nfreed++;
	free(p);
}

/* The map's hash (FNV-1a), to find colliding keys. */
static uint64_t
fnv(const char *key)
{
	uint64_t h = 1469598103934665603ULL;

	for (; *key != '\0'; key++) {
		h ^= (unsigned char)*key;
		h *= 1099511628211ULL;
	}
	return h;
}

START_TEST(map_basic)
{
	struct map	 m;
	struct item	*a = item_new("alpha", 1), *b = item_new("beta", 2);
	char		 key[8] = "alpha";

	memset(&m, 0, sizeof(m));
	/* An empty map answers without allocating. */
	ck_assert_ptr_null(map_get(&m, "alpha"));
	ck_assert_ptr_null(map_del(&m, "alpha"));
	ck_assert_ptr_null(m.slots);

	ck_assert_int_eq(map_put(&m, a), 0);
	ck_assert_int_eq(map_put(&m, b), 0);
	ck_assert_uint_eq(m.n, 2);
	ck_assert_uint_eq(m.cap, 64);
	/* Looked up by content, not by pointer. */
	ck_assert_ptr_eq(map_get(&m, key), a);
	ck_assert_ptr_eq(map_get(&m, "beta"), b);
	ck_assert_ptr_null(map_get(&m, "alph"));
	ck_assert_ptr_null(map_get(&m, "alphaa"));
	ck_assert_ptr_null(map_get(&m, ""));
	ck_assert_ptr_eq(map_del(&m, "alpha"), a);
	ck_assert_ptr_null(map_get(&m, "alpha"));
	ck_assert_ptr_null(map_del(&m, "alpha"));
	ck_assert_ptr_eq(map_get(&m, "beta"), b);
	ck_assert_uint_eq(m.n, 1);
	free(a);
	nfreed = 0;
	map_clear(&m, item_free);
	ck_assert_int_eq(nfreed, 1);
	ck_assert_ptr_null(m.slots);
	ck_assert_uint_eq(m.cap, 0);
	ck_assert_uint_eq(m.n, 0);
	ck_assert_uint_eq(m.used, 0);
	ck_assert_ptr_null(map_get(&m, "beta"));
	/* Usable again after a clear; clear without a function. */
	a = item_new("alpha", 1);
	ck_assert_int_eq(map_put(&m, a), 0);
	ck_assert_ptr_eq(map_get(&m, "alpha"), a);
	map_clear(&m, NULL);
	ck_assert_uint_eq(m.n, 0);
	free(a);
}
END_TEST

/* A key further into its value (keyoff), as the apps map's ids. */
struct tail_item {
	int	val;
	char	key[];
};

START_TEST(map_keyoff)
{
	struct map		 m;
	struct tail_item	*t[100];
	char			 key[32];
	int			 i;

	memset(&m, 0, sizeof(m));
	m.keyoff = offsetof(struct tail_item, key);
	for (i = 0; i < 100; i++) {
		snprintf(key, sizeof(key), "k%d", i);
		ck_assert_ptr_nonnull(t[i] = malloc(sizeof(*t[i]) +
		    strlen(key) + 1));
		t[i]->val = i;
		memcpy(t[i]->key, key, strlen(key) + 1);
		ck_assert_int_eq(map_put(&m, t[i]), 0);
	}
	ck_assert_ptr_eq(MAP_KEY(&m, t[7]), t[7]->key);
	ck_assert_ptr_eq(map_get(&m, "k42"), t[42]);
	ck_assert_ptr_eq(map_del(&m, "k42"), t[42]);
	ck_assert_ptr_null(map_get(&m, "k42"));
	ck_assert_ptr_eq(map_get(&m, "k99"), t[99]);
	free(t[42]);
	t[42] = NULL;
	map_clear(&m, free);
	ck_assert_uint_eq(m.keyoff, offsetof(struct tail_item, key));
}
END_TEST

/* Keys that probe from the same slot of a 64-slot table: a deleted one
 * in the middle of the chain must not hide those after it, and its
 * slot is used again. */
START_TEST(map_tombstones)
{
	struct map	 m;
	struct item	*it[4];
	char		 key[24];
	uint64_t	 slot = fnv("k0") & 63;
	int		 i, n = 0;

	memset(&m, 0, sizeof(m));
	for (i = 0; n < 4; i++) {
		snprintf(key, sizeof(key), "k%d", i);
		if ((fnv(key) & 63) == slot)
			it[n++] = item_new(key, i);
	}
	for (i = 0; i < 3; i++)
		ck_assert_int_eq(map_put(&m, it[i]), 0);
	ck_assert_uint_eq(m.cap, 64);
	ck_assert_uint_eq(m.used, 3);
	ck_assert_ptr_eq(map_del(&m, it[1]->key), it[1]);
	ck_assert_uint_eq(m.n, 2);
	ck_assert_uint_eq(m.used, 3);		/* a tombstone */
	ck_assert_ptr_eq(map_get(&m, it[2]->key), it[2]);
	ck_assert_ptr_null(map_get(&m, it[1]->key));
	/* The tombstone is reused: no new slot taken. */
	ck_assert_int_eq(map_put(&m, it[3]), 0);
	ck_assert_uint_eq(m.n, 3);
	ck_assert_uint_eq(m.used, 3);
	for (i = 0; i < 4; i++)
		ck_assert_ptr_eq(map_get(&m, it[i]->key), i == 1 ? NULL :
		    it[i]);
	/* Delete the head of the chain: the rest stay reachable. */
	ck_assert_ptr_eq(map_del(&m, it[0]->key), it[0]);
	ck_assert_ptr_eq(map_get(&m, it[2]->key), it[2]);
	ck_assert_ptr_eq(map_get(&m, it[3]->key), it[3]);
	free(it[0]);
	free(it[1]);
	nfreed = 0;
	map_clear(&m, item_free);
	ck_assert_int_eq(nfreed, 2);
}
END_TEST

START_TEST(map_growth)
{
	enum { N = 20000 };
	struct map	  m;
	struct item	**it = calloc(N, sizeof(*it));
	struct item	 *x;
	char		  key[24];
	size_t		  cap;
	int		  i;

	memset(&m, 0, sizeof(m));
	for (i = 0; i < N; i++) {
		snprintf(key, sizeof(key), "person-%d", i);
		it[i] = item_new(key, i);
		ck_assert_int_eq(map_put(&m, it[i]), 0);
	}
	ck_assert_uint_eq(m.n, N);
	ck_assert_uint_eq(m.cap & (m.cap - 1), 0);	/* a power of two */
	ck_assert_uint_lt(m.used * 10, m.cap * 7);	/* below 70 % */
	ck_assert_uint_ge(m.cap * 7, (size_t)N * 10);
	for (i = 0; i < N; i++) {
		snprintf(key, sizeof(key), "person-%d", i);
		ck_assert_ptr_nonnull(x = map_get(&m, key));
		ck_assert_int_eq(x->val, i);
	}
	ck_assert_ptr_null(map_get(&m, "person-20000"));
	/* Every other one out, then back in. */
	for (i = 0; i < N; i += 2)
		ck_assert_ptr_eq(map_del(&m, it[i]->key), it[i]);
	ck_assert_uint_eq(m.n, N / 2);
	for (i = 0; i < N; i++)
		ck_assert_ptr_eq(map_get(&m, it[i]->key), i % 2 ? it[i] :
		    NULL);
	cap = m.cap;
	for (i = 0; i < N; i += 2)
		ck_assert_int_eq(map_put(&m, it[i]), 0);
	ck_assert_uint_eq(m.n, N);
	ck_assert_uint_eq(m.cap, cap);
	for (i = 0; i < N; i++)
		ck_assert_ptr_eq(map_get(&m, it[i]->key), it[i]);
	nfreed = 0;
	map_clear(&m, item_free);
	ck_assert_int_eq(nfreed, N);
	ck_assert_uint_eq(m.n, 0);
	free(it);
}
END_TEST

/* Endless put/delete of new keys (pending applications come and go)
 * must not grow the table: tombstones are cleaned up by a rehash. */
START_TEST(map_churn)
{
	struct map	 m;
	struct item	*keep = item_new("keep", -1), *x;
	char		 key[24];
	int		 i;

	memset(&m, 0, sizeof(m));
	ck_assert_int_eq(map_put(&m, keep), 0);
	for (i = 0; i < 100000; i++) {
		snprintf(key, sizeof(key), "tmp-%d", i);
		x = item_new(key, i);
		ck_assert_int_eq(map_put(&m, x), 0);
		ck_assert_ptr_eq(map_get(&m, key), x);
		ck_assert_ptr_eq(map_del(&m, key), x);
		free(x);
	}
	ck_assert_uint_eq(m.n, 1);
	ck_assert_uint_eq(m.cap, 64);
	ck_assert_ptr_eq(map_get(&m, "keep"), keep);
	map_clear(&m, free);
}
END_TEST

/* --- view -------------------------------------------------------- */

static const unsigned char sha1[32] = { 1 }, sha2[32] = { 2 };

/* view_history into a string "YYYY-MM,..." for easy comparison. */
static void
hist(struct view *v, const char *a, const char *b, int period, char *out,
    size_t len)
{
	int	*months;
	size_t	 n, i, k = 0;

	ck_assert_int_eq(view_history(v, a, b, period, &months, &n), 0);
	out[0] = '\0';
	for (i = 0; i < n; i++)
		k += (size_t)snprintf(out + k, len - k, "%s%04d-%02d",
		    i ? "," : "", months[i] / 12, months[i] % 12 + 1);
	free(months);
}

static struct view_app *
grant(struct view *v, const char *id, const char *a, const char *b,
    int period, int granted)
{
	struct view_app *app;

	ck_assert_ptr_nonnull(app = view_pending(v, id, sha1, 7, a, b,
	    period));
	ck_assert_int_eq(view_commit(v, app, granted, 100, 10), 0);
	return app;
}

START_TEST(view_pending_commit_abort)
{
	struct view	 v;
	struct view_app	*a, *b, *c;
	char		 h[256], pa[AUDIT_PSEUDO_LEN], pb[AUDIT_PSEUDO_LEN];

	memset(&v, 0, sizeof(v));
	ck_assert_ptr_null(view_app(&v, "id1"));
	/* Pseudonyms are audit_pseudonym's 32 lowercase hex digits. */
	ck_assert_ptr_null(view_pending(&v, "x", sha1, 42, "aa", "",
	    M(2026, 11)));
	ck_assert_ptr_null(view_pending(&v, "x", sha1, 42, PA,
	    "BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB", M(2026, 11)));
	ck_assert_ptr_null(view_pending(&v, "x", sha1, 42, PA "0", "",
	    M(2026, 11)));
	ck_assert_uint_eq(v.apps.n, 0);
	ck_assert_uint_eq(v.periods.n, 0);
	ck_assert_int_eq(view_duplicate(&v, "aa", M(2026, 11)), 0);
	ck_assert_int_eq(view_duplicate(&v, PA, M(2026, 11)), 0);

	ck_assert_ptr_nonnull(a = view_pending(&v, "id1", sha1, 42, PA, PB,
	    M(2026, 11)));
	ck_assert_ptr_eq(view_app(&v, "id1"), a);
	ck_assert_str_eq(a->id, "id1");
	ck_assert_int_eq(memcmp(a->sha, sha1, 32), 0);
	ck_assert_uint_eq(a->submitter, 42);
	view_app_persons(a, pa, pb);
	ck_assert_str_eq(pa, PA);
	ck_assert_str_eq(pb, PB);
	ck_assert_int_eq(a->period, M(2026, 11));
	ck_assert_int_eq(a->pending, 1);
	ck_assert_int_eq(a->granted, 0);
	/* A pending application already counts as held for the period,
	 * for the applicant (the partner is not an applicant). */
	ck_assert_int_eq(view_duplicate(&v, PA, M(2026, 11)), 1);
	ck_assert_int_eq(view_duplicate(&v, PA, M(2026, 10)), 0);
	ck_assert_int_eq(view_duplicate(&v, PB, M(2026, 11)), 0);
	/* ... but is no month of försörjningsstöd yet. */
	hist(&v, PA, PB, M(2027, 1), h, sizeof(h));
	ck_assert_str_eq(h, "");

	ck_assert_int_eq(view_commit(&v, a, 1, 1234, 99), 0);
	ck_assert_int_eq(a->pending, 0);
	ck_assert_int_eq(a->granted, 1);
	ck_assert_int_eq(a->eval_off, 1234);
	ck_assert_uint_eq(a->eval_len, 99);
	ck_assert_int_eq(view_duplicate(&v, PA, M(2026, 11)), 1);
	hist(&v, PA, "", M(2026, 12), h, sizeof(h));
	ck_assert_str_eq(h, "2026-11");
	hist(&v, PB, "", M(2026, 12), h, sizeof(h));
	ck_assert_str_eq(h, "2026-11");
	/* Only months before the period. */
	hist(&v, PA, "", M(2026, 11), h, sizeof(h));
	ck_assert_str_eq(h, "");

	/* A second application for the same person and period, pending:
	 * counted with the first; aborted: released, the first stays. */
	ck_assert_ptr_nonnull(b = view_pending(&v, "id2", sha2, 42, PA, "",
	    M(2026, 11)));
	ck_assert_int_eq(view_duplicate(&v, PA, M(2026, 11)), 1);
	ck_assert_uint_eq(v.periods.n, 1);
	view_abort(&v, b);
	ck_assert_ptr_null(view_app(&v, "id2"));
	ck_assert_int_eq(view_duplicate(&v, PA, M(2026, 11)), 1);
	ck_assert_uint_eq(v.apps.n, 1);
	/* The id is free again. */
	ck_assert_ptr_nonnull(c = view_pending(&v, "id2", sha2, 42, PA, "",
	    M(2026, 10)));
	ck_assert_int_eq(view_duplicate(&v, PA, M(2026, 10)), 1);
	ck_assert_uint_eq(v.periods.n, 2);
	view_abort(&v, c);
	ck_assert_int_eq(view_duplicate(&v, PA, M(2026, 10)), 0);
	ck_assert_uint_eq(v.periods.n, 1);	/* the entry is gone */

	/* Two pending, both aborted: nothing left. */
	b = view_pending(&v, "id3", sha2, 1, PC, "", M(2026, 1));
	c = view_pending(&v, "id4", sha2, 1, PC, "", M(2026, 1));
	ck_assert_ptr_nonnull(b);
	ck_assert_ptr_nonnull(c);
	view_abort(&v, c);
	ck_assert_int_eq(view_duplicate(&v, PC, M(2026, 1)), 1);
	view_abort(&v, b);
	ck_assert_int_eq(view_duplicate(&v, PC, M(2026, 1)), 0);
	ck_assert_uint_eq(v.periods.n, 1);
	ck_assert_uint_eq(v.apps.n, 1);
	view_free(&v);
	ck_assert_uint_eq(v.apps.n, 0);
}
END_TEST

/* Not api_applications.c's, but the same shape: the view only keeps
 * the list's head. */
struct view_waiter {
	struct view_waiter	*next;
};

START_TEST(view_events_and_waiters)
{
	struct view		 v;
	struct view_app		*a, *b;
	struct view_waiter	 w1, w2, **head;
	uint32_t		 i;

	memset(&v, 0, sizeof(v));
	ck_assert_ptr_nonnull(a = view_pending(&v, "e1", sha1, 1, PA, "",
	    M(2026, 1)));
	ck_assert_ptr_nonnull(b = view_pending(&v, "e2", sha1, 1, PB, "",
	    M(2026, 1)));
	/* Two inside, then on the heap, growing at powers of two. */
	for (i = 0; i < 40; i++) {
		ck_assert_int_eq(view_event_add(a, 1000 + i, i), 0);
		ck_assert_uint_eq(a->nevents, i + 1);
		ck_assert_int_eq(view_events(a)[0].off, 1000);
		ck_assert_int_eq(view_events(a)[i].off, 1000 + i);
		ck_assert_uint_eq(view_events(a)[i].len, i);
	}
	ck_assert_ptr_null(view_waiters_take(&v, a));
	ck_assert_ptr_nonnull(head = view_waiters(&v, a));
	w1.next = *head;
	*head = &w1;
	ck_assert_ptr_nonnull(head = view_waiters(&v, b));
	ck_assert_ptr_null(*head);
	w2.next = *head;
	*head = &w2;
	ck_assert_ptr_eq(*view_waiters(&v, a), &w1);
	ck_assert_ptr_eq(view_waiters_take(&v, a), &w1);
	ck_assert_ptr_null(view_waiters_take(&v, a));
	ck_assert_ptr_eq(view_waiters_take(&v, b), &w2);
	ck_assert_uint_eq(v.nwaits, 0);
	ck_assert_ptr_nonnull(view_waiters(&v, b));
	view_abort(&v, b);		/* forgets its entry */
	ck_assert_uint_eq(v.nwaits, 0);
	view_free(&v);
}
END_TEST

START_TEST(view_routed_is_no_month)
{
	struct view	 v;
	struct view_app	*a;
	char		 h[256];

	memset(&v, 0, sizeof(v));
	a = grant(&v, "r1", PA, PB, M(2026, 3), 0);
	ck_assert_int_eq(a->granted, 0);
	ck_assert_int_eq(a->pending, 0);
	hist(&v, PA, PB, M(2027, 1), h, sizeof(h));
	ck_assert_str_eq(h, "");
	ck_assert_int_eq(view_duplicate(&v, PA, M(2026, 3)), 1);
	ck_assert_uint_eq(v.persons.n, 0);
	view_free(&v);
}
END_TEST

START_TEST(view_history_union)
{
	struct view	v;
	char		h[2048], want[2048], id[16];
	size_t		k = 0;
	int		i;

	memset(&v, 0, sizeof(v));
	grant(&v, "1", PA, PB, M(2024, 3), 1);	/* the household */
	grant(&v, "2", PA, "", M(2024, 1), 1);
	grant(&v, "3", PB, "", M(2024, 2), 1);
	grant(&v, "4", PA, "", M(2024, 5), 1);
	grant(&v, "5", PB, "", M(2024, 6), 1);
	grant(&v, "6", PA, "", M(2024, 4), 0);	/* routed: no month */
	grant(&v, "7", PA, "", M(2024, 1), 1);	/* same month again */
	grant(&v, "8", PA, "", M(2023, 12), 1);	/* earlier, added later */

	hist(&v, PA, PB, M(2024, 6), h, sizeof(h));
	ck_assert_str_eq(h, "2023-12,2024-01,2024-02,2024-03,2024-05");
	hist(&v, PA, PB, M(2024, 7), h, sizeof(h));
	ck_assert_str_eq(h, "2023-12,2024-01,2024-02,2024-03,2024-05,2024-06");
	hist(&v, PB, PA, M(2024, 4), h, sizeof(h));
	ck_assert_str_eq(h, "2023-12,2024-01,2024-02,2024-03");
	hist(&v, PA, "", M(2030, 1), h, sizeof(h));
	ck_assert_str_eq(h, "2023-12,2024-01,2024-03,2024-05");
	hist(&v, PA, PA, M(2030, 1), h, sizeof(h));
	ck_assert_str_eq(h, "2023-12,2024-01,2024-03,2024-05");
	hist(&v, PC, PB, M(2030, 1), h, sizeof(h));
	ck_assert_str_eq(h, "2024-02,2024-03,2024-06");
	hist(&v, PC, "", M(2030, 1), h, sizeof(h));
	ck_assert_str_eq(h, "");
	hist(&v, PA, PB, M(2023, 12), h, sizeof(h));
	ck_assert_str_eq(h, "");

	/* Many months, given newest first, come out ascending. */
	for (i = 120; i > 0; i--) {
		snprintf(id, sizeof(id), "c%d", i);
		grant(&v, id, PC, "", M(2010, 1) + i - 1, 1);
	}
	for (i = 0; i < 120; i++)
		k += (size_t)snprintf(want + k, sizeof(want) - k, "%s%04d-%02d",
		    i ? "," : "", 2010 + i / 12, i % 12 + 1);
	hist(&v, PC, "", M(2030, 1), h, sizeof(h));
	ck_assert_str_eq(h, want);
	view_free(&v);
}
END_TEST

START_TEST(view_rulesets_and_actors)
{
	struct view	v;
	unsigned char	md[32];
	uint64_t	h;

	memset(&v, 0, sizeof(v));
	ck_assert_int_eq(view_has_ruleset(&v, RULESET), 0);
	ck_assert_int_eq(view_add_ruleset(&v, RULESET), 0);
	ck_assert_int_eq(view_has_ruleset(&v, RULESET), 1);
	ck_assert_int_eq(view_add_ruleset(&v, RULESET), 0);
	ck_assert_uint_eq(v.rulesets.n, 1);
	ck_assert_int_eq(view_has_ruleset(&v, PA), 0);
	view_free(&v);

	SHA256((const unsigned char *)"eservice:Kommun%20A", 19, md);
	memcpy(&h, md, sizeof(h));
	ck_assert_uint_eq(view_actor_hash("eservice:Kommun%20A"), h);
	ck_assert_uint_ne(view_actor_hash("eservice:Kommun%20B"), h);
}
END_TEST

/* Replay alone: what it refuses to guess about. */
static int
replay_line(struct view *v, uint64_t seq, const char *type,
    const char *actor, const char *payload)
{
	struct audit_record	r;
	struct abuf		b = { 0 };
	char			why[128];
	int			rc;

	audit_format(&b, seq, "2026-11-22T10:00:00.000000Z", type, actor,
	    "0000000000000000000000000000000000000000000000000000000000000000",
	    payload, strlen(payload));
	if (audit_parse(b.p, b.len, &r, why, sizeof(why)) != 0)
		ck_abort_msg("%s", why);
	r.offset = 1000;
	rc = view_replay(&r, v);
	abuf_free(&b);
	return rc;
}

#define RECEIVED(id, period) "id=" id "&sha256=" \
	"0101010101010101010101010101010101010101010101010101010101010101" \
	"&size=5&doc=2026-11.seg:0&applicant=" PA "&period=" period

START_TEST(view_replay_rules)
{
	struct view	 v;
	struct view_app	*a;
	char		 pa[AUDIT_PSEUDO_LEN], pb[AUDIT_PSEUDO_LEN];

	memset(&v, 0, sizeof(v));
	ck_assert_int_eq(replay_line(&v, 1, "opened", "daemon", "format=1"),
	    0);
	ck_assert_int_eq(replay_line(&v, 2, "received", "eservice:x",
	    RECEIVED("a1", "2026-11")), 0);
	ck_assert_ptr_nonnull(a = view_app(&v, "a1"));
	ck_assert_int_eq(a->pending, 1);
	ck_assert_int_eq(a->period, M(2026, 11));
	view_app_persons(a, pa, pb);
	ck_assert_str_eq(pa, PA);
	ck_assert_str_eq(pb, "");
	ck_assert_uint_eq(a->submitter, view_actor_hash("eservice:x"));
	ck_assert_int_eq(a->sha[0], 1);
	ck_assert_int_eq(a->sha[31], 1);
	ck_assert_int_eq(replay_line(&v, 3, "evaluated", "automated",
	    "id=a1&outcome=granted&received_at=1795356137"), 0);
	ck_assert_int_eq(a->pending, 0);
	ck_assert_int_eq(a->granted, 1);
	ck_assert_int_eq(a->eval_off, 1000);
	/* The same id received twice after its evaluation: a writer bug,
	 * not to be guessed. */
	ck_assert_int_eq(replay_line(&v, 4, "received", "eservice:x",
	    RECEIVED("a1", "2026-11")), -1);
	/* An evaluation of nothing received. */
	ck_assert_int_eq(replay_line(&v, 5, "evaluated", "automated",
	    "id=zz&outcome=granted"), -1);
	/* Missing or malformed fields. */
	ck_assert_int_eq(replay_line(&v, 6, "received", "eservice:x",
	    "id=b1&applicant=" PA "&period=2026-11"), -1);
	ck_assert_int_eq(replay_line(&v, 7, "received", "eservice:x",
	    "id=b1&sha256=01&applicant=" PA "&period=2026-11"), -1);
	ck_assert_int_eq(replay_line(&v, 8, "received", "eservice:x",
	    RECEIVED("b1", "november")), -1);
	ck_assert_int_eq(replay_line(&v, 9, "ruleset", "daemon",
	    "files=main.lua"), -1);
	ck_assert_ptr_null(view_app(&v, "b1"));
	/* Other types only count. */
	ck_assert_int_eq(replay_line(&v, 10, "refused", "eservice:x",
	    "status=400"), 0);
	ck_assert_int_eq(replay_line(&v, 11, "ruleset", "daemon",
	    "hash=" RULESET "&files=main.lua"), 0);
	ck_assert_int_eq(view_has_ruleset(&v, RULESET), 1);
	ck_assert_uint_eq(v.records, 11);
	ck_assert_uint_eq(v.apps.n, 1);
	view_free(&v);
}
END_TEST

/* A crash cut a job in half: received without evaluated. A resubmission
 * (a second received) replaces it; one left over at the end is dropped,
 * and with it the duplicate-period count it held. */
START_TEST(view_replay_half_job)
{
	struct view	 v;
	struct view_app	*a;

	memset(&v, 0, sizeof(v));
	ck_assert_int_eq(replay_line(&v, 1, "received", "eservice:x",
	    RECEIVED("h1", "2026-11")), 0);
	ck_assert_int_eq(replay_line(&v, 2, "received", "eservice:x",
	    RECEIVED("h1", "2026-11")), 0);
	ck_assert_int_eq(replay_line(&v, 3, "evaluated", "automated",
	    "id=h1&outcome=routed&priority=normal&due=2026-11-24T10:00:00Z"
	    "&reasons=HEALTH&received_at=1795356137"), 0);
	ck_assert_ptr_nonnull(a = view_app(&v, "h1"));
	ck_assert_int_eq(a->pending, 0);
	ck_assert_int_eq(view_duplicate(&v, PA, M(2026, 11)), 1);
	ck_assert_int_eq(replay_line(&v, 4, "received", "eservice:x",
	    RECEIVED("h2", "2026-10")), 0);
	ck_assert_int_eq(view_duplicate(&v, PA, M(2026, 10)), 1);
	ck_assert_uint_eq(view_drop_pending(&v), 1);
	ck_assert_ptr_null(view_app(&v, "h2"));
	ck_assert_int_eq(view_duplicate(&v, PA, M(2026, 10)), 0);
	/* The held one is untouched, and only once in the period count. */
	ck_assert_ptr_nonnull(view_app(&v, "h1"));
	ck_assert_uint_eq(view_drop_pending(&v), 0);
	ck_assert_uint_eq(v.apps.n, 1);
	view_free(&v);
}
END_TEST

/* --- the queue ---------------------------------------------------- */

/* The TIME replay_line writes, as epoch seconds. */
#define T0	1795341600LL		/* 2026-11-22T10:00:00Z */

#define ROUTED(id, prio, due) "id=" id "&outcome=routed&priority=" prio \
	"&due=" due "&reasons=HEALTH,ACUTE_NEED&received_at=1795341600"

START_TEST(queue_claims_and_decisions)
{
	struct view	 v;
	struct view_app	*a;
	struct q_item	*q;
	char		 text[256];

	memset(&v, 0, sizeof(v));
	ck_assert_int_eq(replay_line(&v, 1, "received", "eservice:x",
	    RECEIVED("q1", "2026-11")), 0);
	ck_assert_int_eq(replay_line(&v, 2, "evaluated", "automated",
	    ROUTED("q1", "urgent", "2026-11-22T14:00:00Z")), 0);
	ck_assert_ptr_nonnull(a = view_app(&v, "q1"));
	ck_assert_ptr_nonnull(q = a->item);
	ck_assert_uint_eq(v.queue.n, 1);
	ck_assert_int_eq(q->kind, Q_CASE);
	ck_assert_int_eq(q->urgent, 1);
	ck_assert_int_eq(q->received, T0);
	ck_assert_int_eq(q->due, T0 + 4 * 3600);
	queue_reasons_text(q, text, sizeof(text));
	ck_assert_str_eq(text, "HEALTH ACUTE_NEED");
	ck_assert_ptr_null(queue_other(q));
	ck_assert_str_eq(queue_preferred(&v, q), "");
	ck_assert_str_eq(queue_holder(&v, q, T0, 120), "");
	/* A claim lives claim_idle_minutes from its record's TIME. */
	ck_assert_int_eq(replay_line(&v, 3, "claimed", "caseworker:h1",
	    "id=q1"), 0);
	ck_assert_str_eq(queue_holder(&v, q, T0 + 120 * 60 - 1, 120), "h1");
	ck_assert_str_eq(queue_holder(&v, q, T0 + 120 * 60, 120), "");
	ck_assert_int_eq(replay_line(&v, 4, "released", "caseworker:h1",
	    "id=q1"), 0);
	ck_assert_str_eq(queue_holder(&v, q, T0, 120), "");
	ck_assert_int_eq(replay_line(&v, 5, "assigned", "caseworker:h1",
	    "id=q1&to=h2"), 0);
	ck_assert_str_eq(queue_holder(&v, q, T0, 120), "h2");
	/* Only caseworkers act on cases (malformed otherwise). A record
	 * that does not fit the state — completing a case — stays in the
	 * trail as evidence, changes nothing and is counted. */
	ck_assert_int_eq(replay_line(&v, 6, "claimed", "eservice:x",
	    "id=q1"), -1);
	ck_assert_int_eq(replay_line(&v, 7, "completed", "caseworker:h2",
	    "id=q1&note=x"), 0);
	ck_assert_uint_eq(v.ignored, 1);
	ck_assert_int_eq(q->closed, 0);
	ck_assert_int_eq(a->completed, 0);
	ck_assert_str_eq(queue_holder(&v, q, T0, 120), "h2");
	ck_assert_int_eq(replay_line(&v, 8, "claimed", "caseworker:h1",
	    "id=nope"), -1);
	ck_assert_int_eq(replay_line(&v, 9, "decided", "caseworker:h2",
	    "id=q1&outcome=partly-granted&amount=4200&motivation=m"), 0);
	ck_assert_int_eq(a->decided, 1);
	ck_assert_int_eq(a->granted, 1);
	ck_assert_int_eq(a->eval_off, 1000);	/* the decided record */
	ck_assert_int_eq(q->closed, 1);
	ck_assert_uint_eq(v.queue.n, 0);
	ck_assert_ptr_eq(a->item, q);		/* kept for the case view */
	/* received, evaluated, claimed, released, assigned, the ignored
	 * completed, decided. */
	ck_assert_uint_eq(a->nevents, 7);
	/* Nothing more happens to a decided case. */
	ck_assert_int_eq(replay_line(&v, 10, "claimed", "caseworker:h1",
	    "id=q1"), 0);
	ck_assert_uint_eq(v.ignored, 2);
	ck_assert_int_eq(q->closed, 1);
	ck_assert_uint_eq(v.queue.n, 0);
	/* Its month counts for the household, h2 is its caseworker. */
	{
		int	*m;
		size_t	 n;

		ck_assert_int_eq(view_history(&v, PA, "", M(2026, 12), &m,
		    &n), 0);
		ck_assert_uint_eq(n, 1);
		ck_assert_int_eq(m[0], M(2026, 11));
		free(m);
	}
	ck_assert_str_eq(view_preferred(&v, PA, ""), "h2");
	/* The next case of the household is offered to h2 first, for the
	 * first half of its time to due. */
	ck_assert_int_eq(replay_line(&v, 11, "received", "eservice:x",
	    RECEIVED("q2", "2026-12")), 0);
	ck_assert_int_eq(replay_line(&v, 12, "evaluated", "automated",
	    ROUTED("q2", "normal", "2026-11-24T10:00:00Z")), 0);
	q = view_app(&v, "q2")->item;
	ck_assert_str_eq(queue_preferred(&v, q), "h2");
	ck_assert_int_eq(queue_reserved(q, T0 + 24 * 3600 - 1), 1);
	ck_assert_int_eq(queue_reserved(q, T0 + 24 * 3600), 0);
	view_free(&v);
}
END_TEST

/* Reasons are kept as code numbers in the record's order, each once;
 * CNs once per caseworker however many items they hold; a code this
 * version does not know (a later version's trail) is shown as recorded
 * rather than stopping the start-up. */
START_TEST(queue_reasons_and_names)
{
	struct view	 v;
	struct view_app	*a, *b;
	char		 text[256];

	memset(&v, 0, sizeof(v));
	ck_assert_int_eq(replay_line(&v, 1, "received", "eservice:x",
	    RECEIVED("r1", "2026-11")), 0);
	ck_assert_int_eq(replay_line(&v, 2, "evaluated", "automated",
	    "id=r1&outcome=routed&priority=normal&due=2026-11-24T10:00:00Z"
	    "&reasons=VIOLENCE,FIRST_APPLICATION,VIOLENCE,RULE_FAILURE"
	    "&received_at=1795341600"), 0);
	ck_assert_ptr_nonnull(a = view_app(&v, "r1"));
	ck_assert_ptr_nonnull(a->item);
	ck_assert_uint_eq(a->item->nreasons, 3);
	queue_reasons_text(a->item, text, sizeof(text));
	ck_assert_str_eq(text, "VIOLENCE FIRST_APPLICATION RULE_FAILURE");
	queue_reasons_text(a->item, text, 12);	/* cut, still terminated */
	ck_assert_str_eq(text, "VIOLENCE");
	ck_assert_int_eq(replay_line(&v, 3, "received", "eservice:x",
	    RECEIVED("r2", "2026-10")), 0);
	ck_assert_int_eq(replay_line(&v, 4, "evaluated", "automated",
	    "id=r2&outcome=routed&priority=urgent&due=2026-11-24T10:00:00Z"
	    "&reasons=HEALTH,SOME_LATER_CODE&received_at=1795341600"), 0);
	ck_assert_ptr_nonnull(b = view_app(&v, "r2"));
	ck_assert_ptr_nonnull(b->item);
	ck_assert_ptr_nonnull(queue_other(b->item));
	queue_reasons_text(b->item, text, sizeof(text));
	ck_assert_str_eq(text, "HEALTH SOME_LATER_CODE");
	/* Two claims by one caseworker share one copy of the name. */
	ck_assert_int_eq(replay_line(&v, 5, "claimed", "caseworker:h%20one",
	    "id=r1"), 0);
	ck_assert_int_eq(replay_line(&v, 6, "claimed", "caseworker:h%20one",
	    "id=r2"), 0);
	ck_assert_str_eq(view_cn(&v, a->item->holder), "h one");
	ck_assert_uint_eq(a->item->holder, b->item->holder);
	ck_assert_ptr_eq(view_cn(&v, a->item->holder),
	    view_intern(&v, "h one"));
	ck_assert_uint_eq(v.cns.n, 1);
	ck_assert_int_eq(replay_line(&v, 7, "released", "caseworker:h%20one",
	    "id=r1"), 0);
	ck_assert_uint_eq(a->item->holder, 0);
	view_free(&v);
}
END_TEST

START_TEST(queue_follow_up_and_order)
{
	struct view		 v;
	struct view_app		*a;
	struct queue_filter	 f;
	struct q_item		**l;
	size_t			 n, total;
	char			 text[256];

	memset(&v, 0, sizeof(v));
	/* A plain grant: not in the queue. A LONG_TERM grant: a task. */
	ck_assert_int_eq(replay_line(&v, 1, "received", "eservice:x",
	    RECEIVED("g1", "2026-11")), 0);
	ck_assert_int_eq(replay_line(&v, 2, "evaluated", "automated",
	    "id=g1&outcome=granted&amount=5&received_at=1795341600"), 0);
	ck_assert_ptr_null(view_app(&v, "g1")->item);
	ck_assert_int_eq(replay_line(&v, 3, "received", "eservice:x",
	    RECEIVED("f1", "2026-10")), 0);
	ck_assert_int_eq(replay_line(&v, 4, "evaluated", "automated",
	    "id=f1&outcome=granted&amount=5&received_at=1795341600"
	    "&follow_up_due=2026-12-06T10:00:00Z"), 0);
	ck_assert_ptr_nonnull(a = view_app(&v, "f1"));
	ck_assert_int_eq(a->item->kind, Q_FOLLOW_UP);
	ck_assert_int_eq(a->item->due, T0 + 14 * 86400);
	queue_reasons_text(a->item, text, sizeof(text));
	ck_assert_str_eq(text, "LONG_TERM");
	/* Cases, normal due soon, normal due later, urgent due latest. */
	ck_assert_int_eq(replay_line(&v, 5, "received", "eservice:x",
	    RECEIVED("n1", "2026-09")), 0);
	ck_assert_int_eq(replay_line(&v, 6, "evaluated", "automated",
	    ROUTED("n1", "normal", "2026-11-23T10:00:00Z")), 0);
	ck_assert_int_eq(replay_line(&v, 7, "received", "eservice:x",
	    RECEIVED("n2", "2026-08")), 0);
	ck_assert_int_eq(replay_line(&v, 8, "evaluated", "automated",
	    ROUTED("n2", "normal", "2026-11-22T11:00:00Z")), 0);
	ck_assert_int_eq(replay_line(&v, 9, "received", "eservice:x",
	    RECEIVED("u1", "2026-07")), 0);
	ck_assert_int_eq(replay_line(&v, 10, "evaluated", "automated",
	    ROUTED("u1", "urgent", "2026-11-30T10:00:00Z")), 0);
	ck_assert_int_eq(replay_line(&v, 11, "claimed", "caseworker:h1",
	    "id=n1"), 0);
	memset(&f, 0, sizeof(f));
	ck_assert_int_eq(queue_list(&v, &f, T0 + 7200, 120, 100, &l, &n, &total), 0);
	ck_assert_uint_eq(n, 4);
	ck_assert_str_eq(l[0]->app->id, "u1");	/* urgent first */
	ck_assert_str_eq(l[1]->app->id, "n2");	/* then by due */
	ck_assert_str_eq(l[2]->app->id, "n1");
	ck_assert_str_eq(l[3]->app->id, "f1");
	ck_assert_uint_eq(total, 4);
	free(l);
	/* A page: the first two in queue order, and the total. */
	ck_assert_int_eq(queue_list(&v, &f, T0 + 7200, 120, 2, &l, &n,
	    &total), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_uint_eq(total, 4);
	ck_assert_str_eq(l[0]->app->id, "u1");
	ck_assert_str_eq(l[1]->app->id, "n2");
	free(l);
	f.overdue = 1;				/* n2 was due at 11:00 */
	ck_assert_int_eq(queue_list(&v, &f, T0 + 7200, 120, 100, &l, &n, &total), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_str_eq(l[0]->app->id, "n2");
	free(l);
	memset(&f, 0, sizeof(f));
	f.state = 2;
	f.assignee = "h1";
	ck_assert_int_eq(queue_list(&v, &f, T0 + 60, 120, 100, &l, &n, &total), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_str_eq(l[0]->app->id, "n1");
	free(l);
	/* The claim lapsed: open again. */
	ck_assert_int_eq(queue_list(&v, &f, T0 + 7200, 120, 100, &l, &n, &total), 0);
	ck_assert_uint_eq(n, 0);
	free(l);
	f.assignee = NULL;
	f.state = 1;
	f.kind = 2;
	ck_assert_int_eq(queue_list(&v, &f, T0, 120, 100, &l, &n, &total), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_str_eq(l[0]->app->id, "f1");
	free(l);
	f.kind = 0;
	f.priority = 1;
	ck_assert_int_eq(queue_list(&v, &f, T0, 120, 100, &l, &n, &total), 0);
	ck_assert_uint_eq(n, 1);
	free(l);
	/* A follow-up is completed, not decided. */
	ck_assert_int_eq(replay_line(&v, 12, "claimed", "caseworker:h1",
	    "id=f1"), 0);
	ck_assert_int_eq(replay_line(&v, 13, "decided", "caseworker:h1",
	    "id=f1&outcome=granted&amount=5&motivation=m"), 0);
	ck_assert_uint_eq(v.ignored, 1);
	ck_assert_int_eq(a->decided, 0);
	ck_assert_int_eq(a->item->closed, 0);
	ck_assert_int_eq(replay_line(&v, 14, "completed", "caseworker:h1",
	    "id=f1&note=Mote"), 0);
	ck_assert_int_eq(a->completed, 1);
	ck_assert_int_eq(a->item->closed, 2);
	ck_assert_uint_eq(v.queue.n, 3);
	view_free(&v);
}
END_TEST

/* --- replay equivalence, with the real writer -------------------- */

static char			 dir[] = "/tmp/check_view.XXXXXX";
static char			 trail[256];
static struct audit_keys	*keys;
static struct event_base	*base;
static struct event		*tick;
static int			 ndone;

static void
tick_cb(evutil_socket_t fd, short ev, void *arg)
{
	(void)fd; (void)ev; (void)arg;
}

static void
setup_writer(void)
{
	struct timeval	tv = { 0, 20 * 1000 };
	char		err[512];

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(trail, sizeof(trail), "%s/" AUDIT_TRAIL, dir);
	if (audit_keys_open(dir, 1, &keys, err, sizeof(err)) != 0)
		ck_abort_msg("%s", err);
	ck_assert_ptr_nonnull(base = event_base_new());
	ck_assert_ptr_nonnull(tick = event_new(base, -1, EV_PERSIST, tick_cb,
	    NULL));
	ck_assert_int_eq(event_add(tick, &tv), 0);
	ndone = 0;
}

static void
teardown_writer(void)
{
	char cmd[256];

	event_free(tick);
	event_base_free(base);
	audit_keys_free(keys);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	ck_assert_int_eq(system(cmd), 0);
	strcpy(dir, "/tmp/check_view.XXXXXX");
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void
drive(int want)
{
	double until = now() + 20;

	while (ndone < want && now() < until)
		event_base_loop(base, EVLOOP_ONCE);
	ck_assert_int_eq(ndone, want);
}

static struct audit_writer *
wstart(struct view *v, struct audit_scan *s)
{
	struct audit_writer_conf	 c;
	struct audit_writer		*w = NULL;
	char				 err[1024];

	memset(&c, 0, sizeof(c));
	c.state_dir = dir;
	c.ruleset = RULESET;
	if (audit_writer_start(base, &c, keys, v ? view_replay : NULL, v, s,
	    &w, err, sizeof(err)) != 0)
		ck_abort_msg("audit_writer_start: %s", err);
	return w;
}

/* One application, built and finished the way api_applications.c
 * does: pseudonyms, history and duplicate from the live view, a
 * pending entry, then commit (or abort) when the job is done. */
struct japp {
	struct audit_job	 job;
	struct view		*view;
	struct view_app		*app;
	char			 id[32];
	char			 body[128];
	char			 doc[128];	/* the decision document */
	int			 granted;
	char			 history[256];
	int			 duplicate;
};

static void
japp_done(struct audit_job *j)
{
	struct japp *a = j->arg;

	ndone++;
	if (j->ok)
		ck_assert_int_eq(view_commit(a->view, a->app, a->granted,
		    j->rec[1].offset, (uint32_t)j->rec[1].len), 0);
	else
		view_abort(a->view, a->app);
}

static void
japp_build(struct japp *a, struct view *v, const char *id,
    const char *pnr, const char *partner_pnr, int year, int month,
    int granted)
{
	struct audit_job_rec	*rec;
	unsigned char		 sha[32];
	char			 applicant[AUDIT_PSEUDO_LEN], hex[AUDIT_HEX];
	char			 partner[AUDIT_PSEUDO_LEN] = "", actor[160];
	int			*months, period = M(year, month);
	size_t			 n, i, k = 0;

	memset(a, 0, sizeof(*a));
	a->view = v;
	a->granted = granted;
	snprintf(a->id, sizeof(a->id), "%s", id);
	snprintf(a->body, sizeof(a->body), "<application id='%s'/>", id);
	snprintf(a->doc, sizeof(a->doc), "<decision id='%s' granted='%d'/>",
	    id, granted);
	SHA256((const unsigned char *)a->body, strlen(a->body), sha);
	ck_assert_int_eq(audit_pseudonym(keys, pnr, applicant), 0);
	if (partner_pnr != NULL)
		ck_assert_int_eq(audit_pseudonym(keys, partner_pnr, partner),
		    0);
	ck_assert_int_eq(view_history(v, applicant, partner, period, &months,
	    &n), 0);
	for (i = 0; i < n; i++)
		k += (size_t)snprintf(a->history + k, sizeof(a->history) - k,
		    "%s%04d-%02d", i ? "," : "", months[i] / 12,
		    months[i] % 12 + 1);
	free(months);
	a->duplicate = view_duplicate(v, applicant, period);

	a->job.nrec = 2;
	a->job.doc = a->body;
	a->job.doclen = strlen(a->body);
	audit_hex(sha, 32, a->job.doc_sha);
	snprintf(a->job.doc_month, sizeof(a->job.doc_month), "2026-11");
	audit_actor(actor, sizeof(actor), "eservice", "Kommun A");
	rec = &a->job.rec[0];
	rec->type = "received";
	snprintf(rec->actor, sizeof(rec->actor), "%s", actor);
	rec->with_doc = 1;
	abuf_kv(&rec->payload, "id", id);
	audit_hex(sha, 32, hex);
	abuf_kv(&rec->payload, "sha256", hex);
	abuf_kvf(&rec->payload, "size", "%zu", strlen(a->body));
	abuf_kv(&rec->payload, "applicant", applicant);
	if (partner[0] != '\0')
		abuf_kv(&rec->payload, "partner", partner);
	abuf_kvf(&rec->payload, "period", "%04d-%02d", year, month);
	rec = &a->job.rec[1];
	rec->type = "evaluated";
	snprintf(rec->actor, sizeof(rec->actor), "automated");
	abuf_kv(&rec->payload, "id", id);
	abuf_kv(&rec->payload, "ruleset", RULESET);
	abuf_kvf(&rec->payload, "norm_year", "%d", year);
	abuf_kv(&rec->payload, "outcome", granted ? "granted" : "routed");
	if (granted)
		abuf_kvf(&rec->payload, "amount", "%d", 5000);
	abuf_kv(&rec->payload, "reasons", granted ? "" : "NEEDS_REVIEW");
	if (!granted) {
		abuf_kv(&rec->payload, "priority", "normal");
		abuf_kv(&rec->payload, "due", "2026-11-24T10:00:00Z");
	}
	abuf_kv(&rec->payload, "received_at", "1795356137");
	abuf_kv(&rec->payload, "history", a->history);
	abuf_kvf(&rec->payload, "duplicate", "%d", a->duplicate);
	abuf_kv_b64(&rec->payload, "decision", a->doc, strlen(a->doc));
	a->job.done = japp_done;
	a->job.arg = a;
	ck_assert_ptr_nonnull(a->app = view_pending(v, id, sha,
	    view_actor_hash(actor), applicant, partner, period));
}

/* The ruleset record, as core.c writes it before the first case. */
struct jrs {
	struct audit_job	 job;
	struct view		*view;
};

static void
jrs_done(struct audit_job *j)
{
	struct jrs *r = j->arg;

	ndone++;
	ck_assert_int_eq(j->ok, 1);
	ck_assert_int_eq(view_add_ruleset(r->view, RULESET), 0);
}

/* Every key of a map, for comparing two views. */
static void
same_keys(const struct map *a, const struct map *b)
{
	size_t i;

	ck_assert_uint_eq(a->n, b->n);
	for (i = 0; i < a->cap; i++)
		if (map_at(a, i) != NULL)
			ck_assert_ptr_nonnull(map_get(b, MAP_KEY(a,
			    map_at(a, i))));
}

/* The same (pseudonym, period) fingerprints with the same counts. */
static void
same_periods(const struct view_periods *a, const struct view_periods *b)
{
	size_t i, j;

	ck_assert_uint_eq(a->n, b->n);
	for (i = 0; i < a->cap; i++) {
		if ((a->slots[i] & 0xfffff) == 0)
			continue;
		for (j = 0; j < b->cap && b->slots[j] != a->slots[i]; j++)
			;
		ck_assert_uint_lt(j, b->cap);
	}
}

static void
same_views(struct view *live, struct view *re)
{
	const struct view_app	*x, *y;
	char			 h1[2048], h2[2048];
	char			 xa[AUDIT_PSEUDO_LEN], xb[AUDIT_PSEUDO_LEN];
	char			 ya[AUDIT_PSEUDO_LEN], yb[AUDIT_PSEUDO_LEN];
	size_t			 i;

	same_keys(&live->apps, &re->apps);
	same_keys(&live->persons, &re->persons);
	same_periods(&live->periods, &re->periods);
	same_keys(&live->rulesets, &re->rulesets);
	for (i = 0; i < live->apps.cap; i++) {
		if ((x = map_at(&live->apps, i)) == NULL)
			continue;
		y = view_app(re, x->id);
		ck_assert_ptr_nonnull(y);
		ck_assert_int_eq(memcmp(x->sha, y->sha, 32), 0);
		ck_assert_uint_eq(x->submitter, y->submitter);
		view_app_persons(x, xa, xb);
		view_app_persons(y, ya, yb);
		ck_assert_str_eq(xa, ya);
		ck_assert_str_eq(xb, yb);
		ck_assert_int_eq(x->period, y->period);
		ck_assert_int_eq(x->pending, 0);
		ck_assert_int_eq(y->pending, 0);
		ck_assert_int_eq(x->granted, y->granted);
		ck_assert_int_eq(x->eval_off, y->eval_off);
		ck_assert_uint_eq(x->eval_len, y->eval_len);
		ck_assert_int_eq(view_duplicate(live, xa, x->period), 1);
		ck_assert_int_eq(view_duplicate(re, xa, x->period), 1);
		hist(live, xa, xb, INT_MAX, h1, sizeof(h1));
		hist(re, xa, xb, INT_MAX, h2, sizeof(h2));
		ck_assert_str_eq(h1, h2);
		hist(live, xa, xb, x->period, h1, sizeof(h1));
		hist(re, xa, xb, x->period, h2, sizeof(h2));
		ck_assert_str_eq(h1, h2);
	}
}

static char *
slurp_trail(size_t *len)
{
	FILE	*f = fopen(trail, "rb");
	char	*b;
	long	 n;

	ck_assert_ptr_nonnull(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	ck_assert_ptr_nonnull(b = malloc((size_t)n + 1));
	ck_assert_uint_eq(fread(b, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	b[n] = '\0';
	*len = (size_t)n;
	return b;
}

/* The decision as stored: the evaluated record at eval_off/eval_len. */
static void
check_stored(const char *file, size_t flen, struct view *v,
    const struct japp *a)
{
	struct view_app		*app = view_app(v, a->id);
	struct audit_record	 r;
	char			 why[128], id[32], *doc;
	size_t			 n;

	ck_assert_ptr_nonnull(app);
	ck_assert_uint_le((size_t)app->eval_off + app->eval_len, flen);
	ck_assert_int_eq(audit_parse(file + app->eval_off, app->eval_len, &r,
	    why, sizeof(why)), 0);
	ck_assert_int_eq(audit_is(&r, "evaluated"), 1);
	ck_assert_int_eq(audit_get(&r, "id", id, sizeof(id)), 0);
	ck_assert_str_eq(id, a->id);
	ck_assert_int_eq(audit_get_b64(&r, "decision", &doc, &n), 0);
	ck_assert_uint_eq(n, strlen(a->doc));
	ck_assert_int_eq(memcmp(doc, a->doc, n), 0);
	free(doc);
}

START_TEST(replay_equivalence)
{
	static const struct {
		const char	*id, *pnr, *partner;
		int		 y, m, granted;
	} wave1[] = {
		{ "A-2026-09", "197001011239", "197002021238", 2026, 9, 1 },
		{ "A-2026-10", "197001011239", NULL, 2026, 10, 0 },
		{ "C-2026-10", "198003031237", NULL, 2026, 10, 1 },
		{ "B-2026-08", "197002021238", NULL, 2026, 8, 1 },
	}, wave2[] = {
		/* Both partners' months, and a duplicate period. */
		{ "B-2026-11", "197002021238", "197001011239", 2026, 11, 1 },
		{ "A-2026-10b", "197001011239", NULL, 2026, 10, 0 },
		{ "C-2026-11", "198003031237", NULL, 2026, 11, 1 },
		{ "D-2026-11", "199004041236", "198003031237", 2026, 11, 0 },
	};
	enum { N1 = 4, N2 = 4 };
	struct view		 live, re, re2;
	struct audit_writer	*w;
	struct audit_scan	 s, s2;
	struct japp		*apps = calloc(N1 + N2, sizeof(*apps));
	struct japp		 gone;
	struct jrs		 rs;
	char			*file;
	size_t			 flen, i;

	memset(&live, 0, sizeof(live));
	memset(&re, 0, sizeof(re));
	memset(&re2, 0, sizeof(re2));
	w = wstart(&live, &s);
	ck_assert_uint_eq(s.nrecords, 0);

	/* The rule set's record first, as core.c does. */
	memset(&rs, 0, sizeof(rs));
	rs.view = &live;
	rs.job.nrec = 1;
	rs.job.rec[0].type = "ruleset";
	snprintf(rs.job.rec[0].actor, sizeof(rs.job.rec[0].actor), "daemon");
	abuf_kv(&rs.job.rec[0].payload, "hash", RULESET);
	abuf_kv(&rs.job.rec[0].payload, "files", "main.lua,params/norm.lua");
	rs.job.done = jrs_done;
	rs.job.arg = &rs;
	audit_writer_submit(w, &rs.job);
	for (i = 0; i < N1; i++) {
		japp_build(&apps[i], &live, wave1[i].id, wave1[i].pnr,
		    wave1[i].partner, wave1[i].y, wave1[i].m,
		    wave1[i].granted);
		audit_writer_submit(w, &apps[i].job);
	}
	/* One that never reached the writer (a failed request). */
	japp_build(&gone, &live, "X-2026-10", "197001011239", NULL, 2026, 10,
	    1);
	view_abort(&live, gone.app);
	audit_job_clear(&gone.job);
	drive(1 + N1);
	for (i = 0; i < N2; i++) {
		japp_build(&apps[N1 + i], &live, wave2[i].id, wave2[i].pnr,
		    wave2[i].partner, wave2[i].y, wave2[i].m,
		    wave2[i].granted);
		audit_writer_submit(w, &apps[N1 + i].job);
	}
	drive(1 + N1 + N2);
	audit_writer_stop(w);

	/* What the live views saw when deciding (as the evaluated record
	 * says): the second wave saw the first. */
	ck_assert_str_eq(apps[0].history, "");
	ck_assert_int_eq(apps[1].duplicate, 0);
	ck_assert_str_eq(apps[4].history, "2026-08,2026-09");
	ck_assert_int_eq(apps[5].duplicate, 1);
	ck_assert_str_eq(apps[6].history, "2026-10");
	ck_assert_str_eq(apps[7].history, "2026-10");
	ck_assert_uint_eq(live.apps.n, N1 + N2);

	/* Replay the trail into a fresh view: the same views. */
	ck_assert_int_eq(audit_scan_file(trail, keys, 0, view_replay, &re,
	    &s), 0);
	ck_assert_uint_eq(re.records, s.nrecords);
	same_views(&live, &re);
	ck_assert_int_eq(view_has_ruleset(&re, RULESET), 1);
	ck_assert_ptr_null(view_app(&re, "X-2026-10"));
	ck_assert_ptr_nonnull(file = slurp_trail(&flen));
	for (i = 0; i < N1 + N2; i++)
		check_stored(file, flen, &re, &apps[i]);
	free(file);

	/* And through a restart, as core_open does it. */
	w = wstart(&re2, &s2);
	ck_assert_uint_eq(s2.nrecords, s.nrecords);
	audit_writer_stop(w);
	same_views(&live, &re2);

	for (i = 0; i < N1 + N2; i++)
		audit_job_clear(&apps[i].job);
	audit_job_clear(&rs.job);
	free(apps);
	view_free(&live);
	view_free(&re);
	view_free(&re2);
}
END_TEST

static Suite *
view_suite(void)
{
	Suite	*s = suite_create("view");
	TCase	*tc;

	tc = tcase_create("map");
	tcase_add_test(tc, map_basic);
	tcase_add_test(tc, map_keyoff);
	tcase_add_test(tc, map_tombstones);
	tcase_add_test(tc, map_growth);
	tcase_add_test(tc, map_churn);
	suite_add_tcase(s, tc);

	tc = tcase_create("view");
	tcase_add_test(tc, view_pending_commit_abort);
	tcase_add_test(tc, view_routed_is_no_month);
	tcase_add_test(tc, view_events_and_waiters);
	tcase_add_test(tc, view_history_union);
	tcase_add_test(tc, view_rulesets_and_actors);
	tcase_add_test(tc, view_replay_rules);
	tcase_add_test(tc, view_replay_half_job);
	tcase_add_test(tc, queue_claims_and_decisions);
	tcase_add_test(tc, queue_follow_up_and_order);
	tcase_add_test(tc, queue_reasons_and_names);
	suite_add_tcase(s, tc);

	tc = tcase_create("replay");
	tcase_set_timeout(tc, 60);
	tcase_add_checked_fixture(tc, setup_writer, teardown_writer);
	tcase_add_test(tc, replay_equivalence);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner	*sr;
	int	 failed;

	/* The writer thread wakes the loop: libevent must know threads. */
	if (evthread_use_pthreads() == -1)
		return EXIT_FAILURE;
	sr = srunner_create(view_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
