/*
 * What a program was built with, for `--version`: the library version, the mbedTLS version
 * of the headers it was compiled against and of the library it runs with, and the optional
 * features compiled in. Shared by the CLI and the gateway so both answer the same way.
 */
#ifndef EX_BUILD_INFO_H
#define EX_BUILD_INFO_H

#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Print, one fact per line:
 *   <program> <SG_VERSION>                ("sitegpt-c 0.1.0": the first line scripts read)
 *   mbedTLS <compiled-against> (running <linked>)
 *   features: TLS1.2 TLS1.3 QR proxy     (a leading '-' marks one left out)
 *   libqrencode <version>
 */
void ex_print_build_info(FILE *out, const char *program);

#ifdef __cplusplus
}
#endif

#endif /* EX_BUILD_INFO_H */
