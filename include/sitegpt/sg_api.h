/*
 * sitegpt-c: API v2 calls with no heap.
 *
 * The API's rules these calls follow: JSON bodies, every response an envelope (sg_envelope.h);
 * lists carry data.<items> and data.pagination {limit, hasNextPage, nextCursor} and take the
 * query parameters limit (>= 1) and cursor; a token is sent as "Authorization: Bearer" to
 * /api/v2 routes only.
 *
 * One sg_api binds an sg_http_client to an origin, a base path, a borrowed bearer token, a
 * retry policy and the platform. Every call streams the response: the envelope is decoded
 * on the fly (sg_envelope), list items are handed one by one to a callback as jsmn
 * elements (read them with the sg_json_elem_* getters, object token 0), so a list of any
 * length costs the same memory. Redirects (at most SG_REDIRECT_MAX) and retries follow
 * sg_retry.h; Authorization goes only to the configured origin. A redirect is refused
 * (its status returned, nothing sent) from https to http (SG_ERR_HTTP_REDIRECT_DOWNGRADE),
 * to plain http on a host that is not loopback (SG_ERR_INSECURE_URL), and for any method
 * but GET and HEAD to another origin (SG_ERR_HTTP_REDIRECT_BODY). With cfg.timeout_ms a
 * retry whose wait would pass the deadline is not made: the last answer is final (or the
 * last failure returned), and an attempt gets only the time left (SG_ERR_TIMEOUT).
 * Ids that go into a path (rotate, revoke, chatbot get) are one segment
 * (sg_url_path_segment): "", ".", ".." and ids holding '/' are SG_ERR_INVALID_ARG.
 *
 * Memory: the sg_api struct (2.7 KB with the default options, mostly the request
 * target and a redirect's target and host: 2 x (SG_API_TARGET_MAX + SG_HOST_MAX)), the
 * caller's work buffer carved as
 *   jsmn tokens  work/4     (one list element's tokens)
 *   strings      work/8     (scalar strings, plaintext token, the envelope's strings)
 *   request body work/8     (tokens create; the list cursor between pages)
 *   details      work/16    (error.details raw JSON, for display; Retry-After and Date
 *                            while an attempt's headers are read)
 *   element      the rest   (the largest single list item, e.g. one token object)
 * 16 KB fits items of about 7 KB; SG_API_WORK_MIN is the least accepted. The limits are
 * options (sg_options.h).
 *
 * Return values. Typed calls return the API's verdict (sg_envelope_status: SG_ERR_API,
 * SG_ERR_AUTH, SG_ERR_RATE_LIMITED; env holds code, message, hint, request id) or a local
 * or transport failure. sg_api_request returns SG_OK whenever a final response was read,
 * whatever its HTTP status: ask sg_envelope_status(env) for the verdict.
 *
 * Retries never deliver a body twice: whether an attempt is final is decided from its
 * status line and headers, before its body, and only the final attempt's body reaches the
 * caller's sink, envelope and callbacks. A transport failure after body bytes reached the
 * caller is not retried (returned as is).
 */
#ifndef SG_API_H
#define SG_API_H

#include "sg_base.h"
#include "sg_envelope.h"
#include "sg_http.h"
#include "sg_json.h"
#include "sg_retry.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Raw bytes of the final response body, in pieces. */
typedef sg_status (*sg_api_body_fn)(void *ctx, const uint8_t *data, size_t len);

/* A header of the final response (sg_api_request only); slices valid during the call. */
typedef sg_status (*sg_api_header_fn)(void *ctx, int http_status, sg_slice name, sg_slice value);

/* One list item or single object (token, chatbot): e->tok[0] is the object. */
typedef sg_status (*sg_api_item_fn)(void *ctx, const sg_json_element *item);

typedef struct sg_api_config {
    sg_http_client *http;        /* borrowed; its buffer is wiped after secrets went by */
    sg_http_origin origin;       /* host borrowed */
    const char *base_path;       /* "" or "/prefix" (no trailing '/'), borrowed; NULL: "" */
    const char *token;           /* bearer token, borrowed; NULL: none */
    sg_retry_policy retry;       /* zero: defaults */
    const sg_platform *platform; /* sleep_ms for waits (NULL sleep: no retry waits), random */
    void *work;                  /* scratch, see above */
    size_t work_size;
    uint32_t timeout_ms; /* each request as a whole: every attempt (connect, TLS,
                                    send, receive), redirect and retry wait share this one
                                    deadline (platform->now_ms); a list page counts as one
                                    request. 0: only the HTTP client's own limits */
} sg_api_config;

typedef struct sg_api {
    sg_api_config cfg;     /* token may be changed between calls */
    sg_api_body_fn raw_fn; /* optional: also stream every final body (--json) */
    void *raw_ctx;
    sg_api_header_fn header_fn; /* optional: the final response's headers */
    void *header_ctx;
    const sg_http_header *headers; /* optional extra request headers, borrowed */
    size_t header_count;
    /* Private: the library's own state; do not read or write it. */
    struct {
        sg_json_tok *tokens;
        size_t max_tokens;
        char *str_buf, *body_buf, *details_buf, *elem_buf;
        size_t str_cap, body_cap, details_cap, elem_cap;
        struct sg__api_place { /* where the next attempt goes */
            char target[SG_API_TARGET_MAX];
#if SG_API_REDIRECTS
            char host[SG_HOST_MAX]; /* a redirect's host */
#endif
        } at;
#if SG_API_REDIRECTS
        /* a Location being resolved (the attempt may still be retried where it went); a
           followed redirect copies it to at whole */
        struct sg__api_place location;
#endif
        uint32_t last_attempts; /* attempts the last request took (tests, diagnostics) */
        uint32_t last_redirects;
    } _private;
} sg_api;

SG_NODISCARD sg_status sg_api_init(sg_api *api, const sg_api_config *cfg);

/*
 * Also stream the raw body of every final response (typed calls included) to fn, e.g. to
 * print the envelope unchanged for --json. NULL turns it off.
 */
SG_NODISCARD sg_status sg_api_set_raw_sink(sg_api *api, sg_api_body_fn fn, void *ctx);

/*
 * Hand the final response's headers to fn before its body (sg_api_request only: they are
 * kept in the element area of the work buffer until the attempt is known to be final;
 * headers beyond that room are dropped). NULL turns it off.
 */
SG_NODISCARD sg_status sg_api_set_header_sink(sg_api *api, sg_api_header_fn fn, void *ctx);

/*
 * Extra request headers for every later request (borrowed: they must outlive the calls).
 * Like Authorization they go only to the configured origin, never across a redirect to
 * another one. Framing headers (Host, Content-Length, ...) are refused by the HTTP layer.
 * A build with SG_HTTP_EXTRA_HEADERS 0 answers SG_ERR_UNSUPPORTED for any (count > 0).
 */
SG_NODISCARD sg_status sg_api_set_request_headers(sg_api *api, const sg_http_header *headers,
                                                  size_t count);

/*
 * The generic request (the CLI's `api` command). path_and_query starts with '/' and is
 * appended to the base path as is (the caller encodes it). A body is sent as
 * application/json. on_body (may be NULL) receives the final body; env (may be NULL) is
 * initialized here and decodes it on the side (a body that is not an envelope leaves
 * env->is_json or env->has_ok false, not an error). GET and HEAD are retried on
 * connection failures and 5xx; every method on 429.
 */
SG_NODISCARD sg_status sg_api_request(sg_api *api, const char *method, const char *path_and_query,
                                      const uint8_t *body, size_t body_len, sg_api_body_fn on_body,
                                      void *body_ctx, sg_envelope *env, int *http_status);

/* ---------------------------------------------------------------- me / account --- */

/* Called once per scope of data.auth.scopes, as the server sent it. */
typedef sg_status (*sg_api_scope_fn)(void *ctx, const char *scope, size_t len);

typedef struct sg_api_identity {
    char user_id[SG_API_ID_MAX]; /* "" when absent; cut strings set truncated */
    char email[SG_API_EMAIL_MAX];
    char name[SG_API_NAME_MAX];
    char auth_type[SG_API_AUTH_TYPE_MAX]; /* "api-token", ... */
    uint64_t scope_bits;                  /* bit i: sg_scope_at(i) granted */
    uint32_t scope_count;                 /* every scope received, unknown ones too */
    bool truncated;
    sg_api_scope_fn on_scope; /* optional, set before the call */
    void *scope_ctx;
    /* What the credential is (extra members of data.auth; "" / -1 when the server is silent) */
    char token_id[SG_API_ID_MAX];             /* data.auth.tokenId */
    char expires_at[SG_API_DATE_MAX];         /* data.auth.expiresAt as sent (ISO 8601 UTC) */
    int32_t chatbot_count;                    /* data.auth.chatbotIds: -1 absent or null, 0 none
                                             (every chatbot), else how many */
    char chatbot_ids[SG_API_CHATBOT_IDS_MAX]; /* those ids, space-separated (cut: truncated) */
} sg_api_identity;

/* GET /api/v2/me (any valid token) and GET /api/v2/account (account:read). */
SG_NODISCARD sg_status sg_api_me(sg_api *api, sg_api_identity *out, sg_envelope *env);
SG_NODISCARD sg_status sg_api_account(sg_api *api, sg_api_identity *out, sg_envelope *env);

/* ---------------------------------------------------------------- lists --- */

/*
 * The lists and the single-object calls below read their items as whole elements: in a build
 * with SG_JSON_ELEMENTS 0 (no element gathering) they answer SG_ERR_UNSUPPORTED before anything
 * is sent: a missing pointer or id is still SG_ERR_INVALID_ARG, but what a request or cursor
 * holds is not checked, since the call cannot be made.
 */

typedef struct sg_api_list_params {
    uint32_t limit;       /* 0: not sent (server default) */
    const char *cursor;   /* NULL or "": first page */
    bool include_revoked; /* tokens only: includeRevoked=true */
    bool all_pages;       /* follow nextCursor until hasNextPage is false */
} sg_api_list_params;

typedef struct sg_api_page {
    uint32_t items; /* items on this page */
    uint32_t page;  /* 1 for the first page of the call */
    int64_t limit;  /* pagination.limit, -1 when absent */
    bool has_next_page;
    char next_cursor[SG_API_CURSOR_MAX]; /* "" when null or absent */
} sg_api_page;

/* Called after each page (optional): e.g. a newline between JSON-lines envelopes. */
typedef sg_status (*sg_api_page_fn)(void *ctx, const sg_api_page *page);

typedef struct sg_api_list_out {
    sg_api_item_fn on_item; /* each element of data.tokens / data.chatbots */
    sg_api_page_fn on_page; /* may be NULL */
    void *ctx;
    sg_api_page last;     /* the last page read: its cursor hint */
    uint64_t total_items; /* over every page read */
} sg_api_list_out;

/*
 * GET /api/v2/tokens (tokens:read), GET /api/v2/chatbots (chatbots:read). With all_pages
 * the pages are read one after the other in the same memory; a server that says
 * hasNextPage without a new nextCursor stops the walk with SG_ERR_JSON_TYPE.
 */
SG_NODISCARD sg_status sg_api_tokens_list(sg_api *api, const sg_api_list_params *params,
                                          sg_api_list_out *out, sg_envelope *env);
SG_NODISCARD sg_status sg_api_chatbots_list(sg_api *api, const sg_api_list_params *params,
                                            sg_api_list_out *out, sg_envelope *env);

/* ---------------------------------------------------------------- single objects --- */

#define SG_API_EXPIRES_DAYS_MIN 1
#define SG_API_EXPIRES_DAYS_MAX 365
#define SG_API_TOKEN_NAME_MAX   120 /* characters (UTF-8 code points) */

typedef struct sg_api_new_token {
    const char *name;          /* 1..120 characters */
    const char *const *scopes; /* at least one */
    size_t scope_count;
    const char *const *chatbot_ids; /* may be NULL */
    size_t chatbot_count;
    uint32_t expires_in_days; /* 0: not sent; else 1..365 */
    const char *expires_at;   /* NULL: not sent; never with expires_in_days */
} sg_api_new_token;

/*
 * POST /api/v2/tokens (tokens:write), never retried except on 429. on_token (may be NULL)
 * gets data.token; the plaintext secret goes to secret (NUL-terminated,
 * SG_ERR_BUFFER_TOO_SMALL if it does not fit) and is wiped from every scratch buffer. On
 * any failure secret is left all zero, even when the secret had arrived before it.
 * SG_ERR_INVALID_ARG for a request that breaks the API's rules, checked before any I/O: a name
 * of 1..120 characters, at least one scope (each a valid name, see sg_scopes.h),
 * expires_in_days 1..365 or expires_at, never both.
 */
SG_NODISCARD sg_status sg_api_token_create(sg_api *api, const sg_api_new_token *req,
                                           sg_api_item_fn on_token, void *ctx, char *secret,
                                           size_t secret_cap, sg_envelope *env);

/* POST /api/v2/tokens/{id}/rotate (tokens:write): the same outputs as create. */
SG_NODISCARD sg_status sg_api_token_rotate(sg_api *api, const char *id, sg_api_item_fn on_token,
                                           void *ctx, char *secret, size_t secret_cap,
                                           sg_envelope *env);

/* DELETE /api/v2/tokens/{id} (tokens:write); idempotent, so retried like a GET. */
SG_NODISCARD sg_status sg_api_token_revoke(sg_api *api, const char *id, sg_api_item_fn on_token,
                                           void *ctx, sg_envelope *env);

/* GET /api/v2/chatbots/{id} (chatbots:read): data.chatbot to on_chatbot. */
SG_NODISCARD sg_status sg_api_chatbot_get(sg_api *api, const char *id, sg_api_item_fn on_chatbot,
                                          void *ctx, sg_envelope *env);

#ifdef __cplusplus
}
#endif

#endif /* SG_API_H */
