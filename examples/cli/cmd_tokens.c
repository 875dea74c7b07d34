/* sitegpt tokens: list, create, rotate and revoke API tokens. */
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "cli_typed.h"
#include "cli_identity.h"
#include "cli_store.h"

#define ID_WIDTH       22
#define DATE_WIDTH     12
#define MAX_LIST_ARGS  64 /* --scope / --chatbot values per command */
#define EXPIRES_AT_MAX 64
#define INFO_MAX       8192

/* ------------------------------------------------------------------ help --- */

static void help_main(FILE *out)
{
    fputs("Usage: sitegpt tokens <list|create|rotate|revoke> [options]\n"
          "\n"
          "Manage the API tokens of your account. Listing needs the tokens:read scope, the\n"
          "other subcommands tokens:write. Secrets are shown once, when a token is created\n"
          "or rotated; the server keeps only a hash.\n"
          "\n"
          "Subcommands:\n"
          "  list     list tokens (id, dates, name, scopes, chatbots)\n"
          "  create   issue a new token; prints its secret once\n"
          "  rotate   replace a token's secret; the old one stops working\n"
          "  revoke   revoke a token for good\n"
          "\n"
          "Examples:\n"
          "  sitegpt tokens list --include-revoked\n"
          "  T=$(sitegpt tokens create --name ci --scope chatbots:read --expires-in-days 30)\n"
          "  sitegpt tokens rotate tok_0123456789abcdef\n"
          "  sitegpt tokens revoke tok_0123456789abcdef --yes\n"
          "\n"
          "Run 'sitegpt tokens <subcommand> --help' for its options.\n",
          out);
}

static void help_list(FILE *out)
{
    fputs("Usage: sitegpt tokens list [--include-revoked] [--limit N] [--cursor C] [--all]\n"
          "\n"
          "One line per token with its full id (ready to copy), creation, expiry, last use\n"
          "and revocation dates (UTC days) and name, followed by its scopes and the chatbots\n"
          "it is restricted to ('all' when it is not). Newest first.\n"
          "\n"
          "Options:\n"
          "  --include-revoked  also list revoked tokens\n"
          "  --limit N          tokens per page (the server caps it; default 20)\n"
          "  --cursor C         start at this page (the 'next page' hint of a previous list)\n"
          "  --all              follow every page to the end, in constant memory\n"
          "  --json             print the API envelope unchanged; with --all, one envelope\n"
          "                     per page, one per line (JSON lines)\n"
          "\n"
          "When more pages exist, a hint with the next cursor goes to stderr.\n"
          "\n"
          "Examples:\n"
          "  sitegpt tokens list\n"
          "  sitegpt tokens list --limit 50 --cursor Yzo0OQ\n"
          "  sitegpt tokens list --all --json | jq -r '.data.tokens[] | .id + \" \" + .name'\n",
          out);
}

static void help_create(FILE *out)
{
    fputs("Usage: sitegpt tokens create --name NAME --scope SCOPE... [--chatbot ID...]\n"
          "                             [--expires-in-days D | --expires-at DATE]\n"
          "\n"
          "Issue a new API token. Its secret is printed once on stdout, alone, so\n"
          "T=$(sitegpt tokens create ...) captures just the token; its id, scopes and expiry\n"
          "go to stderr. Store it now: it is never shown again. The CLI keeps using its own\n"
          "credential (log in with the new token via 'sitegpt login --token -').\n"
          "\n"
          "Options:\n"
          "  --name NAME           1 to 120 characters, shown in the dashboard\n"
          "  --scope SCOPE         a scope (repeat it, list several after it, or separate\n"
          "                        them with commas); at least one\n"
          "  --chatbot ID          restrict the token to this chatbot (repeatable)\n"
          "  --expires-in-days D   lifetime 1..365 days (server default 90)\n"
          "  --expires-at DATE     ISO 8601 expiry in the future, at most 365 days away:\n"
          "                        2025-12-31 (midnight UTC), 2025-12-31T18:00:00Z or\n"
          "                        2025-12-31T18:00:00+02:00; not with --expires-in-days\n"
          "  --json                print the API envelope unchanged (it holds the secret)\n"
          "\n"
          "Scopes (you can only issue what your dashboard role allows):\n",
          out);
    for (size_t i = 0; i < SG_SCOPE_COUNT; i++) {
        fprintf(out, "%s%s", i % 4 == 0 ? "  " : " ", sg_scope_at(i));
        if (i % 4 == 3 || i + 1 == SG_SCOPE_COUNT) {
            fputc('\n', out);
        }
    }
    fputs("\n"
          "Examples:\n"
          "  sitegpt tokens create --name 'support agent' --scope chatbots:read \\\n"
          "      --scope conversations:read --chatbot cb_0001 --expires-in-days 30\n"
          "  T=$(sitegpt tokens create --name ci --scope tokens:read,chatbots:read)\n",
          out);
}

static void help_rotate(FILE *out)
{
    fputs("Usage: sitegpt tokens rotate <id> [--json]\n"
          "\n"
          "Give the token a new secret and print it once on stdout (details on stderr); the\n"
          "old secret stops working at once. When the rotated token is the one this CLI is\n"
          "using, every saved profile holding it is updated to the new secret (atomically);\n"
          "SITEGPT_API_TOKEN, if you use it, must be updated by you.\n"
          "\n"
          "Examples:\n"
          "  sitegpt tokens rotate tok_0123456789abcdef\n"
          "  T=$(sitegpt tokens rotate tok_0123456789abcdef)\n",
          out);
}

static void help_revoke(FILE *out)
{
    fputs("Usage: sitegpt tokens revoke <id> [--yes] [--json]\n"
          "\n"
          "Revoke a token for good: every request with it fails from now on. On a terminal\n"
          "you are asked to confirm; elsewhere (scripts, pipes) --yes is required.\n"
          "Revoking an already revoked token succeeds and changes nothing.\n"
          "\n"
          "Options:\n"
          "  --yes    do not ask\n"
          "  --json   print the API envelope unchanged\n"
          "\n"
          "Examples:\n"
          "  sitegpt tokens revoke tok_0123456789abcdef\n"
          "  sitegpt tokens revoke tok_0123456789abcdef --yes --json\n",
          out);
}

/* ------------------------------------------------------------------ list --- */

static void print_header(void)
{
    printf("%-*s %-*s %-*s %-*s %-*s %s\n", ID_WIDTH - 1, "ID", DATE_WIDTH - 1, "CREATED",
           DATE_WIDTH - 1, "EXPIRES", DATE_WIDTH - 1, "LAST USED", DATE_WIDTH - 1, "REVOKED",
           "NAME");
}

static void print_row(const sg_json_element *item)
{
    static char text[4096];
    cli_elem_text(item, "id", text, sizeof text);
    cli_print_cell(stdout, text, ID_WIDTH);
    cli_print_day_cell(stdout, item, "createdAt", DATE_WIDTH);
    cli_print_day_cell(stdout, item, "expiresAt", DATE_WIDTH);
    cli_print_day_cell(stdout, item, "lastUsedAt", DATE_WIDTH);
    cli_print_day_cell(stdout, item, "revokedAt", DATE_WIDTH);
    cli_elem_text(item, "name", text, sizeof text);
    printf("%s\n", text);
    cli_elem_join(item, "scopes", " ", text, sizeof text);
    printf("    scopes:   %s\n", text);
    cli_elem_join(item, "chatbotIds", " ", text, sizeof text);
    printf("    chatbots: %s\n", strcmp(text, "-") == 0 ? "all" : text);
}

static int tokens_list(const cli_globals *g, int argc, char **argv)
{
    static const cli_list_cmd list = {
        "tokens list", "tokens",     "tokens:read", true,
        help_list,     print_header, print_row,     sg_api_tokens_list,
    };
    return cli_typed_list(g, &list, argc, argv);
}

/* ------------------------------------------------------------------ secrets --- */

/* What to tell on stderr once the secret is safely out (built while the element exists). */
typedef struct secret_view {
    char info[INFO_MAX];
} secret_view;

static sg_status keep_token_info(void *ctx, const sg_json_element *item)
{
    secret_view *v = ctx;
    char id[512], name[512], expires[64], scopes[2048], bots[2048];
    cli_elem_text(item, "id", id, sizeof id);
    cli_elem_text(item, "name", name, sizeof name);
    cli_elem_text(item, "expiresAt", expires, sizeof expires);
    cli_elem_join(item, "scopes", " ", scopes, sizeof scopes);
    cli_elem_join(item, "chatbotIds", " ", bots, sizeof bots);
    (void)snprintf(v->info, sizeof v->info,
                   "  id:       %s\n  name:     %s\n  scopes:   %s\n  chatbots: %s\n"
                   "  expires:  %s\n",
                   id, name, scopes, strcmp(bots, "-") == 0 ? "all" : bots, expires);
    return SG_OK;
}

/* Secret alone on stdout, the rest on stderr (or the envelope alone with --json). */
static void print_secret(cli_typed *c, const char *secret, const secret_view *v, const char *what)
{
    if (c->g->json) {
        (void)cli_typed_json_flush(c); /* the create or rotate response: JSON, it was parsed */
        return;
    }
    cli_puts_clean(secret, stdout); /* a real token has no control character: unchanged */
    fputc('\n', stdout);
    fflush(stdout);
    fprintf(stderr, "%s\n%s", what, v->info);
    fputs("Store the token now: it is not shown again.\n", stderr);
}

static void update_profiles(cli_typed *c, const char *new_secret);

/* Create (req) or rotate (id) a token, show its secret once, wipe it. */
static int issue_secret(const cli_globals *g, const sg_api_new_token *req, const char *id)
{
    static cli_typed c;
    int rc = cli_typed_open(g, &c);
    if (rc != CLI_EXIT_OK) {
        return rc;
    }
    static secret_view view;
    static char secret[CLI_TOKEN_MAX + 1];
    memset(&view, 0, sizeof view);
    sg_status st = req != NULL ? sg_api_token_create(&c.api, req, keep_token_info, &view, secret,
                                                     sizeof secret, &c.env)
                               : sg_api_token_rotate(&c.api, id, keep_token_info, &view, secret,
                                                     sizeof secret, &c.env);
    if (st == SG_OK && req != NULL) {
        print_secret(&c, secret, &view, "Created a token.");
    } else if (st == SG_OK) {
        print_secret(&c, secret, &view, "Rotated the token; its old secret no longer works.");
        update_profiles(&c, secret);
    } else {
        rc = cli_typed_fail(&c, st, req != NULL ? "creating the token" : "rotating the token",
                            "tokens:write");
    }
    sg_wipe(secret, sizeof secret);
    cli_typed_close(&c);
    return rc;
}

/* ------------------------------------------------------------------ create --- */

static int days_in_month(int y, int m)
{
    static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : days[m - 1];
}

static bool digits(const char *s, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') {
            return false;
        }
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return true;
}

/*
 * ISO 8601 date ("2025-12-31", midnight UTC) or date-time with seconds optional, a
 * fraction allowed, and Z or +hh:mm / -hh:mm. *when gets the instant; out the text to
 * send (a date alone becomes a date-time).
 */
static bool parse_expiry(const char *s, time_t *when, char *out, size_t cap)
{
    int y, mo, d, h = 0, mi = 0, sec = 0, oh = 0, om = 0, sign = 0;
    size_t len = strlen(s);
    if (len < 10 || !digits(s, 4, &y) || s[4] != '-' || !digits(s + 5, 2, &mo) || s[7] != '-' ||
        !digits(s + 8, 2, &d) || mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo) ||
        len >= cap) {
        return false;
    }
    const char *p = s + 10;
    if (*p != '\0') {
        if (*p != 'T' || !digits(p + 1, 2, &h) || p[3] != ':' || !digits(p + 4, 2, &mi) || h > 23 ||
            mi > 59) {
            return false;
        }
        p += 6;
        if (*p == ':') {
            if (!digits(p + 1, 2, &sec) || sec > 59) {
                return false;
            }
            p += 3;
            if (*p == '.') {
                p++;
                if (*p < '0' || *p > '9') {
                    return false;
                }
                while (*p >= '0' && *p <= '9') {
                    p++;
                }
            }
        }
        if (*p == 'Z') {
            p++;
        } else if (*p == '+' || *p == '-') {
            sign = *p == '+' ? 1 : -1;
            if (!digits(p + 1, 2, &oh) || p[3] != ':' || !digits(p + 4, 2, &om) || oh > 23 ||
                om > 59) {
                return false;
            }
            p += 6;
        } else {
            return false; /* a time without a zone is ambiguous */
        }
        if (*p != '\0') {
            return false;
        }
        memcpy(out, s, len + 1);
    } else {
        (void)snprintf(out, cap, "%.10sT00:00:00Z", s);
    }
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    tm.tm_year = y - 1900;
    tm.tm_mon = mo - 1;
    tm.tm_mday = d;
    tm.tm_hour = h;
    tm.tm_min = mi;
    tm.tm_sec = sec;
    *when = timegm(&tm) - (time_t)sign * (oh * 3600 + om * 60);
    return true;
}

/* Scopes and chatbots: repeated options, comma lists, or bare words after the option. */
typedef struct arg_list {
    const char *items[MAX_LIST_ARGS];
    size_t count;
} arg_list;

static char split_buf[8192];
static size_t split_used;

static bool add_items(arg_list *l, const char *value)
{
    size_t n = strlen(value);
    if (n + 1 > sizeof split_buf - split_used) {
        return false;
    }
    char *copy = split_buf + split_used;
    memcpy(copy, value, n + 1);
    split_used += n + 1;
    for (char *tok = strtok(copy, ", "); tok != NULL; tok = strtok(NULL, ", ")) {
        if (l->count == MAX_LIST_ARGS) {
            return false;
        }
        l->items[l->count++] = tok;
    }
    return true;
}

static size_t utf8_chars(const char *s)
{
    size_t n = 0;
    for (; *s != '\0'; s++) {
        n += ((unsigned char)*s & 0xC0u) != 0x80u;
    }
    return n;
}

static int tokens_create(const cli_globals *g, int argc, char **argv)
{
    static arg_list scopes, bots;
    const char *name = NULL, *days_arg = NULL, *at_arg = NULL;
    arg_list *continuing = NULL;
    memset(&scopes, 0, sizeof scopes);
    memset(&bots, 0, sizeof bots);
    split_used = 0;
    for (int i = 1; i < argc; i++) {
        const char *v = NULL;
        bool missing = false;
        const char *a = argv[i];
        if (cli_is_help(a)) {
            help_create(stdout);
            return CLI_EXIT_OK;
        } else if (cli_opt(argc, argv, &i, "--name", &v, &missing)) {
            name = v;
            continuing = NULL;
        } else if (cli_opt(argc, argv, &i, "--scope", &v, &missing)) {
            continuing = &scopes;
            if (!add_items(&scopes, v)) {
                return cli_usage_error(g, "tokens create", "too many scopes");
            }
        } else if (cli_opt(argc, argv, &i, "--chatbot", &v, &missing)) {
            continuing = &bots;
            if (!add_items(&bots, v)) {
                return cli_usage_error(g, "tokens create", "too many chatbots (at most %d)",
                                       MAX_LIST_ARGS);
            }
        } else if (cli_opt(argc, argv, &i, "--expires-in-days", &v, &missing)) {
            days_arg = v;
            continuing = NULL;
        } else if (cli_opt(argc, argv, &i, "--expires-at", &v, &missing)) {
            at_arg = v;
            continuing = NULL;
        } else if (missing) {
            return cli_usage_error(g, "tokens create", "%s needs a value", a);
        } else if (a[0] != '-' && continuing != NULL) {
            if (!add_items(continuing, a)) {
                return cli_usage_error(g, "tokens create", "too many values");
            }
        } else {
            return cli_usage_error(g, "tokens create", "unexpected argument '%s'", a);
        }
    }

    /* Every rule is checked here, before any request. */
    if (name == NULL) {
        return cli_usage_error(g, "tokens create", "--name is required (1 to 120 characters)");
    }
    size_t chars = utf8_chars(name);
    if (chars < 1 || chars > SG_API_TOKEN_NAME_MAX) {
        return cli_usage_error(g, "tokens create",
                               "--name must be 1 to 120 characters (it has "
                               "%zu)",
                               chars);
    }
    if (scopes.count == 0) {
        return cli_usage_error(g, "tokens create",
                               "at least one --scope is required, e.g. "
                               "--scope chatbots:read");
    }
    for (size_t i = 0; i < scopes.count; i++) {
        if (!sg_scope_is_valid(scopes.items[i])) {
            const char *near = sg_scope_suggest(scopes.items[i]);
            if (near != NULL) {
                return cli_usage_error(g, "tokens create", "unknown scope '%s'; did you mean '%s'?",
                                       scopes.items[i], near);
            }
            return cli_usage_error(g, "tokens create",
                                   "unknown scope '%s' (the list is in "
                                   "'sitegpt tokens create --help')",
                                   scopes.items[i]);
        }
    }
    if (days_arg != NULL && at_arg != NULL) {
        return cli_usage_error(g, "tokens create",
                               "give --expires-in-days or --expires-at, "
                               "not both");
    }
    unsigned long days = 0;
    if (days_arg != NULL &&
        !cli_parse_uint(days_arg, SG_API_EXPIRES_DAYS_MIN, SG_API_EXPIRES_DAYS_MAX, &days)) {
        return cli_usage_error(g, "tokens create",
                               "--expires-in-days must be a whole number "
                               "from 1 to 365, not '%s'",
                               days_arg);
    }
    static char expires_at[EXPIRES_AT_MAX];
    if (at_arg != NULL) {
        time_t when, now = time(NULL);
        if (!parse_expiry(at_arg, &when, expires_at, sizeof expires_at)) {
            return cli_usage_error(g, "tokens create",
                                   "--expires-at '%s' is not an ISO 8601 "
                                   "date (2025-12-31) or date-time with a zone "
                                   "(2025-12-31T18:00:00Z)",
                                   at_arg);
        }
        if (when <= now) {
            return cli_usage_error(g, "tokens create", "--expires-at '%s' is not in the future",
                                   at_arg);
        }
        if (when - now > 366 * 86400L) {
            return cli_usage_error(g, "tokens create",
                                   "--expires-at '%s' is more than 365 days "
                                   "away",
                                   at_arg);
        }
    }

    sg_api_new_token req = {name,
                            scopes.items,
                            scopes.count,
                            bots.items,
                            bots.count,
                            (uint32_t)days,
                            at_arg != NULL ? expires_at : NULL};
    return issue_secret(g, &req, NULL);
}

/* ------------------------------------------------------------------ rotate --- */

/* The id argument of rotate and revoke; help printed when asked (id NULL then). */
static int one_id(const cli_globals *g, const char *cmd, int argc, char **argv,
                  void (*help)(FILE *out), bool *yes, const char **id)
{
    return cli_one_id(g, cmd, argc, argv, help, yes, "token id",
                      "missing the token id (see 'sitegpt tokens list')", id);
}

/*
 * After a rotation: was the rotated token the one this CLI used? Its old secret now
 * fails, so one GET /me with it tells, whatever the server puts in /me. Then every saved
 * profile holding that old secret gets the new one.
 */
static void update_profiles(cli_typed *c, const char *new_secret)
{
    sg_api_identity me;
    memset(&me, 0, sizeof me);
    if (sg_api_set_raw_sink(&c->api, NULL, NULL) != SG_OK) {
        return;
    }
    sg_status st = sg_api_me(&c->api, &me, &c->env);
    if (st == SG_OK) {
        return; /* the credential in use is another token */
    }
    if (st != SG_ERR_AUTH) {
        fprintf(stderr,
                "warning: could not check whether a saved profile holds the rotated "
                "token (%s); if one does, log in again with the new token\n",
                sg_strerror(st));
        return;
    }
    const sg_profiles *cfg;
    size_t count = 0, updated = 0;
    if (cli_store_load(c->g, &cfg) != CLI_EXIT_OK || sg_profiles_count(cfg, &count) != SG_OK) {
        return;
    }
    for (size_t i = 0; i < count; i++) {
        static char name[CLI_NAME_MAX + 1], held[CLI_TOKEN_MAX + 1];
        bool holds = sg_profiles_name(cfg, i, name, sizeof name) == SG_OK &&
                     sg_profiles_get(cfg, name, SG_PROFILES_TOKEN, held, sizeof held) == SG_OK &&
                     strcmp(held, c->cred.token) == 0;
        sg_wipe(held, sizeof held);
        if (!holds) {
            continue;
        }
        sg_profiles_edit edit = {SG_PROFILES_SET_PROFILE, name, new_secret, NULL};
        if (cli_store_apply(c->g, &edit) == CLI_EXIT_OK) {
            fprintf(stderr, "Profile '%s' now holds the new token.\n", cli_esc(name));
            updated++;
        }
    }
    if (c->cred.token_source != NULL && strcmp(c->cred.token_source, "SITEGPT_API_TOKEN") == 0) {
        fputs("warning: SITEGPT_API_TOKEN still holds the old secret, which no longer works; "
              "set it to the new token\n",
              stderr);
    } else if (updated == 0) {
        fputs("warning: the rotated token was the one in use, but no saved profile held it\n",
              stderr);
    }
}

static int tokens_rotate(const cli_globals *g, int argc, char **argv)
{
    const char *id;
    int rc = one_id(g, "tokens rotate", argc, argv, help_rotate, NULL, &id);
    if (rc != CLI_EXIT_OK || id == NULL) {
        return rc;
    }
    return issue_secret(g, NULL, id);
}

/* ------------------------------------------------------------------ revoke --- */

static bool confirm(const char *id)
{
    char answer[16];
    fputs("Revoke token ", stderr);
    cli_puts_clean(id, stderr);
    fputs("? Requests with it will fail from now on. [y/N] ", stderr);
    fflush(stderr);
    if (fgets(answer, sizeof answer, stdin) == NULL) {
        return false;
    }
    answer[strcspn(answer, "\r\n")] = '\0';
    return strcasecmp(answer, "y") == 0 || strcasecmp(answer, "yes") == 0;
}

static sg_status print_revoked(void *ctx, const sg_json_element *item)
{
    cli_typed *c = ctx;
    if (!c->g->json) {
        char id[512], name[512];
        cli_elem_text(item, "id", id, sizeof id);
        cli_elem_text(item, "name", name, sizeof name);
        printf("Revoked token %s (%s).\n", id, name);
    }
    return SG_OK;
}

static int tokens_revoke(const cli_globals *g, int argc, char **argv)
{
    const char *id;
    bool yes = false;
    int rc = one_id(g, "tokens revoke", argc, argv, help_revoke, &yes, &id);
    if (rc != CLI_EXIT_OK || id == NULL) {
        return rc;
    }
    if (!yes) {
        if (!isatty(STDIN_FILENO)) {
            return cli_usage_error(g, "tokens revoke",
                                   "not on a terminal, so no one can "
                                   "confirm: add --yes to revoke %s",
                                   id);
        }
        if (!confirm(id)) {
            return cli_fail(g, CLI_EXIT_USAGE, "CANCELLED", "not revoked");
        }
    }
    return cli_typed_item(g, sg_api_token_revoke, id, print_revoked, "revoking the token",
                          "tokens:write");
}

int cmd_tokens(const cli_globals *g, int argc, char **argv)
{
    static const cli_subcommand subs[] = {
        {"list", tokens_list},
        {"create", tokens_create},
        {"rotate", tokens_rotate},
        {"revoke", tokens_revoke},
    };
    return cli_subcommand_run(g, "tokens", argc, argv, help_main, subs,
                              sizeof subs / sizeof subs[0],
                              "missing the subcommand (list, create, rotate or revoke)");
}
