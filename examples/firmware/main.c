/*
 * sitegpt-c firmware example (QEMU mps2-an386, Cortex-M4, bare metal, no heap).
 *
 * Logs in with the device flow over TLS on the UART byte stream (QEMU bridges UART0 to a
 * TCP port; on a board it would be a modem in transparent mode), keeps the token in the
 * key-value store, calls GET /api/v2/me and reports its memory figures. A second boot finds
 * the stored token and skips the login. From /me's auth.expiresAt and the response's Date
 * (never the board's clock, which starts at zero on every boot) sg_renew says when the
 * token should be renewed; the firmware prints that plan.
 *
 * Semihosting command line: fw base=<API base URL> ca=<PEM file> kv=<folder> [seed=<text>]
 * Console and exit status go through semihosting. Exit 0: done; 1: login or API failed;
 * 2: bad command line or setup.
 */
#include <string.h>

#include "cortexm.h"
#include "fw.h"
#include <sitegpt/sg_api.h>
#include <sitegpt/sg_device.h>
#include <sitegpt/sg_renew.h>
#include "sg_tls.h"
#include <sitegpt/sg_url.h>
#include <sitegpt/sitegpt.h>

#define CMDLINE_MAX     512u
#define CA_MAX          4096u
#define HTTP_BUF_SIZE   1536u /* request head, response header block */
#define API_WORK_SIZE   SG_API_WORK_MIN
#define HOST_MAX        64u
#define DATE_MAX        32u  /* an IMF-fixdate is 29 characters */
#define ME_STR_MAX      100u /* the longest /me string read (name, email, dates) */
#define RENEW_BEFORE_MS SG_RENEW_DEFAULT_BEFORE_MS

enum { EXIT_OK = 0, EXIT_FAILED = 1, EXIT_SETUP = 2 };

/* Everything lives in static storage: the linker map shows the whole RAM budget. */
static char cmdline[CMDLINE_MAX];
static uint8_t ca_pem[CA_MAX];
static uint8_t http_buf[HTTP_BUF_SIZE];
static sg_rtos rtos;
static sg_tls tls;
static sg_http_client http;
static char host[HOST_MAX];
static char token[SG_RTOS_TOKEN_MAX];
static sg_renew renew;
/* The login and the API calls never run at the same time: they share memory. */
static union {
    sg_device dev;
    struct {
        sg_api api;
        sg_envelope env;
        sg_json_reader reader; /* the /me body, streamed: only four strings kept */
        char str[ME_STR_MAX];
        char date[DATE_MAX];
        char expires_at[SG_ISO8601_LEN + 8];
        char created_at[SG_ISO8601_LEN + 8];
        uint8_t work[API_WORK_SIZE];
    } call;
} phase;

static int fail(const char *what, sg_status st)
{
    fw_say_error(what, st, tls.last_error, 0);
    return EXIT_FAILED;
}

static sg_status login_and_store(const sg_url *base)
{
    sg_status st =
        fw_device_login(&phase.dev, &http, &rtos, base, "sitegpt-c firmware", token, sizeof token);
    if (st != SG_OK) {
        (void)fail("login", st);
        return st;
    }
    st = sg_rtos_token_store(&rtos, token);
    if (st != SG_OK) {
        (void)fail("token store", st);
        return st;
    }
    fw_say("token: ", "stored");
    return SG_OK;
}

/* The /me members this firmware uses, as the body streams by. */
static const sg_json_sub me_subs[] = {
    {"data.user.name", SG_JSON_SUB_VALUE, true},
    {"data.user.email", SG_JSON_SUB_VALUE, true},
    {"data.auth.expiresAt", SG_JSON_SUB_VALUE, false},
    {"data.auth.createdAt", SG_JSON_SUB_VALUE, false},
};

static void copy_value(char *out, size_t cap, sg_slice v)
{
    size_t n = v.len < cap ? v.len : 0; /* too long: not a date we could use */
    memcpy(out, v.ptr, n);
    out[n] = '\0';
}

static sg_status me_value(void *ctx, const sg_json_event *ev)
{
    (void)ctx;
    if (ev->type != SG_JSON_STRING) {
        return SG_OK;
    }
    if (ev->sub == 0) {
        fw_say("user name=", ev->text.ptr);
    } else if (ev->sub == 1) {
        fw_say("user email=", ev->text.ptr);
    } else {
        copy_value(ev->sub == 2 ? phase.call.expires_at : phase.call.created_at,
                   sizeof phase.call.expires_at, ev->text);
    }
    return SG_OK;
}

static sg_status me_body(void *ctx, const uint8_t *data, size_t len)
{
    (void)ctx;
    return sg_json_reader_feed(&phase.call.reader, data, len);
}

static sg_status me_header(void *ctx, int http_status, sg_slice name, sg_slice value)
{
    (void)ctx;
    (void)http_status;
    if (sg_slice_eq_nocase(name, "date")) {
        copy_value(phase.call.date, sizeof phase.call.date, value);
    }
    return SG_OK;
}

/* When the token should be renewed, by the server's clock: what a device would act on. */
static void report_renewal(void)
{
    sg_slice exp = {phase.call.expires_at, strlen(phase.call.expires_at)};
    sg_slice created = {phase.call.created_at, strlen(phase.call.created_at)};
    sg_slice date = {phase.call.date, strlen(phase.call.date)};
    sg_renew_plan plan;
    char at[SG_ISO8601_LEN + 1];
    sg_status st = sg_renew_init(&renew, &rtos.platform, RENEW_BEFORE_MS);
    if (st == SG_OK) {
        st = sg_renew_observe(&renew, exp, created, date);
    }
    if (st == SG_OK) {
        st = sg_renew_plan_now(&renew, &plan);
    }
    if (st != SG_OK) {
        fw_say("renew: unknown, ", sg_strerror(st));
        return;
    }
    if (sg_iso8601_format(plan.expires_at_s, at, sizeof at) == SG_OK) {
        fw_say("token expires_at=", at);
    }
    fw_say_num("token left_s=", (size_t)(plan.left_ms / 1000u), "");
    if (plan.action == SG_RENEW_LATER) {
        fw_say_num("renew in_s=", (size_t)(plan.renew_in_ms / 1000u), "");
        int64_t renew_at = plan.server_now_s + (int64_t)(plan.renew_in_ms / 1000u);
        if (sg_iso8601_format(renew_at, at, sizeof at) == SG_OK) {
            fw_say("renew at=", at);
        }
    } else {
        fw_say("renew: ", plan.action == SG_RENEW_NOW ? "now" : "expired, log in again");
    }
}

static sg_status whoami(const sg_url *base)
{
    sg_api_config cfg;
    sg_json_config jc;
    memset(&cfg, 0, sizeof cfg);
    memset(&jc, 0, sizeof jc);
    memset(&phase.call, 0, sizeof phase.call);
    cfg.http = &http;
    cfg.origin = base->origin;
    cfg.base_path = "";
    cfg.token = token;
    cfg.platform = &rtos.platform;
    cfg.work = phase.call.work;
    cfg.work_size = sizeof phase.call.work;
    jc.subs = me_subs;
    jc.sub_count = sizeof me_subs / sizeof me_subs[0];
    jc.on_value = me_value;
    jc.str_buf = phase.call.str;
    jc.str_cap = sizeof phase.call.str;
    int http_status = 0;
    sg_status st = sg_api_init(&phase.call.api, &cfg);
    if (st == SG_OK) {
        st = sg_json_reader_init(&phase.call.reader, &jc);
    }
    if (st == SG_OK) {
        st = sg_api_set_header_sink(&phase.call.api, me_header, NULL);
    }
    if (st == SG_OK) {
        st = sg_api_request(&phase.call.api, "GET", "/api/v2/me", NULL, 0, me_body, NULL,
                            &phase.call.env, &http_status);
    }
    if (st == SG_OK) {
        st = sg_envelope_status(&phase.call.env);
    }
    if (st == SG_OK) {
        st = sg_json_reader_finish(&phase.call.reader);
    }
    if (st == SG_OK) {
        report_renewal();
    } else if (phase.call.env.code[0] != '\0') {
        fw_say("api error=", phase.call.env.code);
    }
    return st;
}

static void report_memory(void)
{
    size_t peak = 0, blocks = 0, pool = 0;
    fw_mbedtls_pool_stats(&peak, &blocks, &pool);
    fw_say_num("stack_high_water=", cm_stack_high_water(), " bytes");
    fw_say_num("stack_size=", cm_stack_size(), " bytes");
    fw_say_num("mbedtls_pool_peak=", peak, " bytes");
    fw_say_num("mbedtls_pool_peak_blocks=", blocks, "");
    fw_say_num("mbedtls_pool_size=", pool, " bytes");
    fw_say_num("static_ram=", cm_static_ram(), " bytes (data+bss, pool included)");
    fw_say_num("login_ram=",
               peak + cm_stack_high_water() + sizeof tls + sizeof http + sizeof http_buf +
                   sizeof rtos + sizeof phase,
               " bytes (pool peak + stack + client state)");
}

int main(void)
{
    fw_args args;
    sg_rtos_hooks hooks;
    sg_url base;
    size_t ca_len = 0;

    cm_uart_init();
    /* A library built with other options (sg_user_config.h) would corrupt memory. */
    sg_status layout = sg_check_layout();
    if (layout == SG_OK) {
        layout = sg_tls_check_layout();
    }
    if (layout != SG_OK) {
        (void)fail("setup", layout);
        return EXIT_SETUP;
    }
    if (cm_sh_cmdline(cmdline, sizeof cmdline) != SG_OK || !fw_parse_args(cmdline, &args)) {
        cm_sh_puts("usage: fw base=<url> ca=<pem file> kv=<folder> [seed=<text>]\n");
        return EXIT_SETUP;
    }
    fw_board_hooks(&args, &hooks);
    sg_status st = sg_rtos_init(&rtos, &hooks);
    if (st == SG_OK) {
        st = sg_url_parse(args.base_url, host, sizeof host, &base);
    }
    if (st == SG_OK) {
        st = fw_read_pem(args.ca_file, ca_pem, sizeof ca_pem, &ca_len);
    }
    if (st != SG_OK) {
        (void)fail("setup", st);
        return EXIT_SETUP;
    }
    fw_mbedtls_init(&rtos);

    st = fw_client_init(&tls, &http, &rtos, ca_pem, ca_len, http_buf, sizeof http_buf);
    if (st != SG_OK) {
        (void)fail("tls setup", st);
        return EXIT_SETUP;
    }

    bool stored = sg_rtos_token_load(&rtos, token, sizeof token) == SG_OK;
    if (stored) {
        fw_say("token: ", "stored token found, login skipped");
    } else {
        fw_say("token: ", "none stored, starting device login");
        st = login_and_store(&base);
        if (st != SG_OK) {
            return EXIT_FAILED;
        }
    }

    st = whoami(&base);
    if (st == SG_ERR_AUTH && stored) {
        /* Revoked or expired: there is no refresh token, so forget it and log in again. */
        fw_say("token: ", "stored token rejected, erased; starting device login");
        st = sg_rtos_token_erase(&rtos);
        if (st != SG_OK) {
            return fail("token erase", st);
        }
        if (login_and_store(&base) != SG_OK) {
            return EXIT_FAILED;
        }
        st = whoami(&base);
    }
    sg_wipe(token, sizeof token);
    sg_http_client_close(&http);
    sg_tls_free(&tls);
    if (st != SG_OK) {
        return fail("GET /api/v2/me", st);
    }
    report_memory();
    fw_say("done", "");
    return EXIT_OK;
}
