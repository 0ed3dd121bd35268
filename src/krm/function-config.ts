/**
 * The KRM Functions Specification side of startorder (kustomize exec functions, `kpt fn eval --exec`):
 * the spec a ResourceList's functionConfig carries.
 */
import { parseDocument } from 'yaml';
import type { Diagnostic } from '../diagnostics.js';
import { PARSE_OPTIONS } from '../load/parse.js';
import type { SpecObject } from '../pipeline/index.js';
import { isObj, isStartOrder, KUBERNETES_VERSION, SPEC_API_VERSION, type Obj } from '../kube/index.js';

export const KPT_FUNCTION_INPUT = 'function-input';

/**
 * ConfigMap keys (kpt turns `kpt fn eval --exec startorder -- key=value` into `data.key: value`):
 * `spec` holds the spec as YAML (the `spec` of a StartOrder, or a whole StartOrder document); the
 * others are single spec fields that override what `spec` says.
 */
export const CONFIG_MAP_KEYS = ['spec', 'mode', 'kubernetesVersion', 'runtimeImage'] as const;

export function isResourceList(v: unknown): v is Obj {
  return isObj(v) && v.kind === 'ResourceList' && typeof v.apiVersion === 'string' && v.apiVersion.startsWith('config.kubernetes.io/');
}

function fcInvalid(file: string, path: (string | number)[], message: string, hint: string): Diagnostic {
  return { code: 'function-config-invalid', severity: 'error', file, document: 0, path: ['functionConfig', ...path], message, hint };
}

type RawAt = (path: (string | number)[]) => string | undefined;
type FromConfig = { specObjects: SpecObject[]; diagnostics: Diagnostic[] };

/** What is wrong with the ConfigMap's data keys and single fields; [] when nothing is. */
function configMapProblems(data: Obj, file: string, rawAt: RawAt): Diagnostic[] {
  const keys = Object.keys(data);
  const unknown = keys.filter((k) => !(CONFIG_MAP_KEYS as readonly string[]).includes(k));
  if (unknown.length > 0) {
    const takes = CONFIG_MAP_KEYS.map((x) => `"${x}"`).join(', ');
    return unknown.map((k) =>
      fcInvalid(
        file,
        ['data', k],
        `the functionConfig ConfigMap has an unknown key "${k}"; it takes ${takes}`,
        'Put the StartOrder spec as YAML in data.spec (kpt: `-- spec="$(cat order.yaml)"`).',
      ),
    );
  }
  // ConfigMap data values are strings; YAML reads an unquoted 1.30 as the number 1.3 (and kpt's
  // `-- kubernetesVersion=1.30` arrives quoted, a hand-written ConfigMap often does not).
  const notString = keys.filter((k) => data[k] !== null && typeof data[k] !== 'string');
  if (notString.length > 0) {
    return notString.map((k) => {
      const raw = rawAt(['functionConfig', 'data', k]) ?? JSON.stringify(data[k]);
      const what =
        typeof data[k] === 'number' ? `the number ${String(data[k])} (YAML reads ${raw} as a number)` : `a ${Array.isArray(data[k]) ? 'list' : typeof data[k]}`;
      return fcInvalid(file, ['data', k], `data.${k} is ${what}, not a string: ConfigMap data holds strings`, `Quote it: ${k}: ${JSON.stringify(raw)}.`);
    });
  }
  // Single fields are checked where they are written, not as part of the spec they go into.
  const problems: Diagnostic[] = [];
  if (typeof data.kubernetesVersion === 'string' && !KUBERNETES_VERSION.test(data.kubernetesVersion)) {
    const message = `data.kubernetesVersion ${JSON.stringify(data.kubernetesVersion)} is not a Kubernetes version: MAJOR.MINOR or MAJOR.MINOR.PATCH, optionally with a leading v and a build suffix (v1.30.2-gke.1)`;
    problems.push(fcInvalid(file, ['data', 'kubernetesVersion'], message, 'Write it like "1.33".'));
  }
  if (typeof data.mode === 'string' && !['auto', 'wrapper', 'native'].includes(data.mode)) {
    problems.push(
      fcInvalid(
        file,
        ['data', 'mode'],
        `data.mode ${JSON.stringify(data.mode)} is not one of "auto", "wrapper", "native"`,
        'Use mode auto, wrapper or native.',
      ),
    );
  }
  if (problems.length === 0 && typeof data.spec !== 'string') {
    problems.push(
      fcInvalid(
        file,
        ['data', 'spec'],
        'the functionConfig ConfigMap has no data.spec (the StartOrder spec as YAML)',
        'Add data.spec, or use a StartOrder as the functionConfig.',
      ),
    );
  }
  return problems;
}

/** data.spec read as YAML: a whole StartOrder, or only its spec part. */
function parsedSpecText(text: string, file: string): { parsed?: unknown; whole?: boolean; problem?: Diagnostic } {
  const at = ['data', 'spec'];
  const doc = parseDocument(text, PARSE_OPTIONS);
  if (doc.errors.length > 0)
    return { problem: fcInvalid(file, at, `data.spec is not valid YAML: ${doc.errors[0]!.message.split('\n')[0]}`, 'Fix the YAML in data.spec.') };
  const parsed = doc.toJS() as unknown;
  const obj: Obj | undefined = isObj(parsed) ? parsed : undefined;
  const foreign = obj?.kind === 'StartOrder' && !isStartOrder(parsed) ? obj : undefined;
  if (foreign) {
    const which = foreign.apiVersion === undefined ? 'without apiVersion' : `of apiVersion ${JSON.stringify(foreign.apiVersion)}`;
    const message = `data.spec holds a StartOrder ${which}; startorder reads ${SPEC_API_VERSION}`;
    return {
      problem: { ...fcInvalid(file, at, message, `Set apiVersion: ${SPEC_API_VERSION} in data.spec, or give only the spec: part.`), code: 'spec-api-version' },
    };
  }
  const whole = isStartOrder(parsed);
  if (!whole && !isObj(parsed)) {
    const got = parsed === null ? 'nothing' : typeof parsed;
    return {
      problem: fcInvalid(file, at, `data.spec must be a YAML mapping (a StartOrder spec); got ${got}`, 'Put the StartOrder spec as YAML in data.spec.'),
    };
  }
  return { parsed, whole };
}

/** A ConfigMap functionConfig (kpt's `-- key=value`): data.spec holds the spec, other keys single fields. */
function specFromConfigMap(fc: Obj, file: string, rawAt: RawAt): FromConfig {
  const data: Obj = isObj(fc.data) ? fc.data : {};
  // kpt's function-input with no key=value arguments: specs come from the items themselves.
  if (Object.keys(data).length === 0) return { specObjects: [], diagnostics: [] };
  const problems = configMapProblems(data, file, rawAt);
  if (problems.length > 0) return { specObjects: [], diagnostics: problems };
  const { parsed, whole, problem } = parsedSpecText(data.spec as string, file);
  if (problem || !isObj(parsed)) return { specObjects: [], diagnostics: problem ? [problem] : [] };
  const spec: Obj = whole ? (isObj(parsed.spec) ? { ...parsed.spec } : {}) : { ...parsed };
  if (typeof data.mode === 'string') spec.mode = data.mode;
  if (typeof data.kubernetesVersion === 'string') spec.kubernetesVersion = data.kubernetesVersion;
  if (typeof data.runtimeImage === 'string') spec.runtime = { ...(isObj(spec.runtime) ? spec.runtime : {}), image: data.runtimeImage };
  const fcName = isObj(fc.metadata) && typeof fc.metadata.name === 'string' ? fc.metadata.name : KPT_FUNCTION_INPUT;
  const name = whole && isObj(parsed.metadata) && typeof parsed.metadata.name === 'string' ? parsed.metadata.name : fcName;
  const value: Obj = { apiVersion: whole ? String(parsed.apiVersion) : SPEC_API_VERSION, kind: 'StartOrder', metadata: { name }, spec };
  return { specObjects: [{ value, file, document: 0, path: ['functionConfig', 'data', 'spec'] }], diagnostics: [] };
}

/** The spec carried by a functionConfig: a StartOrder, or a ConfigMap whose data.spec holds one. */
export function specFromFunctionConfig(fc: unknown, file: string, rawAt: RawAt = () => undefined): FromConfig {
  if (fc === undefined || fc === null) return { specObjects: [], diagnostics: [] };
  if (isStartOrder(fc)) return { specObjects: [{ value: fc, file, document: 0, path: ['functionConfig'] }], diagnostics: [] };
  if (isObj(fc) && fc.kind === 'StartOrder') {
    const has = fc.apiVersion !== undefined;
    return {
      specObjects: [],
      diagnostics: [
        {
          ...fcInvalid(
            file,
            [has ? 'apiVersion' : 'kind'],
            has
              ? `the functionConfig is a StartOrder of apiVersion ${JSON.stringify(fc.apiVersion)}; startorder reads ${SPEC_API_VERSION}`
              : `the functionConfig is a StartOrder without apiVersion; startorder reads ${SPEC_API_VERSION}`,
            `Set apiVersion: ${SPEC_API_VERSION}.`,
          ),
          code: 'spec-api-version',
        },
      ],
    };
  }
  if (isObj(fc) && fc.kind === 'ConfigMap' && (fc.data === undefined || fc.data === null || isObj(fc.data))) return specFromConfigMap(fc, file, rawAt);
  return {
    specObjects: [],
    diagnostics: [
      fcInvalid(
        file,
        [],
        `functionConfig must be a StartOrder (apiVersion startorder.dev/v1alpha1), or a ConfigMap with the spec as YAML in data.spec; got ${isObj(fc) ? `${String(fc.apiVersion)}/${String(fc.kind)}` : typeof fc}`,
        'Point the function at a StartOrder resource as its functionConfig.',
      ),
    ],
  };
}
