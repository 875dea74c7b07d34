# libFuzzer targets: every tests/fuzz/fuzz_*.c, built with clang against the core sources
# compiled with the same sanitizer flags (not build/libsitegpt.a), into build/fuzz/.
#
#   make fuzz         each target for FUZZ_SECONDS (default 60; FUZZ_RUNS=N stops a target
#                     after N executions), corpus kept in build/fuzz/corpus
#   make fuzz-smoke   each target over its seed corpus tests/fuzz/corpus/<target>/, then
#                     FUZZ_SMOKE_SECONDS (default 3) of fuzzing (the step of make test)
# Both print a table and fail on any crash, leak, sanitizer report or abort() (a broken
# property); the input is saved as build/fuzz/artifacts/<target>-crash-*.

FUZZ_CC ?= clang
FUZZ_SECONDS ?= 60
FUZZ_SMOKE_SECONDS ?= 3
FUZZ_DIR := build/fuzz
FUZZ_FLAGS := $(CSTD) $(WARNINGS) -g -O1 -fno-omit-frame-pointer \
              -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -MMD -MP
FUZZ_SRC := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_NAMES := $(FUZZ_SRC:tests/fuzz/%.c=%)
FUZZ_BIN := $(FUZZ_NAMES:%=$(FUZZ_DIR)/%)
FUZZ_CORE_OBJ := $(SG_CORE_SRC:%.c=$(FUZZ_DIR)/obj/%.o)
FUZZ_CORE_LIB := $(FUZZ_DIR)/libcore-fuzz.a

.PHONY: fuzz fuzz-build fuzz-smoke

fuzz-build: $(FUZZ_BIN)

$(FUZZ_DIR)/obj/core/%.o: core/%.c $(DEP_INCLUDE)/jsmn.h
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_FLAGS) $(CPPFLAGS_COMMON) -c $< -o $@

$(FUZZ_CORE_LIB): $(FUZZ_CORE_OBJ)
	rm -f $@
	ar rcs $@ $^

# Unit-test support the targets share with the unit tests (no cmocka in these), and the
# token walking their oracles share.
FUZZ_SUPPORT_SRC := tests/unit/support/http_feed.c tests/unit/support/mem_transport.c \
                    tests/fuzz/json_walk.c

FUZZ_SUPPORT_OBJ := $(FUZZ_SUPPORT_SRC:%.c=$(FUZZ_DIR)/obj/%.o)
FUZZ_TARGET_OBJ := $(FUZZ_SRC:%.c=$(FUZZ_DIR)/obj/%.o)

# Kept after the link (not make's intermediate files), so a rebuild compiles only what changed.
.SECONDARY: $(FUZZ_TARGET_OBJ) $(FUZZ_SUPPORT_OBJ)

$(FUZZ_DIR)/obj/tests/%.o: tests/%.c $(DEP_INCLUDE)/jsmn.h
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_FLAGS) $(CPPFLAGS_COMMON) -Itests/unit/support -I$(SG_CORE_INTERNAL_INC) $(FUZZ_TARGET_INC) -c $< -o $@

$(FUZZ_DIR)/fuzz_%: $(FUZZ_DIR)/obj/tests/fuzz/fuzz_%.o $(FUZZ_SUPPORT_OBJ) $(FUZZ_CORE_LIB)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_FLAGS) $< $(FUZZ_SUPPORT_OBJ) $(FUZZ_CORE_LIB) $(FUZZ_TARGET_LIBS) -o $@

# fuzz_pem holds the mbedTLS port's PEM decoder (port/mbedtls/sg_pem_decode.h, which needs
# no mbedTLS) against mbedTLS's own base64 code: Debian's libmbedcrypto, for the oracle only.
$(FUZZ_DIR)/obj/tests/fuzz/fuzz_pem.o: FUZZ_TARGET_INC = -I$(SG_PORT_MBEDTLS_INC)
$(FUZZ_DIR)/fuzz_pem: FUZZ_TARGET_LIBS = -lmbedcrypto

# One target after another (tests/fuzz/run.sh), then the table: target, executions, corpus
# size, coverage features, findings. fuzz keeps what it learns in build/fuzz/corpus;
# fuzz-smoke (the step of make test) starts afresh each time.
fuzz: $(FUZZ_BIN)
	tests/fuzz/run.sh $(FUZZ_SECONDS) $(FUZZ_DIR)/corpus $(FUZZ_BIN)

fuzz-smoke: $(FUZZ_BIN)
	rm -rf $(FUZZ_DIR)/smoke
	tests/fuzz/run.sh $(FUZZ_SMOKE_SECONDS) $(FUZZ_DIR)/smoke $(FUZZ_BIN)

# A header change rebuilds every object that includes it.
-include $(FUZZ_CORE_OBJ:.o=.d) $(FUZZ_SUPPORT_OBJ:.o=.d) $(FUZZ_TARGET_OBJ:.o=.d)
