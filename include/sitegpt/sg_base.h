/*
 * sitegpt-c: status codes, slices and the platform hooks every layer shares.
 *
 * The core includes only <stddef.h> <stdint.h> <stdbool.h> <string.h>; anything it
 * needs from the OS arrives through sg_platform or sg_transport.
 */
#ifndef SG_BASE_H
#define SG_BASE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sg_options.h"

#ifdef __cplusplus
extern "C" {
#endif

#define SG_VERSION "0.1.0"

#if defined(__GNUC__) || defined(__clang__)
#define SG_NODISCARD __attribute__((warn_unused_result))
#else
#define SG_NODISCARD
#endif

/*
 * One status type for the whole library: zero is success, every failure is negative and
 * distinct. Functions return it marked SG_NODISCARD so an ignored failure is a compile error.
 */
typedef enum sg_status {
    SG_OK = 0,

    /* caller and local resources */
    SG_ERR_INVALID_ARG = -1,
    SG_ERR_BUFFER_TOO_SMALL = -2,
    SG_ERR_CANCELLED = -3,
    SG_ERR_UNSUPPORTED = -4,
    SG_ERR_STORAGE = -5,
    SG_ERR_NOT_FOUND = -6,
    SG_ERR_URL = -7,
    SG_ERR_LAYOUT = -8,       /* application and library built with other options */
    SG_ERR_INSECURE_URL = -9, /* plain http:// to a host that is not loopback */

    /* transport */
    SG_ERR_IO = -10,
    SG_ERR_TIMEOUT = -11,
    SG_ERR_CLOSED = -12,
    SG_ERR_DNS = -13,
    SG_ERR_CONNECT = -14,
    SG_ERR_TLS = -15,
    SG_ERR_CERT = -16,
    SG_ERR_ENTROPY = -17,
    SG_ERR_PROXY = -18, /* the HTTP proxy refused the CONNECT tunnel */

    /* HTTP framing: each way a response can be malformed has its own code */
    SG_ERR_HTTP_MALFORMED = -20,
    SG_ERR_HTTP_HEADERS_TOO_LARGE = -21,
    SG_ERR_HTTP_BARE_CR = -22,
    SG_ERR_HTTP_OBS_FOLD = -23,
    SG_ERR_HTTP_HEADER_NAME = -24,
    SG_ERR_HTTP_CONTENT_LENGTH = -25,
    SG_ERR_HTTP_LENGTH_AND_CHUNKED = -26,
    SG_ERR_HTTP_CHUNK = -27,
    SG_ERR_HTTP_TRUNCATED = -28,
    SG_ERR_HTTP_STATUS = -29,
    SG_ERR_HTTP_TOO_MANY_REDIRECTS = -30,
    SG_ERR_HTTP_VERSION = -31,
    SG_ERR_HTTP_REDIRECT_DOWNGRADE = -32, /* a redirect from https to http */
    SG_ERR_HTTP_REDIRECT_BODY = -33,      /* a request with a body sent to another origin */

    /* JSON */
    SG_ERR_JSON_SYNTAX = -40,
    SG_ERR_JSON_DEPTH = -41,
    SG_ERR_JSON_STRING_TOO_LONG = -42,
    SG_ERR_JSON_ELEMENT_TOO_LARGE = -43,
    SG_ERR_JSON_TOO_MANY_TOKENS = -44,
    SG_ERR_JSON_TYPE = -45,
    SG_ERR_JSON_PATH_TOO_LONG = -46,
    SG_ERR_JSON_DUPLICATE_KEY = -47,

    /* API v2 */
    SG_ERR_API = -50,
    SG_ERR_AUTH = -51,
    SG_ERR_RATE_LIMITED = -52,

    /* OAuth device flow (RFC 8628) */
    SG_ERR_AUTHORIZATION_PENDING = -60,
    SG_ERR_SLOW_DOWN = -61,
    SG_ERR_ACCESS_DENIED = -62,
    SG_ERR_EXPIRED_TOKEN = -63,
    SG_ERR_OAUTH = -64,
    SG_ERR_INSECURE_ENDPOINT = -65,
    SG_ERR_DISCOVERY = -66 /* metadata whose issuer is not the server asked */
} sg_status;

/* One clear sentence for every status (a few words with SG_STRERROR_TERSE, the layer only with
   SG_STRERROR_TEXTS 0: log the number too); never NULL. */
const char *sg_strerror(sg_status status);

/* A borrowed (pointer, length) view; not NUL-terminated. */
typedef struct sg_slice {
    const char *ptr;
    size_t len;
} sg_slice;

/*
 * Copy s into dst as a NUL-terminated string, cut to cap - 1 bytes on a UTF-8 character
 * boundary when longer (for text shown to people: server messages, names). True when cut.
 */
bool sg_slice_copy_cut(char *dst, size_t cap, sg_slice s);

/* s as a decimal number of 1 to max_digits (at most 19) digits only; false otherwise. */
bool sg_slice_to_u64(sg_slice s, size_t max_digits, uint64_t *out);

/*
 * Zero n bytes at p (p may be NULL when n is 0) in a way the compiler cannot drop, even
 * right before the buffer goes out of scope: the one way every buffer that held a token or
 * a device code is cleared.
 */
void sg_wipe(void *p, size_t n);

/*
 * What the core needs from the platform. The core never sleeps on its own: blocking
 * helpers call sleep_ms, state machines return the wait to their caller instead.
 */
typedef struct sg_platform {
    void *ctx;
    uint64_t (*now_ms)(void *ctx);                            /* monotonic milliseconds */
    void (*sleep_ms)(void *ctx, uint32_t ms);                 /* may be NULL on superloops */
    sg_status (*random)(void *ctx, uint8_t *out, size_t len); /* backoff jitter */
} sg_platform;

/*
 * A byte stream: a TCP socket, a TLS session over one, or a UART. The only I/O the core
 * sees. send may write less than asked (it reports how much); recv returning SG_OK with
 * *received == 0 means the peer closed the stream in order. Timeouts are per call; recv
 * with timeout 0 only polls (SG_ERR_TIMEOUT at once when nothing is there): the HTTP client
 * uses it to check an idle connection before reusing it.
 */
typedef struct sg_transport {
    void *ctx;
    sg_status (*open)(void *ctx, const char *host, uint16_t port, uint32_t timeout_ms);
    sg_status (*send)(void *ctx, const uint8_t *data, size_t len, size_t *sent,
                      uint32_t timeout_ms);
    sg_status (*recv)(void *ctx, uint8_t *buf, size_t cap, size_t *received, uint32_t timeout_ms);
    void (*close)(void *ctx);
} sg_transport;

#ifdef __cplusplus
}
#endif

#endif /* SG_BASE_H */
