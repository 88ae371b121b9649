/* The TCP dump split in two, as an experiment that was measured and not kept (README, Figures): two
 * threads, each with its own NETLINK_SOCK_DIAG socket, dump the IPv4 TCP sockets whose local port is
 * <= SPLIT and > SPLIT at once (bytecode filters S_GE/S_LE), against one unfiltered dump. Each dump
 * walks the whole TCP hash but fills only its half, and the kernel fills a dump inside the receive
 * calls, so with two free cores the halves fill in parallel. Usage:
 *   cc -O2 -pthread -o /tmp/dump-split bench/native/dump-split.c
 *   /tmp/dump-split 0        # one dump, five times
 *   /tmp/dump-split SPLIT    # two half dumps at once, five times (SPLIT: the median local port)
 * Prints the socket counts and times in ms. */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <unistd.h>
#include <pthread.h>
#include <time.h>
#include <sys/socket.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <linux/inet_diag.h>
#include <netinet/in.h>
static double now(){struct timespec t;clock_gettime(CLOCK_MONOTONIC,&t);return t.tv_sec*1e3+t.tv_nsec/1e6;}
struct job { int lo, hi; long n; double ms; };
static void *run(void *arg) {
  struct job *j = arg; double t0 = now();
  static __thread char buf[64*1024];
  int fd = socket(AF_NETLINK, SOCK_RAW|SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
  struct { struct nlmsghdr nlh; struct inet_diag_req_v2 r; struct nlattr a; struct inet_diag_bc_op op[4]; } req;
  memset(&req, 0, sizeof req);
  int bclen = 0;
  if (j->lo >= 0) {
    /* sport >= lo: GE op with yes=8 (next op), no = len-off+4 (reject) ; sport <= hi */
    req.op[0].code = INET_DIAG_BC_S_GE; req.op[0].yes = 8; req.op[0].no = 8 + 8 + 4; req.op[1].no = j->lo;
    req.op[2].code = INET_DIAG_BC_S_LE; req.op[2].yes = 8; req.op[2].no = 8 + 4; req.op[3].no = j->hi;
    bclen = 16;
  }
  req.a.nla_type = INET_DIAG_REQ_BYTECODE; req.a.nla_len = 4 + bclen;
  req.nlh.nlmsg_len = sizeof(struct nlmsghdr) + sizeof(struct inet_diag_req_v2) + (bclen ? 4 + bclen : 0);
  req.nlh.nlmsg_type = SOCK_DIAG_BY_FAMILY; req.nlh.nlmsg_flags = NLM_F_REQUEST|NLM_F_DUMP; req.nlh.nlmsg_seq = 1;
  req.r.sdiag_family = AF_INET; req.r.sdiag_protocol = IPPROTO_TCP; req.r.idiag_states = 0x1ffe;
  send(fd, &req, req.nlh.nlmsg_len, 0);
  long n = 0;
  for (;;) { ssize_t r = recv(fd, buf, sizeof buf, 0); if (r <= 0) { perror("recv"); break; } int len = r; int done = 0;
    for (struct nlmsghdr *h = (void*)buf; NLMSG_OK(h, len); h = NLMSG_NEXT(h, len)) { if (h->nlmsg_type == NLMSG_DONE) { done = 1; break; } if (h->nlmsg_type == NLMSG_ERROR) { fprintf(stderr,"err %d\n", ((struct nlmsgerr*)NLMSG_DATA(h))->error); done = 1; break; } n++; }
    if (done) break; }
  close(fd); j->n = n; j->ms = now() - t0; return 0;
}
int main(int argc, char **argv) {
  if (argc < 2) { fprintf(stderr, "usage: dump-split 0|SPLIT\n"); return 2; }
  int split = atoi(argv[1]);
  for (int rep = 0; rep < 5; rep++) {
    double t0 = now();
    if (split == 0) { struct job j = {-1, -1, 0, 0}; run(&j); printf("one: %ld in %.1f\n", j.n, now()-t0); }
    else { struct job a = {0, split, 0, 0}, b = {split + 1, 65535, 0, 0}; pthread_t ta, tb; pthread_create(&ta,0,run,&a); pthread_create(&tb,0,run,&b); pthread_join(ta,0); pthread_join(tb,0);
      printf("two: %ld (%.1f) + %ld (%.1f) wall %.1f\n", a.n, a.ms, b.n, b.ms, now()-t0); }
  }
}
