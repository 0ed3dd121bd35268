import { isObj, type Obj, type Workload } from '../types.js';
import { getIn } from '../select/resources.js';
import { copyTree } from '../equal.js';
import { RECORD_ANNOTATION } from './names.js';
import { originalContainer, parseRecord, type AppliedRecord } from './record.js';

export function recordOf(value: Obj, w: Pick<Workload, 'metadataPath'>): { record?: AppliedRecord; present: boolean } {
  const text = getIn(value, [...w.metadataPath, 'annotations', RECORD_ANNOTATION]);
  if (text === undefined) return { present: false };
  const record = parseRecord(text);
  return record ? { record, present: true } : { present: true };
}

/** Restores the workload startorder transformed, from the record it left. Pure: returns a copy. */
export function revertWorkload(value: Obj, w: Pick<Workload, 'metadataPath' | 'podSpecPath'>, record: AppliedRecord): Obj {
  const out = copyTree(value);
  const pod = getIn(out, w.podSpecPath) as Obj;
  const names = new Set(record.containers.map((c) => c.name));
  const without = (list: unknown, drop: (c: Obj) => boolean) => (Array.isArray(list) ? (list as Obj[]).filter((c) => !drop(c)) : []);
  const current = new Map([...without(pod.initContainers, () => false), ...without(pod.containers, () => false)].map((c) => [String(c.name), c]));
  const lists: Record<'containers' | 'initContainers', Obj[]> = {
    containers: without(pod.containers, (c) => names.has(String(c.name))),
    initContainers: without(pod.initContainers, (c) => names.has(String(c.name)) || record.initContainers.includes(String(c.name))),
  };
  for (const c of [...record.containers].sort((a, b) => a.index - b.index)) lists[c.list].splice(c.index, 0, originalContainer(current.get(c.name) ?? {}, c));
  pod.containers = lists.containers;
  const restore = (key: 'initContainers' | 'volumes', items: Obj[]) => {
    if (pod[key] === undefined && items.length === 0) return;
    if (items.length === 0 && record.created.includes(key)) delete pod[key];
    else pod[key] = items;
  };
  restore('initContainers', lists.initContainers);
  restore('volumes', without(pod.volumes, (v) => record.volumes.includes(String(v.name))));

  const parent = getIn(out, w.metadataPath.slice(0, -1)) as Obj;
  const key = w.metadataPath[w.metadataPath.length - 1]!;
  const meta = parent[key];
  if (isObj(meta) && isObj(meta.annotations)) {
    delete meta.annotations[RECORD_ANNOTATION];
    if (Object.keys(meta.annotations).length === 0 && record.created.includes('annotations')) delete meta.annotations;
    if (Object.keys(meta).length === 0 && record.created.includes('metadata')) delete parent[key];
  }
  return out;
}
