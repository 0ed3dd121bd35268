/** The workload kinds startorder rewrites, where each keeps its pod template, and how a workload is named. */

export const WORKLOAD_KINDS = ['Pod', 'Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'ReplicationController', 'Job', 'CronJob'] as const;
export type WorkloadKind = (typeof WORKLOAD_KINDS)[number];

export function isWorkloadKind(kind: string): kind is WorkloadKind {
  return (WORKLOAD_KINDS as readonly string[]).includes(kind);
}

/** Where a pod template sits in an object of some kind: its metadata and its spec, relative to the object. */
export interface PodPaths {
  readonly metadata: readonly string[];
  readonly spec: readonly string[];
}

const TEMPLATE = ['spec', 'template'];
const JOB_TEMPLATE = ['spec', 'jobTemplate', 'spec', 'template'];

/** The object-relative path of the pod template of each workload kind ([] for a Pod: it is its own template). */
export const POD_TEMPLATE_PATHS: Readonly<Record<WorkloadKind, readonly string[]>> = {
  Pod: [],
  Deployment: TEMPLATE,
  StatefulSet: TEMPLATE,
  DaemonSet: TEMPLATE,
  ReplicaSet: TEMPLATE,
  ReplicationController: TEMPLATE,
  Job: TEMPLATE,
  CronJob: JOB_TEMPLATE,
};

/** Every distinct pod-template path, the nested ones first ([] last), for looking a template up in an object of unknown kind. */
export const TEMPLATE_PATHS: readonly (readonly string[])[] = [TEMPLATE, JOB_TEMPLATE, []];

/** The metadata and spec paths of the pod template of a workload kind. */
export function podPaths(kind: WorkloadKind): PodPaths {
  const base = POD_TEMPLATE_PATHS[kind];
  return { metadata: [...base, 'metadata'], spec: [...base, 'spec'] };
}

export interface Named {
  kind: string;
  name?: string;
  namespace?: string;
}

/**
 * `Kind/namespace/name` (`Kind/name` without a namespace), as diagnostics, explain and graph name a
 * workload; `unnamed` stands in for a missing name.
 */
export function workloadId(r: Named, unnamed = '<unnamed>'): string {
  return `${r.kind}/${r.namespace ? `${r.namespace}/` : ''}${r.name ?? unnamed}`;
}

/** A KRM resourceRef: apiVersion, kind, name and namespace, each only when known. */
export interface ResourceRef {
  apiVersion?: string;
  kind?: string;
  name?: string;
  namespace?: string;
}

export function resourceRef(r: Named & { apiVersion?: string }): ResourceRef {
  return {
    ...(r.apiVersion ? { apiVersion: r.apiVersion } : {}),
    kind: r.kind,
    ...(r.name ? { name: r.name } : {}),
    ...(r.namespace ? { namespace: r.namespace } : {}),
  };
}
