-- history.lua: what the months with försörjningsstöd before the period say.
--
-- case.history holds month indices (year*12 + month - 1) before the period:
-- the application's history merged with the daemon's own records
-- (docs/rules.md). "The n months before the period" are period.index - n
-- .. period.index - 1.
history = {}

-- How many of the n months right before the period had försörjningsstöd.
function history.count(case, n)
	local seen, count = {}, 0
	local first, last = case.period.index - n, case.period.index - 1
	for _, m in ipairs(case.history or {}) do
		if m >= first and m <= last and not seen[m] then
			seen[m] = true
			count = count + 1
		end
	end
	return count
end

-- Försörjningsstöd in each of the n months right before the period.
function history.each(case, n)
	return history.count(case, n) == n
end

-- Any month with försörjningsstöd before the period, however long ago.
function history.any_before(case)
	for _, m in ipairs(case.history or {}) do
		if m < case.period.index then
			return true
		end
	end
	return false
end

-- LONG_TERM: at least 10 of the 12 months before the period (municipal.lua).
function history.long_term(case)
	return history.count(case, municipal.long_term_window) >=
	    municipal.long_term_months
end

-- FIRST_APPLICATION and DUPLICATE_PERIOD: facts from the records.
function history.check(case, found)
	if not history.any_before(case) then
		reasons.note(found, "FIRST_APPLICATION")
	end
	if case.duplicate_period then
		reasons.note(found, "DUPLICATE_PERIOD")
	end
end
