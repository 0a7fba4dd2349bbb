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
#include "map.h"

struct view_waiter;

struct view_app {
	char		 id[65];
	unsigned char	 sha[32];	/* of the application bytes */
	uint64_t	 submitter;	/* hash of the submitting actor */
	char		 applicant[AUDIT_PSEUDO_LEN];
	char		 partner[AUDIT_PSEUDO_LEN];	/* "" when none */
	int		 period;	/* year*12 + month-1 */
	int		 pending;	/* records not durable yet */
	int		 granted;	/* current outcome is a grant */
	off_t		 eval_off;	/* the current decision's record */
	uint32_t	 eval_len;
	struct view_waiter *waiters;	/* same request again, pending */
};

struct view {
	struct map	 apps;		/* id → view_app */
	struct map	 persons;	/* pseudonym → months granted */
	struct map	 periods;	/* "pseudonym/period" → count */
	struct map	 rulesets;	/* rule-set hashes in the trail */
	uint64_t	 records;	/* replayed */
};

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
 * (so duplicates and repeats see it). NULL on ENOMEM. */
struct view_app *view_pending(struct view *, const char *id,
	    const unsigned char sha[32], uint64_t submitter,
	    const char *applicant, const char *partner, int period);
/* Its records are durable: the evaluated record at off/len. */
int	view_commit(struct view *, struct view_app *, int granted, off_t off,
	    uint32_t len);
/* Its records could not be written: forget it. */
void	view_abort(struct view *, struct view_app *);
/* After replay: forget applications whose `received` survived a crash
 * without its `evaluated` (never acknowledged); a resubmission then
 * starts afresh. Returns how many. */
size_t	view_drop_pending(struct view *);

#endif
