/** Shared Kubernetes knowledge: workload kinds and their pod templates, container lists, names, paths. */
export { CONTAINER_LISTS, containerList, containerNames, containersOf, type ContainerAt, type ContainerList } from './containers.js';
export { getIn, isObj, setIn, type Obj, type Path } from './object.js';
export {
  isStartOrder,
  KUBERNETES_VERSION,
  PREVIOUS_NAMES,
  PREVIOUS_NAMESPACES,
  RECORD_ANNOTATION,
  SPEC_ANNOTATION,
  SPEC_API_VERSION,
  SPEC_GROUP,
  SPEC_KIND,
} from './names.js';
export { splitPointer } from './pointer.js';
export {
  isWorkloadKind,
  POD_TEMPLATE_PATHS,
  podPaths,
  resourceRef,
  TEMPLATE_PATHS,
  WORKLOAD_KINDS,
  workloadId,
  type Named,
  type PodPaths,
  type ResourceRef,
  type WorkloadKind,
} from './workloads.js';
