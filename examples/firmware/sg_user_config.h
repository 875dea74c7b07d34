/*
 * sitegpt-c options for this firmware (see include/sitegpt/sg_options.h for what each one bounds).
 * mk/firmware.mk builds the library and the application with
 * -DSG_USER_CONFIG_FILE='"sg_user_config.h"', so both agree (main.c checks it at start-up
 * with sg_check_layout()).
 *
 * Sized for this device's login and GET /api/v2/me: the mock's device code is 55 bytes, its
 * tokens 45, its URIs under 64, its host and paths under 32; the contract's are shorter
 * still. A longer value fails with a clear status (or, for the OAuth error texts, is cut):
 * never a silent overflow. Together they keep sg_device under 1 KB (`make size`).
 */
#ifndef SG_USER_CONFIG_H
#define SG_USER_CONFIG_H

#define SG_HOST_MAX 48

/* Responses here are a few hundred bytes: body and chunk lengths are counted in 32 bits. */
#define SG_HTTP_LENGTH_64 0
/* The device reaches the API directly: no HTTPS proxy tunnel. */
#define SG_PROXY          0

/* Its requests are the core's own: no extra request headers. */
#define SG_HTTP_EXTRA_HEADERS 0

#define SG_DEVICE_USER_CODE_MAX 16
#define SG_DEVICE_URI_MAX       80
#define SG_DEVICE_TOKEN_MAX     96
/* the token request: 90 bytes of grant type and keys, the device code (at most 95), the
   client id (11) */
#define SG_DEVICE_BODY_MAX      208
#define SG_DEVICE_STR_MAX       96
#define SG_DEVICE_PATH_MAX      48
#define SG_DEVICE_ERROR_MAX     24
#define SG_DEVICE_DESC_MAX      64

#define SG_API_WORK_MIN        2048u
#define SG_API_TARGET_MAX      256u
#define SG_API_CURSOR_MAX      128u
#define SG_API_ID_MAX          64
#define SG_API_EMAIL_MAX       96
#define SG_API_NAME_MAX        96
#define SG_API_CHATBOT_IDS_MAX 64

/* sg_api always lends the envelope a string buffer from its work area. */
#define SG_ENVELOPE_OWN_STR         0
#define SG_ENVELOPE_CALLER_SUBS_MAX 9
#define SG_ENVELOPE_MESSAGE_MAX     128
#define SG_ENVELOPE_HINT_MAX        128
#define SG_ENVELOPE_REQUEST_ID_MAX  48

/* Device-flow responses are flat and /api/v2/me nests four deep; the longest path read is
   "data.pagination.hasNextPage" (27); 16 subscriptions cover the envelope's 6 + 8. */
#define SG_JSON_DEPTH_MAX 16
#define SG_JSON_PATH_MAX  32
#define SG_JSON_SUBS_MAX  16
/* No list calls here: the reader leaves element gathering out (ELEMENT subscriptions are
   refused with SG_ERR_UNSUPPORTED). */
#define SG_JSON_ELEMENTS  0
/* ...and reads no JSON through tokens: every value it needs streams by (no jsmn index, no
   sg_json_parse; they answer SG_ERR_UNSUPPORTED). */
#define SG_JSON_TOKENS    0
/* No raw capture either: an API error's error.details is not kept (its code, message and
   hint are). */
#define SG_JSON_RAW       0

/* Flash trim: no per-status texts; sg_strerror() names the layer and the firmware prints the
   status number beside it, as it prints mbedTLS's (MBEDTLS_ERROR_C is off too). HTTP dates
   stay in (SG_RETRY_HTTP_DATE 1, the default): sg_renew measures the token's time left
   against the Date header. */
#define SG_STRERROR_TEXTS        0
/* No one types scope names on this device: no spelling suggestions, and the login does not
   compare the granted scopes with the asked ones (no scope table). */
#define SG_SCOPE_SUGGEST         0
#define SG_DEVICE_GRANTED_SCOPES 0
/* This device talks to the one API base it is given: no RFC 8414 discovery request, the
   endpoints are <base>/oauth/device_authorization and <base>/oauth/token. */
#define SG_DEVICE_DISCOVERY      0
/* Redirects stay followed (SG_API_REDIRECTS 1, the default): the contract follows up to 3,
   and a device cannot know that its server will never send one. */
/* Its requests carry forms (the login) or no body at all (GET /api/v2/me): no JSON writer. */
#define SG_JSON_WRITER           0

#endif /* SG_USER_CONFIG_H */
