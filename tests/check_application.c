/*
 * check_application.c: the intake path, app_parse(), end to end.
 *
 * Valid documents: the shipped examples and an inline template, with
 * the model checked value by value. Invalid documents: the template with
 * one substitution each, one per refusal the contract names, asserting
 * the error code, the line, the element and the message.
 *
 * The repository is found through BISTAND_SRCDIR (the Makefile sets it).
 */
#include <check.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libxml/parser.h>
#include <libxml/xmlschemas.h>

#include "application.h"
#include "errdoc.h"
/* white-box: the parse arena's knobs (app_arena.c) */
#include "../daemon/app_int.h"
#include "pnr.h"

static struct app_schema *schema;

/* Personnummer in the template (fictitious, Luhn computed). */
#define PA	"198802193246"	/* applicant, born 1988-02-19 */
#define PP	"198407304511"	/* partner */
#define PC1	"201808145823"	/* child, 4 on 2023-03-01 */
#define PC2	"201305021378"	/* child, 9 on 2023-03-01 */
#define PX	"197209052732"	/* valid, but not in the household */

/*
 * A valid document using every element. Tests substitute one piece of
 * it; the markers they look for occur once unless a test says so.
 */
static const char TMPL[] =
"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
"<application xmlns=\"urn:bistand:application:1\">\n"
"  <id>T-1</id>\n"
"  <submitted>2023-03-02T09:14:05+01:00</submitted>\n"
"  <period>2023-03</period>\n"
"  <municipality>0180</municipality>\n"
"  <household>\n"
"    <person role=\"applicant\">\n"
"      <personnummer>" PA "</personnummer>\n"
"      <name>Anna Test</name>\n"
"    </person>\n"
"    <person role=\"partner\">\n"
"      <personnummer>" PP "</personnummer>\n"
"    </person>\n"
"    <person role=\"child\">\n"
"      <personnummer>" PC1 "</personnummer>\n"
"      <days-in-household>15</days-in-household>\n"
"      <lunch-outside-home>true</lunch-outside-home>\n"
"    </person>\n"
"    <person role=\"child\">\n"
"      <personnummer>" PC2 "</personnummer>\n"
"    </person>\n"
"    <other-residents>0</other-residents>\n"
"  </household>\n"
"  <housing>\n"
"    <type>rental</type>\n"
"    <cost>8000</cost>\n"
"    <insurance>150</insurance>\n"
"  </housing>\n"
"  <costs>\n"
"    <cost type=\"childcare\">900</cost>\n"
"    <cost type=\"dental\" description=\"Tandläkare\">1200</cost>\n"
"  </costs>\n"
"  <incomes>\n"
"    <income person=\"" PA "\" type=\"salary\">12000</income>\n"
"    <income person=\"" PP "\" type=\"unemployment-benefit\" "
    "source=\"verified\">9000</income>\n"
"  </incomes>\n"
"  <assets>\n"
"    <asset type=\"bank\">500</asset>\n"
"  </assets>\n"
"  <labour-market>\n"
"    <status person=\"" PA "\" kind=\"employed\"/>\n"
"    <status person=\"" PP "\" kind=\"job-seeking\" "
    "registered-employment-service=\"true\"/>\n"
"  </labour-market>\n"
"  <circumstances>\n"
"    <violence>false</violence>\n"
"    <child-welfare-concern>0</child-welfare-concern>\n"
"    <health-limits-work>false</health-limits-work>\n"
"    <acute-need>1</acute-need>\n"
"    <eviction-risk>false</eviction-risk>\n"
"    <message>Hej</message>\n"
"  </circumstances>\n"
"  <history>\n"
"    <month>2023-01</month>\n"
"    <month>2022-11</month>\n"
"    <month>2023-01</month>\n"
"    <month>2022-12</month>\n"
"  </history>\n"
"</application>\n";

/* The smallest valid document: only what is required. */
static const char MINIMAL[] =
"<application xmlns=\"urn:bistand:application:1\">"
"<id>m</id><submitted>2023-03-01T00:00:00Z</submitted>"
"<period>2023-03</period><municipality>0180</municipality>"
"<household><person role=\"applicant\"><personnummer>" PA
"</personnummer></person></household>"
"<housing><type>homeless</type></housing>"
"<circumstances><violence>false</violence>"
"<child-welfare-concern>false</child-welfare-concern>"
"<health-limits-work>false</health-limits-work>"
"<acute-need>false</acute-need><eviction-risk>false</eviction-risk>"
"</circumstances></application>";

static const char *
srcdir(void)
{
	const char *d = getenv("BISTAND_SRCDIR");

	return d != NULL && *d != '\0' ? d : ".";
}

static void
schema_setup(void)
{
	struct errdoc	 e;
	char		 path[1024];

	app_xml_harden();
	snprintf(path, sizeof(path), "%s/etc/application.xsd", srcdir());
	if (app_schema_load(path, &schema, &e) == -1) {
		fprintf(stderr, "%s: %s\n", path, e.message);
		abort();
	}
}

static void
schema_teardown(void)
{
	app_schema_free(schema);
	schema = NULL;
}

/* doc with the first occurrence of from replaced by to (malloc'ed). */
static char *
subst(const char *doc, const char *from, const char *to)
{
	const char	*p = strstr(doc, from);
	char		*out;
	size_t		 n;

	ck_assert_msg(p != NULL, "marker not in document: %s", from);
	n = strlen(doc) - strlen(from) + strlen(to) + 1;
	out = malloc(n);
	ck_assert_ptr_nonnull(out);
	snprintf(out, n, "%.*s%s%s", (int)(p - doc), doc, to, p + strlen(from));
	return out;
}

/* The same, freeing doc: for chains of substitutions. */
static char *
subst_free(char *doc, const char *from, const char *to)
{
	char	*out = subst(doc, from, to);

	free(doc);
	return out;
}

/* The line (from 1) of the first occurrence of needle. */
static int
line_of(const char *doc, const char *needle)
{
	const char	*p = strstr(doc, needle), *s;
	int		 line = 1;

	ck_assert_msg(p != NULL, "not in document: %s", needle);
	for (s = doc; s < p; s++)
		line += *s == '\n';
	return line;
}

static struct application *
parse_ok(const char *doc)
{
	struct application *a = NULL;
	struct errdoc	 e;

	memset(&e, 0, sizeof(e));
	if (app_parse(schema, doc, strlen(doc), &a, &e) == -1)
		ck_abort_msg("refused: %s: %s (line %d, element %s)", e.code,
		    e.message, e.line, e.element);
	ck_assert_ptr_nonnull(a);
	return a;
}

/*
 * Expect a 400 refusal with code, at line (0: any), about element
 * (NULL: any), whose message contains want (NULL: anything). The
 * message must never carry a personnummer or a name of the document.
 */
static void
expect(const char *doc, const char *code, int line, const char *element,
    const char *want)
{
	static const char *const secret[] = { PA, PP, PC1, PC2, PX, "Anna" };
	struct application *a = (struct application *)1;
	struct errdoc	 e;
	size_t		 i;

	memset(&e, 0, sizeof(e));
	ck_assert_int_eq(app_parse(schema, doc, strlen(doc), &a, &e), -1);
	ck_assert_ptr_null(a);
	ck_assert_int_eq(e.status, 400);
	ck_assert_msg(e.code != NULL && strcmp(e.code, code) == 0,
	    "code %s, wanted %s: %s", e.code, code, e.message);
	if (line != 0)
		ck_assert_msg(e.line == line, "line %d, wanted %d: %s", e.line,
		    line, e.message);
	if (element != NULL)
		ck_assert_msg(strcmp(e.element, element) == 0,
		    "element \"%s\", wanted \"%s\": %s", e.element, element,
		    e.message);
	if (want != NULL)
		ck_assert_msg(strstr(e.message, want) != NULL,
		    "message \"%s\" lacks \"%s\"", e.message, want);
	if (strcmp(code, ERR_SCHEMA) != 0 && strcmp(code, ERR_MALFORMED_XML))
		for (i = 0; i < sizeof(secret) / sizeof(secret[0]); i++)
			ck_assert_msg(strstr(e.message, secret[i]) == NULL,
			    "message quotes personal data: %s", e.message);
}

/* Substitute once in the template and expect; the line is that of
 * the substituted text (at), if given. */
static void
expect_subst(const char *from, const char *to, const char *code,
    const char *at, const char *element, const char *want)
{
	char	*doc = subst(TMPL, from, to);

	expect(doc, code, at != NULL ? line_of(doc, at) : 0, element, want);
	free(doc);
}

/* A file of the repository, NUL-terminated. */
static char *
read_file(const char *name)
{
	char	 path[1024], *buf;
	FILE	*f;
	long	 n;

	snprintf(path, sizeof(path), "%s/%s", srcdir(), name);
	f = fopen(path, "rb");
	ck_assert_msg(f != NULL, "%s", path);
	ck_assert_int_eq(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	rewind(f);
	buf = malloc((size_t)n + 1);
	ck_assert_ptr_nonnull(buf);
	ck_assert_int_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static struct application *
parse_example(const char *name)
{
	char			 path[256], *doc;
	struct application	*a;

	snprintf(path, sizeof(path), "etc/examples/%s", name);
	doc = read_file(path);
	a = parse_ok(doc);
	free(doc);
	return a;
}

static int
month(int y, int m)
{
	return y * 12 + m - 1;
}

static int
age(const struct application *a, size_t i)
{
	return pnr_age_on(&a->persons[i].birth, a->period_year,
	    a->period_month, 1);
}

/* ---- valid documents ------------------------------------------------ */

/*
 * Attributes by the 100 000 on one element made libxml2 2.9's pairwise
 * duplicate check run for 48 s; the guard refuses them in one pass. With
 * no guard this test would exceed check's 4 s default timeout.
 */
START_TEST(test_attribute_flood)
{
	static const char head[] = "<?xml version=\"1.0\"?>\n"
	    "<application xmlns=\"urn:bistand:application:1\"";
	size_t	 n = 100000, i, cap = sizeof(head) + n * 16 + 64, len;
	char	*doc = malloc(cap);

	ck_assert_ptr_nonnull(doc);
	len = (size_t)snprintf(doc, cap, "%s", head);
	for (i = 0; i < n; i++)
		len += (size_t)snprintf(doc + len, cap - len, " a%zu=\"\"", i);
	snprintf(doc + len, cap - len, "><id>x</id></application>");
	expect(doc, ERR_MALFORMED_XML, 2, NULL, "more than 64 attributes");
	free(doc);
	/* What does not count: '=' in values, text, comments, CDATA, PIs;
	 * the guard lets these through to the parser and the schema. */
	expect("<?xml version=\"1.0\"?>\n<!-- = = = = = = = = = = = = = = = = "
	    "= = = = = = = = = = = = = = = = = = = = = = = = = = = = = = = = = = "
	    "= = = = = = = = = = = = = = = = = = = = = = = = = = = = = = = = = -->"
	    "<application xmlns=\"urn:bistand:application:1\" x=\"= = = = = = = "
	    "= = = = = = = = = = = = = = = = = = = = = = = = = = = = = = = = = = = "
	    "= = = = = = = = = = = = = = = = = = = = = = = = = = = = = = = =\">"
	    "<![CDATA[= = = = = = = = = = = = = = = = = = = = = = = = = = = = = = "
	    "= = = = = = = = = = = = = = = = = = = = = = = = = = = = = = = = = = = "
	    "= = = =]]></application>", ERR_SCHEMA, 0, NULL, NULL);
}
END_TEST

START_TEST(test_template_model)
{
	struct application *a = parse_ok(TMPL);

	ck_assert_str_eq(a->id, "T-1");
	ck_assert_str_eq(a->submitted, "2023-03-02T09:14:05+01:00");
	ck_assert_int_eq(a->submitted_epoch, 1677744845);
	ck_assert_int_eq(a->period_year, 2023);
	ck_assert_int_eq(a->period_month, 3);
	ck_assert_str_eq(a->municipality, "0180");

	ck_assert_uint_eq(a->npersons, 4);
	ck_assert_int_eq(a->persons[0].role, APP_APPLICANT);
	ck_assert_int_eq(a->persons[1].role, APP_PARTNER);
	ck_assert_int_eq(a->persons[2].role, APP_CHILD);
	ck_assert_int_eq(a->persons[3].role, APP_CHILD);
	ck_assert_uint_eq(a->applicant, 0);
	ck_assert_int_eq(a->has_partner, 1);
	ck_assert_uint_eq(a->partner, 1);
	ck_assert_str_eq(a->persons[0].pnr, PA);
	ck_assert_str_eq(a->persons[3].pnr, PC2);
	ck_assert_int_eq(a->persons[0].birth.year, 1988);
	ck_assert_int_eq(a->persons[0].birth.month, 2);
	ck_assert_int_eq(a->persons[0].birth.day, 19);
	ck_assert_str_eq(a->persons[0].name, "Anna Test");
	ck_assert_ptr_null(a->persons[1].name);
	ck_assert_int_eq(a->persons[0].days_in_household, 0);
	ck_assert_int_eq(a->persons[0].lunch_outside_home, -1);
	ck_assert_int_eq(a->persons[2].days_in_household, 15);
	ck_assert_int_eq(a->persons[2].lunch_outside_home, 1);
	ck_assert_int_eq(a->persons[3].lunch_outside_home, -1);
	ck_assert_int_eq(age(a, 0), 35);
	ck_assert_int_eq(age(a, 2), 4);
	ck_assert_int_eq(age(a, 3), 9);
	ck_assert_int_eq(a->other_residents, 0);

	ck_assert_int_eq(a->housing_type, APP_HOUSING_RENTAL);
	ck_assert_int_eq(a->housing_cost.present, 1);
	ck_assert_int_eq(a->housing_cost.amount, 8000);
	ck_assert_int_eq(a->electricity.present, 0);
	ck_assert_int_eq(a->insurance.present, 1);
	ck_assert_int_eq(a->insurance.amount, 150);

	ck_assert_uint_eq(a->ncosts, 2);
	ck_assert_int_eq(a->costs[0].type, APP_COST_CHILDCARE);
	ck_assert_int_eq(a->costs[0].amount, 900);
	ck_assert_ptr_null(a->costs[0].description);
	ck_assert_int_eq(a->costs[1].type, APP_COST_DENTAL);
	ck_assert_int_eq(a->costs[1].amount, 1200);
	ck_assert_str_eq(a->costs[1].description, "Tandläkare");

	ck_assert_uint_eq(a->nincomes, 2);
	ck_assert_uint_eq(a->incomes[0].person, 0);
	ck_assert_int_eq(a->incomes[0].type, APP_INC_SALARY);
	ck_assert_int_eq(a->incomes[0].verified, 0);	/* the default */
	ck_assert_int_eq(a->incomes[0].amount, 12000);
	ck_assert_uint_eq(a->incomes[1].person, 1);
	ck_assert_int_eq(a->incomes[1].type, APP_INC_UNEMPLOYMENT_BENEFIT);
	ck_assert_int_eq(a->incomes[1].verified, 1);
	ck_assert_int_eq(a->incomes[1].amount, 9000);

	ck_assert_uint_eq(a->nassets, 1);
	ck_assert_int_eq(a->assets[0].type, APP_ASSET_BANK);
	ck_assert_int_eq(a->assets[0].amount, 500);

	ck_assert_uint_eq(a->nstatuses, 2);
	ck_assert_uint_eq(a->statuses[0].person, 0);
	ck_assert_int_eq(a->statuses[0].kind, APP_ST_EMPLOYED);
	ck_assert_int_eq(a->statuses[0].registered, 0);	/* the default */
	ck_assert_uint_eq(a->statuses[1].person, 1);
	ck_assert_int_eq(a->statuses[1].kind, APP_ST_JOB_SEEKING);
	ck_assert_int_eq(a->statuses[1].registered, 1);

	ck_assert_int_eq(a->violence, 0);
	ck_assert_int_eq(a->child_welfare_concern, 0);
	ck_assert_int_eq(a->health_limits_work, 0);
	ck_assert_int_eq(a->acute_need, 1);
	ck_assert_int_eq(a->eviction_risk, 0);
	ck_assert_str_eq(a->message, "Hej");

	/* 2023-01, 2022-11, 2023-01, 2022-12: sorted, once each */
	ck_assert_uint_eq(a->nhistory, 3);
	ck_assert_int_eq(a->history[0], month(2022, 11));
	ck_assert_int_eq(a->history[1], month(2022, 12));
	ck_assert_int_eq(a->history[2], month(2023, 1));
	app_free(a);
}
END_TEST

START_TEST(test_minimal)
{
	struct application *a = parse_ok(MINIMAL);

	ck_assert_uint_eq(a->npersons, 1);
	ck_assert_int_eq(a->has_partner, 0);
	ck_assert_int_eq(a->housing_type, APP_HOUSING_HOMELESS);
	ck_assert_int_eq(a->housing_cost.present, 0);
	ck_assert_uint_eq(a->ncosts, 0);
	ck_assert_ptr_null(a->costs);
	ck_assert_uint_eq(a->nincomes, 0);
	ck_assert_uint_eq(a->nassets, 0);
	ck_assert_uint_eq(a->nstatuses, 0);
	ck_assert_uint_eq(a->nhistory, 0);
	ck_assert_ptr_null(a->history);
	ck_assert_ptr_null(a->message);
	ck_assert_int_eq(a->other_residents, 0);
	ck_assert_int_eq(a->submitted_epoch, 1677628800);
	app_free(a);
}
END_TEST

START_TEST(test_example_reapplication)
{
	struct application *a = parse_example("reapplication.xml");
	int		 i;

	ck_assert_str_eq(a->id, "SE-0180-2023-000412");
	ck_assert_int_eq(a->submitted_epoch, 1677835361);
	ck_assert_uint_eq(a->npersons, 1);
	ck_assert_int_eq(a->persons[0].role, APP_APPLICANT);
	ck_assert_int_eq(a->has_partner, 0);
	ck_assert_int_eq(age(a, 0), 37);
	ck_assert_int_eq(a->housing_type, APP_HOUSING_RENTAL);
	ck_assert_int_eq(a->housing_cost.amount, 6850);
	ck_assert_int_eq(a->electricity.amount, 310);
	ck_assert_int_eq(a->insurance.amount, 145);
	ck_assert_uint_eq(a->ncosts, 2);
	ck_assert_int_eq(a->costs[0].type, APP_COST_WORK_TRAVEL);
	ck_assert_int_eq(a->costs[0].amount, 970);
	ck_assert_str_eq(a->costs[0].description, "SL-kort, 30 dagar");
	ck_assert_int_eq(a->costs[1].type, APP_COST_UNION_FEE);
	/* The housing allowance declared, and verified via SSBTEK. */
	ck_assert_uint_eq(a->nincomes, 3);
	ck_assert_int_eq(a->incomes[0].type, APP_INC_SALARY);
	ck_assert_int_eq(a->incomes[0].verified, 0);
	ck_assert_int_eq(a->incomes[0].amount, 7420);
	ck_assert_int_eq(a->incomes[1].type, APP_INC_HOUSING_ALLOWANCE);
	ck_assert_int_eq(a->incomes[1].verified, 0);
	ck_assert_int_eq(a->incomes[1].amount, 1480);
	ck_assert_int_eq(a->incomes[2].type, APP_INC_HOUSING_ALLOWANCE);
	ck_assert_int_eq(a->incomes[2].verified, 1);
	ck_assert_int_eq(a->incomes[2].amount, 1480);
	ck_assert_uint_eq(a->nassets, 1);
	ck_assert_int_eq(a->assets[0].amount, 850);
	ck_assert_uint_eq(a->nstatuses, 1);
	ck_assert_int_eq(a->statuses[0].kind, APP_ST_JOB_SEEKING);
	ck_assert_int_eq(a->statuses[0].registered, 1);
	ck_assert_ptr_null(a->message);
	/* listed newest first in the file: the model has them ascending */
	ck_assert_uint_eq(a->nhistory, 6);
	for (i = 0; i < 6; i++)
		ck_assert_int_eq(a->history[i], month(2022, 9) + i);
	app_free(a);
}
END_TEST

START_TEST(test_example_family)
{
	struct application *a = parse_example("family.xml");

	/* 19:47:12.350+01:00: the fraction is dropped */
	ck_assert_int_eq(a->submitted_epoch, 1678128432);
	ck_assert_uint_eq(a->npersons, 5);
	ck_assert_int_eq(a->has_partner, 1);
	ck_assert_uint_eq(a->applicant, 0);
	ck_assert_uint_eq(a->partner, 1);
	ck_assert_int_eq(a->persons[2].role, APP_CHILD);
	ck_assert_int_eq(a->persons[3].role, APP_CHILD);
	ck_assert_int_eq(a->persons[4].role, APP_CHILD);
	ck_assert_int_eq(age(a, 2), 4);
	ck_assert_int_eq(age(a, 3), 9);
	ck_assert_int_eq(age(a, 4), 15);
	ck_assert_int_eq(a->persons[2].lunch_outside_home, 1);
	ck_assert_int_eq(a->persons[2].days_in_household, 0);
	ck_assert_int_eq(a->persons[3].days_in_household, 15);
	ck_assert_int_eq(a->persons[4].lunch_outside_home, -1);
	ck_assert_str_eq(a->persons[1].name, "Jonas Nyström");
	ck_assert_uint_eq(a->ncosts, 2);
	ck_assert_int_eq(a->costs[0].type, APP_COST_CHILDCARE);
	ck_assert_int_eq(a->costs[1].type, APP_COST_GLASSES);
	ck_assert_uint_eq(a->nincomes, 5);
	ck_assert_uint_eq(a->incomes[2].person, 1);
	ck_assert_int_eq(a->incomes[2].type, APP_INC_PARENTAL_BENEFIT);
	ck_assert_int_eq(a->incomes[3].verified, 0);	/* explicit declared */
	ck_assert_int_eq(a->incomes[4].type, APP_INC_MAINTENANCE_SUPPORT);
	ck_assert_uint_eq(a->nstatuses, 2);
	ck_assert_int_eq(a->statuses[1].kind, APP_ST_PARENTAL_LEAVE);
	ck_assert_int_eq(a->statuses[1].registered, 0);
	ck_assert_uint_eq(a->nassets, 0);
	ck_assert_uint_eq(a->nhistory, 2);
	ck_assert_int_eq(a->history[0], month(2023, 1));
	ck_assert_int_eq(a->history[1], month(2023, 2));
	app_free(a);
}
END_TEST

START_TEST(test_example_violence)
{
	struct application *a = parse_example("violence.xml");

	ck_assert_int_eq(a->violence, 1);
	ck_assert_int_eq(a->acute_need, 1);
	ck_assert_int_eq(a->child_welfare_concern, 0);
	ck_assert_ptr_nonnull(a->message);
	ck_assert_ptr_nonnull(strstr(a->message, "skyddat boende"));
	ck_assert_int_eq(a->housing_type, APP_HOUSING_OTHER);
	ck_assert_int_eq(a->housing_cost.present, 0);
	ck_assert_uint_eq(a->npersons, 2);
	ck_assert_int_eq(age(a, 1), 2);
	ck_assert_int_eq(a->persons[1].lunch_outside_home, 0);
	ck_assert_uint_eq(a->nhistory, 0);
	ck_assert_uint_eq(a->nincomes, 2);
	ck_assert_int_eq(a->incomes[0].verified, 1);
	app_free(a);
}
END_TEST

START_TEST(test_example_first)
{
	struct application *a = parse_example("first-application.xml");

	ck_assert_int_eq(a->submitted_epoch, 1677485035);	/* Z */
	ck_assert_uint_eq(a->nhistory, 0);
	ck_assert_ptr_null(a->history);
	ck_assert_int_eq(a->housing_type, APP_HOUSING_OWNED);
	ck_assert_int_eq(a->has_partner, 1);
	ck_assert_uint_eq(a->nassets, 2);
	ck_assert_int_eq(a->assets[0].type, APP_ASSET_VEHICLE);
	ck_assert_int_eq(a->assets[0].amount, 25000);
	ck_assert_int_eq(a->assets[1].type, APP_ASSET_BANK);
	ck_assert_int_eq(a->health_limits_work, 1);
	ck_assert_int_eq(a->statuses[1].kind, APP_ST_SICK);
	ck_assert_int_eq(a->costs[0].type, APP_COST_DENTAL);
	ck_assert_int_eq(a->costs[0].amount, 2400);
	app_free(a);
}
END_TEST

START_TEST(test_example_shared)
{
	struct application *a = parse_example("shared-dwelling.xml");

	ck_assert_int_eq(a->other_residents, 2);
	ck_assert_uint_eq(a->npersons, 1);
	ck_assert_int_eq(a->housing_type, APP_HOUSING_SUBLET);
	ck_assert_int_eq(a->housing_cost.amount, 4200);
	ck_assert_int_eq(a->electricity.present, 0);
	ck_assert_int_eq(a->incomes[0].type, APP_INC_ACTIVITY_SUPPORT);
	ck_assert_uint_eq(a->nhistory, 1);
	app_free(a);
}
END_TEST

/* Values with a fixed form may carry surrounding whitespace; XML
 * Schema collapses it and so does the model. */
START_TEST(test_whitespace_and_lexical_forms)
{
	char			*doc;
	struct application	*a;

	doc = subst(TMPL, "<id>T-1</id>", "<id>\n  T-1\n</id>");
	doc = subst_free(doc, "<cost>8000</cost>", "<cost> +08000 </cost>");
	doc = subst_free(doc, "role=\"partner\"", "role=\" partner \"");
	doc = subst_free(doc, "<violence>false</violence>",
	    "<violence> true </violence>");
	doc = subst_free(doc, "<name>Anna Test</name>",
	    "<name><![CDATA[ Anna & <Test> ]]></name>");
	doc = subst_free(doc, "<month>2022-11</month>",
	    "<month> 2022-11 </month>");
	a = parse_ok(doc);
	ck_assert_str_eq(a->id, "T-1");
	ck_assert_int_eq(a->housing_cost.amount, 8000);
	ck_assert_int_eq(a->persons[1].role, APP_PARTNER);
	ck_assert_int_eq(a->violence, 1);
	ck_assert_str_eq(a->persons[0].name, " Anna & <Test> ");
	ck_assert_int_eq(a->history[0], month(2022, 11));
	app_free(a);
	free(doc);
}
END_TEST

START_TEST(test_submitted_forms)
{
	static const struct { const char *s; int64_t epoch; } t[] = {
		{ "2023-03-02T04:14:05-05:00", 1677748445 },
		{ "2023-03-02T00:00:00Z", 1677715200 },
		{ "2023-03-02T24:00:00Z", 1677801600 },	/* end of day */
		{ "2023-03-02T09:14:05.999999999+14:00", 1677698045 },
		{ "2000-02-29T23:59:59-13:30", 951917399 },
		{ "1970-01-01T00:00:00+00:00", 0 },
	};
	char			 from[] = "2023-03-02T09:14:05+01:00", *doc;
	struct application	*a;
	size_t			 i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		doc = subst(TMPL, from, t[i].s);
		a = parse_ok(doc);
		ck_assert_msg(a->submitted_epoch == t[i].epoch, "%s: %lld",
		    t[i].s, (long long)a->submitted_epoch);
		ck_assert_str_eq(a->submitted, t[i].s);
		app_free(a);
		free(doc);
	}
}
END_TEST

START_TEST(test_samordningsnummer)
{
	/* 2018-08-14 as a samordningsnummer: day 14 + 60 */
	char			*doc = subst(TMPL, PC1, "201808745820");
	struct application	*a = parse_ok(doc);

	ck_assert_int_eq(a->persons[2].birth.coordination, 1);
	ck_assert_int_eq(a->persons[2].birth.day, 14);
	ck_assert_int_eq(age(a, 2), 4);
	app_free(a);
	free(doc);
}
END_TEST

START_TEST(test_empty_lists)
{
	char			*doc;
	struct application	*a;

	doc = subst(MINIMAL, "</household>", "</household>");
	doc = subst_free(doc, "</housing>", "</housing><costs/><incomes/>"
	    "<assets/><labour-market/>");
	doc = subst_free(doc, "</circumstances>", "</circumstances>"
	    "<history/>");
	a = parse_ok(doc);
	ck_assert_uint_eq(a->ncosts, 0);
	ck_assert_uint_eq(a->nincomes, 0);
	ck_assert_uint_eq(a->nhistory, 0);
	app_free(a);
	free(doc);
}
END_TEST

/* Edges that are allowed: born on the first day of the period, a
 * child of 6 (turning 7 the day after) eating lunch outside, 28 days
 * in February. */
START_TEST(test_allowed_edges)
{
	char			*doc;
	struct application	*a;

	doc = subst(TMPL, PC2, "202303013847");		/* born 2023-03-01 */
	a = parse_ok(doc);
	ck_assert_int_eq(age(a, 3), 0);
	app_free(a);
	free(doc);

	doc = subst(TMPL, PC1, "201603023845");		/* 6 on 2023-03-01 */
	a = parse_ok(doc);
	ck_assert_int_eq(age(a, 2), 6);
	ck_assert_int_eq(a->persons[2].lunch_outside_home, 1);
	app_free(a);
	free(doc);

	doc = subst(TMPL, "<period>2023-03</period>",
	    "<period>2023-02</period>");
	doc = subst_free(doc, "<days-in-household>15<",
	    "<days-in-household>28<");
	a = parse_ok(doc);
	ck_assert_int_eq(a->persons[2].days_in_household, 28);
	app_free(a);
	free(doc);
}
END_TEST

/* ---- refusals: before the schema ------------------------------------ */

START_TEST(test_empty_body)
{
	struct application *a = NULL;
	struct errdoc	 e;

	ck_assert_int_eq(app_parse(schema, "", 0, &a, &e), -1);
	ck_assert_str_eq(e.code, ERR_EMPTY_BODY);
	ck_assert_int_eq(e.status, 400);
	ck_assert_ptr_null(a);
	expect(" \r\n\t \n", ERR_EMPTY_BODY, 0, NULL, NULL);
}
END_TEST

START_TEST(test_malformed)
{
	char	*doc;

	/* <cost>8000</costs> on line 27: libxml2 reports the mismatch
	 * where it has read the end tag's name */
	doc = subst(TMPL, "<cost>8000</cost>", "<cost>8000</costs>");
	expect(doc, ERR_MALFORMED_XML, line_of(doc, "</costs>"), NULL,
	    "mismatch");
	free(doc);
	{
		struct errdoc		 e;
		struct application	*a;

		doc = subst(TMPL, "<cost>8000</cost>", "<cost>8000</costs>");
		ck_assert_int_eq(app_parse(schema, doc, strlen(doc), &a, &e),
		    -1);
		ck_assert_int_eq(e.line, 27);
		ck_assert_int_eq(e.column, 23);
		free(doc);
	}
	/* an attribute without quotes, line 3 */
	expect("<?xml version=\"1.0\"?>\n<application\n"
	    " xmlns=\"urn:bistand:application:1\" a=b/>", ERR_MALFORMED_XML,
	    3, NULL, NULL);
	/* truncated */
	doc = strdup(TMPL);
	doc[strlen(doc) / 2] = '\0';
	expect(doc, ERR_MALFORMED_XML, 0, NULL, NULL);
	free(doc);
	/* an entity that is not declared (there is no DTD to declare it) */
	expect_subst("<name>Anna Test</name>", "<name>&anna;</name>",
	    ERR_MALFORMED_XML, "&anna;", NULL, "anna");
	/* an undeclared namespace prefix is not namespace-well-formed */
	expect_subst("<id>T-1</id>", "<x:id>T-1</x:id>", ERR_MALFORMED_XML,
	    "<x:id>", NULL, "prefix");
	/* two roots, text after the root */
	expect("<application xmlns=\"urn:bistand:application:1\"/><a/>",
	    ERR_MALFORMED_XML, 1, NULL, NULL);
	/* not UTF-8: a Latin-1 "ä" is refused whatever the declaration
	 * says (the contract says UTF-8) */
	doc = subst(TMPL, "encoding=\"UTF-8\"", "encoding=\"ISO-8859-1\"");
	doc = subst_free(doc, "Tandläkare", "Tandl\xe4kare");
	expect(doc, ERR_MALFORMED_XML, line_of(doc, "Tandl\xe4kare"), NULL,
	    NULL);
	free(doc);
}
END_TEST

/* libxml2's default depth limit holds (no XML_PARSE_HUGE). */
START_TEST(test_too_deep)
{
	char	*doc;
	size_t	 n = 0;
	int	 i;

	doc = malloc(20000);
	ck_assert_ptr_nonnull(doc);
	n += (size_t)sprintf(doc + n, "<application xmlns=\"%s\">", APP_NS);
	for (i = 0; i < 1000; i++)
		n += (size_t)sprintf(doc + n, "<a>");
	for (i = 0; i < 1000; i++)
		n += (size_t)sprintf(doc + n, "</a>");
	sprintf(doc + n, "</application>");
	expect(doc, ERR_MALFORMED_XML, 1, NULL, "depth");
	free(doc);
}
END_TEST

/* The classic entity expansion bomb: refused at the DOCTYPE, before
 * its internal subset is read, so it cannot cost anything. */
START_TEST(test_doctype_billion_laughs)
{
	static const char doc[] =
	"<?xml version=\"1.0\"?>\n"
	"<!DOCTYPE application [\n"
	" <!ENTITY lol \"lol\">\n"
	" <!ENTITY lol1 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">\n"
	" <!ENTITY lol2 \"&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;\">\n"
	" <!ENTITY lol3 \"&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;\">\n"
	" <!ENTITY lol4 \"&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;\">\n"
	" <!ENTITY lol5 \"&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;\">\n"
	" <!ENTITY lol6 \"&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;\">\n"
	" <!ENTITY lol7 \"&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;\">\n"
	" <!ENTITY lol8 \"&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;\">\n"
	" <!ENTITY lol9 \"&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;\">\n"
	"]>\n"
	"<application xmlns=\"urn:bistand:application:1\">"
	"<id>&lol9;</id></application>\n";
	struct timespec	 t0, t1;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	expect(doc, ERR_DOCTYPE, 2, NULL, "DOCTYPE");
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ck_assert_int_lt(t1.tv_sec - t0.tv_sec, 2);
}
END_TEST

START_TEST(test_doctype_external_entity)
{
	static const char doc[] =
	"<?xml version=\"1.0\"?>\n"
	"<!DOCTYPE application [\n"
	" <!ENTITY passwd SYSTEM \"file:///etc/passwd\">\n"
	"]>\n"
	"<application xmlns=\"urn:bistand:application:1\">"
	"<id>&passwd;</id></application>\n";
	struct application *a = NULL;
	struct errdoc	 e;

	expect(doc, ERR_DOCTYPE, 2, NULL, NULL);
	ck_assert_int_eq(app_parse(schema, doc, sizeof(doc) - 1, &a, &e), -1);
	ck_assert_ptr_null(strstr(e.message, "root:"));
	ck_assert_ptr_null(strstr(e.message, "passwd"));
}
END_TEST

START_TEST(test_doctype_other_forms)
{
	/* an external subset alone */
	expect("<!DOCTYPE application SYSTEM \"file:///etc/passwd\">\n"
	    "<application xmlns=\"urn:bistand:application:1\"/>",
	    ERR_DOCTYPE, 1, NULL, NULL);
	expect("<!DOCTYPE application PUBLIC \"-//x//y//EN\" "
	    "\"http://127.0.0.1:1/x.dtd\">"
	    "<application xmlns=\"urn:bistand:application:1\"/>",
	    ERR_DOCTYPE, 1, NULL, NULL);
	/* a bare one */
	expect("<!DOCTYPE application><application/>", ERR_DOCTYPE, 1, NULL,
	    NULL);
	/* An internal subset that is not even well-formed: refused as a
	 * DOCTYPE, which shows that it was never read. */
	expect("<!DOCTYPE application [ <!ENTITY % x SYSTEM \"/etc/passwd\"> "
	    "%x; <!ELEMENT garbage ((( ]>\n<application/>", ERR_DOCTYPE, 1,
	    NULL, NULL);
	/* after the template's XML declaration */
	{
		char *doc = subst(TMPL, "?>\n", "?>\n<!DOCTYPE application>\n");

		expect(doc, ERR_DOCTYPE, 2, NULL, NULL);
		free(doc);
	}
}
END_TEST

/* The process-wide loader refuses even a parse that asks for
 * entities to be loaded and substituted (not one app_parse makes). */
START_TEST(test_entity_loader_refuses)
{
	static const char doc[] =
	"<!DOCTYPE a [<!ENTITY passwd SYSTEM \"file:///etc/passwd\">]>"
	"<a>&passwd;</a>";
	xmlDocPtr	 d;
	xmlChar		*text = NULL;

	d = xmlReadMemory(doc, (int)sizeof(doc) - 1, "t.xml", NULL,
	    XML_PARSE_NOENT | XML_PARSE_DTDLOAD | XML_PARSE_NOERROR |
	    XML_PARSE_NOWARNING);
	if (d != NULL) {
		text = xmlNodeGetContent(xmlDocGetRootElement(d));
		ck_assert_ptr_null(strstr((const char *)text, "root:"));
		xmlFree(text);
		xmlFreeDoc(d);
	}
}
END_TEST

/* XML Schema lets xsi:schemaLocation stand on any element; with the
 * schema given, libxml2 does not follow it, and neither do we. */
START_TEST(test_schema_location_ignored)
{
	char	*doc;

	doc = subst(TMPL, "<application xmlns=\"urn:bistand:application:1\">",
	    "<application xmlns=\"urn:bistand:application:1\" "
	    "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" "
	    "xsi:schemaLocation=\"urn:bistand:application:1 "
	    "file:///etc/passwd\">");
	app_free(parse_ok(doc));
	free(doc);
}
END_TEST

/* ---- refusals: the schema ------------------------------------------- */

START_TEST(test_schema_namespace)
{
	expect_subst("urn:bistand:application:1", "urn:bistand:application:2",
	    ERR_SCHEMA, "<application", "application", "No matching global");
	expect_subst("<application xmlns=\"urn:bistand:application:1\">",
	    "<application>", ERR_SCHEMA, "<application", "application", NULL);
	/* a child in another namespace */
	expect_subst("<id>T-1</id>", "<id xmlns=\"urn:other\">T-1</id>",
	    ERR_SCHEMA, "urn:other", "id", NULL);
}
END_TEST

START_TEST(test_schema_unknown_element)
{
	expect_subst("<municipality>0180</municipality>",
	    "<municipality>0180</municipality>\n  <pet>cat</pet>",
	    ERR_SCHEMA, "<pet>", "pet", "not expected");
	/* unknown inside a person */
	expect_subst("<name>Anna Test</name>",
	    "<name>Anna Test</name><email>a@b</email>", ERR_SCHEMA,
	    "<email>", "email", NULL);
}
END_TEST

START_TEST(test_schema_unknown_attribute)
{
	expect_subst("<person role=\"applicant\">",
	    "<person role=\"applicant\" nick=\"x\">", ERR_SCHEMA,
	    "nick=", "person", "nick");
	/* an attribute in a namespace is unknown too */
	expect_subst("<cost type=\"childcare\">",
	    "<cost xmlns:q=\"urn:q\" q:type=\"x\" type=\"childcare\">",
	    ERR_SCHEMA, "q:type", "cost", NULL);
}
END_TEST

START_TEST(test_schema_order)
{
	expect_subst("<period>2023-03</period>\n"
	    "  <municipality>0180</municipality>",
	    "<municipality>0180</municipality>\n"
	    "  <period>2023-03</period>",
	    ERR_SCHEMA, "<municipality>", "municipality", "Expected is "
	    "( period )");
	/* persons not adjacent */
	expect_subst("<other-residents>0</other-residents>",
	    "<other-residents>0</other-residents><person role=\"child\">"
	    "<personnummer>" PC2 "</personnummer></person>",
	    ERR_SCHEMA, "<other-residents>", "person", NULL);
}
END_TEST

START_TEST(test_schema_missing)
{
	char	*doc;

	/* housing is required: the costs that follow are unexpected */
	doc = subst(TMPL, "  <housing>\n    <type>rental</type>\n"
	    "    <cost>8000</cost>\n    <insurance>150</insurance>\n"
	    "  </housing>\n", "");
	expect(doc, ERR_SCHEMA, line_of(doc, "<costs>"), "costs",
	    "Expected is ( housing )");
	free(doc);
	/* circumstances/acute-need */
	expect_subst("<acute-need>1</acute-need>\n    ", "", ERR_SCHEMA,
	    "<eviction-risk>", "eviction-risk", "acute-need");
	/* a person's personnummer: missing at the end of person */
	expect_subst("<personnummer>" PP "</personnummer>", "", ERR_SCHEMA,
	    "<person role=\"partner\">", "person", "Missing child");
	/* @role, @type */
	expect_subst("<person role=\"partner\">", "<person>", ERR_SCHEMA,
	    "<person>", "person", "role");
	expect_subst("<cost type=\"childcare\">", "<cost>", ERR_SCHEMA,
	    "<cost>900", "cost", "type");
	/* incomes/income/@person */
	expect_subst("<income person=\"" PA "\" type=\"salary\">",
	    "<income type=\"salary\">", ERR_SCHEMA, "<income type",
	    "income", "person");
}
END_TEST

/* <name>äaäa…</name> with n characters, 2 bytes each at most. */
static void
make_name(char *buf, size_t size, int n)
{
	int	 i;

	ck_assert_uint_gt(size, (size_t)n * 2 + 16);
	strcpy(buf, "<name>");
	for (i = 0; i < n; i++)
		strcat(buf, i % 2 ? "a" : "\xc3\xa4");
	strcat(buf, "</name>");
}

START_TEST(test_schema_values)
{
	char	*doc, name[512];

	expect_subst("<type>rental</type>", "<type>castle</type>", ERR_SCHEMA,
	    "castle", "type", "enumeration");
	expect_subst("kind=\"employed\"", "kind=\"astronaut\"", ERR_SCHEMA,
	    "astronaut", "status", "kind");
	expect_subst(">900</cost>", ">-900</cost>", ERR_SCHEMA, "-900",
	    "cost", NULL);
	expect_subst(">500</asset>", ">1000000000</asset>", ERR_SCHEMA,
	    "1000000000", "asset", "maxInclusive");
	expect_subst("<cost>8000</cost>", "<cost>8000.50</cost>", ERR_SCHEMA,
	    "8000.50", "cost", NULL);
	expect_subst("<cost>8000</cost>", "<cost></cost>", ERR_SCHEMA,
	    "<cost></cost>", "cost", NULL);
	expect_subst("<violence>false</violence>", "<violence>yes</violence>",
	    ERR_SCHEMA, "<violence>", "violence", NULL);
	expect_subst("<days-in-household>15<", "<days-in-household>32<",
	    ERR_SCHEMA, "<days-in-household>", "days-in-household", NULL);
	expect_subst("<days-in-household>15<", "<days-in-household>0<",
	    ERR_SCHEMA, "<days-in-household>", "days-in-household", NULL);
	expect_subst("<other-residents>0<", "<other-residents>51<",
	    ERR_SCHEMA, "<other-residents>", "other-residents", NULL);
	expect_subst("<period>2023-03</period>", "<period>2023-13</period>",
	    ERR_SCHEMA, "<period>", "period", NULL);
	expect_subst("<month>2022-11</month>", "<month>2022-1</month>",
	    ERR_SCHEMA, "<month>2022-1<", "month", NULL);
	expect_subst("<municipality>0180<", "<municipality>018<",
	    ERR_SCHEMA, "<municipality>", "municipality", NULL);
	/* \d would let Arabic-Indic digits through; [0-9] does not */
	expect_subst("<municipality>0180<",
	    "<municipality>\xd9\xa0\xd9\xa1\xd9\xa8\xd9\xa0<",
	    ERR_SCHEMA, "<municipality>", "municipality", NULL);
	expect_subst("<personnummer>" PP "<", "<personnummer>19840730-4511<",
	    ERR_SCHEMA, "19840730-4511", "personnummer", NULL);
	expect_subst("<id>T-1</id>", "<id>T 1</id>", ERR_SCHEMA, "<id>", "id",
	    NULL);
	expect_subst("<id>T-1</id>", "<id>"
	    "0123456789012345678901234567890123456789012345678901234567890123"
	    "4</id>", ERR_SCHEMA, "<id>", "id", NULL);
	/* a name of 201 characters, and of 200 (ä is one character) */
	make_name(name, sizeof(name), 201);
	expect_subst("<name>Anna Test</name>", name, ERR_SCHEMA, "<name>",
	    "name", "maxLength");
	make_name(name, sizeof(name), 200);
	doc = subst(TMPL, "<name>Anna Test</name>", name);
	app_free(parse_ok(doc));
	free(doc);
	/* xsi:type cannot swap in a looser type */
	expect_subst(">900</cost>", " xmlns:xsi=\"http://www.w3.org/2001/"
	    "XMLSchema-instance\" xmlns:xs=\"http://www.w3.org/2001/XMLSchema\""
	    " xsi:type=\"xs:integer\">-900</cost>", ERR_SCHEMA, "-900", "cost",
	    NULL);
}
END_TEST

START_TEST(test_schema_submitted)
{
	expect_subst("2023-03-02T09:14:05+01:00", "2023-03-02T09:14:05",
	    ERR_SCHEMA, "<submitted>", "submitted", "pattern");
	expect_subst("2023-03-02T09:14:05+01:00", "2023-03-02",
	    ERR_SCHEMA, "<submitted>", "submitted", NULL);
	expect_subst("2023-03-02T09:14:05+01:00", "2023-02-30T09:14:05Z",
	    ERR_SCHEMA, "<submitted>", "submitted", NULL);
	expect_subst("2023-03-02T09:14:05+01:00", "2023-03-02T09:14:05+15:00",
	    ERR_SCHEMA, "<submitted>", "submitted", NULL);
	expect_subst("2023-03-02T09:14:05+01:00",
	    "2023-03-02T09:14:05.1234567890Z", ERR_SCHEMA, "<submitted>",
	    "submitted", NULL);
}
END_TEST

START_TEST(test_schema_bounds)
{
	char	*doc, *persons;
	size_t	 i, n = 0;

	/* 20 persons pass the schema (and then share a personnummer);
	 * 21, one over the bound, do not */
	persons = malloc(17 * 128);
	ck_assert_ptr_nonnull(persons);
	for (i = 0; i < 16; i++)
		n += (size_t)sprintf(persons + n, "<person role=\"child\">"
		    "<personnummer>" PC2 "</personnummer></person>\n");
	strcpy(persons + n, "<other-residents>");
	doc = subst(TMPL, "<other-residents>", persons);
	expect(doc, ERR_HOUSEHOLD, 0, "personnummer", "the same");
	free(doc);
	sprintf(persons + n, "<person role=\"child\"><personnummer>" PC2
	    "</personnummer></person>\n<other-residents>");
	doc = subst(TMPL, "<other-residents>", persons);
	expect(doc, ERR_SCHEMA, 0, "person", NULL);
	free(doc);
	free(persons);
	/* a message of 4001 characters */
	persons = malloc(4100);
	ck_assert_ptr_nonnull(persons);
	memset(persons, 'x', 4100);
	memcpy(persons, "<message>", 9);
	strcpy(persons + 9 + 4001, "</message>");
	doc = subst(TMPL, "<message>Hej</message>", persons);
	expect(doc, ERR_SCHEMA, line_of(doc, "<message>"), "message",
	    "maxLength");
	free(doc);
	free(persons);
}
END_TEST

/* The line of an error far down a document is still right. */
START_TEST(test_big_line_numbers)
{
	char	*doc, *pad;
	size_t	 n = 70000;

	pad = malloc(n + 64);
	ck_assert_ptr_nonnull(pad);
	memset(pad, '\n', n);
	strcpy(pad + n, "<cost type=\"childcare\">-900</cost>");
	doc = subst(TMPL, "<cost type=\"childcare\">900</cost>", pad);
	expect(doc, ERR_SCHEMA, line_of(doc, "-900"), "cost", NULL);
	ck_assert_int_gt(line_of(doc, "-900"), 65535);
	free(doc);
	strcpy(pad + n, "<cost type=\"childcare\">900</cst>");
	doc = subst(TMPL, "<cost type=\"childcare\">900</cost>", pad);
	expect(doc, ERR_MALFORMED_XML, line_of(doc, "</cst>"), NULL, NULL);
	free(doc);
	free(pad);
}
END_TEST

/* ---- refusals: after the schema ------------------------------------- */

START_TEST(test_personnummer)
{
	/* Luhn */
	expect_subst("<personnummer>" PP "<", "<personnummer>198407304512<",
	    ERR_PERSONNUMMER, "198407304512", "personnummer",
	    "household/person[2]/personnummer: check digit");
	/* 30 February */
	expect_subst("<personnummer>" PC2 "<", "<personnummer>201302301234<",
	    ERR_PERSONNUMMER, "201302301234", "personnummer",
	    "household/person[4]/personnummer: not a calendar date");
	/* in @person */
	expect_subst("<income person=\"" PA "\"",
	    "<income person=\"198802193247\"", ERR_PERSONNUMMER,
	    "198802193247", "income", "incomes/income[1]/@person");
	expect_subst("<status person=\"" PP "\"",
	    "<status person=\"198407300000\"", ERR_PERSONNUMMER,
	    "198407300000", "status", "labour-market/status[2]/@person");
}
END_TEST

START_TEST(test_household)
{
	char	*doc;

	/* no applicant */
	expect_subst("role=\"applicant\"", "role=\"child\"", ERR_HOUSEHOLD,
	    "<household>", "household", "no person has the role applicant");
	/* two applicants */
	expect_subst("role=\"partner\"", "role=\"applicant\"", ERR_HOUSEHOLD,
	    "<person role=\"applicant\">\n      <personnummer>" PP,
	    "person", "household/person[2]: a second applicant");
	/* two partners: the last child (no child-only elements) */
	doc = subst(TMPL, "<person role=\"child\">\n      <personnummer>" PC2,
	    "<person role=\"partner\">\n      <personnummer>" PC2);
	expect(doc, ERR_HOUSEHOLD, line_of(doc, "<person role=\"partner\">\n"
	    "      <personnummer>" PC2), "person",
	    "household/person[4]: a second partner");
	free(doc);
	/* the same person twice */
	expect_subst("<personnummer>" PC2 "<", "<personnummer>" PC1 "<",
	    ERR_HOUSEHOLD,
	    "<personnummer>" PC1 "</personnummer>\n    </person>",
	    "personnummer", "household/person[4]/personnummer: the same "
	    "personnummer as household/person[3]");
}
END_TEST

START_TEST(test_unknown_person)
{
	expect_subst("<income person=\"" PP "\"", "<income person=\"" PX "\"",
	    ERR_UNKNOWN_PERSON, PX, "income",
	    "incomes/income[2]/@person: not a member");
	expect_subst("<status person=\"" PA "\"", "<status person=\"" PX "\"",
	    ERR_UNKNOWN_PERSON, PX, "status",
	    "labour-market/status[1]/@person: not a member");
}
END_TEST

START_TEST(test_inconsistent)
{
	char	*doc;

	/* days-in-household and lunch-outside-home on adults */
	expect_subst("<name>Anna Test</name>", "<name>Anna Test</name>\n"
	    "      <days-in-household>10</days-in-household>",
	    ERR_INCONSISTENT, "<days-in-household>10", "days-in-household",
	    "household/person[1]/days-in-household: only for a person with "
	    "the role child");
	expect_subst("<personnummer>" PP "</personnummer>",
	    "<personnummer>" PP "</personnummer>\n"
	    "      <lunch-outside-home>false</lunch-outside-home>",
	    ERR_INCONSISTENT, "<lunch-outside-home>false",
	    "lunch-outside-home", "household/person[2]/lunch-outside-home");
	/* 29 days in February 2023 */
	doc = subst(TMPL, "<period>2023-03</period>",
	    "<period>2023-02</period>");
	doc = subst_free(doc, "<days-in-household>15<",
	    "<days-in-household>29<");
	expect(doc, ERR_INCONSISTENT, line_of(doc, "<days-in-household>"),
	    "days-in-household", "household/person[3]/days-in-household: 29, "
	    "but the period 2023-02 has 28 days");
	free(doc);
	/* lunch outside the home at 9, and at exactly 7 */
	expect_subst("<personnummer>" PC2 "</personnummer>",
	    "<personnummer>" PC2 "</personnummer>\n"
	    "      <lunch-outside-home>true</lunch-outside-home>",
	    ERR_INCONSISTENT, "<lunch-outside-home>true</lunch-outside-home>\n"
	    "    </person>\n    <other", "lunch-outside-home",
	    "household/person[4]/lunch-outside-home: true, but the child is 7");
	expect_subst("<personnummer>" PC1, "<personnummer>201603013846",
	    ERR_INCONSISTENT, "<lunch-outside-home>true", "lunch-outside-home",
	    "household/person[3]/lunch-outside-home");
	/* born after the first day of the period */
	expect_subst("<personnummer>" PC2, "<personnummer>202303023846",
	    ERR_INCONSISTENT, "202303023846", "personnummer",
	    "household/person[4]/personnummer: born after the first day of "
	    "the period 2023-03");
	/* two statuses for one person */
	expect_subst("<status person=\"" PP "\"", "<status person=\"" PA "\"",
	    ERR_INCONSISTENT, "kind=\"job-seeking\"", "status",
	    "labour-market/status[2]: a second status for household/"
	    "person[1]");
	/* a history month that is the period, or after it */
	expect_subst("<month>2022-12</month>", "<month>2023-03</month>",
	    ERR_INCONSISTENT, "<month>2023-03", "month",
	    "history/month[4]: 2023-03 is not before the period 2023-03");
	expect_subst("<month>2022-11</month>", "<month>2024-01</month>",
	    ERR_INCONSISTENT, "<month>2024-01", "month", "history/month[2]");
}
END_TEST

/* When a document has several faults, the order of the checks decides:
 * personnummer, household, references, consistency. */
START_TEST(test_check_order)
{
	char	*doc;

	doc = subst(TMPL, "role=\"partner\"", "role=\"applicant\"");
	doc = subst_free(doc, "<personnummer>" PC2 "<",
	    "<personnummer>201305021379<");
	expect(doc, ERR_PERSONNUMMER, 0, NULL, NULL);
	free(doc);
	doc = subst(TMPL, "role=\"partner\"", "role=\"applicant\"");
	doc = subst_free(doc, "<income person=\"" PA "\"",
	    "<income person=\"" PX "\"");
	expect(doc, ERR_HOUSEHOLD, 0, NULL, NULL);
	free(doc);
	doc = subst(TMPL, "<month>2022-12</month>", "<month>2023-03</month>");
	doc = subst_free(doc, "<income person=\"" PA "\"",
	    "<income person=\"" PX "\"");
	expect(doc, ERR_UNKNOWN_PERSON, 0, NULL, NULL);
	free(doc);
}
END_TEST

/* ---- the error document and the schema file ------------------------- */

/* The error document of e is valid against etc/error.xsd. */
static void
errdoc_validates(const struct errdoc *e)
{
	xmlSchemaParserCtxtPtr	 pc;
	xmlSchemaPtr		 xs;
	xmlSchemaValidCtxtPtr	 vc;
	xmlDocPtr		 d;
	char			*xsd, *out;
	size_t			 len;

	/* read into memory: the hardened entity loader refuses files */
	xsd = read_file("etc/error.xsd");
	ck_assert_ptr_nonnull(pc = xmlSchemaNewMemParserCtxt(xsd,
	    (int)strlen(xsd)));
	ck_assert_ptr_nonnull(xs = xmlSchemaParse(pc));
	ck_assert_ptr_nonnull(vc = xmlSchemaNewValidCtxt(xs));
	ck_assert_int_eq(errdoc_render(e, &out, &len), 0);
	ck_assert_ptr_nonnull(d = xmlReadMemory(out, (int)len, "e.xml", NULL,
	    XML_PARSE_NONET));
	ck_assert_msg(xmlSchemaValidateDoc(vc, d) == 0, "%s", out);
	xmlFreeDoc(d);
	free(out);
	xmlSchemaFreeValidCtxt(vc);
	xmlSchemaFree(xs);
	xmlSchemaFreeParserCtxt(pc);
	free(xsd);
}

START_TEST(test_error_documents)
{
	struct application *a;
	struct errdoc	 e;
	char		*doc, name[700];

	/* a schema error: line and element */
	doc = subst(TMPL, ">900</cost>", ">-900</cost>");
	ck_assert_int_eq(app_parse(schema, doc, strlen(doc), &a, &e), -1);
	errdoc_validates(&e);
	free(doc);
	/* a malformed one: line and column */
	ck_assert_int_eq(app_parse(schema, "<a>", 3, &a, &e), -1);
	ck_assert_str_eq(e.code, ERR_MALFORMED_XML);
	ck_assert_int_gt(e.column, 0);
	errdoc_validates(&e);
	/* A long message quoting multi-byte input is cut at a character
	 * boundary: the error document must still be valid UTF-8. */
	strcpy(name, "<type>");
	for (int i = 0; i < 300; i++)
		strcat(name, "\xc3\xa5");
	strcat(name, "</type>");
	doc = subst(TMPL, "<type>rental</type>", name);
	ck_assert_int_eq(app_parse(schema, doc, strlen(doc), &a, &e), -1);
	ck_assert_str_eq(e.code, ERR_SCHEMA);
	ck_assert_uint_lt(strlen(e.message), sizeof(e.message));
	errdoc_validates(&e);
	free(doc);
	/* our namespace is left out of libxml2's messages */
	doc = subst(TMPL, "<type>rental</type>", "<type>castle</type>");
	ck_assert_int_eq(app_parse(schema, doc, strlen(doc), &a, &e), -1);
	ck_assert_ptr_null(strstr(e.message, APP_NS));
	ck_assert_msg(e.message[strlen(e.message) - 1] != '\n', "%s",
	    e.message);
	free(doc);
}
END_TEST

START_TEST(test_schema_load_errors)
{
	struct app_schema	*s = (struct app_schema *)1;
	struct errdoc		 e;
	char			 path[] = "/tmp/check_application.XXXXXX";
	int			 fd;

	ck_assert_int_eq(app_schema_load("/nonexistent/application.xsd", &s,
	    &e), -1);
	ck_assert_ptr_null(s);
	ck_assert_int_eq(e.status, 500);
	ck_assert_str_eq(e.code, ERR_INTERNAL);
	ck_assert_ptr_nonnull(strstr(e.message,
	    "/nonexistent/application.xsd"));

	ck_assert_int_ge(fd = mkstemp(path), 0);
	/* a type that does not exist, on line 2 */
	ck_assert_int_eq(dprintf(fd, "<xs:schema xmlns:xs=\"http://www.w3.org/"
	    "2001/XMLSchema\">\n<xs:element name=\"a\" type=\"nope\"/>"
	    "</xs:schema>") > 0, 1);
	ck_assert_int_eq(app_schema_load(path, &s, &e), -1);
	ck_assert_ptr_null(s);
	ck_assert_str_eq(e.code, ERR_INTERNAL);
	ck_assert_ptr_nonnull(strstr(e.message, path));
	ck_assert_int_eq(e.line, 2);
	/* not even XML */
	ck_assert_int_eq(ftruncate(fd, 0), 0);
	ck_assert_int_eq(pwrite(fd, "<a>\n</b>", 8, 0), 8);
	ck_assert_int_eq(app_schema_load(path, &s, &e), -1);
	ck_assert_ptr_null(s);
	ck_assert_ptr_nonnull(strstr(e.message, path));
	ck_assert_ptr_nonnull(strstr(e.message, "line 2"));
	close(fd);
	unlink(path);
}
END_TEST

/*
 * With a loosened schema file, the model's own checks still hold: a
 * refusal with a position, never a crash or a wrong model.
 */
START_TEST(test_loosened_schema)
{
	struct app_schema	*strict = schema;
	struct errdoc		 e;
	char			*xsd, path[] = "/tmp/check_application.XXXXXX";
	int			 fd;

	xsd = read_file("etc/application.xsd");
	xsd = subst_free(xsd, "<xs:attribute name=\"role\" type=\"a:role\" "
	    "use=\"required\"/>", "<xs:attribute name=\"role\"/>");
	xsd = subst_free(xsd, "<xs:maxInclusive value=\"999999999\"/>", "");
	xsd = subst_free(xsd, "<xs:element name=\"housing\">",
	    "<xs:element name=\"housing\" minOccurs=\"0\">");
	xsd = subst_free(xsd, "<xs:element name=\"personnummer\" "
	    "type=\"a:personnummer\"/>",
	    "<xs:element name=\"personnummer\"/>");
	ck_assert_int_ge(fd = mkstemp(path), 0);
	ck_assert_int_eq(write(fd, xsd, strlen(xsd)), (ssize_t)strlen(xsd));
	close(fd);
	free(xsd);
	if (app_schema_load(path, &schema, &e) == -1)
		ck_abort_msg("%s", e.message);
	unlink(path);

	expect_subst("<person role=\"partner\">", "<person>", ERR_SCHEMA,
	    "<person>", "person", "person: missing attribute role");
	expect_subst("role=\"partner\"", "role=\"boss\"", ERR_SCHEMA,
	    "boss", "person", "household/person[2]: not one of the allowed");
	expect_subst(">500</asset>", ">1000000000</asset>", ERR_SCHEMA,
	    "1000000000", "asset", "assets/asset[1]: not an integer from 0 "
	    "to 999999999");
	expect_subst("<housing>\n    <type>rental</type>\n"
	    "    <cost>8000</cost>\n    <insurance>150</insurance>\n"
	    "  </housing>\n", "", ERR_SCHEMA, "<application", "application",
	    "application: missing element housing");
	expect_subst("<personnummer>" PP "<", "<personnummer>1984073045111<",
	    ERR_SCHEMA, "1984073045111", "personnummer",
	    "household/person[2]/personnummer: value too long");
	expect_subst("<personnummer>" PP "<", "<personnummer>19840730-451<",
	    ERR_PERSONNUMMER, "19840730-451", "personnummer",
	    "household/person[2]/personnummer: not 12 digits");

	app_schema_free(schema);
	schema = strict;
}
END_TEST

START_TEST(test_names)
{
	ck_assert_str_eq(app_role_name(APP_PARTNER), "partner");
	ck_assert_str_eq(app_housing_name(APP_HOUSING_HOMELESS), "homeless");
	ck_assert_str_eq(app_cost_type_name(APP_COST_UNEMPLOYMENT_FUND),
	    "unemployment-fund");
	ck_assert_str_eq(app_cost_type_name(APP_COST_OTHER), "other");
	ck_assert_str_eq(app_income_type_name(APP_INC_MAINTENANCE_SUPPORT),
	    "maintenance-support");
	ck_assert_str_eq(app_income_type_name(APP_INC_OTHER), "other");
	ck_assert_str_eq(app_asset_type_name(APP_ASSET_PROPERTY), "property");
	ck_assert_str_eq(app_status_kind_name(APP_ST_PARENTAL_LEAVE),
	    "parental-leave");
	ck_assert_str_eq(app_status_kind_name((enum app_status_kind)99),
	    "unknown");
}
END_TEST

/* ---- context reuse -------------------------------------------------- */

/* The answer to doc, as one line: the model's key fields or the error
 * document's (malloc'ed). */
static char *
answer(struct app_schema *s, const char *doc)
{
	struct application *a = NULL;
	struct errdoc	 e;
	char		*out;

	memset(&e, 0, sizeof(e));
	if (app_parse(s, doc, strlen(doc), &a, &e) == 0) {
		ck_assert_int_ne(asprintf(&out, "ok %s %s %zu %zu %zu [%s] [%s]",
		    a->id, a->submitted, a->npersons, a->ncosts, a->nhistory,
		    a->persons[0].name != NULL ? a->persons[0].name : "-",
		    a->message != NULL ? a->message : "-"), -1);
		app_free(a);
	} else
		ck_assert_int_ne(asprintf(&out, "%d %s %d:%d <%s> %s", e.status,
		    e.code, e.line, e.column, e.element, e.message), -1);
	return out;
}

/* An application of n distinct unknown elements (malloc'ed). */
static char *
unknown_elements(size_t n)
{
	char	*doc, *p;
	size_t	 k;

	doc = malloc(n * 32 + 256);
	ck_assert_ptr_nonnull(doc);
	p = doc + sprintf(doc, "<application xmlns=\"%s\">", APP_NS);
	for (k = 0; k < n; k++)
		p += sprintf(p, "<unknown-element-%05zu/>", k);
	strcpy(p, "</application>");
	return doc;
}

/*
 * Parser and validation contexts are reused from parse to parse: after
 * any mix of accepted and refused documents (a stopped DOCTYPE parse, a
 * broken one, a schema refusal, a dictionary grown past what is kept)
 * every document gets the same answer as from fresh contexts.
 */
START_TEST(test_context_reuse)
{
	struct app_schema *s;
	struct errdoc	 e;
	char		 path[1024], *docs[8], *want[8], *got;
	size_t		 i, n = 0, round;

	docs[n++] = strdup(TMPL);
	docs[n++] = strdup("<a>\n</b>");
	docs[n++] = strdup("<!DOCTYPE a [<!ENTITY x \"y\">]>\n<a>&x;</a>");
	docs[n++] = subst(TMPL, "<cost>8000", "<cost>-8000");
	docs[n++] = subst(TMPL, "<cost>8000", "<cost>80<!-- c -->00");
	/* 8000 distinct element names: a dictionary of ~200 KB */
	docs[n++] = unknown_elements(8000);
	docs[n++] = strdup(TMPL);
	docs[n++] = subst(TMPL, "<person role=\"partner\">",
	    "<person role=\"applicant\">");
	snprintf(path, sizeof(path), "%s/etc/application.xsd", srcdir());
	for (i = 0; i < n; i++) {
		if (app_schema_load(path, &s, &e) == -1)
			ck_abort_msg("%s", e.message);
		want[i] = answer(s, docs[i]);
		app_schema_free(s);
	}
	ck_assert_str_eq(want[0], want[6]);
	ck_assert_int_eq(strncmp(want[0], "ok ", 3), 0);
	for (round = 0; round < 3; round++)
		for (i = 0; i < n; i++) {
			got = answer(schema, docs[i]);
			ck_assert_msg(strcmp(got, want[i]) == 0, "document %zu, "
			    "round %zu: %s, fresh: %s", i, round, got, want[i]);
			free(got);
		}
	for (i = 0; i < n; i++) {
		free(docs[i]);
		free(want[i]);
	}
}
END_TEST

/* ---- the parse arena (app_arena.c) ---------------------------------- */

/*
 * Whatever share of libxml2's blocks comes from the arena (all of them,
 * none: a region of 0 bytes, or some: full in the middle of the parse
 * or the validation), every document gets the same answer, nothing is
 * left cut after the parse, and the blocks that came from malloc are
 * freed (the sanitizer build's leak check fails on any that is not).
 */
START_TEST(test_arena_spill)
{
	static const size_t limits[] = { 0, 100, 4096, 20000, 60000 };
	struct app_arena *a = app_arena_get();
	char		*docs[6], *want, *got;
	size_t		 i, k, n = 0;

	ck_assert_ptr_nonnull(a);
	docs[n++] = strdup(TMPL);
	docs[n++] = read_file("etc/examples/family.xml");
	docs[n++] = strdup("<a>\n</b>");
	docs[n++] = strdup("<!DOCTYPE a [<!ENTITY x \"y\">]>\n<a>&x;</a>");
	docs[n++] = subst(TMPL, "<cost>8000", "<cost>-8000");
	docs[n++] = unknown_elements(2000);
	for (i = 0; i < n; i++) {
		app_arena_limit(a, SIZE_MAX);
		want = answer(schema, docs[i]);
		ck_assert_uint_eq(app_arena_used(a), 0);
		for (k = 0; k < sizeof(limits) / sizeof(limits[0]); k++) {
			app_arena_limit(a, limits[k]);
			got = answer(schema, docs[i]);
			ck_assert_msg(strcmp(got, want) == 0, "document %zu, "
			    "arena of %zu bytes: %s, whole arena: %s", i,
			    limits[k], got, want);
			ck_assert_uint_eq(app_arena_used(a), 0);
			free(got);
		}
		free(want);
		free(docs[i]);
	}
	app_arena_limit(a, SIZE_MAX);
}
END_TEST

/*
 * libxml2's allocation functions in and out of a scope: blocks of a
 * scope come from the arena and are never given back one by one; the
 * newest grows in place, an older one moves with its bytes; a heap block
 * stays on the heap even when grown in a scope; a block that does not
 * fit comes from malloc and the scope says so; after the reset a block
 * of the scope may still be freed (libxml2's last error keeps some),
 * which does nothing.
 */
START_TEST(test_arena_blocks)
{
	struct app_arena *a = app_arena_get();
	char		*h, *p, *q, *r, *d, *big;
	size_t		 used;

	ck_assert_ptr_nonnull(a);
	ck_assert_ptr_eq(app_arena_get(), a);
	h = xmlMalloc(64);
	ck_assert_ptr_nonnull(h);
	memset(h, 'h', 64);
	ck_assert_uint_eq(app_arena_used(a), 0);

	app_arena_begin(a);
	p = xmlMalloc(100);
	ck_assert_ptr_nonnull(p);
	ck_assert_uint_gt(app_arena_used(a), 100);
	memset(p, 'x', 100);
	q = xmlRealloc(p, 1000);
	ck_assert_ptr_eq(q, p);
	ck_assert_int_eq(q[99], 'x');
	r = xmlMalloc(10);
	ck_assert_ptr_nonnull(r);
	p = xmlRealloc(q, 3000);
	ck_assert_ptr_nonnull(p);
	ck_assert_ptr_ne(p, q);
	for (used = 0; used < 100; used++)
		ck_assert_int_eq(p[used], 'x');
	used = app_arena_used(a);
	xmlFree(p);
	xmlFree(r);
	ck_assert_uint_eq(app_arena_used(a), used);
	h = xmlRealloc(h, 8192);
	ck_assert_ptr_nonnull(h);
	ck_assert_int_eq(h[63], 'h');
	ck_assert_uint_eq(app_arena_used(a), used);
	d = (char *)xmlStrdup((const xmlChar *)"kept past the reset");
	ck_assert_str_eq(d, "kept past the reset");
	ck_assert_uint_gt(app_arena_used(a), used);
	ck_assert_int_eq(app_arena_end(a), 0);
	app_arena_reset(a);
	ck_assert_uint_eq(app_arena_used(a), 0);
	xmlFree(d);

	app_arena_limit(a, 256);
	app_arena_begin(a);
	big = xmlMalloc(1024);
	ck_assert_ptr_nonnull(big);
	memset(big, 'b', 1024);
	ck_assert_uint_eq(app_arena_used(a), 0);
	ck_assert_int_eq(app_arena_end(a), 1);
	xmlFree(big);
	app_arena_reset(a);
	app_arena_limit(a, SIZE_MAX);

	/* outside a scope: the heap */
	p = xmlMalloc(32);
	ck_assert_ptr_nonnull(p);
	ck_assert_uint_eq(app_arena_used(a), 0);
	xmlFree(p);
	xmlFree(h);
}
END_TEST

/*
 * A refused document leaves libxml2's per-thread last error holding
 * strings cut in the arena; the next error anywhere on the thread (here
 * a parse outside the arena) frees them. That must be a no-op, not a
 * free() of an arena address (the sanitizer build aborts on it, glibc
 * usually does too), and both paths keep answering right.
 */
START_TEST(test_arena_stale_error)
{
	struct application *app;
	struct errdoc	 e;
	xmlDocPtr	 doc;
	int		 i;

	for (i = 0; i < 3; i++) {
		ck_assert_int_eq(app_parse(schema, "<a>\n</b>", 8, &app, &e),
		    -1);
		ck_assert_str_eq(e.code, ERR_MALFORMED_XML);
		ck_assert_int_eq(app_parse_xml(schema, "<b>\n\n</a>", 10,
		    &doc, &e), -1);
		ck_assert_str_eq(e.code, ERR_MALFORMED_XML);
		ck_assert_int_eq(e.line, 3);
	}
	app = parse_ok(TMPL);
	app_free(app);
}
END_TEST

/* ---- threads -------------------------------------------------------- */

static void *
parse_many(void *arg)
{
	struct application *a;
	struct errdoc	 e;
	char		*bad = arg;
	int		 i, fails = 0;

	for (i = 0; i < 100; i++) {
		if (app_parse(schema, TMPL, strlen(TMPL), &a, &e) == -1)
			fails++;
		else
			app_free(a);
		if (app_parse(schema, bad, strlen(bad), &a, &e) == 0 ||
		    strcmp(e.code, ERR_SCHEMA) != 0 || e.line != 27)
			fails++;
		if (app_parse(schema, "<a>\n</b>", 8, &a, &e) == 0 ||
		    strcmp(e.code, ERR_MALFORMED_XML) != 0 || e.line != 2)
			fails++;
	}
	return (void *)(intptr_t)fails;
}

/* Parses on several threads share the schema and nothing else. */
START_TEST(test_threads)
{
	pthread_t	 t[4];
	char		*bad = subst(TMPL, "<cost>8000", "<cost>-8000");
	void		*fails;
	int		 i;

	for (i = 0; i < 4; i++)
		ck_assert_int_eq(pthread_create(&t[i], NULL, parse_many, bad),
		    0);
	for (i = 0; i < 4; i++) {
		ck_assert_int_eq(pthread_join(t[i], &fails), 0);
		ck_assert_int_eq((intptr_t)fails, 0);
	}
	free(bad);
}
END_TEST

static Suite *
application_suite(void)
{
	Suite	*s = suite_create("application");
	TCase	*valid = tcase_create("valid");
	TCase	*wellformed = tcase_create("well-formedness");
	TCase	*schemas = tcase_create("schema");
	TCase	*checks = tcase_create("checks");
	TCase	*misc = tcase_create("misc");
	TCase	*tcs[] = { valid, wellformed, schemas, checks, misc };
	size_t	 i;

	tcase_add_test(valid, test_template_model);
	tcase_add_test(valid, test_attribute_flood);
	tcase_add_test(valid, test_minimal);
	tcase_add_test(valid, test_example_reapplication);
	tcase_add_test(valid, test_example_family);
	tcase_add_test(valid, test_example_violence);
	tcase_add_test(valid, test_example_first);
	tcase_add_test(valid, test_example_shared);
	tcase_add_test(valid, test_whitespace_and_lexical_forms);
	tcase_add_test(valid, test_submitted_forms);
	tcase_add_test(valid, test_samordningsnummer);
	tcase_add_test(valid, test_empty_lists);
	tcase_add_test(valid, test_allowed_edges);

	tcase_add_test(wellformed, test_empty_body);
	tcase_add_test(wellformed, test_malformed);
	tcase_add_test(wellformed, test_too_deep);
	tcase_add_test(wellformed, test_doctype_billion_laughs);
	tcase_add_test(wellformed, test_doctype_external_entity);
	tcase_add_test(wellformed, test_doctype_other_forms);
	tcase_add_test(wellformed, test_entity_loader_refuses);
	tcase_add_test(wellformed, test_schema_location_ignored);

	tcase_add_test(schemas, test_schema_namespace);
	tcase_add_test(schemas, test_schema_unknown_element);
	tcase_add_test(schemas, test_schema_unknown_attribute);
	tcase_add_test(schemas, test_schema_order);
	tcase_add_test(schemas, test_schema_missing);
	tcase_add_test(schemas, test_schema_values);
	tcase_add_test(schemas, test_schema_submitted);
	tcase_add_test(schemas, test_schema_bounds);
	tcase_add_test(schemas, test_big_line_numbers);

	tcase_add_test(checks, test_personnummer);
	tcase_add_test(checks, test_household);
	tcase_add_test(checks, test_unknown_person);
	tcase_add_test(checks, test_inconsistent);
	tcase_add_test(checks, test_check_order);

	tcase_add_test(misc, test_error_documents);
	tcase_add_test(misc, test_schema_load_errors);
	tcase_add_test(misc, test_loosened_schema);
	tcase_add_test(misc, test_names);
	tcase_add_test(misc, test_context_reuse);
	tcase_add_test(misc, test_arena_spill);
	tcase_add_test(misc, test_arena_blocks);
	tcase_add_test(misc, test_arena_stale_error);
	tcase_add_test(misc, test_threads);

	for (i = 0; i < sizeof(tcs) / sizeof(tcs[0]); i++) {
		tcase_add_unchecked_fixture(tcs[i], schema_setup,
		    schema_teardown);
		tcase_set_timeout(tcs[i], 60);
		suite_add_tcase(s, tcs[i]);
	}
	return s;
}

int
main(void)
{
	SRunner	*sr = srunner_create(application_suite());
	int	 failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
