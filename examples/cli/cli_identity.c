/* sitegpt CLI: GET /api/v2/me and how it is shown (see cli_identity.h). */
#include <string.h>

#include "cli_identity.h"
#include "cli_json.h"

#define IDENTITY_WORK_SIZE 8192u

static sg_status add_scope(void *ctx, const char *scope, size_t len)
{
    cli_identity *who = ctx;
    size_t used = strlen(who->scopes);
    if (used + len + 2 > sizeof who->scopes) {
        return SG_OK; /* shown cut: the list is for display */
    }
    if (used > 0) {
        who->scopes[used++] = ' ';
    }
    memcpy(who->scopes + used, scope, len);
    who->scopes[used + len] = '\0';
    return SG_OK;
}

sg_status cli_identity_fetch(cli_net *net, const char *token, cli_identity *out)
{
    static uint8_t work[IDENTITY_WORK_SIZE];
    static sg_api api;
    memset(out, 0, sizeof *out);
    out->id.on_scope = add_scope;
    out->id.scope_ctx = out;
    sg_status st = cli_net_api_init(net, token, work, sizeof work, &api);
    if (st == SG_OK) {
        st = sg_api_me(&api, &out->id, &out->env);
    }
    memset(work, 0, sizeof work);
    return st;
}

void cli_puts_clean(const char *s, FILE *out)
{
    for (; *s != '\0'; s++) {
        unsigned char c = (unsigned char)*s;
        fputc(c < 0x20 || c == 0x7f ? '?' : c, out);
    }
}

static void line(const char *label, const char *value)
{
    printf("%-12s", label);
    cli_puts_clean(value[0] != '\0' ? value : "-", stdout);
    fputc('\n', stdout);
}

static void print_json(const cli_identity *who, const char *profile, const char *api_base,
                       const char *token_source)
{
    static char buf[8192];
    sg_json_writer w;
    cli_json_begin(&w, buf, sizeof buf);
    cli_json_object(&w, "user");
    cli_json_str(&w, "id", who->id.user_id);
    cli_json_str(&w, "email", who->id.email);
    cli_json_str(&w, "name", who->id.name);
    (void)sg_json_write_object_end(&w);
    cli_json_object(&w, "auth");
    cli_json_str(&w, "type", who->id.auth_type);
    (void)sg_json_write_key(&w, "scopes");
    (void)sg_json_write_array_begin(&w);
    for (const char *p = who->scopes; *p != '\0';) {
        size_t n = strcspn(p, " ");
        (void)sg_json_write_string_n(&w, p, n);
        p += n;
        p += *p == ' ';
    }
    (void)sg_json_write_array_end(&w);
    (void)sg_json_write_object_end(&w);
    cli_json_str_or_null(&w, "profile", profile);
    cli_json_str(&w, "apiBase", api_base);
    cli_json_str(&w, "tokenSource", token_source);
    (void)sg_json_write_object_end(&w);
    cli_json_object(&w, "meta");
    cli_json_str(&w, "requestId", who->env.request_id);
    (void)sg_json_write_object_end(&w);
    (void)sg_json_write_object_end(&w);
    cli_json_print(&w);
}

void cli_identity_print(const cli_globals *g, const cli_identity *who, const char *profile,
                        const char *api_base, const char *token_source)
{
    if (g->json) {
        print_json(who, profile, api_base, token_source);
        return;
    }
    line("name:", who->id.name);
    line("email:", who->id.email);
    line("user id:", who->id.user_id);
    line("token type:", who->id.auth_type);
    line("scopes:", who->scopes);
    char prof[CLI_NAME_MAX + 64];
    const char *name = profile != NULL && profile[0] != '\0' ? profile : "-";
    if (token_source != NULL && strcmp(token_source, "profile") != 0) {
        (void)snprintf(prof, sizeof prof, "%s (token from %s)", name, token_source);
    } else {
        (void)snprintf(prof, sizeof prof, "%s", name);
    }
    line("profile:", prof);
    line("API base:", api_base);
    fflush(stdout);
}
