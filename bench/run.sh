#!/bin/sh
# bench/run.sh [bindir]: run the three benchmarks, each bounded in time
# (about 2 minutes in all on the reference machine), and print what they
# report. bindir defaults to bench/bin (sh bench/build.sh); the proposed
# `make bench` passes $(BUILD)/bench.
#
# Environment: BENCH_DIR  parent of the state directories (default
#              /var/tmp; must be a real disk, not tmpfs)
#              BENCH_RECORDS  trail size for bench_replay (default 500000)
set -eu
cd "$(dirname "$0")/.."
B=${1:-bench/bin}
D=${BENCH_DIR:-/var/tmp}
N=${BENCH_RECORDS:-500000}

dirty=$(git status --porcelain -- daemon include rules 2>/dev/null | wc -l)
echo "== bistandd benchmarks $(date -u +%Y-%m-%dT%H:%M:%SZ), commit" \
    "$(git rev-parse --short HEAD 2>/dev/null || echo '?')" \
    "($dirty modified files in daemon/ include/ rules/)"
echo "== $(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //'), nproc" \
    "$(nproc), $(free -g | awk '/^Mem:/ {print $2}') GiB," \
    "$(uname -r), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "== $(df -T "$D" | awk 'NR==2 {print $1, $2, "on", $7}') ($D)"
echo
echo "=== bench_eval"
timeout 120 "$B/bench_eval"
echo
echo "=== bench_commit"
timeout 120 "$B/bench_commit" -d "$D"
echo
echo "=== bench_replay"
timeout 300 "$B/bench_replay" -d "$D" -n "$N" -r 2
