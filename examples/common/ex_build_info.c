/* Build facts for --version (see ex_build_info.h). */
#include "ex_build_info.h"

#include <mbedtls/version.h>
#include <qrencode.h>

#include <sitegpt/sg_proxy.h>
#include <sitegpt/sitegpt.h>

/* mbedTLS 3.x reads its configuration through build_info.h; 2.28 through config.h. */
#if MBEDTLS_VERSION_MAJOR >= 3
#include <mbedtls/build_info.h>
#else
#include <mbedtls/config.h>
#endif

#if defined(MBEDTLS_SSL_PROTO_TLS1_3)
#define EX_FEATURE_TLS13 "TLS1.3"
#else
#define EX_FEATURE_TLS13 "-TLS1.3"
#endif

#if defined(SG_PROXY_H) /* the CONNECT tunnel of core/sg_proxy.c */
#define EX_FEATURE_PROXY "proxy"
#else
#define EX_FEATURE_PROXY "-proxy"
#endif

void ex_print_build_info(FILE *out, const char *program)
{
    fprintf(out, "%s %s\n", program, SG_VERSION);
#if defined(MBEDTLS_VERSION_C)
    char running[18] = "";
    mbedtls_version_get_string(running);
    fprintf(out, "mbedTLS %s (running %s)\n", MBEDTLS_VERSION_STRING, running);
#else
    fprintf(out, "mbedTLS %s\n", MBEDTLS_VERSION_STRING);
#endif
    /* QR codes come from libqrencode, which every host program here links. */
    fprintf(out, "features: TLS1.2 %s QR %s\n", EX_FEATURE_TLS13, EX_FEATURE_PROXY);
    fprintf(out, "libqrencode %s\n", QRcode_APIVersionString());
}
