# Test helper for the e2e suite: build/fastclock.so (tests/e2e/fastclock.c), an LD_PRELOAD
# shim that makes sleeps instant, so test_memory.py can run a 50-poll login in a second.
# Built without the build's sanitizer flags: it is preloaded, not linked.

FASTCLOCK := build/fastclock.so

$(FASTCLOCK): tests/e2e/fastclock.c
	@mkdir -p $(@D)
	cc -std=c11 -Wall -Wextra -Werror -O2 -fPIC -shared -o $@ $< -ldl

test-e2e: $(FASTCLOCK)
test-e2e: export SITEGPT_FASTCLOCK := $(abspath $(FASTCLOCK))
