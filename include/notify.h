/*
 * notify.h: systemd's service notification protocol, without libsystemd.
 *
 * When systemd starts the daemon with Type=notify it sets $NOTIFY_SOCKET
 * to an AF_UNIX datagram socket: a path, or "@name" for an abstract one.
 * Each notification is one datagram of newline-separated VAR=value
 * assignments (sd_notify(3)). Without $NOTIFY_SOCKET every function is a
 * no-op that returns 0, so the daemon runs the same outside systemd.
 *
 * All functions return 0 or -1. A failure is logged once (later ones
 * only return -1) and is never fatal: a lost notification must not take
 * down a daemon that serves requests.
 */
#ifndef BISTAND_NOTIFY_H
#define BISTAND_NOTIFY_H

#include <stddef.h>

/* Sends state (e.g. "READY=1\nSTATUS=x") as one datagram. */
int	notify_send(const char *state);
/* "READY=1\nMAINPID=<pid>": start-up or a reload is complete. */
int	notify_ready(void);
/* "RELOADING=1\nMONOTONIC_USEC=<now>": a reload begins; READY=1 ends
 * it. systemd 253+ wants the timestamp; 252 ignores it. */
int	notify_reloading(void);
/* "STOPPING=1": an orderly stop has begun. */
int	notify_stopping(void);
/* "STATUS=<text>": one line shown by systemctl status. A newline in the
 * text would start another assignment, so it is replaced by a blank. */
int	notify_status(const char *fmt, ...)
	    __attribute__((format(printf, 1, 2)));

#endif
