/*
 * libFuzzer target for base URLs, Location resolution and the urlencoded builders, each
 * against an oracle written here (fuzz_url checks the trust rules). The
 * input is cut at its first two '\n' into a base URL, a Location value and form text.
 * Properties:
 *   - sg_url_parse: what parses prints back ("scheme://host:port" + path) to a text that
 *     parses to the same origin and path;
 *   - sg_url_resolve_location, against a fixed https origin and the parsed base: the
 *     origin is the current one for "/path", the one the Location names (host and port as
 *     written, lower-cased) for "//host" and "scheme://host", and https never becomes http
 *     unless the Location itself says "http:"; the target is "/" + exactly the text before
 *     the fragment, NUL-terminated, and nothing is written past the buffers;
 *   - sg_url_encode, form bodies and query strings decode back (a small decoder here is
 *     the oracle) to exactly the bytes given; an add that does not fit leaves the text as
 *     it was.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sitegpt/sg_url.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint8_t lower(uint8_t c)
{
    return (c >= 'A' && c <= 'Z') ? (uint8_t)(c + 32) : c;
}

static bool starts_nocase(const char *s, size_t n, const char *prefix)
{
    size_t p = strlen(prefix);
    if (n < p) {
        return false;
    }
    for (size_t i = 0; i < p; i++) {
        if (lower((uint8_t)s[i]) != (uint8_t)prefix[i]) {
            return false;
        }
    }
    return true;
}

static int hexval(uint8_t c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1; /* our encoder writes upper-case only */
}

/* Percent-decode s[0..n) ('+' as space when plus); false for anything malformed. */
static bool pct_decode(const char *s, size_t n, bool plus, char *out, size_t *out_len)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        uint8_t c = (uint8_t)s[i];
        if (c == '%') {
            if (i + 2 >= n) {
                return false;
            }
            int hi = hexval((uint8_t)s[i + 1]), lo = hexval((uint8_t)s[i + 2]);
            if (hi < 0 || lo < 0) {
                return false;
            }
            out[o++] = (char)(hi * 16 + lo);
            i += 2;
        } else if (plus && c == '+') {
            out[o++] = ' ';
        } else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                   c == '-' || c == '.' || c == '_' || c == '~') {
            out[o++] = (char)c;
        } else {
            return false; /* the encoder must have escaped it */
        }
    }
    *out_len = o;
    return true;
}

/* ------------------------------------------------------------------ base URLs --- */

static void check_parse(const char *text, size_t host_cap)
{
    char *host = malloc(host_cap); /* exact size: ASan sees an overrun */
    if (host == NULL) {
        abort();
    }
    sg_url u;
    sg_status st = sg_url_parse(text, host, host_cap, &u);
    if (st == SG_OK) {
        size_t hl = strlen(host);
        if (hl == 0 || hl >= host_cap || u.origin.host != host || u.origin.port == 0) {
            abort();
        }
        for (size_t i = 0; i < hl; i++) {
            if (host[i] >= 'A' && host[i] <= 'Z') {
                abort();
            }
        }
        if (u.path.len > 0 && (u.path.ptr[0] != '/' || u.path.ptr[u.path.len - 1] == '/')) {
            abort();
        }
        if (memchr(u.path.ptr, '?', u.path.len) || memchr(u.path.ptr, '#', u.path.len)) {
            abort();
        }
        /* print it back and parse again */
        static char again[8192];
        static char host2[4096];
        bool v6 = strchr(host, ':') != NULL;
        size_t n = 0;
        const char *scheme = u.origin.tls ? "https://" : "http://";
        memcpy(again, scheme, strlen(scheme));
        n += strlen(scheme);
        if (v6) {
            again[n++] = '[';
        }
        memcpy(again + n, host, hl);
        n += hl;
        if (v6) {
            again[n++] = ']';
        }
        n += (size_t)snprintf(again + n, 16, ":%u", (unsigned)u.origin.port);
        memcpy(again + n, u.path.ptr, u.path.len);
        n += u.path.len;
        again[n] = '\0';
        sg_url v;
        if (sg_url_parse(again, host2, sizeof host2, &v) != SG_OK) {
            abort();
        }
        if (!sg_url_same_origin(&u.origin, &v.origin) || v.path.len != u.path.len ||
            memcmp(v.path.ptr, u.path.ptr, u.path.len) != 0 || strcmp(host, host2) != 0) {
            abort();
        }
    } else if (st == SG_ERR_INSECURE_URL) {
        if (!starts_nocase(text, strlen(text), "http://")) {
            abort(); /* http off loopback */
        }
    } else if (st != SG_ERR_URL && st != SG_ERR_BUFFER_TOO_SMALL) {
        abort();
    }
    free(host);
}

/* ------------------------------------------------------------------ Location --- */

/* "host[:port]" as written in an authority: the host part (brackets dropped). */
static void authority_host(const char *a, size_t n, const char **h, size_t *hl, uint32_t *port,
                           bool tls)
{
    *port = tls ? 443 : 80;
    if (n > 0 && a[0] == '[') {
        const char *close = memchr(a, ']', n);
        *h = a + 1;
        *hl = (size_t)(close - a) - 1;
        a = close + 1;
        n -= *hl + 2;
    } else {
        const char *colon = memchr(a, ':', n);
        *h = a;
        *hl = colon ? (size_t)(colon - a) : n;
        a += *hl;
        n -= *hl;
    }
    if (n > 0) { /* ":digits" */
        *port = 0;
        for (size_t i = 1; i < n; i++) {
            *port = *port * 10 + (uint32_t)(a[i] - '0');
        }
    }
}

static void check_location(const sg_http_origin *cur, const char *loc, size_t n, size_t host_cap,
                           size_t target_cap)
{
    char *host = malloc(host_cap);
    char *target = malloc(target_cap);
    if (host == NULL || target == NULL) {
        abort();
    }
    sg_slice l = {loc, n};
    sg_http_origin out;
    sg_status st = sg_url_resolve_location(cur, l, host, host_cap, target, target_cap, &out);
    if (st == SG_OK) {
        if (out.host != host || out.port == 0) {
            abort();
        }
        /* what the Location says, read here independently */
        const char *frag = memchr(loc, '#', n);
        size_t m = frag ? (size_t)(frag - loc) : n;
        size_t rest;
        bool tls = cur->tls;
        if (starts_nocase(loc, m, "https://") || starts_nocase(loc, m, "http://") ||
            (m >= 2 && loc[0] == '/' && loc[1] == '/')) {
            size_t s = 2;
            if (starts_nocase(loc, m, "https://")) {
                tls = true;
                s = 8;
            } else if (starts_nocase(loc, m, "http://")) {
                tls = false;
                s = 7;
            }
            size_t a = s;
            while (a < m && loc[a] != '/' && loc[a] != '?') {
                a++;
            }
            const char *h;
            size_t hl;
            uint32_t port;
            authority_host(loc + s, a - s, &h, &hl, &port, tls);
            if (strlen(host) != hl || out.port != port || out.tls != tls) {
                abort();
            }
            for (size_t i = 0; i < hl; i++) {
                if ((uint8_t)host[i] != lower((uint8_t)h[i])) {
                    abort();
                }
            }
            rest = a;
        } else {
            if (loc[0] != '/' || !sg_url_same_origin(cur, &out)) {
                abort();
            }
            rest = 0;
        }
        /* https never becomes http unless the Location says so */
        if (cur->tls && !out.tls && !starts_nocase(loc, m, "http://")) {
            abort();
        }
        size_t tl = strlen(target);
        size_t want = m - rest + ((rest == m || loc[rest] != '/') ? 1u : 0u);
        if (tl != want || tl >= target_cap || target[0] != '/' ||
            memcmp(target + (tl - (m - rest)), loc + rest, m - rest) != 0) {
            abort();
        }
        for (size_t i = 0; i < tl; i++) {
            if ((uint8_t)target[i] <= 0x20 || (uint8_t)target[i] >= 0x7f) {
                abort();
            }
        }
    } else if (st == SG_ERR_INSECURE_URL) {
        /* plain http off loopback: only where the Location leads to http */
        bool to_http = starts_nocase(loc, n, "http://") ||
                       (!cur->tls && n >= 2 && loc[0] == '/' && loc[1] == '/');
        if (!to_http) {
            abort();
        }
    } else if (st != SG_ERR_URL && st != SG_ERR_BUFFER_TOO_SMALL) {
        abort();
    }
    free(host);
    free(target);
}

/* ------------------------------------------------------------------ encoding --- */

static void check_encode(const char *s, size_t n, size_t cap)
{
    char *out = malloc(cap);
    static char back[4096];
    if (out == NULL) {
        abort();
    }
    sg_slice in = {s, n};
    size_t w = 0;
    sg_status st = sg_url_encode(in, out, cap, &w);
    if (st == SG_OK) {
        size_t bl = 0;
        if (w >= cap || out[w] != '\0' || !pct_decode(out, w, false, back, &bl) || bl != n ||
            memcmp(back, s, n) != 0) {
            abort();
        }
    } else if (st != SG_ERR_BUFFER_TOO_SMALL || n * 3 + 1 <= cap) {
        abort();
    }
    free(out);
}

/*
 * Pairs from s: fields cut at 0x01 (pair) and 0x02 (key/value); keys must not be empty.
 * Build them as a form body or a query, then split and decode the text back.
 */
static void check_form(const char *s, size_t n, bool query, size_t cap)
{
    static char keys[64][512], vals[64][512];
    static size_t klen[64], vlen[64];
    size_t pairs = 0;
    for (size_t i = 0; i < n && pairs < 64;) {
        size_t j = i;
        while (j < n && s[j] != 1) {
            j++;
        }
        const char *sep = memchr(s + i, 2, j - i);
        size_t kl = sep ? (size_t)(sep - (s + i)) : j - i;
        size_t vl = sep ? j - i - kl - 1 : 0;
        if (kl > 0 && kl < 512 && vl < 512) {
            memcpy(keys[pairs], s + i, kl);
            klen[pairs] = kl;
            memcpy(vals[pairs], sep ? sep + 1 : "", vl);
            vlen[pairs] = vl;
            pairs++;
        }
        i = j + 1;
    }
    char *buf = malloc(cap);
    static char before[8192];
    if (buf == NULL) {
        abort();
    }
    sg_form f;
    sg_status st =
        query ? sg_query_init(&f, buf, cap, "/api/v2/tokens") : sg_form_init(&f, buf, cap);
    if (st != SG_OK) {
        if (st != SG_ERR_BUFFER_TOO_SMALL) {
            abort();
        }
        free(buf);
        return;
    }
    size_t added = 0;
    for (size_t p = 0; p < pairs; p++) {
        size_t len_before = f.len;
        memcpy(before, buf, f.len + 1);
        sg_slice k = {keys[p], klen[p]}, v = {vals[p], vlen[p]};
        st = sg_form_add_slice(&f, k, v);
        if (st == SG_ERR_BUFFER_TOO_SMALL) {
            if (f.len != len_before || memcmp(before, buf, f.len + 1) != 0) {
                abort();
            }
            break;
        }
        if (st != SG_OK) {
            abort();
        }
        added++;
    }
    /* split the text back into pairs */
    sg_slice text = sg_form_text(&f);
    if (text.len >= cap || buf[text.len] != '\0' || strlen(buf) != text.len) {
        abort();
    }
    const char *t = text.ptr;
    size_t tn = text.len;
    if (query) {
        const char *path = "/api/v2/tokens";
        if (tn < strlen(path) || memcmp(t, path, strlen(path)) != 0) {
            abort();
        }
        t += strlen(path);
        tn -= strlen(path);
        if (added > 0) {
            if (tn == 0 || t[0] != '?') {
                abort();
            }
            t++;
            tn--;
        } else if (tn != 0) {
            abort();
        }
    }
    size_t p = 0;
    static char dk[2048], dv[2048];
    if (added == 0 && tn != 0) {
        abort();
    }
    for (size_t i = 0; added > 0 && i <= tn; p++) {
        size_t j = i;
        while (j < tn && t[j] != '&') {
            j++;
        }
        const char *eq = memchr(t + i, '=', j - i);
        if (eq == NULL || p >= added) {
            abort();
        }
        size_t kl = 0, vl = 0;
        if (!pct_decode(t + i, (size_t)(eq - (t + i)), !query, dk, &kl) ||
            !pct_decode(eq + 1, (size_t)(t + j - eq - 1), !query, dv, &vl) || kl != klen[p] ||
            vl != vlen[p] || memcmp(dk, keys[p], kl) != 0 || memcmp(dv, vals[p], vl) != 0) {
            abort();
        }
        i = j + 1;
    }
    if (p != added) {
        abort();
    }
    free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2 || size > 4096) {
        return 0;
    }
    uint8_t knobs = data[0];
    const char *s = (const char *)data + 1;
    size_t n = size - 1;
    const char *nl1 = memchr(s, '\n', n);
    size_t base_len = nl1 ? (size_t)(nl1 - s) : n;
    const char *loc = nl1 ? nl1 + 1 : s + n;
    size_t rest = n - (size_t)(loc - s);
    const char *nl2 = memchr(loc, '\n', rest);
    size_t loc_len = nl2 ? (size_t)(nl2 - loc) : rest;
    const char *form = nl2 ? nl2 + 1 : loc + loc_len;
    size_t form_len = n - (size_t)(form - s);

    size_t host_cap = 1 + (size_t)(knobs & 0x0f) * 4;  /* 1..61: reach the limits */
    size_t target_cap = 1 + (size_t)(knobs >> 4) * 16; /* 1..241 */

    /* base URL (a C string: stop at a NUL) */
    static char base[4096];
    memcpy(base, s, base_len);
    base[base_len] = '\0';
    check_parse(base, host_cap);
    check_parse(base, 256);

    /* Location, copied to an exact-size buffer (a slice, not a C string) */
    char *l = malloc(loc_len ? loc_len : 1);
    if (l == NULL) {
        abort();
    }
    memcpy(l, loc, loc_len);
    if (loc_len > 0) {
        static const sg_http_origin https_cur = {"api.sitegpt.ai", 443, true};
        check_location(&https_cur, l, loc_len, host_cap, target_cap);
        check_location(&https_cur, l, loc_len, 256, 4200);
        static char host[256];
        sg_url u;
        if (sg_url_parse(base, host, sizeof host, &u) == SG_OK) {
            check_location(&u.origin, l, loc_len, 256, 4200);
        }
    }
    free(l);

    check_encode(form, form_len, 1 + (size_t)knobs * 4);
    check_encode(form, form_len, form_len * 3 + 1);
    check_form(form, form_len, (knobs & 1) != 0, 16 + (size_t)knobs * 8);
    check_form(form, form_len, (knobs & 1) == 0, 8192);
    return 0;
}
