/*
 * sitegpt login: the OAuth device flow (RFC 8628, core/sg_device), or --token to store an
 * existing token after checking it. Nothing is saved unless the login succeeds.
 */
#include <ctype.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"
#include "cli_identity.h"
#include "cli_json.h"
#include "cli_store.h"
#include "ex_qr.h"

#define LOGIN_LIST_MAX 64  /* --scope / --chatbot given at most this often */
#define LOGIN_NAME_MAX 120 /* token name length the API accepts */

typedef struct login_opts {
    const char *name;
    bool full_access;
    const char *scopes[LOGIN_LIST_MAX];
    size_t scope_count;
    const char *chatbots[LOGIN_LIST_MAX];
    size_t chatbot_count;
    const char *expires_arg;
    uint32_t expires_in_days;
    const char *token_arg;
    bool qr;
    bool no_browser;
} login_opts;

static void print_help(FILE *out)
{
    fprintf(out,
            "Usage: sitegpt login [options]\n"
            "\n"
            "Log in with the device code flow: sitegpt shows a URL and a code, you approve the\n"
            "request in a browser (on any device), and the new token is saved in the profile\n"
            "(created if needed; the first profile becomes the default). Then it shows who is\n"
            "logged in. Nothing is saved when the login fails or is cancelled.\n"
            "\n"
            "Options:\n"
            "  -p, --profile NAME      profile to save into (default: SITEGPT_PROFILE, the\n"
            "                          default profile, then 'default')\n"
            "  --api-base URL          API origin (default: SITEGPT_API_BASE, the profile's,\n"
            "                          then " CLI_DEFAULT_API_BASE "); saved in the profile\n"
            "  --name NAME             token name shown in the dashboard (1-120 characters;\n"
            "                          default 'SiteGPT CLI (<profile>)')\n"
            "  --full-access           every scope your role may issue (not with --scope)\n"
            "  --scope SCOPE           ask for this scope only; repeat for more (custom access)\n"
            "  --chatbot ID            restrict the token to this chatbot; repeat for more\n"
            "  --expires-in-days N     token lifetime, 1-365 (server default 90)\n"
            "  --token TOKEN|-         store an existing token instead (checked with\n"
            "                          GET /api/v2/me first); '-' reads it from stdin, which\n"
            "                          keeps it out of the process list (a TOKEN given here is\n"
            "                          cleared from it at once, with a warning). Not with the\n"
            "                          device options above.\n"
            "  --qr                    also draw the verification link as a QR code\n"
            "  --no-browser            do not open a browser (one is opened only on a desktop\n"
            "                          session, DISPLAY or WAYLAND_DISPLAY set, and only for\n"
            "                          an https:// link or http:// to this machine)\n"
            "  --json                  one JSON object per event on stdout: the device code\n"
            "                          (never the secret device_code), then the final envelope\n"
            "  -h, --help              this help\n"
            "\n"
            "Without --scope or --full-access the server grants standard access: day-to-day\n"
            "read/write without tokens:write, billing:write and integration writes.\n"
            "Scopes:\n ");
    for (size_t i = 0; i < SG_SCOPE_COUNT; i++) {
        fprintf(out, " %s%s", sg_scope_at(i), (i % 4 == 3 && i + 1 < SG_SCOPE_COUNT) ? "\n " : "");
    }
    fprintf(out,
            "\n\n"
            "The wait for approval ends when the code expires (the server's expires_in, at most\n"
            "an hour; polls at the server's interval, at most 60 s apart); each request is\n"
            "bounded by --timeout. A discovery document that names another issuer than the\n"
            "API base stops the login (exit 5); without one, <base>/oauth/... is used.\n"
            "Ctrl-C stops waiting at once (exit 130; SIGTERM 143). Exit 4: denied or expired.\n"
            "\n"
            "Examples:\n"
            "  sitegpt login\n"
            "  sitegpt login --profile ci --scope chatbots:read --scope conversations:read\n"
            "  sitegpt login --profile kiosk --chatbot cb_0001 --expires-in-days 30 --qr\n"
            "  printf '%%s\\n' \"$TOKEN\" | sitegpt login --profile agent --token -\n");
}

/* "--opt VALUE" or "--opt=VALUE": 1 taken, 0 not this option, -1 value missing. */
static int opt_value(int argc, char **argv, int *i, const char *name, const char **out)
{
    const char *a = argv[*i];
    size_t n = strlen(name);
    if (strncmp(a, name, n) != 0) {
        return 0;
    }
    if (a[n] == '=') {
        *out = a + n + 1;
        return 1;
    }
    if (a[n] != '\0') {
        return 0;
    }
    if (*i + 1 >= argc) {
        return -1;
    }
    *i += 1;
    *out = argv[*i];
    return 1;
}

/*
 * --token VALUE: keep a copy and clear VALUE in argv, so other local users reading the
 * process list (/proc/PID/cmdline) no longer see it once sitegpt runs. value is argv's own
 * string (writable); "-" stays.
 */
static char token_arg_copy[CLI_TOKEN_MAX + 2];

static int take_token_arg(const cli_globals *g, char *value, login_opts *o)
{
    char *copy = token_arg_copy;
    size_t n = strlen(value);
    if (strcmp(value, "-") == 0) {
        o->token_arg = value;
        return CLI_EXIT_OK;
    }
    if (n >= sizeof token_arg_copy - 1) {
        sg_wipe(value, n);
        return cli_usage_error(g, "login", "the token is longer than %d characters", CLI_TOKEN_MAX);
    }
    memcpy(copy, value, n + 1);
    sg_wipe(value, n);
    o->token_arg = copy;
    return CLI_EXIT_OK;
}

static int parse(const cli_globals *g, int argc, char **argv, login_opts *o, bool *help)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int at = i; /* where this option started: its value is argv[i] after it */
        const char *v = NULL;
        int r;
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            *help = true;
        } else if (strcmp(a, "--full-access") == 0) {
            o->full_access = true;
        } else if (strcmp(a, "--qr") == 0) {
            o->qr = true;
        } else if (strcmp(a, "--no-browser") == 0) {
            o->no_browser = true;
        } else if ((r = opt_value(argc, argv, &i, "--name", &v)) != 0 ||
                   (r = opt_value(argc, argv, &i, "--scope", &v)) != 0 ||
                   (r = opt_value(argc, argv, &i, "--chatbot", &v)) != 0 ||
                   (r = opt_value(argc, argv, &i, "--expires-in-days", &v)) != 0 ||
                   (r = opt_value(argc, argv, &i, "--token", &v)) != 0) {
            char opt[24];
            size_t n = strcspn(a, "=");
            (void)snprintf(opt, sizeof opt, "%.*s", (int)(n < 20 ? n : 20), a);
            if (r < 0) {
                return cli_usage_error(g, "login", "option %s needs a value", opt);
            }
            if (strcmp(opt, "--scope") == 0 || strcmp(opt, "--chatbot") == 0) {
                bool scope = opt[2] == 's';
                size_t *count = scope ? &o->scope_count : &o->chatbot_count;
                if (*count == LOGIN_LIST_MAX) {
                    return cli_usage_error(g, "login", "%s given more than %d times", opt,
                                           LOGIN_LIST_MAX);
                }
                (scope ? o->scopes : o->chatbots)[(*count)++] = v;
                continue;
            }
            const char **slot = strcmp(opt, "--name") == 0    ? &o->name
                                : strcmp(opt, "--token") == 0 ? &o->token_arg
                                                              : &o->expires_arg;
            if (*slot != NULL) {
                return cli_usage_error(g, "login", "give %s only once", opt);
            }
            if (slot == &o->token_arg) {
                char *value = i == at ? argv[i] + strlen("--token=") : argv[i];
                int rc = take_token_arg(g, value, o);
                if (rc != CLI_EXIT_OK) {
                    return rc;
                }
                continue;
            }
            *slot = v;
        } else if (a[0] == '-' && a[1] != '\0') {
            return cli_usage_error(g, "login", "unknown option '%s'", a);
        } else {
            return cli_usage_error(g, "login",
                                   "unexpected argument '%s' (login takes options "
                                   "only)",
                                   a);
        }
    }
    return CLI_EXIT_OK;
}

/* The option rules (--token excludes the login options; --full-access excludes --scope, ...);
   every message names the problem. */
static int check(const cli_globals *g, login_opts *o)
{
    if (o->token_arg != NULL) {
        const char *with = o->name            ? "--name"
                           : o->full_access   ? "--full-access"
                           : o->scope_count   ? "--scope"
                           : o->chatbot_count ? "--chatbot"
                           : o->expires_arg   ? "--expires-in-days"
                           : o->qr            ? "--qr"
                           : o->no_browser    ? "--no-browser"
                                              : NULL;
        if (with != NULL) {
            return cli_usage_error(g, "login",
                                   "--token stores an existing token, so the device "
                                   "login option %s cannot go with it",
                                   with);
        }
        return CLI_EXIT_OK;
    }
    if (o->full_access && o->scope_count > 0) {
        return cli_usage_error(g, "login",
                               "--full-access and --scope cannot be combined: "
                               "full access already includes every scope your role allows");
    }
    for (size_t i = 0; i < o->scope_count; i++) {
        if (!sg_scope_is_valid(o->scopes[i])) {
            const char *near = sg_scope_suggest(o->scopes[i]);
            if (near != NULL) {
                return cli_usage_error(g, "login", "unknown scope '%s' (did you mean '%s'?)",
                                       o->scopes[i], near);
            }
            return cli_usage_error(g, "login",
                                   "unknown scope '%s' ('sitegpt login --help' "
                                   "lists the %u scopes)",
                                   o->scopes[i], SG_SCOPE_COUNT);
        }
    }
    for (size_t i = 0; i < o->chatbot_count; i++) {
        if (o->chatbots[i][0] == '\0') {
            return cli_usage_error(g, "login", "--chatbot needs a chatbot id");
        }
    }
    if (o->name != NULL && (o->name[0] == '\0' || strlen(o->name) > LOGIN_NAME_MAX)) {
        return cli_usage_error(g, "login", "--name must be 1 to %d characters", LOGIN_NAME_MAX);
    }
    if (o->expires_arg != NULL) {
        const char *p = o->expires_arg;
        unsigned long days = 0;
        bool ok = *p != '\0' && strlen(p) <= 3;
        for (; ok && *p != '\0'; p++) {
            ok = isdigit((unsigned char)*p) != 0;
            days = days * 10 + (unsigned long)(*p - '0');
        }
        if (!ok || days < 1 || days > 365) {
            return cli_usage_error(g, "login",
                                   "--expires-in-days must be a whole number from 1 "
                                   "to 365 (got '%s')",
                                   o->expires_arg);
        }
        o->expires_in_days = (uint32_t)days;
    }
    return CLI_EXIT_OK;
}

/* Read the token for --token: the argument, or one line of stdin for "-". */
static int read_token(const cli_globals *g, const char *arg, char *out, size_t cap)
{
    size_t n;
    if (strcmp(arg, "-") == 0) {
        if (fgets(out, (int)cap, stdin) == NULL) {
            return cli_usage_error(g, "login", "--token -: no token on stdin");
        }
        n = strlen(out);
        if (n == cap - 1 && out[n - 1] != '\n' && !feof(stdin)) {
            sg_wipe(out, cap);
            return cli_usage_error(g, "login", "the token on stdin is longer than %d characters",
                                   CLI_TOKEN_MAX);
        }
    } else {
        n = strlen(arg);
        if (n >= cap) {
            return cli_usage_error(g, "login", "the token is longer than %d characters",
                                   CLI_TOKEN_MAX);
        }
        memcpy(out, arg, n + 1);
        fprintf(stderr, "sitegpt: warning: a token on the command line can be seen by other "
                        "local users (ps, /proc, shell history) before sitegpt clears it; use "
                        "'--token -' to read it from stdin instead\n");
    }
    while (n > 0 && isspace((unsigned char)out[n - 1])) {
        out[--n] = '\0';
    }
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)out[i];
        if (c <= ' ' || c == 0x7f) {
            sg_wipe(out, cap);
            return cli_usage_error(g, "login",
                                   "the token contains a space or a control "
                                   "character");
        }
    }
    if (n == 0) {
        return cli_usage_error(g, "login", "the token is empty");
    }
    return CLI_EXIT_OK;
}

/* ------------------------------------------------------------------ device banner --- */

static void print_duration(FILE *out, uint64_t ms)
{
    uint64_t s = (ms + 999) / 1000;
    if (s >= 120) {
        fprintf(out, "%llu minutes", (unsigned long long)((s + 30) / 60));
    } else {
        fprintf(out, "%llu seconds", (unsigned long long)s);
    }
}

/* One QR row, indented under the banner. */
static void qr_row(void *ctx, const char *row)
{
    FILE *out = ctx;
    fprintf(out, "    %s\n", row);
}

/* Whether host[0..len) names this machine: localhost, 127.0.0.0/8 or [::1]. */
static bool loopback_host(const char *host, size_t len)
{
    if ((len == 9 && strncasecmp(host, "localhost", 9) == 0) ||
        (len == 5 && memcmp(host, "[::1]", 5) == 0)) {
        return true;
    }
    if (len < 7 || strncmp(host, "127.", 4) != 0) {
        return false;
    }
    int dots = 0;
    for (size_t i = 0; i < len; i++) {
        if (host[i] == '.') {
            dots++;
        } else if (!isdigit((unsigned char)host[i])) {
            return false;
        }
    }
    return dots == 3;
}

/*
 * A verification URI a browser may be pointed at: https://, or http:// to this machine,
 * printable ASCII only and no user@ part (which could make a loopback-looking URL go
 * elsewhere). Anything else is only printed.
 */
static bool browser_may_open(const char *url)
{
    size_t skip;
    bool https = strncasecmp(url, "https://", 8) == 0;
    if (https) {
        skip = 8;
    } else if (strncasecmp(url, "http://", 7) == 0) {
        skip = 7;
    } else {
        return false;
    }
    for (const char *p = url; *p != '\0'; p++) {
        if ((unsigned char)*p <= ' ' || (unsigned char)*p >= 0x7f || *p == '\\') {
            return false;
        }
    }
    const char *host = url + skip;
    size_t authority = strcspn(host, "/?#");
    if (authority == 0 || memchr(host, '@', authority) != NULL) {
        return false;
    }
    if (https) {
        return true;
    }
    size_t host_len = authority;
    const char *colon = host[0] == '[' ? NULL : memchr(host, ':', authority);
    if (host[0] == '[') {
        const char *close = memchr(host, ']', authority);
        host_len = close != NULL ? (size_t)(close - host) + 1 : authority;
    } else if (colon != NULL) {
        host_len = (size_t)(colon - host);
    }
    return loopback_host(host, host_len);
}

/* In the child: drop every SITEGPT_* variable (the token may be one of them). */
static void drop_sitegpt_env(void)
{
    extern char **environ;
    for (bool again = true; again;) {
        again = false;
        for (char **e = environ; e != NULL && *e != NULL; e++) {
            if (strncmp(*e, "SITEGPT_", 8) == 0) {
                char name[256];
                size_t n = strcspn(*e, "=");
                if (n >= sizeof name) {
                    n = sizeof name - 1;
                }
                memcpy(name, *e, n);
                name[n] = '\0';
                if (unsetenv(name) == 0) {
                    again = true; /* environ changed under us: start over */
                    break;
                }
            }
        }
    }
}

/*
 * xdg-open with the URL alone in argv (no shell), detached (double fork) and never waited
 * on, with stdin/stdout/stderr on /dev/null and no SITEGPT_* variable.
 */
static bool open_browser(const char *url)
{
    pid_t pid = fork();
    if (pid < 0) {
        return false;
    }
    if (pid == 0) {
        if (fork() == 0) {
            int fd = open("/dev/null", O_RDWR);
            if (fd < 0) {
                _exit(127); /* never hand the terminal to the browser */
            }
            (void)dup2(fd, 0);
            (void)dup2(fd, 1);
            (void)dup2(fd, 2);
            for (int i = 3; i < 1024; i++) {
                (void)close(i); /* the socket, the config lock: none of the browser's business */
            }
            (void)setsid();
            drop_sitegpt_env();
            execlp("xdg-open", "xdg-open", url, (char *)NULL);
            _exit(127);
        }
        _exit(0);
    }
    int status = 0;
    (void)waitpid(pid, &status, 0); /* the middle process, which exits at once */
    return true;
}

static bool desktop_session(void)
{
    const char *x = getenv("DISPLAY");
    const char *w = getenv("WAYLAND_DISPLAY");
    return (x != NULL && x[0] != '\0') || (w != NULL && w[0] != '\0');
}

static void device_event_json(const sg_device *d, const char *profile)
{
    char buf[2048];
    sg_json_writer w;
    if (sg_json_writer_init(&w, buf, sizeof buf) != SG_OK) {
        return;
    }
    (void)sg_json_write_object_begin(&w);
    cli_json_str(&w, "event", "device_code");
    cli_json_str(&w, "profile", profile);
    cli_json_str(&w, "user_code", d->user_code);
    cli_json_str(&w, "verification_uri", d->verification_uri);
    cli_json_str_or_null(&w, "verification_uri_complete", d->verification_uri_complete);
    (void)sg_json_write_key(&w, "expires_in");
    (void)sg_json_write_int64(&w, d->expires_in);
    (void)sg_json_write_key(&w, "interval");
    (void)sg_json_write_int64(&w, d->interval);
    (void)sg_json_write_object_end(&w);
    cli_json_print(&w);
}

static void banner(const cli_globals *g, const sg_device *d, const login_opts *o,
                   const char *profile)
{
    uint64_t left = 0;
    if (sg_device_time_left(d, &left) != SG_OK) {
        left = (uint64_t)d->expires_in * 1000u;
    }
    if (g->json) {
        device_event_json(d, profile);
    }
    fputs("\nTo log in, open this page in a browser (on any device):\n\n    ", stderr);
    cli_puts_clean(d->verification_uri, stderr);
    fputs("\n\nand enter the code:\n\n    ", stderr);
    cli_puts_clean(d->user_code, stderr);
    fputs("\n\n", stderr);
    const char *link = d->verification_uri_complete[0] != '\0' ? d->verification_uri_complete
                                                               : d->verification_uri;
    if (d->verification_uri_complete[0] != '\0') {
        fputs("(or open ", stderr);
        cli_puts_clean(link, stderr);
        fputs(" which fills in the code)\n", stderr);
    }
    if (o->qr) {
        fputc('\n', stderr);
        if (ex_qr_render(link, qr_row, stderr) != SG_OK) {
            fputs("(the QR code could not be drawn)\n", stderr);
        }
    }
    if (!o->no_browser && desktop_session()) {
        if (!browser_may_open(link)) {
            fputs("(not opening a browser: the server's link is not an https:// URL)\n", stderr);
        } else if (open_browser(link)) {
            fputs("Opened the page in your browser.\n", stderr);
        }
    }
    fputs("The code expires in ", stderr);
    print_duration(stderr, left);
    fputs(". Waiting for approval... (Ctrl-C to cancel)\n", stderr);
    fflush(stderr);
}

/* ------------------------------------------------------------------ outcomes --- */

static void upper(char *dst, size_t cap, const char *src)
{
    size_t i = 0;
    for (; src[i] != '\0' && i + 1 < cap; i++) {
        dst[i] = (char)toupper((unsigned char)src[i]);
    }
    dst[i] = '\0';
}

static int device_failure(const cli_globals *g, const sg_device *d, sg_status st, bool polling)
{
    char code[SG_DEVICE_ERROR_MAX];
    switch (st) {
    case SG_ERR_CANCELLED:
        return cli_fail(g, cli_interrupted_exit() ? cli_interrupted_exit() : CLI_EXIT_SIGINT,
                        "INTERRUPTED", "login cancelled; nothing was saved");
    case SG_ERR_ACCESS_DENIED:
        return cli_fail(g, CLI_EXIT_LOGIN, "ACCESS_DENIED",
                        "the login request was denied; nothing was saved");
    case SG_ERR_EXPIRED_TOKEN:
        if (d->retry_status != SG_OK) {
            return cli_fail(g, CLI_EXIT_LOGIN, "EXPIRED_TOKEN",
                            "the code expired before the login completed (the last attempt "
                            "failed: %s). Run 'sitegpt login' again",
                            sg_strerror(d->retry_status));
        }
        return cli_fail(g, CLI_EXIT_LOGIN, "EXPIRED_TOKEN",
                        "the code expired before it was approved. Run 'sitegpt login' again");
    case SG_ERR_OAUTH:
        upper(code, sizeof code, d->error);
        return cli_fail(g, CLI_EXIT_API, code, "the server refused the %s: %s%s%s",
                        polling ? "login" : "login request", d->error,
                        d->error_description[0] ? ": " : "", d->error_description);
    case SG_ERR_HTTP_STATUS:
        return cli_fail(g, CLI_EXIT_API, "HTTP_ERROR", "the server answered HTTP %d to the %s",
                        d->http_status, polling ? "token request" : "login request");
    default:
        return cli_fail_status(g, st, polling ? "waiting for approval" : "starting the login");
    }
}

/*
 * The token response named fewer scopes than --scope asked for: say which are missing (the
 * login still worked). Without --scope nothing specific was asked for; without a `scope`
 * member the grant is what was asked (RFC 6749 5.1).
 */
static void warn_missing_scopes(const sg_device *d, const login_opts *o)
{
    char missing[1024] = "";
    size_t used = 0;
    uint64_t named = 0; /* --scope may repeat one */
    if (!d->scope_stated) {
        return;
    }
    for (size_t i = 0; i < o->scope_count; i++) {
        size_t index;
        if (sg_scope_index(o->scopes[i], strlen(o->scopes[i]), &index) != SG_OK ||
            ((d->scope_bits | named) & ((uint64_t)1 << index)) != 0) {
            continue;
        }
        named |= (uint64_t)1 << index;
        int w =
            snprintf(missing + used, sizeof missing - used, "%s%s", used ? " " : "", o->scopes[i]);
        if (w > 0 && (size_t)w < sizeof missing - used) {
            used += (size_t)w;
        }
    }
    if (used > 0) {
        fprintf(stderr,
                "sitegpt: warning: the server granted fewer scopes than asked for; "
                "missing: %s. Commands that need them will fail with "
                "TOKEN_SCOPE_NOT_ALLOWED.\n",
                missing);
    }
}

/* An API error answer to GET /me: with --json the server's envelope, unchanged. */
static int api_error(const cli_globals *g, cli_identity *who)
{
    if (g->json && cli_pass_flush() != CLI_PASS_PRINTED) {
        who->env.is_json = false; /* not JSON: the envelope is built here */
    }
    return cli_fail_envelope(g, &who->env, who->env.http_status);
}

/* Save, then show who is logged in. The token is wiped before returning. */
static int save_and_show(const cli_globals *g, cli_net *net, const char *profile,
                         const char *api_base, char *token, const cli_identity *checked)
{
    sg_profiles_edit edit = {SG_PROFILES_SET_PROFILE, profile, token, api_base};
    int rc = cli_store_apply(g, &edit);
    if (rc != CLI_EXIT_OK) {
        sg_wipe(token, CLI_TOKEN_MAX + 1);
        return rc;
    }
    if (!g->json) {
        fprintf(stderr, "Logged in. The token is saved in profile '%s' (%s).\n", profile,
                cli_store_path());
    }
    const char *env_token = getenv("SITEGPT_API_TOKEN");
    if (env_token != NULL && env_token[0] != '\0') {
        fprintf(stderr,
                "sitegpt: note: SITEGPT_API_TOKEN is set and beats any saved token; "
                "unset it to use profile '%s'\n",
                profile);
    }
    static cli_identity who;
    sg_status st = SG_OK;
    if (checked == NULL) {
        st = cli_identity_fetch(net, token, &who);
        checked = &who;
    }
    sg_wipe(token, CLI_TOKEN_MAX + 1);
    if (st == SG_ERR_API || st == SG_ERR_AUTH || st == SG_ERR_RATE_LIMITED) {
        return api_error(g, &who);
    }
    cli_pass_reset(); /* the login's own envelope follows, not /me's */
    if (st != SG_OK) {
        return cli_fail_status(g, st, "logged in and saved, but asking who is logged in failed");
    }
    cli_identity_print(g, checked, profile, api_base, "profile");
    return CLI_EXIT_OK;
}

static int login_with_token(const cli_globals *g, cli_net *net, const login_opts *o,
                            const char *profile, const char *api_base)
{
    static char token[CLI_TOKEN_MAX + 1];
    int rc = read_token(g, o->token_arg, token, sizeof token);
    sg_wipe(token_arg_copy, sizeof token_arg_copy);
    if (rc != CLI_EXIT_OK) {
        return rc;
    }
    static cli_identity who;
    sg_status st = cli_identity_fetch(net, token, &who);
    if (st != SG_OK) {
        sg_wipe(token, sizeof token);
        if (g->json && (st == SG_ERR_AUTH || st == SG_ERR_API || st == SG_ERR_RATE_LIMITED)) {
            return api_error(g, &who);
        }
        if (st == SG_ERR_AUTH) {
            return cli_fail(g, CLI_EXIT_AUTH, who.env.code[0] ? who.env.code : "TOKEN_NOT_VALID",
                            "the token was rejected by %s (%s); nothing was saved", api_base,
                            who.env.message[0] ? who.env.message : "not valid");
        }
        if (st == SG_ERR_API || st == SG_ERR_RATE_LIMITED) {
            return cli_fail_envelope(g, &who.env, who.env.http_status);
        }
        return cli_fail_status(g, st, "checking the token (nothing was saved)");
    }
    return save_and_show(g, net, profile, api_base, token, &who);
}

static int login_with_device(const cli_globals *g, cli_net *net, const login_opts *o,
                             const char *profile, const char *api_base)
{
    static sg_device dev;
    static char token[CLI_TOKEN_MAX + 1];
    char default_name[CLI_NAME_MAX + 32];
    (void)snprintf(default_name, sizeof default_name, "SiteGPT CLI (%s)", profile);
    sg_device_config dc;
    memset(&dc, 0, sizeof dc);
    dc.http = cli_net_http(net);
    dc.platform = cli_net_platform(net);
    dc.base = *cli_net_origin(net);
    dc.base_path = cli_net_base_path(net);
    dc.scopes = o->scopes;
    dc.scope_count = o->scope_count;
    dc.full_access = o->full_access;
    dc.token_name = o->name != NULL ? o->name : default_name;
    dc.expires_in_days = o->expires_in_days;
    dc.chatbot_ids = o->chatbots;
    dc.chatbot_count = o->chatbot_count;

    sg_status st = sg_device_start(&dev, &dc);
    if (st == SG_OK && cli_interrupted_signal != 0) {
        st = SG_ERR_CANCELLED;
    }
    if (st != SG_OK) {
        int rc = device_failure(g, &dev, st, false);
        sg_device_clear(&dev);
        return rc;
    }
    banner(g, &dev, o, profile);
    st = sg_device_wait(&dev, &cli_interrupted_signal);
    if (st == SG_OK) {
        st = sg_device_take_token(&dev, token, sizeof token);
    }
    if (st != SG_OK) {
        int rc = device_failure(g, &dev, st, true);
        sg_device_clear(&dev);
        return rc;
    }
    warn_missing_scopes(&dev, o);
    sg_device_clear(&dev);
    if (cli_interrupted_signal != 0) {
        sg_wipe(token, sizeof token);
        return device_failure(g, &dev, SG_ERR_CANCELLED, true);
    }
    return save_and_show(g, net, profile, api_base, token, NULL);
}

static int login(const cli_globals *g, int argc, char **argv);

int cmd_login(const cli_globals *g, int argc, char **argv)
{
    int rc = login(g, argc, argv);
    sg_wipe(token_arg_copy, sizeof token_arg_copy);
    return rc;
}

static int login(const cli_globals *g, int argc, char **argv)
{
    cli_store_use_globals(g);
    login_opts o;
    bool help = false;
    memset(&o, 0, sizeof o);
    int rc = parse(g, argc, argv, &o, &help);
    if (rc != CLI_EXIT_OK || help) {
        if (help) {
            print_help(stdout);
        }
        return rc;
    }
    rc = check(g, &o);
    if (rc != CLI_EXIT_OK) {
        return rc;
    }
    cli_credential cred;
    rc = cli_resolve_credential(g, false, &cred);
    sg_wipe(cred.token, sizeof cred.token); /* a login never sends the old token */
    if (rc != CLI_EXIT_OK) {
        return rc;
    }
    const sg_profiles *cfg;
    rc = cli_store_load(g, &cfg); /* a corrupt config fails here, before any network */
    if (rc != CLI_EXIT_OK) {
        return rc;
    }
    char profile[CLI_NAME_MAX + 1];
    if (cred.profile[0] != '\0') {
        memcpy(profile, cred.profile, sizeof profile);
    } else if (!cli_store_default_name(cfg, profile)) {
        memcpy(profile, "default", sizeof "default");
    }
    if (!cli_store_valid_name(profile)) {
        return cli_usage_error(g, "login",
                               "profile name '%s' may hold only letters, digits, "
                               "'.', '_', '-' and '@' (at most %d)",
                               profile, CLI_NAME_MAX);
    }
    cli_net *net;
    rc = cli_net_open(g, cred.api_base, &net);
    if (rc != CLI_EXIT_OK) {
        return rc;
    }
    rc = o.token_arg != NULL ? login_with_token(g, net, &o, profile, cred.api_base)
                             : login_with_device(g, net, &o, profile, cred.api_base);
    cli_net_close(net);
    return rc;
}
