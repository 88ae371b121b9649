// The exporter run without root says what it cannot see, as `sockscope --json` does ("N processes of other
// users are hidden: run as root to see them"). Review: run as another user, a root process holding a
// listener near its open-file limit made process-near-fd-limit as root and nothing at all as that user: no
// series, no note, no line on stderr. Now sockscope_hidden_processes counts the processes it could not
// read, and the first collection that hides some says so on stderr. The scrape passes promtool.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCli } from '../helpers/exporter.js';
import { freePort, waitFor } from '../helpers/free-port.js';
import { NOBODY, nobodySkip } from '../helpers/unprivileged.js';

/**
 * A root process with a TCP listener, 62 of its 64 allowed open files in use (process-near-fd-limit, critical at
 * 95 %). It opens files until /proc/self/fd counts 62, whatever it inherited: a fixed 56 made 60 (93.8 %, a
 * warning) on CI, where no stray descriptors are inherited, and 62 here, where the session leaks one.
 */
async function fdHog(): Promise<ChildProcess> {
  const code = [
    'import os, socket, resource, time',
    'resource.setrlimit(resource.RLIMIT_NOFILE, (64, 64))',
    "s = socket.socket(); s.bind(('127.0.0.1', 0)); s.listen()",
    'fs = []',
    "while len(os.listdir('/proc/self/fd')) - 1 < 62: fs.append(open('/dev/null'))",
    "assert len(os.listdir('/proc/self/fd')) - 1 == 62",
    "print('ready', flush=True)",
    'time.sleep(120)',
  ].join('\n');
  const child = spawn('python3', ['-c', code], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((res, rej) => {
    child.stdout!.once('data', () => res());
    child.once('exit', (c) => rej(new Error(`fd holder exited ${c}`)));
  });
  return child;
}

/** Starts the built exporter (as nobody when `asNobody`), returns a scrape function and its stderr so far. */
async function exporter(home: string, asNobody: boolean, source?: string): Promise<{ child: ChildProcess; scrape: () => Promise<string>; stderr: () => string }> {
  const port = await freePort();
  const args = ['export', '--listen', `127.0.0.1:${port}`, '--interval', '200ms', ...(source ? ['--source', source] : [])];
  const { child, stderr } = await startCli(args, { cwd: home, env: { ...process.env, HOME: home, NO_COLOR: '1' }, ...(asNobody ? { file: 'setpriv', pre: [...NOBODY, process.execPath] } : {}) });
  const scrape = async () => (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  return { child, scrape, stderr };
}

const value = (text: string, series: string): number | undefined => {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
};

test('run as another user, the exporter counts the processes it cannot read and says so once on stderr', { skip: nobodySkip, timeout: 90_000 }, async (t) => {
  const home = mkdtempSync(join(tmpdir(), 'sockscope-export-nobody-'));
  chmodSync(home, 0o755);
  t.after(() => rmSync(home, { recursive: true, force: true }));
  const hog = await fdHog();
  t.after(() => hog.kill('SIGKILL'));

  // As root: the finding is there and nothing is hidden.
  const root = await exporter(home, false);
  t.after(() => root.child.kill('SIGKILL'));
  const asRoot = await waitFor('process-near-fd-limit as root', async () => {
    const text = await root.scrape();
    return /^sockscope_recommendation\{id="process-near-fd-limit",severity="critical"[^}]*\} [1-9]/m.test(text) ? text : undefined;
  });
  // Root reads every user's processes; what it cannot read is hidden even from root (this sandbox's PID 1,
  // whose fd links root may not read): counted, never called "of other users".
  const rootHidden = value(asRoot, 'sockscope_hidden_processes');
  assert.ok(rootHidden !== undefined, asRoot);
  assert.doesNotMatch(root.stderr(), /of other users/);
  root.child.kill('SIGKILL');

  // As nobody: the root process is hidden, so the finding cannot be made; the exporter says it cannot see.
  const nobody = await exporter(home, true);
  t.after(() => nobody.child.kill('SIGKILL'));
  const text = await waitFor('sockscope_hidden_processes as nobody', async () => {
    const s = await nobody.scrape();
    return value(s, 'sockscope_last_collection_timestamp_seconds') !== undefined && value(s, 'sockscope_hidden_processes') !== undefined ? s : undefined;
  });
  const hidden = value(text, 'sockscope_hidden_processes')!;
  assert.ok(hidden > rootHidden!, `sockscope_hidden_processes ${hidden} as nobody, ${rootHidden} as root\n${text}`);
  assert.match(text, /^# HELP sockscope_hidden_processes .*other users.*root/m);
  assert.match(text, /^# TYPE sockscope_hidden_processes gauge$/m);
  assert.doesNotMatch(text, /^sockscope_recommendation\{id="process-near-fd-limit"/m, 'the root process cannot be read as nobody');
  // One line on stderr, with the count and what to do, as --json's note says it.
  await waitFor('the stderr line', () => (/hidden/.test(nobody.stderr()) ? true : undefined), 5_000, 50);
  await new Promise((r) => setTimeout(r, 1_000)); // five more collections: still one line
  const lines = nobody.stderr().split('\n').filter((l) => /hidden/.test(l));
  assert.equal(lines.length, 1, nobody.stderr());
  assert.match(lines[0]!, /^sockscope export: \d+ process(es)? of other users (is|are) hidden: run as root to see them/);
  assert.match(lines[0]!, /sockscope_hidden_processes/);

  // Names, HELP and TYPE as Prometheus wants them.
  const check = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
  assert.equal(check.error, undefined, 'promtool (Debian package prometheus) must be installed');
  assert.equal(check.status, 0, `promtool check metrics: ${check.stdout}${check.stderr}`);
});

// ss and netstat attribute through the same /proc reader as the other collectors (ss -p and netstat -p only when it is
// missing), so they count hidden processes too: the HELP and README said the gauge was absent for them (review s15
// d2). Their line points at the gauge because the gauge has a sample.
for (const source of ['ss', 'netstat']) {
  test(`as another user with --source ${source}: the gauge counts hidden processes and the one line points at it`, { skip: nobodySkip || (spawnSync(source, ['--version']).error ? `${source} is not installed` : false), timeout: 60_000 }, async (t) => {
    const home = mkdtempSync(join(tmpdir(), 'sockscope-export-nobody-'));
    chmodSync(home, 0o755);
    t.after(() => rmSync(home, { recursive: true, force: true }));
    const hog = await fdHog();
    t.after(() => hog.kill('SIGKILL'));
    const nobody = await exporter(home, true, source);
    t.after(() => nobody.child.kill('SIGKILL'));
    const text = await waitFor(`a collection with --source ${source}`, async () => {
      const s = await nobody.scrape();
      return value(s, 'sockscope_last_collection_timestamp_seconds') !== undefined ? s : undefined;
    });
    const hidden = value(text, 'sockscope_hidden_processes');
    assert.ok(hidden !== undefined && hidden >= 1, `sockscope_hidden_processes ${hidden}\n${text}`);
    assert.doesNotMatch(text, /^# HELP sockscope_hidden_processes .*\b(ss|netstat)\b/m, 'the HELP says the gauge is absent for ss and netstat');
    assert.match(text, /^# HELP sockscope_hidden_processes .*absent when the collector cannot count them/m);
    await waitFor('the stderr line', () => (/hidden/.test(nobody.stderr()) ? true : undefined), 5_000, 50);
    const lines = nobody.stderr().split('\n').filter((l) => /hidden|process-near-fd-limit/.test(l));
    assert.equal(lines.length, 1, nobody.stderr());
    assert.match(lines[0]!, /^sockscope export: \d+ process(es)? of other users (is|are) hidden: run as root to see them; .*\(sockscope_hidden_processes counts them\)$/);
  });
}
