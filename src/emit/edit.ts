/**
 * The emitter edits the user's text; it never re-prints a document. Given the YAML node of a resource
 * as the user wrote it, the value it held (`before`) and the value it must hold (`after`), `render`
 * returns the new text of that node: every byte outside what changed is copied from the source, and
 * only what startorder adds is printed, in the style of its surroundings (block or flow, the list's
 * own indentation). Lists are matched by position (a longest common subsequence of equal items);
 * only `containers`/`initContainers` items are matched by name, which Kubernetes makes unique.
 * A container that moves between the two lists, and the words of a rewritten command that move into
 * `args`, move as their source text, so comments and quoting travel with them. An aliased node is
 * never edited in place for its other uses: a use that must differ becomes a copy, and the uses that
 * must not change are written out in full when the anchor itself changes (see `planAliases`).
 *
 * Anything the engine cannot place faithfully throws an EmitError; the pipeline then reports an
 * internal error instead of printing a wrong manifest (and the output is verified again anyway).
 */
import { isAlias, isMap, isScalar, isSeq, type Node } from 'yaml';
import { deepEqual } from '../equal.js';
import { isObj } from '../kube/index.js';
import { needsVisit, renderAlias, restored, restoreUnder } from './aliases.js';
import { renderMap } from './maps.js';
import { printFresh } from './pool.js';
import { renderSeq } from './seqs.js';
import { blockCol, column, isBlock, range } from './text.js';
import { EmitError, type Ctx, type Env, type Sources } from './types.js';

export { keyName } from './text.js';
export { EmitError, rootEnv, type EditStyle, type Sources } from './types.js';

/** The engine: one node at a time, recursing through maps, lists and aliases (see the files beside this one). */
export class Renderer implements Ctx {
  constructor(readonly src: Sources) {}

  /** The new text of `node` (its source range [0, 1)) so that it holds `after` where it held `before`. */
  render(node: Node | null, before: unknown, after: unknown, env: Env, from?: number): string {
    if (node === null) throw new EmitError('no node to edit', env.path);
    const back = restored(this, after, env);
    if (back !== undefined) return back;
    const same = deepEqual(before, after);
    if (same && !needsVisit(this, node, env) && !restoreUnder(this, env)) {
      const r = range(node, env.path);
      return this.src.text.slice(from ?? r[0], r[1]);
    }
    if (isAlias(node)) return renderAlias(this, node, before, after, env);
    if (!same && !env.copying && node.anchor) this.src.edited.add(node);
    if (isMap(node) && isObj(before) && isObj(after)) return renderMap(this, node, before, after, env, from);
    if (isSeq(node) && Array.isArray(before) && Array.isArray(after) && (after.length > 0 || node.flow)) return renderSeq(this, node, before, after, env, from);
    if (from !== undefined && from < range(node, env.path)[0]) return this.src.text.slice(from, range(node, env.path)[0]) + this.replace(node, after, env);
    return this.replace(node, after, env);
  }

  /** A collection replaced as a whole, in its own style (block lines stay block lines). */
  replaceWhole(node: Node, after: unknown, env: Env): string {
    const [r0] = range(node, env.path);
    if (isBlock(node)) return `${printFresh(this, after, env, false, column(this.src.text, r0))}${this.src.eol}`;
    return printFresh(this, after, env, true, column(this.src.text, r0));
  }

  /** A value printed in place of another (a scalar changed, null became a list, …). */
  private replace(node: Node, after: unknown, env: Env): string {
    const [r0, r1] = range(node, env.path);
    const eol = this.src.eol;
    const collection = after !== null && typeof after === 'object';
    const empty = collection && (Array.isArray(after) ? after.length === 0 : Object.keys(after).length === 0);
    if (isBlock(node)) {
      // The old value filled whole lines: so does the new one.
      const col = column(this.src.text, r0);
      const printed = printFresh(this, after, env, !collection || empty, col);
      return `${printed}${eol}`;
    }
    if (collection && !empty && (r0 === r1 || (isScalar(node) && node.value === null))) {
      if (env.slot === 'item') {
        const col = env.col + 2;
        return printFresh(this, after, env, false, col);
      }
      const col = blockCol(this, env, Array.isArray(after));
      return `${eol}${' '.repeat(col)}${printFresh(this, after, env, false, col)}`;
    }
    return printFresh(this, after, env, true, column(this.src.text, r0));
  }
}
