// The CLI from the TypeScript sources, for tests that must spawn it (as another user, say):
// node --import tsx test/cli-source.ts ARGS…
import { cli } from '../src/cli.js';
import { nodeIO } from '../src/io.js';

process.exitCode = await cli(nodeIO());
