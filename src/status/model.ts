// The facts about one pod, from its object (spec, record annotation, status) and what was read from
// inside it (wait lines, status files), merged into one report. No I/O here: the renderers and the
// tests start from this.
import { parseRecord } from '../rewrite/record.js';
import { runsWrapper } from '../rewrite/delivery.js';
import { DOWNWARD_VOLUME, GATE_FILE, RECORD_ANNOTATION } from '../rewrite/names.js';
import type { Obj } from '../types.js';
import { parseTerminationMessage, parseWaitLines, type StatusDir, type WaitLine } from './facts.js';
import type { ContainerReport, Dependency, PodReport, State } from './types.js';
import { timeline } from './timeline.js';
import { inferFromDependencies, unmetByFiles } from './infer.js';

/** What was read besides the pod object, and why a source was not. */
export interface Extra {
  /** Container name → its log (with timestamps). */
  logs: Record<string, string>;
  logsNote: string;
  statusDirs?: Record<string, StatusDir>;
  statusFilesNote: string;
}

const obj = (v: unknown): Obj => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Obj) : {});
const str = (v: unknown, otherwise: string): string => (typeof v === 'string' ? v : otherwise);
const objs = (v: unknown): Obj[] => (Array.isArray(v) ? v.filter((x): x is Obj => typeof x === 'object' && x !== null) : []);

/** An RFC 3339 string from what the API client gives (a string, or a Date). */
export function iso(v: unknown): string | undefined {
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? undefined : v.toISOString();
  return typeof v === 'string' && v !== '' ? v : undefined;
}

interface Ctx {
  statuses: Map<string, Obj>;
  /** The gate: the annotation the downward volume shows at /startorder/downward/ready, and whether it is set. */
  gate?: { annotation: string; open: boolean };
  edges: Dependency[][];
  record: boolean;
  extra: Extra;
}

export function buildReport(pod: Obj, extra: Extra): PodReport {
  const meta = obj(pod.metadata);
  const spec = obj(pod.spec);
  const status = obj(pod.status);
  const annotation = obj(meta.annotations)[RECORD_ANNOTATION];
  const record = parseRecord(annotation);
  const statuses = new Map<string, Obj>();
  for (const s of [...objs(status.initContainerStatuses), ...objs(status.containerStatuses)]) statuses.set(String(s.name), s);
  const byDependent = new Map<string, Dependency[]>();
  for (const [dep, dependent, condition, mechanism] of record?.edges ?? []) {
    byDependent.set(dependent, [...(byDependent.get(dependent) ?? []), { container: dep, condition, mechanism }]);
  }
  const ctx: Ctx = { statuses, edges: [], record: record !== undefined, extra, ...gateOf(spec, obj(meta.annotations)) };
  const containers: ContainerReport[] = [];
  for (const list of ['initContainers', 'containers'] as const) {
    for (const c of objs(spec[list])) containers.push(containerReport(c, list, byDependent.get(String(c.name)) ?? [], ctx));
  }
  inferFromDependencies(containers);
  const report: PodReport = {
    namespace: str(meta.namespace, ''),
    name: str(meta.name, ''),
    phase: str(status.phase, 'Unknown'),
    ordered: record !== undefined,
    ...(iso(meta.creationTimestamp) ? { created: iso(meta.creationTimestamp) } : {}),
    sources: {
      pod: 'read',
      record: record
        ? 'read'
        : annotation === undefined
          ? `absent: no ${RECORD_ANNOTATION} annotation (not a startorder pod)`
          : `unreadable: ${RECORD_ANNOTATION} is not a record this version knows`,
      logs: extra.logsNote,
      statusFiles: extra.statusFilesNote,
    },
    containers,
    timeline: [],
  };
  report.timeline = timeline(report, objs(status.conditions), extra);
  return report;
}

/** The gate annotation, from the downward volume startorder added (`metadata.annotations['NAME']`). */
function gateOf(spec: Obj, annotations: Obj): { gate?: Ctx['gate'] } {
  const vol = objs(spec.volumes).find((v) => v.name === DOWNWARD_VOLUME);
  const path = objs(obj(vol?.downwardAPI).items)
    .map((i) => obj(i.fieldRef).fieldPath)
    .find((f) => typeof f === 'string');
  const m = typeof path === 'string' ? /^metadata\.annotations\['(.+)'\]$/.exec(path) : null;
  if (!m) return {};
  const v = annotations[m[1]!];
  return { gate: { annotation: m[1]!, open: typeof v === 'string' && v !== '' } };
}

function kindOf(c: Obj, list: 'initContainers' | 'containers'): ContainerReport['kind'] {
  if (list === 'containers') return 'app';
  return c.restartPolicy === 'Always' ? 'sidecar' : 'init';
}

function containerReport(c: Obj, list: 'initContainers' | 'containers', waitsFor: Dependency[], ctx: Ctx): ContainerReport {
  const name = String(c.name);
  const st = ctx.statuses.get(name);
  const state = obj(st?.state);
  const r: ContainerReport = {
    name,
    list,
    kind: kindOf(c, list),
    wrapped: runsWrapper(c.command),
    state: 'unknown',
    stateSource: 'pod',
    restarts: typeof st?.restartCount === 'number' ? st.restartCount : 0,
    waitsFor,
    times: {},
  };
  if (ctx.gate && argvOf(c).includes(GATE_FILE)) r.gate = { annotation: ctx.gate.annotation, open: ctx.gate.open };
  const running = obj(state.running);
  const terminated = obj(state.terminated);
  const created = iso(running.startedAt) ?? iso(terminated.startedAt);
  if (created) r.times.created = { at: created, source: 'pod' };
  fromTermination(r, terminated, obj(obj(st?.lastState).terminated));
  const dir = ctx.extra.statusDirs?.[name];
  if (dir) fromStatusDir(r, dir);
  const lines = r.wrapped ? parseWaitLines(ctx.extra.logs[name] ?? '') : [];
  fromWaitLines(r, lines);
  decideState(r, c, st, state, dir, lines, ctx);
  return r;
}

/** Times and the failure reason from the termination message (the current one, else the last). */
function fromTermination(r: ContainerReport, terminated: Obj, last: Obj): void {
  const t = Object.keys(terminated).length > 0 ? terminated : last;
  if (Object.keys(t).length === 0) return;
  const tm = parseTerminationMessage(t.message);
  if (typeof t.exitCode === 'number') r.exitCode = t.exitCode;
  for (const k of ['waited', 'started', 'ready'] as const) if (tm?.[k]) r.times[k] = { at: tm[k], source: 'termination-message' };
  const finished = iso(t.finishedAt);
  if (tm?.exited) r.times.exited = { at: tm.exited, source: 'termination-message' };
  else if (finished) r.times.exited = { at: finished, source: 'pod' };
  if (r.exitCode === 0 && r.times.exited) r.times.completed = r.times.exited;
  // exit 0 after -exit_with is no failure; OnErrorContinue is (the child failed, the wrapper went on)
  const failedChild = (r.exitCode ?? tm?.exitCode ?? 0) !== 0 || tm?.reason?.startsWith('OnErrorContinue');
  if (tm?.reason && failedChild) r.failure = { reason: tm.reason, source: 'termination-message' };
  else if (r.exitCode !== undefined && r.exitCode !== 0) {
    const words = typeof t.message === 'string' && t.message !== '' && !tm ? `: ${t.message.trim()}` : '';
    r.failure = { reason: `${str(t.reason, 'Error')}: exit code ${r.exitCode}${words}`, source: 'pod' };
  }
}

function fromStatusDir(r: ContainerReport, dir: StatusDir): void {
  for (const k of ['started', 'ready', 'completed'] as const) {
    const at = dir.files[k];
    if (at && !Number.isNaN(Date.parse(at)) && !r.times[k]) r.times[k] = { at, source: 'status-files' };
  }
}

function fromWaitLines(r: ContainerReport, lines: WaitLine[]): void {
  const last = lines[lines.length - 1];
  if (last?.kind === 'waited' && !r.times.waited) r.times.waited = { at: last.at, source: 'logs' };
  if (last?.kind === 'gave-up' && !r.failure)
    r.failure = { reason: `gave up waiting for ${last.for.join(', ')}${last.why ? `: ${last.why}` : ''}`, source: 'logs' };
}

function decideState(r: ContainerReport, c: Obj, st: Obj | undefined, state: Obj, dir: StatusDir | undefined, lines: WaitLine[], ctx: Ctx): void {
  const set = (s: State, source: ContainerReport['stateSource']): void => {
    r.state = s;
    r.stateSource = source;
  };
  if (!st) return set('not-created', 'pod');
  if (state.waiting !== undefined) {
    r.kubeReason = str(obj(state.waiting).reason, 'Waiting');
    return set(r.kubeReason === 'CrashLoopBackOff' ? 'restarting' : 'not-created', 'pod');
  }
  if (state.terminated !== undefined) {
    r.kubeReason = str(obj(state.terminated).reason, '');
    return set(r.exitCode === 0 ? 'completed' : 'failed', 'pod');
  }
  // The kubelet's "ready" is the wrapper's readiness only when the wrapper checks none of its own.
  const ownReadiness = r.wrapped && hasReadinessFlag(c);
  const ready = st.ready === true && !ownReadiness;
  if (ownReadiness && !dir) r.readyUnknown = true;
  if (!r.wrapped || (r.waitsFor.length === 0 && !r.gate)) return set(ready ? 'ready' : 'running', 'pod');
  if (dir) {
    if (!dir.files.started) {
      r.waiting = { for: unmetByFiles(r, ctx.extra.statusDirs ?? {}), ...since(r, lines), source: 'status-files' };
      return set('waiting', 'status-files');
    }
    return set(dir.files.ready ? 'ready' : 'running', 'status-files');
  }
  const last = lines[lines.length - 1];
  if (last?.kind === 'waiting') {
    r.waiting = { for: last.for, ...since(r, lines), source: 'logs' };
    return set('waiting', 'logs');
  }
  if (last) return set(last.kind === 'gave-up' ? 'failed' : ready ? 'ready' : 'running', 'logs');
  // The wrapper says nothing on stdout or stderr before its child runs (older wrappers say nothing
  // while they wait): any other line in the log is the child's.
  if (childSpoke(ctx.extra.logs[r.name])) return set(ready ? 'ready' : 'running', 'logs');
  // Nothing from inside the pod: decided from the dependencies' states (inferFromDependencies).
  set(ready ? 'ready' : 'running', 'inferred');
}

const READINESS_FLAGS = new Set(['-ready_http', '-ready_tcp', '-ready_exec', '-ready_file', '-ready_self']);

function argvOf(c: Obj): string[] {
  return [...(Array.isArray(c.command) ? (c.command as unknown[]) : []), ...(Array.isArray(c.args) ? (c.args as unknown[]) : [])].map(String);
}

function hasReadinessFlag(c: Obj): boolean {
  const argv = argvOf(c);
  const end = argv.indexOf('--');
  return (end < 0 ? argv : argv.slice(0, end)).some((a) => READINESS_FLAGS.has(a.replace(/^--/, '-').replace(/=.*$/, '')));
}

function childSpoke(log: string | undefined): boolean {
  if (!log) return false;
  return log.split('\n').some((l) => {
    const text = l.slice(l.indexOf(' ') + 1).trim();
    return text !== '' && !/^startorder(-entrypoint)?: /.test(text);
  });
}

function since(r: ContainerReport, lines: WaitLine[]): { since?: string } {
  const first = lines.find((l) => l.kind === 'waiting');
  const at = first?.at ?? r.times.created?.at;
  return at ? { since: at } : {};
}
