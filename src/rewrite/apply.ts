import type { Diagnostic } from '../diagnostics.js';
import type { Locator } from '../load/locate.js';
import type { Plan } from '../plan/plan.js';
import { resourceRef } from '../plan/plan.js';
import { isObj, workloadId, type Obj } from '../types.js';
import type { PlannedReady } from '../plan/readiness.js';
import { getIn } from '../select/resources.js';
import { copyTree } from '../equal.js';
import { escapeExpansion, headerLines, readyTcp, readyUrl, WRAPPED_COMMAND, wrapperArgs } from './flags.js';
import * as N from './names.js';
import { makeRecord, type AppliedRecord } from './record.js';

const clone = <T>(v: T): T => copyTree(v);

function mount(name: string, mountPath: string, readOnly: boolean): Obj {
  return readOnly ? { name, mountPath, readOnly: true } : { name, mountPath };
}

function addMounts(c: Obj, mounts: Obj[]): void {
  const list = Array.isArray(c.volumeMounts) ? (c.volumeMounts as Obj[]) : [];
  for (const m of mounts) if (!list.some((x) => x.name === m.name)) list.push(m);
  c.volumeMounts = list;
}

/**
 * A native sidecar's startupProbe. The kubelet probes from the node: a server on all addresses is
 * probed at the pod IP (`host` left out, never a loopback address, which would be the node's); a
 * loopback-only one from inside the container, through the wrapper's `probe` subcommand.
 */
function startupProbe(ready: PlannedReady, name: string): Obj | undefined {
  const period = ready.periodSeconds ?? 1;
  const failureThreshold = Math.max(1, Math.ceil((ready.timeoutSeconds ?? 120) / period));
  const probe = (...words: string[]) => ({ exec: { command: [N.ENTRYPOINT, 'probe', ...words.map(escapeExpansion)] } });
  const at = ready.endpoint;
  const host = at?.kind === 'ip' ? { host: at.address } : {};
  let handler: Obj;
  if (ready.file !== undefined) handler = probe('file', ready.file);
  else if (ready.self) handler = probe('file', N.selfReadyFile(name));
  else if (ready.exec) handler = { exec: { command: ready.exec.command } };
  else if (ready.httpGet && at?.kind === 'loopback') handler = probe('http', readyUrl(ready), ...headerLines(ready).flatMap((h) => ['-header', h]));
  else if (ready.tcpSocket && at?.kind === 'loopback') handler = probe('tcp', readyTcp(ready));
  else if (ready.httpGet) {
    const { host: _host, ...rest } = ready.httpGet;
    handler = { httpGet: { ...rest, ...host } };
  } else if (ready.tcpSocket) {
    const { host: _host, ...rest } = ready.tcpSocket;
    handler = { tcpSocket: { ...rest, ...host } };
  } else return undefined;
  return { ...handler, periodSeconds: period, failureThreshold };
}

/** True when a probe runs the wrapper binary, so the container needs the bin volume. */
function runsEntrypoint(probe: Obj | undefined): boolean {
  const exec = probe?.exec as { command?: unknown[] } | undefined;
  return exec?.command?.[0] === N.ENTRYPOINT;
}

/** True when the pod gets the status volume: the same rule applyPlan uses for its `needsRun`. */
function usesRunDir(plan: Plan): boolean {
  return plan.wrapped.length > 0 || plan.native.some((n) => n.ready?.self);
}

/**
 * The init container that copies the wrapper into the shared volume and, when the pod has the
 * status volume, empties it (a pod whose containers all restart in place keeps its emptyDirs, and
 * no status of the previous run may survive) and asks for mode 1777 (the wrapper can set it only
 * where it owns the volume; a kubelet emptyDir is root's, see `init` in docs/CONTRACT.md).
 * Passes Pod Security "restricted".
 */
function initContainer(plan: Plan): Obj {
  const run = usesRunDir(plan);
  return {
    name: N.INIT_CONTAINER,
    image: plan.spec.runtime.image,
    ...(plan.spec.runtime.imagePullPolicy ? { imagePullPolicy: plan.spec.runtime.imagePullPolicy } : {}),
    command: [N.RUNTIME_BINARY, 'init', ...(run ? ['-run_dir', N.RUN_DIR] : []), N.ENTRYPOINT],
    resources: { requests: { cpu: '10m', memory: '16Mi' }, limits: { memory: '32Mi' } },
    securityContext: {
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
      runAsUser: 65532,
      runAsGroup: 65532,
      seccompProfile: { type: 'RuntimeDefault' },
    },
    volumeMounts: [mount(N.BIN_VOLUME, N.BIN_DIR, false), ...(run ? [mount(N.RUN_VOLUME, N.RUN_DIR, false)] : [])],
  };
}

/** Sets obj[key] = value placed next to `anchor` (key order is what the user sees in the diff). */
function insertNextTo(obj: Obj, anchor: string, side: 'before' | 'after', key: string, value: unknown): void {
  const entries = Object.entries(obj).filter(([k]) => k !== key);
  const at = entries.findIndex(([k]) => k === anchor);
  entries.splice(at < 0 ? entries.length : at + (side === 'after' ? 1 : 0), 0, [key, value]);
  for (const k of Object.keys(obj)) delete obj[k];
  Object.assign(obj, Object.fromEntries(entries));
}

/** Our names must not be taken already: a clash is an error, never a silent overwrite. */
function clashes(plan: Plan, podSpec: Obj, locate: Locator): Diagnostic[] {
  const w = plan.workload;
  const out: Diagnostic[] = [];
  const at = (...rest: (string | number)[]) => {
    const path = [...w.path, ...w.podSpecPath, ...rest];
    return { file: w.file, document: w.document, path, ...locate(w.file, w.document, path), workload: workloadId(w), resource: resourceRef(w) };
  };
  (Array.isArray(podSpec.volumes) ? (podSpec.volumes as Obj[]) : []).forEach((v, i) => {
    if (N.OUR_VOLUMES.includes(String(v.name))) out.push({ ...at('volumes', i, 'name'), code: 'name-clash', severity: 'error', message: `the pod already has a volume named "${String(v.name)}", a name startorder uses`, hint: 'Rename that volume (and its mounts).' });
  });
  for (const list of ['initContainers', 'containers']) {
    (Array.isArray(podSpec[list]) ? (podSpec[list] as Obj[]) : []).forEach((c, i) => {
      if (c.name === N.INIT_CONTAINER) out.push({ ...at(list, i, 'name'), code: 'name-clash', severity: 'error', container: N.INIT_CONTAINER, message: `the pod already has a container named "${N.INIT_CONTAINER}", a name startorder uses`, hint: 'Rename that container.' });
      (Array.isArray(c.volumeMounts) ? (c.volumeMounts as Obj[]) : []).forEach((m, j) => {
        const p = String(m.mountPath ?? '');
        if (p === '/startorder' || p.startsWith('/startorder/') || p === '/') {
          if (p === '/') return;
          out.push({ ...at(list, i, 'volumeMounts', j, 'mountPath'), code: 'mount-clash', severity: 'error', container: String(c.name), message: `container "${String(c.name)}" mounts something at ${p}, where startorder mounts its own volumes`, hint: 'Mount it somewhere outside /startorder.' });
        }
      });
    });
  }
  return out;
}

/**
 * A word of `command`/`args` that YAML reads as a number, a boolean or null cannot move behind the
 * wrapper as it is (the apiserver would take it, the app would start without it): quoting it is the
 * user's call, so it is a located error with the fix.
 */
function nonStringWords(plan: Plan, podSpec: Obj, locate: Locator): Diagnostic[] {
  const w = plan.workload;
  const out: Diagnostic[] = [];
  for (const list of ['initContainers', 'containers']) {
    (Array.isArray(podSpec[list]) ? (podSpec[list] as Obj[]) : []).forEach((c, i) => {
      if (!plan.wrapped.some((x) => x.name === c.name)) return;
      for (const key of ['command', 'args']) {
        const words = c[key];
        if (!Array.isArray(words)) continue;
        words.forEach((word, j) => {
          if (typeof word === 'string') return;
          const path = [...w.path, ...w.podSpecPath, list, i, key, j];
          const shown = word === null ? 'null' : typeof word === 'object' ? JSON.stringify(word) : String(word);
          out.push({ code: 'non-string-word', severity: 'error', file: w.file, document: w.document, path, ...locate(w.file, w.document, path), workload: workloadId(w), resource: resourceRef(w), container: String(c.name), message: `word ${j + 1} of ${key} of container "${String(c.name)}" is read as ${word === null ? 'null' : typeof word} ${shown}, not as a string`, hint: typeof word === 'boolean' || word === null ? 'Quote it as it is written, e.g. "yes" or "on", so it stays a string.' : `Quote it: "${shown}".` });
        });
      }
    });
  }
  return out;
}

/** Applies a plan to a workload object; returns the new object (the input is not modified). */
export function applyPlan(plan: Plan, original: Obj, locate: Locator, src: Record<string, string> = {}): { value?: Obj; record?: AppliedRecord; diagnostics: Diagnostic[] } {
  const w = plan.workload;
  const value = clone(original);
  const podSpec = getIn(value, w.podSpecPath) as Obj;
  const diagnostics = [...clashes(plan, podSpec, locate), ...nonStringWords(plan, podSpec, locate)];
  if (diagnostics.length > 0) return { diagnostics };
  const originalPod = clone(podSpec);

  let containers = podSpec.containers as Obj[];
  const inits = Array.isArray(podSpec.initContainers) ? (podSpec.initContainers as Obj[]) : [];
  const find = (name: string) => [...inits, ...containers].find((c) => c.name === name)!;
  let needsBin = false;
  let needsRun = false;

  for (const n of plan.native) {
    const c = find(n.name);
    containers = containers.filter((x) => x !== c);
    if (n.as === 'sidecar') c.restartPolicy = 'Always';
    const probe = n.ready ? startupProbe(n.ready, n.name) : undefined;
    if (probe && c.startupProbe !== undefined && c.startupProbe !== null) {
      const list = plan.workload.podSpecPath;
      const idx = (getIn(original, list) as Obj | undefined)?.containers;
      const i = Array.isArray(idx) ? (idx as Obj[]).findIndex((x) => x.name === n.name) : -1;
      const path = [...w.path, ...w.podSpecPath, 'containers', Math.max(i, 0), 'startupProbe'];
      diagnostics.push({ code: 'startup-probe-replaced', severity: 'warning', file: w.file, document: w.document, path, ...locate(w.file, w.document, path), workload: workloadId(w), resource: resourceRef(w), container: n.name, message: `the startupProbe of container "${n.name}" is replaced by the one startorder builds from the spec's ready (a native sidecar is ready when its startupProbe succeeds)`, hint: 'Leave ready out of the spec to keep this startupProbe as the readiness, or remove the startupProbe here.' });
    }
    if (probe) c.startupProbe = probe;
    if (n.ready?.file !== undefined || n.ready?.self || runsEntrypoint(probe)) {
      needsBin = true;
      addMounts(c, [mount(N.BIN_VOLUME, N.BIN_DIR, true)]);
    }
    if (n.ready?.self) {
      needsRun = true;
      addMounts(c, [mount(N.RUN_VOLUME, N.RUN_DIR, false)]);
      const env = Array.isArray(c.env) ? (c.env as Obj[]) : [];
      env.push({ name: 'STARTORDER_READY_FILE', value: N.selfReadyFile(n.name) });
      c.env = env;
    }
    inits.push(c);
  }
  for (const p of plan.probed ?? []) {
    const c = find(p.name);
    const probe = startupProbe(p.ready, p.name);
    if (!probe) continue;
    c.startupProbe = probe;
    if (runsEntrypoint(probe)) {
      needsBin = true;
      addMounts(c, [mount(N.BIN_VOLUME, N.BIN_DIR, true)]);
    }
  }
  for (const wrap of plan.wrapped) {
    const c = find(wrap.name);
    needsBin = needsRun = true;
    const args = wrapperArgs(wrap, plan, c);
    // args keep their place when they exist (the smallest diff); new ones go right after command
    c.command = [...WRAPPED_COMMAND];
    if ('args' in c) c.args = args;
    else insertNextTo(c, 'command', 'after', 'args', args);
    addMounts(c, [mount(N.BIN_VOLUME, N.BIN_DIR, true), mount(N.RUN_VOLUME, N.RUN_DIR, false), ...(wrap.gated ? [mount(N.DOWNWARD_VOLUME, N.DOWNWARD_DIR, true)] : [])]);
  }
  const gated = plan.wrapped.some((x) => x.gated);
  const volumes: Obj[] = [];
  if (needsBin) volumes.push({ name: N.BIN_VOLUME, emptyDir: {} });
  // A few MiB: status files are tiny; a full volume is noticed (the wrapper exits 4), never the node's memory.
  if (needsRun) volumes.push({ name: N.RUN_VOLUME, emptyDir: { medium: 'Memory', sizeLimit: '8Mi' } });
  if (gated) volumes.push({ name: N.DOWNWARD_VOLUME, downwardAPI: { items: [{ path: 'ready', fieldRef: { fieldPath: `metadata.annotations['${plan.gate}']` } }] } });
  if (needsBin) inits.unshift(initContainer(plan));

  podSpec.containers = containers;
  if (inits.length > 0 && podSpec.initContainers === undefined) insertNextTo(podSpec, 'containers', 'before', 'initContainers', inits);
  else if (inits.length > 0) podSpec.initContainers = inits;
  if (volumes.length > 0) podSpec.volumes = [...(Array.isArray(podSpec.volumes) ? (podSpec.volumes as Obj[]) : []), ...volumes];

  const record = makeRecord(plan, originalPod, podSpec, volumes.map((v) => String(v.name)), needsBin ? [N.INIT_CONTAINER] : [], src);
  const meta = getIn(value, w.metadataPath);
  if (!isObj(getIn(value, w.metadataPath.slice(0, -1)))) throw new Error('pod template without a parent object');
  const parent = getIn(value, w.metadataPath.slice(0, -1)) as Obj;
  const metadata: Obj = isObj(meta) ? meta : {};
  const annotations: Obj = isObj(metadata.annotations) ? metadata.annotations : {};
  if (!isObj(meta)) record.created.push('metadata');
  if (!isObj(metadata.annotations)) record.created.push('annotations');
  annotations[N.RECORD_ANNOTATION] = JSON.stringify(record);
  metadata.annotations = annotations;
  parent[w.metadataPath[w.metadataPath.length - 1]!] = metadata;
  return { value, record, diagnostics };
}
