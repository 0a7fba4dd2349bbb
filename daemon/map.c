/*
 * map.c: string-keyed open-addressing hash map (FNV-1a, linear probe,
 * grown at 70 % load counting deleted slots). A slot holds only the
 * value's pointer: comparing the key through it costs a memory access
 * a probe, and at most 70 % load a lookup makes few probes, while
 * storing the hash would double the slot (the views' maps hold 100 000s).
 */
#include <stdlib.h>
#include <string.h>

#include "map.h"

/* A deleted slot: not NULL (probes go on past it), never a value. */
static char	 map_tomb;
#define MAP_DELETED	((void *)&map_tomb)

static uint64_t
map_hash(const char *key)
{
	uint64_t h = 1469598103934665603ULL;

	for (; *key != '\0'; key++) {
		h ^= (unsigned char)*key;
		h *= 1099511628211ULL;
	}
	return h;
}

static void **
map_find(const struct map *m, const char *key)
{
	size_t i;

	if (m->cap == 0)
		return NULL;
	for (i = map_hash(key) & (m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
		void *s = m->slots[i];

		if (s == NULL)
			return NULL;
		if (s != MAP_DELETED && strcmp(MAP_KEY(m, s), key) == 0)
			return &m->slots[i];
	}
}

static int
map_grow(struct map *m)
{
	void	**old = m->slots;
	size_t	  oldcap = m->cap, i, j;

	m->cap = oldcap ? (m->n * 2 >= oldcap ? oldcap * 2 : oldcap) : 64;
	if ((m->slots = calloc(m->cap, sizeof(*m->slots))) == NULL) {
		m->slots = old;
		m->cap = oldcap;
		return -1;
	}
	m->used = m->n;
	for (i = 0; i < oldcap; i++) {
		if (old[i] == NULL || old[i] == MAP_DELETED)
			continue;
		for (j = map_hash(MAP_KEY(m, old[i])) & (m->cap - 1);
		    m->slots[j] != NULL; j = (j + 1) & (m->cap - 1))
			;
		m->slots[j] = old[i];
	}
	free(old);
	return 0;
}

void *
map_get(const struct map *m, const char *key)
{
	void **s = map_find(m, key);

	return s != NULL ? *s : NULL;
}

int
map_put(struct map *m, void *val)
{
	size_t i;

	if ((m->used + 1) * 10 >= m->cap * 7 && map_grow(m) == -1)
		return -1;
	for (i = map_hash(MAP_KEY(m, val)) & (m->cap - 1);
	    m->slots[i] != NULL && m->slots[i] != MAP_DELETED;
	    i = (i + 1) & (m->cap - 1))
		;
	if (m->slots[i] == NULL)
		m->used++;
	m->slots[i] = val;
	m->n++;
	return 0;
}

void *
map_del(struct map *m, const char *key)
{
	void	**s = map_find(m, key);
	void	 *val;

	if (s == NULL)
		return NULL;
	val = *s;
	*s = MAP_DELETED;
	m->n--;
	return val;
}

void *
map_at(const struct map *m, size_t i)
{
	return m->slots[i] != MAP_DELETED ? m->slots[i] : NULL;
}

void
map_clear(struct map *m, void (*fn)(void *))
{
	size_t i, keyoff = m->keyoff;

	for (i = 0; i < m->cap && fn != NULL; i++)
		if (map_at(m, i) != NULL)
			fn(m->slots[i]);
	free(m->slots);
	memset(m, 0, sizeof(*m));
	m->keyoff = keyoff;
}
