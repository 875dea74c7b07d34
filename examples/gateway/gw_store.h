/*
 * sitegpt-gateway: the profile's token in the CLI's config file, through sg_profiles (the
 * document model) and sg_file (crash-safe replace). Same file and format as `sitegpt`:
 * $XDG_CONFIG_HOME/sitegpt/config.json, else ~/.config/sitegpt/config.json; folder 0700,
 * file 0600; members we do not know are kept. Buffers that held a token are wiped.
 */
#ifndef GW_STORE_H
#define GW_STORE_H

#include <stddef.h>

#include <sitegpt/sg_base.h>

#define GW_PATH_MAX 4096

/* The CLI's config file (folder as ex_config_dir): SG_ERR_NOT_FOUND when neither
 * XDG_CONFIG_HOME nor HOME is set. */
SG_NODISCARD sg_status gw_store_path(char *out, size_t cap);

typedef struct gw_profile {
    char token[512];    /* "" when none */
    char api_base[512]; /* "" when none */
    unsigned file_mode; /* permission bits of the file, 0 when it does not exist */
} gw_profile;

/*
 * Read the profile. SG_OK with empty fields when the file or the profile does not exist;
 * SG_ERR_STORAGE (unreadable), SG_ERR_JSON_* (corrupt) or SG_ERR_BUFFER_TOO_SMALL otherwise.
 */
SG_NODISCARD sg_status gw_store_load(const char *path, const char *profile, gw_profile *out);

/* Store token and api_base in the profile (created if missing), atomically, mode 0600. */
SG_NODISCARD sg_status gw_store_save(const char *path, const char *profile, const char *token,
                                     const char *api_base);

/* Drop the profile's token (a rejected token must not be tried again after a restart). */
SG_NODISCARD sg_status gw_store_clear_token(const char *path, const char *profile);

#endif /* GW_STORE_H */
