// The operations a task may name: a module of its own, so that the command line's --help and the task-file reader
// list them without loading every library operation (api/task.ts).

/** Every operation a task may name. */
export const TASK_OPERATIONS = ['analyze', 'analyze-states', 'generate-server', 'generate', 'inspect-options', 'debug-connections', 'errno', 'options', 'buffers'] as const;
export type TaskOperation = (typeof TASK_OPERATIONS)[number];
