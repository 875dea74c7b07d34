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
    return ex_posix_open_proxy(c, ca_path, need_tls, stop, NULL, tls_ready);
}

sg_status ex_proxy_select(const char *flag, const sg_http_origin *origin, ex_proxy *out)
{
    memset(out, 0, sizeof *out);
    const char *url = flag;
    out->source = "--proxy";
    if (url == NULL) {
        url = ex_env_nonempty("https_proxy");
        out->source = "https_proxy";
    }
    if (url == NULL) {
        url = ex_env_nonempty("HTTPS_PROXY");
        out->source = "HTTPS_PROXY";
    }
    if (url == NULL || url[0] == '\0' || !origin->tls) {
        return SG_OK; /* plain http:// is never proxied: the proxy would see the token */
    }
    const char *no_proxy = ex_env_nonempty("no_proxy");
    if (no_proxy == NULL) {
        no_proxy = ex_env_nonempty("NO_PROXY");
    }
    if (sg_proxy_bypass(no_proxy, origin->host, origin->port)) {
        return SG_OK;
    }
    sg_status st = sg_proxy_url_parse(url, out->host, sizeof out->host, &out->port, out->userinfo,
                                      sizeof out->userinfo);
    if (st != SG_OK) {
        return SG_ERR_URL;
    }
    out->use = true;
    return SG_OK;
}

void ex_proxy_wipe(ex_proxy *p)
{
    sg_wipe(p->userinfo, sizeof p->userinfo);
}

sg_status ex_posix_open_proxy(sg_posix_client *c, const char *ca_path, bool need_tls,
                              volatile sig_atomic_t *stop, const ex_proxy *proxy, bool *tls_ready)
{
    *tls_ready = false;
    sg_posix_proxy via = {NULL, 0, NULL};
    if (proxy != NULL && proxy->use) {
        via.host = proxy->host;
        via.port = proxy->port;
        via.userinfo = proxy->userinfo[0] != '\0' ? proxy->userinfo : NULL;
    }
    sg_status st = sg_posix_client_init_proxy(c, ca_path, stop, via.host != NULL ? &via : NULL);
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
