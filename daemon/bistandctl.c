/*
 * bistandctl.c: the command-line tool for operators, caseworkers and
 * auditors. Each subcommand has --help.
 *
 *   bistandctl validate [--schema FILE | -f CONFIG] FILE...
 *
 * validate runs exactly the daemon's intake checks (hardened parse,
 * schema, semantic checks) offline and writes nothing.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "application.h"
#include "config.h"
#include "errdoc.h"

#define CTL_MAX_FILE	(64 * 1024 * 1024)

static void
ctl_usage(FILE *f)
{
	fprintf(f, "usage: bistandctl COMMAND [options]\n\n"
	    "commands:\n"
	    "  validate FILE...   check application documents as the daemon "
	    "would\n\n"
	    "Run 'bistandctl COMMAND --help' for a command's options.\n");
}

static void
ctl_validate_usage(FILE *f)
{
	fprintf(f, "usage: bistandctl validate [--schema FILE | -f CONFIG] "
	    "FILE...\n\n"
	    "Parses and checks each application document exactly as the "
	    "daemon's intake\ndoes (hardened XML parse, XML Schema, "
	    "personnummer and household checks)\nand writes nothing. Exit 0 "
	    "when every file is valid, 1 otherwise.\n\n"
	    "  --schema FILE   application.xsd to use (default "
	    "%s/application.xsd)\n"
	    "  -f CONFIG       take schema_dir from a bistandd.conf\n"
	    "  -q              print only refusals\n", BISTAND_DATADIR);
}

/* Read a whole file; -1 with errno set. */
static int
ctl_read(const char *path, char **buf, size_t *len)
{
	FILE	*f;
	char	*b = NULL;
	size_t	 n = 0, cap = 0, r;

	if ((f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb")) == NULL)
		return -1;
	for (;;) {
		if (n == cap) {
			char *nb;

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
	struct config		*conf = NULL;
	struct errdoc		 e;
	char			*xsd = NULL, *buf, line[1024], err[1024];
	size_t			 len;
	int			 ch, i, quiet = 0, bad = 0;

	while ((ch = getopt_long(argc, argv, "f:hq", opts, NULL)) != -1) {
		switch (ch) {
		case 's':
			free(xsd);
			xsd = strdup(optarg);
			break;
		case 'f':
			if (config_load(optarg, &conf, err, sizeof(err)) == -1) {
				fprintf(stderr, "bistandctl: %s\n", err);
				goto fail;
			}
			free(xsd);
			xsd = config_path_join(conf->schema_dir,
			    "application.xsd");
			config_free(conf);
			break;
		case 'q':
			quiet = 1;
			break;
		case 'h':
			ctl_validate_usage(stdout);
			free(xsd);
			return 0;
		default:
			ctl_validate_usage(stderr);
			goto fail;
		}
	}
	if (optind == argc) {
		ctl_validate_usage(stderr);
		goto fail;
	}
	if (xsd == NULL)
		xsd = config_path_join(BISTAND_DATADIR, "application.xsd");
	if (xsd == NULL)
		goto fail;
	app_xml_harden();
	if (app_schema_load(xsd, &schema, &e) == -1) {
		fprintf(stderr, "bistandctl: %s\n", e.message);
		goto fail;
	}
	for (i = optind; i < argc; i++) {
		if (ctl_read(argv[i], &buf, &len) == -1) {
			fprintf(stderr, "%s: %s\n", argv[i], strerror(errno));
			bad = 1;
			continue;
		}
		if (app_parse(schema, buf, len, &app, &e) == -1) {
			errdoc_format(&e, line, sizeof(line));
			printf("%s: refused: %s\n", argv[i], line);
			bad = 1;
		} else {
			if (!quiet)
				printf("%s: valid application %s: %zu "
				    "person(s), period %04d-%02d, municipality "
				    "%s\n", argv[i], app->id, app->npersons,
				    app->period_year, app->period_month,
				    app->municipality);
			app_free(app);
		}
		free(buf);
	}
	app_schema_free(schema);
	free(xsd);
	return bad ? 1 : 0;
 fail:
	app_schema_free(schema);
	free(xsd);
	return 2;
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
	fprintf(stderr, "bistandctl: unknown command '%s'\n", argv[1]);
	ctl_usage(stderr);
	return 2;
}
