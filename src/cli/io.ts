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
