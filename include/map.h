/*
 * map.h: a string-keyed hash map (open addressing, linear probing).
 *
 * The map stores pointers; each value owns its key string, at keyoff
 * bytes into the value (0 unless set before the first map_put), so a
 * slot is just the value's pointer, 8 bytes: no key pointer, no stored
 * hash (a probe compares the key itself, and growing hashes the keys
 * again). The views hold hundreds of thousands of entries.
 */
#ifndef BISTAND_MAP_H
#define BISTAND_MAP_H

#include <stddef.h>
#include <stdint.h>

struct map {
	void		**slots;	/* NULL empty, else map_at() */
	size_t		  cap;		/* power of two or 0 */
	size_t		  n;		/* live entries */
	size_t		  used;		/* live + deleted */
	size_t		  keyoff;	/* the key string's offset in a value */
};

/* The key a value owns in map m. */
#define MAP_KEY(m, val)	((const char *)(val) + (m)->keyoff)

void	*map_get(const struct map *, const char *key);
/* Insert val under the key it owns; the key must not be present.
 * 0 or -1 ENOMEM. */
int	 map_put(struct map *, void *val);
/* Remove key; returns its value or NULL. Never moves other entries. */
void	*map_del(struct map *, const char *key);
/* The value in slot i (< cap), or NULL: a walk over 0..cap-1 sees
 * every value once, and may map_del as it goes. */
void	*map_at(const struct map *, size_t i);
/* Call fn on every value (e.g. to free them), then empty the map
 * (keyoff stays). */
void	 map_clear(struct map *, void (*fn)(void *));

#endif
