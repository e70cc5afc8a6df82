#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Helpers of twamp_crypto.sh: an implementation of TWAMP-Test packet
crypto (RFC 5357 section 4, authenticated and encrypted modes) that shares
nothing with twamp.ko, on python3-cryptography (AES) and the standard
library (HMAC-SHA1), and a generic netlink client just large enough for
the objects that carry keys.

Keys are hex strings: 16 octets of AES key, 32 of HMAC key. MODE is auth
or encrypt. Every command exits 0 when all its checks hold and prints what
failed, as "# ..." lines, otherwise.

send ADDR PORT SPORT MODE AES HMAC COUNT PADDING [wrong-hmac|wrong-aes|short] [seq=N]
    Be a Session-Sender: send COUNT packets (sequence numbers from 100 or N,
    PADDING octets 0x00, 0x01, ... after the 48-octet header), check
    every reply field by field and print the reflector's sequence numbers.
    With a fault, send bad packets and check that none gets a reply.
reflect ADDR PORT MODE AES HMAC COUNT [bad-first]
    Be a Session-Reflector for COUNT packets: print "ready" once bound,
    check each request, answer it in the 112-octet layout. bad-first: before each good reply, send
    one whose HMAC is wrong.
session-add REFLECTOR PEER PEER_PORT MODE AES HMAC
    Create a session over netlink; print its ID. MODE may be open.
session-add-raw REFLECTOR PEER PEER_PORT [security=N] [aes=HEX] [hmac=HEX]
    The same with any combination of attributes; print the kernel's
    error message and exit 1 if refused.
sender-add-raw REMOTE [security=N] [aes=HEX] [hmac=HEX] [format=N] [keep]
    The same for a sender, deleted at once unless keep is given.
sender-run REMOTE PORT LPORT MODE AES HMAC COUNT
    Create a kernel sender, run it to the end and print
    "sent received lost auth_failed rtt_min_positive".
dump-has-no HEX...
    Dump reflectors, sessions and senders; fail if any message contains
    any of the given octet strings.
reflector-bind PORT PEER PEER_PORT MODE AES HMAC [-- PROBE...]
    Create a reflector with BIND and one session on it with BIND from one
    netlink socket, check both are listed, run PROBE (which must succeed),
    close the socket, check both are gone.
"""

import os
import select
import socket
import struct
import subprocess
import sys
import time
import hmac as hmac_mod
import hashlib

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

NTP_OFFSET = 2208988800
AUTH, ENCRYPT = 1, 2
MODES = {"open": 0, "auth": AUTH, "encrypt": ENCRYPT}
SENDER_HDR, REFL_HDR = 48, 112

# --- packet crypto (fact sheet 3.2) ------------------------------------------


def cbc(key, data, encrypt):
    c = Cipher(algorithms.AES(key), modes.CBC(bytes(16)))
    op = c.encryptor() if encrypt else c.decryptor()
    return op.update(data) + op.finalize()


def mac(key, data):
    return hmac_mod.new(key, data, hashlib.sha1).digest()[:16]


def protected(mode, reply):
    if mode == AUTH:
        return 16
    return 96 if reply else 32


def seal(mode, aes, hkey, pkt, reply):
    """HMAC over the plaintext, then encryption; the rest unchanged."""
    n = protected(mode, reply)
    at = 96 if reply else 32
    pkt = bytearray(pkt)
    pkt[at:at + 16] = mac(hkey, bytes(pkt[:n]))
    pkt[:n] = cbc(aes, bytes(pkt[:n]), True)
    return bytes(pkt)


def unseal(mode, aes, hkey, pkt, reply):
    """Decrypted packet, or None when the HMAC does not match."""
    n = protected(mode, reply)
    at = 96 if reply else 32
    pkt = bytearray(pkt)
    pkt[:n] = cbc(aes, bytes(pkt[:n]), False)
    if not hmac_mod.compare_digest(mac(hkey, bytes(pkt[:n])),
                                   bytes(pkt[at:at + 16])):
        return None
    return bytes(pkt)


def ntp_now():
    t = time.time()
    sec = int(t)
    return sec + NTP_OFFSET, int((t - sec) * (1 << 32)) & 0xFFFFFFFF


def ntp_float(sec, frac):
    return sec - NTP_OFFSET + frac / (1 << 32)


class Fails:
    def __init__(self):
        self.n = 0

    def check(self, cond, what):
        if not cond:
            self.n += 1
            print("# FAIL:", what)
        return cond


def udp_socket(addr, port):
    fam = socket.AF_INET6 if ":" in addr else socket.AF_INET
    s = socket.socket(fam, socket.SOCK_DGRAM)
    if fam == socket.AF_INET:
        s.setsockopt(socket.IPPROTO_IP, socket.IP_TTL, 255)
    else:
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_UNICAST_HOPS, 255)
    s.bind(("", port))
    return s


def recv(s, timeout):
    r, _, _ = select.select([s], [], [], timeout)
    if not r:
        return None, None
    return s.recvfrom(65536)


# --- Session-Sender ------------------------------------------------------------


def sender_packet(seq, padding):
    sec, frac = ntp_now()
    hdr = (struct.pack("!I12xIIH6x", seq, sec, frac, 0x0101) + bytes(16))
    return hdr + bytes(i & 0xFF for i in range(padding)), (sec, frac)


def cmd_send(addr, port, sport, mode, aes, hkey, count, padding, fault=None,
             first=100):
    f = Fails()
    s = udp_socket(addr, sport)
    refl_seqs = []
    bad_aes = bytes(b ^ 0xFF for b in aes)
    bad_hmac = bytes(b ^ 0x01 for b in hkey)
    for i in range(count):
        seq = first + i
        plain, t1 = sender_packet(seq, padding)
        if fault == "wrong-hmac":
            pkt = seal(mode, aes, bad_hmac, plain, False)
        elif fault == "wrong-aes":
            pkt = seal(mode, bad_aes, hkey, plain, False)
        else:
            pkt = seal(mode, aes, hkey, plain, False)
        if fault == "short":
            pkt = pkt[:SENDER_HDR - 1]
        s.sendto(pkt, (addr, port))
        data, _ = recv(s, 1.0 if not fault else 0.3)
        if fault:
            f.check(data is None, "packet %d (%s) got a reply" % (i, fault))
            continue
        if not f.check(data is not None, "no reply to packet %d" % i):
            continue
        want_len = max(len(pkt), REFL_HDR)
        f.check(len(data) == want_len, "reply %d is %d octets, want %d" %
                (i, len(data), want_len))
        # the padding is in clear, outside what the HMAC covers
        f.check(data[REFL_HDR:] == plain[SENDER_HDR:SENDER_HDR +
                                         len(data) - REFL_HDR],
                "reply %d: not the first octets of the sender's padding" % i)
        r = unseal(mode, aes, hkey, data, True)
        if not f.check(r is not None, "reply %d: HMAC does not verify" % i):
            continue
        (rseq, t3s, t3f, ee, t2s, t2f, sseq, t1s, t1f, see,
         ttl) = struct.unpack("!I12xIIH6xII8xI12xIIH6xB", r[:81])
        refl_seqs.append(rseq)
        f.check(sseq == seq, "reply %d: sender sequence %d" % (i, sseq))
        f.check((t1s, t1f) == t1, "reply %d: T1 not returned" % i)
        f.check(see == 0x0101, "reply %d: sender error estimate %#x" %
                (i, see))
        f.check(ttl == 255, "reply %d: sender TTL %d" % (i, ttl))
        f.check(ee & 0xFF != 0, "reply %d: error estimate multiplier 0" % i)
        t1v, t2v, t3v = (ntp_float(*t1), ntp_float(t2s, t2f),
                         ntp_float(t3s, t3f))
        f.check(t1v - 0.001 <= t2v <= t3v <= time.time() + 0.001,
                "reply %d: T1 %f T2 %f T3 %f out of order" %
                (i, t1v, t2v, t3v))
        mbz = r[4:16] + r[26:32] + r[40:48] + r[52:64] + r[74:80] + r[81:96]
        f.check(mbz == bytes(len(mbz)), "reply %d: MBZ not zero" % i)
        if mode == AUTH:
            # only block 0 is encrypted: the rest travels in clear
            f.check(data[16:96] == r[16:96],
                    "reply %d: authenticated mode encrypted past block 0" % i)
        else:
            f.check(data[16:96] != r[16:96],
                    "reply %d: octets 16-95 not encrypted" % i)
    if refl_seqs:
        print(" ".join(str(n) for n in refl_seqs))
    return 1 if f.n else 0


# --- Session-Reflector ---------------------------------------------------------


def cmd_reflect(addr, port, mode, aes, hkey, count, bad_first=False):
    f = Fails()
    s = udp_socket(addr, port)
    # the first use of the library loads it, which a slow guest takes
    # seconds over: not while the sender waits
    seal(mode, aes, hkey, bytes(REFL_HDR), True)
    print("ready", flush=True)
    refl_seq = 0
    for i in range(count):
        data, peer = recv(s, 20.0)
        if not f.check(data is not None, "request %d never came" % i):
            break
        sec, frac = ntp_now()
        f.check(len(data) == SENDER_HDR + 64,
                "request %d is %d octets, want 48 + 64 of padding" %
                (i, len(data)))
        r = unseal(mode, aes, hkey, data, False)
        if not f.check(r is not None, "request %d: HMAC does not verify" % i):
            continue
        seq, t1s, t1f, see = struct.unpack("!I12xIIH", r[:26])
        f.check(seq == i, "request %d: sequence %d" % (i, seq))
        f.check(see & 0xFF != 0, "request %d: multiplier 0" % i)
        f.check(r[4:16] == bytes(12) and r[26:32] == bytes(6),
                "request %d: MBZ not zero" % i)
        f.check(data[SENDER_HDR:] == bytes(len(data) - SENDER_HDR),
                "request %d: padding not zero" % i)
        if mode == ENCRYPT:
            f.check(data[16:32] != r[16:32],
                    "request %d: octets 16-31 not encrypted" % i)
        t3s, t3f = ntp_now()
        reply = struct.pack("!I12xIIH6xII8xI12xIIH6xB15x", refl_seq, t3s, t3f,
                            0x0001, sec, frac, seq, t1s, t1f, see, 255)
        reply += bytes(16)
        pad = data[SENDER_HDR:SENDER_HDR + max(0, len(data) - REFL_HDR)]
        if bad_first:
            s.sendto(seal(mode, aes, bytes(32), reply, True) + pad, peer)
        s.sendto(seal(mode, aes, hkey, reply, True) + pad, peer)
        refl_seq += 1
    return 1 if f.n else 0


# --- generic netlink -------------------------------------------------------------

NETLINK_GENERIC = 16
NETLINK_CAP_ACK = 10
NETLINK_EXT_ACK = 11
GENL_ID_CTRL = 16
NLM_F_REQUEST, NLM_F_ACK, NLM_F_DUMP = 1, 4, 0x300
NLMSG_ERROR, NLMSG_DONE = 2, 3
NLM_F_ACK_TLVS = 0x200
NLMSGERR_ATTR_MSG = 1
NLA_F_NESTED = 0x8000

# uapi/linux/twamp.h
CMD_REFLECTOR_NEW, CMD_REFLECTOR_GET = 4, 6
CMD_SESSION_NEW, CMD_SESSION_GET = 7, 9
CMD_SENDER_NEW, CMD_SENDER_START, CMD_SENDER_DEL, CMD_SENDER_GET = (
    10, 11, 13, 14)
A_REFLECTOR, A_SESSION, A_SENDER = 3, 4, 5
REFLECTOR_ID, REFLECTOR_PORT, REFLECTOR_SESSIONS_ONLY, REFLECTOR_BIND = (
    1, 5, 13, 14)
SESSION_ID, SESSION_REFLECTOR_ID, SESSION_PEER_IPV4, SESSION_PEER_IPV6 = (
    1, 2, 3, 4)
SESSION_PEER_PORT, SESSION_BIND = 5, 15
SESSION_SECURITY, SESSION_AES_KEY, SESSION_HMAC_KEY = 17, 18, 19
SENDER_ID, SENDER_LOCAL_PORT = 1, 5
SENDER_REMOTE_IPV4, SENDER_REMOTE_IPV6, SENDER_REMOTE_PORT = 6, 7, 8
SENDER_FORMAT, SENDER_COUNT, SENDER_INTERVAL, SENDER_WAIT = 9, 15, 17, 21
SENDER_SECURITY, SENDER_AES_KEY, SENDER_HMAC_KEY = 23, 25, 26
SENDER_STATE, SENDER_STATS = 27, 28
SENDER_DONE = 3
STATS_SENT, STATS_RECEIVED, STATS_LOST, STATS_RTT_MIN = 2, 3, 4, 12
STATS_AUTH_FAILED = 31


def attr(typ, payload):
    pad = (4 - len(payload) % 4) % 4
    return struct.pack("=HH", 4 + len(payload), typ) + payload + bytes(pad)


def attrs(buf):
    out = {}
    while len(buf) >= 4:
        ln, typ = struct.unpack("=HH", buf[:4])
        if ln < 4:
            break
        out[typ & 0x3FFF] = buf[4:ln]
        buf = buf[(ln + 3) & ~3:]
    return out


def u32(v):
    return struct.unpack("=I", v[:4])[0]


def u64(v):
    return struct.unpack("=Q", v[:8])[0]


class NlError(Exception):
    pass


class Genl:
    def __init__(self):
        self.sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW,
                                  NETLINK_GENERIC)
        self.sock.setsockopt(270, NETLINK_EXT_ACK, 1)
        self.sock.setsockopt(270, NETLINK_CAP_ACK, 1)
        self.sock.bind((0, 0))
        self.seq = 1
        self.fam = None
        self.raw = []
        self.fam = self.family(b"twamp")

    def close(self):
        self.sock.close()

    def request(self, family, cmd, payload, flags=NLM_F_ACK):
        self.seq += 1
        body = struct.pack("=BBH", cmd, 1, 0) + payload
        self.sock.send(struct.pack("=IHHII", 16 + len(body), family,
                                   NLM_F_REQUEST | flags, self.seq, 0) + body)
        replies = []
        while True:
            data = self.sock.recv(1 << 20)
            while data:
                ln, typ, fl, _, _ = struct.unpack("=IHHII", data[:16])
                msg = data[:ln]
                data = data[(ln + 3) & ~3:]
                if typ == NLMSG_ERROR:
                    err, = struct.unpack("=i", msg[16:20])
                    if err:
                        text = os.strerror(-err)
                        if fl & NLM_F_ACK_TLVS:
                            t = attrs(msg[36:]).get(NLMSGERR_ATTR_MSG)
                            if t:
                                text = t.rstrip(b"\0").decode() + ": " + text
                        raise NlError(text)
                    return replies
                if typ == NLMSG_DONE:
                    return replies
                self.raw.append(msg)
                replies.append(attrs(msg[20:]))

    def family(self, name):
        reply = self.request(GENL_ID_CTRL, 3, attr(2, name + b"\0"))
        return struct.unpack("=H", reply[0][1][:2])[0]

    def cmd(self, cmd, top, nest, flags=NLM_F_ACK):
        return self.request(self.fam, cmd,
                            attr(top | NLA_F_NESTED, nest) if nest else b"",
                            flags)

    def dump(self, cmd):
        return self.cmd(cmd, 0, b"", NLM_F_DUMP)


def addr_attr(v4, v6, addr):
    if ":" in addr:
        return attr(v6, socket.inet_pton(socket.AF_INET6, addr))
    return attr(v4, socket.inet_aton(addr))


def opt_attrs(opts, security, aes_a, hmac_a, extra=None):
    out = b""
    for o in opts:
        k, v = o.split("=", 1)
        if k == "security":
            out += attr(security, struct.pack("B", int(v)))
        elif k == "aes":
            out += attr(aes_a, bytes.fromhex(v))
        elif k == "hmac":
            out += attr(hmac_a, bytes.fromhex(v))
        elif extra and k in extra:
            out += attr(extra[k], struct.pack("B", int(v)))
        else:
            raise ValueError(o)
    return out


def session_nest(refl, peer, port, opts):
    return (attr(SESSION_REFLECTOR_ID, struct.pack("=I", refl)) +
            addr_attr(SESSION_PEER_IPV4, SESSION_PEER_IPV6, peer) +
            attr(SESSION_PEER_PORT, struct.pack("=H", port)) +
            opt_attrs(opts, SESSION_SECURITY, SESSION_AES_KEY,
                      SESSION_HMAC_KEY))


def mode_opts(mode, aes, hkey):
    m = MODES[mode]
    if not m:
        return ["security=0"]
    return ["security=%d" % m, "aes=" + aes.hex(), "hmac=" + hkey.hex()]


def cmd_session_add(refl, peer, port, opts):
    nl = Genl()
    try:
        r = nl.cmd(CMD_SESSION_NEW, A_SESSION,
                   session_nest(refl, peer, port, opts))
    except NlError as e:
        print(e)
        return 1
    print(u32(attrs(r[0][A_SESSION])[SESSION_ID]))
    return 0


def sender_nest(remote, port, lport, opts):
    n = addr_attr(SENDER_REMOTE_IPV4, SENDER_REMOTE_IPV6, remote)
    if port:
        n += attr(SENDER_REMOTE_PORT, struct.pack("=H", port))
    if lport:
        n += attr(SENDER_LOCAL_PORT, struct.pack("=H", lport))
    return n + opt_attrs(opts, SENDER_SECURITY, SENDER_AES_KEY,
                         SENDER_HMAC_KEY, {"format": SENDER_FORMAT})


def cmd_sender_add_raw(remote, opts):
    nl = Genl()
    keep = "keep" in opts
    opts = [o for o in opts if o != "keep"]
    try:
        r = nl.cmd(CMD_SENDER_NEW, A_SENDER, sender_nest(remote, 0, 0, opts))
    except NlError as e:
        print(e)
        return 1
    sid = u32(attrs(r[0][A_SENDER])[SENDER_ID])
    if not keep:
        nl.cmd(CMD_SENDER_DEL, A_SENDER,
               attr(SENDER_ID, struct.pack("=I", sid)))
    print(sid)
    return 0


def cmd_sender_run(remote, port, lport, mode, aes, hkey, count):
    nl = Genl()
    n = sender_nest(remote, port, lport, mode_opts(mode, aes, hkey))
    n += attr(SENDER_COUNT, struct.pack("=I", count))
    n += attr(SENDER_INTERVAL, struct.pack("=Q", 100 * 1000 * 1000))
    n += attr(SENDER_WAIT, struct.pack("=Q", 5 * 1000 * 1000 * 1000))
    r = nl.cmd(CMD_SENDER_NEW, A_SENDER, n)
    sid = attr(SENDER_ID, attrs(r[0][A_SENDER])[SENDER_ID][:4])
    nl.cmd(CMD_SENDER_START, A_SENDER, sid)
    deadline = time.time() + 60
    while True:
        s = attrs(nl.cmd(CMD_SENDER_GET, A_SENDER, sid)[0][A_SENDER])
        if s[SENDER_STATE][0] == SENDER_DONE or time.time() > deadline:
            break
        time.sleep(0.2)
    nl.cmd(CMD_SENDER_DEL, A_SENDER, sid)
    st = attrs(s[SENDER_STATS])
    rtt = u64(st[STATS_RTT_MIN]) if STATS_RTT_MIN in st else 0
    print(u64(st[STATS_SENT]), u64(st[STATS_RECEIVED]), u64(st[STATS_LOST]),
          u64(st[STATS_AUTH_FAILED]), int(0 < rtt < (1 << 62)))
    return 0


def cmd_dump_has_no(secrets):
    nl = Genl()
    nl.raw = []
    n = 0
    for c in (CMD_REFLECTOR_GET, CMD_SESSION_GET, CMD_SENDER_GET):
        n += len(nl.dump(c))
    found = [h for h in secrets for m in nl.raw if bytes.fromhex(h) in m]
    if found:
        print("# FAIL: key material in a dump:", " ".join(found))
        return 1
    if not n:
        print("# FAIL: the dumps were empty")
        return 1
    return 0


def listed(nl, cmd, top, key, ident):
    return any(u32(attrs(m[top])[key]) == ident for m in nl.dump(cmd))


def cmd_reflector_bind(port, peer, pport, mode, aes, hkey, probe):
    f = Fails()
    owner = Genl()
    r = owner.cmd(CMD_REFLECTOR_NEW, A_REFLECTOR,
                  attr(REFLECTOR_PORT, struct.pack("=H", port)) +
                  attr(REFLECTOR_SESSIONS_ONLY, b"") +
                  attr(REFLECTOR_BIND, b""))
    ra = attrs(r[0][A_REFLECTOR])
    rid = u32(ra[REFLECTOR_ID])
    f.check(REFLECTOR_BIND in ra, "BIND not reported for the reflector")
    r = owner.cmd(CMD_SESSION_NEW, A_SESSION,
                  session_nest(rid, peer, pport, mode_opts(mode, aes, hkey)) +
                  attr(SESSION_BIND, b""))
    sid = u32(attrs(r[0][A_SESSION])[SESSION_ID])
    other = Genl()
    f.check(listed(other, CMD_REFLECTOR_GET, A_REFLECTOR, REFLECTOR_ID, rid),
            "bound reflector not listed")
    f.check(listed(other, CMD_SESSION_GET, A_SESSION, SESSION_ID, sid),
            "bound session not listed")
    # a probe (a command of the caller's) still gets its reply
    if probe:
        f.check(subprocess.call(probe) == 0,
                "no valid reply from the bound reflector's session")
    owner.close()
    for _ in range(50):
        if not listed(other, CMD_REFLECTOR_GET, A_REFLECTOR, REFLECTOR_ID,
                      rid):
            break
        time.sleep(0.1)
    f.check(not listed(other, CMD_REFLECTOR_GET, A_REFLECTOR, REFLECTOR_ID,
                       rid), "reflector still listed after its socket closed")
    f.check(not listed(other, CMD_SESSION_GET, A_SESSION, SESSION_ID, sid),
            "session still listed after its socket closed")
    return 1 if f.n else 0


def main(argv):
    cmd, a = argv[1], argv[2:]
    if cmd == "send":
        # optional: a fault, and seq=N, the first Sender Sequence Number
        # (a session's reflector drops numbers it has seen: replays)
        opt = dict(x.split("=", 1) for x in a[8:] if "=" in x)
        fault = [x for x in a[8:] if "=" not in x]
        return cmd_send(a[0], int(a[1]), int(a[2]), MODES[a[3]],
                        bytes.fromhex(a[4]), bytes.fromhex(a[5]), int(a[6]),
                        int(a[7]), fault[0] if fault else None,
                        int(opt.get("seq", 100)))
    if cmd == "reflect":
        return cmd_reflect(a[0], int(a[1]), MODES[a[2]], bytes.fromhex(a[3]),
                           bytes.fromhex(a[4]), int(a[5]),
                           len(a) > 6 and a[6] == "bad-first")
    if cmd == "session-add":
        return cmd_session_add(int(a[0]), a[1], int(a[2]),
                               mode_opts(a[3], bytes.fromhex(a[4]),
                                         bytes.fromhex(a[5])))
    if cmd == "session-add-raw":
        return cmd_session_add(int(a[0]), a[1], int(a[2]), a[3:])
    if cmd == "sender-add-raw":
        return cmd_sender_add_raw(a[0], a[1:])
    if cmd == "sender-run":
        return cmd_sender_run(a[0], int(a[1]), int(a[2]), a[3],
                              bytes.fromhex(a[4]), bytes.fromhex(a[5]),
                              int(a[6]))
    if cmd == "dump-has-no":
        return cmd_dump_has_no(a)
    if cmd == "reflector-bind":
        return cmd_reflector_bind(int(a[0]), a[1], int(a[2]), a[3],
                                  bytes.fromhex(a[4]), bytes.fromhex(a[5]),
                                  a[7:] if len(a) > 6 and a[6] == "--"
                                  else None)
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
