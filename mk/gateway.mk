# The IoT gateway provisioning agent (examples/gateway): build/sitegpt-gateway.
#
#   make gateway         build it (also part of the default build)
#   make test-gateway    its end-to-end tests against the mock (also run by make test-e2e)

GATEWAY := $(BUILD)/sitegpt-gateway
GATEWAY_SRC := $(wildcard examples/gateway/*.c examples/common/*.c)
GATEWAY_OBJ := $(GATEWAY_SRC:%.c=$(BUILD)/%.o)

.PHONY: gateway test-gateway
all: $(GATEWAY)
gateway: $(GATEWAY)

$(GATEWAY): $(GATEWAY_OBJ) $(LIB)
	$(CC) $(OPT) -o $@ $(GATEWAY_OBJ) $(LIB) $(MBEDTLS_LIBS) -lqrencode

# The e2e suite finds the binary of this build (gcc, clang or mbedTLS 3.6) through the env.
test-e2e: $(GATEWAY)
test-e2e: export SITEGPT_GATEWAY_BIN := $(abspath $(GATEWAY))

test-gateway: $(GATEWAY)
	SITEGPT_GATEWAY_BIN=$(abspath $(GATEWAY)) $(PYTHON) -m pytest -q -p no:cacheprovider \
	    $(PYTEST_ARGS) tests/e2e/test_gateway.py

-include $(GATEWAY_OBJ:.o=.d)
