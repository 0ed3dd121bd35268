/** The inputs and configs the command line names, read through the IO port. */
import type { Diagnostic } from '../diagnostics.js';
import type { Input } from '../pipeline/index.js';
import { errnoReason, NotUtf8Error, type IO } from './io.js';
import { UsageError } from './options.js';

/** The -c files; one that cannot be read is a usage error. */
export function readConfigs(io: IO, files: readonly string[]): Promise<Input[]> {
  return Promise.all(
    files.map(async (c) => ({
      name: c,
      text: await io.readFile(c).catch((e: unknown) => {
        throw new UsageError(`cannot read --config ${c}: ${reason(e)}`);
      }),
    })),
  );
}

/**
 * The input files, each real file once. Entries of a directory that cannot be read (a dangling
 * symlink, a FIFO) are warnings; a file also given with -c is a spec, read once, as the config.
 */
export async function readInputs(io: IO, files: readonly string[], configs: readonly Input[], diags: Diagnostic[]): Promise<Input[]> {
  if (files.length === 0) files = ['-'];
  const real = async (f: string) => (io.realpath ? io.realpath(f) : f);
  const configAt = new Map<string, string>();
  for (const c of configs) configAt.set(await real(c.name), c.name);
  const seen = new Set<string>();
  const out: Input[] = [];
  const read = async (name: string, text: () => Promise<string>) => {
    try {
      out.push({ name, text: await text() });
    } catch (e) {
      if (!(e instanceof NotUtf8Error)) throw new UsageError(`cannot read ${name}: ${reason(e)}`);
      diags.push({
        code: 'input-not-utf8',
        severity: 'error',
        file: name,
        line: e.line,
        column: e.column,
        message: e.message,
        hint: 'Convert the file to UTF-8 (Kubernetes reads manifests as UTF-8).',
      });
    }
  };
  for (const arg of files) {
    if (arg === '-') {
      // stdin among files: read once, where it stands
      if (seen.has('-')) throw new UsageError('stdin ("-") is given twice: it can be read once');
      seen.add('-');
      await read('<stdin>', () => io.readStdin());
      continue;
    }
    const expanded = await io.expand(arg, (s) =>
      diags.push({ code: 'input-skipped', severity: 'warning', file: s.file, message: s.message, hint: 'Remove it, or point it at a manifest file.' }),
    );
    if (expanded.length === 0) {
      if (!diags.some((d) => d.code === 'input-skipped' && d.file?.startsWith(arg))) throw new UsageError(`no such file, directory or matching glob: ${arg}`);
      continue;
    }
    for (const f of expanded) {
      const r = await real(f);
      if (seen.has(r)) continue;
      seen.add(r);
      const asConfig = configAt.get(r);
      if (asConfig !== undefined) {
        diags.push({
          code: 'spec-given-twice',
          severity: 'warning',
          file: f,
          line: 1,
          column: 1,
          message: `${f} is given both with -c (as ${asConfig}) and as an input; it is read once, as a spec file`,
          hint: `Give it once: drop it from the inputs (or exclude it from the directory or glob), or drop -c ${asConfig}.`,
        });
        continue;
      }
      await read(f, () => io.readFile(f));
    }
  }
  return out;
}

/** The system's reason of a failed read, without the call and path Node puts around it. */
function reason(e: unknown): string {
  if (e instanceof NotUtf8Error) return e.what;
  return errnoReason(e) ?? String((e as Error).message ?? e).split('\n')[0]!;
}
