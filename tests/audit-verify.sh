#!/bin/sh
# audit-verify.sh — independent verifier of a bistandd audit trail.
#
# Written from docs/audit-format.md (format version 1) alone, using only
# POSIX sh, coreutils, awk and openssl, as an auditor would.
#
#   sh tests/audit-verify.sh STATE_DIR [--anchor SEQ:HASH]... [--documents]
#                                      [--pubkey FILE]
#
# STATE_DIR holds audit.trail and audit-key.pub. --pubkey uses the auditor's
# own copy of the public key instead of STATE_DIR/audit-key.pub (whoever can
# write the state directory can also replace the key there).
# --anchor SEQ:HASH: record SEQ must exist and have exactly this hash (the
# SHA-256 of its line including LF), e.g. the head_seq:head of a checkpoint
# seen earlier. May be given several times.
# --documents: also check every `received` record against its entry in
# documents/SEGMENT, where that segment file still exists.
#
# Output: "OK: N records, C checkpoints, last checkpoint at SEQ S (head H)"
# and exit 0, or "FAIL: record SEQ (byte offset O): reason" for the first bad
# record and exit 1. "ERROR: ..." and exit 2 for a usage or set-up problem.
#
# Speed: all line hashes come from one `split` and one `sha256sum` run, all
# syntax, chain and anchor checks from one awk pass; only each checkpoint
# signature costs one openssl process (and each document, with --documents,
# a few coreutils processes).

set -u
LC_ALL=C
export LC_ALL

prog=audit-verify.sh
usage() {
	echo "usage: sh $prog STATE_DIR [--anchor SEQ:HASH]... [--documents] [--pubkey FILE]" >&2
	exit 2
}
err() {
	echo "ERROR: $*" >&2
	exit 2
}

dir=
pub=
docs=0
anchors=
while [ $# -gt 0 ]; do
	case $1 in
	--anchor)
		[ $# -ge 2 ] || usage
		a=$2
		shift 2
		;;
	--anchor=*)
		a=${1#--anchor=}
		shift
		;;
	--documents)
		docs=1
		shift
		continue
		;;
	--pubkey)
		[ $# -ge 2 ] || usage
		pub=$2
		shift 2
		continue
		;;
	-h | --help) usage ;;
	-*) usage ;;
	*)
		[ -z "$dir" ] || usage
		dir=$1
		shift
		continue
		;;
	esac
	# an --anchor argument
	as=${a%%:*}
	ah=$(printf '%s' "${a#*:}" | tr A-F a-f)
	case $as in '' | 0* | *[!0-9]*) err "bad --anchor '$a': SEQ must be a decimal > 0" ;; esac
	case $ah in *[!0-9a-f]*) err "bad --anchor '$a': HASH must be 64 hex digits" ;; esac
	[ ${#ah} -eq 64 ] || err "bad --anchor '$a': HASH must be 64 hex digits"
	anchors="$anchors $as:$ah"
done
[ -n "$dir" ] || usage
trail=$dir/audit.trail
[ -n "$pub" ] || pub=$dir/audit-key.pub
[ -f "$trail" ] || err "$trail: no such file"
[ -r "$trail" ] || err "$trail: cannot read"
[ -f "$pub" ] || err "$pub: no such file"
command -v openssl >/dev/null 2>&1 || err "openssl not found"

# Temporary files (mode 0700 directory, removed at exit). Without TMPDIR a
# tmpfs is preferred: hashing makes one small file per line.
tbase=${TMPDIR:-}
if [ -z "$tbase" ]; then
	tbase=/tmp
	[ -d /dev/shm ] && [ -w /dev/shm ] && tbase=/dev/shm
fi
tmp=$(mktemp -d "$tbase/audit-verify.XXXXXX") || err "mktemp failed"
trap 'rm -rf "$tmp"' EXIT
trap 'exit 2' HUP INT TERM

# The public key: must be an Ed25519 SubjectPublicKeyInfo (44 bytes of DER:
# 30 2a 30 05 06 03 2b 65 70 03 21 00, then the 32-byte key); its
# fingerprint is the SHA-256 of that DER encoding.
openssl pkey -pubin -in "$pub" -outform DER -out "$tmp/pub.der" 2>/dev/null ||
	err "$pub: not a readable public key"
der=
for x in $(od -An -v -tx1 "$tmp/pub.der"); do der=$der$x; done
case ${#der}:$der in
88:302a300506032b6570032100*) ;;
*) err "$pub: not an Ed25519 public key" ;;
esac
fpr=$(sha256sum <"$tmp/pub.der")
fpr=${fpr%% *}

# shellcheck disable=SC2046 # wc prints: lines bytes
set -- $(wc -lc <"$trail")
nl=$1
size=$2
if [ "$size" -eq 0 ]; then
	for a in $anchors; do
		printf 'FAIL: record %s (byte offset 0): %s\n' "${a%%:*}" \
			"anchor record does not exist: the trail is empty (truncated?)"
		exit 1
	done
	echo "OK: 0 records, 0 checkpoints, no checkpoint"
	exit 0
fi

# The hash of every line, with a few processes per 4096 lines: split the
# trail into chunks of 4096 lines and each chunk (in order: split waits for
# each filter) into one file per line, whose names sort in line order, and
# hash those with one sha256sum. One more line than `wc -l` counts means that
# the last line has no LF.
mkdir "$tmp/l" || err "mkdir failed"
L=$tmp/l SHELL=/bin/sh split -l 4096 -a 9 -d --filter='cd "$L" && split -l 1 -a 4 -d - x &&
	sha256sum -- x* && rm -f -- x*' "$trail" >"$tmp/hashes" ||
	err "hashing the lines failed"

# One awk pass over the trail: syntax, SEQ, chain, anchors, checkpoint fields.
# It prints, in trail order, a line per checkpoint whose signature the shell
# must still verify ("C"), a line per received document to check ("D"), and
# either the first failure ("F") or a summary ("E").
awk -v hashfile="$tmp/hashes" -v nl="$nl" \
	-v fpr="$fpr" -v anchors="$anchors" -v docs="$docs" -v size="$size" '
function fail(msg) {
	printf "F\t%d\t%d\t%s\n", n, off, msg
	failed = 1
	exit
}
function q(s) { return "\"" (length(s) > 72 ? substr(s, 1, 72) "..." : s) "\"" }
function islhex(s, len) { return length(s) == len && s ~ /^[0-9a-f]+$/ }
function isdec(s) { return s ~ /^(0|[1-9][0-9]*)$/ && length(s) <= 15 }
function leap(y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 }
function checktime(t,    y, mo, d, hh, mi, ss, mdays) {
	if (t !~ /^[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]\.[0-9][0-9][0-9][0-9][0-9][0-9]Z$/)
		return "TIME " q(t) " is not YYYY-MM-DDTHH:MM:SS.ffffffZ"
	y = substr(t, 1, 4) + 0; mo = substr(t, 6, 2) + 0; d = substr(t, 9, 2) + 0
	hh = substr(t, 12, 2) + 0; mi = substr(t, 15, 2) + 0; ss = substr(t, 18, 2) + 0
	split("31 28 31 30 31 30 31 31 30 31 30 31", mdays, " ")
	if (leap(y)) mdays[2] = 29
	if (mo < 1 || mo > 12 || d < 1 || d > mdays[mo] || hh > 23 || mi > 59 || ss > 59)
		return "TIME " q(t) " is not a valid UTC date and time"
	return ""
}
function octal(hex,    i, s, b) {
	s = ""
	for (i = 1; i <= length(hex); i += 2) {
		b = hv[substr(hex, i, 1)] * 16 + hv[substr(hex, i + 1, 1)]
		s = s sprintf("\\%03o", b)
	}
	return s
}
BEGIN {
	FS = "\n"
	zeros = "0000000000000000000000000000000000000000000000000000000000000000"
	valre = "^([-A-Za-z0-9._~:,+/=@]|%[0-9A-F][0-9A-F])*$"
	split("opened ruleset received evaluated refused forbidden checkpoint " \
	    "claimed released assigned decided completed", tl, " ")
	for (i in tl) known[tl[i]] = 1
	split("eservice caseworker auditor other", rl, " ")
	for (i in rl) role[rl[i]] = 1
	for (i = 1; i < 256; i++) ord[sprintf("%c", i)] = i
	for (i = 0; i < 16; i++) hv[substr("0123456789abcdef", i + 1, 1)] = i
	na = split(anchors, al, " ")
	for (i = 1; i <= na; i++) {
		c = index(al[i], ":")
		anc[substr(al[i], 1, c - 1)] = substr(al[i], c + 1)
	}
	while ((getline l < hashfile) > 0) { nh++; h[nh] = substr(l, 1, 64) }
	close(hashfile)
	total = nh
	incomplete = (nh == nl + 1)
	if (nh != nl && !incomplete) { print "internal: " nh " hashes for " nl " lines" > "/dev/stderr"; exit 3 }
	n = 0; off = 0; ncp = 0; lastcp = ""; lasthead = ""
}
{
	n++
	line = $0
	len = length(line)
	if (n == total && incomplete)
		fail("incomplete last line: no LF at the end of the file (torn write or truncation)")
	if (len + 1 > 1048576)
		fail("line is " (len + 1) " bytes, more than 1 MiB")
	if (match(line, /[^\t -~]/))
		fail(sprintf("byte %d of the line (file offset %d) is 0x%02X: not printable ASCII or TAB", RSTART - 1, off + RSTART - 1, ord[substr(line, RSTART, 1)] + 0))
	nf = split(line, f, "\t")
	if (nf != 6)
		fail("has " nf " TAB-separated fields, expected 6")
	seq = f[1]; time = f[2]; type = f[3]; actor = f[4]; prev = f[5]; payload = f[6]

	if (seq !~ /^[1-9][0-9]*$/)
		fail("SEQ " q(seq) " is not a decimal without sign or leading zero")
	if (seq != n "")
		fail("SEQ is " seq ", expected " n " (a record is missing, inserted or out of order)")

	msg = checktime(time)
	if (msg != "") fail(msg)

	if (type !~ /^[a-z][a-z-]*$/)
		fail("TYPE " q(type) " is not [a-z][a-z-]*")
	if (!(type in known))
		fail("TYPE " q(type) " is not a type of format version 1")
	if (n == 1 && type != "opened")
		fail("record 1 is \"" type "\", expected \"opened\" (which holds the format version)")

	if (actor == "daemon" || actor == "automated") arole = actor
	else {
		c = index(actor, ":")
		arole = c ? substr(actor, 1, c - 1) : ""
		if (!(arole in role) || substr(actor, c + 1) !~ valre)
			fail("ACTOR " q(actor) " is not automated, daemon or ROLE:IDENTITY")
	}
	want = (type == "opened" || type == "ruleset" || type == "checkpoint") ? "daemon" : \
	       (type == "evaluated") ? "automated" : \
	       (type == "received") ? "eservice" : \
	       (type == "claimed" || type == "released" || type == "assigned" || \
	        type == "decided" || type == "completed") ? "caseworker" : "role"
	if (want == "role" ? (arole == "daemon" || arole == "automated") : (arole != want))
		fail("ACTOR " q(actor) " is not allowed for TYPE " type)

	if (!islhex(prev, 64))
		fail("PREV is not 64 lowercase hex digits")
	if (n == 1 && prev != zeros)
		fail("PREV of record 1 is not 64 zeros")
	if (n > 1 && prev != h[n - 1])
		fail("PREV does not match the hash of record " (n - 1) " (record " (n - 1) " or this PREV was changed)")

	# PAYLOAD: empty, or KEY=VALUE pairs joined by &
	for (k in kv) delete kv[k]
	np = 0
	if (payload != "") {
		np = split(payload, p, "&")
		for (i = 1; i <= np; i++) {
			c = index(p[i], "=")
			if (c < 2)
				fail("payload pair " i " " q(p[i]) " is not KEY=VALUE")
			k = substr(p[i], 1, c - 1); v = substr(p[i], c + 1)
			if (k !~ /^[a-z0-9_]+$/)
				fail("payload key " q(k) " is not [a-z0-9_]+")
			if (v !~ valre)
				fail("value of payload key " k " is not percent-encoded as specified")
			if (k in kv)
				fail("payload key " k " occurs twice")
			kv[k] = v; pk[i] = k
		}
	}

	if ((n "") in anc && h[n] != anc[n ""])
		fail("hash " h[n] " is not the anchor " anc[n ""] " (the record was rewritten)")

	if (type == "opened") {
		if (!("format" in kv) || kv["format"] != "1")
			fail("opened record without format=1 (not format version 1)")
		if (!("key" in kv) || kv["key"] != fpr)
			fail("opened record key= is not the fingerprint of the public key " fpr)
	} else if (type == "received") {
		if (!("sha256" in kv) || !islhex(kv["sha256"], 64))
			fail("received record without a sha256= of 64 lowercase hex digits")
		if (!("size" in kv) || !isdec(kv["size"]))
			fail("received record without a decimal size=")
		if (!("doc" in kv) || kv["doc"] !~ /^[0-9][0-9][0-9][0-9]-[0-9][0-9]\.seg:(0|[1-9][0-9]*)$/ || length(kv["doc"]) > 27)
			fail("received record without a doc=YYYY-MM.seg:OFFSET")
		if (docs) {
			c = index(kv["doc"], ":")
			printf "D\t%d\t%d\t%s\t%s\t%s\t%s\n", n, off, substr(kv["doc"], 1, c - 1), \
				substr(kv["doc"], c + 1), kv["sha256"], kv["size"]
		}
	} else if (type == "checkpoint") {
		# The exact layout: extra or reordered keys would not be covered by
		# the signature, so none are accepted.
		if (np != 5 || pk[1] != "head_seq" || pk[2] != "head" || pk[3] != "alg" || pk[4] != "key" || pk[5] != "sig")
			fail("checkpoint payload is not head_seq=N&head=H&alg=ed25519&key=F&sig=S")
		if (kv["head_seq"] != (n - 1) "")
			fail("checkpoint head_seq=" kv["head_seq"] ", expected " (n - 1))
		if (kv["head"] != prev)
			fail("checkpoint head= is not its PREV")
		if (kv["alg"] != "ed25519")
			fail("checkpoint alg=" kv["alg"] ", expected ed25519")
		if (kv["key"] != fpr)
			fail("checkpoint key=" kv["key"] " is not the fingerprint " fpr " of the public key")
		if (!islhex(kv["sig"], 128))
			fail("checkpoint sig= is not 128 lowercase hex digits")
		printf "C\t%d\t%d\t%s\t%s\t%s\t%s\t%s\n", n, off, time, kv["head_seq"], kv["head"], \
			kv["key"], octal(kv["sig"])
		ncp++; lastcp = n; lasthead = kv["head"]
	}
	off += len + 1
}
END {
	if (failed || nh != nl && !incomplete) exit
	for (a in anc) if (a + 0 > n) {
		printf "F\t%s\t%d\t%s\n", a, size, "anchor record does not exist: the trail has only " n " records (truncated?)"
		exit
	}
	printf "E\t%d\t%d\t%s\t%s\n", n, ncp, lastcp, lasthead
}' "$trail" >"$tmp/out" || err "awk failed"

fail() {
	printf 'FAIL: record %s (byte offset %s): %s\n' "$1" "$2" "$3"
	exit 1
}

tab=$(printf '\t')
ndocs=0
nskip=0
while IFS=$tab read -r k a b c d e f g; do
	case $k in
	C)
		# a=SEQ b=offset c=TIME d=N e=H f=F g=signature as octal escapes
		printf 'bistandd-checkpoint-v1\n%s\n%s\n%s\n%s\n%s\n' "$a" "$c" "$d" "$e" "$f" >"$tmp/msg"
		# shellcheck disable=SC2059 # g holds only \ooo escapes
		printf "$g" >"$tmp/sig"
		openssl pkeyutl -verify -pubin -inkey "$pub" -rawin -in "$tmp/msg" \
			-sigfile "$tmp/sig" >/dev/null 2>&1 ||
			fail "$a" "$b" "checkpoint signature does not verify with $pub"
		;;
	D)
		# a=SEQ b=offset c=segment d=offset in segment e=sha256 f=size
		seg=$dir/documents/$c
		if [ ! -e "$seg" ]; then
			nskip=$((nskip + 1))
			continue
		fi
		[ -f "$seg" ] && [ -r "$seg" ] || fail "$a" "$b" "document segment $c is not a readable file"
		hdr="$e $f"
		elen=$((${#hdr} + 1 + f + 1))
		tail -c +$((d + 1)) "$seg" | head -c "$elen" >"$tmp/doc"
		got=$(wc -c <"$tmp/doc")
		[ "$got" -eq "$elen" ] || fail "$a" "$b" "document entry at $c:$d is cut short ($got of $elen bytes)"
		IFS= read -r l1 <"$tmp/doc" || l1=
		[ "$l1" = "$hdr" ] || fail "$a" "$b" "document entry at $c:$d does not start with \"$hdr\""
		[ "$(tail -c 1 "$tmp/doc" | tr '\n' L)" = L ] ||
			fail "$a" "$b" "document entry at $c:$d does not end in LF after $f bytes"
		ds=$(head -c $((elen - 1)) "$tmp/doc" | tail -c "$f" | sha256sum | cut -d' ' -f1)
		[ "$ds" = "$e" ] || fail "$a" "$b" "document at $c:$d has SHA-256 $ds, the record says $e"
		ndocs=$((ndocs + 1))
		;;
	F)
		fail "$a" "$b" "$c"
		;;
	E)
		if [ "$b" -eq 0 ]; then
			echo "OK: $a records, 0 checkpoints, no checkpoint"
			echo "note: no record is signed" >&2
		else
			echo "OK: $a records, $b checkpoints, last checkpoint at SEQ $c (head $d)"
			[ "$c" -eq "$a" ] ||
				echo "note: records $((c + 1))..$a follow the last checkpoint and are not signed" >&2
			[ "$c" -le 1 ] ||
				echo "note: to prove later that this trail was kept: --anchor $((c - 1)):$d" >&2
		fi
		[ "$docs" -eq 0 ] ||
			echo "documents: $ndocs checked, $nskip skipped (segment removed)"
		exit 0
		;;
	*)
		err "internal: unexpected awk output"
		;;
	esac
done <"$tmp/out"
err "internal: awk gave no result"
