// --host as a non-root ssh user: another user's unix socket read `?` in the tables with `"ownerHidden": false`
// in --json and no note (model/owner.ts unixOwnerUidUnknown left out every remote socket), where the README
// says a socket of a process that user cannot see reads hidden, and where the local ss and procfs sources say
// "owners of N unix sockets not found (shown as ?): hidden from this user ...". The remote ss -x gives no uid
// (no `hidden uid N` can be said): the row stays `?`, --json says `"ownerHidden": true` with
// `"hiddenOwnerUids": []` (its listener `"ownerHidden": true` without `uid`), and a note names the host and
// the ssh user. As root there nothing is hidden. Real sshd on loopback with a test user of its own (uid 4284)
// and root; the unix listener is this test's (root's).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runCli } from '../helpers/run-cli.js';
import { startSshdWithUnixListener } from '../helpers/sshd-users.js';

const USER = 'sst-uxh';
const UID = 4284;
const HOST = `${USER}@sockscope-test`;
const ROOT = 'root@sockscope-test2';
const NOTE = new RegExp(
  `^owners of \\d+ unix sockets? on ${HOST} not found \\(shown as \\?\\): hidden from the ssh user ${USER} \\(uid ${UID}\\), and ss -x shows no uid, so whose they are is unknown; log in there as root, or use sudo, to see them$`,
);

interface UnixEntry {
  host?: string;
  path: string;
  processes: unknown[];
  ownerHidden: boolean;
  hiddenOwnerUids: number[];
  listeners: Array<{ ownerHidden: boolean; uid?: number; processes: unknown[] }>;
}

test('--host as a non-root user: another user\'s unix socket is hidden (?), --json ownerHidden true, with a note (real sshd)', { timeout: 180_000 }, async (t) => {
  const { sshd, path } = await startSshdWithUnixListener(t, [{ name: USER, uid: UID, shell: '/bin/sh' }], 'ssux', 'h.sock');
  const cfg = ['--ssh-config', sshd.clientConfig];

  await t.test('the plain table: the row reads ?, and a note says why', async () => {
    const r = await runCli(['--unix', '--host', HOST, ...cfg]);
    assert.equal(r.status, 0, r.stderr);
    const row = r.stdout.split('\n').find((l) => l.includes(` ${path} `));
    assert.match(row ?? '', new RegExp(`- unix\\s+${path} \\?\\s`), r.stdout.slice(0, 3000));
    const notes = r.stdout.split('\n').filter((l) => l.startsWith('note: ')).map((l) => l.slice('note: '.length));
    assert.ok(notes.some((n) => NOTE.test(n)), notes.join('\n'));
  });

  await t.test('--json: ownerHidden true, no uid known, and the note', async () => {
    const r = await runCli(['--unix', '--host', HOST, ...cfg, '--json']);
    assert.equal(r.status, 0, r.stderr);
    const doc = JSON.parse(r.stdout) as { unix: UnixEntry[]; notes: string[] };
    const e = doc.unix.find((u) => u.path === path)!;
    assert.deepEqual([e.processes, e.ownerHidden, e.hiddenOwnerUids], [[], true, []], JSON.stringify(e));
    assert.deepEqual(e.listeners.map((l) => [l.processes, l.ownerHidden, l.uid]), [[[], true, undefined]]);
    assert.ok(doc.notes.some((n) => NOTE.test(n)), JSON.stringify(doc.notes));
  });

  await t.test('as root there: the owner is named, nothing hidden, no such note; with both hosts each host\'s user decides', async () => {
    const root = await runCli(['--unix', '--host', ROOT, ...cfg, '--json']);
    assert.equal(root.status, 0, root.stderr);
    const doc = JSON.parse(root.stdout) as { unix: UnixEntry[]; notes: string[] };
    const e = doc.unix.find((u) => u.path === path)!;
    assert.deepEqual([e.processes.length, e.ownerHidden], [1, false], JSON.stringify(e));
    assert.ok(!doc.notes.some((n) => /unix sockets? on .* not found/.test(n)), JSON.stringify(doc.notes));

    const both = await runCli(['--unix', '--host', HOST, '--host', ROOT, ...cfg, '--json']);
    assert.equal(both.status, 0, both.stderr);
    const two = JSON.parse(both.stdout) as { unix: UnixEntry[]; notes: string[] };
    assert.deepEqual(
      two.unix.filter((u) => u.path === path).map((u) => [u.host, u.processes.length, u.ownerHidden, u.listeners[0].ownerHidden]),
      [
        [HOST, 0, true, true],
        [ROOT, 1, false, false],
      ],
    );
    const notes = two.notes.filter((n) => /unix sockets? on .* not found/.test(n));
    assert.equal(notes.length, 1, notes.join('\n'));
    assert.ok(notes[0].startsWith(`${HOST}: `) && NOTE.test(notes[0].slice(HOST.length + 2)), notes[0]);
  });
});
