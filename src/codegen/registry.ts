// Template registry: which template files produce the server for (language, ioModel, type, handler,
// platform). The mapping is data: each templates/<language>/manifest.json lists its variants, so a
// language's owner adds templates without touching TypeScript.
//
// manifest.json shape (validated below):
// {
//   "language": "python",
//   "commentStyle": "hash",            // "hash" (# ...), "slash" (// ...) or "block" (/* ... */)
//   "variants": [
//     {
//       "ioModels": ["asyncio"], "types": ["tcp"], "handlers": ["echo", "http"], "platforms": ["posix"],
//       "files": [ { "template": "asyncio-tcp.py.eta", "name": "{stem}.py" } ],   // first file = main file
//       "buildCommand": null,                         // eta string or null (nothing to build)
//       "runCommand": "python3 <%= it.q(it.main) %>"  // eta string
//     }
//   ]
// }
// Template paths are relative to templates/<language>/. "{stem}" is the output name without extension
// (from --output, default "server"). buildCommand/runCommand are eta strings rendered with
// CommandContext (see render.ts).
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { GEN_LANGUAGES, HANDLERS, PLATFORMS, SERVER_TYPES, resolveOptions, type GenLanguage, type GeneratorOptions } from './options.js';
import { DEFAULT_CONFIG } from '../config/defaults.js';

export const COMMENT_STYLES = ['hash', 'slash', 'block'] as const;
export type CommentStyle = (typeof COMMENT_STYLES)[number];

const VariantSchema = z
  .object({
    ioModels: z.array(z.string().min(1)).min(1),
    types: z.array(z.enum(SERVER_TYPES)).min(1),
    handlers: z.array(z.enum(HANDLERS)).min(1),
    platforms: z.array(z.enum(PLATFORMS)).min(1),
    files: z.array(z.object({ template: z.string().min(1), name: z.string().min(1) }).strict()).min(1),
    buildCommand: z.string().nullable(),
    runCommand: z.string().min(1),
    /** An eta string like buildCommand: where buildCommand is not the whole story (GenerateResult.buildNote). */
    buildNote: z.string().optional(),
  })
  .strict();

const ManifestSchema = z
  .object({
    language: z.enum(GEN_LANGUAGES),
    commentStyle: z.enum(COMMENT_STYLES),
    variants: z.array(VariantSchema),
  })
  .strict();

export type TemplateVariant = z.infer<typeof VariantSchema>;
export type TemplateManifest = z.infer<typeof ManifestSchema>;

/** The variant chosen for a set of options, with its manifest's language-wide settings. */
export interface ResolvedVariant extends TemplateVariant {
  language: GenLanguage;
  commentStyle: CommentStyle;
  /** Directory of the language's templates (absolute). */
  dir: string;
}

/** Finds templates/ next to package.json, walking up from this module (works from src/ and from dist/). */
export function findTemplatesDir(): string {
  if (process.env.SOCKSCOPE_TEMPLATES_DIR) return process.env.SOCKSCOPE_TEMPLATES_DIR;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let k = 0; k < 8; k++) {
    if (existsSync(join(dir, 'templates')) && existsSync(join(dir, 'package.json'))) return join(dir, 'templates');
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  throw new Error('cannot find the templates/ directory (set SOCKSCOPE_TEMPLATES_DIR)');
}

const manifestCache = new Map<string, TemplateManifest | null>();

/** Reads and validates templates/<language>/manifest.json; null when the language has none yet. */
export function loadManifest(language: GenLanguage, templatesDir = findTemplatesDir()): TemplateManifest | null {
  const file = join(templatesDir, language, 'manifest.json');
  if (manifestCache.has(file)) return manifestCache.get(file) ?? null;
  if (!existsSync(file)) {
    manifestCache.set(file, null);
    return null;
  }
  const parsed = ManifestSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
  if (!parsed.success) {
    throw new Error(`${file}: invalid template manifest: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  }
  if (parsed.data.language !== language) throw new Error(`${file}: language is ${parsed.data.language}, expected ${language}`);
  manifestCache.set(file, parsed.data);
  return parsed.data;
}

/** Forgets cached manifests (tests that edit templates). */
export function clearRegistryCache(): void {
  manifestCache.clear();
}

/** The variant that generates these options, or null when no template covers them. */
export function findVariant(o: GeneratorOptions, templatesDir = findTemplatesDir()): ResolvedVariant | null {
  const m = loadManifest(o.language, templatesDir);
  if (!m) return null;
  const v = m.variants.find(
    (x) => x.ioModels.includes(o.ioModel) && x.types.includes(o.type) && x.handlers.includes(o.handler) && x.platforms.includes(o.platform),
  );
  if (!v) return null;
  return { ...v, language: m.language, commentStyle: m.commentStyle, dir: join(templatesDir, m.language) };
}

/** Every valid combination the templates cover (for the README table, tests and the wizard). */
export function listCombinations(templatesDir = findTemplatesDir()): {
  language: GenLanguage;
  ioModel: string;
  type: string;
  handler: string;
  platform: string;
}[] {
  const out: { language: GenLanguage; ioModel: string; type: string; handler: string; platform: string }[] = [];
  const langs = existsSync(templatesDir) ? readdirSync(templatesDir) : [];
  for (const language of GEN_LANGUAGES) {
    if (!langs.includes(language)) continue;
    const m = loadManifest(language, templatesDir);
    if (!m) continue;
    for (const v of m.variants)
      for (const ioModel of v.ioModels)
        for (const type of v.types)
          for (const handler of v.handlers)
            for (const platform of v.platforms) {
              // Keep only combinations the option rules allow (e.g. no http over udp).
              try {
                resolveOptions({ language, ioModel, type, handler, platform }, DEFAULT_CONFIG);
              } catch {
                continue;
              }
              out.push({ language, ioModel, type, handler, platform });
            }
  }
  return out;
}
