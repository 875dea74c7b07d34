/*
 * sitegpt-c examples: everything a host program needs to talk to http:// and https://
 * origins, in one struct: the POSIX platform, plain TCP, and the TLS port over its own TCP.
 * It lives with the programs that use it (CLI, gateway) rather than in platform/posix, so
 * the POSIX platform does not depend on a TLS library.
 *
 *   sg_posix_client net;
 *   if (sg_posix_client_init(&net, "/etc/ssl/certs/ca-certificates.crt", &cancel) != SG_OK) ...
 *   cfg.platform = &net.sys.platform; cfg.plain = &net.tcp.transport; cfg.tls = &net.tls.transport;
 *
 * TLS runs over its own TCP object (tls_tcp) so the two transports never share a socket.
 */
#ifndef SG_POSIX_CLIENT_H
#define SG_POSIX_CLIENT_H

#include <sitegpt/sg_posix.h>
#include <sitegpt/sg_proxy.h>
#include "sg_tls.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct sg_posix_client {
    sg_posix_platform sys;
    sg_posix_tcp tcp;      /* plain http:// */
    sg_posix_tcp tls_tcp;  /* the socket under tls */
    sg_tls tls;            /* https:// */
    sg_proxy_tunnel proxy; /* between tls and tls_tcp when an HTTPS proxy is used */
    uint8_t proxy_buf[SG_PROXY_REQUEST_MAX]; /* the CONNECT request, wiped after sending */
} sg_posix_client;

/* An HTTP proxy for https:// (borrowed strings; userinfo "user:password" or NULL). */
typedef struct sg_posix_proxy {
    const char *host;
    uint16_t port;
    const char *userinfo;
} sg_posix_proxy;

/*
 * cacert_path: PEM bundle of trusted CAs (SG_ERR_NOT_FOUND when unreadable, SG_ERR_CERT when
 * it holds no certificate). cancel may be NULL. On failure everything is released again.
 */
SG_NODISCARD sg_status sg_posix_client_init(sg_posix_client *c, const char *cacert_path,
                                            volatile sig_atomic_t *cancel);

/* The same, with https:// going through an HTTP CONNECT tunnel of proxy (NULL: direct). */
SG_NODISCARD sg_status sg_posix_client_init_proxy(sg_posix_client *c, const char *cacert_path,
                                                  volatile sig_atomic_t *cancel,
                                                  const sg_posix_proxy *proxy);

/* Close both transports and release the TLS state. Safe to call twice. */
void sg_posix_client_free(sg_posix_client *c);

#ifdef __cplusplus
}
#endif

#endif /* SG_POSIX_CLIENT_H */
