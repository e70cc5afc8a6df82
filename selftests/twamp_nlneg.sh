#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Negative tests of the generic netlink ABI, by twamp_nlneg.py in a
# namespace of its own: every rejection path of kmod/netlink.c with its
# errno and extended ack message, EPERM without CAP_NET_ADMIN, and test
# keys never returned. Its KTAP output is this test's.

source "$(dirname "$(readlink -f "$0")")/lib.sh"

twamp_require_root
twamp_require_cmd ip python3
twamp_mod_get
case $? in
0) ;;
"$KSFT_SKIP") twamp_exit_skip "$TWAMP_SKIP_REASON" ;;
*) twamp_exit_fail "cannot load twamp.ko" ;;
esac
NS=
twamp_netns_add NS nlneg || twamp_exit_fail "cannot create a namespace"
ip netns exec "$NS" python3 "$TWAMP_ST_DIR/twamp_nlneg.py"
