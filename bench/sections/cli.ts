// The whole command as a user runs it: `sockscope analyze --port P --json`, process start to exit, and
// where its time goes: Node's start, loading the bundle (`--version`), the same command on a port
// without sockets (start + bundle + the kernel's filtered dump of every socket + report), and from one
// SOCKET_DEBUG run the dump and process-attribution times of the real command.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { interleave, SS_TANH, timeCommand, timeFigure } from '../measure.js';
import type { Figure, Section } from '../types.js';

/** A local port with no TCP or UDP socket (for the start + dump floor of analyze). */
function unusedPort(): number {
  for (let p = 9; p < 1024; p++) {
    const r = spawnSync('ss', ['-tuanH', 'sport', '=', `:${p}`], { encoding: 'utf8' });
    if (r.status === 0 && r.stdout.trim() === '') return p;
  }
  throw new Error('no unused port below 1024');
}

/** Dump and attribution times of one run, from its SOCKET_DEBUG lines. */
function debugPhases(bin: string, args: string[]): Record<string, unknown> {
  const r = spawnSync(bin, args, { env: { ...process.env, SOCKET_DEBUG: 'true' }, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  let dumpMs = 0;
  const out: Record<string, unknown> = {};
  for (const line of r.stderr.split('\n')) {
    const dump = / netlink sock_diag \S+ ([\d.]+)ms/.exec(line);
    if (dump) dumpMs += Number(dump[1]);
    const attr = / read \/proc\/\*\/fd ([\d.]+)ms (.*)$/.exec(line);
    if (attr) {
      out.attributionMs = Number(attr[1]);
      out.attribution = attr[2];
    }
  }
  out.dumpMs = Math.round(dumpMs * 10) / 10;
  return out;
}

const section: Section = {
  name: 'cli',
  description: 'whole-process bin/sockscope analyze --port P --json, and its budget (node start, bundle, port without sockets)',
  async run(ctx) {
    const bin = join(ctx.root, 'bin', 'sockscope');
    const port = ctx.load.ports[0];
    const args = ['analyze', '--port', String(port), '--json'];
    ctx.log(`sockscope analyze --port ${port} --json vs ss -tanH`);
    const once = async () => timeCommand(bin, args);
    const main = timeFigure(
      { section: 'cli', id: 'cli-analyze', label: 'sockscope analyze --port P --json (whole process)', size: ctx.size, baseline: SS_TANH.label, target: 1.0, extra: { port } },
      await interleave(ctx.runs, SS_TANH.run, once),
    );
    Object.assign(main.extra!, debugPhases(bin, args));
    const figures: Figure[] = [main];

    const empty = unusedPort();
    const budget: { id: string; label: string; file: string; args: string[] }[] = [
      { id: 'cli-budget-node', label: 'budget: node -e 0 (Node start-up)', file: process.execPath, args: ['-e', '0'] },
      { id: 'cli-budget-version', label: 'budget: sockscope --version (start + bundle)', file: bin, args: ['--version'] },
      { id: 'cli-budget-empty-port', label: 'budget: analyze --port (no sockets) --json', file: bin, args: ['analyze', '--port', String(empty), '--json'] },
    ];
    for (const b of budget) {
      ctx.log(`${b.label} vs ss -tanH`);
      const f = timeFigure({ section: 'cli', id: b.id, label: b.label, size: ctx.size, baseline: SS_TANH.label }, await interleave(ctx.runs, SS_TANH.run, async () => timeCommand(b.file, b.args)));
      if (b.id === 'cli-budget-empty-port') Object.assign(f.extra!, { port: empty }, debugPhases(b.file, b.args));
      figures.push(f);
    }
    return figures;
  },
};

export default section;
