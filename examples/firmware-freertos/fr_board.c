/*
 * The QEMU mps2-an386 board for the FreeRTOS firmware: entropy and the key-value store
 * (one host file per key through semihosting, as in examples/firmware).
 */
#include <string.h>

#include <FreeRTOS.h>
#include <task.h>
#include <mbedtls/sha256.h>

#include "cortexm.h"
#include "fr.h"

#define KV_PATH_MAX 128u

static const fr_args *board_args;

/*
 * NOT A SECURE ENTROPY SOURCE. The emulator has no TRNG: this hashes the host clock,
 * QEMU's elapsed time, the tick count, a counter and the test's seed. Enough for distinct
 * TLS randoms and TCP sequence numbers in a test; a real device reads its TRNG here.
 */
static sg_status emulator_entropy(void *ctx, uint8_t *out, size_t len)
{
    static uint32_t counter;
    (void)ctx;
    while (len > 0) {
        uint8_t digest[32];
        uint32_t mix[4] = {cm_sh_time(), cm_sh_clock(), (uint32_t)xTaskGetTickCount(), ++counter};
        mbedtls_sha256_context sha;
        mbedtls_sha256_init(&sha);
        int rc = mbedtls_sha256_starts(&sha, 0);
        if (rc == 0 && board_args != NULL && board_args->seed != NULL) {
            rc = mbedtls_sha256_update(&sha, (const unsigned char *)board_args->seed,
                                       strlen(board_args->seed));
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

/* lwIP's LWIP_RAND(): TCP initial sequence numbers, DNS ids, local ports. */
uint32_t fr_lwip_rand(void);
uint32_t fr_lwip_rand(void)
{
    uint32_t r = 0;
    if (emulator_entropy(NULL, (uint8_t *)&r, sizeof r) != SG_OK) {
        r = (uint32_t)xTaskGetTickCount();
    }
    return r;
}

/* "<kv_dir>/<key>"; false when it does not fit or the key could leave the folder. */
static bool kv_path(const char *key, char *path, size_t cap)
{
    size_t dlen = strlen(board_args->kv_dir);
    size_t klen = strlen(key);
    if (klen == 0 || strchr(key, '/') != NULL || key[0] == '.' || dlen + 1u + klen + 1u > cap) {
        return false;
    }
    memcpy(path, board_args->kv_dir, dlen + 1u);
    path[dlen] = '/';
    memcpy(path + dlen + 1u, key, klen + 1u);
    return true;
}

static sg_status kv_read(void *ctx, const char *key, uint8_t *buf, size_t cap, size_t *len)
{
    char path[KV_PATH_MAX];
    (void)ctx;
    *len = 0;
    if (!kv_path(key, path, sizeof path)) {
        return SG_ERR_INVALID_ARG;
    }
    return cm_sh_file_read(path, buf, cap, len);
}

static sg_status kv_write(void *ctx, const char *key, const uint8_t *data, size_t len)
{
    char path[KV_PATH_MAX];
    (void)ctx;
    if (!kv_path(key, path, sizeof path)) {
        return SG_ERR_INVALID_ARG;
    }
    return cm_sh_file_write(path, data, len);
}

static sg_status kv_erase(void *ctx, const char *key)
{
    char path[KV_PATH_MAX];
    (void)ctx;
    if (!kv_path(key, path, sizeof path)) {
        return SG_ERR_INVALID_ARG;
    }
    return cm_sh_file_remove(path);
}

void fr_board_hooks(const fr_args *args, sg_rtos_hooks *hooks)
{
    board_args = args;
    hooks->entropy = emulator_entropy;
    hooks->kv_read = kv_read;
    hooks->kv_write = kv_write;
    hooks->kv_erase = kv_erase;
}

sg_status fr_board_read_file(const char *path, uint8_t *buf, size_t cap, size_t *len)
{
    if (cap == 0) {
        return SG_ERR_BUFFER_TOO_SMALL;
    }
    sg_status st = cm_sh_file_read(path, buf, cap - 1u, len);
    if (st == SG_OK) {
        buf[*len] = 0;
        *len += 1u; /* mbedTLS wants the PEM's NUL counted */
    }
    return st;
}
