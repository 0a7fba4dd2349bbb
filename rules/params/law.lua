-- law.lua: which statute the references on a decision's lines cite, by
-- period. Data only; rules/legal.lua looks it up.
--
-- Socialtjänstlagen (2001:453) governs every period up to and including
-- 2025-06. A new Socialtjänstlag (SFS 2025:400) is in force from 2025-07-01;
-- the chapter and section numbering of its provisions on ekonomiskt bistånd
-- is NOT verified here (shared/domain/riksnorm.md), so periods from 2025-07
-- cite the law by name only until someone verifies the sections and adds
-- them below. Every verified norm year (2014, 2019, 2021, 2023) is governed
-- by the 2001 law.
--
-- Periods are month indices: year * 12 + month - 1.
law = {
	{
		last = 2025 * 12 + 6 - 1,	-- through 2025-06
		norm = "SoL 4 kap. 3 §",	-- what the norm covers, riksnorm
		costs = "SoL 4 kap. 3 §",	-- housing, electricity, work
						-- travel, home insurance, union
						-- and unemployment fund
		living = "SoL 4 kap. 1 §",	-- livsföring i övrigt
		incomes = "SoL 4 kap. 1 §",	-- need not met in another way
		jobbstimulans = "SoL 4 kap. 1 b §", -- in force 2013-07-01
	},
	{
		first = 2025 * 12 + 7 - 1,	-- from 2025-07
		norm = "socialtjänstlagen (2025:400)",
		costs = "socialtjänstlagen (2025:400)",
		living = "socialtjänstlagen (2025:400)",
		incomes = "socialtjänstlagen (2025:400)",
		jobbstimulans = "socialtjänstlagen (2025:400)",
	},
}
