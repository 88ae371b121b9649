// The generate-server wizard's reducer driven without a screen or a disk: real code generation, nothing written.
import type { Config } from '../../src/config/schema.js';
import { generateServer } from '../../src/codegen/index.js';
import type { WizardDeps, WizardState } from '../../src/ui/wizard/reducer.js';
import { visibleSteps } from '../../src/ui/wizard/steps.js';

/**
 * Wizard deps for `config`: generateServer makes the files, no path exists or is a directory, and "write"
 * writes nothing, answering with the paths it would have written.
 */
export function wizardDeps(config: Config): WizardDeps {
  return {
    config,
    generate: (i, o) => generateServer(i, { output: o, config }),
    exists: () => [],
    directories: () => [],
    write: (r) => r.files.map((f) => f.path),
  };
}

/** The id of the step the wizard is on ('language', 'output', ...). */
export const stepId = (s: WizardState): string => visibleSteps(s.input)[s.step].id;
