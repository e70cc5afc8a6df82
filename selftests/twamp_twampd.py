#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""TWAMP-Control client checks of twamp_twampd.sh, one per subcommand.

Each check talks to twampd over TCP exactly as a Control-Client would,
with the stdlib only (the `cryptography` package only for the
authenticated, encrypted and mixed success paths), prints "# ..." lines
explaining a failure and exits 0 on success, 1 on failure.

Environment:
  TWAMPD_SRV4, TWAMPD_SRV6   the server's addresses
  TWAMPD_CTL                 command prefix running twamp-ctl next to twampd
                             (e.g. "ip netns exec NS build/san/twamp-ctl")
  TWAMPD_SRV_EXEC            command prefix running a command next to twampd
                             (e.g. "ip netns exec NS")
"""

import json
import os
import shlex
import signal
import socket
import struct
import subprocess
import sys
import time

SRV4 = os.environ.get("TWAMPD_SRV4", "127.0.0.1")
SRV6 = os.environ.get("TWAMPD_SRV6", "::1")
CTL = shlex.split(os.environ.get("TWAMPD_CTL", "twamp-ctl"))

NTP_OFFSET = 2208988800
MODE_OPEN, MODE_AUTH, MODE_ENCRYPT, MODE_MIXED = 1, 2, 4, 8


class Fail(Exception):
    pass


def check(cond, msg):
    if not cond:
        raise Fail(msg)


def log(msg):
    print("# " + msg, flush=True)


def ntp_now():
    t = time.time()
    return (int(t) + NTP_OFFSET) << 32 | int((t % 1) * (1 << 32))


def recv_exact(s, n, timeout=10.0):
    s.settimeout(timeout)
    buf = b""
    while len(buf) < n:
        try:
            chunk = s.recv(n - len(buf))
        except socket.timeout:
            raise Fail("timed out after %d of %d octets" % (len(buf), n))
        except ConnectionResetError:
            raise Fail("connection reset after %d of %d octets" %
                       (len(buf), n))
        if not chunk:
            raise Fail("connection closed after %d of %d octets" %
                       (len(buf), n))
        buf += chunk
    return buf


def wait_closed(s, timeout=10.0):
    """True when the server closes the connection within @timeout."""
    s.settimeout(timeout)
    end = time.time() + timeout
    try:
        while time.time() < end:
            if not s.recv(4096):
                return True
    except socket.timeout:
        return False
    except ConnectionResetError:
        return True
    return False


def connect(port, v6=False, src=None):
    fam = socket.AF_INET6 if v6 else socket.AF_INET
    s = socket.socket(fam, socket.SOCK_STREAM)
    if src:
        s.bind((src, 0))
    s.settimeout(10)
    s.connect((SRV6 if v6 else SRV4, port))
    return s


def greeting(s):
    g = recv_exact(s, 64)
    modes, = struct.unpack("!I", g[12:16])
    count, = struct.unpack("!I", g[48:52])
    return {"modes": modes, "challenge": g[16:32], "salt": g[32:48],
            "count": count}


class Crypto:
    """Control-connection crypto of RFC 4656 3.1 / RFC 5357 3.2."""

    def __init__(self, secret, g):
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC
        self.aes_key = os.urandom(16)
        self.hmac_key = os.urandom(32)
        kdf = PBKDF2HMAC(algorithm=hashes.SHA1(), length=16, salt=g["salt"],
                         iterations=g["count"])
        k = kdf.derive(secret)
        self.token = self.cbc(k, bytes(16), True,
                              g["challenge"] + self.aes_key + self.hmac_key)
        self.client_iv = os.urandom(16)
        self.tx_iv = self.client_iv
        self.rx_iv = None
        self.tx_mac = b""

    @staticmethod
    def cbc(key, iv, enc, data):
        from cryptography.hazmat.primitives.ciphers import (Cipher,
                                                            algorithms, modes)
        c = Cipher(algorithms.AES(key), modes.CBC(iv))
        op = c.encryptor() if enc else c.decryptor()
        return op.update(data) + op.finalize()

    def hmac(self, data):
        from cryptography.hazmat.primitives import hashes, hmac
        h = hmac.HMAC(self.hmac_key, hashes.SHA1())
        h.update(data)
        return h.finalize()[:16]

    def seal(self, msg):
        """Fill the trailing HMAC of a command and encrypt it."""
        body = msg[:-16]
        out = self.cbc(self.aes_key, self.tx_iv, True,
                       body + self.hmac(body))
        self.tx_iv = out[-16:]
        return out

    def open(self, data):
        out = self.cbc(self.aes_key, self.rx_iv, False, data)
        self.rx_iv = data[-16:]
        return out


class Client:
    """One control connection, up to Server-Start."""

    def __init__(self, port, mode=MODE_OPEN, v6=False, src=None, keyid=None,
                 secret=None, token=None):
        self.s = connect(port, v6, src)
        self.g = greeting(self.s)
        self.crypto = None
        if not self.g["modes"]:
            self.accept = None
            return
        kid = (keyid or "").encode().ljust(80, b"\0")
        tok = token if token is not None else bytes(64)
        iv = bytes(16)
        if mode & (MODE_AUTH | MODE_ENCRYPT | MODE_MIXED) and secret:
            self.crypto = Crypto(secret, self.g)
            tok = self.crypto.token
            iv = self.crypto.client_iv
        elif mode & (MODE_AUTH | MODE_ENCRYPT | MODE_MIXED):
            iv = os.urandom(16)
        self.s.sendall(struct.pack("!I", mode) + kid + tok + iv)
        ss = recv_exact(self.s, 48)
        self.accept = ss[15]
        if self.crypto and self.accept == 0:
            self.crypto.rx_iv = ss[16:32]
            self.crypto.open(ss[32:48])

    def send(self, msg):
        if self.crypto:
            msg = self.crypto.seal(msg)
        self.s.sendall(msg)

    def recv(self, n):
        data = recv_exact(self.s, n)
        return self.crypto.open(data) if self.crypto else data

    def request(self, sport, rport=0, padding=30, dscp=0, timeout=1.0,
                v6=False, sender=None, reflect=None, receiver=None):
        fam = socket.AF_INET6 if v6 else socket.AF_INET
        addr = bytes(16)
        raddr = bytes(16)
        if sender:
            addr = socket.inet_pton(fam, sender).ljust(16, b"\0")
        if receiver:
            raddr = socket.inet_pton(fam, receiver).ljust(16, b"\0")
        tout = int(timeout * (1 << 32))
        # RFC 6038: Octets to be reflected, Length of padding to reflect
        extra = struct.pack("!HH4s", *reflect, bytes(4)) if reflect else \
            bytes(8)
        msg = struct.pack("!BBBBIIHH16s16s16sIQQI8s16s", 5, 6 if v6 else 4,
                          0, 0, 0, 0, sport, rport, addr, raddr,
                          bytes(16), padding, ntp_now(), tout, dscp << 24,
                          extra, bytes(16))
        self.send(msg)
        a = self.recv(48)
        self.last_accept = a
        return a[0], struct.unpack("!H", a[2:4])[0], a[4:20]

    def start_n(self, cmd, sids):
        """Start-N-Sessions (7) or Stop-N-Sessions (9): the Ack's Accept."""
        self.send(bytes([cmd]) + bytes(11) + struct.pack("!I", len(sids)) +
                  b"".join(sids) + bytes(16))
        ack = self.recv(32 + 16 * len(sids))
        check(ack[0] == cmd + 1, "command %d answered by %d" % (cmd, ack[0]))
        check(ack[16:16 + 16 * len(sids)] == b"".join(sids),
              "the Ack names other SIDs")
        return ack[1]

    def start(self):
        self.send(bytes([2]) + bytes(31))
        return self.recv(32)[0]

    def stop(self, n):
        self.send(struct.pack("!BBHI8s16s", 3, 0, 0, n, bytes(8),
                              bytes(16)))

    def close(self):
        self.s.close()


def ctl(*args):
    out = subprocess.run(CTL + list(args), capture_output=True, text=True)
    if out.returncode:
        raise Fail("twamp-ctl %s: %s" % (" ".join(args), out.stderr.strip()))
    return out.stdout


def kernel_sessions():
    return json.loads(ctl("session", "show", "-j"))


def kernel_reflectors():
    return json.loads(ctl("reflector", "show", "-j"))


def wait_for(pred, timeout=5.0):
    end = time.time() + timeout
    while True:
        if pred():
            return True
        if time.time() > end:
            return False
        time.sleep(0.2)


def probe(addr, port, sport, count=3, v6=False):
    """Send open TWAMP-Test packets, return the replies' sender sequences."""
    fam = socket.AF_INET6 if v6 else socket.AF_INET
    s = socket.socket(fam, socket.SOCK_DGRAM)
    s.bind(("", sport))
    s.settimeout(1.0)
    seqs = []
    for i in range(count):
        pkt = struct.pack("!IQH", 100 + i, ntp_now(), 0x12A4) + bytes(30)
        s.sendto(pkt, (addr, port))
        try:
            data = s.recv(2048)
        except socket.timeout:
            continue
        if len(data) >= 28:
            seqs.append(struct.unpack("!I", data[24:28])[0])
    s.close()
    return seqs


# --- checks -------------------------------------------------------------


def t_greeting(port, modes):
    port = int(port)
    for v6 in (False, True):
        s = connect(port, v6)
        g = greeting(s)
        fam = "IPv6" if v6 else "IPv4"
        check(g["modes"] == int(modes),
              "%s: Modes %d, expected %s" % (fam, g["modes"], modes))
        c = g["count"]
        check(c >= 1024 and c & (c - 1) == 0,
              "%s: Count %d is not a power of 2 >= 1024" % (fam, c))
        check(g["challenge"] != bytes(16), "%s: zero Challenge" % fam)
        s.close()


def t_open(port, sport, v6="0"):
    v6 = v6 == "1"
    me = os.environ["TWAMPD_CLI6" if v6 else "TWAMPD_CLI4"]
    c = Client(int(port), v6=v6)
    check(c.accept == 0, "Server-Start Accept %s" % c.accept)
    acc, rport, sid = c.request(int(sport), v6=v6, dscp=10)
    check(acc == 0, "Accept-Session Accept %d" % acc)
    check(rport != 0 and sid != bytes(16), "port %d, SID %s" %
          (rport, sid.hex()))
    mine = [x for x in kernel_sessions() if x["peer_port"] == int(sport)]
    check(len(mine) == 1, "kernel sessions for port %s: %s" % (sport, mine))
    check(mine[0]["peer"] == me and mine[0]["local_port"] == rport,
          "kernel session %s, expected peer %s, local port %d" %
          (mine[0], me, rport))
    check(mine[0]["dscp"] == 10 and mine[0]["bound"] is True and
          mine[0]["security"] == "open" and
          mine[0]["refwait_ms"] == int(os.environ.get("TWAMPD_REFWAIT",
                                                      "900")) * 1000,
          "kernel session %s: expected DSCP 10 from Type-P, bound, open, "
          "REFWAIT" % mine[0])
    check(c.start() == 0, "Start-Ack Accept != 0")
    seqs = probe(SRV6 if v6 else SRV4, rport, int(sport), 3, v6)
    check(seqs == [100, 101, 102], "replies to sequence numbers %s" % seqs)
    c.close()
    check(wait_for(lambda: not [x for x in kernel_sessions()
                                if x["peer_port"] == int(sport)]),
          "the kernel session is still there after the connection closed")


def t_individual(port, sport):
    """Individual Session Control (RFC 5938): one session of two stopped."""
    sport = int(sport)
    c = Client(int(port), mode=MODE_OPEN | 16)
    check(c.accept == 0, "Server-Start Accept %s" % c.accept)
    acc1, port1, sid1 = c.request(sport, timeout=0.5)
    acc2, port2, sid2 = c.request(sport + 1, timeout=0.5)
    check(acc1 == 0 and acc2 == 0, "Accept-Session %d, %d" % (acc1, acc2))
    check(c.start_n(7, [sid1, sid2]) == 0, "Start-N-Ack Accept != 0")
    check(probe(SRV4, port1, sport, 1) == [100], "session 1 not reflecting")
    check(c.start_n(9, [sid1]) == 0, "Stop-N-Ack Accept != 0")

    def ports():
        return {x["peer_port"] for x in kernel_sessions()}

    check(wait_for(lambda: sport not in ports(), 8.0),
          "the stopped session is still there")
    check(sport + 1 in ports(), "the other session went too")
    check(probe(SRV4, port2, sport + 1, 1) == [100],
          "session 2 not reflecting after session 1 stopped")
    c.close()


def t_reflect_octets(port, sport):
    """RFC 6038: the octets and the length to reflect reach the kernel."""
    c = Client(int(port), mode=MODE_OPEN | 32)
    check(c.accept == 0, "Server-Start Accept %s" % c.accept)
    acc, rport, _ = c.request(int(sport), padding=30, reflect=(0xbeef, 4))
    check(acc == 0, "Accept-Session Accept %d" % acc)
    got, = struct.unpack("!H", c.last_accept[20:22])
    check(got == 0xbeef, "Reflected octets 0x%04x, sent 0xbeef" % got)
    mine = [x for x in kernel_sessions() if x["peer_port"] == int(sport)]
    check(mine and mine[0]["reflect_len"] == 4,
          "kernel session %s, expected reflect_len 4" % mine)
    c.close()


def t_stop(port, sport):
    c = Client(int(port))
    acc, rport, sid = c.request(int(sport), timeout=5.0)
    check(acc == 0, "Accept-Session Accept %d" % acc)
    check(c.start() == 0, "Start-Ack Accept != 0")
    c.stop(1)
    t0 = time.time()
    seqs = probe(SRV4, rport, int(sport), 2)
    check(seqs, "no reflection during the Timeout after Stop-Sessions")

    def present():
        return [x for x in kernel_sessions() if x["peer_port"] == int(sport)]

    check(present() or time.time() - t0 > 5,
          "the session went before its Timeout (5 s)")
    check(wait_for(lambda: not present(), 12.0),
          "the session is still there 12 s after a 5 s Timeout")
    # the connection itself is still usable
    acc, rport, sid = c.request(int(sport) + 1)
    check(acc == 0, "a new request after Stop: Accept %d" % acc)
    c.close()


def t_unsupported(port, mode):
    c = Client(int(port), mode=int(mode), keyid="k1")
    check(c.accept not in (None, 0),
          "mode %s not offered, yet Server-Start Accept %s" % (mode, c.accept))
    check(wait_closed(c.s), "connection not closed after Accept != 0")


def t_wrong_key(port, mode, keyid, secret):
    # an unknown KeyID
    c = Client(int(port), mode=int(mode), keyid="nosuchkey",
               token=os.urandom(64))
    check(c.accept not in (None, 0),
          "unknown KeyID, yet Server-Start Accept %s" % c.accept)
    check(wait_closed(c.s), "connection not closed after Accept != 0")
    # the right KeyID with a wrong secret: the Challenge does not match
    try:
        c = Client(int(port), mode=int(mode), keyid=keyid,
                   secret=bytes.fromhex(secret) + b"x")
    except ImportError:
        c = Client(int(port), mode=int(mode), keyid=keyid,
                   token=os.urandom(64))
    check(c.accept not in (None, 0),
          "wrong secret, yet Server-Start Accept %s" % c.accept)
    check(wait_closed(c.s), "connection not closed after Accept != 0")


def t_secure(port, mode, keyid, secret, sport, kernel="1"):
    c = Client(int(port), mode=int(mode), keyid=keyid,
               secret=bytes.fromhex(secret))
    check(c.accept == 0, "mode %s: Server-Start Accept %s" % (mode, c.accept))
    acc, rport, sid = c.request(int(sport))
    check(acc == 0, "Accept-Session Accept %d" % acc)
    check(rport != 0, "port 0")
    if kernel == "1":
        mine = [x for x in kernel_sessions() if x["peer_port"] == int(sport)]
        sec = {MODE_AUTH: "auth", MODE_ENCRYPT: "encrypt"}.get(int(mode),
                                                              "open")
        check(mine and mine[0]["security"] == sec,
              "kernel session %s, expected security %s" % (mine, sec))
    check(c.start() == 0, "Start-Ack Accept != 0")
    c.stop(1)
    c.close()


def t_malformed(port):
    c = Client(int(port))
    check(c.accept == 0, "Server-Start Accept %s" % c.accept)
    c.s.sendall(bytes([99]) + bytes(31))
    check(wait_closed(c.s), "connection not closed after command 99")
    c = Client(int(port))
    check(c.accept == 0, "second client: Server-Start Accept %s" % c.accept)
    c.s.sendall(struct.pack("!BBHI8s16s", 3, 0, 0, 7, bytes(8), bytes(16)))
    check(wait_closed(c.s),
          "connection not closed after Stop-Sessions with a wrong count")
    c = Client(int(port))
    acc, _, _ = c.request(7000)
    check(acc == 0, "third client: Accept-Session Accept %d" % acc)
    c.close()


def t_silent(port):
    silent = connect(int(port))
    half = connect(int(port))
    greeting(half)
    half.sendall(bytes(50))          # a third of a Set-Up-Response
    t0 = time.time()
    c = Client(int(port))
    acc, rport, _ = c.request(7100)
    took = time.time() - t0
    check(acc == 0, "Accept-Session Accept %d" % acc)
    check(took < 3, "the second client took %.1f s" % took)
    c.close()
    silent.close()
    half.close()


def t_max_sessions(port, n):
    c = Client(int(port))
    for i in range(int(n)):
        acc, _, _ = c.request(7200 + i)
        check(acc == 0, "session %d of %s: Accept %d" % (i + 1, n, acc))
    acc, rport, _ = c.request(7200 + int(n))
    check(acc != 0, "session %d accepted beyond max-sessions %s" %
          (int(n) + 1, n))
    check(rport == 0, "a refused session has port %d" % rport)
    c.close()


def t_acl(port, bad_src, good_src):
    s = connect(int(port), src=bad_src)
    g = greeting(s)
    check(g["modes"] == 0, "client %s not allowed, yet Modes %d" %
          (bad_src, g["modes"]))
    check(wait_closed(s), "connection from %s not closed" % bad_src)
    s = connect(int(port), src=good_src)
    g = greeting(s)
    check(g["modes"] != 0, "allowed client %s got Modes 0" % good_src)
    s.close()


def t_max_conns(port, n):
    held = [Client(int(port)) for _ in range(int(n))]
    for c in held:
        check(c.accept == 0, "connection within max-conns refused")
    s = connect(int(port))
    g = greeting(s)
    check(g["modes"] == 0, "connection beyond max-conns got Modes %d" %
          g["modes"])
    check(wait_closed(s), "connection beyond max-conns not closed")
    for c in held:
        c.close()
    time.sleep(0.5)
    c = Client(int(port))
    check(c.accept == 0, "a connection after the others closed refused")
    c.close()


def t_servwait(port, secs):
    c = Client(int(port))
    check(c.accept == 0, "Server-Start Accept %s" % c.accept)
    t0 = time.time()
    check(wait_closed(c.s, float(secs) + 5),
          "idle connection still open %s s after SERVWAIT" % (int(secs) + 5))
    took = time.time() - t0
    check(took >= float(secs) - 0.5, "closed after %.1f s, SERVWAIT is %s" %
          (took, secs))
    # testing pauses SERVWAIT
    c = Client(int(port))
    acc, _, _ = c.request(7300, timeout=0.5)
    check(acc == 0 and c.start() == 0, "request/start refused")
    check(not wait_closed(c.s, float(secs) + 1.5),
          "connection closed by SERVWAIT while testing")
    c.stop(1)
    check(wait_closed(c.s, float(secs) + 5),
          "SERVWAIT did not resume after Stop-Sessions")


def t_refwait(port, sport):
    """REFWAIT ends a silent session, then SERVWAIT the connection."""
    c = Client(int(port))
    acc, rport, _ = c.request(int(sport))
    check(acc == 0 and c.start() == 0, "request/start refused")
    check(probe(SRV4, rport, int(sport), 1) == [100], "not reflecting")
    t0 = time.time()
    check(wait_closed(c.s, 20.0),
          "connection still open 20 s after its only session went silent")
    log("closed %.1f s after the last test packet" % (time.time() - t0))
    check(not [x for x in kernel_sessions() if x["peer_port"] == int(sport)],
          "the expired session is still in the kernel")


def t_kill(port, sport, pid):
    c = Client(int(port))
    acc, rport, _ = c.request(int(sport))
    check(acc == 0, "Accept-Session Accept %d" % acc)
    check(c.start() == 0, "Start-Ack Accept != 0")
    check([x for x in kernel_sessions() if x["peer_port"] == int(sport)],
          "no kernel session before the kill")
    os.kill(int(pid), signal.SIGKILL)
    check(wait_closed(c.s), "control connection still open after SIGKILL")
    check(wait_for(lambda: not kernel_sessions()),
          "kernel sessions left after SIGKILL: %s" % kernel_sessions())


def t_hold(port, sport, secs):
    """A started session on a connection held open for @secs."""
    c = Client(int(port))
    acc, _, _ = c.request(int(sport))
    check(acc == 0, "Accept-Session Accept %d" % acc)
    check(c.start() == 0, "Start-Ack Accept != 0")
    print("ready", flush=True)
    wait_closed(c.s, float(secs))
    c.close()


def t_reflectors_gone():
    check(wait_for(lambda: not kernel_reflectors()),
          "kernel reflectors left: %s" % kernel_reflectors())


def t_user(port, sport):
    c = Client(int(port))
    check(c.accept == 0, "Server-Start Accept %s" % c.accept)
    acc, rport, sid = c.request(int(sport))
    check(acc == 0, "Accept-Session Accept %d" % acc)
    check(rport != 0, "port 0")
    check(c.start() == 0, "Start-Ack Accept != 0")
    seqs = probe(SRV4, rport, int(sport), 3)
    check(seqs == [100, 101, 102], "replies to sequence numbers %s" % seqs)
    other = probe(SRV4, rport, int(sport) + 1, 1)
    check(other == [], "a sender on another port was reflected")
    c.stop(1)
    c.close()


def srv_exec(*args):
    """Run a command in the server's namespace: its standard output."""
    pre = shlex.split(os.environ.get("TWAMPD_SRV_EXEC", ""))
    out = subprocess.run(pre + list(args), capture_output=True, text=True)
    if out.returncode:
        raise Fail("%s: %s" % (" ".join(args), out.stderr.strip()))
    return out.stdout


def udp_ports():
    """The UDP ports bound in the server's namespace (kernel sockets too)."""
    ports = set()
    for line in srv_exec("ss", "-Huln").splitlines():
        f = line.split()
        if len(f) >= 4:
            ports.add(int(f[3].rsplit(":", 1)[1]))
    return ports


def t_sender(port, sport, addr, expect, v6="0"):
    """A session whose Sender Address is @addr ("0": zero) gets @expect.

    The attack of issue 12: a client names another host (the victim) as
    the Sender Address and forges it as the source of its test packets, so
    that the reflector answers to the victim. twampd must refuse it with
    Accept 1 unless allow-sender covers it, and nothing may reach the
    kernel; the client's own address, or zero, is accepted.
    """
    v6 = v6 == "1"
    sport, expect = int(sport), int(expect)
    me = os.environ["TWAMPD_CLI6" if v6 else "TWAMPD_CLI4"]
    c = Client(int(port), v6=v6)
    check(c.accept == 0, "Server-Start Accept %s" % c.accept)
    acc, rport, sid = c.request(sport, v6=v6,
                                sender=None if addr == "0" else addr)
    mine = [x for x in kernel_sessions() if x["peer_port"] == sport]
    if expect:
        check(acc == expect, "Sender Address %s from %s: Accept %d, "
              "expected %d" % (addr, me, acc, expect))
        check(rport == 0 and sid == bytes(16),
              "refused, yet port %d, SID %s" % (rport, sid.hex()))
        check(not mine, "refused, yet a kernel session: %s" % mine)
        check(not [x for x in kernel_sessions() if x["peer"] == addr],
              "a kernel session for %s" % addr)
    else:
        want = me if addr == "0" else addr
        check(acc == 0, "Sender Address %s from %s: Accept %d" %
              (addr, me, acc))
        check(len(mine) == 1 and mine[0]["peer"] == want,
              "kernel sessions %s, expected one for %s" % (mine, want))
    c.close()


def t_receiver(port, sport, addr, expect):
    """A session whose Receiver Address is @addr ("0": zero) gets @expect,
    and a reflector is bound on @addr only if it is accepted."""
    sport, expect = int(sport), int(expect)
    c = Client(int(port))
    check(c.accept == 0, "Server-Start Accept %s" % c.accept)
    acc, rport, sid = c.request(sport,
                                receiver=None if addr == "0" else addr)
    want = SRV4 if addr == "0" else addr
    if expect:
        check(acc == expect, "Receiver Address %s: Accept %d, expected %d" %
              (addr, acc, expect))
        check(rport == 0, "refused, yet port %d" % rport)
        check(not [x for x in kernel_reflectors() if x["local"] == addr],
              "a reflector on %s: %s" % (addr, kernel_reflectors()))
    else:
        check(acc == 0, "Receiver Address %s: Accept %d" % (addr, acc))
        refl = [x for x in kernel_reflectors() if x["port"] == rport]
        check(len(refl) == 1 and refl[0]["local"] == want,
              "reflectors on port %d: %s, expected one on %s" %
              (rport, refl, want))
    c.close()


def t_ports(port, sport, want, lo, hi, kernel="1"):
    """A session asking for Receiver Port @want gets a port of @lo-@hi:
    @want itself if it is in the range, else another one (RFC 5357 3.5's
    alternate port); nothing ever listens on @want outside the range.
    In the range, asking for it again while it is taken gets another."""
    sport, want, lo, hi = int(sport), int(want), int(lo), int(hi)
    inside = lo <= want <= hi
    c = Client(int(port))
    check(c.accept == 0, "Server-Start Accept %s" % c.accept)
    acc, rport, _ = c.request(sport, rport=want)
    check(acc == 0, "Receiver Port %d: Accept %d" % (want, acc))
    check(lo <= rport <= hi, "Receiver Port %d: got port %d, outside the "
          "range %d-%d" % (want, rport, lo, hi))
    if inside:
        check(rport == want, "Receiver Port %d in the range: got %d" %
              (want, rport))
    else:
        check(rport != want, "got the port asked for, %d" % want)
    ports = udp_ports()
    # ss sees the session's socket, kernel or not: the check below can fail
    check(rport in ports, "ss -uln does not list the session's port %d: %s"
          % (rport, sorted(ports)))
    if not inside:
        check(want not in ports, "something listens on UDP %d: %s" %
              (want, sorted(ports)))
    if kernel == "1":
        refl = {x["port"] for x in kernel_reflectors()}
        check(rport in refl, "no kernel reflector on port %d" % rport)
        if not inside:
            check(want not in refl, "a kernel reflector on port %d" % want)
    if inside:
        acc, again, _ = c.request(sport + 1, rport=want)
        check(acc == 0 and lo <= again <= hi and again != want,
              "Receiver Port %d taken: Accept %d, port %d; expected another "
              "of %d-%d" % (want, acc, again, lo, hi))
    c.close()


CHECKS = {
    "greeting": t_greeting, "open": t_open, "stop": t_stop,
    "unsupported": t_unsupported, "wrong-key": t_wrong_key,
    "secure": t_secure, "malformed": t_malformed, "silent": t_silent,
    "max-sessions": t_max_sessions, "acl": t_acl, "max-conns": t_max_conns,
    "servwait": t_servwait, "kill": t_kill,
    "reflectors-gone": t_reflectors_gone, "user": t_user, "hold": t_hold,
    "individual": t_individual, "reflect-octets": t_reflect_octets,
    "refwait": t_refwait, "sender": t_sender, "receiver": t_receiver,
    "ports": t_ports,
}


def main():
    if len(sys.argv) < 2 or sys.argv[1] not in CHECKS:
        print(__doc__)
        print("checks:", " ".join(sorted(CHECKS)))
        return 2
    try:
        CHECKS[sys.argv[1]](*sys.argv[2:])
    except Fail as e:
        log("FAIL: %s" % e)
        return 1
    except OSError as e:
        log("FAIL: %s" % e)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
