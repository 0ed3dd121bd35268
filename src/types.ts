/** Plain-data shapes shared by the stages. Kubernetes objects stay `Obj` (plain JSON) on purpose: the
 * transformer must carry every field it does not know through unchanged. */
import type { Obj, WorkloadKind } from './kube/index.js';

export { isObj, WORKLOAD_KINDS, workloadId, type Obj, type WorkloadKind } from './kube/index.js';

/**
 * What a dependent waits for: Started / Ready (while the dependency's wrapper lives), Completed (it
 * exited 0, ECS's SUCCESS) or Exited (it exited, whatever its code, ECS's COMPLETE).
 */
export type Condition = 'Started' | 'Ready' | 'Completed' | 'Exited';
/** A container's effective restart policy, as the kubelet applies it. */
export type RestartPolicy = 'Never' | 'OnFailure' | 'Always';
export type Mode = 'auto' | 'wrapper' | 'native';
export type Role = 'sidecar' | 'main' | 'init';

export interface Ready {
  file?: string;
  /**
   * httpGet / tcpSocket `host`: absent (or 0.0.0.0, ::) = the server listens on all addresses;
   * a loopback address (127.0.0.0/8, ::1, localhost) = it listens on loopback only. Readiness is
   * pod-local, so DNS names are refused.
   */
  exec?: { command: string[] };
  httpGet?: { path?: string; port: number | string; host?: string; scheme?: 'HTTP' | 'HTTPS'; httpHeaders?: { name: string; value: string }[] };
  tcpSocket?: { port: number | string; host?: string };
  self?: boolean;
  timeoutSeconds?: number;
  periodSeconds?: number;
}

export interface Dependency {
  name: string;
  condition: Condition;
}

export interface ContainerOrder {
  name: string;
  role?: Role;
  ready?: Ready;
  after: Dependency[];
  waitTimeoutSeconds?: number;
}

export interface ImageEntry {
  image: string;
  command: string[];
  args?: string[];
}

export interface Selector {
  kinds?: string[];
  names?: string[];
  namespaces?: string[];
  matchLabels?: Record<string, string>;
}

/** A validated, normalised StartOrder spec. */
export interface Spec {
  /** Where it came from, for diagnostics: `StartOrder/web (order.yaml)`. */
  origin: string;
  name: string;
  file?: string;
  document?: number;
  selector?: Selector;
  mode: Mode;
  kubernetesVersion?: string;
  gate?: { annotation: string };
  runtime: { image: string; imagePullPolicy?: string };
  containers: ContainerOrder[];
  images: ImageEntry[];
  /** True for a spec read from a pod template's annotation: it selects that workload only. */
  fromAnnotation?: boolean;
}

/** One Kubernetes object found in the input: a document, or an item of a `kind: List`. */
export interface Resource {
  file: string;
  document: number;
  /** Path of the object inside its document: [] or ['items', n]. */
  path: (string | number)[];
  value: Obj;
  kind: string;
  apiVersion?: string;
  name?: string;
  namespace?: string;
}

export interface Workload extends Resource {
  kind: WorkloadKind;
  /** Path of the pod template's metadata, relative to the object. */
  metadataPath: string[];
  /** Path of the pod spec, relative to the object. */
  podSpecPath: string[];
}

export const DEFAULT_RUNTIME_IMAGE = 'ghcr.io/startorder-dev/startorder-entrypoint:v0.1.0';
