#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Netlink side of twamp_fault.sh, run in a namespace (ip netns exec).

populate ADDR PORT NSESS      a TWAMP Light reflector on PORT and a stateful
                              STAMP one on PORT+1 at ADDR, NSESS sessions on
                              each
senders DST PORT N [STAMP]    N kernel senders to DST:PORT, every 10 ms until
                              stopped, started
count                         "REFLECTORS SESSIONS SENDERS" of the namespace
running                       number of senders in state RUNNING
bind PEER_PORT                BIND reflector, sessions and sender vanish when
                              their socket closes, the others stay
hold PORT                     make BIND objects, print "ready", sleep: the
                              caller kills it
churn SECONDS REFL PEERBASE   create, get and delete sessions on reflector
                              REFL in a loop; print the operations done
reflchurn SECONDS PORT        delete and re-create a reflector on PORT while
                              creating sessions on it: each session request
                              either succeeds or finds no reflector
memory REFL N                 create N sessions on REFL (run in a memory
                              cgroup at its limit): each NEW either succeeds
                              and lists or fails with ENOMEM; all are
                              deleted after
failnth REFL                  fail, in turn, the 1st, 2nd, ... slab
                              allocation of creating a session on REFL, a
                              reflector, a sender, an encrypted session and
                              an encrypted sender
                              (/proc/thread-self/fail-nth), until one
                              completes with none failed: each attempt
                              either succeeds or fails with an out-of-memory
                              errno, leaving nothing behind
counters REFL                 "rx tx drops" of a reflector
Exit status 0 on success; "# ..." lines say what failed.
"""

import errno
import os
import signal
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import twamp_nl as nl  # noqa: E402
from twamp_nl import T, C, nest, u8, u16, u32, u64, flag, ip4, ip6  # noqa

R, S, N = "REFLECTOR", "SESSION", "SENDER"


def log(msg):
    print("# " + msg, flush=True)


def addr_attr(typ4, typ6, addr):
    return ip6(typ6, addr) if ":" in addr else ip4(typ4, addr)


def refl_attrs(addr, port, stamp=False, stateful=False, bind=False):
    kids = [u16(T.TWAMP_A_REFLECTOR_PORT, port)]
    if addr != "any":
        kids.append(addr_attr(T.TWAMP_A_REFLECTOR_LOCAL_IPV4,
                              T.TWAMP_A_REFLECTOR_LOCAL_IPV6, addr))
    if stamp:
        kids.append(u8(T.TWAMP_A_REFLECTOR_FORMAT, T.TWAMP_FORMAT_STAMP))
    if stateful:
        kids.append(flag(T.TWAMP_A_REFLECTOR_STATEFUL))
    if bind:
        kids.append(flag(T.TWAMP_A_REFLECTOR_BIND))
    return kids


def refl(g, addr, port, **kw):
    return g.reflector_new(*refl_attrs(addr, port, **kw))


def sess_attrs(rid, peer, pport, bind=False, ssid=None):
    kids = [u32(T.TWAMP_A_SESSION_REFLECTOR_ID, rid),
            addr_attr(T.TWAMP_A_SESSION_PEER_IPV4, T.TWAMP_A_SESSION_PEER_IPV6,
                      peer),
            u16(T.TWAMP_A_SESSION_PEER_PORT, pport)]
    if ssid:
        kids.append(u16(T.TWAMP_A_SESSION_SSID, ssid))
    if bind:
        kids.append(flag(T.TWAMP_A_SESSION_BIND))
    return kids


def sess(g, rid, peer, pport, **kw):
    return g.session_new(*sess_attrs(rid, peer, pport, **kw))


def sender_attrs(dst, port, stamp=False, bind=False, interval=10000000):
    kids = [addr_attr(T.TWAMP_A_SENDER_REMOTE_IPV4, T.TWAMP_A_SENDER_REMOTE_IPV6,
                      dst),
            u16(T.TWAMP_A_SENDER_REMOTE_PORT, port),
            u32(T.TWAMP_A_SENDER_COUNT, 0),
            u64(T.TWAMP_A_SENDER_INTERVAL, interval),
            u64(T.TWAMP_A_SENDER_WAIT, 100000000)]
    if stamp:
        kids.append(u8(T.TWAMP_A_SENDER_FORMAT, T.TWAMP_FORMAT_STAMP))
    if bind:
        kids.append(flag(T.TWAMP_A_SENDER_BIND))
    return kids


def sender(g, dst, port, start=True, **kw):
    sid = g.sender_new(*sender_attrs(dst, port, **kw))
    if start:
        a = g.by_id(T.TWAMP_CMD_SENDER_START, T.TWAMP_A_SENDER,
                    T.TWAMP_A_SENDER_ID, sid)
        if a.error:
            raise OSError(a.error, "sender start: %s" % a.msg)
    return sid


def counts(g):
    return [len(g.dump(k)) for k in (R, S, N)]


def cmd_populate(addr, port, nsess):
    g = nl.Genl()
    r1 = refl(g, addr, int(port))
    r2 = refl(g, addr, int(port) + 1, stamp=True, stateful=True)
    peer = "2001:db8::99" if ":" in addr else "10.99.0.1"
    for i in range(int(nsess)):
        sess(g, r1, peer, 1000 + i)
        sess(g, r2, peer, 1000 + i, ssid=i + 1)
    print(r1, r2)
    return 0


def cmd_senders(dst, port, n, stamp=None):
    g = nl.Genl()
    ids = [sender(g, dst, int(port), stamp=bool(stamp)) for _ in range(int(n))]
    print(*ids)
    return 0


def cmd_count():
    print(*counts(nl.Genl()))
    return 0


def cmd_running():
    g = nl.Genl()
    print(sum(1 for o in g.dump(N) if nl.get_u(o, T.TWAMP_A_SENDER_STATE) ==
              T.TWAMP_SENDER_RUNNING))
    return 0


def cmd_bind(pport):
    pport = int(pport)
    keep = nl.Genl()
    b = nl.Genl()
    rk = refl(keep, "127.0.0.1", pport)
    rb = refl(b, "127.0.0.1", pport + 1, bind=True)
    made_keep = {R: {rk}, S: set(), N: set()}
    made_bind = {R: {rb}, S: set(), N: set()}
    made_keep[S].add(sess(keep, rk, "127.0.0.1", 5000))
    made_bind[S].add(sess(b, rk, "127.0.0.1", 5001, bind=True))
    # sessions of a BIND reflector go with it, BIND or not
    made_bind[S].add(sess(b, rb, "127.0.0.1", 5002))
    made_keep[N].add(sender(keep, "127.0.0.1", pport))
    made_bind[N].add(sender(b, "127.0.0.1", pport + 1, bind=True))
    made_bind[N].add(sender(b, "127.0.0.1", pport, bind=True, start=False))
    ok = True
    for k in (R, S, N):
        have = set(keep.ids(k))
        if not (made_keep[k] | made_bind[k]) <= have:
            log("%s: made %r, listed %r" % (k, made_keep[k] | made_bind[k],
                                           have))
            ok = False
    b.close()
    for k in (R, S, N):
        have = set(keep.ids(k))
        if have & made_bind[k]:
            log("%s %r still listed after their socket closed" %
                (k.lower(), have & made_bind[k]))
            ok = False
        if not made_keep[k] <= have:
            log("%s %r made without BIND vanished too" %
                (k.lower(), made_keep[k] - have))
            ok = False
    # the one kept sender still runs and the kept reflector still serves
    time.sleep(0.3)
    for o in keep.dump(N):
        if nl.get_u(o, T.TWAMP_A_SENDER_ID) in made_keep[N]:
            st = nl.parse(nl.get(o, T.TWAMP_A_SENDER_STATS))
            log("kept sender: state %d, %d sent, %d received" % (
                nl.get_u(o, T.TWAMP_A_SENDER_STATE),
                nl.get_u(st, T.TWAMP_A_STATS_SENT),
                nl.get_u(st, T.TWAMP_A_STATS_RECEIVED)))
            if not nl.get_u(st, T.TWAMP_A_STATS_RECEIVED):
                log("the kept sender gets no replies from the kept reflector")
                ok = False
    for k, top in ((N, T.TWAMP_A_SENDER), (S, T.TWAMP_A_SESSION),
                   (R, T.TWAMP_A_REFLECTOR)):
        for oid in made_keep[k]:
            keep.by_id(C["TWAMP_CMD_%s_DEL" % k], top,
                       C["TWAMP_A_%s_ID" % k], oid)
    return 0 if ok else 1


def cmd_hold(port):
    port = int(port)
    g = nl.Genl()
    r = refl(g, "127.0.0.1", port, bind=True)
    sess(g, r, "127.0.0.1", 6000, bind=True)
    sender(g, "127.0.0.1", port, bind=True)
    print("ready", flush=True)
    signal.pause()
    return 0


def cmd_churn(seconds, rid, peerbase):
    g = nl.Genl()
    rid, peerbase = int(rid), int(peerbase)
    end = time.monotonic() + float(seconds)
    n = 0
    bad = 0
    while time.monotonic() < end:
        for i in range(8):
            try:
                sid = sess(g, rid, "10.98.0.1", peerbase + i)
            except OSError as e:
                log("session new: %s" % e)
                bad += 1
                continue
            a = g.by_id(T.TWAMP_CMD_SESSION_GET, T.TWAMP_A_SESSION,
                        T.TWAMP_A_SESSION_ID, sid)
            d = g.by_id(T.TWAMP_CMD_SESSION_DEL, T.TWAMP_A_SESSION,
                        T.TWAMP_A_SESSION_ID, sid)
            if a.error or d.error:
                log("session %d: get %s, del %s" % (sid, a, d))
                bad += 1
            n += 3
        if n % 96 == 0:
            g.dump(S)
            n += 1
    print(n)
    return 1 if bad else 0


def cmd_reflchurn(seconds, port):
    """Child 0 re-creates the reflector, child 1 adds sessions to it."""
    port = int(port)
    end = time.monotonic() + float(seconds)
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(r)
        g = nl.Genl()
        n = 0
        try:
            while time.monotonic() < end:
                rid = refl(g, "127.0.0.1", port)
                os.write(w, b"%d\n" % rid)
                time.sleep(0.01)
                a = g.by_id(T.TWAMP_CMD_REFLECTOR_DEL, T.TWAMP_A_REFLECTOR,
                            T.TWAMP_A_REFLECTOR_ID, rid)
                if a.error:
                    log("reflector del %d: %s" % (rid, a))
                    os._exit(1)
                n += 1
        except OSError as e:
            log("reflector churn: %s" % e)
            os._exit(1)
        log("%d reflectors made and deleted" % n)
        os._exit(0)
    os.close(w)
    os.set_blocking(r, False)
    g = nl.Genl()
    rid = 0
    made = gone = 0
    bad = 0
    buf = b""
    while time.monotonic() < end + 0.5:
        try:
            buf += os.read(r, 4096)
        except BlockingIOError:
            pass
        lines = buf.split(b"\n")
        buf = lines.pop()
        if lines:
            rid = int(lines[-1])
        if not rid:
            continue
        try:
            sess(g, rid, "10.97.0.1", 7000 + made % 1000)
            made += 1
        except OSError as e:
            if e.errno != errno.ENOENT:
                log("session new on reflector %d: %s" % (rid, e))
                bad += 1
            gone += 1
    _, status = os.waitpid(pid, 0)
    log("%d sessions made, %d requests found their reflector gone" %
        (made, gone))
    if status or bad or not made:
        return 1
    left = [o for o in g.dump(S)
            if nl.get_u(o, T.TWAMP_A_SESSION_PEER_PORT) in
            range(7000, 8000)]
    if left:
        log("%d sessions outlived their reflector" % len(left))
        return 1
    return 0


def cmd_memory(rid, n):
    rid, n = int(rid), int(n)
    g = nl.Genl()
    before = set(g.ids(S))
    made, nomem, other = [], 0, 0
    for i in range(n):
        try:
            made.append(sess(g, rid, "10.96.0.1", 2000 + i))
        except OSError as e:
            if e.errno == errno.ENOMEM:
                nomem += 1
            else:
                other += 1
                log("session new: %s" % e)
        except Exception as e:  # noqa: BLE001  -- reply lost to the fault
            other += 1
            log("session new: %r" % e)
    have = set(g.ids(S)) - before
    ok = True
    if have != set(made):
        log("made %d, listed %d; listed but not made: %r" % (
            len(made), len(have), sorted(have - set(made))[:10]))
        # A NEW whose reply could not be allocated may still have made it:
        # that is not a leak as long as it is listed and deletable.
    for sid in have:
        a = g.by_id(T.TWAMP_CMD_SESSION_DEL, T.TWAMP_A_SESSION,
                    T.TWAMP_A_SESSION_ID, sid)
        if a.error:
            log("session del %d: %s" % (sid, a))
            ok = False
    if set(g.ids(S)) != before:
        log("sessions left after deleting every one made")
        ok = False
    print("%d made, %d ENOMEM, %d other" % (len(made), nomem, other))
    return 0 if ok and not other else 1


# Errnos an allocation failure may surface as: the handler's ENOMEM, a
# request or ack skb that could not be allocated (ENOBUFS), a socket that
# could not be (sock_alloc(): ENFILE).
NOMEM_ERRNOS = (errno.ENOMEM, errno.ENOBUFS, errno.ENFILE)


class FailNth:
    """Systematic fault injection for this thread (CONFIG_FAULT_INJECTION):
    arm(n) makes the n-th fault-injection point from now on fail (with
    failslab, the n-th slab allocation); disarm() says whether it did."""

    def __init__(self):
        self.fd = os.open("/proc/thread-self/fail-nth", os.O_RDWR)

    def arm(self, n):
        os.pwrite(self.fd, b"%d" % n, 0)

    def disarm(self):
        left = int(os.pread(self.fd, 32, 0))
        os.pwrite(self.fd, b"0", 0)
        return left == 0


def _attempt(g, fi, n, cmd, payload):
    """Run one request with the n-th allocation failing: (errno, answer,
    injected). errno is the request's (or its ack's) error, 0 on success."""
    msg = g.build(g.family, cmd, payload)
    a = None
    fi.arm(n)
    try:
        g.sock.send(msg)
        a = g.recv(g.seq)
        err = a.error
    except OSError as e:
        err = e.errno
    injected = fi.disarm()
    return err, a, injected


def _failnth_op(g, fi, name, what, cmd, payload, limit=400):
    """Sweep n = 1, 2, ... over one creating request (what: the object
    type it lists under). Returns (attempts, ok)."""
    ok = True
    before = set(g.ids(what))
    for n in range(1, limit + 1):
        err, a, injected = _attempt(g, fi, n, cmd, payload)
        if err and not injected:
            log("%s, nothing injected: %s" % (name, os.strerror(err)))
            return n, False
        if err and err not in NOMEM_ERRNOS:
            log("%s, allocation %d failed: %s (%s)" % (
                name, n, os.strerror(err), a.msg if a else "no answer"))
            ok = False
        have = set(g.ids(what)) - before
        # The handler's own ENOMEM (an answer with an errno) leaves
        # nothing; a lost request or ack (the recv's ENOBUFS) may have
        # done its work or not, and whatever it made must be listed.
        if err and a is not None and have:
            log("%s, allocation %d failed (%s) but %d object(s) left" % (
                name, n, os.strerror(err), len(have)))
            ok = False
        if not err and len(have) != 1:
            log("%s, allocation %d: success but %d new object(s)" % (
                name, n, len(have)))
            ok = False
        for oid in have:
            d = g.by_id(C["TWAMP_CMD_%s_DEL" % what], C["TWAMP_A_" + what],
                        C["TWAMP_A_%s_ID" % what], oid)
            if d.error:
                log("%s: delete %d: %s" % (name, oid, d))
                ok = False
        if not injected:
            return n, ok
    log("%s: still allocating after %d allocations" % (name, limit))
    return limit, False


def cmd_failnth(rid):
    g = nl.Genl()
    fi = FailNth()
    rid = int(rid)
    # Keyed objects allocate their ciphers too.
    sess_keys = [u8(T.TWAMP_A_SESSION_SECURITY, T.TWAMP_SECURITY_ENCRYPT),
                 nl.attr(T.TWAMP_A_SESSION_AES_KEY, bytes(range(16))),
                 nl.attr(T.TWAMP_A_SESSION_HMAC_KEY, bytes(range(32)))]
    sender_keys = [u8(T.TWAMP_A_SENDER_SECURITY, T.TWAMP_SECURITY_ENCRYPT),
                   nl.attr(T.TWAMP_A_SENDER_AES_KEY, bytes(range(16))),
                   nl.attr(T.TWAMP_A_SENDER_HMAC_KEY, bytes(range(32)))]
    ops = [
        ("session new", S, sess_attrs(rid, "10.96.0.1", 2000)),
        ("reflector new", R, refl_attrs("10.0.0.2", 25100, stamp=True,
                                        stateful=True)),
        ("sender new", N, sender_attrs("10.0.0.1", 25200)),
        ("encrypted session new", S,
         sess_attrs(rid, "10.96.0.2", 2001) + sess_keys),
        ("encrypted sender new", N,
         sender_attrs("10.0.0.1", 25201) + sender_keys),
    ]
    ok = True
    figures = []
    for name, what, kids in ops:
        n, good = _failnth_op(g, fi, name, what, C["TWAMP_CMD_%s_NEW" % what],
                              nest(C["TWAMP_A_" + what], *kids))
        ok = ok and good
        figures.append("%s %d" % (name, n - 1))
    print("allocations failed in turn: " + ", ".join(figures))
    return 0 if ok else 1


def cmd_counters(rid):
    g = nl.Genl()
    a = g.by_id(T.TWAMP_CMD_REFLECTOR_GET, T.TWAMP_A_REFLECTOR,
                T.TWAMP_A_REFLECTOR_ID, int(rid))
    if a.error:
        log("reflector get: %s" % a)
        return 1
    c = nl.parse(nl.get(a.objs(T.TWAMP_A_REFLECTOR)[0],
                        T.TWAMP_A_REFLECTOR_COUNTERS))
    vals = {t: int.from_bytes(v, "little") for t, v in c}
    rx = vals.get(T.TWAMP_A_COUNTERS_RX, 0)
    tx = vals.get(T.TWAMP_A_COUNTERS_TX, 0)
    drops = sum(v for t, v in vals.items()
                if t not in (T.TWAMP_A_COUNTERS_RX, T.TWAMP_A_COUNTERS_TX,
                             T.TWAMP_A_COUNTERS_PAD))
    print(rx, tx, drops)
    return 0


def main(argv):
    cmds = {"populate": cmd_populate, "senders": cmd_senders,
            "count": cmd_count, "running": cmd_running, "bind": cmd_bind,
            "hold": cmd_hold, "churn": cmd_churn, "reflchurn": cmd_reflchurn,
            "memory": cmd_memory, "failnth": cmd_failnth,
            "counters": cmd_counters}
    if len(argv) < 2 or argv[1] not in cmds:
        print(__doc__, file=sys.stderr)
        return 2
    try:
        return cmds[argv[1]](*argv[2:])
    except OSError as e:
        log("%s: %s" % (argv[1], e))
        return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
