-- labour.lua: the labour-market statuses: HEALTH for a person who is sick,
-- NOT_AVAILABLE_FOR_WORK for an adult who is not available.
--
-- A status of kind "sick" routes HEALTH whoever it belongs to (health
-- always reaches a person, design.md invariant 3). The availability
-- requirement of SoL 4 kap. 1 § is checked for the adults only (the
-- applicant and the partner): a child's status is no work requirement.
labour = {}

function labour.check(case, found)
	for _, s in ipairs(case.statuses or {}) do
		local who = say.who(case, s.person)
		if s.kind == "sick" then
			reasons.note(found, "HEALTH", who .. " är sjuk")
		end
		if household.is_adult(case, s.person) then
			if s.kind == "job-seeking" and not s.registered then
				reasons.note(found, "NOT_AVAILABLE_FOR_WORK",
				    who .. " söker arbete men är inte " ..
				    "inskriven på Arbetsförmedlingen")
			elseif s.kind == "other" then
				reasons.note(found, "NOT_AVAILABLE_FOR_WORK",
				    who .. " har angett sysselsättningen annat")
			end
		end
	end
end
