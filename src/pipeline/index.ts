/** The pipeline (see run.ts): adapters (src/cli/, src/krm/) build a Request and read the Result. */
export { run, transform } from './run.js';
export { EmitFailure } from './verify.js';
export type { FileOutput, Input, Options, Ports, Request, Result, SpecObject } from './request.js';
export type { ImageAnswer, ImageSource } from './images.js';
