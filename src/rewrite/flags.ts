import type { Plan, Wrap } from '../plan/plan.js';
import { hostPort, type PlannedReady } from '../plan/readiness.js';
import type { Condition, Obj } from '../types.js';
import { ENTRYPOINT, GATE_FILE, statusDir } from './names.js';

/** The status file a condition of container `c` is read from: /startorder/run/<c>/<started|ready|completed|exited>. */
export function conditionFile(c: string, condition: Condition): string {
  return `${statusDir(c)}/${condition.toLowerCase()}`;
}

/**
 * The kubelet expands $(VAR) in command and args (and in exec probes); `$$` is its escape for `$`.
 * Doubling every `$` of a value startorder generates gives the wrapper that value exactly, `$$(`
 * included (only turning `$(` into `$$(` would let `$$(X)` become a reference).
 */
export function escapeExpansion(value: string): string {
  return value.replace(/\$/g, '$$$$');
}

/** The URL the wrapper (or `probe http`) fetches: the loopback of the pod when the server listens everywhere. */
export function readyUrl(r: PlannedReady): string {
  const g = r.httpGet!;
  const path = g.path === undefined ? '/' : g.path.startsWith('/') ? g.path : `/${g.path}`;
  return `${(g.scheme ?? 'HTTP').toLowerCase()}://${hostPort(r.endpoint!.address, r.endpoint!.port)}${path}`;
}

export function readyTcp(r: PlannedReady): string {
  return hostPort(r.endpoint!.address, r.endpoint!.port);
}

/** `Name: value`, the form of `-ready_http_header` and `probe http -header`. */
export function headerLines(r: PlannedReady): string[] {
  return (r.httpGet?.httpHeaders ?? []).map((h) => `${h.name}: ${h.value}`);
}

type Add = (flag: string, value?: string) => void;

function readinessFlags(ready: PlannedReady, add: Add): void {
  if (ready.file !== undefined) add('-ready_file', ready.file);
  else if (ready.exec) add('-ready_exec', JSON.stringify(ready.exec.command));
  else if (ready.httpGet) {
    add('-ready_http', readyUrl(ready));
    for (const h of headerLines(ready)) add('-ready_http_header', h);
  } else if (ready.tcpSocket) add('-ready_tcp', readyTcp(ready));
  else if (ready.self) add('-ready_self');
  if (ready.periodSeconds !== undefined) add('-ready_period', `${ready.periodSeconds}s`);
  if (ready.timeoutSeconds !== undefined) add('-ready_timeout', `${ready.timeoutSeconds}s`);
}

/** `-wait_probe_http|tcp|exec NAME=TARGET`: the wrapper probes a dependency startorder does not wrap. */
function probeFlags(probes: Wrap['probes'], add: Add): void {
  for (const { dep, probe } of probes) {
    if (probe.httpGet) add('-wait_probe_http', `${dep}=${readyUrl(probe)}`);
    else if (probe.tcpSocket) add('-wait_probe_tcp', `${dep}=${readyTcp(probe)}`);
    else if (probe.exec) add('-wait_probe_exec', `${dep}=${JSON.stringify(probe.exec.command)}`);
  }
}

/**
 * The wrapped container's new `args`: the wrapper's flags in one canonical order, then
 * `-entrypoint <command[0]> -- <the rest>`, so the kubelet still expands $(VAR) in every original
 * word — and in none of the values startorder generates.
 */
export function wrapperArgs(wrap: Wrap, plan: Plan, container: Obj): string[] {
  const args: string[] = [];
  const add: Add = (flag, value) => void (value === undefined ? args.push(flag) : args.push(flag, escapeExpansion(value)));
  add('-status_dir', statusDir(wrap.name));
  add('-restart_policy', wrap.restartPolicy);
  if (wrap.gated) {
    add('-wait_file', GATE_FILE);
    add('-wait_file_content');
  }
  if (wrap.waits.length > 0) add('-wait_status', wrap.waits.map((w) => conditionFile(w.dep, w.condition)).join(','));
  probeFlags(wrap.probes, add);
  if (wrap.waitTimeoutSeconds !== undefined) add('-wait_timeout', `${wrap.waitTimeoutSeconds}s`);
  if (wrap.ready) readinessFlags(wrap.ready, add);
  if (wrap.stopAfter.length > 0) add('-stop_after', wrap.stopAfter.map((n) => conditionFile(n, 'Exited')).join(','));
  if (wrap.exitWith.length > 0) add('-exit_with', wrap.exitWith.map((x) => conditionFile(x.dep, x.condition)).join(','));
  if (wrap.stopAfter.length > 0 || wrap.exitWith.length > 0) add('-stop_grace', `${plan.stopGraceSeconds}s`);
  add('-termination_path', typeof container.terminationMessagePath === 'string' ? container.terminationMessagePath : '/dev/termination-log');
  const [cmd, ...rest] = wrap.argv;
  return [...args, '-entrypoint', cmd!, '--', ...rest];
}

export const WRAPPED_COMMAND = [ENTRYPOINT];

/** Reads the flags back out of a wrapped container (for `graph` on output, and the round-trip tests); `flags` keeps the last of a repeated flag, `all` every one. */
export function parseWrapperArgs(
  args: readonly string[],
): { flags: Record<string, string | true>; all: [string, string | true][]; argv: string[] } | undefined {
  const flags: Record<string, string | true> = {};
  const all: [string, string | true][] = [];
  let i = 0;
  while (i < args.length) {
    const a = args[i]!;
    if (a === '-entrypoint') {
      if (args[i + 2] !== '--') return undefined;
      return { flags, all, argv: [args[i + 1]!, ...args.slice(i + 3)] };
    }
    if (!a.startsWith('-')) return undefined;
    if (a === '-wait_file_content' || a === '-ready_self') {
      flags[a.slice(1)] = true;
      all.push([a.slice(1), true]);
      i += 1;
    } else {
      flags[a.slice(1)] = args[i + 1] ?? '';
      all.push([a.slice(1), args[i + 1] ?? '']);
      i += 2;
    }
  }
  return undefined;
}
