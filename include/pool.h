/*
 * pool.h: worker threads for the CPU-heavy part of a request (the rule
 * evaluation of an application), so the event loop keeps serving TLS,
 * HTTP and the views while a case is evaluated on another core.
 *
 * The loop submits a task; a worker runs task->run(task, i) with its
 * index i (each worker has its own Lua state, state->wrules[i]). run
 * returns 0 when it handed the task on (to the audit writer, whose done
 * callback answers on the loop) or 1 to have task->done(task) called
 * on the loop thread afterwards (an error to answer there). Workers
 * never touch the views or a request: those belong to the loop.
 */
#ifndef BISTAND_POOL_H
#define BISTAND_POOL_H

#include <sys/queue.h>

struct event_base;

struct pool_task {
	TAILQ_ENTRY(pool_task)	 entry;
	int			(*run)(struct pool_task *, int worker);
	void			(*done)(struct pool_task *);
};

struct pool;

/* n workers (1..POOL_MAX). 0, or -1 with err. */
#define POOL_MAX	16
int	pool_start(struct event_base *, int n, struct pool **, char *err,
	    size_t errlen);
void	pool_submit(struct pool *, struct pool_task *);
/* Tasks submitted and not yet run or answered. The drain need not ask:
 * a case on a worker keeps its connection open. */
int	pool_busy(struct pool *);
/* Run what is queued, join the workers, run the pending done callbacks
 * on the calling (loop) thread, free the pool. */
void	pool_stop(struct pool *);

#endif
