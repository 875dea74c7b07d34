/*
 * sitegpt-c: sg_platform, sg_transport and a token store built from integrator hooks.
 */
#include <string.h>

#include <sitegpt/sg_rtos.h>

#define TOKEN_PREFIX "sgpt_"

static uint64_t rtos_now_ms(void *ctx)
{
    sg_rtos *r = ctx;
    uint32_t now = r->_private.hooks.millis(r->_private.hooks.ctx);
    if (now < r->_private.last_ms) {
        r->_private.wrapped_ms += (uint64_t)1 << 32;
    }
    r->_private.last_ms = now;
    return r->_private.wrapped_ms + now;
}

static void rtos_sleep_ms(void *ctx, uint32_t ms)
{
    sg_rtos *r = ctx;
    r->_private.hooks.delay_ms(r->_private.hooks.ctx, ms);
}

sg_status sg_rtos_entropy(void *ctx, uint8_t *out, size_t len)
{
    sg_rtos *r = ctx;
    if (r == NULL || (out == NULL && len > 0)) {
        return SG_ERR_INVALID_ARG;
    }
    if (r->_private.hooks.entropy == NULL) {
        return SG_ERR_ENTROPY;
    }
    return r->_private.hooks.entropy(r->_private.hooks.ctx, out, len) == SG_OK ? SG_OK
                                                                               : SG_ERR_ENTROPY;
}

/* ---------------------------------------------------------------- byte stream --- */

static sg_status stream_open(void *ctx, const char *host, uint16_t port, uint32_t timeout_ms)
{
    sg_rtos *r = ctx;
    if (host == NULL) {
        return SG_ERR_INVALID_ARG;
    }
    if (r->_private.hooks.stream_open != NULL) {
        sg_status st = r->_private.hooks.stream_open(r->_private.hooks.ctx, host, port, timeout_ms);
        if (st != SG_OK) {
            return st;
        }
    }
    r->_private.stream_open = true;
    return SG_OK;
}

/* The write hook has no timeout: a UART always drains; a socket driver keeps its own. */
static sg_status stream_send(void *ctx, const uint8_t *data, size_t len, size_t *sent,
                             uint32_t timeout_ms)
{
    sg_rtos *r = ctx;
    (void)timeout_ms;
    if (sent == NULL || (data == NULL && len > 0)) {
        return SG_ERR_INVALID_ARG;
    }
    *sent = 0;
    if (!r->_private.stream_open) {
        return SG_ERR_CLOSED;
    }
    sg_status st = r->_private.hooks.stream_write(r->_private.hooks.ctx, data, len, sent);
    if (st == SG_OK && *sent > len) {
        return SG_ERR_IO; /* a driver bug must not walk past the buffer */
    }
    return st;
}

static sg_status stream_recv(void *ctx, uint8_t *buf, size_t cap, size_t *received,
                             uint32_t timeout_ms)
{
    sg_rtos *r = ctx;
    if (received == NULL || buf == NULL || cap == 0) {
        return SG_ERR_INVALID_ARG;
    }
    *received = 0;
    if (!r->_private.stream_open) {
        return SG_ERR_CLOSED;
    }
    sg_status st =
        r->_private.hooks.stream_read(r->_private.hooks.ctx, buf, cap, received, timeout_ms);
    if (st == SG_OK && *received > cap) {
        return SG_ERR_IO;
    }
    return st;
}

static void stream_close(void *ctx)
{
    sg_rtos *r = ctx;
    if (r->_private.stream_open && r->_private.hooks.stream_close != NULL) {
        r->_private.hooks.stream_close(r->_private.hooks.ctx);
    }
    r->_private.stream_open = false;
}

sg_status sg_rtos_init(sg_rtos *r, const sg_rtos_hooks *hooks)
{
    if (r == NULL || hooks == NULL || hooks->millis == NULL || hooks->stream_write == NULL ||
        hooks->stream_read == NULL) {
        return SG_ERR_INVALID_ARG;
    }
    memset(r, 0, sizeof *r);
    r->_private.hooks = *hooks;
    r->_private.last_ms = hooks->millis(hooks->ctx);
    r->platform.ctx = r;
    r->platform.now_ms = rtos_now_ms;
    r->platform.sleep_ms = hooks->delay_ms != NULL ? rtos_sleep_ms : NULL;
    r->platform.random = hooks->entropy != NULL ? sg_rtos_entropy : NULL;
    r->stream.ctx = r;
    r->stream.open = stream_open;
    r->stream.send = stream_send;
    r->stream.recv = stream_recv;
    r->stream.close = stream_close;
    return SG_OK;
}

/* ---------------------------------------------------------------- key-value store --- */

sg_status sg_rtos_kv_get(sg_rtos *r, const char *key, uint8_t *buf, size_t cap, size_t *len)
{
    if (r == NULL || key == NULL || buf == NULL || len == NULL) {
        return SG_ERR_INVALID_ARG;
    }
    *len = 0;
    if (r->_private.hooks.kv_read == NULL) {
        return SG_ERR_UNSUPPORTED;
    }
    sg_status st = r->_private.hooks.kv_read(r->_private.hooks.ctx, key, buf, cap, len);
    if (st == SG_OK && *len > cap) {
        *len = 0;
        return SG_ERR_STORAGE;
    }
    return st;
}

sg_status sg_rtos_kv_set(sg_rtos *r, const char *key, const uint8_t *data, size_t len)
{
    if (r == NULL || key == NULL || (data == NULL && len > 0)) {
        return SG_ERR_INVALID_ARG;
    }
    if (r->_private.hooks.kv_write == NULL) {
        return SG_ERR_UNSUPPORTED;
    }
    return r->_private.hooks.kv_write(r->_private.hooks.ctx, key, data, len);
}

/* "sgpt_" then printable ASCII without spaces: what a bearer header can carry. */
static bool token_ok(const char *t, size_t len)
{
    if (len <= sizeof TOKEN_PREFIX - 1u || len >= SG_RTOS_TOKEN_MAX ||
        memcmp(t, TOKEN_PREFIX, sizeof TOKEN_PREFIX - 1u) != 0) {
        return false;
    }
    for (size_t i = 0; i < len; i++) {
        if (t[i] <= ' ' || t[i] > '~') {
            return false;
        }
    }
    return true;
}

sg_status sg_rtos_token_load(sg_rtos *r, char *token, size_t cap)
{
    size_t len = 0;
    if (token == NULL || cap == 0) {
        return SG_ERR_INVALID_ARG;
    }
    token[0] = '\0';
    sg_status st = sg_rtos_kv_get(r, SG_RTOS_TOKEN_KEY, (uint8_t *)token, cap - 1u, &len);
    if (st != SG_OK) {
        sg_wipe(token, cap);
        return st;
    }
    if (len == 0) {
        return SG_ERR_NOT_FOUND;
    }
    if (!token_ok(token, len)) {
        sg_wipe(token, cap);
        return SG_ERR_STORAGE;
    }
    token[len] = '\0';
    return SG_OK;
}

sg_status sg_rtos_token_store(sg_rtos *r, const char *token)
{
    if (token == NULL) {
        return SG_ERR_INVALID_ARG;
    }
    /* memchr stops at the first NUL (C11 7.24.5.1): never reads past a short token. */
    const char *nul = memchr(token, '\0', SG_RTOS_TOKEN_MAX);
    if (nul == NULL || !token_ok(token, (size_t)(nul - token))) {
        return SG_ERR_INVALID_ARG;
    }
    return sg_rtos_kv_set(r, SG_RTOS_TOKEN_KEY, (const uint8_t *)token, (size_t)(nul - token));
}

sg_status sg_rtos_token_erase(sg_rtos *r)
{
    if (r == NULL) {
        return SG_ERR_INVALID_ARG;
    }
    if (r->_private.hooks.kv_erase != NULL) {
        sg_status st = r->_private.hooks.kv_erase(r->_private.hooks.ctx, SG_RTOS_TOKEN_KEY);
        return st == SG_ERR_NOT_FOUND ? SG_OK : st;
    }
    return sg_rtos_kv_set(r, SG_RTOS_TOKEN_KEY, NULL, 0);
}
