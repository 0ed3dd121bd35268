/**
 * runtime.delivery image on the rewritten pod: the bin volume is the runtime image itself (an image
 * volume, read-only), so no init container copies the wrapper, and every place that runs the wrapper
 * names it where the image has it, IMAGE_ENTRYPOINT. The run directory stays on its emptyDir (medium
 * Memory: a tmpfs, mode 1777 as mounted, so no init container has to set the mode).
 */
import type { Obj } from '../kube/index.js';
import type { Resolved } from '../plan/delivery.js';
import type { Plan } from '../plan/plan.js';
import * as N from './names.js';
import { runsEntrypoint, startupProbe } from './probe.js';

/** The bin volume: an emptyDir the init container fills, or the runtime image mounted as a volume. */
export function binVolume(plan: Plan): Obj {
  if (plan.delivery !== 'image') return { name: N.BIN_VOLUME, emptyDir: {} };
  const { image, imagePullPolicy } = plan.spec.runtime;
  return { name: N.BIN_VOLUME, image: { reference: image, ...(imagePullPolicy ? { pullPolicy: imagePullPolicy } : {}) } };
}

/** True when `argv` runs the wrapper (either delivery). */
export function runsWrapper(argv: unknown): boolean {
  return Array.isArray(argv) && typeof argv[0] === 'string' && N.WRAPPER_PATHS.includes(argv[0]);
}

/** Points a command line that starts with the copied wrapper at the image's wrapper (in place). */
function retargetArgv(argv: unknown): void {
  if (Array.isArray(argv) && argv[0] === N.ENTRYPOINT) argv[0] = N.IMAGE_ENTRYPOINT;
}

/**
 * For image delivery: the wrapped commands and startorder's exec probes of `containers`, written for
 * the copied wrapper, name the image's path instead. Only containers startorder changed are given.
 */
export function retarget(plan: Plan, containers: readonly Obj[]): void {
  if (plan.delivery !== 'image') return;
  for (const c of containers) {
    retargetArgv(c.command);
    const probe = c.startupProbe as { exec?: { command?: unknown } } | undefined;
    retargetArgv(probe?.exec?.command);
  }
}

/** Whether the rewritten pod runs the wrapper binary anywhere (the same rule as applyPlan's `needs.bin`). */
export function usesWrapperBinary(plan: Plan): boolean {
  if (plan.wrapped.length > 0 || plan.native.some((n) => n.ready?.file !== undefined || n.ready?.self)) return true;
  return [...plan.native, ...(plan.probed ?? [])].some((n) => n.ready !== undefined && runsEntrypoint(startupProbe(n.ready, n.name)));
}

/** The delivery a rewritten pod spec shows: its bin volume is an image volume, or an emptyDir; undefined without one. */
export function deliveryInOutput(podSpec: Obj): Resolved | undefined {
  const bin = Array.isArray(podSpec.volumes) ? (podSpec.volumes as Obj[]).find((v) => v.name === N.BIN_VOLUME) : undefined;
  if (!bin) return undefined;
  return bin.image !== undefined ? 'image' : 'copy';
}

/** One sentence for explain: how the wrapper gets into the pod. */
export function deliverySentence(plan: Plan): string {
  const image = plan.spec.runtime.image;
  return plan.delivery === 'image'
    ? `the wrapper comes from the runtime image ${image}, mounted as an image volume at ${N.BIN_DIR} (no init container; needs image volumes: Kubernetes 1.35+, or the ImageVolume gate, and containerd 2.1+ or CRI-O)`
    : `the init container ${N.INIT_CONTAINER} copies the wrapper from ${image} into an emptyDir at ${N.BIN_DIR}`;
}
