/*
 * sitegpt-c: POSIX services (TCP, clock, sleep, entropy) and a one-struct network bundle.
 *
 * Every object embeds the sg_platform / sg_transport it implements, whose ctx points back at
 * the object: initialise it in place and do not copy it afterwards.
 */
#ifndef SG_POSIX_H
#define SG_POSIX_H

#include <signal.h>

#include "sg_base.h"
#include "sg_tls.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------- platform --- */

typedef struct sg_posix_platform {
    sg_platform platform;            /* hand &p.platform to the core */
    volatile sig_atomic_t *cancel;   /* may be NULL; nonzero cuts sleeps short */
} sg_posix_platform;

/* Monotonic clock, cancellable sleep, getrandom(2). cancel may be NULL. */
SG_NODISCARD sg_status sg_posix_platform_init(sg_posix_platform *p,
                                              volatile sig_atomic_t *cancel);

/*
 * Fill out from getrandom(2), retrying short reads and EINTR. SG_ERR_ENTROPY on failure.
 * Its shape is sg_platform.random and sg_tls_entropy_fn; ctx is unused.
 */
SG_NODISCARD sg_status sg_posix_entropy(void *ctx, uint8_t *out, size_t len);

/* ---------------------------------------------------------------- TCP --- */

typedef struct sg_posix_tcp {
    sg_transport transport;          /* hand &t.transport to the core or to sg_tls */
    int fd;                          /* -1 when closed */
    int last_errno;                  /* errno (or getaddrinfo code) of the last failure */
    volatile sig_atomic_t *cancel;   /* may be NULL; nonzero turns EINTR into SG_ERR_CANCELLED */
} sg_posix_tcp;

/*
 * A TCP byte stream. open resolves host (IPv6 and IPv4) and tries every address until one
 * connects within the time left: SG_ERR_DNS, SG_ERR_CONNECT, SG_ERR_TIMEOUT. send and recv
 * wait at most timeout_ms (SG_ERR_TIMEOUT); recv gives SG_OK with *received == 0 at EOF; a
 * reset connection is SG_ERR_CLOSED, other failures SG_ERR_IO. Name resolution itself is
 * not bounded by the timeout (getaddrinfo has none).
 */
SG_NODISCARD sg_status sg_posix_tcp_init(sg_posix_tcp *t, volatile sig_atomic_t *cancel);

/* ---------------------------------------------------------------- client bundle --- */

/*
 * Everything a host program needs to talk to http:// and https:// origins:
 *
 *   sg_posix_client net;
 *   if (sg_posix_client_init(&net, "/etc/ssl/certs/ca-certificates.crt", &cancel) != SG_OK) ...
 *   cfg.platform = &net.sys.platform; cfg.plain = &net.tcp.transport; cfg.tls = &net.tls.transport;
 *
 * TLS runs over its own TCP object (tls_tcp) so the two transports never share a socket.
 */
typedef struct sg_posix_client {
    sg_posix_platform sys;
    sg_posix_tcp tcp;                /* plain http:// */
    sg_posix_tcp tls_tcp;            /* the socket under tls */
    sg_tls tls;                      /* https:// */
} sg_posix_client;

/*
 * cacert_path: PEM bundle of trusted CAs (SG_ERR_NOT_FOUND when unreadable, SG_ERR_CERT when
 * it holds no certificate). cancel may be NULL. On failure everything is released again.
 */
SG_NODISCARD sg_status sg_posix_client_init(sg_posix_client *c, const char *cacert_path,
                                            volatile sig_atomic_t *cancel);

/* Close both transports and release the TLS state. Safe to call twice. */
void sg_posix_client_free(sg_posix_client *c);

#ifdef __cplusplus
}
#endif

#endif /* SG_POSIX_H */
