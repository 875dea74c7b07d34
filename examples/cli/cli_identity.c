/* sitegpt CLI: GET /api/v2/me and how it is shown (see cli_identity.h). */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cli_identity.h"
#include "cli_json.h"
#include "ex_term.h"

#define IDENTITY_WORK_SIZE 8192u

#define EXPIRY_WARN_DAYS 14

/* Append one word to a space-separated list; cut when full (the list is for display). */
static void add_word(char *list, size_t cap, const char *word, size_t len)
{
    size_t used = strlen(list);
    if (used + len + 2 > cap) {
        return;
    }
    if (used > 0) {
        list[used++] = ' ';
    }
    memcpy(list + used, word, len);
    list[used + len] = '\0';
}

static sg_status add_scope(void *ctx, const char *scope, size_t len)
{
    cli_identity *who = ctx;
    add_word(who->scopes, sizeof who->scopes, scope, len);
    return SG_OK;
}

/* digits decimal digits at s as a number; -1 when one is not a digit. */
static int digits_at(const char *s, int digits)
{
    int v = 0;
    for (int i = 0; i < digits; i++) {
        if (s[i] < '0' || s[i] > '9') {
            return -1;
        }
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

/* "YYYY-MM-DDTHH:MM:SS[.fff](Z|+00:00)" as seconds since the epoch; false otherwise. */
static bool parse_utc(const char *s, time_t *out)
{
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    if (strlen(s) < 20 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' ||
        s[16] != ':') {
        return false;
    }
    int y = digits_at(s, 4), mo = digits_at(s + 5, 2), d = digits_at(s + 8, 2);
    int h = digits_at(s + 11, 2), mi = digits_at(s + 14, 2), sec = digits_at(s + 17, 2);
    if (y < 0 || mo < 0 || d < 0 || h < 0 || mi < 0 || sec < 0) {
        return false;
    }
    const char *p = s + 19;
    if (*p == '.') {
        do {
            p++;
        } while (*p >= '0' && *p <= '9');
    }
    if (strcmp(p, "Z") != 0 && strcmp(p, "+00:00") != 0) {
        return false;
    }
    if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60) {
        return false;
    }
    tm.tm_year = y - 1900;
    tm.tm_mon = mo - 1;
    tm.tm_mday = d;
    tm.tm_hour = h;
    tm.tm_min = mi;
    tm.tm_sec = sec;
    *out = timegm(&tm);
    return *out != (time_t)-1;
}

/* Whole days from now until t (negative once past). */
static long days_left(time_t t)
{
    double s = difftime(t, time(NULL));
    return (long)(s >= 0 ? s / 86400.0 : -((-s + 86399.0) / 86400.0));
}

void cli_identity_warn_expiry(const cli_identity *who)
{
    time_t t;
    if (who->id.expires_at[0] == '\0' || !parse_utc(who->id.expires_at, &t)) {
        return;
    }
    long days = days_left(t);
    if (days < 0) {
        fprintf(stderr, "sitegpt: warning: this token expired on %s\n",
                cli_esc(who->id.expires_at));
    } else if (days < EXPIRY_WARN_DAYS) {
        fprintf(stderr,
                "sitegpt: warning: this token expires in %ld day%s (%s); log in again "
                "before then: sitegpt login\n",
                days, days == 1 ? "" : "s", cli_esc(who->id.expires_at));
    }
}

sg_status cli_identity_fetch(cli_net *net, const char *token, cli_identity *out)
{
    static uint8_t work[IDENTITY_WORK_SIZE];
    static sg_api api;
    memset(out, 0, sizeof *out);
    out->id.on_scope = add_scope;
    out->id.scope_ctx = out;
    cli_pass_reset();
    sg_status st = cli_net_api_init(net, token, work, sizeof work, &api);
    if (st == SG_OK) {
        st = sg_api_set_raw_sink(&api, cli_pass_sink, NULL);
    }
    if (st == SG_OK) {
        st = sg_api_me(&api, &out->id, &out->env);
    }
    sg_wipe(work, sizeof work);
    return st;
}

void cli_puts_clean(const char *s, FILE *out)
{
    ex_term_puts(s, out);
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
    cli_json_str_or_null(&w, "tokenId", who->id.token_id);
    cli_json_str_or_null(&w, "expiresAt", who->id.expires_at);
    (void)sg_json_write_key(&w, "chatbotIds");
    if (who->id.chatbot_count < 0) {
        (void)sg_json_write_null(&w);
    } else {
        (void)sg_json_write_array_begin(&w);
        for (const char *p = who->id.chatbot_ids; *p != '\0';) {
            size_t n = strcspn(p, " ");
            (void)sg_json_write_string_n(&w, p, n);
            p += n;
            p += *p == ' ';
        }
        (void)sg_json_write_array_end(&w);
    }
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
    line("token id:", who->id.token_id);
    time_t t;
    char expires[SG_API_DATE_MAX + 64];
    if (who->id.expires_at[0] != '\0' && parse_utc(who->id.expires_at, &t)) {
        long days = days_left(t);
        if (days >= 0) {
            (void)snprintf(expires, sizeof expires, "%s (%ld day%s left)", who->id.expires_at, days,
                           days == 1 ? "" : "s");
        } else {
            (void)snprintf(expires, sizeof expires, "%s (expired)", who->id.expires_at);
        }
    } else {
        (void)snprintf(expires, sizeof expires, "%s", who->id.expires_at);
    }
    line("expires:", expires);
    line("scopes:", who->scopes);
    line("chatbots:", who->id.chatbot_count < 0    ? "-"
                      : who->id.chatbot_count == 0 ? "all chatbots"
                                                   : who->id.chatbot_ids);
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
