// What a command really evaluates when it runs (V8 coverage of dist/cli-core.cjs's module init functions:
// test/helpers/evaluated-modules.ts). A command's module is evaluated only when the line names it
// (src/cli/commands/index.ts), and the ss, procfs, netstat and remote collectors only when they collect
// (collect/index.ts LazySource, cli/sources.ts): at 0cb1b3c `analyze --port P` under netlink loaded every command's
// flags and all four other collectors with their parsers (893 KB in 53 files; 726 KB after). Needs the build.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { evaluatedModules } from '../helpers/evaluated-modules.js';

function loadedSources(args: string[]): { sources: Set<string>; status: number | null; stderr: string } {
  const { modules, status, stderr } = evaluatedModules(args);
  return { sources: modules, status, stderr };
}

const OTHER_COMMANDS = ['buffers', 'task', 'errno', 'generate-shared', 'generate-server', 'config', 'try', 'export', 'inspect-options', 'debug-connections', 'options', 'analyze-states'].map((c) => `src/cli/commands/${c}.ts`);
const OTHER_COLLECTORS = ['src/collect/ss.ts', 'src/collect/procfs.ts', 'src/collect/netstat.ts', 'src/collect/remote.ts', 'src/parse/ss-stream.ts', 'src/parse/netstat-nettools.ts'];

test('analyze --port P under netlink loads its own command and collector, not the others', { timeout: 90_000 }, async (t) => {
  const server = createServer().listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  t.after(() => server.close());
  const port = (server.address() as { port: number }).port;
  const { sources, status, stderr } = loadedSources(['analyze', '--port', String(port), '--json', '--source', 'netlink']);
  assert.equal(status, 0, stderr);
  // The check itself works: what the command needs is found.
  for (const needed of ['src/cli/main.ts', 'src/cli/commands/analyze.ts', 'src/cli/commands/monitor.ts', 'src/collect/netlink.ts', 'src/report/analyze.ts']) assert.ok(sources.has(needed), `${needed} loaded`);
  for (const other of [...OTHER_COMMANDS, ...OTHER_COLLECTORS]) assert.ok(!sources.has(other), `${other} is loaded by analyze under netlink`);
});

test('--version loads no command module but the monitor\'s (the default command), and no collector', { timeout: 60_000 }, () => {
  const { sources, status, stderr } = loadedSources(['--version']);
  assert.equal(status, 0, stderr);
  assert.ok(sources.has('src/cli/commands/heads.ts'));
  for (const other of [...OTHER_COMMANDS, 'src/cli/commands/analyze.ts', ...OTHER_COLLECTORS, 'src/collect/netlink.ts']) assert.ok(!sources.has(other), `${other} is loaded by --version`);
});

test('a command named on the line loads its module; --source ss loads the ss collector', { timeout: 60_000 }, () => {
  const errno = loadedSources(['errno', '104', '--json']);
  assert.equal(errno.status, 0, errno.stderr);
  assert.ok(errno.sources.has('src/cli/commands/errno.ts'));
  assert.ok(!errno.sources.has('src/cli/commands/buffers.ts'));
  const ss = loadedSources(['analyze-states', '--json', '--source', 'ss']);
  assert.equal(ss.status, 0, ss.stderr);
  assert.ok(ss.sources.has('src/collect/ss.ts') && ss.sources.has('src/cli/commands/analyze-states.ts'));
  assert.ok(!ss.sources.has('src/collect/netstat.ts') && !ss.sources.has('src/collect/remote.ts'));
});
