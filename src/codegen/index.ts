// Library entry for code generation: generateServer() takes generator options (or the automation
// shape {operation: 'generate', type: 'tcp-server', config: {...}}) and returns the rendered files.
import type { Config } from '../config/schema.js';
import { loadConfig } from '../config/load.js';
import { GeneratorOptionsError, resolveOptions, type GeneratorInput } from './options.js';
import { renderServer, type GenerateResult, type RenderTarget } from './render.js';

export * from './options.js';
export { renderServer, shellQuote, GENERATOR_VERSION, type GenerateResult, type GeneratedFile, type TemplateContext, type CommandContext } from './render.js';
export { listCombinations, findVariant, findTemplatesDir } from './registry.js';
export { writeFilesAtomic, FileExistsError } from './write.js';

/** The request automation already sends (task interface). */
export interface AutomationGenerateRequest {
  operation: 'generate';
  /** 'tcp-server' | 'udp-server' (also 'tcp' | 'udp'). */
  type: string;
  config?: Record<string, unknown> & { output?: string };
}

function isAutomation(x: unknown): x is AutomationGenerateRequest {
  return typeof x === 'object' && x !== null && (x as { operation?: unknown }).operation !== undefined;
}

/** Turns the automation shape into GeneratorInput (+ output path). */
export function fromAutomation(req: AutomationGenerateRequest): { input: GeneratorInput; output?: string } {
  if (req.operation !== 'generate') throw new GeneratorOptionsError(`operation must be "generate", got ${JSON.stringify(req.operation)}`);
  const m = /^(tcp|udp)(-server)?$/.exec(String(req.type ?? 'tcp-server'));
  if (!m) throw new GeneratorOptionsError(`type must be "tcp-server" or "udp-server", got ${JSON.stringify(req.type)}`);
  const { output, ...rest } = (req.config ?? {}) as Record<string, unknown>;
  return { input: { ...(rest as GeneratorInput), type: m[1] as 'tcp' | 'udp' }, output: typeof output === 'string' ? output : undefined };
}

/**
 * Generates a server. `input` is GeneratorInput (every field optional) or the automation request.
 * Throws GeneratorOptionsError for bad input (exit 2 in the CLI). Writes nothing: see writeFilesAtomic.
 */
export function generateServer(
  input: GeneratorInput | AutomationGenerateRequest,
  opts: RenderTarget & { config?: Config } = {},
): GenerateResult {
  let gi: GeneratorInput;
  let output = opts.output;
  if (isAutomation(input)) {
    const a = fromAutomation(input);
    gi = a.input;
    output ??= a.output;
  } else gi = input;
  const options = resolveOptions(gi, opts.config ?? loadConfig().config);
  return renderServer(options, { output, write: opts.write, templatesDir: opts.templatesDir });
}
