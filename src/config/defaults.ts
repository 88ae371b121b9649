// The configuration's keys, types and built-in defaults, without zod: what every command needs to start
// (schema.ts holds the zod schemas that validate files and flags, loaded only when there are some).
// The languages are the generator's (codegen/languages.ts, pure data): one list, not a copy to keep in step.
import type { GenLanguage } from '../codegen/languages.js';

export const SOURCES = ['auto', 'netlink', 'ss', 'procfs', 'netstat'] as const;

/** The settings sockscope reads (schema.ts's ConfigSchema checks it is the same type as its own). */
export interface Config {
  /** Language the generator proposes first. */
  defaultLanguage: GenLanguage;
  /** IO model the generator proposes first (must suit the language; checked by the generator). */
  defaultIoModel: string;
  /** Read buffer size for generated servers, bytes (512 .. 64 MiB). */
  bufferSize: number;
  /** Whether generated code carries explanatory comments. */
  generateComments: boolean;
  /** Monitor refresh interval, ms (100 .. 3,600,000). */
  intervalMs: number;
  /** Collector to use (auto picks the first that works). */
  source: (typeof SOURCES)[number];
  /** Colour output. */
  color: boolean;
  /** Log every OS call (SOCKET_DEBUG). */
  debug: boolean;
  /** Rule threshold overrides by name (see `sockscope config` for the names and defaults). */
  thresholds: Record<string, number>;
  /** Keymap overrides: command name -> list of keys. */
  keymap: Record<string, string[]>;
}

/** One config source (a file, the environment, flags): any subset of the keys. */
export type ConfigFile = Partial<Config>;

/** Bounds of bufferSize, shared by the schema and the environment's DEFAULT_BUFFER_SIZE. */
export const BUFFER_SIZE_MIN = 512;
export const BUFFER_SIZE_MAX = 64 * 1024 * 1024;
/** Bounds of intervalMs (the schema; messages say them). */
export const INTERVAL_MS_MIN = 100;
export const INTERVAL_MS_MAX = 3_600_000;

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

/** Every top-level key, in the order `sockscope config` prints them. */
export const CONFIG_KEYS = Object.keys(DEFAULT_CONFIG) as (keyof Config)[];
