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
	local name=$1 out rc start=$SECONDS
	shift
	echo "# $name: $*"
	out=$("$@" 2>&1)
	rc=$?
	# shellcheck disable=SC2154 # set by the caller
	printf '%s\n' "$out" >>"$log"
	[ $rc -eq 0 ] || printf '%s\n' "$out" | tail -n 40
	# what each host step costs, for the CI budget (docs/testing.md)
	echo "# time: $((SECONDS - start)) s"
	result $rc "$name"
	return $rc
}

# step_bg ID NAME CMD...: start a step in the background, not as a job of
# this shell (tools/check.sh counts its guests with jobs); step_wait ID
# waits for it and reports it as step does.
step_bg() {
	local f=build/step-bg.$1 name=$2
	shift 2
	rm -f "$f".*
	printf '%s\n%s\n' "$name" "$*" >"$f.name"
	(
		start=$SECONDS
		"$@" >"$f.out" 2>&1
		echo "$? $((SECONDS - start))" >"$f.rc"
	) &
	disown $!
}

step_wait() {
	local f=build/step-bg.$1 rc took name cmd
	while [ ! -s "$f.rc" ]; do
		sleep 1
	done
	read -r rc took <"$f.rc"
	{ read -r name; read -r cmd; } <"$f.name"
	echo "# $name: $cmd (beside the other steps)"
	cat "$f.out" >>"$log"
	[ "$rc" -eq 0 ] || tail -n 40 "$f.out"
	echo "# time: $took s"
	result "$rc" "$name"
}

# count_selftests OUTPUT [LABEL]: add run_kselftest.sh's "selftests: N
# passed, N failed" line; each failed suite is named (with LABEL, the
# kernel, in front). A run cut short (timeout, panic) counts the suites
# that finished and fails "selftests ran to completion".
count_selftests() {
	local summary p f label=${2:+$2: } line
	summary=$(grep -E '^selftests: [0-9]+ passed' <<<"$1" | tail -n 1)
	if [ -n "$summary" ]; then
		read -r _ p _ f _ <<<"$summary"
	else
		p=$(grep -cE '^ok [0-9]+ selftests: ' <<<"$1")
		f=$(grep -cE '^not ok [0-9]+ selftests: ' <<<"$1")
	fi
	passed=$((passed + p))
	failed=$((failed + f))
	while read -r line; do
		[ -n "$line" ] || continue
		failures+=("${label}selftests: ${line#*selftests: }")
	done < <(grep -E '^not ok [0-9]+ selftests: ' <<<"$1")
	if [ "$f" -ne 0 ] && ! grep -qE '^not ok [0-9]+ selftests: ' <<<"$1"; then
		failures+=("${label}selftests: $f failed")
	fi
	[ -n "$summary" ] || result 1 "${label}selftests ran to completion"
}

# selftest_suites: the suites selftests/Makefile lists (TEST_PROGS), in
# its order, so that a suite added there runs on every kernel.
selftest_suites() {
	# shellcheck disable=SC2016 # $(TEST_PROGS) is make's
	make -s -C selftests --no-print-directory \
		KSFT_DIR="$(pwd -P)/build/ksrc/tools/testing/selftests" \
		--eval 'twamp-print-progs: ; @echo $(TEST_PROGS)' twamp-print-progs
}

# build_module_copy KDIR DIR: twamp.ko for the kernel tree KDIR, from a
# copy of the sources in DIR (so that builds for several kernels do not
# share objects); fails on any compiler or modpost warning.
build_module_copy() {
	local kdir=$1 dir=$2 out
	rm -rf "$dir" &&
	mkdir -p "$dir/kmod" &&
	cp -p Kbuild VERSION "$dir/" &&
	cp -pr uapi "$dir/" &&
	cp -p kmod/Kbuild kmod/*.[ch] "$dir/kmod/" &&
	rm -f "$dir"/kmod/*.mod.c || return 1
	out=$(nice -n 10 make -C "$kdir" M="$(pwd -P)/$dir" -j"$(nproc)" \
		modules 2>&1) || { printf '%s\n' "$out"; return 1; }
	printf '%s\n' "$out"
	! grep -iE 'warning:|error:' <<<"$out"
}

# timestamp_lines, strip_timestamps: "@SECONDS " (the host's clock) in
# front of each line as it comes, and out again.
timestamp_lines() {
	local line
	while IFS= read -r line; do
		printf '@%(%s)T %s\n' -1 "$line"
	done
}
strip_timestamps() { sed -E 's/^@[0-9]+ //'; }

# suite_times OUTPUT RELEASE: each suite's wall time in the guest (from the
# previous suite's end, the first from the guest's first line), printed
# and added to build/suite-times.log with the load average.
suite_times() {
	local t0 line t name out=
	t0=$(head -n 1 <<<"$1" | sed -nE 's/^@([0-9]+) .*/\1/p')
	[ -n "$t0" ] || return 0
	while read -r line; do
		t=${line%% *}
		t=${t#@}
		# "ok 1 selftests: twamp: twamp_module.sh [# SKIP ...]"
		name=${line##*selftests: }
		name=${name#*: }
		name=${name%% *}
		out+="$name $((t - t0)) s, "
		t0=$t
	done < <(grep -E '^@[0-9]+ (not )?ok [0-9]+ selftests: ' <<<"$1")
	out="suite times on $2: ${out%, } (load average $(cut -d' ' -f1-3 /proc/loadavg))"
	echo "# $out"
	echo "$(date -u '+%F %T') $out" >>build/suite-times.log
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
