# SPDX-License-Identifier: GPL-2.0
"""Attacks on twamp.ko's privilege model and limits (docs/security.md).

Run by twamp_security.sh as root in a namespace of its own (ip netns
exec). The attacks run as uid 1000 without capabilities, either in that
namespace or in a user and network namespace of their own ("unshare
-Urn"), where they hold CAP_NET_ADMIN over their namespace only. Each
attack runs in a child ("python3 twamp_security.py child NAME") that
prints one JSON object of what it saw; the parent judges it.

  results group   uid 1000 cannot join the results group of a namespace
                  it does not own (GENL_MCAST_CAP_NET_ADMIN); in its own
                  namespace it can, and sees its own sender's results
                  only.
  sender rate     senders created without CAP_NET_ADMIN in the initial
                  user namespace share max_sender_pps per namespace: the
                  stall of issue 12 (8 senders at 10 us) is refused with
                  an extack naming the limit; root is exempt.
  objects         max_objects bounds reflectors and senders per namespace;
                  the user cannot raise it.
  sessions        max_sessions bounds the sessions of all reflectors of a
                  namespace: programmed ones are refused past it, and
                  STAMP senders filling stateful tables evict each other
                  rather than pass it.
"""

import errno
import json
import os
import socket
import struct
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import twamp_nl as nl  # noqa: E402
from twamp_nl import T, nest, u16, u32, u64, ip4, parse, get_u  # noqa: E402

CTRL_ATTR_MCAST_GROUPS = 7
CTRL_ATTR_MCAST_GRP_NAME = 1
CTRL_ATTR_MCAST_GRP_ID = 2
NETLINK_ADD_MEMBERSHIP = 1
PARAMS = "/sys/module/twamp/parameters"
UNPRIV = ["setpriv", "--reuid=1000", "--regid=1000", "--clear-groups",
          "--inh-caps=-all"]

results = []


def log(msg):
    for line in str(msg).splitlines():
        print("# " + line)
    sys.stdout.flush()


def result(ok, desc):
    results.append(ok)
    print("%s %d %s" % ("ok" if ok else "not ok", len(results), desc))
    sys.stdout.flush()


def results_group(g):
    """The results group's ID, from the family's CTRL_GETFAMILY reply."""
    a = g.raw(nl.GENL_ID_CTRL, nl.CTRL_CMD_GETFAMILY,
              nl.attr(nl.CTRL_ATTR_FAMILY_NAME, b"twamp\0"))
    if a.error:
        raise OSError(a.error, "CTRL_GETFAMILY")
    for grp in parse(nl.get(parse(a.replies[0]), CTRL_ATTR_MCAST_GROUPS)):
        attrs = parse(grp[1])
        if nl.get(attrs, CTRL_ATTR_MCAST_GRP_NAME) == b"results\0":
            return get_u(attrs, CTRL_ATTR_MCAST_GRP_ID)
    raise LookupError("no results group")


def join(grp):
    """A socket in the results group, or the errno of the refusal."""
    s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, nl.NETLINK_GENERIC)
    s.bind((0, 0))
    try:
        s.setsockopt(nl.SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, grp)
    except OSError as e:
        s.close()
        return None, e.errno
    s.settimeout(0.2)
    return s, 0


def drain(s, seconds):
    """Messages the group delivered within SECONDS."""
    n = 0
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        try:
            n += 1 if s.recv(65536) else 0
        except socket.timeout:
            pass
    return n


def sender(g, interval_ns, port, count=0):
    kids = [ip4(T.TWAMP_A_SENDER_REMOTE_IPV4, "127.0.0.1"),
            u16(T.TWAMP_A_SENDER_REMOTE_PORT, port),
            u64(T.TWAMP_A_SENDER_INTERVAL, interval_ns)]
    if count:
        kids.append(u32(T.TWAMP_A_SENDER_COUNT, count))
    return g.req(T.TWAMP_CMD_SENDER_NEW, nest(T.TWAMP_A_SENDER, *kids))


def new_id(a, top, id_attr):
    return get_u(a.objs(top)[0], id_attr) if not a.error else None


def reflector(g, port):
    return g.req(T.TWAMP_CMD_REFLECTOR_NEW, nest(
        T.TWAMP_A_REFLECTOR, ip4(T.TWAMP_A_REFLECTOR_LOCAL_IPV4, "127.0.0.1"),
        u16(T.TWAMP_A_REFLECTOR_PORT, port)))


def start(g, sid):
    return g.req(T.TWAMP_CMD_SENDER_START,
                 nest(T.TWAMP_A_SENDER, u32(T.TWAMP_A_SENDER_ID, sid)))


def limits(g):
    a = g.req(T.TWAMP_CMD_INFO_GET)
    if a.error:
        return {"error": a.error}
    lim = nl.get(a.objs(T.TWAMP_A_INFO)[0], T.TWAMP_A_INFO_LIMITS)
    if lim is None:
        return {}
    attrs = parse(lim)
    out = {}
    for name in ("MAX_OBJECTS", "OBJECTS", "MAX_SESSIONS", "SESSIONS",
                 "MAX_SENDER_PPS", "SENDER_PPS"):
        out[name.lower()] = get_u(attrs, nl.C["TWAMP_A_LIMITS_" + name])
    out["rate_exempt"] = nl.get(attrs, T.TWAMP_A_LIMITS_RATE_EXEMPT) is not None
    return out


# --- children: what uid 1000 sees -----------------------------------------

def child_join_foreign():
    """uid 1000, no capabilities, in root's namespace: join the group."""
    grp = results_group(_ctrl())
    s, err = join(grp)
    got = drain(s, 1.0) if s else 0
    return {"join_errno": err, "received": got}


def _ctrl():
    """A generic netlink socket that only talks to the controller."""
    return nl.Genl(family=0)


def child_join_own():
    """In its own user and network namespace: its own results only."""
    g = nl.Genl()
    grp = results_group(g)
    s, err = join(grp)
    out = {"join_errno": err}
    if not s:
        return out
    out["foreign"] = drain(s, 0.5)      # root's sender runs meanwhile
    r = reflector(g, 862)
    out["reflector_errno"] = r.error
    a = sender(g, 10 * 1000 * 1000, 862, count=5)
    sid = new_id(a, T.TWAMP_A_SENDER, T.TWAMP_A_SENDER_ID)
    out["sender_errno"] = a.error
    if sid:
        out["start_errno"] = start(g, sid).error
        out["own"] = drain(s, 1.5)
    return out


def child_rate():
    """The stall of issue 12, then the rate limit's edges."""
    g = nl.Genl()
    out = {"limits": limits(g)}
    stall = [sender(g, 10 * 1000, 862) for _ in range(8)]
    out["stall_errnos"] = [a.error for a in stall]
    out["stall_msg"] = stall[0].msg
    ids = []
    # 1 ms each: max_sender_pps / 1000 of them fit, the next does not
    n = out["limits"].get("max_sender_pps", 0) // 1000
    for _ in range(n):
        a = sender(g, 1000 * 1000, 862)
        if a.error:
            out["fit_errno"] = a.error
            out["fit_msg"] = a.msg
            break
        ids.append(new_id(a, T.TWAMP_A_SENDER, T.TWAMP_A_SENDER_ID))
    out["fitted"] = len(ids)
    over = sender(g, 1000 * 1000, 862)
    out["over_errno"] = over.error
    out["over_msg"] = over.msg
    out["limits_full"] = limits(g)
    ctl = subprocess.run([os.environ["TWAMP_CTL"], "version"],
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    out["ctl_version"] = ctl.stdout.decode(errors="replace")
    if ids:
        g.req(T.TWAMP_CMD_SENDER_DEL,
              nest(T.TWAMP_A_SENDER, u32(T.TWAMP_A_SENDER_ID, ids[0])))
        out["after_del_errno"] = sender(g, 1000 * 1000, 862).error
    return out


def child_objects():
    """Reflectors until max_objects refuses one; then raise the limit."""
    g = nl.Genl()
    out = {"limits": limits(g), "created": 0}
    for i in range(out["limits"].get("max_objects", 0) + 1):
        a = reflector(g, 20000 + i)
        if a.error:
            out["errno"] = a.error
            out["msg"] = a.msg
            break
        out["created"] += 1
    try:
        with open(os.path.join(PARAMS, "max_objects"), "w") as f:
            f.write("100000\n")
        out["raise_errno"] = 0
    except OSError as e:
        out["raise_errno"] = e.errno
    return out


def stamp_probe(port, ssid):
    """One STAMP test packet from a new socket: True if it was reflected."""
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    u.settimeout(2.0)
    try:
        u.sendto(struct.pack("!IIIHH", 1, 0, 0, 0x0101, ssid) + bytes(28),
                 ("127.0.0.1", port))
        return len(u.recv(2048)) >= 44
    except socket.timeout:
        return False
    finally:
        u.close()


def child_sessions():
    """Programmed sessions until max_sessions refuses; then stateful ones."""
    g = nl.Genl()
    out = {"limits": limits(g), "created": 0}
    rid = new_id(reflector(g, 862), T.TWAMP_A_REFLECTOR,
                 T.TWAMP_A_REFLECTOR_ID)
    sids = []
    for i in range(out["limits"].get("max_sessions", 0) + 1):
        a = g.req(T.TWAMP_CMD_SESSION_NEW, nest(
            T.TWAMP_A_SESSION, u32(T.TWAMP_A_SESSION_REFLECTOR_ID, rid),
            ip4(T.TWAMP_A_SESSION_PEER_IPV4, "10.9.9.9"),
            u16(T.TWAMP_A_SESSION_PEER_PORT, 40000 + i)))
        if a.error:
            out["errno"] = a.error
            out["msg"] = a.msg
            break
        sids.append(new_id(a, T.TWAMP_A_SESSION, T.TWAMP_A_SESSION_ID))
    out["created"] = len(sids)
    out["limits_full"] = limits(g)
    for sid in sids:
        g.req(T.TWAMP_CMD_SESSION_DEL,
              nest(T.TWAMP_A_SESSION, u32(T.TWAMP_A_SESSION_ID, sid)))
    out["limits_empty"] = limits(g)
    # a stateful STAMP reflector, filled by senders from new ports
    a = g.req(T.TWAMP_CMD_REFLECTOR_NEW, nest(
        T.TWAMP_A_REFLECTOR, ip4(T.TWAMP_A_REFLECTOR_LOCAL_IPV4, "127.0.0.1"),
        u16(T.TWAMP_A_REFLECTOR_PORT, 863),
        nl.u8(T.TWAMP_A_REFLECTOR_FORMAT, T.TWAMP_FORMAT_STAMP),
        nl.flag(T.TWAMP_A_REFLECTOR_STATEFUL)))
    out["stateful_errno"] = a.error
    out["reflected"] = sum(stamp_probe(863, 7) for _ in range(8))
    out["limits_stateful"] = limits(g)
    return out


CHILDREN = {
    "sessions": child_sessions,
    "join_foreign": child_join_foreign,
    "join_own": child_join_own,
    "rate": child_rate,
    "objects": child_objects,
}


def run_child(name, own_ns):
    """Run child NAME as uid 1000: its JSON, or None after logging why."""
    me = [sys.executable, os.path.abspath(__file__), "child", name]
    if own_ns:
        cmd = UNPRIV + ["unshare", "-Urn", "sh", "-c",
                        'ip link set lo up && exec "$@"', "sh"] + me
    else:
        cmd = UNPRIV + me
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       timeout=120)
    try:
        return json.loads(p.stdout.decode().strip().splitlines()[-1])
    except (ValueError, IndexError):
        log("child %s: status %d\nstdout: %s\nstderr: %s" % (
            name, p.returncode, p.stdout.decode(), p.stderr.decode()))
        return None


def param(name, value=None):
    path = os.path.join(PARAMS, name)
    if value is None:
        with open(path) as f:
            return int(f.read())
    with open(path, "w") as f:
        f.write("%d\n" % value)
    return value


# --- the parent: root in the test namespace --------------------------------

def test_results_group():
    g = nl.Genl()
    r = reflector(g, 862)
    a = sender(g, 10 * 1000 * 1000, 862)
    sid = new_id(a, T.TWAMP_A_SENDER, T.TWAMP_A_SENDER_ID)
    if r.error or not sid or start(g, sid).error:
        result(False, "results group: root's sender runs (%r %r)" % (r, a))
        return
    rid = new_id(r, T.TWAMP_A_REFLECTOR, T.TWAMP_A_REFLECTOR_ID)
    # root itself receives the results: the group works
    s, err = join(results_group(g))
    got = drain(s, 0.5) if s else 0
    result(err == 0 and got > 0,
           "results group: root joins and receives results (%d)" % got)
    if s:
        s.close()

    c = run_child("join_foreign", own_ns=False)
    ok = c is not None and c["join_errno"] == errno.EPERM and \
        c["received"] == 0
    if c and not ok:
        log("uid 1000 in root's namespace: %r" % c)
    result(ok, "results group: uid 1000 without CAP_NET_ADMIN cannot join "
           "(EPERM) and receives nothing")

    c = run_child("join_own", own_ns=True)
    ok = c is not None and c.get("join_errno") == 0 and \
        c.get("foreign") == 0 and c.get("own", 0) > 0
    if c and not ok:
        log("uid 1000 in its own namespaces: %r" % c)
    result(ok, "results group: in its own user and network namespace, uid "
           "1000 joins and sees only its own sender's results")
    g.req(T.TWAMP_CMD_SENDER_DEL,
          nest(T.TWAMP_A_SENDER, u32(T.TWAMP_A_SENDER_ID, sid)))
    g.req(T.TWAMP_CMD_REFLECTOR_DEL,
          nest(T.TWAMP_A_REFLECTOR, u32(T.TWAMP_A_REFLECTOR_ID, rid)))
    g.close()


def test_sender_rate():
    g = nl.Genl()
    lim = limits(g)
    result(lim.get("rate_exempt") is True and
           lim.get("max_sender_pps") == param("max_sender_pps"),
           "limits: INFO_GET reports them, root exempt from the rate (%r)"
           % lim)
    a = sender(g, 10 * 1000, 862)
    result(a.error == 0, "sender rate: root creates a 10 us sender "
           "(errno %d %s)" % (a.error, a.msg))
    if not a.error:
        g.req(T.TWAMP_CMD_SENDER_DEL, nest(T.TWAMP_A_SENDER, u32(
            T.TWAMP_A_SENDER_ID,
            new_id(a, T.TWAMP_A_SENDER, T.TWAMP_A_SENDER_ID))))
    g.close()

    c = run_child("rate", own_ns=True)
    if c is None:
        result(False, "sender rate: the unprivileged child ran")
        return
    log("uid 1000: %s" % json.dumps(c, sort_keys=True))
    maxpps = c["limits"].get("max_sender_pps", 0)
    result(c["limits"].get("rate_exempt") is False and maxpps > 0,
           "sender rate: uid 1000 in a user namespace is not exempt")
    result(all(e == errno.ENOSPC for e in c["stall_errnos"]) and
           "max_sender_pps" in c["stall_msg"],
           "sender rate: 8 senders at 10 us from uid 1000 are refused "
           "(ENOSPC, extack names max_sender_pps)")
    result(c["fitted"] == maxpps // 1000 and "fit_errno" not in c,
           "sender rate: %d senders of 1000 packets/s fit in %d" %
           (c["fitted"], maxpps))
    result(c["over_errno"] == errno.ENOSPC and
           "max_sender_pps" in c["over_msg"] and
           c["limits_full"].get("sender_pps") == c["fitted"] * 1000,
           "sender rate: the next is refused, and INFO_GET counts %s pps" %
           c["limits_full"].get("sender_pps"))
    want = "limits of this namespace: objects %d/%d, sessions 0/%d, " \
        "sender rate %d/%d packets/s\n" % (
            c["fitted"], c["limits"]["max_objects"],
            c["limits"]["max_sessions"], c["fitted"] * 1000, maxpps)
    result(want in c["ctl_version"],
           "sender rate: twamp-ctl version shows uid 1000 its limits")
    result(c.get("after_del_errno") == 0,
           "sender rate: deleting a sender gives its rate back")


def run_limited(child, limit, value):
    """Child CHILD in its own namespaces while module parameter LIMIT is
    VALUE: its JSON, or None after a failed result."""
    saved = param(limit)
    param(limit, value)
    try:
        c = run_child(child, own_ns=True)
    finally:
        param(limit, saved)
    if c is None:
        result(False, "%s: the unprivileged child ran" % child)
    else:
        log("uid 1000: %s" % json.dumps(c, sort_keys=True))
    return c


def test_objects():
    c = run_limited("objects", "max_objects", 5)
    if c is None:
        return
    result(c["created"] == 5 and c.get("errno") == errno.ENOSPC and
           "max_objects" in c.get("msg", ""),
           "objects: max_objects=5 lets uid 1000 create 5 reflectors, the "
           "6th is refused (ENOSPC, extack names max_objects)")
    result(c["raise_errno"] in (errno.EACCES, errno.EPERM, errno.EROFS),
           "objects: uid 1000 cannot raise the limit (errno %d)" %
           c["raise_errno"])


def test_sessions():
    c = run_limited("sessions", "max_sessions", 3)
    if c is None:
        return
    result(c["created"] == 3 and c.get("errno") == errno.ENOSPC and
           "max_sessions" in c.get("msg", "") and
           c["limits_full"].get("sessions") == 3,
           "sessions: max_sessions=3 lets uid 1000 program 3 sessions, the "
           "4th is refused (ENOSPC, extack names max_sessions)")
    result(c["limits_empty"].get("sessions") == 0,
           "sessions: deleting them gives the quota back")
    result(c.get("stateful_errno") == 0 and c.get("reflected") == 8 and
           c["limits_stateful"].get("sessions") == 3,
           "sessions: 8 STAMP senders are all answered by a stateful "
           "reflector, which keeps 3 sessions (reflected %s, sessions %s)" %
           (c.get("reflected"), c["limits_stateful"].get("sessions")))


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "child":
        try:
            out = CHILDREN[sys.argv[2]]()
        except Exception as e:  # noqa: BLE001
            out = {"exception": repr(e)}
        print(json.dumps(out))
        return 0
    print("TAP version 13")
    test_results_group()
    test_sender_rate()
    test_objects()
    test_sessions()
    print("1..%d" % len(results))
    nfail = results.count(False)
    print("# Totals: pass:%d fail:%d xfail:0 skip:0" %
          (len(results) - nfail, nfail))
    return 1 if nfail else 0


if __name__ == "__main__":
    sys.exit(main())
