#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Lifetime of twamp.ko: it loads and unloads cleanly, again and again,
# registers its generic netlink family, works in other network namespaces,
# survives namespaces that come and go around it, and is autoloaded by the
# first request to its family once installed.
#
# Leaves the module unloaded (loaded again only if it was loaded before),
# and any module file it installed removed.

# Test functions run through twamp_run_test and twamp_check.
# shellcheck disable=SC2317
source "$(dirname "$(readlink -f "$0")")/lib.sh"

LOOPS=${TWAMP_MODULE_LOOPS:-5}
DEFAULT_CLOCK="synced 0
error-ns 10000000
error-estimate 0x12a4"

twamp_require_root
twamp_require_cmd insmod rmmod lsmod modinfo modprobe ip
twamp_require_genl_client
if why=$(twamp_mod_unloadable_reason); then
	twamp_exit_skip "$why"
fi

was_loaded=0
if twamp_mod_loaded; then
	was_loaded=1
	rmmod twamp || twamp_exit_fail "twamp is loaded and cannot be unloaded"
fi

moddir=/lib/modules/$(uname -r)
installed=
backup=

twamp_cleanup_hook()
{
	if twamp_mod_loaded; then
		rmmod twamp || twamp_log "cleanup: rmmod twamp failed"
	fi
	if [ -n "$installed" ]; then
		rm -f "$installed"
		if [ -n "$backup" ]; then
			mv "$backup" "$installed"
		fi
		depmod -a
	fi
	if [ "$was_loaded" = 1 ]; then
		twamp_insmod || modprobe twamp ||
			twamp_log "cleanup: could not load twamp again"
	fi
}

# Start a test unloaded, whatever the one before left.
mod_reset()
{
	if twamp_mod_loaded; then
		rmmod twamp || { twamp_log "rmmod twamp failed"; return 1; }
	fi
}

# No process substitution here: the guest's devtmpfs has no /dev/fd.
lsmod_lists_twamp()
{
	lsmod | grep -q '^twamp '
}

# In lsmod, refcount 0, state live.
mod_is_live()
{
	twamp_check "lsmod lists twamp" lsmod_lists_twamp &&
	twamp_expect "module state" live cat /sys/module/twamp/initstate &&
	twamp_expect "module refcount" 0 cat /sys/module/twamp/refcnt
}

mod_is_gone()
{
	twamp_check_fails "/sys/module/twamp still exists" \
		test -e /sys/module/twamp &&
	twamp_check_fails "lsmod still lists twamp" lsmod_lists_twamp &&
	# from the controller's dump, which never autoloads
	twamp_check_fails "family twamp still registered" "$TWAMP_GENL" listed
}

family_works()
{
	twamp_check "family twamp registered" "$TWAMP_GENL" listed &&
	twamp_check "INFO_GET reports ABI 1" info_abi_is_1
}

info_abi_is_1()
{
	local out

	out=$("$TWAMP_GENL" info) || return 1
	printf '%s\n' "$out"
	grep -qx 'abi 1' <<<"$out"
}

test_modinfo()
{
	local alias

	alias=$(modinfo -F alias "$TWAMP_KO") || return 1
	twamp_check "alias for the genl family: $alias" grep -qx \
		net-pf-16-proto-16-family-twamp <<<"$alias" &&
	twamp_expect "license" GPL modinfo -F license "$TWAMP_KO" &&
	twamp_check "version" test -n "$(modinfo -F version "$TWAMP_KO")"
}

test_load()
{
	mod_reset || return 1
	twamp_check "insmod $TWAMP_KO" twamp_insmod && mod_is_live
}

test_family()
{
	local out

	family_works || return 1
	if ! command -v genl >/dev/null; then
		twamp_log "no genl (iproute2): checked with twamp_genl only"
		return 0
	fi
	out=$(genl ctrl get name twamp 2>&1) || {
		twamp_log "FAIL: genl ctrl get name twamp: $out"
		return 1
	}
	twamp_check "genl: name twamp" grep -q 'Name: twamp$' <<<"$out" &&
	twamp_check "genl: version 1" grep -q 'Version: 0x1 ' <<<"$out"
}

test_unload()
{
	twamp_check "rmmod twamp" rmmod twamp && mod_is_gone
}

test_loop()
{
	local i

	mod_reset || return 1
	for i in $(seq "$LOOPS"); do
		twamp_check "insmod, round $i" twamp_insmod &&
		mod_is_live && family_works &&
		twamp_check "rmmod, round $i" rmmod twamp &&
		mod_is_gone || return 1
	done
}

test_netns()
{
	local ns init_clock

	mod_reset || return 1
	twamp_check "insmod" twamp_insmod || return 1
	twamp_netns_add ns a || return 1
	init_clock=$("$TWAMP_GENL" clock) || return 1

	twamp_check "INFO_GET in $ns" ip netns exec "$ns" "$TWAMP_GENL" info &&
	twamp_expect "default clock in $ns" "$DEFAULT_CLOCK" \
		ip netns exec "$ns" "$TWAMP_GENL" clock &&
	twamp_check "CLOCK_SET in $ns" \
		ip netns exec "$ns" "$TWAMP_GENL" clock-set 1 1000 &&
	twamp_expect "clock in $ns" "synced 1
error-ns 1000
error-estimate 0x8587" ip netns exec "$ns" "$TWAMP_GENL" clock &&
	twamp_expect "init_net clock untouched" "$init_clock" \
		"$TWAMP_GENL" clock || return 1

	# the namespace goes, with its state, the module stays
	twamp_netns_del "$ns"
	twamp_expect "init_net clock after netns deletion" "$init_clock" \
		"$TWAMP_GENL" clock &&
	twamp_check "rmmod after netns deletion" rmmod twamp && mod_is_gone
}

# The module goes while a namespace with state lives on, and comes back.
test_unload_live_netns()
{
	local ns

	mod_reset || return 1
	twamp_check "insmod" twamp_insmod || return 1
	twamp_netns_add ns b || return 1
	twamp_check "CLOCK_SET in $ns" \
		ip netns exec "$ns" "$TWAMP_GENL" clock-set 1 1000 &&
	twamp_check "rmmod with live netns" rmmod twamp && mod_is_gone &&
	twamp_check "netns survives" test -e "/run/netns/$ns" &&
	twamp_check_fails "family still in $ns" \
		ip netns exec "$ns" "$TWAMP_GENL" listed &&
	twamp_check "insmod again" twamp_insmod &&
	twamp_expect "fresh state in the existing $ns" "$DEFAULT_CLOCK" \
		ip netns exec "$ns" "$TWAMP_GENL" clock || return 1
	twamp_netns_del "$ns"
	twamp_check "rmmod" rmmod twamp && mod_is_gone
}

# Copy the module into $moddir/updates and index it, as `make install`
# would; the cleanup hook puts back what was there.
install_for_autoload()
{
	if ! [ -d "$moddir" ] || ! touch "$moddir/.twamp-selftest" 2>/dev/null; then
		TWAMP_SKIP_REASON="$moddir is not writable"
		return "$KSFT_SKIP"
	fi
	rm -f "$moddir/.twamp-selftest"
	command -v depmod >/dev/null || {
		TWAMP_SKIP_REASON="no depmod"
		return "$KSFT_SKIP"
	}

	mkdir -p "$moddir/updates" || return 1
	if [ -e "$moddir/updates/twamp.ko" ]; then
		backup=$(mktemp "${TMPDIR:-/tmp}/twamp.ko.XXXXXX") || return 1
		cp "$moddir/updates/twamp.ko" "$backup" || return 1
	fi
	installed=$moddir/updates/twamp.ko
	twamp_check "install into $moddir/updates" \
		cp "$TWAMP_KO" "$installed" &&
	twamp_check "depmod" depmod -a
}

# Installed and depmod'ed, the module loads on the first request to the
# family (from the initial namespace, then from another one). When
# modprobe already resolves twamp to this very module (tools/vm/run
# --module installs it, indexed on the host), it is used as it is: a
# depmod -a in the guest reads every module of the kernel, about a minute
# with 6.12's xz-compressed modules under emulation, twice with the
# cleanup's.
test_autoload()
{
	local ns indexed rc

	indexed=$(modinfo -n twamp 2>/dev/null)
	if [ -n "$indexed" ] && cmp -s "$indexed" "$TWAMP_KO"; then
		twamp_log "modprobe resolves twamp to $indexed, this module"
	else
		install_for_autoload
		rc=$?
		[ "$rc" -eq 0 ] || return "$rc"
	fi

	mod_reset && mod_is_gone || return 1
	twamp_check "request autoloads the module" "$TWAMP_GENL" info &&
	mod_is_live &&
	twamp_check "rmmod" rmmod twamp && mod_is_gone || return 1

	twamp_netns_add ns c || return 1
	twamp_check "request in $ns autoloads the module" \
		ip netns exec "$ns" "$TWAMP_GENL" info &&
	mod_is_live || return 1
	twamp_netns_del "$ns"
	twamp_check "rmmod" rmmod twamp && mod_is_gone
}

twamp_ktap_plan 9
twamp_run_test "modinfo: license, version, genl family alias" test_modinfo
twamp_run_test "insmod loads the module" test_load
twamp_run_test "family twamp registered, ABI 1" test_family
twamp_run_test "rmmod unloads it, family gone" test_unload
twamp_run_test "load/unload $LOOPS times" test_loop
twamp_run_test "family works in another netns, state per netns" test_netns
twamp_run_test "unload with a live netns, load again" test_unload_live_netns
twamp_run_test "autoload on the first request to the family" test_autoload
# last, so that it covers everything above
twamp_run_test "no kernel taint beyond O/E" twamp_no_new_taint
twamp_ktap_finish
