#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Negative tests of twamp.ko's generic netlink ABI (run by twamp_nlneg.sh
in a namespace of its own, module loaded).

One KTAP result per rejection path of kmod/netlink.c and of what it calls:
for each operation, its top-level nest missing, without NLA_F_NESTED, of
another object kind, an attribute unknown to the operation, and for each
attribute of the NEW policies one of the wrong length, below its minimum,
above its maximum, a flag with a payload; then every semantic check
(exactly one address, families, STAMP-only and TWAMP-only options, keys,
the allow list, IDs, ports in use, sender states). Each must fail with the
expected errno and an extended ack message that is non-empty and names
the problem (a keyword of it); policy errors must also point at the
attribute (NLMSGERR_ATTR_OFFS). Nothing a rejected request described may
exist afterwards.

Then: a process without CAP_NET_ADMIN in the namespace (uid 65534, no
capabilities) gets EPERM from every operation, get and dump included; and
the test keys of sessions and senders are never in any get or dump reply,
searched as attributes and as raw bytes.
"""

import errno
import os
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import twamp_nl as nl  # noqa: E402
from twamp_nl import T, C, nest, u8, u16, u32, u64, flag, ip4, ip6, attr  # noqa

results = []            # (ok, desc, directive)


def log(msg):
    for line in str(msg).splitlines():
        print("# " + line)


def result(ok, desc, directive=""):
    results.append((ok, desc, directive))
    print("%s %d %s%s" % ("ok" if ok else "not ok", len(results), desc,
                          (" # " + directive) if directive else ""))
    sys.stdout.flush()


g = nl.Genl()
PORT = [31000]


def port():
    PORT[0] += 1
    return PORT[0]


CMD = {k[len("TWAMP_CMD_"):]: v for k, v in C.items()
       if k.startswith("TWAMP_CMD_")}


# The operations that take an object's ID, by object.
ID_OPS = (("REFLECTOR", ["REFLECTOR_DEL", "REFLECTOR_GET"]),
          ("SESSION", ["SESSION_DEL", "SESSION_GET"]),
          ("SENDER", ["SENDER_START", "SENDER_STOP", "SENDER_DEL",
                      "SENDER_GET"]))


def cleanup_unexpected(cmd, a):
    """A request that should have failed made an object: delete it."""
    for what in ("REFLECTOR", "SESSION", "SENDER"):
        top = C["TWAMP_A_" + what]
        for o in a.objs(top):
            oid = nl.get_u(o, C["TWAMP_A_%s_ID" % what])
            if oid:
                g.by_id(C["TWAMP_CMD_%s_DEL" % what], top,
                        C["TWAMP_A_%s_ID" % what], oid)


def expect(desc, cmd, payload, err, words, offs=False, miss=None,
           xfail_if=None):
    """CMD with PAYLOAD must fail with ERR and a message with one of WORDS.

    xfail_if: (predicate on the message, reason): a known bug.
    """
    a = g.req(cmd, payload)
    why = []
    if a.error != err:
        why.append("errno %s, want %s" % (
            errno.errorcode.get(a.error, a.error) if a.error else "0 (accepted)",
            errno.errorcode[err]))
        if not a.error:
            cleanup_unexpected(cmd, a)
    if not a.msg:
        why.append("no extack message")
    elif not any(w.lower() in a.msg.lower() for w in words):
        why.append("message %r names none of %r" % (a.msg, words))
    if offs and a.offs is None:
        why.append("no NLMSGERR_ATTR_OFFS")
    if miss is not None and a.miss_type != miss:
        why.append("missing-attribute type %r, want %d" % (a.miss_type, miss))
    if why and xfail_if and a.error == err and xfail_if[0](a.msg):
        log("%s: %s" % (desc, "; ".join(why)))
        result(True, desc, "XFAIL " + xfail_if[1])
        return
    if why:
        log("%s: %s (message %r)" % (desc, "; ".join(why), a.msg))
    result(not why, desc)


# --- fixtures -----------------------------------------------------------

R4 = g.reflector_new(ip4(T.TWAMP_A_REFLECTOR_LOCAL_IPV4, "127.0.0.1"),
                     u16(T.TWAMP_A_REFLECTOR_PORT, 30001))
RS = g.reflector_new(ip4(T.TWAMP_A_REFLECTOR_LOCAL_IPV4, "127.0.0.1"),
                     u16(T.TWAMP_A_REFLECTOR_PORT, 30002),
                     u8(T.TWAMP_A_REFLECTOR_FORMAT, T.TWAMP_FORMAT_STAMP))
R6 = g.reflector_new(ip6(T.TWAMP_A_REFLECTOR_LOCAL_IPV6, "::1"),
                     u16(T.TWAMP_A_REFLECTOR_PORT, 30003))
SESS = g.session_new(u32(T.TWAMP_A_SESSION_REFLECTOR_ID, R4),
                     ip4(T.TWAMP_A_SESSION_PEER_IPV4, "127.0.0.1"),
                     u16(T.TWAMP_A_SESSION_PEER_PORT, 40000))
SND_IDLE = g.sender_new(ip4(T.TWAMP_A_SENDER_REMOTE_IPV4, "127.0.0.1"),
                        u16(T.TWAMP_A_SENDER_REMOTE_PORT, 30001),
                        u32(T.TWAMP_A_SENDER_COUNT, 1))
SND_RUN = g.sender_new(ip4(T.TWAMP_A_SENDER_REMOTE_IPV4, "127.0.0.1"),
                       u16(T.TWAMP_A_SENDER_REMOTE_PORT, 30001),
                       u32(T.TWAMP_A_SENDER_COUNT, 0),
                       u64(T.TWAMP_A_SENDER_INTERVAL, 1000000000))
a = g.by_id(T.TWAMP_CMD_SENDER_START, T.TWAMP_A_SENDER, T.TWAMP_A_SENDER_ID,
            SND_RUN)
if a.error:
    print("Bail out! cannot start sender %d: %s" % (SND_RUN, a))
    sys.exit(1)
BUSY_PORT = 30001       # R4's


def state():
    return (g.ids("REFLECTOR"), g.ids("SESSION"), g.ids("SENDER"))


before = state()

# --- per-kind tables ----------------------------------------------------
# attribute -> (kind, min, max); kind: u8 u16 u32 u64 be32 bin:N flag nest

REFLECTOR = {
    "IFINDEX": ("u32", 1, None), "LOCAL_IPV4": ("be32", None, None),
    "LOCAL_IPV6": ("bin:16", None, None), "PORT": ("u16", 1, None),
    "FORMAT": ("u8", None, T.TWAMP_FORMAT_MAX), "STATEFUL": ("flag",),
    "TS_FORMAT": ("u8", None, T.TWAMP_TS_MAX), "DSCP": ("u8", None, 63),
    "ALLOW": ("nest",), "RATE_LIMIT": ("u32", None, 10000000),
    "SESSIONS_ONLY": ("flag",), "BIND": ("flag",),
}
SESSION = {
    "REFLECTOR_ID": ("u32", 1, None), "PEER_IPV4": ("be32", None, None),
    "PEER_IPV6": ("bin:16", None, None), "PEER_PORT": ("u16", 1, None),
    "SID": ("bin:16", None, None), "SSID": ("u16", 1, None),
    "PADDING": ("u32", None, 9000), "REFLECT_OCTETS": ("u16", None, None),
    "REFLECT_LEN": ("u16", None, 9000), "SERVER_OCTETS": ("u16", None, None),
    "SYMMETRIC": ("flag",), "REFWAIT": ("u32", None, None),
    "BIND": ("flag",), "DSCP": ("u8", None, 63),
    "SECURITY": ("u8", None, T.TWAMP_SECURITY_MAX),
    "AES_KEY": ("bin:16", None, None), "HMAC_KEY": ("bin:32", None, None),
}
SENDER = {
    "IFINDEX": ("u32", 1, None), "LOCAL_IPV4": ("be32", None, None),
    "LOCAL_IPV6": ("bin:16", None, None), "LOCAL_PORT": ("u16", 1, None),
    "REMOTE_IPV4": ("be32", None, None), "REMOTE_IPV6": ("bin:16", None, None),
    "REMOTE_PORT": ("u16", 1, None),
    "FORMAT": ("u8", None, T.TWAMP_FORMAT_MAX),
    "TS_FORMAT": ("u8", None, T.TWAMP_TS_MAX), "SSID": ("u16", 1, None),
    "DSCP": ("u8", None, 63), "TTL": ("u8", 1, None),
    "PADDING": ("u32", None, 9000), "COUNT": ("u32", None, None),
    "DURATION": ("u64", None, None),
    "INTERVAL": ("u64", 10000, 3600 * 10**9),
    "SCHEDULE": ("u8", None, T.TWAMP_SCHEDULE_MAX),
    "SEED": ("u64", None, None), "START_TIME": ("u64", None, None),
    "WAIT": ("u64", None, 3600 * 10**9), "BIND": ("flag",),
    "SECURITY": ("u8", None, T.TWAMP_SECURITY_MAX),
    "SID": ("bin:16", None, None), "AES_KEY": ("bin:16", None, None),
    "HMAC_KEY": ("bin:32", None, None),
}
CLOCK = {"SYNCED": ("u8", None, 1), "ERROR_NS": ("u64", None, None)}

SIZES = {"u8": 1, "u16": 2, "u32": 4, "u64": 8, "be32": 4}
PACK = {"u8": "=B", "u16": "=H", "u32": "=I", "u64": "=Q"}


def base_children(kind):
    """Valid attributes of a NEW request that would succeed alone."""
    if kind == "REFLECTOR":
        return [ip4(T.TWAMP_A_REFLECTOR_LOCAL_IPV4, "127.0.0.1"),
                u16(T.TWAMP_A_REFLECTOR_PORT, port())]
    if kind == "SESSION":
        return [u32(T.TWAMP_A_SESSION_REFLECTOR_ID, R4),
                ip4(T.TWAMP_A_SESSION_PEER_IPV4, "10.9.9.9"),
                u16(T.TWAMP_A_SESSION_PEER_PORT, port())]
    if kind == "SENDER":
        return [ip4(T.TWAMP_A_SENDER_REMOTE_IPV4, "127.0.0.1"),
                u16(T.TWAMP_A_SENDER_REMOTE_PORT, 30001),
                u32(T.TWAMP_A_SENDER_COUNT, 1)]
    return [u8(T.TWAMP_A_CLOCK_SYNCED, 0)]


def without(children, typ):
    return [c for c in children if struct.unpack("=H", c[2:4])[0] != typ]


def policy_cases(kind, table, cmd):
    top = C["TWAMP_A_" + kind]
    for name, spec in table.items():
        typ = C["TWAMP_A_%s_%s" % (kind, name)]
        k = spec[0]
        what = "%s %s" % (cmd.lower().replace("_", " "), name)
        kids = without(base_children(kind), typ)
        bad = []
        if k in SIZES:
            n = SIZES[k]
            bad.append(("%d octets" % (n + 1), attr(typ, bytes(n + 1)),
                        ["length"], errno.EINVAL))
            if n > 1:
                bad.append(("%d octets" % (n // 2), attr(typ, bytes(n // 2)),
                            ["length"], errno.EINVAL))
            if k != "be32":
                lo, hi = spec[1], spec[2]
                if lo is not None:
                    bad.append(("%d, below %d" % (lo - 1, lo),
                                attr(typ, struct.pack(PACK[k], lo - 1)),
                                ["range"], errno.ERANGE))
                if hi is not None:
                    bad.append(("%d, above %d" % (hi + 1, hi),
                                attr(typ, struct.pack(PACK[k], hi + 1)),
                                ["range"], errno.ERANGE))
        elif k.startswith("bin:"):
            n = int(k[4:])
            bad.append(("%d octets" % (n - 1), attr(typ, bytes(n - 1)),
                        ["size", "length"], errno.ERANGE))
            bad.append(("%d octets" % (n + 1), attr(typ, bytes(n + 1)),
                        ["size", "length"], errno.ERANGE))
        elif k == "flag":
            bad.append(("flag with a payload", attr(typ, b"\1\0\0\0"),
                        ["policy", "length"], errno.ERANGE))
        elif k == "nest":
            bad.append(("without NLA_F_NESTED",
                        attr(typ, u8(T.TWAMP_A_PREFIX_LEN, 8)),
                        ["NLA_F_NESTED"], errno.EINVAL))
        if k != "nest":
            bad.append(("with NLA_F_NESTED", attr(typ | nl.NLA_F_NESTED,
                                                  bytes(SIZES.get(k, 0))),
                        ["NLA_F_NESTED"], errno.EINVAL))
        for how, a, words, err in bad:
            expect("%s: %s" % (what, how), CMD[cmd],
                   nest(top, *(kids + [a])), err, words, offs=True)


def id_cases(kind, cmds):
    top = C["TWAMP_A_" + kind]
    idt = C["TWAMP_A_%s_ID" % kind]
    buggy = (lambda m: m.lower().startswith("missing"),
             "twamp_nl_%s_find() overwrites the policy's extack message "
             "with 'missing %s ID'" % (kind.lower(), kind.lower()))
    for c in cmds:
        what = c.lower().replace("_", " ")
        expect("%s: no %s nest" % (what, kind.lower()), CMD[c], b"",
               errno.EINVAL, ["missing"], miss=top)
        expect("%s: empty nest, no ID" % what, CMD[c], nest(top),
               errno.EINVAL, ["missing", "ID"])
        expect("%s: nest without NLA_F_NESTED" % what, CMD[c],
               attr(top, u32(idt, 1)), errno.EINVAL, ["NLA_F_NESTED"],
               offs=True, xfail_if=buggy)
        expect("%s: ID 0" % what, CMD[c], nest(top, u32(idt, 0)),
               errno.ERANGE, ["range"], offs=True, xfail_if=buggy)
        expect("%s: ID of 2 octets" % what, CMD[c],
               nest(top, u16(idt, 1)), errno.EINVAL, ["length"], offs=True,
               xfail_if=buggy)
        expect("%s: unknown ID" % what, CMD[c],
               nest(top, u32(idt, 0x7ffffff0)), errno.ENOENT,
               ["no %s with this ID" % kind.lower()], offs=True)
        # an attribute of NEW, not of this operation
        other = C["TWAMP_A_%s_MAX" % kind]
        expect("%s: attribute not of this operation" % what, CMD[c],
               nest(top, u32(idt, 1), flag(other)), errno.EINVAL,
               ["unsupported", "unknown"], offs=True, xfail_if=buggy)
        expect("%s: attribute type above the maximum" % what, CMD[c],
               nest(top, u32(idt, 1), attr(other + 1, b"")), errno.EINVAL,
               ["unknown"], offs=True, xfail_if=buggy)
        expect("%s: another kind's nest" % what, CMD[c],
               nest(T.TWAMP_A_CLOCK, u8(T.TWAMP_A_CLOCK_SYNCED, 0)),
               errno.EINVAL, ["unsupported", "unknown"], offs=True)


def top_cases(kind, cmd):
    top = C["TWAMP_A_" + kind]
    what = cmd.lower().replace("_", " ")
    expect("%s: no %s nest" % (what, kind.lower()), CMD[cmd], b"",
           errno.EINVAL, ["missing"], miss=top)
    expect("%s: nest without NLA_F_NESTED" % what, CMD[cmd],
           attr(top, b"".join(base_children(kind))), errno.EINVAL,
           ["NLA_F_NESTED"], offs=True)
    expect("%s: another kind's nest" % what, CMD[cmd],
           nest(T.TWAMP_A_RESULT), errno.EINVAL, ["unsupported", "unknown"],
           offs=True)
    expect("%s: top-level attribute above the maximum" % what, CMD[cmd],
           nest(top, *base_children(kind)) + attr(T.TWAMP_A_MAX + 1),
           errno.EINVAL, ["unknown"], offs=True)
    if kind != "CLOCK":
        for ro in ("ID", "COUNTERS" if kind != "SENDER" else "STATS"):
            t = C["TWAMP_A_%s_%s" % (kind, ro)]
            expect("%s: read-only %s" % (what, ro), CMD[cmd],
                   nest(top, *(base_children(kind) + [attr(t, bytes(4))])),
                   errno.EINVAL, ["unsupported", "unknown"], offs=True)
    t = C["TWAMP_A_%s_MAX" % kind] + 1
    expect("%s: attribute type above the maximum" % what, CMD[cmd],
           nest(top, *(base_children(kind) + [attr(t, bytes(4))])),
           errno.EINVAL, ["unknown"], offs=True)


def dup_cases():
    """An attribute given twice, at any level, is refused and named (the
    offset points at the second copy); nla_parse() alone would take the
    last one."""
    def name_of(kind, typ):
        pre = "TWAMP_A_%s_" % kind
        return next(k[len(pre):] for k, v in C.items()
                    if k.startswith(pre) and v == typ and
                    not k.endswith("MAX"))

    for kind, cmd in (("REFLECTOR", "REFLECTOR_NEW"),
                      ("SESSION", "SESSION_NEW"), ("SENDER", "SENDER_NEW"),
                      ("CLOCK", "CLOCK_SET")):
        top = C["TWAMP_A_" + kind]
        what = cmd.lower().replace("_", " ")
        base = base_children(kind)
        for c in base:
            typ = struct.unpack("=H", c[2:4])[0]
            expect("%s: %s given twice" % (what, name_of(kind, typ)),
                   CMD[cmd], nest(top, *(base + [c])), errno.EINVAL,
                   ["twice"], offs=True)
        expect("%s: the %s nest given twice" % (what, kind.lower()),
               CMD[cmd], nest(top, *base) + nest(top, *base), errno.EINVAL,
               ["twice"], offs=True)
    expect("reflector new: BIND flag given twice", CMD["REFLECTOR_NEW"],
           nest(T.TWAMP_A_REFLECTOR,
                *(base_children("REFLECTOR") +
                  [flag(T.TWAMP_A_REFLECTOR_BIND)] * 2)),
           errno.EINVAL, ["twice"], offs=True)
    P = T.TWAMP_A_PREFIX_IPV4
    expect("reflector new: prefix address given twice",
           CMD["REFLECTOR_NEW"],
           nest(T.TWAMP_A_REFLECTOR, *(base_children("REFLECTOR") + [
               nest(T.TWAMP_A_REFLECTOR_ALLOW,
                    nest(1, ip4(P, "10.0.0.0"), u8(T.TWAMP_A_PREFIX_LEN, 8)),
                    nest(2, ip4(P, "10.0.0.0"), ip4(P, "10.1.0.0")))])),
           errno.EINVAL, ["twice"], offs=True)
    # An unknown ID: without the check these fail with ENOENT instead.
    for kind, cmds in ID_OPS:
        idt = C["TWAMP_A_%s_ID" % kind]
        for c in cmds:
            expect("%s: ID given twice" % c.lower().replace("_", " "),
                   CMD[c], nest(C["TWAMP_A_" + kind], u32(idt, 0x7ffffff0),
                                u32(idt, 0x7ffffff0)),
                   errno.EINVAL, ["twice"], offs=True)


def sem_reflector():
    A = lambda n: C["TWAMP_A_REFLECTOR_" + n]  # noqa: E731
    P = lambda n: C["TWAMP_A_PREFIX_" + n]  # noqa: E731
    new = CMD["REFLECTOR_NEW"]
    top = T.TWAMP_A_REFLECTOR

    def go(desc, kids, err, words, offs=False):
        expect("reflector new: " + desc, new, nest(top, *kids), err, words,
               offs=offs)

    go("both local addresses",
       [ip4(A("LOCAL_IPV4"), "127.0.0.1"), ip6(A("LOCAL_IPV6"), "::1"),
        u16(A("PORT"), port())], errno.EINVAL, ["one local address"], True)
    go("no such device", [u32(A("IFINDEX"), 0x7ffffff0),
                          u16(A("PORT"), port())],
       errno.ENODEV, ["no such device"], True)
    go("stateful light reflector", [u16(A("PORT"), port()), flag(A("STATEFUL"))],
       errno.EINVAL, ["STAMP"], True)
    go("empty allow list", [u16(A("PORT"), port()), nest(A("ALLOW"))],
       errno.EINVAL, ["allow list"], True)
    pfx = nest(1, ip4(P("IPV4"), "10.0.0.0"), u8(P("LEN"), 8))
    go("65 prefixes", [u16(A("PORT"), port()), nest(A("ALLOW"), *[pfx] * 65)],
       errno.EINVAL, ["allow list"], True)
    go("prefix with both families",
       [u16(A("PORT"), port()),
        nest(A("ALLOW"), nest(1, ip4(P("IPV4"), "10.0.0.0"),
                              ip6(P("IPV6"), "2001:db8::")))],
       errno.EINVAL, ["exactly one"], True)
    go("prefix without an address",
       [u16(A("PORT"), port()), nest(A("ALLOW"), nest(1, u8(P("LEN"), 8)))],
       errno.EINVAL, ["exactly one"], True)
    go("IPv4 prefix length 33",
       [u16(A("PORT"), port()),
        nest(A("ALLOW"), nest(1, ip4(P("IPV4"), "10.0.0.0"), u8(P("LEN"), 33)))],
       errno.EINVAL, ["above 32"], True)
    go("IPv6 prefix length 129",
       [u16(A("PORT"), port()),
        nest(A("ALLOW"), nest(1, ip6(P("IPV6"), "2001:db8::"),
                              u8(P("LEN"), 129)))],
       errno.ERANGE, ["range"], True)
    go("IPv6 prefix of 4 octets",
       [u16(A("PORT"), port()),
        nest(A("ALLOW"), nest(1, attr(P("IPV6"), bytes(4))))],
       errno.ERANGE, ["size", "length"], True)
    go("IPv4 prefix of 16 octets",
       [u16(A("PORT"), port()),
        nest(A("ALLOW"), nest(1, attr(P("IPV4"), bytes(16))))],
       errno.EINVAL, ["length"], True)
    go("prefix entry without NLA_F_NESTED",
       [u16(A("PORT"), port()),
        nest(A("ALLOW"), attr(1, ip4(P("IPV4"), "10.0.0.0")))],
       errno.EINVAL, ["NLA_F_NESTED", "array"], True)
    go("unknown prefix attribute",
       [u16(A("PORT"), port()),
        nest(A("ALLOW"), nest(1, ip4(P("IPV4"), "10.0.0.0"),
                              attr(T.TWAMP_A_PREFIX_MAX + 1, bytes(4))))],
       errno.EINVAL, ["unknown"], True)
    go("address and port in use",
       [ip4(A("LOCAL_IPV4"), "127.0.0.1"), u16(A("PORT"), BUSY_PORT)],
       errno.EADDRINUSE, ["in use"])
    go("local address not configured",
       [ip4(A("LOCAL_IPV4"), "192.0.2.77"), u16(A("PORT"), port())],
       errno.EADDRNOTAVAIL, ["not configured"])


def sem_session():
    A = lambda n: C["TWAMP_A_SESSION_" + n]  # noqa: E731
    new = CMD["SESSION_NEW"]
    top = T.TWAMP_A_SESSION

    def go(desc, kids, err, words, offs=False, miss=None):
        expect("session new: " + desc, new, nest(top, *kids), err, words,
               offs=offs, miss=miss)

    peer = [ip4(A("PEER_IPV4"), "10.9.9.9")]
    go("no reflector ID", peer + [u16(A("PEER_PORT"), port())],
       errno.EINVAL, ["reflector ID"], miss=A("REFLECTOR_ID"))
    go("unknown reflector", [u32(A("REFLECTOR_ID"), 0x7ffffff0)] + peer +
       [u16(A("PEER_PORT"), port())], errno.ENOENT, ["no reflector"], True)
    r4 = [u32(A("REFLECTOR_ID"), R4)]
    go("no peer address", r4 + [u16(A("PEER_PORT"), port())],
       errno.EINVAL, ["peer address"], True)
    go("two peer addresses", r4 + peer + [ip6(A("PEER_IPV6"), "::1"),
                                          u16(A("PEER_PORT"), port())],
       errno.EINVAL, ["exactly one peer address"], True)
    go("no peer port", r4 + peer, errno.EINVAL, ["peer port"],
       miss=A("PEER_PORT"))
    go("IPv6 peer of an IPv4 reflector",
       r4 + [ip6(A("PEER_IPV6"), "2001:db8::5"), u16(A("PEER_PORT"), port())],
       errno.EINVAL, ["address family"], True)
    go("IPv4 peer of an IPv6 reflector",
       [u32(A("REFLECTOR_ID"), R6)] + peer + [u16(A("PEER_PORT"), port())],
       errno.EINVAL, ["address family"], True)
    go("SSID on a TWAMP reflector", r4 + peer + [u16(A("PEER_PORT"), port()),
                                                 u16(A("SSID"), 5)],
       errno.EINVAL, ["STAMP"], True)
    rs = [u32(A("REFLECTOR_ID"), RS)]
    go("reflect length on a STAMP reflector",
       rs + peer + [u16(A("PEER_PORT"), port()), u16(A("REFLECT_LEN"), 4)],
       errno.EINVAL, ["TWAMP mode"], True)
    go("authenticated session on a STAMP reflector",
       rs + peer + [u16(A("PEER_PORT"), port()),
                    u8(A("SECURITY"), T.TWAMP_SECURITY_AUTH),
                    attr(A("AES_KEY"), bytes(16)),
                    attr(A("HMAC_KEY"), bytes(32))],
       errno.EINVAL, ["TWAMP reflector"], True)
    go("keys on an open session",
       r4 + peer + [u16(A("PEER_PORT"), port()),
                    attr(A("AES_KEY"), bytes(16))],
       errno.EINVAL, ["only for authenticated"], True)
    go("HMAC key on an open session",
       r4 + peer + [u16(A("PEER_PORT"), port()),
                    attr(A("HMAC_KEY"), bytes(32))],
       errno.EINVAL, ["only for authenticated"], True)
    for mode in ("AUTH", "ENCRYPT"):
        for keys, kd in (([], "no key"),
                         ([attr(A("AES_KEY"), bytes(16))], "no HMAC key"),
                         ([attr(A("HMAC_KEY"), bytes(32))], "no AES key")):
            go("%s session, %s" % (mode.lower(), kd),
               r4 + peer + [u16(A("PEER_PORT"), port()),
                            u8(A("SECURITY"), C["TWAMP_SECURITY_" + mode])] +
               keys, errno.EINVAL, ["need an AES key"], True)
    go("session that exists",
       r4 + [ip4(A("PEER_IPV4"), "127.0.0.1"), u16(A("PEER_PORT"), 40000)],
       errno.EEXIST, ["exists"])


def sem_sender():
    A = lambda n: C["TWAMP_A_SENDER_" + n]  # noqa: E731
    new = CMD["SENDER_NEW"]
    top = T.TWAMP_A_SENDER

    def go(desc, kids, err, words, offs=False):
        expect("sender new: " + desc, new,
               nest(top, *(kids + [u32(A("COUNT"), 1)])), err, words,
               offs=offs)

    rp = [u16(A("REMOTE_PORT"), 30001)]
    go("no remote address", rp, errno.EINVAL, ["remote address"], True)
    go("two remote addresses", rp + [ip4(A("REMOTE_IPV4"), "127.0.0.1"),
                                     ip6(A("REMOTE_IPV6"), "::1")],
       errno.EINVAL, ["exactly one remote address"], True)
    for addr in ("224.0.0.1", "239.1.2.3", "255.255.255.255", "0.0.0.0"):
        go("remote %s" % addr, rp + [ip4(A("REMOTE_IPV4"), addr)],
           errno.EINVAL, ["unicast"], True)
    for addr in ("ff02::1", "::"):
        go("remote %s" % addr, rp + [ip6(A("REMOTE_IPV6"), addr)],
           errno.EINVAL, ["unicast"], True)
    v4 = rp + [ip4(A("REMOTE_IPV4"), "127.0.0.1")]
    go("IPv6 local, IPv4 remote", v4 + [ip6(A("LOCAL_IPV6"), "::1")],
       errno.EINVAL, ["different families"], True)
    go("IPv4 local, IPv6 remote",
       rp + [ip6(A("REMOTE_IPV6"), "::1"), ip4(A("LOCAL_IPV4"), "127.0.0.1")],
       errno.EINVAL, ["different families"], True)
    go("SSID in the TWAMP format", v4 + [u16(A("SSID"), 3)],
       errno.EINVAL, ["STAMP"], True)
    go("authenticated STAMP sender",
       v4 + [u8(A("FORMAT"), T.TWAMP_FORMAT_STAMP),
             u8(A("SECURITY"), T.TWAMP_SECURITY_AUTH),
             attr(A("AES_KEY"), bytes(16)), attr(A("HMAC_KEY"), bytes(32))],
       errno.EINVAL, ["TWAMP format"], True)
    go("keys on an open sender", v4 + [attr(A("HMAC_KEY"), bytes(32))],
       errno.EINVAL, ["only for authenticated"], True)
    for mode in ("AUTH", "ENCRYPT"):
        go("%s sender without keys" % mode.lower(),
           v4 + [u8(A("SECURITY"), C["TWAMP_SECURITY_" + mode])],
           errno.EINVAL, ["need an AES key"], True)
    go("packet above 9000 octets", v4 + [u32(A("PADDING"), 9000)],
       errno.EINVAL, ["9000"])
    busy = g.dump("SENDER")[0]
    lport = nl.get_u(busy, A("LOCAL_PORT"))
    go("local port in use",
       v4 + [ip4(A("LOCAL_IPV4"), "127.0.0.1"),
             u16(A("LOCAL_PORT"), lport)],
       errno.EADDRINUSE, ["in use"])
    expect("sender start: already running", CMD["SENDER_START"],
           nest(top, u32(A("ID"), SND_RUN)), errno.EBUSY, ["already"])
    expect("sender stop: not running", CMD["SENDER_STOP"],
           nest(top, u32(A("ID"), SND_IDLE)), errno.EINVAL, ["not running"])


def clock_cases():
    A = lambda n: C["TWAMP_A_CLOCK_" + n]  # noqa: E731
    expect("clock set: empty clock nest", CMD["CLOCK_SET"],
           nest(T.TWAMP_A_CLOCK), errno.EINVAL, ["nothing to set"], True)
    expect("clock set: read-only ERROR_ESTIMATE", CMD["CLOCK_SET"],
           nest(T.TWAMP_A_CLOCK, u16(A("ERROR_ESTIMATE"), 1)),
           errno.EINVAL, ["unsupported", "unknown"], True)
    for c in ("INFO_GET", "CLOCK_GET"):
        expect("%s: any attribute" % c.lower().replace("_", " "), CMD[c],
               nest(T.TWAMP_A_CLOCK, u8(A("SYNCED"), 0)), errno.EINVAL,
               ["unsupported", "unknown"], True)


# --- no CAP_NET_ADMIN ---------------------------------------------------

def no_cap():
    """Every operation from uid 65534 without capabilities: EPERM."""
    reqs = [
        ("info get", CMD["INFO_GET"], b"", False),
        ("clock get", CMD["CLOCK_GET"], b"", False),
        ("clock set", CMD["CLOCK_SET"],
         nest(T.TWAMP_A_CLOCK, u8(T.TWAMP_A_CLOCK_SYNCED, 1)), False),
    ]
    for kind, oid in (("REFLECTOR", R4), ("SESSION", SESS),
                      ("SENDER", SND_IDLE)):
        top = C["TWAMP_A_" + kind]
        byid = nest(top, u32(C["TWAMP_A_%s_ID" % kind], oid))
        reqs.append(("%s dump" % kind.lower(), CMD[kind + "_GET"], b"", True))
        reqs.append(("%s get" % kind.lower(), CMD[kind + "_GET"], byid, False))
        reqs.append(("%s new" % kind.lower(), CMD[kind + "_NEW"],
                     nest(top, *base_children(kind)), False))
        reqs.append(("%s del" % kind.lower(), CMD[kind + "_DEL"], byid,
                     False))
    for c in ("SENDER_START", "SENDER_STOP"):
        reqs.append((c.lower().replace("_", " "), CMD[c],
                     nest(T.TWAMP_A_SENDER, u32(T.TWAMP_A_SENDER_ID,
                                                SND_IDLE)), False))
    rfd, wfd = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(rfd)
        out = []
        try:
            os.setgroups([])
            os.setgid(65534)
            os.setuid(65534)    # drops every capability
            c = nl.Genl(g.family)
            for desc, cmd, payload, dump in reqs:
                a = c.raw(c.family, cmd, payload,
                          nl.NLM_F_DUMP if dump else nl.NLM_F_ACK)
                out.append("%s\t%d\t%d" % (desc, a.error, len(a.replies)))
        except Exception as e:  # noqa: BLE001
            out.append("child failed: %r" % e)
        os.write(wfd, "\n".join(out).encode())
        os._exit(0)
    os.close(wfd)
    data = b""
    while True:
        chunk = os.read(rfd, 65536)
        if not chunk:
            break
        data += chunk
    os.close(rfd)
    os.waitpid(pid, 0)
    lines = data.decode().splitlines()
    if len(lines) != len(reqs):
        log("\n".join(lines))
        result(False, "no CAP_NET_ADMIN: child ran every request")
        return
    for line in lines:
        desc, err, nrep = line.split("\t")
        ok = int(err) == errno.EPERM and int(nrep) == 0
        if not ok:
            log("%s: errno %s, %s replies, want EPERM and none" %
                (desc, err, nrep))
        result(ok, "no CAP_NET_ADMIN: %s is refused with EPERM" % desc)


# --- keys never returned ------------------------------------------------

def keys_never_returned():
    info = g.req(CMD["INFO_GET"])
    feats = nl.get_u(info.objs(T.TWAMP_A_INFO)[0], T.TWAMP_A_INFO_FEATURES)
    if not feats & T.TWAMP_FEATURE_AUTH:
        why = "the module has no TWAMP_FEATURE_AUTH"
        if os.environ.get("TWAMP_SELFTEST_NO_SKIP", "0") not in ("", "0"):
            log("would skip, failing (TWAMP_SELFTEST_NO_SKIP): " + why)
            result(False, "test keys are never in a get or dump reply")
        else:
            result(True, "test keys are never in a get or dump reply",
                   "SKIP " + why)
        return
    aes = bytes(range(0xA0, 0xB0))
    hmac = bytes(range(0xC0, 0xE0))
    made = []
    try:
        for mode in ("AUTH", "ENCRYPT"):
            sid = g.session_new(
                u32(T.TWAMP_A_SESSION_REFLECTOR_ID, R4),
                ip4(T.TWAMP_A_SESSION_PEER_IPV4, "10.7.7.7"),
                u16(T.TWAMP_A_SESSION_PEER_PORT, port()),
                u8(T.TWAMP_A_SESSION_SECURITY, C["TWAMP_SECURITY_" + mode]),
                attr(T.TWAMP_A_SESSION_AES_KEY, aes),
                attr(T.TWAMP_A_SESSION_HMAC_KEY, hmac))
            made.append(("SESSION", sid))
            snd = g.sender_new(
                ip4(T.TWAMP_A_SENDER_REMOTE_IPV4, "127.0.0.1"),
                u16(T.TWAMP_A_SENDER_REMOTE_PORT, 30001),
                u32(T.TWAMP_A_SENDER_COUNT, 1),
                u8(T.TWAMP_A_SENDER_SECURITY, C["TWAMP_SECURITY_" + mode]),
                attr(T.TWAMP_A_SENDER_AES_KEY, aes),
                attr(T.TWAMP_A_SENDER_HMAC_KEY, hmac))
            made.append(("SENDER", snd))
    except OSError as e:
        log("cannot create keyed objects: %s" % e)
        result(False, "test keys are never returned")
        return
    replies = []
    for kind, oid in made:
        top = C["TWAMP_A_" + kind]
        a = g.by_id(CMD[kind + "_GET"], top, C["TWAMP_A_%s_ID" % kind], oid)
        replies.append(("%s get %d" % (kind.lower(), oid), a))
    for kind in ("REFLECTOR", "SESSION", "SENDER"):
        replies.append(("%s dump" % kind.lower(),
                        g.req(CMD[kind + "_GET"], dump=True)))
    bad = []
    for desc, a in replies:
        if a.error or not a.replies:
            bad.append("%s: %s" % (desc, a))
        for r in a.replies:
            if aes in r or hmac in r or aes[:8] in r or hmac[:8] in r:
                bad.append("%s: key octets in the reply" % desc)
            for kind in ("SESSION", "SENDER"):
                for o in [nl.parse(v) for t, v in nl.parse(r)
                          if t == C["TWAMP_A_" + kind]]:
                    for t, _ in o:
                        if t in (C["TWAMP_A_%s_AES_KEY" % kind],
                                 C["TWAMP_A_%s_HMAC_KEY" % kind]):
                            bad.append("%s: key attribute %d" % (desc, t))
    for kind, oid in made:
        g.by_id(CMD[kind + "_DEL"], C["TWAMP_A_" + kind],
                C["TWAMP_A_%s_ID" % kind], oid)
    for b in bad:
        log(b)
    log("%d replies searched" % sum(len(a.replies) for _, a in replies))
    result(not bad, "test keys are never in a get or dump reply")


def main():
    print("TAP version 13")
    for kind, table in (("REFLECTOR", REFLECTOR), ("SESSION", SESSION),
                        ("SENDER", SENDER)):
        top_cases(kind, kind + "_NEW")
        policy_cases(kind, table, kind + "_NEW")
    top_cases("CLOCK", "CLOCK_SET")
    policy_cases("CLOCK", CLOCK, "CLOCK_SET")
    for kind, cmds in ID_OPS:
        id_cases(kind, cmds)
    dup_cases()
    sem_reflector()
    sem_session()
    sem_sender()
    clock_cases()
    after = state()
    if after != before:
        log("before: %r\nafter:  %r" % (before, after))
    result(after == before, "no rejected request left an object behind")
    no_cap()
    keys_never_returned()
    for kind, oid in (("SENDER", SND_RUN), ("SENDER", SND_IDLE),
                      ("SESSION", SESS), ("REFLECTOR", R4),
                      ("REFLECTOR", RS), ("REFLECTOR", R6)):
        g.by_id(CMD[kind + "_DEL"], C["TWAMP_A_" + kind],
                C["TWAMP_A_%s_ID" % kind], oid)
    print("1..%d" % len(results))
    npass = sum(1 for ok, _, d in results if ok and not d)
    nx = sum(1 for ok, _, d in results if ok and d.startswith("XFAIL"))
    nskip = sum(1 for ok, _, d in results if ok and d.startswith("SKIP"))
    nfail = sum(1 for ok, _, _ in results if not ok)
    print("# Totals: pass:%d fail:%d xfail:%d skip:%d" % (npass, nfail, nx,
                                                          nskip))
    strict = os.environ.get("TWAMP_SELFTEST_STRICT", "0") not in ("", "0")
    if nfail or (strict and nx):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
