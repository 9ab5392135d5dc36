// Preloaded by scripts/profile so that valgrind 3.19 can run d365mm.
//
// libdispatch parks a Swift program's main thread in sigsuspend() with a `static const sigset_t`, which sits in
// read-only memory. Valgrind's wrapper of rt_sigsuspend removes its own signal from the caller's mask in place, and
// writing there kills valgrind with SIGSEGV before the program's first line runs. This sigsuspend() hands the kernel
// a writable copy; it is never built into d365mm.
#define _GNU_SOURCE
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

int sigsuspend(const sigset_t *mask) {
    sigset_t writable = *mask;
    return (int)syscall(SYS_rt_sigsuspend, &writable, _NSIG / 8);
}
