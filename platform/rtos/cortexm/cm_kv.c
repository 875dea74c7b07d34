/*
 * The key-value store over semihosting host files (cm_kv.h): one file per key, each write
 * replacing the file whole (cm_sh_file_write renames a temporary over it).
 */
#include <string.h>

#include "cm_kv.h"
#include "cortexm.h"

static const char *kv_folder;

/* "<kv_folder>/<key>"; false when it does not fit or the key could leave the folder. */
static bool kv_path(const char *key, char *path, size_t cap)
{
    size_t dlen = strlen(kv_folder);
    size_t klen = strlen(key);
    if (klen == 0 || strchr(key, '/') != NULL || key[0] == '.' || dlen + 1u + klen + 1u > cap) {
        return false;
    }
    memcpy(path, kv_folder, dlen + 1u);
    path[dlen] = '/';
    memcpy(path + dlen + 1u, key, klen + 1u);
    return true;
}

static sg_status kv_read(void *ctx, const char *key, uint8_t *buf, size_t cap, size_t *len)
{
    char path[CM_KV_PATH_MAX];
    (void)ctx;
    *len = 0;
    if (!kv_path(key, path, sizeof path)) {
        return SG_ERR_INVALID_ARG;
    }
    return cm_sh_file_read(path, buf, cap, len);
}

static sg_status kv_write(void *ctx, const char *key, const uint8_t *data, size_t len)
{
    char path[CM_KV_PATH_MAX];
    (void)ctx;
    if (!kv_path(key, path, sizeof path)) {
        return SG_ERR_INVALID_ARG;
    }
    return cm_sh_file_write(path, data, len);
}

static sg_status kv_erase(void *ctx, const char *key)
{
    char path[CM_KV_PATH_MAX];
    (void)ctx;
    if (!kv_path(key, path, sizeof path)) {
        return SG_ERR_INVALID_ARG;
    }
    return cm_sh_file_remove(path);
}

void cm_kv_hooks(const char *folder, sg_rtos_hooks *hooks)
{
    kv_folder = folder;
    hooks->kv_read = kv_read;
    hooks->kv_write = kv_write;
    hooks->kv_erase = kv_erase;
}
