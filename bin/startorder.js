#!/usr/bin/env node
// The command line; all logic is in src/cli/ (bundled into dist/bundle/ by `npm run build`).
import { cli } from '../dist/bundle/cli.js';
import { nodeIO } from '../dist/bundle/io.js';

process.exitCode = await cli(nodeIO());
