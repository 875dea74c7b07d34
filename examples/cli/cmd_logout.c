/* sitegpt logout: forget the token saved in a profile (the profile itself stays). */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cli_json.h"
#include "cli_store.h"

static void print_help(FILE *out)
{
    fprintf(out,
            "Usage: sitegpt logout [--profile NAME] [--json]\n"
            "\n"
            "Forget the token saved in a profile (default: SITEGPT_PROFILE, then the default\n"
            "profile). The profile keeps its name and API base; 'sitegpt login --profile NAME'\n"
            "fills it again. The token is not revoked on the server: revoke it with\n"
            "'sitegpt tokens revoke <id>' when it should stop working everywhere.\n"
            "\n"
            "Examples:\n"
            "  sitegpt logout\n"
            "  sitegpt logout --profile ci\n");
}

int cmd_logout(const cli_globals *g, int argc, char **argv)
{
    cli_store_use_globals(g);
    int rc = cli_no_args(g, "logout", argc, argv, print_help);
    if (rc >= 0) {
        return rc;
    }
    const sg_profiles *cfg;
    rc = cli_store_load(g, &cfg);
    if (rc != CLI_EXIT_OK) {
        return rc;
    }
    const char *env = getenv("SITEGPT_PROFILE");
    const char *name = g->profile != NULL ? g->profile : (env != NULL && env[0] ? env : NULL);
    cli_profile p;
    if (cli_store_profile(cfg, name, &p) != CLI_EXIT_OK) {
        if (name == NULL) {
            return cli_fail(g, CLI_EXIT_AUTH, "PROFILE_NOT_CONFIGURED",
                            "not logged in: there is no saved profile");
        }
        return cli_fail(g, CLI_EXIT_AUTH, "PROFILE_NOT_CONFIGURED",
                        "profile '%s' is not configured", name);
    }
    bool had_token = p.token[0] != '\0';
    sg_wipe(p.token, sizeof p.token);
    if (had_token) {
        sg_profiles_edit edit = {SG_PROFILES_CLEAR_TOKEN, p.name, NULL, NULL};
        rc = cli_store_apply(g, &edit);
        if (rc != CLI_EXIT_OK) {
            return rc;
        }
    }
    if (g->json) {
        char buf[512];
        sg_json_writer w;
        cli_json_begin(&w, buf, sizeof buf);
        cli_json_str(&w, "profile", p.name);
        cli_json_bool(&w, "loggedOut", true);
        cli_json_bool(&w, "hadToken", had_token);
        cli_json_end(&w);
    } else if (had_token) {
        printf("Logged out of profile '%s': its token was removed from %s.\n"
               "The token was not revoked; 'sitegpt tokens revoke <id>' stops it everywhere.\n",
               cli_esc(p.name), cli_esc(cli_store_path()));
    } else {
        printf("Profile '%s' was already logged out.\n", cli_esc(p.name));
    }
    return CLI_EXIT_OK;
}
