#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The kernel TWAMP Light / STAMP reflector, end to end: a sender namespace
# and a reflector namespace joined by veth pairs (IPv4, IPv6 without DAD),
# reflectors made with twamp-ctl, test packets sent and every reply checked
# field by field by twamp_sender. Asserts what is reflected and how, what
# is dropped and under which counter (rx = tx + drops, always), the ACL and
# the rate limit, a capture decoded by tshark, the CLI's output and errors,
# and that namespaces and the module can go away under traffic.
#
#   S (sender)                          R (reflector)
#   s0 10.0.0.1 10.0.0.9    --veth--    r0 10.0.0.2
#      2001:db8::1 ::9 fe80::1             2001:db8::2 fe80::2
#   s1 10.0.1.1             --veth--    r1 10.0.1.2
#
# Each test makes its reflectors on ports of its own and deletes them.

# Test functions run through twamp_run_test.
# shellcheck disable=SC2317
source "$(dirname "$(readlink -f "$0")")/lib.sh"

twamp_require_root
twamp_require_cmd ip jq nstat ss modprobe
[ -x "$TWAMP_SENDER" ] ||
	twamp_exit_fail "$TWAMP_SENDER not built: run make -C selftests first"
[ -x "$TWAMP_CTL" ] ||
	twamp_exit_fail "$TWAMP_CTL not built: run make programs first"
if [ -z "${TWAMPD:-}" ]; then
	TWAMPD=$TWAMP_ST_DIR/../build/san/twampd
	[ -x "$TWAMPD" ] || TWAMPD=$TWAMP_ST_DIR/../build/twampd
fi
twamp_mod_get
case $? in
0) ;;
"$KSFT_SKIP") twamp_exit_skip "$TWAMP_SKIP_REASON" ;;
*) twamp_exit_fail "cannot load twamp.ko" ;;
esac
modprobe -q veth 2>/dev/null

NS_S=
NS_R=
BG_PIDS=()
PORT=
PORT_NEXT=20001
TMP=$(mktemp -d "${TMPDIR:-/tmp}/twamp-reflector.XXXXXX") ||
	twamp_exit_fail "mktemp failed"

twamp_cleanup_hook()
{
	local pid

	for pid in "${BG_PIDS[@]}"; do
		kill "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	done
	BG_PIDS=()
	rm -rf "$TMP"
}

sns() { ip netns exec "$NS_S" "$@"; }
rns() { ip netns exec "$NS_R" "$@"; }
ctl() { ip netns exec "$NS_R" "$TWAMP_CTL" "$@"; }

# next_port [N]: PORT is the first of N (default 1) ports no other test
# uses: PORT, PORT + 1...
next_port()
{
	PORT=$PORT_NEXT
	PORT_NEXT=$((PORT_NEXT + ${1:-1}))
}

setup()
{
	twamp_netns_add NS_S s && twamp_netns_add NS_R r || return 1
	ip link add s0 netns "$NS_S" type veth peer name r0 netns "$NS_R" &&
	ip link add s1 netns "$NS_S" type veth peer name r1 netns "$NS_R" ||
		return 1
	sns ip addr add 10.0.0.1/24 dev s0 &&
	sns ip addr add 10.0.0.9/24 dev s0 &&
	sns ip addr add 2001:db8::1/64 dev s0 nodad &&
	sns ip addr add 2001:db8::9/64 dev s0 nodad &&
	sns ip addr add fe80::1/64 dev s0 nodad &&
	sns ip addr add 10.0.1.1/24 dev s1 &&
	rns ip addr add 10.0.0.2/24 dev r0 &&
	rns ip addr add 2001:db8::2/64 dev r0 nodad &&
	rns ip addr add fe80::2/64 dev r0 nodad &&
	rns ip addr add 10.0.1.2/24 dev r1 || return 1
	# what the IP layer lets through must not depend on the host's
	# defaults (test_broadcast_source needs a packet that passes it)
	rns sysctl -qw net.ipv4.conf.all.rp_filter=0 \
		net.ipv4.conf.default.rp_filter=0 net.ipv4.conf.r0.rp_filter=0 &&
	sns ip link set s0 up && sns ip link set s1 up &&
	rns ip link set r0 up && rns ip link set r1 up
}

# send ARGS...: run twamp_sender in S; it checks every reply.
send()
{
	twamp_check "twamp_sender $*" sns "$TWAMP_SENDER" "$@"
}

# send_n VAR ARGS...: the same, and store the number of replies and the
# microseconds from the first packet to the last, "N US", in VAR.
send_n()
{
	local _var=$1 _out _rc

	shift
	_out=$(sns "$TWAMP_SENDER" "$@" 2>&1)
	_rc=$?
	if [ "$_rc" -ne 0 ]; then
		twamp_log "FAIL: twamp_sender $* -> exit $_rc"
		printf '%s\n' "$_out" | sed 's/^/#   /'
		return 1
	fi
	_out=$(sed -n 's/.* in \([0-9]*\) us .* \([0-9][0-9]*\) replies, .*/\2 \1/p' \
	       <<<"$_out")
	printf -v "$_var" '%s' "$_out"
}

# No reply to any of the packets ARGS... describe, within 150 ms each.
send_none()
{
	send --expect none --timeout 150 "$@"
}

# refl_add VAR ARGS...: add a reflector in R, store its ID in VAR.
refl_add()
{
	local _var=$1 _out _id

	shift
	if ! _out=$(ctl reflector add "$@" -j 2>"$TMP/stderr"); then
		twamp_log "FAIL: reflector add $*: $(cat "$TMP/stderr")"
		return 1
	fi
	# [{"id":N,...: no jq here, it is slow in the (emulated) guest
	_id=${_out#\[\{\"id\":}
	_id=${_id%%,*}
	if ! [[ $_id =~ ^[0-9]+$ ]]; then
		twamp_log "FAIL: reflector add $*: no ID in: $_out"
		return 1
	fi
	printf -v "$_var" '%s' "$_id"
}

refl_del()
{
	twamp_check "reflector del $1" ctl reflector del "$1"
}

COUNTERS="rx tx short length acl rate no_session csum auth invalid nomem xmit replay source_limit"

# counters_are ID "rx=N tx=N reason=N...": the reflector's counters are
# exactly these (the others 0), and rx = tx + the sum of the drops.
counters_are()
{
	local id=$1 want=$2 json got exp c v

	json=$(ctl reflector show "$id" -j) || {
		twamp_log "FAIL: reflector show $id"
		return 1
	}
	got=$(jq -r '.[0].counters as $c |
		     ("'"$COUNTERS"'" | split(" ") | map("\(.)=\($c[.])") |
		      join(" ")) +
		     (if $c.rx == $c.tx + $c.short + $c.length + $c.acl +
			  $c.rate + $c.no_session + $c.csum + $c.auth +
			  $c.invalid + $c.nomem + $c.xmit + $c.replay +
			  $c.source_limit
		      then "" else " (rx != tx + drops)" end)' <<<"$json")
	exp=
	for c in $COUNTERS; do
		v=
		[[ " $want" =~ \ $c=([0-9]+) ]] && v=${BASH_REMATCH[1]}
		exp+="${exp:+ }$c=${v:-0}"
	done
	if [ "$got" != "$exp" ]; then
		twamp_log "FAIL: reflector $id counters"
		twamp_log "  got:  $got"
		twamp_log "  want: $exp"
		return 1
	fi
}

# nstat COUNTER in NS, absolute.
nstat_get()
{
	ip netns exec "$1" nstat -az "$2" | awk -v c="$2" '$1 == c { print $2 }'
}

# --- reflection ----------------------------------------------------------

# Every combination of format, address family and timestamp format. The
# sender writes the other timestamp format than the reflector: it only
# echoes T1. Three rounds: base packets; padded (light) or with an Extra
# Padding TLV and an SSID (STAMP), low TTL, high sequence numbers; and a
# request shorter than the reflector's header, which it zero-extends.
test_reflect()
{
	local fmt=$1 fam=$2 ts=$3 dst sts ee id port big short

	next_port
	port=$PORT
	if [ "$fam" = 4 ]; then dst=10.0.0.2; else dst=2001:db8::2; fi
	if [ "$ts" = ptp ]; then ee=0x52a4 sts=ntp; else ee=0x12a4 sts=ptp; fi
	if [ "$fmt" = light ]; then
		big=(-s 300)
		short=(-f light -s 20)
	else
		big=(--tlv 1:256 --ssid 0xbeef)
		short=(-f light)	# a 14-octet TWAMP packet: 44 back
	fi
	refl_add id port "$port" format "$fmt" ts "$ts" || return 1
	send -f "$fmt" -t "$sts" --refl-ee "$ee" -n 4 "$dst" "$port" &&
	send -f "$fmt" -t "$sts" --refl-ee "$ee" -q 4294967290 -n 3 --ttl 1 \
		"${big[@]}" "$dst" "$port" &&
	send "${short[@]}" --refl-format "$fmt" --refl-ee "$ee" --ttl 255 \
		"$dst" "$port" &&
	counters_are "$id" "rx=8 tx=8" && refl_del "$id"
}

# DSCP keep: the received DSCP goes back, ECN cleared.
test_dscp_keep()
{
	local id

	next_port
	refl_add id port "$PORT" || return 1
	send --dscp 46 --ecn 1 10.0.0.2 "$PORT" &&
	send --dscp 10 --ecn 3 10.0.0.2 "$PORT" &&
	send --dscp 63 --ecn 2 2001:db8::2 "$PORT" &&
	send --dscp 0 --ecn 3 2001:db8::2 "$PORT" &&
	counters_are "$id" "rx=4 tx=4" && refl_del "$id"
}

# DSCP set: the configured DSCP whatever was received.
test_dscp_set()
{
	local id

	next_port
	refl_add id port "$PORT" dscp 34 format stamp || return 1
	send -f stamp --dscp 46 --ecn 1 --refl-dscp 34 10.0.0.2 "$PORT" &&
	send -f stamp --dscp 0 --refl-dscp 34 2001:db8::2 "$PORT" &&
	counters_are "$id" "rx=2 tx=2" && refl_del "$id"
}

# The namespace's clock state is the reflector's Error Estimate, at once.
test_clock()
{
	local light stamp ok=0

	next_port 2
	refl_add light port "$PORT" || return 1
	refl_add stamp port "$((PORT + 1))" format stamp ts ptp || return 1
	twamp_check "clock set" ctl clock set synced yes error 1ms &&
	twamp_expect "clock show -j" \
		'{"synced":true,"error_ns":1000000,"error_estimate":36740}' \
		ctl clock show -j &&
	send --refl-ee 0x8f84 10.0.0.2 "$PORT" &&
	send -f stamp --refl-ee 0xcf84 2001:db8::2 "$((PORT + 1))" &&
	twamp_check "clock set" ctl clock set synced no error 1us &&
	send --refl-ee 0x0587 2001:db8::2 "$PORT" &&
	send -f stamp --refl-ee 0x4587 10.0.0.2 "$((PORT + 1))" || ok=1
	# back to the default, whatever happened
	twamp_check "clock set" ctl clock set synced no error 10ms || ok=1
	[ "$ok" = 0 ] &&
	send --refl-ee 0x12a4 10.0.0.2 "$PORT" &&
	counters_are "$light" "rx=3 tx=3" && counters_are "$stamp" "rx=2 tx=2" &&
	refl_del "$light" && refl_del "$stamp"
}

# RFC 8972 TLVs: Extra Padding understood (U cleared), anything else not
# (U set), a TLV running past the end gets M and ends the processing.
test_stamp_tlvs()
{
	local id light

	next_port
	refl_add id port "$PORT" format stamp || return 1
	# known, unknown, unknown with an empty value
	send -f stamp --tlv 1:8 --tlv 3:4 --tlv 200:0 \
		--tlv-flags 0x00,0x80,0x80 10.0.0.2 "$PORT" &&
	# U set whatever the sender wrote in the flags, other flags kept
	send -f stamp --tlv 1:6:0x00 --tlv 7:16:0x00 --tlv 4:4:0x10 \
		--tlv-flags 0x00,0x80,0x90 2001:db8::2 "$PORT" &&
	# malformed last: M; its zero value octets, which would parse as
	# TLVs, must come back untouched
	send -f stamp --pad zero --tlv 1:4 --bad-tlv 5:20:100 \
		--tlv-flags 0x00,0xc0 10.0.0.2 "$PORT" &&
	# malformed first
	send -f stamp --pad zero --bad-tlv 1:8:9 --tlv-flags 0xc0 \
		2001:db8::2 "$PORT" &&
	# two octets after the last TLV: too short for a header, unchanged
	send -f stamp --tlv 1:4 -s 54 --tlv-flags 0x00 10.0.0.2 "$PORT" &&
	# a STAMP packet shorter than 44 octets: 44 back, SSID echoed
	send -f stamp --ssid 0x1234 -s 16 10.0.0.2 "$PORT" &&
	# 42 octets of TWAMP padding: 44 back, octets 41-43 zeroed
	send -f light -s 42 --refl-format stamp 2001:db8::2 "$PORT" &&
	# SSIDs come back whatever they are
	send -f stamp --ssid 65535 -n 2 2001:db8::2 "$PORT" &&
	counters_are "$id" "rx=9 tx=9" && refl_del "$id" || return 1

	# TWAMP Light treats all that as padding: the flags come back as sent
	next_port
	refl_add light port "$PORT" format light || return 1
	send -f stamp --ssid 7 --tlv 1:8:0x80 --tlv 3:4:0x00 \
		--refl-format light --tlv-flags 0x80,0x00 10.0.0.2 "$PORT" &&
	counters_are "$light" "rx=1 tx=1" && refl_del "$light"
}

# --- drops ---------------------------------------------------------------

# Shorter than the 14-octet sender header: short, nothing sent.
test_runts()
{
	local id stamp

	next_port 2
	refl_add id port "$PORT" || return 1
	refl_add stamp port "$((PORT + 1))" format stamp || return 1
	send_none -s 0,1,4,12,13 10.0.0.2 "$PORT" &&
	send_none -s 0,1,4,12,13 2001:db8::2 "$PORT" &&
	send_none -s 13 10.0.0.2 "$((PORT + 1))" &&
	# the boundary: 14 octets are a packet
	send -s 14 10.0.0.2 "$PORT" &&
	send -s 14 --refl-format stamp 10.0.0.2 "$((PORT + 1))" &&
	counters_are "$id" "rx=11 tx=1 short=10" &&
	counters_are "$stamp" "rx=2 tx=1 short=1" &&
	refl_del "$id" && refl_del "$stamp"
}

# More than 9000 octets of UDP payload: length. Jumbo MTU so that 9000
# goes unfragmented; a fragmented 20000 is dropped just the same.
test_oversized()
{
	local id stamp ok=0

	next_port 2
	refl_add id port "$PORT" || return 1
	refl_add stamp port "$((PORT + 1))" format stamp || return 1
	sns ip link set s0 mtu 9500 && rns ip link set r0 mtu 9500 || return 1
	send -s 9000 10.0.0.2 "$PORT" &&
	send -s 9000 2001:db8::2 "$PORT" &&
	send -f stamp --tlv 1:8952 10.0.0.2 "$((PORT + 1))" &&
	send_none -s 9001 10.0.0.2 "$PORT" &&
	send_none -s 9001,9400 2001:db8::2 "$PORT" &&
	send_none -s 20000 10.0.0.2 "$PORT" &&
	send_none -f stamp --tlv 1:8953 2001:db8::2 "$((PORT + 1))" || ok=1
	sns ip link set s0 mtu 1500 && rns ip link set r0 mtu 1500 || ok=1
	[ "$ok" = 0 ] &&
	counters_are "$id" "rx=6 tx=2 length=4" &&
	counters_are "$stamp" "rx=2 tx=1 length=1" &&
	refl_del "$id" && refl_del "$stamp"
}

# A zero Error Estimate multiplier marks a corrupt packet (RFC 4656
# 4.1.2): invalid. Any other value is echoed as it came.
test_multiplier_zero()
{
	local id stamp

	next_port 2
	refl_add id port "$PORT" || return 1
	refl_add stamp port "$((PORT + 1))" format stamp || return 1
	send_none -e 0x0000,0x8000,0x3f00,0xff00 10.0.0.2 "$PORT" &&
	send_none -e 0x0000 2001:db8::2 "$PORT" &&
	send_none -f stamp -e 0x8000 10.0.0.2 "$((PORT + 1))" &&
	send -e 0x0001 10.0.0.2 "$PORT" &&
	send -e 0xffff 2001:db8::2 "$PORT" &&
	send -f stamp -e 0xbf01 10.0.0.2 "$((PORT + 1))" &&
	counters_are "$id" "rx=7 tx=2 invalid=5" &&
	counters_are "$stamp" "rx=2 tx=1 invalid=1" &&
	refl_del "$id" && refl_del "$stamp"
}

# Never answer to, or from, a broadcast or multicast address, an
# unspecified source or source port 0: invalid. Some of these the IP layer
# drops before (martians): then nothing reaches the reflector at all.
test_invalid_addresses()
{
	local id

	next_port
	refl_add id port "$PORT" || return 1
	send_none 10.0.0.255 "$PORT" &&
	send_none --dev s0 255.255.255.255 "$PORT" &&
	send_none "ff02::1%s0" "$PORT" &&
	send_none --raw --src :: 2001:db8::2 "$PORT" &&
	send_none --raw -p 0 10.0.0.2 "$PORT" &&
	send_none --raw -p 0 2001:db8::2 "$PORT" &&
	counters_are "$id" "rx=6 invalid=6" &&
	# martian sources: the IP layer drops them
	send_none --raw --src 0.0.0.0 10.0.0.2 "$PORT" &&
	send_none --raw --src 224.0.0.5 10.0.0.2 "$PORT" &&
	send_none --raw --src ff02::1 2001:db8::2 "$PORT" &&
	# the same raw path with a proper source is answered
	send --raw 10.0.0.2 "$PORT" && send --raw 2001:db8::2 "$PORT" &&
	counters_are "$id" "rx=8 tx=2 invalid=6" && refl_del "$id"
}

# The subnet's broadcast address as the source: without reverse path
# filtering (the default) the IP layer lets it through, and answering
# would broadcast the reply to every host on the link.
test_broadcast_source()
{
	local id

	next_port
	refl_add id port "$PORT" || return 1
	send_none --raw --src 10.0.0.255 10.0.0.2 "$PORT" &&
	counters_are "$id" "rx=1 invalid=1" && refl_del "$id"
}

# --- access list, rate limit --------------------------------------------

test_acl4()
{
	local id

	next_port
	refl_add id port "$PORT" allow 10.0.0.0/29 || return 1
	send -b 10.0.0.1 -n 2 10.0.0.2 "$PORT" &&
	send_none -b 10.0.0.9 -n 3 10.0.0.2 "$PORT" &&
	# an IPv6 source, with only IPv4 prefixes
	send_none -b 2001:db8::1 2001:db8::2 "$PORT" &&
	counters_are "$id" "rx=6 tx=2 acl=4" && refl_del "$id"
}

test_acl6()
{
	local id

	next_port
	refl_add id port "$PORT" format stamp allow 2001:db8::/125 \
		allow 10.0.0.1/32 || return 1
	send -f stamp -b 2001:db8::1 2001:db8::2 "$PORT" &&
	send_none -f stamp -b 2001:db8::9 -n 2 2001:db8::2 "$PORT" &&
	send -f stamp -b 10.0.0.1 10.0.0.2 "$PORT" &&
	send_none -f stamp -b 10.0.0.9 10.0.0.2 "$PORT" &&
	# link-local sources are outside 2001:db8::/125 too
	send_none -f stamp -b "fe80::1%s0" "fe80::2%s0" "$PORT" &&
	counters_are "$id" "rx=6 tx=2 acl=4" && refl_del "$id"
}

# burst_ok RATE "REPLIES US": a full bucket of RATE tokens answers RATE
# packets of a burst, plus what it refills while the burst is sent (RATE
# per second), plus one for the rounding.
burst_ok()
{
	local rate=$1 n=${2% *} us=${2#* } max

	max=$((rate + (rate * us + 999999) / 1000000 + 1))
	if [ "$n" -ge "$rate" ] && [ "$n" -le "$max" ]; then
		twamp_log "$n replies to a burst sent in $us us (rate $rate, $rate to $max)"
		return 0
	fi
	twamp_log "FAIL: $n replies to a burst sent in $us us, want $rate to $max"
	return 1
}

# RATE packets per second per source with a burst of RATE: of a burst of
# 50, RATE are answered, the rest counted as rate. Two seconds later the
# bucket is full again, and no fuller. Another reflector has buckets of its
# own.
test_rate_limit()
{
	local id id6 b1 b2 b3 tx

	next_port 2
	refl_add id port "$PORT" rate-limit 10 || return 1
	refl_add id6 port "$((PORT + 1))" rate-limit 5 format stamp || return 1
	send_n b1 -n 50 --replies 0:50 --timeout 200 10.0.0.2 "$PORT" &&
	burst_ok 10 "$b1" || return 1
	sleep 2
	send_n b2 -q 100 -n 50 --replies 0:50 --timeout 200 10.0.0.2 "$PORT" &&
	burst_ok 10 "$b2" || return 1
	tx=$((${b1% *} + ${b2% *}))
	counters_are "$id" "rx=100 tx=$tx rate=$((100 - tx))" &&
	send_n b3 -f stamp -n 20 --replies 0:20 --timeout 200 \
		2001:db8::2 "$((PORT + 1))" &&
	burst_ok 5 "$b3" &&
	counters_are "$id6" "rx=20 tx=${b3% *} rate=$((20 - ${b3% *}))" &&
	refl_del "$id" && refl_del "$id6"
}

# --- the UDP layer before the reflector ----------------------------------

# A bad UDP checksum is dropped by UDP (UdpInCsumErrors), never reflected,
# never seen by the reflector. A zero checksum means none in IPv4.
test_bad_checksum()
{
	local id c4 c6

	next_port
	refl_add id port "$PORT" || return 1
	c4=$(nstat_get "$NS_R" UdpInCsumErrors)
	c6=$(nstat_get "$NS_R" Udp6InCsumErrors)
	send_none --bad-csum -n 3 10.0.0.2 "$PORT" &&
	send_none --bad-csum -n 2 2001:db8::2 "$PORT" &&
	send_none -f stamp --bad-csum -s 1000 10.0.0.2 "$PORT" &&
	twamp_expect "UdpInCsumErrors" $((c4 + 4)) \
		nstat_get "$NS_R" UdpInCsumErrors &&
	twamp_expect "Udp6InCsumErrors" $((c6 + 2)) \
		nstat_get "$NS_R" Udp6InCsumErrors &&
	counters_are "$id" "rx=0" &&
	send --raw 10.0.0.2 "$PORT" && send --raw 2001:db8::2 "$PORT" &&
	send --zero-csum 10.0.0.2 "$PORT" &&
	counters_are "$id" "rx=3 tx=3" && refl_del "$id"
}

# RFC 8200 section 8.1: a zero UDP checksum over IPv6 is invalid (RFC 6936
# exempts only tunnel protocols that say so, and TWAMP does not).
test_zero_checksum6()
{
	local id c6

	next_port
	refl_add id port "$PORT" || return 1
	c6=$(nstat_get "$NS_R" Udp6InCsumErrors)
	send_none --zero-csum -n 2 2001:db8::2 "$PORT" &&
	twamp_expect "Udp6InCsumErrors" $((c6 + 2)) \
		nstat_get "$NS_R" Udp6InCsumErrors &&
	counters_are "$id" "rx=0" && refl_del "$id"
}

# Requests larger than the MTU arrive in fragments, are reassembled and
# answered with a reply as large, fragmented on the way back.
test_fragmented()
{
	local id

	next_port
	refl_add id port "$PORT" || return 1
	send -s 3000 10.0.0.2 "$PORT" &&
	send -f stamp --refl-format light --tlv 1:4000 10.0.0.2 "$PORT" &&
	send -s 3000 2001:db8::2 "$PORT" &&
	send -f stamp --refl-format light --tlv 1:8000 2001:db8::2 "$PORT" &&
	counters_are "$id" "rx=4 tx=4" && refl_del "$id"
}

# --- binding --------------------------------------------------------------

test_link_local()
{
	local id

	next_port
	refl_add id port "$PORT" format stamp || return 1
	send -f stamp -n 2 "fe80::2%s0" "$PORT" &&
	send -f stamp -b "fe80::1%s0" --dev s0 "fe80::2%s0" "$PORT" &&
	counters_are "$id" "rx=3 tx=3" && refl_del "$id"
}

# A local address serves only its family, and shares its port with other
# addresses; a device only what arrives on it.
test_bound()
{
	local v4 v4b v6 dev

	next_port 3
	refl_add v4 local 10.0.0.2 port "$PORT" || return 1
	refl_add v4b local 10.0.1.2 port "$PORT" format stamp || return 1
	refl_add v6 local 2001:db8::2 port "$((PORT + 1))" || return 1
	refl_add dev dev r0 port "$((PORT + 2))" || return 1
	send 10.0.0.2 "$PORT" &&
	send_none 2001:db8::2 "$PORT" &&
	send -f stamp -n 2 10.0.1.2 "$PORT" &&
	send 2001:db8::2 "$((PORT + 1))" &&
	send_none 10.0.0.2 "$((PORT + 1))" &&
	send 10.0.0.2 "$((PORT + 2))" &&
	send 2001:db8::2 "$((PORT + 2))" &&
	send_none 10.0.1.2 "$((PORT + 2))" &&
	counters_are "$v4" "rx=1 tx=1" && counters_are "$v4b" "rx=2 tx=2" &&
	counters_are "$v6" "rx=1 tx=1" &&
	counters_are "$dev" "rx=2 tx=2" &&
	twamp_expect "dev in JSON" r0 \
		jq -r '.[0].dev' <<<"$(ctl reflector show "$dev" -j)" &&
	refl_del "$v4" && refl_del "$v4b" && refl_del "$v6" && refl_del "$dev"
}

# --- output path (kmod/xmit.c) --------------------------------------------

TRACE=/sys/kernel/tracing

# Calls of ip_local_out/ip6_local_out other than a UDP socket's send
# (twamp_sender's), while COMMAND... runs: the test packets and replies
# that took the IP output path.
ip_outputs()
{
	local n

	echo 0 >$TRACE/tracing_on && echo nop >$TRACE/current_tracer &&
	echo 'ip_local_out ip6_local_out' >$TRACE/set_ftrace_filter &&
	echo >$TRACE/trace && echo function >$TRACE/current_tracer &&
	echo 1 >$TRACE/tracing_on || return 1
	"$@" >/dev/null
	n=$?
	echo 0 >$TRACE/tracing_on
	if [ $n -ne 0 ]; then
		twamp_log "FAIL: $* -> exit $n"
		return 1
	fi
	grep -E ' ip6?_local_out <-' $TRACE/trace |
		grep -cvE '<-ip6?_send_skb'
	echo nop >$TRACE/current_tracer
	echo >$TRACE/set_ftrace_filter
}

# Five requests to PORT over IPv4 and five over IPv6.
send_both()
{
	sns "$TWAMP_SENDER" -n 5 10.0.0.2 "$1" &&
	sns "$TWAMP_SENDER" -n 5 2001:db8::2 "$1"
}

nft_available()
{
	[ -e $TRACE/current_tracer ] || mount -t tracefs nodev $TRACE 2>/dev/null
	if ! grep -qw function $TRACE/available_tracers 2>/dev/null; then
		TWAMP_SKIP_REASON="no function tracer in this kernel"
		return 1
	fi
	if ! command -v nft >/dev/null ||
	   ! rns nft add table inet twamp_probe 2>/dev/null; then
		TWAMP_SKIP_REASON="no nft, or no nf_tables in this kernel"
		return 1
	fi
	rns nft delete table inet twamp_probe
}

# NS NFT-COMMANDS: the table "twamp" in NS, a chain on the output hook.
nft_out()
{
	local ns=$1

	shift
	ip netns exec "$ns" nft -f - <<-EOF
	table inet twamp {
		chain out {
			type filter hook output priority 0;
			$*
		}
	}
	EOF
}

nft_packets()
{
	ip netns exec "$1" nft -j list table inet twamp |
		jq '[.nftables[].rule? | select(.) | .expr[] |
		     .counter? | select(.) | .packets] | add'
}

# Replies and the kernel sender's packets never go through ip_local_out():
# with no netfilter hook in the namespace they go from their headers
# straight to the neighbour layer, after their timestamp; with a rule on
# the output hook, xmit.c runs the hooks itself before it writes the
# timestamp again, and the rule sees every packet and can drop it.
test_output_path()
{
	local id n

	nft_available || return "$KSFT_SKIP"
	next_port
	refl_add id port "$PORT" || return 1
	send -n 10 10.0.0.2 "$PORT" && send -n 10 2001:db8::2 "$PORT" &&
	twamp_expect "IP output calls, no hook" 0 \
		ip_outputs sns "$TWAMP_SENDER" -n 10 10.0.0.2 "$PORT" &&
	twamp_expect "IP output calls, no hook, IPv6" 0 \
		ip_outputs sns "$TWAMP_SENDER" -n 10 2001:db8::2 "$PORT" &&
	twamp_expect "IP output calls, kernel sender, no hook" 0 \
		ip_outputs sns "$TWAMP_CTL" ping -q -c 5 -i 10ms -W 2 \
		-p "$PORT" 10.0.0.2 || return 1

	nft_out "$NS_R" "udp sport $PORT counter" || return 1
	twamp_expect "IP output calls, rule on the replies" 0 \
		ip_outputs send_both "$PORT" &&
	twamp_expect "the rule counted every reply" 10 nft_packets "$NS_R" &&
	rns nft flush chain inet twamp out &&
	rns nft add rule inet twamp out udp sport "$PORT" drop &&
	send_none 10.0.0.2 "$PORT" && send_none 2001:db8::2 "$PORT" &&
	rns nft delete table inet twamp &&
	twamp_expect "IP output calls, rule gone" 0 \
		ip_outputs sns "$TWAMP_SENDER" -n 10 10.0.0.2 "$PORT" &&
	nft_out "$NS_S" "udp dport $PORT counter" &&
	twamp_expect "IP output calls, rule on the kernel sender" 0 \
		ip_outputs sns "$TWAMP_CTL" ping -q -c 5 -i 10ms -W 2 \
		-p "$PORT" 10.0.0.2 &&
	twamp_expect "the rule counted every test packet" 5 \
		nft_packets "$NS_S" &&
	sns nft delete table inet twamp &&
	counters_are "$id" "rx=72 tx=72" && refl_del "$id"
}

# A device without checksum offload: the UDP checksum, left partial by the
# reflector, is computed in software after T3, and the sender's stack
# verifies it.
test_csum_in_software()
{
	local id c4 c6 rc

	if ! command -v ethtool >/dev/null; then
		TWAMP_SKIP_REASON="no ethtool"
		return "$KSFT_SKIP"
	fi
	next_port
	refl_add id port "$PORT" || return 1
	c4=$(nstat_get "$NS_S" UdpInCsumErrors)
	c6=$(nstat_get "$NS_S" Udp6InCsumErrors)
	rns ethtool -K r0 tx off >/dev/null || return 1
	send -n 4 10.0.0.2 "$PORT" && send -n 4 -s 1000 2001:db8::2 "$PORT"
	rc=$?
	rns ethtool -K r0 tx on >/dev/null
	[ $rc -eq 0 ] &&
	twamp_expect "UdpInCsumErrors at the sender" "$c4" \
		nstat_get "$NS_S" UdpInCsumErrors &&
	twamp_expect "Udp6InCsumErrors at the sender" "$c6" \
		nstat_get "$NS_S" Udp6InCsumErrors &&
	counters_are "$id" "rx=8 tx=8" && refl_del "$id"
}

# --- tshark ---------------------------------------------------------------

# "Nov 16, 2023 02:42:08.500000000 UTC" to nanoseconds since the epoch.
tshark_time_ns()
{
	local t=${1% UTC} s

	s=$(TZ=UTC date -d "${t%.*}" +%s) || return 1
	echo $((s * 1000000000 + 10#${t##*.}))
}

# |A - B| <= 1 ns, for timestamps through two conversions.
ns_close()
{
	local d=$(($1 - $2))

	[ "${d#-}" -le 1 ]
}

# Capture a reflection on r0 with dumpcap (tshark's capture engine; tshark
# -i itself takes ten seconds to start in the emulated guest), decode it
# with tshark's TWAMP-Test dissector and compare its fields with what was
# sent and with what twamp_sender read in the same reply.
test_tshark()
{
	local id pcap=$TMP/reflect.pcap log=$TMP/dumpcap.log pid i out dump
	local req rep f want got
	local -a r

	if ! command -v tshark >/dev/null || ! command -v dumpcap >/dev/null; then
		TWAMP_SKIP_REASON="no tshark or dumpcap"
		return "$KSFT_SKIP"
	fi
	next_port
	refl_add id port "$PORT" dscp 12 || return 1
	HOME=$TMP ip netns exec "$NS_R" dumpcap -i r0 -n -p -q -c 2 \
		-w "$pcap" -f "udp port $PORT" >"$log" 2>&1 &
	pid=$!
	BG_PIDS+=("$pid")
	for i in $(seq 100); do
		grep -q "Capturing on" "$log" && break
		sleep 0.1
	done
	dump=$(sns "$TWAMP_SENDER" --dump -q 4242 --ttl 42 -s 60 -e 0x8001 \
	       --dscp 5 --refl-dscp 12 10.0.0.2 "$PORT" 2>&1) || {
		twamp_log "FAIL: twamp_sender"
		printf '%s\n' "$dump" | sed 's/^/#   /'
		return 1
	}
	for i in $(seq 100); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$pid" 2>/dev/null; then
		twamp_log "FAIL: dumpcap did not see two packets"
		sed 's/^/#   /' "$log"
		return 1
	fi
	wait "$pid"
	BG_PIDS=()

	out=$(HOME=$TMP TZ=UTC tshark -r "$pcap" -n \
	      -d "udp.port==$PORT,twamp.test" -T fields -E 'separator=|' \
	      -e udp.srcport -e udp.length -e ip.ttl -e ip.dsfield.dscp \
	      -e ip.dsfield.ecn -e twamp.test.seq_number \
	      -e twamp.test.error_estimate -e twamp.test.mbz1 \
	      -e twamp.test.sender_seq_number \
	      -e twamp.test.sender_error_estimate -e twamp.test.mbz2 \
	      -e twamp.test.sender_ttl -e twamp.test.padding \
	      -e twamp.test.sender_timestamp -e twamp.test.receive_timestamp \
	      -e twamp.test.timestamp 2>/dev/null)
	req=$(sed -n 1p <<<"$out")
	rep=$(sed -n 2p <<<"$out")

	# the request: its length, TTL, DSCP, Sequence Number, Error Estimate
	IFS='|' read -ra r <<<"$req"
	twamp_expect "tshark: request" "68 42 5 4242 32769" \
		echo "${r[1]} ${r[2]} ${r[3]} ${r[5]} ${r[6]}" || return 1

	# the reply, field by field; 19 octets of padding: the request's
	# octets 41-59, unchanged
	IFS='|' read -ra r <<<"$rep"
	want="$PORT|68|255|12|0|4242|4772|0|4242|32769|0|42|"
	for i in $(seq 41 59); do
		want+=$(printf '%02x' $(((i * 31 + 4242 * 7 + 0x5a) & 0xff)))
	done
	twamp_expect "tshark: reply fields" "$want" \
		echo "${r[0]}|${r[1]}|${r[2]}|${r[3]}|${r[4]}|${r[5]}|${r[6]}|${r[7]}|${r[8]}|${r[9]}|${r[10]}|${r[11]}|${r[12]}" ||
		return 1

	# T1, T2, T3 as tshark reads them: what twamp_sender sent and read
	for f in t1:13 t2:14 t3:15; do
		want=$(sed -n "s/.* ${f%:*}=\([0-9]*\)\.\([0-9]*\).*/\1\2/p" \
		       <<<"$dump")
		got=$(tshark_time_ns "${r[${f#*:}]}") || return 1
		if ! ns_close "$got" "$((10#$want))"; then
			twamp_log "FAIL: tshark ${f%:*} '${r[${f#*:}]}' ($got ns), twamp_sender $want"
			return 1
		fi
	done
	counters_are "$id" "rx=1 tx=1" && refl_del "$id"
}

# --- twamp-ctl ------------------------------------------------------------

# The documented keys of a reflector in JSON, as one compact line.
JSON_KEYS='{id,local,port,dev,format,ts_format,dscp,allow,rate_limit,counters}'
ZERO='{"rx":0,"tx":0,"short":0,"length":0,"acl":0,"rate":0,"no_session":0,"csum":0,"auth":0,"invalid":0,"nomem":0,"xmit":0,"replay":0,"source_limit":0}'

json_keys()
{
	jq -c ".[] | $JSON_KEYS"
}

test_cli_show()
{
	local id id6 out json

	next_port
	out=$(ctl reflector add local 10.0.0.2 port "$PORT" format stamp ts ptp \
	      dscp 46 allow 10.0.0.0/29 allow 2001:db8::/125 rate-limit 100) ||
		return 1
	id=$(sed -n '1s/^reflector \([0-9]*\): .*/\1/p' <<<"$out")
	twamp_expect "add: human output" "reflector $id: 10.0.0.2:$PORT stamp ptp dscp 46 rate-limit 100/s
  allow 10.0.0.0/29 2001:db8::/125
  rx 0 tx 0 drop 0" echo "$out" &&
	twamp_expect "show ID: the same" "$out" ctl reflector show "$id" &&
	json=$(ctl reflector show "$id" -j) &&
	twamp_expect "show ID -j" "{\"id\":$id,\"local\":\"10.0.0.2\",\"port\":$PORT,\"dev\":null,\"format\":\"stamp\",\"ts_format\":\"ptp\",\"dscp\":46,\"allow\":[\"10.0.0.0/29\",\"2001:db8::/125\"],\"rate_limit\":100,\"counters\":$ZERO}" \
		json_keys <<<"$json" || return 1

	# traffic shows in the drop breakdown
	send -f stamp --dscp 46 --refl-ee 0x52a4 -n 2 10.0.0.2 "$PORT" &&
	send_none -s 5 10.0.0.2 "$PORT" &&
	send_none -b 10.0.0.9 10.0.0.2 "$PORT" &&
	twamp_expect "show after traffic" "reflector $id: 10.0.0.2:$PORT stamp ptp dscp 46 rate-limit 100/s
  allow 10.0.0.0/29 2001:db8::/125
  rx 4 tx 2 drop 2 short 1 acl 1" ctl reflector show "$id" || return 1

	# IPv6, a device, the defaults; add -j says what show -j says
	next_port
	out=$(ctl reflector add local 2001:db8::2 port "$PORT" dev r0 -j) &&
	id6=$(jq -er '.[0].id' <<<"$out") || return 1
	twamp_expect "add -j" "{\"id\":$id6,\"local\":\"2001:db8::2\",\"port\":$PORT,\"dev\":\"r0\",\"format\":\"light\",\"ts_format\":\"ntp\",\"dscp\":\"keep\",\"allow\":[],\"rate_limit\":0,\"counters\":$ZERO}" \
		json_keys <<<"$out" &&
	twamp_expect "show ID -j after add -j" "$out" \
		ctl reflector show "$id6" -j &&
	twamp_expect "human IPv6" "reflector $id6: [2001:db8::2]:$PORT dev r0 light ntp dscp keep
  rx 0 tx 0 drop 0" ctl reflector show "$id6" || return 1

	# the dump lists both, in ID order, each as show ID says
	json=$(ctl reflector show -j) &&
	twamp_expect "show -j lists them" "$id $id6" \
		jq -r '[.[].id | select(. == '"$id"' or . == '"$id6"')] |
		       map(tostring) | join(" ")' <<<"$json" &&
	twamp_expect "show -j: the same objects" \
		"$(ctl reflector show "$id" -j | jq -c '.[]')
$(ctl reflector show "$id6" -j | jq -c '.[]')" \
		jq -c '.[] | select(.id == '"$id"' or .id == '"$id6"')' \
		<<<"$json" &&
	refl_del "$id" && refl_del "$id6" || return 1

	# gone: not shown, not answered, its port free again
	twamp_check_fails "show deleted ID" ctl reflector show "$id" &&
	twamp_expect "dump without them" "" \
		jq -r '.[] | select(.id == '"$id"' or .id == '"$id6"') | .id' \
		<<<"$(ctl reflector show -j)" &&
	send_none 2001:db8::2 "$PORT" &&
	refl_add id6 local 2001:db8::2 port "$PORT" && refl_del "$id6"
}

# twamp_expect_err MESSAGE STDERR COMMAND...: fails with exit 1 and exactly
# this on standard error (the usage text after it, if any, aside).
twamp_expect_err()
{
	local msg=$1 want=$2 err rc

	shift 2
	err=$("$@" 2>&1 >/dev/null)
	rc=$?
	err=$(head -n 1 <<<"$err")
	if [ "$rc" -ne 1 ] || [ "$err" != "$want" ]; then
		twamp_log "FAIL: $msg"
		twamp_log "  \$ $* -> exit $rc, stderr: $err"
		twamp_log "  expected exit 1, stderr: $want"
		return 1
	fi
}

test_cli_errors()
{
	local id id4 v6 before after

	next_port
	refl_add id port "$PORT" || return 1
	before=$(ctl reflector show -j | jq length)
	twamp_expect_err "port in use" \
		"twamp-ctl: adding a reflector: address and port already in use: Address already in use" \
		ctl reflector add port "$PORT" &&
	twamp_expect_err "port in use, local address" \
		"twamp-ctl: adding a reflector: address and port already in use: Address already in use" \
		ctl reflector add local 2001:db8::2 port "$PORT" &&
	twamp_expect_err "address not here" \
		"twamp-ctl: adding a reflector: local address not configured here: Cannot assign requested address" \
		ctl reflector add local 10.9.9.9 port "$((PORT + 1))" &&
	twamp_expect_err "bad format" \
		"twamp-ctl: format is light or stamp, not 'twamp'" \
		ctl reflector add format twamp &&
	twamp_expect_err "bad ts" "twamp-ctl: ts is ntp or ptp, not 'gps'" \
		ctl reflector add ts gps &&
	twamp_expect_err "DSCP 64" \
		"twamp-ctl: invalid dscp '64' (an integer from 0 to 63)" \
		ctl reflector add dscp 64 &&
	twamp_expect_err "bad prefix" "twamp-ctl: invalid prefix '10.0.0.x/24'" \
		ctl reflector add allow 10.0.0.x/24 &&
	twamp_expect_err "IPv4 prefix length 33" \
		"twamp-ctl: invalid prefix length '33' (an integer from 0 to 32)" \
		ctl reflector add allow 10.0.0.0/33 &&
	twamp_expect_err "IPv6 prefix length 129" \
		"twamp-ctl: invalid prefix length '129' (an integer from 0 to 128)" \
		ctl reflector add allow 2001:db8::/129 &&
	twamp_expect_err "rate limit above the kernel's range" \
		"twamp-ctl: adding a reflector: integer out of range: Numerical result out of range" \
		ctl reflector add port "$((PORT + 1))" rate-limit 10000001 &&
	twamp_expect_err "port 0" \
		"twamp-ctl: adding a reflector: integer out of range: Numerical result out of range" \
		ctl reflector add port 0 &&
	twamp_expect_err "no such device" "twamp-ctl: no device 'nosuch0'" \
		ctl reflector add dev nosuch0 &&
	twamp_expect_err "unknown parameter" \
		"twamp-ctl: reflector add: unknown parameter 'colour'" \
		ctl reflector add colour blue &&
	twamp_expect_err "missing value" \
		"twamp-ctl: reflector add: 'port' needs a value" \
		ctl reflector add port &&
	twamp_expect_err "del: unknown ID" \
		"twamp-ctl: deleting the reflector: no reflector with this ID: No such file or directory" \
		ctl reflector del 4000000000 &&
	twamp_expect_err "show: unknown ID" \
		"twamp-ctl: showing reflectors: no reflector with this ID: No such file or directory" \
		ctl reflector show 4000000000 &&
	twamp_expect_err "del: not a number" \
		"twamp-ctl: invalid reflector ID 'x1' (an integer from 0 to 4294967295)" \
		ctl reflector del x1 &&
	twamp_expect_err "unknown verb" \
		"twamp-ctl: reflector: unknown command 'flush'" \
		ctl reflector flush || return 1
	after=$(ctl reflector show -j | jq length)
	twamp_expect "failed adds left no reflector" "$before" echo "$after" ||
		return 1

	# A wildcard whose IPv6 socket fails must not keep its IPv4 one.
	next_port
	refl_add v6 local 2001:db8::2 port "$PORT" || return 1
	twamp_expect_err "wildcard over an IPv6 reflector" \
		"twamp-ctl: adding a reflector: address and port already in use: Address already in use" \
		ctl reflector add port "$PORT" &&
	refl_add id4 local 10.0.0.2 port "$PORT" &&
	send 10.0.0.2 "$PORT" && counters_are "$id4" "rx=1 tx=1" &&
	refl_del "$id4" && refl_del "$v6" && refl_del "$id"
}

# --- lifetime ---------------------------------------------------------------

# flood ARGS...: background traffic from S, 1000 packets a second, until
# stop_floods.
flood()
{
	# not through sns: $! must be the sender's PID, not a subshell's
	ip netns exec "$NS_S" "$TWAMP_SENDER" --flood -i 1000 -n 1000000 \
		--timeout 0 "$@" >/dev/null 2>&1 &
	BG_PIDS+=("$!")
}

stop_floods()
{
	local pid

	for pid in "${BG_PIDS[@]}"; do
		kill "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	done
	BG_PIDS=()
}

# rx of reflector ID in namespace NS.
rx_of()
{
	ip netns exec "$1" "$TWAMP_CTL" reflector show "$2" -j |
		jq -r '.[0].counters.rx'
}

test_del_under_traffic()
{
	local id rx

	next_port
	refl_add id port "$PORT" format stamp || return 1
	flood -f stamp 10.0.0.2 "$PORT" && flood -f stamp 2001:db8::2 "$PORT"
	sleep 0.3
	rx=$(rx_of "$NS_R" "$id")
	if ! twamp_check "traffic flows (rx $rx)" test "${rx:-0}" -gt 20 ||
	   ! refl_del "$id"; then
		stop_floods
		return 1
	fi
	sleep 0.2
	stop_floods
	twamp_check_fails "deleted" ctl reflector show "$id" &&
	refl_add id port "$PORT" format stamp && send -f stamp 10.0.0.2 "$PORT" &&
	counters_are "$id" "rx=1 tx=1" && refl_del "$id"
}

# A namespace with reflectors goes away while they answer: its state goes
# with it, and a reflector in another namespace, answering all along, is
# none the worse for it.
test_netns_del_under_traffic()
{
	local ns id1 id2 keep rx1 rx2 rx

	next_port
	refl_add keep port "$PORT" format stamp || return 1
	twamp_netns_add ns gone || return 1
	ip link add s2 netns "$NS_S" type veth peer name r2 netns "$ns" &&
	sns ip addr add 10.0.2.1/24 dev s2 &&
	sns ip addr add 2001:db8:2::1/64 dev s2 nodad &&
	ip -n "$ns" addr add 10.0.2.2/24 dev r2 &&
	ip -n "$ns" addr add 2001:db8:2::2/64 dev r2 nodad &&
	sns ip link set s2 up && ip -n "$ns" link set r2 up || return 1
	id1=$(ip netns exec "$ns" "$TWAMP_CTL" reflector add -j |
	      jq -er '.[0].id') &&
	id2=$(ip netns exec "$ns" "$TWAMP_CTL" reflector add port 863 \
	      format stamp rate-limit 1000 allow 10.0.2.0/24 -j |
	      jq -er '.[0].id') || return 1
	flood 10.0.2.2 && flood 2001:db8:2::2 &&
	flood -f stamp 10.0.2.2 863 && flood -f stamp 10.0.0.2 "$PORT"
	sleep 0.3
	rx1=$(rx_of "$ns" "$id1")
	rx2=$(rx_of "$ns" "$id2")
	if ! twamp_check "traffic flows (rx $rx1, $rx2)" \
		test "${rx1:-0}" -gt 20 -a "${rx2:-0}" -gt 20; then
		stop_floods
		return 1
	fi
	twamp_netns_del "$ns"
	sleep 0.3
	stop_floods
	rx=$(rx_of "$NS_R" "$keep")
	twamp_check "the other reflector answered all along (rx $rx)" \
		test "${rx:-0}" -gt 20 &&
	twamp_expect "and dropped nothing" "$rx" \
		jq -r '.[0].counters.tx' <<<"$(ctl reflector show "$keep" -j)" &&
	send -f stamp 10.0.0.2 "$PORT" && refl_del "$keep"
}

# UDP sockets in R on ports FIRST to FIRST + N - 1.
udp_sockets()
{
	rns ss -Huan | awk -v lo="$1" -v hi="$(($1 + $2 - 1))" '
		{ n = split($4, a, ":"); if (a[n] >= lo && a[n] <= hi) c++ }
		END { print c + 0 }'
}

# --- dump ------------------------------------------------------------------

# Objects of R as twamp-ctl dump prints them, IDs made N (the copy's differ).
dump_norm()
{
	ctl dump | sed -E 's/\b([rs])[0-9]+\b/\1N/g;
		s/(reflector|session|sender) [0-9]+/\1 N/g'
}

# Every object of R deleted.
del_all()
{
	local kind id

	for kind in sender session reflector; do
		for id in $(ctl "$kind" show -j | jq -r '.[].id'); do
			ctl "$kind" del "$id" || return 1
		done
	done
	twamp_expect "R is empty" "[] [] []" \
		eval 'echo $(ctl reflector show -j; ctl session show -j; ctl sender show -j)'
}

# twamp-ctl dump makes every object with its options again, from bash;
# keyed ones, which it cannot, are named and their keys never printed;
# dump --conf is what twampd.conf takes, and twampd makes the same
# reflectors from it.
test_dump()
{
	local aes=00112233445566778899aabbccddeeff hmac d1 c1 show1 show2 r1 id rc
	local log="$TMP/twampd.log"

	hmac=$aes$aes
	next_port 4
	del_all || return 1
	refl_add r1 local 10.0.0.2 port "$PORT" dev r0 format stamp ts ptp \
		dscp 46 allow 10.0.0.0/24 allow 2001:db8::/64 rate-limit 1000 &&
	refl_add id port "$((PORT + 1))" format stamp stateful \
		max-dynamic 100 max-per-source 5 dynamic-refwait 1500ms \
		sessions-only &&
	refl_add id local 2001:db8::2 port "$((PORT + 2))" &&
	twamp_check "session add" ctl session add reflector "$r1" \
		peer 10.0.0.1 port 5000 ssid 7 dscp 10 refwait 3600s &&
	twamp_check "keyed session add" ctl session add reflector "$id" \
		peer 2001:db8::9 port 5001 security auth aes-key "$aes" \
		hmac-key "$hmac" &&
	twamp_check "sender add" ctl sender add 10.0.0.1 port 9 \
		local 10.0.0.2 format stamp count 5 interval 250ms \
		schedule poisson seed 42 dscp 34 ttl 64 padding 20 wait 2s &&
	twamp_check "sender add, started" ctl sender add 10.0.0.1 port 9 \
		interval 10s &&
	twamp_check "sender start" \
		ctl sender start "$(ctl sender show -j | jq '.[-1].id')" &&
	twamp_check "keyed sender add" ctl sender add 10.0.0.1 port 9 \
		security auth aes-key "$aes" hmac-key "$hmac" || return 1

	ctl dump | sed 's/^/#   /'
	d1=$(dump_norm) || return 1
	twamp_check_fails "no key in the dump" grep -q "$aes" <<<"$d1" &&
	twamp_expect "keyed ones named" 2 grep -c 'keys are write-only' \
		<<<"$d1" &&
	twamp_expect "running one started" 1 grep -c '^twamp-ctl sender start' \
		<<<"$d1" || return 1

	# without the keyed ones, a copy from the dump dumps the same
	ctl session del "$(ctl session show -j |
			   jq '.[] | select(.security == "auth") | .id')" &&
	ctl sender del "$(ctl sender show -j |
			  jq '.[] | select(.security == "auth") | .id')" &&
	d1=$(dump_norm) && show1=$(ctl reflector show) &&
	ctl dump >"$TMP/dump.sh" && del_all &&
	twamp_check "the dump runs" rns env PATH="$(dirname "$TWAMP_CTL"):$PATH" \
		bash "$TMP/dump.sh" &&
	twamp_expect "dump of the copy" "$d1" dump_norm || return 1

	# twampd makes the same reflectors from dump --conf
	c1=$(ctl dump --conf) || return 1
	printf '%s\n' "$c1" | sed 's/^/#   /'
	twamp_expect "conf: three reflector lines" 3 grep -c '^reflector ' \
		<<<"$c1" &&
	printf '%s\n' "$c1" >"$TMP/twampd.conf" && del_all || return 1
	twamp_twampd_bg "$NS_R" "10.0.0.2:$((PORT + 3))" "$log" \
		-c "$TMP/twampd.conf" || return 1
	show2=$(ctl reflector show) &&
	twamp_expect "twampd's reflectors are those dumped" \
		"$(sed -E 's/^reflector [0-9]+/reflector N/' <<<"$show1")" \
		sed -E 's/^reflector [0-9]+/reflector N/' <<<"$show2" &&
	twamp_expect "twampd's own are not dumped" 3 \
		grep -c '^# reflector .* not dumped: it is bound' < <(ctl dump)
	rc=$?
	twamp_bg_kill TERM
	return "$rc"
}

# rmmod with reflectors in a namespace, under traffic: they all go, their
# sockets with them, and a reloaded module starts empty.
test_unload()
{
	local ids

	next_port 3
	refl_add ids port "$PORT" && refl_add ids local 2001:db8::2 \
		port "$((PORT + 1))" format stamp ts ptp &&
	refl_add ids local 10.0.0.2 port "$((PORT + 2))" allow 10.0.0.0/24 \
		rate-limit 500 dscp 8 || return 1
	flood 10.0.0.2 "$PORT" && flood -f stamp 2001:db8::2 "$((PORT + 1))"
	flood 10.0.0.2 "$((PORT + 2))"
	sleep 0.3
	# the wildcard has two
	if ! twamp_expect "the reflectors' sockets" 4 udp_sockets "$PORT" 3 ||
	   ! twamp_check "rmmod twamp with reflectors, under traffic" \
		rmmod twamp; then
		stop_floods
		return 1
	fi
	sleep 0.2
	stop_floods
	twamp_check_fails "module gone" test -e /sys/module/twamp &&
	twamp_expect "no socket left" 0 udp_sockets "$PORT" 3 &&
	twamp_check "insmod again" twamp_insmod &&
	twamp_expect "a fresh module has no reflector" "[]" \
		ctl reflector show -j &&
	refl_add ids port "$PORT" && send 10.0.0.2 "$PORT" && refl_del "$ids"
}

setup || twamp_exit_fail "cannot set up the namespaces"

twamp_ktap_plan 35
for fmt in light stamp; do
	for fam in 4 6; do
		for ts in ntp ptp; do
			twamp_run_test "reflect $fmt IPv$fam $ts" \
				test_reflect $fmt $fam $ts
		done
	done
done
twamp_run_test "dscp keep: received DSCP back, ECN cleared" test_dscp_keep
twamp_run_test "dscp set" test_dscp_set
twamp_run_test "clock state in the Error Estimate" test_clock
twamp_run_test "STAMP TLVs: U, M, SSID" test_stamp_tlvs
twamp_run_test "runts (0-13 octets): short" test_runts
twamp_run_test "oversized (> 9000 octets): length" test_oversized
twamp_run_test "Error Estimate multiplier 0: invalid" test_multiplier_zero
twamp_run_test "broadcast, multicast, unspecified, port 0: invalid" \
	test_invalid_addresses
twamp_run_test "subnet broadcast source: invalid" test_broadcast_source
twamp_run_test "allow list, IPv4" test_acl4
twamp_run_test "allow list, IPv6 prefix" test_acl6
twamp_run_test "rate limit" test_rate_limit
twamp_run_test "bad UDP checksum: dropped before the reflector" \
	test_bad_checksum
twamp_run_test "zero UDP checksum over IPv6: dropped" test_zero_checksum6
twamp_run_test "fragmented requests" test_fragmented
twamp_run_test "IPv6 link-local" test_link_local
twamp_run_test "local address and device binding" test_bound
twamp_run_test "output: straight to the neighbour, or through netfilter" \
	test_output_path
twamp_run_test "output: UDP checksum computed in software" \
	test_csum_in_software
twamp_run_test "tshark decodes the reflection as sent" test_tshark
twamp_run_test "twamp-ctl reflector add/show/del output" test_cli_show
twamp_run_test "twamp-ctl reflector errors" test_cli_errors
twamp_run_test "delete a reflector under traffic" test_del_under_traffic
twamp_run_test "delete a namespace with reflectors under traffic" \
	test_netns_del_under_traffic
twamp_run_test_once "twamp-ctl dump: restore from it, twampd.conf from --conf" \
	test_dump
# after the others: the module goes
twamp_run_test "unload the module with reflectors under traffic" test_unload
twamp_run_test "no kernel taint beyond O/E" twamp_no_new_taint
twamp_ktap_finish
