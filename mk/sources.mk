# sitegpt-c source lists: the one place that says which files make up each part.
# Read by the Makefile and mk/firmware.mk (and by any other build: a CMake or IDE project
# can take these lines as they are). Paths are relative to the repository root.
#
# A new .c file must be added here: the Makefile stops with an error naming any file in
# core/, port/ or platform/ that no list mentions.

# The portable library: C11, no heap, no OS. Needs only the include dirs below and jsmn.h.
SG_CORE_SRC := \
    core/sg_api.c \
    core/sg_config.c \
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
SG_CORE_INC := core

# TLS ports: each implements the contract in port/sg_tls_port.h (see port/README.md).
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
# platforms). The installed sg_tls.h finds sg_tls_port.h beside it. Everything else in core/,
# port/ and platform/ is private to the library.
SG_PUBLIC_HEADERS := \
    core/sitegpt.h \
    core/sg_base.h \
    core/sg_options.h \
    core/sg_http.h \
    core/sg_proxy.h \
    core/sg_url.h \
    core/sg_json.h \
    core/sg_envelope.h \
    core/sg_retry.h \
    core/sg_api.h \
    core/sg_scopes.h \
    core/sg_device.h \
    core/sg_config.h \
    core/sg_renew.h \
    port/sg_tls_port.h \
    port/mbedtls/sg_tls.h \
    platform/posix/sg_posix.h \
    platform/rtos/sg_rtos.h
