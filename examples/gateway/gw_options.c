/* sitegpt-gateway: command line parsing and the help text. */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gw_options.h"
#include "sg_base.h"
#include "sg_scopes.h"

static void print_help(FILE *out)
{
    fprintf(out,
        "sitegpt-gateway - keep an IoT gateway provisioned with a SiteGPT API token "
        "(sitegpt-c %s)\n"
        "\n"
        "Usage: sitegpt-gateway [options]\n"
        "\n"
        "With no valid token in its profile the agent runs the device login: it logs a code\n"
        "and a URL (and a QR code with --qr); someone opens the URL on a phone or a laptop,\n"
        "enters the code and approves. The agent stores the token it receives, then checks\n"
        "GET /api/v2/me every --interval seconds. Network loss and server errors are retried\n"
        "with exponential backoff (jittered, capped by --backoff-max); the login starts again\n"
        "only when the API rejects the token (401 TOKEN_NOT_VALID).\n"
        "\n"
        "Login (ask for the least privilege the gateway needs):\n"
        "  --scope SCOPE         scope to request; repeat for more (default: " GW_DEFAULT_SCOPE ")\n"
        "  --chatbot ID          restrict the token to this chatbot; repeatable\n"
        "  --name NAME           token name shown in the dashboard\n"
        "                        (default: \"SiteGPT gateway (<profile>@<hostname>)\")\n"
        "  --expires-in-days N   token lifetime, 1..365 (default: the server's, 90)\n"
        "  --qr                  also draw the approval URL as a QR code in the log\n"
        "\n"
        "Where:\n"
        "  -p, --profile NAME    profile in the sitegpt config file (default: " GW_DEFAULT_PROFILE ")\n"
        "  --api-base URL        API origin (default: SITEGPT_API_BASE, then the profile's,\n"
        "                        then " GW_DEFAULT_API_BASE "); a token saved for another\n"
        "                        origin is not used\n"
        "  --cacert FILE         trust the CA certificates in FILE (default: SSL_CERT_FILE,\n"
        "                        then /etc/ssl/certs/ca-certificates.crt)\n"
        "\n"
        "Loop:\n"
        "  --interval SECONDS    time between checks, 1..86400 (default: %u)\n"
        "  --backoff-max SECONDS longest wait after failures, 1..86400 (default: %u)\n"
        "  --timeout SECONDS     connect and read timeout, 1..600 (default: %u)\n"
        "  --once                provision if needed, check once, exit (for scripts)\n"
        "  -q, --quiet           log only warnings and errors\n"
        "  -v, --verbose         log debug events too\n"
        "  -h, --help            this help\n"
        "  -V, --version         print the version\n"
        "\n"
        "Output: one timestamped event per line on stderr, key=value fields, e.g.\n"
        "  2026-01-01T12:00:00.000Z level=info event=check_ok user=usr_1 next_check_s=300\n"
        "Events: start, login_start, login_code, login_ok, login_failed, token_saved,\n"
        "token_other_origin, check_ok, check_failed, retry_wait, token_rejected, stop.\n"
        "Tokens and device codes are never logged; the user code and URL are (a person must\n"
        "read them). stdout is not used.\n"
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
        "  systemd: ExecStart=/usr/bin/sitegpt-gateway --profile gateway --interval 600\n",
        SG_VERSION, GW_DEFAULT_INTERVAL_S, GW_DEFAULT_BACKOFF_MAX_S, GW_DEFAULT_TIMEOUT_S);
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
    OPT_SCOPE = 256, OPT_CHATBOT, OPT_NAME, OPT_EXPIRES, OPT_QR, OPT_API_BASE, OPT_CACERT,
    OPT_INTERVAL, OPT_BACKOFF_MAX, OPT_TIMEOUT, OPT_ONCE
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
    {"quiet", no_argument, NULL, 'q'},
    {"verbose", no_argument, NULL, 'v'},
    {"help", no_argument, NULL, 'h'},
    {"version", no_argument, NULL, 'V'},
    {NULL, 0, NULL, 0},
};

static int add_scope(gw_options *o, const char *s)
{
    if (!sg_scope_is_valid(s)) {
        const char *near = sg_scope_suggest(s);
        fprintf(stderr, "sitegpt-gateway: unknown scope '%s'%s%s%s\n", s,
                near != NULL ? " (did you mean '" : "", near != NULL ? near : "",
                near != NULL ? "'?)" : "");
        fputs("Scopes look like resource:action, e.g. chatbots:read. "
              "Try 'sitegpt-gateway --help'.\n", stderr);
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
                   ? -1 : usage_error("--expires-in-days must be 1..365, not '%s'", arg);
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
                   ? -1 : usage_error("--interval must be 1..86400 seconds, not '%s'", arg);
    case OPT_BACKOFF_MAX:
        return parse_u32(arg, 1, 86400, &o->backoff_max_s)
                   ? -1 : usage_error("--backoff-max must be 1..86400 seconds, not '%s'", arg);
    case OPT_TIMEOUT:
        return parse_u32(arg, 1, 600, &o->timeout_s)
                   ? -1 : usage_error("--timeout must be 1..600 seconds, not '%s'", arg);
    case OPT_ONCE:
        o->once = true;
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
        printf("sitegpt-gateway %s\n", SG_VERSION);
        return GW_EXIT_OK;
    default:
        fputs("Try 'sitegpt-gateway --help'.\n", stderr);
        return GW_EXIT_USAGE;
    }
}

int gw_options_parse(int argc, char **argv, gw_options *o)
{
    memset(o, 0, sizeof *o);
    o->profile = GW_DEFAULT_PROFILE;
    o->interval_s = GW_DEFAULT_INTERVAL_S;
    o->backoff_max_s = GW_DEFAULT_BACKOFF_MAX_S;
    o->timeout_s = GW_DEFAULT_TIMEOUT_S;
    o->log_level = GW_INFO;
    opterr = 1; /* getopt names an unknown option itself */
    int c;
    while ((c = getopt_long(argc, argv, "p:qvhV", long_opts, NULL)) != -1) {
        int rc = check_one(c, optarg, o);
        if (rc >= 0) {
            return rc;
        }
    }
    if (optind < argc) {
        return usage_error("unexpected argument '%s' (the agent takes options only)",
                           argv[optind]);
    }
    if (o->scope_count == 0) {
        o->scopes[o->scope_count++] = GW_DEFAULT_SCOPE;
    }
    return -1;
}
