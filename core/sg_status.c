/* sitegpt-c: one sentence for every status code. */
#include "sg_base.h"

const char *sg_strerror(sg_status status)
{
    switch (status) {
    case SG_OK: return "success";
    case SG_ERR_INVALID_ARG: return "invalid argument";
    case SG_ERR_BUFFER_TOO_SMALL: return "a caller buffer is too small for the data";
    case SG_ERR_CANCELLED: return "the operation was cancelled";
    case SG_ERR_UNSUPPORTED: return "the operation is not supported by this build";
    case SG_ERR_STORAGE: return "local storage failed";
    case SG_ERR_NOT_FOUND: return "not found";
    case SG_ERR_URL: return "the URL is not valid";
    case SG_ERR_IO: return "network input/output failed";
    case SG_ERR_TIMEOUT: return "the network operation timed out";
    case SG_ERR_CLOSED: return "the server closed the connection";
    case SG_ERR_DNS: return "the host name could not be resolved";
    case SG_ERR_CONNECT: return "could not connect to the server";
    case SG_ERR_TLS: return "the TLS session failed";
    case SG_ERR_CERT: return "the server certificate was rejected";
    case SG_ERR_ENTROPY: return "no entropy source is available";
    case SG_ERR_HTTP_MALFORMED: return "the HTTP response is malformed";
    case SG_ERR_HTTP_HEADERS_TOO_LARGE: return "the HTTP response headers exceed the I/O buffer";
    case SG_ERR_HTTP_BARE_CR: return "the HTTP response contains a bare CR";
    case SG_ERR_HTTP_OBS_FOLD: return "the HTTP response uses obsolete header line folding";
    case SG_ERR_HTTP_HEADER_NAME: return "the HTTP response has an invalid header name";
    case SG_ERR_HTTP_CONTENT_LENGTH: return "the HTTP response has an invalid or conflicting Content-Length";
    case SG_ERR_HTTP_LENGTH_AND_CHUNKED: return "the HTTP response has both Content-Length and chunked encoding";
    case SG_ERR_HTTP_CHUNK: return "the HTTP response has a malformed chunk";
    case SG_ERR_HTTP_TRUNCATED: return "the connection closed before the HTTP response was complete";
    case SG_ERR_HTTP_STATUS: return "the server answered with an HTTP error status";
    case SG_ERR_HTTP_TOO_MANY_REDIRECTS: return "too many HTTP redirects";
    case SG_ERR_HTTP_VERSION: return "the server does not speak HTTP/1.x";
    case SG_ERR_JSON_SYNTAX: return "the JSON is malformed";
    case SG_ERR_JSON_DEPTH: return "the JSON nests deeper than the configured limit";
    case SG_ERR_JSON_STRING_TOO_LONG: return "a JSON string exceeds the configured limit";
    case SG_ERR_JSON_ELEMENT_TOO_LARGE: return "a JSON element exceeds the element buffer";
    case SG_ERR_JSON_TOO_MANY_TOKENS: return "a JSON element has more tokens than the configured limit";
    case SG_ERR_JSON_TYPE: return "a JSON value has an unexpected type";
    case SG_ERR_JSON_PATH_TOO_LONG: return "a JSON path exceeds the configured limit";
    case SG_ERR_API: return "the API returned an error";
    case SG_ERR_AUTH: return "the API token was rejected";
    case SG_ERR_RATE_LIMITED: return "the API rate limit was exceeded";
    case SG_ERR_AUTHORIZATION_PENDING: return "the login is waiting for approval";
    case SG_ERR_SLOW_DOWN: return "the server asked to poll more slowly";
    case SG_ERR_ACCESS_DENIED: return "the login was denied";
    case SG_ERR_EXPIRED_TOKEN: return "the login code expired; start again";
    case SG_ERR_OAUTH: return "the authorization server returned an error";
    case SG_ERR_INSECURE_ENDPOINT: return "an endpoint on another origin is not https";
    }
    return "unknown status";
}
