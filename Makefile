# vmmib: VM-MIB (RFC 7666) for Net-SNMP's snmpd, from libvirt.
#
#   make            build vmmib.so and vmmib-agentx (the same module as an AgentX subagent)
#   make demo       run snmpd with the module against examples/hypervisor.xml
#   make check      build and run the whole test suite
#   make bench      vmmib at 1,000 to 50,000 VMs beside snmpd's floor (not part of make check)
#   make bench-agentx  the full walk through the dlmod and through AgentX,
#                   side by side (not part of make check)
#   make soak       the fault suite (about 10 minutes; not part of make check)
#   make install    install the module, the MIB files (with the standard modules
#                   VM-MIB imports) and the manual page where snmpd and the
#                   Net-SNMP tools find them, and vmmib-agentx in $(sbindir)
#                   (DESTDIR honoured)
#
# ./configure (from configure.ac) writes config.mk to override the paths below.

-include config.mk

CC          ?= cc
PKG_CONFIG  ?= pkg-config
NETSNMP_CONFIG ?= net-snmp-config
prefix      ?= /usr/local
datadir     ?= $(prefix)/share
mandir      ?= $(datadir)/man
sbindir     ?= $(prefix)/sbin
# vmmib-agentx's persistent directory (vmIndex assignments) unless
# SNMP_PERSISTENT_DIR says otherwise; beside Net-SNMP's /var/lib/snmp,
# whatever the prefix.
AGENTX_STATEDIR ?= /var/lib/vmmib
# What snmpd and the Net-SNMP tools must find goes where Net-SNMP looks,
# whatever the prefix (the prefix moves only the manual page and vmmib's own
# copy of the standard MIB modules):
#   DLMODDIR     Net-SNMP's dlmod directory (`dlmod vmmib` finds the module there)
#   MIBDIR       Net-SNMP's MIB directory, on its default search path: VM-MIB.txt
#                and IANA-STORAGE-MEDIA-TYPE-MIB.txt
#   SNMPCONFDIR  a directory of Net-SNMP's configuration search path: its
#                snmp.conf adds IMPORTSDIR to the MIB search path
#   IMPORTSDIR   the IETF/IANA modules VM-MIB imports (mib/imports), which
#                Debian's Net-SNMP does not ship
NETSNMP_PREFIX := $(shell $(NETSNMP_CONFIG) --prefix 2>/dev/null)
DLMODDIR    ?= $(shell $(NETSNMP_CONFIG) --libdir 2>/dev/null | sed 's/^-L//')/snmp/dlmod
SNMPCONFDIR ?= $(NETSNMP_PREFIX)/share/snmp
MIBDIR      ?= $(SNMPCONFDIR)/mibs
IMPORTSDIR  ?= $(datadir)/vmmib/mibs

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

# The module's three worlds and its entry: poll/ (libvirt threads), model/
# (plain C), agent/ (snmpd's main thread), vmmib.c (init, deinit, the round).
MODULE_SRCS := module/vmmib.c $(wildcard module/poll/*.c module/model/*.c module/agent/*.c)
MODULE_OBJS := $(patsubst module/%.c,$(BUILDDIR)/%.o,$(MODULE_SRCS))
MODULE      := $(BUILDDIR)/vmmib.so
MODULE_HDRS := $(wildcard module/*/*.h)

# vmmib-agentx: the module's objects (the same ones vmmib.so is linked from)
# with an entry of its own in agentx/.  It links libnetsnmpmibs for the
# processor and filesystem enumerations behind vmCpuPhysIndex and
# vmStorageParent, which snmpd has and a bare subagent lacks.
AGENTX_SRCS := $(wildcard agentx/*.c)
AGENTX_OBJS := $(patsubst agentx/%.c,$(BUILDDIR)/agentx/%.o,$(AGENTX_SRCS))
AGENTX      := $(BUILDDIR)/vmmib-agentx
AGENTX_LIBS := $(shell $(PKG_CONFIG) --libs libvirt libxml-2.0 2>/dev/null) \
               -lnetsnmpmibs -lnetsnmpagent -lnetsnmp -lpthread
VERSION_STR := $(shell awk -F'[][]' '/^AC_INIT/ { print $$4; exit }' configure.ac)

# The cmocka unit tests link the model as a whole.
MODEL_SRCS  := $(wildcard module/model/*.c)
UNIT_TESTS  := $(patsubst tests/unit/%.c,build/unit/%,$(wildcard tests/unit/test_*.c))

.PHONY: all demo check bench bench-agentx check-unit check-integration check-layers deps install \
        uninstall clean format format-check dist distcheck soak

all: $(MODULE) $(AGENTX)

$(BUILDDIR)/%.o: module/%.c
	@mkdir -p $(dir $@)
	$(CC) $(BASE_CFLAGS) $(SAN_FLAGS) $(CFLAGS) $(CPPFLAGS) -MMD -MP -c -o $@ $<

$(MODULE): $(MODULE_OBJS)
	$(CC) -shared $(SAN_FLAGS) $(LDFLAGS) -o $@ $^ $(DEPS_LIBS)

$(BUILDDIR)/agentx/%.o: agentx/%.c
	@mkdir -p $(dir $@)
	$(CC) $(BASE_CFLAGS) $(SAN_FLAGS) $(CFLAGS) $(CPPFLAGS) \
	    -DVMMIB_VERSION='"$(VERSION_STR)"' -DVMMIB_AGENTX_STATEDIR='"$(AGENTX_STATEDIR)"' \
	    -MMD -MP -c -o $@ $<

$(AGENTX): $(AGENTX_OBJS) $(MODULE_OBJS)
	$(CC) $(SAN_FLAGS) $(LDFLAGS) -o $@ $^ $(AGENTX_LIBS)

build/unit:
	mkdir -p $@

build/unit/%: tests/unit/%.c $(MODEL_SRCS) $(wildcard module/model/*.h) | build/unit
	$(CC) $(BASE_CFLAGS) -fsanitize=address,undefined -fno-omit-frame-pointer $(CFLAGS) \
	    -Imodule/model -o $@ $< $(MODEL_SRCS) -lcmocka $(shell $(PKG_CONFIG) --libs libxml-2.0)

deps:
	@tests/deps.sh

demo:
	@tests/deps.sh demo
	@$(MAKE) --no-print-directory all
	@tests/demo.sh $(MODULE)

check: deps
	@$(MAKE) --no-print-directory check-layers format-check
	@$(MAKE) --no-print-directory all
	@$(MAKE) --no-print-directory SANITIZE=1 all
	@$(MAKE) --no-print-directory $(UNIT_TESTS)
	@tests/run-all.sh

# make bench (not part of make check; root, a few minutes): vmmib at 1,000 to
# 50,000 VMs against snmpd's own floor; see bench/run.sh.
BENCH_TOOLS := build/bench/vmmibfloor.so build/bench/getlat

build/bench/vmmibfloor.so: bench/floor.c
	@mkdir -p $(dir $@)
	$(CC) $(BASE_CFLAGS) $(CFLAGS) -shared -o $@ $< -lnetsnmpagent -lnetsnmp

build/bench/getlat: bench/getlat.c
	@mkdir -p $(dir $@)
	$(CC) -std=c11 $(WARNINGS) $(CFLAGS) -o $@ $<

bench: deps
	@$(MAKE) --no-print-directory all $(BENCH_TOOLS)
	@bench/run.sh

bench-agentx: all
	@tests/bench-agentx.sh $(BENCH_ARGS)

# The fault suite (issue 15): reloads, libvirtd restarts and hangs, fuzzed
# SETs, kill -9 during churn.  Bounded (about 10 minutes), prints figures.
soak: deps
	@$(MAKE) --no-print-directory all
	@tests/soak/run.sh

check-unit: $(UNIT_TESTS)
	@for t in $(UNIT_TESTS); do $$t || exit 1; done

# The one rule of the layout: each folder is one world.  poll/ never sees
# Net-SNMP, agent/ never sees libvirt, model/ sees neither (nor poll/ or
# agent/), and nothing below the entry includes vmmib.c's world upwards.
# agentx/, the subagent's entry, links the module whole and calls only its
# init_vmmib/deinit_vmmib.
check-layers:
	@bad=0; \
	if grep -n '#include.*net-snmp' module/poll/*.[ch]; then \
	    echo "check-layers: module/poll/ includes Net-SNMP" >&2; bad=1; fi; \
	if grep -n '#include.*libvirt' module/agent/*.[ch]; then \
	    echo "check-layers: module/agent/ includes libvirt" >&2; bad=1; fi; \
	if grep -nE '#include.*(net-snmp|libvirt|"\.\./(poll|agent)/)' module/model/*.[ch]; then \
	    echo "check-layers: module/model/ includes Net-SNMP, libvirt, poll/ or agent/" >&2; bad=1; fi; \
	if grep -nE '#include "\.\./agent/' module/poll/*.[ch]; then \
	    echo "check-layers: module/poll/ includes agent/" >&2; bad=1; fi; \
	if grep -nE '#include "\.\./poll/' module/agent/*.[ch] | grep -v '"\.\./poll/control\.h"'; then \
	    echo "check-layers: module/agent/ includes poll/ beyond the SET crossing (control.h)" >&2; bad=1; fi; \
	if grep -nE '#include.*(libvirt|module/|"\.\./)' agentx/*.[ch]; then \
	    echo "check-layers: agentx/ reaches into libvirt or the module (it calls init_vmmib/deinit_vmmib only)" >&2; bad=1; fi; \
	if [ $$bad -eq 0 ]; then echo "check-layers: poll/, model/ and agent/ keep to their worlds; agentx/ only calls the module's entry"; fi; \
	exit $$bad

IMPORT_MIBS := $(wildcard mib/imports/*.txt)
# The marker that tells our snmp.conf from anyone else's.
SNMPCONF_MARK := Installed by vmmib

install: $(MODULE) $(AGENTX)
	@f='$(DESTDIR)$(SNMPCONFDIR)/snmp.conf'; \
	if [ -f "$$f" ] && ! grep -q '$(SNMPCONF_MARK)' "$$f"; then \
	    echo "make install: $$f exists and is not vmmib's; add this line to it" >&2; \
	    echo "  (or to /etc/snmp/snmp.conf) and run make install SNMPCONFDIR=<another dir>:" >&2; \
	    echo "    mibdirs -$(IMPORTSDIR)" >&2; exit 1; fi
	install -d $(DESTDIR)$(DLMODDIR) $(DESTDIR)$(MIBDIR) $(DESTDIR)$(IMPORTSDIR) \
	    $(DESTDIR)$(SNMPCONFDIR) $(DESTDIR)$(mandir)/man8 $(DESTDIR)$(sbindir)
	install -m 0644 $(MODULE) $(DESTDIR)$(DLMODDIR)/vmmib.so
	install -m 0755 $(AGENTX) $(DESTDIR)$(sbindir)/vmmib-agentx
	install -m 0644 mib/VM-MIB.txt mib/IANA-STORAGE-MEDIA-TYPE-MIB.txt $(DESTDIR)$(MIBDIR)/
	install -m 0644 $(IMPORT_MIBS) $(DESTDIR)$(IMPORTSDIR)/
	sed 's|@IMPORTSDIR@|$(IMPORTSDIR)|g' mib/snmp.conf.in >$(DESTDIR)$(SNMPCONFDIR)/snmp.conf
	chmod 0644 $(DESTDIR)$(SNMPCONFDIR)/snmp.conf
	install -m 0644 doc/vmmib.8 doc/vmmib-agentx.8 $(DESTDIR)$(mandir)/man8/
	@echo "installed; load the module with this line in snmpd.conf (or a file in /etc/snmp/snmpd.conf.d/):"
	@echo "    dlmod vmmib $(DLMODDIR)/vmmib.so"

uninstall:
	rm -f $(DESTDIR)$(DLMODDIR)/vmmib.so $(DESTDIR)$(MIBDIR)/VM-MIB.txt \
	      $(DESTDIR)$(MIBDIR)/IANA-STORAGE-MEDIA-TYPE-MIB.txt
	rm -f $(addprefix $(DESTDIR)$(IMPORTSDIR)/,$(notdir $(IMPORT_MIBS)))
	-rmdir $(DESTDIR)$(IMPORTSDIR) $(DESTDIR)$(datadir)/vmmib 2>/dev/null
	@f='$(DESTDIR)$(SNMPCONFDIR)/snmp.conf'; \
	if [ -f "$$f" ] && grep -q '$(SNMPCONF_MARK)' "$$f"; then echo "rm -f $$f"; rm -f "$$f"; fi
	rm -f $(DESTDIR)$(mandir)/man8/vmmib.8 $(DESTDIR)$(mandir)/man8/vmmib-agentx.8
	rm -f $(DESTDIR)$(sbindir)/vmmib-agentx

FORMAT_FILES = module/*.c module/*/*.[ch] agentx/*.[ch] tests/unit/*.c bench/*.c

format:
	clang-format -i $(FORMAT_FILES)

format-check:
	@clang-format --dry-run --Werror $(FORMAT_FILES) && echo "format-check: clean"

clean:
	rm -rf build tests/run

-include $(MODULE_OBJS:.o=.d) $(AGENTX_OBJS:.o=.d)

# ---------------------------------------------------------------------------
# Release tarball.
#   make dist       vmmib-$(VERSION).tar.gz: everything needed to build, test
#                   and package (not the build output, not tests/run)
#   make distcheck  unpack that tarball in a temporary directory, build it,
#                   run the unit tests, install it into a DESTDIR and check that
#                   the module, the MIB files, snmp.conf and the man page were
#                   installed
# VERSION is AC_INIT's version in configure.ac.
VERSION     := $(shell awk -F'[][]' '/^AC_INIT/ { print $$4; exit }' configure.ac)
DISTNAME    := vmmib-$(VERSION)
DIST_FILES  := Makefile configure.ac config.mk.in module agentx mib tests bench examples debian doc \
               README.md COPYING .clang-format
# Never shipped: test output and what a package build leaves in debian/.
DIST_EXCLUDES := --exclude=./tests/run --exclude=./debian/vmmib --exclude=./debian/tmp \
               --exclude=./debian/.debhelper --exclude=./debian/files \
               --exclude='./debian/*.substvars' --exclude='./debian/*.debhelper.log' \
               --exclude=./debian/debhelper-build-stamp --exclude=./debian/vmmib-snmpd.conf

.PHONY: dist distcheck

dist:
	@test -n "$(VERSION)" || { echo "dist: no version in configure.ac's AC_INIT" >&2; exit 1; }
	@grep -q '^\.TH VMMIB 8 .*"vmmib $(VERSION)"' doc/vmmib.8 || \
	    { echo "dist: doc/vmmib.8's .TH line does not say vmmib $(VERSION)" >&2; exit 1; }
	@grep -q '^\.TH VMMIB-AGENTX 8 .*"vmmib $(VERSION)"' doc/vmmib-agentx.8 || \
	    { echo "dist: doc/vmmib-agentx.8's .TH line does not say vmmib $(VERSION)" >&2; exit 1; }
	@head -1 debian/changelog | grep -q '^vmmib ($(VERSION)[-)]' || \
	    { echo "dist: debian/changelog's first entry is not for $(VERSION)" >&2; exit 1; }
	rm -f $(DISTNAME).tar.gz
	tar --sort=name --owner=0 --group=0 --numeric-owner --exclude-vcs $(DIST_EXCLUDES) \
	    --transform 's,^\.,$(DISTNAME),' -czf $(DISTNAME).tar.gz $(addprefix ./,$(DIST_FILES))
	@echo "wrote $(DISTNAME).tar.gz ($$(tar -tzf $(DISTNAME).tar.gz | grep -vc '/$$') files)"

distcheck: dist
	@set -e; tmp=$$(mktemp -d "$${TMPDIR:-/tmp}/vmmib-distcheck.XXXXXX"); \
	trap 'rm -rf "$$tmp"' EXIT; \
	echo "== distcheck in $$tmp"; \
	tar -xzf $(DISTNAME).tar.gz -C "$$tmp"; \
	src=$$tmp/$(DISTNAME); \
	$(MAKE) --no-print-directory -C "$$src"; \
	$(MAKE) --no-print-directory -C "$$src" check-unit; \
	$(MAKE) --no-print-directory -C "$$src" install DESTDIR="$$tmp/inst"; \
	missing=0; \
	for f in '*/snmp/dlmod/vmmib.so' '*/snmp/mibs/VM-MIB.txt' \
	         '*/snmp/mibs/IANA-STORAGE-MEDIA-TYPE-MIB.txt' '*/vmmib/mibs/SNMPv2-SMI.txt' \
	         '*/vmmib/mibs/UUID-TC-MIB.txt' '*/snmp/snmp.conf' '*/man/man8/vmmib.8' \
	         '*/sbin/vmmib-agentx' '*/man/man8/vmmib-agentx.8'; do \
	    found=$$(cd "$$tmp/inst" && find . -path "./$$f" -type f | head -1); \
	    if [ -n "$$found" ]; then echo "  installed $${found#.}"; \
	    else echo "  MISSING $$f" >&2; missing=1; fi; \
	done; \
	[ $$missing -eq 0 ]; \
	$(MAKE) --no-print-directory -C "$$src" uninstall DESTDIR="$$tmp/inst"; \
	left=$$(find "$$tmp/inst" -type f); \
	[ -z "$$left" ] || { echo "uninstall left: $$left" >&2; exit 1; }; \
	( cd "$$src" && $(MAKE) --no-print-directory dist >/dev/null ); \
	tar -tzf $(DISTNAME).tar.gz | sort >"$$tmp/list1"; \
	tar -tzf "$$src/$(DISTNAME).tar.gz" | sort >"$$tmp/list2"; \
	cmp -s "$$tmp/list1" "$$tmp/list2" || { \
	    echo "distcheck: a tarball made from the tarball lists other files:" >&2; \
	    diff "$$tmp/list1" "$$tmp/list2" >&2; exit 1; }; \
	echo "$(DISTNAME).tar.gz is ready for distribution"
