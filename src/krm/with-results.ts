/** `results` added to a ResourceList by a text edit, so every byte that was there stays as it was. */
import { isMap, isNode, isScalar, isSeq, parseDocument, Document, type Pair, type YAMLMap } from 'yaml';
import { PARSE_OPTIONS } from '../load/parse.js';
import type { Obj } from '../kube/index.js';

interface Edit {
  at: number;
  /** Characters removed at `at`. */
  remove: number;
  text: string;
}

function lineStart(text: string, at: number): number {
  return text.lastIndexOf('\n', at - 1) + 1;
}

/** A block sequence of `values` as YAML, every line indented by `indent` spaces. */
function blockItems(values: readonly Obj[], indent: number, indentSeq = true): string {
  const body = new Document(values, { version: '1.2' }).toString({ lineWidth: 0, indentSeq });
  return body.replace(/^(?=.)/gm, ' '.repeat(indent));
}

/** `"key": [..]` text for a flow (JSON) mapping, in the indentation of its other keys when one can be seen. */
function flowEntry(text: string, root: YAMLMap, key: string, value: readonly Obj[]): string {
  const first = root.items[0];
  const at = isNode(first?.key) ? first.key.range?.[0] : undefined;
  const multiline = at !== undefined && text.slice(root.range![0], at).includes('\n');
  const indent = multiline ? at - lineStart(text, at) : 0;
  const json = JSON.stringify(value, null, multiline ? 2 : undefined).replace(/\n/g, `\n${' '.repeat(indent)}`);
  return `${JSON.stringify(key)}: ${json}`;
}

const pairOf = (root: YAMLMap, key: string): Pair | undefined => root.items.find((p) => isScalar(p.key) && p.key.value === key);

function indentOfKeys(text: string, root: YAMLMap): number {
  const k = root.items[0]?.key;
  const at = isNode(k) ? k.range?.[0] : undefined;
  return at === undefined ? 2 : at - lineStart(text, at);
}

/** The edit that adds `key: value` to the ResourceList mapping, in its style (flow, or block). */
function addKey(text: string, root: YAMLMap, key: string, value: readonly Obj[]): Edit {
  if (root.flow) {
    const close = text.lastIndexOf('}', root.range![1]);
    let before = close;
    while (before > 0 && /\s/.test(text[before - 1]!)) before--;
    const multiline = text.slice(before, close).includes('\n');
    const entry = flowEntry(text, root, key, value);
    const sep = root.items.length > 0 ? ',' : '';
    return { at: before, remove: 0, text: multiline ? `${sep}\n${' '.repeat(indentOfKeys(text, root))}${entry}` : `${sep}${sep ? ' ' : ''}${entry}` };
  }
  let at = root.range![1];
  if (at > 0 && text[at - 1] !== '\n') at = text.indexOf('\n', at) < 0 ? text.length : text.indexOf('\n', at) + 1;
  const indent = root.range![0] - lineStart(text, root.range![0]);
  const pre = at > 0 && text[at - 1] !== '\n' ? '\n' : '';
  // Nested sequences in the list's own style: `- ` under the key (kyaml's) or indented by two.
  const items = pairOf(root, 'items');
  const seqOfItems = items && isSeq(items.value) && !items.value.flow ? items.value : undefined;
  const compact =
    seqOfItems?.range && isNode(items!.key) && items!.key.range
      ? seqOfItems.range[0] - lineStart(text, seqOfItems.range[0]) === items!.key.range[0] - lineStart(text, items!.key.range[0])
      : false;
  const body = value.length === 0 ? `${key}: []\n` : `${key}:\n${compact ? blockItems(value, 0, false) : blockItems(value, 2, false)}`;
  return { at, remove: 0, text: pre + body.replace(/^(?=.)/gm, ' '.repeat(indent)) };
}

/** The edit that adds `results` after those an earlier function left (or in place of what is not a list). */
function addResults(text: string, root: YAMLMap, results: readonly Obj[]): Edit | undefined {
  const existing = pairOf(root, 'results');
  const seq = existing?.value;
  const flowList = () => `[${results.map((r) => JSON.stringify(r)).join(', ')}]`;
  if (!existing) return addKey(text, root, 'results', results);
  if (isSeq(seq) && seq.range) {
    if (seq.flow) {
      const json = results.map((r) => JSON.stringify(r)).join(', ');
      const last = seq.items[seq.items.length - 1];
      const end = isNode(last) && last.range ? last.range[1] : undefined;
      return end !== undefined ? { at: end, remove: 0, text: `, ${json}` } : { at: text.lastIndexOf(']', seq.range[1]), remove: 0, text: json };
    }
    const at = seq.range[1];
    const indent = seq.range[0] - lineStart(text, seq.range[0]);
    return { at, remove: 0, text: (text[at - 1] === '\n' ? '' : '\n') + blockItems(results, indent) };
  }
  if (isScalar(seq) && seq.value === null && seq.range) {
    // `results:` or `results: null`: the value becomes the list.
    const keyEnd = isNode(existing.key) && existing.key.range ? existing.key.range[1] : seq.range[0];
    const at = text.indexOf(':', keyEnd) + 1;
    const eol = text.indexOf('\n', at) < 0 ? text.length : text.indexOf('\n', at);
    return { at, remove: Math.max(0, Math.min(seq.range[1], eol) - at), text: ` ${flowList()}` };
  }
  // Not a list: an earlier function wrote something else. Ours go in its place, as the spec wants a list.
  const v = existing.value;
  return isNode(v) && v.range ? { at: v.range[0], remove: v.range[1] - v.range[0], text: flowList() } : undefined;
}

/**
 * Adds `results` to the ResourceList by editing its text, so every byte that was there stays as it
 * was (items, comments, large numbers): new results go after those an earlier function left, in the
 * style of the list (block YAML, or flow/JSON). With `ensureItems`, a list without `items` gets
 * `items: []`. Text that cannot be read as a mapping comes back unchanged.
 */
export function withResults(text: string, results: readonly Obj[], ensureItems = false): string {
  if (results.length === 0 && !ensureItems) return text;
  const doc = parseDocument(text, PARSE_OPTIONS);
  const root = doc.contents;
  if (doc.errors.length > 0 || !isMap(root) || !root.range) return text;
  const edits: Edit[] = [];
  const added = results.length > 0 ? addResults(text, root, results) : undefined;
  if (added) edits.push(added);
  if (ensureItems && !pairOf(root, 'items')) edits.push(addKey(text, root, 'items', []));
  let out = text;
  // From the end, so offsets stay valid; of two edits at one place, the later one goes after.
  const order = edits.map((e, i) => ({ e, i })).sort((a, b) => b.e.at - a.e.at || b.i - a.i);
  for (const { e } of order) out = out.slice(0, e.at) + e.text + out.slice(e.at + e.remove);
  return out;
}
