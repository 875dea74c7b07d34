/*
 * sitegpt-c: login by the OAuth 2.0 Device Authorization Grant (RFC 8628): the user
 * approves on another screen. "Device" is the OAuth term, not hardware. No heap, no threads.
 *
 *   sg_device_start()  discovery (/.well-known/oauth-authorization-server, else
 *                      <base>/oauth/device_authorization and <base>/oauth/token), then the
 *                      device authorization request. A served document (HTTP 200) must be
 *                      JSON whose issuer is the base URL it was fetched from (RFC 8414
 *                      3.3), else SG_ERR_DISCOVERY and no request follows; the fallbacks
 *                      are used only when there is no document (404 or any non-200); with
 *                      SG_DEVICE_DISCOVERY 0 (sg_options.h) they are used always, and no
 *                      discovery request is made. Afterwards user_code,
 *                      verification_uri(_complete), expires_in and interval are readable.
 *   sg_device_poll()   one step: SG_OK when the token is ready; SG_ERR_AUTHORIZATION_PENDING
 *                      with *wait_ms set (call again after that long); any other status is
 *                      final (SG_ERR_ACCESS_DENIED, SG_ERR_EXPIRED_TOKEN, SG_ERR_OAUTH with
 *                      error/error_description kept, ...). It sends a request only when the
 *                      interval has passed, so calling early is harmless.
 *   sg_device_wait()   blocking loop over poll for hosts with platform->sleep_ms.
 *   sg_device_take_token()  copy the access token out, wiping it from the struct.
 *
 * Polling follows RFC 8628 3.5: interval 5 s when none is given, never faster than the
 * interval, slow_down adds 5 s for good (or adopts the larger interval its body carries),
 * no request once expires_in has passed; interval and expires_in are bounded (below). Network failures (I/O, timeout, closed, DNS,
 * connect, TLS, a cut response), 429 and 5xx back off (the interval, doubling up to 60 s)
 * and retry until the code expires; the last one is kept in retry_status. Anything waiting
 * cannot fix (a rejected certificate, a cancel, a malformed response, a local limit) ends
 * the login with that status. Every request goes through the one sg_http_client, so one connection
 * serves the whole login when the server keeps it alive.
 *
 * The device code lives only inside the struct (in the prepared token request body) and is
 * wiped by take_token and sg_device_clear; there is no getter.
 *
 * Memory: sizeof(sg_device) is 3776 bytes on 64-bit hosts and 3696 on Cortex-M4 with
 * the default options (sg_options.h; examples/firmware picks small ones).
 * The JSON reader and its string buffer live in the struct, not on the stack, so a step
 * needs little stack: on Cortex-M4 (-Os) sg_device_start's frame is 80 bytes and
 * sg_device_poll's 48 (`make size` prints the chains below them). Limits: user code
 * SG_DEVICE_USER_CODE_MAX - 1, URIs SG_DEVICE_URI_MAX - 1, access token
 * SG_DEVICE_TOKEN_MAX - 1, device code SG_DEVICE_STR_MAX - 1 as long as its token request
 * fits SG_DEVICE_BODY_MAX - 1 encoded, endpoint host and path SG_HOST_MAX - 1 and
 * SG_DEVICE_PATH_MAX - 1; error and error_description are cut to fit.
 */
#ifndef SG_DEVICE_H
#define SG_DEVICE_H

#include "sg_base.h"
#include "sg_http.h"
#include "sg_json.h"

#ifdef __cplusplus
extern "C" {
#endif

#define SG_DEVICE_CLIENT_ID          "sitegpt-cli"
#define SG_DEVICE_DEFAULT_INTERVAL_S 5u
#define SG_DEVICE_SLOW_DOWN_S        5u
#define SG_DEVICE_MAX_BACKOFF_MS     60000u
/*
 * Bounds on what the server says, so a server cannot park a login: the polling interval
 * (as issued, as grown by slow_down, or as a slow_down body sets it) is capped at
 * SG_DEVICE_MAX_INTERVAL_S, and an expires_in above SG_DEVICE_MAX_EXPIRES_IN_S is cut to
 * it (the code's life, hence the whole wait, is at most an hour).
 */
#define SG_DEVICE_MAX_INTERVAL_S     60u
#define SG_DEVICE_MAX_EXPIRES_IN_S   3600u
#define SG_DEVICE_WAIT_SLICE_MS      100u /* sg_device_wait checks the cancel flag this often */

typedef struct sg_device_config {
    sg_http_client *http;        /* borrowed: one client (one connection) per login;
                                        its buffer is wiped after each response with secrets */
    const sg_platform *platform; /* now_ms required; sleep_ms for sg_device_wait */
    sg_http_origin base;         /* API base origin; host borrowed until start returns */
    const char *base_path;       /* "" or "/prefix"; NULL: "" */
    const char *client_id;       /* NULL: SG_DEVICE_CLIENT_ID */
    const char *const *scopes;   /* sent space-separated as `scope`; none: standard */
    size_t scope_count;
    bool full_access;               /* full_access=true; never with scopes */
    const char *token_name;         /* NULL: not sent */
    uint32_t expires_in_days;       /* 1..365; 0: not sent (server default 90) */
    const char *const *chatbot_ids; /* one chatbot_id field each */
    size_t chatbot_count;
} sg_device_config;

typedef struct sg_device {
    /*
     * The numbers first, then the private state with its scalars at its head, then the
     * texts: Thumb-2 reaches a struct's first bytes (31 for a byte, 124 for a word) with
     * 16-bit loads and stores, and the numbers are what the flow reads and writes most.
     */
    /* ---- readable after a successful sg_device_start ---- */
    uint32_t expires_in; /* seconds, as issued, at most SG_DEVICE_MAX_EXPIRES_IN_S */
    uint32_t interval;   /* seconds between polls now (grows on slow_down),
                                        at most SG_DEVICE_MAX_INTERVAL_S */
    /* ---- readable after a failure ---- */
    int http_status;        /* of the last response, 0 when none */
    sg_status retry_status; /* last transient failure retried, SG_OK when none */
    /* ---- readable after a successful sg_device_wait: the token response's `scope` ---- */
    bool scope_stated;   /* false: absent, so the scopes asked for (RFC 6749 5.1),
                                        or SG_DEVICE_GRANTED_SCOPES is 0 */
    uint64_t scope_bits; /* bit i: sg_scope_at(i) granted (when scope_stated) */
    /* Private: the library's own state; do not read or write it. */
    struct {
        uint8_t state;
        uint8_t kind;      /* which response is being read */
        uint16_t seen;     /* bit per member received */
        sg_status json_st; /* the reader's first failure (the body is still drained) */
        uint32_t next_poll_ms;
        uint32_t life_ms; /* expires_in * 1000: when the code expires */
        uint32_t backoff_ms;
        uint32_t got_expires_in; /* 0: absent (or 0, which is no better) */
        uint32_t got_interval;
        sg_http_client *http;
        const sg_platform *platform;
        const char *client_id; /* borrowed from the config during the authorization */
        uint64_t issued_ms;    /* the clock when the code came: the times above count from it */
        sg_http_origin token_origin; /* host points to token_host */
        char token_host[SG_HOST_MAX];
        char token_path[SG_DEVICE_PATH_MAX];
        char body[SG_DEVICE_BODY_MAX]; /* the token request (text), holding the device code */
        union {                        /* never needed at the same time */
            char access_token[SG_DEVICE_TOKEN_MAX]; /* after the token response */
            struct {
                char host[SG_HOST_MAX];
                char path[SG_DEVICE_PATH_MAX];
            } auth; /* the device authorization endpoint, during start */
        } u;
        /* The response being read. Here rather than in the stack frames: the
           reader and its string buffer are most of the memory a step needs, and a device's
           stack is the scarcer RAM. */
        sg_json_reader reader;
        char str[SG_DEVICE_STR_MAX]; /* the reader's strings; wiped after every response */
    } _private;
    /* ---- readable after a successful sg_device_start ---- */
    char user_code[SG_DEVICE_USER_CODE_MAX];
    char verification_uri[SG_DEVICE_URI_MAX];
    char verification_uri_complete[SG_DEVICE_URI_MAX]; /* "" when the server sent none */
    /* ---- readable after a failure ---- */
    char error[SG_DEVICE_ERROR_MAX];            /* OAuth error code, "" when none */
    char error_description[SG_DEVICE_DESC_MAX]; /* the server's words, may be cut */
} sg_device;

/*
 * Discover the endpoints and request a device code. Blocks for at most two HTTP exchanges
 * (the transport timeouts bound them). SG_ERR_INVALID_ARG for bad options (full_access with
 * scopes, expires_in_days over 365, a missing clock); SG_ERR_INSECURE_URL when discovery
 * names a plain http endpoint off loopback, SG_ERR_INSECURE_ENDPOINT when it names one on
 * another origin that is not https (loopback included); SG_ERR_OAUTH (error and
 * error_description set) when the server refuses the request; transport statuses as they
 * come; SG_ERR_DISCOVERY when the metadata document is served but is not JSON, has no
 * issuer or names another issuer. d is wiped first, so a failed start leaves no secret behind.
 */
SG_NODISCARD sg_status sg_device_start(sg_device *d, const sg_device_config *cfg);

/* One polling step, see the top of this file. wait_ms is set for PENDING, else 0. */
SG_NODISCARD sg_status sg_device_poll(sg_device *d, uint32_t *wait_ms);

/*
 * Poll until a final status, sleeping with platform->sleep_ms in slices of at most
 * SG_DEVICE_WAIT_SLICE_MS and returning SG_ERR_CANCELLED as soon as *cancel (may be NULL)
 * is non-zero. SG_ERR_UNSUPPORTED when the platform has no sleep_ms.
 */
SG_NODISCARD sg_status sg_device_wait(sg_device *d, const volatile int *cancel);

/* Milliseconds until the device code expires (0 once expired or before start). */
SG_NODISCARD sg_status sg_device_time_left(const sg_device *d, uint64_t *ms);

/*
 * After sg_device_poll returned SG_OK: copy the access token into out (NUL-terminated) and
 * wipe it and the device code from d. SG_ERR_INVALID_ARG before success or when already
 * taken; SG_ERR_BUFFER_TOO_SMALL (nothing wiped) when out is too small.
 */
SG_NODISCARD sg_status sg_device_take_token(sg_device *d, char *out, size_t cap);

/* Wipe every secret and reset d (after a failure or a cancel). */
void sg_device_clear(sg_device *d);

#ifdef __cplusplus
}
#endif

#endif /* SG_DEVICE_H */
