/*
 * app_arena.c: where libxml2's memory comes from while a client's
 * document is parsed and validated.
 *
 * Every application is parsed and validated on the event-loop thread,
 * the daemon's bottleneck. libxml2 builds a tree of a few hundred small
 * blocks, its validator a regexp context per element, and all of it is
 * freed again microseconds later: through glibc malloc that was about a
 * tenth of the loop thread's time (perf, bench/README.md), plus a walk
 * of the whole tree to free it. Instead, between app_arena_begin() and
 * app_arena_end(), every libxml2 allocation of the calling thread is
 * cut from a region of that thread's, and app_arena_reset() forgets
 * them all at once.
 *
 * libxml2 allocates through the functions below (xmlMemSetup, once, at
 * start-up). Outside a scope, and on every other thread, they are
 * malloc, realloc and free. A block of a region is known by its
 * address (regions are registered for good and never unmapped), so
 * libxml2 may free one at any time, from any thread: that does nothing.
 * When a region is full it hands out malloc'd blocks instead (spilled);
 * the caller then frees what it made the ordinary way.
 *
 * Nothing made in a scope may be used after the reset. The parse makes
 * fresh parser and validation contexts inside the scope (pooled ones
 * keep caches that would point into the region). libxml2's per-thread
 * last error may keep strings made in a scope: they are only ever freed
 * (which does nothing here), never read: nothing calls xmlGetLastError.
 * That is also why a free never gives a block back, not even the newest:
 * such a stale pointer can equal a live block of a later scope.
 *
 * Under AddressSanitizer (or valgrind's memcheck) a reset region is
 * poisoned (no access) and each block unpoisoned (undefined) as it is
 * cut, so a use after the reset or of bytes never written is still
 * caught.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <libxml/xmlmemory.h>

#include "app_int.h"

/* The sanitizers and memcheck are told which bytes are blocks: without
 * that, a read past a block or after the reset would go unseen. */
#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/asan_interface.h>
#define ARENA_POISON(p, n)	ASAN_POISON_MEMORY_REGION((p), (n))
#define ARENA_UNPOISON(p, n)	ASAN_UNPOISON_MEMORY_REGION((p), (n))
#elif defined(__has_include)
#if __has_include(<valgrind/memcheck.h>)
#include <valgrind/memcheck.h>
#define ARENA_POISON(p, n)	((void)VALGRIND_MAKE_MEM_NOACCESS((p), (n)))
#define ARENA_UNPOISON(p, n)	((void)VALGRIND_MAKE_MEM_UNDEFINED((p), (n)))
#endif
#endif
#ifndef ARENA_POISON
#define ARENA_POISON(p, n)	((void)(p), (void)(n))
#define ARENA_UNPOISON(p, n)	((void)(p), (void)(n))
#endif

/* Address space per region; only what is used is resident. An
 * application's tree and contexts take ~50 KiB; a 1 MiB body (the
 * default limit) of nothing but tiny elements takes more than this and
 * spills to malloc, which is slower but the same. */
#define ARENA_SIZE	((size_t)32 << 20)
/* What stays resident after a reset; an application needs ~50 KiB. */
#define ARENA_KEEP	((size_t)256 << 10)
/* Regions: one per thread that parses (the loop; tools and tests). */
#define ARENA_MAX	8
/* A block's header holds its size (for realloc); blocks are aligned
 * like malloc's. */
#define ARENA_HDR	16
#define ARENA_ALIGN	16
#define ARENA_NONE	SIZE_MAX

struct app_arena {
	char		*base;
	size_t		 used;		/* offset of the next block's header */
	size_t		 high;		/* most used since the last reset */
	size_t		 last;		/* the newest block's header, or NONE */
	size_t		 limit;		/* ARENA_SIZE, less in tests */
	int		 spilled;	/* a block came from malloc */
};

static struct app_arena	 arenas[ARENA_MAX];
static int		 narenas;	/* slots taken (atomic) */
static int		 hooked;	/* xmlMemSetup succeeded */
static __thread struct app_arena *arena_cur;	/* in a scope */
static __thread struct app_arena *arena_mine;	/* this thread's */
static __thread int	 arena_none;	/* this thread could not have one */

/* The region p lies in, or NULL. */
static struct app_arena *
arena_of(const void *p)
{
	char	*base;
	int	 i, n;

	n = __atomic_load_n(&narenas, __ATOMIC_ACQUIRE);
	if (n > ARENA_MAX)
		n = ARENA_MAX;
	for (i = 0; i < n; i++) {
		base = __atomic_load_n(&arenas[i].base, __ATOMIC_ACQUIRE);
		if (base != NULL && (const char *)p >= base &&
		    (size_t)((const char *)p - base) < ARENA_SIZE)
			return &arenas[i];
	}
	return NULL;
}

static size_t
arena_round(size_t n)
{
	return (n + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
}

/* A block of n bytes cut from a, or NULL when it does not fit. */
static void *
arena_cut(struct app_arena *a, size_t n)
{
	char	*hdr;
	size_t	 need;

	if (n == 0)
		n = 1;
	if (n > a->limit || a->used > a->limit ||
	    a->limit - a->used < ARENA_HDR + arena_round(n))
		return NULL;
	need = ARENA_HDR + arena_round(n);
	hdr = a->base + a->used;
	ARENA_UNPOISON(hdr, ARENA_HDR + n);
	memcpy(hdr, &n, sizeof(n));
	a->last = a->used;
	a->used += need;
	if (a->used > a->high)
		a->high = a->used;
	return hdr + ARENA_HDR;
}

static void *
arena_malloc(size_t n)
{
	struct app_arena *a = arena_cur;
	void		*p;

	if (a == NULL)
		return malloc(n);
	if ((p = arena_cut(a, n)) != NULL)
		return p;
	a->spilled = 1;
	return malloc(n);
}

static void
arena_free(void *p)
{
	if (p != NULL && arena_of(p) == NULL)
		free(p);
}

static void *
arena_realloc(void *p, size_t n)
{
	struct app_arena *a;
	size_t		 old, off;
	void		*q;

	if (p == NULL)
		return arena_malloc(n);
	/* A heap block stays on the heap, in a scope or not: it was made
	 * outside one and may be kept after it. */
	if ((a = arena_of(p)) == NULL)
		return realloc(p, n);
	memcpy(&old, (char *)p - ARENA_HDR, sizeof(old));
	off = (size_t)((char *)p - a->base) - ARENA_HDR;
	/* The newest block of the running scope grows where it is (the
	 * parser's input and node stacks do). */
	if (a == arena_cur && off == a->last && n > 0 && n <= a->limit &&
	    off <= a->limit && a->limit - off >= ARENA_HDR + arena_round(n)) {
		if (n > old)
			ARENA_UNPOISON((char *)p + old, n - old);
		memcpy((char *)p - ARENA_HDR, &n, sizeof(n));
		a->used = off + ARENA_HDR + arena_round(n);
		if (a->used > a->high)
			a->high = a->used;
		return p;
	}
	if ((q = arena_malloc(n)) == NULL)
		return NULL;
	memcpy(q, p, old < n ? old : n);
	return q;
}

static char *
arena_strdup(const char *s)
{
	size_t	 n = strlen(s) + 1;
	char	*p;

	if ((p = arena_malloc(n)) != NULL)
		memcpy(p, s, n);
	return p;
}

int
app_arena_setup(void)
{
	if (hooked)
		return 0;
	if (xmlMemSetup(arena_free, arena_malloc, arena_realloc,
	    arena_strdup) != 0)
		return -1;
	hooked = 1;
	return 0;
}

struct app_arena *
app_arena_get(void)
{
	struct app_arena *a;
	void		*p;
	int		 slot;

	if (arena_mine != NULL || arena_none || !hooked)
		return arena_mine;
	slot = __atomic_fetch_add(&narenas, 1, __ATOMIC_ACQ_REL);
	if (slot >= ARENA_MAX) {
		arena_none = 1;
		return NULL;
	}
	p = mmap(NULL, ARENA_SIZE, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED) {
		arena_none = 1;
		return NULL;
	}
	ARENA_POISON(p, ARENA_SIZE);
	a = &arenas[slot];
	a->last = ARENA_NONE;
	a->limit = ARENA_SIZE;
	__atomic_store_n(&a->base, (char *)p, __ATOMIC_RELEASE);
	arena_mine = a;
	return a;
}

void
app_arena_begin(struct app_arena *a)
{
	a->spilled = 0;
	arena_cur = a;
}

int
app_arena_end(struct app_arena *a)
{
	arena_cur = NULL;
	return a->spilled;
}

void
app_arena_reset(struct app_arena *a)
{
	if (a->high > ARENA_KEEP)
		(void)madvise(a->base + ARENA_KEEP, a->high - ARENA_KEEP,
		    MADV_DONTNEED);
	ARENA_POISON(a->base, a->high);
	a->used = 0;
	a->high = 0;
	a->last = ARENA_NONE;
	a->spilled = 0;
}

size_t
app_arena_used(const struct app_arena *a)
{
	return a->used;
}

void
app_arena_limit(struct app_arena *a, size_t limit)
{
	a->limit = limit < ARENA_SIZE ? limit : ARENA_SIZE;
}
