// The CLI from the TypeScript sources, for tests that must spawn it (as another user, say):
// node --import tsx test/cli-source.ts ARGS…
import { cli } from '../src/cli/index.js';
import { nodeIO } from '../src/cli/node-io.js';

process.exitCode = await cli(nodeIO());
