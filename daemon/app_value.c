/*
 * app_value.c: reading values out of a validated application tree.
 *
 * Each reader takes the node (element or attribute) a value lives in and
 * the value's path for messages ("household/person[2]/personnummer"),
 * converts the text, range-checks it, and on failure fills the errdoc
 * with a 400 positioned at the node. The schema has already refused
 * anything malformed, so a failure here means the schema file was
 * loosened; the readers keep the model right even then.
 */
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/tree.h>

#include "app_int.h"
#include "application.h"

/*
 * Copy src into dst (size > 0 bytes), cutting at a UTF-8 character
 * boundary, so that a truncated message is still valid UTF-8 when the
 * error document is written.
 */
void
app_copy_utf8(char *dst, size_t size, const char *src)
{
	size_t	 n = strlen(src);

	if (n >= size) {
		n = size - 1;
		while (n > 0 && ((unsigned char)src[n] & 0xc0) == 0x80)
			n--;
	}
	memcpy(dst, src, n);
	dst[n] = '\0';
}

/*
 * Tree access. The walk goes by namespace and local name, so a foreign
 * element (which the schema refuses anyway) is never mistaken for ours.
 * The name is compared first: it is what tells siblings apart, while
 * the namespace is nearly always ours. Its first byte is compared
 * before strcmp is called: the model's ~200 lookups per document mostly
 * pass over siblings whose names differ there.
 */
xmlNodePtr
app_elem(xmlNodePtr n, const char *name)
{
	for (; n != NULL; n = n->next)
		if (n->type == XML_ELEMENT_NODE && n->name != NULL &&
		    n->name[0] == (xmlChar)name[0] &&
		    strcmp((const char *)n->name, name) == 0 &&
		    n->ns != NULL && n->ns->href != NULL &&
		    strcmp((const char *)n->ns->href, APP_NS) == 0)
			return n;
	return NULL;
}

xmlNodePtr
app_child(xmlNodePtr parent, const char *name)
{
	return parent != NULL ? app_elem(parent->children, name) : NULL;
}

/* The i-th (from 0) child element called name, or NULL. */
xmlNodePtr
app_nth(xmlNodePtr parent, const char *name, size_t i)
{
	xmlNodePtr	 n;

	for (n = app_child(parent, name); n != NULL && i > 0; i--)
		n = app_elem(n->next, name);
	return n;
}

size_t
app_count(xmlNodePtr parent, const char *name)
{
	xmlNodePtr	 n;
	size_t		 count = 0;

	for (n = app_child(parent, name); n != NULL;
	    n = app_elem(n->next, name))
		count++;
	return count;
}

/* The required child element name of parent, or NULL with e filled. */
xmlNodePtr
app_req(xmlNodePtr parent, const char *name, struct errdoc *e)
{
	xmlNodePtr	 n;

	if ((n = app_child(parent, name)) == NULL)
		app_fail(e, ERR_SCHEMA, parent, "%s: missing element %s",
		    parent != NULL ? (const char *)parent->name : "?", name);
	return n;
}

/* The required attribute name of element el, or NULL with e filled. */
xmlNodePtr
app_req_attr(xmlNodePtr el, const char *name, struct errdoc *e)
{
	xmlAttrPtr	 a;

	/* NULL namespace: the attribute without one, as the schema has
	 * them (attributeFormDefault="unqualified") */
	if ((a = xmlHasNsProp(el, BAD_CAST name, NULL)) == NULL)
		app_fail(e, ERR_SCHEMA, el, "%s: missing attribute %s",
		    (const char *)el->name, name);
	return (xmlNodePtr)a;
}

/* A refusal (400) about node n: its line and its element's name. */
void
app_fail(struct errdoc *e, const char *code, xmlNodePtr n,
    const char *fmt, ...)
{
	char	 msg[sizeof(e->message)];
	va_list	 ap;
	long	 line;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	errdoc_set(e, 400, code, "%s", msg);
	if (n != NULL && n->type == XML_ATTRIBUTE_NODE)
		n = n->parent;
	if (n != NULL) {
		if ((line = xmlGetLineNo(n)) > 0 && line < INT_MAX)
			e->line = (int)line;
		app_copy_utf8(e->element, sizeof(e->element),
		    (const char *)n->name);
	}
}

const char *
app_path_str(const struct app_path *path, char buf[APP_PATH_MAX])
{
	if (path->i > 0)
		snprintf(buf, APP_PATH_MAX, "%s[%zu]%s", path->pre, path->i,
		    path->post);
	else
		snprintf(buf, APP_PATH_MAX, "%s%s", path->pre, path->post);
	return buf;
}

/*
 * The text of n when it is a single text node, as it nearly always is,
 * without a copy: what xmlNodeGetContent() would return, or NULL when
 * only xmlNodeGetContent() can tell (several nodes, CDATA, children).
 */
static const char *
app_text_node(xmlNodePtr n)
{
	xmlNodePtr	 t;

	if (n->type != XML_ELEMENT_NODE && n->type != XML_ATTRIBUTE_NODE)
		return NULL;
	if ((t = n->children) == NULL || t->next != NULL ||
	    t->type != XML_TEXT_NODE || t->content == NULL)
		return NULL;
	return (const char *)t->content;
}

/*
 * A value with a fixed form: the text of an element or an attribute
 * with surrounding whitespace removed (the schema's types collapse it).
 * -1 with e filled when too long for buf; -1 when n is NULL, for which
 * app_req() has already filled e.
 */
int
app_value(xmlNodePtr n, const struct app_path *path, char *buf,
    size_t size, struct errdoc *e)
{
	xmlChar		*raw = NULL;
	const char	*s, *end;
	char		 where[APP_PATH_MAX];
	int		 rc = -1;

	if (n == NULL)
		return -1;
	if ((s = app_text_node(n)) == NULL) {
		if ((raw = xmlNodeGetContent(n)) == NULL) {
			errdoc_set(e, 500, ERR_INTERNAL, "out of memory");
			goto err;
		}
		s = (const char *)raw;
	}
	for (; *s == ' ' || *s == '\t' || *s == '\n' ||
	    *s == '\r'; s++)
		;
	for (end = s + strlen(s); end > s && (end[-1] == ' ' ||
	    end[-1] == '\t' || end[-1] == '\n' || end[-1] == '\r'); end--)
		;
	if ((size_t)(end - s) >= size) {
		app_fail(e, ERR_SCHEMA, n, "%s: value too long",
		    app_path_str(path, where));
		goto err;
	}
	memcpy(buf, s, (size_t)(end - s));
	buf[end - s] = '\0';
	rc = 0;
 err:
	xmlFree(raw);
	return rc;
}

/* An integer in [min, max] (xs:integer's form: optional sign, digits). */
int
app_integer(xmlNodePtr n, const struct app_path *path, long long min,
    long long max, long long *out, struct errdoc *e)
{
	char		 buf[32], where[APP_PATH_MAX];
	const char	*s = buf;
	long long	 v = 0;
	int		 neg = 0;

	if (app_value(n, path, buf, sizeof(buf), e) == -1)
		return -1;
	if (*s == '+' || *s == '-')
		neg = *s++ == '-';
	if (*s == '\0')
		goto bad;
	for (; *s >= '0' && *s <= '9'; s++) {
		if (v > (LLONG_MAX - 9) / 10)
			goto bad;
		v = v * 10 + (*s - '0');
	}
	if (*s != '\0')
		goto bad;
	if (neg)
		v = -v;
	if (v < min || v > max)
		goto bad;
	*out = v;
	return 0;
 bad:
	app_fail(e, ERR_SCHEMA, n, "%s: not an integer from %lld to %lld",
	    app_path_str(path, where), min, max);
	return -1;
}

int
app_bool(xmlNodePtr n, const struct app_path *path, int *out,
    struct errdoc *e)
{
	char	 buf[8], where[APP_PATH_MAX];

	if (app_value(n, path, buf, sizeof(buf), e) == -1)
		return -1;
	if (strcmp(buf, "true") == 0 || strcmp(buf, "1") == 0)
		*out = 1;
	else if (strcmp(buf, "false") == 0 || strcmp(buf, "0") == 0)
		*out = 0;
	else {
		app_fail(e, ERR_SCHEMA, n, "%s: not a boolean",
		    app_path_str(path, where));
		return -1;
	}
	return 0;
}

int
app_enum(xmlNodePtr n, const struct app_path *path,
    const char *const *names, size_t count, int *out, struct errdoc *e)
{
	char	 buf[32], where[APP_PATH_MAX];
	size_t	 i;

	if (app_value(n, path, buf, sizeof(buf), e) == -1)
		return -1;
	for (i = 0; i < count; i++)
		if (strcmp(buf, names[i]) == 0) {
			*out = (int)i;
			return 0;
		}
	app_fail(e, ERR_SCHEMA, n, "%s: not one of the allowed values",
	    app_path_str(path, where));
	return -1;
}

/* YYYY-MM as year * 12 + month - 1, the model's month number. */
int
app_month(xmlNodePtr n, const struct app_path *path, int *out,
    struct errdoc *e)
{
	char	 buf[8], where[APP_PATH_MAX];
	int	 y, m, k;

	if (app_value(n, path, buf, sizeof(buf), e) == -1)
		return -1;
	for (k = 0; k < 7; k++)
		if (k == 4 ? buf[k] != '-' : buf[k] < '0' || buf[k] > '9')
			break;
	if (k != 7 || buf[7] != '\0' ||
	    (m = atoi(buf + 5)) < 1 || m > 12) {
		app_fail(e, ERR_SCHEMA, n, "%s: not a month YYYY-MM",
		    app_path_str(path, where));
		return -1;
	}
	y = atoi(buf);
	*out = y * 12 + m - 1;
	return 0;
}

/* Free text, as sent; NULL when the node is absent. */
int
app_text(xmlNodePtr n, char **out, struct errdoc *e)
{
	xmlChar		*raw = NULL;
	const char	*s;

	*out = NULL;
	if (n == NULL)
		return 0;
	if ((s = app_text_node(n)) != NULL) {
		if ((*out = strdup(s)) == NULL) {
			errdoc_set(e, 500, ERR_INTERNAL, "out of memory");
			return -1;
		}
		return 0;
	}
	if ((raw = xmlNodeGetContent(n)) == NULL ||
	    (*out = strdup((const char *)raw)) == NULL) {
		xmlFree(raw);
		errdoc_set(e, 500, ERR_INTERNAL, "out of memory");
		return -1;
	}
	xmlFree(raw);
	return 0;
}

/* A personnummer: 12 digits, a calendar date, the check digit. */
int
app_pnr(xmlNodePtr n, const struct app_path *path, char pnr[13],
    struct pnr_date *d, struct errdoc *e)
{
	const char	*why;
	char		 where[APP_PATH_MAX];

	if (app_value(n, path, pnr, 13, e) == -1)
		return -1;
	if (pnr_check(pnr, d, &why) == -1) {
		app_fail(e, ERR_PERSONNUMMER, n, "%s: %s",
		    app_path_str(path, where), why);
		return -1;
	}
	return 0;
}

/* Read exactly n digits at *s. */
static int
app_digits(const char **s, int n, int *out)
{
	int	 v = 0;

	while (n-- > 0) {
		if (**s < '0' || **s > '9')
			return -1;
		v = v * 10 + (*(*s)++ - '0');
	}
	*out = v;
	return 0;
}

/* Days from 1970-01-01 to y-m-d, proleptic Gregorian (after H. Hinnant,
 * "chrono-compatible low-level date algorithms"). */
static int64_t
app_days_from_civil(int y, int m, int d)
{
	int64_t	 era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/*
 * The instant of the form application.xsd's date-time type allows:
 * YYYY-MM-DDThh:mm:ss[.fff…](Z|±hh:mm). Fractional seconds are dropped
 * (the instant is rounded down to the second); 24:00:00 is the end of
 * the day, as xs:dateTime has it.
 */
int
app_parse_datetime(const char *s, int64_t *out)
{
	int	 y, mo, d, h, mi, se, oh = 0, om = 0, sign = 0;

	if (app_digits(&s, 4, &y) == -1 || *s++ != '-' ||
	    app_digits(&s, 2, &mo) == -1 || *s++ != '-' ||
	    app_digits(&s, 2, &d) == -1 || *s++ != 'T' ||
	    app_digits(&s, 2, &h) == -1 || *s++ != ':' ||
	    app_digits(&s, 2, &mi) == -1 || *s++ != ':' ||
	    app_digits(&s, 2, &se) == -1)
		return -1;
	if (*s == '.') {
		if (s[1] < '0' || s[1] > '9')
			return -1;
		for (s++; *s >= '0' && *s <= '9'; s++)
			;
	}
	if (*s == 'Z')
		s++;
	else if (*s == '+' || *s == '-') {
		sign = *s++ == '-' ? -1 : 1;
		if (app_digits(&s, 2, &oh) == -1 || *s++ != ':' ||
		    app_digits(&s, 2, &om) == -1)
			return -1;
	} else
		return -1;
	if (*s != '\0' || y < 1 || mo < 1 || mo > 12 || d < 1 ||
	    d > pnr_days_in_month(y, mo) || mi > 59 || se > 59 ||
	    (h > 23 && (h != 24 || mi != 0 || se != 0)) ||
	    om > 59 || oh * 60 + om > 14 * 60)
		return -1;
	*out = app_days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 +
	    se - sign * (oh * 3600 + om * 60);
	return 0;
}
