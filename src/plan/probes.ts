/**
 * Probe edges: a dependency with `ready` is waited for by the dependent's wrapper probing it, for a
 * container startorder does not rewrite: one the pod does not have yet (a sidecar injected at
 * admission, e.g. istio-proxy) or one marked `wrap: false`. The dependency is never rewritten for it.
 */
import type { Dependency } from '../types.js';
import { error, specAt, type PlanContext } from './context.js';
import { planReady } from './readiness.js';
import type { Edge } from './types.js';

type Entry = PlanContext['spec']['containers'][number];

/** The probe edge `entry.after[di]` states, checked for the wrapper that runs it. */
export function probeEdge(cx: PlanContext, entry: Entry, ci: number, di: number): Edge | undefined {
  const d = entry.after[di]! as Dependency & { ready: NonNullable<Dependency['ready']> };
  const at = (...rest: (string | number)[]) => specAt(cx, ci, 'after', di, ...rest);
  const self = cx.byName.get(entry.name)!;
  let ok = true;
  if (d.condition !== 'Ready' && d.condition !== 'Started') {
    error(
      cx,
      'probe-invalid',
      `container "${entry.name}" probes "${d.name}", which can tell it is up, not that it ${d.condition === 'Completed' ? 'completed' : 'exited'}`,
      'Use condition Ready (the default) with a probe, or leave the probe out and let startorder wrap the dependency.',
      at('condition'),
      entry.name,
    );
    ok = false;
  }
  if (self.list === 'initContainers') {
    error(
      cx,
      'probe-invalid',
      `init container "${entry.name}" cannot probe "${d.name}": the wrapper's probes run in app containers`,
      'Make the waiting container an app container.',
      at(),
      entry.name,
    );
    ok = false;
  }
  if (d.ready.httpGet?.httpHeaders?.length) {
    error(
      cx,
      'readiness-unsupported',
      `the wrapper's probe of "${d.name}" sends no headers`,
      'Remove httpHeaders, or use ready.exec with a client the image of the waiting container has.',
      at('ready', 'httpGet', 'httpHeaders'),
      entry.name,
    );
    ok = false;
  }
  // A named port resolves against the dependency's own ports; one the pod does not have has none.
  const dep = cx.byName.get(d.name)?.c ?? { name: d.name };
  const checked = planReady(d.ready, 'wrapper', dep, [], cx.podSpec.hostNetwork === true);
  for (const p of checked.problems) error(cx, p.code, p.message, p.hint, at(...p.path), entry.name);
  if (!ok || !checked.ready) return undefined;
  return { dep: d.name, dependent: entry.name, condition: d.condition, mechanism: 'probe', probe: checked.ready };
}

/** A dependency marked `wrap: false` and waited for without a probe: its status files are never written. */
export function unwrappedDependency(cx: PlanContext, entry: Entry, ci: number, di: number): void {
  const d = entry.after[di]!;
  error(
    cx,
    'unwrapped-dependency',
    `container "${entry.name}" waits for "${d.name}", which the spec marks wrap: false, so nothing reports its state`,
    `Give the dependency a probe: {name: ${d.name}, ready: {httpGet: {port: PORT, path: /ready}}} (or tcpSocket, exec), or remove wrap: false from "${d.name}".`,
    specAt(cx, ci, 'after', di),
    entry.name,
  );
}

/** `wrap: false` on a container that needs its wrapper: it waits for others, or reports its own readiness. */
export function unwrappedWaits(cx: PlanContext, edges: readonly Edge[]): void {
  cx.spec.containers.forEach((entry, ci) => {
    if (entry.wrap !== false) return;
    const needs = edges.filter((e) => e.dependent === entry.name && (e.mechanism === 'wrapper' || e.mechanism === 'probe')).map((e) => `"${e.dep}"`);
    if (needs.length > 0)
      error(
        cx,
        'unwrapped-waits',
        `container "${entry.name}" is marked wrap: false, but waiting for ${needs.join(', ')} needs the wrapper in it`,
        `Remove wrap: false from "${entry.name}", or its "after" entries.`,
        specAt(cx, ci, 'wrap'),
        entry.name,
      );
    else if (entry.ready)
      error(
        cx,
        'unwrapped-waits',
        `container "${entry.name}" is marked wrap: false, so nothing runs its ready`,
        `Put the probe on the dependencies that wait for "${entry.name}" instead: {name: ${entry.name}, ready: {...}}.`,
        specAt(cx, ci, 'ready'),
        entry.name,
      );
  });
}
