# mbedTLS 3.6 from Debian trixie's source package, built once into build/deps/mbedtls-3.6.
# `make MBEDTLS=3.6 ...` depends on the stamp; `make mbedtls36` builds it on its own.
MBEDTLS36_DIR ?= build/deps/mbedtls-3.6

.PHONY: mbedtls36
mbedtls36: $(MBEDTLS36_DIR)/.built

$(MBEDTLS36_DIR)/.built:
	CC="$(CC)" mk/mbedtls36-source.sh $(MBEDTLS36_DIR)

# The libraries come with the stamp.
$(MBEDTLS36_DIR)/library/libmbedtls.a $(MBEDTLS36_DIR)/library/libmbedx509.a \
$(MBEDTLS36_DIR)/library/libmbedcrypto.a: $(MBEDTLS36_DIR)/.built
