/**
 * How the wrapper binary reaches the pod (spec.runtime.delivery): `copy`, an init container copies it
 * from the runtime image into an emptyDir; `image`, the runtime image itself is mounted as an image
 * volume (KEP-4639) and no init container runs. `auto` picks image where the target cluster has image
 * volumes on by default (Kubernetes 1.35, where the ImageVolume feature gate is beta and on), copy
 * elsewhere, and copy when the version is not known.
 */
import { minorVersion } from '../spec/normalize.js';
import { specField, type PlanContext } from './context.js';
import { resourceRef, workloadId } from '../kube/index.js';

export type Resolved = 'copy' | 'image';

/** The first minor with the `image` volume source (alpha, feature gate off), and the first with it on by default. */
export const IMAGE_VOLUME_API = 31;
export const IMAGE_VOLUME_DEFAULT = 35;

/** The delivery this spec gets: its own choice, else by its kubernetesVersion. */
export function resolveDelivery(delivery: string | undefined, kubernetesVersion: string | undefined): Resolved {
  if (delivery === 'copy' || delivery === 'image') return delivery;
  const minor = minorVersion(kubernetesVersion);
  return minor !== undefined && minor >= IMAGE_VOLUME_DEFAULT ? 'image' : 'copy';
}

/**
 * The plan's delivery, with a diagnostic where an explicit `image` meets an older target: an error
 * before 1.31 (the API server has no `image` volume source, so it rejects the pod), a warning for
 * 1.31-1.34 (the feature gate is off by default there; it works where the cluster turned it on).
 * undefined when the error stops the plan.
 */
export function planDelivery(cx: PlanContext): Resolved | undefined {
  const { spec } = cx;
  const resolved = resolveDelivery(spec.runtime.delivery, spec.kubernetesVersion);
  const minor = minorVersion(spec.kubernetesVersion);
  if (resolved !== 'image' || minor === undefined || minor >= IMAGE_VOLUME_DEFAULT) return resolved;
  const early = minor < IMAGE_VOLUME_API;
  cx.diags.push({
    code: early ? 'image-volume-impossible' : 'image-volume-gated',
    severity: early ? 'error' : 'warning',
    message: early
      ? `runtime.delivery image mounts the runtime image as an image volume, which Kubernetes has from 1.31 on; the spec targets ${spec.kubernetesVersion}`
      : `runtime.delivery image needs image volumes, which Kubernetes ${spec.kubernetesVersion} has only behind the ImageVolume feature gate (off by default before 1.35), and a container runtime that implements them (containerd 2.1+, CRI-O 1.31+): pods of a cluster without them fail to start`,
    hint: early
      ? 'Use runtime.delivery copy (or auto), or raise kubernetesVersion.'
      : 'Keep image only where the cluster has the ImageVolume gate on; runtime.delivery copy (or auto) works on every cluster.',
    workload: workloadId(cx.w),
    ...specField(cx, 'runtime', 'kubernetesVersion'),
    resource: resourceRef(cx.w),
  });
  return early ? undefined : resolved;
}
