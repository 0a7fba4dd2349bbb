-- reasons.lua: the reason codes of application.md and their Swedish text.
--
-- The rules note what they find in a "found" table (code -> list of
-- details); reasons.build turns it into the result's reasons array, in the
-- order of application.md's table, each code once. RULE_FAILURE is the
-- engine's, never the script's, and is not here.
reasons = {}

-- The contract caps every string at 1000 bytes (docs/rules.md).
reasons.MAX_TEXT = 1000

reasons.ORDER = {
	"FIRST_APPLICATION", "VIOLENCE", "CHILD_WELFARE", "HEALTH",
	"ACUTE_NEED", "EVICTION_RISK", "APPLICANT_MESSAGE",
	"HOUSING_ABOVE_LIMIT", "COST_NEEDS_ASSESSMENT", "INCOME_DISCREPANCY",
	"ASSETS", "NOT_AVAILABLE_FOR_WORK", "NO_NEED", "NO_VERIFIED_NORM",
	"HOUSEHOLD_OUTSIDE_RULES", "DUPLICATE_PERIOD",
}

-- text: the plain explanation; lead: introduces the details, if any.
reasons.TEXT = {
	FIRST_APPLICATION = {
		text = "Enligt våra uppgifter har hushållet inte fått " ..
		    "försörjningsstöd tidigare. Vid en första ansökan " ..
		    "bedömer en handläggare tillsammans med dig din " ..
		    "arbetsförmåga och dina behov innan beslut fattas.",
	},
	VIOLENCE = {
		text = "Du har berättat att någon i hushållet utsätts för " ..
		    "våld eller hot i en nära relation. Ansökan handläggs " ..
		    "med förtur och en handläggare kontaktar dig för att " ..
		    "erbjuda stöd.",
	},
	CHILD_WELFARE = {
		text = "Du har berättat om oro för ett barn i hushållet. " ..
		    "En handläggare tar del av det och kontaktar dig.",
	},
	HEALTH = {
		text = "Sjukdom eller funktionsnedsättning begränsar " ..
		    "förmågan att arbeta. En handläggare går igenom " ..
		    "situationen tillsammans med dig, så att planeringen " ..
		    "utgår från vad som är möjligt för dig.",
		lead = "Uppgifter i ansökan:",
	},
	ACUTE_NEED = {
		text = "Du har angett att du saknar pengar till mat eller " ..
		    "medicin just nu. Ansökan handläggs med förtur och en " ..
		    "handläggare kontaktar dig så snart som möjligt.",
	},
	EVICTION_RISK = {
		text = "Du har angett att du riskerar att förlora din " ..
		    "bostad. Ansökan handläggs med förtur så att en " ..
		    "handläggare kan hjälpa dig att behålla bostaden.",
	},
	APPLICANT_MESSAGE = {
		text = "Du har skrivit ett meddelande till handläggaren. " ..
		    "En handläggare läser det innan beslut fattas.",
	},
	HOUSING_ABOVE_LIMIT = {
		text = "Boendekostnaden är högre än kommunens riktvärde för " ..
		    "ett hushåll av er storlek. Kostnaden har inte sänkts: " ..
		    "en handläggare bedömer om den är skälig för er.",
		lead = "Jämförelse:",
	},
	COST_NEEDS_ASSESSMENT = {
		text = "Du har ansökt om kostnader som en handläggare " ..
		    "behöver bedöma utifrån din situation. De är inte med " ..
		    "i beräkningen.",
		lead = "Kostnader:",
	},
	INCOME_DISCREPANCY = {
		text = "En inkomst i ansökan stämmer inte med uppgiften som " ..
		    "hämtats från andra myndigheter, eller finns inte med i " ..
		    "ansökan. Beräkningen använder den hämtade uppgiften; " ..
		    "en handläggare går igenom uppgifterna med dig.",
		lead = "Inkomster:",
	},
	ASSETS = {
		text = "Hushållet har tillgångar som en handläggare behöver " ..
		    "bedöma. Tillgångar som går att använda ska i regel " ..
		    "användas till försörjningen innan bistånd kan ges.",
		lead = "Tillgångar:",
	},
	NOT_AVAILABLE_FOR_WORK = {
		text = "Den som kan arbeta ska stå till arbetsmarknadens " ..
		    "förfogande för att få försörjningsstöd, till exempel " ..
		    "vara inskriven på Arbetsförmedlingen. En handläggare " ..
		    "går igenom detta med dig.",
		lead = "Det gäller:",
	},
	NO_NEED = {
		text = "Enligt beräkningen räcker hushållets inkomster till " ..
		    "normen och kostnaderna. Ansökan avslås aldrig " ..
		    "automatiskt: en handläggare går igenom den.",
		lead = "Beräkningen:",
	},
	NO_VERIFIED_NORM = {
		text = "Regelverket saknar ett kontrollerat belopp i " ..
		    "riksnormen för det som din ansökan behöver. Normen " ..
		    "gissas aldrig: en handläggare räknar ut den.",
		lead = "Det saknas:",
	},
	HOUSEHOLD_OUTSIDE_RULES = {
		text = "Hushållets sammansättning kan inte beräknas " ..
		    "automatiskt. En handläggare räknar ut ert behov.",
		lead = "Det gäller:",
	},
	DUPLICATE_PERIOD = {
		text = "Det finns redan en ansökan från dig för samma månad. " ..
		    "En handläggare går igenom ansökningarna så att inget " ..
		    "betalas ut två gånger.",
	},
}

function reasons.new()
	return {}
end

-- Note that code applies, with an optional detail (a short Swedish
-- phrase). The same detail twice is kept once.
function reasons.note(found, code, detail)
	if reasons.TEXT[code] == nil then
		error("unknown reason code " .. tostring(code), 2)
	end
	local details = found[code]
	if details == nil then
		details = {}
		found[code] = details
	end
	if detail == nil then
		return
	end
	for _, d in ipairs(details) do
		if d == detail then
			return
		end
	end
	details[#details + 1] = detail
end

function reasons.has(found, code)
	return found[code] ~= nil
end

-- The explanation followed by as many whole details as fit the byte cap;
-- "med flera" marks details left out (the caseworker sees the application).
function reasons.compose(code, details)
	local t = reasons.TEXT[code]
	if #details == 0 then
		return t.text
	end
	local out = t.text .. " " .. (t.lead or "Det gäller:") .. " "
	local more = " med flera."
	for i, d in ipairs(details) do
		local sep = i == 1 and "" or "; "
		if string.len(out) + string.len(sep) + string.len(d) +
		    string.len(more) > reasons.MAX_TEXT then
			if i == 1 then
				return out .. "med flera."
			end
			return out .. more
		end
		out = out .. sep .. d
	end
	return out .. "."
end

function reasons.build(found)
	local out = {}
	for _, code in ipairs(reasons.ORDER) do
		local details = found[code]
		if details ~= nil then
			out[#out + 1] = {
				code = code,
				text = reasons.compose(code, details),
			}
		end
	end
	return out
end
