/*
 * log.c: operational logging to stderr (foreground) or syslog.
 *
 * Each call writes exactly one line. Lines are formatted into one buffer
 * and written with a single write(2), so lines from several threads do
 * not interleave.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include "log.h"

static int	log_foreground = 1;
/* Set on the loop (reloads), read by every thread that logs. */
static atomic_int	log_verbose;
static int	log_jfd = -1;		/* datagram socket to journald */
static struct sockaddr_un log_jaddr;

#define LOG_JOURNAL_SOCKET	"/run/systemd/journal/socket"

void
log_set_journal(const char *path)
{
	if (log_jfd != -1) {
		close(log_jfd);
		log_jfd = -1;
	}
	if (path == NULL || strlen(path) >= sizeof(log_jaddr.sun_path))
		return;
	memset(&log_jaddr, 0, sizeof(log_jaddr));
	log_jaddr.sun_family = AF_UNIX;
	strcpy(log_jaddr.sun_path, path);
	log_jfd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
}

/* Is stderr the journal? systemd says so in $JOURNAL_STREAM=dev:ino. */
static int
log_stderr_is_journal(void)
{
	const char		*js = getenv("JOURNAL_STREAM");
	struct stat		 sb;
	unsigned long long	 dev, ino;

	return js != NULL && sscanf(js, "%llu:%llu", &dev, &ino) == 2 &&
	    fstat(STDERR_FILENO, &sb) == 0 &&
	    (unsigned long long)sb.st_dev == dev &&
	    (unsigned long long)sb.st_ino == ino;
}

void
log_init(int foreground, int verbose, const char *ident)
{
	log_foreground = foreground;
	log_verbose = verbose;
	if (!foreground)
		openlog(ident, LOG_PID | LOG_NDELAY, LOG_DAEMON);
	else if (log_stderr_is_journal())
		log_set_journal(LOG_JOURNAL_SOCKET);
}

/* FIELD=value LF, with anything below a space in value made '?': a
 * journal field in this form must not hold a line feed. */
static size_t
log_field(char *buf, size_t len, size_t at, const char *name,
    const char *value)
{
	size_t n = at;

	if (value == NULL || *value == '\0')
		value = "-";
	n += (size_t)snprintf(buf + n, n < len ? len - n : 0, "%s=", name);
	for (; *value != '\0' && n + 2 < len; value++)
		buf[n++] = (unsigned char)*value < 0x20 ? '?' : *value;
	if (n + 1 < len)
		buf[n++] = '\n';
	return n;
}

void
log_request(const struct log_request *r)
{
	char	line[768], jbuf[2048], num[32];
	size_t	n = 0;

	snprintf(line, sizeof(line), "request role=%s method=%s route=%s "
	    "path=%s case=%s status=%d code=%s ms=%.3f", r->role, r->method,
	    r->route ? r->route : "-", r->path, r->case_id[0] ? r->case_id :
	    "-", r->status, r->code ? r->code : "-", r->ms);
	if (log_jfd == -1) {
		log_info("%s", line);
		return;
	}
	n = log_field(jbuf, sizeof(jbuf), n, "MESSAGE", line);
	n = log_field(jbuf, sizeof(jbuf), n, "PRIORITY", "6");
	n = log_field(jbuf, sizeof(jbuf), n, "SYSLOG_IDENTIFIER", "bistandd");
	n = log_field(jbuf, sizeof(jbuf), n, "BISTAND_ROLE", r->role);
	n = log_field(jbuf, sizeof(jbuf), n, "BISTAND_METHOD", r->method);
	n = log_field(jbuf, sizeof(jbuf), n, "BISTAND_ROUTE", r->route);
	snprintf(num, sizeof(num), "%d", r->status);
	n = log_field(jbuf, sizeof(jbuf), n, "BISTAND_STATUS", num);
	n = log_field(jbuf, sizeof(jbuf), n, "BISTAND_CODE", r->code);
	snprintf(num, sizeof(num), "%.3f", r->ms);
	n = log_field(jbuf, sizeof(jbuf), n, "BISTAND_MS", num);
	n = log_field(jbuf, sizeof(jbuf), n, "BISTAND_CASE", r->case_id);
	/* The journal down is no reason to lose the line: stderr then. */
	if (n >= sizeof(jbuf) || sendto(log_jfd, jbuf, n, MSG_NOSIGNAL,
	    (struct sockaddr *)&log_jaddr, sizeof(log_jaddr)) == -1)
		log_info("%s", line);
}

void
log_setverbose(int verbose)
{
	log_verbose = verbose;
}

static void
log_vemit(int pri, const char *errstr, const char *fmt, va_list ap)
{
	char		 msg[1024], line[1200];
	struct timespec	 ts;
	struct tm	 tm;
	const char	*lvl;
	int		 n;

	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (!log_foreground) {
		if (errstr)
			syslog(pri, "%s: %s", msg, errstr);
		else
			syslog(pri, "%s", msg);
		return;
	}
	switch (pri) {
	case LOG_CRIT:		lvl = "fatal"; break;
	case LOG_WARNING:	lvl = "warn"; break;
	case LOG_DEBUG:		lvl = "debug"; break;
	default:		lvl = "info"; break;
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	n = snprintf(line, sizeof(line),
	    "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ %s %s%s%s\n",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
	    tm.tm_min, tm.tm_sec, ts.tv_nsec / 1000000, lvl, msg,
	    errstr ? ": " : "", errstr ? errstr : "");
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(line)) {
		n = sizeof(line) - 1;
		line[n - 1] = '\n';
	}
	(void)!write(STDERR_FILENO, line, (size_t)n);
}

#define LOG_BODY(pri, errstr) do {		\
	va_list ap;				\
	va_start(ap, fmt);			\
	log_vemit(pri, errstr, fmt, ap);	\
	va_end(ap);				\
} while (0)

void
log_warn(const char *fmt, ...)
{
	const char *e = strerror(errno);

	LOG_BODY(LOG_WARNING, e);
}

void
log_warnx(const char *fmt, ...)
{
	LOG_BODY(LOG_WARNING, NULL);
}

void
log_info(const char *fmt, ...)
{
	LOG_BODY(LOG_INFO, NULL);
}

void
log_debug(const char *fmt, ...)
{
	if (log_verbose)
		LOG_BODY(LOG_DEBUG, NULL);
}

void
fatal(const char *fmt, ...)
{
	const char *e = strerror(errno);

	LOG_BODY(LOG_CRIT, e);
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	LOG_BODY(LOG_CRIT, NULL);
	exit(1);
}
