/*
 * sitegpt-gateway: the agent. Provision a token with the device flow when the profile has
 * none, then check GET /api/v2/me every interval; back off on failures (exponential,
 * jittered, capped); renew the token before it expires (by the server's clock) while the
 * old one keeps serving; log in again when the API says 401 TOKEN_NOT_VALID. Keeps the
 * status file (--status-file) current.
 */
#ifndef GW_AGENT_H
#define GW_AGENT_H

#include <signal.h>

#include "gw_options.h"

/*
 * Run until *stop is set (exit 0) or, with --once, until one check is done. Returns an
 * exit code (enum gw_exit). One agent per process: its state is static.
 */
int gw_agent_run(const gw_options *o, volatile sig_atomic_t *stop);

#endif /* GW_AGENT_H */
