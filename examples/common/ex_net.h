/*
 * What the sitegpt CLI and sitegpt-gateway share to reach the API from a POSIX host:
 * environment look-ups, bounded copies, the config folder, the API base and the CA file, and
 * bringing up the POSIX client (TLS when its CA loads, plain TCP otherwise). Errors are
 * reported by the callers, each in its own voice (CLI messages, gateway log events).
 */
#ifndef EX_NET_H
#define EX_NET_H

#include <signal.h>

#include "sg_posix_client.h"
#include <sitegpt/sg_url.h>

#define EX_SYSTEM_CA_BUNDLE "/etc/ssl/certs/ca-certificates.crt"

/* getenv, but NULL when the variable is unset or empty. */
const char *ex_env_nonempty(const char *name);

/* Copy src and its NUL into dst[cap]; false, dst untouched, when it does not fit. */
bool ex_copy_str(char *dst, size_t cap, const char *src);

/*
 * The sitegpt config folder: $XDG_CONFIG_HOME/sitegpt (an absolute XDG_CONFIG_HOME only, as
 * the XDG spec says), else $HOME/.config/sitegpt. SG_ERR_NOT_FOUND when neither is set,
 * SG_ERR_BUFFER_TOO_SMALL when out[cap] cannot hold it and then room_after more bytes (what
 * the caller appends, its NUL included).
 */
SG_NODISCARD sg_status ex_config_dir(char *out, size_t cap, size_t room_after);

/* The CA file to trust: flag (--cacert) when given, else SSL_CERT_FILE, else the system's. */
const char *ex_ca_file(const char *flag);

/*
 * Split an API base URL: *url (its host in host[host_cap]) and its path in
 * base_path[path_cap]. SG_ERR_URL when it is not an http(s) URL, SG_ERR_INSECURE_URL for
 * plain http to a host that is not loopback, SG_ERR_BUFFER_TOO_SMALL
 * when the path does not fit.
 */
SG_NODISCARD sg_status ex_api_base_parse(const char *api_base, char *host, size_t host_cap,
                                         sg_url *url, char *base_path, size_t path_cap);

/*
 * Bring up c: platform, TCP and TLS with the CA file ca_path (*tls_ready true). When the CA
 * cannot be used and need_tls is false (a plain http base), only the platform and TCP
 * (*tls_ready false). Returns the CA's error when need_tls, SG_ERR_IO when even the plain
 * set-up failed. stop: the signal flag that cuts waits short.
 */
SG_NODISCARD sg_status ex_posix_open(sg_posix_client *c, const char *ca_path, bool need_tls,
                                     volatile sig_atomic_t *stop, bool *tls_ready);

/* An HTTPS proxy chosen for one origin. */
typedef struct ex_proxy {
    bool use;
    char host[SG_HOST_MAX + 1];
    uint16_t port;
    char userinfo[SG_PROXY_USERINFO_MAX + 1]; /* secret: wipe with ex_proxy_wipe */
    const char *source; /* where it came from: "--proxy", "https_proxy" or "HTTPS_PROXY" */
} ex_proxy;

/*
 * The proxy for origin, as curl chooses it: flag (--proxy; "" means none) else https_proxy,
 * else HTTPS_PROXY; none for http:// origins or when NO_PROXY (no_proxy) lists the host.
 * SG_ERR_URL (out->source names the setting) when the proxy URL is not valid.
 */
SG_NODISCARD sg_status ex_proxy_select(const char *flag, const sg_http_origin *origin,
                                       ex_proxy *out);
void ex_proxy_wipe(ex_proxy *p);

/* ex_posix_open with https:// through proxy when proxy->use (proxy may be NULL). */
SG_NODISCARD sg_status ex_posix_open_proxy(sg_posix_client *c, const char *ca_path, bool need_tls,
                                           volatile sig_atomic_t *stop, const ex_proxy *proxy,
                                           bool *tls_ready);

/* An HTTP client configuration over c (clock, TCP, TLS when ready); timeouts left 0. */
void ex_http_config(sg_posix_client *c, bool tls_ready, sg_http_config *cfg);

#endif /* EX_NET_H */
