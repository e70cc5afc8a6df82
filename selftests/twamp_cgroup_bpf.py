#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Attach a cgroup BPF egress program that drops every packet, for
twamp_xmit.sh.

    twamp_cgroup_bpf.py CGROUP_DIR

loads a two-instruction BPF_PROG_TYPE_CGROUP_SKB program ("return 0":
drop) and attaches it to CGROUP_DIR as BPF_CGROUP_INET_EGRESS, through the
bpf() system call, so that the test needs neither bpftool nor a BPF
compiler. The cgroup keeps the program; removing the (empty) cgroup
detaches it. Exit status 0 when attached, 1 with a message otherwise.
"""

import ctypes
import os
import struct
import sys

NR_BPF = {"x86_64": 321, "i686": 357, "aarch64": 280}[os.uname().machine]
BPF_PROG_LOAD = 5
BPF_PROG_ATTACH = 8
BPF_PROG_TYPE_CGROUP_SKB = 8
BPF_CGROUP_INET_EGRESS = 1

libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long


def bpf(cmd, attr):
    buf = ctypes.create_string_buffer(attr, 128)
    ret = libc.syscall(NR_BPF, cmd, buf, ctypes.c_uint(128))
    if ret < 0:
        err = ctypes.get_errno()
        raise OSError(err, os.strerror(err))
    return ret


def insn(code, dst=0, src=0, off=0, imm=0):
    return struct.pack("<BBhi", code, (src << 4) | dst, off, imm)


def main():
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 1
    prog = insn(0xB7) + insn(0x95)  # r0 = 0; exit
    prog_buf = ctypes.create_string_buffer(prog, len(prog))
    lic = ctypes.create_string_buffer(b"GPL")
    # union bpf_attr, BPF_PROG_LOAD: prog_type, insn_cnt, insns, license,
    # log_level, log_size, log_buf, kern_version, prog_flags,
    # prog_name[16], prog_ifindex, expected_attach_type
    attr = struct.pack("<IIQQIIQII16sII", BPF_PROG_TYPE_CGROUP_SKB,
                       len(prog) // 8, ctypes.addressof(prog_buf),
                       ctypes.addressof(lic), 0, 0, 0, 0, 0,
                       b"twamp_drop", 0, BPF_CGROUP_INET_EGRESS)
    try:
        prog_fd = bpf(BPF_PROG_LOAD, attr)
        cg_fd = os.open(sys.argv[1], os.O_RDONLY | os.O_DIRECTORY)
        # BPF_PROG_ATTACH: target_fd, attach_bpf_fd, attach_type, flags
        bpf(BPF_PROG_ATTACH, struct.pack("<IIII", cg_fd, prog_fd,
                                         BPF_CGROUP_INET_EGRESS, 0))
    except OSError as e:
        print(f"twamp_cgroup_bpf: {sys.argv[1]}: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
