/** Aliases (a use that must differ becomes a copy; kept uses are written out when the anchor changes) and revert's recorded texts. */
import { isAlias, isCollection, isSeq, visit, type Alias, type Node } from 'yaml';
import { deepEqual } from '../equal.js';
import { blockCol, column, isBlock, range, reindent } from './text.js';
import { EmitError, type Ctx, type Env } from './types.js';

/** Whether a node that keeps its value still needs visiting (an alias inside must be written out). */
export function needsVisit(cx: Ctx, node: Node | null | undefined, env: Env): boolean {
  if (!node) return false;
  if (cx.src.expand.size === 0 && !env.expandAll) return false;
  let found = false;
  const check = (n: unknown) => {
    if (isAlias(n)) {
      const t = cx.src.anchorOf(n);
      if (env.expandAll || (t && cx.src.expand.has(t))) found = true;
    }
  };
  check(node);
  if (!found && isCollection(node)) {
    visit(node, {
      Alias: (_k, n) => {
        check(n);
        return found ? visit.BREAK : undefined;
      },
    });
  }
  return found;
}

/** revert: whether a recorded text lies at or under this place (then it is visited). */
export function restoreUnder(cx: Ctx, env: Env): boolean {
  if (!cx.src.restore || cx.src.restore.size === 0 || env.container === undefined || env.containerDepth === undefined) return false;
  const prefix = [env.container, ...env.path.slice(env.containerDepth)].join('/');
  for (const k of cx.src.restore.keys()) if (k === prefix || k.startsWith(`${prefix}/`)) return true;
  return false;
}

export function restored(cx: Ctx, after: unknown, env: Env): string | undefined {
  if (!cx.src.restore || env.container === undefined || env.containerDepth === undefined) return undefined;
  const key = [env.container, ...env.path.slice(env.containerDepth)].join('/');
  const r = cx.src.restore.get(key);
  if (!r || ('value' in r && !deepEqual(r.value, after))) return undefined;
  // A block value below its key was recorded from the line after the key (where a render `from`
  // starts); any other value from its first character.
  return r.text;
}

/** An alias whose use must differ, or whose anchor changed: the anchor's text, changed, in its place. */
export function renderAlias(cx: Ctx, node: Alias, before: unknown, after: unknown, env: Env): string {
  const target = cx.src.anchorOf(node);
  if (!target || !target.range) throw new EmitError(`an alias *${node.source} without its anchor`, env.path);
  const copyEnv: Env = { ...env, copying: true };
  let text = cx.render(target, before, after, copyEnv);
  const targetCol = column(cx.src.text, target.range[0]);
  if (isBlock(target)) {
    // A block collection cannot follow `key: ` on its line: it starts on the next line.
    const col = blockCol(cx, env, isSeq(target));
    text = text.replace(/\r?\n$/, '');
    return `${cx.src.eol}${' '.repeat(col)}${reindent(text, col - targetCol)}`;
  }
  return reindent(text, column(cx.src.text, range(node, env.path)[0]) - targetCol);
}
