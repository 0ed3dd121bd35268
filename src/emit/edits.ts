/** Turning a collection's deleted and inserted entries into text edits, and applying edits to a span of the source. */
import type { Entry } from './entries.js';
import { indentOfLine, onlySpaceBefore } from './text.js';
import { EmitError, type Ctx, type Edit, type Path } from './types.js';

export function applyEdits(text: string, from: number, to: number, edits: Edit[], path: Path): string {
  const sorted = edits.map((e, i) => ({ e, i })).sort((x, y) => x.e.start - y.e.start || x.e.end - x.e.start - (y.e.end - y.e.start) || x.i - y.i);
  let out = '';
  let pos = from;
  for (const { e } of sorted) {
    if (e.start < pos && e.end <= to && e.text === '') {
      // A deletion that takes the newline before it (the last line of a file without one) may
      // reach into the end of the edit before it, which kept that newline as it was.
      const overlap = text.slice(e.start, pos);
      if (/^\s*$/.test(overlap) && out.endsWith(overlap)) {
        out = out.slice(0, out.length - overlap.length) + text.slice(pos, pos);
        pos = Math.max(pos, e.end);
        continue;
      }
    }
    if (e.start < pos || e.end > to)
      throw new EmitError(
        `overlapping edits (${e.start}-${e.end} after ${pos}, up to ${to}: ${JSON.stringify(text.slice(e.start, e.end))} / ${JSON.stringify(e.text.slice(0, 60))})`,
        path,
      );
    out += text.slice(pos, e.start) + e.text;
    pos = e.end;
  }
  return out + text.slice(pos, to);
}

export function blockListEdits(cx: Ctx, entries: Entry[], deleted: boolean[], inserts: Map<number, string[]>, col: number, from: number, to: number): Edit[] {
  const text = cx.src.text;
  const eol = cx.src.eol;
  const ind = ' '.repeat(col);
  const out: Edit[] = [];
  // Whole lines where the edit region allows it; else from the token (the first entry of a map
  // that is a list item, or of the document).
  const lines = (e: Entry) => e.ownLine && e.start >= from;
  const firstKept = deleted.indexOf(false);
  if (firstKept < 0 && entries.length > 0) {
    // Every entry goes: the new ones take the place of the old.
    const texts = [...inserts.values()].flat();
    if (texts.length === 0) throw new EmitError('a block collection left empty', []);
    const first = entries[0]!;
    const last = entries[entries.length - 1]!;
    const nl = text.slice(0, last.end).endsWith('\n') ? eol : '';
    if (lines(first)) return [{ start: first.start, end: last.end, text: `${texts.map((t) => `${ind}${t}`).join(eol)}${nl}` }];
    return [{ start: first.token, end: last.end, text: `${texts.join(`${eol}${ind}`)}${nl}` }];
  }
  const spans: Edit[] = [];
  entries.forEach((e, i) => {
    if (!deleted[i]) return;
    if (lines(e)) {
      // whole lines; neighbours that go too make one span
      const last = spans[spans.length - 1];
      if (last && last.end === e.start) last.end = e.end;
      else spans.push({ start: e.start, end: e.end, text: '' });
      return;
    }
    if (i !== 0) throw new EmitError('deleting an entry that shares its line', []);
    // the first entry, from its token: up to the next entry's token on its line
    const next = entries[1]!;
    const end = next.ownLine ? next.start + Math.min(col, /^ */.exec(text.slice(next.start))![0].length) : next.token;
    out.push({ start: e.token, end, text: '' });
  });
  for (const sp of spans) {
    // A last line without a newline (the file's end, or a null value that ends the collection
    // before its newline) takes the newline before it along.
    const atEof = sp.end === text.length && !text.endsWith('\n');
    if (sp.end > to) out.push({ start: Math.max(from, sp.start - eol.length), end: to, text: '' });
    else out.push(atEof ? { ...sp, start: Math.max(from, sp.start - eol.length) } : sp);
  }
  for (const [prev, texts] of inserts) {
    if (prev >= 0) {
      const e = entries[prev]!;
      const atEof = e.end === text.length && !text.endsWith('\n');
      const body = texts.map((t) => (t.startsWith(eol) || t === '' ? t : `${ind}${t}`)).join(eol);
      if (e.end > to) out.push({ start: to, end: to, text: `${eol}${body}` });
      else out.push({ start: e.end, end: e.end, text: atEof ? `${eol}${body}` : `${body}${eol}` });
    } else {
      const first = entries[0];
      if (!first) throw new EmitError('an empty block collection', []);
      if (lines(first))
        out.push({ start: first.start, end: first.start, text: texts.map((t) => `${t.startsWith(eol) || t === '' ? '' : ind}${t}${eol}`).join('') });
      else out.push({ start: first.token, end: first.token, text: texts.map((t) => `${t}${eol}${ind}`).join('') });
    }
  }
  return out;
}

/** Into an empty flow collection (`[]`, `{}`): the new entries between the brackets. */
function emptyFlowEdits(cx: Ctx, r0: number, r1: number, inserts: Map<number, string[]>, path: Path): Edit[] {
  const texts = inserts.get(-1) ?? [];
  if (texts.length === 0) return [];
  const inner = cx.src.text.slice(r0 + 1, r1 - 1);
  if (inner.trim() !== '') throw new EmitError('an empty flow collection with content', path);
  const pad = cx.src.style.flowPadding ? ' ' : '';
  return [{ start: r0 + 1, end: r1 - 1, text: `${pad}${texts.join(', ')}${pad}` }];
}

/** Every entry goes: the new ones take their place, or the collection becomes empty again. */
function replaceAllFlowEdits(cx: Ctx, r0: number, r1: number, entries: Entry[], inserts: Map<number, string[]>): Edit[] {
  const n = entries.length;
  const texts = [...inserts.values()].flat();
  if (texts.length === 0 && cx.src.text.slice(r0 + 1, entries[0]!.start).trim() === '' && cx.src.text.slice(entries[n - 1]!.end, r1 - 1).trim() === '') {
    // the last entry goes with the padding it came with: `{}` again
    return [{ start: r0 + 1, end: r1 - 1, text: '' }];
  }
  return [{ start: entries[0]!.start, end: entries[n - 1]!.end, text: texts.join(', ') }];
}

/** Runs of deleted entries, each cut with the separator before it (or after it, at the start). */
function flowDeletions(entries: Entry[], deleted: boolean[]): Edit[] {
  const out: Edit[] = [];
  const n = entries.length;
  for (let i = 0; i < n; i++) {
    if (!deleted[i]) continue;
    let j = i;
    while (j + 1 < n && deleted[j + 1]) j++;
    if (i > 0) out.push({ start: entries[i - 1]!.end, end: entries[j]!.end, text: '' });
    else out.push({ start: entries[0]!.start, end: entries[j + 1]!.start, text: '' });
    i = j;
  }
  return out;
}

/** New entries after entry `prev`, in the layout of the list: a line each, or `, ` between. */
function flowInsertAfter(cx: Ctx, text: string, entries: Entry[], prev: number, texts: string[]): Edit {
  const eol = cx.src.eol;
  const e = entries[prev]!;
  const after = /^[ \t]*,[ \t]*\r?\n/.exec(text.slice(e.end));
  const ownLine = onlySpaceBefore(text, e.token);
  const ind = ' '.repeat(indentOfLine(text, e.token));
  if (after && ownLine) {
    // one entry a line: the new ones get lines of their own
    const at = e.end + after[0].length;
    return { start: at, end: at, text: texts.map((t) => `${ind}${t},${eol}`).join('') };
  }
  if (ownLine && prev === entries.length - 1 && /^[ \t]*\r?\n/.test(text.slice(e.end)))
    return { start: e.end, end: e.end, text: texts.map((t) => `,${eol}${ind}${t}`).join('') };
  return { start: e.end, end: e.end, text: texts.map((t) => `, ${t}`).join('') };
}

/** New entries before the first kept one. */
function flowInsertFirst(cx: Ctx, text: string, entries: Entry[], deleted: boolean[], texts: string[]): Edit {
  const firstKept = entries[deleted.indexOf(false)]!;
  if (onlySpaceBefore(text, firstKept.token)) {
    const ind = ' '.repeat(indentOfLine(text, firstKept.token));
    return { start: firstKept.start, end: firstKept.start, text: texts.map((t) => `${t},${cx.src.eol}${ind}`).join('') };
  }
  return { start: firstKept.start, end: firstKept.start, text: texts.map((t) => `${t}, `).join('') };
}

export function flowListEdits(
  cx: Ctx,
  text: string,
  r0: number,
  r1: number,
  entries: Entry[],
  deleted: boolean[],
  inserts: Map<number, string[]>,
  path: Path,
): Edit[] {
  if (entries.length === 0) return emptyFlowEdits(cx, r0, r1, inserts, path);
  if (deleted.every((d) => d)) return replaceAllFlowEdits(cx, r0, r1, entries, inserts);
  const out = flowDeletions(entries, deleted);
  for (const [prev, texts] of inserts)
    out.push(prev >= 0 ? flowInsertAfter(cx, text, entries, prev, texts) : flowInsertFirst(cx, text, entries, deleted, texts));
  return out;
}
