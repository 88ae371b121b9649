// A Python server is refused under NAME.py when NAME is a module it imports: python3 puts the script's directory
// first on the module path, so the server would be imported in that module's place (diff review s21 api #2). The
// refused names had been measured on a python3 whose site-packages sitecustomize imports enum, re, functools, typing...
// before any script runs, so enum.py, re.py, functools.py (every io model) and typing.py, warnings.py (asyncio) were
// accepted and then failed under Debian's /usr/bin/python3 ("cannot import name 'IntEnum' from partially initialized
// module 'enum'"). Here every variant runs under `python3 -S -X importtime` (python3 from PATH, and /usr/bin/python3
// when present), on loopback: it starts, serves one exchange and stops on SIGTERM; every top-level module it imported
// must be refused as an output name for that io model, unless it is built into that interpreter (no file shadows it).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { createSocket as udpSocket } from 'node:dgram';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateServer } from '../../src/api/generate.js';
import { InvalidInputError } from '../../src/api/errors.js';

interface Variant {
  ioModel: string;
  type: 'tcp' | 'udp';
  handler: 'echo' | 'http';
}
const VARIANTS: Variant[] = ['asyncio', 'selectors', 'threads'].flatMap((io) => [
  { ioModel: io, type: 'tcp' as const, handler: 'echo' as const },
  { ioModel: io, type: 'tcp' as const, handler: 'http' as const },
  { ioModel: io, type: 'udp' as const, handler: 'echo' as const },
]);

const interpreters = ['python3', ...(existsSync('/usr/bin/python3') ? ['/usr/bin/python3'] : [])].filter((py) => spawnSync(py, ['-S', '-c', 'pass']).status === 0);

const input = (v: Variant) => ({ language: 'python' as const, ioModel: v.ioModel, type: v.type, handler: v.handler, port: 0 });

/** One exchange with the server on 127.0.0.1:port: true when it answered. */
function exchange(v: Variant, port: number): Promise<boolean> {
  return new Promise((res) => {
    const timer = setTimeout(() => done(false), 3000);
    let done = (ok: boolean) => {
      clearTimeout(timer);
      res(ok);
    };
    if (v.type === 'udp') {
      const s = udpSocket('udp4');
      done = ((d) => (ok: boolean) => (s.close(), d(ok)))(done);
      s.on('message', () => done(true));
      s.on('error', () => done(false));
      s.send('hi\n', port, '127.0.0.1');
      return;
    }
    const c = createConnection({ host: '127.0.0.1', port }, () => c.write(v.handler === 'http' ? 'GET / HTTP/1.1\r\nHost: x\r\n\r\n' : 'hi\n'));
    done = ((d) => (ok: boolean) => (c.destroy(), d(ok)))(done);
    c.on('data', () => done(true));
    c.on('error', () => done(false));
  });
}

/** Runs the variant as server.py under `py -S -X importtime`; the top-level names of the modules it imported. */
function importedModules(py: string, v: Variant): Promise<{ names: string[]; answered: boolean; code: number | null; stderr: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'sockscope-pyimports-'));
  writeFileSync(join(dir, 'server.py'), generateServer(input(v)).files[0].content);
  return new Promise((res) => {
    const p = spawn(py, ['-S', '-X', 'importtime', 'server.py'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let answered = false;
    let asked = false;
    const kill = setTimeout(() => p.kill('SIGKILL'), 15000);
    p.stdout.on('data', async (d) => {
      out += d;
      const m = /port (\d+)/.exec(out);
      if (m && !asked) {
        asked = true;
        answered = await exchange(v, Number(m[1]));
        p.kill('SIGTERM');
      }
    });
    p.stderr.on('data', (d) => (err += d));
    p.on('close', (code) => {
      clearTimeout(kill);
      const names = new Set<string>();
      for (const m of err.matchAll(/^import time:\s+\d+ \|\s+\d+ \|\s*(\S+)/gm)) names.add(m[1].split('.')[0]);
      res({ names: [...names].sort(), answered, code, stderr: err.split('\n').filter((l) => !l.startsWith('import time:')).join('\n') });
    });
  });
}

/** Whether generateServer refuses `name` as the output for this variant, as a bad output path. */
function refused(v: Variant, name: string): boolean {
  try {
    generateServer(input(v), { output: join(tmpdir(), name) });
    return false;
  } catch (e) {
    if (e instanceof InvalidInputError && e.issues[0]?.path === 'output' && /must not be named after a standard module it imports/.test(e.message)) return true;
    throw e;
  }
}

test('every module a Python server imports under python3 -S is refused as its file name', { skip: interpreters.length === 0 && 'no python3' }, async () => {
  const missing: string[] = [];
  for (const py of interpreters) {
    const builtin = new Set(spawnSync(py, ['-S', '-c', 'import sys; print(" ".join(sys.builtin_module_names))'], { encoding: 'utf8' }).stdout.split(/\s+/));
    const runs = await Promise.all(VARIANTS.map((v) => importedModules(py, v)));
    VARIANTS.forEach((v, k) => {
      const r = runs[k];
      const label = `${py} -S ${v.type} ${v.ioModel} ${v.handler}`;
      assert.ok(r.answered, `${label} did not answer: ${r.stderr}`);
      assert.equal(r.code, 0, `${label} did not exit 0 on SIGTERM: ${r.stderr}`);
      assert.ok(r.names.includes('socket') && r.names.includes('signal'), `${label}: no importtime lines: ${r.stderr}`);
      for (const name of r.names) if (!builtin.has(name) && !refused(v, `${name}.py`)) missing.push(`${name}.py (${label})`);
    });
  }
  assert.deepEqual(missing, [], 'imported by the server but accepted as its file name');
});

test('the names the review found failing under a site-free python3 are refused', () => {
  for (const v of VARIANTS) {
    const names = ['enum', 'functools', 're', 'types', 'operator', 'keyword', 'reprlib', 'copyreg', 'socket', 'select', 'errno', 'time', 'os', 'unicodedata'];
    if (v.ioModel === 'asyncio') names.push('typing', 'weakref', 'warnings', 'contextlib', 'ssl', 'array', 'fcntl');
    for (const n of names) assert.ok(refused(v, `${n}.py`), `${n}.py accepted for ${v.type} ${v.ioModel} ${v.handler}`);
    // Not a module name, or not a .py file: python3 runs it.
    for (const n of ['server.py', 'enum', 'enum.txt', 'test.py']) assert.equal(refused(v, n), false, n);
  }
});

test('an enum.py server fails under python3 -S, which is why it is refused', { skip: interpreters.length === 0 && 'no python3' }, () => {
  const v = VARIANTS[3]; // selectors, tcp echo
  const dir = mkdtempSync(join(tmpdir(), 'sockscope-pyimports-'));
  writeFileSync(join(dir, 'enum.py'), generateServer(input(v)).files[0].content);
  for (const py of interpreters) {
    const r = spawnSync(py, ['-S', 'enum.py'], { cwd: dir, encoding: 'utf8', timeout: 10000 });
    assert.notEqual(r.status, 0, `${py} -S enum.py ran: ${r.stdout}`);
    assert.match(r.stderr, /enum/, py);
  }
});
