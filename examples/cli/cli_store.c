/* sitegpt CLI: profile store on disk (see cli_store.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_store.h"
#include "ex_net.h"
#include "sg_file.h"

#define STORE_TOKENS 4096u                  /* JSON tokens: about 800 profiles */
#define STORE_OUT_MAX (SG_CONFIG_MAX_BYTES + 2048u)

static struct {
    bool loaded;
    bool warned;
    char dir[CLI_PATH_MAX];
    char path[CLI_PATH_MAX];
    char text[SG_CONFIG_MAX_BYTES + 1];
    size_t len;
    sg_config cfg;
    sg_json_tok tokens[STORE_TOKENS];
    char out[STORE_OUT_MAX];
} store;

static const cli_globals *find_globals;

void cli_store_use_globals(const cli_globals *g)
{
    find_globals = g;
}

static bool locate(void)
{
    if (store.path[0] != '\0') {
        return true;
    }
    if (ex_config_dir(store.dir, sizeof store.dir, sizeof "/config.json") != SG_OK) {
        return false;
    }
    int n = snprintf(store.path, sizeof store.path, "%s/config.json", store.dir);
    return n > 0 && (size_t)n < sizeof store.path;
}

const char *cli_store_path(void)
{
    return locate() ? store.path : "";
}

static const char *corrupt_reason(sg_status st)
{
    switch (st) {
    case SG_ERR_JSON_SYNTAX:
        return "it is not valid JSON";
    case SG_ERR_JSON_TYPE:
        return "it is JSON but not a sitegpt config (version 1 with a \"profiles\" object)";
    case SG_ERR_JSON_TOO_MANY_TOKENS:
        return "it has more members than this build handles";
    case SG_ERR_JSON_STRING_TOO_LONG:
        return "a member name is longer than 255 bytes";
    default:
        return sg_strerror(st);
    }
}

int cli_store_load(const cli_globals *g, const sg_config **out)
{
    *out = NULL;
    if (store.loaded) {
        *out = &store.cfg;
        return CLI_EXIT_OK;
    }
    if (!locate()) {
        return cli_fail(g, CLI_EXIT_STORAGE, "STORAGE_ERROR",
                        "cannot locate the config file: set HOME or XDG_CONFIG_HOME");
    }
    unsigned mode = 0;
    sg_status st = sg_file_read(store.path, store.text, sizeof store.text, &store.len, &mode);
    if (st == SG_ERR_NOT_FOUND) {
        store.len = 0;
        st = sg_config_init_empty(&store.cfg);
    } else if (st == SG_ERR_BUFFER_TOO_SMALL) {
        return cli_fail(g, CLI_EXIT_STORAGE, "CONFIG_CORRUPT",
                        "config file %s is larger than %u bytes; it was left untouched",
                        store.path, SG_CONFIG_MAX_BYTES);
    } else if (st != SG_OK) {
        return cli_fail(g, CLI_EXIT_STORAGE, "STORAGE_ERROR", "cannot read config file %s: %s",
                        store.path, strerror(errno));
    } else {
        if ((mode & 077u) != 0 && !store.warned) {
            store.warned = true;
            fprintf(stderr,
                    "sitegpt: warning: %s is readable by other users (mode %04o); it holds "
                    "API tokens. Fix it with: chmod 600 '%s'\n",
                    store.path, mode, store.path);
        }
        st = sg_config_parse(&store.cfg, store.text, store.len, store.tokens, STORE_TOKENS);
        if (st != SG_OK) {
            return cli_fail(g, CLI_EXIT_STORAGE, "CONFIG_CORRUPT",
                            "config file %s is corrupt: %s. Fix or remove it; sitegpt will not "
                            "overwrite it",
                            store.path, corrupt_reason(st));
        }
    }
    if (st != SG_OK) {
        return cli_fail_status(g, st, "reading the config");
    }
    store.loaded = true;
    *out = &store.cfg;
    return CLI_EXIT_OK;
}

int cli_store_apply(const cli_globals *g, const sg_config_edit *edit)
{
    const sg_config *cfg;
    int rc = cli_store_load(g, &cfg);
    if (rc != CLI_EXIT_OK) {
        return rc;
    }
    size_t len = 0;
    sg_status st = sg_config_write(cfg, edit, store.out, sizeof store.out - 1, &len);
    if (st == SG_ERR_NOT_FOUND) {
        return CLI_EXIT_AUTH;
    }
    if (st == SG_OK && len > SG_CONFIG_MAX_BYTES) {
        st = SG_ERR_BUFFER_TOO_SMALL;
    }
    if (st != SG_OK) {
        return cli_fail(g, CLI_EXIT_STORAGE, "STORAGE_ERROR",
                        "cannot update config file %s: %s (at most %u bytes)", store.path,
                        sg_strerror(st), SG_CONFIG_MAX_BYTES);
    }
    store.out[len++] = '\n';
    st = sg_file_mkdirs(store.dir, 0700);
    if (st != SG_OK) {
        return cli_fail(g, CLI_EXIT_STORAGE, "STORAGE_ERROR", "cannot create folder %s: %s",
                        store.dir, strerror(errno));
    }
    st = sg_file_write_atomic(store.path, store.out, len, 0600);
    if (st != SG_OK) {
        return cli_fail(g, CLI_EXIT_STORAGE, "STORAGE_ERROR",
                        "cannot write config file %s: %s (the old file is unchanged)",
                        store.path, strerror(errno));
    }
    /* The new text becomes the loaded config. */
    memcpy(store.text, store.out, len);
    store.len = len;
    store.text[len] = '\0';
    memset(store.out, 0, len);
    st = sg_config_parse(&store.cfg, store.text, store.len, store.tokens, STORE_TOKENS);
    if (st != SG_OK) {
        store.loaded = false;
        return cli_fail_status(g, st, "re-reading the config");
    }
    return CLI_EXIT_OK;
}

bool cli_store_valid_name(const char *name)
{
    size_t n = strlen(name);
    if (n == 0 || n > CLI_NAME_MAX) {
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        char c = name[i];
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '.' || c == '_' || c == '-' || c == '@';
        if (!ok) {
            return false;
        }
    }
    return true;
}

bool cli_store_default_name(const sg_config *cfg, char *out)
{
    if (sg_config_default(cfg, out, CLI_NAME_MAX + 1) == SG_OK &&
        sg_config_profile_exists(cfg, out) == SG_OK) {
        return true;
    }
    /* No usable default: a profile called "default" is the one (as the official CLI does). */
    if (sg_config_profile_exists(cfg, "default") == SG_OK) {
        memcpy(out, "default", sizeof "default");
        return true;
    }
    out[0] = '\0';
    return false;
}

int cli_store_profile(const sg_config *cfg, const char *name, cli_profile *out)
{
    memset(out, 0, sizeof *out);
    char def[CLI_NAME_MAX + 1];
    bool have_default = cli_store_default_name(cfg, def);
    if (name == NULL) {
        if (!have_default) {
            return CLI_EXIT_AUTH;
        }
        name = def;
    }
    if (strlen(name) > CLI_NAME_MAX || sg_config_profile_exists(cfg, name) != SG_OK) {
        return CLI_EXIT_AUTH;
    }
    memcpy(out->name, name, strlen(name) + 1);
    out->is_default = have_default && strcmp(def, name) == 0;
    if (sg_config_get(cfg, name, SG_CONFIG_API_BASE, out->api_base, sizeof out->api_base) !=
        SG_OK) {
        out->api_base[0] = '\0';
    }
    if (sg_config_get(cfg, name, SG_CONFIG_TOKEN, out->token, sizeof out->token) ==
        SG_ERR_BUFFER_TOO_SMALL) {
        out->token[0] = '\0'; /* longer than any token we can send: treated as logged out */
    }
    return CLI_EXIT_OK;
}

int cli_store_find(const char *name, cli_profile *out)
{
    const sg_config *cfg;
    memset(out, 0, sizeof *out);
    int rc = cli_store_load(find_globals, &cfg);
    return rc != CLI_EXIT_OK ? rc : cli_store_profile(cfg, name, out);
}
