-- run.lua: the rule set's test runner.
--
--     lua5.4 rules/tests/run.lua [RULES_DIR]      (from the repo root)
--
-- Loads the rule files exactly as docs/rules.md says (params/*.lua sorted
-- by name, then *.lua sorted by name, as text chunks sharing one fresh
-- environment per case) into a sandbox holding only the functions the
-- contract allows, with the instruction budget, so a rule that uses
-- anything else fails here as it would in the engine. Then:
--   - units.lua: single rule functions, called alone;
--   - cases.lua: table-driven cases through evaluate(case), each result
--     checked against the contract (docs/rules.md, "Result") and against
--     the expected figures, which were worked out by hand from riksnorm.md.
-- The last line is "N passed, N failed"; the exit status is 1 on failure.
-- VERBOSE=1 names every passing test too; VERBOSE=2 also prints every
-- case's lines and reasons (to read the Swedish texts).

local dir = arg[1]
if dir == nil then
	dir = (arg[0]:match("^(.*)/tests/[^/]*$")) or "rules"
end
local testdir = dir .. "/tests"

local INSTRUCTIONS = 10000000	-- docs/rules.md default budget

-- The reason codes of application.md. RULE_FAILURE is the engine's.
local CODES = {}
for _, c in ipairs{ "FIRST_APPLICATION", "VIOLENCE", "CHILD_WELFARE",
    "HEALTH", "ACUTE_NEED", "EVICTION_RISK", "APPLICANT_MESSAGE",
    "HOUSING_ABOVE_LIMIT", "COST_NEEDS_ASSESSMENT", "INCOME_DISCREPANCY",
    "ASSETS", "NOT_AVAILABLE_FOR_WORK", "NO_NEED", "NO_VERIFIED_NORM",
    "HOUSEHOLD_OUTSIDE_RULES", "DUPLICATE_PERIOD", "RULE_FAILURE" } do
	CODES[c] = true
end

---------------------------------------------------------------- loading

local function listdir(d)
	local names = {}
	local p = assert(io.popen("ls -1A '" .. d .. "' 2>/dev/null"))
	for name in p:lines() do
		if name:sub(-4) == ".lua" then
			names[#names + 1] = name
		end
	end
	p:close()
	table.sort(names)	-- bytewise: lua5.4 runs in the C locale
	return names
end

local function readfile(path)
	local f = assert(io.open(path, "rb"))
	local s = f:read("a")
	f:close()
	return s
end

-- The chunks in load order: { name = "params/x.lua", src = ... }.
local chunks = {}
for _, n in ipairs(listdir(dir .. "/params")) do
	chunks[#chunks + 1] = { name = "params/" .. n,
	    src = readfile(dir .. "/params/" .. n) }
end
for _, n in ipairs(listdir(dir)) do
	chunks[#chunks + 1] = { name = n, src = readfile(dir .. "/" .. n) }
end

local function copy(from, names)
	local t = {}
	for _, k in ipairs(names) do
		t[k] = assert(from[k], k)
	end
	return t
end

-- A fresh environment with only what docs/rules.md allows.
local function sandbox()
	local env = copy(_G, { "assert", "error", "ipairs", "next", "pairs",
	    "select", "tonumber", "tostring", "type", "rawequal", "rawlen",
	    "rawget", "rawset", "setmetatable", "getmetatable" })
	env._VERSION = _VERSION
	env.string = copy(string, { "byte", "char", "format", "len",
	    "lower", "rep", "reverse", "sub", "upper" })
	env.table = copy(table, { "concat", "insert", "move", "pack",
	    "remove", "sort", "unpack" })
	env.math = {}
	for k, v in pairs(math) do
		if k ~= "random" and k ~= "randomseed" then
			env.math[k] = v
		end
	end
	env.utf8 = {}
	for k, v in pairs(utf8) do
		env.utf8[k] = v
	end
	return env
end

-- Run f() inside the sandbox's limits: the instruction budget, and the
-- string metatable pointing at the sandbox's string table, so that
-- ("x"):find() fails here as it does in the engine. Returns pcall's results.
local function confined(env, f, ...)
	local smt = getmetatable("")
	local saved = smt.__index
	smt.__index = env.string
	debug.sethook(function()
		error("instruction budget exhausted", 2)
	end, "", INSTRUCTIONS)
	local r = table.pack(pcall(f, ...))
	debug.sethook()
	smt.__index = saved
	return table.unpack(r, 1, r.n)
end

-- Load every chunk into a fresh sandbox. Returns env or nil, error.
local function load_rules()
	local env = sandbox()
	for _, c in ipairs(chunks) do
		local fn, err = load(c.src, "=" .. c.name, "t", env)
		if fn == nil then
			return nil, err
		end
		local ok, e = confined(env, fn)
		if not ok then
			return nil, c.name .. ": " .. tostring(e)
		end
	end
	if type(env.evaluate) ~= "function" then
		return nil, "no global function evaluate after loading"
	end
	return env
end

---------------------------------------------------------------- checking

local function deepcopy(v)
	if type(v) ~= "table" then
		return v
	end
	local t = {}
	for k, x in pairs(v) do
		t[k] = deepcopy(x)
	end
	return t
end

local function isint(x)
	return math.type(x) == "integer"
end

local function str_ok(s)
	return type(s) == "string" and #s > 0 and #s <= 1000
end

-- The result contract of docs/rules.md. Returns a list of problems.
local function contract_problems(r)
	local p = {}
	local function bad(fmt, ...)
		p[#p + 1] = string.format(fmt, ...)
	end
	if type(r) ~= "table" then
		return { "result is a " .. type(r) .. ", not a table" }
	end
	for k in pairs(r) do
		if k ~= "norm_year" and k ~= "need" and k ~= "lines" and
		    k ~= "reasons" and k ~= "follow_up" then
			bad("unknown result field %s", tostring(k))
		end
	end
	if r.norm_year ~= nil and not isint(r.norm_year) then
		bad("norm_year %s is not an integer", tostring(r.norm_year))
	end
	if r.need ~= nil and not isint(r.need) then
		bad("need %s is not an integer", tostring(r.need))
	end
	if r.follow_up ~= nil and r.follow_up ~= "LONG_TERM" then
		bad("follow_up %s", tostring(r.follow_up))
	end
	if type(r.lines) ~= "table" then
		bad("lines is not a table")
	else
		if #r.lines > 200 then
			bad("%d lines, more than 200", #r.lines)
		end
		local sum = 0
		for i, l in ipairs(r.lines) do
			local sign = ({ norm = 1, cost = 1, income = -1,
			    disregard = 1 })[l.kind]
			if sign == nil then
				bad("line %d: kind %s", i, tostring(l.kind))
			elseif not isint(l.amount) or l.amount < 0 then
				bad("line %d: amount %s", i, tostring(l.amount))
			else
				sum = sum + sign * l.amount
			end
			if not str_ok(l.text) then
				bad("line %d: text %s", i, tostring(l.text))
			end
			if not str_ok(l.ref) then
				bad("line %d: ref %s", i, tostring(l.ref))
			end
		end
		if r.need ~= nil and isint(r.need) and sum ~= r.need then
			bad("lines sum to %d, need is %d", sum, r.need)
		end
	end
	if type(r.reasons) ~= "table" then
		bad("reasons is not a table")
	else
		if #r.reasons > 200 then
			bad("%d reasons, more than 200", #r.reasons)
		end
		local seen = {}
		for i, x in ipairs(r.reasons) do
			if type(x) ~= "table" or not CODES[x.code] then
				bad("reason %d: unknown code %s", i,
				    tostring(type(x) == "table" and x.code))
			elseif x.code == "RULE_FAILURE" then
				bad("RULE_FAILURE is the engine's code")
			elseif seen[x.code] then
				bad("reason %s twice", x.code)
			else
				seen[x.code] = true
				if not str_ok(x.text) then
					bad("reason %s: text %s", x.code,
					    tostring(x.text))
				end
			end
		end
		if r.need == nil and not seen.NO_VERIFIED_NORM then
			bad("need is nil without NO_VERIFIED_NORM")
		end
	end
	return p
end

-- What the engine will decide (docs/rules.md, "After the script"), before
-- it adds the circumstances, which the rules already add themselves.
local function outcome_of(r)
	if r.need ~= nil and r.need > 0 and #r.reasons == 0 then
		return "granted"
	end
	return "routed"
end

local function show(v)
	if v == nil then
		return "nil"
	end
	return tostring(v)
end

local function expect_problems(r, e)
	local p = {}
	local function bad(fmt, ...)
		p[#p + 1] = string.format(fmt, ...)
	end
	local function want(field, got, exp)
		if exp == false then
			exp = nil
		end
		if got ~= exp then
			bad("%s: got %s, want %s", field, show(got), show(exp))
		end
	end
	want("outcome", outcome_of(r), e.outcome)
	want("need", r.need, e.need)
	want("norm_year", r.norm_year, e.norm_year)
	want("follow_up", r.follow_up, e.follow_up)

	local got, exp = {}, {}
	for _, x in ipairs(r.reasons) do
		got[#got + 1] = x.code
	end
	for _, c in ipairs(e.reasons) do
		exp[#exp + 1] = c
	end
	table.sort(got)
	table.sort(exp)
	if table.concat(got, " ") ~= table.concat(exp, " ") then
		bad("reasons: got {%s}, want {%s}", table.concat(got, " "),
		    table.concat(exp, " "))
	end

	-- Each expected line must match a distinct line of the result.
	local used = {}
	for _, want_line in ipairs(e.lines or {}) do
		local found = false
		for i, l in ipairs(r.lines) do
			if not used[i] and l.kind == want_line[1] and
			    l.amount == want_line[2] and
			    (want_line.ref == nil or l.ref == want_line.ref) then
				used[i] = true
				found = true
				break
			end
		end
		if not found then
			bad("no %s line of %d%s", want_line[1], want_line[2],
			    want_line.ref and (" with ref " .. want_line.ref)
			    or "")
		end
	end
	if e.totals then
		local t = { norm = 0, cost = 0, income = 0, disregard = 0 }
		for _, l in ipairs(r.lines) do
			t[l.kind] = t[l.kind] + l.amount
		end
		for kind, amount in pairs(e.totals) do
			if t[kind] ~= amount then
				bad("total of %s lines: got %d, want %d", kind,
				    t[kind], amount)
			end
		end
	end
	if e.line_count and #r.lines ~= e.line_count then
		bad("%d lines, want %d", #r.lines, e.line_count)
	end
	return p
end

---------------------------------------------------------------- running

local passed, failed = 0, 0
local verbose = os.getenv("VERBOSE")

local function report(name, problems)
	if #problems == 0 then
		passed = passed + 1
		if verbose then
			print("ok   " .. name)
		end
	else
		failed = failed + 1
		print("FAIL " .. name)
		for _, s in ipairs(problems) do
			print("     " .. s)
		end
	end
end

-- The rule set must load at all.
local probe, err = load_rules()
if probe == nil then
	print("FAIL loading the rule set: " .. err)
	print("0 passed, 1 failed")
	os.exit(1)
end

-- Units: { name, fn = function(env) return got, want end }, env a fresh
-- sandbox with the rule set loaded.
for _, u in ipairs(dofile(testdir .. "/units.lua")) do
	local env = assert(load_rules())
	local ok, got, want = confined(env, u.fn, env)
	if not ok then
		report("unit " .. u.name, { "error: " .. tostring(got) })
	elseif got ~= want then
		report("unit " .. u.name, { string.format("got %s, want %s",
		    show(got), show(want)) })
	else
		report("unit " .. u.name, {})
	end
end

local names = {}
for _, c in ipairs(dofile(testdir .. "/cases.lua")) do
	local problems = {}
	if names[c.name] then
		problems[1] = "duplicate case name"
	end
	names[c.name] = true
	local env = assert(load_rules())
	local input = deepcopy(c.case)
	local ok, r = confined(env, env.evaluate, input)
	if not ok then
		problems[#problems + 1] = "error: " .. tostring(r)
	else
		problems = contract_problems(r)
		if #problems == 0 then
			problems = expect_problems(r, c.expect)
		end
	end
	report(c.name, problems)
	if ok and verbose == "2" and type(r) == "table" then
		for _, l in ipairs(r.lines or {}) do
			print(string.format("     %-9s %7s  %s  [%s]", show(l.kind),
			    show(l.amount), show(l.text), show(l.ref)))
		end
		for _, x in ipairs(r.reasons or {}) do
			print("     " .. show(x.code) .. ": " .. show(x.text))
		end
		print(string.format("     need %s, norm_year %s, follow_up %s",
		    show(r.need), show(r.norm_year), show(r.follow_up)))
	end
end

print(string.format("%d passed, %d failed", passed, failed))
os.exit(failed == 0 and 0 or 1)
