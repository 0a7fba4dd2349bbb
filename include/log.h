/*
 * log.h: operational logging.
 *
 * Four verbs and two fatal variants, after OpenBSD's log.c. In the
 * foreground (-d) lines go to stderr, one line per event; otherwise to
 * syslog. Operational logs never carry personal data: no personnummer,
 * no names, no free text from applications. Case ids are fine.
 */
#ifndef BISTAND_LOG_H
#define BISTAND_LOG_H

#include <stdarg.h>

void	log_init(int foreground, int verbose, const char *ident);
void	log_setverbose(int verbose);
void	log_warn(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_warnx(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_info(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_debug(const char *, ...) __attribute__((format(printf, 1, 2)));
/*
 * The one line per request, also as journal fields. When stderr is the
 * systemd journal ($JOURNAL_STREAM names it) the line goes to journald
 * over its native protocol with BISTAND_ROLE, BISTAND_METHOD,
 * BISTAND_ROUTE, BISTAND_STATUS, BISTAND_CODE, BISTAND_MS and
 * BISTAND_CASE, so `journalctl BISTAND_STATUS=503` works; otherwise it
 * is an ordinary log line.
 */
struct log_request {
	const char	*role, *method, *route, *path, *case_id, *code;
	int		 status;
	double		 ms;
};
void	log_request(const struct log_request *);
/* Send journal entries to this socket instead (NULL: stop); for tests
 * and for log_init's own detection. */
void	log_set_journal(const char *socket_path);
void	fatal(const char *, ...)
	    __attribute__((format(printf, 1, 2), noreturn));
void	fatalx(const char *, ...)
	    __attribute__((format(printf, 1, 2), noreturn));

#endif
