export { cli } from './cli/index.js';
export { nodeIO } from './cli/node-io.js';
export type { IO } from './cli/io.js';
export { run, transform, type Input, type Options, type Ports, type Request, type Result, type ImageSource, type ImageAnswer } from './pipeline/index.js';
export { lockFileSource, registrySource, type LockFilePort } from './resolve/source.js';
export { ExitCode } from './exit-codes.js';
export type { Diagnostic, Code, Severity } from './diagnostics.js';
export { RUNTIME_IMAGE, RUNTIME_IMAGE_DIGEST } from './generated/runtime-image.js';
export { saveRuntimeImage } from './image/save.js';
