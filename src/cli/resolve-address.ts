// The address a command's host names, checked before any socket call: shared by `sockscope try` (ADDRESS)
// and `sockscope export` (--listen), each with its own words for the errors.
import { isIP } from 'node:net';
import { escapeControl } from '../model/escape.js';
import { UsageError, briefWord } from './errors.js';
import { ipFamily, withoutZone, zoneOf } from '../knowledge/host-port.js';

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
  const { address, all } = await lookUp(host, words);
  return all ? { address, all } : { address };
}

/**
 * resolveAddress's answer, with the interface index of a literal's zone (looked up once, to check it; nodeAddress
 * names the interface by it).
 */
async function lookUp(host: string, words: AddressWords): Promise<{ address: string; all?: string[]; index?: number }> {
  // An IPv6 literal with a zone Node's isIP refuses is still a literal: its zone an interface name with '_', '@' or
  // '+' in it (br_lan), which Linux allows, or one that names no interface (a control character in it), not a name
  // for the resolver ("does not resolve (ENOTFOUND)" misled). Returned as typed: Node's socket calls need the
  // interface's index instead (nodeAddress).
  const zone = zoneOf(host);
  if (isIP(host) || (zone !== undefined && ipFamily(host) === 6)) {
    if (zone === undefined) return { address: host };
    const { zoneIndex } = await import('../collect/try-call.js');
    const index = zoneIndex(zone);
    if (index === undefined) throw new UsageError(`${words.input}: the zone '${briefWord(zone, escapeControl)}' after % names no network interface of this host (ip -br link lists them)`);
    return { address: host, index };
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

/**
 * The address resolveAddress gives for `host` (its errors the same), as Node's net module takes it for a listening
 * socket: libuv turns a zone into a scope id with if_nametoindex, so a zone must be the interface's name (fe80::1%3
 * became scope 0: EINVAL), and Node's isIP takes only names of letters, digits, '-' and '.' (it hands fe80::1%br_lan
 * to the resolver, which drops the zone). A zone given by index is given by name (the index the check looked up); an
 * interface whose name Node cannot take is bad input, said so (exit 2).
 */
export async function nodeAddress(host: string, words: AddressWords): Promise<string> {
  // A resolved name's addresses carry no zone (getaddrinfo's are printed without a scope id): only a literal's has one.
  const { address, index } = await lookUp(host, words);
  if (index === undefined) return address;
  const zone = zoneOf(address)!;
  const { interfaceName } = await import('../collect/interface-names.js');
  const name = interfaceName(index);
  const named = `${withoutZone(address)}%${name ?? zone}`;
  if (isIP(named)) return named;
  throw new UsageError(
    `${words.input}: the zone '${briefWord(zone, escapeControl)}' names interface '${briefWord(name ?? zone, escapeControl)}', which Node's server cannot take as a zone (a name of letters, digits, '-' and '.' only): listen on an address that needs no zone (ip -br addr), or on [::] or 0.0.0.0`,
  );
}
