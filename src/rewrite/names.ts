/** The names and paths the rewritten pod uses; docs/CONTRACT.md is the other half of this table. */
export const BIN_VOLUME = 'startorder-bin';
export const RUN_VOLUME = 'startorder-run';
export const DOWNWARD_VOLUME = 'startorder-downward';
export const BIN_DIR = '/startorder/bin';
export const RUN_DIR = '/startorder/run';
export const DOWNWARD_DIR = '/startorder/downward';
export const ENTRYPOINT = `${BIN_DIR}/entrypoint`;
/** The wrapper where the runtime image itself is mounted at BIN_DIR (runtime.delivery image): the image's own path. */
export const IMAGE_ENTRYPOINT = `${BIN_DIR}/startorder-entrypoint`;
/** Either path: what a wrapped container's command (or startorder's exec probe) starts with. */
export const WRAPPER_PATHS: readonly string[] = [ENTRYPOINT, IMAGE_ENTRYPOINT];
export const INIT_CONTAINER = 'startorder-init';
export const RUNTIME_BINARY = '/startorder-entrypoint';
export const GATE_FILE = `${DOWNWARD_DIR}/ready`;
export { RECORD_ANNOTATION } from '../kube/index.js';
export const OUR_VOLUMES = [BIN_VOLUME, RUN_VOLUME, DOWNWARD_VOLUME];

export function statusDir(container: string): string {
  return `${RUN_DIR}/${container}`;
}

/** Where a native sidecar with `ready: {self: true}` writes its ready file (no wrapper creates a dir for it). */
export function selfReadyFile(container: string): string {
  return `${RUN_DIR}/${container}.self-ready`;
}
