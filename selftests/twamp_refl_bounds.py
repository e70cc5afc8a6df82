#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Attacks on a kernel reflector's sessions, for twamp_refl_bounds.sh.

Each command runs as an unprivileged user in a user and network namespace
of its own (unshare -Urn), where it makes its reflectors over generic
netlink (twamp_nl.py) and attacks them over loopback, and exits 0 when the
reflector held, 1 when the attack worked (each failed check is printed as
a "# FAIL:" line).

one-source     one host, two sockets, many SSIDs: it gets at most the
               per-source cap of stateful sessions, a new sender from
               another address still gets replies.
table-full     many sources fill a small stateful table: the least recently
               heard sessions are evicted, never a programmed one, and a new
               sender, and a sender heard all along, keep getting replies.
replay MODE    a captured authenticated or encrypted test packet sent again
               is not reflected again, and is counted as a replay.
refwait        a stateful session ends after the reflector's short REFWAIT.
evict-race     netlink gets and deletes stateful sessions by ID while a
               flood evicts them in softirq: each op finds the session or
               ENOENT, the kernel stays whole (a session deleted twice,
               or read after it was freed, is a kernel report).
memcg CGROUP   10000 stateful sessions, made in softirq, are charged to the
               memory cgroup CGROUP of the reflector's creator (this
               process, which the caller put there).
"""

import errno
import os
import select
import socket
import struct
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import twamp_nl as nl  # noqa: E402
from twamp_nl import T  # noqa: E402

NTP_OFFSET = 2208988800
STAMP_LEN = 44
fails = 0


def check(cond, what):
    global fails
    if not cond:
        fails += 1
        print("# FAIL:", what)
    return cond


def log(*a):
    print("#", *a)


def ntp():
    t = time.time()
    return int(t) + NTP_OFFSET, int((t % 1) * (1 << 32)) & 0xFFFFFFFF


def stamp_packet(seq, ssid):
    sec, frac = ntp()
    return struct.pack("!IIIHH", seq, sec, frac, 0x0101, ssid) + bytes(28)


def udp(addr="127.0.0.1", port=0):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((addr, port))
    return s


def reply(s, timeout=1.0):
    r, _, _ = select.select([s], [], [], timeout)
    if not r:
        return None
    return s.recv(65536)


def drain(s):
    while reply(s, 0) is not None:
        pass


def ping(s, port, seq, ssid, timeout=1.0):
    """Send one STAMP packet; the reflector's sequence number, or None."""
    s.sendto(stamp_packet(seq, ssid), ("127.0.0.1", port))
    data = reply(s, timeout)
    if data is None:
        return None
    return struct.unpack("!I", data[:4])[0]


# --- netlink ------------------------------------------------------------------

def reflector_new(g, port, *extra):
    return g.reflector_new(nl.u16(T.TWAMP_A_REFLECTOR_PORT, port), *extra)


def stateful(g, port, *limits):
    return reflector_new(g, port,
                         nl.u8(T.TWAMP_A_REFLECTOR_FORMAT,
                               T.TWAMP_FORMAT_STAMP),
                         nl.flag(T.TWAMP_A_REFLECTOR_STATEFUL), *limits)


def reflector_get(g, rid):
    """(attrs, counters {NAME: n}, dynamic {NAME: n}) of a reflector."""
    a = g.by_id(T.TWAMP_CMD_REFLECTOR_GET, T.TWAMP_A_REFLECTOR,
                T.TWAMP_A_REFLECTOR_ID, rid)
    if a.error:
        raise OSError(a.error, a.msg)
    attrs = a.objs(T.TWAMP_A_REFLECTOR)[0]
    return attrs, counters(nl.get(attrs, T.TWAMP_A_REFLECTOR_COUNTERS)), \
        named(nl.get(attrs, T.TWAMP_A_REFLECTOR_DYNAMIC), "TWAMP_A_DYNAMIC_")


def named(payload, prefix):
    out = {}
    if payload is None:
        return out
    # TWAMP_A_X_MAX is an alias of the last one
    names = {v: k[len(prefix):] for k, v in nl.C.items()
             if k.startswith(prefix) and k != prefix + "MAX"}
    for t, v in nl.parse(payload):
        if t in names:
            out[names[t]] = int.from_bytes(v, "little")
    return out


def counters(payload):
    return named(payload, "TWAMP_A_COUNTERS_")


def balanced(c):
    """rx = tx + every drop reason."""
    drops = sum(v for k, v in c.items()
                if k.startswith("DROP_"))
    return c.get("RX", 0) == c.get("TX", 0) + drops


def sessions(g, rid):
    out = []
    for o in g.dump("SESSION"):
        if nl.get_u(o, T.TWAMP_A_SESSION_REFLECTOR_ID) != rid:
            continue
        out.append({
            "id": nl.get_u(o, T.TWAMP_A_SESSION_ID),
            "peer": socket.inet_ntoa(nl.get(o, T.TWAMP_A_SESSION_PEER_IPV4)),
            "port": nl.get_u(o, T.TWAMP_A_SESSION_PEER_PORT),
            "ssid": nl.get_u(o, T.TWAMP_A_SESSION_SSID) or 0,
            "counters": counters(nl.get(o, T.TWAMP_A_SESSION_COUNTERS)),
        })
    return out


def settle(g, rid):
    """Counters once every packet sent has been handled (rx = tx + drops)."""
    for _ in range(50):
        attrs, c, d = reflector_get(g, rid)
        if balanced(c):
            break
        time.sleep(0.1)
    return attrs, c, d


# --- attacks ------------------------------------------------------------------

def cmd_one_source(g):
    """One host, two sockets, 300 SSIDs each, on default limits."""
    port = 862
    rid = stateful(g, port)
    attrs, _, _ = reflector_get(g, rid)
    cap = nl.get_u(attrs, T.TWAMP_A_REFLECTOR_MAX_PER_SOURCE)
    check(cap == 64, "default per-source cap %r, want 64" % cap)
    check(nl.get_u(attrs, T.TWAMP_A_REFLECTOR_MAX_DYNAMIC) == 4096,
          "default table size %r, want 4096" %
          nl.get_u(attrs, T.TWAMP_A_REFLECTOR_MAX_DYNAMIC))

    socks = [udp(), udp()]
    n = 0
    for ssid in range(1, 301):
        for s in socks:
            s.sendto(stamp_packet(ssid, ssid), ("127.0.0.1", port))
            n += 1
        if ssid % 50 == 0:
            for s in socks:
                drain(s)
    _, c, d = settle(g, rid)
    log("attacker sent %d packets: %s dynamic %s" % (n, c, d))
    check(c.get("RX") == n, "rx %r, want %d" % (c.get("RX"), n))
    check(balanced(c), "rx != tx + drops: %s" % c)
    check(d.get("SESSIONS") == 64,
          "the attacker holds %r stateful sessions, want the cap, 64" %
          d.get("SESSIONS"))
    check(c.get("DROP_SOURCE_LIMIT") == n - 64,
          "refused by the per-source cap: %r, want %d" %
          (c.get("DROP_SOURCE_LIMIT"), n - 64))

    legit = udp("127.0.0.2")
    seqs = [ping(legit, port, i, 7) for i in range(3)]
    check(seqs == [0, 1, 2],
          "a new sender at another address: replies %r, want [0, 1, 2]" %
          seqs)
    one_source6(g)
    return fails


def one_source6(g):
    """IPv6: the addresses of one /64 are one source."""
    port = 863
    for a in ("2001:db8:1::1", "2001:db8:1::2", "2001:db8:2::1"):
        subprocess.run(["ip", "addr", "add", a + "/64", "dev", "lo",
                        "nodad"], check=True)
    rid = stateful(g, port, nl.u32(T.TWAMP_A_REFLECTOR_MAX_PER_SOURCE, 2))
    got = {}
    for a in ("2001:db8:1::1", "2001:db8:1::2", "2001:db8:2::1"):
        s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
        s.bind((a, 0))
        n = 0
        for ssid in (1, 2, 3):
            s.sendto(stamp_packet(0, ssid), ("::1", port))
            if reply(s, 1.0 if n < 2 else 0.3) is not None:
                n += 1
        got[a] = n
        s.close()
    _, c, d = settle(g, rid)
    log("IPv6, per-source cap 2: replies %s, %s" % (got, d))
    check(got == {"2001:db8:1::1": 2, "2001:db8:1::2": 0,
                  "2001:db8:2::1": 2},
          "a /64 is one source: sessions per address %r" % got)
    check(c.get("DROP_SOURCE_LIMIT") == 5,
          "IPv6: %r refused by the cap, want 5" % c.get("DROP_SOURCE_LIMIT"))


def cmd_table_full(g):
    """50 sources x 5 SSIDs against 32 sessions, 4 per source."""
    port = 862
    rid = stateful(g, port,
                   nl.u32(T.TWAMP_A_REFLECTOR_MAX_DYNAMIC, 32),
                   nl.u32(T.TWAMP_A_REFLECTOR_MAX_PER_SOURCE, 4))
    prog = g.session_new(nl.u32(T.TWAMP_A_SESSION_REFLECTOR_ID, rid),
                         nl.ip4(T.TWAMP_A_SESSION_PEER_IPV4, "127.0.0.3"),
                         nl.u16(T.TWAMP_A_SESSION_PEER_PORT, 7000),
                         nl.u16(T.TWAMP_A_SESSION_SSID, 9),
                         nl.u32(T.TWAMP_A_SESSION_REFWAIT, 0))
    # a sender heard all along, from before the attack to after it
    kept = udp("127.0.0.4")
    kept_seqs = [ping(kept, port, 0, 5)]
    made = 0
    attackers = []
    for a in range(1, 51):
        s = udp("127.0.1.%d" % a)
        attackers.append(s)
        for ssid in range(1, 6):
            s.sendto(stamp_packet(ssid, ssid), ("127.0.0.1", port))
        made += 4
        if a % 5 == 0:
            # a new tick, so that its session moves behind the attacker's
            time.sleep(0.025)
            kept_seqs.append(ping(kept, port, a, 5))
    _, c, d = settle(g, rid)
    log("after the attack: %s dynamic %s" % (c, d))
    check(d.get("SESSIONS") is not None and d["SESSIONS"] <= 32,
          "%r stateful sessions, the table has 32" % d.get("SESSIONS"))
    check(d.get("CREATED") == made + 1,
          "%r sessions made, want %d" % (d.get("CREATED"), made + 1))
    check(d.get("EVICTED") == made + 1 - 32,
          "%r evicted, want %d" % (d.get("EVICTED"), made + 1 - 32))
    check(c.get("DROP_SOURCE_LIMIT") == 50,
          "%r refused by the per-source cap, want 50" %
          c.get("DROP_SOURCE_LIMIT"))
    check(kept_seqs == list(range(len(kept_seqs))),
          "the sender heard all along lost its session: %r" % kept_seqs)

    legit = udp("127.0.0.2")
    seqs = [ping(legit, port, i, 7) for i in range(3)]
    check(seqs == [0, 1, 2],
          "a new sender once the table is full: replies %r" % seqs)
    ss = sessions(g, rid)
    check(any(x["id"] == prog for x in ss),
          "the programmed session was evicted")
    p = udp("127.0.0.3", 7000)
    check(ping(p, port, 0, 9) == 0, "no reply in the programmed session")
    _, c, d = settle(g, rid)
    check(balanced(c), "rx != tx + drops: %s" % c)
    return fails


def capture_socket():
    """Everything on lo, as IP packets (the namespace's own loopback)."""
    s = socket.socket(socket.AF_PACKET, socket.SOCK_DGRAM,
                      socket.htons(0x0800))
    s.bind(("lo", 0))
    return s


def captured_payload(cap, dport, sport):
    """The UDP payload of the first captured packet from SPORT to DPORT."""
    while True:
        r, _, _ = select.select([cap], [], [], 0.5)
        if not r:
            return None
        pkt, addr = cap.recvfrom(65536)
        if addr[2] == socket.PACKET_OUTGOING:
            continue
        ihl = (pkt[0] & 15) * 4
        if pkt[9] != socket.IPPROTO_UDP:
            continue
        sp, dp, ln = struct.unpack("!HHH", pkt[ihl:ihl + 6])
        if sp == sport and dp == dport:
            return pkt[ihl + 8:ihl + ln]


def cmd_replay(g, mode):
    import twamp_crypto as tc

    m = tc.MODES[mode]
    aes = bytes(range(16))
    hkey = bytes(range(32, 64))
    port, sport = 862, 5001
    rid = reflector_new(g, port,
                        nl.flag(T.TWAMP_A_REFLECTOR_SESSIONS_ONLY))
    sid = g.session_new(nl.u32(T.TWAMP_A_SESSION_REFLECTOR_ID, rid),
                        nl.ip4(T.TWAMP_A_SESSION_PEER_IPV4, "127.0.0.1"),
                        nl.u16(T.TWAMP_A_SESSION_PEER_PORT, sport),
                        nl.u8(T.TWAMP_A_SESSION_SECURITY, m),
                        nl.attr(T.TWAMP_A_SESSION_AES_KEY, aes),
                        nl.attr(T.TWAMP_A_SESSION_HMAC_KEY, hkey))
    s = udp("127.0.0.1", sport)

    def send(seq):
        plain, _ = tc.sender_packet(seq, 16)
        s.sendto(tc.seal(m, aes, hkey, plain, False), ("127.0.0.1", port))

    def answered(what, want, timeout=1.0):
        data = reply(s, timeout if want else 0.3)
        if data is not None:
            r = tc.unseal(m, aes, hkey, data, True)
            check(r is not None, "%s: the reply does not verify" % what)
        return check((data is not None) == want, "%s: %s" % (
            what, "no reply" if want else "reflected again"))

    cap = capture_socket()
    send(100)
    answered("the first packet", True)
    pkt = captured_payload(cap, port, sport)
    if not check(pkt is not None, "nothing captured on lo"):
        return fails
    cap.close()
    # the attacker sends what it captured, as it was
    s.sendto(pkt, ("127.0.0.1", port))
    answered("the captured packet replayed", False)
    s.sendto(pkt, ("127.0.0.1", port))
    answered("the captured packet replayed twice", False)
    # newer numbers, and one that comes late but was never seen, pass
    send(105)
    answered("sequence 105", True)
    send(103)
    answered("sequence 103, late but new", True)
    send(103)
    answered("sequence 103 again", False)
    send(1000)
    answered("sequence 1000", True)
    send(700)
    answered("sequence 700, older than the 256 of the window", False)

    _, c, _ = settle(g, rid)
    log("reflector counters %s" % c)
    check(c.get("DROP_REPLAY") == 4,
          "reflector: %r counted as replays, want 4" % c.get("DROP_REPLAY"))
    check(c.get("DROP_AUTH") == 0, "reflector: HMAC failures %r" %
          c.get("DROP_AUTH"))
    check(balanced(c), "rx != tx + drops: %s" % c)
    sc = [x["counters"] for x in sessions(g, rid) if x["id"] == sid]
    check(sc and sc[0].get("DROP_REPLAY") == 4 and sc[0].get("TX") == 4,
          "session counters %r: want 4 replays, 4 replies" % sc)
    return fails


def cmd_refwait(g):
    port = 862
    rid = stateful(g, port)
    attrs, _, _ = reflector_get(g, rid)
    check(nl.get_u(attrs, T.TWAMP_A_REFLECTOR_DYNAMIC_REFWAIT) == 60000,
          "default stateful REFWAIT %r ms, want 60000" %
          nl.get_u(attrs, T.TWAMP_A_REFLECTOR_DYNAMIC_REFWAIT))
    g.by_id(T.TWAMP_CMD_REFLECTOR_DEL, T.TWAMP_A_REFLECTOR,
            T.TWAMP_A_REFLECTOR_ID, rid)

    # a limit without a stateful reflector, and a REFWAIT out of range
    a = g.req(T.TWAMP_CMD_REFLECTOR_NEW, nl.nest(
        T.TWAMP_A_REFLECTOR, nl.u16(T.TWAMP_A_REFLECTOR_PORT, port),
        nl.u32(T.TWAMP_A_REFLECTOR_MAX_PER_SOURCE, 4)))
    check(a.error and "stateful" in a.msg,
          "a limit on a stateless reflector: %r" % a)
    a = g.req(T.TWAMP_CMD_REFLECTOR_NEW, nl.nest(
        T.TWAMP_A_REFLECTOR, nl.u16(T.TWAMP_A_REFLECTOR_PORT, port),
        nl.u8(T.TWAMP_A_REFLECTOR_FORMAT, T.TWAMP_FORMAT_STAMP),
        nl.flag(T.TWAMP_A_REFLECTOR_STATEFUL),
        nl.u32(T.TWAMP_A_REFLECTOR_DYNAMIC_REFWAIT, 10)))
    check(a.error, "a 10 ms REFWAIT accepted")

    rid = stateful(g, port, nl.u32(T.TWAMP_A_REFLECTOR_DYNAMIC_REFWAIT, 1000))
    s = udp()
    check(ping(s, port, 0, 3) == 0, "no reply")
    check(ping(s, port, 1, 3) == 1, "no second reply")
    t0 = time.monotonic()
    _, _, d = reflector_get(g, rid)
    check(d.get("SESSIONS") == 1, "%r stateful sessions, want 1" %
          d.get("SESSIONS"))
    while time.monotonic() - t0 < 30:
        _, _, d = reflector_get(g, rid)
        if d.get("SESSIONS") == 0:
            break
        time.sleep(0.2)
    log("gone after %.1f s: %s" % (time.monotonic() - t0, d))
    check(d.get("SESSIONS") == 0 and d.get("EXPIRED") == 1,
          "the session outlived its 1 s REFWAIT by 30 s: %s" % d)
    # the sender comes back: a new session, numbered from 0 again
    check(ping(s, port, 2, 3) == 0, "no new session after the REFWAIT")
    return fails


def cmd_evict_race(g):
    """Get and delete sessions that packets evict at the same time."""
    port = 862
    rid = stateful(g, port,
                   nl.u32(T.TWAMP_A_REFLECTOR_MAX_DYNAMIC, 4),
                   nl.u32(T.TWAMP_A_REFLECTOR_MAX_PER_SOURCE, 1000))
    secs = 4
    pid = os.fork()
    if pid == 0:
        # every SSID a new session: each packet evicts one of the four
        s = udp("127.0.0.2")
        end = time.monotonic() + secs
        ssid = 0
        while time.monotonic() < end:
            ssid = ssid % 65535 + 1
            s.sendto(stamp_packet(ssid, ssid), ("127.0.0.1", port))
        os._exit(0)
    ops = found = 0
    other = []
    end = time.monotonic() + secs
    while time.monotonic() < end:
        for x in sessions(g, rid):
            for cmd in (T.TWAMP_CMD_SESSION_GET, T.TWAMP_CMD_SESSION_DEL):
                a = g.by_id(cmd, T.TWAMP_A_SESSION, T.TWAMP_A_SESSION_ID,
                            x["id"])
                ops += 1
                if not a.error:
                    found += 1
                elif a.error != errno.ENOENT:
                    other.append((a.error, a.msg))
    os.waitpid(pid, 0)
    _, c, d = settle(g, rid)
    log("%d gets and deletes, %d found the session; %s dynamic %s" %
        (ops, found, c, d))
    # found may be 0 on a slow run: the flood evicts faster than a dump
    # and a request go round
    check(ops > 0, "no get or delete ran")
    check(not other, "errors other than ENOENT: %r" % other[:5])
    check(d.get("SESSIONS") is not None and d["SESSIONS"] <= 4,
          "%r stateful sessions, the table has 4" % d.get("SESSIONS"))
    check(d.get("EVICTED", 0) > 0, "nothing evicted: %s" % d)
    check(balanced(c), "rx != tx + drops: %s" % c)
    check(ping(udp("127.0.0.3"), port, 0, 7) == 0,
          "no reply to a new sender after the race")
    return fails


def slab(cgroup):
    with open(os.path.join(cgroup, "memory.stat")) as f:
        for line in f:
            k, v = line.split()
            if k == "slab_unreclaimable":
                return int(v)
    return None


def cmd_memcg(g, cgroup):
    port, n = 862, 10000
    try:
        rid = stateful(g, port,
                       nl.u32(T.TWAMP_A_REFLECTOR_MAX_DYNAMIC, 65536),
                       nl.u32(T.TWAMP_A_REFLECTOR_MAX_PER_SOURCE, 65536))
    except OSError:
        # a module before the limits: it has none, so this test can
        # still show whether it charges the cgroup
        log("no stateful limits in this module")
        rid = stateful(g, port)
    before = slab(cgroup)
    s = udp()
    # the replies are not this test's memory: keep few of them
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    for ssid in range(1, n + 1):
        s.sendto(stamp_packet(ssid, ssid), ("127.0.0.1", port))
        if ssid % 500 == 0:
            drain(s)
    _, c, d = settle(g, rid)
    check(d.get("SESSIONS") == n, "%r stateful sessions, want %d" %
          (d.get("SESSIONS"), n))
    # at least 256 octets each (360 on x86-64); stats are flushed lazily
    want = n * 256
    for _ in range(50):
        after = slab(cgroup)
        if after - before >= want:
            break
        time.sleep(0.1)
    log("slab_unreclaimable of %s: %d -> %d (+%d for %d sessions)" %
        (cgroup, before, after, after - before, n))
    check(after - before >= want,
          "the cgroup was charged %d octets for %d stateful sessions, "
          "want at least %d" % (after - before, n, want))
    return fails


def main(argv):
    g = nl.Genl()
    cmd = argv[1] if len(argv) > 1 else ""
    if cmd == "one-source":
        return 1 if cmd_one_source(g) else 0
    if cmd == "table-full":
        return 1 if cmd_table_full(g) else 0
    if cmd == "replay":
        return 1 if cmd_replay(g, argv[2]) else 0
    if cmd == "refwait":
        return 1 if cmd_refwait(g) else 0
    if cmd == "evict-race":
        return 1 if cmd_evict_race(g) else 0
    if cmd == "memcg":
        return 1 if cmd_memcg(g, argv[2]) else 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
