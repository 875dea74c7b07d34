/* sitegpt CLI: locally built success envelopes (see cli_json.h). */
#include "cli_json.h"

void cli_json_envelope(sg_json_writer *w, char *buf, size_t cap, bool ok)
{
    if (sg_json_writer_init(w, buf, cap) != SG_OK) {
        return;
    }
    (void)sg_json_write_object_begin(w);
    cli_json_bool(w, "ok", ok);
}

void cli_json_begin(sg_json_writer *w, char *buf, size_t cap)
{
    cli_json_envelope(w, buf, cap, true);
    cli_json_object(w, "data");
}

void cli_json_object(sg_json_writer *w, const char *key)
{
    (void)sg_json_write_key(w, key);
    (void)sg_json_write_object_begin(w);
}

void cli_json_print(sg_json_writer *w)
{
    size_t len = 0;
    if (sg_json_writer_finish(w, &len) == SG_OK) {
        fwrite(w->buf, 1, len, stdout);
        fputc('\n', stdout);
    } else {
        fputs("{\"ok\":false,\"error\":{\"code\":\"INTERNAL_ERROR\","
              "\"message\":\"the JSON output did not fit its buffer\"}}\n",
              stdout);
    }
    fflush(stdout);
}

void cli_json_end(sg_json_writer *w)
{
    (void)sg_json_write_object_end(w);
    (void)sg_json_write_object_end(w);
    cli_json_print(w);
}

void cli_json_str(sg_json_writer *w, const char *key, const char *value)
{
    (void)sg_json_write_key(w, key);
    if (value != NULL) {
        (void)sg_json_write_string(w, value);
    } else {
        (void)sg_json_write_null(w);
    }
}

void cli_json_str_or_null(sg_json_writer *w, const char *key, const char *value)
{
    cli_json_str(w, key, value != NULL && value[0] != '\0' ? value : NULL);
}

void cli_json_bool(sg_json_writer *w, const char *key, bool value)
{
    (void)sg_json_write_key(w, key);
    (void)sg_json_write_bool(w, value);
}
