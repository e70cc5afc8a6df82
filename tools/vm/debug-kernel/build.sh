#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build (once) the debug kernel of `make check-debug` from Debian's
# linux-source-6.1 and print the directory that holds it:
#
#   DIR/bzImage          the kernel image (tools/vm/run --kernel)
#   DIR/linux/           the built tree: KDIR for out-of-tree modules
#   DIR/modules/         its module directory, lib/modules/VERSION of
#                        `make modules_install` (tools/vm/run --modules-dir):
#                        nothing but modules.builtin and the indexes, as
#                        everything the tests need is built in
#   DIR/kernelrelease    VERSION, what uname -r says in the guest
#
# The config is allnoconfig plus guest.config and debug.config beside this
# script. DIR is ${TWAMP_CACHE:-/var/cache/twamp}/debug-kernel/KEY, KEY a
# hash of the source package's version, the two fragments, this script and
# the compiler, so the build is paid once per machine and redone when any
# of them changes. The build goes to a temporary directory renamed to DIR
# when complete (under a lock, so concurrent runs build it once), and a
# failed or interrupted build leaves no DIR behind.
#
# Environment: KSRC_TARBALL (default /usr/src/linux-source-6.1.tar.xz),
# TWAMP_CACHE, JOBS (default nproc), NICE (default 10).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
tarball=${KSRC_TARBALL:-/usr/src/linux-source-6.1.tar.xz}
fragments=("$here/guest.config" "$here/debug.config")
jobs=${JOBS:-$(nproc)}
nice_n=${NICE:-10}

say() { echo "debug-kernel: $*" >&2; }
die() {
	say "error: $*"
	exit 1
}

[[ -r $tarball ]] || die "no $tarball (run 'make deps': linux-source-6.1)"
for t in make gcc flex bison bc perl xz; do
	command -v "$t" >/dev/null || die "$t not found (run 'make deps')"
done
# libelf (objtool), libssl (certificates and sign-file)
for h in /usr/include/gelf.h /usr/include/openssl/ssl.h; do
	[[ -e $h ]] || die "$h missing (run 'make deps': libelf-dev, libssl-dev)"
done

cache=${TWAMP_CACHE:-/var/cache/twamp}
if ! mkdir -p "$cache/debug-kernel" 2>/dev/null || [[ ! -w $cache/debug-kernel ]]; then
	cache=${XDG_CACHE_HOME:-$HOME/.cache}/twamp
	mkdir -p "$cache/debug-kernel"
fi
base=$cache/debug-kernel

# The source's identity: the package version when dpkg knows the file,
# else the tarball's size and time.
src_id=$(dpkg-query -S "$tarball" >/dev/null 2>&1 &&
	dpkg-query -W -f '${Package} ${Version}' linux-source-6.1 2>/dev/null) ||
	src_id=$(stat -L -c '%n %s %Y' "$tarball")
key=$({
	echo "$src_id"
	gcc --version | head -n 1
	cat "${fragments[@]}" "${BASH_SOURCE[0]}"
} | sha256sum | cut -c1-16)
dir=$base/$key

if [[ -e $dir/ready ]]; then
	echo "$dir"
	exit 0
fi

exec 9>"$base/$key.lock"
if ! flock -n 9; then
	say "another run is building $dir; waiting for it"
	flock 9
fi
if [[ -e $dir/ready ]]; then
	echo "$dir"
	exit 0
fi

tmp=$(mktemp -d "$base/$key.tmp.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
log=$tmp/build.log
start=$SECONDS
say "building the debug kernel in $dir (first run only; ~15-30 min, log $log)"

run() {
	if ! "$@" >>"$log" 2>&1; then
		say "failed: $*"
		tail -n 40 "$log" >&2
		# keep the log where it can be read
		cp "$log" "$base/$key.failed.log" 2>/dev/null &&
			say "log: $base/$key.failed.log"
		exit 1
	fi
}

run tar -xJf "$tarball" -C "$tmp" --one-top-level=linux --strip-components=1
k=$tmp/linux
m() { run nice -n "$nice_n" make -C "$k" -j"$jobs" "$@"; }

m allnoconfig
run "$k/scripts/kconfig/merge_config.sh" -m -O "$k" "$k/.config" "${fragments[@]}"
m olddefconfig

# Every option of the fragments must have stuck: Kconfig drops what it
# cannot satisfy without a word.
bad=0
while IFS= read -r line; do
	case $line in
	CONFIG_*=*)
		grep -qxF -- "$line" "$k/.config" && continue
		;;
	"# CONFIG_"*" is not set")
		opt=${line#\# }
		opt=${opt%% *}
		! grep -q "^$opt=" "$k/.config" && continue
		;;
	*) continue ;;
	esac
	say "config: wanted '$line', got '$(grep -E "^(# )?${line#\# }" "$k/.config" |
		head -n1 || true)'"
	bad=1
done < <(cat "${fragments[@]}" | sed -E 's/^(CONFIG_[A-Za-z0-9_]+)=/\1=/;/^# SPDX/d')
[[ $bad -eq 0 ]] || die "the config fragments do not apply (see above)"

m all
m modules_install INSTALL_MOD_PATH="$tmp/modroot" DEPMOD=/sbin/depmod
release=$(make -s --no-print-directory -C "$k" kernelrelease)
mv "$tmp/modroot/lib/modules/$release" "$tmp/modules"
rm -rf "$tmp/modroot" "$tmp/modules/build" "$tmp/modules/source"
ln -s linux/arch/x86/boot/bzImage "$tmp/bzImage"
echo "$release" >"$tmp/kernelrelease"
cp "$log" "$tmp/linux/.twamp-build.log"
say "built $release in $((SECONDS - start)) s"
touch "$tmp/ready"

# Another run may have won the race despite the lock (a stale lock on a
# shared cache): keep the first.
if mv -T "$tmp" "$dir" 2>/dev/null; then
	trap - EXIT
else
	[[ -e $dir/ready ]] || die "cannot move the build to $dir"
fi
echo "$dir"
