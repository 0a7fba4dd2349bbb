/*
 * main.c: bistandd — options, start-up, signals.
 *
 *   bistandd [-dtv] [-f FILE]
 *
 * Signals are libevent events, so their work runs in the event loop,
 * never in signal context: SIGHUP reloads (the new state is built
 * completely and swapped in only if valid), SIGTERM and SIGINT stop
 * accepting, let requests in flight finish and exit 0. Under systemd
 * (Type=notify) each of these is also announced on $NOTIFY_SOCKET.
 */
#include <errno.h>
#include <limits.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>
#include <event2/thread.h>

#include "application.h"
#include "config.h"
#include "core.h"
#include "http.h"
#include "log.h"
#include "notify.h"
#include "rules.h"
#include "state.h"

struct daemon_ctx {
	const char		*conf_path;	/* absolute */
	struct event_base	*base;
	struct http_server	*srv;
	struct core		*core;
	int			 verbose_flag;	/* -v */
};

static void
usage(void)
{
	fprintf(stderr, "usage: bistandd [-dtv] [-f file]\n"
	    "  -f file  configuration (default %s/bistandd.conf)\n"
	    "  -t       check the configuration, certificates, schema and "
	    "exit\n"
	    "  -d       stay in the foreground and log to stderr\n"
	    "  -v       verbose (debug) logging\n", BISTAND_CONFDIR);
	exit(2);
}

static void
main_stopped(void *arg)
{
	struct daemon_ctx *d = arg;

	event_base_loopexit(d->base, NULL);
}

static void
main_sigterm(evutil_socket_t sig, short ev, void *arg)
{
	struct daemon_ctx *d = arg;

	(void)ev;
	notify_stopping();
	log_info("received %s, shutting down",
	    sig == SIGINT ? "SIGINT" : "SIGTERM");
	http_shutdown(d->srv, main_stopped, d);
}

static void
main_sighup(evutil_socket_t sig, short ev, void *arg)
{
	struct daemon_ctx	*d = arg;
	struct state		*st;
	char			 err[1024];

	(void)sig; (void)ev;
	notify_reloading();
	if (state_load(d->conf_path, &st, err, sizeof(err)) == -1) {
		log_warnx("reload failed, keeping the running configuration: "
		    "%s", err);
		/* The old state keeps serving: systemd must see it ready. */
		notify_status("serving; last reload failed, see the log");
		notify_ready();
		return;
	}
	/* Each worker evaluates with its own Lua state of the new state;
	 * the number of workers is fixed at start. */
	if (st->conf->workers != d->core->nworkers) {
		log_warnx("reload refused, keeping the running configuration: "
		    "workers changed from %d to %d; that needs a restart",
		    d->core->nworkers, st->conf->workers);
		state_free(st);
		notify_status("serving; last reload failed, see the log");
		notify_ready();
		return;
	}
	log_setverbose(d->verbose_flag || st->conf->verbose);
	if (strcmp(st->conf->state_dir, d->core->state_dir) != 0)
		log_warnx("reload: state_dir changed; that needs a restart, "
		    "still using %s", d->core->state_dir);
	core_archive_ruleset(d->core, st->rules);
	log_info("reload: configuration, certificates, schema and rule set "
	    "%.12s (tested on %zu examples) reloaded from %s",
	    rules_hash(st->rules), st->nexamples, d->conf_path);
	notify_status("serving; rule set %.12s", rules_hash(st->rules));
	http_swap_state(d->srv, st);
	notify_ready();
}

int
main(int argc, char *argv[])
{
	struct daemon_ctx	 d;
	struct event_config	*cfg;
	struct state		*st = NULL;
	struct event		*ev_term = NULL, *ev_int = NULL, *ev_hup = NULL;
	const char		*conf = BISTAND_CONFDIR "/bistandd.conf";
	char			 err[1024], abspath[PATH_MAX];
	int			 ch, foreground = 0, test = 0;

	memset(&d, 0, sizeof(d));
	while ((ch = getopt(argc, argv, "df:tv")) != -1) {
		switch (ch) {
		case 'd': foreground = 1; break;
		case 'f': conf = optarg; break;
		case 't': test = 1; break;
		case 'v': d.verbose_flag = 1; break;
		default: usage();
		}
	}
	if (optind != argc)
		usage();
	/* Reloads re-read this path after a possible chdir("/"). */
	if (realpath(conf, abspath) == NULL) {
		fprintf(stderr, "bistandd: %s: %s\n", conf, strerror(errno));
		return 1;
	}
	d.conf_path = abspath;

	/* Large buffers (a queue listing of 10 000 items is megabytes) from
	 * mmap, always: glibc otherwise raises its threshold after the
	 * first such free and keeps later ones in the heap, which does not
	 * shrink (measured: +5 MB RSS after a few large listings). */
	mallopt(M_MMAP_THRESHOLD, 256 * 1024);
	app_xml_harden();
	if (state_load(d.conf_path, &st, err, sizeof(err)) == -1) {
		fprintf(stderr, "bistandd: %s\n", err);
		return 1;
	}
	if (test) {
		fprintf(stderr, "bistandd: configuration OK\n");
		state_free(st);
		return 0;
	}
	log_init(foreground, d.verbose_flag || st->conf->verbose, "bistandd");
	if (!foreground && daemon(0, 0) == -1)
		fatal("daemon");
	signal(SIGPIPE, SIG_IGN);
	/* A file size limit must fail the write (EFBIG), not kill us. */
	signal(SIGXFSZ, SIG_IGN);

	/* The writer thread wakes the loop: libevent must lock. */
	if (evthread_use_pthreads() == -1)
		fatalx("libevent has no pthreads support");
	/* With the changelist, libevent folds the read/write enables and
	 * disables evhttp makes around each request into one epoll_ctl per
	 * descriptor and loop turn, instead of one per change. (Its
	 * documented pitfall, dup()ed descriptors, does not occur here.) */
	if ((cfg = event_config_new()) == NULL ||
	    event_config_set_flag(cfg,
	    EVENT_BASE_FLAG_EPOLL_USE_CHANGELIST) == -1 ||
	    (d.base = event_base_new_with_config(cfg)) == NULL)
		fatalx("event_base_new failed");
	event_config_free(cfg);
	if (core_open(d.base, st->conf, rules_hash(st->rules), &d.core, err,
	    sizeof(err)) == -1) {
		state_free(st);
		fatalx("audit trail: %s", err);
	}
	log_info("audit: trail verified: %llu records, %llu checkpoints, "
	    "%zu applications held", (unsigned long long)d.core->scan.nrecords,
	    (unsigned long long)d.core->scan.ncheckpoints,
	    d.core->view.apps.n);
	core_archive_ruleset(d.core, st->rules);
	if ((d.srv = http_new(d.base, st, d.core, err, sizeof(err))) == NULL) {
		state_free(st);
		core_close(d.core);
		fatalx("%s", err);
	}
	ev_term = evsignal_new(d.base, SIGTERM, main_sigterm, &d);
	ev_int = evsignal_new(d.base, SIGINT, main_sigterm, &d);
	ev_hup = evsignal_new(d.base, SIGHUP, main_sighup, &d);
	if (ev_term == NULL || ev_int == NULL || ev_hup == NULL ||
	    evsignal_add(ev_term, NULL) == -1 ||
	    evsignal_add(ev_int, NULL) == -1 ||
	    evsignal_add(ev_hup, NULL) == -1)
		fatalx("cannot install signal handlers");
	http_log_listening(d.srv);
	log_info("bistandd started (pid %ld, configuration %s)",
	    (long)getpid(), d.conf_path);
	/* Listeners, rule set and replayed trail are up: tell systemd
	 * (after daemon(), so MAINPID is the serving process). */
	notify_status("serving; rule set %.12s", rules_hash(st->rules));
	notify_ready();

	event_base_dispatch(d.base);

	/* The writer first: it answers what is still queued while the
	 * requests still exist, and writes the final checkpoint. */
	core_close(d.core);
	http_free(d.srv);
	event_free(ev_term);
	event_free(ev_int);
	event_free(ev_hup);
	event_base_free(d.base);
	log_info("bistandd stopped");
	return 0;
}
