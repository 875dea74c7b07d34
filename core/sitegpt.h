/*
 * sitegpt-c public API: include this one header.
 * Each module's header documents its memory use and limits.
 */
#ifndef SITEGPT_H
#define SITEGPT_H

#include "sg_base.h"
#include "sg_http.h"
#include "sg_url.h"
#include "sg_json.h"
#include "sg_envelope.h"
#include "sg_retry.h"
/* module headers are added below as they land */
#include "sg_api.h"
#include "sg_scopes.h"
#include "sg_device.h"
#include "sg_config.h"

#ifdef __cplusplus
extern "C" {
#endif

#ifdef __cplusplus
}
#endif

#endif /* SITEGPT_H */
