import { ExitCode } from '../exit-codes.js';

/**
 * Exit codes of `startorder status`, from the CLI's one table (src/exit-codes.ts).
 */
export const StatusExit = {
  ok: ExitCode.ok,
  /** The pod has no startorder record: shown anyway, container states only. */
  notOrdered: ExitCode.findings,
  usage: ExitCode.usage,
  internal: ExitCode.internal,
  /** The API server cannot be reached, or refuses the credentials or the request. */
  unreachable: ExitCode.unreachable,
  /** No such pod (or namespace). */
  notFound: ExitCode.notFound,
} as const;
