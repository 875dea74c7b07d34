/*
 * sitegpt-c: a byte stream over lwIP's netconn API, as sg_rtos stream hooks.
 *
 * Put it under sg_tls through sg_rtos (rtos.stream): open resolves the host with lwIP's DNS
 * (netconn_gethostbyname: the local host list first, then any configured server), connects
 * a TCP netconn and reads with netconn_recv_tcp_pbuf, keeping the unread rest of a pbuf for
 * the next read. Timeouts map onto lwIP's: the read timeout onto the netconn receive timeout
 * (0 polls without blocking), the open timeout onto the send timeout of every later write.
 * A connect itself is bounded by lwIP's SYN retransmissions (TCP_SYNMAXRTX).
 *
 * lwIP must be built with LWIP_NETCONN, LWIP_SO_RCVTIMEO and LWIP_SO_SNDTIMEO, and the
 * calls made from a task (never from the tcpip thread or an interrupt).
 *
 *   static sg_lwip_stream net;
 *   sg_rtos_hooks h = {0};
 *   sg_lwip_hooks(&net, &h);      // stream_open/write/read/close, ctx = &net
 *   ... the board's entropy and kv hooks (they get &net as ctx: ignore it) ...
 */
#ifndef SG_LWIP_H
#define SG_LWIP_H

#include "sg_rtos.h"

#ifdef __cplusplus
extern "C" {
#endif

struct netconn;
struct pbuf;

typedef struct sg_lwip_stream {
    uint32_t connects; /* TCP connections opened (each one carries one TLS handshake) */
    int8_t last_err;   /* lwIP err_t of the last failure (0: none), for diagnostics */
    /* Private: the library's own state; do not read or write it. */
    struct {
        struct netconn *conn;
        struct pbuf *rx; /* received but not yet read */
        uint16_t rx_off; /* bytes of rx already read */
    } _private;
} sg_lwip_stream;

/* Point the stream hooks (and hooks->ctx) at s, which starts closed. */
void sg_lwip_hooks(sg_lwip_stream *s, sg_rtos_hooks *hooks);

/*
 * The hooks themselves (ctx is the sg_lwip_stream). open: SG_ERR_DNS when the name does
 * not resolve, SG_ERR_CONNECT when the connection is refused or never answered. read:
 * SG_ERR_TIMEOUT when nothing came in time, SG_OK with *got == 0 when the peer closed.
 */
SG_NODISCARD sg_status sg_lwip_open(void *ctx, const char *host, uint16_t port,
                                    uint32_t timeout_ms);
SG_NODISCARD sg_status sg_lwip_write(void *ctx, const uint8_t *data, size_t len, size_t *written);
SG_NODISCARD sg_status sg_lwip_read(void *ctx, uint8_t *buf, size_t cap, size_t *got,
                                    uint32_t timeout_ms);
void sg_lwip_close(void *ctx);

#ifdef __cplusplus
}
#endif

#endif /* SG_LWIP_H */
