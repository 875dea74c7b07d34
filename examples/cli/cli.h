/*
 * sitegpt CLI: shared declarations. Each command lives in cmd_<name>.c; the session
 * (credential resolution, networking, error reporting) in cli_session.c; the profile store
 * in cli_store.c.
 */
#ifndef SITEGPT_CLI_H
#define SITEGPT_CLI_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include <sitegpt/sitegpt.h>

/* Exit codes; documented in `sitegpt --help`. */
enum cli_exit {
    CLI_EXIT_OK = 0,
    CLI_EXIT_API = 1,      /* the API answered with an error */
    CLI_EXIT_USAGE = 2,    /* bad command line */
    CLI_EXIT_AUTH = 3,     /* not logged in, or the token was rejected */
    CLI_EXIT_LOGIN = 4,    /* login denied or expired */
    CLI_EXIT_NETWORK = 5,  /* DNS, connect, TLS, timeout, malformed response */
    CLI_EXIT_STORAGE = 6,  /* config file could not be read or written */
    CLI_EXIT_INTERNAL = 7, /* a local limit or an unexpected failure */
    CLI_EXIT_SIGINT = 130,
    CLI_EXIT_SIGTERM = 143
};

#define CLI_NAME_MAX  64
#define CLI_URL_MAX   256
#define CLI_TOKEN_MAX 512
#define CLI_PATH_MAX  4096

/* Global options, accepted before or after the command. NULL/false when not given. */
typedef struct cli_globals {
    bool json;            /* --json */
    const char *profile;  /* --profile / -p */
    const char *api_base; /* --api-base */
    const char *cacert;   /* --cacert */
    unsigned timeout_s;   /* --timeout: each API request as a whole; 0: SITEGPT_TIMEOUT or 30 */
    const char *proxy;    /* --proxy URL ("" for none); NULL: https_proxy, HTTPS_PROXY */
    bool no_color;
} cli_globals;

/* A command: argv[0] is the command name; options after it are the command's own. */
typedef int (*cli_command_fn)(const cli_globals *g, int argc, char **argv);

int cmd_api(const cli_globals *g, int argc, char **argv);
int cmd_login(const cli_globals *g, int argc, char **argv);
int cmd_logout(const cli_globals *g, int argc, char **argv);
int cmd_whoami(const cli_globals *g, int argc, char **argv);
int cmd_profiles(const cli_globals *g, int argc, char **argv);
int cmd_tokens(const cli_globals *g, int argc, char **argv);
int cmd_chatbots(const cli_globals *g, int argc, char **argv);

/* ----------------------------------------------------------- profile store (cli_store.c) */

typedef struct cli_profile {
    char name[CLI_NAME_MAX + 1];
    char api_base[CLI_URL_MAX + 1]; /* "" when the profile has none */
    char token[CLI_TOKEN_MAX + 1];  /* "" when logged out */
    bool is_default;
} cli_profile;

/*
 * Look a profile up in the config file. name NULL means the default profile.
 * Returns CLI_EXIT_OK and fills *out; CLI_EXIT_AUTH when there is no such profile (or no
 * config file); CLI_EXIT_STORAGE when the file cannot be read or is corrupt (message printed).
 */
int cli_store_find(const char *name, cli_profile *out);

/* ----------------------------------------------------------- session (cli_session.c) */

/*
 * Where requests go and with what credential, after precedence: flag, then environment
 * (SITEGPT_PROFILE, SITEGPT_API_BASE, SITEGPT_API_TOKEN), then the saved default profile.
 */
typedef struct cli_credential {
    char profile[CLI_NAME_MAX + 1];   /* profile name in use ("" when none) */
    char api_base[CLI_URL_MAX + 1];   /* always set: default https://sitegpt.ai */
    char token[CLI_TOKEN_MAX + 1];    /* "" when none */
    const char *token_source;         /* "SITEGPT_API_TOKEN", "profile", or NULL */
    const char *base_source;          /* "--api-base", "SITEGPT_API_BASE", or NULL when
                                          api_base is the profile's or the default */
    char token_base[CLI_URL_MAX + 1]; /* with a profile's token: the base it was issued
                                          for (its apiBase, else the default) */
} cli_credential;

#define CLI_DEFAULT_API_BASE "https://sitegpt.ai"

/*
 * Resolve the credential. need_token: fail with PROFILE_NOT_CONFIGURED (CLI_EXIT_AUTH) when no
 * token is found. Prints its own errors (human or --json envelope). Returns a cli_exit code.
 */
int cli_resolve_credential(const cli_globals *g, bool need_token, cli_credential *out);

/* Networking for one command: transports, TLS, HTTP client and its I/O buffer. */
typedef struct cli_net cli_net;

/*
 * Open networking toward api_base (CA from --cacert, else SSL_CERT_FILE, else the system
 * bundle). Returns a cli_exit code and prints its own errors. The returned pointer refers to
 * static storage: one session per process.
 */
int cli_net_open(const cli_globals *g, const char *api_base, cli_net **out);
sg_http_client *cli_net_http(cli_net *net);
const sg_http_origin *cli_net_origin(const cli_net *net);
const char *cli_net_base_path(const cli_net *net); /* API base path prefix, "" or "/x" */
const sg_platform *cli_net_platform(const cli_net *net);
void cli_net_close(cli_net *net);

/*
 * A token saved in a profile goes only to the origin (scheme, host, port) it was issued
 * for: when --api-base or SITEGPT_API_BASE names another, refuse (before any connection)
 * naming both origins and the ways forward. Tokens given explicitly go where they are told.
 */
int cli_check_token_origin(const cli_globals *g, const cli_credential *cred);

/*
 * cli_resolve_credential, cli_check_token_origin, then cli_net_open toward its API base.
 * Returns a cli_exit code.
 */
int cli_session_open(const cli_globals *g, bool need_token, cli_credential *cred, cli_net **net);

/* An sg_api over the open session: token NULL or "" sends none; work is its scratch. */
SG_NODISCARD sg_status cli_net_api_init(cli_net *net, const char *token, void *work,
                                        size_t work_size, sg_api *api);

/* One sentence about a network failure of the open session (host, CA file, buffer size), or
 * NULL when there is nothing more to say than sg_strerror(). */
const char *cli_net_detail(sg_status st, char *buf, size_t cap);

/* ----------------------------------------------------------- --json passthrough (cli_pass.c) */

/* The largest response body --json passes through (held whole until it is known valid). */
#define CLI_PASS_MAX (8u * 1024u * 1024u)

typedef enum cli_pass_result {
    CLI_PASS_PRINTED = 0, /* one JSON document, printed on stdout with a newline */
    CLI_PASS_EMPTY,       /* no body */
    CLI_PASS_NOT_JSON,    /* not one complete JSON document: nothing printed */
    CLI_PASS_TOO_LARGE    /* over CLI_PASS_MAX: nothing printed */
} cli_pass_result;

/* sg_api_body_fn: hold the body of the response being read (ctx unused). */
sg_status cli_pass_sink(void *ctx, const uint8_t *data, size_t len);

/* Print the held body if it is JSON (DEL and C1 controls as \u escapes), then forget it. */
cli_pass_result cli_pass_flush(void);

/* Forget the held body without printing it. */
void cli_pass_reset(void);

/* ----------------------------------------------------------- output (cli_output.c) */

/*
 * Report a failure: human text on stderr ("sitegpt: <what>: <why>"), or with --json the
 * error envelope {"ok":false,"error":{"code","message"}} on stdout. Returns exit_code.
 */
int cli_fail(const cli_globals *g, int exit_code, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Map a library status to the exit code and report it with context ("connecting to X"). */
int cli_fail_status(const cli_globals *g, sg_status st, const char *context);

/* Exit code for a library status. */
int cli_exit_for_status(sg_status st);

/* Print an API error envelope decoded by the core (code, message, hint, request id). */
int cli_fail_envelope(const cli_globals *g, const sg_envelope *env, int http_status);

/*
 * Text from a server or the config file, made safe to print (ex_term_escape: control
 * characters become visible escapes). The result lives in one of 8 rotating static
 * buffers of CLI_ESC_MAX bytes: use it within the printf call it was made for.
 */
#define CLI_ESC_MAX 4096
const char *cli_esc(const char *s);

/* Mask a token for display: prefix and last four characters ("sgpt_…a1b2"). */
void cli_mask_token(const char *token, char *out, size_t cap);

/* Usage error: prints "sitegpt <cmd>: <message>" and "Try 'sitegpt <cmd> --help'." */
int cli_usage_error(const cli_globals *g, const char *cmd, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* -h or --help. */
bool cli_is_help(const char *arg);

/*
 * A command that takes no argument: -h/--help prints help and gives CLI_EXIT_OK, anything
 * else is a usage error; -1 when argv holds nothing after the command (it goes on).
 */
int cli_no_args(const cli_globals *g, const char *cmd, int argc, char **argv,
                void (*help)(FILE *out));

/* Interrupt handling: SIGINT/SIGTERM set the flag; commands check it between steps. */
void cli_signals_install(void);
extern volatile sig_atomic_t cli_interrupted_signal; /* 0, SIGINT or SIGTERM */

/* Exit code for an interrupted command (130 or 143), or 0 when not interrupted. */
int cli_interrupted_exit(void);

#endif /* SITEGPT_CLI_H */
