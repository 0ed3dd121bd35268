import type { Diagnostic } from '../diagnostics.js';
import type { Locator } from '../load/locate.js';
import { minorVersion } from '../spec/normalize.js';
import { isObj, workloadId, type Condition, type Obj, type RestartPolicy, type Role, type Spec, type Workload } from '../types.js';
import { resourceRef, SPEC_ANNOTATION } from '../kube/index.js';
import { findCycle, topoSort } from './graph.js';
import { originalArgv } from './command.js';
import { planReady, type PlannedReady, type Runner } from './readiness.js';
import { effectiveRestartPolicy, ownRestartFields } from './restart.js';

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
  ready?: PlannedReady;
  /** The container's effective restart policy (its own, else the pod's), for `-restart_policy`. */
  restartPolicy: RestartPolicy;
  /** Containers whose exit this one waits for on SIGTERM. */
  stopAfter: string[];
  /**
   * Job sidecar: exit once each of these main containers is done: Completed (exit 0) where the
   * kubelet retries a failure (OnFailure), Exited (any code, or its wrapper died) where it does not.
   */
  exitWith: { dep: string; condition: 'Completed' | 'Exited' }[];
  waitTimeoutSeconds?: number;
  /** The container's original command line (command + args, or from the spec's images table). */
  argv: string[];
}

/** An app container that moves to initContainers: as a native sidecar, or as a plain init container. */
export interface Native {
  name: string;
  as: 'sidecar' | 'init';
  ready?: PlannedReady;
}

export interface Plan {
  workload: Workload;
  spec: Spec;
  edges: Edge[];
  roles: Record<string, Role>;
  /** App containers that move to initContainers, in the order they are appended. */
  native: Native[];
  /**
   * Native sidecars the pod already has (init containers with restartPolicy Always) that others wait
   * for as Ready, with the spec's `ready` and no startupProbe of their own: they get one from `ready`
   * (without a startupProbe the kubelet starts the next container as soon as they have started).
   */
  probed: { name: string; ready: PlannedReady }[];
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
  /** A field of the spec itself (mode, kubernetesVersion), or the annotation that carries it. */
  const specField = (...keys: string[]): Partial<Diagnostic> => {
    if (spec.fromAnnotation || spec.file === undefined) {
      const path = [...w.path, ...w.metadataPath, 'annotations', SPEC_ANNOTATION];
      return { file: w.file, document: w.document, path, ...locate(w.file, w.document, path) };
    }
    const at = (path: string[]) => JSON.stringify(locate(spec.file, spec.document, path));
    const key = keys.find((k) => at(['spec', k]) !== at(['spec'])) ?? keys[keys.length - 1]!;
    const path = ['spec', key];
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
    const waitedDone = edges.some((e) => e.dep === n && (e.condition === 'Completed' || e.condition === 'Exited'));
    const waitedUp = edges.some((e) => e.dep === n && (e.condition === 'Started' || e.condition === 'Ready'));
    roles[n] = entryOf.get(n)?.role ?? (waitedDone ? 'init' : waitedUp ? 'sidecar' : 'main');
  }

  // Native sidecars and init containers where the target cluster has them and the graph allows it.
  const minor = minorVersion(spec.kubernetesVersion);
  const nativeOk = spec.mode === 'native' || (spec.mode === 'auto' && minor !== undefined && minor >= 29);
  if (spec.mode === 'native' && minor !== undefined && minor < 29) {
    error('native-impossible', `mode native needs Kubernetes 1.29 or newer; the spec targets ${spec.kubernetesVersion}`, 'Use mode wrapper (or auto), or raise kubernetesVersion.', specField('kubernetesVersion', 'mode'));
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
      // Its own restartPolicy / restartPolicyRules mean something else on an init container, and are kept as written.
      const own = ownRestartFields(info.c);
      // A failing init container stops the pod, so "exited, whatever its code" needs the wrapper.
      const exitedBy = edges.filter((e) => e.dep === n && e.condition === 'Exited').map((e) => e.dependent);
      if (blockers.length === 0 && forbidden.length === 0 && own.length === 0 && exitedBy.length === 0) {
        inInit.add(n);
        native.push({ name: n, as: role === 'init' ? 'init' : 'sidecar', ...(entryOf.get(n)?.ready ? { ready: entryOf.get(n)!.ready! } : {}) });
      } else if (spec.mode === 'native') {
        const why =
          blockers.length > 0
            ? `it waits for app container(s) ${blockers.map((b) => `"${b}"`).join(', ')}, which start after every init container`
            : forbidden.length > 0
              ? `an init container cannot have ${forbidden.join(', ')}`
              : own.length > 0
                ? `it sets its own ${own.join(' and ')}, which startorder keeps as written (on an init container it would mean something else)`
                : `${exitedBy.map((d) => `"${d}"`).join(', ')} wait${exitedBy.length > 1 ? '' : 's'} for it to exit whatever its exit code, and a failing init container stops the pod`;
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
  const policyOf = (n: string) => effectiveRestartPolicy(byName.get(n)!.c, podSpec);
  const wrappedNames = new Set<string>();
  for (const e of edges) if (e.mechanism === 'wrapper') wrappedNames.add(e.dep).add(e.dependent);
  const roots = spec.containers.filter((c) => c.after.length === 0 && byName.get(c.name)?.list === 'containers').map((c) => c.name);
  if (spec.gate) for (const r of roots) wrappedNames.add(r);
  const jobLike = restartPolicy !== 'Always';
  // A Job sidecar exits when the mains are done; a sidecar the kubelet restarts whatever its exit (Always) cannot.
  const wrappedSidecars = [...wrappedNames].filter((n) => roles[n] === 'sidecar' && !inInit.has(n) && policyOf(n) !== 'Always');
  const mains = appNames.filter((n) => roles[n] !== 'sidecar' && !inInit.has(n) && policyOf(n) !== 'Always');
  if (jobLike && wrappedSidecars.length > 0) for (const m of mains) wrappedNames.add(m);

  for (const e of edges) {
    if (e.mechanism !== 'wrapper' || (e.condition !== 'Completed' && e.condition !== 'Exited') || policyOf(e.dep) !== 'Always') continue;
    const info = byName.get(e.dep)!;
    const own = ownRestartFields(info.c).length > 0;
    const why = own ? `its restart policy (${ownRestartFields(info.c).join(', ')}) restarts it when it exits` : 'this pod has restartPolicy Always, so the kubelet restarts it when it exits';
    const hint = own
      ? `Wait for Started/Ready instead, or change the restartPolicy of "${e.dep}" so its exit is final.`
      : e.condition === 'Exited'
        ? 'Run it in a pod whose restartPolicy is Never or OnFailure (a Job), wait for Completed so it can become an init container, or wait for Started/Ready.'
        : nativeOk
          ? 'Remove what keeps it from becoming an init container (it must not wait for an app container).'
          : 'Target Kubernetes >= 1.29 (kubernetesVersion) so it becomes an init container, or wait for Started/Ready instead.';
    error('completed-would-restart', `"${e.dependent}" waits for "${e.dep}" to ${e.condition === 'Exited' ? 'exit' : 'complete'}, but ${why}`, hint, atPod('containers', info.index, 'name'), e.dep);
  }

  const grace = typeof podSpec.terminationGracePeriodSeconds === 'number' ? podSpec.terminationGracePeriodSeconds : 30;
  /** A container's readiness, checked for what runs it; a problem is a located error in the spec. */
  const checkReady = (n: string, runner: Runner): PlannedReady | undefined => {
    const ci = spec.containers.findIndex((c) => c.name === n);
    const others = [...byName.values()].map((x) => x.c).filter((c) => c !== byName.get(n)!.c);
    const r = planReady(spec.containers[ci]!.ready!, runner, byName.get(n)!.c, others, podSpec.hostNetwork === true);
    for (const p of r.problems) error(p.code, p.message, p.hint, specAt(ci, ...p.path), n);
    return r.ready;
  };
  for (const x of native) if (x.ready) {
    const checked = checkReady(x.name, 'native');
    if (checked) x.ready = checked;
    else delete x.ready;
  }
  const probed: Plan['probed'] = [];
  for (const e of edges) {
    const dep = byName.get(e.dep)!;
    const existingSidecar = dep.list === 'initContainers' && dep.c.restartPolicy === 'Always';
    if (e.mechanism !== 'kubernetes' || e.condition !== 'Ready' || !existingSidecar || dep.c.startupProbe || probed.some((p) => p.name === e.dep)) continue;
    if (entryOf.get(e.dep)?.ready) {
      const checked = checkReady(e.dep, 'native');
      if (checked) probed.push({ name: e.dep, ready: checked });
    } else {
      diags.push({ code: 'ready-is-started', severity: 'warning', ...atPod('initContainers', dep.index, 'name'), workload: wid, resource: resourceRef(w), container: e.dep, message: `"${e.dependent}" waits for "${e.dep}" to be ready, but "${e.dep}" is a native sidecar without a startupProbe: the kubelet starts the next containers as soon as it has started`, hint: `Give "${e.dep}" a ready in the spec (startorder adds the startupProbe), or a startupProbe of its own.` });
    }
  }
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
    const ready = entry?.ready && !inInit.has(n) ? checkReady(n, 'wrapper') : undefined;
    wrapped.push({
      name: n,
      waits: edges.filter((e) => e.dependent === n && e.mechanism === 'wrapper').map((e) => ({ dep: e.dep, condition: e.condition })),
      gated: spec.gate !== undefined && roots.includes(n),
      ...(ready ? { ready } : {}),
      restartPolicy: policyOf(n),
      stopAfter,
      exitWith: jobLike && wrappedSidecars.includes(n) ? mains.filter((m) => m !== n).map((m) => ({ dep: m, condition: policyOf(m) === 'OnFailure' ? ('Completed' as const) : ('Exited' as const) })) : [],
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
      probed,
      wrapped,
      ...(spec.gate ? { gate: spec.gate.annotation } : {}),
      stopGraceSeconds: Math.max(1, Math.floor(grace / 2)),
    },
    diagnostics: diags,
  };
}

export { resourceRef } from '../kube/index.js';
