/*
 * metrics.h: counters and histograms for GET /metrics (Prometheus text
 * format 0.0.4). Updated from the loop and the writer thread alike, so
 * every update is an atomic add; the scrape reads them without a lock
 * (a scrape may see one update half-way through, as Prometheus allows).
 */
#ifndef BISTAND_METRICS_H
#define BISTAND_METRICS_H

#include <stddef.h>
#include <stdint.h>

struct decision;
struct view;
struct abuf;

void	metrics_start(int64_t start_epoch);
/* The reasons of d as a bitmask (by decision_reason_index), kept until
 * the decision is durable; then metrics_decision counts it. */
uint32_t metrics_reason_mask(const struct decision *d);
void	metrics_decision(int granted, uint32_t reasons);
void	metrics_rule_failure(void);
/* An error answer with its machine code (refusals, 403, 503, …). */
void	metrics_refusal(const char *code);
void	metrics_tls_failure(void);
void	metrics_eval_seconds(double);
void	metrics_durable_seconds(double);
void	metrics_batch(size_t jobs);	/* the writer: jobs per fdatasync */
/* Open client connections (accepted, handshake or not); the limit. */
void	metrics_connections(int open);
void	metrics_connections_max(int max);

/* The whole exposition into out: the counters, and the queue gauges
 * and the rule set taken from the live state now. 0 or -1 ENOMEM. */
int	metrics_render(struct abuf *out, struct view *v, int64_t now,
	    int claim_idle_minutes, const char *ruleset);

#endif
