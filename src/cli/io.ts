/** What the CLI touches outside itself (the port the adapter is given); nodeIO in node-io.ts is Node's. */
import type { ResolvePorts } from '../resolve/index.js';

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

/** A file (or stdin) whose bytes are not UTF-8 text: where the first byte that is not, and what it looks like. */
export class NotUtf8Error extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    readonly column: number,
    readonly what: string,
  ) {
    super(`${file} is not UTF-8 text: ${what}`);
  }
}

/**
 * The text of bytes read from `file`: UTF-8 (a byte-order mark is kept, the loader takes it), else a
 * NotUtf8Error — a replacement character in place of the user's bytes would change a document that
 * startorder does not touch.
 */
export function decodeUtf8(bytes: Uint8Array, file: string): string {
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff))
    throw new NotUtf8Error(file, 1, 1, 'it starts with a UTF-16 byte-order mark (convert it to UTF-8: iconv -f UTF-16 -t UTF-8)');
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    const found = firstInvalid(bytes);
    const at = found < 0 ? 0 : found;
    const before = bytes.subarray(0, at);
    const line = before.filter((b) => b === 0x0a).length + 1;
    const column = at - (before.lastIndexOf(0x0a) + 1) + 1;
    const what = `byte 0x${(bytes[at] ?? 0).toString(16).toUpperCase().padStart(2, '0')} at line ${line}, column ${column}`;
    throw new NotUtf8Error(file, line, column, `${what} (convert the file to UTF-8, e.g. iconv -f LATIN1 -t UTF-8)`);
  }
}

/** The offset of the first byte that does not start a well-formed UTF-8 sequence (roughly: lead and continuation bytes), or -1. */
function firstInvalid(b: Uint8Array): number {
  for (let i = 0; i < b.length;) {
    const c = b[i]!;
    const n = c < 0x80 ? 0 : c >= 0xc2 && c <= 0xdf ? 1 : c >= 0xe0 && c <= 0xef ? 2 : c >= 0xf0 && c <= 0xf4 ? 3 : -1;
    if (n < 0) return i;
    for (let k = 1; k <= n; k++) if (i + k >= b.length || (b[i + k]! & 0xc0) !== 0x80) return i;
    i += n + 1;
  }
  return -1;
}

/** The system's reason of a failed file operation, in words (undefined for a code not listed). */
export function errnoReason(e: unknown): string | undefined {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
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
  return typeof code === 'string' ? why[code] : undefined;
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
   * are they renamed into place. A failure before the renames leaves every file as it was. A file
   * given with `was` (its text when read) that holds something else by then is not overwritten.
   */
  writeFilesAtomic?(files: readonly { file: string; text: string; was?: string }[]): Promise<void>;
  /**
   * Expands a path argument: a file, a directory (its *.yaml, *.yml, *.json, recursively) or a glob.
   * Entries of a directory that cannot be read as a manifest (a dangling symlink, a FIFO) are passed
   * to `skipped`.
   */
  expand(arg: string, skipped?: (s: SkippedInput) => void): Promise<string[]>;
  /** The file's real path (symlinks resolved), to read each file once; the name itself when unknown. */
  realpath?(file: string): Promise<string>;
  /** The environment (STARTORDER_KRM_STDERR); default process.env. */
  env?: Record<string, string | undefined>;
  /**
   * The network and the Docker config.json of --resolve-images; default Node's fetch and
   * $DOCKER_CONFIG/config.json (else ~/.docker/config.json).
   */
  registryPorts?(): ResolvePorts;
}
