/* Shared by the CLI and the gateway: see ex_net.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ex_net.h"

const char *ex_env_nonempty(const char *name)
{
    const char *v = getenv(name);
    return (v != NULL && v[0] != '\0') ? v : NULL;
}

bool ex_copy_str(char *dst, size_t cap, const char *src)
{
    size_t n = strlen(src);
    if (n >= cap) {
        return false;
    }
    memcpy(dst, src, n + 1);
    return true;
}

sg_status ex_config_dir(char *out, size_t cap, size_t room_after)
{
    const char *xdg = getenv("XDG_CONFIG_HOME");
    const char *home = ex_env_nonempty("HOME");
    int n;
    /* The XDG spec: a relative XDG_CONFIG_HOME is invalid and ignored. */
    if (xdg != NULL && xdg[0] == '/') {
        n = snprintf(out, cap, "%s/sitegpt", xdg);
    } else if (home != NULL) {
        n = snprintf(out, cap, "%s/.config/sitegpt", home);
    } else {
        return SG_ERR_NOT_FOUND;
    }
    if (n < 0 || (size_t)n >= cap || (size_t)n + room_after > cap) {
        out[0] = '\0';
        return SG_ERR_BUFFER_TOO_SMALL;
    }
    return SG_OK;
}

const char *ex_ca_file(const char *flag)
{
    const char *ca = flag != NULL ? flag : ex_env_nonempty("SSL_CERT_FILE");
    return ca != NULL ? ca : EX_SYSTEM_CA_BUNDLE;
}

sg_status ex_api_base_parse(const char *api_base, char *host, size_t host_cap, sg_url *url,
                            char *base_path, size_t path_cap)
{
    sg_status st = sg_url_parse(api_base, host, host_cap, url);
    if (st == SG_ERR_INSECURE_URL) {
        return st; /* a valid URL, refused: plain http off loopback */
    }
    if (st != SG_OK) {
        return SG_ERR_URL;
    }
    if (url->path.len >= path_cap) {
        return SG_ERR_BUFFER_TOO_SMALL;
    }
    memcpy(base_path, url->path.ptr, url->path.len);
    base_path[url->path.len] = '\0';
    return SG_OK;
}

sg_status ex_posix_open(sg_posix_client *c, const char *ca_path, bool need_tls,
                        volatile sig_atomic_t *stop, bool *tls_ready)
{
    *tls_ready = false;
    sg_status st = sg_posix_client_init(c, ca_path, stop);
    if (st == SG_OK) {
        *tls_ready = true;
        return SG_OK;
    }
    if (need_tls) {
        return st;
    }
    /* Plain http needs no CA: bring up only the platform and the socket. */
    if (sg_posix_platform_init(&c->sys, stop) != SG_OK ||
        sg_posix_tcp_init(&c->tcp, stop) != SG_OK) {
        return SG_ERR_IO;
    }
    return SG_OK;
}

void ex_http_config(sg_posix_client *c, bool tls_ready, sg_http_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->platform = &c->sys.platform;
    cfg->plain = &c->tcp.transport;
    cfg->tls = tls_ready ? &c->tls.transport : NULL;
}
