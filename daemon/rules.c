/*
 * rules.c: the Lua host — loading, sandbox, budgets, one protected call.
 *
 * A rule set is compiled once into one lua_State. Each case then runs,
 * inside a single lua_pcall with a traceback handler (rules_case):
 *   1. a fresh environment table holding fresh copies of the allowed
 *      library functions (docs/rules.md), set as _ENV of every chunk;
 *   2. every chunk, in load order, defining the rules in that env;
 *   3. evaluate(case) with a fresh input table (rules_io.c);
 *   4. the conversion of the result into the decision (rules_io.c).
 * Nothing a case creates is reachable from the next one. Budgets: a
 * count hook bounds instructions per case; the allocator (rules_mem.c)
 * bounds the memory of the state.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>
#include <openssl/evp.h>

#include "decision.h"
#include "rules.h"
#include "rules_int.h"

#define RULES_FILE_MAX		(1024 * 1024)
#define RULES_FILES_MAX		256
#define RULES_HOOK_EVERY	1000
#define RULES_DEF_INSTR		10000000ULL
#define RULES_DEF_MEMORY	((size_t)32 * 1024 * 1024)
/* Hash slots of a case's environment, made once: the sandbox's 20 names
 * and room for a rule set's globals (the default one defines 16), so
 * the table is not rehashed while the chunks run. */
#define RULES_ENV_SLOTS		40

/* The allowed names, per docs/rules.md. */
static const char *const base_ok[] = { "assert", "error", "ipairs", "next",
	"pairs", "select", "tonumber", "tostring", "type", "rawequal",
	"rawlen", "rawget", "rawset", "setmetatable", "getmetatable",
	"_VERSION", NULL };
static const char *const string_ok[] = { "byte", "char", "format", "len",
	"lower", "rep", "reverse", "sub", "upper", NULL };
static const char *const table_ok[] = { "concat", "insert", "move", "pack",
	"remove", "sort", "unpack", NULL };
static const char *const math_deny[] = { "random", "randomseed", NULL };
static const char *const no_deny[] = { NULL };

static int
rules_in(const char *const *list, const char *name)
{
	for (; *list != NULL; list++)
		if (strcmp(*list, name) == 0)
			return 1;
	return 0;
}

/* The allowed fields of the table at index src (allow == NULL: all but
 * deny) as a sequence k1, v1, k2, v2, ... Leaves it on the stack. Built
 * once at load, so a case copies pairs without looking at a name. */
static void
rules_tpl_lib(lua_State *L, int src, const char *const *allow,
    const char *const *deny)
{
	lua_Integer n = 0;

	src = lua_absindex(L, src);
	lua_newtable(L);
	lua_pushnil(L);
	while (lua_next(L, src) != 0) {
		if (lua_type(L, -2) == LUA_TSTRING) {
			const char *k = lua_tostring(L, -2);

			if ((allow != NULL && rules_in(allow, k)) ||
			    (allow == NULL && !rules_in(deny, k))) {
				lua_rawseti(L, -3, n + 2);	/* value */
				lua_pushvalue(L, -1);
				lua_rawseti(L, -3, n + 1);	/* name */
				n += 2;
				continue;
			}
		}
		lua_pop(L, 1);
	}
}

/* Set the pairs of the sequence at index seq into the table at dst. */
static void
rules_fill(lua_State *L, int dst, int seq)
{
	lua_Integer i, n;

	dst = lua_absindex(L, dst);
	seq = lua_absindex(L, seq);
	n = (lua_Integer)lua_rawlen(L, seq);
	for (i = 1; i < n; i += 2) {
		lua_rawgeti(L, seq, i);
		lua_rawgeti(L, seq, i + 1);
		lua_rawset(L, dst);
	}
}

/* The templates of a case's environment, from the opened libraries:
 * r->tpl_base, the allowed base values as pairs; r->tpl_libs, pairs of
 * library name and its template. */
static void
rules_templates(lua_State *L, struct rules *r)
{
	static const struct {
		const char		*name;
		const char *const	*allow, *const *deny;
	} libs[] = {
		{ "string", string_ok, NULL },
		{ "table", table_ok, NULL },
		{ "math", NULL, math_deny },
		{ "utf8", NULL, no_deny },
	};
	lua_Integer	i, n = 0;

	lua_rawgeti(L, LUA_REGISTRYINDEX, LUA_RIDX_GLOBALS);
	lua_newtable(L);
	for (i = 0; base_ok[i] != NULL; i++) {
		lua_pushstring(L, base_ok[i]);
		lua_rawseti(L, -2, ++n);
		lua_getfield(L, -2, base_ok[i]);
		lua_rawseti(L, -2, ++n);
	}
	r->tpl_base = luaL_ref(L, LUA_REGISTRYINDEX);
	lua_newtable(L);
	n = 0;
	for (i = 0; i < (lua_Integer)(sizeof(libs) / sizeof(libs[0])); i++) {
		lua_pushstring(L, libs[i].name);
		lua_rawseti(L, -2, ++n);
		lua_getfield(L, -2, libs[i].name);
		rules_tpl_lib(L, -1, libs[i].allow, libs[i].deny);
		lua_rawseti(L, -3, ++n);
		lua_pop(L, 1);			/* the library */
	}
	r->tpl_libs = luaL_ref(L, LUA_REGISTRYINDEX);
	lua_pop(L, 1);				/* globals */
}

/* The protected part of a case: environment, chunks, evaluate, result.
 * Arguments: lightuserdata struct rules_job. */
static int
rules_case(lua_State *L)
{
	struct rules_job	*job = lua_touserdata(L, 1);
	struct rules		*r = job->r;
	size_t			 i;
	lua_Integer		 k, n;

	/* 1. The environment: fresh tables holding the allowed values,
	 * copied from the templates made at load (rules_templates). */
	lua_createtable(L, 0, RULES_ENV_SLOTS);	/* env at index 2 */
	lua_rawgeti(L, LUA_REGISTRYINDEX, r->tpl_base);
	rules_fill(L, 2, 3);
	lua_pop(L, 1);
	lua_rawgeti(L, LUA_REGISTRYINDEX, r->tpl_libs);	/* at 3 */
	n = (lua_Integer)lua_rawlen(L, 3);
	for (k = 1; k < n; k += 2) {
		lua_rawgeti(L, 3, k);		/* name */
		lua_rawgeti(L, 3, k + 1);	/* its template */
		lua_createtable(L, 0, (int)lua_rawlen(L, -1) / 2);
		rules_fill(L, -1, -2);
		lua_remove(L, -2);
		lua_rawset(L, 2);
	}
	lua_pop(L, 1);

	/* 2. Every chunk, with env as its _ENV (first upvalue). */
	for (i = 0; i < r->nchunks; i++) {
		lua_rawgeti(L, LUA_REGISTRYINDEX, r->chunks[i].ref);
		lua_pushvalue(L, 2);
		if (lua_setupvalue(L, -2, 1) == NULL)
			return luaL_error(L, "%s: chunk has no _ENV",
			    r->chunks[i].name);
		lua_call(L, 0, 0);
	}

	/* 3. evaluate(case). */
	if (lua_getfield(L, 2, "evaluate") != LUA_TFUNCTION)
		return luaL_error(L, "the rule set defines no function "
		    "'evaluate'");
	rules_push_case(L, job->app, job->ctx);
	lua_call(L, 1, 1);

	/* 4. The result, read without running any script code. */
	rules_read_result(L, lua_gettop(L), job->d);
	return 0;
}

/* Message handler: the error with a traceback, as lua.c does. */
static int
rules_msgh(lua_State *L)
{
	const char *msg = lua_tostring(L, 1);

	if (msg == NULL)
		msg = lua_pushfstring(L, "(error object is a %s value)",
		    luaL_typename(L, 1));
	luaL_traceback(L, L, msg, 1);
	return 1;
}

static void
rules_hook(lua_State *L, lua_Debug *ar)
{
	struct rules *r = *(struct rules **)lua_getextraspace(L);

	(void)ar;
	r->steps += RULES_HOOK_EVERY;
	if (r->steps > r->lim.instructions)
		luaL_error(L, "instruction budget of %I exhausted",
		    (LUAI_UACINT)r->lim.instructions);
}

/* Replace whatever d holds by a RULE_FAILURE decision. */
static int
rules_fail(struct rules *r, struct decision *d, const char *why)
{
	char id[sizeof(d->application_id)];

	memcpy(id, d->application_id, sizeof(id));
	decision_free(d);
	memset(d, 0, sizeof(*d));
	memcpy(d->application_id, id, sizeof(id));
	memcpy(d->ruleset, r->hash, sizeof(d->ruleset));
	if ((d->failure = strdup(why)) == NULL)
		return -1;
	return decision_add_reason(d, "RULE_FAILURE",
	    decision_reason_text("RULE_FAILURE"));
}

int
rules_eval(struct rules *r, const struct application *app,
    const struct rules_context *ctx, struct decision *d)
{
	static const struct rules_context none;
	struct rules_job	 job;
	lua_State		*L = r->L;
	int			 st, rc;
	char			 why[2048];

	snprintf(d->application_id, sizeof(d->application_id), "%s", app->id);
	memcpy(d->ruleset, r->hash, sizeof(d->ruleset));
	job.r = r;
	job.app = app;
	job.ctx = ctx != NULL ? ctx : &none;
	job.d = d;
	r->steps = 0;
	lua_settop(L, 0);
	lua_pushcfunction(L, rules_msgh);
	lua_pushcfunction(L, rules_case);
	lua_pushlightuserdata(L, &job);
	st = lua_pcall(L, 1, 0, 1);
	if (st == LUA_OK) {
		lua_settop(L, 0);
		return 0;
	}
	switch (st) {
	case LUA_ERRMEM:
		snprintf(why, sizeof(why), "memory budget of %zu bytes "
		    "exhausted", r->lim.memory);
		break;
	case LUA_ERRERR:
		snprintf(why, sizeof(why), "error in the error handler");
		break;
	default:
		snprintf(why, sizeof(why), "%s", lua_tostring(L, -1) ?
		    lua_tostring(L, -1) : "unknown error");
	}
	lua_settop(L, 0);
	/* Give back what the failed case held, outside any budget. */
	lua_gc(L, LUA_GCCOLLECT);
	rc = rules_fail(r, d, why);
	return rc;
}

/* --- loading ----------------------------------------------------- */

static int
rules_namecmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The *.lua regular files directly in dir, sorted bytewise; names are
 * appended to *names as "prefix" "name". */
static int
rules_list(const char *dir, const char *prefix, char ***names, size_t *n,
    char *err, size_t errlen)
{
	DIR		*d;
	struct dirent	*de;
	struct stat	 sb;
	char		 path[4096], **nv;
	size_t		 len, first = *n;

	if ((d = opendir(dir)) == NULL) {
		snprintf(err, errlen, "%s: %s", dir, strerror(errno));
		return -1;
	}
	while ((de = readdir(d)) != NULL) {
		len = strlen(de->d_name);
		if (len < 5 || strcmp(de->d_name + len - 4, ".lua") != 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (stat(path, &sb) == -1 || !S_ISREG(sb.st_mode))
			continue;
		if (*n == RULES_FILES_MAX ||
		    (nv = realloc(*names, (*n + 1) * sizeof(*nv))) == NULL) {
			snprintf(err, errlen, "%s: too many rule files", dir);
			closedir(d);
			return -1;
		}
		*names = nv;
		if (asprintf(&nv[*n], "%s%s", prefix, de->d_name) == -1) {
			snprintf(err, errlen, "out of memory");
			closedir(d);
			return -1;
		}
		(*n)++;
	}
	closedir(d);
	if (*n > first)
		qsort(*names + first, *n - first, sizeof(**names),
		    rules_namecmp);
	return 0;
}

static int
rules_read(const char *path, char **buf, size_t *len, char *err,
    size_t errlen)
{
	FILE	*f;
	long	 sz;

	*buf = NULL;
	if ((f = fopen(path, "rb")) == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (fseek(f, 0, SEEK_END) == -1 || (sz = ftell(f)) < 0 ||
	    sz > RULES_FILE_MAX || fseek(f, 0, SEEK_SET) == -1) {
		snprintf(err, errlen, "%s: unreadable or larger than %d bytes",
		    path, RULES_FILE_MAX);
		goto err;
	}
	if ((*buf = malloc((size_t)sz + 1)) == NULL ||
	    fread(*buf, 1, (size_t)sz, f) != (size_t)sz) {
		snprintf(err, errlen, "%s: read error", path);
		goto err;
	}
	*len = (size_t)sz;
	fclose(f);
	return 0;
 err:
	free(*buf);
	*buf = NULL;
	fclose(f);
	return -1;
}

/* Open only the libraries the sandbox copies from, and make the shared
 * string table (reachable through string methods) safe. */
static void
rules_openlibs(lua_State *L)
{
	static const char *const strip[] = { "dump", "find", "match",
		"gmatch", "gsub", "pack", "packsize", "unpack", NULL };
	size_t i;

	luaL_requiref(L, LUA_GNAME, luaopen_base, 1);
	luaL_requiref(L, LUA_STRLIBNAME, luaopen_string, 1);
	luaL_requiref(L, LUA_TABLIBNAME, luaopen_table, 1);
	luaL_requiref(L, LUA_MATHLIBNAME, luaopen_math, 1);
	luaL_requiref(L, LUA_UTF8LIBNAME, luaopen_utf8, 1);
	lua_settop(L, 0);
	lua_getglobal(L, "string");
	for (i = 0; strip[i] != NULL; i++) {
		lua_pushnil(L);
		lua_setfield(L, -2, strip[i]);
	}
	lua_pop(L, 1);
	/* getmetatable("") must not hand out the string metatable. */
	lua_pushliteral(L, "");
	lua_getmetatable(L, -1);
	lua_pushliteral(L, "the string metatable is protected");
	lua_setfield(L, -2, "__metatable");
	lua_settop(L, 0);
}

static int
rules_openlibs_protected(lua_State *L)
{
	rules_openlibs(L);
	rules_templates(L, *(struct rules **)lua_getextraspace(L));
	return 0;
}

int
rules_load(const char *dir, const struct rules_limits *lim,
    struct rules **out, char *err, size_t errlen)
{
	struct rules	*r = NULL;
	char		**names = NULL, *sub = NULL, *buf = NULL;
	char		 path[4096], chunkname[512], hdr[64];
	unsigned char	 md[EVP_MAX_MD_SIZE];
	unsigned int	 mdlen;
	EVP_MD_CTX	*sha = NULL;
	size_t		 n = 0, i, len;
	int		 rc = -1;

	if ((r = calloc(1, sizeof(*r))) == NULL)
		goto oom;
	r->lim.instructions = lim && lim->instructions ? lim->instructions :
	    RULES_DEF_INSTR;
	r->lim.memory = lim && lim->memory ? lim->memory : RULES_DEF_MEMORY;
	r->mem.limit = r->lim.memory;
	if ((r->L = lua_newstate(rules_mem_alloc, &r->mem)) == NULL)
		goto oom;
	*(struct rules **)lua_getextraspace(r->L) = r;
	lua_pushcfunction(r->L, rules_openlibs_protected);
	if (lua_pcall(r->L, 0, 0, 0) != LUA_OK)
		goto oom;
	if (asprintf(&sub, "%s/params", dir) == -1)
		goto oom;
	if (rules_list(sub, "params/", &names, &n, err, errlen) == -1 ||
	    rules_list(dir, "", &names, &n, err, errlen) == -1)
		goto err;
	if (n == 0) {
		snprintf(err, errlen, "%s: no rule files (*.lua)", dir);
		goto err;
	}
	if ((r->chunks = calloc(n, sizeof(*r->chunks))) == NULL ||
	    (sha = EVP_MD_CTX_new()) == NULL ||
	    !EVP_DigestInit_ex(sha, EVP_sha256(), NULL))
		goto oom;
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		if (rules_read(path, &buf, &len, err, errlen) == -1)
			goto err;
		snprintf(hdr, sizeof(hdr), "\n%zu\n", len);
		if (!EVP_DigestUpdate(sha, names[i], strlen(names[i])) ||
		    !EVP_DigestUpdate(sha, hdr, strlen(hdr)) ||
		    !EVP_DigestUpdate(sha, buf, len))
			goto oom;
		/* "t": text only; a precompiled chunk is refused. */
		snprintf(chunkname, sizeof(chunkname), "@%s", names[i]);
		if (luaL_loadbufferx(r->L, buf, len, chunkname, "t") !=
		    LUA_OK) {
			snprintf(err, errlen, "%s", lua_tostring(r->L, -1));
			goto err;
		}
		r->chunks[i].ref = luaL_ref(r->L, LUA_REGISTRYINDEX);
		r->chunks[i].name = names[i];
		r->chunks[i].src = buf;
		r->chunks[i].len = len;
		names[i] = NULL;
		buf = NULL;
		r->nchunks++;
	}
	if (!EVP_DigestFinal_ex(sha, md, &mdlen))
		goto oom;
	for (i = 0; i < mdlen; i++)
		snprintf(r->hash + 2 * i, 3, "%02x", md[i]);
	lua_sethook(r->L, rules_hook, LUA_MASKCOUNT, RULES_HOOK_EVERY);
	*out = r;
	r = NULL;
	rc = 0;
	goto err;
 oom:
	snprintf(err, errlen, "%s: out of memory loading the rule set", dir);
 err:
	EVP_MD_CTX_free(sha);
	free(buf);
	free(sub);
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	rules_free(r);
	return rc;
}

void
rules_free(struct rules *r)
{
	size_t i;

	if (r == NULL)
		return;
	if (r->L != NULL)
		lua_close(r->L);
	rules_mem_release(&r->mem);
	for (i = 0; i < r->nchunks; i++) {
		free(r->chunks[i].name);
		free(r->chunks[i].src);
	}
	free(r->chunks);
	free(r);
}

const char *
rules_hash(const struct rules *r)
{
	return r->hash;
}

size_t
rules_nfiles(const struct rules *r)
{
	return r->nchunks;
}

void
rules_file(const struct rules *r, size_t i, const char **name,
    const char **data, size_t *len)
{
	*name = r->chunks[i].name;
	*data = r->chunks[i].src;
	*len = r->chunks[i].len;
}

size_t
rules_memory(const struct rules *r)
{
	return r->mem.used;
}
