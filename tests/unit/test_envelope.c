/* API v2 envelope: success with data passthrough, errors, non-JSON bodies, verdicts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include <sitegpt/sg_envelope.h>

typedef struct seen {
    size_t tokens;
    char ids[128];
    char cursor[32];
    size_t cursor_sub;
    bool cursor_null;
    sg_status fail_with;
} seen;

static sg_status data_cb(void *ctx, const sg_json_event *ev)
{
    seen *s = ctx;
    if (s->fail_with != SG_OK) {
        return s->fail_with;
    }
    if (ev->sub == 0) { /* data.tokens[] */
        assert_int_equal(ev->kind, SG_JSON_EV_ELEMENT);
        char id[32];
        size_t len;
        assert_int_equal(sg_json_elem_get_string(ev->element, 0, "id", id, sizeof id, &len), SG_OK);
        strcat(s->ids, id);
        strcat(s->ids, ",");
        s->tokens++;
    } else {
        assert_int_equal(ev->sub, 1); /* indexes are the caller's own */
        assert_int_equal(ev->path.len, strlen("data.pagination.nextCursor"));
        s->cursor_sub = ev->sub;
        s->cursor_null = ev->type == SG_JSON_NULL;
        if (ev->type == SG_JSON_STRING) {
            snprintf(s->cursor, sizeof s->cursor, "%s", ev->text.ptr);
        }
    }
    return SG_OK;
}

static const sg_json_sub k_data_subs[] = {
    {"data.tokens[]", SG_JSON_SUB_ELEMENT, false},
    {"data.pagination.nextCursor", SG_JSON_SUB_VALUE, false},
};

typedef struct fixture {
    sg_envelope env;
    seen s;
    /* smaller than the envelope's own buffer where it has one; at least the message size
       where it has none (SG_ENVELOPE_OWN_STR 0, the firmware's setting) */
    char str[SG_ENVELOPE_OWN_STR ? 64 : SG_ENVELOPE_MESSAGE_MAX];
    char elem[256];
    sg_json_tok tok[32];
    char details[64];
} fixture;

static void setup(fixture *f, size_t details_cap)
{
    memset(f, 0, sizeof *f);
    sg_json_config cfg = {.subs = k_data_subs,
                          .sub_count = 2,
                          .on_value = data_cb,
                          .ctx = &f->s,
                          .str_buf = f->str,
                          .str_cap = sizeof f->str,
                          .elem_buf = f->elem,
                          .elem_cap = sizeof f->elem,
                          .tokens = f->tok,
                          .max_tokens = 32};
    assert_int_equal(sg_envelope_init(&f->env, &cfg, details_cap ? f->details : NULL, details_cap),
                     SG_OK);
}

/* Decode body one byte at a time (the reader must not care). */
static sg_status decode_bytewise(fixture *f, int status, const char *body)
{
    assert_int_equal(sg_envelope_set_http_status(&f->env, status), SG_OK);
    size_t len = strlen(body);
    for (size_t i = 0; i < len; i++) {
        sg_status st = sg_envelope_feed(&f->env, body + i, 1);
        if (st != SG_OK) {
            return st;
        }
    }
    return sg_envelope_finish(&f->env);
}

static const char k_success[] =
    "{\"ok\":true,\"data\":{\"tokens\":[{\"id\":\"t1\",\"name\":\"a\"},{\"id\":\"t2\"},"
    "{\"id\":\"t3\",\"scopes\":[\"tokens:read\"]}],"
    "\"pagination\":{\"limit\":3,\"hasNextPage\":true,\"nextCursor\":\"cur_2\"}},"
    "\"meta\":{\"requestId\":\"req_abc\"}}";

static void test_success_with_data(void **state)
{
    (void)state;
    static fixture f;
    setup(&f, sizeof f.details);
    assert_int_equal(decode_bytewise(&f, 200, k_success), SG_OK);
    assert_int_equal(sg_envelope_status(&f.env), SG_OK);
    assert_true(f.env.has_ok && f.env.ok && f.env.is_json);
    assert_string_equal(f.env.request_id, "req_abc");
    assert_string_equal(f.env.code, "");
    assert_int_equal(f.env.details_len, 0);
    assert_int_equal(f.s.tokens, 3);
    assert_string_equal(f.s.ids, "t1,t2,t3,");
    assert_string_equal(f.s.cursor, "cur_2");
}

static void test_error_envelope(void **state)
{
    (void)state;
    static fixture f;
    setup(&f, sizeof f.details);
    const char *body = "{\"ok\":false,\"error\":{\"code\":\"VALIDATION_FAILED\","
                       "\"message\":\"name is required\",\"hint\":\"pass --name\","
                       "\"details\":[{\"field\":\"name\"}]},\"meta\":{\"requestId\":\"r9\"}}";
    assert_int_equal(decode_bytewise(&f, 400, body), SG_OK);
    assert_int_equal(sg_envelope_status(&f.env), SG_ERR_API);
    assert_true(f.env.has_ok && !f.env.ok && f.env.is_json);
    assert_string_equal(f.env.code, "VALIDATION_FAILED");
    assert_string_equal(f.env.message, "name is required");
    assert_string_equal(f.env.hint, "pass --name");
    assert_string_equal(f.env.details, "[{\"field\":\"name\"}]");
    assert_int_equal(f.env.details_len, strlen(f.env.details));
    assert_false(f.env.details_truncated || f.env.message_truncated || f.env.hint_truncated);
    assert_string_equal(f.env.request_id, "r9");

    /* details as an object, and a buffer too small for it */
    setup(&f, 8);
    body =
        "{\"ok\":false,\"error\":{\"code\":\"X\",\"message\":\"m\",\"details\":{\"a\":[1,2,3]}}}";
    assert_int_equal(sg_envelope_decode(&f.env, 422, body, strlen(body)), SG_OK);
    assert_string_equal(f.env.details, "{\"a\":[1");
    assert_true(f.env.details_truncated);
}

static void test_verdicts(void **state)
{
    (void)state;
    static fixture f;
    static const struct {
        int status;
        const char *body;
        sg_status want;
        const char *code;
    } cases[] = {
        {401, "{\"ok\":false,\"error\":{\"code\":\"TOKEN_NOT_VALID\",\"message\":\"bad\"}}",
         SG_ERR_AUTH, "TOKEN_NOT_VALID"},
        {401,
         "{\"ok\":false,\"error\":{\"code\":\"AUTHORIZATION_HEADER_REQUIRED\",\"message\":\"m\"}}",
         SG_ERR_AUTH, "AUTHORIZATION_HEADER_REQUIRED"},
        {403, "{\"ok\":false,\"error\":{\"code\":\"TOKEN_SCOPE_NOT_ALLOWED\",\"message\":\"m\"}}",
         SG_ERR_API, "TOKEN_SCOPE_NOT_ALLOWED"},
        {404, "{\"ok\":false,\"error\":{\"code\":\"CHATBOT_NOT_FOUND\",\"message\":\"m\"}}",
         SG_ERR_API, "CHATBOT_NOT_FOUND"},
        {429, "{\"ok\":false,\"error\":{\"code\":\"RATE_LIMITED\",\"message\":\"slow\"}}",
         SG_ERR_RATE_LIMITED, "RATE_LIMITED"},
        {429, "", SG_ERR_RATE_LIMITED, "HTTP_ERROR"},
        {502, "<html>Bad Gateway</html>", SG_ERR_API, "HTTP_ERROR"},
        {500, "", SG_ERR_API, "HTTP_ERROR"},
        {503, "{\"ok\":false", SG_ERR_API, "HTTP_ERROR"},
        /* fields seen before the body broke are dropped */
        {403, "{\"ok\":false,\"error\":{\"code\":\"X\",\"message\":\"m\"}} trailing", SG_ERR_API,
         "HTTP_ERROR"},
        {401, "Unauthorized", SG_ERR_AUTH, "HTTP_ERROR"},
        {400, "{\"error\":\"invalid_grant\"}", SG_ERR_API, "HTTP_ERROR"},
        {200, "{\"ok\":false,\"error\":{\"code\":\"X\",\"message\":\"m\"}}", SG_ERR_API, "X"},
        {500, "{\"ok\":true,\"data\":{}}", SG_ERR_API, "HTTP_ERROR"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        setup(&f, 0);
        sg_status st = decode_bytewise(&f, cases[i].status, cases[i].body);
        if (st != SG_OK) {
            fail_msg("case %zu: finish %d", i, st);
        }
        if (sg_envelope_status(&f.env) != cases[i].want || strcmp(f.env.code, cases[i].code)) {
            fail_msg("case %zu: verdict %d code %s", i, sg_envelope_status(&f.env), f.env.code);
        }
    }
    /* a non-JSON error body keeps the status in the message */
    setup(&f, 0);
    assert_int_equal(decode_bytewise(&f, 502, "<html>"), SG_OK);
    assert_false(f.env.is_json);
    assert_string_equal(f.env.message, "HTTP 502");
    setup(&f, sizeof f.details);
    assert_int_equal(decode_bytewise(&f, 400,
                                     "{\"ok\":false,\"error\":{\"message\":\"partial\","
                                     "\"details\":[1,2"),
                     SG_OK);
    assert_false(f.env.has_ok);
    assert_string_equal(f.env.message, "HTTP 400");
    assert_int_equal(f.env.details_len, 0);
}

static void test_success_body_must_be_json(void **state)
{
    (void)state;
    static fixture f;
    setup(&f, 0);
    assert_int_equal(decode_bytewise(&f, 200, "<html>"), SG_ERR_JSON_SYNTAX);
    assert_int_equal(sg_envelope_status(&f.env), SG_ERR_JSON_SYNTAX);
    setup(&f, 0);
    assert_int_equal(decode_bytewise(&f, 200, ""), SG_ERR_JSON_SYNTAX);
    setup(&f, 0);
    assert_int_equal(decode_bytewise(&f, 200, "{\"data\":{}}"), SG_OK);
    assert_int_equal(sg_envelope_status(&f.env), SG_ERR_JSON_TYPE);
}

static void test_long_message_truncates(void **state)
{
    (void)state;
    static fixture f;
    static char body[2048];
    static char msg[600];
    /* all but 2 bytes of the field in ASCII, then a 3-byte character: the field keeps whole
       characters only */
    enum { ASCII = SG_ENVELOPE_MESSAGE_MAX - 2 };
    memset(msg, 'm', ASCII);
    strcpy(msg + ASCII, "\xe2\x82\xac and more text after it");
    snprintf(body, sizeof body,
             "{\"ok\":false,\"error\":{\"code\":\"E\",\"message\":\"%s\",\"hint\":\"%0300d\"}}",
             msg, 0);
    setup(&f, 0);
    assert_int_equal(sg_envelope_decode(&f.env, 400, body, strlen(body)), SG_OK);
    assert_true(f.env.message_truncated);
    assert_int_equal(strlen(f.env.message), ASCII);
    assert_true(f.env.hint_truncated);
    assert_int_equal(strlen(f.env.hint), SG_ENVELOPE_HINT_MAX - 1);
    assert_string_equal(f.env.code, "E");
}

static void test_callback_error_aborts(void **state)
{
    (void)state;
    static fixture f;
    setup(&f, 0);
    f.s.fail_with = SG_ERR_CANCELLED;
    assert_int_equal(sg_envelope_decode(&f.env, 200, k_success, strlen(k_success)),
                     SG_ERR_CANCELLED);
    /* even on an error status, the caller's own failure is not swallowed */
    setup(&f, 0);
    f.s.fail_with = SG_ERR_JSON_TYPE;
    const char *body = "{\"ok\":false,\"data\":{\"tokens\":[{\"id\":\"x\"}]}}";
    assert_int_equal(sg_envelope_decode(&f.env, 400, body, strlen(body)), SG_ERR_JSON_TYPE);
}

static void test_http_sink(void **state)
{
    (void)state;
    static fixture f;
    setup(&f, 0);
    sg_http_sink sink;
    assert_int_equal(sg_envelope_http_sink(&f.env, &sink), SG_OK);
    assert_int_equal(sink.on_status(sink.ctx, 200), SG_OK);
    size_t half = strlen(k_success) / 2;
    assert_int_equal(sink.on_body(sink.ctx, (const uint8_t *)k_success, half), SG_OK);
    assert_int_equal(
        sink.on_body(sink.ctx, (const uint8_t *)k_success + half, strlen(k_success) - half), SG_OK);
    assert_int_equal(sg_envelope_finish(&f.env), SG_OK);
    assert_int_equal(f.env.http_status, 200);
    assert_int_equal(sg_envelope_status(&f.env), SG_OK);
    assert_int_equal(f.s.tokens, 3);
}

static void test_init_limits(void **state)
{
    (void)state;
    static sg_envelope env;
    static sg_json_sub many[SG_ENVELOPE_CALLER_SUBS_MAX + 1];
    for (size_t i = 0; i < sizeof many / sizeof many[0]; i++) {
        many[i].path = "data.x";
        many[i].mode = SG_JSON_SUB_RAW;
    }
    sg_json_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.subs = many;
    cfg.sub_count = SG_ENVELOPE_CALLER_SUBS_MAX + 1;
    cfg.on_value = data_cb;
    assert_int_equal(sg_envelope_init(&env, &cfg, NULL, 0), SG_ERR_INVALID_ARG);
    /* a caller raw capture around the envelope's own cannot share the raw cursor */
    many[0].path = "error";
    cfg.sub_count = 1;
    assert_int_equal(sg_envelope_init(&env, &cfg, NULL, 0), SG_ERR_INVALID_ARG);
    many[0].path = "data";
#if SG_ENVELOPE_OWN_STR
    assert_int_equal(sg_envelope_init(&env, &cfg, NULL, 0), SG_OK);
    assert_int_equal(sg_envelope_init(&env, NULL, NULL, 0), SG_OK);
#else
    /* no string buffer of its own: the caller must lend one of the message's size */
    assert_int_equal(sg_envelope_init(&env, &cfg, NULL, 0), SG_ERR_INVALID_ARG);
    assert_int_equal(sg_envelope_init(&env, NULL, NULL, 0), SG_ERR_INVALID_ARG);
    static char str[SG_ENVELOPE_MESSAGE_MAX];
    cfg.str_buf = str;
    cfg.str_cap = sizeof str - 1;
    assert_int_equal(sg_envelope_init(&env, &cfg, NULL, 0), SG_ERR_INVALID_ARG);
    cfg.str_cap = sizeof str;
    assert_int_equal(sg_envelope_init(&env, &cfg, NULL, 0), SG_OK);
#endif
}

/* Fields of the wrong type are ignored, not copied; a status under 200 is an error status. */
static void test_fields_of_other_types(void **state)
{
    (void)state;
    static fixture f;
    const char *body = "{\"ok\":\"yes\",\"error\":{\"code\":5,\"message\":null,\"hint\":[\"h\"],"
                       "\"details\":{\"k\":1}},\"meta\":{\"requestId\":{\"id\":\"r\"}}}";
    setup(&f, 0); /* no details buffer: the raw capture goes nowhere */
    assert_int_equal(sg_envelope_decode(&f.env, 200, body, strlen(body)), SG_OK);
    assert_true(f.env.is_json);
    assert_false(f.env.has_ok);
    assert_string_equal(f.env.code, "");
    assert_string_equal(f.env.message, "");
    assert_string_equal(f.env.hint, "");
    assert_string_equal(f.env.request_id, "");
    assert_null(f.env.details);
    assert_int_equal(f.env.details_len, 0);
    assert_int_equal(sg_envelope_status(&f.env), SG_ERR_JSON_TYPE); /* no boolean ok */

    /* an error's message is kept when only the code is missing */
    setup(&f, 0);
    body = "{\"ok\":false,\"error\":{\"message\":\"boom\"}}";
    assert_int_equal(sg_envelope_decode(&f.env, 500, body, strlen(body)), SG_OK);
    assert_string_equal(f.env.code, "HTTP_ERROR");
    assert_string_equal(f.env.message, "boom");

    /* 1xx is not success */
    setup(&f, 0);
    assert_int_equal(sg_envelope_decode(&f.env, 101, "upgrade", 7), SG_OK);
    assert_false(f.env.is_json);
    assert_string_equal(f.env.code, "HTTP_ERROR");
    assert_string_equal(f.env.message, "HTTP 101");
    assert_int_equal(sg_envelope_status(&f.env), SG_ERR_API);

    /* a bad status stops decode before any byte is read */
    setup(&f, 0);
    assert_int_equal(sg_envelope_decode(&f.env, 1000, "{}", 2), SG_ERR_INVALID_ARG);
    assert_int_equal(sg_envelope_decode(&f.env, -1, "{}", 2), SG_ERR_INVALID_ARG);
    assert_int_equal(f.env.http_status, 0);
    assert_false(f.env.is_json);
}

/* With a lent string buffer larger than the fields, the field's own size cuts them. */
static void test_fields_cut_to_their_arrays(void **state)
{
    (void)state;
    static sg_envelope env;
    static char str[1024];
    static char body[2048];
    sg_json_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.str_buf = str;
    cfg.str_cap = sizeof str;
    snprintf(body, sizeof body,
             "{\"ok\":false,\"error\":{\"code\":\"E\",\"message\":\"%0600d\",\"hint\":\"%0600d\"}}",
             1, 2);
    assert_int_equal(sg_envelope_init(&env, &cfg, NULL, 0), SG_OK);
    assert_int_equal(sg_envelope_decode(&env, 400, body, strlen(body)), SG_OK);
    assert_true(env.message_truncated && env.hint_truncated);
    assert_int_equal(strlen(env.message), SG_ENVELOPE_MESSAGE_MAX - 1);
    assert_int_equal(strlen(env.hint), SG_ENVELOPE_HINT_MAX - 1);
    assert_int_equal(env.message[0], '0');
}

static void test_null_arguments(void **state)
{
    (void)state;
    static fixture f;
    sg_http_sink sink;
    setup(&f, 0);
    char details[4];
    sg_json_config cfg;
    memset(&cfg, 0, sizeof cfg);
    assert_int_equal(sg_envelope_init(NULL, NULL, NULL, 0), SG_ERR_INVALID_ARG);
    assert_int_equal(sg_envelope_init(&f.env, NULL, details, 0), SG_ERR_INVALID_ARG);
    cfg.sub_count = 1; /* subscriptions without their array */
    cfg.on_value = data_cb;
    assert_int_equal(sg_envelope_init(&f.env, &cfg, NULL, 0), SG_ERR_INVALID_ARG);
    cfg.subs = k_data_subs;
    cfg.on_value = NULL; /* ... or without a callback */
    assert_int_equal(sg_envelope_init(&f.env, &cfg, NULL, 0), SG_ERR_INVALID_ARG);
    assert_int_equal(sg_envelope_set_http_status(NULL, 200), SG_ERR_INVALID_ARG);
    assert_int_equal(sg_envelope_set_http_status(&f.env, -1), SG_ERR_INVALID_ARG);
    assert_int_equal(sg_envelope_set_http_status(&f.env, 1000), SG_ERR_INVALID_ARG);
    assert_int_equal(sg_envelope_set_http_status(&f.env, 999), SG_OK);
    assert_int_equal(sg_envelope_feed(NULL, "{}", 2), SG_ERR_INVALID_ARG);
    assert_int_equal(sg_envelope_finish(NULL), SG_ERR_INVALID_ARG);
    assert_int_equal(sg_envelope_http_sink(NULL, &sink), SG_ERR_INVALID_ARG);
    assert_int_equal(sg_envelope_http_sink(&f.env, NULL), SG_ERR_INVALID_ARG);
    assert_int_equal(sg_envelope_status(NULL), SG_ERR_INVALID_ARG);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_success_with_data),
        cmocka_unit_test(test_error_envelope),
        cmocka_unit_test(test_verdicts),
        cmocka_unit_test(test_success_body_must_be_json),
        cmocka_unit_test(test_long_message_truncates),
        cmocka_unit_test(test_callback_error_aborts),
        cmocka_unit_test(test_http_sink),
        cmocka_unit_test(test_init_limits),
        cmocka_unit_test(test_fields_of_other_types),
        cmocka_unit_test(test_fields_cut_to_their_arrays),
        cmocka_unit_test(test_null_arguments),
    };
    return cmocka_run_group_tests_name("envelope", tests, NULL, NULL);
}
