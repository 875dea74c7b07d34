/* sitegpt CLI: profile store on disk (see cli_store.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli_store.h"
#include "ex_net.h"
#include "sg_file.h"

#define STORE_TOKENS       4096u /* JSON tokens: about 800 profiles */
#define STORE_OUT_MAX      (SG_PROFILES_MAX_BYTES + 2048u)
#define STORE_LOCK_WAIT_MS 10000u /* another sitegpt's edit takes milliseconds */

static struct {
    bool loaded;
    bool warned;
    char dir[CLI_PATH_MAX];
    char path[CLI_PATH_MAX];
    char lock_path[CLI_PATH_MAX];
    char text[SG_PROFILES_MAX_BYTES + 1];
    size_t len;
    sg_profiles cfg;
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
    int m = snprintf(store.lock_path, sizeof store.lock_path, "%s/config.json.lock", store.dir);
    return n > 0 && (size_t)n < sizeof store.path && m > 0 && (size_t)m < sizeof store.lock_path;
}

void cli_store_wipe(void)
{
    /* Only what was used (store.out is wiped where it is filled): untouched pages stay so. */
    sg_wipe(store.text, store.len + 1 < sizeof store.text ? store.len + 1 : sizeof store.text);
    store.len = 0;
    store.loaded = false;
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
    case SG_ERR_JSON_DUPLICATE_KEY:
        return "an object names the same member twice (a profile named twice, or a field "
               "twice in one profile), so which one counts is unclear";
    default:
        return sg_strerror(st);
    }
}

/*
 * Refuse a config folder or file another user could change (as ssh does): owned by someone
 * else, or writable by group or others. A missing one is fine (it is created 0700 / 0600).
 */
static int check_private(const cli_globals *g, const char *path, bool folder)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        if (errno == ENOENT) {
            return CLI_EXIT_OK;
        }
        return cli_fail(g, CLI_EXIT_STORAGE, "STORAGE_ERROR", "cannot check %s: %s", path,
                        strerror(errno));
    }
    const char *what = folder ? "config folder" : "config file";
    unsigned uid = (unsigned)geteuid();
    if ((unsigned)st.st_uid != uid) {
        return cli_fail(g, CLI_EXIT_STORAGE, "CONFIG_UNSAFE",
                        "%s %s belongs to user id %u, not to you (user id %u): that user could "
                        "read or replace your tokens, so sitegpt will not use it. Fix it with: "
                        "chown %u '%s' (if it is yours), or remove it",
                        what, path, (unsigned)st.st_uid, uid, uid, path);
    }
    if ((st.st_mode & 022) != 0) {
        return cli_fail(g, CLI_EXIT_STORAGE, "CONFIG_UNSAFE",
                        "%s %s is writable by %s (mode %04o): another user could replace your "
                        "tokens, so sitegpt will not use it. Fix it with: chmod %s '%s'",
                        what, path, (st.st_mode & 002) != 0 ? "others" : "its group",
                        (unsigned)(st.st_mode & 07777), folder ? "700" : "600", path);
    }
    return CLI_EXIT_OK;
}

/* Read and parse the file as it is on disk now (a missing file is an empty config). */
static int read_config(const cli_globals *g)
{
    store.loaded = false;
    int rc = check_private(g, store.dir, true);
    if (rc == CLI_EXIT_OK) {
        rc = check_private(g, store.path, false);
    }
    if (rc != CLI_EXIT_OK) {
        return rc;
    }
    unsigned mode = 0;
    cli_store_wipe(); /* a shorter file must not leave the old one's tail behind */
    sg_status st = sg_file_read(store.path, store.text, sizeof store.text, &store.len, &mode);
    if (st != SG_OK && st != SG_ERR_NOT_FOUND) {
        sg_wipe(store.text, sizeof store.text); /* whatever part of it was read */
        store.len = 0;
    }
    if (st == SG_ERR_NOT_FOUND) {
        store.len = 0;
        st = sg_profiles_init_empty(&store.cfg);
    } else if (st == SG_ERR_BUFFER_TOO_SMALL) {
        return cli_fail(g, CLI_EXIT_STORAGE, "CONFIG_CORRUPT",
                        "config file %s is larger than %u bytes; it was left untouched", store.path,
                        SG_PROFILES_MAX_BYTES);
    } else if (st != SG_OK) {
        return cli_fail(g, CLI_EXIT_STORAGE, "STORAGE_ERROR", "cannot read config file %s: %s",
                        store.path, strerror(errno));
    } else {
        if ((mode & 077u) != 0 && !store.warned) {
            store.warned = true;
            fprintf(stderr,
                    "sitegpt: warning: %s is readable by other users (mode %04o); it holds "
                    "API tokens. Fix it with: chmod 600 '%s'\n",
                    cli_esc(store.path), mode, cli_esc(store.path));
        }
        st = sg_profiles_parse(&store.cfg, store.text, store.len, store.tokens, STORE_TOKENS);
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
    return CLI_EXIT_OK;
}

int cli_store_load(const cli_globals *g, const sg_profiles **out)
{
    *out = NULL;
    if (!store.loaded) {
        if (!locate()) {
            return cli_fail(g, CLI_EXIT_STORAGE, "STORAGE_ERROR",
                            "cannot locate the config file: set HOME or XDG_CONFIG_HOME");
        }
        int rc = read_config(g);
        if (rc != CLI_EXIT_OK) {
            return rc;
        }
    }
    *out = &store.cfg;
    return CLI_EXIT_OK;
}

static void say_waiting(void *ctx)
{
    (void)ctx;
    fprintf(stderr, "sitegpt: waiting for another sitegpt to finish with %s ...\n",
            cli_esc(store.path));
}

/* Under the lock: read the file as it is now, edit, replace. */
static int apply_locked(const cli_globals *g, const sg_profiles_edit *edit)
{
    int rc = read_config(g);
    if (rc != CLI_EXIT_OK) {
        return rc;
    }
    size_t len = 0;
    sg_status st = sg_profiles_write(&store.cfg, edit, store.out, sizeof store.out - 1, &len);
    if (st == SG_ERR_NOT_FOUND) {
        return CLI_EXIT_AUTH;
    }
    if (st == SG_OK && len > SG_PROFILES_MAX_BYTES) {
        st = SG_ERR_BUFFER_TOO_SMALL;
    }
    if (st != SG_OK) {
        return cli_fail(g, CLI_EXIT_STORAGE, "STORAGE_ERROR",
                        "cannot update config file %s: %s (at most %u bytes)", store.path,
                        sg_strerror(st), SG_PROFILES_MAX_BYTES);
    }
    store.out[len++] = '\n';
    st = sg_file_write_atomic(store.path, store.out, len, 0600);
    if (st != SG_OK) {
        sg_wipe(store.out, len);
        return cli_fail(g, CLI_EXIT_STORAGE, "STORAGE_ERROR",
                        "cannot write config file %s: %s (the old file is unchanged)", store.path,
                        strerror(errno));
    }
    /* The new text becomes the loaded config. */
    memcpy(store.text, store.out, len);
    store.len = len;
    store.text[len] = '\0';
    sg_wipe(store.out, len);
    st = sg_profiles_parse(&store.cfg, store.text, store.len, store.tokens, STORE_TOKENS);
    if (st != SG_OK) {
        store.loaded = false;
        return cli_fail_status(g, st, "re-reading the config");
    }
    return CLI_EXIT_OK;
}

int cli_store_apply(const cli_globals *g, const sg_profiles_edit *edit)
{
    const sg_profiles *cfg;
    int rc = cli_store_load(g, &cfg);
    if (rc != CLI_EXIT_OK) {
        return rc;
    }
    sg_status st = sg_file_mkdirs(store.dir, 0700);
    if (st != SG_OK) {
        return cli_fail(g, CLI_EXIT_STORAGE, "STORAGE_ERROR", "cannot create folder %s: %s",
                        store.dir, strerror(errno));
    }
    rc = check_private(g, store.dir, true);
    if (rc != CLI_EXIT_OK) {
        return rc;
    }
    /* From read to rename, one sitegpt at a time: a concurrent edit is never lost. */
    int lock = -1;
    st = sg_file_lock(store.lock_path, STORE_LOCK_WAIT_MS, &cli_interrupted_signal, say_waiting,
                      NULL, &lock);
    if (st == SG_ERR_CANCELLED) {
        return cli_fail(g, cli_interrupted_exit() ? cli_interrupted_exit() : CLI_EXIT_SIGINT,
                        "INTERRUPTED",
                        "interrupted while waiting for the config file; nothing "
                        "was saved");
    }
    if (st == SG_ERR_TIMEOUT) {
        return cli_fail(g, CLI_EXIT_STORAGE, "CONFIG_LOCKED",
                        "another sitegpt process has been editing %s for %u seconds (it holds "
                        "the lock on %s); nothing was saved. Try again once it is done",
                        store.path, STORE_LOCK_WAIT_MS / 1000u, store.lock_path);
    }
    if (st != SG_OK) {
        return cli_fail(g, CLI_EXIT_STORAGE, "STORAGE_ERROR", "cannot lock %s: %s", store.lock_path,
                        strerror(errno));
    }
    rc = apply_locked(g, edit);
    sg_file_unlock(lock);
    return rc;
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

bool cli_store_default_name(const sg_profiles *cfg, char *out)
{
    if (sg_profiles_default(cfg, out, CLI_NAME_MAX + 1) == SG_OK &&
        sg_profiles_exists(cfg, out) == SG_OK) {
        return true;
    }
    /* No usable default: a profile called "default" is the one (as the official CLI does). */
    if (sg_profiles_exists(cfg, "default") == SG_OK) {
        memcpy(out, "default", sizeof "default");
        return true;
    }
    out[0] = '\0';
    return false;
}

int cli_store_profile(const sg_profiles *cfg, const char *name, cli_profile *out)
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
    if (strlen(name) > CLI_NAME_MAX || sg_profiles_exists(cfg, name) != SG_OK) {
        return CLI_EXIT_AUTH;
    }
    memcpy(out->name, name, strlen(name) + 1);
    out->is_default = have_default && strcmp(def, name) == 0;
    if (sg_profiles_get(cfg, name, SG_PROFILES_API_BASE, out->api_base, sizeof out->api_base) !=
        SG_OK) {
        out->api_base[0] = '\0';
    }
    if (sg_profiles_get(cfg, name, SG_PROFILES_TOKEN, out->token, sizeof out->token) ==
        SG_ERR_BUFFER_TOO_SMALL) {
        out->token[0] = '\0'; /* longer than any token we can send: treated as logged out */
    }
    return CLI_EXIT_OK;
}

int cli_store_find(const char *name, cli_profile *out)
{
    const sg_profiles *cfg;
    memset(out, 0, sizeof *out);
    int rc = cli_store_load(find_globals, &cfg);
    return rc != CLI_EXIT_OK ? rc : cli_store_profile(cfg, name, out);
}
