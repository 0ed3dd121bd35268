/** The IO of the command line on Node: process streams, the file system, globs. */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { decodeUtf8, type IO } from './io.js';
import { walk } from './node-walk.js';
import { writeAll } from './node-write.js';
import { nodeRegistryPorts } from './node-registry.js';

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
      return decodeUtf8(Buffer.concat(chunks), '<stdin>');
    },
    stdout: (t) => void process.stdout.write(t),
    stderr: (t) => void process.stderr.write(t),
    readFile: async (f) => decodeUtf8(await fs.readFile(f), f),
    writeFileAtomic: (file, text) => writeAll([{ file, text }]),
    writeFilesAtomic: writeAll,
    env: process.env,
    registryPorts: nodeRegistryPorts,
    realpath: (f) => fs.realpath(f).catch(() => path.resolve(f)),
    async expand(arg, skipped) {
      const st = await fs.stat(arg).catch(() => undefined);
      if (st?.isDirectory()) return walk(arg, skipped);
      if (st) return [arg];
      // fast-glob is loaded only when a pattern needs it: it costs start-up time.
      const fg = (await import('fast-glob')).default;
      if (!fg.isDynamicPattern(arg)) return [];
      const found = (await fg(arg, { onlyFiles: true, dot: false })).sort();
      const seen = new Set<string>();
      const out: string[] = [];
      for (const f of found) {
        const real = await fs.realpath(f).catch(() => f);
        if (seen.has(real)) continue;
        seen.add(real);
        out.push(f);
      }
      return out;
    },
  };
}
