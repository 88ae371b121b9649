// React, Ink and sockscope's UI for the monitor and the `generate` wizard, loaded when one of them starts.
// In the built CLI, Ink and React are not in dist/cli-core.cjs but in dist/ui-vendor.js, an ES module (Ink and
// yoga-layout use top-level await, which CommonJS cannot hold): it is imported first and handed to the bundle's
// stand-ins for `ink`, `react` and `react/jsx-runtime` (scripts/esbuild-plugins.mjs uiVendorShims). Run from the
// sources (tsx, the tests), ui-modules imports Ink and React directly and there is nothing to hand over.
import { loadWithTextAttributes } from '../ui/theme.js';

/** Set by scripts/build.mjs (esbuild define) in the CommonJS bundle: the UI's third-party modules are apart. */
declare const __SOCKSCOPE_UI_VENDOR__: string | undefined;

const VENDOR_KEY = Symbol.for('sockscope.uiVendor');

async function loadVendor(): Promise<void> {
  const globals = globalThis as Record<symbol, unknown>;
  if (typeof __SOCKSCOPE_UI_VENDOR__ !== 'string' || globals[VENDOR_KEY]) return;
  // import() in the bundle is dist/cli.cjs's (load-core.ts): vm.Script gives compiled code none of its own.
  const importModule = globals[Symbol.for('sockscope.import')] as (specifier: string) => Promise<{ default: unknown }>;
  const { default: vendor } = await importModule(new URL(__SOCKSCOPE_UI_VENDOR__, import.meta.url).href);
  globals[VENDOR_KEY] = vendor;
}

/**
 * The UI modules, loaded with text attributes on whatever the colour setting (see loadWithTextAttributes: Ink's
 * chalk picks its level when it is evaluated, which is when dist/ui-vendor.js is imported).
 */
export function loadUiModules(): Promise<typeof import('./ui-modules.js')> {
  return loadWithTextAttributes(async () => {
    await loadVendor();
    return import('./ui-modules.js');
  });
}
