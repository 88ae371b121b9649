// The address a command's host names, checked before any socket call: shared by `sockscope try` (ADDRESS)
// and `sockscope export` (--listen), each with its own words for the errors.
import { isIP } from 'node:net';
import { escapeControl } from '../model/escape.js';
import { UsageError, briefWord } from './errors.js';

/** How a command names what was typed in its errors. */
export interface AddressWords {
  /** The input as the command's errors name it: 'ADDRESS', '--listen'. */
  input: string;
  /** The usage error (exit 2) for a name that does not exist (ENOTFOUND, EAI_NONAME, EAI_NODATA). */
  notFound: (code: string) => string;
  /** The runtime failure (exit 1) for a resolver that cannot answer now (EAI_AGAIN...), given why in words. */
  noAnswer: (why: string) => Error;
}

/**
 * An IP literal as it is, once its zone (the scope id after %, an interface name or index) names an
 * interface of this network namespace; else the name resolved (its first address, as Node's listen and
 * connect take it, and all of them). Bad input is a UsageError; a resolver that does not answer, noAnswer.
 * The socket modules load only when needed: `export` with an IP literal and no zone loads neither.
 */
export async function resolveAddress(host: string, words: AddressWords): Promise<{ address: string; all?: string[] }> {
  // An IPv6 literal with a zone Node's isIP refuses (one holding control characters): still a literal, whose
  // zone names no interface, not a name for the resolver ("does not resolve (ENOTFOUND)" misled).
  const pct = host.indexOf('%');
  if (isIP(host) || (pct > 0 && isIP(host.slice(0, pct)) === 6)) {
    const zone = pct > 0 ? host.slice(pct + 1) : undefined;
    if (zone !== undefined) {
      const { zoneIndex } = await import('../collect/try-call.js');
      if (zoneIndex(zone) === undefined) throw new UsageError(`${words.input}: the zone '${briefWord(zone, escapeControl)}' after % names no network interface of this host (ip -br link lists them)`);
    }
    return { address: host };
  }
  const { resolveOne } = await import('../collect/try-call-context.js');
  try {
    return await resolveOne(host);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
    // A name that does not exist is bad input; a resolver that cannot answer now (EAI_AGAIN...) is a runtime failure.
    if (code === 'ENOTFOUND' || code === 'EAI_NONAME' || code === 'EAI_NODATA') throw new UsageError(words.notFound(code));
    throw words.noAnswer(`'${briefWord(host)}' could not be resolved now (${code}): the resolver did not answer (getent ahosts ${briefWord(host)}; cat /etc/resolv.conf)`);
  }
}
