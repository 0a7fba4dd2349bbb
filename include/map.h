/*
 * map.h: a string-keyed hash map (open addressing, linear probing).
 *
 * The map stores pointers; each value owns its key string (the map
 * keeps only the pointer), so one free path per value. Used by the
 * views, which hold hundreds of thousands of entries.
 */
#ifndef BISTAND_MAP_H
#define BISTAND_MAP_H

#include <stddef.h>
#include <stdint.h>

struct map_slot {
	uint64_t	 hash;		/* 0: empty, 1: deleted */
	const char	*key;
	void		*val;
};

struct map {
	struct map_slot	*slots;
	size_t		 cap;		/* power of two or 0 */
	size_t		 n;		/* live entries */
	size_t		 used;		/* live + deleted */
};

void	*map_get(const struct map *, const char *key);
/* Insert key (owned by val); it must not be present. 0 or -1 ENOMEM. */
int	 map_put(struct map *, const char *key, void *val);
/* Remove key; returns its value or NULL. */
void	*map_del(struct map *, const char *key);
/* Call fn on every value (e.g. to free them), then empty the map. */
void	 map_clear(struct map *, void (*fn)(void *));

#endif
