// interpretTry with what try-call-context gathers now: the connect facts debug-connections reads (the connect
// branch used to be overridden in try-run.ts, so the library's interpretTry said less than the command), the
// /proc walk's own note on processes it could not search, and a sendto wait that is --timeout, not at most 1 s.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { interpretTry, type TryContext } from '../../src/knowledge/interpret-try.js';
import { parseIpRouteGet } from '../../src/parse/ip-route.js';

const base: TryContext = { op: 'bind', target: '0.0.0.0:8080', port: 8080, ok: false, errno: 'EADDRINUSE', uid: 1000, holders: [] };

test('connect: the facts in the context (route, listeners at other addresses) make the diagnosis', () => {
  const route = parseIpRouteGet('local 127.0.0.1 dev lo table local src 127.0.0.1 uid 0\n    cache <local>\n');
  const c: TryContext = {
    ...base,
    op: 'connect',
    target: '127.0.0.1:8081',
    port: 8081,
    errno: 'ECONNREFUSED',
    timeoutMs: 3000,
    connectFacts: { route, listeners: [{ address: '::1', port: 8081, pending: 0, backlog: 5, owners: [{ pid: 7, name: 'python3' }] }] },
  };
  const i = interpretTry(c);
  assert.equal(i.summary, 'nothing listens on 127.0.0.1:8081, but python3/7 listens on [::1]:8081');
  assert.equal(i.nextSteps[0], 'connect to [::1]:8081 instead');
  // without the facts: the generic reading
  assert.doesNotMatch(interpretTry({ ...c, connectFacts: undefined }).summary, /python3/);
});

test('no visible socket on a busy port: the walk\'s note says whose processes could not be searched', () => {
  const own = 'a process of yours is not dumpable (prctl PR_SET_DUMPABLE or setuid): only root can read its fds';
  const r = interpretTry({ ...base, hiddenProcesses: 0, hiddenNote: own });
  assert.equal(r.summary, `port 8080 is in use, but no socket on it is visible (${own})`);
  assert.doesNotMatch(r.summary, /other users/);
  const others = interpretTry({ ...base, hiddenProcesses: 3, hiddenNote: '3 processes of other users are hidden: run as root to see them' });
  assert.equal(others.summary, 'port 8080 is in use, but no socket on it is visible (3 processes of other users are hidden: run as root to see them)');
});

test('sendto: the wait said is --timeout', () => {
  const r = interpretTry({ ...base, op: 'sendto', target: '10.0.0.9:9', port: 9, ok: true, errno: undefined, sent: 21, timeoutMs: 4000 });
  assert.match(r.summary, /no ICMP error came back within 4000 ms$/);
});
