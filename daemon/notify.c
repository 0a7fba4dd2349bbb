/*
 * notify.c: systemd's service notification protocol, without libsystemd.
 *
 * The protocol is small and stable (sd_notify(3), "Notify socket"):
 * $NOTIFY_SOCKET names an AF_UNIX socket, a file system path or, with a
 * leading '@', an abstract name; each message is one datagram. Linking
 * libsystemd for this would add a dependency for about forty lines.
 *
 * A socket is opened per message: notifications are rare (start, reload,
 * stop) and this keeps no descriptor open for the daemon's lifetime.
 * Only the main thread notifies.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "notify.h"

static int	notify_warned;	/* a failure has been logged */

int
notify_send(const char *state)
{
	struct sockaddr_un	 sun;
	const char		*path;
	socklen_t		 len;
	size_t			 plen;
	ssize_t			 n;
	int			 fd = -1;

	if ((path = getenv("NOTIFY_SOCKET")) == NULL || *path == '\0')
		return 0;
	plen = strlen(path);
	if ((path[0] != '/' && path[0] != '@') || plen < 2 ||
	    plen > sizeof(sun.sun_path) ||
	    (path[0] == '/' && plen == sizeof(sun.sun_path))) {
		if (!notify_warned++)
			log_warnx("%s: NOTIFY_SOCKET is not an absolute path "
			    "or @abstract name, or too long", __func__);
		return -1;
	}
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	memcpy(sun.sun_path, path, plen);
	if (path[0] == '@')
		sun.sun_path[0] = '\0';	/* abstract: no terminator counted */
	else
		plen++;			/* a path: count its terminator */
	len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + plen);

	if ((fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) == -1)
		goto err;
	n = sendto(fd, state, strlen(state), MSG_NOSIGNAL,
	    (struct sockaddr *)&sun, len);
	if (n == -1)
		goto err;
	close(fd);
	return 0;
err:
	if (!notify_warned++)
		log_warn("%s: %s", __func__, path);
	if (fd != -1)
		close(fd);
	return -1;
}

int
notify_ready(void)
{
	char	msg[64];

	snprintf(msg, sizeof(msg), "READY=1\nMAINPID=%ld", (long)getpid());
	return notify_send(msg);
}

int
notify_reloading(void)
{
	struct timespec	ts;
	char		msg[64];

	clock_gettime(CLOCK_MONOTONIC, &ts);
	snprintf(msg, sizeof(msg), "RELOADING=1\nMONOTONIC_USEC=%llu",
	    (unsigned long long)ts.tv_sec * 1000000ULL +
	    (unsigned long long)ts.tv_nsec / 1000ULL);
	return notify_send(msg);
}

int
notify_stopping(void)
{
	return notify_send("STOPPING=1");
}

int
notify_status(const char *fmt, ...)
{
	char	msg[512], *p;
	va_list	ap;

	memcpy(msg, "STATUS=", 7);
	va_start(ap, fmt);
	vsnprintf(msg + 7, sizeof(msg) - 7, fmt, ap);
	va_end(ap);
	for (p = msg + 7; *p != '\0'; p++)
		if (*p == '\n')
			*p = ' ';
	return notify_send(msg);
}
