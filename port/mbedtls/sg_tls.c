/* sitegpt-c: TLS client sg_transport on mbedTLS 2.28 / 3.6, over any inner sg_transport. */
#include "sg_tls.h"

#include <string.h>

#include <mbedtls/version.h>
#if MBEDTLS_VERSION_MAJOR >= 3 && defined(MBEDTLS_PSA_CRYPTO_C)
#include <psa/crypto.h>
#endif
#if defined(MBEDTLS_FS_IO)
#include <stdio.h> /* the CA bundle, as mbedtls_x509_crt_parse_file reads it */

#include "sg_pem_decode.h"
#endif

#if MBEDTLS_VERSION_MAJOR >= 3 && defined(MBEDTLS_SSL_PROTO_TLS1_3)
#define SG_TLS13 1
#else
#define SG_TLS13 0
#endif

/*
 * mbedTLS 3.6 offers rsa_pss_rsae_* whenever TLS 1.3 is built (TLS 1.3 needs PSS for RSA
 * certificates), but its TLS 1.2 client refuses a ServerKeyExchange signed with them
 * (mbedtls_ssl_tls12_sig_alg_is_supported() knows no PSS code point, so the handshake ends
 * in MBEDTLS_ERR_SSL_ILLEGAL_PARAMETER), and an OpenSSL TLS 1.2 server with an RSA key and
 * its own preference order picks exactly those. One ClientHello cannot offer PSS to 1.3 and
 * withhold it from 1.2, so such a server gets a second handshake capped at TLS 1.2 without
 * PSS (see tls_open). Not needed when either version is missing.
 */
#if SG_TLS13 && defined(MBEDTLS_SSL_PROTO_TLS1_2) && defined(MBEDTLS_RSA_C)
#define SG_TLS12_PSS_RETRY 1
#else
#define SG_TLS12_PSS_RETRY 0
#endif

/* One ClientHello offering TLS 1.2 and 1.3 (what the PSS retry and the fragment length avoid) */
#if SG_TLS13 && defined(MBEDTLS_SSL_PROTO_TLS1_2)
#define SG_TLS_HYBRID_HELLO 1
#else
#define SG_TLS_HYBRID_HELLO 0
#endif

/* close_notify is a courtesy: never let it hold up a close for long */
#define SG_TLS_CLOSE_TIMEOUT_MS 1000u
/* mbedTLS BIO callbacks return int byte counts */
#define SG_TLS_IO_MAX           0x40000000u

static const unsigned char k_pers[] = "sitegpt-c tls";

#if SG_TLS12_PSS_RETRY
/*
 * Signature algorithms for both versions. PKCS#1 v1.5 comes before PSS: TLS 1.3 never signs
 * a handshake with it (an RSA server still has to use PSS there), while a TLS 1.2 server
 * that follows the client's order then signs with what mbedTLS 1.2 can verify. The code
 * points are the same in both versions; entries the build cannot do are left out by mbedTLS.
 */
static const uint16_t k_sig_algs[] = {
    MBEDTLS_TLS1_3_SIG_ECDSA_SECP256R1_SHA256, MBEDTLS_TLS1_3_SIG_ECDSA_SECP384R1_SHA384,
    MBEDTLS_TLS1_3_SIG_ECDSA_SECP521R1_SHA512, MBEDTLS_TLS1_3_SIG_RSA_PKCS1_SHA256,
    MBEDTLS_TLS1_3_SIG_RSA_PKCS1_SHA384,       MBEDTLS_TLS1_3_SIG_RSA_PKCS1_SHA512,
    MBEDTLS_TLS1_3_SIG_RSA_PSS_RSAE_SHA256,    MBEDTLS_TLS1_3_SIG_RSA_PSS_RSAE_SHA384,
    MBEDTLS_TLS1_3_SIG_RSA_PSS_RSAE_SHA512,    MBEDTLS_TLS1_3_SIG_NONE,
};

/* The TLS 1.2-only retry: the same without PSS, so the server has to sign PKCS#1 v1.5. */
static const uint16_t k_sig_algs_tls12[] = {
    MBEDTLS_TLS1_3_SIG_ECDSA_SECP256R1_SHA256,
    MBEDTLS_TLS1_3_SIG_ECDSA_SECP384R1_SHA384,
    MBEDTLS_TLS1_3_SIG_ECDSA_SECP521R1_SHA512,
    MBEDTLS_TLS1_3_SIG_RSA_PKCS1_SHA256,
    MBEDTLS_TLS1_3_SIG_RSA_PKCS1_SHA384,
    MBEDTLS_TLS1_3_SIG_RSA_PKCS1_SHA512,
    MBEDTLS_TLS1_3_SIG_NONE,
};

/*
 * RFC 8446 4.1.3: a server able to do TLS 1.3 that negotiates 1.2 ends its random with
 * "DOWNGRD\x01". Seen during the 1.2-only retry it means the first handshake was tampered
 * with to make us retry: the retry is then refused. Only the server random is looked at.
 */
static void tls_keys_seen(void *ctx, mbedtls_ssl_key_export_type type, const unsigned char *secret,
                          size_t secret_len, const unsigned char client_random[32],
                          const unsigned char server_random[32], mbedtls_tls_prf_types prf)
{
    static const unsigned char k_downgrade[8] = {'D', 'O', 'W', 'N', 'G', 'R', 'D', 1};
    sg_tls *t = ctx;
    (void)type;
    (void)secret;
    (void)secret_len;
    (void)client_random;
    (void)prf;
    if (t->tls12_retry && memcmp(server_random + 24, k_downgrade, sizeof k_downgrade) == 0) {
        t->downgrade_seen = true;
    }
}
#endif

static int tls_entropy(void *ctx, unsigned char *out, size_t len)
{
    const sg_tls *t = ctx;
    return t->entropy(t->entropy_ctx, out, len) == SG_OK
               ? 0
               : MBEDTLS_ERR_CTR_DRBG_ENTROPY_SOURCE_FAILED;
}

/* Counts the certificates checked (none on a resumed handshake) and keeps their flags. */
static int tls_verify(void *ctx, mbedtls_x509_crt *crt, int depth, uint32_t *flags)
{
    sg_tls *t = ctx;
    if (depth == 0) {
        t->peer_rsa = mbedtls_pk_can_do(&crt->pk, MBEDTLS_PK_RSA) != 0;
    }
    t->certs_seen++;
    t->verify_flags |= *flags;
    /* The chain is walked from its top down: the first call is the highest certificate. */
    if (t->certs_seen == 1 || (uint32_t)depth > t->top_depth) {
        t->top_depth = (uint32_t)depth;
        t->top_self_signed =
            crt->issuer_raw.len == crt->subject_raw.len &&
            memcmp(crt->issuer_raw.p, crt->subject_raw.p, crt->issuer_raw.len) == 0;
        if (mbedtls_x509_dn_gets(t->peer_issuer, sizeof t->peer_issuer, &crt->issuer) < 0) {
            t->peer_issuer[0] = '\0';
        }
        for (char *p = t->peer_issuer; *p != '\0'; p++) {
            if ((unsigned char)*p < 0x20 || (unsigned char)*p >= 0x7f) {
                *p = '?'; /* a name from the peer: never a terminal control */
            }
        }
    }
    return 0;
}

/* Time for the next inner call: the per-call timeout, cut to the handshake deadline. */
static bool io_budget(const sg_tls *t, uint32_t *ms)
{
    *ms = t->io_timeout_ms;
    if (t->deadline_ms != 0 && t->platform != NULL && t->platform->now_ms != NULL) {
        uint64_t now = t->platform->now_ms(t->platform->ctx);
        if (now >= t->deadline_ms) {
            return false;
        }
        if (t->deadline_ms - now < *ms) {
            *ms = (uint32_t)(t->deadline_ms - now);
        }
    }
    return true;
}

static int bio_fail(sg_tls *t, sg_status st)
{
    t->io_status = st;
    return st == SG_ERR_TIMEOUT ? MBEDTLS_ERR_SSL_TIMEOUT : MBEDTLS_ERR_SSL_INTERNAL_ERROR;
}

static int bio_send(void *ctx, const unsigned char *buf, size_t len)
{
    sg_tls *t = ctx;
    uint32_t ms;
    if (!io_budget(t, &ms)) {
        return bio_fail(t, SG_ERR_TIMEOUT);
    }
    size_t sent = 0;
    sg_status st =
        t->inner->send(t->inner->ctx, buf, len > SG_TLS_IO_MAX ? SG_TLS_IO_MAX : len, &sent, ms);
    if (st != SG_OK) {
        return bio_fail(t, st);
    }
    if (sent == 0 || sent > len) {
        return bio_fail(t, SG_ERR_IO); /* a stream that takes nothing would spin forever */
    }
    return (int)sent;
}

static int bio_recv(void *ctx, unsigned char *buf, size_t len)
{
    sg_tls *t = ctx;
    uint32_t ms;
    if (!io_budget(t, &ms)) {
        return bio_fail(t, SG_ERR_TIMEOUT);
    }
    size_t got = 0;
    sg_status st =
        t->inner->recv(t->inner->ctx, buf, len > SG_TLS_IO_MAX ? SG_TLS_IO_MAX : len, &got, ms);
    if (st != SG_OK) {
        return bio_fail(t, st);
    }
    if (got > len) {
        return bio_fail(t, SG_ERR_IO);
    }
    return (int)got; /* 0: the inner stream ended, mbedTLS reports CONN_EOF */
}

/*
 * One send or recv: its timeout bounds the whole call, however many inner reads a record
 * takes (a peer dripping a record byte by byte must not stretch it). Timeout 0 stays a poll:
 * every inner call then gets 0.
 */
static void call_deadline(sg_tls *t, uint32_t timeout_ms)
{
    t->io_status = SG_OK;
    t->io_timeout_ms = timeout_ms;
    t->deadline_ms = 0;
    if (timeout_ms != 0 && t->platform != NULL && t->platform->now_ms != NULL) {
        t->deadline_ms = t->platform->now_ms(t->platform->ctx) + timeout_ms;
    }
}

static bool is_tls13(const sg_tls *t)
{
#if SG_TLS13
    return mbedtls_ssl_get_version_number(&t->ssl) == MBEDTLS_SSL_VERSION_TLS1_3;
#else
    (void)t;
    return false;
#endif
}

/* Keep the session (TLS 1.2) or the latest ticket (TLS 1.3) for the next open. */
static void save_session(sg_tls *t)
{
    if (t->saved_host[0] == '\0') {
        return; /* host name too long to remember */
    }
    mbedtls_ssl_session_free(&t->saved);
    mbedtls_ssl_session_init(&t->saved);
    t->saved_valid = mbedtls_ssl_get_session(&t->ssl, &t->saved) == 0;
}

/* mbedTLS results that only mean "call again"; a TLS 1.3 ticket is kept on the way. */
static bool tls_again(sg_tls *t, int ret)
{
#if defined(MBEDTLS_ERR_SSL_RECEIVED_NEW_SESSION_TICKET)
    if (ret == MBEDTLS_ERR_SSL_RECEIVED_NEW_SESSION_TICKET) {
        save_session(t);
        return true;
    }
#endif
    (void)t;
    return ret == MBEDTLS_ERR_SSL_WANT_READ || ret == MBEDTLS_ERR_SSL_WANT_WRITE;
}

static sg_status tls_status(sg_tls *t, int ret, bool handshake)
{
    t->last_error = ret;
    if (t->io_status != SG_OK) {
        return t->io_status;
    }
    if (ret == MBEDTLS_ERR_X509_CERT_VERIFY_FAILED || (handshake && t->verify_flags != 0)) {
        return SG_ERR_CERT;
    }
    if (ret == MBEDTLS_ERR_SSL_TIMEOUT) {
        return SG_ERR_TIMEOUT;
    }
    if (ret == MBEDTLS_ERR_CTR_DRBG_ENTROPY_SOURCE_FAILED) {
        return SG_ERR_ENTROPY;
    }
    if (ret == MBEDTLS_ERR_SSL_CONN_EOF && !handshake) {
        return SG_ERR_CLOSED;
    }
    return SG_ERR_TLS;
}

static void tls_close(void *ctx)
{
    sg_tls *t = ctx;
    if (t == NULL || !t->is_open) {
        return;
    }
    t->io_timeout_ms = SG_TLS_CLOSE_TIMEOUT_MS;
    (void)mbedtls_ssl_close_notify(&t->ssl);
    t->inner->close(t->inner->ctx);
    t->is_open = false;
}

static bool same_peer(const sg_tls *t, const char *host, uint16_t port)
{
    return t->saved_port == port && strncmp(t->saved_host, host, sizeof t->saved_host) == 0;
}

static void remember_peer(sg_tls *t, const char *host, uint16_t port)
{
    size_t n = strlen(host);
    mbedtls_ssl_session_free(&t->saved);
    mbedtls_ssl_session_init(&t->saved);
    t->saved_valid = false;
    t->saved_port = port;
    t->saved_host[0] = '\0';
    if (n < sizeof t->saved_host) {
        memcpy(t->saved_host, host, n + 1);
    }
}

/* What one handshake found out, cleared before the next. */
static void clear_result(sg_tls *t)
{
    t->verify_flags = 0;
    t->certs_seen = 0;
    t->top_depth = 0;
    t->top_self_signed = false;
    t->peer_issuer[0] = '\0';
    t->last_error = 0;
    t->peer_rsa = false;
    t->io_status = SG_OK;
}

/* One handshake on a fresh inner stream; on failure the stream is closed again. */
static sg_status tls_handshake(sg_tls *t, const char *host, uint16_t port, uint32_t timeout_ms,
                               bool resume)
{
    clear_result(t);
    int ret = mbedtls_ssl_session_reset(&t->ssl);
    if (ret != 0) {
        return tls_status(t, ret, true);
    }
    /* SNI and the certificate name check both come from this */
    ret = mbedtls_ssl_set_hostname(&t->ssl, host);
    if (ret != 0) {
        t->last_error = ret;
        return SG_ERR_INVALID_ARG;
    }
    if (resume) {
        /* a refused session only costs a full handshake */
        (void)mbedtls_ssl_set_session(&t->ssl, &t->saved);
    }
    t->io_timeout_ms = timeout_ms;
    uint32_t ms; /* a retry gets what the first attempt left of the deadline */
    if (!io_budget(t, &ms)) {
        return SG_ERR_TIMEOUT;
    }
    sg_status st = t->inner->open(t->inner->ctx, host, port, ms);
    if (st != SG_OK) {
        return st;
    }
    do {
        ret = mbedtls_ssl_handshake(&t->ssl);
    } while (tls_again(t, ret));
    if (ret != 0) {
        st = tls_status(t, ret, true);
        t->inner->close(t->inner->ctx);
        return st;
    }
    return SG_OK;
}

/*
 * The max_fragment_length request. mbedTLS 3.6 writes it with its TLS 1.2 extensions and
 * does not count it as sent for TLS 1.3, so a TLS 1.3 server echoing it in
 * EncryptedExtensions (OpenSSL does) fails the handshake with
 * MBEDTLS_ERR_SSL_UNSUPPORTED_EXTENSION: a ClientHello that also offers TLS 1.3 goes
 * without it, and only handshakes capped at TLS 1.2 carry it.
 */
static void apply_max_fragment(sg_tls *t, bool tls12_hello)
{
#if defined(MBEDTLS_SSL_MAX_FRAGMENT_LENGTH)
    unsigned char code = t->mfl_code;
    if (SG_TLS_HYBRID_HELLO && !tls12_hello) {
        code = MBEDTLS_SSL_MAX_FRAG_LEN_NONE;
    }
    (void)mbedtls_ssl_conf_max_frag_len(&t->conf, code); /* sizes checked when set */
#else
    (void)t;
    (void)tls12_hello;
#endif
}

#if SG_TLS12_PSS_RETRY
/* The one failure the TLS 1.2-only retry is for: a verified RSA server signing with PSS. */
static bool refused_tls12_pss(const sg_tls *t)
{
    return t->last_error == MBEDTLS_ERR_SSL_ILLEGAL_PARAMETER && t->io_status == SG_OK &&
           mbedtls_ssl_get_version_number(&t->ssl) == MBEDTLS_SSL_VERSION_TLS1_2 &&
           t->certs_seen > 0 && t->verify_flags == 0 && t->peer_rsa;
}

static void tls12_only(sg_tls *t, bool on)
{
    t->tls12_retry = on;
    t->downgrade_seen = false;
    mbedtls_ssl_conf_max_tls_version(&t->conf,
                                     on ? MBEDTLS_SSL_VERSION_TLS1_2 : MBEDTLS_SSL_VERSION_TLS1_3);
    mbedtls_ssl_conf_sig_algs(&t->conf, on ? k_sig_algs_tls12 : k_sig_algs);
    apply_max_fragment(t, on);
}
#endif

static sg_status tls_open(void *ctx, const char *host, uint16_t port, uint32_t timeout_ms)
{
    sg_tls *t = ctx;
    if (t == NULL || !t->ready || host == NULL || host[0] == '\0') {
        return SG_ERR_INVALID_ARG;
    }
    tls_close(t);
    clear_result(t);
    t->resumed = false;
    if (!t->have_ca) {
        t->verify_flags = MBEDTLS_X509_BADCERT_NOT_TRUSTED; /* nothing could be trusted */
        return SG_ERR_CERT;
    }
    const bool same = t->saved_valid && same_peer(t, host, port);
    t->deadline_ms = 0; /* one deadline for every attempt */
    if (t->platform != NULL && t->platform->now_ms != NULL) {
        t->deadline_ms = t->platform->now_ms(t->platform->ctx) + timeout_ms;
    }
    sg_status st = tls_handshake(t, host, port, timeout_ms, same);
#if SG_TLS12_PSS_RETRY
    if (st == SG_ERR_TLS && refused_tls12_pss(t)) {
        tls12_only(t, true);
        st = tls_handshake(t, host, port, timeout_ms, false);
        if (st == SG_OK && t->downgrade_seen) {
            t->inner->close(t->inner->ctx);
            t->last_error = MBEDTLS_ERR_SSL_ILLEGAL_PARAMETER;
            st = SG_ERR_TLS;
        }
        tls12_only(t, false);
    }
#endif
    t->deadline_ms = 0;
    if (st != SG_OK) {
        return st;
    }
    t->is_open = true;
    t->resumed = t->certs_seen == 0;
    if (!same) {
        remember_peer(t, host, port);
    }
    if (!is_tls13(t)) {
        save_session(t); /* TLS 1.3 tickets arrive later, through recv */
    }
    return SG_OK;
}

static sg_status tls_send(void *ctx, const uint8_t *data, size_t len, size_t *sent,
                          uint32_t timeout_ms)
{
    sg_tls *t = ctx;
    if (t == NULL || sent == NULL || (data == NULL && len > 0)) {
        return SG_ERR_INVALID_ARG;
    }
    *sent = 0;
    if (!t->is_open) {
        return SG_ERR_CLOSED;
    }
    if (len == 0) {
        return SG_OK;
    }
    call_deadline(t, timeout_ms);
    int ret;
    do {
        ret = mbedtls_ssl_write(&t->ssl, data, len);
    } while (tls_again(t, ret));
    t->deadline_ms = 0;
    if (ret < 0) {
        return tls_status(t, ret, false);
    }
    *sent = (size_t)ret;
    return SG_OK;
}

static sg_status tls_recv(void *ctx, uint8_t *buf, size_t cap, size_t *received,
                          uint32_t timeout_ms)
{
    sg_tls *t = ctx;
    if (t == NULL || received == NULL || buf == NULL || cap == 0) {
        return SG_ERR_INVALID_ARG;
    }
    *received = 0;
    if (!t->is_open) {
        return SG_ERR_CLOSED;
    }
    call_deadline(t, timeout_ms);
    int ret;
    do {
        ret = mbedtls_ssl_read(&t->ssl, buf, cap);
    } while (tls_again(t, ret));
    t->deadline_ms = 0;
    if (ret > 0) {
        *received = (size_t)ret;
        return SG_OK;
    }
    if (ret == MBEDTLS_ERR_SSL_PEER_CLOSE_NOTIFY) {
        return SG_OK; /* orderly end of stream */
    }
    /* 0 is EOF without close_notify: possibly truncated, so not an orderly end */
    return tls_status(t, ret == 0 ? MBEDTLS_ERR_SSL_CONN_EOF : ret, false);
}

static sg_status tls_setup(sg_tls *t)
{
#if MBEDTLS_VERSION_MAJOR >= 3 && defined(MBEDTLS_PSA_CRYPTO_C)
    /* TLS 1.3 (and PSA-backed TLS 1.2) needs it; repeated calls are harmless */
    if (psa_crypto_init() != PSA_SUCCESS) {
        return SG_ERR_TLS;
    }
#endif
    int ret = mbedtls_ctr_drbg_seed(&t->drbg, tls_entropy, t, k_pers, sizeof k_pers - 1);
    if (ret != 0) {
        t->last_error = ret;
        return SG_ERR_ENTROPY;
    }
    ret = mbedtls_ssl_config_defaults(&t->conf, MBEDTLS_SSL_IS_CLIENT, MBEDTLS_SSL_TRANSPORT_STREAM,
                                      MBEDTLS_SSL_PRESET_DEFAULT);
    if (ret != 0) {
        t->last_error = ret;
        return SG_ERR_TLS;
    }
    mbedtls_ssl_conf_authmode(&t->conf, MBEDTLS_SSL_VERIFY_REQUIRED);
    mbedtls_ssl_conf_ca_chain(&t->conf, &t->ca, NULL);
    mbedtls_ssl_conf_rng(&t->conf, mbedtls_ctr_drbg_random, &t->drbg);
    mbedtls_ssl_conf_verify(&t->conf, tls_verify, t);
#if MBEDTLS_VERSION_MAJOR >= 3
    mbedtls_ssl_conf_min_tls_version(&t->conf, MBEDTLS_SSL_VERSION_TLS1_2);
#if SG_TLS13
    mbedtls_ssl_conf_max_tls_version(&t->conf, MBEDTLS_SSL_VERSION_TLS1_3);
#if defined(MBEDTLS_SSL_SESSION_TICKETS) && MBEDTLS_VERSION_NUMBER >= 0x03060100
    /* TLS 1.3 resumption needs the tickets the server sends after the handshake */
    mbedtls_ssl_conf_tls13_enable_signal_new_session_tickets(
        &t->conf, MBEDTLS_SSL_TLS1_3_SIGNAL_NEW_SESSION_TICKETS_ENABLED);
#endif
#endif
#if SG_TLS12_PSS_RETRY
    mbedtls_ssl_conf_sig_algs(&t->conf, k_sig_algs);
#endif
#else
    mbedtls_ssl_conf_min_version(&t->conf, MBEDTLS_SSL_MAJOR_VERSION_3,
                                 MBEDTLS_SSL_MINOR_VERSION_3);
#endif
    ret = mbedtls_ssl_setup(&t->ssl, &t->conf);
    if (ret != 0) {
        t->last_error = ret;
        return SG_ERR_TLS;
    }
    mbedtls_ssl_set_bio(&t->ssl, t, bio_send, bio_recv, NULL);
#if SG_TLS12_PSS_RETRY
    mbedtls_ssl_set_export_keys_cb(&t->ssl, tls_keys_seen, t);
#endif
    return SG_OK;
}

sg_status sg_tls_init(sg_tls *t, const sg_transport *inner, sg_tls_entropy_fn entropy,
                      void *entropy_ctx, const sg_platform *platform)
{
    if (t == NULL || inner == NULL || inner->open == NULL || inner->send == NULL ||
        inner->recv == NULL || inner->close == NULL || entropy == NULL) {
        return SG_ERR_INVALID_ARG;
    }
    memset(t, 0, sizeof *t);
    t->transport.ctx = t;
    t->transport.open = tls_open;
    t->transport.send = tls_send;
    t->transport.recv = tls_recv;
    t->transport.close = tls_close;
    t->inner = inner;
    t->platform = platform;
    t->entropy = entropy;
    t->entropy_ctx = entropy_ctx;
    mbedtls_ssl_init(&t->ssl);
    mbedtls_ssl_config_init(&t->conf);
    mbedtls_ctr_drbg_init(&t->drbg);
    mbedtls_x509_crt_init(&t->ca);
    mbedtls_ssl_session_init(&t->saved);
    t->ready = true; /* the contexts exist now: sg_tls_free must release them */
    sg_status st = tls_setup(t);
    if (st != SG_OK) {
        sg_tls_free(t);
    }
    return st;
}

#if defined(MBEDTLS_FS_IO)
/*
 * A PEM bundle read line by line: each CERTIFICATE block is base64-decoded by
 * sg_pem_decode.h (a table, not mbedTLS's constant-time decoder: certificates are public)
 * and handed to mbedtls_x509_crt_parse_der.
 */
enum { PEM_LINE_MAX = 512 };

/* 0 when some certificate was taken, 1 when the file holds no PEM block, else an error. */
static int pem_load_file(sg_tls *t, const char *path)
{
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        return MBEDTLS_ERR_PK_FILE_IO_ERROR;
    }
    sg_pem_reader r;
    sg_pem_reader_init(&r);
    char line[PEM_LINE_MAX];
    bool line_start = true;
    int taken = 0;
    int first_error = 0;
    int ret = 0;
    while (fgets(line, sizeof line, f) != NULL) {
        size_t n = strlen(line);
        sg_pem_event ev = sg_pem_feed(&r, line, n, line_start);
        line_start = n > 0 && line[n - 1] == '\n';
        if (ev == SG_PEM_MORE) {
            continue;
        }
        int st = ev == SG_PEM_BAD ? MBEDTLS_ERR_X509_INVALID_FORMAT
                                  : mbedtls_x509_crt_parse_der(&t->ca, r.der, r.len);
        if (st == MBEDTLS_ERR_X509_ALLOC_FAILED) {
            ret = st;
            break;
        }
        if (st == 0) {
            taken++;
        } else if (first_error == 0) {
            first_error = st;
        }
    }
    bool failed = ferror(f) != 0;
    (void)fclose(f);
    if (ret != 0) {
        return ret;
    }
    if (failed) {
        return MBEDTLS_ERR_PK_FILE_IO_ERROR;
    }
    if (!r.saw_block) {
        return 1;
    }
    if (taken > 0) {
        return 0;
    }
    return first_error != 0 ? first_error : MBEDTLS_ERR_X509_CERT_UNKNOWN_FORMAT;
}
#endif

sg_status sg_tls_load_ca_file(sg_tls *t, const char *path)
{
    if (t == NULL || !t->ready || path == NULL) {
        return SG_ERR_INVALID_ARG;
    }
#if defined(MBEDTLS_FS_IO)
    int ret = pem_load_file(t, path);
    if (ret == 1) {
        /* no PEM block: maybe one DER certificate, which mbedTLS reads as it is */
        ret = mbedtls_x509_crt_parse_file(&t->ca, path);
    }
    if (ret == MBEDTLS_ERR_PK_FILE_IO_ERROR) {
        t->last_error = ret;
        return SG_ERR_NOT_FOUND;
    }
    if (ret < 0 || t->ca.raw.len == 0) {
        t->last_error = ret;
        return SG_ERR_CERT;
    }
    t->have_ca = true;
    return SG_OK;
#else
    return SG_ERR_UNSUPPORTED;
#endif
}

sg_status sg_tls_load_ca_buffer(sg_tls *t, const uint8_t *data, size_t len)
{
    if (t == NULL || !t->ready || data == NULL || len == 0) {
        return SG_ERR_INVALID_ARG;
    }
    int ret = mbedtls_x509_crt_parse(&t->ca, data, len);
    if (ret < 0 || t->ca.raw.len == 0) {
        t->last_error = ret;
        return SG_ERR_CERT;
    }
    t->have_ca = true;
    return SG_OK;
}

sg_status sg_tls_get_info(const sg_tls *t, sg_tls_info *info)
{
    if (t == NULL || info == NULL) {
        return SG_ERR_INVALID_ARG;
    }
    if (!t->is_open) {
        return SG_ERR_CLOSED;
    }
    info->version = mbedtls_ssl_get_version(&t->ssl);
    info->ciphersuite = mbedtls_ssl_get_ciphersuite(&t->ssl);
    info->resumed = t->resumed;
    return SG_OK;
}

/* The one reason worth telling a person, most fundamental first. */
static const char *verify_reason(const sg_tls *t)
{
    static const struct {
        uint32_t bit;
        const char *text;
    } k_reasons[] = {
        {MBEDTLS_X509_BADCERT_EXPIRED, "certificate expired"},
        {MBEDTLS_X509_BADCERT_FUTURE, "certificate not yet valid"},
        {MBEDTLS_X509_BADCERT_CN_MISMATCH, "host name mismatch"},
        {MBEDTLS_X509_BADCERT_REVOKED, "certificate revoked"},
        {MBEDTLS_X509_BADCERT_BAD_MD | MBEDTLS_X509_BADCERT_BAD_PK | MBEDTLS_X509_BADCERT_BAD_KEY,
         "certificate uses a weak key or algorithm"},
        {MBEDTLS_X509_BADCERT_KEY_USAGE | MBEDTLS_X509_BADCERT_EXT_KEY_USAGE |
             MBEDTLS_X509_BADCERT_NS_CERT_TYPE,
         "certificate not valid for a TLS server"},
        {MBEDTLS_X509_BADCERT_MISSING, "no certificate presented"},
    };
    uint32_t flags = t->verify_flags;
    if (flags == 0) {
        return "";
    }
    if ((flags & MBEDTLS_X509_BADCERT_NOT_TRUSTED) != 0) {
        if (t->certs_seen == 0) {
            return "certificate not trusted"; /* none checked: no CA to check against */
        }
        if (t->top_self_signed) {
            return t->top_depth == 0 ? "self-signed certificate" : "issued by an untrusted root CA";
        }
        return "unknown issuer (not in the CA file, or the server does not send its "
               "intermediate certificate)";
    }
    for (size_t i = 0; i < sizeof k_reasons / sizeof k_reasons[0]; i++) {
        if ((flags & k_reasons[i].bit) != 0) {
            return k_reasons[i].text;
        }
    }
    return "certificate rejected";
}

sg_status sg_tls_verify_result(const sg_tls *t, uint32_t *flags, const char **reason)
{
    if (t == NULL) {
        return SG_ERR_INVALID_ARG;
    }
    if (flags != NULL) {
        *flags = t->verify_flags;
    }
    if (reason != NULL) {
        *reason = verify_reason(t);
    }
    return SG_OK;
}

const char *sg_tls_verify_issuer(const sg_tls *t)
{
    if (t == NULL || (t->verify_flags & MBEDTLS_X509_BADCERT_NOT_TRUSTED) == 0) {
        return ""; /* the issuer was not the problem */
    }
    return t->peer_issuer;
}

sg_status sg_tls_set_max_fragment(sg_tls *t, uint16_t bytes)
{
    if (t == NULL || !t->ready) {
        return SG_ERR_INVALID_ARG;
    }
#if defined(MBEDTLS_SSL_MAX_FRAGMENT_LENGTH)
    static const struct {
        uint16_t bytes;
        uint8_t code;
    } k_sizes[] = {
        {0, MBEDTLS_SSL_MAX_FRAG_LEN_NONE},    {512, MBEDTLS_SSL_MAX_FRAG_LEN_512},
        {1024, MBEDTLS_SSL_MAX_FRAG_LEN_1024}, {2048, MBEDTLS_SSL_MAX_FRAG_LEN_2048},
        {4096, MBEDTLS_SSL_MAX_FRAG_LEN_4096},
    };
    /* mbedTLS asks only for what both record buffers hold */
    if (bytes > MBEDTLS_SSL_IN_CONTENT_LEN || bytes > MBEDTLS_SSL_OUT_CONTENT_LEN) {
        return SG_ERR_INVALID_ARG;
    }
    for (size_t i = 0; i < sizeof k_sizes / sizeof k_sizes[0]; i++) {
        if (k_sizes[i].bytes == bytes) {
            t->mfl_code = k_sizes[i].code;
            apply_max_fragment(t, false);
            return SG_OK;
        }
    }
    return SG_ERR_INVALID_ARG;
#else
    return bytes == 0 ? SG_OK : SG_ERR_UNSUPPORTED;
#endif
}

void sg_tls_forget_session(sg_tls *t)
{
    if (t == NULL || !t->ready) {
        return;
    }
    mbedtls_ssl_session_free(&t->saved);
    mbedtls_ssl_session_init(&t->saved);
    t->saved_valid = false;
}

sg_status sg_tls_layout_compare(size_t app_sizeof)
{
    return app_sizeof == sizeof(sg_tls) ? SG_OK : SG_ERR_LAYOUT;
}

void sg_tls_free(sg_tls *t)
{
    if (t == NULL || !t->ready) {
        return;
    }
    tls_close(t);
    mbedtls_ssl_session_free(&t->saved);
    mbedtls_x509_crt_free(&t->ca);
    mbedtls_ssl_free(&t->ssl);
    mbedtls_ssl_config_free(&t->conf);
    mbedtls_ctr_drbg_free(&t->drbg);
    t->ready = false;
    t->have_ca = false;
    t->saved_valid = false;
}
