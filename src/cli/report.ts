/** What the command line prints: diagnostics on stderr (text or JSON), outputs on stdout. */
import { Document } from 'yaml';
import { renderText, type Diagnostic } from '../diagnostics.js';
import { EMIT_OPTIONS } from '../emit/emit.js';
import { parseFile } from '../load/parse.js';
import type { Input, Result } from '../pipeline/index.js';
import type { IO } from './io.js';
import type { Common } from './options.js';

export function report(io: IO, a: Pick<Common, 'error-format'>, diags: readonly Diagnostic[], texts: readonly Input[] = []): void {
  if (diags.length === 0) return;
  if (a['error-format'] === 'json') return io.stderr(`${JSON.stringify(diags.map(({ resource: _r, ...d }) => d))}\n`);
  const sources = new Map(texts.map((s) => [s.name, s.text]));
  io.stderr(`${diags.map((d) => renderText(d, sources)).join('\n')}\n`);
}

/** Re-renders values in another format (`-o json` / `-o yaml`). */
export function renderAs(format: 'yaml' | 'json', values: readonly unknown[]): string {
  if (format === 'json') {
    const one = values.length === 1 ? values[0] : { apiVersion: 'v1', kind: 'List', items: values };
    return `${JSON.stringify(one, null, 2)}\n`;
  }
  return values.map((v) => new Document(v, { version: '1.1' }).toString(EMIT_OPTIONS)).join('---\n');
}

/** Joins the outputs of several files into one stream on stdout. */
export function joinOutputs(r: Pick<Result, 'files'>, output: Common['output']): string {
  const single = r.files.length === 1 ? r.files[0]! : undefined;
  const wanted = output ?? (single?.format === 'json' ? 'json' : 'yaml');
  if ((single && single.format === wanted) || (wanted === 'yaml' && r.files.every((f) => f.format === 'yaml'))) {
    return r.files
      .map((f, i) => (i > 0 && !/^---/.test(f.text) ? `---\n${f.text}` : f.text))
      .map((t, i, all) => (i === all.length - 1 || t.endsWith('\n') || t === '' ? t : `${t}\n`))
      .join('');
  }
  const values = r.files.flatMap((f) =>
    parseFile(f.name, f.text)
      .file.docs.map((d) => d.value)
      .filter((v) => v !== undefined && v !== null),
  );
  return renderAs(wanted, values);
}
