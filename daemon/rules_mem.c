/*
 * rules_mem.c: the accounting allocator of the rule states.
 *
 * Lua's contract (manual §4.6): ptr NULL means osize is a type tag, not
 * a size; nsize 0 means free; shrinking must not fail. The limit is on
 * the bytes Lua asked for (the allocator's own overhead is not
 * counted), which is what makes it testable to the byte.
 *
 * Why not just realloc: a case makes thousands of small objects (table
 * parts, strings, closures) that are all garbage when it ends, and
 * glibc's malloc/free of them was a good part of an evaluation's CPU.
 * So blocks of up to RM_SMALL_MAX bytes come from an arena of their own:
 *
 * - one anonymous mapping per state, 1.5 times its memory budget
 *   (reserved, not touched: only the pages in use count in RSS), cut
 *   into RM_PAGE pages; each page in
 *   use holds blocks of one size class (16-byte steps) and has its own
 *   free list, so a block needs no header: the page's entry in the
 *   table at the head of the mapping says which class a block is;
 * - a class keeps a list of its pages that have a free block; a page
 *   whose last block is freed goes back to a pool for any class;
 * - at most RM_WARM_MAX empty pages stay resident; beyond that a page
 *   that empties is handed back to the kernel (MADV_DONTNEED), so a
 *   case that ran up to the memory budget does not leave the worker
 *   holding it: what stays is the live blocks' pages plus RM_WARM_MAX.
 *
 * Larger blocks, and small ones if the arena is ever full (or when it
 * could not be mapped), go to malloc as before; a block's address says
 * which of the two it is from.
 */
#include <sys/mman.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "application.h"
#include "decision.h"
#include "rules.h"

#define RM_PAGE		4096
/* The arena reserves the budget and half again (size-class rounding,
 * partly used pages), so that every small block of a case that runs up
 * to its budget is in the arena and given back after it; within these
 * bounds. */
#define RM_ARENA_MIN	((size_t)256 * 1024)
#define RM_ARENA_MAX	((size_t)2 * 1024 * 1024 * 1024)
#define RM_STEP		16
#define RM_SMALL_MAX	512
#define RM_CLASSES	(RM_SMALL_MAX / RM_STEP + 1)	/* class 0 unused */
#define RM_WARM_MAX	64		/* empty pages kept resident */

/* Kept out of the allocation and free paths, which run for every Lua
 * object: inlined, they would make every call save registers. */
#define RM_SLOW		__attribute__((noinline))

/* Under ASan, a free block and an unused page are poisoned, so a use
 * after free of Lua memory is still caught although malloc never saw
 * the block. */
#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/asan_interface.h>
#define RM_POISON(p, n)		ASAN_POISON_MEMORY_REGION((p), (n))
#define RM_UNPOISON(p, n)	ASAN_UNPOISON_MEMORY_REGION((p), (n))
#else
#define RM_POISON(p, n)		((void)(p), (void)(n))
#define RM_UNPOISON(p, n)	((void)(p), (void)(n))
#endif

struct rm_block {
	struct rm_block	*next;
};

struct rm_page {
	struct rm_block	*free;		/* freed blocks of this page */
	struct rm_page	*next, *prev;	/* class's partial list, or a pool */
	char		*mem;		/* the page itself */
	uint32_t	 live;		/* blocks handed out */
	uint32_t	 cap;		/* blocks the page holds */
	uint32_t	 fresh;		/* blocks ever carved (bump) */
	uint32_t	 cls;		/* 0: empty, in a pool */
};

struct rules_arena {
	char		*base;		/* first page */
	char		*end;		/* past the last page */
	size_t		 npages;
	size_t		 top;		/* pages [0, top) have been used */
	size_t		 maplen;
	struct rm_page	*partial[RM_CLASSES];
	struct rm_page	*warm;		/* empty, resident */
	size_t		 nwarm;
	struct rm_page	*cold;		/* empty, given back to the kernel */
	size_t		 ncold;
	struct rm_page	 page[];
};

static size_t
rm_cls(size_t n)
{
	return (n + RM_STEP - 1) / RM_STEP;
}

/* The mapping: the arena header and page table, then the pages. A
 * failure leaves m->arena NULL and m->noarena set: malloc only. */
static struct rules_arena *
rm_arena(struct rules_mem *m)
{
	struct rules_arena	*a;
	size_t			 size, head, npages, len;
	void			*p;

	if (m->arena != NULL || m->noarena)
		return m->arena;
	size = m->limit < RM_ARENA_MAX / 3 * 2 ? m->limit + m->limit / 2 :
	    RM_ARENA_MAX;
	if (size < RM_ARENA_MIN)
		size = RM_ARENA_MIN;
	npages = (size + RM_PAGE - 1) / RM_PAGE;
	head = sizeof(*a) + npages * sizeof(a->page[0]);
	head = (head + RM_PAGE - 1) / RM_PAGE * RM_PAGE;
	len = head + npages * RM_PAGE;
	p = mmap(NULL, len, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED) {
		m->noarena = 1;
		return NULL;
	}
	a = p;				/* zero-filled: every list empty */
	a->base = (char *)p + head;
	a->end = a->base + npages * RM_PAGE;
	a->npages = npages;
	a->maplen = len;
	m->arena = a;
	return a;
}

static void
rm_unlink(struct rm_page **head, struct rm_page *pg)
{
	if (pg->prev != NULL)
		pg->prev->next = pg->next;
	else
		*head = pg->next;
	if (pg->next != NULL)
		pg->next->prev = pg->prev;
	pg->next = pg->prev = NULL;
}

static void
rm_push(struct rm_page **head, struct rm_page *pg)
{
	pg->prev = NULL;
	pg->next = *head;
	if (*head != NULL)
		(*head)->prev = pg;
	*head = pg;
}

/* A page for class c, made the class's partial page; NULL when the
 * arena is full. */
static RM_SLOW struct rm_page *
rm_page_take(struct rules_arena *a, size_t c)
{
	struct rm_page *pg;

	if ((pg = a->warm) != NULL) {
		rm_unlink(&a->warm, pg);
		a->nwarm--;
	} else if ((pg = a->cold) != NULL) {
		rm_unlink(&a->cold, pg);
		a->ncold--;
	} else if (a->top < a->npages) {
		pg = &a->page[a->top];
		pg->mem = a->base + a->top++ * RM_PAGE;
	} else
		return NULL;
	RM_POISON(pg->mem, RM_PAGE);
	pg->free = NULL;
	pg->live = pg->fresh = 0;
	pg->cap = RM_PAGE / (c * RM_STEP);
	pg->cls = (uint32_t)c;
	rm_push(&a->partial[c], pg);
	return pg;
}

/* A block of class c from the arena, or NULL when it is full. */
static inline void *
rm_small(struct rules_arena *a, size_t c)
{
	struct rm_page	*pg;
	struct rm_block	*b;

	if ((pg = a->partial[c]) == NULL && (pg = rm_page_take(a, c)) == NULL)
		return NULL;
	if ((b = pg->free) != NULL) {
		RM_UNPOISON(b, c * RM_STEP);
		pg->free = b->next;
	} else {
		b = (struct rm_block *)(pg->mem + (size_t)pg->fresh++ * c *
		    RM_STEP);
		RM_UNPOISON(b, c * RM_STEP);
	}
	if (++pg->live == pg->cap)
		rm_unlink(&a->partial[c], pg);
	return b;
}

static inline int
rm_owns(const struct rules_arena *a, const void *p)
{
	return a != NULL && (const char *)p >= a->base &&
	    (const char *)p < a->end;
}

static inline struct rm_page *
rm_page_of(struct rules_arena *a, const void *p)
{
	return &a->page[((uintptr_t)p - (uintptr_t)a->base) / RM_PAGE];
}

/* The last block of pg was freed: the page goes to a pool. */
static RM_SLOW void
rm_page_empty(struct rules_arena *a, struct rm_page *pg)
{
	rm_unlink(&a->partial[pg->cls], pg);
	pg->cls = 0;
	if (a->nwarm < RM_WARM_MAX) {
		rm_push(&a->warm, pg);
		a->nwarm++;
		return;
	}
	/* Zero-filled when next touched; if the kernel refuses, the page
	 * just stays resident. */
	(void)madvise(pg->mem, RM_PAGE, MADV_DONTNEED);
	rm_push(&a->cold, pg);
	a->ncold++;
}

static inline void
rm_free_small(struct rules_arena *a, void *p)
{
	struct rm_page	*pg = rm_page_of(a, p);
	struct rm_block	*b = p;

	b->next = pg->free;
	pg->free = b;
	RM_POISON(b, (size_t)pg->cls * RM_STEP);
	if (pg->live-- == pg->cap)
		rm_push(&a->partial[pg->cls], pg);
	if (pg->live == 0)
		rm_page_empty(a, pg);
}

/* A new block of n bytes (n > 0), from the arena if small. */
static inline void *
rm_new(struct rules_mem *m, size_t n)
{
	struct rules_arena	*a;
	void			*p;

	if (n <= RM_SMALL_MAX && ((a = m->arena) != NULL ||
	    (a = rm_arena(m)) != NULL) &&
	    (p = rm_small(a, rm_cls(n))) != NULL)
		return p;
	return malloc(n);
}

static inline void
rm_free(struct rules_mem *m, void *p)
{
	if (rm_owns(m->arena, p))
		rm_free_small(m->arena, p);
	else
		free(p);
}

/* Resize p (osize bytes asked for, osize > 0) to nsize > 0; NULL when
 * no block could be had (p then stays valid). */
static RM_SLOW void *
rm_resize(struct rules_mem *m, void *p, size_t osize, size_t nsize)
{
	void	*q;

	if (rm_owns(m->arena, p)) {
		if (nsize <= RM_SMALL_MAX &&
		    rm_cls(nsize) == rm_page_of(m->arena, p)->cls)
			return p;
	} else if (nsize > RM_SMALL_MAX)
		return realloc(p, nsize);
	if ((q = rm_new(m, nsize)) == NULL)
		return NULL;
	/* osize never exceeds the block: a shrink that kept the old block
	 * made it larger than Lua thinks, not smaller. */
	memcpy(q, p, osize < nsize ? osize : nsize);
	rm_free(m, p);
	return q;
}

void *
rules_mem_alloc(void *ud, void *ptr, size_t osize, size_t nsize)
{
	struct rules_mem	*m = ud;
	void			*p;

	if (ptr == NULL)
		osize = 0;
	if (nsize == 0) {
		if (ptr != NULL)
			rm_free(m, ptr);
		m->used -= osize;
		return NULL;
	}
	/* Growth past the limit fails; written so nothing can wrap. */
	if (nsize > osize && nsize - osize > m->limit - m->used)
		return NULL;
	p = ptr == NULL ? rm_new(m, nsize) : rm_resize(m, ptr, osize, nsize);
	if (p == NULL) {
		/* A failed shrink keeps the old, larger block valid. */
		return nsize <= osize ? ptr : NULL;
	}
	m->used = m->used - osize + nsize;
	if (m->used > m->peak)
		m->peak = m->used;
	return p;
}

size_t
rules_mem_held(const struct rules_mem *m)
{
	const struct rules_arena *a = m->arena;

	return a == NULL ? 0 : (a->top - a->ncold) * RM_PAGE;
}

void
rules_mem_release(struct rules_mem *m)
{
	struct rules_arena *a = m->arena;

	if (a == NULL)
		return;
	/* The address range may be mapped again later, by anyone. */
	RM_UNPOISON(a->base, a->npages * RM_PAGE);
	munmap(a, a->maplen);
	m->arena = NULL;
}
