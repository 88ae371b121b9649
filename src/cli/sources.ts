// Which SocketSource(s) a command reads: the local collector, or one RemoteSource per --host (host-option.ts).
import { createSource, type SourceChoice } from '../collect/index.js';
import { parseRemoteTarget } from '../collect/remote-target.js';
import type { SocketSource } from '../collect/source.js';
import { briefWord, capMessage, UsageError } from './errors.js';
import { escapeMessage } from '../model/escape.js';
import { sshTimeoutSetting } from './host-option.js';

/** Several --host with some failed: the others were printed; say which failed on stderr and exit 1 (analyze, the monitor's one-shot forms). */
export function reportFailedHosts(failed: readonly string[], total: number): void {
  if (failed.length === 0) return;
  // Each host as other messages quote a word (a --host may be 1,024 characters), the line capped as they are.
  process.stderr.write(`sockscope: ${capMessage(escapeMessage(`${failed.length} of ${total} hosts failed: ${failed.map((h) => briefWord(h)).join(', ')}`))}\n`);
  process.exitCode = 1;
}

/**
 * The sources to read: the local collector, or one RemoteSource per --host.
 * argv.source is the collector main.ts's middleware chose (--source, else the config's `source`, else auto);
 * argv.sourceFrom where it came from ('flag', 'user-file', 'project-file', 'default'; unset counts as the
 * flag). A config file's choice is this host's collector: --host reads with ss whatever it says.
 */
export async function sourcesFor(argv: { host?: string[]; 'ssh-config'?: string; source?: string; sourceFrom?: string }): Promise<{ label: string; source: SocketSource }[]> {
  const hosts = (argv.host ?? []).filter((h) => h !== '');
  if (hosts.length === 0) return [{ label: 'local', source: createSource((argv.source ?? 'auto') as SourceChoice) }];
  const typed = argv.sourceFrom === undefined || argv.sourceFrom === 'flag';
  if (typed && argv.source && argv.source !== 'auto' && argv.source !== 'ss') throw new UsageError(`--source ${argv.source} cannot read a remote host; --host always runs ss there`);
  const timeoutMs = sshTimeoutSetting();
  // Loaded only for --host: a local command never loads the remote collector (README, Start-up).
  const { RemoteSource } = await import('../collect/remote.js');
  const sources = hosts.map((h) => {
    let target;
    try {
      target = parseRemoteTarget(h);
    } catch (e) {
      throw new UsageError(`--host: ${(e as Error).message}`);
    }
    return { label: h, source: new RemoteSource(target, { configFile: argv['ssh-config'], ...(timeoutMs !== undefined ? { timeoutMs } : {}) }) };
  });
  // --ssh-config's content, once, before any host is read (ssh -G for the first host): a line ssh refuses
  // is bad input (exit 2), not a failure of every host.
  const config = argv['ssh-config'];
  const refused = config !== undefined && config.toLowerCase() !== 'none' ? sources[0].source.sshConfigRefusal() : undefined;
  if (refused) throw new UsageError(`--ssh-config ${config}: ssh refuses it: ${refused}`);
  return sources;
}
