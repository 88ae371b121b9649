// A near miss of a Winsock name is suggested once (Winsock-only names were listed twice: once as errors, once as
// Winsock codes), and the misspelt alias MinGW's winerror.h itself defines (#define WSA_QOS_EUNKOWNPSOBJ
// WSA_QOS_EUNKNOWNPSOBJ) finds its code, as EWOULDBLOCK finds EAGAIN. The CLI case runs the built bin/sockscope.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { explainErrno, UnknownErrnoError } from '../../src/knowledge/errno.js';
import { WSA_ERRORS } from '../../src/knowledge/generated/errno-tables.js';

const suggestions = (q: string): string[] => {
  try {
    explainErrno(q);
  } catch (e) {
    assert.ok(e instanceof UnknownErrnoError, String(e));
    const m = /did you mean (.*)\?$/.exec(e.message);
    return m ? m[1].split(', ') : [];
  }
  assert.fail(`${q} was found`);
};

test('a near miss of a Winsock-only name is suggested once', () => {
  assert.deepEqual(suggestions('WSA_IO_PENDIN'), ['WSA_IO_PENDING']);
  const qos = suggestions('WSA_QOS_EUNKNOWNPSOB');
  assert.equal(new Set(qos).size, qos.length, qos.join(', '));
  assert.ok(qos.includes('WSA_QOS_EUNKNOWNPSOBJ'), qos.join(', '));
  // A name with a POSIX twin was never doubled; it still comes once.
  assert.ok(suggestions('WSAECONNRESTE').filter((n) => n === 'WSAECONNRESET').length <= 1);
});

test("winerror.h's misspelt WSA_QOS_EUNKOWNPSOBJ finds WSA_QOS_EUNKNOWNPSOBJ, which lists it as an alias", () => {
  const header = '/usr/share/mingw-w64/include/winerror.h';
  assert.match(readFileSync(header, 'utf8'), /#define WSA_QOS_EUNKOWNPSOBJ WSA_QOS_EUNKNOWNPSOBJ/, `${header} defines the alias`);
  const w = WSA_ERRORS.find((x) => x.name === 'WSA_QOS_EUNKNOWNPSOBJ')!;
  assert.deepEqual(w.aliases, ['WSA_QOS_EUNKOWNPSOBJ']);
  assert.ok(!WSA_ERRORS.some((x) => x.name === 'WSA_QOS_EUNKOWNPSOBJ'), 'the alias is no code of its own');
  for (const q of ['WSA_QOS_EUNKOWNPSOBJ', 'wsa_qos_eunkownpsobj']) {
    const r = explainErrno(q);
    assert.equal(r.matchedBy, 'name');
    assert.equal(r.matches[0].name, 'WSA_QOS_EUNKNOWNPSOBJ');
    assert.deepEqual(r.matches[0].aliases, ['WSA_QOS_EUNKOWNPSOBJ']);
    assert.equal(r.matches[0].windows?.number, 11024);
  }
  assert.equal(explainErrno('WSA_QOS_EUNKOWNPSOBJ', { platform: 'windows' }).onPlatform?.number, 11024);
  // A Winsock code without an alias still has an empty list.
  assert.deepEqual(explainErrno('WSA_IO_PENDING').matches[0].aliases, []);
});

test('sockscope errno: one suggestion for WSA_IO_PENDIN, and the misspelt alias found like EWOULDBLOCK', () => {
  const run = (...args: string[]) => spawnSync('bin/sockscope', args, { encoding: 'utf8', timeout: 20_000, env: { ...process.env, NO_COLOR: '1' } });
  const miss = run('errno', 'WSA_IO_PENDIN');
  assert.equal(miss.status, 2, miss.stderr);
  assert.match(miss.stderr, /did you mean WSA_IO_PENDING\?/);
  const alias = run('errno', 'WSA_QOS_EUNKOWNPSOBJ');
  assert.equal(alias.status, 0, alias.stderr);
  assert.match(alias.stdout, /^WSA_QOS_EUNKNOWNPSOBJ: Unrecognized QoS object {2}\(also WSA_QOS_EUNKOWNPSOBJ\)/);
  assert.match(alias.stdout, /Windows WSA_QOS_EUNKNOWNPSOBJ 11024/);
  const ew = run('errno', 'EWOULDBLOCK');
  assert.match(ew.stdout, /^EAGAIN: .* {2}\(also EWOULDBLOCK\)/);
});
