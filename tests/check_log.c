/*
 * check_log.c: the request line as journal fields (journald's native
 * protocol), against a datagram socket standing in for journald.
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "log.h"

static char	dir[] = "/tmp/check_log.XXXXXX";
static char	path[256];
static int	sfd = -1;

static void
setup(void)
{
	struct sockaddr_un sa;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/journal", dir);
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	strcpy(sa.sun_path, path);
	ck_assert_int_ge(sfd = socket(AF_UNIX, SOCK_DGRAM, 0), 0);
	ck_assert_int_eq(bind(sfd, (struct sockaddr *)&sa, sizeof(sa)), 0);
}

static void
teardown(void)
{
	log_set_journal(NULL);
	close(sfd);
	unlink(path);
	rmdir(dir);
	strcpy(dir, "/tmp/check_log.XXXXXX");
}

/* One datagram, NUL-terminated; "" when none is waiting. */
static void
recv_one(char *buf, size_t len)
{
	ssize_t n = recv(sfd, buf, len - 1, MSG_DONTWAIT);

	buf[n > 0 ? n : 0] = '\0';
}

static const struct log_request req = {
	"eservice", "POST", "/v1/applications", "/v1/applications\n/x",
	"SE-1480-2023-003187", NULL, 201, 1.25
};

START_TEST(journal_fields)
{
	char buf[4096];

	log_set_journal(path);
	log_request(&req);
	recv_one(buf, sizeof(buf));
	ck_assert_ptr_nonnull(strstr(buf, "MESSAGE=request role=eservice "
	    "method=POST route=/v1/applications path=/v1/applications?/x "
	    "case=SE-1480-2023-003187 status=201 code=- ms=1.250\n"));
	ck_assert_ptr_nonnull(strstr(buf, "\nPRIORITY=6\n"));
	ck_assert_ptr_nonnull(strstr(buf, "\nSYSLOG_IDENTIFIER=bistandd\n"));
	ck_assert_ptr_nonnull(strstr(buf, "\nBISTAND_ROLE=eservice\n"));
	ck_assert_ptr_nonnull(strstr(buf, "\nBISTAND_METHOD=POST\n"));
	ck_assert_ptr_nonnull(strstr(buf, "\nBISTAND_ROUTE=/v1/applications\n"));
	ck_assert_ptr_nonnull(strstr(buf, "\nBISTAND_STATUS=201\n"));
	ck_assert_ptr_nonnull(strstr(buf, "\nBISTAND_CODE=-\n"));
	ck_assert_ptr_nonnull(strstr(buf, "\nBISTAND_MS=1.250\n"));
	ck_assert_ptr_nonnull(strstr(buf, "\nBISTAND_CASE=SE-1480-2023-003187\n"));
	/* The line feed in the path cannot start a field of its own. */
	ck_assert_ptr_null(strstr(buf, "\n/x"));
}
END_TEST

START_TEST(journal_off_and_gone)
{
	char buf[4096];

	log_set_journal(NULL);
	log_request(&req);		/* to stderr: nothing here */
	recv_one(buf, sizeof(buf));
	ck_assert_str_eq(buf, "");
	/* A journal that went away: the line still goes somewhere. */
	log_set_journal("/nonexistent/journal/socket");
	log_request(&req);
	recv_one(buf, sizeof(buf));
	ck_assert_str_eq(buf, "");
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("log");
	TCase	*tc = tcase_create("journal");
	SRunner	*sr;
	int	 failed;

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, journal_fields);
	tcase_add_test(tc, journal_off_and_gone);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
