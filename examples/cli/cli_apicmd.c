/* sitegpt CLI: the API session, error reporting and element printing of tokens/chatbots. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_apicmd.h"
#include "cli_identity.h"

#define APICMD_WORK_SIZE 32768u

/* Scratch for one list element and its strings; 32 KB holds items of about 14 KB. */
static uint64_t api_work[APICMD_WORK_SIZE / sizeof(uint64_t)];

static sg_status print_raw(void *ctx, const uint8_t *data, size_t len)
{
    cli_apicmd *c = ctx;
    if (len == 0) {
        return SG_OK;
    }
    if (fwrite(data, 1, len, stdout) != len) {
        return SG_ERR_IO;
    }
    c->wrote = true;
    c->last_byte = (char)data[len - 1];
    return SG_OK;
}

int cli_apicmd_open(const cli_globals *g, cli_apicmd *c)
{
    memset(c, 0, sizeof *c);
    c->g = g;
    int rc = cli_resolve_credential(g, true, &c->cred);
    if (rc == CLI_EXIT_OK) {
        rc = cli_net_open(g, c->cred.api_base, &c->net);
    }
    if (rc != CLI_EXIT_OK) {
        return rc;
    }
    sg_api_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.http = cli_net_http(c->net);
    cfg.origin = *cli_net_origin(c->net);
    cfg.base_path = cli_net_base_path(c->net);
    cfg.token = c->cred.token;
    cfg.platform = cli_net_platform(c->net);
    cfg.work = api_work;
    cfg.work_size = sizeof api_work;
    sg_status st = sg_api_init(&c->api, &cfg);
    if (st == SG_OK && g->json) {
        st = sg_api_set_raw_sink(&c->api, print_raw, c);
    }
    if (st != SG_OK) {
        cli_apicmd_close(c);
        return cli_fail_status(g, st, "setting up the API client");
    }
    return CLI_EXIT_OK;
}

void cli_apicmd_close(cli_apicmd *c)
{
    if (c->net != NULL) {
        cli_net_close(c->net);
        c->net = NULL;
    }
    memset(api_work, 0, sizeof api_work);
    memset(c->cred.token, 0, sizeof c->cred.token);
}

void cli_apicmd_json_newline(cli_apicmd *c)
{
    if (c->wrote && c->last_byte != '\n') {
        fputc('\n', stdout);
    }
    c->wrote = false;
    fflush(stdout);
}

sg_status cli_apicmd_on_page(void *ctx, const sg_api_page *page)
{
    (void)page;
    cli_apicmd *c = ctx;
    if (c->g->json) {
        cli_apicmd_json_newline(c);
    }
    return SG_OK;
}

/* error.details.requiredScopes[0] (the mock's and the API's way of naming it), if any. */
static bool required_scope(const sg_envelope *env, char *out, size_t cap)
{
    jsmntok_t tok[64];
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

int cli_apicmd_fail(cli_apicmd *c, sg_status st, const char *context, const char *needed_scope)
{
    if (c->g->json) {
        cli_apicmd_json_newline(c);
    }
    if (st != SG_ERR_API && st != SG_ERR_AUTH && st != SG_ERR_RATE_LIMITED) {
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

bool cli_opt(int argc, char **argv, int *i, const char *name, const char **value,
             bool *missing)
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

static void clean(char *s)
{
    for (; *s != '\0'; s++) {
        if ((unsigned char)*s < 0x20 || *s == 0x7f) {
            *s = '?';
        }
    }
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
    clean(out);
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

void cli_print_object(FILE *out, const sg_json_element *e, const char *indent)
{
    static char value[4096];
    for (int i = 1; i + 1 < e->count; i++) {
        if (e->tok[i].parent != 0) {
            continue; /* only the object's own members */
        }
        char key[128], label[130];
        size_t len;
        if (sg_json_tok_string(e, i, key, sizeof key, &len) != SG_OK) {
            continue;
        }
        clean(key);
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
