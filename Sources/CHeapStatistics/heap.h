#ifndef TWINHUB_HEAP_H
#define TWINHUB_HEAP_H

// glibc's count of heap bytes in use (Swift's Glibc module does not export <malloc.h>):
// what the benchmarks report per twin, apart from what malloc keeps after it is freed.
#include <malloc.h>
#include <stddef.h>

static inline size_t twinhub_heap_bytes_in_use(void) {
    struct mallinfo2 info = mallinfo2();
    return info.uordblks + info.hblkhd;
}

#endif
