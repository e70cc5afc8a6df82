#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Compile test of twamp.ko for a 32-bit target: i386, against Debian's
# linux-source-6.1 configured with i386_defconfig (plus the network
# options the module needs) and prepared for out-of-tree modules (make
# modules_prepare: no kernel build). The prepared tree is cached like the
# debug kernel's, under ${TWAMP_CACHE:-/var/cache/twamp}/i386-tree/KEY
# (KEY: the source package, the compiler, the recipe), so only the first
# run pays for it (about 3 minutes on 2 cores). The module is built from a
# copy of its sources in build/i386/, warnings as errors.
#
# What it proves: the statistics and everything else compile and link
# (modpost) without 64-bit-only arithmetic (no __int128, no plain 64-bit
# division: __udivdi3 and friends would be undefined). It does not run.
#
# --prepare: prepare (or find) the cached tree and stop, building no
# module; CI does this in the background while the guests run.
#
# Environment: KSRC_TARBALL (default /usr/src/linux-source-6.1.tar.xz),
# TWAMP_CACHE, JOBS (default nproc), NICE (default 10).
set -euo pipefail

prepare_only=0
case ${1-} in
"") ;;
--prepare) prepare_only=1 ;;
*) echo "usage: $0 [--prepare]" >&2; exit 2 ;;
esac

cd "$(dirname "$0")/.."
top=$(pwd -P)
tarball=${KSRC_TARBALL:-/usr/src/linux-source-6.1.tar.xz}
jobs=${JOBS:-$(nproc)}
nice_n=${NICE:-10}

say() { echo "build-i386: $*" >&2; }
die() {
	say "error: $*"
	exit 1
}

[[ -r $tarball ]] || die "no $tarball (run 'make deps': linux-source-6.1)"

cache=${TWAMP_CACHE:-/var/cache/twamp}
if ! mkdir -p "$cache/i386-tree" 2>/dev/null || [[ ! -w $cache/i386-tree ]]; then
	cache=${XDG_CACHE_HOME:-$HOME/.cache}/twamp
	mkdir -p "$cache/i386-tree"
fi
base=$cache/i386-tree
src_id=$(dpkg-query -W -f '${Package} ${Version}' linux-source-6.1 2>/dev/null) ||
	src_id=$(stat -L -c '%n %s %Y' "$tarball")
key=$({
	echo "$src_id"
	gcc --version | head -n 1
	# the tree's recipe below: bump when it changes
	echo "i386_defconfig IPV6 NET_UDP_TUNNEL NETFILTER CRYPTO_LIB_AES v1"
} | sha256sum | cut -c1-16)
dir=$base/$key

if [[ ! -e $dir/ready ]]; then
	exec 9>"$base/$key.lock"
	flock 9
fi
if [[ ! -e $dir/ready ]]; then
	say "preparing an i386 kernel tree in $dir (once)"
	tmp=$(mktemp -d "$base/tmp.XXXXXX")
	trap 'rm -rf "$tmp"' EXIT
	tar -xJf "$tarball" -C "$tmp"
	mv "$tmp"/linux-source-* "$tmp/linux"
	k=(nice -n "$nice_n" make -s -C "$tmp/linux" ARCH=i386)
	"${k[@]}" i386_defconfig >/dev/null
	# What the module uses beyond defconfig: IPv6 (built in), UDP tunnel
	# sockets, netfilter hooks, the AES and SHA-1 library code.
	"$tmp/linux/scripts/config" --file "$tmp/linux/.config" \
		-e IPV6 -m NET_UDP_TUNNEL -e NETFILTER -e CRYPTO_LIB_AES \
		-e CRYPTO_SHA1 -e CRYPTO_HMAC
	"${k[@]}" olddefconfig >/dev/null
	"${k[@]}" -j"$jobs" modules_prepare
	touch "$tmp/ready"
	mv "$tmp" "$dir"
	trap - EXIT
fi
if [[ $prepare_only -eq 1 ]]; then
	say "tree ready in $dir"
	exit 0
fi

src=build/i386/src
rm -rf "$src"
mkdir -p "$src/kmod"
cp -p Kbuild VERSION "$src/"
cp -pr uapi "$src/"
cp -p kmod/Kbuild kmod/*.[ch] "$src/kmod/"
rm -f "$src"/kmod/*.mod.c
log=build/i386/build.log
# Every warning is fatal, a stack frame over i386's 1024-byte limit
# (x86_64's is 2048) too. KCFLAGS_EXTRA adds compiler flags.
KCFLAGS_EXTRA=${KCFLAGS_EXTRA-}
# modules_prepare leaves no Module.symvers, so modpost lists every kernel
# symbol as undefined (warnings, expected). What matters are the libgcc
# helpers 64-bit arithmetic would call on i386, which no kernel exports.
nice -n "$nice_n" make -C "$dir/linux" ARCH=i386 M="$top/$src" \
	KCFLAGS="-Werror $KCFLAGS_EXTRA" -j"$jobs" modules >"$log" 2>&1 ||
	{ grep -vE '^  (CC|LD|MODPOST|BTF)' "$log" >&2; die "build failed (log: $log)"; }
grep -E 'warning:' "$log" >&2 || true
ko=$src/kmod/twamp.ko
if nm -u "$ko" | grep -E '__(u|)(div|mod|divmod|mul|ashl|ashr|lshr)[dt]i[34]' >&2; then
	die "twamp.ko needs 64-bit-only arithmetic helpers on i386"
fi
echo "build-i386: $(file -b "$ko" | cut -d, -f1-2): no 64-bit arithmetic helpers"
