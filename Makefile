# etcd-probe and etcd-diag: one Makefile. `make`, `make check`, `make demo`, `make bench`,
# `make fuzz`, `make install PREFIX=/usr/local DESTDIR=`. Every target installs the Debian
# packages it needs when they are missing (tests/lib/need-packages.sh).

ifeq ($(origin CC),default)
CC = gcc
endif
PREFIX ?= /usr/local
DESTDIR ?=
B := build

PKGS_BUILD := make gcc pkg-config openssl libssl-dev libnghttp2-dev libprotobuf-c-dev \
	protobuf-c-compiler libsystemd-dev libjansson-dev libc-ares-dev libyaml-dev
# prometheus: for promtool alone (check metrics on --format=prometheus); need-packages.sh installs it
# without its Recommends and lets no service start. nagios4-core, icinga2-bin: the schedulers
# tests/integration/nagios_icinga.sh runs in the foreground (not the nagios4 and icinga2
# metapackages, which add apache2, php and the service units); groff-base, man-db: man_pages.sh.
PKGS_TEST := libcmocka-dev etcd-server etcd-client systemd-journal-remote shellcheck \
	systemd iproute2 procps clang valgrind python3 python3-hpack cppcheck strace curl prometheus \
	nagios4-core icinga2-bin icinga2-common groff-base man-db
NEED := sh tests/lib/need-packages.sh

LIBS_PC := libnghttp2 openssl libprotobuf-c libsystemd jansson libcares yaml-0.1
PC_CFLAGS = $(shell pkg-config --cflags $(LIBS_PC) 2>/dev/null)
PC_LIBS = $(shell pkg-config --libs $(LIBS_PC) 2>/dev/null)

# Bounded snprintf truncation is intended everywhere (gcc only knows the flag).
NO_TRUNC := $(shell $(CC) -Werror -Wno-format-truncation -E -x c /dev/null >/dev/null 2>&1 && echo -Wno-format-truncation)
WARN := -Wall -Wextra -Werror -Wshadow -Wformat=2 -Wno-format-nonliteral $(NO_TRUNC)
CFLAGS ?= -O2 -g
HARDEN := -D_FORTIFY_SOURCE=2 -fstack-protector-strong
ALL_CFLAGS = -std=c11 -D_GNU_SOURCE $(WARN) $(CFLAGS) $(HARDEN) -I. -I$(B)/gen $(PC_CFLAGS) -MMD -MP
SAN_CFLAGS = -std=c11 -D_GNU_SOURCE $(WARN) -O1 -g -fno-omit-frame-pointer \
	-fsanitize=address,undefined -fno-sanitize-recover=undefined -I. -I$(B)/gen $(PC_CFLAGS) -MMD -MP

GEN_C := $(B)/gen/etcd.pb-c.c
GEN_H := $(B)/gen/etcd.pb-c.h

PROTO_SRC := $(wildcard proto/*.c)
PROBE_SRC := $(filter-out probe/main.c,$(wildcard probe/*.c))
DIAG_SRC := $(filter-out diag/main.c,$(wildcard diag/*.c))
UNIT_SRC := $(wildcard tests/unit/test_*.c)
UNIT_BIN := $(patsubst tests/unit/%.c,$(B)/tests/%,$(UNIT_SRC))

obj = $(patsubst %.c,$(B)/obj/%.o,$(1))
sobj = $(patsubst %.c,$(B)/san/%.o,$(1))

PROTO_OBJ := $(call obj,$(PROTO_SRC)) $(B)/obj/gen/etcd.pb-c.o
PROBE_OBJ := $(call obj,$(PROBE_SRC))
DIAG_OBJ := $(call obj,$(DIAG_SRC))
SAN_OBJ := $(call sobj,$(PROTO_SRC) $(PROBE_SRC) $(DIAG_SRC)) $(B)/san/gen/etcd.pb-c.o

Q := @
.PHONY: all deps deps-test check unit integration demo bench fuzz install clean lint
.SUFFIXES:

all: deps $(B)/etcd-probe $(B)/etcd-diag

deps:
	$(Q)$(NEED) $(PKGS_BUILD)

deps-test: deps
	$(Q)$(NEED) $(PKGS_TEST)

$(GEN_C) $(GEN_H) &: proto/etcd.proto
	$(Q)mkdir -p $(B)/gen
	$(Q)protoc-c --c_out=$(B)/gen -Iproto proto/etcd.proto

$(B)/obj/gen/%.o: $(B)/gen/%.c
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(filter-out -Wshadow,$(ALL_CFLAGS)) -Wno-unused-parameter -c -o $@ $<
$(B)/san/gen/%.o: $(B)/gen/%.c
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(SAN_CFLAGS) -Wno-unused-parameter -c -o $@ $<

$(B)/obj/%.o: %.c $(GEN_H)
	$(Q)mkdir -p $(@D)
	@echo "  CC      $<"
	$(Q)$(CC) $(ALL_CFLAGS) -c -o $@ $<
$(B)/san/%.o: %.c $(GEN_H)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(SAN_CFLAGS) -c -o $@ $<

$(B)/libetcdproto.a: $(PROTO_OBJ)
	$(Q)rm -f $@ && ar rcs $@ $^
$(B)/libprobe.a: $(PROBE_OBJ)
	$(Q)rm -f $@ && ar rcs $@ $^
$(B)/libdiag.a: $(DIAG_OBJ)
	$(Q)rm -f $@ && ar rcs $@ $(if $^,$^,)
$(B)/libsan.a: $(SAN_OBJ)
	$(Q)rm -f $@ && ar rcs $@ $^

$(B)/etcd-probe: $(B)/obj/probe/main.o $(B)/libprobe.a $(B)/libetcdproto.a
	@echo "  LINK    $@"
	$(Q)$(CC) $(CFLAGS) -o $@ $^ $(PC_LIBS) -lm
$(B)/etcd-diag: $(B)/obj/diag/main.o $(B)/libdiag.a $(B)/libprobe.a $(B)/libetcdproto.a
	@echo "  LINK    $@"
	$(Q)$(CC) $(CFLAGS) -o $@ $^ $(PC_LIBS) -lm

# Unit tests: one cmocka binary per module, built with ASan+UBSan against every library object.
$(B)/tests/%: tests/unit/%.c $(B)/libsan.a
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(SAN_CFLAGS) -o $@ $< $(B)/libsan.a $(PC_LIBS) -lcmocka -lm

unit: deps-test $(UNIT_BIN)
	$(Q)TESTS=test_ sh tests/lib/run-all.sh $(UNIT_BIN)

integration: deps-test all
	$(Q)TESTS=$${TESTS:-.} sh tests/lib/run-all.sh

# The test command (README, .ci/run): unit tests under sanitizers, then integration tests
# against real etcd, then one closing tally line.
check: deps-test all $(UNIT_BIN)
	@echo "  CLANG   -Wall -Wextra -Werror build into $(B)/clang"
	$(Q)$(MAKE) --no-print-directory CC=clang B=$(B)/clang $(B)/clang/etcd-probe $(B)/clang/etcd-diag >/dev/null
	$(Q)sh tests/lib/run-all.sh $(UNIT_BIN)

lint: deps-test
	$(Q)shellcheck -S warning tests/lib/*.sh tests/integration/*.sh tests/faults/*.sh deploy/*.sh deploy/etcd-install .ci/run

demo: deps-test all
	$(Q)bash deploy/demo.sh

bench: deps-test all
	$(Q)bash tests/bench/bench.sh

# The fault matrix (issue 15, tests/faults/matrix.sh): real faults in a fresh real 3-member cluster
# per row, the probe's and the diagnosis' word against the truth, on each of FAULTS_VERSIONS.
# FAULTS_SHORT=1: one row per fault kind; FAULTS_ROWS=REGEX: those rows. Not in check (yet).
FAULTS_VERSIONS ?= 3.4 3.5.16
.PHONY: faults
faults: deps-test all
	$(Q)rc=0; for v in $(FAULTS_VERSIONS); do ETCD_VERSION=$$v bash tests/faults/matrix.sh || rc=1; done; exit $$rc

# The soak (issue 15, tests/faults/soak.sh): one real 3-member cluster for DURATION seconds whose
# members a schedule drawn from SEED stops, freezes, partitions and restores, the probe every
# second judged against the truth. SEED (default from the clock) is printed, so a run can be
# replayed; ETCD_VERSION as for faults (3.4, 3.5.16). Not in check.
DURATION ?= 300
SEED ?=
.PHONY: soak
soak: ETCD_VERSION ?= 3.4
soak: deps-test all
	$(Q)ETCD_VERSION=$(ETCD_VERSION) SOAK_DURATION=$(DURATION) SOAK_SEED=$(SEED) bash tests/faults/soak.sh

fuzz: deps-test
	$(Q)bash tests/fuzz/run.sh

install: all
	install -d $(DESTDIR)$(PREFIX)/bin
	install -m 0755 $(B)/etcd-probe $(B)/etcd-diag $(DESTDIR)$(PREFIX)/bin/
	install -m 0755 deploy/etcd-install $(DESTDIR)$(PREFIX)/bin/etcd-install
	install -d $(DESTDIR)$(PREFIX)/share/man/man1 $(DESTDIR)$(PREFIX)/share/man/man8
	install -m 0644 deploy/man/etcd-probe.1 deploy/man/etcd-diag.1 $(DESTDIR)$(PREFIX)/share/man/man1/
	install -m 0644 deploy/man/etcd-install.8 $(DESTDIR)$(PREFIX)/share/man/man8/

clean:
	rm -rf $(B)

-include $(shell find $(B) -name '*.d' 2>/dev/null)
