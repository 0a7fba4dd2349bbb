/*
 * ctl_client.c: bistandctl as an HTTPS client of bistandd, over mutual
 * TLS (docs/caseworker-api.md). The caseworker commands that use it are
 * in ctl_cases.c; `audit records` is here.
 *
 * Connection settings come from options (--server, --cert, --key,
 * --ca), over a small client configuration file (-c FILE, by default
 * $XDG_CONFIG_HOME/bistandctl.conf or ~/.config/bistandctl.conf):
 *
 *   # comment
 *   server   https://bistand.example.se:8443
 *   cert     handlaggare1.crt      relative paths: to the file's directory
 *   key      handlaggare1.key
 *   ca       ca.crt
 *   timeout  30                    seconds, for connecting and for an answer
 *
 * HTTP is libevent's evhttp client over a bufferevent_openssl. Each
 * request has a connection of its own ("Connection: close"): evhttp
 * would re-open a keep-alive connection the server closed with the
 * same, finished SSL object, which cannot be reused. The server is
 * verified against the CA file alone (not the system's trust store),
 * with its host name or IP address; TLS 1.2 at least.
 */
#include <sys/socket.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlwriter.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "application.h"
#include "audit.h"
#include "ctl.h"

#define CTL_TIMEOUT		30		/* seconds */
#define CTL_MAX_ANSWER		(256 * 1024 * 1024)
#define CTL_CONF_NAME		"bistandctl.conf"

struct ctl_client {
	struct ctl_conn		*conn;
	struct event_base	*base;
	SSL_CTX			*ctx;
	char			*host;		/* no brackets */
	char			*hosthdr;	/* Host: header value */
	int			 port;
	int			 is_ip;
};

const char ctl_conn_help[] =
    "  --server URL    https://HOST[:PORT] of bistandd\n"
    "  --cert FILE     your client certificate (PEM)\n"
    "  --key FILE      its private key (PEM)\n"
    "  --ca FILE       the CA that issued the server's certificate\n"
    "  -c FILE         client configuration (default "
    "$XDG_CONFIG_HOME/" CTL_CONF_NAME "\n"
    "                  or ~/.config/" CTL_CONF_NAME "); lines 'server "
    "URL', 'cert FILE',\n"
    "                  'key FILE', 'ca FILE', 'timeout SECONDS'; options "
    "override it\n";

/* --- settings ---------------------------------------------------- */

int
ctl_conn_opt(struct ctl_conn *c, int ch, const char *arg)
{
	switch (ch) {
	case 'c':
		return ctl_set(&c->conf, arg) == -1 ? -1 : 1;
	case CTL_OPT_SERVER:
		return ctl_set(&c->server, arg) == -1 ? -1 : 1;
	case CTL_OPT_CERT:
		return ctl_set(&c->cert, arg) == -1 ? -1 : 1;
	case CTL_OPT_KEY:
		return ctl_set(&c->key, arg) == -1 ? -1 : 1;
	case CTL_OPT_CA:
		return ctl_set(&c->ca, arg) == -1 ? -1 : 1;
	default:
		return 0;
	}
}

void
ctl_conn_free(struct ctl_conn *c)
{
	free(c->conf);
	free(c->server);
	free(c->cert);
	free(c->key);
	free(c->ca);
	memset(c, 0, sizeof(*c));
}

/* A path from the file at conf: "~/" is $HOME, a relative path is
 * relative to the file's directory. */
static char *
ctl_conf_path(const char *conf, const char *v)
{
	const char	*home, *slash;
	char		*p;

	if (strncmp(v, "~/", 2) == 0 && (home = getenv("HOME")) != NULL) {
		if (asprintf(&p, "%s/%s", home, v + 2) == -1)
			return NULL;
		return p;
	}
	if (v[0] == '/' || (slash = strrchr(conf, '/')) == NULL)
		return strdup(v);
	if (asprintf(&p, "%.*s/%s", (int)(slash - conf), conf, v) == -1)
		return NULL;
	return p;
}

/*
 * Read the client configuration; a setting given as an option is kept.
 * A missing default file is no error (everything may come as options);
 * a missing -c FILE is. 0, or -1 with the reason printed as FILE:LINE.
 */
static int
ctl_conf_load(struct ctl_conn *c)
{
	static const char *const names[] = { "server", "cert", "key", "ca",
	    "timeout" };
	char		*path = NULL, *line = NULL, *k, *v, *e, *val = NULL;
	char		**dst;
	const char	*xdg, *home;
	size_t		 cap = 0, i;
	int		 seen[5] = { 0 }, lineno = 0, rc = -1, explicit;
	long		 t;
	FILE		*f;

	if ((explicit = c->conf != NULL))
		path = strdup(c->conf);
	else if ((xdg = getenv("XDG_CONFIG_HOME")) != NULL && xdg[0] == '/') {
		if (asprintf(&path, "%s/" CTL_CONF_NAME, xdg) == -1)
			path = NULL;
	} else if ((home = getenv("HOME")) != NULL) {
		if (asprintf(&path, "%s/.config/" CTL_CONF_NAME, home) == -1)
			path = NULL;
	} else
		return 0;
	if (path == NULL)
		goto oom;
	if ((f = fopen(path, "r")) == NULL) {
		if (!explicit && errno == ENOENT) {
			free(path);
			return 0;
		}
		fprintf(stderr, "bistandctl: %s: %s\n", path, strerror(errno));
		free(path);
		return -1;
	}
	while (getline(&line, &cap, f) != -1) {
		lineno++;
		for (k = line; *k == ' ' || *k == '\t'; k++)
			;
		for (e = k + strlen(k); e > k && strchr(" \t\r\n", e[-1]);)
			*--e = '\0';
		if (*k == '\0' || *k == '#')
			continue;
		for (v = k; *v != '\0' && *v != ' ' && *v != '\t'; v++)
			;
		if (*v != '\0')
			*v++ = '\0';
		while (*v == ' ' || *v == '\t')
			v++;
		for (i = 0; i < 5 && strcmp(k, names[i]) != 0; i++)
			;
		if (i == 5) {
			fprintf(stderr, "bistandctl: %s:%d: unknown setting "
			    "'%s' (server, cert, key, ca, timeout)\n", path,
			    lineno, k);
			goto out;
		}
		if (*v == '\0') {
			fprintf(stderr, "bistandctl: %s:%d: '%s' needs a "
			    "value\n", path, lineno, k);
			goto out;
		}
		if (seen[i]) {
			fprintf(stderr, "bistandctl: %s:%d: '%s' set again "
			    "(first on line %d)\n", path, lineno, k, seen[i]);
			goto out;
		}
		seen[i] = lineno;
		if (i == 4) {
			errno = 0;
			t = strtol(v, &e, 10);
			if (*e != '\0' || errno != 0 || t < 1 || t > 3600) {
				fprintf(stderr, "bistandctl: %s:%d: timeout "
				    "'%s': seconds, 1 to 3600\n", path,
				    lineno, v);
				goto out;
			}
			if (c->timeout == 0)
				c->timeout = (int)t;
			continue;
		}
		dst = i == 0 ? &c->server : i == 1 ? &c->cert :
		    i == 2 ? &c->key : &c->ca;
		if (*dst != NULL)
			continue;	/* the option wins */
		if ((val = i == 0 ? strdup(v) : ctl_conf_path(path, v)) ==
		    NULL) {
			fclose(f);
			goto oom;
		}
		*dst = val;
	}
	rc = 0;
 out:
	fclose(f);
	free(line);
	free(path);
	return rc;
 oom:
	free(line);
	free(path);
	fprintf(stderr, "bistandctl: out of memory\n");
	return -1;
}

/* --- the client -------------------------------------------------- */

static void
ctl_tls_print(const char *what)
{
	char		buf[256];
	unsigned long	e;

	if ((e = ERR_peek_last_error()) == 0)
		snprintf(buf, sizeof(buf), "unknown TLS error");
	else
		ERR_error_string_n(e, buf, sizeof(buf));
	ERR_clear_error();
	fprintf(stderr, "bistandctl: %s: %s\n", what, buf);
}

/* Where the server is: https://HOST[:PORT], nothing after but "/". */
static int
ctl_client_url(struct ctl_client *cl, const char *url)
{
	struct evhttp_uri	*u;
	const char		*scheme, *host, *path;
	unsigned char		 addr[16];
	size_t			 n;
	int			 rc = -1;

	if ((u = evhttp_uri_parse_with_flags(url, 0)) == NULL ||
	    (scheme = evhttp_uri_get_scheme(u)) == NULL ||
	    (host = evhttp_uri_get_host(u)) == NULL || host[0] == '\0') {
		fprintf(stderr, "bistandctl: server '%s': not a URL of the "
		    "form https://HOST:PORT\n", url);
		goto out;
	}
	if (strcasecmp(scheme, "https") != 0) {
		fprintf(stderr, "bistandctl: server '%s': bistandd speaks "
		    "https only\n", url);
		goto out;
	}
	path = evhttp_uri_get_path(u);
	if ((path != NULL && path[0] != '\0' && strcmp(path, "/") != 0) ||
	    evhttp_uri_get_query(u) != NULL ||
	    evhttp_uri_get_userinfo(u) != NULL) {
		fprintf(stderr, "bistandctl: server '%s': give only "
		    "https://HOST:PORT\n", url);
		goto out;
	}
	n = strlen(host);
	if (host[0] == '[' && n > 2 && host[n - 1] == ']')
		cl->host = strndup(host + 1, n - 2);
	else
		cl->host = strdup(host);
	if (cl->host == NULL)
		goto out;
	cl->is_ip = inet_pton(AF_INET, cl->host, addr) == 1 ||
	    inet_pton(AF_INET6, cl->host, addr) == 1;
	cl->port = evhttp_uri_get_port(u);
	if (cl->port == -1)
		cl->port = 443;
	if (cl->port == 443)
		rc = asprintf(&cl->hosthdr, "%s", host);
	else
		rc = asprintf(&cl->hosthdr, "%s:%d", host, cl->port);
	rc = rc == -1 ? -1 : 0;
 out:
	if (u != NULL)
		evhttp_uri_free(u);
	return rc;
}

static int
ctl_client_tls(struct ctl_client *cl)
{
	struct ctl_conn *c = cl->conn;

	ERR_clear_error();
	if ((cl->ctx = SSL_CTX_new(TLS_client_method())) == NULL ||
	    !SSL_CTX_set_min_proto_version(cl->ctx, TLS1_2_VERSION)) {
		ctl_tls_print("TLS context");
		return -1;
	}
	SSL_CTX_set_options(cl->ctx, SSL_OP_NO_RENEGOTIATION |
	    SSL_OP_NO_COMPRESSION);
	/* Only the configured CA: the system's trust store is not asked. */
	if (!SSL_CTX_load_verify_locations(cl->ctx, c->ca, NULL)) {
		ctl_tls_print(c->ca);
		return -1;
	}
	if (!SSL_CTX_use_certificate_chain_file(cl->ctx, c->cert)) {
		ctl_tls_print(c->cert);
		return -1;
	}
	/* OpenSSL 3 compares the key with the certificate already here. */
	if (!SSL_CTX_use_PrivateKey_file(cl->ctx, c->key, SSL_FILETYPE_PEM) &&
	    ERR_GET_REASON(ERR_peek_last_error()) != X509_R_KEY_VALUES_MISMATCH) {
		ctl_tls_print(c->key);
		return -1;
	}
	if (ERR_peek_last_error() != 0 ||
	    !SSL_CTX_check_private_key(cl->ctx)) {
		ERR_clear_error();
		fprintf(stderr, "bistandctl: %s does not match %s\n", c->key,
		    c->cert);
		return -1;
	}
	SSL_CTX_set_verify(cl->ctx, SSL_VERIFY_PEER, NULL);
	return 0;
}

struct ctl_client *
ctl_client_open(struct ctl_conn *c)
{
	struct ctl_client	*cl;
	const char		*miss = NULL, *opt = NULL;

	if (ctl_conf_load(c) == -1)
		return NULL;
	if (c->server == NULL)
		miss = "the server", opt = "--server https://HOST:PORT";
	else if (c->cert == NULL)
		miss = "your certificate", opt = "--cert FILE";
	else if (c->key == NULL)
		miss = "your key", opt = "--key FILE";
	else if (c->ca == NULL)
		miss = "the server's CA", opt = "--ca FILE";
	if (miss != NULL) {
		fprintf(stderr, "bistandctl: no %s: give %s, or set it in the "
		    "client configuration (-c FILE; see --help)\n", miss, opt);
		return NULL;
	}
	if (c->timeout == 0)
		c->timeout = CTL_TIMEOUT;
	if ((cl = calloc(1, sizeof(*cl))) == NULL) {
		fprintf(stderr, "bistandctl: out of memory\n");
		return NULL;
	}
	cl->conn = c;
	/* A server that closes while we write must not kill us. */
	signal(SIGPIPE, SIG_IGN);
	app_xml_harden();
	if (ctl_client_url(cl, c->server) == -1 || ctl_client_tls(cl) == -1)
		goto err;
	if ((cl->base = event_base_new()) == NULL) {
		fprintf(stderr, "bistandctl: event_base_new failed\n");
		goto err;
	}
	return cl;
 err:
	ctl_client_free(cl);
	return NULL;
}

void
ctl_client_free(struct ctl_client *cl)
{
	if (cl == NULL)
		return;
	if (cl->base != NULL)
		event_base_free(cl->base);
	SSL_CTX_free(cl->ctx);
	free(cl->host);
	free(cl->hosthdr);
	free(cl);
}

/* --- one exchange ------------------------------------------------ */

struct ctl_exchange {
	struct ctl_client	*cl;
	struct ctl_reply	*r;
	struct bufferevent	*bev;
	SSL			*ssl;
	int			 done;
	int			 answered;
	int			 timed_out;
	struct timespec		 start;		/* CLOCK_MONOTONIC */
	int			 herr;		/* evhttp error, -1 none */
	char			 tlserr[256];	/* first OpenSSL error */
	long			 verify;	/* X509_V_OK or why not */
};

static void
ctl_exchange_error(enum evhttp_request_error err, void *arg)
{
	struct ctl_exchange *x = arg;

	x->herr = (int)err;
}

/* Keep what OpenSSL said. The bufferevent also queues the bare
 * SSL_get_error() codes (library 0): those only say "look at errno",
 * which is not reliable by now; ctl_exchange_probe() asks again. */
static void
ctl_exchange_why(struct ctl_exchange *x)
{
	unsigned long e;

	if (x->bev == NULL)
		return;
	while ((e = bufferevent_get_openssl_error(x->bev)) != 0)
		if (x->tlserr[0] == '\0' && ERR_GET_LIB(e) != 0)
			ERR_error_string_n(e, x->tlserr, sizeof(x->tlserr));
	x->verify = SSL_get_verify_result(x->ssl);
}

static void
ctl_exchange_done(struct evhttp_request *req, void *arg)
{
	struct ctl_exchange	*x = arg;
	struct ctl_reply	*r = x->r;
	struct evbuffer		*in;
	const char		*v;
	size_t			 n;

	x->done = 1;
	event_base_loopbreak(x->cl->base);
	if (req == NULL || evhttp_request_get_response_code(req) == 0) {
		ctl_exchange_why(x);
		return;
	}
	r->status = evhttp_request_get_response_code(req);
	if ((v = evhttp_request_get_response_code_line(req)) != NULL)
		snprintf(r->reason, sizeof(r->reason), "%s", v);
	v = evhttp_find_header(evhttp_request_get_input_headers(req),
	    "X-Audit-Next-After");
	if (v != NULL)
		r->next_after = strdup(v);
	in = evhttp_request_get_input_buffer(req);
	n = evbuffer_get_length(in);
	if ((r->body = malloc(n + 1)) == NULL) {
		snprintf(x->tlserr, sizeof(x->tlserr), "out of memory for "
		    "the answer");
		return;
	}
	evbuffer_remove(in, r->body, n);
	r->body[n] = '\0';
	r->len = n;
	x->answered = 1;
}

static void
ctl_exchange_timeout(evutil_socket_t fd, short what, void *arg)
{
	struct ctl_exchange *x = arg;

	(void)fd;
	(void)what;
	x->timed_out = 1;
	event_base_loopbreak(x->cl->base);
}

/*
 * Why a connection failed below TLS. evhttp tells only that it did, and
 * errno is long overwritten when its callback runs; so resolve and
 * connect once more, plainly, and say what the system says: "Connection
 * refused", "Name or service not known", ... NULL when it connects.
 */
static const char *
ctl_exchange_probe(struct ctl_client *cl, char *buf, size_t len)
{
	struct addrinfo	 hints, *res = NULL, *ai;
	struct pollfd	 pfd;
	socklen_t	 sl;
	char		 port[8];
	int		 fd, err = 0, e;

	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	snprintf(port, sizeof(port), "%d", cl->port);
	if ((e = getaddrinfo(cl->host, port, &hints, &res)) != 0) {
		snprintf(buf, len, "%s: %s", cl->host, gai_strerror(e));
		return buf;
	}
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		if ((fd = socket(ai->ai_family, ai->ai_socktype |
		    SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol)) == -1) {
			err = errno;
			continue;
		}
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
			err = 0;
		else if (errno != EINPROGRESS)
			err = errno;
		else {
			pfd.fd = fd;
			pfd.events = POLLOUT;
			sl = sizeof(err);
			if ((e = poll(&pfd, 1, cl->conn->timeout * 1000)) <= 0)
				err = e == 0 ? ETIMEDOUT : errno;
			else if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err,
			    &sl) == -1)
				err = errno;
		}
		close(fd);
		if (err == 0)
			break;
	}
	freeaddrinfo(res);
	if (err == 0)
		return NULL;
	snprintf(buf, len, "%s", strerror(err));
	return buf;
}

/* Why no answer came, in words: "certificate verify failed: hostname
 * mismatch", "Connection refused", ... */
static void
ctl_exchange_report(struct ctl_exchange *x)
{
	struct ctl_client	*cl = x->cl;
	struct timespec		 now;
	char			 why[512];

	clock_gettime(CLOCK_MONOTONIC, &now);
	/* evhttp reports a timeout while connecting (the TLS handshake
	 * included) as a plain failure: the clock tells. */
	if (x->tlserr[0] == '\0' && x->verify == X509_V_OK &&
	    now.tv_sec - x->start.tv_sec >= cl->conn->timeout)
		x->timed_out = 1;
	if (x->timed_out || x->herr == EVREQ_HTTP_TIMEOUT)
		snprintf(why, sizeof(why), "no answer within %d s",
		    cl->conn->timeout);
	else if (x->verify != X509_V_OK)
		snprintf(why, sizeof(why), "certificate verify failed: %s "
		    "(the server's certificate, checked against %s for %s)",
		    X509_verify_cert_error_string(x->verify), cl->conn->ca,
		    cl->host);
	else if (strstr(x->tlserr, "protocol version") != NULL ||
	    strstr(x->tlserr, "unsupported protocol") != NULL)
		snprintf(why, sizeof(why), "no TLS version in common "
		    "(bistandctl speaks TLS 1.2 and 1.3): %s", x->tlserr);
	else if (strstr(x->tlserr, "unknown ca") != NULL ||
	    strstr(x->tlserr, "certificate required") != NULL ||
	    strstr(x->tlserr, "bad certificate") != NULL ||
	    strstr(x->tlserr, "certificate unknown") != NULL ||
	    strstr(x->tlserr, "unsupported certificate") != NULL ||
	    strstr(x->tlserr, "certificate expired") != NULL ||
	    strstr(x->tlserr, "certificate revoked") != NULL)
		snprintf(why, sizeof(why), "the server refused the client "
		    "certificate %s (%s)", cl->conn->cert, x->tlserr);
	else if (strstr(x->tlserr, "alert") != NULL)
		snprintf(why, sizeof(why), "the server refused the TLS "
		    "session (%s)", x->tlserr);
	else if (x->tlserr[0] != '\0')
		snprintf(why, sizeof(why), "%s%s", strncmp(x->tlserr,
		    "error:", 6) == 0 ? "TLS: " : "", x->tlserr);
	else if (x->herr == EVREQ_HTTP_DATA_TOO_LONG)
		snprintf(why, sizeof(why), "the answer is larger than %d "
		    "MiB", CTL_MAX_ANSWER / (1024 * 1024));
	else if (x->herr == EVREQ_HTTP_INVALID_HEADER)
		snprintf(why, sizeof(why), "the answer is not valid HTTP");
	else if (ctl_exchange_probe(cl, why, sizeof(why)) == NULL)
		/* It connects. With TLS 1.3 the server checks our
		 * certificate after we think the handshake is done, and its
		 * alert is lost when our next write finds it gone. */
		snprintf(why, sizeof(why), "the server closed the connection "
		    "without an answer; does it accept the client "
		    "certificate %s?", cl->conn->cert);
	fprintf(stderr, "bistandctl: cannot connect to %s: %s\n",
	    cl->conn->server, why);
}

int
ctl_client_request(struct ctl_client *cl, enum evhttp_cmd_type method,
    const char *path, const char *body, size_t len, struct ctl_reply *r)
{
	struct ctl_exchange	 x;
	struct evhttp_connection *evcon = NULL;
	struct evhttp_request	*req;
	struct evkeyvalq	*h;
	struct event		*tmo = NULL;
	struct timeval		 tv;
	int			 rc = -1;

	memset(r, 0, sizeof(*r));
	memset(&x, 0, sizeof(x));
	x.cl = cl;
	x.r = r;
	x.herr = -1;
	clock_gettime(CLOCK_MONOTONIC, &x.start);
	ERR_clear_error();
	if ((x.ssl = SSL_new(cl->ctx)) == NULL)
		goto tls;
	if (cl->is_ip) {
		/* An address: checked against the certificate's IP SANs;
		 * no SNI (RFC 6066 allows host names only). */
		if (!X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(x.ssl),
		    cl->host))
			goto tls;
	} else if (!SSL_set_tlsext_host_name(x.ssl, cl->host) ||
	    !SSL_set1_host(x.ssl, cl->host))
		goto tls;
	SSL_set_hostflags(x.ssl, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
	/* From here on the bufferevent owns the SSL (and frees it). */
	x.bev = bufferevent_openssl_socket_new(cl->base, -1, x.ssl,
	    BUFFEREVENT_SSL_CONNECTING, BEV_OPT_CLOSE_ON_FREE);
	if (x.bev == NULL)
		goto tls;
	bufferevent_openssl_set_allow_dirty_shutdown(x.bev, 1);
	/* From here on the connection owns the bufferevent. */
	evcon = evhttp_connection_base_bufferevent_new(cl->base, NULL, x.bev,
	    cl->host, (unsigned short)cl->port);
	if (evcon == NULL) {
		bufferevent_free(x.bev);
		goto oom;
	}
	evhttp_connection_set_timeout(evcon, cl->conn->timeout);
	evhttp_connection_set_retries(evcon, 0);
	evhttp_connection_set_max_body_size(evcon, CTL_MAX_ANSWER);
	if ((req = evhttp_request_new(ctl_exchange_done, &x)) == NULL)
		goto oom;
	evhttp_request_set_error_cb(req, ctl_exchange_error);
	h = evhttp_request_get_output_headers(req);
	if (evhttp_add_header(h, "Host", cl->hosthdr) == -1 ||
	    evhttp_add_header(h, "User-Agent", "bistandctl") == -1 ||
	    evhttp_add_header(h, "Accept", "application/xml, text/plain")
	    == -1 || evhttp_add_header(h, "Connection", "close") == -1 ||
	    (body != NULL && (evhttp_add_header(h, "Content-Type",
	    "application/xml; charset=UTF-8") == -1 ||
	    evbuffer_add(evhttp_request_get_output_buffer(req), body,
	    len) == -1))) {
		evhttp_request_free(req);
		goto oom;
	}
	/* A deadline for the whole exchange: evhttp's timeouts apply to
	 * each read and write, a slow trickle could outlast them. */
	tv.tv_sec = 2 * cl->conn->timeout;
	tv.tv_usec = 0;
	if ((tmo = evtimer_new(cl->base, ctl_exchange_timeout, &x)) == NULL ||
	    evtimer_add(tmo, &tv) == -1) {
		evhttp_request_free(req);
		goto oom;
	}
	if (evhttp_make_request(evcon, req, method, path) == -1) {
		/* req is freed; the callback may have run. */
		if (!x.done)
			ctl_exchange_why(&x);
	} else
		while (!x.done && !x.timed_out &&
		    event_base_loop(cl->base, EVLOOP_ONCE) == 0)
			;
	if (x.answered)
		rc = 0;
	else
		ctl_exchange_report(&x);
	goto out;
 tls:
	ctl_tls_print("TLS connection");
	SSL_free(x.ssl);		/* no bufferevent owns it yet */
	goto out;
 oom:
	fprintf(stderr, "bistandctl: out of memory\n");
 out:
	if (tmo != NULL)
		event_free(tmo);
	/* Frees a request still pending (after a timeout), the
	 * bufferevent and the SSL. */
	if (evcon != NULL)
		evhttp_connection_free(evcon);
	if (rc == -1)
		ctl_reply_free(r);
	return rc;
}

void
ctl_reply_free(struct ctl_reply *r)
{
	free(r->body);
	free(r->next_after);
	r->body = NULL;
	r->next_after = NULL;
	r->len = 0;
}

/* --- XML --------------------------------------------------------- */

/* Print why the server said no: "bistandctl: 409 CONFLICT: held by
 * handlaggare2", from the error document when there is one. */
static void
ctl_refusal(const struct ctl_reply *r)
{
	struct ctl_doc	 d;
	const char	*code, *msg, *line, *col, *elem;

	fprintf(stderr, "bistandctl: %d ", r->status);
	if (r->body != NULL && ctl_doc_parse(&d, r->body, r->len, "error")
	    == 0) {
		code = ctl_ctext(&d, d.root, "code");
		msg = ctl_ctext(&d, d.root, "message");
		line = ctl_ctext(&d, d.root, "line");
		col = ctl_ctext(&d, d.root, "column");
		elem = ctl_ctext(&d, d.root, "element");
		ctl_put(stderr, code ? code : "?", 1);
		fputs(": ", stderr);
		ctl_put(stderr, msg ? msg : "", 1);
		if (line != NULL || elem != NULL) {
			fputs(" (", stderr);
			if (line != NULL)
				fprintf(stderr, "line %s%s%s", line,
				    col ? ", column " : "", col ? col : "");
			if (elem != NULL) {
				fputs(line ? ", element " : "element ", stderr);
				ctl_put(stderr, elem, 1);
			}
			fputs(")", stderr);
		}
		ctl_doc_free(&d);
	} else
		ctl_put(stderr, r->reason[0] ? r->reason : "(no reason given)",
		    1);
	fputc('\n', stderr);
}

int
ctl_client_call(struct ctl_client *cl, enum evhttp_cmd_type method,
    const char *path, const char *body, size_t len, struct ctl_reply *r)
{
	if (ctl_client_request(cl, method, path, body, len, r) == -1)
		return 2;
	if (r->status / 100 != 2) {
		ctl_refusal(r);
		ctl_reply_free(r);
		return 1;
	}
	return 0;
}

/* --- output ------------------------------------------------------ */

static void
ctl_records_usage(FILE *f)
{
	fprintf(f, "usage: bistandctl audit records [--case ID] [--from T] "
	    "[--to T] [--after SEQ]\n"
	    "                             [--limit N] [--all] [connection "
	    "options]\n\n"
	    "Asks bistandd for audit records (GET /v1/audit; an auditor's "
	    "certificate)\nand prints them exactly as they stand in the "
	    "trail (docs/audit-format.md),\noldest first. T is RFC 3339 with "
	    "an offset, e.g. 2026-11-22T14:00:00+01:00.\nThe server gives "
	    "at most N records (default 1000, at most 10000) and says\n"
	    "where to go on; --all follows it to the end. Exit 0 when "
	    "printed, 1 when\nrefused, 2 on a usage or connection error.\n\n"
	    "  --case ID       records of one application\n"
	    "  --from T, --to T   a time range\n"
	    "  --after SEQ     records after sequence number SEQ\n"
	    "  --limit N       at most N records per request\n"
	    "  --all           follow X-Audit-Next-After until the end\n"
	    "%s", ctl_conn_help);
}

int
ctl_audit_records(int argc, char *argv[])
{
	static const struct option opts[] = {
		{ "case", required_argument, NULL, 'i' },
		{ "from", required_argument, NULL, 'F' },
		{ "to", required_argument, NULL, 'T' },
		{ "after", required_argument, NULL, 'A' },
		{ "limit", required_argument, NULL, 'l' },
		{ "all", no_argument, NULL, 'a' },
		{ "help", no_argument, NULL, 'h' },
		CTL_CONN_OPTS,
		{ NULL, 0, NULL, 0 }
	};
	struct ctl_conn		 conn;
	struct ctl_client	*cl = NULL;
	struct ctl_reply	 r;
	const char		*id = NULL, *from = NULL, *to = NULL;
	const char		*limit = NULL;
	char			*after = NULL, *path = NULL, *end;
	int64_t			 t;
	int			 ch, rc = 2, all = 0, used;

	memset(&conn, 0, sizeof(conn));
	memset(&r, 0, sizeof(r));
	optind = 1;
	while ((ch = getopt_long(argc, argv, "c:h", opts, NULL)) != -1) {
		if ((used = ctl_conn_opt(&conn, ch, optarg)) == -1)
			goto out;
		if (used)
			continue;
		switch (ch) {
		case 'i':
			if (!ctl_id_ok(optarg))
				goto out;
			id = optarg;
			break;
		case 'F':
		case 'T':
			if (app_parse_datetime(optarg, &t) == -1) {
				fprintf(stderr, "bistandctl: '%s': not an RFC "
				    "3339 time with an offset\n", optarg);
				goto out;
			}
			*(ch == 'F' ? &from : &to) = optarg;
			break;
		case 'A':
		case 'l':
			strtoull(optarg, &end, 10);
			if (optarg[0] < '0' || optarg[0] > '9' || *end != '\0') {
				fprintf(stderr, "bistandctl: '%s': not a "
				    "number\n", optarg);
				goto out;
			}
			if (ch == 'l')
				limit = optarg;
			else if (ctl_set(&after, optarg) == -1)
				goto out;
			break;
		case 'a':
			all = 1;
			break;
		case 'h':
			ctl_records_usage(stdout);
			rc = 0;
			goto out;
		default:
			ctl_records_usage(stderr);
			goto out;
		}
	}
	if (optind != argc) {
		ctl_records_usage(stderr);
		goto out;
	}
	if ((cl = ctl_client_open(&conn)) == NULL)
		goto out;
	for (;;) {
		free(path);
		if ((path = strdup("/v1/audit")) == NULL ||
		    (id && ctl_query_add(&path, "case", id) == -1) ||
		    (from && ctl_query_add(&path, "from", from) == -1) ||
		    (to && ctl_query_add(&path, "to", to) == -1) ||
		    (after && ctl_query_add(&path, "after", after) == -1) ||
		    (limit && ctl_query_add(&path, "limit", limit) == -1)) {
			fprintf(stderr, "bistandctl: out of memory\n");
			goto out;
		}
		if ((rc = ctl_client_call(cl, EVHTTP_REQ_GET, path, NULL, 0,
		    &r)) != 0)
			goto out;
		fwrite(r.body, 1, r.len, stdout);
		if (!all && r.next_after != NULL)
			fprintf(stderr, "bistandctl: more records after %s "
			    "(--after %s, or --all)\n", r.next_after,
			    r.next_after);
		if (!all || r.next_after == NULL ||
		    (after != NULL && strcmp(after, r.next_after) == 0))
			break;
		free(after);
		after = r.next_after;
		r.next_after = NULL;
		ctl_reply_free(&r);
	}
	if (fflush(stdout) == EOF) {
		fprintf(stderr, "bistandctl: standard output: %s\n",
		    strerror(errno));
		rc = 2;
	}
 out:
	ctl_reply_free(&r);
	free(path);
	free(after);
	ctl_client_free(cl);
	ctl_conn_free(&conn);
	return rc;
}
