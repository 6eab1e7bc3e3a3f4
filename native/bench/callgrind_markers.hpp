// Lets a benchmark mark the region callgrind counts (run with --collect-atstart=no) and
// still build where valgrind's headers are not installed, the markers then doing nothing.
#ifndef GSC_BENCH_CALLGRIND_MARKERS_HPP
#define GSC_BENCH_CALLGRIND_MARKERS_HPP

#if defined(__has_include)
#if __has_include(<valgrind/callgrind.h>)
#include <valgrind/callgrind.h>
#endif
#endif
#ifndef CALLGRIND_START_INSTRUMENTATION
#define CALLGRIND_START_INSTRUMENTATION
#define CALLGRIND_STOP_INSTRUMENTATION
#define CALLGRIND_TOGGLE_COLLECT
#endif

#endif
