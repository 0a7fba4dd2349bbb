/*
 * bench_eval.c: the CPU part of one application, in process.
 *
 * Loads etc/application.xsd and the rule set (rules/) once, parses every
 * the examples (etc/examples, *.xml) once, then times — each single call with
 * CLOCK_MONOTONIC —
 *   1. app_parse (hardened parse + schema validation + checks + model)
 *      per document;
 *   2. rules_eval + decision_finish per evaluation (round robin over the
 *      examples, after a warm-up), and separately decision_render;
 *   3. the whole CPU path of a request as api_decide runs it (parse,
 *      eval, finish, render, both payloads with the base64 decision).
 * Reports p50/p99/p99.9/max in µs, evaluations per second on one core,
 * the rule state's memory (rules_memory after load and after the run,
 * and its peak) and the process RSS.
 *
 * Then splits an evaluation's CPU time (a trivial evaluate without and
 * with every rule file run first, against the real one).
 *
 *   bench_eval [-n evals] [-p parses-per-doc] [-c cpu] [-S (no split)]
 *              [srcdir]
 */
#include <sys/stat.h>

#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "application.h"
#include "audit.h"
#include "decision.h"
#include "errdoc.h"
#include "rules.h"
#include "rules_int.h"		/* r->mem.peak, for the report only */

#include "bench_util.h"

#define MAXDOCS	64

struct doc {
	char			*name;
	char			*buf;
	size_t			 len;
	struct application	*app;
	struct samples		 parse, eval, render, path;
	struct samples		 parse_cpu, eval_cpu, path_cpu;
	const char		*outcome;
	size_t			 nreasons;
	size_t			 doclen;
};

static const struct dec_policy policy = { 48, 4, 14 };

/* p50 and mean CPU µs of rules_eval alone over the documents, with the
 * rule set in dir; NULL-safe on failure (returns -1). */
static int
time_ruleset(const char *dir, struct doc *docs, size_t ndocs, long n,
    double *p50, double *mean, size_t *failures)
{
	struct rules		*r;
	struct rules_context	 ctx = { NULL, 0, 0 };
	struct samples		 cpu = { 0 };
	char			 err[1024];
	uint64_t		 c0, c1;
	long			 k;

	if (rules_load(dir, NULL, &r, err, sizeof(err)) == -1) {
		fprintf(stderr, "bench_eval: %s\n", err);
		return -1;
	}
	*failures = 0;
	for (k = -n / 10; k < n; k++) {
		struct decision	dec;

		memset(&dec, 0, sizeof(dec));
		c0 = bench_cpu_ns();
		if (rules_eval(r, docs[(size_t)(k + n) % ndocs].app, &ctx,
		    &dec) == -1)
			return -1;
		c1 = bench_cpu_ns();
		if (dec.failure != NULL) {
			if (*failures == 0)
				fprintf(stderr, "bench_eval: %s: %s\n", dir,
				    dec.failure);
			(*failures)++;
		}
		decision_free(&dec);
		if (k >= 0)
			samples_add(&cpu, c1 - c0);
	}
	*p50 = samples_pct_us(&cpu, .5);
	*mean = samples_mean_us(&cpu);
	samples_free(&cpu);
	rules_free(r);
	return 0;
}

/* Where one evaluation's time goes: the same host with (0) only a
 * trivial evaluate, (1) every rule file run but a trivial evaluate
 * (defined last, so it wins), (2) the real rule set. */
static void
split(const char *src, struct doc *docs, size_t ndocs, long n)
{
	static const char null_lua[] =
	    "function evaluate(case)\n"
	    "\treturn { lines = {}, reasons = { { code = "
	    "\"NO_VERIFIED_NORM\", text = \"x\" } } }\n"
	    "end\n";
	char	 tmp[] = "/tmp/bench_eval.XXXXXX", path[4200], cmd[8600];
	double	 p[3], m[3];
	size_t	 f[3];
	FILE	*fp;
	int	 i, ok = 1;

	if (mkdtemp(tmp) == NULL)
		return;
	snprintf(path, sizeof(path), "%s/only", tmp);
	mkdir(path, 0700);
	snprintf(path, sizeof(path), "%s/only/params", tmp);
	mkdir(path, 0700);
	snprintf(path, sizeof(path), "%s/only/zz_null.lua", tmp);
	if ((fp = fopen(path, "w")) == NULL)
		return;
	fputs(null_lua, fp);
	fclose(fp);
	snprintf(cmd, sizeof(cmd), "cp -r '%s/rules' '%s/all' && cp "
	    "'%s/only/zz_null.lua' '%s/all/'", src, tmp, tmp, tmp);
	if (system(cmd) != 0)
		ok = 0;
	snprintf(path, sizeof(path), "%s/only", tmp);
	if (ok && time_ruleset(path, docs, ndocs, n, &p[0], &m[0], &f[0]) ==
	    -1)
		ok = 0;
	snprintf(path, sizeof(path), "%s/all", tmp);
	if (ok && time_ruleset(path, docs, ndocs, n, &p[1], &m[1], &f[1]) ==
	    -1)
		ok = 0;
	snprintf(path, sizeof(path), "%s/rules", src);
	if (ok && time_ruleset(path, docs, ndocs, n, &p[2], &m[2], &f[2]) ==
	    -1)
		ok = 0;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp);
	if (system(cmd) != 0)
		fprintf(stderr, "bench_eval: cannot remove %s\n", tmp);
	if (!ok) {
		printf("\n(split of an evaluation failed)\n");
		return;
	}
	printf("\nwhere rules_eval's time goes (CPU time, %ld evaluations "
	    "each, no decision_finish):\n", n);
	printf("  %-62s p50 %6.1f mean %6.1f us\n", "(0) fresh env + input "
	    "table + trivial evaluate, no rule file", p[0], m[0]);
	printf("  %-62s p50 %6.1f mean %6.1f us (+%.1f)\n", "(1) + running "
	    "every rule file (definitions, parameters)", p[1], m[1],
	    m[1] - m[0]);
	printf("  %-62s p50 %6.1f mean %6.1f us (+%.1f)\n", "(2) + the real "
	    "evaluate and reading its result", p[2], m[2], m[2] - m[1]);
	for (i = 0; i < 3; i++)
		if (f[i] != 0 && i != 0)
			printf("  (%d had %zu RULE_FAILUREs)\n", i, f[i]);
}

static void
usage(void)
{
	fprintf(stderr, "usage: bench_eval [-n evals] [-p parses-per-doc] "
	    "[-c cpu] [-S] [srcdir]\n");
	exit(2);
}

/* The evaluated payload as api_applications.c builds it (abridged to
 * the same keys and sizes), so the path timing includes the base64. */
static void
payloads(const struct application *app, const struct decision *d,
    const char *doc, size_t doclen, struct abuf *rec, struct abuf *ev)
{
	struct abuf	list = { 0 };
	size_t		i;

	abuf_kv(rec, "id", app->id);
	abuf_kv(rec, "sha256", "0000000000000000000000000000000000000000"
	    "000000000000000000000000");
	abuf_kvf(rec, "size", "%zu", doclen);
	abuf_kv(rec, "applicant", "00000000000000000000000000000000");
	abuf_kvf(rec, "period", "%04d-%02d", app->period_year,
	    app->period_month);
	abuf_kv(ev, "id", app->id);
	abuf_kv(ev, "ruleset", d->ruleset);
	abuf_kvf(ev, "norm_year", "%d", d->norm_year);
	abuf_kv(ev, "outcome", decision_outcome_name(d->outcome));
	for (i = 0; i < d->nreasons; i++) {
		if (i > 0)
			abuf_put(&list, ",", 1);
		abuf_put(&list, d->reasons[i].code, strlen(d->reasons[i].code));
	}
	abuf_kvn(ev, "reasons", list.p ? list.p : "", list.len);
	abuf_free(&list);
	abuf_kv_b64(ev, "decision", doc, doclen);
}

/* Wall-clock figures, then (when given) the thread's own CPU time of
 * the same calls: on a shared machine the difference is time spent
 * preempted by other processes. */
static void
print_row(const char *what, const char *name, struct samples *s,
    struct samples *cpu)
{
	printf("  %-6s %-21s n=%-5zu p50 %6.1f p99 %7.1f p99.9 %7.1f "
	    "max %7.1f mean %6.1f", what, name, s->n,
	    samples_pct_us(s, .50), samples_pct_us(s, .99),
	    samples_pct_us(s, .999), samples_max_us(s), samples_mean_us(s));
	if (cpu != NULL)
		printf(" | cpu p50 %6.1f p99 %6.1f mean %6.1f",
		    samples_pct_us(cpu, .50), samples_pct_us(cpu, .99),
		    samples_mean_us(cpu));
	printf(" us\n");
}

int
main(int argc, char *argv[])
{
	struct doc		 docs[MAXDOCS];
	struct app_schema	*schema;
	struct rules		*rules;
	struct rules_context	 ctx = { NULL, 0, 0 };
	struct samples		 all_parse = { 0 }, all_eval = { 0 };
	struct samples		 all_render = { 0 }, all_path = { 0 };
	struct samples		 all_parse_cpu = { 0 }, all_eval_cpu = { 0 };
	struct samples		 all_path_cpu = { 0 };
	struct errdoc		 e;
	glob_t			 g;
	const char		*src = ".";
	char			 path[4096], err[1024], machine[256];
	size_t			 ndocs = 0, i, mem_load, mem_after, peak_load;
	long			 nevals = 20000, nparse = 2000, warm = 500, k;
	long			 rss0, hwm0, rss1, hwm1, rss2, hwm2;
	int			 c, cpu = 0, do_split = 1;
	uint64_t		 t0, t1, c0, c1, loop0, loop1, cl0, cl1;
	char			 load0[64], load1[64];

	while ((c = getopt(argc, argv, "n:p:c:w:S")) != -1) {
		switch (c) {
		case 'S': do_split = 0; break;
		case 'n': nevals = atol(optarg); break;
		case 'p': nparse = atol(optarg); break;
		case 'w': warm = atol(optarg); break;
		case 'c': cpu = atoi(optarg); break;
		default: usage();
		}
	}
	if (optind < argc)
		src = argv[optind];
	if (bench_pin(cpu) == -1)
		perror("bench_eval: sched_setaffinity (continuing unpinned)");
	bench_machine(machine, sizeof(machine));
	bench_loadavg(load0, sizeof(load0));
	printf("bench_eval: %s; pinned to CPU %d; load average %s\n",
	    machine, cpu, load0);

	bench_rss(&rss0, &hwm0);
	app_xml_harden();
	snprintf(path, sizeof(path), "%s/etc/application.xsd", src);
	if (app_schema_load(path, &schema, &e) == -1) {
		fprintf(stderr, "bench_eval: %s: %s\n", path, e.message);
		return 1;
	}
	snprintf(path, sizeof(path), "%s/rules", src);
	t0 = bench_now_ns();
	if (rules_load(path, NULL, &rules, err, sizeof(err)) == -1) {
		fprintf(stderr, "bench_eval: %s\n", err);
		return 1;
	}
	t1 = bench_now_ns();
	mem_load = rules_memory(rules);
	peak_load = rules->mem.peak;
	bench_rss(&rss1, &hwm1);
	printf("rules_load: %.1f ms, %zu files, rule set %.12s; "
	    "rules_memory %zu B (%.1f KiB), peak so far %zu B\n",
	    (double)(t1 - t0) / 1e6, rules_nfiles(rules), rules_hash(rules),
	    mem_load, mem_load / 1024.0, peak_load);

	snprintf(path, sizeof(path), "%s/etc/examples/*.xml", src);
	if (glob(path, 0, NULL, &g) != 0 || g.gl_pathc == 0) {
		fprintf(stderr, "bench_eval: no %s\n", path);
		return 1;
	}
	memset(docs, 0, sizeof(docs));
	for (i = 0; i < g.gl_pathc && ndocs < MAXDOCS; i++) {
		struct doc *d = &docs[ndocs];
		const char *slash = strrchr(g.gl_pathv[i], '/');

		d->name = strdup(slash ? slash + 1 : g.gl_pathv[i]);
		if ((d->buf = bench_slurp(g.gl_pathv[i], &d->len)) == NULL) {
			perror(g.gl_pathv[i]);
			return 1;
		}
		if (app_parse(schema, d->buf, d->len, &d->app, &e) == -1) {
			fprintf(stderr, "bench_eval: %s refused (%s: %s); "
			    "skipped\n", d->name, e.code, e.message);
			free(d->buf);
			free(d->name);
			continue;
		}
		ndocs++;
	}
	globfree(&g);

	/* 1. app_parse, per document. */
	for (i = 0; i < ndocs; i++) {
		struct doc		*d = &docs[i];
		struct application	*a;

		for (k = -warm / 5; k < nparse; k++) {
			t0 = bench_now_ns();
			c0 = bench_cpu_ns();
			if (app_parse(schema, d->buf, d->len, &a, &e) == -1) {
				fprintf(stderr, "bench_eval: %s: %s\n",
				    d->name, e.message);
				return 1;
			}
			c1 = bench_cpu_ns();
			t1 = bench_now_ns();
			app_free(a);
			if (k >= 0) {
				samples_add(&d->parse, t1 - t0);
				samples_add(&all_parse, t1 - t0);
				samples_add(&d->parse_cpu, c1 - c0);
				samples_add(&all_parse_cpu, c1 - c0);
			}
		}
	}

	/* 2. rules_eval + decision_finish, round robin; render apart. */
	for (k = -warm; k < nevals; k++) {
		struct doc	*d = &docs[(size_t)(k + warm) % ndocs];
		struct decision	 dec;
		char		*out;
		size_t		 outlen;
		uint64_t	 t2, t3;

		memset(&dec, 0, sizeof(dec));
		t0 = bench_now_ns();
		c0 = bench_cpu_ns();
		if (rules_eval(rules, d->app, &ctx, &dec) == -1 ||
		    decision_finish(&dec, d->app, &policy,
		    (int64_t)time(NULL)) == -1) {
			fprintf(stderr, "bench_eval: out of memory\n");
			return 1;
		}
		c1 = bench_cpu_ns();
		t1 = bench_now_ns();
		t2 = bench_now_ns();
		if (decision_render(&dec, &out, &outlen) == -1) {
			fprintf(stderr, "bench_eval: render failed\n");
			return 1;
		}
		t3 = bench_now_ns();
		if (k == 0 || d->outcome == NULL) {
			d->outcome = decision_outcome_name(dec.outcome);
			d->nreasons = dec.nreasons;
			d->doclen = outlen;
			if (dec.failure != NULL)
				fprintf(stderr, "bench_eval: %s: RULE_FAILURE"
				    " %s\n", d->name, dec.failure);
		}
		free(out);
		decision_free(&dec);
		if (k >= 0) {
			samples_add(&d->eval, t1 - t0);
			samples_add(&all_eval, t1 - t0);
			samples_add(&d->eval_cpu, c1 - c0);
			samples_add(&all_eval_cpu, c1 - c0);
			samples_add(&d->render, t3 - t2);
			samples_add(&all_render, t3 - t2);
		}
	}

	/* 3. The whole CPU path of one request (no disk), as api_decide:
	 * parse, eval, finish, render, payloads incl. base64. */
	loop0 = bench_now_ns();
	cl0 = bench_cpu_ns();
	for (k = 0; k < nevals / 4; k++) {
		struct doc		*d = &docs[(size_t)k % ndocs];
		struct application	*a;
		struct decision		 dec;
		struct abuf		 rec = { 0 }, ev = { 0 };
		char			*out;
		size_t			 outlen;

		memset(&dec, 0, sizeof(dec));
		t0 = bench_now_ns();
		c0 = bench_cpu_ns();
		if (app_parse(schema, d->buf, d->len, &a, &e) == -1 ||
		    rules_eval(rules, a, &ctx, &dec) == -1 ||
		    decision_finish(&dec, a, &policy, (int64_t)time(NULL)) ==
		    -1 || decision_render(&dec, &out, &outlen) == -1) {
			fprintf(stderr, "bench_eval: path failed\n");
			return 1;
		}
		payloads(a, &dec, out, outlen, &rec, &ev);
		c1 = bench_cpu_ns();
		t1 = bench_now_ns();
		samples_add(&d->path, t1 - t0);
		samples_add(&all_path, t1 - t0);
		samples_add(&d->path_cpu, c1 - c0);
		samples_add(&all_path_cpu, c1 - c0);
		abuf_free(&rec);
		abuf_free(&ev);
		free(out);
		decision_free(&dec);
		app_free(a);
	}
	loop1 = bench_now_ns();
	cl1 = bench_cpu_ns();
	bench_rss(&rss2, &hwm2);
	bench_loadavg(load1, sizeof(load1));
	mem_after = rules_memory(rules);

	printf("\nexamples (outcome, reasons, decision document bytes):\n");
	for (i = 0; i < ndocs; i++)
		printf("  %-22s %zu B in, %s, %zu reason(s), %zu B out\n",
		    docs[i].name, docs[i].len, docs[i].outcome,
		    docs[i].nreasons, docs[i].doclen);

	printf("\napp_parse (hardened parse + XSD + checks + model), %ld "
	    "per document after %ld warm-up:\n", nparse, warm / 5);
	for (i = 0; i < ndocs; i++)
		print_row("parse", docs[i].name, &docs[i].parse,
		    &docs[i].parse_cpu);
	print_row("parse", "ALL", &all_parse, &all_parse_cpu);

	printf("\nrules_eval + decision_finish, %ld evaluations round robin "
	    "after %ld warm-up:\n", nevals, warm);
	for (i = 0; i < ndocs; i++)
		print_row("eval", docs[i].name, &docs[i].eval,
		    &docs[i].eval_cpu);
	print_row("eval", "ALL", &all_eval, &all_eval_cpu);
	printf("  => %.0f evaluations/s on one core by wall clock (1 / mean),"
	    " %.0f/s by CPU time (1 / cpu mean)\n",
	    1e6 / samples_mean_us(&all_eval),
	    1e6 / samples_mean_us(&all_eval_cpu));

	printf("\ndecision_render (separately):\n");
	for (i = 0; i < ndocs; i++)
		print_row("render", docs[i].name, &docs[i].render, NULL);
	print_row("render", "ALL", &all_render, NULL);

	printf("\nwhole CPU path of a request (parse+eval+finish+render+"
	    "payloads, no TLS/HTTP/disk), %ld runs:\n", nevals / 4);
	for (i = 0; i < ndocs; i++)
		print_row("path", docs[i].name, &docs[i].path,
		    &docs[i].path_cpu);
	print_row("path", "ALL", &all_path, &all_path_cpu);
	printf("  => %.0f requests/s on one core by wall clock (loop %.3f s),"
	    " %.0f/s by CPU time (%.3f s)\n",
	    (double)(nevals / 4) / ((double)(loop1 - loop0) / 1e9),
	    (double)(loop1 - loop0) / 1e9,
	    (double)(nevals / 4) / ((double)(cl1 - cl0) / 1e9),
	    (double)(cl1 - cl0) / 1e9);

	printf("\nmemory: rules_memory after load %zu B (%.1f KiB), after "
	    "the run %zu B (%.1f KiB), peak of the Lua state %zu B "
	    "(%.1f KiB)\n", mem_load, mem_load / 1024.0, mem_after,
	    mem_after / 1024.0, rules->mem.peak, rules->mem.peak / 1024.0);
	printf("load average at the end: %s\n", load1);
	printf("process RSS: at start %ld KiB, after schema+rules load %ld "
	    "KiB, at the end %ld KiB (high-water %ld KiB)\n", rss0, rss1,
	    rss2, hwm2);
	fflush(stdout);
	if (do_split)
		split(src, docs, ndocs, nevals / 4);

	for (i = 0; i < ndocs; i++) {
		app_free(docs[i].app);
		free(docs[i].buf);
		free(docs[i].name);
		samples_free(&docs[i].parse);
		samples_free(&docs[i].eval);
		samples_free(&docs[i].render);
		samples_free(&docs[i].path);
		samples_free(&docs[i].parse_cpu);
		samples_free(&docs[i].eval_cpu);
		samples_free(&docs[i].path_cpu);
	}
	samples_free(&all_parse);
	samples_free(&all_eval);
	samples_free(&all_render);
	samples_free(&all_path);
	samples_free(&all_parse_cpu);
	samples_free(&all_eval_cpu);
	samples_free(&all_path_cpu);
	rules_free(rules);
	app_schema_free(schema);
	return 0;
}
