/** The shapes the emitter's engine shares: what it edits with (Sources), where it is (Env), what it writes (Edit). */
import type { Alias, Node } from 'yaml';

export class EmitError extends Error {
  constructor(
    message: string,
    readonly path: readonly (string | number)[],
  ) {
    super(message);
  }
}

export type Path = (string | number)[];

export interface EditStyle {
  /** A JSON file: what startorder adds is JSON too, in one line per value. */
  json?: boolean;
  indent: number;
  indentSeq: boolean;
  flowPadding: boolean;
}

export interface Sources {
  text: string;
  eol: string;
  style: EditStyle;
  /** Container nodes of the resource before the change, by name (a container may move lists). */
  containers: Map<string, { node: Node; value: unknown }>;
  /** The command/args word nodes of each container before the change (with their list and place). */
  words: Map<string, { node: Node; value: unknown; used: boolean; seq?: Node; index?: number }[]>;
  /** Anchor name → the node that defines it (the last definition before a use wins in YAML). */
  anchorOf: (alias: Alias) => Node | undefined;
  /** The plain value of a node of the document. */
  valueOf: (node: Node) => unknown;
  /** Anchored nodes whose kept aliases must be written out in full (second pass). */
  expand: Set<Node>;
  /** Anchored nodes changed in place (found by the first pass). */
  edited: Set<Node>;
  /**
   * revert: the user's own text of nodes the transform replaced (a command, an alias), by
   * `container/path/in/it`, with the value it held; used where the value is that value again.
   */
  restore?: Map<string, { text: string; value?: unknown }>;
}

export interface Env {
  path: Path;
  /** Indentation column of the parent: the key of a map value, the dash of a list item. */
  col: number;
  slot: 'value' | 'item';
  container?: string;
  /** Where in `path` the container's own keys start (for `restore`). */
  containerDepth?: number;
  /** Rendering a copy (an alias written out, a moved container): its anchors are not the user's. */
  copying: boolean;
  /** Inside moved text every alias is written out: its anchor may now come after it. */
  expandAll: boolean;
}

export interface Edit {
  start: number;
  end: number;
  text: string;
}

export function rootEnv(path: Path): Env {
  return { path, col: 0, slot: 'value', copying: false, expandAll: false };
}

/** The engine as its parts see it: the sources, and the renderer to recurse into. */
export interface Ctx {
  readonly src: Sources;
  /** The new text of `node` (its source range [0, 1)) so that it holds `after` where it held `before`. */
  render(node: Node | null, before: unknown, after: unknown, env: Env, from?: number): string;
  /** A collection replaced as a whole, in its own style (block lines stay block lines). */
  replaceWhole(node: Node, after: unknown, env: Env): string;
}
