#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# PID 1 of the tools/vm/run initramfs, run by busybox-static's sh. It builds
# the guest's view of the host's filesystem under /newroot and switches
# root to it, handing PID 1 to tools/vm/guest-init.sh (the host copies it
# into the exchange directory), which runs the command and ends the guest.
#
#   /                 the host's /, read-only over 9p (tag "hostroot")
#   /run              tmpfs
#   /run/twamp-vm     the run's exchange directory, writable over 9p (tag
#                     "twampvm"; on the host a fresh mktemp -d)
#   /proc /sys /dev /dev/pts /dev/shm /sys/kernel/debug /sys/kernel/tracing
#   /sys/fs/cgroup (cgroup2) /sys/fs/bpf
#   /etc /var /lib/modules   overlayfs: lower the read-only host directory,
#                     upper a tmpfs, so they are writable in the guest;
#                     with --module, /lib/modules has the host-made stage
#                     (tag "modules") as a layer on top of the host's
#   /tmp /var/tmp /root      empty tmpfs
#   each --rw DIR     writable over 9p (tags rw0, rw1, ...)
#
# All of this is done here, with busybox, because every program started
# from the 9p root costs the emulated CPU 0.1-0.3 s; busybox in the
# initramfs costs almost nothing.
#
# PID 1 must never exit ("Attempted to kill init"): until switch_root,
# failures end the guest here with `reboot -f` (QEMU runs with -no-reboot,
# so it exits); after it, guest-init.sh reboots.
#
# The build copies this file to /init; /modules.list names the .ko files
# under /modules/ in load order. Changing this file changes the initramfs
# cache key, so the next run rebuilds the initramfs.

/bin/busybox --install -s /bin
export PATH=/bin

mount -t devtmpfs devtmpfs /dev
mount -t proc proc /proc
# The kernel console (ttyS0) goes to a log file on the host.
exec </dev/null >/dev/console 2>&1

say() { echo "twamp-vm-init: $*"; }
try() { "$@" || say "failed: $*"; }
die() {
	say "FATAL: $*"
	sync
	reboot -f
}
# First thing on the console: tools/vm/run boots again a kernel that died
# before this line (see boot_retries there).
say "started"

while read -r ko; do
	insmod "/modules/$ko" || die "insmod $ko failed"
done </modules.list

# 9p over virtio carries at most 512000 bytes per message; a large msize
# makes reads of big files (python, binaries) fewer round trips. The root
# is read-only, so the loose page and dentry cache is safe, and faster.
opts=trans=virtio,version=9p2000.L,msize=512000
r=/newroot
mount -t 9p -o "$opts,ro,cache=loose" hostroot $r ||
	die "cannot mount the host root over 9p"
mount -t tmpfs -o mode=0755,nosuid,nodev tmpfs $r/run ||
	die "cannot mount tmpfs on /run"
x=/run/twamp-vm
mkdir $r$x
# No cache on the exchange directory: what the guest writes there must be
# on the host before the guest ends.
mount -t 9p -o "$opts,cache=none" twampvm $r$x ||
	die "cannot mount the exchange directory over 9p"
read -r cwd <$r$x/cwd || die "no $x/cwd"

# Kernel and device filesystems.
try mount -t proc -o nosuid,nodev,noexec proc $r/proc
try mount -t sysfs -o nosuid,nodev,noexec sysfs $r/sys
try mount -t devtmpfs -o nosuid devtmpfs $r/dev
mkdir -p $r/dev/pts $r/dev/shm
try mount -t devpts -o nosuid,noexec,gid=5,mode=620,ptmxmode=666 devpts $r/dev/pts
try mount -t tmpfs -o nosuid,nodev,mode=1777 tmpfs $r/dev/shm
try mount -t debugfs -o nosuid,nodev,noexec debugfs $r/sys/kernel/debug
grep -qw tracefs /proc/filesystems &&
	try mount -t tracefs -o nosuid,nodev,noexec tracefs $r/sys/kernel/tracing
grep -qw cgroup2 /proc/filesystems &&
	try mount -t cgroup2 -o nosuid,nodev,noexec cgroup2 $r/sys/fs/cgroup
grep -qw bpf /proc/filesystems &&
	try mount -t bpf -o nosuid,nodev,noexec,mode=0700 bpf $r/sys/fs/bpf

# Copy-on-write overlays (lower: the read-only host directory, upper: a
# tmpfs): every host file is there and can be changed in the guest, for
# example a freshly built module copied to /lib/modules/$(uname -r)/updates/
# followed by depmod (which takes 15-45 s here: it reads every module over
# 9p; tools/vm/run --module does it on the host instead).
rw=$r/run/.twamp-vm/rw
mkdir -p $rw
try mount -t tmpfs -o mode=0755 tmpfs $rw
# ovl DIR NAME [TOP]: overlay on DIR; TOP is an extra read-only layer.
ovl() {
	mkdir -p "$rw/$2/upper" "$rw/$2/work"
	mount -t overlay -o "lowerdir=${3:+$3:}$1,upperdir=$rw/$2/upper,workdir=$rw/$2/work" \
		overlay "$1"
}
# /lib is a symlink to usr/lib on Debian: mount on the real directory.
modules=/lib/modules
if [ -L $r/lib ]; then
	l=$(readlink $r/lib)
	modules=/${l#/}/modules
fi
# With --module, the host's depmod output (updates/ and modules.*) is a
# read-only layer on top of the host's /lib/modules (tag "modules").
top=
if [ -e $r$x/modules ]; then
	top=$r/run/.twamp-vm/modules
	mkdir -p $top
	try mount -t 9p -o "$opts,ro,cache=loose" modules $top
fi
if grep -qw overlay /proc/filesystems; then
	try ovl $r/etc etc
	try ovl $r/var var
	try ovl "$r$modules" modules $top
else
	say "no overlayfs: /etc, /var and /lib/modules stay read-only"
fi

# Empty tmpfs on /tmp, /var/tmp and /root. If the command's working
# directory is under one of them on the host (say a checkout in /tmp/ci),
# the top directory holding it is bound back in from the read-only root,
# so that the same path works in the guest.
keep=$r/run/.twamp-vm/keep
n=0
for d in /tmp /var/tmp /root; do
	top=
	case $cwd in
	"$d"/*)
		rest=${cwd#"$d"/}
		top=$d/${rest%%/*}
		n=$((n + 1))
		mkdir -p $keep/$n
		try mount -o bind "$r$top" $keep/$n
		;;
	esac
	mode=1777
	[ $d != /root ] || mode=0700
	try mount -t tmpfs -o "nosuid,nodev,mode=$mode" tmpfs $r$d
	if [ -n "$top" ]; then
		mkdir -p "$r$top"
		try mount -o move $keep/$n "$r$top"
	fi
done
# /var/run is a symlink to /run; iproute2 keeps its namespaces there.
mkdir -p $r/run/netns $r/run/lock $r/run/user

# Host directories given with --rw: writable, at the same path.
i=0
while read -r d; do
	[ -n "$d" ] || continue
	mkdir -p "$r$d" 2>/dev/null
	try mount -t 9p -o "$opts,cache=none" "rw$i" "$r$d"
	i=$((i + 1))
done <$r$x/rw-dirs

hostname twamp-vm

# The command's output goes to the virtio console, the host's standard
# output, in raw mode so that the host gets the bytes as written (no CR
# added). The descriptor stays open here until the command is done: the
# hvc driver resets the terminal settings at the last close.
exec 3<>/dev/hvc0
stty raw -echo <&3

# guest-init.sh becomes PID 1 of the host's root (switch_root, not a
# chroot): the kernel starts /sbin/modprobe for module autoloading with
# PID 1's root, and refuses user namespaces to a chrooted process. It
# ends the guest itself.
say "switch_root $r /bin/sh $x/guest-init.sh"
umount -l /proc
exec env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
	switch_root $r /bin/sh $x/guest-init.sh
die "switch_root failed"
