/*
 * `make bench`: the streaming reader against jsmn (whole buffer, the reference) and yajl
 * (streaming callbacks) on the same large generated list, side by side in one run.
 *
 * Throughput: the median of RUNS in-process passes over the document in memory (streaming
 * parsers get 4 KB pieces), timed in CPU time of this thread so other load on the machine
 * does not count, the parsers taking turns pass by pass so slow phases hit all alike.
 * Peak memory: VmHWM of a fresh child process per parser that reads the file the way that
 * parser must (streamed in 4 KB reads, or whole for jsmn); for sg_json also after only a
 * tenth of the input, which shows whether memory grows with the input.
 *
 *   bench_json FILE [RUNS]                the table and the verdicts
 *   bench_json --rss NAME FILE [BYTES]    one child run (internal)
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <yajl/yajl_parse.h>

#include "bench.h"
#include "bench_clock.h"
#include <sitegpt/sg_json.h>

#define CHUNK 4096

/* ---------------------------------------------------------------- sg_json --- */

typedef struct sg_bench {
    sg_json_reader rd;
    char str[256];
    char elem[1024];
    sg_json_tok tok[64];
    long elements;
    bool read; /* read each element's "id" (which tokenizes it) */
    char id[64];
} sg_bench;

static sg_status on_token(void *ctx, const sg_json_event *ev)
{
    sg_bench *b = ctx;
    if (ev->kind != SG_JSON_EV_ELEMENT) {
        return SG_OK;
    }
    b->elements++;
    size_t len;
    return b->read ? sg_json_elem_get_string(ev->element, 0, "id", b->id, sizeof b->id, &len)
                   : SG_OK;
}

static const sg_json_sub k_subs[] = {{"data.tokens[]", SG_JSON_SUB_ELEMENT, false}};

static void sg_begin(sg_bench *b, bool subscribe, bool read)
{
    sg_json_config cfg = {0};
    if (subscribe) {
        cfg = (sg_json_config){.subs = k_subs,
                               .sub_count = 1,
                               .on_value = on_token,
                               .ctx = b,
                               .str_buf = b->str,
                               .str_cap = sizeof b->str,
                               .elem_buf = b->elem,
                               .elem_cap = sizeof b->elem,
                               .tokens = b->tok,
                               .max_tokens = sizeof b->tok / sizeof b->tok[0]};
    }
    b->elements = 0;
    b->read = read;
    if (sg_json_reader_init(&b->rd, &cfg) != SG_OK) {
        abort();
    }
}

static void sg_piece(sg_bench *b, const char *p, size_t n)
{
    if (sg_json_reader_feed(&b->rd, p, n) != SG_OK) {
        fprintf(stderr, "sg_json failed at %llu\n",
                (unsigned long long)sg_json_reader_offset(&b->rd));
        exit(1);
    }
}

static void sg_end(sg_bench *b)
{
    if (sg_json_reader_finish(&b->rd) != SG_OK) {
        abort();
    }
}

static size_t sg_memory(bool subscribe)
{
    sg_bench b;
    return sizeof b.rd + CHUNK + (subscribe ? sizeof b.str + sizeof b.elem + sizeof b.tok : 0);
}

/* ---------------------------------------------------------------- yajl --- */

static size_t y_now, y_peak;

/* Tracking allocator: yajl's own peak bytes (the size lives in a header). */
static void *y_malloc(void *ctx, size_t n)
{
    (void)ctx;
    size_t *p = malloc(n + sizeof(size_t) * 2);
    if (p == NULL) {
        return NULL;
    }
    p[0] = n;
    y_now += n;
    if (y_now > y_peak) {
        y_peak = y_now;
    }
    return p + 2;
}

static void y_free(void *ctx, void *ptr)
{
    (void)ctx;
    if (ptr == NULL) {
        return;
    }
    size_t *p = (size_t *)ptr - 2;
    y_now -= p[0];
    free(p);
}

static void *y_realloc(void *ctx, void *ptr, size_t n)
{
    if (ptr == NULL) {
        return y_malloc(ctx, n);
    }
    size_t *p = (size_t *)ptr - 2;
    size_t old = p[0];
    p = realloc(p, n + sizeof(size_t) * 2);
    if (p == NULL) {
        return NULL;
    }
    p[0] = n;
    y_now = y_now - old + n;
    if (y_now > y_peak) {
        y_peak = y_now;
    }
    return p + 2;
}

static long y_values;
static int y_null(void *c)
{
    (void)c;
    y_values++;
    return 1;
}
static int y_bool(void *c, int v)
{
    (void)c;
    (void)v;
    y_values++;
    return 1;
}
static int y_number(void *c, const char *s, size_t n)
{
    (void)c;
    (void)s;
    (void)n;
    y_values++;
    return 1;
}
static int y_string(void *c, const unsigned char *s, size_t n)
{
    (void)c;
    (void)s;
    (void)n;
    y_values++;
    return 1;
}
static int y_start_map(void *c)
{
    (void)c;
    return 1;
}
static int y_map_key(void *c, const unsigned char *s, size_t n)
{
    (void)c;
    (void)s;
    (void)n;
    return 1;
}
static int y_end(void *c)
{
    (void)c;
    return 1;
}
static int y_start_array(void *c)
{
    (void)c;
    return 1;
}

static const yajl_callbacks k_ycb = {y_null,   y_bool,        NULL,        NULL,
                                     y_number, y_string,      y_start_map, y_map_key,
                                     y_end,    y_start_array, y_end};
static yajl_alloc_funcs k_yaf = {y_malloc, y_realloc, y_free, NULL};

static yajl_handle y_begin(void)
{
    y_values = 0;
    yajl_handle h = yajl_alloc(&k_ycb, &k_yaf, NULL);
    if (h == NULL) {
        abort();
    }
    return h;
}

static void y_piece(yajl_handle h, const char *p, size_t n)
{
    if (yajl_parse(h, (const unsigned char *)p, n) != yajl_status_ok) {
        fprintf(stderr, "yajl failed\n");
        exit(1);
    }
}

static void y_end_parse(yajl_handle h)
{
    if (yajl_complete_parse(h) != yajl_status_ok) {
        abort();
    }
    yajl_free(h);
}

/* ---------------------------------------------------------------- timing --- */

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        perror(path);
        exit(1);
    }
    struct stat st;
    if (fstat(fileno(f), &st) != 0) {
        abort();
    }
    char *doc = malloc((size_t)st.st_size + 1);
    if (doc == NULL || fread(doc, 1, (size_t)st.st_size, f) != (size_t)st.st_size) {
        abort();
    }
    fclose(f);
    *len = (size_t)st.st_size;
    return doc;
}

enum { P_SG, P_SG_READ, P_SG_VALIDATE, P_JSMN, P_JSMN_EACH, P_YAJL, P_COUNT };
static const char *const k_names[P_COUNT] = {"sg-elements", "sg-elements-read", "sg-validate",
                                             "jsmn",        "jsmn-each",        "yajl"};
static const char *const k_labels[P_COUNT] = {
    "sg_json, data.tokens[] elements",  "sg_json, elements, each \"id\" read",
    "sg_json, validate only",           "jsmn, whole buffer (reference)",
    "  jsmn on each element alone (*)", "yajl 2, streaming callbacks"};

typedef struct inputs {
    const char *doc;
    size_t len;
    void *tokens; /* jsmn tokens for the whole document */
    size_t ntok;
    const size_t *start, *end; /* list items, for P_JSMN_EACH */
    size_t items;
} inputs;

/* One in-memory pass; returns CPU seconds. *count gets elements/tokens/values seen. */
static double run_once(int which, const inputs *in, long *count)
{
    static sg_bench b;
    static long each[64 * 8]; /* 64 jsmn tokens (the bench's own jsmn: its size is asked) */
    double t0 = bench_cpu_s();
    if (which == P_SG || which == P_SG_READ || which == P_SG_VALIDATE) {
        sg_begin(&b, which != P_SG_VALIDATE, which == P_SG_READ);
        for (size_t i = 0; i < in->len; i += CHUNK) {
            sg_piece(&b, in->doc + i, in->len - i < CHUNK ? in->len - i : CHUNK);
        }
        sg_end(&b);
        *count = b.elements;
    } else if (which == P_JSMN) {
        *count = bench_jsmn_parse(in->doc, in->len, in->tokens, in->ntok);
    } else if (which == P_JSMN_EACH) {
        if (64 * bench_jsmn_token_size() > sizeof each) {
            abort();
        }
        *count = bench_jsmn_each(in->doc, in->start, in->end, in->items, each, 64);
    } else {
        yajl_handle h = y_begin();
        for (size_t i = 0; i < in->len; i += CHUNK) {
            y_piece(h, in->doc + i, in->len - i < CHUNK ? in->len - i : CHUNK);
        }
        y_end_parse(h);
        *count = y_values;
    }
    double t = bench_cpu_s() - t0;
    if (*count < 0) {
        abort();
    }
    return t;
}

/* ---------------------------------------------------------------- RSS children --- */

/* Peak resident set of this process image (VmHWM), in KB: unlike a parent's rusage of a
 * forked child, it does not count the pages the child shared with the parent before exec. */
static long self_hwm_kb(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long kb = -1;
    while (f != NULL && fgets(line, sizeof line, f) != NULL) {
        if (strncmp(line, "VmHWM:", 6) == 0) {
            kb = atol(line + 6);
        }
    }
    if (f != NULL) {
        fclose(f);
    }
    return kb;
}

/* Parse the file as parser `name` would in production; a streaming parser stops after
 * `limit` bytes when limit > 0 (no finish: the document is cut). */
static int child_measure(const char *name, const char *path, long long limit)
{
    int which = -1;
    for (int i = 0; i < P_COUNT; i++) {
        if (strcmp(name, k_names[i]) == 0) {
            which = i;
        }
    }
    if (which < 0) {
        return strcmp(name, "baseline") == 0 ? 0 : 2; /* an idle process */
    }
    if (which == P_JSMN) {
        size_t len;
        char *doc = read_file(path, &len);
        long n = bench_jsmn_count(doc, len);
        void *tok = malloc((size_t)n * bench_jsmn_token_size());
        long got = bench_jsmn_parse(doc, len, tok, (size_t)n);
        return got == n ? 0 : 1;
    }
    if (which == P_JSMN_EACH) {
        return 2;
    }
    int fd = open(path, O_RDONLY);
    if (fd < 0) {
        return 1;
    }
    static char chunk[CHUNK];
    static sg_bench b;
    yajl_handle h = NULL;
    if (which == P_YAJL) {
        h = y_begin();
    } else {
        sg_begin(&b, which != P_SG_VALIDATE, which == P_SG_READ);
    }
    long long fed = 0;
    for (;;) {
        ssize_t n = read(fd, chunk, sizeof chunk);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            break;
        }
        if (h != NULL) {
            y_piece(h, chunk, (size_t)n);
        } else {
            sg_piece(&b, chunk, (size_t)n);
        }
        fed += n;
        if (limit > 0 && fed >= limit) {
            break;
        }
    }
    close(fd);
    if (limit > 0 && fed >= limit) {
        return 0;
    }
    if (h != NULL) {
        y_end_parse(h);
    } else {
        sg_end(&b);
    }
    return 0;
}

static long max_rss_kb(const char *self, const char *name, const char *path, long long limit)
{
    char cmd[4300];
    snprintf(cmd, sizeof cmd, "'%s' --rss %s '%s' %lld", self, name, path, limit);
    FILE *p = popen(cmd, "r");
    if (p == NULL) {
        return -1;
    }
    long kb = -1;
    if (fscanf(p, "%ld", &kb) != 1) {
        kb = -1;
    }
    return pclose(p) == 0 ? kb : -1;
}

/* ---------------------------------------------------------------- report --- */

static void verdict(const char *aim, double ratio)
{
    if (ratio >= 1.0) {
        printf("  %-52s meets (%.2fx jsmn)\n", aim, ratio);
    } else {
        printf("  %-52s misses by %.0f%% (%.2fx jsmn)\n", aim, (1.0 - ratio) * 100.0, ratio);
    }
}

int main(int argc, char **argv)
{
    if (argc >= 4 && strcmp(argv[1], "--rss") == 0) {
        int rc = child_measure(argv[2], argv[3], argc > 4 ? atoll(argv[4]) : 0);
        printf("%ld\n", self_hwm_kb());
        return rc;
    }
    if (argc < 2) {
        fprintf(stderr, "usage: %s FILE [RUNS]\n", argv[0]);
        return 2;
    }
    int runs = argc > 2 ? atoi(argv[2]) : 5;
    if (runs < 1 || runs > 99) {
        runs = 5;
    }
    char self[4096];
    ssize_t sl = readlink("/proc/self/exe", self, sizeof self - 1);
    if (sl <= 0) {
        return 1;
    }
    self[sl] = '\0';
    inputs in;
    memset(&in, 0, sizeof in);
    in.doc = read_file(argv[1], &in.len);
    double mb = (double)in.len / (1024.0 * 1024.0);

    long ntok = bench_jsmn_count(in.doc, in.len);
    if (ntok <= 0) {
        abort();
    }
    in.ntok = (size_t)ntok;
    in.tokens = malloc(in.ntok * bench_jsmn_token_size());
    size_t *spans = malloc(2 * in.ntok * sizeof *spans);
    if (in.tokens == NULL || spans == NULL ||
        bench_jsmn_parse(in.doc, in.len, in.tokens, in.ntok) != ntok) {
        abort();
    }
    in.start = spans;
    in.end = spans + in.ntok;
    in.items = bench_jsmn_items(in.tokens, ntok, spans, spans + in.ntok, in.ntok);

    /* warm up, then the parsers take turns */
    double t[P_COUNT][99], mbps[P_COUNT];
    long counts[P_COUNT];
    for (int p = 0; p < P_COUNT; p++) {
        (void)run_once(p, &in, &counts[p]);
    }
    y_peak = y_now = 0;
    for (int r = 0; r < runs; r++) {
        for (int p = 0; p < P_COUNT; p++) {
            t[p][r] = run_once(p, &in, &counts[p]);
        }
    }
    size_t mem[P_COUNT];
    long rss[P_COUNT], rss_tenth = -1;
    for (int p = 0; p < P_COUNT; p++) {
        mbps[p] = mb / bench_median(t[p], runs);
        mem[p] = p == P_SG || p == P_SG_READ ? sg_memory(true)
                 : p == P_SG_VALIDATE        ? sg_memory(false)
                 : p == P_JSMN               ? in.len + in.ntok * bench_jsmn_token_size()
                 : p == P_YAJL               ? y_peak + CHUNK
                                             : 0;
        rss[p] = p == P_JSMN_EACH ? -1 : max_rss_kb(self, k_names[p], argv[1], 0);
    }
    rss_tenth = max_rss_kb(self, k_names[P_SG], argv[1], (long long)(in.len / 10));
    long rss_base = max_rss_kb(self, "baseline", argv[1], 0);

    printf("\nJSON on %s: %.1f MB, %ld list elements, %ld jsmn tokens; median of %d runs\n",
           argv[1], mb, counts[P_SG], ntok, runs);
    printf(
        "MB/s in CPU time of the parsing thread; ratio = MB/s / MB/s of jsmn on the whole buffer\n\n");
    printf("%-34s %9s %8s %16s %12s\n", "parser", "MB/s", "ratio", "state+buffers", "max RSS");
    printf("%-34s %9s %8s %16s %12s\n", "----------------------------------", "---------",
           "--------", "----------------", "------------");
    for (int p = 0; p < P_COUNT; p++) {
        char ms[32], rs[32];
        if (mem[p] > 0) {
            snprintf(ms, sizeof ms, "%zu B", mem[p]);
        } else {
            snprintf(ms, sizeof ms, "-");
        }
        if (rss[p] >= 0) {
            snprintf(rs, sizeof rs, "%ld KB", rss[p]);
        } else {
            snprintf(rs, sizeof rs, "-");
        }
        printf("%-34s %9.1f %7.2fx %16s %12s\n", k_labels[p], mbps[p], mbps[p] / mbps[P_JSMN], ms,
               rs);
    }
    printf(
        "\nstate+buffers: sg_json = sizeof(sg_json_reader) %zu + string/element/token buffers + "
        "one %d B input piece;\n  jsmn = document + token array; yajl = its peak heap + one input "
        "piece. max RSS: a fresh process per parser\n  (an idle one: %ld KB).\n",
        sizeof(sg_json_reader), CHUNK, rss_base);
    printf("Elements are tokenized lazily, when the callback first reads one: the element row "
           "counts them\n  unread (the scan and the copy into the element buffer); the read row "
           "looks up \"id\" in each.\n");
    printf("(*) not a parser of its own: the jsmn share of the read row (every element "
           "tokenized alone,\n    64 tokens); the read row = the element row + this, so it "
           "cannot beat 1/(1/elements + 1/this).\n");

    printf("\nAims: at least jsmn's throughput, with constant memory\n");
    verdict("throughput, validate only:", mbps[P_SG_VALIDATE] / mbps[P_JSMN]);
    verdict("throughput, element subscription:", mbps[P_SG] / mbps[P_JSMN]);
    verdict("throughput, elements each read (information):", mbps[P_SG_READ] / mbps[P_JSMN]);
    long grow = rss[P_SG] - rss_tenth;
    const char *mem_ok = rss[P_SG] >= 0 && rss_tenth >= 0 && grow <= 64 ? "meets" : "misses";
    printf("  %-52s %s (max RSS %ld KB after %.1f MB, %ld KB after %.1f MB; jsmn %ld KB)\n",
           "constant memory (sg_json, element subscription):", mem_ok, rss_tenth, mb / 10,
           rss[P_SG], mb, rss[P_JSMN]);
    free(spans);
    free(in.tokens);
    free((void *)in.doc);
    return 0;
}
