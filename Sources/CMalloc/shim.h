#ifndef D365MM_CMALLOC_SHIM_H
#define D365MM_CMALLOC_SHIM_H
/* glibc's malloc tuning (mallopt), which the Glibc module does not import. */
#include <malloc.h>

/* M_ARENA_MAX is a macro; a function carries it to Swift whatever its definition. */
static inline void cmalloc_limit_arenas(int count) { mallopt(M_ARENA_MAX, count); }

#endif
