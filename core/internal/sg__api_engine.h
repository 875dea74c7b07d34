/*
 * sitegpt-c internal: what the routes (sg_api_routes.c) share with the request engine
 * (sg_api.c). Not part of the public API and not installed.
 */
#ifndef SG__API_ENGINE_H
#define SG__API_ENGINE_H

#include <sitegpt/sg_api.h>

/* One request, across its attempts and redirects. */
typedef struct sg__api_call {
    const char *method;
    bool idempotent;
    bool strict_env;   /* typed call: envelope and callback errors abort */
    bool keep_headers; /* replay the final headers to api->header_fn */
    const uint8_t *body;
    size_t body_len;
    /* the caller's data subscriptions (typed calls: subs, sub_count, on_value, ctx); the
       engine lends the work buffer's areas when the envelope starts */
    sg_json_config json;
    sg_api_body_fn on_body;
    void *body_ctx;
    sg_envelope *env;
    sg_http_origin origin; /* where the next attempt goes */
    uint64_t deadline_ms;  /* the whole request's end (platform clock); 0: none */
    sg_retry_state retry;
    uint32_t redirects;
    int http_status;
} sg__api_call;

/*
 * Run one request (c, to api->target) through the engine: its attempts, retries and
 * redirects (the states are described above it in sg_api.c). c comes zeroed but for the
 * request's own fields (method to env). Resets api's attempt and redirect counters first.
 */
SG_NODISCARD sg_status sg__api_request_with_retries(sg_api *api, sg__api_call *c);

#endif /* SG__API_ENGINE_H */
