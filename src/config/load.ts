// Loads the effective configuration. Minimal for now (defaults + env); the config issue adds files and origins.
import { DEFAULT_CONFIG, type Config } from './schema.js';

export type Origin = 'default' | 'user-file' | 'project-file' | 'env' | 'flag';

export interface LoadedConfig {
  config: Config;
  /** Where each top-level key's value came from (file path or env name in `detail`). */
  origins: Record<keyof Config, { origin: Origin; detail?: string }>;
}

/** The effective configuration for the current directory and environment. */
export function loadConfig(opts: { cwd?: string; env?: NodeJS.ProcessEnv; flags?: Partial<Config> } = {}): LoadedConfig {
  const env = opts.env ?? process.env;
  const config: Config = { ...DEFAULT_CONFIG, thresholds: {}, keymap: {} };
  const origins = Object.fromEntries(Object.keys(config).map((k) => [k, { origin: 'default' as Origin }])) as LoadedConfig['origins'];
  if (env.DEFAULT_BUFFER_SIZE) {
    const n = Number(env.DEFAULT_BUFFER_SIZE);
    if (Number.isInteger(n) && n >= 512) {
      config.bufferSize = n;
      origins.bufferSize = { origin: 'env', detail: 'DEFAULT_BUFFER_SIZE' };
    }
  }
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') {
    config.color = false;
    origins.color = { origin: 'env', detail: 'NO_COLOR' };
  }
  if (env.SOCKET_DEBUG === 'true') {
    config.debug = true;
    origins.debug = { origin: 'env', detail: 'SOCKET_DEBUG' };
  }
  for (const [k, v] of Object.entries(opts.flags ?? {})) {
    if (v === undefined) continue;
    (config as Record<string, unknown>)[k] = v;
    origins[k as keyof Config] = { origin: 'flag' };
  }
  return { config, origins };
}
