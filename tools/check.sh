#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make check: build everything, run the host unit tests and the linters,
# then the selftests in a QEMU guest on each of Debian's kernels. Every
# step is counted; the last line is "N passed, N failed" and the exit
# status is non-zero if anything failed, including a kernel report in the
# guest.
#
# Environment: KERNELS (kernels to test, tools/kernel.sh names; default
# "6.1 6.12 6.12-rt"; NAME=SUITE,SUITE runs only those suites on NAME,
# NAME-=SUITE,SUITE all but those),
# SUITES (default: every suite selftests/Makefile
# lists), TWAMP_CHECK_GUEST_ONLY=1 (skip the host's tests: unit, fuzz,
# lint, bench-smoke, the harness check), TWAMP_CHECK_TIMEOUT (each
# guest's limit, 3000 s),
# TWAMP_CHECK_JOBS (guests at a time, 1), TWAMP_CHECK_ALSO (a command to
# run in the same queue after the kernels, counted: CI's make check-debug).
set -uo pipefail

cd "$(dirname "$0")/.." || exit 1
mkdir -p build
log=build/check.log
: >"$log"
# shellcheck source=tools/lib/check.sh
source tools/lib/check.sh

step build make -s all || finish

# The packaging check builds the programs and the module again (about a
# minute of one CPU), so it runs beside the other steps and the first
# guest, and reports at the end: the Debian packages build, hold what they
# must, their programs carry Debian's hardening (the build passes on the
# distribution's CPPFLAGS, CFLAGS and LDFLAGS: fortified), lintian is clean,
# and dkms builds the module from twamp-dkms.
if [ "${TWAMP_CHECK_GUEST_ONLY:-0}" != 1 ]; then
	step_bg deb "Debian packages (tools/check-deb.sh)" tools/check-deb.sh
fi
if [ "${TWAMP_CHECK_GUEST_ONLY:-0}" = 1 ]; then
	echo "# TWAMP_CHECK_GUEST_ONLY=1: no unit tests, fuzz, lint, regen-check, bench-smoke, harness check"
else

# Host unit tests: KTAP, each line counted.
echo "# unit tests"
# build/unit-control: the TWAMP-Control engine (common/control).
# build/unit-metrics and unit_metrics.py: twampd's metrics exposition,
# the latter with Debian's Python, which has python3-prometheus-client.
unit_out=$(make -s build/unit build/unit-control build/unit-metrics 2>&1 &&
	{ build/unit; a=$?; build/unit-control; a=$((a | $?))
	  build/unit-metrics; a=$((a | $?))
	  /usr/bin/python3 tools/tests/unit_metrics.py build/unit-metrics
	  exit $((a | $?)); })
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

# The committed uapi header and kernel policies are what the netlink spec
# generates, and the header keeps every constant (make regen-check).
step "generated netlink code up to date" make -s regen-check

# The installed systemd unit's hardening: systemd-analyze security rates
# it at most 2.0 (offline; no systemd needs to run).
step "systemd unit hardening (tools/check-unit.sh)" tools/check-unit.sh

# Every source file's SPDX tag names a license whose text LICENSES/ holds.
step "SPDX tags (tools/check-spdx.sh)" tools/check-spdx.sh

# twamp.ko for a 32-bit target (i386), against a prepared linux-source-6.1
# tree (cached): no 64-bit-only arithmetic.
step "i386 compile test" tools/build-i386.sh

# A few seconds of the benchmark in the guest: every figure must come out
# (tools/bench/analyze.py fails otherwise). The full run is make bench.
step bench-smoke make -s bench-smoke

# The QEMU harness itself: exit statuses, output, crash, report and
# boot-failure handling (about a minute).
step "QEMU harness (tools/vm/selftest --quick)" tools/vm/selftest --quick
fi

# The selftests in the guest, on each kernel of KERNELS (default: the CI
# kernels of tools/kernel.sh, Debian 12's 6.1, 6.12 and 6.12 PREEMPT_RT),
# with twamp.ko built for each from a copy of its sources in
# build/kernels/RELEASE/. Every suite selftests/Makefile lists runs on
# every kernel (SUITES= to run fewer). tools/vm/run fails with 125 on a
# kernel report (WARN, BUG, KASAN, lockdep, stall, ...) even if every test
# passed. See docs/testing.md, "Kernels".
read -r -a kernels <<<"${KERNELS:-$(tools/kernel.sh ci)}"
read -r -a suites <<<"${SUITES:-$(selftest_suites)}"
top=$(pwd -P)
# Guests run TWAMP_CHECK_JOBS (1) at a time; their outputs are read once
# all are done. Two 2-CPU guests side by side on 2 host CPUs were slower
# in all than one after the other (each suite 2.4 to 3.4 times slower,
# load average 5-6): with more vCPU threads than host CPUs, a guest spins
# on locks whose holder's vCPU the host has descheduled. More jobs pay on
# a host with more CPUs.
jobs=${TWAMP_CHECK_JOBS:-1}
names=() rels=() outs=()
for k in "${kernels[@]}"; do
	# NAME=SUITE,SUITE: only those suites on that kernel; NAME-=SUITE,...:
	# all but those
	ksuites=("${suites[@]}")
	if [[ $k == *-=* ]]; then
		IFS=, read -r -a skip <<<"${k#*-=}"
		k=${k%%-=*}
		ksuites=()
		for t in "${suites[@]}"; do
			[[ " ${skip[*]} " == *" $t "* ]] || ksuites+=("$t")
		done
	elif [[ $k == *=* ]]; then
		IFS=, read -r -a ksuites <<<"${k#*=}"
		k=${k%%=*}
	fi
	if ! rel=$(tools/kernel.sh resolve "$k" 2>&1); then
		echo "$rel"
		result 1 "kernel $k installed"
		continue
	fi
	echo "# kernel $k: $rel"
	src=build/kernels/$rel/src
	step "twamp.ko built warning-free for $rel" \
		build_module_copy "/lib/modules/$rel/build" "$src" || continue
	ko=$top/$src/kmod/twamp.ko
	out=build/kernels/$rel/guest.out
	while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do
		wait -n
	done
	echo "# selftests in the guest on $rel (tools/vm/run): ${ksuites[*]}"
	(
		start=$SECONDS
		tools/vm/run --timeout "${TWAMP_CHECK_TIMEOUT:-3000}" \
			--kernel "$rel" --module "$ko" -- \
			env TWAMP_SELFTEST_NO_SKIP=1 TWAMP_KO="$ko" \
			selftests/run_kselftest.sh "${ksuites[@]}" 2>&1 |
			timestamp_lines >"$out"
		echo "${PIPESTATUS[0]} $((SECONDS - start))" >"$out.rc"
	) &
	names+=("$k") rels+=("$rel") outs+=("$out")
done
# TWAMP_CHECK_ALSO: one more command in the queue, e.g. make check-debug,
# whose output follows the kernels' and whose "N passed, N failed" adds to
# the count, so that CI ends with one summary line.
also=build/check-also.out
if [ -n "${TWAMP_CHECK_ALSO:-}" ]; then
	while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do
		wait -n
	done
	echo "# side by side: $TWAMP_CHECK_ALSO"
	(
		bash -c "$TWAMP_CHECK_ALSO" >"$also" 2>&1
		echo $? >"$also.rc"
	) &
fi
wait

for i in "${!names[@]}"; do
	k=${names[$i]} rel=${rels[$i]} out=${outs[$i]}
	vm_out=$(cat "$out")
	read -r vm_rc took <"$out.rc" || { vm_rc=125 took='?'; }
	printf '%s\n' "$vm_out" | tee -a "$log" | strip_timestamps |
		grep -E '^(not )?ok |^# (# )?not ok |^# (# )?FAIL|^twamp-vm:|^selftests:' |
		sed "s/^/[$k] /"
	suite_times "$vm_out" "$rel"
	echo "# guest run on $rel: $took s"
	count_selftests "$(strip_timestamps <<<"$vm_out")" "$k"
	# The guest's own verdict: 125 kernel report, 124 timeout.
	case $vm_rc in
	0 | 1) result 0 "$k: guest kernel log clean, guest finished" ;;
	*) result 1 "$k: guest kernel log clean, guest finished (tools/vm/run status $vm_rc)" ;;
	esac
done

if [ -n "${TWAMP_CHECK_ALSO:-}" ]; then
	echo "# $TWAMP_CHECK_ALSO:"
	tee -a "$log" <"$also"
	read -r also_rc <"$also.rc" || also_rc=1
	summary=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$also" | tail -n 1)
	f=0
	if [ -n "$summary" ]; then
		read -r p _ f _ <<<"$summary"
		passed=$((passed + p))
		failed=$((failed + f))
		[ "$f" -eq 0 ] || failures+=("$TWAMP_CHECK_ALSO: $f failed")
	fi
	# no summary, or a failure it did not count
	if [ -z "$summary" ] || { [ "$also_rc" -ne 0 ] && [ "$f" -eq 0 ]; }; then
		result 1 "$TWAMP_CHECK_ALSO finished (status $also_rc)"
	fi
fi

[ "${TWAMP_CHECK_GUEST_ONLY:-0}" = 1 ] || step_wait deb
finish
