#!/bin/sh
# check_install.sh: `make install` into a temporary DESTDIR, then check
# the tree it made: every expected file with its mode (programs 0755, the
# configuration 0640, everything else 0644, directories 0755), the paths
# rewritten for PREFIX=/usr, the installed bistandd -t against the
# installed schemas, rules and examples, the manual pages with
# `mandoc -T lint` (skipped without mandoc), and that a second install
# keeps a changed configuration.
#
# It builds in a BUILD directory of its own, so that the programs carry
# PREFIX=/usr's DATADIR and CONFDIR (make does not rebuild objects when
# only PREFIX changes) and the checkout's build/ is left alone.
#
# Usage: sh tests/check_install.sh     (from anywhere; `make installcheck`)
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/check_install.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM
D=$tmp/dest
pass=0 fail=0

ok() { pass=$((pass + 1)); echo "ok - $*"; }
notok() { fail=$((fail + 1)); echo "not ok - $*"; }
# check DESCRIPTION COMMAND...: ok when the command succeeds.
check() { d=$1; shift; if "$@" >"$tmp/out" 2>&1; then ok "$d"; else
	notok "$d"; sed 's/^/#   /' "$tmp/out" | head -20; fi; }
mode() { stat -c %a "$1" 2>/dev/null; }
# file PATH MODE [SOURCE]: present, with MODE, and equal to SOURCE.
file() {
	if [ ! -f "$D$1" ]; then notok "$1 installed"; return; fi
	m=$(mode "$D$1")
	if [ "$m" != "$2" ]; then notok "$1 mode $2 (is $m)"; return; fi
	if [ $# -ge 3 ] && ! cmp -s "$3" "$D$1"; then
		notok "$1 equals $3"; return; fi
	ok "$1 $2"
}

inst() {
	make -C "$top" --no-print-directory -j"$(nproc 2>/dev/null || echo 2)" \
	    install BUILD="$tmp/build" DESTDIR="$D" PREFIX=/usr sysconfdir=/etc
}

# --- the install
if inst >"$tmp/install.log" 2>&1; then ok "make install DESTDIR PREFIX=/usr sysconfdir=/etc"
else
	notok "make install DESTDIR PREFIX=/usr sysconfdir=/etc"
	tail -30 "$tmp/install.log" | sed 's/^/#   /'
	echo "$pass passed, $fail failed"; exit 1
fi

# --- the tree
file /usr/sbin/bistandd 755
file /usr/bin/bistandctl 755
file /etc/bistand/bistandd.conf 640
for f in "$top"/etc/*.xsd; do
	file "/usr/share/bistand/${f##*/}" 644 "$f"; done
for f in "$top"/rules/*.lua; do
	file "/usr/share/bistand/rules/${f##*/}" 644 "$f"; done
for f in "$top"/rules/params/*.lua; do
	file "/usr/share/bistand/rules/params/${f##*/}" 644 "$f"; done
for f in "$top"/etc/examples/*.xml; do
	file "/usr/share/bistand/examples/${f##*/}" 644 "$f"; done
file /usr/share/man/man8/bistandd.8 644
file /usr/share/man/man5/bistandd.conf.5 644
file /usr/share/man/man1/bistandctl.1 644
# Debian 12 (bookworm) installs packaged units under /lib/systemd/system.
file /lib/systemd/system/bistandd.service 644
for f in "$top"/systemd/*.sysusers; do
	[ -f "$f" ] || continue
	n=${f##*/}; file "/usr/lib/sysusers.d/${n%.sysusers}.conf" 644 "$f"; done
for f in "$top"/systemd/*.tmpfiles; do
	[ -f "$f" ] || continue
	n=${f##*/}; file "/usr/lib/tmpfiles.d/${n%.tmpfiles}.conf" 644 "$f"; done

# Nothing else, and no other modes: every directory 0755, every file one
# of those checked above.
odd=$(find "$D" -type d ! -perm 0755 -o ! -type d ! -type f)
if [ -z "$odd" ]; then ok "every directory 0755, no links or specials"
else notok "every directory 0755, no links or specials"
	echo "$odd" | sed 's/^/#   /'; fi
n=$(find "$D" -type f | wc -l)  # 7: two programs, conf, three pages, unit
expect=$(( 7 + $(ls "$top"/etc/*.xsd "$top"/rules/*.lua \
    "$top"/rules/params/*.lua "$top"/etc/examples/*.xml | wc -l) \
    + $(ls "$top"/systemd/*.sysusers "$top"/systemd/*.tmpfiles 2>/dev/null |
    wc -l) ))
if [ "$n" -eq "$expect" ]; then ok "$n files installed, none unexpected"
else notok "$expect files expected, $n installed"
	find "$D" -type f | sed "s|^$D|#   |"; fi

# --- paths rewritten for PREFIX=/usr
check "no /usr/local in the man pages, the unit or the configuration" \
    sh -c '! grep -l /usr/local "$@"' sh "$D"/usr/share/man/man*/* \
    "$D"/lib/systemd/system/bistandd.service "$D"/etc/bistand/bistandd.conf
check "the unit runs /usr/sbin/bistandd -f /etc/bistand/bistandd.conf" \
    grep -q '^ExecStart=.*/usr/sbin/bistandd .*-f /etc/bistand/bistandd.conf' \
    "$D"/lib/systemd/system/bistandd.service
check "the configuration's commented defaults name /usr/share/bistand" \
    grep -q '^#rules_dir.*/usr/share/bistand/rules$' "$D"/etc/bistand/bistandd.conf
check "bistandctl's compiled-in schema default is /usr/share/bistand" \
    sh -c '"$1" validate --help 2>&1 | grep -q "default /usr/share/bistand/application.xsd"' \
    sh "$D"/usr/bin/bistandctl
check "bistandd's compiled-in configuration default is /etc/bistand" \
    sh -c '"$1" -h 2>&1 | grep -q "default /etc/bistand/bistandd.conf"' \
    sh "$D"/usr/sbin/bistandd

# --- the installed programs against the installed data
if sh "$top/tests/mkcerts.sh" "$tmp/tls" >"$tmp/out" 2>&1; then
	ok "certificates (tests/mkcerts.sh)"
else notok "certificates (tests/mkcerts.sh)"; sed 's/^/#   /' "$tmp/out"; fi
mkdir -p "$tmp/state"
cat > "$tmp/test.conf" <<CONF
# bistandd -t against the tree in DESTDIR; the TLS paths are relative.
listen			127.0.0.1:8443
tls_certificate		tls/server.crt
tls_key			tls/server.key
tls_client_ca		tls/ca.crt
state_dir		$tmp/state
schema_dir		$D/usr/share/bistand
rules_dir		$D/usr/share/bistand/rules
examples_dir		$D/usr/share/bistand/examples
CONF
check "installed bistandd -t with the installed schemas, rules, examples" \
    sh -c '"$1" -t -f "$2" 2>&1 | grep -q "configuration OK"' \
    sh "$D"/usr/sbin/bistandd "$tmp/test.conf"
printf 'rules_memory\t2048m\n' >> "$tmp/test.conf"
"$D"/usr/sbin/bistandd -t -f "$tmp/test.conf" >"$tmp/out" 2>&1; rc=$?
if [ $rc = 1 ] && grep -q "test.conf:10:" "$tmp/out"; then
	ok "installed bistandd -t: a bad value is exit 1 naming file:line"
else notok "installed bistandd -t: a bad value is exit 1 naming file:line (rc $rc)"
	sed 's/^/#   /' "$tmp/out"; fi
check "installed bistandctl validates the installed examples" \
    "$D"/usr/bin/bistandctl validate -q \
    --schema "$D"/usr/share/bistand/application.xsd \
    "$D"/usr/share/bistand/examples/*.xml
check "installed bistandctl evaluates an example with the installed rules" \
    "$D"/usr/bin/bistandctl eval \
    --schema "$D"/usr/share/bistand/application.xsd \
    --rules "$D"/usr/share/bistand/rules \
    "$D"/usr/share/bistand/examples/family.xml

# --- the manual pages
if command -v mandoc >/dev/null 2>&1; then
	for m in "$D"/usr/share/man/man*/*; do
		# -W warning: STYLE notes (such as the other pages not being
		# in the system's mandoc.db yet) are not failures.
		check "mandoc -T lint ${m#"$D"}" mandoc -T lint -W warning "$m"
	done
else
	echo "ok - # SKIP mandoc -T lint: mandoc not installed (apt-get install mandoc)"
fi

# --- a second install keeps a changed configuration
printf '# changed by the operator\nverbose\t\tyes\n' >> "$D"/etc/bistand/bistandd.conf
cp -p "$D"/etc/bistand/bistandd.conf "$tmp/conf.changed"
if inst >"$tmp/install2.log" 2>&1; then ok "second make install"
else notok "second make install"; tail -20 "$tmp/install2.log" | sed 's/^/#   /'; fi
check "second install keeps the changed configuration" \
    cmp "$tmp/conf.changed" "$D"/etc/bistand/bistandd.conf
file /etc/bistand/bistandd.conf 640
check "second install says it keeps the configuration" \
    grep -q "keeping .*/etc/bistand/bistandd.conf" "$tmp/install2.log"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
