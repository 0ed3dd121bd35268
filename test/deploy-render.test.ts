/**
 * deploy/ rendered by the REAL kustomize (alone, and with its cert-manager and fail Components) and
 * deploy/chart/startorder by the REAL Helm 3 and 4 (`helm lint`, `helm template`): what users apply.
 * The objects are asserted for what the issue asks (least RBAC, the selectors, reinvocation, the
 * restricted pod), the two renderings must agree modulo labels, and the webhook's PodSpec is checked
 * against the Kubernetes 1.34 PodSpec schema of schemas/k8s (the only Kubernetes schema the repo has).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parse } from 'yaml';
import { validatePodSpec } from '../src/validate/pod-schema.js';
import { CHART, DEPLOY, find, helm, helmTemplate, kustomize, matches, tool, withoutLabels, type K8sObject } from './deploy.js';
import { ROOT } from './integrations/tools.js';

const NS = 'startorder-system';
const VERSION = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version as string;

function kustomizeOr(t: { skip: (m: string) => void }) {
  const k = tool('kustomize');
  if ('skip' in k) return void t.skip(k.skip);
  return k.bin;
}
function helmOr(t: { skip: (m: string) => void }, which: 'helm3' | 'helm4' = 'helm3') {
  const h = tool(which);
  if ('skip' in h) return void t.skip(h.skip);
  return helm(h.bin);
}

const webhooks = (objs: K8sObject[]): [K8sObject, K8sObject] => [
  find(objs, 'MutatingWebhookConfiguration', 'startorder'),
  find(objs, 'ValidatingWebhookConfiguration', 'startorder'),
];

/** What every rendering must say, whatever the variant; `failurePolicy` and cert-manager per variant. */
function assertInstall(objs: K8sObject[], v: { failurePolicy: 'Ignore' | 'Fail'; certManager: boolean; namespace?: string }) {
  const ns = v.namespace ?? NS;
  // RBAC: get/list/watch StartOrders, nothing else, bound to the webhook's ServiceAccount only
  assert.deepEqual(
    objs.filter((o) => /^(Cluster)?Role(Binding)?$/.test(o.kind)).map((o) => o.kind),
    ['ClusterRole', 'ClusterRoleBinding'],
  );
  assert.deepEqual(find(objs, 'ClusterRole').rules, [{ apiGroups: ['startorder.dev'], resources: ['startorders'], verbs: ['get', 'list', 'watch'] }]);
  const binding = find(objs, 'ClusterRoleBinding');
  assert.deepEqual(binding.roleRef, { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'startorder-webhook' });
  assert.deepEqual(binding.subjects, [{ kind: 'ServiceAccount', name: 'startorder-webhook', namespace: ns }]);

  const deployment = find(objs, 'Deployment', 'startorder-webhook');
  const pod = deployment.spec.template;
  const [mutating, validating] = webhooks(objs);
  for (const [config, name, path] of [
    [mutating, 'pods.startorder.dev', '/mutate'],
    [validating, 'startorders.startorder.dev', '/validate'],
  ] as const) {
    assert.equal(config.webhooks.length, 1);
    const w = config.webhooks[0];
    assert.equal(w.name, name);
    assert.deepEqual(w.clientConfig, { service: { name: 'startorder-webhook', namespace: ns, path, port: 443 } });
    assert.deepEqual([w.failurePolicy, w.sideEffects, w.timeoutSeconds, w.matchPolicy], [v.failurePolicy, 'None', 3, 'Equivalent']);
    assert.deepEqual(w.admissionReviewVersions, ['v1']);
    // the namespaces it leaves out, asked of the selector itself
    const namespace = (n: string, extra: Record<string, string> = {}) => matches(w.namespaceSelector, { 'kubernetes.io/metadata.name': n, ...extra });
    assert.deepEqual(
      [
        namespace('kube-system'),
        namespace(ns),
        namespace('default', { 'startorder.dev/ignore': 'true' }),
        namespace('default'),
        namespace('shop', { team: 'a' }),
      ],
      [false, false, false, true, true],
    );
    assert.equal(config.metadata.annotations?.['cert-manager.io/inject-ca-from'], v.certManager ? `${ns}/startorder-webhook` : undefined);
    assert.equal(w.clientConfig.caBundle, undefined, 'the caBundle is injected, never rendered (a re-apply keeps it)');
  }
  const m = mutating.webhooks[0];
  assert.equal(m.reinvocationPolicy, 'IfNeeded');
  assert.deepEqual(m.rules, [{ apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE'], resources: ['pods'], scope: 'Namespaced' }]);
  assert.deepEqual(validating.webhooks[0].rules, [
    { apiGroups: ['startorder.dev'], apiVersions: ['v1alpha1'], operations: ['CREATE', 'UPDATE'], resources: ['startorders'], scope: 'Namespaced' },
  ]);
  // the opt-out label on a pod, and the webhook's own pods (labelled with it)
  assert.equal(matches(m.objectSelector, { app: 'web', 'startorder.dev/ignore': 'true' }), false);
  assert.equal(matches(m.objectSelector, { app: 'web' }), true);
  assert.equal(matches(m.objectSelector, pod.metadata.labels), false);

  assertDeployment(objs, deployment, ns);
  const certificates = objs.filter((o) => o.kind === 'Certificate');
  if (!v.certManager) return assert.deepEqual(certificates, []);
  const cert = find(objs, 'Certificate', 'startorder-webhook');
  assert.equal(cert.metadata.namespace, ns);
  assert.equal(cert.spec.secretName, 'startorder-webhook-tls');
  assert.ok(cert.spec.dnsNames.includes(`startorder-webhook.${ns}.svc`));
  const issuer = find(objs, 'Issuer', cert.spec.issuerRef.name);
  assert.deepEqual([issuer.metadata.namespace, issuer.spec], [ns, { selfSigned: {} }]);
}

function assertDeployment(objs: K8sObject[], d: K8sObject, ns: string) {
  assert.equal(d.metadata.namespace, ns);
  assert.equal(d.spec.replicas, 2);
  const pod = d.spec.template;
  assert.equal(pod.metadata.labels['startorder.dev/ignore'], 'true');
  assert.ok(matches(d.spec.selector, pod.metadata.labels));
  const spec = pod.spec;
  assert.equal(spec.serviceAccountName, 'startorder-webhook');
  assert.deepEqual(spec.securityContext, { runAsNonRoot: true, runAsUser: 65532, runAsGroup: 65532, seccompProfile: { type: 'RuntimeDefault' } });
  const [anti] = spec.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution;
  assert.equal(anti.podAffinityTerm.topologyKey, 'kubernetes.io/hostname');
  assert.ok(matches(anti.podAffinityTerm.labelSelector, pod.metadata.labels));
  assert.equal(spec.containers.length, 1);
  const [c] = spec.containers;
  assert.deepEqual(c.args.slice(0, 3), ['webhook', '--tls-cert-file=/etc/startorder/tls/tls.crt', '--tls-key-file=/etc/startorder/tls/tls.key']);
  assert.deepEqual(c.securityContext, {
    runAsNonRoot: true,
    runAsUser: 65532,
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: true,
    capabilities: { drop: ['ALL'] },
    seccompProfile: { type: 'RuntimeDefault' },
  });
  assert.deepEqual(c.ports, [{ name: 'https', containerPort: 8443, protocol: 'TCP' }]);
  assert.deepEqual(c.livenessProbe.httpGet, { path: '/healthz', port: 'https', scheme: 'HTTPS' });
  assert.deepEqual(c.readinessProbe.httpGet, { path: '/readyz', port: 'https', scheme: 'HTTPS' });
  assert.ok(c.resources.requests.cpu && c.resources.requests.memory && c.resources.limits.memory, JSON.stringify(c.resources));
  const tls = c.volumeMounts.find((m: any) => m.mountPath === '/etc/startorder/tls');
  assert.equal(tls.readOnly, true);
  assert.deepEqual(spec.volumes.find((v: any) => v.name === tls.name).secret, { secretName: 'startorder-webhook-tls' });
  assert.deepEqual(validatePodSpec(spec), [], 'the PodSpec is valid by the Kubernetes 1.34 schema');
  // the Service and the PDB select exactly these pods
  const service = find(objs, 'Service', 'startorder-webhook');
  assert.deepEqual(service.spec.ports, [{ name: 'https', port: 443, targetPort: 'https', protocol: 'TCP' }]);
  assert.ok(matches({ matchLabels: service.spec.selector }, pod.metadata.labels));
  const pdb = find(objs, 'PodDisruptionBudget', 'startorder-webhook');
  assert.equal(pdb.spec.minAvailable, 1);
  assert.ok(matches(pdb.spec.selector, pod.metadata.labels));
  assert.equal(find(objs, 'ServiceAccount', 'startorder-webhook').metadata.namespace, ns);
}

test('kustomize: deploy/ (TLS from `startorder webhook certs`, failurePolicy Ignore)', (t) => {
  const k = kustomizeOr(t);
  if (!k) return;
  const objs = kustomize(k);
  assertInstall(objs, { failurePolicy: 'Ignore', certManager: false });
  assert.equal(find(objs, 'Namespace', NS).metadata.name, NS);
  assert.equal(find(objs, 'CustomResourceDefinition').metadata.name, 'startorders.startorder.dev');
  // the image kustomize sets (kustomize edit set image) names this version
  assert.equal(find(objs, 'Deployment').spec.template.spec.containers[0].image, `ghcr.io/startorder-dev/startorder:v${VERSION}`);
});

test('kustomize: deploy/ with the cert-manager Component, the fail Component, and both', (t) => {
  const k = kustomizeOr(t);
  if (!k) return;
  assertInstall(kustomize(k, ['cert-manager']), { failurePolicy: 'Ignore', certManager: true });
  assertInstall(kustomize(k, ['fail']), { failurePolicy: 'Fail', certManager: false });
  assertInstall(kustomize(k, ['cert-manager', 'fail']), { failurePolicy: 'Fail', certManager: true });
});

test('the CRD kustomize applies is deploy/crd.yaml, and the chart ships the same file', (t) => {
  const k = kustomizeOr(t);
  if (!k) return;
  const generated = parse(readFileSync(join(DEPLOY, 'crd.yaml'), 'utf8'));
  assert.deepEqual(withoutLabels(find(kustomize(k), 'CustomResourceDefinition')), withoutLabels(generated));
  assert.equal(readFileSync(join(CHART, 'crds', 'crd.yaml'), 'utf8'), readFileSync(join(DEPLOY, 'crd.yaml'), 'utf8'));
});

for (const which of ['helm3', 'helm4'] as const) {
  test(`${which} lint --strict: the chart, with default values and with certManager.enabled and failurePolicy Fail`, (t) => {
    const h = helmOr(t, which);
    if (!h) return;
    for (const set of [[], ['--set', 'certManager.enabled=true', '--set', 'failurePolicy=Fail']]) {
      const r = h('lint', '--strict', CHART, ...set);
      assert.equal(r.status, 0, r.stdout + r.stderr);
      assert.match(r.stdout, /1 chart\(s\) linted, 0 chart\(s\) failed/);
    }
  });
}

test('helm template: default values, certManager.enabled, failurePolicy Fail, and both', (t) => {
  const h = helmOr(t);
  if (!h) return;
  assertInstall(helmTemplate(h), { failurePolicy: 'Ignore', certManager: false });
  assertInstall(helmTemplate(h, ['certManager.enabled=true']), { failurePolicy: 'Ignore', certManager: true });
  assertInstall(helmTemplate(h, ['failurePolicy=Fail']), { failurePolicy: 'Fail', certManager: false });
  assertInstall(helmTemplate(h, ['certManager.enabled=true', 'failurePolicy=Fail']), { failurePolicy: 'Fail', certManager: true });
});

test('helm template: another release namespace is left out and named everywhere', (t) => {
  const h = helmOr(t);
  if (!h) return;
  assertInstall(helmTemplate(h, ['certManager.enabled=true'], 'webhooks'), { failurePolicy: 'Ignore', certManager: true, namespace: 'webhooks' });
});

test('helm template: the values the chart offers reach the objects', (t) => {
  const h = helmOr(t);
  if (!h) return;
  const digest = `sha256:${'ab'.repeat(32)}`;
  const objs = helmTemplate(h, [
    `image.digest=${digest}`,
    'replicas=3',
    'timeoutSeconds=5',
    'onError=deny',
    'runtimeImage=registry.example/entrypoint:v1',
    'namespaceSelector.matchExpressions[0].key=team',
    'namespaceSelector.matchExpressions[0].operator=In',
    'namespaceSelector.matchExpressions[0].values[0]=payments',
    'nodeSelector.pool=system',
    'tolerations[0].key=dedicated',
    'tolerations[0].operator=Exists',
  ]);
  const d = find(objs, 'Deployment');
  const [c] = d.spec.template.spec.containers;
  assert.equal(c.image, `ghcr.io/startorder-dev/startorder@${digest}`);
  assert.equal(d.spec.replicas, 3);
  assert.deepEqual(c.args.slice(3), ['--on-error=deny', '--runtime-image=registry.example/entrypoint:v1']);
  assert.deepEqual(d.spec.template.spec.nodeSelector, { pool: 'system' });
  assert.deepEqual(d.spec.template.spec.tolerations, [{ key: 'dedicated', operator: 'Exists' }]);
  for (const config of webhooks(objs)) {
    const w = config.webhooks[0];
    assert.equal(w.timeoutSeconds, 5);
    const sel = (labels: Record<string, string>) => matches(w.namespaceSelector, { 'kubernetes.io/metadata.name': 'shop', ...labels });
    assert.deepEqual([sel({ team: 'payments' }), sel({ team: 'search' }), sel({})], [true, false, false]);
  }
  assert.equal(find(helmTemplate(h), 'Deployment').spec.template.spec.containers[0].image, `ghcr.io/startorder-dev/startorder:v${VERSION}`);
});

test('helm template refuses values outside values.schema.json', (t) => {
  const h = helmOr(t);
  if (!h) return;
  for (const [set, where] of [
    ['failurePolicy=Sometimes', /failurePolicy/],
    ['timeoutSeconds=31', /timeoutSeconds/],
    ['onError=ignore', /onError/],
  ] as const) {
    const r = h('template', 'startorder', CHART, '--set', set);
    assert.notEqual(r.status, 0, set);
    assert.match(r.stderr, where);
  }
});

test('kustomize and Helm render the same objects, modulo labels (defaults; cert-manager with Fail)', (t) => {
  const k = kustomizeOr(t);
  const h = helmOr(t);
  if (!k || !h) return;
  for (const [components, set] of [
    [[], []],
    [
      ['cert-manager', 'fail'],
      ['certManager.enabled=true', 'failurePolicy=Fail'],
    ],
  ] as const) {
    const byId = (objs: K8sObject[]) => new Map(objs.map((o) => [`${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`, withoutLabels(o)]));
    const fromKustomize = byId(kustomize(k, [...components]));
    const fromHelm = byId(helmTemplate(h, [...set]));
    // Helm installs into a namespace it is given (--create-namespace); kustomize brings its own
    assert.deepEqual(
      [...fromKustomize.keys()].filter((id) => !fromHelm.has(id)),
      [`Namespace//${NS}`],
    );
    assert.deepEqual(
      [...fromHelm.keys()].filter((id) => !fromKustomize.has(id)),
      [],
    );
    for (const [id, o] of fromHelm) assert.deepEqual(o, fromKustomize.get(id), id);
  }
});

test('the chart says how to make the TLS Secret without cert-manager (NOTES.txt, by Helm 4: its client dry run needs no cluster)', (t) => {
  const h = helmOr(t, 'helm4');
  if (!h) return;
  const notes = (set: string[]) => {
    const r = h('install', 'startorder', CHART, '--dry-run=client', '--namespace', 'webhooks', ...set);
    assert.equal(r.status, 0, r.stderr);
    return r.stdout.slice(r.stdout.indexOf('NOTES:'));
  };
  assert.match(notes([]), /startorder webhook certs --namespace webhooks/);
  assert.doesNotMatch(notes(['--set', 'certManager.enabled=true']), /webhook certs/);
});
