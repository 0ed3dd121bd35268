// The kubeconfig as kubectl reads it, for client-node: --kubeconfig, else $KUBECONFIG (a list of
// files, of which missing ones are passed over, as kubectl does), ~/.kube/config, in-cluster; --context.
// A plain-http server (kubectl talks to it) is accepted: client-node refuses http:// unless the
// cluster says skipTLSVerify, which means nothing without TLS.
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import type * as K8s from '@kubernetes/client-node';
import { StatusExit } from './exit.js';

export class StatusError extends Error {
  constructor(
    message: string,
    readonly exit: number,
  ) {
    super(message);
  }
}

export interface Target {
  kubeconfig?: string;
  context?: string;
  namespace?: string;
  /** Milliseconds a request to the API server may take; 0 or absent: no limit. */
  requestTimeoutMs?: number;
  env: Record<string, string | undefined>;
}

const SERVICE_ACCOUNT_TOKEN = '/var/run/secrets/kubernetes.io/serviceaccount/token';

/** Whether loadFromDefault finds something; without, it would quietly try http://localhost:8080. */
function hasDefaultConfig(env: Target['env']): boolean {
  if (kubeconfigFiles(env).length > 0) return true;
  if (env.HOME && existsSync(join(env.HOME, '.kube', 'config'))) return true;
  return existsSync(SERVICE_ACCOUNT_TOKEN);
}

/** The kubeconfig as kubectl reads it: --kubeconfig, else $KUBECONFIG (a list), ~/.kube/config, in-cluster. */
export function kubeConfig(k: typeof K8s, t: Target): K8s.KubeConfig {
  const kc = new k.KubeConfig();
  const saved = process.env.KUBECONFIG;
  try {
    if (t.kubeconfig) kc.loadFromFile(t.kubeconfig);
    else {
      if (!hasDefaultConfig(t.env))
        throw new StatusError(
          'no kubeconfig: $KUBECONFIG is not set, ~/.kube/config does not exist, and this is not a pod with a service account (pass --kubeconfig)',
          StatusExit.usage,
        );
      // loadFromDefault reads process.env; the command's own env is what counts
      const files = kubeconfigFiles(t.env);
      if (files.length === 0) delete process.env.KUBECONFIG;
      else process.env.KUBECONFIG = files.join(delimiter);
      kc.loadFromDefault();
    }
  } catch (e) {
    if (e instanceof StatusError) throw e;
    throw new StatusError(`cannot read the kubeconfig: ${(e as Error).message}`, StatusExit.usage);
  } finally {
    if (saved === undefined) delete process.env.KUBECONFIG;
    else process.env.KUBECONFIG = saved;
  }
  if (t.context) {
    if (!kc.getContextObject(t.context)) throw new StatusError(`no context "${t.context}" in the kubeconfig`, StatusExit.usage);
    kc.setCurrentContext(t.context);
  }
  if (!kc.getCurrentCluster()) throw new StatusError('the kubeconfig has no current cluster (set current-context, or pass --context)', StatusExit.usage);
  return plainHttpAllowed(k, kc);
}

/** The files of $KUBECONFIG that exist, in order (kubectl ignores the missing ones). */
function kubeconfigFiles(env: Target['env']): string[] {
  return (env.KUBECONFIG ?? '').split(delimiter).filter((f) => f !== '' && existsSync(f));
}

/** The same config, with skipTLSVerify on the http:// clusters so that client-node talks to them. */
function plainHttpAllowed(k: typeof K8s, kc: K8s.KubeConfig): K8s.KubeConfig {
  if (!kc.clusters.some((c) => c.server.startsWith('http://'))) return kc;
  const out = new k.KubeConfig();
  out.loadFromOptions({
    clusters: kc.clusters.map((c) => (c.server.startsWith('http://') ? { ...c, skipTLSVerify: true } : c)),
    users: kc.users,
    contexts: kc.contexts,
    currentContext: kc.getCurrentContext(),
  });
  return out;
}
