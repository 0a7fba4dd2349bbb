#!/bin/sh
# bench/build.sh: build the in-process benchmarks.
#
# The daemon's library sources (daemon/*.c except main.c, bistandctl.c
# and ctl_*.c — the same set the Makefile calls LIB_SRCS) are compiled
# into bench/obj with the project's flags (-O2 -g), so a benchmark run
# never races a concurrent `make` in build/; then each bench/bench_*.c is
# linked against them into bench/bin.
#
#   sh bench/build.sh            # everything
#   CFLAGS='-O2 -g -fno-omit-frame-pointer' sh bench/build.sh   # for perf
set -eu
cd "$(dirname "$0")/.."

CC=${CC:-cc}
CFLAGS=${CFLAGS:--O2 -g}
PKGS="libevent libevent_openssl libevent_pthreads openssl libxml-2.0 lua5.4"
PKG_CFLAGS=$(pkg-config --cflags $PKGS)
PKG_LIBS=$(pkg-config --libs $PKGS)
FLAGS="$CFLAGS -std=c11 -D_GNU_SOURCE -Wall -Wextra -Wshadow \
    -Wstrict-prototypes -Wmissing-prototypes -Iinclude $PKG_CFLAGS \
    -DBISTAND_DATADIR=\"/usr/local/share/bistand\" \
    -DBISTAND_CONFDIR=\"/etc/bistand\""

mkdir -p bench/obj bench/bin
objs=""
pids=""
for src in daemon/*.c; do
	base=$(basename "$src" .c)
	case "$base" in main|bistandctl|ctl_*) continue ;; esac
	obj="bench/obj/$base.o"
	objs="$objs $obj"
	# Rebuild when the source or any header is newer than the object.
	if [ -f "$obj" ] && [ -z "$(find "$src" include daemon -name '*.h' \
	    -newer "$obj" 2>/dev/null; find "$src" -newer "$obj")" ]; then
		continue
	fi
	$CC $FLAGS -c -o "$obj" "$src" &
	pids="$pids $!"
done
for p in $pids; do wait "$p"; done

$CC $FLAGS -c -o bench/obj/bench_util.o bench/bench_util.c
# bench_eval reads the rule state's peak from daemon/rules_int.h (private
# to the rules module; read only, for the report).
$CC $FLAGS -Idaemon -o bench/bin/bench_eval bench/bench_eval.c \
    bench/obj/bench_util.o $objs $PKG_LIBS -lpthread
# bench_commit counts and times every fdatasync the writer makes.
$CC $FLAGS -o bench/bin/bench_commit bench/bench_commit.c \
    bench/obj/bench_util.o $objs -Wl,--wrap=fdatasync $PKG_LIBS -lpthread
$CC $FLAGS -o bench/bin/bench_replay bench/bench_replay.c \
    bench/obj/bench_util.o $objs $PKG_LIBS -lpthread
echo "bench: built bench/bin/bench_eval bench/bin/bench_commit bench/bin/bench_replay"
