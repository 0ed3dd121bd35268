/** The names startorder gives its own things in a manifest: annotations, its API group and kind. */
import { isObj, type Obj } from './object.js';

/** On a pod template: the spec that orders that workload alone. */
export const SPEC_ANNOTATION = 'startorder.dev/spec';
/** On a pod template: what startorder did (src/rewrite/record.ts), so that a re-run or revert can undo it. */
export const RECORD_ANNOTATION = 'startorder.dev/applied';

/** kustomize records the names and namespaces an object had before namePrefix/nameSuffix/namespace. */
export const PREVIOUS_NAMES = 'internal.config.kubernetes.io/previousNames';
export const PREVIOUS_NAMESPACES = 'internal.config.kubernetes.io/previousNamespaces';

/** The StartOrder resource: its kind, its API group and the one apiVersion startorder reads. */
export const SPEC_KIND = 'StartOrder';
export const SPEC_GROUP = 'startorder.dev';
export const SPEC_API_VERSION = `${SPEC_GROUP}/v1alpha1`;

/** A StartOrder of startorder's group (any version: a wrong one is reported where it is read). */
export function isStartOrder(v: unknown): v is Obj {
  return isObj(v) && v.kind === SPEC_KIND && typeof v.apiVersion === 'string' && v.apiVersion.startsWith(`${SPEC_GROUP}/`);
}

/**
 * `1.33`, `v1.33`, `1.33.2`, and the server versions `kubectl version` prints for managed clusters
 * (`v1.30.2-gke.1`, `v1.29.6-eks-1552ad0`, `v1.31.1+k3s1`): what --kubernetes-version and a ConfigMap's
 * kubernetesVersion accept (the schema's pattern for spec.kubernetesVersion says the same). Only the
 * minor version counts.
 */
export const KUBERNETES_VERSION = /^v?1\.[0-9]+(\.[0-9]+([-+][0-9A-Za-z.+-]+)?)?$/;
