// The built package used the way a user would: `npm pack`, `npm install <tarball>` into a fresh project (from
// the npm cache where it can), then an ES module imports the library from 'sockscope' and runs it on a real listener, a
// TypeScript file type-checks against the shipped declarations (wrong inputs must be type errors), and the
// installed bin answers a task. Needs the build (npm test builds first).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = new URL('../../', import.meta.url).pathname;
const TSC = join(ROOT, 'node_modules/typescript/bin/tsc');
const work = mkdtempSync(join(tmpdir(), 'sockscope-pack-'));
after(() => rmSync(work, { recursive: true, force: true }));

function run(file: string, args: string[], cwd: string, timeoutMs = 120_000): string {
  const r = spawnSync(file, args, { cwd, encoding: 'utf8', timeout: timeoutMs, env: { ...process.env, npm_config_update_notifier: 'false' } });
  if (r.error) assert.fail(`${file} ${args.join(' ')}: ${r.error.message}`);
  assert.equal(r.status, 0, `${file} ${args.join(' ')} exited ${r.status}:\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

const USE_MJS = `
import { analyze, explainErrno, generateServer, AnalyzeReportSchema, runTask, TASK_OPERATIONS } from 'sockscope';
import { createServer } from 'node:net';
const server = createServer();
await new Promise((r) => server.listen(0, '127.0.0.1', 5, r));
const port = server.address().port;
try {
  const report = AnalyzeReportSchema.parse(await analyze({ port }));
  const gen = generateServer({ operation: 'generate', type: 'tcp-server', config: { port: 9000, backlog: 64, nonBlocking: true, tcpNodelay: true } });
  const task = await runTask({ operation: 'errno', code: 'WSAECONNRESET' });
  let refused = null;
  try { await analyze({ port: 'x' }); } catch (e) { refused = e.name; }
  console.log(JSON.stringify({
    listen: report.states.LISTEN,
    owner: report.listeners[0]?.process?.pid === process.pid,
    backlog: report.listeners[0]?.backlog,
    errno: explainErrno('ECONNRESET').matches[0].numbers.linux,
    file: gen.files[0].path,
    backlogOption: gen.options.backlog,
    task: task.result.matches[0].name,
    operations: TASK_OPERATIONS.length,
    refused,
  }));
} finally {
  server.close();
}
`;

const CHECK_TS = `
import { analyze, analyzeStates, explainErrno, generateServer, sizeBuffers, runTask, AnalyzeReportSchema, InvalidInputError } from 'sockscope';
import type { AnalyzeReport, StatesReport, ErrnoLookup, GenerateResult, BuffersReport, TaskDocument, AnalyzeInput } from 'sockscope';

export async function use(): Promise<void> {
  const input: AnalyzeInput = { port: 8080 };
  const report: AnalyzeReport = AnalyzeReportSchema.parse(await analyze(input));
  const port: number | null = report.port;
  const states: StatesReport = await analyzeStates({ peerPort: 5432 });
  const e: ErrnoLookup = explainErrno({ code: 'ECONNRESET', platform: 'macos' });
  const e2: ErrnoLookup = explainErrno(104);
  const g: GenerateResult = generateServer({ type: 'udp', language: 'python' });
  const b: BuffersReport = await sizeBuffers({ bandwidth: '10gbit', rtt: '80ms' });
  const t = await runTask({ operation: 'errno', code: 104 });
  const linux: number | null = t.result.matches[0].numbers.linux; // the result is typed by the operation
  const doc: TaskDocument = t;
  const show = (d: TaskDocument): unknown => (d.ok && d.operation === 'buffers' ? d.result.caps.rmemMax : d.ok ? d.operation : d.error.issues[0]?.path);
  show(doc);
  // @ts-expect-error errno needs a code
  await runTask({ operation: 'errno' });
  // @ts-expect-error port is a number
  await analyze({ port: '8080' });
  // @ts-expect-error no such language
  generateServer({ language: 'cobol' });
  // @ts-expect-error bandwidth is a string with a unit
  await sizeBuffers({ bandwidth: 10 });
  const isInput = (x: unknown): boolean => x instanceof InvalidInputError && x.issues.every((i) => typeof i.path === 'string');
  console.log(port, states.states.TIME_WAIT, e.matches.length, e2.query, g.files.length, b.link?.bdpBytes, doc.ok, linux, isInput(null));
}
`;

test('npm pack + npm install into a fresh project: import from "sockscope", run it, type-check against the shipped .d.ts', { timeout: 300_000 }, () => {
  assert.ok(existsSync(join(ROOT, 'dist/index.js')) && existsSync(join(ROOT, 'dist/types/index.d.ts')), 'build first (npm run build): dist/index.js and dist/types/index.d.ts');
  // --ignore-scripts: pack the build that exists (prepare would rebuild dist under tests that are using it).
  run('npm', ['pack', '--ignore-scripts', '--silent', '--pack-destination', work], ROOT);
  const tarball = readdirSync(work).find((f) => f.endsWith('.tgz'));
  assert.ok(tarball, 'npm pack produced a tarball');

  const proj = join(work, 'consumer');
  mkdirSync(proj);
  writeFileSync(join(proj, 'package.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', private: true, type: 'module' }));
  // From the npm cache where it has them (npm ci fills it with the tarballs, not always the registry metadata
  // npm install asks for: a fresh machine's cache lacks those), else the registry.
  run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error', join(work, tarball)], proj, 180_000);
  assert.ok(existsSync(join(proj, 'node_modules/sockscope/dist/types/index.d.ts')), 'declarations shipped');

  writeFileSync(join(proj, 'use.mjs'), USE_MJS);
  const out = JSON.parse(run(process.execPath, ['use.mjs'], proj, 60_000));
  assert.deepEqual(out, { listen: 1, owner: true, backlog: 5, errno: 104, file: 'server.c', backlogOption: 64, task: 'ECONNRESET', operations: 9, refused: 'InvalidInputError' });

  // A consumer's usual strict settings (skipLibCheck as tsc --init sets it: ink's own .d.ts need @types/react and @types/node).
  writeFileSync(join(proj, 'check.ts'), CHECK_TS);
  writeFileSync(
    join(proj, 'tsconfig.json'),
    JSON.stringify({ compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, noEmit: true, skipLibCheck: true, types: [], lib: ['ES2022', 'DOM'] }, files: ['check.ts'] }),
  );
  run(process.execPath, [TSC, '-p', 'tsconfig.json'], proj, 120_000);

  // The installed bin runs a task too.
  writeFileSync(join(proj, 'task.json'), JSON.stringify({ operation: 'options', name: 'SO_REUSEPORT' }));
  const doc = JSON.parse(run(join(proj, 'node_modules/.bin/sockscope'), ['task', 'task.json'], proj, 60_000));
  assert.equal(doc.ok, true);
  assert.equal(doc.result.name, 'SO_REUSEPORT');
});
