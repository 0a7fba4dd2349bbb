-- riksnorm_2019.lua: the riksnorm for periods in calendar year 2019.
--
-- Legal basis: the norm covers what SoL (2001:453) 4 kap. 3 § lists; the
-- government sets its figures for each calendar year in
-- Socialtjänstförordningen (2001:937) 2 kap. 1 §.
-- Source of every figure below: Socialstyrelsen, riksnormen 2019, as
-- recorded in shared/domain/riksnorm.md. The SFS number of the ordinance
-- that set the 2019 figures is not verified here, so it is not cited.
riksnorm[2019] = {
	year = 2019,
	ref = "SoF 2 kap. 1 §; riksnorm 2019",

	-- Adults (SoF 2 kap. 1 §; Socialstyrelsen, riksnormen 2019).
	single = 3090,
	couple = 5570,

	-- Each child or school youth living at home, by age in whole years
	-- (SoF 2 kap. 1 §; Socialstyrelsen, riksnormen 2019).
	child = {
		["0"] = 2130,
		["1-2"] = 2380,
		["3"] = 2120,
		["4-6"] = 2380,
		["7-10"] = 2990,
		["11-14"] = 3440,
		["15-18"] = 3880,
		["19-20"] = 3910,
	},

	-- Ages 0-6 without lunch at home 5 days a week (SoF 2 kap. 1 §;
	-- Socialstyrelsen, riksnormen 2019).
	child_without_lunch = {
		["0"] = 2000,
		["1-2"] = 2190,
		["3"] = 1940,
		["4-6"] = 2120,
	},

	-- Household common costs by number of persons; above 7 the rules add
	-- the 6->7 difference per extra person (SoF 2 kap. 1 §;
	-- Socialstyrelsen, riksnormen 2019).
	common = { 990, 1100, 1380, 1570, 1810, 2050, 2220 },
}
