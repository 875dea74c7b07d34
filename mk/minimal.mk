# The C quickstart (examples/minimal, also shown in the README): build/sitegpt-minimal.
#
#   make minimal         build it (also part of the default build)
#   its e2e test: tests/e2e/test_minimal.py (run by make test-e2e)

MINIMAL := $(BUILD)/sitegpt-minimal
MINIMAL_OBJ := $(BUILD)/examples/minimal/minimal.o $(BUILD)/examples/common/sg_posix_client.o

.PHONY: minimal
all: $(MINIMAL)
minimal: $(MINIMAL)

$(MINIMAL): $(MINIMAL_OBJ) $(LIB)
	$(CC) $(OPT) -o $@ $(MINIMAL_OBJ) $(LIB) $(MBEDTLS_LIBS)

test-e2e: $(MINIMAL)
test-e2e: export SITEGPT_MINIMAL_BIN := $(abspath $(MINIMAL))

-include $(MINIMAL_OBJ:.o=.d)
