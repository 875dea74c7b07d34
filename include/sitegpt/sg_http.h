/*
 * sitegpt-c: HTTP/1.1 client with no heap.
 *
 * The caller owns every byte: the client struct and one I/O buffer. The buffer bounds the
 * request head that can be written and the response header block that can be read
 * (SG_ERR_HTTP_HEADERS_TOO_LARGE otherwise); bodies of any size stream through it to a
 * caller sink in pieces.
 */
#ifndef SG_HTTP_H
#define SG_HTTP_H

#include "sg_base.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------- response parser --- */

/*
 * Called once per header after the whole header block is parsed (repeated headers are
 * each delivered), then body pieces in order. Slices are valid only during the call.
 * A callback returning an error aborts the parse with that status.
 */
typedef struct sg_http_sink {
    void *ctx;
    sg_status (*on_status)(void *ctx, int status);                    /* may be NULL */
    sg_status (*on_header)(void *ctx, sg_slice name, sg_slice value); /* may be NULL */
    sg_status (*on_body)(void *ctx, const uint8_t *data, size_t len); /* may be NULL */
} sg_http_sink;

typedef enum sg_http_body_mode {
    SG_HTTP_BODY_NONE = 0,
    SG_HTTP_BODY_LENGTH,
    SG_HTTP_BODY_CHUNKED,
    SG_HTTP_BODY_UNTIL_CLOSE
} sg_http_body_mode;

/*
 * Body and chunk lengths: 64-bit, or 32-bit with SG_HTTP_LENGTH_64 0 (sg_options.h), where
 * a Content-Length or chunk size of 4 GiB or more is refused like any other bad one.
 * SG_HTTP_LENGTH_MAX marks a Content-Length that is absent.
 */
#if SG_HTTP_LENGTH_64
typedef uint64_t sg_http_length;
#define SG_HTTP_LENGTH_MAX UINT64_MAX
#else
typedef uint32_t sg_http_length;
#define SG_HTTP_LENGTH_MAX UINT32_MAX
#endif

/*
 * Incremental response parser: the same result whatever way the bytes are split.
 * The header block is gathered in the caller's buffer (so a block larger than buf_size
 * bytes fails with SG_ERR_HTTP_HEADERS_TOO_LARGE: report buf_size as the limit); body
 * bytes go straight from the fed data to the sink, nothing else is stored.
 * 1xx interim responses are skipped (101 is SG_ERR_HTTP_MALFORMED: we never ask to switch).
 * Framing follows RFC 9112: no body for HEAD, 204 and 304; chunked is
 * refused next to Content-Length; any transfer coding other than a single "chunked" is
 * SG_ERR_HTTP_MALFORMED; without either the body runs until close (keep_alive false).
 * Errors are sticky: every later feed or finish returns the same status.
 */
typedef struct sg_http_parser {
    uint8_t *buf;    /* header block storage, owned by the caller */
    size_t buf_size; /* the header block limit */
    size_t head_len; /* bytes of the current header block gathered so far */
    const sg_http_sink *sink;
    sg_http_length remaining;      /* body or chunk bytes left */
    sg_http_length content_length; /* SG_HTTP_LENGTH_MAX when absent */
    int status;                    /* final (non-1xx) status code once known, else 0 */
    sg_status error;               /* first error, repeated by later calls */
    uint8_t state;
    uint8_t body_mode; /* sg_http_body_mode */
    uint8_t flags;
    uint8_t line;      /* where in a header or trailer line the last byte was */
    bool head_request; /* response to HEAD: no body whatever the headers say */
    bool keep_alive;   /* connection may be reused after this response */
    bool done;
} sg_http_parser;

SG_NODISCARD sg_status sg_http_parser_init(sg_http_parser *p, uint8_t *buf, size_t buf_size,
                                           const sg_http_sink *sink, bool head_request);

/*
 * Feed bytes; *consumed says how many were used (fewer than len only once the response is
 * complete: the rest belongs to the next response on the connection).
 */
SG_NODISCARD sg_status sg_http_parser_feed(sg_http_parser *p, const uint8_t *data, size_t len,
                                           size_t *consumed);

/* The peer closed the stream: completes an until-close body, else SG_ERR_HTTP_TRUNCATED. */
SG_NODISCARD sg_status sg_http_parser_finish(sg_http_parser *p);

static inline bool sg_http_parser_done(const sg_http_parser *p)
{
    return p->done;
}

/* Still gathering a header block (state 0): the client receives in place after head_len. */
static inline bool sg_http_parser_in_head(const sg_http_parser *p)
{
    return p->state == 0;
}

/* ---------------------------------------------------------------- request writer --- */

typedef struct sg_http_header {
    const char *name;
    const char *value;
} sg_http_header;

typedef struct sg_http_request {
    const char *method;       /* "GET", "POST", ... */
    const char *target;       /* origin-form: "/api/v2/me?limit=5" */
    const char *bearer_token; /* NULL: no Authorization header */
    const char *accept;       /* NULL: application/json */
    const char *content_type; /* required when body_len > 0 */
    const uint8_t *body;
    size_t body_len;
    const sg_http_header *headers; /* extra headers, may be NULL */
    size_t header_count;
} sg_http_request;

/*
 * Write the request head (request line and headers, ending with the blank line) into out,
 * not NUL-terminated. host_header is "host" or "host:port". Headers, in order: Host,
 * User-Agent: sitegpt-c/<SG_VERSION>, Accept, Authorization: Bearer (when a token is set),
 * Content-Type, Content-Length (when there is a body, and always for POST/PUT/PATCH), then
 * the extra headers. No "Connection" header: HTTP/1.1 keeps the connection by default.
 * SG_ERR_BUFFER_TOO_SMALL when it does not fit (nothing useful is left in out);
 * SG_ERR_INVALID_ARG for CR, LF or other control characters in any field, a method that is
 * not a token, a target that is not origin-form, or an extra header that would override the
 * framing (Host, Content-Length, Transfer-Encoding, Connection); SG_ERR_UNSUPPORTED for
 * any extra header in a build with SG_HTTP_EXTRA_HEADERS 0 (sg_options.h).
 */
SG_NODISCARD sg_status sg_http_write_head(const sg_http_request *req, const char *host_header,
                                          char *out, size_t cap, size_t *written);

/* ---------------------------------------------------------------- client --- */

typedef struct sg_http_config {
    const sg_platform *platform; /* clock for deadlines */
    const sg_transport *plain;   /* for http:// origins, may be NULL */
    const sg_transport *tls;     /* for https:// origins, may be NULL */
    uint32_t connect_timeout_ms; /* 0: 10000 */
    uint32_t read_timeout_ms;    /* each read; 0: 30000 */
    uint32_t request_timeout_ms; /* whole exchange; 0: 120000 */
} sg_http_config;

typedef struct sg_http_origin {
    const char *host; /* name or IP literal, IPv6 without brackets */
    uint16_t port;
    bool tls;
} sg_http_origin;

typedef struct sg_http_client {
    sg_http_config cfg;
    uint64_t deadline;         /* of the exchange under way (cfg.platform's clock) */
    uint8_t *buf;              /* request head, then response headers and body pieces */
    size_t buf_size;           /* also the response header block limit */
    const sg_transport *conn;  /* transport of the open connection, NULL when closed */
    uint32_t requests_on_conn; /* requests sent on the open connection */
    uint32_t opens;            /* connections opened over the client's life */
    uint16_t port;             /* origin of the open connection */
    bool tls;
    char host[SG_HOST_MAX]; /* a copy: the caller's string may not live that long */
} sg_http_client;

SG_NODISCARD sg_status sg_http_client_init(sg_http_client *c, const sg_http_config *cfg,
                                           uint8_t *buf, size_t buf_size);

/*
 * One request/response exchange with origin. A plain http origin that is not loopback is
 * SG_ERR_INSECURE_URL before anything happens (sg_url_check_secure). Reuses the open connection when it is to the
 * same origin (scheme, host without case, port) and the last response allowed it; any other
 * origin closes it first. Before a reused connection carries anything it is probed (a recv
 * with timeout 0): EOF, an error or any byte means it is closed and a fresh one opened, so a
 * request is never written into a connection the server already dropped. If a reused
 * connection still fails before any response byte (send error, or recv reporting EOF,
 * SG_ERR_CLOSED, SG_ERR_IO or SG_ERR_TLS) the server may or may not have acted on the
 * request: an idempotent one (GET, HEAD, PUT, DELETE, OPTIONS) is sent once more on a fresh
 * connection, any other (POST, PATCH, ...) returns that error. A timeout is never retried.
 * Timeouts: cfg.connect_timeout_ms for open, cfg.read_timeout_ms for each send and recv,
 * all cut short by the cfg.request_timeout_ms deadline (clock: cfg.platform->now_ms); each
 * is SG_ERR_TIMEOUT. On any error the connection is closed. *status_out gets the final HTTP
 * status (non-2xx is not an error here: the sink saw the body). Redirects are not followed
 * at this layer. The request head, which holds the token, is wiped from the buffer once sent.
 * SG_ERR_HTTP_HEADERS_TOO_LARGE means the response header block exceeded c->buf_size bytes.
 */
SG_NODISCARD sg_status sg_http_exchange(sg_http_client *c, const sg_http_origin *origin,
                                        const sg_http_request *req, const sg_http_sink *sink,
                                        int *status_out);

void sg_http_client_close(sg_http_client *c);

/* Case-insensitive ASCII compare of a slice with a NUL-terminated string. */
bool sg_slice_eq_nocase(sg_slice s, const char *lit);

#ifdef __cplusplus
}
#endif

#endif /* SG_HTTP_H */
