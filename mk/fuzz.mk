# libFuzzer targets: every tests/fuzz/fuzz_*.c, built with clang against the core sources
# compiled with the same sanitizer flags (not build/libsitegpt.a), into build/fuzz/.
#
#   make fuzz         each target for FUZZ_SECONDS (default 60), corpus kept in build/fuzz/corpus
#   make fuzz-smoke   each target over its seed corpus tests/fuzz/corpus/<target>/, then
#                     FUZZ_SMOKE_SECONDS (default 20) of fuzzing
# Both fail on the first crash, leak, sanitizer report or abort(); the crashing input is
# saved as build/fuzz/artifacts/<target>-crash-*.

FUZZ_CC ?= clang
FUZZ_SECONDS ?= 60
FUZZ_SMOKE_SECONDS ?= 20
FUZZ_DIR := build/fuzz
FUZZ_FLAGS := $(CSTD) $(WARNINGS) -g -O1 -fno-omit-frame-pointer \
              -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -MMD -MP
FUZZ_SRC := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_NAMES := $(FUZZ_SRC:tests/fuzz/%.c=%)
FUZZ_BIN := $(FUZZ_NAMES:%=$(FUZZ_DIR)/%)
FUZZ_CORE_OBJ := $(SG_CORE_SRC:%.c=$(FUZZ_DIR)/obj/%.o)
FUZZ_CORE_LIB := $(FUZZ_DIR)/libcore-fuzz.a
# -max_len: bodies bigger than a few KB add nothing the split checks would not see
# (shell text: $$t is the target; a tests/fuzz/<target>.dict is used when present)
FUZZ_RUN_FLAGS = -max_len=4096 -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
                 -artifact_prefix=$(FUZZ_DIR)/artifacts/$$t- \
                 $$( [ -f tests/fuzz/$$t.dict ] && echo -dict=tests/fuzz/$$t.dict )

.PHONY: fuzz fuzz-build fuzz-smoke

fuzz-build: $(FUZZ_BIN)

$(FUZZ_DIR)/obj/core/%.o: core/%.c $(DEP_INCLUDE)/jsmn.h
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_FLAGS) $(CPPFLAGS_COMMON) -c $< -o $@

$(FUZZ_CORE_LIB): $(FUZZ_CORE_OBJ)
	rm -f $@
	ar rcs $@ $^

# Unit-test support the targets share with the unit tests (no cmocka in these).
FUZZ_SUPPORT_SRC := tests/unit/support/http_feed.c

FUZZ_SUPPORT_OBJ := $(FUZZ_SUPPORT_SRC:%.c=$(FUZZ_DIR)/obj/%.o)
FUZZ_TARGET_OBJ := $(FUZZ_SRC:%.c=$(FUZZ_DIR)/obj/%.o)

# Kept after the link (not make's intermediate files), so a rebuild compiles only what changed.
.SECONDARY: $(FUZZ_TARGET_OBJ) $(FUZZ_SUPPORT_OBJ)

$(FUZZ_DIR)/obj/tests/%.o: tests/%.c $(DEP_INCLUDE)/jsmn.h
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_FLAGS) $(CPPFLAGS_COMMON) -Itests/unit/support -c $< -o $@

$(FUZZ_DIR)/fuzz_%: $(FUZZ_DIR)/obj/tests/fuzz/fuzz_%.o $(FUZZ_SUPPORT_OBJ) $(FUZZ_CORE_LIB)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_FLAGS) $< $(FUZZ_SUPPORT_OBJ) $(FUZZ_CORE_LIB) -o $@

# One target after another; stop at the first failure.
fuzz: $(FUZZ_BIN)
	@set -e; for t in $(FUZZ_NAMES); do \
	    mkdir -p $(FUZZ_DIR)/corpus/$$t $(FUZZ_DIR)/artifacts tests/fuzz/corpus/$$t; \
	    echo "== fuzz $$t for $(FUZZ_SECONDS) s"; \
	    $(FUZZ_DIR)/$$t $(FUZZ_RUN_FLAGS) -max_total_time=$(FUZZ_SECONDS) \
	        $(FUZZ_DIR)/corpus/$$t tests/fuzz/corpus/$$t; \
	done; echo "fuzz: $(words $(FUZZ_NAMES)) targets, no crash"

fuzz-smoke: $(FUZZ_BIN)
	@set -e; for t in $(FUZZ_NAMES); do \
	    mkdir -p $(FUZZ_DIR)/smoke/$$t $(FUZZ_DIR)/artifacts; \
	    seeds=tests/fuzz/corpus/$$t; \
	    if [ -d $$seeds ] && [ -n "$$(ls -A $$seeds)" ]; then \
	        echo "== $$t: seed corpus ($$(ls $$seeds | wc -l) inputs)"; \
	        $(FUZZ_DIR)/$$t $(FUZZ_RUN_FLAGS) -runs=0 $$seeds; \
	    fi; \
	    echo "== $$t: fuzzing $(FUZZ_SMOKE_SECONDS) s"; \
	    rm -rf $(FUZZ_DIR)/smoke/$$t; mkdir -p $(FUZZ_DIR)/smoke/$$t; \
	    $(FUZZ_DIR)/$$t $(FUZZ_RUN_FLAGS) -max_total_time=$(FUZZ_SMOKE_SECONDS) \
	        $(FUZZ_DIR)/smoke/$$t $$( [ -d $$seeds ] && echo $$seeds ); \
	done; echo "fuzz-smoke: $(words $(FUZZ_NAMES)) targets, no crash"

# A header change rebuilds every object that includes it.
-include $(FUZZ_CORE_OBJ:.o=.d) $(FUZZ_SUPPORT_OBJ:.o=.d) $(FUZZ_TARGET_OBJ:.o=.d)
