#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Test-packet fuzzer of twamp_pktfuzz.sh (python3 stdlib only).

fuzz ADDR PORT light|stamp|keyed|sender SECONDS SEED [SPORT]
    Throw random and mutated packets at ADDR:PORT from one UDP socket
    (bound to SPORT if given) for about SECONDS: every length from 0 to
    the path MTU's UDP payload with random octets, then valid TWAMP or
    STAMP requests with random padding, random STAMP TLVs (lengths past
    the end, zero, nested junk), bit flips in valid requests, and a few
    packets of 8999 to 9001 octets. Every reply is checked: it must come
    from ADDR:PORT, echo a request this run sent (sender sequence number,
    timestamp and error estimate), that request must be valid (at least
    14 octets, at most 9000, a non-zero Error Estimate multiplier), and
    the reply must be no longer than the larger of the request and the
    reflector's base packet (44 octets, 112 for a keyed session). keyed:
    no reply at all (nothing here carries a valid HMAC); sender: ADDR:PORT
    is a kernel Session-Sender's socket, which must never answer.
    Prints "sent N valid N replies N maxlen N" and exits 0, or 1 with
    "# ..." lines saying what was wrong.
keyed REFLECTOR PEER PEER_PORT
    Make an authenticated session (random keys) on REFLECTOR for
    PEER:PEER_PORT; print its ID, or "none" when the module has no
    TWAMP_FEATURE_AUTH.
sender DST DST_PORT LOCAL_PORT
    Make and start a kernel sender from LOCAL_PORT to DST:DST_PORT, every
    10 ms until stopped; print its ID.
stats SENDER
    "sent received state" of a kernel sender.
"""

import os

import random
import select
import socket
import struct
import sys
import time

UDP_MAX_V4 = 1500 - 28


def ntp_now():
    t = time.time()
    return (int(t) + 2208988800) << 32 | int((t % 1) * (1 << 32))


class Fuzz:
    def __init__(self, addr, port, kind, seed, sport):
        self.addr, self.port, self.kind = addr, port, kind
        self.rnd = random.Random(seed)
        fam = socket.AF_INET6 if ":" in addr else socket.AF_INET
        self.s = socket.socket(fam, socket.SOCK_DGRAM)
        self.s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
        self.s.bind(("", sport))
        self.s.setblocking(False)
        self.sent = 0
        self.valid = 0
        self.replies = 0
        self.maxlen = 0
        self.bad = []
        self.by_seq = {}
        self.seq = 0

    # --- requests -------------------------------------------------------

    def base(self, stamp):
        self.seq += 1
        ee = 0x8000 | self.rnd.randrange(1, 256) if self.rnd.random() < .5 \
            else 0x12A4
        hdr = struct.pack("!IQH", self.seq, ntp_now(), ee)
        if stamp:
            hdr += struct.pack("!H", self.rnd.randrange(0, 3)) + bytes(28)
        return bytearray(hdr)

    def random_bytes(self, n):
        return bytearray(self.rnd.getrandbits(8) for _ in range(n))

    def tlvs(self):
        out = bytearray()
        for _ in range(self.rnd.randrange(1, 6)):
            typ = self.rnd.choice([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 252, 255,
                                   self.rnd.randrange(256)])
            flags = self.rnd.choice([0x80, 0x00, 0x40, 0x20, 0xFF,
                                     self.rnd.randrange(256)])
            vlen = self.rnd.choice([0, 1, 4, 8, 12, 16, 20,
                                    self.rnd.randrange(64)])
            claim = self.rnd.choice([vlen, vlen, vlen + 1, 0xFFFF,
                                     max(vlen - 1, 0), self.rnd.randrange(1 << 16)])
            out += struct.pack("!BBH", flags, typ, claim) + \
                self.random_bytes(vlen)
        return out

    def gen(self):
        """Packets to send, one phase after another, forever."""
        stamp = self.kind == "stamp"
        # 1: every length, random octets
        for n in range(0, UDP_MAX_V4 + 1):
            yield self.random_bytes(n)
        while True:
            r = self.rnd.random()
            if r < 0.3:         # valid, random padding
                p = self.base(stamp) + self.random_bytes(
                    self.rnd.randrange(0, 200))
            elif r < 0.5:       # STAMP base plus random TLVs
                p = self.base(True) + self.tlvs()
            elif r < 0.9:       # bit flips in a valid request
                p = self.base(stamp) + self.random_bytes(
                    self.rnd.randrange(0, 64))
                for _ in range(self.rnd.randrange(1, 5)):
                    bit = self.rnd.randrange(min(len(p), 64) * 8)
                    p[bit // 8] ^= 1 << (bit % 8)
            elif r < 0.995:     # truncated valid request
                p = self.base(stamp)[:self.rnd.randrange(0, 44)]
            else:               # around the size limit
                p = self.base(stamp) + self.random_bytes(
                    self.rnd.choice([8999, 9000, 9001]) - len(self.base(stamp)))
            yield p

    @staticmethod
    def is_valid(p):
        return 14 <= len(p) <= 9000 and p[13] != 0

    # --- replies --------------------------------------------------------

    def drain(self, wait=0.0):
        while True:
            r, _, _ = select.select([self.s], [], [], wait)
            if not r:
                return
            try:
                data, src = self.s.recvfrom(65536)
            except BlockingIOError:
                return
            self.check_reply(bytes(data), src)

    def check_reply(self, data, src):
        self.replies += 1
        self.maxlen = max(self.maxlen, len(data))
        if src[1] != self.port:
            self.bad.append("reply from port %d" % src[1])
            return
        if self.kind in ("keyed", "sender"):
            self.bad.append("%d-octet reply from a %s target" % (
                len(data), self.kind))
            return
        if len(data) < 38:
            self.bad.append("%d-octet reply" % len(data))
            return
        seq, = struct.unpack("!I", data[24:28])
        for req in self.by_seq.get(data[24:28], []):
            if data[28:38] != req[4:14]:
                continue
            if not self.is_valid(req):
                self.bad.append("reply to an invalid %d-octet request "
                                "(sequence %d, EE %s)" % (
                                    len(req), seq, req[12:14].hex()))
            elif len(data) > max(len(req), 44):
                self.bad.append("%d-octet reply to a %d-octet request" % (
                    len(data), len(req)))
            return
        self.bad.append("%d-octet reply echoing no request sent "
                        "(sender sequence %d)" % (len(data), seq))

    def run(self, seconds):
        end = time.monotonic() + seconds
        dst = (self.addr, self.port)
        g = self.gen()
        while time.monotonic() < end or self.sent < UDP_MAX_V4 + 1:
            for _ in range(64):
                p = bytes(next(g))
                if len(p) >= 4:
                    self.by_seq.setdefault(p[0:4], []).append(p)
                try:
                    self.s.sendto(p, dst)
                except OSError as e:
                    self.bad.append("send of %d octets: %s" % (len(p), e))
                    continue
                self.sent += 1
                self.valid += self.is_valid(p)
            # pace: the veth backlog is 1000 packets
            self.drain(0.002)
        self.drain(0.5)
        self.drain(0.5)


def nl_cmd(argv):
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import twamp_nl as nl
    from twamp_nl import T, nest, u8, u16, u32, u64, ip4, attr

    g = nl.Genl()
    if argv[1] == "keyed":
        info = g.req(T.TWAMP_CMD_INFO_GET)
        feats = nl.get_u(info.objs(T.TWAMP_A_INFO)[0], T.TWAMP_A_INFO_FEATURES)
        if not feats & T.TWAMP_FEATURE_AUTH:
            print("none")
            return 0
        print(g.session_new(
            u32(T.TWAMP_A_SESSION_REFLECTOR_ID, int(argv[2])),
            ip4(T.TWAMP_A_SESSION_PEER_IPV4, argv[3]),
            u16(T.TWAMP_A_SESSION_PEER_PORT, int(argv[4])),
            u8(T.TWAMP_A_SESSION_SECURITY, T.TWAMP_SECURITY_AUTH),
            attr(T.TWAMP_A_SESSION_AES_KEY, os.urandom(16)),
            attr(T.TWAMP_A_SESSION_HMAC_KEY, os.urandom(32))))
        return 0
    if argv[1] == "sender":
        sid = g.sender_new(ip4(T.TWAMP_A_SENDER_REMOTE_IPV4, argv[2]),
                           u16(T.TWAMP_A_SENDER_REMOTE_PORT, int(argv[3])),
                           u16(T.TWAMP_A_SENDER_LOCAL_PORT, int(argv[4])),
                           u32(T.TWAMP_A_SENDER_COUNT, 0),
                           u64(T.TWAMP_A_SENDER_INTERVAL, 10000000))
        a = g.by_id(T.TWAMP_CMD_SENDER_START, T.TWAMP_A_SENDER,
                    T.TWAMP_A_SENDER_ID, sid)
        if a.error:
            print("# sender start: %s" % a)
            return 1
        print(sid)
        return 0
    a = g.req(T.TWAMP_CMD_SENDER_GET,
              nest(T.TWAMP_A_SENDER, u32(T.TWAMP_A_SENDER_ID, int(argv[2]))))
    if a.error:
        print("# sender get: %s" % a)
        return 1
    o = a.objs(T.TWAMP_A_SENDER)[0]
    st = nl.parse(nl.get(o, T.TWAMP_A_SENDER_STATS))
    print(nl.get_u(st, T.TWAMP_A_STATS_SENT),
          nl.get_u(st, T.TWAMP_A_STATS_RECEIVED),
          nl.get_u(o, T.TWAMP_A_SENDER_STATE))
    return 0


def main(argv):
    if len(argv) >= 3 and argv[1] in ("keyed", "sender", "stats"):
        return nl_cmd(argv)
    if len(argv) < 7 or argv[1] != "fuzz":
        print(__doc__, file=sys.stderr)
        return 2
    f = Fuzz(argv[2], int(argv[3]), argv[4], int(argv[6]),
             int(argv[7]) if len(argv) > 7 else 0)
    f.run(float(argv[5]))
    for b in f.bad[:20]:
        print("# " + b)
    if len(f.bad) > 20:
        print("# ... %d more" % (len(f.bad) - 20))
    print("sent %d valid %d replies %d maxlen %d" % (f.sent, f.valid,
                                                    f.replies, f.maxlen))
    return 1 if f.bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
