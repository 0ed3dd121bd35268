// 12. 50 pods whose dependencies start late: the dependent is listed first and its postStart hook
// holds the kubelet (which starts a pod's containers one after another) for 0–245 ms, so each
// dependency's wrapper creates its status directory while the dependent's wrapper is already
// waiting — the window of the lost inotify wake-up. None may hang.
import { assert, transform, apply, wl, pod, soSpec, waitFor, getJSON, statusFileNs } from './lib.mjs';

const PODS = Number(process.env.E2E_LATE_PODS || 50);

export default [
  {
    name: 'late-status-dirs-50-pods',
    async run(t) {
      const pods = Array.from({ length: PODS }, (_, i) => {
        const hold = `${(i % 50) * 5}ms`;
        const app = wl('app', [], {
          lifecycle: { postStart: { exec: { command: ['/workload', '-name=poststart', `-exit-after=${hold === '0ms' ? '1ms' : hold}`] } } },
        });
        return pod(`late-${i}`, [app, wl('dep')], { terminationGracePeriodSeconds: 2 }, { labels: { scenario: 'late' } });
      });
      const s = soSpec('late', [{ name: 'dep' }, { name: 'app', after: [{ name: 'dep', condition: 'Started' }] }], {
        mode: 'wrapper',
        selector: { kinds: ['Pod'] },
      });
      const out = transform(s, pods);
      assert(out.docs.length === PODS, `${out.docs.length} documents`);
      const t0 = Date.now();
      await apply(out.out, t.ns);
      // A pod is Ready as soon as its containers run, even while app's wrapper still waits, so "done"
      // is app's status file `started` (its workload was started), read from the host. A pod hangs when
      // dep has been started for 30 s and app has not.
      let state = [];
      const look = async () => {
        const list = (await getJSON(['-n', t.ns, 'get', 'pods', '-l', 'scenario=late']))?.items || [];
        state = list.map((p) => ({
          name: p.metadata.name,
          created: Date.parse(p.metadata.creationTimestamp),
          dep: statusFileNs(p.metadata.uid, 'dep', 'started'),
          app: statusFileNs(p.metadata.uid, 'app', 'started'),
        }));
        return state;
      };
      const hung = () => state.filter((x) => x.dep && !x.app && Date.now() - x.dep / 1e6 > 30000);
      await waitFor(
        async () => {
          await look();
          if (hung().length) return true;
          return state.length === PODS && state.every((x) => x.app);
        },
        420000,
        `app started in all ${PODS} pods`,
        2000,
      ).catch((e) => {
        throw new Error(
          `${e.message}; not started yet: ${state
            .filter((x) => !x.app)
            .map((x) => `${x.name}${x.dep ? '' : ' (dep not started either)'}`)
            .join(', ')}`,
        );
      });
      assert(
        !hung().length,
        `${hung().length} pod(s) hang: dep started over 30 s ago, app still waits: ${hung()
          .map((x) => x.name)
          .join(', ')}`,
      );
      const gaps = state.map((x) => (x.app - x.dep) / 1e6).sort((a, b) => a - b);
      t.log(
        `${PODS} pods: app started in every one ${((Date.now() - t0) / 1000).toFixed(1)}s after apply; dep started → app started p50 ${gaps[Math.floor(gaps.length / 2)].toFixed(1)} ms, max ${gaps[gaps.length - 1].toFixed(1)} ms; none hung`,
      );
    },
  },
];
