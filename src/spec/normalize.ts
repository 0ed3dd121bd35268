import {
  DEFAULT_RUNTIME_IMAGE,
  isObj,
  type Condition,
  type ContainerOrder,
  type Delivery,
  type Dependency,
  type Mode,
  type Obj,
  type Probe,
  type Spec,
} from '../types.js';

/** Defaults that come from the command line and apply where a spec is silent. */
export interface SpecDefaults {
  kubernetesVersion?: string;
  mode?: Mode;
  runtimeImage?: string;
}

function dependency(d: unknown): Dependency {
  if (typeof d === 'string') return { name: d, condition: 'Ready' };
  const o = d as { name: string; condition?: Condition; ready?: Probe };
  return { name: o.name, condition: o.condition ?? 'Ready', ...(isObj(o.ready) ? { ready: o.ready } : {}) };
}

/** Turns a schema-valid spec object into the plain, fully defaulted shape the planner reads. */
export function normalizeSpec(
  raw: Obj,
  origin: { name: string; origin: string; file?: string; document?: number; fromAnnotation?: boolean },
  defaults: SpecDefaults,
): Spec {
  const containers: ContainerOrder[] = (raw.containers as Obj[]).map((c) => ({
    name: c.name as string,
    ...(c.role !== undefined ? { role: c.role as ContainerOrder['role'] } : {}),
    ...(isObj(c.ready) ? { ready: c.ready } : {}),
    after: Array.isArray(c.after) ? c.after.map(dependency) : [],
    ...(typeof c.waitTimeoutSeconds === 'number' ? { waitTimeoutSeconds: c.waitTimeoutSeconds } : {}),
    ...(typeof c.wrap === 'boolean' ? { wrap: c.wrap } : {}),
  }));
  const runtime = isObj(raw.runtime) ? raw.runtime : {};
  const version = (raw.kubernetesVersion as string | undefined) ?? defaults.kubernetesVersion;
  return {
    ...origin,
    ...(isObj(raw.selector) ? { selector: raw.selector } : {}),
    mode: (raw.mode as Mode | undefined) ?? defaults.mode ?? 'auto',
    ...(version !== undefined ? { kubernetesVersion: version.replace(/^v/, '') } : {}),
    ...(isObj(raw.gate) ? { gate: { annotation: raw.gate.annotation as string } } : {}),
    runtime: {
      image: (runtime.image as string | undefined) ?? defaults.runtimeImage ?? DEFAULT_RUNTIME_IMAGE,
      ...(typeof runtime.imagePullPolicy === 'string' ? { imagePullPolicy: runtime.imagePullPolicy } : {}),
      ...(typeof runtime.delivery === 'string' && runtime.delivery !== 'auto' ? { delivery: runtime.delivery as Delivery } : {}),
    },
    containers,
    images: Array.isArray(raw.images) ? (raw.images as Spec['images']) : [],
  };
}

/** `1.29` → [1, 29]; undefined when absent. */
export function minorVersion(v: string | undefined): number | undefined {
  const m = v === undefined ? null : /^v?1\.(\d+)/.exec(v);
  return m ? Number(m[1]) : undefined;
}
