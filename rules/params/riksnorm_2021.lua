-- riksnorm_2021.lua: the riksnorm for periods in calendar year 2021.
--
-- Legal basis: the norm covers what SoL (2001:453) 4 kap. 3 § lists; the
-- figures are set in Socialtjänstförordningen (2001:937) 2 kap. 1 §, for
-- 2021 as amended by SFS 2020:1013.
--
-- ONLY the adult and the household common figures are verified for 2021
-- (shared/domain/riksnorm.md). The child amounts and the "without lunch"
-- amounts are NOT verified, so they are absent on purpose: a 2021 case
-- with a child is routed with NO_VERIFIED_NORM, never estimated. Add them
-- here only from the text of SFS 2020:1013.
riksnorm[2021] = {
	year = 2021,
	ref = "SoF 2 kap. 1 §; riksnorm 2021 (SFS 2020:1013)",

	-- Adults (SoF 2 kap. 1 § as amended by SFS 2020:1013).
	single = 3160,
	couple = 5700,

	-- child: not verified, absent.
	-- child_without_lunch: not verified, absent.

	-- Household common costs by number of persons; above 7 the rules add
	-- the 6->7 difference per extra person (SoF 2 kap. 1 § as amended by
	-- SFS 2020:1013).
	common = { 1020, 1130, 1420, 1610, 1860, 2100, 2270 },
}
