// `startorder status POD`: why is my pod waiting? (docs/status.md)
import { RECORD_ANNOTATION } from '../rewrite/names.js';
import type { Obj } from '../types.js';
import { HELP, parseStatusArgs, StatusUsageError } from './args.js';
import { connect, StatusError } from './cluster.js';
import { StatusExit } from './exit.js';
import { gather } from './gather.js';
import { buildReport } from './model.js';
import { renderJSON, renderMermaid, renderText } from './render.js';

export interface StatusIO {
  stdout(s: string): void;
  stderr(s: string): void;
  env: Record<string, string | undefined>;
}

export { buildReport } from './model.js';
export { renderJSON, renderMermaid, renderText } from './render.js';
export { StatusExit } from './exit.js';
export type { PodReport, ContainerReport } from './types.js';

/** The command. Never throws; returns the exit code (one line on stderr for every failure). */
export async function statusCommand(argv: string[], io: StatusIO): Promise<number> {
  let args;
  try {
    args = parseStatusArgs(argv);
  } catch (e) {
    if (!(e instanceof StatusUsageError)) throw e;
    io.stderr(`startorder status: ${e.message}\nRun \`startorder status --help\` for usage.\n`);
    return StatusExit.usage;
  }
  if (args.help) {
    io.stdout(HELP);
    return StatusExit.ok;
  }
  try {
    const cluster = await connect({ env: io.env, ...args });
    const pod = await cluster.getPod(args.pod);
    const annotations = ((pod.metadata as Obj | undefined)?.annotations ?? {}) as Obj;
    const ordered = typeof annotations[RECORD_ANNOTATION] === 'string';
    const report = buildReport(pod, await gather(cluster, args.pod, pod, ordered));
    const now = Date.now();
    io.stdout(args.output === 'json' ? renderJSON(report) : args.output === 'mermaid' ? renderMermaid(report, now) : renderText(report, now));
    if (!report.ordered) {
      io.stderr(
        `startorder status: pod ${report.namespace}/${report.name} is not ordered by startorder (${report.sources.record}); shown are its container states only\n`,
      );
      return StatusExit.notOrdered;
    }
    return StatusExit.ok;
  } catch (e) {
    if (e instanceof StatusError) {
      io.stderr(`startorder status: ${e.message}\n`);
      return e.exit;
    }
    io.stderr(`startorder status: internal error (please report it): ${e instanceof Error ? e.message : String(e)}\n`);
    return StatusExit.internal;
  }
}
