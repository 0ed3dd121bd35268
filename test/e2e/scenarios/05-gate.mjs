// 5. The gate: spec.gate.annotation startorder.dev/ready. The pod holds until
// `kubectl annotate pod … startorder.dev/ready=go`, then starts in order.
// The downward-API volume is refreshed by the kubelet's periodic sync (up to ~1 min + cache TTL);
// we measure annotate → first process start.
import { assert, transform, apply, wl, pod, soSpec, modeArgs, waitFor, waitEvents, getPod, logs, ev, ms, fmtMs, sleep, kubectlAsync } from './lib.mjs';

export default [
  {
    name: 'gate-wrapper',
    async run(t) {
      const name = 'gated';
      const m = [pod(name, [wl('app'), wl('proxy', ['-ready-after=500ms', '-port=8082'])])];
      const s = soSpec(
        name,
        [
          { name: 'proxy', ready: { httpGet: { port: 8082, path: '/ready' } } },
          { name: 'app', after: ['proxy'] },
        ],
        { selector: { kinds: ['Pod'], names: [name] }, gate: { annotation: 'startorder.dev/ready' }, ...modeArgs('wrapper') },
      );
      const out = transform(s, m);
      await apply(out.out, t.ns);
      await waitFor(
        async () => {
          const p = await getPod(t.ns, name);
          return p?.status?.containerStatuses?.every((c) => c.state.running);
        },
        60000,
        'containers (wrappers) running',
      );
      await sleep(5000);
      for (const c of ['app', 'proxy']) {
        const l = await logs(t.ns, name, c);
        assert(!ev(l.events, 'start'), `${c} started before the gate opened`);
      }
      t.log('5 s after the containers were running, no process had started (gate closed)');
      const ta = Date.now() * 1e6;
      await kubectlAsync(['-n', t.ns, 'annotate', 'pod', name, 'startorder.dev/ready=go']);
      const e = await waitEvents(t.ns, name, { proxy: 'ready', app: 'start' }, 150000);
      const proxyStart = ev(e.proxy, 'start').ts,
        proxyReady = ev(e.proxy, 'ready').ts,
        appStart = ev(e.app, 'start').ts;
      t.log(`annotate → proxy process start: ${fmtMs(ms(ta, proxyStart))} (downward-API refresh by the kubelet)`);
      t.log(`proxy ready → app start: ${fmtMs(ms(proxyReady, appStart))}`);
      assert(proxyStart > ta, 'proxy started before the annotation');
      assert(appStart > proxyReady, 'app started before proxy was ready');
    },
  },
];
