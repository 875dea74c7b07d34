/*
 * sitegpt-c: retry and redirect policy for API requests.
 *
 * The rules: on 429 honour Retry-After, else back off exponentially with jitter; retry
 * idempotent requests (GET, HEAD, and DELETE of a token) on connection failures and 5xx a
 * bounded number of times; never retry a POST that may have created something. Follow at
 * most SG_REDIRECT_MAX redirects, dropping Authorization whenever scheme, host or port changes.
 *
 * Pure decisions, no I/O: which failures may be retried, how long to wait (Retry-After in
 * seconds or as an IMF-fixdate, else exponential backoff with jitter), when the caller's
 * cap on the total wait stops the retries, and what a redirect does to the method (the
 * origin rules are sg_redirect_check). The waiting itself
 * is the caller's (sg_api calls platform->sleep_ms), so unit tests run on a fake clock.
 */
#ifndef SG_RETRY_H
#define SG_RETRY_H

#include "sg_base.h"
#include "sg_http.h"

#ifdef __cplusplus
extern "C" {
#endif

#define SG_RETRY_DEFAULT_ATTEMPTS       4u /* first try plus three retries */
#define SG_RETRY_DEFAULT_BASE_MS        500u
#define SG_RETRY_DEFAULT_MAX_BACKOFF_MS 20000u
#define SG_RETRY_DEFAULT_TOTAL_WAIT_MS  60000u
#define SG_REDIRECT_MAX                 3u /* redirects followed per request */
/* SG_RETRY_HTTP_DATE (Retry-After as an HTTP date, or seconds only) is an option:
   sg_options.h. */

/* Zero members take the defaults above. max_attempts 1 never retries. */
typedef struct sg_retry_policy {
    uint8_t max_attempts;       /* attempts per request, the first included */
    uint32_t base_backoff_ms;   /* first backoff; doubles on every retry */
    uint32_t max_backoff_ms;    /* ceiling of one backoff (not of a Retry-After) */
    uint32_t max_total_wait_ms; /* ceiling of all waits of one request together */
} sg_retry_policy;

typedef enum sg_retry_reason {
    SG_RETRY_NONE = 0,     /* final: success, a 4xx, or not retryable */
    SG_RETRY_RATE_LIMITED, /* HTTP 429: every method */
    SG_RETRY_SERVER_ERROR, /* HTTP 5xx on an idempotent request */
    SG_RETRY_CONNECTION    /* transport failure on an idempotent request */
} sg_retry_reason;

/* Per request: zero it before the first attempt; count every attempt made in it. */
typedef struct sg_retry_state {
    uint8_t attempts;   /* attempts made so far (the caller increments) */
    uint32_t waited_ms; /* sum of the waits planned so far */
} sg_retry_state;

/*
 * Classify one attempt's outcome: transport status st (SG_OK when a response arrived) and
 * its HTTP status. idempotent: GET/HEAD, or a DELETE the caller knows is safe to repeat
 * (token revoke); a POST that may have created something is never retried except on 429,
 * which the server sends before doing anything.
 */
SG_NODISCARD sg_status sg_retry_classify(bool idempotent, sg_status st, int http_status,
                                         sg_retry_reason *out);

/*
 * Parse a Retry-After value into milliseconds: delta-seconds, or an IMF-fixdate measured
 * against date (the response's Date header, the server's "now"; empty when absent, which
 * makes an HTTP-date unusable: SG_ERR_NOT_FOUND). A date in the past gives 0.
 * SG_ERR_INVALID_ARG for anything else (obsolete RFC 850 / asctime forms included).
 */
SG_NODISCARD sg_status sg_retry_after_ms(sg_slice retry_after, sg_slice date, uint32_t *ms);

/*
 * Seconds since 1970-01-01T00:00:00Z of an IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT").
 * SG_ERR_UNSUPPORTED when built with SG_RETRY_HTTP_DATE 0.
 */
SG_NODISCARD sg_status sg_http_date_parse(sg_slice text, int64_t *unix_seconds);

/*
 * Plan the next attempt after a failed one. retry_after_ms: the server's wait, or -1.
 * *retry true: wait *wait_ms (already added to state->waited_ms) then try again. false:
 * the attempt is final (reason NONE, attempts exhausted, or the wait would cross
 * max_total_wait_ms). Backoff: d = min(max_backoff, base * 2^(retry-1)), wait in
 * [d/2, d] from platform->random (d when random is NULL or fails).
 */
SG_NODISCARD sg_status sg_retry_next(const sg_retry_policy *policy, sg_retry_state *state,
                                     const sg_platform *platform, sg_retry_reason reason,
                                     int64_t retry_after_ms, bool *retry, uint32_t *wait_ms);

/*
 * Redirects. sg_redirect_is: status 301, 302, 303, 307 or 308. sg_redirect_method: 303
 * turns anything but HEAD into a GET without body, 301/302 turn a POST into a GET without
 * body (what every client does), 307/308 keep method and body.
 */
bool sg_redirect_is(int http_status);
SG_NODISCARD sg_status sg_redirect_method(int http_status, const char *method,
                                          const char **new_method, bool *keep_body);

/*
 * Whether a redirect from origin `from` to origin `to` may be followed with new_method (as
 * sg_redirect_method left it). Never from https to http: SG_ERR_HTTP_REDIRECT_DOWNGRADE.
 * A method other than GET or HEAD (POST, PUT, PATCH, DELETE: it carries or may carry a
 * body, and the server may act on it) only within the same origin:
 * SG_ERR_HTTP_REDIRECT_BODY. SG_OK otherwise (the caller still drops Authorization across
 * origins, and each URL already passed sg_url_check_secure).
 */
SG_NODISCARD sg_status sg_redirect_check(const sg_http_origin *from, const sg_http_origin *to,
                                         const char *new_method);

#ifdef __cplusplus
}
#endif

#endif /* SG_RETRY_H */
