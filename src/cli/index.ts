/** The command line adapter: argv → a request for the pipeline → stdout, stderr, files, exit code. */
import { ExitCode } from '../exit-codes.js';
import { EmitFailure } from '../pipeline/index.js';
import { runCommand } from './commands.js';
import { WriteError, type IO } from './io.js';
import { quickParse, UsageError } from './options.js';
import { runTool } from './tools.js';
import { parseWithYargs } from './usage.js';

/** The command line. Never throws; returns the exit code (see exit-codes.ts). */
export async function cli(io: IO): Promise<number> {
  try {
    const tool = await runTool(io);
    if (tool !== undefined) return tool;
    const parsed = quickParse(io.argv) ?? (await parseWithYargs(io.argv));
    if ('help' in parsed) {
      io.stdout(parsed.help);
      return ExitCode.ok;
    }
    return await runCommand(io, parsed.command, parsed.args);
  } catch (e) {
    return failure(io, e);
  }
}

const FILE_SYSTEM_ERRORS = ['ENOENT', 'EACCES', 'EISDIR', 'ENOTDIR', 'ELOOP', 'EPERM', 'EROFS', 'EIO', 'ENXIO'];

function failure(io: IO, e: unknown): number {
  if (e instanceof UsageError) {
    io.stderr(`startorder: ${e.message}\nRun \`startorder --help\` for usage.\n`);
    return ExitCode.usage;
  }
  if (e instanceof WriteError) {
    io.stderr(`${e.file}: error[write-failed]: cannot write: ${e.reason}\n`);
    return ExitCode.usage;
  }
  const err = e as NodeJS.ErrnoException;
  if (FILE_SYSTEM_ERRORS.includes(String(err?.code))) {
    io.stderr(`startorder: ${err.message}\n`);
    return ExitCode.usage;
  }
  if (e instanceof EmitFailure || (e instanceof Error && e.name === 'EmitFailure')) {
    // what startorder wrote did not read back as what it meant: nothing is printed but the place
    io.stderr(`startorder: internal error (please report it): ${e.message}\n`);
    return ExitCode.internal;
  }
  if (e instanceof RangeError && /call stack/i.test(e.message)) {
    // a document nested thousands of levels deep: no manifest is, and no stack trace helps
    io.stderr('startorder: error[input-too-deep]: a document nests too deeply for startorder to process it (thousands of levels); nothing was written\n');
    return ExitCode.findings;
  }
  io.stderr(`startorder: internal error (please report it): ${err?.stack ?? String(e)}\n`);
  return ExitCode.internal;
}
