/* sitegpt-c: the token scope list and spelling suggestions. */
#include <sitegpt/sg_scopes.h>

#include <string.h>

/* The scopes in the API's order, one after another with their NULs: no table of pointers
   beside them (a walk over 37 short names costs less than 148 bytes of flash). */
static const char scope_names[] = "account:read\0account:write\0tokens:read\0tokens:write\0"
                                  "chatbots:read\0chatbots:write\0chatbots:delete\0"
                                  "knowledge:read\0knowledge:write\0knowledge:delete\0"
                                  "personas:read\0personas:write\0personas:delete\0"
                                  "instructions:read\0instructions:write\0instructions:delete\0"
                                  "settings:read\0settings:write\0"
                                  "starters:read\0starters:write\0starters:delete\0"
                                  "followups:read\0followups:write\0followups:delete\0"
                                  "conversations:read\0conversations:write\0conversations:delete\0"
                                  "leads:read\0leads:write\0leads:delete\0"
                                  "members:read\0members:write\0members:delete\0"
                                  "integrations:read\0integrations:write\0"
                                  "billing:read\0billing:write";

/* Inputs longer than this cannot be a typo of a scope: no suggestion. */
#define SUGGEST_INPUT_MAX 48u

const char *sg_scope_at(size_t i)
{
    if (i >= SG_SCOPE_COUNT) {
        return NULL;
    }
    const char *p = scope_names;
    for (; i > 0; i--) {
        p += strlen(p) + 1;
    }
    return p;
}

sg_status sg_scope_index(const char *name, size_t len, size_t *index)
{
    if (name == NULL || index == NULL) {
        return SG_ERR_INVALID_ARG;
    }
    const char *p = scope_names;
    for (size_t i = 0; i < SG_SCOPE_COUNT; i++) {
        size_t n = strlen(p);
        if (n == len && memcmp(p, name, len) == 0) {
            *index = i;
            return SG_OK;
        }
        p += n + 1;
    }
    return SG_ERR_NOT_FOUND;
}

bool sg_scope_is_valid(const char *name)
{
    size_t index;
    return name != NULL && sg_scope_index(name, strlen(name), &index) == SG_OK;
}

#if SG_SCOPE_SUGGEST

static unsigned char lower(char c)
{
    unsigned char u = (unsigned char)c;
    return (u >= 'A' && u <= 'Z') ? (unsigned char)(u | 0x20u) : u;
}

static unsigned min3(unsigned a, unsigned b, unsigned c)
{
    unsigned m = a < b ? a : b;
    return m < c ? m : c;
}

/*
 * Optimal string alignment distance (Levenshtein plus adjacent swaps), case-insensitive.
 * Both lengths are at most SUGGEST_INPUT_MAX, so every cell fits a byte: the three rows
 * take 147 bytes of stack.
 */
static size_t edit_distance(const char *a, size_t la, const char *b, size_t lb)
{
    uint8_t rows[3][SUGGEST_INPUT_MAX + 1];
    uint8_t *prev2 = rows[0], *prev = rows[1], *cur = rows[2];
    for (size_t j = 0; j <= lb; j++) {
        prev[j] = (uint8_t)j;
    }
    for (size_t i = 1; i <= la; i++) {
        cur[0] = (uint8_t)i;
        for (size_t j = 1; j <= lb; j++) {
            unsigned cost = lower(a[i - 1]) == lower(b[j - 1]) ? 0u : 1u;
            unsigned v = min3(prev[j] + 1u, cur[j - 1] + 1u, prev[j - 1] + cost);
            if (i > 1 && j > 1 && lower(a[i - 1]) == lower(b[j - 2]) &&
                lower(a[i - 2]) == lower(b[j - 1]) && prev2[j - 2] + 1u < v) {
                v = prev2[j - 2] + 1u;
            }
            cur[j] = (uint8_t)v;
        }
        uint8_t *t = prev2;
        prev2 = prev;
        prev = cur;
        cur = t;
    }
    return prev[lb];
}

/* "read:tokens" for "tokens:read": the halves swapped around the colon. */
static const char *swapped_halves(const char *name, size_t len)
{
    const char *colon = memchr(name, ':', len);
    if (colon == NULL) {
        return NULL;
    }
    size_t left = (size_t)(colon - name), right = len - left - 1;
    char buf[SUGGEST_INPUT_MAX + 1];
    memcpy(buf, colon + 1, right);
    buf[right] = ':';
    memcpy(buf + right + 1, name, left);
    for (const char *p = scope_names; p < scope_names + sizeof scope_names; p += strlen(p) + 1) {
        if (strlen(p) == len && edit_distance(buf, len, p, len) == 0) {
            return p;
        }
    }
    return NULL;
}

const char *sg_scope_suggest(const char *name)
{
    if (name == NULL) {
        return NULL;
    }
    size_t len = strlen(name);
    if (len == 0 || len > SUGGEST_INPUT_MAX) {
        return NULL;
    }
    const char *swapped = swapped_halves(name, len);
    if (swapped != NULL) {
        return swapped;
    }
    const char *best = NULL;
    size_t best_d = (size_t)-1;
    for (const char *p = scope_names; p < scope_names + sizeof scope_names; p += strlen(p) + 1) {
        size_t d = edit_distance(name, len, p, strlen(p));
        if (d < best_d) {
            best_d = d;
            best = p;
        }
    }
    size_t allowed = len / 3 > 2 ? len / 3 : 2;
    return best_d <= allowed ? best : NULL;
}

#else /* SG_SCOPE_SUGGEST 0: no suggestions, the name is only refused */

const char *sg_scope_suggest(const char *name)
{
    (void)name;
    return NULL;
}

#endif
