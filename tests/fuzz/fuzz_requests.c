/*
 * fuzz_requests.c: the caseworker request bodies (cw_body in
 * daemon/api_cases.c): app_parse_xml() against etc/decision.xsd and
 * etc/caseworker-request.xsd. The first byte picks the schema; a
 * refusal is rendered with errdoc_render().
 */
#include <stdint.h>
#include <stdlib.h>

#include <libxml/tree.h>

#include "application.h"
#include "errdoc.h"
#include "fuzz_common.h"

static struct app_schema *schemas[2];

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	app_xml_harden();
	schemas[0] = fuzz_schema("decision.xsd");
	schemas[1] = fuzz_schema("caseworker-request.xsd");
	return 0;
}

static void
one(const struct app_schema *s, const uint8_t *data, size_t size)
{
	xmlDocPtr	 doc = NULL;
	xmlNodePtr	 root;
	struct errdoc	 e;
	char		*out = NULL;
	size_t		 outlen;

	if (app_parse_xml(s, (const char *)data, size, &doc, &e) == 0) {
		FUZZ_CHECK(doc != NULL);
		/* cw_body dereferences the root unconditionally. */
		root = xmlDocGetRootElement(doc);
		FUZZ_CHECK(root != NULL && root->name != NULL);
		xmlFreeDoc(doc);
		return;
	}
	FUZZ_CHECK(e.code != NULL);
	FUZZ_CHECK(errdoc_render(&e, &out, &outlen) == 0);
	free(out);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* Both schemas on every input: each request document may reach
	 * either endpoint. */
	one(schemas[0], data, size);
	one(schemas[1], data, size);
	return 0;
}
