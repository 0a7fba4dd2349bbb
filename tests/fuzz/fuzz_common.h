/*
 * fuzz_common.h: shared helpers of the libFuzzer targets (issue 7).
 *
 * The repository is found through BISTAND_SRCDIR, else FUZZ_SRCDIR
 * (set by tests/fuzz/Makefile.inc at build time), else ".".
 */
#ifndef BISTAND_FUZZ_COMMON_H
#define BISTAND_FUZZ_COMMON_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "application.h"

#ifndef FUZZ_SRCDIR
#define FUZZ_SRCDIR	"."
#endif

int	LLVMFuzzerInitialize(int *argc, char ***argv);
int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static inline const char *
fuzz_srcdir(void)
{
	const char *d = getenv("BISTAND_SRCDIR");

	return d != NULL ? d : FUZZ_SRCDIR;
}

/* Load etc/NAME once; exit on failure (a harness set-up error). */
static inline struct app_schema *
fuzz_schema(const char *name)
{
	struct app_schema	*s;
	struct errdoc		 e;
	char			 path[1024];

	snprintf(path, sizeof(path), "%s/etc/%s", fuzz_srcdir(), name);
	if (app_schema_load(path, &s, &e) == -1) {
		fprintf(stderr, "fuzz: %s: %s\n", path, e.message);
		exit(EXIT_FAILURE);
	}
	return s;
}

/* Write data to a fresh file in a private directory made once per
 * process; the path is static. Exit on failure. */
static inline const char *
fuzz_write_file(const char *name, const uint8_t *data, size_t size)
{
	static char	 dir[64], path[128];
	FILE		*f;

	if (dir[0] == '\0') {
		snprintf(dir, sizeof(dir), "/tmp/bistand-fuzz.XXXXXX");
		if (mkdtemp(dir) == NULL) {
			perror("mkdtemp");
			exit(EXIT_FAILURE);
		}
	}
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((f = fopen(path, "wb")) == NULL ||
	    (size > 0 && fwrite(data, 1, size, f) != size) || fclose(f) != 0) {
		perror(path);
		exit(EXIT_FAILURE);
	}
	return path;
}

/* A finding: print and abort, so libFuzzer saves the input. */
#define FUZZ_CHECK(c) do {						\
	if (!(c)) {							\
		fprintf(stderr, "%s:%d: check failed: %s\n",		\
		    __FILE__, __LINE__, #c);				\
		abort();						\
	}								\
} while (0)

#endif
