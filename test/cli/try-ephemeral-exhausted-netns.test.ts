// With every port of the ephemeral range held (net.ipv4.ip_local_port_range of 4 ports in a namespace of this test,
// a holder with 4 UDP and 4 TCP sockets bound to port 0), `try bind ADDR:0` said "port 0 is in use, but no socket on
// it is visible" with `sudo ss -tanp 'sport = :0'` (TCP's ss for --udp too), and `try sendto` said "sendto failed with
// EWOULDBLOCK" with the errno table's "would block ... Not a failure" (user review s26 try #1, #3). Both now say the
// range is used up, with the range, the count, who holds it and the ss command for it. Two of the TCP holders are
// bound without listen(): the range's count missed them ("2 of the 4 ports ... sockets this view does not show",
// review of f7709096 #2), and ss -tan cannot list them (ss -B can). Needs root (as CI), iproute2.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync, type ChildProcess } from 'node:child_process';
import { sockscope } from '../collect/getsockopt-helpers.js';
import { createNetns, deleteNetns, netnsHolder } from '../helpers/netns.js';

const NS = `ss-ephx-${process.pid}`;
const isRoot = process.getuid?.() === 0;
let holder: ChildProcess | undefined;

after(() => {
  holder?.kill('SIGKILL');
  deleteNetns(NS);
});

interface TryDoc {
  call: { ok: boolean; errno?: string };
  context: { ephemeral?: { protocol: string; low: number; high: number; size: number; ports?: number; boundOnly?: number; top?: { name: string; ports: number }[] } };
  interpretation: { ok: boolean; summary: string; details: string[]; nextSteps: string[] };
}

/** `sockscope try ARGS` in the namespace, as --json and as text. */
const run = (...args: string[]): { doc: TryDoc; text: string } => {
  const j = sockscope(['try', ...args, '--json'], { netns: NS });
  assert.equal(j.status, 0, j.stderr);
  const t = sockscope(['try', ...args], { netns: NS });
  assert.equal(t.status, 0, t.stderr);
  return { doc: JSON.parse(j.stdout) as TryDoc, text: t.stdout };
};

test('no ephemeral port left: bind of port 0 and sendto say the range is used up, with its size and holders', { skip: !isRoot && 'needs root (as CI)', timeout: 90_000 }, async () => {
  createNetns(NS);
  const r = spawnSync('ip', ['netns', 'exec', NS, 'sysctl', '-qw', 'net.ipv4.ip_local_port_range=40000 40003'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  holder = await netnsHolder(
    NS,
    [
      'u = [socket.socket(socket.AF_INET, socket.SOCK_DGRAM) for i in range(4)]',
      'for x in u: x.bind(("0.0.0.0", 0))',
      's = [socket.socket() for i in range(4)]',
      'for x in s: x.bind(("0.0.0.0", 0))',
      'for x in s[:2]: x.listen()',
    ].join('\n'),
  );

  for (const [args, protocol, ss] of [
    [['bind', '127.0.0.1:0'], 'tcp', '-tanp'],
    [['listen', '[::]:0'], 'tcp', '-tanp'],
    [['bind', '0.0.0.0:0', '--udp'], 'udp', '-uanp'],
  ] as const) {
    const { doc, text } = run(...args);
    assert.equal(doc.call.errno, 'EADDRINUSE', JSON.stringify(doc.call));
    const boundOnly = protocol === 'tcp' ? { boundOnly: 2 } : {};
    assert.deepEqual({ ...doc.context.ephemeral, top: undefined }, { protocol, low: 40000, high: 40003, size: 4, ports: 4, sockets: 4, ...boundOnly, top: undefined });
    assert.equal(doc.context.ephemeral?.top?.[0]?.name, 'python3');
    const name = protocol === 'udp' ? 'UDP' : 'TCP';
    assert.match(doc.interpretation.summary, new RegExp(`port 0 asks the kernel for a free port of the ephemeral range, and none is left: 4 of the 4 ports of net\\.ipv4\\.ip_local_port_range \\(40000-40003\\) have a ${name} socket on them`));
    assert.doesNotMatch(doc.interpretation.summary, /port 0 is in use/);
    const list =
      protocol === 'tcp'
        ? `ss ${ss} 'sport >= :40000 and sport <= :40003'; ss -tBnp 'sport >= :40000 and sport <= :40003'   (the TCP sockets holding the range, and their processes; 2 of them are bound without listening, which ss -tan does not list and ss -B does, iproute2 6.7+)`
        : `ss ${ss} 'sport >= :40000 and sport <= :40003'   (the ${name} sockets holding the range, and their processes)`;
    assert.ok(doc.interpretation.nextSteps.includes(list), doc.interpretation.nextSteps.join('\n'));
    assert.ok(doc.interpretation.nextSteps.some((s) => s.startsWith('sysctl -w net.ipv4.ip_local_port_range="32768 60999"')));
    assert.ok(!doc.interpretation.nextSteps.some((s) => s.includes("'sport = :0'")));
    assert.ok(doc.interpretation.details.some((d) => /^the processes holding the most of them: python3\/\d+ \(4 ports\)/.test(d)), doc.interpretation.details.join('\n'));
    // The text says what --json says.
    assert.ok(text.includes(`Failed: ${doc.interpretation.summary}\n`), text);
    assert.ok(text.includes(`ss ${ss} 'sport >= :40000 and sport <= :40003'`), text);
  }

  // sendto on an unbound UDP socket: the kernel's automatic bind finds no port (EAGAIN), not "would block".
  const { doc, text } = run('sendto', '127.0.0.1:9');
  assert.ok(doc.call.errno === 'EWOULDBLOCK' || doc.call.errno === 'EAGAIN', JSON.stringify(doc.call));
  assert.equal(doc.context.ephemeral?.protocol, 'udp');
  assert.equal(doc.context.ephemeral?.ports, 4);
  assert.match(doc.interpretation.summary, /^sendto 127\.0\.0\.1:9: the socket had no local port yet, and the kernel's automatic bind found no free one: 4 of the 4 ports of net\.ipv4\.ip_local_port_range \(40000-40003\) have a UDP socket on them/);
  assert.ok(!doc.interpretation.details.some((d) => /Not a failure/.test(d)), doc.interpretation.details.join('\n'));
  assert.ok(doc.interpretation.details.some((d) => /is not "would block" \(the socket is a blocking one\)/.test(d)));
  assert.ok(doc.interpretation.nextSteps.includes("ss -uanp 'sport >= :40000 and sport <= :40003'   (the UDP sockets holding the range, and their processes)"));
  assert.ok(text.includes(`Failed: ${doc.interpretation.summary}\n`), text);
  assert.doesNotMatch(text, /Not a failure/);

  // A port that is free (outside the range) still binds: the exhaustion is port 0's alone.
  assert.equal(run('bind', '127.0.0.1:41234').doc.call.ok, true);
});
