/** Editing a mapping: its kept values in place, its new keys next to the key before them, its deleted keys with their lines. */
import { isScalar, isSeq, type Node, type Pair, type YAMLMap } from 'yaml';
import { deepEqual } from '../equal.js';
import { needsVisit, restored, restoreUnder } from './aliases.js';
import { blockListEdits, flowListEdits, applyEdits } from './edits.js';
import { blockMapEntry, flowEntry } from './entries.js';
import { printFresh } from './pool.js';
import { column, isBlock, keyName, lineEnd, range } from './text.js';
import { EmitError, type Ctx, type Edit, type Env, type Path } from './types.js';

export function renderMap(cx: Ctx, node: YAMLMap, before: Record<string, unknown>, after: Record<string, unknown>, env: Env, from?: number): string {
  const text = cx.src.text;
  const [n0, r1] = range(node, env.path);
  const r0 = from ?? n0;
  const pairs = node.items;
  const keys = pairs.map((p) => (isScalar(p.key) ? keyName(p.key.value) : undefined));
  if (keys.some((k) => k === undefined)) throw new EmitError('a mapping with a complex key', env.path);
  const own = keys as string[];
  const afterKeys = Object.keys(after);
  const kept = own.filter((k) => k !== '<<' && k in after);
  const keptOrder = afterKeys.filter((k) => kept.includes(k));
  if (!deepEqual(kept, keptOrder)) {
    // A value whose keys change their order (a startupProbe startorder replaces) is written anew.
    if (env.path.length > 0) return cx.src.text.slice(r0, n0) + cx.replaceWhole(node, after, env);
    throw new EmitError('keys that change their order', env.path);
  }
  const flow = !!node.flow;
  const edits: Edit[] = [];
  const keyCol = pairs.length > 0 ? column(text, range(pairs[0]!.key as Node, env.path)[0]) : env.col;
  const entries = pairs.map((p) => (flow ? flowEntry(p.key as Node, p.value as Node | null, env.path) : blockMapEntry(text, p, env.path, r0)));
  const deleted = pairs.map((_p, i) => own[i] !== '<<' && !(own[i]! in after));

  pairs.forEach((p, i) => {
    if (deleted[i]) return;
    const edit = keptValueEdit(cx, p, own[i]!, before, after, { ...env, path: [...env.path, own[i]!], col: keyCol, slot: 'value' });
    if (edit) edits.push(edit);
  });
  const inserts = newKeys(cx, node, own, before, after, env, keyCol);
  if (flow) edits.push(...flowListEdits(cx, text, r0, r1, entries, deleted, inserts, env.path));
  else edits.push(...blockListEdits(cx, entries, deleted, inserts, keyCol, r0, r1));
  return applyEdits(text, r0, r1, edits, env.path);
}

/** The edit of a value in place; one that now starts on the next line takes the spaces before it. */
function valueEdit(cx: Ctx, value: Node, text: string, path: Path): Edit {
  const [v0, v1] = range(value, path);
  const src = cx.src.text;
  let start = v0;
  if (text.startsWith(cx.src.eol)) while (start > 0 && (src[start - 1] === ' ' || src[start - 1] === '\t')) start--;
  else if (isBlock(value) && !/^[ \t]*(-|[^\s#][^\n]*:(\s|$))/.test(text)) {
    // a block value below its key becomes a scalar, flow or alias: back on the key's line
    const keyLineEnd = src.lastIndexOf('\n', v0 - 1);
    const colon = src.lastIndexOf(':', keyLineEnd);
    if (colon >= 0 && /^[ \t]*\r?\n[ \t]*$/.test(src.slice(colon + 1, v0))) {
      const nl = src.slice(v0, v1).endsWith('\n') && !text.endsWith('\n') ? cx.src.eol : '';
      return { start: colon + 1, end: v1, text: `${text === '' ? '' : ' '}${text}${nl}` };
    }
  }
  return { start, end: v1, text };
}

function printPair(cx: Ctx, key: string, value: unknown, env: Env, flow: boolean, keyCol: number): string {
  if (flow) return printFresh(cx, value, env, true, keyCol, key).replace(/^\{ ?|\s?\}$/g, '');
  return printFresh(cx, value, env, false, keyCol, key);
}

/** The edit of the value of a key that stays (undefined: it keeps its text). */
function keptValueEdit(cx: Ctx, p: Pair, k: string, before: Record<string, unknown>, after: Record<string, unknown>, childEnv: Env): Edit | undefined {
  const text = cx.src.text;
  const value = p.value as Node | null;
  if (k === '<<') {
    // a merge keeps its source unless that must be written out (its anchor now comes after it)
    if (!value || (!needsVisit(cx, value, childEnv) && !restoreUnder(cx, childEnv))) return undefined;
    const v = cx.src.valueOf(value);
    return valueEdit(cx, value, cx.render(value, v, v, childEnv), childEnv.path);
  }
  if (!value) {
    if (deepEqual(before[k], after[k])) return undefined;
    throw new EmitError('a key without a value node', childEnv.path);
  }
  const b = before[k];
  const a = after[k];
  if (deepEqual(b, a) && !needsVisit(cx, value, childEnv) && !restoreUnder(cx, childEnv)) return undefined;
  const vr = range(value, childEnv.path);
  // A block value on the lines below its key is edited from the line after the key, so that
  // comments above its first entry belong to that entry.
  const keyEnd = lineEnd(text, range(p.key as Node, childEnv.path)[1]);
  const vfrom =
    isBlock(value) &&
    keyEnd <= vr[0] &&
    /^[ \t]*$/.test(
      text
        .slice(range(p.key as Node, childEnv.path)[1], keyEnd)
        .replace(/^:/, '')
        .replace(/\r?\n$/, ''),
    )
      ? keyEnd
      : vr[0];
  const back = vfrom !== vr[0] ? restored(cx, a, childEnv) : undefined;
  if (back !== undefined && !/^[ \t]*(-|#|\r?\n)|^[ \t]+\S/.test(back)) return valueEdit(cx, value, back, childEnv.path);
  if (vfrom !== vr[0]) return { start: vfrom, end: vr[1], text: cx.render(value, b, a, childEnv, vfrom) };
  return valueEdit(cx, value, cx.render(value, b, a, childEnv), childEnv.path);
}

/** The text of each new key, by the index of the kept key it goes after (-1: before the first). */
function newKeys(
  cx: Ctx,
  node: YAMLMap,
  own: string[],
  before: Record<string, unknown>,
  after: Record<string, unknown>,
  env: Env,
  keyCol: number,
): Map<number, string[]> {
  const flow = !!node.flow;
  const afterKeys = Object.keys(after);
  // New keys go after the key that precedes them in `after`.
  const inserts = new Map<number, string[]>();
  afterKeys.forEach((k, j) => {
    if (own.includes(k)) return;
    // a key that comes from a merge (`<<: *base`) with its value unchanged stays there
    if (own.includes('<<') && k in before && deepEqual(before[k], after[k])) return;
    let prev = -1;
    for (let x = j - 1; x >= 0 && prev < 0; x--) prev = own.indexOf(afterKeys[x]!);
    const childEnv: Env = { ...env, path: [...env.path, k], col: keyCol, slot: 'value' };
    // New `args` next to a flow `command` are written in flow style too.
    const commandNode = node.get('command', true) as Node | undefined;
    const flowValue = !flow && k === 'args' && Array.isArray(after[k]) && !!commandNode && isSeq(commandNode) && !!commandNode.flow;
    const t = flowValue ? `${k}: ${printFresh(cx, after[k], childEnv, true, keyCol)}` : printPair(cx, k, after[k], childEnv, flow, keyCol);
    const list = inserts.get(prev) ?? [];
    list.push(t);
    inserts.set(prev, list);
  });
  return inserts;
}
