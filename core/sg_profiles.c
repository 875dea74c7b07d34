/* sitegpt-c: profile config document (see sg_profiles.h). */
#include <sitegpt/sg_profiles.h>

#include <limits.h>
#include <string.h>

/* Index of the token after tok and everything nested in it (past the end on a bad index). */
static int skip(const sg_json_element *e, int tok)
{
    int next;
    return sg_json_elem_skip(e, tok, &next) == SG_OK ? next : INT_MAX;
}

/* Members of object obj, or items of an array (0 for anything else). */
static int size_of(const sg_json_element *e, int obj)
{
    size_t n = 0;
    return sg_json_elem_size(e, obj, &n) == SG_OK && n <= INT_MAX ? (int)n : 0;
}

static bool type_is(const sg_json_element *e, int tok, sg_json_type want)
{
    sg_json_type type;
    return sg_json_elem_type(e, tok, &type) == SG_OK && type == want;
}

/* Unescaped key of token k; false when it does not fit (such keys match nothing). */
static bool key_text(const sg_json_element *e, int k, char *out, size_t cap, size_t *len)
{
    return sg_json_tok_string(e, k, out, cap, len) == SG_OK;
}

static bool key_is(const sg_json_element *e, int k, const char *name)
{
    char buf[SG_PROFILES_KEY_MAX + 1];
    size_t n;
    return key_text(e, k, buf, sizeof buf, &n) && n == strlen(name) && memcmp(buf, name, n) == 0;
}

/* Value token of member `name` of object obj, or -1. */
static int member(const sg_json_element *e, int obj, const char *name)
{
    if (obj < 0) {
        return -1;
    }
    int k = obj + 1;
    for (int m = 0; m < size_of(e, obj); m++) {
        if (key_is(e, k, name)) {
            return k + 1;
        }
        k = skip(e, k + 1);
    }
    return -1;
}

static bool is_null(const sg_json_element *e, int tok)
{
    bool null = false;
    return sg_json_tok_is_null(e, tok, &null) == SG_OK && null;
}

static bool string_or_null(const sg_json_element *e, int tok)
{
    return tok < 0 || type_is(e, tok, SG_JSON_STRING) || is_null(e, tok);
}

static void reset(sg_profiles *c)
{
    memset(c, 0, sizeof *c);
    c->profiles = -1;
    c->default_name = -1;
}

sg_status sg_profiles_init_empty(sg_profiles *c)
{
    if (c == NULL) {
        return SG_ERR_INVALID_ARG;
    }
    reset(c);
    return SG_OK;
}

/*
 * Whether key j names the member whose key token is k, decoded as k_text[0..k_len) (escapes
 * decoded: "a" and "\u0061" are one name). One key buffer here, the caller holds the other:
 * this runs inside the parse, whose stack a device counts.
 */
static bool same_key(const sg_json_element *e, int j, int k, const char *k_text, size_t k_len)
{
    sg_slice rj, rk;
    /* GCOVR_EXCL_BR_START: j and k are key tokens of the parsed document, never missing */
    if (sg_json_tok_raw(e, j, &rj) != SG_OK || sg_json_tok_raw(e, k, &rk) != SG_OK) {
        return false; /* GCOVR_EXCL_LINE: see above */
    }
    /* GCOVR_EXCL_BR_STOP */
    if (memchr(rj.ptr, '\\', rj.len) == NULL && memchr(rk.ptr, '\\', rk.len) == NULL) {
        return rj.len == rk.len && memcmp(rj.ptr, rk.ptr, rj.len) == 0;
    }
    char kj[SG_PROFILES_KEY_MAX + 1];
    size_t nj;
    return key_text(e, j, kj, sizeof kj, &nj) && nj == k_len && memcmp(kj, k_text, nj) == 0;
}

/*
 * Every member name of obj fits SG_PROFILES_KEY_MAX, so rewriting can copy it
 * (SG_ERR_JSON_STRING_TOO_LONG), and none appears twice (SG_ERR_JSON_DUPLICATE_KEY): which
 * of two would count is anyone's guess, and an edit would change one and keep the other.
 */
static sg_status keys_ok(const sg_json_element *e, int obj)
{
    char key[SG_PROFILES_KEY_MAX + 1];
    size_t n;
    int k = obj + 1;
    for (int m = 0; m < size_of(e, obj); m++) {
        if (!key_text(e, k, key, sizeof key, &n)) {
            return SG_ERR_JSON_STRING_TOO_LONG;
        }
        int j = obj + 1;
        for (int before = 0; before < m; before++) {
            if (same_key(e, j, k, key, n)) {
                return SG_ERR_JSON_DUPLICATE_KEY;
            }
            j = skip(e, j + 1);
        }
        k = skip(e, k + 1);
    }
    return SG_OK;
}

static sg_status check_profiles(const sg_json_element *e, int profiles)
{
    if (!type_is(e, profiles, SG_JSON_OBJECT)) {
        return SG_ERR_JSON_TYPE;
    }
    sg_status st = keys_ok(e, profiles);
    if (st != SG_OK) {
        return st;
    }
    int k = profiles + 1;
    for (int m = 0; m < size_of(e, profiles); m++) {
        int p = k + 1;
        sg_slice key;
        if (sg_json_tok_raw(e, k, &key) != SG_OK || key.len <= 2 ||
            !type_is(e, p, SG_JSON_OBJECT)) {
            return SG_ERR_JSON_TYPE;
        }
        st = keys_ok(e, p);
        if (st != SG_OK) {
            return st;
        }
        if (!string_or_null(e, member(e, p, SG_PROFILES_TOKEN)) ||
            !string_or_null(e, member(e, p, SG_PROFILES_API_BASE))) {
            return SG_ERR_JSON_TYPE;
        }
        k = skip(e, p);
    }
    return SG_OK;
}

sg_status sg_profiles_parse(sg_profiles *c, const char *json, size_t len, sg_json_tok *tokens,
                            size_t max_tokens)
{
    if (c == NULL || json == NULL || tokens == NULL || max_tokens == 0) {
        return SG_ERR_INVALID_ARG;
    }
    reset(c);
    if (len > SG_PROFILES_MAX_BYTES) {
        return SG_ERR_BUFFER_TOO_SMALL;
    }
    sg_json_element e;
    sg_status st = sg_json_parse(json, len, tokens, max_tokens, &e);
    if (st != SG_OK) {
        return st;
    }
    if (!type_is(&e, 0, SG_JSON_OBJECT)) {
        return SG_ERR_JSON_TYPE;
    }
    st = keys_ok(&e, 0);
    if (st != SG_OK) {
        return st;
    }
    int version = member(&e, 0, "version");
    int64_t v = 0;
    if (version >= 0 && (sg_json_tok_int64(&e, version, &v) != SG_OK || v != SG_PROFILES_VERSION)) {
        return SG_ERR_JSON_TYPE;
    }
    int def = member(&e, 0, "defaultProfile");
    if (!string_or_null(&e, def)) {
        return SG_ERR_JSON_TYPE;
    }
    int profiles = member(&e, 0, "profiles");
    if (profiles >= 0 && !is_null(&e, profiles)) {
        st = check_profiles(&e, profiles);
        if (st != SG_OK) {
            return st;
        }
    } else {
        profiles = -1;
    }
    c->doc = e;
    c->profiles = profiles;
    c->default_name = (def >= 0 && !is_null(&e, def)) ? def : -1;
    return SG_OK;
}

sg_status sg_profiles_default(const sg_profiles *c, char *out, size_t cap)
{
    if (c == NULL || out == NULL || cap == 0) {
        return SG_ERR_INVALID_ARG;
    }
    out[0] = '\0';
    if (c->default_name < 0) {
        return SG_ERR_NOT_FOUND;
    }
    size_t n;
    sg_status st = sg_json_tok_string(&c->doc, c->default_name, out, cap, &n);
    if (st == SG_OK && n == 0) {
        st = SG_ERR_NOT_FOUND;
    }
    return st;
}

sg_status sg_profiles_count(const sg_profiles *c, size_t *count)
{
    if (c == NULL || count == NULL) {
        return SG_ERR_INVALID_ARG;
    }
    *count = c->profiles < 0 ? 0 : (size_t)size_of(&c->doc, c->profiles);
    return SG_OK;
}

sg_status sg_profiles_name(const sg_profiles *c, size_t index, char *out, size_t cap)
{
    size_t count;
    if (out == NULL || cap == 0 || sg_profiles_count(c, &count) != SG_OK) {
        return SG_ERR_INVALID_ARG;
    }
    out[0] = '\0';
    if (index >= count) {
        return SG_ERR_NOT_FOUND;
    }
    int k = c->profiles + 1;
    for (size_t m = 0; m < index; m++) {
        k = skip(&c->doc, k + 1);
    }
    size_t n;
    return sg_json_tok_string(&c->doc, k, out, cap, &n);
}

static int profile_tok(const sg_profiles *c, const char *profile)
{
    return c->profiles < 0 ? -1 : member(&c->doc, c->profiles, profile);
}

sg_status sg_profiles_exists(const sg_profiles *c, const char *profile)
{
    if (c == NULL || profile == NULL) {
        return SG_ERR_INVALID_ARG;
    }
    return profile_tok(c, profile) >= 0 ? SG_OK : SG_ERR_NOT_FOUND;
}

sg_status sg_profiles_get(const sg_profiles *c, const char *profile, const char *field, char *out,
                          size_t cap)
{
    if (c == NULL || profile == NULL || field == NULL || out == NULL || cap == 0) {
        return SG_ERR_INVALID_ARG;
    }
    out[0] = '\0';
    int v = member(&c->doc, profile_tok(c, profile), field);
    if (v < 0 || is_null(&c->doc, v)) {
        return SG_ERR_NOT_FOUND;
    }
    if (!type_is(&c->doc, v, SG_JSON_STRING)) {
        return SG_ERR_JSON_TYPE;
    }
    size_t n;
    return sg_json_tok_string(&c->doc, v, out, cap, &n);
}

/* ------------------------------------------------------------------------ writing --- */

/* The JSON writer plus the first failure of our own (a member that could not be copied). */
typedef struct cfg_writer {
    sg_json_writer w;
    sg_status err;
} cfg_writer;

/* Copy member k (key and value) of the source document unchanged. */
static void copy_member(cfg_writer *o, const sg_json_element *e, int k)
{
    char key[SG_PROFILES_KEY_MAX + 1];
    size_t n;
    sg_slice raw;
    /* Parsing checked that every copied key fits; never drop a member silently anyway. */
    /* GCOVR_EXCL_BR_START: unreachable for a parsed document (see above) */
    if (!key_text(e, k, key, sizeof key, &n) || sg_json_tok_raw(e, k + 1, &raw) != SG_OK) {
        o->err = SG_ERR_JSON_STRING_TOO_LONG; /* GCOVR_EXCL_LINE */
        return;                               /* GCOVR_EXCL_LINE */
    }
    /* GCOVR_EXCL_BR_STOP */
    (void)sg_json_write_key_n(&o->w, key, n);
    (void)sg_json_write_raw(&o->w, raw.ptr, raw.len);
}

static void write_pair(cfg_writer *o, const char *key, const char *value)
{
    (void)sg_json_write_key(&o->w, key);
    (void)sg_json_write_string(&o->w, value);
}

/* The edited profile: known fields replaced or dropped in place, new ones appended. */
static void write_profile(cfg_writer *o, const sg_profiles *c, int p, const sg_profiles_edit *ed)
{
    const sg_json_element *e = &c->doc;
    bool set = ed->op == SG_PROFILES_SET_PROFILE;
    const char *token = set ? ed->token : NULL;
    const char *api_base = set ? ed->api_base : NULL;
    bool wrote_token = false;
    bool wrote_base = false;
    (void)sg_json_write_object_begin(&o->w);
    if (p >= 0) {
        int k = p + 1;
        for (int m = 0; m < size_of(e, p); m++) {
            if (key_is(e, k, SG_PROFILES_TOKEN) && (token != NULL || !set)) {
                if (token != NULL && !wrote_token) {
                    write_pair(o, SG_PROFILES_TOKEN, token);
                }
                wrote_token = true;
            } else if (key_is(e, k, SG_PROFILES_API_BASE) && api_base != NULL) {
                if (!wrote_base) {
                    write_pair(o, SG_PROFILES_API_BASE, api_base);
                }
                wrote_base = true;
            } else {
                copy_member(o, e, k);
            }
            k = skip(e, k + 1);
        }
    }
    if (api_base != NULL && !wrote_base) {
        write_pair(o, SG_PROFILES_API_BASE, api_base);
    }
    if (token != NULL && !wrote_token) {
        write_pair(o, SG_PROFILES_TOKEN, token);
    }
    (void)sg_json_write_object_end(&o->w);
}

static void write_profiles(cfg_writer *o, const sg_profiles *c, const sg_profiles_edit *ed)
{
    const sg_json_element *e = &c->doc;
    bool found = false;
    (void)sg_json_write_object_begin(&o->w);
    if (c->profiles >= 0) {
        int k = c->profiles + 1;
        for (int m = 0; m < size_of(e, c->profiles); m++) {
            bool target = key_is(e, k, ed->profile);
            if (!target || ed->op == SG_PROFILES_SET_DEFAULT || found) {
                copy_member(o, e, k);
            } else if (ed->op != SG_PROFILES_DELETE_PROFILE) {
                (void)sg_json_write_key(&o->w, ed->profile);
                write_profile(o, c, k + 1, ed);
            }
            found = found || target;
            k = skip(e, k + 1);
        }
    }
    if (!found && ed->op == SG_PROFILES_SET_PROFILE) {
        (void)sg_json_write_key(&o->w, ed->profile);
        write_profile(o, c, -1, ed);
    }
    (void)sg_json_write_object_end(&o->w);
}

/* The default after the edit: NULL for none. def_buf holds the current one. */
static const char *new_default(const sg_profiles *c, const sg_profiles_edit *ed, char *def_buf,
                               size_t cap)
{
    bool have = sg_profiles_default(c, def_buf, cap) == SG_OK;
    bool valid = have && profile_tok(c, def_buf) >= 0;
    switch (ed->op) {
    case SG_PROFILES_SET_DEFAULT:
        return ed->profile;
    case SG_PROFILES_SET_PROFILE:
        return valid ? def_buf : ed->profile;
    case SG_PROFILES_DELETE_PROFILE:
        return (have && strcmp(def_buf, ed->profile) == 0) ? NULL : (have ? def_buf : NULL);
    case SG_PROFILES_CLEAR_TOKEN:
        break;
    }
    return have ? def_buf : NULL;
}

static void write_default(cfg_writer *o, const char *def)
{
    (void)sg_json_write_key(&o->w, "defaultProfile");
    if (def != NULL) {
        (void)sg_json_write_string(&o->w, def);
    } else {
        (void)sg_json_write_null(&o->w);
    }
}

sg_status sg_profiles_write(const sg_profiles *c, const sg_profiles_edit *ed, char *out, size_t cap,
                            size_t *len)
{
    if (c == NULL || ed == NULL || ed->profile == NULL || ed->profile[0] == '\0' || out == NULL ||
        strlen(ed->profile) > SG_PROFILES_KEY_MAX ||
        (unsigned)ed->op > (unsigned)SG_PROFILES_SET_DEFAULT) {
        return SG_ERR_INVALID_ARG;
    }
    if (ed->op != SG_PROFILES_SET_PROFILE && profile_tok(c, ed->profile) < 0) {
        return SG_ERR_NOT_FOUND;
    }
    char def_buf[SG_PROFILES_KEY_MAX + 1];
    const char *def = new_default(c, ed, def_buf, sizeof def_buf);
    bool wrote_default = false;
    bool wrote_profiles = false;
    const sg_json_element *e = &c->doc;
    cfg_writer o = {.err = SG_OK};
    sg_status st = sg_json_writer_init(&o.w, out, cap);
    if (st != SG_OK) { /* GCOVR_EXCL_BR_LINE: init refuses only a NULL buffer; out was checked */
        return st;     /* GCOVR_EXCL_LINE: see above */
    }
    (void)sg_json_write_object_begin(&o.w);
    size_t tokens = 0;
    if (sg_json_elem_count(e, &tokens) != SG_OK || tokens == 0) {
        (void)sg_json_write_key(&o.w, "version");
        (void)sg_json_write_int64(&o.w, SG_PROFILES_VERSION);
    } else {
        int k = 1;
        for (int m = 0; m < size_of(e, 0); m++) {
            if (key_is(e, k, "defaultProfile")) {
                if (!wrote_default) {
                    write_default(&o, def);
                }
                wrote_default = true;
            } else if (key_is(e, k, "profiles")) {
                if (!wrote_profiles) {
                    (void)sg_json_write_key(&o.w, "profiles");
                    write_profiles(&o, c, ed);
                }
                wrote_profiles = true;
            } else {
                copy_member(&o, e, k);
            }
            k = skip(e, k + 1);
        }
    }
    if (!wrote_default && def != NULL) {
        write_default(&o, def);
    }
    if (!wrote_profiles) {
        (void)sg_json_write_key(&o.w, "profiles");
        write_profiles(&o, c, ed);
    }
    (void)sg_json_write_object_end(&o.w);
    st = sg_json_writer_finish(&o.w, len);
    st = st != SG_OK ? st : o.err;
    if (st != SG_OK) {
        sg_wipe(out, cap); /* a cut document may hold other profiles' tokens */
        if (len != NULL) {
            *len = 0;
        }
    }
    return st;
}
