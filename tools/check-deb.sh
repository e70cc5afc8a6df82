#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The Debian packages (debian/): build twamp-dkms, twampd and twamp-tools
# with dpkg-buildpackage from a copy of the tree's files in build/deb/,
# check their contents, and run lintian, which must report no error or
# warning (an override in debian/*.lintian-overrides says why).
# dkms must build the module from twamp-dkms's files. The programs the
# packages ship must carry the hardening debian/rules asks for
# (hardening=+all through dpkg-buildflags, which the upstream Makefile must
# pass on): fortified (_FORTIFY_SOURCE: calls to __*_chk), with a stack
# protector, position independent, with BIND_NOW. The .debs stay in
# build/deb/.
#
#   tools/check-deb.sh --next   also build the same tree as the next
#                               version, VERSION+next1, in build/deb-next/:
#                               the upgrade that selftests/twamp_deb.sh
#                               installs over the first in a guest
set -euo pipefail
cd "$(dirname "$0")/.."
next=0
[ "${1:-}" = --next ] && next=1

out=build/deb
src=$out/twamp-$(cat VERSION)
rm -rf "$out"
mkdir -p "$src"
# the tree's files, committed or not, without build products
git ls-files -z --cached --others --exclude-standard |
	xargs -0 cp --parents -t "$src"
(cd "$src" && dpkg-buildpackage --no-sign -b -j"$(nproc)") \
	>"$out/build.log" 2>&1 || {
	tail -n 40 "$out/build.log" >&2
	echo "check-deb: dpkg-buildpackage failed (log: $out/build.log)" >&2
	exit 1
}
fail=0
# must-have file per package
expect() {
	local deb=$1 path=$2
	if ! dpkg-deb -c "$deb" | awk '{ print $6 }' | grep -qx "\.$path"; then
		echo "check-deb: $(basename "$deb") lacks $path" >&2
		fail=1
	fi
}
v=$(cat VERSION)
for p in twamp-dkms twampd twamp-tools; do
	ls "$out"/${p}_*.deb >/dev/null 2>&1 ||
		{ echo "check-deb: no $p package built" >&2; exit 1; }
done
expect "$out"/twamp-dkms_*.deb "/usr/src/twamp-$v/dkms.conf"
expect "$out"/twamp-dkms_*.deb "/usr/src/twamp-$v/kmod/main.c"
expect "$out"/twampd_*.deb /usr/sbin/twampd
expect "$out"/twampd_*.deb /lib/systemd/system/twampd.service
expect "$out"/twampd_*.deb /etc/twamp/twampd.conf
expect "$out"/twamp-tools_*.deb /usr/bin/twamp-ctl
expect "$out"/twamp-tools_*.deb /usr/bin/twamp-ureflect
if dpkg-deb -I "$out"/twampd_*.deb conffiles | grep -qx /etc/twamp/twampd.conf; then :; else
	echo "check-deb: /etc/twamp/twampd.conf is not a conffile" >&2
	fail=1
fi
if dpkg-deb --fsys-tarfile "$out"/twamp-dkms_*.deb |
		tar -xO "./usr/src/twamp-$v/dkms.conf" | grep -q '#MODULE_VERSION#'; then
	echo "check-deb: dkms.conf still holds #MODULE_VERSION#" >&2
	fail=1
fi
# dh_dkms: dkms builds the module when the package is installed
if ! dpkg-deb -f "$out"/twamp-dkms_*.deb Depends | grep -q '\bdkms\b' ||
		! dpkg-deb -I "$out"/twamp-dkms_*.deb postinst 2>/dev/null |
		grep -q 'dkms'; then
	echo "check-deb: twamp-dkms neither depends on dkms nor runs it at install" >&2
	fail=1
fi
if [ "$(dpkg-parsechangelog -l debian/changelog -S Version)" != "$v" ]; then
	echo "check-deb: debian/changelog's version is not VERSION ($v)" >&2
	fail=1
fi
# dkms builds the module from what twamp-dkms installs, for the kernel the
# project builds against by default, in private trees (nothing installed)
rel=$(tools/kernel.sh resolve default)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
dpkg-deb -x "$out"/twamp-dkms_*.deb "$tmp/root"
mkdir -p "$tmp/dkms"
if dkms build -m twamp -v "$v" -k "$rel" --sourcetree "$tmp/root/usr/src" \
		--dkmstree "$tmp/dkms" >"$out/dkms.log" 2>&1 &&
		[ -n "$(find "$tmp/dkms/twamp/$v/$rel" -name 'twamp.ko*')" ]; then
	echo "check-deb: dkms built twamp.ko for $rel from twamp-dkms"
else
	tail -n 20 "$out/dkms.log" >&2
	echo "check-deb: dkms could not build twamp.ko for $rel from twamp-dkms (log: $out/dkms.log)" >&2
	fail=1
fi
# The shipped programs: built with the flags dpkg-buildflags gave
for p in twampd twamp-tools; do
	dpkg-deb -x "$out"/${p}_*.deb "$tmp/root"
done
for bin in usr/sbin/twampd usr/bin/twamp-ctl usr/bin/twamp-ureflect; do
	syms=$(nm -D --undefined-only "$tmp/root/$bin")
	if ! grep -qE '__[a-z0-9_]+_chk(@|$)' <<<"$syms"; then
		echo "check-deb: /$bin: not fortified (no __*_chk call): CPPFLAGS dropped?" >&2
		fail=1
	fi
	if ! grep -q '__stack_chk_fail' <<<"$syms"; then
		echo "check-deb: /$bin: no stack protector: CFLAGS dropped?" >&2
		fail=1
	fi
	if ! readelf -h "$tmp/root/$bin" | grep -q 'DYN'; then
		echo "check-deb: /$bin: not position independent" >&2
		fail=1
	fi
	if ! readelf -d "$tmp/root/$bin" | grep -q 'BIND_NOW\|FLAGS.*NOW'; then
		echo "check-deb: /$bin: no BIND_NOW: LDFLAGS dropped?" >&2
		fail=1
	fi
done
[ "$fail" -ne 0 ] ||
	echo "check-deb: twampd, twamp-ctl, twamp-ureflect fortified, stack-protected, PIE, BIND_NOW"
# lintian: errors and warnings fail; info and pedantic tags are shown
lint=$(lintian --no-cfg --display-level '>=info' "$out"/*.changes 2>&1) || true
printf '%s\n' "$lint" >"$out/lintian.log"
if grep -E '^[EW]: ' <<<"$lint"; then
	echo "check-deb: lintian reports the above (log: $out/lintian.log)" >&2
	fail=1
fi
grep -E '^[IP]: ' <<<"$lint" | sed 's/^/check-deb: lintian: /' || true
[ "$fail" -eq 0 ] && echo "check-deb: $(cd "$out" && ls ./*.deb | tr '\n' ' ')built, lintian clean"
[ "$fail" -eq 0 ] && [ "$next" -eq 1 ] || exit "$fail"

# The next version: the same files, VERSION and a changelog entry bumped,
# as a release would; nothing else differs (the conffile neither, so an
# upgrade keeps a local change to it without asking).
nv=$v+next1
nout=build/deb-next
nsrc=$nout/twamp-$nv
rm -rf "$nout"
mkdir -p "$nsrc"
git ls-files -z --cached --others --exclude-standard |
	xargs -0 cp --parents -t "$nsrc"
echo "$nv" >"$nsrc/VERSION"
{
	printf 'twamp (%s) unstable; urgency=medium\n\n' "$nv"
	printf '  * Test upgrade of %s (tools/check-deb.sh --next).\n\n' "$v"
	printf ' -- %s  %s\n\n' \
		"$(dpkg-parsechangelog -l debian/changelog -S Maintainer)" \
		"$(dpkg-parsechangelog -l debian/changelog -S Date)"
	cat debian/changelog
} >"$nsrc/debian/changelog"
(cd "$nsrc" && dpkg-buildpackage --no-sign -b -j"$(nproc)") \
	>"$nout/build.log" 2>&1 || {
	tail -n 40 "$nout/build.log" >&2
	echo "check-deb: dpkg-buildpackage of $nv failed (log: $nout/build.log)" >&2
	exit 1
}
for p in twamp-dkms twampd twamp-tools; do
	ls "$nout/${p}_${nv}_"*.deb >/dev/null 2>&1 ||
		{ echo "check-deb: no $p $nv package built" >&2; exit 1; }
done
echo "check-deb: $(cd "$nout" && ls ./*.deb | tr '\n' ' ')built (the upgrade)"
