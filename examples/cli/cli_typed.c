/* sitegpt CLI: the API session, error reporting and element printing of tokens/chatbots. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_typed.h"
#include "cli_identity.h"
#include "ex_term.h"

#define APICMD_WORK_SIZE 32768u

/* Scratch for one list element and its strings; 32 KB holds items of about 14 KB. */
static uint64_t api_work[APICMD_WORK_SIZE / sizeof(uint64_t)];

int cli_typed_open(const cli_globals *g, cli_typed *c)
{
    memset(c, 0, sizeof *c);
    c->g = g;
    int rc = cli_session_open(g, true, &c->cred, &c->net);
    if (rc != CLI_EXIT_OK) {
        return rc;
    }
    sg_status st = cli_net_api_init(c->net, c->cred.token, api_work, sizeof api_work, &c->api);
    if (st == SG_OK && g->json) {
        cli_pass_reset();
        st = sg_api_set_raw_sink(&c->api, cli_pass_sink, NULL);
    }
    if (st != SG_OK) {
        cli_typed_close(c);
        return cli_fail_status(g, st, "setting up the API client");
    }
    return CLI_EXIT_OK;
}

void cli_typed_close(cli_typed *c)
{
    if (c->net != NULL) {
        cli_net_close(c->net);
        c->net = NULL;
    }
    sg_wipe(api_work, sizeof api_work);
    sg_wipe(c->cred.token, sizeof c->cred.token);
}

cli_pass_result cli_typed_json_flush(cli_typed *c)
{
    (void)c;
    return cli_pass_flush();
}

sg_status cli_typed_on_page(void *ctx, const sg_api_page *page)
{
    (void)page;
    cli_typed *c = ctx;
    if (c->g->json && cli_typed_json_flush(c) == CLI_PASS_TOO_LARGE) {
        return SG_ERR_BUFFER_TOO_SMALL; /* a page --json cannot show whole: stop, say so */
    }
    return SG_OK;
}

/* error.details.requiredScopes[0] (the mock's and the API's way of naming it), if any. */
static bool required_scope(const sg_envelope *env, char *out, size_t cap)
{
    sg_json_tok tok[64];
    sg_json_element e;
    int arr, item;
    size_t len;
    if (env->details == NULL || env->details_len == 0 || env->details_truncated ||
        sg_json_parse(env->details, env->details_len, tok, 64, &e) != SG_OK ||
        sg_json_elem_member(&e, 0, "requiredScopes", &arr) != SG_OK ||
        sg_json_elem_item(&e, arr, 0, &item) != SG_OK ||
        sg_json_tok_string(&e, item, out, cap, &len) != SG_OK) {
        return false;
    }
    return sg_scope_is_valid(out);
}

/* Whether the server said the user's role (not the token) is what lacks the scopes. */
static bool role_denied(const sg_envelope *env)
{
    return env->details != NULL && strstr(env->details, "\"notAllowedScopes\"") != NULL;
}

int cli_typed_fail(cli_typed *c, sg_status st, const char *context, const char *needed_scope)
{
    bool api_error = st == SG_ERR_API || st == SG_ERR_AUTH || st == SG_ERR_RATE_LIMITED;
    if (c->g->json) {
        /* The server's error envelope passes unchanged; a cut or non-JSON body never. */
        if (!api_error) {
            cli_pass_reset();
        } else if (cli_typed_json_flush(c) == CLI_PASS_PRINTED) {
            return cli_fail_envelope(c->g, &c->env, c->env.http_status);
        }
        c->env.is_json = false; /* nothing printed: build the envelope locally */
    }
    if (!api_error) {
        return cli_fail_status(c->g, st, context);
    }
    const sg_envelope *env = &c->env;
    int rc = cli_fail_envelope(c->g, env, env->http_status);
    if (!c->g->json && strcmp(env->code, "TOKEN_SCOPE_NOT_ALLOWED") == 0 && !role_denied(env)) {
        char scope[SG_SCOPE_NAME_MAX];
        const char *need = required_scope(env, scope, sizeof scope) ? scope : needed_scope;
        if (need != NULL) {
            const char *p = c->cred.profile;
            fprintf(stderr,
                    "hint: this needs the %s scope, which the token does not have. Log in "
                    "with it:\n  sitegpt login%s%s --scope %s\n",
                    need, p[0] != '\0' ? " --profile " : "", p, need);
        }
    }
    return rc;
}

typedef struct list_view {
    cli_typed *c;
    const cli_list_cmd *lc;
    bool header_done;
} list_view;

static sg_status list_row(void *ctx, const sg_json_element *item)
{
    list_view *v = ctx;
    if (v->c->g->json) {
        return SG_OK;
    }
    if (!v->header_done) {
        v->lc->header();
        v->header_done = true;
    }
    v->lc->row(item);
    return SG_OK;
}

static sg_status list_page_done(void *ctx, const sg_api_page *page)
{
    return cli_typed_on_page(((list_view *)ctx)->c, page);
}

/* Returns -1 when the command goes on, else its exit code (help or a usage error). */
static int list_options(const cli_globals *g, const cli_list_cmd *lc, int argc, char **argv,
                        sg_api_list_params *params)
{
    for (int i = 1; i < argc; i++) {
        const char *v = NULL;
        bool missing = false;
        unsigned long n;
        if (cli_is_help(argv[i])) {
            lc->help(stdout);
            return CLI_EXIT_OK;
        } else if (cli_opt(argc, argv, &i, "--limit", &v, &missing)) {
            if (!cli_parse_uint(v, 1, 1000000, &n)) {
                return cli_usage_error(g, lc->cmd, "--limit needs a number >= 1, not '%s'", v);
            }
            params->limit = (uint32_t)n;
        } else if (cli_opt(argc, argv, &i, "--cursor", &v, &missing)) {
            if (v[0] == '\0' || strlen(v) >= SG_API_CURSOR_MAX) {
                return cli_usage_error(g, lc->cmd,
                                       "--cursor needs a cursor of 1..%u "
                                       "characters",
                                       SG_API_CURSOR_MAX - 1);
            }
            params->cursor = v;
        } else if (strcmp(argv[i], "--all") == 0) {
            params->all_pages = true;
        } else if (lc->include_revoked_opt && strcmp(argv[i], "--include-revoked") == 0) {
            params->include_revoked = true;
        } else if (missing) {
            return cli_usage_error(g, lc->cmd, "%s needs a value", argv[i]);
        } else {
            return cli_usage_error(g, lc->cmd, "unexpected argument '%s'", argv[i]);
        }
    }
    return -1;
}

int cli_typed_list(const cli_globals *g, const cli_list_cmd *lc, int argc, char **argv)
{
    sg_api_list_params params = {0, NULL, false, false};
    int rc = list_options(g, lc, argc, argv, &params);
    if (rc >= 0) {
        return rc;
    }
    static cli_typed c;
    rc = cli_typed_open(g, &c);
    if (rc != CLI_EXIT_OK) {
        return rc;
    }
    list_view view = {&c, lc, false};
    sg_api_list_out out;
    memset(&out, 0, sizeof out);
    out.on_item = list_row;
    out.on_page = list_page_done;
    out.ctx = &view;
    sg_status st = lc->list(&c.api, &params, &out, &c.env);
    if (st != SG_OK) {
        char context[64];
        (void)snprintf(context, sizeof context, "listing %s", lc->noun);
        rc = cli_typed_fail(&c, st, context, lc->scope);
        cli_typed_close(&c);
        return rc;
    }
    if (!g->json) {
        if (out.total_items == 0) {
            fprintf(stderr, "No %s%s.\n",
                    lc->include_revoked_opt && !params.include_revoked ? "active " : "", lc->noun);
        }
        if (out.last.has_next_page && !params.all_pages) {
            fprintf(stderr, "More %s: sitegpt %s --cursor ", lc->noun, lc->cmd);
            cli_puts_clean(out.last.next_cursor, stderr);
            if (params.limit > 0) {
                fprintf(stderr, " --limit %u", (unsigned)params.limit);
            }
            fprintf(stderr, "%s  (or --all)\n", params.include_revoked ? " --include-revoked" : "");
        }
    }
    cli_typed_close(&c);
    return CLI_EXIT_OK;
}

int cli_typed_item(const cli_globals *g, cli_item_call call, const char *id, sg_api_item_fn show,
                   const char *context, const char *scope)
{
    static cli_typed c;
    int rc = cli_typed_open(g, &c);
    if (rc != CLI_EXIT_OK) {
        return rc;
    }
    sg_status st = call(&c.api, id, show, &c, &c.env);
    if (st != SG_OK) {
        rc = cli_typed_fail(&c, st, context, scope);
    } else if (g->json && cli_typed_json_flush(&c) != CLI_PASS_PRINTED) {
        rc = cli_fail(g, CLI_EXIT_NETWORK, "INVALID_RESPONSE",
                      "%s: the response could not be "
                      "shown as JSON",
                      context);
    }
    cli_typed_close(&c);
    return rc;
}

int cli_one_id(const cli_globals *g, const char *cmd, int argc, char **argv,
               void (*help)(FILE *out), bool *yes, const char *what, const char *missing,
               const char **id)
{
    *id = NULL;
    for (int i = 1; i < argc; i++) {
        if (cli_is_help(argv[i])) {
            help(stdout);
            return CLI_EXIT_OK;
        }
    }
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (yes != NULL && strcmp(a, "--yes") == 0) {
            *yes = true;
        } else if (strcmp(a, "--") == 0 && i + 1 < argc && *id == NULL) {
            *id = argv[++i];
        } else if (a[0] == '-' && a[1] != '\0') {
            return cli_usage_error(g, cmd, "unknown option '%s'", a);
        } else if (*id == NULL) {
            *id = a;
        } else {
            *id = NULL;
            return cli_usage_error(g, cmd, "unexpected argument '%s' (one %s only)", a, what);
        }
    }
    if (*id == NULL || (*id)[0] == '\0') {
        *id = NULL;
        return cli_usage_error(g, cmd, "%s", missing);
    }
    /* It becomes one path segment: never one that names another resource. */
    char segment[SG_API_TARGET_MAX];
    sg_status st = sg_url_path_segment(*id, segment, sizeof segment, NULL);
    if (st == SG_ERR_INVALID_ARG) {
        const char *bad = *id;
        *id = NULL;
        return cli_usage_error(g, cmd,
                               "%s '%s' is not an id: '.', '..' and anything with '/' "
                               "would name another route",
                               what, bad);
    }
    if (st != SG_OK) {
        *id = NULL;
        return cli_usage_error(g, cmd, "%s is too long", what);
    }
    return CLI_EXIT_OK;
}

int cli_subcommand_run(const cli_globals *g, const char *cmd, int argc, char **argv,
                       void (*help)(FILE *out), const cli_subcommand *subs, size_t count,
                       const char *missing)
{
    if (argc < 2) {
        help(stderr);
        return cli_usage_error(g, cmd, "%s", missing);
    }
    const char *sub = argv[1];
    if (cli_is_help(sub)) {
        help(stdout);
        return CLI_EXIT_OK;
    }
    for (size_t i = 0; i < count; i++) {
        if (strcmp(sub, subs[i].name) == 0) {
            return subs[i].run(g, argc - 1, argv + 1);
        }
    }
    return cli_fail(g, CLI_EXIT_USAGE, "UNKNOWN_COMMAND",
                    "unknown subcommand '%s %s'. Run 'sitegpt %s --help'.", cmd, sub, cmd);
}

bool cli_opt(int argc, char **argv, int *i, const char *name, const char **value, bool *missing)
{
    const char *a = argv[*i];
    size_t n = strlen(name);
    if (strncmp(a, name, n) != 0) {
        return false;
    }
    if (a[n] == '=') {
        *value = a + n + 1;
        return true;
    }
    if (a[n] != '\0') {
        return false;
    }
    if (*i + 1 >= argc) {
        *missing = true;
        return false;
    }
    *i += 1;
    *value = argv[*i];
    return true;
}

bool cli_parse_uint(const char *s, unsigned long min, unsigned long max, unsigned long *out)
{
    unsigned long v = 0;
    if (s == NULL || s[0] == '\0' || strlen(s) > 9) {
        return false;
    }
    for (const char *p = s; *p != '\0'; p++) {
        if (*p < '0' || *p > '9') {
            return false;
        }
        v = v * 10u + (unsigned long)(*p - '0');
    }
    if (v < min || v > max) {
        return false;
    }
    *out = v;
    return true;
}

/* s made terminal-safe in place (s[cap]); the escapes may cut its end ("..."). */
static void clean(char *s, size_t cap)
{
    static char tmp[8192];
    size_t n = strlen(s);
    (void)ex_term_escape(s, n, tmp, cap < sizeof tmp ? cap : sizeof tmp);
    memcpy(s, tmp, strlen(tmp) + 1);
}

/* Display text of token t: strings unescaped, others as their JSON text. */
static void tok_text(const sg_json_element *e, int t, char *out, size_t cap)
{
    size_t len;
    sg_json_type type = SG_JSON_NULL;
    sg_slice raw;
    out[0] = '\0';
    if (sg_json_elem_type(e, t, &type) != SG_OK || type == SG_JSON_NULL) {
        (void)snprintf(out, cap, "-");
    } else if (type == SG_JSON_STRING) {
        if (sg_json_tok_string(e, t, out, cap, &len) == SG_ERR_BUFFER_TOO_SMALL && cap > 4) {
            memcpy(out + cap - 4, "...", 4); /* only ever display text, never an id */
        }
    } else if (sg_json_tok_raw(e, t, &raw) == SG_OK) {
        (void)snprintf(out, cap, "%.*s", (int)raw.len, raw.ptr);
    }
    clean(out, cap);
}

void cli_elem_text(const sg_json_element *e, const char *key, char *out, size_t cap)
{
    int t;
    if (sg_json_elem_member(e, 0, key, &t) != SG_OK) {
        (void)snprintf(out, cap, "-");
        return;
    }
    tok_text(e, t, out, cap);
}

static void join_tok(const sg_json_element *e, int arr, const char *sep, char *out, size_t cap)
{
    size_t n = 0, used = 0;
    out[0] = '\0';
    if (sg_json_elem_size(e, arr, &n) != SG_OK || n == 0) {
        (void)snprintf(out, cap, "-");
        return;
    }
    for (size_t i = 0; i < n; i++) {
        int item;
        char one[512];
        if (sg_json_elem_item(e, arr, i, &item) != SG_OK) {
            break;
        }
        tok_text(e, item, one, sizeof one);
        int w = snprintf(out + used, cap - used, "%s%s", i > 0 ? sep : "", one);
        if (w < 0 || (size_t)w >= cap - used) {
            if (cap > 4) {
                memcpy(out + cap - 4, "...", 4);
            }
            return;
        }
        used += (size_t)w;
    }
}

void cli_elem_join(const sg_json_element *e, const char *key, const char *sep, char *out,
                   size_t cap)
{
    int t;
    sg_json_type type;
    if (sg_json_elem_member(e, 0, key, &t) != SG_OK || sg_json_elem_type(e, t, &type) != SG_OK ||
        type != SG_JSON_ARRAY) {
        cli_elem_text(e, key, out, cap);
        return;
    }
    join_tok(e, t, sep, out, cap);
}

void cli_print_cell(FILE *out, const char *s, size_t width)
{
    size_t chars = 0;
    for (const char *p = s; *p != '\0'; p++) {
        chars += ((unsigned char)*p & 0xC0u) != 0x80u;
    }
    cli_puts_clean(s, out);
    do {
        fputc(' ', out);
    } while (++chars < width);
}

void cli_print_day_cell(FILE *out, const sg_json_element *e, const char *key, size_t width)
{
    char v[64];
    cli_elem_text(e, key, v, sizeof v);
    if (strlen(v) > 10 && v[4] == '-' && v[10] == 'T') {
        v[10] = '\0';
    }
    cli_print_cell(out, v, width);
}

void cli_print_object(FILE *out, const sg_json_element *e, const char *indent)
{
    static char value[4096];
    size_t members = 0;
    sg_json_type root = SG_JSON_NULL;
    if (sg_json_elem_type(e, 0, &root) != SG_OK || root != SG_JSON_OBJECT ||
        sg_json_elem_size(e, 0, &members) != SG_OK) {
        return;
    }
    /* the object's own members: key token i, value i + 1, the next key after the value */
    int next = 1;
    for (size_t m = 0; m < members; m++) {
        int i = next;
        if (sg_json_elem_skip(e, i + 1, &next) != SG_OK) {
            return;
        }
        char key[128], label[130];
        size_t len;
        if (sg_json_tok_string(e, i, key, sizeof key, &len) != SG_OK) {
            continue;
        }
        clean(key, sizeof key);
        sg_json_type type = SG_JSON_NULL;
        if (sg_json_elem_type(e, i + 1, &type) == SG_OK && type == SG_JSON_ARRAY) {
            join_tok(e, i + 1, ", ", value, sizeof value);
        } else {
            tok_text(e, i + 1, value, sizeof value);
        }
        (void)snprintf(label, sizeof label, "%s:", key);
        fprintf(out, "%s%-12s %s\n", indent, label, value);
    }
}
