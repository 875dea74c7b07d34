/* sitegpt-gateway: command line. */
#ifndef GW_OPTIONS_H
#define GW_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gw_log.h"

/* Exit codes, the same numbers as the sitegpt CLI where the meaning is shared. */
enum gw_exit {
    GW_EXIT_OK = 0,
    GW_EXIT_API = 1, /* the API answered with an unexpected error */
    GW_EXIT_USAGE = 2,
    GW_EXIT_AUTH = 3,    /* --once: the token was rejected even after a fresh login */
    GW_EXIT_LOGIN = 4,   /* login denied, expired or refused by the server */
    GW_EXIT_NETWORK = 5, /* DNS, connect, TLS, timeout, 5xx, malformed response */
    GW_EXIT_STORAGE = 6, /* config file unreadable, corrupt or not writable */
    GW_EXIT_INTERNAL = 7,
    GW_EXIT_SIGINT = 130, /* --once interrupted (the loop exits 0 on a signal) */
    GW_EXIT_SIGTERM = 143
};

#define GW_MAX_SCOPES              37
#define GW_MAX_CHATBOTS            32
#define GW_DEFAULT_PROFILE         "gateway"
#define GW_DEFAULT_SCOPE           "chatbots:read"
#define GW_DEFAULT_API_BASE        "https://sitegpt.ai"
#define GW_DEFAULT_INTERVAL_S      300u
#define GW_DEFAULT_BACKOFF_MAX_S   300u
#define GW_DEFAULT_TIMEOUT_S       30u
#define GW_DEFAULT_RENEW_BEFORE_MS (14ull * 86400000ull)

typedef enum gw_command { GW_CMD_RUN = 0, GW_CMD_STATUS } gw_command;

typedef struct gw_options {
    gw_command command;       /* the agent, or `status` (print the status file) */
    const char *status_file;  /* NULL: none written */
    uint64_t renew_before_ms; /* start renewing when less than this is left */
    bool renew_before_set;    /* given on the command line (else the default) */
    const char *profile;
    const char *api_base;   /* NULL: SITEGPT_API_BASE, the profile's, the default */
    const char *cacert;     /* NULL: SSL_CERT_FILE, then the system bundle */
    const char *token_name; /* NULL: "SiteGPT gateway (<profile>@<host>)" */
    const char *scopes[GW_MAX_SCOPES];
    size_t scope_count;
    const char *chatbots[GW_MAX_CHATBOTS];
    size_t chatbot_count;
    uint32_t expires_in_days; /* 0: server default */
    uint32_t interval_s;
    uint32_t backoff_max_s;
    uint32_t timeout_s;
    bool once;
    bool qr;
    gw_level log_level;
} gw_options;

/*
 * Parse argv. Returns -1 to go on, else an exit code (0 after --help or --version,
 * GW_EXIT_USAGE after printing what is wrong).
 */
int gw_options_parse(int argc, char **argv, gw_options *o);

#endif /* GW_OPTIONS_H */
