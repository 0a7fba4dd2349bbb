/*
 * bench_util.h: what the benchmarks share — a monotonic clock, latency
 * samples and their percentiles, the process's memory, small file
 * helpers.
 */
#ifndef BISTAND_BENCH_UTIL_H
#define BISTAND_BENCH_UTIL_H

#include <stddef.h>
#include <stdint.h>

/* CLOCK_MONOTONIC in nanoseconds. */
uint64_t bench_now_ns(void);
/* CLOCK_THREAD_CPUTIME_ID in nanoseconds: the CPU this thread used. */
uint64_t bench_cpu_ns(void);
/* The 1/5/15-minute load averages, "7.34 4.48 2.27", into out. */
void	bench_loadavg(char *out, size_t len);

/* A growable array of samples in nanoseconds. */
struct samples {
	uint64_t	*v;
	size_t		 n, cap;
};
void	samples_add(struct samples *, uint64_t ns);
void	samples_free(struct samples *);
/* Sorts in place; nearest-rank percentile (p in 0..1), in µs. */
double	samples_pct_us(struct samples *, double p);
double	samples_max_us(struct samples *);
double	samples_mean_us(const struct samples *);
uint64_t samples_sum_ns(const struct samples *);
/* "p50 … p99 … p99.9 … max … mean …" in µs into out. */
void	samples_line(struct samples *, char *out, size_t len);

/* VmRSS and VmHWM of this process in KiB (0 when unknown). */
void	bench_rss(long *rss_kib, long *hwm_kib);
/* Whole file into a NUL-terminated malloc'ed buffer; NULL on error. */
char	*bench_slurp(const char *path, size_t *len);
/* Pin the calling thread to one CPU (-1: leave it). 0 or -1. */
int	bench_pin(int cpu);
/* "AMD EPYC, 2 CPUs" and the like. */
void	bench_machine(char *out, size_t len);

#endif
