// How long connect() waits for an unanswered SYN before ETIMEDOUT, from the host's sysctls (net/ipv4/tcp_timer.c).

/**
 * The kernel gives up on a SYN_SENT socket when the timer that fires at or after the time exponential backoff
 * from the initial RTO (1 s) would take for tcp_syn_retries retransmissions ((2^(r+1) - 1) s, each step capped at
 * TCP_RTO_MAX 120 s: 127 s for 6); the timer's waits are 1 s for the first tcp_syn_linear_timeouts + 1 (6.5+;
 * 0 before), then double up to 120 s. Measured in namespaces (6.18, SYNs dropped by nft): retries 2 linear 4:
 * 7.13 s and 5 retransmissions; 2/0: 7.10 s, 2; 1/2: 3.08 s, 2; 3/1: 16.34 s, 4; 6/4: 135.3 s, 10 (131 s here,
 * the timer wheel delays a 64 s timer by up to ~4 s). Null when tcp_syn_retries is unknown.
 */
export function synGiveUp(retries: number | null, linear: number | null): { seconds: number; retransmissions: number } | null {
  if (retries == null || !Number.isInteger(retries) || retries < 1 || retries > 127) return null;
  const lin = linear != null && Number.isInteger(linear) && linear > 0 ? linear : 0;
  const bound = retries <= 6 ? 2 ** (retries + 1) - 1 : 127 + (retries - 6) * 120;
  let t = 0;
  let rto = 1;
  let retransmissions = 0;
  for (let fired = 1; ; fired++) {
    t += rto;
    if (t >= bound) break;
    retransmissions++;
    if (fired > lin) rto = Math.min(rto * 2, 120);
  }
  return { seconds: t, retransmissions };
}

/** "net.ipv4.tcp_syn_retries (6, tcp_syn_linear_timeouts 4: about 131 s, 10 retransmissions)", or without a figure when unknown. */
export function synGiveUpText(retries: number | null, linear: number | null): string {
  const g = synGiveUp(retries, linear);
  if (!g) return 'net.ipv4.tcp_syn_retries';
  const lin = linear != null && linear > 0 ? `, net.ipv4.tcp_syn_linear_timeouts ${linear}` : '';
  return `net.ipv4.tcp_syn_retries (${retries}${lin} on this host: about ${g.seconds} s, ${g.retransmissions} SYN retransmissions)`;
}
