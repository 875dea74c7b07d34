/*
 * sitegpt-c: streaming JSON reader, jsmn element helpers and JSON writer. No heap.
 *
 * Reader: a strict RFC 8259 scanner fed in chunks of any size (one byte at a time works).
 * It tracks the path of every value and calls back only for the paths the caller
 * subscribed to. Memory is the reader struct plus caller buffers, whatever the document
 * size: a list of 100,000 items costs the same RAM as one.
 *
 * Paths: members are joined with '.', every element of an array is "[]" (no index), the
 * root value is "". Examples: "ok", "error.code", "data.pagination.nextCursor",
 * "data.tokens[]" (each token object), "data.auth.scopes[]" (each scope string).
 * Keys are compared after unescaping, byte for byte. A key that is empty or holds '.' or
 * '[' cannot be written in a path (it would read as another nesting): nothing under it
 * matches any subscription.
 *
 * jsmn indexes gathered elements underneath, but only sg_json.c includes jsmn.h: tokens are
 * the opaque sg_json_tok, read through the helpers, so an application may include its own
 * jsmn.h, with any options, before or after this header without changing a layout here.
 */
#ifndef SG_JSON_H
#define SG_JSON_H

#include "sg_base.h"
#include "sg_http.h"

#ifdef __cplusplus
extern "C" {
#endif

/* SG_JSON_DEPTH_MAX, SG_JSON_PATH_MAX and SG_JSON_SUBS_MAX, the compile-time ceilings, are
   options (sg_options.h); the runtime limits in sg_json_config may only lower them. */
/* Used when sg_json_config.max_depth is 0; never above the ceiling a build picked. */
#define SG_JSON_DEPTH_DEFAULT (SG_JSON_DEPTH_MAX < 32 ? SG_JSON_DEPTH_MAX : 32)

/* ---------------------------------------------------------------- values --- */

typedef enum sg_json_type {
    SG_JSON_NULL = 0,
    SG_JSON_BOOL,
    SG_JSON_NUMBER,
    SG_JSON_STRING,
    SG_JSON_OBJECT,
    SG_JSON_ARRAY
} sg_json_type;

/*
 * One entry of an element's token index. jsmn fills it with the options sg_json.c picks;
 * the layout is private (sg_json.c asserts it matches), so declare arrays of it for
 * sg_json_config.tokens and sg_json_parse and read them only through the helpers below.
 */
typedef struct sg_json_tok {
    int _private[5];
} sg_json_tok;

/*
 * An object or array gathered by the reader, or a document from sg_json_parse: its source
 * text, and a token index that the helpers below read (token 0 is the element itself).
 * The reader tokenizes an element lazily, the first time a helper reads it, so a callback
 * that only counts or forwards elements (ev->text) never pays for tokenizing. A reader's
 * element is valid only during the callback that delivers it.
 */
typedef struct sg_json_element {
    const char *json;
    size_t len;
    struct {
        sg_json_tok *tok; /* the token buffer */
        uint32_t cap;     /* its size in tokens */
        uint32_t count;   /* tokens used, when not lazy */
        uint32_t *lazy;   /* a reader's element: the reader's count, 0 until first
                                  read; NULL for a document from sg_json_parse */
    } _private;
} sg_json_element;

/* ---------------------------------------------------------------- reader --- */

typedef enum sg_json_sub_mode {
    /*
     * Typed scalar: strings unescaped into the string buffer, numbers as their text,
     * true/false/null. When the value at the path is an object or array the callback still
     * fires once, with type SG_JSON_OBJECT/ARRAY and empty text, so the caller can refuse it.
     */
    SG_JSON_SUB_VALUE = 0,
    /*
     * Objects and arrays are gathered whole in the element buffer and handed over as an
     * sg_json_element (kind SG_JSON_EV_ELEMENT); scalars at the path arrive as with VALUE.
     */
    SG_JSON_SUB_ELEMENT,
    /*
     * The exact source text of the value (any type, any size), delivered in pieces as it
     * streams by (kind SG_JSON_EV_RAW): nothing is buffered, so printing "data" of a
     * 100 MB list costs no memory. Refused with SG_ERR_UNSUPPORTED when the build sets
     * SG_JSON_RAW 0 (sg_options.h).
     */
    SG_JSON_SUB_RAW
} sg_json_sub_mode;

typedef struct sg_json_sub {
    const char *path; /* NUL-terminated, borrowed for the reader's lifetime */
    uint8_t mode;     /* sg_json_sub_mode */
    bool truncate;    /* VALUE strings longer than the string buffer: deliver a
                                prefix (whole UTF-8 characters) with ev->truncated set
                                instead of failing with SG_ERR_JSON_STRING_TOO_LONG */
} sg_json_sub;

typedef enum sg_json_event_kind {
    SG_JSON_EV_VALUE = 0, /* a scalar (or the start of a container, see SUB_VALUE) */
    SG_JSON_EV_ELEMENT,   /* a gathered object/array: ev->element */
    SG_JSON_EV_RAW        /* one piece of a raw capture: ev->text */
} sg_json_event_kind;

typedef struct sg_json_event {
    size_t sub; /* index of the matching subscription */
    sg_json_event_kind kind;
    sg_json_type type; /* value type (for RAW: type of the captured value) */
    /*
     * VALUE: string -> unescaped UTF-8, NUL-terminated in the string buffer (may hold
     * U+0000 from \u0000: trust len); number -> its source text, NUL-terminated;
     * true/false/null -> the literal. RAW: this piece of source text (not terminated).
     */
    sg_slice text;
    bool boolean;                   /* VALUE of type SG_JSON_BOOL */
    bool truncated;                 /* VALUE string cut short (only for subs with truncate) */
    bool first, last;               /* RAW: first / final piece of this value (both for one) */
    const sg_json_element *element; /* ELEMENT only, else NULL */
    sg_slice path;                  /* the subscription path that matched */
} sg_json_event;

/* Return SG_OK to go on; any error aborts the parse and is returned by feed/finish. */
typedef sg_status (*sg_json_value_fn)(void *ctx, const sg_json_event *ev);

typedef struct sg_json_config {
    const sg_json_sub *subs;   /* may be NULL when sub_count is 0 (validation only) */
    size_t sub_count;          /* at most SG_JSON_SUBS_MAX */
    sg_json_value_fn on_value; /* required when sub_count > 0 */
    void *ctx;
    char *str_buf;       /* VALUE strings and numbers (+1 byte for the NUL); */
    size_t str_cap;      /*   NULL/0 when no VALUE/ELEMENT subscription exists */
    char *elem_buf;      /* gathered elements; required for ELEMENT subs */
    size_t elem_cap;     /*   (at most INT_MAX) */
    sg_json_tok *tokens; /* the index of one element; required for ELEMENT subs */
    size_t max_tokens;   /*   (at most INT_MAX) */
    uint8_t max_depth;   /* 0: SG_JSON_DEPTH_DEFAULT; at most SG_JSON_DEPTH_MAX */
} sg_json_config;

/*
 * The reader's whole state: 384 bytes on x86-64 and 336 on Cortex-M4 with the default
 * ceilings (test_json checks it stays within 400), plus the caller's buffers.
 * Members are private.
 */
typedef struct sg_json_reader {
    sg_json_config cfg;
    uint64_t offset;       /* bytes consumed; at an error, offset of the bad byte */
    sg_status err;         /* sticky */
    uint32_t sub_lens_max; /* longest subscription path */
    size_t str_len;        /* bytes stored of the current string/number */
    size_t elem_len;       /* bytes gathered of the current element */
    uint32_t ucp;          /* \u escape / surrogate being decoded */
    uint32_t elem_tokens;  /* tokens of the delivered element, 0 until a helper reads it */
    uint8_t state;
    uint8_t depth;
    uint8_t max_depth;
    uint8_t aux;              /* literal index, hex digit count, UTF-8 bytes left */
    uint8_t utf8_lo, utf8_hi; /* allowed range of the next UTF-8 continuation byte */
    uint8_t cur_len;          /* path length of the value being parsed (255: off path) */
    uint8_t flags;
    uint8_t val_sub;    /* VALUE/ELEMENT-scalar subscription of this scalar, or 255 */
    uint8_t elem_sub;   /* ELEMENT being gathered, or 255 */
    uint8_t raw_sub;    /* RAW being captured, or 255 */
    uint8_t elem_depth; /* depth at which the gathered element sits */
    uint8_t raw_depth;
    uint8_t val_type;                              /* type of the scalar being parsed */
    uint8_t raw_type;                              /* sg_json_type of the raw capture */
    uint8_t sub_len[SG_JSON_SUBS_MAX];             /* strlen of each subscription path */
    uint8_t obj_bits[(SG_JSON_DEPTH_MAX + 8) / 8]; /* bit set: that level is an object */
    uint8_t plen[SG_JSON_DEPTH_MAX + 1];           /* path length of each open container */
    char path[SG_JSON_PATH_MAX + 2];
} sg_json_reader;

/*
 * Prepare a reader. Checks the configuration: SG_ERR_INVALID_ARG for a missing buffer or
 * callback, a bad mode or max_depth, or two ELEMENT (or two RAW) subscriptions where one
 * path lies inside the other; SG_ERR_JSON_PATH_TOO_LONG for a path over SG_JSON_PATH_MAX.
 * cfg is copied; the buffers and subscription paths it points to are borrowed.
 */
SG_NODISCARD sg_status sg_json_reader_init(sg_json_reader *r, const sg_json_config *cfg);

/*
 * Feed the next piece of the document. Errors are sticky (later calls return the same):
 *   SG_ERR_JSON_SYNTAX            not RFC 8259 JSON (includes trailing garbage)
 *   SG_ERR_JSON_DEPTH             nesting deeper than max_depth
 *   SG_ERR_JSON_STRING_TOO_LONG   a subscribed string/number longer than str_cap - 1
 *   SG_ERR_JSON_ELEMENT_TOO_LARGE a subscribed element longer than elem_cap
 *   anything the callback returned; a helper reading an element that needs more than
 *   max_tokens returns SG_ERR_JSON_TOO_MANY_TOKENS, which callbacks usually pass on.
 * Only subscribed strings are stored, so only they are bounded; keys longer than the
 * longest subscription path simply match nothing.
 */
SG_NODISCARD sg_status sg_json_reader_feed(sg_json_reader *r, const void *data, size_t len);

/* End of input: SG_OK only when exactly one complete value was read (else SYNTAX). */
SG_NODISCARD sg_status sg_json_reader_finish(sg_json_reader *r);

/* Bytes consumed so far; after an error, the offset of the byte that caused it. */
static inline uint64_t sg_json_reader_offset(const sg_json_reader *r)
{
    return r->offset;
}

/* Fill *sink so an HTTP response body streams straight into the reader. */
SG_NODISCARD sg_status sg_json_reader_http_sink(sg_json_reader *r, sg_http_sink *sink);

/*
 * Validate a whole in-memory document strictly, then tokenize it at once (tokens point
 * into json; SG_ERR_JSON_TOO_MANY_TOKENS when max_tokens is too few). For small bodies
 * such as an OAuth token response or the profiles file. A build with SG_JSON_TOKENS 0 has no
 * token index: this and every helper below answer SG_ERR_UNSUPPORTED (sg_json_unescape stays).
 */
SG_NODISCARD sg_status sg_json_parse(const char *json, size_t len, sg_json_tok *tokens,
                                     size_t max_tokens, sg_json_element *out);

/* ---------------------------------------------------------------- element helpers --- */
/*
 * `obj` / `arr` / `tok` are token indexes (0 is the element itself; an object's member is
 * its key token followed by its value token). Lookups return SG_ERR_NOT_FOUND for a
 * missing member or index, SG_ERR_JSON_TYPE for a value of the wrong type,
 * SG_ERR_BUFFER_TOO_SMALL when an output buffer is too small (outputs are always
 * NUL-terminated when cap > 0), SG_ERR_INVALID_ARG for a token index out of range, and
 * SG_ERR_JSON_TOO_MANY_TOKENS when a reader's element needs more than max_tokens.
 */

/* Tokens in the index (0 for a zeroed element, which holds no document). */
SG_NODISCARD sg_status sg_json_elem_count(const sg_json_element *e, size_t *count);
/* Index of the first token after `tok` and everything nested in it (count after the last):
 * the next member's key or the next item, when tok is a member's value or an item. */
SG_NODISCARD sg_status sg_json_elem_skip(const sg_json_element *e, int tok, int *next);

/* Index of the value of member `key` in object `obj`. */
SG_NODISCARD sg_status sg_json_elem_member(const sg_json_element *e, int obj, const char *key,
                                           int *tok);
/* Index of item `index` of array `arr`. */
SG_NODISCARD sg_status sg_json_elem_item(const sg_json_element *e, int arr, size_t index, int *tok);
/* Number of members (object) or items (array) of token `tok`. */
SG_NODISCARD sg_status sg_json_elem_size(const sg_json_element *e, int tok, size_t *size);
SG_NODISCARD sg_status sg_json_elem_type(const sg_json_element *e, int tok, sg_json_type *type);

/* Scalars of token `tok`. */
SG_NODISCARD sg_status sg_json_tok_string(const sg_json_element *e, int tok, char *out, size_t cap,
                                          size_t *len);
SG_NODISCARD sg_status sg_json_tok_int64(const sg_json_element *e, int tok, int64_t *out);
SG_NODISCARD sg_status sg_json_tok_bool(const sg_json_element *e, int tok, bool *out);
SG_NODISCARD sg_status sg_json_tok_is_null(const sg_json_element *e, int tok, bool *is_null);
/* Source text of any token (strings include their quotes). */
SG_NODISCARD sg_status sg_json_tok_raw(const sg_json_element *e, int tok, sg_slice *out);

/* The same by member key of object `obj`. int64 refuses fractions, exponents, overflow. */
SG_NODISCARD sg_status sg_json_elem_get_string(const sg_json_element *e, int obj, const char *key,
                                               char *out, size_t cap, size_t *len);
SG_NODISCARD sg_status sg_json_elem_get_int64(const sg_json_element *e, int obj, const char *key,
                                              int64_t *out);
SG_NODISCARD sg_status sg_json_elem_get_bool(const sg_json_element *e, int obj, const char *key,
                                             bool *out);
SG_NODISCARD sg_status sg_json_elem_is_null(const sg_json_element *e, int obj, const char *key,
                                            bool *is_null);
SG_NODISCARD sg_status sg_json_elem_get_raw(const sg_json_element *e, int obj, const char *key,
                                            sg_slice *out);

/*
 * Call fn for each string of the array member `key` of `obj` (e.g. a token's "scopes"),
 * each unescaped into buf (NUL-terminated). A non-string item is SG_ERR_JSON_TYPE; fn
 * returning an error stops the walk with it.
 */
typedef sg_status (*sg_json_string_fn)(void *ctx, size_t index, const char *s, size_t len);
SG_NODISCARD sg_status sg_json_elem_each_string(const sg_json_element *e, int obj, const char *key,
                                                char *buf, size_t cap, sg_json_string_fn fn,
                                                void *ctx);

/*
 * Unescape the body of a JSON string (between its quotes) into UTF-8. The input must be
 * valid (the reader checked it); SG_ERR_JSON_SYNTAX otherwise.
 */
SG_NODISCARD sg_status sg_json_unescape(const char *src, size_t len, char *out, size_t cap,
                                        size_t *out_len);

/* ---------------------------------------------------------------- writer --- */
/*
 * Builds a document in a caller buffer. Commas are automatic. The first failure is sticky:
 * SG_ERR_BUFFER_TOO_SMALL when out of room, SG_ERR_INVALID_ARG for misuse (a value where a
 * key is due, unbalanced end, invalid UTF-8 in a string, depth over SG_JSON_DEPTH_MAX), and
 * every later call does nothing. The value-writing calls return the sticky status but are
 * deliberately not SG_NODISCARD: callers write a whole body and check once, at
 * sg_json_writer_finish(). A build with SG_JSON_WRITER 0 has no writer: every call answers
 * SG_ERR_UNSUPPORTED.
 */
typedef struct sg_json_writer {
    char *buf;
    size_t cap;
    size_t len;
    sg_status err;
    uint8_t depth;
    bool after_key;                                 /* a key was written, its value is due */
    uint8_t obj_bits[(SG_JSON_DEPTH_MAX + 8) / 8];  /* level is an object */
    uint8_t more_bits[(SG_JSON_DEPTH_MAX + 8) / 8]; /* level already has a member */
} sg_json_writer;

SG_NODISCARD sg_status sg_json_writer_init(sg_json_writer *w, char *buf, size_t cap);
sg_status sg_json_write_object_begin(sg_json_writer *w);
sg_status sg_json_write_object_end(sg_json_writer *w);
sg_status sg_json_write_array_begin(sg_json_writer *w);
sg_status sg_json_write_array_end(sg_json_writer *w);
sg_status sg_json_write_key(sg_json_writer *w, const char *key);
sg_status sg_json_write_key_n(sg_json_writer *w, const char *key, size_t len);
sg_status sg_json_write_string(sg_json_writer *w, const char *s);
sg_status sg_json_write_string_n(sg_json_writer *w, const char *s, size_t len);
sg_status sg_json_write_int64(sg_json_writer *w, int64_t v);
sg_status sg_json_write_bool(sg_json_writer *w, bool v);
sg_status sg_json_write_null(sg_json_writer *w);
/* Trusted JSON text copied as one value (e.g. an element's member); not validated. */
sg_status sg_json_write_raw(sg_json_writer *w, const char *json, size_t len);

/*
 * The sticky status; SG_ERR_INVALID_ARG when containers are still open or nothing was
 * written. On success *len (may be NULL) is the document length and the buffer is
 * NUL-terminated (needs one spare byte, else SG_ERR_BUFFER_TOO_SMALL).
 */
SG_NODISCARD sg_status sg_json_writer_finish(sg_json_writer *w, size_t *len);

#ifdef __cplusplus
}
#endif

#endif /* SG_JSON_H */
