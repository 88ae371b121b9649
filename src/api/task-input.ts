// Reading a task document (`sockscope task INPUT`, readTaskFile in the library): a regular file, a FIFO or stdin, at
// most TASK_INPUT_MAX_BYTES, strict UTF-8, JSON without a key given twice. Reading runs nothing.
import { closeSync, fstatSync, openSync, statSync, type Stats } from 'node:fs';
import { fileKind, readAtMost, utf8Text } from '../config/file-read.js';
import { briefText, briefValue, formatPath } from '../model/input-error.js';
import { InvalidInputError, type InputIssue } from './errors.js';
import { firstDuplicateKey } from './json-duplicate-keys.js';
import { TASK_OPERATIONS, type TaskOperation } from './task-operations.js';


/** The largest task input read (README, sockscope task): a task is a few KiB; /dev/zero or `yes |` must not be read whole. */
export const TASK_INPUT_MAX_BYTES = 16 * 1024 * 1024;

/** A path that is not a regular file or a FIFO: refused before it is read (stdin is read whatever it is: a terminal too). */
function refuseKind(path: string, st: Stats): void {
  if (st.isFile() || st.isFIFO()) return;
  const kind = fileKind(st);
  throw new InvalidInputError(`cannot read ${path}: it is a ${kind}${kind === 'directory' ? '' : ', not a task file (a JSON file, a pipe, or - for stdin)'}`, undefined, 'unreadable-input');
}

/**
 * The bytes of a task input: a regular file, a FIFO or process substitution (opening one waits for its writer, as
 * reading it means), or stdin for '-'; at most TASK_INPUT_MAX_BYTES, refused once one byte more has come.
 */
function readTaskBytes(path: string): Uint8Array {
  const tooBig = () => new InvalidInputError(`cannot read ${path === '-' ? 'stdin' : path}: larger than ${TASK_INPUT_MAX_BYTES / 1024 / 1024} MiB, the limit for a task`, undefined, 'unreadable-input');
  let fd = 0;
  if (path !== '-') {
    refuseKind(path, statSync(path));
    fd = openSync(path, 'r');
  }
  try {
    const st = fstatSync(fd);
    if (path !== '-') refuseKind(path, st); // what was opened, if the path changed meanwhile
    if (st.isFile() && st.size > TASK_INPUT_MAX_BYTES) throw tooBig();
    // A non-blocking stdin (inherited so) with nothing yet is waited for.
    const bytes = readAtMost(fd, TASK_INPUT_MAX_BYTES);
    if (bytes === null) throw tooBig();
    return bytes;
  } finally {
    if (path !== '-') closeSync(fd);
  }
}

/**
 * Reads and parses a task file ('-' is stdin). Throws InvalidInputError (unreadable-input, invalid-json).
 * JSON is UTF-8 (RFC 8259): other bytes are refused with their offset, not decoded to U+FFFD, which would
 * have written a file under a mangled name or sent other bytes than the task's.
 */
export function readTaskFile(path: string): unknown {
  let text: string;
  const where = path === '-' ? 'stdin' : path;
  try {
    // One reader with config files (config/file-read.ts utf8Text): UTF-16 by its byte order mark or its NUL bytes (PowerShell
    // 5's `>` writes UTF-16LE) is said so, with iconv's utf-16; latin1 was advised for it, which made it worse.
    const r = utf8Text(readTaskBytes(path));
    if (!r.ok) {
      const what =
        r.bom !== undefined
          ? `it is ${r.bom} (it starts with the byte order mark ${r.bomBytes})`
          : r.utf16 !== undefined
            ? r.utf16.sure
              ? `it is ${r.utf16.name} without a byte order mark (NUL bytes among its first characters, the first at offset ${r.offset})`
              : `a NUL byte at offset ${r.offset} (${r.utf16.name} without a byte order mark?)`
            : `byte 0x${r.byte.toString(16).toUpperCase().padStart(2, '0')} at offset ${r.offset}`;
      const message = `${where} is not UTF-8 text: ${what}; a task is JSON, which is UTF-8 (convert it, e.g. iconv -f ${r.from} -t utf-8)`;
      throw new InvalidInputError(message, [{ path: '', message }], 'invalid-json');
    }
    text = r.text;
  } catch (e) {
    if (e instanceof InvalidInputError) throw e;
    const err = e as NodeJS.ErrnoException;
    const message = `cannot read ${path === '-' ? 'stdin' : path}: ${err.code === 'ENOENT' ? 'no such file' : err.code === 'EISDIR' ? 'it is a directory' : err.code === 'EACCES' ? 'permission denied' : err.message}`;
    throw new InvalidInputError(message, [{ path: '', message }], 'unreadable-input');
  }
  let value: unknown;
  try {
    text = text.replace(/^\uFEFF/, '');
    value = JSON.parse(text);
  } catch (e) {
    const message = `${path === '-' ? 'stdin' : path} is not valid JSON: ${(e as Error).message}`;
    throw new InvalidInputError(message, [{ path: '', message: (e as Error).message }], 'invalid-json');
  }
  // JSON.parse keeps the last of two equal keys without a word ({"code": "104", "code": "EPERM"} ran EPERM); a config
  // file's duplicate keys are refused too. Only here, on the text: executeTask(value) takes what it is given.
  const dup = firstDuplicateKey(text);
  if (dup !== undefined) {
    // A path 10,000 arrays deep is cut as a quoted value is (briefText): it was echoed whole, twice (60 KB).
    const whole = formatPath(dup.path);
    const at = briefText(whole);
    const depth = at === whole ? '' : `, ${dup.path.length} levels deep`;
    const key = briefValue(dup.key);
    // The failure names the operation the input names (a failure before the task runs does), unless that is the key given twice.
    const op = typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as { operation?: unknown }).operation : undefined;
    const operation = !(dup.path.length === 1 && dup.key === 'operation') && (TASK_OPERATIONS as readonly unknown[]).includes(op) ? (op as TaskOperation) : undefined;
    throw new DuplicateKeyError(`${where} has the key ${key} twice in one object (at ${at}${depth}); JSON keys must be unique (the last would silently win)`, [{ path: at, message: `the key ${key} is given twice in this object` }], operation);
  }
  return value;
}

/** readTaskFile's refusal of a key given twice: an InvalidInputError that knows the operation the input names (if any). */
export class DuplicateKeyError extends InvalidInputError {
  constructor(
    message: string,
    issues: InputIssue[],
    readonly operation: TaskOperation | undefined,
  ) {
    super(message, issues);
  }
}
