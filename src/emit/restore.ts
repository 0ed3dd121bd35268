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

/**
 * Puts the user's own bytes back on every printed line that means the same as an original line, so
 * the diff of a rewritten document shows only what startorder changed. First the longest common
 * subsequence; then lines that moved (a container that became an init container) where the line is
 * unique among those left on both sides.
 */
export function restoreLines(original: string, printed: string): string {
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
  return b
    .map((line, i) => {
      const m = match[i]!;
      if (m >= 0) return a[m]!;
      const candidates = leftA.get(nb[i]!);
      return candidates?.length === 1 && leftB.get(nb[i]!) === 1 ? a[candidates[0]!]! : line;
    })
    .join('\n');
}
