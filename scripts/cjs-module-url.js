// Injected into dist/cli-core.cjs (scripts/build.mjs): the sources' import.meta.url, which CommonJS has not, is the
// bundle file's URL, as it was for the ES module bundle.
export const __sockscopeModuleUrl = require('node:url').pathToFileURL(__filename).href;
