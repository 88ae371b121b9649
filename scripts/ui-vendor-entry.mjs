// The entry of dist/ui-vendor.js: Ink, React and React's JSX runtime, bundled as one ES module (Ink and yoga-layout
// use top-level await, which a CommonJS bundle cannot hold). dist/cli-core.cjs imports it before the monitor's or
// the wizard's modules run (src/cli/load-ui.ts), and its `ink`, `react` and `react/jsx-runtime` are stand-ins that
// hand out these objects (uiVendorShims in scripts/esbuild-plugins.mjs): one React for Ink and sockscope's UI.
import * as ink from 'ink';
import react from 'react';
import jsxRuntime from 'react/jsx-runtime';

export default { ink, react, 'react/jsx-runtime': jsxRuntime };
