// Which dependencies of a container are still missing: by the status files, or, when nothing from
// inside the pod tells, by the dependencies' own states (inference, repeated along chains).
import type { Condition } from '../types.js';
import type { StatusDir } from './facts.js';
import type { ContainerReport, Dependency, State } from './types.js';

function describe(d: Dependency): string {
  return `${d.container} ${d.condition.toLowerCase()}`;
}

const FILE_OF: Record<Condition, string[]> = { Started: ['started', 'completed'], Ready: ['ready', 'completed'], Completed: ['completed'], Exited: ['exited'] };

export function unmetByFiles(r: ContainerReport, dirs: Record<string, StatusDir>): string[] {
  return [...r.waitsFor.filter((d) => !FILE_OF[d.condition].some((f) => dirs[d.container]?.files[f])).map(describe), ...closedGate(r)];
}

function closedGate(r: ContainerReport): string[] {
  return r.gate && !r.gate.open ? [`gate (annotation ${r.gate.annotation})`] : [];
}

const MEETS: Record<Condition, State[]> = {
  Started: ['running', 'ready', 'completed'],
  Ready: ['ready', 'completed'],
  Completed: ['completed'],
  Exited: ['completed', 'failed'],
};

/**
 * A wrapped container that runs while nothing from inside the pod says whether its child started:
 * it waits while one of its dependencies (by their own states) does not meet the condition. Repeated
 * until nothing changes, so a chain is decided from its first link.
 */
export function inferFromDependencies(all: ContainerReport[]): void {
  const byName = new Map(all.map((c) => [c.name, c]));
  const base = new Map(all.map((c) => [c.name, c.state]));
  for (let changed = true, rounds = 0; changed && rounds <= all.length; rounds++) {
    changed = false;
    for (const c of all) {
      if (c.stateSource !== 'inferred') continue;
      const unmet = [...c.waitsFor.filter((d) => !MEETS[d.condition].includes(byName.get(d.container)?.state ?? 'unknown')).map(describe), ...closedGate(c)];
      const next: State = unmet.length > 0 ? 'waiting' : base.get(c.name)!;
      if (next !== c.state) changed = true;
      c.state = next;
      if (unmet.length > 0) c.waiting = { for: unmet, ...(c.times.created ? { since: c.times.created.at } : {}), source: 'inferred' };
      else delete c.waiting;
    }
  }
}
