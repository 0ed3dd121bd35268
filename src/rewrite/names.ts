/** The names and paths the rewritten pod uses; docs/CONTRACT.md is the other half of this table. */
export const BIN_VOLUME = 'startorder-bin';
export const RUN_VOLUME = 'startorder-run';
export const DOWNWARD_VOLUME = 'startorder-downward';
export const BIN_DIR = '/startorder/bin';
export const RUN_DIR = '/startorder/run';
export const DOWNWARD_DIR = '/startorder/downward';
export const ENTRYPOINT = `${BIN_DIR}/entrypoint`;
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
