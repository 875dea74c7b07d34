# sitegpt-c build.
#
#   make                 build/libsitegpt.a, the CLI build/sitegpt, build/sitegpt-gateway and
#                        the C quickstart build/sitegpt-minimal (Debian mbedTLS 2.28)
#   make MBEDTLS=3.6     the same against mbedTLS 3.6 built from Debian's source, in build/mbedtls-3.6
#   make test            every test, ending with one "N passed, N failed" line
#   make deps            install the Debian packages the build and the tests need
#   make fuzz bench size firmware firmware-freertos lint clean
#
# Fragments in mk/*.mk add targets (mbedTLS 3.6, fuzzing, benchmarks, firmware); the source
# lists of the library's parts are in mk/sources.mk, which every build reads.

include mk/sources.mk

MBEDTLS ?= 2.28
CC ?= cc
PYTHON ?= /usr/bin/python3

WARNINGS := -Wall -Wextra -Werror -Wpedantic -Wconversion -Wshadow \
            -Wstrict-prototypes -Wmissing-prototypes -Wformat=2 -Wundef
CSTD := -std=c11
OPT ?= -O2 -g
DEP_INCLUDE := build/dep-include

ifeq ($(MBEDTLS),3.6)
BUILD ?= build/mbedtls-3.6
MBEDTLS36_DIR := build/deps/mbedtls-3.6
MBEDTLS_CFLAGS = -I$(MBEDTLS36_DIR)/include
MBEDTLS_LIBS = $(MBEDTLS36_DIR)/library/libmbedtls.a $(MBEDTLS36_DIR)/library/libmbedx509.a \
               $(MBEDTLS36_DIR)/library/libmbedcrypto.a
MBEDTLS_STAMP = $(MBEDTLS36_DIR)/.built
else
BUILD ?= build
MBEDTLS_CFLAGS =
MBEDTLS_LIBS = -lmbedtls -lmbedx509 -lmbedcrypto
MBEDTLS_STAMP =
endif

# The sitegpt CLI runs for a few milliseconds: Debian's static mbedTLS archives spare it the
# loader's work on three shared libraries (2.3 M of whoami's 60 M instructions, 20 page
# faults). A Debian mbedTLS security update then needs a rebuild: MBEDTLS_LINK=shared
# links the .so instead. The gateway, a long-running service, always takes the .so.
MBEDTLS_LINK ?= static
ifeq ($(MBEDTLS)-$(MBEDTLS_LINK),2.28-static)
CLI_MBEDTLS_LIBS = -Wl,-Bstatic $(MBEDTLS_LIBS) -Wl,-Bdynamic
else
CLI_MBEDTLS_LIBS = $(MBEDTLS_LIBS)
endif

CPPFLAGS_COMMON := -I$(SG_CORE_INC) -I$(DEP_INCLUDE) -D_POSIX_C_SOURCE=200809L
CFLAGS_ALL = $(CSTD) $(WARNINGS) $(OPT) $(CPPFLAGS_COMMON) $(EXTRA_CFLAGS)

CORE_SRC := $(SG_CORE_SRC)
PORT_SRC := $(SG_PORT_MBEDTLS_SRC)
POSIX_SRC := $(SG_PLATFORM_POSIX_SRC)
CLI_SRC := $(wildcard examples/cli/*.c examples/common/*.c)
UNIT_SRC := $(wildcard tests/unit/test_*.c)
UNIT_SUPPORT_SRC := $(wildcard tests/unit/support/*.c)

# A library source that no list in mk/sources.mk names would silently stay out of the build.
SG_UNLISTED := $(filter-out $(SG_CORE_SRC) $(SG_PORT_MBEDTLS_SRC) $(SG_PORT_NULL_SRC) \
                 $(SG_PLATFORM_POSIX_SRC) $(SG_PLATFORM_RTOS_SRC) $(SG_PLATFORM_CORTEXM_SRC) \
                 $(SG_PLATFORM_FREERTOS_SRC) $(SG_PLATFORM_LWIP_SRC), \
                 $(wildcard core/*.c port/*/*.c platform/*/*.c platform/*/*/*.c))
ifneq ($(SG_UNLISTED),)
$(error $(SG_UNLISTED): not in any source list of mk/sources.mk; add it there)
endif

CORE_OBJ := $(CORE_SRC:%.c=$(BUILD)/%.o)
PORT_OBJ := $(PORT_SRC:%.c=$(BUILD)/%.o)
POSIX_OBJ := $(POSIX_SRC:%.c=$(BUILD)/%.o)
CLI_OBJ := $(CLI_SRC:%.c=$(BUILD)/%.o)
UNIT_SUPPORT_OBJ := $(UNIT_SUPPORT_SRC:%.c=$(BUILD)/%.o)
UNIT_OBJ := $(UNIT_SRC:%.c=$(BUILD)/%.o) $(BUILD)/tests/unit/test_layout_mismatch.o
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%) $(BUILD)/tests/test_layout_mismatch

LIB := $(BUILD)/libsitegpt.a
CLI := $(BUILD)/sitegpt
CLI_LIBS := $(CLI_MBEDTLS_LIBS) -lqrencode

.PHONY: all lib cli unit test test-unit test-e2e deps clean lint check-heap demo test-tls-every-byte
all: lib cli

lib: $(LIB)
cli: $(CLI)
unit: $(UNIT_BIN)

# jsmn is header-only; a copy of Debian's header keeps /usr/include out of cross builds.
$(DEP_INCLUDE)/jsmn.h: /usr/include/jsmn.h
	@mkdir -p $(@D)
	cp $< $@

$(BUILD)/core/%.o: core/%.c $(DEP_INCLUDE)/jsmn.h
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_ALL) -MMD -MP -c $< -o $@

$(BUILD)/port/mbedtls/%.o: port/mbedtls/%.c $(MBEDTLS_STAMP)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_ALL) $(MBEDTLS_CFLAGS) -I$(SG_PORT_MBEDTLS_INC) -MMD -MP -c $< -o $@

# The null TLS port (tests only): no TLS library at all.
$(BUILD)/port/null/%.o: port/null/%.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_ALL) -I$(SG_PORT_NULL_INC) -MMD -MP -c $< -o $@

# The platform knows no TLS port: no mbedTLS headers, no port include dir.
$(BUILD)/platform/%.o: platform/%.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_ALL) -I$(SG_PLATFORM_POSIX_INC) -MMD -MP -c $< -o $@

# The examples' terminal and log escaping keep the library's UTF-8 rule (an internal
# header, SG_CORE_INTERNAL_INC); a program outside this tree has only include/.
$(BUILD)/examples/%.o: examples/%.c $(MBEDTLS_STAMP)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_ALL) $(MBEDTLS_CFLAGS) -D_DEFAULT_SOURCE -Iport/mbedtls -Iplatform/posix -Iexamples/cli -Iexamples/common -I$(SG_CORE_INTERNAL_INC) -MMD -MP -c $< -o $@

# Tests see the mbedTLS port, except those built against the null port (below).
TEST_PORT_INC = $(SG_PORT_MBEDTLS_INC)
$(BUILD)/tests/%.o: tests/%.c $(DEP_INCLUDE)/jsmn.h $(MBEDTLS_STAMP)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_ALL) $(MBEDTLS_CFLAGS) -D_DEFAULT_SOURCE -I$(TEST_PORT_INC) -Iplatform/posix -Iexamples/common -Itests/unit/support -I$(SG_CORE_INTERNAL_INC) -MMD -MP -c $< -o $@

$(LIB): $(CORE_OBJ) $(PORT_OBJ) $(POSIX_OBJ)
	@mkdir -p $(@D)
	rm -f $@
	ar rcs $@ $^

$(CLI): $(CLI_OBJ) $(LIB)
	$(CC) $(OPT) -o $@ $(CLI_OBJ) $(LIB) $(CLI_LIBS)

$(BUILD)/tests/test_%: $(BUILD)/tests/unit/test_%.o $(UNIT_SUPPORT_OBJ) $(LIB)
	@mkdir -p $(@D)
	$(CC) $(OPT) -o $@ $< $(UNIT_EXTRA_OBJ) $(UNIT_SUPPORT_OBJ) $(LIB) $(MBEDTLS_LIBS) -lcmocka

# test_tls also checks the examples' POSIX + mbedTLS bundle.
$(BUILD)/tests/test_tls: UNIT_EXTRA_OBJ = $(BUILD)/examples/common/sg_posix_client.o
$(BUILD)/tests/test_tls: $(BUILD)/examples/common/sg_posix_client.o

# test_layout_mismatch: test_layout.c built with other options than the library (in
# tests/unit/support/other_options.h), which sg_check_layout() must refuse.
$(BUILD)/tests/unit/test_layout_mismatch.o: tests/unit/test_layout.c $(DEP_INCLUDE)/jsmn.h $(MBEDTLS_STAMP)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_ALL) $(MBEDTLS_CFLAGS) -D_DEFAULT_SOURCE -I$(TEST_PORT_INC) -Itests/unit/support \
	    -DSG_USER_CONFIG_FILE='"other_options.h"' -DSG_LAYOUT_EXPECT_MISMATCH=1 -MMD -MP -c $< -o $@

# test_tls_null: the core and the POSIX platform with the null TLS port, not mbedTLS (its
# objects come first, so the archive's mbedTLS port is never pulled in).
NULL_PORT_OBJ := $(SG_PORT_NULL_SRC:%.c=$(BUILD)/%.o)
$(BUILD)/tests/unit/test_tls_null.o: TEST_PORT_INC = $(SG_PORT_NULL_INC)
$(BUILD)/tests/test_tls_null: UNIT_EXTRA_OBJ = $(NULL_PORT_OBJ)
$(BUILD)/tests/test_tls_null: $(NULL_PORT_OBJ)

# test_renew runs the renewal helper on sg_rtos's widened 32-bit tick.
$(BUILD)/tests/unit/test_renew.o: EXTRA_CFLAGS += -I$(SG_PLATFORM_RTOS_INC)
$(BUILD)/tests/test_renew: UNIT_EXTRA_OBJ = $(BUILD)/$(SG_PLATFORM_RTOS_SRC:.c=.o)
$(BUILD)/tests/test_renew: $(BUILD)/$(SG_PLATFORM_RTOS_SRC:.c=.o)

# test_fuzz_corpus replays every fuzz target's committed seeds: each tests/fuzz/fuzz_*.c is
# built here as a plain object with its entry point renamed sg_replay_<target>, and the
# driver learns the list through SG_FUZZ_TARGETS (a new target is replayed without an edit).
# The other tests/fuzz/*.c are helpers the targets share (linked as they are).
FUZZ_REPLAY_NAMES := $(notdir $(basename $(wildcard tests/fuzz/fuzz_*.c)))
FUZZ_REPLAY_OBJ := $(FUZZ_REPLAY_NAMES:%=$(BUILD)/tests/fuzz/%.o)
FUZZ_REPLAY_HELPER_OBJ := $(patsubst %.c,$(BUILD)/%.o,\
    $(filter-out tests/fuzz/fuzz_%.c,$(wildcard tests/fuzz/*.c)))
$(FUZZ_REPLAY_OBJ): EXTRA_CFLAGS += -DLLVMFuzzerTestOneInput=sg_replay_$(notdir $(basename $@))
$(BUILD)/tests/unit/test_fuzz_corpus.o: EXTRA_CFLAGS += \
    '-DSG_FUZZ_TARGETS=$(foreach n,$(FUZZ_REPLAY_NAMES),X($(n)))'
$(BUILD)/tests/test_fuzz_corpus: UNIT_EXTRA_OBJ = $(FUZZ_REPLAY_OBJ) $(FUZZ_REPLAY_HELPER_OBJ)
$(BUILD)/tests/test_fuzz_corpus: $(FUZZ_REPLAY_OBJ) $(FUZZ_REPLAY_HELPER_OBJ)

# The core and the ports must never reach for the heap.
check-heap: $(LIB)
	tests/check_no_heap.sh $(BUILD)/core $(BUILD)/port $(BUILD)/platform

test-unit: $(UNIT_BIN)
	tests/run_unit.sh $(BUILD)/tests

# test_tls with the connection reset at every byte of the handshake, both directions, each
# TLS version of this build (CI runs it for both mbedTLS versions; make test's runs cut
# each record's header, its first and last byte and every 61st byte).
test-tls-every-byte: $(BUILD)/tests/test_tls
	SG_TEST_EVERY_BYTE=1 $(BUILD)/tests/test_tls

PYTEST_PATHS ?= tests/mock tests/e2e
PYTEST_ARGS ?=
test-e2e: $(CLI)
	SITEGPT_BIN=$(abspath $(CLI)) $(PYTHON) -m pytest -q -p no:cacheprovider $(PYTEST_ARGS) $(PYTEST_PATHS)

# Everything, both mbedTLS versions, one summary line at the end.
test:
	tests/run_all.sh

deps:
	mk/deps.sh

# The main job end to end: device-code login against the local mock, then whoami.
demo:
	mk/demo.sh

lint:
	mk/lint.sh

clean:
	rm -rf build

-include mk/*.mk
-include $(CORE_OBJ:.o=.d) $(PORT_OBJ:.o=.d) $(POSIX_OBJ:.o=.d) $(CLI_OBJ:.o=.d) \
         $(UNIT_OBJ:.o=.d) $(UNIT_SUPPORT_OBJ:.o=.d) $(NULL_PORT_OBJ:.o=.d) $(FUZZ_REPLAY_OBJ:.o=.d) \
         $(FUZZ_REPLAY_HELPER_OBJ:.o=.d)
