# SPDX-License-Identifier: GPL-2.0
"""A small generic netlink client of twamp.ko (python3 stdlib only).

Shared by twamp_nlneg.py, twamp_fault.py and twamp_pktfuzz.py. Numbers
come from uapi/linux/twamp.h itself (its enums are read at import), so the
tests cannot drift from the ABI. Requests never raise on a kernel error:
they return an Answer with the errno, the extended ack message and offset,
and every reply message.
"""

import os
import re
import socket
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
UAPI = os.environ.get("TWAMP_UAPI_H",
                      os.path.join(HERE, "..", "uapi", "linux", "twamp.h"))

NETLINK_GENERIC = 16
GENL_ID_CTRL = 16
CTRL_CMD_GETFAMILY = 3
CTRL_ATTR_FAMILY_ID = 1
CTRL_ATTR_FAMILY_NAME = 2
NLM_F_REQUEST = 1
NLM_F_ACK = 4
NLM_F_DUMP = 0x300
NLM_F_CAPPED = 0x100
NLM_F_ACK_TLVS = 0x200
NLMSG_ERROR = 2
NLMSG_DONE = 3
NLA_F_NESTED = 0x8000
NLA_TYPE_MASK = 0x3FFF
SOL_NETLINK = 270
NETLINK_CAP_ACK = 10
NETLINK_EXT_ACK = 11
NLMSGERR_ATTR_MSG = 1
NLMSGERR_ATTR_OFFS = 2
NLMSGERR_ATTR_MISS_TYPE = 5


def _read_enums(path):
    """Every enumerator of the header, NAME -> int."""
    with open(path) as f:
        text = f.read()
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    names = {}
    for body in re.findall(r"enum\s+\w+\s*\{(.*?)\}", text, flags=re.S):
        nxt = 0
        for item in body.split(","):
            item = item.strip()
            if not item:
                continue
            if "=" in item:
                name, expr = (x.strip() for x in item.split("=", 1))
                val = eval(expr, {"__builtins__": {}}, dict(names))
            else:
                name, val = item, nxt
            names[name] = val
            nxt = val + 1
    for name, val in re.findall(r"#define\s+(TWAMP_\w+)\s+(\d+)\b", text):
        names.setdefault(name, int(val))
    return names


C = _read_enums(UAPI)


class _Names:
    def __getattr__(self, name):
        try:
            return C[name]
        except KeyError:
            raise AttributeError(name) from None


T = _Names()


# --- attributes ---------------------------------------------------------

def attr(typ, payload=b""):
    pad = (4 - len(payload) % 4) % 4
    return struct.pack("=HH", 4 + len(payload), typ) + payload + bytes(pad)


def nest(typ, *children):
    return attr(typ | NLA_F_NESTED, b"".join(children))


def u8(typ, v):
    return attr(typ, struct.pack("=B", v))


def u16(typ, v):
    return attr(typ, struct.pack("=H", v))


def u32(typ, v):
    return attr(typ, struct.pack("=I", v))


def u64(typ, v):
    return attr(typ, struct.pack("=Q", v))


def flag(typ):
    return attr(typ)


def ip4(typ, addr):
    return attr(typ, socket.inet_aton(addr))


def ip6(typ, addr):
    return attr(typ, socket.inet_pton(socket.AF_INET6, addr))


def parse(buf):
    """[(type, payload)] of a run of attributes, NLA_F_* bits cleared."""
    out = []
    while len(buf) >= 4:
        ln, typ = struct.unpack("=HH", buf[:4])
        if ln < 4 or ln > len(buf):
            raise ValueError("malformed attribute")
        out.append((typ & NLA_TYPE_MASK, buf[4:ln]))
        buf = buf[(ln + 3) & ~3:]
    return out


def get(attrs, typ):
    for t, v in attrs:
        if t == typ:
            return v
    return None


def get_u(attrs, typ):
    v = get(attrs, typ)
    if v is None:
        return None
    return int.from_bytes(v, "little")


class Answer:
    def __init__(self):
        self.error = 0          # 0 or a positive errno
        self.msg = ""           # NLMSGERR_ATTR_MSG
        self.offs = None        # NLMSGERR_ATTR_OFFS
        self.miss_type = None   # NLMSGERR_ATTR_MISS_TYPE
        self.replies = []       # genetlink payloads (after genlmsghdr)

    def objs(self, top):
        """The nests of type TOP in the replies, each parsed."""
        out = []
        for r in self.replies:
            for t, v in parse(r):
                if t == top:
                    out.append(parse(v))
        return out

    def __repr__(self):
        return "Answer(error=%d, msg=%r, offs=%r, replies=%d)" % (
            self.error, self.msg, self.offs, len(self.replies))


class Genl:
    """One generic netlink socket with extended acks."""

    def __init__(self, family=None):
        self.sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW,
                                  NETLINK_GENERIC)
        self.sock.setsockopt(SOL_NETLINK, NETLINK_EXT_ACK, 1)
        self.sock.setsockopt(SOL_NETLINK, NETLINK_CAP_ACK, 1)
        self.sock.bind((0, 0))
        self.seq = 1
        self.family = family
        if family is None:
            a = self.raw(GENL_ID_CTRL, CTRL_CMD_GETFAMILY,
                         attr(CTRL_ATTR_FAMILY_NAME, b"twamp\0"))
            if a.error:
                raise OSError(a.error, "no twamp generic netlink family")
            self.family = get_u(parse(a.replies[0]), CTRL_ATTR_FAMILY_ID)

    def close(self):
        self.sock.close()

    def send_raw(self, msg):
        self.sock.send(msg)

    def build(self, family, cmd, payload, flags=NLM_F_ACK, version=1):
        """The next request, numbered: its bytes (sequence in self.seq)."""
        self.seq += 1
        body = struct.pack("=BBH", cmd, version, 0) + payload
        return struct.pack("=IHHII", 16 + len(body), family,
                           NLM_F_REQUEST | flags, self.seq, 0) + body

    def raw(self, family, cmd, payload, flags=NLM_F_ACK, version=1):
        self.sock.send(self.build(family, cmd, payload, flags, version))
        return self.recv(self.seq)

    def recv(self, seq):
        a = Answer()
        while True:
            data = self.sock.recv(1 << 20)
            while len(data) >= 16:
                ln, typ, flags, mseq, _ = struct.unpack("=IHHII", data[:16])
                m = data[:ln]
                data = data[(ln + 3) & ~3:]
                if mseq != seq:
                    continue
                if typ in (NLMSG_ERROR, NLMSG_DONE):
                    if len(m) >= 20:
                        a.error = -struct.unpack("=i", m[16:20])[0]
                    tlv_at = 20
                    if typ == NLMSG_ERROR:
                        # the request's header (and all of it if not capped)
                        inner_len = struct.unpack("=I", m[20:24])[0]
                        tlv_at = 36 if flags & NLM_F_CAPPED else \
                            20 + ((inner_len + 3) & ~3)
                    if flags & NLM_F_ACK_TLVS:
                        for t, v in parse(m[tlv_at:]):
                            if t == NLMSGERR_ATTR_MSG:
                                a.msg = v.rstrip(b"\0").decode(
                                    errors="replace")
                            elif t == NLMSGERR_ATTR_OFFS:
                                a.offs = struct.unpack("=I", v)[0]
                            elif t == NLMSGERR_ATTR_MISS_TYPE:
                                a.miss_type = struct.unpack("=I", v)[0]
                    return a
                a.replies.append(m[20:])
                if not flags & 2:       # not NLM_F_MULTI: a doit reply
                    pass

    def req(self, cmd, payload=b"", dump=False):
        return self.raw(self.family, cmd, payload,
                        NLM_F_DUMP if dump else NLM_F_ACK)

    # --- convenience, raising OSError on a kernel error -------------------

    def _new(self, cmd, top, id_attr, children):
        a = self.req(cmd, nest(top, *children))
        if a.error:
            raise OSError(a.error, "%s: %s" % (os.strerror(a.error), a.msg))
        return get_u(a.objs(top)[0], id_attr)

    def reflector_new(self, *children):
        return self._new(T.TWAMP_CMD_REFLECTOR_NEW, T.TWAMP_A_REFLECTOR,
                         T.TWAMP_A_REFLECTOR_ID, children)

    def session_new(self, *children):
        return self._new(T.TWAMP_CMD_SESSION_NEW, T.TWAMP_A_SESSION,
                         T.TWAMP_A_SESSION_ID, children)

    def sender_new(self, *children):
        return self._new(T.TWAMP_CMD_SENDER_NEW, T.TWAMP_A_SENDER,
                         T.TWAMP_A_SENDER_ID, children)

    def by_id(self, cmd, top, id_attr, oid):
        return self.req(cmd, nest(top, u32(id_attr, oid)))

    def dump(self, what):
        """Parsed objects of a dump: what is REFLECTOR, SESSION or SENDER."""
        top = C["TWAMP_A_" + what]
        a = self.req(C["TWAMP_CMD_%s_GET" % what], dump=True)
        if a.error:
            raise OSError(a.error, "%s dump: %s" % (what, a.msg))
        return a.objs(top)

    def ids(self, what):
        idattr = C["TWAMP_A_%s_ID" % what]
        return sorted(get_u(o, idattr) for o in self.dump(what))
