#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The systemd unit as installed (placeholders filled as `make install`
# does) must parse and rate at most 2.0 on `systemd-analyze security`'s
# exposure scale (0 = locked down, 10 = unprotected): a hardening line
# dropped by mistake fails make check. Offline: no systemd needs to run.
set -euo pipefail
cd "$(dirname "$0")/.."

max=${TWAMP_UNIT_MAX_EXPOSURE:-2.0}
if ! command -v systemd-analyze >/dev/null; then
	echo "check-unit: systemd-analyze not found (package systemd)" >&2
	exit 1
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
sed 's|@SBINDIR@|/usr/sbin|g; s|@SYSCONFDIR@|/etc|g' daemon/twampd.service \
	>"$tmp/twampd.service"
# --threshold is in tenths of the printed level (2.0 -> 20).
threshold=$(awk -v m="$max" 'BEGIN { printf "%d", m * 10 + 0.5 }')
out=$(systemd-analyze security --no-pager --offline=yes \
	--threshold="$threshold" "$tmp/twampd.service" 2>&1) && rc=0 || rc=$?
level=$(sed -n 's/.*Overall exposure level for twampd.service: \([0-9.]*\).*/\1/p' \
	<<<"$out")
if [ -z "$level" ]; then
	printf '%s\n' "$out" >&2
	echo "check-unit: systemd-analyze did not rate daemon/twampd.service" >&2
	exit 1
fi
if [ "$rc" -ne 0 ]; then
	grep '✗' <<<"$out" >&2 || true
	echo "check-unit: daemon/twampd.service exposure $level, above $max" >&2
	exit 1
fi
echo "check-unit: daemon/twampd.service exposure $level (at most $max)"
