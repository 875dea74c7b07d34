/*
 * sitegpt-c: the TLS port contract. Every TLS port (port/<library>/) implements exactly
 * these functions, under these names, on its own struct sg_tls; port/README.md says what
 * each promises. A program links one port; the core never includes this header (it sees
 * TLS only as an sg_transport), nor does any platform.
 *
 * The port's own sg_tls.h defines struct sg_tls (its library's state lives there) and
 * includes this file. Its first member is the sg_transport the core uses:
 *
 *   sg_tls tls;
 *   if (sg_tls_init(&tls, &tcp.transport, entropy, NULL, &platform) != SG_OK ||
 *       sg_tls_load_ca_file(&tls, "/etc/ssl/certs/ca-certificates.crt") != SG_OK) ...
 *   http_cfg.tls = &tls.transport;
 */
#ifndef SG_TLS_PORT_H
#define SG_TLS_PORT_H

#include "sg_base.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Defined by the port's sg_tls.h. */
typedef struct sg_tls sg_tls;

/* A source of unpredictable bytes to seed the port's generator (getrandom, a hardware TRNG). */
typedef sg_status (*sg_tls_entropy_fn)(void *ctx, uint8_t *out, size_t len);

/* What the open session negotiated, for a verbose print. Strings are static. */
typedef struct sg_tls_info {
    const char *version;     /* "TLSv1.2", "TLSv1.3" */
    const char *ciphersuite; /* IANA-style name */
    bool resumed;
} sg_tls_info;

/*
 * Wrap inner (which must outlive t): t->transport becomes a TLS client over it. open(host,
 * port) opens inner, handshakes and verifies the peer's certificate chain against the loaded
 * CAs and host; any failure to verify is SG_ERR_CERT, never a session. entropy seeds the
 * port's generator; platform may be NULL (then each inner call gets the whole timeout
 * instead of sharing one deadline per send, recv or handshake). SG_ERR_ENTROPY when seeding
 * fails, SG_ERR_TLS when the library cannot be set up, SG_ERR_INVALID_ARG for NULLs.
 */
SG_NODISCARD sg_status sg_tls_init(sg_tls *t, const sg_transport *inner, sg_tls_entropy_fn entropy,
                                   void *entropy_ctx, const sg_platform *platform);

/*
 * Add trusted CAs from a PEM bundle file. SG_ERR_NOT_FOUND when it cannot be read,
 * SG_ERR_CERT when it holds no usable certificate, SG_ERR_UNSUPPORTED without file access.
 */
SG_NODISCARD sg_status sg_tls_load_ca_file(sg_tls *t, const char *path);

/* Add trusted CAs from memory (PEM with its NUL counted in len, or one DER certificate).
   SG_ERR_CERT when nothing parses. */
SG_NODISCARD sg_status sg_tls_load_ca_buffer(sg_tls *t, const uint8_t *data, size_t len);

/* Protocol, ciphersuite and resumption of the open session; SG_ERR_CLOSED when none. */
SG_NODISCARD sg_status sg_tls_get_info(const sg_tls *t, sg_tls_info *info);

/*
 * Why the last handshake rejected the peer: *flags gets the port's own bits (0 when nothing
 * was rejected) and *reason one short phrase for people, such as "self-signed certificate",
 * "certificate expired" or "host name mismatch" ("" when flags is 0). Either may be NULL.
 */
SG_NODISCARD sg_status sg_tls_verify_result(const sg_tls *t, uint32_t *flags, const char **reason);

/*
 * When the last handshake refused the peer because its issuer could not be trusted (an
 * unknown CA, an untrusted root, a missing intermediate): that issuer's name, printable, so
 * a person can tell which CA is missing. "" otherwise, and from ports that cannot tell.
 * Never NULL.
 */
const char *sg_tls_verify_issuer(const sg_tls *t);

/*
 * Ask servers for records of at most bytes (RFC 6066 max_fragment_length: 512, 1024, 2048
 * or 4096; 0 asks nothing, the default), from the next open. SG_ERR_INVALID_ARG for another
 * size, SG_ERR_UNSUPPORTED (nonzero size) when the port or its build cannot.
 */
SG_NODISCARD sg_status sg_tls_set_max_fragment(sg_tls *t, uint16_t bytes);

/* Forget the saved session (the next open does a full handshake). */
void sg_tls_forget_session(sg_tls *t);

/* Close if open and release all state. Safe on a zeroed or already freed struct. */
void sg_tls_free(sg_tls *t);

/*
 * The port's struct sg_tls depends on options (SG_HOST_MAX) and on its library's own
 * configuration: SG_ERR_LAYOUT unless app_sizeof, the application's sizeof(sg_tls), is the
 * port's. Call it as sg_tls_check_layout() at start-up, next to sg_check_layout().
 */
SG_NODISCARD sg_status sg_tls_layout_compare(size_t app_sizeof);
#define sg_tls_check_layout() sg_tls_layout_compare(sizeof(sg_tls))

#ifdef __cplusplus
}
#endif

#endif /* SG_TLS_PORT_H */
