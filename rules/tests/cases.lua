-- cases.lua: the table-driven cases of the default rule set.
--
-- FORMAT. The file returns an array; every element is plain data:
--
--   {
--     name   = "unique-name",
--     about  = "what it checks, with the figures worked out by hand",
--     case   = <the input table exactly as docs/rules.md defines it, fully
--              expanded: id, period {year, month, index}, days_in_month,
--              municipality, persons, applicant, partner, other_residents,
--              housing, costs, incomes, assets, statuses, circumstances,
--              history, duplicate_period>,
--     expect = {
--       outcome    = "granted" | "routed": what the engine decides, granted
--                    iff need > 0 and there is no reason,
--       need       = integer, or false: need must be nil,
--       reasons    = { "CODE", ... }: the exact set, order free,
--       norm_year  = integer, or false: must be nil,
--       follow_up  = "LONG_TERM", or false: must be nil,
--       lines      = { { kind, amount [, ref = "exact ref"] }, ... }: each
--                    must match a different line of the result,
--       totals     = { norm =, cost =, income =, disregard = } (optional):
--                    the sums of the result's lines by kind,
--       line_count = n (optional),
--     },
--   }
--
-- The helpers below only shorten the writing. Defaults, unless a case says
-- otherwise: period 2019-05 (31 days), municipality "1292", one applicant
-- aged 35, other_residents 0, rental housing 5 000 + electricity 300 +
-- insurance 150 (= 5 450), no costs, incomes or assets, the applicant
-- job-seeking and registered at Arbetsförmedlingen, all circumstances false,
-- försörjningsstöd in the 3 months before the period (so: not a first
-- application, no jobbstimulans, not long-term), no duplicate. expect:
-- norm_year defaults to the period's year, follow_up to false; need,
-- outcome and reasons are always written out.
--
-- DRIVING THESE THROUGH THE ENGINE. Each `case` maps back to an application
-- document: a person aged N is born on the first day of the period N years
-- earlier (any valid personnummer of that date); `history` indices are
-- months (index // 12 .. "-" .. index % 12 + 1); circumstances.message true
-- means a non-blank message; duplicate_period true means a first
-- application for the same applicant and period was submitted before; the
-- personnummer in @person is that of case.persons[person]. tests/engine.lua
-- does this and runs every case through `bistandctl eval`.
--
-- Every expected figure comes from shared/domain/riksnorm.md by hand (the
-- `about` shows the sum), not from the rules' output. Municipal figures
-- used: housing limit 7 000 / 8 500 / 10 000 / 11 500 / 13 000 / 14 500 for
-- 1-6 persons, + 1 500 per person above 6; bank buffer 2 000.

local DIM = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 }

local function A(age) return { role = "applicant", age = age } end
local function P(age) return { role = "partner", age = age } end
-- A child: age, days in the household (nil: whole month), lunch outside
-- the home (nil: not given).
local function K(age, days, lunch)
	return { role = "child", age = age, days_in_household = days,
	    lunch_outside_home = lunch }
end
local function S(person, kind, registered)
	return { person = person, kind = kind, registered = registered or false }
end
local function I(person, type, source, amount)
	return { person = person, type = type, source = source,
	    amount = amount }
end
local function C(type, amount) return { type = type, amount = amount } end
local function AS(type, amount) return { type = type, amount = amount } end
-- Months before the period: from .. to (offsets, 1 = the month before).
local function before(from, to, except)
	local t, skip = {}, {}
	for _, x in ipairs(except or {}) do
		skip[x] = true
	end
	for o = from, to do
		if not skip[o] then
			t[#t + 1] = o
		end
	end
	return t
end

local cases = {}

local function T(s)
	local y = tonumber(s.period and s.period:sub(1, 4) or "2019")
	local m = tonumber(s.period and s.period:sub(6, 7) or "05")
	local index = y * 12 + m - 1
	local dim = DIM[m]
	if m == 2 and y % 4 == 0 and (y % 100 ~= 0 or y % 400 == 0) then
		dim = 29
	end
	local persons = s.persons or { A(35) }
	local applicant, partner
	for i, p in ipairs(persons) do
		if p.role == "applicant" then applicant = i end
		if p.role == "partner" then partner = i end
	end
	local circ = { violence = false, child_welfare_concern = false,
	    health_limits_work = false, acute_need = false,
	    eviction_risk = false, message = false }
	for k, v in pairs(s.circumstances or {}) do
		assert(circ[k] ~= nil, k)
		circ[k] = v
	end
	local offsets = s.history or before(1, 3)
	local hist = {}
	for _, o in ipairs(offsets) do
		hist[#hist + 1] = index - o
	end
	table.sort(hist)
	local e = s.expect
	assert(e.outcome and e.need ~= nil and e.reasons, s.name)
	if e.norm_year == nil then e.norm_year = y end
	if e.follow_up == nil then e.follow_up = false end
	cases[#cases + 1] = {
		name = s.name,
		about = s.about,
		case = {
			id = s.name,
			period = { year = y, month = m, index = index },
			days_in_month = dim,
			municipality = "1292",
			persons = persons,
			applicant = applicant,
			partner = partner,
			other_residents = s.other_residents or 0,
			housing = s.housing or { type = "rental", cost = 5000,
			    electricity = 300, insurance = 150 },
			costs = s.costs or {},
			incomes = s.incomes or {},
			assets = s.assets or {},
			statuses = s.statuses or { S(1, "job-seeking", true) },
			circumstances = circ,
			history = hist,
			duplicate_period = s.duplicate_period or false,
		},
		expect = e,
	}
end

------------------------------------------------------------ single adults

T{ name = "single-2019-granted",
   about = "2019 single: 3 090 + common(1) 990 + housing 5 450 = 9 530",
   expect = { outcome = "granted", need = 9530, reasons = {},
     lines = { { "norm", 3090, ref = "SoL 4 kap. 3 §; SoF 2 kap. 1 §; riksnorm 2019" },
       { "norm", 990 }, { "cost", 5000 }, { "cost", 300 }, { "cost", 150 } },
     totals = { norm = 4080, cost = 5450, income = 0, disregard = 0 },
     line_count = 5 } }

T{ name = "single-2014-granted", period = "2014-05",
   about = "2014 single: 2 950 + 930 + 5 450 = 9 330",
   expect = { outcome = "granted", need = 9330, reasons = {},
     lines = { { "norm", 2950, ref = "SoL 4 kap. 3 §; SoF 2 kap. 1 §; riksnorm 2014" },
       { "norm", 930 } } } }

T{ name = "single-2021-granted", period = "2021-05",
   about = "2021 single (adults and common are verified): 3 160 + 1 020 + 5 450 = 9 630",
   expect = { outcome = "granted", need = 9630, reasons = {},
     lines = { { "norm", 3160, ref = "SoL 4 kap. 3 §; SoF 2 kap. 1 §; riksnorm 2021 (SFS 2020:1013)" },
       { "norm", 1020 } } } }

T{ name = "single-2023-granted", period = "2023-05",
   about = "2023 single: 3 490 + 1 130 + 5 450 = 10 070",
   expect = { outcome = "granted", need = 10070, reasons = {},
     lines = { { "norm", 3490 }, { "norm", 1130 } } } }

------------------------------------------------------------------ couples

T{ name = "couple-2019", persons = { A(35), P(33) },
   about = "2019 couple: 5 570 + common(2) 1 100 + 5 450 = 12 120",
   expect = { outcome = "granted", need = 12120, reasons = {},
     lines = { { "norm", 5570 }, { "norm", 1100 } },
     totals = { norm = 6670 } } }

T{ name = "couple-2014", period = "2014-05", persons = { P(40), A(41) },
   about = "2014 couple, partner listed first: 5 320 + 1 040 + 5 450 = 11 810",
   expect = { outcome = "granted", need = 11810, reasons = {},
     lines = { { "norm", 5320 }, { "norm", 1040 } } } }

T{ name = "couple-2021", period = "2021-05", persons = { A(35), P(33) },
   about = "2021 couple: 5 700 + 1 130 + 5 450 = 12 280",
   expect = { outcome = "granted", need = 12280, reasons = {},
     lines = { { "norm", 5700 }, { "norm", 1130 } } } }

T{ name = "couple-2023-common-two-is-1250", period = "2023-05",
   persons = { A(35), P(33) },
   about = "2023 couple: 6 300 + common(2) 1 250 (not the misprinted 1 150) + 5 450 = 13 000",
   expect = { outcome = "granted", need = 13000, reasons = {},
     lines = { { "norm", 6300 }, { "norm", 1250 } } } }

------------------------------------------- child age bands, 2014, one each
-- Single parent + one child: 2 950 + common(2) 1 040 + child + 5 450
-- = child + 9 440.

for _, b in ipairs{
	{ 0, 1740 }, { 1, 1980 }, { 2, 1980 }, { 3, 1730 }, { 4, 1980 },
	{ 6, 1980 }, { 7, 2410 }, { 10, 2410 }, { 11, 2840 }, { 14, 2840 },
	{ 15, 3250 }, { 18, 3250 }, { 19, 3280 }, { 20, 3280 } } do
	T{ name = "band-2014-age-" .. b[1], period = "2014-05",
	   persons = { A(30), K(b[1]) },
	   about = "2014 child aged " .. b[1] .. ": " .. b[2] ..
	       " + 2 950 + 1 040 + 5 450 = " .. (b[2] + 9440),
	   expect = { outcome = "granted", need = b[2] + 9440, reasons = {},
	     lines = { { "norm", 2950 }, { "norm", b[2] }, { "norm", 1040 } },
	     totals = { norm = b[2] + 3990 } } }
end

T{ name = "bands-2019-all-nine-persons",
   persons = { A(40), K(0), K(1), K(3), K(4), K(7), K(11), K(15), K(19) },
   about = "2019, every band once: children 2 130 + 2 380 + 2 120 + 2 380 + 2 990 + 3 440 + 3 880 + 3 910 = 23 230; common(9) = 2 220 + 2 × 170 = 2 560; 3 090 + 23 230 + 2 560 + 5 450 = 34 330",
   expect = { outcome = "granted", need = 34330, reasons = {},
     lines = { { "norm", 2130 }, { "norm", 2380 }, { "norm", 2120 },
       { "norm", 2380 }, { "norm", 2990 }, { "norm", 3440 },
       { "norm", 3880 }, { "norm", 3910 }, { "norm", 2560 } },
     totals = { norm = 28880 } } }

T{ name = "bands-2023-all-nine-persons", period = "2023-05",
   persons = { A(40), K(0), K(2), K(3), K(5), K(8), K(12), K(16), K(20) },
   about = "2023, every band once (no lunch figures needed): 2 420 + 2 700 + 2 410 + 2 700 + 3 380 + 3 890 + 4 390 + 4 430 = 26 320; common(9) = 2 510 + 2 × 180 = 2 870; 3 490 + 26 320 + 2 870 + 5 450 = 38 130",
   expect = { outcome = "granted", need = 38130, reasons = {},
     lines = { { "norm", 2420 }, { "norm", 2700 }, { "norm", 2410 },
       { "norm", 2700 }, { "norm", 3380 }, { "norm", 3890 },
       { "norm", 4390 }, { "norm", 4430 }, { "norm", 2870 } },
     totals = { norm = 32680 } } }

T{ name = "bands-2014-upper-bounds-seven-persons", period = "2014-05",
   persons = { A(40), K(2), K(6), K(10), K(14), K(18), K(20) },
   about = "2014, upper bound of each band: 1 980 + 1 980 + 2 410 + 2 840 + 3 250 + 3 280 = 15 740; 2 950 + 15 740 + common(7) 2 120 + 5 450 = 26 260",
   expect = { outcome = "granted", need = 26260, reasons = {},
     totals = { norm = 20810 } } }

---------------------------------------------------- lunch outside the home

for _, b in ipairs{ { 0, 1610 }, { 1, 1800 }, { 3, 1550 }, { 5, 1730 } } do
	T{ name = "lunch-2014-age-" .. b[1], period = "2014-05",
	   persons = { A(30), K(b[1], nil, true) },
	   about = "2014 child aged " .. b[1] ..
	       " eating lunch outside the home: " .. b[2] ..
	       " + 9 440 = " .. (b[2] + 9440),
	   expect = { outcome = "granted", need = b[2] + 9440, reasons = {},
	     lines = { { "norm", b[2] } }, totals = { norm = b[2] + 3990 } } }
end

T{ name = "lunch-false-uses-full-amount", period = "2014-05",
   persons = { A(30), K(4, nil, false) },
   about = "2014 child 4, lunch_outside_home false: 1 980 + 9 440 = 11 420",
   expect = { outcome = "granted", need = 11420, reasons = {},
     lines = { { "norm", 1980 } } } }

T{ name = "lunch-2019-couple-three-children",
   persons = { A(35), P(33), K(2, nil, true), K(6, nil, true), K(0, nil, false) },
   about = "2019: 5 570 + 2 190 (1-2 lunch) + 2 120 (4-6 lunch) + 2 130 (0) + common(5) 1 810 = 13 820; + 5 450 = 19 270",
   expect = { outcome = "granted", need = 19270, reasons = {},
     lines = { { "norm", 2190 }, { "norm", 2120 }, { "norm", 2130 },
       { "norm", 1810 } }, totals = { norm = 13820 } } }

------------------------------------------------------------- partial days

T{ name = "days-half-rounds-up", period = "2014-02",
   persons = { A(30), K(3, 7) },
   about = "2014-02 has 28 days; child 3 lives 7 days: 1 730 × 7 ÷ 28 = 432.5 -> 433; 2 950 + 433 + common(2) 1 040 + 5 450 = 9 873",
   expect = { outcome = "granted", need = 9873, reasons = {},
     lines = { { "norm", 433 }, { "norm", 1040 } } } }

T{ name = "days-half-rounds-up-2019", period = "2019-02",
   persons = { A(30), P(30), K(0, 7) },
   about = "2019-02 (28 days), child 0, 7 days: 2 130 × 7 ÷ 28 = 532.5 -> 533; 5 570 + 533 + common(3) 1 380 + 5 450 = 12 933",
   expect = { outcome = "granted", need = 12933, reasons = {},
     lines = { { "norm", 533 }, { "norm", 1380 } } } }

T{ name = "days-rounds-down-below-half", period = "2014-05",
   persons = { A(30), K(7, 15) },
   about = "2014-05 (31 days), child 7, 15 days: 2 410 × 15 ÷ 31 = 1 166.13 -> 1 166; 2 950 + 1 166 + 1 040 + 5 450 = 10 606",
   expect = { outcome = "granted", need = 10606, reasons = {},
     lines = { { "norm", 1166 } } } }

T{ name = "days-rounds-up-above-half", period = "2014-05",
   persons = { A(30), K(1, 10) },
   about = "2014-05, child 1, 10 days: 1 980 × 10 ÷ 31 = 638.71 -> 639; 2 950 + 639 + 1 040 + 5 450 = 10 079",
   expect = { outcome = "granted", need = 10079, reasons = {},
     lines = { { "norm", 639 } } } }

T{ name = "days-whole-month-given", period = "2014-02",
   persons = { A(30), K(3, 28) },
   about = "2014-02, child 3 lives all 28 days: full 1 730; 2 950 + 1 730 + 1 040 + 5 450 = 11 170",
   expect = { outcome = "granted", need = 11170, reasons = {},
     lines = { { "norm", 1730 } } } }

T{ name = "days-with-lunch", period = "2014-04",
   persons = { A(30), K(4, 10, true) },
   about = "2014-04 (30 days), child 4 with lunch outside, 10 days: 1 730 × 10 ÷ 30 = 576.67 -> 577; 2 950 + 577 + 1 040 + 5 450 = 10 017",
   expect = { outcome = "granted", need = 10017, reasons = {},
     lines = { { "norm", 577 } } } }

T{ name = "days-two-children-common-counts-both", period = "2019-06",
   persons = { A(30), K(8, 15), K(12, 16) },
   about = "2019-06 (30 days): 2 990 × 15 ÷ 30 = 1 495; 3 440 × 16 ÷ 30 = 1 834.67 -> 1 835; the children count fully for common(3) 1 380; 3 090 + 1 495 + 1 835 + 1 380 + 5 450 = 13 250",
   expect = { outcome = "granted", need = 13250, reasons = {},
     lines = { { "norm", 1495 }, { "norm", 1835 }, { "norm", 1380 } } } }

------------------------------------------------------- common costs 1..10

-- 2019, single applicant + (n - 1) children aged 7 (2 990 each).
for _, c in ipairs{
	{ 2, 1100 }, { 3, 1380 }, { 4, 1570 }, { 5, 1810 }, { 6, 2050 },
	{ 7, 2220 }, { 8, 2390 }, { 10, 2730 } } do
	local n, common = c[1], c[2]
	local persons = { A(40) }
	for _ = 2, n do
		persons[#persons + 1] = K(7)
	end
	local norm = 3090 + (n - 1) * 2990 + common
	T{ name = "common-2019-" .. n .. "-persons", persons = persons,
	   about = "2019, " .. n .. " persons: 3 090 + " .. (n - 1) ..
	       " × 2 990 + common(" .. n .. ") " .. common ..
	       (n > 7 and (" (= 2 220 + " .. (n - 7) .. " × 170)") or "") ..
	       " = " .. norm .. "; + 5 450 = " .. (norm + 5450),
	   expect = { outcome = "granted", need = norm + 5450, reasons = {},
	     lines = { { "norm", common } }, totals = { norm = norm } } }
end

T{ name = "common-2014-8-persons", period = "2014-05",
   persons = { A(40), P(40), K(7), K(7), K(7), K(7), K(7), K(7) },
   about = "2014, couple + 6 children 7: 5 320 + 6 × 2 410 = 19 780; common(8) = 2 120 + (2 120 - 1 950) = 2 290; 19 780 + 2 290 + 5 450 = 27 520",
   expect = { outcome = "granted", need = 27520, reasons = {},
     lines = { { "norm", 2290 } } } }

------------------------------------------------------------ shared dwelling

T{ name = "shared-dwelling-2014-worked-example", period = "2014-05",
   other_residents = 4,
   about = "Socialstyrelsen's example: 1 710 ÷ 5 + 2 950 = 3 292; + 5 450 = 8 742",
   expect = { outcome = "granted", need = 8742, reasons = {},
     lines = { { "norm", 2950 }, { "norm", 342 } },
     totals = { norm = 3292 } } }

T{ name = "shared-dwelling-half-rounds-up", period = "2014-05",
   other_residents = 3,
   about = "2014: common(4) 1 490 ÷ 4 = 372.5 -> 373; 2 950 + 373 + 5 450 = 8 773",
   expect = { outcome = "granted", need = 8773, reasons = {},
     lines = { { "norm", 373 } }, totals = { norm = 3323 } } }

T{ name = "shared-dwelling-one-other", period = "2014-05",
   other_residents = 1,
   about = "2014: 1 040 ÷ 2 = 520; 2 950 + 520 + 5 450 = 8 920",
   expect = { outcome = "granted", need = 8920, reasons = {},
     lines = { { "norm", 520 } } } }

T{ name = "shared-dwelling-2019-thirds", other_residents = 2,
   about = "2019: 1 380 ÷ 3 = 460; 3 090 + 460 + 5 450 = 9 000",
   expect = { outcome = "granted", need = 9000, reasons = {},
     lines = { { "norm", 460 } } } }

T{ name = "shared-dwelling-above-seven", other_residents = 7,
   about = "2019, 8 in the dwelling: common(8) = 2 220 + 170 = 2 390; ÷ 8 = 298.75 -> 299; 3 090 + 299 + 5 450 = 8 839",
   expect = { outcome = "granted", need = 8839, reasons = {},
     lines = { { "norm", 299 } } } }

T{ name = "shared-dwelling-round-down", period = "2014-05",
   other_residents = 6,
   about = "2014: common(7) 2 120 ÷ 7 = 302.86 -> 303; 2 950 + 303 + 5 450 = 8 703",
   expect = { outcome = "granted", need = 8703, reasons = {},
     lines = { { "norm", 303 } } } }

------------------------------------------------------------------- costs

T{ name = "costs-counted-at-actual-amount",
   costs = { C("work-travel", 600), C("work-travel", 250), C("union-fee", 350),
     C("unemployment-fund", 150), C("childcare", 1200) },
   about = "counted types: 600 + 250 + 350 + 150 + 1 200 = 2 550; 9 530 + 2 550 = 12 080",
   expect = { outcome = "granted", need = 12080, reasons = {},
     lines = { { "cost", 600 }, { "cost", 250 }, { "cost", 350 },
       { "cost", 150 }, { "cost", 1200 } },
     totals = { cost = 8000 }, line_count = 10 } }

T{ name = "costs-no-housing-cost", housing = { type = "parents" },
   about = "living with parents, no housing costs given: 3 090 + 990 = 4 080",
   expect = { outcome = "granted", need = 4080, reasons = {},
     totals = { cost = 0 }, line_count = 2 } }

T{ name = "costs-housing-zero-amounts",
   housing = { type = "homeless", cost = 0, electricity = 0 },
   about = "amounts of 0 are lines of 0: 3 090 + 990 = 4 080",
   expect = { outcome = "granted", need = 4080, reasons = {},
     lines = { { "cost", 0 }, { "cost", 0 } }, line_count = 4 } }

for _, t in ipairs{ "medical", "medicine", "dental", "glasses", "furniture",
    "other" } do
	T{ name = "cost-needs-assessment-" .. t,
	   costs = { C(t, 800), C("work-travel", 400) },
	   about = t .. " is assessed, not counted: 9 530 + work travel 400 = 9 930",
	   expect = { outcome = "routed", need = 9930,
	     reasons = { "COST_NEEDS_ASSESSMENT" },
	     totals = { cost = 5850 }, line_count = 6 } }
end

T{ name = "housing-at-limit", housing = { type = "rental", cost = 7000,
     electricity = 300, insurance = 150 },
   about = "1 person, limit 7 000, cost 7 000 is not above: 3 090 + 990 + 7 450 = 11 530",
   expect = { outcome = "granted", need = 11530, reasons = {} } }

T{ name = "housing-above-limit-not-cut", housing = { type = "rental",
     cost = 7001, electricity = 300, insurance = 150 },
   about = "1 person, cost 7 001 > 7 000: routed, counted in full: 11 531",
   expect = { outcome = "routed", need = 11531,
     reasons = { "HOUSING_ABOVE_LIMIT" }, lines = { { "cost", 7001 } } } }

T{ name = "housing-above-limit-four-persons",
   persons = { A(35), P(35), K(7), K(9) },
   housing = { type = "owned", cost = 11501 },
   about = "4 persons, limit 11 500: 5 570 + 2 × 2 990 + common(4) 1 570 + 11 501 = 24 621",
   expect = { outcome = "routed", need = 24621,
     reasons = { "HOUSING_ABOVE_LIMIT" } } }

T{ name = "housing-limit-eight-persons-at-limit",
   persons = { A(35), P(35), K(7), K(7), K(7), K(7), K(7), K(7) },
   housing = { type = "rental", cost = 17500 },
   about = "8 persons, limit 14 500 + 2 × 1 500 = 17 500, not above: 5 570 + 6 × 2 990 + common(8) 2 390 + 17 500 = 43 400",
   expect = { outcome = "granted", need = 43400, reasons = {} } }

T{ name = "housing-limit-ignores-other-residents", other_residents = 1,
   housing = { type = "sublet", cost = 7500 },
   about = "single with 1 other resident: the limit is for the application's 1 person (7 000): routed; 3 090 + 1 100 ÷ 2 = 550 + 7 500 = 11 140",
   expect = { outcome = "routed", need = 11140,
     reasons = { "HOUSING_ABOVE_LIMIT" } } }

----------------------------------------------------------------- incomes

T{ name = "income-declared-only",
   incomes = { I(1, "salary", "declared", 4000) },
   about = "9 530 - 4 000 = 5 530",
   expect = { outcome = "granted", need = 5530, reasons = {},
     lines = { { "income", 4000, ref = "SoL 4 kap. 1 §" } } } }

T{ name = "income-verified-overrides-declared",
   incomes = { I(1, "salary", "declared", 4000), I(1, "salary", "verified", 4200) },
   about = "verified 4 200 used (declared 4 000 differs 4.8 %): 9 530 - 4 200 = 5 330",
   expect = { outcome = "granted", need = 5330, reasons = {},
     lines = { { "income", 4200, ref = "SoL 4 kap. 1 §; uppgift från SSBTEK" } },
     totals = { income = 4200 } } }

T{ name = "income-verified-lower-overrides",
   incomes = { I(1, "pension", "verified", 3000), I(1, "pension", "declared", 3300) },
   about = "verified 3 000 used; 300 is 10 % of 3 000: 9 530 - 3 000 = 6 530",
   expect = { outcome = "granted", need = 6530, reasons = {},
     totals = { income = 3000 } } }

T{ name = "discrepancy-exactly-12-percent-above",
   incomes = { I(1, "salary", "declared", 5600), I(1, "salary", "verified", 5000) },
   about = "600 is exactly 12 % of 5 000, not more: 9 530 - 5 000 = 4 530",
   expect = { outcome = "granted", need = 4530, reasons = {} } }

T{ name = "discrepancy-just-over-12-percent-above",
   incomes = { I(1, "salary", "declared", 5601), I(1, "salary", "verified", 5000) },
   about = "601 > 12 % of 5 000: routed, verified used: 4 530",
   expect = { outcome = "routed", need = 4530,
     reasons = { "INCOME_DISCREPANCY" } } }

T{ name = "discrepancy-exactly-12-percent-below",
   incomes = { I(1, "salary", "declared", 4400), I(1, "salary", "verified", 5000) },
   about = "declared 600 below, exactly 12 %: 4 530",
   expect = { outcome = "granted", need = 4530, reasons = {} } }

T{ name = "discrepancy-just-over-12-percent-below",
   incomes = { I(1, "salary", "declared", 4399), I(1, "salary", "verified", 5000) },
   about = "declared 601 below: routed: 4 530",
   expect = { outcome = "routed", need = 4530,
     reasons = { "INCOME_DISCREPANCY" } } }

T{ name = "discrepancy-verified-without-declared",
   persons = { A(30), K(7) },
   incomes = { I(1, "child-allowance", "verified", 1250) },
   about = "verified child allowance not declared: routed; 3 090 + 2 990 + 1 100 + 5 450 - 1 250 = 11 380",
   expect = { outcome = "routed", need = 11380,
     reasons = { "INCOME_DISCREPANCY" }, lines = { { "income", 1250 } } } }

T{ name = "discrepancy-type-must-match",
   incomes = { I(1, "salary", "declared", 3000),
     I(1, "unemployment-benefit", "verified", 3000) },
   about = "a declared salary is no counterpart of a verified unemployment benefit: routed; both deducted: 9 530 - 6 000 = 3 530",
   expect = { outcome = "routed", need = 3530,
     reasons = { "INCOME_DISCREPANCY" }, totals = { income = 6000 } } }

T{ name = "discrepancy-person-must-match", persons = { A(35), P(35) },
   incomes = { I(1, "salary", "declared", 3000), I(2, "salary", "verified", 3000) },
   about = "the partner's verified salary has no declared counterpart for the partner: routed; 12 120 - 6 000 = 6 120",
   expect = { outcome = "routed", need = 6120,
     reasons = { "INCOME_DISCREPANCY" } } }

T{ name = "income-several-in-one-group-summed",
   incomes = { I(1, "salary", "declared", 2000), I(1, "salary", "declared", 2500),
     I(1, "salary", "verified", 4500) },
   about = "declared 2 000 + 2 500 = 4 500 equals verified 4 500: one income line of 4 500; 9 530 - 4 500 = 5 030",
   expect = { outcome = "granted", need = 5030, reasons = {},
     lines = { { "income", 4500 } }, totals = { income = 4500 },
     line_count = 6 } }

T{ name = "income-all-members",
   persons = { A(35), P(33), K(7) },
   incomes = { I(2, "pension", "declared", 2000), I(2, "pension", "verified", 2000),
     I(3, "maintenance-support", "declared", 1573),
     I(1, "child-allowance", "declared", 1250) },
   about = "2019: 5 570 + 2 990 + common(3) 1 380 + 5 450 = 15 390; - 2 000 - 1 573 - 1 250 = 10 567",
   expect = { outcome = "granted", need = 10567, reasons = {},
     totals = { income = 4823 } } }

T{ name = "child-salary-outside-rules", persons = { A(40), K(17) },
   history = before(1, 6),
   incomes = { I(2, "salary", "declared", 1500) },
   about = "a child's salary: routed; deducted in full, no jobbstimulans for a child even after 6 months: 3 090 + 3 880 + 1 100 + 5 450 - 1 500 = 12 020",
   expect = { outcome = "routed", need = 12020,
     reasons = { "HOUSEHOLD_OUTSIDE_RULES" }, totals = { disregard = 0 } } }

----------------------------------------------------------- jobbstimulans

T{ name = "jobbstimulans-exactly-6-months", history = before(1, 6),
   incomes = { I(1, "salary", "declared", 4000) },
   about = "6 of 6 months: 25 % of 4 000 = 1 000 disregarded: 9 530 - 4 000 + 1 000 = 6 530",
   expect = { outcome = "granted", need = 6530, reasons = {},
     lines = { { "disregard", 1000, ref = "SoL 4 kap. 1 b §; params/municipal.lua" } } } }

T{ name = "jobbstimulans-5-months-none", history = before(1, 5),
   incomes = { I(1, "salary", "declared", 4000) },
   about = "only 5 months: 9 530 - 4 000 = 5 530",
   expect = { outcome = "granted", need = 5530, reasons = {},
     totals = { disregard = 0 } } }

T{ name = "jobbstimulans-gap-none", history = before(1, 8, { 3 }),
   incomes = { I(1, "salary", "declared", 4000) },
   about = "7 of the last 8 months but not the 3rd before: not each of the 6: 5 530",
   expect = { outcome = "granted", need = 5530, reasons = {},
     totals = { disregard = 0 } } }

T{ name = "jobbstimulans-rounds-down", history = before(1, 6),
   incomes = { I(1, "salary", "declared", 4003) },
   about = "25 % of 4 003 = 1 000.75 -> 1 000: 9 530 - 4 003 + 1 000 = 6 527",
   expect = { outcome = "granted", need = 6527, reasons = {},
     lines = { { "disregard", 1000 } } } }

T{ name = "jobbstimulans-per-adult", persons = { A(35), P(35) },
   history = before(1, 6),
   incomes = { I(1, "salary", "declared", 3003), I(2, "salary", "declared", 2003) },
   about = "per adult: 3 003 -> 750, 2 003 -> 500 (not 25 % of 5 006 = 1 251): 12 120 - 5 006 + 1 250 = 8 364",
   expect = { outcome = "granted", need = 8364, reasons = {},
     lines = { { "disregard", 750 }, { "disregard", 500 } },
     totals = { disregard = 1250 } } }

T{ name = "jobbstimulans-over-an-adults-salaries", history = before(1, 6),
   incomes = { I(1, "salary", "declared", 2003), I(1, "salary", "declared", 2003) },
   about = "over the adult's salaries together: 25 % of 4 006 = 1 001.5 -> 1 001 (not 500 + 500): 9 530 - 4 006 + 1 001 = 6 525",
   expect = { outcome = "granted", need = 6525, reasons = {},
     lines = { { "disregard", 1001 } } } }

T{ name = "jobbstimulans-uses-verified", history = before(1, 6),
   incomes = { I(1, "salary", "declared", 4000), I(1, "salary", "verified", 4100) },
   about = "verified 4 100 used; 25 % = 1 025: 9 530 - 4 100 + 1 025 = 6 455",
   expect = { outcome = "granted", need = 6455, reasons = {},
     lines = { { "income", 4100 }, { "disregard", 1025 } } } }

T{ name = "jobbstimulans-salary-only", history = before(1, 6),
   incomes = { I(1, "unemployment-benefit", "declared", 4000) },
   about = "no disregard on other incomes: 5 530",
   expect = { outcome = "granted", need = 5530, reasons = {},
     totals = { disregard = 0 } } }

------------------------------------------------------------------ LONG_TERM

T{ name = "long-term-10-of-12", history = before(1, 12, { 7, 9 }),
   about = "10 of the 12 months before: granted with a follow-up: 9 530",
   expect = { outcome = "granted", need = 9530, reasons = {},
     follow_up = "LONG_TERM" } }

T{ name = "long-term-12-of-12", history = before(1, 12),
   about = "all 12 months: LONG_TERM: 9 530",
   expect = { outcome = "granted", need = 9530, reasons = {},
     follow_up = "LONG_TERM" } }

T{ name = "long-term-9-of-12-none", history = before(1, 12, { 2, 7, 9 }),
   about = "9 of 12: no follow-up",
   expect = { outcome = "granted", need = 9530, reasons = {} } }

T{ name = "long-term-window-is-12-months", history = before(1, 13, { 2, 7, 9 }),
   about = "10 months on record but the 13th before is outside the window: 9 of 12, no follow-up",
   expect = { outcome = "granted", need = 9530, reasons = {} } }

T{ name = "long-term-on-routed-case", history = before(1, 12),
   circumstances = { violence = true },
   about = "the rules report LONG_TERM on a routed case too; the engine makes a task of it only on a grant",
   expect = { outcome = "routed", need = 9530, reasons = { "VIOLENCE" },
     follow_up = "LONG_TERM" } }

T{ name = "long-term-and-jobbstimulans", history = before(1, 10),
   incomes = { I(1, "salary", "verified", 2000), I(1, "salary", "declared", 2000) },
   about = "10 consecutive months: LONG_TERM and jobbstimulans 500: 9 530 - 2 000 + 500 = 8 030",
   expect = { outcome = "granted", need = 8030, reasons = {},
     follow_up = "LONG_TERM", lines = { { "disregard", 500 } } } }

--------------------------------------------------------------- one reason each

T{ name = "first-application", history = {},
   about = "no month with försörjningsstöd on record",
   expect = { outcome = "routed", need = 9530,
     reasons = { "FIRST_APPLICATION" } } }

T{ name = "not-first-when-long-ago", history = { 40 },
   about = "one month 40 months ago is an earlier month: not a first application",
   expect = { outcome = "granted", need = 9530, reasons = {} } }

T{ name = "violence", circumstances = { violence = true },
   about = "violence is true", expect = { outcome = "routed", need = 9530,
     reasons = { "VIOLENCE" } } }

T{ name = "child-welfare", persons = { A(30), K(5) },
   circumstances = { child_welfare_concern = true },
   about = "2019: 3 090 + 2 380 + 1 100 + 5 450 = 12 020",
   expect = { outcome = "routed", need = 12020, reasons = { "CHILD_WELFARE" } } }

T{ name = "health-flag", circumstances = { health_limits_work = true },
   about = "health-limits-work is true",
   expect = { outcome = "routed", need = 9530, reasons = { "HEALTH" } } }

T{ name = "health-applicant-sick", statuses = { S(1, "sick") },
   about = "the applicant's status is sick",
   expect = { outcome = "routed", need = 9530, reasons = { "HEALTH" } } }

T{ name = "health-partner-sick", persons = { A(35), P(35) },
   statuses = { S(1, "employed"), S(2, "sick") },
   about = "the partner's status is sick: 12 120",
   expect = { outcome = "routed", need = 12120, reasons = { "HEALTH" } } }

T{ name = "health-flag-and-status-once", statuses = { S(1, "sick") },
   circumstances = { health_limits_work = true },
   about = "both: HEALTH once",
   expect = { outcome = "routed", need = 9530, reasons = { "HEALTH" } } }

T{ name = "acute-need", circumstances = { acute_need = true },
   about = "acute-need is true",
   expect = { outcome = "routed", need = 9530, reasons = { "ACUTE_NEED" } } }

T{ name = "eviction-risk", circumstances = { eviction_risk = true },
   about = "eviction-risk is true",
   expect = { outcome = "routed", need = 9530, reasons = { "EVICTION_RISK" } } }

T{ name = "applicant-message", circumstances = { message = true },
   about = "a message that is not blank",
   expect = { outcome = "routed", need = 9530,
     reasons = { "APPLICANT_MESSAGE" } } }

T{ name = "assets-bank-at-buffer", assets = { AS("bank", 2000) },
   about = "bank 2 000 is not above the buffer 2 000",
   expect = { outcome = "granted", need = 9530, reasons = {} } }

T{ name = "assets-bank-above-buffer", assets = { AS("bank", 2001) },
   about = "bank 2 001 > 2 000",
   expect = { outcome = "routed", need = 9530, reasons = { "ASSETS" } } }

T{ name = "assets-bank-accounts-summed",
   assets = { AS("bank", 1000), AS("bank", 1001) },
   about = "1 000 + 1 001 = 2 001 > 2 000",
   expect = { outcome = "routed", need = 9530, reasons = { "ASSETS" } } }

for _, t in ipairs{ "vehicle", "property", "other" } do
	T{ name = "assets-" .. t, assets = { AS(t, 500), AS("bank", 100) },
	   about = "any " .. t .. " is assessed, whatever its value",
	   expect = { outcome = "routed", need = 9530, reasons = { "ASSETS" } } }
end

T{ name = "not-available-unregistered", statuses = { S(1, "job-seeking", false) },
   about = "job-seeking but not registered at Arbetsförmedlingen",
   expect = { outcome = "routed", need = 9530,
     reasons = { "NOT_AVAILABLE_FOR_WORK" } } }

T{ name = "not-available-partner-other", persons = { A(35), P(35) },
   statuses = { S(1, "job-seeking", true), S(2, "other", true) },
   about = "the partner's status is other: 12 120",
   expect = { outcome = "routed", need = 12120,
     reasons = { "NOT_AVAILABLE_FOR_WORK" } } }

T{ name = "available-statuses", persons = { A(35), P(35) },
   statuses = { S(1, "employed"), S(2, "studying") },
   about = "employed and studying, unregistered: available as far as the contract goes",
   expect = { outcome = "granted", need = 12120, reasons = {} } }

T{ name = "no-status-given", statuses = {},
   about = "no status at all is no reason in the contract",
   expect = { outcome = "granted", need = 9530, reasons = {} } }

T{ name = "child-status-not-a-work-requirement", persons = { A(40), K(19) },
   statuses = { S(1, "job-seeking", true), S(2, "other") },
   about = "a child's status other is not NOT_AVAILABLE_FOR_WORK: 3 090 + 3 910 + 1 100 + 5 450 = 13 550",
   expect = { outcome = "granted", need = 13550, reasons = {} } }

T{ name = "child-sick-routes-health", persons = { A(40), K(19) },
   statuses = { S(1, "job-seeking", true), S(2, "sick") },
   about = "a sick status routes HEALTH whoever it is: 13 550",
   expect = { outcome = "routed", need = 13550, reasons = { "HEALTH" } } }

T{ name = "no-need-zero",
   incomes = { I(1, "salary", "declared", 9530), I(1, "salary", "verified", 9530) },
   about = "9 530 - 9 530 = 0: NO_NEED",
   expect = { outcome = "routed", need = 0, reasons = { "NO_NEED" } } }

T{ name = "no-need-negative",
   incomes = { I(1, "salary", "declared", 12000), I(1, "salary", "verified", 12000) },
   about = "9 530 - 12 000 = -2 470: NO_NEED",
   expect = { outcome = "routed", need = -2470, reasons = { "NO_NEED" } } }

T{ name = "need-one-krona",
   incomes = { I(1, "salary", "declared", 9529), I(1, "salary", "verified", 9529) },
   about = "9 530 - 9 529 = 1 > 0: granted",
   expect = { outcome = "granted", need = 1, reasons = {} } }

T{ name = "no-need-jobbstimulans-lifts-it", history = before(1, 6),
   incomes = { I(1, "salary", "verified", 10000), I(1, "salary", "declared", 10000) },
   about = "9 530 - 10 000 + 2 500 = 2 030: granted thanks to the disregard",
   expect = { outcome = "granted", need = 2030, reasons = {} } }

T{ name = "no-verified-norm-2024", period = "2024-05",
   about = "no parameter set for 2024 (the 8.7 % raise is not a table): no norm lines, need nil; costs still listed",
   expect = { outcome = "routed", need = false, norm_year = false,
     reasons = { "NO_VERIFIED_NORM" },
     totals = { norm = 0, cost = 5450 }, line_count = 3 } }

T{ name = "no-verified-norm-2024-first-application", period = "2024-01",
   history = {},
   about = "every other reason is still given",
   expect = { outcome = "routed", need = false, norm_year = false,
     reasons = { "NO_VERIFIED_NORM", "FIRST_APPLICATION" } } }

for _, y in ipairs{ 2013, 2020, 2022, 2025, 2026 } do
	T{ name = "no-verified-norm-" .. y, period = y .. "-03",
	   about = y .. " has no verified parameter set",
	   expect = { outcome = "routed", need = false, norm_year = false,
	     reasons = { "NO_VERIFIED_NORM" } } }
end

T{ name = "no-verified-norm-2021-child", period = "2021-05",
   persons = { A(30), K(7) },
   about = "2021 child amounts are not verified: need nil, norm year 2021; adult 3 160 and common(2) 1 130 still shown",
   expect = { outcome = "routed", need = false, norm_year = 2021,
     reasons = { "NO_VERIFIED_NORM" },
     lines = { { "norm", 3160 }, { "norm", 1130 } },
     totals = { norm = 4290 } } }

T{ name = "no-verified-norm-2021-lunch", period = "2021-05",
   persons = { A(30), P(30), K(2, nil, true) },
   about = "2021 without-lunch amount not verified either",
   expect = { outcome = "routed", need = false, norm_year = 2021,
     reasons = { "NO_VERIFIED_NORM" } } }

T{ name = "no-verified-norm-2023-lunch", period = "2023-05",
   persons = { A(30), K(2, nil, true) },
   about = "2023 without-lunch amounts are not verified",
   expect = { outcome = "routed", need = false, norm_year = 2023,
     reasons = { "NO_VERIFIED_NORM" } } }

T{ name = "verified-norm-2023-lunch-false", period = "2023-05",
   persons = { A(30), K(2, nil, false) },
   about = "2023 child 2 without lunch outside: 3 490 + 2 700 + common(2) 1 250 + 5 450 = 12 890",
   expect = { outcome = "granted", need = 12890, reasons = {} } }

T{ name = "no-verified-norm-2021-child-21-only", period = "2021-05",
   persons = { A(50), K(21) },
   about = "a child of 21 has no band, so no child figure is needed: not NO_VERIFIED_NORM but HOUSEHOLD_OUTSIDE_RULES; 3 160 + common(2) 1 130 + 5 450 = 9 740",
   expect = { outcome = "routed", need = 9740, norm_year = 2021,
     reasons = { "HOUSEHOLD_OUTSIDE_RULES" } } }

T{ name = "child-21-outside-rules", persons = { A(50), K(21) },
   about = "child 21: no personal norm for it, still counted for common(2): 3 090 + 1 100 + 5 450 = 9 640",
   expect = { outcome = "routed", need = 9640,
     reasons = { "HOUSEHOLD_OUTSIDE_RULES" }, totals = { norm = 4190 },
     line_count = 5 } }

T{ name = "other-residents-with-partner", persons = { A(35), P(35) },
   other_residents = 1,
   about = "other residents and a partner: routed; common for the household of 2: 12 120",
   expect = { outcome = "routed", need = 12120,
     reasons = { "HOUSEHOLD_OUTSIDE_RULES" }, lines = { { "norm", 1100 } } } }

T{ name = "other-residents-with-child", persons = { A(35), K(7) },
   other_residents = 2,
   about = "other residents and a child: routed; 3 090 + 2 990 + common(2) 1 100 + 5 450 = 12 630",
   expect = { outcome = "routed", need = 12630,
     reasons = { "HOUSEHOLD_OUTSIDE_RULES" } } }

T{ name = "duplicate-period", duplicate_period = true,
   about = "another application for the same period",
   expect = { outcome = "routed", need = 9530,
     reasons = { "DUPLICATE_PERIOD" } } }

------------------------------------------------------------ combinations

T{ name = "many-reasons-at-once", history = {},
   persons = { A(35), P(35), K(22) }, other_residents = 1,
   circumstances = { violence = true, child_welfare_concern = true,
     acute_need = true, eviction_risk = true, message = true,
     health_limits_work = true },
   housing = { type = "rental", cost = 12000 },
   costs = { C("dental", 900) },
   assets = { AS("vehicle", 10000) },
   statuses = { S(1, "job-seeking", false), S(2, "other") },
   incomes = { I(1, "housing-allowance", "verified", 1000) },
   duplicate_period = true,
   about = "every reason the rules give, each once, in one case: 2019 couple 5 570 + common(3) 1 380 (the child of 22 counts as a member but has no norm) + housing 12 000 (above 10 000 for 3) - unverified housing allowance 1 000 = 17 950",
   expect = { outcome = "routed", need = 17950,
     reasons = { "FIRST_APPLICATION", "VIOLENCE", "CHILD_WELFARE", "HEALTH",
       "ACUTE_NEED", "EVICTION_RISK", "APPLICANT_MESSAGE",
       "HOUSING_ABOVE_LIMIT", "COST_NEEDS_ASSESSMENT", "INCOME_DISCREPANCY",
       "ASSETS", "NOT_AVAILABLE_FOR_WORK", "HOUSEHOLD_OUTSIDE_RULES",
       "DUPLICATE_PERIOD" } } }

T{ name = "no-need-and-no-norm-never-together", period = "2024-05",
   incomes = { I(1, "salary", "declared", 50000) },
   about = "need is unknown without a norm, so NO_NEED is not claimed",
   expect = { outcome = "routed", need = false, norm_year = false,
     reasons = { "NO_VERIFIED_NORM" } } }

------------------------------------------------------------ contract limits

do
	-- 20 persons, 100 counted costs and 100 incomes in 100 groups would
	-- be 21 + 103 + 100 = 224 lines, over the contract's 200: the counted
	-- costs are summed per type instead.
	local persons = { A(40) }
	for _ = 2, 20 do
		persons[#persons + 1] = K(7)
	end
	local costs = {}
	for _ = 1, 100 do
		costs[#costs + 1] = C("work-travel", 10)
	end
	local incomes = {}
	local types = { "child-allowance", "maintenance-support", "student-aid",
	    "pension", "other" }
	for p = 1, 20 do
		for _, t in ipairs(types) do
			incomes[#incomes + 1] = I(p, t, "declared", 1)
		end
	end
	T{ name = "line-cap-costs-grouped", persons = persons, costs = costs,
	   incomes = incomes,
	   about = "2019, 20 persons: 3 090 + 19 × 2 990 = 59 900; common(20) = 2 220 + 13 × 170 = 4 430; costs 5 450 + 100 × 10 = 6 450; incomes 100 × 1; 59 900 + 4 430 + 6 450 - 100 = 70 680; lines 21 + 4 + 100 = 125",
	   expect = { outcome = "granted", need = 70680, reasons = {},
	     lines = { { "norm", 4430 }, { "cost", 1000 } },
	     totals = { norm = 64330, cost = 6450, income = 100 },
	     line_count = 125 } }
end

do
	local costs = {}
	for i = 1, 100 do
		costs[#costs + 1] = C("other", 100000 + i)
	end
	T{ name = "reason-text-cap", costs = costs,
	   about = "100 different assessed costs: one reason whose text lists as many as fit in 1 000 bytes",
	   expect = { outcome = "routed", need = 9530,
	     reasons = { "COST_NEEDS_ASSESSMENT" } } }
end

return cases
