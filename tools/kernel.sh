#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Which kernel to build for and boot: one answer for the Makefile,
# tools/vm/run and tools/check.sh, never "the newest installed".
#
#   tools/kernel.sh default      the running kernel if its headers are
#                                installed, else the declared default:
#                                Debian 12's stock kernel (the release
#                                linux-headers-amd64 depends on, 6.1)
#   tools/kernel.sh boot-default the running kernel if its image and
#                                modules are installed, else the same
#                                declared default
#   tools/kernel.sh resolve NAME a release (uname -r) for NAME: a release
#                                itself, or an alias:
#                                  6.1      Debian 12's stock kernel
#                                  6.12     linux-image-6.12-amd64
#                                  6.12-rt  linux-image-6.12-rt-amd64
#                                  default  as above
#   tools/kernel.sh ci           the aliases make check tests by default
#
# The aliases follow Debian's metapackages, so they name whatever ABI the
# mirror had when `make deps` ran. Exit status 1, with a message, when a
# kernel is not installed.
set -euo pipefail

# make check's kernels (KERNELS=): see docs/testing.md.
CI_KERNELS="6.1 6.12 6.12-rt"

say() { echo "kernel.sh: $*" >&2; }

# The release a metapackage pulls in: "linux-image-6.1.0-57-amd64 (= ...)"
# gives 6.1.0-57-amd64.
from_meta() {
	local dep
	dep=$(dpkg-query -W -f '${Depends}' "$1" 2>/dev/null) || return 1
	dep=${dep%% *}
	dep=${dep%,}
	dep=${dep#linux-image-}
	dep=${dep#linux-headers-}
	[[ -n $dep && $dep != "$1" ]] || return 1
	echo "$dep"
}

declared_default() {
	from_meta linux-headers-amd64 || from_meta linux-image-amd64 || {
		say "no default kernel: linux-headers-amd64 is not installed (run 'make deps')"
		return 1
	}
}

resolve() {
	local rel
	case $1 in
	default) rel=$(default_kernel) ;;
	6.1) rel=$(declared_default) ;;
	6.12) rel=$(from_meta linux-image-6.12-amd64) ||
		{ say "6.12: linux-image-6.12-amd64 is not installed (run 'make deps')"; return 1; } ;;
	6.12-rt) rel=$(from_meta linux-image-6.12-rt-amd64) ||
		{ say "6.12-rt: linux-image-6.12-rt-amd64 is not installed (run 'make deps')"; return 1; } ;;
	*) rel=$1 ;;
	esac
	[[ -d /lib/modules/$rel ]] || {
		say "kernel $1: no /lib/modules/$rel"
		return 1
	}
	echo "$rel"
}

default_kernel() {
	local r
	r=$(uname -r)
	if [[ -d /lib/modules/$r/build ]]; then
		echo "$r"
	else
		declared_default
	fi
}

boot_default() {
	local r
	r=$(uname -r)
	if [[ -r /boot/vmlinuz-$r && -d /lib/modules/$r/kernel ]]; then
		echo "$r"
	else
		declared_default
	fi
}

case ${1:-} in
default) default_kernel ;;
boot-default) boot_default ;;
resolve) [[ $# -eq 2 ]] || { say "usage: $0 resolve NAME"; exit 2; }; resolve "$2" ;;
ci) echo "$CI_KERNELS" ;;
*) say "usage: $0 default|boot-default|resolve NAME|ci"; exit 2 ;;
esac
