/*
 * application.c: the intake path for one application document.
 *
 *   bytes → hardened parse → XML Schema validation → app_model_build()
 *         (tree → model, app_model.c) → app_check() (the rules the
 *         schema cannot express, app_check.c) → model
 *
 * The schema is compiled once and shared read-only by every thread.
 * app_parse() makes its parser and validation contexts, the tree and
 * everything else libxml2 needs in the calling thread's arena
 * (app_arena.c) and forgets them at once when the model is built.
 * app_parse_xml(), whose document outlives the call, and a thread with
 * no arena borrow a parser and a validation context from the schema's
 * pool of idle ones instead (struct app_ctx; made on first use, reused
 * parse after parse, freed by app_schema_free) and give them back when
 * done, so any number of threads may parse at once. Errors are
 * collected through per-context handlers, so nothing here touches
 * libxml2's global error state, and no libxml2 message reaches stderr
 * or the logs (they quote the client's input).
 */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/encoding.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlschemas.h>

#include "app_int.h"
#include "application.h"
#include "log.h"

#define APP_SCHEMA_MAX	(1024 * 1024)	/* the XSD is ~15 KB */

/* Options for the one parse of a client's document. Never NOENT,
 * DTDLOAD, DTDATTR, DTDVALID, HUGE or XINCLUDE: no entity is expanded,
 * nothing is loaded, libxml2's default size and depth limits hold.
 * IGNORE_ENC: the contract says UTF-8, so an encoding declaration does
 * not switch converters; other bytes are simply not well-formed.
 * BIG_LINES: line numbers in errors stay right past line 65535. */
#define APP_PARSE_OPTIONS (XML_PARSE_NONET | XML_PARSE_NOCDATA | \
	XML_PARSE_NOERROR | XML_PARSE_NOWARNING | XML_PARSE_IGNORE_ENC | \
	XML_PARSE_BIG_LINES | XML_PARSE_COMPACT)

/*
 * A parser context keeps its dictionary (element and attribute names,
 * short and blank text) from parse to parse; that is much of what reuse
 * saves. A client choosing the names could grow it without end, so a
 * context whose dictionary holds more than this is freed instead of
 * reused. The examples leave about 2 KB in it.
 */
#define APP_DICT_KEEP	(32 * 1024)
/* Idle context pairs kept per schema: about one per parsing thread. */
#define APP_IDLE_MAX	8

/*
 * A parser and a validation context, borrowed by one parse at a time
 * (app_ctx_get … app_ctx_put). Either may be NULL: it is made when
 * first needed, and a parse that leaves one in doubt frees it.
 */
struct app_ctx {
	struct app_ctx		*next;		/* in the idle list */
	xmlParserCtxtPtr	 parser;
	xmlSchemaValidCtxtPtr	 valid;
};

/* The idle contexts of one schema. The schema is const to its users,
 * the pool is not: it lives behind a pointer of its own. */
struct app_ctxpool {
	pthread_mutex_t		 lock;		/* guards idle, nidle */
	struct app_ctx		*idle;
	size_t			 nidle;
};

struct app_schema {
	xmlDocPtr		 doc;	/* application.xsd as parsed */
	xmlSchemaPtr		 xs;	/* compiled; read-only once built */
	struct app_ctxpool	*pool;	/* NULL until the schema is built */
};

/* The first error a libxml2 context reported, and whether a DOCTYPE
 * was seen. One per parse, on the caller's stack. */
struct app_xmlerr {
	int		 seen;
	int		 doctype;
	int		 line;
	int		 column;
	char		 message[sizeof(((struct errdoc *)0)->message)];
	char		 element[sizeof(((struct errdoc *)0)->element)];
};

/*
 * Keep the first error or fatal error of a parse or validation;
 * warnings do not make a document bad. libxml2's schema messages name
 * elements as {namespace}local; our own namespace is left out, which
 * makes "Expected is ( housing )" readable.
 */
static void
app_keep_error(struct app_xmlerr *st, const xmlError *err)
{
	static const char ns[] = "{" APP_NS "}";
	char		 msg[2 * sizeof(st->message)], *p;
	const char	*s;
	size_t		 n = 0;
	long		 line;
	xmlNodePtr	 node = err->node;

	if (err->level < XML_ERR_ERROR || st->seen)
		return;
	st->seen = 1;
	for (s = err->message != NULL ? err->message : "unknown error";
	    *s != '\0' && n < sizeof(msg) - 1; ) {
		if (strncmp(s, ns, sizeof(ns) - 1) == 0) {
			s += sizeof(ns) - 1;
			continue;
		}
		msg[n++] = *s++;
	}
	msg[n] = '\0';
	app_copy_utf8(st->message, sizeof(st->message), msg);
	p = st->message + strlen(st->message);
	while (p > st->message && (p[-1] == '\n' || p[-1] == ' '))
		*--p = '\0';
	st->line = err->line;
	st->column = err->int2;
	/* An attribute's error is about its element. */
	if (node != NULL && node->type == XML_ATTRIBUTE_NODE)
		node = node->parent;
	if (node != NULL && node->type == XML_ELEMENT_NODE) {
		app_copy_utf8(st->element, sizeof(st->element),
		    (const char *)node->name);
		/* err->line comes from node->line, which saturates at
		 * 65535; xmlGetLineNo() knows better with BIG_LINES */
		if ((line = xmlGetLineNo(node)) > 0 && line < INT_MAX)
			st->line = (int)line;
	}
}

static void
app_parse_error(void *ctx, xmlErrorPtr err)
{
	xmlParserCtxtPtr ctxt = ctx;

	app_keep_error(ctxt->_private, err);
}

static void
app_valid_error(void *ctx, xmlErrorPtr err)
{
	app_keep_error(ctx, err);
}

/*
 * The SAX internalSubset event comes when <!DOCTYPE name ids has been
 * read, before the internal subset [ ... ] is parsed: stopping here
 * means no entity declaration of the client's is ever looked at.
 */
static void
app_doctype(void *ctx, const xmlChar *name, const xmlChar *eid,
    const xmlChar *sid)
{
	xmlParserCtxtPtr ctxt = ctx;
	struct app_xmlerr *st = ctxt->_private;

	(void)name;
	(void)eid;
	(void)sid;
	st->doctype = 1;
	st->line = ctxt->input != NULL ? ctxt->input->line : 0;
	xmlStopParser(ctxt);
}

/* The process-wide entity loader: nothing is ever loaded, from a file
 * or the network, whoever asks. */
static xmlParserInputPtr
app_refuse_entity(const char *url, const char *id, xmlParserCtxtPtr ctxt)
{
	(void)url;
	(void)id;
	(void)ctxt;
	/* the URL is the client's text: not logged */
	log_warnx("%s: refused to load an external entity", __func__);
	return NULL;
}

void
app_xml_harden(void)
{
	/* before any other libxml2 call: every block libxml2 makes from
	 * here on goes through app_arena.c's functions */
	if (app_arena_setup() == -1)
		log_warnx("%s: libxml2 allocates from the heap only",
		    __func__);
	xmlInitParser();
	xmlSetExternalEntityLoader(app_refuse_entity);
}

/* The empty body check: nothing but XML whitespace. */
static int
app_blank(const char *buf, size_t len)
{
	size_t	 i;

	for (i = 0; i < len; i++)
		if (buf[i] != ' ' && buf[i] != '\t' && buf[i] != '\n' &&
		    buf[i] != '\r')
			return 0;
	return 1;
}

/* More attributes on one element than any of our schemas allows, by far:
 * see app_attr_guard. */
#define APP_ATTRS_MAX	64

/*
 * libxml2 2.9 checks the attributes of a start tag for duplicates pair
 * by pair: 100 000 attributes on one element took 48 s of the event
 * loop. No parser option bounds that, so one linear pass counts, per
 * start tag, the '=' outside quotes (skipping comments, CDATA and
 * processing instructions) and refuses a tag with more than
 * APP_ATTRS_MAX. It does not judge well-formedness: the parser does.
 * Returns the 1-based line of the tag, or 0 when the document is fine.
 *
 * It runs on every document, so it jumps with memchr/memmem and counts
 * lines only for the tag it refuses (the '\n' before it: the scan
 * never steps over a newline it would not have counted).
 */
static int
app_attr_guard(const char *buf, size_t len)
{
	const char	*p = buf, *end = buf + len, *tag, *close;
	size_t		 clen;
	int		 line, n;
	char		 quote;

	for (; p < end; p++) {
		if ((p = memchr(p, '<', (size_t)(end - p))) == NULL)
			return 0;
		if (p + 1 >= end)
			return 0;
		if (p[1] == '!' || p[1] == '?') {
			/* comment, CDATA, DOCTYPE, PI: to its own end, the
			 * search starting at the '!' or '?' */
			close = end - p >= 4 && memcmp(p, "<!--", 4) == 0 ?
			    "-->" : end - p >= 9 && memcmp(p, "<![CDATA[", 9) ==
			    0 ? "]]>" : p[1] == '?' ? "?>" : ">";
			clen = strlen(close);
			p++;
			if ((p = memmem(p, (size_t)(end - p), close, clen)) ==
			    NULL)
				return 0;
			continue;
		}
		tag = p;
		for (n = 0, quote = 0, p++; p < end; p++) {
			if (quote) {
				if (*p == quote)
					quote = 0;
			} else if (*p == '"' || *p == '\'')
				quote = *p;
			else if (*p == '=' && ++n > APP_ATTRS_MAX)
				goto refuse;
			else if (*p == '>')
				break;
		}
		if (p >= end)
			return 0;
	}
	return 0;
 refuse:
	for (line = 1, p = buf; (p = memchr(p, '\n', (size_t)(tag - p))) !=
	    NULL; p++)
		line++;
	return line;
}

/* A parser context of ours: the DOCTYPE stop and the error handler
 * installed in its own copy of the SAX handlers. */
static xmlParserCtxtPtr
app_parser_new(void)
{
	xmlParserCtxtPtr ctxt;

	if ((ctxt = xmlNewParserCtxt()) == NULL)
		return NULL;
	/* ctxt->sax is this context's own copy of the handlers; the
	 * options of every read leave these two alone */
	ctxt->sax->internalSubset = app_doctype;
	ctxt->sax->serror = app_parse_error;
	return ctxt;
}

/*
 * The encoding to name to xmlCtxtReadMemory: the contract says UTF-8,
 * and naming "UTF-8" makes libxml2 put a converter (a UTF-8 to UTF-8
 * copy) between the bytes and the parser, which then runs on every one
 * of the parser's ~100 input refills per document. When the first
 * bytes are what libxml2 itself reads as UTF-8 (a UTF-8 byte order
 * mark, "<?xm") or as nothing in particular, it parses them as UTF-8
 * without a converter, byte for byte the same (the mark skipped the
 * same way; IGNORE_ENC keeps a declaration out of it either way): NULL.
 * Anything else (a UTF-16 or UCS-4 mark or pattern, EBCDIC, under 4
 * bytes, where libxml2 would not look) keeps the named converter and so
 * exactly the old handling.
 */
static const char *
app_read_encoding(const char *buf, size_t len)
{
	xmlCharEncoding enc;

	if (len < 4)
		return "UTF-8";
	enc = xmlDetectCharEncoding((const unsigned char *)buf, 4);
	return enc == XML_CHAR_ENCODING_NONE || enc == XML_CHAR_ENCODING_UTF8 ?
	    NULL : "UTF-8";
}

/*
 * Parse without ever reading a DOCTYPE's contents. Returns the document
 * or NULL with e filled: ERR_DOCTYPE for any DOCTYPE, ERR_MALFORMED_XML
 * for the first well-formedness or namespace error (line and column as
 * libxml2 reports them).
 *
 * *pctxt is the parser context to use, made when NULL; xmlCtxtReadMemory
 * resets it first. A parse that failed frees it (*pctxt NULL): what a
 * stopped or broken parse leaves behind is never carried into the next.
 * The document shares the context's dictionary.
 */
static xmlDocPtr
app_read_xml(xmlParserCtxtPtr *pctxt, const char *buf, size_t len,
    struct errdoc *e)
{
	struct app_xmlerr st;
	xmlParserCtxtPtr ctxt;
	xmlDocPtr	 doc = NULL;
	int		 bad;

	memset(&st, 0, sizeof(st));
	if ((bad = app_attr_guard(buf, len)) != 0) {
		errdoc_set(e, 400, ERR_MALFORMED_XML, "an element has more than "
		    "%d attributes", APP_ATTRS_MAX);
		e->line = bad;
		return NULL;
	}
	if (*pctxt == NULL && (*pctxt = app_parser_new()) == NULL) {
		errdoc_set(e, 500, ERR_INTERNAL, "out of memory");
		return NULL;
	}
	ctxt = *pctxt;
	ctxt->_private = &st;
	/* No URL: a document's URL serves only to resolve relative
	 * references, which nothing here does, and naming one costs a
	 * strdup and an xmlPathToURI (URI parse) per document. */
	doc = xmlCtxtReadMemory(ctxt, buf, (int)len, NULL,
	    app_read_encoding(buf, len), APP_PARSE_OPTIONS);
	ctxt->_private = NULL;
	/* Stopping the parser at the DOCTYPE can leave a "well-formed"
	 * stub document, so the DOCTYPE is asked about first. */
	bad = st.doctype || st.seen || doc == NULL || !ctxt->wellFormed ||
	    !ctxt->nsWellFormed;
	if (!bad && (doc->intSubset != NULL || doc->extSubset != NULL))
		st.doctype = 1;
	if (st.doctype) {
		errdoc_set(e, 400, ERR_DOCTYPE, "a DOCTYPE is not allowed");
		e->line = st.line;
	} else if (bad) {
		errdoc_set(e, 400, ERR_MALFORMED_XML, "%s",
		    st.seen ? st.message : "not well-formed XML");
		e->line = st.line;
		e->column = st.column;
	}
	if (st.doctype || bad) {
		if (doc != NULL)
			xmlFreeDoc(doc);
		doc = NULL;
		xmlFreeParserCtxt(ctxt);
		*pctxt = NULL;
	}
	return doc;
}

/*
 * The schema file is read and parsed by the same hardened reader as a
 * client's document (so its XML errors come back with a line instead of
 * going to stderr), then compiled. The compiled schema may point into
 * the document, so the document lives as long as the schema.
 */
int
app_schema_load(const char *path, struct app_schema **out,
    struct errdoc *e)
{
	struct app_xmlerr	 st;
	struct errdoc		 xe;
	struct app_schema	*s = NULL;
	xmlSchemaParserCtxtPtr	 pctxt = NULL;
	xmlParserCtxtPtr	 ctxt = NULL;
	FILE			*f = NULL;
	char			*buf = NULL;
	size_t			 len;
	int			 rc = -1;

	*out = NULL;
	memset(&st, 0, sizeof(st));
	if ((f = fopen(path, "r")) == NULL ||
	    (buf = malloc(APP_SCHEMA_MAX)) == NULL) {
		errdoc_set(e, 500, ERR_INTERNAL, "application schema %s: %s",
		    path, strerror(errno));
		goto err;
	}
	len = fread(buf, 1, APP_SCHEMA_MAX, f);
	if (ferror(f) || len == APP_SCHEMA_MAX) {
		errdoc_set(e, 500, ERR_INTERNAL, "application schema %s: %s",
		    path, ferror(f) ? "read error" : "larger than 1 MiB");
		goto err;
	}
	if ((s = calloc(1, sizeof(*s))) == NULL) {
		errdoc_set(e, 500, ERR_INTERNAL, "application schema %s: "
		    "out of memory", path);
		goto err;
	}
	if ((s->doc = app_read_xml(&ctxt, buf, len, &xe)) == NULL) {
		errdoc_set(e, 500, ERR_INTERNAL, "application schema %s: "
		    "line %d: %s", path, xe.line, xe.message);
		e->line = xe.line;
		goto err;
	}
	if ((pctxt = xmlSchemaNewDocParserCtxt(s->doc)) == NULL) {
		errdoc_set(e, 500, ERR_INTERNAL, "application schema %s: "
		    "out of memory", path);
		goto err;
	}
	xmlSchemaSetParserStructuredErrors(pctxt, app_valid_error, &st);
	if ((s->xs = xmlSchemaParse(pctxt)) == NULL) {
		errdoc_set(e, 500, ERR_INTERNAL, "application schema %s: "
		    "line %d: %s", path, st.line, st.seen ? st.message :
		    "not a valid XML Schema");
		e->line = st.line;
		goto err;
	}
	if ((s->pool = calloc(1, sizeof(*s->pool))) == NULL ||
	    pthread_mutex_init(&s->pool->lock, NULL) != 0) {
		free(s->pool);
		s->pool = NULL;
		errdoc_set(e, 500, ERR_INTERNAL, "application schema %s: "
		    "out of memory", path);
		goto err;
	}
	*out = s;
	s = NULL;
	rc = 0;
 err:
	if (ctxt != NULL)
		xmlFreeParserCtxt(ctxt);
	if (pctxt != NULL)
		xmlSchemaFreeParserCtxt(pctxt);
	app_schema_free(s);
	free(buf);
	if (f != NULL)
		fclose(f);
	return rc;
}

static void
app_ctx_free(struct app_ctx *c)
{
	if (c == NULL)
		return;
	if (c->parser != NULL)
		xmlFreeParserCtxt(c->parser);
	if (c->valid != NULL)
		xmlSchemaFreeValidCtxt(c->valid);
	free(c);
}

/* Every context has been given back by then: a schema outlives the
 * parses made with it. */
void
app_schema_free(struct app_schema *s)
{
	struct app_ctx	*c;

	if (s == NULL)
		return;
	if (s->pool != NULL) {
		while ((c = s->pool->idle) != NULL) {
			s->pool->idle = c->next;
			app_ctx_free(c);
		}
		pthread_mutex_destroy(&s->pool->lock);
		free(s->pool);
	}
	if (s->xs != NULL)
		xmlSchemaFree(s->xs);
	if (s->doc != NULL)
		xmlFreeDoc(s->doc);
	free(s);
}

/* An idle context pair of the schema's, or a new empty one; NULL with
 * e filled when out of memory. */
static struct app_ctx *
app_ctx_get(const struct app_schema *schema, struct errdoc *e)
{
	struct app_ctxpool *pool = schema->pool;
	struct app_ctx	*c;

	pthread_mutex_lock(&pool->lock);
	if ((c = pool->idle) != NULL) {
		pool->idle = c->next;
		pool->nidle--;
	}
	pthread_mutex_unlock(&pool->lock);
	if (c == NULL && (c = calloc(1, sizeof(*c))) == NULL)
		errdoc_set(e, 500, ERR_INTERNAL, "out of memory");
	return c;
}

/* Give c back; no document parsed with it may still be alive. A parser
 * whose dictionary grew past APP_DICT_KEEP is freed (a new one is made
 * when next needed), and so is a pair the pool has no room for. */
static void
app_ctx_put(const struct app_schema *schema, struct app_ctx *c)
{
	struct app_ctxpool *pool = schema->pool;

	if (c->parser != NULL &&
	    xmlDictGetUsage(c->parser->dict) > APP_DICT_KEEP) {
		xmlFreeParserCtxt(c->parser);
		c->parser = NULL;
	}
	pthread_mutex_lock(&pool->lock);
	if (pool->nidle < APP_IDLE_MAX) {
		c->next = pool->idle;
		pool->idle = c;
		pool->nidle++;
		c = NULL;
	}
	pthread_mutex_unlock(&pool->lock);
	app_ctx_free(c);
}

/* Validate doc with c's validation context (made when NULL; freed
 * after an internal error, which may leave it half-reset). */
static int
app_validate(const struct app_schema *schema, struct app_ctx *c,
    xmlDocPtr doc, struct errdoc *e)
{
	struct app_xmlerr	 st;
	int			 rc;

	memset(&st, 0, sizeof(st));
	if (c->valid == NULL &&
	    (c->valid = xmlSchemaNewValidCtxt(schema->xs)) == NULL) {
		errdoc_set(e, 500, ERR_INTERNAL, "out of memory");
		return -1;
	}
	xmlSchemaSetValidStructuredErrors(c->valid, app_valid_error, &st);
	rc = xmlSchemaValidateDoc(c->valid, doc);
	if (rc == 0)
		return 0;
	if (rc < 0) {
		xmlSchemaFreeValidCtxt(c->valid);
		c->valid = NULL;
		errdoc_set(e, 500, ERR_INTERNAL, "schema validation failed "
		    "internally");
		return -1;
	}
	errdoc_set(e, 400, ERR_SCHEMA, "%s", st.seen ? st.message :
	    "not valid against the application schema");
	e->line = st.line;
	app_copy_utf8(e->element, sizeof(e->element), st.element);
	return -1;
}

/* The intake checks, the parse and the validation, with c's
 * contexts. */
static int
app_parse_tree(const struct app_schema *schema, struct app_ctx *c,
    const char *buf, size_t len, xmlDocPtr *out, struct errdoc *e)
{
	xmlDocPtr doc = NULL;

	*out = NULL;
	if (app_blank(buf, len)) {
		errdoc_set(e, 400, ERR_EMPTY_BODY, "the request body is empty");
		return -1;
	}
	if (len > INT_MAX) {
		errdoc_set(e, 413, ERR_TOO_LARGE, "the document is too large");
		return -1;
	}
	if ((doc = app_read_xml(&c->parser, buf, len, e)) == NULL)
		return -1;
	if (app_validate(schema, c, doc, e) == -1) {
		xmlFreeDoc(doc);
		return -1;
	}
	*out = doc;
	return 0;
}

/*
 * The document outlives this call and shares the parser's dictionary,
 * to which the parser's next user (maybe on another thread) would add
 * while this document is read or freed: the parser context is freed
 * here (the document keeps the dictionary) instead of going back.
 */
int
app_parse_xml(const struct app_schema *schema, const char *buf, size_t len,
    xmlDocPtr *out, struct errdoc *e)
{
	struct app_ctx	*c;
	int		 rc;

	*out = NULL;
	if ((c = app_ctx_get(schema, e)) == NULL)
		return -1;
	rc = app_parse_tree(schema, c, buf, len, out, e);
	if (c->parser != NULL) {
		xmlFreeParserCtxt(c->parser);
		c->parser = NULL;
	}
	app_ctx_put(schema, c);
	return rc;
}

/* The document is freed before its contexts go back to the pool. */
static int
app_parse_pooled(const struct app_schema *schema, const char *buf,
    size_t len, struct application **out, struct errdoc *e)
{
	struct app_ctx	*c;
	xmlDocPtr	 doc = NULL;
	int		 rc = -1;

	*out = NULL;
	if ((c = app_ctx_get(schema, e)) == NULL)
		return -1;
	if (app_parse_tree(schema, c, buf, len, &doc, e) == -1 ||
	    app_model_build(xmlDocGetRootElement(doc), out, e) == -1)
		goto err;
	rc = 0;
 err:
	if (doc != NULL)
		xmlFreeDoc(doc);
	app_ctx_put(schema, c);
	return rc;
}

/*
 * The parse, the validation and the model in this thread's arena
 * (app_arena.c), with contexts made for this one document: everything
 * libxml2 made is forgotten at once afterwards; the tree is not walked
 * to be freed unless the arena was full and some of it came from malloc.
 * The model is the caller's (malloc'd, app_free()); e holds copies.
 * Without an arena, the pooled contexts and the heap.
 */
int
app_parse(const struct app_schema *schema, const char *buf, size_t len,
    struct application **out, struct errdoc *e)
{
	struct app_arena *a;
	struct app_ctx	 c;
	xmlDocPtr	 doc = NULL;
	int		 rc = -1;

	*out = NULL;
	if ((a = app_arena_get()) == NULL)
		return app_parse_pooled(schema, buf, len, out, e);
	memset(&c, 0, sizeof(c));
	app_arena_begin(a);
	if (app_parse_tree(schema, &c, buf, len, &doc, e) == 0 &&
	    app_model_build(xmlDocGetRootElement(doc), out, e) == 0)
		rc = 0;
	/* The tree is only memory: unless some of it came from malloc, the
	 * reset is its free. The contexts are freed as usual: what their
	 * input holds (an encoding converter, say) may not be arena memory. */
	if (app_arena_end(a) && doc != NULL)
		xmlFreeDoc(doc);
	if (c.parser != NULL)
		xmlFreeParserCtxt(c.parser);
	if (c.valid != NULL)
		xmlSchemaFreeValidCtxt(c.valid);
	app_arena_reset(a);
	return rc;
}
