-- incomes.lua: incomes and the jobbstimulans disregard (application.md,
-- step 3) and INCOME_DISCREPANCY.
--
-- Incomes are grouped by person and type. Where the group has a verified
-- income (fetched by the e-service from SSBTEK), the verified amounts are
-- used and the declared ones are only compared with them; otherwise the
-- declared amounts are used. Several incomes in one group are summed (two
-- employers, say). One income line per group.
incomes = {}

incomes.TYPES = {
	["salary"] = "Lön",
	["unemployment-benefit"] = "Ersättning från arbetslöshetskassa",
	["sickness-benefit"] = "Sjukpenning eller sjukersättning",
	["activity-support"] = "Aktivitetsstöd",
	["parental-benefit"] = "Föräldrapenning",
	["housing-allowance"] = "Bostadsbidrag",
	["child-allowance"] = "Barnbidrag",
	["maintenance-support"] = "Underhållsstöd",
	["student-aid"] = "Studiemedel",
	["pension"] = "Pension",
	["other"] = "Annan inkomst",
}

local function label(type)
	return incomes.TYPES[type] or ("Inkomst av typen " .. tostring(type))
end

-- Groups in order of first appearance: { person, type, declared, verified,
-- used }; declared and verified are sums, nil when there is none.
function incomes.groups(case)
	local groups, by = {}, {}
	for _, inc in ipairs(case.incomes or {}) do
		local key = inc.person .. "/" .. inc.type
		local g = by[key]
		if g == nil then
			g = { person = inc.person, type = inc.type }
			by[key] = g
			groups[#groups + 1] = g
		end
		if inc.source == "verified" then
			g.verified = (g.verified or 0) + inc.amount
		else
			g.declared = (g.declared or 0) + inc.amount
		end
	end
	for _, g in ipairs(groups) do
		if g.verified ~= nil then
			g.used = g.verified
		else
			g.used = g.declared
		end
	end
	return groups
end

-- INCOME_DISCREPANCY: declared and verified differ by more than 12 % of the
-- verified amount, or a verified income has no declared counterpart.
function incomes.check(case, groups, found)
	local pct = municipal.income_discrepancy_percent
	for _, g in ipairs(groups) do
		local name = string.lower(label(g.type)) .. " (" ..
		    say.who(case, g.person) .. ")"
		if g.verified ~= nil and g.declared == nil then
			reasons.note(found, "INCOME_DISCREPANCY", name .. ": " ..
			    say.kr(g.verified) .. " enligt hämtad uppgift, " ..
			    "saknas i ansökan")
		elseif g.verified ~= nil then
			local diff = g.declared - g.verified
			if diff < 0 then
				diff = -diff
			end
			if arith.exceeds_percent(diff, g.verified, pct) then
				reasons.note(found, "INCOME_DISCREPANCY",
				    name .. ": " .. say.kr(g.declared) ..
				    " i ansökan, " .. say.kr(g.verified) ..
				    " enligt hämtad uppgift")
			end
		end
	end
end

function incomes.lines(case, groups)
	local lines = {}
	local ref = legal.refs(case).incomes
	for _, g in ipairs(groups) do
		local text = label(g.type) .. " (" .. say.who(case, g.person) ..
		    ")"
		local r = ref
		if g.verified ~= nil then
			text = text .. ", hämtad uppgift"
			r = ref .. "; uppgift från SSBTEK"
		else
			text = text .. ", enligt ansökan"
		end
		lines[#lines + 1] = { kind = "income", amount = g.used,
		    text = text, ref = r }
	end
	return lines
end

-- Jobbstimulans (SoL 4 kap. 1 b §): when the household had
-- försörjningsstöd in each of the 6 months before the period, 25 % of each
-- adult's salary is disregarded. Per adult, over the sum of that adult's
-- salary incomes as used in the calculation, rounded down once. Children's
-- incomes are not covered (riksnorm.md).
function incomes.disregards(case, groups)
	local lines = {}
	if not history.each(case, municipal.jobbstimulans_months) then
		return lines
	end
	local pct = municipal.jobbstimulans_percent
	local ref = legal.refs(case).jobbstimulans
	for _, i in ipairs(household.adults(case)) do
		local salary = 0
		for _, g in ipairs(groups) do
			if g.person == i and g.type == "salary" then
				salary = salary + g.used
			end
		end
		local amount = arith.percent_down(salary, pct)
		if amount > 0 then
			lines[#lines + 1] = { kind = "disregard",
			    amount = amount,
			    text = "Jobbstimulans: " .. pct .. " % av lönen (" ..
			    say.who(case, i) .. "), " .. say.kr(salary) ..
			    ", räknas inte som inkomst",
			    ref = ref .. "; params/municipal.lua" }
		end
	end
	return lines
end
