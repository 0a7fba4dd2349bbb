#!/bin/bash
# integration_client.sh: black-box tests of bistandctl as the caseworker's
# and auditor's client (queue, case show, claim, release, assign,
# complete, decide, audit records) against the real daemon over mutual
# TLS, the way a person would use it: client configuration files,
# options, readable output, exit statuses and messages on refusals and
# on TLS and connection failures.
#
#   BISTAND_BUILD=/abs/build/dir bash tests/integration_client.sh  (from the top)
#
# Output: one "ok N - ..." or "not ok N - ..." line per check (diagnostics
# as "#" lines), then "P passed, F failed"; the exit status is non-zero
# if any check failed. Every wait is bounded; bistandctl runs with a
# client timeout of 10 s (5 s where a silent server is the point).
# BISTAND_KEEP=1 keeps the temporary directory for a look.
#
# Needs bash, curl (as the e-service), openssl, xmllint, coreutils.

if [ -z "${BASH_VERSION:-}" ]; then
	exec bash "$0" "$@"
fi
set -u
export LC_ALL=C.UTF-8

top=$(pwd)
build=${BISTAND_BUILD:?set BISTAND_BUILD to the build directory}
bin=$build/bistandd
ctl=$build/bistandctl
if [ ! -x "$bin" ] || [ ! -x "$ctl" ] ||
    [ ! -f "$top/etc/examples/violence.xml" ]; then
	echo "integration_client.sh: run from the top of the tree, with" \
	    "$bin and $ctl built" >&2
	exit 2
fi
for t in curl openssl xmllint; do
	if ! command -v "$t" > /dev/null; then
		echo "integration_client.sh: needs $t" >&2
		exit 2
	fi
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/bistand-itc.XXXXXX") || exit 2
tls=$tmp/tls
pids=()			# every background process we start
npass=0
nfail=0
nchk=0

cleanup() {
	local p i alive
	exec 3>&- 4>&- 2>/dev/null
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

pass() {
	nchk=$((nchk + 1)); npass=$((npass + 1))
	echo "ok $nchk - $1"
}

# fail DESCRIPTION [DIAGNOSTIC LINE...]
fail() {
	local l
	nchk=$((nchk + 1)); nfail=$((nfail + 1))
	echo "not ok $nchk - $1"
	shift
	for l in "$@"; do
		[ -n "$l" ] && printf '%s\n' "$l" | sed 's/^/#   /'
	done
}

# Multi-part checks: begin, then bad "WHAT" for each thing wrong, then
# verdict DESCRIPTION.
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
		fail "$1" "${bad[@]}" "$(ran)"
	fi
}

# --- the daemon (as tests/integration.sh starts it) -----------------

# write_conf FILE [EXTRA SETTING LINES...]
write_conf() {
	local f=$1 l
	shift
	{
		echo "listen 127.0.0.1:0"
		echo "tls_certificate $tls/server.crt"
		echo "tls_key $tls/server.key"
		echo "tls_client_ca $tls/ca.crt"
		echo "state_dir $tmp/state"
		echo "schema_dir $top/etc"
		echo "rules_dir $top/rules"
		echo "examples_dir $top/etc/examples"
		echo "shutdown_timeout 5"
		for l in "$@"; do
			echo "$l"
		done
	} > "$f"
}

# start_daemon CONF LOG: starts bistandd -d, sets dpid and port.
start_daemon() {
	local i
	port=
	"$bin" -d -f "$1" 2>"$2" &
	dpid=$!
	pids+=("$dpid")
	for i in $(seq 1 100); do
		port=$(sed -n 's/.*listening on 127\.0\.0\.1 port \([0-9][0-9]*\) .*/\1/p' \
		    "$2" | head -n 1)
		[ -n "$port" ] && [ "$port" != 0 ] && return 0
		kill -0 "$dpid" 2>/dev/null || break
		sleep 0.1
	done
	return 1
}

# --- running bistandctl ---------------------------------------------

# run ARGS...: bistandctl ARGS; stdout in $tmp/out, stderr in $tmp/err,
# the exit status in st. Every stderr is kept for the sanitizer check.
run() {
	last="bistandctl $*"
	"$ctl" "$@" > "$tmp/out" 2> "$tmp/err" < /dev/null
	st=$?
	{ echo "== $last"; cat "$tmp/err"; } >> "$tmp/allerr"
}

# What the last run did, for a diagnostic.
ran() {
	printf '%s\nexit %s\n--- stdout\n%s\n--- stderr\n%s' "$last" "$st" \
	    "$(head -c 1500 "$tmp/out")" "$(head -c 600 "$tmp/err")"
}

out_has() { grep -qF -- "$1" "$tmp/out"; }
err_has() { grep -qF -- "$1" "$tmp/err"; }

# want_exit N: the last run exited N.
want_exit() {
	[ "$st" = "$1" ] || bad "exit $st, want $1"
}

# The e-service, with curl: post FILE; get ID (answer in $tmp/body).
post() {
	code=$(curl -sS --max-time 10 --cacert "$tls/ca.crt" \
	    --cert "$tls/eservice.crt" --key "$tls/eservice.key" \
	    -H 'Content-Type: application/xml' --data-binary @"$1" \
	    -o "$tmp/body" -w '%{http_code}' \
	    "https://127.0.0.1:$port/v1/applications" 2>"$tmp/curlerr")
}
get() {
	code=$(curl -sS --max-time 10 --cacert "$tls/ca.crt" \
	    --cert "$tls/eservice.crt" --key "$tls/eservice.key" \
	    -o "$tmp/body" -w '%{http_code}' \
	    "https://127.0.0.1:$port/v1/applications/$1" 2>"$tmp/curlerr")
}

# L NAME: an XPath step for NAME in any namespace; xp FILE XPATH.
L() {
	printf '*[local-name()="%s"]' "$1"
}
xp() {
	xmllint --xpath "string($2)" "$1" 2>/dev/null
}

example_id() {
	sed -n 's:.*<id>[[:space:]]*\([^<[:space:]]*\)[[:space:]]*</id>.*:\1:p' \
	    "$1" | head -n 1
}

# leaf NAME SUBJECT EXT: a certificate from the development CA, like
# mkcerts.sh's leaf().
leaf() {
	(
		cd "$tls" &&
		openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 \
		    -out "$1.key" 2>/dev/null &&
		openssl req -new -key "$1.key" -out "$1.csr" -subj "$2" &&
		printf '%s\n' "$3" > "$1.ext" &&
		openssl x509 -req -in "$1.csr" -CA ca.crt -CAkey ca.key \
		    -CAcreateserial -days 825 -sha256 -extfile "$1.ext" \
		    -out "$1.crt" 2>/dev/null &&
		rm -f "$1.csr" "$1.ext" ./*.srl
	) >> "$tmp/certs.log" 2>&1
}

# A TLS server that never answers HTTP: openssl s_server on a free port,
# with CERT. Sets sport. Its standard input is a FIFO held open by us,
# so that it neither reads EOF nor needs a helper process.
start_sserver() {
	local i
	sport=
	openssl s_server -accept 127.0.0.1:0 -cert "$tls/$1.crt" \
	    -key "$tls/$1.key" < "$tmp/fifo" > "$tmp/sserver.$1" 2>&1 &
	pids+=("$!")
	for i in $(seq 1 50); do
		sport=$(sed -n 's/^ACCEPT 127\.0\.0\.1:\([0-9][0-9]*\)$/\1/p' \
		    "$tmp/sserver.$1" | head -n 1)
		[ -n "$sport" ] && return 0
		sleep 0.1
	done
	return 1
}

# --- set-up ---------------------------------------------------------

mkdir -p "$tmp/state" "$tmp/home/.config" "$tmp/xdg"
export HOME=$tmp/home
unset XDG_CONFIG_HOME
: > "$tmp/allerr"
if ! sh tests/mkcerts.sh "$tls" extra > "$tmp/mkcerts.log" 2>&1; then
	cat "$tmp/mkcerts.log"
	echo "integration_client.sh: mkcerts.sh failed" >&2
	exit 2
fi
client_ext='basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=clientAuth'
if ! leaf handlaggare2 \
    "/O=bistandd development/OU=caseworker/CN=handlaggare2" "$client_ext" ||
    ! leaf elsewhere "/O=bistandd development/CN=elsewhere.example" \
    "basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=serverAuth
subjectAltName=DNS:elsewhere.example"; then
	cat "$tmp/certs.log"
	echo "integration_client.sh: cannot make the extra certificates" >&2
	exit 2
fi

conf=$tmp/bistandd.conf
log=$tmp/bistandd.log
write_conf "$conf"
if ! start_daemon "$conf" "$log"; then
	fail "daemon starts and logs its port" "$(tail -n 20 "$log")"
	echo "$npass passed, $nfail failed"
	exit 1
fi
pass "daemon starts and logs 'listening on 127.0.0.1 port $port'"

# Client configurations: relative paths are relative to the file.
# client_conf FILE CERTNAME [SERVER]
client_conf() {
	{
		echo "# bistandctl client configuration for $2"
		echo "server   ${3:-https://127.0.0.1:$port}"
		echo "cert     tls/$2.crt"
		echo "key      tls/$2.key"
		echo
		echo "ca       tls/ca.crt"
		echo "timeout  10"
	} > "$1"
}
client_conf "$tmp/h1.conf" caseworker
client_conf "$tmp/h2.conf" handlaggare2
client_conf "$tmp/au.conf" auditor "https://localhost:$port"
H1=(-c "$tmp/h1.conf")
H2=(-c "$tmp/h2.conf")
AU=(-c "$tmp/au.conf")

ex=$top/etc/examples
V=$(example_id "$ex/violence.xml")
F=$(example_id "$ex/first-application.xml")
FAM=$(example_id "$ex/family.xml")
# A follow-up task: reapplication.xml with aid in all 12 months before
# the period (LONG_TERM), under an id of its own.
LT=CTL-LONGTERM-1
sed -e 's:<id>[^<]*</id>:<id>'"$LT"'</id>:' \
    -e 's:<period>2023-03</period>:<period>2023-04</period>:' \
    -e 's:<month>2022-09</month>:<month>2022-09</month><month>2022-08</month><month>2022-07</month><month>2022-06</month><month>2022-05</month><month>2022-04</month><month>2022-03</month>:' \
    "$ex/reapplication.xml" > "$tmp/longterm.xml"
# An applicant's message with characters that would drive a terminal:
# C1 CSI (U+009B) and a right-to-left override (U+202E), both allowed
# in XML 1.0.
ESC=CTL-ESCAPES-1
sed -e 's:<id>[^<]*</id>:<id>'"$ESC"'</id>:' \
    -e 's:<message>[^<]*</message>:<message>Hej \xc2\x9b2J rensa \xe2\x80\xaeskärmen slut</message>:' \
    "$ex/violence.xml" > "$tmp/escapes.xml"

begin
for f in "$ex/violence.xml" "$ex/first-application.xml" "$ex/family.xml" \
    "$tmp/longterm.xml" "$tmp/escapes.xml"; do
	post "$f"
	[ "$code" = 201 ] || bad "POST $(basename "$f"): HTTP $code $(head -c 300 "$tmp/body")"
done
verdict "the e-service submits violence, first-application, family, a LONG_TERM reapplication and a message with terminal controls: 201 each"

# --- --help ---------------------------------------------------------

for c in queue "case" claim release assign complete decide "audit records"; do
	begin
	# shellcheck disable=SC2086
	run $c --help
	want_exit 0
	out_has "usage: bistandctl $c" || bad "no 'usage: bistandctl $c' on stdout"
	out_has "--server" || bad "the connection options are not described"
	[ -s "$tmp/err" ] && bad "stderr is not empty"
	verdict "bistandctl $c --help: exit 0, usage and connection options on stdout"
done
begin
run --help
want_exit 0
for c in queue "case show" claim assign decide complete "audit records" \
    "audit verify"; do
	out_has "$c" || bad "'$c' not in the command list"
done
verdict "bistandctl --help lists the client commands next to the offline ones"
begin
run claim
want_exit 2
err_has "usage: bistandctl claim" || bad "no usage on stderr"
verdict "claim without an id: exit 2 and the usage on stderr"

# --- queue ----------------------------------------------------------

begin
run queue "${H1[@]}"
want_exit 0
head -n 1 "$tmp/out" | grep -q '^ID  *KIND  *PRIORITY  *DUE  *STATE  *PREFERRED  *REASONS$' ||
    bad "no table header"
for id in "$V" "$F" "$FAM"; do
	out_has "$id" || bad "$id is not listed"
done
vline=$(grep -n -- "^$V " "$tmp/out" | cut -d: -f1)
fline=$(grep -n -- "^$F " "$tmp/out" | cut -d: -f1)
[ -n "$vline" ] && [ -n "$fline" ] && [ "$vline" -lt "$fline" ] ||
    bad "the urgent $V is not listed before $F"
grep -- "^$V " "$tmp/out" | grep -q ' urgent .* open .*VIOLENCE' ||
    bad "$V: not urgent, open, VIOLENCE"
grep -- "^$V " "$tmp/out" | grep -Eq ' [0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2} ' ||
    bad "$V: no due time as YYYY-MM-DD HH:MM"
grep -q '^[0-9][0-9]* of [0-9][0-9]* items$' "$tmp/out" || bad "no 'N of M items' line"
grep -q '<' "$tmp/out" && bad "raw XML in the output"
verdict "queue: a table (id, kind, priority, due, state, preferred, reasons), the routed examples listed, urgent first"

begin
run queue "${H1[@]}" --priority urgent
want_exit 0
out_has "$V" || bad "$V missing"
out_has "$F" && bad "$F (normal) listed"
run queue "${H1[@]}" --kind follow-up
want_exit 0
grep -- "^$LT " "$tmp/out" | grep -q 'follow-up .*LONG_TERM' || bad "$LT not listed as a LONG_TERM follow-up"
out_has "$V" && bad "$V (a case) listed"
run queue "${H1[@]}" --state claimed
want_exit 0
out_has "no items" || bad "claimed: not 'no items'"
run queue "${H1[@]}" --limit 1
want_exit 0
grep -q "^1 of [0-9]* items" "$tmp/out" || bad "--limit 1: not '1 of N items'"
verdict "queue --priority urgent, --kind follow-up, --state claimed (none yet), --limit 1"

begin
run queue "${H1[@]}" --priority high
want_exit 2
err_has "urgent" || bad "the message does not name the values"
run queue "${H1[@]}" --mine --assignee handlaggare2
want_exit 2
verdict "queue with a bad --priority, or both --mine and --assignee: exit 2 before any request"

# --- case show ------------------------------------------------------

begin
run "case" show "$V" "${H1[@]}"
want_exit 0
for s in "CASE $V" "urgent" "Household" "applicant" "Linnea Ek" \
    "199603211583" "26 years" "Tilda Ek" "2 years" "Housing" "Incomes" \
    "parental-benefit" "4 100 kr" "violence: YES" "acute need: YES" \
    "The applicant's message" "Jag har lämnat min sambo" "DECISION  routed" \
    "Calculation" "need" "Reasons" "VIOLENCE" "ACUTE_NEED" \
    "Ansökan handläggs med förtur" "HISTORY" "received" "evaluated"; do
	out_has "$s" || bad "'$s' missing"
done
grep -q '<' "$tmp/out" && grep -q '</' "$tmp/out" && bad "raw XML in the output"
verdict "case show $V: item, household with names, personnummer and ages, incomes, circumstances, the applicant's message, decision with calculation and reasons, history"

begin
run "case" show "$ESC" "${H1[@]}"
want_exit 0
out_has "Hej" || bad "the message is not shown"
LC_ALL=C grep -q $'\xc2\x9b' "$tmp/out" && bad "U+009B (CSI) reached the terminal"
LC_ALL=C grep -q $'\xe2\x80\xae' "$tmp/out" && bad "U+202E (RLO) reached the terminal"
out_has "Hej ?2J rensa ?skärmen slut" || bad "the controls are not shown as '?'"
verdict "case show: C1 controls and bidi overrides in an applicant's message are shown as '?', never sent to the terminal"

# --- claim, refusals, decide -----------------------------------------

begin
run claim "$V" "${H1[@]}"
want_exit 0
out_has "$V: claimed; now claimed by handlaggare1" || bad "no confirmation with the new state"
run queue "${H1[@]}" --mine
want_exit 0
out_has "$V" || bad "queue --mine (handlaggare1) does not list $V"
run queue "${H2[@]}" --mine
want_exit 0
out_has "$V" && bad "queue --mine (handlaggare2) lists $V"
run queue "${H2[@]}" --assignee handlaggare1
out_has "claimed by handlaggare1" || bad "--assignee handlaggare1 does not show the claim"
verdict "claim $V: exit 0, 'claimed by handlaggare1'; queue --mine and --assignee show it"

begin
run claim "$V" "${H2[@]}"
want_exit 1
err_has "bistandctl: 409 CONFLICT: " || bad "no '409 CONFLICT: message' on stderr"
err_has "handlaggare1" || bad "the message does not say who holds it"
[ -s "$tmp/out" ] && bad "something on stdout"
verdict "handlaggare2 claims $V held by handlaggare1: exit 1, 'bistandctl: 409 CONFLICT: ...'"

begin
run decide "$V" "${H2[@]}" --outcome denied --motivation "Inte min."
want_exit 1
err_has "409 CONFLICT" || bad "no 409 CONFLICT"
run release "$V" "${H2[@]}"
want_exit 1
err_has "409 CONFLICT" || bad "release: no 409 CONFLICT"
verdict "handlaggare2 decides or releases handlaggare1's case: exit 1, 409 CONFLICT"

begin
run decide "$V" "${H1[@]}" --outcome denied --amount 100 --motivation x
want_exit 2
err_has "denial" || bad "no word on the amount of a denial"
run decide "$V" "${H1[@]}" --outcome granted --motivation x
want_exit 2
err_has "--amount" || bad "no word on the missing amount"
run decide "$V" "${H1[@]}" --outcome partly-granted --amount 10 --motivation "   "
want_exit 2
err_has "blank" || bad "no word on the blank motivation"
run decide "$V" "${H1[@]}" --outcome granted --amount 10
want_exit 2
err_has "--motivation" || bad "no word on the missing motivation"
head -c 10001 /dev/zero | tr '\0' 'a' > "$tmp/long.txt"
run decide "$V" "${H1[@]}" --outcome denied --motivation-file "$tmp/long.txt"
want_exit 2
err_has "10 000" || bad "no word on the limit"
run claim "../v1/audit" "${H1[@]}"
want_exit 2
err_has "not a case id" || bad "no word on the id"
verdict "decide: denial with --amount, grant without, blank, missing or 10 001-character motivation, and a bad id: exit 2, said before any request"

# A motivation with everything XML must escape, Swedish letters and a
# line break; it must reach the applicant exactly.
printf '%s\n%s\n' 'Skälen för beslutet: mat & blöjor <akut>, "skyddat boende" '"'"'nu'"'"'.' \
    'Beviljas delvis med 1 500 kr för mars; resten bedöms vid mötet.' > "$tmp/motivation.txt"
begin
run decide "$V" "${H1[@]}" --outcome partly-granted --amount 1500 \
    --motivation-file "$tmp/motivation.txt"
want_exit 0
out_has "$V: decided partly-granted, 1 500 kr by handlaggare1" || bad "no confirmation"
out_has "now decided" || bad "no new state"
verdict "decide $V partly-granted 1500 with a motivation file: exit 0, one-line confirmation and the new state"

begin
get "$V"
[ "$code" = 200 ] || bad "GET: HTTP $code"
cp "$tmp/body" "$tmp/decision.xml"
xmllint --noout --schema etc/decision.xsd "$tmp/decision.xml" > /dev/null 2>&1 ||
    bad "not valid against etc/decision.xsd"
[ "$(xp "$tmp/decision.xml" "/$(L decision)/$(L outcome)")" = partly-granted ] || bad "outcome"
[ "$(xp "$tmp/decision.xml" "/$(L decision)/$(L amount)")" = 1500 ] || bad "amount"
[ "$(xp "$tmp/decision.xml" "/$(L decision)/$(L decided-by)")" = handlaggare1 ] || bad "decided-by"
printf '%s\n' "$(xp "$tmp/decision.xml" "/$(L decision)/$(L motivation)")" \
    > "$tmp/motivation.got"
cmp -s "$tmp/motivation.got" "$tmp/motivation.txt" ||
    bad "the motivation differs: $(diff "$tmp/motivation.txt" "$tmp/motivation.got" | head -n 6)"
verdict "the e-service's GET /v1/applications/$V shows the caseworker's decision: partly-granted, 1500, decided-by handlaggare1, the motivation byte for byte (& < > \" ' escaped and back)"

begin
run "case" show "$V" "${H1[@]}"
want_exit 0
out_has "decided" || bad "state decided not shown"
out_has "DECISION  partly-granted, 1 500 kr, by handlaggare1" || bad "the decision line"
out_has "Motivation" || bad "no motivation"
out_has 'mat & blöjor <akut>, "skyddat boende"' || bad "the motivation text"
grep -Eq '#[0-9]+ .* decided +caseworker:handlaggare1' "$tmp/out" || bad "no decided event in the history"
verdict "case show after the decision: the caseworker's decision, its motivation and the decided event"

# --- assign, release, complete ---------------------------------------

begin
run claim "$F" "${H1[@]}"
want_exit 0
run assign "$F" "${H1[@]}" --to handlaggare2
want_exit 0
out_has "$F: assigned; now claimed by handlaggare2" || bad "assign: no confirmation"
run release "$F" "${H1[@]}"
want_exit 1
err_has "409 CONFLICT" || bad "release by handlaggare1 after assigning: no 409"
run release "$F" "${H2[@]}"
want_exit 0
out_has "$F: released; now open" || bad "release: no confirmation"
verdict "claim $F, assign --to handlaggare2 (now theirs), release by the old holder: 409, by the new one: open"

begin
run complete "$F" "${H1[@]}" --note "x"
want_exit 1
grep -Eq '40[49] [A-Z_]+: ' "$tmp/err" || bad "no error code and message"
run complete "$LT" "${H1[@]}" --note "Möte hållet & plan gjord"
want_exit 1
err_has "409 CONFLICT" || bad "complete without a claim: no 409"
run claim "$LT" "${H1[@]}"
want_exit 0
run complete "$LT" "${H1[@]}" --note "Möte hållet & plan <gjord>"
want_exit 0
out_has "$LT: completed; now completed" || bad "no confirmation"
run "case" show "$LT" "${H1[@]}"
grep -q 'completed .*Möte hållet & plan <gjord>' "$tmp/out" || bad "the note is not in the history"
run decide "$LT" "${H1[@]}" --outcome granted --amount 5 --motivation x
[ "$st" = 1 ] || bad "decide on a follow-up: exit $st, want 1"
verdict "complete: a case (refused), an unclaimed follow-up (409); claimed: completed, the note in the history; decide on it: refused"

begin
run "case" show NO-SUCH-CASE "${H1[@]}"
want_exit 1
err_has "404 NOT_FOUND" || bad "no 404 NOT_FOUND"
run claim NO-SUCH-CASE "${H1[@]}"
want_exit 1
err_has "404 NOT_FOUND" || bad "claim: no 404 NOT_FOUND"
verdict "case show and claim of an unknown id: exit 1, 404 NOT_FOUND"

# --- roles and audit records -----------------------------------------

begin
run audit records "${H1[@]}"
want_exit 1
err_has "403 FORBIDDEN" || bad "caseworker: no 403 FORBIDDEN"
run queue "${AU[@]}"
want_exit 1
err_has "403 FORBIDDEN" || bad "auditor: no 403 FORBIDDEN"
verdict "roles: a caseworker's audit records and an auditor's queue: exit 1, 403 FORBIDDEN"

begin
run audit records "${AU[@]}" --case "$V"
want_exit 0
awk -F'\t' -v id="$V" '$3 == "claimed" && $4 == "caseworker:handlaggare1"' "$tmp/out" | grep -q . ||
    bad "no claimed record by caseworker:handlaggare1"
awk -F'\t' '$3 == "decided" && $4 == "caseworker:handlaggare1"' "$tmp/out" | grep -q . ||
    bad "no decided record by caseworker:handlaggare1"
grep -q 'motivation=' "$tmp/out" || bad "the decided record has no motivation"
verdict "audit records --case $V (auditor, via localhost: the DNS name checked): the raw claimed and decided records"

begin
run audit records "${AU[@]}"
want_exit 0
cp "$tmp/out" "$tmp/all1"
n=$(wc -l < "$tmp/all1")
run audit records "${AU[@]}" --limit 3 --all
want_exit 0
cmp -s "$tmp/out" "$tmp/all1" || bad "--limit 3 --all gives another trail ($(wc -l < "$tmp/out") lines, want $n)"
run audit records "${AU[@]}" --limit 3
[ "$(wc -l < "$tmp/out")" = 3 ] || bad "--limit 3 without --all: not 3 records"
run audit records "${AU[@]}" --from "2000-01-01T00:00:00+01:00" --after 2 --limit 1
want_exit 0
[ "$(cut -f1 "$tmp/out")" = 3 ] || bad "--from with an offset, --after 2 --limit 1: not record 3"
run audit records "${AU[@]}" --from yesterday
want_exit 2
verdict "audit records: --limit 3 --all follows X-Audit-Next-After to the same $n records; --limit, --after, --from (with +01:00 in the query)"

begin
run audit verify --state "$tmp/state"
want_exit 0
out_has "OK:" || bad "audit verify: not OK"
verdict "the offline audit verify still works next to audit records"

# --- connection settings ----------------------------------------------

begin
run queue "${H1[@]}" --mine --cert "$tls/handlaggare2.crt" --key "$tls/handlaggare2.key"
want_exit 0
out_has "$F" && bad "shows handlaggare1's view: the options did not override the file"
run release "$F" -c "$tmp/h1.conf" --cert "$tls/handlaggare2.crt" \
    --key "$tls/handlaggare2.key"
[ "$st" = 1 ] || bad "release of an open item as handlaggare2: exit $st"
mkdir -p "$tmp/xdg/tls" "$tmp/home/.config/tls"
cp "$tmp/h1.conf" "$tmp/xdg/bistandctl.conf"
cp "$tls/caseworker.crt" "$tls/caseworker.key" "$tls/ca.crt" "$tmp/xdg/tls/"
cp "$tmp/h2.conf" "$tmp/home/.config/bistandctl.conf"
cp "$tls/handlaggare2.crt" "$tls/handlaggare2.key" "$tls/ca.crt" \
    "$tmp/home/.config/tls/"
XDG_CONFIG_HOME=$tmp/xdg run claim "$FAM"
want_exit 0
out_has "claimed by handlaggare1" ||
    bad "\$XDG_CONFIG_HOME/bistandctl.conf (handlaggare1) was not used"
run claim "$FAM"
want_exit 1
err_has "handlaggare1" ||
    bad "~/.config/bistandctl.conf (handlaggare2) was not used"
XDG_CONFIG_HOME=$tmp/xdg run release "$FAM"
want_exit 0
verdict "options override the file; \$XDG_CONFIG_HOME/bistandctl.conf, else ~/.config/bistandctl.conf, is the default"

begin
{ cat "$tmp/h1.conf"; echo "proxy http://x"; } > "$tmp/bad.conf"
badline=$(wc -l < "$tmp/bad.conf" | tr -d ' ')
run queue -c "$tmp/bad.conf"
want_exit 2
err_has "bad.conf:$badline: " || bad "does not name bad.conf:$badline"
err_has "proxy" || bad "does not name the setting"
printf 'server https://127.0.0.1:%s\ncert\n' "$port" > "$tmp/bad2.conf"
run queue -c "$tmp/bad2.conf"
want_exit 2
err_has "bad2.conf:2: " || bad "a setting without a value: does not name bad2.conf:2"
run queue -c "$tmp/none.conf"
want_exit 2
err_has "none.conf" || bad "a missing -c file is not named"
HOME=$tmp/empty run queue
want_exit 2
err_has "--server" || bad "nothing configured: does not say what to give"
verdict "configuration errors name file:line; a missing -c file or no settings at all: exit 2 with a clear message"

begin
run queue "${H1[@]}" --server "http://127.0.0.1:$port"
want_exit 2
err_has "https" || bad "http:// not refused with a word on https"
run queue "${H1[@]}" --key "$tls/auditor.key"
want_exit 2
err_has "does not match" || bad "a key of another certificate: no 'does not match'"
verdict "--server http://... and a key that does not match the certificate: exit 2 before connecting"

# --- TLS and connection failures ----------------------------------------

begin
run queue "${H1[@]}" --ca "$tls/foreign-ca.crt"
want_exit 2
err_has "cannot connect to https://127.0.0.1:$port: certificate verify failed" ||
    bad "no 'cannot connect to ...: certificate verify failed'"
verdict "a server certificate from another CA than --ca: exit 2, 'cannot connect to ...: certificate verify failed'"

begin
run queue "${H1[@]}" --cert "$tls/foreign.crt" --key "$tls/foreign.key"
want_exit 2
err_has "cannot connect to https://127.0.0.1:$port: " || bad "no 'cannot connect to'"
grep -Eq 'client certificate|unknown ca' "$tmp/err" || bad "does not point at the client certificate"
verdict "a client certificate the server's CA did not issue: exit 2, the refusal named"

mkfifo "$tmp/fifo"
exec 3<> "$tmp/fifo"
if start_sserver elsewhere; then
	begin
	run queue "${H1[@]}" --server "https://localhost:$sport"
	want_exit 2
	err_has "certificate verify failed: hostname mismatch" ||
	    bad "no 'certificate verify failed: hostname mismatch'"
	verdict "a server whose certificate (from the right CA) names another host: exit 2, 'hostname mismatch'"
	begin
	run queue "${H1[@]}" --server "https://127.0.0.1:$sport"
	want_exit 2
	err_has "certificate verify failed: IP address mismatch" ||
	    bad "no 'certificate verify failed: IP address mismatch'"
	verdict "the same by IP address: exit 2, 'IP address mismatch' (the address is checked too)"
else
	fail "openssl s_server starts" "$(cat "$tmp/sserver.elsewhere")"
fi
if start_sserver server; then
	begin
	client_conf "$tmp/slow.conf" caseworker "https://127.0.0.1:$sport"
	sed -i 's/^timeout .*/timeout 2/' "$tmp/slow.conf"
	t0=$SECONDS
	run queue -c "$tmp/slow.conf"
	want_exit 2
	err_has "no answer within 2 s" || bad "no 'no answer within 2 s'"
	[ $((SECONDS - t0)) -le 6 ] || bad "took $((SECONDS - t0)) s"
	verdict "a server that completes TLS but never answers: exit 2 after the timeout (timeout 2), 'no answer within 2 s'"
	# Now nothing listens on that port.
	kill "${pids[${#pids[@]} - 1]}" 2>/dev/null
	wait "${pids[${#pids[@]} - 1]}" 2>/dev/null
	begin
	run queue -c "$tmp/slow.conf"
	want_exit 2
	err_has "cannot connect to https://127.0.0.1:$sport: Connection refused" ||
	    bad "no 'Connection refused'"
	verdict "nothing listening: exit 2, 'cannot connect to ...: Connection refused'"
else
	fail "openssl s_server starts" "$(cat "$tmp/sserver.server")"
fi

# --- sanitizers ---------------------------------------------------------

begin
if grep -Eq 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$tmp/allerr"; then
	bad "$(grep -E -B2 -A8 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$tmp/allerr" | head -n 30)"
fi
if grep -Eq 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$log"; then
	bad "daemon: $(grep -E -A8 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$log" | head -n 20)"
fi
verdict "no sanitizer report from any bistandctl run or the daemon"

echo "$npass passed, $nfail failed"
[ "$nfail" = 0 ]
