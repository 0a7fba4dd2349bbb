/*
 * parse_dump.c: what the intake parse makes of each file, as text, for
 * comparing two builds (a change to the parse path must not change a
 * byte of this output).
 *
 *   parse_dump [-n repeat] SCHEMA FILE...
 *
 * For every FILE: app_parse() with SCHEMA, then either the rendered
 * error document (errdoc_render, byte for byte) and the errdoc fields,
 * or every field of the model. Each file is parsed -n times (default 1)
 * and the last result printed: with -n 2 the second parse reuses the
 * contexts the first left in the pool, as the daemon does.
 *
 * Built by `make build/bench/parse_dump` (bench/Makefile.inc's rule).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "application.h"
#include "errdoc.h"

#include "bench_util.h"

static char *
slurp(const char *path, size_t *len)
{
	FILE	*f;
	char	*buf = NULL;
	size_t	 cap = 0, n;

	*len = 0;
	if ((f = fopen(path, "rb")) == NULL)
		return NULL;
	for (;;) {
		if (*len == cap) {
			char *nb;

			cap = cap ? cap * 2 : 65536;
			if ((nb = realloc(buf, cap)) == NULL) {
				free(buf);
				fclose(f);
				return NULL;
			}
			buf = nb;
		}
		if ((n = fread(buf + *len, 1, cap - *len, f)) == 0)
			break;
		*len += n;
	}
	fclose(f);
	return buf;
}

static void
dump_str(const char *k, const char *v)
{
	printf("  %s=%s\n", k, v != NULL ? v : "(null)");
}

static void
dump_model(const struct application *a)
{
	size_t	 i;

	dump_str("id", a->id);
	dump_str("submitted", a->submitted);
	printf("  submitted_epoch=%lld period=%d-%d municipality=%s\n",
	    (long long)a->submitted_epoch, a->period_year, a->period_month,
	    a->municipality);
	printf("  applicant=%zu has_partner=%d partner=%zu others=%d\n",
	    a->applicant, a->has_partner, a->partner, a->other_residents);
	for (i = 0; i < a->npersons; i++) {
		const struct app_person *p = &a->persons[i];

		printf("  person[%zu] role=%s pnr=%s birth=%d-%d-%d days=%d "
		    "lunch=%d\n", i, app_role_name(p->role), p->pnr,
		    p->birth.year, p->birth.month, p->birth.day,
		    p->days_in_household, p->lunch_outside_home);
		dump_str("    name", p->name);
	}
	printf("  housing=%s cost=%d/%lld el=%d/%lld ins=%d/%lld\n",
	    app_housing_name(a->housing_type), a->housing_cost.present,
	    (long long)a->housing_cost.amount, a->electricity.present,
	    (long long)a->electricity.amount, a->insurance.present,
	    (long long)a->insurance.amount);
	for (i = 0; i < a->ncosts; i++) {
		printf("  cost[%zu] %s %lld\n", i,
		    app_cost_type_name(a->costs[i].type),
		    (long long)a->costs[i].amount);
		dump_str("    description", a->costs[i].description);
	}
	for (i = 0; i < a->nincomes; i++)
		printf("  income[%zu] person=%zu %s verified=%d %lld\n", i,
		    a->incomes[i].person,
		    app_income_type_name(a->incomes[i].type),
		    a->incomes[i].verified, (long long)a->incomes[i].amount);
	for (i = 0; i < a->nassets; i++)
		printf("  asset[%zu] %s %lld\n", i,
		    app_asset_type_name(a->assets[i].type),
		    (long long)a->assets[i].amount);
	for (i = 0; i < a->nstatuses; i++)
		printf("  status[%zu] person=%zu %s registered=%d\n", i,
		    a->statuses[i].person,
		    app_status_kind_name(a->statuses[i].kind),
		    a->statuses[i].registered);
	printf("  circumstances=%d%d%d%d%d\n", a->violence,
	    a->child_welfare_concern, a->health_limits_work, a->acute_need,
	    a->eviction_risk);
	dump_str("message", a->message);
	printf("  history=");
	for (i = 0; i < a->nhistory; i++)
		printf("%s%d", i ? "," : "", a->history[i]);
	printf("\n");
}

int
main(int argc, char *argv[])
{
	struct app_schema	*schema = NULL;
	struct application	*app;
	struct errdoc		 e;
	char			*buf, *doc;
	size_t			 len, doclen;
	int			 c, i, k, rc, repeat = 1;

	while ((c = getopt(argc, argv, "n:")) != -1) {
		switch (c) {
		case 'n':
			repeat = atoi(optarg);
			break;
		default:
			goto usage;
		}
	}
	if (argc - optind < 2 || repeat < 1)
		goto usage;
	app_xml_harden();
	if (app_schema_load(argv[optind], &schema, &e) == -1) {
		fprintf(stderr, "parse_dump: %s\n", e.message);
		return 1;
	}
	for (i = optind + 1; i < argc; i++) {
		if ((buf = slurp(argv[i], &len)) == NULL && len != 0) {
			fprintf(stderr, "parse_dump: %s: cannot read\n",
			    argv[i]);
			return 1;
		}
		rc = -1;
		app = NULL;
		for (k = 0; k < repeat; k++) {
			app_free(app);
			app = NULL;
			memset(&e, 0, sizeof(e));
			rc = app_parse(schema, buf != NULL ? buf : "", len,
			    &app, &e);
		}
		printf("== %s rc=%d\n", argv[i], rc);
		if (rc == 0)
			dump_model(app);
		else {
			printf("  status=%d code=%s line=%d column=%d "
			    "element=%s\n  message=%s\n", e.status, e.code,
			    e.line, e.column, e.element, e.message);
			if (errdoc_render(&e, &doc, &doclen) == 0) {
				fwrite(doc, 1, doclen, stdout);
				free(doc);
			}
			printf("\n");
		}
		app_free(app);
		free(buf);
	}
	app_schema_free(schema);
	return 0;
 usage:
	fprintf(stderr, "usage: parse_dump [-n repeat] schema file...\n");
	return 2;
}
