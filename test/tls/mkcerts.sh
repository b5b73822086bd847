#!/bin/sh
# mkcerts.sh DIR -- the TLS tests' certificates, made fresh by Debian's
# openssl CLI at test time (an implementation independent of the engine
# under test).  ECDSA P-256 everywhere.
#
#   ca.pem           the trusted CA            ca2.pem  an unknown CA
#   server.pem       cert+key, SAN DNS:localhost IP:127.0.0.1 URI:mpc://party/1
#   client.pem       cert+key, SAN URI:mpc://party/2
#   client_enc.crt + client_enc.key   party 2, key PKCS#8 AES-256 "secret"
#   unknown.pem      server cert signed by ca2
#   expired.pem      server cert valid Jan 2020 only
#   party_<case>.pem client certs with a bad party SAN: evil (1-evil),
#                    zero (01), empty (""), two (two party SANs),
#                    upper (MPC://party/3), none (no URI SAN), big (2^32-1)
#   revoked.pem      server cert (party 1) on ca.crl; ca_crl.pem = ca.pem + ca.crl
#   server.pin client.pin   SHA-256 of the SubjectPublicKeyInfo (32 bytes)
#   unknown2.pem     client cert (party 2) signed by ca2
#   expired2.pem     client cert (party 2) valid Jan 2020 only
#   self1.pem self2.pem self2b.pem   SELF-SIGNED leaves with a valid party
#                    SAN (1, 2, 2 with another key), and their .pin
#   self2x.pem       self-signed party 2, valid Jan 2020 only, and its .pin
#   plain.pem        server cert from ca without a party SAN
set -eu
D=$1
mkdir -p "$D"
cd "$D"

key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }

ca() {  # ca NAME CN
	key "$1.key"
	openssl req -x509 -new -key "$1.key" -subj "/O=nng-mpc test/CN=$2" \
	    -days 3650 -sha256 \
	    -addext "basicConstraints=critical,CA:TRUE" \
	    -addext "keyUsage=critical,keyCertSign,cRLSign" -out "$1.pem"
}

ext() {  # ext SAN
	printf 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth,clientAuth\n'
	if [ -n "$1" ]; then printf 'subjectAltName=%s\n' "$1"; fi
}

leaf() {  # leaf NAME CA SAN
	key "$1.key"
	openssl req -new -key "$1.key" -subj "/O=nng-mpc test/CN=$1" -out "$1.csr"
	ext "$3" > "$1.ext"
	openssl x509 -req -in "$1.csr" -CA "$2.pem" -CAkey "$2.key" \
	    -CAcreateserial -days 30 -sha256 -extfile "$1.ext" -out "$1.crt" 2>/dev/null
	cat "$1.crt" "$1.key" > "$1.pem"
}

pin() {  # pin NAME
	openssl pkey -in "$1.key" -pubout -outform der |
	    openssl dgst -sha256 -binary > "$1.pin"
}

ca ca "nng-mpc test CA"
ca ca2 "unknown CA"
leaf server ca "DNS:localhost,IP:127.0.0.1,URI:mpc://party/1"
leaf client ca "URI:mpc://party/2"
leaf unknown ca2 "DNS:localhost,IP:127.0.0.1,URI:mpc://party/1"
leaf party_evil ca "URI:mpc://party/1-evil"
leaf party_zero ca "URI:mpc://party/01"
leaf party_empty ca "URI:mpc://party/"
leaf party_two ca "URI:mpc://party/2,URI:mpc://party/3"
leaf party_upper ca "URI:MPC://party/3"
leaf party_none ca "DNS:client.example"
leaf party_big ca "URI:mpc://party/4294967295"
leaf unknown2 ca2 "URI:mpc://party/2"
leaf plain ca "DNS:localhost,IP:127.0.0.1"
pin server
pin client

# Self-signed leaves claiming a party: only a pin may make one trusted.
selfsigned() {  # selfsigned NAME SAN
	key "$1.key"
	{ printf '[ req ]\ndistinguished_name = dn\n[ dn ]\n[ v3 ]\n'; ext "$2"; } > "$1.cnf"
	openssl req -x509 -new -key "$1.key" -subj "/O=nng-mpc test/CN=$1" \
	    -days 30 -sha256 -config "$1.cnf" -extensions v3 -out "$1.crt"
	cat "$1.crt" "$1.key" > "$1.pem"
	pin "$1"
}
selfsigned self1 "DNS:localhost,IP:127.0.0.1,URI:mpc://party/1"
selfsigned self2 "URI:mpc://party/2"
selfsigned self2b "URI:mpc://party/2"

# The same party-2 certificate with its key encrypted (PKCS#8, PBES2).
cp client.crt client_enc.crt
openssl pkcs8 -topk8 -v2 aes-256-cbc -v2prf hmacWithSHA256 \
    -passout pass:secret -in client.key -out client_enc.key

# Expired: `openssl ca` is the CLI way to set explicit dates.
mkdir -p newcerts
: > index.txt
echo 1000 > serial
cat > ca.cnf <<EOF
[ ca ]
default_ca = testca
[ testca ]
dir = .
database = ./index.txt
new_certs_dir = ./newcerts
serial = ./serial
default_md = sha256
policy = pol
unique_subject = no
[ pol ]
organizationName = optional
commonName = supplied
EOF
key expired.key
openssl req -new -key expired.key -subj "/O=nng-mpc test/CN=expired" -out expired.csr
ext "DNS:localhost,IP:127.0.0.1,URI:mpc://party/1" > expired.ext
openssl ca -batch -config ca.cnf -cert ca.pem -keyfile ca.key -notext \
    -startdate 20200101000000Z -enddate 20200201000000Z \
    -extfile expired.ext -in expired.csr -out expired.crt 2>/dev/null
cat expired.crt expired.key > expired.pem
key expired2.key
openssl req -new -key expired2.key -subj "/O=nng-mpc test/CN=expired2" -out expired2.csr
ext "URI:mpc://party/2" > expired2.ext
openssl ca -batch -config ca.cnf -cert ca.pem -keyfile ca.key -notext \
    -startdate 20200101000000Z -enddate 20200201000000Z \
    -extfile expired2.ext -in expired2.csr -out expired2.crt 2>/dev/null
cat expired2.crt expired2.key > expired2.pem
key self2x.key
openssl req -new -key self2x.key -subj "/O=nng-mpc test/CN=self2x" -out self2x.csr
openssl ca -batch -selfsign -config ca.cnf -keyfile self2x.key -notext \
    -startdate 20200101000000Z -enddate 20200201000000Z \
    -extfile expired2.ext -in self2x.csr -out self2x.crt 2>/dev/null
cat self2x.crt self2x.key > self2x.pem
pin self2x

# Revoked: issued through `openssl ca` (so it is in the CA's index), then
# revoked; ca_crl.pem is the CA followed by its CRL (NNG's CA-file format).
key revoked.key
openssl req -new -key revoked.key -subj "/O=nng-mpc test/CN=revoked" -out revoked.csr
openssl ca -batch -config ca.cnf -cert ca.pem -keyfile ca.key -notext \
    -days 30 -extfile expired.ext -in revoked.csr -out revoked.crt 2>/dev/null
cat revoked.crt revoked.key > revoked.pem
openssl ca -config ca.cnf -cert ca.pem -keyfile ca.key -revoke revoked.crt 2>/dev/null
openssl ca -config ca.cnf -cert ca.pem -keyfile ca.key -gencrl -crldays 30 \
    -out ca.crl 2>/dev/null
cat ca.pem ca.crl > ca_crl.pem
