/*
 * fuzz_audit_scan.c: the bytes as a whole trail file; audit_scan_file()
 * without keys, with allow_torn 0 and 1, and a visitor that reads every
 * record's fields. The two scans must agree on the good prefix.
 */
#include <stdint.h>
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

struct visit {
	uint64_t	 n;
	uint64_t	 last;
	int		 stop_at;	/* stop after this many; 0 never */
};

static int
visit(const struct audit_record *r, void *arg)
{
	struct visit	*v = arg;
	char		 buf[128];
	uint64_t	 u;

	FUZZ_CHECK(r->seq > v->last);
	v->last = r->seq;
	(void)audit_get(r, "id", buf, sizeof(buf));
	(void)audit_get_u64(r, "head", &u);
	(void)audit_is(r, "checkpoint");
	v->n++;
	return v->stop_at != 0 && v->n == (uint64_t)v->stop_at;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct audit_scan	 s0, s1;
	struct visit		 v0 = { 0 }, v1 = { 0 }, v2 = { 0 };
	const char		*path;
	int			 rc0, rc1;

	path = fuzz_write_file(AUDIT_TRAIL, data, size);
	memset(&s0, 0, sizeof(s0));
	memset(&s1, 0, sizeof(s1));
	rc0 = audit_scan_file(path, NULL, 0, visit, &v0, &s0);
	rc1 = audit_scan_file(path, NULL, 1, visit, &v1, &s1);
	FUZZ_CHECK(memchr(s0.error, '\0', sizeof(s0.error)) != NULL);
	FUZZ_CHECK(memchr(s1.error, '\0', sizeof(s1.error)) != NULL);
	FUZZ_CHECK(s1.end >= 0 && (size_t)s1.end <= size);
	if (rc1 == 0)
		FUZZ_CHECK((size_t)(s1.end + s1.torn) == size);
	if (rc0 == 0) {
		FUZZ_CHECK(rc1 == 0);
		FUZZ_CHECK(s0.end == s1.end && s0.nrecords == s1.nrecords);
	}
	/* A visitor that stops early: -1, and no more visits. */
	v2.stop_at = 1;
	memset(&s0, 0, sizeof(s0));
	if (audit_scan_file(path, NULL, 1, visit, &v2, &s0) == 0)
		FUZZ_CHECK(v2.n == 0);
	FUZZ_CHECK(v2.n <= 1);
	return 0;
}
