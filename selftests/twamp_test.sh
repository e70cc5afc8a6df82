#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Full TWAMP end to end: twampd (the TWAMP-Control server, programming
# kernel reflector sessions or running its userspace reflector) in one
# namespace, `twamp-ctl test` (the Control-Client, driving a kernel
# Session-Sender) in another, in every security mode, over IPv4 and IPv6.
# The replies, the delay netem adds, the kernel objects on both ends while
# and after a test, the control exchange as tshark decodes it, and the
# refusals (wrong key, mode not offered) are all checked.
#
#   S (client)  c0 10.3.0.1 / 2001:db8:3::1  --veth--  d0 10.3.0.2 / 2001:db8:3::2  R (twampd)
#               netem on c0 for the delay test

# Test functions run through twamp_run_test.
# shellcheck disable=SC2317
source "$(dirname "$(readlink -f "$0")")/lib.sh"

twamp_require_root
twamp_require_cmd ip tc jq tshark ss
[ -x "$TWAMP_CTL" ] ||
	twamp_exit_fail "$TWAMP_CTL not built: run make programs first"
if [ -z "${TWAMPD:-}" ]; then
	TWAMPD=$TWAMP_ST_DIR/../build/san/twampd
	[ -x "$TWAMPD" ] || TWAMPD=$TWAMP_ST_DIR/../build/twampd
fi
[ -x "$TWAMPD" ] || twamp_exit_fail "$TWAMPD not built: run make programs first"
twamp_mod_get
case $? in
0) ;;
"$KSFT_SKIP") twamp_exit_skip "$TWAMP_SKIP_REASON" ;;
*) twamp_exit_fail "cannot load twamp.ko" ;;
esac
modprobe -q veth 2>/dev/null
modprobe -q sch_netem 2>/dev/null

NS_S=
NS_R=
D4=10.3.0.2
D6=2001:db8:3::2
TWAMPD_PID=
SNIFF_PID=
TMP=$(mktemp -d "${TMPDIR:-/tmp}/twamp-test.XXXXXX") ||
	twamp_exit_fail "mktemp failed"

twamp_cleanup_hook()
{
	[ -z "$SNIFF_PID" ] || kill "$SNIFF_PID" 2>/dev/null
	twampd_stop
	rm -rf "$TMP"
}

sctl() { ip netns exec "$NS_S" "$TWAMP_CTL" "$@"; }
rctl() { ip netns exec "$NS_R" "$TWAMP_CTL" "$@"; }

setup()
{
	twamp_netns_add NS_S s && twamp_netns_add NS_R r || return 1
	ip link add c0 netns "$NS_S" type veth peer name d0 netns "$NS_R" ||
		return 1
	ip -n "$NS_S" addr add 10.3.0.1/24 dev c0 &&
	ip -n "$NS_S" addr add 2001:db8:3::1/64 dev c0 nodad &&
	ip -n "$NS_R" addr add $D4/24 dev d0 &&
	ip -n "$NS_R" addr add $D6/64 dev d0 nodad || return 1
	ip -n "$NS_S" link set c0 up && ip -n "$NS_R" link set d0 up ||
		return 1
	# secrets: one KeyID for the tests, readable by root only
	printf 'alice %s\n' "$(printf 'correct horse' | od -An -tx1 | tr -d ' \n')" \
		>"$TMP/server.keys"
	cp "$TMP/server.keys" "$TMP/client.keys"
	printf 'alice %s\n' "$(printf 'wrong horse' | od -An -tx1 | tr -d ' \n')" \
		>"$TMP/wrong.keys"
	chmod 600 "$TMP"/*.keys
}

# twampd_start ARGS...: twampd in R, in the foreground, until it listens.
twampd_start()
{
	local i

	twampd_stop
	ip netns exec "$NS_R" "$TWAMPD" -f --key-file "$TMP/server.keys" \
		"$@" >"$TMP/twampd.log" 2>&1 &
	TWAMPD_PID=$!
	for i in $(seq 100); do
		if ip netns exec "$NS_R" ss -Hltn 'sport = :862' | grep -q .; then
			return 0
		fi
		kill -0 "$TWAMPD_PID" 2>/dev/null || break
		sleep 0.1
	done
	twamp_log "FAIL: twampd $* does not listen on 862"
	sed 's/^/#   /' "$TMP/twampd.log"
	return 1
}

twampd_stop()
{
	[ -n "$TWAMPD_PID" ] || return 0
	kill -TERM "$TWAMPD_PID" 2>/dev/null
	wait "$TWAMPD_PID" 2>/dev/null
	TWAMPD_PID=
}

# No kernel session or reflector left in R: twampd removes what a test
# made once its control connection is gone.
r_empty()
{
	local i out

	for i in $(seq 50); do
		out=$(rctl session show -j 2>&1)
		[ "$out" = "[]" ] && return 0
		sleep 0.1
	done
	twamp_log "FAIL: sessions left in R: $out"
	return 1
}

# run_test MODE HOST [ARGS...]: a 5-packet test whose JSON is in $TMP/out.
run_test()
{
	local mode=$1 host=$2 keys=()

	shift 2
	[ "$mode" = open ] || keys=(-k "$TMP/client.keys" -K alice)
	if ! sctl test -m "$mode" "${keys[@]}" -c 5 -i 20ms -W 1 -j "$@" \
			"$host" >"$TMP/out" 2>"$TMP/err"; then
		twamp_log "FAIL: test -m $mode $host $*: $(cat "$TMP/err")"
		twamp_log "  twampd: $(tail -n 5 "$TMP/twampd.log")"
		return 1
	fi
}

# check_replies MODE NAME SIZE: every packet came back, with the size
# and timestamps of a TWAMP reflector in that mode.
check_replies()
{
	local out=$TMP/out want_mode=$2 size=$3

	twamp_check "5 replies" jq -e '.stats.received == 5 and
		.stats.lost == 0' "$out" || return 1
	twamp_check "mode $want_mode" jq -e --arg m "$want_mode" \
		'.control.mode == $m and .control.port == 862 and
		 (.control.sid | test("^[0-9a-f]{32}$")) and
		 .control.test_port > 0' "$out" || return 1
	twamp_check "reply size $size, T1 < T2 <= T3 < T4" jq -e \
		--argjson s "$size" '[.results[] | select(.lost | not) |
		 .size == $s and .t1_ns < .t4_ns and .t2_ns <= .t3_ns and
		 .rtt_ns > 0] | (all and length == 5)' "$out" || {
		jq -c '.results[0]' "$out" | sed 's/^/#   /'
		return 1
	}
}

test_mode()
{
	local mode=$1 name=$2 host=$3 size=$4

	run_test "$mode" "$host" || return 1
	check_replies "$mode" "$name" "$size" || return 1
	r_empty
}

test_kernel_modes()
{
	twampd_start --backend kernel \
		--modes open,auth,encrypt,mixed,symmetric || return 1
	twamp_run_test "open mode, IPv4" test_mode open unauthenticated $D4 41
	twamp_run_test "authenticated mode, IPv4" test_mode auth authenticated $D4 112
	twamp_run_test "encrypted mode, IPv4" test_mode encrypt encrypted $D4 112
	twamp_run_test "mixed mode, IPv4" test_mode mixed mixed $D4 41
	twamp_run_test "open mode, IPv6" test_mode open unauthenticated $D6 41
	twamp_run_test "authenticated mode, IPv6" test_mode auth authenticated $D6 112
	twamp_run_test "encrypted mode, IPv6" test_mode encrypt encrypted $D6 112
	twamp_run_test "mixed mode, IPv6" test_mode mixed mixed $D6 41
	twamp_run_test "symmetrical size: replies as large as the requests" \
		test_symmetric
	twamp_run_test "symmetrical size, too little padding: Accept 3" \
		test_symmetric_short
}

# RFC 6038 Symmetrical Size: 100-octet test packets, open and encrypted,
# get 100-octet replies.
test_symmetric()
{
	run_test open $D4 --symmetric -s 100 || return 1
	check_replies open unauthenticated 100 || return 1
	run_test encrypt $D4 --symmetric -s 150 || return 1
	check_replies encrypt encrypted 150 || return 1
	r_empty
}

# A 30-octet open packet cannot carry a 41-octet reply's worth of padding.
test_symmetric_short()
{
	local out

	if out=$(sctl test --symmetric -s 30 -c 2 $D4 2>&1); then
		twamp_log "FAIL: symmetrical size with 16 octets of padding accepted"
		return 1
	fi
	twamp_check "refused as not supported: $out" \
		grep -q "not supported (Accept 3)" <<<"$out" || return 1
	r_empty
}

# The session exists in the kernel while the test runs, with the SID and
# port the client was given.
test_session_live()
{
	local sid port out

	sctl test -c 20 -i 50ms -j $D4 >"$TMP/out" 2>"$TMP/err" &
	local pid=$!
	for _ in $(seq 50); do
		out=$(rctl session show -j)
		[ "$out" != "[]" ] && break
		sleep 0.1
	done
	wait $pid || { twamp_log "FAIL: test: $(cat "$TMP/err")"; return 1; }
	sid=$(jq -r .control.sid "$TMP/out")
	port=$(jq -r .control.test_port "$TMP/out")
	twamp_check "kernel session with SID $sid on port $port: $out" jq -e \
		--arg sid "$sid" --argjson port "$port" \
		'any(.[]; .local_port == $port and .peer == "10.3.0.1" and
		 .bound)' <<<"$out" || return 1
	r_empty
}

# netem on the client's side delays both directions' frames leaving c0,
# i.e. the forward path: RTT must include it.
test_delay()
{
	tc -n "$NS_S" qdisc add dev c0 root netem delay 5ms || return 1
	run_test encrypt $D4
	local rc=$?
	tc -n "$NS_S" qdisc del dev c0 root
	[ $rc -eq 0 ] || return 1
	twamp_check "RTT >= 5 ms with 5 ms of netem" jq -e \
		'.stats.rtt_min_ns >= 5000000 and .stats.rtt_max_ns < 500000000' \
		"$TMP/out"
}

test_wrong_key()
{
	local out

	if out=$(sctl test -m auth -k "$TMP/wrong.keys" -K alice -c 2 $D4 2>&1); then
		twamp_log "FAIL: a wrong secret was accepted: $out"
		return 1
	fi
	twamp_check "the refusal is explained: $out" \
		grep -qiE 'refused|rejected|accept' <<<"$out" || return 1
	r_empty
}

test_unknown_keyid()
{
	local out

	if out=$(sctl test -m encrypt -k "$TMP/client.keys" -K bob -c 2 $D4 2>&1); then
		twamp_log "FAIL: an unknown KeyID worked: $out"
		return 1
	fi
	twamp_check "names the KeyID: $out" grep -q "bob" <<<"$out"
}

# test -k refuses a key file that group or others can read, as twampd
# does, before any connection: the secret is exposed either way.
test_key_file_mode()
{
	local out rc

	cp "$TMP/client.keys" "$TMP/open.keys" && chmod 644 "$TMP/open.keys" ||
		return 1
	out=$(sctl test -m auth -k "$TMP/open.keys" -K alice -c 2 $D4 2>&1)
	rc=$?
	twamp_check "exit 2: $out" test $rc -eq 2 &&
	twamp_check "twampd's words" grep -qF \
		"key file $TMP/open.keys must be owned by root (or the user reading it, uid 0) and not accessible to group or others" \
		<<<"$out"
}

test_mode_not_offered()
{
	local out

	twampd_start --backend kernel --modes open || return 1
	if out=$(sctl test -m encrypt -k "$TMP/client.keys" -K alice -c 2 $D4 2>&1); then
		twamp_log "FAIL: encrypted mode worked on an open-only server"
		return 1
	fi
	twamp_check "says what the server offers: $out" \
		grep -qi "unauthenticated\|open" <<<"$out" || return 1
	run_test open $D4 && check_replies open unauthenticated 41
}

# tshark decodes the control exchange of an open-mode test as TWAMP-Control:
# greeting, set-up, start, request and accept, start, stop.
test_tshark()
{
	local cap=$TMP/control.pcap n pid

	# dumpcap writes the file header once it captures
	ip netns exec "$NS_R" timeout 120 tshark -q -i d0 -w "$cap" \
		-f "tcp port 862" >"$TMP/tshark.log" 2>&1 &
	pid=$!
	for _ in $(seq 300); do
		[ -s "$cap" ] && break
		sleep 0.1
	done
	sleep 0.5
	run_test open $D4
	sleep 1
	kill -TERM $pid
	wait $pid
	n=$(tshark -r "$cap" -Y twamp.control -T fields -e twamp.control.modes \
		-e twamp.control.command -e twamp.control.accept 2>/dev/null |
		grep -c .)
	twamp_check "tshark decodes >= 6 TWAMP-Control messages (saw $n)" \
		test "$n" -ge 6 || return 1
	twamp_check "tshark sees Request-TW-Session (5)" sh -c \
		"tshark -r '$cap' -Y 'twamp.control.command == 5' 2>/dev/null | grep -q ."
}

# sniff_start OUT: log "SPORT PAYLOAD-HEX" for each IPv4 UDP packet R sends
# out of d0 (AF_PACKET: what leaves the reflector, as a capture would see
# it; tshark would take a minute to start under emulation). ETH_P_ALL:
# only such sockets see outgoing packets.
sniff_start()
{
	cat >"$TMP/sniff.py" <<-'PY'
	import socket, sys
	s = socket.socket(socket.AF_PACKET, socket.SOCK_DGRAM, socket.htons(3))
	s.bind(("d0", 0))
	out = open(sys.argv[1], "w", buffering=1)
	open(sys.argv[1] + ".ready", "w").close()
	while True:
	    pkt, addr = s.recvfrom(65535)
	    if addr[2] != socket.PACKET_OUTGOING or pkt[0] >> 4 != 4 or pkt[9] != 17:
	        continue
	    ihl = (pkt[0] & 15) * 4
	    sport = int.from_bytes(pkt[ihl:ihl + 2], "big")
	    out.write("%d %s\n" % (sport, pkt[ihl + 8:].hex()))
	PY
	ip netns exec "$NS_R" python3 "$TMP/sniff.py" "$1" &
	SNIFF_PID=$!
	for _ in $(seq 300); do
		[ -e "$1.ready" ] && return 0
		kill -0 $SNIFF_PID 2>/dev/null || break
		sleep 0.1
	done
	twamp_log "FAIL: the sniffer did not start"
	return 1
}

# check_wire LOG PORT FORMAT: every reply on the wire has the Z bit of
# FORMAT (ptp 1, ntp 0) in both Error Estimates, the reflector's (octets
# 12-13) and the sender's it echoes (36-37), and T3's seconds (octets 4-7)
# on that scale: Unix seconds (plus the TAI offset, under a minute) for
# PTP, Unix seconds plus 2208988800 for NTP. Any other reading is off by
# 70 years.
check_wire()
{
	local cap=$1 port=$2 fmt=$3 hex n=0 z ee see sec now base=0

	[ "$fmt" = ntp ] && base=2208988800
	now=$(date +%s)
	while read -r hex; do
		[ -n "$hex" ] || continue
		ee=$((16#${hex:24:4}))
		see=$((16#${hex:72:4}))
		sec=$((16#${hex:8:8} - base))
		z=$([ "$fmt" = ptp ] && echo 16384 || echo 0)
		if [ $((ee & 16384)) -ne "$z" ] || [ $((see & 16384)) -ne "$z" ] ||
		   [ $((sec - now)) -gt 600 ] || [ $((now - sec)) -gt 600 ]; then
			twamp_log "FAIL: $fmt reply from port $port: EE $ee, sender EE $see, T3 $((16#${hex:8:8})) s (now $now): $hex"
			return 1
		fi
		n=$((n + 1))
	done < <(sed -n "s/^$port //p" "$cap")
	twamp_check "$n $fmt replies on the wire from port $port" test "$n" -ge 5 ||
		{ sed 's/^/#   /' "$cap"; return 1; }
}

# RFC 8186 (mode 512): twampd offers PTP, twamp-ctl test chooses it, and
# the replies carry PTP timestamps with Z = 1, which the kernel sender
# decodes into T1 <= T2 <= T3 <= T4 (one clock for both namespaces). With
# --ntp the client declines: NTP, Z = 0. The wire is checked too.
test_ptp_mode()
{
	local cap=$TMP/replies port_ptp port_ntp out

	twampd_start --backend kernel --modes open,ptp || return 1
	sniff_start "$cap" || return 1
	run_test open $D4 && cp "$TMP/out" "$TMP/ptp.json" &&
	run_test open $D4 --ntp && cp "$TMP/out" "$TMP/ntp.json" &&
	out=$(sctl test -c 1 -W 1 $D4 2>&1)
	local rc=$?
	kill -TERM $SNIFF_PID
	wait $SNIFF_PID 2>/dev/null
	SNIFF_PID=
	[ $rc -eq 0 ] || return 1
	twamp_check "human output names PTP: ${out%%$'\n'*}" \
		grep -q "^TWAMP-TEST .*(TWAMP, unauthenticated, PTP, SID" \
		<<<"$out" || return 1
	twamp_check "mode 512 chosen: PTP replies, Z = 1, T1 <= T2 <= T3 <= T4" \
		jq -e '.control.reflector_ts_format == "ptp" and
		.config.ts_format == "ptp" and .stats.received == 5 and
		([.results[] | select(.lost | not) |
		  (.reflector_error_estimate / 16384 | floor) % 2 == 1 and
		  .t1_ns <= .t2_ns and .t2_ns <= .t3_ns and .t3_ns <= .t4_ns] |
		 all and length == 5)' "$TMP/ptp.json" || {
		jq -c '.control, .results[0]' "$TMP/ptp.json" | sed 's/^/#   /'
		return 1
	}
	twamp_check "--ntp: NTP replies, Z = 0" \
		jq -e '.control.reflector_ts_format == "ntp" and
		.config.ts_format == "ntp" and .stats.received == 5 and
		([.results[] | select(.lost | not) |
		  (.reflector_error_estimate / 16384 | floor) % 2 == 0 and
		  .t1_ns <= .t2_ns and .t3_ns <= .t4_ns] |
		 all and length == 5)' "$TMP/ntp.json" || return 1
	port_ptp=$(jq -r .control.test_port "$TMP/ptp.json")
	port_ntp=$(jq -r .control.test_port "$TMP/ntp.json")
	check_wire "$cap" "$port_ptp" ptp &&
	check_wire "$cap" "$port_ntp" ntp &&
	r_empty
}

test_user_backend()
{
	local mode=$1 name=$2 size=$3

	run_test "$mode" $D4 || return 1
	check_replies "$mode" "$name" "$size" || return 1
	twamp_check "no kernel session with the userspace backend" \
		test "$(rctl session show -j)" = "[]"
}

test_twampd_killed()
{
	local pid out

	sctl test -c 100 -i 50ms $D4 >/dev/null 2>&1 &
	pid=$!
	for _ in $(seq 50); do
		out=$(rctl session show -j)
		[ "$out" != "[]" ] && break
		sleep 0.1
	done
	[ "$out" != "[]" ] || { twamp_log "FAIL: no session appeared"; kill $pid; return 1; }
	kill -KILL "$TWAMPD_PID"
	wait "$TWAMPD_PID" 2>/dev/null
	TWAMPD_PID=
	kill $pid 2>/dev/null
	wait $pid 2>/dev/null
	r_empty || return 1
	twamp_check "no reflector left" test "$(rctl reflector show -j)" = "[]"
}

twamp_ktap_plan 22
setup || twamp_exit_fail "setup failed"
test_kernel_modes
twamp_run_test "the kernel session carries the SID and port" test_session_live
twamp_run_test "netem delay shows in the RTT" test_delay
twamp_run_test "wrong secret: refused, nothing left" test_wrong_key
twamp_run_test "unknown KeyID: clear error" test_unknown_keyid
twamp_run_test "a key file others can read is refused" test_key_file_mode
twamp_run_test_once "tshark decodes TWAMP-Control" test_tshark
twamp_run_test "twampd killed: the kernel removes its sessions" test_twampd_killed
twamp_run_test "mode not offered: clear error, open still works" test_mode_not_offered
twamp_run_test "mode 512: PTP replies (Z = 1) when chosen, NTP with --ntp" \
	test_ptp_mode
twampd_start --backend user --modes open,auth,encrypt,mixed ||
	twamp_exit_fail "twampd --backend user does not start"
twamp_run_test "userspace backend, open mode" test_user_backend open unauthenticated 41
twamp_run_test "userspace backend, authenticated mode" test_user_backend auth authenticated 112
twamp_run_test "userspace backend, encrypted mode" test_user_backend encrypt encrypted 112
twampd_stop
twamp_ktap_finish
