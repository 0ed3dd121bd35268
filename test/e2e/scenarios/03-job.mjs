// 3. A Job whose main container finishes while a sidecar keeps running: the Job completes.
// native mode (sidecar → init container with restartPolicy Always) and wrapper mode (-exit_with).
import { assert, transform, apply, wl, soSpec, modeArgs, waitFor, getJSON, logs, ev, ms, fmtMs } from './lib.mjs';

function job(mode) {
  return {
    name: `job-sidecar-${mode}`,
    async run(t) {
      const name = `job-${mode}`;
      const m = [
        {
          apiVersion: 'batch/v1',
          kind: 'Job',
          metadata: { name },
          spec: {
            backoffLimit: 0,
            template: {
              spec: {
                restartPolicy: 'Never',
                dnsPolicy: 'Default',
                terminationGracePeriodSeconds: 15,
                containers: [wl('main', ['-exit-after=2s']), wl('logger', ['-ready-after=1s', '-port=8083'])],
              },
            },
          },
        },
      ];
      const s = soSpec(
        name,
        [
          { name: 'logger', role: 'sidecar', ready: { httpGet: { port: 8083, path: '/ready' } } },
          { name: 'main', after: ['logger'] },
        ],
        { selector: { kinds: ['Job'], names: [name] }, ...modeArgs(mode) },
      );
      const out = transform(s, m);
      const args = out.docs[0].spec.template.spec;
      if (mode === 'wrapper') {
        const lg = args.containers.find((c) => c.name === 'logger');
        assert(lg.args.includes('-exit_with'), `wrapper: logger should get -exit_with: ${lg.args.join(' ')}`);
      } else {
        assert(
          (args.initContainers || []).some((c) => c.name === 'logger' && c.restartPolicy === 'Always'),
          'native: logger should be a native sidecar',
        );
      }
      const t0 = Date.now();
      await apply(out.out, t.ns);
      const j = await waitFor(
        async () => {
          const j = await getJSON(['-n', t.ns, 'get', 'job', name]);
          const c = (j?.status?.conditions || []).find((c) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True');
          return c ? { j, c } : false;
        },
        90000,
        `Job ${name} to complete`,
        500,
      );
      t.log(`Job condition ${j.c.type} ${((Date.now() - t0) / 1000).toFixed(1)}s after apply (succeeded=${j.j.status.succeeded ?? 0})`);
      assert(j.c.type === 'Complete', `Job ended ${j.c.type}: ${j.c.message}`);
      const pods = await getJSON(['-n', t.ns, 'get', 'pods', '-l', `job-name=${name}`]);
      const p = pods.items[0];
      const lgEv = (await logs(t.ns, p.metadata.name, 'logger')).events;
      const mainEv = (await logs(t.ns, p.metadata.name, 'main')).events;
      const mainExit = ev(mainEv, 'exit')?.ts,
        lgSig = ev(lgEv, 'signal')?.ts;
      assert(ev(mainEv, 'start').ts > ev(lgEv, 'ready').ts, 'main started before logger was ready');
      if (lgSig)
        t.log(`main exit → logger got SIG${ev(lgEv, 'signal').signal === 'terminated' ? 'TERM' : ev(lgEv, 'signal').signal}: ${fmtMs(ms(mainExit, lgSig))}`);
      t.log(`pod ${p.status.phase}`);
    },
  };
}

export default [job('native'), job('wrapper')];
