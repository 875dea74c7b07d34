/*
 * libFuzzer target for the API envelope decoder. The first byte picks the HTTP status and
 * the size of the caller's details buffer; the rest is the body. Properties:
 *   - split invariance: the body fed whole and cut once at every offset (inputs up to
 *     SPLIT_ALL_MAX bytes; longer ones at pseudo-random offsets) gives the same status and,
 *     when decoding succeeded, the same verdict and fields, byte for byte;
 *   - bounds: every field is NUL-terminated inside its array, details inside the caller's
 *     buffer (allocated to the exact size, so ASan sees any overrun);
 *   - oracle: for a JSON body, error.code is the last string value at that path as found by
 *     the whole-buffer parser (cut to fit, whole UTF-8 characters), and a non-2xx body
 *     without one says HTTP_ERROR.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sitegpt/sg_envelope.h>

#include "json_walk.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define SPLIT_ALL_MAX 160u

static const int k_status[] = {200, 201, 204, 0, 400, 401, 403, 404, 429, 500, 503, 302};

typedef struct outcome {
    sg_status fed;     /* first failure of feed/finish */
    sg_status verdict; /* sg_envelope_status, when fed is SG_OK */
    sg_envelope env;   /* copied results (private members cleared) */
    char details[80];
} outcome;

static void check_terminated(const char *s, size_t cap)
{
    if (memchr(s, '\0', cap) == NULL) {
        abort();
    }
}

static void decode(const uint8_t *body, size_t len, int status, size_t details_cap,
                   const size_t *cuts, size_t ncuts, outcome *o)
{
    static sg_envelope env;
    char *details = malloc(details_cap); /* exact size: an overrun is an ASan report */
    if (details == NULL) {
        abort();
    }
    memset(o, 0, sizeof *o);
#if SG_ENVELOPE_OWN_STR
    const sg_json_config *cfg = NULL;
#else
    /* the firmware's options (the unit suite's replay): the caller lends the string room */
    static char str[SG_ENVELOPE_MESSAGE_MAX];
    static sg_json_config lent;
    lent = (sg_json_config){.str_buf = str, .str_cap = sizeof str};
    const sg_json_config *cfg = &lent;
#endif
    if (sg_envelope_init(&env, cfg, details, details_cap) != SG_OK) {
        abort();
    }
    sg_status st = sg_envelope_set_http_status(&env, status);
    size_t from = 0;
    for (size_t i = 0; i <= ncuts && st == SG_OK; i++) {
        size_t to = i < ncuts ? cuts[i] : len;
        st = sg_envelope_feed(&env, body + from, to - from);
        from = to;
    }
    if (st == SG_OK) {
        st = sg_envelope_finish(&env);
    }
    o->fed = st;
    o->verdict = st == SG_OK ? sg_envelope_status(&env) : SG_OK;

    check_terminated(env.code, sizeof env.code);
    check_terminated(env.message, sizeof env.message);
    check_terminated(env.hint, sizeof env.hint);
    check_terminated(env.request_id, sizeof env.request_id);
    if (env.details_len >= details_cap || details[env.details_len] != '\0') {
        abort();
    }
    if (st == SG_OK && !env.is_json && (env.has_ok || env.request_id[0] != '\0')) {
        abort();
    }

    /* compare results only: copy the public members */
    o->env.http_status = env.http_status;
    o->env.has_ok = env.has_ok;
    o->env.ok = env.ok;
    o->env.is_json = env.is_json;
    o->env.message_truncated = env.message_truncated;
    o->env.hint_truncated = env.hint_truncated;
    o->env.details_truncated = env.details_truncated;
    memcpy(o->env.code, env.code, sizeof env.code);
    memcpy(o->env.message, env.message, sizeof env.message);
    memcpy(o->env.hint, env.hint, sizeof env.hint);
    memcpy(o->env.request_id, env.request_id, sizeof env.request_id);
    o->env.details_len = env.details_len;
    memcpy(o->details, details, env.details_len + 1);
    free(details);
}

/* Fields are results only after a successful finish (a failed 2xx body has streamed part of
 * a raw details capture, as far as its pieces went): then the statuses must agree. */
static void same(const outcome *a, const outcome *b)
{
    if (a->fed != b->fed) {
        abort();
    }
    if (a->fed != SG_OK) {
        return;
    }
    if (a->verdict != b->verdict || memcmp(&a->env, &b->env, sizeof a->env) != 0 ||
        memcmp(a->details, b->details, a->env.details_len + 1) != 0) {
        abort();
    }
}

/* Text of a string token, unescaped; false when not a string or too long for out. */
static bool tok_text(const sg_json_element *e, int t, char *out, size_t cap, size_t *len)
{
    return walk_type(e, t) == SG_JSON_STRING && sg_json_tok_string(e, t, out, cap, len) == SG_OK;
}

/*
 * The last string value at error.code, as the streaming reader meets them: every "error"
 * member of the root that is an object, every "code" member of it that is a string.
 */
static int oracle_code(const sg_json_element *e)
{
    int found = -1;
    if (walk_type(e, 0) != SG_JSON_OBJECT) {
        return -1;
    }
    int k = 1;
    for (size_t m = walk_size(e, 0); m > 0; m--, k = walk_next(e, k + 1)) {
        int obj = k + 1;
        if (!walk_key_is(e, k, "error") || walk_type(e, obj) != SG_JSON_OBJECT) {
            continue;
        }
        int c = obj + 1;
        for (size_t n = walk_size(e, obj); n > 0; n--, c = walk_next(e, c + 1)) {
            if (walk_key_is(e, c, "code") && walk_type(e, c + 1) == SG_JSON_STRING) {
                found = c + 1;
            }
        }
    }
    return found;
}

static void check_oracle(const uint8_t *body, size_t len, const outcome *o)
{
    static sg_json_tok toks[2048];
    static char full[4096];
    sg_json_element e;
    if (!o->env.is_json || o->fed != SG_OK) {
        return;
    }
    if (sg_json_parse((const char *)body, len, toks, sizeof toks / sizeof toks[0], &e) != SG_OK) {
        return; /* more tokens than we keep: no oracle */
    }
    int t = oracle_code(&e);
    bool error_status =
        o->env.http_status != 0 && (o->env.http_status < 200 || o->env.http_status >= 300);
    size_t n = 0;
    /* a code that starts with U+0000 is as good as none */
    if (t < 0 || (tok_text(&e, t, full, sizeof full, &n) && (n == 0 || full[0] == '\0'))) {
        if (error_status ? strcmp(o->env.code, "HTTP_ERROR") != 0 : o->env.code[0] != '\0') {
            abort();
        }
        return;
    }
    if (!tok_text(&e, t, full, sizeof full, &n)) {
        return; /* longer than our buffer */
    }
    size_t got = strlen(o->env.code);
    /* cut to fit (and at an embedded U+0000): always a prefix of the real code */
    if (got > n || memcmp(o->env.code, full, got) != 0) {
        abort();
    }
    if (n < sizeof o->env.code && memchr(full, '\0', n) == NULL && got != n) {
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static size_t cuts[1];
    if (size < 1) {
        return 0;
    }
    int status = k_status[(data[0] & 0x0f) % (sizeof k_status / sizeof k_status[0])];
    size_t details_cap = 1 + (size_t)(data[0] >> 4) * 5; /* 1..76 */
    const uint8_t *body = data + 1;
    size_t len = size - 1;

    static outcome whole, split;
    decode(body, len, status, details_cap, NULL, 0, &whole);
    check_oracle(body, len, &whole);

    if (len <= SPLIT_ALL_MAX) {
        for (size_t k = 0; k <= len; k++) {
            cuts[0] = k;
            decode(body, len, status, details_cap, cuts, 1, &split);
            same(&whole, &split);
        }
    } else {
        uint64_t x = 0x9e3779b97f4a7c15ull ^ len;
        for (int i = 0; i < 32; i++) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            cuts[0] = (size_t)(x % (len + 1));
            decode(body, len, status, details_cap, cuts, 1, &split);
            same(&whole, &split);
        }
    }
    return 0;
}
