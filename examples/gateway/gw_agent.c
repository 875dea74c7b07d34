/* sitegpt-gateway: provisioning and the health-check loop. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ex_net.h"
#include "ex_qr.h"
#include "gw_agent.h"
#include "gw_log.h"
#include "gw_store.h"
#include "sg_api.h"
#include "sg_device.h"
#include "sg_posix_client.h"
#include "sg_url.h"

#define GW_IO_BUFFER 16384u
#define GW_API_WORK 8192u
#define GW_BACKOFF_BASE_MS 1000u
#define GW_STOPPED (-2)  /* internal: a signal asked us to stop */
#define GW_HEADER_VALUE_MAX 64u               /* Retry-After and Date values kept */
#define GW_ME_BODY_MAX 4096u                  /* a /me body kept for its three logged fields */
#define GW_ME_TOKENS 256                      /* JSON tokens for it (scopes are one each) */
#define GW_RETRY_AFTER_MAX_MS 3600000u        /* a server's wait is honoured up to an hour */

typedef struct gw_agent {
    const gw_options *o;
    volatile sig_atomic_t *stop;
    char config_path[GW_PATH_MAX];
    char api_base[512];
    char base_path[512];
    char host[SG_HOST_MAX];
    char ca_path[GW_PATH_MAX];
    char token_name[160];
    sg_url url;
    sg_posix_client net;
    bool net_full;                  /* TLS set up too (else plain http only) */
    sg_http_client http;
    sg_device dev;
    gw_profile profile;             /* profile.token: the token in use, "" when none */
    uint32_t failures;              /* consecutive failures, for the backoff */
    sg_status login_status;         /* why the last login failed */
    int login_http_status;
    uint8_t io[GW_IO_BUFFER];
    uint8_t api_work[GW_API_WORK];
} gw_agent;

static gw_agent A;

static bool stopping(void)
{
    return *A.stop != 0;
}

static const sg_platform *platform(void)
{
    return &A.net.sys.platform;
}

/* Untrusted or free text as a logfmt value: double quotes and control bytes become '. */
static const char *quoted(const char *s, char *buf, size_t cap)
{
    size_t n = 0;
    for (; s != NULL && s[n] != '\0' && n + 1 < cap; n++) {
        unsigned char ch = (unsigned char)s[n];
        buf[n] = s[n];
        if (ch < 0x20 || ch == '"' || ch == 0x7f) {
            buf[n] = '\'';
        }
    }
    buf[n] = '\0';
    return buf;
}

/* The network failures a gateway rides out; everything else is the API's word. */
static bool is_network(sg_status st)
{
    return st == SG_ERR_IO || st == SG_ERR_TIMEOUT || st == SG_ERR_CLOSED || st == SG_ERR_DNS ||
           st == SG_ERR_CONNECT || st == SG_ERR_TLS || st == SG_ERR_CERT ||
           (st <= SG_ERR_HTTP_MALFORMED && st >= SG_ERR_HTTP_VERSION) ||
           (st <= SG_ERR_JSON_SYNTAX && st >= SG_ERR_JSON_PATH_TOO_LONG);
}

/* ------------------------------------------------------------------ setup --- */

/* Which API base, and whether the stored token belongs to it. */
static int resolve_base(void)
{
    const char *base = A.o->api_base != NULL ? A.o->api_base : ex_env_nonempty("SITEGPT_API_BASE");
    if (base == NULL) {
        base = A.profile.api_base[0] != '\0' ? A.profile.api_base : GW_DEFAULT_API_BASE;
    }
    if (!ex_copy_str(A.api_base, sizeof A.api_base, base)) {
        gw_log(GW_ERROR, "config_error", "reason=\"API base URL too long\"");
        return GW_EXIT_USAGE;
    }
    if (ex_api_base_parse(A.api_base, A.host, sizeof A.host, &A.url, A.base_path,
                          sizeof A.base_path) != SG_OK) {
        char q[256];
        gw_log(GW_ERROR, "config_error", "reason=\"not an http(s) URL\" api_base=\"%s\"",
               quoted(A.api_base, q, sizeof q));
        return GW_EXIT_USAGE;
    }
    if (A.profile.token[0] != '\0' && A.profile.api_base[0] != '\0' &&
        strcmp(A.profile.api_base, A.api_base) != 0) {
        gw_log(GW_WARN, "token_other_origin",
               "reason=\"the saved token belongs to another API base; logging in again\"");
        memset(A.profile.token, 0, sizeof A.profile.token);
    }
    return -1;
}

static int setup_net(void)
{
    if (!ex_copy_str(A.ca_path, sizeof A.ca_path, ex_ca_file(A.o->cacert))) {
        gw_log(GW_ERROR, "config_error", "reason=\"CA file path too long\"");
        return GW_EXIT_USAGE;
    }
    sg_status st = ex_posix_open(&A.net, A.ca_path, A.url.origin.tls, A.stop, &A.net_full);
    if (st != SG_OK && A.url.origin.tls) {
        char q[512];
        gw_log(GW_ERROR, "tls_setup_failed", "ca_file=\"%s\" reason=\"%s\"",
               quoted(A.ca_path, q, sizeof q),
               st == SG_ERR_NOT_FOUND ? "cannot read the file (set --cacert or SSL_CERT_FILE)"
                                      : sg_strerror(st));
        return GW_EXIT_NETWORK;
    }
    if (st != SG_OK) {
        gw_log(GW_ERROR, "net_setup_failed", "reason=\"cannot set up networking\"");
        return GW_EXIT_INTERNAL;
    }
    uint32_t t = A.o->timeout_s * 1000u;
    sg_http_config cfg;
    ex_http_config(&A.net, A.net_full, &cfg);
    cfg.connect_timeout_ms = t < 10000u ? t : 10000u;
    cfg.read_timeout_ms = t;
    cfg.request_timeout_ms = 4u * t;
    if (sg_http_client_init(&A.http, &cfg, A.io, sizeof A.io) != SG_OK) {
        gw_log(GW_ERROR, "net_setup_failed", "reason=\"cannot set up the HTTP client\"");
        return GW_EXIT_INTERNAL;
    }
    return -1;
}

static void teardown(void)
{
    sg_http_client_close(&A.http);
    if (A.net_full) {
        sg_posix_client_free(&A.net);
        A.net_full = false;
    }
    sg_device_clear(&A.dev);
    /* The I/O buffer and the work area saw the bearer token. */
    memset(A.io, 0, sizeof A.io);
    memset(A.api_work, 0, sizeof A.api_work);
    memset(A.profile.token, 0, sizeof A.profile.token);
}

static int load_profile(void)
{
    sg_status st = gw_store_path(A.config_path, sizeof A.config_path);
    if (st != SG_OK) {
        gw_log(GW_ERROR, "config_error",
               "reason=\"no config folder: set XDG_CONFIG_HOME or HOME\"");
        return GW_EXIT_STORAGE;
    }
    char q[512];
    st = gw_store_load(A.config_path, A.o->profile, &A.profile);
    if (st != SG_OK) {
        gw_log(GW_ERROR, "config_error", "path=\"%s\" reason=\"%s\"",
               quoted(A.config_path, q, sizeof q), sg_strerror(st));
        return GW_EXIT_STORAGE;
    }
    if ((A.profile.file_mode & 077u) != 0) {
        gw_log(GW_WARN, "config_mode", "path=\"%s\" mode=%03o reason=\"readable by others; "
               "it will be rewritten 0600\"", quoted(A.config_path, q, sizeof q),
               A.profile.file_mode & 0777u);
    }
    return -1;
}

/* ------------------------------------------------------------------ backoff --- */

/*
 * Wait after a failure: sg_retry's backoff (base * 2^(n-1), capped, jittered into [d/2, d])
 * with no attempt or total limit, as a gateway never gives up; at least the server's
 * Retry-After when it named one (server_wait >= 0; a wait of 0 must not make a busy loop).
 */
static void backoff_wait(const char *event, const char *what, sg_status why, int http_status,
                         int64_t server_wait)
{
    A.failures++;
    sg_retry_policy policy = {UINT8_MAX, GW_BACKOFF_BASE_MS, A.o->backoff_max_s * 1000u,
                              UINT32_MAX};
    sg_retry_state state = {(uint8_t)(A.failures < 64u ? A.failures : 64u), 0};
    bool retry = false;
    uint32_t wait = policy.max_backoff_ms;
    if (sg_retry_next(&policy, &state, platform(), SG_RETRY_CONNECTION, -1, &retry, &wait) !=
            SG_OK || !retry) {
        wait = policy.max_backoff_ms;
    }
    if (server_wait > (int64_t)wait) {
        wait = (uint32_t)server_wait;
    }
    const char *cert = "";
    uint32_t flags = 0;
    if (why == SG_ERR_CERT && A.net_full &&
        sg_tls_verify_result(&A.net.tls, &flags, &cert) != SG_OK) {
        cert = "";
    }
    gw_log(GW_WARN, event, "what=%s reason=\"%s%s%s\" http_status=%d failures=%u "
           "retry_in_ms=%u", what, sg_strerror(why), cert[0] != '\0' ? ": " : "", cert,
           http_status, (unsigned)A.failures, (unsigned)wait);
    platform()->sleep_ms(platform()->ctx, wait);
}

/* ------------------------------------------------------------------ provisioning --- */

static int login_exit(sg_status st)
{
    if (st == SG_ERR_CANCELLED || stopping()) {
        return GW_STOPPED;
    }
    return is_network(st) ? GW_EXIT_NETWORK : GW_EXIT_LOGIN;
}

static void log_login_failed(sg_status st)
{
    char e[64], d[300];
    gw_log(GW_ERROR, "login_failed", "reason=\"%s\" error=\"%s\" description=\"%s\" "
           "http_status=%d", sg_strerror(st), quoted(A.dev.error, e, sizeof e),
           quoted(A.dev.error_description, d, sizeof d), A.dev.http_status);
}

/* QR rows follow login_code, each under a timestamp (aligned in a journal). */
static void qr_row(void *ctx, const char *row)
{
    (void)ctx;
    gw_log_raw(row);
}

static void show_code(void)
{
    char c[64], u[300], uc[300];
    gw_log(GW_NOTICE, "login_code",
           "user_code=%s url=\"%s\" url_complete=\"%s\" expires_in_s=%u "
           "msg=\"open the URL, enter the code and approve\"",
           quoted(A.dev.user_code, c, sizeof c), quoted(A.dev.verification_uri, u, sizeof u),
           quoted(A.dev.verification_uri_complete, uc, sizeof uc),
           (unsigned)A.dev.expires_in);
    if (A.o->qr) {
        const char *target = A.dev.verification_uri_complete[0] != '\0'
                                 ? A.dev.verification_uri_complete : A.dev.verification_uri;
        if (ex_qr_render(target, qr_row, NULL) != SG_OK) {
            gw_log(GW_WARN, "qr_failed", "reason=\"the URL cannot be drawn as a QR code\"");
        }
    }
}

static void scope_list(char *out, size_t cap)
{
    size_t n = 0;
    out[0] = '\0';
    for (size_t i = 0; i < A.o->scope_count; i++) {
        int w = snprintf(out + n, cap - n, "%s%s", i ? "," : "", A.o->scopes[i]);
        if (w < 0 || (size_t)w >= cap - n) {
            return;
        }
        n += (size_t)w;
    }
}

/* The device flow, start to stored token. Returns GW_EXIT_OK, GW_STOPPED or an exit code. */
static int provision(void)
{
    char scopes[1024];
    scope_list(scopes, sizeof scopes);
    gw_log(GW_INFO, "login_start", "scopes=%s chatbots=%u", scopes,
           (unsigned)A.o->chatbot_count);

    sg_device_config dc;
    memset(&dc, 0, sizeof dc);
    dc.http = &A.http;
    dc.platform = platform();
    dc.base = A.url.origin;
    dc.base_path = A.base_path;
    dc.scopes = A.o->scopes;
    dc.scope_count = A.o->scope_count;
    dc.chatbot_ids = A.o->chatbots;
    dc.chatbot_count = A.o->chatbot_count;
    dc.token_name = A.token_name;
    dc.expires_in_days = A.o->expires_in_days;

    sg_status st = sg_device_start(&A.dev, &dc);
    if (st == SG_OK) {
        show_code();
        st = sg_device_wait(&A.dev, A.stop);
    }
    if (st == SG_OK) {
        st = sg_device_take_token(&A.dev, A.profile.token, sizeof A.profile.token);
    }
    sg_http_client_close(&A.http);
    if (st != SG_OK) {
        A.login_status = st;
        A.login_http_status = A.dev.http_status;
        int rc = login_exit(st);
        if (rc != GW_STOPPED) {
            log_login_failed(st);
        }
        sg_device_clear(&A.dev);
        memset(A.profile.token, 0, sizeof A.profile.token);
        return rc;
    }
    sg_device_clear(&A.dev);
    gw_log(GW_INFO, "login_ok", "scopes=%s", scopes);

    char q[512];
    st = gw_store_save(A.config_path, A.o->profile, A.profile.token, A.api_base);
    if (st != SG_OK) {
        gw_log(GW_ERROR, "save_failed", "path=\"%s\" reason=\"%s\"",
               quoted(A.config_path, q, sizeof q), sg_strerror(st));
        return GW_EXIT_STORAGE;
    }
    gw_log(GW_INFO, "token_saved", "profile=%s path=\"%s\" mode=0600", A.o->profile,
           quoted(A.config_path, q, sizeof q));
    return GW_EXIT_OK;
}

/* ------------------------------------------------------------------ checking --- */

typedef enum check_result { CHECK_OK, CHECK_REJECTED, CHECK_FAILED, CHECK_STOPPED } check_result;

/* What a check keeps of its final response beyond the envelope. */
typedef struct check_capture {
    char retry_after[GW_HEADER_VALUE_MAX];   /* "" when absent or too long */
    char date[GW_HEADER_VALUE_MAX];
    char body[GW_ME_BODY_MAX];
    size_t body_len;
    bool body_cut;
} check_capture;

static void keep_value(char *out, size_t cap, sg_slice v)
{
    size_t n = v.len < cap ? v.len : 0;
    memcpy(out, v.ptr, n);
    out[n] = '\0';
}

static sg_status check_header(void *ctx, int http_status, sg_slice name, sg_slice value)
{
    check_capture *c = ctx;
    (void)http_status;
    if (sg_slice_eq_nocase(name, "retry-after")) {
        keep_value(c->retry_after, sizeof c->retry_after, value);
    } else if (sg_slice_eq_nocase(name, "date")) {
        keep_value(c->date, sizeof c->date, value);
    }
    return SG_OK;
}

static sg_status check_body(void *ctx, const uint8_t *data, size_t len)
{
    check_capture *c = ctx;
    size_t room = sizeof c->body - c->body_len;
    if (len > room) {
        c->body_cut = true;
        len = room;
    }
    memcpy(c->body + c->body_len, data, len);
    c->body_len += len;
    return SG_OK;
}

/* The server's Retry-After (delta-seconds, or an HTTP date against Date) in ms, else -1. */
static int64_t server_wait_ms(const check_capture *c)
{
    uint32_t ms = 0;
    sg_slice ra = {c->retry_after, strlen(c->retry_after)};
    sg_slice date = {c->date, strlen(c->date)};
    if (ra.len == 0 || sg_retry_after_ms(ra, date, &ms) != SG_OK) {
        return -1;
    }
    return ms < GW_RETRY_AFTER_MAX_MS ? (int64_t)ms : (int64_t)GW_RETRY_AFTER_MAX_MS;
}

/* data.user.id, data.auth.type and the number of data.auth.scopes of a /me body. */
static void me_fields(const check_capture *c, char *user, size_t ucap, char *auth, size_t acap,
                      size_t *scopes)
{
    static sg_json_tok tok[GW_ME_TOKENS];
    sg_json_element e;
    int data, obj, arr;
    size_t len;
    (void)snprintf(user, ucap, "-");
    (void)snprintf(auth, acap, "-");
    *scopes = 0;
    if (c->body_cut || sg_json_parse(c->body, c->body_len, tok, GW_ME_TOKENS, &e) != SG_OK ||
        sg_json_elem_member(&e, 0, "data", &data) != SG_OK) {
        return;
    }
    if (sg_json_elem_member(&e, data, "user", &obj) == SG_OK &&
        sg_json_elem_get_string(&e, obj, "id", user, ucap, &len) != SG_OK) {
        (void)snprintf(user, ucap, "-");
    }
    if (sg_json_elem_member(&e, data, "auth", &obj) == SG_OK) {
        if (sg_json_elem_get_string(&e, obj, "type", auth, acap, &len) != SG_OK) {
            (void)snprintf(auth, acap, "-");
        }
        if (sg_json_elem_member(&e, obj, "scopes", &arr) != SG_OK ||
            sg_json_elem_size(&e, arr, scopes) != SG_OK) {
            *scopes = 0;
        }
    }
}

/*
 * GET /api/v2/me once, no retries inside: the loop owns the backoff. The generic request
 * (not sg_api_me) because only it hands over the headers, and a 429's Retry-After sets the
 * loop's next wait (*server_wait_ms, -1 when the server named none).
 */
static check_result check(sg_status *why, int *http_status, int64_t *server_wait)
{
    static check_capture cap;
    sg_api api;
    sg_api_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.http = &A.http;
    cfg.origin = A.url.origin;
    cfg.base_path = A.base_path;
    cfg.token = A.profile.token;
    cfg.retry.max_attempts = 1;
    cfg.platform = platform();
    cfg.work = A.api_work;
    cfg.work_size = sizeof A.api_work;

    sg_envelope env;
    memset(&cap, 0, sizeof cap);
    memset(&env, 0, sizeof env);
    int status = 0;
    sg_status st = sg_api_init(&api, &cfg);
    if (st == SG_OK) {
        st = sg_api_set_header_sink(&api, check_header, &cap);
    }
    if (st == SG_OK) {
        st = sg_api_request(&api, "GET", "/api/v2/me", NULL, 0, check_body, &cap, &env,
                            &status);
    }
    if (st == SG_OK) {
        st = sg_envelope_status(&env);
    }
    sg_http_client_close(&A.http); /* no idle socket across a long sleep */
    *why = st;
    *http_status = env.http_status;
    *server_wait = server_wait_ms(&cap);
    if (st == SG_OK) {
        char user[SG_API_ID_MAX], auth[SG_API_AUTH_TYPE_MAX];
        char qu[SG_API_ID_MAX], qa[SG_API_AUTH_TYPE_MAX];
        size_t scopes;
        me_fields(&cap, user, sizeof user, auth, sizeof auth, &scopes);
        gw_log(GW_INFO, "check_ok", "user=%s auth=%s scopes=%u next_check_s=%u",
               quoted(user, qu, sizeof qu), quoted(auth, qa, sizeof qa), (unsigned)scopes,
               (unsigned)A.o->interval_s);
        memset(&cap, 0, sizeof cap);
        return CHECK_OK;
    }
    memset(&cap, 0, sizeof cap);
    if (st == SG_ERR_CANCELLED || stopping()) {
        return CHECK_STOPPED;
    }
    if (st == SG_ERR_AUTH && env.http_status == 401 && strcmp(env.code, "TOKEN_NOT_VALID") == 0) {
        char m[300];
        gw_log(GW_WARN, "token_rejected", "http_status=401 code=TOKEN_NOT_VALID message=\"%s\" "
               "request_id=%s", quoted(env.message, m, sizeof m), env.request_id);
        return CHECK_REJECTED;
    }
    if (st == SG_ERR_API || st == SG_ERR_AUTH || st == SG_ERR_RATE_LIMITED) {
        char m[300];
        gw_log(GW_DEBUG, "api_error", "http_status=%d code=%s message=\"%s\" request_id=%s",
               env.http_status, env.code, quoted(env.message, m, sizeof m), env.request_id);
    }
    return CHECK_FAILED;
}

/* Exit code for a check that failed in --once mode. */
static int check_exit(sg_status st, int http_status)
{
    if (is_network(st) || st == SG_ERR_RATE_LIMITED || http_status >= 500) {
        return GW_EXIT_NETWORK;
    }
    if (st == SG_ERR_API || st == SG_ERR_AUTH) {
        return GW_EXIT_API;
    }
    return GW_EXIT_INTERNAL;
}

/* ------------------------------------------------------------------ the loop --- */

static int stop_exit(void)
{
    gw_log(GW_INFO, "stop", "signal=%s", *A.stop == SIGTERM ? "SIGTERM" : "SIGINT");
    if (!A.o->once) {
        return GW_EXIT_OK;
    }
    return *A.stop == SIGTERM ? GW_EXIT_SIGTERM : GW_EXIT_SIGINT;
}

static int forget_token(void)
{
    memset(A.profile.token, 0, sizeof A.profile.token);
    sg_status st = gw_store_clear_token(A.config_path, A.o->profile);
    if (st != SG_OK) {
        char q[512];
        gw_log(GW_ERROR, "save_failed", "path=\"%s\" reason=\"%s\"",
               quoted(A.config_path, q, sizeof q), sg_strerror(st));
        return GW_EXIT_STORAGE;
    }
    return -1;
}

static int loop(void)
{
    bool logged_in_now = false;
    for (;;) {
        if (stopping()) {
            return stop_exit();
        }
        if (A.profile.token[0] == '\0') {
            int rc = provision();
            if (rc == GW_STOPPED || stopping()) {
                return stop_exit();
            }
            if (rc != GW_EXIT_OK) {
                if (A.o->once || rc == GW_EXIT_STORAGE) {
                    return rc;
                }
                backoff_wait("retry_wait", "login", A.login_status, A.login_http_status, -1);
                continue;
            }
            logged_in_now = true;
        }
        sg_status why = SG_OK;
        int http_status = 0;
        int64_t server_wait = -1;
        switch (check(&why, &http_status, &server_wait)) {
        case CHECK_OK:
            A.failures = 0;
            logged_in_now = false;
            if (A.o->once) {
                return GW_EXIT_OK;
            }
            platform()->sleep_ms(platform()->ctx, A.o->interval_s * 1000u);
            break;
        case CHECK_REJECTED: {
            int rc = forget_token();
            if (rc >= 0) {
                return rc;
            }
            if (logged_in_now) { /* a brand-new token refused: never a tight login loop */
                if (A.o->once) {
                    return GW_EXIT_AUTH;
                }
                backoff_wait("retry_wait", "login", SG_ERR_AUTH, 401, -1);
            }
            break;
        }
        case CHECK_FAILED:
            if (A.o->once) {
                gw_log(GW_ERROR, "check_failed", "reason=\"%s\" http_status=%d",
                       sg_strerror(why), http_status);
                return check_exit(why, http_status);
            }
            backoff_wait("check_failed", "me", why, http_status, server_wait);
            break;
        case CHECK_STOPPED:
            return stop_exit();
        }
    }
}

int gw_agent_run(const gw_options *o, volatile sig_atomic_t *stop)
{
    memset(&A, 0, sizeof A);
    A.o = o;
    A.stop = stop;
    int rc = load_profile();
    if (rc < 0) {
        rc = resolve_base();
    }
    if (rc < 0) {
        rc = setup_net();
    }
    if (rc >= 0) {
        teardown();
        return rc;
    }
    if (o->token_name != NULL) {
        (void)ex_copy_str(A.token_name, sizeof A.token_name, o->token_name);
    } else {
        char host[64] = "gateway";
        (void)gethostname(host, sizeof host);
        host[sizeof host - 1] = '\0';
        (void)snprintf(A.token_name, sizeof A.token_name, "SiteGPT gateway (%.40s@%.60s)",
                       o->profile, host);
    }
    char q[512];
    gw_log(GW_INFO, "start", "profile=%s api_base=\"%s\" token=%s interval_s=%u "
           "backoff_max_s=%u mode=%s pid=%ld", o->profile, quoted(A.api_base, q, sizeof q),
           A.profile.token[0] != '\0' ? "saved" : "none", (unsigned)o->interval_s,
           (unsigned)o->backoff_max_s, o->once ? "once" : "loop", (long)getpid());
    rc = loop();
    teardown();
    return rc;
}
