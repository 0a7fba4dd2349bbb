/*
 * view.h: what the daemon knows, derived from the audit trail.
 *
 * The trail is the single source of truth: at start-up view_replay()
 * rebuilds every view from it (through audit_writer_start's scan), and
 * afterwards the views change only when a record became durable
 * (view_commit_*), plus a "pending" mark for applications whose records
 * are being written, so that a second request for the same id or the
 * same person and period is seen at once. All on the loop thread.
 */
#ifndef BISTAND_VIEW_H
#define BISTAND_VIEW_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "audit.h"
#include "decision.h"
#include "map.h"

struct view_waiter;
struct view_wait;
struct q_item;

/* A record of the trail about one application (its case history).
 * Packed: 12 bytes, not 16, in every view_app. */
struct view_event {
	off_t		 off;
	uint32_t	 len;
} __attribute__((packed));

/* One per application held: a municipality's trail holds 100 000s, so
 * the fields are ordered against padding, the flags are bits, the
 * pseudonyms are their 16 bytes (view_app_persons() spells them), the
 * first two events (received, evaluated: most cases have no more) live
 * inside, and the id is allocated to its length. */
struct view_app {
	unsigned char	 sha[32];	/* of the application bytes */
	uint64_t	 submitter;	/* hash of the submitting actor */
	off_t		 eval_off;	/* the current decision's record */
	struct q_item	*item;		/* in the queue, or NULL */
	/* received, evaluated, claimed, …: in[] up to two, then all on
	 * the heap (view_events() picks). */
	union {
		struct view_event	 in[2];
		struct view_event	*heap;
	}		 ev;
	uint32_t	 eval_len;
	uint32_t	 nevents;
	int		 period;	/* year*12 + month-1 */
	uint8_t		 pending:1;	/* records not durable yet */
	uint8_t		 granted:1;	/* current outcome is a grant */
	uint8_t		 busy:1;	/* a caseworker's record about it is
					   being written: one change at a time */
	uint8_t		 decided:1;	/* a caseworker decided it */
	uint8_t		 completed:1;	/* its follow-up task is done */
	uint8_t		 has_partner:1;
	uint8_t		 waited:1;	/* has view_waiters() */
	unsigned char	 applicant[16];	/* the pseudonym's bytes */
	unsigned char	 partner[16];	/* zeros when none */
	char		 id[];		/* 1 to 64 characters */
};

/* The application's records, a->nevents of them. */
const struct view_event *view_events(const struct view_app *);
/* The pseudonyms as the trail spells them (partner "" when none). */
void	view_app_persons(const struct view_app *,
	    char applicant[AUDIT_PSEUDO_LEN], char partner[AUDIT_PSEUDO_LEN]);

/* queue.c: the caseworkers' queue (docs/caseworker-api.md). */
enum q_kind { Q_CASE, Q_FOLLOW_UP };

struct q_item {
	struct view_app	*app;
	int64_t		 received;	/* epoch seconds */
	int64_t		 due;
	int64_t		 claimed_at;
	/* CNs are interned in the view, by number (view_cn() spells
	 * them; 0 is ""): one copy per caseworker, 4 bytes an item. */
	uint32_t	 holder;	/* queue_holder() */
	uint32_t	 preferred;	/* queue_preferred() */
	uint32_t	 qidx;		/* in view.queue while open */
	uint8_t		 kind:1;	/* enum q_kind */
	uint8_t		 urgent:1;
	uint8_t		 closed:2;	/* 0 in the queue, 1 decided,
					   2 completed */
	uint8_t		 has_other:1;	/* reason[] holds queue_other() */
	uint8_t		 nreasons;
	/* The reasons in the record's order, as decision_reason_index()
	 * numbers (queue_reasons_text() spells them); a follow-up's reason
	 * is LONG_TERM. A code this version does not know (a trail from a
	 * later one) keeps the record's whole list instead, as text here
	 * (queue_other()). Allocated to its length: with up to ten
	 * reasons an item takes at most 56 bytes (a malloc chunk of 64),
	 * in a queue of 100 000s. */
	uint8_t		 reason[];
};

/* The open items: membership and iteration is all the queue needs (an
 * item finds itself through its application), so a dense array with
 * swap-remove, not a map. */
struct view_queue {
	struct q_item	**items;	/* in no particular order */
	size_t		  n, cap;
};

/*
 * Applications held per applicant and period, for duplicates: keyed by
 * a 44-bit fingerprint of (pseudonym, period), no key stored, no
 * allocation per entry. Two pairs sharing a fingerprint would share a
 * count, so an application could be seen as a duplicate when it is
 * not (the only effect: DUPLICATE_PERIOD routes it to a caseworker);
 * with linear probing at most 70 % full a lookup compares about 3
 * fingerprints, so about 3 / 2^44 = 2e-13 per application: a million
 * applications a year would see one in 5 million years.
 */
struct view_periods {
	uint64_t	*slots;		/* fingerprint << 20 | count;
					   0 empty, count 0 deleted */
	size_t		 cap, n, used;
};

struct view {
	struct map	 apps;		/* id → view_app */
	struct map	 persons;	/* pseudonym → months granted */
	struct view_periods periods;	/* (pseudonym, period) → count */
	struct map	 rulesets;	/* rule-set hashes in the trail */
	struct view_queue queue;	/* the open items */
	/* Requests for a pending application, the same again: a few at
	 * a time, so a short array, not a pointer in every view_app. */
	struct view_wait *waits;
	size_t		 nwaits, capwaits;
	struct map	 cns;		/* interned caseworker names */
	const char	**cn;		/* the same by number - 1 */
	size_t		  ncn, capcn;
	uint64_t	 records;	/* replayed */
	uint64_t	 ignored;	/* caseworker records that did not fit
					   the case's state (kept, no effect) */
};

/* The one copy of a caseworker's name s in the view ("" for ""), alive
 * until view_free; NULL on ENOMEM. */
const char *view_intern(struct view *, const char *s);
/* The same as a number (0 for ""), for view_cn. 0 or -1 ENOMEM. */
int	view_intern_id(struct view *, const char *s, uint32_t *id);
const char *view_cn(const struct view *, uint32_t id);

/* An audit_visit for audit_writer_start: replay one record. */
int	view_replay(const struct audit_record *, void *view);
void	view_free(struct view *);	/* contents */

struct view_app *view_app(struct view *, const char *id);
uint64_t view_actor_hash(const char *actor);

/* Months (year*12 + month-1) with försörjningsstöd before period for a
 * household of applicant and partner (may be ""), ascending, unique,
 * into a new array. 0 or -1 ENOMEM. */
int	view_history(struct view *, const char *applicant,
	    const char *partner, int period, int **months, size_t *n);
/* 1 when another application of applicant for period is held. */
int	view_duplicate(struct view *, const char *applicant, int period);
int	view_has_ruleset(struct view *, const char *hash);
int	view_add_ruleset(struct view *, const char *hash);

/* An application whose records are being written: held as pending
 * (so duplicates and repeats see it). NULL on ENOMEM, or when a
 * pseudonym is not 32 lowercase hex digits (audit_pseudonym's). */
struct view_app *view_pending(struct view *, const char *id,
	    const unsigned char sha[32], uint64_t submitter,
	    const char *applicant, const char *partner, int period);
/* The list of requests waiting for a's records (the same request
 * again), a head for the caller to link its struct view_waiter into;
 * NULL on ENOMEM. */
struct view_waiter **view_waiters(struct view *, struct view_app *a);
/* That list (NULL when none), taken out of the view. */
struct view_waiter *view_waiters_take(struct view *, struct view_app *a);
/* Its records are durable: the evaluated record at off/len. */
int	view_commit(struct view *, struct view_app *, int granted, off_t off,
	    uint32_t len);
/* Its records could not be written: forget it. */
void	view_abort(struct view *, struct view_app *);
/* A grant or partial grant: the period is a month with aid for the
 * household. */
int	view_grant_month(struct view *, struct view_app *);
/* The caseworker who decided a case of the household. */
int	view_set_caseworker(struct view *, struct view_app *, const char *cn);
/* Remember a record about a (still or already held) application. */
int	view_event_add(struct view_app *, off_t off, uint32_t len);

/* The queue's side of replay (queue.c): an evaluated record may put the
 * application in the queue; claimed, released, assigned, decided and
 * completed records change its item. 0 applied; 1 the record does not
 * fit the case's state (it stays in the trail as evidence but changes
 * nothing, live and in replay alike, so a trail can always be started
 * on); -1 malformed (replay stops). */
int	queue_replay(struct view *, struct view_app *,
	    const struct audit_record *);
/* Out of the open items (closed, or its application forgotten). */
void	queue_remove(struct view *, struct q_item *);
/* The record's reason list when it had a code this version does not
 * know (commas as spaces), else NULL. */
const char *queue_other(const struct q_item *);
/* The item's reason codes, space-separated, into out (always
 * terminated; 17 codes fit in 256 bytes). */
void	queue_reasons_text(const struct q_item *, char *out, size_t len);
/* The holder while the claim is alive at now, else "" (it lapsed). */
const char *queue_holder(const struct view *, const struct q_item *,
	    int64_t now, int idle_minutes);
/* The household's preferred caseworker when the case came, or "". */
const char *queue_preferred(const struct view *, const struct q_item *);
/* 1 while the item is held back for its preferred caseworker. */
int	queue_reserved(const struct q_item *, int64_t now);
/* The first `limit` items matching, in queue order, into a new array
 * of pointers (*n of them); *total counts every item matching. */
struct queue_filter {
	int		 state;		/* 0 all, 1 open, 2 claimed */
	int		 priority;	/* 0 any, 1 urgent, 2 normal */
	int		 kind;		/* 0 any, 1 case, 2 follow-up */
	int		 overdue;	/* only overdue ones */
	const char	*assignee;	/* NULL: anyone */
};
int	queue_list(struct view *, const struct queue_filter *, int64_t now,
	    int idle_minutes, size_t limit, struct q_item ***out, size_t *n,
	    size_t *total);
/* The preferred caseworker of a household (applicant or partner). */
const char *view_preferred(struct view *, const char *applicant,
	    const char *partner);

/* After replay: forget applications whose `received` survived a crash
 * without its `evaluated` (never acknowledged); a resubmission then
 * starts afresh. Returns how many. */
size_t	view_drop_pending(struct view *);

#endif
