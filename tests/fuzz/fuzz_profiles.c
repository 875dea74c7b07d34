/*
 * libFuzzer target for the profile config document: parse, edit, write, parse again.
 * Input: a knob byte (edit operation, which fields SET_PROFILE sets, output buffer size),
 * then the profile name, the token and the apiBase, each ended by '\n', then the document.
 * Properties, for a document that parses and an edit that writes:
 *   - the output parses again, NUL-terminated inside the buffer;
 *   - every top-level member but defaultProfile/profiles, every profile but the edited
 *     one, and every member of the edited profile but token/apiBase keep their name and
 *     their value byte for byte, in order;
 *   - the edit itself took effect (token, apiBase, profile gone, default) and the profile
 *     count moved by exactly what the edit says;
 *   - written into a smaller buffer, the result is either the same bytes or
 *     SG_ERR_BUFFER_TOO_SMALL with the buffer wiped (no cut document with tokens in it).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sitegpt/sg_profiles.h>
#include "internal/sg__utf8.h"
#include "json_walk.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_TOK     1024
#define MAX_MEMBERS MAX_TOK

typedef struct member_list {
    size_t n;
    int key[MAX_MEMBERS];
    int val[MAX_MEMBERS];
} member_list;

static void members(const sg_json_element *e, int obj, member_list *out)
{
    out->n = 0;
    if (obj < 0) {
        return;
    }
    size_t size = walk_size(e, obj);
    int k = obj + 1;
    for (size_t m = 0; m < size && out->n < MAX_MEMBERS; m++) {
        out->key[out->n] = k;
        out->val[out->n] = k + 1;
        out->n++;
        k = walk_next(e, k + 1);
    }
}

/* Unescaped key into a static-size buffer. */
static size_t key_of(const sg_json_element *e, int k, char *out)
{
    size_t n = 0;
    if (sg_json_tok_string(e, k, out, SG_PROFILES_KEY_MAX + 1, &n) != SG_OK) {
        abort();
    }
    return n;
}

static bool key_eq(const sg_json_element *e, int k, const char *name)
{
    char buf[SG_PROFILES_KEY_MAX + 1];
    size_t n = key_of(e, k, buf);
    return n == strlen(name) && memcmp(buf, name, n) == 0;
}

static bool same_key(const sg_json_element *a, int ka, const sg_json_element *b, int kb)
{
    char x[SG_PROFILES_KEY_MAX + 1], y[SG_PROFILES_KEY_MAX + 1];
    size_t nx = key_of(a, ka, x), ny = key_of(b, kb, y);
    return nx == ny && memcmp(x, y, nx) == 0;
}

static bool same_raw(const sg_json_element *a, int ta, const sg_json_element *b, int tb)
{
    sg_slice x, y;
    if (sg_json_tok_raw(a, ta, &x) != SG_OK || sg_json_tok_raw(b, tb, &y) != SG_OK) {
        abort();
    }
    return x.len == y.len && memcmp(x.ptr, y.ptr, x.len) == 0;
}

/*
 * Members of a (old) other than the names in skip_names must appear in b (new), in the
 * same order and byte for byte, and b must hold nothing else but those names.
 */
static void kept_in_order(const sg_json_element *a, int oa, const sg_json_element *b, int ob,
                          const char *const *skip_names, size_t nskip)
{
    member_list ma, mb;
    members(a, oa, &ma);
    members(b, ob, &mb);
    size_t j = 0;
    for (size_t i = 0; i < ma.n; i++) {
        bool skipped = false;
        for (size_t s = 0; s < nskip; s++) {
            skipped = skipped || key_eq(a, ma.key[i], skip_names[s]);
        }
        if (skipped) {
            continue;
        }
        while (j < mb.n) {
            bool other = false;
            for (size_t s = 0; s < nskip; s++) {
                other = other || key_eq(b, mb.key[j], skip_names[s]);
            }
            if (!other) {
                break;
            }
            j++;
        }
        if (j >= mb.n || !same_key(a, ma.key[i], b, mb.key[j]) ||
            !same_raw(a, ma.val[i], b, mb.val[j])) {
            abort();
        }
        j++;
    }
    for (; j < mb.n; j++) {
        bool other = false;
        for (size_t s = 0; s < nskip; s++) {
            other = other || key_eq(b, mb.key[j], skip_names[s]);
        }
        if (!other) {
            abort();
        }
    }
}

/* Index among the profiles of the first one named name, or -1. */
static int first_profile(const sg_profiles *c, const char *name, size_t *dups)
{
    member_list m;
    members(&c->doc, c->profiles, &m);
    int first = -1;
    *dups = 0;
    for (size_t i = 0; i < m.n; i++) {
        if (key_eq(&c->doc, m.key[i], name)) {
            if (first < 0) {
                first = (int)i;
            }
            (*dups)++;
        }
    }
    return first;
}

static bool utf8_ok(const char *s)
{
    const uint8_t *u = (const uint8_t *)s;
    size_t n = strlen(s);
    for (size_t i = 0; i < n; i++) {
        uint8_t more, lo, hi;
        if (u[i] < 0x80) {
            continue;
        }
        if (!sg__utf8_lead(u[i], &more, &lo, &hi) || n - i <= more) {
            return false;
        }
        for (uint8_t k = 1; k <= more; k++) {
            if (u[i + k] < (k == 1 ? lo : 0x80) || u[i + k] > (k == 1 ? hi : 0xBF)) {
                return false;
            }
        }
        i += more;
    }
    return true;
}

/* Cut s[0..n) at the first '\n' into a NUL-terminated field; false when it holds a NUL. */
static bool field(const char **s, size_t *n, char *out, size_t cap)
{
    const char *nl = memchr(*s, '\n', *n);
    size_t len = nl ? (size_t)(nl - *s) : *n;
    if (len >= cap || memchr(*s, '\0', len) != NULL) {
        return false;
    }
    memcpy(out, *s, len);
    out[len] = '\0';
    *s += nl ? len + 1 : len;
    *n -= nl ? len + 1 : len;
    return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static sg_json_tok tok_a[MAX_TOK], tok_b[MAX_TOK];
    static char out[16384], small[16384], got[1024];
    char name[300], token[300], base[300];
    if (size < 1) {
        return 0;
    }
    uint8_t knobs = data[0];
    const char *s = (const char *)data + 1;
    size_t n = size - 1;
    if (!field(&s, &n, name, sizeof name) || !field(&s, &n, token, sizeof token) ||
        !field(&s, &n, base, sizeof base)) {
        return 0;
    }

    sg_profiles a;
    if (sg_profiles_parse(&a, s, n, tok_a, MAX_TOK) != SG_OK) {
        return 0;
    }
    size_t ntok = 0;
    if (sg_json_elem_count(&a.doc, &ntok) != SG_OK || ntok == 0) {
        return 0;
    }

    sg_profiles_edit ed = {(sg_profiles_op)(knobs & 3), name, NULL, NULL};
    if (ed.op == SG_PROFILES_SET_PROFILE) {
        ed.token = (knobs & 4) ? token : NULL;
        ed.api_base = (knobs & 8) ? base : NULL;
    }
    size_t len = 0;
    sg_status st = sg_profiles_write(&a, &ed, out, sizeof out, &len);
    if (st != SG_OK) {
        size_t dups = 0;
        bool exists = name[0] != '\0' && first_profile(&a, name, &dups) >= 0;
        /* only a bad name or text that is not UTF-8, a missing profile or a full buffer
           may refuse the edit */
        bool bad_text = !utf8_ok(name) || (ed.token != NULL && !utf8_ok(token)) ||
                        (ed.api_base != NULL && !utf8_ok(base));
        if (!(st == SG_ERR_INVALID_ARG &&
              (name[0] == '\0' || strlen(name) > SG_PROFILES_KEY_MAX || bad_text)) &&
            !(st == SG_ERR_NOT_FOUND && !exists && ed.op != SG_PROFILES_SET_PROFILE) &&
            st != SG_ERR_BUFFER_TOO_SMALL) {
            abort();
        }
        return 0;
    }
    if (len >= sizeof out || out[len] != '\0' || strlen(out) != len) {
        abort();
    }

    sg_profiles b;
    if (sg_profiles_parse(&b, out, len, tok_b, MAX_TOK) != SG_OK) {
        abort();
    }

    /* top level: everything but the two members the writer owns */
    static const char *const top_owned[] = {"defaultProfile", "profiles"};
    kept_in_order(&a.doc, 0, &b.doc, 0, top_owned, 2);

    size_t dups_a = 0, dups_b = 0, count_a = 0, count_b = 0;
    int pa = first_profile(&a, name, &dups_a);
    int pb = first_profile(&b, name, &dups_b);
    if (sg_profiles_count(&a, &count_a) != SG_OK || sg_profiles_count(&b, &count_b) != SG_OK) {
        abort();
    }
    size_t want = count_a;
    if (ed.op == SG_PROFILES_SET_PROFILE && pa < 0) {
        want++;
    }
    if (ed.op == SG_PROFILES_DELETE_PROFILE) {
        want--;
    }
    if (count_b != want) {
        abort();
    }

    /* other profiles byte for byte; the edited one kept but for the fields edited */
    member_list ma, mb;
    members(&a.doc, a.profiles, &ma);
    members(&b.doc, b.profiles, &mb);
    size_t j = 0;
    for (size_t i = 0; i < ma.n; i++) {
        if ((int)i == pa && ed.op == SG_PROFILES_DELETE_PROFILE) {
            continue;
        }
        if (j >= mb.n || !same_key(&a.doc, ma.key[i], &b.doc, mb.key[j])) {
            abort();
        }
        if ((int)i == pa && ed.op != SG_PROFILES_SET_DEFAULT) {
            const char *edited[2];
            size_t ne = 0;
            if (ed.op == SG_PROFILES_CLEAR_TOKEN || ed.token != NULL) {
                edited[ne++] = SG_PROFILES_TOKEN;
            }
            if (ed.api_base != NULL) {
                edited[ne++] = SG_PROFILES_API_BASE;
            }
            kept_in_order(&a.doc, ma.val[i], &b.doc, mb.val[j], edited, ne);
        } else if (!same_raw(&a.doc, ma.val[i], &b.doc, mb.val[j])) {
            abort();
        }
        j++;
    }

    /* the edit took effect */
    switch (ed.op) {
    case SG_PROFILES_SET_PROFILE:
        if (pb < 0) {
            abort();
        }
        if (ed.token != NULL &&
            (sg_profiles_get(&b, name, SG_PROFILES_TOKEN, got, sizeof got) != SG_OK ||
             strcmp(got, token) != 0)) {
            abort();
        }
        if (ed.api_base != NULL &&
            (sg_profiles_get(&b, name, SG_PROFILES_API_BASE, got, sizeof got) != SG_OK ||
             strcmp(got, base) != 0)) {
            abort();
        }
        if (sg_profiles_default(&b, got, sizeof got) != SG_OK) {
            abort(); /* some default is set */
        }
        break;
    case SG_PROFILES_CLEAR_TOKEN:
        if (sg_profiles_get(&b, name, SG_PROFILES_TOKEN, got, sizeof got) != SG_ERR_NOT_FOUND) {
            abort();
        }
        break;
    case SG_PROFILES_DELETE_PROFILE:
        if (dups_b != dups_a - 1) {
            abort();
        }
        if (sg_profiles_default(&b, got, sizeof got) == SG_OK && strcmp(got, name) == 0) {
            abort();
        }
        break;
    case SG_PROFILES_SET_DEFAULT:
        if (sg_profiles_default(&b, got, sizeof got) != SG_OK || strcmp(got, name) != 0) {
            abort();
        }
        break;
    }

    /* a smaller buffer: all or nothing */
    size_t cap = (size_t)(knobs >> 4) * (len / 15 + 1);
    if (cap == 0) {
        cap = 1;
    }
    if (cap > sizeof small) {
        cap = sizeof small;
    }
    size_t len2 = 99;
    memset(small, 'x', cap);
    st = sg_profiles_write(&a, &ed, small, cap, &len2);
    if (st == SG_OK) {
        if (len2 != len || memcmp(small, out, len + 1) != 0) {
            abort();
        }
    } else {
        if (st != SG_ERR_BUFFER_TOO_SMALL || len2 != 0) {
            abort();
        }
        for (size_t i = 0; i < cap; i++) {
            if (small[i] != '\0') {
                abort();
            }
        }
    }
    return 0;
}
