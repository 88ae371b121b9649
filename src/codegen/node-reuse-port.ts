// Node's listen({reusePort}) / createSocket({reusePort}): since Node 22.12 and 23.1. The generated Node server checks
// its own version at start (templates/node/_reuseport.mjs.eta, the same rule) and exits 1 on an older one; the wizard's
// SO_REUSEPORT question and generate-server say so beforehand. Pure: the version is passed in.

/** The oldest Node whose net/dgram take reusePort, as said to the user. */
export const NODE_REUSE_PORT_MIN = '22.12';

/** Whether Node `version` ("20.20.2", or "v20.20.2" as process.version) takes reusePort: 22.12+, 23.1+, 24 and later. */
export function nodeHasReusePort(version: string): boolean {
  const [major, minor] = version.replace(/^v/, '').split('.').map(Number);
  return major > 23 || (major === 23 && minor >= 1) || (major === 22 && minor >= 12);
}

/** The wizard's hint for "yes" on the Node SO_REUSEPORT question, naming whether `version` (this machine's node) has it. */
export function nodeReusePortHint(version: string): string {
  const v = version.startsWith('v') ? version : `v${version}`;
  // Short enough for an 80-column row after "› yes  ".
  return `needs Node >= ${NODE_REUSE_PORT_MIN}; this machine's ${v} ${nodeHasReusePort(version) ? 'has it' : 'is older (exits 1 here)'}`;
}

/** generate-server's stderr line when the local node is older (the file is still written: it may run elsewhere). */
export function nodeReusePortWarning(version: string): string {
  const v = version.startsWith('v') ? version : `v${version}`;
  return `note: --reuse-port with --language node needs Node >= ${NODE_REUSE_PORT_MIN} (listen/createSocket reusePort); this node is ${v}, where the generated server exits 1 saying so: run it with a newer node, or regenerate without --reuse-port`;
}
