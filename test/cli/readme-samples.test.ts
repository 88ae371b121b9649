// README's sample outputs are what the built CLI prints. The samples of commands whose output depends on no
// socket (`sockscope options ...`, `sockscope errno ...`) are compared line for line; for the others, the parts
// that are the tool's fixed text: the CLOSE_WAIT evidence of analyze (text and --json samples) and the
// "elsewhere:" lines of inspect-options (knowledge-table text, whatever the socket), on real loopback sockets.
// A README walkthrough found all of these stale: "(warning at 10)" without "on one port or to one peer port",
// SO_REUSEPORT's "(SO_ATTACH_REUSEPORT_CBPF/EBPF)", SO_LINGER's Windows note cut after "turns it off.".
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

const readme = readFileSync('README.md', 'utf8');
const BIN = 'bin/sockscope';

const run = (args: string[]) => spawnSync(BIN, args, { encoding: 'utf8', timeout: 30_000, env: { ...process.env, NO_COLOR: '1', COLUMNS: '' } });

/** Shell-like split of a sample's command line (single and double quotes). */
function words(line: string): string[] {
  return [...line.matchAll(/'([^']*)'|"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2] ?? m[3]);
}

interface Sample {
  command: string;
  lines: string[];
}

/** Every `$ sockscope ...` sample in the README's fenced blocks: the command and the lines up to the next `$ ` or the fence. */
function samples(): Sample[] {
  const out: Sample[] = [];
  let inFence = false;
  let cur: Sample | undefined;
  for (const line of readme.split('\n')) {
    if (line.startsWith('```')) {
      inFence = !inFence;
      cur = undefined;
      continue;
    }
    if (!inFence) continue;
    if (line.startsWith('$ ')) {
      cur = line.startsWith('$ sockscope ') ? { command: line.slice(2), lines: [] } : undefined;
      if (cur) out.push(cur);
      continue;
    }
    cur?.lines.push(line);
  }
  return out;
}

/**
 * The sample's lines are the output's: `...` stands for lines left out, so each run of lines between `...`
 * must appear in the output as consecutive lines, in order; the first run starts the output and the last one
 * ends it unless a `...` is there. A last line `exit N` is the exit status.
 */
function assertSample(s: Sample): void {
  const lines = [...s.lines];
  while (lines.length && lines[lines.length - 1] === '') lines.pop();
  let status = 0;
  const exit = /^exit (\d+)$/.exec(lines[lines.length - 1] ?? '');
  if (exit) {
    status = Number(exit[1]);
    lines.pop();
  }
  const r = run(words(s.command).slice(1));
  assert.equal(r.status, status, `${s.command}: ${r.stderr}`);
  const got = `${r.stdout}${r.stderr}`.replace(/\n$/, '').split('\n');
  const runs: string[][] = [[]];
  for (const l of lines) {
    if (l === '...') runs.push([]);
    else runs[runs.length - 1].push(l);
  }
  let at = 0;
  runs.forEach((block, i) => {
    if (block.length === 0) return;
    const first = i === 0;
    const last = i === runs.length - 1;
    let found = -1;
    for (let k = at; k + block.length <= got.length; k++) {
      if (first && k !== 0) break;
      if (block.every((l, j) => got[k + j] === l)) {
        found = k;
        break;
      }
    }
    const shown = `README sample \`${s.command}\`, lines:\n${block.join('\n')}\n\nthe tool prints:\n${got.join('\n')}`;
    assert.notEqual(found, -1, shown);
    if (last) assert.equal(found + block.length, got.length, `${shown}\n(the sample ends before the output does: add ...)`);
    at = found + block.length;
  });
}

test('README samples of options and errno are what the tool prints', { timeout: 120_000 }, () => {
  const list = samples().filter((s) => /^sockscope (options|errno)\b/.test(s.command));
  // The ones the walkthrough found stale are among them.
  assert.ok(list.some((s) => s.command === 'sockscope options SO_REUSEPORT'));
  assert.ok(list.length >= 6, list.map((s) => s.command).join(', '));
  for (const s of list) assertSample(s);
});

test('README: analyze\'s CLOSE_WAIT evidence (text and --json samples) is the tool\'s own text', { timeout: 60_000 }, async () => {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as { port: number }).port;
  try {
    // spawn, not spawnSync: nothing here accepts, but keep the event loop free all the same.
    const out = await new Promise<string>((resolve, reject) => {
      const c = spawn(BIN, ['analyze', '--port', String(port), '--json'], { stdio: ['ignore', 'pipe', 'inherit'] });
      let text = '';
      c.stdout.on('data', (d) => (text += d));
      c.once('exit', (code) => (code === 0 ? resolve(text) : reject(new Error(`exit ${code}`))));
    });
    const rec = (JSON.parse(out) as { recommendations: { id: string; evidence: string }[] }).recommendations.find((r) => r.id === 'close-wait-ok');
    assert.ok(rec, out);
    const portless = (s: string, p: string | number) => s.split(`port ${p}`).join('port P');
    const want = portless(rec.evidence, port);
    const inReadme = [...readme.matchAll(/(?:evidence: |"evidence": ")(\d+ CLOSE_WAIT sockets on port (\d+)[^"\n]*)/g)];
    assert.ok(inReadme.length >= 2, 'README has the text sample and the --json sample');
    for (const m of inReadme) assert.equal(portless(m[1], m[2]), want, `README: ${m[0]}`);
  } finally {
    server.close();
  }
});

test('README: inspect-options\' "elsewhere:" lines are the reference\'s text', { timeout: 60_000 }, async () => {
  const sample = samples().find((s) => s.command.startsWith('sockscope inspect-options') && s.command.includes('SO_LINGER'));
  assert.ok(sample, 'README has the inspect-options sample with SO_LINGER');
  const options = /--options (\S+)/.exec(sample.command)![1];
  // A listener of this process (inspect-options reads it through pidfd_getfd).
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as { port: number }).port;
  try {
    const out = await new Promise<string>((resolve, reject) => {
      const c = spawn(BIN, ['inspect-options', '--port', String(port), '--options', options], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
      let text = '';
      let err = '';
      c.stdout.on('data', (d) => (text += d));
      c.stderr.on('data', (d) => (err += d));
      c.once('exit', (code) => (code === 0 ? resolve(text) : reject(new Error(`exit ${code}: ${err}`))));
    });
    /** Option name -> its "elsewhere:" line. */
    const elsewhere = (lines: readonly string[]) => {
      const m = new Map<string, string>();
      let option = '';
      for (const l of lines) {
        const head = /^([A-Z][A-Z0-9_]+)\s{2,}/.exec(l);
        if (head) option = head[1];
        else if (l.trimStart().startsWith('elsewhere: ')) m.set(option, l.trim());
      }
      return m;
    };
    const got = elsewhere(out.split('\n'));
    const want = elsewhere(sample.lines);
    assert.ok(want.has('SO_LINGER'));
    for (const [option, line] of want) assert.equal(line, got.get(option), `README's elsewhere: line of ${option}`);
  } finally {
    server.close();
  }
});
