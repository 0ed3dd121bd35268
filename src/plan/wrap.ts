/** The containers the wrapper supervises: both ends of every edge left to it, the gated roots, a Job's mains. */
import type { Diagnostic } from '../diagnostics.js';
import { resourceRef, workloadId } from '../kube/index.js';
import type { Locator } from '../load/locate.js';
import type { RestartPolicy, Role, Workload } from '../types.js';
import { originalArgv } from './command.js';
import { atPod, error, type PlanContext } from './context.js';
import type { PlannedReady } from './readiness.js';
import { effectiveRestartPolicy, ownRestartFields } from './restart.js';
import type { Edge, Unresolved, Wrap } from './types.js';

/** Who gets the wrapper, and what a Job's sidecars wait for before they exit. */
export interface Wrapping {
  names: Set<string>;
  /** The spec's app containers that wait for nothing: the gate holds them. */
  roots: string[];
  /** The pod's restartPolicy is not Always: its mains finish, and its wrapped sidecars exit after them. */
  jobLike: boolean;
  sidecars: string[];
  mains: string[];
  policyOf: (name: string) => RestartPolicy;
}

export function wrapping(
  cx: PlanContext,
  appNames: readonly string[],
  roles: Record<string, Role>,
  edges: readonly Edge[],
  inInit: ReadonlySet<string>,
): Wrapping {
  const { spec, podSpec, byName } = cx;
  const policyOf = (n: string) => effectiveRestartPolicy(byName.get(n)!.c, podSpec);
  const names = new Set<string>();
  for (const e of edges) if (e.mechanism === 'wrapper') names.add(e.dep).add(e.dependent);
  // A probe edge wraps its dependent only: the dependency is not rewritten for it.
  for (const e of edges) if (e.mechanism === 'probe') names.add(e.dependent);
  const unwrapped = (n: string) => cx.entryOf.get(n)?.wrap === false;
  // The gate holds the containers that wait for no other wrapped container (a probe does not count).
  const roots = spec.containers
    .filter((c) => c.after.every((d) => d.ready) && byName.get(c.name)?.list === 'containers' && !unwrapped(c.name))
    .map((c) => c.name);
  if (spec.gate) for (const r of roots) names.add(r);
  const jobLike = (typeof podSpec.restartPolicy === 'string' ? podSpec.restartPolicy : 'Always') !== 'Always';
  // A Job sidecar exits when the mains are done; a sidecar the kubelet restarts whatever its exit (Always) cannot.
  const sidecars = [...names].filter((n) => roles[n] === 'sidecar' && !inInit.has(n) && policyOf(n) !== 'Always');
  // A wrap: false main writes no status files: nothing can wait for its exit.
  const mains = appNames.filter((n) => roles[n] !== 'sidecar' && !inInit.has(n) && policyOf(n) !== 'Always' && !unwrapped(n));
  if (jobLike && sidecars.length > 0) for (const m of mains) names.add(m);
  return { names, roots, jobLike, sidecars, mains, policyOf };
}

/** Waiting for a container to complete or exit is an error when the kubelet restarts it when it exits. */
export function checkRestarts(cx: PlanContext, edges: readonly Edge[], policyOf: Wrapping['policyOf'], nativeOk: boolean): void {
  for (const e of edges) {
    if (e.mechanism !== 'wrapper' || (e.condition !== 'Completed' && e.condition !== 'Exited') || policyOf(e.dep) !== 'Always') continue;
    const info = cx.byName.get(e.dep)!;
    const own = ownRestartFields(info.c).length > 0;
    const why = own
      ? `its restart policy (${ownRestartFields(info.c).join(', ')}) restarts it when it exits`
      : 'this pod has restartPolicy Always, so the kubelet restarts it when it exits';
    const hint = own
      ? `Wait for Started/Ready instead, or change the restartPolicy of "${e.dep}" so its exit is final.`
      : e.condition === 'Exited'
        ? 'Run it in a pod whose restartPolicy is Never or OnFailure (a Job), wait for Completed so it can become an init container, or wait for Started/Ready.'
        : nativeOk
          ? 'Remove what keeps it from becoming an init container (it must not wait for an app container).'
          : 'Target Kubernetes >= 1.29 (kubernetesVersion) so it becomes an init container, or wait for Started/Ready instead.';
    error(
      cx,
      'completed-would-restart',
      `"${e.dependent}" waits for "${e.dep}" to ${e.condition === 'Exited' ? 'exit' : 'complete'}, but ${why}`,
      hint,
      atPod(cx, 'containers', info.index, 'name'),
      e.dep,
    );
  }
}

/**
 * What the wrapper of each wrapped container does, in the pod's order: its waits, gate, readiness,
 * restart policy, whom it outlives on SIGTERM, and the command line it runs. A container whose
 * command cannot be known is an error, or, given `unresolved`, listed there (its Wrap gets argv []).
 */
export function wrappedContainers(
  cx: PlanContext,
  edges: readonly Edge[],
  wr: Wrapping,
  inInit: ReadonlySet<string>,
  readyOf: (name: string) => PlannedReady | undefined,
  unresolved?: Unresolved[],
): Wrap[] {
  const { spec, byName } = cx;
  const wrapped: Wrap[] = [];
  for (const n of [...byName.keys()].filter((x) => wr.names.has(x))) {
    const info = byName.get(n)!;
    const argv = originalArgv(info.c, spec.images);
    if (!argv && !unresolved) {
      cx.diags.push(missingCommand(cx.w, cx.locate, { container: n, image: String(info.c.image), list: info.list, index: info.index }));
      continue;
    }
    if (!argv) unresolved!.push({ container: n, image: String(info.c.image), list: info.list, index: info.index });
    const entry = cx.entryOf.get(n);
    const ready = entry?.ready && !inInit.has(n) ? readyOf(n) : undefined;
    wrapped.push({
      name: n,
      waits: edges.filter((e) => e.dependent === n && e.mechanism === 'wrapper').map((e) => ({ dep: e.dep, condition: e.condition })),
      probes: edges.filter((e) => e.dependent === n && e.mechanism === 'probe').map((e) => ({ dep: e.dep, probe: e.probe! })),
      gated: spec.gate !== undefined && wr.roots.includes(n),
      ...(ready ? { ready } : {}),
      restartPolicy: wr.policyOf(n),
      stopAfter: edges.filter((e) => e.dep === n && e.mechanism === 'wrapper').map((e) => e.dependent),
      exitWith:
        wr.jobLike && wr.sidecars.includes(n)
          ? wr.mains.filter((m) => m !== n).map((m) => ({ dep: m, condition: wr.policyOf(m) === 'OnFailure' ? ('Completed' as const) : ('Exited' as const) }))
          : [],
      ...(entry?.waitTimeoutSeconds ? { waitTimeoutSeconds: entry.waitTimeoutSeconds } : {}),
      argv: argv ?? [],
    });
  }
  return wrapped;
}

/** The error for a wrapped container whose command line is unknown: at the container, with both fixes. */
export function missingCommand(w: Workload, locate: Locator, u: Unresolved): Diagnostic {
  const path = [...w.path, ...w.podSpecPath, u.list, u.index];
  return {
    code: 'missing-command',
    severity: 'error',
    message: `container "${u.container}" has no command, and image "${u.image}" is not in the spec's images table, so its entrypoint is unknown`,
    hint: `Either add "command" (the image's ENTRYPOINT) to the container, or add {image: "${u.image}", command: [...], args: [...]} to spec.images.`,
    workload: workloadId(w),
    ...(u.container ? { container: u.container } : {}),
    file: w.file,
    document: w.document,
    path,
    ...locate(w.file, w.document, path),
    resource: resourceRef(w),
  };
}
