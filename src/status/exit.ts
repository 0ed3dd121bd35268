import { ExitCode } from '../exit-codes.js';

/**
 * Exit codes of `startorder status`. 0–3 are the CLI's table (src/exit-codes.ts); 4–6 are new and
 * belong in that table once it is merged (see /work/coord/REQUESTS.md).
 */
export const StatusExit = {
  ok: ExitCode.ok,
  /** The pod has no startorder record: shown anyway, container states only. */
  notOrdered: ExitCode.findings,
  usage: ExitCode.usage,
  internal: ExitCode.internal,
  /** The API server cannot be reached, or refuses the credentials or the request. */
  unreachable: 4,
  /** No such pod (or namespace). */
  notFound: 5,
} as const;
