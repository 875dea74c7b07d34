/* sitegpt profiles: list, show, switch and delete the saved profiles. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cli_identity.h"
#include "cli_json.h"
#include "cli_store.h"

static void print_help(FILE *out)
{
    fprintf(out,
            "Usage: sitegpt profiles <subcommand> [--json]\n"
            "\n"
            "Profiles hold an API base and a token each; one of them is the default. They live\n"
            "in $XDG_CONFIG_HOME/sitegpt/config.json (default ~/.config/sitegpt/config.json),\n"
            "mode 0600. There is no 'create': 'sitegpt login --profile NAME' makes one.\n"
            "\n"
            "Subcommands:\n"
            "  list                 every profile: name, default marker, API base, masked token\n"
            "  show [NAME]          one profile (default: --profile, SITEGPT_PROFILE, then the\n"
            "                       default profile)\n"
            "  use NAME             make NAME the default profile (alias: set-default)\n"
            "  delete NAME          forget NAME and its token (alias: remove); the token is NOT\n"
            "                       revoked on the server\n"
            "\n"
            "Tokens are shown masked: their prefix and last four characters.\n"
            "\n"
            "Examples:\n"
            "  sitegpt profiles list\n"
            "  sitegpt profiles use work\n"
            "  sitegpt profiles show ci --json\n"
            "  sitegpt profiles delete old-laptop\n");
}

static void print_sub_help(const char *sub)
{
    if (strcmp(sub, "list") == 0) {
        printf("Usage: sitegpt profiles list [--json]\n\n"
               "List the saved profiles: '*' marks the default; tokens are masked.\n\n"
               "Example:\n  sitegpt profiles list --json\n");
    } else if (strcmp(sub, "show") == 0) {
        printf("Usage: sitegpt profiles show [NAME] [--json]\n\n"
               "Show one profile: default or not, API base, masked token, config file.\n"
               "NAME defaults to --profile, SITEGPT_PROFILE, then the default profile.\n\n"
               "Example:\n  sitegpt profiles show work\n");
    } else if (strcmp(sub, "use") == 0 || strcmp(sub, "set-default") == 0) {
        printf("Usage: sitegpt profiles use NAME   (alias: set-default)\n\n"
               "Make NAME the default profile: commands use it when neither --profile nor\n"
               "SITEGPT_PROFILE says otherwise.\n\n"
               "Example:\n  sitegpt profiles use work\n");
    } else {
        printf("Usage: sitegpt profiles delete NAME [-y|--yes]   (alias: remove)\n\n"
               "Forget profile NAME and its token. The token is not revoked: it keeps working\n"
               "until it expires or 'sitegpt tokens revoke <id>' revokes it. It never asks:\n"
               "-y/--yes is accepted (and ignored) for scripts that pass it everywhere.\n\n"
               "Example:\n  sitegpt profiles delete old-laptop\n");
    }
}

static void profile_json(sg_json_writer *w, const cli_profile *p)
{
    char masked[64];
    cli_mask_token(p->token, masked, sizeof masked);
    (void)sg_json_write_object_begin(w);
    cli_json_str(w, "name", p->name);
    cli_json_bool(w, "default", p->is_default);
    cli_json_str_or_null(w, "apiBase", p->api_base);
    cli_json_str_or_null(w, "token", p->token[0] != '\0' ? masked : NULL);
    cli_json_bool(w, "loggedIn", p->token[0] != '\0');
    (void)sg_json_write_object_end(w);
}

static const char *shown_base(const cli_profile *p)
{
    return p->api_base[0] != '\0' ? p->api_base : CLI_DEFAULT_API_BASE " (default)";
}

static int list(const cli_globals *g, const sg_profiles *cfg)
{
    static char buf[SG_PROFILES_MAX_BYTES + 4096];
    size_t count = 0;
    if (sg_profiles_count(cfg, &count) != SG_OK) {
        return CLI_EXIT_INTERNAL;
    }
    char def[CLI_NAME_MAX + 1];
    bool have_default = cli_store_default_name(cfg, def);
    sg_json_writer w;
    if (g->json) {
        cli_json_begin(&w, buf, sizeof buf);
        cli_json_str(&w, "defaultProfile", have_default ? def : NULL);
        cli_json_str(&w, "configPath", cli_store_path());
        (void)sg_json_write_key(&w, "profiles");
        (void)sg_json_write_array_begin(&w);
    } else if (count == 0) {
        printf("No saved profiles. 'sitegpt login' creates one.\n");
        return CLI_EXIT_OK;
    } else {
        printf("  %-20s %-36s %s\n", "NAME", "API BASE", "TOKEN");
    }
    for (size_t i = 0; i < count; i++) {
        char name[SG_PROFILES_KEY_MAX + 1];
        cli_profile p;
        if (sg_profiles_name(cfg, i, name, sizeof name) != SG_OK ||
            cli_store_profile(cfg, name, &p) != CLI_EXIT_OK) {
            continue; /* a name longer than CLI_NAME_MAX: not ours to show */
        }
        char masked[64];
        cli_mask_token(p.token, masked, sizeof masked);
        bool logged_in = p.token[0] != '\0';
        if (g->json) {
            profile_json(&w, &p);
            sg_wipe(p.token, sizeof p.token);
            continue;
        }
        sg_wipe(p.token, sizeof p.token);
        printf("%c ", p.is_default ? '*' : ' ');
        cli_puts_clean(p.name, stdout);
        printf("%*s %-36s %s\n", (int)(strlen(p.name) < 20 ? 20 - strlen(p.name) : 0), "",
               cli_esc(shown_base(&p)), logged_in ? cli_esc(masked) : "(logged out)");
    }
    if (g->json) {
        (void)sg_json_write_array_end(&w);
        cli_json_end(&w);
    }
    return CLI_EXIT_OK;
}

static int not_configured(const cli_globals *g, const char *name)
{
    return cli_fail(g, CLI_EXIT_AUTH, "PROFILE_NOT_CONFIGURED",
                    "profile '%s' is not configured ('sitegpt profiles list' shows the saved "
                    "ones)",
                    name);
}

static int show(const cli_globals *g, const sg_profiles *cfg, const char *name)
{
    cli_profile p;
    if (cli_store_profile(cfg, name, &p) != CLI_EXIT_OK) {
        if (name == NULL) {
            return cli_fail(g, CLI_EXIT_AUTH, "PROFILE_NOT_CONFIGURED",
                            "there is no default profile; 'sitegpt login' creates one");
        }
        return not_configured(g, name);
    }
    if (g->json) {
        char buf[2048];
        sg_json_writer w;
        cli_json_begin(&w, buf, sizeof buf);
        (void)sg_json_write_key(&w, "profile");
        profile_json(&w, &p);
        cli_json_str(&w, "configPath", cli_store_path());
        cli_json_end(&w);
        sg_wipe(p.token, sizeof p.token);
        return CLI_EXIT_OK;
    }
    char masked[64];
    cli_mask_token(p.token, masked, sizeof masked);
    bool logged_in = p.token[0] != '\0';
    sg_wipe(p.token, sizeof p.token);
    printf("%-12s", "profile:");
    cli_puts_clean(p.name, stdout);
    printf("\n%-12s%s\n%-12s%s\n%-12s%s\n%-12s%s\n", "default:", p.is_default ? "yes" : "no",
           "API base:", cli_esc(shown_base(&p)),
           "token:", logged_in ? cli_esc(masked) : "(logged out)",
           "config:", cli_esc(cli_store_path()));
    return CLI_EXIT_OK;
}

static int change(const cli_globals *g, const sg_profiles *cfg, sg_profiles_op op, const char *name)
{
    cli_profile p;
    if (cli_store_profile(cfg, name, &p) != CLI_EXIT_OK) {
        return not_configured(g, name);
    }
    bool was_default = p.is_default;
    sg_wipe(p.token, sizeof p.token);
    sg_profiles_edit edit = {op, name, NULL, NULL};
    int rc = cli_store_apply(g, &edit);
    if (rc == CLI_EXIT_AUTH) {
        return not_configured(g, name);
    }
    if (rc != CLI_EXIT_OK) {
        return rc;
    }
    bool deleted = op == SG_PROFILES_DELETE_PROFILE;
    if (g->json) {
        char buf[1024];
        sg_json_writer w;
        cli_json_begin(&w, buf, sizeof buf);
        cli_json_str(&w, "profile", name);
        cli_json_bool(&w, deleted ? "deleted" : "default", true);
        if (deleted) {
            cli_json_bool(&w, "tokenRevoked", false);
            cli_json_bool(&w, "wasDefault", was_default);
        }
        cli_json_end(&w);
    } else if (deleted) {
        printf("Deleted profile '%s'. Its token was NOT revoked: it works until it expires or\n"
               "'sitegpt tokens revoke <id>' revokes it.\n",
               cli_esc(name));
        if (was_default) {
            printf("There is no default profile now; pick one with 'sitegpt profiles use "
                   "NAME'.\n");
        }
    } else {
        printf("Default profile is now '%s'.\n", cli_esc(name));
    }
    return CLI_EXIT_OK;
}

int cmd_profiles(const cli_globals *g, int argc, char **argv)
{
    cli_store_use_globals(g);
    const char *sub = NULL;
    const char *arg = NULL;
    bool help = false;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            help = true;
        } else if (strcmp(a, "--yes") == 0 || strcmp(a, "-y") == 0) {
            continue; /* accepted for scripts that pass it to every destructive command */
        } else if (a[0] == '-' && a[1] != '\0') {
            return cli_usage_error(g, "profiles", "unknown option '%s'", a);
        } else if (sub == NULL) {
            sub = a;
        } else if (arg == NULL) {
            arg = a;
        } else {
            return cli_usage_error(g, "profiles", "unexpected argument '%s'", a);
        }
    }
    static const char *const subs[] = {"list", "show", "use", "set-default", "delete", "remove"};
    bool known = false;
    for (size_t i = 0; sub != NULL && i < sizeof subs / sizeof subs[0]; i++) {
        known = known || strcmp(sub, subs[i]) == 0;
    }
    if (sub != NULL && !known) {
        return cli_usage_error(g, "profiles",
                               "unknown subcommand '%s' (list, show, use, "
                               "set-default, delete, remove)",
                               sub);
    }
    if (help || sub == NULL) {
        if (sub != NULL) {
            print_sub_help(sub);
        } else {
            print_help(help ? stdout : stderr);
        }
        return help ? CLI_EXIT_OK
                    : cli_usage_error(g, "profiles",
                                      "missing the subcommand (list, show, use "
                                      "or delete)");
    }
    bool needs_name = strcmp(sub, "list") != 0 && strcmp(sub, "show") != 0;
    if (needs_name && arg == NULL) {
        return cli_usage_error(g, "profiles", "'%s' needs a profile name", sub);
    }
    if (strcmp(sub, "list") == 0 && arg != NULL) {
        return cli_usage_error(g, "profiles", "'list' takes no argument");
    }
    const sg_profiles *cfg;
    int rc = cli_store_load(g, &cfg);
    if (rc != CLI_EXIT_OK) {
        return rc;
    }
    if (strcmp(sub, "list") == 0) {
        return list(g, cfg);
    }
    if (strcmp(sub, "show") == 0) {
        const char *env = getenv("SITEGPT_PROFILE");
        const char *name = arg != NULL ? arg : g->profile;
        return show(g, cfg, name != NULL ? name : (env != NULL && env[0] ? env : NULL));
    }
    bool del = strcmp(sub, "delete") == 0 || strcmp(sub, "remove") == 0;
    return change(g, cfg, del ? SG_PROFILES_DELETE_PROFILE : SG_PROFILES_SET_DEFAULT, arg);
}
