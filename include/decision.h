/*
 * decision.h: the decision on one application, as data and as the XML
 * decision document (urn:bistand:decision:1, etc/decision.xsd).
 *
 * The rule engine fills a struct decision; decision_finish() then
 * applies what no rule script may decide: the outcome itself, the
 * circumstances that always reach a person, priority and due times.
 */
#ifndef BISTAND_DECISION_H
#define BISTAND_DECISION_H

#include <stddef.h>
#include <stdint.h>

#include "application.h"

#define DECISION_NS	"urn:bistand:decision:1"
#define DECISION_CODE_MAX 31

enum dec_outcome {
	DEC_GRANTED, DEC_ROUTED,		/* automated */
	DEC_PARTLY_GRANTED, DEC_DENIED		/* a caseworker only */
};

enum dec_line_kind { DEC_LINE_NORM, DEC_LINE_COST, DEC_LINE_INCOME,
	DEC_LINE_DISREGARD };

/* One calculation line. amount >= 0; the kind gives its direction:
 * need = norm + cost - income + disregard. */
struct dec_line {
	enum dec_line_kind kind;
	app_amount	 amount;
	char		*text;		/* Swedish, for the citizen */
	char		*ref;		/* legal or parameter reference */
};

struct dec_reason {
	char		 code[DECISION_CODE_MAX + 1];
	char		*text;		/* Swedish explanation */
};

/* Due times and the follow-up deadline, from the configuration. */
struct dec_policy {
	int		 due_hours;		/* routed; default 48 */
	int		 urgent_due_hours;	/* urgent; default 4 */
	int		 follow_up_days;	/* LONG_TERM; default 14 */
};

struct decision {
	char		 application_id[APP_ID_MAX + 1];
	enum dec_outcome outcome;
	char		*decided_by;	/* "automated" or a caseworker's CN */
	int64_t		 decided_at;	/* epoch seconds UTC */
	int		 has_amount;
	app_amount	 amount;	/* when granted (or partly) */
	int		 has_need;	/* 0 when no verified norm */
	app_amount	 need;
	struct dec_line	*lines;
	size_t		 nlines;
	struct dec_reason *reasons;
	size_t		 nreasons;
	int		 urgent;	/* routed: priority urgent */
	int64_t		 due;		/* routed: epoch seconds */
	int		 follow_up;	/* 1: LONG_TERM follow-up task */
	int64_t		 follow_up_due;
	char		 ruleset[65];	/* SHA-256 hex of the rule set */
	int		 norm_year;	/* 0 when none was available */
	char		*failure;	/* RULE_FAILURE: the error and its
					   traceback, for the trail only */
	char		*motivation;	/* a caseworker's decision */
};

/* Append a calculation line / a reason (text copied). 0 or -1 ENOMEM.
 * decision_add_reason ignores a code already present. */
int	decision_add_line(struct decision *, enum dec_line_kind,
	    app_amount amount, const char *text, const char *ref);
int	decision_add_reason(struct decision *, const char *code,
	    const char *text);
int	decision_has_reason(const struct decision *, const char *code);
/* The Swedish explanation the daemon itself uses for a reason code
 * (for reasons it adds on its own); NULL for an unknown code. */
const char *decision_reason_text(const char *code);
/* 1 when msg is present and holds more than white space (ASCII and
 * the common Unicode spaces): the APPLICANT_MESSAGE condition, used by
 * the rule input and by decision_finish() alike. */
int	decision_message_present(const char *msg);
/* The reason codes by number, 0 .. DECISION_NREASONS-1 (for counters):
 * the index of a code (-1 unknown), and the code of an index (NULL). */
#define DECISION_NREASONS	17
int	decision_reason_index(const char *code);
const char *decision_reason_code(int i);
/* 1 when code is one of the reason codes of application.md. */
int	decision_reason_known(const char *code);

/*
 * After the rules ran: enforce the invariants and settle the outcome.
 *  - the circumstances (VIOLENCE, CHILD_WELFARE, HEALTH, ACUTE_NEED,
 *    EVICTION_RISK, APPLICANT_MESSAGE) are added from the model
 *    whatever the scripts said;
 *  - granted, with amount = need, only when need > 0 and no reason;
 *    every other case is routed (the daemon never denies);
 *  - urgent when ACUTE_NEED, EVICTION_RISK or VIOLENCE; due times from
 *    received + policy; the LONG_TERM follow-up only on a grant.
 * 0, or -1 on ENOMEM.
 */
int	decision_finish(struct decision *, const struct application *,
	    const struct dec_policy *, int64_t received);
/* A caseworker's decision, made from the current decision document
 * doc: the same application-id, calculation, reasons, rule set, norm
 * year and appeal; outcome (DEC_GRANTED, DEC_PARTLY_GRANTED or
 * DEC_DENIED), amount (when has_amount), decided-by cn, decided-at at
 * and motivation set; priority, due and follow-up removed (decided).
 * *out malloc'ed. 0, or -1 when doc is not a decision document. */
int	decision_by_caseworker(const char *doc, size_t len,
	    enum dec_outcome outcome, int has_amount, app_amount amount,
	    const char *cn, int64_t at, const char *motivation, char **out,
	    size_t *outlen);
/* Serialise as the decision document; *out malloc'ed. 0 or -1. */
int	decision_render(const struct decision *, char **out, size_t *outlen);
void	decision_free(struct decision *);	/* contents, not d itself */
const char *decision_outcome_name(enum dec_outcome);
const char *decision_line_kind_name(enum dec_line_kind);

#endif
