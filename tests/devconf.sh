#!/bin/sh
# devconf.sh TOP: the development configuration `make run` writes to
# run/bistandd.conf (absolute paths into the checkout TOP).
set -eu
top=$1
mkdir -p "$top/run/state"
cat <<CONF
# Development configuration written by 'make run'; see etc/bistandd.conf
# for every setting. Delete this file to have it written again.
listen			127.0.0.1:8443
tls_certificate		$top/run/tls/server.crt
tls_key			$top/run/tls/server.key
tls_client_ca		$top/run/tls/ca.crt
state_dir		$top/run/state
schema_dir		$top/etc
rules_dir		$top/rules
examples_dir		$top/etc/examples
CONF
