#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# PID 1 of the tools/vm/run guest, on the host's root filesystem, after
# the initramfs' /init (tools/vm/initramfs-init.sh) mounted everything and
# switched root. It runs the command that tools/vm/run wrote to the
# exchange directory /run/twamp-vm, writes back the kernel log and the
# command's exit status, and ends the guest: as PID 1 it must never exit.
#
# Descriptor 3 is the virtio console /dev/hvc0, in raw mode: the host's
# standard output. What this script itself prints goes to the kernel
# console, a log file on the host, shown with --verbose or when the run
# fails.
#
# Exchange directory, written by the host: guest-init.sh (this file), cwd,
# timeout, rw-dirs, modules (with --module), job (a sh script: exports, cd,
# exec of the command); written by the guest: kmemleak (debug kernels),
# dmesg, then status (the exit status, or "timeout").

x=/run/twamp-vm
say() { echo "guest-init: $*"; }

# devtmpfs has no /dev/fd or /dev/std*: process substitution and programs
# that write to /dev/stdout need them.
ln -sf /proc/self/fd /dev/fd
ln -sf /proc/self/fd/0 /dev/stdin
ln -sf /proc/self/fd/1 /dev/stdout
ln -sf /proc/self/fd/2 /dev/stderr
read -r timeout <"$x/timeout"

# Leave the guest a few seconds of the host's timeout to report back: the
# command gets the time left after booting, less 5 s (300 s with
# kmemleak, whose scans after the command take 1-3 min under emulation).
kml=/sys/kernel/debug/kmemleak
reserve=5
[ ! -w $kml ] || reserve=300
limit=0
if [ "$timeout" -gt 0 ]; then
	read -r up _ </proc/uptime
	up=${up%.*}
	limit=$((timeout - up - reserve))
	[ "$limit" -ge 1 ] || limit=1
fi

# Debug kernels with kmemleak: scan once and forget what boot leaked, so
# that the scans after the command report only new leaks (tools/vm/run
# skips the lines between the two baseline markers).
if [ -w $kml ]; then
	echo "twamp-vm: kmemleak baseline scan" >/dev/kmsg
	echo scan >$kml
	echo clear >$kml
	echo "twamp-vm: kmemleak baseline done" >/dev/kmsg
fi

echo "twamp-vm: running command" >/dev/kmsg
say "running the command (time limit ${limit}s, 0: none)"
if [ "$limit" -gt 0 ]; then
	timeout -k 3 "$limit" /bin/sh "$x/job" </dev/null >&3 2>&3
else
	/bin/sh "$x/job" </dev/null >&3 2>&3
fi
status=$?
echo "twamp-vm: command exited with status $status" >/dev/kmsg
say "command exited with status $status"

# timeout(1) ends with 124, or 137 after SIGKILL: tell that apart from a
# command that exits with those itself by the time spent.
if [ "$limit" -gt 0 ] && { [ "$status" -eq 124 ] || [ "$status" -eq 137 ]; }; then
	read -r now _ </proc/uptime
	[ $((${now%.*} - up)) -lt "$limit" ] || status=timeout
fi

# A leak shows in the kernel log as "kmemleak: N new suspected memory
# leaks", and in $kml, which the host fails the run on if it lists
# anything. kmemleak reports no object younger than 5 s, so the scan that
# counts comes after a pause (the kernel's documentation advises two).
if [ -w $kml ]; then
	echo scan >$kml
	sleep 6
	echo scan >$kml
	cat $kml >"$x/kmemleak"
fi

dmesg >"$x/dmesg"
echo "$status" >"$x/status"

# Closing the console waits until the host has all the output.
exec 3>&-
umount $x 2>/dev/null
sync
echo b >/proc/sysrq-trigger
