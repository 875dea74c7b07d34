/*
 * sitegpt CLI: who a token belongs to (GET /api/v2/me), shared by login and whoami.
 */
#ifndef SITEGPT_CLI_IDENTITY_H
#define SITEGPT_CLI_IDENTITY_H

#include "cli.h"

#define CLI_SCOPES_TEXT_MAX 2048

typedef struct cli_identity {
    sg_api_identity id;
    char scopes[CLI_SCOPES_TEXT_MAX]; /* space-separated, as the server listed them */
    sg_envelope env;
} cli_identity;

/*
 * Ask the API who token belongs to over net. Returns the library status: SG_OK,
 * SG_ERR_AUTH (the token was rejected: out->env says how), SG_ERR_API, or a transport
 * failure. Prints nothing; the response body is held for --json (cli_pass_flush prints it,
 * cli_pass_reset forgets it).
 */
sg_status cli_identity_fetch(cli_net *net, const char *token, cli_identity *out);

/*
 * Print it: human lines on stdout, or with --json one envelope
 * {"ok":true,"data":{"user","auth","profile","apiBase","tokenSource"},"meta"}.
 * token_source may be NULL.
 */
void cli_identity_print(const cli_globals *g, const cli_identity *who, const char *profile,
                        const char *api_base, const char *token_source);

/*
 * Warn on stderr when the credential expires in less than 14 days (or has expired), with
 * the date. Nothing when the server did not say when it expires.
 */
void cli_identity_warn_expiry(const cli_identity *who);

/* fputs for text from a server or a file: control characters become visible escapes. */
void cli_puts_clean(const char *s, FILE *out);

#endif /* SITEGPT_CLI_IDENTITY_H */
