/** Atomic writes for --write and the lock file: temporary files next to the targets, then renames. */
import { randomBytes } from 'node:crypto';
import { promises as fs, type Stats } from 'node:fs';
import * as path from 'node:path';
import { errnoReason, WriteError } from './io.js';

function reasonOf(e: unknown): { reason: string; errno?: string } {
  const err = e as NodeJS.ErrnoException;
  const errno = typeof err?.code === 'string' ? err.code : undefined;
  return { reason: errnoReason(e) ?? err?.message ?? String(e), ...(errno ? { errno } : {}) };
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

/** A file to write; `was`, when given, is the text it held when read: it must still hold it. */
export interface FileWrite {
  file: string;
  text: string;
  was?: string;
}

/** A file another program changed or removed since it was read would be overwritten or brought back. */
async function unchangedSinceRead(s: Staged, was: string): Promise<void> {
  const now = await fs.readFile(s.target, 'utf8').catch((e: NodeJS.ErrnoException) => (e.code === 'ENOENT' ? undefined : Promise.reject(e)));
  if (now === undefined) throw new WriteError(s.file, 'it was removed after startorder read it (run again if that was meant)');
  if (now !== was) throw new WriteError(s.file, 'it changed after startorder read it (another program wrote it; run again)');
}

async function renameAll(staged: readonly Staged[]): Promise<void> {
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

export async function writeAll(files: readonly FileWrite[]): Promise<void> {
  const staged: Staged[] = [];
  try {
    for (const f of files) staged.push(await stage(f.file, f.text));
    // last, just before the renames: what each file holds now is still what was read
    for (const [i, f] of files.entries()) if (f.was !== undefined) await unchangedSinceRead(staged[i]!, f.was);
  } catch (e) {
    await Promise.all(staged.map((s) => fs.rm(s.tmp, { force: true }).catch(() => undefined)));
    if (e instanceof WriteError) throw e;
    const r = reasonOf(e);
    throw new WriteError(files[staged.length - 1]?.file ?? '', r.reason, r.errno);
  }
  await renameAll(staged);
}

/**
 * The manifests under a directory, recursively, sorted by path. Each real file is read once: a
 * symlink loop, or a file reachable by two paths, gives it once (by the path without a symlink when
 * there is one). Hidden entries are not read, as before.
 */
