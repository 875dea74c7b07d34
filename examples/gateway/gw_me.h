/*
 * sitegpt-gateway: what a GET /api/v2/me body says about the token in use: who it belongs
 * to, when it expires, and what a renewal must ask for again (scopes, chatbot restriction,
 * lifetime). Everything here came from the server: bounded, and checked before reuse.
 */
#ifndef GW_ME_H
#define GW_ME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gw_options.h"
#include <sitegpt/sg_api.h>

#define GW_SCOPE_MAX      48u /* one scope name */
#define GW_CHATBOT_ID_MAX 64u /* one chatbot id */
#define GW_TIME_MAX       40u /* one ISO 8601 value */

typedef struct gw_me {
    char user[SG_API_ID_MAX];        /* "-" when absent */
    char auth[SG_API_AUTH_TYPE_MAX]; /* "-" when absent */
    char expires_at[GW_TIME_MAX];    /* "" when absent or too long */
    char created_at[GW_TIME_MAX];
    /* The renewal's request; valid only when renewable. */
    bool renewable; /* scopes and chatbotIds read whole and plain */
    char scopes[GW_MAX_SCOPES][GW_SCOPE_MAX];
    const char *scope_ptrs[GW_MAX_SCOPES];
    size_t scope_count;
    char chatbots[GW_MAX_CHATBOTS][GW_CHATBOT_ID_MAX];
    const char *chatbot_ptrs[GW_MAX_CHATBOTS];
    size_t chatbot_count; /* 0: all chatbots */
} gw_me;

/*
 * Read a /me body (an API envelope). renewable is set only when data.auth.scopes are all
 * scope names we know and data.auth.chatbotIds is present with plain ids ([A-Za-z0-9_-]):
 * anything else must not be asked for again (a space in a "scope" would add another).
 */
void gw_me_parse(const char *body, size_t len, gw_me *out);

/* expiresAt - createdAt in whole days (nearest, 1..365), 0 when either is missing. */
uint32_t gw_me_lifetime_days(const char *expires_at, const char *created_at);

#endif /* GW_ME_H */
