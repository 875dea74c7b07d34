# sitegpt-c source lists: the one place that says which files make up each part.
# Read by the Makefile and mk/firmware.mk (and by any other build: a CMake or IDE project
# can take these lines as they are). Paths are relative to the repository root.
#
# A new .c file must be added here: the Makefile stops with an error naming any file in
# core/, port/ or platform/ that no list mentions.

# The portable library: C11, no heap, no OS. Needs only the include dirs below and jsmn.h.
SG_CORE_SRC := \
    core/sg_api.c \
    core/sg_api_routes.c \
    core/sg_date.c \
    core/sg_profiles.c \
    core/sg_device.c \
    core/sg_envelope.c \
    core/sg_http_client.c \
    core/sg_http_parse.c \
    core/sg_json.c \
    core/sg_json_write.c \
    core/sg_layout.c \
    core/sg_proxy.c \
    core/sg_renew.c \
    core/sg_retry.c \
    core/sg_scopes.c \
    core/sg_slice.c \
    core/sg_status.c \
    core/sg_url.c \
    core/sg_wipe.c
# Applications include <sitegpt/...> from here: the public API, and nothing else is installed.
SG_CORE_INC := include
# The library's building blocks (core/internal/, sg__ names): its own sources and tests only.
SG_CORE_INTERNAL_INC := core

# TLS ports: each implements the contract in include/sitegpt/sg_tls_port.h (see port/README.md).
# Build exactly one of them into a program.
SG_PORT_MBEDTLS_SRC := port/mbedtls/sg_tls.c
SG_PORT_MBEDTLS_INC := port/mbedtls
# Refuses every session; for tests that prove the layering, never for a real program.
SG_PORT_NULL_SRC := port/null/sg_tls_null.c
SG_PORT_NULL_INC := port/null

# Platforms: the clock, sleep, entropy and byte streams the core needs.
SG_PLATFORM_POSIX_SRC := \
    platform/posix/sg_file.c \
    platform/posix/sg_posix_net.c \
    platform/posix/sg_posix_sys.c
SG_PLATFORM_POSIX_INC := platform/posix

SG_PLATFORM_RTOS_SRC := platform/rtos/sg_rtos.c
SG_PLATFORM_RTOS_INC := platform/rtos
# The bare-metal Cortex-M binding of the RTOS platform (QEMU mps2-an386 board).
SG_PLATFORM_CORTEXM_SRC := \
    platform/rtos/cortexm/cm_clock_uart.c \
    platform/rtos/cortexm/cm_kv.c \
    platform/rtos/cortexm/cm_memory.c \
    platform/rtos/cortexm/cm_semihost.c \
    platform/rtos/cortexm/cm_startup.c
SG_PLATFORM_CORTEXM_INC := platform/rtos/cortexm

# FreeRTOS binding of the RTOS platform (clock, sleep) and an lwIP netconn byte stream.
# Built only by mk/freertos.mk, against a FreeRTOS kernel and lwIP that are not ours.
SG_PLATFORM_FREERTOS_SRC := platform/freertos/sg_freertos.c
SG_PLATFORM_FREERTOS_INC := platform/freertos
SG_PLATFORM_LWIP_SRC := platform/lwip/sg_lwip.c
SG_PLATFORM_LWIP_INC := platform/lwip

# Public headers: what `make install` and CMake's install() publish, flat, in include/sitegpt/
# (sitegpt.h and what it includes, the TLS port contract and the mbedTLS port, the two
# platforms). Programs include them as <sitegpt/...>. Everything else in core/,
# port/ and platform/ is private to the library.
SG_PUBLIC_HEADERS := \
    include/sitegpt/sitegpt.h \
    include/sitegpt/sg_base.h \
    include/sitegpt/sg_options.h \
    include/sitegpt/sg_http.h \
    include/sitegpt/sg_proxy.h \
    include/sitegpt/sg_url.h \
    include/sitegpt/sg_json.h \
    include/sitegpt/sg_envelope.h \
    include/sitegpt/sg_retry.h \
    include/sitegpt/sg_api.h \
    include/sitegpt/sg_scopes.h \
    include/sitegpt/sg_device.h \
    include/sitegpt/sg_profiles.h \
    include/sitegpt/sg_renew.h \
    include/sitegpt/sg_tls_port.h \
    port/mbedtls/sg_tls.h \
    include/sitegpt/sg_posix.h \
    include/sitegpt/sg_rtos.h
