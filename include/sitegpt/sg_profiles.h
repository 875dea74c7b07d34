/*
 * sitegpt-c: the profiles file (named API origins and their tokens), read and rewritten
 * without heap.
 *
 *   {"version":1,"defaultProfile":"default",
 *    "profiles":{"default":{"apiBase":"https://sitegpt.ai","token":"sgpt_..."}}}
 *
 * sg_profiles_parse validates a whole document held in a caller buffer and indexes it with
 * the caller's tokens (in place: the sg_profiles borrows both). Edits never modify it:
 * sg_profiles_write produces an edited copy in a second buffer, keeping every member it does
 * not know (top level, inside "profiles", inside each profile) byte for byte and in order.
 *
 * Limits: a document of at most SG_PROFILES_MAX_BYTES; one token per key and per value
 * (a profile of two fields costs 5, so 1024 tokens hold about 200 profiles); member names
 * of at most SG_PROFILES_KEY_MAX bytes. Memory: sizeof(sg_profiles) is about 48 bytes on
 * 64-bit hosts, the caller's tokens 20 bytes each, the output buffer the size of the
 * document plus the edit.
 */
#ifndef SG_PROFILES_H
#define SG_PROFILES_H

#include "sg_base.h"
#include "sg_json.h"

#ifdef __cplusplus
extern "C" {
#endif

#define SG_PROFILES_MAX_BYTES 65536u
#define SG_PROFILES_KEY_MAX   255u
#define SG_PROFILES_VERSION   1

/* Profile field names. */
#define SG_PROFILES_TOKEN    "token"
#define SG_PROFILES_API_BASE "apiBase"

typedef struct sg_profiles {
    sg_json_element doc; /* empty document: zeroed, no tokens */
    int profiles;        /* token of the "profiles" object, -1 when absent */
    int default_name;    /* token of the "defaultProfile" string, -1 when absent/null */
} sg_profiles;

/* A document with no profiles (no config file yet). */
SG_NODISCARD sg_status sg_profiles_init_empty(sg_profiles *c);

/*
 * Validate and index json[0..len). A corrupt document fails with SG_ERR_JSON_SYNTAX (not
 * JSON) or SG_ERR_JSON_TYPE (JSON of the wrong shape: root not an object, "profiles" or a
 * profile not an object, "version" not 1, "defaultProfile", "apiBase" or "token" neither a
 * string nor null); SG_ERR_JSON_DUPLICATE_KEY when an object the program reads (the root,
 * "profiles", a profile) names a member twice; SG_ERR_JSON_TOO_MANY_TOKENS when max_tokens
 * is too few;
 * SG_ERR_BUFFER_TOO_SMALL over SG_PROFILES_MAX_BYTES.
 */
SG_NODISCARD sg_status sg_profiles_parse(sg_profiles *c, const char *json, size_t len,
                                         sg_json_tok *tokens, size_t max_tokens);

/* Name of the default profile; SG_ERR_NOT_FOUND when none is set. */
SG_NODISCARD sg_status sg_profiles_default(const sg_profiles *c, char *out, size_t cap);

/* Number of profiles, and the name of profile `index` in document order. */
SG_NODISCARD sg_status sg_profiles_count(const sg_profiles *c, size_t *count);
SG_NODISCARD sg_status sg_profiles_name(const sg_profiles *c, size_t index, char *out, size_t cap);

/* SG_OK when the profile exists, else SG_ERR_NOT_FOUND. */
SG_NODISCARD sg_status sg_profiles_exists(const sg_profiles *c, const char *profile);

/*
 * A string field of a profile (SG_PROFILES_TOKEN, SG_PROFILES_API_BASE or any other), unescaped
 * and NUL-terminated. SG_ERR_NOT_FOUND when the profile or the field is absent or null.
 */
SG_NODISCARD sg_status sg_profiles_get(const sg_profiles *c, const char *profile, const char *field,
                                       char *out, size_t cap);

typedef enum sg_profiles_op {
    SG_PROFILES_SET_PROFILE = 0, /* create or update: token and/or api_base (NULL keeps);
                                  a new profile becomes the default when none is valid */
    SG_PROFILES_CLEAR_TOKEN,     /* drop the profile's token, keep the rest */
    SG_PROFILES_DELETE_PROFILE,  /* drop the profile; if it was the default, no default */
    SG_PROFILES_SET_DEFAULT      /* make an existing profile the default */
} sg_profiles_op;

typedef struct sg_profiles_edit {
    sg_profiles_op op;
    const char *profile;  /* required, non-empty */
    const char *token;    /* SET_PROFILE only */
    const char *api_base; /* SET_PROFILE only */
} sg_profiles_edit;

/*
 * Write c with one edit applied into out (NUL-terminated; *len excludes the NUL).
 * SG_ERR_NOT_FOUND when the edit needs a profile that does not exist (all but SET_PROFILE);
 * SG_ERR_BUFFER_TOO_SMALL when out is too small. c is unchanged: parse out to go on.
 */
SG_NODISCARD sg_status sg_profiles_write(const sg_profiles *c, const sg_profiles_edit *edit,
                                         char *out, size_t cap, size_t *len);

#ifdef __cplusplus
}
#endif

#endif /* SG_PROFILES_H */
