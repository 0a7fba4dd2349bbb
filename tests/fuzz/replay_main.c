/*
 * replay_main.c: a main() for the fuzz targets without libFuzzer, so
 * that `make fuzzreplay` (gcc, ASan+UBSan) can run every corpus and
 * crash file through them in CI.
 *
 *   fuzz_X [DIR|FILE]...	each regular file, once, in name order
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int	LLVMFuzzerInitialize(int *argc, char ***argv);
int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
replay_file(const char *path)
{
	FILE		*f;
	uint8_t		*buf;
	long		 n;

	if ((f = fopen(path, "rb")) == NULL || fseek(f, 0, SEEK_END) != 0 ||
	    (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) {
		perror(path);
		return -1;
	}
	/* Exactly n bytes, so ASan sees a read past the input. */
	if ((buf = malloc(n > 0 ? (size_t)n : 1)) == NULL ||
	    (n > 0 && fread(buf, 1, (size_t)n, f) != (size_t)n)) {
		perror(path);
		return -1;
	}
	fclose(f);
	LLVMFuzzerTestOneInput(buf, (size_t)n);
	free(buf);
	return 0;
}

int
main(int argc, char **argv)
{
	struct dirent	**ents;
	struct stat	  sb;
	char		  path[4096];
	int		  i, j, n, count = 0, rc = 0;

	LLVMFuzzerInitialize(&argc, &argv);
	for (i = 1; i < argc; i++) {
		if (stat(argv[i], &sb) == -1) {
			perror(argv[i]);
			return 1;
		}
		if (!S_ISDIR(sb.st_mode)) {
			rc |= replay_file(argv[i]);
			count++;
			continue;
		}
		if ((n = scandir(argv[i], &ents, NULL, alphasort)) == -1) {
			perror(argv[i]);
			return 1;
		}
		for (j = 0; j < n; j++) {
			snprintf(path, sizeof(path), "%s/%s", argv[i],
			    ents[j]->d_name);
			if (stat(path, &sb) == 0 && S_ISREG(sb.st_mode)) {
				rc |= replay_file(path);
				count++;
			}
			free(ents[j]);
		}
		free(ents);
	}
	printf("%s: %d inputs replayed\n", argv[0], count);
	return rc != 0;
}
