#!/bin/sh
# bench/queue.sh [bindir]: the queue of the real daemon with N routed
# cases (default 100 000): generate the state (bench_queue), start
# bistandd on it, and time GET /v1/queue over mutual TLS on one kept-alive
# connection; report the daemon's start-up (verify + replay) and RSS,
# and (with the load generator, $LOADGEN) the RSS with $BENCH_IDLE
# (1 000) idle TLS connections open as well: issue 8's memory target.
set -eu
cd "$(dirname "$0")/.."
. bench/lib.sh
B=${1:-build/bench}
N=${BENCH_QUEUE:-100000}
D=$(mktemp -d "${BENCH_DIR:-/var/tmp}/bench-queue.XXXXXX")
pid=
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$D"' EXIT
sh tests/mkcerts.sh "$D/tls" >/dev/null
"$B/bench_queue" -n "$N" -d "$D/state"
bench_conf "$D/conf" "$D" "max_connections 1200" "timeout 300"
t0=$(date +%s.%N)
"${BISTAND:-build/bistandd}" -d -f "$D/conf" 2>"$D/log" &
pid=$!
i=0
until grep -q 'listening on' "$D/log"; do
	i=$((i + 1)); [ $i -lt 600 ] || { cat "$D/log"; exit 1; }
	sleep 0.1
done
t1=$(date +%s.%N)
port=$(sed -n 's/.*listening on 127.0.0.1 port \([0-9]*\).*/\1/p' "$D/log")
echo "daemon start-up with $N cases (verify + replay): $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }') s"
grep -o 'trail verified.*' "$D/log"
echo "daemon RSS: $(awk '/VmRSS/ {print $2, $3}' /proc/$pid/status)"
C="curl -sS --cacert $D/tls/ca.crt --cert $D/tls/caseworker.crt --key $D/tls/caseworker.key"
for q in "limit=100" "limit=10000" "state=open&priority=urgent&limit=100" "overdue=true&limit=100"; do
	u="https://127.0.0.1:$port/v1/queue?$q"
	# 21 requests on one connection; the first includes the handshake.
	set --
	for k in $(seq 21); do set -- "$@" -o /dev/null "$u"; done
	$C -w '%{time_total}\n' "$@" | tail -n 20 | sort -n |
	    awk -v q="$q" '{ t[NR] = $1 * 1000 }
	    END { printf "GET /v1/queue?%s: p50 %.1f ms, max %.1f ms (20 requests)\n", q, t[10], t[20] }'
done
$C -s "https://127.0.0.1:$port/v1/queue?limit=1" | grep -o 'total="[0-9]*"'
echo "daemon RSS after: $(awk '/VmRSS/ {print $2, $3}' /proc/$pid/status)"
LOADGEN=${LOADGEN:-build/bench/loadgen}
IDLE=${BENCH_IDLE:-1000}
if [ -x "$LOADGEN" ]; then
	[ "$(ulimit -n)" = unlimited ] || [ "$(ulimit -n)" -ge $((IDLE + 64)) ] ||
	    ulimit -n $((IDLE + 64))
	idle_open "$D/idle.out" "$LOADGEN" -h "127.0.0.1:$port" \
	    --ca "$D/tls/ca.crt" --cert "$D/tls/eservice.crt" \
	    --key "$D/tls/eservice.key" -I "$IDLE" -c 32 || exit 1
	echo "daemon RSS with $N cases and $IDLE idle TLS connections:" \
	    "$(awk '/VmRSS/ {print $2, $3}' /proc/$pid/status)" \
	    "(VmHWM $(awk '/VmHWM/ {print $2, $3}' /proc/$pid/status))"
	kill "$idlepid"; wait "$idlepid" || true
fi
