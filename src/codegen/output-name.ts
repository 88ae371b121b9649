// Output names a generated Node or Python server would not run under, and why (renderServer refuses them).
import { readFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';

/**
 * Why `node FILE` would not run the generated Node server (an ES module: `import`), or undefined. Node runs a .mjs
 * file as an ES module wherever it is; a .js or extensionless one as its package scope says, the nearest
 * package.json up from the file: "type": "module", or none or one without "type" (Node >= 20.19 then detects the
 * module syntax), runs it; "commonjs" fails (SyntaxError: Cannot use import statement outside a module), and so does a
 * package.json that is not JSON. Node refuses every other extension (.cjs as CommonJS; .py, .txt, .MJS:
 * ERR_UNKNOWN_FILE_EXTENSION). Each case run with node 20.20 on the generated server.
 */
export function nodeOutputProblem(main: string, base: string): string | undefined {
  const ext = base.lastIndexOf('.') > 0 ? base.slice(base.lastIndexOf('.')) : '';
  const fix = `e.g. ${join(dirname(main), basename(main, ext) || 'server')}.mjs`;
  if (ext === '.mjs') return undefined;
  if (ext !== '.js' && ext !== '') {
    return `a Node server's file needs the .mjs extension (the server is an ES module: node runs ${ext === '.cjs' ? 'a .cjs file as CommonJS' : `no ${JSON.stringify(ext)} file`}); ${fix}`;
  }
  const scope = packageScope(dirname(main));
  if (scope.type === 'module' || scope.type === 'none') return undefined;
  const what = ext === '' ? 'a file without an extension' : 'a .js file';
  const said = scope.type === 'commonjs' ? 'says "type": "commonjs"' : 'is not valid JSON';
  return `a Node server's file needs the .mjs extension here: the server is an ES module, and node runs ${what} as ${scope.path} says, which ${said}; ${fix}`;
}

/** The package scope node gives a file in `dir`: the nearest package.json's "type" below any node_modules directory. */
function packageScope(dir: string): { type: 'module' | 'commonjs' | 'none' | 'invalid'; path?: string } {
  let start: string;
  try {
    start = resolve(dir);
  } catch {
    return { type: 'none' }; // a removed current directory (uv_cwd): the writer refuses a relative name there
  }
  for (let d = start; ; d = dirname(d)) {
    // Node stops at a node_modules directory without reading its package.json (node_modules/x.js with a "commonjs"
    // node_modules/package.json runs as a module), and never looks above it.
    if (basename(d) === 'node_modules') return { type: 'none' };
    const path = join(d, 'package.json');
    let text: string | undefined;
    try {
      text = readFileSync(path, 'utf8');
    } catch {
      /* none here (or unreadable, which node skips too) */
    }
    if (text !== undefined) {
      try {
        const t = (JSON.parse(text) as { type?: unknown } | null)?.type;
        return { type: t === 'module' ? 'module' : t === 'commonjs' ? 'commonjs' : 'none', path };
      } catch {
        return { type: 'invalid', path };
      }
    }
    if (dirname(d) === d) return { type: 'none' };
  }
}

/**
 * Modules a generated Python server imports: python3 puts the script's directory first on the module path, so a
 * server named enum.py, socket.py... is imported in that module's place and fails at start (enum.py: "cannot import
 * name 'IntEnum' from partially initialized module 'enum'"). Each io model's list is the top-level names of its own
 * `import` lines and of every module `python3 -S -X importtime` lists while each of its variants (tcp echo, tcp http,
 * udp echo) starts, serves one exchange on loopback and stops on SIGTERM, under CPython 3.7.16, 3.8.18, 3.9.18,
 * 3.10.13, 3.11.2 (Debian's /usr/bin/python3), 3.11.7, 3.12.1 and 3.13.0 on Linux. -S because site and a
 * sitecustomize import modules before the script runs and so hide them (a pyenv 3.11 whose sitecustomize imports
 * enum ran enum.py; Debian's python3 did not). Modules built into an interpreter (time, errno, posix...) cannot be
 * shadowed there but may be files on another build, so they stay. test/codegen/python-output-name-imports checks the
 * lists against the python3 it runs on.
 */
const PYTHON_IMPORTED_ALL = ['_abc', '_bootlocale', '_codecs', '_collections', '_collections_abc', '_frozen_importlib_external', '_functools', '_heapq', '_io', '_locale', '_operator', '_signal', '_socket', '_sre', '_stat', '_struct', 'abc', 'array', 'codecs', 'collections', 'copyreg', 'encodings', 'enum', 'errno', 'functools', 'genericpath', 'heapq', 'io', 'itertools', 'keyword', 'marshal', 'math', 'operator', 'os', 'posix', 'posixpath', 're', 'reprlib', 'select', 'selectors', 'signal', 'socket', 'sre_compile', 'sre_constants', 'sre_parse', 'stat', 'stringprep', 'struct', 'sys', 'time', 'types', 'unicodedata', 'zipimport'];
const PYTHON_IMPORTED_BY_MODEL: Record<string, string[]> = {
  asyncio: ['_ast', '_asyncio', '_colorize', '_contextvars', '_opcode', '_opcode_metadata', '_posixsubprocess', '_ssl', '_string', '_tokenize', '_typing', '_weakrefset', 'ast', 'asyncio', 'atexit', 'base64', 'binascii', 'concurrent', 'contextlib', 'contextvars', 'dis', 'fcntl', 'grp', 'importlib', 'inspect', 'linecache', 'locale', 'logging', 'msvcrt', 'opcode', 'pwd', 'ssl', 'string', 'subprocess', 'textwrap', 'threading', 'token', 'tokenize', 'traceback', 'typing', 'warnings', 'weakref'],
  selectors: [],
  threads: ['_weakrefset', 'linecache', 'threading', 'token', 'tokenize', 'traceback', 'warnings'],
};

/** Why `python3 FILE` would not run the generated Python server (io model `ioModel`), or undefined (python3 runs a file of any name). */
export function pythonOutputProblem(ioModel: string, main: string, base: string): string | undefined {
  if (!base.endsWith('.py')) return undefined;
  const module = base.slice(0, -3);
  if (!PYTHON_IMPORTED_ALL.includes(module) && !(PYTHON_IMPORTED_BY_MODEL[ioModel] ?? []).includes(module)) return undefined;
  return `a Python server's file must not be named after a standard module it imports, directly or through another (python3 puts the file's directory first on the module path, so \`import ${module}\` would import the server itself); e.g. ${join(dirname(main), 'server.py')}`;
}
