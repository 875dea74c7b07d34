/*
 * The emulator's stand-in for a TRNG (fw.h says why it is not secure), shared by both
 * QEMU firmwares; each passes its own uptime counter.
 */
#include <string.h>

#include <mbedtls/sha256.h>

#include "cortexm.h"
#include "fw.h"

sg_status fw_emulator_entropy(const char *seed, uint32_t (*uptime)(void *ctx), uint8_t *out,
                              size_t len)
{
    static uint32_t counter;
    while (len > 0) {
        uint8_t digest[32];
        uint32_t mix[4] = {cm_sh_time(), cm_sh_clock(), uptime(NULL), ++counter};
        mbedtls_sha256_context sha;
        mbedtls_sha256_init(&sha);
        int rc = mbedtls_sha256_starts(&sha, 0);
        if (rc == 0 && seed != NULL) {
            rc = mbedtls_sha256_update(&sha, (const unsigned char *)seed, strlen(seed));
        }
        if (rc == 0) {
            rc = mbedtls_sha256_update(&sha, (const unsigned char *)mix, sizeof mix);
        }
        if (rc == 0) {
            rc = mbedtls_sha256_finish(&sha, digest);
        }
        mbedtls_sha256_free(&sha);
        if (rc != 0) {
            return SG_ERR_ENTROPY;
        }
        size_t n = len < sizeof digest ? len : sizeof digest;
        memcpy(out, digest, n);
        out += n;
        len -= n;
    }
    return SG_OK;
}
