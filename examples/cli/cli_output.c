/* sitegpt CLI: how failures are reported (human text on stderr, or an envelope with --json). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "cli_json.h"
#include "ex_term.h"

volatile sig_atomic_t cli_interrupted_signal = 0;

static void on_signal(int sig)
{
    cli_interrupted_signal = sig;
}

void cli_signals_install(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0; /* no SA_RESTART: a blocked poll or sleep returns at once */
    (void)sigaction(SIGINT, &sa, NULL);
    (void)sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
}

int cli_interrupted_exit(void)
{
    if (cli_interrupted_signal == SIGINT) {
        return CLI_EXIT_SIGINT;
    }
    if (cli_interrupted_signal == SIGTERM) {
        return CLI_EXIT_SIGTERM;
    }
    return 0;
}

/* {"ok":false,"error":{"code":...,"message":...[,"hint":...]}} on stdout. */
static void print_error_envelope(const char *code, const char *message, const char *hint)
{
    char buf[2048];
    sg_json_writer w;
    cli_json_envelope(&w, buf, sizeof buf, false);
    cli_json_object(&w, "error");
    cli_json_str(&w, "code", code);
    cli_json_str(&w, "message", message);
    if (hint != NULL && hint[0] != '\0') {
        cli_json_str(&w, "hint", hint);
    }
    (void)sg_json_write_object_end(&w);
    (void)sg_json_write_object_end(&w);
    cli_json_print(&w);
}

const char *cli_esc(const char *s)
{
    static char ring[8][CLI_ESC_MAX];
    static unsigned next;
    char *out = ring[next++ % 8];
    (void)ex_term_escape(s != NULL ? s : "", s != NULL ? strlen(s) : 0, out, CLI_ESC_MAX);
    return out;
}

__attribute__((format(printf, 5, 0))) static int vfail(const cli_globals *g, int exit_code,
                                                       const char *code, const char *hint,
                                                       const char *fmt, va_list ap)
{
    char message[1024];
    (void)vsnprintf(message, sizeof message, fmt, ap);
    if (g != NULL && g->json) {
        print_error_envelope(code, message, hint);
    } else {
        /* Messages quote server and file text: escape the whole line once, here. */
        fprintf(stderr, "sitegpt: %s\n", cli_esc(message));
        if (hint != NULL && hint[0] != '\0') {
            fprintf(stderr, "hint: %s\n", cli_esc(hint));
        }
    }
    return exit_code;
}

int cli_fail(const cli_globals *g, int exit_code, const char *code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = vfail(g, exit_code, code, NULL, fmt, ap);
    va_end(ap);
    return rc;
}

int cli_usage_error(const cli_globals *g, const char *cmd, const char *fmt, ...)
{
    char message[1024];
    char hint[160];
    va_list ap;
    va_start(ap, fmt);
    (void)vsnprintf(message, sizeof message, fmt, ap);
    va_end(ap);
    (void)snprintf(hint, sizeof hint, "run 'sitegpt%s%s --help' for usage", cmd ? " " : "",
                   cmd ? cmd : "");
    if (g != NULL && g->json) {
        print_error_envelope("USAGE_ERROR", message, hint);
    } else {
        fprintf(stderr, "sitegpt%s%s: %s\nTry 'sitegpt%s%s --help'.\n", cmd ? " " : "",
                cmd ? cmd : "", cli_esc(message), cmd ? " " : "", cmd ? cmd : "");
    }
    return CLI_EXIT_USAGE;
}

bool cli_is_help(const char *arg)
{
    return strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0;
}

int cli_no_args(const cli_globals *g, const char *cmd, int argc, char **argv,
                void (*help)(FILE *out))
{
    if (argc < 2) {
        return -1;
    }
    if (cli_is_help(argv[1])) {
        help(stdout);
        return CLI_EXIT_OK;
    }
    return cli_usage_error(g, cmd, "unexpected argument '%s'", argv[1]);
}

int cli_exit_for_status(sg_status st)
{
    switch (st) {
    case SG_OK:
        return CLI_EXIT_OK;
    case SG_ERR_CANCELLED:
        return cli_interrupted_exit() ? cli_interrupted_exit() : CLI_EXIT_SIGINT;
    case SG_ERR_STORAGE:
        return CLI_EXIT_STORAGE;
    case SG_ERR_AUTH:
        return CLI_EXIT_AUTH;
    case SG_ERR_API:
    case SG_ERR_RATE_LIMITED:
    case SG_ERR_OAUTH:
        return CLI_EXIT_API;
    case SG_ERR_ACCESS_DENIED:
    case SG_ERR_EXPIRED_TOKEN:
        return CLI_EXIT_LOGIN;
    case SG_ERR_INVALID_ARG:
    case SG_ERR_URL:
        return CLI_EXIT_USAGE;
    case SG_ERR_BUFFER_TOO_SMALL:
    case SG_ERR_UNSUPPORTED:
    case SG_ERR_NOT_FOUND:
        return CLI_EXIT_INTERNAL;
    default:
        return CLI_EXIT_NETWORK;
    }
}

/* Stable machine-readable names for local failures (the API's own codes pass through). */
static const char *code_for_status(sg_status st)
{
    switch (st) {
    case SG_ERR_TIMEOUT:
        return "TIMEOUT";
    case SG_ERR_DNS:
        return "DNS_ERROR";
    case SG_ERR_CONNECT:
    case SG_ERR_IO:
    case SG_ERR_CLOSED:
        return "NETWORK_ERROR";
    case SG_ERR_TLS:
        return "TLS_ERROR";
    case SG_ERR_CERT:
        return "CERTIFICATE_REJECTED";
    case SG_ERR_PROXY:
        return "PROXY_REFUSED";
    case SG_ERR_STORAGE:
        return "STORAGE_ERROR";
    case SG_ERR_CANCELLED:
        return "INTERRUPTED";
    case SG_ERR_AUTH:
        return "TOKEN_NOT_VALID";
    case SG_ERR_URL:
    case SG_ERR_INVALID_ARG:
        return "USAGE_ERROR";
    case SG_ERR_INSECURE_ENDPOINT:
        return "INSECURE_ENDPOINT";
    case SG_ERR_INSECURE_URL:
        return "INSECURE_URL";
    case SG_ERR_HTTP_REDIRECT_DOWNGRADE:
    case SG_ERR_HTTP_REDIRECT_BODY:
        return "REDIRECT_REFUSED";
    case SG_ERR_DISCOVERY:
        return "DISCOVERY_FAILED";
    case SG_ERR_ACCESS_DENIED:
        return "ACCESS_DENIED";
    case SG_ERR_EXPIRED_TOKEN:
        return "EXPIRED_TOKEN";
    default:
        if (st <= SG_ERR_HTTP_MALFORMED && st >= SG_ERR_JSON_PATH_TOO_LONG) {
            return "PROTOCOL_ERROR";
        }
        return "INTERNAL_ERROR";
    }
}

int cli_fail_status(const cli_globals *g, sg_status st, const char *context)
{
    char detail[512];
    const char *extra = cli_net_detail(st, detail, sizeof detail);
    const char *why = extra != NULL ? extra : sg_strerror(st);
    return cli_fail(g, cli_exit_for_status(st), code_for_status(st), "%s%s%s",
                    context != NULL ? context : "", context != NULL ? ": " : "", why);
}

int cli_fail_envelope(const cli_globals *g, const sg_envelope *env, int http_status)
{
    int exit_code = (http_status == 401 || sg_envelope_status(env) == SG_ERR_AUTH) ? CLI_EXIT_AUTH
                                                                                   : CLI_EXIT_API;
    const char *code = env->code[0] != '\0' ? env->code : "HTTP_ERROR";
    if (g != NULL && g->json) {
        /* A JSON envelope was already passed through unchanged; only synthesize one. */
        if (!env->is_json) {
            char message[64];
            (void)snprintf(message, sizeof message, "HTTP %d", http_status);
            print_error_envelope(code, env->message[0] != '\0' ? env->message : message, NULL);
        }
        return exit_code;
    }
    fprintf(stderr, "sitegpt: API error %s (HTTP %d): %s%s\n", cli_esc(code), http_status,
            env->message[0] != '\0' ? cli_esc(env->message) : "no message",
            env->message_truncated ? "..." : "");
    if (env->hint[0] != '\0') {
        fprintf(stderr, "hint: %s%s\n", cli_esc(env->hint), env->hint_truncated ? "..." : "");
    }
    if (exit_code == CLI_EXIT_AUTH && strcmp(code, "AUTHORIZATION_HEADER_REQUIRED") != 0) {
        fprintf(stderr, "hint: the token was rejected; log in again with 'sitegpt login'\n");
    }
    if (env->request_id[0] != '\0') {
        fprintf(stderr, "request id: %s\n", cli_esc(env->request_id));
    }
    return exit_code;
}

void cli_mask_token(const char *token, char *out, size_t cap)
{
    size_t len = strlen(token);
    size_t prefix = 0;
    if (cap == 0) {
        return;
    }
    /* Show "sgpt_" and the last four characters; short tokens show nothing of themselves. */
    const char *us = strchr(token, '_');
    if (us != NULL && (size_t)(us - token) < 8) {
        prefix = (size_t)(us - token) + 1;
    }
    if (len < prefix + 12) {
        (void)snprintf(out, cap, "%.*s****", (int)prefix, token);
        return;
    }
    (void)snprintf(out, cap, "%.*s****%s", (int)prefix, token, token + len - 4);
}
