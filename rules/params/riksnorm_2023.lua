-- riksnorm_2023.lua: the riksnorm for periods in calendar year 2023.
--
-- Legal basis: the norm covers what SoL (2001:453) 4 kap. 3 § lists; the
-- government sets its figures for each calendar year in
-- Socialtjänstförordningen (2001:937) 2 kap. 1 §.
-- Source of every figure below: the municipal publication of the 2023 norm
-- (Ängelholm), with its line items re-added, as recorded in
-- shared/domain/riksnorm.md. The SFS number of the ordinance that set the
-- 2023 figures is not verified here, so it is not cited.
--
-- The "without lunch" amounts for ages 0-6 are NOT verified for 2023, so
-- they are absent on purpose: a 2023 case with a child 0-6 who eats lunch
-- outside the home is routed with NO_VERIFIED_NORM, never estimated.
riksnorm[2023] = {
	year = 2023,
	ref = "SoF 2 kap. 1 §; riksnorm 2023",

	-- Adults (SoF 2 kap. 1 §; riksnorm 2023 as published by Ängelholm).
	single = 3490,
	couple = 6300,

	-- Each child or school youth living at home, by age in whole years
	-- (SoF 2 kap. 1 §; riksnorm 2023 as published by Ängelholm).
	child = {
		["0"] = 2420,
		["1-2"] = 2700,
		["3"] = 2410,
		["4-6"] = 2700,
		["7-10"] = 3380,
		["11-14"] = 3890,
		["15-18"] = 4390,
		["19-20"] = 4430,
	},

	-- child_without_lunch: not verified for 2023, absent.

	-- Household common costs by number of persons; above 7 the rules add
	-- the 6->7 difference per extra person (SoF 2 kap. 1 §; riksnorm 2023
	-- as published by Ängelholm). Two persons: 1 250, the sum of the
	-- publication's own line items (220 + 1 030); one printing of the
	-- table says 1 150, which contradicts those items.
	common = { 1130, 1250, 1580, 1790, 2060, 2330, 2510 },
}
