/*
 * config.h: the configuration file (bistandd.conf).
 *
 * One setting per line, "key value", '#' starts a comment. Every key is
 * documented in etc/bistandd.conf. Relative paths are taken relative to
 * the directory of the configuration file. An error message names the
 * file, the line and what is wrong: "FILE:LINE: message".
 */
#ifndef BISTAND_CONFIG_H
#define BISTAND_CONFIG_H

#include <stddef.h>

struct config {
	char	*path;			/* the file it came from */
	char	*listen_host;		/* numeric address */
	int	 listen_port;
	char	*tls_certificate;
	char	*tls_key;
	char	*tls_client_ca;
	char	*tls_ciphers;		/* TLS 1.2 list; 1.3 suites fixed */
	int	 tls_min_version;	/* TLS1_2_VERSION or TLS1_3_VERSION */
	char	*state_dir;
	char	*schema_dir;
	char	*rules_dir;		/* the rule set (docs/rules.md) */
	char	*examples_dir;		/* applications a new rule set must
					   evaluate without RULE_FAILURE */
	int	 rules_instructions;	/* per case */
	size_t	 rules_memory;		/* bytes per Lua state */
	int	 workers;		/* evaluation threads; 0: the loop
					   evaluates (needs a restart) */
	int	 due_hours;		/* routed case */
	int	 urgent_due_hours;	/* urgent routed case */
	int	 follow_up_days;	/* LONG_TERM follow-up task */
	int	 claim_idle_minutes;	/* a claim lapses after this */
	int	 audit_checkpoint_records;
	int	 audit_checkpoint_seconds;
	size_t	 max_body_size;		/* bytes */
	size_t	 max_header_size;	/* bytes, all headers together */
	int	 timeout;		/* seconds idle on a connection */
	int	 max_connections;
	int	 shutdown_timeout;	/* seconds to finish in-flight work */
	int	 verbose;		/* debug logging */
};

/* Parse path into a new config. 0 on success; -1 with a message of the
 * form "FILE:LINE: what is wrong" in err. */
int	config_load(const char *path, struct config **out, char *err,
	    size_t errlen);
void	config_free(struct config *);
/* Join dir and name into a new string ("dir/name"); NULL on ENOMEM. */
char	*config_path_join(const char *dir, const char *name);

#endif
