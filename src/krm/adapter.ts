/**
 * Function mode: a ResourceList → a request for the pipeline, and the pipeline's result → the
 * ResourceList with `results`. Items are handed over as they came: documents startorder does not
 * change keep their bytes, changed ones keep every annotation the orchestrator put on them
 * (`internal.config.kubernetes.io/*`, `config.kubernetes.io/*`, `config.k8s.io/id`,
 * `kustomize.config.k8s.io/id`), because only the pod template is rewritten.
 */
import { isNode } from 'yaml';
import { hasErrors, sortDiagnostics, type Diagnostic } from '../diagnostics.js';
import type { SourceFile } from '../load/parse.js';
import type { Input, Options, Request, Result } from '../pipeline/index.js';
import { getIn, SPEC_ANNOTATION, type Obj } from '../kube/index.js';
import { asWorkload, resourcesOf } from '../select/resources.js';
import { specFromFunctionConfig } from './function-config.js';
import { functionNotes, refusedFlags } from './notes.js';
import { placedResults, type PlacedResult } from './results.js';
import { withResults } from './with-results.js';

export interface ResourceListCall {
  input: Input;
  list: Obj;
  source: SourceFile;
  /** Which command-line flags were given (function mode refuses some). */
  given: Record<string, boolean>;
  /** -c files and the defaults of --mode, --kubernetes-version, --runtime-image. */
  options: Pick<Options, 'configs' | 'defaults'>;
}

function itemsOf(list: Obj): unknown[] | undefined {
  return list.items === undefined || list.items === null ? [] : Array.isArray(list.items) ? list.items : undefined;
}

/** The request for the pipeline, or undefined when the ResourceList or its flags are refused. */
export function requestOf(call: ResourceListCall): { request?: Request; diagnostics: Diagnostic[] } {
  const { input, list, source } = call;
  const doc = source.docs[0]!.doc;
  const rawAt = (path: (string | number)[]) => {
    const node = doc.getIn(path, true);
    return isNode(node) && node.range ? input.text.slice(node.range[0], node.range[1]) : undefined;
  };
  const fc = specFromFunctionConfig(list.functionConfig, input.name, rawAt);
  const diagnostics: Diagnostic[] = [...refusedFlags(call.given), ...fc.diagnostics];
  if (!itemsOf(list))
    diagnostics.push({
      code: 'resource-list-invalid',
      severity: 'error',
      file: input.name,
      document: 0,
      message: "the ResourceList's items is not a list",
      hint: 'Send a ResourceList whose items field is a list (it may be empty).',
    });
  if (hasErrors(diagnostics)) return { diagnostics };
  const annotated = resourcesOf([source]).some((r) => {
    const w = asWorkload(r);
    return w !== undefined && getIn(w.value, [...w.metadataPath, 'annotations', SPEC_ANNOTATION]) !== undefined;
  });
  diagnostics.push(...functionNotes(list, input.name, fc.specObjects.length > 0 || (call.options.configs ?? []).length > 0 || annotated));
  return { request: { ...call.options, inputs: [input], specObjects: fc.specObjects }, diagnostics };
}

export interface ResourceListAnswer {
  /** The ResourceList to print, with results. */
  text: string;
  /** Sorted; any error means exit 1. */
  diagnostics: Diagnostic[];
  placed: PlacedResult[];
}

/** The answer: the rewritten items (when there is no error) and one result per diagnostic. */
export function answerOf(call: ResourceListCall, before: readonly Diagnostic[], result?: Result): ResourceListAnswer {
  const diags = [...before];
  // A spec handed to the function as its functionConfig is there to be used: selecting nothing is
  // an error (after kustomize's namePrefix, names are matched against previousNames as well).
  for (const d of result?.diagnostics ?? []) {
    diags.push(
      d.code === 'spec-selects-nothing' && d.file === call.input.name
        ? {
            ...d,
            severity: 'error',
            hint: 'Check the selector against the items’ kind, name (before or after namePrefix/nameSuffix), namespace and labels, or remove the function.',
          }
        : d,
    );
  }
  const text = !hasErrors(diags) && result?.files[0] ? result.files[0].text : call.input.text;
  const sorted = sortDiagnostics(diags);
  const placed = placedResults(sorted, itemsOf(call.list) ?? [], call.list.functionConfig);
  return {
    text: withResults(
      text,
      placed.map((p) => p.result),
      true,
    ),
    diagnostics: sorted,
    placed,
  };
}
