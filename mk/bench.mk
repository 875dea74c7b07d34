# make bench: ONE table from one run (tests/bench/run_bench.py): sitegpt whoami / login /
# tokens list --all beside curl and curl + jq over TLS against the mock, the JSON reader
# beside jsmn and yajl, the HTTP response parser, start-up; medians of runs taken in turns.
# Not part of `make test` (timing is not a test); `make bench-smoke` (in make test) runs every
# step once on tiny inputs so the benchmark cannot rot. `make bench-json`: the JSON reader's
# own detailed table (memory, RSS growth) on the BENCH_MB list.

BENCH_MB ?= 50
BENCH_RUNS ?= 5
BENCH_LOGIN_RUNS ?= 3
BENCH_DIR := $(BUILD)/bench
BENCH_LIST := $(BENCH_DIR)/list-$(BENCH_MB)mb.json
BENCH_CFLAGS = $(CSTD) $(WARNINGS) -O2 -g $(CPPFLAGS_COMMON) -D_DEFAULT_SOURCE -Itests/bench
BENCH_BINS := $(BENCH_DIR)/bench_json $(BENCH_DIR)/bench_http

.PHONY: bench bench-json bench-smoke

$(BENCH_DIR)/gen_list: tests/bench/gen_list.c
	@mkdir -p $(@D)
	$(CC) $(BENCH_CFLAGS) $< -o $@

$(BENCH_DIR)/list-%mb.json: $(BENCH_DIR)/gen_list
	$(BENCH_DIR)/gen_list $@ $*

# Both time their loops the same way (tests/bench/bench_clock.c).
BENCH_CLOCK := tests/bench/bench_clock.c tests/bench/bench_clock.h

$(BENCH_DIR)/bench_json: tests/bench/bench_json.c tests/bench/bench_jsmn.c tests/bench/bench.h \
                         $(BENCH_CLOCK) $(LIB)
	@mkdir -p $(@D)
	$(CC) $(BENCH_CFLAGS) tests/bench/bench_json.c tests/bench/bench_jsmn.c \
	    tests/bench/bench_clock.c $(LIB) -lyajl -o $@

$(BENCH_DIR)/bench_http: tests/bench/bench_http.c $(BENCH_CLOCK) $(LIB)
	@mkdir -p $(@D)
	$(CC) $(BENCH_CFLAGS) $< tests/bench/bench_clock.c $(LIB) -o $@

bench: $(CLI) $(BENCH_BINS) $(BENCH_LIST)
	$(PYTHON) tests/bench/run_bench.py --build $(BUILD) --json-list $(BENCH_LIST) \
	    --runs $(BENCH_RUNS) --login-runs $(BENCH_LOGIN_RUNS)

bench-json: $(BENCH_DIR)/bench_json $(BENCH_LIST)
	$(BENCH_DIR)/bench_json $(BENCH_LIST) $(BENCH_RUNS)

bench-smoke: $(CLI) $(BENCH_BINS) $(BENCH_DIR)/list-1mb.json
	$(PYTHON) tests/bench/run_bench.py --build $(BUILD) --json-list $(BENCH_DIR)/list-1mb.json --smoke
