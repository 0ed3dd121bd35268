/** The emitter's entry: the text of a YAML document after its changes, edited in place. */
import { visit, type Document, type Node } from 'yaml';
import type { Obj } from '../kube/index.js';
import type { SourceFile } from '../load/parse.js';
import { EmitError, Renderer, rootEnv } from './edit.js';
import { sourcesOf } from './sources.js';

export { EmitError } from './edit.js';
export { sourceTexts } from './sources.js';
export { EMIT_OPTIONS } from './style.js';
export { verifyDocument } from './verify.js';

/** A resource whose value changed: where it sits, what it was, what it becomes. */
export interface Change {
  document: number;
  path: (string | number)[];
  before: Obj;
  after: Obj;
  /** revert: the user's text of nodes the transform replaced (see AppliedRecord.src). */
  restore?: Map<string, { text: string; value?: unknown }>;
}

/** The edits of one change: the new text of the resource's node, and where it goes. */
function renderChange(doc: Document, c: Change, text: string, region: string, json: boolean): { start: number; end: number; text: string } {
  const node = (c.path.length === 0 ? doc.contents : doc.getIn(c.path, true)) as Node | null;
  if (!node || !node.range) throw new EmitError('the resource has no node in its document', c.path);
  const src = sourcesOf(doc, c, text, region, json);
  src.restore = c.restore;
  let out = new Renderer(src).render(node, c.before, c.after, rootEnv(c.path));
  if (src.edited.size > 0 && hasAliases(doc)) {
    // An anchor changed in place: the aliases that keep its old value are written out in full.
    const again = sourcesOf(doc, c, text, region, json);
    again.expand = new Set(src.edited);
    again.restore = c.restore;
    out = new Renderer(again).render(node, c.before, c.after, rootEnv(c.path));
  }
  return { start: node.range[0], end: node.range[1], text: out };
}

function hasAliases(doc: Document): boolean {
  let found = false;
  visit(doc, {
    Alias() {
      found = true;
      return visit.BREAK;
    },
  });
  return found;
}

/** The text of one YAML document after the changes: the user's text with startorder's edits. */
export function emitYamlDocument(file: SourceFile, index: number, changes: readonly Change[]): string {
  const d = file.docs[index - file.docOffset]!;
  const region = file.text.slice(d.start, d.end);
  const edits = changes.map((c) => renderChange(d.doc, c, file.text, region, file.format === 'json')).sort((a, b) => a.start - b.start);
  let out = '';
  let pos = d.start;
  for (const e of edits) {
    if (e.start < pos) throw new EmitError('two changes overlap', []);
    out += file.text.slice(pos, e.start) + e.text;
    pos = e.end;
  }
  return out + file.text.slice(pos, d.end);
}
