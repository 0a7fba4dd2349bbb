/*
 * errdoc.c: the XML error document (urn:bistand:error:1).
 *
 *   <error xmlns="urn:bistand:error:1">
 *     <code>SCHEMA_VIOLATION</code>
 *     <message>…</message>
 *     <line>12</line> <column>5</column> <element>amount</element>
 *   </error>
 *
 * line, column and element appear only when known. Written with
 * libxml2's xmlTextWriter, so escaping is libxml2's business.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/xmlwriter.h>

#include "errdoc.h"

void
errdoc_set(struct errdoc *e, int status, const char *code,
    const char *fmt, ...)
{
	va_list ap;

	memset(e, 0, sizeof(*e));
	e->status = status;
	e->code = code;
	va_start(ap, fmt);
	vsnprintf(e->message, sizeof(e->message), fmt, ap);
	va_end(ap);
}

int
errdoc_render(const struct errdoc *e, char **out, size_t *outlen)
{
	xmlBufferPtr	 buf = NULL;
	xmlTextWriterPtr w = NULL;
	int		 rc = -1;

	if ((buf = xmlBufferCreate()) == NULL)
		goto err;
	if ((w = xmlNewTextWriterMemory(buf, 0)) == NULL)
		goto err;
	if (xmlTextWriterStartDocument(w, "1.0", "UTF-8", NULL) < 0 ||
	    xmlTextWriterStartElementNS(w, NULL, BAD_CAST "error",
	    BAD_CAST ERRDOC_NS) < 0 ||
	    xmlTextWriterWriteElement(w, BAD_CAST "code",
	    BAD_CAST e->code) < 0 ||
	    xmlTextWriterWriteElement(w, BAD_CAST "message",
	    BAD_CAST e->message) < 0)
		goto err;
	if (e->line > 0 && xmlTextWriterWriteFormatElement(w,
	    BAD_CAST "line", "%d", e->line) < 0)
		goto err;
	if (e->column > 0 && xmlTextWriterWriteFormatElement(w,
	    BAD_CAST "column", "%d", e->column) < 0)
		goto err;
	if (e->element[0] != '\0' && xmlTextWriterWriteElement(w,
	    BAD_CAST "element", BAD_CAST e->element) < 0)
		goto err;
	if (xmlTextWriterEndDocument(w) < 0)
		goto err;
	xmlFreeTextWriter(w);	/* flushes into buf */
	w = NULL;
	/* Hand the buffer's memory over (libxml2's xmlFree is free()). */
	*outlen = (size_t)xmlBufferLength(buf);
	if ((*out = (char *)xmlBufferDetach(buf)) == NULL)
		goto err;
	rc = 0;
 err:
	if (w != NULL)
		xmlFreeTextWriter(w);
	if (buf != NULL)
		xmlBufferFree(buf);
	return rc;
}

void
errdoc_format(const struct errdoc *e, char *buf, size_t len)
{
	int n;

	n = snprintf(buf, len, "%s: %s", e->code, e->message);
	if (n < 0 || (size_t)n >= len)
		return;
	if (e->line > 0 || e->element[0] != '\0') {
		snprintf(buf + n, len - (size_t)n, " (%s%.0d%s%.0d%s%s)",
		    e->line > 0 ? "line " : "", e->line,
		    e->column > 0 ? ", column " : "", e->column,
		    e->element[0] && e->line > 0 ? ", element " :
		    e->element[0] ? "element " : "", e->element);
	}
}
