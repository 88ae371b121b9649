/* Test helper (c-uring-setup-errors.test.ts): runs PROG with a seccomp filter that fails every
 * io_uring_setup() with ERRNO, as a kernel out of memory or a container policy would.
 * usage: noring ERRNO PROG ARGS... (from the review of s25, /tmp/s25/rD/noring.c) */
#define _GNU_SOURCE
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <linux/audit.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <stddef.h>
#include <unistd.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
int main(int argc, char **argv) {
    int err = argc > 1 ? atoi(argv[1]) : ENOSYS;
    struct sock_filter f[] = {
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_io_uring_setup, 0, 1),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (err & SECCOMP_RET_DATA)),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
    };
    struct sock_fprog prog = { sizeof f / sizeof f[0], f };
    prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
    if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog)) { perror("seccomp"); return 1; }
    if (argc < 3) { fprintf(stderr, "usage: noring ERRNO PROG ARGS...\n"); return 2; }
    execv(argv[2], argv + 2); perror("exec"); return 1;
}
