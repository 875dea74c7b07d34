/*
 * sitegpt-gateway: the status file (--status-file) for an LCD, LED or web page process,
 * and `sitegpt-gateway status`, which prints it for people.
 *
 * One JSON object, replaced atomically (temp file, fsync, rename), mode 0644: it never
 * holds a token or a device code, only what a person may read (the user code and URLs).
 * Times are ISO 8601 UTC by the server's clock (its last Date plus the monotonic time
 * since) once a response was seen ("clock":"server"), else by the local one ("local").
 *
 *   {"version":1,"state":"renewing","updatedAt":"...","clock":"server","profile":"gateway",
 *    "apiBase":"https://...","pid":42,
 *    "token":{"expiresAt":"...","secondsLeft":N,"daysLeft":N,"renewAt":"..."}|null,
 *    "pending":{"purpose":"renewal"|"provisioning","userCode":"ABCD-EFGH",
 *               "verificationUri":"...","verificationUriComplete":"...",
 *               "expiresAt":"...","expiresInSeconds":N}|null,
 *    "lastSuccess":"..."|null,"lastError":{"at":"...","event":"...","reason":"..."}|null}
 */
#ifndef GW_STATUS_H
#define GW_STATUS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <sitegpt/sg_base.h>

typedef enum gw_state {
    GW_STATE_PROVISIONING = 0, /* no token: a device login is being started */
    GW_STATE_WAITING,          /* no usable token: a code waits for a person's approval */
    GW_STATE_HEALTHY,          /* the token works */
    GW_STATE_RENEWING,         /* the token works; a renewal code waits for approval */
    GW_STATE_OFFLINE,          /* the last check failed (network, TLS, server) */
    GW_STATE_REJECTED          /* the server refused the token or the login */
} gw_state;

const char *gw_state_name(gw_state s);

typedef struct gw_status {
    gw_state state;
    const char *profile;
    const char *api_base;
    bool server_clock; /* times below are by the server's clock */
    int64_t now_s;     /* the time of writing */
    /* token: known when token_expires_s > 0 */
    int64_t token_expires_s;
    int64_t renew_at_s;
    /* pending code: when user_code is non-NULL */
    bool pending_renewal;
    const char *user_code;
    const char *verification_uri;
    const char *verification_uri_complete;
    int64_t code_expires_s;
    int64_t last_success_s; /* 0: never */
    int64_t last_error_s;   /* 0: none */
    const char *last_error_event;
    const char *last_error;
} gw_status;

/* Write the file atomically, mode 0644. SG_ERR_BUFFER_TOO_SMALL, SG_ERR_STORAGE. */
SG_NODISCARD sg_status gw_status_write(const char *path, const gw_status *s);

/* Print the file at path for people on out, server text escaped. Returns an exit code. */
int gw_status_print(const char *path, FILE *out);

#endif /* GW_STATUS_H */
