/*
 * http.c: HTTPS transport, routing, limits and graceful drain.
 *
 * evhttp does the HTTP; every connection is a bufferevent_openssl made
 * in http_bevcb(). Each connection carries a small struct conn as SSL
 * ex_data. OpenSSL calls conn_exfree() from SSL_free(), which evhttp
 * reaches through bufferevent_free() however the connection ends
 * (handshake failure, timeout, close). That single free path is what
 * makes the connection count, and so max_connections, exact.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <sys/queue.h>
#include <sys/socket.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <event2/listener.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include "api.h"
#include "audit.h"
#include "config.h"
#include "core.h"
#include "errdoc.h"
#include "http.h"
#include "log.h"
#include "metrics.h"
#include "rules.h"
#include "state.h"
#include "tls.h"
#include "view.h"

/* While draining, idle keep-alive connections get this timeout, so
 * they go away fast while a client that is still sending continues. */
#define HTTP_DRAIN_IDLE_SECS	1
/* A reply up to one TLS record (16 KiB of plaintext) is sent as one. */
#define HTTP_COALESCE_MAX	16384

struct conn {
	struct http_server	*srv;
	struct bufferevent	*bev;		/* freeing it frees us */
	struct evhttp_connection *evcon;	/* known after 1st request */
	int			 handshake_done;
	LIST_ENTRY(conn)	 entry;
};

struct http_server {
	struct event_base	*base;
	struct core		*core;
	struct evhttp		*http;
	struct evhttp_bound_socket *bound;
	struct state		*st;
	LIST_HEAD(, conn)	 conns;
	int			 nconns;
	int			 paused;	/* listener off: at the limit */
	int			 draining;
	struct event		*drain_ev;
	double			 drain_deadline;
	void			(*drain_done)(void *);
	void			*drain_arg;
};

typedef void (*http_handler)(struct hreq *);

/*
 * The routes of interfaces.md. A pattern's "{id}" matches one path
 * segment of [A-Za-z0-9._-]{1,64}. Routes with a NULL handler belong
 * to later stages and answer 501 after the role check.
 */
struct route {
	const char		*pattern;
	enum evhttp_cmd_type	 method;
	unsigned		 roles;
	http_handler		 fn;
};

static const struct route routes[] = {
	{ "/v1/applications", EVHTTP_REQ_POST, TLS_ROLE_ESERVICE,
	    api_application_submit },
	{ "/v1/applications/{id}", EVHTTP_REQ_GET, TLS_ROLE_ESERVICE,
	    api_application_get },
	{ "/v1/queue", EVHTTP_REQ_GET, TLS_ROLE_CASEWORKER, api_queue_get },
	{ "/v1/cases/{id}", EVHTTP_REQ_GET, TLS_ROLE_CASEWORKER,
	    api_case_get },
	{ "/v1/cases/{id}/claim", EVHTTP_REQ_POST, TLS_ROLE_CASEWORKER,
	    api_case_claim },
	{ "/v1/cases/{id}/release", EVHTTP_REQ_POST, TLS_ROLE_CASEWORKER,
	    api_case_release },
	{ "/v1/cases/{id}/assign", EVHTTP_REQ_POST, TLS_ROLE_CASEWORKER,
	    api_case_assign },
	{ "/v1/cases/{id}/decision", EVHTTP_REQ_POST, TLS_ROLE_CASEWORKER,
	    api_case_decide },
	{ "/v1/cases/{id}/complete", EVHTTP_REQ_POST, TLS_ROLE_CASEWORKER,
	    api_case_complete },
	{ "/v1/audit", EVHTTP_REQ_GET, TLS_ROLE_AUDITOR, api_audit_get },
	{ "/healthz", EVHTTP_REQ_GET, TLS_ROLES_ANY, NULL },
	{ "/metrics", EVHTTP_REQ_GET, TLS_ROLES_ANY, NULL },
};
#define NROUTES	(sizeof(routes) / sizeof(routes[0]))

static int	conn_idx = -1;

static double
http_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static const char *
http_method_name(enum evhttp_cmd_type m)
{
	switch (m) {
	case EVHTTP_REQ_GET:	return "GET";
	case EVHTTP_REQ_POST:	return "POST";
	case EVHTTP_REQ_HEAD:	return "HEAD";
	case EVHTTP_REQ_PUT:	return "PUT";
	case EVHTTP_REQ_DELETE:	return "DELETE";
	case EVHTTP_REQ_OPTIONS: return "OPTIONS";
	case EVHTTP_REQ_PATCH:	return "PATCH";
	default:		return "OTHER";
	}
}

/* --- connections ------------------------------------------------- */

static void
http_listener_set(struct http_server *srv, int on)
{
	struct evconnlistener *l;

	if (srv->bound == NULL || srv->paused == !on)
		return;
	l = evhttp_bound_socket_get_listener(srv->bound);
	if (on)
		evconnlistener_enable(l);
	else
		evconnlistener_disable(l);
	srv->paused = !on;
	if (!on)
		log_warnx("connections: at the limit of %d, not accepting "
		    "until one closes", srv->st->conf->max_connections);
}

/* CRYPTO_EX_free: called by SSL_free() for every SSL object; ptr is
 * NULL for any SSL that is not one of our connections. */
static void
conn_exfree(void *parent, void *ptr, CRYPTO_EX_DATA *ad, int idx,
    long argl, void *argp)
{
	struct conn		*c = ptr;
	struct http_server	*srv;

	(void)parent; (void)ad; (void)idx; (void)argl; (void)argp;
	if (c == NULL)
		return;
	srv = c->srv;
	LIST_REMOVE(c, entry);
	srv->nconns--;
	metrics_connections(srv->nconns);
	free(c);
	if (srv->paused && !srv->draining &&
	    srv->nconns < srv->st->conf->max_connections)
		http_listener_set(srv, 1);
}

/* Fatal alerts we send are handshake refusals worth a log line: no
 * client certificate, unknown CA, protocol version. */
static void
conn_tls_info(const SSL *ssl, int where, int ret)
{
	struct sockaddr_storage	 ss;
	socklen_t		 sl = sizeof(ss);
	char			 addr[INET6_ADDRSTRLEN] = "?";
	struct conn		*c = SSL_get_ex_data(ssl, conn_idx);
	int			 fd;

	if ((where & SSL_CB_HANDSHAKE_DONE) && c != NULL)
		c->handshake_done = 1;
	if (!(where & SSL_CB_ALERT) || !(where & SSL_CB_WRITE) ||
	    strcmp(SSL_alert_type_string(ret), "F") != 0)
		return;
	/* After the handshake a fatal alert is no refusal: OpenSSL 3 sends
	 * "decode error" when a client closes without close_notify (and
	 * marks the SSL as in_init again first, so SSL_is_init_finished()
	 * cannot tell). */
	if (c != NULL && c->handshake_done)
		return;
	fd = SSL_get_fd(ssl);
	if (fd >= 0 && getpeername(fd, (struct sockaddr *)&ss, &sl) == 0) {
		if (ss.ss_family == AF_INET)
			inet_ntop(AF_INET, &((struct sockaddr_in *)&ss)->
			    sin_addr, addr, sizeof(addr));
		else if (ss.ss_family == AF_INET6)
			inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&ss)->
			    sin6_addr, addr, sizeof(addr));
	}
	/* OpenSSL 3.0 names no TLS 1.3 alert; 116 is the usual refusal. */
	metrics_tls_failure();
	log_info("tls: refused connection from %s: %s", addr,
	    (ret & 0xff) == SSL_AD_CERTIFICATE_REQUIRED ?
	    "certificate required" : SSL_alert_desc_string_long(ret));
}

/*
 * evhttp asks for the bufferevent of each accepted connection here.
 * Returning NULL would make evhttp fall back to plain TCP, so on
 * failure we still return an SSL bufferevent if we can, and otherwise
 * the requests of that connection are refused in http_dispatch().
 */
static struct bufferevent *
http_bevcb(struct event_base *base, void *arg)
{
	struct http_server	*srv = arg;
	struct bufferevent	*bev;
	struct conn		*c;
	SSL			*ssl;

	if ((ssl = SSL_new(srv->st->ssl_ctx)) == NULL) {
		log_warnx("connections: SSL_new failed");
		return NULL;
	}
	if ((c = calloc(1, sizeof(*c))) == NULL) {
		SSL_free(ssl);
		log_warnx("connections: out of memory");
		return NULL;
	}
	c->srv = srv;
	LIST_INSERT_HEAD(&srv->conns, c, entry);
	srv->nconns++;
	metrics_connections(srv->nconns);
	/* From here SSL_free(ssl) frees c: one owner, one path. */
	SSL_set_ex_data(ssl, conn_idx, c);
	SSL_set_info_callback(ssl, conn_tls_info);
	bev = bufferevent_openssl_socket_new(base, -1, ssl,
	    BUFFEREVENT_SSL_ACCEPTING, BEV_OPT_CLOSE_ON_FREE);
	if (bev == NULL)
		SSL_free(ssl);
	else
		c->bev = bev;
	if (srv->nconns >= srv->st->conf->max_connections)
		http_listener_set(srv, 0);
	return bev;
}

static SSL *
http_req_ssl(struct evhttp_request *req)
{
	struct evhttp_connection *evcon;
	struct bufferevent	*bev;

	if ((evcon = evhttp_request_get_connection(req)) == NULL ||
	    (bev = evhttp_connection_get_bufferevent(evcon)) == NULL)
		return NULL;
	return bufferevent_openssl_get_ssl(bev);
}

/* --- replies ----------------------------------------------------- */

static void
http_send(struct hreq *h, int status, const char *ctype, const char *body,
    size_t len, const char *code)
{
	struct evkeyvalq	*oh = evhttp_request_get_output_headers(h->req);
	struct evbuffer		*out, *pending;
	struct evhttp_connection *evcon;
	struct bufferevent	*bev;
	struct log_request	 lr;

	if (code != NULL)
		metrics_refusal(code);
	/* The log line first: once sent, the request may be gone. */
	lr.role = tls_role_name(h->peer.role);
	lr.method = h->method;
	lr.route = h->route;
	lr.path = h->path;
	lr.case_id = h->case_id;
	lr.code = code;
	lr.status = status;
	lr.ms = (http_now() - h->t0) * 1000.0;
	log_request(&lr);
	evhttp_add_header(oh, "Content-Type", ctype);
	/* Decisions carry personal data: never cached on the way. */
	evhttp_add_header(oh, "Cache-Control", "no-store");
	if (h->srv->draining)
		evhttp_add_header(oh, "Connection", "close");
	if ((out = evbuffer_new()) != NULL && len > 0)
		evbuffer_add(out, body, len);
	/* evhttp_send_reply copes with a request whose connection is gone
	 * (it frees the request); so must this */
	evcon = evhttp_request_get_connection(h->req);
	bev = evcon != NULL ? evhttp_connection_get_bufferevent(evcon) : NULL;
	evhttp_send_reply(h->req, status, NULL, out);
	if (out != NULL)
		evbuffer_free(out);
	/*
	 * evhttp leaves the head and the body in two chains of the
	 * connection's output, and bufferevent_openssl makes each chain a
	 * TLS record of its own: two records, two write(2)s into the socket
	 * per reply, the write path being a fifth of the loop thread's time
	 * (perf). Nothing is written before the loop sees the socket
	 * writable, so a small reply made one chain here goes out as one
	 * record and one write. A large one (a long queue, the trail) is
	 * left as it is: it is several records anyway.
	 */
	if (bev != NULL && (pending = bufferevent_get_output(bev)) != NULL &&
	    evbuffer_get_length(pending) <= HTTP_COALESCE_MAX)
		(void)evbuffer_pullup(pending, -1);
	free(h);
}

void
http_header(struct hreq *h, const char *name, const char *value)
{
	evhttp_add_header(evhttp_request_get_output_headers(h->req), name,
	    value);
}

void
http_reply(struct hreq *h, int status, const char *body, size_t len)
{
	http_send(h, status, "application/xml; charset=utf-8", body, len,
	    NULL);
}

void
http_reply_text(struct hreq *h, int status, const char *body, size_t len)
{
	http_send(h, status, "text/plain; charset=utf-8", body, len, NULL);
}

void
http_reply_error(struct hreq *h, const struct errdoc *e)
{
	char	*doc = NULL;
	size_t	 len = 0;

	if (errdoc_render(e, &doc, &len) == -1) {
		http_send(h, 500, "text/plain; charset=utf-8",
		    "internal error\n", 15, ERR_INTERNAL);
		return;
	}
	http_send(h, e->status, "application/xml; charset=utf-8", doc, len,
	    e->code);
	free(doc);
}

struct http_refusal {
	struct audit_job	 job;
	struct hreq		*h;
	struct errdoc		 e;
};

static void
http_refusal_done(struct audit_job *j)
{
	struct http_refusal	*r = j->arg;
	struct errdoc		 e;

	/* Every refusal is in the trail; one that could not be recorded
	 * is answered like everything else that cannot be: 503. */
	if (j->ok)
		http_reply_error(r->h, &r->e);
	else {
		errdoc_set(&e, 503, ERR_UNAVAILABLE, "the daemon cannot make "
		    "records durable right now; send the request again later");
		http_reply_error(r->h, &e);
	}
	audit_job_clear(j);
	free(r);
}

void
http_reply_error_audited(struct hreq *h, const struct errdoc *e,
    const char *type, struct abuf *payload)
{
	struct http_refusal	*r;
	struct errdoc		 u;

	if (!audit_writer_ok(h->core->writer) ||
	    (r = calloc(1, sizeof(*r))) == NULL) {
		abuf_free(payload);
		errdoc_set(&u, 503, ERR_UNAVAILABLE, "the daemon cannot make "
		    "records durable right now; send the request again later");
		http_reply_error(h, &u);
		return;
	}
	r->h = h;
	r->e = *e;
	audit_job_single(&r->job, type, h->actor, payload);
	r->job.done = http_refusal_done;
	r->job.arg = r;
	audit_writer_submit(h->core->writer, &r->job);
}

static void
http_error(struct hreq *h, int status, const char *code, const char *msg)
{
	struct errdoc e;

	errdoc_set(&e, status, code, "%s", msg);
	http_reply_error(h, &e);
}

const char *
http_body(struct hreq *h, size_t *len)
{
	struct evbuffer *in = evhttp_request_get_input_buffer(h->req);

	*len = evbuffer_get_length(in);
	if (*len == 0)
		return "";
	return (const char *)evbuffer_pullup(in, -1);
}

int
http_content_is_xml(struct hreq *h)
{
	const char	*ct, *p;
	size_t		 n;

	ct = evhttp_find_header(evhttp_request_get_input_headers(h->req),
	    "Content-Type");
	if (ct == NULL)
		return 0;
	n = strcspn(ct, ";");
	while (n > 0 && (ct[n - 1] == ' ' || ct[n - 1] == '\t'))
		n--;
	if (!((n == 15 && strncasecmp(ct, "application/xml", 15) == 0) ||
	    (n == 8 && strncasecmp(ct, "text/xml", 8) == 0)))
		return 0;
	/* Parameters: only charset, and only UTF-8 (the contract). */
	for (p = strchr(ct, ';'); p != NULL; p = strchr(p + 1, ';')) {
		p++;
		p += strspn(p, " \t");
		if (strncasecmp(p, "charset=", 8) != 0)
			return 0;
		p += 8;
		if (*p == '"')
			p++;
		if (strncasecmp(p, "utf-8", 5) != 0 ||
		    (p[5] != '\0' && p[5] != ';' && p[5] != '"' &&
		    p[5] != ' '))
			return 0;
	}
	return 1;
}

/* --- routing ----------------------------------------------------- */

/* Match path against a pattern; on a match with "{id}" copy the id.
 * 1 match, 0 no match. */
static int
http_match(const char *pattern, const char *path, char *param, size_t plen)
{
	const char	*brace = strstr(pattern, "{id}");
	size_t		 pre, n;

	if (brace == NULL)
		return strcmp(pattern, path) == 0;
	pre = (size_t)(brace - pattern);
	if (strncmp(pattern, path, pre) != 0)
		return 0;
	path += pre;
	n = strspn(path, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "0123456789._-");
	if (n == 0 || n > APP_ID_MAX || n >= plen ||
	    strcmp(path + n, brace + 4) != 0)
		return 0;
	memcpy(param, path, n);
	param[n] = '\0';
	return 1;
}

/* Live while it answers; ready only while the trail can be written. */
static void
http_healthz(struct hreq *h)
{
	static const char ready[] = "live\nready\n";
	static const char notready[] = "live\nnot ready: the audit trail "
	    "cannot be written\n";

	if (audit_writer_ok(h->core->writer))
		http_send(h, 200, "text/plain; charset=utf-8", ready,
		    sizeof(ready) - 1, NULL);
	else
		http_send(h, 503, "text/plain; charset=utf-8", notready,
		    sizeof(notready) - 1, ERR_UNAVAILABLE);
}

static void
http_metrics(struct hreq *h)
{
	struct abuf	b = { 0 };
	struct errdoc	e;

	if (metrics_render(&b, &h->core->view, (int64_t)time(NULL),
	    h->st->conf->claim_idle_minutes, rules_hash(h->st->rules)) == -1) {
		abuf_free(&b);
		errdoc_set(&e, 500, ERR_INTERNAL, "out of memory");
		http_reply_error(h, &e);
		return;
	}
	http_send(h, 200, "text/plain; version=0.0.4; charset=utf-8", b.p,
	    b.len, NULL);
	abuf_free(&b);
}

static void
http_dispatch(struct evhttp_request *req, void *arg)
{
	struct http_server	*srv = arg;
	struct hreq		*h;
	const struct route	*r;
	struct conn		*c;
	struct abuf		 pl = { 0 };
	struct errdoc		 e;
	const char		*path;
	enum evhttp_cmd_type	 m = evhttp_request_get_command(req);
	char			 allow[64] = "";
	int			 found = 0;
	size_t			 i;
	SSL			*ssl;

	if ((h = calloc(1, sizeof(*h))) == NULL) {
		evhttp_send_error(req, 503, "out of memory");
		return;
	}
	h->srv = srv;
	h->req = req;
	h->st = srv->st;
	h->core = srv->core;
	h->t0 = http_now();
	snprintf(h->method, sizeof(h->method), "%s", http_method_name(m));
	path = evhttp_uri_get_path(evhttp_request_get_evhttp_uri(req));
	snprintf(h->path, sizeof(h->path), "%s", path ? path : "-");

	ssl = http_req_ssl(req);
	if (ssl == NULL || tls_peer_get(ssl, &h->peer) == -1) {
		/* Only reachable if http_bevcb could not set up TLS. */
		evhttp_add_header(evhttp_request_get_output_headers(req),
		    "Connection", "close");
		http_error(h, 401, ERR_NO_CERT,
		    "a client certificate is required");
		return;
	}
	audit_actor(h->actor, sizeof(h->actor), tls_role_name(h->peer.role),
	    h->peer.cn);
	if ((c = SSL_get_ex_data(ssl, conn_idx)) != NULL && c->evcon == NULL) {
		c->evcon = evhttp_request_get_connection(req);
		if (srv->draining)
			evhttp_connection_set_timeout(c->evcon,
			    HTTP_DRAIN_IDLE_SECS);
	}
	if (path == NULL) {
		http_error(h, 400, ERR_NOT_FOUND, "request URI has no path");
		return;
	}
	for (i = 0; i < NROUTES; i++) {
		if (!http_match(routes[i].pattern, path, h->param,
		    sizeof(h->param)))
			continue;
		found = 1;
		h->route = routes[i].pattern;
		if (routes[i].method == m)
			break;
		snprintf(allow + strlen(allow), sizeof(allow) - strlen(allow),
		    "%s%s", allow[0] ? ", " : "",
		    http_method_name(routes[i].method));
	}
	if (!found) {
		http_error(h, 404, ERR_NOT_FOUND, "no such resource");
		return;
	}
	if (i == NROUTES) {
		evhttp_add_header(evhttp_request_get_output_headers(req),
		    "Allow", allow);
		http_error(h, 405, ERR_METHOD, "method not allowed here");
		return;
	}
	r = &routes[i];
	if ((r->roles & h->peer.role) == 0) {
		/* Every attempt outside a role's rights is in the trail. */
		log_warnx("forbidden: role=%s route=%s",
		    tls_role_name(h->peer.role), r->pattern);
		abuf_kv(&pl, "method", h->method);
		abuf_kv(&pl, "path", h->path);
		abuf_kv(&pl, "status", "403");
		errdoc_set(&e, 403, ERR_FORBIDDEN,
		    "the certificate's role may not use this resource");
		http_reply_error_audited(h, &e, "forbidden", &pl);
		return;
	}
	if (strcmp(r->pattern, "/healthz") == 0)
		http_healthz(h);
	else if (strcmp(r->pattern, "/metrics") == 0)
		http_metrics(h);
	else if (r->fn != NULL)
		r->fn(h);
	else
		http_error(h, 501, ERR_NOT_IMPLEMENTED,
		    "this resource is not available in this version");
}

/* --- life -------------------------------------------------------- */

static void
http_apply_limits(struct http_server *srv)
{
	const struct config *c = srv->st->conf;

	evhttp_set_max_body_size(srv->http, (ev_ssize_t)c->max_body_size);
	evhttp_set_max_headers_size(srv->http, (ev_ssize_t)c->max_header_size);
	evhttp_set_timeout(srv->http, c->timeout);
	metrics_connections_max(c->max_connections);
}

struct http_server *
http_new(struct event_base *base, struct state *st, struct core *core,
    char *err, size_t errlen)
{
	struct http_server	*srv;
	const struct config	*c = st->conf;

	if (conn_idx == -1 && (conn_idx = SSL_get_ex_new_index(0, NULL, NULL,
	    NULL, conn_exfree)) == -1) {
		snprintf(err, errlen, "SSL_get_ex_new_index failed");
		return NULL;
	}
	if ((srv = calloc(1, sizeof(*srv))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	srv->base = base;
	srv->st = st;
	srv->core = core;
	metrics_start((int64_t)time(NULL));
	LIST_INIT(&srv->conns);
	if ((srv->http = evhttp_new(base)) == NULL) {
		snprintf(err, errlen, "evhttp_new failed");
		goto err;
	}
	evhttp_set_bevcb(srv->http, http_bevcb, srv);
	evhttp_set_gencb(srv->http, http_dispatch, srv);
	evhttp_set_allowed_methods(srv->http, EVHTTP_REQ_GET |
	    EVHTTP_REQ_POST | EVHTTP_REQ_HEAD | EVHTTP_REQ_PUT |
	    EVHTTP_REQ_DELETE | EVHTTP_REQ_OPTIONS | EVHTTP_REQ_PATCH);
	http_apply_limits(srv);
	srv->bound = evhttp_bind_socket_with_handle(srv->http, c->listen_host,
	    (ev_uint16_t)c->listen_port);
	if (srv->bound == NULL) {
		snprintf(err, errlen, "listen %s:%d: %s", c->listen_host,
		    c->listen_port, strerror(errno));
		goto err;
	}
	/* evhttp writes headers and body separately: without this, Nagle
	 * and the client's delayed ACK add ~40 ms to every response.
	 * Accepted sockets inherit the option on Linux. */
	if (setsockopt(evhttp_bound_socket_get_fd(srv->bound), IPPROTO_TCP,
	    TCP_NODELAY, &(int){ 1 }, sizeof(int)) == -1)
		log_warn("listen: TCP_NODELAY");
	return srv;
 err:
	srv->st = NULL;		/* still the caller's */
	http_free(srv);
	return NULL;
}

/* The port actually bound (useful with port 0 in tests). */
static int
http_bound_port(struct http_server *srv)
{
	struct sockaddr_storage	ss;
	socklen_t		sl = sizeof(ss);
	evutil_socket_t		fd = evhttp_bound_socket_get_fd(srv->bound);

	if (getsockname(fd, (struct sockaddr *)&ss, &sl) == -1)
		return -1;
	if (ss.ss_family == AF_INET6)
		return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
	return ntohs(((struct sockaddr_in *)&ss)->sin_port);
}

void
http_log_listening(struct http_server *srv)
{
	log_info("listening on %s port %d (max %d connections, body %zu "
	    "bytes, timeout %d s)", srv->st->conf->listen_host,
	    http_bound_port(srv), srv->st->conf->max_connections,
	    srv->st->conf->max_body_size, srv->st->conf->timeout);
}

void
http_swap_state(struct http_server *srv, struct state *st)
{
	struct state *old = srv->st;

	if (strcmp(old->conf->listen_host, st->conf->listen_host) != 0 ||
	    old->conf->listen_port != st->conf->listen_port)
		log_warnx("reload: listen changed to %s:%d; that needs a "
		    "restart, still listening on %s:%d",
		    st->conf->listen_host, st->conf->listen_port,
		    old->conf->listen_host, old->conf->listen_port);
	/* Handlers run to completion on this thread and live SSL objects
	 * hold a reference to their SSL_CTX, so the old state can go now. */
	srv->st = st;
	state_free(old);
	http_apply_limits(srv);
	if (srv->paused && srv->nconns < st->conf->max_connections)
		http_listener_set(srv, 1);
	else if (!srv->paused && srv->nconns >= st->conf->max_connections)
		http_listener_set(srv, 0);
}

static void
http_drain_tick(evutil_socket_t fd, short ev, void *arg)
{
	struct http_server *srv = arg;

	(void)fd; (void)ev;
	if (srv->nconns > 0 && http_now() < srv->drain_deadline)
		return;
	if (srv->nconns > 0)
		log_warnx("shutdown: %d connections still open after %d s, "
		    "closing them", srv->nconns, srv->st->conf->shutdown_timeout);
	event_del(srv->drain_ev);
	srv->drain_done(srv->drain_arg);
}

void
http_shutdown(struct http_server *srv, void (*done)(void *), void *arg)
{
	static const struct timeval tick = { 0, 50 * 1000 };
	static const struct timeval drain_idle = { HTTP_DRAIN_IDLE_SECS, 0 };
	struct conn *c;

	if (srv->draining)
		return;
	srv->draining = 1;
	srv->drain_done = done;
	srv->drain_arg = arg;
	srv->drain_deadline = http_now() + srv->st->conf->shutdown_timeout;
	if (srv->bound != NULL) {
		evhttp_del_accept_socket(srv->http, srv->bound);
		srv->bound = NULL;
	}
	/* Idle connections go quickly; one still sending goes on. One
	 * that never sent a request (or is in its handshake) has no evhttp
	 * connection yet to ask: its bufferevent gets the same timeout. */
	LIST_FOREACH(c, &srv->conns, entry) {
		if (c->evcon != NULL)
			evhttp_connection_set_timeout(c->evcon,
			    HTTP_DRAIN_IDLE_SECS);
		else if (c->bev != NULL)
			bufferevent_set_timeouts(c->bev, &drain_idle,
			    &drain_idle);
	}
	log_info("shutdown: not accepting; %d connections open",
	    srv->nconns);
	srv->drain_ev = event_new(srv->base, -1, EV_PERSIST, http_drain_tick,
	    srv);
	if (srv->drain_ev == NULL) {
		done(arg);
		return;
	}
	event_add(srv->drain_ev, &tick);
}

void
http_free(struct http_server *srv)
{
	if (srv == NULL)
		return;
	if (srv->drain_ev != NULL)
		event_free(srv->drain_ev);
	/* evhttp_free() frees the listener, then every connection, whose
	 * conn_exfree() still reads srv: keep it from touching either. */
	srv->draining = 1;
	srv->bound = NULL;
	if (srv->http != NULL)
		evhttp_free(srv->http);
	state_free(srv->st);
	free(srv);
}
