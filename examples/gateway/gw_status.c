/* sitegpt-gateway: the status file, written for machines and printed for people. */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#include "gw_log.h"
#include "gw_options.h"
#include "gw_status.h"
#include "sg_file.h"
#include <sitegpt/sg_json.h>
#include <sitegpt/sg_renew.h>

#define GW_STATUS_MAX    8192u
#define GW_STATUS_TOKENS 64u
#define GW_STATUS_MODE   0644u /* readable by a display process; it holds no secret */

static const char *const state_names[] = {
    "provisioning", "waiting-for-approval", "healthy", "renewing", "offline", "rejected"};

const char *gw_state_name(gw_state s)
{
    return (size_t)s < sizeof state_names / sizeof state_names[0] ? state_names[s] : "unknown";
}

static void put_time(sg_json_writer *w, const char *key, int64_t t)
{
    char iso[SG_ISO8601_LEN + 1];
    (void)sg_json_write_key(w, key);
    if (t > 0 && sg_iso8601_format(t, iso, sizeof iso) == SG_OK) {
        (void)sg_json_write_string(w, iso);
    } else {
        (void)sg_json_write_null(w);
    }
}

static void put_string(sg_json_writer *w, const char *key, const char *v)
{
    (void)sg_json_write_key(w, key);
    (void)sg_json_write_string(w, v != NULL ? v : "");
}

static void put_int(sg_json_writer *w, const char *key, int64_t v)
{
    (void)sg_json_write_key(w, key);
    (void)sg_json_write_int64(w, v);
}

static int64_t left(int64_t at, int64_t now)
{
    return at > now ? at - now : 0;
}

sg_status gw_status_write(const char *path, const gw_status *s)
{
    static char doc[GW_STATUS_MAX];
    sg_json_writer w;
    size_t len = 0;
    sg_status st = sg_json_writer_init(&w, doc, sizeof doc - 1u);
    if (st != SG_OK) {
        return st;
    }
    (void)sg_json_write_object_begin(&w);
    put_int(&w, "version", 1);
    put_string(&w, "state", gw_state_name(s->state));
    put_time(&w, "updatedAt", s->now_s);
    put_string(&w, "clock", s->server_clock ? "server" : "local");
    put_string(&w, "profile", s->profile);
    put_string(&w, "apiBase", s->api_base);
    put_int(&w, "pid", (int64_t)getpid());
    (void)sg_json_write_key(&w, "token");
    if (s->token_expires_s > 0) {
        int64_t secs = left(s->token_expires_s, s->now_s);
        (void)sg_json_write_object_begin(&w);
        put_time(&w, "expiresAt", s->token_expires_s);
        put_int(&w, "secondsLeft", secs);
        put_int(&w, "daysLeft", secs / 86400);
        put_time(&w, "renewAt", s->renew_at_s);
        (void)sg_json_write_object_end(&w);
    } else {
        (void)sg_json_write_null(&w);
    }
    (void)sg_json_write_key(&w, "pending");
    if (s->user_code != NULL) {
        (void)sg_json_write_object_begin(&w);
        put_string(&w, "purpose", s->pending_renewal ? "renewal" : "provisioning");
        put_string(&w, "userCode", s->user_code);
        put_string(&w, "verificationUri", s->verification_uri);
        put_string(&w, "verificationUriComplete", s->verification_uri_complete);
        put_time(&w, "expiresAt", s->code_expires_s);
        put_int(&w, "expiresInSeconds", left(s->code_expires_s, s->now_s));
        (void)sg_json_write_object_end(&w);
    } else {
        (void)sg_json_write_null(&w);
    }
    put_time(&w, "lastSuccess", s->last_success_s);
    (void)sg_json_write_key(&w, "lastError");
    if (s->last_error_s > 0) {
        (void)sg_json_write_object_begin(&w);
        put_time(&w, "at", s->last_error_s);
        put_string(&w, "event", s->last_error_event);
        put_string(&w, "reason", s->last_error);
        (void)sg_json_write_object_end(&w);
    } else {
        (void)sg_json_write_null(&w);
    }
    (void)sg_json_write_object_end(&w);
    st = sg_json_writer_finish(&w, &len);
    if (st != SG_OK) {
        return st;
    }
    doc[len++] = '\n';
    return sg_file_write_atomic(path, doc, len, GW_STATUS_MODE);
}

/* ------------------------------------------------------------------ printing --- */

typedef struct status_doc {
    sg_json_element e;
    char text[GW_STATUS_MAX];
} status_doc;

/* A string member of obj, escaped for a terminal; "-" when absent or not a string. */
static const char *field(const status_doc *d, int obj, const char *key, char *out, size_t cap)
{
    char raw[600];
    size_t len;
    if (obj < 0 || sg_json_elem_get_string(&d->e, obj, key, raw, sizeof raw, &len) != SG_OK ||
        len == 0) {
        (void)snprintf(out, cap, "-");
        return out;
    }
    (void)gw_log_escape(raw, out, cap);
    return out;
}

static int64_t number(const status_doc *d, int obj, const char *key)
{
    int64_t v = 0;
    return obj >= 0 && sg_json_elem_get_int64(&d->e, obj, key, &v) == SG_OK ? v : -1;
}

static int object(const status_doc *d, const char *key)
{
    int obj = -1;
    sg_json_type type;
    if (sg_json_elem_member(&d->e, 0, key, &obj) != SG_OK ||
        sg_json_elem_type(&d->e, obj, &type) != SG_OK || type != SG_JSON_OBJECT) {
        return -1;
    }
    return obj;
}

static void print_agent(const status_doc *d, FILE *out)
{
    int64_t pid = number(d, 0, "pid");
    bool alive = pid > 1 && pid <= INT32_MAX && (kill((pid_t)pid, 0) == 0 || errno == EPERM);
    fprintf(out, "Agent:         %s (pid %lld)\n", alive ? "running" : "not running",
            (long long)pid);
}

int gw_status_print(const char *path, FILE *out)
{
    static status_doc d;
    static sg_json_tok tok[GW_STATUS_TOKENS];
    size_t len = 0;
    sg_status st = sg_file_read(path, d.text, sizeof d.text, &len, NULL);
    if (st == SG_OK) {
        st = sg_json_parse(d.text, len, tok, GW_STATUS_TOKENS, &d.e);
    }
    char a[640], b[640], c[640], e[640];
    if (st != SG_OK) {
        (void)gw_log_escape(path, a, sizeof a);
        fprintf(stderr, "sitegpt-gateway status: cannot read %s: %s\n", a,
                st == SG_ERR_NOT_FOUND ? "no such file (is the agent running with "
                                         "--status-file?)"
                                       : sg_strerror(st));
        return st == SG_ERR_NOT_FOUND || st == SG_ERR_STORAGE ? GW_EXIT_STORAGE : GW_EXIT_API;
    }
    fprintf(out, "State:         %s\n", field(&d, 0, "state", a, sizeof a));
    fprintf(out, "Updated:       %s (%s clock)\n", field(&d, 0, "updatedAt", a, sizeof a),
            field(&d, 0, "clock", b, sizeof b));
    print_agent(&d, out);
    fprintf(out, "Profile:       %s at %s\n", field(&d, 0, "profile", a, sizeof a),
            field(&d, 0, "apiBase", b, sizeof b));
    int t = object(&d, "token");
    if (t >= 0) {
        fprintf(out, "Token expires: %s (%lld days left)\n", field(&d, t, "expiresAt", a, sizeof a),
                (long long)number(&d, t, "daysLeft"));
        fprintf(out, "Renewal from:  %s\n", field(&d, t, "renewAt", a, sizeof a));
    } else {
        fprintf(out, "Token:         none or not checked yet\n");
    }
    int p = object(&d, "pending");
    if (p >= 0) {
        fprintf(out, "Approve (%s): open %s and enter %s\n", field(&d, p, "purpose", a, sizeof a),
                field(&d, p, "verificationUri", b, sizeof b),
                field(&d, p, "userCode", c, sizeof c));
        fprintf(out, "               or open %s\n",
                field(&d, p, "verificationUriComplete", a, sizeof a));
        fprintf(out, "               the code expires %s\n",
                field(&d, p, "expiresAt", a, sizeof a));
    }
    fprintf(out, "Last success:  %s\n", field(&d, 0, "lastSuccess", a, sizeof a));
    int le = object(&d, "lastError");
    if (le >= 0) {
        fprintf(out, "Last error:    %s %s: %s\n", field(&d, le, "at", a, sizeof a),
                field(&d, le, "event", b, sizeof b), field(&d, le, "reason", e, sizeof e));
    }
    return GW_EXIT_OK;
}
