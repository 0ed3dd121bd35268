import { randomBytes } from 'node:crypto';
import { promises as fs, type Stats } from 'node:fs';
import * as path from 'node:path';

/** Something found while expanding an input path that is not read, with the path that names it. */
export interface SkippedInput {
  file: string;
  message: string;
}

/** A file-system failure of --write (or of the lock file): the file, what was tried, the system's reason. */
export class WriteError extends Error {
  constructor(
    readonly file: string,
    readonly reason: string,
    readonly errno?: string,
  ) {
    super(`cannot write ${file}: ${reason}`);
  }
}

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
  /**
   * Writes several files: every temporary file is written first, and only when all of them could be
   * are they renamed into place. A failure before the renames leaves every file as it was.
   */
  writeFilesAtomic?(files: readonly { file: string; text: string }[]): Promise<void>;
  /**
   * Expands a path argument: a file, a directory (its *.yaml, *.yml, *.json, recursively) or a glob.
   * Entries of a directory that cannot be read as a manifest (a dangling symlink, a FIFO) are passed
   * to `skipped`.
   */
  expand(arg: string, skipped?: (s: SkippedInput) => void): Promise<string[]>;
  /** The file's real path (symlinks resolved), to read each file once; the name itself when unknown. */
  realpath?(file: string): Promise<string>;
}

const MANIFEST = /\.(ya?ml|json)$/i;

function reasonOf(e: unknown): { reason: string; errno?: string } {
  const err = e as NodeJS.ErrnoException;
  const why: Record<string, string> = {
    EROFS: 'read-only file system',
    EACCES: 'permission denied',
    EPERM: 'operation not permitted',
    ENOSPC: 'no space left on device',
    EDQUOT: 'disk quota exceeded',
    ENOENT: 'no such file or directory',
    ENOTDIR: 'a path component is not a directory',
    EISDIR: 'is a directory',
    EEXIST: 'a temporary file of that name already exists',
  };
  const errno = typeof err?.code === 'string' ? err.code : undefined;
  return { reason: (errno && why[errno]) ?? (err?.message ?? String(e)), ...(errno ? { errno } : {}) };
}

/** Where a write to `file` must go: through symlinks (the link stays a link), to the file they name. */
async function targetOf(file: string): Promise<string> {
  let cur = path.resolve(file);
  for (let hops = 0; hops < 40; hops++) {
    const st = await fs.lstat(cur).catch(() => undefined);
    if (!st?.isSymbolicLink()) return cur;
    cur = path.resolve(path.dirname(cur), await fs.readlink(cur));
  }
  throw Object.assign(new Error('too many levels of symbolic links'), { code: 'ELOOP' });
}

interface Staged {
  file: string;
  target: string;
  tmp: string;
}

/** Writes `text` to an unpredictable new name next to the target (O_EXCL), with the original's mode, owner and group. */
async function stage(file: string, text: string): Promise<Staged> {
  let target: string;
  let st: Stats | undefined;
  try {
    target = await targetOf(file);
    st = await fs.stat(target).catch((e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOENT') return undefined;
      throw e;
    });
  } catch (e) {
    const r = reasonOf(e);
    throw new WriteError(file, r.reason, r.errno);
  }
  if (st && !st.isFile()) throw new WriteError(file, 'not a regular file');
  const tmp = path.join(path.dirname(target), `.${path.basename(target)}.${randomBytes(8).toString('hex')}.startorder-tmp`);
  let created = false;
  try {
    const fh = await fs.open(tmp, 'wx', 0o600);
    created = true;
    try {
      await fh.writeFile(text, 'utf8');
      if (st) {
        if (process.getuid?.() === 0 || st.uid !== process.getuid?.() || st.gid !== process.getgid?.()) await fh.chown(st.uid, st.gid);
        await fh.chmod(st.mode & 0o7777);
      } else {
        // A new file (the lock file): the permissions a plain create would give it.
        const umask = process.umask();
        await fh.chmod(0o666 & ~umask);
      }
      await fh.sync();
    } finally {
      await fh.close();
    }
  } catch (e) {
    if (created) await fs.rm(tmp, { force: true }).catch(() => undefined);
    const r = reasonOf(e);
    const what = (e as NodeJS.ErrnoException)?.syscall === 'fchown' ? `cannot keep its owner ${st?.uid}:${st?.gid} (${r.reason})` : r.reason;
    throw new WriteError(file, what, r.errno);
  }
  return { file, target, tmp };
}

async function writeAll(files: readonly { file: string; text: string }[]): Promise<void> {
  const staged: Staged[] = [];
  try {
    for (const f of files) staged.push(await stage(f.file, f.text));
  } catch (e) {
    await Promise.all(staged.map((s) => fs.rm(s.tmp, { force: true }).catch(() => undefined)));
    throw e;
  }
  for (let i = 0; i < staged.length; i++) {
    const s = staged[i]!;
    try {
      await fs.rename(s.tmp, s.target);
    } catch (e) {
      await Promise.all(staged.slice(i).map((x) => fs.rm(x.tmp, { force: true }).catch(() => undefined)));
      const r = reasonOf(e);
      throw new WriteError(s.file, r.reason, r.errno);
    }
  }
}

/**
 * The manifests under a directory, recursively, sorted by path. Each real file is read once: a
 * symlink loop, or a file reachable by two paths, gives it once (by the path without a symlink when
 * there is one). Hidden entries are not read, as before.
 */
async function walk(root: string, skipped?: (s: SkippedInput) => void): Promise<string[]> {
  const files = new Map<string, { rel: string; viaLink: boolean }>();
  const seenDirs = new Set<string>();
  const linkedDirs: { rel: string; real: string }[] = [];
  const visit = async (rel: string, real: string, viaLink: boolean): Promise<void> => {
    if (seenDirs.has(real)) return;
    seenDirs.add(real);
    const dir = rel === '' ? root : path.join(root, rel);
    const entries = (await fs.readdir(dir, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      if (e.name.startsWith('.')) continue;
      const childRel = rel === '' ? e.name : path.join(rel, e.name);
      const child = path.join(dir, e.name);
      let st: Stats | undefined = undefined;
      const isLink = e.isSymbolicLink();
      if (isLink) {
        st = await fs.stat(child).catch(() => undefined);
        if (!st) {
          const to = await fs.readlink(child).catch(() => '?');
          skipped?.({ file: child, message: `dangling symbolic link (to ${to}): not read` });
          continue;
        }
      }
      const isDir = st ? st.isDirectory() : e.isDirectory();
      const isFile = st ? st.isFile() : e.isFile();
      if (isDir) {
        const childReal = await fs.realpath(child);
        if (isLink || viaLink) linkedDirs.push({ rel: childRel, real: childReal });
        else await visit(childRel, childReal, false);
      } else if (MANIFEST.test(e.name)) {
        if (!isFile) {
          const what = (st ?? e).isFIFO() ? 'a FIFO (named pipe)' : (st ?? e).isSocket() ? 'a socket' : 'not a regular file';
          skipped?.({ file: child, message: `${what}: not read` });
          continue;
        }
        const real = await fs.realpath(child);
        const prev = files.get(real);
        const link = isLink || viaLink;
        if (!prev || (prev.viaLink && !link) || (prev.viaLink === link && childRel < prev.rel)) files.set(real, { rel: childRel, viaLink: link });
      }
    }
  };
  await visit('', await fs.realpath(root), false);
  // Directories reached through a symlink come after every real one, so a file has its own path when it can.
  while (linkedDirs.length > 0) {
    linkedDirs.sort((a, b) => (a.rel < b.rel ? -1 : a.rel > b.rel ? 1 : 0));
    const next = linkedDirs.shift()!;
    await visit(next.rel, next.real, true);
  }
  return [...files.values()].map((f) => f.rel).sort().map((f) => path.join(root, f));
}

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
    writeFileAtomic: (file, text) => writeAll([{ file, text }]),
    writeFilesAtomic: writeAll,
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
