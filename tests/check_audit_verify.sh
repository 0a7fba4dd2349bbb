#!/bin/sh
# check_audit_verify.sh — self-test of tests/audit-verify.sh.
#
# Builds synthetic audit trails from docs/audit-format.md alone (openssl for
# the Ed25519 key and the checkpoint signatures, coreutils for the rest),
# damages them in the ways an attacker or a crash would, and checks that the
# verifier says OK or FAIL for the right record.
#
#   sh tests/check_audit_verify.sh            # all tests, flip sweeps XOR 01, 20
#   SWEEP=0 sh tests/check_audit_verify.sh    # without the sweeps
#   SWEEP=full ...                            # also XOR 80 and a delete sweep
#   SWEEP_MASKS="01 20 80" ...                # XOR masks of the flip sweep
#   PERF_RECORDS=3000 ...                     # size of the speed measurement
#   KEEP=1 ...                                # keep the work directory

set -u
LC_ALL=C
export LC_ALL

here=$(cd "$(dirname "$0")" && pwd)
V="$here/audit-verify.sh"
W=$(mktemp -d "${TMPDIR:-/tmp}/check-audit.XXXXXX") || exit 2
if [ -n "${KEEP:-}" ]; then
	echo "# work directory kept: $W"
else
	trap 'rm -rf "$W"' EXIT
fi
trap 'exit 2' HUP INT TERM

TAB=$(printf '\t')
ZEROS=0000000000000000000000000000000000000000000000000000000000000000
pass=0
failn=0

ok() {
	pass=$((pass + 1))
	echo "ok $((pass + failn)) - $1"
}
notok() {
	failn=$((failn + 1))
	echo "not ok $((pass + failn)) - $1"
	shift
	for l in "$@"; do echo "#   $l"; done
}

# verify NAME EXPECT DIR [ARGS...]: EXPECT is OK or a record number that the
# FAIL line must name.
verify() {
	_name=$1 _exp=$2 _d=$3
	shift 3
	_out=$(sh "$V" "$_d" "$@" 2>"$W/stderr")
	_rc=$?
	_first=$(printf '%s\n' "$_out" | head -n 1)
	if [ "$_exp" = OK ]; then
		case $_rc:$_first in
		0:OK:*) ok "$_name: $_first" ;;
		*) notok "$_name" "expected OK, got rc=$_rc: $_first $(cat "$W/stderr")" ;;
		esac
	else
		case $_rc:$_first in
		"1:FAIL: record $_exp ("*) ok "$_name: $_first" ;;
		*) notok "$_name" "expected FAIL at record $_exp, got rc=$_rc: $_first $(cat "$W/stderr")" ;;
		esac
	fi
}

# ---------------------------------------------------------------------------
# Building trails per the document

openssl genpkey -algorithm ed25519 -out "$W/key.pem" 2>/dev/null || exit 2
openssl pkey -in "$W/key.pem" -pubout -out "$W/key.pub" || exit 2
openssl genpkey -algorithm ed25519 -out "$W/other.pem" 2>/dev/null || exit 2
openssl pkey -in "$W/other.pem" -pubout -out "$W/other.pub" || exit 2
fingerprint() { openssl pkey -pubin -in "$1" -outform DER | sha256sum | cut -c1-64; }
FPR=$(fingerprint "$W/key.pub")
OFPR=$(fingerprint "$W/other.pub")

hash_line() { printf '%s\n' "$1" | sha256sum | cut -c1-64; }

# The documents of the month: SHA256 SP SIZE LF BYTES LF each.
mkdir -p "$W/documents"
: >"$W/documents/2026-11.seg"
DOC_OFF=
DOC_SHA=
DOC_SIZE=
add_doc() { # bytes (printf format)
	_o=$(wc -c <"$W/documents/2026-11.seg")
	# shellcheck disable=SC2059
	printf "$1" >"$W/doc.bin"
	DOC_SHA=$(sha256sum <"$W/doc.bin" | cut -c1-64)
	DOC_SIZE=$(wc -c <"$W/doc.bin")
	DOC_OFF=$((_o + 0))
	{
		printf '%s %s\n' "$DOC_SHA" "$DOC_SIZE"
		cat "$W/doc.bin"
		printf '\n'
	} >>"$W/documents/2026-11.seg"
}

# build SPEC STATEDIR: SPEC has lines TYPE TAB ACTOR TAB PAYLOAD; a payload
# "@cp" makes a signed checkpoint. Knobs (variables): GAP_AT (skip this SEQ),
# FIRST_PREV (PREV of record 1), CP_KEY (signing key), CP_FPR (key= value).
build() {
	_spec=$1 _d=$2
	rm -rf "$_d"
	mkdir -p "$_d"
	: >"$_d/audit.trail"
	cp "$W/key.pub" "$_d/audit-key.pub"
	cp -r "$W/documents" "$_d/documents"
	_seq=0 _h=$ZEROS _t=0
	while IFS=$TAB read -r _type _actor _payload; do
		_seq=$((_seq + 1))
		[ "$_seq" = "${GAP_AT:-x}" ] && _seq=$((_seq + 1))
		_t=$((_t + 1))
		_time=$(printf '2026-11-03T08:%02d:%02d.%06dZ' $((_t / 60)) $((_t % 60)) $((_t * 7919 % 1000000)))
		_prev=$_h
		[ "$_seq" -eq 1 ] && [ -n "${FIRST_PREV:-}" ] && _prev=$FIRST_PREV
		if [ "$_payload" = @cp ]; then
			_n=$((_seq - 1))
			_f=${CP_FPR:-$FPR}
			printf 'bistandd-checkpoint-v1\n%s\n%s\n%s\n%s\n%s\n' \
				"$_seq" "$_time" "$_n" "$_prev" "$_f" >"$W/msg"
			openssl pkeyutl -sign -inkey "${CP_KEY:-$W/key.pem}" -rawin \
				-in "$W/msg" -out "$W/sig" || exit 2
			_s=$(basenc --base16 -w0 <"$W/sig" | tr A-F a-f)
			_payload="head_seq=$_n&head=$_prev&alg=ed25519&key=$_f&sig=$_s"
		fi
		_line=$(printf '%s\t%s\t%s\t%s\t%s\t%s' "$_seq" "$_time" "$_type" "$_actor" "$_prev" "$_payload")
		printf '%s\n' "$_line" >>"$_d/audit.trail"
		_h=$(hash_line "$_line")
	done <"$_spec"
}

RS=3f1c0e6b2a9d8e7f60514233241506f7e8d9cab0b1c2d3e4f5a6b7c8d9e0f1a2
ESVC='eservice:e-tj%C3%A4nst%20V%C3%A4ster%C3%A5s'
CW1='caseworker:Anna%20Berg%2C%20Soc%C3%A5n'
spec_good() {
	add_doc '<application period="2026-11">\n  <applicant pnr="199001012380"/>\n</application>'
	d1="id=A-2026-0001&sha256=$DOC_SHA&size=$DOC_SIZE&doc=2026-11.seg:$DOC_OFF&applicant=0f1e2d3c4b5a69788796a5b4c3d2e1f0&period=2026-11"
	add_doc '<application period="2026-11">\n  <applicant pnr="198502029876"/>\n  <partner pnr="198703035555"/>\n  <note>hyra &amp; el</note>\n</application>'
	d2="id=A-2026-0002&sha256=$DOC_SHA&size=$DOC_SIZE&doc=2026-11.seg:$DOC_OFF&applicant=aa11bb22cc33dd44ee55ff6600778899&partner=1234567890abcdef1234567890abcdef&period=2026-11"
	add_doc 'x'
	d3="id=A-2026-0003&sha256=$DOC_SHA&size=$DOC_SIZE&doc=2026-11.seg:$DOC_OFF&applicant=0f1e2d3c4b5a69788796a5b4c3d2e1f0&period=2026-12"
	cat <<EOF
opened${TAB}daemon${TAB}format=1&ruleset=$RS&key=$FPR
ruleset${TAB}daemon${TAB}hash=$RS&files=main.lua,lib/norm.lua,norm/2026.lua
received${TAB}$ESVC${TAB}$d1
evaluated${TAB}automated${TAB}id=A-2026-0001&ruleset=$RS&norm_year=2026&outcome=granted&amount=7342&reasons=&decision=PGRlY2lzaW9uLz4K+/A=
received${TAB}$ESVC${TAB}$d2
checkpoint${TAB}daemon${TAB}@cp
evaluated${TAB}automated${TAB}id=A-2026-0002&ruleset=$RS&norm_year=2026&outcome=routed&reasons=VIOLENCE,CHILDREN,FREE_TEXT&priority=1&due=2026-11-04&decision=PGRlY2lzaW9uIHN0YXR1cz0icm91dGVkIi8+Cg==
refused${TAB}$ESVC${TAB}status=400&code=SCHEMA_VIOLATION&line=12&column=7&element=%7Burn%3Abistand%3Aapplication%3A1%7Dincome&sha256=9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08&size=311
forbidden${TAB}caseworker:Anna%20Berg%2C%20Soc%C3%A5n${TAB}method=GET&path=/v1/audit&status=403
checkpoint${TAB}daemon${TAB}@cp
received${TAB}$ESVC${TAB}$d3
evaluated${TAB}automated${TAB}id=A-2026-0003&ruleset=$RS&norm_year=0&outcome=routed&reasons=NO_NORM&priority=2&due=2026-11-10&decision=PGQvPgo=
claimed${TAB}$CW1${TAB}id=A-2026-0002
assigned${TAB}$CW1${TAB}id=A-2026-0002&to=Bo%20Ek
refused${TAB}$CW1${TAB}status=409&code=NOT_HOLDER&id=A-2026-0002&route=decision
decided${TAB}caseworker:Bo%20Ek${TAB}id=A-2026-0002&outcome=partly-granted&amount=5120&motivation=Hyra%20%26%20el%20enligt%20norm%3B%20%C3%B6vrigt%20avsl%C3%A5s.&decision=PGRlY2lkZWQvPgo=
claimed${TAB}caseworker:Bo%20Ek${TAB}id=A-2026-0003
released${TAB}caseworker:Bo%20Ek${TAB}id=A-2026-0003
completed${TAB}$CW1${TAB}id=A-2026-0003&note=
checkpoint${TAB}daemon${TAB}@cp
EOF
}
spec_good >"$W/good.spec"
build "$W/good.spec" "$W/good"
G=$W/good/audit.trail
NREC=$(wc -l <"$G")
NREC=$((NREC + 0))

# line_off K: byte offset of line K in file $1
line_off() { head -n $(($2 - 1)) "$1" | wc -c; }
# setbyte FILE OFFSET OCTAL: a copy with the byte at OFFSET replaced
setbyte() {
	{
		head -c "$2" "$1"
		# shellcheck disable=SC2059
		printf "\\$3"
		tail -c +$(($2 + 2)) "$1"
	} >"$1.new" && mv "$1.new" "$1"
}
octal_of() { printf '%03o' "'$1"; }
# mutate NAME: fresh copy of the good state dir in $W/NAME, path in $M
mutate() {
	M=$W/$1
	rm -rf "$M"
	cp -r "$W/good" "$M"
}
# edit_line FILE K SED-EXPR
edit_line() { sed "$2{$3}" "$1" >"$1.new" && mv "$1.new" "$1"; }

# ---------------------------------------------------------------------------
echo "# good trail: $NREC records of every type, 3 checkpoints, percent-encoded values"

verify "good trail" OK "$W/good"
out=$(sh "$V" "$W/good" 2>/dev/null)
case $out in
"OK: $NREC records, 3 checkpoints, last checkpoint at SEQ $NREC (head $(sed -n "$((NREC - 1))p" "$G" | sha256sum | cut -c1-64))")
	ok "OK line reports count, checkpoints and the head" ;;
*) notok "OK line reports count, checkpoints and the head" "$out" ;;
esac
verify "good trail, --pubkey (auditor's copy)" OK "$W/good" --pubkey "$W/key.pub"
verify "good trail, --documents" OK "$W/good" --documents
out=$(sh "$V" "$W/good" --documents 2>/dev/null | tail -n 1)
[ "$out" = "documents: 3 checked, 0 skipped (segment removed)" ] &&
	ok "--documents checked all 3" || notok "--documents checked all 3" "$out"

# Reproduce a checkpoint with exactly the document's own recipe.
cpl=$(tail -n 1 "$G")
S=$(printf '%s' "$cpl" | cut -f1) T=$(printf '%s' "$cpl" | cut -f2)
P=$(printf '%s' "$cpl" | cut -f6)
N=$(printf '%s' "$P" | tr '&' '\n' | sed -n 's/^head_seq=//p')
H=$(printf '%s' "$P" | tr '&' '\n' | sed -n 's/^head=//p')
F=$(printf '%s' "$P" | tr '&' '\n' | sed -n 's/^key=//p')
SG=$(printf '%s' "$P" | tr '&' '\n' | sed -n 's/^sig=//p')
printf 'bistandd-checkpoint-v1\n%s\n%s\n%s\n%s\n%s\n' "$S" "$T" "$N" "$H" "$F" >"$W/msg"
printf '%s' "$SG" | tr a-f A-F | basenc --base16 -d >"$W/sig"
if openssl pkeyutl -verify -pubin -inkey "$W/good/audit-key.pub" -rawin -in "$W/msg" -sigfile "$W/sig" >/dev/null; then
	ok "the document's openssl recipe verifies the last checkpoint"
else
	notok "the document's openssl recipe verifies the last checkpoint"
fi

# anchors on the good trail
A3=$(sed -n 3p "$G" | sha256sum | cut -c1-64)
AH=$(sed -n "$((NREC - 1))p" "$G" | sha256sum | cut -c1-64)
verify "good trail, --anchor 3:hash" OK "$W/good" --anchor "3:$A3"
verify "good trail, --anchor head_seq:head of the last checkpoint" OK "$W/good" --anchor "$((NREC - 1)):$AH"

# ---------------------------------------------------------------------------
echo "# single-byte damage"

# (a) a digit in the middle record 5's payload (period=2026-11 ends in 1):
# still valid syntax, so the chain breaks at record 6.
mutate a
o=$(($(line_off "$M/audit.trail" 6) - 2))
setbyte "$M/audit.trail" "$o" "$(octal_of 0)"
verify "(a) byte flipped in record 5's payload (syntax kept)" 6 "$M"
# (a') a byte that breaks the value syntax: record 5 itself
mutate a2
o=$(($(line_off "$M/audit.trail" 6) - 4))
setbyte "$M/audit.trail" "$o" 046 # '&' : an empty pair
verify "(a') byte in record 5's payload made '&'" 5 "$M"

# (b) TIME of the final checkpoint: a microsecond digit
mutate b
o=$(($(line_off "$M/audit.trail" "$NREC") + ${#NREC} + 1 + 25))
c=$(tail -c +$((o + 1)) "$M/audit.trail" | head -c 1)
[ "$c" = 0 ] && r=1 || r=0
setbyte "$M/audit.trail" "$o" "$(octal_of $r)"
verify "(b) TIME of the final checkpoint" "$NREC" "$M"

# (c) the sig of the final checkpoint: its last hex digit, to another one
mutate c
o=$(($(wc -c <"$M/audit.trail") - 2))
c=$(tail -c 2 "$M/audit.trail" | head -c 1)
[ "$c" = 0 ] && r=1 || r=0
setbyte "$M/audit.trail" "$o" "$(octal_of $r)"
verify "(c) sig of the final checkpoint" "$NREC" "$M"
# (c') the sig of the first checkpoint (record 6)
mutate c2
o=$(($(line_off "$M/audit.trail" 7) - 2))
c=$(tail -c +$((o + 1)) "$M/audit.trail" | head -c 1)
[ "$c" = 0 ] && r=1 || r=0
setbyte "$M/audit.trail" "$o" "$(octal_of $r)"
verify "(c') sig of the checkpoint 6" 6 "$M"
# (c'') the sig in uppercase hex (decodes to the same bytes)
mutate c3
edit_line "$M/audit.trail" "$NREC" 's/sig=\(.*\)$/sig=\U\1/'
verify "(c'') sig of the final checkpoint in uppercase hex" "$NREC" "$M"

# (d) a TAB replaced by a space in record 4
mutate d
o=$(($(line_off "$M/audit.trail" 4) + 1))
setbyte "$M/audit.trail" "$o" 040
verify "(d) TAB after SEQ of record 4 made a space" 4 "$M"

# (e) the final LF removed
mutate e
head -c -1 "$G" >"$M/audit.trail"
verify "(e) final LF removed" "$NREC" "$M"
mutate e2
head -c -40 "$G" >"$M/audit.trail"
verify "(e') last record torn in the middle" "$NREC" "$M"

mutate nul
o=$(($(line_off "$M/audit.trail" 3) + 40))
setbyte "$M/audit.trail" "$o" 000
verify "NUL byte in record 3" 3 "$M"

mutate cr
edit_line "$M/audit.trail" 8 's/$/\r/'
verify "CR before the LF of record 8 (CRLF)" 8 "$M"

# ---------------------------------------------------------------------------
echo "# records removed, moved, renumbered"

mutate del
sed 5d "$G" >"$M/audit.trail"
verify "record 5 deleted" 5 "$M"
mutate swap
for r in 1,3 5 4 '6,$'; do sed -n "${r}p" "$G"; done >"$M/audit.trail"
verify "records 4 and 5 swapped" 4 "$M"
mutate dup
sed '5p' "$G" >"$M/audit.trail"
verify "record 5 duplicated" 6 "$M"

GAP_AT=5 build "$W/good.spec" "$W/gap"
verify "SEQ gap (4 then 6), chain and signatures recomputed" 5 "$W/gap"

FIRST_PREV=$(printf '%s' "$ZEROS" | sed 's/0$/1/') build "$W/good.spec" "$W/prev1"
verify "PREV of record 1 not zeros (rest of chain consistent)" 1 "$W/prev1"
mutate prev1b
edit_line "$M/audit.trail" 1 's/\t0000/\t0001/'
verify "PREV of record 1 edited in place" 1 "$M"

# ---------------------------------------------------------------------------
echo "# keys"

CP_KEY=$W/other.pem build "$W/good.spec" "$W/otherkey"
verify "checkpoints signed by another key (key= ours)" 6 "$W/otherkey"
CP_KEY=$W/other.pem CP_FPR=$OFPR build "$W/good.spec" "$W/otherkey2"
verify "checkpoints signed by another key (key= the other's)" 6 "$W/otherkey2"
# Whoever can write the state directory replaces the key and re-signs all:
sed "1s/key=$FPR/key=$OFPR/" "$W/good.spec" >"$W/swapkey.spec"
CP_KEY=$W/other.pem CP_FPR=$OFPR build "$W/swapkey.spec" "$W/swapkey"
cp "$W/other.pub" "$W/swapkey/audit-key.pub"
verify "key replaced in the state dir, trail re-signed: verifies with its key" OK "$W/swapkey"
verify "key replaced in the state dir, auditor's own copy (--pubkey)" 1 "$W/swapkey" --pubkey "$W/key.pub"

mutate alg
edit_line "$M/audit.trail" "$NREC" 's/alg=ed25519/alg=ed448/'
verify "checkpoint alg=ed448" "$NREC" "$M"
mutate extra
edit_line "$M/audit.trail" "$NREC" 's/$/\&note=x/'
verify "final checkpoint with an extra (unsigned) key" "$NREC" "$M"
mutate headseq
edit_line "$M/audit.trail" 10 's/head_seq=9/head_seq=8/'
verify "checkpoint head_seq not SEQ-1" 10 "$M"

# ---------------------------------------------------------------------------
echo "# syntax of rebuilt (consistently chained and signed) trails"

rebuilt() { # NAME EXPECT SED-on-spec
	sed "$3" "$W/good.spec" >"$W/$1.spec"
	build "$W/$1.spec" "$W/$1"
	verify "$1 (rebuilt)" "$2" "$W/$1"
}
rebuilt unknown-type 9 '9s/^forbidden/denied/'
rebuilt lowercase-pct 9 '9s/%20Berg/%20berg/;9s/%2C/%2c/'
rebuilt raw-utf8 9 '9s/Soc%C3%A5n/Socån/'
rebuilt raw-space 9 '9s/Anna%20Berg/Anna Berg/'
rebuilt bad-key 8 '8s/&line=/\&Line=/'
rebuilt dup-key 8 '8s/&line=12/\&line=12\&line=13/'
rebuilt empty-pair 8 '8s/&line=12/\&\&line=12/'
rebuilt actor-role 9 '9s/caseworker:/boss:/'
rebuilt actor-type 4 '4s/automated/daemon/'
rebuilt cp-actor 6 '6s/daemon/automated/'
rebuilt format2 1 '1s/format=1/format=2/'
rebuilt not-opened 1 '1s/^opened/ruleset/'
rebuilt bad-doc 3 '3s/doc=2026-11.seg/doc=..%2F2026-11.seg/'
rebuilt claim-by-eservice 13 "13s/$CW1/eservice:x/"
rebuilt decided-by-auditor 16 '16s/caseworker:/auditor:/'
rebuilt refused-by-daemon 15 '15s/caseworker:[^\t]*/daemon/'
printf 'opened\tdaemon\tformat=1&key=%s\nforbidden\tother:\t\ncheckpoint\tdaemon\t@cp\n' "$FPR" >"$W/empty.spec"
build "$W/empty.spec" "$W/empty"
verify "empty PAYLOAD and empty IDENTITY accepted" OK "$W/empty"
mkdir -p "$W/none" && : >"$W/none/audit.trail" && cp "$W/key.pub" "$W/none/audit-key.pub"
verify "empty trail" OK "$W/none"

# ---------------------------------------------------------------------------
echo "# anchors: rewriting and truncation by someone who holds the key"

# Record 3 rewritten, chain recomputed, every checkpoint re-signed with the
# daemon's own key (which is on the same machine): only an anchor notices.
rebuilt rewrite OK '3s/size=/size=1/'
verify "rewrite, --anchor 3:old hash" 3 "$W/rewrite" --anchor "3:$A3"
verify "rewrite, --anchor head_seq:head of the old last checkpoint" "$((NREC - 1))" "$W/rewrite" --anchor "$((NREC - 1)):$AH"
verify "rewrite, --anchor 2:old hash (before the rewrite)" OK "$W/rewrite" --anchor "2:$(sed -n 2p "$G" | sha256sum | cut -c1-64)"

mutate trunc
head -n 10 "$G" >"$M/audit.trail"
verify "truncated after checkpoint 10, no anchor" OK "$M"
verify "truncated after checkpoint 10, --anchor $((NREC - 1)):head" "$((NREC - 1))" "$M" --anchor "$((NREC - 1)):$AH"
sh "$V" "$W/good" --anchor 3:xyz >/dev/null 2>&1
[ $? -eq 2 ] && ok "anchor with a malformed HASH: exit 2" || notok "anchor with a malformed HASH: exit 2"

# ---------------------------------------------------------------------------
echo "# documents"

mutate docbad
o=$((DOC_OFF + 66 + ${#DOC_SIZE})) # the single byte of document 3
setbyte "$M/documents/2026-11.seg" "$o" "$(octal_of y)"
verify "document 3 changed in its segment, --documents" 11 "$M" --documents
verify "document 3 changed, without --documents" OK "$M"
mutate docgone
rm "$M/documents/2026-11.seg"
verify "segment removed by retention, --documents" OK "$M" --documents
out=$(sh "$V" "$M" --documents 2>/dev/null | tail -n 1)
[ "$out" = "documents: 0 checked, 3 skipped (segment removed)" ] &&
	ok "--documents skipped the 3 removed" || notok "--documents skipped the 3 removed" "$out"
mutate doccut
head -c $((DOC_OFF + 66)) "$W/good/documents/2026-11.seg" >"$M/documents/2026-11.seg"
verify "segment cut short, --documents" 11 "$M" --documents

# ---------------------------------------------------------------------------
# Speed
PERF_RECORDS=${PERF_RECORDS:-3000}
if [ "$PERF_RECORDS" -gt 0 ]; then
	echo "# speed: building a trail of about $PERF_RECORDS records"
	sed -n '1,2p' "$W/good.spec" >"$W/perf.spec"
	i=0
	while [ $i -lt "$PERF_RECORDS" ]; do
		sed -n '3,5p;7,9p' "$W/good.spec"
		i=$((i + 6))
		[ $((i % 60)) -ne 0 ] || printf 'checkpoint\tdaemon\t@cp\n'
	done >>"$W/perf.spec"
	printf 'checkpoint\tdaemon\t@cp\n' >>"$W/perf.spec"
	# (the builder spends a few processes per record: a minute or so)
	build "$W/perf.spec" "$W/perf"
	pn=$(wc -l <"$W/perf/audit.trail")
	pc=$(grep -c "${TAB}checkpoint${TAB}" "$W/perf/audit.trail")
	t0=$(date +%s%N)
	out=$(sh "$V" "$W/perf" 2>/dev/null)
	t1=$(date +%s%N)
	ms=$(((t1 - t0) / 1000000))
	[ "$ms" -gt 0 ] || ms=1
	case $out in
	OK:*) ok "speed: $((pn)) records ($pc checkpoints, $(wc -c <"$W/perf/audit.trail") bytes) in $ms ms = $((pn * 1000 / ms)) records/s" ;;
	*) notok "speed run" "$out" ;;
	esac
fi

# ---------------------------------------------------------------------------
# The sweeps: every byte of a small trail that ends in a checkpoint, flipped
# (XOR with each mask) and deleted, must make the verifier fail. Run in
# parallel, one worker per CPU.
# sweep_part MASK|del WORKER WORKERS: positions WORKER, WORKER+WORKERS, ...
# that still verify, to stdout.
sweep_part() {
	_sd=$W/sw$2
	mkdir -p "$_sd"
	cp "$W/key.pub" "$_sd/audit-key.pub"
	_i=0
	while read -r _b; do
		if [ $((_i % $3)) -eq "$2" ]; then
			{
				head -c "$_i" "$S0"
				if [ "$1" != del ]; then
					# shellcheck disable=SC2059
					printf "\\$(printf '%03o' $((_b ^ 0x$1)))"
				fi
				tail -c +$((_i + 2)) "$S0"
			} >"$_sd/audit.trail"
			sh "$V" "$_sd" >/dev/null 2>&1 && echo "$_i"
		fi
		_i=$((_i + 1))
	done <"$W/bytes"
}
SWEEP=${SWEEP:-1}
if [ "$SWEEP" != 0 ]; then
	for l in 1 3 6 9 6; do sed -n "${l}p" "$W/good.spec"; done >"$W/small.spec"
	build "$W/small.spec" "$W/small"
	S0=$W/small/audit.trail
	verify "sweep base trail (opened, received, checkpoint, forbidden, checkpoint)" OK "$W/small"
	sz=$(wc -c <"$S0")
	od -An -v -tu1 "$S0" | tr -s ' ' '\n' | sed '/^$/d' >"$W/bytes"
	P=$(nproc 2>/dev/null || echo 1)
	masks=${SWEEP_MASKS:-01 20}
	[ "$SWEEP" != full ] || masks="${SWEEP_MASKS:-01 20 80} del"
	for mask in $masks; do
		t0=$(date +%s)
		w=0
		while [ $w -lt "$P" ]; do
			sweep_part "$mask" $w "$P" >"$W/surv.$w" &
			w=$((w + 1))
		done
		wait
		survivors=$(sort -n "$W"/surv.* | tr '\n' ' ')
		rm -f "$W"/surv.*
		t1=$(date +%s)
		what="flip sweep, XOR 0x$mask"
		[ "$mask" != del ] || what="delete sweep"
		if [ -z "$survivors" ]; then
			ok "$what: all $sz byte positions fail ($((t1 - t0)) s)"
		else
			notok "$what: positions that still verify: $survivors"
		fi
	done
fi

echo "$pass passed, $failn failed"
[ "$failn" -eq 0 ]
