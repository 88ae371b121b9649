// The monitor with several hosts, none shown yet, one failed and one still being read: the STALE line said
// "every host failed: web1: no answer yet (reading for 5 s); web2: ... not installed" though web1 was only
// being read (given up at its timeout, 20 s) (user review s26 #5). A host still reading is worded as such now:
// "no host to show yet: web1: no answer yet (reading for 0 s); web2 failed: ...". Real sshd on loopback with two
// test users: one whose login shell answers nothing for 20 s, one whose login cannot run the script
// (PATH without sh: a failure within a second).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MultiHostSource } from '../../src/collect/multi-host.js';
import { RemoteSource } from '../../src/collect/remote.js';
import { parseRemoteTarget } from '../../src/collect/remote-target.js';
import { startSshdWithUsers } from '../helpers/sshd-users.js';

const SLOW = 'sst-slow@sockscope-test';
const NOSS = 'sst-noss@sockscope-test';

test('several hosts, one failed and one still reading: not "every host failed" (real sshd)', { timeout: 120_000 }, async (t) => {
  const sshd = await startSshdWithUsers([
    { name: 'sst-slow', uid: 4294, shell: '#!/bin/sh\nsleep 20\n' },
    { name: 'sst-noss', uid: 4295, shell: '#!/bin/sh\nPATH=/nonexistent exec /bin/sh "$@"\n' },
  ]);
  const multi = new MultiHostSource(
    [SLOW, NOSS].map((label) => ({ label, source: new RemoteSource(parseRemoteTarget(label), { configFile: sshd.clientConfig }) })),
    { slowHostWaitMs: 300 },
  );
  t.after(() => {
    multi.close();
    sshd.stop();
  });
  const err = await multi.collect({ processes: 'listeners' }).then(
    () => assert.fail('no host answered: the collection must fail'),
    (e: Error) => e,
  );
  assert.doesNotMatch(err.message, /every host failed/, err.message);
  assert.match(err.message, new RegExp(`no host to show yet: ${SLOW}: no answer yet \\(reading for \\d+ s\\); ${NOSS} failed: ssh ${NOSS}: the remote login did not run`), err.message);

  // Once every host has failed, it says so.
  const both = new MultiHostSource([NOSS].map((label) => ({ label, source: new RemoteSource(parseRemoteTarget(label), { configFile: sshd.clientConfig }) })));
  const all = await both.collect({ processes: 'listeners' }).then(
    () => assert.fail('must fail'),
    (e: Error) => e,
  );
  both.close();
  assert.match(all.message, new RegExp(`every host failed: ${NOSS}: `), all.message);
});
