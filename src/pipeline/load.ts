/** load: parse the inputs and configs, read the specs, and find the workloads (an earlier run undone). */
import { hasErrors, type Diagnostic } from '../diagnostics.js';
import { makeLocator, type Locator } from '../load/locate.js';
import { parseFile, type SourceFile } from '../load/parse.js';
import { recordProblem } from '../rewrite/record.js';
import { recordOf, revertWorkload, type Drift } from '../rewrite/revert.js';
import { getIn, RECORD_ANNOTATION, resourceRef, workloadId, type Obj } from '../kube/index.js';
import { asWorkload, resourcesOf } from '../select/resources.js';
import { collectSpecs, docKey, specFromObject } from '../spec/collect.js';
import type { Workload } from '../types.js';
import type { Input, Request } from './request.js';
import type { RunState, Staged } from './state.js';

const parse = (i: Input) => parseFile(i.name, i.text, { lineOffset: i.lineOffset ?? 0, docOffset: i.docOffset ?? 0 });

export function load(request: Request): RunState {
  const inputs = request.inputs.map(parse);
  const configs = (request.configs ?? []).map(parse);
  const diags: Diagnostic[] = [...inputs, ...configs].flatMap((p) => p.diagnostics);
  const sources = [...inputs, ...configs].map((p) => p.file);
  const files = inputs.map((p) => p.file);
  const locate = makeLocator(sources);
  const s: RunState = {
    request,
    diags,
    sources,
    files,
    locate,
    specs: [],
    specDocs: new Set(),
    staged: [],
    planned: [],
    next: new Map(),
    changes: new Map(),
    stagesOfDoc: new Map(),
    outputs: [],
    written: [],
    readBack: new Map(),
  };
  if (hasErrors(diags)) return s;
  readSpecs(
    s,
    configs.map((p) => p.file),
  );
  s.staged = stageWorkloads(files, s.specDocs, locate, diags);
  return s;
}

/** Specs from -c files, from StartOrder documents of the inputs, and handed over as values. */
function readSpecs(s: RunState, configFiles: SourceFile[]): void {
  const defaults = s.request.defaults ?? {};
  const fromConfig = collectSpecs(configFiles, defaults, s.locate);
  const fromInput = collectSpecs(s.files, defaults, s.locate);
  const ownSpecs = s.request.collectInputSpecs !== false;
  s.diags.push(...fromConfig.diagnostics, ...(ownSpecs ? fromInput.diagnostics : []));
  s.specs = [...fromConfig.specs, ...(ownSpecs ? fromInput.specs : [])];
  s.specDocs = fromInput.specDocs;
  for (const o of s.request.specObjects ?? []) {
    const r = specFromObject(o.value, o, defaults, s.locate);
    s.diags.push(...r.diagnostics);
    if (r.spec) s.specs.push(r.spec);
  }
}

function recordDiagnostic(w: Workload, locate: Locator, message: string, hint: string): Diagnostic {
  const path = [...w.path, ...w.metadataPath, 'annotations', RECORD_ANNOTATION];
  return {
    code: 'record-invalid',
    severity: 'error',
    message,
    hint,
    file: w.file,
    document: w.document,
    path,
    workload: workloadId(w),
    resource: resourceRef(w),
    ...locate(w.file, w.document, path),
  };
}

/** Finds workloads and undoes an earlier run on each, so a second run starts from the user's original. */
function stageWorkloads(files: readonly SourceFile[], specDocs: Set<string>, locate: Locator, diags: Diagnostic[]): Staged[] {
  const out: Staged[] = [];
  for (const r of resourcesOf(files)) {
    if (specDocs.has(docKey(r.file, r.document))) continue;
    const w = asWorkload(r);
    if (!w) continue;
    const rec = recordOf(w.value, w);
    if (rec.present && !rec.record) {
      diags.push(
        recordDiagnostic(
          w,
          locate,
          `the annotation ${RECORD_ANNOTATION} is not one startorder wrote`,
          `Remove the annotation ${RECORD_ANNOTATION} (and any startorder changes by hand), then run again.`,
        ),
      );
      continue;
    }
    const problem = rec.record ? recordProblem(rec.record, (getIn(w.value, w.podSpecPath) as Obj | undefined) ?? {}) : undefined;
    if (problem) {
      diags.push(
        recordDiagnostic(
          w,
          locate,
          `the annotation ${RECORD_ANNOTATION} does not fit this workload: ${problem}`,
          `Restore the annotation startorder wrote, or remove it (and startorder's changes) by hand, then run again.`,
        ),
      );
      continue;
    }
    const drift: Drift[] = [];
    const original = rec.record ? revertWorkload(w.value, w, rec.record, drift) : w.value;
    for (const d of drift) {
      const path = [...w.path, ...w.podSpecPath, ...d.path];
      diags.push({
        code: 'record-mismatch',
        severity: 'error',
        message: d.message,
        hint: d.hint,
        file: w.file,
        document: w.document,
        path,
        workload: workloadId(w),
        container: d.container,
        resource: resourceRef(w),
        ...locate(w.file, w.document, path),
      });
    }
    out.push({ workload: w, current: w.value, original, ...(rec.record ? { record: rec.record } : {}) });
  }
  return out;
}

/** The resources of the inputs that are neither workloads nor StartOrder documents (for select's hints). */
export function otherResources(s: RunState) {
  return resourcesOf(s.files).filter((r) => !asWorkload(r) && !s.specDocs.has(docKey(r.file, r.document)));
}
