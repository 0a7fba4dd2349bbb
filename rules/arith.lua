-- arith.lua: integer arithmetic for amounts.
--
-- Every amount is a whole number of kronor (a Lua integer). The engine
-- rejects fractions, so nothing here ever uses "/" or produces a float: a
-- float reaching these functions is a bug and stops the case (RULE_FAILURE)
-- rather than being rounded silently.
arith = {}

local function integer(x, what)
	if math.type(x) ~= "integer" then
		error(what .. " is not an integer: " .. tostring(x), 3)
	end
	return x
end

-- num ÷ den rounded to the nearest integer, halves up (2.5 -> 3).
-- floor(num/den + 1/2) = floor((2 num + den) / (2 den)); den > 0.
function arith.div_round(num, den)
	integer(num, "numerator")
	integer(den, "denominator")
	if den <= 0 then
		error("denominator must be positive: " .. den, 2)
	end
	return (2 * num + den) // (2 * den)
end

-- percent % of amount, rounded down to whole kronor (amount >= 0).
function arith.percent_down(amount, percent)
	integer(amount, "amount")
	integer(percent, "percent")
	return amount * percent // 100
end

-- True when difference is more than percent % of base: diff > base * p / 100,
-- compared exactly as diff * 100 > base * p.
function arith.exceeds_percent(difference, base, percent)
	integer(difference, "difference")
	integer(base, "base")
	integer(percent, "percent")
	return difference * 100 > base * percent
end

-- Sum of the lines as the contract defines it:
-- need = Σnorm + Σcost − Σincome + Σdisregard.
function arith.need(lines)
	local need = 0
	for _, l in ipairs(lines) do
		if l.kind == "income" then
			need = need - l.amount
		else
			need = need + l.amount
		end
	end
	return need
end
