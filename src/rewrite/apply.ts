/** Applies a plan to a workload: moves, wraps and probes its containers, adds startorder's parts, records it all. */
import type { Diagnostic } from '../diagnostics.js';
import { copyTree } from '../equal.js';
import { getIn, isObj, resourceRef, workloadId, type Obj } from '../kube/index.js';
import type { Locator } from '../load/locate.js';
import type { Native, Plan } from '../plan/plan.js';
import { clashes, nonStringWords } from './checks.js';
import { WRAPPED_COMMAND, wrapperArgs } from './flags.js';
import * as N from './names.js';
import { retarget } from './delivery.js';
import { addMounts, initContainer, insertNextTo, mount, ourVolumes, type Needs } from './parts.js';
import { runsEntrypoint, startupProbe } from './probe.js';
import { makeRecord, type AppliedRecord } from './record.js';

/** The pod's two container lists while they are rebuilt, and a lookup by name across both. */
interface Lists {
  containers: Obj[];
  inits: Obj[];
}

function find(lists: Lists, name: string): Obj {
  return [...lists.inits, ...lists.containers].find((c) => c.name === name)!;
}

/** A warning at the startupProbe of the container a native sidecar is made of: startorder's probe replaces it. */
function probeReplaced(plan: Plan, original: Obj, name: string, locate: Locator): Diagnostic {
  const w = plan.workload;
  const listed = (getIn(original, w.podSpecPath) as Obj | undefined)?.containers;
  const i = Array.isArray(listed) ? (listed as Obj[]).findIndex((x) => x.name === name) : -1;
  const path = [...w.path, ...w.podSpecPath, 'containers', Math.max(i, 0), 'startupProbe'];
  return {
    code: 'startup-probe-replaced',
    severity: 'warning',
    file: w.file,
    document: w.document,
    path,
    ...locate(w.file, w.document, path),
    workload: workloadId(w),
    resource: resourceRef(w),
    container: name,
    message: `the startupProbe of container "${name}" is replaced by the one startorder builds from the spec's ready (a native sidecar is ready when its startupProbe succeeds)`,
    hint: 'Leave ready out of the spec to keep this startupProbe as the readiness, or remove the startupProbe here.',
  };
}

/** Makes one app container a native sidecar (or an init container): moved to the init list, probed, mounted. */
function makeNative(n: Native, c: Obj, needs: Needs, replaced: () => void): void {
  if (n.as === 'sidecar') c.restartPolicy = 'Always';
  const probe = n.ready ? startupProbe(n.ready, n.name) : undefined;
  if (probe && c.startupProbe !== undefined && c.startupProbe !== null) replaced();
  if (probe) c.startupProbe = probe;
  if (n.ready?.file !== undefined || n.ready?.self || runsEntrypoint(probe)) {
    needs.bin = true;
    addMounts(c, [mount(N.BIN_VOLUME, N.BIN_DIR, true)]);
  }
  if (n.ready?.self) {
    needs.run = true;
    addMounts(c, [mount(N.RUN_VOLUME, N.RUN_DIR, false)]);
    const env = Array.isArray(c.env) ? (c.env as Obj[]) : [];
    env.push({ name: 'STARTORDER_READY_FILE', value: N.selfReadyFile(n.name) });
    c.env = env;
  }
}

/** Rewrites the containers as the plan says; returns what the pod needs and the warnings. */
function rewriteContainers(plan: Plan, lists: Lists, onReplaced: (name: string) => void): Needs {
  const needs: Needs = { bin: false, run: false };
  for (const n of plan.native) {
    const c = find(lists, n.name);
    lists.containers = lists.containers.filter((x) => x !== c);
    makeNative(n, c, needs, () => onReplaced(n.name));
    lists.inits.push(c);
  }
  for (const p of plan.probed ?? []) {
    const c = find(lists, p.name);
    const probe = startupProbe(p.ready, p.name);
    if (!probe) continue;
    c.startupProbe = probe;
    if (runsEntrypoint(probe)) {
      needs.bin = true;
      addMounts(c, [mount(N.BIN_VOLUME, N.BIN_DIR, true)]);
    }
  }
  for (const wrap of plan.wrapped) {
    const c = find(lists, wrap.name);
    needs.bin = needs.run = true;
    const args = wrapperArgs(wrap, plan, c);
    // args keep their place when they exist (the smallest diff); new ones go right after command
    c.command = [...WRAPPED_COMMAND];
    if ('args' in c) c.args = args;
    else insertNextTo(c, 'command', 'after', 'args', args);
    addMounts(c, [
      mount(N.BIN_VOLUME, N.BIN_DIR, true),
      mount(N.RUN_VOLUME, N.RUN_DIR, false),
      ...(wrap.gated ? [mount(N.DOWNWARD_VOLUME, N.DOWNWARD_DIR, true)] : []),
    ]);
  }
  return needs;
}

/** Writes the record into the pod template's annotations, creating metadata and annotations where missing. */
function annotate(value: Obj, metadataPath: readonly string[], record: AppliedRecord): void {
  const parent = getIn(value, metadataPath.slice(0, -1));
  if (!isObj(parent)) throw new Error('pod template without a parent object');
  const meta = getIn(value, metadataPath);
  const metadata: Obj = isObj(meta) ? meta : {};
  const annotations: Obj = isObj(metadata.annotations) ? metadata.annotations : {};
  if (!isObj(meta)) record.created.push('metadata');
  if (!isObj(metadata.annotations)) record.created.push('annotations');
  annotations[N.RECORD_ANNOTATION] = JSON.stringify(record);
  metadata.annotations = annotations;
  parent[metadataPath[metadataPath.length - 1]!] = metadata;
}

/** Applies a plan to a workload object; returns the new object (the input is not modified). */
export function applyPlan(
  plan: Plan,
  original: Obj,
  locate: Locator,
  src: Record<string, string> = {},
): { value?: Obj; record?: AppliedRecord; diagnostics: Diagnostic[] } {
  const w = plan.workload;
  const value = copyTree(original);
  const podSpec = getIn(value, w.podSpecPath) as Obj;
  const diagnostics = [...clashes(plan, podSpec, locate), ...nonStringWords(plan, podSpec, locate)];
  if (diagnostics.length > 0) return { diagnostics };
  const originalPod = copyTree(podSpec);

  const lists: Lists = { containers: podSpec.containers as Obj[], inits: Array.isArray(podSpec.initContainers) ? (podSpec.initContainers as Obj[]) : [] };
  const needs = rewriteContainers(plan, lists, (name) => diagnostics.push(probeReplaced(plan, original, name, locate)));
  retarget(
    plan,
    [...plan.native, ...(plan.probed ?? []), ...plan.wrapped].map((x) => find(lists, x.name)),
  );
  const volumes = ourVolumes(plan, needs);
  const copies = needs.bin && plan.delivery !== 'image';
  if (copies) lists.inits.unshift(initContainer(plan));

  podSpec.containers = lists.containers;
  if (lists.inits.length > 0 && podSpec.initContainers === undefined) insertNextTo(podSpec, 'containers', 'before', 'initContainers', lists.inits);
  else if (lists.inits.length > 0) podSpec.initContainers = lists.inits;
  if (volumes.length > 0) podSpec.volumes = [...(Array.isArray(podSpec.volumes) ? (podSpec.volumes as Obj[]) : []), ...volumes];

  const record = makeRecord(
    plan,
    originalPod,
    podSpec,
    volumes.map((v) => String(v.name)),
    copies ? [N.INIT_CONTAINER] : [],
    src,
  );
  annotate(value, w.metadataPath, record);
  return { value, record, diagnostics };
}
