/*
 * fuzz_audit_record.c: audit_parse() of one trail line; when it parses,
 * audit_get/audit_get_u64/audit_get_b64 on a few keys, then audit_format
 * of the parsed fields must give the same bytes back and parse to the
 * same fields (docs/audit-format.md: a record has one spelling).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "fuzz_common.h"

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

static const char *keys[] = { "id", "doc", "sha256", "size", "format",
	"decision", "outcome", "to", "head", "sig", "person", "motivation",
	"" };

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct audit_record	 r, r2;
	struct abuf		 b = { 0 };
	char			 why[128], val[256], *time, *type, *actor, *prev;
	char			*bin;
	uint64_t		 u;
	size_t			 i, n;

	if (audit_parse((const char *)data, size, &r, why, sizeof(why)) != 0)
		return 0;
	FUZZ_CHECK(r.len == size && r.line == (const char *)data);
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		if (audit_get(&r, keys[i], val, sizeof(val)) == 0)
			FUZZ_CHECK(strlen(val) < sizeof(val));
		(void)audit_get(&r, keys[i], val, 1);
		(void)audit_get_u64(&r, keys[i], &u);
		if (audit_get_b64(&r, keys[i], &bin, &n) == 0) {
			FUZZ_CHECK(n <= size);
			FUZZ_CHECK(bin[n] == '\0');
			free(bin);
		}
	}
	(void)audit_is(&r, "received");

	time = strndup(r.time, AUDIT_TIME_LEN);
	type = strndup(r.type, r.type_len);
	actor = strndup(r.actor, r.actor_len);
	prev = strndup(r.prev, 64);
	FUZZ_CHECK(time && type && actor && prev);
	audit_format(&b, r.seq, time, type, actor, prev, r.payload,
	    r.payload_len);
	FUZZ_CHECK(!b.oom);
	FUZZ_CHECK(b.len == size && memcmp(b.p, data, size) == 0);
	FUZZ_CHECK(audit_parse(b.p, b.len, &r2, why, sizeof(why)) == 0);
	FUZZ_CHECK(r2.seq == r.seq);
	FUZZ_CHECK(memcmp(r2.time, r.time, AUDIT_TIME_LEN) == 0);
	FUZZ_CHECK(r2.type_len == r.type_len &&
	    memcmp(r2.type, r.type, r.type_len) == 0);
	FUZZ_CHECK(r2.actor_len == r.actor_len &&
	    memcmp(r2.actor, r.actor, r.actor_len) == 0);
	FUZZ_CHECK(memcmp(r2.prev, r.prev, 64) == 0);
	FUZZ_CHECK(r2.payload_len == r.payload_len &&
	    memcmp(r2.payload, r.payload, r.payload_len) == 0);
	FUZZ_CHECK(memcmp(r2.hash, r.hash, 32) == 0);
	abuf_free(&b);
	free(time);
	free(type);
	free(actor);
	free(prev);
	return 0;
}
