-- household.lua: who is in the household, and the households the default
-- rule set cannot calculate (HOUSEHOLD_OUTSIDE_RULES).
--
-- "Adult" means the applicant and the partner: the riksnorm knows no other
-- adult (an adult is single or part of a couple; riksnorm.md). A person
-- with the role child stays a child whatever the age.
household = {}

function household.size(case)
	return #case.persons
end

function household.adults(case)
	local a = { case.applicant }
	if case.partner ~= nil then
		a[2] = case.partner
	end
	return a
end

function household.is_adult(case, i)
	return i == case.applicant or i == case.partner
end

function household.children(case)
	local c = {}
	for i, p in ipairs(case.persons) do
		if p.role == "child" then
			c[#c + 1] = i
		end
	end
	return c
end

function household.other_residents(case)
	return case.other_residents or 0
end

-- A single applicant: no partner and no children in the application.
function household.single(case)
	return case.partner == nil and #household.children(case) == 0
end

-- HOUSEHOLD_OUTSIDE_RULES (application.md): a child aged 21 or more, other
-- residents together with a partner or children, or a salary of a child.
-- The norm rule leaves a child of 21+ out of the personal norm (there is no
-- band above 20); the detail says so.
function household.check(case, found)
	for _, i in ipairs(household.children(case)) do
		local age = case.persons[i].age
		if age >= 21 then
			reasons.note(found, "HOUSEHOLD_OUTSIDE_RULES",
			    "ett barn som är " .. age .. " år – riksnormen har " ..
			    "inga belopp för barn över 20 år, så inga " ..
			    "personliga kostnader är beräknade för det barnet")
		end
	end
	if household.other_residents(case) > 0 and
	    not household.single(case) then
		reasons.note(found, "HOUSEHOLD_OUTSIDE_RULES",
		    "andra personer bor i bostaden och hushållet har " ..
		    "partner eller barn – de gemensamma kostnaderna är " ..
		    "beräknade för hushållet utan dem")
	end
	for _, inc in ipairs(case.incomes or {}) do
		if inc.type == "salary" and
		    case.persons[inc.person].role == "child" then
			reasons.note(found, "HOUSEHOLD_OUTSIDE_RULES",
			    say.who(case, inc.person) .. ", har lön – ett " ..
			    "barns arbetsinkomst kan till viss del räknas " ..
			    "bort, vilket en handläggare bedömer")
		end
	end
end
