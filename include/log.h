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
void	fatal(const char *, ...)
	    __attribute__((format(printf, 1, 2), noreturn));
void	fatalx(const char *, ...)
	    __attribute__((format(printf, 1, 2), noreturn));

#endif
