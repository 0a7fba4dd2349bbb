/*
 * rules_mem.c: the accounting allocator of the rule states.
 *
 * Lua's contract (manual §4.6): ptr NULL means osize is a type tag, not
 * a size; nsize 0 means free; shrinking must not fail. The limit is on
 * the bytes Lua asked for (malloc's own overhead is not counted), which
 * is what makes it testable to the byte.
 */
#include <stdlib.h>

#include "application.h"
#include "decision.h"
#include "rules.h"

void *
rules_mem_alloc(void *ud, void *ptr, size_t osize, size_t nsize)
{
	struct rules_mem	*m = ud;
	void			*p;

	if (ptr == NULL)
		osize = 0;
	if (nsize == 0) {
		free(ptr);
		m->used -= osize;
		return NULL;
	}
	/* Growth past the limit fails; written so nothing can wrap. */
	if (nsize > osize && nsize - osize > m->limit - m->used)
		return NULL;
	if ((p = realloc(ptr, nsize)) == NULL) {
		/* A failed shrink keeps the old, larger block valid. */
		return nsize <= osize ? ptr : NULL;
	}
	m->used = m->used - osize + nsize;
	if (m->used > m->peak)
		m->peak = m->used;
	return p;
}
