// debug-connections and `try connect` explained with the host's facts, on real processes: listeners at another
// address than the one connected to, a neighbour that never answers ARP (and one that does but drops), routes that
// reject (blackhole, prohibit, unreachable), broadcast and multicast destinations, EADDRNOTAVAIL with TIME_WAIT, a
// server that accepts then resets, and one that never accepts. Network namespaces are created here and deleted in
// teardown (two joined by a veth pair); the rest runs on loopback. Needs root (as CI), iproute2, node.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { createInterface } from 'node:readline';
import { sockscope, sockscopeAsync } from '../collect/getsockopt-helpers.js';
import { openScenario } from '../helpers/scenario.js';

const A = `ssx-a-${process.pid}`; // 10.1.1.1/24 on VA, routes that reject; /etc/hosts: localhost is 127.0.0.1 only
const B = `ssx-b-${process.pid}`; // 10.1.1.2/24 on VB: answers ARP, never a SYN-ACK (its route back is a blackhole)
const VA = `sxa${process.pid % 100000}`;
const VB = `sxb${process.pid % 100000}`;
const children: ChildProcess[] = [];

function ip(...args: string[]): void {
  const r = spawnSync('ip', args, { encoding: 'utf8' });
  assert.equal(r.error, undefined, 'ip (iproute2) is required');
  assert.equal(r.status, 0, `ip ${args.join(' ')}: ${r.stderr}`);
}

before(() => {
  assert.equal(process.getuid?.(), 0, 'creating network namespaces needs root (as in CI)');
  ip('netns', 'add', A);
  ip('netns', 'add', B);
  // `ip netns exec` bind-mounts /etc/netns/NAME/hosts over /etc/hosts: localhost resolves to 127.0.0.1 only.
  mkdirSync(`/etc/netns/${A}`, { recursive: true });
  writeFileSync(`/etc/netns/${A}/hosts`, '127.0.0.1 localhost\n');
  ip('-n', A, 'link', 'set', 'lo', 'up');
  ip('-n', B, 'link', 'set', 'lo', 'up');
  ip('link', 'add', VA, 'netns', A, 'type', 'veth', 'peer', 'name', VB, 'netns', B);
  ip('-n', A, 'addr', 'add', '10.1.1.1/24', 'dev', VA);
  ip('-n', B, 'addr', 'add', '10.1.1.2/24', 'dev', VB);
  ip('-n', A, 'link', 'set', VA, 'up');
  ip('-n', B, 'link', 'set', VB, 'up');
  // B answers ARP for 10.1.1.2, but its SYN-ACKs to 10.1.1.1 go nowhere (rp_filter off, or ARP would be refused too).
  assert.equal(spawnSync('ip', ['netns', 'exec', B, 'sysctl', '-qw', 'net.ipv4.conf.all.rp_filter=0', `net.ipv4.conf.${VB}.rp_filter=0`]).status, 0);
  ip('-n', B, 'route', 'add', 'blackhole', '10.1.1.1/32');
  ip('-n', A, 'route', 'add', 'blackhole', '10.50.0.0/16');
  ip('-n', A, 'route', 'add', 'prohibit', '10.51.0.0/16');
  ip('-n', A, 'route', 'add', 'unreachable', '10.52.0.0/16');
  ip('-n', A, '-6', 'route', 'add', 'blackhole', '2001:db8:5::/48');
});

after(() => {
  for (const c of children) c.kill('SIGKILL');
  spawnSync('ip', ['netns', 'delete', A]);
  spawnSync('ip', ['netns', 'delete', B]);
  rmSync(`/etc/netns/${A}`, { recursive: true, force: true });
  const left = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout;
  assert.ok(!left.includes(A) && !left.includes(B), 'namespaces deleted');
});

/** Node listeners inside namespace A; resolves with the pid once all listen. Killed in teardown, and exits by itself after 60 s. */
async function listenIn(specs: { host: string; port: number; ipv6Only?: boolean }[]): Promise<number> {
  const script = `const net=require('net');const keep=[];let n=0;const specs=${JSON.stringify(specs)};
for(const s of specs){const srv=net.createServer((c)=>{c.on('error',()=>{});keep.push(c)});
srv.listen({host:s.host,port:s.port,ipv6Only:!!s.ipv6Only},()=>{if(++n===specs.length)process.stdout.write(process.pid+'\\n')})}
setTimeout(()=>process.exit(0),60000);`;
  const c = spawn('ip', ['netns', 'exec', A, process.execPath, '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(c);
  return new Promise((res, rej) => {
    const timer = setTimeout(() => rej(new Error('listeners not ready in 10 s')), 10_000);
    createInterface({ input: c.stdout! }).once('line', (l) => {
      clearTimeout(timer);
      res(Number(l));
    });
  });
}

const inA = (args: string[]) => sockscope(args, { netns: A });
const json = (args: string[]) => {
  const r = inA([...args, '--json']);
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout);
};
const steps = (r: { stdout: string }) => r.stdout.split('Next steps:\n')[1] ?? '';
/** The verdict and next steps of a `try` report (the errno's own meaning line is the errno table's general text). */
const advice = (r: { stdout: string }) => `${/^Failed: .*$/m.exec(r.stdout)?.[0]}\n${steps(r)}`;

test('refused on this host while the port is listened on at another address: the listener and its process are named', { timeout: 60_000 }, async () => {
  const pid = await listenIn([
    { host: '::1', port: 8081, ipv6Only: true },
    { host: '127.0.0.1', port: 8082 },
    { host: '::', port: 8084, ipv6Only: true },
  ]);
  // localhost -> 127.0.0.1 only, server on [::1] only
  const d = json(['debug-connections', '--address', 'localhost:8081']);
  assert.deepEqual(d.resolution.addresses, ['127.0.0.1']);
  assert.equal(d.addresses[0].connect.errno, 'ECONNREFUSED');
  assert.equal(d.addresses[0].diagnosis.summary, `nothing listens on 127.0.0.1:8081, but node/${pid} listens on [::1]:8081; localhost resolved only to 127.0.0.1`);
  assert.equal(d.verdict.summary, `localhost:8081 refuses connections: nothing listens on 127.0.0.1:8081, but node/${pid} listens on [::1]:8081; localhost resolved only to 127.0.0.1`);
  assert.deepEqual(d.verdict.nextSteps.slice(0, 3), [
    'connect to [::1]:8081 instead',
    'add `::1 localhost` to /etc/hosts   (getent ahosts localhost shows what it resolves to now)',
    'or have the server listen on every address of both families: bind [::]:8081 with IPV6_V6ONLY off',
  ]);
  assert.ok(!d.verdict.nextSteps.some((s: string) => /firewall|tcp-reset/.test(s)), d.verdict.nextSteps.join('\n'));
  const t = inA(['try', 'connect', 'localhost:8081']);
  assert.match(t.stdout, new RegExp(`\\nFailed: nothing listens on 127\\.0\\.0\\.1:8081, but node/${pid} listens on \\[::1\\]:8081; localhost resolved only to 127\\.0\\.0\\.1\\n`));
  assert.match(steps(t), /^ {2}- connect to \[::1\]:8081 instead\n/);
  assert.doesNotMatch(advice(t), /tcp-reset|firewall/);

  // Another loopback address than the listener's
  const lo = json(['debug-connections', '--address', '127.0.0.2:8082']);
  assert.equal(lo.addresses[0].diagnosis.summary, `nothing listens on 127.0.0.2:8082, but node/${pid} listens on 127.0.0.1:8082 (all of 127.0.0.0/8 reaches this host, but a listener takes only the address it bound)`);
  const t5 = JSON.parse(inA(['try', 'connect', '127.0.0.5:8082', '--json']).stdout);
  assert.equal(t5.call.errno, 'ECONNREFUSED');
  assert.match(t5.interpretation.summary, new RegExp(`^nothing listens on 127\\.0\\.0\\.5:8082, but node/${pid} listens on 127\\.0\\.0\\.1:8082`));
  assert.equal(t5.interpretation.nextSteps[0], 'connect to 127.0.0.1:8082 instead');

  // An IPv6-only [::] listener refuses IPv4
  const v6 = JSON.parse(inA(['try', 'connect', '127.0.0.1:8084', '--json']).stdout);
  assert.match(v6.interpretation.summary, new RegExp(`node/${pid} listens on \\[::\\]:8084, but for IPv6 only \\(IPV6_V6ONLY=1`));
  // Nothing on the port at all: said, without a firewall to look for
  const none = inA(['try', 'connect', '127.0.0.1:8083']);
  // No ICMP error on the socket's queue (IP_RECVERR): the kernel's reset.
  assert.match(none.stdout, /Failed: 127\.0\.0\.1:8083 answered with a TCP reset \(no ICMP error came back\): nothing listens there, nor on port 8083 at any other address of this host\n/);
  assert.doesNotMatch(advice(none), /tcp-reset|firewall/);
});

test('an on-link address nobody answers ARP for: no ARP reply, not a firewall; a host that answers ARP but drops: SYNs dropped', { timeout: 60_000 }, () => {
  const d = json(['debug-connections', '--address', '10.1.1.4:80', '--timeout', '1s']);
  const a = d.addresses[0];
  assert.equal(a.connect.errno, 'ETIMEDOUT');
  assert.equal(a.diagnosis.category, 'unreachable');
  assert.match(a.diagnosis.summary, new RegExp(`^10\\.1\\.1\\.4:80: no ARP reply from 10\\.1\\.1\\.4 on ${VA} \\(neighbour entry (INCOMPLETE|FAILED)\\): the SYN never left this host`));
  assert.doesNotMatch(a.diagnosis.summary, /firewall/);
  assert.ok(d.verdict.nextSteps[0].startsWith('ip neigh show 10.1.1.4'), d.verdict.nextSteps.join('\n'));
  // Longer than ARP's resolution (3 probes 1 s apart): the kernel itself gives up with EHOSTUNREACH.
  const t = JSON.parse(inA(['try', 'connect', '10.1.1.4:80', '--timeout', '8s', '--json']).stdout);
  assert.equal(t.call.errno, 'EHOSTUNREACH');
  assert.match(t.interpretation.summary, /no ARP reply from 10\.1\.1\.4/);
  assert.ok(t.interpretation.nextSteps.some((s: string) => s.startsWith('ip neigh show 10.1.1.4')));
  assert.ok(!t.interpretation.nextSteps.some((s: string) => /IPv6/.test(s)), t.interpretation.nextSteps.join('\n'));

  const b = json(['debug-connections', '--address', '10.1.1.2:81', '--timeout', '1s']).addresses[0];
  assert.equal(b.connect.errno, 'ETIMEDOUT');
  assert.equal(b.diagnosis.category, 'timeout');
  assert.match(b.diagnosis.summary, new RegExp(`10\\.1\\.1\\.2 answers ARP on ${VA} \\([0-9a-f:]{17}\\), so the SYNs reach the link, but it sends no SYN-ACK`));
});

test('routes that reject (blackhole EINVAL, prohibit EACCES, unreachable EHOSTUNREACH) are named, with no borrowed fix', { timeout: 60_000 }, () => {
  const cases = [
    ['10.50.0.1', 'EINVAL', 'a blackhole route discards traffic to it on this host (blackhole 10.50.0.0/16)'],
    ['10.51.0.1', 'EACCES', 'a prohibit route forbids traffic to it on this host (prohibit 10.51.0.0/16)'],
    ['10.52.0.1', 'EHOSTUNREACH', 'an unreachable route rejects traffic to it on this host (unreachable 10.52.0.0/16)'],
  ];
  for (const [addr, errno, said] of cases) {
    const d = json(['debug-connections', '--address', `${addr}:80`, '--timeout', '1s']);
    const a = d.addresses[0];
    assert.equal(a.connect.errno, errno);
    assert.equal(a.diagnosis.category, 'unreachable');
    assert.equal(a.diagnosis.summary, `${addr}:80: ${said}, so connect() fails with ${errno} at once and nothing is sent`);
    assert.ok(!d.verdict.nextSteps.some((s: string) => /call order|setcap|cap_net_bind_service|firewall/.test(s)), d.verdict.nextSteps.join('\n'));
    assert.ok(d.verdict.nextSteps[0].startsWith(`ip route show match ${addr}`));
    const t = inA(['try', 'connect', `${addr}:80`, '--timeout', '1s']);
    assert.match(t.stdout, new RegExp(`FAIL connect\\(${addr.replace(/\./g, '\\.')}:80\\) -> ${errno}`));
    assert.ok(t.stdout.includes(`Failed: ${addr}:80: ${said}`), t.stdout);
    assert.doesNotMatch(t.stdout, /call order|setcap/);
  }
  const v6 = JSON.parse(inA(['try', 'connect', '[2001:db8:5::1]:80', '--json']).stdout);
  assert.equal(v6.call.errno, 'EINVAL');
  assert.match(v6.interpretation.summary, /a blackhole route discards traffic to it on this host \(blackhole 2001:db8:5::\/48/);
  assert.ok(v6.interpretation.nextSteps[0].startsWith('ip -6 route show match 2001:db8:5::1'));
});

test('broadcast and multicast destinations: TCP connects to one host, said so', { timeout: 60_000 }, () => {
  const d = json(['debug-connections', '--address', '10.1.1.255:80', '--timeout', '1s']);
  const a = d.addresses[0];
  assert.equal(a.route.type, 'broadcast');
  assert.equal(a.route.description, `broadcast address of the network on ${VA} (not one host)`);
  assert.equal(a.connect.errno, 'ENETUNREACH');
  assert.match(a.diagnosis.summary, /^10\.1\.1\.255:80: 10\.1\.1\.255 is a broadcast address: TCP connects to one host only/);
  assert.doesNotMatch(inA(['debug-connections', '--address', '10.1.1.255:80', '--timeout', '1s']).stdout, /directly connected|no route to that network/);
  const m = inA(['try', 'connect', '224.0.0.1:80']);
  assert.match(m.stdout, /FAIL connect\(224\.0\.0\.1:80\) -> ENETUNREACH/);
  assert.match(m.stdout, /Failed: 224\.0\.0\.1:80: 224\.0\.0\.1 is a multicast address: TCP connects to one host only/);
});

test('EADDRNOTAVAIL with TIME_WAIT sockets to the destination and tcp_tw_reuse=0: the sysctl, with the count', { timeout: 60_000 }, async () => {
  const ns = `ssx-tw-${process.pid}`;
  ip('netns', 'add', ns);
  let holder: ChildProcess | undefined;
  try {
    ip('-n', ns, 'link', 'set', 'lo', 'up');
    assert.equal(spawnSync('ip', ['netns', 'exec', ns, 'sysctl', '-qw', 'net.ipv4.ip_local_port_range=40000 40003', 'net.ipv4.tcp_tw_reuse=0']).status, 0);
    // Four connections the client closes first: four TIME_WAIT sockets to 127.0.0.1:5000, every ephemeral port.
    const script = `const net=require('net');const srv=net.createServer((c)=>{c.on('error',()=>{});c.resume()});
srv.listen(5000,'127.0.0.1',async()=>{for(let i=0;i<4;i++){await new Promise((res)=>{const c=net.connect(5000,'127.0.0.1',()=>c.end());c.resume();c.on('close',res);c.on('error',res)})}
setTimeout(()=>process.stdout.write('ready\\n'),200)});setTimeout(()=>process.exit(0),60000);`;
    holder = spawn('ip', ['netns', 'exec', ns, process.execPath, '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((res) => holder!.stdout!.once('data', () => res()));
    const j = JSON.parse(sockscope(['debug-connections', '--address', '127.0.0.1:5000', '--timeout', '1s', '--json'], { netns: ns }).stdout);
    const a = j.addresses[0];
    assert.equal(a.connect.errno, 'EADDRNOTAVAIL');
    assert.equal(a.existing.timeWait, 4);
    assert.ok(j.verdict.nextSteps.includes('sysctl -w net.ipv4.tcp_tw_reuse=1   (4 TIME_WAIT sockets to 127.0.0.1:5000; now 0: never reused)'), j.verdict.nextSteps.join('\n'));
    // Each step once: the verdict's TIME_WAIT finding adds no second "reuse connections ...; consider tcp_tw_reuse=1".
    const steps: string[] = j.verdict.nextSteps;
    assert.equal(new Set(steps).size, steps.length, steps.join('\n'));
    assert.equal(steps.filter((s) => /^reuse connections/.test(s)).length, 1, steps.join('\n'));
    assert.equal(steps.filter((s) => /tcp_tw_reuse/.test(s)).length, 1, steps.join('\n'));
  } finally {
    holder?.kill('SIGKILL');
    spawnSync('ip', ['netns', 'delete', ns]);
  }
});

test('a server that accepts, then resets: "accepted, then reset" with its process, never keepalive advice', { timeout: 60_000 }, async (t) => {
  // The server runs in this process, so the commands run asynchronously (a blocked loop would not accept).
  const listen = async (s: Server) => {
    await new Promise<void>((res) => s.listen(0, '127.0.0.1', res));
    t.after(() => s.close());
    return (s.address() as { port: number }).port;
  };
  const me = `node/${process.pid}`;
  // At once: the reset races the end of connect() on loopback; both outcomes are reported as a reset by the server.
  const now = await listen(createServer((c) => c.resetAndDestroy()));
  for (let i = 0; i < 3; i++) {
    const r = await sockscopeAsync(['debug-connections', '--address', `127.0.0.1:${now}`, '--send', 'GET\\n', '--json']);
    const j = JSON.parse(r.stdout);
    const a = j.addresses[0];
    if (!a.connect.ok) {
      assert.equal(a.connect.errno, 'ECONNRESET');
      assert.equal(a.diagnosis.category, 'reset');
      assert.match(a.diagnosis.summary, new RegExp(`^127\\.0\\.0\\.1:${now} accepted the connection, then reset it \\(${me}\\)`));
      assert.match(j.verdict.summary, /accepts connections, then resets them/);
    } else assert.match(j.verdict.summary, new RegExp(`127\\.0\\.0\\.1 reset the connection (before the request could be sent|after the request was sent) \\(${me}\\)`));
    assert.doesNotMatch(j.verdict.summary, /is not reachable/);
    assert.ok(!j.verdict.nextSteps.some((s: string) => /keepalive/i.test(s)), j.verdict.nextSteps.join('\n'));
    const text = await sockscopeAsync(['debug-connections', '--address', `127.0.0.1:${now}`, '--send', 'GET\\n']);
    if (/write ECONNRESET/.test(text.stdout)) assert.doesNotMatch(text.stdout, /sent: +"GET\\n"/);
  }
  // After the request: connect() succeeded, the reset comes while the reply is awaited.
  const later = await listen(createServer((c) => setTimeout(() => c.resetAndDestroy(), 300)));
  const j = JSON.parse((await sockscopeAsync(['debug-connections', '--address', `127.0.0.1:${later}`, '--send', 'GET\\n', '--timeout', '2s', '--json'])).stdout);
  assert.equal(j.addresses[0].connect.ok, true);
  assert.equal(j.verdict.ok, false);
  assert.equal(j.verdict.summary, `127.0.0.1:${later} accepts TCP connections, but 127.0.0.1 reset the connection after the request was sent (${me}): it closed the connection with the request still unread (it did not read it, or closed after an error: the kernel then resets instead of sending a FIN), an abortive close (SO_LINGER {1, 0}) or a crash (ECONNRESET: read ECONNRESET)`);
});

test('a listener that never accepts: the handshake is the kernel\'s, the owner is named, the earlier probe is not counted', { timeout: 60_000 }, async (t) => {
  const sc = await openScenario({ acceptBacklog: 4, acceptClients: 0, noIpv6: true });
  t.after(() => sc.close());
  const q = sc.acceptQueue;
  const first = JSON.parse((await sockscopeAsync(['debug-connections', '--address', `127.0.0.1:${q.port}`, '--timeout', '1s', '--json'])).stdout);
  assert.equal(first.addresses[0].connect.ok, true);
  assert.deepEqual(first.addresses[0].notAccepted, { listener: `127.0.0.1:${q.port}`, pending: 1, backlog: 4, by: `sleep/${q.pid}`, pid: q.pid });
  assert.equal(first.verdict.ok, false);
  assert.equal(first.verdict.summary, `127.0.0.1:${q.port}: the kernel completed the TCP handshake, but sleep/${q.pid} has not accepted the connection (still queued half a second later): the listener 127.0.0.1:${q.port} has 1 waiting for accept() (Recv-Q 1, backlog 4)`);
  assert.ok(first.verdict.nextSteps[0].startsWith(`sleep/${q.pid} is not calling accept() on 127.0.0.1:${q.port}`));
  // The first probe's socket is closed on this side and waits for a FIN the server never sends: not an existing connection.
  const text = await sockscopeAsync(['debug-connections', '--address', `127.0.0.1:${q.port}`, '--timeout', '1s']);
  assert.match(text.stdout, /\n {2}accepted: no: it waits in the accept queue of 127\.0\.0\.1:\d+ \(sleep\/\d+\): Recv-Q 2, backlog 4\n/);
  assert.match(text.stdout, /\n {2}existing: no other open sockets from this host to it; 1 closed by their program still holds its local port: FIN_WAIT2 1; their other ends, on this host at 127\.0\.0\.1:\d+: 1 never accepted, still in the accept queue of the listener that took them \(an earlier probe to a server that does not accept leaves one\);/);
  assert.doesNotMatch(text.stdout, /accepts (TCP )?connections/);
});
