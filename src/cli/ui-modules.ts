// What the monitor and the `generate` wizard need from React, Ink and src/ui, in one module that their
// handlers load with dynamic import(): every other command starts without Ink, React or yoga's wasm.
// (React is CommonJS: its named exports reach a lazy chunk only through a static import like this one.)
export { createElement } from 'react';
export { render } from 'ink';
export { App } from '../ui/App.js';
export { FrameWriter, frameStdout } from '../ui/frame-writer.js';
// Wizard for `generate`; MonitorWizard is the same wizard as the monitor mounts it on `c`.
export { MonitorWizard, Wizard } from '../ui/wizard/Wizard.js';
