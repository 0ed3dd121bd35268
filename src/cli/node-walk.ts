/** Directory arguments: the manifests under a directory, each real file once. */
import { promises as fs, type Stats } from 'node:fs';
import * as path from 'node:path';
import type { SkippedInput } from './io.js';

const MANIFEST = /\.(ya?ml|json)$/i;

export async function walk(root: string, skipped?: (s: SkippedInput) => void): Promise<string[]> {
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
  return [...files.values()]
    .map((f) => f.rel)
    .sort()
    .map((f) => path.join(root, f));
}
