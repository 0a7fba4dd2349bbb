/*
 * pool.c: the evaluation workers (see pool.h).
 *
 * One mutex guards both lists; workers wait on a condition variable for
 * work, and hand results back to the loop like the audit writer does:
 * a done list and event_active() on an event of the loop's base (safe
 * from another thread because main() enables libevent's pthreads
 * locking).
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "pool.h"

struct pool {
	pthread_mutex_t		 mu;
	pthread_cond_t		 cv;
	TAILQ_HEAD(, pool_task)	 queue;		/* to run */
	TAILQ_HEAD(, pool_task)	 done;		/* to answer on the loop */
	int			 stopping;
	atomic_int		 busy;
	struct event		*done_ev;
	int			 n;
	struct worker {
		struct pool	*pool;
		pthread_t	 thread;
		int		 index;
		int		 started;
	}			 w[POOL_MAX];
};

static void
pool_done_cb(evutil_socket_t fd, short what, void *arg)
{
	struct pool		*p = arg;
	struct pool_task	*t;
	TAILQ_HEAD(, pool_task)	 list;

	(void)fd; (void)what;
	TAILQ_INIT(&list);
	pthread_mutex_lock(&p->mu);
	TAILQ_CONCAT(&list, &p->done, entry);
	pthread_mutex_unlock(&p->mu);
	while ((t = TAILQ_FIRST(&list)) != NULL) {
		TAILQ_REMOVE(&list, t, entry);
		atomic_fetch_sub(&p->busy, 1);
		t->done(t);
	}
}

static void *
pool_main(void *arg)
{
	struct worker		*w = arg;
	struct pool		*p = w->pool;
	struct pool_task	*t;

	pthread_mutex_lock(&p->mu);
	for (;;) {
		while ((t = TAILQ_FIRST(&p->queue)) == NULL && !p->stopping)
			pthread_cond_wait(&p->cv, &p->mu);
		if (t == NULL)
			break;		/* stopping, and nothing left */
		TAILQ_REMOVE(&p->queue, t, entry);
		pthread_mutex_unlock(&p->mu);
		if (t->run(t, w->index) == 0) {
			atomic_fetch_sub(&p->busy, 1);	/* handed on */
			pthread_mutex_lock(&p->mu);
			continue;
		}
		pthread_mutex_lock(&p->mu);
		TAILQ_INSERT_TAIL(&p->done, t, entry);
		event_active(p->done_ev, 0, 0);
	}
	pthread_mutex_unlock(&p->mu);
	return NULL;
}

int
pool_start(struct event_base *base, int n, struct pool **out, char *err,
    size_t errlen)
{
	struct pool	*p;
	sigset_t	 all, old;
	int		 i, rc;

	if (n < 1 || n > POOL_MAX) {
		snprintf(err, errlen, "workers: %d is not 1 to %d", n,
		    POOL_MAX);
		return -1;
	}
	if ((p = calloc(1, sizeof(*p))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->cv, NULL);
	TAILQ_INIT(&p->queue);
	TAILQ_INIT(&p->done);
	p->n = n;
	/* Signals stay with the loop (libevent's signal events): the
	 * workers start with all of them blocked. */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	if ((p->done_ev = event_new(base, -1, 0, pool_done_cb, p)) == NULL) {
		snprintf(err, errlen, "out of memory");
		goto err;
	}
	for (i = 0; i < n; i++) {
		p->w[i].pool = p;
		p->w[i].index = i;
		if ((rc = pthread_create(&p->w[i].thread, NULL, pool_main,
		    &p->w[i])) != 0) {
			snprintf(err, errlen, "starting a worker: %s",
			    strerror(rc));
			goto err;
		}
		p->w[i].started = 1;
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	*out = p;
	return 0;
 err:
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	pool_stop(p);
	return -1;
}

void
pool_submit(struct pool *p, struct pool_task *t)
{
	atomic_fetch_add(&p->busy, 1);
	pthread_mutex_lock(&p->mu);
	TAILQ_INSERT_TAIL(&p->queue, t, entry);
	pthread_cond_signal(&p->cv);
	pthread_mutex_unlock(&p->mu);
}

int
pool_busy(struct pool *p)
{
	return p == NULL ? 0 : atomic_load(&p->busy);
}

void
pool_stop(struct pool *p)
{
	int i;

	if (p == NULL)
		return;
	pthread_mutex_lock(&p->mu);
	p->stopping = 1;
	pthread_cond_broadcast(&p->cv);
	pthread_mutex_unlock(&p->mu);
	for (i = 0; i < p->n; i++)
		if (p->w[i].started)
			pthread_join(p->w[i].thread, NULL);
	/* Workers are gone: answer what they left for the loop. */
	pool_done_cb(-1, 0, p);
	if (p->done_ev != NULL)
		event_free(p->done_ev);
	pthread_cond_destroy(&p->cv);
	pthread_mutex_destroy(&p->mu);
	free(p);
}
