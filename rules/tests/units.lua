-- units.lua: single rule functions, called alone in a fresh sandbox with
-- the rule set loaded (see run.lua). Each entry returns got, want.
return {
	{ name = "div_round exact", fn = function(E)
		return E.arith.div_round(1710, 5), 342 end },
	{ name = "div_round half up (1 730 × 7 ÷ 28 = 432.5)", fn = function(E)
		return E.arith.div_round(1730 * 7, 28), 433 end },
	{ name = "div_round below half (2 410 × 15 ÷ 31 = 1 166.13)",
	    fn = function(E)
		return E.arith.div_round(2410 * 15, 31), 1166 end },
	{ name = "div_round above half (1 980 × 10 ÷ 31 = 638.71)",
	    fn = function(E)
		return E.arith.div_round(1980 * 10, 31), 639 end },
	{ name = "div_round result is an integer", fn = function(E)
		return math.type(E.arith.div_round(1490, 4)), "integer" end },
	{ name = "div_round refuses a float", fn = function(E)
		return pcall(E.arith.div_round, 1.5, 2), false end },
	{ name = "percent_down 25 % of 10 003 = 2 500", fn = function(E)
		return E.arith.percent_down(10003, 25), 2500 end },
	{ name = "exceeds_percent: 600 of 5 000 is not more than 12 %",
	    fn = function(E)
		return E.arith.exceeds_percent(600, 5000, 12), false end },
	{ name = "exceeds_percent: 601 of 5 000 is more than 12 %",
	    fn = function(E)
		return E.arith.exceeds_percent(601, 5000, 12), true end },
	{ name = "say.kr groups thousands", fn = function(E)
		return E.say.kr(1234567), "1 234 567 kr" end },
	{ name = "say.kr small", fn = function(E)
		return E.say.kr(930), "930 kr" end },
	{ name = "say.kr zero", fn = function(E)
		return E.say.kr(0), "0 kr" end },
	{ name = "say.kr negative", fn = function(E)
		return E.say.kr(-2470), "−2 470 kr" end },
	{ name = "band of 0", fn = function(E)
		return E.norm.band(0).key, "0" end },
	{ name = "band of 2", fn = function(E)
		return E.norm.band(2).key, "1-2" end },
	{ name = "band of 6", fn = function(E)
		return E.norm.band(6).key, "4-6" end },
	{ name = "band of 20", fn = function(E)
		return E.norm.band(20).key, "19-20" end },
	{ name = "no band at 21", fn = function(E)
		return E.norm.band(21), nil end },
	{ name = "common 2014 for 7", fn = function(E)
		return E.norm.common(E.riksnorm[2014], 7), 2120 end },
	{ name = "common 2014 for 8 = 2 120 + 170", fn = function(E)
		return E.norm.common(E.riksnorm[2014], 8), 2290 end },
	{ name = "common 2023 for 10 = 2 510 + 3 × 180", fn = function(E)
		return E.norm.common(E.riksnorm[2023], 10), 3050 end },
	{ name = "2021 has no child figures", fn = function(E)
		return E.riksnorm[2021].child, nil end },
	{ name = "2023 has no without-lunch figures", fn = function(E)
		return E.riksnorm[2023].child_without_lunch, nil end },
	{ name = "no parameter set for 2024", fn = function(E)
		return E.norm.set(2024), nil end },
	{ name = "housing limit 6", fn = function(E)
		return E.costs.housing_limit(6), 14500 end },
	{ name = "housing limit 8 = 14 500 + 2 × 1 500", fn = function(E)
		return E.costs.housing_limit(8), 17500 end },
	{ name = "law for 2025-06 is SoL 2001:453", fn = function(E)
		return E.legal.refs({ period = { index = 2025 * 12 + 5 } })
		    .jobbstimulans, "SoL 4 kap. 1 b §" end },
	{ name = "law for 2025-07 is 2025:400", fn = function(E)
		return E.legal.refs({ period = { index = 2025 * 12 + 6 } })
		    .jobbstimulans, "socialtjänstlagen (2025:400)" end },
	{ name = "reason text capped at 1000 bytes", fn = function(E)
		local found = E.reasons.new()
		for i = 1, 200 do
			E.reasons.note(found, "COST_NEEDS_ASSESSMENT",
			    "tandvård " .. i .. " 000 kr")
		end
		local t = E.reasons.build(found)[1].text
		return #t <= 1000 and t:sub(-11) == " med flera.", true end },
	{ name = "the sandbox has no string.find", fn = function(E)
		return E.string.find, nil end },
	{ name = "the sandbox string methods have no find", fn = function(E)
		return pcall(function() return ("x"):find("x") end), false end },
}
