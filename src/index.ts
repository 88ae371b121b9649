// The public library API of sockscope.
export * from './model/index.js';
export type { SocketSource, CollectOptions } from './collect/source.js';
// Knowledge: errno / Winsock codes and the socket option reference (one table for CLI, inspect-options, monitor, codegen).
export { explainErrno, ErrnoQuerySchema, ERRNO_PLATFORMS, ALL_ERRORS, UnknownErrnoError } from './knowledge/errno.js';
export type { ErrnoExplanation, ErrnoLookup, ErrnoPlatform, ErrnoQuery, NumberReading } from './knowledge/errno.js';
export { LINUX_ERRNOS, BSD_ERRNOS, WSA_ERRORS } from './knowledge/generated/errno-tables.js';
export type { LinuxErrno, BsdErrno, WsaError } from './knowledge/errno-types.js';
export { SOCKET_OPTIONS, SOCKET_OPTION_NAMES, describeOption, findOption, findOptionByNumber, OptionNameSchema, UnknownOptionError } from './knowledge/socket-options.js';
export type { SocketOptionInfo, OptionLevel, OptionValueType, ForeignOption } from './knowledge/socket-options.js';
// Configuration.
export { loadConfig, userConfigPath, projectConfigPaths } from './config/load.js';
export type { LoadedConfig, LoadConfigOptions, Origin, OriginInfo, ConfigFileRef } from './config/load.js';
export { ConfigSchema, ConfigFileSchema, DEFAULT_CONFIG } from './config/schema.js';
export type { Config, ConfigFile } from './config/schema.js';
// Code generation: generateServer (also accepts the automation shape {operation: 'generate', type: 'tcp-server', config}).
export { generateServer, fromAutomation, resolveOptions, GeneratorInputSchema, GeneratorOptionsError, IO_MODELS, listCombinations, writeFilesAtomic, FileExistsError } from './codegen/index.js';
export type { GeneratorInput, GeneratorOptions, GenerateResult, GeneratedFile, AutomationGenerateRequest, TemplateContext } from './codegen/index.js';
export { Wizard, MonitorWizard } from './ui/wizard/Wizard.js';
export type { WizardProps, WizardDone } from './ui/wizard/Wizard.js';
