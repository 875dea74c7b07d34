/* sitegpt-c: HTTP CONNECT tunnel, proxy URLs and NO_PROXY (see sg_proxy.h). */
#include <sitegpt/sg_proxy.h>

#include <string.h>
#include "internal/sg__ascii.h"

#if SG_PROXY

/* ---------------------------------------------------------------- request */

typedef struct out_buf {
    uint8_t *p;
    size_t cap;
    size_t len;
    bool overflow;
} out_buf;

static void put(out_buf *o, const char *s, size_t n)
{
    if (o->overflow || n > o->cap - o->len) {
        o->overflow = true;
        return;
    }
    memcpy(o->p + o->len, s, n);
    o->len += n;
}

static void put_str(out_buf *o, const char *s)
{
    put(o, s, strlen(s));
}

/* "host:port", "[v6]:port" */
static void put_authority(out_buf *o, const char *host, uint16_t port)
{
    bool v6 = strchr(host, ':') != NULL;
    char digits[6];
    size_t n = sizeof digits;
    unsigned v = port;
    do {
        digits[--n] = (char)('0' + v % 10u);
        v /= 10u;
    } while (v != 0 && n > 0);
    put_str(o, v6 ? "[" : "");
    put_str(o, host);
    put_str(o, v6 ? "]:" : ":");
    put(o, digits + n, sizeof digits - n);
}

static void put_base64(out_buf *o, const char *s, size_t n)
{
    static const char alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    for (size_t i = 0; i < n; i += 3) {
        uint32_t b = (uint32_t)(uint8_t)s[i] << 16;
        if (i + 1 < n) {
            b |= (uint32_t)(uint8_t)s[i + 1] << 8;
        }
        if (i + 2 < n) {
            b |= (uint32_t)(uint8_t)s[i + 2];
        }
        char q[4] = {alphabet[(b >> 18) & 63u], alphabet[(b >> 12) & 63u], '=', '='};
        if (i + 1 < n) {
            q[2] = alphabet[(b >> 6) & 63u];
        }
        if (i + 2 < n) {
            q[3] = alphabet[b & 63u];
        }
        put(o, q, 4);
        sg_wipe(&b, sizeof b);
        sg_wipe(q, sizeof q);
    }
}

/* ---------------------------------------------------------------- transport */

static sg_status send_all(const sg_transport *t, const uint8_t *p, size_t n, uint32_t timeout_ms)
{
    while (n > 0) {
        size_t sent = 0;
        sg_status st = t->send(t->ctx, p, n, &sent, timeout_ms);
        if (st != SG_OK) {
            return st;
        }
        if (sent == 0 || sent > n) {
            return SG_ERR_IO;
        }
        p += sent;
        n -= sent;
    }
    return SG_OK;
}

/*
 * Read the proxy's answer one byte at a time up to the blank line, so not one byte of what
 * follows (the origin's TLS) is taken. Only the status code is kept.
 */
static sg_status read_answer(sg_proxy_tunnel *t, uint32_t timeout_ms)
{
    const sg_transport *in = t->inner;
    char line[16]; /* "HTTP/1.1 200" */
    size_t seen = 0;
    uint32_t tail = 0; /* the last four bytes, to find CRLF CRLF */
    while (seen < SG_PROXY_RESPONSE_MAX) {
        uint8_t c = 0;
        size_t got = 0;
        sg_status st = in->recv(in->ctx, &c, 1, &got, timeout_ms);
        if (st != SG_OK) {
            return st;
        }
        if (got == 0) {
            return seen == 0 ? SG_ERR_CLOSED : SG_ERR_HTTP_TRUNCATED;
        }
        if (seen < sizeof line) {
            line[seen] = (char)c;
        }
        seen++;
        tail = (tail << 8) | c;
        if (tail == 0x0d0a0d0au || (tail & 0xffffu) == 0x0a0au) {
            break;
        }
    }
    if (seen >= SG_PROXY_RESPONSE_MAX) {
        return SG_ERR_HTTP_HEADERS_TOO_LARGE;
    }
    /* "HTTP/1.x NNN" */
    if (seen < 12 || memcmp(line, "HTTP/1.", 7) != 0 || line[8] != ' ' || line[9] < '1' ||
        line[9] > '5' || line[10] < '0' || line[10] > '9' || line[11] < '0' || line[11] > '9') {
        return SG_ERR_HTTP_MALFORMED;
    }
    t->status = (line[9] - '0') * 100 + (line[10] - '0') * 10 + (line[11] - '0');
    return t->status / 100 == 2 ? SG_OK : SG_ERR_PROXY;
}

static sg_status tunnel_open(void *ctx, const char *host, uint16_t port, uint32_t timeout_ms)
{
    sg_proxy_tunnel *t = (sg_proxy_tunnel *)ctx;
    const sg_transport *in = t->inner;
    t->status = 0;
    if (host == NULL || host[0] == '\0' || strlen(host) > SG_HOST_MAX) {
        return SG_ERR_INVALID_ARG;
    }
    out_buf o = {t->buf, t->cap, 0, false};
    put_str(&o, "CONNECT ");
    put_authority(&o, host, port);
    put_str(&o, " HTTP/1.1\r\nHost: ");
    put_authority(&o, host, port);
    put_str(&o, "\r\n");
    if (t->userinfo != NULL && t->userinfo[0] != '\0') {
        put_str(&o, "Proxy-Authorization: Basic ");
        put_base64(&o, t->userinfo, strlen(t->userinfo));
        put_str(&o, "\r\n");
    }
    put_str(&o, "\r\n");
    if (o.overflow) {
        sg_wipe(t->buf, t->cap);
        return SG_ERR_BUFFER_TOO_SMALL;
    }
    sg_status st = in->open(in->ctx, t->host, t->port, timeout_ms);
    if (st == SG_OK) {
        st = send_all(in, t->buf, o.len, timeout_ms);
    }
    sg_wipe(t->buf, o.len); /* it holds the credentials */
    if (st == SG_OK) {
        st = read_answer(t, timeout_ms);
    }
    if (st != SG_OK) {
        in->close(in->ctx);
    }
    return st;
}

static sg_status tunnel_send(void *ctx, const uint8_t *data, size_t len, size_t *sent,
                             uint32_t timeout_ms)
{
    const sg_transport *in = ((sg_proxy_tunnel *)ctx)->inner;
    return in->send(in->ctx, data, len, sent, timeout_ms);
}

static sg_status tunnel_recv(void *ctx, uint8_t *buf, size_t cap, size_t *received,
                             uint32_t timeout_ms)
{
    const sg_transport *in = ((sg_proxy_tunnel *)ctx)->inner;
    return in->recv(in->ctx, buf, cap, received, timeout_ms);
}

static void tunnel_close(void *ctx)
{
    const sg_transport *in = ((sg_proxy_tunnel *)ctx)->inner;
    in->close(in->ctx);
}

sg_status sg_proxy_tunnel_init(sg_proxy_tunnel *t, const sg_transport *inner,
                               const char *proxy_host, uint16_t proxy_port, const char *userinfo,
                               uint8_t *buf, size_t cap)
{
    if (t == NULL || inner == NULL || proxy_host == NULL || proxy_host[0] == '\0' ||
        proxy_port == 0 || buf == NULL || cap == 0 ||
        (userinfo != NULL && strlen(userinfo) > SG_PROXY_USERINFO_MAX)) {
        return SG_ERR_INVALID_ARG;
    }
    memset(t, 0, sizeof *t);
    t->inner = inner;
    t->host = proxy_host;
    t->port = proxy_port;
    t->userinfo = userinfo;
    t->buf = buf;
    t->cap = cap;
    t->transport.ctx = t;
    t->transport.open = tunnel_open;
    t->transport.send = tunnel_send;
    t->transport.recv = tunnel_recv;
    t->transport.close = tunnel_close;
    return SG_OK;
}

/* ---------------------------------------------------------------- URL */

static char lower(char c)
{
    if (c >= 'A' && c <= 'Z') {
        return (char)(c - 'A' + 'a');
    }
    return c;
}

static bool ascii_prefix_nocase(const char *s, const char *prefix)
{
    for (; *prefix != '\0'; s++, prefix++) {
        if (lower(*s) != *prefix) {
            return false;
        }
    }
    return true;
}

static sg_status parse_url(const char *url, char *host_buf, size_t host_cap, uint16_t *port,
                           char *ui, size_t ui_cap)
{
    const char *p = url;
    if (ascii_prefix_nocase(p, "http://")) {
        p += 7;
    } else if (strstr(p, "://") != NULL) {
        return SG_ERR_URL; /* https://, socks5://: not supported */
    }
    size_t auth_len = strcspn(p, "/?#");
    const char *rest = p + auth_len;
    if (!(*rest == '\0' || (rest[0] == '/' && rest[1] == '\0'))) {
        return SG_ERR_URL; /* a proxy URL has no path, query or fragment */
    }
    const char *at = NULL;
    for (size_t i = 0; i < auth_len; i++) {
        if (p[i] == '@') {
            at = p + i; /* the last '@': a password may hold one */
        }
    }
    if (at != NULL) {
        size_t n = 0;
        for (const char *s = p; s < at; s++) {
            char c = *s;
            if (c == '%') {
                int hi = s + 2 < at ? sg__hex_digit((uint8_t)s[1]) : -1;
                int lo = hi >= 0 ? sg__hex_digit((uint8_t)s[2]) : -1;
                if (lo < 0) {
                    return SG_ERR_URL;
                }
                c = (char)(hi * 16 + lo);
                s += 2;
            }
            if ((unsigned char)c < 0x20 || c == 0x7f) {
                return SG_ERR_URL;
            }
            if (n + 1 >= ui_cap || n >= SG_PROXY_USERINFO_MAX) {
                return SG_ERR_BUFFER_TOO_SMALL;
            }
            ui[n++] = c;
        }
        ui[n] = '\0';
        p = at + 1;
        auth_len = (size_t)(rest - p);
    }
    const char *h = p;
    size_t hlen;
    const char *after;
    if (*h == '[') {
        const char *close = memchr(h, ']', auth_len);
        if (close == NULL) {
            return SG_ERR_URL;
        }
        h++;
        hlen = (size_t)(close - h);
        after = close + 1;
    } else {
        hlen = strcspn(h, ":/?#"); /* stops at rest or before: rest is at "/?#" or the end */
        after = h + hlen;
    }
    if (hlen == 0) {
        return SG_ERR_URL;
    }
    for (size_t i = 0; i < hlen; i++) {
        char c = h[i];
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '.' || c == '-' || c == '_' || c == ':';
        if (!ok) {
            return SG_ERR_URL;
        }
    }
    if (hlen + 1 > host_cap) {
        return SG_ERR_BUFFER_TOO_SMALL;
    }
    memcpy(host_buf, h, hlen);
    host_buf[hlen] = '\0';
    *port = 1080;
    if (after < rest && *after == ':') {
        uint32_t v = 0;
        const char *d = after + 1;
        if (d == rest) {
            return SG_ERR_URL;
        }
        for (; d < rest; d++) {
            if (*d < '0' || *d > '9') {
                return SG_ERR_URL;
            }
            v = v * 10u + (uint32_t)(*d - '0');
            if (v > 65535u) {
                return SG_ERR_URL;
            }
        }
        if (v == 0) {
            return SG_ERR_URL;
        }
        *port = (uint16_t)v;
    } else if (after != rest) {
        return SG_ERR_URL;
    }
    return SG_OK;
}

sg_status sg_proxy_url_parse(const char *url, char *host_buf, size_t host_cap, uint16_t *port,
                             char *userinfo_buf, size_t userinfo_cap)
{
    if (url == NULL || host_buf == NULL || host_cap == 0 || port == NULL || userinfo_buf == NULL ||
        userinfo_cap == 0) {
        return SG_ERR_INVALID_ARG;
    }
    host_buf[0] = '\0';
    userinfo_buf[0] = '\0';
    sg_status st = parse_url(url, host_buf, host_cap, port, userinfo_buf, userinfo_cap);
    if (st != SG_OK) {
        sg_wipe(host_buf, host_cap);
        sg_wipe(userinfo_buf, userinfo_cap);
    }
    return st;
}

/* ---------------------------------------------------------------- NO_PROXY */

static bool same_nocase(const char *a, size_t an, const char *b, size_t bn)
{
    if (an != bn) {
        return false;
    }
    for (size_t i = 0; i < an; i++) {
        if (lower(a[i]) != lower(b[i])) {
            return false;
        }
    }
    return true;
}

/* One entry (without its port): "*", a name or IP, ".suffix" or "suffix". */
static bool entry_matches(const char *e, size_t en, const char *host, size_t hn)
{
    if (en == 1 && e[0] == '*') {
        return true;
    }
    if (en > 0 && e[0] == '.') {
        e++;
        en--;
    }
    if (en >= 2 && e[0] == '[' && e[en - 1] == ']') {
        e++;
        en -= 2;
    }
    if (en == 0 || en > hn) {
        return false;
    }
    if (same_nocase(e, en, host, hn)) {
        return true;
    }
    /* domain suffix: "example.com" covers "api.example.com", not "badexample.com" */
    return hn > en && host[hn - en - 1] == '.' && same_nocase(e, en, host + hn - en, en);
}

bool sg_proxy_bypass(const char *no_proxy, const char *host, uint16_t port)
{
    if (no_proxy == NULL || host == NULL) {
        return false;
    }
    size_t hn = strlen(host);
    const char *p = no_proxy;
    while (*p != '\0') {
        p += strspn(p, ", \t");
        size_t n = strcspn(p, ", \t");
        if (n == 0) {
            break;
        }
        size_t name_len = n;
        uint32_t want_port = 0;
        /* a trailing ":digits" is a port, unless the entry is a bare IPv6 literal */
        const char *colon = NULL;
        size_t colons = 0;
        for (size_t i = 0; i < n; i++) {
            if (p[i] == ':') {
                colon = p + i;
                colons++;
            }
        }
        bool bracketed = p[0] == '[';
        if (colon != NULL && (colons == 1 || (bracketed && colon > p && colon[-1] == ']'))) {
            uint32_t v = 0;
            bool digits = colon + 1 < p + n;
            for (const char *d = colon + 1; d < p + n; d++) {
                digits = digits && *d >= '0' && *d <= '9';
                v = digits && v <= 65535u ? v * 10u + (uint32_t)(*d - '0') : v;
            }
            if (digits && v <= 65535u) {
                want_port = v;
                name_len = (size_t)(colon - p);
            }
        }
        if ((want_port == 0 || want_port == port) && entry_matches(p, name_len, host, hn)) {
            return true;
        }
        p += n;
    }
    return false;
}

#else /* SG_PROXY 0: no tunnel in this build (sg_options.h) */

sg_status sg_proxy_tunnel_init(sg_proxy_tunnel *t, const sg_transport *inner,
                               const char *proxy_host, uint16_t proxy_port, const char *userinfo,
                               uint8_t *buf, size_t cap)
{
    (void)inner;
    (void)proxy_host;
    (void)proxy_port;
    (void)userinfo;
    (void)buf;
    (void)cap;
    if (t != NULL) {
        memset(t, 0, sizeof *t);
    }
    return SG_ERR_UNSUPPORTED;
}

sg_status sg_proxy_url_parse(const char *url, char *host_buf, size_t host_cap, uint16_t *port,
                             char *userinfo_buf, size_t userinfo_cap)
{
    (void)url;
    (void)port;
    sg_wipe(host_buf, host_cap);
    sg_wipe(userinfo_buf, userinfo_cap);
    return SG_ERR_UNSUPPORTED;
}

bool sg_proxy_bypass(const char *no_proxy, const char *host, uint16_t port)
{
    (void)no_proxy;
    (void)host;
    (void)port;
    return true; /* without a tunnel every host is reached directly */
}

#endif
