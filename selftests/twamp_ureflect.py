#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Session-Sender of twamp_ureflect.sh, independent of the C code it tests.

send [options] ADDR PORT
    Send TWAMP-Test packets (open, authenticated or encrypted, RFC 5357
    4.1.2; crypto from the python3 'cryptography' package) and check every
    field of every reply: decryption, HMAC, Sequence Numbers, MBZ octets,
    echoed sender fields, Sender TTL, T1 <= T2 <= T3 <= T4, Error Estimate,
    size and RFC 6038 reflected octets. Exit status 0 if all held.
garbage ADDR PORT...
    Send to each port datagrams of every length from 0 to 200 octets, one round of
    zeros and two of random octets, and read whatever comes back. Prints
    "SENT SHORT ZERO_MULT": how many were sent, how many were shorter than
    a TWAMP sender header (14), how many of the others have a zero Error
    Estimate Multiplier (octet 13), which an open reflector drops.
adjtimex [synced ESTERROR_US | unsynced | status]
    Set or print the clock's synchronization state (STA_UNSYNC and esterror
    through adjtimex(2)); status prints "synced" or "unsynced". synced
    changes nothing and exits with 4 when the clock is synchronized
    already: something else disciplines it.

Output lines start with "#" so that they nest in the caller's KTAP.
"""

import argparse
import ctypes
import os
import random
import select
import socket
import struct
import sys
import time

NTP_UNIX = 2208988800
SEND_EE = 0x12A4
IV0 = bytes(16)


def say(msg):
    print("# " + msg, flush=True)


def ntp_now():
    ns = time.time_ns()
    return ((ns // 10**9 + NTP_UNIX) << 32) | (((ns % 10**9) << 32) // 10**9)


def ntp_to_ns(v):
    return ((v >> 32) - NTP_UNIX) * 10**9 + (((v & 0xFFFFFFFF) * 10**9) >> 32)


class Keys:
    def __init__(self, mode, aes_hex, hmac_hex):
        self.mode = mode
        self.aes = bytes.fromhex(aes_hex) if aes_hex else None
        self.hmac = bytes.fromhex(hmac_hex) if hmac_hex else None

    def cipher(self):
        # imported here: the other commands run without the package
        from cryptography.hazmat.primitives.ciphers import (Cipher,
                                                            algorithms, modes)
        m = modes.ECB() if self.mode == "auth" else modes.CBC(IV0)
        return Cipher(algorithms.AES(self.aes), m)

    def encrypt(self, data):
        e = self.cipher().encryptor()
        return e.update(data) + e.finalize()

    def decrypt(self, data):
        d = self.cipher().decryptor()
        return d.update(data) + d.finalize()

    def mac(self, data):
        from cryptography.hazmat.primitives import hashes, hmac
        h = hmac.HMAC(self.hmac, hashes.SHA1())
        h.update(data)
        return h.finalize()[:16]


def build(keys, seq, size, ee, corrupt):
    """A sender packet of size octets; its plaintext T1 (NTP) too."""
    t1 = ntp_now()
    if keys.mode == "open":
        hdr = struct.pack("!IQH", seq, t1, ee)
        pad = bytes((i * 7 + seq) & 0xFF for i in range(size - len(hdr)))
        return hdr + pad, t1
    plain = struct.pack("!I12xQH6x", seq, t1, ee)  # octets 0-31
    prot = 16 if keys.mode == "auth" else 32
    mac = bytearray(keys.mac(plain[:prot]))
    if corrupt:
        mac[5] ^= 0x40
    enc = keys.encrypt(plain[:prot]) + plain[prot:]
    pad = bytes((i * 7 + seq) & 0xFF for i in range(size - 48))
    return enc + bytes(mac) + pad, t1


class Checker:
    def __init__(self):
        self.checks = 0
        self.failed = 0

    def eq(self, seq, what, got, want):
        self.checks += 1
        if got != want:
            self.failed += 1
            say(f"FAIL seq {seq}: {what}: got {got!r}, want {want!r}")

    def true(self, seq, what, ok, detail=""):
        self.checks += 1
        if not ok:
            self.failed += 1
            say(f"FAIL seq {seq}: {what} {detail}")


def check_reply(c, a, keys, data, sent, t4, idx):
    """sent: (seq, t1, pkt, size); idx: number of this reply (stateful)."""
    seq, t1, pkt, size = sent
    hdr = 41 if keys.mode == "open" else 112
    c.eq(seq, "reply size", len(data), a.refl_size or max(size, hdr))
    if len(data) < hdr:
        return
    if keys.mode == "open":
        rseq, t3, ree, mbz1, t2, sseq, st1, see, mbz2, ttl = struct.unpack(
            "!IQHHQIQHHB", data[:41])
        mbz = mbz1 + mbz2
        sender_pad = pkt[14:]
    else:
        prot = 16 if keys.mode == "auth" else 96
        plain = keys.decrypt(data[:prot]) + data[prot:96]
        c.eq(seq, "reply HMAC", data[96:112].hex(),
             keys.mac(plain[:prot]).hex())
        (rseq, t3, ree, t2, sseq, st1, see, ttl) = struct.unpack(
            "!I12xQH6xQ8xI12xQH6xB", plain[:81])
        mbz = sum(plain[4:16]) + sum(plain[26:32]) + sum(plain[40:48]) + \
            sum(plain[52:64]) + sum(plain[74:80]) + sum(plain[81:96])
        sender_pad = pkt[48:]
    c.eq(seq, "reflector Sequence Number", rseq,
         a.refl_seq + idx if a.stateful else seq)
    c.eq(seq, "MBZ octets", mbz, 0)
    c.eq(seq, "reflector Error Estimate", hex(ree), hex(a.refl_ee))
    c.eq(seq, "Sender Sequence Number", sseq, seq)
    c.eq(seq, "Sender Timestamp", st1, t1)
    c.eq(seq, "Sender Error Estimate", hex(see), hex(a.ee))
    c.eq(seq, "Sender TTL", ttl, a.ttl)
    n = min(a.reflect_len, len(sender_pad), len(data) - hdr)
    if a.reflect_len:
        c.eq(seq, "reflected octets", data[hdr:hdr + n].hex(),
             sender_pad[:n].hex())
    tol = 2 * 10**6
    t1n, t2n, t3n = ntp_to_ns(t1), ntp_to_ns(t2), ntp_to_ns(t3)
    c.true(seq, "T1 <= T2", t1n <= t2n + tol, f"({t2n - t1n} ns)")
    c.true(seq, "T2 < T3 (residence)", t2n < t3n, f"({t3n - t2n} ns)")
    c.true(seq, "residence < 1 s", t3n - t2n < 10**9, f"({t3n - t2n} ns)")
    c.true(seq, "T3 <= T4", t3n <= t4 + tol, f"({t4 - t3n} ns)")


def steps(a):
    """--steps, else --count packets that get (or not) a reply."""
    if not a.steps:
        return [("good" if a.expect == "reply" else "none", a.count)]
    out = []
    for st in a.steps.split(","):
        kind, _, n = st.partition(":")
        if kind not in ("good", "none", "corrupt", "wrongkey", "short"):
            raise SystemExit(f"bad step '{st}'")
        out.append((kind, int(n) if n else 1))
    return out


def cmd_send(a):
    keys = Keys(a.mode, a.aes_key, a.hmac_key)
    wrong = Keys(a.mode, a.aes_key and a.aes_key[::-1], a.hmac_key)
    fam = socket.AF_INET6 if ":" in a.addr else socket.AF_INET
    s = socket.socket(fam, socket.SOCK_DGRAM)
    if fam == socket.AF_INET:
        s.setsockopt(socket.IPPROTO_IP, socket.IP_TTL, a.ttl)
    else:
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_UNICAST_HOPS, a.ttl)
    s.bind((a.bind or "", a.sport))
    s.connect((a.addr, a.port))
    sizes = [int(x) for x in a.size.split(",")]
    base = 14 if a.mode == "open" else 48
    c = Checker()
    n_sent = n_good = replies = 0
    for kind, count in steps(a):
        if kind == "short":
            # every length under the sender header: never answered
            for length in range(base):
                s.send(bytes((i * 13 + 1) & 0xFF for i in range(length)))
                n_sent += 1
                time.sleep(0.001)
            count = 0
            r, _, _ = select.select([s], [], [], a.timeout / 1000)
            if r:
                c.true("-", "no reply to a short packet", False,
                       f"got {len(s.recv(70000))} octets")
        for _ in range(count):
            seq = a.seq + n_sent
            size = sizes[n_sent % len(sizes)]
            pkt, t1 = build(wrong if kind == "wrongkey" else keys, seq,
                            size, a.ee, kind == "corrupt" or a.corrupt)
            s.send(pkt)
            n_sent += 1
            # one at a time: the reply order is the send order (stateful)
            r, _, _ = select.select([s], [], [], a.timeout / 1000)
            if not r:
                if kind == "good":
                    c.true(seq, "reply", False, "none within the timeout")
                else:
                    c.true(seq, f"no reply ({kind})", True)
                continue
            data = s.recv(70000)
            t4 = time.time_ns()
            replies += 1
            if kind != "good":
                c.true(seq, f"no reply ({kind})", False,
                       f"got {len(data)} octets")
                continue
            check_reply(c, a, keys, data, (seq, t1, pkt, size), t4, n_good)
            n_good += 1
    ok = c.failed == 0
    say(f"twamp_ureflect.py: {'ok' if ok else 'FAIL'}: {a.mode}, "
        f"sent {n_sent}, {replies} replies, {c.checks} checks, "
        f"{c.failed} failed")
    return 0 if ok else 1


def cmd_garbage(a):
    fam = socket.AF_INET6 if ":" in a.addr else socket.AF_INET
    s = socket.socket(fam, socket.SOCK_DGRAM)
    s.setblocking(False)
    rnd = random.Random(a.seed)
    n = short = zero_mult = 0
    for rnd_round in range(3):
        for length in range(0, 201):
            if rnd_round == 0:
                pkt = bytes(length)
            else:
                pkt = bytes(rnd.getrandbits(8) for _ in range(length))
            for port in a.port:
                s.sendto(pkt, (a.addr, port))
            n += 1
            if length < 14:
                short += 1
            elif pkt[13] == 0:
                zero_mult += 1
            # paced, so that no socket buffer overflows on a slow machine
            time.sleep(0.001)
            try:
                while s.recv(70000):
                    pass
            except OSError:
                pass
    print(n, short, zero_mult)
    return 0


# adjtimex(2), just what is needed
class Timeval(ctypes.Structure):
    _fields_ = [("tv_sec", ctypes.c_long), ("tv_usec", ctypes.c_long)]


class Timex(ctypes.Structure):
    _fields_ = [("modes", ctypes.c_uint), ("offset", ctypes.c_long),
                ("freq", ctypes.c_long), ("maxerror", ctypes.c_long),
                ("esterror", ctypes.c_long), ("status", ctypes.c_int),
                ("constant", ctypes.c_long), ("precision", ctypes.c_long),
                ("tolerance", ctypes.c_long), ("time", Timeval),
                ("tick", ctypes.c_long), ("ppsfreq", ctypes.c_long),
                ("jitter", ctypes.c_long), ("shift", ctypes.c_int),
                ("stabil", ctypes.c_long), ("jitcnt", ctypes.c_long),
                ("calcnt", ctypes.c_long), ("errcnt", ctypes.c_long),
                ("stbcnt", ctypes.c_long), ("tai", ctypes.c_int),
                ("pad", ctypes.c_int * 11)]


ADJ_MAXERROR = 0x0004
ADJ_ESTERROR = 0x0008
ADJ_STATUS = 0x0010
STA_UNSYNC = 0x0040


def cmd_adjtimex(a):
    libc = ctypes.CDLL(None, use_errno=True)
    tx = Timex()
    if libc.adjtimex(ctypes.byref(tx)) < 0:
        print("adjtimex: " + os.strerror(ctypes.get_errno()), file=sys.stderr)
        return 1
    if a.what == "status":
        print("unsynced" if tx.status & STA_UNSYNC else "synced")
        return 0
    st = tx.status
    if a.what == "synced" and not st & STA_UNSYNC:
        return 4
    tx = Timex()
    tx.modes = ADJ_STATUS | ADJ_ESTERROR | ADJ_MAXERROR
    if a.what == "synced":
        tx.status = st & ~STA_UNSYNC
        tx.esterror = a.esterror
        tx.maxerror = a.esterror
    else:
        tx.status = st | STA_UNSYNC
        tx.esterror = 16000000
        tx.maxerror = 16000000
    if libc.adjtimex(ctypes.byref(tx)) < 0:
        print("adjtimex: " + os.strerror(ctypes.get_errno()), file=sys.stderr)
        return 1
    return 0


def main():
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("send")
    s.add_argument("--mode", choices=("open", "auth", "encrypt"),
                   default="open")
    s.add_argument("--aes-key")
    s.add_argument("--hmac-key")
    s.add_argument("--count", type=int, default=3)
    s.add_argument("--size", default="0")
    s.add_argument("--seq", type=int, default=1000)
    s.add_argument("--ee", type=lambda x: int(x, 0), default=SEND_EE)
    s.add_argument("--refl-ee", type=lambda x: int(x, 0), default=SEND_EE)
    s.add_argument("--refl-size", type=int, default=0)
    s.add_argument("--ttl", type=int, default=64)
    s.add_argument("--bind")
    s.add_argument("--sport", type=int, default=0)
    s.add_argument("--stateful", action="store_true")
    s.add_argument("--refl-seq", type=int, default=0,
                   help="the first reflector Sequence Number (stateful)")
    s.add_argument("--reflect-len", type=int, default=0)
    s.add_argument("--corrupt", action="store_true",
                   help="flip a bit of the HMAC")
    s.add_argument("--expect", choices=("reply", "none"), default="reply")
    s.add_argument("--steps", help="KIND[:N],...: good (checked reply), "
                   "none (no reply), corrupt (wrong HMAC), wrongkey (other "
                   "AES key), short (every length under the header)")
    s.add_argument("--timeout", type=int, default=1000, help="ms per packet")
    s.add_argument("addr")
    s.add_argument("port", type=int)
    g = sub.add_parser("garbage")
    g.add_argument("--seed", type=int, default=1)
    g.add_argument("addr")
    g.add_argument("port", type=int, nargs="+")
    t = sub.add_parser("adjtimex")
    t.add_argument("what", choices=("synced", "unsynced", "status"))
    t.add_argument("esterror", type=int, nargs="?", default=0)
    a = p.parse_args()
    if a.cmd == "send":
        if a.mode != "open" and not (a.aes_key and a.hmac_key):
            p.error("keyed modes need --aes-key and --hmac-key")
        base = 14 if a.mode == "open" else 48
        a.size = ",".join(str(max(int(x), base)) for x in a.size.split(","))
        return cmd_send(a)
    if a.cmd == "garbage":
        return cmd_garbage(a)
    return cmd_adjtimex(a)


if __name__ == "__main__":
    sys.exit(main())
