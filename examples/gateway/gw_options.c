/* sitegpt-gateway: command line parsing and the help text. */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ex_build_info.h"
#include "gw_options.h"
#include <sitegpt/sg_base.h>
#include <sitegpt/sg_scopes.h>

static void print_help(FILE *out)
{
    fprintf(
        out,
        "sitegpt-gateway - keep an IoT gateway provisioned with a SiteGPT API token "
        "(sitegpt-c %s)\n"
        "\n"
        "Usage: sitegpt-gateway [options]\n"
        "       sitegpt-gateway status --status-file PATH\n"
        "\n"
        "With no valid token in its profile the agent runs the device login: it logs a code\n"
        "and a URL (and a QR code with --qr); someone opens the URL on a phone or a laptop,\n"
        "enters the code and approves. The agent stores the token it receives, then checks\n"
        "GET /api/v2/me every --interval seconds. Network loss and server errors are retried\n"
        "with exponential backoff (jittered, capped by --backoff-max); the login starts again\n"
        "only when the API rejects the token (401 TOKEN_NOT_VALID).\n"
        "\n"
        "Renewal: each check reads the token's expiry (auth.expiresAt) and measures the time\n"
        "left against the server's Date header, never the local clock (a gateway that boots\n"
        "in 1970 renews on time). When less than --renew-before is left, the agent starts a\n"
        "device login for a new token with the same scopes, chatbots and lifetime, and keeps\n"
        "using the old token until someone approves; the new one then replaces it\n"
        "atomically. A code that expires or is denied is asked again (with backoff). If the\n"
        "old token expires first, the agent waits for the approval as at first login.\n"
        "\n"
        "Login (ask for the least privilege the gateway needs):\n"
        "  --scope SCOPE         scope to request; repeat for more (default: " GW_DEFAULT_SCOPE
        ")\n"
        "  --chatbot ID          restrict the token to this chatbot; repeatable\n"
        "  --name NAME           token name shown in the dashboard\n"
        "                        (default: \"SiteGPT gateway (<profile>@<hostname>)\")\n"
        "  --expires-in-days N   token lifetime, 1..365 (default: the server's, 90)\n"
        "  --qr                  also draw the approval URL as a QR code in the log\n"
        "\n"
        "Where:\n"
        "  -p, --profile NAME    profile in the sitegpt config file (default: " GW_DEFAULT_PROFILE
        ")\n"
        "  --api-base URL        API origin (default: SITEGPT_API_BASE, then the profile's,\n"
        "                        then " GW_DEFAULT_API_BASE "); a token saved for another\n"
        "                        origin is not used\n"
        "  --cacert FILE         trust the CA certificates in FILE (default: SSL_CERT_FILE,\n"
        "                        then /etc/ssl/certs/ca-certificates.crt)\n"
        "  HTTPS_PROXY, https_proxy, NO_PROXY, no_proxy: as for the sitegpt CLI (man sitegpt)\n"
        "\n"
        "Loop:\n"
        "  --interval SECONDS    time between checks, 1..86400 (default: %u)\n"
        "  --backoff-max SECONDS longest wait after failures, 1..86400 (default: %u)\n"
        "  --timeout SECONDS     connect and read timeout, 1..600 (default: %u)\n"
        "  --renew-before TIME   start renewing when less than TIME is left; days, or with a\n"
        "                        unit: 14d, 36h, 90m, 30s (default: 14 days; at most half the\n"
        "                        token's lifetime is used, so a fresh token is never renewed\n"
        "                        at once; seconds are meant for tests)\n"
        "  --status-file PATH    keep a JSON status here for a display (written atomically,\n"
        "                        mode 0644, never a secret): state, pending code and URLs,\n"
        "                        token expiry and days left, last success, last error\n"
        "  --once                provision if needed, check once, exit (for scripts; it\n"
        "                        never starts a renewal, it logs renew_due)\n"
        "  -q, --quiet           log only warnings and errors\n"
        "  -v, --verbose         log debug events too\n"
        "  -h, --help            this help\n"
        "  -V, --version         print the version, the mbedTLS version and the features\n"
        "\n",
        SG_VERSION, GW_DEFAULT_INTERVAL_S, GW_DEFAULT_BACKOFF_MAX_S, GW_DEFAULT_TIMEOUT_S);
    fputs("Status: sitegpt-gateway status --status-file PATH prints that file for people.\n"
          "States: provisioning, waiting-for-approval, healthy, renewing, offline, rejected.\n"
          "\n"
          "Output: one timestamped event per line on stderr, level (debug, info, warn, error)\n"
          "and event name, then key=value fields; text values are always quoted, with quotes,\n"
          "backslashes and control bytes escaped (\\\" \\\\ \\n \\xHH), e.g.\n"
          "  2026-01-01T12:00:00.000Z level=info event=check_ok user=\"usr_1\" next_check_s=300\n"
          "Events: start, proxy, login_start, login_code, login_ok, login_failed, token_saved,\n"
          "token_other_origin, check_ok (with expires_at, left_s, renew_in_s), check_failed,\n"
          "retry_wait, token_rejected, renew_start, renew_code, renew_failed, renew_ok,\n"
          "renew_due, renew_unavailable, renew_scopes_unknown, token_expired, status_failed,\n"
          "stop.\n"
          "Codes to approve (login_code, renew_code) are level warn: a person must act, and\n"
          "--quiet still shows them. Tokens and device codes are never logged; the user code\n"
          "and URL are. stdout is not used.\n"
          "\n"
          "Files: $XDG_CONFIG_HOME/sitegpt/config.json (default ~/.config/sitegpt/config.json),\n"
          "the same file and format as the sitegpt CLI; folder 0700, file 0600, replaced\n"
          "atomically, so a stop at any moment never leaves it half written.\n"
          "\n"
          "Signals: SIGTERM or SIGINT stop the loop cleanly (exit 0).\n"
          "\n"
          "Exit codes (--once, or a fatal error in the loop):\n"
          "  0 success                      1 unexpected API error     2 usage error\n"
          "  3 token rejected after a fresh login                      4 login denied or expired\n"
          "  5 network, TLS or server error 6 config file problem      7 internal error\n"
          "  130/143 --once interrupted by SIGINT/SIGTERM\n"
          "\n"
          "Examples:\n"
          "  sitegpt-gateway --scope chatbots:read --chatbot cb_123 --qr\n"
          "  sitegpt-gateway --once && echo provisioned\n"
          "  sitegpt-gateway --status-file /run/sitegpt-gateway.json --renew-before 30d\n"
          "  sitegpt-gateway status --status-file /run/sitegpt-gateway.json\n"
          "\n"
          "systemd: 'make install' puts sitegpt-gateway.service (state folder, token file 0600,\n"
          "sandboxed, restarted after a fatal exit) in $PREFIX/lib/systemd/system; then\n"
          "  systemctl daemon-reload && systemctl enable --now sitegpt-gateway\n"
          "  journalctl -u sitegpt-gateway -f          # the code to approve\n"
          "See 'man sitegpt-gateway'.\n",
          out);
}

static int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int usage_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("sitegpt-gateway: ", stderr);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputs("\nTry 'sitegpt-gateway --help'.\n", stderr);
    return GW_EXIT_USAGE;
}

/* A whole decimal number in [min, max]. */
static bool parse_u32(const char *s, uint32_t min, uint32_t max, uint32_t *out)
{
    char *end = NULL;
    if (s == NULL || s[0] < '0' || s[0] > '9') {
        return false;
    }
    errno = 0;
    unsigned long v = strtoul(s, &end, 10);
    if (errno != 0 || end == s || *end != '\0' || v < min || v > max) {
        return false;
    }
    *out = (uint32_t)v;
    return true;
}

enum {
    OPT_SCOPE = 256,
    OPT_CHATBOT,
    OPT_NAME,
    OPT_EXPIRES,
    OPT_QR,
    OPT_API_BASE,
    OPT_CACERT,
    OPT_INTERVAL,
    OPT_BACKOFF_MAX,
    OPT_TIMEOUT,
    OPT_ONCE,
    OPT_RENEW_BEFORE,
    OPT_STATUS_FILE
};

static const struct option long_opts[] = {
    {"scope", required_argument, NULL, OPT_SCOPE},
    {"chatbot", required_argument, NULL, OPT_CHATBOT},
    {"name", required_argument, NULL, OPT_NAME},
    {"expires-in-days", required_argument, NULL, OPT_EXPIRES},
    {"qr", no_argument, NULL, OPT_QR},
    {"profile", required_argument, NULL, 'p'},
    {"api-base", required_argument, NULL, OPT_API_BASE},
    {"cacert", required_argument, NULL, OPT_CACERT},
    {"interval", required_argument, NULL, OPT_INTERVAL},
    {"backoff-max", required_argument, NULL, OPT_BACKOFF_MAX},
    {"timeout", required_argument, NULL, OPT_TIMEOUT},
    {"once", no_argument, NULL, OPT_ONCE},
    {"renew-before", required_argument, NULL, OPT_RENEW_BEFORE},
    {"status-file", required_argument, NULL, OPT_STATUS_FILE},
    {"quiet", no_argument, NULL, 'q'},
    {"verbose", no_argument, NULL, 'v'},
    {"help", no_argument, NULL, 'h'},
    {"version", no_argument, NULL, 'V'},
    {NULL, 0, NULL, 0},
};

/* "14" (days), "14d", "36h", "90m", "30s": 1 s .. 365 days, in ms. */
static bool parse_duration(const char *s, uint64_t *ms)
{
    char *end = NULL;
    if (s == NULL || s[0] < '0' || s[0] > '9') {
        return false;
    }
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    uint64_t unit = 86400000u;
    if (errno != 0 || end == s) {
        return false;
    }
    if (*end != '\0') {
        const char *units = "dhms";
        static const uint64_t unit_ms[] = {86400000u, 3600000u, 60000u, 1000u};
        const char *u = strchr(units, *end);
        if (u == NULL || end[1] != '\0') {
            return false;
        }
        unit = unit_ms[u - units];
    }
    if (v == 0 || v > 365ull * 86400000u / unit) {
        return false;
    }
    *ms = (uint64_t)v * unit;
    return true;
}

static int add_scope(gw_options *o, const char *s)
{
    if (!sg_scope_is_valid(s)) {
        const char *near = sg_scope_suggest(s);
        fprintf(stderr, "sitegpt-gateway: unknown scope '%s'%s%s%s\n", s,
                near != NULL ? " (did you mean '" : "", near != NULL ? near : "",
                near != NULL ? "'?)" : "");
        fputs("Scopes look like resource:action, e.g. chatbots:read. "
              "Try 'sitegpt-gateway --help'.\n",
              stderr);
        return GW_EXIT_USAGE;
    }
    for (size_t i = 0; i < o->scope_count; i++) {
        if (strcmp(o->scopes[i], s) == 0) {
            return -1; /* asked twice: once is enough */
        }
    }
    if (o->scope_count >= GW_MAX_SCOPES) {
        return usage_error("too many --scope options");
    }
    o->scopes[o->scope_count++] = s;
    return -1;
}

static int check_one(int c, const char *arg, gw_options *o)
{
    switch (c) {
    case OPT_SCOPE:
        return add_scope(o, arg);
    case OPT_CHATBOT:
        if (arg[0] == '\0') {
            return usage_error("--chatbot needs a chatbot id");
        }
        if (o->chatbot_count >= GW_MAX_CHATBOTS) {
            return usage_error("too many --chatbot options (at most 32)");
        }
        o->chatbots[o->chatbot_count++] = arg;
        return -1;
    case OPT_NAME:
        if (arg[0] == '\0' || strlen(arg) > 120) {
            return usage_error("--name must be 1 to 120 characters");
        }
        o->token_name = arg;
        return -1;
    case OPT_EXPIRES:
        return parse_u32(arg, 1, 365, &o->expires_in_days)
                   ? -1
                   : usage_error("--expires-in-days must be 1..365, not '%s'", arg);
    case OPT_QR:
        o->qr = true;
        return -1;
    case 'p':
        if (arg[0] == '\0') {
            return usage_error("--profile needs a name");
        }
        o->profile = arg;
        return -1;
    case OPT_API_BASE:
        o->api_base = arg;
        return -1;
    case OPT_CACERT:
        o->cacert = arg;
        return -1;
    case OPT_INTERVAL:
        return parse_u32(arg, 1, 86400, &o->interval_s)
                   ? -1
                   : usage_error("--interval must be 1..86400 seconds, not '%s'", arg);
    case OPT_BACKOFF_MAX:
        return parse_u32(arg, 1, 86400, &o->backoff_max_s)
                   ? -1
                   : usage_error("--backoff-max must be 1..86400 seconds, not '%s'", arg);
    case OPT_TIMEOUT:
        return parse_u32(arg, 1, 600, &o->timeout_s)
                   ? -1
                   : usage_error("--timeout must be 1..600 seconds, not '%s'", arg);
    case OPT_ONCE:
        o->once = true;
        return -1;
    case OPT_RENEW_BEFORE:
        o->renew_before_set = true;
        return parse_duration(arg, &o->renew_before_ms)
                   ? -1
                   : usage_error("--renew-before must be 1s..365d (days, or a number "
                                 "with d, h, m or s), not '%s'",
                                 arg);
    case OPT_STATUS_FILE:
        if (arg[0] == '\0') {
            return usage_error("--status-file needs a path");
        }
        o->status_file = arg;
        return -1;
    case 'q':
        o->log_level = GW_WARN;
        return -1;
    case 'v':
        o->log_level = GW_DEBUG;
        return -1;
    case 'h':
        print_help(stdout);
        return GW_EXIT_OK;
    case 'V':
        ex_print_build_info(stdout, "sitegpt-gateway");
        return GW_EXIT_OK;
    default:
        fputs("Try 'sitegpt-gateway --help'.\n", stderr);
        return GW_EXIT_USAGE;
    }
}

/* `status`: only --status-file (and --help) make sense there. */
static int parse_status(int argc, char **argv, gw_options *o)
{
    o->command = GW_CMD_STATUS;
    int c;
    while ((c = getopt_long(argc, argv, "h", long_opts, NULL)) != -1) {
        if (c == OPT_STATUS_FILE || c == 'h') {
            int rc = check_one(c, optarg, o);
            if (rc >= 0) {
                return rc;
            }
        } else {
            return usage_error("'status' takes only --status-file PATH");
        }
    }
    if (optind < argc) {
        return usage_error("unexpected argument '%s' after 'status'", argv[optind]);
    }
    if (o->status_file == NULL) {
        return usage_error("'status' needs the file the agent writes: --status-file PATH");
    }
    return -1;
}

int gw_options_parse(int argc, char **argv, gw_options *o)
{
    memset(o, 0, sizeof *o);
    o->renew_before_ms = GW_DEFAULT_RENEW_BEFORE_MS;
    o->profile = GW_DEFAULT_PROFILE;
    o->interval_s = GW_DEFAULT_INTERVAL_S;
    o->backoff_max_s = GW_DEFAULT_BACKOFF_MAX_S;
    o->timeout_s = GW_DEFAULT_TIMEOUT_S;
    o->log_level = GW_INFO;
    opterr = 1; /* getopt names an unknown option itself */
    if (argc > 1 && strcmp(argv[1], "status") == 0) {
        optind = 2;
        return parse_status(argc, argv, o);
    }
    int c;
    while ((c = getopt_long(argc, argv, "p:qvhV", long_opts, NULL)) != -1) {
        int rc = check_one(c, optarg, o);
        if (rc >= 0) {
            return rc;
        }
    }
    if (optind < argc) {
        return usage_error("unexpected argument '%s' (the agent takes options only)", argv[optind]);
    }
    if (o->scope_count == 0) {
        o->scopes[o->scope_count++] = GW_DEFAULT_SCOPE;
    }
    if (o->expires_in_days != 0 && o->renew_before_set &&
        o->renew_before_ms >= (uint64_t)o->expires_in_days * 86400000u) {
        return usage_error("--renew-before must be shorter than the token's lifetime "
                           "(--expires-in-days %u)",
                           (unsigned)o->expires_in_days);
    }
    return -1;
}
