/* sitegpt api: send any request to the API v2 and stream the response body to stdout. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <unistd.h>

#include "cli.h"
#include "cli_json.h"
#include "ex_term.h"

#define API_BODY_MAX    (1024u * 1024u)
#define API_HEADERS_MAX 16
#define API_WORK_SIZE   16384u

static void print_help(FILE *out)
{
    fprintf(out,
            "Usage: sitegpt api [options] <path>\n"
            "\n"
            "Send a request to any API v2 route with the current credential and print the\n"
            "response body. <path> is appended to the API base; a path without a leading '/'\n"
            "is taken relative to /api/v2/ (\"me\" is /api/v2/me). Encode the query yourself.\n"
            "On a terminal, control characters in the body and headers are shown as escapes\n"
            "(\\x1b); piped, the body passes unchanged.\n"
            "\n"
            "Options:\n"
            "  -X, --method METHOD   HTTP method (default GET, or POST when a body is given)\n"
            "  -d, --data BODY       JSON request body; @FILE reads it from FILE, - from stdin\n"
            "                        (at most 1 MiB; checked to be valid JSON before sending)\n"
            "  -H, --header 'N: V'   extra request header (repeatable, at most %d)\n"
            "  -i, --include         print the status line and response headers first (not\n"
            "                        with --json, whose output stays one JSON document)\n"
            "  --json                print the response envelope unchanged, errors included\n"
            "                        (a body that is not JSON: an ok:false envelope instead)\n"
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
    bool tty; /* stdout is a terminal: the body is escaped */
    char last_byte;
    uint8_t tail[4]; /* tty: an unfinished UTF-8 character between pieces */
    size_t tail_len;
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
            return cli_fail(g, CLI_EXIT_USAGE, "USAGE_ERROR",
                            "cannot read the request body from "
                            "stdin: %s",
                            errno == EFBIG ? "larger than 1 MiB" : strerror(errno));
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
    /* NOLINTNEXTLINE(bugprone-not-null-terminated-result): a body, not a string */
    memcpy(request_body, arg, n);
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
    if (!o->include_headers || o->g->json) {
        return SG_OK;
    }
    if (!o->headers_printed) {
        printf("HTTP/1.1 %d\r\n", status);
        o->headers_printed = true;
    }
    static char n[CLI_ESC_MAX], v[CLI_ESC_MAX];
    (void)ex_term_escape(name.ptr, name.len, n, sizeof n);
    (void)ex_term_escape(value.ptr, value.len, v, sizeof v);
    printf("%s: %s\r\n", n, v);
    return SG_OK;
}

/* Bytes at the end of p[0..n) that start a UTF-8 character not finished yet (0..3). */
static size_t unfinished_utf8(const uint8_t *p, size_t n)
{
    for (size_t back = 1; back <= 3 && back <= n; back++) {
        uint8_t c = p[n - back];
        if ((c & 0xC0u) == 0x80u) {
            continue; /* a continuation byte: look further back for its lead */
        }
        size_t need = c >= 0xF0u ? 4 : c >= 0xE0u ? 3 : c >= 0xC0u ? 2 : 1;
        return need > back ? back : 0;
    }
    return 0;
}

/* A body for a terminal: control characters but line ends (LF, CRLF) made visible. A
 * character cut between two pieces waits for the next one in o->tail. */
static void print_body_tty(api_output *o, const uint8_t *data, size_t len, bool last)
{
    static char piece[6 * 259 + 4];
    do {
        uint8_t in[256 + 3];
        size_t n = o->tail_len;
        size_t take = len < 256 ? len : 256;
        memcpy(in, o->tail, n);
        if (take > 0) {
            memcpy(in + n, data, take);
        }
        n += take;
        data += take;
        len -= take;
        size_t keep = last && len == 0 ? 0 : unfinished_utf8(in, n);
        memcpy(o->tail, in + n - keep, keep);
        o->tail_len = keep;
        n -= keep;
        size_t start = 0;
        for (size_t i = 0; i <= n; i++) {
            if (i < n && in[i] != '\n') {
                continue;
            }
            bool crlf = i < n && i > start && in[i - 1] == '\r'; /* a bare CR is escaped */
            size_t end = crlf ? i - 1 : i;
            (void)ex_term_escape((const char *)in + start, end - start, piece, sizeof piece);
            fputs(piece, stdout);
            if (i < n) {
                fputs(crlf ? "\r\n" : "\n", stdout);
            }
            start = i + 1;
        }
    } while (len > 0);
}

static sg_status on_body(void *ctx, const uint8_t *data, size_t len)
{
    api_output *o = ctx;
    int status = o->env->http_status;
    if (o->g->json) {
        return cli_pass_sink(NULL, data, len); /* printed once known to be JSON */
    }
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
        if (o->tty) {
            print_body_tty(o, data, len, false);
        } else if (fwrite(data, 1, len, stdout) != len) {
            return SG_ERR_IO;
        }
        o->wrote_body = true;
        o->last_byte = (char)data[len - 1];
    }
    return SG_OK;
}

/* --json: the body when it is JSON, else an envelope saying what came. */
static int finish_json(const cli_globals *g, sg_envelope *env, int http_status, const char *context)
{
    cli_pass_result r = cli_pass_flush();
    bool ok = http_status >= 200 && http_status <= 299;
    if (r == CLI_PASS_PRINTED) {
        return ok ? CLI_EXIT_OK : cli_fail_envelope(g, env, http_status);
    }
    if (r == CLI_PASS_TOO_LARGE) {
        return cli_fail(g, CLI_EXIT_INTERNAL, "RESPONSE_TOO_LARGE",
                        "%s: HTTP %d with a body "
                        "over %u bytes, more than --json shows; run it without --json",
                        context, http_status, CLI_PASS_MAX);
    }
    if (!ok) {
        env->is_json = false; /* nothing printed: the envelope is built here */
        return cli_fail_envelope(g, env, http_status);
    }
    if (r == CLI_PASS_EMPTY) {
        char buf[256];
        sg_json_writer w;
        cli_json_begin(&w, buf, sizeof buf);
        (void)sg_json_write_object_end(&w);
        (void)sg_json_write_key(&w, "meta");
        (void)sg_json_write_object_begin(&w);
        (void)sg_json_write_key(&w, "httpStatus");
        (void)sg_json_write_int64(&w, http_status);
        (void)sg_json_write_object_end(&w);
        (void)sg_json_write_object_end(&w);
        cli_json_print(&w);
        return CLI_EXIT_OK;
    }
    return cli_fail(g, CLI_EXIT_NETWORK, "INVALID_RESPONSE",
                    "%s: HTTP %d with a body that "
                    "is not JSON (run without --json to see it)",
                    context, http_status);
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
            return cli_usage_error(g, "api",
                                   "the path contains a space or control character; "
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
        sg_wipe(cred.token, sizeof cred.token);
        return rc;
    }

    static sg_api api;
    static sg_envelope env;
    sg_status st = cli_net_api_init(net, cred.token, api_work, sizeof api_work, &api);
    api_output out = {.g = g,
                      .env = &env,
                      .include_headers = include,
                      .tty = !g->json && isatty(STDOUT_FILENO) == 1};
    cli_pass_reset();
    if (st == SG_OK) {
        st = sg_api_set_request_headers(&api, headers, header_count);
    }
    if (st == SG_OK) {
        st = sg_api_set_header_sink(&api, on_header, &out);
    }
    int http_status = 0;
    if (st == SG_OK) {
        st = sg_api_request(&api, method, target, body_len ? request_body : NULL, body_len, on_body,
                            &out, &env, &http_status);
    }
    sg_wipe(cred.token, sizeof cred.token);
    sg_wipe(api_work, sizeof api_work);
    if (out.tty && out.tail_len > 0) {
        static const uint8_t nothing[1];
        print_body_tty(&out, nothing, 0, true);
    }
    if (out.wrote_body && out.last_byte != '\n') {
        fputc('\n', stdout); /* a cut body never runs into the error envelope */
    }
    fflush(stdout);
    char context[SG_API_TARGET_MAX + 32];
    (void)snprintf(context, sizeof context, "%s %s", method, target);
    if (st != SG_OK) {
        cli_pass_reset(); /* --json: a cut body is never printed */
        rc = cli_fail_status(g, st, context);
        cli_net_close(net);
        return rc;
    }
    cli_net_close(net);
    if (g->json) {
        return finish_json(g, &env, http_status, context);
    }
    if (http_status < 200 || http_status > 299) {
        return cli_fail_envelope(g, &env, http_status);
    }
    return CLI_EXIT_OK;
}
