/**
 * The ImageSource implementations the pipeline is given (src/pipeline/images.ts): the lock file
 * alone (--locked), or the lock file and then the registries (--resolve-images). The lock file and
 * the network come in through ports; nothing here reads or writes a file.
 */
import type { Diagnostic } from '../diagnostics.js';
import type { ImageAnswer, ImageSource } from '../pipeline/images.js';
import { resolveImages, type ResolveOptions, type ResolvePorts } from './index.js';
import { emptyLockfile, lockFormatFor, readLockfile, writeLockfile } from './lockfile.js';

/** The lock file: its name, and its text (undefined when there is no such file). */
export interface LockFilePort {
  file: string;
  read(): Promise<string | undefined>;
}

type SourceOptions = Omit<ResolveOptions, 'lock' | 'locked'>;

function atLockFile(file: string, d: Diagnostic): Diagnostic {
  return { file, code: d.code, severity: d.severity, message: d.message, ...(d.hint !== undefined ? { hint: d.hint } : {}) };
}

function source(lockFile: LockFilePort, opts: ResolveOptions, ports?: ResolvePorts): ImageSource {
  return {
    async lookUp(images): Promise<ImageAnswer> {
      const text = await lockFile.read();
      const read = text === undefined ? { lock: emptyLockfile(), diagnostics: [] } : readLockfile(text, lockFile.file);
      if (!read.lock) return { entries: [], diagnostics: read.diagnostics.map((d) => atLockFile(lockFile.file, d)) };
      const r = await resolveImages(images, { ...opts, lock: read.lock }, ports);
      // An entry that does not match is the lock file's problem; the others are the image's.
      if (r.diagnostics.length > 0)
        return { entries: [], diagnostics: r.diagnostics.map((d) => (d.code === 'lock-mismatch' ? atLockFile(lockFile.file, d) : d)) };
      const out = writeLockfile(r.lock, lockFormatFor(lockFile.file));
      return { entries: r.entries, diagnostics: [], ...(out !== text ? { lock: { file: lockFile.file, text: out } } : {}) };
    },
  };
}

/** --locked: the lock file only; an image it lacks is `image-not-locked`. No network. */
export function lockFileSource(lockFile: LockFilePort, opts: SourceOptions = {}): ImageSource {
  return source(lockFile, { ...opts, locked: true });
}

/** --resolve-images: the lock file's entries, and the registries for the images it lacks. */
export function registrySource(lockFile: LockFilePort, opts: SourceOptions, ports: ResolvePorts): ImageSource {
  return source(lockFile, { ...opts, locked: false }, ports);
}
