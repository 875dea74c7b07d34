/*
 * sitegpt-c: the API request engine: one request across its attempts, retries and
 * redirects. The routes that use it (typed calls, raw requests) are in sg_api_routes.c.
 */
#include <sitegpt/sg_api.h>
#include <sitegpt/sg_scopes.h>
#include <sitegpt/sg_url.h>
#include "internal/sg__api_engine.h"
#include "internal/sg__retry.h"

#include <string.h>

#define HDR_VALUE_MAX 40u /* Retry-After and Date values kept from a response */

/* The work buffer's areas hold what sg_api.h says they hold even at the minimum size. */
_Static_assert(SG_API_WORK_MIN / 8u - 8u >= SG_API_CURSOR_MAX, "cursor fits the body area");
_Static_assert(SG_API_WORK_MIN / 16u - 8u >= 2u * HDR_VALUE_MAX, "headers fit the details area");
_Static_assert(SG_API_WORK_MIN / 8u - 8u >= SG_ENVELOPE_MESSAGE_MAX,
               "the envelope's strings fit the string area (it never needs its own)");

enum action { ACT_PENDING = 0, ACT_FINAL, ACT_RETRY, ACT_REDIRECT, ACT_TOO_MANY };

/* One attempt: what its headers said, and whether its body is the caller's. */
typedef struct attempt {
    sg_api *api;
    sg__api_call *c;
    int status;
    uint8_t action;
    bool delivered;
    bool env_failed;
    bool locations; /* a redirect (3xx) with a Location header */
#if SG_API_REDIRECTS
    sg_status location_st;
    sg_http_origin location;
    const char *redirect_method; /* the method and body a followed redirect goes on with */
    bool redirect_keeps_body;
#endif
    uint32_t wait_ms;
    size_t kept; /* bytes of headers kept in the element area */
    /* the lengths of Retry-After and Date, in that order; SIZE_MAX: absent or unusable */
    size_t value_len[2];
} attempt;

/*
 * Retry-After and Date are kept in the details area of the work buffer, HDR_VALUE_MAX bytes
 * each in the order of value_len: it is free until the attempt is known to be final
 * (decide_action() reads them before the envelope starts).
 */
static const char *const k_kept_values[2] = {"retry-after", "date"};

/* ------------------------------------------------------------------ setup --- */

static size_t align_up(size_t v, size_t a)
{
    return (v + a - 1u) / a * a;
}

sg_status sg_api_init(sg_api *api, const sg_api_config *cfg)
{
    if (api == NULL || cfg == NULL || cfg->http == NULL || cfg->origin.host == NULL ||
        cfg->origin.port == 0 || cfg->work == NULL || cfg->work_size < SG_API_WORK_MIN) {
        return SG_ERR_INVALID_ARG;
    }
    const char *bp = cfg->base_path ? cfg->base_path : "";
    size_t blen = strlen(bp);
    if (blen >= SG_API_TARGET_MAX / 2u || (blen > 0 && (bp[0] != '/' || bp[blen - 1] == '/')) ||
        strlen(cfg->origin.host) >= SG_HOST_MAX) {
        return SG_ERR_INVALID_ARG;
    }
    memset(api, 0, sizeof(*api));
    api->cfg = *cfg;
    api->cfg.base_path = bp;

    /* Carve the work buffer: JSON tokens first (they need alignment), then text areas. */
    uintptr_t start = (uintptr_t)cfg->work;
    size_t skip = align_up((size_t)start, _Alignof(sg_json_tok)) - (size_t)start;
    size_t w = cfg->work_size - skip;
    char *p = (char *)cfg->work + skip;
    size_t tok_bytes = w / 4u;
    api->_private.tokens = (sg_json_tok *)(void *)p;
    api->_private.max_tokens = tok_bytes / sizeof(sg_json_tok);
    p += tok_bytes;
    api->_private.str_buf = p;
    api->_private.str_cap = w / 8u;
    p += api->_private.str_cap;
    api->_private.body_buf = p;
    api->_private.body_cap = w / 8u;
    p += api->_private.body_cap;
    api->_private.details_buf = p;
    api->_private.details_cap = w / 16u;
    p += api->_private.details_cap;
    api->_private.elem_buf = p;
    api->_private.elem_cap =
        w - tok_bytes - api->_private.str_cap - api->_private.body_cap - api->_private.details_cap;
    return SG_OK;
}

sg_status sg_api_set_raw_sink(sg_api *api, sg_api_body_fn fn, void *ctx)
{
    if (api == NULL) {
        return SG_ERR_INVALID_ARG;
    }
    api->raw_fn = fn;
    api->raw_ctx = ctx;
    return SG_OK;
}

sg_status sg_api_set_header_sink(sg_api *api, sg_api_header_fn fn, void *ctx)
{
    if (api == NULL) {
        return SG_ERR_INVALID_ARG;
    }
    api->header_fn = fn;
    api->header_ctx = ctx;
    return SG_OK;
}

sg_status sg_api_set_request_headers(sg_api *api, const sg_http_header *headers, size_t count)
{
    if (api == NULL || (headers == NULL && count > 0)) {
        return SG_ERR_INVALID_ARG;
    }
#if !SG_HTTP_EXTRA_HEADERS
    if (count > 0) { /* said now, not by every later request */
        return SG_ERR_UNSUPPORTED;
    }
#endif
    api->headers = headers;
    api->header_count = count;
    return SG_OK;
}

/* ------------------------------------------------------------------ the engine --- */

static sg_status on_status(void *ctx, int status)
{
    attempt *a = ctx;
    a->status = status;
    return SG_OK;
}

static bool usable(size_t len)
{
    return len < HDR_VALUE_MAX;
}

/* The kept value i (see value_len), empty when absent or unusable. */
static sg_slice kept_value(const attempt *a, size_t i)
{
    sg_slice v = {a->api->_private.details_buf + i * HDR_VALUE_MAX,
                  usable(a->value_len[i]) ? a->value_len[i] : 0};
    return v;
}

/* Kept as "name\0value\0" pairs until the attempt is known to be final. */
static void keep_header(attempt *a, sg_slice name, sg_slice value)
{
    sg_api *api = a->api;
    size_t need = name.len + value.len + 2u;
    if (need > api->_private.elem_cap - a->kept) {
        return;
    }
    char *p = api->_private.elem_buf + a->kept;
    memcpy(p, name.ptr, name.len);
    p[name.len] = '\0';
    memcpy(p + name.len + 1, value.ptr, value.len);
    p[name.len + 1 + value.len] = '\0';
    a->kept += need;
}

static sg_status replay_headers(const attempt *a)
{
    const sg_api *api = a->api;
    for (size_t off = 0; off < a->kept;) {
        sg_slice name = {api->_private.elem_buf + off, strlen(api->_private.elem_buf + off)};
        sg_slice value = {name.ptr + name.len + 1, strlen(name.ptr + name.len + 1)};
        sg_status st = api->header_fn(api->header_ctx, a->status, name, value);
        if (st != SG_OK) {
            return st;
        }
        off += name.len + value.len + 2u;
    }
    return SG_OK;
}

static sg_status on_header(void *ctx, sg_slice name, sg_slice value)
{
    attempt *a = ctx;
    if (a->c->keep_headers) {
        keep_header(a, name, value);
    }
    for (size_t i = 0; i < 2u; i++) {
        if (sg_slice_eq_nocase(name, k_kept_values[i])) {
            size_t *len = &a->value_len[i];
            if (*len != SIZE_MAX || value.len >= HDR_VALUE_MAX) {
                *len = SIZE_MAX - 1u; /* repeated or oversized: unusable */
            } else {
                memcpy(a->api->_private.details_buf + i * HDR_VALUE_MAX, value.ptr, value.len);
                *len = value.len;
            }
            return SG_OK;
        }
    }
    if (sg_slice_eq_nocase(name, "location") && sg_redirect_is(a->status)) {
#if SG_API_REDIRECTS
        /* Resolved now: the value lives only during this call. */
        a->location_st =
            a->locations
                ? SG_ERR_URL
                : sg_url_resolve_location(&a->c->origin, value, a->api->_private.location.host,
                                          sizeof(a->api->_private.location.host),
                                          a->api->_private.location.target,
                                          sizeof(a->api->_private.location.target), &a->location);
        if (a->location_st == SG_ERR_INSECURE_URL && a->c->origin.tls) {
            a->location_st = SG_ERR_HTTP_REDIRECT_DOWNGRADE; /* an explicit http:// from https */
        }
#endif
        a->locations = true;
    }
    return SG_OK;
}

static uint64_t clock_ms(const sg_api *api)
{
    const sg_platform *pf = api->cfg.platform;
    return pf != NULL && pf->now_ms != NULL ? pf->now_ms(pf->ctx) : 0;
}

/* A wait is made only when the platform can sleep and the request's deadline outlasts it. */
static bool can_wait(const sg_api *api, const sg__api_call *c, uint32_t ms)
{
    if (c->deadline_ms != 0 && clock_ms(api) + ms >= c->deadline_ms) {
        return false;
    }
    return ms == 0 || (api->cfg.platform != NULL && api->cfg.platform->sleep_ms != NULL);
}

static sg_status start_final(attempt *a)
{
    a->action = ACT_FINAL;
    sg_status st = a->c->keep_headers ? replay_headers(a) : SG_OK;
    sg_envelope *env = a->c->env;
    if (env == NULL || st != SG_OK) {
        return st;
    }
    /* The work buffer's string area serves the envelope too: it needs none of its own. */
    const sg_api *api = a->api;
    sg_json_config *cfg = &a->c->json;
    cfg->str_buf = api->_private.str_buf;
    cfg->str_cap = api->_private.str_cap;
    cfg->elem_buf = api->_private.elem_buf;
    cfg->elem_cap = api->_private.elem_cap;
    cfg->tokens = api->_private.tokens;
    cfg->max_tokens = api->_private.max_tokens;
    st = sg_envelope_init(env, cfg, api->_private.details_buf, api->_private.details_cap);
    if (st == SG_OK) {
        st = sg_envelope_set_http_status(env, a->status);
    }
    return st;
}

/*
 * Whether this outcome (a transport failure st, or else the status a->status) is tried
 * again: the policy, the request's deadline and the platform's sleep must all allow it.
 * after_ms: the server's Retry-After, -1 for none. The wait goes to a->wait_ms.
 */
static bool retry_allowed(attempt *a, sg_status st, int64_t after_ms)
{
    sg_api *api = a->api;
    sg__api_call *c = a->c;
    sg_retry_reason reason = SG_RETRY_NONE;
    bool retry = false;
    return sg_retry_classify(c->idempotent, st, a->status, &reason) == SG_OK &&
           sg_retry_next(&api->cfg.retry, &c->retry, api->cfg.platform, reason, after_ms, &retry,
                         &a->wait_ms) == SG_OK &&
           retry && can_wait(api, c, a->wait_ms);
}

/* Decided from the status line and headers, before any body byte is handed on. */
static sg_status decide_action(attempt *a)
{
    bool redirect = a->locations; /* only a redirect's Location is counted */
#if SG_API_REDIRECTS
    sg__api_call *c = a->c;
    if (redirect && (a->location_st == SG_ERR_INSECURE_URL ||
                     a->location_st == SG_ERR_HTTP_REDIRECT_DOWNGRADE)) {
        return a->location_st; /* never followed, and never taken for the final answer */
    }
    if (redirect && a->location_st == SG_OK) {
        sg_status rst =
            sg_redirect_method(a->status, c->method, &a->redirect_method, &a->redirect_keeps_body);
        if (rst == SG_OK) {
            rst = sg_redirect_check(&c->origin, &a->location, a->redirect_method);
        }
        if (rst != SG_OK) {
            return rst;
        }
        a->action = c->redirects >= SG_REDIRECT_MAX ? ACT_TOO_MANY : ACT_REDIRECT;
        return SG_OK;
    }
#else
    if (redirect) {
        return SG_ERR_UNSUPPORTED; /* built without redirects: never followed, never the answer */
    }
#endif
    int64_t after = -1;
    uint32_t ms = 0;
    if (usable(a->value_len[0]) &&
        sg_retry_after_ms(kept_value(a, 0), kept_value(a, 1), &ms) == SG_OK) {
        after = ms;
    }
    if (retry_allowed(a, SG_OK, after)) {
        a->action = ACT_RETRY;
        return SG_OK;
    }
    return start_final(a);
}

static sg_status on_body(void *ctx, const uint8_t *data, size_t len)
{
    attempt *a = ctx;
    sg_status st;
    if (a->action == ACT_PENDING && (st = decide_action(a)) != SG_OK) {
        return st;
    }
    if (a->action != ACT_FINAL) {
        return SG_OK; /* a retried or redirected attempt's body is nobody's */
    }
    a->delivered = true;
    sg_api *api = a->api;
    if (api->raw_fn != NULL && (st = api->raw_fn(api->raw_ctx, data, len)) != SG_OK) {
        return st;
    }
    if (a->c->on_body != NULL && (st = a->c->on_body(a->c->body_ctx, data, len)) != SG_OK) {
        return st;
    }
    if (a->c->env != NULL && !a->env_failed) {
        st = sg_envelope_feed(a->c->env, data, len);
        if (st != SG_OK && a->c->strict_env) {
            return st;
        }
        a->env_failed = st != SG_OK;
    }
    return SG_OK;
}

#if SG_API_REDIRECTS
/* Follow a redirect: new origin and target, method and body per RFC 9110 15.4 (worked out,
   and checked, by decide_action()). */
static void follow_redirect(sg_api *api, sg__api_call *c, const attempt *a)
{
    const char *method = a->redirect_method;
    c->method = method;
    if (!a->redirect_keeps_body) {
        c->body = NULL;
        c->body_len = 0;
    }
    c->idempotent = c->idempotent || sg__method_is_safe(method);
    api->_private.at = api->_private.location;
    c->origin = a->location;
    c->origin.host = api->_private.at.host;
    c->redirects++;
    c->retry.attempts = 0; /* a new resource: its own attempts, the same total wait */
}
#endif

/*
 * One exchange, given only the time the request has left: the HTTP client's own
 * whole-exchange limit is lowered for it and put back after.
 */
static sg_status exchange_within_deadline(sg_api *api, sg__api_call *c, const sg_http_request *req,
                                          const sg_http_sink *sink, int *status)
{
    sg_http_client *http = api->cfg.http;
    uint32_t saved = http->cfg.request_timeout_ms;
    if (c->deadline_ms != 0) {
        uint64_t now = clock_ms(api);
        if (now >= c->deadline_ms) {
            return SG_ERR_TIMEOUT;
        }
        uint64_t left = c->deadline_ms - now;
        if (saved == 0 || left < saved) {
            http->cfg.request_timeout_ms = (uint32_t)left;
        }
    }
    sg_status st = sg_http_exchange(http, &c->origin, req, sink, status);
    http->cfg.request_timeout_ms = saved;
    return st;
}

/*
 * The attempt loop. One request goes through these states until it ends:
 *
 *   attempt   send the request to c->origin (token and extra headers only to the
 *             configured origin) and read the response through on_status, on_header
 *             and on_body;
 *   decide    decide_action(), from the status line and headers before any body byte:
 *             final, retry, redirect or too many (a body-less response at its end);
 *   final     the body goes to the caller (raw sink, or subscriptions and envelope);
 *             the request ends with SG_OK and c->http_status;
 *   retry     a transport failure or a retryable status (429, or 5xx when idempotent)
 *             while the policy and the deadline allow it: wait the backoff or the
 *             Retry-After, then attempt again;
 *   redirect  follow_redirect() to the Location (method and body per RFC 9110 15.4),
 *             then attempt again;
 *   too many  more redirects than the limit: SG_ERR_HTTP_TOO_MANY_REDIRECTS.
 *
 * Once part of a body has reached the caller, nothing is retried.
 */
sg_status sg__api_request_with_retries(sg_api *api, sg__api_call *c)
{
    api->_private.last_attempts = 0;
    api->_private.last_redirects = 0;
    c->origin = api->cfg.origin;
    const sg_platform *pf = api->cfg.platform;
    if (api->cfg.timeout_ms > 0 && pf != NULL && pf->now_ms != NULL) {
        c->deadline_ms = pf->now_ms(pf->ctx) + api->cfg.timeout_ms;
    }
    for (;;) {
        attempt a;
        memset(&a, 0, sizeof(a));
        a.api = api;
        a.c = c;
        a.value_len[0] = SIZE_MAX;
        a.value_len[1] = SIZE_MAX;
        if (c->retry.attempts < UINT8_MAX) {
            c->retry.attempts++;
        }
        api->_private.last_attempts++;
        sg_http_request req = {
            .method = c->method,
            .target = api->_private.at.target,
            .content_type =
                c->body_len > 0 || strcmp(c->method, "POST") == 0 ? "application/json" : NULL,
            .body = c->body,
            .body_len = c->body_len,
        };
        if (sg_url_same_origin(&api->cfg.origin, &c->origin)) {
            req.bearer_token = api->cfg.token;
            req.headers = api->headers;
            req.header_count = api->header_count;
        }
        sg_http_sink sink = {
            .ctx = &a,
            .on_status = on_status,
            .on_header = on_header,
            .on_body = on_body,
        };
        int status = 0;
        sg_status st = exchange_within_deadline(api, c, &req, &sink, &status);
        if (st == SG_OK && a.action == ACT_PENDING) {
            st = decide_action(&a); /* no body at all */
        }
        if (st != SG_OK) {
            if (a.delivered) {
                return st; /* the caller already has part of this body */
            }
            if (a.action < ACT_RETRY) { /* not already retried or redirected */
                if (!retry_allowed(&a, st, -1)) {
                    return st;
                }
                a.action = ACT_RETRY;
            }
        } else if (a.action == ACT_FINAL) {
            if (c->env != NULL && !a.env_failed) {
                sg_status fst = sg_envelope_finish(c->env);
                if (fst != SG_OK && c->strict_env) {
                    return fst;
                }
            }
            c->http_status = a.status;
            return SG_OK;
        }
        switch (a.action) {
#if SG_API_REDIRECTS
        case ACT_TOO_MANY:
            return SG_ERR_HTTP_TOO_MANY_REDIRECTS;
        case ACT_REDIRECT:
            follow_redirect(api, c, &a);
            api->_private.last_redirects++;
            break;
#endif
        default:                 /* ACT_RETRY */
            if (a.wait_ms > 0) { /* can_wait() saw the platform's sleep */
                pf->sleep_ms(pf->ctx, a.wait_ms);
            }
            break;
        }
    }
}
