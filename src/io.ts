import { promises as fs } from 'node:fs';
import * as path from 'node:path';

/** Everything the CLI touches outside itself; tests pass their own. */
export interface IO {
  argv: string[];
  cwd: string;
  readStdin(): Promise<string>;
  stdout(text: string): void;
  stderr(text: string): void;
  readFile(file: string): Promise<string>;
  /** Writes via a temporary file in the same directory and a rename: readers never see half a file. */
  writeFileAtomic(file: string, text: string): Promise<void>;
  /** Expands a path argument: a file, a directory (its *.yaml, *.yml, *.json, recursively) or a glob. */
  expand(arg: string): Promise<string[]>;
}

const MANIFESTS = '**/*.{yaml,yml,json}';

export function nodeIO(): IO {
  // A reader that stops early (`| head`) closes the pipe: that ends the run quietly, as for any filter.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw e;
  });
  return {
    argv: process.argv.slice(2),
    cwd: process.cwd(),
    async readStdin() {
      const chunks: Buffer[] = [];
      for await (const c of process.stdin) chunks.push(c as Buffer);
      return Buffer.concat(chunks).toString('utf8');
    },
    stdout: (t) => void process.stdout.write(t),
    stderr: (t) => void process.stderr.write(t),
    readFile: (f) => fs.readFile(f, 'utf8'),
    async writeFileAtomic(file, text) {
      const tmp = path.join(path.dirname(file), `.${path.basename(file)}.startorder-${process.pid}.tmp`);
      try {
        const mode = (await fs.stat(file).catch(() => undefined))?.mode;
        await fs.writeFile(tmp, text, mode !== undefined ? { mode } : {});
        await fs.rename(tmp, file);
      } catch (e) {
        await fs.rm(tmp, { force: true });
        throw e;
      }
    },
    async expand(arg) {
      const st = await fs.stat(arg).catch(() => undefined);
      if (st && !st.isDirectory()) return [arg];
      // fast-glob is loaded only when a directory or a pattern needs it: it costs start-up time.
      const fg = (await import('fast-glob')).default;
      if (st?.isDirectory()) return (await fg(MANIFESTS, { cwd: arg, dot: false, onlyFiles: true })).sort().map((f) => path.join(arg, f));
      if (st) return [arg];
      if (fg.isDynamicPattern(arg)) return (await fg(arg, { onlyFiles: true, dot: false })).sort();
      return [];
    },
  };
}
