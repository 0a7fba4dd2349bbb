/*
 * app_model.c: a valid application document → struct application.
 *
 * Runs after XML Schema validation, walking the tree in document order
 * by namespace and local name. Values are read with app_value.c's
 * readers; the checks the schema cannot express, apart from the
 * personnummer's own, are app_check.c's, run on the finished model.
 *
 * The model is allocated in app_model_build() and freed in app_free(),
 * which takes a half-built one.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/tree.h>

#include "app_int.h"
#include "application.h"

#define APP_AMOUNT_MAX	999999999	/* as in application.xsd */
#define APP_OTHERS_MAX	50		/* as in application.xsd */

static const char *const app_role_names[] = {
	"applicant", "partner", "child"
};
static const char *const app_housing_names[] = {
	"rental", "sublet", "owned", "lodger", "parents", "homeless", "other"
};
static const char *const app_cost_names[] = {
	"work-travel", "union-fee", "unemployment-fund", "childcare",
	"medical", "medicine", "dental", "glasses", "furniture", "other"
};
static const char *const app_income_names[] = {
	"salary", "unemployment-benefit", "sickness-benefit",
	"activity-support", "parental-benefit", "housing-allowance",
	"child-allowance", "maintenance-support", "student-aid", "pension",
	"other"
};
static const char *const app_source_names[] = {
	"declared", "verified"		/* verified = from SSBTEK */
};
static const char *const app_asset_names[] = {
	"bank", "vehicle", "property", "other"
};
static const char *const app_status_names[] = {
	"employed", "job-seeking", "studying", "sick", "parental-leave",
	"retired", "other"
};

#define APP_NITEMS(a)	(sizeof(a) / sizeof((a)[0]))

/* The tables are indexed by the enums of application.h. */
_Static_assert(APP_NITEMS(app_role_names) == APP_CHILD + 1, "roles");
_Static_assert(APP_NITEMS(app_housing_names) == APP_HOUSING_OTHER + 1,
    "housing");
_Static_assert(APP_NITEMS(app_cost_names) == APP_COST_OTHER + 1, "costs");
_Static_assert(APP_NITEMS(app_income_names) == APP_INC_OTHER + 1,
    "incomes");
_Static_assert(APP_NITEMS(app_asset_names) == APP_ASSET_OTHER + 1,
    "assets");
_Static_assert(APP_NITEMS(app_status_names) == APP_ST_OTHER + 1,
    "statuses");

static void *
app_calloc(size_t n, size_t size, struct errdoc *e)
{
	void	*p;

	if ((p = calloc(n, size)) == NULL)
		errdoc_set(e, 500, ERR_INTERNAL, "out of memory");
	return p;
}

static int
app_read_amount(xmlNodePtr n, const struct app_path *path, app_amount *out,
    struct errdoc *e)
{
	long long	 v;

	if (app_integer(n, path, 0, APP_AMOUNT_MAX, &v, e) == -1)
		return -1;
	*out = v;
	return 0;
}

/* An optional amount element of housing. */
static int
app_opt_amount(xmlNodePtr housing, const char *name,
    struct app_opt_amount *o, struct errdoc *e)
{
	xmlNodePtr	 n;

	if ((n = app_child(housing, name)) == NULL)
		return 0;
	o->present = 1;
	return app_read_amount(n, APP_PATH_AT("housing/", 0, name), &o->amount,
	    e);
}

/* An @person: valid, then resolved to a member, or APP_NOBODY. */
static int
app_person_ref(const struct application *a, xmlNodePtr n,
    const struct app_path *path, size_t *out, struct errdoc *e)
{
	char		 pnr[13];
	size_t		 i;

	if (app_pnr(n, path, pnr, NULL, e) == -1)
		return -1;
	for (i = 0; i < a->npersons; i++)
		if (strcmp(a->persons[i].pnr, pnr) == 0)
			break;
	*out = i < a->npersons ? i : APP_NOBODY;
	return 0;
}

static int
app_build_head(xmlNodePtr root, struct application *a, struct errdoc *e)
{
	xmlNodePtr	 n;
	char		 buf[64];
	int		 month;

	if (app_value(app_req(root, "id", e), APP_PATH("id"), a->id,
	    sizeof(a->id), e) == -1)
		return -1;
	if ((n = app_req(root, "submitted", e)) == NULL ||
	    app_value(n, APP_PATH("submitted"), buf, sizeof(buf), e) == -1)
		return -1;
	if (app_parse_datetime(buf, &a->submitted_epoch) == -1) {
		app_fail(e, ERR_SCHEMA, n, "submitted: not a date and time "
		    "with an offset");
		return -1;
	}
	if ((a->submitted = strdup(buf)) == NULL) {
		errdoc_set(e, 500, ERR_INTERNAL, "out of memory");
		return -1;
	}
	if (app_month(app_req(root, "period", e), APP_PATH("period"), &month,
	    e) == -1)
		return -1;
	a->period_year = month / 12;
	a->period_month = month % 12 + 1;
	return app_value(app_req(root, "municipality", e),
	    APP_PATH("municipality"), a->municipality,
	    sizeof(a->municipality), e);
}

static int
app_build_household(xmlNodePtr root, struct application *a,
    struct errdoc *e)
{
	xmlNodePtr	 hh, n, c;
	struct app_person *p;
	long long	 v;
	int		 role;
	size_t		 i;

	if ((hh = app_req(root, "household", e)) == NULL)
		return -1;
	a->npersons = app_count(hh, "person");
	if (a->npersons > 0 && (a->persons = app_calloc(a->npersons,
	    sizeof(*a->persons), e)) == NULL)
		return -1;
	for (i = 0, n = app_child(hh, "person"); n != NULL;
	    i++, n = app_elem(n->next, "person")) {
		p = &a->persons[i];
		if (app_enum(app_req_attr(n, "role", e),
		    APP_PATH_AT("household/person", i + 1, ""), app_role_names,
		    APP_NITEMS(app_role_names), &role, e) == -1)
			return -1;
		p->role = role;
		/* app_check() refuses a second applicant or partner */
		if (p->role == APP_APPLICANT)
			a->applicant = i;
		else if (p->role == APP_PARTNER) {
			a->has_partner = 1;
			a->partner = i;
		}
		if (app_pnr(app_req(n, "personnummer", e),
		    APP_PATH_AT("household/person", i + 1, "/personnummer"),
		    p->pnr, &p->birth, e) == -1)
			return -1;
		if (app_text(app_child(n, "name"), &p->name, e) == -1)
			return -1;
		if ((c = app_child(n, "days-in-household")) != NULL) {
			if (app_integer(c, APP_PATH_AT("household/person",
			    i + 1, "/days-in-household"), 1, 31, &v, e) == -1)
				return -1;
			p->days_in_household = (int)v;
		}
		p->lunch_outside_home = -1;
		if ((c = app_child(n, "lunch-outside-home")) != NULL) {
			if (app_bool(c, APP_PATH_AT("household/person", i + 1,
			    "/lunch-outside-home"), &p->lunch_outside_home,
			    e) == -1)
				return -1;
		}
	}
	if ((n = app_child(hh, "other-residents")) != NULL) {
		if (app_integer(n, APP_PATH("household/other-residents"), 0,
		    APP_OTHERS_MAX, &v, e) == -1)
			return -1;
		a->other_residents = (int)v;
	}
	return 0;
}

static int
app_build_housing(xmlNodePtr root, struct application *a, struct errdoc *e)
{
	xmlNodePtr	 h;
	int		 type;

	if ((h = app_req(root, "housing", e)) == NULL ||
	    app_enum(app_req(h, "type", e), APP_PATH("housing/type"),
	    app_housing_names, APP_NITEMS(app_housing_names), &type, e) == -1)
		return -1;
	a->housing_type = type;
	if (app_opt_amount(h, "cost", &a->housing_cost, e) == -1 ||
	    app_opt_amount(h, "electricity", &a->electricity, e) == -1 ||
	    app_opt_amount(h, "insurance", &a->insurance, e) == -1)
		return -1;
	return 0;
}

static int
app_build_costs(xmlNodePtr root, struct application *a, struct errdoc *e)
{
	xmlNodePtr	 list, n;
	const struct app_path *path;
	int		 type;
	size_t		 i;

	list = app_child(root, "costs");
	a->ncosts = app_count(list, "cost");
	if (a->ncosts > 0 && (a->costs = app_calloc(a->ncosts,
	    sizeof(*a->costs), e)) == NULL)
		return -1;
	for (i = 0, n = app_child(list, "cost"); n != NULL;
	    i++, n = app_elem(n->next, "cost")) {
		path = APP_PATH_AT("costs/cost", i + 1, "");
		if (app_enum(app_req_attr(n, "type", e), path, app_cost_names,
		    APP_NITEMS(app_cost_names), &type, e) == -1 ||
		    app_read_amount(n, path, &a->costs[i].amount, e) == -1 ||
		    app_text((xmlNodePtr)xmlHasNsProp(n, BAD_CAST "description",
		    NULL), &a->costs[i].description, e) == -1)
			return -1;
		a->costs[i].type = type;
	}
	return 0;
}

static int
app_build_incomes(xmlNodePtr root, struct application *a, struct errdoc *e)
{
	xmlNodePtr	 list, n, attr;
	const struct app_path *path;
	int		 type, source;
	size_t		 i;

	list = app_child(root, "incomes");
	a->nincomes = app_count(list, "income");
	if (a->nincomes > 0 && (a->incomes = app_calloc(a->nincomes,
	    sizeof(*a->incomes), e)) == NULL)
		return -1;
	for (i = 0, n = app_child(list, "income"); n != NULL;
	    i++, n = app_elem(n->next, "income")) {
		if (app_person_ref(a, app_req_attr(n, "person", e),
		    APP_PATH_AT("incomes/income", i + 1, "/@person"),
		    &a->incomes[i].person, e) == -1)
			return -1;
		path = APP_PATH_AT("incomes/income", i + 1, "");
		if (app_enum(app_req_attr(n, "type", e), path, app_income_names,
		    APP_NITEMS(app_income_names), &type, e) == -1 ||
		    app_read_amount(n, path, &a->incomes[i].amount, e) == -1)
			return -1;
		a->incomes[i].type = type;
		/* @source defaults to "declared" */
		source = 0;
		if ((attr = (xmlNodePtr)xmlHasNsProp(n, BAD_CAST "source",
		    NULL)) != NULL && app_enum(attr, path, app_source_names,
		    APP_NITEMS(app_source_names), &source, e) == -1)
			return -1;
		a->incomes[i].verified = source == 1;
	}
	return 0;
}

static int
app_build_assets(xmlNodePtr root, struct application *a, struct errdoc *e)
{
	xmlNodePtr	 list, n;
	const struct app_path *path;
	int		 type;
	size_t		 i;

	list = app_child(root, "assets");
	a->nassets = app_count(list, "asset");
	if (a->nassets > 0 && (a->assets = app_calloc(a->nassets,
	    sizeof(*a->assets), e)) == NULL)
		return -1;
	for (i = 0, n = app_child(list, "asset"); n != NULL;
	    i++, n = app_elem(n->next, "asset")) {
		path = APP_PATH_AT("assets/asset", i + 1, "");
		if (app_enum(app_req_attr(n, "type", e), path, app_asset_names,
		    APP_NITEMS(app_asset_names), &type, e) == -1 ||
		    app_read_amount(n, path, &a->assets[i].amount, e) == -1)
			return -1;
		a->assets[i].type = type;
	}
	return 0;
}

static int
app_build_statuses(xmlNodePtr root, struct application *a, struct errdoc *e)
{
	xmlNodePtr	 list, n, attr;
	const struct app_path *path;
	int		 kind;
	size_t		 i;

	list = app_child(root, "labour-market");
	a->nstatuses = app_count(list, "status");
	if (a->nstatuses > 0 && (a->statuses = app_calloc(a->nstatuses,
	    sizeof(*a->statuses), e)) == NULL)
		return -1;
	for (i = 0, n = app_child(list, "status"); n != NULL;
	    i++, n = app_elem(n->next, "status")) {
		if (app_person_ref(a, app_req_attr(n, "person", e),
		    APP_PATH_AT("labour-market/status", i + 1, "/@person"),
		    &a->statuses[i].person, e) == -1)
			return -1;
		path = APP_PATH_AT("labour-market/status", i + 1, "");
		if (app_enum(app_req_attr(n, "kind", e), path, app_status_names,
		    APP_NITEMS(app_status_names), &kind, e) == -1)
			return -1;
		a->statuses[i].kind = kind;
		/* @registered-employment-service defaults to false */
		if ((attr = (xmlNodePtr)xmlHasNsProp(n,
		    BAD_CAST "registered-employment-service", NULL)) != NULL &&
		    app_bool(attr, path, &a->statuses[i].registered, e) == -1)
			return -1;
	}
	return 0;
}

static int
app_build_circumstances(xmlNodePtr root, struct application *a,
    struct errdoc *e)
{
	xmlNodePtr	 c;

	if ((c = app_req(root, "circumstances", e)) == NULL)
		return -1;
	if (app_bool(app_req(c, "violence", e),
	    APP_PATH("circumstances/violence"), &a->violence, e) == -1 ||
	    app_bool(app_req(c, "child-welfare-concern", e),
	    APP_PATH("circumstances/child-welfare-concern"),
	    &a->child_welfare_concern, e) == -1 ||
	    app_bool(app_req(c, "health-limits-work", e),
	    APP_PATH("circumstances/health-limits-work"),
	    &a->health_limits_work, e) == -1 ||
	    app_bool(app_req(c, "acute-need", e),
	    APP_PATH("circumstances/acute-need"), &a->acute_need, e) == -1 ||
	    app_bool(app_req(c, "eviction-risk", e),
	    APP_PATH("circumstances/eviction-risk"), &a->eviction_risk,
	    e) == -1)
		return -1;
	return app_text(app_child(c, "message"), &a->message, e);
}

/* The months in document order: app_check() names a bad one by its
 * position, so they are sorted only after it ran. */
static int
app_build_history(xmlNodePtr root, struct application *a, struct errdoc *e)
{
	xmlNodePtr	 list, n;
	size_t		 i;

	list = app_child(root, "history");
	a->nhistory = app_count(list, "month");
	if (a->nhistory > 0 && (a->history = app_calloc(a->nhistory,
	    sizeof(*a->history), e)) == NULL)
		return -1;
	for (i = 0, n = app_child(list, "month"); n != NULL;
	    i++, n = app_elem(n->next, "month")) {
		if (app_month(n, APP_PATH_AT("history/month", i + 1, ""),
		    &a->history[i], e) == -1)
			return -1;
	}
	return 0;
}

static int
app_cmp_int(const void *x, const void *y)
{
	int	 a = *(const int *)x, b = *(const int *)y;

	return (a > b) - (a < b);
}

/* Sort the history ascending and drop repeated months (the migration
 * from the case system may list a month twice). */
static void
app_history_normalise(struct application *a)
{
	size_t	 i, n = 0;

	if (a->nhistory == 0)
		return;
	qsort(a->history, a->nhistory, sizeof(*a->history), app_cmp_int);
	for (i = 1; i < a->nhistory; i++)
		if (a->history[i] != a->history[n])
			a->history[++n] = a->history[i];
	a->nhistory = n + 1;
}

int
app_model_build(xmlNodePtr root, struct application **out,
    struct errdoc *e)
{
	struct application *a;
	int		 rc = -1;

	*out = NULL;
	if ((a = app_calloc(1, sizeof(*a), e)) == NULL)
		goto err;
	if (app_build_head(root, a, e) == -1 ||
	    app_build_household(root, a, e) == -1 ||
	    app_build_housing(root, a, e) == -1 ||
	    app_build_costs(root, a, e) == -1 ||
	    app_build_incomes(root, a, e) == -1 ||
	    app_build_assets(root, a, e) == -1 ||
	    app_build_statuses(root, a, e) == -1 ||
	    app_build_circumstances(root, a, e) == -1 ||
	    app_build_history(root, a, e) == -1 ||
	    app_check(a, root, e) == -1)
		goto err;
	app_history_normalise(a);
	*out = a;
	a = NULL;
	rc = 0;
 err:
	app_free(a);
	return rc;
}

void
app_free(struct application *a)
{
	size_t	 i;

	if (a == NULL)
		return;
	for (i = 0; a->persons != NULL && i < a->npersons; i++)
		free(a->persons[i].name);
	free(a->persons);
	for (i = 0; a->costs != NULL && i < a->ncosts; i++)
		free(a->costs[i].description);
	free(a->costs);
	free(a->incomes);
	free(a->assets);
	free(a->statuses);
	free(a->message);
	free(a->history);
	free(a->submitted);
	free(a);
}

static const char *
app_name(const char *const *names, size_t count, int v)
{
	return v >= 0 && (size_t)v < count ? names[v] : "unknown";
}

const char *
app_role_name(enum app_role v)
{
	return app_name(app_role_names, APP_NITEMS(app_role_names), (int)v);
}

const char *
app_housing_name(enum app_housing v)
{
	return app_name(app_housing_names, APP_NITEMS(app_housing_names),
	    (int)v);
}

const char *
app_cost_type_name(enum app_cost_type v)
{
	return app_name(app_cost_names, APP_NITEMS(app_cost_names), (int)v);
}

const char *
app_income_type_name(enum app_income_type v)
{
	return app_name(app_income_names, APP_NITEMS(app_income_names),
	    (int)v);
}

const char *
app_asset_type_name(enum app_asset_type v)
{
	return app_name(app_asset_names, APP_NITEMS(app_asset_names), (int)v);
}

const char *
app_status_kind_name(enum app_status_kind v)
{
	return app_name(app_status_names, APP_NITEMS(app_status_names),
	    (int)v);
}
