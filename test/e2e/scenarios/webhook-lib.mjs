// Helpers of the admission-webhook scenarios (15-…): the webhook deployed from deploy/ as users deploy
// it (the real kustomize, `kubectl apply`, `startorder webhook certs`), the test injector that plays
// Istio's sidecar injector, a lock so the scenarios that change cluster-wide state run one at a time,
// and a burst of pod creations sent straight to the apiserver (test/e2e/burst.mjs).
//
// One change to deploy/ for the suite: the webhooks' namespaceSelector also requires the namespace
// label e2e.startorder.dev/webhook=on (an overlay patch), so the other scenarios, which run at the same
// time, never meet the webhook — not even while a scenario has it scaled to 0 with failurePolicy Fail.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { REPO, RUNTIME_IMAGE, assert, env, kubectlAsync, getJSON, toYaml, waitFor, sleep, podReady } from './lib.mjs';

export const WEBHOOK_NS = 'startorder-system';
export const WEBHOOK_DEPLOY = 'startorder-webhook';
/** The namespace label the overlay adds to the webhooks' namespaceSelector. */
export const E2E_LABEL = 'e2e.startorder.dev/webhook';
export const webhookLabels = (extra = {}) => ({ [E2E_LABEL]: 'on', ...extra });
/** The image name deploy/ uses; the overlay points it at the cluster's registry, by digest. */
const DEPLOY_IMAGE = 'ghcr.io/startorder-dev/startorder';
export const INJECTOR_IMAGE = 'localhost/startorder/injector:e2e';
export const INJECTOR_NS = 'e2e-istio-system';
const NETNS = () => readFileSync(join(env.stateDir, 'netns'), 'utf8').trim();

// ---------------------------------------------------------------- one at a time
let chain = Promise.resolve();
/** Runs fn after every fn given before it has finished (the webhook is one per cluster). */
export function exclusive(fn) {
  const run = chain.then(fn, fn);
  chain = run.catch(() => {});
  return run;
}

// ---------------------------------------------------------------- the webhook image and deploy/
/** REGISTRY/REPO:TAG@DIGEST that scripts/e2e.mjs pushed (scripts/webhook-image.mjs), or undefined. */
export function webhookImage() {
  if (process.env.E2E_WEBHOOK_IMAGE) return process.env.E2E_WEBHOOK_IMAGE;
  const f = env.stateDir && join(env.stateDir, 'webhook-image');
  return f && existsSync(f) ? readFileSync(f, 'utf8').trim() : undefined;
}

/** Why the webhook scenarios cannot run here, or undefined. */
export function cannotDeploy() {
  if (!existsSync(join(REPO, 'deploy', 'kustomization.yaml'))) return 'deploy/kustomization.yaml is not in this tree (the deploy/ branch is not merged)';
  if (!webhookImage()) return 'no webhook image was pushed (scripts/e2e.mjs writes STATE_DIR/webhook-image)';
  return undefined;
}

let kustomizeBin;
/** The real kustomize, built once from the Go module proxy by scripts/tools/build-tools.sh. */
export function kustomize() {
  if (!kustomizeBin) {
    const r = spawnSync(join(REPO, 'scripts', 'tools', 'build-tools.sh'), ['path', 'kustomize'], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`build-tools.sh path kustomize: ${r.stderr}`);
    kustomizeBin = r.stdout.trim().split('\n').pop();
  }
  return kustomizeBin;
}

/** `kustomize build` of an overlay of deploy/ (and deploy/fail for failurePolicy Fail): YAML text. */
export function renderDeploy({ failurePolicy = 'Ignore' } = {}) {
  const image = webhookImage();
  const [name, digest] = image.split('@');
  const dir = mkdtempSync(join(tmpdir(), 'so-e2e-deploy-'));
  const selectorPatch = (kind) => ({
    target: { group: 'admissionregistration.k8s.io', kind, name: 'startorder' },
    patch: toYaml([[{ op: 'add', path: '/webhooks/0/namespaceSelector/matchExpressions/-', value: { key: E2E_LABEL, operator: 'In', values: ['on'] } }]]),
  });
  const k = {
    apiVersion: 'kustomize.config.k8s.io/v1beta1',
    kind: 'Kustomization',
    // kustomize takes a kustomization directory only by a relative path
    resources: [relative(dir, join(REPO, 'deploy'))],
    ...(failurePolicy === 'Fail' ? { components: [relative(dir, join(REPO, 'deploy', 'fail'))] } : {}),
    images: [{ name: DEPLOY_IMAGE, newName: name.replace(/:[^/:]+$/, ''), digest }],
    patches: [
      selectorPatch('MutatingWebhookConfiguration'),
      selectorPatch('ValidatingWebhookConfiguration'),
      {
        target: { group: 'apps', kind: 'Deployment', name: WEBHOOK_DEPLOY },
        patch: toYaml([[{ op: 'add', path: '/spec/template/spec/containers/0/args/-', value: `--runtime-image=${RUNTIME_IMAGE}` }]]),
      },
    ],
  };
  writeFileSync(join(dir, 'kustomization.yaml'), toYaml([k]));
  try {
    const r = spawnSync(kustomize(), ['build', dir], { encoding: 'utf8', maxBuffer: 64 << 20 });
    if (r.status !== 0) throw new Error(`kustomize build (overlay of deploy/): ${r.stderr}`);
    return r.stdout;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs the CLI in the cluster's network namespace with the admin kubeconfig (the apiserver is on its 127.0.0.1). */
export function cliInCluster(args, { timeoutMs = 120000 } = {}) {
  const r = spawnSync('nsenter', [`--net=/run/netns/${NETNS()}`, process.execPath, join(REPO, 'bin', 'startorder.js'), ...args], {
    encoding: 'utf8',
    timeout: timeoutMs,
    env: { ...process.env, KUBECONFIG: env.kubeconfig },
  });
  return r;
}

/** The webhook's pods: all (terminating ones too), items (not terminating), ready. */
export async function webhookPods() {
  const l = await getJSON(['-n', WEBHOOK_NS, 'get', 'pods', '-l', `app.kubernetes.io/name=${WEBHOOK_DEPLOY}`]);
  const all = l?.items || [];
  const items = all.filter((p) => !p.metadata.deletionTimestamp);
  return { all, items, ready: items.filter(podReady) };
}

/** Addresses of the Service's EndpointSlices that are ready (what kube-proxy routes to). */
export async function readyEndpoints(ns = WEBHOOK_NS, service = WEBHOOK_DEPLOY) {
  const l = await getJSON(['-n', ns, 'get', 'endpointslices', '-l', `kubernetes.io/service-name=${service}`]);
  return (l?.items || []).flatMap((s) => (s.endpoints || []).filter((e) => e.conditions?.ready).flatMap((e) => e.addresses));
}

export async function waitWebhookReady(replicas = 2, log = () => {}) {
  const t0 = Date.now();
  // exactly `replicas` pods, all Ready, none terminating: a rollout (a new image) is over
  await waitFor(
    async () => {
      const { all, ready } = await webhookPods();
      return all.length === replicas && ready.length === replicas && (await readyEndpoints()).length === replicas;
    },
    180000,
    `${replicas} ready webhook replicas`,
    500,
  );
  log(`webhook: ${replicas} replicas ready and in the Service's endpoints (${((Date.now() - t0) / 1000).toFixed(1)}s)`);
}

let installed;
/**
 * Deploys the webhook once per run (later calls wait for the same install): `kustomize build` of the
 * overlay | `kubectl apply`, then `startorder webhook certs`, then both replicas Ready.
 */
export function installWebhook(log) {
  installed ??= (async () => {
    const t0 = Date.now();
    await applyText(renderDeploy());
    await waitFor(
      async () => (await kubectlAsync(['get', 'crd', 'startorders.startorder.dev'], { allowFail: true })).status === 0,
      30000,
      'the StartOrder CRD',
    );
    const c = cliInCluster(['webhook', 'certs', '--namespace', WEBHOOK_NS]);
    assert(c.status === 0, `startorder webhook certs exited ${c.status}: ${c.stderr}`);
    log(`startorder webhook certs: ${c.stderr.trim().split('\n').pop()}`);
    await waitWebhookReady(2, log);
    log(`webhook installed from deploy/ with kustomize in ${((Date.now() - t0) / 1000).toFixed(1)}s (image ${webhookImage()})`);
  })();
  return installed;
}

export const applyText = (text) => kubectlAsync(['apply', '-f', '-'], { input: text, timeoutMs: 120000 });

/** The MutatingWebhookConfiguration's failurePolicy as the apiserver has it. */
export async function failurePolicy() {
  const m = await getJSON(['get', 'mutatingwebhookconfiguration', 'startorder']);
  return m?.webhooks?.[0]?.failurePolicy;
}

/**
 * Waits until the webhooks' in-memory StartOrders include the one just applied: a server-side dry-run
 * of `probePod` (which the StartOrder selects) comes back rewritten `times` times in a row (the
 * dry-runs land on either replica through the Service).
 */
export async function waitStartOrderSeen(ns, probePod, times = 6) {
  let inRow = 0;
  await waitFor(
    async () => {
      const r = await kubectlAsync(['-n', ns, 'create', '--dry-run=server', '-o', 'json', '-f', '-'], { input: JSON.stringify(probePod), allowFail: true });
      const p = r.status === 0 ? JSON.parse(r.stdout) : undefined;
      inRow = p && isRewritten(p) ? inRow + 1 : 0;
      return inRow >= times;
    },
    60000,
    `the webhook rewriting a dry-run of ${probePod.metadata.name ?? probePod.metadata.generateName}`,
    200,
  );
}

/** Did startorder rewrite this pod (it records what it did in the annotation startorder.dev/applied)? */
export const isRewritten = (p) => Boolean(p?.metadata?.annotations?.['startorder.dev/applied']);
/** The edges startorder recorded on a pod: [[from, to, condition, mechanism]]. */
export const appliedEdges = (p) => JSON.parse(p?.metadata?.annotations?.['startorder.dev/applied'] || '{}').edges || [];

/** A StartOrder custom resource (wrapper mode, the runtime image pulled once). */
export function startOrder(name, spec) {
  return {
    apiVersion: 'startorder.dev/v1alpha1',
    kind: 'StartOrder',
    metadata: { name },
    // no runtime.image: the webhook's --runtime-image names the image in the cluster's registry
    spec: { mode: 'wrapper', runtime: { imagePullPolicy: 'IfNotPresent' }, ...spec },
  };
}

// ---------------------------------------------------------------- the Istio-like injector
function openssl(args, cwd) {
  const r = spawnSync('openssl', args, { cwd, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`openssl ${args.join(' ')}: ${r.stderr}`);
}

/** A CA and a serving certificate for SERVICE.NS.svc, with openssl: { ca, crt, key } as PEM text. */
export function servingCert(service, ns) {
  const dir = mkdtempSync(join(tmpdir(), 'so-e2e-tls-'));
  try {
    const dns = `${service}.${ns}.svc`;
    openssl(
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:P-256',
        '-nodes',
        '-keyout',
        'ca.key',
        '-out',
        'ca.crt',
        '-days',
        '2',
        '-subj',
        '/CN=e2e-injector-ca',
      ],
      dir,
    );
    openssl(['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'tls.key', '-out', 'tls.csr', '-subj', `/CN=${dns}`], dir);
    writeFileSync(join(dir, 'ext'), `subjectAltName=DNS:${dns},DNS:${service}.${ns}.svc.cluster.local\nextendedKeyUsage=serverAuth\n`);
    openssl(
      ['x509', '-req', '-in', 'tls.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '2', '-extfile', 'ext', '-out', 'tls.crt'],
      dir,
    );
    const read = (f) => readFileSync(join(dir, f), 'utf8');
    return { ca: read('ca.crt'), crt: read('tls.crt'), key: read('tls.key') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

let injector;
/**
 * The injector (test/e2e/cmd/injector) as a Deployment + Service in its own namespace (once per run),
 * registered as the MutatingWebhookConfiguration `name` for namespaces labelled `selectorLabel`=enabled,
 * reinvocationPolicy Never like Istio's. istio-sidecar-injector (Istio's own name, and the default)
 * sorts before startorder, so the apiserver calls it first. Returns when its endpoint is ready.
 */
export async function installInjector({ name = 'istio-sidecar-injector', selectorLabel = 'istio-injection', log = () => {} } = {}) {
  injector ??= deployInjector();
  const { tls, svc } = await injector;
  const hook = {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'MutatingWebhookConfiguration',
    metadata: { name },
    webhooks: [
      {
        name: 'sidecar-injector.istio.io',
        admissionReviewVersions: ['v1'],
        clientConfig: { service: { name: svc, namespace: INJECTOR_NS, path: '/inject', port: 443 }, caBundle: Buffer.from(tls.ca).toString('base64') },
        rules: [{ apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE'], resources: ['pods'], scope: 'Namespaced' }],
        namespaceSelector: { matchLabels: { [selectorLabel]: 'enabled' } },
        failurePolicy: 'Fail',
        reinvocationPolicy: 'Never',
        sideEffects: 'None',
        timeoutSeconds: 5,
      },
    ],
  };
  await applyText(toYaml([hook]));
  log(`injector registered as the MutatingWebhookConfiguration ${name} (reinvocationPolicy Never) for namespaces labelled ${selectorLabel}=enabled`);
}

async function deployInjector() {
  const name = 'istio-sidecar-injector';
  const svc = name;
  const readyAfter = '3s';
  // a cluster that has the injector already (run.mjs run again against it) keeps its certificate:
  // the running injector read it at its start
  const old = await getJSON(['-n', INJECTOR_NS, 'get', 'secret', `${name}-tls`]);
  const b64 = (k) => Buffer.from(old.data[k], 'base64').toString();
  const tls = old?.data?.['ca.crt'] ? { ca: b64('ca.crt'), crt: b64('tls.crt'), key: b64('tls.key') } : servingCert(svc, INJECTOR_NS);
  const labels = { app: name };
  const docs = [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: INJECTOR_NS } },
    {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: `${name}-tls`, namespace: INJECTOR_NS },
      type: 'kubernetes.io/tls',
      stringData: { 'tls.crt': tls.crt, 'tls.key': tls.key, 'ca.crt': tls.ca },
    },
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name, namespace: INJECTOR_NS },
      spec: {
        replicas: 1,
        selector: { matchLabels: labels },
        template: {
          metadata: { labels },
          spec: {
            dnsPolicy: 'Default',
            containers: [
              {
                name: 'injector',
                image: INJECTOR_IMAGE,
                imagePullPolicy: 'Never',
                command: ['/injector'],
                args: ['-port=9443', `-ready-after=${readyAfter}`],
                readinessProbe: { httpGet: { path: '/healthz', port: 9443, scheme: 'HTTPS' }, periodSeconds: 1 },
                volumeMounts: [{ name: 'tls', mountPath: '/etc/injector/tls', readOnly: true }],
              },
            ],
            volumes: [{ name: 'tls', secret: { secretName: `${name}-tls` } }],
          },
        },
      },
    },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: svc, namespace: INJECTOR_NS },
      spec: { selector: labels, ports: [{ name: 'https', port: 443, targetPort: 9443 }] },
    },
  ];
  await applyText(toYaml(docs));
  await waitFor(async () => (await readyEndpoints(INJECTOR_NS, svc)).length > 0, 90000, `the ${name} injector ready`, 500);
  return { tls, svc };
}
// ---------------------------------------------------------------- bursts of pod creations
/**
 * Sends `count` pod creations to the apiserver, `concurrency` at a time, from the cluster's network
 * namespace (test/e2e/burst.mjs, admin client certificate). `onProgress(done)` is called as they
 * complete (from the child's progress lines). Resolves to the burst's JSON result.
 */
export function burst({ ns, count, concurrency = 16, podTemplate, review, onProgress = () => {} }) {
  return new Promise((resolve, reject) => {
    const args = [`--net=/run/netns/${NETNS()}`, process.execPath, join(REPO, 'test', 'e2e', 'burst.mjs')];
    const p = spawn('nsenter', args, { env: { ...process.env, KUBECONFIG: env.kubeconfig }, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    p.stdout.on('data', (d) => (out += d));
    p.stderr.on('data', (d) => {
      err += d;
      for (const m of String(d).matchAll(/^progress (\d+)$/gm)) onProgress(Number(m[1]));
    });
    p.on('close', (code) => {
      if (code !== 0) return reject(new Error(`burst.mjs exited ${code}: ${err.slice(-2000)}`));
      resolve(JSON.parse(out));
    });
    p.stdin.end(JSON.stringify({ ns, count, concurrency, pod: podTemplate, review }));
  });
}

/** A pod that nothing runs: bound to a node that does not exist (no scheduler, no kubelet); PodGC removes it later. */
export function parkedPod(name, containers, labels = {}) {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { ...(name.endsWith('-') ? { generateName: name } : { name }), labels },
    spec: { nodeName: 'e2e-no-such-node', dnsPolicy: 'Default', terminationGracePeriodSeconds: 0, containers },
  };
}

/** p-th percentile (0..100) of numbers, nearest rank. */
export function percentile(xs, p) {
  const s = [...xs].sort((a, b) => a - b);
  if (!s.length) return NaN;
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
}

/** The webhook's JSON log lines ({path, uid, namespace, name, result, ms}) of every replica, since `since` (RFC 3339). */
export async function webhookLogLines(since) {
  const { items } = await webhookPods();
  const lines = [];
  for (const p of items) {
    const args = ['-n', WEBHOOK_NS, 'logs', p.metadata.name, '-c', 'webhook'];
    if (since) args.push(`--since-time=${since}`);
    const r = await kubectlAsync(args, { allowFail: true, timeoutMs: 120000 });
    for (const l of r.stdout.split('\n')) {
      if (!l.startsWith('{')) continue;
      try {
        lines.push({ pod: p.metadata.name, ...JSON.parse(l) });
      } catch {
        // not a log line of the server
      }
    }
  }
  return lines;
}

export { sleep, toYaml };
