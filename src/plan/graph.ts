/** A dependency graph over container names: edges point from a dependency to its dependent. */
export interface GraphEdge {
  dep: string;
  dependent: string;
}

/** A cycle as a closed walk (first name repeated at the end), or undefined. */
export function findCycle(nodes: readonly string[], edges: readonly GraphEdge[]): string[] | undefined {
  const deps = new Map<string, string[]>(nodes.map((n) => [n, []]));
  for (const e of edges) deps.get(e.dependent)?.push(e.dep);
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (n: string): string[] | undefined => {
    if (state.get(n) === 'done') return undefined;
    if (state.get(n) === 'open') return [...stack.slice(stack.indexOf(n)), n];
    state.set(n, 'open');
    stack.push(n);
    for (const d of deps.get(n) ?? []) {
      const c = visit(d);
      if (c) return c;
    }
    stack.pop();
    state.set(n, 'done');
    return undefined;
  };
  for (const n of nodes) {
    const c = visit(n);
    if (c) return c;
  }
  return undefined;
}

/** Dependencies first; ties keep the order of `nodes` (the pod's own order), so output is stable. */
export function topoSort(nodes: readonly string[], edges: readonly GraphEdge[]): string[] {
  const indegree = new Map<string, number>(nodes.map((n) => [n, 0]));
  const out = new Map<string, string[]>(nodes.map((n) => [n, []]));
  for (const e of edges) {
    if (!indegree.has(e.dep) || !indegree.has(e.dependent)) continue;
    indegree.set(e.dependent, indegree.get(e.dependent)! + 1);
    out.get(e.dep)!.push(e.dependent);
  }
  const order: string[] = [];
  const done = new Set<string>();
  while (order.length < nodes.length) {
    const next = nodes.find((n) => !done.has(n) && indegree.get(n) === 0);
    if (next === undefined) break; // a cycle: findCycle reports it
    done.add(next);
    order.push(next);
    for (const m of out.get(next)!) indegree.set(m, indegree.get(m)! - 1);
  }
  return order;
}
