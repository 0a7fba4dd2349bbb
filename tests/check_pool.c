/*
 * check_pool.c: the evaluation workers (daemon/pool.c).
 */
#include <check.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>
#include <event2/thread.h>

#include "pool.h"

struct t {
	struct pool_task	 task;		/* first */
	int			 id;
	int			 answer;	/* run() returns this */
	int			 worker;	/* who ran it */
	pthread_t		 ran_on;
	pthread_t		 done_on;
	int			 done;
};

static atomic_int	 nran;
static int		 ndone;
static struct event_base *base;

static int
t_run(struct pool_task *pt, int worker)
{
	struct t *x = (struct t *)pt;

	x->worker = worker;
	x->ran_on = pthread_self();
	atomic_fetch_add(&nran, 1);
	return x->answer;
}

static void
t_done(struct pool_task *pt)
{
	struct t *x = (struct t *)pt;

	x->done_on = pthread_self();
	x->done++;
	if (++ndone == 50)
		event_base_loopbreak(base);
}

static void
setup(void)
{
	ck_assert_int_eq(evthread_use_pthreads(), 0);
	ck_assert_ptr_nonnull(base = event_base_new());
	atomic_store(&nran, 0);
	ndone = 0;
}

static void
teardown(void)
{
	event_base_free(base);
}

/* Every task runs once on a worker; those that ask for it are answered
 * on the loop's thread, the others never; busy counts down to 0. */
START_TEST(pool_runs_and_answers)
{
	struct pool	*p;
	struct t	 x[100];
	char		 err[128];
	int		 i;

	ck_assert_int_eq(pool_start(base, 3, &p, err, sizeof(err)), 0);
	memset(x, 0, sizeof(x));
	for (i = 0; i < 100; i++) {
		x[i].id = i;
		x[i].answer = i % 2;	/* 50 answered on the loop */
		x[i].worker = -1;
		x[i].task.run = t_run;
		x[i].task.done = t_done;
		pool_submit(p, &x[i].task);
	}
	/* Nothing is added to the base: only the pool's wake-ups. */
	ck_assert_int_eq(event_base_loop(base, EVLOOP_NO_EXIT_ON_EMPTY), 0);
	ck_assert_int_eq(ndone, 50);
	/* The 50 handed on may still be running. */
	for (i = 0; i < 5000 && pool_busy(p) > 0; i++)
		usleep(1000);
	ck_assert_int_eq(pool_busy(p), 0);
	for (i = 0; i < 100; i++) {
		ck_assert_int_ge(x[i].worker, 0);
		ck_assert_int_lt(x[i].worker, 3);
		ck_assert(!pthread_equal(x[i].ran_on, pthread_self()));
		ck_assert_int_eq(x[i].done, i % 2);
		if (x[i].done)
			ck_assert(pthread_equal(x[i].done_on, pthread_self()));
	}
	ck_assert_int_eq(atomic_load(&nran), 100);
	ck_assert_int_eq(pool_busy(p), 0);
	pool_stop(p);
}
END_TEST

/* pool_stop runs what is still queued and answers it on the caller's
 * thread, without the loop running. */
START_TEST(pool_stop_drains)
{
	struct pool	*p;
	struct t	 x[50];
	char		 err[128];
	int		 i;

	ck_assert_int_eq(pool_start(base, 1, &p, err, sizeof(err)), 0);
	memset(x, 0, sizeof(x));
	for (i = 0; i < 50; i++) {
		x[i].answer = 1;
		x[i].task.run = t_run;
		x[i].task.done = t_done;
		pool_submit(p, &x[i].task);
	}
	pool_stop(p);		/* no event_base_dispatch */
	ck_assert_int_eq(atomic_load(&nran), 50);
	for (i = 0; i < 50; i++) {
		ck_assert_int_eq(x[i].done, 1);
		ck_assert(pthread_equal(x[i].done_on, pthread_self()));
	}
}
END_TEST

START_TEST(pool_bad_size)
{
	struct pool	*p = NULL;
	char		 err[128];

	ck_assert_int_eq(pool_start(base, 0, &p, err, sizeof(err)), -1);
	ck_assert_ptr_null(strstr(err, "out of memory"));
	ck_assert_int_eq(pool_start(base, POOL_MAX + 1, &p, err,
	    sizeof(err)), -1);
	ck_assert_ptr_null(p);
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("pool");
	TCase	*tc = tcase_create("pool");
	SRunner	*sr;
	int	 nf;

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, pool_runs_and_answers);
	tcase_add_test(tc, pool_stop_drains);
	tcase_add_test(tc, pool_bad_size);
	tcase_set_timeout(tc, 30);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	nf = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nf == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
