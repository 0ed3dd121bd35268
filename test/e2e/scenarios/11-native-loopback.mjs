// 11. Native mode with a server that listens on loopback only (ready.httpGet.host: 127.0.0.1): the
// kubelet probes from the node, so the CLI gives the native sidecar an exec startupProbe through the
// wrapper (`/startorder/bin/entrypoint probe http ...`) instead of copying the host. The pod becomes ready.
import { assert, transform, apply, wl, pod, soSpec, waitFor, getPod, logs, ev, ms, fmtMs, podReady } from './lib.mjs';

export default [
  {
    name: 'native-loopback-only-server',
    async run(t) {
      const m = [pod('loopback', [wl('app'), wl('proxy', ['-listen=127.0.0.1', '-port=8086', '-ready-after=1s'])])];
      const s = soSpec(
        'loopback',
        [
          { name: 'proxy', ready: { httpGet: { host: '127.0.0.1', port: 8086, path: '/ready' } } },
          { name: 'app', after: ['proxy'] },
        ],
        { mode: 'native', kubernetesVersion: '1.34' },
      );
      const out = transform(s, m);
      const proxy = (out.docs[0].spec.initContainers || []).find((c) => c.name === 'proxy');
      assert(proxy?.restartPolicy === 'Always', 'proxy should be a native sidecar');
      const cmd = proxy.startupProbe?.exec?.command || [];
      assert(cmd[0] === '/startorder/bin/entrypoint' && cmd[1] === 'probe' && cmd[2] === 'http', `startupProbe: ${JSON.stringify(proxy.startupProbe)}`);
      assert(!proxy.startupProbe.httpGet, 'a loopback host must never reach a kubelet httpGet probe');
      t.log(`startupProbe: exec ${cmd.join(' ')}`);
      const t0 = Date.now();
      await apply(out.out, t.ns);
      const p = await waitFor(
        async () => {
          const p = await getPod(t.ns, 'loopback');
          return podReady(p) ? p : false;
        },
        90000,
        "the pod to become Ready (a kubelet probe of the node's 127.0.0.1 would keep it in Init:0/1)",
        500,
      );
      const px = (await logs(t.ns, 'loopback', 'proxy')).events;
      const app = (await logs(t.ns, 'loopback', 'app')).events;
      t.log(
        `pod Ready ${((Date.now() - t0) / 1000).toFixed(1)}s after apply; app started ${fmtMs(ms(ev(px, 'ready').ts, ev(app, 'start').ts))} after proxy was ready`,
      );
      assert(ev(app, 'start').ts > ev(px, 'ready').ts, 'app started before proxy was ready');
      assert(p.status.phase === 'Running', `pod ${p.status.phase}`);
    },
  },
];
