/*
 * app_int.h: the inside of the application module, shared by its
 * files and by nobody else (other modules include application.h):
 *
 *   application.c	hardened parse, schema validation, app_parse()
 *   app_model.c	validated tree → struct application, app_free()
 *   app_value.c	tree access and value readers
 *   app_check.c	the checks the schema cannot express
 *   app_arena.c	libxml2's memory for one parse, forgotten at once
 *
 * Readers take the node a value lives in (element or attribute) and the
 * value's path for messages, e.g. "household/person[2]/personnummer"
 * (struct app_path). They return 0, or -1 with e filled: a 400
 * positioned at the node (line, element name), or a 500 when memory
 * ran out. A NULL node
 * means app_req() or app_req_attr() already refused the missing
 * element or attribute: -1, e as it is.
 */
#ifndef BISTAND_APP_INT_H
#define BISTAND_APP_INT_H

#include <stddef.h>
#include <stdint.h>

#include <libxml/tree.h>

#include "application.h"

/* An income or status whose @person names no member, between
 * app_model_build() and app_check(). */
#define APP_NOBODY	SIZE_MAX

/*
 * A value's path in messages: pre, then "[i]" when i > 0 (1-based), then
 * post. It is put together (app_path_str) only when a message is
 * written: formatting each path up front cost a snprintf per value read,
 * on every document, for messages that are nearly never needed.
 */
struct app_path {
	const char	*pre;
	size_t		 i;
	const char	*post;
};
/* The room a path is formatted in; a longer one is cut (none is). */
#define APP_PATH_MAX	64
/* A path with no index, and one with the index i. */
#define APP_PATH(s)	(&(const struct app_path){ (s), 0, "" })
#define APP_PATH_AT(pre, i, post) \
	(&(const struct app_path){ (pre), (i), (post) })

/* app_arena.c: libxml2's memory for one parse (see there) */
struct app_arena;
/* Route libxml2's allocations through app_arena.c; once, before any
 * other libxml2 call. 0, or -1 (then there are no arenas). */
int		 app_arena_setup(void);
/* This thread's arena, made on first use; NULL: use the heap. */
struct app_arena *app_arena_get(void);
/* From begin to end, libxml2's blocks of this thread come from a; end
 * returns 1 when some came from malloc instead (a was full): what was
 * made in the scope must then be freed as usual before the reset. */
void		 app_arena_begin(struct app_arena *a);
int		 app_arena_end(struct app_arena *a);
/* Forget every block of a; nothing made in a scope is used after. */
void		 app_arena_reset(struct app_arena *a);
/* For tests: the bytes cut since the reset; a smaller region (0: every
 * block spills; more than the region: the whole region). */
size_t		 app_arena_used(const struct app_arena *a);
void		 app_arena_limit(struct app_arena *a, size_t limit);

/* app_model.c */
/* Build the model from the validated document's root, then run
 * app_check() on it; on success *out owns it. */
int		 app_model_build(xmlNodePtr root, struct application **out,
		    struct errdoc *e);

/* app_check.c */
/* Roles, duplicates, @person references and the consistency rules;
 * root is the document the model was built from, for positions. */
int		 app_check(const struct application *a, xmlNodePtr root,
		    struct errdoc *e);

/* app_value.c */
/* strlcpy that cuts at a UTF-8 character boundary. */
void		 app_copy_utf8(char *dst, size_t size, const char *src);
/* Element children in our namespace: the first at or after n called
 * name; the first child; the i-th child (from 0); how many. */
xmlNodePtr	 app_elem(xmlNodePtr n, const char *name);
xmlNodePtr	 app_child(xmlNodePtr parent, const char *name);
xmlNodePtr	 app_nth(xmlNodePtr parent, const char *name, size_t i);
size_t		 app_count(xmlNodePtr parent, const char *name);
/* A child element or an attribute the schema requires; NULL with e
 * filled when absent. */
xmlNodePtr	 app_req(xmlNodePtr parent, const char *name,
		    struct errdoc *e);
xmlNodePtr	 app_req_attr(xmlNodePtr el, const char *name,
		    struct errdoc *e);
/* A 400 with code about node n (an attribute counts as its element). */
void		 app_fail(struct errdoc *e, const char *code, xmlNodePtr n,
		    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* path as text, in buf; returns buf. */
const char	*app_path_str(const struct app_path *path,
		    char buf[APP_PATH_MAX]);
/* The text with surrounding whitespace removed, into buf. */
int		 app_value(xmlNodePtr n, const struct app_path *path,
		    char *buf, size_t size, struct errdoc *e);
int		 app_integer(xmlNodePtr n, const struct app_path *path,
		    long long min, long long max, long long *out,
		    struct errdoc *e);
int		 app_bool(xmlNodePtr n, const struct app_path *path, int *out,
		    struct errdoc *e);
/* The index of the value in names[0..count-1]. */
int		 app_enum(xmlNodePtr n, const struct app_path *path,
		    const char *const *names, size_t count, int *out,
		    struct errdoc *e);
/* YYYY-MM as year * 12 + month - 1. */
int		 app_month(xmlNodePtr n, const struct app_path *path, int *out,
		    struct errdoc *e);
/* Free text as sent, malloc'ed; *out NULL when n is NULL. */
int		 app_text(xmlNodePtr n, char **out, struct errdoc *e);
/* A valid personnummer (ERR_PERSONNUMMER otherwise); d may be NULL. */
int		 app_pnr(xmlNodePtr n, const struct app_path *path,
		    char pnr[13], struct pnr_date *d, struct errdoc *e);

#endif
