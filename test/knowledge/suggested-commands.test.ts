// Every `sockscope ...` command the errno notes and the socket option reference suggest must run: `sockscope errno
// EADDRINUSE` advised `sockscope try bind :PORT`, which the CLI refuses (exit 2). The commands are taken from the data
// itself (every string of the exported tables, in backticks), their placeholders filled in (PORT, HOST:PORT,
// NAME:PORT, ADDRESS, options NAME, errno NUMBER), and run with the real binary: none may be refused as bad input.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as notes from '../../src/knowledge/errno-notes.js';
import * as table from '../../src/knowledge/socket-option-table.js';
import { BIN } from '../collect/getsockopt-helpers.js';
import { freePort } from '../helpers/free-port.js';

/** Every string inside `value`, however deeply nested. */
function strings(value: unknown, out: string[] = []): string[] {
  if (typeof value === 'string') out.push(value);
  else if (Array.isArray(value)) for (const v of value) strings(v, out);
  else if (value && typeof value === 'object') for (const v of Object.values(value)) strings(v, out);
  return out;
}

test('every sockscope command the knowledge texts suggest is accepted by the CLI', { timeout: 120_000 }, async () => {
  const found = new Set<string>();
  for (const s of strings([Object.values(notes), Object.values(table)])) for (const m of s.matchAll(/`(sockscope [^`]+)`/g)) found.add(m[1]);
  assert.ok([...found].some((c) => c.startsWith('sockscope try bind ')), [...found].join('\n'));
  assert.ok(found.size >= 8, [...found].join('\n'));
  const port = await freePort();
  for (const command of found) {
    const filled = command
      .replace('HOST:PORT', '127.0.0.1:PORT')
      .replace('NAME:PORT', 'localhost:PORT')
      .replace('ADDRESS', '127.0.0.1:PORT')
      .replace('options NAME', 'options SO_REUSEADDR')
      .replace('errno NUMBER', 'errno 111')
      .replaceAll('PORT', String(port));
    assert.doesNotMatch(filled, /\b(HOST|NAME|ADDRESS|PORT|NUMBER)\b/, `a placeholder left in ${command}`);
    const words = filled.split(' ').slice(1);
    const r = spawnSync(process.execPath, [BIN, ...words], { encoding: 'utf8', timeout: 30_000, env: { ...process.env, NO_COLOR: '1' } });
    assert.notEqual(r.status, 2, `${command} -> ${filled}: refused as bad input: ${r.stderr}`);
    assert.equal(r.status, 0, `${command} -> ${filled}: exit ${r.status}: ${r.stderr}`);
  }
});
