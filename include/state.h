/*
 * state.h: everything a reload replaces, built as one unit.
 *
 * state_load() reads the configuration and builds the TLS context and
 * the schema from it; only a completely built state is ever handed to
 * the server, so a bad file on SIGHUP leaves the old state running.
 * `bistandd -t` is state_load() and nothing else.
 */
#ifndef BISTAND_STATE_H
#define BISTAND_STATE_H

#include <stddef.h>

#include <openssl/ssl.h>

struct config;
struct app_schema;

struct state {
	struct config		*conf;
	SSL_CTX			*ssl_ctx;
	struct app_schema	*schema;
};

int	state_load(const char *path, struct state **out, char *err,
	    size_t errlen);
void	state_free(struct state *);

#endif
