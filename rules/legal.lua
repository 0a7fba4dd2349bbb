-- legal.lua: the legal references printed on calculation lines.
--
-- The statute depends on the period (params/law.lua): Socialtjänstlagen
-- (2001:453) through 2025-06, the new law (2025:400) from 2025-07.
legal = {}

-- The entry of params/law.lua that governs the case's period.
function legal.refs(case)
	local p = case.period.index
	for _, e in ipairs(law) do
		if (e.first == nil or p >= e.first) and
		    (e.last == nil or p <= e.last) then
			return e
		end
	end
	error("params/law.lua has no entry for month index " .. p)
end

-- "SoL 4 kap. 3 §; SoF 2 kap. 1 §; riksnorm 2014": the statute, then the
-- norm parameter set's own reference.
function legal.norm_ref(case, set)
	return legal.refs(case).norm .. "; " .. set.ref
end
