#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The userspace reflector (build/san/twamp-ureflect, daemon/ureflect.c) end
# to end, between two namespaces joined by a veth pair: the kernel sender
# (twamp-ctl ping) against it in TWAMP Light and STAMP, IPv4 and IPv6, and
# keyed (twamp-ctl test through twampd --backend user), auth and encrypt;
# twamp_sender checking every field of every open reply; an independent
# Session-Sender in Python (twamp_ureflect.py, crypto from the 'cryptography'
# package) checking authenticated and encrypted replies field by field,
# wrong HMACs, a foreign peer, stateful Sequence Numbers and RFC 6038
# reflected octets; garbage of every length from 0 to 200 octets; REFWAIT;
# the Error Estimate of a synchronized clock; bad command lines. After every
# run the reflector must exit 0 (ASan/UBSan clean) and its counters add up:
# rx = tx + every drop.
#
#   S (sender)                          R (reflector)
#   s0 10.0.0.1 10.0.0.9    --veth--    r0 10.0.0.2
#      2001:db8::1 fe80::1                 2001:db8::2 fe80::2

# Test functions run through twamp_run_test.
# shellcheck disable=SC2317
source "$(dirname "$(readlink -f "$0")")/lib.sh"

: "${TWAMP_UREFLECT:=$TWAMP_ST_DIR/../build/san/twamp-ureflect}"
if [ -z "${TWAMPD:-}" ]; then
	TWAMPD=$TWAMP_ST_DIR/../build/san/twampd
	[ -x "$TWAMPD" ] || TWAMPD=$TWAMP_ST_DIR/../build/twampd
fi
PY=$TWAMP_ST_DIR/twamp_ureflect.py

twamp_require_root
twamp_require_cmd ip jq python3
[ -x "$TWAMP_UREFLECT" ] ||
	twamp_exit_fail "$TWAMP_UREFLECT not built: run make programs first"
[ -x "$TWAMP_SENDER" ] ||
	twamp_exit_fail "$TWAMP_SENDER not built: run make -C selftests first"
python3 -c 'import cryptography' 2>/dev/null ||
	twamp_exit_skip "python3 has no 'cryptography' package (python3-cryptography)"
modprobe -q veth 2>/dev/null

NS_S=
NS_R=
# Reflectors run at once: UR (default a) names the one a helper acts on.
declare -A UR_PIDS=()
UR=a
UR_COUNTERS=
PORT=23000
AES=000102030405060708090a0b0c0d0e0f
HMAC=f0e1d2c3b4a5968778695a4b3c2d1e0f00112233445566778899aabbccddeeff
ADJTIMEX_RESTORE=0
TWAMPD_PID=
TMP=$(mktemp -d "${TMPDIR:-/tmp}/twamp-ureflect.XXXXXX") ||
	twamp_exit_fail "mktemp failed"

twamp_cleanup_hook()
{
	local pid

	for pid in "${UR_PIDS[@]}"; do
		kill "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	done
	UR_PIDS=()
	if [ -n "$TWAMPD_PID" ]; then
		kill "$TWAMPD_PID" 2>/dev/null
		wait "$TWAMPD_PID" 2>/dev/null
	fi
	if [ "$ADJTIMEX_RESTORE" = 1 ]; then
		python3 "$PY" adjtimex unsynced
		ADJTIMEX_RESTORE=0
	fi
	rm -rf "$TMP"
}

sns() { ip netns exec "$NS_S" "$@"; }
rns() { ip netns exec "$NS_R" "$@"; }
py() { sns python3 "$PY" "$@"; }

next_port()
{
	PORT=$((PORT + 1))
}

setup()
{
	twamp_netns_add NS_S s && twamp_netns_add NS_R r || return 1
	# no DAD, for the automatic link-local addresses too: IPv6 works at
	# once (neighbour discovery has no tentative address to wait for)
	sns sysctl -qw net.ipv6.conf.all.accept_dad=0 \
		net.ipv6.conf.default.accept_dad=0 &&
	rns sysctl -qw net.ipv6.conf.all.accept_dad=0 \
		net.ipv6.conf.default.accept_dad=0 || return 1
	ip link add s0 netns "$NS_S" type veth peer name r0 netns "$NS_R" ||
		return 1
	sns ip addr add 10.0.0.1/24 dev s0 &&
	sns ip addr add 10.0.0.9/24 dev s0 &&
	sns ip addr add 2001:db8::1/64 dev s0 nodad &&
	sns ip addr add fe80::1/64 dev s0 nodad &&
	rns ip addr add 10.0.0.2/24 dev r0 &&
	rns ip addr add 2001:db8::2/64 dev r0 nodad &&
	rns ip addr add fe80::2/64 dev r0 nodad &&
	sns ip link set s0 up && rns ip link set r0 up || return 1
	# until linkwatch has run (up to a second), a device has no qdisc
	# and drops what it sends: the first replies would be lost
	for _ in $(seq 100); do
		sns ip link show s0 | grep -q 'state UP' &&
			rns ip link show r0 | grep -q 'state UP' && return 0
		sleep 0.05
	done
	twamp_log "s0 or r0 not up after 5 s"
	return 1
}

# ur_start ARGS...: start reflector $UR in R on a new $PORT, wait until it
# listens.
ur_start()
{
	local pid

	next_port
	# not through rns: $! must be the reflector, which ip netns exec
	# becomes
	ip netns exec "$NS_R" "$TWAMP_UREFLECT" -p "$PORT" "$@" \
		>"$TMP/$UR.out" 2>"$TMP/$UR.err" &
	pid=$!
	UR_PIDS[$UR]=$pid
	for _ in $(seq 200); do
		grep -q '^listening on ' "$TMP/$UR.out" && return 0
		if ! kill -0 "$pid" 2>/dev/null; then
			wait "$pid"
			twamp_log "FAIL: twamp-ureflect $* exited with $?"
			sed 's/^/#   /' "$TMP/$UR.err"
			unset "UR_PIDS[$UR]"
			return 1
		fi
		sleep 0.05
	done
	twamp_log "FAIL: twamp-ureflect $* not listening after 10 s"
	return 1
}

# ur_wait: wait for reflector $UR to exit (it was signalled, or REFWAIT),
# which it must do with status 0 and nothing on standard error (ASan);
# its last line, the counters, goes to UR_COUNTERS.
ur_wait()
{
	local pid=${UR_PIDS[$UR]} rc

	for _ in $(seq 300); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.05
	done
	if kill -0 "$pid" 2>/dev/null; then
		twamp_log "FAIL: twamp-ureflect still running after 15 s, killed"
		kill -KILL "$pid"
	fi
	wait "$pid"
	rc=$?
	unset "UR_PIDS[$UR]"
	if [ $rc -ne 0 ] || [ -s "$TMP/$UR.err" ]; then
		twamp_log "FAIL: twamp-ureflect exited with $rc"
		sed 's/^/#   /' "$TMP/$UR.err" | head -n 40
		return 1
	fi
}

ur_stop()
{
	kill -TERM "${UR_PIDS[$UR]}" 2>/dev/null
	ur_wait
}

# counters_are "rx=N tx=N peer=N...": the reflector's final counters are
# exactly these (the others 0), and they add up.
counters_are()
{
	local want=$1 exp='' c v sum=0 rx=0 i
	local -a f

	# "rx N tx N short N auth N peer N invalid N xmit N"
	UR_COUNTERS=$(tail -n 1 "$TMP/$UR.out")
	read -ra f <<<"$UR_COUNTERS"
	for ((i = 0; i + 1 < ${#f[@]}; i += 2)); do
		if [ "${f[i]}" = rx ]; then
			rx=${f[i + 1]}
		else
			sum=$((sum + f[i + 1]))
		fi
	done
	for c in rx tx short auth peer invalid xmit; do
		v=
		[[ " $want" =~ \ $c=([0-9]+) ]] && v=${BASH_REMATCH[1]}
		exp+="${exp:+ }$c ${v:-0}"
	done
	if [ "$UR_COUNTERS" != "$exp" ] || [ "$sum" != "$rx" ]; then
		twamp_log "FAIL: counters"
		twamp_log "  got:  $UR_COUNTERS"
		twamp_log "  want: $exp"
		return 1
	fi
}

send() { twamp_check "twamp_sender $*" sns "$TWAMP_SENDER" "$@"; }
pysend() { twamp_check "twamp_ureflect.py send $*" py send "$@"; }

# --- the kernel sender -------------------------------------------------------

# ping_check JSON COUNT SIZE TTL SEQ0: every packet answered, with sane
# figures; the stateful reflector's Sequence Number is the sender's + SEQ0.
ping_check()
{
	local out

	out=$(jq -r --argjson n "$2" --argjson size "$3" --argjson ttl "$4" \
		--argjson seq0 "$5" '
		.results as $r |
		[ if ($r | length) != $n then "\($r | length) results" else empty end,
		  ($r[] | select(.lost) | "seq \(.seq) lost"),
		  ($r[] | select(.lost | not) |
		   (if .size != $size then "seq \(.seq): size \(.size)" else empty end),
		   (if .sender_ttl != $ttl then "seq \(.seq): sender_ttl \(.sender_ttl)" else empty end),
		   (if .reflector_ttl != 255 then "seq \(.seq): reply TTL \(.reflector_ttl)" else empty end),
		   (if .reflector_seq != .seq + $seq0 then "seq \(.seq): reflector_seq \(.reflector_seq)" else empty end),
		   (if (.rtt_ns // 0) <= 0 or .rtt_ns >= 2000000000 then "seq \(.seq): rtt \(.rtt_ns)" else empty end),
		   (if (.residence_ns // 0) <= 0 or .residence_ns >= 1000000000 then "seq \(.seq): residence \(.residence_ns)" else empty end),
		   (if .t1_ns > .t2_ns + 2000000 or .t3_ns > .t4_ns + 2000000 then "seq \(.seq): T1 \(.t1_ns) T2 \(.t2_ns) T3 \(.t3_ns) T4 \(.t4_ns)" else empty end))
		] | .[]' <<<"$1") || out="not JSON: $1"
	if [ -n "$out" ]; then
		twamp_log "FAIL: ping results"
		printf '%s\n' "$out" | head -n 20 | sed 's/^/#   /'
		return 1
	fi
}

# test_ping FAMILY FORMAT SIZE: `twamp-ctl ping` against the userspace
# reflector, stateful, which counts from 0 as the sender does; the reply is
# as long as the request, or the reflector header when that is longer.
test_ping()
{
	local fam=$1 fmt=$2 size=$3 dst=10.0.0.2 args=() uargs=() base=41
	local out rc

	twamp_mod_get
	rc=$?
	if [ $rc -ne 0 ]; then
		[ $rc -eq "$KSFT_SKIP" ] || TWAMP_SKIP_REASON="cannot load twamp.ko"
		return $KSFT_SKIP
	fi
	[ "$fam" = 6 ] && dst=2001:db8::2
	if [ "$fmt" = stamp ]; then
		args=(--stamp --ssid 7)
		uargs=(--stamp)
		base=44
	fi
	ur_start "-$fam" "${uargs[@]}" --stateful || return 1
	out=$(sns "$TWAMP_CTL" ping "-$fam" "${args[@]}" -c 4 -i 20ms -W 2 \
		-t 64 -s "$size" -p "$PORT" -j $dst) ||
		twamp_log "ping exited with $?"
	ping_check "$out" 4 $((size > base ? size : base)) 64 0 ||
		{ ur_stop; return 1; }
	ur_stop && counters_are "rx=4 tx=4"
}

# test_kernel_keyed MODE FAMILY: the kernel sender keyed (twamp-ctl test
# sets up the session over TWAMP-Control and hands it the derived keys)
# against the userspace reflector (twampd --backend user): two independent
# implementations of the RFC 5357 4.1.2 crypto. The kernel checks each
# reply's HMAC; 200-octet requests get 200-octet replies.
test_kernel_keyed()
{
	local mode=$1 fam=$2 dst=10.0.0.2 out rc

	twamp_mod_get
	rc=$?
	if [ $rc -ne 0 ]; then
		[ $rc -eq "$KSFT_SKIP" ] || TWAMP_SKIP_REASON="cannot load twamp.ko"
		return $KSFT_SKIP
	fi
	[ -x "$TWAMPD" ] || { twamp_log "FAIL: $TWAMPD not built"; return 1; }
	[ "$fam" = 6 ] && dst=2001:db8::2
	printf 'k1 74776f2d7761792d736563726574\n' >"$TMP/keys"
	chmod 600 "$TMP/keys"
	: >"$TMP/empty.conf"
	next_port
	ip netns exec "$NS_R" "$TWAMPD" -f -c "$TMP/empty.conf" -p "$PORT" \
		--backend user --modes "$mode" --key-file "$TMP/keys" \
		--port-range 24000-24099 >"$TMP/twampd.log" 2>&1 &
	TWAMPD_PID=$!
	for _ in $(seq 100); do
		grep -q " ready: " "$TMP/twampd.log" && break
		sleep 0.2
	done
	out=$(sns "$TWAMP_CTL" test -m "$mode" -k "$TMP/keys" -K k1 -p "$PORT" \
		"-$fam" -c 4 -i 20ms -W 2 -s 200 -t 64 -j $dst 2>"$TMP/err")
	rc=$?
	kill -TERM "$TWAMPD_PID"
	wait "$TWAMPD_PID"
	if [ $? -ne 0 ] || [ $rc -ne 0 ] ||
	   grep -qE 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$TMP/twampd.log"; then
		TWAMPD_PID=
		twamp_log "FAIL: twamp-ctl test -m $mode -> $rc: $(cat "$TMP/err")"
		sed 's/^/#   /' "$TMP/twampd.log" | tail -n 20
		return 1
	fi
	TWAMPD_PID=
	twamp_check "twampd reflected in userspace" \
		grep -q "backend: user" "$TMP/twampd.log" &&
	ping_check "$out" 4 200 64 0
}

# --- every field of open replies ------------------------------------------------

test_fields_light()
{
	ur_start -4 || return 1
	send -n 6 -s 14,20,41,42,100,1400 --ttl 17 -q 4000000000 10.0.0.2 "$PORT" &&
	send -n 2 --dscp 10 --ecn 1 10.0.0.2 "$PORT" &&
	# from the second address: answered from the one it was sent to
	send -n 2 -b 10.0.0.9 10.0.0.2 "$PORT" || { ur_stop; return 1; }
	ur_stop && counters_are "rx=10 tx=10"
}

test_fields_stamp()
{
	ur_start -6 --stamp || return 1
	send -f stamp -n 3 -s 14,44,100 --ssid 513 2001:db8::2 "$PORT" &&
	send -f stamp --tlv 1:8,9:4 --tlv-flags 0,0x80 2001:db8::2 "$PORT" &&
	send -f stamp --bad-tlv 1:8:9 --tlv-flags 0xc0 2001:db8::2 "$PORT" &&
	# a TWAMP Light sender interworks: the 44-octet base packet
	send -f light --refl-format stamp --dscp 34 2001:db8::2 "$PORT" ||
		{ ur_stop; return 1; }
	ur_stop && counters_are "rx=6 tx=6"
}

test_dscp()
{
	local p4

	UR=a ur_start -4 --dscp 46 || return 1
	p4=$PORT
	UR=b ur_start -6 --dscp 46 || { UR=a ur_stop; return 1; }
	send -n 2 --dscp 10 --refl-dscp 46 10.0.0.2 "$p4" &&
	send -n 2 --dscp 10 --refl-dscp 46 2001:db8::2 "$PORT" &&
	# link-local: the reply must leave by the device it came in by
	send -n 2 --dscp 10 --refl-dscp 46 fe80::2%s0 "$PORT" ||
		{ UR=a ur_stop; UR=b ur_stop; return 1; }
	UR=a ur_stop && UR=b ur_stop &&
	UR=a counters_are "rx=2 tx=2" && UR=b counters_are "rx=4 tx=4"
}

test_stateful_reflect()
{
	ur_start -4 --stateful --reflect-len 20 || return 1
	pysend --stateful --reflect-len 20 --count 5 --size 14,41,61,100,300 \
		10.0.0.2 "$PORT" || { ur_stop; return 1; }
	ur_stop && counters_are "rx=5 tx=5"
}

# --- keyed modes ----------------------------------------------------------------

# test_keyed MODE FAMILY
test_keyed()
{
	local mode=$1 fam=$2 dst=10.0.0.2 keys

	[ "$fam" = 6 ] && dst=2001:db8::2
	keys=(--aes-key "$AES" --hmac-key "$HMAC")
	ur_start "-$fam" --security "$mode" "${keys[@]}" --stateful \
		--reflect-len 8 || return 1
	# answered, checked; a wrong HMAC, the wrong AES key and every
	# length under 48 octets: dropped, counted, no reply; then the
	# session's Sequence Number goes on from 5
	pysend --mode "$mode" "${keys[@]}" --stateful --reflect-len 8 \
		--size 48,49,112,176,400 --ttl 33 --timeout 500 \
		--steps good:5,corrupt:2,wrongkey:1,short,good:1 $dst "$PORT" ||
		{ ur_stop; return 1; }
	ur_stop && counters_are "rx=57 tx=6 short=48 auth=3"
}

# Only the configured peer, address and port, is answered.
test_peer()
{
	ur_start -4 --peer 10.0.0.1:5555 || return 1
	send -p 5555 -n 2 10.0.0.2 "$PORT" &&
	send --expect none --timeout 300 -p 5556 -n 2 10.0.0.2 "$PORT" &&
	send --expect none --timeout 300 -b 10.0.0.9 -p 5555 10.0.0.2 "$PORT" ||
		{ ur_stop; return 1; }
	ur_stop && counters_are "rx=5 tx=2 peer=3"
}

# --- robustness -------------------------------------------------------------------

# Three reflectors (TWAMP Light with reflected octets, STAMP, encrypted)
# get 603 datagrams each, from 0 to 200 octets, zeros and random. Each exits
# cleanly and counts them as it should: under the sender header (14, keyed
# 48) short, keyed ones failing the HMAC, open ones with a zero Error
# Estimate multiplier invalid, the rest reflected; the open ones still
# answer a valid packet afterwards.
test_garbage()
{
	local n short zero p0

	UR=l ur_start -4 --reflect-len 20 || return 1
	p0=$PORT
	UR=s ur_start -4 --stamp &&
	UR=e ur_start -4 --security encrypt --aes-key "$AES" \
		--hmac-key "$HMAC" || { UR=l ur_stop; UR=s ur_stop; return 1; }
	read -r n short zero < <(py garbage --seed 42 10.0.0.2 \
				 "$p0" $((p0 + 1)) $((p0 + 2)))
	send -n 1 10.0.0.2 "$p0" && send -n 1 -f stamp 10.0.0.2 $((p0 + 1)) ||
		{ UR=l ur_stop; UR=s ur_stop; UR=e ur_stop; return 1; }
	UR=l ur_stop && UR=s ur_stop && UR=e ur_stop || return 1
	[ "$n" = 603 ] || { twamp_log "FAIL: sent ${n:-none}, not 603"; return 1; }
	UR=e counters_are "rx=603 short=144 auth=459" &&
	UR=l counters_are "rx=604 tx=$((604 - short - zero)) short=$short invalid=$zero" &&
	UR=s counters_are "rx=604 tx=$((604 - short - zero)) short=$short invalid=$zero"
}

# Three sessions on one reflector thread, each answering; then their
# sockets closed and reopened twenty times (SIGHUP: urefl_session_del and
# _add from the main thread) while a flood keeps the thread busy. Every
# session still answers afterwards, the counters add up, nothing leaks.
test_churn()
{
	local p0 flood rx tx

	ur_start -4 --sessions 3 || return 1
	p0=$PORT
	PORT=$((PORT + 2))
	send -n 1 10.0.0.2 "$p0" && send -n 1 10.0.0.2 $((p0 + 1)) &&
	send -n 1 10.0.0.2 $((p0 + 2)) || { ur_stop; return 1; }
	sns "$TWAMP_SENDER" --flood -n 2000 -i 1000 10.0.0.2 $((p0 + 1)) \
		>/dev/null 2>&1 &
	flood=$!
	for _ in $(seq 20); do
		kill -HUP "${UR_PIDS[$UR]}"
		sleep 0.05
	done
	wait $flood
	send -n 1 10.0.0.2 "$p0" && send -n 1 10.0.0.2 $((p0 + 1)) &&
	send -n 1 10.0.0.2 $((p0 + 2)) || { ur_stop; return 1; }
	ur_stop || return 1
	read -r _ rx _ tx _ <<<"$(tail -n 1 "$TMP/$UR.out")"
	if [ $((rx)) -lt 6 ] || [ $((rx)) -gt 2006 ] || [ "$rx" != "$tx" ]; then
		twamp_log "FAIL: counters: $(tail -n 1 "$TMP/$UR.out")"
		return 1
	fi
	twamp_log "$((rx - 6)) of 2000 flood packets reflected across the reopens"
}

# REFWAIT: the reflector stops by itself once no packet came for that
# long, and each packet starts it again: two packets 3 s apart, both
# answered, and the stop no sooner than REFWAIT after the second. REFWAIT
# is long enough for a slow emulated guest to get its first packet in.
test_refwait()
{
	local t0 t1

	ur_start -4 --refwait 8 || return 1
	t0=$(date +%s%N)
	send -n 2 -i 3000000 10.0.0.2 "$PORT" || { ur_stop; return 1; }
	ur_wait || return 1
	t1=$(date +%s%N)
	if ! grep -q 'REFWAIT' "$TMP/$UR.out"; then
		twamp_log "FAIL: the reflector did not stop for REFWAIT"
		sed 's/^/#   /' "$TMP/$UR.out"
		return 1
	fi
	if [ $(((t1 - t0) / 1000000)) -lt 11000 ]; then
		twamp_log "FAIL: stopped $(((t1 - t0) / 1000000)) ms after the first packet"
		return 1
	fi
	counters_are "rx=2 tx=2"
}

# The Error Estimate follows the clock: S with the kernel's esterror (here
# 1 ms: 0x8f84) once synchronized, 10 ms without S (0x12a4) when not. Only
# on a clock nothing disciplines (the guest's), which is put back after.
test_error_estimate()
{
	local st

	ur_start -4 || return 1
	python3 "$PY" adjtimex synced 1000
	st=$?
	if [ $st -eq 4 ]; then
		ur_stop
		# shellcheck disable=SC2034 # read by twamp_run_test
		TWAMP_SKIP_REASON="the clock is synchronized by something else"
		return "$KSFT_SKIP"
	fi
	[ $st -eq 0 ] || { ur_stop; return 1; }
	ADJTIMEX_RESTORE=1
	# the reflector reads the clock's state once a second, or up to two
	# when a wake-up falls just short of one
	sleep 2.5
	send -n 1 --refl-ee 0x8f84 10.0.0.2 "$PORT" || { ur_stop; return 1; }
	python3 "$PY" adjtimex unsynced
	ADJTIMEX_RESTORE=0
	sleep 2.5
	send -n 1 --refl-ee 0x12a4 10.0.0.2 "$PORT" || { ur_stop; return 1; }
	ur_stop && counters_are "rx=2 tx=2"
}

# refused MESSAGE ARGS...: twamp-ureflect ARGS must exit with 1 and say
# why, not start reflecting.
refused()
{
	local msg=$1 out rc

	shift
	out=$(timeout 10 ip netns exec "$NS_R" "$TWAMP_UREFLECT" "$@" 2>&1)
	rc=$?
	if [ $rc -ne 1 ] || ! grep -q '^twamp-ureflect: ' <<<"$out"; then
		twamp_log "FAIL: $msg: twamp-ureflect $* -> exit $rc"
		printf '%s\n' "$out" | head -n 20 | sed 's/^/#   /'
		return 1
	fi
}

test_bad_args()
{
	local rc

	refused "auth without keys" --security auth &&
	refused "short AES key" --security auth --aes-key 0011 \
		--hmac-key $HMAC &&
	refused "non-hex HMAC key" --security encrypt --aes-key $AES \
		--hmac-key "${HMAC/f/g}" &&
	refused "keys in open mode" --aes-key $AES &&
	refused "STAMP with keys" --stamp --security auth --aes-key $AES \
		--hmac-key $HMAC &&
	refused "bad port" -p 65536 &&
	refused "bad DSCP" --dscp 64 &&
	refused "no sessions" --sessions 0 &&
	refused "ports past 65535" -p 65535 --sessions 2 &&
	refused "bad peer" --peer 10.0.0.1:x &&
	refused "mixed families" -a 10.0.0.2 --peer '[2001:db8::1]:5' &&
	refused "address not local" -a 10.9.9.9 || return 1
	ur_start -4 || return 1
	refused "port in use" -4 -p "$PORT"
	rc=$?
	ur_stop && [ $rc -eq 0 ] && counters_are ""
}

twamp_ktap_plan 18
if ! setup; then
	twamp_exit_fail "cannot set up the namespaces"
fi
twamp_run_test "ping: kernel sender, TWAMP Light, IPv4, 14 octets" test_ping 4 light 14
twamp_run_test "ping: kernel sender, TWAMP Light, IPv6, 300 octets" test_ping 6 light 300
twamp_run_test "ping: kernel sender, STAMP, IPv4, 44 octets" test_ping 4 stamp 44
twamp_run_test "ping: kernel sender, STAMP, IPv6, 1000 octets" test_ping 6 stamp 1000
twamp_run_test "keyed: kernel sender, authenticated, IPv4" test_kernel_keyed auth 4
twamp_run_test "keyed: kernel sender, encrypted, IPv6" test_kernel_keyed encrypt 6
twamp_run_test "fields: TWAMP Light, sizes, TTL, DSCP copied, source address" test_fields_light
twamp_run_test "fields: STAMP, SSID, TLV flags, Light interworking" test_fields_stamp
twamp_run_test "dscp: the configured DSCP on replies, IPv4, IPv6, link-local" test_dscp
twamp_run_test "stateful: own Sequence Number, RFC 6038 reflected octets" test_stateful_reflect
twamp_run_test "auth: IPv4, every field, wrong HMAC and keys dropped" test_keyed auth 4
twamp_run_test "encrypt: IPv6, every field, wrong HMAC and keys dropped" test_keyed encrypt 6
twamp_run_test "peer: only the configured address and port" test_peer
twamp_run_test "garbage: TWAMP Light, STAMP, encrypted" test_garbage
twamp_run_test "sessions: three on one thread, reopened under traffic" test_churn
twamp_run_test "refwait: stops after REFWAIT without packets" test_refwait
twamp_run_test "error estimate: follows the clock's sync state" test_error_estimate
twamp_run_test "usage: bad arguments are refused" test_bad_args
twamp_ktap_finish
