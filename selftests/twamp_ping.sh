#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The kernel Session-Sender through `twamp-ctl ping`, `sender`, `stats` and
# `monitor`, end to end: a sender namespace and a reflector namespace joined
# through a third, routing "wire" namespace whose netem qdiscs delay, lose,
# duplicate and reorder packets in one chosen direction. Every figure ping
# reports is checked against what netem did, against the reflector's own
# counters, and against the per-packet records it printed: RTT, one-way
# delays on the shared clock, loss (round trip and, with a stateful STAMP
# reflector, forward), duplicates, RFC 4737 reordering, the Poisson
# schedule, percentiles, stddev, IPDV and jitter recomputed from the
# records, TTL and DSCP, the JSON of every command, the errors, and Ctrl-C.
#
#   S (sender)              W (wire, forwarding)             R (reflector)
#   s0 10.1.0.1   --veth--  ws 10.1.0.254   wr 10.2.0.254  --veth--  r0 10.2.0.2
#      2001:db8:1::1           2001:db8:1::fe  2001:db8:2::fe         2001:db8:2::2
#                           netem on ws: backward (to S)
#                           netem on wr: forward (to R)
#
# Each test makes its reflectors on ports of its own and deletes them.

# Test functions run through twamp_run_test.
# shellcheck disable=SC2317
source "$(dirname "$(readlink -f "$0")")/lib.sh"

twamp_require_root
twamp_require_cmd ip tc jq python3 modprobe
[ -x "$TWAMP_CTL" ] ||
	twamp_exit_fail "$TWAMP_CTL not built: run make programs first"
twamp_mod_require
modprobe -q veth 2>/dev/null
modprobe -q sch_netem 2>/dev/null

NS_S=
NS_W=
NS_R=
PORT=21000
R4=10.2.0.2
R6=2001:db8:2::2
twamp_tmpdir TMP ping || twamp_exit_fail "mktemp failed"
MODPROBE_PATH=

twamp_cleanup_hook()
{
	twamp_bg_kill TERM
	if [ -n "$MODPROBE_PATH" ]; then
		echo "$MODPROBE_PATH" >/proc/sys/kernel/modprobe
		MODPROBE_PATH=
	fi
}

sns() { ip netns exec "$NS_S" "$@"; }
wns() { ip netns exec "$NS_W" "$@"; }
rns() { ip netns exec "$NS_R" "$@"; }
sctl() { ip netns exec "$NS_S" "$TWAMP_CTL" "$@"; }
rctl() { ip netns exec "$NS_R" "$TWAMP_CTL" "$@"; }

next_port()
{
	PORT=$((PORT + 1))
}

# stop_bg PID SIGNAL: signal a background process and reap it, killing it
# if it is still there 10 s later; its exit status in BG_RC.
stop_bg()
{
	local pid=$1 i st=

	kill -"$2" "$pid" 2>/dev/null
	for i in $(seq 100); do
		# bash reaps it on SIGCHLD (wait still has its status); a
		# zombie would still answer kill -0
		if ! read -r _ _ st _ <"/proc/$pid/stat"; then
			st=gone
			break
		fi 2>/dev/null
		[ "$st" = Z ] && break
		sleep 0.1
	done
	if [ "$st" != Z ] && [ "$st" != gone ]; then
		twamp_log "FAIL: $pid still running 10 s after SIG$2, killed"
		kill -KILL "$pid"
	fi
	wait "$pid"
	BG_RC=$?
	BG_PIDS=()
}

now_us()
{
	echo "${EPOCHREALTIME/./}"
}

# A namespace whose addresses skip DAD, so that they work at once.
netns_nodad()
{
	local _var=$1 _ns

	twamp_netns_add "$_var" "$2" || return 1
	_ns=${!_var}
	ip netns exec "$_ns" sysctl -qw net.ipv6.conf.all.accept_dad=0 \
		net.ipv6.conf.default.accept_dad=0
}

setup()
{
	local id

	netns_nodad NS_S s && netns_nodad NS_W w && netns_nodad NS_R r ||
		return 1
	twamp_veth_add "$NS_S" s0 "$NS_W" ws &&
	twamp_veth_add "$NS_W" wr "$NS_R" r0 || return 1
	wns sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1 ||
		return 1
	twamp_link_up "$NS_S" s0 10.1.0.1/24 2001:db8:1::1/64 &&
	twamp_link_up "$NS_W" ws 10.1.0.254/24 2001:db8:1::fe/64 &&
	twamp_link_up "$NS_W" wr 10.2.0.254/24 2001:db8:2::fe/64 &&
	twamp_link_up "$NS_R" r0 $R4/24 $R6/64 || return 1
	sns ip route add default via 10.1.0.254 &&
	sns ip -6 route add default via 2001:db8:1::fe &&
	rns ip route add default via 10.2.0.254 &&
	rns ip -6 route add default via 2001:db8:2::fe || return 1
	# both families go through W, with neighbours resolved before the
	# tests measure anything
	refl_add id || return 1
	sctl ping -q -c 2 -i 10ms -W 2 -p "$PORT" $R4 >/dev/null &&
	sctl ping -q -c 2 -i 10ms -W 2 -p "$PORT" $R6 >/dev/null || {
		twamp_log "FAIL: no reply from R through W"
		refl_del "$id"
		return 1
	}
	refl_del "$id"
}

# wire FORWARD BACKWARD: netem arguments for W's egress towards R and
# towards S, or "" for none.
wire()
{
	local dev args

	for dev in wr ws; do
		if [ "$dev" = wr ]; then args=$1; else args=$2; fi
		tc -n "$NS_W" qdisc del dev "$dev" root 2>/dev/null
		if [ -n "$args" ]; then
			# shellcheck disable=SC2086 # netem arguments
			tc -n "$NS_W" qdisc add dev "$dev" root netem $args || {
				twamp_log "FAIL: tc qdisc add dev $dev root netem $args"
				return 1
			}
		fi
	done
}

# refl_add VAR ARGS...: a reflector in R on the next port, its ID in VAR
# and its port in PORT.
refl_add()
{
	local _var=$1 _out _id

	shift
	next_port
	if ! _out=$(rctl reflector add port "$PORT" "$@" -j 2>"$TMP/stderr"); then
		twamp_log "FAIL: reflector add port $PORT $*: $(cat "$TMP/stderr")"
		return 1
	fi
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
	twamp_check "reflector del $1" rctl reflector del "$1"
}

# refl_show ID FILE: the reflector's JSON (counters and all) into FILE.
refl_show()
{
	rctl reflector show "$1" -j >"$2" || {
		twamp_log "FAIL: reflector show $1"
		return 1
	}
}

# ping_json FILE ARGS...: twamp-ctl ping -j ARGS in S, its JSON in FILE.
# Fails unless it exits 0 with nothing on standard error.
ping_json()
{
	local file=$1 rc t0

	shift
	t0=$(now_us)
	sctl ping -j "$@" >"$file" 2>"$file.err"
	rc=$?
	twamp_log "ping -j $* -> exit $rc in $((($(now_us) - t0) / 1000)) ms"
	if [ $rc -ne 0 ] || [ -s "$file.err" ]; then
		twamp_log "FAIL: ping -j $* -> exit $rc"
		sed 's/^/#   /' "$file.err"
		head -c 2000 "$file" | sed 's/^/#   /'
		return 1
	fi
}

# check MODE ARGS...: the Python checks below; they print what they saw.
check()
{
	python3 -c "$CHECKS" "$@"
}

# The checks of the JSON that ping -j printed, in one Python process per
# test (process spawns are slow in the emulated guest). Every ping
# document goes through common() first: one JSON document, the documented
# keys, one first record per packet sent, records that add up to the
# counts, RTT and residence time recomputed from T1..T4.
read -r -d '' CHECKS <<'EOF'
import json, math, sys

errors = []

def log(msg):
    print("# " + msg)

def ok(cond, msg):
    if not cond:
        errors.append(msg)
    return cond

def finish():
    for e in errors:
        print("# FAIL: " + e)
    sys.exit(1 if errors else 0)

def load(path):
    text = open(path).read()
    dec = json.JSONDecoder()
    doc, end = dec.raw_decode(text)
    if text[end:].strip():
        errors.append("%s: more than one JSON document" % path)
        finish()
    return doc

CONFIG_KEYS = {"id", "state", "remote", "remote_port", "local", "local_port",
    "dev", "format", "ts_format", "ssid", "dscp", "ttl", "padding", "count",
    "duration_ns", "interval_ns", "schedule", "seed", "start_time_ns",
    "wait_ns", "bind", "security", "seed_str", "start_time_ns_str"}
STATS_KEYS = {"sent", "received", "lost", "lost_forward", "lost_backward",
    "duplicates", "reordered", "reorder_extent_max", "late_sends",
    "late_max_ns", "rtt_min_ns", "rtt_mean_ns", "rtt_max_ns", "rtt_stddev_ns",
    "rtt_p50_ns", "rtt_p90_ns", "rtt_p99_ns", "ipdv_mean_ns", "ipdv_max_ns",
    "pdv_p99_ns", "jitter_fwd_ns", "jitter_bwd_ns", "jitter_rtt_ns",
    "residence_min_ns", "residence_mean_ns", "residence_max_ns",
    "owd_fwd_mean_ns", "owd_bwd_mean_ns", "results_dropped", "auth_failed",
    "skipped", "icmp_errors", "replies_short", "replies_short_min",
    "reply_header_size", "replies_invalid", "replies_bad_ssid",
    "replies_unknown_seq", "replies_late", "replies_foreign"}
REPLY_KEYS = {"sender", "seq", "reflector_seq", "t1_ns", "t2_ns", "t3_ns",
    "t4_ns", "t1_ns_str", "t2_ns_str", "t3_ns_str", "t4_ns_str", "sender_ttl", "reflector_ttl", "dscp", "size",
    "reflector_error_estimate", "rtt_ns", "residence_ns", "lost",
    "duplicate", "reordered", "synced", "dropped"}
LOST_KEYS = {"sender", "seq", "t1_ns", "t1_ns_str", "lost", "duplicate", "reordered",
    "synced", "dropped"}

def firsts(doc):
    return [r for r in doc["results"] if not r["duplicate"]]

def replies(doc):
    return [r for r in firsts(doc) if not r["lost"]]

def common(doc, count=None):
    ok(set(doc) == {"host", "address", "config", "results", "stats",
                    "results_missed"}, "top-level keys: %s" % sorted(doc))
    ok(set(doc["config"]) == CONFIG_KEYS,
       "config keys: %s" % sorted(set(doc["config"]) ^ CONFIG_KEYS))
    ok(set(doc["stats"]) == STATS_KEYS,
       "stats keys: %s" % sorted(set(doc["stats"]) ^ STATS_KEYS))
    c, st = doc["config"], doc["stats"]
    ok(c["state"] == "done", "state %s, not done" % c["state"])
    ok(c["bind"] is True, "ping sender not bound to its socket")
    ok(doc["results_missed"] == 0, "results_missed %s" % doc["results_missed"])
    ok(st["results_dropped"] == 0, "results_dropped %s" % st["results_dropped"])
    sent = st["sent"]
    if count is not None:
        ok(c["count"] == count, "config count %s, not %s" % (c["count"], count))
        # A timer 16 intervals late skips deadlines (docs/sender.md).
        ok(sent + st["skipped"] == count, "sent %s + skipped %s, not %s"
           % (sent, st["skipped"], count))
    fr = firsts(doc)
    rp = replies(doc)
    lost = [r for r in fr if r["lost"]]
    ok(sorted(r["seq"] for r in fr) == list(range(sent)),
       "first records are not one per packet sent: %d records, sent %d"
       % (len(fr), sent))
    ok(len(rp) == st["received"],
       "%d replies in the records, received %s" % (len(rp), st["received"]))
    ok(len(lost) == st["lost"],
       "%d lost records, lost %s" % (len(lost), st["lost"]))
    ok(st["received"] + st["lost"] == sent,
       "received %s + lost %s != sent %s" % (st["received"], st["lost"], sent))
    dups = [r for r in doc["results"] if r["duplicate"]]
    ok(len(dups) == st["duplicates"],
       "%d duplicate records, duplicates %s" % (len(dups), st["duplicates"]))
    reo = [r for r in fr if r["reordered"]]
    ok(len(reo) == st["reordered"],
       "%d reordered records, reordered %s" % (len(reo), st["reordered"]))
    ids = {r["sender"] for r in doc["results"]}
    ok(ids <= {c["id"]}, "records of other senders: %s" % ids)
    for r in doc["results"]:
        # past 2^53 as numbers; the strings must carry them exactly
        for t in ("t1_ns", "t2_ns", "t3_ns", "t4_ns"):
            if t in r:
                ok(r[t + "_str"] == str(r[t]),
                   "seq %d: %s_str %r" % (r["seq"], t, r.get(t + "_str")))
        if r["lost"]:
            ok(set(r) == LOST_KEYS, "lost record keys %s" % sorted(r))
            continue
        if not ok(set(r) == REPLY_KEYS, "record keys %s" % sorted(r)):
            continue
        rtt = (r["t4_ns"] - r["t1_ns"]) - (r["t3_ns"] - r["t2_ns"])
        ok(abs(rtt - r["rtt_ns"]) <= 1000,
           "seq %d: rtt_ns %d, (t4-t1)-(t3-t2) = %d" % (r["seq"], r["rtt_ns"], rtt))
        ok(r["residence_ns"] == r["t3_ns"] - r["t2_ns"],
           "seq %d: residence_ns %d != t3-t2" % (r["seq"], r["residence_ns"]))
        ok(r["t1_ns"] <= r["t4_ns"], "seq %d: t1 > t4" % r["seq"])
    # T1 follows the sequence numbers
    t1 = [r["t1_ns"] for r in sorted(fr, key=lambda r: r["seq"])]
    ok(all(a < b for a, b in zip(t1, t1[1:])), "T1 does not grow with seq")
    log("sent %s received %s lost %s duplicates %s reordered %s" %
        (sent, st["received"], st["lost"], st["duplicates"], st["reordered"]))
    return c, st

def ms(ns):
    return "%.3f ms" % (ns / 1e6)

def counters(path):
    return json.load(open(path))[0]["counters"]

def mode_delay(path, count, fwd_ms, bwd_ms, slack_ms, family):
    doc = load(path)
    c, st = common(doc, int(count))
    fwd, bwd = int(fwd_ms) * 10**6, int(bwd_ms) * 10**6
    lo, hi = fwd + bwd, fwd + bwd + int(slack_ms) * 10**6
    ok(st["lost"] == 0 and st["received"] == st["sent"],
       "lost %s on a lossless path" % st["lost"])
    ok(st["duplicates"] == 0, "duplicates on a path without any")
    ok(":" in doc["address"] if family == "6" else "." in doc["address"],
       "address %s is not IPv%s" % (doc["address"], family))
    ok(c["remote"] == doc["address"], "config remote %s" % c["remote"])
    # The emulated guest stalls now and then (hrtimer: interrupt took
    # 100 ms): a few late replies are no failure, slow ones in general are.
    slow = [r["seq"] for r in replies(doc) if r["rtt_ns"] >= hi]
    ok(len(slow) <= len(replies(doc)) // 10,
       "%d RTTs of %d at or above %s: seq %s" % (len(slow), len(replies(doc)),
                                               ms(hi), slow))
    for r in replies(doc):
        s = r["seq"]
        ok(lo <= r["rtt_ns"] < lo + 250 * 10**6, "seq %d: rtt %s not in [%s, %s)" %
           (s, ms(r["rtt_ns"]), ms(lo), ms(lo + 250 * 10**6)))
        # one clock for all namespaces: the one-way delays are netem's
        ok(r["t2_ns"] - r["t1_ns"] >= fwd - 1000,
           "seq %d: t2-t1 %s < forward delay" % (s, ms(r["t2_ns"] - r["t1_ns"])))
        ok(r["t4_ns"] - r["t3_ns"] >= bwd - 1000,
           "seq %d: t4-t3 %s < backward delay" % (s, ms(r["t4_ns"] - r["t3_ns"])))
        ok(r["residence_ns"] >= 0, "seq %d: residence %d ns" % (s, r["residence_ns"]))
    # T2 is when the packet reached R's backlog: a stalled guest makes a
    # few long residence times, but not most
    res = sorted(r["residence_ns"] for r in replies(doc))
    ok(res[len(res) // 2] < 5 * 10**6, "median residence %s" % ms(res[len(res) // 2]))
    for k in ("rtt_min_ns", "rtt_mean_ns", "rtt_p50_ns", "rtt_p90_ns",
              "rtt_p99_ns", "rtt_max_ns"):
        ok(st[k] is not None and st[k] >= lo, "%s %s below %s" % (k, st[k], ms(lo)))
    # The minimum and the median are below netem's delays plus the slack
    # (at most a tenth of the replies are slow, above). The mean is not:
    # a few stalls of a busy machine can drag it over any fixed bound. It
    # is checked against this run's own packets instead, as are the
    # extremes and the standard deviation (the kernel's 128-bit sum of
    # squares).
    for k in ("rtt_min_ns", "rtt_p50_ns"):
        ok(st[k] is not None and st[k] < hi, "%s %s not below %s" % (k, st[k], ms(hi)))
    rtts = [r["rtt_ns"] for r in replies(doc)]
    if rtts and len(rtts) == st["received"] and not doc["results_missed"]:
        n, s1, s2 = len(rtts), sum(rtts), sum(x * x for x in rtts)
        ok(st["rtt_min_ns"] == min(rtts) and st["rtt_max_ns"] == max(rtts),
           "rtt min/max %s/%s, the replies' %s/%s" %
           (st["rtt_min_ns"], st["rtt_max_ns"], min(rtts), max(rtts)))
        ok(st["rtt_mean_ns"] == s1 // n, "rtt_mean_ns %s, the replies' mean %s" %
           (st["rtt_mean_ns"], s1 // n))
        # The kernel: floor(sqrt(floor(s2 / n) - trunc(s1 / n)^2)); within
        # [var - 1, var + 2 * mean] of the exact variance before the root.
        var_lo = (s2 * n - s1 * s1) // (n * n) - 1
        var_hi = var_lo + 2 + 2 * (s1 // n)
        sd_lo, sd_hi = math.isqrt(max(var_lo, 0)), math.isqrt(var_hi) + 1
        ok(sd_lo <= st["rtt_stddev_ns"] <= sd_hi,
           "rtt_stddev_ns %s, the replies' in [%s, %s]" %
           (st["rtt_stddev_ns"], sd_lo, sd_hi))
    ok(st["rtt_min_ns"] <= st["rtt_p50_ns"] <= st["rtt_p90_ns"] <=
       st["rtt_p99_ns"] <= st["rtt_max_ns"], "percentiles out of order")
    ok(st["owd_fwd_mean_ns"] is None and st["owd_bwd_mean_ns"] is None,
       "one-way delays without synchronized clocks")
    ok(st["lost_forward"] is None, "directional loss without a stateful reflector")
    log("rtt min/avg/p50/max %s / %s / %s / %s, late_max %s" %
        (ms(st["rtt_min_ns"]), ms(st["rtt_mean_ns"]), ms(st["rtt_p50_ns"]),
         ms(st["rtt_max_ns"]), ms(st["late_max_ns"])))

def mode_loss(path, count, refl):
    doc = load(path)
    c, st = common(doc, int(count))
    k = counters(refl)
    log("reflector rx %d tx %d" % (k["rx"], k["tx"]))
    ok(st["lost"] > 0, "no loss with netem loss on the forward path")
    ok(st["received"] > 0, "nothing came back")
    ok(k["rx"] == k["tx"], "reflector rx %d != tx %d" % (k["rx"], k["tx"]))
    ok(st["lost"] == st["sent"] - k["tx"],
       "lost %d != sent %d - reflector tx %d" % (st["lost"], st["sent"], k["tx"]))
    ok(st["duplicates"] == 0, "duplicates without duplication")
    ok(st["lost_forward"] is None and st["lost_backward"] is None,
       "directional loss from a stateless reflector")

def mode_dup(path, count, refl):
    doc = load(path)
    c, st = common(doc, int(count))
    k = counters(refl)
    log("reflector rx %d tx %d" % (k["rx"], k["tx"]))
    ok(st["duplicates"] > 0, "no duplicates with netem duplicate")
    ok(st["lost"] == 0, "lost %d without loss" % st["lost"])
    ok(k["rx"] == k["tx"], "reflector rx %d != tx %d" % (k["rx"], k["tx"]))
    ok(st["duplicates"] == k["rx"] - st["sent"],
       "duplicates %d != reflector rx %d - sent %d" %
       (st["duplicates"], k["rx"], st["sent"]))
    firsts_seen = set()
    for r in doc["results"]:
        if r["duplicate"]:
            ok(r["seq"] in firsts_seen, "duplicate of seq %d before its first"
               % r["seq"])
            ok(not r["reordered"], "duplicate flagged reordered")
        else:
            firsts_seen.add(r["seq"])

# RFC 4737 over the first replies in arrival order (the order of the
# records): which are reordered, and the largest extent.
def rfc4737(doc):
    next_exp, arrivals, flagged, extent = 0, [], set(), 0
    for r in replies(doc):
        s = r["seq"]
        if s >= next_exp:
            next_exp = s + 1
        else:
            flagged.add(s)
            for j, a in enumerate(arrivals[-256:]):
                if a > s:
                    extent = max(extent, len(arrivals[-256:]) - j)
                    break
        arrivals.append(s)
    return flagged, extent

def mode_reorder(path, count):
    doc = load(path)
    c, st = common(doc, int(count))
    ok(st["reordered"] > 0, "nothing reordered")
    ok(st["lost"] == 0, "lost %d without loss" % st["lost"])
    flagged, extent = rfc4737(doc)
    got = {r["seq"] for r in replies(doc) if r["reordered"]}
    ok(got == flagged, "reordered records %s, RFC 4737 says %s" %
       (sorted(got), sorted(flagged)))
    ok(st["reorder_extent_max"] == extent,
       "reorder_extent_max %s, RFC 4737 says %d" % (st["reorder_extent_max"], extent))
    log("reorder extent max %s" % st["reorder_extent_max"])

def mode_stateful(path, count, refl):
    doc = load(path)
    c, st = common(doc, int(count))
    k = counters(refl)
    log("reflector rx %d tx %d; lost forward %s backward %s" %
        (k["rx"], k["tx"], st["lost_forward"], st["lost_backward"]))
    ok(c["format"] == "stamp", "format %s" % c["format"])
    ok(st["lost"] > 0, "no loss with netem loss on the forward path")
    if ok(st["lost_forward"] is not None and st["lost_backward"] is not None,
          "no directional loss from a stateful reflector"):
        ok(st["lost_forward"] == st["sent"] - k["rx"],
           "lost_forward %d != sent %d - reflector rx %d" %
           (st["lost_forward"], st["sent"], k["rx"]))
        ok(st["lost_backward"] == 0,
           "lost_backward %d without backward loss" % st["lost_backward"])
        ok(st["lost_forward"] + st["lost_backward"] == st["lost"],
           "lost_forward + lost_backward != lost")
    # the reflector numbered what it received, 0, 1, 2...
    rs = sorted(r["reflector_seq"] for r in replies(doc))
    ok(rs == list(range(k["rx"])),
       "reflector sequence numbers are not 0..%d" % (k["rx"] - 1))

def gaps(doc):
    t1 = [r["t1_ns"] for r in sorted(firsts(doc), key=lambda r: r["seq"])]
    return [b - a for a, b in zip(t1, t1[1:])]

def mean_cv(g):
    m = sum(g) / len(g)
    sd = math.sqrt(sum((x - m) ** 2 for x in g) / len(g))
    return m, sd / m

def mode_poisson(poisson, periodic, count, interval_ms):
    iv = int(interval_ms) * 10**6
    doc = load(poisson)
    c, st = common(doc, int(count))
    ok(c["schedule"] == "poisson", "schedule %s" % c["schedule"])
    ok(c["seed"] is not None, "no seed reported")
    ok(c["interval_ns"] == iv, "interval_ns %s" % c["interval_ns"])
    g = gaps(doc)
    m, cv = mean_cv(g)
    short = sum(1 for x in g if x < iv / 2) / len(g)
    log("poisson: mean gap %.3f ms, cv %.2f, %.0f%% of the gaps below half "
        "the interval, min gap %.3f ms, seed %s" %
        (m / 1e6, cv, 100 * short, min(g) / 1e6, c["seed"]))
    ok(0.75 * iv <= m <= 1.35 * iv, "poisson mean gap %.3f ms" % (m / 1e6))
    ok(cv > 0.5, "poisson gaps too regular: cv %.2f" % cv)
    # exponential gaps: 1 - exp(-1/2) = 39% of them below half the mean
    ok(0.25 <= short <= 0.55, "poisson: %.0f%% of the gaps below half the "
       "interval, not about 39%%" % (100 * short))
    doc = load(periodic)
    c, st = common(doc)
    ok(c["schedule"] == "periodic", "schedule %s" % c["schedule"])
    g = gaps(doc)
    m, cv = mean_cv(g)
    dev = sorted(abs(x - iv) for x in g)[len(g) // 2]
    log("periodic: mean gap %.3f ms, cv %.3f, median |gap - interval| %.3f ms, "
        "late_max %s, late_sends %s" % (m / 1e6, cv, dev / 1e6,
        ms(st["late_max_ns"]), st["late_sends"]))
    ok(0.9 * iv <= m <= 1.1 * iv, "periodic mean gap %.3f ms" % (m / 1e6))
    # The guest stalls now and then, so rather than the CV: most gaps are
    # the interval, and the schedule does not drift. With absolute
    # deadlines T1 - n * interval stays put: a stall delays the packets it
    # hits (by more than late_max when it falls between the timer and the
    # stamp) but not the ones after it. A sender that slept one interval
    # from each send would drift by its wake-up latency on every packet,
    # 100 times over here. So the typical offset of the last quarter is the
    # first quarter's.
    ok(dev < 0.1 * iv, "periodic: median |gap - interval| %.3f ms" % (dev / 1e6))
    t1 = [r["t1_ns"] for r in sorted(firsts(doc), key=lambda r: r["seq"])]
    off = [t - t1[0] - n * iv for n, t in enumerate(t1)]
    q = len(off) // 4
    head, tail = sorted(off[:q])[q // 2], sorted(off[-q:])[q // 2]
    log("periodic: T1 offset from its deadline, median of the first and "
        "last quarters %s and %s, max %s" %
        (ms(head), ms(tail), ms(max(abs(d) for d in off))))
    ok(abs(tail - head) <= 0.1 * iv,
       "periodic: T1 drifts from its deadlines: %s in the first quarter, "
       "%s in the last" % (ms(head), ms(tail)))

# The kernel histogram of docs/sender.md: exact below 128 ns, then 128
# buckets per power of two up to 2^41 ns, each standing for its midpoint.
def bucket(v):
    if v < 128:
        return v
    e = v.bit_length() - 1
    if e > 40:
        return ((40 - 7 + 2) << 7) - 1
    return ((e - 7 + 1) << 7) + ((v >> (e - 7)) & 127)

def bucket_value(b):
    g, m = b >> 7, b & 127
    if not g:
        return m
    return ((128 + m) << (g - 1)) + (1 << (g - 1)) // 2

def percentile(vals, pct):
    hist = {}
    for v in vals:
        b = bucket(max(v, 0))
        hist[b] = hist.get(b, 0) + 1
    want, seen = -(-len(vals) * pct // 100), 0
    for b in sorted(hist):
        seen += hist[b]
        if seen >= want:
            return min(max(bucket_value(b), min(vals)), max(vals))

def jitter(pairs):
    j16, prev = 0, None
    for s, r in pairs:
        if prev is not None:
            d = (r - prev[1]) - (s - prev[0])
            j16 = j16 + abs(d) - ((j16 + 8) >> 4)
        prev = (s, r)
    return j16 >> 4

def mode_aggregates(path, count):
    doc = load(path)
    c, st = common(doc, int(count))
    rp = replies(doc)
    n = len(rp)
    ok(n > 10, "too few replies: %d" % n)
    rtts = [r["rtt_ns"] for r in rp]
    srt = sorted(rtts)
    ok(st["rtt_min_ns"] == srt[0], "rtt_min %s != %d" % (st["rtt_min_ns"], srt[0]))
    ok(st["rtt_max_ns"] == srt[-1], "rtt_max %s != %d" % (st["rtt_max_ns"], srt[-1]))
    mean = sum(rtts) // n
    ok(st["rtt_mean_ns"] == mean, "rtt_mean %s != %d" % (st["rtt_mean_ns"], mean))
    sq = sum(x * x for x in rtts) // n
    sd = math.isqrt(sq - mean * mean) if sq > mean * mean else 0
    ok(abs(st["rtt_stddev_ns"] - sd) <= 1,
       "rtt_stddev %s != %d" % (st["rtt_stddev_ns"], sd))
    for p in (50, 90, 99):
        k = "rtt_p%d_ns" % p
        exact = srt[-(-n * p // 100) - 1]
        model = percentile(rtts, p)
        ok(st[k] == model, "%s %s, the histogram gives %d" % (k, st[k], model))
        ok(abs(st[k] - exact) <= exact / 256 + 1,
           "%s %s not within 1/256 of the order statistic %d" % (k, st[k], exact))
        ok(abs(st[k] - exact) <= exact / 100, "%s not within 1%%" % k)
    ok(st["pdv_p99_ns"] == st["rtt_p99_ns"] - st["rtt_min_ns"],
       "pdv_p99 %s != p99 - min" % st["pdv_p99_ns"])
    res = [r["residence_ns"] for r in rp]
    ok(st["residence_min_ns"] == min(res) and st["residence_max_ns"] == max(res)
       and st["residence_mean_ns"] == sum(res) // n,
       "residence min/mean/max %s/%s/%s != %d/%d/%d" %
       (st["residence_min_ns"], st["residence_mean_ns"], st["residence_max_ns"],
        min(res), sum(res) // n, max(res)))
    by_seq = {r["seq"]: r["rtt_ns"] for r in rp}
    ipdv = [abs(by_seq[s + 1] - by_seq[s]) for s in by_seq if s + 1 in by_seq]
    if ok(ipdv, "no consecutive replies for IPDV"):
        ok(st["ipdv_mean_ns"] == sum(ipdv) // len(ipdv) and
           st["ipdv_max_ns"] == max(ipdv),
           "ipdv mean/max %s/%s != %d/%d over %d pairs" %
           (st["ipdv_mean_ns"], st["ipdv_max_ns"], sum(ipdv) // len(ipdv),
            max(ipdv), len(ipdv)))
    # RFC 3550 jitter in arrival order, which is the order of the records
    for k, a, b in (("jitter_rtt_ns", "t1_ns", "t4_ns"),
                    ("jitter_fwd_ns", "t1_ns", "t2_ns"),
                    ("jitter_bwd_ns", "t3_ns", "t4_ns")):
        j = jitter([(r[a], r[b]) for r in rp])
        ok(st[k] == j, "%s %s != %d from the records" % (k, st[k], j))
    log("rtt min/mean/p50/p90/p99/max/stddev %s" % " / ".join(
        ms(st[k]) for k in ("rtt_min_ns", "rtt_mean_ns", "rtt_p50_ns",
                            "rtt_p90_ns", "rtt_p99_ns", "rtt_max_ns",
                            "rtt_stddev_ns")))
    log("ipdv mean/max %s / %s, jitter rtt %s, median of the records %s" %
        (ms(st["ipdv_mean_ns"]), ms(st["ipdv_max_ns"]), ms(st["jitter_rtt_ns"]),
         ms(srt[-(-n * 50 // 100) - 1])))

def mode_ttl(path, count, ttl, dscp, refl_ttl):
    doc = load(path)
    c, st = common(doc, int(count))
    ok(st["lost"] == 0, "lost %d" % st["lost"])
    ok(c["ttl"] == int(ttl) + 1, "config ttl %s" % c["ttl"])
    for r in replies(doc):
        ok(r["sender_ttl"] == int(ttl), "seq %d: the reflector saw TTL %d, not %s"
           % (r["seq"], r["sender_ttl"], ttl))
        ok(r["dscp"] == int(dscp), "seq %d: reply DSCP %d, not %s"
           % (r["seq"], r["dscp"], dscp))
        ok(r["reflector_ttl"] == int(refl_ttl), "seq %d: reply TTL %d, not %s"
           % (r["seq"], r["reflector_ttl"], refl_ttl))

def mode_interrupted(path, max_sent):
    doc = load(path)
    c, st = common(doc)
    ok(c["count"] == 0, "count %s: not until Ctrl-C" % c["count"])
    ok(1 <= st["sent"] <= int(max_sent),
       "sent %s after Ctrl-C, expected 1..%s" % (st["sent"], max_sent))
    ok(st["received"] >= 1, "nothing received")

def mode_monitor(path, sender_id, sent):
    lines = open(path).read().splitlines()
    res, done = [], []
    for i, l in enumerate(lines):
        try:
            o = json.loads(l)
        except ValueError:
            errors.append("line %d is not JSON: %r" % (i + 1, l[:200]))
            continue
        if not ok(isinstance(o, dict), "line %d is not an object" % (i + 1)):
            continue
        if o.get("type") == "result":
            res.append(o)
        elif o.get("type") == "done":
            done.append(o)
        else:
            errors.append("line %d: type %r" % (i + 1, o.get("type")))
    log("monitor: %d result lines, %d done lines" % (len(res), len(done)))
    ok(len(res) >= 5, "only %d result lines" % len(res))
    for r in res:
        ok(r["sender"] == int(sender_id), "result of sender %s" % r["sender"])
        ok(set(r) == REPLY_KEYS | {"type"}, "result keys %s" % sorted(r))
    seqs = [r["seq"] for r in res]
    ok(seqs == list(range(seqs[0], seqs[0] + len(seqs))) if seqs else False,
       "result sequence numbers not consecutive: %s" % seqs)
    if ok(len(done) == 1, "%d done lines" % len(done)):
        d = done[0]
        ok(d["sender"] == int(sender_id) and d["state"] == "done",
           "done line %s" % d)
        ok(set(d["stats"]) == STATS_KEYS, "done stats keys")
        ok(d["stats"]["sent"] == int(sent),
           "done: sent %s, sender show said %s" % (d["stats"]["sent"], sent))
        ok(seqs and seqs[-1] == int(sent) - 1,
           "last result seq %s, sent %s" % (seqs[-1] if seqs else None, sent))

def mode_show(path, state, sender_id):
    arr = json.load(open(path))
    ok(isinstance(arr, list) and len(arr) == 1, "not a one-sender array")
    s = arr[0]
    ok(set(s) == CONFIG_KEYS | {"stats"}, "sender show keys %s" % sorted(s))
    ok(s["id"] == int(sender_id), "id %s" % s["id"])
    ok(s["state"] == state, "state %s, not %s" % (s["state"], state))
    ok(set(s["stats"]) == STATS_KEYS, "stats keys")
    print(s["stats"]["sent"])

def mode_stats(path, sender_id, sent, port):
    arr = json.load(open(path))
    ok(isinstance(arr, list) and len(arr) == 1, "not a one-sender array")
    s = arr[0]
    ok(set(s) == {"id", "state", "remote", "stats"}, "stats keys %s" % sorted(s))
    ok(s["id"] == int(sender_id) and s["state"] == "done", "stats %s" % s)
    ok(s["remote"] == "10.2.0.2 port %s" % port, "remote %s" % s["remote"])
    st = s["stats"]
    ok(set(st) == STATS_KEYS, "stats keys")
    ok(st["sent"] == int(sent) and st["received"] == int(sent) and
       st["lost"] == 0, "sent/received/lost %s/%s/%s, sent %s" %
       (st["sent"], st["received"], st["lost"], sent))

mode = sys.argv[1]
globals()["mode_" + mode](*sys.argv[2:])
finish()
EOF

# --- tests -----------------------------------------------------------------

# 1. A known delay, 7 ms forward and 3 ms backward: every RTT is at least
# 10 ms and not much more, the one-way delays (one clock for every
# namespace) are netem's in the right direction, no loss. IPv4 TWAMP Light
# with NTP timestamps; IPv6 STAMP with PTP timestamps both ways.
test_delay()
{
	local fam=$1 id f=$TMP/delay$1.json

	wire "delay 7ms" "delay 3ms" || return 1
	if [ "$fam" = 4 ]; then
		refl_add id || return 1
		ping_json "$f" -c 50 -i 20ms -W 500ms -p "$PORT" $R4
	else
		refl_add id format stamp ts ptp || return 1
		ping_json "$f" -6 --stamp --ptp -c 50 -i 20ms -W 500ms \
			-p "$PORT" $R6
	fi || { refl_del "$id"; return 1; }
	refl_del "$id" &&
	check delay "$f" 50 7 3 15 "$fam"
}

# 2. Loss on the forward path: what the reflector never answered is lost,
# and each lost packet has its record.
test_loss()
{
	local id f=$TMP/loss.json

	wire "loss random 20%" "" || return 1
	refl_add id || return 1
	ping_json "$f" -c 100 -i 10ms -W 500ms -p "$PORT" $R4 &&
	refl_show "$id" "$f.refl" || { refl_del "$id"; return 1; }
	refl_del "$id" &&
	check loss "$f" 100 "$f.refl"
}

# 3. Duplication on the forward path: the reflector answers every copy,
# the sender counts all but the first as duplicates.
test_dup()
{
	local id f=$TMP/dup.json

	wire "duplicate 25%" "" || return 1
	refl_add id || return 1
	ping_json "$f" -c 100 -i 10ms -W 500ms -p "$PORT" $R4 &&
	refl_show "$id" "$f.refl" || { refl_del "$id"; return 1; }
	refl_del "$id" &&
	check dup "$f" 100 "$f.refl"
}

# 4. Reordering on the forward path: a quarter of the packets skip a 20 ms
# delay and overtake those sent in the 20 ms before them. The flags and the
# extent are RFC 4737's, replayed over the records in arrival order.
test_reorder()
{
	local id f=$TMP/reorder.json

	wire "delay 20ms reorder 25% 50%" "" || return 1
	refl_add id || return 1
	ping_json "$f" -c 100 -i 5ms -W 500ms -p "$PORT" $R4 ||
		{ refl_del "$id"; return 1; }
	refl_del "$id" &&
	check reorder "$f" 100
}

# 5. A stateful STAMP reflector numbers what it receives, so the sender
# tells forward loss from backward loss.
test_stateful()
{
	local id f=$TMP/stateful.json

	wire "loss random 20%" "" || return 1
	refl_add id format stamp stateful || return 1
	ping_json "$f" --stamp -c 100 -i 10ms -W 500ms -p "$PORT" $R4 &&
	refl_show "$id" "$f.refl" || { refl_del "$id"; return 1; }
	refl_del "$id" &&
	check stateful "$f" 100 "$f.refl"
}

# 6. Poisson gaps (RFC 2330) average the interval and vary as exponential
# ones do (coefficient of variation about 1); periodic ones do not vary.
test_poisson()
{
	local id f=$TMP/poisson.json g=$TMP/periodic.json

	wire "" "" || return 1
	refl_add id || return 1
	ping_json "$f" --poisson -c 300 -i 10ms -W 500ms -p "$PORT" $R4 &&
	ping_json "$g" -c 100 -i 10ms -W 500ms -p "$PORT" $R4 ||
		{ refl_del "$id"; return 1; }
	refl_del "$id" &&
	check poisson "$f" "$g" 300 10
}

# 7. The kernel's aggregates against the records, on a path with delay
# jitter (and so reordering), loss and duplicates: min, max, mean, stddev,
# the percentiles (against a model of the histogram, and within 1/256 of
# the exact order statistic), PDV, residence, IPDV and RFC 3550 jitter.
test_aggregates()
{
	local id f=$TMP/aggr.json

	wire "delay 4ms 2ms loss random 5% duplicate 5%" "delay 2ms 1ms" ||
		return 1
	refl_add id || return 1
	ping_json "$f" -c 150 -i 10ms -W 500ms -p "$PORT" $R4 ||
		{ refl_del "$id"; return 1; }
	refl_del "$id" &&
	check aggregates "$f" 150
}

# 8. JSON: ping -j is one document that jq reads; a sender made with
# 'sender add' goes idle -> running -> done through start, show, stop and
# stats, 'monitor -j' streams one object per line, and del removes it.
test_json()
{
	local id sid sent mpid f=$TMP/json i

	wire "" "" || return 1
	refl_add id || return 1
	ping_json "$f.ping" -c 5 -i 10ms -W 300ms -p "$PORT" $R4 || return 1
	twamp_check "jq reads ping -j, one document with the documented keys" \
		jq -se 'length == 1 and (.[0] | keys ==
			["address","config","host","results","results_missed","stats"])
			and (.[0].results | length) == 5' "$f.ping" || return 1

	# WAIT 2 s: a loaded machine stalls the guest for up to a second, and
	# a reply later than WAIT would count as lost on this lossless path
	sctl sender add $R4 port "$PORT" interval 20ms wait 2s -j \
		>"$f.add" 2>"$f.err" || {
		twamp_log "FAIL: sender add: $(cat "$f.err")"
		return 1
	}
	sid=$(jq -r '.[0].id' "$f.add")
	twamp_check "sender add -j: idle" \
		jq -e '.[0].state == "idle" and .[0].bind == false and
		       .[0].interval_ns == 20000000 and .[0].count == 0' \
		"$f.add" || return 1
	twamp_check "sender start $sid" sctl sender start "$sid" &&
	sctl sender show "$sid" -j >"$f.show" &&
	twamp_check "sender show -j: running" check show "$f.show" running "$sid" ||
		return 1

	# not through sctl: $! must be twamp-ctl, not a subshell
	ip netns exec "$NS_S" "$TWAMP_CTL" monitor "$sid" -j \
		>"$f.mon" 2>"$f.mon.err" &
	mpid=$!
	BG_PIDS+=("$mpid")
	# until the monitor has printed a few records (5 s at most)
	for i in $(seq 50); do
		[ "$(wc -l <"$f.mon")" -ge 5 ] && break
		sleep 0.1
	done
	twamp_check "sender stop $sid" sctl sender stop "$sid" || return 1
	for i in $(seq 100); do
		sctl sender show "$sid" -j >"$f.show" &&
		grep -q '"state":"done"' "$f.show" && break
		sleep 0.1
	done
	sent=$(check show "$f.show" "done" "$sid") || {
		twamp_log "FAIL: sender show -j after stop"
		check show "$f.show" "done" "$sid"
		return 1
	}
	sleep 0.3
	stop_bg "$mpid" INT
	i=$BG_RC
	if [ $i -ne 0 ] || [ -s "$f.mon.err" ]; then
		twamp_log "FAIL: monitor -j exit $i: $(cat "$f.mon.err")"
		return 1
	fi
	twamp_check "monitor -j: one object per line" \
		check monitor "$f.mon" "$sid" "$sent" || return 1
	sctl stats "$sid" -j >"$f.stats" &&
	twamp_check "stats -j" check stats "$f.stats" "$sid" "$sent" "$PORT" &&
	twamp_check "stats -j (all senders) lists it" \
		jq -e --argjson id "$sid" 'map(select(.id == $id)) | length == 1' \
		<<<"$(sctl stats -j)" &&
	twamp_check "sender del $sid" sctl sender del "$sid" &&
	twamp_expect "sender show -j: none left" "[]" sctl sender show -j &&
	refl_del "$id"
}

# expect_error WHAT TEXT COMMAND...: the command fails with exit status 1,
# prints nothing on standard output, and TEXT on standard error.
expect_error()
{
	local what=$1 text=$2 rc want=${WANT_RC:-1}

	shift 2
	"$@" >"$TMP/out" 2>"$TMP/err"
	rc=$?
	if [ $rc -ne "$want" ] || [ -s "$TMP/out" ] ||
	   ! grep -qF -- "$text" "$TMP/err"; then
		twamp_log "FAIL: $what: exit $rc (want $want), stderr wants '$text'"
		twamp_log "  \$ $*"
		sed 's/^/#   stdout: /' "$TMP/out" | head -5
		sed 's/^/#   stderr: /' "$TMP/err" | head -5
		return 1
	fi
	twamp_log "$what: $(head -1 "$TMP/err")"
}

# ping and test exit 2 on an error, as iputils ping (1 is "no reply").
expect_ping_error()
{
	WANT_RC=2 expect_error "$@"
}

# 9. Bad arguments: a clear message and exit status 2 from ping (1 from
# the object commands), the kernel's extack text where the kernel refused;
# ping with no reflector exits 1.
test_errors()
{
	local sid f=$TMP/err.json rc

	expect_ping_error "ping IPv4 multicast" "the remote address must be unicast" \
		sctl ping -c 1 224.0.0.1 &&
	expect_ping_error "ping IPv6 multicast" "the remote address must be unicast" \
		sctl ping -c 1 ff02::1 &&
	expect_ping_error "-c junk" "invalid count 'junk'" \
		sctl ping -c junk $R4 &&
	expect_ping_error "-i 0" "interval '0' out of range: from 10us" \
		sctl ping -c 1 -i 0 $R4 &&
	expect_ping_error "-s below the TWAMP header" "invalid size 13" \
		sctl ping -c 1 -s 13 $R4 &&
	expect_ping_error "-s below the STAMP header" "invalid size 43" \
		sctl ping --stamp -c 1 -s 43 $R4 &&
	expect_ping_error "-s above 9000 octets" "packet larger than 9000 octets" \
		sctl ping -c 1 -s 9001 $R4 &&
	expect_ping_error "-Q 64" "invalid dscp '64'" \
		sctl ping -c 1 -Q 64 $R4 &&
	expect_ping_error "-t 0" "ttl: integer out of range" \
		sctl ping -c 1 -t 0 $R4 &&
	expect_ping_error "--ssid without --stamp" "--ssid needs --stamp" \
		sctl ping -c 1 --ssid 5 $R4 &&
	expect_ping_error "unknown option" "unknown option '--bogus'" \
		sctl ping --bogus $R4 &&
	expect_ping_error "-4 with an IPv6 address" "is not an IPv4 address" \
		sctl ping -4 -c 1 $R6 ||
		return 1

	# nobody answers: every packet lost, exit 1, the statistics all the same
	next_port
	sctl ping -j -c 3 -i 20ms -W 200ms -p "$PORT" $R4 >"$f" 2>"$f.err"
	rc=$?
	twamp_check "ping without a reflector: exit 1" test $rc -eq 1 &&
	twamp_check "ping without a reflector: all lost" \
		jq -e '.stats.sent == 3 and .stats.lost == 3 and
		       .stats.received == 0 and .stats.rtt_min_ns == null and
		       ([.results[] | select(.lost)] | length) == 3' "$f" ||
		return 1

	sctl sender add $R4 port 9 interval 100ms -j >"$f.add" 2>"$f.err" || {
		twamp_log "FAIL: sender add: $(cat "$f.err")"
		return 1
	}
	sid=$(jq -r '.[0].id' "$f.add")
	expect_error "stop an idle sender" "the sender is not running" \
		sctl sender stop "$sid" &&
	twamp_check "sender start $sid" sctl sender start "$sid" &&
	expect_error "start a running sender" "the sender has already been started" \
		sctl sender start "$sid" &&
	twamp_check "sender stop $sid" sctl sender stop "$sid" &&
	expect_error "stop a stopped sender" "the sender is not running" \
		sctl sender stop "$sid" &&
	twamp_check "sender del $sid" sctl sender del "$sid" &&
	expect_error "del of an unknown ID" "no sender with this ID" \
		sctl sender del "$sid" &&
	expect_error "stats of an unknown ID" "no sender with this ID" \
		sctl stats 4000000000 &&
	expect_error "monitor of an unknown ID" "no sender with this ID" \
		sctl monitor 4000000000 &&
	expect_error "stats with two IDs" "twamp-ctl: stats: unexpected argument '2'" \
		sctl stats 1 2 &&
	expect_error "monitor with two IDs" \
		"twamp-ctl: monitor: unexpected argument '2'" sctl monitor -j 1 2 &&
	expect_error "sender add junk" "unknown parameter 'bogus'" \
		sctl sender add $R4 bogus 1 &&
	expect_error "sender add ssid without stamp" "an SSID needs the STAMP format" \
		sctl sender add $R4 ssid 5
}

# 10. TTL and DSCP: -t 7 reaches the reflector as 6 after W's hop, the
# reply comes back with the reflector's 255 less that hop, and with the
# DSCP of the request (the reflector keeps it) or its own.
test_ttl_dscp()
{
	local id f=$TMP/ttl

	wire "" "" || return 1
	refl_add id || return 1
	ping_json "$f.4.json" -Q 46 -t 7 -c 10 -i 10ms -W 300ms -p "$PORT" $R4 &&
	ping_json "$f.6.json" -Q af41 -t 7 -c 10 -i 10ms -W 300ms -p "$PORT" $R6 ||
		{ refl_del "$id"; return 1; }
	refl_del "$id" || return 1
	refl_add id dscp 10 || return 1
	ping_json "$f.set.json" -Q ef -t 64 -c 10 -i 10ms -W 300ms -p "$PORT" $R4 ||
		{ refl_del "$id"; return 1; }
	refl_del "$id" &&
	twamp_check "IPv4 -Q 46 -t 7, reflector keeps the DSCP" \
		check ttl "$f.4.json" 10 6 46 254 &&
	twamp_check "IPv6 -Q af41 -t 7, reflector keeps the DSCP" \
		check ttl "$f.6.json" 10 6 34 254 &&
	twamp_check "IPv4 -Q ef -t 64, reflector sets DSCP 10" \
		check ttl "$f.set.json" 10 63 10 254
}

# 11. Ctrl-C stops a ping without -c, which still prints its statistics
# (human and JSON) and exits 0.
test_interrupt()
{
	local id pid rc f=$TMP/int i t0 ms sent

	wire "" "" || return 1
	refl_add id || return 1
	# not through sctl: $! must be twamp-ctl, not a subshell. WAIT 2 s:
	# on a loaded machine the emulated guest stalls for up to a second
	# (late_max 1.19 s seen at load 14), and a reply later than WAIT
	# counts as lost, which is no error of the Ctrl-C handling this tests.
	ip netns exec "$NS_S" "$TWAMP_CTL" ping -i 20ms -W 2s -p "$PORT" $R4 \
		>"$f.txt" 2>"$f.err" &
	pid=$!
	BG_PIDS=("$pid")
	# until it has printed a reply (5 s at most), then ~1 s more
	for i in $(seq 50); do
		grep -q 'bytes from' "$f.txt" && break
		sleep 0.1
	done
	sleep 1
	t0=$(now_us)
	stop_bg "$pid" INT
	rc=$BG_RC
	ms=$((($(now_us) - t0) / 1000))
	twamp_log "ping exited $rc ${ms} ms after SIGINT"
	sed -n '/---/,$p' "$f.txt" | sed 's/^/#   /'
	sent=$(sed -n 's/^\([0-9]*\) packets transmitted, \([0-9]*\) received.*/\1 \2/p' \
	       "$f.txt")
	twamp_check "exit 0 after Ctrl-C" test $rc -eq 0 &&
	twamp_check "nothing on stderr: $(cat "$f.err")" test ! -s "$f.err" &&
	twamp_check "summary after Ctrl-C" grep -q '^--- .* twamp ping statistics ---$' \
		"$f.txt" &&
	twamp_check "sent >= 1 and all received: '$sent'" \
		eval '[ -n "$sent" ] && [ "${sent% *}" -ge 1 ] && [ "${sent% *}" = "${sent#* }" ]' &&
	twamp_check "stopped within WAIT + 5 s of SIGINT" test $ms -lt 7000 || {
		refl_del "$id"
		return 1
	}

	ip netns exec "$NS_S" "$TWAMP_CTL" ping -j -i 20ms -W 300ms -p "$PORT" \
		$R4 >"$f.json" 2>"$f.err" &
	pid=$!
	BG_PIDS=("$pid")
	# until its sender runs and has sent something (5 s at most)
	for i in $(seq 50); do
		sctl stats -j | grep -q '"state":"running","remote":"[^"]*","stats":{"sent":[1-9]' &&
			break
		sleep 0.1
	done
	sleep 1
	stop_bg "$pid" INT
	rc=$BG_RC
	refl_del "$id" &&
	twamp_check "ping -j: exit 0 after Ctrl-C, no stderr: $(cat "$f.err")" \
		test $rc -eq 0 -a ! -s "$f.err" &&
	twamp_check "ping -j after Ctrl-C: a complete document" \
		check interrupted "$f.json" 1000 &&
	twamp_expect "its sender is gone with it" "[]" sctl sender show -j
}

# 12. Without the module, ping says so, also when it goes away mid-run. Autoloading is turned off for the
# check (kernel.modprobe), in case the module is installed. The module is
# loaded again afterwards if this script did not load it.
test_no_module()
{
	local rc=0 pid i

	MODPROBE_PATH=$(cat /proc/sys/kernel/modprobe)
	echo /bin/false >/proc/sys/kernel/modprobe
	# Unloaded under a running ping: it must end, not wait for ever, and
	# say why unless the module's exit reported the sender done.
	ip netns exec "$NS_S" "$TWAMP_CTL" ping -i 50ms -p 9 $R4 \
		>"$TMP/unload.out" 2>"$TMP/unload.err" &
	pid=$!
	BG_PIDS=("$pid")
	for i in $(seq 50); do
		grep -q 'TWAMP-PING' "$TMP/unload.out" && break
		sleep 0.1
	done
	sleep 0.5
	rmmod twamp || { twamp_log "FAIL: rmmod twamp"; stop_bg "$pid" KILL; return 1; }
	for i in $(seq 150); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	twamp_check "ping ends within 15 s of rmmod" \
		eval '! kill -0 '"$pid"' 2>/dev/null' || rc=1
	stop_bg "$pid" KILL
	twamp_log "ping after rmmod: exit $BG_RC: $(head -1 "$TMP/unload.err")"
	twamp_check "ping after rmmod: says the module is gone, or finished" \
		eval 'grep -qE "twamp module not loaded|module was unloaded" "$TMP/unload.err" ||
		      grep -q "twamp ping statistics" "$TMP/unload.out"' || rc=1
	expect_ping_error "ping without the module" \
		"twamp module not loaded: run 'modprobe twamp'" \
		sctl ping -c 1 $R4 || rc=1
	expect_error "sender show without the module" \
		"twamp module not loaded: run 'modprobe twamp'" \
		sctl sender show || rc=1
	echo "$MODPROBE_PATH" >/proc/sys/kernel/modprobe
	MODPROBE_PATH=
	if [ "$TWAMP_MOD_LOADED_HERE" = 1 ]; then
		TWAMP_MOD_LOADED_HERE=0
	else
		twamp_insmod || modprobe twamp ||
			twamp_log "could not load twamp again"
	fi
	return $rc
}

# 13. ping as iputils ping: -w DEADLINE ends a run whatever came back,
# within bounds derived from what a short run costs on this machine; exit
# 1 without a reply and 0 with one; -D stamps every line; -O reports a
# packet still unanswered; per-packet lines in send order though a loss is
# known only after WAIT, after the replies to later packets.
test_ping_habits()
{
	local id rc t0 base ms limit t0s t1s f=$TMP/habits

	wire "" "" || return 1
	next_port	# nothing listens there: no reply
	t0=$(now_us)
	sctl ping -q -c 1 -W 200ms -p "$PORT" $R4 >/dev/null 2>&1
	rc=$?
	base=$((($(now_us) - t0) / 1000))
	twamp_check "one lost packet: exit 1" test $rc -eq 1 || return 1
	# No -c, and a reply wait longer than the run: only the deadline ends
	# it (timeout(1) in case it does not). The bound: the deadline, three
	# times the cost of the short run above, and a second to spare.
	limit=$((1000 + 3 * base + 1000))
	t0=$(now_us)
	timeout $((limit / 1000 + 30)) ip netns exec "$NS_S" "$TWAMP_CTL" \
		ping -w 1 -W 5 -i 100ms -p "$PORT" $R4 >"$f.dl" 2>"$f.err"
	rc=$?
	ms=$((($(now_us) - t0) / 1000))
	twamp_log "-w 1 without a reply: exit $rc in $ms ms (1 lost packet: $base ms; limit $limit ms)"
	twamp_check "-w 1 without a reply: exit 1" test $rc -eq 1 &&
	twamp_check "-w 1: not before the deadline" test $ms -ge 1000 &&
	twamp_check "-w 1: ended within $limit ms" test $ms -lt $limit &&
	twamp_check "-w 1: statistics, nothing on stderr: $(cat "$f.err")" \
		eval 'grep -q "^--- .* twamp ping statistics ---$" "$f.dl" && ! test -s "$f.err"' ||
		return 1

	refl_add id || return 1
	t0=$(now_us)
	timeout $((limit / 1000 + 30)) ip netns exec "$NS_S" "$TWAMP_CTL" \
		ping -q -w 1 -i 50ms -p "$PORT" $R4 >"$f.dl" 2>"$f.err"
	rc=$?
	ms=$((($(now_us) - t0) / 1000))
	twamp_log "-w 1 with replies: exit $rc in $ms ms"
	twamp_check "-w 1 with replies: exit 0" test $rc -eq 0 &&
	twamp_check "-w 1 with replies: ended within $limit ms" \
		test $ms -lt $limit || { refl_del "$id"; return 1; }

	# A lossy forward path: lost lines come a WAIT late yet print in place.
	wire "loss random 30%" "" || { refl_del "$id"; return 1; }
	t0s=$(date +%s)
	sctl ping -D -O -c 20 -i 50ms -W 1 -p "$PORT" $R4 >"$f.D" 2>"$f.err"
	rc=$?
	t1s=$(date +%s)
	wire "" ""
	refl_del "$id" &&
	twamp_check "-D -O with replies: exit 0, no stderr: $(cat "$f.err")" \
		test $rc -eq 0 -a ! -s "$f.err" &&
	twamp_check "-D stamps, -O reports, lines in send order" \
		python3 - "$f.D" "$t0s" "$t1s" <<'PY'
import re, sys
lines = open(sys.argv[1]).read().splitlines()
t0, t1 = int(sys.argv[2]) - 1, int(sys.argv[3]) + 1
bad, seqs, noans = [], [], {}
for i, l in enumerate(lines):
    m = re.match(r"^\[(\d+)\.(\d{6})\] (.*)$", l)
    body = m.group(3) if m else l
    pkt = re.search(r"(?:bytes from [^:]+: |^)seq=(\d+) ", body + " ")
    na = re.match(r"^no answer yet for seq=(\d+)$", body)
    if not (pkt or na):
        continue
    if not m or not t0 <= int(m.group(1)) <= t1:
        bad.append("not stamped within [%d, %d]: %s" % (t0, t1, l))
    if na:
        noans[int(na.group(1))] = i
    else:
        seqs.append(int(pkt.group(1)))
        n = seqs[-1]
        if n in noans and noans[n] > i:
            bad.append("no answer yet for %d after its line" % n)
if seqs != list(range(20)):
    bad.append("per-packet lines out of send order: %s" % seqs)
for b in bad:
    print("# " + b)
print("# %d lines, %d lost, %d 'no answer yet'" % (len(seqs),
      sum("lost" in l for l in lines), len(noans)))
sys.exit(1 if bad else 0)
PY
}

# 14. twamp-ctl as ip(8): global -j -p -n before the command, ls and
# delete, the nearest command for a misspelled one, "needs CAP_NET_ADMIN";
# and every -j output valid against docs/twamp-ctl.schema.json.
SCHEMA=$TWAMP_ST_DIR/../docs/twamp-ctl.schema.json
schema_check()
{
	twamp_check "$1 -j valid against the schema" \
		python3 "$TWAMP_ST_DIR/twamp_json_check.py" "$SCHEMA" "$@"
}

test_ip_habits()
{
	local id sid msg mrc f=$TMP/ip

	[ -r "$SCHEMA" ] || { twamp_log "FAIL: no $SCHEMA"; return 1; }
	wire "" "" || return 1
	refl_add id || return 1
	ping_json "$f.ping" -c 3 -i 10ms -W 2 -p "$PORT" $R4 &&
	schema_check ping "$f.ping" &&
	"$TWAMP_CTL" -n "$NS_R" -j reflector ls >"$f.refl" &&
	schema_check reflector_show "$f.refl" &&
	twamp_check "-n NETNS -j reflector ls is reflector show -j in NETNS" \
		eval 'test "$(cat "$f.refl")" = "$(rctl reflector show -j)"' &&
	"$TWAMP_CTL" -n "$NS_R" -j -p reflector list >"$f.pretty" &&
	twamp_check "-j -p: the same JSON, indented" \
		python3 -c 'import json, sys
a, b = (open(p).read() for p in sys.argv[1:3])
sys.exit(not (json.loads(a) == json.loads(b) and a.count("\n") > 10))' \
		"$f.pretty" "$f.refl" &&
	rctl -j session show >"$f.sess" &&
	schema_check session_show "$f.sess" &&
	sctl -j version >"$f.ver" && schema_check version "$f.ver" &&
	sctl -j clock >"$f.clock" && schema_check clock "$f.clock" || {
		refl_del "$id"
		return 1
	}

	sctl -j sender add $R4 port "$PORT" count 3 interval 10ms >"$f.add" &&
	sid=$(jq -r '.[0].id' "$f.add") &&
	schema_check sender_show "$f.add" &&
	sctl sender start "$sid" &&
	sctl -j sender ls "$sid" >"$f.show" &&
	schema_check sender_show "$f.show" &&
	sctl -j stats "$sid" >"$f.stats" &&
	schema_check stats "$f.stats" &&
	twamp_check "sender delete $sid" sctl sender delete "$sid" &&
	refl_del "$id" || return 1

	# (twamp_check's own locals are out and rc: these names differ)
	msg=$(sctl refletor show 2>&1)
	mrc=$?
	twamp_check "misspelled command: exit 1, a suggestion: $msg" \
		eval '[ $mrc -eq 1 ] && grep -qF "unknown command '"'"'refletor'"'"'; did you mean '"'"'reflector'"'"'?" <<<"$msg"' ||
		return 1
	msg=$(sctl sender delet 1 2>&1)
	mrc=$?
	twamp_check "misspelled verb: exit 1: $(head -1 <<<"$msg")" \
		eval '[ $mrc -eq 1 ] && grep -qF "sender: unknown command '"'"'delet'"'"'; did you mean" <<<"$msg"' ||
		return 1

	if ! command -v setpriv >/dev/null; then
		twamp_log "no setpriv: CAP_NET_ADMIN message not checked"
		return 0
	fi
	msg=$(sns setpriv --reuid=65534 --regid=65534 --clear-groups \
		--inh-caps=-all "$TWAMP_CTL" sender add $R4 2>&1)
	mrc=$?
	twamp_check "without CAP_NET_ADMIN: exit 1, says so: $msg" \
		eval '[ $mrc -eq 1 ] && grep -qF "needs CAP_NET_ADMIN" <<<"$msg"'
}

# 15. ICMP errors about test packets: each is reported on the packet's
# line as ping does ("From ADDR seq=N Destination Port Unreachable"),
# counted as "+N errors", and the run exits 1 as ping does with no reply.
# Port unreachable from R (nothing listens), TTL and hop limit exceeded at
# W (-t 1), and W's unreachable and prohibit routes; the seven runs go at
# once, each to its own destination, so the suite waits one WAIT.
icmp_case()
{
	local name=$1

	shift
	sctl ping -c 2 -i 20ms -W 2 "$@" >"$TMP/icmp.$name" 2>&1 &
	ICMP_PIDS+=("$!")
}

icmp_check()
{
	local name=$1 want=$2 rc=$3 f=$TMP/icmp.$1 n

	n=$(grep -cxE "From $want" "$f")
	# values expanded here: twamp_check has an rc of its own
	twamp_check "$name: 2 x 'From $want' (got $n), +2 errors, exit 1 (got $rc)" \
		eval "[ $rc -eq 1 ] && [ $n -eq 2 ] &&
		      grep -qF ' 0 received, +2 errors, 100% packet loss' '$f'" || {
		sed 's/^/#   /' "$f"
		return 1
	}
}

test_icmp()
{
	local f=$TMP/icmp.json rc i rcs=() cost
	ICMP_PIDS=()

	wire "" "" || return 1
	# ICMP rate limits would answer some packets and not others: the
	# namespaces' own, and the unreachable routes' token bucket per
	# source (net.ipv4.route.error_cost, global: set back below)
	cost=$(sysctl -n net.ipv4.route.error_cost) &&
	sysctl -qw net.ipv4.route.error_cost=0 &&
	wns sysctl -qw net.ipv4.icmp_ratelimit=0 net.ipv6.icmp.ratelimit=0 &&
	rns sysctl -qw net.ipv4.icmp_ratelimit=0 net.ipv6.icmp.ratelimit=0 &&
	wns ip route add unreachable 10.2.0.98/32 &&
	wns ip route add prohibit 10.2.0.99/32 &&
	wns ip -6 route add unreachable 2001:db8:2::98/128 || return 1
	next_port	# nothing listens there
	icmp_case port4 -p "$PORT" $R4
	icmp_case port6 -p "$PORT" $R6
	icmp_case ttl4 -t 1 -p "$PORT" $R4
	icmp_case hlim6 -t 1 -p "$PORT" $R6
	icmp_case unreach4 -p "$PORT" 10.2.0.98
	icmp_case prohibit4 -p "$PORT" 10.2.0.99
	icmp_case unreach6 -p "$PORT" 2001:db8:2::98
	sctl ping -j -c 2 -i 20ms -W 2 -p "$PORT" $R4 >"$f" 2>"$f.err"
	rc=$?
	for i in "${ICMP_PIDS[@]}"; do
		wait "$i"
		rcs+=("$?")
	done
	wns ip route del unreachable 10.2.0.98/32
	wns ip route del prohibit 10.2.0.99/32
	wns ip -6 route del unreachable 2001:db8:2::98/128
	sysctl -qw net.ipv4.route.error_cost="$cost"
	icmp_check port4 "10\.2\.0\.2 seq=[01] Destination Port Unreachable" "${rcs[0]}" &&
	icmp_check port6 "2001:db8:2::2 seq=[01] Destination unreachable: Port unreachable" "${rcs[1]}" &&
	icmp_check ttl4 "10\.1\.0\.254 seq=[01] Time to live exceeded" "${rcs[2]}" &&
	icmp_check hlim6 "2001:db8:1::fe seq=[01] Time exceeded: Hop limit" "${rcs[3]}" &&
	icmp_check unreach4 "10\.1\.0\.254 seq=[01] Destination Host Unreachable" "${rcs[4]}" &&
	icmp_check prohibit4 "10\.1\.0\.254 seq=[01] Packet filtered" "${rcs[5]}" &&
	icmp_check unreach6 "2001:db8:1::fe seq=[01] Destination unreachable: No route" "${rcs[6]}" &&
	twamp_check "ping -j, port unreachable: exit 1 (got $rc)" test "$rc" -eq 1 &&
	twamp_check "ping -j, port unreachable: ICMP members and icmp_errors" \
		eval 'jq -e ".stats.icmp_errors == 2 and
		      .stats.lost == 2 and .stats.received == 0 and
		      ([.results[] | select(.lost and .icmp_type == 3 and
		        .icmp_code == 3 and .icmp_from == \"$R4\" and
		        .icmp_error == \"Destination Port Unreachable\")] |
		       length) == 2" "$f"' &&
	schema_check ping "$f"
}

# 16. Replies that are no replies are counted by reason and named: a peer
# answering 38 octets (the reflector header without its last MBZ and
# Sender TTL), where TWAMP needs 41, shows as short replies in the summary
# and in -j, not as silent loss.
test_short()
{
	local f=$TMP/short pid rc i

	next_port
	rm -f "$f.ready"
	# not through rns: $! must be python's own PID (ip netns exec execs
	# it), and its output not the suite's, or a survivor would hold it
	ip netns exec "$NS_R" python3 - "$R4" "$PORT" "$f.ready" \
		>"$f.peer" 2>&1 <<'PY' &
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind((sys.argv[1], int(sys.argv[2])))
s.settimeout(60)	# and it ends on its own
open(sys.argv[3], "w").close()
while True:
    data, peer = s.recvfrom(65536)
    # the sequence numbers where they belong, 38 octets in all
    s.sendto(data[:4] + bytes(20) + data[:4] + bytes(10), peer)
PY
	pid=$!
	BG_PIDS+=("$pid")
	for i in $(seq 100); do
		[ -e "$f.ready" ] && break
		sleep 0.1
	done
	# both at once: the run costs one WAIT
	sctl ping -j -c 3 -i 20ms -W 1 -p "$PORT" $R4 >"$f.json" 2>"$f.err" &
	i=$!
	sctl ping -c 3 -i 20ms -W 1 -p "$PORT" $R4 >"$f.txt" 2>&1
	rc=$?
	wait "$i"
	twamp_bg_kill KILL
	twamp_check "short replies: exit 1 (got $rc)" test "$rc" -eq 1 &&
	twamp_check "short replies: named in the summary" \
		grep -qxF "3 short replies (38 octets < 41), dropped" "$f.txt" &&
	twamp_check "short replies in -j" \
		jq -e '.stats.replies_short == 3 and .stats.replies_short_min == 38 and
		       .stats.reply_header_size == 41 and .stats.received == 0 and
		       .stats.replies_foreign == 0' "$f.json" || {
		sed 's/^/#   /' "$f.txt"
		return 1
	}
}

# timed FUNCTION ARGS...: run it and log how long it took.
timed()
{
	local t0 rc

	t0=$(now_us)
	"$@"
	rc=$?
	twamp_log "$1 ${2:-}: $((($(now_us) - t0) / 1000)) ms"
	return $rc
}

setup || twamp_exit_fail "cannot set up the namespaces"

twamp_ktap_plan 19
twamp_run_test "IPv4 TWAMP Light: 7+3 ms delay, RTT, one-way delays, no loss" \
	timed test_delay 4
twamp_run_test "IPv6 STAMP PTP: 7+3 ms delay, RTT, one-way delays, no loss" \
	timed test_delay 6
twamp_run_test "forward loss: lost = sent - reflector tx, lost records" \
	timed test_loss
twamp_run_test "forward duplication: duplicates = reflector rx - sent" \
	timed test_dup
twamp_run_test "forward reordering: RFC 4737 flags and extent" \
	timed test_reorder
twamp_run_test "stateful STAMP: lost_forward = sent - reflector rx, no backward loss" \
	timed test_stateful
twamp_run_test "Poisson schedule: mean gap and variation; periodic is regular" \
	timed test_poisson
twamp_run_test "aggregates recomputed from the records" \
	timed test_aggregates
twamp_run_test "JSON: ping -j, sender add/start/show/stop/del, stats, monitor" \
	timed test_json
twamp_run_test "bad arguments and refusals: message and exit 2 (ping) or 1" \
	timed test_errors
twamp_run_test "TTL and DSCP as the reflector saw and returned them" \
	timed test_ttl_dscp
twamp_run_test "Ctrl-C stops ping, which prints its statistics" \
	timed test_interrupt
twamp_run_test "ping -w DEADLINE, -D, -O, send order, exit 0 and 1" \
	timed test_ping_habits
twamp_run_test_once "global -j -p -n, aliases, suggestions; -j valid against the schema" \
	timed test_ip_habits
twamp_run_test "ICMP errors per packet as ping reports them, +N errors" \
	timed test_icmp
twamp_run_test "short replies counted and named, not silent loss" \
	timed test_short
twamp_run_test "no sender left behind" \
	twamp_expect "sender show -j" "[]" sctl sender show -j
twamp_run_test "without the module, ping says so" \
	timed test_no_module
twamp_run_test "no kernel taint beyond O/E" twamp_no_new_taint
twamp_ktap_finish
