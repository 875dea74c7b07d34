/* sitegpt-c: the null TLS port (see sg_tls.h here): every session is refused. */
#include "sg_tls.h"

#include <string.h>

static const char k_refused[] = "not verified: the null TLS port verifies no certificate";

static sg_status null_open(void *ctx, const char *host, uint16_t port, uint32_t timeout_ms)
{
    sg_tls *t = ctx;
    t->refused = false;
    sg_status st = t->inner->open(t->inner->ctx, host, port, timeout_ms);
    if (st != SG_OK) {
        return st;
    }
    t->inner->close(t->inner->ctx);
    t->refused = true;
    return SG_ERR_CERT;
}

/* No session is ever open, so nothing can be sent or received. */
static sg_status null_send(void *ctx, const uint8_t *data, size_t len, size_t *sent,
                           uint32_t timeout_ms)
{
    (void)ctx, (void)data, (void)len, (void)timeout_ms;
    if (sent != NULL) {
        *sent = 0;
    }
    return SG_ERR_CLOSED;
}

static sg_status null_recv(void *ctx, uint8_t *buf, size_t cap, size_t *received,
                           uint32_t timeout_ms)
{
    (void)ctx, (void)buf, (void)cap, (void)timeout_ms;
    if (received != NULL) {
        *received = 0;
    }
    return SG_ERR_CLOSED;
}

static void null_close(void *ctx)
{
    (void)ctx; /* open closed the inner stream already */
}

sg_status sg_tls_init(sg_tls *t, const sg_transport *inner, sg_tls_entropy_fn entropy,
                      void *entropy_ctx, const sg_platform *platform)
{
    (void)entropy_ctx, (void)platform;
    if (t == NULL || inner == NULL || inner->open == NULL || inner->close == NULL ||
        entropy == NULL) {
        return SG_ERR_INVALID_ARG;
    }
    memset(t, 0, sizeof *t);
    t->transport = (sg_transport){
        .ctx = t,
        .open = null_open,
        .send = null_send,
        .recv = null_recv,
        .close = null_close,
    };
    t->inner = inner;
    t->ready = true;
    return SG_OK;
}

sg_status sg_tls_load_ca_file(sg_tls *t, const char *path)
{
    if (t == NULL || !t->ready || path == NULL) {
        return SG_ERR_INVALID_ARG;
    }
    return SG_ERR_UNSUPPORTED;
}

sg_status sg_tls_load_ca_buffer(sg_tls *t, const uint8_t *data, size_t len)
{
    if (t == NULL || !t->ready || data == NULL || len == 0) {
        return SG_ERR_INVALID_ARG;
    }
    return SG_ERR_UNSUPPORTED;
}

sg_status sg_tls_get_info(const sg_tls *t, sg_tls_info *info)
{
    if (t == NULL || info == NULL) {
        return SG_ERR_INVALID_ARG;
    }
    return SG_ERR_CLOSED;
}

const char *sg_tls_verify_issuer(const sg_tls *t)
{
    (void)t;
    return ""; /* nothing is ever verified here */
}

sg_status sg_tls_verify_result(const sg_tls *t, uint32_t *flags, const char **reason)
{
    if (t == NULL) {
        return SG_ERR_INVALID_ARG;
    }
    if (flags != NULL) {
        *flags = t->refused ? 1u : 0u;
    }
    if (reason != NULL) {
        *reason = t->refused ? k_refused : "";
    }
    return SG_OK;
}

sg_status sg_tls_set_max_fragment(sg_tls *t, uint16_t bytes)
{
    if (t == NULL || !t->ready) {
        return SG_ERR_INVALID_ARG;
    }
    if (bytes == 0) {
        return SG_OK;
    }
    return bytes == 512 || bytes == 1024 || bytes == 2048 || bytes == 4096 ? SG_ERR_UNSUPPORTED
                                                                           : SG_ERR_INVALID_ARG;
}

void sg_tls_forget_session(sg_tls *t)
{
    (void)t; /* no session is ever saved */
}

sg_status sg_tls_layout_compare(size_t app_sizeof)
{
    return app_sizeof == sizeof(sg_tls) ? SG_OK : SG_ERR_LAYOUT;
}

void sg_tls_free(sg_tls *t)
{
    if (t != NULL) {
        memset(t, 0, sizeof *t);
    }
}
