// What is read from inside the pod: the wrapper's logs, and the run directory's status files
// through the wrapper's `status` mode (exec). Each says why when it could not be read.
import { runsWrapper } from '../rewrite/delivery.js';
import { RUN_DIR } from '../rewrite/names.js';
import type { Obj } from '../types.js';
import type { Cluster } from './cluster.js';
import { parseStatusDirs } from './facts.js';
import type { Extra } from './model.js';

interface Live {
  name: string;
  running: boolean;
  hasLog: boolean;
  /** The wrapper's path in this container (it depends on runtime.delivery). */
  wrapper: string;
}

function wrappedContainers(pod: Obj): Live[] {
  const spec = (pod.spec ?? {}) as Obj;
  const status = (pod.status ?? {}) as Obj;
  const all = [...((spec.initContainers as Obj[] | undefined) ?? []), ...((spec.containers as Obj[] | undefined) ?? [])];
  const statuses = [...((status.initContainerStatuses as Obj[] | undefined) ?? []), ...((status.containerStatuses as Obj[] | undefined) ?? [])];
  return all
    .filter((c) => runsWrapper(c.command))
    .map((c) => {
      const s = statuses.find((x) => x.name === c.name);
      const state = (s?.state ?? {}) as Obj;
      return {
        name: String(c.name),
        running: state.running !== undefined,
        hasLog: state.running !== undefined || state.terminated !== undefined,
        wrapper: String((c.command as unknown[])[0]),
      };
    });
}

async function readLogs(cluster: Cluster, pod: string, live: Live[]): Promise<Pick<Extra, 'logs' | 'logsNote'>> {
  const withLog = live.filter((c) => c.hasLog);
  if (withLog.length === 0)
    return { logs: {}, logsNote: live.length === 0 ? 'not read: no wrapped container' : 'not read: no wrapped container has started yet' };
  const logs: Record<string, string> = {};
  const failed: string[] = [];
  await Promise.all(
    withLog.map(async (c) => {
      const r = await cluster.logs(pod, c.name);
      if ('text' in r) logs[c.name] = r.text;
      else failed.push(`${c.name}: ${r.error}`);
    }),
  );
  const read = Object.keys(logs).length;
  return { logs, logsNote: `read (${read} of ${withLog.length} containers)${failed.length ? `; not read: ${failed.sort().join('; ')}` : ''}` };
}

/** The wrapper's help names its `status` mode when it has one; an older wrapper would run a program called "status". */
const HAS_STATUS_MODE = /^\s*startorder-entrypoint status\b/m;

async function readStatusFiles(cluster: Cluster, pod: string, live: Live[]): Promise<Pick<Extra, 'statusDirs' | 'statusFilesNote'>> {
  const target = live.find((c) => c.running);
  if (!target) return { statusFilesNote: 'not read: no wrapped container is running (exec needs one)' };
  const help = await cluster.exec(pod, target.name, [target.wrapper, '-h'], 10000);
  if (!HAS_STATUS_MODE.test(help.output)) {
    const why = /startorder-entrypoint/.test(help.output)
      ? 'the wrapper in this pod has no status mode (an older runtime image)'
      : `exec into ${target.name} failed: ${lastLine(help.output)}`;
    return { statusFilesNote: `not read: ${why}` };
  }
  const r = await cluster.exec(pod, target.name, [target.wrapper, 'status', '-run_dir', RUN_DIR], 10000);
  const dirs = r.ok ? parseStatusDirs(r.output) : undefined;
  if (!dirs)
    return {
      statusFilesNote: `not read: the wrapper's status mode in ${target.name} answered ${r.ok ? 'something else than its JSON' : `with an error: ${lastLine(r.output)}`}`,
    };
  return { statusDirs: dirs, statusFilesNote: `read (exec into ${target.name})` };
}

function lastLine(s: string): string {
  const lines = s
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '');
  return lines[lines.length - 1] ?? 'no output';
}

export async function gather(cluster: Cluster, podName: string, pod: Obj, ordered: boolean): Promise<Extra> {
  if (!ordered) return { logs: {}, logsNote: 'not read: not a startorder pod', statusFilesNote: 'not read: not a startorder pod' };
  const live = wrappedContainers(pod);
  const [logs, files] = await Promise.all([readLogs(cluster, podName, live), readStatusFiles(cluster, podName, live)]);
  return { ...logs, ...files };
}
