#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make demo: two network namespaces joined by a veth "wire" whose sender
# side delays packets by 5 ms +- 1 ms and loses 1% of them (netem); a
# kernel reflector in one, `twamp-ctl ping` in the other. Runs as root
# where the module can be loaded: the QEMU guest, or a real host.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
ctl=$top/build/twamp-ctl
a=twamp-demo-sender
b=twamp-demo-reflector

cleanup() {
	ip netns del "$a" 2>/dev/null || true
	ip netns del "$b" 2>/dev/null || true
}
trap cleanup EXIT

for m in udp_tunnel ip6_udp_tunnel veth sch_netem; do
	modprobe -q "$m"
done
lsmod | grep -q '^twamp ' || insmod "$top/kmod/twamp.ko"

show() {
	local ns=$1
	shift
	echo "[$ns] \$ $*"
	ip netns exec "$ns" "$@"
}

ip netns add "$a"
ip netns add "$b"
ip link add wire netns "$a" type veth peer wire netns "$b"
ip -n "$a" addr add 192.0.2.1/24 dev wire
ip -n "$b" addr add 192.0.2.2/24 dev wire
ip -n "$a" link set wire up
ip -n "$b" link set wire up
ip netns exec "$a" tc qdisc add dev wire root netem delay 5ms 1ms loss 1%

echo "\$ twamp-ctl version"
"$ctl" version
echo
show "$b" "$ctl" reflector add format stamp stateful
echo
show "$a" "$ctl" ping -c "${DEMO_COUNT:-50}" -i 0.05 --stamp 192.0.2.2
echo
show "$b" "$ctl" reflector show
