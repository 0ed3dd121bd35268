/**
 * Plans one workload: the spec's order checked against the pod, each edge given to Kubernetes (init
 * containers in order), the kubelet (native sidecars) or the wrapper, and what each container becomes.
 * Every problem is a located diagnostic; a workload with an error gets no plan (warnings go along).
 */
import { containersOf, resourceRef, workloadId, type Obj } from '../kube/index.js';
import { hasErrors } from '../diagnostics.js';
import type { Locator } from '../load/locate.js';
import { minorVersion } from '../spec/normalize.js';
import type { Spec, Workload } from '../types.js';
import { atPod, error, planContext, specAt, specField, type PlanContext } from './context.js';
import { rolesOf, specEdges } from './edges.js';
import { findCycle } from './graph.js';
import { unwrappedWaits } from './probes.js';
import { planDelivery } from './delivery.js';
import { assignMechanisms, chooseNative } from './native.js';
import { planReady, type PlannedReady, type Runner } from './readiness.js';
import type { Edge, Native, Plan, Planned, PlanOptions, Unresolved } from './types.js';
import { checkRestarts, wrappedContainers, wrapping } from './wrap.js';

export type { Edge, Mechanism, Native, Plan, Planned, PlanOptions, Unresolved, Wrap } from './types.js';
export { completePlan } from './images.js';
export { resourceRef } from '../kube/index.js';

/** A container's readiness, checked for what runs it; a problem is a located error in the spec. */
function checkReady(cx: PlanContext, n: string, runner: Runner): PlannedReady | undefined {
  const { spec, byName, podSpec } = cx;
  const ci = spec.containers.findIndex((c) => c.name === n);
  const others = [...byName.values()].map((x) => x.c).filter((c) => c !== byName.get(n)!.c);
  const r = planReady(spec.containers[ci]!.ready!, runner, byName.get(n)!.c, others, podSpec.hostNetwork === true);
  for (const p of r.problems) error(cx, p.code, p.message, p.hint, specAt(cx, ci, ...p.path), n);
  return r.ready;
}

/** The native sidecars' readiness, checked (one that fails its check keeps no ready). */
function checkNativeReady(cx: PlanContext, native: Native[]): void {
  for (const x of native) {
    if (!x.ready) continue;
    const checked = checkReady(cx, x.name, 'native');
    if (checked) x.ready = checked;
    else delete x.ready;
  }
}

/**
 * Native sidecars the pod already has that others wait for as Ready, without a startupProbe: from
 * the spec's ready they get one; without it, a warning (the kubelet goes on once they have started).
 */
function probedSidecars(cx: PlanContext, edges: readonly Edge[]): Plan['probed'] {
  const probed: Plan['probed'] = [];
  for (const e of edges) {
    if (e.mechanism !== 'kubernetes') continue;
    const dep = cx.byName.get(e.dep)!;
    const existingSidecar = dep.list === 'initContainers' && dep.c.restartPolicy === 'Always';
    if (e.condition !== 'Ready' || !existingSidecar || dep.c.startupProbe || probed.some((p) => p.name === e.dep)) continue;
    if (cx.entryOf.get(e.dep)?.ready) {
      const checked = checkReady(cx, e.dep, 'native');
      if (checked) probed.push({ name: e.dep, ready: checked });
    } else {
      cx.diags.push({
        code: 'ready-is-started',
        severity: 'warning',
        ...atPod(cx, 'initContainers', dep.index, 'name'),
        workload: workloadId(cx.w),
        resource: resourceRef(cx.w),
        container: e.dep,
        message: `"${e.dependent}" waits for "${e.dep}" to be ready, but "${e.dep}" is a native sidecar without a startupProbe: the kubelet starts the next containers as soon as it has started`,
        hint: `Give "${e.dep}" a ready in the spec (startorder adds the startupProbe), or a startupProbe of its own.`,
      });
    }
  }
  return probed;
}

/** An error stops the plan; a warning does not. */
const failed = (cx: PlanContext): boolean => hasErrors(cx.diags);

/** Whether the target cluster has native sidecars (1.29+) for this spec; mode native on an older one is an error. */
function nativeAllowed(cx: PlanContext): boolean | undefined {
  const { spec } = cx;
  const minor = minorVersion(spec.kubernetesVersion);
  if (spec.mode === 'native' && minor !== undefined && minor < 29) {
    error(
      cx,
      'native-impossible',
      `mode native needs Kubernetes 1.29 or newer; the spec targets ${spec.kubernetesVersion}`,
      'Use mode wrapper (or auto), or raise kubernetesVersion.',
      specField(cx, 'kubernetesVersion', 'mode'),
    );
    return undefined;
  }
  return spec.mode === 'native' || (spec.mode === 'auto' && minor !== undefined && minor >= 29);
}

/**
 * The plan of one workload (`podSpec`: its pod spec as the input has it), or the diagnostics that stop
 * it. With `deferImages`, containers whose command line needs their image are listed as `unresolved`
 * instead of being errors: completePlan finishes the plan once the images are known.
 */
export function planWorkload(w: Workload, podSpec: Obj, spec: Spec, locate: Locator, options: PlanOptions = {}): Planned {
  const cx = planContext(w, podSpec, spec, locate);
  const edges = specEdges(cx);
  if (failed(cx)) return { diagnostics: cx.diags };
  const cycle = findCycle([...cx.byName.keys()], edges);
  if (cycle) {
    const ci = spec.containers.findIndex((c) => c.name === cycle[0]);
    error(cx, 'cycle', `the order has a cycle: ${cycle.join(' → ')}`, 'Remove one of these "after" entries.', specAt(cx, Math.max(ci, 0), 'after'), cycle[0]);
    return { diagnostics: cx.diags };
  }
  const appNames = containersOf(podSpec, ['containers']).map(({ container }) => String(container.name));
  const roles = rolesOf(cx, appNames, edges);
  const nativeOk = nativeAllowed(cx);
  const delivery = planDelivery(cx);
  if (nativeOk === undefined || delivery === undefined) return { diagnostics: cx.diags };

  const inInit = new Set(containersOf(podSpec, ['initContainers']).map(({ container }) => String(container.name)));
  const native = nativeOk ? chooseNative(cx, roles, edges, inInit) : [];
  assignMechanisms(cx, edges, inInit);
  unwrappedWaits(cx, edges);
  // The wrapper takes every remaining edge; both ends of a wrapper edge are wrapped.
  const wr = wrapping(cx, appNames, roles, edges, inInit);
  checkRestarts(cx, edges, wr.policyOf, nativeOk);
  checkNativeReady(cx, native);
  const probed = probedSidecars(cx, edges);
  const unresolved: Unresolved[] | undefined = options.deferImages ? [] : undefined;
  const wrapped = wrappedContainers(cx, edges, wr, inInit, (n) => checkReady(cx, n, 'wrapper'), unresolved);
  const deferred = unresolved && unresolved.length > 0 ? { unresolved } : {};
  if (failed(cx)) return { diagnostics: cx.diags, ...deferred };
  const grace = typeof podSpec.terminationGracePeriodSeconds === 'number' ? podSpec.terminationGracePeriodSeconds : 30;
  const plan: Plan = {
    workload: w,
    spec,
    edges,
    roles,
    native,
    probed,
    wrapped,
    external: [...new Set(edges.filter((e) => e.mechanism === 'probe' && !cx.byName.has(e.dep)).map((e) => e.dep))],
    ...(spec.gate ? { gate: spec.gate.annotation } : {}),
    stopGraceSeconds: Math.max(1, Math.floor(grace / 2)),
    ...(delivery === 'image' ? { delivery } : {}),
  };
  return { plan, diagnostics: cx.diags, ...deferred };
}
