/* sitegpt api: send any request to the API v2 and stream the response body to stdout. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#define API_BODY_MAX (1024u * 1024u)
#define API_HEADERS_MAX 16
#define API_WORK_SIZE 16384u

static void print_help(FILE *out)
{
    fprintf(out,
            "Usage: sitegpt api [options] <path>\n"
            "\n"
            "Send a request to any API v2 route with the current credential and print the\n"
            "response body. <path> is appended to the API base; a path without a leading '/'\n"
            "is taken relative to /api/v2/ (\"me\" is /api/v2/me). Encode the query yourself.\n"
            "\n"
            "Options:\n"
            "  -X, --method METHOD   HTTP method (default GET, or POST when a body is given)\n"
            "  -d, --data BODY       JSON request body; @FILE reads it from FILE, - from stdin\n"
            "                        (at most 1 MiB; checked to be valid JSON before sending)\n"
            "  -H, --header 'N: V'   extra request header (repeatable, at most %d)\n"
            "  -i, --include         print the status line and response headers first\n"
            "  --json                print the response envelope unchanged, errors included\n"
            "  -h, --help            this help\n"
            "\n"
            "A response with a non-2xx status exits non-zero (1 for an API error, 3 when the\n"
            "token was rejected) and prints the API's error code, message, hint and request id\n"
            "on stderr. GET and DELETE are retried on connection failures, 5xx and 429; other\n"
            "methods only on 429. Redirects are followed (at most 3); the token is not sent to\n"
            "another origin.\n"
            "\n"
            "Examples:\n"
            "  sitegpt api /api/v2/usage\n"
            "  sitegpt api 'chatbots?limit=5'\n"
            "  sitegpt api -X POST /api/v2/tokens -d @token.json\n"
            "  echo '{\"name\":\"bot\"}' | sitegpt api -X PATCH /api/v2/chatbots/ID -d -\n",
            API_HEADERS_MAX);
}

typedef struct api_output {
    const cli_globals *g;
    const sg_envelope *env;
    bool include_headers;
    bool headers_printed;
    bool wrote_body;
    char last_byte;
} api_output;

static uint8_t request_body[API_BODY_MAX];
static uint8_t api_work[API_WORK_SIZE];

/* Read all of f into request_body; false (with errno or EFBIG) when it fails. */
static bool read_body_stream(FILE *f, size_t *len)
{
    size_t n = 0;
    for (;;) {
        size_t got = fread(request_body + n, 1, sizeof request_body - n, f);
        n += got;
        if (got == 0) {
            break;
        }
        if (n == sizeof request_body) {
            int c = fgetc(f);
            if (c != EOF) {
                errno = EFBIG;
                return false;
            }
            break;
        }
    }
    if (ferror(f)) {
        return false;
    }
    *len = n;
    return true;
}

static int load_body(const cli_globals *g, const char *arg, size_t *len)
{
    if (strcmp(arg, "-") == 0) {
        if (!read_body_stream(stdin, len)) {
            return cli_fail(g, CLI_EXIT_USAGE, "USAGE_ERROR", "cannot read the request body from "
                            "stdin: %s", errno == EFBIG ? "larger than 1 MiB" : strerror(errno));
        }
        return CLI_EXIT_OK;
    }
    if (arg[0] == '@') {
        FILE *f = fopen(arg + 1, "rb");
        if (f == NULL) {
            return cli_fail(g, CLI_EXIT_USAGE, "USAGE_ERROR", "cannot open body file '%s': %s",
                            arg + 1, strerror(errno));
        }
        bool ok = read_body_stream(f, len);
        int saved = errno;
        fclose(f);
        if (!ok) {
            return cli_fail(g, CLI_EXIT_USAGE, "USAGE_ERROR", "cannot read body file '%s': %s",
                            arg + 1, saved == EFBIG ? "larger than 1 MiB" : strerror(saved));
        }
        return CLI_EXIT_OK;
    }
    size_t n = strlen(arg);
    if (n > sizeof request_body) {
        return cli_fail(g, CLI_EXIT_USAGE, "USAGE_ERROR", "the request body is larger than 1 MiB");
    }
    memcpy(request_body, arg, n); /* NOLINT(bugprone-not-null-terminated-result): a body, not a string */
    *len = n;
    return CLI_EXIT_OK;
}

/* The body is checked locally so a typo costs no request. */
static int check_json_body(const cli_globals *g, size_t len)
{
    sg_json_reader r;
    sg_json_config cfg;
    memset(&cfg, 0, sizeof cfg);
    sg_status st = sg_json_reader_init(&r, &cfg);
    if (st == SG_OK) {
        st = sg_json_reader_feed(&r, request_body, len);
    }
    if (st == SG_OK) {
        st = sg_json_reader_finish(&r);
    }
    if (st != SG_OK) {
        return cli_fail(g, CLI_EXIT_USAGE, "USAGE_ERROR",
                        "the request body is not valid JSON (at byte %llu: %s)",
                        (unsigned long long)sg_json_reader_offset(&r), sg_strerror(st));
    }
    return CLI_EXIT_OK;
}

static bool valid_method(const char *m)
{
    if (m[0] == '\0' || strlen(m) > 16) {
        return false;
    }
    for (const char *p = m; *p != '\0'; p++) {
        if (*p < 'A' || *p > 'Z') {
            return false;
        }
    }
    return true;
}

/* "Name: value" -> header; the strings point into arg (modified in place). */
static bool split_header(char *arg, sg_http_header *h)
{
    char *colon = strchr(arg, ':');
    if (colon == NULL || colon == arg) {
        return false;
    }
    *colon = '\0';
    char *value = colon + 1;
    while (*value == ' ' || *value == '\t') {
        value++;
    }
    for (const char *p = arg; *p != '\0'; p++) {
        if (*p <= ' ' || *p == 0x7f) {
            return false;
        }
    }
    h->name = arg;
    h->value = value;
    return true;
}

static sg_status on_header(void *ctx, int status, sg_slice name, sg_slice value)
{
    api_output *o = ctx;
    if (!o->include_headers) {
        return SG_OK;
    }
    if (!o->headers_printed) {
        printf("HTTP/1.1 %d\r\n", status);
        o->headers_printed = true;
    }
    printf("%.*s: %.*s\r\n", (int)name.len, name.ptr, (int)value.len, value.ptr);
    return SG_OK;
}

static sg_status on_body(void *ctx, const uint8_t *data, size_t len)
{
    api_output *o = ctx;
    int status = o->env->http_status;
    /* Error bodies go to stdout only with --json; otherwise stderr gets the summary. */
    if ((status < 200 || status > 299) && !o->g->json && !o->include_headers) {
        return SG_OK;
    }
    if (o->include_headers && !o->wrote_body) {
        if (!o->headers_printed) {
            printf("HTTP/1.1 %d\r\n", status);
            o->headers_printed = true;
        }
        fputs("\r\n", stdout);
    }
    if (len > 0) {
        if (fwrite(data, 1, len, stdout) != len) {
            return SG_ERR_IO;
        }
        o->wrote_body = true;
        o->last_byte = (char)data[len - 1];
    }
    return SG_OK;
}

int cmd_api(const cli_globals *g, int argc, char **argv)
{
    const char *method = NULL;
    const char *data_arg = NULL;
    const char *path = NULL;
    sg_http_header headers[API_HEADERS_MAX];
    size_t header_count = 0;
    bool include = false;

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        bool has_value = i + 1 < argc;
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            print_help(stdout);
            return CLI_EXIT_OK;
        } else if (strcmp(a, "-X") == 0 || strcmp(a, "--method") == 0) {
            if (!has_value) {
                return cli_usage_error(g, "api", "%s needs a method such as GET or POST", a);
            }
            method = argv[++i];
        } else if (strcmp(a, "-d") == 0 || strcmp(a, "--data") == 0) {
            if (!has_value) {
                return cli_usage_error(g, "api", "%s needs a body, @FILE or -", a);
            }
            if (data_arg != NULL) {
                return cli_usage_error(g, "api", "give the request body only once");
            }
            data_arg = argv[++i];
        } else if (strcmp(a, "-H") == 0 || strcmp(a, "--header") == 0) {
            if (!has_value) {
                return cli_usage_error(g, "api", "%s needs 'Name: value'", a);
            }
            if (header_count == API_HEADERS_MAX) {
                return cli_usage_error(g, "api", "at most %d extra headers", API_HEADERS_MAX);
            }
            char *h = argv[++i];
            if (!split_header(h, &headers[header_count])) {
                return cli_usage_error(g, "api", "header '%s' is not 'Name: value'", h);
            }
            header_count++;
        } else if (strcmp(a, "-i") == 0 || strcmp(a, "--include") == 0) {
            include = true;
        } else if (strcmp(a, "--") == 0) {
            if (i + 1 < argc && path == NULL) {
                path = argv[++i];
            }
        } else if (a[0] == '-' && a[1] != '\0') {
            return cli_usage_error(g, "api", "unknown option '%s'", a);
        } else if (path == NULL) {
            path = a;
        } else {
            return cli_usage_error(g, "api", "unexpected argument '%s' (one path only)", a);
        }
    }
    if (path == NULL) {
        return cli_usage_error(g, "api", "missing the request path, e.g. /api/v2/me");
    }
    if (method == NULL) {
        method = data_arg != NULL ? "POST" : "GET";
    }
    if (!valid_method(method)) {
        return cli_usage_error(g, "api", "'%s' is not an HTTP method (use upper case, e.g. GET)",
                               method);
    }
    char target[SG_API_TARGET_MAX];
    int tn = snprintf(target, sizeof target, "%s%s", path[0] == '/' ? "" : "/api/v2/", path);
    if (tn < 0 || (size_t)tn >= sizeof target) {
        return cli_usage_error(g, "api", "the path is longer than %u bytes",
                               (unsigned)SG_API_TARGET_MAX - 1);
    }
    for (const char *p = target; *p != '\0'; p++) {
        if ((unsigned char)*p <= ' ' || *p == 0x7f) {
            return cli_usage_error(g, "api", "the path contains a space or control character; "
                                   "percent-encode it");
        }
    }
    size_t body_len = 0;
    if (data_arg != NULL) {
        int rc = load_body(g, data_arg, &body_len);
        if (rc == CLI_EXIT_OK) {
            rc = check_json_body(g, body_len);
        }
        if (rc != CLI_EXIT_OK) {
            return rc;
        }
    }

    cli_credential cred;
    cli_net *net;
    int rc = cli_session_open(g, false, &cred, &net);
    if (rc != CLI_EXIT_OK) {
        return rc;
    }

    static sg_api api;
    static sg_envelope env;
    sg_status st = cli_net_api_init(net, cred.token, api_work, sizeof api_work, &api);
    api_output out = {.g = g, .env = &env, .include_headers = include};
    if (st == SG_OK) {
        st = sg_api_set_request_headers(&api, headers, header_count);
    }
    if (st == SG_OK) {
        st = sg_api_set_header_sink(&api, on_header, &out);
    }
    int http_status = 0;
    if (st == SG_OK) {
        st = sg_api_request(&api, method, target, body_len ? request_body : NULL, body_len,
                            on_body, &out, &env, &http_status);
    }
    if (out.wrote_body && out.last_byte != '\n') {
        fputc('\n', stdout); /* a cut body never runs into the error envelope */
    }
    fflush(stdout);
    if (st != SG_OK) {
        char context[SG_API_TARGET_MAX + 32];
        (void)snprintf(context, sizeof context, "%s %s", method, target);
        rc = cli_fail_status(g, st, context);
        cli_net_close(net);
        return rc;
    }
    cli_net_close(net);
    if (http_status < 200 || http_status > 299) {
        return cli_fail_envelope(g, &env, http_status);
    }
    return CLI_EXIT_OK;
}
