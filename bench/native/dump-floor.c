/* The floor under every netlink figure: one SOCK_DIAG_BY_FAMILY dump of TCP over IPv4 then IPv6
 * (what `ss -tanH` and the netlink collector both ask the kernel for), receiving every chunk and
 * walking the message headers, with no parsing and no output. Built by bench/sections/netlink.ts
 * with cc -O2; it prints the number of sockets it saw. */
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static char buf[64 * 1024];

int main(void) {
  int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
  if (fd < 0) { perror("socket"); return 1; }
  long sockets = 0;
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
    req.r.idiag_states = 0x1ffe; /* every TCP state, as the collector asks */
    if (send(fd, &req, sizeof req, 0) != (ssize_t)sizeof req) { perror("send"); return 1; }
    for (int done = 0; !done;) {
      ssize_t n = recv(fd, buf, sizeof buf, 0);
      if (n <= 0) { perror("recv"); return 1; }
      int len = (int)n;
      for (struct nlmsghdr *h = (struct nlmsghdr *)buf; NLMSG_OK(h, len); h = NLMSG_NEXT(h, len)) {
        if (h->nlmsg_type == NLMSG_DONE) { done = 1; break; }
        if (h->nlmsg_type == NLMSG_ERROR) { fprintf(stderr, "netlink error\n"); return 1; }
        sockets++;
      }
    }
  }
  close(fd);
  printf("%ld\n", sockets);
  return 0;
}
