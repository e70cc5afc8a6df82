#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The output paths kmod/xmit.c leaves to the ordinary IP output
# (ip_local_out()): a test packet whose route needs more than the
# neighbour layer must get what any socket's packet gets. Each test makes
# the kernel sender (twamp-ctl ping) and the kernel reflector exchange
# packets over such a route, and checks both that the replies came back and
# that the path's own machinery handled them: the xfrm state's counters for
# IPsec, the VRF device's output hook for VRF. Netfilter, NAT and
# fragmentation are tested in twamp_reflector.sh.
#
#   S (sender)                                 R (reflector)
#   s0 10.3.0.1, fd00:3::1   --veth--   r0 10.3.0.2, fd00:3::2

# Test functions run through twamp_run_test.
# shellcheck disable=SC2317
source "$(dirname "$(readlink -f "$0")")/lib.sh"

twamp_require_root
twamp_require_cmd ip jq nft modprobe
[ -x "$TWAMP_CTL" ] ||
	twamp_exit_fail "$TWAMP_CTL not built: run make programs first"
twamp_mod_require
modprobe -q veth 2>/dev/null

NS_S=
NS_R=
S4=10.3.0.1
R4=10.3.0.2
S6=fd00:3::1
R6=fd00:3::2
PORT=23000
COUNT=5
twamp_tmpdir TMP xmit || twamp_exit_fail "mktemp failed"

sns() { ip netns exec "$NS_S" "$@"; }
rns() { ip netns exec "$NS_R" "$@"; }
sctl() { ip netns exec "$NS_S" "$TWAMP_CTL" "$@"; }
rctl() { ip netns exec "$NS_R" "$TWAMP_CTL" "$@"; }

setup()
{
	twamp_netns_add NS_S s && twamp_netns_add NS_R r || return 1
	twamp_veth_add "$NS_S" s0 "$NS_R" r0 &&
	twamp_link_up "$NS_S" s0 $S4/24 $S6/64 &&
	twamp_link_up "$NS_R" r0 $R4/24 $R6/64
}

# refl_add VAR ARGS...: a reflector on a new port in R, its ID in VAR.
refl_add()
{
	local _var=$1 _out _id

	shift
	PORT=$((PORT + 1))
	_out=$(rctl reflector add port "$PORT" "$@" -j) || return 1
	_id=$(jq -r '.[0].id' <<<"$_out")
	[[ $_id =~ ^[0-9]+$ ]] || {
		twamp_log "FAIL: reflector add: no ID in: $_out"
		return 1
	}
	printf -v "$_var" '%s' "$_id"
}

# ping_received ADDR [ARGS...]: COUNT packets from S to the reflector on
# PORT; prints how many replies came back.
ping_received()
{
	local addr=$1 out

	shift
	out=$(sctl ping -j -c "$COUNT" -i 20ms -p "$PORT" "$@" "$addr" 2>&1)
	jq -r '.stats.received' <<<"$out" 2>/dev/null || {
		twamp_log "ping $addr: not JSON: $out"
		echo -1
	}
}

# xfrm_packets NS SRC DST SPI: the packets ESP state SPI (SRC -> DST) in NS
# processed
xfrm_packets()
{
	ip -n "$1" -s xfrm state get src "$2" dst "$3" proto esp spi "$4" |
		sed -n 's/.*(bytes), \([0-9]*\)(packets).*/\1/p' | head -n 1
}

# cgroup BPF egress programs run only for a packet its socket owns, and no
# socket owns a test packet (kmod/xmit.c): a drop-all egress program on the
# cgroup of the process that made the reflector drops what that process
# sends itself, not the reflector's replies. And the program's presence
# must not send packets the full way (ip_local_out()), which a kprobe on
# ip_local_out() counts: systemd attaches such programs on most hosts.
TRACEFS=/sys/kernel/tracing
KPROBE=twamp_xmit_ipo

kprobe_hits()
{
	awk -v p="$KPROBE" '$1 == p { print $2 }' "$TRACEFS/kprobe_profile"
}

kprobe_del()
{
	echo 0 >"$TRACEFS/events/kprobes/$KPROBE/enable" 2>/dev/null
	echo "-:$KPROBE" >>"$TRACEFS/kprobe_events" 2>/dev/null
}

cgroup_bpf_teardown()
{
	kprobe_del
	rmdir "$TMP/cgroup/twamp-xmit" 2>/dev/null
	umount "$TMP/cgroup" 2>/dev/null
}

test_cgroup_bpf()
{
	local cg=$TMP/cgroup/twamp-xmit id out got before after rc=0

	[ -e "$TRACEFS/kprobe_events" ] ||
		mount -t tracefs nodev "$TRACEFS" 2>/dev/null
	mkdir -p "$TMP/cgroup"
	if ! mount -t cgroup2 none "$TMP/cgroup" 2>/dev/null ||
	   ! mkdir "$cg" ||
	   ! echo "p:$KPROBE ip_local_out" >>"$TRACEFS/kprobe_events" ||
	   ! echo 1 >"$TRACEFS/events/kprobes/$KPROBE/enable"; then
		TWAMP_SKIP_REASON="no cgroup2 or kprobe events in this kernel"
		cgroup_bpf_teardown
		return "$KSFT_SKIP"
	fi
	twamp_check "attach a drop-all egress program to a cgroup" \
		python3 "$TWAMP_ST_DIR/twamp_cgroup_bpf.py" "$cg" || {
		cgroup_bpf_teardown
		return 1
	}
	# the program works: a process of the cgroup cannot send
	if sh -c 'echo $$ >"$1/cgroup.procs" && shift && exec "$@"' sh "$cg" \
		ip netns exec "$NS_R" python3 -c '
import socket
socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b"x", ("'$S4'", 9))
' 2>/dev/null; then
		twamp_log "FAIL: a process in the cgroup could send past the drop-all program"
		rc=1
	fi
	# a reflector made by a process of the cgroup
	PORT=$((PORT + 1))
	out=$(sh -c 'echo $$ >"$1/cgroup.procs" && shift && exec "$@"' sh "$cg" \
		ip netns exec "$NS_R" "$TWAMP_CTL" reflector add port "$PORT" -j) &&
		id=$(jq -r '.[0].id' <<<"$out") || {
		twamp_log "FAIL: reflector add in the cgroup: $out"
		cgroup_bpf_teardown
		return 1
	}
	before=$(kprobe_hits)
	got=$(ping_received "$R4")
	after=$(kprobe_hits)
	rctl reflector del "$id"
	cgroup_bpf_teardown
	if [ "$got" != "$COUNT" ]; then
		twamp_log "FAIL: $got of $COUNT replies under the cgroup's drop-all program"
		rc=1
	fi
	# COUNT requests and COUNT replies: the full way would call
	# ip_local_out() for each; the direct way for none (anything else
	# in the guest may add a few)
	if [ -z "$before" ] || [ -z "$after" ] ||
	   [ $((after - before)) -ge "$COUNT" ]; then
		twamp_log "FAIL: ip_local_out() ran $((after - before)) times for $COUNT requests and replies: the egress program sent them the full way"
		rc=1
	fi
	return $rc
}

# IPsec: ESP in transport mode between S and R, required both ways for
# UDP. A test packet sent around xfrm would leave in clear, and the far
# end's "level required" policy would drop it: every reply must come back
# and both states must have counted the packets.
XFRM_ENC=0x0123456789abcdef0123456789abcdef
XFRM_AUTH=0x00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff

xfrm_setup()
{
	local ns a b spi_out spi_in

	for ns in "$NS_S" "$NS_R"; do
		if [ "$ns" = "$NS_S" ]; then
			a=$1 b=$2 spi_out=0x1001 spi_in=0x1002
		else
			a=$2 b=$1 spi_out=0x1002 spi_in=0x1001
		fi
		# one ip process per namespace: each costs the guest time
		ip -n "$ns" -batch - <<-EOF || return 1
			xfrm state add src $a dst $b proto esp spi $spi_out mode transport enc cbc(aes) $XFRM_ENC auth hmac(sha256) $XFRM_AUTH
			xfrm state add src $b dst $a proto esp spi $spi_in mode transport enc cbc(aes) $XFRM_ENC auth hmac(sha256) $XFRM_AUTH
			xfrm policy add src $a dst $b proto udp dir out tmpl proto esp mode transport level required
			xfrm policy add src $b dst $a proto udp dir in tmpl proto esp mode transport level required
		EOF
	done
}

xfrm_flush()
{
	printf 'xfrm policy flush\nxfrm state flush\n' | ip -n "$NS_S" -batch -
	printf 'xfrm policy flush\nxfrm state flush\n' | ip -n "$NS_R" -batch -
}

test_xfrm()
{
	local id got sent back rc=0 fam s r

	for fam in 4 6; do
		if [ $fam = 4 ]; then s=$S4 r=$R4; else s=$S6 r=$R6; fi
		xfrm_setup "$s" "$r" || {
			TWAMP_SKIP_REASON="no ESP (xfrm) in this kernel"
			xfrm_flush
			return "$KSFT_SKIP"
		}
		refl_add id || { xfrm_flush; return 1; }
		got=$(ping_received "$r")
		sent=$(xfrm_packets "$NS_S" "$s" "$r" 0x1001)
		back=$(xfrm_packets "$NS_R" "$r" "$s" 0x1002)
		rctl reflector del "$id"
		xfrm_flush
		if [ "$got" != "$COUNT" ]; then
			twamp_log "FAIL: IPv$fam over ESP: $got of $COUNT replies"
			rc=1
		fi
		# the sender's requests and the reflector's replies, each
		# through its state (the reply path at least COUNT times)
		if [ "${sent:-0}" -lt "$COUNT" ] || [ "${back:-0}" -lt "$COUNT" ]; then
			twamp_log "FAIL: IPv$fam: ESP states counted ${sent:-none} requests and ${back:-none} replies, expected $COUNT each"
			rc=1
		fi
	done
	# and without IPsec the same exchange is plain again
	refl_add id || return 1
	got=$(ping_received "$R4")
	rctl reflector del "$id"
	if [ "$got" != "$COUNT" ]; then
		twamp_log "FAIL: after the flush: $got of $COUNT replies"
		rc=1
	fi
	return $rc
}

# VRF: S's and R's devices enslaved to a VRF each; the sender sends through
# its VRF (ping -I vrf) and the reflector is bound to its VRF (dev vrf).
# The routes are in the VRF's table only, and a packet that skipped the
# VRF's output path (l3mdev) would not pass its device's output hook,
# which counts, in each namespace, what the VRF device sends.
vrf_setup()
{
	local ns dev port=$1

	for ns in "$NS_S" "$NS_R"; do
		if [ "$ns" = "$NS_S" ]; then dev=s0; else dev=r0; fi
		# enslaving cycles the device, which drops its IPv6 addresses
		# unless told to keep them
		ip netns exec "$ns" sysctl -qw \
			"net.ipv6.conf.$dev.keep_addr_on_down=1" &&
		ip -n "$ns" link add vrf0 type vrf table 10 &&
		ip -n "$ns" link set vrf0 up &&
		ip -n "$ns" link set "$dev" master vrf0 || return 1
		ip netns exec "$ns" nft -f - <<-EOF || return 1
			table inet twamp_xmit {
				chain out {
					type filter hook output priority 0;
					oifname "vrf0" udp dport $port counter
					oifname "vrf0" udp sport $port counter
				}
			}
		EOF
	done
}

# nft_counter NS N: the packets the Nth rule (1: dport, 2: sport) counted
nft_counter()
{
	ip netns exec "$1" nft -j list chain inet twamp_xmit out |
		jq "[.nftables[] | select(.rule) | .rule.expr[] |
			select(.counter) | .counter.packets][$(($2 - 1))]"
}

vrf_teardown()
{
	local ns dev

	for ns in "$NS_S" "$NS_R"; do
		if [ "$ns" = "$NS_S" ]; then dev=s0; else dev=r0; fi
		ip netns exec "$ns" nft delete table inet twamp_xmit 2>/dev/null
		ip -n "$ns" link set "$dev" nomaster 2>/dev/null
		ip -n "$ns" link del vrf0 2>/dev/null
	done
	# nomaster takes the addresses' routes out of the VRF's table
	ip -n "$NS_S" link set s0 up
	ip -n "$NS_R" link set r0 up
}

test_vrf()
{
	local id got req rep rc=0 fam r

	modprobe -q vrf 2>/dev/null
	# the port refl_add will take
	vrf_setup $((PORT + 1)) || {
		TWAMP_SKIP_REASON="no VRF (CONFIG_NET_VRF) or nftables in this kernel"
		vrf_teardown
		return "$KSFT_SKIP"
	}
	refl_add id dev vrf0 || { vrf_teardown; return 1; }
	for fam in 4 6; do
		if [ $fam = 4 ]; then r=$R4; else r=$R6; fi
		got=$(ping_received "$r" -I vrf0)
		if [ "$got" != "$COUNT" ]; then
			twamp_log "FAIL: IPv$fam in a VRF: $got of $COUNT replies"
			rc=1
		fi
	done
	# requests left S through its VRF; replies left R through its
	req=$(nft_counter "$NS_S" 1)
	rep=$(nft_counter "$NS_R" 2)
	if [ "${req:-0}" -lt $((2 * COUNT)) ] ||
	   [ "${rep:-0}" -lt $((2 * COUNT)) ]; then
		twamp_log "FAIL: the VRF devices' output hooks saw ${req:-none} requests and ${rep:-none} replies, expected $((2 * COUNT)) each"
		rc=1
	fi
	rctl reflector del "$id"
	vrf_teardown
	return $rc
}

setup || twamp_exit_fail "cannot set up the namespaces"
twamp_ktap_plan 5
twamp_run_test "IPsec: requests and replies go through their ESP states" \
	test_xfrm
twamp_run_test "VRF: requests and replies go out through the VRF device" \
	test_vrf
twamp_run_test "cgroup BPF egress: a drop-all program keeps neither replies nor the direct way" \
	test_cgroup_bpf
twamp_run_test "no reflector left behind" \
	twamp_expect "reflector show -j" "[]" rctl reflector show -j
twamp_run_test "no kernel taint beyond O/E" twamp_no_new_taint
twamp_ktap_finish
