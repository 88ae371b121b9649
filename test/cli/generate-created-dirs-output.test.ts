// generate-server's words after a write (bin/sockscope as a user runs it): the directories the write created are named
// absolute, so the current directory's name is in them, and it reached the terminal raw (`Created the directory
// /tmp/esc^[[7mX/sub2`); --json named no directories at all (now `createdDirectories`, beside `written`). And
// `--language node --reuse-port` on a node older than 22.12 (where the server exits 1) says so on stderr, and writes.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { nextSteps } from '../../src/cli/commands/generate-shared.js';
import { generateServer } from '../../src/codegen/index.js';
import { nodeHasReusePort } from '../../src/codegen/node-reuse-port.js';

const BIN = new URL('../../bin/sockscope', import.meta.url).pathname;
const run = (args: string[], cwd: string) => spawnSync(BIN, args, { cwd, encoding: 'utf8', timeout: 20_000, env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });

describe('generate-server: created directories and Node reusePort', () => {
  let top = '';
  let esc = '';
  before(() => {
    top = mkdtempSync(join(tmpdir(), 'sockscope-gen-dirs-'));
    esc = join(top, 'esc\u001b[7mX');
    mkdirSync(esc);
  });
  after(() => {
    if (top) rmSync(top, { recursive: true, force: true });
  });

  it('text output: a created directory under a current directory holding ESC is named escaped (was raw)', () => {
    const r = run(['generate-server', '--output', 'sub2/y.c'], esc);
    assert.equal(r.status, 0, r.stderr);
    assert.ok(!r.stdout.includes('\u001b'), `a raw ESC on stdout:\n${JSON.stringify(r.stdout)}`);
    assert.match(r.stdout, /^Wrote sub2\/y\.c\nCreated the directory .*\/esc\\x1b\[7mX\/sub2\n/);
    assert.ok(existsSync(join(esc, 'sub2', 'y.c')));
  });

  it("sockscope generate's lines after the wizard closed (nextSteps, which it prints) are escaped too", () => {
    const r = generateServer({ language: 'python' }, { output: 'd/x.py' });
    const text = nextSteps(r, ['/tmp/a\u001b[2Jb/d', '/tmp/a\u009bc/d']);
    assert.ok(!/[\u001b\u009b]/.test(text), JSON.stringify(text));
    assert.match(text, /^Created the directories \/tmp\/a\\x1b\[2Jb\/d, \/tmp\/a\\u009bc\/d$/m);
  });

  it('--json names the directories the write created (createdDirectories, absolute) and what it wrote', () => {
    const r = run(['generate-server', '--language', 'python', '--json', '--output', 'nd1/nd2/jj.py'], esc);
    assert.equal(r.status, 0, r.stderr);
    assert.ok(!r.stdout.includes('\u001b'), 'JSON escapes ESC itself');
    const doc = JSON.parse(r.stdout) as { written: string[]; createdDirectories: string[] };
    assert.deepEqual(doc.written, ['nd1/nd2/jj.py']);
    assert.deepEqual(doc.createdDirectories, [join(esc, 'nd1'), join(esc, 'nd1', 'nd2')]);
    // Nothing created: an empty list, the key still there.
    const again = run(['generate-server', '--language', 'python', '--json', '--force', '--output', 'nd1/nd2/jj.py'], esc);
    assert.equal(again.status, 0, again.stderr);
    assert.deepEqual((JSON.parse(again.stdout) as { createdDirectories: string[] }).createdDirectories, []);
  });

  it('--language node --reuse-port: a stderr note when this node is older than 22.12 (the server would exit 1 here), the file written', () => {
    for (const type of ['tcp', 'udp']) {
      const out = `rp-${type}.mjs`;
      const r = run(['generate-server', '--type', type, '--language', 'node', '--reuse-port', '--output', out], top);
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, new RegExp(`^Wrote ${out}\\n`));
      assert.ok(existsSync(join(top, out)));
      if (nodeHasReusePort(process.version)) assert.equal(r.stderr, '');
      else {
        assert.equal(
          r.stderr,
          `sockscope: note: --reuse-port with --language node needs Node >= 22.12 (listen/createSocket reusePort); this node is ${process.version}, where the generated server exits 1 saying so: run it with a newer node, or regenerate without --reuse-port\n`,
        );
        // What the note foretells: the server refuses to start on this node.
        const srv = spawnSync(process.execPath, [join(top, out)], { encoding: 'utf8', timeout: 10_000 });
        assert.equal(srv.status, 1);
        assert.match(srv.stderr, /reusePort needs Node >= 22\.12/);
      }
      assert.match(readFileSync(join(top, out), 'utf8'), /reusePort: true/);
    }
    // Without --reuse-port, or another language: no note.
    for (const args of [['--language', 'node'], ['--language', 'python', '--reuse-port']]) {
      const r = run(['generate-server', ...args, '--stdout'], top);
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.stderr, '');
    }
  });

  it('the version rule is the template\'s: 22.12+, 23.1+, 24 and later', () => {
    for (const [v, has] of [['v20.20.2', false], ['22.11.0', false], ['v22.12.0', true], ['23.0.0', false], ['v23.1.0', true], ['24.0.0', true], ['v18.19.1', false]] as const) {
      assert.equal(nodeHasReusePort(v), has, v);
    }
  });
});
