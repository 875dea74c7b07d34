/*
 * sitegpt-c: API base URLs, redirect targets, percent-encoding, query strings and
 * application/x-www-form-urlencoded bodies. No heap: every output goes to a caller buffer.
 */
#ifndef SG_URL_H
#define SG_URL_H

#include "sg_base.h"
#include "sg_http.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * A parsed base URL such as "https://sitegpt.ai" or "http://localhost:8443/prefix".
 * origin.host points into the caller's host buffer (lower-cased, IPv6 without brackets);
 * path is the prefix borrowed from the input text, without a trailing slash ("" for none),
 * so "<path>/api/v2/me" is always a valid target.
 */
typedef struct sg_url {
    sg_http_origin origin;
    sg_slice path;
} sg_url;

/*
 * Parse an API base URL: http or https, a host (name, IPv4 or [IPv6]), an optional port
 * 1..65535 and an optional path. SG_ERR_URL for anything else (userinfo, query, fragment,
 * bad port, no host, other schemes, spaces or control characters);
 * SG_ERR_INSECURE_URL for http:// to a host that is not loopback (sg_url_check_secure);
 * SG_ERR_BUFFER_TOO_SMALL when the host does not fit host_cap (NUL included).
 */
SG_NODISCARD sg_status sg_url_parse(const char *text, char *host_buf, size_t host_cap, sg_url *out);

/*
 * Resolve a Location header against the current origin: an absolute http(s) URL, a
 * scheme-relative "//host/path" or an absolute path "/path?query". The new origin's host is
 * copied into host_buf and the origin-form target ("/path?query", fragment dropped) into
 * target_buf, both NUL-terminated. Relative references ("next", "../x") are SG_ERR_URL;
 * an http:// origin that is not loopback is SG_ERR_INSECURE_URL (whether https may go to
 * http at all is the redirect rule's call, sg_redirect_check).
 */
SG_NODISCARD sg_status sg_url_resolve_location(const sg_http_origin *current, sg_slice location,
                                               char *host_buf, size_t host_cap, char *target_buf,
                                               size_t target_cap, sg_http_origin *out);

/* True when scheme, host and port are the same (hosts compared without case). */
bool sg_url_same_origin(const sg_http_origin *a, const sg_http_origin *b);

/*
 * True for a loopback host as sg_url_parse leaves it (lower case, IPv6 without brackets):
 * "localhost", an IPv4 dotted quad in 127.0.0.0/8, or ::1 in any spelling.
 */
bool sg_url_is_loopback(const char *host);

/*
 * The one rule for plain http, applied wherever a URL comes from (flag, environment,
 * config file, discovery document, Location) and again by sg_http_exchange before any
 * connection: https anywhere, http only to a loopback host. SG_OK or SG_ERR_INSECURE_URL.
 */
SG_NODISCARD sg_status sg_url_check_secure(const sg_http_origin *o);

/*
 * Whether two base URLs name the same origin (scheme, host, port: "https://h" and
 * "https://H:443/x" do). Each is parsed with sg_url_parse, whose status is returned when
 * one is not a valid base (the other is then not looked at).
 */
SG_NODISCARD sg_status sg_url_same_origin_text(const char *a, const char *b, bool *same);

/*
 * One path segment from an id the caller was given (a token or chatbot id): "", "." and
 * ".." and anything holding '/' are SG_ERR_INVALID_ARG (they would name another resource);
 * everything else is percent-encoded as by sg_url_encode (so '?', '#', '%' and a backslash stay
 * inside the segment). *written excludes the NUL and may be NULL.
 */
SG_NODISCARD sg_status sg_url_path_segment(const char *id, char *out, size_t cap, size_t *written);

/* 443 for https, 80 for http. */
uint16_t sg_url_default_port(bool tls);

/*
 * Percent-encode in (RFC 3986: everything but ALPHA DIGIT "-._~" becomes %XX) into out,
 * NUL-terminated. *written excludes the NUL and may be NULL.
 */
SG_NODISCARD sg_status sg_url_encode(sg_slice in, char *out, size_t cap, size_t *written);

/* Decimal digits of v into out, NUL-terminated; *written excludes the NUL, may be NULL. */
SG_NODISCARD sg_status sg_u64_to_dec(uint64_t v, char *out, size_t cap, size_t *written);

/*
 * A bounded builder of "key=value&key=value" text, used for query strings (space as %20,
 * first separator '?' unless the path already has one) and for
 * application/x-www-form-urlencoded bodies (space as '+'). Repeated keys are allowed.
 * The text stays NUL-terminated; an add that does not fit returns SG_ERR_BUFFER_TOO_SMALL
 * and leaves the text as it was.
 */
typedef struct sg_form {
    char *buf;
    size_t cap;
    size_t len; /* bytes of text, NUL excluded */
    bool query; /* query string rather than form body */
    char sep;   /* written before the next pair, 0 for none */
} sg_form;

/* An empty form body. */
SG_NODISCARD sg_status sg_form_init(sg_form *f, char *buf, size_t cap);

/* A target starting with path ("/api/v2/tokens"); pairs are appended as its query. */
SG_NODISCARD sg_status sg_query_init(sg_form *f, char *buf, size_t cap, const char *path);

SG_NODISCARD sg_status sg_form_add(sg_form *f, const char *key, const char *value);
SG_NODISCARD sg_status sg_form_add_slice(sg_form *f, sg_slice key, sg_slice value);
SG_NODISCARD sg_status sg_form_add_u64(sg_form *f, const char *key, uint64_t value);

/* The text built so far. */
static inline sg_slice sg_form_text(const sg_form *f)
{
    sg_slice s = {f->buf, f->len};
    return s;
}

#ifdef __cplusplus
}
#endif

#endif /* SG_URL_H */
