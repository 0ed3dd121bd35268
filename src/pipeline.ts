import { Document } from 'yaml';
import { alignOrder, copyTree, deepEqual } from './equal.js';
import { hasErrors, sortDiagnostics, type Diagnostic } from './diagnostics.js';
import { EmitError, emitYamlDocument, sourceTexts, verifyDocument, EMIT_OPTIONS, type Change } from './emit/emit.js';
import { makeLocator, type Locator } from './load/locate.js';
import { parseFile, type SourceFile } from './load/parse.js';
import { planWorkload, resourceRef, type Plan } from './plan/plan.js';
import { applyPlan } from './rewrite/apply.js';
import { RECORD_ANNOTATION } from './rewrite/names.js';
import { recordOf, revertWorkload, type Drift } from './rewrite/revert.js';
import { recordProblem, type AppliedRecord } from './rewrite/record.js';
import { collectSpecs, docKey, specFromObject } from './spec/collect.js';
import type { SpecDefaults } from './spec/normalize.js';
import { withResolvedImages } from './resolve/wiring.js';
import { asWorkload, getIn, resourcesOf } from './select/resources.js';
import { select } from './select/select.js';
import { workloadId, type ImageEntry, type Obj, type Spec, type Workload } from './types.js';
import { validateOutput } from './validate/validate.js';

export interface Input {
  name: string;
  text: string;
  /** When the text is a part of a larger stream: the lines and documents before it. */
  lineOffset?: number;
  docOffset?: number;
}

export interface Options {
  defaults?: SpecDefaults;
  /** Files given with -c/--config: their StartOrder documents are specs. */
  configs?: readonly Input[];
  /** Specs handed over directly (a KRM functionConfig). */
  specObjects?: readonly { value: Obj; file?: string; document?: number; path?: (string | number)[] }[];
  /** Undo what startorder did, instead of transforming. */
  revert?: boolean;
  /**
   * false when the StartOrder documents of the input were already read (a stream processed in parts
   * passes them as `configs`): they are still left out of the output, but not read twice.
   */
  collectInputSpecs?: boolean;
  /** check / --write: StartOrder documents of input files are the user's specs, kept in place. */
  keepInputSpecs?: boolean;
  /** ENTRYPOINT/CMD looked up by --resolve-images: used after each spec's own images table. */
  resolvedImages?: ImageEntry[];
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
  plans: Plan[];
  sources: SourceFile[];
  /** Per resource, the value the pipeline emits (for KRM output). */
  changes: Map<string, Change[]>;
}

interface Stage {
  workload: Workload;
  current: Obj;
  original: Obj;
  /** The record of an earlier run, when the workload carries one. */
  record?: AppliedRecord;
}

/** Finds workloads and undoes an earlier run on each, so a second run starts from the user's original. */
function stageWorkloads(files: readonly SourceFile[], specDocs: Set<string>, locate: Locator, diags: Diagnostic[]): Stage[] {
  const out: Stage[] = [];
  for (const r of resourcesOf(files)) {
    if (specDocs.has(docKey(r.file, r.document))) continue;
    const w = asWorkload(r);
    if (!w) continue;
    const rec = recordOf(w.value, w);
    if (rec.present && !rec.record) {
      const path = [...w.path, ...w.metadataPath, 'annotations', RECORD_ANNOTATION];
      diags.push({ code: 'record-invalid', severity: 'error', message: `the annotation ${RECORD_ANNOTATION} is not one startorder wrote`, hint: `Remove the annotation ${RECORD_ANNOTATION} (and any startorder changes by hand), then run again.`, file: w.file, document: w.document, path, workload: workloadId(w), resource: resourceRef(w), ...locate(w.file, w.document, path) });
      continue;
    }
    const problem = rec.record ? recordProblem(rec.record, (getIn(w.value, w.podSpecPath) as Obj | undefined) ?? {}) : undefined;
    if (problem) {
      const path = [...w.path, ...w.metadataPath, 'annotations', RECORD_ANNOTATION];
      diags.push({ code: 'record-invalid', severity: 'error', message: `the annotation ${RECORD_ANNOTATION} does not fit this workload: ${problem}`, hint: `Restore the annotation startorder wrote, or remove it (and startorder's changes) by hand, then run again.`, file: w.file, document: w.document, path, workload: workloadId(w), resource: resourceRef(w), ...locate(w.file, w.document, path) });
      continue;
    }
    const drift: Drift[] = [];
    const original = rec.record ? revertWorkload(w.value, w, rec.record, drift) : w.value;
    for (const d of drift) {
      const path = [...w.path, ...w.podSpecPath, ...d.path];
      diags.push({ code: 'record-mismatch', severity: 'error', message: d.message, hint: d.hint, file: w.file, document: w.document, path, workload: workloadId(w), container: d.container, resource: resourceRef(w), ...locate(w.file, w.document, path) });
    }
    out.push({ workload: w, current: w.value, original, ...(rec.record ? { record: rec.record } : {}) });
  }
  return out;
}

export function transform(inputs: readonly Input[], options: Options = {}): Result {
  const defaults = options.defaults ?? {};
  const diags: Diagnostic[] = [];
  const part = (i: Input) => ({ lineOffset: i.lineOffset ?? 0, docOffset: i.docOffset ?? 0 });
  const parsedInputs = inputs.map((i) => parseFile(i.name, i.text, part(i)));
  const parsedConfigs = (options.configs ?? []).map((i) => parseFile(i.name, i.text, part(i)));
  for (const p of [...parsedInputs, ...parsedConfigs]) diags.push(...p.diagnostics);
  const sources = [...parsedInputs, ...parsedConfigs].map((p) => p.file);
  const empty = (): Result => ({ files: [], diagnostics: sortDiagnostics(diags), plans: [], sources, changes: new Map() });
  if (hasErrors(diags)) return empty();
  const files = parsedInputs.map((p) => p.file);
  const locate = makeLocator(sources);

  const fromConfig = collectSpecs(parsedConfigs.map((p) => p.file), defaults, locate);
  const fromInput = collectSpecs(files, defaults, locate);
  diags.push(...fromConfig.diagnostics, ...(options.collectInputSpecs === false ? [] : fromInput.diagnostics));
  const specs: Spec[] = [...fromConfig.specs, ...(options.collectInputSpecs === false ? [] : fromInput.specs)];
  for (const s of options.specObjects ?? []) {
    const r = specFromObject(s.value, s, defaults, locate);
    diags.push(...r.diagnostics);
    if (r.spec) specs.push(r.spec);
  }
  const staged = stageWorkloads(files, fromInput.specDocs, locate, diags);

  const next = new Map<Stage, Obj>();
  const plans: Plan[] = [];
  const planOfStage = new Map<Stage, Plan>();
  if (options.revert) {
    for (const s of staged) if (s.original !== s.current) next.set(s, s.original);
  } else {
    const others = resourcesOf(files).filter((r) => !asWorkload(r) && !fromInput.specDocs.has(docKey(r.file, r.document)));
    const { selections, diagnostics } = select(staged.map((s) => ({ workload: s.workload, original: s.original })), specs, defaults, locate, others);
    diags.push(...diagnostics);
    const stageOf = new Map(staged.map((s) => [s.workload, s]));
    for (const sel of selections) {
      const stage = stageOf.get(sel.workload)!;
      const w = { ...sel.workload, value: stage.original };
      const planned = planWorkload(w, getIn(stage.original, w.podSpecPath) as Obj, withResolvedImages(sel.spec, options.resolvedImages), locate);
      diags.push(...planned.diagnostics);
      if (!planned.plan) continue;
      // The user's text of what the transform replaces, for revert: from the source, or kept from the
      // record of an earlier run (the source then holds startorder's text).
      const file = files.find((f) => f.name === w.file)!;
      const src = stage.record ? (stage.record.src ?? {}) : sourceTexts(file, w.document, w.path, w.podSpecPath, new Set([...planned.plan.wrapped.map((x) => x.name), ...planned.plan.native.map((x) => x.name)]));
      const applied = applyPlan(planned.plan, stage.original, locate, src);
      diags.push(...applied.diagnostics);
      if (!applied.value) continue;
      plans.push(planned.plan);
      planOfStage.set(stage, planned.plan);
      next.set(stage, applied.value);
    }
  }
  if (hasErrors(diags)) return empty();

  // Emit: documents nobody changed keep their bytes; StartOrder documents of the input are dropped.
  const changes = new Map<string, Change[]>();
  const stageOfDoc = new Map<string, Stage[]>();
  for (const [s, planned] of next) {
    const value = alignOrder(planned, s.current);
    if (deepEqual(value, s.current)) continue;
    const key = docKey(s.workload.file, s.workload.document);
    const list = changes.get(key) ?? [];
    // the same file given twice: one change per resource
    if (list.some((c) => deepEqual(c.path, s.workload.path))) continue;
    list.push({ document: s.workload.document, path: s.workload.path, before: s.current, after: value, ...(options.revert && s.record ? { restore: restoreOf(s.record) } : {}) });
    changes.set(key, list);
    stageOfDoc.set(key, [...(stageOfDoc.get(key) ?? []), s]);
  }
  // What was written is read back: the value each changed document must hold, and what it holds.
  const written = new Map<Stage, Obj>();
  const outputs: FileOutput[] = files.map((f) => emitFile(f, changes, fromInput.specDocs, options.keepInputSpecs === true, (key, value) => {
    for (const s of stageOfDoc.get(key) ?? []) written.set(s, (s.workload.path.length === 0 ? value : getIn(value as Obj, s.workload.path)) as Obj);
  }));
  for (const [s, value] of written) {
    const plan = planOfStage.get(s);
    if (plan) diags.push(...validateOutput(plan, value, locate));
  }
  if (hasErrors(diags)) return empty();
  return { files: outputs, diagnostics: sortDiagnostics(diags), plans, sources, changes };
}

/** What revert may write back as the user's text: the recorded sources, with the value each held. */
function restoreOf(record: AppliedRecord): Map<string, { text: string; value?: unknown }> {
  const out = new Map<string, { text: string; value?: unknown }>();
  for (const [key, text] of Object.entries(record.src ?? {})) {
    const [name, field, ...rest] = key.split('/');
    const c = record.containers.find((x) => x.name === name);
    if (rest.length === 0 && c && field !== undefined && field in c.fields) out.set(key, { text, value: c.fields[field] });
    else out.set(key, { text });
  }
  return out;
}

/** The emitter went wrong: never print what it made. Names the file, the document and the path. */
export class EmitFailure extends Error {
  override name = 'EmitFailure';
}

function failure(file: string, document: number, path: readonly (string | number)[], why: string): EmitFailure {
  return new EmitFailure(`${file}: document ${document + 1}, at ${path.length ? path.join('.') : '(root)'}: ${why}; nothing was written`);
}

function applyChangesTo(value: unknown, cs: readonly Change[]): unknown {
  let v = value;
  for (const ch of cs) v = ch.path.length === 0 ? ch.after : setIn(v as Obj, ch.path, ch.after);
  return v;
}

/** One changed document's new text; the engine's refusals become an EmitFailure naming the place. */
function edited(f: SourceFile, index: number, c: readonly Change[]): string {
  try {
    return emitYamlDocument(f, index, c);
  } catch (e) {
    if (e instanceof EmitError) throw failure(f.name, index, [...e.path], e.message);
    throw e;
  }
}

/** What was written, read back: it must parse (as JSON for a JSON file) to exactly the value meant. */
function readBack(f: SourceFile, index: number, out: string, expected: unknown): unknown {
  const back = f.format === 'json' ? verifyJson(out, expected) : verifyDocument(out, expected);
  if (back.error) throw failure(f.name, index, [], `the document written does not parse (${back.error})`);
  if (back.mismatch) throw failure(f.name, index, back.mismatch, 'the document written does not read back as the value meant');
  return back.value;
}

function verifyJson(text: string, expected: unknown): { value?: unknown; mismatch?: (string | number)[]; error?: string } {
  let value: unknown;
  try {
    value = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (e) {
    return { error: (e as Error).message };
  }
  return deepEqual(value, expected) ? { value } : { value, mismatch: [] };
}

function emitFile(f: SourceFile, changes: Map<string, Change[]>, specDocs: Set<string>, keepSpecs: boolean, read: (key: string, value: unknown) => void): FileOutput {
  if (f.format === 'json') {
    const key = docKey(f.name, f.docOffset);
    const c = changes.get(key);
    if (!c) return { name: f.name, format: f.format, text: f.text, changed: false };
    const text = edited(f, f.docOffset, c);
    read(key, readBack(f, f.docOffset, text, applyChangesTo(f.docs[0]!.value, c)));
    return { name: f.name, format: f.format, text, changed: true };
  }
  let text = '';
  let changed = false;
  for (const d of f.docs) {
    const key = docKey(f.name, d.index);
    if (specDocs.has(key)) {
      if (keepSpecs) text += f.text.slice(d.start, d.end);
      else changed = true;
      continue;
    }
    const c = changes.get(key);
    if (!c) {
      text += f.text.slice(d.start, d.end);
      continue;
    }
    changed = true;
    const out = edited(f, d.index, c);
    read(key, readBack(f, d.index, out, applyChangesTo(d.value, c)));
    text += out;
  }
  if (f.docs.length === 0) text = f.text;
  return { name: f.name, format: f.format, text, changed };
}

function setIn(root: Obj, path: readonly (string | number)[], value: unknown): Obj {
  const copy = copyTree(root);
  let cur: Record<string | number, unknown> = copy;
  for (const k of path.slice(0, -1)) cur = cur[k] as Record<string | number, unknown>;
  cur[path[path.length - 1]!] = value;
  return copy;
}

/** Re-renders values in another format (`-o json` / `-o yaml`). */
export function renderAs(format: 'yaml' | 'json', values: readonly unknown[]): string {
  if (format === 'json') {
    const one = values.length === 1 ? values[0] : { apiVersion: 'v1', kind: 'List', items: values };
    return `${JSON.stringify(one, null, 2)}\n`;
  }
  return values.map((v) => new Document(v, { version: '1.1' }).toString(EMIT_OPTIONS)).join('---\n');
}
