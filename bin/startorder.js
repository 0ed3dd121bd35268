#!/usr/bin/env node
import { cli } from '../dist/cli.js';
import { nodeIO } from '../dist/io.js';

process.exitCode = await cli(nodeIO());
