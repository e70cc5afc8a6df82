# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# Counting for tools/check.sh and tools/check-debug.sh: every step is one
# test, the selftests' own summary adds theirs, and finish prints the
# failures and the last line "N passed, N failed". Sourced; the caller sets
# log (the full log's path) first.

passed=0
failed=0
failures=()

# result STATUS NAME: one counted test.
result() {
	if [ "$1" -eq 0 ]; then
		passed=$((passed + 1))
		echo "ok - $2"
	else
		failed=$((failed + 1))
		failures+=("$2")
		echo "not ok - $2"
	fi
}

# step NAME CMD...: one counted test; the output goes to the log and, on
# failure, its tail to the terminal.
step() {
	local name=$1 out rc
	shift
	echo "# $name: $*"
	out=$("$@" 2>&1)
	rc=$?
	# shellcheck disable=SC2154 # set by the caller
	printf '%s\n' "$out" >>"$log"
	[ $rc -eq 0 ] || printf '%s\n' "$out" | tail -n 40
	result $rc "$name"
	return $rc
}

# count_selftests OUTPUT: add run_kselftest.sh's "selftests: N passed, N
# failed" line; a run cut short (timeout, panic) counts the suites that
# finished and fails "selftests ran to completion".
count_selftests() {
	local summary p f
	summary=$(grep -E '^selftests: [0-9]+ passed' <<<"$1" | tail -n 1)
	if [ -n "$summary" ]; then
		read -r _ p _ f _ <<<"$summary"
	else
		p=$(grep -cE '^ok [0-9]+ selftests: ' <<<"$1")
		f=$(grep -cE '^not ok [0-9]+ selftests: ' <<<"$1")
	fi
	passed=$((passed + p))
	failed=$((failed + f))
	[ "$f" -eq 0 ] || failures+=("selftests: $f failed")
	[ -n "$summary" ] || result 1 "selftests ran to completion"
}

# finish: the failures, the summary line, and exit status 0 only if
# nothing failed.
finish() {
	echo "# full log: $log"
	if [ $failed -ne 0 ]; then
		printf '# failed: %s\n' "${failures[@]}"
	fi
	echo "$passed passed, $failed failed"
	[ $failed -eq 0 ]
	exit
}
