/** Which app containers become native sidecars or init containers, and who then runs each edge. */
import type { Role } from '../types.js';
import { atPod, error, type Member, type PlanContext } from './context.js';
import { topoSort } from './graph.js';
import { ownRestartFields } from './restart.js';
import type { Edge, Native } from './types.js';

const PLAIN_INIT_FORBIDDEN = ['lifecycle', 'livenessProbe', 'readinessProbe', 'startupProbe'];

/** What keeps a container from moving to the init containers, each reason as its names. */
interface Obstacles {
  /** App containers it waits for (they start after every init container). */
  blockers: string[];
  /** Fields a plain init container cannot have. */
  forbidden: string[];
  /** Its own restartPolicy / restartPolicyRules: they mean something else on an init container, and are kept as written. */
  own: string[];
  /** Who waits for it to exit whatever its code: a failing init container stops the pod, so that needs the wrapper. */
  exitedBy: string[];
  /** What it probes (probe edges): the wrapper's probes run in app containers. */
  probes: string[];
}

function obstacles(n: string, info: Member, role: Role | undefined, edges: readonly Edge[], inInit: ReadonlySet<string>): Obstacles {
  return {
    blockers: edges.filter((e) => e.dependent === n && e.mechanism !== 'probe' && !inInit.has(e.dep)).map((e) => e.dep),
    forbidden: role === 'init' ? PLAIN_INIT_FORBIDDEN.filter((k) => info.c[k] !== undefined) : [],
    own: ownRestartFields(info.c),
    exitedBy: edges.filter((e) => e.dep === n && e.condition === 'Exited').map((e) => e.dependent),
    probes: edges.filter((e) => e.dependent === n && e.mechanism === 'probe').map((e) => e.dep),
  };
}

function why(o: Obstacles): string {
  if (o.blockers.length > 0) return `it waits for app container(s) ${o.blockers.map((b) => `"${b}"`).join(', ')}, which start after every init container`;
  if (o.forbidden.length > 0) return `an init container cannot have ${o.forbidden.join(', ')}`;
  if (o.probes.length > 0) return `it waits for ${o.probes.map((b) => `"${b}"`).join(', ')} by probe, which its wrapper runs in an app container`;
  if (o.own.length > 0) return `it sets its own ${o.own.join(' and ')}, which startorder keeps as written (on an init container it would mean something else)`;
  return `${o.exitedBy.map((d) => `"${d}"`).join(', ')} wait${o.exitedBy.length > 1 ? '' : 's'} for it to exit whatever its exit code, and a failing init container stops the pod`;
}

/**
 * The app containers that move to initContainers, in start order (`inInit` gains them). Native init
 * containers start one after another, and a plain one blocks those after it until it completes:
 * where the graph leaves a choice, long-running sidecars go first. In mode native, one that cannot
 * move is an error.
 */
export function chooseNative(cx: PlanContext, roles: Record<string, Role>, edges: readonly Edge[], inInit: Set<string>): Native[] {
  const names = [...cx.byName.keys()];
  const order = topoSort([...names.filter((n) => roles[n] === 'sidecar'), ...names.filter((n) => roles[n] !== 'sidecar')], edges);
  const native: Native[] = [];
  for (const n of order) {
    const info = cx.byName.get(n)!;
    const role = roles[n];
    if (info.list !== 'containers' || role === 'main' || cx.entryOf.get(n)?.wrap === false || !edges.some((e) => e.dep === n && e.mechanism !== 'probe'))
      continue;
    const o = obstacles(n, info, role, edges, inInit);
    if (o.blockers.length + o.forbidden.length + o.own.length + o.exitedBy.length + o.probes.length === 0) {
      inInit.add(n);
      const ready = cx.entryOf.get(n)?.ready;
      native.push({ name: n, as: role === 'init' ? 'init' : 'sidecar', ...(ready ? { ready } : {}) });
    } else if (cx.spec.mode === 'native') {
      error(
        cx,
        'native-impossible',
        `container "${n}" cannot become an init container: ${why(o)}`,
        'Use mode auto (the wrapper takes the edges native sidecars cannot) or change the order.',
        atPod(cx, 'containers', info.index, 'name'),
        n,
      );
    }
  }
  return native;
}

/** Who runs each edge now: Kubernetes after an init container, the kubelet's native sidecars, else the wrapper. */
export function assignMechanisms(cx: PlanContext, edges: Edge[], inInit: ReadonlySet<string>): void {
  for (const e of edges) {
    if (e.mechanism === 'kubernetes' || e.mechanism === 'probe') continue;
    const dep = cx.byName.get(e.dep)!;
    if (dep.list === 'initContainers') e.mechanism = 'kubernetes';
    else if (inInit.has(e.dep)) e.mechanism = 'native';
  }
}
