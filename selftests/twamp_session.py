#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Helpers of twamp_session.sh.

probe ADDR PORT SPORT COUNT [SSID]
    Send COUNT test packets (STAMP layout when SSID is given, else TWAMP
    with 30 octets of padding 0xa0, 0xa1, ...) from SPORT, sender sequence
    numbers from 100, and print one line per reply:
    "reflector_seq sender_seq ssid dscp octets_41_to_43".
bind REFLECTOR_ID PEER PORT
    Create a session with the BIND flag over generic netlink (a client of
    the ABI independent of twamp-ctl), check that it is listed, and exit:
    the kernel must then remove it.
"""

import socket
import struct
import sys
import time

IP_RECVTOS = 13


def probe(addr, port, sport, count, ssid=None):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.IPPROTO_IP, IP_RECVTOS, 1)
    s.bind(("", sport))
    s.settimeout(1.0)
    ntp = int(time.time()) + 2208988800
    for i in range(count):
        seq = 100 + i
        if ssid is not None:
            pkt = struct.pack("!IIIHH", seq, ntp, 0, 0x12A4, ssid) + bytes(28)
        else:
            pkt = struct.pack("!IIIH", seq, ntp, 0, 0x12A4) + bytes(
                range(0xA0, 0xA0 + 30))
        s.sendto(pkt, (addr, port))
        try:
            data, anc, _, _ = s.recvmsg(2048, 64)
        except socket.timeout:
            continue
        tos = 0
        for level, typ, val in anc:
            if level == socket.IPPROTO_IP and typ == socket.IP_TOS:
                tos = val[0]
        refl_seq, = struct.unpack("!I", data[0:4])
        rssid, = struct.unpack("!H", data[14:16])
        sseq, = struct.unpack("!I", data[24:28])
        octets = data[41:44].hex() if ssid is None else "-"
        print(refl_seq, sseq, rssid, tos >> 2, octets)


# --- generic netlink, just enough for one request ---------------------------

NETLINK_GENERIC = 16
GENL_ID_CTRL = 16
CTRL_CMD_GETFAMILY = 3
CTRL_ATTR_FAMILY_ID = 1
CTRL_ATTR_FAMILY_NAME = 2
NLM_F_REQUEST = 1
NLM_F_ACK = 4
NLM_F_DUMP = 0x300
NLMSG_ERROR = 2
NLMSG_DONE = 3
NLA_F_NESTED = 0x8000

TWAMP_CMD_SESSION_NEW = 7
TWAMP_CMD_SESSION_GET = 9
TWAMP_A_SESSION = 4
TWAMP_A_SESSION_ID = 1
TWAMP_A_SESSION_REFLECTOR_ID = 2
TWAMP_A_SESSION_PEER_IPV4 = 3
TWAMP_A_SESSION_PEER_PORT = 5
TWAMP_A_SESSION_BIND = 15


def attr(typ, payload):
    pad = (4 - len(payload) % 4) % 4
    return struct.pack("=HH", 4 + len(payload), typ) + payload + bytes(pad)


def attrs(buf):
    while len(buf) >= 4:
        ln, typ = struct.unpack("=HH", buf[:4])
        if ln < 4:
            return
        yield typ & 0x3FFF, buf[4:ln]
        buf = buf[(ln + 3) & ~3:]


class Genl:
    def __init__(self):
        self.sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW,
                                  NETLINK_GENERIC)
        self.sock.bind((0, 0))
        self.seq = 1

    def request(self, family, cmd, payload, flags=NLM_F_ACK):
        self.seq += 1
        body = struct.pack("=BBH", cmd, 1, 0) + payload
        msg = struct.pack("=IHHII", 16 + len(body), family,
                          NLM_F_REQUEST | flags, self.seq, 0) + body
        self.sock.send(msg)
        replies = []
        while True:
            data = self.sock.recv(65536)
            while data:
                ln, typ, _, _, _ = struct.unpack("=IHHII", data[:16])
                if typ == NLMSG_ERROR:
                    err, = struct.unpack("=i", data[16:20])
                    if err:
                        raise OSError(-err, "netlink request failed")
                    return replies
                if typ == NLMSG_DONE:
                    return replies
                replies.append(data[20:ln])
                data = data[(ln + 3) & ~3:]

    def family(self, name):
        reply = self.request(GENL_ID_CTRL, CTRL_CMD_GETFAMILY,
                             attr(CTRL_ATTR_FAMILY_NAME, name + b"\0"))
        for typ, val in attrs(reply[0]):
            if typ == CTRL_ATTR_FAMILY_ID:
                return struct.unpack("=H", val[:2])[0]
        raise OSError("no family id")


def session_ids(nl, fam):
    ids = []
    for msg in nl.request(fam, TWAMP_CMD_SESSION_GET, b"", NLM_F_DUMP):
        for typ, nest in attrs(msg):
            if typ == TWAMP_A_SESSION:
                for t, v in attrs(nest):
                    if t == TWAMP_A_SESSION_ID:
                        ids.append(struct.unpack("=I", v)[0])
    return ids


def bind(reflector, peer, port):
    nl = Genl()
    fam = nl.family(b"twamp")
    nest = (attr(TWAMP_A_SESSION_REFLECTOR_ID, struct.pack("=I", reflector)) +
            attr(TWAMP_A_SESSION_PEER_IPV4, socket.inet_aton(peer)) +
            attr(TWAMP_A_SESSION_PEER_PORT, struct.pack("=H", port)) +
            attr(TWAMP_A_SESSION_BIND, b""))
    reply = nl.request(fam, TWAMP_CMD_SESSION_NEW,
                       attr(TWAMP_A_SESSION | NLA_F_NESTED, nest))
    new_id = None
    for typ, val in attrs(reply[0]):
        if typ == TWAMP_A_SESSION:
            for t, v in attrs(val):
                if t == TWAMP_A_SESSION_ID:
                    new_id = struct.unpack("=I", v)[0]
    if new_id is None or new_id not in session_ids(Genl(), fam):
        print("# the bound session was not created or not listed")
        return 1
    return 0


def main(argv):
    if argv[1] == "probe":
        probe(argv[2], int(argv[3]), int(argv[4]), int(argv[5]),
              int(argv[6]) if len(argv) > 6 else None)
        return 0
    if argv[1] == "bind":
        return bind(int(argv[2]), argv[3], int(argv[4]))
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
