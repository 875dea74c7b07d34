/*
 * A 2xx that is not what the contract promises: every typed call refuses a member of the
 * wrong type with SG_ERR_JSON_TYPE (or SG_ERR_BUFFER_TOO_SMALL for a cursor that cannot be
 * sent back), instead of reading on; a null where the contract allows one is accepted.
 * The server is untrusted: its answers are checked, not assumed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "mem_transport.h"
#include <sitegpt/sg_api.h>

#define ENV(data) "{\"ok\":true,\"data\":" data ",\"meta\":{\"requestId\":\"r\"}}"

typedef struct fx {
    mem_net net;
    sg_http_client http;
    sg_api api;
    sg_envelope env;
    uint8_t io[1024];
    uint64_t work[1024];
    char resp[2048];
    mem_step step;
    unsigned items;
} fx;

static fx F;

/* One 200 response with this body, on a fresh stack. */
static void serve(const char *body)
{
    memset(&F, 0, sizeof F);
    mem_net_init(&F.net, 1000000, NULL, 0);
    int n = snprintf(F.resp, sizeof F.resp,
                     "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                     "Content-Length: %zu\r\n\r\n%s",
                     strlen(body), body);
    assert_true(n > 0 && (size_t)n < sizeof F.resp);
    F.step = (mem_step)MEM_DATA(F.resp, (size_t)n);
    mem_transport_script_recv(&F.net.mt, &F.step, 1);
    sg_http_config hc = {&F.net.platform, &F.net.transport, &F.net.transport, 1000, 1000, 5000};
    assert_int_equal(sg_http_client_init(&F.http, &hc, F.io, sizeof F.io), SG_OK);
    sg_api_config ac = {&F.http,
                        {"127.0.0.1", 8080, false},
                        "",
                        "sgpt_t",
                        {1, 100, 1000, 10000},
                        &F.net.platform,
                        F.work,
                        sizeof F.work,
                        0};
    assert_int_equal(sg_api_init(&F.api, &ac), SG_OK);
}

static sg_status on_item(void *ctx, const sg_json_element *e)
{
    (void)ctx;
    (void)e;
    F.items++;
    return SG_OK;
}

static sg_status list(const char *body)
{
    serve(body);
    sg_api_list_params p = {0, NULL, false, false};
    sg_api_list_out out = {on_item, NULL, NULL, {0}, 0};
    return sg_api_tokens_list(&F.api, &p, &out, &F.env);
}

static void test_list_members_of_the_wrong_type(void **state)
{
    (void)state;
    assert_int_equal(list(ENV("{\"tokens\":[{\"id\":\"t1\"},\"t2\"]}")), SG_ERR_JSON_TYPE);
    assert_int_equal(F.items, 1); /* the good one before it was seen */
    assert_int_equal(list(ENV("{\"tokens\":[],\"pagination\":{\"hasNextPage\":\"yes\"}}")),
                     SG_ERR_JSON_TYPE);
    assert_int_equal(list(ENV("{\"tokens\":[],\"pagination\":{\"nextCursor\":7}}")),
                     SG_ERR_JSON_TYPE);
    assert_int_equal(list(ENV("{\"tokens\":[],\"pagination\":{\"limit\":-1}}")), SG_ERR_JSON_TYPE);
    assert_int_equal(list(ENV("{\"tokens\":[],\"pagination\":{\"limit\":2.5}}")), SG_ERR_JSON_TYPE);
    assert_int_equal(list(ENV("{\"tokens\":[],\"pagination\":{\"limit\":\"2\"}}")),
                     SG_ERR_JSON_TYPE);
    /* nulls the contract allows */
    assert_int_equal(list(ENV("{\"tokens\":[],\"pagination\":{\"limit\":null,\"nextCursor\":null,"
                              "\"hasNextPage\":false}}")),
                     SG_OK);
    /* a cursor longer than can be sent back */
    static char body[1024];
    char cursor[SG_API_CURSOR_MAX + 1];
    memset(cursor, 'c', sizeof cursor - 1);
    cursor[sizeof cursor - 1] = '\0';
    snprintf(body, sizeof body, ENV("{\"tokens\":[],\"pagination\":{\"nextCursor\":\"%s\"}}"),
             cursor);
    assert_int_equal(list(body), SG_ERR_BUFFER_TOO_SMALL);
}

static void test_me_members_of_the_wrong_type(void **state)
{
    (void)state;
    sg_api_identity me;
    memset(&me, 0, sizeof me);
    serve(ENV("{\"user\":{\"id\":\"u\",\"name\":null},\"auth\":{\"scopes\":[]}}"));
    assert_int_equal(sg_api_me(&F.api, &me, &F.env), SG_OK); /* a user without a name */
    assert_string_equal(me.name, "");
    serve(ENV("{\"user\":{\"id\":\"u\",\"email\":true}}"));
    assert_int_equal(sg_api_me(&F.api, &me, &F.env), SG_ERR_JSON_TYPE);
    serve(ENV("{\"user\":{\"id\":\"u\",\"name\":{\"first\":\"A\"}}}"));
    assert_int_equal(sg_api_me(&F.api, &me, &F.env), SG_ERR_JSON_TYPE);
    serve(ENV("{\"user\":{\"id\":42}}")); /* a numeric id is read as its digits */
    assert_int_equal(sg_api_me(&F.api, &me, &F.env), SG_OK);
    assert_string_equal(me.user_id, "42");
}

static void test_single_objects_of_the_wrong_type(void **state)
{
    (void)state;
    serve(ENV("{\"chatbot\":[\"cb1\"]}"));
    assert_int_equal(sg_api_chatbot_get(&F.api, "cb1", NULL, NULL, &F.env), SG_ERR_JSON_TYPE);
    char secret[64];
    static const char *const scopes[] = {"chatbots:read"};
    sg_api_new_token req = {.name = "n", .scopes = scopes, .scope_count = 1};
    serve(ENV("{\"token\":{\"id\":\"t\"},\"plaintextToken\":12345}"));
    assert_int_equal(sg_api_token_create(&F.api, &req, NULL, NULL, secret, sizeof secret, &F.env),
                     SG_ERR_JSON_TYPE);
    assert_string_equal(secret, "");
    serve(ENV("{\"token\":{\"id\":\"t\"}}")); /* no secret at all */
    assert_int_equal(sg_api_token_create(&F.api, &req, NULL, NULL, secret, sizeof secret, &F.env),
                     SG_ERR_JSON_TYPE);
    /* a secret longer than the caller's buffer: said so, nothing half-written */
    serve(ENV("{\"token\":{\"id\":\"t\"},\"plaintextToken\":\"sgpt_0123456789\"}"));
    char small[8];
    assert_int_equal(sg_api_token_create(&F.api, &req, NULL, NULL, small, sizeof small, &F.env),
                     SG_ERR_BUFFER_TOO_SMALL);
    assert_null(memchr(small, 's', sizeof small));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_list_members_of_the_wrong_type),
        cmocka_unit_test(test_me_members_of_the_wrong_type),
        cmocka_unit_test(test_single_objects_of_the_wrong_type),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
