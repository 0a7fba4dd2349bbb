-- costs.lua: reasonable costs beside the norm (application.md, step 2).
--
-- Housing cost, household electricity and home insurance, and the cost
-- types params/municipal.lua marks as counted, count at their actual
-- amount, one line each. The other types are livsföring i övrigt: not
-- counted, routed with COST_NEEDS_ASSESSMENT. A housing cost above the
-- municipal limit is counted in full and routed, never cut.
costs = {}

-- Label of each cost type, and which reference of params/law.lua it cites
-- ("costs": SoL 4 kap. 3 §; "living": livsföring i övrigt, SoL 4 kap. 1 §).
costs.TYPES = {
	["work-travel"] = { text = "Arbetsresor", law = "costs" },
	["union-fee"] = { text = "Avgift till fackförening", law = "costs" },
	["unemployment-fund"] = { text = "Avgift till arbetslöshetskassa",
	    law = "costs" },
	["childcare"] = { text = "Avgift för barnomsorg", law = "living" },
	["medical"] = { text = "läkarvård", law = "living" },
	["medicine"] = { text = "läkemedel", law = "living" },
	["dental"] = { text = "tandvård", law = "living" },
	["glasses"] = { text = "glasögon", law = "living" },
	["furniture"] = { text = "möbler och husgeråd", law = "living" },
	["other"] = { text = "annan kostnad", law = "living" },
}

-- Above this many cost items the counted ones are summed per type, so the
-- result stays within the contract's 200 lines (20 persons, 100 costs and
-- 100 incomes could otherwise reach 226).
costs.ITEM_LINES_MAX = 40

-- The municipality's housing cost limit for a household of n persons.
function costs.housing_limit(n)
	local t = municipal.housing_limit
	local largest = 0
	for size in pairs(t) do
		if size > largest then
			largest = size
		end
	end
	if n <= largest then
		return t[n]
	end
	return t[largest] + (n - largest) * municipal.housing_limit_extra_person
end

local function counts(type)
	return municipal.cost_at_actual_amount[type] == true
end

function costs.lines(case, found)
	local lines = {}
	local law = legal.refs(case)
	local function add(amount, text, ref)
		lines[#lines + 1] = { kind = "cost", amount = amount,
		    text = text, ref = ref }
	end

	local h = case.housing or {}
	if h.cost ~= nil then
		local ref = law.costs
		local limit = costs.housing_limit(household.size(case))
		if h.cost > limit then
			reasons.note(found, "HOUSING_ABOVE_LIMIT",
			    "boendekostnad " .. say.kr(h.cost) ..
			    ", kommunens riktvärde " .. say.kr(limit) ..
			    " för " .. say.persons(household.size(case)))
			ref = ref .. "; över kommunens riktvärde " ..
			    "(params/municipal.lua)"
		end
		add(h.cost, "Boendekostnad", ref)
	end
	if h.electricity ~= nil then
		add(h.electricity, "Hushållsel", law.costs)
	end
	if h.insurance ~= nil then
		add(h.insurance, "Hemförsäkring", law.costs)
	end

	local list = case.costs or {}
	local grouped = #list > costs.ITEM_LINES_MAX
	local sums, order = {}, {}
	for _, c in ipairs(list) do
		local t = costs.TYPES[c.type] or
		    { text = "kostnad av typen " .. tostring(c.type),
		    law = "living" }
		if not counts(c.type) then
			reasons.note(found, "COST_NEEDS_ASSESSMENT",
			    t.text .. " " .. say.kr(c.amount))
		elseif grouped then
			if sums[c.type] == nil then
				sums[c.type] = { amount = 0, n = 0 }
				order[#order + 1] = c.type
			end
			sums[c.type].amount = sums[c.type].amount + c.amount
			sums[c.type].n = sums[c.type].n + 1
		else
			add(c.amount, t.text, law[t.law] ..
			    "; params/municipal.lua")
		end
	end
	for _, type in ipairs(order) do
		local t = costs.TYPES[type]
		add(sums[type].amount, t.text .. " (" .. sums[type].n ..
		    " poster)", law[t.law] .. "; params/municipal.lua")
	end
	return lines
end
