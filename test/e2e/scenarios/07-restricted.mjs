// 7. runAsNonRoot, an arbitrary UID, readOnlyRootFilesystem, in a namespace labelled
// pod-security.kubernetes.io/enforce=restricted. Wrapper and native mode.
import { assert, transform, apply, wl, pod, soSpec, modeArgs, waitEvents, ev, ms, fmtMs } from './lib.mjs';

const SC = { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, readOnlyRootFilesystem: true };

function restricted(mode) {
  return {
    name: `restricted-${mode}`,
    namespaceLabels: { 'pod-security.kubernetes.io/enforce': 'restricted' },
    async run(t) {
      const name = `restricted-${mode}`;
      const m = [
        pod(
          name,
          [
            wl('app', [], { securityContext: SC }),
            wl('cfg', ['-ready-after=1s', '-ready-file=/shared/ready'], { securityContext: SC, volumeMounts: [{ name: 'shared', mountPath: '/shared' }] }),
          ],
          {
            securityContext: { runAsNonRoot: true, runAsUser: 40123, runAsGroup: 40123, fsGroup: 40123, seccompProfile: { type: 'RuntimeDefault' } },
            volumes: [{ name: 'shared', emptyDir: {} }],
          },
        ),
      ];
      const s = soSpec(
        name,
        [
          { name: 'cfg', ready: { file: '/shared/ready' } },
          { name: 'app', after: ['cfg'] },
        ],
        { selector: { kinds: ['Pod'], names: [name] }, ...modeArgs(mode) },
      );
      const out = transform(s, m);
      await apply(out.out, t.ns); // PodSecurity restricted admission would reject here
      const e = await waitEvents(t.ns, name, { app: 'start', cfg: 'ready' }, 60000);
      const uid = ev(e.app, 'start').uid;
      t.log(`admitted under enforce=restricted; app runs as uid ${uid}; cfg ready → app start ${fmtMs(ms(ev(e.cfg, 'ready').ts, ev(e.app, 'start').ts))}`);
      assert(uid === 40123, `uid ${uid}`);
      assert(ev(e.app, 'start').ts > ev(e.cfg, 'ready').ts, 'app started before cfg was ready');
    },
  };
}

export default [restricted('wrapper'), restricted('native')];
