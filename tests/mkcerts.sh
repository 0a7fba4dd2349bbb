#!/bin/sh
# mkcerts.sh DIR [extra]: a development CA and the certificates of
# interfaces.md, all ECDSA P-256. Used by `make run` (DIR=run/tls) and by
# the integration tests (a fresh temporary DIR each run).
#
#   ca.crt/.key          the development CA (issues server and clients)
#   server.crt/.key      CN and SAN localhost, 127.0.0.1
#   eservice.crt/.key    OU=eservice
#   caseworker.crt/.key  OU=caseworker, CN=handlaggare1
#   auditor.crt/.key     OU=auditor
# With "extra" as second argument, for the tests also:
#   other.crt/.key       issued by the CA, but OU=citizen (no role)
#   foreign-ca.crt/.key  another CA, and foreign.crt/.key issued by it
#                        with OU=eservice (must be refused)
set -eu
dir=$1
extra=${2:-}
umask 077
mkdir -p "$dir"
cd "$dir"

key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 \
	-out "$1.key" 2>/dev/null; }

# ca NAME SUBJECT
ca() {
	key "$1"
	openssl req -x509 -new -key "$1.key" -sha256 -days 3650 \
	    -subj "$2" -out "$1.crt" \
	    -addext "basicConstraints=critical,CA:TRUE" \
	    -addext "keyUsage=critical,keyCertSign,cRLSign"
}

# leaf NAME SUBJECT CA EXTFILE-CONTENT
leaf() {
	key "$1"
	openssl req -new -key "$1.key" -subj "$2" -out "$1.csr"
	printf '%s\n' "$4" > "$1.ext"
	openssl x509 -req -in "$1.csr" -CA "$3.crt" -CAkey "$3.key" \
	    -CAcreateserial -days 825 -sha256 -extfile "$1.ext" \
	    -out "$1.crt" 2>/dev/null
	rm -f "$1.csr" "$1.ext"
}

client_ext='basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=clientAuth'

ca ca "/O=bistandd development/CN=bistandd development CA"
leaf server "/O=bistandd development/CN=localhost" ca \
"basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=serverAuth
subjectAltName=DNS:localhost,IP:127.0.0.1"
leaf eservice "/O=bistandd development/OU=eservice/CN=e-tjanst" ca \
    "$client_ext"
leaf caseworker "/O=bistandd development/OU=caseworker/CN=handlaggare1" ca \
    "$client_ext"
leaf auditor "/O=bistandd development/OU=auditor/CN=revisor1" ca \
    "$client_ext"
if [ "$extra" = extra ]; then
	leaf other "/O=bistandd development/OU=citizen/CN=someone" ca \
	    "$client_ext"
	ca foreign-ca "/O=elsewhere/CN=foreign CA"
	leaf foreign "/O=elsewhere/OU=eservice/CN=e-tjanst" foreign-ca \
	    "$client_ext"
fi
rm -f ./*.srl
chmod 0644 ./*.crt
echo "mkcerts: development certificates in $dir"
