/** The edges of the order as the spec states them, checked against the pod, and the role of each app container. */
import type { Role } from '../types.js';
import { error, specAt, type PlanContext } from './context.js';
import { probeEdge, unwrappedDependency } from './probes.js';
import type { Edge } from './types.js';

const quoted = (names: Iterable<string>) => [...names].map((n) => `"${n}"`).join(', ');

type Entry = PlanContext['spec']['containers'][number];

/** One "after" entry of a container, checked against the pod; the edge it states, if it is sound. */
function edgeOf(cx: PlanContext, entry: Entry, ci: number, di: number): Edge | undefined {
  const { byName } = cx;
  const d = entry.after[di]!;
  const self = byName.get(entry.name)!;
  const at = specAt(cx, ci, 'after', di);
  if (d.name === entry.name)
    return void error(cx, 'self-dependency', `container "${entry.name}" waits for itself`, 'Remove it from its own "after" list.', at, entry.name);
  if (d.ready) return probeEdge(cx, entry, ci, di);
  const dep = byName.get(d.name);
  if (!dep)
    return void error(
      cx,
      'unknown-container',
      `container "${entry.name}" waits for "${d.name}", which this pod does not have`,
      `Use one of ${quoted(byName.keys())}; for a container injected later (a mesh proxy), give it a probe: {name: ${d.name}, ready: {httpGet: {port: PORT, path: /ready}}}.`,
      at,
      entry.name,
    );
  if (cx.entryOf.get(d.name)?.wrap === false && dep.list === 'containers') return void unwrappedDependency(cx, entry, ci, di);
  if (self.list !== 'initContainers') return { dep: d.name, dependent: entry.name, condition: d.condition, mechanism: 'wrapper' };
  if (dep.list === 'initContainers' && dep.index < self.index) return { dep: d.name, dependent: entry.name, condition: d.condition, mechanism: 'kubernetes' };
  error(
    cx,
    'init-dependent',
    `init container "${entry.name}" cannot wait for "${d.name}": init containers run before the app containers, in list order`,
    'Reorder initContainers, or make the waiting container an app container.',
    at,
    entry.name,
  );
  return undefined;
}

/**
 * The edges, with the checks a person would make reading the spec against the pod: names that exist,
 * no entry twice, no waiting for oneself; an init container only waits for the init containers
 * before it (Kubernetes runs those in order).
 */
export function specEdges(cx: PlanContext): Edge[] {
  const { spec, byName } = cx;
  const edges: Edge[] = [];
  const seen = new Set<string>();
  spec.containers.forEach((entry, ci) => {
    if (seen.has(entry.name))
      error(
        cx,
        'duplicate-spec-container',
        `${spec.origin} lists container "${entry.name}" twice`,
        'Merge the two entries into one.',
        specAt(cx, ci, 'name'),
        entry.name,
      );
    seen.add(entry.name);
    // wrap: false names a container startorder leaves alone, which may be injected later (a mesh proxy)
    if (!byName.has(entry.name) && entry.wrap === false && entry.after.length === 0) return;
    if (!byName.has(entry.name)) {
      const message = `${spec.origin} names container "${entry.name}", which this pod does not have (it has ${quoted(byName.keys())})`;
      error(
        cx,
        'unknown-container',
        message,
        'Fix the name in the spec, or narrow its selector so it does not select this workload.',
        specAt(cx, ci, 'name'),
        entry.name,
      );
      return;
    }
    entry.after.forEach((_d, di) => {
      const e = edgeOf(cx, entry, ci, di);
      if (e) edges.push(e);
    });
  });
  return edges;
}

/** The spec's role, else: init when others wait for it to finish, sidecar when they wait for it to be up, else main. */
export function rolesOf(cx: PlanContext, appNames: readonly string[], edges: readonly Edge[]): Record<string, Role> {
  const roles: Record<string, Role> = {};
  for (const n of appNames) {
    const waitedDone = edges.some((e) => e.dep === n && (e.condition === 'Completed' || e.condition === 'Exited'));
    const waitedUp = edges.some((e) => e.dep === n && (e.condition === 'Started' || e.condition === 'Ready'));
    roles[n] = cx.entryOf.get(n)?.role ?? (waitedDone ? 'init' : waitedUp ? 'sidecar' : 'main');
  }
  return roles;
}
