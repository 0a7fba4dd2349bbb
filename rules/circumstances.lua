-- circumstances.lua: what the applicant told about the situation. These
-- always reach a person; the engine adds them again itself if a script
-- leaves them out (docs/rules.md, "After the script").
circumstances = {}

function circumstances.check(case, found)
	local c = case.circumstances or {}
	if c.violence then
		reasons.note(found, "VIOLENCE")
	end
	if c.child_welfare_concern then
		reasons.note(found, "CHILD_WELFARE")
	end
	if c.health_limits_work then
		reasons.note(found, "HEALTH")
	end
	if c.acute_need then
		reasons.note(found, "ACUTE_NEED")
	end
	if c.eviction_risk then
		reasons.note(found, "EVICTION_RISK")
	end
	if c.message then
		reasons.note(found, "APPLICANT_MESSAGE")
	end
end
