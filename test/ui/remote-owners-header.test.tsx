// The monitor header's note on process owners over --host (user review s26 #2, #3). With several hosts it
// joined every host's attribution note, a root host's too, whose attribution is complete ("processes on lo
// are those its ss -p shows to root; processes on rbu@... are those its ss -p shows to the ssh user"), and
// at 80 columns the restricted host's part was cut; with one non-root host the note had no short wording and
// was cut at 80 columns, where README says the header drops parts so that the note is read in full. Now a
// root host has no note, only the hosts whose attribution is incomplete contribute, and a remote note has a
// short wording ("own processes only (ssh as root)"; with several hosts "sstu@web2: own processes only").
// Real sshd on loopback with a test user of its own (uid 4293) and root, under ssh aliases web1 and web2 and
// a long one; the Header rendered at 80 columns (ink-testing-library).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { render } from 'ink-testing-library';
import { Header } from '../../src/ui/components/Header.js';
import { identityLine } from '../../src/ui/header-lines.js';
import { createTheme } from '../../src/ui/theme.js';
import { MultiHostSource } from '../../src/collect/multi-host.js';
import { RemoteSource } from '../../src/collect/remote.js';
import { parseRemoteTarget } from '../../src/collect/remote-target.js';
import type { Snapshot } from '../../src/model/snapshot.js';
import { startSshdWithUsers } from '../helpers/sshd-users.js';

const USER = 'sstu';
const TOGGLES = { tcp: true, udp: true, unix: false };
const theme = createTheme(false);
const strip = (s: string) => s.replace(/\u001b\[[0-9;]*m/g, '');

/** The header's first line at `width` columns, as the monitor draws it. */
function headerLine(s: Snapshot, width = 80): string {
  const h = render(<Header identity={identityLine(s, 1000, TOGGLES, undefined, true, width)} totals="TCP 0" rates="" paused={false} width={width} theme={theme} />);
  const line = strip(h.lastFrame() ?? '').split('\n')[0];
  h.unmount();
  return line;
}

test('--host: the header\'s owners note names only hosts whose ssh user is not root, and is read in full at 80 columns (real sshd)', { timeout: 180_000 }, async (t) => {
  const sshd = await startSshdWithUsers([{ name: USER, uid: 4293, shell: '/bin/sh' }]);
  t.after(() => sshd.stop());
  const config = join(sshd.dir, 'aliases_config');
  writeFileSync(config, readFileSync(sshd.clientConfig, 'utf8').replace(/^Host .*$/m, 'Host web1 web2 build-server-01.example.com'));
  const source = (label: string) => new RemoteSource(parseRemoteTarget(label), { configFile: config });
  const read = (label: string) => source(label).collect({ processes: 'listeners' });

  await t.test('one non-root host: the short wording, in full at 80 columns, whatever the target\'s length', async () => {
    for (const label of [`${USER}@web1`, `${USER}@build-server-01.example.com`]) {
      const snap = await read(label);
      assert.equal(snap.attribution.complete, false);
      assert.equal(snap.attribution.note, `processes on ${label} are those its ss -p shows to the ssh user`);
      const line = headerLine({ ...snap, hostname: 'web1' });
      assert.ok(line.includes(' · own processes only (ssh as root) · '), line);
      // Wide enough, the long wording.
      const wide = identityLine({ ...snap, hostname: 'web1' }, 1000, TOGGLES, undefined, true, 200);
      assert.ok(wide.includes(` · ${snap.attribution.note!} · `), wide);
    }
  });

  await t.test('root: complete, no note, nothing in the header', async () => {
    const snap = await read('root@web1');
    assert.equal(snap.attribution.complete, true);
    assert.equal(snap.attribution.note, undefined);
    assert.doesNotMatch(identityLine(snap, 1000, TOGGLES, undefined, true, 200), /ss -p|own processes/);
  });

  await t.test('several hosts: only the non-root host\'s note, named in full at 80 columns', async () => {
    const multi = new MultiHostSource(['root@web1', `${USER}@web2`].map((label) => ({ label, source: source(label) })), { waitForAll: true });
    const snap = await multi.collect({ processes: 'listeners' });
    multi.close();
    assert.equal(snap.attribution.note, `processes on ${USER}@web2 are those its ss -p shows to the ssh user`);
    const line = headerLine({ ...snap, hostname: 'root@web1, sstu@web2' });
    assert.ok(line.includes(` · ${USER}@web2: own processes only · `), line);
    assert.doesNotMatch(line, /root@web1: own|shows to root/, line);

    const both = new MultiHostSource([`${USER}@web1`, `${USER}@web2`].map((label) => ({ label, source: source(label) })), { waitForAll: true });
    const all = await both.collect({ processes: 'listeners' });
    both.close();
    // Every host is restricted: the short wording needs no names.
    assert.ok(headerLine({ ...all, hostname: 'sstu@web1, sstu@web2' }).includes(' · own processes only (ssh as root) · '), headerLine(all));
  });
});
