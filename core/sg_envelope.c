/* sitegpt-c: API v2 envelope decoding on top of the streaming JSON reader. */
#include <sitegpt/sg_envelope.h>

#include <stddef.h>
#include <string.h>

/* The strings after "ok", in the order of k_texts; error.details last. */
enum { SUB_OK, SUB_CODE, SUB_MESSAGE, SUB_HINT, SUB_REQUEST_ID, SUB_DETAILS };

/* Without raw capture (SG_JSON_RAW 0) error.details is not subscribed at all: the reader
   passes it over like any other member nobody asked for. */
static const sg_json_sub k_own_subs[] = {
    {"ok", SG_JSON_SUB_VALUE, false},
    {"error.code", SG_JSON_SUB_VALUE, true},
    {"error.message", SG_JSON_SUB_VALUE, true},
    {"error.hint", SG_JSON_SUB_VALUE, true},
    {"meta.requestId", SG_JSON_SUB_VALUE, true},
#if SG_JSON_RAW
    {"error.details", SG_JSON_SUB_RAW, false},
#endif
};
#define OWN_SUBS (sizeof k_own_subs / sizeof k_own_subs[0])
_Static_assert(OWN_SUBS <= SG_ENVELOPE_OWN_SUBS, "the envelope's subscriptions fit its table");

/* Where each string goes, and the flag that says it was cut (0: none, it is only an id). */
#define TEXT(member, cut_flag)                                                      \
    {                                                                               \
        offsetof(sg_envelope, member), sizeof(((sg_envelope *)0)->member), cut_flag \
    }
static const struct {
    uint16_t offset, size, cut_flag;
} k_texts[] = {
    TEXT(code, 0),
    TEXT(message, offsetof(sg_envelope, message_truncated)),
    TEXT(hint, offsetof(sg_envelope, hint_truncated)),
    TEXT(request_id, 0),
};
#undef TEXT
_Static_assert(sizeof(sg_envelope) <= UINT16_MAX, "sg_envelope outgrows k_texts");

static bool is_2xx_or_unknown(int status)
{
    return status == 0 || (status >= 200 && status < 300);
}

static sg_status on_value(void *ctx, const sg_json_event *ev)
{
    sg_envelope *env = (sg_envelope *)ctx;
    /* The caller's subs come first, so its events pass through as they are (no copy of
       the event on this frame, which every caller callback runs beneath). */
    if (ev->sub < env->_private.caller_subs) {
        sg_status st = env->_private.caller_fn(env->_private.caller_ctx, ev);
        if (st != SG_OK) {
            env->_private.cb_failed = true;
        }
        return st;
    }
    bool is_str = ev->kind == SG_JSON_EV_VALUE && ev->type == SG_JSON_STRING;
    /* The reader reports only the subs it was given: the caller's, then k_own_subs. */
    size_t own = ev->sub - env->_private.caller_subs;
    if (own == SUB_OK) {
        if (ev->type == SG_JSON_BOOL) {
            env->has_ok = true;
            env->ok = ev->boolean;
        }
        return SG_OK;
    }
#if SG_JSON_RAW
    if (own == SUB_DETAILS) { /* the raw pieces of error.details */
        if (env->details != NULL) {
            size_t room = env->details_cap - 1 - env->details_len;
            size_t n = ev->text.len;
            if (n > room) {
                n = room;
                env->details_truncated = true;
            }
            memcpy(env->details + env->details_len, ev->text.ptr, n);
            env->details_len += n;
            env->details[env->details_len] = '\0';
        }
        return SG_OK;
    }
#endif
    if (is_str) { /* code, message, hint, request id: strings only */
        size_t i = own - SUB_CODE;
        bool cut = sg_slice_copy_cut((char *)env + k_texts[i].offset, k_texts[i].size, ev->text);
        if (k_texts[i].cut_flag != 0) {
            *((bool *)((char *)env + k_texts[i].cut_flag)) = cut || ev->truncated;
        }
    }
    return SG_OK;
}

sg_status sg_envelope_init(sg_envelope *env, const sg_json_config *data_cfg, char *details_buf,
                           size_t details_cap)
{
    if (env == NULL || (details_buf != NULL && details_cap == 0)) {
        return SG_ERR_INVALID_ARG;
    }
    memset(env, 0, sizeof *env);
    sg_json_config cfg;
    memset(&cfg, 0, sizeof cfg);
    if (data_cfg != NULL) {
        cfg = *data_cfg;
    }
    size_t n = cfg.sub_count;
    if (n > SG_ENVELOPE_CALLER_SUBS_MAX || (n > 0 && (cfg.subs == NULL || cfg.on_value == NULL))) {
        return SG_ERR_INVALID_ARG;
    }
    if (n > 0) {
        memcpy(env->_private.subs, cfg.subs, n * sizeof env->_private.subs[0]);
    }
    env->_private.caller_fn = cfg.on_value;
    env->_private.caller_ctx = cfg.ctx;
    env->_private.caller_subs = n;
    memcpy(env->_private.subs + n, k_own_subs, sizeof k_own_subs);
    cfg.subs = env->_private.subs;
    cfg.sub_count = OWN_SUBS + n;
    cfg.on_value = on_value;
    cfg.ctx = env;
    if (cfg.str_buf == NULL || cfg.str_cap < SG_ENVELOPE_MESSAGE_MAX) {
#if SG_ENVELOPE_OWN_STR
        cfg.str_buf = env->_private.str;
        cfg.str_cap = sizeof env->_private.str;
#else
        return SG_ERR_INVALID_ARG;
#endif
    }
    if (details_buf != NULL) {
        env->details = details_buf;
        env->details_cap = details_cap;
        details_buf[0] = '\0';
    }
    return sg_json_reader_init(&env->_private.reader, &cfg);
}

sg_status sg_envelope_set_http_status(sg_envelope *env, int http_status)
{
    if (env == NULL || http_status < 0 || http_status > 999) {
        return SG_ERR_INVALID_ARG;
    }
    env->http_status = http_status;
    return SG_OK;
}

/* A JSON failure on an error response only means the body is not an envelope. */
static sg_status absorb(sg_envelope *env, sg_status st)
{
    if (st == SG_OK || env->_private.cb_failed || is_2xx_or_unknown(env->http_status)) {
        return st;
    }
    env->_private.body_err = st; /* callers read no further once it is set */
    return SG_OK;
}

sg_status sg_envelope_feed(sg_envelope *env, const void *data, size_t len)
{
    if (env == NULL) {
        return SG_ERR_INVALID_ARG;
    }
    if (env->_private.body_err != SG_OK) {
        return SG_OK; /* already known not to be JSON */
    }
    return absorb(env, sg_json_reader_feed(&env->_private.reader, data, len));
}

sg_status sg_envelope_finish(sg_envelope *env)
{
    if (env == NULL) {
        return SG_ERR_INVALID_ARG;
    }
    sg_status st = SG_OK;
    if (env->_private.body_err == SG_OK) {
        st = absorb(env, sg_json_reader_finish(&env->_private.reader));
        if (st != SG_OK) {
            return st;
        }
    }
    env->is_json = env->_private.body_err == SG_OK;
    if (!env->is_json) {
        /* whatever was decoded before the body stopped being JSON is not to be trusted */
        /* every result from has_ok to request_id, whole (is_json among them, false already) */
        memset(&env->has_ok, 0, offsetof(sg_envelope, details) - offsetof(sg_envelope, has_ok));
        env->details_len = 0;
        if (env->details != NULL) {
            env->details[0] = '\0';
        }
    }
    if (!is_2xx_or_unknown(env->http_status) && (!env->is_json || env->code[0] == '\0')) {
        static const char k_code[] = "HTTP_ERROR";
        memcpy(env->code, k_code, sizeof k_code);
        if (env->message[0] == '\0') {
            static const char k_msg[] = "HTTP 000";
            memcpy(env->message, k_msg, sizeof k_msg);
            /* the status is at most 999 (sg_envelope_set_http_status): three digits */
            unsigned status = (unsigned)env->http_status;
            for (size_t i = sizeof k_msg - 2u; i >= 5u; i--) {
                env->message[i] = (char)('0' + status % 10u);
                status /= 10u;
            }
        }
    }
    return SG_OK;
}

sg_status sg_envelope_decode(sg_envelope *env, int http_status, const void *body, size_t len)
{
    sg_status st = sg_envelope_set_http_status(env, http_status);
    if (st == SG_OK) {
        st = sg_envelope_feed(env, body, len);
    }
    if (st == SG_OK) {
        st = sg_envelope_finish(env);
    }
    return st;
}

static sg_status sink_status(void *ctx, int status)
{
    return sg_envelope_set_http_status((sg_envelope *)ctx, status);
}

static sg_status sink_body(void *ctx, const uint8_t *data, size_t len)
{
    return sg_envelope_feed((sg_envelope *)ctx, data, len);
}

sg_status sg_envelope_http_sink(sg_envelope *env, sg_http_sink *sink)
{
    if (env == NULL || sink == NULL) {
        return SG_ERR_INVALID_ARG;
    }
    memset(sink, 0, sizeof *sink);
    sink->ctx = env;
    sink->on_status = sink_status;
    sink->on_body = sink_body;
    return SG_OK;
}

sg_status sg_envelope_status(const sg_envelope *env)
{
    if (env == NULL) {
        return SG_ERR_INVALID_ARG;
    }
    if (env->http_status == 429) {
        return SG_ERR_RATE_LIMITED;
    }
    if (strcmp(env->code, "TOKEN_NOT_VALID") == 0 ||
        strcmp(env->code, "AUTHORIZATION_HEADER_REQUIRED") == 0 ||
        (env->http_status == 401 && strcmp(env->code, "HTTP_ERROR") == 0)) {
        return SG_ERR_AUTH;
    }
    if (is_2xx_or_unknown(env->http_status)) {
        if (!env->is_json) {
            return SG_ERR_JSON_SYNTAX;
        }
        if (!env->has_ok) {
            return SG_ERR_JSON_TYPE;
        }
        return env->ok ? SG_OK : SG_ERR_API;
    }
    return SG_ERR_API;
}
