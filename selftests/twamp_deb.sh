#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The Debian packages (tools/check-deb.sh --next builds them on the host,
# in build/deb and build/deb-next) as an administrator meets them, in a
# writable copy of the guest's root: an overlayfs whose lower layer is the
# host's read-only root and whose upper layer is a tmpfs, entered with
# chroot. Installs twamp-dkms, twampd and twamp-tools (dkms builds the
# module for the running kernel: the time is printed), loads the module
# dkms built, runs twampd as twampd.service would (no systemd runs in the
# guest: the unit's user, capabilities and credential are set up by hand
# from the installed unit file, see test_unit), upgrades to the next
# version (dkms rebuilds; a changed conffile is kept), and purges (nothing
# of the packages is left).
#
# Not in TEST_PROGS: under emulation each dkms build in the guest takes
# far longer than the runner's 900 s allows on a loaded 2-core host (see
# docs/testing.md); run it with a longer --timeout of tools/vm/run.

# Test functions run through twamp_run_test.
# shellcheck disable=SC2317
source "$(dirname "$(readlink -f "$0")")/lib.sh"

twamp_require_root
twamp_require_cmd ip dpkg chroot setpriv unshare mount
DEB=$TWAMP_ST_DIR/../build/deb
NEXT=$TWAMP_ST_DIR/../build/deb-next
V=$(cat "$TWAMP_ST_DIR/../VERSION")
NV=$V+next1
KVER=$(uname -r)
for d in "$DEB/twamp-dkms_${V}_all.deb" "$NEXT/twamp-dkms_${NV}_all.deb"; do
	[ -f "$d" ] ||
		twamp_exit_skip "$d not built: run tools/check-deb.sh --next first"
done
[ -d "/lib/modules/$KVER/build" ] ||
	twamp_exit_skip "no headers of $KVER for dkms"
grep -qw overlay /proc/filesystems || modprobe -q overlay ||
	twamp_exit_skip "no overlayfs for a writable root"
if twamp_mod_loaded && ! rmmod twamp; then
	twamp_exit_fail "twamp is loaded and in use: the test loads dkms's"
fi

TMP=$(mktemp -d "${TMPDIR:-/tmp}/twamp-deb.XXXXXX") ||
	twamp_exit_fail "mktemp failed"
R=$TMP/root
# the credential directory, key file and uid twampd.service would give
UNIT_UID=61999
CRED=/run/credentials/twampd.service
KEY="alice 00112233445566778899aabbccddeeff"
NS=
TWAMPD_PID=

twamp_cleanup_hook()
{
	local m

	[ -n "$TWAMPD_PID" ] && kill "$TWAMPD_PID" 2>/dev/null &&
		wait "$TWAMPD_PID" 2>/dev/null
	twamp_mod_loaded && rmmod twamp
	for m in dev/pts dev proc sys run tmp ""; do
		mountpoint -q "$R/$m" && umount -l "$R/$m"
	done
	rm -rf "$TMP"
}

in_root() { chroot "$R" "$@"; }

setup_root()
{
	mkdir -p "$TMP/upper" "$TMP/work" "$R" &&
	mount -t overlay -o "lowerdir=/,upperdir=$TMP/upper,workdir=$TMP/work" \
		overlay "$R" &&
	mount -t proc proc "$R/proc" && mount -t sysfs sysfs "$R/sys" &&
	mount -o bind /dev "$R/dev" && mount -o bind /dev/pts "$R/dev/pts" &&
	mount -t tmpfs -o mode=0755 tmpfs "$R/run" &&
	mount -t tmpfs -o mode=1777 tmpfs "$R/tmp" &&
	# one kernel, the running one: dkms's postinst builds for the running
	# kernel and the newest installed, and each build under emulation
	# costs minutes
	find "$R/lib/modules/" -mindepth 1 -maxdepth 1 ! -name "$KVER" \
		-exec rm -rf {} + &&
	mkdir -p "$R/tmp/deb" "$R/tmp/deb-next" &&
	cp "$DEB"/*.deb "$R/tmp/deb/" && cp "$NEXT"/*.deb "$R/tmp/deb-next/"
}

# Files of the copy that differ from the host's and name twamp.
twamp_files()
{
	(cd "$TMP/upper" && find . -path '*twamp*' ! -path './tmp/*' |
		LC_ALL=C sort)
}

# dpkg -i DIR: the three packages of DIR, timed; dkms builds in postinst.
install_dir()
{
	local t0=$SECONDS out rc

	local debs=() p

	for p in twamp-dkms twampd twamp-tools; do
		debs+=("$(cd "$R" && echo "tmp/$1/${p}_"*.deb)")
	done
	out=$(cd "$R" && in_root env DEBIAN_FRONTEND=noninteractive \
		dpkg -i "${debs[@]/#//}" 2>&1)
	rc=$?
	twamp_log "dpkg -i $1: $((SECONDS - t0)) s, dkms's build of twamp.ko included"
	grep -E '^(Building for|Building initial module|Running module version sanity)' \
		<<<"$out" | sed 's/^/#   /'
	if [ "$rc" -ne 0 ]; then
		printf '%s\n' "$out" | sed 's/^/#   /'
		return 1
	fi
}

# dkms's module for the running kernel, built and installed for VERSION.
check_dkms()
{
	local ko

	twamp_expect "dkms status" "twamp/$1, $KVER, x86_64: installed" \
		in_root dkms status -m twamp -k "$KVER" || return 1
	ko=$(in_root find "/lib/modules/$KVER/updates" -name 'twamp.ko*')
	twamp_expect "one twamp.ko in updates/" 1 wc -l <<<"$ko" &&
	twamp_expect "built for $KVER" "$KVER" \
		eval "in_root modinfo -F vermagic $ko | cut -d' ' -f1" &&
	twamp_expect "module version" "$1" in_root modinfo -F version "$ko"
}

test_install()
{
	install_dir deb && check_dkms "$V" || return 1
	twamp_check "conffile" \
		grep -qx /etc/twamp/twampd.conf "$R/var/lib/dpkg/info/twampd.conffiles" &&
	twamp_check "unit enabled by its postinst" test -L \
		"$R/etc/systemd/system/multi-user.target.wants/twampd.service" &&
	twamp_expect "twamp-ctl from the package" "twamp-ctl $V" \
		in_root twamp-ctl --version
}

# The module dkms built loads and answers the installed twamp-ctl.
test_module()
{
	local ko

	ko=$(in_root find "/lib/modules/$KVER/updates" -name 'twamp.ko*')
	twamp_check "insmod dkms's twamp.ko" in_root insmod "$ko" &&
	twamp_check "twamp-ctl version sees it" \
		eval "in_root twamp-ctl version | grep -q '^twamp.ko $V '"
}

# twampd as twampd.service starts it: the installed unit's ExecStart, as
# a user that is not root (DynamicUser=: an unused uid), with the unit's
# ambient and bounding capabilities and nothing else, the key file as the
# credential key-file (root's 0600 file copied, owned by the user, 0400).
# Listens on TCP 862 (CAP_NET_BIND_SERVICE), runs an authenticated test
# through the kernel (CAP_NET_ADMIN). A loopback in a namespace of its own.
test_unit()
{
	local unit="$R/lib/systemd/system/twampd.service" exec caps log
	local want i

	exec=$(sed -n 's/^ExecStart=//p' "$unit")
	caps=$(sed -n 's/^AmbientCapabilities=//p' "$unit")
	want="CAP_NET_ADMIN CAP_NET_BIND_SERVICE"
	twamp_expect "the unit's capabilities" "$want" echo "$caps" &&
	twamp_expect "its bounding set" "$want" \
		sed -n 's/^CapabilityBoundingSet=//p' "$unit" &&
	twamp_check "DynamicUser" grep -qx DynamicUser=yes "$unit" &&
	twamp_check "the key file as credential key-file" grep -qx \
		LoadCredential=key-file:/etc/twamp/twampd.pfs "$unit" ||
		return 1
	# the administrator's part: a key file, a mode that needs it
	printf '%s\n' "$KEY" >"$R/etc/twamp/twampd.pfs" &&
	chmod 600 "$R/etc/twamp/twampd.pfs" &&
	echo "modes open,auth" >>"$R/etc/twamp/twampd.conf" || return 1
	# systemd's part
	mkdir -p "$R$CRED" && cp "$R/etc/twamp/twampd.pfs" "$R$CRED/key-file" &&
	chown -R "$UNIT_UID:$UNIT_UID" "$R$CRED" && chmod 400 "$R$CRED/key-file" &&
	chmod 500 "$R$CRED" || return 1
	twamp_netns_add NS deb || return 1
	log=$TMP/twampd.log
	# shellcheck disable=SC2086 # ExecStart is words
	ip netns exec "$NS" chroot "$R" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
		CREDENTIALS_DIRECTORY="$CRED" setpriv --reuid="$UNIT_UID" \
		--regid="$UNIT_UID" --clear-groups \
		--inh-caps=-all,+net_admin,+net_bind_service \
		--ambient-caps=-all,+net_admin,+net_bind_service \
		--bounding-set=-all,+net_admin,+net_bind_service \
		--no-new-privs $exec >"$log" 2>&1 &
	TWAMPD_PID=$!
	for ((i = 0; i < 100; i++)); do
		[ "$(ip netns exec "$NS" ss -Htln 'sport = :862' | wc -l)" -ge 1 ] &&
			break
		kill -0 "$TWAMPD_PID" 2>/dev/null || break
		sleep 0.1
	done
	sed 's/^/# twampd: /' "$log"
	twamp_check "twampd listens on 862" \
		eval "ip netns exec $NS ss -Htln 'sport = :862' | grep -q ." &&
	twamp_expect "as uid $UNIT_UID" "$UNIT_UID" \
		eval "awk '/^Uid:/ { print \$3 }' /proc/$TWAMPD_PID/status" &&
	twamp_check "with the credential" grep -q \
		"key file: the systemd credential $CRED/key-file" "$log" &&
	twamp_check "kernel backend" grep -q 'backend: kernel' "$log" &&
	printf '%s\n' "$KEY" >"$R/tmp/client.keys" &&
	chmod 600 "$R/tmp/client.keys" &&
	twamp_check "an authenticated test through it" \
		ip netns exec "$NS" chroot "$R" twamp-ctl test -m auth \
		-k /tmp/client.keys -K alice -c 3 -i 0.1 127.0.0.1 || return 1
	kill "$TWAMPD_PID" && wait "$TWAMPD_PID"
	TWAMPD_PID=
}

test_upgrade()
{
	twamp_check "rmmod before the upgrade" rmmod twamp &&
	install_dir deb-next && check_dkms "$NV" || return 1
	twamp_check_fails "the old dkms source is gone" test -e "$R/usr/src/twamp-$V" &&
	twamp_check "the changed conffile is kept" \
		grep -qx "modes open,auth" "$R/etc/twamp/twampd.conf" &&
	twamp_expect "twamp-ctl upgraded" "twamp-ctl $NV" in_root twamp-ctl --version
}

test_purge()
{
	local out

	out=$(in_root dpkg --purge twamp-tools twampd twamp-dkms 2>&1) || {
		printf '%s\n' "$out" | sed 's/^/#   /'
		return 1
	}
	rm -rf "$R$CRED"
	twamp_expect "dkms knows no twamp" "" in_root dkms status -m twamp &&
	# the key file is the administrator's: dpkg leaves it, and /etc/twamp
	twamp_expect "only the administrator's key file is left" \
		"./etc/twamp
./etc/twamp/twampd.pfs" twamp_files
}

twamp_netns_add NS deb0 || twamp_exit_fail "cannot make a namespace"
twamp_netns_del "$NS"
setup_root || twamp_exit_fail "cannot make a writable root in $R"

# Each step needs the ones before: after a failure the rest fail at once.
BROKEN=
step()
{
	if [ -n "$BROKEN" ]; then
		twamp_log "not run: '$BROKEN' failed"
		return 1
	fi
	"$@" || { BROKEN=$1; return 1; }
}

twamp_ktap_plan 5
twamp_run_test "install: dkms builds twamp.ko for the running kernel" \
	step test_install
twamp_run_test "the module dkms built loads" step test_module
twamp_run_test "twampd as its unit runs it: no root, two capabilities, a credential" \
	step test_unit
twamp_run_test "upgrade: dkms rebuilds, the changed conffile stays" \
	step test_upgrade
twamp_run_test "purge: nothing of the packages is left" step test_purge
twamp_ktap_finish
