/*
 * sitegpt CLI: what the typed API commands (tokens, chatbots) share: one API session with
 * --json passthrough, error reporting with the scope to log in with, option parsing and
 * printing of JSON elements.
 */
#ifndef SITEGPT_CLI_APICMD_H
#define SITEGPT_CLI_APICMD_H

#include "cli.h"

typedef struct cli_typed {
    const cli_globals *g;
    cli_credential cred;
    cli_net *net;
    sg_api api;
    sg_envelope env;
} cli_typed;

/*
 * Resolve the credential (a token is required), open the network and the API session.
 * With --json every final response body is copied to stdout unchanged. Prints its own
 * errors; returns a cli_exit code.
 */
int cli_typed_open(const cli_globals *g, cli_typed *c);
void cli_typed_close(cli_typed *c);

/*
 * Report a failed call: the API's error (code, message, hint, request id; for
 * TOKEN_SCOPE_NOT_ALLOWED the scope to log in with, default needed_scope) or a local or
 * network failure ("<context>: <why>"). Returns the exit code.
 */
int cli_typed_fail(cli_typed *c, sg_status st, const char *context, const char *needed_scope);

/* --json: print the envelope just read when it is JSON (one envelope per line). */
cli_pass_result cli_typed_json_flush(cli_typed *c);

/* sg_api_page_fn for lists: print each page's envelope in --json mode. */
sg_status cli_typed_on_page(void *ctx, const sg_api_page *page);

/* What a list subcommand (tokens list, chatbots list) adds to the shared listing. */
typedef struct cli_list_cmd {
    const char *cmd;          /* "tokens list": usage errors and the next-page hint */
    const char *noun;         /* "tokens": "listing tokens", "No tokens.", "More tokens:" */
    const char *scope;        /* the scope listing needs, for the login hint */
    bool include_revoked_opt; /* takes --include-revoked ("No active tokens." without it) */
    void (*help)(FILE *out);
    void (*header)(void);                     /* the table's heading, before the first row */
    void (*row)(const sg_json_element *item); /* one item as table text */
    sg_status (*list)(sg_api *api, const sg_api_list_params *params, sg_api_list_out *out,
                      sg_envelope *env);
} cli_list_cmd;

/*
 * Run a list subcommand: -h, --limit N, --cursor C, --all (and --include-revoked when the
 * command takes it), one page or all of them, then the "nothing" note and the next-page hint
 * on stderr. With --json the envelopes pass through, one per line. Returns the exit code.
 */
int cli_typed_list(const cli_globals *g, const cli_list_cmd *lc, int argc, char **argv);

/* A call on one object by id (sg_api_chatbot_get, sg_api_token_revoke). */
typedef sg_status (*cli_item_call)(sg_api *api, const char *id, sg_api_item_fn on_item, void *ctx,
                                   sg_envelope *env);

/*
 * Open the session, make call on id with show (its ctx is the cli_typed; show prints
 * nothing with --json, where the envelope passes through), report a failure with context
 * and the scope it needs, close. Returns the exit code.
 */
int cli_typed_item(const cli_globals *g, cli_item_call call, const char *id, sg_api_item_fn show,
                   const char *context, const char *scope);

/*
 * The one id argument of a get/rotate/revoke subcommand ("--" may precede it). -h/--help
 * anywhere prints help and returns CLI_EXIT_OK with *id NULL. yes, when not NULL, takes
 * --yes. what names the argument in errors ("token id"); missing is the whole message when it
 * is absent. Returns CLI_EXIT_OK with *id set, or the usage error's exit code.
 */
int cli_one_id(const cli_globals *g, const char *cmd, int argc, char **argv,
               void (*help)(FILE *out), bool *yes, const char *what, const char *missing,
               const char **id);

/* A subcommand of tokens or chatbots; run gets argv from the subcommand's name on. */
typedef struct cli_subcommand {
    const char *name;
    int (*run)(const cli_globals *g, int argc, char **argv);
} cli_subcommand;

/*
 * Run the subcommand argv[1] names. None: help on stderr and the usage error missing;
 * -h/--help: help on stdout; an unknown one: UNKNOWN_COMMAND. Returns the exit code.
 */
int cli_subcommand_run(const cli_globals *g, const char *cmd, int argc, char **argv,
                       void (*help)(FILE *out), const cli_subcommand *subs, size_t count,
                       const char *missing);

/*
 * "--name VALUE" or "--name=VALUE" at argv[*i]: true and *value set (advancing *i) when it
 * is that option; *missing when the value is absent.
 */
bool cli_opt(int argc, char **argv, int *i, const char *name, const char **value, bool *missing);

/* A decimal in [min, max] (no sign, no spaces). */
bool cli_parse_uint(const char *s, unsigned long min, unsigned long max, unsigned long *out);

/*
 * A member of object element e as display text in out: strings unescaped, null or absent
 * as "-", other values as their JSON text. Control characters become visible escapes.
 */
void cli_elem_text(const sg_json_element *e, const char *key, char *out, size_t cap);

/* The strings of array member key joined with sep ("-" when absent, empty or null). */
void cli_elem_join(const sg_json_element *e, const char *key, const char *sep, char *out,
                   size_t cap);

/* Print s then spaces up to width characters (UTF-8 aware); always at least one space. */
void cli_print_cell(FILE *out, const char *s, size_t width);

/* Member key of e as a table cell, an ISO date-time cut to its day (--json has the rest). */
void cli_print_day_cell(FILE *out, const sg_json_element *e, const char *key, size_t width);

/* Every member of object element e as "  key: value" lines (arrays joined with ", "). */
void cli_print_object(FILE *out, const sg_json_element *e, const char *indent);

#endif /* SITEGPT_CLI_APICMD_H */
