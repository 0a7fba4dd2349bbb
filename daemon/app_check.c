/*
 * app_check.c: the rules of the contract that XML Schema cannot
 * express, checked on the freshly built model.
 *
 * In this order, the first failure wins:
 *   ERR_HOUSEHOLD	exactly one applicant, at most one partner, no
 *			personnummer twice
 *   ERR_UNKNOWN_PERSON	income/@person and status/@person name a member
 *   ERR_INCONSISTENT	facts that contradict each other or the period
 * (ERR_PERSONNUMMER, the date and check digit of every personnummer,
 * is refused while the model is built, before any of these.)
 *
 * Messages are in English and name the element by its path and
 * position, never by a personnummer or a name: error documents reach
 * the e-service's logs, and a position is all its developer needs. The
 * error's line and element come from the node, found again in the tree
 * by its position.
 */
#include <stdio.h>
#include <string.h>

#include <libxml/tree.h>

#include "app_int.h"
#include "application.h"

/* Child aged this or more on the first day of the period: no
 * "lunch outside the home" amount (the norm has it for 0-6 only). */
#define APP_LUNCH_AGE_LIMIT	7

static xmlNodePtr
app_person_node(xmlNodePtr root, size_t i)
{
	return app_nth(app_child(root, "household"), "person", i);
}

static int
app_check_household(const struct application *a, xmlNodePtr root,
    struct errdoc *e)
{
	const struct app_person *p;
	size_t		 i, j, applicant = APP_NOBODY, partner = APP_NOBODY;

	for (i = 0; i < a->npersons; i++) {
		p = &a->persons[i];
		if (p->role == APP_APPLICANT) {
			if (applicant != APP_NOBODY) {
				app_fail(e, ERR_HOUSEHOLD, app_person_node(root,
				    i), "household/person[%zu]: a second "
				    "applicant (the first is person[%zu]); a "
				    "household has exactly one", i + 1,
				    applicant + 1);
				return -1;
			}
			applicant = i;
		}
		if (p->role == APP_PARTNER) {
			if (partner != APP_NOBODY) {
				app_fail(e, ERR_HOUSEHOLD, app_person_node(root,
				    i), "household/person[%zu]: a second "
				    "partner (the first is person[%zu]); a "
				    "household has at most one", i + 1,
				    partner + 1);
				return -1;
			}
			partner = i;
		}
		for (j = 0; j < i; j++)
			if (strcmp(a->persons[j].pnr, p->pnr) == 0) {
				app_fail(e, ERR_HOUSEHOLD, app_child(
				    app_person_node(root, i), "personnummer"),
				    "household/person[%zu]/personnummer: the "
				    "same personnummer as household/"
				    "person[%zu]", i + 1, j + 1);
				return -1;
			}
	}
	if (applicant == APP_NOBODY) {
		app_fail(e, ERR_HOUSEHOLD, app_child(root, "household"),
		    "household: no person has the role applicant; a "
		    "household has exactly one");
		return -1;
	}
	return 0;
}

static int
app_check_references(const struct application *a, xmlNodePtr root,
    struct errdoc *e)
{
	size_t	 i;

	for (i = 0; i < a->nincomes; i++)
		if (a->incomes[i].person == APP_NOBODY) {
			app_fail(e, ERR_UNKNOWN_PERSON, app_nth(app_child(root,
			    "incomes"), "income", i), "incomes/income[%zu]/"
			    "@person: not a member of the household", i + 1);
			return -1;
		}
	for (i = 0; i < a->nstatuses; i++)
		if (a->statuses[i].person == APP_NOBODY) {
			app_fail(e, ERR_UNKNOWN_PERSON, app_nth(app_child(root,
			    "labour-market"), "status", i), "labour-market/"
			    "status[%zu]/@person: not a member of the "
			    "household", i + 1);
			return -1;
		}
	return 0;
}

/* One person's facts against its role and the period. */
static int
app_check_person(const struct application *a, size_t i, xmlNodePtr root,
    struct errdoc *e)
{
	const struct app_person *p = &a->persons[i];
	xmlNodePtr	 n = app_person_node(root, i);
	int		 y = a->period_year, m = a->period_month, days, age;

	/* the norm's age bands are by age on the first day of the period */
	age = pnr_age_on(&p->birth, y, m, 1);
	if (age < 0) {
		app_fail(e, ERR_INCONSISTENT, app_child(n, "personnummer"),
		    "household/person[%zu]/personnummer: born after the first "
		    "day of the period %04d-%02d", i + 1, y, m);
		return -1;
	}
	if (p->role != APP_CHILD && p->days_in_household != 0) {
		app_fail(e, ERR_INCONSISTENT, app_child(n, "days-in-household"),
		    "household/person[%zu]/days-in-household: only for a "
		    "person with the role child, this one is %s", i + 1,
		    app_role_name(p->role));
		return -1;
	}
	if (p->role != APP_CHILD && p->lunch_outside_home != -1) {
		app_fail(e, ERR_INCONSISTENT, app_child(n,
		    "lunch-outside-home"), "household/person[%zu]/"
		    "lunch-outside-home: only for a person with the role "
		    "child, this one is %s", i + 1, app_role_name(p->role));
		return -1;
	}
	days = pnr_days_in_month(y, m);
	if (p->days_in_household > days) {
		app_fail(e, ERR_INCONSISTENT, app_child(n, "days-in-household"),
		    "household/person[%zu]/days-in-household: %d, but the "
		    "period %04d-%02d has %d days", i + 1,
		    p->days_in_household, y, m, days);
		return -1;
	}
	if (p->lunch_outside_home == 1 && age >= APP_LUNCH_AGE_LIMIT) {
		app_fail(e, ERR_INCONSISTENT, app_child(n,
		    "lunch-outside-home"), "household/person[%zu]/"
		    "lunch-outside-home: true, but the child is %d or older on "
		    "the first day of the period; only for ages 0-6", i + 1,
		    APP_LUNCH_AGE_LIMIT);
		return -1;
	}
	return 0;
}

static int
app_check_statuses(const struct application *a, xmlNodePtr root,
    struct errdoc *e)
{
	size_t	 i, j;

	for (i = 0; i < a->nstatuses; i++)
		for (j = 0; j < i; j++)
			if (a->statuses[j].person == a->statuses[i].person) {
				app_fail(e, ERR_INCONSISTENT, app_nth(app_child(
				    root, "labour-market"), "status", i),
				    "labour-market/status[%zu]: a second "
				    "status for household/person[%zu] (the "
				    "first is status[%zu]); one per person",
				    i + 1, a->statuses[i].person + 1, j + 1);
				return -1;
			}
	return 0;
}

/* The history is still in document order here. */
static int
app_check_history(const struct application *a, xmlNodePtr root,
    struct errdoc *e)
{
	int	 period = a->period_year * 12 + a->period_month - 1;
	size_t	 i;

	for (i = 0; i < a->nhistory; i++)
		if (a->history[i] >= period) {
			app_fail(e, ERR_INCONSISTENT, app_nth(app_child(root,
			    "history"), "month", i), "history/month[%zu]: "
			    "%04d-%02d is not before the period %04d-%02d",
			    i + 1, a->history[i] / 12, a->history[i] % 12 + 1,
			    a->period_year, a->period_month);
			return -1;
		}
	return 0;
}

int
app_check(const struct application *a, xmlNodePtr root, struct errdoc *e)
{
	size_t	 i;

	if (app_check_household(a, root, e) == -1 ||
	    app_check_references(a, root, e) == -1)
		return -1;
	for (i = 0; i < a->npersons; i++)
		if (app_check_person(a, i, root, e) == -1)
			return -1;
	if (app_check_statuses(a, root, e) == -1 ||
	    app_check_history(a, root, e) == -1)
		return -1;
	return 0;
}
