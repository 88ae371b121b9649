// Runs every test/**/*.test.ts(x) file with Node's own test runner (tsx for TypeScript).
// Usage: node scripts/run-tests.mjs [filter substrings...]
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

function walk(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    if (name === 'fixtures' || name === 'node_modules') continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...walk(p));
    else if (/\.test\.tsx?$/.test(name)) out.push(p);
  }
  return out;
}

const filters = process.argv.slice(2);
const files = walk('test').filter((f) => filters.length === 0 || filters.some((s) => f.includes(s))).sort();
if (files.length === 0) {
  console.error('no test files matched');
  process.exit(1);
}
// A hung test file fails after 10 minutes instead of holding CI for its whole budget (Node 20 applies
// --test-timeout to each file's run as a whole; the slowest file takes about a minute).
// The usual reporter (spec on a terminal, TAP otherwise, as Node picks by default), then a list of the
// tests that failed or were cancelled, printed last.
const reporters = [
  '--test-reporter', process.stdout.isTTY ? 'spec' : 'tap', '--test-reporter-destination', 'stdout',
  '--test-reporter', './scripts/test-failures-reporter.mjs', '--test-reporter-destination', 'stdout',
];
// Every test file's process also loads test-exit-watch.mjs: a file kept alive after its tests ends 30 s later,
// saying what held it, instead of at the 10-minute timeout.
const r = spawnSync(process.execPath, ['--import', 'tsx', '--import', './scripts/test-exit-watch.mjs', '--test', '--test-concurrency=2', '--test-timeout=600000', ...reporters, ...files], { stdio: 'inherit' });
process.exit(r.status ?? 1);
