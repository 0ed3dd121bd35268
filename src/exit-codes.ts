/** The one exit-code table. Documented in README.md ("Exit codes"); mapped only in src/cli/. */
export const ExitCode = {
  /** Success; for `check`, every file is up to date. */
  ok: 0,
  /** Findings: a diagnostic of severity error, or `check` found a file that is out of date. */
  findings: 1,
  /** Usage: unknown flag, missing argument, unreadable input path. */
  usage: 2,
  /** A bug in startorder itself: please report it. */
  internal: 3,
  /** `status`: the Kubernetes API cannot be reached, or refuses the credentials or the request. */
  unreachable: 4,
  /** `status`: no such pod (or namespace). */
  notFound: 5,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];
