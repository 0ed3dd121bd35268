// Pod objects as the API returns them, for the status tests: a startorder-init, and wrapped
// containers with the record annotation of the edges given.
import type { Obj } from '../src/types.js';

export const T0 = Date.parse('2026-01-02T10:00:00Z');
export const at = (s: number) => new Date(T0 + s * 1000).toISOString();

export type Edge = [string, string, 'Started' | 'Ready' | 'Completed' | 'Exited', string];

export function record(edges: Edge[]): string {
  return JSON.stringify({ v: 2, edges, containers: [], initContainers: ['startorder-init'], volumes: ['startorder-bin', 'startorder-run'], created: [] });
}

export function wrapped(name: string, args: string[] = []): Obj {
  return {
    name,
    image: 'app:1',
    command: ['/startorder/bin/entrypoint'],
    args: ['-status_dir', `/startorder/run/${name}`, ...args, '-entrypoint', 'app', '--'],
  };
}

export const running = (name: string, startedS: number, ready: boolean): Obj => ({
  name,
  ready,
  restartCount: 0,
  started: true,
  state: { running: { startedAt: at(startedS) } },
});
export const terminated = (name: string, startedS: number, endS: number, exitCode: number, message?: string): Obj => ({
  name,
  ready: false,
  restartCount: 0,
  state: {
    terminated: { startedAt: at(startedS), finishedAt: at(endS), exitCode, reason: exitCode === 0 ? 'Completed' : 'Error', ...(message ? { message } : {}) },
  },
});
export const tm = (o: Record<string, unknown>) => JSON.stringify(o);

export function pod(
  name: string,
  containers: Obj[],
  statuses: Obj[],
  opts: { edges?: Edge[]; phase?: string; annotations?: Record<string, string> } = {},
): Obj {
  const annotations = { ...(opts.edges ? { 'startorder.dev/applied': record(opts.edges) } : {}), ...opts.annotations };
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'ns1', creationTimestamp: at(0), annotations },
    spec: {
      initContainers: [
        { name: 'startorder-init', image: 'rt', command: ['/startorder-entrypoint', 'init', '-run_dir', '/startorder/run', '/startorder/bin/entrypoint'] },
      ],
      containers,
    },
    status: {
      phase: opts.phase ?? 'Running',
      conditions: [
        { type: 'PodScheduled', status: 'True', lastTransitionTime: at(0) },
        { type: 'Initialized', status: 'True', lastTransitionTime: at(1) },
      ],
      initContainerStatuses: [terminated('startorder-init', 0.5, 1, 0)],
      containerStatuses: statuses,
    },
  };
}

/** A waiting pod: db runs but is not ready, app waits for db ready. */
export function waitingPod(): Obj {
  return pod('waiter', [wrapped('db'), wrapped('app', ['-wait_status', '/startorder/run/db/ready'])], [running('db', 2, false), running('app', 2, false)], {
    edges: [['db', 'app', 'Ready', 'wrapper']],
  });
}

/** The wrapper's wait lines as `kubectl logs --timestamps` shows them. */
export function waitLog(lines: [number, string][]): string {
  return lines.map(([s, l]) => `${at(s)} startorder-entrypoint: ${l}`).join('\n') + '\n';
}
