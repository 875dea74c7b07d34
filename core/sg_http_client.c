/* sitegpt-c: HTTP/1.1 request writer and keep-alive client over an sg_transport. */
#include <sitegpt/sg_http.h>
#include <sitegpt/sg_url.h>

#include <string.h>

#include "internal/sg__http.h"

#define DEFAULT_CONNECT_TIMEOUT_MS 10000u
#define DEFAULT_READ_TIMEOUT_MS    30000u
#define DEFAULT_REQUEST_TIMEOUT_MS 120000u

/* ------------------------------------------------------------- request writer --- */

/* What a piece of the request head may hold (RFC 9110 5.6.2, 5.5); one walk checks all. */
enum {
    TEXT_VALUE,          /* a field value: no CR, LF, NUL or other control but HTAB */
    TEXT_TOKEN,          /* a method or field name: tchar only, not empty */
    TEXT_VISIBLE,        /* the target, Host and the token: visible ASCII, no space, not empty */
    TEXT_OPTIONAL = 0x10 /* or'ed with a kind: NULL (a field not sent) passes */
};

static bool text_ok(const char *s, unsigned kind)
{
    if (s == NULL) {
        return (kind & TEXT_OPTIONAL) != 0;
    }
    kind &= ~(unsigned)TEXT_OPTIONAL;
    if (kind != TEXT_VALUE && s[0] == '\0') {
        return false;
    }
    for (; *s; s++) {
        uint8_t c = (uint8_t)*s;
        bool ok = kind == TEXT_TOKEN     ? sg__http_is_tchar(c)
                  : kind == TEXT_VISIBLE ? c > 0x20 && c < 0x7f
                                         : (c >= 0x20 || c == '\t') && c != 0x7f;
        if (!ok) {
            return false;
        }
    }
    return true;
}

#if SG_HTTP_EXTRA_HEADERS
/* Framing headers belong to the writer: a caller copy could desynchronise the stream. */
static bool is_reserved_header(const char *name)
{
    static const char *const reserved[] = {"host", "content-length", "transfer-encoding",
                                           "connection"};
    sg_slice s = {name, strlen(name)};
    for (size_t i = 0; i < sizeof(reserved) / sizeof(reserved[0]); i++) {
        if (sg_slice_eq_nocase(s, reserved[i])) {
            return true;
        }
    }
    return false;
}
#endif

/* What the client needs to know of a method, from one table. */
enum {
    M_SENDS_LENGTH = 1, /* Content-Length even without a body */
    M_IDEMPOTENT = 2,   /* RFC 9110 9.2.2: sending it twice has the effect of once */
    M_HEAD = 4          /* the response has no body */
};

static unsigned method_traits(const char *m)
{
    /* the names one after another, each with its NUL (no padding), and their traits */
    static const char names[] = "GET\0HEAD\0PUT\0DELETE\0OPTIONS\0POST\0PATCH";
    static const uint8_t traits[] = {M_IDEMPOTENT,                  /* GET */
                                     M_IDEMPOTENT | M_HEAD,         /* HEAD */
                                     M_IDEMPOTENT | M_SENDS_LENGTH, /* PUT */
                                     M_IDEMPOTENT,                  /* DELETE */
                                     M_IDEMPOTENT,                  /* OPTIONS */
                                     M_SENDS_LENGTH,                /* POST */
                                     M_SENDS_LENGTH};               /* PATCH */
    const char *name = names;
    for (size_t i = 0; i < sizeof traits; i++) {
        if (strcmp(m, name) == 0) {
            return traits[i];
        }
        name += strlen(name) + 1;
    }
    return 0;
}

typedef struct writer {
    char *out;
    size_t cap;
    size_t len;
    bool overflow;
} writer;

static void put(writer *w, const char *s)
{
    size_t n = strlen(s);
    if (w->overflow || n > w->cap - w->len) {
        w->overflow = true;
        return;
    }
    memcpy(w->out + w->len, s, n);
    w->len += n;
}

/* One of our literals (a field's line start, its name) and the text that follows it. */
static void put_after(writer *w, const char *lit, const char *text)
{
    put(w, lit);
    put(w, text);
}

static sg_status check_request(const sg_http_request *req, const char *host_header)
{
    bool ok = text_ok(req->method, TEXT_TOKEN) && text_ok(req->target, TEXT_VISIBLE) &&
              req->target[0] == '/' && text_ok(host_header, TEXT_VISIBLE) &&
              text_ok(req->accept, TEXT_VALUE | TEXT_OPTIONAL) &&
              text_ok(req->bearer_token, TEXT_VISIBLE | TEXT_OPTIONAL) &&
              text_ok(req->content_type, TEXT_VALUE | TEXT_OPTIONAL) &&
              /* a body needs a content type, and not an empty one */
              (req->body_len == 0 ||
               (req->body != NULL && req->content_type != NULL && req->content_type[0] != '\0')) &&
              (req->header_count == 0 || req->headers != NULL);
#if SG_HTTP_EXTRA_HEADERS
    for (size_t i = 0; ok && i < req->header_count; i++) {
        const sg_http_header *h = &req->headers[i];
        ok = text_ok(h->name, TEXT_TOKEN) && text_ok(h->value, TEXT_VALUE) &&
             !is_reserved_header(h->name);
    }
#else
    if (ok && req->header_count > 0) {
        return SG_ERR_UNSUPPORTED; /* left out of this build (SG_HTTP_EXTRA_HEADERS 0) */
    }
#endif
    return ok ? SG_OK : SG_ERR_INVALID_ARG;
}

sg_status sg_http_write_head(const sg_http_request *req, const char *host_header, char *out,
                             size_t cap, size_t *written)
{
    if (written != NULL) {
        *written = 0;
    }
    if (req == NULL || out == NULL || written == NULL) {
        return SG_ERR_INVALID_ARG;
    }
    sg_status st = check_request(req, host_header);
    if (st != SG_OK) {
        return st;
    }
    /* each field's line ends where the next begins: fewer, longer literals */
    writer w = {out, cap, 0, false};
    put(&w, req->method);
    put_after(&w, " ", req->target);
    put_after(&w, " HTTP/1.1\r\nHost: ", host_header);
    put_after(&w, "\r\nUser-Agent: sitegpt-c/" SG_VERSION "\r\nAccept: ",
              req->accept ? req->accept : "application/json");
    if (req->bearer_token != NULL) {
        put_after(&w, "\r\nAuthorization: Bearer ", req->bearer_token);
    }
    bool sends_length = req->body_len > 0 || (method_traits(req->method) & M_SENDS_LENGTH);
    if (req->content_type != NULL && sends_length) {
        put_after(&w, "\r\nContent-Type: ", req->content_type);
    }
    if (sends_length) {
        char digits[21];
        st = sg_u64_to_dec((uint64_t)req->body_len, digits, sizeof(digits), NULL);
        if (st != SG_OK) { /* GCOVR_EXCL_BR_LINE: 21 bytes hold any 64-bit number */
            return st;     /* GCOVR_EXCL_LINE: see above */
        }
        put_after(&w, "\r\nContent-Length: ", digits);
    }
#if SG_HTTP_EXTRA_HEADERS
    for (size_t i = 0; i < req->header_count; i++) {
        put_after(&w, "\r\n", req->headers[i].name);
        put_after(&w, ": ", req->headers[i].value);
    }
#endif
    put(&w, "\r\n\r\n"); /* the last field's line end, then the blank line */
    if (w.overflow) {
        sg_wipe(out, w.len); /* what fitted may hold the bearer token */
        return SG_ERR_BUFFER_TOO_SMALL;
    }
    *written = w.len;
    return SG_OK;
}

/* ------------------------------------------------------------- client --- */

sg_status sg_http_client_init(sg_http_client *c, const sg_http_config *cfg, uint8_t *buf,
                              size_t buf_size)
{
    if (c == NULL || cfg == NULL || buf == NULL || buf_size == 0 || cfg->platform == NULL ||
        cfg->platform->now_ms == NULL || (cfg->plain == NULL && cfg->tls == NULL)) {
        return SG_ERR_INVALID_ARG;
    }
    memset(c, 0, sizeof(*c));
    c->cfg = *cfg;
    if (c->cfg.connect_timeout_ms == 0) {
        c->cfg.connect_timeout_ms = DEFAULT_CONNECT_TIMEOUT_MS;
    }
    if (c->cfg.read_timeout_ms == 0) {
        c->cfg.read_timeout_ms = DEFAULT_READ_TIMEOUT_MS;
    }
    if (c->cfg.request_timeout_ms == 0) {
        c->cfg.request_timeout_ms = DEFAULT_REQUEST_TIMEOUT_MS;
    }
    c->buf = buf;
    c->buf_size = buf_size;
    return SG_OK;
}

void sg_http_client_close(sg_http_client *c)
{
    if (c != NULL && c->conn != NULL) {
        c->conn->close(c->conn->ctx);
        c->conn = NULL;
        c->requests_on_conn = 0;
    }
}

static uint64_t now_ms(const sg_http_client *c)
{
    return c->cfg.platform->now_ms(c->cfg.platform->ctx);
}

/* The per-call timeout, cut short by the request deadline; 0 once the deadline passed. */
static uint32_t call_timeout(const sg_http_client *c, uint32_t per_call)
{
    uint64_t deadline = c->deadline;
    uint64_t now = now_ms(c);
    if (now >= deadline) {
        return 0;
    }
    return deadline - now < per_call ? (uint32_t)(deadline - now) : per_call;
}

/*
 * "host", "host:port", "[v6]" or "[v6]:port": the port only when not the default. out holds
 * SG_HOST_MAX + 10 bytes and the caller checked n < SG_HOST_MAX: room for the brackets, the
 * colon, five digits and the NUL.
 */
static sg_status host_header(const sg_http_origin *o, size_t n, char *out, size_t cap)
{
    bool v6 = memchr(o->host, ':', n) != NULL;
    size_t len = 0;
    if (v6) {
        out[len++] = '[';
    }
    memcpy(out + len, o->host, n);
    len += n;
    if (v6) {
        out[len++] = ']';
    }
    out[len] = '\0';
    if (o->port == sg_url_default_port(o->tls)) {
        return SG_OK;
    }
    out[len++] = ':';
    return sg_u64_to_dec(o->port, out + len, cap - len, NULL);
}

static sg_status open_conn(sg_http_client *c, const sg_http_origin *o, size_t host_len,
                           const sg_transport *t)
{
    uint32_t to = call_timeout(c, c->cfg.connect_timeout_ms);
    if (to == 0) {
        return SG_ERR_TIMEOUT;
    }
    sg_status st = t->open(t->ctx, o->host, o->port, to);
    if (st != SG_OK) {
        return st;
    }
    memcpy(c->host, o->host, host_len + 1); /* host_len < SG_HOST_MAX: checked by the caller */
    c->port = o->port;
    c->tls = o->tls;
    c->conn = t;
    c->requests_on_conn = 0;
    c->opens++;
    return SG_OK;
}

static sg_status send_all(sg_http_client *c, const uint8_t *data, size_t len)
{
    size_t off = 0;
    while (off < len) {
        uint32_t to = call_timeout(c, c->cfg.read_timeout_ms);
        if (to == 0) {
            return SG_ERR_TIMEOUT;
        }
        size_t sent = 0;
        sg_status st = c->conn->send(c->conn->ctx, data + off, len - off, &sent, to);
        if (st != SG_OK) {
            return st;
        }
        if (sent == 0 || sent > len - off) {
            return SG_ERR_IO; /* a transport that makes no progress would spin forever */
        }
        off += sent;
    }
    return SG_OK;
}

/*
 * Read one response. *got_bytes tells the caller whether anything at all arrived, which
 * decides whether the request may be sent again on a fresh connection.
 */
static sg_status read_response(sg_http_client *c, sg_http_parser *p, bool *got_bytes)
{
    *got_bytes = false;
    for (;;) {
        uint32_t to = call_timeout(c, c->cfg.read_timeout_ms);
        if (to == 0) {
            return SG_ERR_TIMEOUT;
        }
        /* Headers gather in place at the end of the block; body pieces use the whole buffer. */
        size_t at = sg_http_parser_in_head(p) ? p->head_len : 0;
        size_t got = 0;
        sg_status st = c->conn->recv(c->conn->ctx, c->buf + at, c->buf_size - at, &got, to);
        if (st == SG_ERR_CLOSED && *got_bytes) {
            /* A reset, or TLS ending without close_notify, mid-response: never a complete body. */
            return SG_ERR_HTTP_TRUNCATED;
        }
        if (st != SG_OK) {
            return st;
        }
        if (got == 0) {
            if (!*got_bytes) {
                return SG_ERR_CLOSED;
            }
            st = sg_http_parser_finish(p);
            p->keep_alive = false;
            return st;
        }
        if (got > c->buf_size - at) {
            return SG_ERR_IO;
        }
        *got_bytes = true;
        size_t used = 0;
        st = sg_http_parser_feed(p, c->buf + at, got, &used);
        if (st != SG_OK) {
            return st;
        }
        if (sg_http_parser_done(p)) {
            if (used != got) {
                p->keep_alive = false; /* bytes nobody asked for: the stream is out of step */
            }
            return SG_OK;
        }
    }
}

/* Failures that mean the connection was gone, not that the server answered or stalled. */
static bool conn_lost(sg_status st)
{
    return st == SG_ERR_CLOSED || st == SG_ERR_IO || st == SG_ERR_TLS;
}

/*
 * Before reusing an idle connection: a recv that must not wait. Only a timeout means the
 * connection is still there with nothing to say; EOF, a reset, or bytes nobody asked for
 * mean it cannot carry the request. (TLS consumes its own post-handshake records, such as
 * TLS 1.3 session tickets, below this layer.)
 */
static bool idle_conn_usable(sg_http_client *c)
{
    size_t got = 0;
    return c->conn->recv(c->conn->ctx, c->buf, c->buf_size, &got, 0) == SG_ERR_TIMEOUT;
}

sg_status sg_http_exchange(sg_http_client *c, const sg_http_origin *origin,
                           const sg_http_request *req, const sg_http_sink *sink, int *status_out)
{
    if (status_out != NULL) {
        *status_out = 0;
    }
    if (c == NULL || c->buf == NULL || origin == NULL || origin->host == NULL || req == NULL ||
        status_out == NULL || origin->port == 0) {
        return SG_ERR_INVALID_ARG;
    }
    size_t host_len = strlen(origin->host);
    if (host_len == 0 || host_len >= SG_HOST_MAX) {
        return SG_ERR_INVALID_ARG;
    }
    sg_status st = sg_url_check_secure(origin); /* before any DNS lookup or byte sent */
    if (st != SG_OK) {
        return st;
    }
    const sg_transport *t = origin->tls ? c->cfg.tls : c->cfg.plain;
    if (t == NULL) {
        return SG_ERR_UNSUPPORTED;
    }
    char host_hdr[SG_HOST_MAX + 10];
    st = host_header(origin, host_len, host_hdr, sizeof(host_hdr));
    if (st != SG_OK) { /* GCOVR_EXCL_BR_LINE: sized for the longest host, brackets and port */
        return st;     /* GCOVR_EXCL_LINE: see above */
    }
    st = check_request(req, host_hdr); /* before the method is read or the connection probed */
    if (st != SG_OK) {
        return st;
    }
    sg_http_origin open_origin = {c->host, c->port, c->tls};
    if (c->conn != NULL && (!sg_url_same_origin(&open_origin, origin) || !idle_conn_usable(c))) {
        sg_http_client_close(c); /* another origin, or the probe found it gone */
    }
    c->deadline = now_ms(c) + c->cfg.request_timeout_ms;
    unsigned traits = method_traits(req->method);
    bool head_req = (traits & M_HEAD) != 0;
    /* A request the server may have acted on is sent again only when that is harmless. */
    bool may_resend = (traits & M_IDEMPOTENT) != 0;
    sg_http_parser p;
    for (int attempt = 0;; attempt++) {
        /* Written again on each attempt: the buffer also receives the response. */
        size_t head_len = 0;
        st = sg_http_write_head(req, host_hdr, (char *)c->buf, c->buf_size, &head_len);
        if (st != SG_OK) {
            return st;
        }
        bool reused = c->conn != NULL;
        if (!reused) {
            st = open_conn(c, origin, host_len, t);
            if (st != SG_OK) {
                sg_wipe(c->buf, head_len);
                return st;
            }
        }
        st = send_all(c, c->buf, head_len);
        sg_wipe(c->buf, head_len); /* it holds the bearer token */
        if (st == SG_OK && req->body_len > 0) {
            st = send_all(c, req->body, req->body_len);
        }
        bool got_bytes = false;
        if (st == SG_OK) {
            c->requests_on_conn++;
            st = sg_http_parser_init(&p, c->buf, c->buf_size, sink, head_req);
        }
        if (st == SG_OK) {
            st = read_response(c, &p, &got_bytes);
        }
        if (st == SG_OK) {
            break;
        }
        sg_http_client_close(c);
        /*
         * A reused connection that died before any response byte, although the probe found
         * it alive: the server may still have processed the request (it can close right
         * after acting), so only an idempotent request goes out again.
         */
        if (!(may_resend && reused && attempt == 0 && !got_bytes && conn_lost(st))) {
            return st;
        }
    }
    if (!p.keep_alive) {
        sg_http_client_close(c);
    }
    *status_out = p.status;
    return SG_OK;
}
