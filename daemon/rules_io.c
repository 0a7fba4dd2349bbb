/*
 * rules_io.c: the application model into the Lua `case` table, and the
 * script's result table into a struct decision (docs/rules.md).
 *
 * Both run inside the case's lua_pcall (rules.c): a memory error while
 * building, or a malformed result, raises a Lua error and the case is
 * routed with RULE_FAILURE. The result is read with raw accesses only,
 * so no metamethod of a script runs while C reads it.
 */
#include <string.h>

#include <lauxlib.h>
#include <lua.h>
#include <libxml/xmlstring.h>

#include "application.h"
#include "decision.h"
#include "pnr.h"
#include "rules_int.h"

#define RESULT_ITEMS_MAX	200
#define RESULT_TEXT_MAX		1000
#define RESULT_AMOUNT_MAX	999999999999LL

/* --- into Lua ---------------------------------------------------- */

static void
io_int(lua_State *L, const char *k, lua_Integer v)
{
	lua_pushinteger(L, v);
	lua_setfield(L, -2, k);
}

static void
io_str(lua_State *L, const char *k, const char *v)
{
	lua_pushstring(L, v);
	lua_setfield(L, -2, k);
}

static void
io_bool(lua_State *L, const char *k, int v)
{
	lua_pushboolean(L, v);
	lua_setfield(L, -2, k);
}

static void
io_opt(lua_State *L, const char *k, const struct app_opt_amount *a)
{
	if (a->present)
		io_int(L, k, a->amount);
}

/* The union of the application's and the daemon's months, before the
 * period, ascending and unique: both inputs are ascending already. */
static void
io_history(lua_State *L, const struct application *a,
    const struct rules_context *ctx, int period)
{
	size_t		i = 0, j = 0;
	lua_Integer	n = 0;
	int		m, last = -1;

	lua_createtable(L, (int)(a->nhistory + ctx->nmonths), 0);
	while (i < a->nhistory || j < ctx->nmonths) {
		if (j == ctx->nmonths || (i < a->nhistory &&
		    a->history[i] <= ctx->months[j]))
			m = a->history[i++];
		else
			m = ctx->months[j++];
		if (m >= period || m == last)
			continue;
		lua_pushinteger(L, m);
		lua_rawseti(L, -2, ++n);
		last = m;
	}
	lua_setfield(L, -2, "history");
}

void
rules_push_case(lua_State *L, const struct application *a,
    const struct rules_context *ctx)
{
	const struct app_person	*p;
	int			 period, y = a->period_year, mo = a->period_month;
	size_t			 i;

	period = y * 12 + mo - 1;
	/* The 16 fields below, at most: a hash part of exactly 16 nodes
	 * (asking for more rounds up to 32). */
	lua_createtable(L, 0, 16);
	io_str(L, "id", a->id);
	lua_createtable(L, 0, 3);
	io_int(L, "year", y);
	io_int(L, "month", mo);
	io_int(L, "index", period);
	lua_setfield(L, -2, "period");
	io_int(L, "days_in_month", pnr_days_in_month(y, mo));
	io_str(L, "municipality", a->municipality);

	lua_createtable(L, (int)a->npersons, 0);
	for (i = 0; i < a->npersons; i++) {
		p = &a->persons[i];
		lua_createtable(L, 0, 4);
		io_str(L, "role", app_role_name(p->role));
		io_int(L, "age", pnr_age_on(&p->birth, y, mo, 1));
		if (p->days_in_household > 0)
			io_int(L, "days_in_household", p->days_in_household);
		if (p->lunch_outside_home >= 0)
			io_bool(L, "lunch_outside_home",
			    p->lunch_outside_home);
		lua_rawseti(L, -2, (lua_Integer)i + 1);
	}
	lua_setfield(L, -2, "persons");
	io_int(L, "applicant", (lua_Integer)a->applicant + 1);
	if (a->has_partner)
		io_int(L, "partner", (lua_Integer)a->partner + 1);
	io_int(L, "other_residents", a->other_residents);

	lua_createtable(L, 0, 4);
	io_str(L, "type", app_housing_name(a->housing_type));
	io_opt(L, "cost", &a->housing_cost);
	io_opt(L, "electricity", &a->electricity);
	io_opt(L, "insurance", &a->insurance);
	lua_setfield(L, -2, "housing");

	lua_createtable(L, (int)a->ncosts, 0);
	for (i = 0; i < a->ncosts; i++) {
		lua_createtable(L, 0, 2);
		io_str(L, "type", app_cost_type_name(a->costs[i].type));
		io_int(L, "amount", a->costs[i].amount);
		lua_rawseti(L, -2, (lua_Integer)i + 1);
	}
	lua_setfield(L, -2, "costs");

	lua_createtable(L, (int)a->nincomes, 0);
	for (i = 0; i < a->nincomes; i++) {
		lua_createtable(L, 0, 4);
		io_int(L, "person", (lua_Integer)a->incomes[i].person + 1);
		io_str(L, "type", app_income_type_name(a->incomes[i].type));
		io_str(L, "source", a->incomes[i].verified ? "verified" :
		    "declared");
		io_int(L, "amount", a->incomes[i].amount);
		lua_rawseti(L, -2, (lua_Integer)i + 1);
	}
	lua_setfield(L, -2, "incomes");

	lua_createtable(L, (int)a->nassets, 0);
	for (i = 0; i < a->nassets; i++) {
		lua_createtable(L, 0, 2);
		io_str(L, "type", app_asset_type_name(a->assets[i].type));
		io_int(L, "amount", a->assets[i].amount);
		lua_rawseti(L, -2, (lua_Integer)i + 1);
	}
	lua_setfield(L, -2, "assets");

	lua_createtable(L, (int)a->nstatuses, 0);
	for (i = 0; i < a->nstatuses; i++) {
		lua_createtable(L, 0, 3);
		io_int(L, "person", (lua_Integer)a->statuses[i].person + 1);
		io_str(L, "kind", app_status_kind_name(a->statuses[i].kind));
		io_bool(L, "registered", a->statuses[i].registered);
		lua_rawseti(L, -2, (lua_Integer)i + 1);
	}
	lua_setfield(L, -2, "statuses");

	lua_createtable(L, 0, 6);
	io_bool(L, "violence", a->violence);
	io_bool(L, "child_welfare_concern", a->child_welfare_concern);
	io_bool(L, "health_limits_work", a->health_limits_work);
	io_bool(L, "acute_need", a->acute_need);
	io_bool(L, "eviction_risk", a->eviction_risk);
	io_bool(L, "message", decision_message_present(a->message));
	lua_setfield(L, -2, "circumstances");

	io_history(L, a, ctx, period);
	io_bool(L, "duplicate_period", ctx->duplicate_period);
}

/* --- out of Lua -------------------------------------------------- */

/* Push t[k] without metamethods; returns its type. */
static int
io_rget(lua_State *L, int t, const char *k)
{
	t = lua_absindex(L, t);		/* the push below shifts -1 */
	lua_pushstring(L, k);
	return lua_rawget(L, t);
}

static lua_Integer
io_int_field(lua_State *L, int t, const char *k, const char *what,
    lua_Integer min, lua_Integer max)
{
	lua_Integer v;

	io_rget(L, t, k);
	if (!lua_isinteger(L, -1))
		luaL_error(L, "malformed result: %s.%s must be an integer, "
		    "not a %s%s", what, k, luaL_typename(L, -1),
		    lua_type(L, -1) == LUA_TNUMBER ? " with a fraction" : "");
	v = lua_tointeger(L, -1);
	if (v < min || v > max)
		luaL_error(L, "malformed result: %s.%s = %I out of range",
		    what, k, (LUAI_UACINT)v);
	lua_pop(L, 1);
	return v;
}

/* A text field: a non-empty string of at most RESULT_TEXT_MAX bytes of
 * UTF-8 that XML can carry. Left on the stack (the caller copies it). */
static const char *
io_text_field(lua_State *L, int t, const char *k, const char *what)
{
	const char	*s;
	size_t		 len, i;

	if (io_rget(L, t, k) != LUA_TSTRING)
		luaL_error(L, "malformed result: %s.%s must be a string",
		    what, k);
	s = lua_tolstring(L, -1, &len);
	if (len == 0 || len > RESULT_TEXT_MAX || strlen(s) != len ||
	    !xmlCheckUTF8((const xmlChar *)s))
		luaL_error(L, "malformed result: %s.%s must be 1 to %d bytes "
		    "of UTF-8", what, k, RESULT_TEXT_MAX);
	for (i = 0; i < len; i++)
		if ((unsigned char)s[i] < 0x20 && s[i] != '\t' &&
		    s[i] != '\n' && s[i] != '\r')
			luaL_error(L, "malformed result: %s.%s holds a "
			    "control character", what, k);
	return s;
}

static const char *const io_kinds[] = { "norm", "cost", "income",
	"disregard" };

static void
io_lines(lua_State *L, int res, struct decision *d, lua_Integer *sum)
{
	lua_Integer	 n, i, amount;
	const char	*kind, *text, *ref;
	int		 t, k;

	if (io_rget(L, res, "lines") != LUA_TTABLE)
		luaL_error(L, "malformed result: 'lines' must be a table");
	t = lua_gettop(L);
	if ((n = (lua_Integer)lua_rawlen(L, t)) > RESULT_ITEMS_MAX)
		luaL_error(L, "malformed result: more than %d lines",
		    RESULT_ITEMS_MAX);
	*sum = 0;
	for (i = 1; i <= n; i++) {
		if (lua_rawgeti(L, t, i) != LUA_TTABLE)
			luaL_error(L, "malformed result: lines[%I] must be a "
			    "table", (LUAI_UACINT)i);
		if (io_rget(L, -1, "kind") != LUA_TSTRING)
			luaL_error(L, "malformed result: lines[%I].kind must "
			    "be a string", (LUAI_UACINT)i);
		kind = lua_tostring(L, -1);
		for (k = 0; k < 4; k++)
			if (strcmp(kind, io_kinds[k]) == 0)
				break;
		if (k == 4)
			luaL_error(L, "malformed result: lines[%I].kind '%s' "
			    "is not norm, cost, income or disregard",
			    (LUAI_UACINT)i, kind);
		lua_pop(L, 1);
		amount = io_int_field(L, t + 1, "amount", "lines[]", 0,
		    RESULT_AMOUNT_MAX);
		text = io_text_field(L, t + 1, "text", "lines[]");
		ref = io_text_field(L, t + 1, "ref", "lines[]");
		if (decision_add_line(d, (enum dec_line_kind)k, amount, text,
		    ref) == -1)
			luaL_error(L, "out of memory");
		*sum += (k == DEC_LINE_INCOME) ? -amount : amount;
		lua_pop(L, 3);			/* ref, text, line */
	}
	lua_pop(L, 1);				/* lines */
}

static void
io_reasons(lua_State *L, int res, struct decision *d)
{
	lua_Integer	 n, i;
	const char	*code, *text;
	int		 t;

	if (io_rget(L, res, "reasons") != LUA_TTABLE)
		luaL_error(L, "malformed result: 'reasons' must be a table");
	t = lua_gettop(L);
	if ((n = (lua_Integer)lua_rawlen(L, t)) > RESULT_ITEMS_MAX)
		luaL_error(L, "malformed result: more than %d reasons",
		    RESULT_ITEMS_MAX);
	for (i = 1; i <= n; i++) {
		if (lua_rawgeti(L, t, i) != LUA_TTABLE)
			luaL_error(L, "malformed result: reasons[%I] must be "
			    "a table", (LUAI_UACINT)i);
		code = io_text_field(L, t + 1, "code", "reasons[]");
		if (!decision_reason_known(code))
			luaL_error(L, "malformed result: unknown reason code "
			    "'%s'", code);
		if (decision_has_reason(d, code))
			luaL_error(L, "malformed result: reason %s given "
			    "twice", code);
		text = io_text_field(L, t + 1, "text", "reasons[]");
		if (decision_add_reason(d, code, text) == -1)
			luaL_error(L, "out of memory");
		lua_pop(L, 3);			/* text, code, reason */
	}
	lua_pop(L, 1);
}

void
rules_read_result(lua_State *L, int res, struct decision *d)
{
	lua_Integer	sum;
	int		t;

	if (!lua_istable(L, res))
		luaL_error(L, "malformed result: evaluate returned a %s, not "
		    "a table", luaL_typename(L, res));
	if ((t = io_rget(L, res, "norm_year")) != LUA_TNIL) {
		lua_pop(L, 1);
		d->norm_year = (int)io_int_field(L, res, "norm_year",
		    "result", 1900, 2200);
	} else
		lua_pop(L, 1);
	io_lines(L, res, d, &sum);
	io_reasons(L, res, d);
	if (io_rget(L, res, "need") != LUA_TNIL) {
		lua_pop(L, 1);
		d->need = io_int_field(L, res, "need", "result",
		    -RESULT_AMOUNT_MAX, RESULT_AMOUNT_MAX);
		d->has_need = 1;
		if (d->need != sum)
			luaL_error(L, "malformed result: need %I is not the "
			    "sum of the lines (%I)", (LUAI_UACINT)d->need,
			    (LUAI_UACINT)sum);
	} else {
		lua_pop(L, 1);
		if (!decision_has_reason(d, "NO_VERIFIED_NORM"))
			luaL_error(L, "malformed result: no need and no "
			    "NO_VERIFIED_NORM");
	}
	if ((t = io_rget(L, res, "follow_up")) != LUA_TNIL) {
		if (t != LUA_TSTRING ||
		    strcmp(lua_tostring(L, -1), "LONG_TERM") != 0)
			luaL_error(L, "malformed result: follow_up must be "
			    "\"LONG_TERM\" or nil");
		d->follow_up = 1;
	}
	lua_pop(L, 1);
}
