import type { Obj, Ready } from '../types.js';
import type { Plan, Wrap } from '../plan/plan.js';
import { ENTRYPOINT, GATE_FILE, statusDir, statusFile } from './names.js';

/** Resolves a named port against the container's ports; undefined when it has no such port. */
export function resolvePort(port: number | string, container: Obj): number | undefined {
  if (typeof port === 'number') return port;
  if (/^\d+$/.test(port)) return Number(port);
  const ports = Array.isArray(container.ports) ? (container.ports as Obj[]) : [];
  const p = ports.find((x) => x.name === port);
  return typeof p?.containerPort === 'number' ? p.containerPort : undefined;
}

function readinessFlags(ready: Ready, container: Obj): string[] {
  const out: string[] = [];
  if (ready.file !== undefined) out.push('-ready_file', ready.file);
  else if (ready.exec) out.push('-ready_exec', JSON.stringify(ready.exec.command));
  else if (ready.httpGet) {
    const g = ready.httpGet;
    const port = resolvePort(g.port, container) ?? g.port;
    const path = g.path === undefined ? '/' : g.path.startsWith('/') ? g.path : `/${g.path}`;
    out.push('-ready_http', `${(g.scheme ?? 'HTTP').toLowerCase()}://${g.host ?? '127.0.0.1'}:${port}${path}`);
  } else if (ready.tcpSocket) {
    const port = resolvePort(ready.tcpSocket.port, container) ?? ready.tcpSocket.port;
    out.push('-ready_tcp', `${ready.tcpSocket.host ?? '127.0.0.1'}:${port}`);
  } else if (ready.self) out.push('-ready_self');
  if (ready.periodSeconds !== undefined) out.push('-ready_period', `${ready.periodSeconds}s`);
  if (ready.timeoutSeconds !== undefined) out.push('-ready_timeout', `${ready.timeoutSeconds}s`);
  return out;
}

/**
 * The wrapped container's new `args`: the wrapper's flags in one canonical order, then
 * `-entrypoint <command[0]> -- <the rest>`, so the kubelet still expands $(VAR) in every original word.
 */
export function wrapperArgs(wrap: Wrap, plan: Plan, container: Obj): string[] {
  const args = ['-status_dir', statusDir(wrap.name)];
  const waits = wrap.waits.map((w) => statusFile(w.dep, w.condition));
  if (wrap.gated) waits.unshift(GATE_FILE);
  if (waits.length > 0) args.push('-wait_file', waits.join(','));
  if (wrap.gated) args.push('-wait_file_content');
  if (wrap.waitTimeoutSeconds !== undefined) args.push('-wait_timeout', `${wrap.waitTimeoutSeconds}s`);
  if (wrap.ready) args.push(...readinessFlags(wrap.ready, container));
  if (wrap.stopAfter.length > 0) args.push('-stop_after', wrap.stopAfter.map((n) => statusFile(n, 'exited')).join(','));
  if (wrap.exitWith.length > 0) args.push('-exit_with', wrap.exitWith.map((n) => statusFile(n, 'exited')).join(','));
  if (wrap.stopAfter.length > 0 || wrap.exitWith.length > 0) args.push('-stop_grace', `${plan.stopGraceSeconds}s`);
  const termination = typeof container.terminationMessagePath === 'string' ? container.terminationMessagePath : '/dev/termination-log';
  args.push('-termination_path', termination);
  const [cmd, ...rest] = wrap.argv;
  args.push('-entrypoint', cmd!, '--', ...rest);
  return args;
}

export const WRAPPED_COMMAND = [ENTRYPOINT];

/** Reads the flags back out of a wrapped container (for `graph` on output, and the round-trip tests). */
export function parseWrapperArgs(args: readonly string[]): { flags: Record<string, string | true>; argv: string[] } | undefined {
  const flags: Record<string, string | true> = {};
  let i = 0;
  while (i < args.length) {
    const a = args[i]!;
    if (a === '-entrypoint') {
      if (args[i + 2] !== '--') return undefined;
      return { flags, argv: [args[i + 1]!, ...args.slice(i + 3)] };
    }
    if (!a.startsWith('-')) return undefined;
    if (a === '-wait_file_content' || a === '-ready_self') {
      flags[a.slice(1)] = true;
      i += 1;
    } else {
      flags[a.slice(1)] = args[i + 1] ?? '';
      i += 2;
    }
  }
  return undefined;
}
