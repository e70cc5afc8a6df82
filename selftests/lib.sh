# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# Shared by the twamp selftest scripts (bash): KTAP output, skips that CI
# can turn into failures, loading and unloading twamp.ko, network
# namespaces and veth links, background processes, and a cleanup trap that
# leaves nothing behind.
#
# Conventions:
#  - A test that finds a kernel bug already reported returns $KSFT_XFAIL
#    with TWAMP_XFAIL_REASON naming it: "ok N ... # XFAIL reason", as
#    kselftest.h prints it, not a failure unless TWAMP_SELFTEST_STRICT=1.
#    Once the bug is fixed the same test passes.
#  - No script assumes that twamp.ko is loaded. A script that needs it calls
#    twamp_mod_get, which loads it if needed ($TWAMP_KO, else the installed
#    module); the exit trap unloads it only if twamp_mod_get loaded it.
#  - Namespaces come from twamp_netns_add and temporary directories from
#    twamp_tmpdir; the exit trap deletes them, and kills the background
#    processes listed in BG_PIDS. A script with more to undo defines
#    twamp_cleanup_hook.
#  - Exit status, as kselftest: 0 pass, 1 fail, 4 skip. With
#    TWAMP_SELFTEST_NO_SKIP=1 (for CI) a skip is a failure instead.
#
# Environment:
#  TWAMP_KO               module to load; default ../kmod/twamp.ko from here
#  TWAMP_GENL             netlink client; default twamp_genl in
#                         $TWAMP_SELFTEST_OUTPUT, else next to this file
#  TWAMP_SENDER           test packet sender; default twamp_sender, found
#                         as TWAMP_GENL is
#  TWAMP_CTL              twamp-ctl; default ../build/san/twamp-ctl from
#                         here (ASan/UBSan), else ../build/twamp-ctl
#  TWAMP_SELFTEST_OUTPUT  where the programs were built (make OUTPUT=)
#  TWAMP_SELFTEST_NO_SKIP 1: skips are failures
#  TWAMP_SELFTEST_STRICT  1: known bugs (XFAIL) are failures too
#  TWAMP_SELFTEST_FILTER  extended regex: run only the tests whose
#                         description matches, skip the others
#  TWAMP_SELFTEST_ONCE    extended regex of kernel releases (uname -r):
#                         the kernel-independent tests (twamp_run_test_once:
#                         userspace alone, e.g. CLI output, tshark decoding
#                         the daemon's messages) run only on those; unset,
#                         everywhere. CI runs them once per run.

# The guest harness runs commands with an empty environment.
PATH=${PATH:+$PATH:}/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export PATH

KSFT_PASS=0
KSFT_FAIL=1
KSFT_XFAIL=2
KSFT_SKIP=4

TWAMP_ST_DIR=$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")
: "${TWAMP_KO:=$TWAMP_ST_DIR/../kmod/twamp.ko}"
if [ -z "${TWAMP_GENL:-}" ]; then
	TWAMP_GENL=$TWAMP_ST_DIR/twamp_genl
	if [ -n "${TWAMP_SELFTEST_OUTPUT:-}" ] &&
	   [ -x "$TWAMP_SELFTEST_OUTPUT/twamp_genl" ]; then
		TWAMP_GENL=$TWAMP_SELFTEST_OUTPUT/twamp_genl
	fi
fi

if [ -z "${TWAMP_SENDER:-}" ]; then
	TWAMP_SENDER=$TWAMP_ST_DIR/twamp_sender
	if [ -n "${TWAMP_SELFTEST_OUTPUT:-}" ] &&
	   [ -x "$TWAMP_SELFTEST_OUTPUT/twamp_sender" ]; then
		TWAMP_SENDER=$TWAMP_SELFTEST_OUTPUT/twamp_sender
	fi
fi
if [ -z "${TWAMP_CTL:-}" ]; then
	TWAMP_CTL=$TWAMP_ST_DIR/../build/san/twamp-ctl
	[ -x "$TWAMP_CTL" ] || TWAMP_CTL=$TWAMP_ST_DIR/../build/twamp-ctl
fi

twamp_no_skip()
{
	case ${TWAMP_SELFTEST_NO_SKIP:-0} in
	"" | 0) return 1 ;;
	*) return 0 ;;
	esac
}

twamp_log()
{
	echo "# $*"
}

# Whole-script outcomes, before or instead of a KTAP plan.
twamp_exit_skip()
{
	if twamp_no_skip; then
		echo "Bail out! would skip, failing (TWAMP_SELFTEST_NO_SKIP): $*"
		exit $KSFT_FAIL
	fi
	echo "1..0 # SKIP $*"
	exit $KSFT_SKIP
}

twamp_exit_fail()
{
	echo "Bail out! $*"
	exit $KSFT_FAIL
}

# --- KTAP --------------------------------------------------------------

twamp_ktap_num=0
twamp_ktap_pass=0
twamp_ktap_fail=0
twamp_ktap_skip=0
twamp_ktap_xfail=0

twamp_ktap_plan()
{
	echo "TAP version 13"
	echo "1..$1"
}

# TWAMP_SKIP_REASON: set by a test function before it returns $KSFT_SKIP.
TWAMP_SKIP_REASON=
# TWAMP_XFAIL_REASON: the known bug, before it returns $KSFT_XFAIL.
TWAMP_XFAIL_REASON=

# twamp_run_test_once DESCRIPTION COMMAND...: a test of userspace alone,
# whose result cannot depend on the kernel: as twamp_run_test, but on a
# kernel TWAMP_SELFTEST_ONCE does not match it is skipped as asked for.
twamp_run_test_once()
{
	if [ -n "${TWAMP_SELFTEST_ONCE:-}" ] &&
	   ! uname -r | grep -qE -- "$TWAMP_SELFTEST_ONCE"; then
		twamp_ktap_num=$((twamp_ktap_num + 1))
		twamp_ktap_skip=$((twamp_ktap_skip + 1))
		echo "ok $twamp_ktap_num $1 # SKIP kernel-independent, runs on $TWAMP_SELFTEST_ONCE (TWAMP_SELFTEST_ONCE)"
		return 0
	fi
	twamp_run_test "$@"
}

# twamp_run_test DESCRIPTION COMMAND...: one numbered result per test.
twamp_run_test()
{
	local desc=$1 rc

	shift
	TWAMP_SKIP_REASON=
	TWAMP_XFAIL_REASON=
	twamp_ktap_num=$((twamp_ktap_num + 1))
	if [ -n "${TWAMP_SELFTEST_FILTER:-}" ] &&
	   ! grep -qE -- "$TWAMP_SELFTEST_FILTER" <<<"$desc"; then
		# asked for, so not a skip that NO_SKIP turns into a failure
		twamp_ktap_skip=$((twamp_ktap_skip + 1))
		echo "ok $twamp_ktap_num $desc # SKIP filtered out (TWAMP_SELFTEST_FILTER)"
		return 0
	fi
	twamp_test_start=$SECONDS
	"$@"
	rc=$?
	# what each test costs, for the CI budget (docs/testing.md)
	echo "# time: $((SECONDS - twamp_test_start)) s"
	if [ $rc -eq $KSFT_PASS ]; then
		twamp_ktap_pass=$((twamp_ktap_pass + 1))
		echo "ok $twamp_ktap_num $desc"
	elif [ $rc -eq $KSFT_SKIP ] && ! twamp_no_skip; then
		twamp_ktap_skip=$((twamp_ktap_skip + 1))
		echo "ok $twamp_ktap_num $desc # SKIP ${TWAMP_SKIP_REASON:-}"
	elif [ $rc -eq $KSFT_SKIP ]; then
		twamp_ktap_fail=$((twamp_ktap_fail + 1))
		echo "not ok $twamp_ktap_num $desc # would skip, failing (TWAMP_SELFTEST_NO_SKIP): ${TWAMP_SKIP_REASON:-}"
	elif [ $rc -eq $KSFT_XFAIL ] && [ "${TWAMP_SELFTEST_STRICT:-0}" = 0 ]; then
		twamp_ktap_xfail=$((twamp_ktap_xfail + 1))
		echo "ok $twamp_ktap_num $desc # XFAIL ${TWAMP_XFAIL_REASON:-}"
	elif [ $rc -eq $KSFT_XFAIL ]; then
		twamp_ktap_fail=$((twamp_ktap_fail + 1))
		echo "not ok $twamp_ktap_num $desc # known bug, failing (TWAMP_SELFTEST_STRICT): ${TWAMP_XFAIL_REASON:-}"
	else
		twamp_ktap_fail=$((twamp_ktap_fail + 1))
		echo "not ok $twamp_ktap_num $desc"
	fi
	return 0
}

# Exit with the status the results add up to.
twamp_ktap_finish()
{
	echo "# Totals: pass:$twamp_ktap_pass fail:$twamp_ktap_fail xfail:$twamp_ktap_xfail skip:$twamp_ktap_skip"
	if [ $twamp_ktap_fail -gt 0 ]; then
		exit $KSFT_FAIL
	elif [ $((twamp_ktap_pass + twamp_ktap_xfail)) -eq 0 ] &&
	     [ $twamp_ktap_skip -gt 0 ]; then
		exit $KSFT_SKIP
	fi
	exit $KSFT_PASS
}

# Run a command, logging it and its output; fail (return 1) with MESSAGE.
# twamp_check MESSAGE COMMAND...
twamp_check()
{
	local msg=$1 out rc

	shift
	out=$("$@" 2>&1)
	rc=$?
	if [ $rc -ne 0 ]; then
		twamp_log "FAIL: $msg"
		twamp_log "  \$ $* -> exit $rc"
		[ -n "$out" ] && printf '%s\n' "$out" | sed 's/^/#   /'
		return 1
	fi
	return 0
}

# The opposite: the command must fail.
twamp_check_fails()
{
	local msg=$1 out

	shift
	if out=$("$@" 2>&1); then
		twamp_log "FAIL: $msg"
		twamp_log "  \$ $* -> exit 0"
		[ -n "$out" ] && printf '%s\n' "$out" | sed 's/^/#   /'
		return 1
	fi
	return 0
}

# twamp_expect MESSAGE EXPECTED COMMAND...: the command's output must be
# exactly EXPECTED.
twamp_expect()
{
	local msg=$1 want=$2 out rc

	shift 2
	out=$("$@" 2>&1)
	rc=$?
	if [ $rc -ne 0 ] || [ "$out" != "$want" ]; then
		twamp_log "FAIL: $msg"
		twamp_log "  \$ $* -> exit $rc, output:"
		printf '%s\n' "$out" | sed 's/^/#   /'
		twamp_log "  expected:"
		printf '%s\n' "$want" | sed 's/^/#   /'
		return 1
	fi
	return 0
}

# --- preconditions -------------------------------------------------------

twamp_require_root()
{
	[ "$(id -u)" -eq 0 ] || twamp_exit_skip "must run as root"
}

twamp_require_cmd()
{
	local c

	for c in "$@"; do
		command -v "$c" >/dev/null 2>&1 ||
			twamp_exit_skip "command not found: $c"
	done
}

twamp_require_genl_client()
{
	[ -x "$TWAMP_GENL" ] ||
		twamp_exit_fail "$TWAMP_GENL not built: run make -C selftests first"
}

# --- the module -----------------------------------------------------------

twamp_mod_loaded()
{
	[ -d /sys/module/twamp ]
}

# Why $TWAMP_KO cannot be loaded on this kernel, if it cannot (return 0).
twamp_mod_unloadable_reason()
{
	local vermagic

	if [ ! -e /proc/modules ]; then
		echo "this kernel has no module support"
		return 0
	fi
	if [ "$(cat /proc/sys/kernel/modules_disabled 2>/dev/null)" = 1 ]; then
		echo "module loading is disabled (kernel.modules_disabled=1)"
		return 0
	fi
	if [ ! -f "$TWAMP_KO" ]; then
		echo "$TWAMP_KO not found: build the module first"
		return 0
	fi
	vermagic=$(modinfo -F vermagic "$TWAMP_KO" 2>/dev/null)
	if [ "${vermagic%% *}" != "$(uname -r)" ]; then
		echo "$TWAMP_KO is built for ${vermagic%% *}, the kernel is $(uname -r)"
		return 0
	fi
	return 1
}

# Load $TWAMP_KO, and first the modules it depends on (insmod does not).
twamp_insmod()
{
	local deps d

	deps=$(modinfo -F depends "$TWAMP_KO") || return 1
	for d in ${deps//,/ }; do
		modprobe -q "$d" || { twamp_log "cannot load dependency $d"; return 1; }
	done
	insmod "$TWAMP_KO"
}

TWAMP_MOD_LOADED_HERE=0

# Make sure the module is loaded: $TWAMP_KO if it loads on this kernel, else
# the installed one. Returns 0, or $KSFT_SKIP with TWAMP_SKIP_REASON.
twamp_mod_get()
{
	local why

	twamp_mod_loaded && return 0
	if why=$(twamp_mod_unloadable_reason); then
		if [ -e /proc/modules ] && modprobe -q twamp 2>/dev/null; then
			twamp_log "$why; loaded the installed twamp module"
		else
			TWAMP_SKIP_REASON=$why
			return $KSFT_SKIP
		fi
	else
		twamp_insmod || return $KSFT_FAIL
	fi
	TWAMP_MOD_LOADED_HERE=1
	return 0
}

# twamp_mod_get for a whole script: a skip or failure ends it.
twamp_mod_require()
{
	twamp_mod_get
	case $? in
	0) ;;
	"$KSFT_SKIP") twamp_exit_skip "$TWAMP_SKIP_REASON" ;;
	*) twamp_exit_fail "cannot load twamp.ko" ;;
	esac
}

# Unload the module if twamp_mod_get loaded it.
twamp_mod_put()
{
	if [ "$TWAMP_MOD_LOADED_HERE" = 1 ] && twamp_mod_loaded; then
		rmmod twamp || twamp_log "rmmod twamp failed"
	fi
	TWAMP_MOD_LOADED_HERE=0
}

# --- network namespaces ----------------------------------------------------

TWAMP_NETNS=()

# twamp_netns_add VAR NAME: create namespace twamp-<pid>-NAME, with lo up,
# and store its name in VAR. The exit trap deletes it.
twamp_netns_add()
{
	local _twamp_ns=twamp-$$-$2

	ip netns add "$_twamp_ns" || return 1
	TWAMP_NETNS+=("$_twamp_ns")
	ip -n "$_twamp_ns" link set lo up || return 1
	printf -v "$1" '%s' "$_twamp_ns"
}

twamp_netns_del()
{
	local ns=$1 i

	ip netns del "$ns" 2>/dev/null
	for i in "${!TWAMP_NETNS[@]}"; do
		[ "${TWAMP_NETNS[$i]}" = "$ns" ] && unset "TWAMP_NETNS[$i]"
	done
	return 0
}

# twamp_veth_add NS1 DEV1 NS2 DEV2: a veth pair, DEV1 in NS1 and DEV2 in
# NS2, both down (see twamp_link_up).
twamp_veth_add()
{
	ip link add "$2" netns "$1" type veth peer name "$4" netns "$3"
}

# twamp_link_up NS DEV [ADDR/LEN...]: put the addresses on DEV in NS, the
# IPv6 ones without duplicate address detection so that they work at once,
# then bring DEV up.
twamp_link_up()
{
	local ns=$1 dev=$2 a

	shift 2
	for a in "$@"; do
		if [[ $a == *:* ]]; then
			ip -n "$ns" addr add "$a" dev "$dev" nodad || return 1
		else
			ip -n "$ns" addr add "$a" dev "$dev" || return 1
		fi
	done
	ip -n "$ns" link set "$dev" up
}

# --- background processes ----------------------------------------------------

# The script's background processes: add each with BG_PIDS+=(PID). The
# exit trap kills those still there once twamp_cleanup_hook has run.
BG_PIDS=()

# twamp_bg_kill [SIGNAL]: send SIGNAL (default KILL) to each process in
# BG_PIDS, reap it, and empty the array.
twamp_bg_kill()
{
	local pid

	for pid in "${BG_PIDS[@]}"; do
		kill -"${1:-KILL}" "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	done
	BG_PIDS=()
}

# twamp_twampd_bg NS ADDR:PORT LOG [ARGS...]: run $TWAMPD -f --backend
# kernel -l ADDR:PORT ARGS in namespace NS in the background, its output in
# LOG and its PID in TWAMPD_PID (and BG_PIDS), and wait up to 10 s for it
# to listen. Returns $KSFT_SKIP (TWAMP_SKIP_REASON set) when twampd is not
# built, 1 with its output logged when it does not come up.
twamp_twampd_bg()
{
	local ns=$1 listen=$2 log=$3 i

	shift 3
	if [ ! -x "${TWAMPD:-}" ]; then
		TWAMP_SKIP_REASON="${TWAMPD:-twampd} not built"
		return "$KSFT_SKIP"
	fi
	# not through a function or subshell: $! must be twampd's PID
	ip netns exec "$ns" "$TWAMPD" -f --backend kernel -l "$listen" "$@" \
		>"$log" 2>&1 &
	TWAMPD_PID=$!
	BG_PIDS+=("$TWAMPD_PID")
	for ((i = 0; i < 100; i++)); do
		[ "$(ip netns exec "$ns" ss -Htln "sport = :${listen##*:}" |
		     wc -l)" -ge 1 ] && return 0
		kill -0 "$TWAMPD_PID" 2>/dev/null || break
		sleep 0.1
	done
	twamp_log "FAIL: twampd does not listen on $listen in $ns"
	sed 's/^/# twampd: /' "$log"
	return 1
}

# --- temporary files ---------------------------------------------------------

TWAMP_TMPDIRS=()

# twamp_tmpdir VAR NAME: create directory twamp-NAME.XXXXXX under $TMPDIR
# (default /tmp) and store its name in VAR. The exit trap removes it.
twamp_tmpdir()
{
	local _twamp_dir

	_twamp_dir=$(mktemp -d "${TMPDIR:-/tmp}/twamp-$2.XXXXXX") || return 1
	TWAMP_TMPDIRS+=("$_twamp_dir")
	printf -v "$1" '%s' "$_twamp_dir"
}

# --- kernel taint ------------------------------------------------------------

# The taint flags when the script started.
TWAMP_TAINT_BEFORE=$(cat /proc/sys/kernel/tainted 2>/dev/null || echo 0)

# A test: no taint flag has been set since the script started, except O
# (out-of-tree module) and E (unsigned module), which loading twamp.ko sets.
twamp_no_new_taint()
{
	local now new

	now=$(cat /proc/sys/kernel/tainted)
	new=$(( (now & ~TWAMP_TAINT_BEFORE) & ~(4096 | 8192) ))
	if [ "$new" -ne 0 ]; then
		twamp_log "FAIL: kernel taint went from $TWAMP_TAINT_BEFORE to $now"
		dmesg | tail -n 50 | sed 's/^/#   /'
		return 1
	fi
}

# --- cleanup -----------------------------------------------------------------

twamp_cleanup()
{
	local ns

	if declare -F twamp_cleanup_hook >/dev/null; then
		twamp_cleanup_hook
	fi
	twamp_bg_kill KILL
	for ns in "${TWAMP_NETNS[@]}"; do
		ip netns del "$ns" 2>/dev/null
	done
	TWAMP_NETNS=()
	rm -rf "${TWAMP_TMPDIRS[@]}"
	TWAMP_TMPDIRS=()
	twamp_mod_put
}

trap twamp_cleanup EXIT
