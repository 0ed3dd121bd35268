import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { hasErrors, sortDiagnostics, type Diagnostic } from '../diagnostics.js';
import { detectFormat } from '../load/parse.js';
import type { FileOutput, Input, Options, Request, Result } from './request.js';
import { transform } from './run.js';

/**
 * Large streams are transformed in parts of PART_DOCS documents: memory stays bounded, and on a
 * machine with several cores the parts run in worker threads. Each workload is transformed on its
 * own, so parts are independent once every StartOrder document of the input has been read; that is
 * done first, and those documents go to every part as configs.
 */
export const PART_DOCS = 250;
const SPLIT_ABOVE_DOCS = 400;
const THREADS_ABOVE_DOCS = 500;

export interface Segment {
  start: number;
  end: number;
  /** Lines before `start`. */
  line: number;
}

/** Document boundaries of a YAML stream found from its `---` lines; undefined when unsure. */
export function splitStream(text: string): Segment[] | undefined {
  const marks: number[] = [];
  let line = 0;
  const lineAt: number[] = [];
  let pos = 0;
  while (pos <= text.length) {
    const nl = text.indexOf('\n', pos);
    const end = nl < 0 ? text.length : nl;
    const c = text.charCodeAt(pos);
    if (c === 45 /* - */ && text.startsWith('---', pos) && (end === pos + 3 || text[pos + 3] === ' ' || text[pos + 3] === '\t' || text[pos + 3] === '\r')) {
      marks.push(pos);
      lineAt.push(line);
    } else if ((c === 46 /* . */ && text.startsWith('...', pos)) || (c === 37 /* % */ && marks.length > 0)) {
      return undefined; // document end markers and directives in mid-stream: let the parser decide
    }
    if (nl < 0) break;
    pos = nl + 1;
    line++;
  }
  if (marks.length === 0) return [{ start: 0, end: text.length, line: 0 }];
  const head = text.slice(0, marks[0]);
  const headIsDoc = head.split('\n').some((l) => l.trim() !== '' && !l.startsWith('#') && !l.startsWith('%'));
  const segments: Segment[] = [];
  if (headIsDoc) segments.push({ start: 0, end: marks[0]!, line: 0 });
  marks.forEach((m, i) =>
    segments.push({ start: i === 0 && !headIsDoc ? 0 : m, end: marks[i + 1] ?? text.length, line: i === 0 && !headIsDoc ? 0 : lineAt[i]! }),
  );
  return segments;
}

export interface PartTask {
  input: Input;
  docs: number;
}

export interface PartResult {
  name: string;
  text: string;
  changed: boolean;
  docs: number;
  diagnostics: Diagnostic[];
}

/** Transforms one part; used in-process and by the worker threads. */
export function transformPart(task: PartTask, options: Options): PartResult {
  const r = transform([task.input], { ...options, collectInputSpecs: false });
  const docs = r.sources.find((s) => s.name === task.input.name && s.docOffset === (task.input.docOffset ?? 0))?.docs.length ?? -1;
  const out = r.files[0];
  return { name: task.input.name, text: out?.text ?? '', changed: out?.changed ?? false, docs, diagnostics: r.diagnostics };
}

function runThreads(tasks: PartTask[], options: Options, threads: number): Promise<PartResult[]> {
  return new Promise((resolve, reject) => {
    const results: PartResult[] = new Array<PartResult>(tasks.length);
    let next = 0;
    let done = 0;
    const workers: Worker[] = [];
    const finish = (err?: unknown) => {
      for (const w of workers) void w.terminate();
      if (err) reject(err instanceof Error ? err : new Error(typeof err === 'string' ? err : JSON.stringify(err)));
      else resolve(results);
    };
    for (let t = 0; t < threads; t++) {
      // Under the test runner the sources are TypeScript: the worker then needs the same loader.
      const fromSource = import.meta.url.endsWith('.ts');
      const w = fromSource
        ? new Worker(`import('tsx/esm/api').then((m) => m.register()).then(() => import(${JSON.stringify(new URL('./worker.ts', import.meta.url).href)}))`, {
            eval: true,
            workerData: { options },
          })
        : new Worker(new URL('./worker.js', import.meta.url), { workerData: { options } });
      workers.push(w);
      const feed = () => {
        if (next < tasks.length) {
          const i = next++;
          w.postMessage({ i, task: tasks[i] });
        }
      };
      w.on('message', (m: { i: number; result: PartResult }) => {
        results[m.i] = m.result;
        if (++done === tasks.length) finish();
        else feed();
      });
      w.on('error', finish);
      feed();
    }
  });
}

/** The parts of the inputs (PART_DOCS documents each), and the StartOrder documents every part needs. */
function partsOf(inputs: readonly Input[]): { tasks: PartTask[]; owner: number[]; specInputs: Input[]; total: number } | undefined {
  const split = inputs.map((i) => (detectFormat(i.name, i.text) === 'yaml' ? splitStream(i.text) : undefined));
  const total = split.reduce((n, s) => n + (s?.length ?? 1), 0);
  if (total < SPLIT_ABOVE_DOCS) return undefined;
  const specInputs: Input[] = [];
  const tasks: PartTask[] = [];
  const owner: number[] = [];
  inputs.forEach((input, fi) => {
    const segs = split[fi] ?? [{ start: 0, end: input.text.length, line: 0 }];
    segs.forEach((s, di) => {
      const text = input.text.slice(s.start, s.end);
      if (/^kind:\s*["']?StartOrder["']?\s*$/m.test(text)) specInputs.push({ name: input.name, text, lineOffset: s.line, docOffset: di });
    });
    for (let i = 0; i < segs.length; i += PART_DOCS) {
      const part = segs.slice(i, i + PART_DOCS);
      tasks.push({
        input: { name: input.name, text: input.text.slice(part[0]!.start, part[part.length - 1]!.end), lineOffset: part[0]!.line, docOffset: i },
        docs: part.length,
      });
      owner.push(fi);
    }
  });
  return { tasks, owner, specInputs, total };
}

/**
 * The diagnostics of all parts, each once. What a part says about a spec it did not use (selects
 * nothing, or names a resource that is not a workload) holds for the whole input only if no part used that spec.
 */
function mergeDiagnostics(results: readonly PartResult[]): Diagnostic[] {
  const seen = new Set<string>();
  const diagnostics: Diagnostic[] = [];
  const aboutUnused = (d: Diagnostic) => d.code === 'spec-selects-nothing' || d.code === 'not-a-workload';
  const specOf = (d: Diagnostic) => `${d.file ?? ''}#${d.document ?? ''}`;
  const unusedIn = new Map<string, number>();
  const pending: Diagnostic[] = [];
  for (const r of results) {
    const specs = new Set<string>();
    for (const d of r.diagnostics) {
      const key = JSON.stringify(d);
      if (aboutUnused(d)) specs.add(specOf(d));
      if (seen.has(key)) continue;
      seen.add(key);
      (aboutUnused(d) ? pending : diagnostics).push(d);
    }
    for (const k of specs) unusedIn.set(k, (unusedIn.get(k) ?? 0) + 1);
  }
  const named = new Set(pending.filter((d) => d.code === 'not-a-workload').map(specOf));
  for (const d of pending) {
    if (unusedIn.get(specOf(d)) !== results.length) continue;
    // As in one piece: a spec that names a custom resource is told that, not that it selects nothing.
    if (d.code === 'spec-selects-nothing' && named.has(specOf(d))) continue;
    diagnostics.push(d);
  }
  return sortDiagnostics(diagnostics);
}

/**
 * A large request in parts, in worker threads on a machine with several cores; undefined when it
 * is to run in one piece (small, plans wanted, or the split disagrees with the parser). Output and
 * diagnostics are the same as in one piece; plans and sources are not kept.
 */
export async function runInParts(request: Request): Promise<Result | undefined> {
  if (request.needPlans) return undefined;
  const parts = partsOf(request.inputs);
  if (!parts) return undefined;
  const { tasks, owner, specInputs, total } = parts;
  const { inputs: _i, ...options } = request;
  const partOptions: Options = { ...options, configs: [...(options.configs ?? []), ...specInputs] };
  const threads = Math.min(availableParallelism(), 4, tasks.length);
  const results = total > THREADS_ABOVE_DOCS && threads > 1 ? await runThreads(tasks, partOptions, threads) : tasks.map((t) => transformPart(t, partOptions));
  // The split must agree with the parser on every part; otherwise the request runs in one piece.
  if (results.some((r, i) => r.docs !== tasks[i]!.docs && !hasErrors(r.diagnostics))) return undefined;
  const diagnostics = mergeDiagnostics(results);
  const done = (files: FileOutput[]): Result => ({ files, diagnostics, plans: [], sources: [], changes: new Map() });
  if (hasErrors(diagnostics)) return done([]);
  return done(
    request.inputs.map((input, fi) => {
      const mine = results.filter((_, i) => owner[i] === fi);
      return { name: input.name, format: 'yaml', text: mine.map((r) => r.text).join(''), changed: mine.some((r) => r.changed) };
    }),
  );
}
