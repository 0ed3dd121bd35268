/** The inputs and configs the command line names, read through the IO port. */
import type { Diagnostic } from '../diagnostics.js';
import type { Input } from '../pipeline/index.js';
import type { IO } from './io.js';
import { UsageError } from './options.js';

/** The -c files; one that cannot be read is a usage error. */
export function readConfigs(io: IO, files: readonly string[]): Promise<Input[]> {
  return Promise.all(
    files.map(async (c) => ({
      name: c,
      text: await io.readFile(c).catch(() => {
        throw new UsageError(`cannot read --config ${c}`);
      }),
    })),
  );
}

/**
 * The input files, each real file once. Entries of a directory that cannot be read (a dangling
 * symlink, a FIFO) are warnings; a file also given with -c is a spec, read once, as the config.
 */
export async function readInputs(io: IO, files: readonly string[], configs: readonly Input[], diags: Diagnostic[]): Promise<Input[]> {
  if (files.length === 0 || (files.length === 1 && files[0] === '-')) return [{ name: '<stdin>', text: await io.readStdin() }];
  const real = async (f: string) => (io.realpath ? io.realpath(f) : f);
  const configAt = new Map<string, string>();
  for (const c of configs) configAt.set(await real(c.name), c.name);
  const seen = new Set<string>();
  const out: Input[] = [];
  for (const arg of files) {
    const expanded = await io.expand(arg, (s) =>
      diags.push({ code: 'input-skipped', severity: 'warning', file: s.file, message: s.message, hint: 'Remove it, or point it at a manifest file.' }),
    );
    if (expanded.length === 0) {
      if (arg !== '-' && !diags.some((d) => d.code === 'input-skipped' && d.file?.startsWith(arg)))
        throw new UsageError(`no such file, directory or matching glob: ${arg}`);
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
      out.push({ name: f, text: await io.readFile(f) });
    }
  }
  return out;
}
