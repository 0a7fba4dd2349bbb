/*
 * bench_util.c: see bench_util.h.
 */
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench_util.h"

uint64_t
bench_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

uint64_t
bench_cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

void
bench_loadavg(char *out, size_t len)
{
	FILE	*f;
	double	 a = 0, b = 0, c = 0;

	if ((f = fopen("/proc/loadavg", "r")) != NULL) {
		if (fscanf(f, "%lf %lf %lf", &a, &b, &c) != 3)
			a = b = c = 0;
		fclose(f);
	}
	snprintf(out, len, "%.2f %.2f %.2f", a, b, c);
}

void
samples_add(struct samples *s, uint64_t ns)
{
	uint64_t *nv;

	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 1024;
		if ((nv = realloc(s->v, s->cap * sizeof(*nv))) == NULL) {
			fprintf(stderr, "bench: out of memory\n");
			exit(1);
		}
		s->v = nv;
	}
	s->v[s->n++] = ns;
}

void
samples_free(struct samples *s)
{
	free(s->v);
	memset(s, 0, sizeof(*s));
}

static int
u64cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

double
samples_pct_us(struct samples *s, double p)
{
	size_t i;

	if (s->n == 0)
		return 0;
	qsort(s->v, s->n, sizeof(*s->v), u64cmp);
	/* nearest rank: the smallest sample with at least p of them <= it */
	i = (size_t)(p * (double)s->n + 0.999999);
	if (i > 0)
		i--;
	if (i >= s->n)
		i = s->n - 1;
	return (double)s->v[i] / 1000.0;
}

double
samples_max_us(struct samples *s)
{
	return samples_pct_us(s, 1.0);
}

uint64_t
samples_sum_ns(const struct samples *s)
{
	uint64_t	sum = 0;
	size_t		i;

	for (i = 0; i < s->n; i++)
		sum += s->v[i];
	return sum;
}

double
samples_mean_us(const struct samples *s)
{
	return s->n ? (double)samples_sum_ns(s) / (double)s->n / 1000.0 : 0;
}

void
samples_line(struct samples *s, char *out, size_t len)
{
	snprintf(out, len, "n=%zu p50=%.1f p99=%.1f p99.9=%.1f max=%.1f "
	    "mean=%.1f us", s->n, samples_pct_us(s, 0.50),
	    samples_pct_us(s, 0.99), samples_pct_us(s, 0.999),
	    samples_max_us(s), samples_mean_us(s));
}

void
bench_rss(long *rss, long *hwm)
{
	FILE	*f;
	char	 line[256];

	*rss = *hwm = 0;
	if ((f = fopen("/proc/self/status", "r")) == NULL)
		return;
	while (fgets(line, sizeof(line), f) != NULL) {
		if (strncmp(line, "VmRSS:", 6) == 0)
			*rss = strtol(line + 6, NULL, 10);
		else if (strncmp(line, "VmHWM:", 6) == 0)
			*hwm = strtol(line + 6, NULL, 10);
	}
	fclose(f);
}

char *
bench_slurp(const char *path, size_t *len)
{
	FILE	*f;
	char	*b;
	long	 n;

	if ((f = fopen(path, "rb")) == NULL)
		return NULL;
	if (fseek(f, 0, SEEK_END) == -1 || (n = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) == -1 || (b = malloc((size_t)n + 1)) ==
	    NULL) {
		fclose(f);
		return NULL;
	}
	if (fread(b, 1, (size_t)n, f) != (size_t)n) {
		free(b);
		fclose(f);
		return NULL;
	}
	fclose(f);
	b[n] = '\0';
	*len = (size_t)n;
	return b;
}

int
bench_pin(int cpu)
{
	cpu_set_t set;

	if (cpu < 0)
		return 0;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return sched_setaffinity(0, sizeof(set), &set);
}

void
bench_machine(char *out, size_t len)
{
	FILE	*f;
	char	 line[512], model[256] = "unknown CPU", *p;

	if ((f = fopen("/proc/cpuinfo", "r")) != NULL) {
		while (fgets(line, sizeof(line), f) != NULL) {
			if (strncmp(line, "model name", 10) == 0 &&
			    (p = strchr(line, ':')) != NULL) {
				p += 1 + strspn(p + 1, " \t");
				p[strcspn(p, "\n")] = '\0';
				snprintf(model, sizeof(model), "%s", p);
				break;
			}
		}
		fclose(f);
	}
	snprintf(out, len, "%s, %ld CPUs online", model,
	    sysconf(_SC_NPROCESSORS_ONLN));
}
