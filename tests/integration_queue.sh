#!/bin/bash
# integration_queue.sh: black-box tests of the caseworker API of
# docs/caseworker-api.md against the real daemon: the queue, claims,
# releases, assignments, decisions, follow-up tasks, continuity, claim
# expiry, roles, the queue across a restart, and two requests about one
# item at the same moment. Every XML answer is validated against the
# schema in etc/ that the contract names.
#
# Three daemons: the main one (checks 1-4, 6-9, each on its own
# households, so that continuity and history do not leak between
# checks), one with claim_idle_minutes 1 (5), and one for the races (R),
# whose trail the main daemon's restart check must not depend on.
#
#   BISTAND_BUILD=/abs/build/dir bash tests/integration_queue.sh  (from the top)
#
# Output: one "ok N - ..." or "not ok N - ..." line per check (diagnostics
# as "#" lines), then "P passed, F failed"; the exit status is non-zero
# if any check failed. Every request has a timeout and every wait is
# bounded. BISTAND_KEEP=1 keeps the temporary directory (configurations,
# logs, state directories) for a look; BISTAND_TIMING=1 adds the elapsed
# seconds to each result line.
#
# The claim-expiry check runs a second daemon with claim_idle_minutes 1
# and needs a claim to be idle for a minute: it is set up first and
# finished last, so the minute overlaps the other checks. The run takes
# about 70 s. BISTAND_NO_EXPIRY=1 leaves that check out (a quick run
# while iterating; it then says so and counts as a failure).
#
# Needs bash, curl, openssl, xmllint, coreutils.

if [ -z "${BASH_VERSION:-}" ]; then
	exec bash "$0" "$@"
fi
set -u
export LC_ALL=C

top=$(pwd)
build=${BISTAND_BUILD:?set BISTAND_BUILD to the build directory}
bin=$build/bistandd
ctl=$build/bistandctl
if [ ! -x "$bin" ] || [ ! -f "$top/etc/application.xsd" ] ||
    [ ! -f "$top/etc/examples/family.xml" ]; then
	echo "integration_queue.sh: run from the top of the tree, with $bin built" >&2
	exit 2
fi
for t in curl openssl xmllint; do
	if ! command -v "$t" > /dev/null; then
		echo "integration_queue.sh: needs $t" >&2
		exit 2
	fi
done

t_start=$SECONDS
tmp=$(mktemp -d "${TMPDIR:-/tmp}/bistand-itq.XXXXXX") || exit 2
tls=$tmp/tls
pids=()			# every background process we start
logs=()			# every daemon log, for the sanitizer check
npass=0
nfail=0
nchk=0

cleanup() {
	local p i alive
	for p in "${pids[@]}"; do
		kill "$p" 2>/dev/null
	done
	for i in $(seq 1 50); do
		alive=0
		for p in "${pids[@]}"; do
			kill -0 "$p" 2>/dev/null && alive=1
		done
		[ $alive = 0 ] && break
		sleep 0.1
	done
	for p in "${pids[@]}"; do
		kill -9 "$p" 2>/dev/null
	done
	if [ -n "${BISTAND_KEEP:-}" ]; then
		echo "# kept $tmp" >&2
	else
		rm -rf "$tmp"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- reporting ------------------------------------------------------

tstamp() {
	[ -n "${BISTAND_TIMING:-}" ] && printf ' [%s s]' "$((SECONDS - t_start))"
}

pass() {
	nchk=$((nchk + 1)); npass=$((npass + 1))
	echo "ok $nchk - $1$(tstamp)"
}

# fail DESCRIPTION [DIAGNOSTIC LINE...]
fail() {
	local l
	nchk=$((nchk + 1)); nfail=$((nfail + 1))
	echo "not ok $nchk - $1$(tstamp)"
	shift
	for l in "$@"; do
		[ -n "$l" ] && printf '%s\n' "$l" | sed 's/^/#   /'
	done
}

note() {
	echo "# $*"
}

# Multi-part checks collect what is wrong in $bad: start with begin, add
# with bad "WHAT", end with verdict DESCRIPTION.
begin() {
	bad=()
}
bad() {
	bad+=("$*")
}
verdict() {
	if [ ${#bad[@]} = 0 ]; then
		pass "$1"
	else
		fail "$1" "${bad[@]}"
	fi
}

# --- the daemon -----------------------------------------------------

# write_conf FILE STATE_DIR [EXTRA SETTING LINES...]
write_conf() {
	local f=$1 state=$2 l
	shift 2
	{
		echo "listen 127.0.0.1:0"
		echo "tls_certificate $tls/server.crt"
		echo "tls_key $tls/server.key"
		echo "tls_client_ca $tls/ca.crt"
		echo "state_dir $state"
		echo "schema_dir $top/etc"
		echo "rules_dir $top/rules"
		echo "examples_dir $top/etc/examples"
		echo "shutdown_timeout 5"
		for l in "$@"; do
			echo "$l"
		done
	} > "$f"
}

log_mark() {
	if [ -f "$1" ]; then wc -l < "$1" | tr -d ' '; else echo 0; fi
}

# start_daemon CONF LOG: starts bistandd -d (appending to LOG), sets
# dpid and port.
start_daemon() {
	local i m
	port=
	m=$(log_mark "$2")
	"$bin" -d -f "$1" 2>>"$2" &
	dpid=$!
	pids+=("$dpid")
	for i in $(seq 1 150); do
		port=$(tail -n +"$((m + 1))" "$2" |
		    sed -n 's/.*listening on 127\.0\.0\.1 port \([0-9][0-9]*\) .*/\1/p' |
		    head -n 1)
		[ -n "$port" ] && [ "$port" != 0 ] && return 0
		kill -0 "$dpid" 2>/dev/null || break
		sleep 0.1
	done
	return 1
}

# wait_exit PID SECONDS: 0 when PID is gone in time; status in estatus.
wait_exit() {
	local i n=$(($2 * 10))
	estatus=
	for i in $(seq 1 "$n"); do
		if ! kill -0 "$1" 2>/dev/null; then
			wait "$1" 2>/dev/null
			estatus=$?
			return 0
		fi
		sleep 0.1
	done
	return 1
}

# stop_daemon PID: SIGTERM, 0 when it exited 0 within 10 s.
stop_daemon() {
	kill -TERM "$1" 2>/dev/null
	wait_exit "$1" 10 && [ "$estatus" = 0 ]
}

# --- requests -------------------------------------------------------

# Certificates (files in $tls): caseworker is handlaggare1, caseworker2
# handlaggare2 (made below from the same CA).
H1=caseworker
H2=caseworker2

# req CERT METHOD PATH [CURL ARGS...]: one HTTPS request to the daemon
# on $port. Sets code (000 if none), rc, and $tmp/body, $tmp/hdr.
req() {
	local cert=$1 method=$2 path=$3
	shift 3
	: > "$tmp/body"; : > "$tmp/hdr"
	code=$(curl -sS --max-time 10 --cacert "$tls/ca.crt" \
	    --cert "$tls/$cert.crt" --key "$tls/$cert.key" \
	    -X "$method" -o "$tmp/body" -D "$tmp/hdr" -w '%{http_code}' \
	    "$@" "https://127.0.0.1:$port$path" 2>"$tmp/curlerr")
	rc=$?
}

# post FILE: POST FILE to /v1/applications as the e-service.
post() {
	req eservice POST /v1/applications -H 'Content-Type: application/xml' \
	    --data-binary @"$1"
}

# act CERT ID VERB [BODY-FILE]: POST /v1/cases/ID/VERB, with BODY-FILE
# as application/xml, or with an empty body and no Content-Type.
act() {
	if [ $# -ge 4 ]; then
		req "$1" POST "/v1/cases/$2/$3" \
		    -H 'Content-Type: application/xml' --data-binary @"$4"
	else
		req "$1" POST "/v1/cases/$2/$3" -H 'Content-Type:' \
		    --data-binary ''
	fi
}

# queue CERT [QUERY] [SAVE-AS]: GET /v1/queue[?QUERY]; the answer also
# in $tmp/SAVE-AS (default q).
queue() {
	local qs=${2:-}
	req "$1" GET "/v1/queue${qs:+?$qs}"
	cp "$tmp/body" "$tmp/${3:-q}"
}

body_code() {
	sed -n 's:.*<code>\([^<]*\)</code>.*:\1:p' "$tmp/body" | head -n 1
}

what() {
	echo "HTTP $code, curl exit $rc, code '$(body_code)': $(head -c 300 "$tmp/body" | tr '\n' ' ')"
	head -n 2 "$tmp/curlerr"
}

# --- XML ------------------------------------------------------------

# L NAME: an XPath step matching an element of local name NAME in any
# namespace.
L() {
	printf '*[local-name()="%s"]' "$1"
}

# xp FILE XPATH: the string value of XPATH in FILE.
xp() {
	xmllint --xpath "string($2)" "$1" 2>/dev/null
}

# valid XSD FILE: FILE is valid against etc/XSD; vmsg says why not.
valid() {
	vmsg=
	if [ ! -f "$top/etc/$1" ]; then
		vmsg="etc/$1 does not exist"
		return 1
	fi
	if vmsg=$(xmllint --noout --schema "$top/etc/$1" "$2" 2>&1); then
		return 0
	fi
	vmsg="not valid against etc/$1: $(printf '%s' "$vmsg" | grep -v 'fails to validate' | head -n 3 | tr '\n' ' ')"
	return 1
}

# answer STATUS XSD [ERROR-CODE]: the last answer had STATUS and a body
# valid against etc/XSD (and, for an error document, that code); else
# adds to $bad what is wrong, prefixed with $ctx, and returns 1.
answer() {
	if [ "$code" != "$1" ]; then
		bad "$ctx: want HTTP $1, got $(what)"
		return 1
	fi
	if ! valid "$2" "$tmp/body"; then
		bad "$ctx: HTTP $code, but $vmsg | $(head -c 200 "$tmp/body" | tr '\n' ' ')"
		return 1
	fi
	if [ -n "${3:-}" ] && [ "$(body_code)" != "$3" ]; then
		bad "$ctx: HTTP $code, want code $3, got '$(body_code)'"
		return 1
	fi
	return 0
}

# eq WHAT GOT WANT: adds to $bad unless GOT = WANT.
eq() {
	[ "$2" = "$3" ] || bad "$ctx: $1 is '$2', want '$3'"
}

# The fields of an item in a queue answer (FILE ID FIELD), in a case
# answer (FILE FIELD), of a decision document (FILE ELEMENT). FIELD is
# @attr or an element name.
step() {
	case $1 in
	@*) printf '%s' "$1" ;;
	*) L "$1" ;;
	esac
}
qf() {
	xp "$1" "//$(L item)[@id=\"$2\"]/$(step "$3")"
}
has_item() {
	[ "$(xp "$1" "count(//$(L item)[@id=\"$2\"])")" != 0 ]
}
cf() {
	xp "$1" "/$(L case)/$(L item)/$(step "$2")"
}
df() {
	xp "$1" "/$(L decision)/$(L "$2")"
}

# qrows FILE: one line per item of a queue answer, in order:
# id|kind|priority|state|overdue|received|due|assignee|claimed-at|preferred|reasons
# (one xmllint --format and awk: an XPath per field and item is too slow).
qrows() {
	xmllint --format "$1" 2>/dev/null | awk '
	function attr(s, n) {
		if (match(s, "[ \t]" n "=\"[^\"]*\""))
			return substr(s, RSTART + length(n) + 3, RLENGTH - length(n) - 4)
		return ""
	}
	/^[ \t]*<([A-Za-z0-9_.-]+:)?item[ \t>]/ {
		inn = 1
		id = attr($0, "id"); kind = attr($0, "kind")
		pr = attr($0, "priority"); st = attr($0, "state")
		ov = attr($0, "overdue")
		v["received"] = v["due"] = v["assignee"] = ""
		v["claimed-at"] = v["preferred-caseworker"] = v["reasons"] = ""
		next
	}
	inn && /^[ \t]*<\/([A-Za-z0-9_.-]+:)?item>/ {
		print id "|" kind "|" pr "|" st "|" ov "|" v["received"] "|" \
		    v["due"] "|" v["assignee"] "|" v["claimed-at"] "|" \
		    v["preferred-caseworker"] "|" v["reasons"]
		inn = 0
		next
	}
	inn {
		l = $0
		sub(/^[ \t]*<([A-Za-z0-9_.-]+:)?/, "", l)
		name = l
		sub(/[ \t\/>].*/, "", name)
		if (l ~ /\/>[ \t]*$/) {
			val = ""
		} else {
			val = l
			sub(/^[^>]*>/, "", val)
			sub(/<\/[^>]*>[ \t]*$/, "", val)
		}
		gsub(/[ \t]+/, " ", val)
		sub(/^ /, "", val); sub(/ $/, "", val)
		v[name] = val
	}'
}

# qids FILE: the item ids of a queue answer, in order, one a line.
qids() {
	qrows "$1" | cut -d'|' -f1
}

# reason_codes DECISION-FILE: its reason codes, sorted, space-separated.
reason_codes() {
	grep -o 'reason code="[A-Z_]*"' "$1" | sed 's/.*="\(.*\)"/\1/' |
	    sort | tr '\n' ' ' | sed 's/ $//'
}
# sorted_words "A B C": the words sorted, space-separated.
sorted_words() {
	printf '%s\n' $1 | grep . | sort | tr '\n' ' ' | sed 's/ $//'
}

# epoch RFC3339: seconds since the epoch ("" if it does not parse).
epoch() {
	[ -n "$1" ] && date -u -d "$1" +%s 2>/dev/null
}

# --- the trail ------------------------------------------------------

# audit_get QUERY OUT: GET /v1/audit?QUERY as the auditor into OUT.
audit_get() {
	req auditor GET "/v1/audit?$1&limit=10000"
	cp "$tmp/body" "$2"
}

# rec_count FILE TYPE ACTOR [KEY=VALUE...]: number of TYPE records by
# ACTOR ("" for any) whose payload holds every pair.
rec_count() {
	local f=$1 t=$2 a=$3
	shift 3
	awk -F'\t' -v t="$t" -v a="$a" -v want="$*" '
	BEGIN { nw = split(want, w, " ") }
	$3 == t && (a == "" || $4 == a) {
		n = split($6, p, "&")
		for (k in h) delete h[k]
		for (i = 1; i <= n; i++) h[p[i]] = 1
		for (i = 1; i <= nw; i++) if (!(w[i] in h)) next
		c++
	} END { print c + 0 }' "$f"
}

# rec_value FILE TYPE KEY: KEY's raw value in the last TYPE record.
rec_value() {
	awk -F'\t' -v t="$2" -v k="$3" '$3 == t {
		n = split($6, p, "&")
		for (i = 1; i <= n; i++)
			if (index(p[i], k "=") == 1) v = substr(p[i], length(k) + 2)
	} END { print v }' "$1"
}

# pct_decode VALUE: a payload value decoded.
pct_decode() {
	printf '%b' "${1//%/\\x}"
}

# --- applications ----------------------------------------------------

# luhn 9DIGITS: the check digit of a personnummer (YYMMDDNNN).
luhn() {
	local s=$1 i d sum=0
	for ((i = 0; i < 9; i++)); do
		d=${s:i:1}
		if ((i % 2 == 0)); then
			d=$((d * 2))
			((d > 9)) && d=$((d - 9))
		fi
		sum=$((sum + d))
	done
	echo $(((10 - sum % 10) % 10))
}

# pnr_variant PNR SERIAL: the same birth date, serial SERIAL (3 digits),
# a valid check digit.
pnr_variant() {
	local base=${1:0:8}$2
	echo "$base$(luhn "${base:2:9}")"
}

# role_pnr ROLE FILE: the personnummer of the person with that role.
role_pnr() {
	sed -n "/role=\"$1\"/{n;s:.*<personnummer>\\([0-9]*\\)</personnummer>.*:\\1:p;}" \
	    "$2" | head -n 1
}

# reapp SRC ID OUT APPLICANT PARTNER [SED-EXPR...]: SRC with <id> ID,
# its applicant's personnummer replaced by APPLICANT and its partner's
# (if any) by PARTNER, and the sed expressions applied.
reapp() {
	local src=$1 id=$2 out=$3 na=$4 np=$5 a p x
	shift 5
	local -a e=(-e "0,/<id>/s:<id>[^<]*</id>:<id>$id</id>:")
	a=$(role_pnr applicant "$src")
	p=$(role_pnr partner "$src")
	e+=(-e "s/$a/$na/g")
	[ -n "$p" ] && e+=(-e "s/$p/$np/g")
	for x in "$@"; do
		e+=(-e "$x")
	done
	sed "${e[@]}" "$src" > "$out"
}

# mkapp SRC ID OUT [SED-EXPR...]: like reapp, for a new household (fresh
# personnummer for applicant and partner); sets app_a and app_p to them.
serial=100
mkapp() {
	local src=$1 id=$2 out=$3 a p
	shift 3
	serial=$((serial + 1))
	a=$(role_pnr applicant "$src")
	p=$(role_pnr partner "$src")
	app_a=$(pnr_variant "$a" "$serial")
	app_p=
	[ -n "$p" ] && app_p=$(pnr_variant "$p" "$serial")
	reapp "$src" "$id" "$out" "$app_a" "$app_p" "$@"
}

ex=$top/etc/examples
ACUTE='s:<acute-need>false</acute-need>:<acute-need>true</acute-need>:'
# Aid in all 12 months before 2023-03 (reapplication.xml has 2022-09 to
# 2023-02): LONG_TERM.
LONGTERM='s:<month>2022-09</month>:<month>2022-09</month><month>2022-08</month><month>2022-07</month><month>2022-06</month><month>2022-05</month><month>2022-04</month><month>2022-03</month>:'
NEXTMONTH='s:<period>2023-03</period>:<period>2023-04</period>:'

# submit FILE: POST it, keep the answer as $tmp/dec.ID; 0 when 201.
submit() {
	local id
	id=$(sed -n 's:.*<id>\([^<]*\)</id>.*:\1:p' "$1" | head -n 1)
	post "$1"
	cp "$tmp/body" "$tmp/dec.$id"
	[ "$code" = 201 ]
}

# Request bodies.
# decision_body FILE OUTCOME AMOUNT|- MOTIVATION|-: a decision-request
# (no amount element for "-", no motivation element for "-").
decision_body() {
	{
		echo '<?xml version="1.0" encoding="UTF-8"?>'
		echo '<decision-request xmlns="urn:bistand:decision:1">'
		echo "  <outcome>$2</outcome>"
		[ "$3" != - ] && echo "  <amount>$3</amount>"
		[ "$4" != - ] && echo "  <motivation>$4</motivation>"
		echo '</decision-request>'
	} > "$1"
}
assign_body() {
	printf '<?xml version="1.0" encoding="UTF-8"?>\n<assign-request xmlns="urn:bistand:caseworker:1"><to>%s</to></assign-request>\n' \
	    "$2" > "$1"
}
completion_body() {
	printf '<?xml version="1.0" encoding="UTF-8"?>\n<completion-request xmlns="urn:bistand:caseworker:1"><note>%s</note></completion-request>\n' \
	    "$2" > "$1"
}

# A motivation with non-ASCII letters and an escaped ampersand.
MOTIV_XML='Skälen för beslutet: glasögonen &amp; tandvården beviljas delvis, 4 200 kr för mars.'
MOTIV_TXT='Skälen för beslutet: glasögonen & tandvården beviljas delvis, 4 200 kr för mars.'
NOTE_TXT='Möte hållet den 3 april; planering upprättad tillsammans med Arbetsförmedlingen.'

# ====================================================================
# Set-up
# ====================================================================

if ! sh tests/mkcerts.sh "$tls" extra > "$tmp/mkcerts.log" 2>&1; then
	cat "$tmp/mkcerts.log"
	echo "integration_queue.sh: mkcerts.sh failed" >&2
	exit 2
fi
# The second caseworker, like mkcerts.sh's leaf().
(
	cd "$tls" &&
	openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 \
	    -out "$H2.key" 2>/dev/null &&
	openssl req -new -key "$H2.key" -out "$H2.csr" \
	    -subj "/O=bistandd development/OU=caseworker/CN=handlaggare2" &&
	printf '%s\n' 'basicConstraints=CA:FALSE' \
	    'keyUsage=critical,digitalSignature' \
	    'extendedKeyUsage=clientAuth' > "$H2.ext" &&
	openssl x509 -req -in "$H2.csr" -CA ca.crt -CAkey ca.key \
	    -CAcreateserial -days 825 -sha256 -extfile "$H2.ext" \
	    -out "$H2.crt" 2>/dev/null &&
	rm -f "$H2.csr" "$H2.ext" ./*.srl
) > "$tmp/cert2.log" 2>&1 || {
	cat "$tmp/cert2.log"
	echo "integration_queue.sh: cannot make the handlaggare2 certificate" >&2
	exit 2
}

# The request bodies this script sends are what the contract says.
rb=$tmp/rb
mkdir -p "$rb"
decision_body "$rb/d.xml" partly-granted 4200 "$MOTIV_XML"
decision_body "$rb/denied.xml" denied - 'Inkomsterna räcker till normen.'
assign_body "$rb/a.xml" handlaggare2
completion_body "$rb/c.xml" "$NOTE_TXT"
begin
ctx="decision-request"; valid decision.xsd "$rb/d.xml" || bad "$ctx: $vmsg"
ctx="decision-request (denied)"; valid decision.xsd "$rb/denied.xml" || bad "$ctx: $vmsg"
ctx="assign-request"; valid caseworker-request.xsd "$rb/a.xml" || bad "$ctx: $vmsg"
ctx="completion-request"; valid caseworker-request.xsd "$rb/c.xml" || bad "$ctx: $vmsg"
verdict "the request bodies of docs/caseworker-api.md validate against etc/decision.xsd and etc/caseworker-request.xsd"

# claim_idle_minutes is a documented configuration key.
d="etc/bistandd.conf documents claim_idle_minutes (default 120)"
if grep -Eq '^#?[[:space:]]*claim_idle_minutes[[:space:]]+120' "$top/etc/bistandd.conf"
then
	pass "$d"
else
	fail "$d" "no 'claim_idle_minutes 120' line in etc/bistandd.conf:" \
	    "$(grep -n 'claim_idle\|due_hours\|follow_up_days' "$top/etc/bistandd.conf")"
fi

# The main daemon.
mkdir -p "$tmp/main"
conf=$tmp/main.conf
log=$tmp/main.log
logs+=("$log")
write_conf "$conf" "$tmp/main"
if ! start_daemon "$conf" "$log"; then
	fail "daemon starts on a fresh state directory" "$(tail -n 20 "$log")"
	echo "$npass passed, $nfail failed"
	exit 1
fi
mpid=$dpid
mport=$port

# The queue route is there at all (the rest makes no sense otherwise).
req "$H1" GET /v1/queue
if [ "$code" != 200 ]; then
	note "GET /v1/queue as handlaggare1: $(what)"
fi

# ====================================================================
# 5 (set-up). Claim expiry: a second daemon with claim_idle_minutes 1.
# Two cases, both claimed by handlaggare1 now; one is claimed again
# (renewed) about 20 s later; after 65 s the first is open again, the
# renewed one is still held.
# ====================================================================

xconf=$tmp/expiry.conf
xlog=$tmp/expiry.log
logs+=("$xlog")
mkdir -p "$tmp/expiry"
write_conf "$xconf" "$tmp/expiry" "claim_idle_minutes 1"
xok=
if [ -n "${BISTAND_NO_EXPIRY:-}" ]; then
	note "BISTAND_NO_EXPIRY set: the claim-expiry check is left out"
else
	out=$("$bin" -t -f "$xconf" 2>&1); st=$?
	d="bistandd -t accepts 'claim_idle_minutes 1'"
	if [ $st = 0 ]; then
		pass "$d"
	else
		fail "$d" "exit $st: $out"
	fi
	if start_daemon "$xconf" "$xlog"; then
		xpid=$dpid
		xport=$port
		begin
		mkapp "$ex/first-application.xml" EXP-1 "$tmp/exp1.xml"
		mkapp "$ex/first-application.xml" EXP-2 "$tmp/exp2.xml"
		ctx="POST EXP-1"; submit "$tmp/exp1.xml" || bad "$ctx: $(what)"
		ctx="POST EXP-2"; submit "$tmp/exp2.xml" || bad "$ctx: $(what)"
		ctx="handlaggare1 claims EXP-1"
		act "$H1" EXP-1 claim
		answer 200 case.xsd && eq assignee "$(cf "$tmp/body" assignee)" handlaggare1
		x1_at=$(cf "$tmp/body" claimed-at)
		ctx="handlaggare1 claims EXP-2"
		act "$H1" EXP-2 claim
		answer 200 case.xsd && eq assignee "$(cf "$tmp/body" assignee)" handlaggare1
		x2_at=$(cf "$tmp/body" claimed-at)
		x_t0=$EPOCHSECONDS
		ctx="handlaggare2 claims EXP-1 at once"
		act "$H2" EXP-1 claim
		answer 409 error.xsd
		verdict "claim_idle_minutes 1: handlaggare1 claims two cases; handlaggare2 gets 409 at once"
		[ ${#bad[@]} = 0 ] && xok=1
	else
		fail "daemon with claim_idle_minutes 1 starts" "$(tail -n 10 "$xlog")"
	fi
	port=$mport
fi
x_renewed=
x_renew_bad=()
# tick: renews handlaggare1's claim of EXP-2 once 15 s have passed (and
# before the first claim's minute is up). Called between sections.
tick() {
	local save=$port
	[ -n "$xok" ] && [ -z "$x_renewed" ] || return 0
	[ $((EPOCHSECONDS - x_t0)) -ge 15 ] || return 0
	port=$xport
	act "$H1" EXP-2 claim
	x_renewed=$EPOCHSECONDS
	cp "$tmp/body" "$tmp/exp2.renew"
	x_renew_code=$code
	port=$save
	[ $((x_renewed - x_t0)) -lt 50 ] ||
	    x_renew_bad+=("the renewal came late: $((x_renewed - x_t0)) s after the claims")
}

# ====================================================================
# 1. A routed case: queue → claim → decide; the e-service sees it.
# ====================================================================

C1=Q1-FAMILY-1
mkapp "$ex/family.xml" "$C1" "$tmp/c1.xml"
c1_a=$app_a
c1_p=$app_p
begin
ctx="POST $C1"
submit "$tmp/c1.xml"
answer 201 decision.xsd && eq outcome "$(df "$tmp/dec.$C1" outcome)" routed
verdict "1: a routed family application: 201, outcome routed (decision.xsd)"
c1_recv=$(df "$tmp/dec.$C1" decided-at)
c1_due=$(df "$tmp/dec.$C1" due)

begin
ctx="GET /v1/queue as handlaggare1"
queue "$H1"
if answer 200 queue.xsd; then
	if has_item "$tmp/q" "$C1"; then
		eq kind "$(qf "$tmp/q" "$C1" @kind)" case
		eq priority "$(qf "$tmp/q" "$C1" @priority)" normal
		eq state "$(qf "$tmp/q" "$C1" @state)" open
		eq overdue "$(qf "$tmp/q" "$C1" @overdue)" false
		r=$(qf "$tmp/q" "$C1" received)
		du=$(qf "$tmp/q" "$C1" due)
		eq "received (the automated decided-at)" "$r" "$c1_recv"
		eq "due (the decision's <due>)" "$du" "$c1_due"
		re=$(epoch "$r"); de=$(epoch "$du")
		eq "due - received (s)" "$(( ${de:-0} - ${re:-0} ))" $((48 * 3600))
		eq reasons "$(sorted_words "$(qf "$tmp/q" "$C1" reasons)")" \
		    "$(reason_codes "$tmp/dec.$C1")"
		eq assignee "$(qf "$tmp/q" "$C1" assignee)" ""
		eq "count attribute" "$(xp "$tmp/q" "/$(L queue)/@count")" \
		    "$(xp "$tmp/q" "count(//$(L item))")"
	else
		bad "$ctx: no item $C1: $(head -c 300 "$tmp/q")"
	fi
fi
verdict "1: GET /v1/queue lists it: kind=case, priority=normal, state=open, received = decided-at, due = received + 48 h, the decision's reasons"

begin
ctx="GET /v1/cases/$C1"
req "$H1" GET "/v1/cases/$C1"
if answer 200 case.xsd; then
	eq "item state" "$(cf "$tmp/body" @state)" open
	eq "application id" "$(xp "$tmp/body" "/$(L case)/$(L application)/$(L application)/$(L id)")" "$C1"
	eq "decision outcome" "$(xp "$tmp/body" "/$(L case)/$(L decision)/$(L decision)/$(L outcome)")" routed
	eq "history types" "$(xp "$tmp/body" "concat((//$(L event))[1]/@type,' ',(//$(L event))[2]/@type)")" \
	    "received evaluated"
fi
verdict "1: GET /v1/cases/$C1: item open, the application, decision routed, history received+evaluated"

begin
ctx="POST /v1/cases/$C1/claim (handlaggare1)"
t0=$EPOCHSECONDS
act "$H1" "$C1" claim
t1=$EPOCHSECONDS
if answer 200 case.xsd; then
	eq state "$(cf "$tmp/body" @state)" claimed
	eq assignee "$(cf "$tmp/body" assignee)" handlaggare1
	ce=$(epoch "$(cf "$tmp/body" claimed-at)")
	if [ -z "$ce" ] || [ "$ce" -lt $((t0 - 1)) ] || [ "$ce" -gt $((t1 + 1)) ]; then
		bad "$ctx: claimed-at '$(cf "$tmp/body" claimed-at)' is not the time of the claim"
	fi
fi
ctx="GET /v1/queue after the claim"
queue "$H1"
if answer 200 queue.xsd; then
	eq "queue state" "$(qf "$tmp/q" "$C1" @state)" claimed
	eq "queue assignee" "$(qf "$tmp/q" "$C1" assignee)" handlaggare1
fi
ctx="handlaggare1 claims again (renews)"
act "$H1" "$C1" claim
answer 200 case.xsd && eq assignee "$(cf "$tmp/body" assignee)" handlaggare1
verdict "1: claim by handlaggare1: 200 case, state claimed, assignee handlaggare1, claimed-at now; the queue shows it; claiming again: 200"

begin
ctx="POST /v1/cases/$C1/decision"
act "$H1" "$C1" decision "$rb/d.xml"
cp "$tmp/body" "$tmp/c1.decided"
if answer 200 decision.xsd; then
	f=$tmp/c1.decided
	eq application-id "$(df "$f" application-id)" "$C1"
	eq outcome "$(df "$f" outcome)" partly-granted
	eq decided-by "$(df "$f" decided-by)" handlaggare1
	eq amount "$(df "$f" amount)" 4200
	eq motivation "$(df "$f" motivation)" "$MOTIV_TXT"
	de=$(epoch "$(df "$f" decided-at)")
	[ -n "$de" ] && [ $((EPOCHSECONDS - de)) -le 5 ] ||
	    bad "$ctx: decided-at '$(df "$f" decided-at)' is not now"
	for e in rule-set norm-year; do
		eq "$e (as in the automated decision)" "$(df "$f" "$e")" \
		    "$(df "$tmp/dec.$C1" "$e")"
	done
	eq "reason codes (as in the automated decision)" "$(reason_codes "$f")" \
	    "$(reason_codes "$tmp/dec.$C1")"
	eq "calculation (as in the automated decision)" \
	    "$(sed -n '/<calculation>/,/<\/calculation>/p' "$f" | sha256sum)" \
	    "$(sed -n '/<calculation>/,/<\/calculation>/p' "$tmp/dec.$C1" | sha256sum)"
	eq "priority (only when routed)" "$(df "$f" priority)" ""
	eq "due (only when routed)" "$(df "$f" due)" ""
fi
verdict "1: decision partly-granted 4200 with a motivation: 200 decision, decided-by handlaggare1, the motivation, the amount, the automated calculation/reasons/rule-set/norm-year, no priority/due"

begin
ctx="e-service GET /v1/applications/$C1"
req eservice GET "/v1/applications/$C1"
if answer 200 decision.xsd; then
	cmp -s "$tmp/body" "$tmp/c1.decided" ||
	    bad "$ctx: not the decision document the caseworker got: $(diff "$tmp/c1.decided" "$tmp/body" | head -n 6 | tr '\n' ' ')"
fi
verdict "1: the e-service's GET /v1/applications/$C1 returns exactly that decision document"

begin
ctx="GET /v1/queue after the decision"
queue "$H1"
answer 200 queue.xsd && has_item "$tmp/q" "$C1" && bad "$ctx: $C1 is still listed"
queue "$H1" state=open
answer 200 queue.xsd && has_item "$tmp/q" "$C1" && bad "$ctx (state=open): $C1 is still listed"
ctx="GET /v1/cases/$C1 after the decision"
req "$H1" GET "/v1/cases/$C1"
cp "$tmp/body" "$tmp/c1.case"
if answer 200 case.xsd; then
	s=$(cf "$tmp/body" @state)
	[ -z "$s" ] || [ "$s" = decided ] || bad "$ctx: item state '$s', want decided (or no item)"
	eq "decision outcome" "$(xp "$tmp/body" "/$(L case)/$(L decision)/$(L decision)/$(L outcome)")" partly-granted
fi
verdict "1: after the decision the item is gone from the queue; GET /v1/cases shows it decided (partly-granted)"

begin
ctx="GET /v1/audit?case=$C1"
audit_get "case=$C1" "$tmp/c1.trail"
if [ "$code" = 200 ]; then
	eq "record types" "$(cut -f3 "$tmp/c1.trail" | tr '\n' ' ')" \
	    "received evaluated claimed claimed decided "
	eq "claimed by caseworker:handlaggare1" \
	    "$(rec_count "$tmp/c1.trail" claimed caseworker:handlaggare1 "id=$C1")" 2
	eq "decided by caseworker:handlaggare1 (outcome, amount)" \
	    "$(rec_count "$tmp/c1.trail" decided caseworker:handlaggare1 "id=$C1" outcome=partly-granted amount=4200)" 1
	eq "decided: motivation" \
	    "$(pct_decode "$(rec_value "$tmp/c1.trail" decided motivation)")" "$MOTIV_TXT"
	pct_decode "$(rec_value "$tmp/c1.trail" decided decision)" |
	    base64 -d > "$tmp/c1.recdoc" 2>/dev/null
	cmp -s "$tmp/c1.recdoc" "$tmp/c1.decided" ||
	    bad "$ctx: the decided record's decision (base64) is not the document answered: $(diff "$tmp/c1.decided" "$tmp/c1.recdoc" | head -n 4 | tr '\n' ' ')"
else
	bad "$ctx: $(what)"
fi
# The case history is the trail.
xp_events() {
	local f=$1 i ne
	ne=$(xp "$f" "count(//$(L history)/$(L event))")
	for ((i = 1; i <= ${ne:-0}; i++)); do
		printf '%s\n' "$(xp "$f" "concat((//$(L history)/$(L event))[$i]/@seq,' ',(//$(L history)/$(L event))[$i]/@type,' ',(//$(L history)/$(L event))[$i]/@actor)")"
	done
}
eq "case history (seq type actor)" "$(xp_events "$tmp/c1.case" | tr '\n' ';')" \
    "$(awk -F'\t' '{ print $1, $3, $4 }' "$tmp/c1.trail" | tr '\n' ';')"
verdict "1: the trail (GET /v1/audit?case=, auditor) has claimed and decided records (outcome, amount, motivation, the document); the case history lists exactly these records"

begin
ctx="claim the decided $C1"
act "$H1" "$C1" claim
case $code in 404|409) answer "$code" error.xsd ;; *) bad "$ctx: want 404 or 409, got $(what)" ;; esac
ctx="decide the decided $C1 again"
decision_body "$rb/d2.xml" granted 9999 'Ändrat beslut.'
act "$H1" "$C1" decision "$rb/d2.xml"
case $code in 404|409) answer "$code" error.xsd ;; *) bad "$ctx: want 404 or 409, got $(what)" ;; esac
req eservice GET "/v1/applications/$C1"
cmp -s "$tmp/body" "$tmp/c1.decided" || bad "the decision changed: $(df "$tmp/body" outcome) $(df "$tmp/body" amount)"
verdict "1: a decided case can be neither claimed nor decided again (404 or 409 with an error document; the decision stays)"
tick

# ====================================================================
# 2. Two caseworkers.
# ====================================================================

C2A=Q2-FIRST-A
C2B=Q2-FIRST-B
mkapp "$ex/first-application.xml" "$C2A" "$tmp/c2a.xml"
mkapp "$ex/first-application.xml" "$C2B" "$tmp/c2b.xml"
c2b_a=$app_a
c2b_p=$app_p
begin
ctx="POST $C2A"; submit "$tmp/c2a.xml" || bad "$ctx: $(what)"
ctx="POST $C2B"; submit "$tmp/c2b.xml" || bad "$ctx: $(what)"
ctx="handlaggare1 claims $C2A"
act "$H1" "$C2A" claim
answer 200 case.xsd
verdict "2: two routed cases; handlaggare1 claims $C2A"

decision_body "$rb/g.xml" granted 5100 'Behovet är styrkt; beviljas enligt beräkningen.'
begin
ctx="handlaggare2 claims"; act "$H2" "$C2A" claim; answer 409 error.xsd
ctx="handlaggare2 decides"; act "$H2" "$C2A" decision "$rb/g.xml"; answer 409 error.xsd
ctx="handlaggare2 releases"; act "$H2" "$C2A" release; answer 409 error.xsd
ctx="handlaggare2 assigns to itself"; act "$H2" "$C2A" assign "$rb/a.xml"; answer 409 error.xsd
ctx="GET /v1/cases/$C2A"
req "$H2" GET "/v1/cases/$C2A"
if answer 200 case.xsd; then
	eq state "$(cf "$tmp/body" @state)" claimed
	eq assignee "$(cf "$tmp/body" assignee)" handlaggare1
fi
req eservice GET "/v1/applications/$C2A"
cmp -s "$tmp/body" "$tmp/dec.$C2A" || bad "the e-service's decision changed"
audit_get "case=$C2A" "$tmp/c2a.trail"
eq "records by handlaggare2 other than refused" "$(awk -F'\t' '$4 == "caseworker:handlaggare2"' "$tmp/c2a.trail" | cut -f3 | grep -cv '^refused$')" 0
eq "refused records (caseworker:handlaggare2, status=409)" \
    "$(rec_count "$tmp/c2a.trail" refused caseworker:handlaggare2 "id=$C2A" status=409)" 4
verdict "2: handlaggare2 on handlaggare1's case: claim, decision, release, assign each 409 (error.xsd) and a refused record; still handlaggare1's, decision unchanged"

begin
ctx="handlaggare1 releases $C2A"
act "$H1" "$C2A" release
if answer 200 case.xsd; then
	eq state "$(cf "$tmp/body" @state)" open
	eq assignee "$(cf "$tmp/body" assignee)" ""
fi
audit_get "case=$C2A" "$tmp/c2a.trail"
eq "released records by caseworker:handlaggare1" \
    "$(rec_count "$tmp/c2a.trail" released caseworker:handlaggare1 "id=$C2A")" 1
ctx="handlaggare2 claims $C2A"
act "$H2" "$C2A" claim
if answer 200 case.xsd; then
	eq state "$(cf "$tmp/body" @state)" claimed
	eq assignee "$(cf "$tmp/body" assignee)" handlaggare2
fi
verdict "2: handlaggare1 releases (200, state open, released record); then handlaggare2 can claim (200, assignee handlaggare2)"

begin
ctx="handlaggare1 claims $C2B"
act "$H1" "$C2B" claim
answer 200 case.xsd
ctx="handlaggare1 assigns $C2B to handlaggare2"
act "$H1" "$C2B" assign "$rb/a.xml"
if answer 200 case.xsd; then
	eq state "$(cf "$tmp/body" @state)" claimed
	eq assignee "$(cf "$tmp/body" assignee)" handlaggare2
fi
queue "$H2" assignee=me
has_item "$tmp/q" "$C2B" || bad "handlaggare2's assignee=me queue does not list $C2B"
audit_get "case=$C2B" "$tmp/c2b.trail"
eq "assigned record (caseworker:handlaggare1, to=handlaggare2)" \
    "$(rec_count "$tmp/c2b.trail" assigned caseworker:handlaggare1 "id=$C2B" to=handlaggare2)" 1
verdict "2: assign by the holder to handlaggare2: 200 case, claimed by handlaggare2; assigned record with to=handlaggare2"

begin
ctx="handlaggare1 (no longer holder) decides"; act "$H1" "$C2B" decision "$rb/g.xml"; answer 409 error.xsd
ctx="handlaggare1 releases"; act "$H1" "$C2B" release; answer 409 error.xsd
ctx="handlaggare1 assigns"; act "$H1" "$C2B" assign "$rb/a.xml"; answer 409 error.xsd
ctx="handlaggare2 decides granted 5100"
act "$H2" "$C2B" decision "$rb/g.xml"
if answer 200 decision.xsd; then
	eq outcome "$(df "$tmp/body" outcome)" granted
	eq amount "$(df "$tmp/body" amount)" 5100
	eq decided-by "$(df "$tmp/body" decided-by)" handlaggare2
fi
verdict "2: after the assignment handlaggare1 gets 409 (decide, release, assign); handlaggare2 decides granted 5100: 200, decided-by handlaggare2"

tick

# ====================================================================
# 3. Invalid decisions.
# ====================================================================

C3=Q3-FIRST
mkapp "$ex/first-application.xml" "$C3" "$tmp/c3.xml"
c3_a=$app_a
c3_p=$app_p
begin
ctx="POST $C3"; submit "$tmp/c3.xml" || bad "$ctx: $(what)"
ctx="handlaggare1 decides without a claim"
act "$H1" "$C3" decision "$rb/d.xml"
answer 409 error.xsd
ctx="GET /v1/cases/$C3"
req "$H1" GET "/v1/cases/$C3"
answer 200 case.xsd && eq state "$(cf "$tmp/body" @state)" open
verdict "3: a decision by a caseworker without a claim (the case is open): 409; the case stays open"

ctx="handlaggare1 claims $C3"
act "$H1" "$C3" claim
[ "$code" = 200 ] || note "claim $C3: $(what)"
long=$(head -c 10001 /dev/zero | tr '\0' a)
decision_body "$rb/nomotiv.xml" partly-granted 4200 -
decision_body "$rb/blank.xml" partly-granted 4200 '   '
decision_body "$rb/empty.xml" partly-granted 4200 ''
decision_body "$rb/noamount.xml" granted - 'Beviljas.'
decision_body "$rb/partnoamount.xml" partly-granted - 'Beviljas delvis.'
decision_body "$rb/zero.xml" granted 0 'Beviljas.'
decision_body "$rb/deniedamount.xml" denied 4200 'Avslås.'
decision_body "$rb/routed.xml" routed - 'Skickas vidare.'
decision_body "$rb/nbsp.xml" denied - "$(printf '\xc2\xa0\xe2\x80\x83\xc2\xa0')"
decision_body "$rb/long.xml" denied - "$long"
printf '<?xml version="1.0"?>\n<decision-request xmlns="urn:bistand:decision:1">\n  <outcome>denied</outcome>\n  <motivation>Avslås.</motivatio>\n</decision-request>\n' \
    > "$rb/malformed.xml"
printf '<decision-request xmlns="urn:bistand:caseworker:1"><outcome>denied</outcome><motivation>Avslås.</motivation></decision-request>\n' \
    > "$rb/wrongns.xml"
for t in nomotiv:"no motivation" blank:"a blank motivation" \
    empty:"an empty motivation" noamount:"granted without amount" \
    partnoamount:"partly-granted without amount" zero:"granted with amount 0" \
    deniedamount:"denied with an amount" routed:"outcome routed" \
    nbsp:"a motivation of no-break and em spaces only" \
    long:"a motivation of 10 001 characters" \
    wrongns:"the caseworker namespace"; do
	f=${t%%:*}
	begin
	ctx="decision with $f"
	act "$H1" "$C3" decision "$rb/$f.xml"
	answer 400 error.xsd
	verdict "3: a decision with ${t#*:}: 400 (error.xsd)"
done
begin
ctx="malformed decision"
act "$H1" "$C3" decision "$rb/malformed.xml"
answer 400 error.xsd MALFORMED_XML
verdict "3: a malformed XML decision body: 400 MALFORMED_XML"
begin
ctx="decision as text/plain"
req "$H1" POST "/v1/cases/$C3/decision" -H 'Content-Type: text/plain' \
    --data-binary @"$rb/d.xml"
answer 415 error.xsd UNSUPPORTED_MEDIA_TYPE
verdict "3: a decision body as text/plain: 415 UNSUPPORTED_MEDIA_TYPE"

begin
ctx="after the refusals"
req "$H1" GET "/v1/cases/$C3"
if answer 200 case.xsd; then
	eq state "$(cf "$tmp/body" @state)" claimed
	eq assignee "$(cf "$tmp/body" assignee)" handlaggare1
fi
req eservice GET "/v1/applications/$C3"
cmp -s "$tmp/body" "$tmp/dec.$C3" || bad "the e-service's decision changed: $(df "$tmp/body" outcome)"
audit_get "case=$C3" "$tmp/c3.trail"
eq "decided records" "$(rec_count "$tmp/c3.trail" decided "" "id=$C3")" 0
eq "refused records (caseworker:handlaggare1, status=400)" \
    "$(rec_count "$tmp/c3.trail" refused caseworker:handlaggare1 "id=$C3" status=400)" 12
verdict "3: the refused decisions changed nothing but a refused record each: still claimed by handlaggare1, still routed, no decided record"

begin
ctx="handlaggare1 decides denied without amount"
act "$H1" "$C3" decision "$rb/denied.xml"
if answer 200 decision.xsd; then
	eq outcome "$(df "$tmp/body" outcome)" denied
	eq amount "$(df "$tmp/body" amount)" ""
	eq motivation "$(df "$tmp/body" motivation)" 'Inkomsterna räcker till normen.'
fi
verdict "3: then a valid denial (no amount): 200 decision, outcome denied, no amount"

# An amount the schema allows (xs:nonNegativeInteger) but no 64-bit
# integer holds: refused, or kept exactly; never another number.
C3B=Q3-FIRST-BIG
mkapp "$ex/first-application.xml" "$C3B" "$tmp/c3b.xml"
begin
ctx="POST $C3B"; submit "$tmp/c3b.xml" || bad "$ctx: $(what)"
act "$H1" "$C3B" claim
big=99999999999999999999
decision_body "$rb/big.xml" granted "$big" 'Beviljas.'
ctx="decision granted $big"
act "$H1" "$C3B" decision "$rb/big.xml"
if [ "$code" = 400 ]; then
	answer 400 error.xsd
elif answer 200 decision.xsd; then
	eq "amount in the decision" "$(df "$tmp/body" amount)" "$big"
	audit_get "case=$C3B" "$tmp/c3b.trail"
	eq "amount in the decided record" "$(rec_value "$tmp/c3b.trail" decided amount)" "$big"
fi
verdict "3: a grant of $big kr (valid for the schema, beyond 64 bits): 400, or exactly that amount; never another"
tick

# ====================================================================
# 4. Roles.
# ====================================================================

C4=Q4-FIRST
mkapp "$ex/first-application.xml" "$C4" "$tmp/c4.xml"
submit "$tmp/c4.xml" || note "POST $C4: $(what)"
# The SEQ of C4's last record: the 403s' records come after it.
audit_get "case=$C4" "$tmp/c4.trail0"
after=$(tail -n 1 "$tmp/c4.trail0" | cut -f1)
# cert method path [body]
forb=(
	"eservice GET /v1/queue"
	"eservice GET /v1/cases/$C4"
	"eservice GET /v1/audit"
	"eservice POST /v1/cases/$C4/claim"
	"auditor POST /v1/cases/$C4/claim"
	"auditor POST /v1/cases/$C4/decision d"
	"auditor GET /v1/queue"
	"$H1 GET /v1/audit"
	"other GET /v1/queue"
)
declare -A actor=([eservice]=eservice:e-tjanst [auditor]=auditor:revisor1
    [$H1]=caseworker:handlaggare1 [other]=other:someone)
begin
for f in "${forb[@]}"; do
	set -- $f
	ctx="$1 $2 $3"
	if [ $# -ge 4 ]; then
		req "$1" "$2" "$3" -H 'Content-Type: application/xml' \
		    --data-binary @"$rb/d.xml"
	elif [ "$2" = POST ]; then
		req "$1" "$2" "$3" -H 'Content-Type:' --data-binary ''
	else
		req "$1" "$2" "$3"
	fi
	answer 403 error.xsd FORBIDDEN
done
set --
verdict "4: e-service on the queue, a case, the audit trail, a claim; auditor claiming, deciding, reading the queue; caseworker on the audit trail; no role: 403 FORBIDDEN each"

begin
ctx="after the 403s"
req "$H1" GET "/v1/cases/$C4"
if answer 200 case.xsd; then
	eq state "$(cf "$tmp/body" @state)" open
	eq assignee "$(cf "$tmp/body" assignee)" ""
fi
audit_get "case=$C4" "$tmp/c4.trail"
eq "record types of $C4" "$(cut -f3 "$tmp/c4.trail" | tr '\n' ' ')" "received evaluated "
verdict "4: the auditor's claim and decision changed nothing: $C4 still open, no claimed or decided record"

begin
ctx="GET /v1/audit?after=$after"
audit_get "after=${after:-0}" "$tmp/forb.trail"
if [ "$code" = 200 ]; then
	eq "forbidden records since the first 403" \
	    "$(rec_count "$tmp/forb.trail" forbidden "")" "${#forb[@]}"
	for f in "${forb[@]}"; do
		set -- $f
		[ "$(rec_count "$tmp/forb.trail" forbidden "${actor[$1]}" \
		    "method=$2" "path=$3" status=403)" = 1 ] ||
		    bad "no forbidden record ${actor[$1]} method=$2 path=$3 status=403"
	done
	set --
else
	bad "$ctx: $(what)"
fi
verdict "4: every 403 left exactly one forbidden record (ROLE:CN, method, path, status=403)"
tick

# ====================================================================
# 7. Follow-up tasks.
# ====================================================================

FU1=Q7-LONGTERM-1
FU2=Q7-LONGTERM-2
G1=Q7-GRANTED
mkapp "$ex/reapplication.xml" "$FU1" "$tmp/fu1.xml" "$LONGTERM"
mkapp "$ex/reapplication.xml" "$FU2" "$tmp/fu2.xml" "$LONGTERM"
mkapp "$ex/shared-dwelling.xml" "$G1" "$tmp/g1.xml"
begin
ctx="POST $FU1"
submit "$tmp/fu1.xml"
if answer 201 decision.xsd; then
	eq outcome "$(df "$tmp/dec.$FU1" outcome)" granted
	eq "follow-up code" "$(xp "$tmp/dec.$FU1" "/$(L decision)/$(L follow-up)/@code")" LONG_TERM
fi
ctx="POST $FU2"; submit "$tmp/fu2.xml" || bad "$ctx: $(what)"
ctx="POST $G1"
submit "$tmp/g1.xml"
answer 201 decision.xsd && eq outcome "$(df "$tmp/dec.$G1" outcome)" granted
verdict "7: two LONG_TERM applications (12 months of aid): 201 granted with a LONG_TERM follow-up; a plain grant: 201 granted"

fu1_grant=$(df "$tmp/dec.$FU1" decided-at)
fu1_due=$(xp "$tmp/dec.$FU1" "/$(L decision)/$(L follow-up)/$(L due)")
begin
ctx="GET /v1/queue"
queue "$H1"
if answer 200 queue.xsd; then
	if has_item "$tmp/q" "$FU1"; then
		eq kind "$(qf "$tmp/q" "$FU1" @kind)" follow-up
		eq state "$(qf "$tmp/q" "$FU1" @state)" open
		eq "due (the decision's follow-up due)" "$(qf "$tmp/q" "$FU1" due)" "$fu1_due"
		ge=$(epoch "$fu1_grant"); de=$(epoch "$(qf "$tmp/q" "$FU1" due)")
		eq "due - grant (s)" "$(( ${de:-0} - ${ge:-0} ))" $((14 * 86400))
	else
		bad "$ctx: no item $FU1"
	fi
	has_item "$tmp/q" "$G1" && bad "$ctx: the plain grant $G1 is listed"
fi
ctx="GET /v1/queue?kind=follow-up"
queue "$H1" kind=follow-up
if answer 200 queue.xsd; then
	has_item "$tmp/q" "$FU1" || bad "$ctx: no $FU1"
	has_item "$tmp/q" "$FU2" || bad "$ctx: no $FU2"
	k=$(qrows "$tmp/q" | cut -d'|' -f2 | sort -u | tr '\n' ' ')
	eq kinds "$k" "follow-up "
fi
ctx="GET /v1/queue?kind=case"
queue "$H1" kind=case
if answer 200 queue.xsd; then
	has_item "$tmp/q" "$FU1" && bad "$ctx: lists $FU1"
	k=$(qrows "$tmp/q" | cut -d'|' -f2 | sort -u | tr '\n' ' ')
	eq kinds "$k" "case "
fi
verdict "7: the queue has a kind=follow-up item due 14 days after the grant (= the decision's follow-up due), none for the plain grant; kind= filters"

begin
ctx="claim the plain grant $G1"
act "$H1" "$G1" claim
answer 404 error.xsd NOT_FOUND
ctx="claim an unknown id"
act "$H1" Q-NO-SUCH-ID claim
answer 404 error.xsd NOT_FOUND
ctx="GET /v1/cases of an unknown id"
req "$H1" GET /v1/cases/Q-NO-SUCH-ID
answer 404 error.xsd NOT_FOUND
verdict "7: claiming an application without an item (a plain grant), or an unknown id: 404 NOT_FOUND"

begin
ctx="handlaggare1 claims $FU1"
act "$H1" "$FU1" claim
answer 200 case.xsd && eq state "$(cf "$tmp/body" @state)" claimed
ctx="decision on the follow-up"
act "$H1" "$FU1" decision "$rb/d.xml"
answer 409 error.xsd
req eservice GET "/v1/applications/$FU1"
cmp -s "$tmp/body" "$tmp/dec.$FU1" || bad "the e-service's decision changed: $(df "$tmp/body" outcome) $(df "$tmp/body" decided-by)"
verdict "7: a decision on a follow-up task (claimed by the caller): 409; the grant is unchanged"

begin
ctx="complete $FU1 with a note"
act "$H1" "$FU1" complete "$rb/c.xml"
answer 200 case.xsd && eq state "$(cf "$tmp/body" @state)" completed
ctx="GET /v1/queue after completion"
queue "$H1"
answer 200 queue.xsd && has_item "$tmp/q" "$FU1" && bad "$ctx: $FU1 is still listed"
audit_get "case=$FU1" "$tmp/fu1.trail"
eq "completed records by caseworker:handlaggare1" \
    "$(rec_count "$tmp/fu1.trail" completed caseworker:handlaggare1 "id=$FU1")" 1
eq "completed: note" "$(pct_decode "$(rec_value "$tmp/fu1.trail" completed note)")" "$NOTE_TXT"
req eservice GET "/v1/applications/$FU1"
cmp -s "$tmp/body" "$tmp/dec.$FU1" || bad "the completion changed the e-service's decision"
verdict "7: complete with a note: 200 case, state completed; gone from the queue; a completed record (actor, note); the grant unchanged"
tick

# ====================================================================
# 6. Urgent first, and the filters.
# ====================================================================

C6N=Q6-NORMAL
C6U=Q6-URGENT
mkapp "$ex/first-application.xml" "$C6N" "$tmp/c6n.xml"
mkapp "$ex/family.xml" "$C6U" "$tmp/c6u.xml" "$ACUTE"
begin
ctx="POST $C6N"; submit "$tmp/c6n.xml" || bad "$ctx: $(what)"
ctx="POST $C6U"
submit "$tmp/c6u.xml"
if answer 201 decision.xsd; then
	eq priority "$(df "$tmp/dec.$C6U" priority)" urgent
	reason_codes "$tmp/dec.$C6U" | grep -qw ACUTE_NEED || bad "no ACUTE_NEED reason"
fi
verdict "6: a normal routed case, then one with acute need: 201, priority urgent (ACUTE_NEED)"

begin
ctx="GET /v1/queue"
queue "$H1" "" q6
if answer 200 queue.xsd; then
	qrows "$tmp/q6" > "$tmp/q6.rows"
	iu=$(grep -n "^$C6U|" "$tmp/q6.rows" | cut -d: -f1)
	in=$(grep -n "^$C6N|" "$tmp/q6.rows" | cut -d: -f1)
	if [ -z "$iu" ] || [ -z "$in" ]; then
		bad "$ctx: not both listed: $(cut -d'|' -f1 "$tmp/q6.rows" | tr '\n' ' ')"
	else
		[ "$iu" -lt "$in" ] || bad "$ctx: $C6U (urgent) at $iu, after $C6N at $in"
		eq "$C6U priority" "$(qf "$tmp/q6" "$C6U" @priority)" urgent
		r=$(epoch "$(qf "$tmp/q6" "$C6U" received)"); du=$(epoch "$(qf "$tmp/q6" "$C6U" due)")
		eq "$C6U due - received (s)" "$(( ${du:-0} - ${r:-0} ))" $((4 * 3600))
		eq "$C6U due (the decision's)" "$(qf "$tmp/q6" "$C6U" due)" "$(df "$tmp/dec.$C6U" due)"
		eq "$C6N preferred-caseworker" "$(qf "$tmp/q6" "$C6N" preferred-caseworker)" ""
	fi
	# The whole queue: urgent first, then by due time, then by receipt.
	o=$(awk -F'|' '{ k = ($3 == "urgent" ? 0 : 1) "|" $7 "|" $6
		if (NR > 1 && k < prev) { print "item " $1 " (" k ") after " pid " (" prev ")"; exit }
		prev = k; pid = $1 }' "$tmp/q6.rows")
	[ -z "$o" ] || bad "$ctx: out of order: $o"
	ov=$(cut -d'|' -f5 "$tmp/q6.rows" | sort -u | tr '\n' ' ')
	eq "overdue values" "$ov" "false "
fi
verdict "6: the queue lists the urgent case first (due = received + 4 h); the whole queue is urgent first, then by due time; nothing overdue"

begin
ctx="handlaggare1 claims $C6U"
act "$H1" "$C6U" claim
answer 200 case.xsd
ctx="complete on a case (not a follow-up)"
act "$H1" "$C6U" complete "$rb/c.xml"
answer 409 error.xsd
verdict "6: handlaggare1 claims the urgent case; complete on a case (not a follow-up): 409"

queue "$H1" "state=all&limit=10000" qall
qrows "$tmp/qall" > "$tmp/qall.rows"
# filter_ok QUERY CERT AWK-CONDITION DESCRIPTION: GET /v1/queue?QUERY as
# CERT lists exactly the items of the full queue that satisfy the
# condition (on the fields of qrows: $1 id, $2 kind, $3 priority, $4
# state, $5 overdue, $8 assignee), in the same order.
filter_ok() {
	local want got
	ctx="GET /v1/queue?$1 as $2"
	queue "$2" "$1" qf
	answer 200 queue.xsd || return
	want=$(awk -F'|' "$3 { print \$1 }" "$tmp/qall.rows" | tr '\n' ' ')
	got=$(qids "$tmp/qf" | tr '\n' ' ')
	eq "ids" "$got" "$want"
	eq "count attribute" "$(xp "$tmp/qf" "/$(L queue)/@count")" \
	    "$(xp "$tmp/qf" "count(//$(L item))")"
}
begin
ctx="GET /v1/queue?state=all"
answer 200 queue.xsd
eq "state=all is the default (ids)" "$(cut -d'|' -f1 "$tmp/q6.rows" | grep -v "^$C6U\$" | tr '\n' ' ')" \
    "$(cut -d'|' -f1 "$tmp/qall.rows" | grep -v "^$C6U\$" | tr '\n' ' ')"
grep -q "^$C6U|" "$tmp/qall.rows" || bad "state=all does not list $C6U"
filter_ok priority=urgent "$H1" '$3 == "urgent"'
grep -q "^$C6N|" <(qids "$tmp/qf") && bad "priority=urgent lists $C6N"
filter_ok priority=normal "$H1" '$3 == "normal"'
filter_ok state=open "$H1" '$4 == "open"'
grep -qx "$C6U" <(qids "$tmp/qf") && bad "state=open lists the claimed $C6U"
grep -qx "$C6N" <(qids "$tmp/qf") || bad "state=open does not list $C6N"
filter_ok state=claimed "$H1" '$4 == "claimed"'
filter_ok assignee=me "$H1" '$8 == "handlaggare1"'
grep -qx "$C6U" <(qids "$tmp/qf") || bad "assignee=me (handlaggare1) does not list $C6U"
filter_ok assignee=me "$H2" '$8 == "handlaggare2"'
grep -qx "$C6U" <(qids "$tmp/qf") && bad "assignee=me (handlaggare2) lists $C6U"
filter_ok assignee=handlaggare1 "$H2" '$8 == "handlaggare1"'
filter_ok overdue=true "$H1" '$5 == "true"'
eq "overdue=true count" "$(xp "$tmp/qf" "count(//$(L item))")" 0
filter_ok "priority=urgent&state=claimed" "$H1" '$3 == "urgent" && $4 == "claimed"'
ctx="GET /v1/queue?limit=1"
queue "$H1" limit=1 ql
if answer 200 queue.xsd; then
	eq "items" "$(qids "$tmp/ql" | tr '\n' ' ')" "$(head -n 1 "$tmp/qall.rows" | cut -d'|' -f1) "
	eq "count" "$(xp "$tmp/ql" "/$(L queue)/@count")" 1
	eq "total" "$(xp "$tmp/ql" "/$(L queue)/@total")" "$(grep -c . "$tmp/qall.rows")"
fi
verdict "6: filters priority=, state=open|claimed|all (all the default), assignee=me|CN, overdue=true (none), combined, limit=1 (count 1, total all): each lists exactly the matching items, in order"
tick

# ====================================================================
# 8. Continuity.
# ====================================================================

C8=Q8-FAMILY-APRIL
C8P=Q8-PARTNER-APRIL
reapp "$ex/family.xml" "$C8" "$tmp/c8.xml" "$c1_a" "$c1_p" "$NEXTMONTH" \
    's|<submitted>[^<]*</submitted>|<submitted>2023-04-03T09:12:00Z</submitted>|'
# The partner of that household, now applying with another partner.
serial=$((serial + 1))
reapp "$ex/first-application.xml" "$C8P" "$tmp/c8p.xml" "$c1_p" \
    "$(pnr_variant "$(role_pnr partner "$ex/first-application.xml")" "$serial")" \
    "$NEXTMONTH"
begin
ctx="POST $C8"
submit "$tmp/c8.xml"
answer 201 decision.xsd && eq outcome "$(df "$tmp/dec.$C8" outcome)" routed
ctx="POST $C8P"
submit "$tmp/c8p.xml"
answer 201 decision.xsd && eq outcome "$(df "$tmp/dec.$C8P" outcome)" routed
ctx="GET /v1/queue"
queue "$H2"
if answer 200 queue.xsd; then
	eq "$C8 preferred-caseworker" "$(qf "$tmp/q" "$C8" preferred-caseworker)" handlaggare1
	eq "$C8 state" "$(qf "$tmp/q" "$C8" @state)" open
	eq "$C8P preferred-caseworker (partner of the earlier case)" \
	    "$(qf "$tmp/q" "$C8P" preferred-caseworker)" handlaggare1
fi
ctx="GET /v1/cases/$C8"
req "$H2" GET "/v1/cases/$C8"
answer 200 case.xsd && eq "preferred-caseworker" "$(cf "$tmp/body" preferred-caseworker)" handlaggare1
verdict "8: a new routed case of the same applicant (next period), and one of the earlier partner: both show preferred-caseworker handlaggare1"

begin
ctx="handlaggare2 claims $C8 early"; act "$H2" "$C8" claim; answer 409 error.xsd
ctx="handlaggare2 claims $C8P early"; act "$H2" "$C8P" claim; answer 409 error.xsd
ctx="GET /v1/cases/$C8"
req "$H1" GET "/v1/cases/$C8"
answer 200 case.xsd && eq state "$(cf "$tmp/body" @state)" open
ctx="handlaggare1 claims $C8"
act "$H1" "$C8" claim
if answer 200 case.xsd; then
	eq state "$(cf "$tmp/body" @state)" claimed
	eq assignee "$(cf "$tmp/body" assignee)" handlaggare1
fi
verdict "8: handlaggare2 claiming them early: 409 (still open); handlaggare1 claims $C8: 200"

# A caseworker's grant is a month with försörjningsstöd for the
# household; a denial is not. The first-application household granted
# in 2023-03 (by handlaggare2) applies for 2023-04: no FIRST_APPLICATION;
# the denied one (by handlaggare1): still FIRST_APPLICATION.
C8G=Q8-GRANTED-APRIL
C8D=Q8-DENIED-APRIL
reapp "$ex/first-application.xml" "$C8G" "$tmp/c8g.xml" "$c2b_a" "$c2b_p" "$NEXTMONTH"
reapp "$ex/first-application.xml" "$C8D" "$tmp/c8d.xml" "$c3_a" "$c3_p" "$NEXTMONTH"
begin
ctx="POST $C8G"
submit "$tmp/c8g.xml"
if answer 201 decision.xsd; then
	reason_codes "$tmp/dec.$C8G" | grep -qw FIRST_APPLICATION &&
	    bad "$ctx: FIRST_APPLICATION, though 2023-03 was granted: $(reason_codes "$tmp/dec.$C8G")"
fi
ctx="POST $C8D"
submit "$tmp/c8d.xml"
if answer 201 decision.xsd; then
	reason_codes "$tmp/dec.$C8D" | grep -qw FIRST_APPLICATION ||
	    bad "$ctx: no FIRST_APPLICATION, though 2023-03 was denied: $(reason_codes "$tmp/dec.$C8D")"
fi
queue "$H1"
if answer 200 queue.xsd; then
	eq "$C8G preferred-caseworker" "$(qf "$tmp/q" "$C8G" preferred-caseworker)" handlaggare2
	eq "$C8D preferred-caseworker" "$(qf "$tmp/q" "$C8D" preferred-caseworker)" handlaggare1
fi
verdict "8: after a caseworker's grant the household's next application is no FIRST_APPLICATION (after a denial it still is); each shows the caseworker who decided as preferred"
tick

# ====================================================================
# R. Races: two requests about one item at the same moment (a third
# daemon). A check and its record are one step: exactly one of them
# wins, the trail says what the answers said, and the daemon starts
# again on that trail.
# ====================================================================

# pair CERT1 ID1 VERB1 BODY1 CERT2 ID2 VERB2 BODY2: the two requests at
# once (BODY "-" for none); their statuses in p1 and p2, the answers in
# $tmp/pair.1 and $tmp/pair.2.
pair() {
	local i
	local -a pp=()
	for i in 1 2; do
		local c=$1 id=$2 verb=$3 b=$4
		shift 4
		local -a ba=(-H 'Content-Type:' --data-binary '')
		[ "$b" != - ] && ba=(-H 'Content-Type: application/xml' --data-binary @"$b")
		curl -sS --max-time 10 --cacert "$tls/ca.crt" --cert "$tls/$c.crt" \
		    --key "$tls/$c.key" -X POST -o "$tmp/pair.$i" -w '%{http_code}' \
		    "${ba[@]}" "https://127.0.0.1:$port/v1/cases/$id/$verb" \
		    > "$tmp/pair.$i.code" 2>/dev/null &
		pp+=($!)
	done
	wait "${pp[@]}"
	p1=$(cat "$tmp/pair.1.code")
	p2=$(cat "$tmp/pair.2.code")
}

rconf=$tmp/race.conf
rlog=$tmp/race.log
logs+=("$rlog")
mkdir -p "$tmp/race"
write_conf "$rconf" "$tmp/race"
if start_daemon "$rconf" "$rlog"; then
	rpid=$dpid
	rport=$port
	NR=10
	begin
	for i in $(seq 1 $NR); do
		mkapp "$ex/first-application.xml" "R-CLAIM-$i" "$tmp/rc$i.xml"
		submit "$tmp/rc$i.xml" || bad "POST R-CLAIM-$i: $(what)"
	done
	both=0
	for i in $(seq 1 $NR); do
		id=R-CLAIM-$i
		pair "$H1" "$id" claim - "$H2" "$id" claim -
		req "$H1" GET "/v1/cases/$id"
		holder=$(cf "$tmp/body" assignee)
		audit_get "case=$id" "$tmp/r.trail"
		nrec=$(rec_count "$tmp/r.trail" claimed "" "id=$id")
		ctx=$id
		if [ "$p1$p2" = 200200 ]; then
			both=$((both + 1))
			bad "$id: both got 200; the holder is $holder; $nrec claimed records"
		elif [ "$p1$p2" = 200409 ]; then
			eq "holder (handlaggare1 got 200)" "$holder" handlaggare1
			eq "claimed records" "$nrec" 1
		elif [ "$p1$p2" = 409200 ]; then
			eq "holder (handlaggare2 got 200)" "$holder" handlaggare2
			eq "claimed records" "$nrec" 1
		else
			bad "$id: handlaggare1 $p1, handlaggare2 $p2"
		fi
	done
	ctx=""
	verdict "R: handlaggare1 and handlaggare2 claim the same open case at the same moment ($NR cases): exactly one 200 and one 409 each, the one answered 200 holds it, one claimed record"

	# <to> is an xs:token: "  handlaggare2  " is valid and means handlaggare2.
	C2C=R-ASSIGN-PAD
	mkapp "$ex/first-application.xml" "$C2C" "$tmp/c2c.xml"
	begin
	ctx="POST $C2C"; submit "$tmp/c2c.xml" || bad "$ctx: $(what)"
	act "$H1" "$C2C" claim
	printf '<assign-request xmlns="urn:bistand:caseworker:1"><to>  handlaggare2\n</to></assign-request>\n' \
	    > "$rb/apad.xml"
	ctx="handlaggare1 assigns $C2C to '  handlaggare2\\n' (xs:token)"
	act "$H1" "$C2C" assign "$rb/apad.xml"
	if [ "$code" = 400 ]; then
		answer 400 error.xsd
	elif answer 200 case.xsd; then
		eq assignee "$(cf "$tmp/body" assignee)" handlaggare2
		ctx="handlaggare2 releases $C2C"
		act "$H2" "$C2C" release
		answer 200 case.xsd
	fi
	verdict "R: assign with <to>  handlaggare2 </to> (whitespace around the token): handlaggare2 holds it and can release it (or 400), never a holder nobody is"

	# The holder sends two decisions at once (a double click), or a
	# decision and a release; a follow-up task is completed twice.
	begin
	decision_body "$rb/rg.xml" granted 100 'Beviljas.'
	for i in 1 2 3 4 5 6; do
		mkapp "$ex/first-application.xml" "R-DEC-$i" "$tmp/rd$i.xml"
		submit "$tmp/rd$i.xml" || bad "POST R-DEC-$i: $(what)"
		act "$H1" "R-DEC-$i" claim
		[ "$code" = 200 ] || bad "claim R-DEC-$i: $(what)"
	done
	for i in 1 2 3; do
		mkapp "$ex/reapplication.xml" "R-FU-$i" "$tmp/rf$i.xml" "$LONGTERM"
		submit "$tmp/rf$i.xml" || bad "POST R-FU-$i: $(what)"
		act "$H1" "R-FU-$i" claim
		[ "$code" = 200 ] || bad "claim R-FU-$i: $(what)"
	done
	# race_one ID TYPE: exactly one of p1/p2 is 200, the other 404 or
	# 409; at most one TYPE record for ID; a 200 decision is what the
	# e-service sees.
	race_one() {
		local id=$1 type=$2 nrec
		audit_get "case=$id" "$tmp/r.trail"
		nrec=$(rec_count "$tmp/r.trail" "$type" "" "id=$id")
		case "$p1,$p2" in
		200,404|200,409|404,200|409,200) ;;
		*) bad "$id: answers $p1 and $p2 (want one 200, one 404/409): $(head -c 160 "$tmp/pair.2" | tr '\n' ' ')" ;;
		esac
		[ "$nrec" -le 1 ] ||
		    bad "$id: $nrec $type records ($(cut -f1,3,4 "$tmp/r.trail" | tr '\t\n' ' ;'))"
	}
	for i in 1 2 3; do
		pair "$H1" "R-DEC-$i" decision "$rb/rg.xml" "$H1" "R-DEC-$i" decision "$rb/denied.xml"
		race_one "R-DEC-$i" decided
		req eservice GET "/v1/applications/R-DEC-$i"
		if [ "$p1" = 200 ]; then
			cmp -s "$tmp/body" "$tmp/pair.1" || bad "R-DEC-$i: the e-service does not see the decision answered 200 (granted): $(df "$tmp/body" outcome)"
		elif [ "$p2" = 200 ]; then
			cmp -s "$tmp/body" "$tmp/pair.2" || bad "R-DEC-$i: the e-service does not see the decision answered 200 (denied): $(df "$tmp/body" outcome)"
		fi
	done
	ctx=""
	verdict "R: the holder sends two decisions at the same moment (3 cases): one 200, the other 404/409; one decided record; the e-service sees the one answered 200"
	begin
	for i in 4 5 6; do
		pair "$H1" "R-DEC-$i" decision "$rb/rg.xml" "$H1" "R-DEC-$i" release -
		audit_get "case=R-DEC-$i" "$tmp/r.trail"
		case "$p1,$p2" in
		200,404|200,409|404,200|409,200) ;;
		*) bad "R-DEC-$i: decision $p1, release $p2 (want one 200): $(cut -f1,3,4 "$tmp/r.trail" | tr '\t\n' ' ;')" ;;
		esac
		t=$(cut -f3 "$tmp/r.trail" | grep -E '^(decided|released)$' | tail -n 1)
		ctx="R-DEC-$i"
		if [ "$p1" = 200 ]; then
			eq "the last decided/released record (decision answered 200)" "$t" decided
		elif [ "$p2" = 200 ]; then
			eq "the last decided/released record (release answered 200)" "$t" released
		fi
	done
	ctx=""
	verdict "R: the holder decides and releases at the same moment (3 cases): one 200, the other 404/409; the trail ends with the record of the one answered 200"
	begin
	for i in 1 2 3; do
		pair "$H1" "R-FU-$i" complete "$rb/c.xml" "$H1" "R-FU-$i" complete "$rb/c.xml"
		race_one "R-FU-$i" completed
	done
	ctx=""
	verdict "R: the holder completes a follow-up task twice at the same moment (3 tasks): one 200, the other 404/409; one completed record"

	queue "$H1" "state=all&limit=10000" race.q
	d="R: after the races the daemon stops (exit 0) and starts again on that trail, with the same queue"
	if stop_daemon "$rpid"; then
		if start_daemon "$rconf" "$rlog"; then
			rpid=$dpid
			queue "$H1" "state=all&limit=10000" race2.q
			if [ "$code" = 200 ] && cmp -s "$tmp/race.q" "$tmp/race2.q"; then
				pass "$d"
			else
				fail "$d" "$(what)" "$(diff "$tmp/race.q" "$tmp/race2.q" | head -n 6)"
			fi
			stop_daemon "$rpid"
		else
			fail "$d" "it does not start again:" "$(tail -n 3 "$rlog")"
		fi
	else
		fail "$d" "exit status '${estatus:-still running}'" "$(tail -n 5 "$rlog")"
	fi
	port=$mport
else
	fail "R: a third daemon starts" "$(tail -n 10 "$rlog")"
fi
port=$mport
tick

# ====================================================================
# 5 (finish). Claim expiry.
# ====================================================================

if [ -n "$xok" ]; then
	# Renew EXP-2 (if not yet), then wait until the first claim is
	# 65 s old.
	while [ -z "$x_renewed" ] && [ $((EPOCHSECONDS - x_t0)) -lt 60 ]; do
		tick
		[ -n "$x_renewed" ] || sleep 1
	done
	note "claim expiry: waiting $((x_t0 + 65 - EPOCHSECONDS)) s more"
	while [ $((EPOCHSECONDS - x_t0)) -lt 65 ]; do
		sleep 1
	done
	port=$xport
	begin
	if [ -z "$x_renewed" ]; then
		bad "EXP-2 was not renewed in time"
	else
		ctx="handlaggare1 claims EXP-2 again ($((x_renewed - x_t0)) s after)"
		code=$x_renew_code
		cp "$tmp/exp2.renew" "$tmp/body"
		if answer 200 case.xsd; then
			eq assignee "$(cf "$tmp/body" assignee)" handlaggare1
			a0=$(epoch "$x2_at"); a1=$(epoch "$(cf "$tmp/body" claimed-at)")
			[ -n "$a0" ] && [ -n "$a1" ] && [ "$a1" -gt "$a0" ] ||
			    bad "$ctx: claimed-at did not move on: '$x2_at' then '$(cf "$tmp/body" claimed-at)'"
		fi
		for l in "${x_renew_bad[@]}"; do
			bad "$l"
		done
	fi
	verdict "5: the holder claiming again renews the claim (200, claimed-at moves on)"

	# On a loaded machine the sections in between can take longer
	# than the renewed claim lives (seen: the check 84 s after the
	# claims, the renewal 18 s after them): renew once more so the
	# check below still holds a live renewed claim.
	if [ -n "$x_renewed" ] && [ $((EPOCHSECONDS - x_renewed)) -ge 45 ]; then
		note "claim expiry: the renewal is $((EPOCHSECONDS - x_renewed)) s old; renewing EXP-2 again"
		act "$H1" EXP-2 claim
		[ "$code" = 200 ] || fail "5: renewing EXP-2 again" "$(what)"
	fi
	begin
	ctx="GET /v1/queue 65 s after the claims"
	queue "$H2" "" qx
	if answer 200 queue.xsd; then
		eq "EXP-1 state" "$(qf "$tmp/qx" EXP-1 @state)" open
		eq "EXP-1 assignee" "$(qf "$tmp/qx" EXP-1 assignee)" ""
		eq "EXP-2 state" "$(qf "$tmp/qx" EXP-2 @state)" claimed
		eq "EXP-2 assignee" "$(qf "$tmp/qx" EXP-2 assignee)" handlaggare1
	fi
	ctx="handlaggare2 claims EXP-1"
	act "$H2" EXP-1 claim
	if answer 200 case.xsd; then
		eq state "$(cf "$tmp/body" @state)" claimed
		eq assignee "$(cf "$tmp/body" assignee)" handlaggare2
	fi
	ctx="handlaggare2 claims the renewed EXP-2"
	act "$H2" EXP-2 claim
	answer 409 error.xsd
	verdict "5: claim_idle_minutes 1: 65 s after handlaggare1's claim the case is open again and handlaggare2 claims it (200); the renewed one is still held (409)"
	port=$mport
	d="5: the claim-expiry daemon stops with exit 0"
	if stop_daemon "$xpid"; then
		pass "$d"
	else
		fail "$d" "exit status '${estatus:-still running}'" "$(tail -n 5 "$xlog")"
	fi
else
	fail "5: claim expiry (claim_idle_minutes 1)" "not run (see above)"
fi

# ====================================================================
# 9. The queue survives a restart exactly.
# ====================================================================

port=$mport
queue "$H1" "state=all&limit=10000" before.q
qrows "$tmp/before.q" > "$tmp/before.rows"
ids=($(cut -d'|' -f1 "$tmp/before.rows") "$C1" "$C2B" "$C3" "$FU1")
mkdir -p "$tmp/before" "$tmp/after"
for id in "${ids[@]}"; do
	req "$H1" GET "/v1/cases/$id"
	cp "$tmp/body" "$tmp/before/$id"
done
note "queue before the restart: $(grep -c . "$tmp/before.rows") items," \
    "$(grep -c '|claimed|' "$tmp/before.rows") claimed"

d="9: SIGTERM: the daemon exits 0"
if stop_daemon "$mpid"; then
	pass "$d"
else
	fail "$d" "exit status '${estatus:-still running}'" "$(tail -n 5 "$log")"
fi
if start_daemon "$conf" "$log"; then
	mpid=$dpid
	mport=$port
	queue "$H1" "state=all&limit=10000" after.q
	qrows "$tmp/after.q" > "$tmp/after.rows"
	begin
	ctx="the queue (state=all) after the restart"
	answer 200 queue.xsd
	cmp -s "$tmp/before.q" "$tmp/after.q" ||
	    bad "not byte-identical: $(diff "$tmp/before.q" "$tmp/after.q" | head -n 8 | tr '\n' ' ')"
	verdict "9: after a restart on the same state directory the queue XML is byte-identical ($(grep -c . "$tmp/before.rows") items)"
	begin
	ctx="queue rows"
	[ -s "$tmp/before.rows" ] || bad "empty queue before the restart"
	cmp -s "$tmp/before.rows" "$tmp/after.rows" ||
	    bad "differ: $(diff "$tmp/before.rows" "$tmp/after.rows" | head -n 8 | tr '\n' ' ')"
	verdict "9: ... item by item: the same ids, order, kinds, priorities, states, assignees, claimed-at, received, due, preferred caseworkers, reasons"
	begin
	for id in "${ids[@]}"; do
		req "$H1" GET "/v1/cases/$id"
		cp "$tmp/body" "$tmp/after/$id"
		ctx="GET /v1/cases/$id"
		answer 200 case.xsd
		cmp -s "$tmp/before/$id" "$tmp/after/$id" ||
		    bad "$id differs: $(diff "$tmp/before/$id" "$tmp/after/$id" | head -n 6 | tr '\n' ' ')"
	done
	verdict "9: GET /v1/cases/{id} of all ${#ids[@]} cases (open, claimed, decided, completed) is byte-identical: the same item and history"
	begin
	ctx="handlaggare1 claims $C2A (handlaggare2's)"; act "$H1" "$C2A" claim; answer 409 error.xsd
	ctx="handlaggare2 claims $C8 (handlaggare1's)"; act "$H2" "$C8" claim; answer 409 error.xsd
	ctx="handlaggare2 claims $C8P (preferred handlaggare1)"; act "$H2" "$C8P" claim; answer 409 error.xsd
	ctx="handlaggare2 decides $C2A"
	decision_body "$rb/g2.xml" granted 3000 'Beviljas efter omstart.'
	act "$H2" "$C2A" decision "$rb/g2.xml"
	answer 200 decision.xsd && eq decided-by "$(df "$tmp/body" decided-by)" handlaggare2
	verdict "9: after the restart claims and preferences hold (409 for others) and the holder decides (200)"
	d="9: the restarted daemon stops with exit 0"
	if stop_daemon "$mpid"; then
		pass "$d"
	else
		fail "$d" "exit status '${estatus:-still running}'" "$(tail -n 5 "$log")"
	fi
else
	fail "9: the daemon starts again on the same state directory" "$(tail -n 20 "$log")"
fi

# --- the trails verify ------------------------------------------------

begin
out=$(sh "$top/tests/audit-verify.sh" "$tmp/main" 2>&1) ||
    bad "audit-verify.sh: $out"
if [ -x "$ctl" ]; then
	out=$("$ctl" audit verify --state "$tmp/main" 2>&1) ||
	    bad "bistandctl audit verify: $out"
fi
if [ -f "$tmp/expiry/audit.trail" ]; then
	out=$(sh "$top/tests/audit-verify.sh" "$tmp/expiry" 2>&1) ||
	    bad "audit-verify.sh (expiry daemon): $out"
fi
verdict "the trails with the caseworker records verify (tests/audit-verify.sh, bistandctl audit verify)"

# --- sanitizers ---------------------------------------------------------

d="no sanitizer reports (ASan, LSan, UBSan) in the daemons' logs"
if grep -qE 'Sanitizer|runtime error:' "${logs[@]}" 2>/dev/null; then
	fail "$d" "$(grep -hE -A 30 'ERROR: .*Sanitizer|runtime error:' \
	    "${logs[@]}" | head -n 60)"
else
	pass "$d"
fi

echo "# $((SECONDS - t_start)) s"
echo "$npass passed, $nfail failed"
[ "$nfail" = 0 ]
