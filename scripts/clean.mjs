#!/usr/bin/env node
// Removes dist/ before a build: tsc and esbuild never delete what an earlier build left behind, and
// `npm pack` ships all of dist/ (stale bundle chunks and outputs of removed sources included).
import { rmSync } from 'node:fs';

rmSync(new URL('../dist/', import.meta.url), { recursive: true, force: true });
