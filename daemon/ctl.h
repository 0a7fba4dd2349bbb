/*
 * ctl.h: what bistandctl.c and the ctl_*.c subcommand files share.
 */
#ifndef BISTAND_CTL_H
#define BISTAND_CTL_H

#include <stddef.h>

#include "decision.h"
#include "rules.h"

struct app_schema;

/* Where the offline commands find schema, rules, state and due times:
 * the build's defaults, a bistandd.conf (-f), or single options. */
struct ctl_env {
	char			*schema;	/* application.xsd */
	char			*rules_dir;
	char			*state_dir;	/* NULL unless -f/--state */
	struct dec_policy	 policy;
	struct rules_limits	 lim;
};

extern const char ctl_env_help[];

int	ctl_env_default(struct ctl_env *);
int	ctl_env_config(struct ctl_env *, const char *path);
/* The options every offline command shares: -f CONFIG, --schema FILE
 * ('s'), --rules DIR ('r'), --state DIR ('S'). 1 when ch was one of
 * them and applied, 0 when it is not, -1 on error. */
int	ctl_env_opt(struct ctl_env *, int ch, const char *arg);
void	ctl_env_free(struct ctl_env *);
int	ctl_set(char **p, const char *v);
int	ctl_read(const char *path, char **buf, size_t *len);
int	ctl_schema(const struct ctl_env *, struct app_schema **);

/* ctl_audit.c */
int	ctl_audit(int argc, char *argv[]);

#endif
