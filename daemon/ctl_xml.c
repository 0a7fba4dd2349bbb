/*
 * ctl_xml.c: what bistandctl's client commands share besides the
 * connection: reading the daemon's XML answers (hardened, like the
 * daemon's own intake), writing request bodies with xmlTextWriter, and
 * laying text out for a person on a terminal.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/http.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlwriter.h>

#include "application.h"
#include "audit.h"
#include "ctl.h"

int
ctl_doc_parse(struct ctl_doc *d, const char *buf, size_t len,
    const char *root)
{
	memset(d, 0, sizeof(*d));
	if (len > INT32_MAX)
		return -1;
	/* No network, no DTD, no entity expansion (app_xml_harden() has
	 * already made the entity loader refuse everything). */
	d->doc = xmlReadMemory(buf, (int)len, "answer.xml", NULL,
	    XML_PARSE_NONET | XML_PARSE_NOCDATA | XML_PARSE_NOERROR |
	    XML_PARSE_NOWARNING);
	if (d->doc == NULL || (d->root = xmlDocGetRootElement(d->doc)) ==
	    NULL || (root != NULL && !xmlStrEqual(d->root->name,
	    BAD_CAST root))) {
		ctl_doc_free(d);
		return -1;
	}
	return 0;
}

void
ctl_doc_free(struct ctl_doc *d)
{
	size_t i;

	for (i = 0; i < d->nstrs; i++)
		xmlFree(d->strs[i]);
	free(d->strs);
	if (d->doc != NULL)
		xmlFreeDoc(d->doc);
	memset(d, 0, sizeof(*d));
}

/* The next element at or after n with local name name (any name when
 * NULL). */
xmlNodePtr
ctl_elem(xmlNodePtr n, const char *name)
{
	for (; n != NULL; n = n->next)
		if (n->type == XML_ELEMENT_NODE && (name == NULL ||
		    xmlStrEqual(n->name, BAD_CAST name)))
			return n;
	return NULL;
}

xmlNodePtr
ctl_child(xmlNodePtr parent, const char *name)
{
	return parent == NULL ? NULL : ctl_elem(parent->children, name);
}

xmlNodePtr
ctl_next(xmlNodePtr n, const char *name)
{
	return n == NULL ? NULL : ctl_elem(n->next, name);
}

/* Keep an xmlChar string until ctl_doc_free(). */
static const char *
ctl_keep(struct ctl_doc *d, xmlChar *s)
{
	xmlChar **v;

	if (s == NULL)
		return NULL;
	if ((v = realloc(d->strs, (d->nstrs + 1) * sizeof(*v))) == NULL) {
		xmlFree(s);
		return NULL;
	}
	d->strs = (char **)v;
	d->strs[d->nstrs++] = (char *)s;
	return (const char *)s;
}

const char *
ctl_text(struct ctl_doc *d, xmlNodePtr n)
{
	return n == NULL ? NULL : ctl_keep(d, xmlNodeGetContent(n));
}

const char *
ctl_ctext(struct ctl_doc *d, xmlNodePtr parent, const char *name)
{
	return ctl_text(d, ctl_child(parent, name));
}

const char *
ctl_attr(struct ctl_doc *d, xmlNodePtr n, const char *name)
{
	return n == NULL ? NULL : ctl_keep(d, xmlGetProp(n, BAD_CAST name));
}

/*
 * A request body: <root xmlns="ns"><name>value</name>…</root> from
 * name/value pairs (a NULL value is left out), written with
 * xmlTextWriter so that escaping is libxml2's business.
 */
int
ctl_xml_body(const char *ns, const char *root, const char *const *kv,
    size_t nkv, char **out, size_t *len)
{
	xmlBufferPtr		 buf;
	xmlTextWriterPtr	 w = NULL;
	size_t			 i;
	int			 rc = -1;

	if ((buf = xmlBufferCreate()) == NULL ||
	    (w = xmlNewTextWriterMemory(buf, 0)) == NULL)
		goto out;
	if (xmlTextWriterStartDocument(w, "1.0", "UTF-8", NULL) < 0 ||
	    xmlTextWriterStartElementNS(w, NULL, BAD_CAST root,
	    BAD_CAST ns) < 0)
		goto out;
	for (i = 0; i + 1 < nkv; i += 2)
		if (kv[i + 1] != NULL && xmlTextWriterWriteElement(w,
		    BAD_CAST kv[i], BAD_CAST kv[i + 1]) < 0)
			goto out;
	if (xmlTextWriterEndDocument(w) < 0)
		goto out;
	xmlFreeTextWriter(w);		/* flushes into buf */
	w = NULL;
	*len = (size_t)xmlBufferLength(buf);
	if ((*out = (char *)xmlBufferDetach(buf)) != NULL)
		rc = 0;
 out:
	if (w != NULL)
		xmlFreeTextWriter(w);
	if (buf != NULL)
		xmlBufferFree(buf);
	if (rc == -1)
		fprintf(stderr, "bistandctl: cannot build the request\n");
	return rc;
}

/*
 * Text for a request: valid UTF-8, no control characters XML 1.0
 * cannot carry (xmlTextWriter would write them as they are), not
 * blank, at most max characters. NULL when fine, else why not.
 */
const char *
ctl_text_check(const char *s, size_t max)
{
	const unsigned char	*p;
	size_t			 n = 0;
	int			 blank = 1;

	if (!xmlCheckUTF8((const unsigned char *)s))
		return "is not valid UTF-8";
	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		if (*p < 0x20 && *p != '\t' && *p != '\n' && *p != '\r')
			return "holds a control character";
		if (*p != ' ' && *p != '\t' && *p != '\n' && *p != '\r')
			blank = 0;
		if ((*p & 0xc0) != 0x80)
			n++;
	}
	if (blank)
		return "is blank";
	if (n > max)
		return "is too long";
	return NULL;
}

/* --- answers ----------------------------------------------------- */

/*
 * Print text that came from elsewhere (an applicant's message, a name)
 * so that it cannot drive the terminal: C0 and C1 controls, DEL,
 * bidirectional overrides and invalid UTF-8 become '?'. With oneline,
 * newlines and tabs become spaces too.
 */
void
ctl_put(FILE *f, const char *s, int oneline)
{
	const unsigned char	*p = (const unsigned char *)s;
	int			 n, i;

	while (*p != '\0') {
		if (*p < 0x80) {
			if (*p == '\n' || *p == '\t')
				fputc(oneline ? ' ' : *p, f);
			else if (*p < 0x20 || *p == 0x7f)
				fputc('?', f);
			else
				fputc(*p, f);
			p++;
			continue;
		}
		n = (*p & 0xe0) == 0xc0 ? 2 : (*p & 0xf0) == 0xe0 ? 3 :
		    (*p & 0xf8) == 0xf0 ? 4 : 0;
		for (i = 1; i < n; i++)
			if ((p[i] & 0xc0) != 0x80)
				n = 0;
		if (n == 0 ||
		    (p[0] == 0xc2 && p[1] < 0xa0) ||		/* C1 */
		    (p[0] == 0xe2 && p[1] == 0x80 &&		/* U+202A-E */
		    p[2] >= 0xaa && p[2] <= 0xae) ||
		    (p[0] == 0xe2 && p[1] == 0x81 &&		/* U+2066-9 */
		    p[2] >= 0xa6 && p[2] <= 0xa9)) {
			fputc('?', f);
			p += n ? n : 1;
			continue;
		}
		fwrite(p, 1, (size_t)n, f);
		p += n;
	}
}

/* Columns s takes on a terminal: one per character (good enough for
 * the Latin, Nordic and other names the tool shows). */
int
ctl_width(const char *s)
{
	int n = 0;

	for (; *s != '\0'; s++)
		if ((*s & 0xc0) != 0x80)
			n++;
	return n;
}

/* s (NULL: "-") on one line, left-aligned in width columns; when it
 * is wider, two spaces still follow. width 0: no padding. */
void
ctl_cell(const char *s, int width)
{
	int n;

	if (s == NULL || *s == '\0')
		s = "-";
	ctl_put(stdout, s, 1);
	n = ctl_width(s);
	if (width > 0 && n + 2 > width)
		width = n + 2;
	for (; n < width; n++)
		putchar(' ');
}

/* An RFC 3339 time as local time, "2026-11-22 15:02"; the text itself
 * when it is none. */
const char *
ctl_when(const char *t, char *buf, size_t len)
{
	struct tm	tm;
	int64_t		s;
	time_t		tt;

	if (t == NULL)
		return "-";
	if (app_parse_datetime(t, &s) == -1) {
		snprintf(buf, len, "%s", t);
		return buf;
	}
	tt = (time_t)s;
	if (localtime_r(&tt, &tm) == NULL ||
	    strftime(buf, len, "%Y-%m-%d %H:%M", &tm) == 0)
		snprintf(buf, len, "%s", t);
	return buf;
}

/* Whole kronor with a space every three digits: "11 250". */
const char *
ctl_kronor(const char *v, char *buf, size_t len)
{
	size_t	n, i, o = 0, lead;
	int	neg;

	if (v == NULL)
		return "-";
	neg = v[0] == '-';
	n = strlen(v + neg);
	if (n == 0 || strspn(v + neg, "0123456789") != n ||
	    n + n / 3 + 2 > len) {
		snprintf(buf, len, "%s", v);
		return buf;
	}
	if (neg)
		buf[o++] = '-';
	lead = n % 3 ? n % 3 : 3;
	for (i = 0; i < n; i++) {
		if (i >= lead && (i - lead) % 3 == 0)
			buf[o++] = ' ';
		buf[o++] = v[neg + i];
	}
	buf[o] = '\0';
	return buf;
}

/* An id for a path: the application id syntax, [A-Za-z0-9._-]{1,64},
 * so that nothing but one path segment can be made of it. */
int
ctl_id_ok(const char *id)
{
	size_t n = strlen(id);

	if (n == 0 || n > APP_ID_MAX || strcmp(id, ".") == 0 ||
	    strcmp(id, "..") == 0 || strspn(id, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789._-") != n) {
		fprintf(stderr, "bistandctl: '%s' is not a case id "
		    "([A-Za-z0-9._-], at most %d characters)\n", id,
		    APP_ID_MAX);
		return 0;
	}
	return 1;
}

/* Append "&key=value" (or "?key=value" first) to a path, the value
 * percent-encoded. */
int
ctl_query_add(char **path, const char *key, const char *val)
{
	char	*enc, *np;
	int	 rc;

	if ((enc = evhttp_uriencode(val, -1, 0)) == NULL)
		return -1;
	rc = asprintf(&np, "%s%c%s=%s", *path, strchr(*path, '?') ? '&' :
	    '?', key, enc);
	free(enc);
	if (rc == -1)
		return -1;
	free(*path);
	*path = np;
	return 0;
}

/* --- audit records ----------------------------------------------- */
