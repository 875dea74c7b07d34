/*
 * sitegpt-c internal: what the request engine (sg_api.c, sg_api_routes.c) shares with the
 * retry and redirect decisions (sg_retry.c). Not part of the public API and not installed.
 */
#ifndef SG__RETRY_H
#define SG__RETRY_H

#include <stdbool.h>

#ifdef __cplusplus
extern "C" {
#endif

/* GET and HEAD: read-only, so retried on any transient failure and redirected anywhere
   (RFC 9110 9.2.1). */
bool sg__method_is_safe(const char *method);

#ifdef __cplusplus
}
#endif

#endif /* SG__RETRY_H */
