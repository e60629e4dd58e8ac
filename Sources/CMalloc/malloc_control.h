#ifndef TWINHUB_MALLOC_CONTROL_H
#define TWINHUB_MALLOC_CONTROL_H

// What TwinHub asks of glibc's allocator (Swift's Glibc module does not export <malloc.h>).
#include <malloc.h>
#include <stddef.h>
#include <stdlib.h>

// Heap bytes in use: what the benchmarks report per twin, apart from what malloc keeps after it is freed.
static inline size_t twinhub_heap_bytes_in_use(void) {
    struct mallinfo2 info = mallinfo2();
    return info.uordblks + info.hblkhd;
}

// Gives memory malloc holds free back to the system (free pages inside the heap too, not only at its top).
// Returns 1 if any was released.
static inline int twinhub_release_free_memory(void) {
    return malloc_trim(0);
}

// Caps the allocator's arenas at `arenas`, unless MALLOC_ARENA_MAX is set (the operator's choice wins). Only arenas
// made after the call are bounded: call it before the process starts its threads.
static inline void twinhub_limit_malloc_arenas(int arenas) {
    if (getenv("MALLOC_ARENA_MAX") == NULL) mallopt(M_ARENA_MAX, arenas);
}

#endif
