/*
 * mbedTLS 3.6 configuration for the sitegpt-c firmware (Cortex-M4, small RAM).
 * Selected with -DMBEDTLS_CONFIG_FILE='"mbedtls_config_fw.h"'.
 *
 * A TLS 1.2 and 1.3 client with ECDHE and ECDSA or RSA certificates, AES-GCM, SHA-256/384.
 * No heap (a static pool through memory_buffer_alloc), no file system, no sockets, no libc
 * stdio: every platform service comes from a hook the firmware installs.
 */
#ifndef MBEDTLS_CONFIG_FW_H
#define MBEDTLS_CONFIG_FW_H

/* ---- platform: nothing from libc but memcpy & co; no malloc, no printf */
#define MBEDTLS_HAVE_ASM
#define MBEDTLS_PLATFORM_C
#define MBEDTLS_PLATFORM_MEMORY
#define MBEDTLS_PLATFORM_NO_STD_FUNCTIONS /* calloc/free start as NULL-returning stubs */
#define MBEDTLS_MEMORY_BUFFER_ALLOC_C     /* ... until the firmware hands in its pool */
#define MBEDTLS_MEMORY_DEBUG              /* pool peak for the firmware's report */
#define MBEDTLS_PLATFORM_SNPRINTF_ALT     /* only x509 text helpers use it; stub is fine */
#define MBEDTLS_PLATFORM_VSNPRINTF_ALT
#define MBEDTLS_PLATFORM_PRINTF_ALT
#define MBEDTLS_PLATFORM_FPRINTF_ALT
#define MBEDTLS_PLATFORM_EXIT_ALT
#define MBEDTLS_PLATFORM_SETBUF_ALT

/* Time: ms clock from SysTick, wall clock (certificate validity) from a hook. */
#define MBEDTLS_HAVE_TIME
#define MBEDTLS_HAVE_TIME_DATE
#define MBEDTLS_PLATFORM_TIME_ALT     /* mbedtls_platform_set_time() */
#define MBEDTLS_PLATFORM_MS_TIME_ALT  /* mbedtls_ms_time() from the firmware */
#define MBEDTLS_PLATFORM_GMTIME_R_ALT /* newlib-nano gmtime() would malloc */

/* Entropy: only mbedtls_hardware_poll(), which the firmware routes to its entropy hook. */
#define MBEDTLS_NO_PLATFORM_ENTROPY
#define MBEDTLS_ENTROPY_HARDWARE_ALT
#define MBEDTLS_ENTROPY_C
#define MBEDTLS_CTR_DRBG_C

/* ---- crypto */
#define MBEDTLS_AES_C
#define MBEDTLS_AES_ROM_TABLES /* tables in flash, not 8 KB of RAM */
#define MBEDTLS_AES_FEWER_TABLES
#define MBEDTLS_GCM_C
#define MBEDTLS_CIPHER_C
#define MBEDTLS_MD_C
#define MBEDTLS_HKDF_C /* PSA HKDF for the TLS 1.3 key schedule */
#define MBEDTLS_SHA256_C
#define MBEDTLS_SHA384_C
#define MBEDTLS_SHA512_C /* SHA-384 is computed by the SHA-512 code */
#define MBEDTLS_BIGNUM_C
#define MBEDTLS_ECP_C
#define MBEDTLS_ECP_DP_SECP256R1_ENABLED
#define MBEDTLS_ECP_DP_SECP384R1_ENABLED
#define MBEDTLS_ECP_NIST_OPTIM
#define MBEDTLS_ECDH_C
#define MBEDTLS_ECDSA_C
#define MBEDTLS_RSA_C
#define MBEDTLS_PKCS1_V15
#define MBEDTLS_PKCS1_V21 /* RSA-PSS: TLS 1.3 signatures */
#define MBEDTLS_ASN1_PARSE_C
#define MBEDTLS_ASN1_WRITE_C
#define MBEDTLS_OID_C
#define MBEDTLS_PK_C
#define MBEDTLS_PK_PARSE_C
#define MBEDTLS_BASE64_C
#define MBEDTLS_PEM_PARSE_C
#define MBEDTLS_X509_USE_C
#define MBEDTLS_X509_CRT_PARSE_C
#define MBEDTLS_X509_RSASSA_PSS_SUPPORT /* offers rsa_pss_rsae_*: TLS 1.3 with RSA certs */
#define MBEDTLS_PSA_CRYPTO_C            /* TLS 1.3 key schedule runs on PSA */

/* Small-RAM tuning: slower bignum windows, no RAM-resident precomputation. */
#define MBEDTLS_MPI_WINDOW_SIZE       2
#define MBEDTLS_MPI_MAX_SIZE          512 /* RSA up to 4096 bits */
#define MBEDTLS_ECP_WINDOW_SIZE       2
#define MBEDTLS_ECP_FIXED_POINT_OPTIM 0
#define MBEDTLS_PSA_KEY_SLOT_COUNT    8

/* ---- TLS client */
#define MBEDTLS_SSL_TLS_C
#define MBEDTLS_SSL_CLI_C
#define MBEDTLS_SSL_PROTO_TLS1_2
#define MBEDTLS_SSL_PROTO_TLS1_3
#define MBEDTLS_SSL_TLS1_3_KEY_EXCHANGE_MODE_EPHEMERAL_ENABLED
#define MBEDTLS_KEY_EXCHANGE_ECDHE_ECDSA_ENABLED
#define MBEDTLS_KEY_EXCHANGE_ECDHE_RSA_ENABLED
#define MBEDTLS_SSL_KEEP_PEER_CERTIFICATE /* required by the TLS 1.3 code */
#define MBEDTLS_SSL_SERVER_NAME_INDICATION
#define MBEDTLS_SSL_EXTENDED_MASTER_SECRET
#define MBEDTLS_SSL_MAX_FRAGMENT_LENGTH /* ask for 4 KB records */

/*
 * Record buffers sized for small RAM: 4 KB in (a server that ignores max_fragment_length
 * must send small records anyway), 2 KB out. mbedTLS only advertises a fragment length both
 * buffers hold (MBEDTLS_TLS_EXT_ADV_CONTENT_LEN), so main.c asks for 2 KB records: the
 * device's requests are a few hundred bytes, and 2 KB instead of 4 KB out keeps the login's
 * RAM under 24 KB.
 */
#define MBEDTLS_SSL_IN_CONTENT_LEN  4096
#define MBEDTLS_SSL_OUT_CONTENT_LEN 2048

#endif /* MBEDTLS_CONFIG_FW_H */
