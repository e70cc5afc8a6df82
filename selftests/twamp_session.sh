#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Reflector sessions: stateful STAMP sessions made in the data path, the
# sessions a TWAMP-Control server programs on a sessions-only reflector,
# their own sequence numbers, DSCP and reflected octets, REFWAIT expiry,
# and sessions bound to the netlink socket that made them.

here=$(dirname "$(readlink -f "$0")")
# shellcheck source=lib.sh
. "$here/lib.sh"

twamp_require_root
twamp_require_cmd ip jq python3
trap twamp_cleanup EXIT

PY=$here/twamp_session.py
SND=10.11.0.1
REFL=10.11.0.2

ctl()
{
	ip netns exec "$nsr" "$TWAMP_CTL" "$@"
}

# probe PORT SPORT COUNT [SSID]: send from the sender namespace, print
# one line per reply: "refl_seq sender_seq ssid dscp octets41-44".
probe()
{
	ip netns exec "$nss" python3 "$PY" probe "$REFL" "$@"
}

setup()
{
	twamp_mod_get || return $?
	twamp_netns_add nss snd || return 1
	twamp_netns_add nsr refl || return 1
	ip link add v0 netns "$nss" type veth peer v0 netns "$nsr" || return 1
	ip -n "$nss" addr add $SND/24 dev v0
	ip -n "$nsr" addr add $REFL/24 dev v0
	ip -n "$nss" link set v0 up
	ip -n "$nsr" link set v0 up
	ctl reflector add port 862 format stamp stateful >/dev/null &&
	ctl reflector add port 863 sessions-only >/dev/null
}

test_stateful()
{
	local out sessions

	out=$(probe 862 6000 3 7) || return 1
	twamp_check "own sequence numbers from 0 for the first sender" \
		test "$out" = "0 100 7 0 -
1 101 7 0 -
2 102 7 0 -" || { twamp_log "$out"; return 1; }
	out=$(probe 862 6001 1 7) || return 1
	twamp_check "a second port is a second session" \
		test "$out" = "0 100 7 0 -" || { twamp_log "$out"; return 1; }
	out=$(probe 862 6000 1 8) || return 1
	twamp_check "a second SSID is a second session" \
		test "$out" = "0 100 8 0 -" || { twamp_log "$out"; return 1; }
	sessions=$(ctl session show -j) || return 1
	twamp_check "three sessions, counted" test "$(jq -c \
		'[.[] | select(.reflector == 1) | [.peer, .peer_port, .ssid, .counters.rx, .counters.tx]] | sort' \
		<<<"$sessions")" = \
		'[["10.11.0.1",6000,7,3,3],["10.11.0.1",6000,8,1,1],["10.11.0.1",6001,7,1,1]]'
}

test_sessions_only()
{
	local out id

	out=$(probe 863 5000 1) || return 1
	twamp_check "no session, no reply" test -z "$out" || return 1
	twamp_check "counted as no_session" test "$(ctl reflector show 2 -j |
		jq '.[0].counters.no_session')" = 1 || return 1

	id=$(ctl session add reflector 2 peer $SND port 5000 dscp 12 \
		reflect-len 4 refwait 0s -j | jq '.[0].id') || return 1
	out=$(probe 863 5000 2) || return 1
	# octets 41-44 of the reply: the first 4 of the sender's padding,
	# which the probe fills with 0xa0, 0xa1, ...
	twamp_check "own numbers, the session's DSCP, reflected octets" \
		test "$out" = "0 100 0 12 a0a1a2
1 101 0 12 a0a1a2" || { twamp_log "$out"; return 1; }
	out=$(probe 863 5001 1) || return 1
	twamp_check "another port still has no session" test -z "$out" ||
		return 1

	twamp_check "session del" ctl session del "$id" || return 1
	out=$(probe 863 5000 1) || return 1
	twamp_check "deleted: no reply" test -z "$out"
}

test_errors()
{
	local out

	ctl session add reflector 2 peer $SND port 5100 >/dev/null || return 1
	out=$(ctl session add reflector 2 peer $SND port 5100 2>&1)
	twamp_check "duplicate refused" grep -q "exists" <<<"$out" || return 1
	out=$(ctl session add reflector 2 peer $SND port 5101 ssid 3 2>&1)
	twamp_check "SSID on TWAMP refused" grep -q "needs a STAMP" <<<"$out" ||
		return 1
	out=$(ctl session add reflector 1 peer $SND port 5101 reflect-len 3 2>&1)
	twamp_check "reflect octets on STAMP refused" grep -q "TWAMP mode" \
		<<<"$out" || return 1
	out=$(ctl session add reflector 99 peer $SND port 5101 2>&1)
	twamp_check "unknown reflector" grep -q "no reflector with this ID" \
		<<<"$out" || return 1
	out=$(ctl session add reflector 2 port 5101 2>&1)
	twamp_check "no peer" grep -q "exactly one peer address" <<<"$out" ||
		return 1
	out=$(ctl session del 4000000 2>&1)
	twamp_check "unknown session" grep -q "no session with this ID" \
		<<<"$out" || return 1
	# a failed request prints no JSON at all, not an empty list
	twamp_check_fails "show of an unknown session fails" \
		ctl session show 4000000 -j || return 1
	twamp_check "nothing on stdout" test -z \
		"$(ctl session show 4000000 -j 2>/dev/null)" || return 1
	twamp_check "an empty list is []" test "$(ctl session show -j |
		jq -c '[.[] | select(.reflector == 99)]')" = "[]"
}

test_refwait()
{
	local id i

	id=$(ctl session add reflector 2 peer $SND port 5200 refwait 1s -j |
		jq '.[0].id') || return 1
	for i in $(seq 1 20); do
		ctl session show -j | jq -e ".[] | select(.id == $id)" \
			>/dev/null || return 0
		sleep 0.5
	done
	twamp_log "FAIL: session $id still there 10 s after a 1 s REFWAIT"
	return 1
}

test_bind()
{
	local before after

	# reflector 2's only: stateful sessions of reflector 1 may expire
	# meanwhile (their REFWAIT is 60 s)
	before=$(ctl session show -j | jq '[.[] | select(.reflector == 2)] | length')
	# makes a bound session, checks it is listed, and exits
	ip netns exec "$nsr" python3 "$PY" bind 2 "$SND" 5300 || return 1
	after=$(ctl session show -j | jq '[.[] | select(.reflector == 2)] | length')
	twamp_check "the bound session left with its socket" \
		test "$after" = "$before"
}

test_reflector_del()
{
	ctl reflector del 1 || return 1
	twamp_check "the reflector's sessions are gone" test "$(ctl session \
		show -j | jq '[.[] | select(.reflector == 1)] | length')" = 0
}

test_netns_del()
{
	# sessions and traffic when the namespace goes away
	probe 863 5100 2 >/dev/null
	twamp_netns_del "$nsr"
	twamp_netns_del "$nss"
	return 0
}

setup_or_fail()
{
	setup
}

twamp_ktap_plan 8
twamp_run_test "setup: namespaces, stateful and sessions-only reflectors" \
	setup_or_fail
twamp_run_test "stateful STAMP: a session and counter per sender and SSID" \
	test_stateful
twamp_run_test "sessions-only reflector with a programmed session" \
	test_sessions_only
twamp_run_test "session errors carry the kernel's reason" test_errors
twamp_run_test "REFWAIT expires an idle session" test_refwait
twamp_run_test "a bound session dies with its netlink socket" test_bind
twamp_run_test "deleting a reflector deletes its sessions" test_reflector_del
twamp_run_test "namespace deleted with sessions and traffic" test_netns_del
twamp_ktap_finish
