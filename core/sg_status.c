/*
 * sitegpt-c: one sentence for every status code, or a few words with the option
 * SG_STRERROR_TERSE (sg_options.h), or only the code's layer with SG_STRERROR_TEXTS 0, for
 * small flash.
 */
#include <sitegpt/sg_base.h>

/* X(status, short form, sentence): one list, so the two forms cannot drift apart; in code
   order, GAP(n) standing for a code -n that is not declared. */
#define SG_STATUS_TEXTS(X, GAP)                                                                    \
    X(SG_OK, "ok", "success")                                                                      \
    X(SG_ERR_INVALID_ARG, "bad argument", "invalid argument")                                      \
    X(SG_ERR_BUFFER_TOO_SMALL, "buffer too small", "a caller buffer is too small for the data")    \
    X(SG_ERR_CANCELLED, "cancelled", "the operation was cancelled")                                \
    X(SG_ERR_UNSUPPORTED, "unsupported", "the operation is not supported by this build")           \
    X(SG_ERR_STORAGE, "storage", "local storage failed")                                           \
    X(SG_ERR_NOT_FOUND, "not found", "not found")                                                  \
    X(SG_ERR_URL, "bad URL", "the URL is not valid")                                               \
    X(SG_ERR_LAYOUT, "options mismatch",                                                           \
      "the application was built with other sg_options.h settings than the library")               \
    X(SG_ERR_INSECURE_URL, "insecure URL",                                                         \
      "plain http:// is allowed only for loopback hosts (localhost, 127.0.0.0/8, ::1)")            \
    X(SG_ERR_IO, "I/O", "network input/output failed")                                             \
    X(SG_ERR_TIMEOUT, "timeout", "the network operation timed out")                                \
    X(SG_ERR_CLOSED, "closed", "the server closed the connection")                                 \
    X(SG_ERR_DNS, "DNS", "the host name could not be resolved")                                    \
    X(SG_ERR_CONNECT, "connect", "could not connect to the server")                                \
    X(SG_ERR_TLS, "TLS", "the TLS session failed")                                                 \
    X(SG_ERR_CERT, "bad cert", "the server certificate was rejected")                              \
    X(SG_ERR_ENTROPY, "entropy", "no entropy source is available")                                 \
    X(SG_ERR_PROXY, "proxy refused", "the HTTP proxy refused the tunnel")                          \
    GAP(19)                                                                                        \
    X(SG_ERR_HTTP_MALFORMED, "bad HTTP", "the HTTP response is malformed")                         \
    X(SG_ERR_HTTP_HEADERS_TOO_LARGE, "HTTP headers too big",                                       \
      "the HTTP response headers exceed the I/O buffer")                                           \
    X(SG_ERR_HTTP_BARE_CR, "bare CR", "the HTTP response contains a bare CR")                      \
    X(SG_ERR_HTTP_OBS_FOLD, "obs-fold", "the HTTP response uses obsolete header line folding")     \
    X(SG_ERR_HTTP_HEADER_NAME, "HTTP header name", "the HTTP response has an invalid header name") \
    X(SG_ERR_HTTP_CONTENT_LENGTH, "bad Content-Length",                                            \
      "the HTTP response has an invalid or conflicting Content-Length")                            \
    X(SG_ERR_HTTP_LENGTH_AND_CHUNKED, "length+chunked",                                            \
      "the HTTP response has both Content-Length and chunked encoding")                            \
    X(SG_ERR_HTTP_CHUNK, "bad chunk", "the HTTP response has a malformed chunk")                   \
    X(SG_ERR_HTTP_TRUNCATED, "HTTP truncated",                                                     \
      "the connection closed before the HTTP response was complete")                               \
    X(SG_ERR_HTTP_STATUS, "HTTP status", "the server answered with an HTTP error status")          \
    X(SG_ERR_HTTP_TOO_MANY_REDIRECTS, "too many redirects", "too many HTTP redirects")             \
    X(SG_ERR_HTTP_VERSION, "HTTP version", "the server does not speak HTTP/1.x")                   \
    X(SG_ERR_HTTP_REDIRECT_DOWNGRADE, "redirect to http",                                          \
      "the server redirected from https to plain http (refused)")                                  \
    X(SG_ERR_HTTP_REDIRECT_BODY, "redirect with body",                                             \
      "the server redirected a request with a body to another origin (not re-sent)")               \
    GAP(34)                                                                                        \
    GAP(35)                                                                                        \
    GAP(36)                                                                                        \
    GAP(37)                                                                                        \
    GAP(38)                                                                                        \
    GAP(39)                                                                                        \
    X(SG_ERR_JSON_SYNTAX, "JSON syntax", "the JSON is malformed")                                  \
    X(SG_ERR_JSON_DEPTH, "JSON depth", "the JSON nests deeper than the configured limit")          \
    X(SG_ERR_JSON_STRING_TOO_LONG, "JSON string too long",                                         \
      "a JSON string exceeds the configured limit")                                                \
    X(SG_ERR_JSON_ELEMENT_TOO_LARGE, "JSON element too big",                                       \
      "a JSON element exceeds the element buffer")                                                 \
    X(SG_ERR_JSON_TOO_MANY_TOKENS, "JSON tokens",                                                  \
      "a JSON element has more tokens than the configured limit")                                  \
    X(SG_ERR_JSON_TYPE, "JSON type", "a JSON value has an unexpected type")                        \
    X(SG_ERR_JSON_PATH_TOO_LONG, "JSON path too long", "a JSON path exceeds the configured limit") \
    X(SG_ERR_JSON_DUPLICATE_KEY, "JSON duplicate key",                                             \
      "a JSON object names the same member twice")                                                 \
    GAP(48)                                                                                        \
    GAP(49)                                                                                        \
    X(SG_ERR_API, "API error", "the API returned an error")                                        \
    X(SG_ERR_AUTH, "token rejected", "the API token was rejected")                                 \
    X(SG_ERR_RATE_LIMITED, "rate limited", "the API rate limit was exceeded")                      \
    GAP(53)                                                                                        \
    GAP(54)                                                                                        \
    GAP(55)                                                                                        \
    GAP(56)                                                                                        \
    GAP(57)                                                                                        \
    GAP(58)                                                                                        \
    GAP(59)                                                                                        \
    X(SG_ERR_AUTHORIZATION_PENDING, "pending", "the login is waiting for approval")                \
    X(SG_ERR_SLOW_DOWN, "slow down", "the server asked to poll more slowly")                       \
    X(SG_ERR_ACCESS_DENIED, "denied", "the login was denied")                                      \
    X(SG_ERR_EXPIRED_TOKEN, "code expired", "the login code expired; start again")                 \
    X(SG_ERR_OAUTH, "OAuth error", "the authorization server returned an error")                   \
    X(SG_ERR_INSECURE_ENDPOINT, "insecure endpoint", "an endpoint on another origin is not https") \
    X(SG_ERR_DISCOVERY, "discovery issuer",                                                        \
      "the authorization server metadata names another issuer than the server it came from")

/* Each status sits at position -status in the list (checked here). */
#define SG_STATUS_POSITION(st, terse, sentence) POSITION_OF_##st,
#define SG_GAP_POSITION(n)                      POSITION_OF_GAP_##n,
enum { SG_STATUS_TEXTS(SG_STATUS_POSITION, SG_GAP_POSITION) STATUS_TEXT_COUNT };
#define SG_STATUS_AT(st, terse, sentence) \
    _Static_assert(POSITION_OF_##st == -(st), #st " is out of place in SG_STATUS_TEXTS");
#define SG_GAP_AT(n) _Static_assert(POSITION_OF_GAP_##n == (n), "GAP(" #n ") is out of place");
SG_STATUS_TEXTS(SG_STATUS_AT, SG_GAP_AT)

#if SG_STRERROR_TEXTS
/*
 * The texts packed into one string, each ending in its NUL, at position -status: no pointer
 * table and no code table (a switch over the cases costs a word per code, more than the short
 * texts); a code the list skips (GAP) has an empty text, one byte.
 */
#define SG_GAP_TEXT(n) "\0"
#if SG_STRERROR_TERSE
#define SG_STATUS_TEXT(st, terse, sentence) terse "\0"
#else
#define SG_STATUS_TEXT(st, terse, sentence) sentence "\0"
#endif
static const char k_texts[] = SG_STATUS_TEXTS(SG_STATUS_TEXT, SG_GAP_TEXT);

const char *sg_strerror(sg_status status)
{
    if (status <= 0 && status > -STATUS_TEXT_COUNT) {
        const char *text = k_texts;
        for (int skip = -(int)status; skip > 0; text++) {
            skip -= *text == '\0'; /* past one text per NUL */
        }
        if (text[0] != '\0') {
            return text;
        }
    }
    return "unknown status";
}

#else /* !SG_STRERROR_TEXTS */

/*
 * No per-status texts: each layer's codes are one run in sg_base.h, so a range names the
 * layer and the caller logs the number. tests/unit/test_status_trims.c holds every declared
 * code inside a range and every skipped one outside.
 */
static const int8_t k_layer_codes[][2] = {
    /* first, last */
    {SG_OK, SG_OK},
    {SG_ERR_INVALID_ARG, SG_ERR_INSECURE_URL},
    {SG_ERR_IO, SG_ERR_PROXY},
    {SG_ERR_HTTP_MALFORMED, SG_ERR_HTTP_REDIRECT_BODY},
    {SG_ERR_JSON_SYNTAX, SG_ERR_JSON_DUPLICATE_KEY},
    {SG_ERR_API, SG_ERR_RATE_LIMITED},
    {SG_ERR_AUTHORIZATION_PENDING, SG_ERR_DISCOVERY},
};
/* the layers' names in that order, packed (a NUL after each) */
static const char k_layer_names[] = "ok\0sitegpt error\0network error\0HTTP error\0JSON error\0"
                                    "API error\0login error";
_Static_assert(SG_ERR_DISCOVERY == 1 - STATUS_TEXT_COUNT, "the last layer ends at the last code");

const char *sg_strerror(sg_status status)
{
    const char *name = k_layer_names;
    for (size_t i = 0; i < sizeof k_layer_codes / sizeof k_layer_codes[0]; i++) {
        if (status <= k_layer_codes[i][0] && status >= k_layer_codes[i][1]) {
            return name;
        }
        while (*name++ != '\0') {
            /* past this layer's name and its NUL */
        }
    }
    return "unknown status";
}

#endif /* SG_STRERROR_TEXTS */
