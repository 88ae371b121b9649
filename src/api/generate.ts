// Library API for code generation as automation calls it: validates either request shape, renders the server
// (same document as `sockscope generate-server --json`) and writes the files only when an output path is given,
// through the codegen writer (temp file + rename, never replacing an existing file unless `force`).
// generateServer() and generateServerFiles() validate the same way: a wrong type or range is `invalid-input` with
// the field as path, a combination the generator refuses (backlog with udp) is GeneratorOptionsError
// (`invalid-options`); messages name the library's fields (ioModel), not the CLI's flags (--io-model).
// Defaults come from DEFAULT_CONFIG or the caller's `options.config`, never a config file (api/config.ts).
import { z } from 'zod';
import { relativeInRemovedDirectory } from '../config/resolve.js';
import {
  FileExistsError,
  GeneratorInputSchema,
  GeneratorOptionsError,
  generateServer as render,
  OPTION_FLAGS,
  resolveOptions as resolveWith,
  writeFilesAtomic,
  type GenerateResult,
  type GeneratorInput,
  type GeneratorOptions,
} from '../codegen/index.js';
import { DEFAULT_CONFIG, type Config } from '../config/schema.js';
import type { RenderTarget } from '../codegen/render.js';
import { directoriesCreatedFor } from '../codegen/write.js';
import { directoriesAmong, directoryOutputMessage, existingFiles, specialFileMessage, specialFilesAmong } from '../codegen/output-target.js';
import { libraryConfig, type LibraryOptions } from './config.js';
import { InvalidInputError, OutputUnwritableError, parseInput } from './errors.js';

/** tcp / udp, also spelled tcp-server / udp-server (the automation spelling). */
const ServerTypeSchema = z.enum(['tcp', 'udp', 'tcp-server', 'udp-server']);

const WriteFields = {
  /** Main output file; given: the files are written (relative paths from the current directory). */
  output: z.string().trim().min(1).optional(),
  /** Replace existing files (like --force). */
  force: z.boolean().optional(),
};

/** What generateServer() validates (the codegen option schema under the library's XxxInputSchema name). */
export const GenerateServerInputSchema = GeneratorInputSchema;
export type GenerateServerInput = z.input<typeof GenerateServerInputSchema>;

/** generateServerFiles' flat shape: `{type, port, language, ioModel, bufferSize, ..., output?, force?}` (type also tcp-server). */
export const GenerateFilesInputSchema = GeneratorInputSchema.extend({ type: ServerTypeSchema.optional(), ...WriteFields }).strict();
export type GenerateFilesInput = z.input<typeof GenerateFilesInputSchema>;

/** The shape automation already sends: `{operation: 'generate', type: 'tcp-server', config: {port, backlog, nonBlocking, tcpNodelay, output?}}`. */
export const GenerateAutomationInputSchema = z
  .object({
    operation: z.literal('generate'),
    type: ServerTypeSchema.default('tcp-server'),
    config: GeneratorInputSchema.omit({ type: true }).extend({ output: WriteFields.output }).strict().default({}),
    force: WriteFields.force,
  })
  .strict();
export type GenerateAutomationInput = z.input<typeof GenerateAutomationInputSchema>;

/**
 * `sockscope generate-server --json` document, plus `written` (the paths) and `createdDirectories` (the missing
 * directories the write created, absolute, outermost first) when files were written.
 */
export type GenerateServerReport = GenerateResult & { written?: string[]; createdDirectories?: string[] };

/**
 * Field name for each CLI flag the generator's messages use; --force as the setting itself ("not even with --force"
 * in the refusal of a C server's output under /dev said the CLI's flag: `"force": true`, as specialFileMessage says it).
 */
const FLAG_FIELDS = new Map<string, string>([
  ...Object.entries(OPTION_FLAGS).map(([field, flag]) => [flag, field] as [string, string]),
  ['--output', 'output'],
  ['--force', '"force": true'],
]);

/** One request, validated: generator input, output path, force; `automation` for the {operation, config} shape. */
interface Request {
  gi: GeneratorInput;
  output?: string;
  force: boolean;
  automation: boolean;
}

function isAutomation(input: unknown): boolean {
  return typeof input === 'object' && input !== null && (input as { operation?: unknown }).operation !== undefined;
}

function request(input: unknown, flat: z.ZodType, what: string): Request {
  if (isAutomation(input)) {
    const a = parseInput(GenerateAutomationInputSchema, input, 'generate');
    const { output, ...rest } = a.config;
    return { gi: { ...rest, type: a.type.replace(/-server$/, '') as 'tcp' | 'udp' }, output, force: a.force ?? false, automation: true };
  }
  if (input === undefined || input === null) {
    const message = `${what} takes an object ({} for the default server), got ${input}`;
    throw new InvalidInputError(message, [{ path: '', message }]);
  }
  const f = parseInput(flat, input, what) as GeneratorInput & { type?: string; output?: string; force?: boolean };
  const { output, force, type, ...rest } = f;
  return { gi: { ...rest, ...(type ? { type: type.replace(/-server$/, '') as 'tcp' | 'udp' } : {}) }, output, force: force ?? false, automation: false };
}

/** Renders, with the generator's refusals reworded for a library caller (fields, not flags; config.X in the automation shape). */
function renderRequest(req: Request, options: LibraryOptions | undefined, what: string, target: RenderTarget = {}): GenerateResult {
  const config = libraryConfig(options, what);
  try {
    return render(req.gi, { ...target, output: target.output ?? req.output, config });
  } catch (e) {
    if (!(e instanceof GeneratorOptionsError)) throw e;
    // --no-ipv6 is the field set to false.
    const words = (m: string) =>
      m.replace(/--(no-)?([a-z][a-z0-9-]*)/g, (flag, no: string | undefined, name: string) => {
        const field = FLAG_FIELDS.get(`--${name}`);
        return field === undefined ? flag : no ? `${field}: false` : field;
      });
    const at = (path: string) => (req.automation && path !== '' && path !== 'type' ? `config.${path}` : path);
    const issues = e.issues.map((i) => ({ path: at(i.path), message: words(i.message) }));
    // A bad output path (checkOutputPath) is bad input, not a combination of options the generator refuses.
    if (e.issues.length > 0 && e.issues.every((i) => i.path === 'output')) throw new InvalidInputError(words(e.message), issues);
    throw new GeneratorOptionsError(words(e.message), issues);
  }
}

/** generateServer's second argument: where the main file would go (`output`), the templates root, `config`. */
const TargetSchema = z
  .object({ output: WriteFields.output, templatesDir: z.string().min(1).optional(), config: z.unknown().optional() })
  .strict();

/**
 * Every generator option decided for raw input (the generator's resolveOptions), with DEFAULT_CONFIG's defaults
 * unless a config is given: the library's export, so that it does not read the working directory's config files.
 */
export function resolveOptions(raw: unknown, config: Config = DEFAULT_CONFIG): GeneratorOptions {
  return resolveWith(raw, config);
}

/**
 * Generates a server and writes nothing: GeneratorInput (every field optional; `{}` is the default TCP server) or
 * the automation shape. `target.output` names the main file in the result (default server.<ext>). Bad input:
 * InvalidInputError (code invalid-input, the field as path) or GeneratorOptionsError (invalid-options).
 */
export function generateServer(input: GenerateServerInput | GenerateAutomationInput, target: RenderTarget & LibraryOptions = {}): GenerateResult {
  // Checked like generateServerFiles' options: {confg: ...} or a bare string was dropped without a word. Issues
  // are at `options.FIELD` (as libraryConfig says it); `config` itself is libraryConfig's to check.
  const { config, ...where } = parseInput(TargetSchema, target, 'generateServer', 'options');
  return renderRequest(request(input, GenerateServerInputSchema, 'generateServer'), config === undefined ? undefined : ({ config } as LibraryOptions), 'generateServer', where);
}

/**
 * Renders a server from either shape; writes the files when `output` (or config.output) is given.
 * Bad input throws InvalidInputError (code invalid-input, invalid-options or file-exists); a file that cannot be
 * written, OutputUnwritableError (output-unwritable).
 */
export function generateServerFiles(input: GenerateFilesInput | GenerateAutomationInput, options?: LibraryOptions): GenerateServerReport {
  const req = request(input, GenerateFilesInputSchema, 'generate-server');
  const { output, force } = req;
  // Bad options throw GeneratorOptionsError, an InvalidInputError (code invalid-options).
  const r: GenerateResult = renderRequest(req, options, 'generateServerFiles');
  if (output === undefined) return r;
  // A directory is never replaced, not even with force (the write would fail with EISDIR, exit 1).
  // The output field as the caller spelt it: config.output in the automation shape.
  const field = req.automation ? 'config.output' : 'output';
  // A relative name in a removed current directory: said so, before the writer fails with "uv_cwd" or re-creates it.
  for (const f of r.files) {
    const gone = relativeInRemovedDirectory(f.path);
    if (gone !== undefined) throw new InvalidInputError(gone, [{ path: field, message: gone }]);
  }
  const dirs = directoriesAmong(r.files);
  if (dirs.length) {
    const msg = directoryOutputMessage(dirs[0], r.options.language, 'output');
    throw new InvalidInputError(msg, [{ path: field, message: msg }]);
  }
  // Nor a device, a FIFO or a socket (or a link to one): force does not replace them either.
  const special = specialFilesAmong(r.files);
  if (special.length) {
    const msg = specialFileMessage(special[0].path, special[0].kind, 'output');
    throw new InvalidInputError(msg, [{ path: field, message: msg }]);
  }
  if (!force) {
    const exist = existingFiles(r.files);
    if (exist.length) throw fileExists(exist, field);
  }
  try {
    const written = writeFilesAtomic(r.files, { force });
    return { ...r, written, createdDirectories: directoriesCreatedFor(written) };
  } catch (e) {
    if (e instanceof FileExistsError) throw fileExists(e.paths, field);
    // The writer says "cannot write P: <reason>" (codegen/write.ts), the system's error as its cause: that is ours too.
    throw new OutputUnwritableError((e as Error).message, { cause: (e as Error).cause ?? e });
  }
}

function fileExists(paths: string[], field: string): InvalidInputError {
  const msg = `${paths.join(', ')} already exist${paths.length === 1 ? 's' : ''}; set "force": true to overwrite (or choose another output)`;
  return new InvalidInputError(msg, [{ path: field, message: msg }], 'file-exists');
}
