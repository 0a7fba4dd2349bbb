# bistandd — build, development run, tests, install.
#
#   make run     install missing Debian packages (as root), build, create
#                development certificates, start the daemon on 127.0.0.1:8443
#   make check   the same set-up, then every test (also under ASan+UBSan)
#
# Variant builds live in their own directories (BUILD=...), so the plain
# and the sanitizer objects never mix.

PREFIX		?= /usr/local
BINDIR		?= $(PREFIX)/bin
SBINDIR		?= $(PREFIX)/sbin
DATADIR		?= $(PREFIX)/share/bistand
MANDIR		?= $(PREFIX)/share/man
sysconfdir	?= /etc
CONFDIR		?= $(sysconfdir)/bistand
DESTDIR		?=

BUILD		?= build
CC		?= cc
PKGS		 = libevent libevent_openssl libevent_pthreads openssl libxml-2.0 \
		   lua5.4
SAN_FLAGS	 = -fsanitize=address,undefined -fno-omit-frame-pointer \
		   -fno-sanitize-recover=undefined

PKG_CFLAGS	:= $(shell pkg-config --cflags $(PKGS) check 2>/dev/null)
PKG_LIBS	:= $(shell pkg-config --libs $(PKGS) 2>/dev/null)
CHECK_LIBS	:= $(shell pkg-config --libs check 2>/dev/null)

CFLAGS		?= -O2 -g
CFLAGS		+= -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror \
		   -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
		   -Iinclude $(PKG_CFLAGS) \
		   -DBISTAND_DATADIR='"$(DATADIR)"' \
		   -DBISTAND_CONFDIR='"$(CONFDIR)"'
LDLIBS		+= $(PKG_LIBS) -lpthread
ifeq ($(SAN),1)
CFLAGS		+= $(SAN_FLAGS)
LDFLAGS		+= $(SAN_FLAGS)
endif

# Everything but the two main programs is shared by the daemon, the
# client and the unit tests.
CTL_SRCS	 = daemon/bistandctl.c $(wildcard daemon/ctl_*.c)
LIB_SRCS	 = $(filter-out daemon/main.c $(CTL_SRCS), \
		     $(wildcard daemon/*.c))
LIB_OBJS	 = $(LIB_SRCS:daemon/%.c=$(BUILD)/obj/%.o)
UNIT_TESTS	 = $(patsubst tests/%.c,%,$(wildcard tests/check_*.c))
UNIT_BINS	 = $(UNIT_TESTS:%=$(BUILD)/tests/%)

DEPS_DEBIAN	 = build-essential pkg-config libevent-dev libssl-dev \
		   libxml2-dev liblua5.4-dev lua5.4 check openssl curl \
		   libxml2-utils mandoc systemd valgrind

.PHONY: all deps run check unit rulecheck integration opscheck hostile valgrind \
	install clean devcerts bench
.DELETE_ON_ERROR:

all: $(BUILD)/bistandd $(BUILD)/bistandctl

$(BUILD)/obj/%.o: daemon/%.c $(wildcard include/*.h daemon/*.h) | $(BUILD)/obj
	$(CC) $(CFLAGS) -c -o $@ $<

$(BUILD)/obj $(BUILD)/tests:
	mkdir -p $@

$(BUILD)/bistandd: $(BUILD)/obj/main.o $(LIB_OBJS)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/bistandctl: $(CTL_SRCS:daemon/%.c=$(BUILD)/obj/%.o) $(LIB_OBJS)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# check_audit fails chosen fdatasyncs of the writer and fsyncs of a
# directory (a file's sync failing on its own, which no resource limit
# can make happen).
TEST_LDFLAGS_check_audit = -Wl,--wrap=fdatasync -Wl,--wrap=fsync
$(BUILD)/tests/%: tests/%.c $(LIB_OBJS) $(wildcard include/*.h) | $(BUILD)/tests
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(LIB_OBJS) $(TEST_LDFLAGS_$*) \
	    $(LDLIBS) $(CHECK_LIBS)

# Install what is missing, as root; otherwise say exactly what to run.
deps:
	@missing=""; for p in $(DEPS_DEBIAN); do \
	    dpkg-query -W -f='$${Status}' $$p 2>/dev/null | \
	        grep -q 'install ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ]; then \
	    echo "deps: installing$$missing"; \
	    apt-get update -qq && \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	else \
	    echo "deps: missing Debian packages; run:"; \
	    echo "    sudo apt-get install$$missing"; exit 1; \
	fi

# Development certificates: created once, kept on later runs.
devcerts: run/tls/ca.crt
run/tls/ca.crt: tests/mkcerts.sh
	@if [ ! -f $@ ]; then sh tests/mkcerts.sh run/tls; fi

run/bistandd.conf: tests/devconf.sh
	@if [ -f $@ ] && ! grep -q '^rules_dir' $@; then \
	    echo "run/bistandd.conf predates the rule set: rewriting it"; \
	    rm -f $@; fi
	@if [ ! -f $@ ]; then sh tests/devconf.sh "$(CURDIR)" > $@; fi

# Each prerequisite is made by a make of its own, after deps, because
# the pkg-config flags are read when make starts.
run: deps
	@$(MAKE) --no-print-directory all devcerts run/bistandd.conf
	exec $(BUILD)/bistandd -d -f run/bistandd.conf

check: deps
	@$(MAKE) --no-print-directory unit
	@$(MAKE) --no-print-directory BUILD=build/asan SAN=1 unit
	@$(MAKE) --no-print-directory fuzzreplay
	@$(MAKE) --no-print-directory BUILD=build/asan SAN=1 rulecheck
	@$(MAKE) --no-print-directory BUILD=build/asan SAN=1 integration
	@$(MAKE) --no-print-directory BUILD=build/asan SAN=1 hostile
	@$(MAKE) --no-print-directory opscheck

# Hostile requests and faults against the real daemon (issue 7).
hostile: all
	BISTAND_BUILD="$(CURDIR)/$(BUILD)" BISTAND_SAN="$(SAN)" \
	    bash tests/hostile.sh

# memcheck over the unit suites and the daemon of integration.sh (no
# error, nothing definitely lost); .ci/run runs it after check.
valgrind: deps
	@$(MAKE) --no-print-directory all $(UNIT_BINS)
	sh tests/valgrind.sh $(BUILD)

# Operations: the unit's systemd-analyze security score and verify, and
# make install DESTDIR=… checked file by file (man pages linted).
opscheck:
	sh tests/check_systemd.sh
	sh tests/check_install.sh

unit: all $(UNIT_BINS)
	@set -e; for t in $(UNIT_BINS); do echo "== $$t"; \
	    BISTAND_SRCDIR="$(CURDIR)" $$t; done

# The rule set alone (Lua), the same cases through the C engine, and the
# auditor's shell verifier against trails made from the format document.
rulecheck: all
	lua5.4 rules/tests/run.lua
	lua5.4 rules/tests/engine.lua $(BUILD)/bistandctl etc/application.xsd rules
	SWEEP=0 sh tests/check_audit_verify.sh

integration: all
	BISTAND_BUILD="$(CURDIR)/$(BUILD)" sh tests/integration.sh
	BISTAND_BUILD="$(CURDIR)/$(BUILD)" bash tests/integration_audit.sh
	BISTAND_BUILD="$(CURDIR)/$(BUILD)" bash tests/integration_queue.sh
	BISTAND_BUILD="$(CURDIR)/$(BUILD)" bash tests/integration_client.sh

# Explicit modes everywhere: programs 0755, the configuration 0640 (it
# names the key files), everything else 0644, directories 0755. Paths in
# the man pages, the unit and the commented configuration are rewritten
# from the defaults (/usr/local/share/bistand, /etc/bistand, /usr/sbin)
# to this installation's DATADIR, CONFDIR and SBINDIR.
#
# The unit goes where Debian 12 puts packaged units: /lib/systemd/system
# for PREFIX=/usr (`pkg-config --variable=systemdsystemunitdir systemd`
# on bookworm; /lib is /usr/lib on merged-/usr systems, but dpkg knows
# bookworm's units by their /lib path), else $(PREFIX)/lib/systemd/system
# (/usr/local/lib/systemd/system is on systemd's search path). sysusers.d
# and tmpfiles.d are under /usr/lib for PREFIX=/usr, as pkg-config says.
# SYSTEMDUNITDIR, SYSUSERSDIR and TMPFILESDIR override them.
install: all
	@set -e; \
	if [ "$(PREFIX)" = /usr ]; then \
	    unitdir=/lib/systemd/system; libdir=/usr/lib; \
	else \
	    unitdir="$(PREFIX)/lib/systemd/system"; libdir="$(PREFIX)/lib"; \
	fi; \
	unitdir="$${SYSTEMDUNITDIR:-$$unitdir}"; \
	sysusersdir="$${SYSUSERSDIR:-$$libdir/sysusers.d}"; \
	tmpfilesdir="$${TMPFILESDIR:-$$libdir/tmpfiles.d}"; \
	paths='s|/usr/local/share/bistand|$(DATADIR)|g; s|/etc/bistand|$(CONFDIR)|g'; \
	stage="$(BUILD)/install"; \
	rm -rf "$$stage"; mkdir -p "$$stage"; \
	set -x; \
	install -d -m 0755 "$(DESTDIR)$(SBINDIR)" "$(DESTDIR)$(BINDIR)" \
	    "$(DESTDIR)$(DATADIR)/rules/params" "$(DESTDIR)$(DATADIR)/examples" \
	    "$(DESTDIR)$(CONFDIR)" "$(DESTDIR)$(MANDIR)/man1" \
	    "$(DESTDIR)$(MANDIR)/man5" "$(DESTDIR)$(MANDIR)/man8" \
	    "$(DESTDIR)$$unitdir"; \
	install -m 0755 $(BUILD)/bistandd "$(DESTDIR)$(SBINDIR)/bistandd"; \
	install -m 0755 $(BUILD)/bistandctl "$(DESTDIR)$(BINDIR)/bistandctl"; \
	install -m 0644 etc/*.xsd "$(DESTDIR)$(DATADIR)/"; \
	install -m 0644 rules/*.lua "$(DESTDIR)$(DATADIR)/rules/"; \
	install -m 0644 rules/params/*.lua "$(DESTDIR)$(DATADIR)/rules/params/"; \
	install -m 0644 etc/examples/*.xml "$(DESTDIR)$(DATADIR)/examples/"; \
	for m in man/*.[158]; do \
	    sed "$$paths" "$$m" > "$$stage/$${m#man/}"; \
	    install -m 0644 "$$stage/$${m#man/}" \
	        "$(DESTDIR)$(MANDIR)/man$${m##*.}/$${m#man/}"; \
	done; \
	sed "s|/usr/sbin/bistandd|$(SBINDIR)/bistandd|g; $$paths" \
	    systemd/bistandd.service > "$$stage/bistandd.service"; \
	install -m 0644 "$$stage/bistandd.service" "$(DESTDIR)$$unitdir/"; \
	for f in systemd/*.sysusers; do \
	    [ -f "$$f" ] || continue; \
	    n=$${f#systemd/}; \
	    install -d -m 0755 "$(DESTDIR)$$sysusersdir"; \
	    install -m 0644 "$$f" "$(DESTDIR)$$sysusersdir/$${n%.sysusers}.conf"; \
	done; \
	for f in systemd/*.tmpfiles; do \
	    [ -f "$$f" ] || continue; \
	    n=$${f#systemd/}; \
	    install -d -m 0755 "$(DESTDIR)$$tmpfilesdir"; \
	    install -m 0644 "$$f" "$(DESTDIR)$$tmpfilesdir/$${n%.tmpfiles}.conf"; \
	done; \
	if [ -e "$(DESTDIR)$(CONFDIR)/bistandd.conf" ]; then \
	    set +x; \
	    echo "install: keeping $(DESTDIR)$(CONFDIR)/bistandd.conf"; \
	else \
	    sed "$$paths" etc/bistandd.conf > "$$stage/bistandd.conf"; \
	    install -m 0640 "$$stage/bistandd.conf" \
	        "$(DESTDIR)$(CONFDIR)/bistandd.conf"; \
	fi; \
	set +x; \
	if [ -z "$(DESTDIR)" ] && command -v systemd-sysusers >/dev/null; then \
	    echo "install: the bistand user, and its group on the configuration"; \
	    systemd-sysusers "$$sysusersdir/bistandd.conf"; \
	    chgrp bistand "$(CONFDIR)/bistandd.conf"; \
	fi

# Installs into a temporary DESTDIR and checks the tree (tests/check_install.sh).
.PHONY: installcheck
installcheck:
	sh tests/check_install.sh

clean:
	rm -rf build

# After every other rule, so that `all` stays the default goal.
include bench/Makefile.inc
include tests/fuzz/Makefile.inc
