// The configuration schema (zod): every source (user file, project file, env, flags) is validated against it.
import { z } from 'zod';

export const LANGUAGES = ['c', 'python', 'node'] as const;

/** The settings sockscope reads; all optional in files, filled from defaults. */
export const ConfigSchema = z
  .object({
    /** Language the generator proposes first. */
    defaultLanguage: z.enum(LANGUAGES),
    /** IO model the generator proposes first (must suit the language; checked by the generator). */
    defaultIoModel: z.string().min(1),
    /** Read buffer size for generated servers, bytes. */
    bufferSize: z.number().int().min(512).max(64 * 1024 * 1024),
    /** Whether generated code carries explanatory comments. */
    generateComments: z.boolean(),
    /** Monitor refresh interval, ms. */
    intervalMs: z.number().int().min(100).max(3_600_000),
    /** Collector to use (auto picks the first that works). */
    source: z.enum(['auto', 'netlink', 'ss', 'procfs', 'netstat']),
    /** Colour output. */
    color: z.boolean(),
    /** Log every OS call (SOCKET_DEBUG). */
    debug: z.boolean(),
    /** Rule threshold overrides by name (see `sockscope config` for the names and defaults). */
    thresholds: z.record(z.string(), z.number()),
    /** Keymap overrides: command name -> list of keys. */
    keymap: z.record(z.string(), z.array(z.string())),
  })
  .strict();

export type Config = z.infer<typeof ConfigSchema>;

/** The built-in defaults (lowest precedence). */
export const DEFAULT_CONFIG: Config = {
  defaultLanguage: 'c',
  defaultIoModel: 'epoll',
  bufferSize: 65536,
  generateComments: true,
  intervalMs: 1000,
  source: 'auto',
  color: true,
  debug: false,
  thresholds: {},
  keymap: {},
};
