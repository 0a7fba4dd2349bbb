#!/bin/bash
# integration_audit.sh: black-box tests of the audit trail of the real
# daemon (docs/audit-format.md): crash safety under load (kill -9),
# tamper evidence (one flipped byte anywhere), replay with the archived
# rule set after the live one changed, a full disk, GET /v1/audit, and
# what a refusal leaves in the trail.
#
#   BISTAND_BUILD=/abs/build/dir bash tests/integration_audit.sh  (from the top)
#
# `make integration` runs it after tests/integration.sh. Output: one
# "ok N - ..." or "not ok N - ..." line per check (diagnostics as "#"
# lines), then "P passed, F failed"; the exit status is non-zero if any
# check failed. Every request has a timeout and every wait is bounded.
# BISTAND_KEEP=1 keeps the temporary directory (configurations, logs,
# state directories) for a look.
#
# The disk-full check mounts a 2 MiB tmpfs (root); where mount is not
# permitted, or with BISTAND_DISKFULL=prlimit, it limits the running
# daemon's file size with prlimit --fsize instead, and says which.
#
# Needs bash, curl, openssl, coreutils, util-linux (mount, prlimit).

if [ -z "${BASH_VERSION:-}" ]; then
	exec bash "$0" "$@"
fi
set -u
export LC_ALL=C

top=$(pwd)
build=${BISTAND_BUILD:?set BISTAND_BUILD to the build directory}
bin=$build/bistandd
ctl=$build/bistandctl
if [ ! -x "$bin" ] || [ ! -x "$ctl" ] || [ ! -f "$top/etc/application.xsd" ] ||
    [ ! -f "$top/tests/audit-verify.sh" ]; then
	echo "integration_audit.sh: run from the top of the tree, with $bin" \
	    "and $ctl built" >&2
	exit 2
fi

t_start=$SECONDS
tmp=$(mktemp -d "${TMPDIR:-/tmp}/bistand-ita.XXXXXX") || exit 2
tls=$tmp/tls
pids=()			# every background process we start
mnt=			# the tmpfs mount point, once mounted
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
	if [ -n "$mnt" ]; then
		if [ -n "${BISTAND_KEEP:-}" ]; then
			mkdir -p "$tmp/full-copy"
			cp -a "$mnt/." "$tmp/full-copy/" 2>/dev/null
		fi
		umount "$mnt" 2>/dev/null || umount -l "$mnt" 2>/dev/null ||
		    echo "# cannot unmount $mnt" >&2
	fi
	if [ -n "${BISTAND_KEEP:-}" ]; then
		echo "# kept $tmp" >&2
	else
		rm -rf "$tmp"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- reporting ------------------------------------------------------

# BISTAND_TIMING=1: each result line also says when (seconds).
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
		printf '%s\n' "$l" | sed 's/^/#   /'
	done
}

# check DESCRIPTION CONDITION-STATUS [DIAGNOSTIC LINE...]
check() {
	local d=$1 st=$2
	shift 2
	if [ "$st" = 0 ]; then pass "$d"; else fail "$d" "$@"; fi
}

note() {
	echo "# $*"
}

# --- the daemon -----------------------------------------------------

# write_conf FILE STATE_DIR RULES_DIR [EXTRA SETTING LINES...]
write_conf() {
	local f=$1 state=$2 rules=$3 l
	shift 3
	{
		echo "listen 127.0.0.1:0"
		echo "tls_certificate $tls/server.crt"
		echo "tls_key $tls/server.key"
		echo "tls_client_ca $tls/ca.crt"
		echo "state_dir $state"
		echo "schema_dir $top/etc"
		echo "rules_dir $rules"
		echo "examples_dir $top/etc/examples"
		echo "shutdown_timeout 5"
		for l in "$@"; do
			echo "$l"
		done
	} > "$f"
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

# kill9 PID: SIGKILL, wait until it is gone (disowned first, so that
# bash does not report the kill).
kill9() {
	disown "$1" 2>/dev/null
	kill -9 "$1" 2>/dev/null
	wait_exit "$1" 5
}

log_mark() {
	if [ -f "$1" ]; then wc -l < "$1" | tr -d ' '; else echo 0; fi
}

# log_wait LOG MARK ERE [SECONDS]: wait until a line after MARK matches.
log_wait() {
	local i n=$((${4:-3} * 10))
	for i in $(seq 1 "$n"); do
		tail -n +"$(($2 + 1))" "$1" | grep -Eq -- "$3" && return 0
		sleep 0.1
	done
	return 1
}

log_since() {
	tail -n +"$(($2 + 1))" "$1" | head -n "${3:-10}"
}

# --- requests -------------------------------------------------------

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

# post FILE [CURL ARGS...]: POST FILE to /v1/applications as eservice.
post() {
	local file=$1
	shift
	req eservice POST /v1/applications -H 'Content-Type: application/xml' \
	    --data-binary @"$file" "$@"
}

body_code() {
	sed -n 's:.*<code>\([^<]*\)</code>.*:\1:p' "$tmp/body" | head -n 1
}

what() {
	echo "HTTP $code, curl exit $rc, code '$(body_code)'"
	head -c 300 "$tmp/body"; echo
	head -n 3 "$tmp/curlerr"
}

# header NAME: the value of a response header of the last req.
header() {
	tr -d '\r' < "$tmp/hdr" | sed -n "s/^$1: *//Ip" | head -n 1
}

# xml_value ELEMENT FILE: the text of the first ELEMENT.
xml_value() {
	sed -n "s:.*<$1>\\([^<]*\\)</$1>.*:\\1:p" "$2" | head -n 1
}

# --- documents --------------------------------------------------------

# mkapp SRC ID OUT [PNR NEWPNR]: SRC with <id> set to ID (and every
# occurrence of PNR replaced by NEWPNR).
mkapp() {
	local s="s:<id>[^<]*</id>:<id>$2</id>:"
	if [ $# -ge 5 ]; then
		sed -e "0,/<id>/$s" -e "s/$4/$5/g" "$1" > "$3"
	else
		sed -e "0,/<id>/$s" "$1" > "$3"
	fi
}

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

# pnr_variant PNR SERIAL: the same birth date, another serial number
# (3 digits), a valid check digit.
pnr_variant() {
	local base=${1:0:8}$2
	echo "$base$(luhn "${base:2:9}")"
}

# --- the trail --------------------------------------------------------

# trail_case STATE ID: the records whose payload holds id=ID.
trail_case() {
	awk -F'\t' -v want="id=$2" '{
		n = split($6, p, "&")
		for (i = 1; i <= n; i++) if (p[i] == want) { print; break }
	}' "$1/audit.trail"
}

# trail_count STATE TYPE [PAYLOAD-PAIR]: number of TYPE records (with
# that KEY=VALUE pair).
trail_count() {
	awk -F'\t' -v t="$2" -v want="${3:-}" '$3 == t {
		if (want == "") { c++; next }
		n = split($6, p, "&")
		for (i = 1; i <= n; i++) if (p[i] == want) { c++; break }
	} END { print c + 0 }' "$1/audit.trail"
}

# verify_both STATE [--documents] [ARGS...]: run both verifiers (only
# audit-verify.sh checks documents); sets vc_rc, vc_out, vs_rc, vs_out.
verify_both() {
	local d=$1 docs=
	shift
	if [ "${1:-}" = --documents ]; then
		docs=--documents
		shift
	fi
	vc_out=$("$ctl" audit verify --state "$d" "$@" 2>&1)
	vc_rc=$?
	vs_out=$(sh "$top/tests/audit-verify.sh" "$d" $docs "$@" 2>&1)
	vs_rc=$?
}

# --- set-up ---------------------------------------------------------

if ! sh tests/mkcerts.sh "$tls" extra > "$tmp/mkcerts.log" 2>&1; then
	cat "$tmp/mkcerts.log"
	echo "integration_audit.sh: mkcerts.sh failed" >&2
	exit 2
fi
examples=("$top"/etc/examples/*.xml)
if [ ! -f "${examples[0]}" ]; then
	echo "integration_audit.sh: no examples in etc/examples" >&2
	exit 2
fi
ex=${examples[0]}
# A single adult, 2023: the rule-change check edits that norm figure.
ex_single=$top/etc/examples/shared-dwelling.xml
logs=()

# ====================================================================
# A. One daemon for the refusal, GET /v1/audit and the rule change.
# ====================================================================

rules=$tmp/rules
cp -r "$top/rules" "$rules"
mkdir -p "$tmp/main"
conf=$tmp/main.conf
log=$tmp/main.log
logs+=("$log")
# No periodic checkpoint: the trail changes only when we make it.
write_conf "$conf" "$tmp/main" "$rules" "audit_checkpoint_seconds 86400"
if ! start_daemon "$conf" "$log"; then
	fail "daemon starts on a fresh state directory" "$(tail -n 20 "$log")"
	echo "$npass passed, $nfail failed"
	exit 1
fi
mainpid=$dpid
# The rule set's record is written after start-up, by the writer thread:
# wait for it, so that the trail grows only by what we do below.
for i in $(seq 1 50); do
	[ "$(trail_count "$tmp/main" ruleset)" -ge 1 ] && break
	sleep 0.1
done

# --- 6. a refusal leaves a refused record and nothing else ------------

mkapp "$ex" REF-1 "$tmp/ref1.xml"
sed -i '0,/<\/id>/s:</id>:</id><bogus>1</bogus>:' "$tmp/ref1.xml"
sha=$(sha256sum < "$tmp/ref1.xml" | cut -d' ' -f1)
size=$(wc -c < "$tmp/ref1.xml" | tr -d ' ')
n0=$(wc -l < "$tmp/main/audit.trail")
nrecv0=$(trail_count "$tmp/main" received)
post "$tmp/ref1.xml"
st0=$code; bc0=$(body_code)
new=$(tail -n +"$((n0 + 1))" "$tmp/main/audit.trail")
d="schema-invalid application: 400 SCHEMA_VIOLATION, exactly one new record:"
d="$d refused by eservice:e-tjanst with status, code, sha256, size"
if [ "$st0" = 400 ] && [ "$bc0" = SCHEMA_VIOLATION ] &&
    [ "$(printf '%s\n' "$new" | grep -c .)" = 1 ] &&
    printf '%s\n' "$new" | awk -F'\t' -v sha="$sha" -v size="$size" '
	$3 == "refused" && $4 == "eservice:e-tjanst" &&
	("&" $6 "&") ~ "&status=400&" && ("&" $6 "&") ~ "&code=SCHEMA_VIOLATION&" &&
	("&" $6 "&") ~ ("&sha256=" sha "&") && ("&" $6 "&") ~ ("&size=" size "&") \
	{ ok = 1 } END { exit !ok }'; then
	pass "$d"
else
	fail "$d" "$(what)" "new records: $(printf '%s' "$new" | cut -c1-300)"
fi
req eservice GET /v1/applications/REF-1
d="the refused application has no received record (none with its sha256,"
d="$d none with its id) and GET gives 404"
if [ "$(trail_count "$tmp/main" received)" = "$nrecv0" ] &&
    [ "$(trail_count "$tmp/main" received "sha256=$sha")" = 0 ] &&
    [ -z "$(trail_case "$tmp/main" REF-1)" ] && [ "$code" = 404 ]; then
	pass "$d"
else
	fail "$d" "received before $nrecv0, now $(trail_count "$tmp/main" received)" \
	    "GET: $(what)" "$(trail_case "$tmp/main" REF-1 | cut -c1-200)"
fi

# The same id again with other bytes: 409, a refused record with the id,
# and still exactly the one received record.
mkapp "$ex" REF-2 "$tmp/ref2.xml"
post "$tmp/ref2.xml"
c1=$code
cp "$tmp/body" "$tmp/ref2.201"
{ cat "$tmp/ref2.xml"; echo '<!-- other bytes -->'; } > "$tmp/ref2b.xml"
post "$tmp/ref2b.xml"
c2=$code; bc2=$(body_code)
req eservice GET /v1/applications/REF-2
d="same id, other bytes: 409 CONFLICT, a refused record (status=409, id)"
d="$d and still one received record; the stored decision is unchanged"
if [ "$c1" = 201 ] && [ "$c2" = 409 ] && [ "$bc2" = CONFLICT ] &&
    [ "$(trail_count "$tmp/main" refused id=REF-2)" = 1 ] &&
    [ "$(trail_count "$tmp/main" refused status=409)" = 1 ] &&
    [ "$(trail_count "$tmp/main" received id=REF-2)" = 1 ] &&
    [ "$code" = 200 ] && cmp -s "$tmp/body" "$tmp/ref2.201"; then
	pass "$d"
else
	fail "$d" "first POST $c1, second $c2 $bc2, GET $code" \
	    "$(trail_case "$tmp/main" REF-2 | cut -f1-4)"
fi

# --- 5. GET /v1/audit ----------------------------------------------

mkapp "$ex" AUD-1 "$tmp/aud1.xml"
post "$tmp/aud1.xml"
ca1=$code
t1=$(trail_case "$tmp/main" AUD-1 | tail -n 1 | cut -f2)
e1=$(date -u -d "$t1" +%s 2>/dev/null || echo 0)
# The next whole second: every record of AUD-2 is at or after F, every
# record before it earlier than F.
for i in $(seq 1 30); do
	[ "$EPOCHSECONDS" -gt "$e1" ] && break
	sleep 0.1
done
fe=$EPOCHSECONDS
F=$(date -u -d "@$fe" +%Y-%m-%dT%H:%M:%SZ)
Fm1=$(date -u -d "@$((fe - 1))" +%Y-%m-%dT%H:%M:%SZ)
Fp60=$(date -u -d "@$((fe + 60))" +%Y-%m-%dT%H:%M:%SZ)
Foff=$(date -u -d "@$((fe + 3600))" +%Y-%m-%dT%H:%M:%S)+01:00
mkapp "$ex" AUD-2 "$tmp/aud2.xml"
post "$tmp/aud2.xml"
ca2=$code
if [ "$ca1" != 201 ] || [ "$ca2" != 201 ] || [ "$e1" -ge "$fe" ]; then
	fail "two applications for the audit queries: 201 each, a second apart" \
	    "AUD-1 $ca1 at $t1, AUD-2 $ca2, F $F"
fi

trail_case "$tmp/main" AUD-1 > "$tmp/aud1.want"
req auditor GET "/v1/audit?case=AUD-1"
d="GET /v1/audit?case=AUD-1 (auditor): exactly that case's records, verbatim"
d="$d as in audit.trail (received, evaluated)"
nl=$(grep -c . "$tmp/body")
missing=0
while IFS= read -r l; do
	grep -qxF -- "$l" "$tmp/main/audit.trail" || missing=$((missing + 1))
done < "$tmp/body"
if [ "$code" = 200 ] && cmp -s "$tmp/body" "$tmp/aud1.want" &&
    [ "$nl" -ge 2 ] && [ "$missing" = 0 ] &&
    [ "$(cut -f3 "$tmp/body" | tr '\n' ' ')" = "received evaluated " ]; then
	pass "$d"
else
	fail "$d" "HTTP $code, $nl lines, $missing not verbatim in the trail" \
	    "got types: $(cut -f3 "$tmp/body" | tr '\n' ' ')" \
	    "want: $(cut -f1,3 "$tmp/aud1.want" | tr '\n\t' '; ')"
fi

# from= / to=: compare with the trail's own TIME fields.
req auditor GET "/v1/audit?from=$F"
awk -F'\t' -v f="$F" 'substr($2, 1, 19) "Z" >= f' "$tmp/main/audit.trail" \
    > "$tmp/from.want"
cp "$tmp/body" "$tmp/from.got"
cfrom=$code
req auditor GET "/v1/audit?from=${Foff/+/%2B}"
cfoff=$code
cp "$tmp/body" "$tmp/foff.got"
req auditor GET "/v1/audit?to=$Fm1"
awk -F'\t' -v t="$Fm1" 'substr($2, 1, 19) "Z" <= t' "$tmp/main/audit.trail" \
    > "$tmp/to.want"
cp "$tmp/body" "$tmp/to.got"
cto=$code
req auditor GET "/v1/audit?case=AUD-2&from=$F&to=$Fp60"
d="from=$F returns exactly the records from then on (AUD-2's, not"
d="$d AUD-1's); the same time as +01:00; to=$Fm1 exactly those up to then"
if [ "$cfrom" = 200 ] && [ "$cfoff" = 200 ] && [ "$cto" = 200 ] &&
    [ -s "$tmp/from.want" ] && [ -s "$tmp/to.want" ] &&
    cmp -s "$tmp/from.got" "$tmp/from.want" &&
    cmp -s "$tmp/foff.got" "$tmp/from.want" &&
    cmp -s "$tmp/to.got" "$tmp/to.want" &&
    grep -q 'id=AUD-2' "$tmp/from.got" && ! grep -q 'id=AUD-1' "$tmp/from.got" &&
    grep -q 'id=AUD-1' "$tmp/to.got" && ! grep -q 'id=AUD-2' "$tmp/to.got"
then
	pass "$d"
else
	fail "$d" "HTTP from $cfrom, offset $cfoff, to $cto" \
	    "from: got $(wc -l < "$tmp/from.got") lines, want $(wc -l < "$tmp/from.want")" \
	    "offset form: got $(wc -l < "$tmp/foff.got") lines" \
	    "to: got $(wc -l < "$tmp/to.got") lines, want $(wc -l < "$tmp/to.want")"
fi
d="case=AUD-2&from=F&to=F+60s: AUD-2's records (received, evaluated) only"
trail_case "$tmp/main" AUD-2 > "$tmp/aud2.want"
if [ "$code" = 200 ] && [ "$(cut -f3 "$tmp/aud2.want" | tr '\n' ' ')" = \
    "received evaluated " ] && cmp -s "$tmp/body" "$tmp/aud2.want"; then
	pass "$d"
else
	fail "$d" "HTTP $code, got $(wc -l < "$tmp/body") lines," \
	    "want $(wc -l < "$tmp/aud2.want")"
fi

# Bad queries, in one curl.
bad=""
qs=('after=x' 'after=-1' 'limit=0' 'limit=10001' 'limit=abc'
    'from=yesterday' 'to=2026-13-01T00:00:00Z' 'from=2026-01-01T00:00:00'
    'case=a%2Fb' "case=$(printf 'x%.0s' $(seq 1 65))")
mkdir -p "$tmp/badq"
for k in "${!qs[@]}"; do
	printf 'url = "https://127.0.0.1:%s/v1/audit?%s"\noutput = "%s/%s"\n' \
	    "$port" "${qs[$k]}" "$tmp/badq" "$k"
done > "$tmp/badq.cfg"
curl -s --max-time 10 --cacert "$tls/ca.crt" --cert "$tls/auditor.crt" \
    --key "$tls/auditor.key" -w '%{http_code}\n' -K "$tmp/badq.cfg" \
    > "$tmp/badq.codes" 2>/dev/null
for k in "${!qs[@]}"; do
	c=$(sed -n "$((k + 1))p" "$tmp/badq.codes")
	bc=$(sed -n 's:.*<code>\([^<]*\)</code>.*:\1:p' "$tmp/badq/$k" 2>/dev/null)
	if [ "$c" != 400 ] || [ "$bc" != INVALID_QUERY ]; then
		bad="$bad ${qs[$k]}:$c/$bc"
	fi
done
d="bad queries (after=x, limit=0, limit=10001, from=yesterday, a time"
d="$d without offset, case=a/b, a 65-character id, ...): 400 INVALID_QUERY"
check "$d" "$([ -z "$bad" ]; echo $?)" "wrong:$bad"

# 403 for eservice and caseworker, each leaving a forbidden record.
for c in eservice caseworker; do
	n0=$(wc -l < "$tmp/main/audit.trail")
	req "$c" GET "/v1/audit?case=AUD-1"
	cn=$(openssl x509 -in "$tls/$c.crt" -noout -subject -nameopt multiline |
	    sed -n 's/^ *commonName *= *//p')
	new=$(tail -n +"$((n0 + 1))" "$tmp/main/audit.trail")
	d="GET /v1/audit as $c: 403 FORBIDDEN, one forbidden record"
	d="$d ($c:$cn, method=GET, path=/v1/audit, status=403)"
	if [ "$code" = 403 ] && [ "$(body_code)" = FORBIDDEN ] &&
	    [ "$(printf '%s\n' "$new" | grep -c .)" = 1 ] &&
	    [ "$(printf '%s\n' "$new" | cut -f3,4,6)" = \
	    "forbidden	$c:$cn	method=GET&path=/v1/audit&status=403" ]; then
		pass "$d"
	else
		fail "$d" "$(what)" "new records: $(printf '%s' "$new" |
		    cut -f1,3,4,6)"
	fi
done

# Paging: limit=3 pages, following X-Audit-Next-After, give the whole
# trail (nothing writes to it now: no periodic checkpoints here).
cp "$tmp/main/audit.trail" "$tmp/trail.snap"
: > "$tmp/pages"
after=0
pages=0
pagebad=""
while [ "$pages" -lt 200 ]; do
	req auditor GET "/v1/audit?after=$after&limit=3"
	pages=$((pages + 1))
	if [ "$code" != 200 ]; then
		pagebad="$pagebad page $pages HTTP $code;"
		break
	fi
	cat "$tmp/body" >> "$tmp/pages"
	next=$(header X-Audit-Next-After)
	lines=$(grep -c . "$tmp/body")
	lastseq=$(tail -n 1 "$tmp/body" | cut -f1)
	[ "$lines" -le 3 ] || pagebad="$pagebad page $pages has $lines lines;"
	[ -z "$next" ] && break
	[ "$lines" = 3 ] && [ "$next" = "$lastseq" ] ||
	    pagebad="$pagebad page $pages: $lines lines, next '$next', last $lastseq;"
	after=$next
done
ntrail=$(wc -l < "$tmp/trail.snap")
d="after= and limit=3 page through all $ntrail records with X-Audit-Next-After"
d="$d ($pages pages), the last page without it"
if [ -z "$pagebad" ] && cmp -s "$tmp/pages" "$tmp/trail.snap" &&
    [ "$pages" = $(((ntrail + 2) / 3)) ]; then
	pass "$d"
else
	fail "$d" "$pagebad" "paged $(wc -l < "$tmp/pages") lines, trail $ntrail"
fi
req auditor GET "/v1/audit?after=2&limit=2"
d="after=2&limit=2: records 3 and 4, X-Audit-Next-After: 4"
if [ "$code" = 200 ] && [ "$(cut -f1 "$tmp/body" | tr '\n' ' ')" = "3 4 " ] &&
    [ "$(header X-Audit-Next-After)" = 4 ] &&
    cmp -s "$tmp/body" <(sed -n 3,4p "$tmp/trail.snap"); then
	pass "$d"
else
	fail "$d" "$(what)" "next: $(header X-Audit-Next-After)"
fi
req auditor GET "/v1/audit?after=$ntrail"
d="after=<last SEQ>: 200, empty, no X-Audit-Next-After"
if [ "$code" = 200 ] && [ ! -s "$tmp/body" ] &&
    [ -z "$(header X-Audit-Next-After)" ]; then
	pass "$d"
else
	fail "$d" "$(what)"
fi

# --- 3. replay after the live rule set changed ------------------------

pnr=$(xml_value personnummer "$ex_single")
pnrB=$(pnr_variant "$pnr" 871)
pnrC=$(pnr_variant "$pnr" 872)
mkapp "$ex_single" RUL-A "$tmp/rula.xml"
mkapp "$ex_single" RUL-B "$tmp/rulb.xml" "$pnr" "$pnrB"
mkapp "$ex_single" RUL-C "$tmp/rulc.xml" "$pnr" "$pnrC"
post "$tmp/rula.xml"
cA=$code
cp "$tmp/body" "$tmp/rula.dec"
hashA=$(xml_value rule-set "$tmp/rula.dec")
rs=$rules/params/riksnorm_2023.lua
d="the live rule set is edited (riksnorm 2023 single adult 3490 -> 3590)"
if [ "$cA" = 201 ] && grep -q '^[[:space:]]*single = 3490,' "$rs"; then
	sed -i 's/^\([[:space:]]*single = \)3490,/\13590,/' "$rs"
	pass "$d; case RUL-A decided before: 201, rule set ${hashA:0:12}"
else
	fail "$d" "RUL-A: HTTP $cA; $(grep -n 'single' "$rs" | head -n 2)"
fi
m=$(log_mark "$log")
kill -HUP "$mainpid"
log_wait "$log" "$m" 'reload: .*rule set [0-9a-f]+ .*reloaded' 10
st=$?
newhash=$(log_since "$log" "$m" 50 |
    sed -n 's/.*reload: .*rule set \([0-9a-f]*\) .*reloaded.*/\1/p' | head -n 1)
post "$tmp/rulb.xml"
cB=$code
cp "$tmp/body" "$tmp/rulb.dec"
hashB=$(xml_value rule-set "$tmp/rulb.dec")
amtA=$(xml_value amount "$tmp/rula.dec")
amtB=$(xml_value amount "$tmp/rulb.dec")
d="SIGHUP: log says reloaded with rule set ${newhash:-?}; a new case"
d="$d (RUL-B, another person) is decided with it, differently (norm 3590"
d="$d instead of 3490${amtA:+, amount $amtA -> $amtB})"
if [ "$st" = 0 ] && [ -n "$newhash" ] && [ "$cB" = 201 ] &&
    [ "${hashB:0:12}" = "$newhash" ] && [ "$hashB" != "$hashA" ] &&
    grep -q 'kind="norm" amount="3490"' "$tmp/rula.dec" &&
    grep -q 'kind="norm" amount="3590"' "$tmp/rulb.dec" &&
    ! grep -q 'kind="norm" amount="3490"' "$tmp/rulb.dec" &&
    { [ -z "$amtA" ] || [ "$amtB" = $((amtA + 100)) ]; }; then
	pass "$d"
else
	fail "$d" "log: $(log_since "$log" "$m" 5)" "RUL-B HTTP $cB, rule set" \
	    "$hashB (A: $hashA), amounts '$amtA' '$amtB'" \
	    "$(grep 'kind="norm"' "$tmp/rulb.dec" | head -n 2)"
fi
out=$("$ctl" audit replay -f "$conf" --case RUL-A 2>&1); st=$?
d="bistandctl audit replay --case RUL-A (decided before the change):"
d="$d exit 0, \"the same decision\", with the archived rule set ${hashA:0:12}"
if [ $st = 0 ] && printf '%s' "$out" | grep -q 'the same decision' &&
    printf '%s' "$out" | grep -q "${hashA:0:12}" &&
    [ -d "$tmp/main/rulesets/$hashA" ]; then
	pass "$d"
else
	fail "$d" "exit $st: $(printf '%s' "$out" | head -n 8)"
fi
# The live rule set would decide RUL-A otherwise: replay did not use it.
out=$("$ctl" eval -f "$conf" "$tmp/rula.xml" 2>&1); st=$?
d="bistandctl eval of RUL-A with the live rules gives the new norm (3590),"
d="$d so replay's \"same\" came from the archive"
if [ $st = 0 ] && printf '%s' "$out" | grep -q 'kind="norm" amount="3590"'; then
	pass "$d"
else
	fail "$d" "exit $st: $(printf '%s' "$out" | head -n 5)"
fi
out=$("$ctl" audit replay -f "$conf" --case RUL-B 2>&1); st=$?
check "bistandctl audit replay --case RUL-B (after the change): the same decision" \
    "$([ $st = 0 ] && printf '%s' "$out" | grep -q 'the same decision'; echo $?)" \
    "exit $st: $(printf '%s' "$out" | head -n 8)"

# A rule set with a syntax error: refused on SIGHUP, the old one serves.
echo 'municipal.bank_buffer = = 1 -- a syntax error' >> "$rules/params/municipal.lua"
m=$(log_mark "$log")
kill -HUP "$mainpid"
d="SIGHUP with a syntax error in the rule set: log says reload failed, names params/municipal.lua:LINE"
if log_wait "$log" "$m" 'reload failed.*municipal\.lua:[0-9]+: ' 10; then
	pass "$d"
else
	fail "$d" "$(log_since "$log" "$m" 5)"
fi
req eservice GET /healthz
ch=$code
post "$tmp/rulc.xml"
cC=$code
cp "$tmp/body" "$tmp/rulc.dec"
d="after the refused reload the daemon serves (healthz $ch) and decides"
d="$d RUL-C with the previous rule set ${hashB:0:12} (norm 3590)"
if [ "$ch" = 200 ] && [ "$cC" = 201 ] &&
    [ "$(xml_value rule-set "$tmp/rulc.dec")" = "$hashB" ] &&
    grep -q 'kind="norm" amount="3590"' "$tmp/rulc.dec" &&
    ! log_since "$log" "$m" 50 | grep -q 'reloaded'; then
	pass "$d"
else
	fail "$d" "HTTP $cC, rule set $(xml_value rule-set "$tmp/rulc.dec")" \
	    "$(log_since "$log" "$m" 5)"
fi
out=$("$ctl" audit replay -f "$conf" --case RUL-A 2>&1); st=$?
check "replay of RUL-A still the same decision while the live rule set is broken" \
    "$([ $st = 0 ] && printf '%s' "$out" | grep -q 'the same decision'; echo $?)" \
    "exit $st: $(printf '%s' "$out" | head -n 8)"

d="SIGTERM: exit 0; the trail ends in a checkpoint; bistandctl audit verify"
d="$d and audit-verify.sh --documents say OK"
if stop_daemon "$mainpid"; then
	verify_both "$tmp/main" --documents
	vd=$vs_out
	if [ "$vc_rc" = 0 ] && [ "$vs_rc" = 0 ] &&
	    printf '%s' "$vd" | grep -q '^documents: [1-9][0-9]* checked' &&
	    [ "$(tail -n 1 "$tmp/main/audit.trail" | cut -f3)" = checkpoint ]
	then
		pass "$d"
	else
		fail "$d" "bistandctl ($vc_rc): $vc_out" "audit-verify.sh ($vs_rc): $vs_out" \
		    "$vd"
	fi
else
	fail "$d" "exit status '${estatus:-still running}'" "$(tail -n 5 "$log")"
fi

note "A took $((SECONDS - t_start)) s"
t_b=$SECONDS
# ====================================================================
# B. kill -9 under load, recovery, and one flipped byte anywhere.
# ====================================================================

k9=$tmp/k9
mkdir -p "$k9/state" "$k9/docs" "$k9/resp" "$k9/re" "$k9/get"
kconf=$tmp/k9.conf
klog=$tmp/k9.log
logs+=("$klog")
write_conf "$kconf" "$k9/state" "$top/rules" "audit_checkpoint_records 40"

# mkapps SRC PREFIX FROM TO DIR: DIR/PREFIX<k>.xml for k = FROM..TO,
# each SRC with <id> PREFIX<k> (one awk for the lot).
mkapps() {
	awk -v pre="$2" -v a="$3" -v b="$4" -v dir="$5" '
	{ line[NR] = $0 }
	END {
		for (k = a; k <= b; k++) {
			f = dir "/" pre k ".xml"
			done = 0
			for (i = 1; i <= NR; i++) {
				l = line[i]
				if (!done && sub(/<id>[^<]*<\/id>/, "<id>" pre k "</id>", l))
					done = 1
				print l > f
			}
			close(f)
		}
	}' "$1"
}

# bulk_post IDS-FILE OUTDIR [PORT [WORK [PARALLEL]]]: POST
# $k9/docs/ID.xml for each id, the body to OUTDIR/ID, in one curl
# (keep-alive; PARALLEL connections, default 1); prints "ID STATUS" per
# id, in the order of IDS-FILE.
bulk_post() {
	local id first=1 bport=${3:-$port} work=${4:-$tmp/bulkpost}
	[ -s "$1" ] || return 0
	while read -r id; do
		[ $first = 1 ] || echo next
		first=0
		printf 'url = "https://127.0.0.1:%s/v1/applications"\n' "$bport"
		printf 'cacert = "%s"\ncert = "%s"\nkey = "%s"\n' "$tls/ca.crt" \
		    "$tls/eservice.crt" "$tls/eservice.key"
		printf 'header = "Content-Type: application/xml"\n'
		printf 'data-binary = "@%s"\n' "$k9/docs/$id.xml"
		printf 'output = "%s/%s"\n' "$2" "$id"
		printf 'write-out = "%%{filename_effective} %%{http_code}\\n"\n'
		printf 'max-time = 10\nsilent\n'
	done < "$1" > "$work.cfg"
	timeout 120 curl -Z --parallel-max "${5:-1}" -K "$work.cfg" \
	    > "$work.codes" 2> "$work.err"
	bulk_order "$1" "$work.codes"
}

# bulk_order IDS-FILE CODES: "PATH/ID STATUS" lines (any order) as
# "ID STATUS" in the order of IDS-FILE ("ID -" if missing).
bulk_order() {
	awk 'NR == FNR { n = split($1, p, "/"); c[p[n]] = $2; next }
	    { print $1, ($1 in c) ? c[$1] : "-" }' "$2" "$1"
}

# k9_client N: one client: until $k9/stop exists (at most 30 s),
# batches of 4 distinct applications, each batch one curl run over one
# keep-alive connection (a new one after a failure); appends
# "ID HTTP-STATUS" per request to $k9/clientN.out.
k9_client() {
	local i=$1 n=0 k id c t0=$SECONDS
	local src=${examples[$((i % ${#examples[@]}))]}
	while [ ! -e "$k9/stop" ] && [ $((SECONDS - t0)) -lt 30 ]; do
		mkapps "$src" "K9-$i-" $((n + 1)) $((n + 4)) "$k9/docs"
		for k in 1 2 3 4; do
			echo "K9-$i-$((n + k))"
		done > "$k9/batch$i"
		n=$((n + 4))
		bulk_post "$k9/batch$i" "$k9/resp" "$kport" "$k9/work$i" |
		while read -r id c; do
			# Acknowledged only with the decision of this very id.
			if [ "$c" = 201 ] && ! grep -q \
			    "<application-id>$id</application-id>" "$k9/resp/$id"
			then
				c=201-wrong-body
			fi
			echo "$id $c"
		done >> "$k9/client$i.out"
		grep -q ' 000$' "$k9/client$i.out" && sleep 0.1
	done
}

# bulk_get IDS-FILE OUTDIR: GET each id (8 keep-alive connections in
# one curl), the body to OUTDIR/ID; prints "ID STATUS" per id.
bulk_get() {
	local id
	[ -s "$1" ] || return 0
	while read -r id; do
		printf 'url = "https://127.0.0.1:%s/v1/applications/%s"\n' "$port" "$id"
		printf 'output = "%s/%s"\n' "$2" "$id"
	done < "$1" > "$tmp/bulk.cfg"
	timeout 120 curl -Z --parallel-max 8 -s --max-time 10 \
	    --cacert "$tls/ca.crt" --cert "$tls/eservice.crt" \
	    --key "$tls/eservice.key" -w '%{filename_effective} %{http_code}\n' \
	    -K "$tmp/bulk.cfg" > "$tmp/bulk.codes" 2> "$tmp/bulk.err"
	bulk_order "$1" "$tmp/bulk.codes"
}

# acked_check LABEL IDS-FILE: every id GETs 200 with the decision it got
# with its 201. Sets ok_get (count) and get_bad.
acked_check() {
	bulk_get "$2" "$k9/get" > "$tmp/get.res"
	ok_get=0
	get_bad=""
	while read -r id c; do
		if [ "$c" = 200 ] && cmp -s "$k9/get/$id" "$k9/resp/$id"; then
			ok_get=$((ok_get + 1))
		else
			get_bad="$get_bad $id:$c"
		fi
	done < "$tmp/get.res"
}

if ! start_daemon "$kconf" "$klog"; then
	fail "daemon for the kill -9 test starts" "$(tail -n 20 "$klog")"
else
	kpid=$dpid
	kport=$port
	t0=${EPOCHREALTIME/./}
	cl=()
	for i in 1 2 3 4 5 6 7 8; do
		k9_client "$i" &
		cl+=($!)
		pids+=($!)
	done
	# The kill: 1.5 s into the run, once the daemon has answered at
	# least 16 of them 201 (at most 10 s); the clients go on until 3 s
	# (at least 0.5 s after the kill), so some are cut off mid-request.
	ms=0
	for i in $(seq 1 200); do
		ms=$(((${EPOCHREALTIME/./} - t0) / 1000))
		[ "$ms" -ge 1500 ] && [ "$(grep -c 'status=201' "$klog")" -ge 16 ] &&
		    break
		[ "$ms" -ge 10000 ] && break
		sleep 0.05
	done
	kill_at=$ms
	acked_before=$(grep -c 'status=201' "$klog")
	kill9 "$kpid"
	sleep 0.5
	for i in $(seq 1 30); do
		[ $(((${EPOCHREALTIME/./} - t0) / 1000)) -ge 3000 ] && break
		sleep 0.1
	done
	run_ms=$(((${EPOCHREALTIME/./} - t0) / 1000))
	touch "$k9/stop"
	for i in $(seq 1 150); do
		alive=0
		for p in "${cl[@]}"; do
			kill -0 "$p" 2>/dev/null && alive=1
		done
		[ $alive = 0 ] && break
		sleep 0.1
	done
	for p in "${cl[@]}"; do
		kill "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	cat "$k9"/client*.out > "$k9/all.out"
	total=$(wc -l < "$k9/all.out")
	awk '$2 == 201 { print $1 }' "$k9/all.out" | sort > "$k9/acked"
	nacked=$(wc -l < "$k9/acked")
	wrong=$(awk '$2 != 201 && $2 != "000"' "$k9/all.out" | head -n 5)
	torn_real=no
	[ "$(tail -c 1 "$k9/state/audit.trail" | od -An -tx1 | tr -d ' ')" = 0a ] ||
	    torn_real=yes
	nnone=$(grep -c ' 000$' "$k9/all.out")
	d="kill -9 at ${kill_at} ms while 8 clients submit for $run_ms ms:"
	d="$d $total requests, $nacked acknowledged (the daemon had logged"
	d="$d $acked_before 201s before the kill), $nnone unanswered (in flight"
	d="$d or after the kill), no other answer"
	if [ "$acked_before" -ge 8 ] && [ "$nacked" -ge 8 ] &&
	    [ "$nnone" -ge 1 ] && [ -z "$wrong" ]; then
		pass "$d"
	else
		fail "$d" "unexpected answers: $wrong" "per client:" \
		    "$(for f in "$k9"/client*.out; do echo "${f##*/}: $(cut -d' ' -f2 "$f" |
		    uniq -c | tr -s ' \n' ' ')"; done)"
	fi

	m=$(log_mark "$klog")
	if start_daemon "$kconf" "$klog"; then
		kpid=$dpid
		cut_log=$(log_since "$klog" "$m" 20 | grep 'cut a torn tail')
		note "the crash left a torn tail: $torn_real;" \
		    "${cut_log:+log: ${cut_log#*warning }}"
		acked_check "after kill -9" "$k9/acked"
		d="restart after kill -9: all $nacked acknowledged ids served by GET"
		d="$d (200, the decision they were sent): $ok_get recovered"
		check "$d" "$([ "$ok_get" = "$nacked" ] && [ "$nacked" -gt 0 ]; echo $?)" \
		    "missing or different:$(echo "$get_bad" | cut -c1-400)"
		bulk_post "$k9/acked" "$k9/re" "$port" "$tmp/repost" 8 > "$tmp/post.res"
		reok=0
		rebad=""
		while read -r id c; do
			if [ "$c" = 200 ] && cmp -s "$k9/re/$id" "$k9/resp/$id"; then
				reok=$((reok + 1))
			else
				rebad="$rebad $id:$c"
			fi
		done < "$tmp/post.res"
		d="re-POSTing each of the $nacked acknowledged applications: 200 with"
		d="$d the stored decision ($reok), nothing stored twice"
		dup=$(awk -F'\t' '$3 == "received" { n = split($6, p, "&");
		    for (i = 1; i <= n; i++) if (p[i] ~ /^id=/) c[p[i]]++ }
		    END { for (k in c) if (c[k] > 1) print k }' "$k9/state/audit.trail" |
		    head -n 3)
		check "$d" "$([ "$reok" = "$nacked" ] && [ -z "$dup" ]; echo $?)" \
		    "wrong:$(echo "$rebad" | cut -c1-400)" "twice: $dup"
		# Requests that died with the daemon: stored or not, never half.
		grep ' 000$' "$k9/all.out" | cut -d' ' -f1 | sort > "$k9/lost"
		bulk_get "$k9/lost" "$k9/get" > "$tmp/lost.res"
		nstored=$(grep -c ' 200$' "$tmp/lost.res")
		nodd=$(grep -vcE ' (200|404)$' "$tmp/lost.res")
		halves=$(awk -F'\t' '{ n = split($6, p, "&"); for (i = 1; i <= n; i++)
		    if (p[i] ~ /^id=K9-/) { if ($3 == "received") r[p[i]]++;
		    if ($3 == "evaluated") e[p[i]]++ } }
		    END { for (k in r) if (e[k] != 1) print k; for (k in e) if (r[k] != 1) print k }' \
		    "$k9/state/audit.trail" | head -n 3)
		d="the $(wc -l < "$k9/lost") unanswered requests: $nstored stored"
		d="$d (200), the rest 404; every id has one received and one evaluated"
		check "$d" "$([ "$nodd" = 0 ] && [ -z "$halves" ]; echo $?)" \
		    "$(grep -vE ' (200|404)$' "$tmp/lost.res" | head -n 3)" "halves: $halves"

		# A torn tail for certain: kill -9 again, append half a record.
		kill9 "$kpid"
		frag=$(head -n 3 "$k9/state/audit.trail" | tail -n 1 | head -c 100)
		printf '%s' "$frag" > "$k9/frag"
		cat "$k9/frag" >> "$k9/state/audit.trail"
		m=$(log_mark "$klog")
		if start_daemon "$kconf" "$klog" &&
		    log_wait "$klog" "$m" 'cut a torn tail of 100 bytes' 1; then
			kpid=$dpid
			acked_check "after the torn tail" "$k9/acked"
			kept=
			for f in "$k9/state"/audit.trail.torn-*; do
				[ -f "$f" ] && kept=$f
			done
			d="a torn last line (100 bytes, no LF) is cut at start-up, logged,"
			d="$d kept in audit.trail.torn-*; still all $nacked ids served"
			check "$d" "$([ -n "$kept" ] && cmp -s "$kept" "$k9/frag" &&
			    [ "$ok_get" = "$nacked" ]; echo $?)" \
			    "kept: '$kept'; served $ok_get:$(echo "$get_bad" | cut -c1-300)"
		else
			fail "restart with a torn last line: cut and logged" \
			    "$(log_since "$klog" "$m" 10)"
			kpid=$dpid
		fi
		d="SIGTERM after recovery: exit 0, the trail ends in a checkpoint,"
		d="$d bistandctl audit verify and audit-verify.sh --documents say OK"
		if stop_daemon "$kpid"; then
			verify_both "$k9/state" --documents
			vd=$vs_out
			if [ "$vc_rc" = 0 ] && [ "$vs_rc" = 0 ] &&
			    printf '%s' "$vc_out" | grep -q '^OK' &&
			    printf '%s' "$vs_out" | grep -q '^OK' &&
			    printf '%s' "$vd" | grep -q '^documents: [1-9][0-9]* checked' &&
			    [ "$(tail -n 1 "$k9/state/audit.trail" | cut -f3)" = checkpoint ]
			then
				pass "$d"
				note "bistandctl: $vc_out"
			else
				fail "$d" "bistandctl ($vc_rc): $vc_out" \
				    "audit-verify.sh ($vs_rc): $vs_out" "$vd"
			fi
		else
			fail "$d" "exit status '${estatus:-still running}'" \
			    "$(tail -n 5 "$klog")"
		fi
		note "kill -9: $nacked acknowledged, $ok_get recovered," \
		    "$nstored of $(wc -l < "$k9/lost") unanswered stored anyway"
	else
		fail "restart after kill -9 on the same state directory" \
		    "$(log_since "$klog" "$m" 20)"
	fi
fi

note "B (kill -9) took $((SECONDS - t_b)) s"
t_b=$SECONDS
# --- 2. one flipped byte anywhere -------------------------------------

orig=$k9/state
otrail=$orig/audit.trail
if [ -f "$otrail" ] && [ "$(tail -n 1 "$otrail" | cut -f3)" = checkpoint ]; then
	nrec=$(wc -l < "$otrail")
	# The byte offset of each line's start.
	awk '{ print o; o += length($0) + 1 }' "$otrail" > "$tmp/offs"
	off_of() { sed -n "$1p" "$tmp/offs"; }
	line_of() { sed -n "$1p" "$otrail"; }
	mid=$((nrec / 2))
	l=$(line_of "$mid")
	pre=$(printf '%s' "$l" | cut -f1-5)
	pl=$(printf '%s' "$l" | cut -f6)
	pay_off=$(($(off_of "$mid") + ${#pre} + 1 + ${#pl} / 2))
	tabrec=$((nrec / 3 + 1))
	l=$(line_of "$tabrec")
	pre=$(printf '%s' "$l" | cut -f1-3)
	tab_off=$(($(off_of "$tabrec") + ${#pre}))
	last=$(line_of "$nrec")
	lo=$(off_of "$nrec")
	pre=$(printf '%s' "$last" | cut -f1)
	time_off=$((lo + ${#pre} + 1 + 25))	# the last microsecond digit
	pre=${last%%&sig=*}
	sig=${last#*&sig=}
	k=${sig%%[0-9]*}			# the first decimal digit of sig
	sig_off=$((lo + ${#pre} + 5 + ${#k}))
	size=$(wc -c < "$otrail")
	positions="0:1:the first byte|$pay_off:$mid,$((mid + 1)):a payload byte of record $mid"
	positions="$positions|$tab_off:$tabrec,$((tabrec + 1)):the third TAB of record $tabrec"
	positions="$positions|$time_off:$nrec:a digit of the final checkpoint's TIME"
	positions="$positions|$sig_off:$nrec:a digit of the final checkpoint's signature"
	positions="$positions|$((size - 1)):$nrec:the last LF"
	IFS='|' read -r -a plist <<< "$positions"
	for p in "${plist[@]}"; do
		off=${p%%:*}
		rest=${p#*:}
		want=${rest%%:*}
		label=${rest#*:}
		cpd=$tmp/flip
		rm -rf "$cpd"
		mkdir -p "$cpd"
		cp "$otrail" "$orig/audit-key.pub" "$cpd/"
		b=$(od -An -tu1 -j "$off" -N 1 "$cpd/audit.trail" | tr -d ' ')
		nb=$((b ^ 1))
		# shellcheck disable=SC2059
		printf "$(printf '\\%03o' "$nb")" |
		    dd of="$cpd/audit.trail" bs=1 seek="$off" conv=notrunc 2>/dev/null
		verify_both "$cpd"
		nc=$(printf '%s' "$vc_out" | sed -n 's/.*record \([0-9][0-9]*\).*/\1/p' | head -n 1)
		ns=$(printf '%s' "$vs_out" | sed -n 's/.*record \([0-9][0-9]*\).*/\1/p' | head -n 1)
		ok=1
		[ "$vc_rc" != 0 ] && [ "$vs_rc" != 0 ] || ok=0
		case ",$want," in *",$nc,"*) ;; *) ok=0 ;; esac
		case ",$want," in *",$ns,"*) ;; *) ok=0 ;; esac
		d=$(printf 'byte %d flipped (%s, 0x%02x -> 0x%02x): both verifiers fail naming record %s' \
		    "$off" "$label" "$b" "$nb" "${want/,/ or }")
		if [ $ok = 1 ]; then
			pass "$d"
		else
			fail "$d" "bistandctl exit $vc_rc: $vc_out" \
			    "audit-verify.sh exit $vs_rc: $vs_out"
		fi
	done

	# --anchor with the head of the last checkpoint.
	aseq=$(printf '%s' "$last" | sed -n 's/.*head_seq=\([0-9]*\)&.*/\1/p')
	ahash=$(printf '%s' "$last" | sed -n 's/.*&head=\([0-9a-f]*\)&.*/\1/p')
	verify_both "$orig" --anchor "$aseq:$ahash"
	check "--anchor $aseq:${ahash:0:12}… (the last checkpoint's head) passes both verifiers on the original" \
	    "$([ "$vc_rc" = 0 ] && [ "$vs_rc" = 0 ]; echo $?)" \
	    "bistandctl $vc_rc: $vc_out" "audit-verify.sh $vs_rc: $vs_out"
	rm -rf "$cpd"
	mkdir -p "$cpd"
	cp "$orig/audit-key.pub" "$cpd/"
	head -n "$((aseq - 1))" "$otrail" > "$cpd/audit.trail"
	verify_both "$cpd"
	plain_c=$vc_rc
	plain_s=$vs_rc
	verify_both "$cpd" --anchor "$aseq:$ahash"
	d="a copy cut before record $aseq: verifies without the anchor, and both"
	d="$d verifiers fail with it, naming record $aseq"
	if [ "$plain_c" = 0 ] && [ "$plain_s" = 0 ] && [ "$vc_rc" != 0 ] &&
	    [ "$vs_rc" != 0 ] && printf '%s' "$vc_out" | grep -q "record $aseq" &&
	    printf '%s' "$vs_out" | grep -q "record $aseq"; then
		pass "$d"
	else
		fail "$d" "without anchor: $plain_c/$plain_s" \
		    "bistandctl $vc_rc: $vc_out" "audit-verify.sh $vs_rc: $vs_out"
	fi
else
	fail "a trail that ends in a checkpoint to flip bytes in" \
	    "$(tail -n 1 "$otrail" 2>/dev/null | cut -f1-4)"
fi

note "B (flipped bytes) took $((SECONDS - t_b)) s"
t_b=$SECONDS
# ====================================================================
# C. 4. A full disk.
# ====================================================================

fconf=$tmp/full.conf
flog=$tmp/full.log
logs+=("$flog")
method=
mkdir -p "$tmp/full"
if [ "${BISTAND_DISKFULL:-}" != prlimit ] &&
    mount -t tmpfs -o size=2m,mode=0700 tmpfs "$tmp/full" 2> "$tmp/mount.err"
then
	mnt=$tmp/full
	method=tmpfs
	note "disk full: a 2 MiB tmpfs on $mnt"
else
	method=prlimit
	why=${BISTAND_DISKFULL:+BISTAND_DISKFULL=prlimit}
	note "disk full: prlimit --fsize on the running daemon" \
	    "(${why:-mount failed: $(head -c 200 "$tmp/mount.err" 2>/dev/null)})"
fi
fstate=$tmp/full
write_conf "$fconf" "$fstate" "$top/rules"
: > "$tmp/full.acked"
: > "$tmp/full.refused"
# fsubmit ID: POST a new application; records 201s and 503s. (The ids
# are all of one length: while the disk is full, one application may
# not fit where another, one byte shorter, would.)
fsubmit() {
	mkapp "$ex" "$1" "$tmp/$1.xml"
	post "$tmp/$1.xml"
	if [ "$code" = 201 ]; then
		echo "$1" >> "$tmp/full.acked"
	elif [ "$code" = 503 ]; then
		echo "$1" >> "$tmp/full.refused"
	fi
}
if start_daemon "$fconf" "$flog"; then
	fpid=$dpid
	okb=0
	for i in 1 2 3; do
		fsubmit "FULL-p-$i"
		[ "$code" = 201 ] && okb=$((okb + 1))
	done
	check "disk full ($method): three applications before: 201" \
	    "$([ $okb = 3 ]; echo $?)" "$(what)"
	# Fill it.
	if [ "$method" = tmpfs ]; then
		dd if=/dev/zero of="$fstate/filler" bs=64k 2>/dev/null
		note "filled: $(df -k --output=avail "$fstate" | tail -n 1 | tr -d ' ') KiB left"
	else
		fsz=$(stat -c %s "$fstate/audit.trail")
		prlimit --pid "$fpid" --fsize="$fsz:unlimited"
	fi
	m=$(log_mark "$flog")
	first503=
	bc=""; hc=""; hb=""
	for i in 1 2 3 4 5 6 7 8; do
		fsubmit "FULL-d-$i"
		if [ "$code" = 503 ]; then
			first503=$i
			bc=$(body_code)
			req eservice GET /healthz
			hc=$code
			hb=$(cat "$tmp/body")
			break
		fi
	done
	d="full: a submission gets 503 SERVICE_UNAVAILABLE (after"
	d="$d $(grep -c FULL-d- "$tmp/full.acked") more 201 into the last free"
	d="$d bytes), /healthz then 503 \"not ready\", the log says the write failed"
	if [ -n "$first503" ] && [ "$bc" = SERVICE_UNAVAILABLE ] &&
	    [ "$hc" = 503 ] && printf '%s' "$hb" | grep -q 'not ready' &&
	    log_wait "$flog" "$m" 'audit: write failed' 1; then
		pass "$d"
	else
		fail "$d" "$(what)" "healthz: ${hc:-none} $hb" "$(log_since "$flog" "$m" 5)"
	fi
	bad=""
	hz=""
	for i in 1 2 3; do
		sleep 0.4
		req eservice GET /healthz
		hz="$hz $code"
		fsubmit "FULL-s-$i"
		[ "$code" = 503 ] && [ "$(body_code)" = SERVICE_UNAVAILABLE ] ||
		    bad="$bad $code/$(body_code)"
	done
	check "while full: three more submissions over 1.2 s, each 503 SERVICE_UNAVAILABLE" \
	    "$([ -z "$bad" ]; echo $?)" "got:$bad"
	# Not a check: the writer's probe (a checkpoint of ~400 bytes) can fit
	# into the last, partly used page while an application does not.
	note "while full, /healthz before each of them:$hz;" \
	    "$(log_since "$flog" "$m" 200 | grep -c 'writing works again')" \
	    "x \"writing works again\" while still full"
	# Free it again.
	m=$(log_mark "$flog")
	tf=${EPOCHREALTIME/./}
	if [ "$method" = tmpfs ]; then
		rm -f "$fstate/filler"
	else
		prlimit --pid "$fpid" --fsize=unlimited:unlimited
	fi
	hc=
	for i in $(seq 1 80); do
		req eservice GET /healthz
		hc=$code
		[ "$hc" = 200 ] && break
		sleep 0.1
	done
	fsubmit FULL-a-1
	ca=$code
	ms=$(((${EPOCHREALTIME/./} - tf) / 1000))
	d="space freed: within $ms ms, without a restart, /healthz 200 and a"
	d="$d submission 201; log says writing works again"
	if [ "$hc" = 200 ] && [ "$ca" = 201 ] && [ "$ms" -lt 8000 ] &&
	    log_wait "$flog" "$m" 'writing works again' 1 &&
	    kill -0 "$fpid" 2>/dev/null; then
		pass "$d"
	else
		fail "$d" "healthz $hc, POST $(what)" "$(log_since "$flog" "$m" 5)"
	fi
	fsubmit FULL-a-2
	verify_both "$fstate"
	mkdir -p "$tmp/fget"
	acked_n=$(wc -l < "$tmp/full.acked")
	bulk_get "$tmp/full.acked" "$tmp/fget" > "$tmp/full.get"
	got=$(grep -c ' 200$' "$tmp/full.get")
	bulk_get "$tmp/full.refused" "$tmp/fget" > "$tmp/full.get503"
	gone=$(grep -c ' 404$' "$tmp/full.get503")
	inlog=0
	while read -r id; do
		[ -n "$(trail_case "$fstate" "$id")" ] && inlog=$((inlog + 1))
	done < "$tmp/full.refused"
	d="afterwards: bistandctl audit verify OK; all $acked_n acknowledged ids"
	d="$d readable ($got); the $(wc -l < "$tmp/full.refused") answered 503 are"
	d="$d neither stored ($gone x 404) nor in the trail"
	if [ "$vc_rc" = 0 ] && [ "$got" = "$acked_n" ] &&
	    [ "$gone" = "$(wc -l < "$tmp/full.refused")" ] && [ "$inlog" = 0 ]; then
		pass "$d"
	else
		fail "$d" "bistandctl $vc_rc: $vc_out" "$(grep -v ' 200$' "$tmp/full.get")" \
		    "$inlog refused ids in the trail"
	fi
	d="SIGTERM: exit 0; audit-verify.sh --documents OK (the cut-back"
	d="$d documents and records are consistent)"
	if stop_daemon "$fpid"; then
		vd=$(sh "$top/tests/audit-verify.sh" "$fstate" --documents 2>&1); st=$?
		check "$d" "$([ $st = 0 ] && printf '%s' "$vd" | grep -q '^OK' &&
		    [ "$(tail -n 1 "$fstate/audit.trail" | cut -f3)" = checkpoint ]; echo $?)" \
		    "$vd"
	else
		fail "$d" "exit status '${estatus:-still running}'" "$(tail -n 5 "$flog")"
	fi
else
	fail "daemon on the small state directory starts" "$(tail -n 20 "$flog")"
fi

note "C (disk full) took $((SECONDS - t_b)) s"
# --- sanitizers --------------------------------------------------------

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
