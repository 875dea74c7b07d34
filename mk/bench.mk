# make bench: streaming reader (validate only, and with an element subscription) vs jsmn
# (whole buffer, the reference) vs yajl on a generated list of BENCH_MB megabytes: median
# MB/s of BENCH_RUNS runs in CPU time, ratio to jsmn, memory, and a verdict per aim (at least
# jsmn's throughput, constant memory). Not part of `make test` (timing is not a test).

BENCH_MB ?= 50
BENCH_RUNS ?= 5
BENCH_DIR := $(BUILD)/bench
BENCH_LIST := $(BENCH_DIR)/list-$(BENCH_MB)mb.json
BENCH_CFLAGS = $(CSTD) $(WARNINGS) -O2 -g $(CPPFLAGS_COMMON) -D_DEFAULT_SOURCE -Itests/bench

.PHONY: bench

$(BENCH_DIR)/gen_list: tests/bench/gen_list.c
	@mkdir -p $(@D)
	$(CC) $(BENCH_CFLAGS) $< -o $@

$(BENCH_LIST): $(BENCH_DIR)/gen_list
	$(BENCH_DIR)/gen_list $@ $(BENCH_MB)

$(BENCH_DIR)/bench_json: tests/bench/bench_json.c tests/bench/bench_jsmn.c tests/bench/bench.h $(LIB)
	@mkdir -p $(@D)
	$(CC) $(BENCH_CFLAGS) tests/bench/bench_json.c tests/bench/bench_jsmn.c $(LIB) -lyajl -o $@

bench: $(BENCH_DIR)/bench_json $(BENCH_LIST)
	$(BENCH_DIR)/bench_json $(BENCH_LIST) $(BENCH_RUNS)
