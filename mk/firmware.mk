# Cortex-M4 firmware (QEMU mps2-an386): cross build, end-to-end run, size table.
#
#   make firmware        build/firmware/sitegpt-fw.elf (+ .map), from the same core/ sources
#   make firmware-test   run the firmware against the mock server under QEMU (pytest)
#   make size            core text (whole, minimal login, as linked), struct sizes, stack use,
#                        login RAM, beside reference figures and the targets
#
# mbedTLS 3.6 comes from the Debian source tree that mk/mbedtls36-source.sh unpacks; it is
# compiled here a second time, for the target, with examples/firmware/mbedtls_config_fw.h.

FW_CC ?= arm-none-eabi-gcc
FW_AR ?= arm-none-eabi-ar
FW_SIZE ?= arm-none-eabi-size
FW_BUILD := build/firmware
FW_MBEDTLS_DIR := build/deps/mbedtls-3.6
FW_MBEDTLS_STAMP := $(FW_MBEDTLS_DIR)/.built
FW_ARCH := -mcpu=cortex-m4 -mthumb -mfloat-abi=soft
FW_OPT := -Os -g -ffunction-sections -fdata-sections
# -isystem: mbedTLS's own headers are not held to our -Wundef (ssl.h tests a macro that its
# config_adjust_ssl.h undefines when DTLS is off).
FW_MBEDTLS_CPPFLAGS := -isystem $(FW_MBEDTLS_DIR)/include -Iexamples/firmware \
                       -DMBEDTLS_CONFIG_FILE='"mbedtls_config_fw.h"'
# The core's options (limits and flash trims), sized for this device: one header that the
# library and the application both read (include/sitegpt/sg_options.h documents each option).
FW_USER_CONFIG := examples/firmware/sg_user_config.h
FW_LIMITS := -DSG_USER_CONFIG_FILE='"sg_user_config.h"'
# Our code: the project's warning set, stack use per function for `make size`.
FW_INCLUDES = -I$(SG_CORE_INC) -I$(DEP_INCLUDE) -I$(SG_PORT_MBEDTLS_INC) -I$(SG_PLATFORM_RTOS_INC) \
              -I$(SG_PLATFORM_CORTEXM_INC) -isystem $(FW_MBEDTLS_DIR)/include -Iexamples/firmware
FW_CFLAGS = $(CSTD) $(WARNINGS) $(FW_ARCH) $(FW_OPT) -fstack-usage -fcallgraph-info=su \
            $(FW_INCLUDES) $(FW_LIMITS) -DMBEDTLS_CONFIG_FILE='"mbedtls_config_fw.h"'
FW_LDSCRIPT := platform/rtos/cortexm/mps2_an386.ld
# Stack: the login's measured high-water mark is about 6.4 KB (make firmware-test prints it).
FW_STACK_SIZE ?= 0x2800
FW_LDFLAGS = $(FW_ARCH) -Os --specs=nano.specs -nostartfiles -Wl,--gc-sections \
             -Wl,--defsym=STACK_SIZE=$(FW_STACK_SIZE) -T$(FW_LDSCRIPT)

# The same source lists as the host build (mk/sources.mk).
FW_CORE_OBJ := $(SG_CORE_SRC:%.c=$(FW_BUILD)/%.o)
FW_PORT_OBJ := $(SG_PORT_MBEDTLS_SRC:%.c=$(FW_BUILD)/%.o)
FW_RTOS_OBJ := $(patsubst %.c,$(FW_BUILD)/%.o,$(SG_PLATFORM_RTOS_SRC) $(SG_PLATFORM_CORTEXM_SRC))
FW_APP_OBJ := $(patsubst %.c,$(FW_BUILD)/%.o,$(wildcard examples/firmware/*.c))
FW_LIB := $(FW_BUILD)/libsitegpt.a
FW_MBEDTLS_LIB := $(FW_BUILD)/libmbedtls-fw.a
FW_ELF := $(FW_BUILD)/sitegpt-fw.elf

.PHONY: firmware firmware-test size fw-mbedtls-objs lint-firmware
firmware: $(FW_ELF)

# Every object of ours is rebuilt when this file (its flags) or the options header changes.
$(FW_BUILD)/core/%.o: core/%.c $(DEP_INCLUDE)/jsmn.h mk/firmware.mk $(FW_USER_CONFIG)
	@mkdir -p $(@D)
	$(FW_CC) $(FW_CFLAGS) -MMD -MP -c $< -o $@

FW_TLS_DEPS := $(DEP_INCLUDE)/jsmn.h $(FW_MBEDTLS_STAMP) examples/firmware/mbedtls_config_fw.h \
               mk/firmware.mk $(FW_USER_CONFIG)
$(FW_BUILD)/port/%.o: port/%.c $(FW_TLS_DEPS)
	@mkdir -p $(@D)
	$(FW_CC) $(FW_CFLAGS) -MMD -MP -c $< -o $@
$(FW_BUILD)/platform/%.o: platform/%.c $(FW_TLS_DEPS)
	@mkdir -p $(@D)
	$(FW_CC) $(FW_CFLAGS) -MMD -MP -c $< -o $@
$(FW_BUILD)/examples/%.o: examples/%.c $(FW_TLS_DEPS)
	@mkdir -p $(@D)
	$(FW_CC) $(FW_CFLAGS) -MMD -MP -c $< -o $@

$(FW_LIB): $(FW_CORE_OBJ) $(FW_PORT_OBJ) $(FW_RTOS_OBJ)
	rm -f $@
	$(FW_AR) rcs $@ $^

# The mbedTLS file list exists only once the source is unpacked: a sub-make lists it.
FW_MBEDTLS_SRC = $(wildcard $(FW_MBEDTLS_DIR)/library/*.c)
FW_MBEDTLS_OBJ = $(patsubst $(FW_MBEDTLS_DIR)/library/%.c,$(FW_BUILD)/mbedtls/%.o,$(FW_MBEDTLS_SRC))

$(FW_BUILD)/mbedtls/%.o: $(FW_MBEDTLS_DIR)/library/%.c examples/firmware/mbedtls_config_fw.h
	@mkdir -p $(@D)
	$(FW_CC) -std=c99 $(FW_ARCH) $(FW_OPT) -fstack-usage $(FW_MBEDTLS_CPPFLAGS) \
		-I$(FW_MBEDTLS_DIR)/library -c $< -o $@

fw-mbedtls-objs: $(FW_MBEDTLS_OBJ)

$(FW_MBEDTLS_LIB): $(FW_MBEDTLS_STAMP) examples/firmware/mbedtls_config_fw.h
	$(MAKE) --no-print-directory fw-mbedtls-objs
	rm -f $@
	$(FW_AR) rcs $@ $(FW_BUILD)/mbedtls/*.o

$(FW_ELF): $(FW_APP_OBJ) $(FW_LIB) $(FW_MBEDTLS_LIB) $(FW_LDSCRIPT)
	$(FW_CC) $(FW_LDFLAGS) -Wl,-Map=$(FW_BUILD)/sitegpt-fw.map -o $@ \
		$(FW_APP_OBJ) $(FW_LIB) $(FW_MBEDTLS_LIB)
	$(FW_SIZE) $@
	@! grep -qE '^ \.text\.(_malloc_r|_sbrk_r|malloc)' $(FW_BUILD)/sitegpt-fw.map || \
		{ echo "firmware: newlib malloc was linked in (see $(FW_BUILD)/sitegpt-fw.map)"; exit 1; }

# Bounded: a hung emulator must not hang `make test`.
firmware-test: $(FW_ELF)
	SITEGPT_FIRMWARE=$(abspath $(FW_ELF)) timeout 600 $(PYTHON) -m pytest -q tests/e2e/test_firmware.py

# cppcheck, then clang-tidy file by file, over sources built for the target: $(1) the files,
# $(2) their include flags, $(3) more defines for cppcheck, $(4) the name said when clean.
# lint-firmware and mk/freertos.mk's lint-firmware-freertos run it.
define fw_lint
	cppcheck --quiet --error-exitcode=1 --std=c11 --enable=warning,portability,performance \
		--suppress=missingIncludeSystem $(2) $(FW_LIMITS) -D__GNUC__ $(3) \
		-DMBEDTLS_CONFIG_FILE='"mbedtls_config_fw.h"' $(1)
	@for f in $(1); do \
		out=$$(clang-tidy --quiet $$f -- $(CSTD) --target=arm-none-eabi -mcpu=cortex-m4 -mthumb \
			-isystem /usr/lib/arm-none-eabi/include $(2) $(FW_LIMITS) \
			-DMBEDTLS_CONFIG_FILE='"mbedtls_config_fw.h"' 2>/dev/null); \
		[ -z "$$out" ] || { echo "$$out"; exit 1; }; \
	done; echo "$(4): clean"
endef

# The firmware-only sources.
FW_LINT_SRC = $(wildcard examples/firmware/*.c) $(SG_PLATFORM_RTOS_SRC) $(SG_PLATFORM_CORTEXM_SRC)
lint-firmware: $(DEP_INCLUDE)/jsmn.h $(FW_MBEDTLS_STAMP)
	$(call fw_lint,$(FW_LINT_SRC),$(FW_INCLUDES),,lint-firmware)

# `make size` also measures the core as everyone else builds it: default limits and texts.
FW_DEFAULT_OBJ := $(SG_CORE_SRC:%.c=$(FW_BUILD)/default/%.o)
$(FW_BUILD)/default/core/%.o: core/%.c $(DEP_INCLUDE)/jsmn.h mk/firmware.mk
	@mkdir -p $(@D)
	$(FW_CC) $(CSTD) $(WARNINGS) $(FW_ARCH) $(FW_OPT) $(FW_INCLUDES) -MMD -MP -c $< -o $@
$(FW_BUILD)/libsitegpt-default.a: $(FW_DEFAULT_OBJ)
	rm -f $@
	$(FW_AR) rcs $@ $^

# ...and with the firmware's limits but every feature kept (the options header of
# make test-unit-fw): what the firmware's trims take out, apart from what its limits do.
FW_ALLFEAT_CONFIG := tests/unit/support/fw_limits_config.h
FW_ALLFEAT_OBJ := $(SG_CORE_SRC:%.c=$(FW_BUILD)/allfeat/%.o)
$(FW_BUILD)/allfeat/core/%.o: core/%.c $(DEP_INCLUDE)/jsmn.h mk/firmware.mk $(FW_USER_CONFIG) \
                              $(FW_ALLFEAT_CONFIG)
	@mkdir -p $(@D)
	$(FW_CC) $(CSTD) $(WARNINGS) $(FW_ARCH) $(FW_OPT) $(FW_INCLUDES) -Itests/unit/support \
		-DSG_USER_CONFIG_FILE='"fw_limits_config.h"' -MMD -MP -c $< -o $@
$(FW_BUILD)/libsitegpt-allfeat.a: $(FW_ALLFEAT_OBJ)
	rm -f $@
	$(FW_AR) rcs $@ $^

size: $(FW_ELF) $(FW_BUILD)/libsitegpt-default.a $(FW_BUILD)/libsitegpt-allfeat.a
	$(PYTHON) mk/fw_size.py --build $(FW_BUILD) --elf $(FW_ELF) --lib $(FW_LIB) \
		--default-lib $(FW_BUILD)/libsitegpt-default.a \
		--allfeat-lib $(FW_BUILD)/libsitegpt-allfeat.a \
		--cflags "$(CSTD) $(FW_ARCH) $(FW_INCLUDES)" --user-config $(FW_USER_CONFIG) \
		--ldflags "$(FW_ARCH) -Os --specs=nano.specs -nostartfiles -Wl,--gc-sections"

-include $(FW_CORE_OBJ:.o=.d) $(FW_PORT_OBJ:.o=.d) $(FW_RTOS_OBJ:.o=.d) $(FW_APP_OBJ:.o=.d) \
         $(FW_DEFAULT_OBJ:.o=.d) $(FW_ALLFEAT_OBJ:.o=.d)

# The same image from CMake (cmake/arm-none-eabi.cmake), run by the same QEMU tests.
FW_CMAKE_BUILD := build/cmake-fw
.PHONY: firmware-cmake firmware-test-cmake
firmware-cmake: $(FW_MBEDTLS_STAMP) $(DEP_INCLUDE)/jsmn.h
	cmake -S . -B $(FW_CMAKE_BUILD) -DCMAKE_TOOLCHAIN_FILE=cmake/arm-none-eabi.cmake \
	    -DSITEGPT_WERROR=ON >/dev/null
	cmake --build $(FW_CMAKE_BUILD) -j2
firmware-test-cmake: firmware-cmake
	SITEGPT_FIRMWARE=$(abspath $(FW_CMAKE_BUILD)/sitegpt-fw.elf) timeout 600 $(PYTHON) -m pytest -q \
	    tests/e2e/test_firmware.py
