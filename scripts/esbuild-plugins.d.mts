// Types of scripts/esbuild-plugins.mjs for the TypeScript files that import it (bench worker, tests).
import type { BuildOptions, Plugin } from 'esbuild';

/** Ink's output.js with its line caches kept across frames; throws when a text to edit is not found exactly once. */
export function patchInkOutput(text: string, cacheModule?: string): string;
/** Ink's hooks/use-input.js with a ctrl key without a name read as input ''; throws when its branch is not found exactly once. */
export function patchInkUseInput(text: string): string;
/** execa's main-async.js with a spawn that ran out of descriptors made its early error; throws when the text is not found exactly once. */
export function patchExecaSpawnWithoutFds(text: string): string;
/** The CLI bundle's stand-ins for ink, react and react/jsx-runtime (dist/ui-vendor.js hands them out). */
export function uiVendorShims(): Plugin;
/** The plugins of every bundle; `inkLineCache: false` leaves Ink as published (to measure the patch). */
export function bundlePlugins(opts?: { inkLineCache?: boolean }): Plugin[];
/** esbuild options shared by the CLI, the library and the bench worker bundles. */
export function commonOptions(version: string): BuildOptions & { plugins: Plugin[]; external: string[]; define: Record<string, string> };
