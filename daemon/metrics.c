/*
 * metrics.c: what operations watch (GET /metrics), in Prometheus text
 * format 0.0.4.
 *
 * Counters and histograms live in this file as atomics; the queue
 * gauges are computed from the views at scrape time (the queue is the
 * trail's, not a second count that could drift).
 */
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include "audit.h"
#include "decision.h"
#include "errdoc.h"
#include "metrics.h"
#include "view.h"

/* Seconds: from a tenth of a millisecond to a second and beyond. */
static const double lat_bounds[] = { 0.0001, 0.00025, 0.0005, 0.001,
	0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0 };
#define NLAT	(sizeof(lat_bounds) / sizeof(lat_bounds[0]))
static const double batch_bounds[] = { 1, 2, 4, 8, 16, 32, 64, 128, 256,
	512, 1024 };
#define NBATCH	(sizeof(batch_bounds) / sizeof(batch_bounds[0]))

struct histogram {
	atomic_ullong	 bucket[16];	/* cumulative on output, not here */
	atomic_ullong	 count;
	_Atomic double	 sum;
};

/* The refusal codes of errdoc.h, counted by index. */
static const char *const refusal_codes[] = { ERR_MALFORMED_XML,
	ERR_DOCTYPE, ERR_SCHEMA, ERR_PERSONNUMMER, ERR_HOUSEHOLD,
	ERR_UNKNOWN_PERSON, ERR_INCONSISTENT, ERR_EMPTY_BODY, ERR_QUERY,
	ERR_MEDIA_TYPE, ERR_TOO_LARGE, ERR_NO_CERT, ERR_FORBIDDEN,
	ERR_NOT_FOUND, ERR_METHOD, ERR_CONFLICT, ERR_NOT_IMPLEMENTED,
	ERR_UNAVAILABLE, ERR_INTERNAL };
#define NREFUSAL	(sizeof(refusal_codes) / sizeof(refusal_codes[0]))

static struct {
	int64_t			 start;
	atomic_ullong		 granted, routed;
	atomic_ullong		 reasons[DECISION_NREASONS];
	atomic_ullong		 refusals[NREFUSAL];
	atomic_ullong		 rule_failures;
	atomic_ullong		 tls_failures;
	atomic_int		 conns, conns_max;
	struct histogram	 eval, durable, batch;
} m;

void
metrics_start(int64_t start)
{
	m.start = start;
}

void
metrics_connections(int open)
{
	atomic_store(&m.conns, open);
}

void
metrics_connections_max(int max)
{
	atomic_store(&m.conns_max, max);
}

static void
hist_add(struct histogram *h, const double *bounds, size_t n, double v)
{
	size_t	i;
	double	old;

	for (i = 0; i < n && v > bounds[i]; i++)
		;
	atomic_fetch_add_explicit(&h->bucket[i], 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&h->count, 1, memory_order_relaxed);
	old = atomic_load_explicit(&h->sum, memory_order_relaxed);
	while (!atomic_compare_exchange_weak_explicit(&h->sum, &old, old + v,
	    memory_order_relaxed, memory_order_relaxed))
		;
}

uint32_t
metrics_reason_mask(const struct decision *d)
{
	uint32_t	mask = 0;
	size_t		i;
	int		k;

	for (i = 0; i < d->nreasons; i++)
		if ((k = decision_reason_index(d->reasons[i].code)) >= 0)
			mask |= 1u << k;
	return mask;
}

void
metrics_decision(int granted, uint32_t reasons)
{
	int k;

	atomic_fetch_add_explicit(granted ? &m.granted : &m.routed, 1,
	    memory_order_relaxed);
	for (k = 0; k < DECISION_NREASONS; k++)
		if (reasons & (1u << k))
			atomic_fetch_add_explicit(&m.reasons[k], 1,
			    memory_order_relaxed);
}

void
metrics_rule_failure(void)
{
	atomic_fetch_add_explicit(&m.rule_failures, 1, memory_order_relaxed);
}

void
metrics_refusal(const char *code)
{
	size_t i;

	for (i = 0; i < NREFUSAL; i++)
		if (strcmp(code, refusal_codes[i]) == 0) {
			atomic_fetch_add_explicit(&m.refusals[i], 1,
			    memory_order_relaxed);
			return;
		}
}

void
metrics_tls_failure(void)
{
	atomic_fetch_add_explicit(&m.tls_failures, 1, memory_order_relaxed);
}

void
metrics_eval_seconds(double s)
{
	hist_add(&m.eval, lat_bounds, NLAT, s);
}

void
metrics_durable_seconds(double s)
{
	hist_add(&m.durable, lat_bounds, NLAT, s);
}

void
metrics_batch(size_t jobs)
{
	hist_add(&m.batch, batch_bounds, NBATCH, (double)jobs);
}

/* --- exposition -------------------------------------------------- */

static void
put(struct abuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
put(struct abuf *b, const char *fmt, ...)
{
	char	line[512];
	va_list	ap;
	int	n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n > 0)
		abuf_put(b, line, (size_t)n < sizeof(line) ? (size_t)n :
		    sizeof(line) - 1);
}

static void
put_hist(struct abuf *b, const char *name, const char *help,
    struct histogram *h, const double *bounds, size_t n)
{
	unsigned long long	cum = 0;
	size_t			i;

	put(b, "# HELP %s %s\n# TYPE %s histogram\n", name, help, name);
	for (i = 0; i < n; i++) {
		cum += atomic_load(&h->bucket[i]);
		put(b, "%s_bucket{le=\"%g\"} %llu\n", name, bounds[i], cum);
	}
	cum += atomic_load(&h->bucket[n]);
	put(b, "%s_bucket{le=\"+Inf\"} %llu\n", name, cum);
	put(b, "%s_sum %.6f\n%s_count %llu\n", name, atomic_load(&h->sum),
	    name, (unsigned long long)atomic_load(&h->count));
}

int
metrics_render(struct abuf *b, struct view *v, int64_t now, int idle,
    const char *ruleset)
{
	unsigned long long	depth[2][2] = { { 0, 0 }, { 0, 0 } };
	unsigned long long	overdue = 0, open = 0;
	int64_t			oldest = 0;
	struct q_item		*q;
	size_t			i;

	put(b, "# HELP bistand_applications_total Applications decided "
	    "automatically, by outcome.\n# TYPE bistand_applications_total "
	    "counter\n");
	put(b, "bistand_applications_total{outcome=\"granted\"} %llu\n",
	    (unsigned long long)atomic_load(&m.granted));
	put(b, "bistand_applications_total{outcome=\"routed\"} %llu\n",
	    (unsigned long long)atomic_load(&m.routed));
	put(b, "# HELP bistand_reasons_total Reasons given by automated "
	    "decisions, by code.\n# TYPE bistand_reasons_total counter\n");
	for (i = 0; i < DECISION_NREASONS; i++)
		put(b, "bistand_reasons_total{code=\"%s\"} %llu\n",
		    decision_reason_code((int)i),
		    (unsigned long long)atomic_load(&m.reasons[i]));
	put(b, "# HELP bistand_refusals_total Error answers, by code.\n"
	    "# TYPE bistand_refusals_total counter\n");
	for (i = 0; i < NREFUSAL; i++)
		put(b, "bistand_refusals_total{code=\"%s\"} %llu\n",
		    refusal_codes[i],
		    (unsigned long long)atomic_load(&m.refusals[i]));
	put(b, "# HELP bistand_rule_failures_total Cases routed with "
	    "RULE_FAILURE.\n# TYPE bistand_rule_failures_total counter\n"
	    "bistand_rule_failures_total %llu\n",
	    (unsigned long long)atomic_load(&m.rule_failures));
	put(b, "# HELP bistand_tls_handshake_failures_total Connections "
	    "refused in the TLS handshake.\n# TYPE "
	    "bistand_tls_handshake_failures_total counter\n"
	    "bistand_tls_handshake_failures_total %llu\n",
	    (unsigned long long)atomic_load(&m.tls_failures));
	/* Stalled or idle connections show here before max_connections
	 * pauses the listener. */
	put(b, "# HELP bistand_connections_open Client connections open, "
	    "in the TLS handshake or after it.\n# TYPE "
	    "bistand_connections_open gauge\nbistand_connections_open %d\n"
	    "# HELP bistand_connections_max The max_connections setting.\n"
	    "# TYPE bistand_connections_max gauge\n"
	    "bistand_connections_max %d\n", atomic_load(&m.conns),
	    atomic_load(&m.conns_max));
	put_hist(b, "bistand_evaluation_seconds", "Rule evaluation of one "
	    "case.", &m.eval, lat_bounds, NLAT);
	put_hist(b, "bistand_durable_write_seconds", "From a request's "
	    "records queued to durable (fdatasync done).", &m.durable,
	    lat_bounds, NLAT);
	put_hist(b, "bistand_commit_batch_jobs", "Requests made durable by "
	    "one group commit.", &m.batch, batch_bounds, NBATCH);

	/* The queue, as it is now. */
	for (i = 0; i < v->queue.n; i++) {
		q = v->queue.items[i];
		depth[q->urgent][q->kind == Q_FOLLOW_UP]++;
		if (now > q->due)
			overdue++;
		if (queue_holder(v, q, now, idle)[0] == '\0') {
			open++;
			if (oldest == 0 || q->received < oldest)
				oldest = q->received;
		}
	}
	put(b, "# HELP bistand_queue_items Items in the caseworkers' queue."
	    "\n# TYPE bistand_queue_items gauge\n");
	put(b, "bistand_queue_items{priority=\"normal\",kind=\"case\"} %llu\n"
	    "bistand_queue_items{priority=\"urgent\",kind=\"case\"} %llu\n"
	    "bistand_queue_items{priority=\"normal\",kind=\"follow-up\"} "
	    "%llu\n", depth[0][0], depth[1][0], depth[0][1]);
	put(b, "# HELP bistand_queue_overdue Queue items past their due "
	    "time.\n# TYPE bistand_queue_overdue gauge\n"
	    "bistand_queue_overdue %llu\n", overdue);
	put(b, "# HELP bistand_queue_unclaimed Queue items nobody holds.\n"
	    "# TYPE bistand_queue_unclaimed gauge\nbistand_queue_unclaimed "
	    "%llu\n", open);
	put(b, "# HELP bistand_queue_oldest_unclaimed_seconds Age of the "
	    "oldest item nobody holds.\n# TYPE "
	    "bistand_queue_oldest_unclaimed_seconds gauge\n"
	    "bistand_queue_oldest_unclaimed_seconds %lld\n",
	    (long long)(oldest ? now - oldest : 0));
	put(b, "# HELP bistand_ruleset_info The rule set in use.\n"
	    "# TYPE bistand_ruleset_info gauge\n"
	    "bistand_ruleset_info{hash=\"%s\"} 1\n", ruleset);
	put(b, "# HELP bistand_start_time_seconds When the daemon started.\n"
	    "# TYPE bistand_start_time_seconds gauge\n"
	    "bistand_start_time_seconds %lld\n", (long long)m.start);
	return b->oom ? -1 : 0;
}
