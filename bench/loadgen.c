/*
 * loadgen.c: an HTTPS load generator that presents a client certificate
 * (wrk cannot), for bistandd and for the nginx baseline (bench/load.sh).
 *
 * Modes:
 *   closed loop (default)  -c N keep-alive connections, each sends its
 *                          next request as soon as the previous answer
 *                          is in; latency = send to last byte.
 *   open loop (-r RATE)    requests are scheduled at fixed times
 *                          (t0 + i/RATE) and latency is measured from
 *                          the scheduled time, so a server that falls
 *                          behind shows its queue in the latency instead
 *                          of slowing the generator down (coordinated
 *                          omission). Up to -c connections are used;
 *                          a request that is due while none is free
 *                          waits and is counted as "late".
 *   new connection (-N)    one connection per request, full handshake
 *                          (no session cache, no tickets): measures
 *                          handshakes/s. Combines with -r.
 *   idle (-I N)            N connections, each with one request done
 *                          (so the server has finished the handshake and
 *                          the HTTP set-up), then held open until SIGTERM,
 *                          SIGINT or -d: for the server's memory per
 *                          connection.
 *
 * With --pid PID the report also gives the server's CPU time (PID and
 * its child processes: nginx's workers) over the measured window, per
 * response, beside the generator's own: what each request costs the
 * cores the two share.
 *
 * Request bodies are generated from a template (-t, default
 * etc/examples/reapplication.xml): every request gets its own <id>
 * (PREFIX-COUNTER, unique across runs by the prefix) and its own valid
 * personnummer in place of the applicant's number everywhere it occurs,
 * so nothing is a replay or a duplicate. Only the applicant's number is
 * varied: a template with more household members keeps theirs. -b FILE
 * sends one fixed body instead (the nginx baseline).
 *
 * Personnummer: YYYYMMDDNNNC for every calendar day of 1950-1999 (so
 * the applicant is an adult) and serial 000-999: 18 262 000 numbers,
 * enumerated from (seed + request counter), unique within a run of
 * fewer requests than that. Across runs against the same state two runs
 * may pick the same number (the seed is derived from the prefix unless
 * --seed is given); the daemon then treats it as a second application
 * of that person in the period, still a valid request (201), only its
 * outcome may differ. bench/load.sh uses a fresh state per run.
 *
 * HTTP/1.1 is written and parsed here (status line, Content-Length,
 * Connection: close) rather than with evhttp's client: one copy less,
 * no per-request allocation of header tables, and the clock is read
 * exactly when the last byte has been read. Single-threaded: it shares
 * the machine's cores with the server under test.
 *
 * Build:
 *   cc -std=c11 -D_GNU_SOURCE -O2 -g -Wall -Wextra -Werror \
 *     -o bench/bin/loadgen bench/loadgen.c \
 *     $(pkg-config --cflags --libs libevent_openssl libevent openssl) -lm
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <sys/resource.h>
#include <sys/socket.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/event.h>
#include <event2/util.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#define NS		1000000000ULL
#define MAX_HEADER	(64 * 1024)	/* a response head larger than this
					 * is an error, not a slow server */
#define SAMPLE_BODY	600		/* bytes of a non-2xx body kept */
#define NSTATUS		600

/*
 * Latency histogram, HdrHistogram-style log-linear buckets in µs:
 * values below 256 µs exactly, above that 128 buckets per power of two,
 * i.e. a bucket is at most 1/128 (0.78 %) of its value wide and the
 * midpoint reported is within 0.4 %. 2^40 µs is far beyond any timeout.
 */
#define H_SUB_BITS	7
#define H_SUB		(1u << H_SUB_BITS)
#define H_MAXMSB	40
#define H_BUCKETS	(H_SUB * (H_MAXMSB - H_SUB_BITS + 1) + 2 * H_SUB)

struct hist {
	uint64_t	b[H_BUCKETS];
	uint64_t	n, max_us, sum_us;
};

static int
msb64(uint64_t v)
{
	return 63 - __builtin_clzll(v);
}

static size_t
hist_index(uint64_t us)
{
	int	shift;

	if (us < 2 * H_SUB)
		return (size_t)us;
	if (msb64(us) > H_MAXMSB)
		us = (1ULL << (H_MAXMSB + 1)) - 1;
	shift = msb64(us) - H_SUB_BITS;
	return (size_t)H_SUB * (size_t)shift + (size_t)(us >> shift);
}

/* The midpoint of bucket i, in µs. */
static double
hist_value(size_t i)
{
	size_t	shift, sub;

	if (i < 2 * H_SUB)
		return (double)i;
	shift = i / H_SUB - 1;
	sub = i - H_SUB * shift;
	return ((double)sub + 0.5) * (double)(1ULL << shift);
}

static void
hist_add(struct hist *h, uint64_t ns)
{
	uint64_t us = ns / 1000;

	h->b[hist_index(us)]++;
	h->n++;
	h->sum_us += us;
	if (us > h->max_us)
		h->max_us = us;
}

/* Nearest rank: the smallest value with at least p of the samples at
 * or below it; in ms. */
static double
hist_pct_ms(const struct hist *h, double p)
{
	uint64_t need, cum = 0;
	size_t	 i;
	double	 v;

	if (h->n == 0)
		return 0;
	need = (uint64_t)ceil(p * (double)h->n);
	if (need < 1)
		need = 1;
	for (i = 0; i < H_BUCKETS; i++) {
		cum += h->b[i];
		if (cum >= need)
			break;
	}
	v = hist_value(i);
	if (v > (double)h->max_us)
		v = (double)h->max_us;
	return v / 1000.0;
}

/* ---- options and run state ---- */

enum mode { M_CLOSED, M_OPEN, M_IDLE };
enum cstate { C_CONNECTING, C_IDLE, C_BUSY, C_HELD };
enum phase { P_WARMUP, P_MEASURE, P_DRAIN, P_DONE };

struct conn {
	struct bufferevent	*bev;
	enum cstate		 state;
	int			 has_req;	/* a request is bound to it */
	uint64_t		 sched;		/* its start (ns) */
	int			 counted;	/* started in the window */
	int			 late;
	/* response parser */
	int			 in_body;
	int			 status;
	int			 close_after;
	size_t			 remain;
	char			*sample;	/* first bytes of a non-2xx body */
	size_t			 samplelen;
	struct conn		*next;		/* the idle list (open loop) */
	struct conn		*prev, *anext;	/* all connections */
};

struct body_piece {
	const char	*p;
	size_t		 len;
	int		 slot;		/* 0 literal, 1 id, 2 personnummer */
};

static struct {
	/* options */
	char		 host[256];
	int		 port;
	const char	*ca, *cert, *key;
	int		 conns;
	double		 rate;
	double		 secs, warm;
	int		 secs_set;
	int		 newconn;
	int		 idle_n;
	const char	*method, *path;
	const char	*bodyfile, *tmplfile;
	char		 prefix[48];
	uint64_t	 seed;
	int		 seed_set;
	double		 timeout;
	int		 tls_only;	/* 0 both, 12 or 13 */
	enum mode	 mode;
	int		 srv_pid;	/* --pid: the server's CPU, or 0 */

	struct event_base *base;
	SSL_CTX		*ctx;
	struct sockaddr_in sin;
	struct event	*tick, *phase_ev, *sigint, *sigterm, *retry;

	/* request */
	char		*fixed;		/* -b: the whole request */
	size_t		 fixedlen;
	char		*tmpl;
	struct body_piece pieces[64];
	size_t		 npieces;
	size_t		 bodylen;	/* of a generated body */
	char		*reqbuf;	/* one generated request */
	size_t		 hdrlen;
	uint64_t	 nreq;		/* requests built */
	uint16_t	(*days)[3];	/* year, month, day of 1950-1999 */
	size_t		 ndays;

	/* run */
	enum phase	 phase;
	uint64_t	 t_start, t_meas, t_end, t_drain_end;
	struct conn	*all;
	int		 nconns, nconnecting, maxconns;
	uint64_t	 nopened;	/* connects: shows keep-alive works */
	struct conn	*idle;		/* open loop: free connections */
	uint64_t	 next_i;	/* open loop: next request index */
	uint64_t	 late_below;	/* indices below were due while
					 * no connection was free */
	int		 blocked;
	int		 inflight;
	int		 idle_ready, idle_lost, idle_printed;

	/* results (the measured window only) */
	struct hist	 h;
	uint64_t	 status[NSTATUS];
	char		*sample[NSTATUS];
	uint64_t	 err_connect, err_timeout, err_eof, err_proto;
	uint64_t	 late, unsent;
	uint64_t	 err_total_all;		/* incl. warm-up, for diagnosis */
	char		 first_err[256];
	/* CPU over the measured window (cpu_mark): server ticks, own s */
	long long	 srv_ticks0, srv_ticks1;
	double		 gen_cpu0, gen_cpu1;
	int		 cpu_marks;
} G;

static void	conn_free(struct conn *);
static int	conn_open(int has_req, uint64_t sched);
static void	dispatch(void);
static void	closed_next(struct conn *);
static void	refill(int);

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * NS + (uint64_t)ts.tv_nsec;
}

static struct timeval
tv_of(uint64_t ns)
{
	struct timeval tv;

	tv.tv_sec = (time_t)(ns / NS);
	tv.tv_usec = (suseconds_t)((ns % NS) / 1000);
	return tv;
}

static void
note_err(const char *what)
{
	unsigned long e;
	char	 buf[160] = "";

	G.err_total_all++;
	if (G.first_err[0] != '\0')
		return;
	if ((e = ERR_peek_last_error()) != 0)
		ERR_error_string_n(e, buf, sizeof(buf));
	else if (errno != 0)
		snprintf(buf, sizeof(buf), "%s", strerror(errno));
	snprintf(G.first_err, sizeof(G.first_err), "%s%s%s", what,
	    buf[0] ? ": " : "", buf);
}

/* ---- personnummer and request bodies ---- */

static int
days_in_month(int y, int m)
{
	static const int d[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31,
	    30, 31 };

	return d[m - 1] + (m == 2 && ((y % 4 == 0 && y % 100 != 0) ||
	    y % 400 == 0));
}

static int
days_init(void)
{
	int	y, m, d;
	size_t	n = 0;

	/* 50 years of days, at most 366 each */
	if ((G.days = calloc(50 * 366, sizeof(*G.days))) == NULL)
		return -1;
	for (y = 1950; y <= 1999; y++)
		for (m = 1; m <= 12; m++)
			for (d = 1; d <= days_in_month(y, m); d++) {
				G.days[n][0] = (uint16_t)y;
				G.days[n][1] = (uint16_t)m;
				G.days[n][2] = (uint16_t)d;
				n++;
			}
	G.ndays = n;
	return 0;
}

/* The k-th personnummer into out[12] (no NUL). Days vary fastest, so
 * consecutive requests differ in birth date, not only in serial. */
static void
pnr_make(uint64_t k, char *out)
{
	uint64_t space = (uint64_t)G.ndays * 1000;
	uint64_t j = k % space;
	size_t	 day = (size_t)(j % G.ndays);
	unsigned serial = (unsigned)(j / G.ndays);
	char	 s[13];
	int	 i, d, sum = 0;

	snprintf(s, sizeof(s), "%04u%02u%02u%03u", G.days[day][0] % 10000u,
	    G.days[day][1] % 100u, G.days[day][2] % 100u, serial % 1000u);
	/* Luhn over YYMMDDNNN: weights 2,1,2,... from the first digit;
	 * the check digit makes the sum a multiple of 10. */
	for (i = 0; i < 9; i++) {
		d = s[2 + i] - '0';
		if (i % 2 == 0 && (d *= 2) > 9)
			d -= 9;
		sum += d;
	}
	s[11] = (char)('0' + (10 - sum % 10) % 10);
	memcpy(out, s, 12);
}

static char *
slurp(const char *path, size_t *len)
{
	FILE	*f;
	char	*p = NULL, *np;
	size_t	 n = 0, cap = 0, r;

	if ((f = fopen(path, "rb")) == NULL)
		return NULL;
	for (;;) {
		if (cap - n < 4096) {
			cap = cap ? cap * 2 : 8192;
			if ((np = realloc(p, cap + 1)) == NULL)
				goto fail;
			p = np;
		}
		if ((r = fread(p + n, 1, cap - n, f)) == 0)
			break;
		n += r;
	}
	if (ferror(f))
		goto fail;
	fclose(f);
	p[n] = '\0';
	*len = n;
	return p;
fail:
	free(p);
	fclose(f);
	return NULL;
}

static int
piece_add(const char *p, size_t len, int slot)
{
	if (G.npieces == sizeof(G.pieces) / sizeof(G.pieces[0]))
		return -1;
	G.pieces[G.npieces].p = p;
	G.pieces[G.npieces].len = len;
	G.pieces[G.npieces].slot = slot;
	G.npieces++;
	return 0;
}

/* Width of the counter in an id: fixed, so every body has the same
 * length and the header is built once. */
#define ID_DIGITS	10

/*
 * Splits the template into literal pieces, the <id> content and every
 * occurrence of the applicant's personnummer (the first <personnummer>
 * after role="applicant", else the first one).
 */
static int
tmpl_init(void)
{
	size_t	 len, idlen;
	char	*t, *ids, *ide, *pn, *p, *lit;
	char	 pnr[13];

	if ((t = slurp(G.tmplfile, &len)) == NULL) {
		fprintf(stderr, "loadgen: %s: %s\n", G.tmplfile,
		    strerror(errno));
		return -1;
	}
	G.tmpl = t;
	if ((ids = strstr(t, "<id>")) == NULL ||
	    (ide = strstr(ids, "</id>")) == NULL) {
		fprintf(stderr, "loadgen: %s: no <id>\n", G.tmplfile);
		return -1;
	}
	ids += 4;
	if ((p = strstr(t, "role=\"applicant\"")) == NULL)
		p = t;
	if ((pn = strstr(p, "<personnummer>")) == NULL ||
	    strspn(pn + 14, "0123456789") != 12 ||
	    strncmp(pn + 26, "</personnummer>", 15) != 0) {
		fprintf(stderr, "loadgen: %s: no 12-digit applicant "
		    "<personnummer>\n", G.tmplfile);
		return -1;
	}
	memcpy(pnr, pn + 14, 12);
	pnr[12] = '\0';
	idlen = strlen(G.prefix) + 1 + ID_DIGITS;
	G.bodylen = 0;
	for (lit = p = t; *p != '\0'; ) {
		if (p == ids) {
			if (piece_add(lit, (size_t)(p - lit), 0) == -1 ||
			    piece_add(NULL, idlen, 1) == -1)
				goto toomany;
			G.bodylen += (size_t)(p - lit) + idlen;
			lit = p = ide;
		} else if (strncmp(p, pnr, 12) == 0) {
			if (piece_add(lit, (size_t)(p - lit), 0) == -1 ||
			    piece_add(NULL, 12, 2) == -1)
				goto toomany;
			G.bodylen += (size_t)(p - lit) + 12;
			lit = p = p + 12;
		} else
			p++;
	}
	if (piece_add(lit, (size_t)(p - lit), 0) == -1)
		goto toomany;
	G.bodylen += (size_t)(p - lit);
	return 0;
toomany:
	fprintf(stderr, "loadgen: %s: too many substitutions\n", G.tmplfile);
	return -1;
}

static int
requests_init(void)
{
	char	 hdr[1024];
	int	 n;
	char	*body = NULL;
	size_t	 blen = 0;
	int	 has_body;

	has_body = G.bodyfile != NULL || G.tmplfile != NULL;
	if (G.bodyfile != NULL && (body = slurp(G.bodyfile, &blen)) == NULL) {
		fprintf(stderr, "loadgen: %s: %s\n", G.bodyfile,
		    strerror(errno));
		return -1;
	}
	if (G.tmplfile != NULL) {
		if (tmpl_init() == -1 || days_init() == -1)
			return -1;
		blen = G.bodylen;
	}
	if (has_body)
		n = snprintf(hdr, sizeof(hdr), "%s %s HTTP/1.1\r\nHost: %s:%d"
		    "\r\n%sContent-Type: application/xml\r\n"
		    "Content-Length: %zu\r\n\r\n", G.method, G.path, G.host,
		    G.port, G.newconn ? "Connection: close\r\n" : "", blen);
	else
		n = snprintf(hdr, sizeof(hdr), "%s %s HTTP/1.1\r\nHost: %s:%d"
		    "\r\n%s\r\n", G.method, G.path, G.host, G.port,
		    G.newconn ? "Connection: close\r\n" : "");
	if (n < 0 || (size_t)n >= sizeof(hdr)) {
		free(body);
		return -1;
	}
	G.hdrlen = (size_t)n;
	if (G.tmplfile != NULL) {
		/* + 1: room for the NUL snprintf puts after an id */
		if ((G.reqbuf = malloc(G.hdrlen + G.bodylen + 1)) == NULL)
			return -1;
		memcpy(G.reqbuf, hdr, G.hdrlen);
		return 0;
	}
	if ((G.fixed = malloc(G.hdrlen + blen + 1)) == NULL) {
		free(body);
		return -1;
	}
	memcpy(G.fixed, hdr, G.hdrlen);
	if (blen > 0)
		memcpy(G.fixed + G.hdrlen, body, blen);
	G.fixedlen = G.hdrlen + blen;
	free(body);
	return 0;
}

/* Writes the next request to the connection's output. */
static int
request_write(struct conn *c)
{
	struct evbuffer *out = bufferevent_get_output(c->bev);
	char	*w;
	size_t	 i;
	uint64_t k;

	if (G.fixed != NULL)
		return evbuffer_add(out, G.fixed, G.fixedlen);
	k = G.nreq++;
	w = G.reqbuf + G.hdrlen;
	for (i = 0; i < G.npieces; i++) {
		switch (G.pieces[i].slot) {
		case 0:
			memcpy(w, G.pieces[i].p, G.pieces[i].len);
			break;
		case 1:
			/* snprintf writes a NUL past the id: into the
			 * next piece's place, overwritten right after
			 * (reqbuf has a spare byte at the very end) */
			snprintf(w, G.pieces[i].len + 1, "%s-%0*" PRIu64,
			    G.prefix, ID_DIGITS, k % (uint64_t)10000000000ULL);
			break;
		case 2:
			pnr_make(G.seed + k, w);
			break;
		}
		w += G.pieces[i].len;
	}
	return evbuffer_add(out, G.reqbuf, G.hdrlen + G.bodylen);
}

/* ---- connections ---- */

static void
conn_unlink_idle(struct conn *c)
{
	struct conn **pp;

	for (pp = &G.idle; *pp != NULL; pp = &(*pp)->next)
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	c->next = NULL;
}

static void
conn_free(struct conn *c)
{
	if (c->state == C_CONNECTING)
		G.nconnecting--;
	if (c->state == C_IDLE)
		conn_unlink_idle(c);
	if (c->state == C_BUSY)
		G.inflight--;
	if (c->prev != NULL)
		c->prev->anext = c->anext;
	else
		G.all = c->anext;
	if (c->anext != NULL)
		c->anext->prev = c->prev;
	G.nconns--;
	if (c->bev != NULL)
		bufferevent_free(c->bev);	/* frees the SSL and socket */
	free(c->sample);
	free(c);
}

static int
in_window(uint64_t t)
{
	return t >= G.t_meas && t < G.t_end;
}

static void
count_error(struct conn *c, uint64_t *ctr)
{
	/* A request that failed is counted in the window it was started in;
	 * a connection that failed with no request counts by the clock. */
	if (c->has_req ? c->counted : (G.phase == P_MEASURE))
		(*ctr)++;
}

static void
request_start(struct conn *c, uint64_t sched, int late)
{
	struct timeval tv = tv_of((uint64_t)(G.timeout * 1e9));

	c->has_req = 1;
	c->sched = sched;
	c->counted = in_window(sched);
	c->late = late;
	if (c->state == C_CONNECTING)
		return;		/* sent when connected */
	if (c->state == C_IDLE)
		conn_unlink_idle(c);
	c->state = C_BUSY;
	G.inflight++;
	c->in_body = 0;
	c->status = 0;
	c->close_after = 0;
	if (late && c->counted)
		G.late++;
	bufferevent_set_timeouts(c->bev, &tv, &tv);
	if (request_write(c) == -1) {
		note_err("evbuffer_add");
		count_error(c, &G.err_proto);
		conn_free(c);
	}
}

static void
maybe_finish(void)
{
	if (G.phase == P_DRAIN && G.inflight == 0 && G.nconnecting == 0) {
		G.phase = P_DONE;
		event_base_loopbreak(G.base);
	}
}

/* The connection is ready for another request (or, in -N, done). */
static void
conn_ready(struct conn *c)
{
	if (G.mode == M_IDLE) {
		bufferevent_set_timeouts(c->bev, NULL, NULL);
		c->state = C_HELD;
		G.idle_ready++;
		closed_next(c);
		return;
	}
	if (G.newconn || c->close_after) {
		conn_free(c);
		refill(0);
		return;
	}
	bufferevent_set_timeouts(c->bev, NULL, NULL);
	c->state = C_IDLE;
	c->next = G.idle;
	G.idle = c;
	if (G.mode == M_CLOSED)
		closed_next(c);
	else
		dispatch();
	maybe_finish();
}

static void
response_done(struct conn *c)
{
	uint64_t t = now_ns();

	c->has_req = 0;
	G.inflight--;
	/* neither busy nor on the idle list: conn_ready decides */
	c->state = C_HELD;
	if (c->counted) {
		hist_add(&G.h, t - c->sched);
		if (c->status > 0 && c->status < NSTATUS)
			G.status[c->status]++;
	}
	if (c->sample != NULL && c->status > 0 && c->status < NSTATUS &&
	    G.sample[c->status] == NULL) {
		G.sample[c->status] = c->sample;
		c->sample = NULL;
	}
	free(c->sample);
	c->sample = NULL;
	c->samplelen = 0;
	conn_ready(c);
}

/* Parses "HTTP/1.x NNN ...", Content-Length and Connection in the head
 * (len bytes, ending with the empty line). */
static int
head_parse(struct conn *c, const char *h, size_t len)
{
	const char *p, *e = h + len, *eol;
	int	 have_len = 0;

	if (len < 12 || strncmp(h, "HTTP/1.", 7) != 0 || h[8] != ' ')
		return -1;
	c->status = atoi(h + 9);
	if (c->status < 100 || c->status >= NSTATUS)
		return -1;
	if (h[7] == '0')
		c->close_after = 1;
	for (p = memchr(h, '\n', len); p != NULL && p + 1 < e; p = eol) {
		p++;
		if ((eol = memchr(p, '\n', (size_t)(e - p))) == NULL)
			break;
		if (strncasecmp(p, "Content-Length:", 15) == 0) {
			c->remain = (size_t)strtoull(p + 15, NULL, 10);
			have_len = 1;
		} else if (strncasecmp(p, "Connection:", 11) == 0) {
			const char *v = p + 11;

			while (*v == ' ' || *v == '\t')
				v++;
			if (strncasecmp(v, "close", 5) == 0)
				c->close_after = 1;
		} else if (strncasecmp(p, "Transfer-Encoding:", 18) == 0)
			return -1;	/* chunked: not spoken here */
	}
	if (!have_len)
		c->remain = 0;	/* 1xx/204/304-like or no body */
	return 0;
}

static void
conn_read(struct bufferevent *bev, void *arg)
{
	struct conn	*c = arg;
	struct evbuffer *in = bufferevent_get_input(bev);
	struct evbuffer_ptr pos;
	size_t		 n, take;
	char		*h;

	for (;;) {
		if (c->state != C_BUSY) {
			if (evbuffer_get_length(in) == 0)
				return;
			note_err("data with no request in flight");
			count_error(c, &G.err_proto);
			conn_free(c);
			maybe_finish();
			return;
		}
		if (!c->in_body) {
			pos = evbuffer_search(in, "\r\n\r\n", 4, NULL);
			if (pos.pos < 0) {
				if (evbuffer_get_length(in) > MAX_HEADER)
					goto proto;
				return;
			}
			n = (size_t)pos.pos + 4;
			if ((h = (char *)evbuffer_pullup(in, (ssize_t)n)) ==
			    NULL || head_parse(c, h, n) == -1)
				goto proto;
			evbuffer_drain(in, n);
			if (c->status >= 100 && c->status < 200)
				continue;	/* interim: the real one follows */
			c->in_body = 1;
		}
		n = evbuffer_get_length(in);
		take = n < c->remain ? n : c->remain;
		if ((c->status < 200 || c->status > 299) &&
		    c->samplelen < SAMPLE_BODY && take > 0) {
			size_t k = SAMPLE_BODY - c->samplelen;

			if (k > take)
				k = take;
			if (c->sample == NULL &&
			    (c->sample = calloc(1, SAMPLE_BODY + 1)) == NULL)
				goto proto;
			evbuffer_copyout(in, c->sample + c->samplelen, k);
			c->samplelen += k;
		}
		evbuffer_drain(in, take);
		c->remain -= take;
		if (c->remain > 0)
			return;
		response_done(c);
		/* c may be freed or busy with the next request */
		return;
	}
proto:
	note_err("malformed response");
	count_error(c, &G.err_proto);
	conn_free(c);
	maybe_finish();
}

/* Replaces lost connections: at once, or after a pause when the last
 * one could not even connect (a server that refuses would otherwise be
 * hammered in a tight loop). */
static void
refill(int pause)
{
	struct timeval tv = { 0, 10000 };

	if (pause) {
		if (!evtimer_pending(G.retry, NULL))
			evtimer_add(G.retry, &tv);
		return;
	}
	if (G.mode == M_OPEN)
		dispatch();
	else
		closed_next(NULL);
	maybe_finish();
}

static void
retry_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	(void)arg;
	refill(0);
}

static void
conn_event(struct bufferevent *bev, short what, void *arg)
{
	struct conn	*c = arg;
	int		 pause = c->state == C_CONNECTING;

	(void)bev;
	if (what & BEV_EVENT_CONNECTED) {
		G.nconnecting--;
		c->state = C_HELD;
		if (c->has_req) {
			c->state = C_IDLE;	/* request_start unlinks: */
			c->next = G.idle;	/* put it on the list first */
			G.idle = c;
			request_start(c, c->sched, c->late);
			return;
		}
		conn_ready(c);
		return;
	}
	if (what & BEV_EVENT_TIMEOUT) {
		note_err("timeout");
		count_error(c, &G.err_timeout);
	} else if (c->state == C_CONNECTING) {
		note_err("connect/TLS handshake");
		count_error(c, &G.err_connect);
	} else if (what & BEV_EVENT_EOF) {
		if (c->state == C_HELD && G.mode == M_IDLE)
			G.idle_lost++;
		else if (c->state == C_IDLE) {
			/* the server closed a kept-alive connection
			 * between requests: not an error, reconnect */
			conn_free(c);
			refill(0);
			return;
		} else {
			note_err("connection closed by the server");
			count_error(c, &G.err_eof);
		}
	} else {
		note_err("connection error");
		count_error(c, &G.err_connect);
	}
	if (G.mode == M_IDLE && c->state == C_HELD)
		G.idle_ready--;
	conn_free(c);
	refill(pause);
	maybe_finish();
}

static int
conn_open(int has_req, uint64_t sched)
{
	struct conn	*c;
	SSL		*ssl;
	struct timeval	 tv = tv_of((uint64_t)(G.timeout * 1e9));
	int		 one = 1;
	evutil_socket_t	 fd;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return -1;
	if ((ssl = SSL_new(G.ctx)) == NULL) {
		free(c);
		return -1;
	}
	/* the server's certificate must name 127.0.0.1 or the host */
	if (inet_addr(G.host) != INADDR_NONE) {
		X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), G.host);
	} else {
		SSL_set_tlsext_host_name(ssl, G.host);
		SSL_set1_host(ssl, G.host);
	}
	c->bev = bufferevent_openssl_socket_new(G.base, -1, ssl,
	    BUFFEREVENT_SSL_CONNECTING,
	    BEV_OPT_CLOSE_ON_FREE | BEV_OPT_DEFER_CALLBACKS);
	if (c->bev == NULL) {
		SSL_free(ssl);
		free(c);
		return -1;
	}
	c->state = C_CONNECTING;
	c->has_req = has_req;
	c->sched = sched;
	c->counted = has_req && in_window(sched);
	c->anext = G.all;
	if (G.all != NULL)
		G.all->prev = c;
	G.all = c;
	G.nconns++;
	G.nconnecting++;
	G.nopened++;
	if (G.nconns > G.maxconns)
		G.maxconns = G.nconns;
	bufferevent_setcb(c->bev, conn_read, NULL, conn_event, c);
	bufferevent_set_timeouts(c->bev, &tv, &tv);
	if (bufferevent_socket_connect(c->bev, (struct sockaddr *)&G.sin,
	    sizeof(G.sin)) == -1) {
		note_err("connect");
		count_error(c, &G.err_connect);
		conn_free(c);
		return -1;
	}
	/* small requests and answers: do not wait for Nagle */
	if ((fd = bufferevent_getfd(c->bev)) >= 0)
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	bufferevent_enable(c->bev, EV_READ | EV_WRITE);
	return 0;
}

/* ---- the two loops ---- */

/* Closed loop (and idle mode's ramp): c, if not NULL, is free; send it
 * the next request, or open connections up to -c. */
static void
closed_next(struct conn *c)
{
	if (G.mode == M_IDLE) {
		/* idle mode: keep -c handshakes (each with its one request)
		 * going until -I are open; connections lost afterwards are
		 * not replaced, and a server that keeps refusing ends the
		 * ramp (the final line tells) */
		while (!G.idle_printed && G.phase < P_DRAIN &&
		    G.nconnecting + G.inflight < G.conns &&
		    G.nconns < G.idle_n && G.err_total_all <
		    (uint64_t)G.idle_n)
			if (conn_open(1, 0) == -1)
				break;
		if (G.idle_ready == G.idle_n && !G.idle_printed) {
			G.idle_printed = 1;
			printf("idle %d connections open\n", G.idle_ready);
			fflush(stdout);
		}
		return;
	}
	if (G.phase >= P_DRAIN)
		return;
	if (c != NULL) {
		if (G.newconn) {
			conn_free(c);
			c = NULL;
		} else {
			request_start(c, now_ns(), 0);
			return;
		}
	}
	/* keep-alive: the first request is sent once connected, so its
	 * latency leaves the handshake out; -N: the handshake is the point
	 * and is timed from the connect */
	while (G.nconns < G.conns)
		if (conn_open(G.newconn, now_ns()) == -1)
			break;
}

static uint64_t
sched_of(uint64_t i)
{
	return G.t_start + (uint64_t)((double)i * 1e9 / G.rate);
}

/* Open loop: send every request that is due on a free connection. */
static void
dispatch(void)
{
	uint64_t now, due, next;
	struct timeval tv;
	int	 want;

	if (G.phase >= P_DRAIN)
		return;
	now = now_ns();
	/* the first request not yet due */
	due = (uint64_t)floor((double)(now - G.t_start) * G.rate / 1e9) + 1;
	if (G.blocked) {
		/* everything due now became due while no connection was
		 * free */
		G.late_below = due;
		G.blocked = 0;
	}
	while (G.next_i < due && sched_of(G.next_i) < G.t_end) {
		if (G.newconn) {
			if (G.nconns >= G.conns)
				break;
			if (conn_open(1, sched_of(G.next_i)) == -1)
				break;
			/* late only if it could not get a connection;
			 * counted when it is sent */
			G.all->late = G.next_i < G.late_below;
			G.next_i++;
			continue;
		}
		if (G.idle == NULL)
			break;
		request_start(G.idle, sched_of(G.next_i),
		    G.next_i < G.late_below);
		G.next_i++;
	}
	if (G.next_i < due && sched_of(G.next_i) < G.t_end) {
		G.blocked = 1;
		/* open more keep-alive connections for the backlog */
		want = (int)(due - G.next_i) - G.nconnecting;
		while (!G.newconn && want-- > 0 && G.nconns < G.conns)
			if (conn_open(0, 0) == -1)
				break;
	}
	next = sched_of(G.next_i);
	if (next >= G.t_end)
		return;
	if (G.blocked) {
		/* a connection that becomes free dispatches; the tick
		 * only keeps "late" up to date meanwhile, 1 ms is plenty */
		tv = tv_of(1000000);
	} else
		tv = tv_of(next > now ? next - now : 0);
	evtimer_add(G.tick, &tv);
}

static void
tick_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	(void)arg;
	dispatch();
}

/* The generator's own CPU seconds so far. */
static double
own_cpu(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
	    (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

/* utime + stime of a process (all its threads), in clock ticks; -1 when
 * it cannot be read. The command name (field 2) may hold spaces: the
 * fields are counted from its closing parenthesis. */
static long long
proc_ticks(int pid)
{
	char		 path[64], buf[1024], *p;
	FILE		*f;
	size_t		 n;
	unsigned long long ut, st;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	if ((f = fopen(path, "r")) == NULL)
		return -1;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	if ((p = strrchr(buf, ')')) == NULL ||
	    sscanf(p + 1, " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu "
	    "%llu", &ut, &st) != 2)
		return -1;
	return (long long)(ut + st);
}

/* The server's ticks: --pid and its children (nginx: the workers). A
 * child that exits inside the window takes its ticks with it: nginx's
 * workers live as long as the master. */
static long long
server_ticks(void)
{
	char		 path[64];
	FILE		*f;
	long long	 t, c;
	int		 child;

	if ((t = proc_ticks(G.srv_pid)) == -1)
		return -1;
	snprintf(path, sizeof(path), "/proc/%d/task/%d/children", G.srv_pid,
	    G.srv_pid);
	if ((f = fopen(path, "r")) != NULL) {
		while (fscanf(f, "%d", &child) == 1)
			if ((c = proc_ticks(child)) > 0)
				t += c;
		fclose(f);
	}
	return t;
}

/* At the measured window's start and end: both sides' CPU. */
static void
cpu_mark(void)
{
	if (G.cpu_marks == 0) {
		G.srv_ticks0 = G.srv_pid ? server_ticks() : -1;
		G.gen_cpu0 = own_cpu();
	} else if (G.cpu_marks == 1) {
		G.srv_ticks1 = G.srv_pid && G.srv_ticks0 != -1 ?
		    server_ticks() : -1;
		G.gen_cpu1 = own_cpu();
	}
	G.cpu_marks++;
}

/* Warm-up → measure → drain (in-flight answers still count) → done. */
static void
phase_cb(evutil_socket_t fd, short what, void *arg)
{
	struct timeval	 tv;
	uint64_t	 now = now_ns();

	(void)fd;
	(void)what;
	(void)arg;
	if (G.mode == M_IDLE) {
		G.phase = P_DONE;
		event_base_loopbreak(G.base);
		return;
	}
	if (G.phase == P_WARMUP) {
		G.phase = P_MEASURE;
		cpu_mark();
		tv = tv_of(G.t_end > now ? G.t_end - now : 0);
		evtimer_add(G.phase_ev, &tv);
		return;
	}
	if (G.phase == P_MEASURE) {
		G.phase = P_DRAIN;
		cpu_mark();
		if (G.mode == M_OPEN) {
			/* due but never sent: the queue at the end */
			uint64_t i;

			for (i = G.next_i; sched_of(i) < G.t_end; i++)
				if (in_window(sched_of(i)))
					G.unsent++;
		}
		/* idle keep-alive connections are not needed any more */
		while (G.idle != NULL)
			conn_free(G.idle);
		tv = tv_of((uint64_t)(G.timeout * 1e9));
		evtimer_add(G.phase_ev, &tv);
		maybe_finish();
		return;
	}
	/* drain timed out: what is still in flight is a timeout */
	while (G.all != NULL) {
		if (G.all->has_req && G.all->counted)
			G.err_timeout++;
		conn_free(G.all);
	}
	G.phase = P_DONE;
	event_base_loopbreak(G.base);
}

static void
sig_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	(void)arg;
	if (G.mode != M_IDLE && G.phase < P_DRAIN) {
		/* stop early: measure what ran */
		G.t_end = now_ns();
		event_active(G.phase_ev, EV_TIMEOUT, 0);
		if (G.phase == P_WARMUP) {
			G.phase = P_MEASURE;
			cpu_mark();
		}
		return;
	}
	G.phase = P_DONE;
	event_base_loopbreak(G.base);
}

/* ---- set-up and report ---- */

static SSL_CTX *
tls_init(void)
{
	SSL_CTX	*ctx;

	if ((ctx = SSL_CTX_new(TLS_client_method())) == NULL)
		return NULL;
	SSL_CTX_set_min_proto_version(ctx, G.tls_only == 13 ?
	    TLS1_3_VERSION : TLS1_2_VERSION);
	SSL_CTX_set_max_proto_version(ctx, G.tls_only == 12 ?
	    TLS1_2_VERSION : TLS1_3_VERSION);
	/* every new connection a full handshake: nothing to resume from */
	SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
	SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET);
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
	if (SSL_CTX_load_verify_locations(ctx, G.ca, NULL) != 1 ||
	    SSL_CTX_use_certificate_chain_file(ctx, G.cert) != 1 ||
	    SSL_CTX_use_PrivateKey_file(ctx, G.key, SSL_FILETYPE_PEM) != 1 ||
	    SSL_CTX_check_private_key(ctx) != 1) {
		ERR_print_errors_fp(stderr);
		SSL_CTX_free(ctx);
		return NULL;
	}
	return ctx;
}

static void
report(void)
{
	const char *mode;
	double	 secs = (double)(G.t_end - G.t_meas) / 1e9;
	uint64_t ok = 0, non2xx = 0, errors;
	int	 i;
	double	 cpu, wall, nresp, hz;
	char	 srv_us[32] = "-", gen_us[32] = "-";

	for (i = 0; i < NSTATUS; i++) {
		if (i >= 200 && i <= 299)
			ok += G.status[i];
		else
			non2xx += G.status[i];
	}
	errors = G.err_connect + G.err_timeout + G.err_eof + G.err_proto;
	mode = G.mode == M_OPEN ? "open" : "closed";
	if (G.newconn)
		mode = G.mode == M_OPEN ? "new-open" : "new";
	if (secs <= 0)
		secs = 1e-9;
	/* the generator's own CPU, whole run: it shares the cores with
	 * the server, so a high share means it limited the result */
	cpu = own_cpu();
	wall = (double)(now_ns() - G.t_start) / 1e9;
	/* per response of the window: answers to requests started before
	 * it and still in flight after it roughly cancel out */
	nresp = (double)(ok + non2xx);
	hz = (double)sysconf(_SC_CLK_TCK);
	if (G.cpu_marks >= 2 && nresp > 0) {
		snprintf(gen_us, sizeof(gen_us), "%.1f",
		    (G.gen_cpu1 - G.gen_cpu0) * 1e6 / nresp);
		if (G.srv_ticks0 != -1 && G.srv_ticks1 != -1 && hz > 0)
			snprintf(srv_us, sizeof(srv_us), "%.1f",
			    (double)(G.srv_ticks1 - G.srv_ticks0) / hz * 1e6 /
			    nresp);
	}
	printf("%s %s %s:%d: %s loop%s, %d connections%s, %.1f s measured "
	    "after %.1f s warm-up\n", G.method, G.path, G.host, G.port,
	    G.mode == M_OPEN ? "open" : "closed",
	    G.newconn ? ", new connection per request" : "",
	    G.mode == M_OPEN ? G.maxconns : G.conns,
	    G.mode == M_OPEN ? " used" : "", secs, G.warm);
	if (G.mode == M_OPEN)
		printf("  rate %.1f/s scheduled; late (no free connection) "
		    "%" PRIu64 ", due but unsent at the end %" PRIu64 "\n",
		    G.rate, G.late, G.unsent);
	printf("  responses %" PRIu64 " (2xx %" PRIu64 ", non-2xx %" PRIu64
	    "), %.1f/s\n", G.h.n, ok, non2xx, (double)(ok + non2xx) / secs);
	for (i = 0; i < NSTATUS; i++)
		if (G.status[i] > 0)
			printf("    status %d: %" PRIu64 "\n", i, G.status[i]);
	printf("  connections opened %" PRIu64 " (whole run); loadgen CPU "
	    "%.2f s in %.2f s (%.0f %% of one core)\n", G.nopened, cpu, wall,
	    wall > 0 ? 100 * cpu / wall : 0.0);
	if (G.srv_pid)
		printf("  CPU per response in the measured window: server "
		    "(pid %d and its children) %s us, loadgen %s us\n",
		    G.srv_pid, srv_us, gen_us);
	printf("  errors %" PRIu64 " (connect/TLS %" PRIu64 ", timeout %"
	    PRIu64 ", closed %" PRIu64 ", protocol %" PRIu64 ")%s%s\n",
	    errors, G.err_connect, G.err_timeout, G.err_eof, G.err_proto,
	    G.first_err[0] ? "; first: " : "", G.first_err);
	printf("  latency ms: p50 %.3f  p90 %.3f  p99 %.3f  p99.9 %.3f  "
	    "max %.3f  mean %.3f\n", hist_pct_ms(&G.h, 0.50),
	    hist_pct_ms(&G.h, 0.90), hist_pct_ms(&G.h, 0.99),
	    hist_pct_ms(&G.h, 0.999), (double)G.h.max_us / 1000.0,
	    G.h.n ? (double)G.h.sum_us / (double)G.h.n / 1000.0 : 0.0);
	for (i = 0; i < NSTATUS; i++)
		if (G.sample[i] != NULL)
			printf("  first %d body: %s\n", i, G.sample[i]);
	printf("RESULT mode=%s conns=%d secs=%.1f rate=%.1f ok=%" PRIu64
	    " non2xx=%" PRIu64 " errors=%" PRIu64 " rps=%.1f p50_ms=%.3f "
	    "p90_ms=%.3f p99_ms=%.3f p999_ms=%.3f max_ms=%.3f late=%" PRIu64
	    " unsent=%" PRIu64 " connects=%" PRIu64 " cpu_pct=%.0f srv_us=%s"
	    " gen_us=%s\n", mode,
	    G.mode == M_OPEN ? G.maxconns : G.conns, secs,
	    G.mode == M_OPEN ? G.rate : 0.0, ok, non2xx, errors,
	    (double)ok / secs, hist_pct_ms(&G.h, 0.50),
	    hist_pct_ms(&G.h, 0.90), hist_pct_ms(&G.h, 0.99),
	    hist_pct_ms(&G.h, 0.999), (double)G.h.max_us / 1000.0, G.late,
	    G.unsent, G.nopened, wall > 0 ? 100 * cpu / wall : 0.0, srv_us,
	    gen_us);
	fflush(stdout);
}

static void
usage(void)
{
	fprintf(stderr,
"usage: loadgen [-h host:port] [--ca F] [--cert F] [--key F] [-c conns]\n"
"               [-r rate] [-d secs] [-w warmup] [-N] [-I n] [-m method]\n"
"               [-p path] [-b body | -t template] [--prefix s] [--seed n]\n"
"               [--timeout secs] [--tls 1.2|1.3] [--pid server-pid]\n"
"  -h host:port  server (127.0.0.1:8443)\n"
"  -c N          connections: closed loop count, open loop maximum,\n"
"                idle mode handshakes at once (32)\n"
"  -r RATE       open loop, requests/s, latency from the scheduled time\n"
"  -d SECS       measured seconds (10; idle mode: until a signal)\n"
"  -w SECS       warm-up seconds, not counted (2)\n"
"  -N            a new connection (full handshake) per request\n"
"  -I N          hold N connections open (one request each, then idle)\n"
"  -m, -p        method and path (POST /v1/applications; GET /healthz\n"
"                in idle mode)\n"
"  -b FILE       a fixed body; -t FILE a template for unique\n"
"                applications (etc/examples/reapplication.xml)\n"
"  --prefix S    id prefix (default from time and pid)\n"
"  --seed N      first personnummer index (default from the prefix)\n"
"  --pid PID     also report the server's CPU per response (PID and its\n"
"                child processes) over the measured window\n");
	exit(2);
}

static double
num_arg(const char *s, double lo, double hi)
{
	char	*e;
	double	 v;

	errno = 0;
	v = strtod(s, &e);
	if (errno != 0 || e == s || *e != '\0' || v < lo || v > hi) {
		fprintf(stderr, "loadgen: bad number %s\n", s);
		exit(2);
	}
	return v;
}

int
main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "ca", required_argument, NULL, 1 },
		{ "cert", required_argument, NULL, 2 },
		{ "key", required_argument, NULL, 3 },
		{ "prefix", required_argument, NULL, 4 },
		{ "seed", required_argument, NULL, 5 },
		{ "timeout", required_argument, NULL, 6 },
		{ "tls", required_argument, NULL, 7 },
		{ "pid", required_argument, NULL, 8 },
		{ "help", no_argument, NULL, 8 },
		{ NULL, 0, NULL, 0 }
	};
	struct event_config *cfg = NULL;
	struct timeval	 tv;
	const char	*hostport = "127.0.0.1:8443", *colon;
	int		 ch, mset = 0, pset = 0, rc = 1;
	size_t		 i;
	uint64_t	 hsh;

	G.ca = "run/tls/ca.crt";
	G.cert = "run/tls/eservice.crt";
	G.key = "run/tls/eservice.key";
	G.conns = 32;
	G.secs = 10;
	G.warm = 2;
	G.method = "POST";
	G.path = "/v1/applications";
	G.timeout = 30;
	while ((ch = getopt_long(argc, argv, "h:c:r:d:w:NI:m:p:b:t:", lo,
	    NULL)) != -1) {
		switch (ch) {
		case 'h': hostport = optarg; break;
		case 1: G.ca = optarg; break;
		case 2: G.cert = optarg; break;
		case 3: G.key = optarg; break;
		case 'c': G.conns = (int)num_arg(optarg, 1, 1000000); break;
		case 'r': G.rate = num_arg(optarg, 0.001, 1e7); break;
		case 'd':
			G.secs = num_arg(optarg, 0.001, 1e7);
			G.secs_set = 1;
			break;
		case 'w': G.warm = num_arg(optarg, 0, 1e7); break;
		case 'N': G.newconn = 1; break;
		case 'I': G.idle_n = (int)num_arg(optarg, 1, 1000000); break;
		case 'm': G.method = optarg; mset = 1; break;
		case 'p': G.path = optarg; pset = 1; break;
		case 'b': G.bodyfile = optarg; break;
		case 't': G.tmplfile = optarg; break;
		case 4:
			if (strlen(optarg) == 0 || strlen(optarg) > 40 ||
			    strspn(optarg, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
			    "abcdefghijklmnopqrstuvwxyz0123456789._-") !=
			    strlen(optarg)) {
				fprintf(stderr, "loadgen: --prefix: 1-40 of "
				    "[A-Za-z0-9._-]\n");
				return 2;
			}
			snprintf(G.prefix, sizeof(G.prefix), "%s", optarg);
			break;
		case 5:
			G.seed = strtoull(optarg, NULL, 10);
			G.seed_set = 1;
			break;
		case 6: G.timeout = num_arg(optarg, 0.001, 86400); break;
		case 7:
			G.tls_only = strcmp(optarg, "1.2") == 0 ? 12 :
			    strcmp(optarg, "1.3") == 0 ? 13 : -1;
			if (G.tls_only == -1)
				usage();
			break;
		case 8: G.srv_pid = (int)num_arg(optarg, 1, INT_MAX); break;
		default: usage();
		}
	}
	if (optind != argc)
		usage();
	if ((colon = strrchr(hostport, ':')) == NULL ||
	    (size_t)(colon - hostport) >= sizeof(G.host))
		usage();
	memcpy(G.host, hostport, (size_t)(colon - hostport));
	G.port = (int)num_arg(colon + 1, 1, 65535);
	memset(&G.sin, 0, sizeof(G.sin));
	G.sin.sin_family = AF_INET;
	G.sin.sin_port = htons((uint16_t)G.port);
	if (inet_pton(AF_INET, G.host, &G.sin.sin_addr) != 1) {
		fprintf(stderr, "loadgen: -h wants a numeric IPv4 address\n");
		return 2;
	}
	G.mode = G.idle_n > 0 ? M_IDLE : G.rate > 0 ? M_OPEN : M_CLOSED;
	if (G.mode == M_IDLE) {
		if (!mset)
			G.method = "GET";
		if (!pset)
			G.path = "/healthz";
		if (G.newconn) {
			fprintf(stderr, "loadgen: -I and -N exclude each "
			    "other\n");
			return 2;
		}
	}
	if (G.bodyfile == NULL && G.tmplfile == NULL &&
	    strcmp(G.method, "POST") == 0)
		G.tmplfile = "etc/examples/reapplication.xml";
	if (G.bodyfile != NULL && G.tmplfile != NULL) {
		fprintf(stderr, "loadgen: -b and -t exclude each other\n");
		return 2;
	}
	if (G.prefix[0] == '\0')
		snprintf(G.prefix, sizeof(G.prefix), "lg%llx-%ld",
		    (unsigned long long)time(NULL), (long)getpid());
	if (!G.seed_set) {
		/* FNV-1a of the prefix: different runs start elsewhere */
		hsh = 1469598103934665603ULL;
		for (i = 0; G.prefix[i] != '\0'; i++)
			hsh = (hsh ^ (unsigned char)G.prefix[i]) *
			    1099511628211ULL;
		G.seed = hsh;
	}
	signal(SIGPIPE, SIG_IGN);

	if (requests_init() == -1 || (G.ctx = tls_init()) == NULL)
		goto out;
	/* timerfd-based timers: the open loop's schedule needs better
	 * than epoll's millisecond */
	if ((cfg = event_config_new()) == NULL)
		goto out;
	event_config_set_flag(cfg, EVENT_BASE_FLAG_PRECISE_TIMER);
	if ((G.base = event_base_new_with_config(cfg)) == NULL)
		goto out;
	if ((G.tick = evtimer_new(G.base, tick_cb, NULL)) == NULL ||
	    (G.phase_ev = evtimer_new(G.base, phase_cb, NULL)) == NULL ||
	    (G.retry = evtimer_new(G.base, retry_cb, NULL)) == NULL ||
	    (G.sigint = evsignal_new(G.base, SIGINT, sig_cb, NULL)) == NULL ||
	    (G.sigterm = evsignal_new(G.base, SIGTERM, sig_cb, NULL)) ==
	    NULL || evsignal_add(G.sigint, NULL) == -1 ||
	    evsignal_add(G.sigterm, NULL) == -1)
		goto out;

	G.t_start = now_ns();
	G.t_meas = G.t_start + (uint64_t)(G.warm * 1e9);
	G.t_end = G.t_meas + (uint64_t)(G.secs * 1e9);
	G.phase = G.warm > 0 ? P_WARMUP : P_MEASURE;
	if (G.phase == P_MEASURE && G.mode != M_IDLE)
		cpu_mark();
	if (G.mode == M_IDLE) {
		G.t_meas = G.t_end = G.t_start;
		if (G.secs_set) {
			tv = tv_of((uint64_t)(G.secs * 1e9));
			evtimer_add(G.phase_ev, &tv);
		}
		closed_next(NULL);
	} else {
		tv = tv_of(G.phase == P_WARMUP ? G.t_meas - G.t_start :
		    G.t_end - G.t_start);
		evtimer_add(G.phase_ev, &tv);
		if (G.mode == M_CLOSED)
			closed_next(NULL);
		else {
			/* a few connections ready before the first send */
			for (ch = 0; ch < G.conns && ch < 4 && !G.newconn; ch++)
				conn_open(0, 0);
			dispatch();
		}
	}
	event_base_dispatch(G.base);
	if (G.mode == M_IDLE) {
		printf("idle: %d connections were open, %d closed by the "
		    "server, %" PRIu64 " errors%s%s\n", G.idle_ready,
		    G.idle_lost, G.err_total_all,
		    G.first_err[0] ? "; first: " : "", G.first_err);
		printf("RESULT mode=idle conns=%d open=%d lost=%d errors=%"
		    PRIu64 "\n", G.idle_n, G.idle_ready, G.idle_lost,
		    G.err_total_all);
		rc = G.idle_ready == G.idle_n ? 0 : 1;
	} else {
		report();
		rc = 0;
	}
out:
	while (G.all != NULL)
		conn_free(G.all);
	for (i = 0; i < NSTATUS; i++)
		free(G.sample[i]);
	if (G.tick != NULL)
		event_free(G.tick);
	if (G.phase_ev != NULL)
		event_free(G.phase_ev);
	if (G.retry != NULL)
		event_free(G.retry);
	if (G.sigint != NULL)
		event_free(G.sigint);
	if (G.sigterm != NULL)
		event_free(G.sigterm);
	if (G.base != NULL)
		event_base_free(G.base);
	if (cfg != NULL)
		event_config_free(cfg);
	SSL_CTX_free(G.ctx);
	free(G.fixed);
	free(G.reqbuf);
	free(G.tmpl);
	free(G.days);
	return rc;
}
