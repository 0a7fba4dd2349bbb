#!/bin/sh
# bench/results.sh BINDIR: what `make bench` runs. Every benchmark
# (bench/run.sh: evaluation, group commit, replay; bench/queue.sh: the
# queue and memory with 100 000 cases; bench/load.sh: bistandd and nginx
# under HTTPS load), the raw output into bench/results/DATE-bench.txt,
# then issue 8's targets as a table, printed and written to
# bench/RESULTS.md with the date and the machine.
#
# Environment: as the three scripts (BENCH_DIR, BENCH_RECORDS,
# BENCH_QUEUE, BENCH_SECS, ...).
set -eu
cd "$(dirname "$0")/.."
B=${1:-build/bench}
day=$(date -u +%Y-%m-%d)
raw=bench/results/$day-bench.txt
mkdir -p bench/results
# BENCH_TABLE_ONLY=1: only make the table again from today's raw output.
if [ "${BENCH_TABLE_ONLY:-0}" != 1 ]; then
: > "$raw"
{
	sh bench/run.sh "$B"
	echo
	echo "=== queue.sh"
	BISTAND=${BISTAND:-build/bistandd} LOADGEN=$B/loadgen sh bench/queue.sh "$B"
	echo
	echo "=== load.sh"
	BISTAND=${BISTAND:-build/bistandd} LOADGEN=$B/loadgen sh bench/load.sh
} 2>&1 | tee "$raw"
fi

# --- the figures, from the raw output --------------------------------
# result STEP KEY: a field of loadgen's RESULT line in load.sh's step.
result() {
	awk -v s="## $1:" -v k="$2" '
	    index($0, s) == 1 { in_s = 1; next }
	    /^## / { in_s = 0 }
	    in_s && $1 == "RESULT" { for (i = 2; i <= NF; i++) {
		split($i, kv, "="); if (kv[1] == k) { print kv[2]; exit } } }' "$raw"
}
num() { [ -n "$1" ] && echo "$1" || echo "?"; }
b_rps=$(result closed rps)
n_rps=$(result nginx-closed rps)
ratio=$(awk -v a="$b_rps" -v b="$n_rps" 'BEGIN { if (b > 0) printf "%.1f %%", 100 * a / b; else print "?" }')
open_rate=$(result open rate)
open_srv=$(sed -n "s/^## open, the daemon's own time (request log): p50 \/ p90 \/ p99 \/ max ms: //p" "$raw" | head -n 1)
mem_srv=$(sed -n "s/^## open-mem, the daemon's own time (request log): p50 \/ p90 \/ p99 \/ max ms: //p" "$raw" | head -n 1)
replay=$(awk '/A\. scan\(keys\) \+ view_replay/ {
	for (i = 1; i <= NF; i++) if ($i == "rec/s") { v = $(i - 1); break }
	if (best == "" || v + 0 > best + 0) best = v } END { print best }' "$raw")
replay_cpu=$(awk '/A\. scan\(keys\) \+ view_replay/ {
	n = 0; for (i = 1; i <= NF; i++) if ($i == "rec/s") { n++; if (n == 2) v = $(i - 1) }
	if (best == "" || v + 0 > best + 0) best = v } END { print best }' "$raw")
replay_cold=$(awk '/A\. scan\(keys\) \+ view_replay, cold/ {
	for (i = 1; i <= NF; i++) if ($i == "rec/s") { print $(i - 1); exit } }' "$raw")
eval_line=$(grep -m1 '^  eval   ALL' "$raw" || true)
eval_p50=$(echo "$eval_line" | awk '{ for (i = 1; i <= NF; i++) if ($i == "p50") { print $(i + 1); exit } }')
eval_cpu=$(echo "$eval_line" | awk '{ n = 0; for (i = 1; i <= NF; i++) if ($i == "p50") { n++; if (n == 2) { print $(i + 1); exit } } }')
idle_rss=$(sed -n 's/^## idle bistandd: .*RSS \([0-9.]*\) MiB.*/\1/p' "$raw" | head -n 1)
q_rss=$(sed -n 's/^daemon RSS with \([0-9]*\) cases and \([0-9]*\) idle TLS connections: \([0-9]*\) kB.*/\3/p' "$raw" | head -n 1)
q_rss_mib=$(awk -v k="${q_rss:-0}" 'BEGIN { printf "%.1f", k / 1024 }')
non2xx=$(( $(num "$(result closed non2xx)" | tr -c -d 0-9) + 0 ))
# CPU per response over the closed loop's measured window (loadgen
# --pid): the daemon's threads, nginx's workers, the generator. At these
# costs two fully used cores allow cores * 1e6 / (server + generator)
# req/s; 25 % of nginx's rate leaves cores * 1e6 / rate - generator µs
# for the daemon.
b_srv=$(result closed srv_us) b_gen=$(result closed gen_us)
n_srv=$(result nginx-closed srv_us) n_gen=$(result nginx-closed gen_us)
path_cpu=$(grep -m1 '^  path   ALL' "$raw" | awk '{ for (i = 1; i <= NF; i++) if ($i == "mean") v = $(i + 1) } END { print v }')
# The durable write alone (bench_commit, 8 jobs always in flight, no
# TLS, no rules, the CPUs otherwise idle): the disk's part of a request.
commit8=$(awk '/^K=8 / { k = 1; next } k && /submit->completion/ {
	for (i = 1; i <= NF; i++) { split($i, kv, "=")
		if (kv[1] == "p50" || kv[1] == "p99" || kv[1] == "p99.9") v[kv[1]] = kv[2] }
	printf "%.2f / %.2f / %.2f", v["p50"] / 1000, v["p99"] / 1000, v["p99.9"] / 1000; exit }' "$raw")
cpu_row=$(awk -v b="$b_srv" -v g="$b_gen" -v n="$n_srv" -v ng="$n_gen" \
    -v nr="$n_rps" -v c="$(nproc)" 'BEGIN {
	if (b + 0 <= 0 || g + 0 <= 0) { print "? | – | ?"; exit }
	cap = c * 1e6 / (b + g)
	printf "bistandd %.0f + generator %.0f µs (nginx %s + %s); at that cost %d fully used cores allow at most %.0f req/s", b, g, (n == "" ? "?" : n), (ng == "" ? "?" : ng), c, cap
	if (nr + 0 > 0) {
		need = c * 1e6 / (0.25 * nr) - g
		printf " = %.1f %% of nginx | 25 %% of nginx (%.0f req/s) leaves ≤ %.0f µs for the daemon | %s", 100 * cap / nr, 0.25 * nr, need, (b <= need ? "**met**" : "not met")
	} else
		printf " | – | ?"
	}')

met() { awk -v a="$1" -v b="$2" -v op="$3" 'BEGIN {
	if (a == "" || a == "?") { print "?"; exit }
	ok = (op == ">=") ? (a + 0 >= b + 0) : (a + 0 <= b + 0)
	print ok ? "**met**" : "not met" }'; }
ratio_num=$(awk -v a="$b_rps" -v b="$n_rps" 'BEGIN { if (b > 0) printf "%.1f", 100 * a / b }')

{
	echo "# Benchmark results"
	echo
	echo "Written by \`make bench\` (bench/results.sh) on $(date -u +%Y-%m-%dT%H:%MZ)."
	echo "Machine: $(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //'), $(nproc) CPUs,"
	echo "$(free -g | awk '/^Mem:/ { print $2 }') GiB, Linux $(uname -r); state on $(df -T "${BENCH_DIR:-/var/tmp}" | awk 'NR == 2 { print $2 }') (${BENCH_DIR:-/var/tmp})."
	echo "Commit $(git rev-parse --short HEAD 2>/dev/null || echo '?')$(git diff --quiet HEAD -- daemon include rules 2>/dev/null || echo ' with local changes'); load average at the end $(cut -d' ' -f1-3 /proc/loadavg)."
	echo "The load generator and nginx share the two cores with bistandd. Raw output: \`$raw\`."
	echo
	echo "| what | measured | target | |"
	echo "|---|---|---|---|"
	echo "| throughput, closed loop, 32 connections (req/s), full validation + rules + durable audit | $(num "$b_rps") (nginx static mTLS: $(num "$n_rps")) = $ratio of nginx; non-2xx $(num "$(result closed non2xx)"), errors $(num "$(result closed errors)") | ≥ 25 % of nginx, 0 non-2xx | $(met "$ratio_num" 25 ">=") |"
	echo "| CPU per request in that closed loop (measured window: the daemon's threads, nginx's workers, the generator) | $cpu_row |"
	echo "| of the daemon's, the in-process path without TLS, HTTP or disk (bench_eval: parse, rules, decision, payloads), mean CPU µs | $(num "$path_cpu") | – | |"
	echo "| latency at 50 % of that rate, open loop ($(num "$open_rate") req/s): p50 / p99 / p99.9 ms | $(num "$(result open p50_ms)") / $(num "$(result open p99_ms)") / $(num "$(result open p999_ms)") (late $(num "$(result open late)"), unsent $(num "$(result open unsent)")) | p99 ≤ 5 ms | $(met "$(result open p99_ms)" 5 "<=") |"
	echo "| of that, the daemon's own time per request (its request log: read to reply): p50 / p90 / p99 / max ms | $(num "$open_srv") | – | |"
	echo "| for comparison, the same open loop against a daemon with its state on tmpfs (nothing durable; the disk's share of the above): p50 / p99 / p99.9 ms; the daemon's own p50 / p90 / p99 / max | $(num "$(result open-mem p50_ms)") / $(num "$(result open-mem p99_ms)") / $(num "$(result open-mem p999_ms)"); $(num "$mem_srv") | – | |"
	echo "| the durable write alone (bench_commit: group commit with 8 jobs in flight, no TLS or rules, CPUs otherwise idle): p50 / p99 / p99.9 ms | $(num "$commit8") | – | |"
	echo "| new connections/s (full handshake each, ECDSA P-256) | $(num "$(result newconn rps)") (nginx $(num "$(result nginx-newconn rps)")) | – | |"
	echo "| RSS with 1 000 idle TLS connections (fresh daemon) | $(num "$idle_rss") MiB | – | |"
	echo "| RSS with 1 000 idle TLS connections and 100 000 cases in the queue | $q_rss_mib MiB | ≤ 64 MiB | $(met "$q_rss_mib" 64 "<=") |"
	echo "| trail replay at start-up (verify + views, warm page cache), records/s | $(num "$replay") wall ($(num "$replay_cpu") by the main thread's CPU; a reader thread hashes ahead); cold cache $(num "$replay_cold") | ≥ 500 000 | $(met "$replay" 500000 ">=") |"
	echo "| evaluation per case (rules_eval + decision_finish), p50 µs | $(num "$eval_p50") wall, $(num "$eval_cpu") CPU | – | |"
	echo
	echo "Closed loop against bistandd: $non2xx non-2xx responses."
	echo "See bench/README.md for what each benchmark does and for the analysis."
} > bench/RESULTS.md
echo
cat bench/RESULTS.md
