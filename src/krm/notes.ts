/** What function mode says besides the pipeline: flags it refuses, specs it does not read, who shows results. */
import type { Diagnostic } from '../diagnostics.js';
import { isObj, isStartOrder, SPEC_API_VERSION, type Obj } from '../kube/index.js';
import { KPT_FUNCTION_INPUT } from './function-config.js';
import { refOf } from './results.js';

/**
 * kpt prints a function's results and then its stderr: there the lines would say everything twice.
 * kpt is recognised by what only it sends: its "function-input" ConfigMap, which (unlike the one
 * `kustomize fn run` makes, whose stderr is all its user sees) carries no config.kubernetes.io/function
 * annotation, or a Kptfile among the items. STARTORDER_KRM_STDERR=lines|none decides when set.
 */
export function callerShowsResults(list: Obj, env: Record<string, string | undefined>): boolean {
  if (env.STARTORDER_KRM_STDERR === 'lines') return false;
  if (env.STARTORDER_KRM_STDERR === 'none') return true;
  const fc = list.functionConfig;
  const meta = isObj(fc) && isObj(fc.metadata) ? fc.metadata : undefined;
  const declared = isObj(meta?.annotations) && meta.annotations['config.kubernetes.io/function'] !== undefined;
  if (isObj(fc) && fc.kind === 'ConfigMap' && meta?.name === KPT_FUNCTION_INPUT && !declared) return true;
  const items = Array.isArray(list.items) ? list.items : [];
  return items.some((i) => isObj(i) && i.kind === 'Kptfile' && typeof i.apiVersion === 'string' && i.apiVersion.startsWith('kpt.dev/'));
}

/**
 * What a function run would otherwise pass over in silence: StartOrder items (a function reads its
 * spec from functionConfig), and a run with no spec at all.
 */
export function functionNotes(list: Obj, file: string, specFound: boolean): Diagnostic[] {
  const out: Diagnostic[] = [];
  const items = Array.isArray(list.items) ? list.items : [];
  const fc = isObj(list.functionConfig) ? list.functionConfig : undefined;
  const fcRef = fc ? refOf(fc) : undefined;
  items.forEach((item, i) => {
    if (!isObj(item) || item.kind !== 'StartOrder') return;
    const ref = refOf(item);
    if (fcRef && ref.kind === fcRef.kind && ref.name === fcRef.name && ref.namespace === fcRef.namespace) return; // the functionConfig itself, sent as an item too
    out.push({
      code: 'spec-item-ignored',
      severity: 'warning',
      file,
      document: 0,
      path: ['items', i],
      message: `this StartOrder is one of the items, which a function does not read as its spec${isStartOrder(item) ? '' : ` (and ${ref.apiVersion === undefined ? 'it has no apiVersion' : `its apiVersion ${JSON.stringify(ref.apiVersion)} is not ${SPEC_API_VERSION}`})`}`,
      hint: 'Give it as the functionConfig (kpt: --fn-config FILE; kustomize: list it under transformers:), and mark the file config.kubernetes.io/local-config: "true".',
    });
  });
  if (!specFound) {
    out.push({
      code: 'no-spec',
      severity: 'warning',
      file,
      document: 0,
      ...(fc ? { path: ['functionConfig'] } : {}),
      message: 'no StartOrder spec: neither the functionConfig, -c, nor a startorder.dev/spec pod template annotation gives one, so nothing was changed',
      hint: 'Give the spec as the functionConfig (a StartOrder, or a ConfigMap with data.spec), or annotate the pod templates with startorder.dev/spec.',
    });
  }
  return out;
}

/** The flags that mean nothing in function mode, refused with a result each (the rest are honoured). */
export function refusedFlags(given: Record<string, boolean>): Diagnostic[] {
  const why: Record<string, string> = {
    output: 'the ResourceList comes back in the format it came in',
    write: 'a function answers on stdout; the orchestrator writes the files',
    'resolve-images':
      "a function does not reach registries; resolve images before (startorder --resolve-images on the files) and put them in the spec's images table",
    locked: "a function does not read a lock file; put the images in the spec's images table",
    'lock-file': "a function does not read a lock file; put the images in the spec's images table",
    platform: 'a function does not resolve images',
    'insecure-registry': 'a function does not reach registries',
  };
  return Object.entries(why)
    .filter(([flag]) => given[flag])
    .map(([flag, reason]) => ({
      code: 'flag-unsupported' as const,
      severity: 'error' as const,
      message: `--${flag} is not taken in function mode (a ResourceList on stdin): ${reason}`,
      hint: `Remove --${flag} from the function's command line.`,
    }));
}
