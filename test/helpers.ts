import { cli } from './target.js';
import type { IO } from '../src/cli/io.js';

/** Runs the CLI in-process against an in-memory file system. */
export async function runCli(
  argv: string[],
  files: Record<string, string> = {},
  stdin = '',
): Promise<{ code: number; stdout: string; stderr: string; files: Record<string, string> }> {
  let stdout = '';
  let stderr = '';
  const fs = { ...files };
  const io: IO = {
    argv,
    cwd: '/',
    readStdin: async () => stdin,
    stdout: (t) => void (stdout += t),
    stderr: (t) => void (stderr += t),
    readFile: async (f) => {
      if (!(f in fs)) throw Object.assign(new Error(`ENOENT: no such file or directory, open '${f}'`), { code: 'ENOENT' });
      return fs[f]!;
    },
    writeFileAtomic: async (f, t) => void (fs[f] = t),
    expand: async (a) =>
      a in fs
        ? [a]
        : Object.keys(fs)
            .filter((k) => k.startsWith(`${a}/`))
            .sort(),
  };
  const code = await cli(io);
  return { code, stdout, stderr, files: fs };
}
