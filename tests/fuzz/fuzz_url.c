/*
 * libFuzzer target for the URL rules a server or a file can reach: base URL parsing (config
 * file, discovery document), Location resolution against an https and a loopback http
 * origin, the loopback test and path segments. Invariants, not just "no crash": an accepted
 * plain http origin is always loopback, a resolved target is origin-form without controls,
 * and a path segment never holds '/' nor is "." or "..".
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sitegpt/sg_url.h>

static void check_origin(const sg_http_origin *o)
{
    if (o->host == NULL || o->port == 0 || (!o->tls && !sg_url_is_loopback(o->host))) {
        abort();
    }
}

static void check_target(const char *t)
{
    if (t[0] != '/') {
        abort();
    }
    for (const char *p = t; *p != '\0'; p++) {
        if ((unsigned char)*p <= 0x20 || (unsigned char)*p >= 0x7f || *p == '#') {
            abort();
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static char text[1025];
    if (size >= sizeof text) {
        return 0;
    }
    memcpy(text, data, size);
    text[size] = '\0';

    char host[SG_HOST_MAX];
    sg_url u;
    if (sg_url_parse(text, host, sizeof host, &u) == SG_OK) {
        check_origin(&u.origin);
        bool same = false;
        if (sg_url_same_origin_text(text, text, &same) != SG_OK || !same) {
            abort();
        }
    }
    (void)sg_url_is_loopback(text);

    static const sg_http_origin froms[] = {{"sitegpt.ai", 443, true}, {"127.0.0.1", 8080, false}};
    sg_slice loc = {text, size};
    for (size_t i = 0; i < sizeof froms / sizeof froms[0]; i++) {
        char target[256];
        sg_http_origin o;
        if (sg_url_resolve_location(&froms[i], loc, host, sizeof host, target, sizeof target, &o) ==
            SG_OK) {
            check_origin(&o);
            check_target(target);
        }
    }

    char seg[3 * 1024 + 1];
    size_t n = 0;
    if (sg_url_path_segment(text, seg, sizeof seg, &n) == SG_OK) {
        if (n != strlen(seg) || strchr(seg, '/') != NULL || strcmp(seg, ".") == 0 ||
            strcmp(seg, "..") == 0 || n == 0) {
            abort();
        }
    }
    return 0;
}
