// Two collections at once in one process (two library snapshots) with the ss or netstat source: each
// child lists the stdio socketpairs of every other child running then, and each collection used to
// leave out only its own runs' (review-api #10: 2-4 phantom unnamed ESTABLISHED unix sockets, one with
// the other ss's pending output in its Recv-Q). Real ss and netstat, real concurrency.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { run, runStreaming, type RunResult, type StreamRunner } from '../../src/collect/exec.js';
import { NetstatSource } from '../../src/collect/netstat.js';
import { SsSource } from '../../src/collect/ss.js';
import type { Socket } from '../../src/model/socket.js';

const CI = process.env.CI === 'true';
const haveSs = /iproute2/.test(`${spawnSync('ss', ['-V'], { encoding: 'utf8' }).stdout ?? ''}`);
const haveNetstat = /net-tools/.test(`${spawnSync('netstat', ['--version'], { encoding: 'utf8' }).stdout ?? ''}`);

/** Sockets of `snaps` whose inode or peer inode is one of `stdio` (the children's stdio socketpairs). */
function phantoms(snaps: { sockets: Socket[] }[], stdio: Set<number>): string[] {
  return snaps.flatMap((s) =>
    s.sockets
      .filter((x) => x.protocol === 'unix' && (stdio.has(x.inode ?? -1) || stdio.has((x as Socket & { peerInode?: number }).peerInode ?? -1)))
      .map((x) => `${x.state} ${x.inode} recvQ=${x.recvQ}`),
  );
}

test('two ss collections at once: neither lists the other one\'s ss stdio sockets', { skip: !haveSs && !CI ? 'ss (iproute2) is not installed' : false, timeout: 120_000 }, async () => {
  assert.ok(haveSs, 'ss (iproute2) is required in CI');
  const stdio = new Set<number>();
  const spy: StreamRunner = async (file, args, opts) => {
    const r = await runStreaming(file, args, opts);
    for (const i of r.stdioSockets ?? []) stdio.add(i);
    return r;
  };
  const found: string[] = [];
  for (let round = 0; round < 5; round++) {
    const snaps = await Promise.all([new SsSource('ss', spy).collect({ protocols: ['unix'], processes: 'none' }), new SsSource('ss', spy).collect({ protocols: ['unix'], processes: 'none' })]);
    found.push(...phantoms(snaps, stdio));
  }
  assert.ok(stdio.size >= 5 * 2 * 4, `stdio sockets seen: ${stdio.size}`);
  assert.deepEqual(found, []);
});

test('two netstat collections at once: the same', { skip: !haveNetstat && !CI ? 'netstat (net-tools) is not installed' : false, timeout: 120_000 }, async () => {
  assert.ok(haveNetstat, 'netstat (net-tools) is required in CI');
  const stdio = new Set<number>();
  const spy = async (file: string, args: readonly string[], opts?: { timeoutMs?: number; stdioSockets?: boolean }): Promise<RunResult> => {
    const r = await run(file, args, opts);
    for (const i of r.stdioSockets ?? []) stdio.add(i);
    return r;
  };
  const found: string[] = [];
  for (let round = 0; round < 5; round++) {
    const snaps = await Promise.all([0, 1].map(() => new NetstatSource({ runner: spy, flavor: 'net-tools', attribute: null }).collect({ protocols: ['unix'], processes: 'none' })));
    found.push(...phantoms(snaps, stdio));
  }
  assert.ok(stdio.size >= 5 * 2 * 4, `stdio sockets seen: ${stdio.size}`);
  assert.deepEqual(found, []);
});
