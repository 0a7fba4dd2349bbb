/*
 * rules_int.h: what rules.c, rules_io.c and rules_mem.c share, and
 * nothing outside the rules module may use.
 */
#ifndef BISTAND_RULES_INT_H
#define BISTAND_RULES_INT_H

#include <lua.h>

#include "application.h"
#include "decision.h"
#include "rules.h"

struct rules_chunk {
	char		*name;		/* relative path, e.g. params/x.lua */
	int		 ref;		/* compiled function in the registry */
	char		*src;		/* the exact bytes hashed, for the
					   archive of rule sets */
	size_t		 len;
};

struct rules {
	lua_State		*L;
	struct rules_limits	 lim;
	struct rules_mem	 mem;
	unsigned long long	 steps;	/* instructions of the current case */
	int			 tpl_base;	/* registry refs: the */
	int			 tpl_libs;	/* env's templates (rules.c) */
	struct rules_chunk	*chunks;
	size_t			 nchunks;
	char			 hash[65];
};

/* One case, handed through lua_pcall as light userdata. */
struct rules_job {
	struct rules			*r;
	const struct application	*app;
	const struct rules_context	*ctx;
	struct decision			*d;
};

/* rules_io.c; both raise Lua errors, so they run inside the pcall. */
void	rules_push_case(lua_State *, const struct application *,
	    const struct rules_context *);
void	rules_read_result(lua_State *, int idx, struct decision *);

#endif
