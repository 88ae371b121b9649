// The errno notes' claims about Linux, measured on real sockets in a network namespace of this test
// (linux-errno-probes.py next to this file), each next to the text it backs.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { explainErrno, type ErrnoExplanation } from '../../src/knowledge/errno.js';

const PROBES = fileURLToPath(new URL('./linux-errno-probes.py', import.meta.url));
const NS = `sockscope-errno-${process.pid}`;

before(() => {
  assert.equal(process.getuid?.(), 0, 'creating a network namespace needs root (as in CI)');
  const add = spawnSync('ip', ['netns', 'add', NS], { encoding: 'utf8' });
  assert.equal(add.error, undefined, 'ip (iproute2) is required');
  assert.equal(add.status, 0, add.stderr);
  assert.equal(spawnSync('ip', ['-n', NS, 'link', 'set', 'lo', 'up']).status, 0);
});
after(() => {
  spawnSync('ip', ['netns', 'delete', NS]);
});

/** Runs one probe in the namespace and returns what it measured. */
function probe(name: string): Record<string, unknown> {
  const r = spawnSync('ip', ['netns', 'exec', NS, 'python3', PROBES, NS, name], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.error, undefined, `python3 is required: ${r.error?.message}`);
  assert.equal(r.status, 0, `probe ${name}: ${r.stderr}`);
  return JSON.parse(r.stdout) as Record<string, unknown>;
}

const note = (name: string): ErrnoExplanation => explainErrno(name).matches[0];
const text = (e: ErrnoExplanation) => [e.meaning, ...e.calls, ...e.causes, ...e.fixes].join('\n');

test('connect() from a fixed local port: a 4-tuple in use is EADDRNOTAVAIL on Linux, and TIME_WAIT is taken over with timestamps', { timeout: 60_000 }, () => {
  const m = probe('fixed_port_connect');
  assert.deepEqual(m, { ts_0_established: 'EADDRNOTAVAIL', ts_0_time_wait: 'EADDRNOTAVAIL', ts_1_established: 'EADDRNOTAVAIL', ts_1_time_wait: 'ok', listen_second: 'EADDRINUSE' });
  const inUse = note('EADDRINUSE');
  // The old note gave this BSD case as a Linux cause of EADDRINUSE.
  assert.ok(!inUse.causes.some((c) => /^connect\(\) on a socket bound to a fixed local port/.test(c)), inUse.causes.join('\n'));
  assert.ok(inUse.causes.some((c) => /connect\(\) on BSD, macOS and Windows .*Linux reports EADDRNOTAVAIL/.test(c)));
  assert.ok(inUse.causes.some((c) => /^listen\(\): two sockets bound the same port with SO_REUSEADDR/.test(c)));
  assert.match(text(note('EADDRNOTAVAIL')), /fixed local port .*ESTABLISHED, or TIME_WAIT without TCP timestamps\. With timestamps .*connect\(\) succeeds/);
});

test('a connection reset in the accept queue: Linux accept() returns it and recv() says ECONNRESET; ECONNABORTED comes from ss -K', { timeout: 60_000 }, () => {
  const m = probe('reset_in_accept_queue');
  assert.deepEqual(m, { accept: 'ok', recv: 'ECONNRESET', ss_K_status: 0, recv_after_ss_K: 'ECONNABORTED' });
  const aborted = note('ECONNABORTED');
  assert.ok(!aborted.calls.includes('accept'), 'accept is not a Linux source of ECONNABORTED');
  assert.ok(aborted.causes.some((c) => /`ss -K`/.test(c)));
  assert.ok(aborted.causes.some((c) => /^BSD and macOS accept\(\).*Linux does not report this at accept\(\)/.test(c)));
  assert.ok(note('ECONNRESET').causes.some((c) => /^Linux accept\(\) hands over a connection that the client reset/.test(c)));
});

test('listen() and accept() on UDP are EOPNOTSUPP, not EINVAL; EINVAL is accept() without listen() and listen() when connected', { timeout: 60_000 }, () => {
  const m = probe('udp_listen_accept');
  assert.deepEqual(m, { udp_listen: 'EOPNOTSUPP', udp_accept: 'EOPNOTSUPP', tcp_accept_not_listening: 'EINVAL', tcp_listen_connected: 'EINVAL' });
  const inval = text(note('EINVAL'));
  assert.doesNotMatch(inval, /UDP/);
  assert.match(inval, /accept\(\) on a TCP socket that is not listening; listen\(\) on a connected TCP socket/);
  assert.match(text(note('EOPNOTSUPP')), /listen\(\)\/accept\(\) on a UDP socket/);
});

test('EISCONN: connect() again, MSG_FASTOPEN and Unix stream sendto(); a TCP sendto() with an address just sends', { timeout: 60_000 }, () => {
  const m = probe('isconn');
  assert.deepEqual(m, {
    tcp_connect_again: 'EISCONN', tcp_sendto_fastopen: 'EISCONN',
    nonblocking_connect: 'ok', nonblocking_connect_again: 'ok', nonblocking_connect_third: 'EISCONN',
    tcp_sendto_other_address: 2, tcp_peer_got: 'hi', udp_sendto_other_address: 'ok', udp_other_got: 'there', unix_stream_sendto: 'EISCONN',
  });
  const isconn = note('EISCONN');
  assert.ok(!isconn.causes.includes('sendto() with an address on a connected TCP socket.'));
  assert.match(text(isconn), /first connect\(\) again with 0 and only later ones with EISCONN/);
  assert.match(text(isconn), /connected Unix stream socket, or with MSG_FASTOPEN on a connected TCP socket\. A plain sendto\(\) with an address on a connected TCP socket is no error on Linux \(the address is ignored, the data goes to the peer\); on a connected UDP socket the datagram goes to the address given/);
});

test('ICMP errors on a TCP connect: port unreachable (REJECT\'s default) is ECONNREFUSED, host/admin prohibited EHOSTUNREACH', { timeout: 60_000 }, () => {
  const m = probe('icmp_codes');
  assert.deepEqual(m, { port_unreachable: 'ECONNREFUSED', host_prohibited: 'EHOSTUNREACH', admin_prohibited: 'EHOSTUNREACH' });
  const unreach = text(note('EHOSTUNREACH'));
  assert.doesNotMatch(unreach, /iptables REJECT default/);
  assert.match(unreach, /--reject-with icmp-host-prohibited or icmp-admin-prohibited.*REJECT's default, icmp-port-unreachable, gives ECONNREFUSED/s);
  assert.match(text(note('ECONNREFUSED')), /iptables REJECT without --reject-with \(its default, icmp-port-unreachable\)/);
});

test('a full accept queue drops SYNs (no refusal); tcp_abort_on_overflow=1 resets a handshake completed into a full queue', { timeout: 60_000 }, () => {
  const m = probe('accept_queue_full');
  assert.deepEqual(m, { connect_while_full: 'pending', abort_on_overflow_0: 'no answer (timed out)', abort_on_overflow_1: 'ECONNRESET' });
  const refused = note('ECONNREFUSED');
  assert.ok(!refused.causes.some((c) => /backlog is full and the SYN was reset/.test(c)), refused.causes.join('\n'));
  assert.match(refused.meaning, /A full accept queue does not refuse on Linux: the SYN is dropped/);
  assert.ok(note('ECONNRESET').causes.some((c) => /accept queue was full and net\.ipv4\.tcp_abort_on_overflow=1: the server answers with RST \(by default it drops the ACK/.test(c)));
});

test('after the peer closed: FIN then RST gives EPIPE (recv 0), a RST in ESTABLISHED gives ECONNRESET once, then EPIPE', { timeout: 60_000 }, () => {
  const m = probe('reset_or_pipe');
  assert.deepEqual(m, {
    fin_first_send: 'ok', fin_recv_after_rst: 0, fin_second_send: 'EPIPE', fin_second_send_before_any_recv: 'EPIPE', fin_recv_after_epipe: 0,
    rst_recv: 'ECONNRESET', rst_recv_again: 0, rst_send_after: 'EPIPE', rst_send_first: 'ECONNRESET',
  });
  const reset = note('ECONNRESET');
  assert.ok(!reset.causes.some((c) => /the next read\/write reports ECONNRESET \(or EPIPE\)/.test(c)), reset.causes.join('\n'));
  assert.ok(reset.causes.some((c) => /first recv\(\) or send\(\) after it reports ECONNRESET, once; later send\(\) calls get EPIPE and recv\(\) returns 0\. \(A peer that closed cleanly with FIN .* no ECONNRESET on Linux: recv\(\) returns 0 and the next write gets EPIPE\.\)/.test(c)));
  assert.ok(note('EPIPE').causes.some((c) => /ECONNRESET comes once; later writes get EPIPE/.test(c)));
});

test('UDP and a full qdisc: ENOBUFS only with IP_RECVERR, otherwise silent and counted in SndbufErrors; a full send buffer is EAGAIN', { timeout: 60_000 }, () => {
  const m = probe('udp_enobufs') as Record<string, { errors: Record<string, number>; SndbufErrors: number }> & { nonblocking_full_sndbuf: Record<string, number> };
  assert.deepEqual(m.recverr_0.errors, {}, 'without IP_RECVERR every sendto() reports success');
  assert.ok(m.recverr_0.SndbufErrors > 0, 'the drops are counted in Udp SndbufErrors');
  assert.ok((m.recverr_1.errors.ENOBUFS ?? 0) > 0 && Object.keys(m.recverr_1.errors).length === 1, JSON.stringify(m.recverr_1));
  assert.ok((m.nonblocking_full_sndbuf.EAGAIN ?? 0) > 0 && !m.nonblocking_full_sndbuf.ENOBUFS, JSON.stringify(m.nonblocking_full_sndbuf));
  const nobufs = note('ENOBUFS');
  assert.ok(!nobufs.causes.some((c) => /or the socket send buffer is exhausted/.test(c)));
  assert.ok(nobufs.causes.some((c) => /on a socket with IP_RECVERR \(IPV6_RECVERR\) set\. Without it Linux drops the datagram silently, sendto\(\) reports success and the drop is only counted in Udp SndbufErrors.*a non-blocking one gets EAGAIN/.test(c)));
});
