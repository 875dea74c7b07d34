/*
 * sitegpt-c: the API v2 routes over the request engine (sg_api.c): request targets, the raw
 * request, and the typed calls, each a route and its subscriptions.
 */
#include <sitegpt/sg_api.h>
#include <sitegpt/sg_scopes.h>
#include <sitegpt/sg_url.h>
#include "internal/sg__api_engine.h"
#include "internal/sg__retry.h"

#include <stddef.h>
#include <string.h>

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

static sg_status text_cstr(text *t, const char *s)
{
    return text_put(t, s, strlen(s));
}

/* api->target = base path + route, then "/" + id (one path segment) + suffix when id is set. */
static sg_status set_target(sg_api *api, const char *route, const char *id, const char *suffix)
{
    text t = {api->_private.at.target, sizeof(api->_private.at.target), 0};
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

#if SG_JSON_ELEMENTS
/* api->target = base path + route, with a query builder on the route part. */
static sg_status target_query(sg_api *api, const char *route, sg_form *f)
{
    size_t blen = strlen(api->cfg.base_path);
    memcpy(api->_private.at.target, api->cfg.base_path, blen);
    return sg_query_init(f, api->_private.at.target + blen, sizeof(api->_private.at.target) - blen,
                         route);
}

/* Wipe every buffer a plaintext secret went through. */
static void wipe_secrets(sg_api *api)
{
    sg_wipe(api->_private.str_buf, api->_private.str_cap);
    sg_wipe(api->_private.elem_buf, api->_private.elem_cap);
    sg_wipe(api->cfg.http->buf, api->cfg.http->buf_size);
}
#endif

/* ------------------------------------------------------------------ raw requests --- */

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
    sg__api_call c = {0};
    c.method = method;
    c.idempotent = sg__method_is_safe(method);
    c.body = body;
    c.body_len = body_len;
    c.on_body = body_fn;
    c.body_ctx = body_ctx;
    c.env = env;
    c.keep_headers = api->header_fn != NULL;
    st = sg__api_request_with_retries(api, &c);
    *http_status = c.http_status;
    return st;
}

/* A typed call: the data subscriptions, a strict envelope, then the API's verdict. */
static sg_status typed_call(sg_api *api, sg__api_call *c, sg_envelope *env, const sg_json_sub *subs,
                            size_t n, sg_json_value_fn fn, void *ctx)
{
    c->env = env;
    c->json.subs = subs;
    c->json.sub_count = n;
    c->json.on_value = fn;
    c->json.ctx = ctx;
    c->strict_env = true;
    sg_status st = sg__api_request_with_retries(api, c);
    return st != SG_OK ? st : sg_envelope_status(env);
}

/* ------------------------------------------------------------------ me / account --- */

/* The string members first, in the order of me_strings below. */
static const sg_json_sub me_subs[] = {
    {"data.user.id", SG_JSON_SUB_VALUE, true},
    {"data.user.email", SG_JSON_SUB_VALUE, true},
    {"data.user.name", SG_JSON_SUB_VALUE, true},
    {"data.auth.type", SG_JSON_SUB_VALUE, true},
    {"data.auth.tokenId", SG_JSON_SUB_VALUE, true},
    {"data.auth.expiresAt", SG_JSON_SUB_VALUE, true},
    {"data.auth.scopes[]", SG_JSON_SUB_VALUE, true},
    {"data.auth.chatbotIds", SG_JSON_SUB_VALUE, false},
    {"data.auth.chatbotIds[]", SG_JSON_SUB_VALUE, true},
};
enum { ME_STRINGS = 6, ME_SCOPE = 6, ME_CHATBOTS, ME_CHATBOT };

#define ME_STRING(member)                                                         \
    {                                                                             \
        offsetof(sg_api_identity, member), sizeof(((sg_api_identity *)0)->member) \
    }
static const struct {
    uint16_t offset, size;
} me_strings[ME_STRINGS] = {ME_STRING(user_id),   ME_STRING(email),    ME_STRING(name),
                            ME_STRING(auth_type), ME_STRING(token_id), ME_STRING(expires_at)};
#undef ME_STRING
/* The table's 16-bit offsets and sizes hold whatever limits sg_options.h is given. */
_Static_assert(sizeof(sg_api_identity) <= UINT16_MAX, "sg_api_identity outgrows me_strings");

static sg_status on_me_value(void *ctx, const sg_json_event *ev)
{
    sg_api_identity *me = ctx;
    if (ev->kind != SG_JSON_EV_VALUE) { /* GCOVR_EXCL_BR_LINE: every me_subs entry is a VALUE */
        return SG_ERR_JSON_TYPE;        /* GCOVR_EXCL_LINE: see above */
    }
    if (ev->type == SG_JSON_NULL) {
        return SG_OK; /* e.g. a user without a name */
    }
    if (ev->sub == ME_CHATBOTS) {
        if (ev->type != SG_JSON_ARRAY) {
            return SG_ERR_JSON_TYPE;
        }
        me->chatbot_count = 0; /* stated: the items (none: every chatbot) follow */
        return SG_OK;
    }
    if (ev->type != SG_JSON_STRING && !(ev->sub == 0 && ev->type == SG_JSON_NUMBER)) {
        return SG_ERR_JSON_TYPE;
    }
    bool cut = ev->truncated;
    if (ev->sub < ME_STRINGS) {
        char *dst = (char *)me + me_strings[ev->sub].offset;
        cut |= sg_slice_copy_cut(dst, me_strings[ev->sub].size, ev->text);
    } else if (ev->sub == ME_CHATBOT) {
        size_t used = strlen(me->chatbot_ids);
        me->chatbot_count = me->chatbot_count < 0 ? 1 : me->chatbot_count + 1;
        if (used + (used > 0) + ev->text.len >= sizeof(me->chatbot_ids)) {
            cut = true; /* the count still says how many */
        } else {
            if (used > 0) {
                me->chatbot_ids[used++] = ' ';
            }
            memcpy(me->chatbot_ids + used, ev->text.ptr, ev->text.len);
            me->chatbot_ids[used + ev->text.len] = '\0';
        }
    } else { /* ME_SCOPE */
        size_t index;
        if (sg_scope_index(ev->text.ptr, ev->text.len, &index) == SG_OK) {
            me->scope_bits |= (uint64_t)1 << index;
        }
        me->scope_count++;
    }
    me->truncated |= cut;
    if (ev->sub == ME_SCOPE && me->on_scope != NULL) {
        return me->on_scope(me->scope_ctx, ev->text.ptr, ev->text.len);
    }
    return SG_OK;
}

static sg_status identity(sg_api *api, const char *route, sg_api_identity *out, sg_envelope *env)
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
    if (st != SG_OK) { /* GCOVR_EXCL_BR_LINE: base path (< half the target) + a short route */
        return st;     /* GCOVR_EXCL_LINE: see above */
    }
    sg__api_call c = {0};
    c.method = "GET";
    c.idempotent = true;
    return typed_call(api, &c, env, me_subs, sizeof(me_subs) / sizeof(me_subs[0]), on_me_value,
                      out);
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

/*
 * Lists and single objects read their items as ELEMENT subscriptions, which a reader built
 * with SG_JSON_ELEMENTS 0 refuses. Such a build answers those calls SG_ERR_UNSUPPORTED after
 * checking their arguments and before sending anything: a token created whose secret could
 * not be read back would be worse than none.
 */
#if SG_JSON_ELEMENTS

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

#endif

static sg_status list(sg_api *api, const char *route, const char *items_path,
                      const sg_api_list_params *params, sg_api_list_out *out, sg_envelope *env)
{
    if (api == NULL || params == NULL || out == NULL || env == NULL) {
        return SG_ERR_INVALID_ARG;
    }
#if !SG_JSON_ELEMENTS
    (void)route;
    (void)items_path;
    return SG_ERR_UNSUPPORTED;
#else
    const sg_json_sub subs[] = {
        {items_path, SG_JSON_SUB_ELEMENT, false},
        {"data.pagination.hasNextPage", SG_JSON_SUB_VALUE, false},
        {"data.pagination.nextCursor", SG_JSON_SUB_VALUE, false},
        {"data.pagination.limit", SG_JSON_SUB_VALUE, false},
    };
    char *cursor =
        api->_private.body_buf; /* a GET sends no body: the cursor waits there, off the stack */
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
        sg__api_call c = {0};
        c.method = "GET";
        c.idempotent = true;
        st = typed_call(api, &c, env, subs, 4, on_list_value, out);
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
#endif
}

sg_status sg_api_tokens_list(sg_api *api, const sg_api_list_params *params, sg_api_list_out *out,
                             sg_envelope *env)
{
    return list(api, "/api/v2/tokens", "data.tokens[]", params, out, env);
}

sg_status sg_api_chatbots_list(sg_api *api, const sg_api_list_params *params, sg_api_list_out *out,
                               sg_envelope *env)
{
    if (params != NULL && params->include_revoked) {
        return SG_ERR_INVALID_ARG;
    }
    return list(api, "/api/v2/chatbots", "data.chatbots[]", params, out, env);
}

/* ------------------------------------------------------------------ single objects --- */

#if SG_JSON_ELEMENTS

typedef struct object_ctx {
    const char *member; /* "data.token", "data.chatbot" */
    bool object_required;
    sg_api_item_fn on_object;
    void *ctx;
    bool got_object;
    char *secret; /* NULL: no secret expected */
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
static sg_status object_call(sg_api *api, const char *method, const uint8_t *body, size_t body_len,
                             object_ctx *o, sg_envelope *env)
{
    const sg_json_sub subs[] = {
        {o->member, SG_JSON_SUB_ELEMENT, false},
        {"data.plaintextToken", SG_JSON_SUB_VALUE, false},
    };
    sg__api_call c = {0};
    c.method = method;
    c.idempotent = strcmp(method, "POST") != 0;
    c.body = body;
    c.body_len = body_len;
    sg_status st = typed_call(api, &c, env, subs, o->secret != NULL ? 2u : 1u, on_object_value, o);
    if (o->secret != NULL) {
        wipe_secrets(api);
    }
    if (st == SG_OK && o->secret_too_long) {
        st = SG_ERR_BUFFER_TOO_SMALL;
    } else if (st == SG_OK &&
               ((o->object_required && !o->got_object) || (o->secret != NULL && !o->got_secret))) {
        st = SG_ERR_JSON_TYPE; /* 2xx, yet not what the contract promises */
    }
    if (st != SG_OK && o->secret != NULL) {
        /* the secret may have arrived before the failure (a body cut after it): an error
           leaves none in the caller's buffer (test_reset_faults found it there) */
        sg_wipe(o->secret, o->secret_cap);
    }
    return st;
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

/* "key": ["item", ...]; the writer keeps its first error for sg_json_writer_finish. */
static void write_strings(sg_json_writer *w, const char *key, const char *const *items, size_t n)
{
    (void)sg_json_write_key(w, key);
    (void)sg_json_write_array_begin(w);
    for (size_t i = 0; i < n; i++) {
        (void)sg_json_write_string(w, items[i]);
    }
    (void)sg_json_write_array_end(w);
}

static sg_status new_token_body(sg_api *api, const sg_api_new_token *req, size_t *len)
{
    sg_json_writer w;
    sg_status st = sg_json_writer_init(&w, api->_private.body_buf, api->_private.body_cap);
    if (st != SG_OK) { /* GCOVR_EXCL_BR_LINE: init refuses only a NULL buffer (sg_api_init) */
        return st;     /* GCOVR_EXCL_LINE: see above */
    }
    (void)sg_json_write_object_begin(&w);
    (void)sg_json_write_key(&w, "name");
    (void)sg_json_write_string(&w, req->name);
    write_strings(&w, "scopes", req->scopes, req->scope_count);
    if (req->chatbot_count > 0) {
        write_strings(&w, "chatbotIds", req->chatbot_ids, req->chatbot_count);
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
#endif

/* The calls on one token or chatbot. The two that create a secret come first. */
typedef enum object_kind { TOKEN_CREATE, TOKEN_ROTATE, TOKEN_REVOKE, CHATBOT_GET } object_kind;

#if SG_JSON_ELEMENTS
/* Where each goes and what comes back, by object_kind. */
static const struct object_route {
    const char *method;
    const char *route;  /* after the base path */
    const char *suffix; /* after "/{id}"; NULL: no id, the body is a new token */
    const char *member; /* the object in the response */
    bool object_required;
} k_objects[] = {
    {"POST", "/api/v2/tokens", NULL, "data.token", false},
    {"POST", "/api/v2/tokens", "/rotate", "data.token", false},
    {"DELETE", "/api/v2/tokens", "", "data.token", false},
    {"GET", "/api/v2/chatbots", "", "data.chatbot", true},
};
#endif

/* Every single-object call: its arguments checked, its target (and body) built, then sent. */
static sg_status object_request(sg_api *api, object_kind kind, const char *id,
                                const sg_api_new_token *req, sg_api_item_fn on_object, void *ctx,
                                char *secret, size_t secret_cap, sg_envelope *env)
{
    bool creates = kind == TOKEN_CREATE;
    bool gives_secret = kind <= TOKEN_ROTATE; /* data.plaintextToken comes back too */
    if (api == NULL || env == NULL || (creates && req == NULL) ||
        (gives_secret && (secret == NULL || secret_cap == 0))) {
        return SG_ERR_INVALID_ARG;
    }
    if (gives_secret) {
        secret[0] = '\0';
    }
    if (!creates && (id == NULL || id[0] == '\0')) {
        return SG_ERR_INVALID_ARG;
    }
#if !SG_JSON_ELEMENTS
    (void)on_object;
    (void)ctx;
    return SG_ERR_UNSUPPORTED;
#else
    const struct object_route *r = &k_objects[kind];
    size_t len = 0;
    sg_status st = creates ? check_new_token(req) : SG_OK;
    if (st == SG_OK && creates) {
        st = new_token_body(api, req, &len);
    }
    if (st == SG_OK) {
        st = set_target(api, r->route, id, r->suffix);
    }
    if (st != SG_OK) {
        return st;
    }
    object_ctx o = {r->member, r->object_required,           on_object,  ctx,
                    false,     gives_secret ? secret : NULL, secret_cap, false,
                    false};
    const uint8_t *body = creates ? (const uint8_t *)api->_private.body_buf : NULL;
    return object_call(api, r->method, body, len, &o, env);
#endif
}

sg_status sg_api_token_create(sg_api *api, const sg_api_new_token *req, sg_api_item_fn on_token,
                              void *ctx, char *secret, size_t secret_cap, sg_envelope *env)
{
    return object_request(api, TOKEN_CREATE, NULL, req, on_token, ctx, secret, secret_cap, env);
}

sg_status sg_api_token_rotate(sg_api *api, const char *id, sg_api_item_fn on_token, void *ctx,
                              char *secret, size_t secret_cap, sg_envelope *env)
{
    return object_request(api, TOKEN_ROTATE, id, NULL, on_token, ctx, secret, secret_cap, env);
}

sg_status sg_api_token_revoke(sg_api *api, const char *id, sg_api_item_fn on_token, void *ctx,
                              sg_envelope *env)
{
    return object_request(api, TOKEN_REVOKE, id, NULL, on_token, ctx, NULL, 0, env);
}

sg_status sg_api_chatbot_get(sg_api *api, const char *id, sg_api_item_fn on_chatbot, void *ctx,
                             sg_envelope *env)
{
    return object_request(api, CHATBOT_GET, id, NULL, on_chatbot, ctx, NULL, 0, env);
}
