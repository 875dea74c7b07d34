# Cortex-M4 firmware on FreeRTOS + lwIP + mbedTLS over QEMU's emulated LAN9118 Ethernet.
#
#   make firmware-freertos       build/firmware-freertos/sitegpt-fw-freertos.elf (+ .map)
#   make firmware-freertos-test  run it against the mock under QEMU, in a private network
#                                namespace (tests/netns_run.sh), with pytest
#
# Neither the kernel nor lwIP is in this repository:
#   FREERTOS_DIR  FreeRTOS-Kernel V11.x, default ../shared/vendor/FreeRTOS-Kernel (relative to
#                 the repository root) when it exists
#   lwIP          Debian trixie's source package, unpacked by mk/lwip-source.sh into
#                 build/deps/lwip-2.2.x
# The core, the mbedTLS port and mbedTLS itself are the bare-metal firmware's objects
# (mk/firmware.mk): same options (examples/firmware/sg_user_config.h), same mbedTLS config.

FREERTOS_DIR ?= $(if $(wildcard ../shared/vendor/FreeRTOS-Kernel/tasks.c),../shared/vendor/FreeRTOS-Kernel)
LWIP_DIR := build/deps/lwip-2.2.x
LWIP_STAMP := $(LWIP_DIR)/.unpacked
FRT_BUILD := build/firmware-freertos
FRT_APP_DIR := examples/firmware-freertos
FRT_ELF := $(FRT_BUILD)/sitegpt-fw-freertos.elf
# The ARM_CM3 port: this build uses soft float, so there is no FPU context to switch.
FRT_PORT_DIR = $(FREERTOS_DIR)/portable/GCC/ARM_CM3
# Main stack: interrupts only, once the scheduler runs (tasks have their own stacks).
FRT_MAIN_STACK ?= 0x800

FRT_KERNEL_SRC = $(addprefix $(FREERTOS_DIR)/,tasks.c queue.c list.c) $(FRT_PORT_DIR)/port.c
FRT_LWIP_SRC = $(wildcard $(LWIP_DIR)/src/core/*.c $(LWIP_DIR)/src/core/ipv4/*.c) \
               $(addprefix $(LWIP_DIR)/src/api/,api_lib.c api_msg.c err.c netbuf.c tcpip.c) \
               $(LWIP_DIR)/src/netif/ethernet.c
# Shared with the bare-metal firmware (examples/firmware/fw.h): the TLS and HTTP setup and the
# device login loop, the emulator entropy, the command line, CA file and console lines, the
# mbedTLS glue; and the Cortex-M binding's semihosting, key-value store and RAM set-up.
FRT_SHARED_SRC := $(addprefix examples/firmware/,fw_client.c fw_entropy.c fw_host.c fw_mbedtls.c) \
                  $(addprefix platform/rtos/cortexm/,cm_kv.c cm_memory.c cm_semihost.c)
FRT_OUR_SRC := $(SG_PLATFORM_FREERTOS_SRC) $(SG_PLATFORM_LWIP_SRC) \
               $(wildcard $(FRT_APP_DIR)/*.c) $(FRT_SHARED_SRC)

FRT_SYS_INC = -isystem $(FREERTOS_DIR)/include -isystem $(FRT_PORT_DIR) \
              -isystem $(LWIP_DIR)/src/include
# Their code, their warnings: built with the target flags only.
FRT_THEIR_CFLAGS = -std=gnu11 $(FW_ARCH) $(FW_OPT) -fstack-usage -I$(FRT_APP_DIR) $(FRT_SYS_INC)
# Ours: the project's warning set.
FRT_CFLAGS = $(FW_CFLAGS) -I$(FRT_APP_DIR) -I$(SG_PLATFORM_FREERTOS_INC) \
             -I$(SG_PLATFORM_LWIP_INC) $(FRT_SYS_INC)

FRT_KERNEL_OBJ = $(patsubst $(FREERTOS_DIR)/%.c,$(FRT_BUILD)/freertos/%.o,$(FRT_KERNEL_SRC))
FRT_LWIP_OBJ = $(patsubst $(LWIP_DIR)/src/%.c,$(FRT_BUILD)/lwip/%.o,$(FRT_LWIP_SRC))
FRT_OUR_OBJ := $(FRT_OUR_SRC:%.c=$(FRT_BUILD)/%.o)
FRT_LWIP_LIB := $(FRT_BUILD)/liblwip.a

.PHONY: firmware-freertos firmware-freertos-test frt-need-kernel frt-lwip-objs lint-firmware-freertos

frt-need-kernel:
	@test -n "$(FREERTOS_DIR)" -a -f "$(FREERTOS_DIR)/tasks.c" || { \
	  echo "firmware-freertos: no FreeRTOS kernel. Get FreeRTOS-Kernel V11.x (MIT) from the"; \
	  echo "  FreeRTOS project's FreeRTOS-Kernel repository (tag V11.3.0) and run"; \
	  echo "  make firmware-freertos FREERTOS_DIR=/path/to/FreeRTOS-Kernel"; \
	  echo "  (default: ../shared/vendor/FreeRTOS-Kernel next to this repository)"; exit 1; }

ifneq ($(FREERTOS_DIR),)
firmware-freertos: frt-need-kernel $(FRT_ELF)
else
firmware-freertos: frt-need-kernel
endif

$(LWIP_STAMP):
	mk/lwip-source.sh $(LWIP_DIR)

$(FRT_BUILD)/freertos/%.o: $(FREERTOS_DIR)/%.c $(FRT_APP_DIR)/FreeRTOSConfig.h mk/freertos.mk
	@mkdir -p $(@D)
	$(FW_CC) $(FRT_THEIR_CFLAGS) -c $< -o $@

$(FRT_BUILD)/lwip/%.o: $(LWIP_DIR)/src/%.c $(FRT_APP_DIR)/lwipopts.h $(FRT_APP_DIR)/FreeRTOSConfig.h mk/freertos.mk
	@mkdir -p $(@D)
	$(FW_CC) $(FRT_THEIR_CFLAGS) -c $< -o $@

# The lwIP file list exists only once the source is unpacked: a sub-make lists it.
frt-lwip-objs: $(FRT_LWIP_OBJ)
$(FRT_LWIP_LIB): $(LWIP_STAMP) $(FRT_APP_DIR)/lwipopts.h $(FRT_APP_DIR)/FreeRTOSConfig.h
	$(MAKE) --no-print-directory frt-lwip-objs
	rm -f $@
	$(FW_AR) rcs $@ $$(find $(FRT_BUILD)/lwip -name '*.o' | sort)

FRT_OUR_DEPS = $(DEP_INCLUDE)/jsmn.h $(FW_MBEDTLS_STAMP) $(LWIP_STAMP) mk/freertos.mk \
               $(FW_USER_CONFIG) $(wildcard $(FRT_APP_DIR)/*.h $(FRT_APP_DIR)/arch/*.h)
$(FRT_BUILD)/%.o: %.c $(FRT_OUR_DEPS)
	@mkdir -p $(@D)
	$(FW_CC) $(FRT_CFLAGS) -MMD -MP -c $< -o $@

# No heap of any kind: not newlib's malloc, not FreeRTOS's pvPortMalloc.
$(FRT_ELF): $(FRT_OUR_OBJ) $(FRT_KERNEL_OBJ) $(FRT_LWIP_LIB) $(FW_LIB) $(FW_MBEDTLS_LIB) $(FW_LDSCRIPT)
	$(FW_CC) $(FW_ARCH) -Os --specs=nano.specs -nostartfiles -Wl,--gc-sections \
		-Wl,--defsym=STACK_SIZE=$(FRT_MAIN_STACK) -T$(FW_LDSCRIPT) \
		-Wl,-Map=$(FRT_BUILD)/sitegpt-fw-freertos.map -o $@ \
		$(FRT_OUR_OBJ) $(FRT_KERNEL_OBJ) $(FRT_LWIP_LIB) $(FW_LIB) $(FW_MBEDTLS_LIB)
	$(FW_SIZE) $@
	@! grep -qE '^ \.text\.(_malloc_r|_sbrk_r|malloc|_sbrk|pvPortMalloc)' $(FRT_BUILD)/sitegpt-fw-freertos.map || \
		{ echo "firmware-freertos: a heap was linked in (see $(FRT_BUILD)/sitegpt-fw-freertos.map)"; exit 1; }

# Bounded; QEMU and the mock run in a network namespace that has only loopback. Without a
# kernel the tests are reported as skipped, with the reason.
ifneq ($(FREERTOS_DIR),)
firmware-freertos-test: firmware-freertos
	SITEGPT_FIRMWARE_FREERTOS=$(abspath $(FRT_ELF)) FREERTOS_DIR=$(FREERTOS_DIR) timeout 600 \
		tests/netns_run.sh $(PYTHON) -m pytest -q -rs -p no:cacheprovider \
		tests/e2e/test_firmware_freertos.py
else
firmware-freertos-test:
	-@$(MAKE) -s --no-print-directory frt-need-kernel
	$(PYTHON) -m pytest -q -rs -p no:cacheprovider \
		tests/e2e/test_firmware_freertos.py
endif

-include $(FRT_OUR_OBJ:.o=.d)

# cppcheck and clang-tidy over our FreeRTOS/lwIP sources, for the target (make lint runs it
# when the kernel and the lwIP source are there).
FRT_LINT_SRC = $(SG_PLATFORM_FREERTOS_SRC) $(SG_PLATFORM_LWIP_SRC) $(wildcard $(FRT_APP_DIR)/*.c)
FRT_LINT_INC = $(FW_INCLUDES) -I$(FRT_APP_DIR) -I$(SG_PLATFORM_FREERTOS_INC) -I$(SG_PLATFORM_LWIP_INC) \
               $(FRT_SYS_INC)
lint-firmware-freertos: frt-need-kernel $(DEP_INCLUDE)/jsmn.h $(FW_MBEDTLS_STAMP) $(LWIP_STAMP)
	$(call fw_lint,$(FRT_LINT_SRC),$(FRT_LINT_INC),-D__ARM_ARCH_7M__,lint-firmware-freertos)

# Host unit test of platform/freertos (tests/unit/test_freertos_clock.c) against the kernel
# stand-in in tests/unit/support/freertos: no kernel needed, built with every `make unit`.
FRT_HOST_INC := -Itests/unit/support/freertos -I$(SG_PLATFORM_FREERTOS_INC) -I$(SG_PLATFORM_RTOS_INC)
FRT_HOST_OBJ := $(BUILD)/platform/freertos/sg_freertos.o $(BUILD)/platform/rtos/sg_rtos.o
$(FRT_HOST_OBJ) $(BUILD)/tests/unit/test_freertos_clock.o: EXTRA_CFLAGS += $(FRT_HOST_INC)
$(BUILD)/tests/test_freertos_clock: UNIT_EXTRA_OBJ = $(FRT_HOST_OBJ)
$(BUILD)/tests/test_freertos_clock: $(FRT_HOST_OBJ)
