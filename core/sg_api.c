/* sitegpt-c: API v2 calls: one request engine (redirects, retries) and the typed calls. */
#include <sitegpt/sg_api.h>
#include <sitegpt/sg_scopes.h>
#include <sitegpt/sg_url.h>

#include <string.h>

#define HDR_VALUE_MAX 40u   /* Retry-After and Date values kept from a response */

/* The work buffer's areas hold what sg_api.h says they hold even at the minimum size. */
_Static_assert(SG_API_WORK_MIN / 8u - 8u >= SG_API_CURSOR_MAX, "cursor fits the body area");
_Static_assert(SG_API_WORK_MIN / 16u - 8u >= 2u * HDR_VALUE_MAX, "headers fit the details area");
_Static_assert(SG_API_WORK_MIN / 8u - 8u >= SG_ENVELOPE_MESSAGE_MAX,
               "the envelope's strings fit the string area (it never needs its own)");

enum action { ACT_PENDING = 0, ACT_FINAL, ACT_RETRY, ACT_REDIRECT, ACT_TOO_MANY };

/* One request, across its attempts and redirects. */
typedef struct call {
    const char *method;
    bool idempotent;
    bool strict_env;             /* typed call: envelope and callback errors abort */
    bool keep_headers;           /* replay the final headers to api->header_fn */
    const uint8_t *body;
    size_t body_len;
    const sg_json_sub *subs;     /* the caller's data subscriptions (typed calls) */
    size_t sub_count;
    sg_json_value_fn on_value;
    void *value_ctx;
    sg_api_body_fn on_body;
    void *body_ctx;
    sg_envelope *env;
    sg_http_origin origin;       /* where the next attempt goes */
    uint64_t deadline_ms;        /* the whole request's end (platform clock); 0: none */
    sg_retry_state retry;
    uint32_t redirects;
    int http_status;
} call;

/* One attempt: what its headers said, and whether its body is the caller's. */
typedef struct attempt {
    sg_api *api;
    call *c;
    int status;
    uint8_t action;
    bool delivered;
    bool env_failed;
    bool locations;              /* a Location header was seen */
    sg_status location_st;
    sg_http_origin location;
    uint32_t wait_ms;
    size_t kept;                 /* bytes of headers kept in the element area */
    size_t retry_after_len, date_len; /* SIZE_MAX: absent or unusable */
} attempt;

/*
 * Retry-After and Date are kept in the details area of the work buffer: it is free until
 * the attempt is known to be final (decide() reads them before the envelope starts).
 */
static char *retry_after_buf(const attempt *a) { return a->api->details_buf; }
static char *date_buf(const attempt *a) { return a->api->details_buf + HDR_VALUE_MAX; }

/* ------------------------------------------------------------------ setup --- */

static size_t align_up(size_t v, size_t a) { return (v + a - 1u) / a * a; }

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
    api->tokens = (sg_json_tok *)(void *)p;
    api->max_tokens = tok_bytes / sizeof(sg_json_tok);
    p += tok_bytes;
    api->str_buf = p;
    api->str_cap = w / 8u;
    p += api->str_cap;
    api->body_buf = p;
    api->body_cap = w / 8u;
    p += api->body_cap;
    api->details_buf = p;
    api->details_cap = w / 16u;
    p += api->details_cap;
    api->elem_buf = p;
    api->elem_cap = w - tok_bytes - api->str_cap - api->body_cap - api->details_cap;
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
    api->headers = headers;
    api->header_count = count;
    return SG_OK;
}

/* ------------------------------------------------------------------ targets --- */

typedef struct text {
    char *buf;
    size_t cap;
    size_t len;
} text;

static sg_status text_put(text *t, const char *s, size_t n)
{
    if (n >= t->cap - t->len) {
        return SG_ERR_BUFFER_TOO_SMALL;
    }
    memcpy(t->buf + t->len, s, n);
    t->len += n;
    t->buf[t->len] = '\0';
    return SG_OK;
}

static sg_status text_cstr(text *t, const char *s) { return text_put(t, s, strlen(s)); }

/* api->target = base path + route, then "/" + id (one path segment) + suffix when id is set. */
static sg_status set_target(sg_api *api, const char *route, const char *id, const char *suffix)
{
    text t = {api->target, sizeof(api->target), 0};
    sg_status st = text_cstr(&t, api->cfg.base_path);
    if (st == SG_OK) {
        st = text_cstr(&t, route);
    }
    if (st == SG_OK && id != NULL) {
        st = text_cstr(&t, "/");
        size_t n = 0;
        if (st == SG_OK) {
            st = sg_url_path_segment(id, t.buf + t.len, t.cap - t.len, &n);
            t.len += n;
        }
        if (st == SG_OK) {
            st = text_cstr(&t, suffix);
        }
    }
    return st;
}

/* api->target = base path + route, with a query builder on the route part. */
static sg_status target_query(sg_api *api, const char *route, sg_form *f)
{
    size_t blen = strlen(api->cfg.base_path);
    memcpy(api->target, api->cfg.base_path, blen);
    return sg_query_init(f, api->target + blen, sizeof(api->target) - blen, route);
}

/* ------------------------------------------------------------------ the engine --- */

static sg_status on_status(void *ctx, int status)
{
    attempt *a = ctx;
    a->status = status;
    return SG_OK;
}

static void keep_value(char *dst, size_t *dst_len, sg_slice v)
{
    if (*dst_len != SIZE_MAX || v.len >= HDR_VALUE_MAX) {
        *dst_len = SIZE_MAX - 1u; /* repeated or oversized: unusable */
        return;
    }
    memcpy(dst, v.ptr, v.len);
    *dst_len = v.len;
}

static bool usable(size_t len) { return len < HDR_VALUE_MAX; }

/* Kept as "name\0value\0" pairs until the attempt is known to be final. */
static void keep_header(attempt *a, sg_slice name, sg_slice value)
{
    sg_api *api = a->api;
    size_t need = name.len + value.len + 2u;
    if (need > api->elem_cap - a->kept) {
        return;
    }
    char *p = api->elem_buf + a->kept;
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
        sg_slice name = {api->elem_buf + off, strlen(api->elem_buf + off)};
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
    if (sg_slice_eq_nocase(name, "retry-after")) {
        keep_value(retry_after_buf(a), &a->retry_after_len, value);
    } else if (sg_slice_eq_nocase(name, "date")) {
        keep_value(date_buf(a), &a->date_len, value);
    } else if (sg_slice_eq_nocase(name, "location") &&
               sg_redirect_is(a->status)) {
        /* Resolved now: the value lives only during this call. */
        a->location_st = a->locations ? SG_ERR_URL
                                      : sg_url_resolve_location(
                                            &a->c->origin, value, a->api->loc_host,
                                            sizeof(a->api->loc_host), a->api->loc_target,
                                            sizeof(a->api->loc_target), &a->location);
        if (a->location_st == SG_ERR_INSECURE_URL && a->c->origin.tls) {
            a->location_st = SG_ERR_HTTP_REDIRECT_DOWNGRADE; /* an explicit http:// from https */
        }
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
static bool can_wait(const sg_api *api, const call *c, uint32_t ms)
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
    const call *c = a->c;
    sg_json_config cfg = {
        .subs = c->subs, .sub_count = c->sub_count, .on_value = c->on_value,
        .ctx = c->value_ctx, .str_buf = api->str_buf, .str_cap = api->str_cap,
        .elem_buf = api->elem_buf, .elem_cap = api->elem_cap, .tokens = api->tokens,
        .max_tokens = api->max_tokens,
    };
    st = sg_envelope_init(env, &cfg, api->details_buf, api->details_cap);
    if (st == SG_OK) {
        st = sg_envelope_set_http_status(env, a->status);
    }
    return st;
}

/* Decided from the status line and headers, before any body byte is handed on. */
static sg_status decide(attempt *a)
{
    sg_api *api = a->api;
    call *c = a->c;
    bool redirect = sg_redirect_is(a->status);
    if (redirect && a->locations &&
        (a->location_st == SG_ERR_INSECURE_URL ||
         a->location_st == SG_ERR_HTTP_REDIRECT_DOWNGRADE)) {
        return a->location_st; /* never followed, and never taken for the final answer */
    }
    if (redirect && a->locations && a->location_st == SG_OK) {
        const char *method = c->method;
        bool keep_body = true;
        sg_status rst = sg_redirect_method(a->status, c->method, &method, &keep_body);
        if (rst == SG_OK) {
            rst = sg_redirect_check(&c->origin, &a->location, method);
        }
        if (rst != SG_OK) {
            return rst;
        }
        a->action = c->redirects >= SG_REDIRECT_MAX ? ACT_TOO_MANY : ACT_REDIRECT;
        return SG_OK;
    }
    sg_retry_reason reason = SG_RETRY_NONE;
    sg_status st = sg_retry_classify(c->idempotent, SG_OK, a->status, &reason);
    if (st == SG_OK && reason != SG_RETRY_NONE) {
        int64_t after = -1;
        uint32_t ms = 0;
        sg_slice ra = {retry_after_buf(a), a->retry_after_len};
        sg_slice date = {date_buf(a), usable(a->date_len) ? a->date_len : 0};
        if (usable(a->retry_after_len) && sg_retry_after_ms(ra, date, &ms) == SG_OK) {
            after = ms;
        }
        bool retry = false;
        st = sg_retry_next(&api->cfg.retry, &c->retry, api->cfg.platform, reason, after, &retry,
                           &a->wait_ms);
        if (st == SG_OK && retry && can_wait(api, c, a->wait_ms)) {
            a->action = ACT_RETRY;
            return SG_OK;
        }
    }
    return st != SG_OK ? st : start_final(a);
}

static sg_status on_body(void *ctx, const uint8_t *data, size_t len)
{
    attempt *a = ctx;
    sg_status st;
    if (a->action == ACT_PENDING && (st = decide(a)) != SG_OK) {
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

/* Follow a redirect: new origin and target, method and body per RFC 9110 15.4. */
static sg_status follow(sg_api *api, call *c, const attempt *a)
{
    const char *method = c->method;
    bool keep_body = true;
    sg_status st = sg_redirect_method(a->status, c->method, &method, &keep_body);
    if (st != SG_OK) {
        return st;
    }
    c->method = method;
    if (!keep_body) {
        c->body = NULL;
        c->body_len = 0;
    }
    c->idempotent = c->idempotent || strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0;
    memcpy(api->host, api->loc_host, sizeof(api->host));
    memcpy(api->target, api->loc_target, sizeof(api->target));
    c->origin = a->location;
    c->origin.host = api->host;
    c->redirects++;
    c->retry.attempts = 0; /* a new resource: its own attempts, the same total wait */
    return SG_OK;
}

/*
 * One exchange, given only the time the request has left: the HTTP client's own
 * whole-exchange limit is lowered for it and put back after.
 */
static sg_status exchange(sg_api *api, call *c, const sg_http_request *req,
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

static sg_status run(sg_api *api, call *c)
{
    c->origin = api->cfg.origin;
    c->http_status = 0;
    const sg_platform *pf = api->cfg.platform;
    c->deadline_ms = 0;
    if (api->cfg.timeout_ms > 0 && pf != NULL && pf->now_ms != NULL) {
        c->deadline_ms = pf->now_ms(pf->ctx) + api->cfg.timeout_ms;
    }
    for (;;) {
        attempt a;
        memset(&a, 0, sizeof(a));
        a.api = api;
        a.c = c;
        a.retry_after_len = SIZE_MAX;
        a.date_len = SIZE_MAX;
        if (c->retry.attempts < UINT8_MAX) {
            c->retry.attempts++;
        }
        api->last_attempts++;
        bool same = sg_url_same_origin(&api->cfg.origin, &c->origin);
        sg_http_request req = {
            .method = c->method,
            .target = api->target,
            .bearer_token = same ? api->cfg.token : NULL,
            .content_type = c->body_len > 0 ? "application/json" : NULL,
            .body = c->body,
            .body_len = c->body_len,
            .headers = same ? api->headers : NULL,
            .header_count = same ? api->header_count : 0,
        };
        if (c->body_len == 0 && strcmp(c->method, "POST") == 0) {
            req.content_type = "application/json";
        }
        sg_http_sink sink = {
            .ctx = &a, .on_status = on_status, .on_header = on_header, .on_body = on_body,
        };
        int status = 0;
        sg_status st = exchange(api, c, &req, &sink, &status);
        if (st == SG_OK && a.action == ACT_PENDING) {
            st = decide(&a); /* no body at all */
        }
        if (st == SG_OK && a.action == ACT_FINAL && c->env != NULL && !a.env_failed) {
            sg_status fst = sg_envelope_finish(c->env);
            if (fst != SG_OK && c->strict_env) {
                return fst;
            }
        }
        if (st != SG_OK) {
            if (a.delivered) {
                return st; /* the caller already has part of this body */
            }
            if (a.action != ACT_RETRY && a.action != ACT_REDIRECT && a.action != ACT_TOO_MANY) {
                sg_retry_reason reason = SG_RETRY_NONE;
                bool retry = false;
                if (sg_retry_classify(c->idempotent, st, 0, &reason) != SG_OK ||
                    sg_retry_next(&api->cfg.retry, &c->retry, pf, reason, -1, &retry,
                                  &a.wait_ms) != SG_OK ||
                    !retry || !can_wait(api, c, a.wait_ms)) {
                    return st;
                }
                a.action = ACT_RETRY;
            }
        }
        switch (a.action) {
        case ACT_FINAL:
            c->http_status = a.status;
            return SG_OK;
        case ACT_TOO_MANY:
            return SG_ERR_HTTP_TOO_MANY_REDIRECTS;
        case ACT_REDIRECT:
            st = follow(api, c, &a);
            if (st != SG_OK) {
                return st;
            }
            api->last_redirects++;
            break;
        default: /* ACT_RETRY */
            if (a.wait_ms > 0 && pf != NULL && pf->sleep_ms != NULL) { /* can_wait said so */
                pf->sleep_ms(pf->ctx, a.wait_ms);
            }
            break;
        }
    }
}

static sg_status run_call(sg_api *api, call *c)
{
    api->last_attempts = 0;
    api->last_redirects = 0;
    return run(api, c);
}

/* Wipe every buffer a plaintext secret went through. */
static void wipe_secrets(sg_api *api)
{
    sg_wipe(api->str_buf, api->str_cap);
    sg_wipe(api->elem_buf, api->elem_cap);
    sg_wipe(api->cfg.http->buf, api->cfg.http->buf_size);
}

sg_status sg_api_request(sg_api *api, const char *method, const char *path_and_query,
                         const uint8_t *body, size_t body_len, sg_api_body_fn body_fn,
                         void *body_ctx, sg_envelope *env, int *http_status)
{
    if (http_status != NULL) {
        *http_status = 0;
    }
    if (api == NULL || method == NULL || path_and_query == NULL || path_and_query[0] != '/' ||
        http_status == NULL || (body == NULL && body_len > 0)) {
        return SG_ERR_INVALID_ARG;
    }
    sg_status st = set_target(api, path_and_query, NULL, NULL);
    if (st != SG_OK) {
        return st;
    }
    call c = {0};
    c.method = method;
    c.idempotent = strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0;
    c.body = body;
    c.body_len = body_len;
    c.on_body = body_fn;
    c.body_ctx = body_ctx;
    c.env = env;
    c.keep_headers = api->header_fn != NULL;
    st = run_call(api, &c);
    *http_status = c.http_status;
    return st;
}

/* A typed call: the data subscriptions, a strict envelope, then the API's verdict. */
static sg_status typed(sg_api *api, call *c, sg_envelope *env, const sg_json_sub *subs,
                       size_t n, sg_json_value_fn fn, void *ctx)
{
    c->env = env;
    c->subs = subs;
    c->sub_count = n;
    c->on_value = fn;
    c->value_ctx = ctx;
    c->strict_env = true;
    sg_status st = run_call(api, c);
    return st != SG_OK ? st : sg_envelope_status(env);
}

/* ------------------------------------------------------------------ me / account --- */

static const sg_json_sub me_subs[] = {
    {"data.user.id", SG_JSON_SUB_VALUE, true},
    {"data.user.email", SG_JSON_SUB_VALUE, true},
    {"data.user.name", SG_JSON_SUB_VALUE, true},
    {"data.auth.type", SG_JSON_SUB_VALUE, true},
    {"data.auth.scopes[]", SG_JSON_SUB_VALUE, true},
    {"data.auth.tokenId", SG_JSON_SUB_VALUE, true},
    {"data.auth.expiresAt", SG_JSON_SUB_VALUE, true},
    {"data.auth.chatbotIds", SG_JSON_SUB_VALUE, false},
    {"data.auth.chatbotIds[]", SG_JSON_SUB_VALUE, true},
};

static sg_status on_me_value(void *ctx, const sg_json_event *ev)
{
    sg_api_identity *me = ctx;
    if (ev->kind != SG_JSON_EV_VALUE) {
        return SG_ERR_JSON_TYPE;
    }
    if (ev->type == SG_JSON_NULL) {
        return SG_OK; /* e.g. a user without a name */
    }
    if (ev->sub == 7) {
        if (ev->type != SG_JSON_ARRAY) {
            return SG_ERR_JSON_TYPE;
        }
        me->chatbot_count = 0; /* stated: the items (none: every chatbot) follow */
        return SG_OK;
    }
    if (ev->type != SG_JSON_STRING && !(ev->sub == 0 && ev->type == SG_JSON_NUMBER)) {
        return SG_ERR_JSON_TYPE;
    }
    me->truncated = me->truncated || ev->truncated;
    switch (ev->sub) {
    case 0: me->truncated |= sg_slice_copy_cut(me->user_id, sizeof(me->user_id), ev->text); break;
    case 1: me->truncated |= sg_slice_copy_cut(me->email, sizeof(me->email), ev->text); break;
    case 2: me->truncated |= sg_slice_copy_cut(me->name, sizeof(me->name), ev->text); break;
    case 3:
        me->truncated |= sg_slice_copy_cut(me->auth_type, sizeof(me->auth_type), ev->text);
        break;
    case 5:
        me->truncated |= sg_slice_copy_cut(me->token_id, sizeof(me->token_id), ev->text);
        break;
    case 6:
        me->truncated |= sg_slice_copy_cut(me->expires_at, sizeof(me->expires_at), ev->text);
        break;
    case 8: {
        size_t used = strlen(me->chatbot_ids);
        me->chatbot_count = me->chatbot_count < 0 ? 1 : me->chatbot_count + 1;
        if (used + (used > 0) + ev->text.len >= sizeof(me->chatbot_ids)) {
            me->truncated = true; /* the count still says how many */
            break;
        }
        if (used > 0) {
            me->chatbot_ids[used++] = ' ';
        }
        memcpy(me->chatbot_ids + used, ev->text.ptr, ev->text.len);
        me->chatbot_ids[used + ev->text.len] = '\0';
        break;
    }
    default: {
        size_t index;
        if (sg_scope_index(ev->text.ptr, ev->text.len, &index) == SG_OK) {
            me->scope_bits |= (uint64_t)1 << index;
        }
        me->scope_count++;
        if (me->on_scope != NULL) {
            return me->on_scope(me->scope_ctx, ev->text.ptr, ev->text.len);
        }
        break;
    }
    }
    return SG_OK;
}

static sg_status identity(sg_api *api, const char *route, sg_api_identity *out,
                          sg_envelope *env)
{
    if (api == NULL || out == NULL || env == NULL) {
        return SG_ERR_INVALID_ARG;
    }
    sg_api_scope_fn fn = out->on_scope;
    void *fn_ctx = out->scope_ctx;
    memset(out, 0, sizeof(*out));
    out->on_scope = fn;
    out->scope_ctx = fn_ctx;
    out->chatbot_count = -1;
    sg_status st = set_target(api, route, NULL, NULL);
    if (st != SG_OK) {
        return st;
    }
    call c = {0};
    c.method = "GET";
    c.idempotent = true;
    return typed(api, &c, env, me_subs, sizeof(me_subs) / sizeof(me_subs[0]), on_me_value, out);
}

sg_status sg_api_me(sg_api *api, sg_api_identity *out, sg_envelope *env)
{
    return identity(api, "/api/v2/me", out, env);
}

sg_status sg_api_account(sg_api *api, sg_api_identity *out, sg_envelope *env)
{
    return identity(api, "/api/v2/account", out, env);
}

/* ------------------------------------------------------------------ lists --- */

/* Subscription order shared by both lists: items, then the pagination members. */
static sg_status on_list_value(void *ctx, const sg_json_event *ev)
{
    sg_api_list_out *out = ctx;
    sg_api_page *pg = &out->last;
    switch (ev->sub) {
    case 0:
        if (ev->kind != SG_JSON_EV_ELEMENT || ev->type != SG_JSON_OBJECT) {
            return SG_ERR_JSON_TYPE;
        }
        pg->items++;
        out->total_items++;
        return out->on_item != NULL ? out->on_item(out->ctx, ev->element) : SG_OK;
    case 1:
        if (ev->type != SG_JSON_BOOL) {
            return SG_ERR_JSON_TYPE;
        }
        pg->has_next_page = ev->boolean;
        return SG_OK;
    case 2:
        if (ev->type == SG_JSON_NULL) {
            pg->next_cursor[0] = '\0';
            return SG_OK;
        }
        if (ev->type != SG_JSON_STRING) {
            return SG_ERR_JSON_TYPE;
        }
        if (ev->text.len >= sizeof(pg->next_cursor)) {
            return SG_ERR_BUFFER_TOO_SMALL;
        }
        memcpy(pg->next_cursor, ev->text.ptr, ev->text.len);
        pg->next_cursor[ev->text.len] = '\0';
        return SG_OK;
    default:
        if (ev->type == SG_JSON_NULL) {
            return SG_OK;
        }
        uint64_t limit = 0; /* negative or fractional: not a page size */
        if (ev->type != SG_JSON_NUMBER || !sg_slice_to_u64(ev->text, 18, &limit)) {
            return SG_ERR_JSON_TYPE;
        }
        pg->limit = (int64_t)limit;
        return SG_OK;
    }
}

static sg_status list(sg_api *api, const char *route, const char *items_path,
                      const sg_api_list_params *params, sg_api_list_out *out, sg_envelope *env)
{
    if (api == NULL || params == NULL || out == NULL || env == NULL) {
        return SG_ERR_INVALID_ARG;
    }
    const sg_json_sub subs[] = {
        {items_path, SG_JSON_SUB_ELEMENT, false},
        {"data.pagination.hasNextPage", SG_JSON_SUB_VALUE, false},
        {"data.pagination.nextCursor", SG_JSON_SUB_VALUE, false},
        {"data.pagination.limit", SG_JSON_SUB_VALUE, false},
    };
    char *cursor = api->body_buf; /* a GET sends no body: the cursor waits there, off the stack */
    const char *first = params->cursor ? params->cursor : "";
    size_t first_len = strlen(first);
    if (first_len >= SG_API_CURSOR_MAX) {
        return SG_ERR_INVALID_ARG;
    }
    memcpy(cursor, first, first_len + 1);
    out->total_items = 0;
    for (uint32_t page = 1;; page++) {
        sg_form f;
        sg_status st = target_query(api, route, &f);
        if (st == SG_OK && params->limit > 0) {
            st = sg_form_add_u64(&f, "limit", params->limit);
        }
        if (st == SG_OK && cursor[0] != '\0') {
            st = sg_form_add(&f, "cursor", cursor);
        }
        if (st == SG_OK && params->include_revoked) {
            st = sg_form_add(&f, "includeRevoked", "true");
        }
        if (st != SG_OK) {
            return st;
        }
        memset(&out->last, 0, sizeof(out->last));
        out->last.limit = -1;
        out->last.page = page;
        call c = {0};
        c.method = "GET";
        c.idempotent = true;
        st = typed(api, &c, env, subs, 4, on_list_value, out);
        if (st == SG_OK && out->on_page != NULL) {
            st = out->on_page(out->ctx, &out->last);
        }
        if (st != SG_OK || !params->all_pages || !out->last.has_next_page) {
            return st;
        }
        /* a server repeating itself would keep us here forever */
        if (out->last.next_cursor[0] == '\0' || strcmp(out->last.next_cursor, cursor) == 0) {
            return SG_ERR_JSON_TYPE;
        }
        memcpy(cursor, out->last.next_cursor, SG_API_CURSOR_MAX);
    }
}

sg_status sg_api_tokens_list(sg_api *api, const sg_api_list_params *params,
                             sg_api_list_out *out, sg_envelope *env)
{
    return list(api, "/api/v2/tokens", "data.tokens[]", params, out, env);
}

sg_status sg_api_chatbots_list(sg_api *api, const sg_api_list_params *params,
                               sg_api_list_out *out, sg_envelope *env)
{
    if (params != NULL && params->include_revoked) {
        return SG_ERR_INVALID_ARG;
    }
    return list(api, "/api/v2/chatbots", "data.chatbots[]", params, out, env);
}

/* ------------------------------------------------------------------ single objects --- */

typedef struct object_ctx {
    const char *member;          /* "data.token", "data.chatbot" */
    bool object_required;
    sg_api_item_fn on_object;
    void *ctx;
    bool got_object;
    char *secret;                /* NULL: no secret expected */
    size_t secret_cap;
    bool got_secret;
    bool secret_too_long;
} object_ctx;

static sg_status on_object_value(void *ctx, const sg_json_event *ev)
{
    object_ctx *o = ctx;
    if (ev->sub == 0) {
        if (ev->kind != SG_JSON_EV_ELEMENT || ev->type != SG_JSON_OBJECT) {
            return SG_ERR_JSON_TYPE;
        }
        o->got_object = true;
        return o->on_object != NULL ? o->on_object(o->ctx, ev->element) : SG_OK;
    }
    if (ev->type != SG_JSON_STRING) {
        return SG_ERR_JSON_TYPE;
    }
    if (ev->text.len >= o->secret_cap) {
        o->secret_too_long = true; /* reported after the body: the token exists now */
        return SG_OK;
    }
    memcpy(o->secret, ev->text.ptr, ev->text.len);
    o->secret[ev->text.len] = '\0';
    o->got_secret = true;
    return SG_OK;
}

/*
 * One object at o->member, plus data.plaintextToken when o->secret is set, to api->target.
 * Only a POST (which may create something) is not idempotent: GET reads, and revoking twice
 * leaves the same state.
 */
static sg_status object_call(sg_api *api, const char *method, const uint8_t *body,
                             size_t body_len, object_ctx *o, sg_envelope *env)
{
    const sg_json_sub subs[] = {
        {o->member, SG_JSON_SUB_ELEMENT, false},
        {"data.plaintextToken", SG_JSON_SUB_VALUE, false},
    };
    call c = {0};
    c.method = method;
    c.idempotent = strcmp(method, "POST") != 0;
    c.body = body;
    c.body_len = body_len;
    sg_status st = typed(api, &c, env, subs, o->secret != NULL ? 2u : 1u, on_object_value, o);
    if (o->secret != NULL) {
        wipe_secrets(api);
    }
    if (st == SG_OK && o->secret_too_long) {
        st = SG_ERR_BUFFER_TOO_SMALL;
    } else if (st == SG_OK && ((o->object_required && !o->got_object) ||
                               (o->secret != NULL && !o->got_secret))) {
        st = SG_ERR_JSON_TYPE; /* 2xx, yet not what the contract promises */
    }
    if (st != SG_OK && o->secret != NULL) {
        /* the secret may have arrived before the failure (a body cut after it): an error
           leaves none in the caller's buffer (test_reset_faults found it there) */
        volatile char *p = (volatile char *)o->secret;
        for (size_t i = 0; i < o->secret_cap; i++) {
            p[i] = 0;
        }
    }
    return st;
}

/* route/{id}{suffix} without a body. */
static sg_status id_call(sg_api *api, const char *method, const char *route, const char *id,
                         const char *suffix, object_ctx *o, sg_envelope *env)
{
    if (id == NULL || id[0] == '\0') {
        return SG_ERR_INVALID_ARG;
    }
    sg_status st = set_target(api, route, id, suffix);
    return st != SG_OK ? st : object_call(api, method, NULL, 0, o, env);
}

/* Characters (code points) of a UTF-8 string. */
static size_t utf8_chars(const char *s)
{
    size_t n = 0;
    for (; *s; s++) {
        n += ((uint8_t)*s & 0xC0u) != 0x80u;
    }
    return n;
}

static sg_status check_new_token(const sg_api_new_token *req)
{
    size_t chars = req->name ? utf8_chars(req->name) : 0;
    if (chars < 1 || chars > SG_API_TOKEN_NAME_MAX || req->scope_count == 0 ||
        req->scopes == NULL || (req->chatbot_count > 0 && req->chatbot_ids == NULL) ||
        (req->expires_in_days != 0 && req->expires_at != NULL) ||
        req->expires_in_days > SG_API_EXPIRES_DAYS_MAX ||
        (req->expires_at != NULL && req->expires_at[0] == '\0')) {
        return SG_ERR_INVALID_ARG;
    }
    for (size_t i = 0; i < req->scope_count; i++) {
        if (!sg_scope_is_valid(req->scopes[i])) {
            return SG_ERR_INVALID_ARG;
        }
    }
    for (size_t i = 0; i < req->chatbot_count; i++) {
        if (req->chatbot_ids[i] == NULL || req->chatbot_ids[i][0] == '\0') {
            return SG_ERR_INVALID_ARG;
        }
    }
    return SG_OK;
}

static sg_status new_token_body(sg_api *api, const sg_api_new_token *req, size_t *len)
{
    sg_json_writer w;
    sg_status st = sg_json_writer_init(&w, api->body_buf, api->body_cap);
    if (st != SG_OK) {
        return st;
    }
    (void)sg_json_write_object_begin(&w);
    (void)sg_json_write_key(&w, "name");
    (void)sg_json_write_string(&w, req->name);
    (void)sg_json_write_key(&w, "scopes");
    (void)sg_json_write_array_begin(&w);
    for (size_t i = 0; i < req->scope_count; i++) {
        (void)sg_json_write_string(&w, req->scopes[i]);
    }
    (void)sg_json_write_array_end(&w);
    if (req->chatbot_count > 0) {
        (void)sg_json_write_key(&w, "chatbotIds");
        (void)sg_json_write_array_begin(&w);
        for (size_t i = 0; i < req->chatbot_count; i++) {
            (void)sg_json_write_string(&w, req->chatbot_ids[i]);
        }
        (void)sg_json_write_array_end(&w);
    }
    if (req->expires_in_days > 0) {
        (void)sg_json_write_key(&w, "expiresInDays");
        (void)sg_json_write_int64(&w, req->expires_in_days);
    }
    if (req->expires_at != NULL) {
        (void)sg_json_write_key(&w, "expiresAt");
        (void)sg_json_write_string(&w, req->expires_at);
    }
    (void)sg_json_write_object_end(&w);
    return sg_json_writer_finish(&w, len);
}

static bool secret_args_ok(const char *secret, size_t cap) { return secret != NULL && cap > 0; }

sg_status sg_api_token_create(sg_api *api, const sg_api_new_token *req, sg_api_item_fn on_token,
                              void *ctx, char *secret, size_t secret_cap, sg_envelope *env)
{
    if (api == NULL || req == NULL || env == NULL || !secret_args_ok(secret, secret_cap)) {
        return SG_ERR_INVALID_ARG;
    }
    secret[0] = '\0';
    sg_status st = check_new_token(req);
    size_t len = 0;
    if (st == SG_OK) {
        st = new_token_body(api, req, &len);
    }
    if (st == SG_OK) {
        st = set_target(api, "/api/v2/tokens", NULL, NULL);
    }
    if (st != SG_OK) {
        return st;
    }
    object_ctx o = {"data.token", false, on_token, ctx, false, secret, secret_cap, false, false};
    return object_call(api, "POST", (const uint8_t *)api->body_buf, len, &o, env);
}

sg_status sg_api_token_rotate(sg_api *api, const char *id, sg_api_item_fn on_token, void *ctx,
                              char *secret, size_t secret_cap, sg_envelope *env)
{
    if (api == NULL || env == NULL || !secret_args_ok(secret, secret_cap)) {
        return SG_ERR_INVALID_ARG;
    }
    secret[0] = '\0';
    object_ctx o = {"data.token", false, on_token, ctx, false, secret, secret_cap, false, false};
    return id_call(api, "POST", "/api/v2/tokens", id, "/rotate", &o, env);
}

sg_status sg_api_token_revoke(sg_api *api, const char *id, sg_api_item_fn on_token, void *ctx,
                              sg_envelope *env)
{
    if (api == NULL || env == NULL) {
        return SG_ERR_INVALID_ARG;
    }
    object_ctx o = {"data.token", false, on_token, ctx, false, NULL, 0, false, false};
    return id_call(api, "DELETE", "/api/v2/tokens", id, "", &o, env);
}

sg_status sg_api_chatbot_get(sg_api *api, const char *id, sg_api_item_fn on_chatbot, void *ctx,
                             sg_envelope *env)
{
    if (api == NULL || env == NULL) {
        return SG_ERR_INVALID_ARG;
    }
    object_ctx o = {"data.chatbot", true, on_chatbot, ctx, false, NULL, 0, false, false};
    return id_call(api, "GET", "/api/v2/chatbots", id, "", &o, env);
}
