/** `startorder webhook`: the flags, then the store, the server and the certificate reloader started. */
import { parseArgs } from 'node:util';
import { KUBERNETES_VERSION } from '../kube/index.js';
import type { SpecDefaults } from '../spec/normalize.js';
import { kubeTransport, serverVersion, type Transport } from './kube.js';
import type { OnError } from './mutate.js';
import { webhookServer, type WebhookServer } from './server.js';
import { StartOrderStore } from './store.js';
import { readPair, watchPair, type Reloader } from './tls-files.js';
import { warmUp } from './warm-up.js';

export const WEBHOOK_USAGE = `usage: startorder webhook [--port 8443] [--tls-cert-file FILE] [--tls-key-file FILE] [--on-error allow|deny]
                          [--runtime-image REF] [--kubernetes-version V] [--kubeconfig FILE] [--namespace-scope NS]
       startorder webhook certs --namespace NS [--service S] [--secret S] [--webhook-config NAME] [--days N] [--dry-run] [-o yaml|json]

The admission webhook (HTTPS only): POST /mutate orders the containers of each Pod created in a namespace whose
StartOrder selects it (or that carries a startorder.dev/spec annotation); POST /validate checks StartOrders (schema,
cycles, ambiguous overlap); GET /healthz, /readyz (after the first list of StartOrders), /metrics (Prometheus).

  --port N                  listen port (default 8443)
  --tls-cert-file FILE      serving certificate, re-read when it changes (default /etc/startorder/tls/tls.crt)
  --tls-key-file FILE       its key (default /etc/startorder/tls/tls.key)
  --on-error allow|deny     a pod whose spec has an error: admitted unchanged with a warning (allow, default), or refused
  --runtime-image REF       the wrapper image (default: the digest-pinned image of this release)
  --kubernetes-version V    the cluster's version for native sidecars (default: the API server's /version)
  --kubeconfig FILE         default: $KUBECONFIG, ~/.kube/config, else the pod's service account
  --namespace-scope NS      watch the StartOrders of NS only (default: every namespace)

Examples:
  startorder webhook                                   in the Deployment of deploy/ (args: ["webhook"])
  startorder webhook --on-error deny --namespace-scope shop
  startorder webhook certs --namespace startorder-system   CA + serving cert: the Secret, and caBundle patched
  startorder webhook certs --namespace startorder-system --dry-run -o yaml

Exit codes: 0 stopped by SIGTERM/SIGINT; 2 usage (a bad flag, unreadable TLS files or kubeconfig, the port in use).
Docs: docs/webhook.md.`;

export class WebhookUsageError extends Error {}

export interface WebhookFlags {
  port: number;
  certFile: string;
  keyFile: string;
  onError: OnError;
  runtimeImage?: string;
  kubernetesVersion?: string;
  kubeconfig?: string;
  namespace?: string;
  host?: string;
}

export function parseWebhookFlags(argv: readonly string[]): WebhookFlags | 'help' {
  const { values, positionals } = parseArgs({
    args: [...argv],
    strict: true,
    allowPositionals: true,
    options: {
      port: { type: 'string', default: '8443' },
      'tls-cert-file': { type: 'string', default: '/etc/startorder/tls/tls.crt' },
      'tls-key-file': { type: 'string', default: '/etc/startorder/tls/tls.key' },
      'on-error': { type: 'string', default: 'allow' },
      'runtime-image': { type: 'string' },
      'kubernetes-version': { type: 'string' },
      kubeconfig: { type: 'string' },
      'namespace-scope': { type: 'string' },
      address: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return 'help';
  if (positionals.length > 0) throw new WebhookUsageError(`unexpected argument: ${positionals[0]}`);
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new WebhookUsageError(`--port: not a port number: ${values.port}`);
  if (values['on-error'] !== 'allow' && values['on-error'] !== 'deny') throw new WebhookUsageError(`--on-error: allow or deny, not ${values['on-error']}`);
  const v = values['kubernetes-version'];
  if (v !== undefined && !KUBERNETES_VERSION.test(v)) throw new WebhookUsageError(`--kubernetes-version: not a version like 1.33: ${v}`);
  return {
    port,
    certFile: values['tls-cert-file'],
    keyFile: values['tls-key-file'],
    onError: values['on-error'],
    ...(values['runtime-image'] ? { runtimeImage: values['runtime-image'] } : {}),
    ...(v ? { kubernetesVersion: v.replace(/^v/, '') } : {}),
    ...(values.kubeconfig ? { kubeconfig: values.kubeconfig } : {}),
    ...(values['namespace-scope'] ? { namespace: values['namespace-scope'] } : {}),
    ...(values.address ? { host: values.address } : {}),
  };
}

export interface RunningWebhook {
  port: number;
  store: StartOrderStore;
  reloader: Reloader;
  defaults: SpecDefaults;
  /** /readyz says 503 from now on (the pod leaves the Service's endpoints), admissions are still answered. */
  drain(): void;
  close(): Promise<void>;
}

/** The version from /version, asked again with back-off until it answers (not ready until then). */
async function learnVersion(t: Transport, defaults: SpecDefaults, stopped: () => boolean, log: (l: string) => void): Promise<void> {
  for (let delay = 500; !stopped(); delay = Math.min(delay * 2, 30_000)) {
    try {
      const v = await serverVersion(t);
      if (v) defaults.kubernetesVersion = v;
      log(JSON.stringify({ kubernetesVersion: v ?? 'unknown (auto mode uses the wrapper)' }));
      return;
    } catch (e) {
      log(JSON.stringify({ version: 'error', error: (e as Error).message, retryInMs: delay }));
      await new Promise((r) => setTimeout(r, delay));
    }
  }
}

async function transportOf(f: WebhookFlags, given?: Transport): Promise<Transport> {
  try {
    return given ?? (await kubeTransport(f.kubeconfig));
  } catch (e) {
    throw new WebhookUsageError((e as Error).message);
  }
}

/**
 * Starts everything; `transport` and `reloadMs` are for tests. The server listens first (/healthz
 * answers while @kubernetes/client-node loads, which takes seconds), /readyz once the StartOrders
 * are listed and the cluster's version is known.
 */
export async function startWebhook(
  f: WebhookFlags,
  o: { log?: (line: string) => void; transport?: Transport; reloadMs?: number } = {},
): Promise<RunningWebhook> {
  const log = o.log ?? ((line: string) => void process.stdout.write(`${line}\n`));
  const pair = await readPair(f.certFile, f.keyFile).catch((e: Error) => {
    throw new WebhookUsageError(`cannot read the TLS files: ${e.message}`);
  });
  const defaults: SpecDefaults = {
    ...(f.kubernetesVersion ? { kubernetesVersion: f.kubernetesVersion } : {}),
    ...(f.runtimeImage ? { runtimeImage: f.runtimeImage } : {}),
  };
  const state = { stopped: false, draining: false, versionKnown: f.kubernetesVersion !== undefined, store: undefined as StartOrderStore | undefined };
  const server: WebhookServer = webhookServer({
    ...pair,
    store: { list: (ns) => state.store?.list(ns) ?? [], synced: () => !state.draining && state.versionKnown && (state.store?.synced() ?? false) },
    mutate: { defaults, onError: f.onError },
    log,
  });
  const address = await server.listen(f.port, f.host).catch((e: Error) => {
    throw new WebhookUsageError(`cannot listen on port ${f.port}: ${e.message}`);
  });
  warmUp({ ...defaults, kubernetesVersion: defaults.kubernetesVersion ?? '1.33' });
  const reloader = watchPair(f, pair, (p) => server.setCertificate(p.cert, p.key), log, o.reloadMs);
  const close = async (): Promise<void> => {
    state.stopped = true;
    reloader.stop();
    await Promise.all([server.close(), state.store?.stop()]);
  };
  const transport = await transportOf(f, o.transport).catch(async (e: Error) => {
    await close();
    throw e;
  });
  const store = (state.store = new StartOrderStore({ transport, ...(f.namespace ? { namespace: f.namespace } : {}), log }));
  if (!state.versionKnown) void learnVersion(transport, defaults, () => state.stopped, log).then(() => (state.versionKnown = true));
  store.start();
  log(JSON.stringify({ listening: address.port, api: transport.server, namespaceScope: f.namespace ?? 'all', onError: f.onError }));
  return {
    port: address.port,
    store,
    reloader,
    defaults,
    drain: () => {
      state.draining = true;
      server.drain();
    },
    close,
  };
}
