import type { IO } from '../src/cli/io.js';

/**
 * The CLI under test: the TypeScript sources, or with STARTORDER_TEST_TARGET=build the bundle that
 * bin/ runs (dist/bundle/), so the same suites catch packaging mistakes.
 */
type Cli = (io: IO) => Promise<number>;
export const TARGET = process.env.STARTORDER_TEST_TARGET === 'build' ? 'build' : 'source';
const mod = (TARGET === 'build' ? await import(new URL('../dist/bundle/cli.js', import.meta.url).href) : await import('../src/cli/index.js')) as { cli: Cli };
export const cli: Cli = mod.cli;
