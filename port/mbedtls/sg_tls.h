/*
 * sitegpt-c: TLS client transport on mbedTLS (2.28 or 3.6) over any inner byte stream.
 *
 * sg_tls is an sg_transport wrapping another one (a TCP socket, a UART, ...). Peer
 * certificates are always verified against the loaded CAs and the host name given to open;
 * TLS 1.2 and, when the mbedTLS build has it, TLS 1.3. A session is resumed when the next
 * open goes to the same host and port. No OS calls and no allocation here: mbedTLS
 * allocates through its own platform hooks (give it a static pool on firmware).
 */
#ifndef SG_TLS_H
#define SG_TLS_H

#include "sg_base.h"

#include <mbedtls/ctr_drbg.h>
#include <mbedtls/ssl.h>
#include <mbedtls/x509_crt.h>

#ifdef __cplusplus
extern "C" {
#endif

/* A source of unpredictable bytes for seeding CTR_DRBG (getrandom, a hardware TRNG). */
typedef sg_status (*sg_tls_entropy_fn)(void *ctx, uint8_t *out, size_t len);

typedef struct sg_tls {
    sg_transport transport;           /* hand &tls.transport to the core */
    const sg_transport *inner;
    const sg_platform *platform;      /* optional: bounds a whole handshake, send or recv */
    sg_tls_entropy_fn entropy;
    void *entropy_ctx;
    mbedtls_ssl_context ssl;
    mbedtls_ssl_config conf;
    mbedtls_ctr_drbg_context drbg;
    mbedtls_x509_crt ca;
    mbedtls_ssl_session saved;        /* for resumption with saved_host:saved_port */
    char saved_host[SG_HOST_MAX];      /* longer hosts are served, never resumed */
    uint16_t saved_port;
    bool saved_valid;
    bool ready;                       /* sg_tls_init succeeded */
    bool have_ca;                     /* at least one trusted CA loaded */
    bool is_open;
    bool resumed;                     /* the open session was resumed */
    bool peer_rsa;                    /* the last handshake's server certificate has an RSA key */
    bool tls12_retry;                 /* handshaking again capped at TLS 1.2 (see sg_tls.c) */
    bool downgrade_seen;              /* that retry met a TLS 1.3 server's downgrade marker */
    uint8_t mfl_code;                 /* max_fragment_length asked for, MBEDTLS_SSL_MAX_FRAG_LEN_* */
    uint32_t certs_seen;              /* certificates checked during the last handshake */
    uint32_t verify_flags;            /* MBEDTLS_X509_BADCERT_* of the last handshake */
    int last_error;                   /* last mbedTLS error code, 0 if none */
    sg_status io_status;              /* why the inner transport failed, SG_OK if it did not */
    uint32_t io_timeout_ms;           /* timeout for the current inner call */
    uint64_t deadline_ms;             /* current call's deadline (platform clock), 0 if none */
} sg_tls;

/* What the open session negotiated, for a verbose print. Strings are static. */
typedef struct sg_tls_info {
    const char *version;              /* "TLSv1.2", "TLSv1.3" */
    const char *ciphersuite;          /* IANA-style name from mbedTLS */
    bool resumed;
} sg_tls_info;

/*
 * Wrap inner (which must outlive t). entropy seeds the DRBG; platform may be NULL (then each
 * inner call of a handshake, send or recv gets the whole timeout instead of sharing one
 * deadline, so a peer dripping a record byte by byte can stretch one call).
 * SG_ERR_ENTROPY when seeding fails, SG_ERR_TLS when mbedTLS cannot be set up.
 */
SG_NODISCARD sg_status sg_tls_init(sg_tls *t, const sg_transport *inner,
                                   sg_tls_entropy_fn entropy, void *entropy_ctx,
                                   const sg_platform *platform);

/*
 * Add trusted CAs from a PEM bundle file (mbedtls_x509_crt_parse_file). Certificates mbedTLS
 * cannot parse are skipped as long as one is taken. SG_ERR_NOT_FOUND when the file cannot
 * be read, SG_ERR_CERT when it holds no usable certificate, SG_ERR_UNSUPPORTED without
 * MBEDTLS_FS_IO.
 */
SG_NODISCARD sg_status sg_tls_load_ca_file(sg_tls *t, const char *path);

/*
 * Add trusted CAs from memory: PEM (the buffer must end with its NUL, which
 * sizeof a string literal counts) or one DER certificate. SG_ERR_CERT when nothing parses.
 */
SG_NODISCARD sg_status sg_tls_load_ca_buffer(sg_tls *t, const uint8_t *data, size_t len);

/* Protocol, ciphersuite and resumption of the open session; SG_ERR_CLOSED when none. */
SG_NODISCARD sg_status sg_tls_get_info(const sg_tls *t, sg_tls_info *info);

/*
 * Why the last handshake rejected the peer: *flags gets the MBEDTLS_X509_BADCERT_* bits
 * (0 when nothing was rejected) and *reason one phrase such as "certificate not trusted",
 * "hostname mismatch" or "certificate expired" ("" when flags is 0). Either may be NULL.
 */
SG_NODISCARD sg_status sg_tls_verify_result(const sg_tls *t, uint32_t *flags,
                                            const char **reason);

/*
 * Ask servers for records of at most bytes (RFC 6066 max_fragment_length): 512, 1024, 2048
 * or 4096; 0 asks nothing (the default). Takes effect from the next open; records we send
 * stay within it too. It is a TLS 1.2 extension, and mbedTLS 3.6 cannot send it in a
 * ClientHello that also offers TLS 1.3 (a TLS 1.3 server's echo fails the handshake), so
 * with both versions built it goes only into handshakes capped at TLS 1.2 (see sg_tls.c).
 * A server may also ignore it: MBEDTLS_SSL_IN_CONTENT_LEN must still hold what it sends.
 * SG_ERR_INVALID_ARG for any other size or one larger than MBEDTLS_SSL_IN_CONTENT_LEN or
 * MBEDTLS_SSL_OUT_CONTENT_LEN; SG_ERR_UNSUPPORTED (nonzero size) without
 * MBEDTLS_SSL_MAX_FRAGMENT_LENGTH.
 */
SG_NODISCARD sg_status sg_tls_set_max_fragment(sg_tls *t, uint16_t bytes);

/* Forget the saved session (the next open does a full handshake). */
void sg_tls_forget_session(sg_tls *t);

/* Close if open and release all mbedTLS state. Safe on a zeroed or freed struct. */
void sg_tls_free(sg_tls *t);

#ifdef __cplusplus
}
#endif

#endif /* SG_TLS_H */
