/*
 * Every committed fuzz seed, replayed in the unit suite: each tests/fuzz/fuzz_<name>.c is
 * linked in (built with the suite's compiler and options, no libFuzzer) with its
 * LLVMFuzzerTestOneInput renamed sg_replay_fuzz_<name> (the Makefile lists them in
 * SG_FUZZ_TARGETS), and each file of tests/fuzz/corpus/fuzz_<name>/ goes through it the way
 * libFuzzer's standalone reproducer does. A target's properties end in abort(): the input
 * is named on stderr and the program dies, so the suite fails. An empty or missing corpus
 * folder fails its test. The seeds thus count for coverage, the sanitizer and valgrind
 * runs and the firmware-limits configuration, not only for make fuzz.
 *
 *   test_fuzz_corpus [CORPUS_ROOT]   (default tests/fuzz/corpus, from the repository root)
 */
#include <dirent.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#ifndef SG_FUZZ_TARGETS
#error "SG_FUZZ_TARGETS (X(fuzz_name) for each tests/fuzz/fuzz_name.c) comes from the Makefile"
#endif

#define X(name) int sg_replay_##name(const uint8_t *data, size_t size);
SG_FUZZ_TARGETS
#undef X

typedef struct fuzz_target {
    const char *name;
    int (*one)(const uint8_t *data, size_t size);
} fuzz_target;

static const char *g_root = "tests/fuzz/corpus";

/* The input being run, for the abort handler (a path fits: corpus file names are hashes). */
static char g_current[1024];

static void name_input_on_abort(int sig)
{
    static const char prefix[] = "test_fuzz_corpus: property failed on input ";
    (void)!write(2, prefix, sizeof prefix - 1);
    (void)!write(2, g_current, strlen(g_current));
    (void)!write(2, "\n", 1);
    signal(sig, SIG_DFL);
    raise(sig);
}

static int only_files(const struct dirent *e)
{
    return e->d_name[0] != '.';
}

/* Reads path into an exactly sized heap block, so ASan and valgrind see any overread. */
static uint8_t *read_input(const char *path, size_t *size)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    assert_int_equal(fseek(f, 0, SEEK_END), 0);
    long end = ftell(f);
    assert_true(end >= 0);
    assert_int_equal(fseek(f, 0, SEEK_SET), 0);
    *size = (size_t)end;
    uint8_t *data = malloc(*size > 0 ? *size : 1);
    assert_non_null(data);
    assert_int_equal(fread(data, 1, *size, f), *size);
    assert_int_equal(fclose(f), 0);
    return data;
}

static void replay(void **state)
{
    const fuzz_target *t = *state;
    char dir[512];
    int n = snprintf(dir, sizeof dir, "%s/%s", g_root, t->name);
    assert_true(n > 0 && (size_t)n < sizeof dir);

    struct dirent **names = NULL;
    int count = scandir(dir, &names, only_files, alphasort);
    if (count < 0) {
        fail_msg("%s: cannot read the corpus folder", dir);
    }
    int ran = 0;
    for (int i = 0; i < count; i++) {
        n = snprintf(g_current, sizeof g_current, "%s/%s", dir, names[i]->d_name);
        assert_true(n > 0 && (size_t)n < sizeof g_current);
        struct stat st;
        if (stat(g_current, &st) == 0 && S_ISREG(st.st_mode)) {
            size_t size;
            uint8_t *data = read_input(g_current, &size);
            /* libFuzzer's contract: the target returns 0 (-1 only to reject an input). */
            assert_true(t->one(data, size) >= -1);
            free(data);
            ran++;
        }
        free(names[i]);
    }
    free(names);
    g_current[0] = '\0';
    print_message("%s: %d inputs\n", t->name, ran);
    if (ran == 0) {
        fail_msg("%s: no seed inputs (every target keeps a committed corpus)", dir);
    }
}

int main(int argc, char **argv)
{
    if (argc > 1) {
        g_root = argv[1];
    }
    signal(SIGABRT, name_input_on_abort);

    static const fuzz_target targets[] = {
#define X(name) {#name, sg_replay_##name},
        SG_FUZZ_TARGETS
#undef X
    };
    struct CMUnitTest tests[sizeof targets / sizeof targets[0]];
    for (size_t i = 0; i < sizeof targets / sizeof targets[0]; i++) {
        tests[i] = (struct CMUnitTest){targets[i].name, replay, NULL, NULL, (void *)&targets[i]};
    }
    return cmocka_run_group_tests_name("fuzz corpus replay", tests, NULL, NULL);
}
