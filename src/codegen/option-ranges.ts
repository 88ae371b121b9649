// The generator's numeric options: each one's range and the one sentence every caller refuses a value with (the
// CLI, the wizard, the library and tasks), and the CLI flag each option is given with (messages name flags).
import type { GeneratorInput } from './options.js';

/** The CLI flag for each option key (messages name flags, as users type them). */
export const OPTION_FLAGS: Record<keyof GeneratorInput, string> = {
  type: '--type',
  language: '--language',
  ioModel: '--io-model',
  handler: '--handler',
  port: '--port',
  bindAddress: '--bind',
  ipv6: '--ipv6',
  dualStack: '--dual-stack',
  backlog: '--backlog',
  bufferSize: '--buffer-size',
  sndbuf: '--sndbuf',
  rcvbuf: '--rcvbuf',
  nonBlocking: '--non-blocking',
  tcpNodelay: '--tcp-nodelay',
  reusePort: '--reuse-port',
  keepalive: '--keepalive',
  maxConnections: '--max-connections',
  idleTimeoutMs: '--idle-timeout',
  gracefulShutdownMs: '--graceful-shutdown',
  comments: '--comments',
  profile: '--profile',
  platform: '--platform',
};

/** Each numeric option's range; `size`: bytes, said with their k/M form. Every caller's refusal comes from rangeRefusal. */
export const NUMBER_RANGES = {
  port: { min: 0, max: 65535 },
  backlog: { min: 1, max: 65535 },
  bufferSize: { min: 512, max: 64 * 1024 * 1024, size: true },
  sndbuf: { min: 1, max: 1 << 30, size: true },
  rcvbuf: { min: 1, max: 1 << 30, size: true },
  maxConnections: { min: 0, max: 10_000_000 },
  idleTimeoutMs: { min: 0, max: 86_400_000 },
  gracefulShutdownMs: { min: 0, max: 600_000 },
  'keepalive.idle': { min: 1, max: 32767 },
  'keepalive.interval': { min: 1, max: 32767 },
  'keepalive.count': { min: 1, max: 127 },
} as const;
export type RangedOption = keyof typeof NUMBER_RANGES;

const sizeText = (n: number): string => (n >= 1 << 20 && n % (1 << 20) === 0 ? `${n >> 20}M (${n})` : n >= 1024 && n % 1024 === 0 ? `${n >> 10}k (${n})` : String(n));

/**
 * Why `value` is refused for the option (null: it is in range), in the words the CLI, the wizard, the library and tasks all
 * give: "must be 512 to 64M (67108864), got 70M", with `typed`, the value as written, when there is one. zod's own words
 * ("Too big: expected number to be <=67108864") named no value, and a huge number got a second message about JavaScript's
 * safe integers.
 */
export function rangeRefusal(key: RangedOption, value: number, typed = String(value)): string | null {
  const r: { min: number; max: number; size?: boolean } = NUMBER_RANGES[key];
  if (Number.isInteger(value) && value >= r.min && value <= r.max) return null;
  const show = r.size ? sizeText : String;
  return `must be ${Number.isInteger(value) ? '' : 'a whole number '}${show(r.min)} to ${show(r.max)}, got ${typed}`;
}

/** The flag a ranged option is given with: --buffer-size, --keepalive idle. */
export function rangedFlag(key: RangedOption): string {
  const [head, sub] = key.split('.') as [keyof GeneratorInput, string?];
  return sub ? `${OPTION_FLAGS[head]} ${sub}` : OPTION_FLAGS[head];
}

/** The refusals of the numeric options of `input` that are out of range; `typed` holds values as written (the CLI's 70M). */
export function rangeRefusals(input: GeneratorInput, typed: Partial<Record<RangedOption, string>> = {}): string[] {
  const out: string[] = [];
  for (const key of Object.keys(NUMBER_RANGES) as RangedOption[]) {
    const [head, sub] = key.split('.');
    const v = (sub ? (input[head as 'keepalive'] as Record<string, unknown> | undefined)?.[sub] : input[head as keyof GeneratorInput]) as unknown;
    const refused = typeof v === 'number' ? rangeRefusal(key, v, typed[key]) : null;
    if (refused) out.push(`${rangedFlag(key)} ${refused}`);
  }
  return out;
}
