/*
 * map.c: string-keyed open-addressing hash map (FNV-1a, linear probe,
 * grown at 70 % load counting deleted slots).
 */
#include <stdlib.h>
#include <string.h>

#include "map.h"

#define MAP_EMPTY	0
#define MAP_DELETED	1

static uint64_t
map_hash(const char *key)
{
	uint64_t h = 1469598103934665603ULL;

	for (; *key != '\0'; key++) {
		h ^= (unsigned char)*key;
		h *= 1099511628211ULL;
	}
	return h < 2 ? h + 2 : h;	/* 0 and 1 are slot states */
}

static struct map_slot *
map_find(const struct map *m, const char *key, uint64_t h)
{
	size_t i;

	if (m->cap == 0)
		return NULL;
	for (i = h & (m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
		struct map_slot *s = &m->slots[i];

		if (s->hash == MAP_EMPTY)
			return NULL;
		if (s->hash == h && strcmp(s->key, key) == 0)
			return s;
	}
}

static int
map_grow(struct map *m)
{
	struct map_slot	*old = m->slots, *s;
	size_t		 oldcap = m->cap, i, j;

	m->cap = oldcap ? (m->n * 2 >= oldcap ? oldcap * 2 : oldcap) : 64;
	if ((m->slots = calloc(m->cap, sizeof(*m->slots))) == NULL) {
		m->slots = old;
		m->cap = oldcap;
		return -1;
	}
	m->used = m->n;
	for (i = 0; i < oldcap; i++) {
		if (old[i].hash < 2)
			continue;
		for (j = old[i].hash & (m->cap - 1);
		    m->slots[j].hash != MAP_EMPTY; j = (j + 1) & (m->cap - 1))
			;
		s = &m->slots[j];
		*s = old[i];
	}
	free(old);
	return 0;
}

void *
map_get(const struct map *m, const char *key)
{
	struct map_slot *s = map_find(m, key, map_hash(key));

	return s != NULL ? s->val : NULL;
}

int
map_put(struct map *m, const char *key, void *val)
{
	uint64_t	h = map_hash(key);
	size_t		i;

	if ((m->used + 1) * 10 >= m->cap * 7 && map_grow(m) == -1)
		return -1;
	for (i = h & (m->cap - 1); m->slots[i].hash >= 2;
	    i = (i + 1) & (m->cap - 1))
		;
	if (m->slots[i].hash == MAP_EMPTY)
		m->used++;
	m->slots[i].hash = h;
	m->slots[i].key = key;
	m->slots[i].val = val;
	m->n++;
	return 0;
}

void *
map_del(struct map *m, const char *key)
{
	struct map_slot	*s = map_find(m, key, map_hash(key));
	void		*val;

	if (s == NULL)
		return NULL;
	val = s->val;
	s->hash = MAP_DELETED;
	s->key = NULL;
	s->val = NULL;
	m->n--;
	return val;
}

void
map_clear(struct map *m, void (*fn)(void *))
{
	size_t i;

	for (i = 0; i < m->cap && fn != NULL; i++)
		if (m->slots[i].hash >= 2)
			fn(m->slots[i].val);
	free(m->slots);
	memset(m, 0, sizeof(*m));
}
