/** The printer's settings, and the user's indentation habits read from their file. */
import type { ToStringOptions } from 'yaml';

/**
 * The printer's settings, pinned in one place. lineWidth 0: never fold a long argument line.
 * Indentation and the style of sequences under a key follow the user's file (see detectStyle).
 */
export const EMIT_OPTIONS: ToStringOptions = {
  lineWidth: 0,
  minContentWidth: 0,
  indent: 2,
  indentSeq: true,
  flowCollectionPadding: true,
};

/** Reads the user's indentation habits so inserted lines look like theirs. */
export function detectStyle(text: string): ToStringOptions {
  const lines = text.split('\n');
  let indent: number | undefined;
  let indentSeq: boolean | undefined;
  for (let i = 0; i + 1 < lines.length && (indent === undefined || indentSeq === undefined); i++) {
    const cur = /^( *)[^\s#-][^#]*:\s*$/.exec(lines[i]!);
    if (!cur) continue;
    let j = i + 1;
    while (j < lines.length && /^\s*(#.*)?$/.test(lines[j]!)) j++;
    const next = /^( *)(- )?/.exec(lines[j] ?? '')!;
    const diff = next[1]!.length - cur[1]!.length;
    if (next[2] && indentSeq === undefined) indentSeq = diff > 0;
    else if (!next[2] && diff > 0 && indent === undefined) indent = diff;
  }
  const padding = /[[{] \S/.test(text) ? true : /[[{][^\s\]}]/.test(text) ? false : true;
  return { ...EMIT_OPTIONS, indent: indent ?? 2, indentSeq: indentSeq ?? true, flowCollectionPadding: padding };
}
