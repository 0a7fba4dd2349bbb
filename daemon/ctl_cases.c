/*
 * ctl_cases.c: the caseworker's commands (docs/caseworker-api.md),
 * over the HTTPS client of ctl_client.c.
 *
 *   queue [filters]              GET  /v1/queue, as a table
 *   case show ID                 GET  /v1/cases/ID, laid out for a person
 *   claim ID | release ID        POST /v1/cases/ID/claim | /release
 *   assign ID --to CN            POST /v1/cases/ID/assign
 *   complete ID --note TEXT      POST /v1/cases/ID/complete
 *   decide ID --outcome ...      POST /v1/cases/ID/decision
 *
 * Names and personnummer are shown here, to the caseworker whose tool
 * this is; bistandctl logs nothing. The texts of the answers (names,
 * messages, descriptions, motivations, notes, identities) are printed
 * with ctl_put(), so that none of them can drive the terminal. Exit 0 done, 1 refused by the server (its error
 * code and message are printed), 2 usage or connection error.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/tree.h>

#include "ctl.h"
#include "pnr.h"

#define CW_NS		"urn:bistand:caseworker:1"
#define DECISION_NS	"urn:bistand:decision:1"
#define TEXT_MAX	10000		/* characters: motivation, note */
#define WRAP		76		/* columns for running text */

static const char exit_help[] =
    "Exit 0 when done, 1 when the server refused (its error code and "
    "message are\nprinted), 2 on a usage, configuration or connection "
    "error.\n";

/* --- text layout ------------------------------------------------- */

/*
 * Running text (a message, a motivation, an explanation), wrapped at
 * WRAP columns. The cursor is at column col of the current line (0: at
 * the start of one, then indent is printed first); each further line
 * starts with indent. The writer's own line breaks are kept.
 */
static void
cases_wrap(const char *s, int col, const char *indent)
{
	const char	*p, *eol, *w, *we, *sp;
	char		*word;
	int		 ww, ind = ctl_width(indent), start;

	if (col == 0) {
		fputs(indent, stdout);
		col = ind;
	}
	for (p = s; *p != '\0'; p = *eol ? eol + 1 : eol) {
		if (p != s) {
			printf("\n%s", indent);
			col = ind;
		}
		start = col;
		if ((eol = strchr(p, '\n')) == NULL)
			eol = p + strlen(p);
		for (w = p; w < eol; w = we) {
			for (sp = w; sp < eol && (*sp == ' ' || *sp == '\t' ||
			    *sp == '\r'); sp++)
				;
			for (we = sp; we < eol && *we != ' ' &&
			    *we != '\t' && *we != '\r'; we++)
				;
			if (we == sp)
				break;
			if ((word = strndup(sp, (size_t)(we - sp))) == NULL)
				return;
			ww = ctl_width(word);
			if (col > start && col + 1 + ww > WRAP) {
				printf("\n%s", indent);
				col = start = ind;
			} else if (col > start) {
				putchar(' ');
				col++;
			}
			ctl_put(stdout, word, 1);
			col += ww;
			free(word);
		}
	}
	putchar('\n');
}

/* "label  value" on one line; nothing when value is NULL. */
static void
cases_field(const char *label, const char *value)
{
	if (value == NULL)
		return;
	printf("  %-11s ", label);
	ctl_put(stdout, value, 1);
	putchar('\n');
}

static const char *
cases_yesno(const char *b)
{
	if (b == NULL)
		return "-";
	return strcmp(b, "true") == 0 || strcmp(b, "1") == 0 ? "YES" : "no";
}

/* "claimed by handlaggare1", "open", ... for an item. */
static const char *
cases_state(struct ctl_doc *d, xmlNodePtr item, char *buf, size_t len)
{
	const char *st = ctl_attr(d, item, "state");
	const char *who = ctl_ctext(d, item, "assignee");

	if (st == NULL)
		st = "?";
	if (who != NULL && strcmp(st, "claimed") == 0)
		snprintf(buf, len, "claimed by %s", who);
	else
		snprintf(buf, len, "%s", st);
	return buf;
}

static int
cases_overdue(struct ctl_doc *d, xmlNodePtr item)
{
	const char *o = ctl_attr(d, item, "overdue");

	return o != NULL && (strcmp(o, "true") == 0 || strcmp(o, "1") == 0);
}

/* --- queue ------------------------------------------------------- */

static void
queue_usage(FILE *f)
{
	fprintf(f, "usage: bistandctl queue [--state open|claimed|all] "
	    "[--priority urgent|normal]\n"
	    "                       [--mine | --assignee CN] [--overdue] "
	    "[--kind case|follow-up]\n"
	    "                       [--limit N] [connection options]\n\n"
	    "Lists the caseworkers' queue (GET /v1/queue): routed cases and "
	    "follow-up\ntasks, urgent first, then by due time. Times are "
	    "local; OVERDUE marks an\nitem past its due time.\n\n"
	    "  --state S       open, claimed or all (default all)\n"
	    "  --priority P    urgent or normal\n"
	    "  --mine          only what you hold\n"
	    "  --assignee CN   only what CN holds\n"
	    "  --overdue       only items past their due time\n"
	    "  --kind K        case or follow-up\n"
	    "  --limit N       at most N items (default 100, at most "
	    "10000)\n%s\n%s", ctl_conn_help, exit_help);
}

static int
queue_one_of(const char *opt, const char *v, const char *a, const char *b,
    const char *c)
{
	if (strcmp(v, a) == 0 || strcmp(v, b) == 0 ||
	    (c != NULL && strcmp(v, c) == 0))
		return 0;
	fprintf(stderr, "bistandctl: --%s %s: one of %s, %s%s%s\n", opt, v,
	    a, b, c ? ", " : "", c ? c : "");
	return -1;
}

/* The table: widths from the answer itself, reasons last. */
static void
queue_print(struct ctl_doc *d)
{
	static const char *const head[] = { "ID", "KIND", "PRIORITY", "DUE",
	    "STATE", "PREFERRED", "REASONS" };
	xmlNodePtr	 it;
	char		 due[64], st[128], when[32];
	const char	*count, *total, *cell[6];
	int		 w[6], i, n = 0;

	for (i = 0; i < 6; i++)
		w[i] = ctl_width(head[i]);
	for (it = ctl_child(d->root, "item"); it; it = ctl_next(it, "item")) {
		snprintf(due, sizeof(due), "%s%s", ctl_when(ctl_ctext(d, it,
		    "due"), when, sizeof(when)), cases_overdue(d, it) ?
		    " OVERDUE" : "");
		cell[0] = ctl_attr(d, it, "id");
		cell[1] = ctl_attr(d, it, "kind");
		cell[2] = ctl_attr(d, it, "priority");
		cell[3] = due;
		cell[4] = cases_state(d, it, st, sizeof(st));
		cell[5] = ctl_ctext(d, it, "preferred-caseworker");
		for (i = 0; i < 6; i++)
			if (cell[i] != NULL && ctl_width(cell[i]) > w[i])
				w[i] = ctl_width(cell[i]);
		n++;
	}
	count = ctl_attr(d, d->root, "count");
	total = ctl_attr(d, d->root, "total");
	if (n == 0) {
		printf("no items\n");
		return;
	}
	for (i = 0; i < 7; i++) {
		ctl_cell(head[i], i < 6 ? w[i] + 2 : 0);
	}
	putchar('\n');
	for (it = ctl_child(d->root, "item"); it; it = ctl_next(it, "item")) {
		snprintf(due, sizeof(due), "%s%s", ctl_when(ctl_ctext(d, it,
		    "due"), when, sizeof(when)), cases_overdue(d, it) ?
		    " OVERDUE" : "");
		ctl_cell(ctl_attr(d, it, "id"), w[0] + 2);
		ctl_cell(ctl_attr(d, it, "kind"), w[1] + 2);
		ctl_cell(ctl_attr(d, it, "priority"), w[2] + 2);
		ctl_cell(due, w[3] + 2);
		ctl_cell(cases_state(d, it, st, sizeof(st)), w[4] + 2);
		ctl_cell(ctl_ctext(d, it, "preferred-caseworker"), w[5] + 2);
		ctl_cell(ctl_ctext(d, it, "reasons"), 0);
		putchar('\n');
	}
	printf("%s of %s item%s\n", count ? count : "?", total ? total : "?",
	    total && strcmp(total, "1") == 0 ? "" : "s");
}

int
ctl_queue(int argc, char *argv[])
{
	static const struct option opts[] = {
		{ "state", required_argument, NULL, 's' },
		{ "priority", required_argument, NULL, 'p' },
		{ "mine", no_argument, NULL, 'm' },
		{ "assignee", required_argument, NULL, 'a' },
		{ "overdue", no_argument, NULL, 'o' },
		{ "kind", required_argument, NULL, 'k' },
		{ "limit", required_argument, NULL, 'l' },
		{ "help", no_argument, NULL, 'h' },
		CTL_CONN_OPTS,
		{ NULL, 0, NULL, 0 }
	};
	struct ctl_conn		 conn;
	struct ctl_client	*cl = NULL;
	struct ctl_reply	 r;
	struct ctl_doc		 d;
	const char		*state = NULL, *prio = NULL, *who = NULL;
	const char		*kind = NULL, *limit = NULL;
	char			*path = NULL, *end;
	unsigned long		 n;
	int			 ch, rc = 2, used, overdue = 0;

	memset(&conn, 0, sizeof(conn));
	memset(&r, 0, sizeof(r));
	memset(&d, 0, sizeof(d));
	while ((ch = getopt_long(argc, argv, "c:h", opts, NULL)) != -1) {
		if ((used = ctl_conn_opt(&conn, ch, optarg)) == -1)
			goto out;
		if (used)
			continue;
		switch (ch) {
		case 's':
			if (queue_one_of("state", optarg, "open", "claimed",
			    "all") == -1)
				goto out;
			state = optarg;
			break;
		case 'p':
			if (queue_one_of("priority", optarg, "urgent",
			    "normal", NULL) == -1)
				goto out;
			prio = optarg;
			break;
		case 'k':
			if (queue_one_of("kind", optarg, "case", "follow-up",
			    NULL) == -1)
				goto out;
			kind = optarg;
			break;
		case 'm':
		case 'a':
			if (who != NULL) {
				fprintf(stderr, "bistandctl: --mine and "
				    "--assignee: one of them\n");
				goto out;
			}
			who = ch == 'm' ? "me" : optarg;
			break;
		case 'o':
			overdue = 1;
			break;
		case 'l':
			errno = 0;
			n = strtoul(optarg, &end, 10);
			if (optarg[0] < '1' || optarg[0] > '9' ||
			    *end != '\0' || errno != 0 || n > 10000) {
				fprintf(stderr, "bistandctl: --limit %s: 1 to "
				    "10000\n", optarg);
				goto out;
			}
			limit = optarg;
			break;
		case 'h':
			queue_usage(stdout);
			rc = 0;
			goto out;
		default:
			queue_usage(stderr);
			goto out;
		}
	}
	if (optind != argc) {
		queue_usage(stderr);
		goto out;
	}
	if ((path = strdup("/v1/queue")) == NULL ||
	    (state && ctl_query_add(&path, "state", state) == -1) ||
	    (prio && ctl_query_add(&path, "priority", prio) == -1) ||
	    (who && ctl_query_add(&path, "assignee", who) == -1) ||
	    (overdue && ctl_query_add(&path, "overdue", "true") == -1) ||
	    (kind && ctl_query_add(&path, "kind", kind) == -1) ||
	    (limit && ctl_query_add(&path, "limit", limit) == -1)) {
		fprintf(stderr, "bistandctl: out of memory\n");
		goto out;
	}
	if ((cl = ctl_client_open(&conn)) == NULL)
		goto out;
	if ((rc = ctl_client_call(cl, EVHTTP_REQ_GET, path, NULL, 0, &r)) !=
	    0)
		goto out;
	if (ctl_doc_parse(&d, r.body, r.len, "queue") == -1) {
		fprintf(stderr, "bistandctl: the answer is not a queue "
		    "document\n");
		rc = 2;
		goto out;
	}
	queue_print(&d);
 out:
	ctl_doc_free(&d);
	ctl_reply_free(&r);
	free(path);
	ctl_client_free(cl);
	ctl_conn_free(&conn);
	return rc;
}

/* --- case show --------------------------------------------------- */

/* The document inside a part of <case>: its element child of the same
 * name (the application and decision documents are inlined as they
 * are), the part itself when its children are the document's, or its
 * text parsed as XML should it come escaped. NULL when it is empty. */
static xmlNodePtr
show_part(struct ctl_doc *d, struct ctl_doc *own, const char *name)
{
	xmlNodePtr	 n, c;
	const char	*t;

	if ((n = ctl_child(d->root, name)) == NULL)
		return NULL;
	if ((c = ctl_child(n, NULL)) != NULL)
		return xmlStrEqual(c->name, BAD_CAST name) ? c : n;
	if ((t = ctl_text(d, n)) != NULL && strchr(t, '<') != NULL &&
	    ctl_doc_parse(own, t, strlen(t), name) == 0)
		return own->root;
	return NULL;		/* empty: e.g. removed by retention */
}

static void
show_item(struct ctl_doc *d, xmlNodePtr item, const char *id)
{
	char		 st[128], b1[32], b2[32];
	const char	*at;

	printf("CASE %s", id);
	if (item == NULL) {
		printf("  (not in the queue)\n");
		return;
	}
	snprintf(b2, sizeof(b2), "%s", ctl_attr(d, item, "kind") ?
	    ctl_attr(d, item, "kind") : "?");
	printf("  ");
	ctl_put(stdout, b2, 1);
	snprintf(b2, sizeof(b2), "%s", ctl_attr(d, item, "priority") ?
	    ctl_attr(d, item, "priority") : "?");
	printf(", ");
	ctl_put(stdout, b2, 1);
	printf(", ");
	ctl_put(stdout, cases_state(d, item, st, sizeof(st)), 1);
	if ((at = ctl_ctext(d, item, "claimed-at")) != NULL)
		printf(" since %s", ctl_when(at, b1, sizeof(b1)));
	putchar('\n');
	cases_field("received", ctl_ctext(d, item, "received") ? ctl_when(
	    ctl_ctext(d, item, "received"), b1, sizeof(b1)) : NULL);
	if (ctl_ctext(d, item, "due") != NULL) {
		snprintf(st, sizeof(st), "%s%s", ctl_when(ctl_ctext(d, item,
		    "due"), b2, sizeof(b2)), cases_overdue(d, item) ?
		    "  OVERDUE" : "");
		cases_field("due", st);
	}
	cases_field("preferred", ctl_ctext(d, item, "preferred-caseworker"));
	cases_field("reasons", ctl_ctext(d, item, "reasons"));
}

/* The name of the household member with personnummer pnr. */
static const char *
show_name(struct ctl_doc *d, xmlNodePtr app, const char *pnr)
{
	xmlNodePtr	 p;
	const char	*v;

	p = ctl_child(ctl_child(app, "household"), "person");
	for (; p != NULL; p = ctl_next(p, "person"))
		if ((v = ctl_ctext(d, p, "personnummer")) != NULL &&
		    pnr != NULL && strcmp(v, pnr) == 0)
			return ctl_ctext(d, p, "name") ?
			    ctl_ctext(d, p, "name") : pnr;
	return pnr;
}

static void
show_household(struct ctl_doc *d, xmlNodePtr app)
{
	struct pnr_date	 bd;
	xmlNodePtr	 hh, p;
	const char	*per, *pnr, *why, *v;
	char		 age[32];
	int		 y = 0, m = 0, wn = 4;

	if ((per = ctl_ctext(d, app, "period")) != NULL)
		sscanf(per, "%4d-%2d", &y, &m);
	hh = ctl_child(app, "household");
	for (p = ctl_child(hh, "person"); p; p = ctl_next(p, "person"))
		if ((v = ctl_ctext(d, p, "name")) != NULL &&
		    ctl_width(v) > wn)
			wn = ctl_width(v);
	printf("Household\n");
	for (p = ctl_child(hh, "person"); p; p = ctl_next(p, "person")) {
		pnr = ctl_ctext(d, p, "personnummer");
		age[0] = '\0';
		if (pnr != NULL && y > 0 && pnr_check(pnr, &bd, &why) == 0)
			snprintf(age, sizeof(age), "%3d years",
			    pnr_age_on(&bd, y, m, 1));
		printf("  ");
		ctl_cell(ctl_attr(d, p, "role"), 11);
		ctl_cell(ctl_ctext(d, p, "name"), wn + 2);
		ctl_cell(pnr, 14);
		printf("%s", age);
		if ((v = ctl_ctext(d, p, "days-in-household")) != NULL) {
			printf(", %s days in the household", v);
		}
		if ((v = ctl_ctext(d, p, "lunch-outside-home")) != NULL)
			printf(", lunch outside home: %s", cases_yesno(v));
		putchar('\n');
	}
	if ((v = ctl_ctext(d, hh, "other-residents")) != NULL &&
	    strcmp(v, "0") != 0) {
		printf("  other residents in the dwelling: ");
		ctl_put(stdout, v, 1);
		putchar('\n');
	}
}

static void
show_housing(struct ctl_doc *d, xmlNodePtr app)
{
	static const char *const parts[] = { "cost", "electricity",
	    "insurance" };
	xmlNodePtr	 h = ctl_child(app, "housing");
	const char	*v;
	char		 k[32];
	size_t		 i;

	printf("Housing      ");
	ctl_put(stdout, ctl_ctext(d, h, "type") ? ctl_ctext(d, h, "type") :
	    "-", 1);
	for (i = 0; i < 3; i++)
		if ((v = ctl_ctext(d, h, parts[i])) != NULL)
			printf(", %s %s kr", i == 0 ? "housing cost" :
			    parts[i], ctl_kronor(v, k, sizeof(k)));
	putchar('\n');
}

/* Costs, incomes and assets: one line each, amounts right-aligned. */
static void
show_amounts(struct ctl_doc *d, xmlNodePtr app)
{
	xmlNodePtr	 l, e;
	const char	*v, *who;
	char		 k[32];

	l = ctl_child(app, "costs");
	printf("Costs%s\n", ctl_child(l, "cost") ? "" : "        none");
	for (e = ctl_child(l, "cost"); e; e = ctl_next(e, "cost")) {
		printf("  ");
		ctl_cell(ctl_attr(d, e, "type"), 22);
		printf("%10s kr  ", ctl_kronor(ctl_text(d, e), k, sizeof(k)));
		if ((v = ctl_attr(d, e, "description")) != NULL)
			ctl_put(stdout, v, 1);
		putchar('\n');
	}
	l = ctl_child(app, "incomes");
	printf("Incomes%s\n", ctl_child(l, "income") ? "" : "      none");
	for (e = ctl_child(l, "income"); e; e = ctl_next(e, "income")) {
		who = show_name(d, app, ctl_attr(d, e, "person"));
		printf("  ");
		ctl_cell(ctl_attr(d, e, "type"), 22);
		printf("%10s kr  %-9s ", ctl_kronor(ctl_text(d, e), k,
		    sizeof(k)), ctl_attr(d, e, "source") ?
		    ctl_attr(d, e, "source") : "declared");
		ctl_put(stdout, who ? who : "-", 1);
		putchar('\n');
	}
	l = ctl_child(app, "assets");
	printf("Assets%s\n", ctl_child(l, "asset") ? "" : "       none");
	for (e = ctl_child(l, "asset"); e; e = ctl_next(e, "asset")) {
		printf("  ");
		ctl_cell(ctl_attr(d, e, "type"), 22);
		printf("%10s kr\n", ctl_kronor(ctl_text(d, e), k, sizeof(k)));
	}
	l = ctl_child(app, "labour-market");
	if ((e = ctl_child(l, "status")) != NULL)
		printf("Labour market\n");
	for (; e; e = ctl_next(e, "status")) {
		printf("  ");
		ctl_cell(ctl_attr(d, e, "kind"), 22);
		ctl_put(stdout, show_name(d, app, ctl_attr(d, e, "person")) ?
		    show_name(d, app, ctl_attr(d, e, "person")) : "-", 1);
		v = ctl_attr(d, e, "registered-employment-service");
		if (v != NULL && strcmp(cases_yesno(v), "YES") == 0)
			printf(" (registered with Arbetsförmedlingen)");
		putchar('\n');
	}
}

static void
show_circumstances(struct ctl_doc *d, xmlNodePtr app)
{
	static const char *const flags[][2] = {
		{ "violence", "violence" },
		{ "child-welfare-concern", "child welfare concern" },
		{ "health-limits-work", "health limits work" },
		{ "acute-need", "acute need" },
		{ "eviction-risk", "eviction risk" },
	};
	xmlNodePtr	 c = ctl_child(app, "circumstances"), m;
	const char	*v;
	size_t		 i;

	printf("Circumstances\n ");
	for (i = 0; i < 5; i++)
		printf(" %s: %s%s", flags[i][1], cases_yesno(ctl_ctext(d, c,
		    flags[i][0])), i < 4 ? "," : "\n");
	if ((v = ctl_ctext(d, c, "message")) != NULL) {
		printf("  The applicant's message:\n");
		cases_wrap(v, 0, "    | ");
	}
	if ((m = ctl_child(ctl_child(app, "history"), "month")) != NULL) {
		printf("Earlier months with försörjningsstöd:");
		for (; m != NULL; m = ctl_next(m, "month")) {
			putchar(' ');
			ctl_put(stdout, ctl_text(d, m) ? ctl_text(d, m) : "-",
			    1);
		}
		putchar('\n');
	}
}

static void
show_application(struct ctl_doc *d, xmlNodePtr app)
{
	char b[32];

	putchar('\n');
	if (app == NULL) {
		printf("APPLICATION  (not stored any more)\n");
		return;
	}
	printf("APPLICATION  submitted %s, period %s, municipality %s\n",
	    ctl_when(ctl_ctext(d, app, "submitted"), b, sizeof(b)),
	    ctl_ctext(d, app, "period") ? ctl_ctext(d, app, "period") : "-",
	    ctl_ctext(d, app, "municipality") ?
	    ctl_ctext(d, app, "municipality") : "-");
	show_household(d, app);
	show_housing(d, app);
	show_amounts(d, app);
	show_circumstances(d, app);
}

static void
show_decision(struct ctl_doc *d, xmlNodePtr dec)
{
	xmlNodePtr	 calc, l, r;
	const char	*v, *kind;
	char		 k[32], b[32], sig[40];
	int		 wc = 4;

	putchar('\n');
	if (dec == NULL) {
		printf("DECISION  (none yet)\n");
		return;
	}
	printf("DECISION  %s", ctl_ctext(d, dec, "outcome") ?
	    ctl_ctext(d, dec, "outcome") : "?");
	if ((v = ctl_ctext(d, dec, "amount")) != NULL)
		printf(", %s kr", ctl_kronor(v, k, sizeof(k)));
	printf(", by ");
	ctl_put(stdout, ctl_ctext(d, dec, "decided-by") ?
	    ctl_ctext(d, dec, "decided-by") : "?", 1);
	printf(" at %s\n", ctl_when(ctl_ctext(d, dec, "decided-at"), b,
	    sizeof(b)));
	calc = ctl_child(dec, "calculation");
	printf("Calculation%s\n", ctl_child(calc, NULL) ? "" : "  none");
	for (l = ctl_child(calc, "line"); l; l = ctl_next(l, "line"))
		if (ctl_text(d, l) && ctl_width(ctl_text(d, l)) > wc)
			wc = ctl_width(ctl_text(d, l));
	if (wc > 44)
		wc = 44;
	/* need = norm + cost - income + disregard: incomes with a minus.
	 * The legal reference after the label, or under it when the label
	 * is longer than the column. */
	for (l = ctl_child(calc, "line"); l; l = ctl_next(l, "line")) {
		kind = ctl_attr(d, l, "kind");
		snprintf(sig, sizeof(sig), "%s%s", kind && strcmp(kind,
		    "income") == 0 ? "-" : "", ctl_kronor(ctl_attr(d, l,
		    "amount"), k, sizeof(k)));
		printf("  ");
		ctl_cell(kind, 10);
		printf("%11s kr  ", sig);
		v = ctl_text(d, l) ? ctl_text(d, l) : "";
		ctl_put(stdout, v, 1);
		if (ctl_attr(d, l, "ref") != NULL) {
			if (ctl_width(v) > wc)
				printf("\n%*s", 28 + wc, "");
			else
				printf("%*s", wc - ctl_width(v), "");
			printf("  [");
			ctl_put(stdout, ctl_attr(d, l, "ref"), 1);
			putchar(']');
		}
		putchar('\n');
	}
	if ((v = ctl_ctext(d, calc, "need")) != NULL)
		printf("  %-10s%11s kr\n", "need", ctl_kronor(v, k,
		    sizeof(k)));
	if ((r = ctl_child(ctl_child(dec, "reasons"), "reason")) != NULL)
		printf("Reasons\n");
	for (; r != NULL; r = ctl_next(r, "reason")) {
		printf("  ");
		ctl_cell(ctl_attr(d, r, "code"), 24);
		cases_wrap(ctl_text(d, r) ? ctl_text(d, r) : "", 26,
		    "                          ");
	}
	if ((v = ctl_ctext(d, dec, "priority")) != NULL)
		printf("Priority     %s, due %s\n", v, ctl_when(ctl_ctext(d,
		    dec, "due"), b, sizeof(b)));
	if ((l = ctl_child(dec, "follow-up")) != NULL)
		printf("Follow-up    %s, due %s\n", ctl_attr(d, l, "code") ?
		    ctl_attr(d, l, "code") : "?", ctl_when(ctl_ctext(d, l,
		    "due"), b, sizeof(b)));
	if ((v = ctl_ctext(d, dec, "rule-set")) != NULL)
		printf("Rule set     %.12s, norm year %s\n", v,
		    ctl_ctext(d, dec, "norm-year") ?
		    ctl_ctext(d, dec, "norm-year") : "-");
	if ((v = ctl_ctext(d, dec, "motivation")) != NULL) {
		printf("Motivation\n");
		cases_wrap(v, 0, "    ");
	}
}

static void
show_history(struct ctl_doc *d, xmlNodePtr h)
{
	xmlNodePtr	 e;
	const char	*v;
	char		 b[32];

	putchar('\n');
	printf("HISTORY%s\n", ctl_child(h, "event") ? "" : "  none");
	for (e = ctl_child(h, "event"); e; e = ctl_next(e, "event")) {
		printf("  #%-6s %s  ", ctl_attr(d, e, "seq") ?
		    ctl_attr(d, e, "seq") : "?", ctl_when(ctl_attr(d, e,
		    "time"), b, sizeof(b)));
		ctl_cell(ctl_attr(d, e, "type"), 12);
		ctl_put(stdout, ctl_attr(d, e, "actor") ?
		    ctl_attr(d, e, "actor") : "-", 1);
		if ((v = ctl_text(d, e)) != NULL && *v != '\0') {
			printf("  ");
			ctl_put(stdout, v, 1);
		}
		putchar('\n');
	}
}

static void
case_usage(FILE *f)
{
	fprintf(f, "usage: bistandctl case show ID [connection options]\n\n"
	    "Shows a case for the caseworker (GET /v1/cases/ID): the queue "
	    "item, the\napplication (household with names, personnummer and "
	    "ages, housing, costs,\nincomes, assets, circumstances and the "
	    "applicant's message), the current\ndecision with its "
	    "calculation and reasons, and the case history.\n\n%s\n%s",
	    ctl_conn_help, exit_help);
}

int
ctl_case(int argc, char *argv[])
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		CTL_CONN_OPTS,
		{ NULL, 0, NULL, 0 }
	};
	struct ctl_conn		 conn;
	struct ctl_client	*cl = NULL;
	struct ctl_reply	 r;
	struct ctl_doc		 d, da, dd;
	char			*path = NULL;
	const char		*id;
	int			 ch, rc = 2, used;

	memset(&conn, 0, sizeof(conn));
	memset(&r, 0, sizeof(r));
	memset(&d, 0, sizeof(d));
	memset(&da, 0, sizeof(da));
	memset(&dd, 0, sizeof(dd));
	while ((ch = getopt_long(argc, argv, "c:h", opts, NULL)) != -1) {
		if ((used = ctl_conn_opt(&conn, ch, optarg)) == -1)
			goto out;
		if (used)
			continue;
		if (ch == 'h') {
			case_usage(stdout);
			rc = 0;
		} else
			case_usage(stderr);
		goto out;
	}
	if (optind != argc - 2 || strcmp(argv[optind], "show") != 0) {
		case_usage(stderr);
		goto out;
	}
	id = argv[optind + 1];
	if (!ctl_id_ok(id))
		goto out;
	if (asprintf(&path, "/v1/cases/%s", id) == -1) {
		path = NULL;
		goto out;
	}
	if ((cl = ctl_client_open(&conn)) == NULL)
		goto out;
	if ((rc = ctl_client_call(cl, EVHTTP_REQ_GET, path, NULL, 0, &r)) !=
	    0)
		goto out;
	if (ctl_doc_parse(&d, r.body, r.len, "case") == -1) {
		fprintf(stderr, "bistandctl: the answer is not a case "
		    "document\n");
		rc = 2;
		goto out;
	}
	show_item(&d, ctl_child(d.root, "item"), id);
	show_application(&d, show_part(&d, &da, "application"));
	show_decision(&d, show_part(&d, &dd, "decision"));
	show_history(&d, ctl_child(d.root, "history"));
 out:
	ctl_doc_free(&dd);
	ctl_doc_free(&da);
	ctl_doc_free(&d);
	ctl_reply_free(&r);
	free(path);
	ctl_client_free(cl);
	ctl_conn_free(&conn);
	return rc;
}

/* --- claim, release, assign, complete, decide -------------------- */

#define A_TO		0x01
#define A_NOTE		0x02
#define A_DECIDE	0x04

static const struct action {
	const char	*name;
	const char	*route;		/* POST /v1/cases/ID/route */
	unsigned	 opts;
	const char	*synopsis;
	const char	*what;
} actions[] = {
	{ "claim", "claim", 0, "claim ID",
	  "Takes a case or follow-up task (POST /v1/cases/ID/claim): it is "
	  "yours alone\nuntil you release, assign or decide it, or the claim "
	  "has been idle for the\nserver's claim_idle_minutes. Claiming "
	  "your own claim again renews it.\n" },
	{ "release", "release", 0, "release ID",
	  "Gives a claimed item back to the queue (POST "
	  "/v1/cases/ID/release).\n" },
	{ "assign", "assign", A_TO, "assign ID --to CN",
	  "Hands an item you hold to a colleague (POST "
	  "/v1/cases/ID/assign): it is\nthen claimed by CN.\n\n"
	  "  --to CN         the colleague's certificate CN\n" },
	{ "complete", "complete", A_NOTE,
	  "complete ID (--note TEXT | --note-file FILE)",
	  "Completes a follow-up task you hold with a note (POST "
	  "/v1/cases/ID/complete);\nfor follow-up tasks only, not a "
	  "decision.\n\n"
	  "  --note TEXT       the note, at most 10 000 characters\n"
	  "  --note-file FILE  the note from a file ('-': standard input)\n" },
	{ "decide", "decision", A_DECIDE,
	  "decide ID --outcome granted|partly-granted|denied [--amount N]\n"
	  "                         (--motivation TEXT | --motivation-file "
	  "FILE)",
	  "Decides a case you hold (POST /v1/cases/ID/decision). The "
	  "decision replaces\nthe automated one, keeps its calculation "
	  "and reasons, and is what the\ne-service shows the applicant.\n\n"
	  "  --outcome O       granted, partly-granted or denied\n"
	  "  --amount N        kronor for the month; required for a "
	  "grant, not given\n"
	  "                    for a denial\n"
	  "  --motivation TEXT the reasons for the decision "
	  "(Förvaltningslagen 32 §),\n"
	  "                    required, at most 10 000 characters\n"
	  "  --motivation-file FILE  the same from a file ('-': standard "
	  "input)\n" },
};
#define NACTIONS	(sizeof(actions) / sizeof(actions[0]))

static void
action_usage(const struct action *a, FILE *f)
{
	fprintf(f, "usage: bistandctl %s [connection options]\n\n%s\n%s\n%s",
	    a->synopsis, a->what, ctl_conn_help, exit_help);
}

/* A text from an option or a file (--note-file, --motivation-file);
 * one trailing newline of a file is dropped. *out is the caller's. */
static int
action_text(const char *opt, const char *text, const char *file,
    size_t max, char **out)
{
	const char	*why;
	size_t		 len;

	if ((text == NULL) == (file == NULL)) {
		fprintf(stderr, "bistandctl: give --%s TEXT or --%s-file FILE"
		    "\n", opt, opt);
		return -1;
	}
	if (text != NULL) {
		if ((*out = strdup(text)) == NULL)
			return -1;
	} else {
		if (ctl_read(file, out, &len) == -1) {
			fprintf(stderr, "bistandctl: %s: %s\n", file,
			    strerror(errno));
			return -1;
		}
		if (memchr(*out, '\0', len) != NULL) {
			fprintf(stderr, "bistandctl: %s: a NUL byte: not "
			    "text\n", file);
			goto bad;
		}
		(*out)[len] = '\0';	/* ctl_read leaves room */
		if (len > 0 && (*out)[len - 1] == '\n')
			(*out)[--len] = '\0';
	}
	if ((why = ctl_text_check(*out, max)) != NULL) {
		fprintf(stderr, "bistandctl: the %s %s%s\n", opt, why,
		    strcmp(why, "is too long") == 0 ? " (at most 10 000 "
		    "characters)" : "");
		goto bad;
	}
	return 0;
 bad:
	free(*out);
	*out = NULL;
	return -1;
}

/* The confirmation: "SE-…: claimed; now claimed by handlaggare1, due
 * 2026-11-22 19:02". */
static int
action_report(const struct action *a, const char *id,
    const struct ctl_reply *r)
{
	struct ctl_doc	 d;
	xmlNodePtr	 it;
	const char	*v;
	char		 st[128], b[32], k[32];

	if (strcmp(a->name, "decide") == 0) {
		if (ctl_doc_parse(&d, r->body, r->len, "decision") == -1)
			goto bad;
		printf("%s: decided %s", id, ctl_ctext(&d, d.root,
		    "outcome") ? ctl_ctext(&d, d.root, "outcome") : "?");
		if ((v = ctl_ctext(&d, d.root, "amount")) != NULL)
			printf(", %s kr", ctl_kronor(v, k, sizeof(k)));
		printf(" by ");
		ctl_put(stdout, ctl_ctext(&d, d.root, "decided-by") ?
		    ctl_ctext(&d, d.root, "decided-by") : "?", 1);
		printf(" at %s; now decided\n", ctl_when(ctl_ctext(&d, d.root,
		    "decided-at"), b, sizeof(b)));
		ctl_doc_free(&d);
		return 0;
	}
	if (ctl_doc_parse(&d, r->body, r->len, "case") == -1)
		goto bad;
	it = ctl_child(d.root, "item");
	printf("%s: %s", id, strcmp(a->name, "claim") == 0 ? "claimed" :
	    strcmp(a->name, "release") == 0 ? "released" :
	    strcmp(a->name, "assign") == 0 ? "assigned" : "completed");
	if (it == NULL)
		printf("; no longer in the queue\n");
	else {
		printf("; now ");
		ctl_put(stdout, cases_state(&d, it, st, sizeof(st)), 1);
		v = ctl_attr(&d, it, "state");
		if (v != NULL && (strcmp(v, "open") == 0 ||
		    strcmp(v, "claimed") == 0) &&
		    (v = ctl_ctext(&d, it, "due")) != NULL)
			printf(", due %s%s", ctl_when(v, b, sizeof(b)),
			    cases_overdue(&d, it) ? " OVERDUE" : "");
		putchar('\n');
	}
	ctl_doc_free(&d);
	return 0;
 bad:
	fprintf(stderr, "bistandctl: %s: the server said yes (%d), but its "
	    "answer is not the expected document\n", id, r->status);
	return 2;
}

int
ctl_case_action(int argc, char *argv[])
{
	static const struct option opts[] = {
		{ "to", required_argument, NULL, 't' },
		{ "note", required_argument, NULL, 'n' },
		{ "note-file", required_argument, NULL, 'N' },
		{ "outcome", required_argument, NULL, 'o' },
		{ "amount", required_argument, NULL, 'a' },
		{ "motivation", required_argument, NULL, 'm' },
		{ "motivation-file", required_argument, NULL, 'M' },
		{ "help", no_argument, NULL, 'h' },
		CTL_CONN_OPTS,
		{ NULL, 0, NULL, 0 }
	};
	const struct action	*a = NULL;
	struct ctl_conn		 conn;
	struct ctl_client	*cl = NULL;
	struct ctl_reply	 r;
	const char		*to = NULL, *note = NULL, *notef = NULL;
	const char		*outcome = NULL, *amount = NULL, *mot = NULL;
	const char		*motf = NULL, *id, *why, *kv[6];
	char			*path = NULL, *text = NULL, *body = NULL;
	size_t			 i, len = 0;
	unsigned		 need;
	int			 ch, rc = 2, used;

	for (i = 0; i < NACTIONS; i++)
		if (strcmp(argv[0], actions[i].name) == 0)
			a = &actions[i];
	if (a == NULL)
		return 2;
	memset(&conn, 0, sizeof(conn));
	memset(&r, 0, sizeof(r));
	while ((ch = getopt_long(argc, argv, "c:h", opts, NULL)) != -1) {
		if ((used = ctl_conn_opt(&conn, ch, optarg)) == -1)
			goto out;
		if (used)
			continue;
		need = ch == 't' ? A_TO : ch == 'n' || ch == 'N' ? A_NOTE :
		    ch == 'o' || ch == 'a' || ch == 'm' || ch == 'M' ?
		    A_DECIDE : 0;
		if (need != 0 && !(a->opts & need)) {
			for (i = 0; opts[i].val != ch; i++)
				;
			fprintf(stderr, "bistandctl: %s takes no --%s\n",
			    a->name, opts[i].name);
			goto out;
		}
		switch (ch) {
		case 't':
			to = optarg;
			break;
		case 'n':
			note = optarg;
			break;
		case 'N':
			notef = optarg;
			break;
		case 'o':
			outcome = optarg;
			break;
		case 'a':
			amount = optarg;
			break;
		case 'm':
			mot = optarg;
			break;
		case 'M':
			motf = optarg;
			break;
		case 'h':
			action_usage(a, stdout);
			rc = 0;
			goto out;
		default:
			action_usage(a, stderr);
			goto out;
		}
	}
	if (optind != argc - 1) {
		action_usage(a, stderr);
		goto out;
	}
	id = argv[optind];
	if (!ctl_id_ok(id))
		goto out;
	if (a->opts & A_TO) {
		if (to == NULL || (why = ctl_text_check(to, 64)) != NULL) {
			fprintf(stderr, "bistandctl: --to CN: %s\n", to ?
			    why : "required");
			goto out;
		}
		kv[0] = "to";
		kv[1] = to;
		if (ctl_xml_body(CW_NS, "assign-request", kv, 2, &body,
		    &len) == -1)
			goto out;
	}
	if (a->opts & A_NOTE) {
		if (action_text("note", note, notef, TEXT_MAX, &text) == -1)
			goto out;
		kv[0] = "note";
		kv[1] = text;
		if (ctl_xml_body(CW_NS, "completion-request", kv, 2, &body,
		    &len) == -1)
			goto out;
	}
	if (a->opts & A_DECIDE) {
		if (outcome == NULL || (strcmp(outcome, "granted") != 0 &&
		    strcmp(outcome, "partly-granted") != 0 &&
		    strcmp(outcome, "denied") != 0)) {
			fprintf(stderr, "bistandctl: --outcome: granted, "
			    "partly-granted or denied\n");
			goto out;
		}
		if (strcmp(outcome, "denied") == 0 && amount != NULL) {
			fprintf(stderr, "bistandctl: a denial has no "
			    "--amount\n");
			goto out;
		}
		if (strcmp(outcome, "denied") != 0 && (amount == NULL ||
		    amount[0] < '1' || amount[0] > '9' || strlen(amount) > 9 ||
		    strspn(amount, "0123456789") != strlen(amount))) {
			fprintf(stderr, "bistandctl: --amount: whole kronor "
			    "above 0, required for %s\n", outcome);
			goto out;
		}
		if (action_text("motivation", mot, motf, TEXT_MAX,
		    &text) == -1)
			goto out;
		kv[0] = "outcome";
		kv[1] = outcome;
		kv[2] = "amount";
		kv[3] = amount;		/* NULL for a denial: left out */
		kv[4] = "motivation";
		kv[5] = text;
		if (ctl_xml_body(DECISION_NS, "decision-request", kv, 6,
		    &body, &len) == -1)
			goto out;
	}
	if (asprintf(&path, "/v1/cases/%s/%s", id, a->route) == -1) {
		path = NULL;
		goto out;
	}
	if ((cl = ctl_client_open(&conn)) == NULL)
		goto out;
	if ((rc = ctl_client_call(cl, EVHTTP_REQ_POST, path, body, len,
	    &r)) != 0)
		goto out;
	rc = action_report(a, id, &r);
 out:
	ctl_reply_free(&r);
	free(path);
	free(text);
	free(body);
	ctl_client_free(cl);
	ctl_conn_free(&conn);
	return rc;
}
