#!/bin/sh
# check_systemd.sh — checks of the systemd unit, offline (no running
# systemd, no installed daemon needed).
#
#   sh tests/check_systemd.sh            # systemd/bistandd.service
#   UNIT=path MAX_EXPOSURE=1.5 sh tests/check_systemd.sh
#
# 1. `systemd-analyze security --offline=true` scores the sandbox; the
#    overall exposure must be at most MAX_EXPOSURE (default 1.5).
# 2. `systemd-analyze verify` in a scratch root holding the host's
#    units and executable stand-ins for /usr/sbin/bistandd and /bin/kill
#    (verify refuses a unit whose commands do not exist; the manual page
#    is not looked up). Skipped if the scratch root cannot be made.
# 3. The notification and reload contract the daemon relies on.
# 4. systemd/bistandd.sysusers creates the user (systemd-sysusers --root).

set -u
LC_ALL=C
export LC_ALL

here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")
UNIT=${UNIT:-$top/systemd/bistandd.service}
SYSUSERS=${SYSUSERS:-$top/systemd/bistandd.sysusers}
MAX_EXPOSURE=${MAX_EXPOSURE:-1.5}
name=$(basename "$UNIT")
W=$(mktemp -d "${TMPDIR:-/tmp}/check-systemd.XXXXXX") || exit 2
trap 'rm -rf "$W"' EXIT
trap 'exit 2' HUP INT TERM

pass=0
failn=0
ok() {
	pass=$((pass + 1))
	echo "ok $((pass + failn)) - $1"
}
notok() {
	failn=$((failn + 1))
	echo "not ok $((pass + failn)) - $1"
}
skip() {
	echo "# skip: $1"
}

if ! command -v systemd-analyze >/dev/null 2>&1; then
	echo "# systemd-analyze not found: nothing checked"
	echo "0 passed, 0 failed"
	exit 0
fi

# 1. Exposure score.
systemd-analyze security --offline=true --no-pager "$UNIT" \
    >"$W/security" 2>&1
line=$(grep 'Overall exposure level' "$W/security")
score=$(printf '%s\n' "$line" | sed -n 's/.*: \([0-9][0-9]*\.[0-9]\).*/\1/p')
echo "# $line"
if [ -z "$score" ]; then
	sed 's/^/# /' "$W/security"
	notok "security: no exposure score"
elif awk -v s="$score" -v m="$MAX_EXPOSURE" 'BEGIN { exit !(s <= m) }'
then
	ok "security: exposure $score <= $MAX_EXPOSURE"
else
	grep '^- ' "$W/security" | sed 's/^/# /'
	notok "security: exposure $score > $MAX_EXPOSURE"
fi

# 2. verify, in a scratch root.
R="$W/root"
units=""
for d in /usr/lib/systemd/system /lib/systemd/system; do
	if [ -f "$d/sysinit.target" ]; then units=$d; break; fi
done
if [ -z "$units" ]; then
	skip "verify: no systemd units on this host to verify against"
else
	mkdir -p "$R/usr/sbin" "$R/bin" "$R/etc/systemd/system" \
	    "$R/usr/lib/systemd"
	cp -R "$units" "$R/usr/lib/systemd/system"
	for x in "$R/usr/sbin/bistandd" "$R/bin/kill"; do
		printf '#!/bin/sh\nexit 0\n' >"$x"
		chmod 0755 "$x"
	done
	cp "$UNIT" "$R/etc/systemd/system/$name"
	if systemd-analyze verify --man=no --root="$R" "$name" \
	    >"$W/verify" 2>&1 && ! [ -s "$W/verify" ]; then
		ok "verify: $name"
	else
		sed 's/^/# /' "$W/verify"
		notok "verify: $name"
	fi
fi

# 3. The contract with daemon/main.c and daemon/notify.c.
key() {
	grep -E "^$1=" "$UNIT" | tail -1 | sed "s/^$1=//"
}
[ "$(key Type)" = notify ] && [ "$(key NotifyAccess)" = main ] &&
    grep -q '^ExecStart=.* -d ' "$UNIT" &&
    ok "Type=notify, NotifyAccess=main, foreground (-d)" ||
    notok "Type=notify, NotifyAccess=main, foreground (-d)"
# The check must run before the signal: the first ExecReload is -t.
first=$(grep '^ExecReload=' "$UNIT" | head -1)
last=$(grep '^ExecReload=' "$UNIT" | tail -1)
case "$first|$last" in
*" -t "*"|"*"kill -HUP \$MAINPID") ok "ExecReload: -t, then SIGHUP" ;;
*) notok "ExecReload: -t, then SIGHUP" ;;
esac
# TimeoutStopSec must exceed the largest shutdown_timeout (3600 would
# need a drop-in; the default is 10).
t=$(key TimeoutStopSec)
case "$t" in
*[!0-9]*|"") notok "TimeoutStopSec '$t' is plain seconds" ;;
*) [ "$t" -gt 10 ] && ok "TimeoutStopSec $t > shutdown_timeout 10" ||
    notok "TimeoutStopSec $t > shutdown_timeout 10" ;;
esac
n=$(key LimitNOFILE)
case "$n" in
*[!0-9]*|"") notok "LimitNOFILE '$n' is a number" ;;
*) [ "$n" -gt 1024 ] && ok "LimitNOFILE $n > max_connections 1024" ||
    notok "LimitNOFILE $n > max_connections 1024" ;;
esac

# 4. The system user.
if [ ! -f "$SYSUSERS" ]; then
	skip "sysusers: $SYSUSERS absent"
elif ! command -v systemd-sysusers >/dev/null 2>&1; then
	skip "sysusers: systemd-sysusers not found"
else
	user=$(key User)
	mkdir -p "$W/su/etc"
	if systemd-sysusers --root="$W/su" "$SYSUSERS" >"$W/sysusers" 2>&1 &&
	    grep -q "^$user:" "$W/su/etc/passwd" &&
	    grep -q "^$user:" "$W/su/etc/group"; then
		ok "sysusers: creates user and group '$user'"
	else
		sed 's/^/# /' "$W/sysusers"
		notok "sysusers: creates user and group '$user'"
	fi
fi

echo "$pass passed, $failn failed"
[ "$failn" -eq 0 ]
