# make install / make uninstall: the library, its public headers, sitegpt.pc, the two programs,
# their man pages, shell completions and the gateway's systemd unit.
#
#   make install [PREFIX=/usr/local] [DESTDIR=/tmp/stage] [MBEDTLS=3.6]
#   make uninstall  (the same PREFIX and DESTDIR)
#
# Nothing is written outside $(DESTDIR)$(PREFIX). Layout (PREFIX-relative):
#   lib/libsitegpt.a  lib/pkgconfig/sitegpt.pc  include/sitegpt/*.h  bin/sitegpt
#   bin/sitegpt-gateway  share/man/man1/sitegpt.1  share/man/man8/sitegpt-gateway.8
#   share/bash-completion/completions/{sitegpt,sitegpt-gateway}
#   share/zsh/site-functions/_sitegpt  share/fish/vendor_completions.d/sitegpt{,-gateway}.fish
#   lib/systemd/system/sitegpt-gateway.service
#
# jsmn is not installed: only sg_json.c includes it, and no public header names its types.

PREFIX ?= /usr/local
DESTDIR ?=
INSTALL ?= install
SG_VERSION_STR := $(shell sed -n 's/^\#define SG_VERSION "\(.*\)"/\1/p' include/sitegpt/sg_base.h)

I_BIN := $(DESTDIR)$(PREFIX)/bin
I_LIB := $(DESTDIR)$(PREFIX)/lib
I_INC := $(DESTDIR)$(PREFIX)/include/sitegpt
I_PC := $(I_LIB)/pkgconfig
I_MAN := $(DESTDIR)$(PREFIX)/share/man
I_BASH := $(DESTDIR)$(PREFIX)/share/bash-completion/completions
I_ZSH := $(DESTDIR)$(PREFIX)/share/zsh/site-functions
I_FISH := $(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d
I_UNIT := $(DESTDIR)$(PREFIX)/lib/systemd/system

# pkg-config: libsitegpt.a holds the core, the mbedTLS port and the POSIX platform, so a
# static link needs mbedTLS (Libs.private) and sg_tls.h its headers. Debian's mbedTLS 2.28 has
# no .pc file, so the build's own MBEDTLS_CFLAGS/MBEDTLS_LIBS are written out, paths made
# absolute (the 3.6 tree, or your own tree as in the README).
PC_MBEDTLS_CFLAGS = $(foreach f,$(MBEDTLS_CFLAGS),$(if $(filter -I%,$(f)),-I$(abspath $(f:-I%=%)),$(f)))
PC_MBEDTLS_LIBS = $(foreach w,$(MBEDTLS_LIBS),$(if $(wildcard $(w)),$(abspath $(w)),$(w)))

# Written at every install: they hold PREFIX.
$(BUILD)/sitegpt.pc: FORCE
	@mkdir -p $(@D)
	printf '%s\n' 'prefix=$(PREFIX)' 'exec_prefix=$${prefix}' 'libdir=$${exec_prefix}/lib' \
	    'includedir=$${prefix}/include' '' 'Name: sitegpt' \
	    'Description: zero-malloc C client for the SiteGPT API v2 (core, mbedTLS port, POSIX platform)' \
	    'Version: $(SG_VERSION_STR)' 'Cflags: -I$${includedir} $(PC_MBEDTLS_CFLAGS)' \
	    'Libs: -L$${libdir} -lsitegpt' 'Libs.private: $(PC_MBEDTLS_LIBS)' > $@

$(BUILD)/sitegpt-gateway.service: examples/gateway/sitegpt-gateway.service.in FORCE
	@mkdir -p $(@D)
	sed 's|@BINDIR@|$(PREFIX)/bin|g' $< > $@

# Headers go to include/sitegpt/; programs include them as <sitegpt/...> (-I<prefix>/include).
INSTALL_FILES := $(LIB) $(CLI) $(GATEWAY) $(BUILD)/sitegpt.pc $(BUILD)/sitegpt-gateway.service

.PHONY: install uninstall FORCE
FORCE:
install: $(INSTALL_FILES)
	$(INSTALL) -d $(I_BIN) $(I_LIB) $(I_INC) $(I_PC) $(I_MAN)/man1 $(I_MAN)/man8 $(I_BASH) \
	    $(I_ZSH) $(I_FISH) $(I_UNIT)
	$(INSTALL) -m 0644 $(LIB) $(I_LIB)/libsitegpt.a
	for h in $(SG_PUBLIC_HEADERS); do \
	    cp "$$h" $(I_INC)/$$(basename $$h).tmp && \
	    chmod 0644 $(I_INC)/$$(basename $$h).tmp && mv $(I_INC)/$$(basename $$h).tmp $(I_INC)/$$(basename $$h) || exit 1; \
	done
	$(INSTALL) -m 0644 $(BUILD)/sitegpt.pc $(I_PC)/sitegpt.pc
	$(INSTALL) -m 0755 $(CLI) $(I_BIN)/sitegpt
	$(INSTALL) -m 0755 $(GATEWAY) $(I_BIN)/sitegpt-gateway
	$(INSTALL) -m 0644 doc/man/sitegpt.1 $(I_MAN)/man1/sitegpt.1
	$(INSTALL) -m 0644 doc/man/sitegpt-gateway.8 $(I_MAN)/man8/sitegpt-gateway.8
	$(INSTALL) -m 0644 doc/completion/sitegpt.bash $(I_BASH)/sitegpt
	ln -sf sitegpt $(I_BASH)/sitegpt-gateway
	$(INSTALL) -m 0644 doc/completion/_sitegpt $(I_ZSH)/_sitegpt
	$(INSTALL) -m 0644 doc/completion/sitegpt.fish $(I_FISH)/sitegpt.fish
	$(INSTALL) -m 0644 doc/completion/sitegpt-gateway.fish $(I_FISH)/sitegpt-gateway.fish
	$(INSTALL) -m 0644 $(BUILD)/sitegpt-gateway.service $(I_UNIT)/sitegpt-gateway.service

# Removes exactly what install wrote, and include/sitegpt (ours alone); the standard folders
# (bin, share/man/man1, ...) stay, as other packages share them.
uninstall:
	rm -f $(I_LIB)/libsitegpt.a $(I_PC)/sitegpt.pc $(I_BIN)/sitegpt $(I_BIN)/sitegpt-gateway \
	    $(addprefix $(I_INC)/,$(notdir $(SG_PUBLIC_HEADERS))) \
	    $(I_MAN)/man1/sitegpt.1 $(I_MAN)/man8/sitegpt-gateway.8 \
	    $(I_BASH)/sitegpt $(I_BASH)/sitegpt-gateway $(I_ZSH)/_sitegpt \
	    $(I_FISH)/sitegpt.fish $(I_FISH)/sitegpt-gateway.fish $(I_UNIT)/sitegpt-gateway.service
	if [ -d $(I_INC) ]; then rmdir $(I_INC); fi

# tests/e2e/test_install.py installs the build under test: same BUILD, mbedTLS and compiler.
test-e2e: export SITEGPT_MAKE_ARGS := BUILD=$(BUILD) MBEDTLS=$(MBEDTLS) CC=$(CC)
