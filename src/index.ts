export { cli } from './cli.js';
export { nodeIO, type IO } from './io.js';
export { transform, type Input, type Options, type Result } from './pipeline.js';
export { ExitCode } from './exit-codes.js';
export type { Diagnostic, Code, Severity } from './diagnostics.js';
