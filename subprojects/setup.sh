#!/usr/bin/env bash
# nng-mpc setup: everything a fresh Debian 12 machine needs to build and test
# the project, offline apart from Debian's package registry.  Idempotent: what
# is installed is not installed again, what is cached is not fetched again, a
# configured build directory is only reconfigured when asked.
#
#   bash subprojects/setup.sh [BUILD_DIR [meson setup options...]]
#
# 1. apt packages (build tools, test peers, benchmark baselines);
# 2. a deb-src entry for this machine's Debian release when none exists;
# 3. subprojects/packagecache/ filled from Debian's source packages of NNG,
#    wolfSSL and CMocka (apt-get source --download-only), renamed to the
#    upstream release names the wraps pin, sha256-checked against the wraps;
# 4. our packagefiles overlay kept in sync with an extracted wolfSSL tree;
# 5. `meson setup BUILD_DIR` (default: build) when it is not configured yet.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$here")
cache="$here/packagecache"
build=${1:-build}
shift || true

log() { printf 'setup: %s\n' "$*" >&2; }

as_root() {
	if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# --- 1. packages -----------------------------------------------------------
packages=(
	build-essential pkg-config meson ninja-build cmake python3   # build
	clang libclang-rt-14-dev                                     # fuzzing
	libcmocka-dev libjson-c-dev                                  # tests
	prometheus                                                   # metrics tests (prometheus, promtool)
	openssl nng-utils libnng1                                    # real peers
	systemd                                                      # systemd-analyze verify (unit test)
	libssl-dev                                                   # baselines
	dpkg-dev                                                     # apt-get source
)
missing=()
for p in "${packages[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
		missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	log "installing: ${missing[*]}"
	as_root apt-get update -q
	as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# --- 2. deb-src --------------------------------------------------------------
codename=$(. /etc/os-release && echo "${VERSION_CODENAME:?}")
if ! grep -rqsE '^(deb-src|Types:.*deb-src)' /etc/apt/sources.list /etc/apt/sources.list.d/; then
	log "adding deb-src for $codename"
	as_root tee /etc/apt/sources.list.d/nng-mpc-deb-src.sources >/dev/null <<SRC
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: $codename $codename-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
	as_root apt-get update -q
fi

# --- 3. packagecache ---------------------------------------------------------
# wrap name | Debian source package | Debian orig tarball glob
sources=(
	"nng|nng|nng_1.5.2.orig.tar.*"
	"wolfssl|wolfssl|wolfssl_5.5.4.orig.tar.*"
	"cmocka|cmocka|cmocka_1.1.5.orig.tar.*"
)
wrap_field() { sed -n "s/^$2 *= *//p" "$here/$1.wrap"; }
mkdir -p "$cache"
for entry in "${sources[@]}"; do
	IFS='|' read -r wrap pkg glob <<<"$entry"
	name=$(wrap_field "$wrap" source_filename)
	want=$(wrap_field "$wrap" source_hash)
	if [ -f "$cache/$name" ] && echo "$want  $cache/$name" | sha256sum -c --quiet 2>/dev/null; then
		continue
	fi
	log "fetching Debian source of $pkg for $name"
	tmp=$(mktemp -d)
	(cd "$tmp" && apt-get source --download-only -q "$pkg" >/dev/null 2>&1) || {
		as_root apt-get update -q
		(cd "$tmp" && apt-get source --download-only -q "$pkg" >/dev/null)
	}
	orig=$(find "$tmp" -maxdepth 1 -name "$glob" ! -name '*.asc' | head -n 1)
	[ -n "$orig" ] || { log "no $glob in Debian's $pkg source"; exit 1; }
	got=$(sha256sum "$orig" | cut -d' ' -f1)
	if [ "$got" != "$want" ]; then
		log "$pkg: Debian's $(basename "$orig") has sha256 $got, the wrap pins $want"
		exit 1
	fi
	mv "$orig" "$cache/$name"
	rm -rf "$tmp"
done

# --- 4. overlay sync -----------------------------------------------------------
# meson applies packagefiles only when it first extracts a wrap; keep an
# already-extracted tree in step with our (reviewed) overlay.
wolf_dir="$here/$(wrap_field wolfssl directory)"
if [ -d "$wolf_dir" ]; then
	(cd "$here/packagefiles/wolfssl" && find . -type f) | while read -r f; do
		if ! cmp -s "$here/packagefiles/wolfssl/$f" "$wolf_dir/$f"; then
			log "updating $f in the extracted wolfSSL tree"
			mkdir -p "$(dirname "$wolf_dir/$f")"
			cp "$here/packagefiles/wolfssl/$f" "$wolf_dir/$f"
		fi
	done
fi

# --- 5. configure ------------------------------------------------------------
cd "$root"
if [ ! -f "$build/build.ninja" ]; then
	log "configuring $build"
	meson setup "$build" --wrap-mode=nodownload "$@" >/dev/null
fi
