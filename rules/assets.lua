-- assets.lua: ASSETS. Bank assets of the household together above the
-- municipal buffer (params/municipal.lua), or any asset of another type,
-- whatever its value: a person assesses whether it can be used.
assets = {}

assets.TYPES = {
	vehicle = "fordon",
	property = "fastighet eller bostadsrätt",
	other = "annan tillgång",
}

function assets.check(case, found)
	local bank = 0
	for _, a in ipairs(case.assets or {}) do
		if a.type == "bank" then
			bank = bank + a.amount
		else
			reasons.note(found, "ASSETS", (assets.TYPES[a.type] or
			    tostring(a.type)) .. " " .. say.kr(a.amount))
		end
	end
	if bank > municipal.bank_buffer then
		reasons.note(found, "ASSETS", "pengar på bankkonto " ..
		    say.kr(bank) .. ", mer än kommunens buffert " ..
		    say.kr(municipal.bank_buffer))
	end
end
