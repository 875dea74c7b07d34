/*
 * The sitegpt-c quickstart: log in with the OAuth device flow, then GET /api/v2/me.
 *
 *   build/sitegpt-minimal [API base URL [CA bundle]]
 *   (defaults: https://sitegpt.ai and /etc/ssl/certs/ca-certificates.crt)
 *
 * Everything lives in static storage: the library never allocates. The token is used for
 * one call and wiped; a real program would store it (see examples/cli).
 */
#include <stdio.h>
#include <string.h>

#include "sg_posix_client.h"
#include <sitegpt/sitegpt.h>

static sg_posix_client net; /* POSIX clock, TCP, and TLS (mbedTLS) over its own TCP */
static sg_http_client http;
static uint8_t http_buf[8192];
static sg_device login;
static sg_api api;
static uint8_t work[16384];
static sg_envelope env;
static sg_api_identity me;
static char host[SG_HOST_MAX], token[SG_DEVICE_TOKEN_MAX];

/* Text from the server, shown with control characters as '?': it cannot drive the terminal. */
static void say(FILE *f, const char *before, const char *server_text, const char *after)
{
    fputs(before, f);
    for (const char *s = server_text; *s != '\0'; s++) {
        fputc((unsigned char)*s < 0x20 || *s == 0x7f ? '?' : *s, f);
    }
    fputs(after, f);
}

static int fail(const char *step, sg_status st)
{
    fprintf(stderr, "minimal: %s failed: %s\n", step, sg_strerror(st));
    if (env.code[0] != '\0') { /* the API's own words */
        say(stderr, "minimal: API error ", env.code, "");
        say(stderr, ": ", env.message, "\n");
    }
    sg_device_clear(&login);
    sg_wipe(token, sizeof token);
    sg_posix_client_free(&net);
    return 1;
}

int main(int argc, char **argv)
{
    const char *base = argc > 1 ? argv[1] : "https://sitegpt.ai";
    const char *ca = argc > 2 ? argv[2] : "/etc/ssl/certs/ca-certificates.crt";
    sg_url url;
    sg_status st = sg_check_layout(); /* library and program built with the same options */
    if (st == SG_OK && (st = sg_tls_check_layout()) == SG_OK &&
        (st = sg_url_parse(base, host, sizeof host, &url)) == SG_OK && url.path.len > 0) {
        st = SG_ERR_URL; /* an origin only, for brevity */
    }
    if (st != SG_OK || (st = sg_posix_client_init(&net, ca, NULL)) != SG_OK) {
        return fail("setup", st);
    }
    sg_http_config hc = {
        .platform = &net.sys.platform, .plain = &net.tcp.transport, .tls = &net.tls.transport};
    sg_device_config dc = {.http = &http, .platform = &net.sys.platform, .base = url.origin};
    if ((st = sg_http_client_init(&http, &hc, http_buf, sizeof http_buf)) != SG_OK ||
        (st = sg_device_start(&login, &dc)) != SG_OK) {
        return fail("login", st);
    }
    say(stdout, "Open ", login.verification_uri, "");
    say(stdout, " and enter the code ", login.user_code, "\n");
    fflush(stdout);
    if ((st = sg_device_wait(&login, NULL)) != SG_OK ||
        (st = sg_device_take_token(&login, token, sizeof token)) != SG_OK) {
        return fail("login", st); /* denied, expired, network, ... */
    }
    sg_api_config ac = {.http = &http,
                        .origin = url.origin,
                        .token = token,
                        .platform = &net.sys.platform,
                        .work = work,
                        .work_size = sizeof work};
    if ((st = sg_api_init(&api, &ac)) != SG_OK || (st = sg_api_me(&api, &me, &env)) != SG_OK) {
        return fail("GET /api/v2/me", st);
    }
    say(stdout, "Logged in as ", me.name, "");
    say(stdout, " <", me.email, ">\n");
    sg_wipe(token, sizeof token);
    sg_posix_client_free(&net);
    return 0;
}
