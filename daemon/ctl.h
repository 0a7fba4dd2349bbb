/*
 * ctl.h: what bistandctl.c and the ctl_*.c subcommand files share.
 */
#ifndef BISTAND_CTL_H
#define BISTAND_CTL_H

#include <stddef.h>
#include <stdio.h>

#include <event2/http.h>

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

/* ctl_client.c: the HTTPS client of the caseworker and auditor
 * commands (mutual TLS, libevent's evhttp over bufferevent_openssl). */

/* Long-only connection options; put CTL_CONN_OPTS into a command's
 * getopt_long table and "c:" into its short options. */
#define CTL_OPT_SERVER	0x100
#define CTL_OPT_CERT	0x101
#define CTL_OPT_KEY	0x102
#define CTL_OPT_CA	0x103
#define CTL_CONN_OPTS \
	{ "server", required_argument, NULL, CTL_OPT_SERVER }, \
	{ "cert", required_argument, NULL, CTL_OPT_CERT }, \
	{ "key", required_argument, NULL, CTL_OPT_KEY }, \
	{ "ca", required_argument, NULL, CTL_OPT_CA }, \
	{ "config", required_argument, NULL, 'c' }

/* Connection settings: options first, then the client configuration
 * file fills in what they left out. */
struct ctl_conn {
	char	*conf;		/* -c FILE; NULL: the default file */
	char	*server;	/* https://HOST[:PORT] */
	char	*cert;
	char	*key;
	char	*ca;
	int	 timeout;	/* seconds; 0 until known */
};

/* One answer of the server. */
struct ctl_reply {
	int	 status;	/* HTTP status */
	char	 reason[64];	/* its reason phrase */
	char	*body;		/* NUL-terminated */
	size_t	 len;
	char	*next_after;	/* X-Audit-Next-After, or NULL */
};

struct ctl_client;
struct _xmlDoc;
struct _xmlNode;

/* A parsed answer; the strings handed out live until ctl_doc_free(). */
struct ctl_doc {
	struct _xmlDoc	*doc;
	struct _xmlNode	*root;
	char		**strs;
	size_t		 nstrs;
};

extern const char ctl_conn_help[];

/* 1 when ch was a connection option and applied, 0 when not, -1 on
 * error (like ctl_env_opt). */
int	ctl_conn_opt(struct ctl_conn *, int ch, const char *arg);
void	ctl_conn_free(struct ctl_conn *);
/* Complete the settings from the configuration file and load the
 * certificate, key and CA. NULL with the reason printed. */
struct ctl_client *ctl_client_open(struct ctl_conn *);
void	ctl_client_free(struct ctl_client *);
/* One request on a connection of its own. 0 when the server answered
 * (any status), -1 when not (why is printed). r is the caller's to
 * free with ctl_reply_free() either way. */
int	ctl_client_request(struct ctl_client *, enum evhttp_cmd_type,
	    const char *path, const char *body, size_t len,
	    struct ctl_reply *r);
/* The same, as a command's exit status: 0 on a 2xx answer; 1 refused,
 * "bistandctl: 409 CONFLICT: message" printed; 2 no answer. */
int	ctl_client_call(struct ctl_client *, enum evhttp_cmd_type,
	    const char *path, const char *body, size_t len,
	    struct ctl_reply *r);
void	ctl_reply_free(struct ctl_reply *);

/* Hardened parse of an answer; root: the required local name of the
 * root element, or NULL. 0, or -1. */
int	ctl_doc_parse(struct ctl_doc *, const char *buf, size_t len,
	    const char *root);
void	ctl_doc_free(struct ctl_doc *);
/* Elements by local name (NULL: any), whatever their namespace. */
struct _xmlNode *ctl_elem(struct _xmlNode *from, const char *name);
struct _xmlNode *ctl_child(struct _xmlNode *parent, const char *name);
struct _xmlNode *ctl_next(struct _xmlNode *n, const char *name);
/* Text content and attributes; NULL when absent. */
const char *ctl_text(struct ctl_doc *, struct _xmlNode *);
const char *ctl_ctext(struct ctl_doc *, struct _xmlNode *parent,
	    const char *child);
const char *ctl_attr(struct ctl_doc *, struct _xmlNode *,
	    const char *name);
/* A request body <root xmlns="ns"><k>v</k>...</root> from nkv strings
 * k, v, ... (a NULL v is left out); *out is the caller's. 0, or -1. */
int	ctl_xml_body(const char *ns, const char *root,
	    const char *const *kv, size_t nkv, char **out, size_t *len);
/* NULL when s may be sent as text of at most max characters, else why
 * not ("is empty", "holds a control character", ...). */
const char *ctl_text_check(const char *s, size_t max);

/* Output for people. ctl_put prints foreign text with control
 * characters defused (oneline: newlines and tabs as spaces too). */
void	ctl_put(FILE *, const char *s, int oneline);
int	ctl_width(const char *s);
void	ctl_cell(const char *s, int width);
const char *ctl_when(const char *rfc3339, char *buf, size_t len);
const char *ctl_kronor(const char *amount, char *buf, size_t len);
int	ctl_id_ok(const char *id);
int	ctl_query_add(char **path, const char *key, const char *val);

int	ctl_audit_records(int argc, char *argv[]);

/* ctl_cases.c: the caseworker commands */
int	ctl_queue(int argc, char *argv[]);
int	ctl_case(int argc, char *argv[]);
int	ctl_case_action(int argc, char *argv[]);

#endif
