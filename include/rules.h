/*
 * rules.h: the digital caseworker — a sandboxed Lua 5.4 rule engine.
 *
 * A struct rules is one loaded rule set in one Lua state, for one
 * worker thread. The scripts are compiled once at load; every case
 * runs them again in a fresh environment with a fresh input table, so
 * no case can see another. Scripts get only the safe parts of the base
 * library, string, table, math and utf8 (see docs/rules.md), and each
 * case has an instruction and a memory budget. Any script error,
 * exhausted budget or malformed result gives a decision routed with
 * RULE_FAILURE; the caller always gets a decision.
 *
 * The Lua-side contract (input table, result table, file layout, the
 * rule-set hash) is docs/rules.md.
 */
#ifndef BISTAND_RULES_H
#define BISTAND_RULES_H

#include <stddef.h>
#include <stdint.h>

#include "application.h"
#include "decision.h"

struct rules;

struct rules_limits {
	uint64_t	 instructions;	/* per case; default 10 000 000 */
	size_t		 memory;	/* bytes per Lua state; default 32 MiB */
};

/* What the daemon knows beyond the application itself. */
struct rules_context {
	const int	*months;	/* months with försörjningsstöd before
					   the period from the daemon's own
					   records (year*12 + month-1),
					   ascending; may be NULL */
	size_t		 nmonths;
	int		 duplicate_period; /* another application for the
					      same applicant and period */
};

/* Load every rule file of dir (docs/rules.md says which, in what
 * order), compile and hash them. NULL-safe limits (defaults). 0, or -1
 * with err filled. */
int	rules_load(const char *dir, const struct rules_limits *,
	    struct rules **out, char *err, size_t errlen);
void	rules_free(struct rules *);
/* SHA-256 hex of the rule set (docs/rules.md gives the exact input). */
const char *rules_hash(const struct rules *);
/* The files of the rule set, in load order, exactly as hashed. */
size_t	rules_nfiles(const struct rules *);
void	rules_file(const struct rules *, size_t i, const char **name,
	    const char **data, size_t *len);
/* Bytes the Lua state holds now (for the benchmark's report). */
size_t	rules_memory(const struct rules *);

/* Evaluate one case into d (zeroed by the caller or fresh). Fills the
 * calculation, reasons, norm year and rule-set hash; on any script
 * failure d holds RULE_FAILURE and d->failure the error with its
 * traceback. Does not decide the outcome: call decision_finish().
 * 0, or -1 only when C itself is out of memory. */
int	rules_eval(struct rules *, const struct application *,
	    const struct rules_context *, struct decision *d);

/*
 * rules_mem.c: the lua_Alloc of every rule state. It keeps the bytes in
 * use under limit: a request that would pass it fails (Lua then runs an
 * emergency collection and, if that does not help, raises a memory
 * error); freeing and shrinking always succeed. Small blocks come from
 * an arena of the state's own (rules_mem.c says why and how). Exposed
 * for its tests.
 */
struct rules_arena;
struct rules_mem {
	size_t			 used;
	size_t			 limit;
	size_t			 peak;
	struct rules_arena	*arena;		/* the small blocks; mapped on
						   first use */
	int			 noarena;	/* malloc only: the mapping
						   failed (or a test says) */
};
void	*rules_mem_alloc(void *ud, void *ptr, size_t osize, size_t nsize);
/* Bytes of the arena's pages that may be resident: the pages in use
 * and the empty ones kept for reuse. */
size_t	 rules_mem_held(const struct rules_mem *);
/* Unmap the arena; after lua_close (every block freed), or after the
 * tests' last free. */
void	 rules_mem_release(struct rules_mem *);

#endif
