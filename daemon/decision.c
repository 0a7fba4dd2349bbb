/*
 * decision.c: the decision on one application, and its XML document
 * (urn:bistand:decision:1, schema etc/decision.xsd).
 *
 * The rule scripts propose; decision_finish() disposes. It adds the
 * circumstances that must always reach a person, settles granted versus
 * routed (the daemon never denies), and sets priority and due times.
 * decision_render() writes the document with libxml2's xmlTextWriter,
 * so escaping is libxml2's business. The failure text (a script's
 * error and traceback) is for the audit trail only and never rendered.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libxml/xmlwriter.h>

#include "decision.h"

#define HOUR	((int64_t)3600)
#define DAY	(24 * HOUR)

/*
 * The reason codes of application.md, each with the explanation the
 * daemon itself gives when it adds the reason. Written for the citizen:
 * what it means and what happens next, not the rule behind it.
 */
static const struct {
	const char	*code;
	const char	*text;
} reasons[] = {
	{ "FIRST_APPLICATION", "Det här är din första ansökan om ekonomiskt "
	  "bistånd hos oss. En handläggare går igenom din situation och "
	  "dina behov tillsammans med dig." },
	/* Deliberately discreet: whoever else can see the decision (a
	 * partner on a shared device) must not learn what was reported. */
	{ "VIOLENCE", "Det finns uppgifter i din ansökan som en handläggare "
	  "behöver gå igenom med dig. En handläggare kontaktar dig så snart "
	  "som möjligt." },
	{ "CHILD_WELFARE", "Du har berättat att du är orolig för ett barn "
	  "i hushållet. En handläggare kontaktar dig för att prata om vilket "
	  "stöd ni kan behöva." },
	{ "HEALTH", "Du har berättat att sjukdom eller funktionsnedsättning "
	  "påverkar förmågan att arbeta. En handläggare går igenom vad det "
	  "betyder för din ansökan och vilket stöd du kan få." },
	{ "ACUTE_NEED", "Du har berättat att du just nu saknar pengar till "
	  "mat eller medicin. Din ansökan hanteras därför med förtur, och en "
	  "handläggare kontaktar dig så snart som möjligt." },
	{ "EVICTION_RISK", "Du har berättat att du riskerar att förlora din "
	  "bostad. Din ansökan hanteras därför med förtur, och en handläggare "
	  "kontaktar dig om vad som kan göras för att du ska få bo kvar." },
	{ "APPLICANT_MESSAGE", "Du har skrivit ett meddelande i din "
	  "ansökan. En handläggare läser det och tar hänsyn till det när "
	  "ansökan prövas." },
	{ "HOUSING_ABOVE_LIMIT", "Din boendekostnad är högre än den nivå "
	  "kommunen normalt godtar för ett hushåll av din storlek. En "
	  "handläggare prövar om hela kostnaden kan räknas med." },
	{ "COST_NEEDS_ASSESSMENT", "Du har ansökt om pengar till en kostnad "
	  "som behöver prövas särskilt, till exempel vård, medicin, "
	  "tandvård, glasögon eller möbler. En handläggare bedömer den." },
	{ "INCOME_DISCREPANCY", "De inkomster du har uppgett stämmer inte "
	  "med de uppgifter som har hämtats från andra myndigheter. En "
	  "handläggare går igenom uppgifterna och kan behöva kontakta dig." },
	{ "ASSETS", "Du eller någon i hushållet har tillgångar, till exempel "
	  "pengar på banken, ett fordon eller en fastighet. En handläggare "
	  "bedömer om de kan användas till försörjningen." },
	{ "NOT_AVAILABLE_FOR_WORK", "Den som kan arbeta behöver i regel "
	  "söka arbete och vara inskriven hos Arbetsförmedlingen för att få "
	  "ekonomiskt bistånd. En handläggare går igenom din situation med "
	  "dig." },
	{ "NO_NEED", "Enligt beräkningen räcker hushållets inkomster till "
	  "de kostnader som räknas med. Din ansökan avslås inte automatiskt: "
	  "en handläggare går igenom beräkningen och din situation." },
	{ "NO_VERIFIED_NORM", "Din ansökan kunde inte beräknas automatiskt, "
	  "eftersom det saknas fastställda belopp för det den gäller. En "
	  "handläggare beräknar och prövar ansökan." },
	{ "HOUSEHOLD_OUTSIDE_RULES", "Ditt hushåll ser ut på ett sätt som "
	  "den automatiska beräkningen inte kan hantera. En handläggare "
	  "prövar ansökan." },
	{ "DUPLICATE_PERIOD", "Vi har redan en ansökan från dig för samma "
	  "månad. En handläggare går igenom ansökningarna." },
	{ "RULE_FAILURE", "Den automatiska bedömningen kunde inte "
	  "genomföras. En handläggare prövar din ansökan i stället." },
};
#define NREASONS	(sizeof(reasons) / sizeof(reasons[0]))

/* FL (2017:900) 33 § requires it in every decision that can be
 * appealed; 44 § sets the three weeks, 43 § where the appeal is sent. */
static const char appeal_text[] =
    "Om du inte är nöjd med beslutet kan du överklaga det till "
    "förvaltningsrätten. Skriv till socialnämnden och berätta vilket "
    "beslut du överklagar och hur du vill att det ska ändras. Ditt "
    "överklagande måste ha kommit in till socialnämnden inom tre veckor "
    "från den dag du fick del av beslutet. Socialnämnden prövar först om "
    "beslutet ska ändras och skickar sedan överklagandet vidare till "
    "förvaltningsrätten. (44 § förvaltningslagen (2017:900))";

/*
 * UTF-8 encodings of the characters Unicode gives the White_Space
 * property, beyond ASCII. Zero-width characters (U+200B, U+FEFF) are
 * not White_Space and count as content: when in doubt, a person reads.
 */
static const char *const blanks[] = {
	"\xc2\x85", "\xc2\xa0", "\xe1\x9a\x80",
	"\xe2\x80\x80", "\xe2\x80\x81", "\xe2\x80\x82", "\xe2\x80\x83",
	"\xe2\x80\x84", "\xe2\x80\x85", "\xe2\x80\x86", "\xe2\x80\x87",
	"\xe2\x80\x88", "\xe2\x80\x89", "\xe2\x80\x8a",
	"\xe2\x80\xa8", "\xe2\x80\xa9", "\xe2\x80\xaf", "\xe2\x81\x9f",
	"\xe3\x80\x80",
};

int
decision_message_present(const char *s)
{
	size_t i, n;

	if (s == NULL)
		return 0;
	while (*s != '\0') {
		if (strchr(" \t\n\v\f\r", *s) != NULL) {
			s++;
			continue;
		}
		for (i = 0; i < sizeof(blanks) / sizeof(blanks[0]); i++) {
			n = strlen(blanks[i]);
			if (strncmp(s, blanks[i], n) == 0)
				break;
		}
		if (i == sizeof(blanks) / sizeof(blanks[0]))
			return 1;
		s += n;
	}
	return 0;
}

const char *
decision_reason_text(const char *code)
{
	size_t i;

	if (code == NULL)
		return NULL;
	for (i = 0; i < NREASONS; i++)
		if (strcmp(code, reasons[i].code) == 0)
			return reasons[i].text;
	return NULL;
}

int
decision_reason_known(const char *code)
{
	return decision_reason_text(code) != NULL;
}

int
decision_reason_index(const char *code)
{
	size_t i;

	for (i = 0; code != NULL && i < NREASONS; i++)
		if (strcmp(code, reasons[i].code) == 0)
			return (int)i;
	return -1;
}

const char *
decision_reason_code(int i)
{
	return i >= 0 && (size_t)i < NREASONS ? reasons[i].code : NULL;
}

int
decision_add_line(struct decision *d, enum dec_line_kind kind,
    app_amount amount, const char *text, const char *ref)
{
	struct dec_line	*l;
	char		*t = NULL, *r = NULL;
	int		 rc = -1;

	/* Copy first, so that a failure leaves d as it was. */
	if ((t = strdup(text != NULL ? text : "")) == NULL ||
	    (r = strdup(ref != NULL ? ref : "")) == NULL)
		goto err;
	l = reallocarray(d->lines, d->nlines + 1, sizeof(*l));
	if (l == NULL)
		goto err;
	d->lines = l;
	l = &d->lines[d->nlines++];
	l->kind = kind;
	l->amount = amount;
	l->text = t;
	l->ref = r;
	t = r = NULL;
	rc = 0;
 err:
	free(t);
	free(r);
	return rc;
}

/* A NULL text takes the daemon's own explanation of the code. A code
 * too long for dec_reason is refused rather than cut, so that two
 * codes can never become one. */
int
decision_add_reason(struct decision *d, const char *code, const char *text)
{
	struct dec_reason *r;
	char		*t = NULL;

	if (strlen(code) > DECISION_CODE_MAX)
		return -1;
	if (decision_has_reason(d, code))
		return 0;
	if (text == NULL && (text = decision_reason_text(code)) == NULL)
		text = "";
	if ((t = strdup(text)) == NULL)
		return -1;
	r = reallocarray(d->reasons, d->nreasons + 1, sizeof(*r));
	if (r == NULL) {
		free(t);
		return -1;
	}
	d->reasons = r;
	r = &d->reasons[d->nreasons++];
	memset(r, 0, sizeof(*r));
	memcpy(r->code, code, strlen(code));
	r->text = t;
	return 0;
}

int
decision_has_reason(const struct decision *d, const char *code)
{
	size_t i;

	for (i = 0; i < d->nreasons; i++)
		if (strcmp(d->reasons[i].code, code) == 0)
			return 1;
	return 0;
}

/* HEALTH from the labour-market statuses: an adult who is sick. */
static int
decision_adult_sick(const struct application *app)
{
	size_t i, p;

	for (i = 0; i < app->nstatuses; i++) {
		p = app->statuses[i].person;
		if (app->statuses[i].kind == APP_ST_SICK &&
		    p < app->npersons && app->persons[p].role != APP_CHILD)
			return 1;
	}
	return 0;
}

int
decision_finish(struct decision *d, const struct application *app,
    const struct dec_policy *pol, int64_t received)
{
	static const struct dec_policy defaults = { 48, 4, 14 };
	const struct {
		int		 present;
		const char	*code;
	} circ[] = {
		{ app->violence, "VIOLENCE" },
		{ app->child_welfare_concern, "CHILD_WELFARE" },
		{ app->health_limits_work || decision_adult_sick(app),
		  "HEALTH" },
		{ app->acute_need, "ACUTE_NEED" },
		{ app->eviction_risk, "EVICTION_RISK" },
		{ decision_message_present(app->message), "APPLICANT_MESSAGE" },
	};
	size_t	 i;
	int	 rc = -1;

	/* A caseworker's decision (a motivation is required for one) is
	 * final: the invariants below are about automated decisions. */
	if (d->outcome == DEC_PARTLY_GRANTED || d->outcome == DEC_DENIED ||
	    d->motivation != NULL)
		return 0;
	if (pol == NULL)
		pol = &defaults;

	/* Whatever the scripts said: these reach a person. */
	for (i = 0; i < sizeof(circ) / sizeof(circ[0]); i++)
		if (circ[i].present &&
		    decision_add_reason(d, circ[i].code, NULL) == -1)
			goto err;
	/* Routing without a reason leaves the citizen and the caseworker
	 * guessing: name it. A missing need without NO_VERIFIED_NORM is
	 * a malformed rule result (docs/rules.md), hence RULE_FAILURE. */
	if (d->has_need && d->need <= 0 &&
	    decision_add_reason(d, "NO_NEED", NULL) == -1)
		goto err;
	if (!d->has_need && !decision_has_reason(d, "NO_VERIFIED_NORM") &&
	    decision_add_reason(d, "RULE_FAILURE", NULL) == -1)
		goto err;

	if (d->decided_by == NULL &&
	    (d->decided_by = strdup("automated")) == NULL)
		goto err;
	if (d->decided_at == 0)
		d->decided_at = received;

	if (d->has_need && d->need > 0 && d->nreasons == 0) {
		d->outcome = DEC_GRANTED;
		d->has_amount = 1;
		d->amount = d->need;
		d->urgent = 0;
		d->due = 0;
		d->follow_up_due = d->follow_up ?
		    received + pol->follow_up_days * DAY : 0;
	} else {
		/* Already in front of a person: no separate follow-up. */
		d->outcome = DEC_ROUTED;
		d->has_amount = 0;
		d->amount = 0;
		d->urgent = decision_has_reason(d, "ACUTE_NEED") ||
		    decision_has_reason(d, "EVICTION_RISK") ||
		    decision_has_reason(d, "VIOLENCE");
		d->due = received + (d->urgent ? pol->urgent_due_hours :
		    pol->due_hours) * HOUR;
		d->follow_up = 0;
		d->follow_up_due = 0;
	}
	rc = 0;
 err:
	return rc;
}

/* RFC 3339 in UTC with a Z: the only form etc/decision.xsd accepts. */
static int
decision_time(int64_t t, char buf[32])
{
	struct tm	tm;
	time_t		tt = (time_t)t;

	if (gmtime_r(&tt, &tm) == NULL || tm.tm_year + 1900 < 1 ||
	    tm.tm_year + 1900 > 9999 ||
	    strftime(buf, 32, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		return -1;
	return 0;
}

static int
decision_write_time(xmlTextWriterPtr w, const char *name, int64_t t)
{
	char buf[32];

	if (decision_time(t, buf) == -1)
		return -1;
	return xmlTextWriterWriteElement(w, BAD_CAST name, BAD_CAST buf);
}

static int
decision_write_amount(xmlTextWriterPtr w, const char *name, app_amount a)
{
	return xmlTextWriterWriteFormatElement(w, BAD_CAST name, "%" PRId64,
	    (int64_t)a);
}

static int
decision_write_calculation(xmlTextWriterPtr w, const struct decision *d)
{
	const struct dec_line	*l;
	const char		*kind;
	size_t			 i;

	if (xmlTextWriterStartElement(w, BAD_CAST "calculation") < 0)
		return -1;
	for (i = 0; i < d->nlines; i++) {
		l = &d->lines[i];
		if ((kind = decision_line_kind_name(l->kind)) == NULL ||
		    xmlTextWriterStartElement(w, BAD_CAST "line") < 0 ||
		    xmlTextWriterWriteAttribute(w, BAD_CAST "kind",
		    BAD_CAST kind) < 0 ||
		    xmlTextWriterWriteFormatAttribute(w, BAD_CAST "amount",
		    "%" PRId64, (int64_t)l->amount) < 0 ||
		    xmlTextWriterWriteAttribute(w, BAD_CAST "ref",
		    BAD_CAST (l->ref != NULL ? l->ref : "")) < 0 ||
		    xmlTextWriterWriteString(w,
		    BAD_CAST (l->text != NULL ? l->text : "")) < 0 ||
		    xmlTextWriterEndElement(w) < 0)
			return -1;
	}
	if (d->has_need && decision_write_amount(w, "need", d->need) < 0)
		return -1;
	return xmlTextWriterEndElement(w);
}

/* Omitted when there is no reason (every grant): see decision.xsd. */
static int
decision_write_reasons(xmlTextWriterPtr w, const struct decision *d)
{
	const struct dec_reason	*r;
	size_t			 i;

	if (d->nreasons == 0)
		return 0;
	if (xmlTextWriterStartElement(w, BAD_CAST "reasons") < 0)
		return -1;
	for (i = 0; i < d->nreasons; i++) {
		r = &d->reasons[i];
		if (xmlTextWriterStartElement(w, BAD_CAST "reason") < 0 ||
		    xmlTextWriterWriteAttribute(w, BAD_CAST "code",
		    BAD_CAST r->code) < 0 ||
		    xmlTextWriterWriteString(w,
		    BAD_CAST (r->text != NULL ? r->text : "")) < 0 ||
		    xmlTextWriterEndElement(w) < 0)
			return -1;
	}
	return xmlTextWriterEndElement(w);
}

int
decision_render(const struct decision *d, char **out, size_t *outlen)
{
	xmlBufferPtr	 buf = NULL;
	xmlTextWriterPtr w = NULL;
	const char	*outcome;
	int		 rc = -1;

	if ((outcome = decision_outcome_name(d->outcome)) == NULL)
		goto err;
	if ((buf = xmlBufferCreate()) == NULL ||
	    (w = xmlNewTextWriterMemory(buf, 0)) == NULL)
		goto err;
	if (xmlTextWriterSetIndent(w, 1) < 0 ||
	    xmlTextWriterSetIndentString(w, BAD_CAST "  ") < 0 ||
	    xmlTextWriterStartDocument(w, "1.0", "UTF-8", NULL) < 0 ||
	    xmlTextWriterStartElementNS(w, NULL, BAD_CAST "decision",
	    BAD_CAST DECISION_NS) < 0 ||
	    xmlTextWriterWriteElement(w, BAD_CAST "application-id",
	    BAD_CAST d->application_id) < 0 ||
	    xmlTextWriterWriteElement(w, BAD_CAST "outcome",
	    BAD_CAST outcome) < 0 ||
	    xmlTextWriterWriteElement(w, BAD_CAST "decided-by",
	    BAD_CAST (d->decided_by != NULL ? d->decided_by : "automated"))
	    < 0 ||
	    decision_write_time(w, "decided-at", d->decided_at) < 0)
		goto err;
	if (d->has_amount && decision_write_amount(w, "amount", d->amount) < 0)
		goto err;
	if (decision_write_calculation(w, d) < 0 ||
	    decision_write_reasons(w, d) < 0)
		goto err;
	if (d->outcome == DEC_ROUTED &&
	    (xmlTextWriterWriteElement(w, BAD_CAST "priority",
	    BAD_CAST (d->urgent ? "urgent" : "normal")) < 0 ||
	    decision_write_time(w, "due", d->due) < 0))
		goto err;
	if (d->follow_up &&
	    (xmlTextWriterStartElement(w, BAD_CAST "follow-up") < 0 ||
	    xmlTextWriterWriteAttribute(w, BAD_CAST "code",
	    BAD_CAST "LONG_TERM") < 0 ||
	    decision_write_time(w, "due", d->follow_up_due) < 0 ||
	    xmlTextWriterEndElement(w) < 0))
		goto err;
	if (d->motivation != NULL && xmlTextWriterWriteElement(w,
	    BAD_CAST "motivation", BAD_CAST d->motivation) < 0)
		goto err;
	if (xmlTextWriterWriteElement(w, BAD_CAST "rule-set",
	    BAD_CAST d->ruleset) < 0)
		goto err;
	if (d->norm_year != 0 && xmlTextWriterWriteFormatElement(w,
	    BAD_CAST "norm-year", "%d", d->norm_year) < 0)
		goto err;
	if (xmlTextWriterWriteElement(w, BAD_CAST "appeal",
	    BAD_CAST appeal_text) < 0 ||
	    xmlTextWriterEndDocument(w) < 0)
		goto err;
	xmlFreeTextWriter(w);	/* flushes into buf */
	w = NULL;
	/* Hand the buffer's memory over (libxml2's xmlFree is free()). */
	*outlen = (size_t)xmlBufferLength(buf);
	if ((*out = (char *)xmlBufferDetach(buf)) == NULL)
		goto err;
	rc = 0;
 err:
	if (w != NULL)
		xmlFreeTextWriter(w);
	if (buf != NULL)
		xmlBufferFree(buf);
	return rc;
}

/* Safe on a zeroed or half-built decision, and twice in a row. */
void
decision_free(struct decision *d)
{
	size_t i;

	if (d == NULL)
		return;
	for (i = 0; i < d->nlines; i++) {
		free(d->lines[i].text);
		free(d->lines[i].ref);
	}
	free(d->lines);
	for (i = 0; i < d->nreasons; i++)
		free(d->reasons[i].text);
	free(d->reasons);
	free(d->decided_by);
	free(d->failure);
	free(d->motivation);
	memset(d, 0, sizeof(*d));
}

const char *
decision_outcome_name(enum dec_outcome o)
{
	switch (o) {
	case DEC_GRANTED:		return "granted";
	case DEC_ROUTED:		return "routed";
	case DEC_PARTLY_GRANTED:	return "partly-granted";
	case DEC_DENIED:		return "denied";
	}
	return NULL;
}

const char *
decision_line_kind_name(enum dec_line_kind k)
{
	switch (k) {
	case DEC_LINE_NORM:		return "norm";
	case DEC_LINE_COST:		return "cost";
	case DEC_LINE_INCOME:		return "income";
	case DEC_LINE_DISREGARD:	return "disregard";
	}
	return NULL;
}

/* Replace the text of node by text, escaped as text. */
static void
decision_set_text(xmlNodePtr n, const char *text)
{
	xmlNodeSetContent(n, NULL);
	xmlNodeAddContent(n, BAD_CAST text);
}

static xmlNodePtr
decision_new_child(xmlDocPtr doc, xmlNodePtr root, const char *name,
    const char *text)
{
	xmlNodePtr n;

	if ((n = xmlNewDocNode(doc, root->ns, BAD_CAST name, NULL)) != NULL)
		xmlNodeAddContent(n, BAD_CAST text);
	return n;
}

int
decision_by_caseworker(const char *doc, size_t len, enum dec_outcome outcome,
    int has_amount, app_amount amount, const char *cn, int64_t at,
    const char *motivation, char **out, size_t *outlen)
{
	xmlDocPtr	 d = NULL;
	xmlNodePtr	 root, n, next, decided_at = NULL, rule_set = NULL;
	xmlChar		*mem = NULL;
	char		 buf[64];
	int		 n_out, rc = -1;

	/* Our own document from the trail, read as plainly as can be. */
	if (len > INT32_MAX || (d = xmlReadMemory(doc, (int)len, NULL, "UTF-8",
	    XML_PARSE_NONET | XML_PARSE_NOBLANKS | XML_PARSE_NOERROR |
	    XML_PARSE_NOWARNING)) == NULL ||
	    (root = xmlDocGetRootElement(d)) == NULL ||
	    xmlStrcmp(root->name, BAD_CAST "decision") != 0)
		goto out;
	for (n = root->children; n != NULL; n = next) {
		next = n->next;
		if (n->type != XML_ELEMENT_NODE)
			continue;
		if (xmlStrcmp(n->name, BAD_CAST "outcome") == 0)
			decision_set_text(n, decision_outcome_name(outcome));
		else if (xmlStrcmp(n->name, BAD_CAST "decided-by") == 0)
			decision_set_text(n, cn);
		else if (xmlStrcmp(n->name, BAD_CAST "decided-at") == 0) {
			if (decision_time(at, buf) == -1)
				goto out;
			decision_set_text(n, buf);
			decided_at = n;
		} else if (xmlStrcmp(n->name, BAD_CAST "rule-set") == 0)
			rule_set = n;
		else if (xmlStrcmp(n->name, BAD_CAST "amount") == 0 ||
		    xmlStrcmp(n->name, BAD_CAST "priority") == 0 ||
		    xmlStrcmp(n->name, BAD_CAST "due") == 0 ||
		    xmlStrcmp(n->name, BAD_CAST "follow-up") == 0 ||
		    xmlStrcmp(n->name, BAD_CAST "motivation") == 0) {
			xmlUnlinkNode(n);
			xmlFreeNode(n);
		}
	}
	if (decided_at == NULL || rule_set == NULL)
		goto out;
	if (has_amount) {
		snprintf(buf, sizeof(buf), "%lld", (long long)amount);
		if ((n = decision_new_child(d, root, "amount", buf)) == NULL ||
		    xmlAddNextSibling(decided_at, n) == NULL)
			goto out;
	}
	if ((n = decision_new_child(d, root, "motivation", motivation)) ==
	    NULL || xmlAddPrevSibling(rule_set, n) == NULL)
		goto out;
	xmlDocDumpFormatMemoryEnc(d, &mem, &n_out, "UTF-8", 1);
	if (mem == NULL || (*out = malloc((size_t)n_out)) == NULL)
		goto out;
	memcpy(*out, mem, (size_t)n_out);
	*outlen = (size_t)n_out;
	rc = 0;
 out:
	xmlFree(mem);
	if (d != NULL)
		xmlFreeDoc(d);
	return rc;
}
