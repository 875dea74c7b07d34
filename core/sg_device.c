/* sitegpt-c: OAuth 2.0 device authorization grant, RFC 8628 (see sg_device.h). */
#include <sitegpt/sg_device.h>

#include <stddef.h>
#include <string.h>

#include <sitegpt/sg_json.h>
#include <sitegpt/sg_scopes.h>
#include <sitegpt/sg_url.h>

#include "internal/sg__noinline.h"

enum { ST_IDLE = 0, ST_POLLING, ST_DONE, ST_FAILED };

/* Which response is being read: decides which members are taken. */
enum { R_DISCOVERY = 0, R_AUTHORIZE, R_TOKEN };

/* The members subscribed: the optional ones last, and only in builds that take them. */
enum {
    S_DEVICE_CODE = 0,
    S_USER_CODE,
    S_VERIFICATION_URI,
    S_VERIFICATION_URI_COMPLETE,
    S_EXPIRES_IN,
    S_INTERVAL,
    S_ACCESS_TOKEN,
    S_ERROR,
    S_ERROR_DESCRIPTION,
#if SG_DEVICE_GRANTED_SCOPES
    S_SCOPE,
#endif
#if SG_DEVICE_DISCOVERY
    S_DEVICE_ENDPOINT,
    S_TOKEN_ENDPOINT,
    S_ISSUER,
#endif
    S_SUBSCRIBED
};
_Static_assert(S_SUBSCRIBED <= SG_JSON_SUBS_MAX,
               "the device flow's members exceed SG_JSON_SUBS_MAX");
_Static_assert(S_SUBSCRIBED <= 16, "one bit per member in seen");

static const sg_json_sub subs[S_SUBSCRIBED] = {
    [S_DEVICE_CODE] = {"device_code", SG_JSON_SUB_VALUE, false},
    [S_USER_CODE] = {"user_code", SG_JSON_SUB_VALUE, false},
    [S_VERIFICATION_URI] = {"verification_uri", SG_JSON_SUB_VALUE, false},
    [S_VERIFICATION_URI_COMPLETE] = {"verification_uri_complete", SG_JSON_SUB_VALUE, false},
    [S_EXPIRES_IN] = {"expires_in", SG_JSON_SUB_VALUE, false},
    [S_INTERVAL] = {"interval", SG_JSON_SUB_VALUE, false},
    [S_ACCESS_TOKEN] = {"access_token", SG_JSON_SUB_VALUE, false},
    [S_ERROR] = {"error", SG_JSON_SUB_VALUE, true},
    [S_ERROR_DESCRIPTION] = {"error_description", SG_JSON_SUB_VALUE, true},
#if SG_DEVICE_GRANTED_SCOPES
    [S_SCOPE] = {"scope", SG_JSON_SUB_VALUE, true}, /* cut on small builds: then unknown */
#endif
#if SG_DEVICE_DISCOVERY
    [S_DEVICE_ENDPOINT] = {"device_authorization_endpoint", SG_JSON_SUB_VALUE, false},
    [S_TOKEN_ENDPOINT] = {"token_endpoint", SG_JSON_SUB_VALUE, false},
    [S_ISSUER] = {"issuer", SG_JSON_SUB_VALUE, false},
#endif
};

static uint64_t now_ms(const sg_device *d)
{
    return d->_private.platform->now_ms(d->_private.platform->ctx);
}

/* Milliseconds since the code was issued, saturating: the clock is monotonic, and a login
 * lives an hour at most (SG_DEVICE_MAX_EXPIRES_IN_S), so 32 bits hold every time it keeps. */
static uint32_t elapsed_ms(const sg_device *d)
{
    uint64_t e = now_ms(d) - d->_private.issued_ms;
    return e > UINT32_MAX ? UINT32_MAX : (uint32_t)e;
}

/* A non-negative integer number of seconds (at most 9 digits: no sign, fraction, exponent),
 * stored as a uint32_t at out (a field of sg_device, found by offset). */
static sg_status seconds(const sg_json_event *ev, char *out)
{
    uint64_t v; /* set by sg_slice_to_u64 when it returns true */
    if (ev->type != SG_JSON_NUMBER || !sg_slice_to_u64(ev->text, 9, &v)) {
        return SG_ERR_JSON_TYPE;
    }
    uint32_t secs = (uint32_t)v;
    memcpy(out, &secs, sizeof secs);
    return SG_OK;
}

/*
 * The token request body, built while the authorization response streams by so the device
 * code is never stored anywhere else. d->body held the authorization request, already sent
 * by then (the client only resends a request before any response byte has arrived).
 * The form key is the member's own name, the path the reader matched: "device_code".
 */
static sg_status build_token_body(sg_device *d, const char *client_id, const sg_json_event *ev)
{
    sg_form f;
    sg_status st = sg_form_init(&f, d->_private.body, sizeof d->_private.body);
    if (st == SG_OK) {
        st = sg_form_add(&f, "grant_type", "urn:ietf:params:oauth:grant-type:device_code");
    }
    if (st == SG_OK) {
        st = sg_form_add_slice(&f, ev->path, ev->text);
    }
    if (st == SG_OK) {
        st = sg_form_add(&f, "client_id", client_id);
    }
    return st;
}

/*
 * What each member is to each response: the responses that take it (bit per R_*), how it
 * is taken, and for a copied string where it goes in sg_device and the room there.
 */
enum { TAKE_COPY = 0, TAKE_CUT, TAKE_SECONDS, TAKE_DEVICE_CODE, TAKE_SCOPE };
#define NONEMPTY 8u /* with a string TAKE_*: "" is refused as if it were no string */
typedef struct {
    uint8_t in;
    uint8_t take;
    uint16_t at;
    uint16_t cap;
} member_rule;

#define IN_DISCOVERY (1u << R_DISCOVERY)
#define IN_AUTHORIZE (1u << R_AUTHORIZE)
#define IN_TOKEN     (1u << R_TOKEN)
/* offset and size of a field of sg_device */
#define FIELD(f)     (uint16_t)(offsetof(sg_device, f)), (uint16_t)sizeof(((sg_device *)NULL)->f)
_Static_assert(sizeof(sg_device) <= UINT16_MAX, "member_rule offsets are 16-bit");

static const member_rule rules[S_SUBSCRIBED] = {
    [S_DEVICE_CODE] = {IN_AUTHORIZE, TAKE_DEVICE_CODE | NONEMPTY, 0, 0},
    [S_USER_CODE] = {IN_AUTHORIZE, TAKE_COPY | NONEMPTY, FIELD(user_code)},
    /* nothing to show the user without a user code, nowhere to send them without the URI */
    [S_VERIFICATION_URI] = {IN_AUTHORIZE, TAKE_COPY | NONEMPTY, FIELD(verification_uri)},
    [S_VERIFICATION_URI_COMPLETE] = {IN_AUTHORIZE, TAKE_COPY, FIELD(verification_uri_complete)},
    [S_EXPIRES_IN] = {IN_AUTHORIZE, TAKE_SECONDS, FIELD(_private.got_expires_in)},
    [S_INTERVAL] = {IN_AUTHORIZE | IN_TOKEN, TAKE_SECONDS, FIELD(_private.got_interval)},
    [S_ACCESS_TOKEN] = {IN_TOKEN, TAKE_COPY, FIELD(_private.u.access_token)},
    /* for display: cut to fit; an embedded NUL (from \u0000) simply ends it early */
    [S_ERROR] = {IN_AUTHORIZE | IN_TOKEN, TAKE_CUT, FIELD(error)},
    [S_ERROR_DESCRIPTION] = {IN_AUTHORIZE | IN_TOKEN, TAKE_CUT, FIELD(error_description)},
#if SG_DEVICE_GRANTED_SCOPES
    [S_SCOPE] = {IN_TOKEN, TAKE_SCOPE, 0, 0},
#endif
#if SG_DEVICE_DISCOVERY
    /* staged in the fields the authorization fills later: unused before it */
    [S_DEVICE_ENDPOINT] = {IN_DISCOVERY, TAKE_COPY, FIELD(verification_uri_complete)},
    [S_TOKEN_ENDPOINT] = {IN_DISCOVERY, TAKE_COPY, FIELD(verification_uri)},
    /* staged in the union: nothing else lives there during discovery */
    [S_ISSUER] = {IN_DISCOVERY, TAKE_COPY, FIELD(_private.u)},
#endif
};

#if SG_DEVICE_GRANTED_SCOPES
/* RFC 6749 5.1: the scopes granted, space-separated; a cut list says nothing sure. */
static void take_scope(sg_device *d, const sg_json_event *ev)
{
    d->scope_stated = !ev->truncated;
    d->scope_bits = 0;
    if (ev->truncated) {
        return;
    }
    for (size_t i = 0; i < ev->text.len;) {
        size_t n = 0;
        size_t index;
        while (i + n < ev->text.len && ev->text.ptr[i + n] != ' ') {
            n++;
        }
        if (n > 0 && sg_scope_index(ev->text.ptr + i, n, &index) == SG_OK) {
            d->scope_bits |= (uint64_t)1 << index;
        }
        i += n + 1;
    }
}
#endif

static sg_status take(sg_device *d, const member_rule *r, const sg_json_event *ev)
{
    char *field = (char *)d + r->at;
    if (r->take == TAKE_SECONDS) {
        return seconds(ev, field);
    }
    if (ev->type != SG_JSON_STRING || (ev->text.len == 0 && (r->take & NONEMPTY) != 0)) {
        return SG_ERR_JSON_TYPE;
    }
    switch (r->take & ~NONEMPTY) {
    case TAKE_DEVICE_CODE:
        return build_token_body(d, d->_private.client_id, ev);
#if SG_DEVICE_GRANTED_SCOPES
    case TAKE_SCOPE:
        take_scope(d, ev);
        return SG_OK;
#endif
    default: {
        /* One copy for both: TAKE_CUT is for display, cut to fit (an embedded NUL, from
           \u0000, just ends it early); TAKE_COPY needs the whole string, so a cut or a NUL
           fails the response (the field then holds the cut text: it is only read after a
           success, and end() wipes the access token's room). */
        bool cut = sg_slice_copy_cut(field, r->cap, ev->text);
        if ((r->take & ~NONEMPTY) == TAKE_CUT) {
            return SG_OK;
        }
        return cut || memchr(ev->text.ptr, '\0', ev->text.len) != NULL ? SG_ERR_BUFFER_TOO_SMALL
                                                                       : SG_OK;
    }
    }
}

static sg_status on_value(void *ctx, const sg_json_event *ev)
{
    sg_device *d = ctx;
    const member_rule *r = &rules[ev->sub]; /* all SG_JSON_SUB_VALUE: every event is a value */
    if ((r->in & (1u << d->_private.kind)) == 0 ||
        (ev->type == SG_JSON_NULL && r->take != TAKE_SECONDS)) {
        return SG_OK; /* a null string member is as if absent; seconds() refuses null */
    }
    sg_status st = take(d, r, ev);
    if (st == SG_OK) {
        d->_private.seen = (uint16_t)(d->_private.seen | (1u << ev->sub));
    }
    return st;
}

/* Body pieces go to the JSON reader; a body that is not JSON is drained all the same so the
 * connection stays usable (a proxy's HTML 502 must not cost the keep-alive). The reader's
 * first error sticks: exchange() reads it from sg_json_reader_finish. */
static sg_status on_body(void *ctx, const uint8_t *data, size_t len)
{
    sg_device *d = ctx;
    d->_private.json_st = sg_json_reader_feed(&d->_private.reader, data, len);
    return SG_OK;
}

/* One request; the response is read into d's reader (kept out of the stack frames). */
static sg_status exchange(sg_device *d, uint8_t kind, const sg_http_origin *origin,
                          const char *target, bool post)
{
    d->_private.kind = kind;
    d->error[0] = '\0'; /* only this response's error is reported */
    d->error_description[0] = '\0';
    d->_private.seen = 0;
    d->_private.got_expires_in = 0;
    d->_private.got_interval = 0;
    struct { /* one frame object: zeroed at once, then the fields set */
        sg_json_config jc;
        sg_http_request req;
        sg_http_sink sink;
    } x = {.jc = {.subs = subs,
                  .sub_count = S_SUBSCRIBED,
                  .on_value = on_value,
                  .ctx = d,
                  .str_buf = d->_private.str,
                  .str_cap = sizeof d->_private.str},
           .req = {.method = post ? "POST" : "GET", .target = target}, /* accepts JSON */
           .sink = {.ctx = d, .on_body = on_body}};
    sg_status st = sg_json_reader_init(&d->_private.reader, &x.jc);
    if (st != SG_OK) { /* GCOVR_EXCL_BR_LINE: a fixed, valid configuration */
        return st;     /* GCOVR_EXCL_LINE: see above */
    }
    if (post) {
        x.req.content_type = "application/x-www-form-urlencoded";
        x.req.body = (const uint8_t *)d->_private.body;
        x.req.body_len = strlen(d->_private.body);
    }
    st = sg_http_exchange(d->_private.http, origin, &x.req, &x.sink, &d->http_status);
    d->_private.json_st = st == SG_OK ? sg_json_reader_finish(&d->_private.reader) : st;
    sg_wipe(d->_private.str,
            sizeof d->_private.str); /* the device code or the access token went through it */
    if (kind != R_DISCOVERY) {
        sg_wipe(d->_private.http->buf,
                d->_private.http->buf_size); /* so did the response bytes in the client */
    }
    return st;
}

/* out = a + b, NUL-terminated. */
static sg_status join(char *out, size_t cap, const char *a, const char *b)
{
    size_t na = strlen(a);
    size_t nb = strlen(b);
    if (na + nb >= cap) {
        return SG_ERR_BUFFER_TOO_SMALL;
    }
    /* NOLINTNEXTLINE(bugprone-not-null-terminated-result): b's NUL ends it, next line */
    memcpy(out, a, na);
    memcpy(out + na, b, nb + 1);
    return SG_OK;
}

#if SG_DEVICE_DISCOVERY
static bool seen(const sg_device *d, unsigned sub)
{
    return (d->_private.seen & (1u << sub)) != 0;
}

/*
 * One endpoint: the discovered URL in text when there is one (an origin other than the
 * base must be https), else base_path + fallback on the base origin.
 */
static sg_status endpoint(const sg_device_config *cfg, const char *text, const char *fallback,
                          char *host, sg_http_origin *origin, char *path)
{
    const char *base_path = cfg->base_path != NULL ? cfg->base_path : "";
    if (text == NULL) {
        sg_status st = join(host, SG_HOST_MAX, cfg->base.host, "");
        *origin = cfg->base;
        origin->host = host;
        return st != SG_OK ? st : join(path, SG_DEVICE_PATH_MAX, base_path, fallback);
    }
    sg_url u;
    sg_status st = sg_url_parse(text, host, SG_HOST_MAX, &u);
    if (st != SG_OK) {
        return st;
    }
    if (!u.origin.tls && !sg_url_same_origin(&u.origin, &cfg->base)) {
        return SG_ERR_INSECURE_ENDPOINT;
    }
    *origin = u.origin;
    if (u.path.len == 0) {
        return join(path, SG_DEVICE_PATH_MAX, "/", "");
    }
    if (u.path.len >= SG_DEVICE_PATH_MAX) {
        return SG_ERR_BUFFER_TOO_SMALL;
    }
    memcpy(path, u.path.ptr, u.path.len);
    path[u.path.len] = '\0';
    return SG_OK;
}

/*
 * RFC 8414 section 3.3: the issuer the document names is the URL its well-known address
 * was built from (the base origin and path; a trailing '/' aside), else it was served for
 * someone else and none of it is used. host is scratch for the parse.
 */
static bool issuer_matches(const char *issuer, const sg_device_config *cfg, char *host)
{
    const char *base_path = cfg->base_path != NULL ? cfg->base_path : "";
    sg_url u;
    if (sg_url_parse(issuer, host, SG_HOST_MAX, &u) != SG_OK ||
        !sg_url_same_origin(&u.origin, &cfg->base)) {
        return false;
    }
    size_t n = strlen(base_path);
    while (n > 0 && base_path[n - 1] == '/') {
        n--;
    }
    return u.path.len == n && memcmp(u.path.ptr, base_path, n) == 0;
}

/*
 * Discovery (RFC 8414): endpoints from the document when served (status 200), else the
 * fallbacks. A 200 that is not a document for this server (not JSON, no issuer, another
 * issuer) is SG_ERR_DISCOVERY: the login stops rather than guess. The token endpoint goes
 * to token_*, the authorization endpoint to *auth_origin and *auth_path (here scratch and
 * u.auth; without discovery, the token endpoint's own).
 */
static sg_status discover(sg_device *d, const sg_device_config *cfg, sg_http_origin *scratch,
                          const sg_http_origin **auth_origin, const char **auth_path)
{
    const char *base_path = cfg->base_path != NULL ? cfg->base_path : "";
    *auth_origin = scratch;
    *auth_path = d->_private.u.auth.path;
    char *target = d->_private.body; /* free until the authorization request is built */
    sg_status st =
        join(target, sizeof d->_private.body, "/.well-known/oauth-authorization-server", base_path);
    if (st == SG_OK) {
        st = exchange(d, R_DISCOVERY, &cfg->base, target, false);
    }
    if (st != SG_OK) {
        return st;
    }
    bool doc = d->http_status == 200;
    if (doc && (d->_private.json_st != SG_OK || !seen(d, S_ISSUER) ||
                !issuer_matches((const char *)&d->_private.u, cfg, d->_private.token_host))) {
        sg_wipe(&d->_private.u, sizeof d->_private.u);
        return SG_ERR_DISCOVERY;
    }
    sg_wipe(&d->_private.u, sizeof d->_private.u);
    const char *dev_url = doc && seen(d, S_DEVICE_ENDPOINT) ? d->verification_uri_complete : NULL;
    const char *tok_url = doc && seen(d, S_TOKEN_ENDPOINT) ? d->verification_uri : NULL;
    st = endpoint(cfg, dev_url, "/oauth/device_authorization", d->_private.u.auth.host, scratch,
                  d->_private.u.auth.path);
    if (st == SG_OK) {
        st = endpoint(cfg, tok_url, "/oauth/token", d->_private.token_host,
                      &d->_private.token_origin, d->_private.token_path);
    }
    d->verification_uri[0] = '\0';
    d->verification_uri_complete[0] = '\0';
    return st;
}
#else
/*
 * Without discovery (SG_DEVICE_DISCOVERY 0) both endpoints are on the base origin, under
 * base_path. The token path holds the authorization's until that request has gone out;
 * sg_device_start() then turns it into its sibling, <base_path>/oauth/token.
 */
static sg_status discover(sg_device *d, const sg_device_config *cfg, sg_http_origin *scratch,
                          const sg_http_origin **auth_origin, const char **auth_path)
{
    (void)scratch; /* the token endpoint's origin serves */
    sg_status st = join(d->_private.token_host, SG_HOST_MAX, cfg->base.host, "");
    d->_private.token_origin = cfg->base;
    d->_private.token_origin.host = d->_private.token_host;
    *auth_origin = &d->_private.token_origin;
    *auth_path = d->_private.token_path;
    return st != SG_OK
               ? st
               : join(d->_private.token_path, SG_DEVICE_PATH_MAX,
                      cfg->base_path != NULL ? cfg->base_path : "", "/oauth/device_authorization");
}
#endif

/* A list of n strings: each present and non-empty, and without a space when spaces split it. */
SG__NOINLINE static bool list_ok(const char *const *list, size_t n, bool spaced)
{
    if (n > 0 && list == NULL) {
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        if (list[i] == NULL || list[i][0] == '\0' || (spaced && strchr(list[i], ' ') != NULL)) {
            return false;
        }
    }
    return true;
}

static sg_status check_config(const sg_device_config *cfg)
{
    if (cfg == NULL || cfg->http == NULL || cfg->platform == NULL ||
        cfg->platform->now_ms == NULL || cfg->base.host == NULL || cfg->base.port == 0 ||
        (cfg->scope_count > 0 && cfg->full_access) || cfg->expires_in_days > 365 ||
        (cfg->base_path != NULL && cfg->base_path[0] != '\0' && cfg->base_path[0] != '/') ||
        !list_ok(cfg->scopes, cfg->scope_count, true) ||
        !list_ok(cfg->chatbot_ids, cfg->chatbot_count, false)) {
        return SG_ERR_INVALID_ARG;
    }
    return SG_OK;
}

/*
 * The device authorization request body: client_id; scope (space-separated) or
 * full_access=true, never both; token_name; expires_in_days (1..365); one chatbot_id per chatbot.
 */
static sg_status build_authorize_body(sg_device *d, const sg_device_config *cfg, char *scope,
                                      size_t scope_cap)
{
    sg_form f;
    sg_status st = sg_form_init(&f, d->_private.body, sizeof d->_private.body);
    if (st == SG_OK) {
        st = sg_form_add(&f, "client_id", d->_private.client_id);
    }
    if (st == SG_OK && cfg->scope_count > 0) {
        size_t n = 0; /* each scope and a space after it; the last space becomes the NUL */
        for (size_t i = 0; i < cfg->scope_count && st == SG_OK; i++) {
            size_t len = strlen(cfg->scopes[i]);
            if (n + len >= scope_cap) {
                st = SG_ERR_BUFFER_TOO_SMALL;
            } else {
                memcpy(scope + n, cfg->scopes[i], len);
                n += len;
                scope[n++] = ' ';
            }
        }
        if (st == SG_OK) {
            scope[n - 1] = '\0';
            st = sg_form_add(&f, "scope", scope);
        }
    }
    if (st == SG_OK && cfg->full_access) {
        st = sg_form_add(&f, "full_access", "true");
    }
    if (st == SG_OK && cfg->token_name != NULL) {
        st = sg_form_add(&f, "token_name", cfg->token_name);
    }
    if (st == SG_OK && cfg->expires_in_days > 0) {
        char days[4]; /* 1..365 (check_config): the digits here, so no sg_form_add_u64 */
        st = sg_u64_to_dec(cfg->expires_in_days, days, sizeof days, NULL);
        if (st == SG_OK) {
            st = sg_form_add(&f, "expires_in_days", days);
        }
    }
    for (size_t i = 0; i < cfg->chatbot_count && st == SG_OK; i++) {
        st = sg_form_add(&f, "chatbot_id", cfg->chatbot_ids[i]);
    }
    return st;
}

/* An error response: the OAuth error when the body had one, else the HTTP status. */
static sg_status refused(const sg_device *d)
{
    return d->error[0] != '\0' ? SG_ERR_OAUTH : SG_ERR_HTTP_STATUS;
}

/* The statuses of the RFC 8628 3.5 errors follow one another. */
_Static_assert(SG_ERR_SLOW_DOWN == SG_ERR_AUTHORIZATION_PENDING - 1 &&
                   SG_ERR_ACCESS_DENIED == SG_ERR_AUTHORIZATION_PENDING - 2 &&
                   SG_ERR_EXPIRED_TOKEN == SG_ERR_AUTHORIZATION_PENDING - 3,
               "oauth_error() counts down from SG_ERR_AUTHORIZATION_PENDING");

/* A token error response: the RFC 8628 3.5 errors by name, else as refused() says. */
static sg_status oauth_error(const sg_device *d)
{
    /* names packed one after another, each ending in its NUL, in their statuses' order */
    static const char k_error_names[] = "authorization_pending\0slow_down\0access_denied\0"
                                        "expired_token";
    const char *name = k_error_names;
    int i = 0;
    while (i < 4 && strcmp(d->error, name) != 0) {
        name += strlen(name) + 1;
        i++;
    }
    return i < 4 ? (sg_status)(SG_ERR_AUTHORIZATION_PENDING - i) : refused(d);
}

/* v, or max when v is larger: what the server says about time is bounded (sg_device.h). */
static uint32_t at_most(uint32_t v, uint32_t max)
{
    return v < max ? v : max;
}

/* The login is over: the device code goes; so does the access token unless st is SG_OK. */
static sg_status end(sg_device *d, sg_status st)
{
    sg_wipe(d->_private.body, sizeof d->_private.body);
    if (st != SG_OK) {
        sg_wipe(&d->_private.u, sizeof d->_private.u);
    }
    d->_private.state = st == SG_OK ? ST_DONE : ST_FAILED;
    return st;
}

sg_status sg_device_start(sg_device *d, const sg_device_config *cfg)
{
    if (d == NULL) {
        return SG_ERR_INVALID_ARG;
    }
    sg_device_clear(d);
    sg_status st = check_config(cfg);
    if (st != SG_OK) {
        return st;
    }
    d->_private.http = cfg->http;
    d->_private.platform = cfg->platform;
    /* borrowed from cfg until the authorization's answer is read (the token body needs it) */
    d->_private.client_id = cfg->client_id != NULL ? cfg->client_id : SG_DEVICE_CLIENT_ID;
    sg_http_origin scratch;
    const sg_http_origin *auth_origin = NULL;
    const char *auth_path = NULL;
    st = discover(d, cfg, &scratch, &auth_origin, &auth_path);
    if (st == SG_OK) {
        st = build_authorize_body(d, cfg, d->_private.str,
                                  sizeof d->_private.str); /* str is free until then */
    }
    if (st == SG_OK) {
        st = exchange(d, R_AUTHORIZE, auth_origin, auth_path, true);
#if !SG_DEVICE_DISCOVERY
        strcpy(strrchr(d->_private.token_path, '/') + 1, "token"); /* see discover() */
#endif
    }
    if (st == SG_OK && d->http_status != 200) {
        st = refused(d);
    }
    if (st == SG_OK) {
        st = d->_private.json_st;
    }
    const unsigned required = 1u << S_DEVICE_CODE | 1u << S_USER_CODE | 1u << S_VERIFICATION_URI;
    if (st == SG_OK &&
        ((d->_private.seen & required) != required || d->_private.got_expires_in == 0)) {
        st = SG_ERR_JSON_TYPE; /* a 200 without the members RFC 8628 requires */
    }
    d->_private.client_id = NULL;
    if (st != SG_OK) {
        return end(d, st);
    }
#if SG_DEVICE_DISCOVERY
    /* discovery staged the issuer and the authorization endpoint in the access token's room;
       without it the room is still as sg_device_clear left it (no authorization member goes
       there) */
    sg_wipe(&d->_private.u, sizeof d->_private.u);
#endif
    d->_private.issued_ms = now_ms(d);
    /* A server cannot park the login: both timers are cut to the bounds in sg_device.h. */
    d->expires_in = at_most(d->_private.got_expires_in, SG_DEVICE_MAX_EXPIRES_IN_S);
    d->interval = at_most(d->_private.got_interval != 0 ? d->_private.got_interval
                                                        : SG_DEVICE_DEFAULT_INTERVAL_S,
                          SG_DEVICE_MAX_INTERVAL_S);
    d->_private.life_ms = d->expires_in * 1000u;
    d->_private.next_poll_ms = d->interval * 1000u;
    d->_private.state = ST_POLLING;
    return SG_OK;
}

/* Failures a later poll may not meet again: the network, not the request or the peer's identity. */
static bool transient(sg_status st)
{
    switch (st) {
    case SG_ERR_IO:
    case SG_ERR_TIMEOUT:
    case SG_ERR_CLOSED:
    case SG_ERR_DNS:
    case SG_ERR_CONNECT:
    case SG_ERR_TLS:
    case SG_ERR_HTTP_TRUNCATED:
        return true;
    default:
        return false;
    }
}

/*
 * What a token response means: SG_OK (the token), SG_ERR_AUTHORIZATION_PENDING with the next
 * poll scheduled from now, or a final status. st is the exchange's.
 */
static sg_status token_outcome(sg_device *d, sg_status st, uint32_t now)
{
    int hs = d->http_status;
    uint32_t delay_ms = d->interval * 1000u; /* at most SG_DEVICE_MAX_INTERVAL_S */
    if (st == SG_OK && hs == 200) {
        st = d->_private.json_st;
        /* the token's room is empty at every token request (start and each pending answer
           leave it wiped), so a first byte there is this response's token */
        if (st == SG_OK && d->_private.u.access_token[0] == '\0') {
            st = SG_ERR_JSON_TYPE; /* a 200 without a token, or with "" */
        }
        return st;
    }
    if (st == SG_OK && hs != 429 && hs < 500) {
        st = oauth_error(d);
        if (st == SG_ERR_SLOW_DOWN) { /* for good: the larger of interval + 5 s and the body's */
            d->interval = at_most(d->_private.got_interval > d->interval
                                      ? d->_private.got_interval
                                      : d->interval + SG_DEVICE_SLOW_DOWN_S,
                                  SG_DEVICE_MAX_INTERVAL_S);
            delay_ms = d->interval * 1000u;
        } else if (st != SG_ERR_AUTHORIZATION_PENDING) {
            return st;
        }
        d->_private.backoff_ms = 0;
    } else if (st == SG_OK || transient(st)) {
        /* Transient: back off (never faster than the interval) until the code expires. */
        d->retry_status = st != SG_OK ? st : SG_ERR_HTTP_STATUS;
        /* double the last backoff (none yet: 0), cut to a minute, never under the interval;
           32 bits suffice: both stay at or under a minute */
        uint32_t b = at_most(d->_private.backoff_ms * 2u, SG_DEVICE_MAX_BACKOFF_MS);
        delay_ms = b < delay_ms ? delay_ms : b;
        d->_private.backoff_ms = delay_ms;
    } else {
        return st; /* waiting cannot fix a rejected certificate, a limit or a cancel */
    }
    d->_private.next_poll_ms = now + delay_ms;
    return SG_ERR_AUTHORIZATION_PENDING;
}

sg_status sg_device_poll(sg_device *d, uint32_t *wait_ms)
{
    if (wait_ms != NULL) {
        *wait_ms = 0;
    }
    if (d == NULL || wait_ms == NULL || d->_private.state != ST_POLLING) {
        return SG_ERR_INVALID_ARG;
    }
    uint32_t life = d->_private.life_ms;
    uint32_t now = elapsed_ms(d);
    if (now >= d->_private.next_poll_ms && now < life) {
        sg_status st =
            exchange(d, R_TOKEN, &d->_private.token_origin, d->_private.token_path, true);
        now = elapsed_ms(d);
        st = token_outcome(d, st, now);
        if (st != SG_ERR_AUTHORIZATION_PENDING) {
            return end(d, st);
        }
        sg_wipe(d->_private.u.access_token,
                sizeof d->_private.u.access_token); /* a token in an error body: never used */
    }
    if (now >= life) {
        return end(d, SG_ERR_EXPIRED_TOKEN);
    }
    /* the next poll, never past the expiry; both are ahead of now here */
    *wait_ms = (d->_private.next_poll_ms < life ? d->_private.next_poll_ms : life) - now;
    return SG_ERR_AUTHORIZATION_PENDING;
}

sg_status sg_device_wait(sg_device *d, const volatile int *cancel)
{
    if (d == NULL || d->_private.platform == NULL) {
        return SG_ERR_INVALID_ARG;
    }
    if (d->_private.platform->sleep_ms == NULL) {
        return SG_ERR_UNSUPPORTED;
    }
    uint32_t wait = 0;
    for (;;) { /* the cancel flag is read before every poll and every slice of sleep */
        if (cancel != NULL && *cancel != 0) {
            return end(d, SG_ERR_CANCELLED);
        }
        if (wait == 0) {
            sg_status st = sg_device_poll(d, &wait);
            if (st != SG_ERR_AUTHORIZATION_PENDING) {
                return st;
            }
        } else {
            uint32_t slice = wait < SG_DEVICE_WAIT_SLICE_MS ? wait : SG_DEVICE_WAIT_SLICE_MS;
            d->_private.platform->sleep_ms(d->_private.platform->ctx, slice);
            wait -= slice;
        }
    }
}

sg_status sg_device_time_left(const sg_device *d, uint64_t *ms)
{
    if (d == NULL || ms == NULL) {
        return SG_ERR_INVALID_ARG;
    }
    uint32_t left = 0;
    if (d->_private.state == ST_POLLING || d->_private.state == ST_DONE) {
        uint32_t life = d->_private.life_ms;
        uint32_t now = elapsed_ms(d);
        left = life > now ? life - now : 0;
    }
    *ms = left;
    return SG_OK;
}

sg_status sg_device_take_token(sg_device *d, char *out, size_t cap)
{
    if (d == NULL || out == NULL || cap == 0 || d->_private.state != ST_DONE ||
        d->_private.u.access_token[0] == '\0') {
        return SG_ERR_INVALID_ARG;
    }
    size_t n = strlen(d->_private.u.access_token);
    if (n >= cap) {
        return SG_ERR_BUFFER_TOO_SMALL;
    }
    memcpy(out, d->_private.u.access_token, n + 1);
    sg_wipe(d->_private.u.access_token, sizeof d->_private.u.access_token);
    return SG_OK;
}

void sg_device_clear(sg_device *d)
{
    if (d != NULL) {
        sg_wipe(d, sizeof *d);
    }
}
