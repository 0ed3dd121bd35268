import { containersOf, getIn, isObj, RECORD_ANNOTATION, type ContainerList, type Obj } from '../kube/index.js';
import type { Workload } from '../types.js';
import { copyTree } from '../equal.js';
import { originalContainer, parseRecord, type AppliedRecord } from './record.js';
import { runsWrapper } from './delivery.js';
import { parseWrapperArgs } from './flags.js';
import { OUR_VOLUMES } from './names.js';
import { deepEqual } from '../equal.js';

/** A change made by hand after startorder's run that cannot be carried forward (path from the pod spec). */
export interface Drift {
  path: (string | number)[];
  container: string;
  message: string;
  hint: string;
}

/**
 * What the user changed since the transform, carried into the original where it is unambiguous: a
 * mount or an env entry of their own next to startorder's, a word of the wrapped command changed in
 * place. Arguments whose wrapper flags were stripped, or words added or removed, are a Drift.
 */
function carryForward(current: Obj, rec: AppliedRecord['containers'][number], at: (string | number)[], drift: Drift[]): AppliedRecord['containers'][number] {
  const fields = { ...rec.fields };
  const name = rec.name;
  const ours = (m: unknown) => isObj(m) && OUR_VOLUMES.includes(String(m.name));
  if ('volumeMounts' in fields && Array.isArray(current.volumeMounts)) {
    const mine = (current.volumeMounts as unknown[]).filter((m) => !ours(m));
    const recorded = Array.isArray(fields.volumeMounts) ? fields.volumeMounts : [];
    if (!deepEqual(mine, recorded)) fields.volumeMounts = mine.length > 0 || fields.volumeMounts !== null ? mine : null;
  }
  if ('env' in fields && Array.isArray(current.env)) {
    const mine = (current.env as unknown[]).filter((e) => !(isObj(e) && e.name === 'STARTORDER_READY_FILE'));
    const recorded = Array.isArray(fields.env) ? fields.env : [];
    if (!deepEqual(mine, recorded)) fields.env = mine.length > 0 || fields.env !== null ? mine : null;
  }
  const wrapped = ('command' in fields || 'args' in fields) && Array.isArray(current.command) && current.command.length === 1 && runsWrapper(current.command);
  if (wrapped) {
    const parsed = Array.isArray(current.args) && current.args.every((x) => typeof x === 'string') ? parseWrapperArgs(current.args) : undefined;
    if (!parsed) {
      drift.push({
        path: [...at, 'args'],
        container: name,
        message: `the wrapper's arguments of container "${name}" were changed after startorder wrote them (its flags, "-entrypoint" or "--" are missing)`,
        hint: 'Restore the args startorder wrote (git checkout, or remove the patch that strips them), or remove the annotation startorder.dev/applied and the changes startorder made by hand.',
      });
      return { ...rec, fields };
    }
    const cmd = Array.isArray(fields.command) ? (fields.command as unknown[]) : undefined;
    const args = Array.isArray(fields.args) ? (fields.args as unknown[]) : [];
    const now = parsed.argv;
    const expected = [...(cmd ?? now.slice(0, Math.max(0, now.length - args.length))), ...args];
    if (!deepEqual(now, expected)) {
      if (now.length !== expected.length) {
        drift.push({
          path: [...at, 'args'],
          container: name,
          message: `words were added to or removed from the wrapped command of container "${name}" after startorder wrote it (now ${now.length} words, startorder wrote ${expected.length})`,
          hint: 'Change the words in place, or undo the change, run `startorder revert`, edit the original command and run startorder again.',
        });
        return { ...rec, fields };
      }
      const n = cmd ? cmd.length : now.length - args.length;
      if (cmd) fields.command = now.slice(0, n);
      if ('args' in fields && (fields.args !== null || now.length > n)) fields.args = now.slice(n);
    }
  }
  return { ...rec, fields };
}

export function recordOf(value: Obj, w: Pick<Workload, 'metadataPath'>): { record?: AppliedRecord; present: boolean } {
  const text = getIn(value, [...w.metadataPath, 'annotations', RECORD_ANNOTATION]);
  if (text === undefined) return { present: false };
  const record = parseRecord(text);
  return record ? { record, present: true } : { present: true };
}

/** Restores the workload startorder transformed, from the record it left. Pure: returns a copy. */
export function revertWorkload(value: Obj, w: Pick<Workload, 'metadataPath' | 'podSpecPath'>, record: AppliedRecord, drift: Drift[] = []): Obj {
  const out = copyTree(value);
  const pod = getIn(out, w.podSpecPath) as Obj;
  const names = new Set(record.containers.map((c) => c.name));
  const without = (list: unknown, drop: (c: Obj) => boolean) => (Array.isArray(list) ? (list as Obj[]).filter((c) => !drop(c)) : []);
  const current = new Map(containersOf(pod).map(({ container: c }) => [String(c.name), c]));
  const lists: Record<ContainerList, Obj[]> = {
    containers: without(pod.containers, (c) => names.has(String(c.name))),
    initContainers: without(pod.initContainers, (c) => names.has(String(c.name)) || record.initContainers.includes(String(c.name))),
  };
  const where = (name: string): (string | number)[] => {
    const at = containersOf(pod).find(({ container: c }) => c.name === name);
    return at ? [at.list, at.index] : [];
  };
  for (const c of [...record.containers].sort((a, b) => a.index - b.index)) {
    const now = current.get(c.name) ?? {};
    lists[c.list].splice(c.index, 0, originalContainer(now, carryForward(now, c, where(c.name), drift)));
  }
  pod.containers = lists.containers;
  const restore = (key: 'initContainers' | 'volumes', items: Obj[]) => {
    if (pod[key] === undefined && items.length === 0) return;
    if (items.length === 0 && record.created.includes(key)) delete pod[key];
    else pod[key] = items;
  };
  restore('initContainers', lists.initContainers);
  restore(
    'volumes',
    without(pod.volumes, (v) => record.volumes.includes(String(v.name))),
  );

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
