/* sitegpt-c: JSON writer into a caller buffer, with a sticky first error. */
#include <sitegpt/sg_json.h>

#include <string.h>

#include "internal/sg__noinline.h"
#include "internal/sg__utf8.h"

#if SG_JSON_WRITER

static bool bit_get(const uint8_t *bits, unsigned d)
{
    return (bits[d >> 3] >> (d & 7)) & 1u;
}

static void bit_set(uint8_t *bits, unsigned d, bool on)
{
    if (on) {
        bits[d >> 3] = (uint8_t)(bits[d >> 3] | (1u << (d & 7)));
    } else {
        bits[d >> 3] = (uint8_t)(bits[d >> 3] & ~(1u << (d & 7)));
    }
}

static sg_status fail(sg_json_writer *w, sg_status st)
{
    if (w->err == SG_OK) {
        w->err = st;
    }
    return w->err;
}

/* Callers stop at the first failure (every entry point checks w->err first). */
static sg_status put(sg_json_writer *w, const char *s, size_t n)
{
    if (n > w->cap - w->len) {
        return fail(w, SG_ERR_BUFFER_TOO_SMALL);
    }
    memcpy(w->buf + w->len, s, n);
    w->len += n;
    return SG_OK;
}

/* A comma before every member or item of the container at depth d but its first. */
static sg_status separate(sg_json_writer *w, unsigned d)
{
    if (bit_get(w->more_bits, d) && put(w, ",", 1) != SG_OK) {
        return w->err;
    }
    bit_set(w->more_bits, d, true);
    return SG_OK;
}

/* Comma and placement rules before any value. */
static sg_status before_value(sg_json_writer *w)
{
    if (w->err != SG_OK) {
        return w->err;
    }
    unsigned d = w->depth;
    if (d == 0) {
        return w->len == 0 ? SG_OK : fail(w, SG_ERR_INVALID_ARG); /* one root */
    }
    if (bit_get(w->obj_bits, d)) {
        if (!w->after_key) {
            return fail(w, SG_ERR_INVALID_ARG);
        }
        w->after_key = false;
        return SG_OK;
    }
    return separate(w, d);
}

/* The start of every public value writer: a writer, and room for a value in it. */
static sg_status begin_value(sg_json_writer *w)
{
    return w == NULL ? SG_ERR_INVALID_ARG : before_value(w);
}

sg_status sg_json_writer_init(sg_json_writer *w, char *buf, size_t cap)
{
    if (w == NULL || (buf == NULL && cap > 0)) {
        return SG_ERR_INVALID_ARG;
    }
    memset(w, 0, sizeof *w);
    w->buf = buf;
    w->cap = cap;
    return SG_OK;
}

static sg_status open_c(sg_json_writer *w, bool object)
{
    if (before_value(w) != SG_OK) {
        return w->err;
    }
    if (w->depth >= SG_JSON_DEPTH_MAX) {
        return fail(w, SG_ERR_INVALID_ARG);
    }
    if (put(w, object ? "{" : "[", 1) != SG_OK) {
        return w->err;
    }
    unsigned d = ++w->depth;
    bit_set(w->obj_bits, d, object);
    bit_set(w->more_bits, d, false);
    return SG_OK;
}

static sg_status close_c(sg_json_writer *w, bool object)
{
    if (w->err != SG_OK) {
        return w->err;
    }
    if (w->depth == 0 || bit_get(w->obj_bits, w->depth) != object || w->after_key) {
        return fail(w, SG_ERR_INVALID_ARG);
    }
    if (put(w, object ? "}" : "]", 1) != SG_OK) {
        return w->err;
    }
    w->depth--;
    return SG_OK;
}

sg_status sg_json_write_object_begin(sg_json_writer *w)
{
    return open_c(w, true);
}
sg_status sg_json_write_object_end(sg_json_writer *w)
{
    return close_c(w, true);
}
sg_status sg_json_write_array_begin(sg_json_writer *w)
{
    return open_c(w, false);
}
sg_status sg_json_write_array_end(sg_json_writer *w)
{
    return close_c(w, false);
}

/* A quoted, escaped string; refuses invalid UTF-8 before writing anything. */
static sg_status put_string(sg_json_writer *w, const char *s, size_t len)
{
    if (s == NULL && len > 0) {
        return fail(w, SG_ERR_INVALID_ARG);
    }
    if (len == 0) {
        return put(w, "\"\"", 2); /* s may be NULL: no arithmetic on it below */
    }
    const uint8_t *u = (const uint8_t *)s;
    for (size_t i = 0; i < len;) {
        uint8_t more, lo, hi;
        if (u[i] < 0x80) {
            i++;
            continue;
        }
        if (!sg__utf8_lead(u[i], &more, &lo, &hi) || len - i <= more) {
            return fail(w, SG_ERR_INVALID_ARG);
        }
        for (uint8_t k = 1; k <= more; k++) {
            if (u[i + k] < lo || u[i + k] > hi) {
                return fail(w, SG_ERR_INVALID_ARG);
            }
            lo = 0x80;
            hi = 0xBF;
        }
        i += (size_t)more + 1;
    }
    if (put(w, "\"", 1) != SG_OK) {
        return w->err;
    }
    size_t run = 0; /* start of the pending run of bytes that need no escape */
    for (size_t i = 0; i < len; i++) {
        uint8_t c = u[i];
        /* DEL and C1 (U+0080..U+009F) are escaped too: the text may end up on a terminal.
           The check above guarantees a 0xC2 lead its continuation byte. */
        bool c1 = c == 0xC2 && u[i + 1] < 0xA0;
        if (c >= 0x20 && c != '"' && c != '\\' && c != 0x7f && !c1) {
            continue;
        }
        if (put(w, s + run, i - run) != SG_OK) {
            return w->err;
        }
        run = i + 1;
        if (c1) {
            c = u[++i];
            run = i + 1;
        }
        /* '"' and '\\' take their short escape; control bytes, DEL and C1 a \u00XX one */
        static const char hex[] = "0123456789abcdef";
        char esc[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
        bool short_form = c == '"' || c == '\\';
        if (short_form) {
            esc[1] = (char)c;
        }
        if (put(w, esc, short_form ? 2u : 6u) != SG_OK) {
            return w->err;
        }
    }
    if (put(w, s + run, len - run) != SG_OK) {
        return w->err;
    }
    return put(w, "\"", 1);
}

sg_status sg_json_write_key_n(sg_json_writer *w, const char *key, size_t len)
{
    if (w == NULL) {
        return SG_ERR_INVALID_ARG;
    }
    if (w->err != SG_OK) {
        return w->err;
    }
    unsigned d = w->depth;
    if (d == 0 || !bit_get(w->obj_bits, d) || w->after_key) {
        return fail(w, SG_ERR_INVALID_ARG);
    }
    if (separate(w, d) != SG_OK) {
        return w->err;
    }
    if (put_string(w, key, len) != SG_OK || put(w, ":", 1) != SG_OK) {
        return w->err;
    }
    w->after_key = true;
    return SG_OK;
}

sg_status sg_json_write_key(sg_json_writer *w, const char *key)
{
    if (w == NULL) {
        return SG_ERR_INVALID_ARG;
    }
    if (key == NULL) {
        return fail(w, SG_ERR_INVALID_ARG);
    }
    return sg_json_write_key_n(w, key, strlen(key));
}

sg_status sg_json_write_string_n(sg_json_writer *w, const char *s, size_t len)
{
    sg_status st = begin_value(w);
    if (st != SG_OK) {
        return st;
    }
    return put_string(w, s, len);
}

sg_status sg_json_write_string(sg_json_writer *w, const char *s)
{
    if (w == NULL) {
        return SG_ERR_INVALID_ARG;
    }
    if (s == NULL) {
        return fail(w, SG_ERR_INVALID_ARG);
    }
    return sg_json_write_string_n(w, s, strlen(s));
}

sg_status sg_json_write_int64(sg_json_writer *w, int64_t v)
{
    sg_status st = begin_value(w);
    if (st != SG_OK) {
        return st;
    }
    char tmp[20];
    size_t n = sizeof tmp;
    uint64_t m = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v; /* INT64_MIN safe */
    do {
        tmp[--n] = (char)('0' + (m % 10));
        m /= 10;
    } while (m > 0);
    if (v < 0 && put(w, "-", 1) != SG_OK) {
        return w->err;
    }
    return put(w, tmp + n, sizeof tmp - n);
}

sg_status sg_json_write_bool(sg_json_writer *w, bool v)
{
    sg_status st = begin_value(w);
    if (st != SG_OK) {
        return st;
    }
    return v ? put(w, "true", 4) : put(w, "false", 5);
}

sg_status sg_json_write_null(sg_json_writer *w)
{
    sg_status st = begin_value(w);
    if (st != SG_OK) {
        return st;
    }
    return put(w, "null", 4);
}

sg_status sg_json_write_raw(sg_json_writer *w, const char *json, size_t len)
{
    if (w == NULL) {
        return SG_ERR_INVALID_ARG;
    }
    if (json == NULL || len == 0) {
        return fail(w, SG_ERR_INVALID_ARG);
    }
    if (before_value(w) != SG_OK) {
        return w->err;
    }
    return put(w, json, len);
}

sg_status sg_json_writer_finish(sg_json_writer *w, size_t *len)
{
    if (w == NULL) {
        return SG_ERR_INVALID_ARG;
    }
    if (w->err != SG_OK) {
        return w->err;
    }
    if (w->depth != 0 || w->len == 0) { /* a dangling key is inside an object */
        return fail(w, SG_ERR_INVALID_ARG);
    }
    if (w->len >= w->cap) {
        return fail(w, SG_ERR_BUFFER_TOO_SMALL);
    }
    w->buf[w->len] = '\0';
    if (len != NULL) {
        *len = w->len;
    }
    return SG_OK;
}

#else /* SG_JSON_WRITER 0: no writer in this build; every call says so */

/* A writer to answer, else the misuse the full writer would report first. Out of line: each
   call below is then one tail jump, not a copy of the test (116 B less at -Os). */
static SG__NOINLINE sg_status unsupported(const sg_json_writer *w)
{
    return w == NULL ? SG_ERR_INVALID_ARG : SG_ERR_UNSUPPORTED;
}

sg_status sg_json_writer_init(sg_json_writer *w, char *buf, size_t cap)
{
    if (w == NULL || (buf == NULL && cap > 0)) {
        return SG_ERR_INVALID_ARG;
    }
    memset(w, 0, sizeof *w);
    w->err = SG_ERR_UNSUPPORTED; /* sticky, as any first failure */
    return SG_ERR_UNSUPPORTED;
}
sg_status sg_json_write_object_begin(sg_json_writer *w)
{
    return unsupported(w);
}
sg_status sg_json_write_object_end(sg_json_writer *w)
{
    return unsupported(w);
}
sg_status sg_json_write_array_begin(sg_json_writer *w)
{
    return unsupported(w);
}
sg_status sg_json_write_array_end(sg_json_writer *w)
{
    return unsupported(w);
}
sg_status sg_json_write_key(sg_json_writer *w, const char *key)
{
    (void)key;
    return unsupported(w);
}
sg_status sg_json_write_key_n(sg_json_writer *w, const char *key, size_t len)
{
    (void)key;
    (void)len;
    return unsupported(w);
}
sg_status sg_json_write_string(sg_json_writer *w, const char *s)
{
    (void)s;
    return unsupported(w);
}
sg_status sg_json_write_string_n(sg_json_writer *w, const char *s, size_t len)
{
    (void)s;
    (void)len;
    return unsupported(w);
}
sg_status sg_json_write_int64(sg_json_writer *w, int64_t v)
{
    (void)v;
    return unsupported(w);
}
sg_status sg_json_write_bool(sg_json_writer *w, bool v)
{
    (void)v;
    return unsupported(w);
}
sg_status sg_json_write_null(sg_json_writer *w)
{
    return unsupported(w);
}
sg_status sg_json_write_raw(sg_json_writer *w, const char *json, size_t len)
{
    (void)json;
    (void)len;
    return unsupported(w);
}
sg_status sg_json_writer_finish(sg_json_writer *w, size_t *len)
{
    (void)len;
    return unsupported(w);
}
#endif
