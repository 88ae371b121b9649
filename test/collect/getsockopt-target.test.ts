// Which process inspect-options reads: its name as every other printer reads it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readProcess } from '../../src/collect/getsockopt-target.js';
import { escapeControl } from '../../src/model/escape.js';

test('readProcess: a comm that is not UTF-8 keeps its bytes (\\xff\\xfe), as the tables show it; uid and Tgid from status', async (t) => {
  // It read comm as UTF-8 text, so inspect-options' header named the process "py\ufffd\ufffd" where the
  // socket tables (readComm) show py\xff\xfe.
  const root = mkdtempSync(join(tmpdir(), 'sockscope-proc-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  mkdirSync(join(root, '4242', 'fd'), { recursive: true });
  writeFileSync(join(root, '4242', 'comm'), Buffer.from([0x70, 0x79, 0xff, 0xfe, 0x0a]));
  writeFileSync(join(root, '4242', 'status'), 'Name:\tpy\nTgid:\t4240\nUid:\t1000\t1000\t1000\t1000\n');
  const p = await readProcess(root, 4242);
  assert.equal(escapeControl(p.name!), 'py\\xff\\xfe');
  assert.deepEqual([p.uid, p.tgid], [1000, 4240]);
});
