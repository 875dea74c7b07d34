/* sitegpt-c: the host network bundle: platform, plain TCP and TLS over its own TCP. */
#include "sg_posix_client.h"

#include <string.h>

sg_status sg_posix_client_init(sg_posix_client *c, const char *cacert_path,
                               volatile sig_atomic_t *cancel)
{
    return sg_posix_client_init_proxy(c, cacert_path, cancel, NULL);
}

sg_status sg_posix_client_init_proxy(sg_posix_client *c, const char *cacert_path,
                                     volatile sig_atomic_t *cancel, const sg_posix_proxy *proxy)
{
    if (c == NULL || cacert_path == NULL) {
        return SG_ERR_INVALID_ARG;
    }
    memset(c, 0, sizeof *c);
    sg_status st = sg_posix_platform_init(&c->sys, cancel);
    if (st == SG_OK) {
        st = sg_posix_tcp_init(&c->tcp, cancel);
    }
    if (st == SG_OK) {
        st = sg_posix_tcp_init(&c->tls_tcp, cancel);
    }
    const sg_transport *under_tls = &c->tls_tcp.transport;
    if (st == SG_OK && proxy != NULL) {
        st = sg_proxy_tunnel_init(&c->proxy, &c->tls_tcp.transport, proxy->host, proxy->port,
                                  proxy->userinfo, c->proxy_buf, sizeof c->proxy_buf);
        under_tls = &c->proxy.transport;
    }
    if (st == SG_OK) {
        st = sg_tls_init(&c->tls, under_tls, sg_posix_entropy, NULL, &c->sys.platform);
    }
    if (st == SG_OK) {
        st = sg_tls_load_ca_file(&c->tls, cacert_path);
    }
    if (st != SG_OK) {
        sg_posix_client_free(c);
    }
    return st;
}

void sg_posix_client_free(sg_posix_client *c)
{
    if (c == NULL) {
        return;
    }
    sg_tls_free(&c->tls); /* closes tls_tcp under it too */
    if (c->tcp.transport.close != NULL) {
        c->tcp.transport.close(&c->tcp);
    }
    if (c->tls_tcp.transport.close != NULL) {
        c->tls_tcp.transport.close(&c->tls_tcp);
    }
    sg_wipe(c->proxy_buf, sizeof c->proxy_buf);
}
