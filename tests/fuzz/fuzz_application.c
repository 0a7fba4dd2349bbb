/*
 * fuzz_application.c: app_parse() on arbitrary bytes — the whole intake
 * path of POST /v1/applications (hardened parse, XSD validation against
 * etc/application.xsd, the checks the schema cannot express, the
 * model). A refusal is rendered with errdoc_render(), as the HTTP layer
 * does.
 */
#include <stdint.h>
#include <stdlib.h>

#include "application.h"
#include "errdoc.h"
#include "fuzz_common.h"

static struct app_schema *schema;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	app_xml_harden();
	schema = fuzz_schema("application.xsd");
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct application	*app = NULL;
	struct errdoc		 e;
	char			*out = NULL;
	size_t			 outlen = 0;

	if (app_parse(schema, (const char *)data, size, &app, &e) == 0) {
		FUZZ_CHECK(app != NULL);
		FUZZ_CHECK(app->applicant < app->npersons);
		FUZZ_CHECK(app->persons[app->applicant].role == APP_APPLICANT);
		FUZZ_CHECK(!app->has_partner || app->partner < app->npersons);
		app_free(app);
		return 0;
	}
	FUZZ_CHECK(e.code != NULL);
	FUZZ_CHECK(e.status >= 400 && e.status <= 599);
	FUZZ_CHECK(errdoc_render(&e, &out, &outlen) == 0);
	FUZZ_CHECK(out != NULL && outlen > 0);
	free(out);
	return 0;
}
