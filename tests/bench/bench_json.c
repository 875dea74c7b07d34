/*
 * `make bench`: the streaming reader against jsmn (whole buffer, the reference) and yajl
 * (streaming callbacks) on the same large generated list. Throughput is the median of
 * several in-process runs over the document in memory (streaming parsers get 4 KB pieces);
 * max RSS comes from a fresh child process per parser that reads the file the way that
 * parser must (streamed in 4 KB reads, or whole for jsmn).
 *
 *   bench_json FILE [RUNS]          the table
 *   bench_json --rss NAME FILE      one child run (internal)
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <yajl/yajl_parse.h>

#include "bench.h"
#include "sg_json.h"

#define CHUNK 4096

/* ---------------------------------------------------------------- sg_json --- */

typedef struct sg_bench {
    sg_json_reader rd;
    char str[256];
    char elem[1024];
    jsmntok_t tok[64];
    long elements;
} sg_bench;

static sg_status on_token(void *ctx, const sg_json_event *ev)
{
    sg_bench *b = ctx;
    if (ev->kind == SG_JSON_EV_ELEMENT) b->elements++;
    return SG_OK;
}

static const sg_json_sub k_subs[] = {{"data.tokens[]", SG_JSON_SUB_ELEMENT, false}};

static void sg_begin(sg_bench *b, bool subscribe)
{
    sg_json_config cfg;
    memset(&cfg, 0, sizeof cfg);
    if (subscribe) {
        cfg.subs = k_subs;
        cfg.sub_count = 1;
        cfg.on_value = on_token;
        cfg.ctx = b;
        cfg.str_buf = b->str;
        cfg.str_cap = sizeof b->str;
        cfg.elem_buf = b->elem;
        cfg.elem_cap = sizeof b->elem;
        cfg.tokens = b->tok;
        cfg.max_tokens = sizeof b->tok / sizeof b->tok[0];
    }
    b->elements = 0;
    if (sg_json_reader_init(&b->rd, &cfg) != SG_OK) abort();
}

static void sg_piece(sg_bench *b, const char *p, size_t n)
{
    if (sg_json_reader_feed(&b->rd, p, n) != SG_OK) {
        fprintf(stderr, "sg_json failed at %llu\n", (unsigned long long)sg_json_reader_offset(&b->rd));
        exit(1);
    }
}

static void sg_end(sg_bench *b)
{
    if (sg_json_reader_finish(&b->rd) != SG_OK) abort();
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
    if (p == NULL) return NULL;
    p[0] = n;
    y_now += n;
    if (y_now > y_peak) y_peak = y_now;
    return p + 2;
}

static void y_free(void *ctx, void *ptr)
{
    (void)ctx;
    if (ptr == NULL) return;
    size_t *p = (size_t *)ptr - 2;
    y_now -= p[0];
    free(p);
}

static void *y_realloc(void *ctx, void *ptr, size_t n)
{
    if (ptr == NULL) return y_malloc(ctx, n);
    size_t *p = (size_t *)ptr - 2;
    size_t old = p[0];
    p = realloc(p, n + sizeof(size_t) * 2);
    if (p == NULL) return NULL;
    p[0] = n;
    y_now = y_now - old + n;
    if (y_now > y_peak) y_peak = y_now;
    return p + 2;
}

static long y_values;
static int y_null(void *c) { (void)c; y_values++; return 1; }
static int y_bool(void *c, int v) { (void)c; (void)v; y_values++; return 1; }
static int y_number(void *c, const char *s, size_t n) { (void)c; (void)s; (void)n; y_values++; return 1; }
static int y_string(void *c, const unsigned char *s, size_t n) { (void)c; (void)s; (void)n; y_values++; return 1; }
static int y_start_map(void *c) { (void)c; return 1; }
static int y_map_key(void *c, const unsigned char *s, size_t n) { (void)c; (void)s; (void)n; return 1; }
static int y_end(void *c) { (void)c; return 1; }
static int y_start_array(void *c) { (void)c; return 1; }

static const yajl_callbacks k_ycb = {y_null, y_bool, NULL, NULL, y_number, y_string,
                                     y_start_map, y_map_key, y_end, y_start_array, y_end};
static yajl_alloc_funcs k_yaf = {y_malloc, y_realloc, y_free, NULL};

static yajl_handle y_begin(void)
{
    y_values = 0;
    yajl_handle h = yajl_alloc(&k_ycb, &k_yaf, NULL);
    if (h == NULL) abort();
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
    if (yajl_complete_parse(h) != yajl_status_ok) abort();
    yajl_free(h);
}

/* ---------------------------------------------------------------- timing --- */

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        perror(path);
        exit(1);
    }
    struct stat st;
    if (fstat(fileno(f), &st) != 0) abort();
    char *doc = malloc((size_t)st.st_size + 1);
    if (doc == NULL || fread(doc, 1, (size_t)st.st_size, f) != (size_t)st.st_size) abort();
    fclose(f);
    *len = (size_t)st.st_size;
    return doc;
}

enum { P_SG, P_SG_VALIDATE, P_JSMN, P_YAJL, P_COUNT };
static const char *const k_names[P_COUNT] = {"sg-elements", "sg-validate", "jsmn", "yajl"};
static const char *const k_labels[P_COUNT] = {
    "sg_json, data.tokens[] via jsmn", "sg_json, validate only", "jsmn, whole buffer",
    "yajl 2, streaming callbacks"};

/* One in-memory pass; returns seconds. *count gets elements/tokens/values seen. */
static double run_once(int which, const char *doc, size_t len, void *tokens, size_t ntok,
                       long *count)
{
    static sg_bench b;
    double t0 = now_s();
    if (which == P_SG || which == P_SG_VALIDATE) {
        sg_begin(&b, which == P_SG);
        for (size_t i = 0; i < len; i += CHUNK) sg_piece(&b, doc + i, len - i < CHUNK ? len - i : CHUNK);
        sg_end(&b);
        *count = b.elements;
    } else if (which == P_JSMN) {
        *count = bench_jsmn_parse(doc, len, tokens, ntok);
        if (*count < 0) abort();
    } else {
        yajl_handle h = y_begin();
        for (size_t i = 0; i < len; i += CHUNK) y_piece(h, doc + i, len - i < CHUNK ? len - i : CHUNK);
        y_end_parse(h);
        *count = y_values;
    }
    return now_s() - t0;
}

/* ---------------------------------------------------------------- RSS children --- */

/* Peak resident set of this process image (VmHWM), in KB: unlike a parent's rusage of a
 * forked child, it does not count the pages the child shared with the parent before exec. */
static long self_hwm_kb(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long kb = -1;
    while (f != NULL && fgets(line, sizeof line, f) != NULL)
        if (strncmp(line, "VmHWM:", 6) == 0) kb = atol(line + 6);
    if (f != NULL) fclose(f);
    return kb;
}

static int child_measure(const char *name, const char *path);

static int child_rss(const char *name, const char *path)
{
    int rc = child_measure(name, path);
    printf("%ld\n", self_hwm_kb());
    return rc;
}

static int child_measure(const char *name, const char *path)
{
    int which = -1;
    for (int i = 0; i < P_COUNT; i++)
        if (strcmp(name, k_names[i]) == 0) which = i;
    if (which < 0) return strcmp(name, "baseline") == 0 ? 0 : 2; /* an idle process */
    if (which == P_JSMN) {
        size_t len;
        char *doc = read_file(path, &len);
        long n = bench_jsmn_count(doc, len);
        void *tok = malloc((size_t)n * bench_jsmn_token_size());
        long got = bench_jsmn_parse(doc, len, tok, (size_t)n);
        return got == n ? 0 : 1;
    }
    int fd = open(path, O_RDONLY);
    if (fd < 0) return 1;
    static char chunk[CHUNK];
    static sg_bench b;
    yajl_handle h = NULL;
    if (which == P_YAJL)
        h = y_begin();
    else
        sg_begin(&b, which == P_SG);
    for (;;) {
        ssize_t n = read(fd, chunk, sizeof chunk);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        if (h != NULL)
            y_piece(h, chunk, (size_t)n);
        else
            sg_piece(&b, chunk, (size_t)n);
    }
    if (h != NULL)
        y_end_parse(h);
    else
        sg_end(&b);
    close(fd);
    return 0;
}

static long max_rss_kb(const char *self, const char *name, const char *path)
{
    char cmd[4200];
    snprintf(cmd, sizeof cmd, "'%s' --rss %s '%s'", self, name, path);
    FILE *p = popen(cmd, "r");
    if (p == NULL) return -1;
    long kb = -1;
    if (fscanf(p, "%ld", &kb) != 1) kb = -1;
    return pclose(p) == 0 ? kb : -1;
}

int main(int argc, char **argv)
{
    if (argc == 4 && strcmp(argv[1], "--rss") == 0) return child_rss(argv[2], argv[3]);
    if (argc < 2) {
        fprintf(stderr, "usage: %s FILE [RUNS]\n", argv[0]);
        return 2;
    }
    int runs = argc > 2 ? atoi(argv[2]) : 5;
    if (runs < 1 || runs > 99) runs = 5;
    char self[4096];
    ssize_t sl = readlink("/proc/self/exe", self, sizeof self - 1);
    if (sl <= 0) return 1;
    self[sl] = '\0';
    size_t len;
    char *doc = read_file(argv[1], &len);
    double mb = (double)len / (1024.0 * 1024.0);

    long ntok = bench_jsmn_count(doc, len);
    if (ntok <= 0) abort();
    void *tokens = malloc((size_t)ntok * bench_jsmn_token_size());
    if (tokens == NULL) abort();

    double mbps[P_COUNT];
    long counts[P_COUNT];
    size_t mem[P_COUNT];
    long rss[P_COUNT];
    for (int p = 0; p < P_COUNT; p++) {
        double t[99];
        y_peak = y_now = 0;
        (void)run_once(p, doc, len, tokens, (size_t)ntok, &counts[p]); /* warm up */
        for (int r = 0; r < runs; r++) t[r] = run_once(p, doc, len, tokens, (size_t)ntok, &counts[p]);
        qsort(t, (size_t)runs, sizeof t[0], cmp_d);
        mbps[p] = mb / t[runs / 2];
        mem[p] = p == P_SG ? sg_memory(true)
                 : p == P_SG_VALIDATE ? sg_memory(false)
                 : p == P_JSMN ? len + (size_t)ntok * bench_jsmn_token_size()
                 : y_peak + CHUNK;
        rss[p] = max_rss_kb(self, k_names[p], argv[1]);
    }
    long rss_base = max_rss_kb(self, "baseline", argv[1]);

    printf("\nJSON on %s: %.1f MB, %ld list elements, %ld jsmn tokens; median of %d runs\n",
           argv[1], mb, counts[P_SG], ntok, runs);
    printf("reference = jsmn on the whole buffer (tokens array sized for it)\n\n");
    printf("%-34s %10s %10s %16s %14s\n", "parser", "MB/s", "reference", "state+buffers", "max RSS");
    printf("%-34s %10s %10s %16s %14s\n", "----------------------------------", "----------",
           "----------", "----------------", "--------------");
    for (int p = 0; p < P_COUNT; p++) {
        char rs[32];
        if (rss[p] >= 0)
            snprintf(rs, sizeof rs, "%ld KB", rss[p]);
        else
            snprintf(rs, sizeof rs, "n/a");
        printf("%-34s %10.1f %9.2fx %10zu bytes %14s\n", k_labels[p], mbps[p], mbps[p] / mbps[P_JSMN],
               mem[p], rs);
    }
    printf("\nstate+buffers: sg_json = sizeof(sg_json_reader) %zu + string/element/token buffers + "
           "one %d B input piece;\n  jsmn = document + token array; yajl = its peak heap + one input "
           "piece. max RSS: a fresh process per parser\n  (an idle one: %ld KB).\n",
           sizeof(sg_json_reader), CHUNK, rss_base);
    free(tokens);
    free(doc);
    return 0;
}
