/* sitegpt-c: URL parsing, Location resolution and urlencoded builders. */
#include <sitegpt/sg_url.h>

#include <string.h>

/* An upper-case hex digit for 0..15. */
static char hex_char(unsigned d)
{
    return (char)(d < 10 ? '0' + d : 'A' - 10 + d);
}

static bool is_alpha(uint8_t c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
static bool is_digit(uint8_t c)
{
    return c >= '0' && c <= '9';
}
static bool is_hex(uint8_t c)
{
    return is_digit(c) || (unsigned)((c | 0x20u) - 'a') < 6u; /* 'a'..'f' either case */
}
static bool is_unreserved(uint8_t c)
{
    return is_alpha(c) || is_digit(c) || c == '-' || c == '.' || c == '_' || c == '~';
}
static uint8_t lower(uint8_t c)
{
    return (c >= 'A' && c <= 'Z') ? (uint8_t)(c + 32) : c;
}

uint16_t sg_url_default_port(bool tls)
{
    return tls ? 443 : 80;
}

bool sg_url_same_origin(const sg_http_origin *a, const sg_http_origin *b)
{
    if (a == NULL || b == NULL || a->host == NULL || b->host == NULL || a->tls != b->tls ||
        a->port != b->port) {
        return false;
    }
    sg_slice s = {a->host, strlen(a->host)};
    return sg_slice_eq_nocase(s, b->host);
}

/*
 * "x.y.z" after "127.": three parts of 1 to 3 digits, each 0..255 (a first part of 127 can
 * only be spelled "127": "0127" has four digits).
 */
static bool ipv4_loopback_tail(const char *p)
{
    unsigned parts = 0, value = 0, digits = 0;
    for (;; p++) {
        if (is_digit((uint8_t)*p)) {
            value = value * 10u + (unsigned)(*p - '0');
            if (++digits > 3 || value > 255) {
                return false;
            }
            continue;
        }
        if (digits == 0 || (*p != '.' && *p != '\0')) {
            return false;
        }
        parts++;
        if (*p == '\0') {
            return parts == 3;
        }
        value = 0;
        digits = 0;
    }
}

/*
 * ::1 in any spelling: groups of 1 to 4 hex digits, all zero but the last, which is 1, so
 * the only characters are '0', ':' and a final '1' (a letter makes a group neither 0 nor 1).
 * Eight groups need seven colons; one "::" stands for at least one zero group, so seven
 * colons at most, eight when the text starts with it ("::0:0:0:0:0:0:1"). A leading ':'
 * comes only as "::"; ":::" counts as two gaps.
 */
static bool ipv6_is_loopback(const char *p)
{
    unsigned colons = 0, digits = 0, gaps = 0;
    char prev = 0;
    for (const char *c = p; *c != '\0'; c++) {
        if (prev == '1') {
            return false; /* the 1 ends the text */
        }
        if (*c == ':') {
            gaps += prev == ':';
            colons++;
            digits = 0;
        } else if ((*c != '0' && *c != '1') || ++digits > 4) {
            return false;
        }
        prev = *c;
    }
    unsigned max = p[0] == ':' ? 8 : 7;
    return prev == '1' && (p[0] != ':' || p[1] == ':') &&
           (gaps == 0 ? colons == 7 : gaps == 1 && colons <= max);
}

bool sg_url_is_loopback(const char *host)
{
    if (host == NULL) {
        return false;
    }
    sg_slice h = {host, strlen(host)};
    /* hosts a caller hands sg_http_exchange need not be lower-cased */
    return sg_slice_eq_nocase(h, "localhost") ||
           (h.len > 4 && memcmp(host, "127.", 4) == 0 && ipv4_loopback_tail(host + 4)) ||
           ipv6_is_loopback(host);
}

sg_status sg_url_check_secure(const sg_http_origin *o)
{
    if (o == NULL || o->host == NULL) {
        return SG_ERR_INVALID_ARG;
    }
    return o->tls || sg_url_is_loopback(o->host) ? SG_OK : SG_ERR_INSECURE_URL;
}

/*
 * *v /= 10, returning the remainder, with 32-bit divisions only: no 64-bit division routine
 * is linked in (libgcc's __udivmoddi4 is 700 B on Cortex-M). 2^32 = 10 * 429496729 + 6.
 */
static unsigned div10(uint64_t *v)
{
    uint32_t hi = (uint32_t)(*v >> 32);
    uint32_t lo = (uint32_t)*v;
    uint32_t r = hi % 10u;            /* the high word's remainder, carried down */
    uint32_t low = lo % 10u + r * 6u; /* at most 63 */
    *v = ((uint64_t)(hi / 10u) << 32) | (r * 429496729u + lo / 10u + low / 10u);
    return low % 10u;
}

sg_status sg_u64_to_dec(uint64_t v, char *out, size_t cap, size_t *written)
{
    char tmp[20]; /* filled from the end: the digits come least significant first */
    size_t at = sizeof tmp;
    if (out == NULL) {
        return SG_ERR_INVALID_ARG;
    }
    do {
        tmp[--at] = (char)('0' + div10(&v));
    } while (v != 0);
    size_t n = sizeof tmp - at;
    if (n + 1 > cap) {
        return SG_ERR_BUFFER_TOO_SMALL;
    }
    memcpy(out, tmp + at, n);
    out[n] = '\0';
    if (written != NULL) {
        *written = n;
    }
    return SG_OK;
}

/* --------------------------------------------------------------- URL parsing --- */

/*
 * Path and query characters we accept: printable ASCII but space, backslash, '"', '<', '>'
 * and '#' (a Location is cut before its fragment), '%' only in a valid %XX escape, and not
 * refused ('?' where no query may follow, NUL for no other).
 */
static bool valid_uri_chars(const char *s, size_t n, uint8_t refused)
{
    for (size_t i = 0; i < n; i++) {
        uint8_t c = (uint8_t)s[i];
        if (c <= 0x20 || c >= 0x7f || c == '\\' || c == '"' || c == '<' || c == '>' || c == '#' ||
            c == refused) {
            return false;
        }
        if (c == '%' && (i + 2 >= n || !is_hex((uint8_t)s[i + 1]) || !is_hex((uint8_t)s[i + 2]))) {
            return false;
        }
    }
    return true;
}

/* host_buf: both public callers refused NULL before anything else. */
static sg_status copy_host(const char *h, size_t n, char *host_buf, size_t host_cap)
{
    if (n + 1 > host_cap) {
        return SG_ERR_BUFFER_TOO_SMALL;
    }
    for (size_t i = 0; i < n; i++) {
        host_buf[i] = (char)lower((uint8_t)h[i]);
    }
    host_buf[n] = '\0';
    return SG_OK;
}

/*
 * "host[:port]" or "[v6][:port]" from an authority: copies the host and applies the plain
 * http rule (sg_url_check_secure). Userinfo, empty hosts, odd characters and ports outside
 * 1..65535 are refused.
 */
static sg_status parse_origin(const char *a, size_t n, char *host_buf, size_t host_cap,
                              sg_http_origin *out)
{
    const char *host;
    size_t host_len;
    size_t i;
    if (n == 0) {
        return SG_ERR_URL;
    }
    if (a[0] == '[') {
        bool colon = false;
        for (i = 1; i < n && a[i] != ']'; i++) {
            uint8_t c = (uint8_t)a[i];
            if (!is_hex(c) && c != ':' && c != '.') {
                return SG_ERR_URL;
            }
            colon = colon || c == ':';
        }
        if (i == n || !colon) {
            return SG_ERR_URL; /* no ']', or no ':' inside */
        }
        host = a + 1;
        host_len = i - 1;
        i++;
    } else {
        for (i = 0; i < n && a[i] != ':'; i++) {
            uint8_t c = (uint8_t)a[i]; /* letters, digits, '-', '.', '_' */
            if (!is_unreserved(c) || c == '~') {
                return SG_ERR_URL; /* '@' (userinfo) lands here too */
            }
        }
        host = a;
        host_len = i;
    }
    if (host_len == 0) {
        return SG_ERR_URL;
    }
    uint64_t port = sg_url_default_port(out->tls);
    if (i < n) { /* ':' and 1 to 5 digits, 1..65535 */
        sg_slice digits = {a + i + 1, n - i - 1};
        if (a[i] != ':' || !sg_slice_to_u64(digits, 5, &port) || port == 0 ||
            (uint32_t)port > 65535) {
            return SG_ERR_URL;
        }
    }
    sg_status st = copy_host(host, host_len, host_buf, host_cap);
    if (st != SG_OK) {
        return st;
    }
    out->host = host_buf;
    out->port = (uint16_t)port;
    return sg_url_check_secure(out);
}

/* Length of "http://" or "https://" at the start of s (either case), 0 when neither. */
static size_t scheme_len(const char *s, size_t n)
{
    static const char https[] = "https://";
    size_t i = 0;
    for (const char *t = https; *t != '\0'; t++) {
        if (i < n && lower((uint8_t)s[i]) == (uint8_t)*t) {
            i++;
        } else if (t != https + 4) {
            return 0; /* only the 's' may be missing */
        }
    }
    return i;
}

/*
 * Offset of the first '/' or '?' in s[0..n) (where an authority ends), n when none. A '#'
 * needs no stop: Location text is cut before it, and a base URL's authority refuses it.
 */
static size_t authority_len(const char *s, size_t n)
{
    size_t i = 0;
    while (i < n && s[i] != '/' && s[i] != '?') {
        i++;
    }
    return i;
}

sg_status sg_url_parse(const char *text, char *host_buf, size_t host_cap, sg_url *out)
{
    if (text == NULL || host_buf == NULL || out == NULL) {
        return SG_ERR_INVALID_ARG;
    }
    size_t n = strlen(text);
    size_t s = scheme_len(text, n);
    if (s == 0) {
        return SG_ERR_URL;
    }
    const char *auth = text + s;
    size_t auth_len = authority_len(auth, n - s);
    const char *path = auth + auth_len;
    size_t path_len = n - s - auth_len;
    if (!valid_uri_chars(path, path_len, '?')) {
        return SG_ERR_URL; /* a query or fragment included */
    }
    sg_url u;
    u.origin.tls = s == 8;
    sg_status st = parse_origin(auth, auth_len, host_buf, host_cap, &u.origin);
    if (st != SG_OK) {
        return st;
    }
    while (path_len > 0 && path[path_len - 1] == '/') {
        path_len--;
    }
    u.path.ptr = path;
    u.path.len = path_len;
    *out = u;
    return SG_OK;
}

sg_status sg_url_resolve_location(const sg_http_origin *current, sg_slice location, char *host_buf,
                                  size_t host_cap, char *target_buf, size_t target_cap,
                                  sg_http_origin *out)
{
    if (current == NULL || current->host == NULL || location.ptr == NULL || host_buf == NULL ||
        target_buf == NULL || out == NULL) {
        return SG_ERR_INVALID_ARG;
    }
    const char *l = location.ptr;
    const char *frag = memchr(l, '#', location.len); /* the fragment stays with the client */
    size_t n = frag != NULL ? (size_t)(frag - l) : location.len;
    if (n == 0 || !valid_uri_chars(l, n, '\0')) {
        return SG_ERR_URL;
    }
    sg_http_origin o = *current;
    size_t rest = 0;
    size_t s = scheme_len(l, n);
    if (s > 0) {
        o.tls = s == 8;
    } else if (n >= 2 && l[0] == '/' && l[1] == '/') {
        s = 2; /* scheme-relative: the current scheme */
    }
    if (s > 0) {
        size_t auth_len = authority_len(l + s, n - s);
        sg_status st = parse_origin(l + s, auth_len, host_buf, host_cap, &o);
        if (st != SG_OK) {
            return st;
        }
        rest = s + auth_len;
    } else if (l[0] == '/') {
        sg_status st = copy_host(current->host, strlen(current->host), host_buf, host_cap);
        if (st != SG_OK) {
            return st;
        }
        o.host = host_buf;
    } else {
        return SG_ERR_URL;
    }
    size_t len = n - rest;
    size_t slash = len == 0 || l[rest] != '/' ? 1 : 0; /* "?q" and "" become "/?q" and "/" */
    if (slash + len + 1 > target_cap) {
        return SG_ERR_BUFFER_TOO_SMALL;
    }
    target_buf[0] = '/'; /* overwritten by the text's own slash when it has one */
    memcpy(target_buf + slash, l + rest, len);
    target_buf[slash + len] = '\0';
    *out = o;
    return SG_OK;
}

sg_status sg_url_same_origin_text(const char *a, const char *b, bool *same)
{
    char hosts[2][SG_HOST_MAX] = {{0}}; /* zeroed for the analyzer: parse NUL-terminates */
    sg_url u[2];
    if (same == NULL) {
        return SG_ERR_INVALID_ARG;
    }
    *same = false;
    sg_status st = sg_url_parse(a, hosts[0], sizeof hosts[0], &u[0]);
    if (st == SG_OK) {
        st = sg_url_parse(b, hosts[1], sizeof hosts[1], &u[1]);
    }
    if (st == SG_OK) {
        *same = sg_url_same_origin(&u[0].origin, &u[1].origin);
    }
    return st;
}

/* --------------------------------------------------------------- encoding --- */

/*
 * The length of in encoded; space_plus selects the form encoding of spaces. With out, also
 * writes the encoding there (the caller checked the room with a first call without).
 */
static size_t encode(const sg_slice *in, bool space_plus, char *out)
{
    size_t o = 0;
    for (size_t i = 0; i < in->len; i++) {
        uint8_t c = (uint8_t)in->ptr[i];
        bool keep = is_unreserved(c);
        if (space_plus && c == ' ') {
            c = '+';
            keep = true;
        }
        if (keep) {
            if (out != NULL) {
                out[o] = (char)c;
            }
            o += 1;
        } else {
            if (out != NULL) {
                out[o] = '%';
                out[o + 1] = hex_char(c >> 4);
                out[o + 2] = hex_char(c & 15u);
            }
            o += 3;
        }
    }
    return o;
}

sg_status sg_url_encode(sg_slice in, char *out, size_t cap, size_t *written)
{
    if (out == NULL || (in.ptr == NULL && in.len > 0)) {
        return SG_ERR_INVALID_ARG;
    }
    size_t n = encode(&in, false, NULL);
    if (n + 1 > cap) {
        return SG_ERR_BUFFER_TOO_SMALL;
    }
    encode(&in, false, out);
    out[n] = '\0';
    if (written != NULL) {
        *written = n;
    }
    return SG_OK;
}

sg_status sg_url_path_segment(const char *id, char *out, size_t cap, size_t *written)
{
    if (id == NULL || out == NULL || strchr(id, '/') != NULL) {
        return SG_ERR_INVALID_ARG;
    }
    sg_slice s = {id, strlen(id)};
    /* "", "." and "..": another resource than the one the id names */
    if (s.len == 0 || (s.len <= 2 && id[0] == '.' && id[s.len - 1] == '.')) {
        return SG_ERR_INVALID_ARG;
    }
    return sg_url_encode(s, out, cap, written);
}

sg_status sg_form_init(sg_form *f, char *buf, size_t cap)
{
    if (f == NULL || buf == NULL || cap == 0) {
        return SG_ERR_INVALID_ARG;
    }
    f->buf = buf;
    f->cap = cap;
    f->len = 0;
    f->query = false;
    f->sep = 0;
    buf[0] = '\0';
    return SG_OK;
}

sg_status sg_query_init(sg_form *f, char *buf, size_t cap, const char *path)
{
    if (path == NULL || path[0] != '/') {
        return SG_ERR_INVALID_ARG;
    }
    sg_status st = sg_form_init(f, buf, cap);
    if (st != SG_OK) {
        return st;
    }
    size_t n = strlen(path);
    if (n + 1 > cap) {
        return SG_ERR_BUFFER_TOO_SMALL;
    }
    memcpy(buf, path, n + 1);
    f->len = n;
    f->query = true;
    const char *q = strchr(path, '?');
    if (q == NULL) {
        f->sep = '?';
    } else if (path[n - 1] != '?' && path[n - 1] != '&') {
        f->sep = '&';
    }
    return SG_OK;
}

sg_status sg_form_add_slice(sg_form *f, sg_slice key, sg_slice value)
{
    if (f == NULL || f->buf == NULL || key.ptr == NULL || key.len == 0 ||
        (value.ptr == NULL && value.len > 0)) {
        return SG_ERR_INVALID_ARG;
    }
    bool plus = !f->query;
    size_t need = (f->sep ? 1u : 0u) + encode(&key, plus, NULL) + 1 + encode(&value, plus, NULL);
    if (f->len + need + 1 > f->cap) {
        return SG_ERR_BUFFER_TOO_SMALL;
    }
    char *o = f->buf + f->len;
    if (f->sep) {
        *o++ = f->sep;
    }
    o += encode(&key, plus, o);
    *o++ = '=';
    o += encode(&value, plus, o);
    *o = '\0';
    f->len += need;
    f->sep = '&';
    return SG_OK;
}

sg_status sg_form_add(sg_form *f, const char *key, const char *value)
{
    if (key == NULL || value == NULL) {
        return SG_ERR_INVALID_ARG;
    }
    sg_slice k = {key, strlen(key)};
    sg_slice v = {value, strlen(value)};
    return sg_form_add_slice(f, k, v);
}

sg_status sg_form_add_u64(sg_form *f, const char *key, uint64_t value)
{
    char digits[21]; /* 2^64 - 1 has 20 */
    sg_status st = sg_u64_to_dec(value, digits, sizeof digits, NULL);
    return st != SG_OK ? st : sg_form_add(f, key, digits);
}
