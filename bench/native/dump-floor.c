/* The floor under every netlink figure: the kernel's TCP dump with every chunk received and the
 * message headers walked, with no parsing and no output. Without arguments, the collector's request:
 * one TCPDIAG_GETSOCK dump (the first inet_diag interface, which the kernel runs for both families in
 * one walk of the TCP hash). With "per-family": one SOCK_DIAG_BY_FAMILY dump of IPv4 then one of IPv6,
 * as `ss -tanH` asks (two walks). Built by bench/sections/netlink.ts with cc -O2; it prints the number
 * of sockets it saw. */
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static char buf[64 * 1024];

/* Receives one dump to its end; the socket count, or -1. */
static long drain(int fd) {
  long sockets = 0;
  for (;;) {
    ssize_t n = recv(fd, buf, sizeof buf, 0);
    if (n <= 0) { perror("recv"); return -1; }
    int len = (int)n;
    for (struct nlmsghdr *h = (struct nlmsghdr *)buf; NLMSG_OK(h, len); h = NLMSG_NEXT(h, len)) {
      if (h->nlmsg_type == NLMSG_DONE) return sockets;
      if (h->nlmsg_type == NLMSG_ERROR) { fprintf(stderr, "netlink error\n"); return -1; }
      sockets++;
    }
  }
}

int main(int argc, char **argv) {
  int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
  if (fd < 0) { perror("socket"); return 1; }
  long sockets = 0;
  if (argc > 1 && strcmp(argv[1], "per-family") == 0) {
    const int families[2] = {AF_INET, AF_INET6};
    for (int f = 0; f < 2; f++) {
      struct { struct nlmsghdr nlh; struct inet_diag_req_v2 r; } req;
      memset(&req, 0, sizeof req);
      req.nlh.nlmsg_len = sizeof req;
      req.nlh.nlmsg_type = SOCK_DIAG_BY_FAMILY;
      req.nlh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
      req.nlh.nlmsg_seq = (unsigned)f + 1;
      req.r.sdiag_family = (unsigned char)families[f];
      req.r.sdiag_protocol = IPPROTO_TCP;
      req.r.idiag_states = 0x1ffe; /* every TCP state */
      if (send(fd, &req, sizeof req, 0) != (ssize_t)sizeof req) { perror("send"); return 1; }
      long n = drain(fd);
      if (n < 0) return 1;
      sockets += n;
    }
  } else {
    struct { struct nlmsghdr nlh; struct inet_diag_req r; } req;
    memset(&req, 0, sizeof req);
    req.nlh.nlmsg_len = sizeof req;
    req.nlh.nlmsg_type = TCPDIAG_GETSOCK;
    req.nlh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
    req.nlh.nlmsg_seq = 1;
    req.r.idiag_family = AF_INET;
    req.r.idiag_states = 0x1ffe; /* every TCP state, as the collector asks */
    req.r.id.idiag_cookie[0] = req.r.id.idiag_cookie[1] = INET_DIAG_NOCOOKIE;
    if (send(fd, &req, sizeof req, 0) != (ssize_t)sizeof req) { perror("send"); return 1; }
    sockets = drain(fd);
    if (sockets < 0) return 1;
  }
  close(fd);
  printf("%ld\n", sockets);
  return 0;
}
