/*
 * ctl_audit.c: bistandctl audit verify | show | replay — offline, on
 * the machine that holds the state directory; they only read.
 *
 *   verify: the whole trail, every record, the chain, every signed
 *           checkpoint (with the public key alone: audit-key.pub), and
 *           optionally an anchor an auditor kept (SEQ:HASH).
 *   show:   records as text, filtered like GET /v1/audit.
 *   replay: re-evaluate a case with the archived rule set that decided
 *           it, the stored document and the recorded context, and say
 *           whether the decision document comes out byte for byte the
 *           same.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "application.h"
#include "audit.h"
#include "ctl.h"
#include "decision.h"
#include "rules.h"

static void
audit_usage(FILE *f)
{
	fprintf(f, "usage: bistandctl audit verify (-f CONFIG | --state DIR) "
	    "[--anchor SEQ:HASH]\n"
	    "       bistandctl audit show (-f CONFIG | --state DIR) [--case "
	    "ID] [--from T]\n"
	    "                             [--to T] [--after SEQ] [--full]\n"
	    "       bistandctl audit replay -f CONFIG --case ID\n\n"
	    "verify  checks every record, the hash chain and every signed "
	    "checkpoint\n"
	    "        (with audit-key.pub); exit 0 when intact, 1 naming the "
	    "first bad\n"
	    "        record. --anchor: the trail must still hold record SEQ "
	    "with that\n"
	    "        hash (keep the last checkpoint you saw to detect a "
	    "trail cut short).\n"
	    "show    prints records as text; T is RFC 3339 with an offset; "
	    "--full also\n"
	    "        prints decision documents.\n"
	    "replay  re-evaluates a case with the rule set that decided it "
	    "(from\n"
	    "        rulesets/) and its stored document; exit 0 when the "
	    "decision is the\n"
	    "        same, 1 when it differs.\n");
}

struct ctl_audit_opts {
	struct ctl_env		 env;
	struct audit_query	 q;
	char			*case_id;
	char			*anchor;
	int			 full;
};

/* --- verify ------------------------------------------------------ */

struct anchor {
	uint64_t	seq;
	char		hash[AUDIT_HEX];
	int		found;
	int		matched;
};

static int
ctl_anchor_visit(const struct audit_record *r, void *arg)
{
	struct anchor	*a = arg;
	char		 hex[AUDIT_HEX];

	if (r->seq == a->seq) {
		a->found = 1;
		audit_hex(r->hash, 32, hex);
		a->matched = strcmp(hex, a->hash) == 0;
	}
	return 0;
}

static int
ctl_verify(struct ctl_audit_opts *o)
{
	struct audit_keys	*k = NULL;
	struct audit_scan	 s;
	struct anchor		 a;
	char			 path[4200], err[512], *colon;
	int			 rc = 1;

	memset(&a, 0, sizeof(a));
	if (o->anchor != NULL) {
		if ((colon = strchr(o->anchor, ':')) == NULL ||
		    strlen(colon + 1) != 64) {
			fprintf(stderr, "bistandctl: --anchor SEQ:HASH (64 "
			    "hex digits)\n");
			return 2;
		}
		a.seq = strtoull(o->anchor, NULL, 10);
		snprintf(a.hash, sizeof(a.hash), "%s", colon + 1);
	}
	snprintf(path, sizeof(path), "%s/audit-key.pub", o->env.state_dir);
	if (audit_keys_open_pub(path, &k, err, sizeof(err)) == -1) {
		fprintf(stderr, "bistandctl: %s\n", err);
		return 2;
	}
	snprintf(path, sizeof(path), "%s/" AUDIT_TRAIL, o->env.state_dir);
	if (audit_scan_file(path, k, 0, o->anchor ? ctl_anchor_visit : NULL,
	    &a, &s) == -1) {
		printf("FAIL: %s\n", s.error);
		goto out;
	}
	if (o->anchor != NULL && (!a.found || !a.matched)) {
		printf("FAIL: anchor record %llu %s\n", (unsigned long long)
		    a.seq, a.found ? "has another hash: the trail was "
		    "rewritten" : "is missing: the trail was cut short");
		goto out;
	}
	printf("OK: %llu records, %llu checkpoints, key %.16s…",
	    (unsigned long long)s.nrecords, (unsigned long long)s.ncheckpoints,
	    k->fpr);
	if (s.last_cp_seq != 0) {
		audit_hex(s.last_hash, 32, err);
		printf(", last checkpoint at record %llu",
		    (unsigned long long)s.last_cp_seq);
		if (s.last_seq > s.last_cp_seq)
			printf(" (%llu records after it are not yet signed)",
			    (unsigned long long)(s.last_seq - s.last_cp_seq));
	}
	printf("\n");
	rc = 0;
 out:
	audit_keys_free(k);
	return rc;
}

/* --- show -------------------------------------------------------- */

static int
ctl_show_visit(const struct audit_record *r, void *arg)
{
	struct ctl_audit_opts	*o = arg;
	const char		*p, *end, *amp, *eq;
	char			*doc = NULL, key[64], *val;
	size_t			 len;

	if (!audit_match(r, &o->q))
		return 0;
	printf("#%llu %.*s %.*s %.*s\n", (unsigned long long)r->seq,
	    AUDIT_TIME_LEN, r->time, (int)r->type_len, r->type,
	    (int)r->actor_len, r->actor);
	for (p = r->payload, end = p + r->payload_len; p < end; p = amp + 1) {
		if ((amp = memchr(p, '&', (size_t)(end - p))) == NULL)
			amp = end;
		if ((eq = memchr(p, '=', (size_t)(amp - p))) == NULL ||
		    (size_t)(eq - p) >= sizeof(key))
			continue;
		memcpy(key, p, (size_t)(eq - p));
		key[eq - p] = '\0';
		if (strcmp(key, "decision") == 0) {
			if (audit_get_b64(r, key, &doc, &len) == -1)
				printf("  decision: (unreadable)\n");
			else if (o->full)
				printf("  decision:\n%s", doc);
			else
				printf("  decision: (%zu bytes; --full prints "
				    "it)\n", len);
			free(doc);
			doc = NULL;
			continue;
		}
		if ((val = malloc((size_t)(amp - eq))) == NULL ||
		    audit_get(r, key, val, (size_t)(amp - eq)) == -1)
			printf("  %s: (unreadable)\n", key);
		else
			printf("  %s: %s\n", key, val);
		free(val);
	}
	return 0;
}

static int
ctl_show(struct ctl_audit_opts *o)
{
	struct audit_scan	s;
	char			path[4200];

	o->q.case_id = o->case_id;
	snprintf(path, sizeof(path), "%s/" AUDIT_TRAIL, o->env.state_dir);
	if (audit_scan_file(path, NULL, 1, ctl_show_visit, o, &s) == -1) {
		fprintf(stderr, "bistandctl: %s\n", s.error);
		return 1;
	}
	return 0;
}

/* --- replay ------------------------------------------------------ */

/* What the trail holds about one case: copies of the two records. */
struct replay_find {
	const char	*id;
	char		*received;	/* the record line, NUL-terminated */
	size_t		 received_len;
	char		*evaluated;
	size_t		 evaluated_len;
};

static int
ctl_replay_visit(const struct audit_record *r, void *arg)
{
	struct replay_find	*f = arg;
	char			 id[APP_ID_MAX + 1], **dst;
	size_t			*dlen;

	if (audit_is(r, "received")) {
		dst = &f->received;
		dlen = &f->received_len;
	} else if (audit_is(r, "evaluated")) {
		dst = &f->evaluated;
		dlen = &f->evaluated_len;
	} else
		return 0;
	if (*dst != NULL || audit_get(r, "id", id, sizeof(id)) == -1 ||
	    strcmp(id, f->id) != 0)
		return 0;
	if ((*dst = strndup(r->line, r->len)) == NULL)
		return 1;
	*dlen = r->len;
	return 0;
}

/* "2023-01,2023-02" → month indices. */
static int
ctl_replay_months(const char *s, int **out, size_t *n)
{
	int	y, m, *v = NULL, *nv;
	size_t	k = 0;

	*out = NULL;
	*n = 0;
	while (*s != '\0') {
		if (sscanf(s, "%4d-%2d", &y, &m) != 2 ||
		    (nv = realloc(v, (k + 1) * sizeof(*v))) == NULL) {
			free(v);
			return -1;
		}
		v = nv;
		v[k++] = y * 12 + m - 1;
		s += 7;
		if (*s == ',')
			s++;
	}
	*out = v;
	*n = k;
	return 0;
}

static int
ctl_replay(struct ctl_audit_opts *o)
{
	struct replay_find	 f;
	struct audit_record	 rec, ev;
	struct audit_scan	 s;
	struct app_schema	*schema = NULL;
	struct application	*app = NULL;
	struct rules		*rules = NULL;
	struct rules_context	 ctx;
	struct dec_policy	 pol;
	struct decision		 d;
	struct errdoc		 e;
	char			 path[4300], ruleset[AUDIT_HEX], pols[64];
	char			 hist[4096], why[128], err[1024];
	char			*body = NULL, *stored = NULL, *again = NULL;
	size_t			 blen, slen, alen;
	uint64_t		 received, dup;
	int			*months = NULL, rc = 2;

	memset(&f, 0, sizeof(f));
	memset(&d, 0, sizeof(d));
	memset(&ctx, 0, sizeof(ctx));
	f.id = o->case_id;
	snprintf(path, sizeof(path), "%s/" AUDIT_TRAIL, o->env.state_dir);
	if (audit_scan_file(path, NULL, 1, ctl_replay_visit, &f, &s) == -1) {
		fprintf(stderr, "bistandctl: %s\n", s.error);
		goto out;
	}
	if (f.received == NULL || f.evaluated == NULL) {
		fprintf(stderr, "bistandctl: no evaluated case %s in the "
		    "trail\n", o->case_id);
		goto out;
	}
	if (audit_parse(f.received, f.received_len, &rec, why,
	    sizeof(why)) == -1 || audit_parse(f.evaluated, f.evaluated_len,
	    &ev, why, sizeof(why)) == -1 ||
	    audit_get(&ev, "ruleset", ruleset, sizeof(ruleset)) == -1 ||
	    audit_get_u64(&ev, "received_at", &received) == -1 ||
	    audit_get(&ev, "policy", pols, sizeof(pols)) == -1 ||
	    sscanf(pols, "%d,%d,%d", &pol.due_hours, &pol.urgent_due_hours,
	    &pol.follow_up_days) != 3 ||
	    audit_get(&ev, "history", hist, sizeof(hist)) == -1 ||
	    audit_get_u64(&ev, "duplicate", &dup) == -1 ||
	    audit_get_b64(&ev, "decision", &stored, &slen) == -1 ||
	    ctl_replay_months(hist, &months, &ctx.nmonths) == -1) {
		fprintf(stderr, "bistandctl: the records of %s are "
		    "incomplete\n", o->case_id);
		goto out;
	}
	ctx.months = months;
	ctx.duplicate_period = (int)dup;
	if (audit_read_document(o->env.state_dir, &rec, &body, &blen, err,
	    sizeof(err)) == -1) {
		fprintf(stderr, "bistandctl: %s\n", err);
		goto out;
	}
	snprintf(path, sizeof(path), "%s/rulesets/%s", o->env.state_dir,
	    ruleset);
	if (rules_load(path, &o->env.lim, &rules, err, sizeof(err)) == -1) {
		fprintf(stderr, "bistandctl: archived rule set: %s\n", err);
		goto out;
	}
	if (strcmp(rules_hash(rules), ruleset) != 0) {
		fprintf(stderr, "bistandctl: the archive of rule set %.12s "
		    "hashes to %.12s: it was changed\n", ruleset,
		    rules_hash(rules));
		goto out;
	}
	if (ctl_schema(&o->env, &schema) == -1)
		goto out;
	if (app_parse(schema, body, blen, &app, &e) == -1) {
		fprintf(stderr, "bistandctl: the stored document is refused "
		    "by today's schema: %s\n", e.code);
		goto out;
	}
	if (rules_eval(rules, app, &ctx, &d) == -1 ||
	    decision_finish(&d, app, &pol, (int64_t)received) == -1 ||
	    decision_render(&d, &again, &alen) == -1) {
		fprintf(stderr, "bistandctl: out of memory\n");
		goto out;
	}
	if (alen == slen && memcmp(again, stored, slen) == 0) {
		printf("case %s: re-evaluated with rule set %.12s: the same "
		    "decision (%s)\n", o->case_id, ruleset,
		    decision_outcome_name(d.outcome));
		rc = 0;
	} else {
		printf("case %s: re-evaluated with rule set %.12s: a "
		    "DIFFERENT decision\n--- recorded\n%s--- now\n%s",
		    o->case_id, ruleset, stored, again);
		rc = 1;
	}
 out:
	free(f.received);
	free(f.evaluated);
	free(body);
	free(stored);
	free(again);
	free(months);
	decision_free(&d);
	app_free(app);
	rules_free(rules);
	app_schema_free(schema);
	return rc;
}

int
ctl_audit(int argc, char *argv[])
{
	static const struct option opts[] = {
		{ "state", required_argument, NULL, 'S' },
		{ "case", required_argument, NULL, 'c' },
		{ "anchor", required_argument, NULL, 'a' },
		{ "from", required_argument, NULL, 'F' },
		{ "to", required_argument, NULL, 'T' },
		{ "after", required_argument, NULL, 'A' },
		{ "full", no_argument, NULL, 'u' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct ctl_audit_opts	 o;
	const char		*cmd;
	int			 ch, rc = 2, used;

	memset(&o, 0, sizeof(o));
	if (argc < 2 || strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "-h") == 0) {
		audit_usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	cmd = argv[1];
	argc--;
	argv++;
	if (ctl_env_default(&o.env) == -1)
		return 2;
	while ((ch = getopt_long(argc, argv, "f:h", opts, NULL)) != -1) {
		if ((used = ctl_env_opt(&o.env, ch, optarg)) == -1)
			goto out;
		if (used)
			continue;
		switch (ch) {
		case 'c':
			o.case_id = optarg;
			break;
		case 'a':
			o.anchor = optarg;
			break;
		case 'F':
			if (app_parse_datetime(optarg, &o.q.from) == -1)
				goto usage;
			break;
		case 'T':
			if (app_parse_datetime(optarg, &o.q.to) == -1)
				goto usage;
			break;
		case 'A':
			o.q.after = strtoull(optarg, NULL, 10);
			break;
		case 'u':
			o.full = 1;
			break;
		case 'h':
			audit_usage(stdout);
			rc = 0;
			goto out;
		default:
			goto usage;
		}
	}
	if (optind != argc || o.env.state_dir == NULL)
		goto usage;
	if (strcmp(cmd, "verify") == 0)
		rc = ctl_verify(&o);
	else if (strcmp(cmd, "show") == 0)
		rc = ctl_show(&o);
	else if (strcmp(cmd, "replay") == 0 && o.case_id != NULL)
		rc = ctl_replay(&o);
	else
		goto usage;
	goto out;
 usage:
	audit_usage(stderr);
	rc = 2;
 out:
	ctl_env_free(&o.env);
	return rc;
}
