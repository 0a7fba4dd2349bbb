/*
 * fuzz_config.c: config_load() on arbitrary file contents. A refusal
 * must be a "FILE:LINE: message" (or "FILE: message") string.
 */
#include <stdint.h>
#include <string.h>

#include "config.h"
#include "fuzz_common.h"

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config	*c = NULL;
	const char	*path;
	char		 err[1024];

	path = fuzz_write_file("bistandd.conf", data, size);
	err[0] = '\0';
	if (config_load(path, &c, err, sizeof(err)) == 0) {
		FUZZ_CHECK(c != NULL);
		FUZZ_CHECK(c->listen_port >= 0 && c->listen_port <= 65535);
		config_free(c);
	} else {
		FUZZ_CHECK(err[0] != '\0');
		FUZZ_CHECK(memchr(err, '\0', sizeof(err)) != NULL);
	}
	return 0;
}
