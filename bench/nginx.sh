#!/bin/sh
# bench/nginx.sh: nginx (the Debian package) as the baseline of
# bench/load.sh: the same certificates and the same mutual TLS as
# bistandd, answering every request to any path with 200 "ok\n".
#
#   sh bench/nginx.sh start [port [tlsdir]]   start, wait until it answers
#   sh bench/nginx.sh stop  [port]            stop it, remove its directory
#
# port defaults to 8444, tlsdir to run/tls (ca.crt, server.crt/.key; the
# client check uses eservice.crt/.key from there). nginx runs in the
# foreground of its own process (daemon off) in the background of this
# shell, with master_process on and worker_processes 2 (NGINX_WORKERS
# overrides; bistandd has one event loop), with everything it writes —
# configuration, pid file, error log, temporary paths — in
# ${NGINX_DIR:-${TMPDIR:-/tmp}/bistand-bench-nginx-PORT}; access_log off.
# Without nginx installed: installed with apt-get when run as root,
# otherwise an error.
#
# POST bodies: `return` answers through ngx_http_send_response, which
# first reads and discards the request body, so a kept-alive connection
# stays usable after a POST; client_body_buffer_size keeps a body of
# the size of an application (~2 KB) in memory. Checked by "start" with
# two POSTs of the reapplication example on one connection.
set -eu
cd "$(dirname "$0")/.."
cmd=${1:-}
port=${2:-8444}
tls=${3:-run/tls}
dir=${NGINX_DIR:-${TMPDIR:-/tmp}/bistand-bench-nginx-$port}

die() { echo "nginx.sh: $*" >&2; exit 1; }

find_nginx() {
	for n in "${NGINX:-}" /usr/sbin/nginx "$(command -v nginx 2>/dev/null || true)"; do
		[ -n "$n" ] && [ -x "$n" ] && { echo "$n"; return 0; }
	done
	return 1
}

case $cmd in
start)
	if ! nginx=$(find_nginx); then
		[ "$(id -u)" = 0 ] || die "nginx is not installed (apt-get install nginx, as root)"
		echo "nginx.sh: installing nginx (apt-get install -y nginx)" >&2
		# the package's own service is not wanted: policy-rc.d in
		# containers usually forbids starting it anyway
		DEBIAN_FRONTEND=noninteractive apt-get install -y nginx >&2 ||
		    die "apt-get install nginx failed"
		nginx=$(find_nginx) || die "nginx not found after installing it"
	fi
	tls=$(cd "$tls" && pwd)
	for f in ca.crt server.crt server.key; do
		[ -r "$tls/$f" ] || die "$tls/$f: not readable"
	done
	if [ -f "$dir/nginx.pid" ] && kill -0 "$(cat "$dir/nginx.pid")" 2>/dev/null; then
		die "already running (pid $(cat "$dir/nginx.pid"), $dir)"
	fi
	rm -rf "$dir"
	mkdir -p "$dir/tmp"
	# workers may run as another user (nobody when started as root):
	# they only need the temporary directory
	chmod 0755 "$dir"
	chmod 0777 "$dir/tmp"
	cat > "$dir/nginx.conf" <<CONF
daemon off;
master_process on;
worker_processes ${NGINX_WORKERS:-2};
pid $dir/nginx.pid;
error_log $dir/error.log warn;
worker_rlimit_nofile 8192;
events {
	worker_connections 4096;
}
http {
	access_log off;
	client_body_temp_path $dir/tmp/body;
	proxy_temp_path $dir/tmp/proxy;
	fastcgi_temp_path $dir/tmp/fastcgi;
	uwsgi_temp_path $dir/tmp/uwsgi;
	scgi_temp_path $dir/tmp/scgi;
	keepalive_requests 1000000;
	keepalive_timeout 300s;
	client_body_buffer_size 64k;
	client_max_body_size 1m;
	server_tokens off;
	default_type text/plain;
	server {
		listen 127.0.0.1:$port ssl;
		ssl_certificate $tls/server.crt;
		ssl_certificate_key $tls/server.key;
		ssl_client_certificate $tls/ca.crt;
		ssl_verify_client on;
		ssl_verify_depth 4;
		# as bistandd: TLS 1.2 and 1.3, its TLS 1.2 cipher list
		ssl_protocols TLSv1.2 TLSv1.3;
		ssl_ciphers ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305;
		ssl_prefer_server_ciphers on;
		location / {
			return 200 "ok\n";
		}
	}
}
CONF
	"$nginx" -t -p "$dir" -e "$dir/error.log" -c "$dir/nginx.conf" >"$dir/test.log" 2>&1 ||
	    { cat "$dir/test.log" >&2; die "configuration test failed"; }
	"$nginx" -p "$dir" -e "$dir/error.log" -c "$dir/nginx.conf" \
	    </dev/null >"$dir/stdout.log" 2>&1 &
	echo $! > "$dir/master.pid"
	i=0
	until curl -sf -o /dev/null --cacert "$tls/ca.crt" \
	    --cert "$tls/eservice.crt" --key "$tls/eservice.key" \
	    "https://127.0.0.1:$port/healthz"; do
		i=$((i + 1))
		if [ $i -ge 100 ] || ! kill -0 "$(cat "$dir/master.pid")" 2>/dev/null; then
			cat "$dir/error.log" >&2 2>/dev/null || true
			die "nginx did not answer on 127.0.0.1:$port"
		fi
		sleep 0.1
	done
	# POST with a body, twice on one connection: both answered, and
	# curl must not have had to open a second connection
	ex=etc/examples/reapplication.xml
	out=$(curl -sS --cacert "$tls/ca.crt" --cert "$tls/eservice.crt" \
	    --key "$tls/eservice.key" -H 'Content-Type: application/xml' \
	    --data-binary @"$ex" -w '%{http_code} %{num_connects}\n' \
	    "https://127.0.0.1:$port/v1/applications" \
	    --next --cacert "$tls/ca.crt" --cert "$tls/eservice.crt" \
	    --key "$tls/eservice.key" -H 'Content-Type: application/xml' \
	    --data-binary @"$ex" -w '%{http_code} %{num_connects}\n' \
	    "https://127.0.0.1:$port/v1/applications")
	case $(echo "$out" | tr '\n' ' ') in
	"ok 200 1 ok 200 0 ") ;;
	*) die "POST keep-alive check failed: $out" ;;
	esac
	echo "nginx.sh: nginx pid $(cat "$dir/master.pid") on 127.0.0.1:$port ($dir)"
	;;
stop)
	[ -f "$dir/master.pid" ] || { echo "nginx.sh: not running ($dir)" >&2; exit 0; }
	pid=$(cat "$dir/master.pid")
	# SIGTERM: fast shutdown of master and workers
	if kill -TERM "$pid" 2>/dev/null; then
		i=0
		while kill -0 "$pid" 2>/dev/null && [ $i -lt 50 ]; do
			i=$((i + 1)); sleep 0.1
		done
		kill -0 "$pid" 2>/dev/null && die "pid $pid did not stop"
	fi
	rm -rf "$dir"
	;;
*)
	echo "usage: sh bench/nginx.sh start [port [tlsdir]] | stop [port]" >&2
	exit 2
	;;
esac
