-- evaluate.lua: the entry point the engine calls (docs/rules.md).
--
-- Every file of the rule set only defines tables and functions, so the load
-- order of rules/*.lua does not matter; the parameters (params/) load first.
-- evaluate reads the case, never changes it, and returns the result table:
-- norm_year, need (nil when the norm is incomplete), lines, reasons,
-- follow_up. The outcome itself is the engine's (granted only when need > 0
-- and there is no reason).

function evaluate(case)
	local found = reasons.new()
	local set = norm.set(case.period.year)
	local lines = {}
	local function append(more)
		for _, l in ipairs(more) do
			lines[#lines + 1] = l
		end
	end

	local norm_lines, complete = norm.lines(case, set, found)
	append(norm_lines)
	append(costs.lines(case, found))
	local groups = incomes.groups(case)
	incomes.check(case, groups, found)
	append(incomes.lines(case, groups))
	append(incomes.disregards(case, groups))

	household.check(case, found)
	history.check(case, found)
	circumstances.check(case, found)
	labour.check(case, found)
	assets.check(case, found)

	local need
	if complete then
		need = arith.need(lines)
		if need < 0 then
			reasons.note(found, "NO_NEED", "inkomsterna är " ..
			    say.kr(-need) .. " högre än normen och kostnaderna")
		elseif need == 0 then
			reasons.note(found, "NO_NEED", "inkomsterna är lika " ..
			    "stora som normen och kostnaderna")
		end
	end

	local follow_up
	if history.long_term(case) then
		follow_up = "LONG_TERM"
	end
	return {
		norm_year = set and set.year or nil,
		need = need,
		lines = lines,
		reasons = reasons.build(found),
		follow_up = follow_up,
	}
end
