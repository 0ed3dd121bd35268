/** The pieces startorder adds to a pod: its init container, its volumes and their mounts. */
import type { Obj } from '../kube/index.js';
import type { Plan } from '../plan/plan.js';
import { binVolume } from './delivery.js';
import * as N from './names.js';

export function mount(name: string, mountPath: string, readOnly: boolean): Obj {
  return readOnly ? { name, mountPath, readOnly: true } : { name, mountPath };
}

export function addMounts(c: Obj, mounts: Obj[]): void {
  const list = Array.isArray(c.volumeMounts) ? (c.volumeMounts as Obj[]) : [];
  for (const m of mounts) if (!list.some((x) => x.name === m.name)) list.push(m);
  c.volumeMounts = list;
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
export function initContainer(plan: Plan): Obj {
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
export function insertNextTo(obj: Obj, anchor: string, side: 'before' | 'after', key: string, value: unknown): void {
  const entries = Object.entries(obj).filter(([k]) => k !== key);
  const at = entries.findIndex(([k]) => k === anchor);
  entries.splice(at < 0 ? entries.length : at + (side === 'after' ? 1 : 0), 0, [key, value]);
  for (const k of Object.keys(obj)) delete obj[k];
  Object.assign(obj, Object.fromEntries(entries));
}

/** What the rewritten pod needs: the bin volume (the wrapper binary) and the run volume (status files). */
export interface Needs {
  bin: boolean;
  run: boolean;
}

/** The volumes startorder adds to the pod for what it needs (and the gate's downward API volume). */
export function ourVolumes(plan: Plan, needs: Needs): Obj[] {
  const volumes: Obj[] = [];
  if (needs.bin) volumes.push(binVolume(plan));
  // A few MiB: status files are tiny; a full volume is noticed (the wrapper exits 4), never the node's memory.
  if (needs.run) volumes.push({ name: N.RUN_VOLUME, emptyDir: { medium: 'Memory', sizeLimit: '8Mi' } });
  if (plan.wrapped.some((x) => x.gated))
    volumes.push({ name: N.DOWNWARD_VOLUME, downwardAPI: { items: [{ path: 'ready', fieldRef: { fieldPath: `metadata.annotations['${plan.gate}']` } }] } });
  return volumes;
}
