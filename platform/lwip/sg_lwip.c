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
    if (s->rx != NULL) {
        pbuf_free(s->rx);
        s->rx = NULL;
    }
    s->rx_off = 0;
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
    s->conn = netconn_new(NETCONN_TCP);
    if (s->conn == NULL) {
        s->last_err = ERR_MEM;
        return SG_ERR_IO;
    }
    netconn_set_sendtimeout(s->conn, send_timeout(timeout_ms));
    err = netconn_connect(s->conn, &addr, port);
    if (err != ERR_OK) {
        s->last_err = err;
        netconn_delete(s->conn);
        s->conn = NULL;
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
    if (s->conn == NULL) {
        return SG_ERR_CLOSED;
    }
    err_t err = netconn_write_partly(s->conn, data, len, NETCONN_COPY, &sent);
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
    if (s->conn == NULL) {
        return SG_ERR_CLOSED;
    }
    if (s->rx == NULL) {
        struct pbuf *p = NULL;
        err_t err;
        if (timeout_ms == 0) {
            err = netconn_recv_tcp_pbuf_flags(s->conn, &p, NETCONN_DONTBLOCK);
        } else {
            netconn_set_recvtimeout(s->conn, recv_timeout(timeout_ms));
            err = netconn_recv_tcp_pbuf(s->conn, &p);
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
        s->rx = p;
        s->rx_off = 0;
    }
    size_t left = (size_t)s->rx->tot_len - s->rx_off;
    size_t n = cap < left ? cap : left;
    u16_t copied = pbuf_copy_partial(s->rx, buf, (u16_t)n, s->rx_off);
    *got = copied;
    s->rx_off = (uint16_t)(s->rx_off + copied);
    if (s->rx_off >= s->rx->tot_len) {
        /* Consumed: its pool buffer goes back to lwIP. */
        drop_rx(s);
    }
    return SG_OK;
}

void sg_lwip_close(void *ctx)
{
    sg_lwip_stream *s = ctx;
    drop_rx(s);
    if (s->conn != NULL) {
        (void)netconn_close(s->conn);
        (void)netconn_delete(s->conn);
        s->conn = NULL;
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
