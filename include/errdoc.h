/*
 * errdoc.h: refusals, as data and as XML error documents.
 *
 * Every refusal the daemon or bistandctl gives carries an HTTP status,
 * a machine-readable code, a human message and, where the parser knows
 * them, the line, column and element. The same struct travels from the
 * parser to the HTTP layer; errdoc_render() serialises it with libxml2
 * (namespace urn:bistand:error:1, schema etc/error.xsd).
 */
#ifndef BISTAND_ERRDOC_H
#define BISTAND_ERRDOC_H

#include <stddef.h>

#define ERRDOC_NS	"urn:bistand:error:1"

/* Machine codes. The strings are part of the API: never rename one. */
#define ERR_MALFORMED_XML	"MALFORMED_XML"		/* 400 not well-formed */
#define ERR_DOCTYPE		"DOCTYPE_FORBIDDEN"	/* 400 any DOCTYPE */
#define ERR_SCHEMA		"SCHEMA_VIOLATION"	/* 400 XSD says no */
#define ERR_PERSONNUMMER	"INVALID_PERSONNUMMER"	/* 400 date or Luhn */
#define ERR_HOUSEHOLD		"INVALID_HOUSEHOLD"	/* 400 roles, duplicates */
#define ERR_UNKNOWN_PERSON	"UNKNOWN_PERSON"	/* 400 @person not a member */
#define ERR_INCONSISTENT	"INCONSISTENT_APPLICATION" /* 400 other checks */
#define ERR_EMPTY_BODY		"EMPTY_BODY"		/* 400 */
#define ERR_QUERY		"INVALID_QUERY"		/* 400 query string */
#define ERR_MEDIA_TYPE		"UNSUPPORTED_MEDIA_TYPE" /* 415 */
#define ERR_TOO_LARGE		"BODY_TOO_LARGE"	/* 413 */
#define ERR_NO_CERT		"CLIENT_CERTIFICATE_REQUIRED" /* 401 */
#define ERR_FORBIDDEN		"FORBIDDEN"		/* 403 role may not */
#define ERR_NOT_FOUND		"NOT_FOUND"		/* 404 */
#define ERR_METHOD		"METHOD_NOT_ALLOWED"	/* 405 */
#define ERR_CONFLICT		"CONFLICT"		/* 409 id held, other
							   content */
#define ERR_NOT_IMPLEMENTED	"NOT_IMPLEMENTED"	/* 501 */
#define ERR_UNAVAILABLE		"SERVICE_UNAVAILABLE"	/* 503 */
#define ERR_INTERNAL		"INTERNAL_ERROR"	/* 500 */

struct errdoc {
	int		 status;	/* HTTP status */
	const char	*code;		/* one of ERR_* (static) */
	char		 message[512];	/* English; may quote the client's
					   own input, so never logged */
	int		 line;		/* 0 when unknown */
	int		 column;	/* 0 when unknown */
	char		 element[64];	/* "" when unknown */
};

/* Fill e; message is printf-style. Line, column, element cleared. */
void	errdoc_set(struct errdoc *e, int status, const char *code,
	    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* Serialise e as an XML error document into a malloc'ed buffer.
 * 0 on success (*out, *outlen owned by the caller), -1 on failure. */
int	errdoc_render(const struct errdoc *e, char **out, size_t *outlen);
/* One line for a terminal: "code: message (line L, column C, element
 * E)". Not for operational logs: the message may quote input values
 * (libxml2 schema errors do), so logs take code and position only. */
void	errdoc_format(const struct errdoc *e, char *buf, size_t len);

#endif
