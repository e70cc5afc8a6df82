#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make demo: two network namespaces joined by a veth "wire" whose sender
# side delays packets by 5 ms +- 1 ms and loses 1% of them (netem); twampd,
# the TWAMP-Control server, in one, and `twamp-ctl test`, the Control-Client
# with a kernel Session-Sender, in the other: a full TWAMP test in
# encrypted mode, whose session twampd has the kernel reflect. Runs as root
# where the module can be loaded: the QEMU guest, or a real host.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
ctl=$top/build/twamp-ctl
twampd=$top/build/twampd
a=twamp-demo-sender
b=twamp-demo-reflector
tmp=$(mktemp -d)
twampd_pid=

cleanup() {
	[ -z "$twampd_pid" ] || kill "$twampd_pid" 2>/dev/null || true
	rm -rf "$tmp"
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

# One shared secret, as a perfSONAR-style key file: KeyID, hex passphrase.
printf 'demo %s\n' "$(printf 'demo secret' | od -An -tx1 | tr -d ' \n')" \
	>"$tmp/keys"
chmod 600 "$tmp/keys"

echo "\$ twamp-ctl version"
"$ctl" version
echo
echo "[$b] \$ twampd -f --modes open,auth,encrypt,mixed --key-file keys &"
ip netns exec "$b" "$twampd" -f --modes open,auth,encrypt,mixed \
	--key-file "$tmp/keys" 2>"$tmp/twampd.log" &
twampd_pid=$!
for _ in $(seq 100); do
	ip netns exec "$b" ss -Hltn 'sport = :862' | grep -q . && break
	sleep 0.1
done
echo
show "$a" "$ctl" test -m encrypt -k "$tmp/keys" -K demo \
	-c "${DEMO_COUNT:-50}" -i 0.05 192.0.2.2
echo
kill "$twampd_pid"
wait "$twampd_pid" 2>/dev/null || true
twampd_pid=
echo "[$b] twampd's log:"
sed 's/^/  /' "$tmp/twampd.log"
