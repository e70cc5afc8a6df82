#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Netlink side of twamp_sender_bounds.sh, run in a namespace.

reflector ADDR PORT        a TWAMP Light reflector at ADDR:PORT
behind DST PORT            senders made to fall far behind: every 10 us,
                           periodic (count, duration, a start time an hour
                           in the past) and Poisson; once all are DONE their
                           statistics must account for every deadline
horizon DST PORT           start times beyond the horizon are refused with
                           an extack naming it, those within are accepted;
                           a DURATION of 2^64 - 1 does not wrap around
memory CGROUP DST PORT N   N senders with a long WAIT, half with a 1 s
                           DURATION and half without an end, made from the
                           memory cgroup CGROUP: what they take is small
                           and charged to CGROUP
slots DST PORT             a sender whose whole test is in flight at once
                           (replies delayed longer than the DURATION, by
                           the caller's netem) gets every reply back
grow DST PORT              a sender without an end, replies delayed 8 s:
                           more in flight than its first table holds, and
                           every reply found
Exit status 0 on success, 4 (KSFT_SKIP) when nothing fell behind; "# ..."
lines say what failed.
"""

import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import twamp_nl as nl  # noqa: E402
from twamp_nl import T, nest, u8, u16, u32, u64, ip4  # noqa: E402

KSFT_SKIP = 4
US, MS, S = 1000, 1000000, 1000000000
# kmod/twamp.h: TWAMP_SENDER_BURST, TWAMP_SENDER_MAX_AHEAD
BURST = 16
MAX_AHEAD = 366 * 24 * 3600 * S
# The RTT histogram every sender has: (40 - 7 + 2) << 7 u32 buckets.
HIST_BYTES = ((40 - 7 + 2) << 7) * 4


def log(msg):
    for line in str(msg).splitlines():
        print("# " + line, flush=True)


def sender_new(g, dst, port, *extra):
    return g.sender_new(ip4(T.TWAMP_A_SENDER_REMOTE_IPV4, dst),
                        u16(T.TWAMP_A_SENDER_REMOTE_PORT, int(port)), *extra)


def op(g, cmd, sid):
    a = g.by_id(cmd, T.TWAMP_A_SENDER, T.TWAMP_A_SENDER_ID, sid)
    if a.error:
        raise OSError(a.error, "sender %d: %s: %s" % (sid, os.strerror(a.error),
                                                      a.msg))
    return a


def get(g, sid):
    """(state, {stat name: value}) of a sender."""
    o = op(g, T.TWAMP_CMD_SENDER_GET, sid).objs(T.TWAMP_A_SENDER)[0]
    st = nl.parse(nl.get(o, T.TWAMP_A_SENDER_STATS))
    stats = {}
    for name in ("SENT", "RECEIVED", "LOST", "LATE_SENDS", "LATE_MAX",
                 "SKIPPED"):
        stats[name.lower()] = nl.get_u(st, nl.C["TWAMP_A_STATS_" + name])
    return nl.get_u(o, T.TWAMP_A_SENDER_STATE), stats


def wait_done(g, sids, secs):
    end = time.time() + secs
    while True:
        left = [s for s in sids if get(g, s)[0] != T.TWAMP_SENDER_DONE]
        if not left:
            return True
        if time.time() > end:
            log("senders %r not DONE after %d s" % (left, secs))
            return False
        time.sleep(0.2)


def cmd_reflector(addr, port):
    g = nl.Genl()
    print(g.reflector_new(ip4(T.TWAMP_A_REFLECTOR_LOCAL_IPV4, addr),
                          u16(T.TWAMP_A_REFLECTOR_PORT, int(port))))
    return 0


def cmd_behind(dst, port):
    """Every 10 us: far more than an emulated guest sends, so each sender
    falls behind by thousands of deadlines. The timer must send at most a
    burst per expiry and skip the rest: the test finishing at all with the
    kernel log clean is half of it; the other half is that the statistics
    account for every deadline of the schedule exactly."""
    g = nl.Genl()
    iv = 10 * US
    count = 20000
    wait = [u64(T.TWAMP_A_SENDER_INTERVAL, iv),
            u64(T.TWAMP_A_SENDER_WAIT, 200 * MS)]
    past = time.time_ns() - 3600 * S
    # (description, deadlines of its schedule, periodic, attributes)
    plan = [("periodic count %d #%d" % (count, i), count, True,
             [u32(T.TWAMP_A_SENDER_COUNT, count)]) for i in range(6)]
    plan += [
        ("periodic duration 100 ms", 100 * MS // iv + 1, True,
         [u64(T.TWAMP_A_SENDER_DURATION, 100 * MS)]),
        ("periodic, start time an hour ago", count, True,
         [u32(T.TWAMP_A_SENDER_COUNT, count),
          u64(T.TWAMP_A_SENDER_START_TIME, past)]),
        ("poisson count %d" % count, count, False,
         [u32(T.TWAMP_A_SENDER_COUNT, count),
          u8(T.TWAMP_A_SENDER_SCHEDULE, T.TWAMP_SCHEDULE_POISSON),
          u64(T.TWAMP_A_SENDER_SEED, 12345)]),
    ]
    # The attack as reported: senders without an end, stopped after 2 s.
    plan += [
        ("periodic until STOP", None, True, []),
        ("poisson until STOP", None, False,
         [u8(T.TWAMP_A_SENDER_SCHEDULE, T.TWAMP_SCHEDULE_POISSON)]),
    ]
    sids = [sender_new(g, dst, port, *(wait + extra))
            for _, _, _, extra in plan]
    t0 = time.monotonic()
    for sid in sids:
        op(g, T.TWAMP_CMD_SENDER_START, sid)
    time.sleep(2)
    for (_, deadlines, _, _), sid in zip(plan, sids):
        if deadlines is None:
            op(g, T.TWAMP_CMD_SENDER_STOP, sid)
    # No more deadlines than the time from the first START to this
    # STOP's reply holds (fewer when the timer was behind at STOP).
    most = int((time.monotonic() - t0) * S) // iv + 1
    if not wait_done(g, sids, 300):
        return 1
    log("all DONE in %.1f s" % (time.monotonic() - t0))
    ok, total_skipped = True, 0
    for (desc, deadlines, periodic, _), sid in zip(plan, sids):
        _, st = get(g, sid)
        log("%s: %s" % (desc, " ".join("%s %s" % kv for kv in st.items())))
        why = []
        if st["skipped"] is None:
            why.append("no SKIPPED statistic")
            st["skipped"] = 0
        if deadlines is None:
            if periodic and st["sent"] + st["skipped"] > most:
                why.append("sent + skipped = %d, more than the %d deadlines "
                           "that can have passed" %
                           (st["sent"] + st["skipped"], most))
        elif st["sent"] + st["skipped"] != deadlines:
            why.append("sent + skipped = %d, the schedule has %d deadlines"
                       % (st["sent"] + st["skipped"], deadlines))
        if st["received"] + st["lost"] != st["sent"]:
            why.append("received + lost = %d != sent: skipped sends were "
                       "counted as lost or received" %
                       (st["received"] + st["lost"]))
        if st["late_sends"] > st["sent"]:
            why.append("more late sends than sends")
        if st["skipped"] and not st["late_sends"]:
            why.append("deadlines skipped without a late send")
        # A periodic deadline is skipped only once a burst of BURST sends
        # did not catch up: the first of them was BURST intervals late.
        if periodic and st["skipped"] and st["late_max"] < BURST * iv:
            why.append("skipped with late_max %d ns < %d intervals" %
                       (st["late_max"], BURST))
        if why:
            log("FAIL %s: %s" % (desc, "; ".join(why)))
            ok = False
        total_skipped += st["skipped"]
    for sid in sids:
        op(g, T.TWAMP_CMD_SENDER_DEL, sid)
    if ok and not total_skipped:
        log("no sender fell behind on this machine: nothing was tested")
        return KSFT_SKIP
    return 0 if ok else 1


def cmd_horizon(dst, port):
    g = nl.Genl()
    ok = True
    now = time.time_ns()
    for desc, t in (("400 days ahead", now + 400 * 24 * 3600 * S),
                    ("just beyond the horizon", now + MAX_AHEAD + 60 * S),
                    ("2^63 + 5 (negative as s64)", (1 << 63) + 5),
                    ("2^64 - 1", (1 << 64) - 1)):
        a = g.req(T.TWAMP_CMD_SENDER_NEW, nest(
            T.TWAMP_A_SENDER, ip4(T.TWAMP_A_SENDER_REMOTE_IPV4, dst),
            u16(T.TWAMP_A_SENDER_REMOTE_PORT, int(port)),
            u64(T.TWAMP_A_SENDER_START_TIME, t)))
        if not a.error:
            for o in a.objs(T.TWAMP_A_SENDER):
                op(g, T.TWAMP_CMD_SENDER_DEL,
                   nl.get_u(o, T.TWAMP_A_SENDER_ID))
            log("FAIL start time %s: accepted" % desc)
            ok = False
        elif a.error != 34 or "366 days" not in a.msg:     # ERANGE
            log("FAIL start time %s: errno %d, message %r; want ERANGE "
                "naming the 366-day limit" % (desc, a.error, a.msg))
            ok = False
    # Within the horizon: accepted, runs, sends nothing yet.
    sid = sender_new(g, dst, port, u64(T.TWAMP_A_SENDER_START_TIME,
                                       now + 300 * 24 * 3600 * S))
    op(g, T.TWAMP_CMD_SENDER_START, sid)
    time.sleep(0.3)
    state, st = get(g, sid)
    if state != T.TWAMP_SENDER_RUNNING or st["sent"]:
        log("FAIL start in 300 days: state %d, sent %d" % (state, st["sent"]))
        ok = False
    op(g, T.TWAMP_CMD_SENDER_DEL, sid)
    # DURATION 2^64 - 1 from now: an end that must saturate, not wrap
    # into the past and stop the sender after its first packet.
    sid = sender_new(g, dst, port, u64(T.TWAMP_A_SENDER_DURATION, (1 << 64) - 1),
                     u64(T.TWAMP_A_SENDER_INTERVAL, 1 * MS))
    op(g, T.TWAMP_CMD_SENDER_START, sid)
    end = time.time() + 10
    while True:
        time.sleep(0.1)
        state, st = get(g, sid)
        if st["sent"] >= 2 or time.time() > end:
            break
    if state != T.TWAMP_SENDER_RUNNING or st["sent"] < 2:
        log("FAIL duration 2^64 - 1: state %d, sent %d" % (state, st["sent"]))
        ok = False
    op(g, T.TWAMP_CMD_SENDER_DEL, sid)
    return 0 if ok else 1


def meminfo():
    with open("/proc/meminfo") as f:
        return {k: int(v.split()[0]) * 1024
                for k, v in (line.split(":", 1) for line in f)}


def read_int(path):
    with open(path) as f:
        return int(f.read())


def cmd_memory(cg, dst, port, n):
    """The attack: many senders with a long WAIT. Their slot tables must
    be sized by the packets the test can send (101 here), not by WAIT (a
    32768-slot, 768 KiB table each), and all of it charged to the
    creator's memory cgroup."""
    n = int(n)
    g = nl.Genl()
    cur = os.path.join(cg, "memory.current")
    attrs = [u64(T.TWAMP_A_SENDER_INTERVAL, 10 * MS),
             u64(T.TWAMP_A_SENDER_DURATION, 1 * S),
             u64(T.TWAMP_A_SENDER_WAIT, 3600 * S)]
    # Half without an end: their tables start small and grow only when
    # replies are slow to come.
    endless = [u64(T.TWAMP_A_SENDER_INTERVAL, 10 * MS),
               u64(T.TWAMP_A_SENDER_WAIT, 3600 * S)]
    sender_new(g, dst, port, *attrs)    # warm up caches and the socket
    m0, c0 = meminfo(), read_int(cur)
    sids = [sender_new(g, dst, port, *(attrs if i % 2 else endless))
            for i in range(n)]
    m1, c1 = meminfo(), read_int(cur)
    sys_per = (m0["MemFree"] - m1["MemFree"]) / n
    cg_per = (c1 - c0) / n
    log("%d senders: system %.1f KiB each (Slab %+.1f, SUnreclaim %+.1f, "
        "VmallocUsed %+.1f, Percpu %+.1f KiB in all), memory cgroup "
        "%.1f KiB each" % (
            n, sys_per / 1024,
            (m1["Slab"] - m0["Slab"]) / 1024,
            (m1["SUnreclaim"] - m0["SUnreclaim"]) / 1024,
            (m1["VmallocUsed"] - m0["VmallocUsed"]) / 1024,
            (m1.get("Percpu", 0) - m0.get("Percpu", 0)) / 1024,
            cg_per / 1024))
    ok = True
    if sys_per > 128 * 1024:
        log("FAIL each sender took %.0f KiB: its slot table is sized by WAIT"
            ", not by the packets of its DURATION or what is in flight" %
            (sys_per / 1024))
        ok = False
    if cg_per < HIST_BYTES:
        log("FAIL the memory cgroup grew by %.1f KiB per sender, less than "
            "its %.1f KiB histogram: the allocations are not charged" %
            (cg_per / 1024, HIST_BYTES / 1024))
        ok = False
    if cg_per < sys_per / 2:
        log("FAIL the memory cgroup saw %.1f of the %.1f KiB each sender "
            "took" % (cg_per / 1024, sys_per / 1024))
        ok = False
    for sid in g.ids("SENDER"):
        op(g, T.TWAMP_CMD_SENDER_DEL, sid)
    return 0 if ok else 1


def cmd_grow(dst, port):
    """Replies delayed 8 s (the caller's netem), a packet every 1 ms for
    10 s: up to 8000 in flight, and more than the 1024 slots a sender
    starts with even in a guest so slow that it sends one packet in five.
    The table must grow in time: every reply found, none counted lost."""
    g = nl.Genl()
    sid = sender_new(g, dst, port, u64(T.TWAMP_A_SENDER_INTERVAL, 1 * MS),
                     u64(T.TWAMP_A_SENDER_WAIT, 20 * S))
    op(g, T.TWAMP_CMD_SENDER_START, sid)
    time.sleep(10)
    op(g, T.TWAMP_CMD_SENDER_STOP, sid)
    end = time.time() + 60
    while True:
        state, st = get(g, sid)
        if st["received"] == st["sent"] or time.time() > end:
            break
        time.sleep(0.2)
    log("sent %d skipped %s received %d lost %d" % (
        st["sent"], st["skipped"], st["received"], st["lost"]))
    op(g, T.TWAMP_CMD_SENDER_DEL, sid)
    if st["received"] != st["sent"] or st["lost"]:
        log("FAIL replies within WAIT not found: the table did not grow")
        return 1
    return 0


def cmd_slots(dst, port):
    """Replies delayed past the DURATION: every packet of the test is in
    flight at once, so the table sized from DURATION must hold them all."""
    g = nl.Genl()
    iv, dur = 10 * MS, 1 * S
    sid = sender_new(g, dst, port, u64(T.TWAMP_A_SENDER_INTERVAL, iv),
                     u64(T.TWAMP_A_SENDER_DURATION, dur),
                     u64(T.TWAMP_A_SENDER_WAIT, 20 * S))
    op(g, T.TWAMP_CMD_SENDER_START, sid)
    # DONE comes WAIT after the last send; stop once every reply is in.
    end = time.time() + 60
    while True:
        state, st = get(g, sid)
        if state == T.TWAMP_SENDER_DRAINING and \
                st["received"] == st["sent"] or time.time() > end:
            break
        time.sleep(0.2)
    log("sent %d skipped %s received %d lost %d" % (
        st["sent"], st["skipped"], st["received"], st["lost"]))
    op(g, T.TWAMP_CMD_SENDER_DEL, sid)
    ok = st["received"] == st["sent"] and not st["lost"] and \
        st["sent"] + (st["skipped"] or 0) == dur // iv + 1
    if not ok:
        log("FAIL want every one of the %d deadlines sent or skipped and "
            "every packet sent received" % (dur // iv + 1))
    return 0 if ok else 1


def main(argv):
    cmds = {"reflector": cmd_reflector, "behind": cmd_behind,
            "horizon": cmd_horizon, "memory": cmd_memory, "slots": cmd_slots,
            "grow": cmd_grow}
    if len(argv) < 2 or argv[1] not in cmds:
        print(__doc__, file=sys.stderr)
        return 2
    return cmds[argv[1]](*argv[2:])


if __name__ == "__main__":
    sys.exit(main(sys.argv))
