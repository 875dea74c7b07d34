/*
 * sitegpt-gateway: provisioning, the health-check loop and renewal. One loop owns every
 * timer (next check, next device poll, next code after a failure, renewal due) and sleeps
 * until the earliest; a device code pending (first login or renewal) is polled step by
 * step with sg_device_poll, so checks with the old token go on while a renewal waits.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ex_net.h"
#include "ex_qr.h"
#include "gw_agent.h"
#include "gw_log.h"
#include "gw_me.h"
#include "gw_status.h"
#include "gw_store.h"
#include <sitegpt/sg_api.h>
#include <sitegpt/sg_device.h>
#include "sg_posix_client.h"
#include <sitegpt/sg_renew.h>
#include <sitegpt/sg_url.h>

#define GW_IO_BUFFER          16384u
#define GW_API_WORK           8192u
#define GW_BACKOFF_BASE_MS    1000u
#define GW_STOPPED            (-2)     /* internal: a signal asked us to stop */
#define GW_HEADER_VALUE_MAX   64u      /* Retry-After and Date values kept */
#define GW_ME_BODY_MAX        4096u    /* a /me body kept for its three logged fields */
#define GW_RETRY_AFTER_MAX_MS 3600000u /* a server's wait is honoured up to an hour */
#define GW_ERROR_TEXT_MAX     320u

typedef enum pending_kind { PENDING_NONE = 0, PENDING_PROVISION, PENDING_RENEWAL } pending_kind;

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
    bool net_full;  /* TLS set up too (else plain http only) */
    ex_proxy proxy; /* HTTPS_PROXY / NO_PROXY, as the CLI reads them */
    sg_http_client http;
    sg_device dev;
    gw_profile profile;     /* profile.token: the token in use, "" when none */
    uint32_t failures;      /* consecutive failed checks, for the backoff */
    uint32_t code_failures; /* consecutive failed device codes */
    sg_status login_status; /* why the last login failed */
    int login_http_status;
    /* ---- timers, in platform (monotonic) ms ---- */
    uint64_t next_check_ms;
    uint64_t next_code_ms; /* no new device code before this (backoff) */
    uint64_t next_poll_ms; /* the pending code's next poll */
    /* ---- renewal ---- */
    sg_renew renew;
    gw_me me;               /* the last good /me: what a renewal asks for again */
    uint32_t lifetime_days; /* of the token in use; 0: unknown */
    pending_kind pending;
    bool fresh_token; /* logged in just now, not yet checked */
    bool renew_unavailable_logged;
    char created_guess[GW_TIME_MAX]; /* our token's creation when /me omits createdAt */
    /* ---- status ---- */
    bool last_check_failed;
    bool rejected; /* the server refused the token or the login */
    bool status_failed_logged;
    bool server_clock; /* a Date was seen: server_date_s at server_seen_ms */
    int64_t server_date_s;
    uint64_t server_seen_ms;
    int64_t last_success_s;
    int64_t last_error_s;
    const char *last_error_event;
    char last_error[GW_ERROR_TEXT_MAX];
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

/* The network failures a gateway rides out; everything else is the API's word. */
static bool is_network(sg_status st)
{
    return st == SG_ERR_IO || st == SG_ERR_TIMEOUT || st == SG_ERR_CLOSED || st == SG_ERR_DNS ||
           st == SG_ERR_CONNECT || st == SG_ERR_TLS || st == SG_ERR_CERT || st == SG_ERR_PROXY ||
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
        GW_LOG(GW_ERROR, "config_error", GW_S("reason", "API base URL too long"));
        return GW_EXIT_USAGE;
    }
    if (ex_api_base_parse(A.api_base, A.host, sizeof A.host, &A.url, A.base_path,
                          sizeof A.base_path) != SG_OK) {
        GW_LOG(GW_ERROR, "config_error", GW_S("reason", "not an http(s) URL"),
               GW_S("api_base", A.api_base));
        return GW_EXIT_USAGE;
    }
    if (A.profile.token[0] != '\0' && A.profile.api_base[0] != '\0' &&
        strcmp(A.profile.api_base, A.api_base) != 0) {
        GW_LOG(GW_WARN, "token_other_origin",
               GW_S("reason", "the saved token belongs to another API base; logging in again"));
        sg_wipe(A.profile.token, sizeof A.profile.token);
    }
    return -1;
}

static int setup_net(void)
{
    if (!ex_copy_str(A.ca_path, sizeof A.ca_path, ex_ca_file(A.o->cacert))) {
        GW_LOG(GW_ERROR, "config_error", GW_S("reason", "CA file path too long"));
        return GW_EXIT_USAGE;
    }
    if (ex_proxy_select(NULL, &A.url.origin, &A.proxy) != SG_OK) {
        /* not the URL: it may hold a password */
        GW_LOG(GW_ERROR, "config_error",
               GW_S("reason",
                    "the proxy URL is not valid: expected http://[user:password@]host[:port]"),
               GW_S("from", A.proxy.source));
        ex_proxy_wipe(&A.proxy);
        return GW_EXIT_USAGE;
    }
    if (A.proxy.use) {
        GW_LOG(GW_INFO, "proxy", GW_S("host", A.proxy.host), GW_U("port", A.proxy.port),
               GW_S("from", A.proxy.source), GW_S("auth", A.proxy.userinfo[0] ? "basic" : "none"));
    }
    sg_status st =
        ex_posix_open_proxy(&A.net, A.ca_path, A.url.origin.tls, A.stop, &A.proxy, &A.net_full);
    if (st != SG_OK && A.url.origin.tls) {
        GW_LOG(GW_ERROR, "tls_setup_failed", GW_S("ca_file", A.ca_path),
               GW_S("reason", st == SG_ERR_NOT_FOUND
                                  ? "cannot read the file (set --cacert or SSL_CERT_FILE)"
                                  : sg_strerror(st)));
        return GW_EXIT_NETWORK;
    }
    if (st != SG_OK) {
        GW_LOG(GW_ERROR, "net_setup_failed", GW_S("reason", "cannot set up networking"));
        return GW_EXIT_INTERNAL;
    }
    uint32_t t = A.o->timeout_s * 1000u;
    sg_http_config cfg;
    ex_http_config(&A.net, A.net_full, &cfg);
    cfg.connect_timeout_ms = t < 10000u ? t : 10000u;
    cfg.read_timeout_ms = t;
    cfg.request_timeout_ms = 4u * t;
    if (sg_http_client_init(&A.http, &cfg, A.io, sizeof A.io) != SG_OK) {
        GW_LOG(GW_ERROR, "net_setup_failed", GW_S("reason", "cannot set up the HTTP client"));
        return GW_EXIT_INTERNAL;
    }
    return -1;
}

static void teardown(void)
{
    sg_http_client_close(&A.http);
    ex_proxy_wipe(&A.proxy);
    if (A.net_full) {
        sg_posix_client_free(&A.net);
        A.net_full = false;
    }
    sg_device_clear(&A.dev);
    /* The I/O buffer and the work area saw the bearer token. */
    sg_wipe(A.io, sizeof A.io);
    sg_wipe(A.api_work, sizeof A.api_work);
    sg_wipe(A.profile.token, sizeof A.profile.token);
}

static int load_profile(void)
{
    sg_status st = gw_store_path(A.config_path, sizeof A.config_path);
    if (st != SG_OK) {
        GW_LOG(GW_ERROR, "config_error",
               GW_S("reason", "no config folder: set XDG_CONFIG_HOME or HOME"));
        return GW_EXIT_STORAGE;
    }
    st = gw_store_load(A.config_path, A.o->profile, &A.profile);
    if (st != SG_OK) {
        GW_LOG(GW_ERROR, "config_error", GW_S("path", A.config_path),
               GW_S("reason", sg_strerror(st)));
        return GW_EXIT_STORAGE;
    }
    if ((A.profile.file_mode & 077u) != 0) {
        char mode[8];
        (void)snprintf(mode, sizeof mode, "%03o", A.profile.file_mode & 0777u);
        GW_LOG(GW_WARN, "config_mode", GW_S("path", A.config_path), GW_S("mode", mode),
               GW_S("reason", "readable by others; it will be rewritten 0600"));
    }
    return -1;
}

/* ------------------------------------------------------------------ time --- */

static uint64_t now_ms(void)
{
    return platform()->now_ms(platform()->ctx);
}

/* The best guess at the true time: the server's last Date plus the time since, else ours. */
static int64_t wall_now_s(void)
{
    if (A.server_clock) {
        uint64_t since = now_ms() - A.server_seen_ms;
        return A.server_date_s + (int64_t)(since / 1000u);
    }
    struct timespec ts;
    return clock_gettime(CLOCK_REALTIME, &ts) == 0 ? (int64_t)ts.tv_sec : 0;
}

/*
 * sg_retry's backoff (base * 2^(n-1), capped, jittered into [d/2, d]) for the n-th failure
 * in a row, with no attempt or total limit, as a gateway never gives up; at least the
 * server's Retry-After when it named one (server_wait >= 0).
 */
static uint32_t backoff_ms(uint32_t failures, int64_t server_wait)
{
    sg_retry_policy policy = {UINT8_MAX, GW_BACKOFF_BASE_MS, A.o->backoff_max_s * 1000u,
                              UINT32_MAX};
    sg_retry_state state = {(uint8_t)(failures < 64u ? failures : 64u), 0};
    bool retry = false;
    uint32_t wait = policy.max_backoff_ms;
    if (sg_retry_next(&policy, &state, platform(), SG_RETRY_CONNECTION, -1, &retry, &wait) !=
            SG_OK ||
        !retry) {
        wait = policy.max_backoff_ms;
    }
    if (server_wait > (int64_t)wait) {
        wait = (uint32_t)server_wait;
    }
    return wait;
}

/* What went wrong, kept for the status file. */
static void remember_error(const char *event, const char *reason)
{
    A.last_error_s = wall_now_s();
    A.last_error_event = event;
    (void)snprintf(A.last_error, sizeof A.last_error, "%s", reason);
}

/* ------------------------------------------------------------------ status file --- */

static gw_state current_state(void)
{
    if (A.profile.token[0] == '\0') {
        if (A.pending != PENDING_NONE) {
            return GW_STATE_WAITING;
        }
        return A.rejected ? GW_STATE_REJECTED : GW_STATE_PROVISIONING;
    }
    if (A.last_check_failed) {
        return GW_STATE_OFFLINE;
    }
    sg_renew_plan plan;
    if (A.pending == PENDING_RENEWAL ||
        (sg_renew_plan_now(&A.renew, &plan) == SG_OK && plan.action == SG_RENEW_NOW)) {
        return GW_STATE_RENEWING;
    }
    return GW_STATE_HEALTHY;
}

static void write_status(void)
{
    if (A.o->status_file == NULL) {
        return;
    }
    gw_status s;
    memset(&s, 0, sizeof s);
    s.state = current_state();
    s.profile = A.o->profile;
    s.api_base = A.api_base;
    s.server_clock = A.server_clock;
    s.now_s = wall_now_s();
    sg_renew_plan plan;
    if (A.profile.token[0] != '\0' && sg_renew_plan_now(&A.renew, &plan) == SG_OK &&
        plan.action != SG_RENEW_UNKNOWN) {
        s.token_expires_s = plan.expires_at_s;
        s.renew_at_s = plan.expires_at_s - (int64_t)(plan.before_ms / 1000u);
    }
    if (A.pending != PENDING_NONE) {
        uint64_t left = 0;
        s.pending_renewal = A.pending == PENDING_RENEWAL;
        s.user_code = A.dev.user_code;
        s.verification_uri = A.dev.verification_uri;
        s.verification_uri_complete = A.dev.verification_uri_complete;
        if (sg_device_time_left(&A.dev, &left) == SG_OK) {
            s.code_expires_s = s.now_s + (int64_t)(left / 1000u);
        }
    }
    s.last_success_s = A.last_success_s;
    s.last_error_s = A.last_error_s;
    s.last_error_event = A.last_error_event;
    s.last_error = A.last_error;
    sg_status st = gw_status_write(A.o->status_file, &s);
    if (st != SG_OK && !A.status_failed_logged) {
        A.status_failed_logged = true; /* once: a full disk must not flood the log */
        GW_LOG(GW_WARN, "status_failed", GW_S("path", A.o->status_file),
               GW_S("reason", sg_strerror(st)));
    } else if (st == SG_OK) {
        A.status_failed_logged = false;
    }
}

/* ------------------------------------------------------------------ device codes --- */

static int login_exit(sg_status st)
{
    if (st == SG_ERR_CANCELLED || stopping()) {
        return GW_STOPPED;
    }
    return is_network(st) ? GW_EXIT_NETWORK : GW_EXIT_LOGIN;
}

/* QR rows follow the code line, each under a timestamp (aligned in a journal). */
static void qr_row(void *ctx, const char *row)
{
    (void)ctx;
    gw_log_raw(row);
}

/* The code for a person: level warn, since someone must act (and --quiet shows it). */
static void show_code(const char *event)
{
    GW_LOG(GW_WARN, event, GW_S("user_code", A.dev.user_code), GW_S("url", A.dev.verification_uri),
           GW_S("url_complete", A.dev.verification_uri_complete),
           GW_U("expires_in_s", A.dev.expires_in),
           GW_S("msg", "open the URL, enter the code and approve"));
    if (A.o->qr) {
        const char *target = A.dev.verification_uri_complete[0] != '\0'
                                 ? A.dev.verification_uri_complete
                                 : A.dev.verification_uri;
        if (ex_qr_render(target, qr_row, NULL) != SG_OK) {
            GW_LOG(GW_WARN, "qr_failed", GW_S("reason", "the URL cannot be drawn as a QR code"));
        }
    }
}

static void join(const char *const *items, size_t count, char *out, size_t cap)
{
    size_t n = 0;
    out[0] = '\0';
    for (size_t i = 0; i < count; i++) {
        int w = snprintf(out + n, cap - n, "%s%s", i ? "," : "", items[i]);
        if (w < 0 || (size_t)w >= cap - n) {
            return;
        }
        n += (size_t)w;
    }
}

/*
 * Ask for a device code: a first login with the options' scopes and chatbots, or a renewal
 * with what /me said about the current token. SG_OK: the code is shown and pending.
 */
static sg_status start_code(pending_kind kind)
{
    bool renewal = kind == PENDING_RENEWAL && A.me.renewable;
    const char *const *scopes = renewal ? A.me.scope_ptrs : A.o->scopes;
    size_t scope_count = renewal ? A.me.scope_count : A.o->scope_count;
    const char *const *chatbots = renewal ? A.me.chatbot_ptrs : A.o->chatbots;
    size_t chatbot_count = renewal ? A.me.chatbot_count : A.o->chatbot_count;
    uint32_t days = renewal && A.lifetime_days != 0 ? A.lifetime_days : A.o->expires_in_days;
    char list[1024];
    join(scopes, scope_count, list, sizeof list);
    GW_LOG(GW_INFO, kind == PENDING_RENEWAL ? "renew_start" : "login_start", GW_S("scopes", list),
           GW_U("chatbots", chatbot_count), GW_U("lifetime_days", days));

    sg_device_config dc;
    memset(&dc, 0, sizeof dc);
    dc.http = &A.http;
    dc.platform = platform();
    dc.base = A.url.origin;
    dc.base_path = A.base_path;
    dc.scopes = scopes;
    dc.scope_count = scope_count;
    dc.chatbot_ids = chatbots;
    dc.chatbot_count = chatbot_count;
    dc.token_name = A.token_name;
    dc.expires_in_days = days;
    sg_status st = sg_device_start(&A.dev, &dc);
    if (st != SG_OK) {
        return st;
    }
    A.pending = kind;
    A.rejected = false;
    A.next_poll_ms = now_ms() + (uint64_t)A.dev.interval * 1000u;
    show_code(kind == PENDING_RENEWAL ? "renew_code" : "login_code");
    return SG_OK;
}

/* A code that ended without a token: log it, forget it, back off before the next. */
static void code_failed(pending_kind kind, sg_status st)
{
    A.code_failures++;
    uint32_t wait = backoff_ms(A.code_failures, -1);
    A.next_code_ms = now_ms() + wait;
    bool refused = st == SG_ERR_ACCESS_DENIED || st == SG_ERR_EXPIRED_TOKEN;
    GW_LOG(kind == PENDING_RENEWAL ? GW_WARN : GW_ERROR,
           kind == PENDING_RENEWAL ? "renew_failed" : "login_failed",
           GW_S("reason", sg_strerror(st)), GW_S("error", A.dev.error),
           GW_S("description", A.dev.error_description), GW_I("http_status", A.dev.http_status));
    if (!A.o->once) {
        GW_LOG(GW_WARN, "retry_wait", GW_S("what", kind == PENDING_RENEWAL ? "renewal" : "login"),
               GW_S("reason", sg_strerror(st)), GW_I("http_status", A.dev.http_status),
               GW_U("failures", A.code_failures), GW_U("retry_in_ms", wait));
    }
    remember_error(kind == PENDING_RENEWAL ? "renew_failed" : "login_failed", sg_strerror(st));
    A.login_status = st;
    A.login_http_status = A.dev.http_status;
    if (refused && kind == PENDING_PROVISION) {
        A.rejected = true;
    }
    sg_device_clear(&A.dev);
    A.pending = PENDING_NONE;
}

/* The approved code's token replaces the old one: in the file first, then in memory. */
static int take_new_token(pending_kind kind)
{
    char fresh[sizeof A.profile.token];
    sg_status st = sg_device_take_token(&A.dev, fresh, sizeof fresh);
    sg_device_clear(&A.dev);
    A.pending = PENDING_NONE;
    if (st != SG_OK) {
        sg_wipe(fresh, sizeof fresh);
        code_failed(kind, st);
        return -1;
    }
    char list[1024];
    bool renewal = kind == PENDING_RENEWAL && A.me.renewable;
    join(renewal ? A.me.scope_ptrs : A.o->scopes, renewal ? A.me.scope_count : A.o->scope_count,
         list, sizeof list);
    GW_LOG(GW_INFO, kind == PENDING_RENEWAL ? "renew_ok" : "login_ok", GW_S("scopes", list));
    st = gw_store_save(A.config_path, A.o->profile, fresh, A.api_base);
    if (st != SG_OK) {
        sg_wipe(fresh, sizeof fresh);
        GW_LOG(GW_ERROR, "save_failed", GW_S("path", A.config_path),
               GW_S("reason", sg_strerror(st)));
        remember_error("save_failed", sg_strerror(st));
        return GW_EXIT_STORAGE;
    }
    memcpy(A.profile.token, fresh, sizeof fresh);
    sg_wipe(fresh, sizeof fresh);
    GW_LOG(GW_INFO, "token_saved", GW_S("profile", A.o->profile), GW_S("path", A.config_path),
           GW_S("mode", "0600"));
    A.code_failures = 0;
    A.fresh_token = true;
    A.rejected = false;
    A.me.renewable = false;
    A.created_guess[0] = '\0';
    sg_renew_forget(&A.renew);
    A.next_check_ms = now_ms(); /* learn the new token's expiry at once */
    return -1;
}

/* One step of the pending code. Returns -1 to go on, GW_STOPPED, or an exit code. */
static int poll_code(void)
{
    uint32_t wait = 0;
    pending_kind kind = A.pending;
    sg_status st = sg_device_poll(&A.dev, &wait);
    if (st == SG_ERR_AUTHORIZATION_PENDING) {
        A.next_poll_ms = now_ms() + wait;
        return -1;
    }
    if (st == SG_OK) {
        return take_new_token(kind);
    }
    if (st == SG_ERR_CANCELLED || stopping()) {
        return GW_STOPPED;
    }
    code_failed(kind, st);
    if (A.o->once && kind == PENDING_PROVISION) {
        return login_exit(st);
    }
    return -1;
}

/* ------------------------------------------------------------------ checking --- */

typedef enum check_result { CHECK_OK, CHECK_REJECTED, CHECK_FAILED, CHECK_STOPPED } check_result;

/* What a check keeps of its final response beyond the envelope. */
typedef struct check_capture {
    char retry_after[GW_HEADER_VALUE_MAX]; /* "" when absent or too long */
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

/* Read a good /me into A.me; the token's lifetime (guessed when createdAt is absent). */
static void me_read(const check_capture *c)
{
    gw_me_parse(c->body, c->body_cut ? 0 : c->body_len, &A.me);
    /* No createdAt: a token we got just now was created about now (the server's Date);
       that guess holds for as long as the token is in use. */
    int64_t date_s;
    sg_slice date = {c->date, strlen(c->date)};
    if (A.me.created_at[0] == '\0' && A.fresh_token && date.len > 0 &&
        sg_http_date_parse(date, &date_s) == SG_OK &&
        sg_iso8601_format(date_s, A.created_guess, sizeof A.created_guess) != SG_OK) {
        A.created_guess[0] = '\0';
    }
    if (A.me.created_at[0] == '\0') {
        memcpy(A.me.created_at, A.created_guess, sizeof A.me.created_at);
    }
    A.lifetime_days = gw_me_lifetime_days(A.me.expires_at, A.me.created_at);
}

/* After a good /me: the server's clock, and when to renew. */
static void learn_expiry(const check_capture *c, const gw_me *v)
{
    sg_slice date = {c->date, strlen(c->date)};
    int64_t date_s;
    if (date.len > 0 && sg_http_date_parse(date, &date_s) == SG_OK) {
        A.server_clock = true;
        A.server_date_s = date_s;
        A.server_seen_ms = now_ms();
    }
    sg_slice exp = {v->expires_at, strlen(v->expires_at)};
    sg_slice created = {v->created_at, strlen(v->created_at)};
    sg_status st = exp.len == 0 ? SG_ERR_NOT_FOUND : sg_renew_observe(&A.renew, exp, created, date);
    if (st != SG_OK) {
        sg_renew_forget(&A.renew);
        if (!A.renew_unavailable_logged) {
            A.renew_unavailable_logged = true;
            GW_LOG(GW_WARN, "renew_unavailable",
                   GW_S("reason", exp.len == 0    ? "the API did not say when the token expires "
                                                    "(auth.expiresAt)"
                                  : date.len == 0 ? "the response had no Date header"
                                                  : "auth.expiresAt or Date is not a valid date"),
                   GW_S("expires_at", v->expires_at), GW_S("date", c->date));
        }
        return;
    }
    if (!A.me.renewable && !A.renew_unavailable_logged) {
        A.renew_unavailable_logged = true;
        GW_LOG(GW_WARN, "renew_scopes_unknown",
               GW_S("reason", "the API did not list the token's scopes and chatbots in a form "
                              "we can ask for again; a renewal asks for the command line's"));
    }
}

/*
 * GET /api/v2/me once, no retries inside: the loop owns the backoff. The generic request
 * (not sg_api_me) because only it hands over the headers: Retry-After sets the loop's next
 * wait (*server_wait, -1 when the server named none), Date is the server's clock.
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
        st = sg_api_request(&api, "GET", "/api/v2/me", NULL, 0, check_body, &cap, &env, &status);
    }
    if (st == SG_OK) {
        st = sg_envelope_status(&env);
    }
    /* No idle socket across a long sleep (a pending code's polls open their own). */
    sg_http_client_close(&A.http);
    *why = st;
    *http_status = env.http_status;
    *server_wait = server_wait_ms(&cap);
    if (st == SG_OK) {
        me_read(&cap);
        const gw_me *v = &A.me;
        learn_expiry(&cap, v);
        sg_renew_plan plan;
        if (sg_renew_plan_now(&A.renew, &plan) != SG_OK) {
            memset(&plan, 0, sizeof plan);
        }
        GW_LOG(GW_INFO, "check_ok", GW_S("user", v->user), GW_S("auth", v->auth),
               GW_U("scopes", v->scope_count), GW_S("expires_at", v->expires_at),
               GW_U("left_s", plan.left_ms / 1000u), GW_U("renew_in_s", plan.renew_in_ms / 1000u),
               GW_U("next_check_s", A.o->interval_s));
        memset(&cap, 0, sizeof cap);
        return CHECK_OK;
    }
    memset(&cap, 0, sizeof cap);
    if (st == SG_ERR_CANCELLED || stopping()) {
        return CHECK_STOPPED;
    }
    if (st == SG_ERR_AUTH && env.http_status == 401 && strcmp(env.code, "TOKEN_NOT_VALID") == 0) {
        GW_LOG(GW_WARN, "token_rejected", GW_I("http_status", 401), GW_S("code", env.code),
               GW_S("message", env.message), GW_S("request_id", env.request_id));
        return CHECK_REJECTED;
    }
    if (st == SG_ERR_API || st == SG_ERR_AUTH || st == SG_ERR_RATE_LIMITED) {
        GW_LOG(GW_DEBUG, "api_error", GW_I("http_status", env.http_status), GW_S("code", env.code),
               GW_S("message", env.message), GW_S("request_id", env.request_id));
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
    GW_LOG(GW_INFO, "stop", GW_S("signal", *A.stop == SIGTERM ? "SIGTERM" : "SIGINT"));
    if (!A.o->once) {
        return GW_EXIT_OK;
    }
    return *A.stop == SIGTERM ? GW_EXIT_SIGTERM : GW_EXIT_SIGINT;
}

/* The token is dead: drop it here and in the file (a restart must not try it again). */
static int forget_token(void)
{
    sg_wipe(A.profile.token, sizeof A.profile.token);
    sg_renew_forget(&A.renew);
    A.created_guess[0] = '\0';
    A.last_check_failed = false;
    if (A.pending == PENDING_RENEWAL) {
        A.pending = PENDING_PROVISION; /* the renewal's code is now the way back in */
    }
    sg_status st = gw_store_clear_token(A.config_path, A.o->profile);
    if (st != SG_OK) {
        GW_LOG(GW_ERROR, "save_failed", GW_S("path", A.config_path),
               GW_S("reason", sg_strerror(st)));
        return GW_EXIT_STORAGE;
    }
    return -1;
}

static int consider_renewal(void);

/* One check and what follows from it. Returns -1 to go on, GW_STOPPED, or an exit code. */
static int run_check(void)
{
    sg_status why = SG_OK;
    int http_status = 0;
    int64_t server_wait = -1;
    switch (check(&why, &http_status, &server_wait)) {
    case CHECK_OK:
        A.failures = 0;
        A.fresh_token = false;
        A.last_check_failed = false;
        A.last_success_s = wall_now_s();
        A.next_check_ms = now_ms() + (uint64_t)A.o->interval_s * 1000u;
        if (A.o->once) {
            int rc = consider_renewal(); /* says renew_due; never starts one */
            return rc >= 0 ? rc : GW_EXIT_OK;
        }
        return -1;
    case CHECK_REJECTED: {
        bool fresh = A.fresh_token;
        A.rejected = true;
        remember_error("token_rejected", "the API rejected the token (401 TOKEN_NOT_VALID)");
        int rc = forget_token();
        if (rc >= 0) {
            return rc;
        }
        if (fresh) { /* a brand-new token refused: never a tight login loop */
            if (A.o->once) {
                return GW_EXIT_AUTH;
            }
            A.code_failures++;
            uint32_t wait = backoff_ms(A.code_failures, -1);
            A.next_code_ms = now_ms() + wait;
            GW_LOG(GW_WARN, "retry_wait", GW_S("what", "login"),
                   GW_S("reason", sg_strerror(SG_ERR_AUTH)), GW_I("http_status", 401),
                   GW_U("failures", A.code_failures), GW_U("retry_in_ms", wait));
        }
        return -1;
    }
    case CHECK_FAILED: {
        A.last_check_failed = true;
        remember_error("check_failed", sg_strerror(why));
        if (A.o->once) {
            GW_LOG(GW_ERROR, "check_failed", GW_S("reason", sg_strerror(why)),
                   GW_I("http_status", http_status));
            return check_exit(why, http_status);
        }
        A.failures++;
        uint32_t wait = backoff_ms(A.failures, server_wait);
        const char *cert = "";
        uint32_t flags = 0;
        if (why == SG_ERR_CERT && A.net_full &&
            sg_tls_verify_result(&A.net.tls, &flags, &cert) != SG_OK) {
            cert = "";
        }
        char reason[256];
        (void)snprintf(reason, sizeof reason, "%s%s%s", sg_strerror(why),
                       cert[0] != '\0' ? ": " : "", cert);
        GW_LOG(GW_WARN, "check_failed", GW_S("what", "me"), GW_S("reason", reason),
               GW_I("http_status", http_status), GW_U("failures", A.failures),
               GW_U("retry_in_ms", wait));
        A.next_check_ms = now_ms() + wait;
        return -1;
    }
    case CHECK_STOPPED:
    default:
        return GW_STOPPED;
    }
}

/* Renewal due, or the token already dead by the server's clock? */
static int consider_renewal(void)
{
    sg_renew_plan plan;
    if (A.profile.token[0] == '\0' || sg_renew_plan_now(&A.renew, &plan) != SG_OK) {
        return -1;
    }
    if (plan.action == SG_RENEW_EXPIRED) {
        char at[SG_ISO8601_LEN + 1] = "";
        if (sg_iso8601_format(plan.expires_at_s, at, sizeof at) != SG_OK) {
            at[0] = '\0';
        }
        GW_LOG(GW_WARN, "token_expired", GW_S("expires_at", at),
               GW_S("reason", A.pending == PENDING_RENEWAL
                                  ? "no approval came in time; waiting for it as at first login"
                                  : "the token expired; logging in again"));
        remember_error("token_expired", "the token expired before a renewal was approved");
        return forget_token();
    }
    if (plan.action != SG_RENEW_NOW || A.pending != PENDING_NONE) {
        return -1;
    }
    if (A.o->once) {
        GW_LOG(GW_WARN, "renew_due", GW_U("left_s", plan.left_ms / 1000u),
               GW_S("reason", "run the agent without --once to renew"));
        return -1;
    }
    if (now_ms() < A.next_code_ms) {
        return -1;
    }
    sg_status st = start_code(PENDING_RENEWAL);
    if (st != SG_OK) {
        if (st == SG_ERR_CANCELLED || stopping()) {
            return GW_STOPPED;
        }
        code_failed(PENDING_RENEWAL, st);
    }
    return -1;
}

/* No token and no code: start a first login (or a new one after a rejection). */
static int consider_login(void)
{
    if (A.profile.token[0] != '\0' || A.pending != PENDING_NONE || now_ms() < A.next_code_ms) {
        return -1;
    }
    sg_status st = start_code(PENDING_PROVISION);
    if (st == SG_OK) {
        return -1;
    }
    int rc = login_exit(st);
    if (rc == GW_STOPPED) {
        return rc;
    }
    code_failed(PENDING_PROVISION, st);
    return A.o->once ? rc : -1;
}

/* How long until something is due: a check, a poll, a new code, the renewal. */
static uint64_t time_to_next(void)
{
    uint64_t now = now_ms();
    uint64_t wait = (uint64_t)A.o->interval_s * 1000u;
    bool have_token = A.profile.token[0] != '\0';
    if (have_token) {
        wait = A.next_check_ms > now ? A.next_check_ms - now : 0;
    }
    uint64_t poll_in = A.next_poll_ms > now ? A.next_poll_ms - now : 0;
    if (A.pending != PENDING_NONE && poll_in < wait) {
        wait = poll_in;
    }
    if (A.pending == PENDING_NONE) {
        uint64_t code_in = A.next_code_ms > now ? A.next_code_ms - now : 0;
        sg_renew_plan plan;
        if (!have_token) {
            wait = code_in;
        } else if (!A.o->once && sg_renew_plan_now(&A.renew, &plan) == SG_OK &&
                   plan.action != SG_RENEW_UNKNOWN) {
            uint64_t due = plan.action == SG_RENEW_LATER ? plan.renew_in_ms : code_in;
            if (plan.action == SG_RENEW_NOW && code_in == 0) {
                due = 0;
            }
            wait = due < wait ? due : wait;
        }
    }
    if (have_token && A.pending == PENDING_RENEWAL) {
        sg_renew_plan plan;
        if (sg_renew_plan_now(&A.renew, &plan) == SG_OK && plan.action != SG_RENEW_UNKNOWN &&
            plan.left_ms < wait) {
            wait = plan.left_ms; /* wake when the old token dies */
        }
    }
    return wait;
}

static int loop(void)
{
    for (;;) {
        if (stopping()) {
            return stop_exit();
        }
        int rc = consider_login();
        if (rc < 0) {
            rc = consider_renewal();
        }
        if (rc < 0 && A.pending != PENDING_NONE && now_ms() >= A.next_poll_ms) {
            rc = poll_code();
        }
        if (rc < 0 && A.profile.token[0] != '\0' && A.pending != PENDING_PROVISION &&
            now_ms() >= A.next_check_ms) {
            rc = run_check();
        }
        write_status();
        if (rc == GW_STOPPED || stopping()) {
            return stop_exit();
        }
        if (rc >= 0) {
            return rc;
        }
        uint64_t wait = time_to_next();
        if (wait > 0) {
            platform()->sleep_ms(platform()->ctx,
                                 (uint32_t)(wait < UINT32_MAX ? wait : UINT32_MAX));
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
    if (rc < 0 && sg_renew_init(&A.renew, platform(), o->renew_before_ms) != SG_OK) {
        GW_LOG(GW_ERROR, "config_error", GW_S("reason", "bad --renew-before"));
        rc = GW_EXIT_USAGE;
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
    GW_LOG(GW_INFO, "start", GW_S("profile", o->profile), GW_S("api_base", A.api_base),
           GW_S("token", A.profile.token[0] != '\0' ? "saved" : "none"),
           GW_U("interval_s", o->interval_s), GW_U("backoff_max_s", o->backoff_max_s),
           GW_U("renew_before_s", o->renew_before_ms / 1000u),
           GW_S("mode", o->once ? "once" : "loop"), GW_I("pid", getpid()));
    A.next_check_ms = now_ms();
    rc = loop();
    teardown();
    return rc;
}
