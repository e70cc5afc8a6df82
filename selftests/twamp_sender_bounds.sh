#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Resource bounds of the kernel Session-Sender, written as the attacks
# (issue 12): senders far behind their schedule (every 10 us, several at
# once, one with a start time in the past) must send a bounded burst per
# timer expiry, skip the rest and account for every deadline, with no RCU
# stall or soft lockup; start times beyond the horizon are refused; many
# senders with a long WAIT take small slot tables, charged to the memory
# cgroup of the process that made them; a table sized from DURATION still
# holds every packet in flight, and one that starts small grows in time.
#
#   S (senders)  s0 10.0.0.1  --veth--  r0 10.0.0.2  R (reflector :5000)
#
# The netlink work is done by twamp_sender_bounds.py (python3 stdlib).

# Test functions run through twamp_run_test.
# shellcheck disable=SC2317
source "$(dirname "$(readlink -f "$0")")/lib.sh"

twamp_require_root
twamp_require_cmd ip tc python3 mount
twamp_mod_require
modprobe -q veth 2>/dev/null
modprobe -q sch_netem 2>/dev/null

PY=$TWAMP_ST_DIR/twamp_sender_bounds.py
PORT=5000
NS_S=
NS_R=
twamp_tmpdir TMP sender-bounds || twamp_exit_fail "mktemp failed"

spy() { ip netns exec "$NS_S" python3 "$PY" "$@"; }

setup()
{
	twamp_netns_add NS_S s && twamp_netns_add NS_R r &&
	twamp_veth_add "$NS_S" s0 "$NS_R" r0 &&
	twamp_link_up "$NS_S" s0 10.0.0.1/24 &&
	twamp_link_up "$NS_R" r0 10.0.0.2/24 &&
	# Permanent neighbours: netem's seconds of delay would hold up ARP
	# probes too, and replies queued behind an unresolved neighbour drop.
	ip -n "$NS_R" neigh replace 10.0.0.1 dev r0 nud permanent lladdr \
		"$(ip -n "$NS_S" -br link show s0 | awk '{ print $3 }')" &&
	ip -n "$NS_S" neigh replace 10.0.0.2 dev s0 nud permanent lladdr \
		"$(ip -n "$NS_R" -br link show r0 | awk '{ print $3 }')" &&
	ip netns exec "$NS_R" python3 "$PY" reflector 10.0.0.2 "$PORT" >/dev/null
}

# Kernel messages since the script started that say a CPU was stuck.
DMESG_MARK=$(dmesg 2>/dev/null | wc -l)
stuck_cpu_reports()
{
	dmesg | tail -n +"$((DMESG_MARK + 1))" |
		grep -E 'stall|soft lockup|hard LOCKUP|Call Trace'
}

test_behind()
{
	local rc

	spy behind 10.0.0.2 "$PORT"
	rc=$?
	if [ "$rc" -eq "$KSFT_SKIP" ]; then
		TWAMP_SKIP_REASON="no sender fell behind on this machine"
		return "$KSFT_SKIP"
	fi
	[ "$rc" -eq 0 ] || return 1
	if stuck_cpu_reports >"$TMP/stuck"; then
		twamp_log "FAIL: the kernel reported a stuck CPU:"
		sed 's/^/#   /' "$TMP/stuck"
		return 1
	fi
}

test_horizon()
{
	spy horizon 10.0.0.2 "$PORT"
}

# The senders are made by a process in a memory cgroup of its own; the
# cgroup2 hierarchy is mounted where the namespace sees it too (ip netns
# exec mounts a sysfs of its own).
test_memory()
{
	local cg rc

	mkdir -p "$TMP/cgroup" &&
	mount -t cgroup2 none "$TMP/cgroup" || return 1
	if ! grep -qw memory "$TMP/cgroup/cgroup.controllers"; then
		umount "$TMP/cgroup"
		TWAMP_SKIP_REASON="no memory cgroup controller"
		return "$KSFT_SKIP"
	fi
	echo +memory >"$TMP/cgroup/cgroup.subtree_control" 2>/dev/null
	cg=$TMP/cgroup/twamp-sender-bounds-$$
	mkdir "$cg" || { umount "$TMP/cgroup"; return 1; }
	# shellcheck disable=SC2016 # expanded by the inner shell
	ip netns exec "$NS_S" sh -c 'echo $$ >"$1/cgroup.procs" &&
		exec python3 "$2" memory "$1" 10.0.0.2 "$3" 100' \
		sh "$cg" "$PY" "$PORT"
	rc=$?
	rmdir "$cg"
	umount "$TMP/cgroup"
	return "$rc"
}

test_slots()
{
	local rc

	ip netns exec "$NS_R" tc qdisc add dev r0 root netem delay 1500ms ||
		return 1
	spy slots 10.0.0.2 "$PORT"
	rc=$?
	ip netns exec "$NS_R" tc qdisc del dev r0 root
	return "$rc"
}

test_grow()
{
	local rc

	ip netns exec "$NS_R" tc qdisc add dev r0 root netem delay 8000ms \
		limit 100000 || return 1
	spy grow 10.0.0.2 "$PORT"
	rc=$?
	ip netns exec "$NS_R" tc qdisc del dev r0 root
	return "$rc"
}

twamp_ktap_plan 6
setup || twamp_exit_fail "cannot set up the namespaces"
twamp_run_test "senders far behind send bursts, skip and account for every deadline" test_behind
twamp_run_test "start times beyond 366 days are refused, a huge DURATION saturates" test_horizon
twamp_run_test "senders with a long WAIT take small, memcg-charged slot tables" test_memory
twamp_run_test "a slot table sized from DURATION holds every packet in flight" test_slots
twamp_run_test "a slot table grows when more packets are in flight than it holds" test_grow
twamp_run_test "no new kernel taint" twamp_no_new_taint
twamp_ktap_finish
