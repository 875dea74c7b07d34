/*
 * sitegpt-c: streaming strict JSON reader and the jsmn element helpers.
 *
 * The scanner is a byte-level state machine whose whole state lives in sg_json_reader, so
 * a document may be split anywhere. Speed comes from consuming runs, not from a second code
 * path: each state's code jumps straight to the next state's, plain string bytes go eight at
 * a time, and a subtree no subscription can reach skips all path work. Subscribed
 * objects/arrays are copied into the caller's element buffer (one memcpy per run) and only
 * then tokenized by jsmn, which is compiled here alone (static).
 */
#include <sitegpt/sg_json.h>

/* jsmn, compiled here alone (static), with the options this file relies on; only its token
   layout without the token index (SG_JSON_TOKENS 0). */
#if SG_JSON_TOKENS
#undef JSMN_HEADER
#define JSMN_STATIC
#else
#define JSMN_HEADER
#endif
#define JSMN_STRICT
#define JSMN_PARENT_LINKS
#if defined(__GNUC__) || defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wconversion"
#pragma GCC diagnostic ignored "-Wsign-conversion"
#pragma GCC diagnostic ignored "-Wsign-compare"
#pragma GCC diagnostic ignored "-Wmissing-prototypes"
#endif
#include "jsmn.h"
#if defined(__GNUC__) || defined(__clang__)
#pragma GCC diagnostic pop
#endif

/* sg_json_tok is jsmntok_t (strict, parent links) in disguise: callers only hold arrays. */
_Static_assert(sizeof(sg_json_tok) == sizeof(jsmntok_t), "sg_json_tok size");
_Static_assert(_Alignof(sg_json_tok) == _Alignof(jsmntok_t), "sg_json_tok alignment");

#include <string.h>

#include "internal/sg__utf8.h"
#include "internal/sg__ascii.h"
#include "internal/sg__noinline.h"

/* Kept out of line: each builds an event on its own frame, so the scanner's frame (which
   every callback runs beneath) does not carry them all at once. */
#define OUT_OF_LINE SG__NOINLINE

#define PATH_OFF 255u /* cur_len / plen value: the path left every subscription */

/*
 * Two scanners read the same grammar to the same events, statuses and error offsets. Builds
 * optimized for size (GCC and clang define __OPTIMIZE_SIZE__ for -Os) take the small one:
 * one byte per step through one switch. The others take the fast one, which consumes runs.
 * A test compiling this file may set SG__JSON_BYTEWISE to pick either on a host.
 */
#if defined(SG__JSON_BYTEWISE)
#define BYTEWISE SG__JSON_BYTEWISE
#elif defined(__OPTIMIZE_SIZE__)
#define BYTEWISE 1
#else
#define BYTEWISE 0
#endif

/* A helper marked so: -Os builds keep one out-of-line copy (smaller), -O2 ones may inline. */
#if BYTEWISE
#define SMALL_NOINLINE SG__NOINLINE
#else
#define SMALL_NOINLINE
#endif

#define NO_SUB       255u /* val_sub / elem_sub / raw_sub: none */
/* An element is being gathered: never, when SG_JSON_ELEMENTS is 0 (the code goes with it). */
#define GATHERING(r) (SG_JSON_ELEMENTS && (r)->elem_sub != NO_SUB)
/* A raw capture is open: never, when SG_JSON_RAW is 0 (the code goes with it). */
#define CAPTURING(r) (SG_JSON_RAW && (r)->raw_sub != NO_SUB)

enum {
    ST_VALUE = 0, /* a value is due */
    ST_KEY,       /* after ',' in an object: a key */
    ST_COLON,
    ST_DONE,      /* the top value is complete: whitespace only */
    ST_ARR_FIRST, /* after '[': a value or ']' */
    ST_OBJ_FIRST, /* after '{': a key or '}' */
    ST_AFTER,     /* after a value inside a container: ',' or the closing bracket */
    /* the states above are between tokens; the last three may close their container */
    ST_STR,
    ST_ESC,
    ST_HEX,
    ST_LOW_BS, /* after a high surrogate: '\' of the low one is due */
    ST_LOW_U,
    ST_UTF8,
    ST_NUM_MINUS,
    ST_NUM_ZERO,
    ST_NUM_INT,
    ST_NUM_DOT,
    ST_NUM_FRAC,
    ST_NUM_E,
    ST_NUM_ESIGN,
    ST_NUM_EXP,
    ST_LIT
};

enum {
    FL_KEY = 1,        /* the string being read is a member name */
    FL_STORE = 2,      /* store the current string/number/key bytes */
    FL_TRUNC = 8,      /* the stored value was cut (sub with truncate) */
    FL_RAW_FIRST = 16, /* the next raw piece is the first */
    FL_OBJ = 32        /* the innermost open container is an object (its obj_bits bit; fast
                          scanner only: the small one reads the bit, see inside_object()) */
};

static const char *const k_lit[3] = {"true", "false", "null"};
#if !BYTEWISE
static const uint8_t k_lit_len[3] = {4, 5, 4}; /* the fast scanner looks a literal over whole */
#endif

/*
 * Byte classes, one table lookup per byte. The low bits say what a byte may start or close
 * outside strings (value starts last, in this order); K_STOP marks the bytes that end a run of
 * plain string bytes: quote, backslash, control characters and everything non-ASCII. The
 * table holds ASCII only: every other byte is K_STOP of class K_OTHER (see cls()).
 */
enum {
    K_OTHER = 0,
    K_WS,
    K_RBRACE,
    K_RBRACKET,
    K_COMMA,
    K_COLON,
    K_QUOTE,
    K_LBRACE,
    K_LBRACKET,
    K_MINUS,
    K_DIGIT,
    K_TRUE,
    K_FALSE,
    K_NULL,
    K_CLASS = 0x0F,
    K_STOP = 0x80
};

/* Number byte classes: anything else, '0', '1'-'9', '.', 'e' or 'E', '+' or '-'. */
enum { NC_OTHER, NC_ZERO, NC_DIGIT, NC_DOT, NC_E, NC_SIGN, NC_COUNT };

/* Type each value-start class announces, from K_QUOTE on. */
static const uint8_t k_start_type[] = {SG_JSON_STRING, SG_JSON_OBJECT, SG_JSON_ARRAY,
                                       SG_JSON_NUMBER, SG_JSON_NUMBER, SG_JSON_BOOL,
                                       SG_JSON_BOOL,   SG_JSON_NULL};

#if BYTEWISE
/*
 * The small scanner needs no K_STOP (its string state tests bytes itself) and looks the
 * class up among the bytes that have one (a range test for '1'..'9', a search of 20 bytes
 * for the rest, instead of a 128-byte table); every other byte is K_OTHER of NC_OTHER. The
 * high bits hold the number class (NC_*).
 */
#define NUM(nc) ((nc) << 4)
#define D_      (K_DIGIT | NUM(NC_DIGIT))
static const char k_marks[] = " \t\n\r}],:\"{[tfn-0.eE+"; /* and '1'..'9', see cls() */
/* one row per kind of byte */
/* clang-format off */
static const uint8_t k_mark_cls[sizeof k_marks - 1] = {
    K_WS, K_WS, K_WS, K_WS,
    K_RBRACE, K_RBRACKET, K_COMMA, K_COLON, K_QUOTE, K_LBRACE, K_LBRACKET,
    K_TRUE, K_FALSE, K_NULL,
    K_MINUS | NUM(NC_SIGN), K_DIGIT | NUM(NC_ZERO),
    NUM(NC_DOT), NUM(NC_E), NUM(NC_E), NUM(NC_SIGN), /* only inside numbers */
};
/* clang-format on */

/* Out of line: inlined into the scanner (its only caller when SG_JSON_TOKENS is 0), GCC
   spills around it and the scanner grows by about 240 B. */
static SG__NOINLINE uint8_t cls(uint8_t c)
{
    if ((unsigned)c - '1' < 9u) { /* nine bytes of one class: a range test, not table rows */
        return D_;
    }
    const char *hit = memchr(k_marks, c, sizeof k_marks - 1);
    return hit != NULL ? k_mark_cls[hit - k_marks] : (uint8_t)K_OTHER;
}
#undef NUM
#undef D_
#else
#define S_     K_STOP
#define W_     (K_WS | K_STOP) /* tab, LF, CR: whitespace, but not allowed raw in strings */
#define D_     K_DIGIT
#define ROW(k) k, k, k, k, k, k, k, k, k, k, k, k, k, k, k, k
static const uint8_t k_cls[128] = {
    S_,         S_,       S_,         S_,
    S_,         S_,       S_,         S_,
    S_,         W_,       W_,         S_,
    S_,         W_,       S_,         S_, /* 0x00 controls */
    ROW(S_),    K_WS,     0,          K_QUOTE | S_,
    0,          0,        0,          0,
    0,          0,        0,          0,
    0,          K_COMMA,  K_MINUS,    0,
    0, /* ' '..'/' */
    D_,         D_,       D_,         D_,
    D_,         D_,       D_,         D_,
    D_,         D_,       K_COLON,    0,
    0,          0,        0,          0, /* '0'..'?' */
    ROW(0),     0,        0,          0,
    0,          0,        0,          0,
    0,          0,        0,          0,
    K_LBRACKET, S_,       K_RBRACKET, 0,
    0, /* 'P'..'_' */
    0,          0,        0,          0,
    0,          0,        K_FALSE,    0,
    0,          0,        0,          0,
    0,          0,        K_NULL,     0, /* '`'..'o' */
    0,          0,        0,          0,
    K_TRUE,     0,        0,          0,
    0,          0,        0,          K_LBRACE,
    0,          K_RBRACE, 0,          0, /* 'p'..DEL */
};
#undef S_
#undef W_
#undef D_
#undef ROW

static inline uint8_t cls(uint8_t c)
{
    return c < 0x80 ? k_cls[c] : (uint8_t)K_STOP;
}
#endif

#if !BYTEWISE || SG_JSON_TOKENS /* the fast scanner's runs and sg_json_parse's trim */
static bool is_ws(uint8_t c)
{
    return (cls(c) & K_CLASS) == K_WS;
}
#endif

#if !BYTEWISE
/*
 * End of the run of plain string bytes at q. 64-bit builds go eight bytes per step (SWAR):
 * a byte below the first special one (quote, backslash, control, non-ASCII) sets no high
 * bit in any term and borrows nothing, while a special one sets its own, so the lowest flag
 * is exact. 32-bit targets (the Cortex-M build) take the byte loop only: 64-bit words cost
 * them more code than they save time.
 */
static inline const uint8_t *plain_run(const uint8_t *q, const uint8_t *lim)
{
#if SIZE_MAX > 0xFFFFFFFFu
    const uint64_t ones = 0x0101010101010101u, high = 0x8080808080808080u;
    while (lim - q >= 8) {
        uint64_t x;
        memcpy(&x, q, sizeof x);
        uint64_t hit =
            ((x ^ (ones * '"')) - ones) | ((x ^ (ones * '\\')) - ones) | (x - ones * 0x20) | x;
        hit &= high;
        if (hit != 0) {
#if defined(__GNUC__) && defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
            return q + (__builtin_ctzll(hit) >> 3); /* one instruction */
#else
            break;
#endif
        }
        q += 8;
    }
#endif
    while (q < lim && !(cls(*q) & K_STOP)) {
        q++;
    }
    return q;
}
#endif

/* The byte a one-character escape (after '\') stands for; -1 for 'u' and invalid ones. */
static int escape_byte(uint8_t e)
{
    /* pairs of the letter and the byte it stands for (one string: smaller than two) */
    static const char pairs[] = "\"\"\\\\//b\bf\fn\nr\rt\t";
    for (const char *p = pairs; *p != '\0'; p += 2) {
        if ((uint8_t)*p == e) {
            return (uint8_t)p[1];
        }
    }
    return -1;
}

/* UTF-8 encoding of a code point (already checked to be a scalar value); returns bytes. */
static SMALL_NOINLINE size_t utf8_encode(uint32_t cp, char out[4])
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    size_t n = cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    for (size_t i = n - 1; i > 0; i--) {
        out[i] = (char)(0x80 | (cp & 0x3F));
        cp >>= 6;
    }
    out[0] = (char)((0xF00u >> n) | cp); /* lead byte: 110xxxxx, 1110xxxx or 11110xxx */
    return n;
}

/*
 * Length of the longest prefix of s[0..len) (len >= 1) that ends on a whole UTF-8
 * character. s is validated UTF-8 cut anywhere, from the start of a character.
 */
static size_t utf8_whole_prefix(const char *s, size_t len)
{
    size_t lead = len - 1; /* back to the last character's lead byte */
    while (lead > 0 && ((uint8_t)s[lead] & 0xC0) == 0x80) {
        lead--;
    }
    /* the lead of an n-byte character (n >= 2) starts with n one bits and a zero: with
       len - lead of its bytes here, it is whole when the bit at that depth is the zero */
    unsigned b = (uint8_t)s[lead];
    return b < 0x80 || ((b << (len - lead)) & 0x80u) == 0 ? len : lead;
}

/* ---------------------------------------------------------------- init --- */

#if SG_JSON_ELEMENTS || SG_JSON_RAW
/* True when path a (length la) is b itself or an ancestor of b. */
static bool path_within(const char *a, size_t la, const char *b, size_t lb)
{
    if (la > lb || memcmp(a, b, la) != 0) {
        return false;
    }
    return la == lb || la == 0 || b[la] == '.' || b[la] == '[';
}
#endif

sg_status sg_json_reader_init(sg_json_reader *r, const sg_json_config *cfg)
{
    if (r == NULL || cfg == NULL) {
        return SG_ERR_INVALID_ARG;
    }
    memset(r, 0, sizeof *r);
    if (cfg->sub_count > SG_JSON_SUBS_MAX || cfg->max_depth > SG_JSON_DEPTH_MAX) {
        return SG_ERR_INVALID_ARG;
    }
    bool need_str = false, need_elem = false;
    for (size_t i = 0; i < cfg->sub_count; i++) {
        /* subscriptions need their array and the callback (tested before any of them) */
        if (cfg->subs == NULL || cfg->on_value == NULL) {
            return SG_ERR_INVALID_ARG;
        }
        const sg_json_sub *s = &cfg->subs[i];
        if (s->path == NULL || s->mode > SG_JSON_SUB_RAW) {
            return SG_ERR_INVALID_ARG;
        }
        if ((!SG_JSON_ELEMENTS && s->mode == SG_JSON_SUB_ELEMENT) ||
            (!SG_JSON_RAW && s->mode == SG_JSON_SUB_RAW)) {
            return SG_ERR_UNSUPPORTED;
        }
        size_t len = strlen(s->path);
        if (len > SG_JSON_PATH_MAX) {
            return SG_ERR_JSON_PATH_TOO_LONG;
        }
        r->sub_len[i] = (uint8_t)len;
        if (len > r->sub_lens_max) {
            r->sub_lens_max = (uint32_t)len;
        }
        need_str |= s->mode != SG_JSON_SUB_RAW;
        need_elem |= s->mode == SG_JSON_SUB_ELEMENT;
#if SG_JSON_ELEMENTS || SG_JSON_RAW
        /* one element buffer and one raw cursor: captures of a kind must not nest */
        for (size_t j = 0; j < i; j++) {
            const sg_json_sub *t = &cfg->subs[j];
            if (t->mode == s->mode && s->mode != SG_JSON_SUB_VALUE &&
                (path_within(t->path, r->sub_len[j], s->path, len) ||
                 path_within(s->path, len, t->path, r->sub_len[j]))) {
                return SG_ERR_INVALID_ARG;
            }
        }
#endif
    }
    if (need_str && (cfg->str_buf == NULL || cfg->str_cap < 2)) {
        return SG_ERR_INVALID_ARG;
    }
    if (need_elem &&
        (cfg->elem_buf == NULL || cfg->elem_cap == 0 || cfg->elem_cap > 0x7FFFFFFFu ||
         cfg->tokens == NULL || cfg->max_tokens == 0 || cfg->max_tokens > 0x7FFFFFFFu)) {
        return SG_ERR_INVALID_ARG;
    }
    r->cfg = *cfg;
    r->max_depth = cfg->max_depth ? cfg->max_depth : SG_JSON_DEPTH_DEFAULT;
    r->state = ST_VALUE;
    r->val_sub = r->elem_sub = r->raw_sub = NO_SUB;
    if (cfg->sub_count == 0) {
        r->plen[0] = PATH_OFF; /* validation only: no path work at all */
    }
    return SG_OK;
}

/* ---------------------------------------------------------------- storage --- */

/* A key holding '.' or '[' would read as another nesting in a path ({"a.b":1} as
   {"a":{"b":1}}): nothing under it may match a subscription (key_end() adds the empty key). */
static bool key_nests(const char *key, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        if (key[i] == '.' || key[i] == '[') {
            return true;
        }
    }
    return false;
}

/* Append bytes of the current key (into the path) or subscribed value (string buffer). */
static sg_status put(sg_json_reader *r, const char *s, size_t n)
{
    if (r->flags & FL_KEY) { /* cur_len: the member path written so far */
        if (r->cur_len + n > r->sub_lens_max || key_nests(s, n)) {
            r->flags &= (uint8_t)~FL_STORE; /* longer than any subscription, or nesting */
            r->cur_len = PATH_OFF;
            return SG_OK;
        }
        memcpy(r->path + r->cur_len, s, n);
        r->cur_len = (uint8_t)(r->cur_len + n);
        return SG_OK;
    }
    size_t room = r->cfg.str_cap - 1 - r->str_len, take = n < room ? n : room;
    if (take < n && !r->cfg.subs[r->val_sub].truncate) {
        return SG_ERR_JSON_STRING_TOO_LONG;
    }
    memcpy(r->cfg.str_buf + r->str_len, s, take);
    r->str_len += take;
    if (take < n) { /* cut on a whole character; nothing more is stored */
        r->str_len = utf8_whole_prefix(r->cfg.str_buf, r->str_len);
        r->flags = (uint8_t)((r->flags | FL_TRUNC) & ~FL_STORE);
    }
    return SG_OK;
}

#if !BYTEWISE /* the small scanner stores an escape's character through its own put() */
static sg_status put_cp(sg_json_reader *r, uint32_t cp)
{
    char tmp[4];
    return put(r, tmp, utf8_encode(cp, tmp));
}
#endif

static sg_status emit(sg_json_reader *r, sg_json_event *ev, unsigned sub)
{
    ev->sub = (size_t)sub;
    ev->path.ptr = r->cfg.subs[sub].path;
    ev->path.len = r->sub_len[sub];
    return r->cfg.on_value(r->cfg.ctx, ev);
}

static OUT_OF_LINE sg_status emit_raw(sg_json_reader *r, const uint8_t *from, const uint8_t *to,
                                      bool last)
{
    sg_json_event ev;
    memset(&ev, 0, sizeof ev);
    ev.kind = SG_JSON_EV_RAW;
    ev.type = (sg_json_type)r->raw_type;
    ev.text.ptr = (const char *)from;
    ev.text.len = (size_t)(to - from);
    ev.first = (r->flags & FL_RAW_FIRST) != 0;
    ev.last = last;
    r->flags &= (uint8_t)~FL_RAW_FIRST;
    return emit(r, &ev, r->raw_sub);
}

static sg_status gather(sg_json_reader *r, const uint8_t *from, const uint8_t *to)
{
    size_t n = (size_t)(to - from);
    /* scan stops at lim, where the element would outgrow its buffer, so this never fails;
       it stays as the buffer's own guard */
    if (n > r->cfg.elem_cap - r->elem_len) {  /* GCOVR_EXCL_BR_LINE: see above */
        return SG_ERR_JSON_ELEMENT_TOO_LARGE; /* GCOVR_EXCL_LINE */
    }
    memcpy(r->cfg.elem_buf + r->elem_len, from, n);
    r->elem_len += n;
    return SG_OK;
}

/* ---------------------------------------------------------------- value ends --- */

/* A raw capture of the value ending before `stop` (at this depth) delivers its last piece. */
static sg_status raw_end(sg_json_reader *r, const uint8_t *stop, const uint8_t **raw_seg)
{
    if (!CAPTURING(r) || r->raw_depth != r->depth) {
        return SG_OK;
    }
    sg_status st = emit_raw(r, *raw_seg, stop, true);
    r->raw_sub = NO_SUB;
    *raw_seg = NULL;
    return st;
}

/* The VALUE event of a scalar that ended, or of an object or array that starts (text ""). */
static OUT_OF_LINE sg_status value_event(sg_json_reader *r)
{
    sg_json_event ev;
    memset(&ev, 0, sizeof ev);
    ev.kind = SG_JSON_EV_VALUE;
    ev.type = (sg_json_type)r->val_type;
    if (ev.type != SG_JSON_BOOL && ev.type != SG_JSON_NULL) { /* its text was stored */
        ev.text.ptr = r->cfg.str_buf;
        ev.text.len = r->str_len;
        r->cfg.str_buf[ev.text.len] = '\0';
        ev.truncated = (r->flags & FL_TRUNC) != 0;
    } else {
        ev.text.ptr = k_lit[r->ucp];
        ev.text.len = strlen(ev.text.ptr);
        ev.boolean = r->ucp == 0;
    }
    unsigned sub = r->val_sub;
    r->val_sub = NO_SUB;
    r->flags &= (uint8_t) ~(FL_STORE | FL_TRUNC);
    return emit(r, &ev, sub);
}

/* A scalar ended; `stop` is one past its last byte in the current chunk. */
static sg_status scalar_end(sg_json_reader *r, const uint8_t *stop, const uint8_t **raw_seg)
{
    if (r->val_sub != NO_SUB) {
        sg_status st = value_event(r);
        if (st != SG_OK) {
            return st;
        }
    }
    return raw_end(r, stop, raw_seg);
}

/* A gathered element is complete: hand it over untokenized (helpers index it on first read). */
static OUT_OF_LINE sg_status element_done(sg_json_reader *r)
{
    r->elem_tokens = 0;
    sg_json_element el = {.json = r->cfg.elem_buf,
                          .len = r->elem_len,
                          ._private = {.tok = r->cfg.tokens,
                                       .cap = (uint32_t)r->cfg.max_tokens,
                                       .lazy = &r->elem_tokens}};
    sg_json_event ev;
    memset(&ev, 0, sizeof ev);
    ev.kind = SG_JSON_EV_ELEMENT;
    ev.type = r->cfg.elem_buf[0] == '{' ? SG_JSON_OBJECT : SG_JSON_ARRAY;
    ev.text.ptr = el.json;
    ev.text.len = el.len;
    ev.element = &el;
    unsigned sub = r->elem_sub;
    r->elem_sub = NO_SUB;
    return emit(r, &ev, sub);
}

/* A container closed at p (the bracket); depth was already lowered. */
static sg_status container_end(sg_json_reader *r, const uint8_t *p, const uint8_t **elem_seg,
                               const uint8_t **raw_seg)
{
    if (GATHERING(r) && r->elem_depth == r->depth) {
        sg_status st = gather(r, *elem_seg, p + 1);
        *elem_seg = NULL;
        if (st == SG_OK) { /* GCOVR_EXCL_BR_LINE: gather() cannot fail (lim) */
            st = element_done(r);
        }
        if (st != SG_OK) {
            return st;
        }
    }
    return raw_end(r, p + 1, raw_seg);
}

/* The chunk ends inside captures: keep what it held (a capture under way has its segment
   start in this chunk; lim kept the element within its buffer). Both scanners end so. */
static sg_status chunk_end(sg_json_reader *r, const uint8_t *elem_seg, const uint8_t *raw_seg,
                           const uint8_t *end)
{
    sg_status st = SG_OK;
    if (GATHERING(r)) {
        st = gather(r, elem_seg, end);
    }
    if (st == SG_OK && CAPTURING(r)) { /* GCOVR_EXCL_BR_LINE: gather() cannot fail */
        st = emit_raw(r, raw_seg, end, false);
    }
    return st;
}

/* ---------------------------------------------------------------- value starts --- */

/* The innermost open container (depth > 0) is an object. The fast scanner keeps the answer
   in FL_OBJ; the small one reads obj_bits (less code than keeping the flag in step), in one
   out-of-line copy for its three callers. */
#if BYTEWISE
static SG__NOINLINE bool inside_object(const sg_json_reader *r)
{
    return (r->obj_bits[r->depth >> 3] >> (r->depth & 7)) & 1u;
}
#else
static bool inside_object(const sg_json_reader *r)
{
    return (r->flags & FL_OBJ) != 0;
}
#endif

/*
 * A value of `type` begins at p, on the path of a container that may still match (plen of
 * its level is not PATH_OFF): work out its path, match subscriptions, start the captures.
 */
static sg_status value_start(sg_json_reader *r, const uint8_t *p, sg_json_type type,
                             const uint8_t **elem_seg, const uint8_t **raw_seg)
{
    unsigned d = r->depth;
    if (d == 0) {
        r->cur_len = 0;
    } else if (!inside_object(r)) {
        /* l < sub_lens_max (open_container()) or 0: "[]" fits the path buffer, and a path
           longer than every subscription matches none of them below */
        unsigned l = r->plen[d];
        r->path[l] = '[';
        r->path[l + 1] = ']';
        r->cur_len = (uint8_t)(l + 2u);
    }
    if (r->cur_len == PATH_OFF) {
        return SG_OK;
    }
    bool container = type == SG_JSON_OBJECT || type == SG_JSON_ARRAY;
    bool took_value = false;
    for (size_t i = 0; i < r->cfg.sub_count; i++) {
        if (r->sub_len[i] != r->cur_len || memcmp(r->cfg.subs[i].path, r->path, r->cur_len) != 0) {
            continue;
        }
        uint8_t mode = r->cfg.subs[i].mode;
        /* init refused nested or repeated captures of a kind: none is under way here */
        if (SG_JSON_RAW && mode == SG_JSON_SUB_RAW) {
            r->raw_sub = (uint8_t)i;
            r->raw_depth = (uint8_t)d;
            r->raw_type = (uint8_t)type;
            r->flags |= FL_RAW_FIRST;
            *raw_seg = p;
        } else if (took_value) {
            continue; /* the first VALUE/ELEMENT subscription of a path wins */
        } else if (container && SG_JSON_ELEMENTS && mode == SG_JSON_SUB_ELEMENT) {
            took_value = true;
            r->elem_sub = (uint8_t)i;
            r->elem_depth = (uint8_t)d;
            r->elem_len = 0;
            *elem_seg = p;
        } else {
            took_value = true;
            r->val_sub = (uint8_t)i;
            r->val_type = (uint8_t)type;
            r->str_len = 0;
            /* a string or number is stored from here; a literal's bytes never reach put(),
               and value_event() ends the storing (for a container, at once) */
            r->flags |= FL_STORE;
            if (container) { /* its VALUE event, text "", comes at its start */
                sg_status st = value_event(r);
                if (st != SG_OK) {
                    return st;
                }
            }
        }
        if (!SG_JSON_RAW) {
            break; /* a RAW one is all that could still match */
        }
    }
    return SG_OK;
}

static sg_status open_container(sg_json_reader *r, bool object)
{
    if (r->depth >= r->max_depth) {
        return SG_ERR_JSON_DEPTH;
    }
    unsigned d = ++r->depth, l = r->cur_len, bit = 1u << (d & 7);
#if BYTEWISE
    /* the kind's bit and the state without branches: one path, smaller at -Os */
    r->obj_bits[d >> 3] = (uint8_t)((r->obj_bits[d >> 3] & ~bit) | ((unsigned)object << (d & 7)));
    /* the small scanner's next state is set here (the fast one jumps to its label) */
    _Static_assert(ST_OBJ_FIRST == ST_ARR_FIRST + 1, "state order");
    r->state = (uint8_t)(ST_ARR_FIRST + (unsigned)object);
#else
    /* with branches: about 10% faster validation at -O2 (make bench-json) */
    if (object) {
        r->obj_bits[d >> 3] = (uint8_t)(r->obj_bits[d >> 3] | bit);
        r->flags |= FL_OBJ;
    } else {
        r->obj_bits[d >> 3] = (uint8_t)(r->obj_bits[d >> 3] & ~bit);
        r->flags &= (uint8_t)~FL_OBJ;
    }
#endif
    /* a member path is at least one byte longer (".k" or "[]"): none fits, all are off */
    r->plen[d] = (uint8_t)(l != 0 && l + 1u > r->sub_lens_max ? PATH_OFF : l);
    return SG_OK;
}

/* ---------------------------------------------------------------- string sub-machine --- */

/*
 * The fourth hex digit of a \uXXXX escape was read into the low half of r->ucp (digits
 * shift in from the right, and a new escape starts from 0: a high surrogate's unit is in
 * the upper half, where nothing else reaches, once its low one's digits are in): 1 with
 * *cp its character, 0 for a high surrogate (its low one is due: r->state is ST_LOW_BS),
 * -1 for a lone surrogate of either kind.
 */
static int hex_end(sg_json_reader *r, uint32_t *cp)
{
    uint32_t u = r->ucp & 0xFFFFu, high = r->ucp >> 16;
    if (high != 0) {
        if (u < 0xDC00 || u > 0xDFFF) {
            return -1; /* high surrogate alone */
        }
        *cp = 0x10000u + ((high - 0xD800u) << 10) + (u - 0xDC00u);
        return 1;
    }
    if (u >= 0xD800 && u <= 0xDBFF) {
        r->state = ST_LOW_BS;
        return 0;
    }
    *cp = u;
    return u >= 0xDC00 && u <= 0xDFFF ? -1 : 1; /* a lone low surrogate fails */
}

/* The closing quote of a key: the member path is set (or off, when no subscription can
   see it, or the key would read as another nesting). */
static void key_end(sg_json_reader *r)
{
    r->flags &= (uint8_t)~FL_KEY;
    /* put() stops storing a key that outgrows every subscription or holds '.' or '['; an
       empty key (nothing after the '.' of its parent's path, or no path at all) nests too */
    if ((r->flags & FL_STORE) && (r->cur_len == 0 || r->path[r->cur_len - 1] == '.')) {
        r->cur_len = PATH_OFF;
    }
    r->flags &= (uint8_t)~FL_STORE;
    r->state = ST_COLON;
}

#if !BYTEWISE

/*
 * The string sub-machine for what is not a plain run (the scanner consumes those with
 * plain_run): one escape sequence or one multi-byte UTF-8 character, from p up to lim,
 * in state r->state (ST_STR at the backslash or the lead byte, or where a chunk left it:
 * ST_ESC, ST_HEX, ST_LOW_BS, ST_LOW_U, ST_UTF8). Its character is stored when FL_STORE is
 * set: an escape decoded, a UTF-8 character as it stands. *out = SG_OK and returns the
 * byte after it with r->state back at ST_STR, or lim with r->state where it stands; else
 * *out = the error and returns the byte to report: the bad byte, the first one that did
 * not fit, or the last byte of an escape whose character did not fit. (Pointers go in and
 * out by value: the scanner's cursor must not have its address taken.)
 */
SG__NOINLINE static const uint8_t *string_special(sg_json_reader *r, const uint8_t *p,
                                                  const uint8_t *lim, sg_status *out)
{
    /* [utf8, p): bytes of a UTF-8 character, stored as they stand; NULL in an escape */
    const uint8_t *utf8 = NULL;
    sg_status st = SG_ERR_JSON_SYNTAX; /* what a jump to `end` before the last byte means */
    uint32_t cp;
    int v;
    switch (r->state) {
    case ST_ESC:
        goto escape;
    case ST_HEX:
        goto hex;
    case ST_LOW_BS:
    case ST_LOW_U:
        goto low;
    case ST_UTF8:
        utf8 = p;
        goto continuation;
    default:
        break; /* ST_STR: at a backslash or a byte plain_run stopped at */
    }
    if (*p == '\\') {
        r->state = ST_ESC;
        p++;
        goto escape;
    }
    /* control characters and bytes that cannot start a UTF-8 character fail here */
    if (!sg__utf8_lead(*p, &r->aux, &r->utf8_lo, &r->utf8_hi)) {
        goto end;
    }
    utf8 = p++;
    r->state = ST_UTF8;
continuation:
    if (p == lim) {
        goto more;
    }
    if (*p < r->utf8_lo || *p > r->utf8_hi) {
        goto end;
    }
    r->utf8_lo = 0x80;
    r->utf8_hi = 0xBF;
    p++;
    if (--r->aux != 0) {
        goto continuation;
    }
    r->state = ST_STR;
    goto more; /* complete: store it */

escape: /* after a backslash */
    if (p == lim) {
        goto more;
    }
    if (*p == 'u') {
        r->aux = 0;
        r->ucp = 0;
        r->state = ST_HEX;
        p++;
        goto hex;
    }
    v = escape_byte(*p);
    if (v < 0) {
        goto end;
    }
    cp = (uint32_t)v;
    goto character;

hex: /* the four hex digits of \uXXXX; the code point is judged at the last one */
    if (p == lim) {
        goto more;
    }
    v = sg__hex_digit(*p);
    if (v < 0) {
        goto end;
    }
    r->ucp = (r->ucp << 4) | (uint32_t)v;
    if (++r->aux < 4) {
        p++;
        goto hex;
    }
    v = hex_end(r, &cp);
    if (v < 0) {
        goto end;
    }
    if (v == 0) {
        p++;
        goto low;
    }
    goto character;

low: /* after a high surrogate: "\u" of the low one is due */
    if (p == lim) {
        goto more;
    }
    if (r->state == ST_LOW_BS) {
        if (*p != '\\') {
            goto end;
        }
        r->state = ST_LOW_U;
        p++;
        goto low;
    }
    if (*p != 'u') {
        goto end;
    }
    r->aux = 0;
    r->state = ST_HEX;
    p++;
    goto hex;

character: /* an escape's character is complete at p, its last byte */
    st = (r->flags & FL_STORE) ? put_cp(r, cp) : SG_OK;
    if (st == SG_OK) {
        r->state = ST_STR;
        p++;
    }
    *out = st;
    return p;

more: /* the character is complete, or the chunk ended inside it */
    st = SG_OK;
end: /* the UTF-8 bytes read are stored before a bad byte is judged: an earlier overflow wins */
    if (utf8 != NULL && p > utf8 && (r->flags & FL_STORE)) {
        sg_status kept = put(r, (const char *)utf8, (size_t)(p - utf8));
        if (kept != SG_OK) {
            st = kept; /* put() fails only with SG_ERR_JSON_STRING_TOO_LONG */
            p = utf8 + (r->cfg.str_cap - 1 - r->str_len);
        }
    }
    *out = st;
    return p;
}

#endif /* !BYTEWISE */

/* ---------------------------------------------------------------- number sub-machine --- */

#define N_DONE 0xFEu /* the number ended before this byte */
#define N_BAD  0xFFu /* this byte cannot go on */

/* The number grammar (RFC 8259 section 6): the next state, from ST_NUM_MINUS on. */
static const uint8_t k_num[ST_NUM_EXP - ST_NUM_MINUS + 1][NC_COUNT] = {
    /*            other   '0'          '1'-'9'      '.'         'e' 'E'   '+' '-' */
    /* MINUS */ {N_BAD, ST_NUM_ZERO, ST_NUM_INT, N_BAD, N_BAD, N_BAD},
    /* ZERO  */ {N_DONE, N_DONE, N_DONE, ST_NUM_DOT, ST_NUM_E, N_DONE},
    /* INT   */ {N_DONE, ST_NUM_INT, ST_NUM_INT, ST_NUM_DOT, ST_NUM_E, N_DONE},
    /* DOT   */ {N_BAD, ST_NUM_FRAC, ST_NUM_FRAC, N_BAD, N_BAD, N_BAD},
    /* FRAC  */ {N_DONE, ST_NUM_FRAC, ST_NUM_FRAC, N_DONE, ST_NUM_E, N_DONE},
    /* E     */ {N_BAD, ST_NUM_EXP, ST_NUM_EXP, N_BAD, N_BAD, ST_NUM_ESIGN},
    /* ESIGN */ {N_BAD, ST_NUM_EXP, ST_NUM_EXP, N_BAD, N_BAD, N_BAD},
    /* EXP   */ {N_DONE, ST_NUM_EXP, ST_NUM_EXP, N_DONE, N_DONE, N_DONE},
};

#if !BYTEWISE
static unsigned num_class(unsigned c)
{
    return c == '0'               ? NC_ZERO
           : c - '1' <= 8u        ? NC_DIGIT
           : c == '.'             ? NC_DOT
           : (c | 0x20u) == 'e'   ? NC_E
           : c == '+' || c == '-' ? NC_SIGN
                                  : NC_OTHER;
}

typedef enum num_end { NUM_MORE, NUM_DONE, NUM_BAD } num_end;

/*
 * The bytes of a number from p up to lim, its machine in *state (ST_NUM_*). Returns lim
 * with *end = NUM_MORE, the first byte after the number (not consumed: it belongs to what
 * follows) with NUM_DONE, or a byte that cannot go on with NUM_BAD. The caller stores the
 * bytes passed over. A digit after a leading zero ends the number (the scanner then
 * refuses that digit where a number may not follow).
 */
static inline const uint8_t *number_run(uint8_t *state, const uint8_t *p, const uint8_t *lim,
                                        num_end *end)
{
    unsigned s = *state;
    num_end how = NUM_MORE;
    for (; p < lim; p++) {
        unsigned next = k_num[s - ST_NUM_MINUS][num_class(*p)];
        if (next >= N_DONE) {
            how = next == N_DONE ? NUM_DONE : NUM_BAD;
            break;
        }
        s = next;
    }
    *state = (uint8_t)s;
    *end = how;
    return p;
}
#endif /* !BYTEWISE */

/* ---------------------------------------------------------------- scanner --- */

/*
 * The scanner's states (r->state) and what each byte does there. ws is space, tab, LF or
 * CR; a byte not listed is SG_ERR_JSON_SYNTAX at that byte. A finished value (a scalar's
 * end, a closing bracket) goes to AFTER inside a container and to DONE at the top.
 *
 *   state       byte                what happens                           next state
 *   ---------   -----------------   ------------------------------------   ------------
 *   VALUE       ws                                                         VALUE
 *               '"'                 match paths, start captures            STR
 *               '{'  '['            the same, open a container (depth+1)   OBJ_FIRST, ARR_FIRST
 *               '-'  '0'  '1'-'9'   the same                               NUM_MINUS, NUM_ZERO,
 *                                                                          NUM_INT
 *               't'  'f'  'n'       the same                               LIT
 *   ARR_FIRST   as VALUE, or ']'    close the container (depth-1)          finished value
 *   OBJ_FIRST   ws                                                         OBJ_FIRST
 *               '"'                 a key: its path is built, or, when no  STR (key), or COLON
 *                                   subscription can see it, it is skipped  when skipped whole
 *               '}'                 close the container                    finished value
 *   KEY         ws  / '"'           as OBJ_FIRST                           KEY / as OBJ_FIRST
 *   COLON       ws  / ':'                                                  COLON / VALUE
 *   AFTER       ws                                                         AFTER
 *               ','                                                        KEY (object), VALUE
 *               '}' or ']'          close the container (its own kind)     finished value
 *   DONE        ws                                                         DONE
 *
 *   strings and keys: plain runs here (plain_run), the rest in string_special
 *   STR         plain bytes         stored a run at a time (FL_STORE)      STR
 *               '"'                 a key sets the member path; a value    COLON (key),
 *                                   is delivered                           finished value
 *               '\'                                                        ESC
 *               UTF-8 lead byte     aux = continuation bytes due           UTF8
 *   UTF8        continuation byte   in the range sg__utf8_lead allows       UTF8, STR at the last
 *   ESC         " \ / b f n r t     store the byte it stands for           STR
 *               'u'                                                        HEX
 *   HEX         hex digit (4)       at the 4th: store the code point       STR, or LOW_BS for a
 *                                                                          high surrogate
 *   LOW_BS      '\'                                                        LOW_U
 *   LOW_U       'u'                 the low surrogate's digits follow      HEX
 *
 *   numbers: number_run, the bytes stored a run at a time
 *   NUM_MINUS   '0' / '1'-'9'                                              NUM_ZERO / NUM_INT
 *   NUM_ZERO    '.' / 'e' 'E'                                              NUM_DOT / NUM_E
 *   NUM_INT     digit / '.' / 'e' 'E'                                      NUM_INT / NUM_DOT /
 *                                                                          NUM_E
 *   NUM_DOT     digit                                                      NUM_FRAC
 *   NUM_FRAC    digit / 'e' 'E'                                            NUM_FRAC / NUM_E
 *   NUM_E       '+' '-' / digit                                            NUM_ESIGN / NUM_EXP
 *   NUM_ESIGN   digit                                                      NUM_EXP
 *   NUM_EXP     digit                                                      NUM_EXP
 *   In ZERO, INT, FRAC and EXP any other byte ends the number (it is not consumed) and the
 *   value is delivered: finished value. At the end of input, finish() ends a top-level one.
 *
 *   LIT         the next letter of true, false or null (aux counts them)   LIT; finished value
 *                                                                          after the last

 */

#if BYTEWISE
/*
 * The small scanner: one byte per step through one switch on r->state, every stored byte
 * put() on its own. A scalar ends at `stop`: one past its last byte, or, for a number, at
 * the byte after it, which is then read again in the next state. Bytes are read only below
 * lim. tests/fuzz/fuzz_json_bytewise.c holds it to the fast scanner's results.
 */
static sg_status scan(sg_json_reader *r, const uint8_t *data, size_t len, const uint8_t **errp)
{
    *errp = data;
    /* feed passes data != NULL (len > 0); the guard keeps static analysis from assuming NULL */
    if (data == NULL) { /* GCOVR_EXCL_BR_LINE: see above */
        return SG_OK;   /* GCOVR_EXCL_LINE */
    }
    const uint8_t *p = data, *end = data + len, *lim = end, *stop;
    const uint8_t *elem_seg = GATHERING(r) ? data : NULL;
    const uint8_t *raw_seg = CAPTURING(r) ? data : NULL;
    sg_status st = SG_OK;
    uint32_t cp;
    int v;
    char utf8[4];     /* an escape's character */
    const char *keep; /* what the byte at p stores: itself, or utf8 */
    size_t keep_len;
    /* lim: the first byte that would not fit the element being gathered (see the fast one) */
    if (elem_seg != NULL && r->cfg.elem_cap - r->elem_len < len) {
        lim = data + (r->cfg.elem_cap - r->elem_len);
    }
    while (p != end) {
        if (p == lim) {
            if (GATHERING(r)) {
                st = SG_ERR_JSON_ELEMENT_TOO_LARGE;
                goto out;
            }
            lim = end;
        }
        unsigned c = *p, m = cls(*p), k = m & K_CLASS, s = r->state;
        stop = p + 1;
        if (s <= ST_AFTER) { /* between tokens: whitespace, or the open container's bracket */
            if (k == K_WS) {
                p++;
                continue;
            }
            if (s >= ST_ARR_FIRST && k == (inside_object(r) ? K_RBRACE : K_RBRACKET)) {
                goto close;
            }
        }
        switch (s) {
        case ST_VALUE:
        case ST_ARR_FIRST:
            if (k < K_QUOTE) {
                goto syntax;
            }
            v = r->elem_sub; /* to notice an element starting here */
            if (r->plen[r->depth] == PATH_OFF) {
                r->cur_len = PATH_OFF; /* nothing below can match: skip the path work */
            } else {
                st =
                    value_start(r, p, (sg_json_type)k_start_type[k - K_QUOTE], &elem_seg, &raw_seg);
                if (st != SG_OK) {
                    goto out;
                }
            }
            if (k == K_QUOTE) {
                r->state = ST_STR;
                break;
            }
            if (k == K_LBRACE || k == K_LBRACKET) {
                if (v == NO_SUB && GATHERING(r)) {
                    lim = r->cfg.elem_cap < (size_t)(end - p) ? p + r->cfg.elem_cap : end;
                }
                st = open_container(r, k == K_LBRACE);
                if (st != SG_OK) {
                    goto out;
                }
                break;
            }
            if (k >= K_TRUE) { /* its letters are read in ST_LIT, this one again */
                r->ucp = k - K_TRUE;
                r->aux = 0;
                r->state = ST_LIT;
                continue;
            }
            r->state = k == K_MINUS ? ST_NUM_MINUS : c == '0' ? ST_NUM_ZERO : ST_NUM_INT;
            goto store;
        case ST_OBJ_FIRST:
        case ST_KEY:
            if (k != K_QUOTE) {
                goto syntax;
            }
            r->state = ST_STR;
            s = r->plen[r->depth];
            if (s == PATH_OFF) { /* no subscription can see this key: read it, store nothing */
                r->cur_len = PATH_OFF;
                r->flags = (uint8_t)((r->flags | FL_KEY) & ~FL_STORE);
                break;
            }
            r->flags |= FL_KEY | FL_STORE;
            r->cur_len = 0; /* put() writes the key from here; key_end() checks it */
            /* non-zero plen is below sub_lens_max (open_container()): the '.' fits */
            if (s) {
                r->path[s] = '.';
                r->cur_len = (uint8_t)(s + 1u);
            }
            break;
        case ST_COLON:
            if (k != K_COLON) {
                goto syntax;
            }
            r->state = ST_VALUE;
            break;
        case ST_AFTER:
            if (k != K_COMMA) {
                goto syntax;
            }
            r->state = inside_object(r) ? ST_KEY : ST_VALUE;
            break;
        case ST_DONE:
            goto syntax;
        case ST_STR:
            if (c == '"') {
                if (!(r->flags & FL_KEY)) {
                    goto scalar;
                }
                key_end(r);
                break;
            }
            if (c == '\\') {
                r->state = ST_ESC;
                break;
            }
            if (c < 0x20 || c >= 0x80) { /* controls and bytes no character starts with fail */
                if (!sg__utf8_lead((uint8_t)c, &r->aux, &r->utf8_lo, &r->utf8_hi)) {
                    goto syntax;
                }
                r->state = ST_UTF8;
            }
            goto store; /* a UTF-8 character's bytes are stored as they stand */
        case ST_UTF8:
            if (c < r->utf8_lo || c > r->utf8_hi) {
                goto syntax;
            }
            r->utf8_lo = 0x80;
            r->utf8_hi = 0xBF;
            if (--r->aux == 0) {
                r->state = ST_STR;
            }
            goto store;
        case ST_ESC:
            if (c == 'u') {
                r->ucp = 0; /* a low surrogate's digits, after LOW_U, keep its high one */
                goto hex_digits;
            }
            v = escape_byte((uint8_t)c);
            if (v < 0) {
                goto syntax;
            }
            cp = (uint32_t)v;
            goto character;
        case ST_HEX:
            v = sg__hex_digit((uint8_t)c);
            if (v < 0) {
                goto syntax;
            }
            r->ucp = (r->ucp << 4) | (uint32_t)v;
            if (++r->aux < 4) {
                break;
            }
            v = hex_end(r, &cp);
            if (v < 0) {
                goto syntax;
            }
            if (v == 0) {
                break; /* a high surrogate: "\u" of the low one is due */
            }
            goto character;
        case ST_LOW_BS:
            if (c != '\\') {
                goto syntax;
            }
            r->state = ST_LOW_U;
            break;
        case ST_LOW_U:
            if (c != 'u') {
                goto syntax;
            }
            goto hex_digits;
        case ST_LIT:
            if (c != (uint8_t)k_lit[r->ucp][r->aux]) {
                goto syntax;
            }
            if (k_lit[r->ucp][++r->aux] != '\0') { /* its last letter is before the NUL */
                break;
            }
            goto scalar;
        default:                                 /* ST_NUM_*: the number grammar's table */
            s = k_num[s - ST_NUM_MINUS][m >> 4]; /* the number class */
            if (s == N_BAD) {
                goto syntax;
            }
            if (s == N_DONE) {
                stop = p; /* the byte after it belongs to what follows */
                goto scalar;
            }
            r->state = (uint8_t)s;
            goto store;
        }
        p++;
        continue;

    store: /* the byte is part of a string, key or number: kept when it is subscribed */
        keep = (const char *)p;
        keep_len = 1;
    keep_bytes: /* keep_len bytes at keep stand for p's byte(s); p is their last */
        if (r->flags & FL_STORE) {
            st = put(r, keep, keep_len);
            if (st != SG_OK) {
                goto out; /* at the first byte that did not fit (an escape: its last) */
            }
        }
        p++;
        continue;

    hex_digits: /* after "\u" */
        r->aux = 0;
        r->state = ST_HEX;
        p++;
        continue;

    character: /* an escape's character is complete at p, its last byte */
        keep_len = utf8_encode(cp, utf8);
        keep = utf8;
        r->state = ST_STR;
        goto keep_bytes;

    close: /* p is the bracket closing the container at r->depth */
        r->depth--;
        if (GATHERING(r) || CAPTURING(r)) {
            st = container_end(r, p, &elem_seg, &raw_seg);
            if (st != SG_OK) {
                goto out;
            }
        }
        goto next;

    scalar: /* a scalar ends before stop; an error is reported at p */
        if (r->val_sub != NO_SUB || CAPTURING(r)) {
            st = scalar_end(r, stop, &raw_seg);
            if (st != SG_OK) {
                goto out;
            }
        }
    next: /* a value ended before stop */
        r->state = r->depth ? ST_AFTER : ST_DONE;
        p = stop;
    }
out:
    if (st == SG_OK) {
        st = chunk_end(r, elem_seg, raw_seg, end);
        if (st != SG_OK) {
            p = end;
        }
    }
    *errp = p;
    return st;

syntax:
    st = SG_ERR_JSON_SYNTAX;
    goto out;
}
#else /* the fast scanner */

/*
 * Each label below reads the bytes of its states and jumps straight to the next state's
 * label, so the state switch runs once per chunk (at `resume`), not once per byte; the
 * helpers consume a whole run or sequence and say how it ended. r->state is current
 * whenever the chunk may end, so a chunk may end anywhere. Bytes are read only below lim.
 * (Measured with make bench: plain_run is inlined twice, so skipped keys and strings keep
 * branch sites of their own; string_special stays out of line.)
 */
static sg_status scan(sg_json_reader *r, const uint8_t *data, size_t len, const uint8_t **errp)
{
    *errp = data;
    /* feed passes data != NULL (len > 0); the guard keeps static analysis from assuming NULL */
    if (data == NULL) { /* GCOVR_EXCL_BR_LINE: see above */
        return SG_OK;   /* GCOVR_EXCL_LINE */
    }
    const uint8_t *p = data, *q, *end = data + len;
    const uint8_t *elem_seg = GATHERING(r) ? data : NULL;
    const uint8_t *raw_seg = CAPTURING(r) ? data : NULL;
    sg_status st = SG_OK, sst;
    num_end nend;
    unsigned c, i, n;
    /*
     * lim: the first byte that would not fit the element being gathered. Stopping there,
     * rather than noticing at the chunk's end, fails at the same byte and after the same
     * events however the input is split.
     */
    const uint8_t *lim = end;
    if (elem_seg != NULL && r->cfg.elem_cap - r->elem_len < len) {
        lim = data + (r->cfg.elem_cap - r->elem_len);
    }

#define FAIL(code)   \
    do {             \
        st = (code); \
        goto out;    \
    } while (0)
#define CHECK(expr)      \
    do {                 \
        st = (expr);     \
        if (st != SG_OK) \
            goto out;    \
    } while (0)

resume:
    switch (r->state) { /* GCOVR_EXCL_BR_LINE: every case is taken but the default */
    case ST_VALUE:
    case ST_ARR_FIRST:
        goto value;
    case ST_OBJ_FIRST:
    case ST_KEY:
        goto key;
    case ST_COLON:
        goto colon;
    case ST_AFTER:
        goto after;
    case ST_DONE:
        goto done;
    case ST_STR:
        goto str;
    case ST_ESC:
    case ST_HEX:
    case ST_LOW_BS:
    case ST_LOW_U:
    case ST_UTF8:
        goto str_special;
    case ST_LIT:
        goto lit;
    case ST_NUM_MINUS:
    case ST_NUM_ZERO:
    case ST_NUM_INT:
    case ST_NUM_DOT:
    case ST_NUM_FRAC:
    case ST_NUM_E:
    case ST_NUM_ESIGN:
    case ST_NUM_EXP:
        goto num;
    default: /* GCOVR_EXCL_START: r->state only ever holds the states above */
        FAIL(SG_ERR_INVALID_ARG);
    } /* GCOVR_EXCL_STOP */

refill: /* p == lim: the chunk is used up, or the gathered element may not grow further */
    if (p == end) {
        goto out;
    }
    if (GATHERING(r)) {
        FAIL(SG_ERR_JSON_ELEMENT_TOO_LARGE);
    }
    lim = end;
    goto resume;

value: /* ST_VALUE, ST_ARR_FIRST */
    if (p == lim) {
        goto refill;
    }
    c = cls(*p) & K_CLASS;
    if (c < K_QUOTE) {
        if (c == K_WS) {
            p++;
            goto value;
        }
        if (c == K_RBRACKET && r->state == ST_ARR_FIRST) {
            goto close;
        }
        FAIL(SG_ERR_JSON_SYNTAX);
    }
    i = r->elem_sub; /* to notice an element starting here */
    if (r->plen[r->depth] == PATH_OFF) {
        r->cur_len = PATH_OFF; /* nothing below can match: skip the path work */
    } else {
        CHECK(value_start(r, p, (sg_json_type)k_start_type[c - K_QUOTE], &elem_seg, &raw_seg));
    }
    if (c == K_QUOTE) {
        r->state = ST_STR;
        p++;
        goto str;
    }
    switch (c) {
    case K_LBRACE:
    case K_LBRACKET:
        if (i == NO_SUB && GATHERING(r)) {
            lim = r->cfg.elem_cap < (size_t)(end - p) ? p + r->cfg.elem_cap : end;
        }
        CHECK(open_container(r, c == K_LBRACE));
        p++;
        if (c == K_LBRACE) {
            r->state = ST_OBJ_FIRST;
            goto key;
        }
        r->state = ST_ARR_FIRST;
        goto value;
    case K_MINUS:
    case K_DIGIT:
        r->state = c == K_MINUS ? ST_NUM_MINUS : *p == '0' ? ST_NUM_ZERO : ST_NUM_INT;
        q = p + 1;
        goto number;
    default: /* true, false, null: the first letter is checked */
        n = c - K_TRUE;
        r->ucp = n;
        r->aux = 1;
        r->state = ST_LIT;
        if (lim - p >= 5 && memcmp(p, k_lit[n], 4) == 0 && (n != 1 || p[4] == 'e')) {
            q = p + k_lit_len[n]; /* whole in view */
            p = q - 1;
            goto scalar;
        }
        p++;
        goto lit;
    }

key: /* ST_OBJ_FIRST, ST_KEY */
    if (p == lim) {
        goto refill;
    }
    if (*p != '"') {
        if (is_ws(*p)) {
            p++;
            goto key;
        }
        if (*p == '}' && r->state == ST_OBJ_FIRST) {
            goto close;
        }
        FAIL(SG_ERR_JSON_SYNTAX);
    }
    p++;
    n = r->plen[r->depth];
    r->state = ST_STR;
    if (n == PATH_OFF) {
        /* no subscription can see this key: when its first run ends it, skip it outright */
        r->cur_len = PATH_OFF;
        p = plain_run(p, lim);
        if (p < lim && *p == '"') {
            r->state = ST_COLON;
            p++;
            goto colon;
        }
        r->flags = (uint8_t)((r->flags | FL_KEY) & ~FL_STORE); /* read on, storing nothing */
        goto str;
    }
    r->flags |= FL_KEY | FL_STORE;
    r->cur_len = 0; /* put() writes the key from here; key_end() checks it */
    /* non-zero plen is below sub_lens_max (open_container()): the '.' fits */
    if (n) {
        r->path[n] = '.';
        r->cur_len = (uint8_t)(n + 1u);
    }
    goto str;

colon:
    if (p == lim) {
        goto refill;
    }
    if (*p != ':') {
        if (!is_ws(*p)) {
            FAIL(SG_ERR_JSON_SYNTAX);
        }
        p++;
        goto colon;
    }
    r->state = ST_VALUE;
    p++;
    goto value;

after: /* after a value inside a container */
    if (p == lim) {
        goto refill;
    }
    c = *p;
    i = r->flags & FL_OBJ;
    if (c == ',') {
        p++;
        if (i) {
            r->state = ST_KEY;
            goto key;
        }
        r->state = ST_VALUE;
        goto value;
    }
    if (c != (i ? '}' : ']')) {
        if (!is_ws((uint8_t)c)) {
            FAIL(SG_ERR_JSON_SYNTAX);
        }
        p++;
        goto after;
    }
    /* fall through */
close: /* p is the bracket closing the container at r->depth */
    n = --r->depth;
    if ((r->obj_bits[n >> 3] >> (n & 7)) & 1u) {
        r->flags |= FL_OBJ;
    } else {
        r->flags &= (uint8_t)~FL_OBJ;
    }
    if (GATHERING(r) || CAPTURING(r)) {
        CHECK(container_end(r, p, &elem_seg, &raw_seg));
    }
    p++;
next: /* a value ended just before p */
    if (r->depth) {
        r->state = ST_AFTER;
        goto after;
    }
    r->state = ST_DONE;
    /* fall through */
done: /* the top value is complete: whitespace only */
    while (p < lim && is_ws(*p)) {
        p++;
    }
    if (p == lim) {
        goto refill;
    }
    FAIL(SG_ERR_JSON_SYNTAX);

scalar: /* a scalar ends before q; an error is reported at p (its last byte or terminator) */
    if (r->val_sub != NO_SUB || CAPTURING(r)) {
        CHECK(scalar_end(r, q, &raw_seg));
    }
    p = q;
    goto next;

str: /* inside a string or key: plain runs here, anything else in string_special */
    q = plain_run(p, lim);
    if ((r->flags & FL_STORE) && q > p) {
        st = put(r, (const char *)p, (size_t)(q - p));
        if (st != SG_OK) {
            goto keep_failed;
        }
    }
    p = q;
    if (p == lim) {
        goto refill;
    }
    if (*p == '"') {
        q = p + 1;
        if (!(r->flags & FL_KEY)) {
            goto scalar;
        }
        key_end(r);
        p = q;
        goto colon;
    }
    /* fall through */
str_special: /* an escape or a UTF-8 character, or the rest of one a chunk ended inside */
    p = string_special(r, p, lim, &sst);
    if (sst != SG_OK) {
        FAIL(sst);
    }
    if (r->state != ST_STR) {
        goto refill; /* p == lim inside it */
    }
    goto str;

num: /* resuming a number */
    q = p;
number: /* [p, q) are bytes of the number already read; the machine goes on at q */
    q = number_run(&r->state, q, lim, &nend);
    if ((r->flags & FL_STORE) && q > p) {
        st = put(r, (const char *)p, (size_t)(q - p));
        if (st != SG_OK) {
            goto keep_failed;
        }
    }
    p = q;
    if (nend == NUM_DONE) {
        goto scalar; /* q == p: the terminator belongs to what follows */
    }
    if (nend == NUM_MORE) {
        goto refill;
    }
    FAIL(SG_ERR_JSON_SYNTAX);

lit: /* the letters of true/false/null after the first */
    n = k_lit_len[r->ucp];
    for (i = r->aux; i < n && p < lim; i++, p++) {
        if (*p != (uint8_t)k_lit[r->ucp][i]) {
            FAIL(SG_ERR_JSON_SYNTAX);
        }
    }
    r->aux = (uint8_t)i;
    if (i < n) {
        goto refill;
    }
    q = p--;
    goto scalar;

keep_failed: /* storing [p, q) failed (put(): SG_ERR_JSON_STRING_TOO_LONG): the first byte
                that did not fit is the offset reported */
    p += r->cfg.str_cap - 1 - r->str_len;
    goto out;

#undef FAIL
#undef CHECK
out:
    if (st == SG_OK) {
        st = chunk_end(r, elem_seg, raw_seg, end);
        if (st != SG_OK) {
            p = end;
        }
    }
    *errp = p;
    return st;
}

#endif /* BYTEWISE */

sg_status sg_json_reader_feed(sg_json_reader *r, const void *data, size_t len)
{
    if (r == NULL || (data == NULL && len > 0)) {
        return SG_ERR_INVALID_ARG;
    }
    if (r->err != SG_OK) {
        return r->err;
    }
    if (len == 0) {
        return SG_OK;
    }
    const uint8_t *at = NULL;
    sg_status st = scan(r, (const uint8_t *)data, len, &at);
    r->offset += (uint64_t)(at - (const uint8_t *)data);
    r->err = st;
    return st;
}

sg_status sg_json_reader_finish(sg_json_reader *r)
{
    if (r == NULL) {
        return SG_ERR_INVALID_ARG;
    }
    if (r->err != SG_OK) {
        return r->err;
    }
    sg_status st = SG_OK;
    if (r->depth == 0 && (r->state == ST_NUM_ZERO || r->state == ST_NUM_INT ||
                          r->state == ST_NUM_FRAC || r->state == ST_NUM_EXP)) {
        /* a top-level number ends with the input; its raw text was already delivered */
        const uint8_t *none = (const uint8_t *)"";
        const uint8_t *seg = none;
        st = scalar_end(r, none, &seg);
        r->state = ST_DONE;
    }
    if (st == SG_OK && r->state != ST_DONE) {
        st = SG_ERR_JSON_SYNTAX;
    }
    r->err = st;
    return st;
}

static sg_status reader_on_body(void *ctx, const uint8_t *data, size_t len)
{
    return sg_json_reader_feed((sg_json_reader *)ctx, data, len);
}

sg_status sg_json_reader_http_sink(sg_json_reader *r, sg_http_sink *sink)
{
    if (r == NULL || sink == NULL) {
        return SG_ERR_INVALID_ARG;
    }
    memset(sink, 0, sizeof *sink);
    sink->ctx = r;
    sink->on_body = reader_on_body;
    return SG_OK;
}

/* ---------------------------------------------------------------- whole documents --- */

#if SG_JSON_TOKENS

/* jsmn over a validated document: tokens used, or a JSMN_ERROR_* (NOMEM: too few). */
static int tokenize(const char *json, size_t len, sg_json_tok *tokens, size_t max_tokens)
{
    jsmn_parser jp;
    jsmn_init(&jp);
    return jsmn_parse(&jp, json, len, (jsmntok_t *)(void *)tokens, (unsigned int)max_tokens);
}

sg_status sg_json_parse(const char *json, size_t len, sg_json_tok *tokens, size_t max_tokens,
                        sg_json_element *out)
{
    if (json == NULL || tokens == NULL || max_tokens == 0 || out == NULL || len > 0x7FFFFFFFu ||
        max_tokens > 0x7FFFFFFFu) {
        return SG_ERR_INVALID_ARG;
    }
    sg_json_reader r;
    sg_json_config cfg;
    memset(&cfg, 0, sizeof cfg);
    sg_status st = sg_json_reader_init(&r, &cfg);
    if (st == SG_OK) { /* GCOVR_EXCL_BR_LINE: a zeroed configuration is always valid */
        st = sg_json_reader_feed(&r, json, len);
    }
    if (st == SG_OK) {
        st = sg_json_reader_finish(&r);
    }
    if (st != SG_OK) {
        return st;
    }
    int n = tokenize(json, len, tokens, max_tokens);
    if (n == JSMN_ERROR_NOMEM) {
        return SG_ERR_JSON_TOO_MANY_TOKENS;
    }
    if (n == JSMN_ERROR_PART) {
        /* strict jsmn wants a delimiter after a primitive: a bare top-level scalar that runs
           to the end (whitespace after it would have been its delimiter) */
        size_t a = 0, b = len;
        while (is_ws((uint8_t)json[a])) {
            a++;
        }
        jsmntok_t *t = (jsmntok_t *)(void *)tokens;
        t->type = JSMN_PRIMITIVE;
        t->start = (int)a;
        t->end = (int)b;
        t->size = 0;
        t->parent = -1;
        n = 1;
    }
    /* jsmn tokenizes what the reader validated; a disagreement must not make an element */
    if (n < 1) {                   /* GCOVR_EXCL_BR_LINE: see above */
        return SG_ERR_JSON_SYNTAX; /* GCOVR_EXCL_LINE */
    }
    *out = (sg_json_element){
        .json = json,
        .len = len,
        ._private = {.tok = tokens, .cap = (uint32_t)max_tokens, .count = (uint32_t)n}};
    return SG_OK;
}

/* ---------------------------------------------------------------- unescape --- */
#endif /* SG_JSON_TOKENS */

/* The UTF-16 code unit of the "\\uXXXX" at s (before end), or -1 when there is none. */
static int32_t hex_unit(const char *s, const char *end)
{
    if (end - s < 6 || s[0] != '\\' || s[1] != 'u') {
        return -1;
    }
    int32_t u = 0;
    for (size_t j = 2; j < 6; j++) {
        int v = sg__hex_digit((uint8_t)s[j]);
        if (v < 0) {
            return -1;
        }
        u = (u << 4) | v;
    }
    return u;
}

/*
 * Decode one character of an escaped JSON string body at src[*i]: its UTF-8 bytes go to
 * out (1..4), *i advances. SG_ERR_JSON_SYNTAX on a malformed escape or a lone surrogate.
 */
static sg_status decode_one(const char *src, size_t len, size_t *i, char out[4], size_t *n)
{
    size_t k = *i, used = 2;
    if (src[k] != '\\') { /* UTF-8 bytes as they stand */
        out[0] = src[k];
        *n = 1;
        *i = k + 1;
        return SG_OK;
    }
    int32_t cp = k + 1 < len ? escape_byte((uint8_t)src[k + 1]) : -1;
    if (cp < 0) {
        cp = hex_unit(src + k, src + len);
        used = 6;
        if (cp >= 0xD800 && cp <= 0xDBFF) { /* a high surrogate: its low one follows */
            int32_t lo = hex_unit(src + k + 6, src + len);
            cp =
                lo >= 0xDC00 && lo <= 0xDFFF ? 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00) : -1;
            used = 12;
        }
        if (cp < 0 || (cp >= 0xDC00 && cp <= 0xDFFF)) {
            return SG_ERR_JSON_SYNTAX;
        }
    }
    *n = utf8_encode((uint32_t)cp, out);
    *i = k + used;
    return SG_OK;
}

sg_status sg_json_unescape(const char *src, size_t len, char *out, size_t cap, size_t *out_len)
{
    if ((src == NULL && len > 0) || out == NULL || cap == 0) {
        return SG_ERR_INVALID_ARG;
    }
    size_t i = 0, o = 0;
    out[0] = '\0';
    while (i < len) {
        char tmp[4];
        size_t n;
        sg_status st = decode_one(src, len, &i, tmp, &n);
        if (st == SG_OK && n >= cap - o) {
            st = SG_ERR_BUFFER_TOO_SMALL;
        }
        if (st != SG_OK) {
            sg_wipe(out, o); /* terminated, and no prefix of a secret left behind */
            return st;
        }
        memcpy(out + o, tmp, n);
        o += n;
    }
    out[o] = '\0';
    if (out_len != NULL) {
        *out_len = o;
    }
    return SG_OK;
}

/* ---------------------------------------------------------------- element helpers --- */

#if SG_JSON_TOKENS

/*
 * The element's token index and its length, tokenizing a reader's element on its first
 * read. SG_ERR_INVALID_ARG for a zeroed element.
 */
static sg_status index_of(const sg_json_element *e, const jsmntok_t **toks, int *count)
{
    if (e == NULL || e->_private.tok == NULL) {
        return SG_ERR_INVALID_ARG;
    }
    uint32_t *lazy = e->_private.lazy;
    uint32_t n = e->_private.count;
    if (lazy != NULL) { /* a reader's element: tokenized on its first read */
        if (*lazy == 0) {
            int got = tokenize(e->json, e->len, e->_private.tok, e->_private.cap);
            if (got == JSMN_ERROR_NOMEM) {
                return SG_ERR_JSON_TOO_MANY_TOKENS;
            }
            /* the reader validated the element; a disagreement of jsmn's is refused */
            if (got < 1) {                 /* GCOVR_EXCL_BR_LINE: see above */
                return SG_ERR_JSON_SYNTAX; /* GCOVR_EXCL_LINE */
            }
            *lazy = (uint32_t)got;
        }
        n = *lazy;
    }
    *toks = (const jsmntok_t *)(const void *)e->_private.tok;
    *count = (int)n;
    return SG_OK;
}

/* The element's tokens and their count, once the caller's output `out` is known to be
   there and `tok` to be one of them (SG_ERR_INVALID_ARG) and, unless `type` is
   JSMN_UNDEFINED, of that type (SG_ERR_JSON_TYPE). The checks live here once, not in each
   public function. */
static sg_status tokens_at(const sg_json_element *e, int tok, jsmntype_t type, const void *out,
                           const jsmntok_t **toks, int *count)
{
    if (out == NULL) {
        return SG_ERR_INVALID_ARG;
    }
    sg_status st = index_of(e, toks, count);
    if (st != SG_OK) {
        return st;
    }
    if (tok < 0 || tok >= *count) {
        return SG_ERR_INVALID_ARG;
    }
    if (type != JSMN_UNDEFINED && (*toks)[tok].type != type) {
        return SG_ERR_JSON_TYPE;
    }
    return SG_OK;
}

/* Token `tok` of the element, after the same checks. */
static sg_status token_at(const sg_json_element *e, int tok, const void *out, const jsmntok_t **t)
{
    const jsmntok_t *toks;
    int count;
    sg_status st = tokens_at(e, tok, JSMN_UNDEFINED, out, &toks, &count);
    if (st == SG_OK) {
        *t = &toks[tok];
    }
    return st;
}

sg_status sg_json_elem_count(const sg_json_element *e, size_t *count)
{
    if (e == NULL || count == NULL) {
        return SG_ERR_INVALID_ARG;
    }
    *count = 0;
    if (e->_private.tok == NULL) {
        return SG_OK; /* zeroed: no document */
    }
    const jsmntok_t *toks;
    int n;
    sg_status st = index_of(e, &toks, &n);
    if (st == SG_OK) {
        *count = (size_t)n;
    }
    return st;
}

sg_status sg_json_elem_skip(const sg_json_element *e, int tok, int *next)
{
    const jsmntok_t *toks;
    int count;
    sg_status st = tokens_at(e, tok, JSMN_UNDEFINED, next, &toks, &count);
    if (st != SG_OK) {
        return st;
    }
    int end = toks[tok].end, i = tok + 1;
    while (i < count && toks[i].start < end) {
        i++;
    }
    *next = i;
    return SG_OK;
}

/* Does the (escaped) string token equal key? */
static bool tok_eq(const char *json, const jsmntok_t *t, const char *key)
{
    const char *s = json + t->start;
    size_t len = (size_t)(t->end - t->start), i = 0, klen = strlen(key), k = 0;
#if !BYTEWISE /* fast builds compare a key without escapes at once; -Os ones take the loop */
    if (memchr(s, '\\', len) == NULL) {
        return len == klen && memcmp(s, key, len) == 0;
    }
#endif
    while (i < len) {
        char tmp[4];
        size_t n;
        /* the reader validated the key: decode_one() cannot fail (kept: it would not advance) */
        if (decode_one(s, len, &i, tmp, &n) != SG_OK) { /* GCOVR_EXCL_BR_LINE: see above */
            return false;                               /* GCOVR_EXCL_LINE */
        }
        if (n > klen - k || memcmp(key + k, tmp, n) != 0) {
            return false;
        }
        k += n;
    }
    return k == klen;
}

/* The next child of token `parent` after token i (pass parent itself for the first), or -1. */
static int next_child(const jsmntok_t *toks, int count, int parent, int i)
{
    for (i++; i < count && toks[i].start < toks[parent].end; i++) {
        if (toks[i].parent == parent) {
            return i;
        }
    }
    return -1;
}

sg_status sg_json_elem_member(const sg_json_element *e, int obj, const char *key, int *tok)
{
    const jsmntok_t *toks;
    int count;
    if (key == NULL) {
        return SG_ERR_INVALID_ARG;
    }
    sg_status st = tokens_at(e, obj, JSMN_OBJECT, tok, &toks, &count);
    if (st != SG_OK) {
        return st;
    }
    /* a key's value follows it (validated JSON); token_at() checks every index anyway */
    for (int i = obj; (i = next_child(toks, count, obj, i)) >= 0;) {
        if (tok_eq(e->json, &toks[i], key)) {
            *tok = i + 1;
            return SG_OK;
        }
    }
    return SG_ERR_NOT_FOUND;
}

sg_status sg_json_elem_item(const sg_json_element *e, int arr, size_t index, int *tok)
{
    const jsmntok_t *toks;
    int count;
    sg_status st = tokens_at(e, arr, JSMN_ARRAY, tok, &toks, &count);
    if (st != SG_OK) {
        return st;
    }
    if (index >= (size_t)toks[arr].size) {
        return SG_ERR_NOT_FOUND;
    }
    /* jsmn's size counts the array's children: the index-th one is there */
    int i = arr;
    for (size_t seen = 0; seen <= index; seen++) {
        i = next_child(toks, count, arr, i);
    }
    *tok = i;
    return SG_OK;
}

sg_status sg_json_elem_size(const sg_json_element *e, int tok, size_t *size)
{
    const jsmntok_t *t;
    sg_status st = token_at(e, tok, size, &t);
    if (st != SG_OK) {
        return st;
    }
    if (t->type != JSMN_OBJECT && t->type != JSMN_ARRAY) {
        return SG_ERR_JSON_TYPE;
    }
    *size = (size_t)t->size;
    return SG_OK;
}

/* The sg_json_type of a token (the text tells the primitives apart). */
static sg_json_type type_of(const char *json, const jsmntok_t *t)
{
    switch (t->type) {
    case JSMN_OBJECT:
        return SG_JSON_OBJECT;
    case JSMN_ARRAY:
        return SG_JSON_ARRAY;
    case JSMN_STRING:
        return SG_JSON_STRING;
    default: {
        char c = json[t->start];
        return c == 'n' ? SG_JSON_NULL : (c == 't' || c == 'f') ? SG_JSON_BOOL : SG_JSON_NUMBER;
    }
    }
}

sg_status sg_json_elem_type(const sg_json_element *e, int tok, sg_json_type *type)
{
    const jsmntok_t *t;
    sg_status st = token_at(e, tok, type, &t);
    if (st == SG_OK) {
        *type = type_of(e->json, t);
    }
    return st;
}

sg_status sg_json_tok_string(const sg_json_element *e, int tok, char *out, size_t cap, size_t *len)
{
    const jsmntok_t *t;
    if (cap == 0) {
        return SG_ERR_INVALID_ARG;
    }
    sg_status st = token_at(e, tok, out, &t);
    if (st != SG_OK) {
        return st;
    }
    if (t->type != JSMN_STRING) {
        return SG_ERR_JSON_TYPE;
    }
    return sg_json_unescape(e->json + t->start, (size_t)(t->end - t->start), out, cap, len);
}

sg_status sg_json_tok_int64(const sg_json_element *e, int tok, int64_t *out)
{
    const jsmntok_t *t;
    sg_status st = token_at(e, tok, out, &t);
    if (st != SG_OK) {
        return st;
    }
    /* strings are not numbers; true, false and null fail at their first letter below */
    if (t->type != JSMN_PRIMITIVE) {
        return SG_ERR_JSON_TYPE;
    }
    const char *s = e->json + t->start;
    size_t len = (size_t)(t->end - t->start), i = 0;
    bool neg = s[0] == '-';
    if (neg) {
        i = 1;
    }
    /* accumulate negatively so INT64_MIN fits (a validated number has a digit) */
    int64_t v = 0;
    for (; i < len; i++) {
        if (s[i] < '0' || s[i] > '9') {
            return SG_ERR_JSON_TYPE; /* fraction or exponent */
        }
        int d = s[i] - '0';
        /* v * 10 - d >= INT64_MIN, tested without a 64-bit division (a library call on
           32-bit targets): above INT64_MIN / 10, v * 10 cannot overflow */
        if (v < INT64_MIN / 10 || v * 10 < INT64_MIN + d) {
            return SG_ERR_JSON_TYPE;
        }
        v = v * 10 - d;
    }
    if (!neg) {
        if (v == INT64_MIN) {
            return SG_ERR_JSON_TYPE;
        }
        v = -v;
    }
    *out = v;
    return SG_OK;
}

sg_status sg_json_tok_bool(const sg_json_element *e, int tok, bool *out)
{
    const jsmntok_t *t;
    sg_status st = token_at(e, tok, out, &t);
    if (st != SG_OK) {
        return st;
    }
    if (type_of(e->json, t) != SG_JSON_BOOL) {
        return SG_ERR_JSON_TYPE;
    }
    *out = e->json[t->start] == 't';
    return SG_OK;
}

sg_status sg_json_tok_is_null(const sg_json_element *e, int tok, bool *is_null)
{
    const jsmntok_t *t;
    sg_status st = token_at(e, tok, is_null, &t);
    if (st == SG_OK) {
        *is_null = type_of(e->json, t) == SG_JSON_NULL;
    }
    return st;
}

sg_status sg_json_tok_raw(const sg_json_element *e, int tok, sg_slice *out)
{
    const jsmntok_t *t;
    sg_status st = token_at(e, tok, out, &t);
    if (st != SG_OK) {
        return st;
    }
    int q = t->type == JSMN_STRING ? 1 : 0;
    out->ptr = e->json + t->start - q;
    out->len = (size_t)(t->end - t->start) + 2u * (size_t)q;
    return SG_OK;
}

sg_status sg_json_elem_get_string(const sg_json_element *e, int obj, const char *key, char *out,
                                  size_t cap, size_t *len)
{
    int t;
    sg_status st = sg_json_elem_member(e, obj, key, &t);
    return st != SG_OK ? st : sg_json_tok_string(e, t, out, cap, len);
}

sg_status sg_json_elem_get_int64(const sg_json_element *e, int obj, const char *key, int64_t *out)
{
    int t;
    sg_status st = sg_json_elem_member(e, obj, key, &t);
    return st != SG_OK ? st : sg_json_tok_int64(e, t, out);
}

sg_status sg_json_elem_get_bool(const sg_json_element *e, int obj, const char *key, bool *out)
{
    int t;
    sg_status st = sg_json_elem_member(e, obj, key, &t);
    return st != SG_OK ? st : sg_json_tok_bool(e, t, out);
}

sg_status sg_json_elem_is_null(const sg_json_element *e, int obj, const char *key, bool *is_null)
{
    int t;
    sg_status st = sg_json_elem_member(e, obj, key, &t);
    return st != SG_OK ? st : sg_json_tok_is_null(e, t, is_null);
}

sg_status sg_json_elem_get_raw(const sg_json_element *e, int obj, const char *key, sg_slice *out)
{
    int t;
    sg_status st = sg_json_elem_member(e, obj, key, &t);
    return st != SG_OK ? st : sg_json_tok_raw(e, t, out);
}

sg_status sg_json_elem_each_string(const sg_json_element *e, int obj, const char *key, char *buf,
                                   size_t cap, sg_json_string_fn fn, void *ctx)
{
    const jsmntok_t *toks;
    int count, arr;
    sg_status st = fn == NULL ? SG_ERR_INVALID_ARG : sg_json_elem_member(e, obj, key, &arr);
    if (st == SG_OK) {
        st = tokens_at(e, arr, JSMN_ARRAY, &count, &toks, &count); /* fn checked above */
    }
    if (st != SG_OK) {
        return st;
    }
    size_t index = 0;
    for (int i = arr; (i = next_child(toks, count, arr, i)) >= 0;) {
        size_t len;
        st = sg_json_tok_string(e, i, buf, cap, &len);
        if (st == SG_OK) {
            st = fn(ctx, index++, buf, len);
        }
        if (st != SG_OK) {
            return st;
        }
    }
    return SG_OK;
}

#else /* !SG_JSON_TOKENS: every reader of the token index answers that it is left out */

/* Out of line: each stub below is one branch to it. */
static SG__NOINLINE sg_status tokens_left_out(void)
{
    return SG_ERR_UNSUPPORTED;
}

sg_status sg_json_parse(const char *json, size_t len, sg_json_tok *tokens, size_t max_tokens,
                        sg_json_element *out)
{
    (void)json, (void)len, (void)tokens, (void)max_tokens, (void)out;
    return tokens_left_out();
}

sg_status sg_json_elem_count(const sg_json_element *e, size_t *count)
{
    (void)e, (void)count;
    return tokens_left_out();
}

sg_status sg_json_elem_skip(const sg_json_element *e, int tok, int *next)
{
    (void)e, (void)tok, (void)next;
    return tokens_left_out();
}

sg_status sg_json_elem_member(const sg_json_element *e, int obj, const char *key, int *tok)
{
    (void)e, (void)obj, (void)key, (void)tok;
    return tokens_left_out();
}

sg_status sg_json_elem_item(const sg_json_element *e, int arr, size_t index, int *tok)
{
    (void)e, (void)arr, (void)index, (void)tok;
    return tokens_left_out();
}

sg_status sg_json_elem_size(const sg_json_element *e, int tok, size_t *size)
{
    (void)e, (void)tok, (void)size;
    return tokens_left_out();
}

sg_status sg_json_elem_type(const sg_json_element *e, int tok, sg_json_type *type)
{
    (void)e, (void)tok, (void)type;
    return tokens_left_out();
}

sg_status sg_json_tok_string(const sg_json_element *e, int tok, char *out, size_t cap, size_t *len)
{
    (void)e, (void)tok, (void)out, (void)cap, (void)len;
    return tokens_left_out();
}

sg_status sg_json_tok_int64(const sg_json_element *e, int tok, int64_t *out)
{
    (void)e, (void)tok, (void)out;
    return tokens_left_out();
}

sg_status sg_json_tok_bool(const sg_json_element *e, int tok, bool *out)
{
    (void)e, (void)tok, (void)out;
    return tokens_left_out();
}

sg_status sg_json_tok_is_null(const sg_json_element *e, int tok, bool *is_null)
{
    (void)e, (void)tok, (void)is_null;
    return tokens_left_out();
}

sg_status sg_json_tok_raw(const sg_json_element *e, int tok, sg_slice *out)
{
    (void)e, (void)tok, (void)out;
    return tokens_left_out();
}

sg_status sg_json_elem_get_string(const sg_json_element *e, int obj, const char *key, char *out,
                                  size_t cap, size_t *len)
{
    (void)e, (void)obj, (void)key, (void)out, (void)cap, (void)len;
    return tokens_left_out();
}

sg_status sg_json_elem_get_int64(const sg_json_element *e, int obj, const char *key, int64_t *out)
{
    (void)e, (void)obj, (void)key, (void)out;
    return tokens_left_out();
}

sg_status sg_json_elem_get_bool(const sg_json_element *e, int obj, const char *key, bool *out)
{
    (void)e, (void)obj, (void)key, (void)out;
    return tokens_left_out();
}

sg_status sg_json_elem_is_null(const sg_json_element *e, int obj, const char *key, bool *is_null)
{
    (void)e, (void)obj, (void)key, (void)is_null;
    return tokens_left_out();
}

sg_status sg_json_elem_get_raw(const sg_json_element *e, int obj, const char *key, sg_slice *out)
{
    (void)e, (void)obj, (void)key, (void)out;
    return tokens_left_out();
}

sg_status sg_json_elem_each_string(const sg_json_element *e, int obj, const char *key, char *buf,
                                   size_t cap, sg_json_string_fn fn, void *ctx)
{
    (void)e, (void)obj, (void)key, (void)buf, (void)cap, (void)fn, (void)ctx;
    return tokens_left_out();
}

#endif /* SG_JSON_TOKENS */
