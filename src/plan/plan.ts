import type { Diagnostic } from '../diagnostics.js';
import type { Locator } from '../load/locate.js';
import { minorVersion } from '../spec/normalize.js';
import { isObj, workloadId, type Condition, type Obj, type Ready, type Role, type Spec, type Workload } from '../types.js';
import { findCycle, topoSort } from './graph.js';
import { originalArgv } from './command.js';

export type Mechanism = 'wrapper' | 'native' | 'kubernetes';

export interface Edge {
  dep: string;
  dependent: string;
  condition: Condition;
  mechanism: Mechanism;
}

/** A container the wrapper will supervise, and what it waits for, reports and holds. */
export interface Wrap {
  name: string;
  /** Conditions this container waits for, as (dependency, condition) pairs. */
  waits: { dep: string; condition: Condition }[];
  gated: boolean;
  ready?: Ready;
  /** Containers whose exit this one waits for on SIGTERM. */
  stopAfter: string[];
  /** Job sidecar: exit once these containers have exited. */
  exitWith: string[];
  waitTimeoutSeconds?: number;
  /** The container's original command line (command + args, or from the spec's images table). */
  argv: string[];
}

export interface Plan {
  workload: Workload;
  spec: Spec;
  edges: Edge[];
  roles: Record<string, Role>;
  /** App containers that move to initContainers, in the order they are appended. */
  native: { name: string; as: 'sidecar' | 'init'; ready?: Ready }[];
  wrapped: Wrap[];
  gate?: string;
  /** Seconds the wrapper of a sidecar may hold SIGTERM for its dependents. */
  stopGraceSeconds: number;
}

const PLAIN_INIT_FORBIDDEN = ['lifecycle', 'livenessProbe', 'readinessProbe', 'startupProbe'];

function named(list: unknown): Obj[] {
  return Array.isArray(list) ? list.filter(isObj) : [];
}

export function planWorkload(w: Workload, podSpec: Obj, spec: Spec, locate: Locator): { plan?: Plan; diagnostics: Diagnostic[] } {
  const diags: Diagnostic[] = [];
  const wid = workloadId(w);
  const containers = named(podSpec.containers);
  const inits = named(podSpec.initContainers);
  const byName = new Map<string, { c: Obj; list: 'containers' | 'initContainers'; index: number }>();
  const podPath = (list: string, i: number, ...rest: (string | number)[]) => [...w.path, ...w.podSpecPath, list, i, ...rest];
  const atPod = (list: string, i: number, ...rest: (string | number)[]) => {
    const path = podPath(list, i, ...rest);
    return { file: w.file, document: w.document, path, ...locate(w.file, w.document, path) };
  };
  const specAt = (ci: number, ...rest: (string | number)[]) => {
    if (spec.fromAnnotation || spec.file === undefined) return { file: w.file, document: w.document };
    const path = ['spec', 'containers', ci, ...rest];
    return { file: spec.file, ...(spec.document !== undefined ? { document: spec.document } : {}), path, ...locate(spec.file, spec.document, path) };
  };
  const error = (code: Diagnostic['code'], message: string, hint: string, at: Partial<Diagnostic>, container?: string) =>
    diags.push({ code, severity: 'error', message, hint, workload: wid, ...(container ? { container } : {}), ...at, resource: resourceRef(w) });

  for (const [list, items] of [['initContainers', inits], ['containers', containers]] as const) {
    items.forEach((c, index) => {
      const name = String(c.name);
      if (byName.has(name)) error('duplicate-container', `two containers are named "${name}"`, 'Give every container and init container of the pod a unique name.', atPod(list, index, 'name'), name);
      else byName.set(name, { c, list, index });
    });
  }

  // Edges, with the checks a person would make reading the spec against the pod.
  const edges: Edge[] = [];
  const seen = new Set<string>();
  spec.containers.forEach((entry, ci) => {
    if (seen.has(entry.name)) error('duplicate-spec-container', `${spec.origin} lists container "${entry.name}" twice`, 'Merge the two entries into one.', specAt(ci, 'name'), entry.name);
    seen.add(entry.name);
    const self = byName.get(entry.name);
    if (!self) {
      error('unknown-container', `${spec.origin} names container "${entry.name}", which this pod does not have (it has ${[...byName.keys()].map((n) => `"${n}"`).join(', ')})`, 'Fix the name in the spec, or narrow its selector so it does not select this workload.', specAt(ci, 'name'), entry.name);
      return;
    }
    entry.after.forEach((d, di) => {
      if (d.name === entry.name) return error('self-dependency', `container "${entry.name}" waits for itself`, 'Remove it from its own "after" list.', specAt(ci, 'after', di), entry.name);
      const dep = byName.get(d.name);
      if (!dep) return error('unknown-container', `container "${entry.name}" waits for "${d.name}", which this pod does not have`, `Use one of ${[...byName.keys()].map((n) => `"${n}"`).join(', ')}.`, specAt(ci, 'after', di), entry.name);
      if (self.list === 'initContainers') {
        if (dep.list === 'initContainers' && dep.index < self.index) edges.push({ dep: d.name, dependent: entry.name, condition: d.condition, mechanism: 'kubernetes' });
        else error('init-dependent', `init container "${entry.name}" cannot wait for "${d.name}": init containers run before the app containers, in list order`, 'Reorder initContainers, or make the waiting container an app container.', specAt(ci, 'after', di), entry.name);
        return;
      }
      edges.push({ dep: d.name, dependent: entry.name, condition: d.condition, mechanism: 'wrapper' });
    });
  });
  if (diags.length > 0) return { diagnostics: diags };

  const appNames = containers.map((c) => String(c.name));
  const cycle = findCycle([...byName.keys()], edges);
  if (cycle) {
    const ci = spec.containers.findIndex((c) => c.name === cycle[0]);
    error('cycle', `the order has a cycle: ${cycle.join(' → ')}`, 'Remove one of these "after" entries.', specAt(Math.max(ci, 0), 'after'), cycle[0]);
    return { diagnostics: diags };
  }

  const entryOf = new Map(spec.containers.map((c) => [c.name, c]));
  const roles: Record<string, Role> = {};
  for (const n of appNames) {
    const waitedDone = edges.some((e) => e.dep === n && e.condition === 'Completed');
    const waitedUp = edges.some((e) => e.dep === n && e.condition !== 'Completed');
    roles[n] = entryOf.get(n)?.role ?? (waitedDone ? 'init' : waitedUp ? 'sidecar' : 'main');
  }

  // Native sidecars and init containers where the target cluster has them and the graph allows it.
  const minor = minorVersion(spec.kubernetesVersion);
  const nativeOk = spec.mode === 'native' || (spec.mode === 'auto' && minor !== undefined && minor >= 29);
  if (spec.mode === 'native' && minor !== undefined && minor < 29) {
    error('native-impossible', `mode native needs Kubernetes 1.29 or newer; the spec targets ${spec.kubernetesVersion}`, 'Use mode wrapper (or auto), or raise kubernetesVersion.', {});
    return { diagnostics: diags };
  }
  // Native init containers start one after another, and a plain one blocks those after it until it
  // completes: where the graph leaves a choice, long-running sidecars go first.
  const names = [...byName.keys()];
  const order = topoSort([...names.filter((n) => roles[n] === 'sidecar'), ...names.filter((n) => roles[n] !== 'sidecar')], edges);
  const inInit = new Set(inits.map((c) => String(c.name)));
  const native: Plan['native'] = [];
  if (nativeOk) {
    for (const n of order) {
      const info = byName.get(n)!;
      const role = roles[n];
      if (info.list !== 'containers' || role === 'main' || !edges.some((e) => e.dep === n)) continue;
      const blockers = edges.filter((e) => e.dependent === n && !inInit.has(e.dep)).map((e) => e.dep);
      const forbidden = role === 'init' ? PLAIN_INIT_FORBIDDEN.filter((k) => info.c[k] !== undefined) : [];
      if (blockers.length === 0 && forbidden.length === 0) {
        inInit.add(n);
        native.push({ name: n, as: role === 'init' ? 'init' : 'sidecar', ...(entryOf.get(n)?.ready ? { ready: entryOf.get(n)!.ready! } : {}) });
      } else if (spec.mode === 'native') {
        const why = blockers.length > 0 ? `it waits for app container(s) ${blockers.map((b) => `"${b}"`).join(', ')}, which start after every init container` : `an init container cannot have ${forbidden.join(', ')}`;
        error('native-impossible', `container "${n}" cannot become an init container: ${why}`, 'Use mode auto (the wrapper takes the edges native sidecars cannot) or change the order.', atPod('containers', info.index, 'name'), n);
      }
    }
  }
  for (const e of edges) {
    if (e.mechanism === 'kubernetes') continue;
    const dep = byName.get(e.dep)!;
    if (dep.list === 'initContainers') e.mechanism = 'kubernetes';
    else if (inInit.has(e.dep)) e.mechanism = 'native';
  }

  // The wrapper takes every remaining edge; both ends of a wrapper edge are wrapped.
  const restartPolicy = typeof podSpec.restartPolicy === 'string' ? podSpec.restartPolicy : 'Always';
  const wrappedNames = new Set<string>();
  for (const e of edges) if (e.mechanism === 'wrapper') wrappedNames.add(e.dep).add(e.dependent);
  const roots = spec.containers.filter((c) => c.after.length === 0 && byName.get(c.name)?.list === 'containers').map((c) => c.name);
  if (spec.gate) for (const r of roots) wrappedNames.add(r);
  const jobLike = restartPolicy !== 'Always';
  const wrappedSidecars = [...wrappedNames].filter((n) => roles[n] === 'sidecar' && !inInit.has(n));
  const mains = appNames.filter((n) => roles[n] !== 'sidecar' && !inInit.has(n));
  if (jobLike && wrappedSidecars.length > 0) for (const m of mains) wrappedNames.add(m);

  for (const e of edges) {
    if (e.mechanism !== 'wrapper' || e.condition !== 'Completed' || restartPolicy !== 'Always') continue;
    const info = byName.get(e.dep)!;
    error('completed-would-restart', `"${e.dependent}" waits for "${e.dep}" to complete, but this pod has restartPolicy Always, so the kubelet restarts "${e.dep}" when it exits`, nativeOk ? 'Remove what keeps it from becoming an init container (it must not wait for an app container).' : 'Target Kubernetes >= 1.29 (kubernetesVersion) so it becomes an init container, or wait for Started/Ready instead.', atPod('containers', info.index, 'name'), e.dep);
  }

  const grace = typeof podSpec.terminationGracePeriodSeconds === 'number' ? podSpec.terminationGracePeriodSeconds : 30;
  const wrapped: Wrap[] = [];
  for (const n of [...byName.keys()].filter((x) => wrappedNames.has(x))) {
    const info = byName.get(n)!;
    const argv = originalArgv(info.c, spec.images);
    if (!argv) {
      error('missing-command', `container "${n}" has no command, and image "${String(info.c.image)}" is not in the spec's images table, so its entrypoint is unknown`, `Either add "command" (the image's ENTRYPOINT) to the container, or add {image: "${String(info.c.image)}", command: [...], args: [...]} to spec.images.`, atPod(info.list, info.index), n);
      continue;
    }
    const entry = entryOf.get(n);
    const stopAfter = edges.filter((e) => e.dep === n && e.mechanism === 'wrapper').map((e) => e.dependent);
    wrapped.push({
      name: n,
      waits: edges.filter((e) => e.dependent === n && e.mechanism === 'wrapper').map((e) => ({ dep: e.dep, condition: e.condition })),
      gated: spec.gate !== undefined && roots.includes(n),
      ...(entry?.ready && !inInit.has(n) ? { ready: entry.ready } : {}),
      stopAfter,
      exitWith: jobLike && roles[n] === 'sidecar' && !inInit.has(n) ? mains.filter((m) => m !== n) : [],
      ...(entry?.waitTimeoutSeconds ? { waitTimeoutSeconds: entry.waitTimeoutSeconds } : {}),
      argv,
    });
  }
  if (diags.length > 0) return { diagnostics: diags };
  return {
    plan: {
      workload: w,
      spec,
      edges,
      roles,
      native,
      wrapped,
      ...(spec.gate ? { gate: spec.gate.annotation } : {}),
      stopGraceSeconds: Math.max(1, Math.floor(grace / 2)),
    },
    diagnostics: diags,
  };
}

export function resourceRef(w: Workload): NonNullable<Diagnostic['resource']> {
  return { ...(w.apiVersion ? { apiVersion: w.apiVersion } : {}), kind: w.kind, ...(w.name ? { name: w.name } : {}), ...(w.namespace ? { namespace: w.namespace } : {}) };
}
