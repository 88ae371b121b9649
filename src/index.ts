// The public library API of sockscope.
// The shared defaults every call starts from, frozen (deeply) where the library hands them out: a caller's
// `DEFAULT_THRESHOLDS.closeWaitCount = 0` or `DEFAULT_CONFIG.bufferSize = 1` changed every later analyze() and
// generateServer() in the process, unvalidated (README: results are isolated from shared state). Nothing in
// sockscope writes to them: each call copies what it changes (libraryConfig, resolveThresholds).
// So is IO_MODELS (`IO_MODELS.c.length = 0` changed every later generateServer()): here, as codegen/languages.ts
// imports nothing. The other tables (ALL_RULES, HEALTH_CHECKS, SEVERITY_ORDER, THRESHOLD_DOCS, SOCKET_OPTIONS, the
// errno tables) are frozen where they are defined, with the same model/deep-freeze.ts.
import { DEFAULT_CONFIG as sharedConfig } from './config/schema.js';
import { DEFAULT_THRESHOLDS as sharedThresholds } from './advise/engine.js';
import { IO_MODELS as sharedIoModels } from './codegen/languages.js';
import { deepFreeze } from './model/deep-freeze.js';

deepFreeze(sharedConfig);
deepFreeze(sharedThresholds);
deepFreeze(sharedIoModels);

export * from './model/index.js';
export type { SocketSource, CollectOptions } from './collect/source.js';
// Knowledge: errno / Winsock codes and the socket option reference (one table for CLI, inspect-options, monitor, codegen).
export { ErrnoQuerySchema, ERRNO_PLATFORMS, ALL_ERRORS, UnknownErrnoError } from './knowledge/errno.js';
export type { ErrnoExplanation, ErrnoLookup, ErrnoPlatform, ErrnoQuery, NumberReading } from './knowledge/errno.js';
export { LINUX_ERRNOS, BSD_ERRNOS, WSA_ERRORS } from './knowledge/generated/errno-tables.js';
export type { LinuxErrno, BsdErrno, WsaError } from './knowledge/errno-types.js';
export { SOCKET_OPTIONS, SOCKET_OPTION_NAMES, findOption, findOptionByNumber, OptionNameSchema, UnknownOptionError } from './knowledge/socket-options.js';
export type { SocketOptionInfo, OptionLevel, OptionValueType, ForeignOption, OptionReport } from './knowledge/socket-options.js';
// Configuration.
export { userConfigPath, projectConfigPaths } from './config/load.js';
// The library's loadConfig: a bad file or variable is a ConfigError (code config-error), not the CLI's UsageError.
export { loadConfig } from './api/config.js';
export type { LoadedConfig, LoadConfigOptions, Origin, OriginInfo, ConfigFileRef } from './config/load.js';
export { ConfigSchema, ConfigFileSchema, DEFAULT_CONFIG } from './config/schema.js';
export type { Config, ConfigFile } from './config/schema.js';
// Code generation: generateServer (also accepts the automation shape {operation: 'generate', type: 'tcp-server', config}).
// generateServer (validated like generateServerFiles, messages naming fields) and resolveOptions are
// api/generate.ts's: defaults from DEFAULT_CONFIG or the caller's config, never a config file.
export { fromAutomation, GeneratorInputSchema, GeneratorOptionsError, IO_MODELS, listCombinations, writeFilesAtomic, FileExistsError } from './codegen/index.js';
export type { GeneratorInput, GeneratorOptions, GenerateResult, GeneratedFile, AutomationGenerateRequest, TemplateContext } from './codegen/index.js';
// The wizards are Ink components: loaded on demand, so that importing the library does not evaluate React, Ink
// and react-reconciler (an import of explainErrno cost 190 ms with them, README Library API).
export type { WizardProps, WizardDone } from './ui/wizard/Wizard.js';
/** The code generator's wizard and the monitor's (Ink components): `const { Wizard } = await loadWizard()`. */
export async function loadWizard(): Promise<{ Wizard: typeof import('./ui/wizard/Wizard.js').Wizard; MonitorWizard: typeof import('./ui/wizard/Wizard.js').MonitorWizard }> {
  const { Wizard, MonitorWizard } = await import('./ui/wizard/Wizard.js');
  return { Wizard, MonitorWizard };
}
// One socket under the microscope: the getsockopt helper (pidfd_getfd + getsockopt, kernel-view fallback),
// debug-connections probing and `try` calls, with their pure interpretations.
export { inspectSocketOptions, inspectKernelSocket, resolveOptionNames } from './collect/getsockopt.js';
export { readOptionsOnFd } from './collect/getsockopt-read-fd.js';
export type { InspectResult, InspectTarget, OptionReading } from './collect/getsockopt.js';
export { locateListener, locateInode, findSocketHolders } from './collect/getsockopt-locate.js';
export type { LocatedSocket } from './collect/getsockopt-locate.js';
export type { TcpInfoStruct, DecodedValue } from './collect/getsockopt-decode.js';
export { buildOptionsReport, interpretOption, displayValue } from './knowledge/interpret-options.js';
export type { OptionInterpretation, OptionReportRow } from './knowledge/interpret-options.js';
export { probeConnections } from './collect/connect-probe.js';
export type { ProbeResult, ProbeOptions, AddressProbe, TlsResult } from './collect/connect-probe.js';
export { parseHostPort, diagnoseConnectError } from './knowledge/interpret-connect.js';
export type { ConnectDiagnosis } from './knowledge/interpret-connect.js';
export { runTry } from './collect/try-call-context.js';
export type { TryRun } from './collect/try-call-context.js';
export type { TryCallResult, TryOp } from './collect/try-call.js';
export { interpretTry } from './knowledge/interpret-try.js';
export type { TryContext, TryInterpretation } from './knowledge/interpret-try.js';
// Collectors that need no privilege and no netlink: /proc/net and netstat; the cached process attribution they
// (and ss/netlink) share; and the pure parsers of every procfs and netstat format (Linux, busybox, BSD/macOS, Windows).
export { ProcfsSource } from './collect/procfs.js';
export { NetstatSource } from './collect/netstat.js';
export type { NetstatFlavor, NetstatTool } from './collect/netstat.js';
export { ProcessAttributor, sharedAttributor, isListenerSocket } from './collect/processes.js';
export type { AttributionScope, AttributionStats, AttributorOptions } from './collect/processes.js';
export { parseProcNet } from './parse/procfs-net.js';
export { parseProcUnix } from './parse/proc-unix.js';
export { parseNetTools } from './parse/netstat-nettools.js';
export { parseBusybox } from './parse/netstat-busybox.js';
export { parseBsdNetstat } from './parse/netstat-bsd.js';
export { parseWindowsNetstat } from './parse/netstat-windows.js';
// Recommendations: rules as data, pure evaluation, thresholds; buffer sizing and strict unit parsing.
export { evaluateRules, healthyMessages, summaryLine, summaryMessage, makeContext, compareRecommendations, inScope, DEFAULT_THRESHOLDS, resolveThresholds } from './advise/engine.js';
export { ALL_RULES, HEALTH_CHECKS, ruleById } from './advise/rules/index.js';
export { THRESHOLD_DOCS, unknownThresholds } from './advise/thresholds.js';
export { SEVERITY_ORDER } from './advise/types.js';
export type { Recommendation, RuleContext, Severity } from './advise/types.js';
export type { Rule, HealthCheck } from './advise/rule.js';
export { planBuffers, bdpBytes, capsFromSysctls, connectionBuffers, setsockoptCode, sysctlFile } from './advise/buffers.js';
export type { BufferCaps, BufferPlan, ConnectionBuffers, SysctlAdvice, CodeLanguage } from './advise/buffers.js';
export { buildBuffersReport } from './advise/buffers-report.js';
export type { BuffersReport } from './advise/buffers-report.js';
export { parseBandwidth, parseDurationMs, parseSize, UnitError } from './advise/units.js';
export { collectProcessLimits, withProcessLimits, parseMaxOpenFiles } from './collect/proc-limits.js';
// Library API: one function per report, each validating its input with the exported XxxInputSchema and returning
// the document the matching CLI command prints with --json; bad input throws InvalidInputError (issues by field).
// explainErrno/describeOption also still take the bare code/name. runTask/executeTask are `sockscope task`.
export { snapshot, analyze, analyzeStates, SnapshotInputSchema, AnalyzeInputSchema, AnalyzeStatesInputSchema } from './api/host.js';
export type { SnapshotInput, AnalyzeInput, AnalyzeStatesInput } from './api/host.js';
export { AnalyzeReportSchema, StatesReportSchema, RecommendationSchema, ListenerSchema, PeerSchema, SeveritySchema } from './report/schema.js';
export { SnapshotReportSchema, buildSnapshotReport, type SnapshotReport } from './report/snapshot-report.js';
export type { AnalyzeReport, StatesReport } from './report/schema.js';
export { explainErrno, describeOption, ErrnoInputSchema, DescribeOptionInputSchema } from './api/knowledge.js';
export type { ErrnoInput, DescribeOptionInput } from './api/knowledge.js';
export { generateServer, generateServerFiles, resolveOptions, GenerateServerInputSchema, GenerateFilesInputSchema, GenerateAutomationInputSchema } from './api/generate.js';
export type { GenerateServerInput, GenerateFilesInput, GenerateAutomationInput, GenerateServerReport } from './api/generate.js';
export { inspectOptions, InspectOptionsInputSchema, debugConnection, DebugConnectionInputSchema } from './api/inspect.js';
export type { InspectOptionsInput, InspectOptionsReport, DebugConnectionInput } from './api/inspect.js';
export { sizeBuffers, SizeBuffersInputSchema } from './api/buffers.js';
export type { SizeBuffersInput } from './api/buffers.js';
// Every error the functions above throw on purpose: InvalidInputError (and its subclasses above), CollectorError
// and NoSuchSocketError (code collector-error), ConfigError (config-error), OutputUnwritableError (output-unwritable);
// each has a `code`.
export { InvalidInputError, CollectorError, NoSuchSocketError, ConfigError, OutputUnwritableError } from './api/errors.js';
export type { InputIssue } from './api/errors.js';
export type { LibraryOptions } from './api/config.js';
export { runTask, executeTask, parseTask, TaskInputSchema, TASK_OPERATIONS } from './api/task.js';
export { readTaskFile } from './api/task-input.js';
// Schemas of the other --json documents: the task operations' (analyze's and analyze-states' are above), and
// try's, config's and options' (the list and one entry), which no task returns.
export {
  ErrnoLookupSchema,
  ErrnoExplanationSchema,
  SocketOptionInfoSchema,
  GenerateServerReportSchema,
  GeneratorOptionsSchema,
  BuffersReportSchema,
  BufferPlanSchema,
  InspectOptionsReportSchema,
  SocketSchema,
  TcpInfoStructSchema,
  ProbeResultSchema,
  TaskFailureSchema,
  TaskDocumentSchema,
  TASK_RESULT_SCHEMAS,
  TryReportSchema,
  ConfigReportSchema,
  OptionListSchema,
  OptionReportSchema,
} from './api/result-schemas.js';
export type { TryReport } from './api/result-schemas.js';
export type { ConfigReport } from './cli/commands/config.js';
export type { TaskInput, TaskInputOf, TaskOperation, TaskDocument, TaskSuccess, TaskFailure, TaskResults } from './api/task.js';
