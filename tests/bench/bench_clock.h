/* How the benchmarks measure: the parsing thread's CPU time, the median of the runs. */
#ifndef BENCH_CLOCK_H
#define BENCH_CLOCK_H

/* CPU seconds of the calling thread (not wall time: the machine is shared). */
double bench_cpu_s(void);
/* Sort t[0..n) and return its median (the upper middle one when n is even); n >= 1. */
double bench_median(double *t, int n);

#endif
