/*
 * check_decision.c: decision_finish (the invariants after the rules)
 * and decision_render (the decision document). Every rendered document
 * is validated against etc/decision.xsd and read back with XPath.
 */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/xmlschemas.h>
#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>

#include "decision.h"

/* 2023-03-02T10:00:00Z */
#define RECEIVED	((int64_t)1677751200)
#define HASH \
	"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static xmlSchemaPtr	 schema;
static char		 errors[4096];	/* libxml2's messages, for aborts */

static void
collect(void *ctx, xmlErrorPtr e)
{
	size_t n = strlen(errors);

	(void)ctx;
	if (e != NULL && e->message != NULL && n < sizeof(errors) - 1)
		snprintf(errors + n, sizeof(errors) - n, "line %d: %s",
		    e->line, e->message);
}

static const char *const codes[] = {
	"FIRST_APPLICATION", "VIOLENCE", "CHILD_WELFARE", "HEALTH",
	"ACUTE_NEED", "EVICTION_RISK", "APPLICANT_MESSAGE",
	"HOUSING_ABOVE_LIMIT", "COST_NEEDS_ASSESSMENT", "INCOME_DISCREPANCY",
	"ASSETS", "NOT_AVAILABLE_FOR_WORK", "NO_NEED", "NO_VERIFIED_NORM",
	"HOUSEHOLD_OUTSIDE_RULES", "DUPLICATE_PERIOD", "RULE_FAILURE",
};
#define NCODES	(sizeof(codes) / sizeof(codes[0]))

static void
schema_load(void)
{
	xmlSchemaParserCtxtPtr	 pc;
	const char		*dir = getenv("BISTAND_SRCDIR");
	char			 path[1024];

	snprintf(path, sizeof(path), "%s/etc/decision.xsd",
	    dir != NULL ? dir : ".");
	if ((pc = xmlSchemaNewParserCtxt(path)) == NULL) {
		fprintf(stderr, "cannot read %s\n", path);
		exit(EXIT_FAILURE);
	}
	schema = xmlSchemaParse(pc);
	xmlSchemaFreeParserCtxt(pc);
	if (schema == NULL) {
		fprintf(stderr, "%s: cannot load the schema\n", path);
		exit(EXIT_FAILURE);
	}
}

/* A household of applicant, partner and child; no circumstance. */
static struct app_person persons[3];
static struct app_status statuses[2];
static struct application app;

static void
setup(void)
{
	memset(&app, 0, sizeof(app));
	memset(persons, 0, sizeof(persons));
	memset(statuses, 0, sizeof(statuses));
	persons[0].role = APP_APPLICANT;
	persons[1].role = APP_PARTNER;
	persons[2].role = APP_CHILD;
	strcpy(app.id, "ans-2023.0001_x");
	app.persons = persons;
	app.npersons = 3;
	app.applicant = 0;
	app.has_partner = 1;
	app.partner = 1;
	app.statuses = statuses;
	app.period_year = 2023;
	app.period_month = 3;
}

/* What a well-behaved rule script leaves: a need of 6000. */
static void
mkdec(struct decision *d, int has_need, app_amount need)
{
	memset(d, 0, sizeof(*d));
	strcpy(d->application_id, app.id);
	strcpy(d->ruleset, HASH);
	d->norm_year = 2023;
	ck_assert_int_eq(decision_add_line(d, DEC_LINE_NORM, 7000,
	    "Riksnorm för två vuxna", "SoL 4 kap. 3 §; riksnorm 2023"), 0);
	ck_assert_int_eq(decision_add_line(d, DEC_LINE_INCOME, 1000,
	    "Lön", "income:salary"), 0);
	d->has_need = has_need;
	d->need = need;
}

static void
finish(struct decision *d, const struct dec_policy *pol)
{
	ck_assert_int_eq(decision_finish(d, &app, pol, RECEIVED), 0);
}

/* Render, validate against the schema, parse back. */
static xmlDocPtr
render(const struct decision *d, char **text)
{
	xmlSchemaValidCtxtPtr	 vc;
	xmlDocPtr		 doc;
	char			*out = NULL;
	size_t			 len = 0;
	int			 rc;

	ck_assert_int_eq(decision_render(d, &out, &len), 0);
	ck_assert_uint_eq(strlen(out), len);
	doc = xmlReadMemory(out, (int)len, "decision.xml", NULL,
	    XML_PARSE_NONET);
	ck_assert_ptr_nonnull(doc);
	ck_assert_ptr_nonnull(vc = xmlSchemaNewValidCtxt(schema));
	errors[0] = '\0';
	xmlSchemaSetValidStructuredErrors(vc, collect, NULL);
	rc = xmlSchemaValidateDoc(vc, doc);
	xmlSchemaFreeValidCtxt(vc);
	if (rc != 0)
		ck_abort_msg("document does not validate: %s\n%s", errors, out);
	if (text != NULL)
		*text = out;
	else
		free(out);
	return doc;
}

static xmlXPathObjectPtr
xp(xmlDocPtr doc, const char *expr)
{
	xmlXPathContextPtr	c;
	xmlXPathObjectPtr	o;

	ck_assert_ptr_nonnull(c = xmlXPathNewContext(doc));
	xmlXPathRegisterNs(c, BAD_CAST "d", BAD_CAST DECISION_NS);
	o = xmlXPathEvalExpression(BAD_CAST expr, c);
	xmlXPathFreeContext(c);
	ck_assert_msg(o != NULL, "bad XPath %s", expr);
	return o;
}

static int
count(xmlDocPtr doc, const char *expr)
{
	xmlXPathObjectPtr	o = xp(doc, expr);
	int			n;

	n = o->nodesetval != NULL ? o->nodesetval->nodeNr : 0;
	xmlXPathFreeObject(o);
	return n;
}

/* Assert the string value of an XPath expression. */
static void
expect(xmlDocPtr doc, const char *expr, const char *want)
{
	xmlXPathObjectPtr	 o = xp(doc, expr);
	xmlChar			*s = xmlXPathCastToString(o);

	xmlXPathFreeObject(o);
	if (strcmp((char *)s, want) != 0) {
		ck_abort_msg("%s: got '%s', want '%s'", expr, s, want);
	}
	xmlFree(s);
}

START_TEST(grant)
{
	struct decision	 d;
	xmlDocPtr	 doc;

	mkdec(&d, 1, 6000);
	finish(&d, NULL);
	ck_assert_int_eq(d.outcome, DEC_GRANTED);
	ck_assert_int_eq(d.has_amount, 1);
	ck_assert_int_eq(d.amount, 6000);
	ck_assert_uint_eq(d.nreasons, 0);
	ck_assert_str_eq(d.decided_by, "automated");
	ck_assert_int_eq(d.decided_at, RECEIVED);
	ck_assert_int_eq(d.follow_up, 0);

	doc = render(&d, NULL);
	expect(doc, "/d:decision/d:application-id", "ans-2023.0001_x");
	expect(doc, "/d:decision/d:outcome", "granted");
	expect(doc, "/d:decision/d:decided-by", "automated");
	expect(doc, "/d:decision/d:decided-at", "2023-03-02T10:00:00Z");
	expect(doc, "/d:decision/d:amount", "6000");
	expect(doc, "/d:decision/d:calculation/d:need", "6000");
	ck_assert_int_eq(count(doc, "//d:line"), 2);
	expect(doc, "//d:line[1]/@kind", "norm");
	expect(doc, "//d:line[1]/@amount", "7000");
	expect(doc, "//d:line[1]/@ref", "SoL 4 kap. 3 §; riksnorm 2023");
	expect(doc, "//d:line[1]", "Riksnorm för två vuxna");
	expect(doc, "//d:line[2]/@kind", "income");
	ck_assert_int_eq(count(doc, "//d:reasons"), 0);
	ck_assert_int_eq(count(doc, "//d:priority"), 0);
	ck_assert_int_eq(count(doc, "/d:decision/d:due"), 0);
	ck_assert_int_eq(count(doc, "//d:follow-up"), 0);
	ck_assert_int_eq(count(doc, "//d:motivation"), 0);
	expect(doc, "/d:decision/d:rule-set", HASH);
	expect(doc, "/d:decision/d:norm-year", "2023");
	expect(doc, "count(/d:decision/d:appeal[contains(., "
	    "'förvaltningsrätten') and contains(., 'tre veckor') and "
	    "contains(., 'socialnämnden') and contains(., '2017:900')])", "1");
	/* The order of the document, as the schema's sequence has it. */
	expect(doc, "name(/d:decision/*[1])", "application-id");
	expect(doc, "name(/d:decision/*[5])", "amount");
	expect(doc, "name(/d:decision/*[last()])", "appeal");
	xmlFreeDoc(doc);
	decision_free(&d);
}
END_TEST

static const app_amount no_need[] = { 0, -1, -300 };

START_TEST(no_need_routed)
{
	struct decision	 d;
	xmlDocPtr	 doc;
	char		 want[32];

	mkdec(&d, 1, no_need[_i]);
	finish(&d, NULL);
	ck_assert_int_eq(d.outcome, DEC_ROUTED);
	ck_assert_int_eq(d.has_amount, 0);
	ck_assert_uint_eq(d.nreasons, 1);
	ck_assert_str_eq(d.reasons[0].code, "NO_NEED");
	ck_assert_str_eq(d.reasons[0].text, decision_reason_text("NO_NEED"));
	doc = render(&d, NULL);
	expect(doc, "/d:decision/d:outcome", "routed");
	ck_assert_int_eq(count(doc, "/d:decision/d:amount"), 0);
	snprintf(want, sizeof(want), "%lld", (long long)no_need[_i]);
	expect(doc, "//d:calculation/d:need", want);
	expect(doc, "//d:reason/@code", "NO_NEED");
	expect(doc, "/d:decision/d:priority", "normal");
	expect(doc, "/d:decision/d:due", "2023-03-04T10:00:00Z");
	xmlFreeDoc(doc);
	decision_free(&d);
}
END_TEST

START_TEST(no_need_not_duplicated)
{
	struct decision	 d;

	mkdec(&d, 1, -5);
	ck_assert_int_eq(decision_add_reason(&d, "NO_NEED", "Från regeln"), 0);
	finish(&d, NULL);
	ck_assert_uint_eq(d.nreasons, 1);
	ck_assert_str_eq(d.reasons[0].text, "Från regeln");
	decision_free(&d);
}
END_TEST

START_TEST(unknown_need)
{
	struct decision	 d;
	xmlDocPtr	 doc;

	/* As the rules report it: routed, no amount, no need, no NO_NEED. */
	mkdec(&d, 0, 0);
	d.norm_year = 0;
	ck_assert_int_eq(decision_add_reason(&d, "NO_VERIFIED_NORM", NULL), 0);
	finish(&d, NULL);
	ck_assert_int_eq(d.outcome, DEC_ROUTED);
	ck_assert_int_eq(d.has_amount, 0);
	ck_assert_uint_eq(d.nreasons, 1);
	doc = render(&d, NULL);
	ck_assert_int_eq(count(doc, "//d:need"), 0);
	ck_assert_int_eq(count(doc, "//d:amount"), 0);
	ck_assert_int_eq(count(doc, "//d:norm-year"), 0);
	expect(doc, "//d:reason/@code", "NO_VERIFIED_NORM");
	xmlFreeDoc(doc);
	decision_free(&d);

	/* Need missing without its reason: a malformed result. */
	mkdec(&d, 0, 0);
	finish(&d, NULL);
	ck_assert_int_eq(d.outcome, DEC_ROUTED);
	ck_assert_uint_eq(d.nreasons, 1);
	ck_assert_str_eq(d.reasons[0].code, "RULE_FAILURE");
	decision_free(&d);
}
END_TEST

/* The circumstances: flag in the model, code, urgent. */
static const struct {
	size_t		 off;
	const char	*code;
	int		 urgent;
} circ[] = {
	{ offsetof(struct application, violence), "VIOLENCE", 1 },
	{ offsetof(struct application, child_welfare_concern),
	  "CHILD_WELFARE", 0 },
	{ offsetof(struct application, health_limits_work), "HEALTH", 0 },
	{ offsetof(struct application, acute_need), "ACUTE_NEED", 1 },
	{ offsetof(struct application, eviction_risk), "EVICTION_RISK", 1 },
};
#define NCIRC	(sizeof(circ) / sizeof(circ[0]))

START_TEST(circumstance_forced)
{
	struct decision	 d;
	xmlDocPtr	 doc;
	char		 expr[128];

	*(int *)((char *)&app + circ[_i].off) = 1;
	mkdec(&d, 1, 6000);	/* the script left the reason out */
	finish(&d, NULL);
	ck_assert_int_eq(d.outcome, DEC_ROUTED);
	ck_assert_int_eq(d.has_amount, 0);
	ck_assert_uint_eq(d.nreasons, 1);
	ck_assert_str_eq(d.reasons[0].code, circ[_i].code);
	ck_assert_str_eq(d.reasons[0].text,
	    decision_reason_text(circ[_i].code));
	ck_assert_int_eq(d.urgent, circ[_i].urgent);
	doc = render(&d, NULL);
	snprintf(expr, sizeof(expr), "//d:reason[@code='%s']",
	    circ[_i].code);
	expect(doc, expr, decision_reason_text(circ[_i].code));
	expect(doc, "/d:decision/d:priority",
	    circ[_i].urgent ? "urgent" : "normal");
	xmlFreeDoc(doc);
	decision_free(&d);

	/* The script gave it: kept once, with the script's text. */
	mkdec(&d, 1, 6000);
	ck_assert_int_eq(decision_add_reason(&d, circ[_i].code, "Skriptets"),
	    0);
	finish(&d, NULL);
	ck_assert_uint_eq(d.nreasons, 1);
	ck_assert_str_eq(d.reasons[0].text, "Skriptets");
	decision_free(&d);
}
END_TEST

START_TEST(all_circumstances)
{
	struct decision	 d;
	xmlDocPtr	 doc;

	app.violence = app.child_welfare_concern = app.health_limits_work =
	    app.acute_need = app.eviction_risk = 1;
	app.message = (char *)"Jag behöver hjälp";
	mkdec(&d, 1, -100);
	ck_assert_int_eq(decision_add_reason(&d, "ASSETS", NULL), 0);
	finish(&d, NULL);
	ck_assert_uint_eq(d.nreasons, 8);
	doc = render(&d, NULL);
	ck_assert_int_eq(count(doc, "//d:reason"), 8);
	expect(doc, "//d:reason[1]/@code", "ASSETS");
	ck_assert_int_eq(count(doc, "//d:reason[@code='APPLICANT_MESSAGE']"),
	    1);
	ck_assert_int_eq(count(doc, "//d:reason[@code='NO_NEED']"), 1);
	/* The message itself is for the caseworker, not the document. */
	ck_assert_int_eq(count(doc, "//*[contains(., 'Jag behöver')]"), 0);
	xmlFreeDoc(doc);
	decision_free(&d);
}
END_TEST

START_TEST(health_by_status)
{
	struct decision	 d;

	/* Applicant sick. */
	app.nstatuses = 1;
	statuses[0].person = 0;
	statuses[0].kind = APP_ST_SICK;
	mkdec(&d, 1, 6000);
	finish(&d, NULL);
	ck_assert_int_eq(decision_has_reason(&d, "HEALTH"), 1);
	ck_assert_int_eq(d.outcome, DEC_ROUTED);
	decision_free(&d);

	/* Partner sick, applicant job-seeking. */
	app.nstatuses = 2;
	statuses[0].kind = APP_ST_JOB_SEEKING;
	statuses[0].registered = 1;
	statuses[1].person = 1;
	statuses[1].kind = APP_ST_SICK;
	mkdec(&d, 1, 6000);
	finish(&d, NULL);
	ck_assert_int_eq(decision_has_reason(&d, "HEALTH"), 1);
	decision_free(&d);

	/* Nobody sick: granted. */
	statuses[1].kind = APP_ST_EMPLOYED;
	mkdec(&d, 1, 6000);
	finish(&d, NULL);
	ck_assert_int_eq(decision_has_reason(&d, "HEALTH"), 0);
	ck_assert_int_eq(d.outcome, DEC_GRANTED);
	decision_free(&d);

	/* A status naming no member is ignored, never read out of bounds. */
	app.nstatuses = 1;
	statuses[0].person = 7;
	statuses[0].kind = APP_ST_SICK;
	mkdec(&d, 1, 6000);
	finish(&d, NULL);
	ck_assert_int_eq(decision_has_reason(&d, "HEALTH"), 0);
	decision_free(&d);
}
END_TEST

static const char *const blank_msgs[] = {
	"", " ", " \t\r\n\v\f ",
	"\xc2\xa0",				/* NBSP */
	" \xc2\xa0\xe2\x80\x83\xe3\x80\x80\n",	/* NBSP, em, ideographic */
	"\xe2\x80\xaf\xe2\x80\x89\xe2\x80\xa8\xc2\x85",
};
static const char *const real_msgs[] = {
	"Hej", "  x  ", "\xc2\xa0" "a", "\xc3\xa5",	/* å */
	"\xe2\x80\x8b",			/* zero-width space: content */
	"\xc2",				/* a stray lead byte: content */
};

START_TEST(message_blank)
{
	struct decision d;

	app.message = (char *)blank_msgs[_i];
	ck_assert_int_eq(decision_message_present(app.message), 0);
	mkdec(&d, 1, 6000);
	finish(&d, NULL);
	ck_assert_int_eq(decision_has_reason(&d, "APPLICANT_MESSAGE"), 0);
	ck_assert_int_eq(d.outcome, DEC_GRANTED);
	decision_free(&d);
}
END_TEST

START_TEST(message_real)
{
	struct decision d;

	app.message = (char *)real_msgs[_i];
	ck_assert_int_eq(decision_message_present(app.message), 1);
	mkdec(&d, 1, 6000);
	finish(&d, NULL);
	ck_assert_int_eq(decision_has_reason(&d, "APPLICANT_MESSAGE"), 1);
	ck_assert_int_eq(d.outcome, DEC_ROUTED);
	ck_assert_int_eq(d.urgent, 0);
	decision_free(&d);
}
END_TEST

START_TEST(message_absent)
{
	struct decision d;

	ck_assert_int_eq(decision_message_present(NULL), 0);
	mkdec(&d, 1, 6000);
	finish(&d, NULL);
	ck_assert_int_eq(d.outcome, DEC_GRANTED);
	decision_free(&d);
}
END_TEST

START_TEST(priority_and_due)
{
	static const struct dec_policy pol = { 24, 2, 7 };
	struct decision	 d;
	xmlDocPtr	 doc;

	/* Urgent by a script's reason alone, default policy. */
	mkdec(&d, 1, 6000);
	ck_assert_int_eq(decision_add_reason(&d, "EVICTION_RISK", NULL), 0);
	finish(&d, NULL);
	ck_assert_int_eq(d.urgent, 1);
	ck_assert_int_eq(d.due, RECEIVED + 4 * 3600);
	doc = render(&d, NULL);
	expect(doc, "/d:decision/d:priority", "urgent");
	expect(doc, "/d:decision/d:due", "2023-03-02T14:00:00Z");
	xmlFreeDoc(doc);
	decision_free(&d);

	/* Normal, default policy. */
	mkdec(&d, 1, 6000);
	ck_assert_int_eq(decision_add_reason(&d, "ASSETS", NULL), 0);
	finish(&d, NULL);
	ck_assert_int_eq(d.urgent, 0);
	ck_assert_int_eq(d.due, RECEIVED + 48 * 3600);
	doc = render(&d, NULL);
	expect(doc, "/d:decision/d:priority", "normal");
	expect(doc, "/d:decision/d:due", "2023-03-04T10:00:00Z");
	xmlFreeDoc(doc);
	decision_free(&d);

	/* The configured hours are used. */
	mkdec(&d, 1, 6000);
	ck_assert_int_eq(decision_add_reason(&d, "ASSETS", NULL), 0);
	finish(&d, &pol);
	ck_assert_int_eq(d.due, RECEIVED + 24 * 3600);
	decision_free(&d);
	app.acute_need = 1;
	mkdec(&d, 1, 6000);
	finish(&d, &pol);
	ck_assert_int_eq(d.urgent, 1);
	ck_assert_int_eq(d.due, RECEIVED + 2 * 3600);
	doc = render(&d, NULL);
	expect(doc, "/d:decision/d:due", "2023-03-02T12:00:00Z");
	xmlFreeDoc(doc);
	decision_free(&d);

	/* Across a year end and a leap day. */
	app.acute_need = 0;
	mkdec(&d, 1, 6000);
	ck_assert_int_eq(decision_add_reason(&d, "ASSETS", NULL), 0);
	/* 2024-02-28T23:30:00Z */
	ck_assert_int_eq(decision_finish(&d, &app, NULL, 1709163000), 0);
	doc = render(&d, NULL);
	expect(doc, "/d:decision/d:decided-at", "2024-02-28T23:30:00Z");
	expect(doc, "/d:decision/d:due", "2024-03-01T23:30:00Z");
	xmlFreeDoc(doc);
	decision_free(&d);
}
END_TEST

START_TEST(long_term)
{
	static const struct dec_policy pol = { 48, 4, 30 };
	struct decision	 d;
	xmlDocPtr	 doc;

	mkdec(&d, 1, 6000);
	d.follow_up = 1;
	finish(&d, NULL);
	ck_assert_int_eq(d.outcome, DEC_GRANTED);
	ck_assert_int_eq(d.follow_up, 1);
	ck_assert_int_eq(d.follow_up_due, RECEIVED + 14 * 86400);
	doc = render(&d, NULL);
	expect(doc, "/d:decision/d:follow-up/@code", "LONG_TERM");
	expect(doc, "/d:decision/d:follow-up/d:due", "2023-03-16T10:00:00Z");
	ck_assert_int_eq(count(doc, "/d:decision/d:priority"), 0);
	xmlFreeDoc(doc);
	decision_free(&d);

	mkdec(&d, 1, 6000);
	d.follow_up = 1;
	finish(&d, &pol);
	ck_assert_int_eq(d.follow_up_due, RECEIVED + 30 * 86400);
	decision_free(&d);

	/* Routed: a person sees the case anyway; no follow-up task. */
	mkdec(&d, 1, 6000);
	d.follow_up = 1;
	d.follow_up_due = 12345;
	app.child_welfare_concern = 1;
	finish(&d, NULL);
	ck_assert_int_eq(d.outcome, DEC_ROUTED);
	ck_assert_int_eq(d.follow_up, 0);
	ck_assert_int_eq(d.follow_up_due, 0);
	doc = render(&d, NULL);
	ck_assert_int_eq(count(doc, "//d:follow-up"), 0);
	xmlFreeDoc(doc);
	decision_free(&d);
}
END_TEST

static const enum dec_outcome cw_outcomes[] = { DEC_PARTLY_GRANTED,
	DEC_DENIED };

START_TEST(caseworker_untouched)
{
	struct decision	 d;
	xmlDocPtr	 doc;

	app.violence = 1;
	app.acute_need = 1;
	mkdec(&d, 1, -100);
	d.outcome = cw_outcomes[_i];
	d.has_amount = _i == 0;
	d.amount = _i == 0 ? 4200 : 0;
	ck_assert_ptr_nonnull(d.decided_by = strdup("handlaggare1"));
	ck_assert_ptr_nonnull(d.motivation = strdup("Skälen för beslutet"));
	d.decided_at = RECEIVED + 86400;
	ck_assert_int_eq(decision_finish(&d, &app, NULL, RECEIVED), 0);
	ck_assert_int_eq(d.outcome, cw_outcomes[_i]);
	ck_assert_uint_eq(d.nreasons, 0);
	ck_assert_int_eq(d.amount, _i == 0 ? 4200 : 0);
	ck_assert_str_eq(d.decided_by, "handlaggare1");
	ck_assert_int_eq(d.decided_at, RECEIVED + 86400);
	ck_assert_int_eq(d.due, 0);
	doc = render(&d, NULL);
	expect(doc, "/d:decision/d:outcome",
	    _i == 0 ? "partly-granted" : "denied");
	expect(doc, "/d:decision/d:decided-by", "handlaggare1");
	expect(doc, "/d:decision/d:decided-at", "2023-03-03T10:00:00Z");
	expect(doc, "/d:decision/d:motivation", "Skälen för beslutet");
	expect(doc, "count(/d:decision/d:amount)", _i == 0 ? "1" : "0");
	if (_i == 0)
		expect(doc, "/d:decision/d:amount", "4200");
	ck_assert_int_eq(count(doc, "//d:priority"), 0);
	ck_assert_int_eq(count(doc, "//d:appeal"), 1);
	xmlFreeDoc(doc);
	decision_free(&d);
}
END_TEST

/* The outcome alone marks a caseworker's decision. */
START_TEST(caseworker_outcome_alone)
{
	struct decision	 d;

	app.violence = 1;
	mkdec(&d, 1, 6000);
	d.outcome = cw_outcomes[_i];
	ck_assert_int_eq(decision_finish(&d, &app, NULL, RECEIVED), 0);
	ck_assert_int_eq(d.outcome, cw_outcomes[_i]);
	ck_assert_uint_eq(d.nreasons, 0);
	ck_assert_int_eq(d.has_amount, 0);
	ck_assert_ptr_null(d.decided_by);
	ck_assert_int_eq(d.decided_at, 0);
	decision_free(&d);
}
END_TEST

/* A caseworker's grant carries a motivation: never recomputed. */
START_TEST(caseworker_grant_untouched)
{
	struct decision	 d;

	app.violence = 1;
	mkdec(&d, 1, 6000);
	d.outcome = DEC_GRANTED;
	d.has_amount = 1;
	d.amount = 5000;
	ck_assert_ptr_nonnull(d.motivation = strdup("Beviljas"));
	ck_assert_int_eq(decision_finish(&d, &app, NULL, RECEIVED), 0);
	ck_assert_int_eq(d.amount, 5000);
	ck_assert_uint_eq(d.nreasons, 0);
	ck_assert_ptr_null(d.decided_by);
	decision_free(&d);
}
END_TEST

START_TEST(kept_by_finish)
{
	struct decision	 d;

	mkdec(&d, 1, 6000);
	d.decided_at = RECEIVED + 5;
	ck_assert_ptr_nonnull(d.decided_by = strdup("someone"));
	finish(&d, NULL);
	ck_assert_int_eq(d.decided_at, RECEIVED + 5);
	ck_assert_str_eq(d.decided_by, "someone");
	ck_assert_int_eq(d.outcome, DEC_GRANTED);
	/* Running it again changes nothing. */
	finish(&d, NULL);
	ck_assert_int_eq(d.outcome, DEC_GRANTED);
	ck_assert_int_eq(d.amount, 6000);
	ck_assert_uint_eq(d.nreasons, 0);
	decision_free(&d);
}
END_TEST

START_TEST(escaping)
{
	struct decision	 d;
	xmlDocPtr	 doc;
	char		*text;

	mkdec(&d, 1, 6000);
	ck_assert_int_eq(decision_add_line(&d, DEC_LINE_COST, 12,
	    "a<b & \"c\" ]]> 'd'", "ref<&\"'>"), 0);
	ck_assert_int_eq(decision_add_reason(&d, "ASSETS", "<&\"tillgång\">"),
	    0);
	d.outcome = DEC_DENIED;
	ck_assert_ptr_nonnull(d.decided_by = strdup("cn<&\"x\""));
	ck_assert_ptr_nonnull(d.motivation = strdup("</motivation><x>&amp;"));
	d.decided_at = RECEIVED;
	doc = render(&d, &text);
	expect(doc, "//d:line[3]", "a<b & \"c\" ]]> 'd'");
	expect(doc, "//d:line[3]/@ref", "ref<&\"'>");
	expect(doc, "//d:line[3]/@kind", "cost");
	expect(doc, "//d:reason[@code='ASSETS']", "<&\"tillgång\">");
	expect(doc, "/d:decision/d:decided-by", "cn<&\"x\"");
	expect(doc, "/d:decision/d:motivation", "</motivation><x>&amp;");
	ck_assert_ptr_nonnull(strstr(text,
	    "a&lt;b &amp; &quot;c&quot; ]]&gt; 'd'"));
	ck_assert_ptr_nonnull(strstr(text, "ref=\"ref&lt;&amp;&quot;'&gt;\""));
	ck_assert_ptr_null(strstr(text, "<x>"));
	free(text);
	xmlFreeDoc(doc);
	decision_free(&d);
}
END_TEST

START_TEST(failure_not_rendered)
{
	struct decision	 d;
	xmlDocPtr	 doc;
	char		*text;

	mkdec(&d, 0, 0);
	ck_assert_ptr_nonnull(d.failure =
	    strdup("rules/norm.lua:12: SECRET-TRACEBACK"));
	ck_assert_int_eq(decision_add_reason(&d, "RULE_FAILURE", NULL), 0);
	finish(&d, NULL);
	doc = render(&d, &text);
	ck_assert_ptr_null(strstr(text, "SECRET"));
	ck_assert_ptr_null(strstr(text, "failure>"));
	expect(doc, "//d:reason[@code='RULE_FAILURE']",
	    decision_reason_text("RULE_FAILURE"));
	free(text);
	xmlFreeDoc(doc);
	decision_free(&d);
}
END_TEST

START_TEST(empty_calculation)
{
	struct decision	 d;
	xmlDocPtr	 doc;

	memset(&d, 0, sizeof(d));
	strcpy(d.application_id, "x");
	strcpy(d.ruleset, HASH);
	finish(&d, NULL);
	doc = render(&d, NULL);
	ck_assert_int_eq(count(doc, "/d:decision/d:calculation"), 1);
	ck_assert_int_eq(count(doc, "/d:decision/d:calculation/*"), 0);
	xmlFreeDoc(doc);
	decision_free(&d);
}
END_TEST

START_TEST(render_refuses)
{
	struct decision	 d;
	char		*out = NULL;
	size_t		 len = 0;

	mkdec(&d, 1, 6000);
	finish(&d, NULL);
	d.outcome = (enum dec_outcome)42;
	ck_assert_int_eq(decision_render(&d, &out, &len), -1);
	d.outcome = DEC_GRANTED;
	d.lines[0].kind = (enum dec_line_kind)42;
	ck_assert_int_eq(decision_render(&d, &out, &len), -1);
	d.lines[0].kind = DEC_LINE_NORM;
	d.decided_at = INT64_MAX;
	ck_assert_int_eq(decision_render(&d, &out, &len), -1);
	ck_assert_ptr_null(out);
	decision_free(&d);
}
END_TEST

START_TEST(reasons_known)
{
	static const char *const unknown[] = { "", "violence", "LONG_TERM",
	    "VIOLENCE ", " VIOLENCE", "NO_NEEDS", "FOO" };
	size_t i;

	for (i = 0; i < NCODES; i++)
		ck_assert_msg(decision_reason_known(codes[i]), "%s", codes[i]);
	for (i = 0; i < sizeof(unknown) / sizeof(unknown[0]); i++) {
		ck_assert_int_eq(decision_reason_known(unknown[i]), 0);
		ck_assert_ptr_null(decision_reason_text(unknown[i]));
	}
	ck_assert_int_eq(decision_reason_known(NULL), 0);
}
END_TEST

/* Every code has its own plain Swedish text, and each renders valid. */
START_TEST(reason_texts)
{
	struct decision	 d;
	xmlDocPtr	 doc;
	const char	*t;
	size_t		 i, j;

	memset(&d, 0, sizeof(d));
	strcpy(d.application_id, "x");
	strcpy(d.ruleset, HASH);
	for (i = 0; i < NCODES; i++) {
		t = decision_reason_text(codes[i]);
		ck_assert_ptr_nonnull(t);
		ck_assert_msg(strlen(t) > 40, "%s: text too short", codes[i]);
		ck_assert_msg(strstr(t, codes[i]) == NULL, "%s", codes[i]);
		for (j = 0; j < i; j++)
			ck_assert_ptr_ne(t, decision_reason_text(codes[j]));
		ck_assert_int_eq(decision_add_reason(&d, codes[i], NULL), 0);
	}
	/* Discretion: whoever else sees the decision must not learn that
	 * violence was reported. */
	ck_assert_ptr_null(strstr(decision_reason_text("VIOLENCE"), "våld"));
	ck_assert_ptr_null(strstr(decision_reason_text("VIOLENCE"), "hot"));
	ck_assert_ptr_nonnull(strstr(decision_reason_text("ACUTE_NEED"),
	    "förtur"));
	ck_assert_ptr_nonnull(strstr(decision_reason_text("RULE_FAILURE"),
	    "handläggare"));
	finish(&d, NULL);
	doc = render(&d, NULL);
	ck_assert_int_eq(count(doc, "//d:reason"), (int)NCODES);
	xmlFreeDoc(doc);
	decision_free(&d);
}
END_TEST

START_TEST(add_and_free)
{
	struct decision	 d;
	char		 longcode[DECISION_CODE_MAX + 2];

	memset(&d, 0, sizeof(d));
	ck_assert_int_eq(decision_has_reason(&d, "ASSETS"), 0);
	ck_assert_int_eq(decision_add_reason(&d, "ASSETS", "a"), 0);
	ck_assert_int_eq(decision_add_reason(&d, "ASSETS", "b"), 0);
	ck_assert_uint_eq(d.nreasons, 1);
	ck_assert_str_eq(d.reasons[0].text, "a");
	ck_assert_int_eq(decision_has_reason(&d, "ASSETS"), 1);
	ck_assert_int_eq(decision_has_reason(&d, "ASSET"), 0);
	/* Unknown code without a text: an empty one, not a crash. */
	ck_assert_int_eq(decision_add_reason(&d, "X_UNKNOWN", NULL), 0);
	ck_assert_str_eq(d.reasons[1].text, "");
	memset(longcode, 'A', sizeof(longcode) - 1);
	longcode[sizeof(longcode) - 1] = '\0';
	ck_assert_int_eq(decision_add_reason(&d, longcode, "x"), -1);
	ck_assert_uint_eq(d.nreasons, 2);
	longcode[DECISION_CODE_MAX] = '\0';
	ck_assert_int_eq(decision_add_reason(&d, longcode, "x"), 0);
	ck_assert_str_eq(d.reasons[2].code, longcode);
	ck_assert_int_eq(decision_add_line(&d, DEC_LINE_DISREGARD, 5, NULL,
	    NULL), 0);
	ck_assert_str_eq(d.lines[0].text, "");
	ck_assert_ptr_nonnull(d.failure = strdup("f"));
	decision_free(&d);
	ck_assert_ptr_null(d.lines);
	ck_assert_uint_eq(d.nreasons, 0);
	decision_free(&d);	/* twice: harmless */

	/* Half-built: an array allocated, nothing counted in it yet. */
	memset(&d, 0, sizeof(d));
	ck_assert_ptr_nonnull(d.lines = calloc(4, sizeof(*d.lines)));
	ck_assert_ptr_nonnull(d.reasons = calloc(4, sizeof(*d.reasons)));
	decision_free(&d);
	decision_free(NULL);
}
END_TEST

START_TEST(names)
{
	ck_assert_str_eq(decision_outcome_name(DEC_GRANTED), "granted");
	ck_assert_str_eq(decision_outcome_name(DEC_ROUTED), "routed");
	ck_assert_str_eq(decision_outcome_name(DEC_PARTLY_GRANTED),
	    "partly-granted");
	ck_assert_str_eq(decision_outcome_name(DEC_DENIED), "denied");
	ck_assert_ptr_null(decision_outcome_name((enum dec_outcome)9));
	ck_assert_str_eq(decision_line_kind_name(DEC_LINE_NORM), "norm");
	ck_assert_str_eq(decision_line_kind_name(DEC_LINE_COST), "cost");
	ck_assert_str_eq(decision_line_kind_name(DEC_LINE_INCOME), "income");
	ck_assert_str_eq(decision_line_kind_name(DEC_LINE_DISREGARD),
	    "disregard");
	ck_assert_ptr_null(decision_line_kind_name((enum dec_line_kind)9));
}
END_TEST

/* The schema itself refuses what the daemon must never send. */
START_TEST(schema_strict)
{
	static const char *const bad[] = {
		"<rule-set>ABC</rule-set>",
		"<decided-at>2023-03-02T10:00:00+01:00</decided-at>",
		"<outcome>rejected</outcome>",
		"<reason code=\"LONG_TERM\">x</reason>",
		"<amount>-1</amount>",
		"<failure>x</failure>",
	};
	static const char good[] =
	    "<decision xmlns=\"urn:bistand:decision:1\">"
	    "<application-id>a</application-id><outcome>routed</outcome>"
	    "<decided-by>automated</decided-by>"
	    "<decided-at>2023-03-02T10:00:00Z</decided-at>"
	    "<amount>1</amount>"
	    "<calculation/><reasons><reason code=\"ASSETS\">x</reason>"
	    "</reasons><priority>normal</priority>"
	    "<due>2023-03-04T10:00:00Z</due><rule-set>" HASH "</rule-set>"
	    "<appeal>x</appeal></decision>";
	static const char *const from[] = {
		"<rule-set>" HASH "</rule-set>",
		"<decided-at>2023-03-02T10:00:00Z</decided-at>",
		"<outcome>routed</outcome>",
		"<reason code=\"ASSETS\">x</reason>",
		"<amount>1</amount>",
		"<appeal>x</appeal>",
	};
	xmlSchemaValidCtxtPtr	 vc;
	xmlDocPtr		 doc;
	char			 buf[2048], *p;
	int			 want;

	/* _i == 0 is the unchanged good document. */
	snprintf(buf, sizeof(buf), "%s", good);
	if (_i > 0) {
		p = strstr(buf, from[_i - 1]);
		ck_assert_ptr_nonnull(p);
		if (_i == 6)	/* an extra element before appeal */
			snprintf(p, sizeof(buf) - (size_t)(p - buf),
			    "%s<appeal>x</appeal></decision>", bad[_i - 1]);
		else {
			char rest[2048];
			snprintf(rest, sizeof(rest), "%s",
			    p + strlen(from[_i - 1]));
			snprintf(p, sizeof(buf) - (size_t)(p - buf), "%s%s",
			    bad[_i - 1], rest);
		}
	}
	want = _i == 0 ? 0 : 1;
	doc = xmlReadMemory(buf, (int)strlen(buf), "x.xml", NULL,
	    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	ck_assert_ptr_nonnull(doc);
	vc = xmlSchemaNewValidCtxt(schema);
	xmlSchemaSetValidStructuredErrors(vc, collect, NULL);
	ck_assert_int_eq(xmlSchemaValidateDoc(vc, doc) != 0, want);
	xmlSchemaFreeValidCtxt(vc);
	xmlFreeDoc(doc);
}
END_TEST

static Suite *
decision_suite(void)
{
	Suite	*s = suite_create("decision");
	TCase	*tc = tcase_create("finish");
	TCase	*tr = tcase_create("render");

	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, grant);
	tcase_add_loop_test(tc, no_need_routed, 0,
	    sizeof(no_need) / sizeof(no_need[0]));
	tcase_add_test(tc, no_need_not_duplicated);
	tcase_add_test(tc, unknown_need);
	tcase_add_loop_test(tc, circumstance_forced, 0, NCIRC);
	tcase_add_test(tc, all_circumstances);
	tcase_add_test(tc, health_by_status);
	tcase_add_loop_test(tc, message_blank, 0,
	    sizeof(blank_msgs) / sizeof(blank_msgs[0]));
	tcase_add_loop_test(tc, message_real, 0,
	    sizeof(real_msgs) / sizeof(real_msgs[0]));
	tcase_add_test(tc, message_absent);
	tcase_add_test(tc, priority_and_due);
	tcase_add_test(tc, long_term);
	tcase_add_loop_test(tc, caseworker_untouched, 0,
	    sizeof(cw_outcomes) / sizeof(cw_outcomes[0]));
	tcase_add_loop_test(tc, caseworker_outcome_alone, 0,
	    sizeof(cw_outcomes) / sizeof(cw_outcomes[0]));
	tcase_add_test(tc, caseworker_grant_untouched);
	tcase_add_test(tc, kept_by_finish);
	suite_add_tcase(s, tc);

	tcase_add_checked_fixture(tr, setup, NULL);
	tcase_add_test(tr, escaping);
	tcase_add_test(tr, failure_not_rendered);
	tcase_add_test(tr, empty_calculation);
	tcase_add_test(tr, render_refuses);
	tcase_add_test(tr, reasons_known);
	tcase_add_test(tr, reason_texts);
	tcase_add_test(tr, add_and_free);
	tcase_add_test(tr, names);
	tcase_add_loop_test(tr, schema_strict, 0, 7);
	suite_add_tcase(s, tr);
	return s;
}

int
main(void)
{
	SRunner	*sr;
	int	 failed;

	schema_load();
	sr = srunner_create(decision_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	xmlSchemaFree(schema);
	xmlCleanupParser();
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
