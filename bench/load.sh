#!/bin/sh
# bench/load.sh: bistandd under HTTPS load, with nginx as the baseline in
# the same run (`make bench` calls it).
#
#   BISTAND=build/bistandd sh bench/load.sh
#
# A fresh state directory under $BENCH_DIR (default /var/tmp: a real
# disk, never tmpfs — every application is fdatasync'ed), fresh
# development certificates (tests/mkcerts.sh, ECDSA P-256) used by both
# servers, bistandd in the foreground (-d) on a free port. Then, with
# bench/bin/loadgen (built here if missing):
#   1. RSS of bistandd after start and with $BENCH_IDLE (1000) idle TLS
#      connections (each has done one GET /healthz)
#   a. closed loop, $BENCH_CONNS (32) keep-alive connections, POST
#      /v1/applications, every request a distinct valid application
#   b. open loop at 50 % of the rate of (a), latency from the scheduled
#      send time
#   c. new connection per request (full handshake), GET /healthz,
#      $BENCH_NEWCONN_C (8) at a time
#   d. (b) again against a second daemon with its state on tmpfs, for
#      comparison only: the latency without the disk
#   (a), (b) and (d) also give the server's and the generator's CPU per
#   response (loadgen --pid),
#   then nginx (bench/nginx.sh, same certificates, same mutual TLS,
#   answering "ok\n"): (a) with a fixed body of the same size, (c), and
#   its RSS with the idle connections; and prints a Markdown table.
#
# Environment: BENCH_SECS (10) measured seconds per step, BENCH_WARM (2)
# warm-up seconds, BENCH_CONNS (32), BENCH_NEWCONN_C (8), BENCH_IDLE
# (1000), BENCH_DIR (/var/tmp), BENCH_MEM_COMPARE=0 (skip d), NGINX_PORT
# (8444, or the next free one), NGINX_WORKERS (2), BENCH_NO_NGINX=1 (skip
# the baseline), BENCH_KEEP=1
# (keep the directory: logs, loadgen output), LOADGEN (bench/bin/loadgen),
# BISTAND (build/bistandd).
#
# Only 127.0.0.1 is ever loaded. The generator shares the machine's
# cores with the server: see its CPU share in the output.
set -eu
cd "$(dirname "$0")/.."
. bench/lib.sh
BISTAND=${BISTAND:-build/bistandd}
LOADGEN=${LOADGEN:-bench/bin/loadgen}
SECS=${BENCH_SECS:-10}
WARM=${BENCH_WARM:-2}
CONNS=${BENCH_CONNS:-32}
NEWC=${BENCH_NEWCONN_C:-8}
IDLE=${BENCH_IDLE:-1000}
TMPL=etc/examples/reapplication.xml

[ -x "$BISTAND" ] || { echo "load.sh: $BISTAND: not built (make)" >&2; exit 1; }
if [ ! -x "$LOADGEN" ]; then
	mkdir -p "$(dirname "$LOADGEN")"
	# shellcheck disable=SC2046
	cc -std=c11 -D_GNU_SOURCE -O2 -g -Wall -Wextra -Werror -o "$LOADGEN" \
	    bench/loadgen.c $(pkg-config --cflags --libs libevent_openssl \
	    libevent openssl) -lm
fi

# 1 000 idle connections + the load + the daemon's own files: each side
# needs well over 1 024 descriptors
need=$((IDLE + CONNS + 256))
# dash, bash and busybox sh all have ulimit -n and -H
# shellcheck disable=SC3045
if [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt "$need" ]; then
	# shellcheck disable=SC3045
	ulimit -n "$need" 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
	# shellcheck disable=SC3045
	if [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt "$need" ]; then
		# shellcheck disable=SC3045
		echo "load.sh: ulimit -n is $(ulimit -n), $need needed" >&2
		exit 1
	fi
fi

D=$(mktemp -d "${BENCH_DIR:-/var/tmp}/bench-load.XXXXXX")
pid='' idlepid='' nginx_port='' mpid='' M=''
cleanup() {
	[ -n "$idlepid" ] && kill "$idlepid" 2>/dev/null && wait "$idlepid" 2>/dev/null
	for _p in "$pid" "$mpid"; do
		if [ -n "$_p" ] && kill "$_p" 2>/dev/null; then
			wait "$_p" 2>/dev/null || true
		fi
	done
	[ -n "$M" ] && rm -rf "$M"
	if [ -n "$nginx_port" ]; then
		NGINX_DIR="$D/nginx" sh bench/nginx.sh stop "$nginx_port" || true
	fi
	if [ "${BENCH_KEEP:-0}" = 1 ]; then
		echo "load.sh: kept $D"
	else
		rm -rf "$D"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

fstype=$(df -PT "$D" | awk 'NR == 2 { print $2 }')
if [ "$fstype" = tmpfs ]; then
	echo "load.sh: $D is on tmpfs; set BENCH_DIR to a real disk" >&2
	exit 1
fi
sh tests/mkcerts.sh "$D/tls" >/dev/null
# start_daemon DIR: bistandd with DIR/bistandd.conf (state in DIR/state,
# certificates in DIR/tls), log in DIR/bistandd.log; waits until it
# answers /healthz and sets spid and sport. Exits the script on failure.
start_daemon() {
	_sd=$1
	mkdir -p "$_sd/state"
	# max_connections above idle + load; timeout long enough that the
	# idle connections outlive the RSS reading (the daemon's timeout
	# also covers idle keep-alive connections)
	bench_conf "$_sd/bistandd.conf" "$_sd" \
	    "max_connections		$((IDLE + CONNS + 64))" \
	    "timeout			300" \
	    "shutdown_timeout	2"
	"$BISTAND" -d -f "$_sd/bistandd.conf" 2>"$_sd/bistandd.log" &
	spid=$!
	_i=0
	until grep -q 'listening on' "$_sd/bistandd.log"; do
		_i=$((_i + 1))
		if [ $_i -ge 300 ] || ! kill -0 "$spid" 2>/dev/null; then
			cat "$_sd/bistandd.log" >&2; exit 1
		fi
		sleep 0.1
	done
	sport=$(sed -n 's/.*listening on 127.0.0.1 port \([0-9]*\).*/\1/p' "$_sd/bistandd.log")
	_i=0
	until $CURL -o /dev/null "https://127.0.0.1:$sport/healthz"; do
		_i=$((_i + 1)); [ $_i -lt 100 ] || { echo "load.sh: no /healthz" >&2; exit 1; }
		sleep 0.1
	done
}
# own_times LOG FROM: the daemon's own time for the POSTs answered 201
# after line FROM of its request log (warm-up included): from the
# request read to the reply handed to TLS.
own_times() {
	tail -n "+$(($2 + 1))" "$1" |
	    sed -n 's/.* status=201 .* ms=\([0-9.]*\).*/\1/p' | sort -n |
	    awk '{ a[NR] = $1 } END { if (NR > 0) printf "%s / %s / %s / %s (%d requests)",
		a[int(NR * 0.5) + 1], a[int(NR * 0.9) + 1], a[int(NR * 0.99) + 1], a[NR], NR }'
}
CURL="curl -sf --cacert $D/tls/ca.crt --cert $D/tls/eservice.crt --key $D/tls/eservice.key"
start_daemon "$D"
pid=$spid port=$sport

LG="$LOADGEN --ca $D/tls/ca.crt --cert $D/tls/eservice.crt --key $D/tls/eservice.key"
# loadgen STEP ARGS...: runs, shows and keeps its output
loadgen() {
	step=$1; shift
	echo "## $step: loadgen $*"
	$LG "$@" > "$D/$step.out" 2>&1 || { cat "$D/$step.out"; return 1; }
	sed 's/^/    /' "$D/$step.out"
}
# field NAME STEP: a value from the RESULT line of a step
field() { sed -n "s/^RESULT .*[ ]$1=\([^ ]*\).*/\1/p" "$D/$2.out"; }
kib() { awk -v k="$2" '$1 == k":" { print $2 }' "/proc/$1/status"; }
mib() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
# the RSS of a process and its children (nginx: master + workers)
tree_rss() {
	t=$(kib "$1" VmRSS)
	# shellcheck disable=SC2013  # one line of pids
	for c in $(cat "/proc/$1/task/$1/children" 2>/dev/null); do
		t=$((t + $(kib "$c" VmRSS)))
	done
	echo "$t"
}

# idle N PORT ROOTPID NAME: opens N idle connections, sets rss_idle
idle_rss() {
	# $LG is the command and its options: split on purpose.
	# shellcheck disable=SC2086
	idle_open "$D/idle-$4.out" $LG -h "127.0.0.1:$2" -I "$1" -c 32 ||
	    return 1
	rss_idle=$(tree_rss "$3")
	hwm_idle=$(kib "$3" VmHWM)
	kill "$idlepid"; wait "$idlepid" || true; idlepid=
	echo "## idle $4: $(sed -n 's/^RESULT //p' "$D/idle-$4.out"); RSS $(mib "$rss_idle") MiB"
}

echo "# bistandd load, $(date -u +%Y-%m-%dT%H:%MZ)"
echo "machine: $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg); state $D on $fstype"
echo "commit: $(git rev-parse --short HEAD 2>/dev/null || echo '?')$(git diff --quiet HEAD -- daemon include rules 2>/dev/null || echo ' (local changes)')"
echo "bistandd pid $pid on 127.0.0.1:$port; ${SECS} s per step after ${WARM} s warm-up"
echo

# 1. memory: at start and with idle connections (before any load, so the
#    difference is the connections and not the applications held)
rss0=$(kib "$pid" VmRSS)
idle_rss "$IDLE" "$port" "$pid" bistandd
b_rss_idle=$rss_idle b_hwm_idle=$hwm_idle

# a. closed loop
t0=$(cpu_ticks "$pid")
loadgen closed -h "127.0.0.1:$port" -c "$CONNS" -d "$SECS" -w "$WARM" -t "$TMPL" --pid "$pid"
b_cpu=$(( $(cpu_ticks "$pid") - t0 ))
b_rps=$(field rps closed)
# b. open loop at half of that
rate=$(awk -v r="$b_rps" 'BEGIN { printf "%.0f", r / 2 }')
[ "$rate" -ge 1 ] || rate=1
l0=$(wc -l < "$D/bistandd.log")
loadgen open -h "127.0.0.1:$port" -c "$CONNS" -r "$rate" -d "$SECS" -w "$WARM" -t "$TMPL" --pid "$pid"
# The daemon's own time for the same requests. What the generator
# measures beyond it is the TLS read before, the reply's write after, and
# scheduling on the cores the two share.
open_srv=$(own_times "$D/bistandd.log" "$l0")
echo "## open, the daemon's own time (request log): p50 / p90 / p99 / max ms: ${open_srv:-?}"
# c. handshakes
loadgen newconn -h "127.0.0.1:$port" -N -c "$NEWC" -m GET -p /healthz -d "$SECS" -w "$WARM"
rss1=$(kib "$pid" VmRSS); hwm1=$(kib "$pid" VmHWM)
apps=$(grep -c ' status=201 ' "$D/bistandd.log" || true)

# d. for comparison only: (b) again against a second daemon whose state
#    is in memory (tmpfs), where fdatasync costs nothing. Not a result
#    (nothing is durable there); it shows how much of (b)'s latency is
#    the disk's and how much the shared cores'. The first daemon is
#    stopped first, so the two never compete.
mem_open='' mem_srv=''
if [ "${BENCH_MEM_COMPARE:-1}" = 1 ] &&
    [ "$(df -PT /dev/shm 2>/dev/null | awk 'NR == 2 { print $2 }')" = tmpfs ]; then
	kill "$pid" && wait "$pid" 2>/dev/null || true
	pid=''
	M=$(mktemp -d /dev/shm/bistand-bench-mem.XXXXXX)
	ln -s "$D/tls" "$M/tls"
	start_daemon "$M"
	mpid=$spid
	loadgen open-mem -h "127.0.0.1:$sport" -c "$CONNS" -r "$rate" -d "$SECS" -w "$WARM" -t "$TMPL" --pid "$mpid"
	mem_srv=$(own_times "$M/bistandd.log" 0)
	mem_open="$(field p50_ms open-mem) / $(field p99_ms open-mem) / $(field p999_ms open-mem)"
	echo "## open-mem, the daemon's own time (request log): p50 / p90 / p99 / max ms: ${mem_srv:-?}"
	kill "$mpid" && wait "$mpid" 2>/dev/null || true
	mpid=''
	rm -rf "$M"; M=''
fi

# nginx
n_rps='' n_hs='' n_rss_idle=''
if [ "${BENCH_NO_NGINX:-0}" != 1 ]; then
	p=${NGINX_PORT:-8444}
	while ss -Htln "sport = :$p" | grep -q .; do p=$((p + 1)); done
	nginx_port=$p
	NGINX_DIR="$D/nginx" sh bench/nginx.sh start "$p" "$D/tls"
	npid=$(cat "$D/nginx/master.pid")
	loadgen nginx-closed -h "127.0.0.1:$p" -c "$CONNS" -d "$SECS" -w "$WARM" -b "$TMPL" --pid "$npid"
	loadgen nginx-newconn -h "127.0.0.1:$p" -N -c "$NEWC" -m GET -p /healthz -d "$SECS" -w "$WARM"
	n_rss0=$(tree_rss "$npid")
	idle_rss "$IDLE" "$p" "$npid" nginx
	n_rss_idle=$rss_idle
	n_rps=$(field rps nginx-closed)
	n_hs=$(field rps nginx-newconn)
fi

echo
echo "| | bistandd | nginx | bistandd ÷ nginx |"
echo "|---|---|---|---|"
ratio() { [ -n "$2" ] && awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.3f", a / b; else printf "–" }' || echo –; }
echo "| throughput, closed loop, $CONNS conns (req/s) | $b_rps | ${n_rps:-–} | $(ratio "$b_rps" "$n_rps") |"
echo "| p50 / p99 / p99.9 ms (closed loop) | $(field p50_ms closed) / $(field p99_ms closed) / $(field p999_ms closed) | $( [ -n "$n_rps" ] && echo "$(field p50_ms nginx-closed) / $(field p99_ms nginx-closed) / $(field p999_ms nginx-closed)" || echo –) | |"
echo "| non-2xx / errors (closed loop) | $(field non2xx closed) / $(field errors closed) | $( [ -n "$n_rps" ] && echo "$(field non2xx nginx-closed) / $(field errors nginx-closed)" || echo –) | |"
echo "| open loop at $rate req/s: p50 / p99 / p99.9 ms | $(field p50_ms open) / $(field p99_ms open) / $(field p999_ms open) | | |"
echo "| open loop, the daemon's own time (request log): p50 / p90 / p99 / max ms | ${open_srv:-–} | | |"
echo "| the same open loop, state on tmpfs (no disk; comparison only): p50 / p99 / p99.9 ms; the daemon's own p50 / p90 / p99 / max | ${mem_open:-–}; ${mem_srv:-–} | | |"
echo "| open loop: achieved req/s, late, unsent, non-2xx, errors | $(field rps open), $(field late open), $(field unsent open), $(field non2xx open), $(field errors open) | | |"
echo "| new connections (full handshake, GET /healthz, $NEWC at a time) /s | $(field rps newconn) | ${n_hs:-–} | $(ratio "$(field rps newconn)" "$n_hs") |"
echo "| CPU per response, closed loop (measured window): server / loadgen µs | $(field srv_us closed) / $(field gen_us closed) | $( [ -n "$n_rps" ] && echo "$(field srv_us nginx-closed) / $(field gen_us nginx-closed)" || echo –) | |"
echo "| CPU per response, open loop: server / loadgen µs | $(field srv_us open) / $(field gen_us open) | | |"
echo "| loadgen CPU, % of one core (closed / new connections) | $(field cpu_pct closed) / $(field cpu_pct newconn) | $( [ -n "$n_rps" ] && echo "$(field cpu_pct nginx-closed) / $(field cpu_pct nginx-newconn)" || echo –) | |"
echo "| RSS at start (MiB) | $(mib "$rss0") | $( [ -n "$n_rps" ] && mib "$n_rss0" || echo –) | |"
echo "| RSS with $IDLE idle TLS connections (MiB) | $(mib "$b_rss_idle") (VmHWM $(mib "$b_hwm_idle")) | $( [ -n "$n_rss_idle" ] && mib "$n_rss_idle" || echo –) | |"
echo "| per idle connection (KiB) | $(( (b_rss_idle - rss0) / IDLE )) | $( [ -n "$n_rss_idle" ] && echo $(( (n_rss_idle - n_rss0) / IDLE )) || echo –) | |"
echo "| RSS after the load, $apps applications held (MiB) | $(mib "$rss1") (VmHWM $(mib "$hwm1")) | | |"
echo
echo "bistandd CPU during (a): $(awk -v t="$b_cpu" -v s="$SECS" -v w="$WARM" -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.0f %% of one core", 100 * t / hz / (s + w) }')."
echo "nginx: $(NGINX_WORKERS=${NGINX_WORKERS:-2}; echo "$NGINX_WORKERS") worker processes; bistandd one event loop (+ the audit writer). RSS of nginx = master + workers."
