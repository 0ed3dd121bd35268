// 16. startorder after another injector (issue 11 item 4). A test webhook (test/e2e/cmd/injector) adds
//     an `istio-proxy` container the way Istio's injector does (appended to the containers, readiness
//     on :15021/healthz/ready, ready 3 s after it starts; reinvocationPolicy Never). The pod itself is
//     created with plain `kubectl apply` and has only `app`.
//  - webhook-after-injector-wraps-proxy: the injector's configuration is `istio-sidecar-injector`,
//    which sorts before `startorder`, so the apiserver calls it first: startorder sees istio-proxy and
//    orders app after it as after any container of the pod (istio-proxy wrapped, a Ready edge).
//  - webhook-injector-probe-edge: the StartOrder waits for the proxy by a probe edge (`after: [{name:
//    istio-proxy, ready: {httpGet: …}}]`): the proxy is not rewritten, app's wrapper probes it.
//  - webhook-reinvoked-after-later-injector: the same injector registered as `zz-sidecar-injector`,
//    which sorts AFTER startorder: startorder first sees the pod without the proxy, the injector adds
//    it, and the apiserver calls startorder again (reinvocationPolicy IfNeeded), which orders app
//    after it all the same.
// Each checks the order from the workloads' own logs: istio-proxy's ready line before app's start.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { assert, apply, toYaml, wl, pod, waitFor, getPod, logs, ev, ms, fmtMs, REPO } from './lib.mjs';
import {
  startOrder,
  cannotDeploy,
  exclusive,
  installWebhook,
  installInjector,
  waitStartOrderSeen,
  isRewritten,
  appliedEdges,
  webhookLabels,
  parkedPod,
} from './webhook-lib.mjs';

const PROXY_READY = { httpGet: { port: 15021, path: '/healthz/ready' }, periodSeconds: 1 };

/** Is the probe edge (a `ready` on a dependency, the i11-probe branch) in this tree's schema? */
function probeEdgeInSchema() {
  const s = JSON.parse(readFileSync(join(REPO, 'schemas', 'startorder.schema.json'), 'utf8'));
  return Boolean(JSON.stringify(s.definitions?.dependency ?? {}).includes('"ready"'));
}

function scenario({ name, injector, selectorLabel, containers, check, needsProbe = false }) {
  return {
    name,
    needsWebhook: true,
    namespaceLabels: webhookLabels({ [selectorLabel]: 'enabled' }),
    async run(t) {
      const why =
        cannotDeploy() ?? (needsProbe && !probeEdgeInSchema() ? 'the probe edge (dependency.ready, branch i11-probe) is not in this tree' : undefined);
      if (why) return t.skip(why);
      const labels = { app: 'mesh' };
      await exclusive(async () => {
        await installWebhook(t.log);
        await installInjector({ name: injector, selectorLabel, log: t.log });
        await apply(toYaml([startOrder('mesh', { selector: { matchLabels: labels }, containers })]), t.ns);
        await waitStartOrderSeen(t.ns, parkedPod('probe', [wl('app', ['-port=8080'])], labels));
      });
      const r = await apply(toYaml([pod('mesh', [wl('app', ['-port=8080'])], { terminationGracePeriodSeconds: 2 }, { labels })]), t.ns);
      if (r.stderr.trim()) t.log(`kubectl apply said: ${r.stderr.trim().replace(/\n/g, ' | ')}`);
      const p = await getPod(t.ns, 'mesh');
      const names = p.spec.containers.map((c) => c.name);
      assert(names.includes('istio-proxy'), `the injector did not add istio-proxy: ${names.join(', ')}`);
      assert(p.metadata.annotations?.['sidecar.istio.io/status'], 'no sidecar.istio.io/status annotation');
      assert(isRewritten(p), `startorder did not rewrite the pod: ${JSON.stringify(p.metadata.annotations)}`);
      const e = {};
      await waitFor(
        async () => {
          e.app = (await logs(t.ns, 'mesh', 'app')).events;
          e.proxy = (await logs(t.ns, 'mesh', 'istio-proxy')).events;
          return ev(e.app, 'start') && ev(e.proxy, 'ready');
        },
        90000,
        'app started and istio-proxy ready',
        300,
      );
      const proxyReady = ev(e.proxy, 'ready').ts;
      const appStart = ev(e.app, 'start').ts;
      assert(appStart > proxyReady, `app started ${fmtMs(ms(appStart, proxyReady))} before istio-proxy was ready`);
      const edges = appliedEdges(p);
      check(t, p, edges);
      t.log(`containers ${names.join(', ')}; edges ${JSON.stringify(edges)}; istio-proxy ready → app start ${fmtMs(ms(proxyReady, appStart))}`);
    },
  };
}

const proxyEdge = (edges, mechanism) => edges.find(([from, to, , m]) => from === 'istio-proxy' && to === 'app' && (!mechanism || m === mechanism));
const proxyCommand = (p) => p.spec.containers.find((c) => c.name === 'istio-proxy')?.command ?? [];

const wrapsProxy = (t, p, edges) => {
  assert(proxyEdge(edges), `no istio-proxy → app edge: ${JSON.stringify(edges)}`);
  assert(proxyCommand(p)[0] !== '/workload', `istio-proxy was not wrapped: ${JSON.stringify(proxyCommand(p))}`);
};

export default [
  scenario({
    name: 'webhook-after-injector-wraps-proxy',
    injector: 'istio-sidecar-injector',
    selectorLabel: 'istio-injection',
    containers: [
      { name: 'istio-proxy', ready: PROXY_READY },
      { name: 'app', after: [{ name: 'istio-proxy', condition: 'Ready' }] },
    ],
    check: wrapsProxy,
  }),
  scenario({
    name: 'webhook-injector-probe-edge',
    injector: 'istio-sidecar-injector',
    selectorLabel: 'istio-injection',
    needsProbe: true,
    // a probe edge's ready takes the probe only (no periodSeconds: the wrapper's wait has its own pace)
    containers: [{ name: 'app', after: [{ name: 'istio-proxy', ready: { httpGet: PROXY_READY.httpGet } }] }],
    check: (t, p, edges) => {
      assert(proxyEdge(edges, 'probe'), `no istio-proxy → app edge with mechanism probe: ${JSON.stringify(edges)}`);
      assert(proxyCommand(p)[0] === '/workload', `istio-proxy was rewritten, a probe edge leaves it alone: ${JSON.stringify(proxyCommand(p))}`);
    },
  }),
  scenario({
    name: 'webhook-reinvoked-after-later-injector',
    injector: 'zz-sidecar-injector',
    selectorLabel: 'zz-injection',
    containers: [
      { name: 'istio-proxy', ready: PROXY_READY },
      { name: 'app', after: [{ name: 'istio-proxy', condition: 'Ready' }] },
    ],
    check: wrapsProxy,
  }),
];
