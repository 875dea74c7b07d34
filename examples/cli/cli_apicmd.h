/*
 * sitegpt CLI: what the typed API commands (tokens, chatbots) share: one API session with
 * --json passthrough, error reporting with the scope to log in with, option parsing and
 * printing of JSON elements.
 */
#ifndef SITEGPT_CLI_APICMD_H
#define SITEGPT_CLI_APICMD_H

#include "cli.h"

typedef struct cli_apicmd {
    const cli_globals *g;
    cli_credential cred;
    cli_net *net;
    sg_api api;
    sg_envelope env;
    bool wrote;              /* --json: body bytes printed since the last newline */
    char last_byte;
} cli_apicmd;

/*
 * Resolve the credential (a token is required), open the network and the API session.
 * With --json every final response body is copied to stdout unchanged. Prints its own
 * errors; returns a cli_exit code.
 */
int cli_apicmd_open(const cli_globals *g, cli_apicmd *c);
void cli_apicmd_close(cli_apicmd *c);

/*
 * Report a failed call: the API's error (code, message, hint, request id; for
 * TOKEN_SCOPE_NOT_ALLOWED the scope to log in with, default needed_scope) or a local or
 * network failure ("<context>: <why>"). Returns the exit code.
 */
int cli_apicmd_fail(cli_apicmd *c, sg_status st, const char *context, const char *needed_scope);

/* --json: end the envelope just printed with a newline (one envelope per line). */
void cli_apicmd_json_newline(cli_apicmd *c);

/* sg_api_page_fn for lists: a newline after each page's envelope in --json mode. */
sg_status cli_apicmd_on_page(void *ctx, const sg_api_page *page);

/*
 * "--name VALUE" or "--name=VALUE" at argv[*i]: true and *value set (advancing *i) when it
 * is that option; *missing when the value is absent.
 */
bool cli_opt(int argc, char **argv, int *i, const char *name, const char **value,
             bool *missing);

/* A decimal in [min, max] (no sign, no spaces). */
bool cli_parse_uint(const char *s, unsigned long min, unsigned long max, unsigned long *out);

/*
 * A member of object element e as display text in out: strings unescaped, null or absent
 * as "-", other values as their JSON text. Control characters become '?'.
 */
void cli_elem_text(const sg_json_element *e, const char *key, char *out, size_t cap);

/* The strings of array member key joined with sep ("-" when absent, empty or null). */
void cli_elem_join(const sg_json_element *e, const char *key, const char *sep, char *out,
                   size_t cap);

/* Print s then spaces up to width characters (UTF-8 aware); always at least one space. */
void cli_print_cell(FILE *out, const char *s, size_t width);

/* Every member of object element e as "  key: value" lines (arrays joined with ", "). */
void cli_print_object(FILE *out, const sg_json_element *e, const char *indent);

#endif /* SITEGPT_CLI_APICMD_H */
