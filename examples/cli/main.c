/*
 * sitegpt: command-line client for the SiteGPT API v2, a drop-in for the official CLI's
 * login, logout, whoami, profiles, tokens and chatbots commands, plus `api` for any route.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cli_store.h"
#include "ex_build_info.h"
#include <sitegpt/sg_posix.h>
#include "sg_tls.h"
#include <sitegpt/sitegpt.h>

#define STACK_SCRUB_BYTES \
    (64u * 1024u) /* deeper than a command's frames (big buffers are static) */

/* The stack the command ran on: its frames held tokens (credentials, profiles). */
__attribute__((noinline)) static void scrub_stack(void)
{
    unsigned char deep[STACK_SCRUB_BYTES];
    sg_wipe(deep, sizeof deep);
}

/* At exit, whatever path led there: no token stays in this process's memory. */
static void wipe_at_exit(void)
{
    cli_store_wipe();
    cli_pass_reset();
    scrub_stack();
}

typedef struct cli_command {
    const char *name;
    cli_command_fn run;
    const char *summary;
} cli_command;

static const cli_command commands[] = {
    {"login", cmd_login, "Log in with the device code flow (or store an existing token)"},
    {"logout", cmd_logout, "Forget the token saved in a profile"},
    {"whoami", cmd_whoami, "Show who the current credential belongs to"},
    {"profiles", cmd_profiles, "List, show, switch and delete saved profiles"},
    {"tokens", cmd_tokens, "List, create, rotate and revoke API tokens"},
    {"chatbots", cmd_chatbots, "List chatbots and show one"},
    {"api", cmd_api, "Send any request to the API v2 and print the response"},
};

#define COMMAND_COUNT (sizeof commands / sizeof commands[0])

static void print_main_help(FILE *out)
{
    fprintf(out,
            "sitegpt - SiteGPT API v2 from the command line (sitegpt-c %s)\n"
            "\n"
            "Usage: sitegpt [global options] <command> [command options]\n"
            "\n"
            "Commands:\n",
            SG_VERSION);
    for (size_t i = 0; i < COMMAND_COUNT; i++) {
        fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
    }
    fprintf(out, "  %-10s %s\n", "help",
            "'help <command> [<subcommand>]' is '<command> ... --help'");
    fprintf(
        out,
        "\n"
        "Global options (before or after the command):\n"
        "  --json              machine output: the API envelope {\"ok\",\"data\",\"meta\"} on stdout,\n"
        "                      always valid JSON (a body that is not: an ok:false envelope)\n"
        "  -p, --profile NAME  use this saved profile (default: SITEGPT_PROFILE, then the default)\n"
        "  --api-base URL      API origin (default: SITEGPT_API_BASE, the profile's, then\n"
        "                      " CLI_DEFAULT_API_BASE "); https, or http only for localhost,\n"
        "                      127.0.0.0/8 and ::1. A token saved in a profile is sent only\n"
        "                      to that profile's origin: for another one, use\n"
        "                      SITEGPT_API_TOKEN or 'login --profile NAME --api-base URL'\n"
        "  --cacert FILE       trust the CA certificates in FILE (default: SSL_CERT_FILE, then\n"
        "                      the system bundle /etc/ssl/certs/ca-certificates.crt)\n"
        "  --proxy URL         reach https:// origins through this HTTP proxy,\n"
        "                      http://[user:password@]host[:port]; '' for none (default:\n"
        "                      https_proxy, then HTTPS_PROXY, unless NO_PROXY lists the host)\n"
        "  --timeout SECONDS   bound each API request as a whole: connect, TLS, sending,\n"
        "                      receiving and every retry and redirect of it share one\n"
        "                      deadline (each page of --all gets its own). In login, each\n"
        "                      request is bounded so; the wait for approval ends when the\n"
        "                      code expires (at most an hour). 1-3600 (default:\n"
        "                      SITEGPT_TIMEOUT, then 30)\n"
        "  -h, --help          help; every command and subcommand has its own\n"
        "  -v, --version       print the version, the mbedTLS version and the features built in\n"
        "\n"
        "Environment:\n"
        "  SITEGPT_API_TOKEN   token for this command; beats any saved token\n"
        "  SITEGPT_API_BASE    API origin when --api-base is not given\n"
        "  SITEGPT_PROFILE     profile when --profile is not given\n"
        "  SITEGPT_TIMEOUT     seconds per request (as --timeout), when it is not given\n"
        "  HTTPS_PROXY         proxy URL when --proxy is not given (https_proxy first)\n"
        "  NO_PROXY            hosts reached directly (no_proxy first): '*', names (a\n"
        "                      name covers its subdomains), IPs, each with an optional :port\n"
        "  XDG_CONFIG_HOME     config folder (default ~/.config); profiles live in\n"
        "                      sitegpt/config.json there, mode 0600 in a 0700 folder (refused\n"
        "                      when another user owns or may write either)\n"
        "\n"
        "Exit codes:\n"
        "  0 success            1 API error            2 usage error\n"
        "  3 not logged in or token rejected           4 login denied or expired\n"
        "  5 network, TLS or malformed response        6 config file could not be read or written\n"
        "  7 internal limit     130 interrupted (Ctrl-C)   143 terminated (SIGTERM)\n"
        "\n"
        "Examples:\n"
        "  sitegpt login                       # approve the shown code in a browser\n"
        "  sitegpt whoami\n"
        "  sitegpt chatbots list --json\n"
        "  sitegpt api /api/v2/usage\n"
        "\n"
        "Run 'sitegpt <command> --help' for a command's options, 'man sitegpt' for all.\n");
}

/* Value of "--opt VALUE" or "--opt=VALUE"; NULL when argv[*i] is not that option. */
static const char *option_value(int argc, char **argv, int *i, const char *long_name,
                                const char *short_name, bool *missing)
{
    const char *arg = argv[*i];
    size_t n = strlen(long_name);
    if (strncmp(arg, long_name, n) == 0 && arg[n] == '=') {
        return arg + n + 1;
    }
    if (strcmp(arg, long_name) == 0 || (short_name != NULL && strcmp(arg, short_name) == 0)) {
        if (*i + 1 >= argc || argv[*i + 1] == NULL) {
            *missing = true;
            return NULL;
        }
        *i += 1;
        return argv[*i];
    }
    return NULL;
}

static const cli_command *find_command(const char *name)
{
    for (size_t i = 0; i < COMMAND_COUNT; i++) {
        if (strcmp(commands[i].name, name) == 0) {
            return &commands[i];
        }
    }
    return NULL;
}

int main(int argc, char **argv)
{
    static char *rest[260];
    int nrest = 0;
    cli_globals g = {0};
    bool want_help = false;
    bool want_version = false;
    bool after_dashdash = false;

    /* A library built with other options than this program would corrupt memory. */
    sg_status layout = sg_check_layout();
    if (layout == SG_OK) {
        layout = sg_tls_check_layout();
    }
    if (layout != SG_OK) {
        fprintf(stderr, "sitegpt: %s\n", sg_strerror(layout));
        return CLI_EXIT_INTERNAL;
    }
    /* Before any token or device code is read: no core file, no debugger of the same user. */
    if (sg_posix_protect_secrets() != SG_OK) {
        fprintf(stderr, "sitegpt: warning: cannot keep secrets out of core dumps\n");
    }
    (void)atexit(wipe_at_exit);

    if (argc > 256) {
        fprintf(stderr, "sitegpt: too many arguments (at most 255)\n");
        return CLI_EXIT_USAGE;
    }

    /* Global options may stand anywhere; everything else goes to the command in order. */
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        bool missing = false;
        if (arg == NULL) {
            break; /* argv ends early: treat as its end */
        }
        const char *v;
        if (after_dashdash) {
            rest[nrest++] = argv[i];
            continue;
        }
        if (strcmp(arg, "--") == 0) {
            after_dashdash = true;
            rest[nrest++] = argv[i];
        } else if (strcmp(arg, "--json") == 0) {
            g.json = true;
        } else if ((v = option_value(argc, argv, &i, "--profile", "-p", &missing)) != NULL) {
            g.profile = v;
        } else if ((v = option_value(argc, argv, &i, "--api-base", NULL, &missing)) != NULL) {
            g.api_base = v;
        } else if ((v = option_value(argc, argv, &i, "--cacert", NULL, &missing)) != NULL) {
            g.cacert = v;
        } else if ((v = option_value(argc, argv, &i, "--proxy", NULL, &missing)) != NULL) {
            g.proxy = v;
        } else if ((v = option_value(argc, argv, &i, "--timeout", NULL, &missing)) != NULL) {
            char *end = NULL;
            unsigned long t = strtoul(v, &end, 10);
            if (end == v || *end != '\0' || t < 1 || t > 3600) {
                return cli_usage_error(&g, NULL,
                                       "--timeout takes whole seconds from 1 to 3600, "
                                       "not '%s'",
                                       v);
            }
            g.timeout_s = (unsigned)t;
        } else if (missing) {
            return cli_usage_error(&g, NULL, "option %s needs a value", arg);
        } else if (nrest == 0 && (strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0)) {
            want_help = true;
        } else if (strcmp(arg, "-v") == 0 || strcmp(arg, "--version") == 0) {
            want_version = true;
        } else {
            rest[nrest++] = argv[i];
        }
    }
    if (g.profile != NULL && g.profile[0] == '\0') {
        return cli_usage_error(&g, NULL, "--profile needs a non-empty name");
    }
    if (g.api_base != NULL && g.api_base[0] == '\0') {
        return cli_usage_error(&g, NULL, "--api-base needs a URL");
    }

    if (want_version) {
        ex_print_build_info(stdout, "sitegpt-c");
        return CLI_EXIT_OK;
    }
    if (nrest > 0 && strcmp(rest[0], "help") == 0) {
        if (nrest == 1) {
            print_main_help(stdout);
            return CLI_EXIT_OK;
        }
        /* "sitegpt help tokens create" == "sitegpt tokens create --help" */
        want_help = true;
        for (int i = 0; i + 1 < nrest; i++) {
            rest[i] = rest[i + 1];
        }
        nrest--;
    }
    if (nrest == 0 && want_help) {
        print_main_help(stdout);
        return CLI_EXIT_OK;
    }
    if (nrest == 0) {
        print_main_help(stderr);
        return cli_usage_error(&g, NULL, "missing the command (login, whoami, tokens, ...)");
    }

    const cli_command *cmd = find_command(rest[0]);
    if (cmd == NULL) {
        return cli_fail(&g, CLI_EXIT_USAGE, "UNKNOWN_COMMAND",
                        "unknown command '%s'. Run 'sitegpt --help' for the list of commands.",
                        rest[0]);
    }
    if (want_help) {
        static char help_flag[] = "--help";
        rest[nrest++] = help_flag;
    }
    rest[nrest] = NULL;
    cli_signals_install();
    cli_store_use_globals(&g); /* config errors follow --json in every command */
    return cmd->run(&g, nrest, rest);
}
