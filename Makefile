# vmmib: VM-MIB (RFC 7666) for Net-SNMP's snmpd, from libvirt.
#
#   make            build vmmib.so
#   make demo       run snmpd with the module against examples/hypervisor.xml
#   make check      build and run the whole test suite
#   make install    install the module and the MIB files (DESTDIR honoured)
#
# ./configure (from configure.ac) writes config.mk to override the paths below.

-include config.mk

CC          ?= cc
PKG_CONFIG  ?= pkg-config
NETSNMP_CONFIG ?= net-snmp-config
prefix      ?= /usr/local
datadir     ?= $(prefix)/share
# Net-SNMP's own dlmod directory: where `dlmod vmmib` finds the module.
DLMODDIR    ?= $(shell $(NETSNMP_CONFIG) --libdir 2>/dev/null | sed 's/^-L//')/snmp/dlmod
MIBDIR      ?= $(datadir)/snmp/mibs

CFLAGS      ?= -O2 -g
WARNINGS    := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes
DEPS_CFLAGS := $(shell $(PKG_CONFIG) --cflags libvirt libxml-2.0 2>/dev/null)
DEPS_LIBS   := $(shell $(PKG_CONFIG) --libs libvirt libxml-2.0 2>/dev/null) \
               -lnetsnmpagent -lnetsnmp -lpthread
BASE_CFLAGS := -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -fPIC \
               -fvisibility=hidden $(WARNINGS) $(DEPS_CFLAGS)

# SANITIZE=1 builds an ASan+UBSan module (build/asan/vmmib.so) for the suite.
ifeq ($(SANITIZE),1)
BUILDDIR    ?= build/asan
SAN_FLAGS   := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
else
BUILDDIR    ?= build
SAN_FLAGS   :=
endif

MODULE_SRCS := $(wildcard module/*.c)
MODULE_OBJS := $(patsubst module/%.c,$(BUILDDIR)/%.o,$(MODULE_SRCS))
MODULE      := $(BUILDDIR)/vmmib.so

# Pure-logic sources that the cmocka unit tests link directly.
PURE_SRCS   := module/vmstate.c module/indexstore.c module/config_parse.c module/domxml.c \
               module/snapshot.c
UNIT_TESTS  := $(patsubst tests/unit/%.c,build/unit/%,$(wildcard tests/unit/test_*.c))

.PHONY: all demo check check-unit check-integration deps install uninstall clean format \
        format-check dist distcheck

all: $(MODULE)

$(BUILDDIR)/%.o: module/%.c | $(BUILDDIR)
	$(CC) $(BASE_CFLAGS) $(SAN_FLAGS) $(CFLAGS) $(CPPFLAGS) -MMD -MP -c -o $@ $<

$(MODULE): $(MODULE_OBJS)
	$(CC) -shared $(SAN_FLAGS) $(LDFLAGS) -o $@ $^ $(DEPS_LIBS)

$(BUILDDIR) build/unit:
	mkdir -p $@

build/unit/%: tests/unit/%.c $(PURE_SRCS) | build/unit
	$(CC) $(BASE_CFLAGS) -fsanitize=address,undefined -fno-omit-frame-pointer $(CFLAGS) \
	    -Imodule -o $@ $< $(PURE_SRCS) -lcmocka $(shell $(PKG_CONFIG) --libs libxml-2.0)

deps:
	@tests/deps.sh

demo:
	@tests/deps.sh demo
	@$(MAKE) --no-print-directory all
	@tests/demo.sh $(MODULE)

check: deps
	@$(MAKE) --no-print-directory all
	@$(MAKE) --no-print-directory SANITIZE=1 all
	@$(MAKE) --no-print-directory $(UNIT_TESTS)
	@tests/run-all.sh

check-unit: $(UNIT_TESTS)
	@for t in $(UNIT_TESTS); do $$t || exit 1; done

install: $(MODULE)
	install -d $(DESTDIR)$(DLMODDIR) $(DESTDIR)$(MIBDIR)
	install -m 0644 $(MODULE) $(DESTDIR)$(DLMODDIR)/vmmib.so
	install -m 0644 mib/VM-MIB.txt mib/IANA-STORAGE-MEDIA-TYPE-MIB.txt $(DESTDIR)$(MIBDIR)/

uninstall:
	rm -f $(DESTDIR)$(DLMODDIR)/vmmib.so $(DESTDIR)$(MIBDIR)/VM-MIB.txt \
	      $(DESTDIR)$(MIBDIR)/IANA-STORAGE-MEDIA-TYPE-MIB.txt

format:
	clang-format -i module/*.c module/*.h tests/unit/*.c

format-check:
	clang-format --dry-run --Werror module/*.c module/*.h tests/unit/*.c

clean:
	rm -rf build tests/run

-include $(MODULE_OBJS:.o=.d)
