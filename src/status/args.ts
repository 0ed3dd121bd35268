import { parseArgs } from 'node:util';

export interface StatusArgs {
  pod: string;
  namespace?: string;
  output: 'text' | 'json' | 'mermaid';
  kubeconfig?: string;
  context?: string;
  /** --request-timeout in milliseconds; 0: no limit. */
  requestTimeoutMs: number;
  help: boolean;
}

export class StatusUsageError extends Error {}

export const HELP = `startorder status POD [-n NAMESPACE] [--output text|json] [--format mermaid] [--kubeconfig FILE] [--context NAME]
                        [--request-timeout 30s]

Why is my pod waiting? Reads the pod through the Kubernetes API (the kubeconfig as kubectl reads it:
--kubeconfig, else $KUBECONFIG, ~/.kube/config, or the pod's service account in a cluster), the plan
startorder recorded on it, the wrapper's wait lines and termination messages, and the status files of
its run directory, and prints per container what it waits for and since when, when it started, became
ready and exited, why it failed, and a timeline of the pod's start-up. Each fact names its source.
As a kubectl plugin: kubectl startorder status POD -n NAMESPACE.

Options:
  -n, --namespace NS   the pod's namespace (default: the context's, else "default")
  -o, --output FMT     text (default) or json
      --format mermaid the timeline as a Mermaid gantt chart
      --kubeconfig F   the kubeconfig file to use
      --context C      the kubeconfig context to use
      --request-timeout D  how long one request to the API server may take, as kubectl takes it
                       (30s, 1m, 500ms, a number of seconds; 0: no limit; default 30s)
  -h, --help           this text

Exit codes: 0 shown; 1 the pod is not ordered by startorder (shown anyway); 2 usage or kubeconfig;
3 internal error; 4 the API server cannot be reached or refused the request; 5 no such pod.
`;

export function parseStatusArgs(argv: readonly string[]): StatusArgs {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        namespace: { type: 'string', short: 'n' },
        output: { type: 'string', short: 'o' },
        format: { type: 'string' },
        kubeconfig: { type: 'string' },
        context: { type: 'string' },
        'request-timeout': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (e) {
    throw new StatusUsageError((e as Error).message.split('\n')[0]);
  }
  const { values: v, positionals } = parsed;
  if (v.help) return { pod: '', output: 'text', requestTimeoutMs: 0, help: true };
  const requestTimeoutMs = duration(v['request-timeout'] ?? '30s');
  if (v.output !== undefined && v.output !== 'text' && v.output !== 'json') throw new StatusUsageError(`--output must be text or json, not "${v.output}"`);
  if (v.format !== undefined && v.format !== 'mermaid') throw new StatusUsageError(`--format must be mermaid, not "${v.format}"`);
  if (v.format !== undefined && v.output === 'json') throw new StatusUsageError('--format mermaid and --output json exclude each other');
  if (positionals.length !== 1)
    throw new StatusUsageError(
      positionals.length === 0 ? 'status needs the name of a pod' : `status takes one pod, got ${positionals.length}: ${positionals.join(' ')}`,
    );
  for (const [k, val] of Object.entries({ namespace: v.namespace, kubeconfig: v.kubeconfig, context: v.context })) {
    if (val === '') throw new StatusUsageError(`--${k} needs a value`);
  }
  return {
    pod: positionals[0]!,
    output: v.format === 'mermaid' ? 'mermaid' : v.output === 'json' ? 'json' : 'text',
    help: false,
    requestTimeoutMs,
    ...(v.namespace !== undefined ? { namespace: v.namespace } : {}),
    ...(v.kubeconfig !== undefined ? { kubeconfig: v.kubeconfig } : {}),
    ...(v.context !== undefined ? { context: v.context } : {}),
  };
}

/** kubectl's --request-timeout: a number of seconds, or a number with ms, s, m or h (and their sums: 1m30s). */
function duration(text: string): number {
  if (/^[0-9]+$/.test(text)) return Number(text) * 1000;
  const unit: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  const parts = [...text.matchAll(/([0-9]+(?:\.[0-9]+)?)(ms|s|m|h)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== text)
    throw new StatusUsageError(`--request-timeout must be a duration such as 30s, 1m or 0, not "${text}"`);
  return parts.reduce((sum, p) => sum + Number(p[1]) * unit[p[2]!]!, 0);
}
