// The configuration schema (zod): every config file and the flags are validated against it. The keys,
// types and defaults are in defaults.ts (no zod), so that a start without config files loads no zod.
import { z } from 'zod';
import { editDistance } from '../model/edit-distance.js';
import { briefValue, MAX_ISSUES, notListedIssue } from '../model/input-error.js';
import { DEFAULT_THRESHOLDS, thresholdValueProblem } from '../advise/thresholds.js';
import { DEFAULT_KEYMAP } from '../ui/keymap.js';
import { GEN_LANGUAGES, IO_MODELS, normalizeIoModel } from '../codegen/languages.js';
import { BUFFER_SIZE_MAX, BUFFER_SIZE_MIN, INTERVAL_MS_MAX, INTERVAL_MS_MIN, SOURCES, type Config } from './defaults.js';

export { CONFIG_KEYS, DEFAULT_CONFIG, SOURCES, type Config, type ConfigFile } from './defaults.js';

/** "c: epoll, poll, ...; python: ...; node: ...": the IO models defaultIoModel may name. */
const IO_MODEL_LIST = GEN_LANGUAGES.map((l) => `${l}: ${IO_MODELS[l].join(', ')}`).join('; ');

/** The settings sockscope reads; all optional in files, filled from defaults. */
export const ConfigSchema = z
  .object({
    /** Language the generator proposes first. */
    defaultLanguage: z.enum(GEN_LANGUAGES),
    /**
     * IO model the generator proposes first: one of some language's IO models (or their aliases). It need
     * not suit defaultLanguage: the generator uses it for a language it suits and that language's first
     * model otherwise, so `defaultIoModel: asyncio` serves `--language python` while C stays the default.
     */
    defaultIoModel: z
      .string()
      .min(1)
      .refine((m) => GEN_LANGUAGES.some((l) => normalizeIoModel(l, m) !== null), { error: (iss) => `unknown IO model ${briefValue(iss.input)}; allowed: ${IO_MODEL_LIST}` }),
    /** Read buffer size for generated servers, bytes. */
    bufferSize: z.number().int().min(BUFFER_SIZE_MIN).max(BUFFER_SIZE_MAX),
    /** Whether generated code carries explanatory comments. */
    generateComments: z.boolean(),
    /** Monitor refresh interval, ms. */
    intervalMs: z.number().int().min(INTERVAL_MS_MIN).max(INTERVAL_MS_MAX),
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
 * A map from the `known` names (thresholds, keymap commands) to `value`. The names are checked on the
 * input's own keys before z.record parses it: z.record leaves a `__proto__` key out of its result without
 * an issue (YAML and JSON.parse make `__proto__:` an own key), so a check on the parsed map never saw it.
 * Names are compared with includes on the list, never `in`, so constructor or toString are not inherited.
 */
function namedMap<T extends z.ZodType>(value: T, known: readonly string[], what: string) {
  return z
    .unknown()
    .superRefine((input, ctx) => {
      if (input === null || typeof input !== 'object' || Array.isArray(input)) return; // z.record says what it expected
      // An error lists MAX_ISSUES problems: past those, the unknown names are only counted (notListedIssue), not each
      // made an issue with a suggestion (edit distance to every name): 100,000 unknown thresholds (1.3 MB) took 6.6 s
      // and 199 MB to refuse, 780,000 (10.8 MB) 48 s and 976 MB.
      let listed = 0;
      let unlisted = 0;
      for (const name of Object.keys(input)) {
        if (known.includes(name)) continue;
        if (listed === MAX_ISSUES) unlisted++;
        else {
          ctx.addIssue({ code: 'custom', path: [name], message: `unknown ${what}${suggest(name, known)}` });
          listed++;
        }
      }
      if (unlisted > 0) ctx.addIssue(notListedIssue(unlisted, [], `unknown ${what}s`));
    })
    .pipe(z.record(z.string(), value));
}

/**
 * Threshold overrides outside a config file (the library's and `sockscope task`'s analyze input
 * `thresholds`): the names a file may set (own keys: `__proto__`, `constructor` are unknown), each value in
 * the range of its kind. The warning/critical pairs are checked by the caller once the input is merged with
 * options.config.thresholds (api/host.ts), which may have moved the other level.
 */
export const ThresholdOverridesSchema = namedMap(z.number().finite(), THRESHOLD_NAMES, 'threshold').superRefine((t, ctx) => {
  for (const [name, value] of Object.entries(t)) {
    const problem = thresholdValueProblem(name, value);
    if (problem !== undefined) ctx.addIssue({ code: 'custom', path: [name], message: problem });
  }
});

/**
 * One config file (user file, sockscope.yaml): any subset of the keys; threshold names and keymap
 * commands must be known (a typo would otherwise be ignored silently); each threshold value in the range
 * of its kind (advise/thresholds.ts's THRESHOLD_KINDS: counts, ratios, seconds...). The warning/critical
 * pairs (THRESHOLD_PAIRS) are not checked here: a file may set one level and another file (or a flag) the
 * other, so they are checked once the sources are merged (resolve.ts's mergeConfig; api/config.ts's
 * libraryConfig for options.config, merged over the defaults).
 */
export const ConfigFileSchema = ConfigSchema.extend({
  thresholds: namedMap(z.number().finite(), THRESHOLD_NAMES, 'threshold'),
  keymap: namedMap(z.array(z.string().min(1)).min(1), KEYMAP_COMMANDS, 'keymap command'),
})
  .partial()
  .strict()
  .superRefine((cfg, ctx) => {
    for (const [name, value] of Object.entries(cfg.thresholds ?? {})) {
      if (typeof value !== 'number') continue; // as for keymap values below: its own error comes once the names are right
      const problem = thresholdValueProblem(name, value);
      if (problem !== undefined) ctx.addIssue({ code: 'custom', path: ['thresholds', name], message: problem });
    }
    for (const [name, keys] of Object.entries(cfg.keymap ?? {})) {
      // Only lists of names: with an unknown command in the map zod stops before checking the values
      // (namedMap), so a value may still be anything here; its own error comes once the name is fixed.
      if (!Array.isArray(keys)) continue;
      // A key the monitor never receives would leave the command unreachable, silently.
      const bad = keys.find((k) => typeof k === 'string' && !isKeyName(k));
      if (bad !== undefined) ctx.addIssue({ code: 'custom', path: ['keymap', name], message: unknownKeyMessage(bad) });
    }
  });

/**
 * The names ui/keymap.ts's keyName gives the keys that are not one character. It lives there as code, not
 * as a list; a test holds this list equal to what keyName returns.
 */
export const NAMED_KEYS: readonly string[] = ['up', 'down', 'left', 'right', 'pageup', 'pagedown', 'home', 'end', 'enter', 'escape', 'tab', 'backspace', 'space'];

/**
 * Ctrl+letter as keyName names it: Ctrl-H, Ctrl-I, Ctrl-J and Ctrl-M are the bytes of Backspace, Tab and
 * Enter (\b, \t, \n, \r), which Ink reports as those keys, so a binding to them would never fire.
 */
const CTRL_KEYS: readonly string[] = [...'abcdefgklnopqrstuvwxyz'].map((c) => `ctrl+${c}`);

/** True for a key name the monitor can receive: NAMED_KEYS, ctrl+LETTER, or one printable character as typed (q, G, ?). */
export function isKeyName(k: string): boolean {
  if (NAMED_KEYS.includes(k) || CTRL_KEYS.includes(k)) return true;
  const chars = [...k];
  if (chars.length !== 1) return false;
  const c = k.codePointAt(0)!;
  // keyName calls the space bar 'space'; control characters arrive as named keys or ctrl+LETTER.
  return c > 0x20 && c !== 0x7f && !(c >= 0x80 && c <= 0x9f);
}

function unknownKeyMessage(k: string): string {
  const hint = k === ' ' ? ' (did you mean space?)' : suggest(k, [...NAMED_KEYS, ...CTRL_KEYS]);
  return `unknown key ${briefValue(k)}${hint}; a key is one character (q, G, ?), ${NAMED_KEYS.join(', ')}, or ctrl+a..ctrl+z except ctrl+h, ctrl+i, ctrl+j, ctrl+m (the terminal sends those as backspace, tab and enter)`;
}

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

