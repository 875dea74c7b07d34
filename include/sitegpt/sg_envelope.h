/*
 * sitegpt-c: API v2 response envelope decoder. Every API v2 response body is one of:
 *
 *   success {"ok":true,"data":{...},"meta":{"requestId":"..."}}
 *   error   {"ok":false,"error":{"code","message","hint"?,"details"?},"meta":{"requestId"}}
 *
 * hint and details are optional; details may be an object or an array. An empty or
 * non-JSON error body maps to code HTTP_ERROR with the HTTP status.
 *
 * Sits on the streaming reader: one pass decodes the envelope fields into fixed-size
 * members and hands the caller's own subscriptions (absolute paths such as
 * "data.tokens[]") to the caller's callback, so a list of any length streams through.
 */
#ifndef SG_ENVELOPE_H
#define SG_ENVELOPE_H

#include "sg_json.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Field sizes and SG_ENVELOPE_OWN_STR are options: sg_options.h. */
#define SG_ENVELOPE_OWN_SUBS 6

typedef struct sg_envelope {
    /* ---- results, valid after sg_envelope_finish() ---- */
    int http_status; /* 0 when never set */
    bool has_ok;     /* the body had a boolean "ok" */
    bool ok;
    bool is_json;           /* the body was a complete JSON document */
    bool message_truncated; /* message / hint cut to fit (for display only) */
    bool hint_truncated;
    bool details_truncated;          /* details longer than the caller's buffer */
    char code[SG_ENVELOPE_CODE_MAX]; /* "" when absent; "HTTP_ERROR" for a non-JSON error */
    char message[SG_ENVELOPE_MESSAGE_MAX];
    char hint[SG_ENVELOPE_HINT_MAX];
    char request_id[SG_ENVELOPE_REQUEST_ID_MAX];
    char *details;      /* raw JSON of error.details (caller buffer), */
    size_t details_len; /*   NUL-terminated; 0 when absent */
    size_t details_cap;

    /* Private: the library's own state; do not read or write it. */
    struct {
        sg_json_reader reader;
        sg_json_sub subs[SG_ENVELOPE_CALLER_SUBS_MAX + SG_ENVELOPE_OWN_SUBS]; /* caller's first */
        size_t caller_subs;
        sg_json_value_fn caller_fn;
        void *caller_ctx;
        sg_status body_err; /* reader error swallowed for a non-2xx body */
        bool cb_failed;     /* the caller's callback aborted the parse */
#if SG_ENVELOPE_OWN_STR
        char str[SG_ENVELOPE_MESSAGE_MAX]; /* string buffer when the caller's is smaller */
#endif
    } _private;
} sg_envelope;

/*
 * Prepare a decode. data_cfg (may be NULL) is the caller's reader configuration: its subs
 * (absolute paths, usually under "data"), callback and buffers; events reach the callback
 * with ev->sub indexing the caller's own subs. details_buf (may be NULL) receives
 * error.details as raw JSON (not in builds with SG_JSON_RAW 0: there it stays empty). SG_ERR_INVALID_ARG for more than SG_ENVELOPE_CALLER_SUBS_MAX
 * subscriptions, or (SG_ENVELOPE_OWN_STR 0) without a lent str_buf of at least
 * SG_ENVELOPE_MESSAGE_MAX bytes; other checks as sg_json_reader_init().
 */
SG_NODISCARD sg_status sg_envelope_init(sg_envelope *env, const sg_json_config *data_cfg,
                                        char *details_buf, size_t details_cap);

/* The response's HTTP status (the http sink sets it itself). */
SG_NODISCARD sg_status sg_envelope_set_http_status(sg_envelope *env, int http_status);

/*
 * Feed body bytes. For a 2xx status JSON errors are returned (and sticky); for any other
 * status a body that is not JSON is not an error: finish() records code HTTP_ERROR.
 * Errors returned by the caller's callback always abort.
 */
SG_NODISCARD sg_status sg_envelope_feed(sg_envelope *env, const void *data, size_t len);

/*
 * End of body. Returns a processing failure (JSON errors on a 2xx body, callback errors),
 * not the API's verdict: ask sg_envelope_status() for that. A non-2xx body that is empty,
 * not JSON, or carries no error.code gets code "HTTP_ERROR" and message "HTTP <status>".
 */
SG_NODISCARD sg_status sg_envelope_finish(sg_envelope *env);

/* Feed a whole body and finish. */
SG_NODISCARD sg_status sg_envelope_decode(sg_envelope *env, int http_status, const void *body,
                                          size_t len);

/* Fill *sink (status + body) to decode straight from sg_http_exchange(). */
SG_NODISCARD sg_status sg_envelope_http_sink(sg_envelope *env, sg_http_sink *sink);

/*
 * The API's verdict after finish():
 *   SG_OK               ok:true and a 2xx status (or no status set)
 *   SG_ERR_RATE_LIMITED HTTP 429
 *   SG_ERR_AUTH         code TOKEN_NOT_VALID or AUTHORIZATION_HEADER_REQUIRED (sent with
 *                       401), or HTTP 401 with a non-envelope body (HTTP_ERROR)
 *   SG_ERR_JSON_SYNTAX  a 2xx body that is not JSON (finish() also said so)
 *   SG_ERR_JSON_TYPE    a 2xx JSON body without a boolean "ok" (not an API v2 envelope)
 *   SG_ERR_API          anything else (code/message say what)
 */
SG_NODISCARD sg_status sg_envelope_status(const sg_envelope *env);

#ifdef __cplusplus
}
#endif

#endif /* SG_ENVELOPE_H */
