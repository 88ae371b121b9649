// Bundles the CLI into one file (fast start-up) and the library entry point, then emits types.
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';

/** Ink imports react-devtools-core only when DEV=true; the bundle gets an inert stand-in. */
function stubDevtools() {
  return {
    name: 'stub-react-devtools-core',
    setup(b) {
      b.onResolve({ filter: /^react-devtools-core$/ }, () => ({ path: 'react-devtools-core', namespace: 'stub' }));
      b.onLoad({ filter: /.*/, namespace: 'stub' }, () => ({
        contents: 'export default { initialize() {}, connectToDevTools() {} };',
        loader: 'js',
      }));
    },
  };
}

const common = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: 'linked',
  jsx: 'automatic',
  // koffi is a native module with prebuilt binaries: loaded from node_modules at run time.
  external: ['koffi'],
  plugins: [stubDevtools()],
  // Bundled CommonJS deps (yargs helpers, react) may call require(): give ESM a require.
  banner: {
    js: "import { createRequire as __sockscopeCreateRequire } from 'node:module'; const require = __sockscopeCreateRequire(import.meta.url);",
  },
  define: { 'process.env.NODE_ENV': '"production"' },
  logLevel: 'warning',
};

await build({ ...common, entryPoints: { cli: 'src/cli/main.ts', index: 'src/index.ts' }, outdir: 'dist' });

if (existsSync('src/index.ts') && !process.argv.includes('--no-types')) {
  // Declarations of files that no longer exist must not ship: start from an empty folder.
  rmSync('dist/types', { recursive: true, force: true });
  execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
}
