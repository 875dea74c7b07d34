/*
 * sitegpt-c: HTTPS through an HTTP proxy. No heap, no OS.
 *
 * sg_proxy_tunnel is an sg_transport that opens an HTTP CONNECT tunnel: open(host, port)
 * connects to the proxy over `inner`, asks it for a tunnel to host:port (with Basic
 * credentials when given) and from then on passes bytes through unchanged. Hand its
 * transport to the TLS port as the port's inner transport: TLS then runs end to end, and the
 * proxy sees only the origin's name and port, never a request, a header or a token.
 *
 *   sg_proxy_tunnel pt;
 *   sg_proxy_tunnel_init(&pt, &tcp.transport, "proxy.lan", 3128, "user:secret", buf, sizeof buf);
 *   sg_tls_init(&tls, &pt.transport, ...);      // https:// requests now go through the proxy
 *
 * buf holds the CONNECT request while it is sent (SG_PROXY_REQUEST_MAX bytes are always
 * enough) and is wiped right after, since it carries the credentials. Any scratch memory
 * that is idle while a connection opens will do. The proxy's answer is read byte by byte and
 * not kept, so nothing after its header (the origin's TLS bytes) is ever consumed here.
 *
 * Builds with SG_PROXY 0 (sg_options.h) leave the tunnel out: the functions below then
 * answer SG_ERR_UNSUPPORTED (sg_proxy_bypass: true, every host is reached directly).
 */
#ifndef SG_PROXY_H
#define SG_PROXY_H

#include "sg_base.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The longest user:password (after percent-decoding) a tunnel sends. */
#define SG_PROXY_USERINFO_MAX 255u
/* Room for the CONNECT request with the longest host (twice) and credentials. */
#define SG_PROXY_REQUEST_MAX  (2u * SG_HOST_MAX + 4u * ((SG_PROXY_USERINFO_MAX + 2u) / 3u) + 96u)
/* The proxy's answer to CONNECT: its header block may not be longer than this. */
#define SG_PROXY_RESPONSE_MAX 8192u

typedef struct sg_proxy_tunnel {
    sg_transport transport;    /* hand &pt.transport to the TLS port */
    const sg_transport *inner; /* the byte stream to the proxy (TCP) */
    const char *host;          /* the proxy, borrowed */
    uint16_t port;
    const char *userinfo; /* "user:password" or NULL, borrowed; sg_wipe it after */
    uint8_t *buf;
    size_t cap;
    int status; /* the proxy's HTTP status for the last CONNECT, 0: none */
} sg_proxy_tunnel;

/*
 * Set up a tunnel through proxy_host:proxy_port over inner. userinfo (may be NULL) is sent
 * as Proxy-Authorization: Basic. Opening gives SG_ERR_PROXY when the proxy answers CONNECT
 * with anything but 2xx (status keeps its code: 407 wants credentials, 403 forbids),
 * SG_ERR_HTTP_MALFORMED or SG_ERR_HTTP_HEADERS_TOO_LARGE when the answer is not HTTP,
 * SG_ERR_BUFFER_TOO_SMALL when the request does not fit buf, or the inner transport's error.
 */
SG_NODISCARD sg_status sg_proxy_tunnel_init(sg_proxy_tunnel *t, const sg_transport *inner,
                                            const char *proxy_host, uint16_t proxy_port,
                                            const char *userinfo, uint8_t *buf, size_t cap);

/*
 * A proxy URL as HTTPS_PROXY and --proxy give it: "http://[user:password@]host[:port][/]"
 * or the same without "http://" (port 1080 when none, as curl). The host (brackets of an
 * IPv6 literal removed) goes to host_buf, the percent-decoded "user:password" to
 * userinfo_buf ("" when none). SG_ERR_URL for anything else (https:// and socks proxies
 * included: only plain HTTP proxies are supported), SG_ERR_BUFFER_TOO_SMALL when a part
 * does not fit. On failure both buffers are wiped.
 */
SG_NODISCARD sg_status sg_proxy_url_parse(const char *url, char *host_buf, size_t host_cap,
                                          uint16_t *port, char *userinfo_buf, size_t userinfo_cap);

/*
 * NO_PROXY matching: true when host:port must be reached directly. no_proxy is a comma (or
 * blank) separated list of "*" (everything), host names ("example.com" also covers
 * "api.example.com"; a leading "." is the same), IP literals, each optionally with ":port".
 * Names compare without case. NULL or "" bypasses nothing.
 */
bool sg_proxy_bypass(const char *no_proxy, const char *host, uint16_t port);

#ifdef __cplusplus
}
#endif

#endif /* SG_PROXY_H */
