// The wizard's SO_REUSEPORT question: "yes" for Node said "Linux load-balances between them" as for C and Python,
// and the server it wrote refused to start on Node 20 (`reusePort needs Node >= 22.12`), TCP and UDP. For Node the
// hint now says what it needs and whether this machine's node (the one running the wizard) has it.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_CONFIG } from '../../src/config/schema.js';
import { nodeHasReusePort, nodeReusePortHint } from '../../src/codegen/node-reuse-port.js';
import type { GeneratorInput } from '../../src/codegen/options.js';
import { STEPS } from '../../src/ui/wizard/steps.js';

const step = STEPS.find((s) => s.id === 'reusePort')!;
const yesHint = (input: GeneratorInput, cfg = DEFAULT_CONFIG) => step.choices!(input, cfg).find((c) => c.value === 'yes')?.hint;

describe('wizard SO_REUSEPORT hint', () => {
  it('Node, TCP and UDP: "yes" names Node >= 22.12 and whether this node has it', () => {
    const here = `this machine's ${process.version} ${nodeHasReusePort(process.version) ? 'has it' : 'is older (exits 1 here)'}`;
    for (const type of ['tcp', 'udp'] as const) {
      assert.equal(yesHint({ type, language: 'node' }), `needs Node >= 22.12; ${here}`);
    }
    // Node as the configured default language, not picked: the same.
    assert.equal(yesHint({ type: 'tcp' }, { ...DEFAULT_CONFIG, defaultLanguage: 'node' }), `needs Node >= 22.12; ${here}`);
  });

  it('C and Python keep theirs', () => {
    assert.equal(yesHint({ type: 'tcp', language: 'c' }), 'Linux load-balances between them');
    assert.equal(yesHint({ type: 'udp', language: 'python' }), 'Linux load-balances between them');
  });

  it('the hint for a node that has it and one that has not', () => {
    assert.equal(nodeReusePortHint('v20.20.2'), "needs Node >= 22.12; this machine's v20.20.2 is older (exits 1 here)");
    assert.equal(nodeReusePortHint('v22.12.0'), "needs Node >= 22.12; this machine's v22.12.0 has it");
  });
});
