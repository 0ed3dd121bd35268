/** KRM function mode (kustomize exec functions, `kpt fn eval --exec`): the ResourceList adapter. */
export { answerOf, requestOf, type ResourceListAnswer, type ResourceListCall } from './adapter.js';
export { CONFIG_MAP_KEYS, isResourceList, KPT_FUNCTION_INPUT, specFromFunctionConfig } from './function-config.js';
export { callerShowsResults, functionNotes, refusedFlags } from './notes.js';
export { placedResults, resultLines, type PlacedResult } from './results.js';
export { withResults } from './with-results.js';
