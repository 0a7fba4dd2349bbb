#!/bin/sh
# integration.sh: black-box tests of bistandd. Writes a configuration,
# starts the real daemon on 127.0.0.1 port 0 and drives it over mutual
# TLS like a client would, with curl and openssl s_client only.
#
#   BISTAND_BUILD=/abs/build/dir sh tests/integration.sh   (from the top)
#
# `make integration` runs it against build/, `make check` against the
# ASan+UBSan build in build/asan. Output: one "ok N - ..." or
# "not ok N - ..." line per check (diagnostics as "#" lines), then
# "P passed, F failed"; the exit status is non-zero if any check failed.
# Every request has a timeout and every wait is bounded. BISTAND_KEEP=1
# keeps the temporary directory (configurations, logs) for a look.
# BISTAND_WRAP="valgrind ..." runs every daemon under that command
# (`make valgrind`); BISTAND_SLOW=N then multiplies the waits for it to
# start and stop by N (timing checks stay as they are).

# Written for bash (arrays, $SECONDS); make starts it with sh.
if [ -z "${BASH_VERSION:-}" ]; then
	exec bash "$0" "$@"
fi
set -u

top=$(pwd)
bin=${BISTAND_BUILD:?set BISTAND_BUILD to the build directory}/bistandd
if [ ! -x "$bin" ] || [ ! -f "$top/etc/application.xsd" ]; then
	echo "integration.sh: run from the top of the tree, with $bin built" >&2
	exit 2
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/bistand-it.XXXXXX") || exit 2
tls=$tmp/tls
pids=()			# every background process we start
hpids=()		# posting clients of the reload test
log2=
log3=
npass=0
nfail=0
nchk=0

read -r -a wrap <<< "${BISTAND_WRAP:-}"
slow=${BISTAND_SLOW:-1}

cleanup() {
	local p i
	for p in "${pids[@]}"; do
		kill "$p" 2>/dev/null
	done
	for i in $(seq 1 $((30 * slow))); do
		local alive=0
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
		printf '%s\n' "$l" | sed 's/^/#   /'
	done
}

# --- the daemon -----------------------------------------------------

# write_conf FILE [EXTRA SETTING LINES...]
write_conf() {
	local f=$1 l
	shift
	{
		echo "listen 127.0.0.1:0"
		echo "tls_certificate $tls/server.crt"
		echo "tls_key $tls/server.key"
		echo "tls_client_ca $tls/ca.crt"
		echo "state_dir ${sdir:-$tmp/state}"
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
	"${wrap[@]}" "$bin" -d -f "$1" 2>"$2" &
	dpid=$!
	pids+=("$dpid")
	for i in $(seq 1 $((100 * slow))); do
		port=$(sed -n 's/.*listening on 127\.0\.0\.1 port \([0-9][0-9]*\) .*/\1/p' \
		    "$2" | head -n 1)
		[ -n "$port" ] && [ "$port" != 0 ] && return 0
		kill -0 "$dpid" 2>/dev/null || break
		sleep 0.1
	done
	return 1
}

# wait_exit PID SECONDS: 0 when PID is gone in time; status in estatus.
wait_exit() {
	local i n=$(($2 * 10 * slow))
	estatus=
	for i in $(seq 1 "$n"); do
		if ! kill -0 "$1" 2>/dev/null; then
			wait "$1"
			estatus=$?
			return 0
		fi
		sleep 0.1
	done
	return 1
}

# log_mark LOG: the current number of lines, for log_since.
log_mark() {
	wc -l < "$1" | tr -d ' '
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

# --- requests -------------------------------------------------------

# req CERT METHOD PATH [CURL ARGS...]: one HTTPS request to the daemon
# on $port. CERT is a name from mkcerts.sh or "none". Sets code (HTTP
# status, 000 if none), rc (curl's exit status) and the files
# $tmp/body, $tmp/hdr, $tmp/curlerr.
req() {
	local cert=$1 method=$2 path=$3
	local -a co=()
	shift 3
	if [ "$cert" != none ]; then
		co=(--cert "$tls/$cert.crt" --key "$tls/$cert.key")
	fi
	: > "$tmp/body"; : > "$tmp/hdr"
	code=$(curl -sS --max-time 10 --cacert "$tls/ca.crt" "${co[@]}" \
	    -X "$method" -o "$tmp/body" -D "$tmp/hdr" -w '%{http_code}' \
	    "$@" "https://127.0.0.1:$port$path" 2>"$tmp/curlerr")
	rc=$?
}

# post CERT FILE [CURL ARGS...]: POST FILE to /v1/applications as XML.
post() {
	local cert=$1 file=$2
	shift 2
	req "$cert" POST /v1/applications -H 'Content-Type: application/xml' \
	    --data-binary @"$file" "$@"
}

# same_file A B: the two files hold the same bytes (coreutils only).
same_file() {
	[ "$(sha256sum < "$1")" = "$(sha256sum < "$2")" ]
}

# example_id FILE: the application id in FILE.
example_id() {
	sed -n 's:.*<id>[[:space:]]*\([^<[:space:]]*\)[[:space:]]*</id>.*:\1:p' \
	    "$1" | head -n 1
}

# with_id FILE ID OUT: FILE with its application id replaced by ID.
with_id() {
	sed '0,/<id>[^<]*<\/id>/s:<id>[^<]*</id>:<id>'"$2"'</id>:' "$1" > "$3"
}

# The error document's code, or "" if none.
body_code() {
	sed -n 's:.*<code>\([^<]*\)</code>.*:\1:p' "$tmp/body" | head -n 1
}

what() {
	echo "HTTP $code, curl exit $rc, code '$(body_code)'"
	head -c 400 "$tmp/body"; echo
	head -n 3 "$tmp/curlerr"
}

# expect DESCRIPTION STATUS ERRCODE: check the last req; ERRCODE "-"
# means any body.
expect() {
	if [ "$code" = "$2" ] && { [ "$3" = - ] || [ "$(body_code)" = "$3" ]; }
	then
		pass "$1"
	else
		fail "$1" "want HTTP $2 and code $3" "$(what)"
	fi
}

# --- set-up ---------------------------------------------------------

t_start=$SECONDS
mkdir -p "$tmp/state"
if ! sh tests/mkcerts.sh "$tls" extra > "$tmp/mkcerts.log" 2>&1; then
	cat "$tmp/mkcerts.log"
	echo "integration.sh: mkcerts.sh failed" >&2
	exit 2
fi

examples=("$top"/etc/examples/*.xml)
if [ ! -f "${examples[0]}" ]; then
	fail "etc/examples holds application examples" "none found"
	examples=()
fi
ex=${examples[0]:-}

conf=$tmp/bistandd.conf
log=$tmp/bistandd.log
write_conf "$conf" "max_body_size 64k"

# bistandd -t
out=$("$bin" -t -f "$conf" 2>&1); st=$?
if [ $st = 0 ] && printf '%s' "$out" | grep -q 'configuration OK'; then
	pass "bistandd -t on a valid configuration: exit 0, configuration OK"
else
	fail "bistandd -t on a valid configuration: exit 0, configuration OK" \
	    "exit $st: $out"
fi
cp "$conf" "$tmp/bad.conf"
echo "bogus_key 1" >> "$tmp/bad.conf"
badline=$(wc -l < "$tmp/bad.conf" | tr -d ' ')
out=$("$bin" -t -f "$tmp/bad.conf" 2>&1); st=$?
if [ $st = 1 ] && printf '%s' "$out" | grep -q "bad\.conf:$badline: .*bogus_key"
then
	pass "bistandd -t on a broken configuration: exit 1, names file:line"
else
	fail "bistandd -t on a broken configuration: exit 1, names file:line" \
	    "exit $st, want 1 and bad.conf:$badline: $out"
fi
write_conf "$tmp/badtls.conf" "tls_key $tls/eservice.key"
sed -i "\\|^tls_key $tls/server\\.key\$|d" "$tmp/badtls.conf"
out=$("$bin" -t -f "$tmp/badtls.conf" 2>&1); st=$?
if [ $st = 1 ] && printf '%s' "$out" | grep -qiE 'mismatch|does not match'
then
	pass "bistandd -t: a key that does not match the certificate: exit 1"
else
	fail "bistandd -t: a key that does not match the certificate: exit 1" \
	    "exit $st: $out"
fi

if ! start_daemon "$conf" "$log"; then
	fail "daemon starts and logs its port" "$(tail -n 20 "$log")"
	echo "$npass passed, $nfail failed"
	exit 1
fi
pass "daemon starts and logs 'listening on 127.0.0.1 port $port'"

# --- 1. intake: valid applications are decided and stored -------------

# Each example: 201 with its decision document once it is durable; the
# same bytes again: 200 with the same document; other bytes under the
# same id: 409; GET gives the stored document.
ids=()
for f in "${examples[@]}"; do
	id=$(example_id "$f")
	b=$(basename "$f")
	ids+=("$id")
	m=$(log_mark "$log")
	post eservice "$f"
	cp "$tmp/body" "$tmp/decision.$id"
	d="example $b (id $id): 201, decision document valid against "
	d="${d}etc/decision.xsd, Location, logged"
	if [ "$code" = 201 ] &&
	    grep -q '<decision xmlns="urn:bistand:decision:1">' "$tmp/body" &&
	    xmllint --noout --schema etc/decision.xsd "$tmp/body" \
	        >/dev/null 2>&1 &&
	    grep -q "<application-id>$id</application-id>" "$tmp/body" &&
	    grep -qi "^location: /v1/applications/$id" "$tmp/hdr" &&
	    log_wait "$log" "$m" "intake: $id evaluated outcome="; then
		pass "$d"
	else
		fail "$d" "$(what)" "$(grep -i '^location' "$tmp/hdr")" \
		    "log: $(tail -n +$((m + 1)) "$log" | head -n 5)"
	fi
	post eservice "$f"
	d="example $b again, same bytes: 200 with the same decision document"
	if [ "$code" = 200 ] && same_file "$tmp/body" "$tmp/decision.$id"; then
		pass "$d"
	else
		fail "$d" "$(what)"
	fi
	req eservice GET "/v1/applications/$id"
	d="GET /v1/applications/$id: 200 with the stored decision document"
	if [ "$code" = 200 ] && same_file "$tmp/body" "$tmp/decision.$id"; then
		pass "$d"
	else
		fail "$d" "$(what)"
	fi
done

if [ -n "$ex" ]; then
	exid=$(example_id "$ex")
	{ cat "$ex"; echo '<!-- other bytes -->'; } > "$tmp/other-bytes.xml"
	post eservice "$tmp/other-bytes.xml"
	expect "same id ($exid), other bytes: 409 CONFLICT" 409 CONFLICT

	with_id "$ex" ct-charset "$tmp/ct1.xml"
	req eservice POST /v1/applications --data-binary @"$tmp/ct1.xml" \
	    -H 'Content-Type: application/xml; charset=UTF-8'
	expect "Content-Type application/xml; charset=UTF-8 accepted: 201" \
	    201 -
	with_id "$ex" ct-text-xml "$tmp/ct2.xml"
	req eservice POST /v1/applications --data-binary @"$tmp/ct2.xml" \
	    -H 'Content-Type: text/xml'
	expect "Content-Type text/xml accepted: 201" 201 -
	if grep -qi '^cache-control: no-store' "$tmp/hdr"; then
		pass "decisions carry Cache-Control: no-store"
	else
		fail "decisions carry Cache-Control: no-store" "$(cat "$tmp/hdr")"
	fi
fi
req eservice GET /v1/applications/no-such-id
expect "GET /v1/applications/{unknown id}: 404 NOT_FOUND" 404 NOT_FOUND

# --- 2, 3. TLS: client certificates and versions --------------------

m=$(log_mark "$log")
req none GET /healthz
if [ "$code" = 000 ] && [ $rc != 0 ] && log_wait "$log" "$m" \
    'tls: refused connection from 127\.0\.0\.1: certificate required'; then
	pass "no client certificate: refused in the handshake, logged"
else
	fail "no client certificate: refused in the handshake, logged" \
	    "$(what)" "log: $(tail -n +$((m + 1)) "$log" | head -n 5)"
fi
m=$(log_mark "$log")
req foreign GET /healthz
if [ "$code" = 000 ] && [ $rc != 0 ] && log_wait "$log" "$m" \
    'tls: refused connection from 127\.0\.0\.1: unknown CA'; then
	pass "client certificate from another CA: refused in the handshake"
else
	fail "client certificate from another CA: refused in the handshake" \
	    "$(what)" "log: $(tail -n +$((m + 1)) "$log" | head -n 5)"
fi

m=$(log_mark "$log")
timeout 10 openssl s_client -connect "127.0.0.1:$port" -tls1_1 \
    -cipher 'DEFAULT@SECLEVEL=0' -CAfile "$tls/ca.crt" \
    -cert "$tls/eservice.crt" -key "$tls/eservice.key" \
    < /dev/null > "$tmp/s11.out" 2>&1
st=$?
if [ $st != 0 ] && grep -q 'alert protocol version' "$tmp/s11.out" &&
    log_wait "$log" "$m" 'tls: refused connection .*protocol version'; then
	pass "TLS 1.1: refused in the handshake (protocol version)"
else
	fail "TLS 1.1: refused in the handshake (protocol version)" \
	    "s_client exit $st: $(grep -iE 'alert|error|protocol' "$tmp/s11.out" |
	    head -n 5)" "log: $(tail -n +$((m + 1)) "$log" | head -n 3)"
fi

for v in 1.2 1.3; do
	if [ $v = 1.2 ]; then vo=(--tlsv1.2 --tls-max 1.2); else vo=(--tlsv1.3); fi
	req eservice GET /healthz -v "${vo[@]}"
	if [ "$code" = 200 ] && grep -q "SSL connection using TLSv$v" \
	    "$tmp/curlerr"; then
		pass "TLS $v with the eservice certificate: GET /healthz 200"
	else
		fail "TLS $v with the eservice certificate: GET /healthz 200" \
		    "$(what)" "$(grep 'SSL' "$tmp/curlerr" | head -n 3)"
	fi
done
req eservice GET /healthz --tlsv1.2 --tls-max 1.2 \
    --ciphers ECDHE-ECDSA-AES128-SHA
if [ "$code" = 000 ] && [ $rc != 0 ]; then
	pass "TLS 1.2 with a CBC (non-AEAD) cipher only: refused"
else
	fail "TLS 1.2 with a CBC (non-AEAD) cipher only: refused" "$(what)"
fi

# A client that closes without close_notify after a request (OpenSSL 3
# then sends a "decode error" alert) was not refused: no such log line.
mkfifo "$tmp/abrupt"
openssl s_client -quiet -connect "127.0.0.1:$port" -CAfile "$tls/ca.crt" \
    -cert "$tls/eservice.crt" -key "$tls/eservice.key" < "$tmp/abrupt" \
    > "$tmp/abrupt.out" 2> "$tmp/abrupt.err" &
apid=$!; pids+=("$apid")
{
	printf 'GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n'
	exec sleep 20
} > "$tmp/abrupt" &
awpid=$!; pids+=("$awpid")
for i in $(seq 1 50); do
	grep -q '^HTTP/1.1 200' "$tmp/abrupt.out" && break
	sleep 0.1
done
m=$(log_mark "$log")
kill "$apid" "$awpid" 2>/dev/null
wait "$apid" "$awpid" 2>/dev/null
sleep 0.3
req eservice GET /healthz
d="a client closing without close_notify is not logged as a refusal"
if grep -q '^HTTP/1.1 200' "$tmp/abrupt.out" && [ "$code" = 200 ] &&
    ! tail -n +$((m + 1)) "$log" | grep -q 'tls: refused'; then
	pass "$d"
else
	fail "$d" "$(head -n 1 "$tmp/abrupt.out")" \
	    "$(tail -n +$((m + 1)) "$log" | grep 'tls: refused')"
fi

# --- 4. roles --------------------------------------------------------

for c in eservice caseworker auditor other; do
	req $c GET /healthz
	d="GET /healthz with the $c certificate: 200, ready"
	if [ "$code" = 200 ] && grep -qx ready "$tmp/body"; then
		pass "$d"
	else
		fail "$d" "$(what)"
	fi
done
# /metrics: any certificate; the counters say what the trail says
# happened above (the 409 was a CONFLICT refusal).
req auditor GET /metrics
d="GET /metrics: Prometheus text with the outcomes, reasons, refusals, queue and rule set so far"
granted=$(sed -n 's/^bistand_applications_total{outcome="granted"} //p' "$tmp/body")
routed=$(sed -n 's/^bistand_applications_total{outcome="routed"} //p' "$tmp/body")
violence=$(sed -n 's/^bistand_reasons_total{code="VIOLENCE"} //p' "$tmp/body")
conflicts=$(sed -n 's/^bistand_refusals_total{code="CONFLICT"} //p' "$tmp/body")
queued=$(sed -n 's/^bistand_queue_items{priority="urgent",kind="case"} //p' "$tmp/body")
tg=$(grep -c "	evaluated	.*[	&]outcome=granted" "$tmp/state/audit.trail")
tr=$(grep -c "	evaluated	.*[	&]outcome=routed" "$tmp/state/audit.trail")
if [ "$code" = 200 ] && [ "$granted" = "$tg" ] && [ "$routed" = "$tr" ] &&
    [ "$tg" -ge 2 ] && [ "$tr" -ge 3 ] &&
    [ "${violence:-0}" -ge 1 ] && [ "${conflicts:-0}" -ge 1 ] &&
    [ "${queued:-0}" -ge 1 ] &&
    grep -q '^bistand_ruleset_info{hash="[0-9a-f]\{64\}"} 1$' "$tmp/body" &&
    grep -q '^bistand_evaluation_seconds_count [1-9]' "$tmp/body" &&
    grep -q '^bistand_durable_write_seconds_bucket{le="+Inf"} [1-9]' "$tmp/body" &&
    grep -q '^# TYPE bistand_commit_batch_jobs histogram$' "$tmp/body"; then
	pass "$d"
else
	fail "$d" "$(what)" "granted=$granted/$tg routed=$routed/$tr violence=$violence conflicts=$conflicts urgent=$queued"
fi
if [ -n "$ex" ]; then
	for c in caseworker auditor other; do
		m=$(log_mark "$log")
		post $c "$ex"
		expect "POST /v1/applications as $c: 403 FORBIDDEN" 403 FORBIDDEN
	done
fi
req eservice GET /v1/queue
expect "GET /v1/queue as eservice: 403 FORBIDDEN" 403 FORBIDDEN
req eservice GET /v1/audit
expect "GET /v1/audit as eservice: 403 FORBIDDEN" 403 FORBIDDEN
req caseworker GET /v1/audit
expect "GET /v1/audit as caseworker: 403 FORBIDDEN" 403 FORBIDDEN

# --- 5. body size ------------------------------------------------------

# A valid example (new id) padded with a comment to 100 KiB: refused for
# its size now, and accepted once max_body_size is raised (section 9).
big=$tmp/big.xml
if [ -n "$ex" ]; then
	with_id "$ex" big-100k "$big"
else
	printf '<application xmlns="urn:bistand:application:1"/>\n' > "$big"
fi
{
	printf '<!-- '
	head -c $((100 * 1024)) /dev/zero | tr '\0' 'x'
	printf ' -->\n'
} >> "$big"
# Without Expect (curl sends it only above 1 MiB): the body is on its way
# when the daemon answers.
post eservice "$big" -H 'Expect:'
expect "100 KiB body with max_body_size 64k: 413" 413 -
if [ "$code" = 413 ] && ! grep -q '<code>BODY_TOO_LARGE</code>' "$tmp/body"
then
	echo "# note: the 413 is libevent's own page, not an error document" \
	    "with BODY_TOO_LARGE"
fi
post eservice "$big" -H 'Expect: 100-continue' -v
d="100 KiB body with Expect: 100-continue: 413 before the body is sent"
if [ "$code" = 413 ] && grep -q '^> Expect: 100-continue' "$tmp/curlerr" &&
    ! grep -q '^< HTTP/1.1 100' "$tmp/curlerr"; then
	pass "$d"
else
	fail "$d" "$(what)" "$(grep -E '^[<>] (Expect|HTTP)' "$tmp/curlerr")"
fi

# --- 6. DOCTYPE, external entities, entity expansion -----------------

marker="SECRET-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
printf '%s\n' "$marker" > "$tmp/secret"
mkfifo "$tmp/fifo"

# doctype_doc SUBSET OUT: the first example (or a stub) with a DOCTYPE
# whose internal subset is SUBSET, and the id replaced by &x;.
doctype_doc() {
	{
		echo '<?xml version="1.0" encoding="UTF-8"?>'
		echo "<!DOCTYPE application [$1]>"
		if [ -n "$ex" ]; then
			sed -e '/^<?xml/d' -e 's:<id>[^<]*</id>:<id>\&x;</id>:' "$ex"
		else
			echo '<application xmlns="urn:bistand:application:1"><id>&x;</id></application>'
		fi
	} > "$2"
}

doctype_doc "<!ENTITY x SYSTEM \"file://$tmp/secret\">" "$tmp/xxe.xml"
m=$(log_mark "$log")
post eservice "$tmp/xxe.xml"
d="external entity to a file: 400 DOCTYPE_FORBIDDEN, file not read"
if [ "$code" = 400 ] && [ "$(body_code)" = DOCTYPE_FORBIDDEN ] &&
    ! grep -qF "$marker" "$tmp/body" "$tmp/hdr" &&
    ! grep -qF "$marker" "$log"; then
	pass "$d"
else
	fail "$d" "$(what)" "marker in log: $(grep -cF "$marker" "$log")"
fi

doctype_doc "<!ENTITY x SYSTEM \"file://$tmp/fifo\">" "$tmp/fifo.xml"
t0=$SECONDS
post eservice "$tmp/fifo.xml"
d="external entity to a FIFO: answered at once (never opened), 400 DOCTYPE_FORBIDDEN"
if [ "$code" = 400 ] && [ "$(body_code)" = DOCTYPE_FORBIDDEN ] &&
    [ $((SECONDS - t0)) -le 3 ]; then
	pass "$d"
else
	fail "$d" "$(what)" "took $((SECONDS - t0)) s"
	# If the daemon is blocked opening the FIFO, free it.
	# shellcheck disable=SC2016
	timeout 1 sh -c 'exec 3>"$1"' _ "$tmp/fifo" 2>/dev/null
fi

cat > "$tmp/extdtd.xml" <<EOF
<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE application SYSTEM "file://$tmp/secret">
<application xmlns="urn:bistand:application:1"><id>x</id></application>
EOF
post eservice "$tmp/extdtd.xml"
expect "external DTD: 400 DOCTYPE_FORBIDDEN" 400 DOCTYPE_FORBIDDEN

{
	echo '<?xml version="1.0"?>'
	echo '<!DOCTYPE application ['
	echo ' <!ENTITY l0 "lollollollollollollollollollol">'
	for i in 1 2 3 4 5 6 7 8 9; do
		printf ' <!ENTITY l%d "' "$i"
		for _ in 1 2 3 4 5 6 7 8 9 10; do printf '&l%d;' $((i - 1)); done
		printf '">\n'
	done
	echo ']>'
	echo '<application xmlns="urn:bistand:application:1"><id>&l9;</id></application>'
} > "$tmp/laughs.xml"
t0=$SECONDS
post eservice "$tmp/laughs.xml"
d="billion laughs: 400 DOCTYPE_FORBIDDEN within 2 s"
if [ "$code" = 400 ] && [ "$(body_code)" = DOCTYPE_FORBIDDEN ] &&
    [ $((SECONDS - t0)) -le 2 ]; then
	pass "$d"
else
	fail "$d" "$(what)" "took $((SECONDS - t0)) s"
fi

# --- 7. malformed, invalid, and HTTP-level refusals -------------------

if [ -n "$ex" ]; then
	# A mismatched end tag on the line of <id>.
	idline=$(grep -n '</id>' "$ex" | head -n 1 | cut -d: -f1)
	sed '0,/<\/id>/s:</id>:</idx>:' "$ex" > "$tmp/malformed.xml"
	post eservice "$tmp/malformed.xml"
	d="malformed XML: 400 MALFORMED_XML with <line>$idline</line>"
	if [ "$code" = 400 ] && [ "$(body_code)" = MALFORMED_XML ] &&
	    grep -q "<line>$idline</line>" "$tmp/body"; then
		pass "$d"
	else
		fail "$d" "$(what)"
	fi

	sed '0,/<\/id>/s:</id>:</id><bogus>1</bogus>:' "$ex" > "$tmp/unknown.xml"
	post eservice "$tmp/unknown.xml"
	d="unknown element: 400 SCHEMA_VIOLATION with <element>bogus</element>"
	if [ "$code" = 400 ] && [ "$(body_code)" = SCHEMA_VIOLATION ] &&
	    grep -q '<element>bogus</element>' "$tmp/body"; then
		pass "$d"
	else
		fail "$d" "$(what)"
	fi

	# The first personnummer with another check digit, everywhere.
	pnr=$(sed -n 's:.*<personnummer>[[:space:]]*\([0-9]\{12\}\)[[:space:]]*</personnummer>.*:\1:p' \
	    "$ex" | head -n 1)
	if [ -n "$pnr" ]; then
		last=${pnr:11:1}
		badpnr=${pnr:0:11}$(((last + 1) % 10))
		sed "s/$pnr/$badpnr/g" "$ex" > "$tmp/badpnr.xml"
		post eservice "$tmp/badpnr.xml"
		expect "wrong personnummer check digit: 400 INVALID_PERSONNUMMER" \
		    400 INVALID_PERSONNUMMER
	else
		fail "wrong personnummer check digit: 400 INVALID_PERSONNUMMER" \
		    "no personnummer found in $ex"
	fi

	post eservice /dev/null
	expect "empty body: 400 EMPTY_BODY" 400 EMPTY_BODY

	req eservice POST /v1/applications -H 'Content-Type: text/plain' \
	    --data-binary @"$ex"
	expect "Content-Type text/plain: 415" 415 UNSUPPORTED_MEDIA_TYPE
	req eservice POST /v1/applications -H 'Content-Type:' \
	    --data-binary @"$ex"
	expect "no Content-Type: 415" 415 UNSUPPORTED_MEDIA_TYPE
	req eservice POST /v1/applications --data-binary @"$ex" \
	    -H 'Content-Type: application/xml; charset=iso-8859-1'
	expect "Content-Type charset=iso-8859-1: 415" 415 UNSUPPORTED_MEDIA_TYPE
fi

req eservice GET /v1/nothing-here
expect "unknown path: 404 NOT_FOUND" 404 NOT_FOUND
req eservice GET /v1/applications
d="GET /v1/applications: 405 with Allow: POST"
if [ "$code" = 405 ] && [ "$(body_code)" = METHOD_NOT_ALLOWED ] &&
    grep -qi '^allow: *POST' "$tmp/hdr"; then
	pass "$d"
else
	fail "$d" "$(what)" "$(cat "$tmp/hdr")"
fi

# --- the audit trail over the API --------------------------------------

# rec_has TYPE ACTOR PAYLOAD-ERE: $tmp/body (records) holds such a record.
rec_has() {
	awk -F'\t' -v t="$1" -v a="$2" -v p="$3" \
	    '$3 == t && (a == "" || $4 == a) && $6 ~ p { f = 1 } END { exit !f }' \
	    "$tmp/body"
}

if [ -n "$ex" ]; then
	req auditor GET "/v1/audit?case=$exid"
	d="GET /v1/audit?case=$exid as auditor: its received and evaluated records"
	if [ "$code" = 200 ] && rec_has received eservice:e-tjanst "id=$exid" &&
	    rec_has evaluated automated "id=$exid"; then
		pass "$d"
	else
		fail "$d" "$(what)"
	fi
fi
req auditor GET /v1/audit
d="every 403 and refusal is in the trail"
miss=
rec_has forbidden caseworker:handlaggare1 'path=/v1/applications' ||
    miss="$miss forbidden(caseworker)"
rec_has forbidden other:someone 'path=/v1/applications' ||
    miss="$miss forbidden(other)"
rec_has forbidden eservice:e-tjanst 'path=/v1/queue' ||
    miss="$miss forbidden(eservice,/v1/queue)"
for c in DOCTYPE_FORBIDDEN MALFORMED_XML SCHEMA_VIOLATION \
    INVALID_PERSONNUMMER EMPTY_BODY UNSUPPORTED_MEDIA_TYPE CONFLICT; do
	rec_has refused eservice:e-tjanst "code=$c" || miss="$miss refused($c)"
done
if [ "$code" = 200 ] && [ -z "$miss" ]; then
	pass "$d"
else
	fail "$d" "HTTP $code; missing:$miss"
fi

# --- 8. no personal data in the log ------------------------------------

pnrs=$(sed -n 's:.*<personnummer>[[:space:]]*\([0-9]*\)[[:space:]]*</personnummer>.*:\1:p' \
    "${examples[@]}" /dev/null | sort -u)
names=$(sed -n 's:.*<name>\([^<]*\)</name>.*:\1:p' "${examples[@]}" /dev/null |
    sort -u)
d="the log holds no 12-digit run, and none of the examples'"
d="$d $(echo "$pnrs" | grep -c .) personnummer and $(echo "$names" |
    grep -c .) names"
leaks=$(grep -E '[0-9]{12}' "$log" | head -n 3)
for p in $pnrs; do
	grep -qF -- "$p" "$log" && leaks="$leaks personnummer $p"
	grep -qF -- "${p:2}" "$log" && leaks="$leaks personnummer ${p:2}"
done
while IFS= read -r nm; do
	[ -n "$nm" ] && grep -qF -- "$nm" "$log" && leaks="$leaks name '$nm'"
done <<< "$names"
if [ -z "$leaks" ] && [ -n "$pnrs" ]; then
	pass "$d"
else
	fail "$d" "found: ${leaks:-(no personnummer in the examples to look for)}"
fi

# --- 9. SIGHUP -------------------------------------------------------

cp "$conf" "$tmp/good.conf"
echo "bogus_key 1" >> "$conf"
hupline=$(wc -l < "$conf" | tr -d ' ')
m=$(log_mark "$log")
kill -HUP "$dpid"
d="SIGHUP with a broken configuration: reload failed, names file:line"
if log_wait "$log" "$m" "reload failed.*bistandd\.conf:$hupline: .*bogus_key"
then
	pass "$d"
else
	fail "$d" "$(tail -n +$((m + 1)) "$log" | head -n 5)"
fi
req eservice GET /healthz
expect "after the failed reload the daemon still serves" 200 -
post eservice "$big"
expect "after the failed reload the old max_body_size still applies" 413 -

write_conf "$conf" "max_body_size 200k"
m=$(log_mark "$log")
kill -HUP "$dpid"
d="SIGHUP with a valid configuration: reloaded"
if log_wait "$log" "$m" "reload: configuration.* reloaded from"; then
	pass "$d"
else
	fail "$d" "$(tail -n +$((m + 1)) "$log" | head -n 5)"
fi
post eservice "$big"
expect "after reload with max_body_size 200k the 100 KiB application: 201" \
    201 -

# The evaluation workers are fixed at start: a reload changing them is
# refused as a whole, and the running state keeps serving.
write_conf "$conf" "max_body_size 200k" "workers 2"
m=$(log_mark "$log")
kill -HUP "$dpid"
d="SIGHUP changing workers: refused (needs a restart), still serving"
if log_wait "$log" "$m" "reload refused.*workers changed from 1 to 2"; then
	req eservice GET /healthz
	expect "$d" 200 -
else
	fail "$d" "$(tail -n +$((m + 1)) "$log" | head -n 5)"
fi
write_conf "$conf" "max_body_size 200k"

# Reloads while workers evaluate: each case keeps the state it was
# received under (a reference), so nothing is freed under a worker.
if [ -n "$ex" ]; then
	for k in 1 2 3 4; do
		(
			for i in 1 2 3 4 5 6 7 8; do
				with_id "$ex" "HUP-$$-$k-$i" "$tmp/hup-$k.xml"
				curl -sS --max-time 20 --cacert "$tls/ca.crt" \
				    --cert "$tls/eservice.crt" --key "$tls/eservice.key" \
				    -H 'Content-Type: application/xml' \
				    --data-binary @"$tmp/hup-$k.xml" -o /dev/null \
				    -w '%{http_code}\n' \
				    "https://127.0.0.1:$port/v1/applications"
			done > "$tmp/hup-$k.codes" 2>&1
		) &
		hpids+=($!)
	done
	for i in 1 2 3 4 5; do
		kill -HUP "$dpid"
		sleep 0.3
	done
	wait "${hpids[@]}"
	n201=$(cat "$tmp"/hup-?.codes | grep -c '^201$')
	d="32 applications while 5 reloads swap the state: all 201"
	if [ "$n201" = 32 ] && kill -0 "$dpid" 2>/dev/null; then
		pass "$d"
	else
		fail "$d" "$n201 of 32: $(sort "$tmp"/hup-?.codes | uniq -c | tr '\n' ' ')"
	fi
fi

# --- 10. max_connections ---------------------------------------------

conf2=$tmp/limit.conf
log2=$tmp/limit.log
# workers 0: this daemon also parses and evaluates on its event loop.
sdir=$tmp/state2 write_conf "$conf2" "max_connections 2" "workers 0"
mkdir -p "$tmp/state2"
mainport=$port
maindpid=$dpid
if start_daemon "$conf2" "$log2"; then
	dpid2=$dpid
	# Two idle TLS connections, each held open by a FIFO we write to.
	hold=()
	for i in 1 2; do
		mkfifo "$tmp/hold$i"
		openssl s_client -connect "127.0.0.1:$port" -CAfile "$tls/ca.crt" \
		    -cert "$tls/eservice.crt" -key "$tls/eservice.key" \
		    < "$tmp/hold$i" > "$tmp/hold$i.out" 2>&1 &
		hold+=($!); pids+=($!)
		sleep 30 > "$tmp/hold$i" &
		hold+=($!); pids+=($!)
	done
	d="max_connections 2: two idle connections fill it (logged)"
	if log_wait "$log2" 0 "at the limit of 2" 5; then
		pass "$d"
	else
		fail "$d" "$(tail -n 5 "$log2")" "$(tail -n 3 "$tmp/hold1.out")"
	fi
	req eservice GET /healthz --max-time 2
	d="max_connections 2: a third request is not served while they are open"
	if [ "$code" = 000 ] && [ "$rc" = 28 ]; then
		pass "$d"
	else
		fail "$d" "$(what)"
	fi
	for p in "${hold[@]}"; do
		kill "$p" 2>/dev/null
	done
	for p in "${hold[@]}"; do
		wait "$p" 2>/dev/null
	done
	t0=$SECONDS
	req eservice GET /healthz
	expect "max_connections 2: served again once they closed" 200 -

	# SIGTERM with an idle keep-alive connection (one request done):
	# the drain closes it after a second, not at shutdown_timeout (5 s).
	mkfifo "$tmp/ka"
	openssl s_client -quiet -connect "127.0.0.1:$port" \
	    -CAfile "$tls/ca.crt" -cert "$tls/eservice.crt" \
	    -key "$tls/eservice.key" < "$tmp/ka" > "$tmp/ka.out" \
	    2> "$tmp/ka.err" &
	pids+=($!)
	{
		printf 'GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n'
		exec sleep 20
	} > "$tmp/ka" &
	pids+=($!)
	for i in $(seq 1 50); do
		grep -q '^HTTP/1.1 200' "$tmp/ka.out" && break
		sleep 0.1
	done
	if [ -n "$ex" ]; then
		with_id "$ex" "W0-$$" "$tmp/w0.xml"
		post eservice "$tmp/w0.xml"
		c1=$code
		sed '0,/<\/id>/s:</id>:</idx>:' "$ex" > "$tmp/w0bad.xml"
		post eservice "$tmp/w0bad.xml"
		d="workers 0 (the loop evaluates): an application 201, a malformed one 400"
		if [ "$c1" = 201 ] && [ "$code" = 400 ] &&
		    [ "$(body_code)" = MALFORMED_XML ]; then
			pass "$d"
		else
			fail "$d" "first: HTTP $c1" "$(what)"
		fi
	fi
	m=$(log_mark "$log2")
	t0=$(date +%s%N)
	kill -TERM "$dpid2"
	wait_exit "$dpid2" 8
	ms=$((($(date +%s%N) - t0) / 1000000))
	d="SIGTERM with an idle keep-alive connection: exit 0 within 3 s"
	d="$d, logs 'bistandd stopped'"
	if grep -q '^HTTP/1.1 200' "$tmp/ka.out" && [ "$estatus" = 0 ] &&
	    [ "$ms" -lt 3000 ] && log_wait "$log2" "$m" 'bistandd stopped' 1
	then
		pass "$d ($ms ms)"
	else
		fail "$d" "exit status '${estatus:-still running}' after $ms ms" \
		    "keep-alive reply: $(head -n 1 "$tmp/ka.out")" \
		    "$(tail -n +$((m + 1)) "$log2" | head -n 20)"
	fi
else
	fail "second daemon (max_connections 2) starts" "$(tail -n 20 "$log2")"
fi
port=$mainport
dpid=$maindpid

# --- 11. SIGTERM with a request in flight ----------------------------

# An HTTP/1.1 request whose body arrives in two parts, the second after
# SIGTERM; the daemon must answer it before it exits.
if [ -n "$ex" ]; then
	with_id "$ex" in-flight "$tmp/inflight.xml"
	blen=$(wc -c < "$tmp/inflight.xml" | tr -d ' ')
	half=$((blen / 2))
	{
		printf 'POST /v1/applications HTTP/1.1\r\n'
		printf 'Host: 127.0.0.1:%s\r\n' "$port"
		printf 'Content-Type: application/xml\r\n'
		printf 'Content-Length: %s\r\n' "$blen"
		printf '\r\n'
		head -c "$half" "$tmp/inflight.xml"
	} > "$tmp/part1"
	tail -c +$((half + 1)) "$tmp/inflight.xml" > "$tmp/part2"
	mkfifo "$tmp/inflight"
	openssl s_client -quiet -connect "127.0.0.1:$port" \
	    -CAfile "$tls/ca.crt" -cert "$tls/eservice.crt" \
	    -key "$tls/eservice.key" < "$tmp/inflight" \
	    > "$tmp/inflight.out" 2> "$tmp/inflight.err" &
	spid=$!; pids+=("$spid")
	(
		cat "$tmp/part1"
		for i in $(seq 1 100); do
			[ -f "$tmp/go" ] && break
			sleep 0.1
		done
		cat "$tmp/part2"
		# Keep the pipe open until the daemon is gone.
		for i in $(seq 1 150); do
			[ -f "$tmp/done" ] && break
			sleep 0.1
		done
	) > "$tmp/inflight" &
	wpid=$!; pids+=("$wpid")
	# Handshake done (s_client printed the verified chain), first part
	# sent and read.
	for i in $(seq 1 50); do
		grep -q 'verify return:1' "$tmp/inflight.err" 2>/dev/null && break
		sleep 0.1
	done
	sleep 0.5

	m=$(log_mark "$log")
	kill -TERM "$dpid"
	log_wait "$log" "$m" 'shutdown: not accepting' 3
	# A new connection is refused while draining.
	req eservice GET /healthz --max-time 2
	draincode=$code
	touch "$tmp/go"
	wait_exit "$dpid" 8
	dstatus=$estatus
	touch "$tmp/done"
	wait_exit "$spid" 2
	estatus=$dstatus

	d="SIGTERM: the request in flight (1 connection open) is answered 201"
	if grep -q 'shutdown: not accepting; 1 connections open' "$log" &&
	    grep -q '^HTTP/1.1 201' "$tmp/inflight.out" &&
	    grep -q '<application-id>in-flight</application-id>' \
	    "$tmp/inflight.out"; then
		pass "$d"
	else
		fail "$d" "log: $(tail -n +$((m + 1)) "$log" | head -n 8)" \
		    "reply: $(head -c 300 "$tmp/inflight.out")" \
		    "s_client: $(tail -n 3 "$tmp/inflight.err")"
	fi
	d="SIGTERM: no new connections while draining"
	if [ "$draincode" = 000 ]; then
		pass "$d"
	else
		fail "$d" "a new request got HTTP $draincode"
	fi
else
	m=$(log_mark "$log")
	kill -TERM "$dpid"
	wait_exit "$dpid" 8
fi
d="SIGTERM: exit status 0 within the shutdown timeout, logs 'bistandd stopped'"
if [ "${estatus:-}" = 0 ] && grep -q 'bistandd stopped' "$log"; then
	pass "$d"
else
	fail "$d" "exit status '${estatus:-still running}'" \
	    "$(tail -n +$((m + 1)) "$log" | head -n 20)"
fi

# --- 12. restart: what was acknowledged is still there -----------------

nheld=$(grep -c 'intake: [^ ]* evaluated outcome=' "$log")
log3=$tmp/restart.log
if start_daemon "$conf" "$log3"; then
	d="restart on the same state: trail verified, $nheld applications held"
	if log_wait "$log3" 0 \
	    "audit: trail verified: [0-9]+ records, [0-9]+ checkpoints, $nheld applications held" 1
	then
		pass "$d"
	else
		fail "$d" "$(grep 'audit:' "$log3")"
	fi
	bad=
	for id in "${ids[@]}"; do
		req eservice GET "/v1/applications/$id"
		if [ "$code" != 200 ] || ! same_file "$tmp/body" "$tmp/decision.$id"
		then
			bad="$bad $id($code)"
		fi
	done
	d="after the restart every example's decision is served unchanged"
	if [ -z "$bad" ] && [ ${#ids[@]} -gt 0 ]; then
		pass "$d"
	else
		fail "$d" "differ or missing:$bad"
	fi
	if [ -n "$ex" ]; then
		post eservice "$ex"
		d="after the restart the same bytes again: 200, same document"
		if [ "$code" = 200 ] && same_file "$tmp/body" "$tmp/decision.$exid"
		then
			pass "$d"
		else
			fail "$d" "$(what)"
		fi
		req eservice GET /v1/applications/in-flight
		expect "after the restart the request answered while draining is held" \
		    200 -
	fi
	m=$(log_mark "$log3")
	kill -TERM "$dpid"
	wait_exit "$dpid" 8
	d="restarted daemon: SIGTERM, exit 0"
	if [ "${estatus:-}" = 0 ] && log_wait "$log3" "$m" 'bistandd stopped' 1
	then
		pass "$d"
	else
		fail "$d" "exit status '${estatus:-still running}'" \
		    "$(tail -n +$((m + 1)) "$log3" | head -n 20)"
	fi
else
	fail "restart on the same state directory" "$(tail -n 20 "$log3")"
fi

# --- 13. the trail verifies; it holds no personnummer or name ------------

out=$(sh tests/audit-verify.sh "$tmp/state" 2>&1); st=$?
d="tests/audit-verify.sh on the trail: OK"
if [ $st = 0 ] && printf '%s' "$out" | grep -q '^OK:'; then
	pass "$d ($(printf '%s' "$out" | head -n 1))"
else
	fail "$d" "exit $st: $out"
fi
if [ -x "$BISTAND_BUILD/bistandctl" ]; then
	out=$("$BISTAND_BUILD/bistandctl" audit verify --state "$tmp/state" 2>&1)
	st=$?
	d="bistandctl audit verify --state: exit 0"
	if [ $st = 0 ]; then
		pass "$d"
	else
		fail "$d" "exit $st: $out"
	fi
fi
# The records, with the decision documents (base64) decoded.
{
	cat "$tmp/state/audit.trail"
	grep -o 'decision=[A-Za-z0-9+/=%]*' "$tmp/state/audit.trail" |
	    sed -e 's/^decision=//' -e 's/%2B/+/g' -e 's/%2F/\//g' \
	    -e 's/%3D/=/g' | while IFS= read -r b; do
		printf '%s' "$b" | base64 -d 2>/dev/null
		echo
	done
} > "$tmp/trail.txt" 2>/dev/null
leaks=
for p in $pnrs; do
	grep -qF -- "$p" "$tmp/trail.txt" && leaks="$leaks personnummer $p"
done
while IFS= read -r nm; do
	[ -n "$nm" ] && grep -qF -- "$nm" "$tmp/trail.txt" &&
	    leaks="$leaks name '$nm'"
done <<< "$names"
d="the trail (records and decision documents) holds no personnummer or name"
if [ -z "$leaks" ] && [ -s "$tmp/trail.txt" ]; then
	pass "$d"
else
	fail "$d" "found:${leaks:- (empty trail)}"
fi

# --- sanitizers --------------------------------------------------------

d="no sanitizer reports (ASan, LSan, UBSan) in the daemons' logs"
if grep -qE 'Sanitizer|runtime error:' "$log" "$log2" "$log3" 2>/dev/null
then
	fail "$d" "$(grep -hE -A 40 'ERROR: .*Sanitizer|runtime error:' \
	    "$log" "$log2" "$log3" 2>/dev/null | head -n 80)"
else
	pass "$d"
fi

echo "# $((SECONDS - t_start)) s"
echo "$npass passed, $nfail failed"
[ "$nfail" = 0 ]
