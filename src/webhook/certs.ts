/**
 * `startorder webhook certs`: a CA and a serving certificate for the webhook's Service, written as a
 * Secret (type kubernetes.io/tls, with ca.crt), and the CA as caBundle of every webhook of the
 * Mutating- and ValidatingWebhookConfiguration. --dry-run prints the Secret and the patches instead.
 */
import { parseArgs } from 'node:util';
import { stringify } from 'yaml';
import type { Obj } from '../kube/index.js';
import { ApiError, json, kubeTransport, type Transport } from './kube.js';
import { makeCertificates, serviceNames, type Certificates } from './openssl.js';
import { WebhookUsageError } from './command.js';

export interface CertsFlags {
  namespace: string;
  service: string;
  secret: string;
  webhookConfig: string;
  days: number;
  dryRun: boolean;
  output: 'yaml' | 'json';
  kubeconfig?: string;
}

export function parseCertsFlags(argv: readonly string[]): CertsFlags | 'help' {
  const { values, positionals } = parseArgs({
    args: [...argv],
    strict: true,
    allowPositionals: true,
    options: {
      namespace: { type: 'string', short: 'n' },
      service: { type: 'string', default: 'startorder-webhook' },
      secret: { type: 'string', default: 'startorder-webhook-tls' },
      'webhook-config': { type: 'string', default: 'startorder' },
      days: { type: 'string', default: '365' },
      'dry-run': { type: 'boolean', default: false },
      output: { type: 'string', short: 'o', default: 'yaml' },
      kubeconfig: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return 'help';
  if (positionals.length > 0) throw new WebhookUsageError(`unexpected argument: ${positionals[0]}`);
  if (!values.namespace) throw new WebhookUsageError('--namespace is required (the namespace of the webhook, e.g. startorder-system)');
  const days = Number(values.days);
  if (!Number.isInteger(days) || days < 1) throw new WebhookUsageError(`--days: a whole number of days, not ${values.days}`);
  if (values.output !== 'yaml' && values.output !== 'json') throw new WebhookUsageError(`-o: yaml or json, not ${values.output}`);
  return {
    namespace: values.namespace,
    service: values.service,
    secret: values.secret,
    webhookConfig: values['webhook-config'],
    days,
    dryRun: values['dry-run'],
    output: values.output,
    ...(values.kubeconfig ? { kubeconfig: values.kubeconfig } : {}),
  };
}

const b64 = (s: string): string => Buffer.from(s).toString('base64');

export function secretOf(f: CertsFlags, c: Certificates): Obj {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: {
      name: f.secret,
      namespace: f.namespace,
      labels: { 'app.kubernetes.io/name': 'startorder-webhook', 'app.kubernetes.io/managed-by': 'startorder-webhook-certs' },
    },
    type: 'kubernetes.io/tls',
    data: { 'tls.crt': b64(c.cert), 'tls.key': b64(c.key), 'ca.crt': b64(c.caCert) },
  };
}

export const CONFIG_KINDS = [
  { kind: 'MutatingWebhookConfiguration', plural: 'mutatingwebhookconfigurations' },
  { kind: 'ValidatingWebhookConfiguration', plural: 'validatingwebhookconfigurations' },
] as const;

/**
 * The caBundle for a webhook: the new CA, then the CA it had before, if any, so that the apiserver
 * trusts the old serving certificate until the pods have read the new one from the Secret.
 */
export function bundleOf(caCert: string, previous?: string): string {
  const old = previous ? /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----\n?/.exec(Buffer.from(previous, 'base64').toString())?.[0] : undefined;
  const bundle = old && old.trim() !== caCert.trim() ? `${caCert.trimEnd()}\n${old.trimEnd()}\n` : caCert;
  return b64(bundle);
}

/** The JSON Patch that sets caBundle on the webhooks (by index, each checked by its name first). */
export function caBundlePatch(webhooks: readonly { name: string; caBundle?: string }[], caCert: string): Obj[] {
  return webhooks.flatMap((w, i) => [
    { op: 'test', path: `/webhooks/${i}/name`, value: w.name },
    { op: 'add', path: `/webhooks/${i}/clientConfig/caBundle`, value: bundleOf(caCert, w.caBundle) },
  ]);
}

/** The names of the contract's webhooks, for a dry run (no API to ask). */
const CONTRACT_WEBHOOKS: Record<string, string> = {
  MutatingWebhookConfiguration: 'pods.startorder.dev',
  ValidatingWebhookConfiguration: 'startorders.startorder.dev',
};

function dryRun(f: CertsFlags, c: Certificates): string {
  const patches = CONFIG_KINDS.map(({ kind }) => ({
    kind,
    name: f.webhookConfig,
    type: 'json',
    patch: caBundlePatch([{ name: CONTRACT_WEBHOOKS[kind]! }], c.caCert),
  }));
  if (f.output === 'json') return `${JSON.stringify({ secret: secretOf(f, c), patches }, null, 2)}\n`;
  const docs = [
    `# kubectl apply -f - (the Secret)\n${stringify(secretOf(f, c))}`,
    ...patches.map((p) => `# kubectl patch ${p.kind.toLowerCase()} ${p.name} --type=json -p "$(this document as JSON)"\n${stringify(p)}`),
  ];
  return docs.join('---\n');
}

async function writeSecret(t: Transport, f: CertsFlags, secret: Obj): Promise<'created' | 'updated'> {
  const base = `/api/v1/namespaces/${encodeURIComponent(f.namespace)}/secrets`;
  try {
    const old = (await json(t, 'GET', `${base}/${encodeURIComponent(f.secret)}`)) as { metadata?: { resourceVersion?: string } };
    const value = { ...secret, metadata: { ...(secret.metadata as Obj), resourceVersion: old.metadata?.resourceVersion } };
    await json(t, 'PUT', `${base}/${encodeURIComponent(f.secret)}`, { type: 'application/json', value });
    return 'updated';
  } catch (e) {
    if (!(e instanceof ApiError && e.status === 404)) throw e;
    await json(t, 'POST', base, { type: 'application/json', value: secret });
    return 'created';
  }
}

/** Patches caBundle of one configuration; false when it does not exist (yet). */
async function patchConfig(t: Transport, plural: string, name: string, caCert: string): Promise<boolean> {
  const path = `/apis/admissionregistration.k8s.io/v1/${plural}/${encodeURIComponent(name)}`;
  let config: { webhooks?: { name?: string; clientConfig?: { caBundle?: string } }[] };
  try {
    config = (await json(t, 'GET', path)) as typeof config;
  } catch (e) {
    if (e instanceof ApiError && e.status === 404) return false;
    throw e;
  }
  const webhooks = (config.webhooks ?? []).map((w) => ({ name: String(w.name), ...(w.clientConfig?.caBundle ? { caBundle: w.clientConfig.caBundle } : {}) }));
  if (webhooks.length > 0) await json(t, 'PATCH', path, { type: 'application/json-patch+json', value: caBundlePatch(webhooks, caCert) });
  return true;
}

/** The command; returns the exit code. `transport` for tests. */
export async function certsCommand(f: CertsFlags, io: { stdout(s: string): void; stderr(s: string): void }, transport?: Transport): Promise<number> {
  const c = await makeCertificates({ dnsNames: serviceNames(f.service, f.namespace), days: f.days });
  if (f.dryRun) {
    io.stdout(dryRun(f, c));
    return 0;
  }
  const t = transport ?? (await kubeTransport(f.kubeconfig));
  const how = await writeSecret(t, f, secretOf(f, c));
  io.stderr(`startorder: Secret ${f.namespace}/${f.secret} ${how} (CA and serving certificate for ${f.service}.${f.namespace}.svc, ${f.days} days)\n`);
  let missing = 0;
  for (const { kind, plural } of CONFIG_KINDS) {
    if (await patchConfig(t, plural, f.webhookConfig, c.caCert)) io.stderr(`startorder: ${kind} ${f.webhookConfig}: caBundle set\n`);
    else {
      missing++;
      io.stderr(`startorder: ${kind} ${f.webhookConfig} not found: apply deploy/ and run this again to set its caBundle\n`);
    }
  }
  return missing > 0 ? 1 : 0;
}
