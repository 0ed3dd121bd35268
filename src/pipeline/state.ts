/** What the stages of one run hand on to each other. */
import { hasErrors, sortDiagnostics, type Diagnostic } from '../diagnostics.js';
import type { Change } from '../emit/emit.js';
import type { Locator } from '../load/locate.js';
import type { SourceFile } from '../load/parse.js';
import type { Plan, Unresolved } from '../plan/plan.js';
import type { AppliedRecord } from '../rewrite/record.js';
import type { Selection } from '../select/select.js';
import type { Obj, Spec, Workload } from '../types.js';
import type { FileOutput, Request, Result } from './request.js';

/** A workload found in the input, with the user's original (an earlier run undone). */
export interface Staged {
  workload: Workload;
  current: Obj;
  original: Obj;
  /** The record of an earlier run, when the workload carries one. */
  record?: AppliedRecord;
}

/** A workload a spec selected, and what planning it gave. */
export interface Planned {
  stage: Staged;
  selection: Selection;
  plan?: Plan;
  diagnostics: Diagnostic[];
  /** Containers whose command line needs their image's ENTRYPOINT/CMD (until `complete`). */
  unresolved?: Unresolved[];
}

/** A document the emitter wrote, to be read back: the value it must hold. */
export interface Written {
  file: SourceFile;
  index: number;
  key: string;
  text: string;
  expected: unknown;
}

export interface RunState {
  request: Request;
  diags: Diagnostic[];
  /** Inputs and configs, parsed. */
  sources: SourceFile[];
  /** The inputs, parsed. */
  files: SourceFile[];
  locate: Locator;
  specs: Spec[];
  /** The StartOrder documents of the inputs (docKey): never emitted as workloads. */
  specDocs: Set<string>;
  staged: Staged[];
  planned: Planned[];
  /** The value each changed workload gets. */
  next: Map<Staged, Obj>;
  changes: Map<string, Change[]>;
  stagesOfDoc: Map<string, Staged[]>;
  outputs: FileOutput[];
  written: Written[];
  /** The value of each changed workload, as read back from what was written. */
  readBack: Map<Staged, Obj>;
  lock?: { file: string; text: string };
}

export function failed(s: Pick<RunState, 'diags'>): boolean {
  return hasErrors(s.diags);
}

/** The result of the run so far: no files when there is an error. */
export function resultOf(s: RunState): Result {
  const ok = !failed(s);
  return {
    files: ok ? s.outputs : [],
    diagnostics: sortDiagnostics(s.diags),
    plans: ok ? s.planned.flatMap((p) => (p.plan && s.next.has(p.stage) ? [p.plan] : [])) : [],
    sources: s.sources,
    changes: ok ? s.changes : new Map<string, Change[]>(),
    ...(ok && s.lock ? { lock: s.lock } : {}),
  };
}
