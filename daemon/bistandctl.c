/*
 * bistandctl.c: the command-line tool for operators, caseworkers and
 * auditors. Each subcommand has --help.
 *
 *   bistandctl validate [options] FILE...
 *   bistandctl eval [options] FILE
 *
 * Both run exactly the daemon's code offline and write nothing.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "application.h"
#include "config.h"
#include "decision.h"
#include "errdoc.h"
#include "rules.h"
#include "ctl.h"

#define CTL_MAX_FILE	(64 * 1024 * 1024)


static void
ctl_usage(FILE *f)
{
	fprintf(f, "usage: bistandctl COMMAND [options]\n\n"
	    "commands:\n"
	    "  validate FILE...   check application documents as the daemon "
	    "would\n"
	    "  eval FILE          evaluate an application with a rule set and "
	    "print the\n"
	    "                     decision document the daemon would return\n"
	    "  audit verify       check the whole audit trail offline\n"
	    "  audit show         print audit records as text\n"
	    "  audit replay       re-evaluate a case with the rule set that "
	    "decided it\n\n"
	    "over HTTPS, with a client certificate (caseworker):\n"
	    "  queue              the caseworkers' queue\n"
	    "  case show ID       a case: application, decision, history\n"
	    "  claim ID           take a case; release ID gives it back\n"
	    "  assign ID --to CN  hand a case you hold to a colleague\n"
	    "  decide ID          decide a case you hold, with a motivation\n"
	    "  complete ID        complete a follow-up task with a note\n"
	    "(auditor):\n"
	    "  audit records      audit records from the daemon\n\n"
	    "Run 'bistandctl COMMAND --help' for a command's options.\n");
}

const char ctl_env_help[] =
    "  -f CONFIG       take schema_dir, rules_dir, budgets and due times "
    "from a\n"
    "                  bistandd.conf\n"
    "  --schema FILE   application.xsd (default " BISTAND_DATADIR
    "/application.xsd)\n";

int
ctl_env_default(struct ctl_env *env)
{
	memset(env, 0, sizeof(*env));
	env->policy.due_hours = 48;
	env->policy.urgent_due_hours = 4;
	env->policy.follow_up_days = 14;
	env->schema = strdup(BISTAND_DATADIR "/application.xsd");
	env->rules_dir = strdup(BISTAND_DATADIR "/rules");
	return env->schema && env->rules_dir ? 0 : -1;
}

void
ctl_env_free(struct ctl_env *env)
{
	free(env->schema);
	free(env->rules_dir);
	free(env->state_dir);
}

int
ctl_env_config(struct ctl_env *env, const char *path)
{
	struct config	*c;
	char		 err[1024];

	if (config_load(path, &c, err, sizeof(err)) == -1) {
		fprintf(stderr, "bistandctl: %s\n", err);
		return -1;
	}
	free(env->schema);
	free(env->rules_dir);
	free(env->state_dir);
	env->schema = config_path_join(c->schema_dir, "application.xsd");
	env->rules_dir = strdup(c->rules_dir);
	env->state_dir = strdup(c->state_dir);
	env->policy.due_hours = c->due_hours;
	env->policy.urgent_due_hours = c->urgent_due_hours;
	env->policy.follow_up_days = c->follow_up_days;
	env->lim.instructions = (uint64_t)c->rules_instructions;
	env->lim.memory = c->rules_memory;
	config_free(c);
	return env->schema && env->rules_dir && env->state_dir ? 0 : -1;
}

int
ctl_env_opt(struct ctl_env *env, int ch, const char *arg)
{
	switch (ch) {
	case 'f':
		return ctl_env_config(env, arg) == -1 ? -1 : 1;
	case 's':
		return ctl_set(&env->schema, arg) == -1 ? -1 : 1;
	case 'r':
		return ctl_set(&env->rules_dir, arg) == -1 ? -1 : 1;
	case 'S':
		return ctl_set(&env->state_dir, arg) == -1 ? -1 : 1;
	default:
		return 0;
	}
}

int
ctl_set(char **p, const char *v)
{
	free(*p);
	return (*p = strdup(v)) == NULL ? -1 : 0;
}

/* Read a whole file ("-": standard input); -1 with errno set. */
int
ctl_read(const char *path, char **buf, size_t *len)
{
	FILE	*f;
	char	*b = NULL, *nb;
	size_t	 n = 0, cap = 0, r;

	if ((f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb")) == NULL)
		return -1;
	for (;;) {
		if (n == cap) {
			cap = cap ? cap * 2 : 65536;
			if (cap > CTL_MAX_FILE + 1 ||
			    (nb = realloc(b, cap)) == NULL) {
				errno = cap > CTL_MAX_FILE ? EFBIG : ENOMEM;
				goto err;
			}
			b = nb;
		}
		if ((r = fread(b + n, 1, cap - n, f)) == 0)
			break;
		n += r;
	}
	if (ferror(f))
		goto err;
	if (f != stdin)
		fclose(f);
	*buf = b;
	*len = n;
	return 0;
 err:
	if (f != stdin)
		fclose(f);
	free(b);
	return -1;
}

/* Read and parse one file; prints the refusal. 0, or -1. */
static int
ctl_parse(const struct app_schema *schema, const char *path,
    struct application **app)
{
	struct errdoc	 e;
	char		*buf, line[1024];
	size_t		 len;
	int		 rc;

	if (ctl_read(path, &buf, &len) == -1) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		return -1;
	}
	if ((rc = app_parse(schema, buf, len, app, &e)) == -1) {
		errdoc_format(&e, line, sizeof(line));
		printf("%s: refused: %s\n", path, line);
	}
	free(buf);
	return rc;
}

int
ctl_schema(const struct ctl_env *env, struct app_schema **schema)
{
	struct errdoc e;

	app_xml_harden();
	if (app_schema_load(env->schema, schema, &e) == -1) {
		fprintf(stderr, "bistandctl: %s\n", e.message);
		return -1;
	}
	return 0;
}

static void
ctl_validate_usage(FILE *f)
{
	fprintf(f, "usage: bistandctl validate [-q] [-f CONFIG | --schema "
	    "FILE] FILE...\n\n"
	    "Parses and checks each application document exactly as the "
	    "daemon's intake\ndoes (hardened XML parse, XML Schema, "
	    "personnummer and household checks)\nand writes nothing. Exit 0 "
	    "when every file is valid, 1 otherwise.\n\n%s"
	    "  -q              print only refusals\n", ctl_env_help);
}

static int
ctl_validate(int argc, char *argv[])
{
	static const struct option opts[] = {
		{ "schema", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct app_schema	*schema = NULL;
	struct application	*app;
	struct ctl_env		 env;
	int			 ch, i, quiet = 0, bad = 0, rc = 2, used;

	if (ctl_env_default(&env) == -1)
		goto out;
	while ((ch = getopt_long(argc, argv, "f:hq", opts, NULL)) != -1) {
		if ((used = ctl_env_opt(&env, ch, optarg)) == -1)
			goto out;
		if (used)
			continue;
		switch (ch) {
		case 'q':
			quiet = 1;
			break;
		case 'h':
			ctl_validate_usage(stdout);
			rc = 0;
			goto out;
		default:
			ctl_validate_usage(stderr);
			goto out;
		}
	}
	if (optind == argc) {
		ctl_validate_usage(stderr);
		goto out;
	}
	if (ctl_schema(&env, &schema) == -1)
		goto out;
	for (i = optind; i < argc; i++) {
		if (ctl_parse(schema, argv[i], &app) == -1) {
			bad = 1;
			continue;
		}
		if (!quiet)
			printf("%s: valid application %s: %zu person(s), "
			    "period %04d-%02d, municipality %s\n", argv[i],
			    app->id, app->npersons, app->period_year,
			    app->period_month, app->municipality);
		app_free(app);
	}
	rc = bad ? 1 : 0;
 out:
	app_schema_free(schema);
	ctl_env_free(&env);
	return rc;
}

static void
ctl_eval_usage(FILE *f)
{
	fprintf(f, "usage: bistandctl eval [-f CONFIG | --schema FILE] "
	    "[--rules DIR] FILE\n\n"
	    "Evaluates one application offline with a rule set and prints "
	    "the decision\ndocument the daemon would return (due times "
	    "counted from now). Writes\nnothing anywhere: the way to try a "
	    "rule change before it goes live. A rule\nfailure is printed to "
	    "standard error. Exit 0 when evaluated, 1 when the\napplication "
	    "is refused, 2 on any other error.\n\n%s"
	    "  --rules DIR     the rule set (default " BISTAND_DATADIR
	    "/rules)\n", ctl_env_help);
}

static int
ctl_eval(int argc, char *argv[])
{
	static const struct option opts[] = {
		{ "schema", required_argument, NULL, 's' },
		{ "rules", required_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct app_schema	*schema = NULL;
	struct application	*app = NULL;
	struct rules		*rules = NULL;
	struct decision		 d;
	struct ctl_env		 env;
	char			 err[1024], *doc = NULL;
	size_t			 len;
	int			 ch, rc = 2, used;

	memset(&d, 0, sizeof(d));
	if (ctl_env_default(&env) == -1)
		goto out;
	while ((ch = getopt_long(argc, argv, "f:h", opts, NULL)) != -1) {
		if ((used = ctl_env_opt(&env, ch, optarg)) == -1)
			goto out;
		if (used)
			continue;
		switch (ch) {
		case 'h':
			ctl_eval_usage(stdout);
			rc = 0;
			goto out;
		default:
			ctl_eval_usage(stderr);
			goto out;
		}
	}
	if (optind != argc - 1) {
		ctl_eval_usage(stderr);
		goto out;
	}
	if (ctl_schema(&env, &schema) == -1)
		goto out;
	if (rules_load(env.rules_dir, &env.lim, &rules, err,
	    sizeof(err)) == -1) {
		fprintf(stderr, "bistandctl: %s\n", err);
		goto out;
	}
	if (ctl_parse(schema, argv[optind], &app) == -1) {
		rc = 1;
		goto out;
	}
	if (rules_eval(rules, app, NULL, &d) == -1 ||
	    decision_finish(&d, app, &env.policy, (int64_t)time(NULL)) == -1 ||
	    decision_render(&d, &doc, &len) == -1) {
		fprintf(stderr, "bistandctl: out of memory\n");
		goto out;
	}
	if (d.failure != NULL)
		fprintf(stderr, "bistandctl: rule failure: %s\n", d.failure);
	fwrite(doc, 1, len, stdout);
	rc = 0;
 out:
	free(doc);
	decision_free(&d);
	app_free(app);
	rules_free(rules);
	app_schema_free(schema);
	ctl_env_free(&env);
	return rc;
}

int
main(int argc, char *argv[])
{
	if (argc < 2) {
		ctl_usage(stderr);
		return 2;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		ctl_usage(stdout);
		return 0;
	}
	if (strcmp(argv[1], "validate") == 0)
		return ctl_validate(argc - 1, argv + 1);
	if (strcmp(argv[1], "eval") == 0)
		return ctl_eval(argc - 1, argv + 1);
	if (strcmp(argv[1], "audit") == 0 && argc > 2 &&
	    strcmp(argv[2], "records") == 0)
		return ctl_audit_records(argc - 2, argv + 2);
	if (strcmp(argv[1], "audit") == 0)
		return ctl_audit(argc - 1, argv + 1);
	if (strcmp(argv[1], "queue") == 0)
		return ctl_queue(argc - 1, argv + 1);
	if (strcmp(argv[1], "case") == 0)
		return ctl_case(argc - 1, argv + 1);
	if (strcmp(argv[1], "claim") == 0 || strcmp(argv[1], "release") == 0 ||
	    strcmp(argv[1], "assign") == 0 || strcmp(argv[1], "complete") == 0 ||
	    strcmp(argv[1], "decide") == 0)
		return ctl_case_action(argc - 1, argv + 1);
	fprintf(stderr, "bistandctl: unknown command '%s'\n", argv[1]);
	ctl_usage(stderr);
	return 2;
}
