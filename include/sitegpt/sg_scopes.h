/*
 * sitegpt-c: the API's 37 token scopes (resource:action, such as "tokens:read"), in the
 * order the API lists them, and a spelling suggestion for a name that is not one of them.
 * Shared by login (--scope) and tokens create, which check every name before any network
 * call and name an unknown one with the closest valid spelling.
 */
#ifndef SG_SCOPES_H
#define SG_SCOPES_H

#include "sg_base.h"

#ifdef __cplusplus
extern "C" {
#endif

#define SG_SCOPE_COUNT    37u
#define SG_SCOPE_NAME_MAX 24u /* longest scope name plus its NUL */

/* Scope i in the API's order, NULL when i >= SG_SCOPE_COUNT. */
const char *sg_scope_at(size_t i);

/* True when name (NUL-terminated) is exactly one of the scopes (case-sensitive). */
bool sg_scope_is_valid(const char *name);

/* Index of a scope given as (pointer, length): SG_ERR_NOT_FOUND when it is none. */
SG_NODISCARD sg_status sg_scope_index(const char *name, size_t len, size_t *index);

/*
 * The valid scope closest to a misspelt name (case-insensitive edit distance with
 * transpositions; "read:tokens" finds "tokens:read"), or NULL when none is close enough
 * to be a plausible meaning (distance over a third of the length, at least 2 allowed).
 * Always NULL when built with SG_SCOPE_SUGGEST 0 (sg_options.h).
 */
const char *sg_scope_suggest(const char *name);

#ifdef __cplusplus
}
#endif

#endif /* SG_SCOPES_H */
