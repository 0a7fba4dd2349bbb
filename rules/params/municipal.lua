-- municipal.lua: the municipality's own parameters for the default rule set.
--
-- Data only. Editing any value changes the rule-set version (docs/rules.md),
-- which every decision records, so a decision can always be traced to the
-- figures it used. Values marked MUNICIPAL are the municipality's to set in
-- its guidelines (riktlinjer för ekonomiskt bistånd, adopted by the social
-- welfare committee); the figures here are defensible EXAMPLES, not any
-- municipality's adopted figures. Values marked CONTRACT are fixed by
-- shared/spec/application.md and must not be changed here alone.
municipal = {
	-- MUNICIPAL. Reasonable housing cost (skälig boendekostnad), SEK per
	-- month, by the number of persons in the application's household
	-- (other residents not counted). A housing/cost above the limit is
	-- routed with HOUSING_ABOVE_LIMIT, never cut (application.md, step 2).
	-- Example figures in the range of published municipal guidelines for
	-- a mid-sized Swedish town; a municipality replaces them with its own.
	housing_limit = {
		[1] = 7000,
		[2] = 8500,
		[3] = 10000,
		[4] = 11500,
		[5] = 13000,
		[6] = 14500,
	},
	-- MUNICIPAL. Added per person above the largest size listed above.
	housing_limit_extra_person = 1500,

	-- MUNICIPAL. Bank assets (all bank assets of the household together)
	-- up to this amount are a buffer left out of the assessment; above it,
	-- ASSETS. Example figure. Any asset of another type (vehicle, property,
	-- other) is always ASSETS (CONTRACT).
	bank_buffer = 2000,

	-- CONTRACT (application.md, step 2). Which cost types count at their
	-- actual amount (true) and which are livsföring i övrigt assessed by a
	-- caseworker (false: not counted, routed with COST_NEEDS_ASSESSMENT).
	-- Municipalities classify some of these differently, which is why the
	-- classification is data; the default rule set follows the contract.
	-- A type missing here is treated as false (assessed by a person).
	cost_at_actual_amount = {
		["work-travel"] = true,		-- arbetsresor, SoL 4 kap. 3 §
		["union-fee"] = true,		-- fackföreningsavgift, SoL 4:3
		["unemployment-fund"] = true,	-- a-kassa, SoL 4 kap. 3 §
		["childcare"] = true,		-- barnomsorgsavgift, SoL 4:1
		["medical"] = false,		-- läkarvård
		["medicine"] = false,		-- läkemedel
		["dental"] = false,		-- tandvård
		["glasses"] = false,		-- glasögon
		["furniture"] = false,		-- möbler och husgeråd
		["other"] = false,		-- annat
	},

	-- CONTRACT (application.md, INCOME_DISCREPANCY). A declared and a
	-- verified income of the same person and type differ by more than this
	-- percentage of the verified amount. From municipal practice (one
	-- open-source municipal implementation, shared/domain/riksnorm.md).
	income_discrepancy_percent = 12,

	-- CONTRACT and LAW (SoL 4 kap. 1 b §, in force 2013-07-01;
	-- application.md, step 3). Jobbstimulans: when the household received
	-- försörjningsstöd in each of this many months before the period, this
	-- percentage of each adult's salary is disregarded (rounded down).
	-- Not the municipality's to change.
	jobbstimulans_months = 6,
	jobbstimulans_percent = 25,

	-- CONTRACT (application.md, LONG_TERM). A household that received
	-- försörjningsstöd in at least long_term_months of the
	-- long_term_window months before the period gets a follow-up task
	-- (Gothenburg's review: long-term recipients need more meetings).
	long_term_months = 10,
	long_term_window = 12,
}
