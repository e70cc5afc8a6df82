#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Packet fuzzing of the kernel data path, and abuse: twamp_pktfuzz.py
# throws random and mutated packets (every length 0..1472, random STAMP
# TLVs, bit flips of valid requests, 8999..9001 octets) at a stateless
# TWAMP Light reflector, a stateful STAMP reflector, an authenticated
# session (when the module has TWAMP_FEATURE_AUTH) and a running kernel
# sender's socket. Each reply must answer a valid request this run sent,
# be no longer than max(request, 44), and the reflector's counters must
# account for every packet (rx = packets sent, rx = tx + drops, tx =
# replies seen). Then a flood above what the reflector can take, from
# several sources, leaves an allowed source served under its per-source
# rate limit; and slowloris connections do not stop twampd serving another
# Control-Client.
#
#   S  s0 10.0.0.1 (.3 .4 .5 .6)  --veth--  r0 10.0.0.2  R
#      s1 10.0.1.1                --veth--  r1 10.0.1.2
#
# TWAMP_FUZZ_SECONDS: time per fuzz target (default 10).

# Test functions run through twamp_run_test.
# shellcheck disable=SC2317
source "$(dirname "$(readlink -f "$0")")/lib.sh"

twamp_require_root
twamp_require_cmd ip ss python3 modprobe
[ -x "$TWAMP_SENDER" ] ||
	twamp_exit_fail "$TWAMP_SENDER not built: run make -C selftests first"
twamp_mod_require
modprobe -q veth 2>/dev/null

FUZZ=$TWAMP_ST_DIR/twamp_pktfuzz.py
FAULT=$TWAMP_ST_DIR/twamp_fault.py
TWAMPD=${TWAMPD:-$TWAMP_ST_DIR/../build/twampd}
SECS=${TWAMP_FUZZ_SECONDS:-10}
SEED=${TWAMP_FUZZ_SEED:-$RANDOM}
NS_S=
NS_R=
twamp_tmpdir TMP pktfuzz || twamp_exit_fail "mktemp failed"

sns() { ip netns exec "$NS_S" "$@"; }
rns() { ip netns exec "$NS_R" "$@"; }
rpy() { ip netns exec "$NS_R" python3 "$@"; }
spy() { ip netns exec "$NS_S" python3 "$@"; }

setup()
{
	twamp_netns_add NS_S s && twamp_netns_add NS_R r &&
	twamp_veth_add "$NS_S" s0 "$NS_R" r0 &&
	twamp_veth_add "$NS_S" s1 "$NS_R" r1 &&
	twamp_link_up "$NS_S" s0 10.0.0.1/24 10.0.0.3/24 10.0.0.4/24 \
		10.0.0.5/24 10.0.0.6/24 &&
	twamp_link_up "$NS_S" s1 10.0.1.1/24 &&
	twamp_link_up "$NS_R" r0 10.0.0.2/24 &&
	twamp_link_up "$NS_R" r1 10.0.1.2/24
}

# "rx tx drops" of reflector ID in R.
counters() { rpy "$FAULT" counters "$1"; }

# fuzz_reflector RID PORT KIND [SPORT]: fuzz it and account for every packet.
fuzz_reflector()
{
	local rid=$1 port=$2 kind=$3 sport=${4:-0} out rc rx0 tx0 d0 rx tx d
	local sent replies

	read -r rx0 tx0 d0 < <(counters "$rid") || return 1
	out=$(spy "$FUZZ" fuzz 10.0.0.2 "$port" "$kind" "$SECS" "$SEED" "$sport")
	rc=$?
	printf '%s\n' "$out" | grep '^#'
	out=$(tail -n 1 <<<"$out")
	twamp_log "$kind (seed $SEED): $out"
	read -r rx tx d < <(counters "$rid") || return 1
	twamp_log "reflector $rid: rx +$((rx - rx0)) tx +$((tx - tx0)) drops +$((d - d0))"
	[ "$rc" -eq 0 ] || return 1
	sent=$(awk '{ print $2 }' <<<"$out")
	replies=$(awk '{ print $6 }' <<<"$out")
	if [ "$((rx - rx0))" -ne "$sent" ]; then
		twamp_log "FAIL: rx grew by $((rx - rx0)), $sent packets sent"
		return 1
	fi
	if [ "$rx" -ne $((tx + d)) ]; then
		twamp_log "FAIL: rx $rx != tx $tx + drops $d"
		return 1
	fi
	if [ "$((tx - tx0))" -ne "$replies" ]; then
		twamp_log "FAIL: tx grew by $((tx - tx0)), $replies replies seen"
		return 1
	fi
}

R_LIGHT=
R_STAMP=

test_fuzz_light()
{
	fuzz_reflector "$R_LIGHT" 26000 light
}

test_fuzz_stamp()
{
	fuzz_reflector "$R_STAMP" 26001 stamp
}

# An authenticated session for 10.0.0.1:26999: nothing the fuzzer sends
# from there carries a valid HMAC, so nothing is answered.
test_fuzz_keyed()
{
	local sid

	sid=$(rpy "$FUZZ" keyed "$R_LIGHT" 10.0.0.1 26999) || return 1
	if [ "$sid" = none ]; then
		TWAMP_SKIP_REASON="the module has no TWAMP_FEATURE_AUTH"
		return "$KSFT_SKIP"
	fi
	fuzz_reflector "$R_LIGHT" 26000 keyed 26999
}

# A kernel sender in R, from port 26500 to a kernel reflector in S, gets
# junk on its socket: it never answers, keeps running and keeps counting
# its real replies.
test_fuzz_sender()
{
	local sid rs out rc s0 r0 s1 r1 st

	rs=$(sns python3 "$FAULT" populate 10.0.0.1 26600 0) || return 1
	sid=$(rpy "$FUZZ" sender 10.0.0.1 26600 26500) || return 1
	sleep 0.5
	read -r s0 r0 _ < <(rpy "$FUZZ" stats "$sid")
	out=$(spy "$FUZZ" fuzz 10.0.0.2 26500 sender "$SECS" "$SEED")
	rc=$?
	printf '%s\n' "$out" | sed 's/^\([^#]\)/# sender target: \1/'
	read -r s1 r1 st < <(rpy "$FUZZ" stats "$sid")
	twamp_log "sender $sid: sent $s0 -> $s1, received $r0 -> $r1, state $st"
	[ "$rc" -eq 0 ] || return 1
	if [ "$st" != 1 ] || [ "$r1" -le "$r0" ] || [ "$r1" -gt "$s1" ]; then
		twamp_log "FAIL: the sender stopped, got no more replies, or counts more replies than it sent"
		return 1
	fi
	read -r _ <<<"$rs"
}

# --- abuse ------------------------------------------------------------------

# Four flooders at full rate (two allowed sources, one not in the allow
# list) against a reflector with an allow list and a per-source limit of
# 200 packets/s: the disallowed one counts under acl, the allowed ones
# under rate, and an allowed source sending 20 packets at 20/s meanwhile
# gets every one answered.
test_flood_acl_rate()
{
	local rid a r out t0 ms max rx tx d acl rate

	rid=$(rns python3 -c '
import sys
sys.path.insert(0, sys.argv[1])
import twamp_nl as nl
from twamp_nl import T, nest, u8, u16, u32, ip4
g = nl.Genl()
pfx = nest(1, ip4(T.TWAMP_A_PREFIX_IPV4, "10.0.0.0"), u8(T.TWAMP_A_PREFIX_LEN, 24))
print(g.reflector_new(u16(T.TWAMP_A_REFLECTOR_PORT, 27000),
                      nest(T.TWAMP_A_REFLECTOR_ALLOW, pfx),
                      u32(T.TWAMP_A_REFLECTOR_RATE_LIMIT, 200)))
' "$TWAMP_ST_DIR") || return 1
	t0=${EPOCHREALTIME/./}
	for a in 10.0.0.4 10.0.0.5 10.0.0.6 10.0.1.1; do
		ip netns exec "$NS_S" "$TWAMP_SENDER" --flood -n 10000000 \
			--timeout 0 -b "$a" 10.0.0.2 27000 >/dev/null 2>&1 &
		BG_PIDS+=("$!")
	done
	sleep 2
	out=$(sns "$TWAMP_SENDER" -n 20 -i 50000 --timeout 500 -b 10.0.0.3 \
		10.0.0.2 27000 2>&1)
	r=$?
	twamp_bg_kill
	ms=$(( (${EPOCHREALTIME/./} - t0) / 1000 ))
	twamp_log "allowed source under the flood: $(tail -n 1 <<<"$out")"
	read -r rx tx d < <(counters "$rid")
	twamp_log "reflector: rx $rx tx $tx drops $d"
	rns python3 -c '
import sys
sys.path.insert(0, sys.argv[1])
import twamp_nl as nl
from twamp_nl import T
g = nl.Genl()
a = g.by_id(T.TWAMP_CMD_REFLECTOR_GET, T.TWAMP_A_REFLECTOR, T.TWAMP_A_REFLECTOR_ID, int(sys.argv[2]))
c = dict(nl.parse(nl.get(a.objs(T.TWAMP_A_REFLECTOR)[0], T.TWAMP_A_REFLECTOR_COUNTERS)))
get = lambda n: int.from_bytes(c.get(nl.C["TWAMP_A_COUNTERS_" + n], b""), "little")
print("acl", get("DROP_ACL"), "rate", get("DROP_RATE"))
g.by_id(T.TWAMP_CMD_REFLECTOR_DEL, T.TWAMP_A_REFLECTOR, T.TWAMP_A_REFLECTOR_ID, int(sys.argv[2]))
' "$TWAMP_ST_DIR" "$rid" >"$TMP/drops" || return 1
	read -r _ acl _ rate <"$TMP/drops"
	twamp_log "drop_acl $acl drop_rate $rate"
	if [ "$r" -ne 0 ]; then
		printf '%s\n' "$out" | sed 's/^/#   /' | tail -n 5
		twamp_log "FAIL: the allowed source was not served under the flood"
		return 1
	fi
	if [ "${acl:-0}" -eq 0 ] || [ "${rate:-0}" -eq 0 ] ||
	   [ "$rx" -ne $((tx + d)) ]; then
		twamp_log "FAIL: want acl and rate drops, rx = tx + drops"
		return 1
	fi
	# three allowed flooders at 200/s each, plus their 1 s bursts and
	# the 20 of the ping: the limit held
	max=$((3 * 200 * (ms + 1000) / 1000 + 20))
	twamp_log "answered $tx in $ms ms, at most $max allowed"
	[ "$tx" -le "$max" ] || {
		twamp_log "FAIL: the per-source rate limit did not hold"
		return 1
	}
}

# Slowloris against twampd: 40 connections that read the greeting and
# stall, one that trickles its Set-Up-Response at 1 octet/s; another
# Control-Client must still get its greeting and Server-Start in 10 s.
test_slowloris()
{
	local d out

	twamp_twampd_bg "$NS_R" 10.0.0.2:8621 "$TMP/twampd" || return
	d=$TWAMPD_PID
	out=$(sns python3 - 10.0.0.2 8621 <<'EOF'
import socket, struct, sys, time
addr, port = sys.argv[1], int(sys.argv[2])
stalled = []
for _ in range(40):
    s = socket.create_connection((addr, port), timeout=5)
    stalled.append(s)
trickle = socket.create_connection((addr, port), timeout=5)
t0 = time.monotonic()
def client():
    s = socket.create_connection((addr, port), timeout=10)
    g = b""
    while len(g) < 64:
        c = s.recv(64 - len(g))
        if not c:
            return "closed during the greeting"
        g += c
    modes, = struct.unpack("!I", g[12:16])
    if not modes & 1:
        return "no open mode in %08x" % modes
    s.sendall(struct.pack("!I", 1) + bytes(160))
    r = b""
    while len(r) < 48:
        c = s.recv(48 - len(r))
        if not c:
            return "closed before Server-Start"
        r += c
    if r[15] != 0:
        return "Server-Start Accept %d" % r[15]
    return None
# trickle one octet a second while the client connects
trickle.settimeout(0.1)
try:
    trickle.recv(64)
except OSError:
    pass
trickle.send(b"\0")
err = client()
el = time.monotonic() - t0
try:
    for _ in range(3):
        time.sleep(1)
        trickle.send(b"\0")
except OSError as e:
    print("# the trickling connection was closed: %s" % e)
print("# client served in %.1f s with 41 stalled connections: %s" % (el, err or "ok"))
sys.exit(1 if err or el > 10 else 0)
EOF
)
	r=$?
	printf '%s\n' "$out"
	kill "$d"
	wait "$d" 2>/dev/null
	BG_PIDS=()
	return "$r"
}

setup || twamp_exit_fail "cannot set up the namespaces"
ids=$(rpy "$FAULT" populate any 26000 0) || twamp_exit_fail "no reflectors"
read -r R_LIGHT R_STAMP <<<"$ids"

twamp_ktap_plan 7
twamp_run_test "fuzz a TWAMP Light reflector" test_fuzz_light
twamp_run_test "fuzz a stateful STAMP reflector" test_fuzz_stamp
twamp_run_test "fuzz an authenticated session" test_fuzz_keyed
twamp_run_test "fuzz a running kernel sender's socket" test_fuzz_sender
twamp_run_test "flood: allow list and per-source rate limit hold" \
	test_flood_acl_rate
twamp_run_test "slowloris does not stop twampd serving" test_slowloris
twamp_run_test "no kernel taint beyond O/E" twamp_no_new_taint
twamp_ktap_finish
