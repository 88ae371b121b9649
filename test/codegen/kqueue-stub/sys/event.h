/*
 * <sys/event.h> for COMPILE CHECKS ONLY (test/codegen/c-compile.test.ts, 'compile c kqueue posix').
 *
 * Linux has no kqueue and this workplace cannot install libkqueue, so the generated kqueue servers
 * are type-checked on Linux against this header with gcc and clang -Werror. It declares kqueue()
 * and kevent() but defines nothing: objects built against it cannot be linked or run (running them
 * needs libkqueue, test/codegen/c-kqueue.test.ts).
 *
 * It declares exactly what templates/c/_loop_kqueue.eta uses, no more, with the types, signatures
 * and values of the real headers, so a type mismatch in a template fails here as it would on a BSD:
 *   default: FreeBSD 12 and later, sys/sys/event.h and kqueue(2): ident __uintptr_t, filter short,
 *     flags unsigned short, fflags unsigned int, data __int64_t, udata void *, ext[4] __uint64_t;
 *     EV_SET (its C99 form) assigns a compound literal with designated initializers.
 *   -DSOCKSCOPE_KQ_STUB_MACOS: macOS, xnu bsd/sys/event.h and kqueue(2): ident uintptr_t, filter
 *     int16_t, flags uint16_t, fflags uint32_t, data intptr_t, udata void * (no ext; the real struct
 *     is under #pragma pack(4), which changes no type); EV_SET assigns each field through a
 *     struct kevent * copy of its first argument.
 *   Both: int kqueue(void); int kevent(int kq, const struct kevent *changelist, int nchanges,
 *     struct kevent *eventlist, int nevents, const struct timespec *timeout); EVFILT_READ (-1),
 *     EVFILT_WRITE (-2), EV_ADD 0x0001, EV_DELETE 0x0002, EV_ENABLE 0x0004, EV_DISABLE 0x0008,
 *     EV_ERROR 0x4000, EV_EOF 0x8000 (the same values in both headers).
 * A template that starts using another name must add it here, copied from those headers.
 * FreeBSD's header brings in no <stdint.h> or <time.h> names (its integer types are the __ ones of
 * <sys/_types.h>, here the compiler's own, and struct timespec is only declared), so neither does
 * the default flavour: a server that needs them must include them itself.
 */
#ifndef SOCKSCOPE_KQUEUE_STUB_SYS_EVENT_H
#define SOCKSCOPE_KQUEUE_STUB_SYS_EVENT_H

#define EVFILT_READ (-1)
#define EVFILT_WRITE (-2)

#define EV_ADD 0x0001
#define EV_DELETE 0x0002
#define EV_ENABLE 0x0004
#define EV_DISABLE 0x0008

#define EV_EOF 0x8000
#define EV_ERROR 0x4000

#ifdef SOCKSCOPE_KQ_STUB_MACOS

#include <stdint.h>
#include <sys/types.h>

struct kevent {
    uintptr_t ident;
    int16_t filter;
    uint16_t flags;
    uint32_t fflags;
    intptr_t data;
    void *udata;
};

#define EV_SET(kevp, a, b, c, d, e, f) do {     \
    struct kevent *__kevp__ = (kevp);           \
    __kevp__->ident = (a);                      \
    __kevp__->filter = (b);                     \
    __kevp__->flags = (c);                      \
    __kevp__->fflags = (d);                     \
    __kevp__->data = (e);                       \
    __kevp__->udata = (f);                      \
} while (0)

#else /* FreeBSD */

struct kevent {
    __UINTPTR_TYPE__ ident;
    short filter;
    unsigned short flags;
    unsigned int fflags;
    __INT64_TYPE__ data;
    void *udata;
    __UINT64_TYPE__ ext[4];
};

#define EV_SET(kevp_, a, b, c, d, e, f) do {    \
    *(kevp_) = (struct kevent){                 \
        .ident = (a),                           \
        .filter = (b),                          \
        .flags = (c),                           \
        .fflags = (d),                          \
        .data = (e),                            \
        .udata = (f),                           \
        .ext = {0},                             \
    };                                          \
} while (0)

#endif

struct timespec;

int kqueue(void);
int kevent(int kq, const struct kevent *changelist, int nchanges,
           struct kevent *eventlist, int nevents,
           const struct timespec *timeout);

#endif
