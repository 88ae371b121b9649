// The configuration schema (zod): every config file and the flags are validated against it. The keys,
// types and defaults are in defaults.ts (no zod), so that a start without config files loads no zod.
import { z } from 'zod';
import { editDistance } from '../model/edit-distance.js';
import { DEFAULT_THRESHOLDS } from '../advise/thresholds.js';
import { DEFAULT_KEYMAP } from '../ui/keymap.js';
import { BUFFER_SIZE_MAX, BUFFER_SIZE_MIN, LANGUAGES, SOURCES, type Config } from './defaults.js';

export { CONFIG_KEYS, DEFAULT_CONFIG, LANGUAGES, SOURCES, type Config, type ConfigFile } from './defaults.js';

/** The settings sockscope reads; all optional in files, filled from defaults. */
export const ConfigSchema = z
  .object({
    /** Language the generator proposes first. */
    defaultLanguage: z.enum(LANGUAGES),
    /** IO model the generator proposes first (must suit the language; checked by the generator). */
    defaultIoModel: z.string().min(1),
    /** Read buffer size for generated servers, bytes. */
    bufferSize: z.number().int().min(BUFFER_SIZE_MIN).max(BUFFER_SIZE_MAX),
    /** Whether generated code carries explanatory comments. */
    generateComments: z.boolean(),
    /** Monitor refresh interval, ms. */
    intervalMs: z.number().int().min(100).max(3_600_000),
    /** Collector to use (auto picks the first that works). */
    source: z.enum(SOURCES),
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

/** Compile-time check: the schema describes exactly defaults.ts's Config. */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const schemaMatchesConfig: Same<z.infer<typeof ConfigSchema>, Config> = true;
void schemaMatchesConfig;

/** Threshold names a file may set (the rules' DEFAULT_THRESHOLDS). */
export const THRESHOLD_NAMES: readonly string[] = Object.keys(DEFAULT_THRESHOLDS);
/** Keymap command names a file may rebind. */
export const KEYMAP_COMMANDS: readonly string[] = DEFAULT_KEYMAP.map((b) => b.command);

/**
 * One config file (user file, sockscope.yaml): any subset of the keys; threshold names and keymap
 * commands must be known (a typo would otherwise be ignored silently); threshold values finite and >= 0.
 */
export const ConfigFileSchema = ConfigSchema.extend({
  thresholds: z.record(z.string(), z.number().finite().min(0)),
  keymap: z.record(z.string(), z.array(z.string().min(1)).min(1)),
})
  .partial()
  .strict()
  .superRefine((cfg, ctx) => {
    for (const name of Object.keys(cfg.thresholds ?? {}))
      if (!THRESHOLD_NAMES.includes(name))
        ctx.addIssue({ code: 'custom', path: ['thresholds', name], message: `unknown threshold${suggest(name, THRESHOLD_NAMES)}` });
    for (const name of Object.keys(cfg.keymap ?? {}))
      if (!KEYMAP_COMMANDS.includes(name))
        ctx.addIssue({ code: 'custom', path: ['keymap', name], message: `unknown keymap command${suggest(name, KEYMAP_COMMANDS)}` });
  });

/** The keys the babysitter skill file may set under `socket-programming`. */
export const SKILL_KEYS = ['defaultLanguage', 'defaultIoModel', 'bufferSize', 'generateComments'] as const;

/** `.babysitter/skills/socket-programming.yaml`: the `socket-programming` block (other top-level keys belong to other skills). */
export const SkillFileSchema = z.object({
  'socket-programming': ConfigSchema.pick({ defaultLanguage: true, defaultIoModel: true, bufferSize: true, generateComments: true })
    .partial()
    .strict()
    .nullable()
    .optional(),
});

/** Flags: any subset of the keys, same rules as a file. */
export const ConfigFlagsSchema = ConfigFileSchema;

/** " (did you mean X?)" for the closest name within edit distance 3, else "". */
export function suggest(name: string, known: readonly string[]): string {
  let best: string | undefined;
  let bestD = 4;
  for (const k of known) {
    const d = editDistance(name.toLowerCase(), k.toLowerCase());
    if (d < bestD) [best, bestD] = [k, d];
  }
  return best ? ` (did you mean ${best}?)` : '';
}

