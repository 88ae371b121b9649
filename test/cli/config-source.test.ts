// The `source` key of a config file chooses the collector of every command (README: "Keys: ... source"), as
// `sockscope config` says; --source on the command line overrides it. It used to be ignored everywhere: --source
// had a yargs default ('auto'), so argv.source was always set and the file's value never reached a command.
// `task --source X` applies to a task without its own "source"; a task's "source" that differs is exit 2.
// Through the built CLI, on a real loopback listener.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort } from '../helpers/free-port.js';

const CLI = resolve('dist/cli.js');

function scratch(fileText?: string) {
  const root = mkdtempSync(join(tmpdir(), 'sockscope-cfgsrc-'));
  const home = join(root, 'home');
  const cwd = join(root, 'project');
  mkdirSync(home);
  mkdirSync(cwd);
  if (fileText !== undefined) writeFileSync(join(cwd, 'sockscope.yaml'), fileText);
  return { root, home, cwd };
}

const run = (cwd: string, home: string, args: string[], input?: string) =>
  spawnSync(process.execPath, [CLI, ...args], { cwd, input, encoding: 'utf8', timeout: 30_000, env: { PATH: process.env.PATH ?? '', HOME: home } });

async function listener(): Promise<{ server: Server; port: number }> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return { server, port: (server.address() as { port: number }).port };
}

/** The `source` each command reports for port P (the commands' --json documents, a task's result). */
function reportedSources(cwd: string, home: string, port: number, extra: string[] = []): Record<string, string> {
  const out: Record<string, string> = {};
  const json = (name: string, args: string[], input?: string) => {
    const r = run(cwd, home, [...args, ...extra], input);
    assert.equal(r.status, 0, `${name}: ${r.stderr}${r.stdout}`);
    const doc = JSON.parse(r.stdout);
    out[name] = name === 'task' ? doc.result.source : doc.source;
  };
  json('analyze', ['analyze', '--port', String(port), '--json']);
  json('analyze-states', ['analyze-states', '--port', String(port), '--json']);
  json('snapshot', ['--json', '--port', String(port)]);
  json('buffers', ['buffers', '--port', String(port), '--json']);
  json('task', ['task', '-'], JSON.stringify({ operation: 'analyze-states', port }));
  // The text form too: analyze's first line names the source.
  const text = run(cwd, home, ['analyze', '--port', String(port), ...extra]);
  assert.equal(text.status, 0, text.stderr);
  out['analyze text'] = /source (\w+)/.exec(text.stdout.split('\n')[0])?.[1] ?? '';
  return out;
}

const all = (source: string) => ({ analyze: source, 'analyze-states': source, snapshot: source, buffers: source, task: source, 'analyze text': source });

test('a config file with source: procfs (or ss) is the collector of every command; --source overrides it', { timeout: 120_000 }, async () => {
  const { server, port } = await listener();
  try {
    for (const source of ['procfs', 'ss']) {
      const s = scratch(`source: ${source}\n`);
      try {
        assert.deepEqual(reportedSources(s.cwd, s.home, port), all(source), `source: ${source} in sockscope.yaml`);
        // `sockscope config` still says the file set it.
        const c = run(s.cwd, s.home, ['config', '--json']);
        assert.equal(c.status, 0, c.stderr);
        assert.deepEqual(JSON.parse(c.stdout).origins.source, { origin: 'project-file', detail: join(s.cwd, 'sockscope.yaml') });
        // The command line wins over the file.
        assert.deepEqual(reportedSources(s.cwd, s.home, port, ['--source', 'netlink']), all('netlink'), `--source netlink over source: ${source}`);
      } finally {
        rmSync(s.root, { recursive: true, force: true });
      }
    }
    // No file: auto, which chooses netlink here.
    const none = scratch();
    try {
      const r = run(none.cwd, none.home, ['analyze', '--port', String(port), '--json']);
      assert.equal(r.status, 0, r.stderr);
      assert.equal(JSON.parse(r.stdout).source, 'netlink');
      const c = run(none.cwd, none.home, ['config', '--json']);
      assert.deepEqual(JSON.parse(c.stdout).origins.source, { origin: 'default' });
    } finally {
      rmSync(none.root, { recursive: true, force: true });
    }
  } finally {
    server.close();
  }
});

test('export reports the config file\'s source in sockscope_source_info', { timeout: 60_000 }, async () => {
  const s = scratch('source: procfs\n');
  const port = await freePort();
  const c = spawn(process.execPath, [CLI, 'export', '--listen', `127.0.0.1:${port}`, '--interval', '1s'], { cwd: s.cwd, env: { PATH: process.env.PATH ?? '', HOME: s.home }, stdio: ['ignore', 'ignore', 'pipe'] });
  try {
    let err = '';
    await new Promise<void>((res, rej) => {
      c.stderr!.on('data', (d) => {
        err += d;
        if (err.includes('serving http://')) res();
      });
      c.once('exit', (code) => rej(new Error(`exited ${code}: ${err}`)));
    });
    // /metrics answers at once, with the host's series only after the first collection has finished
    // (export/server.ts): a loaded machine may not have finished it yet, so ask again for up to 20 s.
    let text = '';
    for (const until = Date.now() + 20_000; Date.now() < until; await new Promise((r) => setTimeout(r, 200))) {
      text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      if (/^sockscope_source_info\{/m.test(text)) break;
    }
    assert.match(text, /^sockscope_source_info\{source="procfs"/m);
  } finally {
    c.kill('SIGKILL');
    rmSync(s.root, { recursive: true, force: true });
  }
});

test('a config file\'s source does not stop --host (remote hosts are read with ss); a typed --source procfs does', { timeout: 60_000 }, async () => {
  const s = scratch('source: procfs\n');
  const closed = await freePort();
  try {
    // Nothing listens on `closed`: ssh fails (exit 1), but not with the --source refusal.
    const r = run(s.cwd, s.home, ['analyze', '--host', `nobody@127.0.0.1:${closed}`, '--ssh-timeout', '5s']);
    assert.doesNotMatch(r.stderr, /cannot read a remote host/, r.stderr);
    assert.equal(r.status, 1, r.stderr);
    const typed = run(s.cwd, s.home, ['analyze', '--host', `nobody@127.0.0.1:${closed}`, '--source', 'procfs']);
    assert.equal(typed.status, 2);
    assert.match(typed.stderr, /^sockscope: --source procfs cannot read a remote host/);
  } finally {
    rmSync(s.root, { recursive: true, force: true });
  }
});

test('task --source: the collector of a task without its own "source"; a different one in the task is exit 2', { timeout: 60_000 }, async () => {
  const { server, port } = await listener();
  const s = scratch();
  const task = (doc: object, ...args: string[]) => {
    const r = run(s.cwd, s.home, ['task', '-', ...args], JSON.stringify(doc));
    return { status: r.status, doc: JSON.parse(r.stdout), stderr: r.stderr };
  };
  try {
    let r = task({ operation: 'analyze-states', port }, '--source', 'procfs');
    assert.equal(r.status, 0, JSON.stringify(r.doc));
    assert.equal(r.doc.result.source, 'procfs');
    r = task({ operation: 'analyze', port }, '--source', 'ss');
    assert.equal(r.doc.result.source, 'ss');
    r = task({ operation: 'buffers', port }, '--source', 'procfs');
    assert.equal(r.doc.result.source, 'procfs');
    // The task's own field, with no flag or the same flag.
    assert.equal(task({ operation: 'analyze-states', port, source: 'ss' }).doc.result.source, 'ss');
    assert.equal(task({ operation: 'analyze-states', port, source: 'ss' }, '--source', 'ss').doc.result.source, 'ss');
    // Both, differing: refused, nothing silently ignored.
    r = task({ operation: 'analyze-states', port, source: 'ss' }, '--source', 'procfs');
    assert.equal(r.status, 2);
    assert.equal(r.doc.ok, false);
    assert.equal(r.doc.operation, 'analyze-states');
    assert.equal(r.doc.error.code, 'invalid-input');
    assert.match(r.doc.error.message, /the task says "source": "ss" and the command line says --source procfs/);
    assert.deepEqual(r.doc.error.issues.map((i: { path: string }) => i.path), ['source']);
    // The task's field wins over a config file's source (a default, not a contradiction).
    writeFileSync(join(s.cwd, 'sockscope.yaml'), 'source: procfs\n');
    assert.equal(task({ operation: 'analyze-states', port, source: 'ss' }).doc.result.source, 'ss');
    assert.equal(task({ operation: 'analyze-states', port }).doc.result.source, 'procfs');
    // An operation that reads no sockets: --source changes nothing (as `sockscope errno 104 --source procfs`).
    r = task({ operation: 'errno', code: '104' }, '--source', 'procfs');
    assert.equal(r.status, 0, JSON.stringify(r.doc));
    // task --help says what --source does there.
    const help = run(s.cwd, s.home, ['task', '--help']);
    assert.match(help.stdout, /--source procfs/);
  } finally {
    server.close();
    rmSync(s.root, { recursive: true, force: true });
  }
});
