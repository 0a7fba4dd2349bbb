# bench/lib.sh: shell functions shared by load.sh and queue.sh (sourced).

# idle_open OUT LOADGEN-COMMAND...: start the load generator in idle mode
# (-I) in the background, output to OUT, and wait until it says its
# connections are open (plus a second for the server to settle); sets
# idlepid. 0, or 1 with the generator's output on stderr.
idle_open() {
	_out=$1
	shift
	"$@" > "$_out" 2>&1 &
	idlepid=$!
	_i=0
	until grep -q '^idle [0-9]* connections open' "$_out"; do
		_i=$((_i + 1))
		if [ $_i -ge 600 ] || ! kill -0 "$idlepid" 2>/dev/null; then
			cat "$_out" >&2
			return 1
		fi
		sleep 0.1
	done
	sleep 1
}
