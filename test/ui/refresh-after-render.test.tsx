// The monitor's refreshes never queue behind each other: the next interval starts once the last snapshot
// has been rendered (its commit's effect), not when its collection ended (usePolling). And the port view
// takes the ports table's trend samples without building the table (localPortSamples).
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { Text } from 'ink';
import { render } from 'ink-testing-library';
import { useLayoutEffect } from 'react';
import type { Socket } from '../../src/model/socket.js';
import { buildPortTables, localPortSamples } from '../../src/ui/derive.js';
import { usePolling, type Scheduler } from '../../src/ui/hooks/usePolling.js';
import { conn, FakeSource, listener, snapshot, waitFor, webHost } from './fakes.js';

const cleanups: Array<() => void> = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()!();
});

/** Logs each snapshot's commit ("drawn N") and each timer started ("timer after N"). */
function Poller({ source, scheduler, log, unchanged }: { source: FakeSource; scheduler: Scheduler; log: string[]; unchanged?: () => boolean }) {
  const poll = usePolling({ source, collect: {}, intervalMs: 1000, paused: false, scheduler, unchanged: unchanged && (() => unchanged()) });
  const n = poll.snapshot ? poll.snapshot.time : 0;
  // At the commit, before the passive effects (usePolling's among them).
  useLayoutEffect(() => {
    if (n > 0) log.push(`drawn ${n}${poll.error ? ' error' : ''}`);
  }, [n, poll.error, log]);
  return <Text>{`snapshot ${n}${poll.error ? ` error ${poll.error}` : ''}`}</Text>;
}

function recordingScheduler(log: string[], source: FakeSource) {
  const pending: Array<() => void> = [];
  const scheduler: Scheduler = {
    schedule(fn) {
      log.push(`timer after ${source.calls}`);
      pending.push(fn);
      return () => undefined;
    },
  };
  return { scheduler, fire: () => pending.shift()?.() };
}

describe('refreshes do not overlap', () => {
  it('starts the next interval only after the snapshot was rendered, also after a failure; an unchanged one at once', async () => {
    const log: string[] = [];
    const source = new FakeSource((call) => snapshot(webHost(), call));
    const { scheduler, fire } = recordingScheduler(log, source);
    let same = false;
    const r = render(<Poller source={source} scheduler={scheduler} log={log} unchanged={() => same} />);
    cleanups.push(() => r.unmount());
    await waitFor(() => (log.includes('timer after 1') ? 'x' : ''), (f) => f === 'x');
    fire();
    await waitFor(() => (log.includes('timer after 2') ? 'x' : ''), (f) => f === 'x');
    source.failWith = 'busy';
    fire();
    await waitFor(() => (log.includes('timer after 3') ? 'x' : ''), (f) => f === 'x');
    fire();
    await waitFor(() => (log.includes('timer after 4') ? 'x' : ''), (f) => f === 'x');
    // Unchanged (the gate is not asked while the last poll failed): nothing rendered, the timer at once.
    same = true;
    fire();
    await waitFor(() => (log.includes('timer after 5') ? 'x' : ''), (f) => f === 'x');
    // Before: "timer after 1" came before "drawn 1" (the timer started when the collection ended, the render after it).
    assert.deepEqual(log, ['drawn 1', 'timer after 1', 'drawn 2', 'timer after 2', 'drawn 2 error', 'timer after 3', 'drawn 4', 'timer after 4', 'timer after 5']);
  });
});

describe('localPortSamples', () => {
  it('gives buildPortTables samples without building the rows', () => {
    const unix = (path: string, state: Socket['state']): Socket => ({ protocol: 'unix', ipVersion: 4, state, local: { address: path, port: 0 }, peer: { address: '', port: 0 }, recvQ: 0, sendQ: 0, processes: [], inode: 1 });
    const hosted = (s: Socket, host: string): Socket => ({ ...s, host });
    const sockets: Socket[] = [
      ...webHost(3),
      listener(53, { protocol: 'udp' }),
      conn(45000, '10.0.0.7', 80, 'CLOSE_WAIT'),
      conn(9000, '10.0.0.7', 41000, 'TIME_WAIT'),
      unix('/run/app.sock', 'LISTEN'),
      unix('/run/app.sock', 'ESTABLISHED'),
      unix('', 'ESTABLISHED'),
      unix('/tmp/\u001b[31m', 'ESTABLISHED'),
      hosted(listener(80), 'web1'),
      hosted(conn(80, '10.0.0.8', 40000), 'web1'),
      hosted(conn(46000, '10.0.0.8', 443), 'web1'),
    ];
    for (const [ephemeral, served] of [
      [[32768, 60999], undefined],
      [[32768, 60999], 45000],
      [[1024, 65535], undefined],
    ] as Array<[[number, number], number | undefined]>) {
      const expected = buildPortTables(sockets, new Map(), { map: new Map() }, ephemeral, served).samples;
      assert.deepEqual(new Map([...localPortSamples(sockets, ephemeral, served)].sort()), new Map([...expected].sort()), `${ephemeral} ${served}`);
    }
  });
});
