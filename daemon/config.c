/*
 * config.c: parse bistandd.conf.
 *
 * The grammar is deliberately small: "key value" per line, '#' comments,
 * blank lines. Each key appears at most once, so an operator never
 * wonders which of two lines wins. The table below is the single list of
 * keys; etc/bistandd.conf documents each one.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>
#include <openssl/ssl.h>

#include "config.h"

#define CONFIG_LINE_MAX	4096
#define KIB		((size_t)1024)
#define MIB		(KIB * 1024)

enum cf_type { CF_PATH, CF_STRING, CF_SIZE, CF_INT, CF_BOOL, CF_LISTEN,
	CF_TLSVER };

struct cf_key {
	const char	*name;
	enum cf_type	 type;
	size_t		 off;		/* offsetof(struct config, …) */
	long long	 min, max;	/* CF_SIZE, CF_INT */
	int		 required;
};

#define O(f)	offsetof(struct config, f)
static const struct cf_key cf_keys[] = {
	{ "listen",		CF_LISTEN, 0, 0, 0, 1 },
	{ "tls_certificate",	CF_PATH, O(tls_certificate), 0, 0, 1 },
	{ "tls_key",		CF_PATH, O(tls_key), 0, 0, 1 },
	{ "tls_client_ca",	CF_PATH, O(tls_client_ca), 0, 0, 1 },
	{ "tls_ciphers",	CF_STRING, O(tls_ciphers), 0, 0, 0 },
	{ "tls_min_version",	CF_TLSVER, O(tls_min_version), 0, 0, 0 },
	{ "state_dir",		CF_PATH, O(state_dir), 0, 0, 1 },
	{ "schema_dir",		CF_PATH, O(schema_dir), 0, 0, 0 },
	{ "rules_dir",		CF_PATH, O(rules_dir), 0, 0, 0 },
	{ "examples_dir",	CF_PATH, O(examples_dir), 0, 0, 0 },
	{ "rules_instructions",	CF_INT, O(rules_instructions), 10000,
	    1000000000, 0 },
	{ "rules_memory",	CF_SIZE, O(rules_memory), MIB, 1024 * MIB, 0 },
	{ "workers",		CF_INT, O(workers), 0, 16, 0 },
	{ "due_hours",		CF_INT, O(due_hours), 1, 720, 0 },
	{ "urgent_due_hours",	CF_INT, O(urgent_due_hours), 1, 720, 0 },
	{ "follow_up_days",	CF_INT, O(follow_up_days), 1, 365, 0 },
	{ "claim_idle_minutes",	CF_INT, O(claim_idle_minutes), 1, 10080, 0 },
	{ "audit_checkpoint_records", CF_INT, O(audit_checkpoint_records), 1,
	    1000000, 0 },
	{ "audit_checkpoint_seconds", CF_INT, O(audit_checkpoint_seconds), 1,
	    86400, 0 },
	{ "max_body_size",	CF_SIZE, O(max_body_size), 1024, 64 * MIB, 0 },
	{ "max_header_size",	CF_SIZE, O(max_header_size), 1024, MIB, 0 },
	{ "timeout",		CF_INT, O(timeout), 1, 3600, 0 },
	{ "max_connections",	CF_INT, O(max_connections), 1, 100000, 0 },
	{ "shutdown_timeout",	CF_INT, O(shutdown_timeout), 1, 3600, 0 },
	{ "verbose",		CF_BOOL, O(verbose), 0, 0, 0 },
};
#undef O
#define NKEYS	(sizeof(cf_keys) / sizeof(cf_keys[0]))

/* Mozilla "intermediate": forward secrecy and AEAD only. */
#define CONFIG_DEFAULT_CIPHERS \
	"ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:" \
	"ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:" \
	"ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305"

char *
config_path_join(const char *dir, const char *name)
{
	char	*p;
	size_t	 n = strlen(dir) + strlen(name) + 2;

	if ((p = malloc(n)) == NULL)
		return NULL;
	snprintf(p, n, "%s/%s", dir, name);
	return p;
}

static int
cf_defaults(struct config *c)
{
	c->tls_min_version = TLS1_2_VERSION;
	c->max_body_size = MIB;
	c->max_header_size = 16 * KIB;
	c->timeout = 30;
	c->max_connections = 1024;
	c->shutdown_timeout = 10;
	c->rules_instructions = 10000000;
	c->rules_memory = 32 * MIB;
	c->workers = 1;
	c->due_hours = 48;
	c->urgent_due_hours = 4;
	c->follow_up_days = 14;
	c->claim_idle_minutes = 120;
	c->audit_checkpoint_records = 1000;
	c->audit_checkpoint_seconds = 60;
	if ((c->tls_ciphers = strdup(CONFIG_DEFAULT_CIPHERS)) == NULL ||
	    (c->schema_dir = strdup(BISTAND_DATADIR)) == NULL ||
	    (c->rules_dir = strdup(BISTAND_DATADIR "/rules")) == NULL ||
	    (c->examples_dir = strdup(BISTAND_DATADIR "/examples")) == NULL)
		return -1;
	return 0;
}

/* "1m", "512k", "1048576" → bytes. -1 on syntax error or overflow. */
static int
cf_size(const char *v, long long *out)
{
	char		*end;
	long long	 n, mult = 1;

	if (!isdigit((unsigned char)v[0]))
		return -1;
	errno = 0;
	n = strtoll(v, &end, 10);
	if (errno != 0)
		return -1;
	if (*end == 'k' || *end == 'K')
		mult = 1024, end++;
	else if (*end == 'm' || *end == 'M')
		mult = 1024 * 1024, end++;
	if (*end != '\0' || n > LLONG_MAX / mult)
		return -1;
	*out = n * mult;
	return 0;
}

/* "127.0.0.1:8443" or "[::1]:8443": numeric address only, so that a
 * start-up never depends on name resolution. */
static int
cf_listen(struct config *c, const char *v, char *why, size_t whylen)
{
	const char	*colon, *hs = v;
	char		 host[INET6_ADDRSTRLEN + 1];
	unsigned char	 bin[sizeof(struct in6_addr)];
	size_t		 hl;
	char		*end;
	long		 port;

	if (v[0] == '[') {
		if ((colon = strstr(v, "]:")) == NULL)
			goto bad;
		hs = v + 1;
		hl = (size_t)(colon - hs);
		colon++;
	} else {
		if ((colon = strrchr(v, ':')) == NULL)
			goto bad;
		hl = (size_t)(colon - v);
	}
	if (hl == 0 || hl >= sizeof(host))
		goto bad;
	memcpy(host, hs, hl);
	host[hl] = '\0';
	if (inet_pton(v[0] == '[' ? AF_INET6 : AF_INET, host, bin) != 1) {
		snprintf(why, whylen, "listen: '%s' is not a numeric IPv4 "
		    "address or bracketed IPv6 address", host);
		return -1;
	}
	errno = 0;
	port = strtol(colon + 1, &end, 10);
	/* Port 0: any free port, logged at start-up (for tests). */
	if (!isdigit((unsigned char)colon[1]) || *end != '\0' || errno ||
	    port > 65535) {
		snprintf(why, whylen, "listen: port must be 0 to 65535");
		return -1;
	}
	free(c->listen_host);
	if ((c->listen_host = strdup(host)) == NULL) {
		snprintf(why, whylen, "out of memory");
		return -1;
	}
	c->listen_port = (int)port;
	return 0;
 bad:
	snprintf(why, whylen, "listen: expected ADDRESS:PORT, e.g. "
	    "127.0.0.1:8443 or [::1]:8443");
	return -1;
}

static int
cf_set(struct config *c, const struct cf_key *k, const char *v,
    const char *dir, char *why, size_t whylen)
{
	char		**sp = (char **)((char *)c + k->off);
	int		 *ip = (int *)((char *)c + k->off);
	long long	  n;
	char		 *end;

	switch (k->type) {
	case CF_LISTEN:
		return cf_listen(c, v, why, whylen);
	case CF_PATH:
	case CF_STRING:
		free(*sp);
		if (k->type == CF_PATH && v[0] != '/')
			*sp = config_path_join(dir, v);
		else
			*sp = strdup(v);
		if (*sp == NULL) {
			snprintf(why, whylen, "out of memory");
			return -1;
		}
		return 0;
	case CF_SIZE:
		if (cf_size(v, &n) == -1 || n < k->min || n > k->max) {
			snprintf(why, whylen, "%s: '%s' is not a size from "
			    "%lldk to %lldk (suffix k or m allowed)", k->name,
			    v, k->min / 1024, k->max / 1024);
			return -1;
		}
		*(size_t *)((char *)c + k->off) = (size_t)n;
		return 0;
	case CF_INT:
		errno = 0;
		n = strtoll(v, &end, 10);
		if (!isdigit((unsigned char)v[0]) || *end != '\0' || errno ||
		    n < k->min || n > k->max) {
			snprintf(why, whylen, "%s: '%s' is not a whole number "
			    "from %lld to %lld", k->name, v, k->min, k->max);
			return -1;
		}
		*ip = (int)n;
		return 0;
	case CF_BOOL:
		if (strcmp(v, "yes") == 0)
			*ip = 1;
		else if (strcmp(v, "no") == 0)
			*ip = 0;
		else {
			snprintf(why, whylen, "%s: expected yes or no, not "
			    "'%s'", k->name, v);
			return -1;
		}
		return 0;
	case CF_TLSVER:
		if (strcmp(v, "1.2") == 0)
			*ip = TLS1_2_VERSION;
		else if (strcmp(v, "1.3") == 0)
			*ip = TLS1_3_VERSION;
		else {
			snprintf(why, whylen, "%s: expected 1.2 or 1.3, not "
			    "'%s'", k->name, v);
			return -1;
		}
		return 0;
	}
	return -1;
}

/* Split one line into key and value in place; comments and surrounding
 * blanks removed. Returns 0 for an empty line, 1 for a setting. */
static int
cf_split(char *line, char **key, char **val)
{
	char *p, *e;

	if ((p = strchr(line, '#')) != NULL)
		*p = '\0';
	for (p = line; isspace((unsigned char)*p); p++)
		;
	for (e = p + strlen(p); e > p && isspace((unsigned char)e[-1]); e--)
		;
	*e = '\0';
	if (*p == '\0')
		return 0;
	*key = p;
	while (*p != '\0' && !isspace((unsigned char)*p))
		p++;
	if (*p != '\0')
		*p++ = '\0';
	while (isspace((unsigned char)*p))
		p++;
	*val = p;
	return 1;
}

int
config_load(const char *path, struct config **out, char *err, size_t errlen)
{
	struct config	*c = NULL;
	FILE		*f = NULL;
	char		 why[512], *dir = NULL, *line = NULL;
	char		*key, *val, *slash;
	int		 seen[NKEYS] = { 0 };
	int		 lineno = 0, rc = -1;
	size_t		 i, cap = 0;
	ssize_t		 len;

	if ((c = calloc(1, sizeof(*c))) == NULL ||
	    (c->path = strdup(path)) == NULL || cf_defaults(c) == -1 ||
	    (dir = strdup(path)) == NULL) {
		snprintf(err, errlen, "%s: out of memory", path);
		goto err;
	}
	if ((slash = strrchr(dir, '/')) != NULL)
		slash[slash == dir ? 1 : 0] = '\0';
	else
		strcpy(dir, ".");
	if ((f = fopen(path, "r")) == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		goto err;
	}
	while ((len = getline(&line, &cap, f)) != -1) {
		lineno++;
		if (len > CONFIG_LINE_MAX) {
			snprintf(err, errlen, "%s:%d: line longer than %d "
			    "bytes", path, lineno, CONFIG_LINE_MAX);
			goto err;
		}
		if (strlen(line) != (size_t)len) {
			snprintf(err, errlen, "%s:%d: NUL byte in line",
			    path, lineno);
			goto err;
		}
		if (cf_split(line, &key, &val) == 0)
			continue;
		for (i = 0; i < NKEYS; i++)
			if (strcmp(cf_keys[i].name, key) == 0)
				break;
		if (i == NKEYS) {
			snprintf(err, errlen, "%s:%d: unknown setting '%.64s'",
			    path, lineno, key);
			goto err;
		}
		if (seen[i]) {
			snprintf(err, errlen, "%s:%d: '%s' already set on "
			    "line %d", path, lineno, key, seen[i]);
			goto err;
		}
		seen[i] = lineno;
		if (*val == '\0') {
			snprintf(err, errlen, "%s:%d: '%s' needs a value",
			    path, lineno, key);
			goto err;
		}
		if (cf_set(c, &cf_keys[i], val, dir, why, sizeof(why)) == -1) {
			snprintf(err, errlen, "%s:%d: %s", path, lineno, why);
			goto err;
		}
	}
	if (ferror(f)) {
		snprintf(err, errlen, "%s: read error", path);
		goto err;
	}
	for (i = 0; i < NKEYS; i++) {
		if (cf_keys[i].required && !seen[i]) {
			snprintf(err, errlen, "%s: missing required setting "
			    "'%s'", path, cf_keys[i].name);
			goto err;
		}
	}
	*out = c;
	c = NULL;
	rc = 0;
 err:
	if (f != NULL)
		fclose(f);
	free(line);
	free(dir);
	config_free(c);
	return rc;
}

void
config_free(struct config *c)
{
	if (c == NULL)
		return;
	free(c->path);
	free(c->listen_host);
	free(c->tls_certificate);
	free(c->tls_key);
	free(c->tls_client_ca);
	free(c->tls_ciphers);
	free(c->state_dir);
	free(c->schema_dir);
	free(c->rules_dir);
	free(c->examples_dir);
	free(c);
}
