/*
 * state.h: everything a reload replaces, built as one unit.
 *
 * state_load() reads the configuration and builds from it the TLS
 * context, the schema and the rule set — which must first evaluate
 * every example application without a rule failure. Only a completely
 * built state is ever handed to the server, so a bad file or a broken
 * rule set on SIGHUP leaves the old state running. `bistandd -t` is
 * state_load() and nothing else.
 */
#ifndef BISTAND_STATE_H
#define BISTAND_STATE_H

#include <stdatomic.h>
#include <stddef.h>

#include <openssl/ssl.h>

#include "decision.h"
#include "rules.h"

struct config;
struct app_schema;
struct rules;

struct state {
	struct config		*conf;
	SSL_CTX			*ssl_ctx;
	struct app_schema	*schema;
	struct app_schema	*decision_schema;	/* decision-request */
	struct app_schema	*request_schema;	/* caseworker requests */
	struct rules		*rules;		/* the event loop's; also wrules[0] */
	struct rules		**wrules;	/* one per worker (pool.h) */
	int			 nworkers;	/* conf->workers */
	struct dec_policy	 policy;	/* due times */
	size_t			 nexamples;	/* evaluated at load */
	/* The loop holds one reference; each application being evaluated
	 * by a worker holds one more, so a reload can swap states while
	 * cases of the old rule set are still being evaluated. */
	atomic_int		 refs;
};

int	state_load(const char *path, struct state **out, char *err,
	    size_t errlen);
/* Another reference (any thread). */
void	state_hold(struct state *);
/* Drop a reference; the last one frees the state (any thread). */
void	state_free(struct state *);
/* Load and self-test a rule set on the applications in examples_dir:
 * each must parse and evaluate without RULE_FAILURE. Used by
 * state_load() and by bistandctl eval --rules. 0, or -1 with err. */
int	state_rules_load(const char *rules_dir, const char *examples_dir,
	    const struct app_schema *, const struct rules_limits *,
	    struct rules **out, size_t *nexamples, char *err, size_t errlen);

#endif
