// SO_TYPE read by family for every type (review s23 dD #5): only type 2 was; an AF_VSOCK stream read 'a byte stream
// (TCP or unix stream)', and netlink SOCK_RAW read 'socket type SOCK_RAW' where SOCK_DGRAM read 'netlink messages'.
// Real sockets held by python3 in a network namespace of its own (vsock needs no peer to be created).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { holderLine, labelledFds } from '../helpers/holder-line.js';
import { formatInspect, runInspect } from '../../src/cli/commands/inspect-options-run.js';

const HOLDER = `
import socket as S, os, time
socks = [
  ('tcp', S.socket()), ('unixstream', S.socket(S.AF_UNIX, S.SOCK_STREAM)), ('unixseq', S.socket(S.AF_UNIX, S.SOCK_SEQPACKET)),
  ('vstream', S.socket(S.AF_VSOCK, S.SOCK_STREAM)), ('vseq', S.socket(S.AF_VSOCK, S.SOCK_SEQPACKET)),
  ('nlraw', S.socket(S.AF_NETLINK, S.SOCK_RAW, 0)), ('nldgram', S.socket(S.AF_NETLINK, S.SOCK_DGRAM, 0)),
  ('pktraw', S.socket(S.AF_PACKET, S.SOCK_RAW, 0)), ('rawip', S.socket(S.AF_INET, S.SOCK_RAW, S.IPPROTO_ICMP)),
]
print(os.getpid(), *(f'{k}={v.fileno()}' for k, v in socks), flush=True)
time.sleep(60)`;

const EXPECTED: Record<string, RegExp> = {
  tcp: /SO_TYPE +1 \(SOCK_STREAM\)\n +a byte stream \(TCP\)\n/,
  unixstream: /SO_TYPE +1 \(SOCK_STREAM\)\n +a byte stream \(unix stream\)\n/,
  unixseq: /SO_TYPE +5 \(SOCK_SEQPACKET\)\n +records over a connection, their boundaries kept \(unix seqpacket\)\n/,
  vstream: /SO_TYPE +1 \(SOCK_STREAM\)\n +a byte stream \(vsock: between a virtual machine and its host\)\n/,
  vseq: /SO_TYPE +5 \(SOCK_SEQPACKET\)\n +records over a connection, their boundaries kept \(vsock: between a virtual machine and its host\)\n/,
  nlraw: /SO_TYPE +3 \(SOCK_RAW\)\n +netlink messages \(SOCK_DGRAM and SOCK_RAW are the same for netlink\)\n/,
  nldgram: /SO_TYPE +2 \(SOCK_DGRAM\)\n +netlink messages \(SOCK_DGRAM and SOCK_RAW are the same for netlink\)\n/,
  pktraw: /SO_TYPE +3 \(SOCK_RAW\)\n +whole link-layer frames, header included\n/,
  rawip: /SO_TYPE +3 \(SOCK_RAW\)\n +raw IP packets \(IPPROTO_ICMP; no ports\)\n/,
};

test('SO_TYPE names what each type is in the socket\'s family (dD #5)', { timeout: 30_000 }, async (t) => {
  assert.equal(process.getuid?.(), 0, 'a network namespace, raw and packet sockets need root (as the CI runs)');
  const h = labelledFds(await holderLine(t, ['unshare', '-n', 'sh', '-c', 'ip link set lo up && exec python3 -c "$0"', HOLDER]));
  for (const [name, want] of Object.entries(EXPECTED)) {
    for (const options of ['SO_TYPE', 'SO_DOMAIN,SO_TYPE,SO_PROTOCOL']) {
      const text = formatInspect(await runInspect({ pid: h.pid, 'socket-fd': h.fd[name]!, options, source: 'netlink' }));
      assert.match(text, want, `${name} ${options}\n${text}`);
      assert.doesNotMatch(text, /TCP or unix stream/, name);
    }
  }
});
