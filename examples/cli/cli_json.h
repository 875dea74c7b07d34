/*
 * sitegpt CLI: envelopes built locally: {"ok":true,"data":{...}} for commands whose result
 * does not come from the API (profiles, logout, login events, whoami), and the error envelope
 * {"ok":false,"error":{...}} of local failures.
 */
#ifndef SITEGPT_CLI_JSON_H
#define SITEGPT_CLI_JSON_H

#include "cli.h"

/* Start {"ok":<ok>, in buf; the caller writes "data" or "error". */
void cli_json_envelope(sg_json_writer *w, char *buf, size_t cap, bool ok);

/* Start {"ok":true,"data":{ in buf; the caller writes the data members. */
void cli_json_begin(sg_json_writer *w, char *buf, size_t cap);

/* "key":{ ; the caller closes it with sg_json_write_object_end. */
void cli_json_object(sg_json_writer *w, const char *key);

/* Close the data object and the envelope, print it on stdout with a newline. */
void cli_json_end(sg_json_writer *w);

/* Print a finished writer's document (any object) on stdout with a newline. */
void cli_json_print(sg_json_writer *w);

/* "key": value helpers; value NULL (or "" for the _or_null form) writes null. */
void cli_json_str(sg_json_writer *w, const char *key, const char *value);
void cli_json_str_or_null(sg_json_writer *w, const char *key, const char *value);
void cli_json_bool(sg_json_writer *w, const char *key, bool value);

#endif /* SITEGPT_CLI_JSON_H */
