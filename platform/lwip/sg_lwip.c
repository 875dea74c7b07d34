/*
 * sitegpt-c: byte stream over lwIP netconn (see sg_lwip.h).
 */
#include <string.h>

#include "lwip/api.h"
#include "lwip/pbuf.h"

#include <sitegpt/sg_lwip.h>

/* A netconn timeout of 0 would mean "forever": the shortest wait is 1 ms. */
static u32_t recv_timeout(uint32_t timeout_ms)
{
    return timeout_ms == 0 ? 1u : timeout_ms;
}

/* The send timeout is signed in lwIP. */
static s32_t send_timeout(uint32_t timeout_ms)
{
    if (timeout_ms == 0) {
        return 1;
    }
    return timeout_ms > (uint32_t)INT32_MAX ? INT32_MAX : (s32_t)timeout_ms;
}

static void drop_rx(sg_lwip_stream *s)
{
    if (s->_private.rx != NULL) {
        pbuf_free(s->_private.rx);
        s->_private.rx = NULL;
    }
    s->_private.rx_off = 0;
}

sg_status sg_lwip_open(void *ctx, const char *host, uint16_t port, uint32_t timeout_ms)
{
    sg_lwip_stream *s = ctx;
    ip_addr_t addr;
    if (s == NULL || host == NULL) {
        return SG_ERR_INVALID_ARG;
    }
    sg_lwip_close(s);
    err_t err = netconn_gethostbyname(host, &addr);
    if (err != ERR_OK) {
        s->last_err = err;
        return SG_ERR_DNS;
    }
    s->_private.conn = netconn_new(NETCONN_TCP);
    if (s->_private.conn == NULL) {
        s->last_err = ERR_MEM;
        return SG_ERR_IO;
    }
    netconn_set_sendtimeout(s->_private.conn, send_timeout(timeout_ms));
    err = netconn_connect(s->_private.conn, &addr, port);
    if (err != ERR_OK) {
        s->last_err = err;
        netconn_delete(s->_private.conn);
        s->_private.conn = NULL;
        return SG_ERR_CONNECT;
    }
    s->connects++;
    return SG_OK;
}

sg_status sg_lwip_write(void *ctx, const uint8_t *data, size_t len, size_t *written)
{
    sg_lwip_stream *s = ctx;
    size_t sent = 0;
    *written = 0;
    if (s->_private.conn == NULL) {
        return SG_ERR_CLOSED;
    }
    err_t err = netconn_write_partly(s->_private.conn, data, len, NETCONN_COPY, &sent);
    *written = sent;
    if (err == ERR_OK || (err == ERR_WOULDBLOCK && sent > 0)) {
        return SG_OK;
    }
    s->last_err = err;
    return err == ERR_WOULDBLOCK || err == ERR_TIMEOUT ? SG_ERR_TIMEOUT : SG_ERR_IO;
}

sg_status sg_lwip_read(void *ctx, uint8_t *buf, size_t cap, size_t *got, uint32_t timeout_ms)
{
    sg_lwip_stream *s = ctx;
    *got = 0;
    if (s->_private.conn == NULL) {
        return SG_ERR_CLOSED;
    }
    if (s->_private.rx == NULL) {
        struct pbuf *p = NULL;
        err_t err;
        if (timeout_ms == 0) {
            err = netconn_recv_tcp_pbuf_flags(s->_private.conn, &p, NETCONN_DONTBLOCK);
        } else {
            netconn_set_recvtimeout(s->_private.conn, recv_timeout(timeout_ms));
            err = netconn_recv_tcp_pbuf(s->_private.conn, &p);
        }
        if (err == ERR_TIMEOUT || err == ERR_WOULDBLOCK) {
            return SG_ERR_TIMEOUT;
        }
        if (err == ERR_CLSD) {
            return SG_OK; /* orderly close: *got == 0 */
        }
        if (err != ERR_OK || p == NULL) {
            s->last_err = err;
            return SG_ERR_IO;
        }
        s->_private.rx = p;
        s->_private.rx_off = 0;
    }
    size_t left = (size_t)s->_private.rx->tot_len - s->_private.rx_off;
    size_t n = cap < left ? cap : left;
    u16_t copied = pbuf_copy_partial(s->_private.rx, buf, (u16_t)n, s->_private.rx_off);
    *got = copied;
    s->_private.rx_off = (uint16_t)(s->_private.rx_off + copied);
    if (s->_private.rx_off >= s->_private.rx->tot_len) {
        /* Consumed: its pool buffer goes back to lwIP. */
        drop_rx(s);
    }
    return SG_OK;
}

void sg_lwip_close(void *ctx)
{
    sg_lwip_stream *s = ctx;
    drop_rx(s);
    if (s->_private.conn != NULL) {
        (void)netconn_close(s->_private.conn);
        (void)netconn_delete(s->_private.conn);
        s->_private.conn = NULL;
    }
}

void sg_lwip_hooks(sg_lwip_stream *s, sg_rtos_hooks *hooks)
{
    memset(s, 0, sizeof *s);
    hooks->ctx = s;
    hooks->stream_open = sg_lwip_open;
    hooks->stream_write = sg_lwip_write;
    hooks->stream_read = sg_lwip_read;
    hooks->stream_close = sg_lwip_close;
}
