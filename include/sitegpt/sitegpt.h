/*
 * sitegpt-c public API: include this one header, and call sg_check_layout() first.
 * Each module's header documents its memory use and limits; include/sitegpt/sg_options.h lists every
 * compile-time option.
 */
#ifndef SITEGPT_H
#define SITEGPT_H

#include "sg_base.h"
#include "sg_http.h"
#include "sg_url.h"
#include "sg_json.h"
#include "sg_envelope.h"
#include "sg_retry.h"
#include "sg_api.h"
#include "sg_scopes.h"
#include "sg_device.h"
#include "sg_profiles.h"
#include "sg_renew.h"
#include "sg_proxy.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Layout check. Most options (sg_options.h) size public structs, so a library and an
 * application built with different options would corrupt each other's memory. Call
 * sg_check_layout() once at start-up, before any other call: it compares a digest of the
 * application's sizeof of every public struct with the library's and returns SG_ERR_LAYOUT
 * when they differ (SG_OK otherwise). The digest is a compile-time constant on both sides,
 * so the check costs a few bytes.
 */
/* clang-format off */
#define SG_LAYOUT_STRUCTS(X)                                                                       \
    X(sg_slice) X(sg_platform) X(sg_transport) X(sg_http_sink) X(sg_http_parser)                   \
    X(sg_http_header) X(sg_http_request) X(sg_http_config) X(sg_http_origin) X(sg_http_client)     \
    X(sg_url) X(sg_form) X(sg_json_element) X(sg_json_sub) X(sg_json_event) X(sg_json_config)      \
    X(sg_json_reader) X(sg_json_writer) X(sg_envelope) X(sg_retry_policy) X(sg_retry_state)        \
    X(sg_api_config) X(sg_api) X(sg_api_identity) X(sg_api_list_params) X(sg_api_page)             \
    X(sg_api_list_out) X(sg_api_new_token) X(sg_device_config) X(sg_device) X(sg_profiles)         \
    X(sg_profiles_edit) X(sg_renew) X(sg_renew_plan)
/* clang-format on */

/* FNV-1a over the sizes, in list order. */
#define SG_LAYOUT_MIX(type) h = (h ^ (uint64_t)sizeof(type)) * 0x100000001b3u;
static inline uint64_t sg_layout_digest(void)
{
    uint64_t h = 0xcbf29ce484222325u;
    SG_LAYOUT_STRUCTS(SG_LAYOUT_MIX)
    return h;
}

/* The library's side: SG_ERR_LAYOUT unless app_digest is its own sg_layout_digest(). */
SG_NODISCARD sg_status sg_layout_compare(uint64_t app_digest);

static inline sg_status sg_check_layout(void)
{
    return sg_layout_compare(sg_layout_digest());
}

#ifdef __cplusplus
}
#endif

#endif /* SITEGPT_H */
