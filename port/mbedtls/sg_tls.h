/*
 * sitegpt-c: the mbedTLS port (2.28 or 3.6) of the TLS port contract (../sg_tls_port.h,
 * port/README.md): a TLS client transport over any inner byte stream.
 *
 * sg_tls is an sg_transport wrapping another one (a TCP socket, a UART, ...). Peer
 * certificates are always verified against the loaded CAs and the host name given to open;
 * TLS 1.2 and, when the mbedTLS build has it, TLS 1.3. A session is resumed when the next
 * open goes to the same host and port. No OS calls and no allocation here: mbedTLS
 * allocates through its own platform hooks (give it a static pool on firmware).
 */
#ifndef SG_TLS_H
#define SG_TLS_H

#include <sitegpt/sg_tls_port.h>
#include <sitegpt/sg_base.h>

#include <mbedtls/ctr_drbg.h>
#include <mbedtls/ssl.h>
#include <mbedtls/x509_crt.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The contract's sg_tls (entropy seeds CTR_DRBG). */
struct sg_tls {
    sg_transport transport; /* hand &tls.transport to the core */
    const sg_transport *inner;
    const sg_platform *platform; /* optional: bounds a whole handshake, send or recv */
    sg_tls_entropy_fn entropy;
    void *entropy_ctx;
    mbedtls_ssl_context ssl;
    mbedtls_ssl_config conf;
    mbedtls_ctr_drbg_context drbg;
    mbedtls_x509_crt ca;
    mbedtls_ssl_session saved;    /* for resumption with saved_host:saved_port */
    char saved_host[SG_HOST_MAX]; /* longer hosts are served, never resumed */
    uint16_t saved_port;
    bool saved_valid;
    bool ready;   /* sg_tls_init succeeded */
    bool have_ca; /* at least one trusted CA loaded */
    bool is_open;
    bool resumed;          /* the open session was resumed */
    bool peer_rsa;         /* the last handshake's server certificate has an RSA key */
    bool tls12_retry;      /* handshaking again capped at TLS 1.2 (see sg_tls.c) */
    bool downgrade_seen;   /* that retry met a TLS 1.3 server's downgrade marker */
    uint8_t mfl_code;      /* max_fragment_length asked for, MBEDTLS_SSL_MAX_FRAG_LEN_* */
    uint32_t certs_seen;   /* certificates checked during the last handshake */
    uint32_t verify_flags; /* MBEDTLS_X509_BADCERT_* of the last handshake */
    uint32_t top_depth;    /* depth of the highest certificate checked */
    bool top_self_signed;  /* that certificate names itself as issuer */
    char peer_issuer[SG_TLS_ISSUER_MAX]; /* its issuer, printable ("" when none checked) */
    int last_error;                      /* last mbedTLS error code, 0 if none */
    sg_status io_status;                 /* why the inner transport failed, SG_OK if it did not */
    uint32_t io_timeout_ms;              /* timeout for the current inner call */
    uint64_t deadline_ms;                /* current call's deadline (platform clock), 0 if none */
};

/*
 * The functions are the contract's (../sg_tls_port.h). What this port adds to their promises:
 *
 * sg_tls_init: entropy seeds CTR_DRBG. Without a platform a peer dripping a record byte by
 *   byte can stretch one call (each inner call gets the whole timeout).
 * sg_tls_load_ca_file: each PEM CERTIFICATE block goes to mbedtls_x509_crt_parse_der (a
 *   file without one, e.g. DER, to mbedtls_x509_crt_parse_file); blocks that are not clean
 *   base64 (sg_pem_decode.h says what is) or not a certificate mbedTLS can parse are
 *   skipped as long as one is taken; SG_ERR_UNSUPPORTED without MBEDTLS_FS_IO.
 * sg_tls_load_ca_buffer: PEM must end with its NUL (which sizeof a string literal counts).
 * sg_tls_verify_result: *flags are the MBEDTLS_X509_BADCERT_* bits; the reason is the most
 *   fundamental one: "self-signed certificate", "issued by an untrusted root CA", "unknown
 *   issuer (not in the CA file, or the server does not send its intermediate certificate)"
 *   (the flags cannot tell those two apart: the missing certificate is the server's to
 *   send), "certificate expired", "certificate not yet valid", "host name mismatch", then
 *   rarer ones ("certificate not trusted" when no certificate was checked at all).
 * sg_tls_verify_issuer: the issuer the highest certificate checked names, as mbedTLS prints
 *   a name ("O=..., CN=..."), unprintable bytes as '?', cut to SG_TLS_ISSUER_MAX - 1.
 * sg_tls_set_max_fragment: records we send stay within it too. It is a TLS 1.2 extension,
 *   and mbedTLS 3.6 cannot send it in a ClientHello that also offers TLS 1.3 (a TLS 1.3
 *   server's echo fails the handshake), so with both versions built it goes only into
 *   handshakes capped at TLS 1.2 (see sg_tls.c). A server may also ignore it:
 *   MBEDTLS_SSL_IN_CONTENT_LEN must still hold what it sends. SG_ERR_INVALID_ARG also for a
 *   size larger than MBEDTLS_SSL_IN_CONTENT_LEN or MBEDTLS_SSL_OUT_CONTENT_LEN;
 *   SG_ERR_UNSUPPORTED without MBEDTLS_SSL_MAX_FRAGMENT_LENGTH.
 * sg_tls_free: releases all mbedTLS state.
 */

#ifdef __cplusplus
}
#endif

#endif /* SG_TLS_H */
