/** What goes into the pipeline (a Request) and what comes out (a Result): data only, no I/O. */
import type { Diagnostic } from '../diagnostics.js';
import type { Change } from '../emit/emit.js';
import type { SourceFile } from '../load/parse.js';
import type { Plan } from '../plan/plan.js';
import type { SpecDefaults } from '../spec/normalize.js';
import type { ImageEntry, Obj } from '../types.js';
import type { ImageSource } from './images.js';

export interface Input {
  name: string;
  text: string;
  /** When the text is a part of a larger stream: the lines and documents before it. */
  lineOffset?: number;
  docOffset?: number;
}

/** A spec handed over as a value (a KRM functionConfig), with where it was written. */
export interface SpecObject {
  value: Obj;
  file?: string;
  document?: number;
  path?: (string | number)[];
}

/** Everything of a request but its inputs: the options of `transform(inputs, options)`. */
export interface Options {
  defaults?: SpecDefaults;
  /** Files given with -c/--config: their StartOrder documents are specs. */
  configs?: readonly Input[];
  /** Specs handed over directly (a KRM functionConfig). */
  specObjects?: readonly SpecObject[];
  /** Undo what startorder did, instead of transforming. */
  revert?: boolean;
  /**
   * false when the StartOrder documents of the input were already read (a stream processed in parts
   * passes them as `configs`): they are still left out of the output, but not read twice.
   */
  collectInputSpecs?: boolean;
  /** check / --write: StartOrder documents of input files are the user's specs, kept in place. */
  keepInputSpecs?: boolean;
  /** ENTRYPOINT/CMD known beforehand: used after each spec's own images table. */
  resolvedImages?: ImageEntry[];
  /** The caller reads `plans` and `sources` (graph, explain): the run is not split into parts. */
  needPlans?: boolean;
}

export interface Request extends Options {
  inputs: readonly Input[];
}

/** The outside world the pipeline may ask; absent ports are not used. */
export interface Ports {
  /** ENTRYPOINT/CMD of images that containers without `command` run (lock file, registry). */
  images?: ImageSource;
}

export interface FileOutput {
  name: string;
  format: 'yaml' | 'json';
  text: string;
  changed: boolean;
}

export interface Result {
  /** Empty when any error was found: nothing is written then. */
  files: FileOutput[];
  diagnostics: Diagnostic[];
  /** Empty when the run went in parts (see Options.needPlans). */
  plans: Plan[];
  sources: SourceFile[];
  /** Per document (file#document), the change of each rewritten resource in it: before and after. */
  changes: Map<string, Change[]>;
  /** The lock file the image source wants written, when it changed; write it only when the run has no error. */
  lock?: { file: string; text: string };
}
