/* sitegpt-c: TLS client sg_transport on mbedTLS 2.28 / 3.6, over any inner sg_transport. */
#include "sg_tls.h"

#include <string.h>

#include <mbedtls/version.h>
#if MBEDTLS_VERSION_MAJOR >= 3 && defined(MBEDTLS_PSA_CRYPTO_C)
#include <psa/crypto.h>
#endif

#if MBEDTLS_VERSION_MAJOR >= 3 && defined(MBEDTLS_SSL_PROTO_TLS1_3)
#define SG_TLS13 1
#else
#define SG_TLS13 0
#endif

/* close_notify is a courtesy: never let it hold up a close for long */
#define SG_TLS_CLOSE_TIMEOUT_MS 1000u
/* mbedTLS BIO callbacks return int byte counts */
#define SG_TLS_IO_MAX 0x40000000u

static const unsigned char k_pers[] = "sitegpt-c tls";

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
    (void)crt;
    (void)depth;
    t->certs_seen++;
    t->verify_flags |= *flags;
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
    sg_status st = t->inner->send(t->inner->ctx, buf, len > SG_TLS_IO_MAX ? SG_TLS_IO_MAX : len,
                                  &sent, ms);
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
    sg_status st = t->inner->recv(t->inner->ctx, buf, len > SG_TLS_IO_MAX ? SG_TLS_IO_MAX : len,
                                  &got, ms);
    if (st != SG_OK) {
        return bio_fail(t, st);
    }
    if (got > len) {
        return bio_fail(t, SG_ERR_IO);
    }
    return (int)got; /* 0: the inner stream ended, mbedTLS reports CONN_EOF */
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

static sg_status tls_open(void *ctx, const char *host, uint16_t port, uint32_t timeout_ms)
{
    sg_tls *t = ctx;
    if (t == NULL || !t->ready || host == NULL || host[0] == '\0') {
        return SG_ERR_INVALID_ARG;
    }
    tls_close(t);
    t->verify_flags = 0;
    t->certs_seen = 0;
    t->last_error = 0;
    t->resumed = false;
    t->io_status = SG_OK;
    if (!t->have_ca) {
        t->verify_flags = MBEDTLS_X509_BADCERT_NOT_TRUSTED; /* nothing could be trusted */
        return SG_ERR_CERT;
    }
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
    const bool same = t->saved_valid && same_peer(t, host, port);
    if (same) {
        /* a refused session only costs a full handshake */
        (void)mbedtls_ssl_set_session(&t->ssl, &t->saved);
    }
    sg_status st = t->inner->open(t->inner->ctx, host, port, timeout_ms);
    if (st != SG_OK) {
        return st;
    }
    t->io_timeout_ms = timeout_ms;
    t->deadline_ms = 0;
    if (t->platform != NULL && t->platform->now_ms != NULL) {
        t->deadline_ms = t->platform->now_ms(t->platform->ctx) + timeout_ms;
    }
    do {
        ret = mbedtls_ssl_handshake(&t->ssl);
    } while (tls_again(t, ret));
    t->deadline_ms = 0;
    if (ret != 0) {
        st = tls_status(t, ret, true);
        t->inner->close(t->inner->ctx);
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
    t->io_status = SG_OK;
    t->io_timeout_ms = timeout_ms;
    int ret;
    do {
        ret = mbedtls_ssl_write(&t->ssl, data, len);
    } while (tls_again(t, ret));
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
    t->io_status = SG_OK;
    t->io_timeout_ms = timeout_ms;
    int ret;
    do {
        ret = mbedtls_ssl_read(&t->ssl, buf, cap);
    } while (tls_again(t, ret));
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
    ret = mbedtls_ssl_config_defaults(&t->conf, MBEDTLS_SSL_IS_CLIENT,
                                      MBEDTLS_SSL_TRANSPORT_STREAM, MBEDTLS_SSL_PRESET_DEFAULT);
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

sg_status sg_tls_load_ca_file(sg_tls *t, const char *path)
{
    if (t == NULL || !t->ready || path == NULL) {
        return SG_ERR_INVALID_ARG;
    }
#if defined(MBEDTLS_FS_IO)
    /* > 0: that many certificates were skipped; < 0: none taken or the file is unreadable */
    int ret = mbedtls_x509_crt_parse_file(&t->ca, path);
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
static const char *verify_reason(uint32_t flags)
{
    static const struct {
        uint32_t bit;
        const char *text;
    } k_reasons[] = {
        { MBEDTLS_X509_BADCERT_NOT_TRUSTED, "certificate not trusted" },
        { MBEDTLS_X509_BADCERT_EXPIRED, "certificate expired" },
        { MBEDTLS_X509_BADCERT_FUTURE, "certificate not yet valid" },
        { MBEDTLS_X509_BADCERT_CN_MISMATCH, "hostname mismatch" },
        { MBEDTLS_X509_BADCERT_REVOKED, "certificate revoked" },
        { MBEDTLS_X509_BADCERT_BAD_MD | MBEDTLS_X509_BADCERT_BAD_PK |
              MBEDTLS_X509_BADCERT_BAD_KEY,
          "certificate uses a weak key or algorithm" },
        { MBEDTLS_X509_BADCERT_KEY_USAGE | MBEDTLS_X509_BADCERT_EXT_KEY_USAGE |
              MBEDTLS_X509_BADCERT_NS_CERT_TYPE,
          "certificate not valid for a TLS server" },
        { MBEDTLS_X509_BADCERT_MISSING, "no certificate presented" },
    };
    if (flags == 0) {
        return "";
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
        *reason = verify_reason(t->verify_flags);
    }
    return SG_OK;
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
