// IPV6_V6ONLY on a [::] listener and the IPv4 listeners beside it (review s23 dB #2, #4, #5), with real sockets held
// by python3 in a network namespace of its own (its loopback holds 10.99.0.1 too), inspected from this test's
// namespace (root, as the CI runs):
// - the IPv4 listeners were looked up in sockscope's namespace, not the socket's: "no IPv4 listener on port P: IPv4
//   clients are refused" while the target's namespace held 127.0.0.1:P and 10.99.0.1:P;
// - a v4-mapped listener ([::ffff:0.0.0.0]:P, an AF_INET6 socket without IPV6_V6ONLY) serves IPv4 but was ignored;
// - an SO_REUSEPORT group was named once per member ("only on 127.0.0.1:P, 127.0.0.1:P"); --json keeps one per socket.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { holderLine, labelledFds } from '../helpers/holder-line.js';
import { formatInspect, inspectJson, runInspect } from '../../src/cli/commands/inspect-options-run.js';

const HOLDER = `
import socket as S, os, time
keep = []
def v4(addr, port, reuse=False):
    s = S.socket()
    if reuse: s.setsockopt(S.SOL_SOCKET, S.SO_REUSEPORT, 1)
    s.bind((addr, port)); s.listen(4); keep.append(s); return s
def v6(addr, port, only):
    s = S.socket(S.AF_INET6)
    s.setsockopt(S.IPPROTO_IPV6, S.IPV6_V6ONLY, 1 if only else 0)
    s.bind((addr, port)); s.listen(4); keep.append(s); return s
v4('127.0.0.1', 5006); v4('10.99.0.1', 5006); several = v6('::', 5006, True)
v6('::ffff:0.0.0.0', 5004, False); mapped = v6('::', 5004, True)
v4('127.0.0.1', 5001, True); v4('127.0.0.1', 5001, True); reuse = v6('::', 5001, True)
print(os.getpid(), f'several={several.fileno()}', f'mapped={mapped.fileno()}', f'reuse={reuse.fileno()}', flush=True)
time.sleep(60)`;

const SETUP = 'ip link set lo up && ip addr add 10.99.0.1/24 dev lo';

async function holder(t: { after: (fn: () => void) => void }) {
  assert.equal(process.getuid?.(), 0, 'a network namespace needs root (as the CI runs)');
  const h = labelledFds(await holderLine(t, ['unshare', '-n', 'sh', '-c', `${SETUP} && exec python3 -c "$0"`, HOLDER]));
  return async (name: string, source: string) => {
    const r = await runInspect({ pid: h.pid, 'socket-fd': h.fd[name]!, options: 'IPV6_V6ONLY', source });
    return { text: formatInspect(r), json: inspectJson(r) };
  };
}
const SOURCES = ['netlink', 'procfs'];

test("IPV6_V6ONLY on [::] in another namespace: that namespace's IPv4 listeners, not sockscope's (dB #2)", { timeout: 30_000 }, async (t) => {
  const read = await holder(t);
  for (const source of SOURCES) {
    const several = await read('several', source);
    assert.match(several.text, /IPv4 clients are served by another socket only on (127\.0\.0\.1:5006, 10\.99\.0\.1:5006|10\.99\.0\.1:5006, 127\.0\.0\.1:5006)/, several.text);
    assert.doesNotMatch(several.text, /no IPv4 listener on port 5006/);
    assert.deepEqual([...(several.json.ipv4Listeners ?? [])].sort(), ['10.99.0.1:5006', '127.0.0.1:5006']);
  }
});

test('IPV6_V6ONLY on [::] beside a v4-mapped [::ffff:0.0.0.0]:P listener: IPv4 clients are served (dB #4)', { timeout: 30_000 }, async (t) => {
  const read = await holder(t);
  for (const source of SOURCES) {
    const mapped = await read('mapped', source);
    assert.match(mapped.text, /IPv6 only; IPv4 clients are served by another socket: \[::ffff:0\.0\.0\.0\]:5004\n/, mapped.text);
    assert.doesNotMatch(mapped.text, /! IPV6_V6ONLY/);
    assert.deepEqual(mapped.json.unusual.filter((u) => /V6ONLY/.test(u)), []);
  }
});

test('IPV6_V6ONLY on [::] beside an SO_REUSEPORT pair on 127.0.0.1:P: named once, --json one per socket (dB #5)', { timeout: 30_000 }, async (t) => {
  const read = await holder(t);
  for (const source of SOURCES) {
    const reuse = await read('reuse', source);
    assert.match(reuse.text, /IPv4 clients are served by another socket only on 127\.0\.0\.1:5001\n/, reuse.text);
    assert.match(reuse.text, /IPv4 listeners on port 5001 are bound to 127\.0\.0\.1 only \(no 0\.0\.0\.0:5001\)/);
    assert.deepEqual(reuse.json.ipv4Listeners, ['127.0.0.1:5001', '127.0.0.1:5001']);
  }
});
