/*
 * core.h: what lives as long as the daemon and outlives every reload —
 * the audit keys, the writer, the views and a reader of the trail.
 */
#ifndef BISTAND_CORE_H
#define BISTAND_CORE_H

#include <stddef.h>

#include "audit.h"
#include "view.h"

struct event_base;
struct rules;
struct config;

struct core {
	char			*state_dir;
	struct audit_keys	*keys;
	struct audit_writer	*writer;
	struct view		 view;
	struct audit_scan	 scan;		/* what start-up found */
	int			 trail_fd;	/* read-only */
	struct pool		*pool;		/* evaluation workers, or NULL
						   (workers 0) */
	int			 nworkers;
};

/* Open the state directory: keys (made on first start), the trail
 * (torn tail cut, everything verified and replayed into the views),
 * the writer thread. 0, or -1 with err: then the daemon must not
 * serve. */
int	core_open(struct event_base *, const struct config *,
	    const char *ruleset, struct core **out, char *err, size_t errlen);
/* Keep a copy of the rule set under rulesets/<hash>/ and record it in
 * the trail, once per rule set. 0, or -1 (logged). */
int	core_archive_ruleset(struct core *, const struct rules *);
/* The current decision document of an application, from its record.
 * 0 (*doc malloc'ed), or -1. */
int	core_read_decision(struct core *, const struct view_app *,
	    char **doc, size_t *len);
/* Apply a durable record to the views exactly as replay at start-up
 * would: read it back from the trail and replay it. 0, or -1. */
int	core_apply(struct core *, off_t off, size_t len);
/* Read one record back; *line malloc'ed, r points into it. 0 or -1. */
int	core_read_record(struct core *, off_t off, size_t len, char **line,
	    struct audit_record *r);
/* Stop the writer (final checkpoint) and free everything. */
void	core_close(struct core *);

#endif
