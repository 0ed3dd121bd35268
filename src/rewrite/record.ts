import type { Plan, Mechanism } from '../plan/plan.js';
import type { Condition, Obj } from '../types.js';

/**
 * What startorder did to a pod template, kept in the annotation startorder.dev/applied so that
 * `revert` restores the original and `graph` can draw the order from the output alone.
 */
export interface AppliedRecord {
  v: 1;
  /** [dependency, dependent, condition, mechanism] */
  edges: [string, string, Condition, Mechanism][];
  /** Original containers that were changed or moved: list, index and the whole original object. */
  containers: { list: 'containers' | 'initContainers'; index: number; value: Obj }[];
  /** Names of what was added. */
  initContainers: string[];
  volumes: string[];
  /** Keys that did not exist before: initContainers, volumes, metadata, annotations. */
  created: string[];
}

import { deepEqual as same } from '../equal.js';

export function makeRecord(plan: Plan, before: Obj, after: Obj, volumes: string[], initContainers: string[]): AppliedRecord {
  const changed: AppliedRecord['containers'] = [];
  const afterAll = [...((after.initContainers as Obj[] | undefined) ?? []), ...(after.containers as Obj[])];
  for (const list of ['initContainers', 'containers'] as const) {
    const items = Array.isArray(before[list]) ? (before[list] as Obj[]) : [];
    items.forEach((c, index) => {
      const now = afterAll.find((x) => x.name === c.name);
      const movedFrom = list === 'containers' && !(after.containers as Obj[]).some((x) => x.name === c.name);
      if (movedFrom || !same(now, c)) changed.push({ list, index, value: c });
    });
  }
  const created: string[] = [];
  if (before.initContainers === undefined && after.initContainers !== undefined) created.push('initContainers');
  if (before.volumes === undefined && after.volumes !== undefined) created.push('volumes');
  return {
    v: 1,
    edges: plan.edges.map((e) => [e.dep, e.dependent, e.condition, e.mechanism]),
    containers: changed,
    initContainers,
    volumes,
    created,
  };
}

export function parseRecord(text: unknown): AppliedRecord | undefined {
  if (typeof text !== 'string') return undefined;
  try {
    const r = JSON.parse(text) as AppliedRecord;
    if (r.v !== 1 || !Array.isArray(r.containers) || !Array.isArray(r.edges)) return undefined;
    return r;
  } catch {
    return undefined;
  }
}
