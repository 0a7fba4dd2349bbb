/*
 * check_rules.c: the Lua host — allocator, sandbox, budgets, result
 * checking, isolation between cases, loading and the rule-set hash.
 *
 * Each test writes a tiny rule set into a temporary directory and runs
 * it on a real parsed application (etc/examples/reapplication.xml).
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "application.h"
#include "decision.h"
#include "errdoc.h"
#include "rules.h"

static char			 dir[] = "/tmp/check_rules.XXXXXX";
static struct app_schema	*schema;
static struct application	*app;

static const char *
srcdir(void)
{
	const char *s = getenv("BISTAND_SRCDIR");

	return s != NULL ? s : ".";
}

static char *
slurp(const char *path, size_t *len)
{
	FILE	*f = fopen(path, "rb");
	char	*b;
	long	 n;

	ck_assert_ptr_nonnull(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	b = malloc((size_t)n + 1);
	ck_assert_ptr_nonnull(b);
	ck_assert_uint_eq(fread(b, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	b[n] = '\0';
	*len = (size_t)n;
	return b;
}

static void
setup(void)
{
	struct errdoc	 e;
	char		 path[1024], *buf;
	size_t		 len;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/params", dir);
	ck_assert_int_eq(mkdir(path, 0700), 0);
	app_xml_harden();
	snprintf(path, sizeof(path), "%s/etc/application.xsd", srcdir());
	ck_assert_int_eq(app_schema_load(path, &schema, &e), 0);
	snprintf(path, sizeof(path), "%s/etc/examples/reapplication.xml",
	    srcdir());
	buf = slurp(path, &len);
	if (app_parse(schema, buf, len, &app, &e) != 0)
		ck_abort_msg("example refused: %s", e.message);
	free(buf);
}

static void
teardown(void)
{
	char cmd[256];

	app_free(app);
	app_schema_free(schema);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	ck_assert_int_eq(system(cmd), 0);
	strcpy(dir, "/tmp/check_rules.XXXXXX");
}

static void
put(const char *name, const char *text)
{
	char	 path[1024];
	FILE	*f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	ck_assert_ptr_nonnull(f = fopen(path, "w"));
	fputs(text, f);
	fclose(f);
}

/* A result that is valid for the contract: one norm line, need 100. */
#define GOOD_RESULT \
	"return { norm_year = 2023, need = 100, reasons = {}, lines = {" \
	"{ kind = 'norm', amount = 100, text = 'Norm', ref = 'SoF' } } }"

static struct rules *
load(const char *main_lua, const struct rules_limits *lim)
{
	struct rules	*r = NULL;
	char		 err[1024];

	put("main.lua", main_lua);
	if (rules_load(dir, lim, &r, err, sizeof(err)) != 0)
		ck_abort_msg("rules_load: %s", err);
	return r;
}

/* Evaluate; return 1 when the case failed with RULE_FAILURE and the
 * failure text contains want (NULL: expect success instead). */
static void
eval_expect(struct rules *r, const char *want)
{
	struct decision d;

	memset(&d, 0, sizeof(d));
	ck_assert_int_eq(rules_eval(r, app, NULL, &d), 0);
	ck_assert_str_eq(d.ruleset, rules_hash(r));
	ck_assert_str_eq(d.application_id, app->id);
	if (want == NULL) {
		if (d.failure != NULL)
			ck_abort_msg("unexpected failure: %s", d.failure);
		ck_assert_int_eq(d.has_need, 1);
		ck_assert_int_eq(d.need, 100);
		ck_assert_int_eq(d.norm_year, 2023);
		ck_assert_uint_eq(d.nlines, 1);
	} else {
		ck_assert_ptr_nonnull(d.failure);
		if (strstr(d.failure, want) == NULL)
			ck_abort_msg("failure '%s' lacks '%s'", d.failure,
			    want);
		ck_assert_uint_eq(d.nreasons, 1);
		ck_assert_str_eq(d.reasons[0].code, "RULE_FAILURE");
		ck_assert_uint_eq(d.nlines, 0);
		ck_assert_int_eq(d.has_need, 0);
	}
	decision_free(&d);
}

/* --- the allocator at its boundary ------------------------------- */

START_TEST(mem_boundary)
{
	struct rules_mem	 m = { .limit = 100 };
	void			*a, *b;

	ck_assert_ptr_nonnull(a = rules_mem_alloc(&m, NULL, 7, 60));
	ck_assert_uint_eq(m.used, 60);		/* type tag 7 not counted */
	ck_assert_ptr_nonnull(b = rules_mem_alloc(&m, NULL, 0, 40));
	ck_assert_uint_eq(m.used, 100);		/* exactly the limit */
	ck_assert_ptr_null(rules_mem_alloc(&m, NULL, 0, 1));
	ck_assert_uint_eq(m.used, 100);
	ck_assert_ptr_null(rules_mem_alloc(&m, b, 40, 41)); /* grow fails */
	ck_assert_uint_eq(m.used, 100);
	b = rules_mem_alloc(&m, b, 40, 10);		/* shrink works */
	ck_assert_ptr_nonnull(b);
	ck_assert_uint_eq(m.used, 70);
	ck_assert_ptr_nonnull(b = rules_mem_alloc(&m, b, 10, 40));
	ck_assert_uint_eq(m.used, 100);
	ck_assert_ptr_null(rules_mem_alloc(&m, a, 60, 0));
	ck_assert_uint_eq(m.used, 40);
	ck_assert_ptr_null(rules_mem_alloc(&m, b, 40, 0));
	ck_assert_uint_eq(m.used, 0);
	ck_assert_uint_eq(m.peak, 100);
	/* A request as large as size_t allows must not wrap the check. */
	ck_assert_ptr_null(rules_mem_alloc(&m, NULL, 0, (size_t)-1));
	ck_assert_uint_eq(m.used, 0);
	rules_mem_release(&m);
}
END_TEST

static int
filled(const unsigned char *p, size_t n, size_t c)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i] != c)
			return 0;
	return 1;
}

/* Many small blocks of every size class, the first third from malloc
 * (as when the arena cannot be mapped), the rest from the arena, moved
 * between classes and between the two, then all freed: the contents
 * survive every move, and what stays resident afterwards is the few
 * empty pages kept for reuse, not the high-water mark. */
START_TEST(mem_arena)
{
	struct rules_mem	  m = { .limit = (size_t)64 * 1024 * 1024 };
	enum { N = 60000 };
	unsigned char		**p;
	size_t			 *len, i, n;

	m.noarena = 1;
	ck_assert_ptr_nonnull(p = calloc(N, sizeof(*p)));
	ck_assert_ptr_nonnull(len = calloc(N, sizeof(*len)));
	for (i = 0; i < N; i++) {
		if (i == N / 3)
			m.noarena = 0;		/* the arena from here on */
		len[i] = i % 16 == 0 ? 1 + i % 2000 : 1 + i % 512;
		ck_assert_ptr_nonnull(p[i] = rules_mem_alloc(&m, NULL, 5,
		    len[i]));
		memset(p[i], (int)(i & 0xff), len[i]);
	}
	ck_assert_uint_gt(rules_mem_held(&m), 8 * 1024 * 1024);
	ck_assert_uint_lt(rules_mem_held(&m), 16 * 1024 * 1024);
	for (i = 0; i < N; i += 3) {		/* grow, shrink, same class */
		n = i % 2 ? len[i] / 2 + 1 : len[i] * 2 + 7;
		ck_assert_ptr_nonnull(p[i] = rules_mem_alloc(&m, p[i],
		    len[i], n));
		ck_assert(filled(p[i], n < len[i] ? n : len[i], i & 0xff));
		if (n > len[i])
			memset(p[i] + len[i], (int)(i & 0xff), n - len[i]);
		len[i] = n;
	}
	for (i = 0; i < N; i++) {
		ck_assert(filled(p[i], len[i], i & 0xff));
		ck_assert_ptr_null(rules_mem_alloc(&m, p[i], len[i], 0));
	}
	ck_assert_uint_eq(m.used, 0);
	ck_assert_uint_le(rules_mem_held(&m), 256 * 1024);
	/* Pages given back work again (zero-filled, re-carved). */
	for (i = 0; i < N; i++) {
		ck_assert_ptr_nonnull(p[i] = rules_mem_alloc(&m, NULL, 0, 48));
		memset(p[i], 0x5a, 48);
	}
	for (i = 0; i < N; i++)
		ck_assert_ptr_null(rules_mem_alloc(&m, p[i], 48, 0));
	ck_assert_uint_eq(m.used, 0);
	ck_assert_uint_le(rules_mem_held(&m), 256 * 1024);
	rules_mem_release(&m);
	free(p);
	free(len);
}
END_TEST

/* --- sandbox ----------------------------------------------------- */

START_TEST(good_result)
{
	struct rules *r = load("function evaluate(c) " GOOD_RESULT " end",
	    NULL);

	eval_expect(r, NULL);
	ck_assert_uint_gt(rules_memory(r), 0);
	rules_free(r);
}
END_TEST

/* Each forbidden thing, tried by a script: the case fails, and the
 * message names what was missing. */
static const struct { const char *code, *want; } forbidden[] = {
	{ "io.open('/etc/passwd')", "global 'io'" },
	{ "os.execute('true')", "global 'os'" },
	{ "require('os')", "global 'require'" },
	{ "load('return 1')", "global 'load'" },
	{ "loadfile('/etc/passwd')", "global 'loadfile'" },
	{ "dofile('/etc/passwd')", "global 'dofile'" },
	{ "debug.getinfo(1)", "global 'debug'" },
	{ "collectgarbage()", "global 'collectgarbage'" },
	{ "pcall(error)", "global 'pcall'" },
	{ "xpcall(error, error)", "global 'xpcall'" },
	{ "print('x')", "global 'print'" },
	{ "coroutine.create(print)", "global 'coroutine'" },
	{ "string.dump(evaluate)", "field 'dump'" },
	{ "string.find('aaa', 'a')", "field 'find'" },
	{ "('x'):gsub('x', 'y')", "method 'gsub'" },
	{ "math.random()", "field 'random'" },
	/* getmetatable gives the protection string, not the table. */
	{ "getmetatable('').__index.upper('x')", "index a nil value "
	    "(field '__index')" },
};

START_TEST(sandbox_forbidden)
{
	char		 src[1024];
	struct rules	*r;

	snprintf(src, sizeof(src), "function evaluate(c) local x = %s "
	    GOOD_RESULT " end", forbidden[_i].code);
	r = load(src, NULL);
	eval_expect(r, forbidden[_i].want);
	rules_free(r);
}
END_TEST

START_TEST(sandbox_allowed)
{
	struct rules *r = load(
	    "function evaluate(c)\n"
	    "  assert(string.format('%d', 3) == '3')\n"
	    "  assert(('abc'):upper() == 'ABC')\n"
	    "  assert(math.floor(7 / 2) == 3 and math.maxinteger)\n"
	    "  assert(utf8.len('å') == 1)\n"
	    "  local t = {3, 1, 2}; table.sort(t); assert(t[1] == 1)\n"
	    "  assert(select('#', 1, 2) == 2 and tostring(1) == '1')\n"
	    "  assert(type(c.persons) == 'table' and c.persons[1].role)\n"
	    "  " GOOD_RESULT "\n"
	    "end", NULL);

	eval_expect(r, NULL);
	rules_free(r);
}
END_TEST

/* A case cannot see what an earlier case left behind. */
START_TEST(isolation)
{
	struct rules *r = load(
	    "seen = seen or 0\n"
	    "function evaluate(c)\n"
	    "  assert(leak == nil, 'saw a global of an earlier case')\n"
	    "  assert(string.upper('a') == 'A', 'saw a changed library')\n"
	    "  assert(seen == 0, 'saw a counter of an earlier case')\n"
	    "  assert(c.mark == nil, 'saw an earlier input table')\n"
	    "  leak = true; seen = seen + 1; c.mark = 1\n"
	    "  string.upper = function() return 'evil' end\n"
	    "  " GOOD_RESULT "\n"
	    "end", NULL);

	eval_expect(r, NULL);
	eval_expect(r, NULL);
	eval_expect(r, NULL);
	rules_free(r);
}
END_TEST

/* --- budgets and failures ---------------------------------------- */

START_TEST(budget_instructions)
{
	struct rules_limits	 lim = { 100000, 0 };
	struct rules		*r = load("function evaluate(c) while true do "
	    "end end", &lim);

	eval_expect(r, "instruction budget of 100000 exhausted");
	rules_free(r);
}
END_TEST

START_TEST(budget_memory)
{
	struct rules_limits	 lim = { 0, 4 * 1024 * 1024 };
	struct rules		*r;

	r = load("function evaluate(c) local t = {} for i = 1, 1e9 do "
	    "t[i] = {i} end end", &lim);
	eval_expect(r, "memory budget of 4194304 bytes exhausted");
	rules_free(r);
	/* Gigabytes in one request: refused by the allocator. */
	r = load("function evaluate(c) return string.rep('x', 1 << 30) end",
	    &lim);
	eval_expect(r, "memory budget");
	rules_free(r);
	/* Past Lua's own string limit (INT_MAX): refused before that. */
	r = load("function evaluate(c) return string.rep('x', 1 << 33) end",
	    &lim);
	eval_expect(r, "resulting string too large");
	rules_free(r);
}
END_TEST

/* After each kind of failure the same state serves a good case. */
START_TEST(recovers_after_failure)
{
	struct rules_limits	 lim = { 20000000, 4 * 1024 * 1024 };
	struct rules		*r = load(
	    "function evaluate(c)\n"
	    "  if c.id == 'loop' then while true do end end\n"
	    "  if c.id == 'bomb' then local t = {} for i = 1, 1e9 do "
	    "t[i] = i end end\n"
	    "  " GOOD_RESULT "\n"
	    "end", &lim);
	char saved[sizeof(app->id)];

	memcpy(saved, app->id, sizeof(saved));
	strcpy(app->id, "loop");
	eval_expect(r, "instruction budget");
	eval_expect(r, "instruction budget");
	strcpy(app->id, "bomb");
	eval_expect(r, "memory budget");
	memcpy(app->id, saved, sizeof(saved));
	eval_expect(r, NULL);
	rules_free(r);
}
END_TEST

START_TEST(runtime_error_traceback)
{
	struct rules *r = load(
	    "local function inner(c) return c.nope.deeper end\n"
	    "function evaluate(c) local v = inner(c) return v end", NULL);

	eval_expect(r, "main.lua:1: attempt to index a nil value "
	    "(field 'nope')");
	eval_expect(r, "stack traceback:");
	eval_expect(r, "main.lua:2: in function <main.lua:2>");
	rules_free(r);
}
END_TEST

static const struct { const char *result, *want; } malformed[] = {
	{ "return 42", "evaluate returned a number, not a table" },
	{ "return nil", "evaluate returned a nil" },
	{ "return { reasons = {}, need = 1 }", "'lines' must be a table" },
	{ "return { lines = {}, need = 0 }", "'reasons' must be a table" },
	{ "return { lines = {}, reasons = {} }", "no need and no "
	    "NO_VERIFIED_NORM" },
	{ "return { lines = {}, reasons = {}, need = 1.5 }",
	    "need must be an integer, not a number with a fraction" },
	{ "return { lines = {}, reasons = {}, need = 3 }",
	    "need 3 is not the sum of the lines (0)" },
	{ "return { lines = { { kind = 'norm', amount = -1, text = 't', "
	    "ref = 'r' } }, reasons = {}, need = -1 }", "amount = -1 out of "
	    "range" },
	{ "return { lines = { { kind = 'bonus', amount = 1, text = 't', "
	    "ref = 'r' } }, reasons = {}, need = 1 }", "kind 'bonus' is not" },
	{ "return { lines = { { kind = 'norm', amount = 1, text = '', "
	    "ref = 'r' } }, reasons = {}, need = 1 }", "text must be 1 to" },
	{ "return { lines = { { kind = 'norm', amount = 1, text = 't\\1', "
	    "ref = 'r' } }, reasons = {}, need = 1 }", "control character" },
	{ "return { lines = { { kind = 'norm', amount = 1, text = '\\xff', "
	    "ref = 'r' } }, reasons = {}, need = 1 }", "bytes of UTF-8" },
	{ "return { lines = {}, need = 0, reasons = { { code = 'NOPE', "
	    "text = 't' } } }", "unknown reason code 'NOPE'" },
	{ "return { lines = {}, need = 0, reasons = { { code = 'NO_NEED', "
	    "text = 't' }, { code = 'NO_NEED', text = 't' } } }",
	    "reason NO_NEED given twice" },
	{ "return { lines = {}, need = 0, reasons = {}, follow_up = 'X' }",
	    "follow_up must be" },
	{ "return { lines = {}, need = 0, reasons = {}, norm_year = 1 }",
	    "norm_year = 1 out of range" },
	{ "local l = {} for i = 1, 201 do l[i] = { kind = 'norm', amount = "
	    "1, text = 't', ref = 'r' } end return { lines = l, need = 201, "
	    "reasons = {} }", "more than 200 lines" },
	{ "return { lines = {}, need = 0, reasons = { { code = "
	    "'NO_NEED', text = string.rep('x', 1001) } } }",
	    "text must be 1 to 1000 bytes" },
	/* A metamethod on the result never runs: raw reads only. */
	{ "return setmetatable({}, { __index = function() while true do "
	    "end end })", "'lines' must be a table" },
};

START_TEST(malformed_results)
{
	char		 src[2048];
	struct rules	*r;

	snprintf(src, sizeof(src), "function evaluate(c) %s end",
	    malformed[_i].result);
	r = load(src, NULL);
	eval_expect(r, "malformed result");
	eval_expect(r, malformed[_i].want);
	rules_free(r);
}
END_TEST

START_TEST(no_verified_norm_without_need)
{
	struct rules	*r = load("function evaluate(c) return { lines = {}, "
	    "reasons = { { code = 'NO_VERIFIED_NORM', text = 'Ingen norm' } "
	    "}, follow_up = 'LONG_TERM' } end", NULL);
	struct decision	 d;

	memset(&d, 0, sizeof(d));
	ck_assert_int_eq(rules_eval(r, app, NULL, &d), 0);
	ck_assert_ptr_null(d.failure);
	ck_assert_int_eq(d.has_need, 0);
	ck_assert_int_eq(d.norm_year, 0);
	ck_assert_int_eq(d.follow_up, 1);
	ck_assert_str_eq(d.reasons[0].code, "NO_VERIFIED_NORM");
	decision_free(&d);
	rules_free(r);
}
END_TEST

/* --- the input table --------------------------------------------- */

START_TEST(input_history_merge)
{
	/* The script reports the merged history through the need. */
	struct rules *r = load(
	    "function evaluate(c)\n"
	    "  local s = 0\n"
	    "  for i, m in ipairs(c.history) do\n"
	    "    assert(m < c.period.index, 'month not before period')\n"
	    "    if i > 1 then assert(m > c.history[i-1], 'not sorted') end\n"
	    "    s = s + 1\n"
	    "  end\n"
	    "  assert(c.duplicate_period == true)\n"
	    "  return { lines = { { kind = 'norm', amount = s, text = 't', "
	    "ref = 'r' } }, need = s, reasons = {} }\n"
	    "end", NULL);
	struct rules_context	ctx;
	struct decision		d;
	int			months[4], period;

	period = app->period_year * 12 + app->period_month - 1;
	/* Ascending: one month long before anything in the application,
	 * one the application has too, the period itself and one after
	 * it. Only the first adds to the application's history. */
	ck_assert_uint_gt(app->nhistory, 0);
	months[0] = period - 600;
	months[1] = app->history[0];
	months[2] = period;
	months[3] = period + 1;
	ctx.months = months;
	ctx.nmonths = 4;
	ctx.duplicate_period = 1;
	memset(&d, 0, sizeof(d));
	ck_assert_int_eq(rules_eval(r, app, &ctx, &d), 0);
	if (d.failure)
		ck_abort_msg("%s", d.failure);
	ck_assert_int_eq(d.need, (int64_t)app->nhistory + 1);
	decision_free(&d);
	rules_free(r);
}
END_TEST

/* --- loading ----------------------------------------------------- */

START_TEST(load_errors)
{
	struct rules	*r = NULL;
	char		 err[1024], path[1100];
	FILE		*f;

	ck_assert_int_eq(rules_load("/nonexistent", NULL, &r, err,
	    sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "/nonexistent/params"));
	ck_assert_int_eq(rules_load(dir, NULL, &r, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "no rule files"));
	put("main.lua", "function evaluate(c) return {\n");
	ck_assert_int_eq(rules_load(dir, NULL, &r, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "main.lua:2:"));
	/* A precompiled (binary) chunk is refused. */
	snprintf(path, sizeof(path), "%s/main.lua", dir);
	ck_assert_ptr_nonnull(f = fopen(path, "w"));
	fputs("\x1bLua\x54", f);
	fclose(f);
	ck_assert_int_eq(rules_load(dir, NULL, &r, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "attempt to load a binary chunk"));
	ck_assert_ptr_null(r);
}
END_TEST

START_TEST(load_order_and_hash)
{
	struct rules	*r;
	char		 err[1024], cmd[2048], out[128] = "";
	FILE		*p;

	/* params first (sorted), then the top level (sorted): each file
	 * appends its name, and evaluate checks the order. */
	put("params/b.lua", "order = (order or '') .. 'pb '");
	put("params/a.lua", "order = (order or '') .. 'pa '");
	put("z.lua", "order = order .. 'z '");
	put("b.lua", "order = order .. 'b '");
	put("tests.txt", "not loaded");
	ck_assert_int_eq(mkdir(strcat(strcpy(cmd, dir), "/tests"), 0700), 0);
	put("tests/x.lua", "error('tests must not be loaded')");
	r = load("function evaluate(c) assert(order == 'pa pb b z ', order) "
	    GOOD_RESULT " end", NULL);
	eval_expect(r, NULL);
	/* The hash is exactly the recipe in docs/rules.md. */
	snprintf(cmd, sizeof(cmd), "cd %s && for f in $(ls params/*.lua | "
	    "LC_ALL=C sort) $(ls *.lua | LC_ALL=C sort); do printf '%%s\\n"
	    "%%s\\n' \"$f\" \"$(wc -c < \"$f\")\"; cat \"$f\"; done | "
	    "sha256sum", dir);
	ck_assert_ptr_nonnull(p = popen(cmd, "r"));
	ck_assert_ptr_nonnull(fgets(out, sizeof(out), p));
	pclose(p);
	out[64] = '\0';
	ck_assert_str_eq(rules_hash(r), out);
	rules_free(r);
	/* Any change to any file changes the hash. */
	put("params/a.lua", "order = (order or '') .. 'pa ' ");
	ck_assert_int_eq(rules_load(dir, NULL, &r, err, sizeof(err)), 0);
	ck_assert_str_ne(rules_hash(r), out);
	rules_free(r);
}
END_TEST

static Suite *
rules_suite(void)
{
	Suite	*s = suite_create("rules");
	TCase	*tc = tcase_create("engine");

	tcase_set_timeout(tc, 30);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, mem_boundary);
	tcase_add_test(tc, mem_arena);
	tcase_add_test(tc, good_result);
	tcase_add_loop_test(tc, sandbox_forbidden, 0,
	    sizeof(forbidden) / sizeof(forbidden[0]));
	tcase_add_test(tc, sandbox_allowed);
	tcase_add_test(tc, isolation);
	tcase_add_test(tc, budget_instructions);
	tcase_add_test(tc, budget_memory);
	tcase_add_test(tc, recovers_after_failure);
	tcase_add_test(tc, runtime_error_traceback);
	tcase_add_loop_test(tc, malformed_results, 0,
	    sizeof(malformed) / sizeof(malformed[0]));
	tcase_add_test(tc, no_verified_norm_without_need);
	tcase_add_test(tc, input_history_merge);
	tcase_add_test(tc, load_errors);
	tcase_add_test(tc, load_order_and_hash);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner	*sr = srunner_create(rules_suite());
	int	 failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
