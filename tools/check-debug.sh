#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make check-debug: the selftests in a QEMU guest booting a debug kernel
# (KASAN, UBSAN, kmemleak, lockdep, PROVE_RCU, DEBUG_ATOMIC_SLEEP,
# DEBUG_OBJECTS, DEBUG_NET; booted with panic_on_warn=1), with twamp.ko
# built for it. The kernel is built from Debian's linux-source-6.1 on the
# first run and cached (tools/vm/debug-kernel/build.sh); the module is
# built from a copy of the sources in build/debug/, so the normal build is
# left alone. Like make check, every step counts, the last line is
# "N passed, N failed" and the exit status is non-zero if anything failed,
# a kernel report or a kmemleak finding included.
#
# Usage: tools/check-debug.sh [TEST...]   (default: every selftest suite,
# as selftests/run_kselftest.sh)
#
# Environment: TWAMP_CHECK_DEBUG_TIMEOUT (the guest's time limit, default
# 7200 s), TWAMP_SELFTEST_TIMEOUT (each suite's, default 2400 s), TWAMP_CACHE
# (see build.sh).
set -uo pipefail

# The suites CI runs here (docs/testing.md, "CI"): object lifetime (load
# and unload with objects alive, netlink objects, sessions and namespaces
# going away), allocation failures (failslab), and the attacks on the
# resource bounds (docs/security.md), whose kernel log must stay clean on
# this kernel too. The others run on the release kernels in make check
# only (CI's time budget).
CI_SUITES="twamp_module.sh twamp_genl.sh twamp_fault.sh twamp_security.sh
twamp_refl_bounds.sh twamp_sender_bounds.sh"
if [ "${1:-}" = --ci-suites ]; then
	# shellcheck disable=SC2086 # on one line: make check-debug SUITES=...
	echo $CI_SUITES
	exit 0
fi

cd "$(dirname "$0")/.." || exit 1
top=$(pwd -P)
mkdir -p build/debug
log=build/debug/check-debug.log
: >"$log"
# shellcheck source=tools/lib/check.sh
source tools/lib/check.sh

# The kernel: built once, then taken from the cache.
echo "# debug kernel: tools/vm/debug-kernel/build.sh"
start=$SECONDS
kdir=$(tools/vm/debug-kernel/build.sh 2> >(tee -a "$log" >&2))
rc=$?
result $rc "debug kernel built or cached ($((SECONDS - start)) s)"
if [ $rc -ne 0 ] || [ ! -e "$kdir/ready" ]; then
	finish
fi
krel=$(cat "$kdir/kernelrelease")
echo "# debug kernel: $krel in $kdir"

# The programs and the selftests, as for make check.
step "build programs and selftests" make -s programs selftests || finish

# twamp.ko for the debug kernel, from a copy of the module's sources.
src=build/debug/src
# shellcheck disable=SC2317 # called through step
build_module() {
	rm -rf "$src" &&
	mkdir -p "$src/kmod" &&
	cp -p Kbuild VERSION "$src/" &&
	cp -pr uapi "$src/" &&
	cp -p kmod/Kbuild kmod/*.[ch] "$src/kmod/" &&
	rm -f "$src"/kmod/*.mod.c &&
	nice -n 10 make -C "$kdir/linux" M="$top/$src" -j"$(nproc)" modules
}
step "twamp.ko built for $krel" build_module || finish
ko=$top/$src/kmod/twamp.ko

# The selftests in the guest. tools/vm/run fails with 125 on a kernel
# report, and on anything kmemleak lists once the command is done: the
# command unloads twamp.ko first, should a test have left it loaded, so
# that what the module leaked is unreferenced by then.
# shellcheck disable=SC2016 # expanded in the guest
job='selftests/run_kselftest.sh "$@"; rc=$?
if [ -d /sys/module/twamp ]; then
	echo "# twamp.ko still loaded after the selftests: unloading it"
	rmmod twamp || rc=1
fi
exit $rc'
echo "# selftests in the guest on $krel (tools/vm/run)"
start=$SECONDS
# (The PVH entry does not boot with KASAN on: the compressed image it is.)
# Results show as they come: the run takes a while.
vm_log=build/debug/guest.log
TWAMP_VM_PVH=0 tools/vm/run --timeout "${TWAMP_CHECK_DEBUG_TIMEOUT:-7200}" \
	--kernel "$kdir/bzImage" --modules-dir "$kdir/modules" --module "$ko" \
	--append "panic_on_warn=1 loglevel=5" -- \
	env TWAMP_SELFTEST_NO_SKIP=1 TWAMP_KO="$ko" \
	TWAMP_SELFTEST_TIMEOUT="${TWAMP_SELFTEST_TIMEOUT:-2400}" \
	bash -c "$job" check-debug "$@" >"$vm_log" 2>&1 &
vm_pid=$!
tail -n +1 -s 1 --pid=$vm_pid -f "$vm_log" |
	grep --line-buffered -E '^(not )?ok |^# (# )?(not )?ok |^# (# )?FAIL|^twamp-vm:|^  \| |^selftests:'
wait $vm_pid
vm_rc=$?
vm_out=$(cat "$vm_log")
cat "$vm_log" >>"$log"
echo "# guest run: $((SECONDS - start)) s"
count_selftests "$vm_out"
# The guest's own verdict: 125 kernel report or kmemleak finding, 124
# timeout.
case $vm_rc in
0 | 1) result 0 "debug kernel log clean, no leaks, guest finished" ;;
*) result 1 "debug kernel log clean, no leaks, guest finished (tools/vm/run status $vm_rc)" ;;
esac
finish
