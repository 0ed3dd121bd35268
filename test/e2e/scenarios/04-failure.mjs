// 4. A dependency that fails (exits 1): its dependents never start, their termination
// messages name the failed dependency, and nothing hangs (the pod ends Failed).
//    dep : exits 1 after 1 s
//    second : after dep Completed
//    third  : after second Started
// restartPolicy Never, wrapper mode.
import { assert, transform, apply, wl, pod, soSpec, modeArgs, waitFor, getPod, logs, ev, containerStatus } from './lib.mjs';

export default [
  {
    name: 'failed-dependency-wrapper',
    async run(t) {
      const name = 'failing';
      const m = [pod(name, [wl('dep', ['-exit-after=1s', '-exit-code=1']), wl('second'), wl('third')], { restartPolicy: 'Never' })];
      const s = soSpec(
        name,
        [
          { name: 'dep' },
          { name: 'second', after: [{ name: 'dep', condition: 'Completed' }] },
          { name: 'third', after: [{ name: 'second', condition: 'Started' }] },
        ],
        { selector: { kinds: ['Pod'], names: [name] }, ...modeArgs('wrapper') },
      );
      const out = transform(s, m);
      await apply(out.out, t.ns);
      const t0 = Date.now();
      const p = await waitFor(
        async () => {
          const p = await getPod(t.ns, name);
          return p && (p.status.phase === 'Failed' || p.status.phase === 'Succeeded') ? p : false;
        },
        60000,
        'pod to finish',
      );
      t.log(`pod phase ${p.status.phase} ${((Date.now() - t0) / 1000).toFixed(1)}s after apply`);
      assert(p.status.phase === 'Failed', `phase ${p.status.phase}`);
      const dep = containerStatus(p, 'dep').state.terminated;
      assert(dep?.exitCode === 1, `dep exit ${dep?.exitCode}`);
      for (const [c, failed] of [
        ['second', 'dep'],
        ['third', 'second'],
      ]) {
        const st = containerStatus(p, c).state.terminated;
        assert(st, `${c} not terminated: ${JSON.stringify(containerStatus(p, c).state)}`);
        const l = await logs(t.ns, name, c);
        assert(!ev(l.events, 'start'), `${c}'s process started although ${failed} failed`);
        t.log(`${c}: exit ${st.exitCode}, message ${JSON.stringify(st.message)}`);
        assert(st.exitCode === 3, `${c} exit code ${st.exitCode}, expected 3 (dependency failed)`);
        assert((st.message || '').includes(`/startorder/run/${failed}/`), `${c}'s termination message should name ${failed}`);
        assert(/DependencyFailed/.test(st.message || ''), `${c}'s termination message should say DependencyFailed`);
      }
    },
  },
];
