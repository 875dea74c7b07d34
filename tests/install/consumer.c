/*
 * A program built only against an installed sitegpt-c (pkg-config or CMake find_package):
 * public headers from include/sitegpt, libsitegpt.a and mbedTLS. It checks the layouts,
 * sets up the POSIX platform and a TLS session object (which pulls in mbedTLS), parses a
 * URL and prints what it found, so the test can compare real output.
 */
#include <stdio.h>
#include <string.h>

#include <sitegpt/sg_posix.h>
#include <sitegpt/sg_tls.h>
#include <sitegpt/sitegpt.h>

int main(int argc, char **argv)
{
    const char *url = argc > 1 ? argv[1] : "https://api.example.com:8443/base";
    if (sg_check_layout() != SG_OK || sg_tls_check_layout() != SG_OK) {
        fprintf(stderr, "consumer: layout mismatch with the installed library\n");
        return 1;
    }
    static sg_posix_platform plat;
    static sg_posix_tcp tcp;
    static sg_tls tls;
    if (sg_posix_platform_init(&plat, NULL) != SG_OK || sg_posix_tcp_init(&tcp, NULL) != SG_OK) {
        fprintf(stderr, "consumer: platform setup failed\n");
        return 1;
    }
    sg_status st = sg_tls_init(&tls, &tcp.transport, sg_posix_entropy, NULL, &plat.platform);
    if (st != SG_OK) {
        fprintf(stderr, "consumer: sg_tls_init: %s\n", sg_strerror(st));
        return 1;
    }
    st = sg_tls_load_ca_file(&tls, "/nonexistent/ca.pem");
    printf("missing CA file: %s\n", sg_strerror(st));
    sg_tls_free(&tls);

    char host[64];
    sg_url u;
    st = sg_url_parse(url, host, sizeof host, &u);
    if (st != SG_OK) {
        printf("url: %s\n", sg_strerror(st));
        return 2;
    }
    printf("host=%s port=%u path=%.*s\n", host, (unsigned)u.origin.port, (int)u.path.len,
           u.path.ptr);
    printf("scope chatbots:read %s; version %s\n",
           sg_scope_is_valid("chatbots:read") ? "valid" : "invalid", SG_VERSION);
    return 0;
}
