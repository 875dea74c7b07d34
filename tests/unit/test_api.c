/*
 * sg_api over the scripted in-memory transport and the fake clock: typed calls, pagination,
 * retry policy (429 / 5xx / connection failures, POST never retried, wait cap) and redirect
 * policy (Authorization only to the configured origin, at most 3 hops).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "capture.h"
#include "mem_transport.h"
#include <sitegpt/sg_api.h>

#define MAX_RESP 12
#define TOKEN    "sgpt_unit_secret_1"

typedef struct fixture {
    mem_net net;
    sg_http_client http;
    sg_api api;
    sg_envelope env;
    uint8_t io[1024];
    uint64_t work[2048]; /* 16 KB, aligned */
    uint8_t capture[32768];
    /* scripted responses */
    char resp[MAX_RESP][1024];
    mem_step steps[MAX_RESP];
    size_t nresp;
    /* what the caller saw */
    char raw[4096];
    size_t raw_len;
    unsigned items;
    char ids[1024];
    unsigned pages;
} fixture;

static int setup(void **state)
{
    static fixture f;
    memset(&f, 0, sizeof(f));
    mem_net_init(&f.net, 1000000, f.capture, sizeof(f.capture));
    sg_http_config hc = {&f.net.platform, &f.net.transport, &f.net.transport, 1000, 1000, 5000};
    assert_int_equal(sg_http_client_init(&f.http, &hc, f.io, sizeof(f.io)), SG_OK);
    sg_api_config ac = {&f.http,
                        {"127.0.0.1", 8080, false},
                        "",
                        TOKEN,
                        {4, 100, 1000, 10000},
                        &f.net.platform,
                        f.work,
                        sizeof(f.work),
                        0};
    assert_int_equal(sg_api_init(&f.api, &ac), SG_OK);
    *state = &f;
    return 0;
}

/* Add a recv step after those queued so far, keeping the script's position. */
static void append(fixture *f, mem_step s)
{
    assert_true(f->nresp < MAX_RESP);
    mem_script keep = f->net.mt.recv_script;
    f->steps[f->nresp++] = s;
    mem_transport_script_recv(&f->net.mt, f->steps, f->nresp);
    f->net.mt.recv_script.pos = keep.pos;
    f->net.mt.recv_script.offset = keep.offset;
}

/* Queue one response; Content-Length is computed here. */
static void respond(fixture *f, const char *status_line, const char *headers, const char *body)
{
    assert_true(f->nresp < MAX_RESP);
    char *r = f->resp[f->nresp];
    int n = snprintf(r, sizeof(f->resp[0]), "HTTP/1.1 %s\r\n%sContent-Length: %zu\r\n\r\n%s",
                     status_line, headers, strlen(body), body);
    assert_true(n > 0 && (size_t)n < sizeof(f->resp[0]));
    mem_step s = MEM_DATA(r, (size_t)n);
    append(f, s);
}

static void respond_error(fixture *f, sg_status err)
{
    mem_step s = MEM_ERROR(err);
    append(f, s);
}

/* The n-th request head sent (0-based), NUL-terminated into out; false when absent. */
static bool request_head(const fixture *f, unsigned n, char *out, size_t cap)
{
    const char *p = (const char *)f->capture, *end = p + f->net.mt.captured;
    for (unsigned i = 0;; i++) {
        const char *head_end = NULL;
        for (const char *q = p; q + 4 <= end; q++) {
            if (memcmp(q, "\r\n\r\n", 4) == 0) {
                head_end = q + 4;
                break;
            }
        }
        if (head_end == NULL) {
            return false;
        }
        size_t body = 0;
        for (const char *q = p; q < head_end; q++) {
            if (strncmp(q, "\r\nContent-Length: ", 18) == 0) {
                body = (size_t)strtoul(q + 18, NULL, 10);
            }
        }
        if (i == n) {
            size_t len = (size_t)(head_end - p) + body;
            assert_true(len < cap);
            memcpy(out, p, len);
            out[len] = '\0';
            return true;
        }
        p = head_end + body;
    }
}

static bool sent_auth(const fixture *f, unsigned n)
{
    char head[2048];
    assert_true(request_head(f, n, head, sizeof(head)));
    return strstr(head, "Authorization: Bearer " TOKEN "\r\n") != NULL;
}

static sg_status raw_sink(void *ctx, const uint8_t *data, size_t len)
{
    fixture *f = ctx;
    assert_true(capture_append(f->raw, sizeof(f->raw), &f->raw_len, data, len));
    return SG_OK;
}

static sg_status on_item(void *ctx, const sg_json_element *item)
{
    fixture *f = ctx;
    char id[64];
    size_t len;
    assert_int_equal(sg_json_elem_get_string(item, 0, "id", id, sizeof(id), &len), SG_OK);
    f->items++;
    size_t used = strlen(f->ids);
    int n = snprintf(f->ids + used, sizeof(f->ids) - used, "%s,", id);
    assert_true(n > 0 && (size_t)n < sizeof(f->ids) - used);
    return SG_OK;
}

static sg_status on_page(void *ctx, const sg_api_page *page)
{
    fixture *f = ctx;
    f->pages++;
    assert_int_equal(page->page, f->pages);
    return SG_OK;
}

#define OK_JSON   "Content-Type: application/json\r\n"
#define ENV(data) "{\"ok\":true,\"data\":" data ",\"meta\":{\"requestId\":\"req_1\"}}"
#define ERR(code, msg)                                                  \
    "{\"ok\":false,\"error\":{\"code\":\"" code "\",\"message\":\"" msg \
    "\",\"hint\":\"try again\"},\"meta\":{\"requestId\":\"req_e\"}}"
#define PAGE(items, more, cursor)                                                   \
    ENV("{\"tokens\":[" items "],\"pagination\":{\"limit\":2,\"hasNextPage\":" more \
        ",\"nextCursor\":" cursor "}}")

/* ------------------------------------------------------------------ typed calls --- */

static sg_status count_scope(void *ctx, const char *scope, size_t len)
{
    (void)scope;
    assert_true(len > 0);
    (*(unsigned *)ctx)++;
    return SG_OK;
}

static void test_me(void **state)
{
    fixture *f = *state;
    respond(f, "200 OK", OK_JSON,
            ENV("{\"user\":{\"id\":\"usr_1\",\"email\":\"a@b.c\",\"name\":\"Ada\"},"
                "\"auth\":{\"type\":\"api-token\",\"scopes\":[\"tokens:read\",\"chatbots:read\","
                "\"future:scope\"]}}"));
    sg_api_identity me;
    unsigned scopes = 0;
    me.on_scope = count_scope;
    me.scope_ctx = &scopes;
    assert_int_equal(sg_api_me(&f->api, &me, &f->env), SG_OK);
    assert_string_equal(me.user_id, "usr_1");
    assert_string_equal(me.email, "a@b.c");
    assert_string_equal(me.name, "Ada");
    assert_string_equal(me.auth_type, "api-token");
    assert_int_equal(me.scope_count, 3);
    assert_int_equal(scopes, 3);
    assert_int_equal(me.scope_bits, (1u << 2) | (1u << 4)); /* tokens:read, chatbots:read */
    assert_false(me.truncated);
    assert_int_equal(mem_transport_count_sent(&f->net.mt, "GET /api/v2/me HTTP/1.1\r\n"), 1);
    assert_true(sent_auth(f, 0));
}

/* The credential's own facts, extra members of data.auth: id, expiry, chatbot restriction. */
static void test_me_credential(void **state)
{
    fixture *f = *state;
    respond(f, "200 OK", OK_JSON,
            ENV("{\"user\":{\"id\":\"usr_1\"},\"auth\":{\"type\":\"api-token\",\"scopes\":[],"
                "\"tokenId\":\"tok_9\",\"expiresAt\":\"2027-03-06T12:00:00Z\","
                "\"chatbotIds\":[\"cb_1\",\"cb_2\"]}}"));
    sg_api_identity me = {0};
    assert_int_equal(sg_api_me(&f->api, &me, &f->env), SG_OK);
    assert_string_equal(me.token_id, "tok_9");
    assert_string_equal(me.expires_at, "2027-03-06T12:00:00Z");
    assert_int_equal(me.chatbot_count, 2);
    assert_string_equal(me.chatbot_ids, "cb_1 cb_2");
    assert_false(me.truncated);
    /* [] is every chatbot (0); absent or null is "not said" (-1) */
    respond(f, "200 OK", OK_JSON, ENV("{\"auth\":{\"chatbotIds\":[]}}"));
    assert_int_equal(sg_api_me(&f->api, &me, &f->env), SG_OK);
    assert_int_equal(me.chatbot_count, 0);
    assert_string_equal(me.token_id, "");
    respond(f, "200 OK", OK_JSON, ENV("{\"auth\":{\"chatbotIds\":null}}"));
    assert_int_equal(sg_api_me(&f->api, &me, &f->env), SG_OK);
    assert_int_equal(me.chatbot_count, -1);
    respond(f, "200 OK", OK_JSON, ENV("{\"auth\":{\"chatbotIds\":\"cb_1\"}}"));
    assert_int_equal(sg_api_me(&f->api, &me, &f->env), SG_ERR_JSON_TYPE);
}

static void test_account_error_envelope(void **state)
{
    fixture *f = *state;
    respond(f, "403 Forbidden", OK_JSON, ERR("TOKEN_SCOPE_NOT_ALLOWED", "needs account:read"));
    sg_api_identity me = {0};
    assert_int_equal(sg_api_account(&f->api, &me, &f->env), SG_ERR_API);
    assert_string_equal(f->env.code, "TOKEN_SCOPE_NOT_ALLOWED");
    assert_string_equal(f->env.message, "needs account:read");
    assert_string_equal(f->env.hint, "try again");
    assert_string_equal(f->env.request_id, "req_e");
    assert_int_equal(f->env.http_status, 403);
    assert_int_equal(f->api._private.last_attempts, 1); /* a 4xx is final */
}

static void test_base_path_prefix(void **state)
{
    fixture *f = *state;
    sg_api_config ac = f->api.cfg;
    ac.base_path = "/proxy";
    assert_int_equal(sg_api_init(&f->api, &ac), SG_OK);
    respond(f, "200 OK", OK_JSON, ENV("{\"user\":{\"id\":\"u\"},\"auth\":{\"scopes\":[]}}"));
    sg_api_identity me = {0};
    assert_int_equal(sg_api_me(&f->api, &me, &f->env), SG_OK);
    assert_int_equal(mem_transport_count_sent(&f->net.mt, "GET /proxy/api/v2/me HTTP/1.1"), 1);
    ac.base_path = "/proxy/";
    assert_int_equal(sg_api_init(&f->api, &ac), SG_ERR_INVALID_ARG);
}

static void test_list_one_page_params(void **state)
{
    fixture *f = *state;
    respond(f, "200 OK", OK_JSON, PAGE("{\"id\":\"t1\"},{\"id\":\"t2\"}", "true", "\"c 2\""));
    sg_api_list_params p = {2, "a&b", true, false};
    sg_api_list_out out = {on_item, on_page, f, {0}, 0};
    assert_int_equal(sg_api_tokens_list(&f->api, &p, &out, &f->env), SG_OK);
    assert_int_equal(
        mem_transport_count_sent(&f->net.mt,
                                 "GET /api/v2/tokens?limit=2&cursor=a%26b&includeRevoked=true "),
        1);
    assert_int_equal(f->items, 2);
    assert_string_equal(f->ids, "t1,t2,");
    assert_true(out.last.has_next_page);
    assert_string_equal(out.last.next_cursor, "c 2");
    assert_int_equal(out.last.limit, 2);
    assert_int_equal(out.last.items, 2);
    assert_int_equal(f->pages, 1);
}

static void test_list_all_pages(void **state)
{
    fixture *f = *state;
    respond(f, "200 OK", OK_JSON, PAGE("{\"id\":\"t1\"},{\"id\":\"t2\"}", "true", "\"p2\""));
    respond(f, "200 OK", OK_JSON, PAGE("{\"id\":\"t3\"},{\"id\":\"t4\"}", "true", "\"p3\""));
    respond(f, "200 OK", OK_JSON, PAGE("{\"id\":\"t5\"}", "false", "null"));
    assert_int_equal(sg_api_set_raw_sink(&f->api, raw_sink, f), SG_OK);
    sg_api_list_params p = {2, NULL, false, true};
    sg_api_list_out out = {on_item, on_page, f, {0}, 0};
    assert_int_equal(sg_api_tokens_list(&f->api, &p, &out, &f->env), SG_OK);
    assert_string_equal(f->ids, "t1,t2,t3,t4,t5,");
    assert_int_equal(out.total_items, 5);
    assert_int_equal(f->pages, 3);
    assert_false(out.last.has_next_page);
    assert_string_equal(out.last.next_cursor, "");
    assert_int_equal(mem_transport_count_sent(&f->net.mt, "GET /api/v2/tokens?limit=2 "), 1);
    assert_int_equal(mem_transport_count_sent(&f->net.mt, "GET /api/v2/tokens?limit=2&cursor=p2 "),
                     1);
    assert_int_equal(mem_transport_count_sent(&f->net.mt, "GET /api/v2/tokens?limit=2&cursor=p3 "),
                     1);
    /* the raw sink saw each page's envelope once */
    assert_non_null(strstr(f->raw, "\"t1\""));
    assert_non_null(strstr(f->raw, "\"t5\""));
    assert_null(strstr(strstr(f->raw, "\"t1\"") + 1, "\"t1\""));
}

static void test_list_all_pages_stops_on_repeated_cursor(void **state)
{
    fixture *f = *state;
    respond(f, "200 OK", OK_JSON, PAGE("{\"id\":\"t1\"}", "true", "\"same\""));
    respond(f, "200 OK", OK_JSON, PAGE("{\"id\":\"t2\"}", "true", "\"same\""));
    sg_api_list_params p = {0, NULL, false, true};
    sg_api_list_out out = {on_item, NULL, f, {0}, 0};
    assert_int_equal(sg_api_tokens_list(&f->api, &p, &out, &f->env), SG_ERR_JSON_TYPE);
    assert_int_equal(f->items, 2);
    /* hasNextPage without any cursor is the same dead end */
    respond(f, "200 OK", OK_JSON, PAGE("{\"id\":\"t3\"}", "true", "null"));
    assert_int_equal(sg_api_tokens_list(&f->api, &p, &out, &f->env), SG_ERR_JSON_TYPE);
    assert_string_equal(f->ids, "t1,t2,t3,");
}

static void test_chatbots_list_and_get(void **state)
{
    fixture *f = *state;
    respond(f, "200 OK", OK_JSON,
            ENV("{\"chatbots\":[{\"id\":\"cb1\",\"name\":\"x\"}],\"pagination\":{\"limit\":20,"
                "\"hasNextPage\":false,\"nextCursor\":null}}"));
    respond(f, "200 OK", OK_JSON, ENV("{\"chatbot\":{\"id\":\"cb?2\"}}"));
    respond(f, "200 OK", OK_JSON, ENV("{}"));
    respond(f, "404 Not Found", OK_JSON, ERR("CHATBOT_NOT_FOUND", "no such chatbot"));
    sg_api_list_params p = {0, NULL, false, false};
    sg_api_list_out out = {on_item, NULL, f, {0}, 0};
    assert_int_equal(sg_api_chatbots_list(&f->api, &p, &out, &f->env), SG_OK);
    assert_int_equal(mem_transport_count_sent(&f->net.mt, "GET /api/v2/chatbots HTTP/1.1"), 1);
    assert_int_equal(sg_api_chatbot_get(&f->api, "cb?2", on_item, f, &f->env), SG_OK);
    assert_int_equal(mem_transport_count_sent(&f->net.mt, "GET /api/v2/chatbots/cb%3F2 HTTP"), 1);
    assert_string_equal(f->ids, "cb1,cb?2,");
    /* a 2xx without data.chatbot is not what the contract promises */
    assert_int_equal(sg_api_chatbot_get(&f->api, "cb3", on_item, f, &f->env), SG_ERR_JSON_TYPE);
    assert_int_equal(sg_api_chatbot_get(&f->api, "cb4", on_item, f, &f->env), SG_ERR_API);
    assert_string_equal(f->env.code, "CHATBOT_NOT_FOUND");
    sg_api_list_params bad = {0, NULL, true, false};
    assert_int_equal(sg_api_chatbots_list(&f->api, &bad, &out, &f->env), SG_ERR_INVALID_ARG);
}

static void test_create_body_secret_and_wipe(void **state)
{
    fixture *f = *state;
    respond(f, "201 Created", OK_JSON,
            ENV("{\"token\":{\"id\":\"tok_9\",\"name\":\"ci\"},\"plaintextToken\":"
                "\"sgpt_new_secret_42\"}"));
    const char *scopes[] = {"tokens:read", "chatbots:read"};
    const char *bots[] = {"cb1"};
    sg_api_new_token req = {"ci \xc3\xa9", scopes, 2, bots, 1, 30, NULL};
    char secret[64];
    assert_int_equal(
        sg_api_token_create(&f->api, &req, on_item, f, secret, sizeof(secret), &f->env), SG_OK);
    assert_string_equal(secret, "sgpt_new_secret_42");
    assert_string_equal(f->ids, "tok_9,");
    char head[2048];
    assert_true(request_head(f, 0, head, sizeof(head)));
    assert_non_null(strstr(head, "POST /api/v2/tokens HTTP/1.1\r\n"));
    assert_non_null(strstr(head, "Content-Type: application/json\r\n"));
    assert_non_null(strstr(head, "\r\n\r\n{\"name\":\"ci \xc3\xa9\",\"scopes\":[\"tokens:read\","
                                 "\"chatbots:read\"],\"chatbotIds\":[\"cb1\"],"
                                 "\"expiresInDays\":30}"));
    /* nothing of the secret is left in the I/O buffer or the work buffer */
    assert_false(mem_holds(f->io, sizeof(f->io), "sgpt_new_secret"));
    assert_false(mem_holds(f->work, sizeof(f->work), "sgpt_new_secret"));
}

static void test_create_checks_before_io(void **state)
{
    fixture *f = *state;
    const char *good[] = {"tokens:read"};
    const char *bad[] = {"tokens:reed"};
    char name121[122];
    memset(name121, 'n', 121);
    name121[121] = '\0';
    char secret[64];
    sg_api_new_token reqs[] = {
        {"x", bad, 1, NULL, 0, 0, NULL},      {"", good, 1, NULL, 0, 0, NULL},
        {name121, good, 1, NULL, 0, 0, NULL}, {"x", good, 0, NULL, 0, 0, NULL},
        {"x", good, 1, NULL, 0, 366, NULL},   {"x", good, 1, NULL, 0, 5, "2030-01-01T00:00:00Z"},
        {"x", good, 1, NULL, 1, 0, NULL},
    };
    for (size_t i = 0; i < sizeof reqs / sizeof reqs[0]; i++) {
        assert_int_equal(
            sg_api_token_create(&f->api, &reqs[i], NULL, NULL, secret, sizeof(secret), &f->env),
            SG_ERR_INVALID_ARG);
    }
    assert_int_equal(f->net.mt.open_calls, 0);
    name121[120] = '\0'; /* 120 characters is allowed */
    sg_api_new_token ok = {name121, good, 1, NULL, 0, 0, "2030-01-01T00:00:00Z"};
    respond(f, "201 Created", OK_JSON, ENV("{\"token\":{\"id\":\"t\"},\"plaintextToken\":\"s\"}"));
    assert_int_equal(sg_api_token_create(&f->api, &ok, NULL, NULL, secret, sizeof(secret), &f->env),
                     SG_OK);
    assert_int_equal(mem_transport_count_sent(&f->net.mt, "\"expiresAt\":\"2030-01-01T00:00:00Z\""),
                     1);
}

static void test_create_secret_too_small_and_missing(void **state)
{
    fixture *f = *state;
    const char *scopes[] = {"tokens:read"};
    sg_api_new_token req = {"x", scopes, 1, NULL, 0, 0, NULL};
    respond(f, "201 Created", OK_JSON,
            ENV("{\"token\":{\"id\":\"t\"},\"plaintextToken\":\"sgpt_0123456789\"}"));
    respond(f, "201 Created", OK_JSON, ENV("{\"token\":{\"id\":\"t\"}}"));
    char small[8];
    assert_int_equal(sg_api_token_create(&f->api, &req, NULL, NULL, small, sizeof(small), &f->env),
                     SG_ERR_BUFFER_TOO_SMALL);
    assert_string_equal(small, "");
    char secret[64];
    assert_int_equal(
        sg_api_token_create(&f->api, &req, NULL, NULL, secret, sizeof(secret), &f->env),
        SG_ERR_JSON_TYPE);
}

static void test_rotate_and_revoke(void **state)
{
    fixture *f = *state;
    respond(f, "200 OK", OK_JSON,
            ENV("{\"token\":{\"id\":\"tok_1\"},\"plaintextToken\":\"sgpt_rotated\"}"));
    respond(f, "200 OK", OK_JSON, ENV("{\"token\":{\"id\":\"tok_1\",\"revokedAt\":\"x\"}}"));
    char secret[64];
    assert_int_equal(
        sg_api_token_rotate(&f->api, "tok_1", on_item, f, secret, sizeof(secret), &f->env), SG_OK);
    assert_string_equal(secret, "sgpt_rotated");
    assert_int_equal(mem_transport_count_sent(&f->net.mt, "POST /api/v2/tokens/tok_1/rotate "), 1);
    assert_int_equal(mem_transport_count_sent(&f->net.mt, "Content-Length: 0\r\n"), 1);
    assert_int_equal(sg_api_token_revoke(&f->api, "tok_1", on_item, f, &f->env), SG_OK);
    assert_int_equal(mem_transport_count_sent(&f->net.mt, "DELETE /api/v2/tokens/tok_1 "), 1);
    assert_string_equal(f->ids, "tok_1,tok_1,");
    assert_int_equal(sg_api_token_revoke(&f->api, "", NULL, NULL, &f->env), SG_ERR_INVALID_ARG);
}

/* ------------------------------------------------------------------ retries --- */

static void test_429_retry_after_seconds(void **state)
{
    fixture *f = *state;
    respond(f, "429 Too Many Requests", "Retry-After: 3\r\n", ERR("RATE_LIMITED", "slow"));
    respond(f, "200 OK", OK_JSON, ENV("{\"v\":1}"));
    int http = 0;
    assert_int_equal(
        sg_api_request(&f->api, "GET", "/api/v2/health", NULL, 0, raw_sink, f, &f->env, &http),
        SG_OK);
    assert_int_equal(http, 200);
    assert_int_equal(f->net.clock.slept_ms, 3000);
    assert_int_equal(f->net.clock.sleep_calls, 1);
    assert_string_equal(f->raw, ENV("{\"v\":1}")); /* the 429 body never reached the caller */
    assert_int_equal(sg_envelope_status(&f->env), SG_OK);
    assert_int_equal(f->api._private.last_attempts, 2);
}

static void test_429_retry_after_http_date(void **state)
{
    fixture *f = *state;
    respond(f, "429 Too Many Requests",
            "Retry-After: Sun, 06 Nov 1994 08:49:45 GMT\r\nDate: Sun, 06 Nov 1994 08:49:37 GMT\r\n",
            "");
    respond(f, "200 OK", OK_JSON, ENV("{}"));
    int http = 0;
    assert_int_equal(sg_api_request(&f->api, "POST", "/api/v2/tokens", (const uint8_t *)"{}", 2,
                                    NULL, NULL, &f->env, &http),
                     SG_OK);
    assert_int_equal(http, 200);
#if SG_RETRY_HTTP_DATE
    assert_int_equal(f->net.clock.slept_ms, 8000); /* even a POST: 429 means nothing was done */
#else
    /* built without dates: our own first backoff, in [base/2, base] of the policy's 100 ms */
    assert_in_range(f->net.clock.slept_ms, 50, 100);
#endif
    assert_int_equal(mem_transport_count_sent(&f->net.mt, "POST /api/v2/tokens "), 2);
}

static void test_429_wait_beyond_cap_is_final(void **state)
{
    fixture *f = *state;
    respond(f, "429 Too Many Requests", OK_JSON "Retry-After: 3600\r\n",
            ERR("RATE_LIMITED", "later"));
    sg_api_identity me = {0};
    assert_int_equal(sg_api_me(&f->api, &me, &f->env), SG_ERR_RATE_LIMITED);
    assert_int_equal(f->net.clock.slept_ms, 0);
    assert_int_equal(f->api._private.last_attempts, 1);
    assert_string_equal(f->env.code, "RATE_LIMITED");
}

static void test_429_backoff_without_retry_after(void **state)
{
    fixture *f = *state;
    for (int i = 0; i < 4; i++) {
        respond(f, "429 Too Many Requests", "", "");
    }
    int http = 0;
    assert_int_equal(sg_api_request(&f->api, "GET", "/x", NULL, 0, raw_sink, f, &f->env, &http),
                     SG_OK);
    assert_int_equal(http, 429);
    assert_int_equal(f->api._private.last_attempts, 4); /* max_attempts */
    assert_int_equal(f->net.clock.sleep_calls, 3);
    /* jittered 100, 200, 400 (each in [d/2, d]) */
    assert_in_range(f->net.clock.slept_ms, 50 + 100 + 200, 100 + 200 + 400);
    assert_int_equal(sg_envelope_status(&f->env), SG_ERR_RATE_LIMITED);
    assert_string_equal(f->env.code, "HTTP_ERROR");
}

static void test_5xx_get_retried_post_not(void **state)
{
    fixture *f = *state;
    respond(f, "503 Service Unavailable", OK_JSON, ERR("UNAVAILABLE", "down"));
    respond(f, "502 Bad Gateway", "", "<html>bad gateway</html>");
    respond(f, "200 OK", OK_JSON, PAGE("{\"id\":\"t1\"}", "false", "null"));
    sg_api_list_params p = {0, NULL, false, false};
    sg_api_list_out out = {on_item, NULL, f, {0}, 0};
    assert_int_equal(sg_api_tokens_list(&f->api, &p, &out, &f->env), SG_OK);
    assert_string_equal(f->ids, "t1,"); /* items of failed attempts never delivered */
    assert_int_equal(f->api._private.last_attempts, 3);
    assert_int_equal(f->net.clock.sleep_calls, 2);

    respond(f, "503 Service Unavailable", OK_JSON, ERR("UNAVAILABLE", "down again"));
    const char *scopes[] = {"tokens:read"};
    sg_api_new_token req = {"x", scopes, 1, NULL, 0, 0, NULL};
    char secret[64];
    assert_int_equal(
        sg_api_token_create(&f->api, &req, NULL, NULL, secret, sizeof(secret), &f->env),
        SG_ERR_API);
    assert_int_equal(f->api._private.last_attempts, 1);
    assert_int_equal(f->env.http_status, 503);
    assert_string_equal(f->env.message, "down again");
    assert_int_equal(mem_transport_count_sent(&f->net.mt, "POST /api/v2/tokens "), 1);
}

static void test_revoke_retried_on_5xx(void **state)
{
    fixture *f = *state;
    respond(f, "500 Internal Server Error", "", "");
    respond(f, "200 OK", OK_JSON, ENV("{\"token\":{\"id\":\"t\"}}"));
    assert_int_equal(sg_api_token_revoke(&f->api, "t", NULL, NULL, &f->env), SG_OK);
    assert_int_equal(mem_transport_count_sent(&f->net.mt, "DELETE /api/v2/tokens/t "), 2);
}

static void test_connection_failures(void **state)
{
    fixture *f = *state;
    /* GET: a connection that breaks before any response is retried */
    respond_error(f, SG_ERR_IO);
    respond(f, "200 OK", OK_JSON, ENV("{\"user\":{\"id\":\"u\"},\"auth\":{\"scopes\":[]}}"));
    sg_api_identity me = {0};
    assert_int_equal(sg_api_me(&f->api, &me, &f->env), SG_OK);
    assert_int_equal(f->api._private.last_attempts, 2);
    /* POST: never, it may have created the token (a fresh connection, so that the HTTP
       layer's own resend on a stale kept-alive connection does not come into play) */
    sg_http_client_close(&f->http);
    respond_error(f, SG_ERR_IO);
    char secret[64];
    assert_int_equal(sg_api_token_rotate(&f->api, "t", NULL, NULL, secret, sizeof(secret), &f->env),
                     SG_ERR_IO);
    assert_int_equal(f->api._private.last_attempts, 1);
    /* GET: a failure after the body started reaching the caller is returned as is */
    static const char partial[] = "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{\"ok\":true,";
    mem_step s1 = MEM_DATA(partial, sizeof(partial) - 1), s2 = MEM_ERROR(SG_ERR_IO);
    append(f, s1);
    append(f, s2);
    int http;
    f->raw_len = 0;
    unsigned opens = f->net.mt.opens;
    assert_int_equal(sg_api_request(&f->api, "GET", "/x", NULL, 0, raw_sink, f, &f->env, &http),
                     SG_ERR_IO);
    assert_int_equal(f->api._private.last_attempts, 1);
    assert_int_equal(f->net.mt.opens, opens + 1);
    assert_string_equal(f->raw, "{\"ok\":true,");
}

static void test_connect_failure_exhausts_attempts(void **state)
{
    fixture *f = *state;
    static const mem_step fail[] = {MEM_ERROR(SG_ERR_CONNECT), MEM_ERROR(SG_ERR_CONNECT),
                                    MEM_ERROR(SG_ERR_CONNECT), MEM_ERROR(SG_ERR_CONNECT)};
    mem_transport_script_open(&f->net.mt, fail, 4);
    int http;
    assert_int_equal(sg_api_request(&f->api, "GET", "/x", NULL, 0, NULL, NULL, NULL, &http),
                     SG_ERR_CONNECT);
    assert_int_equal(f->net.mt.open_calls, 4);
    assert_int_equal(f->net.clock.sleep_calls, 3);
}

/* ------------------------------------------------------------------ redirects --- */

static void test_redirect_same_origin_keeps_auth(void **state)
{
    fixture *f = *state;
    respond(f, "301 Moved Permanently", "Location: /api/v2/me2\r\n", "moved");
    respond(f, "200 OK", OK_JSON, ENV("{}"));
    int http;
    assert_int_equal(
        sg_api_request(&f->api, "GET", "/api/v2/me", NULL, 0, raw_sink, f, &f->env, &http), SG_OK);
    assert_int_equal(http, 200);
    assert_string_equal(f->raw, ENV("{}"));
    assert_true(sent_auth(f, 0));
    assert_true(sent_auth(f, 1));
    char head[2048];
    assert_true(request_head(f, 1, head, sizeof(head)));
    assert_non_null(strstr(head, "GET /api/v2/me2 HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n"));
}

static void test_redirect_other_origin_drops_auth(void **state)
{
    fixture *f = *state;
    respond(f, "302 Found", "Location: http://127.0.0.1:9090/a\r\n", "");
    respond(f, "307 Temporary Redirect", "Location: http://localhost:9090/b\r\n", "");
    respond(f, "308 Permanent Redirect", "Location: http://127.0.0.1:8080/c\r\n", "");
    respond(f, "200 OK", OK_JSON, ENV("{}"));
    int http;
    assert_int_equal(sg_api_request(&f->api, "GET", "/start", NULL, 0, NULL, NULL, &f->env, &http),
                     SG_OK);
    assert_int_equal(http, 200);
    assert_int_equal(f->api._private.last_redirects, 3);
    assert_true(sent_auth(f, 0));
    assert_false(sent_auth(f, 1)); /* other port */
    assert_false(sent_auth(f, 2)); /* other host */
    assert_true(sent_auth(f, 3));  /* back on the configured origin */
    assert_int_equal(mem_transport_count_sent(&f->net.mt, "Host: localhost:9090\r\n"), 1);
    assert_int_equal(mem_transport_count_sent(&f->net.mt, "Authorization"), 2);
}

static void test_redirect_scheme_change_drops_auth(void **state)
{
    fixture *f = *state;
    respond(f, "307 Temporary Redirect", "Location: https://127.0.0.1:8080/tls\r\n", "");
    respond(f, "200 OK", OK_JSON, ENV("{}"));
    int http;
    assert_int_equal(sg_api_request(&f->api, "GET", "/x", NULL, 0, NULL, NULL, &f->env, &http),
                     SG_OK);
    assert_false(sent_auth(f, 1));
}

static void test_too_many_redirects(void **state)
{
    fixture *f = *state;
    for (int i = 0; i < 4; i++) {
        respond(f, "302 Found", "Location: /loop\r\n", "");
    }
    int http;
    assert_int_equal(sg_api_request(&f->api, "GET", "/x", NULL, 0, raw_sink, f, &f->env, &http),
                     SG_ERR_HTTP_TOO_MANY_REDIRECTS);
    assert_int_equal(f->raw_len, 0);
    assert_int_equal(mem_transport_count_sent(&f->net.mt, "GET /"), 4);
}

static void test_redirect_303_turns_post_into_get(void **state)
{
    fixture *f = *state;
    respond(f, "303 See Other", "Location: /result\r\n", "");
    respond(f, "200 OK", OK_JSON, ENV("{}"));
    respond(f, "307 Temporary Redirect", "Location: /again\r\n", "");
    respond(f, "200 OK", OK_JSON, ENV("{}"));
    int http;
    assert_int_equal(sg_api_request(&f->api, "POST", "/make", (const uint8_t *)"{\"a\":1}", 7, NULL,
                                    NULL, &f->env, &http),
                     SG_OK);
    char head[2048];
    assert_true(request_head(f, 1, head, sizeof(head)));
    assert_non_null(strstr(head, "GET /result HTTP/1.1\r\n"));
    assert_null(strstr(head, "{\"a\":1}"));
    assert_int_equal(sg_api_request(&f->api, "POST", "/make", (const uint8_t *)"{\"a\":1}", 7, NULL,
                                    NULL, &f->env, &http),
                     SG_OK);
    assert_true(request_head(f, 3, head, sizeof(head)));
    assert_non_null(strstr(head, "POST /again HTTP/1.1\r\n"));
    assert_non_null(strstr(head, "\r\n\r\n{\"a\":1}"));
}

static void test_each_redirect_hop_has_its_own_attempts(void **state)
{
    fixture *f = *state;
    sg_api_config ac = f->api.cfg;
    ac.retry.max_attempts = 2;
    assert_int_equal(sg_api_init(&f->api, &ac), SG_OK);
    respond(f, "302 Found", "Location: /a\r\n", "");
    respond(f, "302 Found", "Location: /b\r\n", "");
    respond(f, "503 Service Unavailable", "", "");
    respond(f, "200 OK", OK_JSON, ENV("{}"));
    int http;
    assert_int_equal(sg_api_request(&f->api, "GET", "/x", NULL, 0, NULL, NULL, &f->env, &http),
                     SG_OK);
    assert_int_equal(http, 200);
    assert_int_equal(mem_transport_count_sent(&f->net.mt, "GET /b "), 2);
}

static void test_redirect_without_location_is_final(void **state)
{
    fixture *f = *state;
    respond(f, "302 Found", "", "plain");
    int http;
    assert_int_equal(sg_api_request(&f->api, "GET", "/x", NULL, 0, raw_sink, f, &f->env, &http),
                     SG_OK);
    assert_int_equal(http, 302);
    assert_string_equal(f->raw, "plain");
    assert_int_equal(sg_envelope_status(&f->env), SG_ERR_API);
}

/* The API's origin becomes https://localhost:8443 (the same scripted transport serves it). */
static void use_https_origin(fixture *f)
{
    sg_api_config ac = f->api.cfg;
    ac.origin.host = "localhost";
    ac.origin.port = 8443;
    ac.origin.tls = true;
    assert_int_equal(sg_api_init(&f->api, &ac), SG_OK);
}

static void test_redirect_https_to_http_refused(void **state)
{
    fixture *f = *state;
    use_https_origin(f);
    /* even to loopback, even to the same host and port: never down to plain http */
    static const char *const locations[] = {"Location: http://localhost:8443/x\r\n",
                                            "Location: HTTP://127.0.0.1/x\r\n",
                                            "Location: http://evil.test/x\r\n"};
    for (size_t i = 0; i < sizeof locations / sizeof locations[0]; i++) {
        respond(f, "302 Found", locations[i], "moved");
        int http = 7;
        f->raw_len = 0;
        size_t before = mem_transport_count_sent(&f->net.mt, "GET /");
        assert_int_equal(
            sg_api_request(&f->api, "GET", "/api/v2/me", NULL, 0, raw_sink, f, &f->env, &http),
            SG_ERR_HTTP_REDIRECT_DOWNGRADE);
        assert_int_equal(mem_transport_count_sent(&f->net.mt, "GET /"), before + 1);
        assert_int_equal(f->raw_len, 0); /* the redirect is not taken for the answer either */
    }
}

static void test_redirect_to_insecure_host_refused(void **state)
{
    fixture *f = *state;
    /* from plain http on loopback: plain http to any other host is still refused */
    respond(f, "307 Temporary Redirect", "Location: http://evil.test:8080/x\r\n", "");
    int http;
    assert_int_equal(sg_api_request(&f->api, "GET", "/x", NULL, 0, NULL, NULL, &f->env, &http),
                     SG_ERR_INSECURE_URL);
    assert_int_equal(mem_transport_count_sent(&f->net.mt, "GET /"), 1);
    assert_int_equal(mem_transport_count_sent(&f->net.mt, "evil"), 0);
}

static void test_redirect_body_not_resent_cross_origin(void **state)
{
    fixture *f = *state;
    static const struct {
        const char *status;
        const char *method;
    } cases[] = {{"307 Temporary Redirect", "POST"},   {"308 Permanent Redirect", "POST"},
                 {"307 Temporary Redirect", "PUT"},    {"308 Permanent Redirect", "PATCH"},
                 {"307 Temporary Redirect", "DELETE"}, {"301 Moved Permanently", "PUT"}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        sg_http_client_close(&f->http);
        f->net.mt.captured = 0;
        respond(f, cases[i].status, "Location: http://localhost:9090/elsewhere\r\n", "");
        int http;
        assert_int_equal(sg_api_request(&f->api, cases[i].method, "/api/v2/tokens",
                                        (const uint8_t *)"{\"a\":1}", 7, NULL, NULL, &f->env,
                                        &http),
                         SG_ERR_HTTP_REDIRECT_BODY);
        assert_int_equal(mem_transport_count_sent(&f->net.mt, "{\"a\":1}"), 1);
        assert_int_equal(mem_transport_count_sent(&f->net.mt, "/elsewhere"), 0);
    }
    /* a 303 turns it into a GET without body: that may go anywhere */
    f->net.mt.captured = 0;
    respond(f, "303 See Other", "Location: http://localhost:9090/result\r\n", "");
    respond(f, "200 OK", OK_JSON, ENV("{}"));
    int http;
    assert_int_equal(sg_api_request(&f->api, "POST", "/api/v2/tokens", (const uint8_t *)"{\"a\":1}",
                                    7, NULL, NULL, &f->env, &http),
                     SG_OK);
    assert_int_equal(mem_transport_count_sent(&f->net.mt, "GET /result "), 1);
    assert_int_equal(mem_transport_count_sent(&f->net.mt, "{\"a\":1}"), 1);
}

static void test_redirect_check_rules(void **state)
{
    (void)state;
    const sg_http_origin https_a = {"a.test", 443, true};
    const sg_http_origin https_a2 = {"A.test", 443, true};
    const sg_http_origin https_b = {"b.test", 443, true};
    const sg_http_origin http_lo = {"localhost", 80, false};
    const sg_http_origin http_lo2 = {"127.0.0.1", 80, false};
    assert_int_equal(sg_redirect_check(&https_a, &https_b, "GET"), SG_OK);
    assert_int_equal(sg_redirect_check(&https_a, &https_b, "HEAD"), SG_OK);
    assert_int_equal(sg_redirect_check(&https_a, &https_a2, "POST"), SG_OK);
    assert_int_equal(sg_redirect_check(&https_a, &https_b, "POST"), SG_ERR_HTTP_REDIRECT_BODY);
    assert_int_equal(sg_redirect_check(&https_a, &https_b, "DELETE"), SG_ERR_HTTP_REDIRECT_BODY);
    assert_int_equal(sg_redirect_check(&https_a, &http_lo, "GET"), SG_ERR_HTTP_REDIRECT_DOWNGRADE);
    assert_int_equal(sg_redirect_check(&http_lo, &https_a, "GET"), SG_OK);
    assert_int_equal(sg_redirect_check(&http_lo, &http_lo2, "PATCH"), SG_ERR_HTTP_REDIRECT_BODY);
    assert_int_equal(sg_redirect_check(NULL, &https_a, "GET"), SG_ERR_INVALID_ARG);
}

/* ------------------------------------------------------------------ one deadline --- */

static void set_timeout(fixture *f, uint32_t ms)
{
    sg_api_config ac = f->api.cfg;
    ac.timeout_ms = ms;
    assert_int_equal(sg_api_init(&f->api, &ac), SG_OK);
}

/* A byte a second never ends: the request's one deadline ends it, retries included. */
static void test_deadline_bounds_drip_and_retries(void **state)
{
    fixture *f = *state;
    set_timeout(f, 3000);
    static const char head[] = "HTTP/1.1 200 OK\r\nContent-Length: 50\r\n\r\n{\"ok\":tr";
    static mem_step drip[40];
    for (size_t i = 0; i < 40; i++) {
        drip[i] = (mem_step){MEM_STEP_DATA, head + (i % (sizeof head - 1)), 1, SG_OK, 900};
    }
    mem_transport_script_recv(&f->net.mt, drip, 40);
    uint64_t start = f->net.clock.now_ms;
    int http;
    assert_int_equal(sg_api_request(&f->api, "GET", "/api/v2/me", NULL, 0, NULL, NULL, NULL, &http),
                     SG_ERR_TIMEOUT);
    assert_true(f->net.clock.now_ms - start <= 3000);
    assert_int_equal(f->api._private.last_attempts, 1); /* no time was left for a retry */
}

/* A response in two pieces, each arriving delay_ms after the last (under the read timeout). */
static void respond_slowly(fixture *f, const char *text, uint32_t delay_ms)
{
    size_t n = strlen(text);
    mem_step a = {MEM_STEP_DATA, text, 10, SG_OK, delay_ms};
    mem_step b = {MEM_STEP_DATA, text + 10, n - 10, SG_OK, delay_ms};
    append(f, a);
    append(f, b);
}

static void test_deadline_spans_attempts(void **state)
{
    fixture *f = *state;
    set_timeout(f, 3000);
    /* a 503 after 1.6 s, a short backoff, then the retry's answer would need 1.6 s more */
    respond_slowly(f, "HTTP/1.1 503 X\r\nContent-Length: 0\r\n\r\n", 800);
    respond_slowly(f, "HTTP/1.1 200 X\r\nContent-Length: 0\r\n\r\n", 800);
    uint64_t start = f->net.clock.now_ms;
    int http;
    assert_int_equal(sg_api_request(&f->api, "GET", "/x", NULL, 0, NULL, NULL, NULL, &http),
                     SG_ERR_TIMEOUT);
    assert_true(f->net.clock.now_ms - start <= 3000);
    assert_int_equal(f->api._private.last_attempts, 2);
    /* the same script without the deadline: the retry gets its answer (the test can fail) */
    mem_transport_script_recv(&f->net.mt, f->steps, f->nresp);
    sg_http_client_close(&f->http);
    set_timeout(f, 0);
    assert_int_equal(sg_api_request(&f->api, "GET", "/x", NULL, 0, NULL, NULL, NULL, &http), SG_OK);
    assert_int_equal(http, 200);
}

static void test_deadline_makes_a_long_wait_final(void **state)
{
    fixture *f = *state;
    set_timeout(f, 3000);
    /* Retry-After 2 s after 1.6 s: waiting would pass the deadline, so the 429 is the answer */
    respond_slowly(f, "HTTP/1.1 429 X\r\nRetry-After: 2\r\nContent-Length: 2\r\n\r\n{}", 800);
    int http;
    f->raw_len = 0;
    assert_int_equal(sg_api_request(&f->api, "GET", "/x", NULL, 0, raw_sink, f, &f->env, &http),
                     SG_OK);
    assert_int_equal(http, 429);
    assert_string_equal(f->raw, "{}");
    assert_int_equal(f->net.clock.sleep_calls, 0);
    assert_int_equal(f->api._private.last_attempts, 1);
}

static void test_path_ids_are_one_segment(void **state)
{
    fixture *f = *state;
    char secret[64];
    static const char *const bad[] = {".", "..", "a/b", "../me", ""};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(
            sg_api_token_rotate(&f->api, bad[i], NULL, NULL, secret, sizeof secret, &f->env),
            SG_ERR_INVALID_ARG);
        assert_int_equal(sg_api_token_revoke(&f->api, bad[i], NULL, NULL, &f->env),
                         SG_ERR_INVALID_ARG);
        assert_int_equal(sg_api_chatbot_get(&f->api, bad[i], NULL, NULL, &f->env),
                         SG_ERR_INVALID_ARG);
    }
    assert_int_equal(f->net.mt.captured, 0); /* nothing sent */
    respond(f, "200 OK", OK_JSON, ENV("{\"chatbot\":{\"id\":\"x\"}}"));
    assert_int_equal(sg_api_chatbot_get(&f->api, "a?b#c", NULL, NULL, &f->env), SG_OK);
    assert_int_equal(mem_transport_count_sent(&f->net.mt, "GET /api/v2/chatbots/a%3Fb%23c "), 1);
}

static void test_generic_non_json_body(void **state)
{
    fixture *f = *state;
    respond(f, "200 OK", "Content-Type: text/plain\r\n", "hello");
    int http;
    assert_int_equal(sg_api_request(&f->api, "GET", "/x", NULL, 0, raw_sink, f, &f->env, &http),
                     SG_OK);
    assert_string_equal(f->raw, "hello");
    assert_false(f->env.has_ok);
}

static sg_status header_sink(void *ctx, int status, sg_slice name, sg_slice value)
{
    fixture *f = ctx;
    char line[128];
    int n = snprintf(line, sizeof line, "%d %.*s=%.*s;", status, (int)name.len, name.ptr,
                     (int)value.len, value.ptr);
    assert_true(n > 0 && (size_t)n < sizeof line);
    assert_true(capture_append(f->raw, sizeof(f->raw), &f->raw_len, line, (size_t)n));
    return SG_OK;
}

static void test_header_sink_sees_final_response_only(void **state)
{
    fixture *f = *state;
    respond(f, "503 Service Unavailable", "X-Try: 1\r\n", "busy");
    respond(f, "302 Found", "Location: http://localhost:9999/next\r\nX-Try: 2\r\n", "");
    respond(f, "200 OK", "X-Try: 3\r\n", "done");
    static const sg_http_header extra[] = {{"X-Trace", "abc"}};
    assert_int_equal(sg_api_set_request_headers(&f->api, extra, 1), SG_OK);
    assert_int_equal(sg_api_set_header_sink(&f->api, header_sink, f), SG_OK);
    int http;
    assert_int_equal(sg_api_request(&f->api, "GET", "/h", NULL, 0, raw_sink, f, &f->env, &http),
                     SG_OK);
    assert_string_equal(f->raw, "200 X-Try=3;200 Content-Length=4;done");
    /* the extra header, like the token, stays on the configured origin */
    assert_int_equal(mem_transport_count_sent(&f->net.mt, "X-Trace: abc\r\n"), 2);
    char head[2048];
    assert_true(request_head(f, 2, head, sizeof(head)));
    assert_null(strstr(head, "X-Trace"));
}

/* ------------------------------------------------------------------ engine edges --- */

static void test_api_argument_checks(void **state)
{
    fixture *f = *state;
    sg_api api;
    sg_api_config ac = f->api.cfg;
    assert_int_equal(sg_api_init(NULL, &ac), SG_ERR_INVALID_ARG);
    assert_int_equal(sg_api_init(&api, NULL), SG_ERR_INVALID_ARG);
    ac.http = NULL;
    assert_int_equal(sg_api_init(&api, &ac), SG_ERR_INVALID_ARG);
    ac = f->api.cfg;
    ac.origin.host = NULL;
    assert_int_equal(sg_api_init(&api, &ac), SG_ERR_INVALID_ARG);
    ac = f->api.cfg;
    ac.origin.port = 0;
    assert_int_equal(sg_api_init(&api, &ac), SG_ERR_INVALID_ARG);
    ac = f->api.cfg;
    ac.work = NULL;
    assert_int_equal(sg_api_init(&api, &ac), SG_ERR_INVALID_ARG);
    ac = f->api.cfg;
    ac.work_size = SG_API_WORK_MIN - 1;
    assert_int_equal(sg_api_init(&api, &ac), SG_ERR_INVALID_ARG);
    ac = f->api.cfg;
    ac.base_path = "proxy"; /* not starting with '/' */
    assert_int_equal(sg_api_init(&api, &ac), SG_ERR_INVALID_ARG);
    static char long_path[SG_API_TARGET_MAX / 2u + 1];
    memset(long_path, 'p', sizeof long_path - 1);
    long_path[0] = '/';
    ac.base_path = long_path;
    assert_int_equal(sg_api_init(&api, &ac), SG_ERR_INVALID_ARG);
    static char long_host[SG_HOST_MAX + 1];
    memset(long_host, 'h', SG_HOST_MAX);
    ac = f->api.cfg;
    ac.origin.host = long_host;
    assert_int_equal(sg_api_init(&api, &ac), SG_ERR_INVALID_ARG);
    ac.base_path = NULL; /* none: the routes as they are */
    ac.origin.host = "127.0.0.1";
    assert_int_equal(sg_api_init(&api, &ac), SG_OK);
    assert_string_equal(api.cfg.base_path, "");

    assert_int_equal(sg_api_set_raw_sink(NULL, raw_sink, f), SG_ERR_INVALID_ARG);
    assert_int_equal(sg_api_set_header_sink(NULL, NULL, NULL), SG_ERR_INVALID_ARG);
    assert_int_equal(sg_api_set_request_headers(NULL, NULL, 0), SG_ERR_INVALID_ARG);
    assert_int_equal(sg_api_set_request_headers(&f->api, NULL, 1), SG_ERR_INVALID_ARG);
    assert_int_equal(sg_api_set_request_headers(&f->api, NULL, 0), SG_OK);
    assert_int_equal(f->net.mt.open_calls, 0);
}

/* A Retry-After said twice, or too long to be a delay, is not trusted: the backoff applies. */
static void test_unusable_retry_after_falls_back_to_backoff(void **state)
{
    fixture *f = *state;
    respond(f, "429 Too Many Requests", "Retry-After: 1\r\nRetry-After: 2\r\n", "");
    respond(f, "429 Too Many Requests",
            "Retry-After: 0000000000000000000000000000000000000000001\r\n", "");
    respond(f, "200 OK", OK_JSON, ENV("{}"));
    int http = 0;
    assert_int_equal(sg_api_request(&f->api, "GET", "/x", NULL, 0, NULL, NULL, &f->env, &http),
                     SG_OK);
    assert_int_equal(http, 200);
    assert_int_equal(f->net.clock.sleep_calls, 2);
    assert_in_range(f->net.clock.slept_ms, 50 + 100, 100 + 200); /* not 1 s or 2 s */
}

static sg_status refusing_header_sink(void *ctx, int status, sg_slice name, sg_slice value)
{
    (void)status;
    (void)name;
    (void)value;
    (*(unsigned *)ctx)++;
    return SG_ERR_CANCELLED;
}

static sg_status refusing_body(void *ctx, const uint8_t *data, size_t len)
{
    (void)data;
    (void)len;
    (*(unsigned *)ctx)++;
    return SG_ERR_CANCELLED;
}

/* The caller's sinks may refuse: the request ends with their status, and is not retried. */
static void test_sinks_may_refuse(void **state)
{
    fixture *f = *state;
    unsigned calls = 0;
    int http = 7;
    respond(f, "200 OK", "X-A: 1\r\n", "body");
    assert_int_equal(sg_api_set_header_sink(&f->api, refusing_header_sink, &calls), SG_OK);
    assert_int_equal(sg_api_request(&f->api, "GET", "/h", NULL, 0, raw_sink, f, &f->env, &http),
                     SG_ERR_CANCELLED);
    assert_int_equal(calls, 1);
    assert_int_equal(f->raw_len, 0); /* no body after a refused header */
    assert_int_equal(f->api._private.last_attempts, 1);
    assert_int_equal(sg_api_set_header_sink(&f->api, NULL, NULL), SG_OK);

    calls = 0;
    respond(f, "200 OK", "", "body");
    assert_int_equal(
        sg_api_request(&f->api, "GET", "/b", NULL, 0, refusing_body, &calls, NULL, &http),
        SG_ERR_CANCELLED);
    assert_int_equal(calls, 1);
    assert_int_equal(f->api._private.last_attempts, 1);

    calls = 0;
    respond(f, "200 OK", OK_JSON, ENV("{\"user\":{\"id\":\"u\"},\"auth\":{\"scopes\":[]}}"));
    assert_int_equal(sg_api_set_raw_sink(&f->api, refusing_body, &calls), SG_OK);
    sg_api_identity me = {0};
    assert_int_equal(sg_api_me(&f->api, &me, &f->env), SG_ERR_CANCELLED);
    assert_int_equal(calls, 1);
    assert_string_equal(me.user_id, ""); /* the raw sink comes first and stopped it all */
    assert_int_equal(f->api._private.last_attempts, 1);
}

/* Headers beyond the element area's room are dropped, as sg_api.h says; the rest arrive. */
static void test_header_sink_room_is_bounded(void **state)
{
    fixture *f = *state;
    static uint8_t io[4096];
    static uint64_t work[SG_API_WORK_MIN / 8u];
    sg_http_client http;
    sg_http_config hc = {&f->net.platform, &f->net.transport, &f->net.transport, 1000, 1000, 5000};
    assert_int_equal(sg_http_client_init(&http, &hc, io, sizeof io), SG_OK);
    sg_api api;
    sg_api_config ac = f->api.cfg;
    ac.http = &http;
    ac.work = work;
    ac.work_size = sizeof work;
    assert_int_equal(sg_api_init(&api, &ac), SG_OK);
    /* 30 headers of 100 bytes each: about 3000 bytes, more than the ~1.8 KB element area */
    static char headers[3200];
    size_t used = 0;
    for (int i = 0; i < 30; i++) {
        char line[128];
        int n = snprintf(line, sizeof line, "X-Pad-%02d: %090d\r\n", i, i);
        assert_true(n > 0 && used + (size_t)n < sizeof headers);
        memcpy(headers + used, line, (size_t)n);
        used += (size_t)n;
    }
    headers[used] = '\0';
    static char resp[3400];
    int n =
        snprintf(resp, sizeof resp, "HTTP/1.1 200 OK\r\n%sContent-Length: 2\r\n\r\nok", headers);
    assert_true(n > 0 && (size_t)n < sizeof resp);
    mem_step step = MEM_DATA(resp, (size_t)n);
    append(f, step);
    assert_int_equal(sg_api_set_header_sink(&api, header_sink, f), SG_OK);
    int status = 0;
    assert_int_equal(sg_api_request(&api, "GET", "/pad", NULL, 0, NULL, NULL, NULL, &status),
                     SG_OK);
    assert_int_equal(status, 200);
    /* each kept header costs its name, value and two NULs: 9 + 90 + 2 bytes */
    size_t fit = api._private.elem_cap / 101u;
    assert_true(fit > 0 && fit < 30);
    char last_in[32], first_out[32];
    snprintf(last_in, sizeof last_in, "200 X-Pad-%02u=", (unsigned)(fit - 1));
    snprintf(first_out, sizeof first_out, "200 X-Pad-%02u=", (unsigned)fit);
    assert_non_null(strstr(f->raw, "200 X-Pad-00="));
    assert_non_null(strstr(f->raw, last_in));
    assert_null(strstr(f->raw, first_out)); /* no room left for the rest */
    assert_null(strstr(f->raw, "200 X-Pad-29="));
    sg_http_client_close(&http);
}

/* A redirect that arrives just as the request's deadline passes is not followed. */
static void test_redirect_at_the_deadline(void **state)
{
    fixture *f = *state;
    set_timeout(f, 1000);
    static const char moved[] =
        "HTTP/1.1 302 Found\r\nLocation: /next\r\nContent-Length: 0\r\n\r\n";
    mem_step late = {MEM_STEP_DATA, moved, sizeof moved - 1, SG_OK, 1000};
    append(f, late);
    respond(f, "200 OK", OK_JSON, ENV("{}"));
    int http = 7;
    assert_int_equal(sg_api_request(&f->api, "GET", "/x", NULL, 0, NULL, NULL, &f->env, &http),
                     SG_ERR_TIMEOUT);
    assert_int_equal(http, 0);
    assert_int_equal(mem_transport_count_sent(&f->net.mt, "GET /"), 1);
    assert_int_equal(f->net.clock.sleep_calls, 0);
}

/* A Location that cannot be used makes the redirect the final answer, as without one; one on a
   status that is not a redirect is ignored. */
static void test_unusable_location_is_final(void **state)
{
    fixture *f = *state;
    static const char *const headers[] = {"Location: ::not a url\r\n",
                                          "Location: /a\r\nLocation: /b\r\n"};
    for (size_t i = 0; i < 2; i++) {
        respond(f, "302 Found", headers[i], "moved");
        int http = 0;
        f->raw_len = 0;
        f->raw[0] = '\0';
        assert_int_equal(sg_api_request(&f->api, "GET", "/x", NULL, 0, raw_sink, f, &f->env, &http),
                         SG_OK);
        assert_int_equal(http, 302);
        assert_string_equal(f->raw, "moved");
        assert_int_equal(f->api._private.last_redirects, 0);
    }
    respond(f, "200 OK", "Location: /elsewhere\r\n", "here");
    int http = 0;
    f->raw_len = 0;
    f->raw[0] = '\0';
    assert_int_equal(sg_api_request(&f->api, "GET", "/x", NULL, 0, raw_sink, f, &f->env, &http),
                     SG_OK);
    assert_int_equal(http, 200);
    assert_string_equal(f->raw, "here");
    assert_int_equal(mem_transport_count_sent(&f->net.mt, "GET /"), 3);
}

/* A typed call whose envelope ends early (a JSON body cut by its own Content-Length). */
static void test_typed_call_with_cut_envelope(void **state)
{
    fixture *f = *state;
    respond(f, "200 OK", OK_JSON, "{\"ok\":true,\"data\":{\"user\":{\"id\":\"u\"}");
    sg_api_identity me = {0};
    sg_status st = sg_api_me(&f->api, &me, &f->env);
    assert_int_equal(st, SG_ERR_JSON_SYNTAX);
    assert_int_equal(f->api._private.last_attempts, 1);
}

/* ------------------------------------------------------------------ route edges --- */

static void test_route_argument_checks(void **state)
{
    fixture *f = *state;
    int http = 7;
    char secret[16];
    sg_api_identity me = {0};
    sg_api_list_params lp = {0, NULL, false, false};
    sg_api_list_out lo = {NULL, NULL, NULL, {0}, 0};
    const char *scopes[] = {"tokens:read"};
    sg_api_new_token req = {"x", scopes, 1, NULL, 0, 0, NULL};
    assert_int_equal(sg_api_request(NULL, "GET", "/x", NULL, 0, NULL, NULL, NULL, &http),
                     SG_ERR_INVALID_ARG);
    assert_int_equal(http, 0); /* cleared first */
    assert_int_equal(sg_api_request(&f->api, NULL, "/x", NULL, 0, NULL, NULL, NULL, &http),
                     SG_ERR_INVALID_ARG);
    assert_int_equal(sg_api_request(&f->api, "GET", NULL, NULL, 0, NULL, NULL, NULL, &http),
                     SG_ERR_INVALID_ARG);
    assert_int_equal(sg_api_request(&f->api, "GET", "x", NULL, 0, NULL, NULL, NULL, &http),
                     SG_ERR_INVALID_ARG);
    assert_int_equal(sg_api_request(&f->api, "GET", "/x", NULL, 0, NULL, NULL, NULL, NULL),
                     SG_ERR_INVALID_ARG);
    assert_int_equal(sg_api_request(&f->api, "POST", "/x", NULL, 3, NULL, NULL, NULL, &http),
                     SG_ERR_INVALID_ARG);
    assert_int_equal(sg_api_me(NULL, &me, &f->env), SG_ERR_INVALID_ARG);
    assert_int_equal(sg_api_me(&f->api, NULL, &f->env), SG_ERR_INVALID_ARG);
    assert_int_equal(sg_api_account(&f->api, &me, NULL), SG_ERR_INVALID_ARG);
    assert_int_equal(sg_api_tokens_list(NULL, &lp, &lo, &f->env), SG_ERR_INVALID_ARG);
    assert_int_equal(sg_api_tokens_list(&f->api, NULL, &lo, &f->env), SG_ERR_INVALID_ARG);
    assert_int_equal(sg_api_tokens_list(&f->api, &lp, NULL, &f->env), SG_ERR_INVALID_ARG);
    assert_int_equal(sg_api_chatbots_list(&f->api, &lp, &lo, NULL), SG_ERR_INVALID_ARG);
    assert_int_equal(sg_api_chatbots_list(&f->api, NULL, &lo, &f->env), SG_ERR_INVALID_ARG);
    assert_int_equal(sg_api_token_create(NULL, &req, NULL, NULL, secret, sizeof secret, &f->env),
                     SG_ERR_INVALID_ARG);
    assert_int_equal(sg_api_token_create(&f->api, NULL, NULL, NULL, secret, sizeof secret, &f->env),
                     SG_ERR_INVALID_ARG);
    assert_int_equal(sg_api_token_create(&f->api, &req, NULL, NULL, secret, sizeof secret, NULL),
                     SG_ERR_INVALID_ARG);
    assert_int_equal(sg_api_token_create(&f->api, &req, NULL, NULL, NULL, sizeof secret, &f->env),
                     SG_ERR_INVALID_ARG);
    assert_int_equal(sg_api_token_create(&f->api, &req, NULL, NULL, secret, 0, &f->env),
                     SG_ERR_INVALID_ARG);
    assert_int_equal(sg_api_token_rotate(NULL, "t", NULL, NULL, secret, sizeof secret, &f->env),
                     SG_ERR_INVALID_ARG);
    assert_int_equal(sg_api_token_rotate(&f->api, "t", NULL, NULL, secret, sizeof secret, NULL),
                     SG_ERR_INVALID_ARG);
    assert_int_equal(sg_api_token_rotate(&f->api, "t", NULL, NULL, NULL, 0, &f->env),
                     SG_ERR_INVALID_ARG);
    assert_int_equal(sg_api_token_revoke(NULL, "t", NULL, NULL, &f->env), SG_ERR_INVALID_ARG);
    assert_int_equal(sg_api_token_revoke(&f->api, "t", NULL, NULL, NULL), SG_ERR_INVALID_ARG);
    assert_int_equal(sg_api_token_revoke(&f->api, NULL, NULL, NULL, &f->env), SG_ERR_INVALID_ARG);
    assert_int_equal(sg_api_chatbot_get(NULL, "c", NULL, NULL, &f->env), SG_ERR_INVALID_ARG);
    assert_int_equal(sg_api_chatbot_get(&f->api, "c", NULL, NULL, NULL), SG_ERR_INVALID_ARG);
    /* chatbot ids named but one missing or empty */
    const char *ids_null[] = {"cb_1", NULL};
    const char *ids_empty[] = {"cb_1", ""};
    sg_api_new_token bad_ids = {"x", scopes, 1, ids_null, 2, 0, NULL};
    assert_int_equal(
        sg_api_token_create(&f->api, &bad_ids, NULL, NULL, secret, sizeof secret, &f->env),
        SG_ERR_INVALID_ARG);
    bad_ids.chatbot_ids = ids_empty;
    assert_int_equal(
        sg_api_token_create(&f->api, &bad_ids, NULL, NULL, secret, sizeof secret, &f->env),
        SG_ERR_INVALID_ARG);
    sg_api_new_token no_name = {NULL, scopes, 1, NULL, 0, 0, NULL};
    assert_int_equal(
        sg_api_token_create(&f->api, &no_name, NULL, NULL, secret, sizeof secret, &f->env),
        SG_ERR_INVALID_ARG);
    sg_api_new_token empty_expiry = {"x", scopes, 1, NULL, 0, 0, ""};
    assert_int_equal(
        sg_api_token_create(&f->api, &empty_expiry, NULL, NULL, secret, sizeof secret, &f->env),
        SG_ERR_INVALID_ARG);
    assert_int_equal(f->net.mt.open_calls, 0); /* none of it reached the network */
}

/* Targets longer than the target buffer, and cursors longer than a cursor may be. */
static void test_targets_and_cursors_bounded(void **state)
{
    fixture *f = *state;
    static char path[SG_API_TARGET_MAX + 8];
    memset(path, 'a', sizeof path - 1);
    path[0] = '/';
    int http = 7;
    assert_int_equal(sg_api_request(&f->api, "GET", path, NULL, 0, NULL, NULL, NULL, &http),
                     SG_ERR_BUFFER_TOO_SMALL);
    static char id[SG_API_TARGET_MAX];
    memset(id, 'i', sizeof id - 1);
    assert_int_equal(sg_api_chatbot_get(&f->api, id, NULL, NULL, &f->env), SG_ERR_BUFFER_TOO_SMALL);
    static char cursor[SG_API_CURSOR_MAX + 1];
    memset(cursor, 'c', SG_API_CURSOR_MAX);
    sg_api_list_params lp = {0, cursor, false, false};
    sg_api_list_out lo = {NULL, NULL, NULL, {0}, 0};
    assert_int_equal(sg_api_tokens_list(&f->api, &lp, &lo, &f->env), SG_ERR_INVALID_ARG);
    assert_int_equal(f->net.mt.open_calls, 0);
}

/* More chatbot ids than the identity's text holds: cut, flagged, and all still counted. */
static void test_me_chatbot_ids_cut(void **state)
{
    fixture *f = *state;
    static char data[1000];
    size_t used = 0;
    used += (size_t)snprintf(data, sizeof data,
                             "{\"auth\":{\"scopes\":[\"tokens:read\"],"
                             "\"chatbotIds\":[");
    for (int i = 0; i < 20; i++) {
        used +=
            (size_t)snprintf(data + used, sizeof data - used, "%s\"cb_%026d\"", i ? "," : "", i);
    }
    snprintf(data + used, sizeof data - used, "]}}");
    static char body[1100];
    snprintf(body, sizeof body, "{\"ok\":true,\"data\":%s}", data);
    respond(f, "200 OK", OK_JSON, body);
    sg_api_identity me = {0};
    assert_int_equal(sg_api_me(&f->api, &me, &f->env), SG_OK);
    assert_int_equal(me.chatbot_count, 20);
    assert_true(me.truncated);
    assert_true(strlen(me.chatbot_ids) < sizeof me.chatbot_ids);
    /* whole ids only, in order: 29 characters each and a space between */
    size_t n = strlen(me.chatbot_ids);
    assert_int_equal((n + 1) % 30, 0);
    assert_int_equal(strncmp(me.chatbot_ids + 30, "cb_00000000000000000000000001", 29), 0);
    assert_int_equal(me.scope_count, 1); /* no scope callback: counted all the same */
    assert_int_equal(me.scope_bits, 1u << 2);
}

/* Without a platform (or one that cannot sleep) no wait is made: a retry needing one is given
   up and the answer is final; a zero wait still retries. */
static void test_no_sleep_no_wait(void **state)
{
    fixture *f = *state;
    sg_platform no_sleep = f->net.platform;
    no_sleep.sleep_ms = NULL;
    const sg_platform *platforms[] = {NULL, &no_sleep};
    for (size_t i = 0; i < 2; i++) {
        sg_api_config ac = f->api.cfg;
        ac.platform = platforms[i];
        ac.timeout_ms = 5000; /* no clock to measure it by: not applied */
        assert_int_equal(sg_api_init(&f->api, &ac), SG_OK);
        respond(f, "503 Service Unavailable", "", "busy");
        respond(f, "503 Service Unavailable", "Retry-After: 0\r\n", "again");
        respond(f, "200 OK", "", "done");
        int http = 0;
        f->raw_len = 0;
        f->raw[0] = '\0';
        assert_int_equal(sg_api_request(&f->api, "GET", "/x", NULL, 0, raw_sink, f, &f->env, &http),
                         SG_OK);
        assert_int_equal(http, 503); /* the backoff would need a sleep */
        assert_string_equal(f->raw, "busy");
        f->raw_len = 0;
        f->raw[0] = '\0';
        assert_int_equal(sg_api_request(&f->api, "GET", "/x", NULL, 0, raw_sink, f, &f->env, &http),
                         SG_OK);
        assert_int_equal(http, 200); /* Retry-After: 0 needs none */
        assert_string_equal(f->raw, "done");
        assert_int_equal(f->api._private.last_attempts, 2);
        assert_int_equal(f->net.clock.sleep_calls, 0);
    }
}

/* A Retry-After that is neither seconds nor a date: the backoff applies. */
static void test_retry_after_not_understood(void **state)
{
    fixture *f = *state;
    respond(f, "503 Service Unavailable", "Retry-After: soon\r\n", "");
    respond(f, "200 OK", "", "ok");
    int http = 0;
    assert_int_equal(sg_api_request(&f->api, "GET", "/x", NULL, 0, raw_sink, f, &f->env, &http),
                     SG_OK);
    assert_int_equal(http, 200);
    assert_int_equal(f->net.clock.sleep_calls, 1);
    assert_in_range(f->net.clock.slept_ms, 50, 100);
}

/* sg_api_request's envelope is advisory: a body that is not a whole envelope is still the
   caller's answer, with the envelope saying what it is. */
static void test_raw_request_with_cut_envelope(void **state)
{
    fixture *f = *state;
    respond(f, "200 OK", OK_JSON, "{\"ok\":tr");
    int http = 0;
    assert_int_equal(sg_api_request(&f->api, "GET", "/x", NULL, 0, raw_sink, f, &f->env, &http),
                     SG_OK);
    assert_int_equal(http, 200);
    assert_string_equal(f->raw, "{\"ok\":tr");
    assert_int_not_equal(sg_envelope_status(&f->env), SG_OK);
}

#define T(fn) cmocka_unit_test_setup(fn, setup)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_me),
        T(test_me_credential),
        T(test_account_error_envelope),
        T(test_base_path_prefix),
        T(test_list_one_page_params),
        T(test_list_all_pages),
        T(test_list_all_pages_stops_on_repeated_cursor),
        T(test_chatbots_list_and_get),
        T(test_create_body_secret_and_wipe),
        T(test_create_checks_before_io),
        T(test_create_secret_too_small_and_missing),
        T(test_rotate_and_revoke),
        T(test_429_retry_after_seconds),
        T(test_429_retry_after_http_date),
        T(test_429_wait_beyond_cap_is_final),
        T(test_429_backoff_without_retry_after),
        T(test_5xx_get_retried_post_not),
        T(test_revoke_retried_on_5xx),
        T(test_connection_failures),
        T(test_connect_failure_exhausts_attempts),
        T(test_redirect_same_origin_keeps_auth),
        T(test_redirect_other_origin_drops_auth),
        T(test_redirect_scheme_change_drops_auth),
        T(test_too_many_redirects),
        T(test_redirect_303_turns_post_into_get),
        T(test_each_redirect_hop_has_its_own_attempts),
        T(test_redirect_without_location_is_final),
        T(test_redirect_https_to_http_refused),
        T(test_redirect_to_insecure_host_refused),
        T(test_redirect_body_not_resent_cross_origin),
        T(test_redirect_check_rules),
        T(test_deadline_bounds_drip_and_retries),
        T(test_deadline_spans_attempts),
        T(test_deadline_makes_a_long_wait_final),
        T(test_path_ids_are_one_segment),
        T(test_generic_non_json_body),
        T(test_header_sink_sees_final_response_only),
        T(test_api_argument_checks),
        T(test_unusable_retry_after_falls_back_to_backoff),
        T(test_sinks_may_refuse),
        T(test_header_sink_room_is_bounded),
        T(test_redirect_at_the_deadline),
        T(test_unusable_location_is_final),
        T(test_typed_call_with_cut_envelope),
        T(test_route_argument_checks),
        T(test_targets_and_cursors_bounded),
        T(test_me_chatbot_ids_cut),
        T(test_no_sleep_no_wait),
        T(test_retry_after_not_understood),
        T(test_raw_request_with_cut_envelope),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
