#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Attacks on a reflector's sessions, each run as an unprivileged user (uid
# 1000, no capabilities) in a user and network namespace of its own, where
# the reflector it makes and the traffic it sends over loopback are local:
# a stateful table filled from one source and from many, a captured
# authenticated and encrypted test packet replayed, stateful sessions that
# must end after a short REFWAIT, stateful sessions got and deleted over
# netlink while packets evict them, and their memory charged to the memory
# cgroup of the reflector's creator. twamp_refl_bounds.py makes and checks
# each; the kernel must stay untainted and its log clean throughout.

# Test functions run through twamp_run_test.
# shellcheck disable=SC2317
source "$(dirname "$(readlink -f "$0")")/lib.sh"

twamp_require_root
twamp_require_cmd python3 setpriv unshare ip
twamp_mod_get
case $? in
0) ;;
"$KSFT_SKIP") twamp_exit_skip "$TWAMP_SKIP_REASON" ;;
*) twamp_exit_fail "cannot load twamp.ko" ;;
esac

PY=$TWAMP_ST_DIR/twamp_refl_bounds.py
CG=

twamp_cleanup_hook()
{
	[ -n "$CG" ] && rmdir "$CG" 2>/dev/null
	return 0
}

# attack ARGS...: twamp_refl_bounds.py ARGS as uid 1000 in new user and
# network namespaces, loopback up.
ATTACK=(setpriv --reuid=1000 --regid=1000 --clear-groups
	unshare -Urn sh -c 'ip link set lo up && exec python3 "$@"' sh "$PY")
attack() { "${ATTACK[@]}" "$@"; }

test_userns()
{
	if ! setpriv --reuid=1000 --regid=1000 --clear-groups \
		unshare -Urn true 2>/dev/null; then
		TWAMP_SKIP_REASON="unprivileged user namespaces are not available"
		return "$KSFT_SKIP"
	fi
	# the attacker has no capability where the module lives
	twamp_check "uid 1000 holds no capability" test "$(setpriv \
		--reuid=1000 --regid=1000 --clear-groups \
		grep CapEff /proc/self/status | awk '{ print $2 }')" = \
		0000000000000000
}

test_one_source() { attack one-source; }
test_table_full() { attack table-full; }
test_replay_auth() { attack replay auth; }
test_replay_encrypt() { attack replay encrypt; }
test_refwait() { attack refwait; }
test_evict_race() { attack evict-race; }

# The attacker in a memory cgroup of its own, whose slab it reads.
test_memcg()
{
	local cg=/sys/fs/cgroup rc

	if ! grep -qw memory "$cg/cgroup.controllers" 2>/dev/null; then
		TWAMP_SKIP_REASON="no cgroup2 memory controller at $cg"
		return "$KSFT_SKIP"
	fi
	grep -qw memory "$cg/cgroup.subtree_control" ||
		echo +memory >"$cg/cgroup.subtree_control" || return 1
	CG=$cg/twamp-bounds-$$
	mkdir "$CG" || return 1
	# shellcheck disable=SC2016
	sh -c 'echo $$ >"$1/cgroup.procs" && shift && exec "$@"' \
		sh "$CG" "${ATTACK[@]}" memcg "$CG"
	rc=$?
	rmdir "$CG" 2>/dev/null
	return $rc
}

test_clean()
{
	twamp_no_new_taint || return 1
	if dmesg | grep -E 'rcu_(preempt|sched).*stall|soft lockup|WARNING:|BUG:'; then
		twamp_log "FAIL: the kernel log has a report"
		return 1
	fi
}

twamp_ktap_plan 8
twamp_run_test "an unprivileged user gets a user and network namespace" \
	test_userns
twamp_run_test "one source, many SSIDs: held to the per-source cap, a new sender answered" \
	test_one_source
twamp_run_test "many sources fill the table: least recently heard evicted, new senders answered" \
	test_table_full
twamp_run_test "a captured authenticated packet replayed is dropped as a replay" \
	test_replay_auth
twamp_run_test "a captured encrypted packet replayed is dropped as a replay" \
	test_replay_encrypt
twamp_run_test "stateful sessions end after the reflector's short REFWAIT" \
	test_refwait
twamp_run_test "stateful sessions got and deleted over netlink while packets evict them" \
	test_evict_race
twamp_run_test "stateful sessions made in softirq are charged to the creator's memory cgroup" \
	test_memcg
twamp_run_test "no taint, no stall, no report in the kernel log" test_clean
twamp_ktap_finish
