# SPDX-License-Identifier: GPL-2.0
#
# Top-level build: twamp.ko (through Kbuild), the userspace programs, the
# selftests, and the targets that run them in a QEMU guest.

SHELL := /bin/bash
.SHELLFLAGS := -eo pipefail -c

VERSION := $(shell cat VERSION)
PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man
DESTDIR ?=

# The kernel to build against: KDIR= (a kernel tree or headers), or
# KERNEL= (a release, or an alias tools/kernel.sh knows: 6.1, 6.12,
# 6.12-rt), else the running kernel when its headers are installed, else
# the declared default, Debian 12's stock 6.1 -- never "the newest
# installed" (tools/kernel.sh).
ifeq ($(origin KDIR),undefined)
KERNEL ?= default
KERNEL_RELEASE := $(shell tools/kernel.sh resolve '$(KERNEL)')
KDIR := $(if $(KERNEL_RELEASE),/lib/modules/$(KERNEL_RELEASE)/build)
endif
# The release the kernel reports (uname -r), which is where modules go.
KVER = $(shell sed -n 's/^\#define UTS_RELEASE "\(.*\)"/\1/p' \
	$(KDIR)/include/generated/utsrelease.h 2>/dev/null)

BUILD := build
KSRC := $(BUILD)/ksrc
KSRC_TARBALL ?= $(firstword $(wildcard /usr/src/linux-source-*.tar.xz))
KSFT_DIR := $(CURDIR)/$(KSRC)/tools/testing/selftests

CC ?= gcc
PKG_CONFIG ?= pkg-config
WARN := -Wall -Wextra -Werror
CFLAGS ?= -O2 -g
CFLAGS += -std=gnu11 $(WARN) -Iuapi -Icommon -DTWAMP_VERSION='"$(VERSION)"'
# The preprocessor flags of the environment or the command line, e.g.
# Debian's hardening (dpkg-buildflags: -D_FORTIFY_SOURCE=2), reach every
# userspace compile (tools/check-deb.sh checks the packaged programs).
CFLAGS += $(CPPFLAGS)
LIBMNL_CFLAGS = $(shell $(PKG_CONFIG) --cflags libmnl)
LIBMNL_LIBS = $(shell $(PKG_CONFIG) --libs libmnl)
SAN_FLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer \
	-fno-sanitize-recover=all

# The twamp netlink helper and the key file check (common/), linked by
# twamp-ctl and twampd.
TNL_SRCS := common/tnl.c common/keyfile.c
TNL_HDRS := common/tnl.h common/keyfile.h
CTL_SRCS := $(wildcard tools/twamp-ctl/*.c) $(TNL_SRCS)
CTL_HDRS := $(wildcard tools/twamp-ctl/*.h) $(TNL_HDRS) uapi/linux/twamp.h
KMOD_SRCS = $(filter-out %.mod.c,$(wildcard kmod/*.c)) $(wildcard kmod/*.h)
KMOD_GEN := kmod/netlink-gen.c kmod/netlink-gen.h
CHECKPATCH = $(KSRC)/scripts/checkpatch.pl --strict --no-tree --terse
UNIT_SRCS := tools/tests/unit.c tools/tests/unit_ping.c tools/twamp-ctl/util.c \
	tools/twamp-ctl/metrics.c tools/tests/unit_cli.c \
	tools/twamp-ctl/probe_opts.c tools/twamp-ctl/probe_out.c \
	tools/twamp-ctl/suggest.c common/keyfile.c \
	tools/twamp-ctl/json_pretty.c

# The userspace library: the TWAMP-Control engine (common/control), for
# twampd and twamp-ctl (test is a Control-Client), and the test-packet
# logic of common/twpkt.c (Error Estimates, STAMP TLVs; freestanding, so
# that the kernel could compile it too), for twampd and twamp-ureflect.
# Built once per flavour as a static library, $(CONTROL_LIB) and, under
# ASan/UBSan, $(CONTROL_SAN_LIB): a program compiles with $(CONTROL_CFLAGS)
# and links the library, then $(CONTROL_LIBS). fuzz_*.c are libFuzzer
# targets, not part of it.
CONTROL_SRCS := $(filter-out common/control/fuzz_%.c,$(wildcard common/control/*.c)) \
	common/twpkt.c
CONTROL_HDRS := $(wildcard common/control/*.h) common/twpkt.h \
	uapi/linux/twamp_packet.h
CONTROL_CFLAGS = -Icommon/control $(shell $(PKG_CONFIG) --cflags libcrypto)
CONTROL_LIBS = $(shell $(PKG_CONFIG) --libs libcrypto)
CONTROL_LIB := $(BUILD)/common/libtwcontrol.a
CONTROL_SAN_LIB := $(BUILD)/san/common/libtwcontrol.a
CONTROL_OBJS := $(patsubst common/%.c,$(BUILD)/common/%.o,$(CONTROL_SRCS))
CONTROL_SAN_OBJS := $(patsubst common/%.c,$(BUILD)/san/common/%.o,$(CONTROL_SRCS))
FUZZ_TARGETS := $(patsubst common/control/fuzz_%.c,%,$(wildcard common/control/fuzz_*.c))
FUZZ_TIME ?= 20

.PHONY: all module programs selftests deps check check-debug check-vm lint \
	unit fuzz demo install install-module install-programs dkms-install clean

all: module programs selftests

module:
	@test -n "$(KDIR)" -a -d "$(KDIR)" || \
		{ echo "no kernel headers in '$(KDIR)'; run 'make deps' or set KDIR= or KERNEL=" >&2; exit 1; }
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

programs: $(BUILD)/twamp-ctl $(BUILD)/san/twamp-ctl
programs: $(BUILD)/twamp-ureflect $(BUILD)/san/twamp-ureflect

# twamp-ctl test is a Control-Client: it links the control engine.
$(BUILD)/twamp-ctl: $(CTL_SRCS) $(CTL_HDRS) $(CONTROL_LIB) $(CONTROL_HDRS) VERSION
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(LIBMNL_CFLAGS) $(CONTROL_CFLAGS) -o $@ $(CTL_SRCS) \
		$(CONTROL_LIB) $(LDFLAGS) $(LIBMNL_LIBS) $(CONTROL_LIBS)

# The same program under ASan/UBSan, used by the tests.
$(BUILD)/san/twamp-ctl: $(CTL_SRCS) $(CTL_HDRS) $(CONTROL_SAN_LIB) $(CONTROL_HDRS) \
		VERSION
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(SAN_FLAGS) $(LIBMNL_CFLAGS) $(CONTROL_CFLAGS) -o $@ \
		$(CTL_SRCS) $(CONTROL_SAN_LIB) $(LDFLAGS) $(LIBMNL_LIBS) \
		$(CONTROL_LIBS)

# The userspace reflector (daemon/ureflect.c) as a program of its own.
UREFL_SRCS := daemon/ureflect.c daemon/ureflect_main.c
UREFL_HDRS := daemon/ureflect.h $(CONTROL_HDRS)
UREFL_LIBS = $(CONTROL_LIBS) -pthread

$(BUILD)/twamp-ureflect: $(UREFL_SRCS) $(UREFL_HDRS) $(CONTROL_LIB)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -pthread -o $@ $(UREFL_SRCS) $(CONTROL_LIB) $(LDFLAGS) \
		$(UREFL_LIBS)

$(BUILD)/san/twamp-ureflect: $(UREFL_SRCS) $(UREFL_HDRS) $(CONTROL_SAN_LIB)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(SAN_FLAGS) -pthread -o $@ $(UREFL_SRCS) \
		$(CONTROL_SAN_LIB) $(LDFLAGS) $(UREFL_LIBS)

$(BUILD)/unit: $(UNIT_SRCS) $(CTL_HDRS) tools/tests/unit_check.h
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(SAN_FLAGS) -Itools/twamp-ctl -o $@ $(UNIT_SRCS)

$(BUILD)/common/%.o: common/%.c $(CONTROL_HDRS)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(CONTROL_CFLAGS) -c -o $@ $<

$(BUILD)/san/common/%.o: common/%.c $(CONTROL_HDRS)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(SAN_FLAGS) $(CONTROL_CFLAGS) -c -o $@ $<

$(CONTROL_LIB): $(CONTROL_OBJS)
	rm -f $@
	$(AR) rcs $@ $^

$(CONTROL_SAN_LIB): $(CONTROL_SAN_OBJS)
	rm -f $@
	$(AR) rcs $@ $^

# The control library's tests: the engine (unit_control.c, main()), the
# test-packet logic (unit_pkt.c) and twampd's config parser (unit_config.c).
UNIT_CONTROL_SRCS := tools/tests/unit_control.c tools/tests/unit_pkt.c \
	tools/tests/unit_config.c daemon/config.c

$(BUILD)/unit-control: $(UNIT_CONTROL_SRCS) $(CONTROL_SAN_LIB) $(CONTROL_HDRS) tools/tests/unit_check.h \
		daemon/config.h
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(SAN_FLAGS) $(CONTROL_CFLAGS) -Idaemon -pthread -o $@ \
		$(UNIT_CONTROL_SRCS) $(CONTROL_SAN_LIB) $(CONTROL_LIBS)

# twampd's metrics exposition (daemon/metrics_fmt.c) and its setting; the
# exposition is also checked by real parsers (tools/tests/unit_metrics.py).
# Debian's Python, which has Debian's python3-prometheus-client (a
# python3 earlier in PATH, e.g. pyenv's, would not).
DEB_PYTHON3 ?= /usr/bin/python3
UNIT_METRICS_SRCS := tools/tests/unit_metrics.c daemon/metrics_fmt.c \
	daemon/config.c

$(BUILD)/unit-metrics: $(UNIT_METRICS_SRCS) $(CONTROL_SAN_LIB) daemon/metrics_fmt.h \
		daemon/config.h tools/tests/unit_check.h uapi/linux/twamp.h
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(SAN_FLAGS) $(CONTROL_CFLAGS) -Idaemon -o $@ \
		$(UNIT_METRICS_SRCS) $(CONTROL_SAN_LIB) $(CONTROL_LIBS)

# libFuzzer targets over the control parser and server; each runs
# FUZZ_TIME seconds on its seed corpus (new inputs go under build/).
$(BUILD)/fuzz/fuzz_%: common/control/fuzz_%.c $(CONTROL_SRCS) $(CONTROL_HDRS)
	@mkdir -p $(@D)
	clang -std=gnu11 $(WARN) -g -O1 -Iuapi -Icommon $(CONTROL_CFLAGS) \
		-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
		-o $@ $< $(CONTROL_SRCS) $(CONTROL_LIBS)

fuzz: $(addprefix $(BUILD)/fuzz/fuzz_,$(FUZZ_TARGETS))
	@for t in $(FUZZ_TARGETS); do \
		mkdir -p $(BUILD)/fuzz/corpus-$$t; \
		echo "fuzz_$$t: $(FUZZ_TIME) s"; \
		$(BUILD)/fuzz/fuzz_$$t -max_total_time=$(FUZZ_TIME) \
			-print_final_stats=1 $(BUILD)/fuzz/corpus-$$t \
			common/control/corpus/$$t 2>&1 | \
			grep -E '^(stat::number_of_executed_units|stat::new_units_added|==[0-9]+==|SUMMARY)|ERROR|Done' || true; \
		test $${PIPESTATUS[0]} -eq 0 || exit 1; \
	done

# Kernel sources the project uses but does not copy: checkpatch.pl and the
# kselftest harness and runner.
$(KSRC)/.stamp:
	@test -n "$(KSRC_TARBALL)" || \
		{ echo "linux-source tarball missing; run 'make deps'" >&2; exit 1; }
	@mkdir -p $(KSRC)
	tar -xJf $(KSRC_TARBALL) -C $(KSRC) --strip-components=1 --wildcards \
		'*/scripts/checkpatch.pl' '*/scripts/spelling.txt' \
		'*/scripts/const_structs.checkpatch' \
		'*/tools/testing/selftests/kselftest*' \
		'*/tools/testing/selftests/lib.mk'
	@touch $@

# The generic netlink ABI is Documentation/netlink/specs/twamp.yaml; make
# regen generates from it, with the kernel's YNL generator, the uapi header
# and the kernel's policies and operation table, all committed
# (docs/netlink.md). The generator and the YNL CLI (tools/net/ynl) and the
# spec schemas come from linux-source-6.12, patched for what 6.12's
# generator cannot do yet (tools/ynl/ynl-gen-c.patch says what and why).
# ynl-gen-c.py names the spec by its path under a kernel tree, which it
# finds by a MAINTAINERS file: an empty one marks build/ynl as that tree.
YNL_TARBALL ?= /usr/src/linux-source-6.12.tar.xz
YNL := $(BUILD)/ynl
YNL_SPEC := Documentation/netlink/specs/twamp.yaml
YNL_GEN = python3 $(YNL)/tools/net/ynl/ynl-gen-c.py --spec $(YNL)/$(YNL_SPEC)
YNL_OUT := uapi/linux/twamp.h kmod/netlink-gen.h kmod/netlink-gen.c

$(YNL)/.stamp: tools/ynl/ynl-gen-c.patch
	@test -f "$(YNL_TARBALL)" || \
		{ echo "$(YNL_TARBALL) missing; run 'make deps'" >&2; exit 1; }
	rm -rf $(YNL)
	@mkdir -p $(YNL)
	tar -xJf $(YNL_TARBALL) -C $(YNL) --strip-components=1 --wildcards \
		'*/tools/net/ynl' '*/Documentation/netlink'
	patch -s -d $(YNL) -p1 <tools/ynl/ynl-gen-c.patch
	touch $(YNL)/MAINTAINERS
	@touch $@

# Into DIR (default: the tree), from the spec.
define ynl_gen
	@mkdir -p $(1)/uapi/linux $(1)/kmod $(YNL)/$(dir $(YNL_SPEC))
	cp $(YNL_SPEC) $(YNL)/$(YNL_SPEC)
	$(YNL_GEN) --mode uapi --header -o $(1)/uapi/linux/twamp.h
	$(YNL_GEN) --mode kernel --header -o $(1)/kmod/netlink-gen.h
	$(YNL_GEN) --mode kernel --source -o $(1)/kmod/netlink-gen.c
endef

.PHONY: regen regen-check abi-check
regen: $(YNL)/.stamp
	$(call ynl_gen,.)
	@$(MAKE) -s abi-check

# What CI runs (tools/check.sh): the committed files are what the spec
# generates, and the uapi header keeps every constant it ever had.
regen-check: $(YNL)/.stamp
	rm -rf $(BUILD)/regen
	$(call ynl_gen,$(BUILD)/regen)
	@for f in $(YNL_OUT); do \
		diff -u $$f $(BUILD)/regen/$$f || \
			{ echo "$$f is not what $(YNL_SPEC) generates: run 'make regen'" >&2; exit 1; }; \
	done
	@echo "regen-check: $(YNL_OUT) up to date"
	@$(MAKE) -s abi-check

# Every enumerator and #define of uapi/linux/twamp.h, by value as the C
# compiler sees it, is in uapi/linux/twamp.abi (made from the hand-written
# header the spec replaced): none renamed, renumbered or dropped. A new
# constant is added there with "tools/uapi-abi.sh uapi/linux/twamp.h".
abi-check:
	tools/uapi-abi.sh uapi/linux/twamp.h uapi/linux/twamp.abi

selftests: $(KSRC)/.stamp $(YNL)/.stamp
	$(MAKE) -C selftests KSFT_DIR=$(KSFT_DIR)

deps:
	@tools/deps.sh

unit: $(BUILD)/unit $(BUILD)/unit-control $(BUILD)/unit-metrics
	$(BUILD)/unit
	$(BUILD)/unit-control
	$(BUILD)/unit-metrics
	$(DEB_PYTHON3) tools/tests/unit_metrics.py $(BUILD)/unit-metrics

lint: $(KSRC)/.stamp
	$(CHECKPATCH) -f $(filter-out kmod/compat.h $(KMOD_GEN),$(KMOD_SRCS))
	# generated (make regen): ynl-gen writes a policy entry on one line
	# however long its names
	$(CHECKPATCH) --ignore LONG_LINE -f $(KMOD_GEN)
	# uapi headers are compiled by userspace too, where __packed is unknown
	# (checkpatch exempts only the in-tree include/uapi/ path)
	$(CHECKPATCH) --ignore PREFER_DEFINED_ATTRIBUTE_MACRO -f uapi/linux/*.h
	# the one file whose job is to test the kernel version
	$(CHECKPATCH) --ignore LINUX_VERSION_CODE,CONSTANT_COMPARISON -f kmod/compat.h
	$(MAKE) -C $(KDIR) M=$(CURDIR) C=2 modules 2>&1 | \
		tee $(BUILD)/sparse.log
	@! grep -E 'warning|error' $(BUILD)/sparse.log

# twampd, the TWAMP-Control server: daemon/*.c (but the standalone
# reflector's main), the userspace reflector and the twamp netlink helper,
# linked with the control library.
DAEMON_SRCS := $(filter-out daemon/ureflect_main.c,$(wildcard daemon/*.c)) \
	$(TNL_SRCS)
DAEMON_HDRS := $(wildcard daemon/*.h) $(CONTROL_HDRS) $(TNL_HDRS) \
	uapi/linux/twamp.h uapi/linux/twamp_packet.h
# The metrics endpoint's HTTP server (daemon/metrics.c): libmicrohttpd.
MHD_CFLAGS = $(shell $(PKG_CONFIG) --cflags libmicrohttpd)
MHD_LIBS = $(shell $(PKG_CONFIG) --libs libmicrohttpd)
DAEMON_LIBS = $(LIBMNL_LIBS) $(CONTROL_LIBS) $(MHD_LIBS) -pthread
SYSCONFDIR ?= /etc
# twampd is a daemon: a package puts it in /usr/sbin (SBINDIR=/usr/sbin).
SBINDIR ?= $(BINDIR)
UNITDIR ?= $(PREFIX)/lib/systemd/system

.PHONY: install-twampd

programs: $(BUILD)/twampd $(BUILD)/san/twampd

$(BUILD)/twampd: $(DAEMON_SRCS) $(CONTROL_LIB) $(DAEMON_HDRS) VERSION
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(LIBMNL_CFLAGS) $(MHD_CFLAGS) $(CONTROL_CFLAGS) -pthread \
		-o $@ $(DAEMON_SRCS) $(CONTROL_LIB) $(LDFLAGS) $(DAEMON_LIBS)

$(BUILD)/san/twampd: $(DAEMON_SRCS) $(CONTROL_SAN_LIB) $(DAEMON_HDRS) VERSION
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(SAN_FLAGS) $(LIBMNL_CFLAGS) $(MHD_CFLAGS) \
		$(CONTROL_CFLAGS) -pthread -o $@ $(DAEMON_SRCS) $(CONTROL_SAN_LIB) \
		$(LDFLAGS) $(DAEMON_LIBS)

install-programs: install-twampd

# The example config only where there is none: never over the admin's.
install-twampd: $(BUILD)/twampd
	install -D -m 0755 $(BUILD)/twampd $(DESTDIR)$(SBINDIR)/twampd
	install -D -m 0644 docs/twampd.8 $(DESTDIR)$(MANDIR)/man8/twampd.8
	install -d $(DESTDIR)$(UNITDIR)
	sed 's|@SBINDIR@|$(SBINDIR)|g; s|@SYSCONFDIR@|$(SYSCONFDIR)|g' \
		daemon/twampd.service >$(DESTDIR)$(UNITDIR)/twampd.service
	chmod 0644 $(DESTDIR)$(UNITDIR)/twampd.service
	test -e $(DESTDIR)$(SYSCONFDIR)/twamp/twampd.conf || \
		install -D -m 0644 daemon/twampd.conf \
			$(DESTDIR)$(SYSCONFDIR)/twamp/twampd.conf

# Everything CI runs; ends with "N passed, N failed".
check: deps
	@tools/check.sh

# The selftests on a debug kernel (KASAN, UBSAN, kmemleak, lockdep, ...),
# built from linux-source-6.1 on the first run and cached; ends with
# "N passed, N failed". See docs/testing.md.
# SUITES: some selftests only (e.g. SUITES="twamp_module.sh twamp_fault.sh")
check-debug: deps
	@tools/check-debug.sh $(SUITES)

demo: deps all
	tools/vm/run --kernel $(KVER) -- tools/demo.sh

# The benchmark, kernel data path against the userspace baseline, in the
# QEMU guest (docs/performance.md): under 10 minutes, prints a table and
# writes build/bench/bench-DATE.json. Not part of check; bench-smoke (one
# short run that checks every figure comes out) is.
BENCH_PROGS := $(BUILD)/twamp-ctl $(BUILD)/bench/twamp-bench-usend \
	$(BUILD)/bench/twamp-bench-bulk
# The baseline reflector is optional: without it that column is n/a.
BENCH_UREFLECT = $(MAKE) -s $(BUILD)/twamp-ureflect >/dev/null 2>&1 || \
	echo "bench: no $(BUILD)/twamp-ureflect: the baseline column will be n/a"
# The guest boots the kernel the module was built for (KERNEL=, KDIR=).
BENCH_VM = tools/vm/run --kernel $(KVER) --timeout $(or $(BENCH_TIMEOUT),900) --cpus 2 \
	--rw $(CURDIR)/$(BUILD)
BENCH_HOST = $$(nproc) CPUs, $$(sed -n 's/^model name[[:space:]]*: //p' \
	/proc/cpuinfo | head -n1), load average $$(cut -d' ' -f1-3 /proc/loadavg)

$(BUILD)/bench/twamp-bench-usend: tools/bench/usend.c uapi/linux/twamp_packet.h
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -o $@ $< $(LDFLAGS)

$(BUILD)/bench/twamp-bench-bulk: tools/bench/bulk.c uapi/linux/twamp.h
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(LIBMNL_CFLAGS) -o $@ $< $(LDFLAGS) $(LIBMNL_LIBS)

.PHONY: bench bench-smoke
bench: module $(BENCH_PROGS)
	@$(BENCH_UREFLECT)
	TWAMP_BENCH_HOST="$(BENCH_HOST)" $(BENCH_VM) -- tools/bench/bench.sh

bench-smoke: module $(BENCH_PROGS)
	@$(BENCH_UREFLECT)
	TWAMP_BENCH_SMOKE=1 TWAMP_BENCH_HOST="$(BENCH_HOST)" $(BENCH_VM) -- \
		tools/bench/bench.sh $(BUILD)/bench/smoke.json

install: install-module install-programs

# Into $(DESTDIR)/lib/modules/$(KVER)/updates/. depmod runs only for a
# live install (no DESTDIR), and then for $(KVER), the kernel the module
# was built for; a package made from a DESTDIR runs depmod when installed.
# Signed for Secure Boot with SIGN_KEY= and SIGN_CERT= (a Machine Owner
# Key: docs/install.md); the kernel tree's own signing key, which
# distribution headers do not ship, is not used (CONFIG_MODULE_SIG_ALL=).
SIGN_HASH ?= sha256
install-module: module
	$(if $(SIGN_KEY),$(KDIR)/scripts/sign-file $(SIGN_HASH) $(SIGN_KEY) \
		$(or $(SIGN_CERT),$(error SIGN_KEY needs SIGN_CERT)) kmod/twamp.ko)
	$(MAKE) -C $(KDIR) M=$(CURDIR) INSTALL_MOD_DIR=updates \
		$(if $(DESTDIR),INSTALL_MOD_PATH=$(abspath $(DESTDIR))) \
		KERNELRELEASE=$(KVER) DEPMOD=true CONFIG_MODULE_SIG_ALL= \
		modules_install
	$(if $(DESTDIR),@echo "install-module: DESTDIR set: not running depmod",depmod -a $(KVER))

install-programs: $(BUILD)/twamp-ctl $(BUILD)/twamp-ureflect
	install -D -m 0755 $(BUILD)/twamp-ctl $(DESTDIR)$(BINDIR)/twamp-ctl
	install -D -m 0755 $(BUILD)/twamp-ureflect \
		$(DESTDIR)$(BINDIR)/twamp-ureflect
	install -D -m 0644 docs/twamp-ctl.8 $(DESTDIR)$(MANDIR)/man8/twamp-ctl.8
	install -D -m 0644 docs/twamp-ureflect.8 \
		$(DESTDIR)$(MANDIR)/man8/twamp-ureflect.8
	install -D -m 0644 tools/completion/twamp-ctl \
		$(DESTDIR)$(PREFIX)/share/bash-completion/completions/twamp-ctl

# The module's sources as DKMS wants them, in $(DESTDIR)/usr/src/twamp-VERSION:
# used by dkms-install and by the twamp-dkms package (debian/rules).
DKMS_SRC = $(DESTDIR)/usr/src/twamp-$(VERSION)

.PHONY: install-dkms-src
install-dkms-src:
	rm -rf $(DKMS_SRC)
	install -d $(DKMS_SRC)/kmod $(DKMS_SRC)/uapi/linux
	install -m 0644 Kbuild VERSION $(DKMS_SRC)/
	install -m 0644 uapi/linux/*.h $(DKMS_SRC)/uapi/linux/
	install -m 0644 kmod/Kbuild $(filter-out %.mod.c,$(wildcard kmod/*.[ch])) \
		$(DKMS_SRC)/kmod/
	sed 's/#MODULE_VERSION#/$(VERSION)/' dkms.conf >$(DKMS_SRC)/dkms.conf
	chmod 0644 $(DKMS_SRC)/dkms.conf

# The Debian packages twamp-dkms, twampd and twamp-tools (debian/), checked
# and linted, in build/deb/.
.PHONY: deb
deb:
	@tools/check-deb.sh

# DKMS rebuilds the module for every kernel the host installs.
dkms-install:
	@command -v dkms >/dev/null || \
		{ echo "dkms is not installed: apt-get install dkms" >&2; exit 1; }
	$(MAKE) -s install-dkms-src DESTDIR=
	dkms add -m twamp -v $(VERSION)
	dkms build -m twamp -v $(VERSION) -k $(KVER)
	dkms install -m twamp -v $(VERSION) -k $(KVER)

clean:
	-$(MAKE) -C $(KDIR) M=$(CURDIR) clean
	-$(MAKE) -C selftests KSFT_DIR=$(KSFT_DIR) clean
	rm -rf $(BUILD)
