// Library API for code generation as automation calls it: validates either request shape, renders the server
// (same document as `sockscope generate-server --json`) and writes the files only when an output path is given,
// through the codegen writer (temp file + rename, never replacing an existing file unless `force`).
import { z } from 'zod';
import { FileExistsError, GeneratorInputSchema, generateServer, writeFilesAtomic, type GenerateResult, type GeneratorInput } from '../codegen/index.js';
import { directoriesAmong, existingFiles } from '../codegen/write.js';
import { InvalidInputError, parseInput } from './errors.js';

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

/** `sockscope generate-server --json` document, plus `written` (the paths) when files were written. */
export type GenerateServerReport = GenerateResult & { written?: string[] };

/**
 * Renders a server from either shape; writes the files when `output` (or config.output) is given.
 * Bad input throws InvalidInputError (code invalid-input, invalid-options or file-exists).
 */
export function generateServerFiles(input: GenerateFilesInput | GenerateAutomationInput): GenerateServerReport {
  let gi: GeneratorInput;
  let output: string | undefined;
  let force = false;
  if (typeof input === 'object' && input !== null && (input as { operation?: unknown }).operation !== undefined) {
    const a = parseInput(GenerateAutomationInputSchema, input, 'generate');
    const { output: out, ...rest } = a.config;
    gi = { ...rest, type: a.type.replace(/-server$/, '') as 'tcp' | 'udp' };
    output = out;
    force = a.force ?? false;
  } else {
    const f = parseInput(GenerateFilesInputSchema, input ?? {}, 'generate-server');
    const { output: out, force: fo, type, ...rest } = f;
    gi = { ...rest, ...(type ? { type: type.replace(/-server$/, '') as 'tcp' | 'udp' } : {}) };
    output = out;
    force = fo ?? false;
  }
  // Bad options throw GeneratorOptionsError, an InvalidInputError (code invalid-options).
  const r: GenerateResult = generateServer(gi, { output });
  if (output === undefined) return r;
  // A directory is never replaced, not even with force (the write would fail with EISDIR, exit 1).
  const dirs = directoriesAmong(r.files);
  if (dirs.length) {
    const msg = `${dirs[0]} is a directory; output names the file to write (a path inside it, e.g. ${dirs[0]}/server...)`;
    throw new InvalidInputError(msg, [{ path: 'output', message: msg }]);
  }
  if (!force) {
    const exist = existingFiles(r.files);
    if (exist.length) throw fileExists(exist);
  }
  try {
    return { ...r, written: writeFilesAtomic(r.files, { force }) };
  } catch (e) {
    if (e instanceof FileExistsError) throw fileExists(e.paths);
    throw e;
  }
}

function fileExists(paths: string[]): InvalidInputError {
  const msg = `${paths.join(', ')} already exist${paths.length === 1 ? 's' : ''}; set "force": true to overwrite (or choose another output)`;
  return new InvalidInputError(msg, [{ path: 'output', message: msg }], 'file-exists');
}
