/*
 * bench_parse.c: the CPU cost of the intake parse alone, in process.
 *
 * Loads etc/application.xsd once, reads every etc/examples/NAME.xml,
 * then
 * for each document times batches of
 *   parse  app_parse (hardened parse + XSD + model + checks + app_free)
 *   xml    app_parse_xml + xmlFreeDoc (the parse and validation only)
 * in thread CPU time (CLOCK_THREAD_CPUTIME_ID, so time preempted by
 * other work on a shared machine does not count), and prints the mean
 * µs per call of each of -r repetitions and their median. A batch's
 * mean, not per-call samples: a clock read costs about as much as a
 * small allocation.
 *
 *   bench_parse [-P] [-n parses-per-batch] [-r repetitions] [-c cpu]
 *       [srcdir]
 *
 * -P times app_parse only (no xml row).
 *
 * Built by `make bench` (bench/Makefile.inc) or bench/build.sh.
 */
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libxml/tree.h>

#include "application.h"
#include "errdoc.h"

#include "bench_util.h"

#define MAXDOCS	64
#define MAXREPS	15

struct doc {
	char	*name;
	char	*buf;
	size_t	 len;
	double	 parse[MAXREPS], xml[MAXREPS];
};

static int
cmp_double(const void *x, const void *y)
{
	double	 a = *(const double *)x, b = *(const double *)y;

	return (a > b) - (a < b);
}

static double
median(const double *v, int n)
{
	double	 s[MAXREPS];

	memcpy(s, v, sizeof(*v) * (size_t)n);
	qsort(s, (size_t)n, sizeof(*s), cmp_double);
	return n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

/* Mean CPU µs of one app_parse (full = 1) or app_parse_xml over n. */
static double
batch(const struct app_schema *schema, const struct doc *d, long n,
    int full)
{
	struct application	*a;
	struct _xmlDoc		*x;
	struct errdoc		 e;
	uint64_t		 c0, c1;
	long			 k;

	c0 = bench_cpu_ns();
	for (k = 0; k < n; k++) {
		if (full) {
			if (app_parse(schema, d->buf, d->len, &a, &e) == -1)
				goto fail;
			app_free(a);
		} else {
			if (app_parse_xml(schema, d->buf, d->len, &x, &e) ==
			    -1)
				goto fail;
			xmlFreeDoc(x);
		}
	}
	c1 = bench_cpu_ns();
	return (double)(c1 - c0) / 1e3 / (double)n;
 fail:
	fprintf(stderr, "bench_parse: %s: %s %s\n", d->name, e.code,
	    e.message);
	exit(1);
}

int
main(int argc, char *argv[])
{
	struct doc		 docs[MAXDOCS];
	struct app_schema	*schema;
	struct errdoc		 e;
	glob_t			 g;
	const char		*src = ".";
	char			 path[4096], machine[256], load[64];
	double			 allp[MAXREPS], allx[MAXREPS];
	size_t			 ndocs = 0, i;
	long			 n = 5000;
	int			 c, cpu = -1, reps = 3, r, xml = 1;

	while ((c = getopt(argc, argv, "Pn:r:c:")) != -1) {
		switch (c) {
		case 'P': xml = 0; break;
		case 'n': n = atol(optarg); break;
		case 'r': reps = atoi(optarg); break;
		case 'c': cpu = atoi(optarg); break;
		default:
			fprintf(stderr, "usage: bench_parse [-P] [-n parses] "
			    "[-r reps] [-c cpu] [srcdir]\n");
			return 2;
		}
	}
	if (optind < argc)
		src = argv[optind];
	if (n < 1 || reps < 1 || reps > MAXREPS) {
		fprintf(stderr, "bench_parse: -n >= 1, -r 1..%d\n", MAXREPS);
		return 2;
	}
	if (cpu >= 0 && bench_pin(cpu) == -1)
		perror("bench_parse: sched_setaffinity (continuing unpinned)");
	bench_machine(machine, sizeof(machine));
	bench_loadavg(load, sizeof(load));
	printf("bench_parse: %s; load average %s; %ld parses per batch, "
	    "%d repetitions\n", machine, load, n, reps);

	app_xml_harden();
	snprintf(path, sizeof(path), "%s/etc/application.xsd", src);
	if (app_schema_load(path, &schema, &e) == -1) {
		fprintf(stderr, "bench_parse: %s: %s\n", path, e.message);
		return 1;
	}
	snprintf(path, sizeof(path), "%s/etc/examples/*.xml", src);
	if (glob(path, 0, NULL, &g) != 0 || g.gl_pathc == 0) {
		fprintf(stderr, "bench_parse: no %s\n", path);
		return 1;
	}
	memset(docs, 0, sizeof(docs));
	for (i = 0; i < g.gl_pathc && ndocs < MAXDOCS; i++) {
		struct doc *d = &docs[ndocs++];
		const char *slash = strrchr(g.gl_pathv[i], '/');

		d->name = strdup(slash ? slash + 1 : g.gl_pathv[i]);
		if ((d->buf = bench_slurp(g.gl_pathv[i], &d->len)) == NULL) {
			perror(g.gl_pathv[i]);
			return 1;
		}
	}
	globfree(&g);

	/* warm-up: caches, the allocator's free lists, any reused context */
	for (i = 0; i < ndocs; i++)
		batch(schema, &docs[i], n / 10 + 1, 1);
	for (r = 0; r < reps; r++) {
		allp[r] = allx[r] = 0;
		for (i = 0; i < ndocs; i++) {
			docs[i].parse[r] = batch(schema, &docs[i], n, 1);
			docs[i].xml[r] = xml ? batch(schema, &docs[i], n, 0) :
			    0;
			allp[r] += docs[i].parse[r] / (double)ndocs;
			allx[r] += docs[i].xml[r] / (double)ndocs;
		}
	}

	printf("CPU us per call (median of %d; then each repetition)\n",
	    reps);
	for (i = 0; i < ndocs; i++) {
		printf("  %-24s %5zu B  app_parse %6.2f  parse_xml %6.2f  "
		    "model %5.2f   [", docs[i].name, docs[i].len,
		    median(docs[i].parse, reps), median(docs[i].xml, reps),
		    median(docs[i].parse, reps) - median(docs[i].xml, reps));
		for (r = 0; r < reps; r++)
			printf("%s%.2f", r ? " " : "", docs[i].parse[r]);
		printf("]\n");
	}
	printf("  %-24s %5s    app_parse %6.2f  parse_xml %6.2f  "
	    "model %5.2f   [", "MEAN", "", median(allp, reps),
	    median(allx, reps), median(allp, reps) - median(allx, reps));
	for (r = 0; r < reps; r++)
		printf("%s%.2f", r ? " " : "", allp[r]);
	printf("]\n");

	for (i = 0; i < ndocs; i++) {
		free(docs[i].name);
		free(docs[i].buf);
	}
	app_schema_free(schema);
	return 0;
}
