#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make bench: the kernel data path (twamp.ko) against the userspace
# baseline (twamp-ureflect, twamp-bench-usend), between two network
# namespaces joined by veth. Runs as root where twamp.ko loads: the QEMU
# guest of tools/vm/run, or a real host. See docs/performance.md.
#
#   tools/bench/bench.sh [OUT.json]
#
# Environment: TWAMP_BENCH_RUNS (runs per figure and side, default 5),
# TWAMP_BENCH_SMOKE=1 (a few seconds: tiny counts, 1 run; checks that every
# figure comes out), TWAMP_BENCH_HOST (a line about the host, recorded),
# TWAMP_BENCH_PHASES (default "acc prec tp scale trace": which parts to run).
#
# Layout: the senders in the initial network namespace (192.0.2.1), the
# reflectors in namespace "twamp-bench" (192.0.2.2), joined by the veth pair
# "twbench0"/"wire". The reflector side's receive processing is steered
# (RPS) to CPU 1, the sender side's to CPU 0; the userspace reflector and
# the competing busy loop are pinned to CPU 1, this script and so every
# sender to CPU 0: the reflector under test has a vCPU of its own. (The
# senders stay in the initial namespace because every `ip netns exec`
# costs a noticeable fraction of a second in an emulated guest.)
set -uo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 1
smoke=${TWAMP_BENCH_SMOKE:-0}
runs=${TWAMP_BENCH_RUNS:-5}
[ "$smoke" = 1 ] && runs=${TWAMP_BENCH_RUNS:-1}
out=${1:-build/bench/bench-$(date -u +%Y%m%dT%H%M%SZ).json}
ctl=${TWAMP_BENCH_CTL:-$top/build/twamp-ctl}
urefl=${TWAMP_BENCH_UREFLECT:-$top/build/twamp-ureflect}
usend=$top/build/bench/twamp-bench-usend
bulk=$top/build/bench/twamp-bench-bulk
ko=${TWAMP_KO:-$top/kmod/twamp.ko}
py=python3
[ -x /usr/bin/python3 ] && py=/usr/bin/python3

if [ "$smoke" = 1 ]; then
	acc_count=50 prec_1ms=50 prec_100us=200 tp_dur_ms=200 tp_start=1000
	tp_max=2000 tp_bisect=0 cpu_rate=1000 cpu_ms=300 scale_ns="1 100"
	scale_ms=200 trace_count=50
else
	acc_count=1000 prec_1ms=1000 prec_100us=5000 tp_dur_ms=300 tp_start=2000
	tp_max=1000000 tp_bisect=2 cpu_rate=2000 cpu_ms=3000
	scale_ns="1 1000 10000" scale_ms=500 trace_count=500
fi
netem_delay_us=1000
acc_interval=500us
phases=" ${TWAMP_BENCH_PHASES:-acc prec tp scale trace} "
phase() { [[ $phases == *" $1 "* ]]; }
KPORT=862 UPORT=863 SPORT=864

raw=$(mktemp -d /tmp/twamp-bench.XXXXXX)
R=twamp-bench
busy_pid= urefl_pid=
t_start=$(date +%s)

# The guest's clock against the host's: a file written through the 9p
# mount gets the host's time as its mtime. TCG guests calibrate the TSC
# against an emulated timer, which a busy host can make run fast or slow.
clock_mark() {
	local f
	f=$(dirname "$out")/.bench-clock.$$
	mkdir -p "$(dirname "$out")" && : >"$f" || return
	echo "$(date +%s%N) $(stat -c %.9Y "$f" | tr -d .)"
	rm -f "$f"
}
mark0=$(clock_mark)

say() { echo "bench: [$(($(date +%s) - t_start))s] $*" >&2; }
die() {
	say "error: $*"
	exit 1
}

saved_sysctls=()
cleanup() {
	local kv
	[ -z "$busy_pid" ] || kill "$busy_pid" 2>/dev/null
	[ -z "$urefl_pid" ] || kill "$urefl_pid" 2>/dev/null
	wait 2>/dev/null
	ip link del twbench0 2>/dev/null
	ip netns del $R 2>/dev/null
	for kv in "${saved_sysctls[@]}"; do
		sysctl -qw "$kv"
	done
	rm -rf "$raw"
}
trap cleanup EXIT

[ "$(id -u)" = 0 ] || die "needs root (run it through tools/vm/run, or make bench)"
for f in "$ctl" "$usend" "$bulk"; do
	[ -x "$f" ] || die "$f is missing: run make bench (it builds it)"
done

# --- setup -----------------------------------------------------------------

for m in veth sch_netem; do
	modprobe -q $m || die "cannot load $m"
done
if ! grep -q '^twamp ' /proc/modules; then
	[ -f "$ko" ] || die "$ko missing: make module"
	cp "$ko" "$raw/twamp.ko"
	for d in $(modinfo -F depends "$raw/twamp.ko" | tr , ' '); do
		modprobe -q "$d" || die "cannot load $d, needed by twamp.ko"
	done
	insmod "$raw/twamp.ko" || die "cannot load $ko"
fi

# What a run that was killed may have left.
ip link del twbench0 2>/dev/null
ip netns del $R 2>/dev/null
ip netns add $R || die "cannot make the namespace $R"
ip link add twbench0 type veth peer wire netns $R || die "cannot make a veth pair"
ip addr add 192.0.2.1/24 dev twbench0
ip -n $R addr add 192.0.2.2/24 dev wire
ip link set twbench0 up
ip -n $R link set wire up
ip -n $R link set lo up
ncpu=$(nproc)
if [ "$ncpu" -ge 2 ]; then
	rcpu=1
	ip netns exec $R sh -c 'echo 2 >/sys/class/net/wire/queues/rx-0/rps_cpus'
	echo 1 >/sys/class/net/twbench0/queues/rx-0/rps_cpus
	taskset -pc 0 $$ >/dev/null
else
	rcpu=0
	say "only one CPU: the reflector shares it with the sender"
fi
# Queues that ride out a stall of an emulated CPU (the host deschedules
# vCPU threads for up to hundreds of ms, and a late sender then sends what
# is due in a burst): 10,000 packets per CPU backlog, 4 MB socket receive
# buffers by default (the userspace reflector does not set its own).
# Overload still shows as loss: a reply queued longer than the sender's
# 100 ms wait is lost. Restored at the end.
for kv in net.core.netdev_max_backlog=10000 net.core.rmem_max=4194304 \
	net.core.rmem_default=4194304 net.ipv4.ip_local_port_range; do
	saved_sysctls+=("${kv%%=*}=$(sysctl -n "${kv%%=*}" | tr '\t' ' ')")
	[[ $kv != *=* ]] || sysctl -qw "$kv" || say "cannot set $kv"
done

# Static neighbours: no ARP in anything timed.
mac_s=$(cat /sys/class/net/twbench0/address)
mac_r=$(ip netns exec $R cat /sys/class/net/wire/address)
ip neigh replace 192.0.2.2 lladdr "$mac_r" dev twbench0 nud permanent
ip -n $R neigh replace 192.0.2.1 lladdr "$mac_s" dev wire nud permanent

IN_S() { "$@"; }
IN_R() { ip netns exec $R "$@"; }

IN_R "$ctl" reflector add port $KPORT -j >"$raw/krefl.json" || die "cannot add the kernel reflector"
krefl_id=$(jq '.[0].id' "$raw/krefl.json")
IN_S "$ctl" ping -q -c 2 -i 0.1 -W 1 -p $KPORT 192.0.2.2 >/dev/null ||
	die "no reply from the kernel reflector over the veth"

have_user=0
if [ -x "$urefl" ]; then
	IN_R taskset -c $rcpu "$urefl" -p $UPORT >"$raw/urefl.out" 2>&1 &
	urefl_pid=$!
	for _ in $(seq 50); do
		grep -q 'listening' "$raw/urefl.out" && break
		sleep 0.1
	done
	if grep -q 'listening' "$raw/urefl.out"; then
		have_user=1
	else
		say "twamp-ureflect did not start: $(cat "$raw/urefl.out")"
		kill "$urefl_pid" 2>/dev/null
		urefl_pid=
	fi
else
	say "$urefl is missing: the baseline column is n/a"
fi
sides="k"
[ $have_user = 1 ] && sides="k u"
port_of() { if [ "$1" = k ]; then echo $KPORT; else echo $UPORT; fi; }

# --- metadata --------------------------------------------------------------

cs=$(cat /sys/devices/system/clocksource/clocksource0/current_clocksource 2>/dev/null)
if dmesg 2>/dev/null | grep -q 'Hypervisor detected: KVM'; then
	accel=kvm
elif grep -qw hypervisor /proc/cpuinfo; then
	accel="tcg (emulated, no KVM)"
else
	accel="none (bare metal)"
fi
jq -n --arg cs "$cs" --arg accel "$accel" --arg kernel "$(uname -r)" \
	--arg cpu "$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n1)" \
	--argjson ncpu "$ncpu" --argjson mem "$(awk '/MemTotal/ {print $2}' /proc/meminfo)" \
	--arg host "${TWAMP_BENCH_HOST:-}" --arg modver "$(cat /sys/module/twamp/version 2>/dev/null)" \
	--argjson runs "$runs" --argjson smoke "$smoke" --argjson user "$have_user" \
	--arg date "$(date -u +%Y-%m-%dT%H:%M:%SZ)" --arg cmdline "$(cat /proc/cmdline)" \
	--arg tsc "$(dmesg 2>/dev/null | grep -i -E 'tsc:|clocksource' | head -n 8)" \
	--arg sysctl "$(sysctl -n net.core.netdev_max_backlog net.core.rmem_default | tr '\n' ' ')" \
	--argjson rcpu "$rcpu" --arg uver "$("$urefl" -h 2>&1 | head -n1)" \
	'{date:$date, clocksource:$cs, accel:$accel, kernel:$kernel, cpu_model:$cpu,
	  cpus:$ncpu, mem_kb:$mem, host:$host, module_version:$modver, runs:$runs,
	  smoke:($smoke==1), baseline_available:($user==1), reflector_cpu:$rcpu,
	  cmdline:$cmdline, tsc_log:$tsc, sysctl:$sysctl}' >"$raw/meta.json"
say "clocksource $cs, accel $accel, $ncpu CPUs, $runs runs per figure"

# --- helpers ---------------------------------------------------------------

# cpu_idle CPU: idle + iowait of CPU so far, in USER_HZ units. With NO_HZ
# this is the measured time the CPU slept, not tick samples (which miss
# the short softirq runs of an otherwise idle CPU).
cpu_idle() {
	awk -v c="cpu$1" '$1 == c { print $5 + $6 }' /proc/stat
}

# ksend PORT RATE COUNT: a kernel sender (`twamp-ctl sender`) at RATE pps,
# COUNT packets; prints its statistics as one JSON line. Not `ping`: its
# per-packet results (a netlink multicast and a wake-up of ping for every
# reply) would load the sender's CPU more than the sending does.
ksend() {
	local port=$1 rate=$2 count=$3 id j i state=none
	id=$("$ctl" sender add 192.0.2.2 port "$port" count "$count" \
		interval "$((1000000000 / rate))ns" wait 100ms -j 2>/dev/null |
		jq -r '.[0].id') && [ -n "$id" ] && [ "$id" != null ] &&
		"$ctl" sender start "$id" >/dev/null 2>&1 || {
		echo '{"rate":'"$rate"',"count":'"$count"',"sent":0,"received":0,"lost":0,"late_sends":0,"late_max_us":0,"state":"error"}'
		[ -n "$id" ] && "$ctl" sender del "$id" >/dev/null 2>&1
		return 0
	}
	# at most the schedule, WAIT and 10 s of slack
	for ((i = 0; i < count * 20 / rate + 200; i++)); do
		j=$("$ctl" sender show "$id" -j 2>/dev/null) || break
		state=$(jq -r '.[0].state' <<<"$j")
		[ "$state" = done ] && break
		sleep 0.05
	done
	"$ctl" sender del "$id" >/dev/null 2>&1
	jq -c --argjson rate "$rate" --argjson count "$count" --arg state "$state" \
		'.[0].stats | {rate: $rate, count: $count, sent, received,
		  lost: (.sent - .received), late_sends,
		  late_max_us: (.late_max_ns / 1000), state: $state}' <<<"$j"
}

# pktgen (the kernel's packet generator, net/core/pktgen.c) offers the
# throughput search's load: it sends from a kernel thread on CPU 0 as
# fast as asked, where the kernel sender, which also receives and matches
# every reply on CPU 0, runs out of CPU first. Its packets are 44-octet
# TWAMP Light requests to 192.0.2.2 from port 9; their payload starts with
# pktgen's own header (magic, sequence, no timestamp), so a tc pedit on
# twbench0's egress sets octet 13, the Error Estimate multiplier, to 1:
# a zero multiplier marks a corrupt packet, which both reflectors drop.
# The replies are counted as twbench0 receives them (its rx_packets) and
# dropped there by a tc filter before IP, so CPU 0 spends nothing on them.
PG=/proc/net/pktgen
pgset() { echo "$2" >"$1" || say "pktgen: '$2' refused by $1"; }
pktgen_setup() {
	[ "${TWAMP_BENCH_LOAD:-pktgen}" = pktgen ] || return 1
	modprobe -q pktgen && modprobe -q act_pedit && modprobe -q cls_matchall &&
		modprobe -q act_gact && modprobe -q sch_ingress || return 1
	[ -e $PG/kpktgend_0 ] || return 1
	pgset $PG/kpktgend_0 "rem_device_all"
	pgset $PG/kpktgend_0 "add_device twbench0"
	local d=$PG/twbench0 c
	for c in "xmit_mode queue_xmit" "clone_skb 0" "pkt_size 86" "burst 1" \
		"flag NO_TIMESTAMP" "dst 192.0.2.2" "src_min 192.0.2.1" \
		"src_max 192.0.2.1" "dst_mac $mac_r" "udp_src_min 9" "udp_src_max 9"; do
		pgset $d "$c"
	done
	tc qdisc add dev twbench0 clsact &&
	tc filter add dev twbench0 egress protocol ip matchall \
		action pedit munge offset 41 u8 set 1 &&
	tc filter add dev twbench0 ingress protocol ip matchall action drop || {
		tc qdisc del dev twbench0 clsact 2>/dev/null
		return 1
	}
}
pktgen_teardown() {
	tc qdisc del dev twbench0 clsact 2>/dev/null
	[ -e $PG/kpktgend_0 ] && echo "rem_device_all" >$PG/kpktgend_0
}

# psend PORT RATE COUNT [SPORT]: pktgen at RATE pps, COUNT packets from
# port SPORT (default 9); one JSON line, as ksend's (rate: the rate asked
# for; pps: what pktgen achieved).
psend() {
	local port=$1 rate=$2 count=$3 d=$PG/twbench0 rx0 rx1 sent pps
	pgset $d "udp_src_min ${4:-9}"
	pgset $d "udp_src_max ${4:-9}"
	pgset $d "udp_dst_min $port"
	pgset $d "udp_dst_max $port"
	pgset $d "count $count"
	pgset $d "delay $((1000000000 / rate))"
	rx0=$(cat /sys/class/net/twbench0/statistics/rx_packets)
	echo start >$PG/pgctrl
	sleep 0.15	# the last replies
	rx1=$(cat /sys/class/net/twbench0/statistics/rx_packets)
	sent=$(sed -n 's/.*OK: [0-9]*(.*) usec, \([0-9]*\) (.*/\1/p' $d)
	pps=$(sed -n 's/^ *\([0-9]*\)pps.*/\1/p' $d)
	echo "{\"rate\":$rate,\"count\":$count,\"sent\":${sent:-0},\"received\":$((rx1 - rx0)),\"lost\":$((${sent:-0} - (rx1 - rx0))),\"pps\":${pps:-0},\"late_sends\":0,\"late_max_us\":0,\"state\":\"done\"}"
}

# ok STATS: true if loss <= 0.1% and everything was sent.
loss_ok() {
	local re='"sent":([0-9]+),"received":([0-9]+)'
	[[ $1 =~ $re ]] && [ "${BASH_REMATCH[1]}" -gt 0 ] &&
		[ $(((BASH_REMATCH[1] - BASH_REMATCH[2]) * 1000)) -le "${BASH_REMATCH[1]}" ]
}

# num KEY TEXT: the first integer value of "KEY": in a JSON TEXT.
num() {
	local re="\"$1\":([0-9]+)"
	[[ $2 =~ $re ]] && echo "${BASH_REMATCH[1]}"
}

busy_start() {
	taskset -c $rcpu bash -c 'while :; do :; done' &
	busy_pid=$!
}
busy_stop() {
	kill "$busy_pid" 2>/dev/null
	wait "$busy_pid" 2>/dev/null
	busy_pid=
}

# --- 1. accuracy -----------------------------------------------------------

phase_acc() {
	say "1/5 accuracy: ${acc_count} packets at $acc_interval per run"
	for path in plain netem; do
		if [ $path = netem ]; then
			tc qdisc add dev twbench0 root netem delay ${netem_delay_us}us limit 10000
		fi
		for load in idle busy; do
			[ $load = busy ] && busy_start
			for i in $(seq "$runs"); do
				for side in $sides; do
					IN_S "$ctl" ping -c "$acc_count" -i "$acc_interval" -W 0.2 -j -p "$(port_of $side)" \
						192.0.2.2 >"$raw/acc_${path}_${load}_${side}_$i.json" 2>/dev/null
				done
			done
			[ $load = busy ] && busy_stop
		done
		[ $path = netem ] && tc qdisc del dev twbench0 root
	done
}
phase acc && phase_acc

# --- 2. sender precision ---------------------------------------------------

phase_prec() {
	say "2/5 sender precision: 1 ms and 100 us schedules"
	for iv in 1ms 100us; do
		if [ $iv = 1ms ]; then ns=1000000 n=$prec_1ms; else ns=100000 n=$prec_100us; fi
		for i in $(seq "$runs"); do
			IN_S "$ctl" ping -c "$n" -i $iv -W 0.2 -j -p $KPORT 192.0.2.2 \
				>"$raw/prec_${iv}_k_$i.json" 2>/dev/null
			IN_S "$usend" -i $ns -c "$n" -p $KPORT 192.0.2.2 >"$raw/prec_${iv}_u_$i.txt"
		done
	done
}
phase prec && phase_prec

# --- 3. reflector throughput and CPU per packet ----------------------------

# search SIDE: doubling from tp_start until loss > 0.1% (or tp_max), then
# tp_bisect bisections; one JSON line per step into the run's file.
search() {
	local side=$1 file=$2 rate=$tp_start good=0 bad=0 st count i mid pps
	local prev=${tp_best[$side]:-0}
	[ "$prev" -le $rate ] || rate=$prev
	: >"$file"
	while :; do
		count=$((rate * tp_dur_ms / 1000))
		[ $count -ge 200 ] || count=200
		st=$($load "$(port_of "$side")" $rate $count) || return 1
		echo "$st" >>"$file"
		if loss_ok "$st"; then
			good=$rate
			[ $rate -ge $tp_max ] && break
			# pktgen cannot send faster: the load, not the reflector,
			# is the limit (the steps in the JSON show it)
			pps=$(num pps "$st")
			[ -n "$pps" ] && [ $((pps * 10)) -lt $((rate * 9)) ] && break
			rate=$((rate * 2))
			[ $rate -gt $tp_max ] && rate=$tp_max
		else
			bad=$rate
			break
		fi
	done
	if [ $bad -eq 0 ]; then
		tp_best[$side]=$good
		return 0
	fi
	for ((i = 0; i < tp_bisect; i++)); do
		mid=$(((good + bad) / 2))
		[ $((bad - good)) -gt $((bad / 20)) ] || break
		count=$((mid * tp_dur_ms / 1000))
		[ $count -ge 200 ] || count=200
		st=$($load "$(port_of "$side")" $mid $count) || return 1
		echo "$st" >>"$file"
		if loss_ok "$st"; then good=$mid; else bad=$mid; fi
	done
	tp_best[$side]=$good
}
declare -A tp_best

phase_tp() {
	hz=$(getconf CLK_TCK)
	if pktgen_setup; then
		load=psend
		echo pktgen >"$raw/tp_load"
	else
		pktgen_teardown
		load=ksend
		echo kernel-sender >"$raw/tp_load"
		# the kernel sender's shortest interval is 10 us
		[ $tp_max -le 100000 ] || tp_max=100000
	fi
	say "3/5 reflector throughput ($(cat "$raw/tp_load") as the load) and CPU per packet"
	for i in $(seq "$runs"); do
		for side in $sides; do
			search $side "$raw/tp_${side}_$i.jsonl" || say "throughput run $side $i failed"
		done
	done
	[ $load = psend ] && pktgen_teardown
	for i in $(seq "$runs"); do
		for side in $sides; do
			c0=$(cpu_idle $rcpu)
			t0=$(date +%s%N)
			st=$(ksend "$(port_of $side)" $cpu_rate $((cpu_rate * cpu_ms / 1000)))
			t1=$(date +%s%N)
			c1=$(cpu_idle $rcpu)
			sleep 0.3
			t2=$(date +%s%N)
			c2=$(cpu_idle $rcpu)
			printf '{"stats":%s,"idle_ticks":%d,"wall_ns":%d,"idle_idle_ticks":%d,"idle_wall_ns":%d,"user_hz":%d}\n' \
				"$st" $((c1 - c0)) $((t1 - t0)) $((c2 - c1)) $((t2 - t1)) "$hz" \
				>"$raw/cpu_${side}_$i.json"
		done
	done
}
phase tp && phase_tp

# --- 4. scale --------------------------------------------------------------

meminfo() { awk -v k="$1:" '$1 == k { print $2 }' /proc/meminfo; }
mem_json() {
	sync
	echo 2 >/proc/sys/vm/drop_caches 2>/dev/null
	sleep 0.2
	printf '{"slab_kb":%d,"sunreclaim_kb":%d,"percpu_kb":%d}' "$(meminfo Slab)" \
		"$(meminfo SUnreclaim)" "$(meminfo Percpu)"
}

phase_scale() {
	say "4/5 scale: sessions $scale_ns"
	IN_R "$ctl" reflector add port $SPORT -j >"$raw/srefl.json" || die "cannot add the scale reflector"
	srefl_id=$(jq '.[0].id' "$raw/srefl.json")
	port_range=$(cat /proc/sys/net/ipv4/ip_local_port_range)
	srate=${tp_best[k]:-0}
	[ "$srate" -gt 0 ] || srate=$tp_start
	# the same load as part 3, from the first session's port
	if [ "$(cat "$raw/tp_load" 2>/dev/null)" = pktgen ] && pktgen_setup; then
		sload=psend
	else
		sload=ksend
		[ "$srate" -le 100000 ] || srate=100000
	fi
	for n in $scale_ns; do
		before=$(mem_json)
		IN_R "$bulk" add "$srefl_id" 192.0.2.1 20000 "$n" >"$raw/ids" || die "bulk add of $n sessions failed"
		after=$(mem_json)
		made=$(wc -l <"$raw/ids")
		: >"$raw/scale_rate_$n.jsonl"
		# Offered at the kernel reflector's loss-free rate from part 3:
		# the reflected rate drops if many sessions make it slower.
		# The source port is 20000, the first session's (pktgen's, or
		# the kernel sender's ephemeral port, made 20000), so every
		# packet finds its session (and the session's cached route).
		echo "20000 20000" >/proc/sys/net/ipv4/ip_local_port_range
		for i in $(seq "$runs"); do
			$sload $SPORT "$srate" $((srate * scale_ms / 1000)) 20000 \
				>>"$raw/scale_rate_$n.jsonl"
		done
		echo "$port_range" >/proc/sys/net/ipv4/ip_local_port_range
		IN_R "$bulk" del <"$raw/ids" || die "bulk delete failed"
		deleted=$(mem_json)
		jq -n --argjson n "$n" --argjson made "$made" --argjson b "$before" \
			--argjson a "$after" --argjson d "$deleted" --argjson ms "$scale_ms" \
			'{sessions: $n, made: $made, before: $b, after: $a, after_delete: $d,
			  offered_ms: $ms}' >"$raw/scale_$n.json"
	done
	[ $sload = psend ] && pktgen_teardown
	return 0
}
phase scale && phase_scale

# --- 5. where the time goes ------------------------------------------------

# The function_graph tracer times single calls (max depth 1: nothing below
# is traced, so the overhead is one entry and one exit hook). After T3 the
# kernel reflector, and after T1 the kernel sender, hand the packet to the
# neighbour layer, which copies the link-layer header and calls
# __dev_queue_xmit; that returns once veth has handed the packet to the
# other side (where T4 or T2 is stamped). The userspace reflector calls
# sendmsg (__sys_sendmsg) after T3, which ends in __dev_queue_xmit too
# (not traced separately: it is below depth 1).
phase_trace() {
	local t=/sys/kernel/tracing side
	[ -e $t/current_tracer ] || mount -t tracefs nodev $t 2>/dev/null
	if ! grep -qw function_graph $t/available_tracers 2>/dev/null; then
		say "5/5 trace: no function_graph tracer, skipped"
		return 0
	fi
	say "5/5 trace: time from T3 (T1) to the veth"
	# The filter first: function_graph with no filter hooks every
	# function of the kernel, which an emulated CPU takes minutes over.
	echo 0 >$t/tracing_on
	echo __dev_queue_xmit >$t/set_ftrace_filter || return 0
	echo __sys_sendmsg >>$t/set_ftrace_filter || return 0
	echo 1 >$t/max_graph_depth
	echo function_graph >$t/current_tracer
	for side in $sides; do
		echo >$t/trace
		echo 1 >$t/tracing_on
		"$ctl" ping -q -c "$trace_count" -i 1ms -W 0.2 -p "$(port_of $side)" \
			192.0.2.2 >/dev/null 2>&1
		echo 0 >$t/tracing_on
		# "CPU) DURATION us | func();" -> "CPU FUNC NS"
		sed -n 's/^ *\([0-9]*\))[ !+#*@$]*\([0-9.]*\) us *| *\([a-z_0-9]*\)();.*/\1 \3 \2/p' \
			$t/trace >"$raw/trace_$side.txt"
	done
	echo nop >$t/current_tracer
	echo >$t/set_ftrace_filter
}
phase trace && phase_trace

# --- results ---------------------------------------------------------------

if [ -n "$urefl_pid" ]; then
	kill "$urefl_pid" 2>/dev/null
	wait "$urefl_pid" 2>/dev/null
	urefl_pid=
fi
IN_R "$ctl" reflector show -j >"$raw/reflectors.json"
echo "$(($(date +%s) - t_start))" >"$raw/elapsed"
mark1=$(clock_mark)
echo "$mark0 $mark1" >"$raw/clock"
mkdir -p "$(dirname "$out")"
$py "$top/tools/bench/analyze.py" "$raw" "$out" || die "analysis failed"
echo "results: $out"
