#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The build honours the flags a distribution passes: twampd, twamp-ctl and
# twamp-ureflect are built, in build/buildflags/, with Debian's default dpkg-buildflags
# (hardening=+all) in the environment, as dh_auto_build passes them, and
# must come out fortified (_FORTIFY_SOURCE: calls to __*_chk), with a
# stack protector, position independent, and with full RELRO.
set -euo pipefail
cd "$(dirname "$0")/.."

out=build/buildflags
rm -rf "$out"
export DEB_BUILD_MAINT_OPTIONS=hardening=+all
for v in CPPFLAGS CFLAGS LDFLAGS; do
	export "$v=$(dpkg-buildflags --get "$v")"
done
echo "check-buildflags: CPPFLAGS=$CPPFLAGS"
echo "check-buildflags: CFLAGS=$CFLAGS"
echo "check-buildflags: LDFLAGS=$LDFLAGS"
make -s BUILD="$out" "$out/twampd" "$out/twamp-ctl" "$out/twamp-ureflect"

fail=0
for bin in "$out/twampd" "$out/twamp-ctl" "$out/twamp-ureflect"; do
	syms=$(nm -D --undefined-only "$bin")
	if ! grep -qE '__[a-z0-9_]+_chk(@|$)' <<<"$syms"; then
		echo "check-buildflags: $bin: not fortified (no __*_chk call): CPPFLAGS dropped?" >&2
		fail=1
	fi
	if ! grep -q '__stack_chk_fail' <<<"$syms"; then
		echo "check-buildflags: $bin: no stack protector: CFLAGS dropped?" >&2
		fail=1
	fi
	if ! readelf -h "$bin" | grep -q 'DYN'; then
		echo "check-buildflags: $bin: not position independent" >&2
		fail=1
	fi
	if ! readelf -d "$bin" | grep -q 'BIND_NOW\|FLAGS.*NOW'; then
		echo "check-buildflags: $bin: no BIND_NOW: LDFLAGS dropped?" >&2
		fail=1
	fi
done
[ "$fail" -eq 0 ] &&
	echo "check-buildflags: twampd, twamp-ctl and twamp-ureflect built with the distribution's flags"
exit "$fail"
