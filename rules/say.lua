-- say.lua: Swedish wording shared by the rules: amounts and persons.
--
-- The pattern functions of the string library are not in the sandbox
-- (docs/rules.md), so digits are grouped by hand.
say = {}

-- 1710 -> "1 710", -970 -> "−970" (a real minus sign).
function say.int(n)
	local s = string.format("%d", n < 0 and -n or n)
	local len = string.len(s)
	local head = len % 3
	if head == 0 then
		head = 3
	end
	local parts = { string.sub(s, 1, head) }
	for i = head + 1, len, 3 do
		parts[#parts + 1] = string.sub(s, i, i + 2)
	end
	local out = table.concat(parts, " ")
	if n < 0 then
		out = "−" .. out
	end
	return out
end

function say.kr(n)
	return say.int(n) .. " kr"
end

-- "1 person", "4 personer".
function say.persons(n)
	if n == 1 then
		return "1 person"
	end
	return say.int(n) .. " personer"
end

-- Who a person of the case is, as a short label: "sökande", "partner",
-- "barn, 7 år". The rules get no names (docs/rules.md).
function say.who(case, i)
	if i == case.applicant then
		return "sökande"
	end
	local p = case.persons[i]
	if p.role == "partner" then
		return "partner"
	end
	return "barn, " .. p.age .. " år"
end
