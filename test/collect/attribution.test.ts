// CollectOptions.attribution reaches the attribute function of each collector, and the shared attributor honours it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { attributeWith, type AttributeCallOptions, type AttributeFn } from '../../src/collect/attribution.js';
import { NetstatSource } from '../../src/collect/netstat.js';
import { sharedAttributor } from '../../src/collect/processes.js';
import { ProcfsSource } from '../../src/collect/procfs.js';
import { unknownSysctls } from '../../src/model/snapshot.js';

const hostInfo = async () => ({ hostname: 'fixture', kernel: '6.1.0', counters: { netstat: null, snmp: null, sockstat: null }, sysctls: unknownSysctls() });

function recorder(): { attribute: AttributeFn; seen: (AttributeCallOptions | undefined)[] } {
  const seen: (AttributeCallOptions | undefined)[] = [];
  return {
    seen,
    attribute: async (_sockets, scope, opts) => {
      seen.push(opts);
      return { scope, complete: true, hiddenProcesses: 0 };
    },
  };
}

test('procfs passes CollectOptions.attribution on to the attribute function', async () => {
  const root = mkdtempSync(join(tmpdir(), 'sockscope-attribution-'));
  try {
    mkdirSync(join(root, 'net'));
    for (const k of ['tcp', 'udp']) copyFileSync(fileURLToPath(new URL(`../fixtures/procfs/edge-${k}.txt`, import.meta.url)), join(root, 'net', k));
    const { attribute, seen } = recorder();
    const src = new ProcfsSource({ procRoot: root, attribute, hostInfo });
    await src.collect({ protocols: ['tcp', 'udp'], attribution: 'targeted' });
    await src.collect({ protocols: ['tcp', 'udp'] });
    assert.deepEqual(seen, [{ reach: 'targeted' }, { reach: undefined }]);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('netstat (net-tools, with inodes) passes CollectOptions.attribution on to the attribute function', async () => {
  const runner = async (_file: string, args: readonly string[]) =>
    args[0] === '--version' ? { stdout: 'net-tools 2.10\n', stderr: '', exitCode: 0 } : { stdout: 'Active Internet connections (servers and established)\n', stderr: '', exitCode: 0 };
  const { attribute, seen } = recorder();
  const src = new NetstatSource({ runner, flavor: 'net-tools', attribute, hostInfo });
  await src.collect({ attribution: 'targeted' });
  assert.deepEqual(seen, [{ reach: 'targeted' }]);
});

test('the registered shared attributor reads targeted only when asked (reach), every process otherwise', async () => {
  const attribute = await attributeWith();
  assert.ok(attribute, 'processes.ts registers the shared attributor');
  // A fresh cache: a targeted pass with nothing wanted leaves every readable process unread (this one at least).
  await attribute([], 'all', { reach: 'targeted' });
  assert.ok(sharedAttributor().stats().pidsSkipped > 0, 'targeted pass skipped processes');
  await attribute([], 'all');
  assert.equal(sharedAttributor().stats().pidsSkipped, 0, 'default reach reads every process');
});
