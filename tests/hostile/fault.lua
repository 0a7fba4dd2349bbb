-- tests/hostile/fault.lua: a faulty rule file for tests/hostile.sh,
-- loaded after evaluate.lua (name sorts last). It replaces evaluate for
-- cases whose municipality is 99xx; the examples never use 99xx, so the
-- rule set still passes the load-time test on etc/examples.
local orig = evaluate
local faults = {
	["9901"] = function() while true do end end,
	["9902"] = function()
		local t, i = {}, 0
		while true do i = i + 1; t[i] = string.rep("y", 65536) .. i end
	end,
	["9903"] = function() error("hostile: deliberate error") end,
	["9904"] = function() return "not a table" end,
	["9905"] = function() os.execute("touch /tmp/bistand-hostile-rule-marker") end,
	["9906"] = function() io.open("/tmp/bistand-hostile-rule-marker", "w") end,
	["9907"] = function() return load(string.dump(orig))(nil) end,
	["9908"] = function() return { s = string.rep("x", 1 << 30) } end,
	["9909"] = function() return { norm_year = 2023, need = 1.5, lines = {}, reasons = {} } end,
}
function evaluate(case)
	local f = faults[case.municipality]
	if f ~= nil then
		return f()
	end
	return orig(case)
end
