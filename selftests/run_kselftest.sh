#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Run the twamp selftests with the kernel's kselftest runner
# (kselftest/runner.sh): KTAP on standard output, each test under the
# timeout in ./settings. Writes nothing into the tree, so it runs from a
# read-only one (the QEMU guest) once `make -C selftests` has built it.
#
# Usage: run_kselftest.sh [TEST...]      default: every test, in order
#
# Environment:
#   KSFT_DIR               a kernel's tools/testing/selftests
#                          (default ../build/ksrc/tools/testing/selftests)
#   TWAMP_SELFTEST_OUTPUT  where the programs were built (make OUTPUT=);
#                          default: here
#   TWAMP_SELFTEST_NO_SKIP 1: a skipped test is a failure
#   TWAMP_SELFTEST_TIMEOUT each test's time limit in seconds, instead of
#                          the one in ./settings
#   summary                non-empty: test output to /tmp/<test>, not here
#
# Exit status: 0 if no test failed, 1 otherwise. The last line is
# "selftests: N passed, N failed, N skipped".

here=$(dirname "$(readlink -f "$0")")
: "${KSFT_DIR:=$here/../build/ksrc/tools/testing/selftests}"
: "${TWAMP_SELFTEST_OUTPUT:=$here}"
export TWAMP_SELFTEST_OUTPUT

# Same order as TEST_PROGS in the Makefile.
tests=("$@")
[ ${#tests[@]} -gt 0 ] || tests=(twamp_module.sh twamp_genl.sh twamp_reflector.sh
	twamp_session.sh twamp_ping.sh twamp_crypto.sh twamp_twampd.sh
	twamp_ureflect.sh twamp_test.sh
	twamp_nlneg.sh twamp_fault.sh twamp_pktfuzz.sh)

if [ ! -r "$KSFT_DIR/kselftest/runner.sh" ]; then
	echo "run_kselftest.sh: no kselftest/runner.sh in KSFT_DIR=$KSFT_DIR" >&2
	exit 1
fi

# runner.sh wants BASE_DIR (for kselftest/prefix.pl) and looks for
# $BASE_DIR/<collection>/settings, which is not where ours is: read it here.
BASE_DIR=$(readlink -f "$KSFT_DIR")
export BASE_DIR
# shellcheck source=/dev/null
. "$BASE_DIR/kselftest/runner.sh"
if [ -r "$here/settings" ]; then
	t=$(sed -n 's/^timeout=//p' "$here/settings")
	# shellcheck disable=SC2034 # read by runner.sh's run_one
	[ -n "$t" ] && kselftest_default_timeout=$t
fi
# A slower kernel (make check-debug's) gets more time, not fewer tests.
if [ -n "${TWAMP_SELFTEST_TIMEOUT:-}" ]; then
	# shellcheck disable=SC2034 # read by runner.sh's run_one
	kselftest_default_timeout=$TWAMP_SELFTEST_TIMEOUT
fi
# runner.sh logs to /dev/stdout, which a bare devtmpfs (the guest's) lacks:
# there the redirection would create a regular file and swallow the output.
logfile=/proc/self/fd/1
[ -n "${summary:-}" ] && per_test_logging=1

result=$(mktemp "${TMPDIR:-/tmp}/twamp-selftest.XXXXXX") || exit 1
trap 'rm -f "$result"' EXIT

echo "TAP version 13"
echo "1..${#tests[@]}"
pass=0 fail=0 skip=0 test_num=0
for t in "${tests[@]}"; do
	test_num=$((test_num + 1))
	case $t in
	/*) path=$t ;;
	*) path=$here/$t ;;
	esac
	if [ -n "${per_test_logging:-}" ]; then
		logfile=/tmp/$(basename "$path")
		: >"$logfile"
	fi
	# run_one prints the test's output and then its "ok"/"not ok" line.
	run_one twamp "$path" "$test_num" | tee "$result"
	last=$(grep -E '^(not )?ok ' "$result" | tail -n 1)
	case $last in
	"not ok "*) fail=$((fail + 1)) ;;
	*"# SKIP"*)
		if [ "${TWAMP_SELFTEST_NO_SKIP:-0}" != 0 ]; then
			echo "# $t skipped, counted as failed (TWAMP_SELFTEST_NO_SKIP)"
			fail=$((fail + 1))
		else
			skip=$((skip + 1))
		fi
		;;
	"ok "*) pass=$((pass + 1)) ;;
	*) fail=$((fail + 1)) ;;
	esac
done

echo "# Totals: pass:$pass fail:$fail skip:$skip"
echo "selftests: $pass passed, $fail failed, $skip skipped"
[ $fail -eq 0 ]
