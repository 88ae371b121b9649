// interpretTry on fixed contexts: IPv6 non-local bind, dual-stack conflicts, UDP holder states, SO_REUSEPORT sharing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { holderState, interpretTry, type TryContext } from '../../src/knowledge/interpret-try.js';

const base: TryContext = { op: 'bind', target: '0.0.0.0:8080', port: 8080, ok: false, errno: 'EADDRINUSE', uid: 0, holders: [] };

test('EADDRNOTAVAIL: an IPv6 address gets net.ipv6.ip_nonlocal_bind, an IPv4 (or v4-mapped) one net.ipv4.ip_nonlocal_bind', () => {
  const v6 = interpretTry({ ...base, target: '[2001:db8::1]:8080', errno: 'EADDRNOTAVAIL', hostAddresses: ['::1'] });
  assert.match(v6.summary, /^\[2001:db8::1\] is not an address of this host/);
  const steps6 = v6.nextSteps.join('\n');
  assert.match(steps6, /sysctl net\.ipv6\.ip_nonlocal_bind=1 \(IPv6 has its own switch; net\.ipv4\.ip_nonlocal_bind does not apply\)/);
  assert.doesNotMatch(steps6, /net\.ipv4\.ip_nonlocal_bind=1/);
  assert.match(steps6, /^bind :: \(every IPv6 address\)/);
  for (const target of ['10.1.2.3:8080', '[::ffff:10.1.2.3]:8080']) {
    const steps = interpretTry({ ...base, target, errno: 'EADDRNOTAVAIL' }).nextSteps.join('\n');
    assert.match(steps, /or sysctl net\.ipv4\.ip_nonlocal_bind=1$/, target);
    assert.doesNotMatch(steps, /ipv6/, target);
  }
});

test('EADDRINUSE on [::] against an IPv4 listener: IPV6_V6ONLY off is why, --v6only gets through', () => {
  const r = interpretTry({ ...base, target: '[::]:8080', holders: [{ state: 'LISTEN', local: '0.0.0.0:8080', processes: [{ pid: 7, name: 'nginx' }] }] });
  assert.equal(r.summary, 'port 8080 is held by pid 7 (nginx), LISTEN on 0.0.0.0:8080');
  assert.ok(r.details.includes('[::]:8080 with IPV6_V6ONLY off (the default: net.ipv6.bindv6only=0) also takes IPv4 port 8080, and 0.0.0.0:8080 already holds it; with IPV6_V6ONLY on the socket takes IPv6 only and does not conflict with it'), r.details.join('\n'));
  assert.equal(r.nextSteps[0], "sockscope try bind '[::]:8080' --v6only   (IPv6 only, beside the IPv4 socket)");
  const udp = interpretTry({ ...base, target: '[::]:53', port: 53, udp: true, holders: [{ state: 'CLOSE', local: '127.0.0.1:53', processes: [{ pid: 8, name: 'dnsmasq' }] }] });
  assert.equal(udp.nextSteps[0], "sockscope try bind '[::]:53' --udp --v6only   (IPv6 only, beside the IPv4 socket)");
  // the other way round: an IPv4 bind against a dual-stack [::] listener
  const v4 = interpretTry({ ...base, holders: [{ state: 'LISTEN', local: '[::]:8080', processes: [{ pid: 9, name: 'java' }] }] });
  assert.ok(v4.details.some((d) => d.startsWith('the socket on [::]:8080 has IPV6_V6ONLY off (the default: net.ipv6.bindv6only=0), so it holds IPv4 port 8080 too')), v4.details.join('\n'));
  // an IPv6 listener in the way of [::] is no dual-stack matter
  const six = interpretTry({ ...base, target: '[::]:8080', holders: [{ state: 'LISTEN', local: '[::]:8080', processes: [{ pid: 9, name: 'java' }] }] });
  assert.ok(!six.details.some((d) => /IPV6_V6ONLY/.test(d)) && !six.nextSteps.some((s) => /--v6only/.test(s)));
});

test('UDP holders are named as ss names them (UNCONN, not the kernel\'s CLOSE)', () => {
  assert.equal(holderState({ state: 'CLOSE', local: '0.0.0.0:53', processes: [] }, true), 'UNCONN');
  assert.equal(holderState({ state: 'ESTABLISHED', local: '10.0.0.1:53', processes: [] }, true), 'ESTAB');
  assert.equal(holderState({ state: 'CLOSE', local: '0.0.0.0:80', processes: [] }, false), 'CLOSE');
  const r = interpretTry({
    ...base, target: '0.0.0.0:53', port: 53, udp: true,
    holders: [
      { state: 'CLOSE', local: '127.0.0.1:53', processes: [{ pid: 1, name: 'a' }] },
      { state: 'CLOSE', local: '127.0.0.53:53', processes: [{ pid: 2, name: 'b' }] },
    ],
  });
  assert.match(r.summary, /^UDP port 53 is held by pid 1 \(a\), bound on 127\.0\.0\.1:53$/);
  assert.ok(r.details.includes('also UNCONN on 127.0.0.53:53: pid 2 (b)'), r.details.join('\n'));
});

test('a successful SO_REUSEPORT listen says whom it shared the port with', () => {
  const ok: TryContext = { ...base, op: 'listen', ok: true, errno: undefined, reuseport: true, backlogRequested: 511, backlogEffective: 511, somaxconn: 4096 };
  const named = interpretTry({ ...ok, holders: [{ state: 'LISTEN', local: '0.0.0.0:8080', processes: [{ pid: 42, name: 'worker' }] }] });
  assert.match(named.summary, /succeeded; the socket was closed at once; with SO_REUSEPORT it shared port 8080 with pid 42 \(worker\)$/);
  const unnamed = interpretTry({ ...ok, holders: [{ state: 'LISTEN', local: '0.0.0.0:8080', processes: [] }] });
  assert.match(unnamed.summary, /with SO_REUSEPORT it shared port 8080 with the listener on 0\.0\.0\.0:8080$/);
  assert.doesNotMatch(interpretTry({ ...ok, reuseport: false, holders: [] }).summary, /SO_REUSEPORT/);
});

test('relevantHolders: a zone counts only on an address that needs a scope (link-local, interface- and link-local multicast)', async () => {
  const { relevantHolders } = await import('../../src/knowledge/interpret-try.js');
  const btd = { state: 'LISTEN', local: '[::]:80', processes: [], device: 'eth0', scopeId: 2 };
  const ll = { state: 'LISTEN', local: '[fe80::5%eth1]:80', processes: [], device: 'eth1', scopeId: 3 };
  // the kernel ignores the zone of ::, ::1, 2001:db8::1 and of site-scope multicast: they conflict on any interface
  for (const t of ['[::%lo]:80', '[::1%eth1]:80', '[::%3]:80', '[ff05::1%eth1]:80']) assert.deepEqual(relevantHolders([btd], t), [btd], t);
  // fe80::/10 and ff01::/16, ff02::/16 (any flags: ff12::) use it: another interface is another address
  for (const t of ['[fe80::5%eth1]:80', '[febf::1%3]:80', '[ff02::1%eth1]:80', '[ff12::1%eth1]:80', '[ff01::1%3]:80']) assert.deepEqual(relevantHolders([btd], t), [], t);
  assert.deepEqual(relevantHolders([btd, ll], '[fe80::5%eth1]:80'), [ll]);
  assert.deepEqual(relevantHolders([btd, ll], '[fe80::5%eth0]:80'), [btd]);
});

test('EADDRINUSE by connections that are not listening: an orphan is held by no process, a held one is still to be closed', () => {
  const orphan = { state: 'FIN_WAIT1', local: '127.0.0.1:80', peer: '127.0.0.1:5000', processes: [], uid: 0, inode: 0 };
  const held = { state: 'CLOSE_WAIT', local: '127.0.0.1:80', peer: '127.0.0.1:5001', processes: [{ pid: 9, name: 'app' }], uid: 0, inode: 1234 };
  const only = interpretTry({ ...base, target: '127.0.0.1:80', port: 80, holders: [orphan] });
  assert.match(only.summary, /e\.g\. 127\.0\.0\.1:80 -> 127\.0\.0\.1:5000 held by no process: an orphan/);
  assert.ok(!only.nextSteps.some((s) => s.includes('close those connections')), only.nextSteps.join('\n'));
  assert.ok(only.nextSteps.some((s) => s.startsWith('wait: an orphan goes away on its own') && s.includes("ss -K -t 'sport = :80'")), only.nextSteps.join('\n'));
  assert.ok(only.details.includes('it is an orphan: closed by its program, held by no process, kept by the kernel until the connection ends'), only.details.join('\n'));
  // A live connection on another address of the port (no conflict with 127.0.0.1): ss -K 'sport = :80' would end it
  // too, so the step names the orphan's four-tuple.
  const other = { state: 'ESTABLISHED', local: '127.0.0.2:80', peer: '127.0.0.1:5002', processes: [{ pid: 77, name: 'db' }], uid: 0, inode: 99 };
  const beside = interpretTry({ ...base, target: '127.0.0.1:80', port: 80, holders: [orphan, other] });
  const step = beside.nextSteps.find((s) => s.startsWith('wait: an orphan')) ?? '';
  assert.ok(!step.includes("'sport = :80'"), step);
  assert.ok(step.includes("ss -K -t 'src 127.0.0.1 and sport = :80 and dst 127.0.0.1 and dport = :5000'"), step);
  // A link-local orphan: ss cannot parse a zone in an address, so the zone is a dev condition (ss accepts "dev = NAME").
  const ll = { ...orphan, local: '[fe80::1%eth0]:80', peer: '[fe80::2]:5000' };
  const llStep = interpretTry({ ...base, target: '[fe80::1%eth0]:80', port: 80, holders: [ll, { ...other, local: '[fe80::1%eth1]:80' }] }).nextSteps.find((s) => s.startsWith('wait: an orphan')) ?? '';
  assert.ok(llStep.includes("ss -K -t 'src [fe80::1] and dev = eth0 and sport = :80 and dst [fe80::2] and dport = :5000'"), llStep);
  // A zone that is no plain interface name (the system's text) is not put into a shell command.
  const odd = interpretTry({ ...base, target: "[fe80::1%e';x]:80", port: 80, holders: [{ ...ll, local: "[fe80::1%e';x]:80" }, { ...other, local: '[fe80::1%eth1]:80' }] });
  assert.ok(!odd.nextSteps.some((s) => s.includes('ss -K')), odd.nextSteps.join('\n'));
  const two = interpretTry({ ...base, target: '127.0.0.1:80', port: 80, holders: [orphan, { ...orphan, peer: '127.0.0.1:5003' }] });
  assert.ok(two.details.includes('all 2 of them are orphans: closed by their program, held by no process, kept by the kernel until the connection ends'), two.details.join('\n'));
  const mixed = interpretTry({ ...base, target: '127.0.0.1:80', port: 80, holders: [orphan, held] });
  assert.match(mixed.summary, /e\.g\. 127\.0\.0\.1:80 -> 127\.0\.0\.1:5001 held by pid 9 \(app\)$/);
  assert.ok(mixed.nextSteps.some((s) => s.startsWith('close those connections')), mixed.nextSteps.join('\n'));
  assert.ok(mixed.nextSteps.some((s) => s.startsWith('wait: an orphan') && !s.includes('ss -K')), mixed.nextSteps.join('\n'));
  assert.ok(mixed.details.includes('1 of them is an orphan: closed by their program, held by no process, kept by the kernel until the connection ends'), mixed.details.join('\n'));
  // a connection still in an accept queue is no orphan, and a uid in sight is not "not visible"
  const queued = interpretTry({ ...base, target: '127.0.0.1:80', port: 80, holders: [{ ...orphan, state: 'ESTABLISHED' }] });
  assert.match(queued.summary, /held by no process yet: a connection still in an accept queue$/);
});

test('icmpSender: the sender of an error on a v4 connection from an IPv6 socket (::ffff:a.b.c.d) is the IPv4 address', async () => {
  const { icmpSender } = await import('../../src/knowledge/icmp-report.js');
  assert.equal(icmpSender({ version: 6, type: 1, code: 4, from: '::ffff:10.0.0.1' }, '10.0.0.1'), 'destination');
  assert.equal(icmpSender({ version: 4, type: 3, code: 3, from: '10.0.0.1' }, '[::ffff:10.0.0.1]'), 'destination');
  assert.equal(icmpSender({ version: 4, type: 3, code: 3, from: '::ffff:127.0.0.1' }, '10.0.0.9', ['127.0.0.1']), 'this host');
  assert.equal(icmpSender({ version: 6, type: 1, code: 4, from: 'fd78::2' }, '[FD78:0:0:0::2]'), 'destination');
  assert.equal(icmpSender({ version: 6, type: 1, code: 4, from: 'fd77::fe' }, 'fd78::2'), 'path');
});
