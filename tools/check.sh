#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make check: build everything, run the host unit tests and the linters,
# then the selftests in a QEMU guest booting Debian's kernel. Every step is
# counted; the last line is "N passed, N failed" and the exit status is
# non-zero if anything failed, including a kernel report in the guest.
set -uo pipefail

cd "$(dirname "$0")/.." || exit 1
mkdir -p build
log=build/check.log
: >"$log"
# shellcheck source=tools/lib/check.sh
source tools/lib/check.sh

step build make -s all || finish

# Host unit tests: KTAP, each line counted.
echo "# unit tests"
# build/unit-control: the TWAMP-Control engine (daemon/control).
unit_out=$(make -s build/unit build/unit-control 2>&1 &&
	{ build/unit; a=$?; build/unit-control; exit $((a | $?)); })
unit_rc=$?
printf '%s\n' "$unit_out" >>"$log"
while read -r line; do
	case $line in
	"ok "*) passed=$((passed + 1)) ;;
	"not ok "*)
		echo "$line"
		failed=$((failed + 1))
		failures+=("unit: ${line#not ok }")
		;;
	esac
done <<<"$unit_out"
[ $unit_rc -eq 0 ] || grep -q '^not ok' <<<"$unit_out" ||
	result 1 "unit tests (did not run)"

# libFuzzer over the control parser and server, briefly (FUZZ_TIME s each).
step fuzz make -s fuzz FUZZ_TIME="${TWAMP_FUZZ_TIME:-20}"

step lint make -s lint

# A few seconds of the benchmark in the guest: every figure must come out
# (tools/bench/analyze.py fails otherwise). The full run is make bench.
step bench-smoke make -s bench-smoke

# The selftests, in the guest. tools/vm/run fails with 125 on a kernel
# report (WARN, BUG, KASAN, lockdep, ...) even if every test passed.
echo "# selftests in the guest (tools/vm/run)"
vm_out=$(tools/vm/run --timeout "${TWAMP_CHECK_TIMEOUT:-3000}" -- \
	env TWAMP_SELFTEST_NO_SKIP=1 selftests/run_kselftest.sh 2>&1)
vm_rc=$?
printf '%s\n' "$vm_out" | tee -a "$log" |
	grep -E '^(not )?ok |^# (# )?not ok |^# (# )?FAIL|^twamp-vm:|^selftests:'
count_selftests "$vm_out"
# The guest's own verdict: 125 kernel report, 124 timeout.
case $vm_rc in
0 | 1) result 0 "guest kernel log clean, guest finished" ;;
*) result 1 "guest kernel log clean, guest finished (tools/vm/run status $vm_rc)" ;;
esac

finish
