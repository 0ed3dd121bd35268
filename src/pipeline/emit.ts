/**
 * emit: the changed documents rewritten in their own style (a text edit); documents nobody changed
 * keep their bytes; the StartOrder documents of the inputs are dropped (or kept, for check / --write).
 */
import { copyTree, alignOrder, deepEqual } from '../equal.js';
import { emitYamlDocument, EmitError, type Change } from '../emit/emit.js';
import type { SourceFile } from '../load/parse.js';
import type { AppliedRecord } from '../rewrite/record.js';
import { docKey } from '../spec/collect.js';
import { setIn, type Obj } from '../kube/index.js';
import type { FileOutput } from './request.js';
import type { RunState } from './state.js';
import { failure } from './verify.js';

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

/** One Change per changed resource, grouped by document. */
function collectChanges(s: RunState): void {
  for (const [x, planned] of s.next) {
    const value = alignOrder(planned, x.current);
    if (deepEqual(value, x.current)) continue;
    const key = docKey(x.workload.file, x.workload.document);
    const list = s.changes.get(key) ?? [];
    // the same file given twice: one change per resource
    if (list.some((c) => deepEqual(c.path, x.workload.path))) continue;
    list.push({
      document: x.workload.document,
      path: x.workload.path,
      before: x.current,
      after: value,
      ...(s.request.revert && x.record ? { restore: restoreOf(x.record) } : {}),
    });
    s.changes.set(key, list);
    s.stagesOfDoc.set(key, [...(s.stagesOfDoc.get(key) ?? []), x]);
  }
}

function applyChangesTo(value: unknown, cs: readonly Change[]): unknown {
  let v = value;
  for (const ch of cs) v = ch.path.length === 0 ? ch.after : setIn(copyTree(v as Obj), ch.path, ch.after);
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

function emitFile(s: RunState, f: SourceFile): FileOutput {
  const keepSpecs = s.request.keepInputSpecs === true;
  const write = (index: number, value: unknown, c: readonly Change[]) => {
    const text = edited(f, index, c);
    s.written.push({ file: f, index, key: docKey(f.name, index), text, expected: applyChangesTo(value, c) });
    return text;
  };
  if (f.format === 'json') {
    const c = s.changes.get(docKey(f.name, f.docOffset));
    if (!c) return { name: f.name, format: f.format, text: f.text, changed: false };
    return { name: f.name, format: f.format, text: write(f.docOffset, f.docs[0]!.value, c), changed: true };
  }
  let text = '';
  let changed = false;
  for (const d of f.docs) {
    const key = docKey(f.name, d.index);
    const c = s.changes.get(key);
    if (s.specDocs.has(key)) {
      if (keepSpecs) text += f.text.slice(d.start, d.end);
      else changed = true;
    } else if (!c) text += f.text.slice(d.start, d.end);
    else {
      changed = true;
      text += write(d.index, d.value, c);
    }
  }
  if (f.docs.length === 0) text = f.text;
  return { name: f.name, format: f.format, text, changed };
}

export function emit(s: RunState): void {
  collectChanges(s);
  s.outputs = s.files.map((f) => emitFile(s, f));
}
