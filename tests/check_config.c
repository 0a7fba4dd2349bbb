/*
 * check_config.c: the configuration parser, every error path included.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/ssl.h>

#include "config.h"

static char	tmpdir[] = "/tmp/check_config.XXXXXX";
static char	path[256];

/* The smallest valid file; each test appends or replaces lines. */
#define MINIMAL \
	"listen 127.0.0.1:8443\n" \
	"tls_certificate /etc/x/server.crt\n" \
	"tls_key /etc/x/server.key\n" \
	"tls_client_ca /etc/x/ca.crt\n" \
	"state_dir /var/lib/bistand\n"

static void
setup(void)
{
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
	snprintf(path, sizeof(path), "%s/bistandd.conf", tmpdir);
}

static void
teardown(void)
{
	unlink(path);
	rmdir(tmpdir);
	strcpy(tmpdir, "/tmp/check_config.XXXXXX");
}

static void
write_conf(const char *text)
{
	FILE *f = fopen(path, "w");

	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(fputs(text, f) >= 0, 1);
	fclose(f);
}

/* Load text; expect failure with an error containing want. */
static void
expect_error(const char *text, const char *want)
{
	struct config	*c = NULL;
	char		 err[1024] = "";

	write_conf(text);
	ck_assert_int_eq(config_load(path, &c, err, sizeof(err)), -1);
	ck_assert_ptr_null(c);
	if (strstr(err, want) == NULL)
		ck_abort_msg("error '%s' does not contain '%s'", err, want);
	/* Every message names the file. */
	ck_assert_ptr_nonnull(strstr(err, path));
}

static struct config *
expect_ok(const char *text)
{
	struct config	*c = NULL;
	char		 err[1024] = "";

	write_conf(text);
	if (config_load(path, &c, err, sizeof(err)) != 0)
		ck_abort_msg("unexpected error: %s", err);
	return c;
}

START_TEST(minimal_defaults)
{
	struct config *c = expect_ok(MINIMAL);

	ck_assert_str_eq(c->listen_host, "127.0.0.1");
	ck_assert_int_eq(c->listen_port, 8443);
	ck_assert_str_eq(c->tls_certificate, "/etc/x/server.crt");
	ck_assert_int_eq(c->tls_min_version, TLS1_2_VERSION);
	ck_assert_uint_eq(c->max_body_size, 1024 * 1024);
	ck_assert_uint_eq(c->max_header_size, 16 * 1024);
	ck_assert_int_eq(c->timeout, 30);
	ck_assert_int_eq(c->max_connections, 1024);
	ck_assert_int_eq(c->shutdown_timeout, 10);
	ck_assert_int_eq(c->verbose, 0);
	ck_assert_ptr_nonnull(strstr(c->tls_ciphers, "ECDHE"));
	ck_assert_str_eq(c->schema_dir, BISTAND_DATADIR);
	ck_assert_str_eq(c->rules_dir, BISTAND_DATADIR "/rules");
	ck_assert_str_eq(c->examples_dir, BISTAND_DATADIR "/examples");
	ck_assert_int_eq(c->rules_instructions, 10000000);
	ck_assert_uint_eq(c->rules_memory, 32 * 1024 * 1024);
	ck_assert_int_eq(c->due_hours, 48);
	ck_assert_int_eq(c->urgent_due_hours, 4);
	ck_assert_int_eq(c->follow_up_days, 14);
	ck_assert_int_eq(c->claim_idle_minutes, 120);
	ck_assert_int_eq(c->audit_checkpoint_records, 1000);
	ck_assert_int_eq(c->audit_checkpoint_seconds, 60);
	config_free(c);
}
END_TEST

START_TEST(every_setting)
{
	struct config *c = expect_ok(
	    "# comment line\n"
	    "\n"
	    "listen   [::1]:9443   # trailing comment\n"
	    "tls_certificate\tcerts/server.crt\n"
	    "tls_key /k/server.key\n"
	    "tls_client_ca /k/ca.crt\n"
	    "tls_ciphers ECDHE-ECDSA-AES128-GCM-SHA256\n"
	    "tls_min_version 1.3\n"
	    "state_dir state\n"
	    "schema_dir /usr/share/x\n"
	    "max_body_size 512k\n"
	    "max_header_size 1m\n"
	    "timeout 5\n"
	    "max_connections 10\n"
	    "shutdown_timeout 3\n"
	    "verbose yes\n"
	    "rules_dir rules\n"
	    "examples_dir /ex\n"
	    "rules_instructions 50000\n"
	    "rules_memory 8m\n"
	    "due_hours 24\n"
	    "urgent_due_hours 2\n"
	    "follow_up_days 30\n");
	char want[300];

	ck_assert_str_eq(c->listen_host, "::1");
	ck_assert_int_eq(c->listen_port, 9443);
	/* Relative paths are relative to the file's directory. */
	snprintf(want, sizeof(want), "%s/certs/server.crt", tmpdir);
	ck_assert_str_eq(c->tls_certificate, want);
	snprintf(want, sizeof(want), "%s/state", tmpdir);
	ck_assert_str_eq(c->state_dir, want);
	ck_assert_str_eq(c->tls_key, "/k/server.key");
	ck_assert_str_eq(c->schema_dir, "/usr/share/x");
	ck_assert_str_eq(c->tls_ciphers, "ECDHE-ECDSA-AES128-GCM-SHA256");
	ck_assert_int_eq(c->tls_min_version, TLS1_3_VERSION);
	ck_assert_uint_eq(c->max_body_size, 512 * 1024);
	ck_assert_uint_eq(c->max_header_size, 1024 * 1024);
	ck_assert_int_eq(c->timeout, 5);
	ck_assert_int_eq(c->max_connections, 10);
	ck_assert_int_eq(c->shutdown_timeout, 3);
	ck_assert_int_eq(c->verbose, 1);
	snprintf(want, sizeof(want), "%s/rules", tmpdir);
	ck_assert_str_eq(c->rules_dir, want);
	ck_assert_str_eq(c->examples_dir, "/ex");
	ck_assert_int_eq(c->rules_instructions, 50000);
	ck_assert_uint_eq(c->rules_memory, 8 * 1024 * 1024);
	ck_assert_int_eq(c->due_hours, 24);
	ck_assert_int_eq(c->urgent_due_hours, 2);
	ck_assert_int_eq(c->follow_up_days, 30);
	config_free(c);
}
END_TEST

START_TEST(sizes_and_bounds)
{
	struct config *c;

	c = expect_ok(MINIMAL "max_body_size 1024\nmax_header_size 1K\n"
	    "timeout 3600\nmax_connections 1\nshutdown_timeout 1\n"
	    "verbose no\ntls_min_version 1.2\n");
	ck_assert_uint_eq(c->max_body_size, 1024);
	ck_assert_uint_eq(c->max_header_size, 1024);
	ck_assert_int_eq(c->timeout, 3600);
	ck_assert_int_eq(c->max_connections, 1);
	config_free(c);
	c = expect_ok(MINIMAL "max_body_size 64M\n");
	ck_assert_uint_eq(c->max_body_size, 64u * 1024 * 1024);
	config_free(c);
}
END_TEST

START_TEST(error_missing_file)
{
	struct config	*c = NULL;
	char		 err[512];

	ck_assert_int_eq(config_load("/nonexistent/bistandd.conf", &c, err,
	    sizeof(err)), -1);
	ck_assert_ptr_null(c);
	ck_assert_ptr_nonnull(strstr(err, "/nonexistent/bistandd.conf: "
	    "No such file"));
}
END_TEST

START_TEST(error_unknown_key)
{
	expect_error(MINIMAL "listne 1.2.3.4:5\n",
	    ":6: unknown setting 'listne'");
}
END_TEST

START_TEST(error_duplicate_key)
{
	expect_error(MINIMAL "timeout 5\ntimeout 6\n",
	    ":7: 'timeout' already set on line 6");
}
END_TEST

START_TEST(error_missing_value)
{
	expect_error(MINIMAL "timeout   # nothing\n",
	    ":6: 'timeout' needs a value");
}
END_TEST

START_TEST(error_missing_required)
{
	static const char *keys[] = { "listen", "tls_certificate", "tls_key",
	    "tls_client_ca", "state_dir" };
	char	text[1024], want[80], *p;
	size_t	i;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		/* Comment the key's line out. */
		snprintf(text, sizeof(text), "%s", MINIMAL);
		snprintf(want, sizeof(want), "\n%s ", keys[i]);
		p = i == 0 ? text : strstr(text, want) + 1;
		ck_assert_ptr_nonnull(p);
		*p = '#';
		snprintf(want, sizeof(want), "missing required setting '%s'",
		    keys[i]);
		expect_error(text, want);
	}
}
END_TEST

/* One bad listen value per case, all on line 1. */
static const struct { const char *value, *want; } bad_listen[] = {
	{ "8443", "expected ADDRESS:PORT" },
	{ "localhost:8443", "is not a numeric IPv4" },
	{ "127.0.0.1:", "port must be 0 to 65535" },
	{ "127.0.0.1:0x10", "port must be 0 to 65535" },
	{ "127.0.0.1:65536", "port must be 0 to 65535" },
	{ "127.0.0.1:-0", "port must be 0 to 65535" },
	{ "[::1]8443", "expected ADDRESS:PORT" },
	{ "[:::]:8443", "is not a numeric IPv4" },
	{ ":8443", "expected ADDRESS:PORT" },
	{ "::1:8443", "is not a numeric IPv4" },
};

START_TEST(error_listen)
{
	char text[512];

	snprintf(text, sizeof(text), "listen %s\n%s", bad_listen[_i].value,
	    strchr(MINIMAL, '\n') + 1);
	expect_error(text, bad_listen[_i].want);
	expect_error(text, ":1: listen: ");
}
END_TEST

static const struct { const char *line, *want; } bad_value[] = {
	{ "max_body_size 1023", "max_body_size: '1023' is not a size" },
	{ "max_body_size 65m", "is not a size from 1k to 65536k" },
	{ "max_body_size 1g", "is not a size" },
	{ "max_body_size -1", "is not a size" },
	{ "max_body_size 99999999999999999999", "is not a size" },
	{ "max_body_size 9223372036854775807k", "is not a size" },
	{ "max_header_size 2m", "max_header_size: '2m' is not a size" },
	{ "timeout 0", "timeout: '0' is not a whole number from 1 to 3600" },
	{ "timeout 3601", "is not a whole number from 1 to 3600" },
	{ "timeout 5s", "is not a whole number" },
	{ "timeout -5", "is not a whole number" },
	{ "timeout +5", "is not a whole number" },
	{ "max_connections 100001", "is not a whole number from 1 to 100000" },
	{ "shutdown_timeout 0", "shutdown_timeout: '0' is not a whole" },
	{ "verbose true", "verbose: expected yes or no, not 'true'" },
	{ "tls_min_version 1.1", "tls_min_version: expected 1.2 or 1.3, not "
	    "'1.1'" },
	{ "tls_min_version TLSv1.3", "expected 1.2 or 1.3" },
	{ "rules_instructions 9999", "rules_instructions: '9999' is not a "
	    "whole number from 10000 to 1000000000" },
	{ "rules_memory 512k", "rules_memory: '512k' is not a size from "
	    "1024k" },
	{ "due_hours 721", "due_hours: '721' is not a whole number from 1 "
	    "to 720" },
	{ "urgent_due_hours 0", "urgent_due_hours: '0' is not" },
	{ "follow_up_days 366", "follow_up_days: '366' is not a whole "
	    "number from 1 to 365" },
	{ "claim_idle_minutes 0", "claim_idle_minutes: '0' is not a whole "
	    "number from 1 to 10080" },
	{ "audit_checkpoint_records 0", "audit_checkpoint_records: '0' is "
	    "not a whole number from 1 to 1000000" },
	{ "audit_checkpoint_seconds 86401", "audit_checkpoint_seconds: "
	    "'86401' is not a whole number from 1 to 86400" },
};

START_TEST(error_values)
{
	char text[512];

	snprintf(text, sizeof(text), MINIMAL "%s\n", bad_value[_i].line);
	expect_error(text, bad_value[_i].want);
	expect_error(text, ":6: ");
}
END_TEST

START_TEST(error_long_line)
{
	char *text = malloc(8192);

	ck_assert_ptr_nonnull(text);
	snprintf(text, 8192, "%s# %0*d\n", MINIMAL, 5000, 7);
	expect_error(text, ":6: line longer than 4096 bytes");
	free(text);
}
END_TEST

START_TEST(error_nul_byte)
{
	FILE		*f = fopen(path, "w");
	struct config	*c = NULL;
	char		 err[512];

	ck_assert_ptr_nonnull(f);
	fputs(MINIMAL, f);
	fwrite("timeout 5\0junk\n", 1, 15, f);
	fclose(f);
	ck_assert_int_eq(config_load(path, &c, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, ":6: NUL byte in line"));
}
END_TEST

START_TEST(last_line_without_newline)
{
	struct config *c = expect_ok(MINIMAL "timeout 7");

	ck_assert_int_eq(c->timeout, 7);
	config_free(c);
}
END_TEST

START_TEST(path_join)
{
	char *p = config_path_join("/a/b", "c.xsd");

	ck_assert_str_eq(p, "/a/b/c.xsd");
	free(p);
}
END_TEST

static Suite *
config_suite(void)
{
	Suite	*s = suite_create("config");
	TCase	*tc = tcase_create("parse");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, minimal_defaults);
	tcase_add_test(tc, every_setting);
	tcase_add_test(tc, sizes_and_bounds);
	tcase_add_test(tc, error_missing_file);
	tcase_add_test(tc, error_unknown_key);
	tcase_add_test(tc, error_duplicate_key);
	tcase_add_test(tc, error_missing_value);
	tcase_add_test(tc, error_missing_required);
	tcase_add_loop_test(tc, error_listen, 0,
	    sizeof(bad_listen) / sizeof(bad_listen[0]));
	tcase_add_loop_test(tc, error_values, 0,
	    sizeof(bad_value) / sizeof(bad_value[0]));
	tcase_add_test(tc, error_long_line);
	tcase_add_test(tc, error_nul_byte);
	tcase_add_test(tc, last_line_without_newline);
	tcase_add_test(tc, path_join);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner	*sr = srunner_create(config_suite());
	int	 failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
