import type { Condition } from '../types.js';

/** Where a fact came from, named in every output so a reader can weigh it. */
export type Source =
  | 'pod' // the pod's status as the kubelet reported it
  | 'record' // startorder's annotation startorder.dev/applied (the plan)
  | 'termination-message' // the wrapper's JSON termination message
  | 'logs' // the wrapper's wait lines in the container's log
  | 'status-files' // the run directory inside the pod, read by the wrapper's `status` mode
  | 'inferred'; // derived from the dependencies' pod status (no better source was available)

export interface Fact {
  /** RFC 3339 time. */
  at: string;
  source: Source;
}

/** What a container's own state is, in startorder's words. */
export type State = 'not-created' | 'waiting' | 'running' | 'ready' | 'completed' | 'failed' | 'restarting' | 'unknown';

export interface Dependency {
  container: string;
  condition: Condition;
  mechanism: string;
}

export interface ContainerReport {
  name: string;
  list: 'initContainers' | 'containers';
  /** init: runs to completion first; sidecar: a native sidecar (init with restartPolicy Always). */
  kind: 'init' | 'sidecar' | 'app';
  /** Runs under the wrapper /startorder/bin/entrypoint. */
  wrapped: boolean;
  state: State;
  stateSource: Source;
  /** The kubelet's own words: waiting reason, or terminated reason. */
  kubeReason?: string;
  restarts: number;
  /** The wrapper checks readiness itself and nothing told whether it holds yet (the kubelet cannot see it). */
  readyUnknown?: boolean;
  /** From the record: what this container waits for. */
  waitsFor: Dependency[];
  /** Waits for the gate (the downward-API file of a pod annotation); open = the annotation is set. */
  gate?: { annotation: string; open: boolean };
  /** While it waits: what is still missing and since when. */
  waiting?: { for: string[]; since?: string; source: Source };
  /** When the container (the wrapper) was started by the kubelet, the wait ended, the child started… */
  times: Partial<Record<'created' | 'waited' | 'started' | 'ready' | 'completed' | 'exited', Fact>>;
  exitCode?: number;
  failure?: { reason: string; source: Source };
}

export interface TimelineEvent {
  at: string;
  container?: string;
  event: string;
  source: Source;
}

export interface PodReport {
  namespace: string;
  name: string;
  phase: string;
  /** Whether the pod carries startorder's record (the plan). */
  ordered: boolean;
  created?: string;
  /** Which sources were read, and why one was not. */
  sources: { pod: string; record: string; logs: string; statusFiles: string };
  containers: ContainerReport[];
  timeline: TimelineEvent[];
}
