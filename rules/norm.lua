-- norm.lua: the riksnorm part of the calculation (application.md, step 1).
--
-- norm.lines returns the norm lines and whether the norm is complete. It is
-- incomplete when the year has no parameter set or the set lacks a figure
-- the household needs; each missing figure is noted as NO_VERIFIED_NORM and
-- is never estimated. The figures that do exist are still shown, so the
-- caseworker sees how far the calculation got.
norm = {}

-- The riksnorm's age bands for children and school youths living at home.
-- lunch: the band has a "without lunch" amount (ages 0-6).
norm.BANDS = {
	{ key = "0", from = 0, to = 0, label = "0 år", lunch = true },
	{ key = "1-2", from = 1, to = 2, label = "1–2 år", lunch = true },
	{ key = "3", from = 3, to = 3, label = "3 år", lunch = true },
	{ key = "4-6", from = 4, to = 6, label = "4–6 år", lunch = true },
	{ key = "7-10", from = 7, to = 10, label = "7–10 år" },
	{ key = "11-14", from = 11, to = 14, label = "11–14 år" },
	{ key = "15-18", from = 15, to = 18, label = "15–18 år" },
	{ key = "19-20", from = 19, to = 20, label = "19–20 år" },
}

-- The parameter set for a calendar year, or nil.
function norm.set(year)
	return riksnorm[year]
end

-- The band of an age in whole years, or nil (21 and over: no band).
function norm.band(age)
	if age < 0 then
		-- The intake refuses a person born after the period's first
		-- day; reaching here means the input broke the contract.
		error("a person aged " .. age .. " on the period's first day")
	end
	for _, b in ipairs(norm.BANDS) do
		if age >= b.from and age <= b.to then
			return b
		end
	end
	return nil
end

-- Household common costs for n persons: the table up to 7; above 7 the
-- 6->7 difference is added per extra person. nil when a figure is missing.
function norm.common(set, n)
	local c = set.common
	if c == nil then
		return nil
	end
	if n <= 7 then
		return c[n]
	end
	if c[6] == nil or c[7] == nil then
		return nil
	end
	return c[7] + (n - 7) * (c[7] - c[6])
end

-- A child's amount for the month: the band's amount (the "without lunch"
-- one for ages 0-6 eating lunch outside the home), prorated by the days the
-- child lives in the household, amount × days ÷ days in month, rounded to
-- the nearest krona, halves up. Returns the amount and its text, or nil and
-- the description of the missing figure.
function norm.child(case, set, p, band)
	local lunch = band.lunch and p.lunch_outside_home == true
	-- Never "lunch and a or b": a missing without-lunch table must not
	-- fall back to the full amount.
	local tbl = set.child
	if lunch then
		tbl = set.child_without_lunch
	end
	local figure
	if tbl ~= nil then
		figure = tbl[band.key]
	end
	if figure == nil then
		local what = "belopp för barn " .. band.label
		if lunch then
			what = what .. " som äter lunch utanför hemmet"
		end
		return nil, what .. " för år " .. set.year
	end
	local text = "Personliga kostnader, barn " .. p.age .. " år"
	if band.from ~= band.to then
		text = text .. " (åldersgrupp " .. band.label .. ")"
	end
	if lunch then
		text = text .. ", äter lunch utanför hemmet 5 dagar i veckan"
	end
	local days, dim = p.days_in_household, case.days_in_month
	if days == nil or days >= dim then
		return figure, text
	end
	text = text .. ", bor i hushållet " .. days .. " av " .. dim ..
	    " dagar: " .. say.kr(figure) .. " × " .. days .. " ÷ " .. dim
	return arith.div_round(figure * days, dim), text
end

-- The common costs line: common(size); or, for a single applicant sharing
-- the dwelling with others, common(1 + others) ÷ (1 + others) rounded to the
-- nearest krona (Socialstyrelsen: 1 710 ÷ 5 + 2 950 = 3 292 for 2014).
-- Returns amount and text, or nil and the missing figure.
function norm.common_line(case, set)
	local others = household.other_residents(case)
	if household.single(case) and others > 0 then
		local k = 1 + others
		local total = norm.common(set, k)
		if total == nil then
			return nil, "gemensamma hushållskostnader för " ..
			    say.persons(k) .. " för år " .. set.year
		end
		return arith.div_round(total, k),
		    "Gemensamma hushållskostnader, din andel när ni är " ..
		    say.persons(k) .. " i bostaden: " .. say.kr(total) ..
		    " ÷ " .. k
	end
	local n = household.size(case)
	local amount = norm.common(set, n)
	if amount == nil then
		return nil, "gemensamma hushållskostnader för " ..
		    say.persons(n) .. " för år " .. set.year
	end
	local text = "Gemensamma hushållskostnader, " .. say.persons(n)
	if n > 7 then
		text = text .. ": " .. say.kr(set.common[7]) ..
		    " för 7 personer + " .. (n - 7) .. " × " ..
		    say.kr(set.common[7] - set.common[6])
	end
	return amount, text
end

function norm.lines(case, set, found)
	local lines, complete = {}, true
	if set == nil then
		reasons.note(found, "NO_VERIFIED_NORM", "riksnorm för år " ..
		    case.period.year)
		return lines, false
	end
	local ref = legal.norm_ref(case, set)
	local function add(amount, text)
		lines[#lines + 1] = { kind = "norm", amount = amount,
		    text = text, ref = ref }
	end
	local function missing(what)
		complete = false
		reasons.note(found, "NO_VERIFIED_NORM", what)
	end

	if case.partner ~= nil then
		if set.couple == nil then
			missing("belopp för sammanboende vuxna för år " ..
			    set.year)
		else
			add(set.couple, "Personliga kostnader, två " ..
			    "sammanboende vuxna")
		end
	elseif set.single == nil then
		missing("belopp för ensamstående vuxen för år " .. set.year)
	else
		add(set.single, "Personliga kostnader, ensamstående vuxen")
	end

	for _, i in ipairs(household.children(case)) do
		local p = case.persons[i]
		local band = norm.band(p.age)
		-- No band (21 and over): no personal norm for this child;
		-- household.check routes the case and says so.
		if band ~= nil then
			local amount, text = norm.child(case, set, p, band)
			if amount == nil then
				missing(text)
			else
				add(amount, text)
			end
		end
	end

	local amount, text = norm.common_line(case, set)
	if amount == nil then
		missing(text)
	else
		add(amount, text)
	end
	return lines, complete
end
