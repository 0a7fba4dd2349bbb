/*
 * http.h: the HTTPS server (libevent evhttp over bufferevent_openssl).
 *
 * Two surfaces:
 *  - the server's life: bind, swap in a reloaded state, drain, free;
 *  - what a route handler (api_*.c) needs: who is asking, the body,
 *    and exactly one reply per request.
 *
 * Every request is answered through http_reply() or http_reply_error*(),
 * which also write the one log line per request (time, role, route,
 * status, latency, case id; never personal data), and free the struct
 * hreq: after a reply the handler must not touch it. A handler may
 * keep it across an asynchronous wait (the durable write); libevent
 * keeps the request valid until the reply even if the client left.
 */
#ifndef BISTAND_HTTP_H
#define BISTAND_HTTP_H

#include <stddef.h>

#include "application.h"
#include "tls.h"

struct event_base;
struct evhttp_request;
struct state;
struct errdoc;
struct http_server;
struct core;
struct abuf;

/* Bind the listener of st->conf and start serving; the server owns st
 * from now on (core stays the caller's). NULL with err filled (st is
 * then still the caller's). */
struct http_server *http_new(struct event_base *, struct state *st,
	    struct core *core, char *err, size_t errlen);
/* Take a completely built new state: new connections use its TLS
 * context and limits at once; the old state is freed. Settings that
 * cannot change without a restart (listen) are kept and logged. */
void	http_swap_state(struct http_server *, struct state *st);
/* Stop accepting, let requests in flight finish (idle connections are
 * closed quickly), then call done(arg) once; at the latest after the
 * configured shutdown_timeout. */
void	http_shutdown(struct http_server *, void (*done)(void *), void *arg);
void	http_free(struct http_server *);
/* One log line: address, the port actually bound, the limits. */
void	http_log_listening(struct http_server *);

/* One request, as a handler sees it. */
struct hreq {
	struct http_server	*srv;
	struct evhttp_request	*req;
	const struct state	*st;	/* valid until the handler returns:
					   a reload may replace it */
	struct core		*core;
	struct tls_peer		 peer;
	char			 actor[160];	/* role:CN, for the trail */
	const char		*route;	/* route pattern, for logs */
	char			 param[APP_ID_MAX + 1]; /* {id}, if any */
	char			 method[8];
	char			 path[128];	/* for the log line */
	char			 case_id[APP_ID_MAX + 1]; /* for the log */
	double			 t0;	/* monotonic seconds at dispatch */
};

/* The request body, contiguous; *len 0 when empty. */
const char *http_body(struct hreq *, size_t *len);
/* 1 when Content-Type is application/xml or text/xml (parameters
 * allowed: charset=utf-8 only). */
int	http_content_is_xml(struct hreq *);
/* Add a response header before the reply. */
void	http_header(struct hreq *, const char *name, const char *value);
/* Send body (XML) with status; frees h, nothing of the caller's. */
void	http_reply(struct hreq *, int status, const char *body, size_t len);
/* Send plain text (text/plain; charset=utf-8); frees h. */
void	http_reply_text(struct hreq *, int status, const char *body,
	    size_t len);
/* Send e as an XML error document with e->status; frees h. */
void	http_reply_error(struct hreq *, const struct errdoc *e);
/* The same, after a record of the refusal (type, payload; payload is
 * taken over) is durable in the trail. If the trail cannot be written
 * the refusal is answered anyway: it changes nothing. */
/* The same, but only after a record of the refusal (type, payload;
 * payload is taken over) is durable in the trail; when it cannot be
 * written the answer is 503, since every refusal is recorded. */
void	http_reply_error_audited(struct hreq *, const struct errdoc *e,
	    const char *type, struct abuf *payload);

#endif
