/* sitegpt-gateway: profile token storage over sg_profiles and sg_file. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ex_net.h"
#include "gw_store.h"
#include <sitegpt/sg_profiles.h>
#include "sg_file.h"

#define GW_CONFIG_TOKENS 4096u
#define GW_EDIT_SLACK    2048u /* the edit's own bytes on top of the document */

/* One document in, one edited copy out; static because they are large and used serially. */
static char doc[SG_PROFILES_MAX_BYTES + 1];
static char edited[SG_PROFILES_MAX_BYTES + GW_EDIT_SLACK];
static sg_json_tok toks[GW_CONFIG_TOKENS];

static void wipe_buffers(void)
{
    sg_wipe(doc, sizeof doc);
    sg_wipe(edited, sizeof edited);
}

sg_status gw_store_path(char *out, size_t cap)
{
    sg_status st = ex_config_dir(out, cap, sizeof "/config.json");
    if (st == SG_OK) {
        size_t n = strlen(out); /* room for the name checked just above */
        memcpy(out + n, "/config.json", sizeof "/config.json");
    }
    return st;
}

/* Read and index the document; a missing file is an empty document. */
static sg_status open_doc(const char *path, sg_profiles *c, unsigned *mode)
{
    size_t len = 0;
    *mode = 0;
    sg_status st = sg_file_read(path, doc, sizeof doc, &len, mode);
    if (st == SG_ERR_NOT_FOUND) {
        *mode = 0;
        return sg_profiles_init_empty(c);
    }
    if (st != SG_OK) {
        return st;
    }
    return sg_profiles_parse(c, doc, len, toks, GW_CONFIG_TOKENS);
}

/* A missing field reads as "". */
static sg_status get_field(const sg_profiles *c, const char *profile, const char *field, char *out,
                           size_t cap)
{
    sg_status st = sg_profiles_get(c, profile, field, out, cap);
    if (st == SG_ERR_NOT_FOUND) {
        out[0] = '\0';
        return SG_OK;
    }
    return st;
}

sg_status gw_store_load(const char *path, const char *profile, gw_profile *out)
{
    sg_profiles c;
    memset(out, 0, sizeof *out);
    sg_status st = open_doc(path, &c, &out->file_mode);
    if (st == SG_OK) {
        st = get_field(&c, profile, SG_PROFILES_TOKEN, out->token, sizeof out->token);
    }
    if (st == SG_OK) {
        st = get_field(&c, profile, SG_PROFILES_API_BASE, out->api_base, sizeof out->api_base);
    }
    wipe_buffers();
    if (st != SG_OK) {
        sg_wipe(out->token, sizeof out->token);
    }
    return st;
}

static sg_status apply(const char *path, const sg_profiles_edit *edit)
{
    char dir[GW_PATH_MAX];
    size_t n = strlen(path);
    const char *slash = strrchr(path, '/');
    if (n >= sizeof dir || slash == NULL) {
        return SG_ERR_INVALID_ARG;
    }
    memcpy(dir, path, (size_t)(slash - path));
    dir[slash - path] = '\0';

    char lock_path[GW_PATH_MAX + sizeof ".lock"];
    (void)snprintf(lock_path, sizeof lock_path, "%s.lock", path); /* n < GW_PATH_MAX: fits */

    sg_profiles c;
    unsigned mode;
    size_t len = 0;
    int lock = -1;
    sg_status st = sg_file_mkdirs(dir, 0700);
    if (st == SG_OK) {
        /* The CLI's lock too: read to rename, one writer at a time, no update lost. */
        st = sg_file_lock(lock_path, 10000u, NULL, NULL, NULL, &lock);
    }
    if (st == SG_OK) {
        st = open_doc(path, &c, &mode);
    }
    if (st == SG_OK) {
        st = sg_profiles_write(&c, edit, edited, sizeof edited, &len);
    }
    if (st == SG_OK) {
        st = sg_file_write_atomic(path, edited, len, 0600);
    }
    sg_file_unlock(lock);
    wipe_buffers();
    return st;
}

sg_status gw_store_save(const char *path, const char *profile, const char *token,
                        const char *api_base)
{
    sg_profiles_edit e = {SG_PROFILES_SET_PROFILE, profile, token, api_base};
    return apply(path, &e);
}

sg_status gw_store_clear_token(const char *path, const char *profile)
{
    sg_profiles_edit e = {SG_PROFILES_CLEAR_TOKEN, profile, NULL, NULL};
    sg_status st = apply(path, &e);
    return st == SG_ERR_NOT_FOUND ? SG_OK : st; /* no profile: nothing to forget */
}
