#ifndef D365MM_CARCHIVE_SHIM_H
#define D365MM_CARCHIVE_SHIM_H
#include <archive.h>
#include <archive_entry.h>

/* AE_IFREG is a cast macro, which Swift does not import. */
static inline unsigned int carchive_ifreg(void) { return AE_IFREG; }

#endif
