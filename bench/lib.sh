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

# bench_conf FILE DIR [LINE...]: a bistandd.conf for a daemon on a free
# port of 127.0.0.1, with the certificates of DIR/tls (tests/mkcerts.sh),
# its state in DIR/state, this tree's schemas, rules and examples, and
# then each LINE (max_connections, timeout, ...).
bench_conf() {
	_f=$1 _d=$2
	shift 2
	cat > "$_f" <<CONF
listen			127.0.0.1:0
tls_certificate		$_d/tls/server.crt
tls_key			$_d/tls/server.key
tls_client_ca		$_d/tls/ca.crt
state_dir		$_d/state
schema_dir		$PWD/etc
rules_dir		$PWD/rules
examples_dir		$PWD/etc/examples
CONF
	for _l in "$@"; do
		printf '%s\n' "$_l" >> "$_f"
	done
}
