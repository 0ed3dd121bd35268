/** What a plan says: the edges of the order, who runs each of them, and what each container becomes. */
import type { Diagnostic } from '../diagnostics.js';
import type { ContainerList } from '../kube/index.js';
import type { Condition, RestartPolicy, Role, Spec, Workload } from '../types.js';
import type { PlannedReady } from './readiness.js';

/** probe: the dependent's wrapper probes the dependency, which startorder does not rewrite (not in the pod, or wrap: false). */
export type Mechanism = 'wrapper' | 'native' | 'kubernetes' | 'probe';

export interface Edge {
  dep: string;
  dependent: string;
  condition: Condition;
  mechanism: Mechanism;
  /** A probe edge's probe, checked for the wrapper. */
  probe?: PlannedReady;
}

/** A container the wrapper will supervise, and what it waits for, reports and holds. */
export interface Wrap {
  name: string;
  /** Conditions this container waits for, as (dependency, condition) pairs. */
  waits: { dep: string; condition: Condition }[];
  /** Dependencies it probes (probe edges), in the spec's order. */
  probes: { dep: string; probe: PlannedReady }[];
  gated: boolean;
  ready?: PlannedReady;
  /** The container's effective restart policy (its own, else the pod's), for `-restart_policy`. */
  restartPolicy: RestartPolicy;
  /** Containers whose exit this one waits for on SIGTERM. */
  stopAfter: string[];
  /**
   * Job sidecar: exit once each of these main containers is done: Completed (exit 0) where the
   * kubelet retries a failure (OnFailure), Exited (any code, or its wrapper died) where it does not.
   */
  exitWith: { dep: string; condition: 'Completed' | 'Exited' }[];
  waitTimeoutSeconds?: number;
  /** The container's original command line (command + args, or from the spec's images table). */
  argv: string[];
}

/** An app container that moves to initContainers: as a native sidecar, or as a plain init container. */
export interface Native {
  name: string;
  as: 'sidecar' | 'init';
  ready?: PlannedReady;
}

export interface Plan {
  workload: Workload;
  spec: Spec;
  edges: Edge[];
  roles: Record<string, Role>;
  /** App containers that move to initContainers, in the order they are appended. */
  native: Native[];
  /**
   * Native sidecars the pod already has (init containers with restartPolicy Always) that others wait
   * for as Ready, with the spec's `ready` and no startupProbe of their own: they get one from `ready`
   * (without a startupProbe the kubelet starts the next container as soon as they have started).
   */
  probed: { name: string; ready: PlannedReady }[];
  wrapped: Wrap[];
  /** Dependencies of probe edges that the pod does not have (to be injected later). */
  external: string[];
  gate?: string;
  /** Seconds the wrapper of a sidecar may hold SIGTERM for its dependents. */
  stopGraceSeconds: number;
  /** `image`: the runtime image is mounted as an image volume, no init container copies the wrapper (absent = copy). */
  delivery?: 'image';
}

/**
 * A wrapped container whose command line is not known yet (no `command`, and its image is not in the
 * spec's images table): with `deferImages`, planWorkload reports it as data instead of `missing-command`.
 */
export interface Unresolved {
  container: string;
  image: string;
  list: ContainerList;
  index: number;
}

export interface PlanOptions {
  /** Report wrapped containers of unknown command line as `unresolved` (their Wrap has argv []); completePlan fills them. */
  deferImages?: boolean;
}

export interface Planned {
  plan?: Plan;
  diagnostics: Diagnostic[];
  /** With deferImages: the containers whose image must be resolved, in the pod's order. */
  unresolved?: Unresolved[];
}
