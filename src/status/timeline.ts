// The pod's start-up as a list of events, oldest first: the pod's own conditions and each container's
// steps, each with the source that told it.
import type { Obj } from '../types.js';
import type { Extra } from './model.js';
import { parseWaitLines } from './facts.js';
import type { ContainerReport, PodReport, TimelineEvent } from './types.js';

const CONDITIONS: Record<string, string> = {
  PodScheduled: 'pod scheduled',
  PodReadyToStartContainers: 'pod sandbox ready',
  Initialized: 'init containers done',
  ContainersReady: 'all containers ready',
  Ready: 'pod ready',
};

function containerEvents(c: ContainerReport, extra: Extra): TimelineEvent[] {
  const out: TimelineEvent[] = [];
  const add = (at: string | undefined, event: string, source: TimelineEvent['source']) => {
    if (at) out.push({ at, container: c.name, event, source });
  };
  const t = c.times;
  add(t.created?.at, c.wrapped ? 'container started (the wrapper)' : 'container started', t.created?.source ?? 'pod');
  if (c.wrapped) {
    const first = parseWaitLines(extra.logs[c.name] ?? '').find((l) => l.kind === 'waiting');
    if (first) add(first.at, `waiting for ${first.for.join(', ')}`, 'logs');
  }
  add(t.waited?.at, 'wait over', t.waited?.source ?? 'pod');
  add(t.started?.at, 'process started', t.started?.source ?? 'pod');
  add(t.ready?.at, 'ready', t.ready?.source ?? 'pod');
  if (t.exited) {
    const how = c.exitCode === undefined ? 'exited' : c.exitCode === 0 ? 'completed (exit 0)' : `failed (exit ${c.exitCode})`;
    add(t.exited.at, how, t.exited.source);
  }
  return out;
}

export function timeline(report: PodReport, conditions: Obj[], extra: Extra): TimelineEvent[] {
  const out: TimelineEvent[] = [];
  if (report.created) out.push({ at: report.created, event: 'pod created', source: 'pod' });
  for (const c of conditions) {
    const what = CONDITIONS[String(c.type)];
    const at = c.lastTransitionTime instanceof Date ? c.lastTransitionTime.toISOString() : c.lastTransitionTime;
    if (what && c.status === 'True' && typeof at === 'string') out.push({ at, event: what, source: 'pod' });
  }
  for (const c of report.containers) out.push(...containerEvents(c, extra));
  // Stable: equal times keep the order above (pod first, containers in start order).
  return out
    .map((e, i) => ({ e, i, t: Date.parse(e.at) }))
    .sort((a, b) => a.t - b.t || a.i - b.i)
    .map((x) => x.e);
}
