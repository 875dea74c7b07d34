/*
 * Every declared status and every code the list skips, from core/sg_status.c's
 * SG_STATUS_TEXTS list: a test that compiles sg_status.c in includes this after it.
 */
#ifndef STATUS_LIST_H
#define STATUS_LIST_H

static const sg_status k_all[] = {
#define SG_STATUS_VALUE(st, terse, sentence) st,
#define SG_STATUS_SKIP(n)                    /* a skipped code has no status */
    SG_STATUS_TEXTS(SG_STATUS_VALUE, SG_STATUS_SKIP)
#undef SG_STATUS_VALUE
#undef SG_STATUS_SKIP
};

static const int k_gaps[] = {
#define SG_STATUS_SKIP_VALUE(st, terse, sentence) /* a declared code is no gap */
#define SG_GAP_VALUE(n)                           -(n),
    SG_STATUS_TEXTS(SG_STATUS_SKIP_VALUE, SG_GAP_VALUE)
#undef SG_STATUS_SKIP_VALUE
#undef SG_GAP_VALUE
};

#endif /* STATUS_LIST_H */
