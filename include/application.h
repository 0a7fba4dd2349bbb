/*
 * application.h: the application document (urn:bistand:application:1)
 * and the C model the rule stage consumes.
 *
 * app_parse() is the whole intake path for one document: hardened XML
 * parse (any DOCTYPE refused before its internal subset is read, no
 * entity substitution, no network or file access, libxml2's default
 * size and depth limits), XML Schema validation against
 * application.xsd, then the checks the schema cannot express, then the
 * model. Any failure leaves a filled struct errdoc and no model.
 *
 * The schema is loaded once (app_schema_load) and shared by every
 * thread: read-only, apart from its pool of idle parser and validation
 * contexts, which a parse borrows for its duration (app_schema_free
 * frees them; no parse may still be running then).
 */
#ifndef BISTAND_APPLICATION_H
#define BISTAND_APPLICATION_H

#include <stddef.h>
#include <stdint.h>

#include "errdoc.h"
#include "pnr.h"

#define APP_NS		"urn:bistand:application:1"
#define APP_ID_MAX	64

enum app_role	{ APP_APPLICANT, APP_PARTNER, APP_CHILD };
enum app_housing {
	APP_HOUSING_RENTAL, APP_HOUSING_SUBLET, APP_HOUSING_OWNED,
	APP_HOUSING_LODGER, APP_HOUSING_PARENTS, APP_HOUSING_HOMELESS,
	APP_HOUSING_OTHER
};
enum app_cost_type {
	APP_COST_WORK_TRAVEL, APP_COST_UNION_FEE, APP_COST_UNEMPLOYMENT_FUND,
	APP_COST_CHILDCARE, APP_COST_MEDICAL, APP_COST_MEDICINE,
	APP_COST_DENTAL, APP_COST_GLASSES, APP_COST_FURNITURE, APP_COST_OTHER
};
enum app_income_type {
	APP_INC_SALARY, APP_INC_UNEMPLOYMENT_BENEFIT, APP_INC_SICKNESS_BENEFIT,
	APP_INC_ACTIVITY_SUPPORT, APP_INC_PARENTAL_BENEFIT,
	APP_INC_HOUSING_ALLOWANCE, APP_INC_CHILD_ALLOWANCE,
	APP_INC_MAINTENANCE_SUPPORT, APP_INC_STUDENT_AID, APP_INC_PENSION,
	APP_INC_OTHER
};
enum app_asset_type { APP_ASSET_BANK, APP_ASSET_VEHICLE, APP_ASSET_PROPERTY,
	APP_ASSET_OTHER };
enum app_status_kind {
	APP_ST_EMPLOYED, APP_ST_JOB_SEEKING, APP_ST_STUDYING, APP_ST_SICK,
	APP_ST_PARENTAL_LEAVE, APP_ST_RETIRED, APP_ST_OTHER
};

/* Amounts are whole SEK per month; the schema bounds them so that any
 * sum of them fits an int64_t. */
typedef int64_t	app_amount;

struct app_person {
	enum app_role	 role;
	char		 pnr[13];	/* 12 digits, NUL-terminated */
	struct pnr_date	 birth;
	char		*name;		/* NULL when absent */
	int		 days_in_household; /* 0 = absent (whole month) */
	int		 lunch_outside_home; /* -1 absent, 0 false, 1 true */
};

struct app_cost {
	enum app_cost_type type;
	app_amount	 amount;
	char		*description;	/* NULL when absent */
};

struct app_income {
	size_t		 person;	/* index into persons[] */
	enum app_income_type type;
	int		 verified;	/* @source="verified" */
	app_amount	 amount;
};

struct app_asset {
	enum app_asset_type type;
	app_amount	 amount;
};

struct app_status {
	size_t		 person;	/* index into persons[] */
	enum app_status_kind kind;
	int		 registered;	/* @registered-employment-service */
};

/* An optional amount: present is 0 when the element was absent. */
struct app_opt_amount {
	int		 present;
	app_amount	 amount;
};

struct application {
	char		 id[APP_ID_MAX + 1];
	char		*submitted;	/* as sent (xs:dateTime with offset) */
	int64_t		 submitted_epoch; /* the same instant, seconds UTC */
	int		 period_year;
	int		 period_month;
	char		 municipality[5];

	struct app_person *persons;	/* document order; exactly one
					   APP_APPLICANT */
	size_t		 npersons;
	size_t		 applicant;	/* index of the applicant */
	int		 has_partner;
	size_t		 partner;	/* valid when has_partner */
	int		 other_residents; /* default 0 */

	enum app_housing housing_type;
	struct app_opt_amount housing_cost;
	struct app_opt_amount electricity;
	struct app_opt_amount insurance;

	struct app_cost	*costs;
	size_t		 ncosts;
	struct app_income *incomes;
	size_t		 nincomes;
	struct app_asset *assets;
	size_t		 nassets;
	struct app_status *statuses;
	size_t		 nstatuses;

	int		 violence;
	int		 child_welfare_concern;
	int		 health_limits_work;
	int		 acute_need;
	int		 eviction_risk;
	char		*message;	/* NULL when absent */

	int		*history;	/* months as year*12 + (month-1),
					   ascending, no duplicates */
	size_t		 nhistory;
};

struct app_schema;

/* Load application.xsd from a file (read into memory first, so that
 * the global "no external entities" loader can stay in force).
 * 0 on success, -1 with e filled (status 500, ERR_INTERNAL). */
int	app_schema_load(const char *path, struct app_schema **out,
	    struct errdoc *e);
void	app_schema_free(struct app_schema *);

/* Install libxml2's process-wide hardening: an external entity loader
 * that refuses everything. Call once at start-up, before any parse. */
void	app_xml_harden(void);

/* Parse, validate and check one document. On success 0 and *out owns a
 * new model (free with app_free); on refusal -1 with e filled (status
 * 400 and an ERR_* code). Never touches the network or the disk. */
int	app_parse(const struct app_schema *schema, const char *buf,
	    size_t len, struct application **out, struct errdoc *e);
void	app_free(struct application *);
/* The same hardened parse and validation against schema, for any of our
 * documents (caseworker requests too); *out is the caller's to free
 * with xmlFreeDoc. 0, or -1 with e filled. */
struct _xmlDoc;
int	app_parse_xml(const struct app_schema *schema, const char *buf,
	    size_t len, struct _xmlDoc **out, struct errdoc *e);

/* An RFC 3339 / xs:dateTime instant with an offset (fractional seconds
 * allowed, dropped) → seconds since the epoch, UTC; -1 when s is not of
 * that form. Also reads the audit trail's TIME field. */
int	app_parse_datetime(const char *s, int64_t *out);

/* Names of enum values as in the document ("rental", "salary", …). */
const char *app_role_name(enum app_role);
const char *app_housing_name(enum app_housing);
const char *app_cost_type_name(enum app_cost_type);
const char *app_income_type_name(enum app_income_type);
const char *app_asset_type_name(enum app_asset_type);
const char *app_status_kind_name(enum app_status_kind);

#endif
