/* sitegpt whoami: who the current credential belongs to (GET /api/v2/me). */
#include <string.h>

#include "cli.h"
#include "cli_identity.h"
#include "cli_store.h"

static void print_help(FILE *out)
{
    fprintf(out,
            "Usage: sitegpt whoami [--profile NAME] [--json]\n"
            "\n"
            "Show who the current credential belongs to: name, email, user id, token type,\n"
            "token id, expiry (date and days left), scopes, the chatbots it may reach ('all\n"
            "chatbots' or their ids), and which profile and API base were used. A token that\n"
            "expires in less than 14 days gets a warning on stderr. The credential is\n"
            "SITEGPT_API_TOKEN when set, else the token saved in the profile (--profile, then\n"
            "SITEGPT_PROFILE, then the default profile). --json prints the API's /api/v2/me\n"
            "envelope unchanged.\n"
            "\n"
            "Exit codes: 0 ok, 3 not logged in or the token was rejected, 5 network failure.\n"
            "\n"
            "Examples:\n"
            "  sitegpt whoami\n"
            "  sitegpt whoami --profile ci --json\n"
            "  SITEGPT_API_TOKEN=sgpt_... sitegpt whoami\n");
}

int cmd_whoami(const cli_globals *g, int argc, char **argv)
{
    cli_store_use_globals(g);
    int rc = cli_no_args(g, "whoami", argc, argv, print_help);
    if (rc >= 0) {
        return rc;
    }
    cli_credential cred;
    cli_net *net;
    rc = cli_session_open(g, true, &cred, &net);
    if (rc != CLI_EXIT_OK) {
        sg_wipe(cred.token, sizeof cred.token);
        return rc;
    }
    static cli_identity who;
    sg_status st = cli_identity_fetch(net, cred.token, &who);
    sg_wipe(cred.token, sizeof cred.token);
    if (st != SG_OK && st != SG_ERR_AUTH && st != SG_ERR_API && st != SG_ERR_RATE_LIMITED) {
        /* Before closing: the detail names the host, port and CA file of the open session. */
        rc = cli_fail_status(g, st, "asking the API who this token belongs to");
        cli_net_close(net);
        return rc;
    }
    cli_net_close(net);
    if (st == SG_OK || st == SG_ERR_AUTH || st == SG_ERR_API || st == SG_ERR_RATE_LIMITED) {
        cli_identity_warn_expiry(&who);
    }
    /* --json: the API's envelope, success or error, exactly as it came. */
    if (g->json) {
        cli_pass_result shown = cli_pass_flush();
        if (shown == CLI_PASS_PRINTED && st == SG_OK) {
            return CLI_EXIT_OK;
        }
        if (shown == CLI_PASS_PRINTED) {
            return cli_fail_envelope(g, &who.env, who.env.http_status);
        }
        who.env.is_json = false;
    }
    if (st == SG_ERR_AUTH) {
        const char *p = cred.profile[0] != '\0' ? cred.profile : "default";
        const char *src = cred.token_source != NULL ? cred.token_source : "profile";
        if (strcmp(src, "profile") == 0) {
            return cli_fail(g, CLI_EXIT_AUTH, who.env.code[0] ? who.env.code : "TOKEN_NOT_VALID",
                            "the token saved in profile '%s' was rejected (%s). Log in again: "
                            "sitegpt login --profile %s",
                            p, who.env.message[0] ? who.env.message : "not valid", p);
        }
        return cli_fail(g, CLI_EXIT_AUTH, who.env.code[0] ? who.env.code : "TOKEN_NOT_VALID",
                        "the token in %s was rejected (%s). Set a valid token or log in: "
                        "sitegpt login --profile %s",
                        src, who.env.message[0] ? who.env.message : "not valid", p);
    }
    if (st == SG_ERR_API || st == SG_ERR_RATE_LIMITED) {
        return cli_fail_envelope(g, &who.env, who.env.http_status);
    }
    cli_identity_print(g, &who, cred.profile, cred.api_base, cred.token_source);
    return CLI_EXIT_OK;
}
