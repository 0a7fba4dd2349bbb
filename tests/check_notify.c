/*
 * check_notify.c: the systemd notification protocol (daemon/notify.c).
 *
 * Plays systemd's part: binds an AF_UNIX datagram socket (a path in a
 * temporary directory, or an abstract name), points $NOTIFY_SOCKET at
 * it and reads back the exact datagrams.
 */
#include <check.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "notify.h"

static char	tmpdir[64];
static char	sockpath[128];

/* Binds a datagram socket at name ("/path" or "@abstract"). */
static int
listen_at(const char *name)
{
	struct sockaddr_un	sun;
	size_t			len = strlen(name);
	int			fd;

	ck_assert_uint_lt(len, sizeof(sun.sun_path));
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	memcpy(sun.sun_path, name, len);
	if (name[0] == '@')
		sun.sun_path[0] = '\0';
	else
		len++;
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	ck_assert_int_ne(fd, -1);
	ck_assert_msg(bind(fd, (struct sockaddr *)&sun,
	    (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len)) == 0,
	    "bind %s: %s", name, strerror(errno));
	ck_assert_int_eq(setenv("NOTIFY_SOCKET", name, 1), 0);
	return fd;
}

/* The next datagram, which must already be queued: sendto on a local
 * datagram socket delivers before it returns. */
static const char *
next_datagram(int fd)
{
	static char	buf[1024];
	ssize_t		n;

	n = recv(fd, buf, sizeof(buf) - 1, MSG_DONTWAIT);
	ck_assert_msg(n >= 0, "no datagram: %s", strerror(errno));
	buf[n] = '\0';
	return buf;
}

static void
assert_no_more(int fd)
{
	char	buf[16];

	ck_assert_int_eq(recv(fd, buf, sizeof(buf), MSG_DONTWAIT), -1);
	ck_assert_int_eq(errno, EAGAIN);
}

static unsigned long long
now_usec(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (unsigned long long)ts.tv_sec * 1000000ULL +
	    (unsigned long long)ts.tv_nsec / 1000ULL;
}

/* Every notification, and the exact datagram each one sends. */
static void
exercise(int fd)
{
	unsigned long long	 before, after, usec;
	const char		*m;
	char			 want[64], *end;

	snprintf(want, sizeof(want), "READY=1\nMAINPID=%ld", (long)getpid());
	ck_assert_int_eq(notify_ready(), 0);
	ck_assert_str_eq(next_datagram(fd), want);

	ck_assert_int_eq(notify_stopping(), 0);
	ck_assert_str_eq(next_datagram(fd), "STOPPING=1");

	/* A newline would smuggle in another assignment. */
	ck_assert_int_eq(notify_status("serving; rule set %.4s\nREADY=%d",
	    "abcdef", 1), 0);
	ck_assert_str_eq(next_datagram(fd), "STATUS=serving; rule set abcd READY=1");

	ck_assert_int_eq(notify_send("WATCHDOG=1"), 0);
	ck_assert_str_eq(next_datagram(fd), "WATCHDOG=1");

	before = now_usec();
	ck_assert_int_eq(notify_reloading(), 0);
	after = now_usec();
	m = next_datagram(fd);
	ck_assert_msg(strncmp(m, "RELOADING=1\nMONOTONIC_USEC=", 27) == 0,
	    "got '%s'", m);
	errno = 0;
	usec = strtoull(m + 27, &end, 10);
	ck_assert_int_eq(errno, 0);
	ck_assert_msg(end != m + 27 && *end == '\0', "got '%s'", m);
	ck_assert_msg(usec >= before && usec <= after,
	    "MONOTONIC_USEC %llu not in [%llu, %llu]", usec, before, after);
	assert_no_more(fd);
}

static void
setup(void)
{
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/check_notify.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
	snprintf(sockpath, sizeof(sockpath), "%s/notify", tmpdir);
}

static void
teardown(void)
{
	unlink(sockpath);
	rmdir(tmpdir);
}

START_TEST(test_unset)
{
	unsetenv("NOTIFY_SOCKET");
	ck_assert_int_eq(notify_ready(), 0);
	ck_assert_int_eq(notify_reloading(), 0);
	ck_assert_int_eq(notify_stopping(), 0);
	ck_assert_int_eq(notify_status("x %d", 1), 0);
	ck_assert_int_eq(notify_send("READY=1"), 0);
	/* Empty counts as unset, as in sd_notify(3). */
	setenv("NOTIFY_SOCKET", "", 1);
	ck_assert_int_eq(notify_ready(), 0);
}
END_TEST

START_TEST(test_path)
{
	int	fd = listen_at(sockpath);

	exercise(fd);
	close(fd);
}
END_TEST

START_TEST(test_abstract)
{
	char	name[64];
	int	fd;

	snprintf(name, sizeof(name), "@bistand-check-notify-%ld",
	    (long)getpid());
	fd = listen_at(name);
	exercise(fd);
	close(fd);
}
END_TEST

/* Failures return -1, every time, and never crash or block. */
START_TEST(test_missing)
{
	int	fd;

	setenv("NOTIFY_SOCKET", sockpath, 1);	/* nothing bound there */
	ck_assert_int_eq(notify_ready(), -1);
	ck_assert_int_eq(notify_stopping(), -1);	/* logged only once */
	setenv("NOTIFY_SOCKET", "@bistand-check-notify-nobody", 1);
	ck_assert_int_eq(notify_status("x"), -1);
	setenv("NOTIFY_SOCKET", "relative/path", 1);
	ck_assert_int_eq(notify_ready(), -1);
	setenv("NOTIFY_SOCKET", "/", 1);
	ck_assert_int_eq(notify_ready(), -1);
	/* Longer than sun_path. */
	setenv("NOTIFY_SOCKET", "/tmp/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
	    1);
	ck_assert_int_eq(notify_ready(), -1);
	/* A socket bound later works: nothing is cached. */
	fd = listen_at(sockpath);
	ck_assert_int_eq(notify_stopping(), 0);
	ck_assert_str_eq(next_datagram(fd), "STOPPING=1");
	close(fd);
}
END_TEST

static Suite *
notify_suite(void)
{
	Suite	*s = suite_create("notify");
	TCase	*tc = tcase_create("notify");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_unset);
	tcase_add_test(tc, test_path);
	tcase_add_test(tc, test_abstract);
	tcase_add_test(tc, test_missing);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner	*sr = srunner_create(notify_suite());
	int	 failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
