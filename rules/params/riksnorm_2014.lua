-- riksnorm_2014.lua: the riksnorm for periods in calendar year 2014.
--
-- Legal basis: the norm covers what SoL (2001:453) 4 kap. 3 § lists; the
-- government sets its figures for each calendar year in
-- Socialtjänstförordningen (2001:937) 2 kap. 1 §.
-- Source of every figure below: Socialstyrelsen, riksnormen 2014 (unchanged
-- from 2013), as recorded in shared/domain/riksnorm.md. The SFS number of
-- the ordinance that set the 2014 figures is not verified here, so it is not
-- cited.
riksnorm[2014] = {
	year = 2014,
	ref = "SoF 2 kap. 1 §; riksnorm 2014",

	-- Adults (SoF 2 kap. 1 §; Socialstyrelsen, riksnormen 2014).
	single = 2950,
	couple = 5320,

	-- Each child or school youth living at home, by age in whole years
	-- (SoF 2 kap. 1 §; Socialstyrelsen, riksnormen 2014).
	child = {
		["0"] = 1740,
		["1-2"] = 1980,
		["3"] = 1730,
		["4-6"] = 1980,
		["7-10"] = 2410,
		["11-14"] = 2840,
		["15-18"] = 3250,
		["19-20"] = 3280,
	},

	-- Ages 0-6 without lunch at home 5 days a week (SoF 2 kap. 1 §;
	-- Socialstyrelsen, riksnormen 2014).
	child_without_lunch = {
		["0"] = 1610,
		["1-2"] = 1800,
		["3"] = 1550,
		["4-6"] = 1730,
	},

	-- Household common costs by number of persons; above 7 the rules add
	-- the 6->7 difference per extra person (SoF 2 kap. 1 §;
	-- Socialstyrelsen, riksnormen 2014).
	common = { 930, 1040, 1310, 1490, 1710, 1950, 2120 },
}
