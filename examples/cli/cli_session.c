/* sitegpt CLI: which credential and API base a command uses, and its networking. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "ex_net.h"

#define CLI_IO_BUFFER_SIZE    16384u
#define CLI_DEFAULT_TIMEOUT_S 30u

int cli_resolve_credential(const cli_globals *g, bool need_token, cli_credential *out)
{
    memset(out, 0, sizeof *out);
    const char *profile_name = g->profile != NULL ? g->profile : ex_env_nonempty("SITEGPT_PROFILE");
    const char *env_token = ex_env_nonempty("SITEGPT_API_TOKEN");
    const char *base = g->api_base != NULL ? g->api_base : ex_env_nonempty("SITEGPT_API_BASE");
    out->base_source = g->api_base != NULL ? "--api-base"
                       : base != NULL      ? "SITEGPT_API_BASE"
                                           : NULL;

    if (env_token != NULL && !ex_copy_str(out->token, sizeof out->token, env_token)) {
        return cli_fail(g, CLI_EXIT_USAGE, "USAGE_ERROR",
                        "SITEGPT_API_TOKEN is longer than %d characters", CLI_TOKEN_MAX);
    }
    if (env_token != NULL) {
        out->token_source = "SITEGPT_API_TOKEN";
    }

    /* The saved profile is needed unless the environment already says everything. */
    bool need_store = profile_name != NULL || env_token == NULL || base == NULL;
    if (need_store) {
        cli_profile p;
        int rc = cli_store_find(profile_name, &p);
        if (rc == CLI_EXIT_OK) {
            (void)ex_copy_str(out->profile, sizeof out->profile, p.name);
            if (base == NULL && p.api_base[0] != '\0') {
                (void)ex_copy_str(out->api_base, sizeof out->api_base, p.api_base);
            }
            if (env_token == NULL && p.token[0] != '\0') {
                (void)ex_copy_str(out->token, sizeof out->token, p.token);
                out->token_source = "profile";
                (void)ex_copy_str(out->token_base, sizeof out->token_base,
                                  p.api_base[0] != '\0' ? p.api_base : CLI_DEFAULT_API_BASE);
            }
            if (need_token && out->token[0] == '\0') {
                sg_wipe(p.token, sizeof p.token);
                return cli_fail(g, CLI_EXIT_AUTH, "PROFILE_NOT_CONFIGURED",
                                "profile '%s' has no token (PROFILE_NOT_CONFIGURED: logged out). "
                                "Run 'sitegpt login --profile %s' or set SITEGPT_API_TOKEN.",
                                p.name, p.name);
            }
        } else if (rc == CLI_EXIT_STORAGE) {
            sg_wipe(p.token, sizeof p.token);
            return rc;
        } else if (profile_name != NULL && env_token == NULL && need_token) {
            return cli_fail(g, CLI_EXIT_AUTH, "PROFILE_NOT_CONFIGURED",
                            "profile '%s' is not configured (PROFILE_NOT_CONFIGURED). "
                            "Run 'sitegpt login --profile %s'.",
                            profile_name, profile_name);
        } else if (need_token && env_token == NULL) {
            return cli_fail(g, CLI_EXIT_AUTH, "PROFILE_NOT_CONFIGURED",
                            "not logged in (PROFILE_NOT_CONFIGURED): no saved profile and "
                            "SITEGPT_API_TOKEN is not set. Run 'sitegpt login'.");
        }
        if (rc != CLI_EXIT_OK && profile_name != NULL) {
            (void)ex_copy_str(out->profile, sizeof out->profile, profile_name);
        }
        sg_wipe(p.token, sizeof p.token);
    }
    if (base != NULL) {
        if (!ex_copy_str(out->api_base, sizeof out->api_base, base)) {
            return cli_fail(g, CLI_EXIT_USAGE, "USAGE_ERROR",
                            "the API base URL is longer than %d "
                            "characters",
                            CLI_URL_MAX);
        }
    } else if (out->api_base[0] == '\0') {
        (void)ex_copy_str(out->api_base, sizeof out->api_base, CLI_DEFAULT_API_BASE);
    }
    return CLI_EXIT_OK;
}

struct cli_net {
    sg_posix_client posix;
    bool posix_ready; /* TLS too (else plain http only) */
    sg_http_client http;
    sg_url url;
    char host[SG_HOST_MAX];
    char base_path[CLI_URL_MAX + 1];
    char ca_path[CLI_PATH_MAX];
    uint32_t timeout_ms; /* each API request as a whole */
    ex_proxy proxy;      /* https:// through this HTTP proxy when proxy.use */
    uint8_t io[CLI_IO_BUFFER_SIZE];
};

static cli_net the_net;
static cli_net *open_net;

int cli_net_open(const cli_globals *g, const char *api_base, cli_net **out)
{
    cli_net *n = &the_net;
    sg_status st;
    memset(n, 0, sizeof *n);
    *out = NULL;

    st = ex_api_base_parse(api_base, n->host, sizeof n->host, &n->url, n->base_path,
                           sizeof n->base_path);
    if (st == SG_ERR_URL) {
        return cli_fail(g, CLI_EXIT_USAGE, "USAGE_ERROR",
                        "API base '%s' is not a valid http(s) URL (expected e.g. "
                        "https://sitegpt.ai)",
                        api_base);
    }
    if (st == SG_ERR_INSECURE_URL) {
        return cli_fail(g, CLI_EXIT_USAGE, "INSECURE_URL",
                        "API base '%s' uses plain http:// to a host that is not loopback; "
                        "use https:// (plain http is allowed only for localhost, 127.0.0.0/8 "
                        "and ::1)",
                        api_base);
    }
    if (st != SG_OK) {
        return cli_fail(g, CLI_EXIT_USAGE, "USAGE_ERROR", "API base path is too long");
    }
    if (!ex_copy_str(n->ca_path, sizeof n->ca_path, ex_ca_file(g->cacert))) {
        return cli_fail(g, CLI_EXIT_USAGE, "USAGE_ERROR", "CA file path is too long");
    }
    if (ex_proxy_select(g->proxy, &n->url.origin, &n->proxy) != SG_OK) {
        const char *source = n->proxy.source;
        ex_proxy_wipe(&n->proxy);
        /* the URL itself is not echoed: it may hold a password */
        return cli_fail(g, CLI_EXIT_USAGE, "USAGE_ERROR",
                        "the proxy URL in %s is not valid: expected http://[user:password@]host"
                        "[:port] (only HTTP proxies are supported)",
                        source);
    }
    st = ex_posix_open_proxy(&n->posix, n->ca_path, n->url.origin.tls, &cli_interrupted_signal,
                             &n->proxy, &n->posix_ready);
    if (st != SG_OK && n->url.origin.tls) {
        return cli_fail(g, CLI_EXIT_NETWORK,
                        st == SG_ERR_NOT_FOUND ? "CA_FILE_UNREADABLE" : "CA_FILE_INVALID",
                        "cannot use CA certificates from '%s': %s%s", n->ca_path,
                        st == SG_ERR_NOT_FOUND ? "the file cannot be read" : sg_strerror(st),
                        g->cacert != NULL ? "" : " (set --cacert FILE or SSL_CERT_FILE)");
    }
    if (st != SG_OK) {
        return cli_fail_status(g, SG_ERR_IO, "setting up networking");
    }

    sg_http_config cfg;
    ex_http_config(&n->posix, n->posix_ready, &cfg);
    unsigned timeout_s = g->timeout_s;
    const char *env_timeout = ex_env_nonempty("SITEGPT_TIMEOUT");
    if (timeout_s == 0 && env_timeout != NULL) {
        char *end = NULL;
        unsigned long t = strtoul(env_timeout, &end, 10);
        if (end == env_timeout || *end != '\0' || t < 1 || t > 3600) {
            cli_net_close(n);
            return cli_fail(g, CLI_EXIT_USAGE, "USAGE_ERROR",
                            "SITEGPT_TIMEOUT takes whole seconds from 1 to 3600, not '%s'",
                            env_timeout);
        }
        timeout_s = (unsigned)t;
    }
    if (timeout_s != 0) {
        cfg.connect_timeout_ms = timeout_s * 1000u;
        cfg.read_timeout_ms = timeout_s * 1000u;
    } else {
        timeout_s = CLI_DEFAULT_TIMEOUT_S; /* connect and read keep the library's shorter ones */
    }
    /* One deadline per request: each exchange here, every retry and redirect in sg_api. */
    cfg.request_timeout_ms = timeout_s * 1000u;
    n->timeout_ms = timeout_s * 1000u;
    st = sg_http_client_init(&n->http, &cfg, n->io, sizeof n->io);
    if (st != SG_OK) {
        cli_net_close(n);
        return cli_fail_status(g, st, "setting up the HTTP client");
    }
    open_net = n;
    *out = n;
    return CLI_EXIT_OK;
}

sg_http_client *cli_net_http(cli_net *net)
{
    return &net->http;
}

const sg_http_origin *cli_net_origin(const cli_net *net)
{
    return &net->url.origin;
}

const char *cli_net_base_path(const cli_net *net)
{
    return net->base_path;
}

const sg_platform *cli_net_platform(const cli_net *net)
{
    return &net->posix.sys.platform;
}

int cli_check_token_origin(const cli_globals *g, const cli_credential *cred)
{
    if (cred->token_source == NULL || strcmp(cred->token_source, "profile") != 0 ||
        cred->base_source == NULL) {
        return CLI_EXIT_OK; /* no saved token, or it goes to its own profile's base */
    }
    bool same = false;
    if (sg_url_same_origin_text(cred->api_base, cred->api_base, &same) != SG_OK) {
        return CLI_EXIT_OK; /* not a usable base at all: cli_net_open says why */
    }
    /* A saved base that does not parse is no origin this token may go anywhere else for. */
    if (sg_url_same_origin_text(cred->token_base, cred->api_base, &same) == SG_OK && same) {
        return CLI_EXIT_OK;
    }
    return cli_fail(g, CLI_EXIT_USAGE, "TOKEN_ORIGIN_MISMATCH",
                    "the token saved in profile '%s' was issued for %s; it is not sent to %s "
                    "(from %s). For a one-off request there, give its token in "
                    "SITEGPT_API_TOKEN; to keep one for it, run 'sitegpt login --profile NAME "
                    "--api-base %s' (add '--token -' to store an existing token from stdin)",
                    cred->profile, cred->token_base, cred->api_base, cred->base_source,
                    cred->api_base);
}

int cli_session_open(const cli_globals *g, bool need_token, cli_credential *cred, cli_net **net)
{
    *net = NULL;
    int rc = cli_resolve_credential(g, need_token, cred);
    if (rc == CLI_EXIT_OK) {
        rc = cli_check_token_origin(g, cred);
    }
    return rc != CLI_EXIT_OK ? rc : cli_net_open(g, cred->api_base, net);
}

sg_status cli_net_api_init(cli_net *net, const char *token, void *work, size_t work_size,
                           sg_api *api)
{
    sg_api_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.http = &net->http;
    cfg.origin = net->url.origin;
    cfg.base_path = net->base_path;
    cfg.token = token != NULL && token[0] != '\0' ? token : NULL;
    cfg.platform = &net->posix.sys.platform;
    cfg.work = work;
    cfg.work_size = work_size;
    cfg.timeout_ms = net->timeout_ms;
    return sg_api_init(api, &cfg);
}

void cli_net_close(cli_net *net)
{
    if (net == NULL) {
        return;
    }
    sg_http_client_close(&net->http);
    ex_proxy_wipe(&net->proxy);
    if (net->posix_ready) {
        sg_posix_client_free(&net->posix);
        net->posix_ready = false;
    }
    /* The I/O buffer saw the bearer token: leave nothing behind. */
    sg_wipe(net->io, sizeof net->io);
    if (open_net == net) {
        open_net = NULL;
    }
}

const char *cli_net_detail(sg_status st, char *buf, size_t cap)
{
    const cli_net *n = open_net;
    if (n == NULL) {
        return NULL;
    }
    if (n->proxy.use) {
        const char *what = NULL;
        switch (st) {
        case SG_ERR_PROXY: {
            int code = n->posix.proxy.status;
            (void)snprintf(buf, cap,
                           "the proxy %s port %u (%s) refused the tunnel to %s:%u: "
                           "HTTP %d%s",
                           n->proxy.host, (unsigned)n->proxy.port, n->proxy.source, n->host,
                           (unsigned)n->url.origin.port, code,
                           code == 407   ? " (proxy authentication required: put user:password@ "
                                           "in the proxy URL)"
                           : code == 401 ? " (the proxy rejected the credentials)"
                           : code == 403 ? " (forbidden by the proxy)"
                                         : "");
            return buf;
        }
        case SG_ERR_DNS:
            what = "cannot resolve the proxy's host name";
            break;
        case SG_ERR_CONNECT:
            what = "cannot connect to the proxy";
            break;
        case SG_ERR_HTTP_MALFORMED:
        case SG_ERR_HTTP_HEADERS_TOO_LARGE:
        case SG_ERR_HTTP_TRUNCATED:
            if (n->posix.proxy.status == 0) {
                what = "the proxy's answer to CONNECT is not HTTP";
            }
            break;
        default:
            break;
        }
        if (what != NULL) {
            (void)snprintf(buf, cap, "%s %s port %u (%s)", what, n->proxy.host,
                           (unsigned)n->proxy.port, n->proxy.source);
            return buf;
        }
    }
    switch (st) {
    case SG_ERR_HTTP_HEADERS_TOO_LARGE:
        (void)snprintf(buf, cap, "response headers exceed %u bytes (the I/O buffer)",
                       CLI_IO_BUFFER_SIZE);
        return buf;
    case SG_ERR_CERT: {
        uint32_t flags = 0;
        const char *reason = NULL;
        if (n->posix_ready && sg_tls_verify_result(&n->posix.tls, &flags, &reason) == SG_OK &&
            reason != NULL) {
            const char *issuer = sg_tls_verify_issuer(&n->posix.tls);
            bool name_it = issuer[0] != '\0'; /* only when the issuer was the problem */
            (void)snprintf(buf, cap, "the certificate of %s was rejected: %s%s%s%s (CA file: %s)",
                           n->host, reason, name_it ? "; issuer: '" : "", name_it ? issuer : "",
                           name_it ? "'" : "", n->ca_path);
            return buf;
        }
        (void)snprintf(buf, cap, "the certificate of %s was rejected (CA file: %s)", n->host,
                       n->ca_path);
        return buf;
    }
    case SG_ERR_DNS:
        (void)snprintf(buf, cap, "cannot resolve host name '%s'", n->host);
        return buf;
    case SG_ERR_CONNECT:
        (void)snprintf(buf, cap, "cannot connect to %s port %u", n->host,
                       (unsigned)n->url.origin.port);
        return buf;
    case SG_ERR_TIMEOUT:
        (void)snprintf(buf, cap,
                       "%s:%u did not answer within %u s (--timeout or SITEGPT_TIMEOUT "
                       "bounds each request, retries included)",
                       n->host, (unsigned)n->url.origin.port, (unsigned)(n->timeout_ms / 1000u));
        return buf;
    case SG_ERR_TLS:
        if (n->posix_ready && n->posix.tls.last_error != 0) {
            int e = n->posix.tls.last_error;
            (void)snprintf(buf, cap, "TLS with %s failed (mbedTLS error -0x%04X)", n->host,
                           (unsigned)(e < 0 ? -e : e));
            return buf;
        }
        (void)snprintf(buf, cap, "TLS with %s failed (is it an https server?)", n->host);
        return buf;
    default:
        return NULL;
    }
}
