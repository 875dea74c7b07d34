/* sitegpt-gateway: the /me body, read for the log and the renewal. */
#include <stdio.h>
#include <string.h>

#include "gw_me.h"
#include <sitegpt/sg_json.h>
#include <sitegpt/sg_renew.h>
#include <sitegpt/sg_scopes.h>

#define GW_ME_TOKENS 256 /* JSON tokens for a /me body (scopes and ids are one each) */

/* Every string of the array obj.key into rows (at most max). False when anything is off. */
static bool string_list(const sg_json_element *e, int obj, const char *key, char *rows,
                        size_t row_cap, size_t max, size_t *count)
{
    int arr;
    size_t n = 0, len;
    *count = 0;
    if (sg_json_elem_member(e, obj, key, &arr) != SG_OK || sg_json_elem_size(e, arr, &n) != SG_OK ||
        n > max) {
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        int item;
        if (sg_json_elem_item(e, arr, i, &item) != SG_OK ||
            sg_json_tok_string(e, item, rows + i * row_cap, row_cap, &len) != SG_OK) {
            return false;
        }
        *count = i + 1;
    }
    return true;
}

static bool plain_id(const char *s)
{
    for (size_t i = 0; s[i] != '\0'; i++) {
        char ch = s[i];
        if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
              ch == '_' || ch == '-')) {
            return false;
        }
    }
    return s[0] != '\0';
}

static void get_string(const sg_json_element *e, int obj, const char *key, char *out, size_t cap,
                       const char *absent)
{
    size_t len;
    if (obj < 0 || sg_json_elem_get_string(e, obj, key, out, cap, &len) != SG_OK) {
        (void)snprintf(out, cap, "%s", absent);
    }
}

void gw_me_parse(const char *body, size_t len, gw_me *out)
{
    static sg_json_tok tok[GW_ME_TOKENS];
    sg_json_element e;
    int data = -1, user = -1, auth = -1;
    memset(&e, 0, sizeof e);
    memset(out, 0, sizeof *out);
    if (sg_json_parse(body, len, tok, GW_ME_TOKENS, &e) == SG_OK &&
        sg_json_elem_member(&e, 0, "data", &data) == SG_OK) {
        if (sg_json_elem_member(&e, data, "user", &user) != SG_OK) {
            user = -1;
        }
        if (sg_json_elem_member(&e, data, "auth", &auth) != SG_OK) {
            auth = -1;
        }
    }
    get_string(&e, user, "id", out->user, sizeof out->user, "-");
    get_string(&e, auth, "type", out->auth, sizeof out->auth, "-");
    get_string(&e, auth, "expiresAt", out->expires_at, sizeof out->expires_at, "");
    get_string(&e, auth, "createdAt", out->created_at, sizeof out->created_at, "");
    if (auth < 0) {
        return;
    }
    bool ok = string_list(&e, auth, "scopes", &out->scopes[0][0], GW_SCOPE_MAX, GW_MAX_SCOPES,
                          &out->scope_count) &&
              string_list(&e, auth, "chatbotIds", &out->chatbots[0][0], GW_CHATBOT_ID_MAX,
                          GW_MAX_CHATBOTS, &out->chatbot_count) &&
              out->scope_count > 0;
    for (size_t i = 0; i < out->scope_count; i++) {
        out->scope_ptrs[i] = out->scopes[i];
        ok = ok && sg_scope_is_valid(out->scopes[i]);
    }
    for (size_t i = 0; i < out->chatbot_count; i++) {
        out->chatbot_ptrs[i] = out->chatbots[i];
        ok = ok && plain_id(out->chatbots[i]);
    }
    out->renewable = ok;
}

uint32_t gw_me_lifetime_days(const char *expires_at, const char *created_at)
{
    int64_t exp_s, created_s;
    sg_slice es = {expires_at, strlen(expires_at)};
    sg_slice cs = {created_at, strlen(created_at)};
    if (sg_iso8601_parse(es, &exp_s) != SG_OK || sg_iso8601_parse(cs, &created_s) != SG_OK ||
        exp_s <= created_s) {
        return 0;
    }
    int64_t days = (exp_s - created_s + 43200) / 86400; /* the nearest whole day */
    return (uint32_t)(days < 1 ? 1 : days > 365 ? 365 : days);
}
