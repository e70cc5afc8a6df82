#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The privilege model and per-namespace limits, attacked as uid 1000 in
# root's namespace and in a user namespace of its own: twamp_security.py
# in a namespace of its own. Its KTAP output is this test's.

source "$(dirname "$(readlink -f "$0")")/lib.sh"

twamp_require_root
twamp_require_cmd ip python3 setpriv unshare
twamp_mod_get
case $? in
0) ;;
"$KSFT_SKIP") twamp_exit_skip "$TWAMP_SKIP_REASON" ;;
*) twamp_exit_fail "cannot load twamp.ko" ;;
esac
NS=
twamp_netns_add NS security || twamp_exit_fail "cannot create a namespace"
ip -n "$NS" link set lo up
export TWAMP_CTL
ip netns exec "$NS" python3 "$TWAMP_ST_DIR/twamp_security.py"
