import { matchLines } from './diff.js';

/**
 * Differences the YAML printer makes on lines we did not change: spacing before a comment, padding
 * inside flow brackets, trailing spaces. Leading indentation is kept, so structure cannot move.
 */
function normalize(line: string): string {
  if (!/[#[{\]}]|\s$/.test(line)) return line;
  return line
    .replace(/\s+$/, '')
    .replace(/(\S)[ \t]+#/g, '$1 #')
    .replace(/([[{]) +/g, '$1')
    .replace(/ +([\]}])/g, '$1');
}

const indentOf = (line: string) => line.length - line.trimStart().length;

/**
 * Puts the user's own bytes back on every printed line that means the same as an original line, so
 * the diff of a rewritten document shows only what startorder changed. First the longest common
 * subsequence; then lines that moved (a container that became an init container) where the line is
 * unique among those left on both sides. Where the user's file mixes indentation styles (the printer
 * has one), `check` allows a second pass that also gives back indentation; it is kept only if
 * `check` says the text still means what the printer wrote.
 */
export function restoreLines(original: string, printed: string, check?: (text: string) => boolean): string {
  const a = original.split('\n');
  const b = printed.split('\n');
  const na = a.map(normalize);
  const nb = b.map(normalize);
  const match = matchLines(na, nb);
  const usedA = new Set(match.filter((x) => x >= 0));
  const leftA = new Map<string, number[]>();
  na.forEach((l, i) => {
    if (!usedA.has(i) && l !== '') leftA.set(l, [...(leftA.get(l) ?? []), i]);
  });
  const leftB = new Map<string, number>();
  nb.forEach((l, i) => {
    if (match[i]! < 0) leftB.set(l, (leftB.get(l) ?? 0) + 1);
  });
  const strict = b.map((line, i) => {
    const m = match[i]!;
    if (m >= 0) return a[m]!;
    const candidates = leftA.get(nb[i]!);
    return candidates?.length === 1 && leftB.get(nb[i]!) === 1 ? a[candidates[0]!]! : line;
  });
  const text = strict.join('\n');
  if (!check) return text;
  // Only a file whose lines differ from the printer's by indentation alone needs the second pass.
  const bareLeft = new Set(a.filter((_, i) => !usedA.has(i)).map((l) => normalize(l).trimStart()));
  if (!b.some((l, i) => match[i]! < 0 && l.trim() !== '' && bareLeft.has(normalize(l).trimStart()))) return text;
  const reindented = reindent(a, b, strict)?.join('\n');
  return reindented !== undefined && reindented !== text && check(reindented) ? reindented : text;
}

/**
 * Second pass for files whose indentation differs from the printer's: lines equal but for their
 * indentation get the user's indentation back, and every line of a block moves by the same amount as
 * the block's first line, so the structure stays whole. Sequence items ("- ") form a level of their
 * own, since that is where the styles differ. Undefined when nothing differs only by indentation.
 */
function reindent(a: readonly string[], b: readonly string[], strict: readonly string[]): string[] | undefined {
  const bare = (l: string) => normalize(l).trimStart();
  const match = matchLines(a.map(bare), b.map(bare));
  if (!match.some((m, i) => m >= 0 && indentOf(a[m]!) !== indentOf(b[i]!))) return undefined;
  const stack: { level: number; delta: number }[] = [];
  return b.map((line, i) => {
    if (line.trim() === '') return strict[i]!;
    const p = indentOf(line);
    const level = p + (line.trimStart().startsWith('- ') || line.trim() === '-' ? 0.5 : 0);
    while (stack.length > 0 && stack[stack.length - 1]!.level > level) stack.pop();
    const top = stack[stack.length - 1];
    const m = match[i]!;
    const own = m >= 0 ? indentOf(a[m]!) - p : undefined;
    let delta: number;
    if (top && top.level === level) delta = top.delta;
    else {
      delta = own ?? top?.delta ?? 0;
      stack.push({ level, delta });
    }
    const body = m >= 0 ? a[m]!.trimStart() : strict[i]!.trimStart();
    return ' '.repeat(Math.max(0, p + delta)) + body;
  });
}
