#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Install, with apt, every Debian package needed to build, test and run the
# project. Idempotent: only what is missing is installed, and it says what.
set -euo pipefail

packages=(
	# build
	build-essential pkg-config kmod
	linux-headers-amd64
	# the other kernels make check tests (tools/lib/kernels.sh): Debian
	# 12's 6.12 backport and its PREEMPT_RT flavour. The 6.12 metapackages
	# follow the newest 6.12 ABI, so a moved mirror still resolves.
	linux-image-6.12-amd64 linux-headers-6.12-amd64
	linux-image-6.12-rt-amd64 linux-headers-6.12-rt-amd64
	libmnl-dev libnl-genl-3-dev libssl-dev
	# twampd's metrics endpoint: the HTTP server (docs/metrics.md)
	libmicrohttpd-dev
	# make fuzz: clang's -fsanitize=fuzzer (libFuzzer is in libclang-rt)
	clang libclang-rt-14-dev
	# lint: sparse; checkpatch.pl and the kselftest harness come from the
	# kernel source
	sparse linux-source-6.1 xz-utils
	# make check-debug: building a kernel from linux-source-6.1
	flex bison bc libelf-dev
	# tests: the guest kernel and the machine it runs in
	linux-image-amd64 qemu-system-x86 busybox-static cpio gzip
	iproute2 tshark jq python3
	# twamp_reflector.sh: a firewall rule on the reflector's replies, a
	# device without checksum offload
	nftables ethtool
	# tools/check-unit.sh: systemd-analyze rates the unit's hardening
	systemd
	# tools/check-deb.sh: the Debian packages (debian/) and their lint
	debhelper dh-dkms dkms lintian dpkg-dev
	# twamp_twampd.py: the control crypto of authenticated, encrypted and
	# mixed mode clients; twamp_ureflect.py: the test packet crypto
	python3-cryptography
	# make regen: the kernel's YNL code generator and CLI
	# (tools/net/ynl) and the netlink spec schemas, from the 6.12 source
	# (6.1's ynl-gen cannot make a per-op policy table); the generator and
	# the CLI read YAML, the CLI validates the spec against the schema
	linux-source-6.12 python3-yaml python3-jsonschema
	# the metrics exposition read by real parsers: the host unit test
	# (tools/tests/unit_metrics.py: prometheus_client, promtool) and
	# twamp_metrics.sh, where Prometheus scrapes twampd in the guest
	python3-prometheus-client prometheus
)

missing=()
for p in "${packages[@]}"; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
			grep -q "install ok installed"; then
		missing+=("$p")
	fi
done

if [ ${#missing[@]} -eq 0 ]; then
	echo "deps: all ${#packages[@]} packages present"
	exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
	echo "deps: missing packages: ${missing[*]}" >&2
	echo "deps: run 'make deps' as root to install them" >&2
	exit 1
fi

echo "deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# The package lists may be empty or stale on a fresh machine.
apt-get update -q
apt-get install -y -q --no-install-recommends "${missing[@]}"
