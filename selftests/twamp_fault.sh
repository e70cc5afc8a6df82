#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Faults around twamp.ko's objects: the module unloaded, a namespace
# deleted, the owning netlink socket closed or its process killed, sessions
# and reflectors created and deleted by concurrent processes under traffic,
# allocations failing, and twampd killed with SIGKILL mid-test. Each test
# ends with the objects and counters checked; a kernel report (WARN, BUG,
# oops, KASAN...) fails the run in tools/vm/run, and the last test checks
# the taint flags.
#
#   S (senders)  s0 10.0.0.1  --veth--  r0 10.0.0.2  R (reflectors)
#
# The netlink work is done by twamp_fault.py (python3 stdlib): twamp-ctl
# under ASan takes about a second per call in the emulated guest.

# Test functions run through twamp_run_test.
# shellcheck disable=SC2317
source "$(dirname "$(readlink -f "$0")")/lib.sh"

twamp_require_root
twamp_require_cmd ip ss python3 modprobe rmmod
twamp_mod_require
modprobe -q veth 2>/dev/null

PY=$TWAMP_ST_DIR/twamp_fault.py
TWAMPD=${TWAMPD:-$TWAMP_ST_DIR/../build/twampd}
NS_S=
NS_R=
twamp_tmpdir TMP fault || twamp_exit_fail "mktemp failed"

sns() { ip netns exec "$NS_S" "$@"; }
rns() { ip netns exec "$NS_R" "$@"; }
spy() { ip netns exec "$NS_S" python3 "$PY" "$@"; }
rpy() { ip netns exec "$NS_R" python3 "$PY" "$@"; }

setup()
{
	twamp_netns_add NS_S s && twamp_netns_add NS_R r &&
	twamp_veth_add "$NS_S" s0 "$NS_R" r0 &&
	twamp_link_up "$NS_S" s0 10.0.0.1/24 2001:db8::1/64 &&
	twamp_link_up "$NS_R" r0 10.0.0.2/24 2001:db8::2/64
}

# The module must be loaded for the next test: after a test unloaded it,
# load it again (and unload it at exit, as twamp_mod_get does).
mod_back()
{
	twamp_mod_loaded && return 0
	TWAMP_MOD_LOADED_HERE=0
	twamp_mod_get
}

# UDP sockets in namespace NS on ports FIRST..LAST.
udp_sockets()
{
	ip netns exec "$1" ss -Huan | awk -v lo="$2" -v hi="$3" '
		{ n = split($4, a, ":"); if (a[n] >= lo && a[n] <= hi) c++ }
		END { print c + 0 }'
}

# wait_for WHAT EXPECTED SECONDS COMMAND...: until COMMAND prints EXPECTED.
wait_for()
{
	local what=$1 want=$2 secs=$3 end=$((SECONDS + $3)) out

	shift 3
	while :; do
		out=$("$@" 2>&1)
		[ "$out" = "$want" ] && return 0
		[ "$SECONDS" -lt "$end" ] || break
		sleep 0.1
	done
	twamp_log "FAIL: $what: '$out' after ${secs}s, want '$want'"
	return 1
}

# Print "gone" once namespace NS has no device DEV.
link_gone()
{
	ip -n "$1" link show dev "$2" >/dev/null 2>&1 || echo gone
}

# Objects of namespace NS must be exactly "REFLECTORS SESSIONS SENDERS".
objects_are()
{
	twamp_expect "objects of $1" "$2" ip netns exec "$1" python3 "$PY" count
}

# Reflector RID in R has rx > 0 and rx = tx + drops. Senders may still be
# sending: a read can fall between a packet's rx and its tx, so the sums
# must meet in one of 10 reads 0.1 s apart.
counters_add_up()
{
	local rx tx drops i

	for ((i = 0; i < 10; i++)); do
		read -r rx tx drops < <(rpy counters "$1") || return 1
		[ -n "$rx" ] && [ "$rx" -gt 0 ] && [ "$rx" -eq $((tx + drops)) ] &&
			break
		sleep 0.1
	done
	twamp_log "reflector $1: rx $rx tx $tx drops $drops"
	if [ -z "$rx" ] || [ "$rx" -eq 0 ] || [ "$rx" -ne $((tx + drops)) ]; then
		twamp_log "FAIL: reflector $1 counters: rx $rx tx $tx drops $drops"
		return 1
	fi
}

# --- module unload -----------------------------------------------------------

# The module unloads whatever it holds (module_exit flushes every
# namespace): reflectors with sessions (stateful STAMP too) in R, senders
# running in S and in R, traffic flowing. Then nothing is left: no module,
# no socket, and a reloaded module starts empty.
test_rmmod_live()
{
	local ids r1 r2

	clean_slate || return 1
	ids=$(rpy populate 10.0.0.2 21000 16) || return 1
	read -r r1 r2 <<<"$ids"
	spy senders 10.0.0.2 21000 3 >/dev/null &&
	spy senders 10.0.0.2 21001 3 stamp >/dev/null &&
	rpy senders 10.0.0.2 21000 1 >/dev/null || return 1
	sleep 1
	# the stateful reflector adds a session per STAMP sender
	objects_are "$NS_R" "2 35 1" && objects_are "$NS_S" "0 0 6" &&
	twamp_expect "senders running in S" 6 spy running &&
	counters_add_up "$r1" && counters_add_up "$r2" || return 1
	twamp_check "rmmod twamp under traffic" rmmod twamp || return 1
	twamp_check_fails "module gone" test -e /sys/module/twamp &&
	twamp_expect "no reflector socket left" 0 udp_sockets "$NS_R" 21000 21001 &&
	twamp_expect "no sender socket left in S" 0 udp_sockets "$NS_S" 1 65535 &&
	twamp_check "load the module again" mod_back &&
	objects_are "$NS_R" "0 0 0" && objects_are "$NS_S" "0 0 0"
}

# --- namespace deletion -------------------------------------------------------

# A namespace with reflectors, sessions and senders running (to itself
# and to R) goes: its objects with it, R's untouched and still serving, and
# the module then unloads.
test_netns_del()
{
	local ns ids r1 r2 keep

	clean_slate || return 1
	twamp_netns_add ns x || return 1
	ip link add x0 netns "$ns" type veth peer name r1 netns "$NS_R" &&
	ip -n "$ns" addr add 10.0.1.1/24 dev x0 &&
	ip -n "$NS_R" addr add 10.0.1.2/24 dev r1 &&
	ip -n "$ns" link set x0 up && ip -n "$NS_R" link set r1 up || return 1
	keep=$(rpy populate any 22000 4) || return 1
	read -r r1 r2 <<<"$keep"
	ids=$(ip netns exec "$ns" python3 "$PY" populate 127.0.0.1 22100 16) &&
	ip netns exec "$ns" python3 "$PY" senders 127.0.0.1 22100 2 >/dev/null &&
	ip netns exec "$ns" python3 "$PY" senders 127.0.0.1 22101 2 stamp >/dev/null &&
	ip netns exec "$ns" python3 "$PY" senders 10.0.1.2 22000 2 >/dev/null ||
		return 1
	sleep 1
	objects_are "$ns" "2 34 6" || return 1
	twamp_netns_del "$ns"
	# cleanup_net runs from a workqueue
	wait_for "R's veth peer gone with the namespace" gone 20 \
		link_gone "$NS_R" r1 || return 1
	objects_are "$NS_R" "2 8 0" || return 1
	spy senders 10.0.0.2 22000 1 >/dev/null || return 1
	sleep 0.5
	counters_add_up "$r1" || return 1
	twamp_check "rmmod after the namespace went" rmmod twamp &&
	twamp_check_fails "module gone" test -e /sys/module/twamp &&
	twamp_check "load the module again" mod_back &&
	objects_are "$NS_R" "0 0 0" && objects_are "$NS_S" "0 0 0"
}

# --- the owning socket --------------------------------------------------------

# BIND objects go with the socket that made them (a BIND reflector with
# every session on it); the others stay and keep working.
test_bind_close()
{
	clean_slate || return 1
	twamp_check "BIND objects vanish on close" rpy bind 23000 &&
	objects_are "$NS_R" "0 0 0"
}

# The same when the owner is killed with SIGKILL.
test_bind_kill()
{
	local pid

	clean_slate || return 1
	ip netns exec "$NS_R" python3 "$PY" hold 23100 >"$TMP/hold" 2>&1 &
	pid=$!
	BG_PIDS+=("$pid")
	wait_for "the holder is ready" ready 20 cat "$TMP/hold" || return 1
	objects_are "$NS_R" "1 1 1" || return 1
	kill -9 "$pid"
	wait "$pid" 2>/dev/null
	BG_PIDS=()
	wait_for "BIND objects of a killed process" "0 0 0" 5 rpy count &&
	twamp_expect "no socket left" 0 udp_sockets "$NS_R" 23100 23100
}

# --- concurrency --------------------------------------------------------------

# Two processes create, get and delete sessions on one reflector as fast
# as they can while senders flood it and a third process re-creates another
# reflector under a fourth that adds sessions to it.
test_churn()
{
	local ids r1 r2 p1 p2 p3 rc=0 n1 n2

	clean_slate || return 1
	ids=$(rpy populate 10.0.0.2 24000 4) || return 1
	read -r r1 r2 <<<"$ids"
	spy senders 10.0.0.2 24000 2 >/dev/null &&
	spy senders 10.0.0.2 24001 2 stamp >/dev/null || return 1
	rpy churn 6 "$r1" 3000 >"$TMP/c1" 2>&1 &
	p1=$!
	rpy churn 6 "$r1" 4000 >"$TMP/c2" 2>&1 &
	p2=$!
	rpy reflchurn 6 24100 >"$TMP/c3" 2>&1 &
	p3=$!
	wait "$p1" || rc=1
	wait "$p2" || rc=1
	wait "$p3" || rc=1
	sed 's/^/# /' "$TMP/c1" "$TMP/c2" | grep -v '^# [0-9]*$'
	grep '^#' "$TMP/c3"
	n1=$(tail -n 1 "$TMP/c1")
	n2=$(tail -n 1 "$TMP/c2")
	twamp_log "netlink operations: $n1 and $n2"
	[ "$rc" -eq 0 ] || { twamp_log "FAIL: a churning process failed"; return 1; }
	# 2 sessions of the stateful reflector are its STAMP senders'
	objects_are "$NS_R" "2 10 0" && objects_are "$NS_S" "0 0 4" &&
	counters_add_up "$r1" && counters_add_up "$r2" &&
	twamp_check "delete S's senders" spy_flush &&
	twamp_check "delete R's reflectors" rpy_flush
}

spy_flush() { flush_py "$NS_S"; }
rpy_flush() { flush_py "$NS_R"; }

# Delete everything in namespace NS through netlink.
flush_py()
{
	ip netns exec "$1" python3 -c '
import sys
sys.path.insert(0, sys.argv[1])
import twamp_nl as nl
g = nl.Genl()
for k in ("SENDER", "SESSION", "REFLECTOR"):
    for i in g.ids(k):
        g.by_id(nl.C["TWAMP_CMD_%s_DEL" % k], nl.C["TWAMP_A_" + k],
                nl.C["TWAMP_A_%s_ID" % k], i)
' "$TWAMP_ST_DIR"
}

# --- memory pressure ----------------------------------------------------------

# Creation with allocations failing. With CONFIG_FAILSLAB (debug kernels)
# the test fails the 1st, 2nd, ... slab allocation of creating a session,
# a reflector, a sender and (keyed) an encrypted session and sender in
# turn (/proc/thread-self/fail-nth), until each completes with none failed: every attempt must succeed and be
# listed, or fail with an out-of-memory errno and leave nothing, and
# kmemleak's scan at the end finds any error path that leaks. Without it
# (Debian's 6.1 has no CONFIG_FAULT_INJECTION) a memory cgroup cannot make
# them fail either: twamp.ko allocates with GFP_KERNEL, not __GFP_ACCOUNT,
# so nothing it allocates is charged to the cgroup; the test then creates
# sessions from a process at its memory.max under reclaim, which must all
# work.
test_memory()
{
	local ids r1 fs=/sys/kernel/debug/failslab cg out rc

	clean_slate || return 1
	ids=$(rpy populate 10.0.0.2 25000 0) || return 1
	read -r r1 _ <<<"$ids"
	[ -d /sys/kernel/debug/failslab ] ||
		mount -t debugfs none /sys/kernel/debug 2>/dev/null
	if [ -d "$fs" ]; then
		# only the armed allocation fails, GFP_KERNEL ones too, with
		# no stack dump (a report for tools/vm/run)
		echo 0 >"$fs/probability" && echo 0 >"$fs/verbose" &&
		echo N >"$fs/ignore-gfp-wait" || return 1
		out=$(rpy failnth "$r1")
		rc=$?
		echo Y >"$fs/ignore-gfp-wait"
		twamp_log "failslab: $out"
	else
		twamp_log "no failslab (CONFIG_FAILSLAB is not set in $(uname -r)), and twamp.ko's GFP_KERNEL allocations are not memcg-charged: creating sessions at a memory cgroup's limit instead"
		# ip netns exec mounts a sysfs of its own: the cgroup2
		# hierarchy is mounted where the namespace sees it too
		mkdir -p "$TMP/cgroup" &&
		mount -t cgroup2 none "$TMP/cgroup" || return 1
		echo +memory >"$TMP/cgroup/cgroup.subtree_control" 2>/dev/null
		cg=$TMP/cgroup/twamp-fault-$$
		mkdir "$cg" || { umount "$TMP/cgroup"; return 1; }
		# python itself needs ~10 MB
		out=$(ip netns exec "$NS_R" sh -c '
			echo $$ >"$1/cgroup.procs" &&
			echo $((32 * 1024 * 1024)) >"$1/memory.max" &&
			echo $((16 * 1024 * 1024)) >"$1/memory.high" &&
			exec python3 "$2" memory "$3" 300' sh "$cg" "$PY" "$r1")
		rc=$?
		twamp_log "memcg: $out; memory.events: $(tr '\n' ' ' <"$cg/memory.events")"
		rmdir "$cg"
		umount "$TMP/cgroup"
	fi
	[ "$rc" -eq 0 ] || return 1
	objects_are "$NS_R" "2 0 0" && rpy_flush
}

# --- twampd killed ----------------------------------------------------------

# twampd, serving a Control-Client (twamp-ctl test) with the kernel
# backend, is killed with SIGKILL mid-test: the kernel reflector and
# session it made (BIND) vanish, and the client gives up in bounded time.
test_twampd_kill()
{
	local d c n end rc

	clean_slate || return 1
	twamp_twampd_bg "$NS_R" 10.0.0.2:8620 "$TMP/twampd" || return
	d=$TWAMPD_PID
	ip netns exec "$NS_S" "$TWAMP_CTL" test -p 8620 -c 100000 -i 10ms \
		-W 1s 10.0.0.2 >"$TMP/ctl" 2>&1 &
	c=$!
	BG_PIDS+=("$c")
	end=$((SECONDS + 30))
	while [ "$SECONDS" -lt "$end" ]; do
		read -r _ n _ < <(rpy count)
		[ "${n:-0}" -ge 1 ] && break
		sleep 0.2
	done
	if [ "${n:-0}" -lt 1 ]; then
		twamp_log "FAIL: twampd made no kernel session"
		sed 's/^/# twampd: /' "$TMP/twampd"
		sed 's/^/# twamp-ctl: /' "$TMP/ctl"
		return 1
	fi
	twamp_log "twampd's objects: $(rpy count)"
	sleep 1
	kill -9 "$d"
	wait "$d" 2>/dev/null
	wait_for "twampd's kernel objects after SIGKILL" "0 0 0" 5 rpy count ||
		return 1
	# the client should see the control connection close
	end=$((SECONDS + 15))
	while [ "$SECONDS" -lt "$end" ]; do
		kill -0 "$c" 2>/dev/null || break
		sleep 0.2
	done
	if kill -0 "$c" 2>/dev/null; then
		twamp_log "FAIL: twamp-ctl test still runs 15 s after twampd died:"
		sed 's/^/#   /' "$TMP/ctl" | tail -n 3
		kill "$c"
		wait "$c" 2>/dev/null
		BG_PIDS=()
		return 1
	fi
	wait "$c"
	rc=$?
	BG_PIDS=()
	twamp_log "twamp-ctl test exited with $rc once twampd died"
	twamp_check "twamp-ctl test fails when its server goes away" \
		test "$rc" -ne 0 || return 1
	twamp_check "and says why" grep -q "closed the control connection" \
		"$TMP/ctl" || return 1
	objects_are "$NS_S" "0 0 0"
}

# Each test starts from nothing, whatever the one before left: module
# loaded, no object in S or R.
clean_slate()
{
	twamp_bg_kill
	mod_back && flush_py "$NS_S" && flush_py "$NS_R"
}

setup || twamp_exit_fail "cannot set up the namespaces"

twamp_ktap_plan 8
twamp_run_test "rmmod with reflectors, sessions and senders under traffic" \
	test_rmmod_live
twamp_run_test "namespace deleted with live objects, then rmmod" \
	test_netns_del
twamp_run_test "BIND objects vanish when their socket closes" test_bind_close
twamp_run_test "BIND objects vanish when their process is killed" \
	test_bind_kill
twamp_run_test "concurrent session and reflector churn under traffic" \
	test_churn
twamp_run_test "creation of sessions, reflectors and senders with allocations failing" \
	test_memory
twamp_run_test "twampd killed with SIGKILL mid-test" test_twampd_kill
twamp_run_test "no kernel taint beyond O/E" twamp_no_new_taint
twamp_ktap_finish
