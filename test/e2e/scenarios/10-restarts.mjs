// 10. Ordering that holds when containers die, restart and retry (issue 9), wrapper mode:
//  - a dependency SIGKILLed after ready: its dependent, restarted meanwhile, waits until the
//    dependency runs and is ready again (a stale `ready` of a dead wrapper does not count);
//  - a Job (restartPolicy OnFailure) whose main fails once: the retry runs with its sidecar, the Job completes;
//  - a Job (restartPolicy Never) whose main is SIGKILLed: the sidecar exits, the pod ends Failed, no hang;
//  - a readiness timeout: the dependency's container restarts, the pod recovers once it is healthy,
//    and its dependent keeps waiting instead of crash-looping.
import {
  assert,
  transform,
  apply,
  wl,
  pod,
  soSpec,
  waitFor,
  getPod,
  getJSON,
  logs,
  ev,
  ms,
  fmtMs,
  containerStatus,
  sigkillContainer,
  waitRestarted,
  podReady,
  waitEvents,
} from './lib.mjs';

const work = { name: 'work', emptyDir: {} };
const workMount = { name: 'work', mountPath: '/work' };

const dependencyKilled = {
  name: 'dependency-sigkill-dependent-waits',
  async run(t) {
    const m = [pod('killed', [wl('app'), wl('db', ['-ready-after=3s', '-port=8081'])], { restartPolicy: 'Always' })];
    const s = soSpec(
      'killed',
      [
        { name: 'db', ready: { httpGet: { port: 8081, path: '/ready' } } },
        { name: 'app', after: ['db'] },
      ],
      { mode: 'wrapper' },
    );
    const out = transform(s, m);
    await apply(out.out, t.ns);
    await waitEvents(t.ns, 'killed', { db: 'ready', app: 'start' }, 90000);

    // First kill: the kubelet restarts db at once. Second kill while it is ready again: db is now in
    // the kubelet's crash back-off (10 s), and app, killed right after, restarts first.
    const k1 = await sigkillContainer(t.ns, 'killed', 'db');
    await waitRestarted(t.ns, 'killed', 'db', k1.restartCount, 'ready');
    const k2 = await sigkillContainer(t.ns, 'killed', 'db');
    const ka = await sigkillContainer(t.ns, 'killed', 'app');
    const app = await waitRestarted(t.ns, 'killed', 'app', ka.restartCount, 'start');
    const db = await waitRestarted(t.ns, 'killed', 'db', k2.restartCount, 'ready');
    const dbStart = db.events.filter((e) => e.event === 'start').pop();
    const appStart = app.event;
    const dbReady = db.event;
    t.log(
      `db SIGKILLed twice (pids ${k1.pid}, ${k2.pid}), app SIGKILLed (pid ${ka.pid}); db back ${(dbStart.ts / 1e6 - k2.at).toFixed(0)} ms after the kill, ready ${fmtMs(ms(dbStart.ts, dbReady.ts))} after its start`,
    );
    t.log(
      `app restarted and started ${fmtMs(ms(dbReady.ts, appStart.ts))} after db was ready again (${(appStart.ts / 1e6 - ka.at).toFixed(0)} ms after its own kill)`,
    );
    assert(appStart.ts > dbReady.ts, `app started ${fmtMs(ms(appStart.ts, dbReady.ts))} BEFORE db was ready again: it trusted a dead wrapper's ready`);
    const p = await getPod(t.ns, 'killed');
    assert(p.status.phase === 'Running', `pod ${p.status.phase}`);
  },
};

const jobRetry = {
  name: 'job-onfailure-retry-with-sidecar',
  async run(t) {
    const name = 'retry';
    const m = [
      {
        apiVersion: 'batch/v1',
        kind: 'Job',
        metadata: { name },
        spec: {
          backoffLimit: 3,
          template: {
            spec: {
              restartPolicy: 'OnFailure',
              dnsPolicy: 'Default',
              terminationGracePeriodSeconds: 15,
              volumes: [work],
              containers: [
                wl('main', ['-exit-after=2s', '-exit-code=1', '-fail-attempts=1', '-attempt-file=/work/main'], { volumeMounts: [workMount] }),
                wl('proxy', ['-ready-after=1s', '-port=8083']),
              ],
            },
          },
        },
      },
    ];
    const s = soSpec(
      name,
      [
        { name: 'proxy', role: 'sidecar', ready: { httpGet: { port: 8083, path: '/ready' } } },
        { name: 'main', after: ['proxy'] },
      ],
      { selector: { kinds: ['Job'], names: [name] }, mode: 'wrapper' },
    );
    const out = transform(s, m);
    const proxyArgs = out.docs[0].spec.template.spec.containers.find((c) => c.name === 'proxy').args;
    const exitWith = proxyArgs[proxyArgs.indexOf('-exit_with') + 1];
    assert(exitWith === '/startorder/run/main/completed', `proxy -exit_with ${exitWith}`);
    await apply(out.out, t.ns);
    // attempt 1 as the kubelet reports it while attempt 2 runs (a completed pod no longer shows it)
    let firstExit;
    const done = await waitFor(
      async () => {
        if (firstExit === undefined) {
          const ps = (await getJSON(['-n', t.ns, 'get', 'pods', '-l', `job-name=${name}`]))?.items || [];
          const st = ps[0] && containerStatus(ps[0], 'main');
          if (st?.restartCount >= 1 && st.lastState?.terminated) firstExit = st.lastState.terminated.exitCode;
        }
        const j = await getJSON(['-n', t.ns, 'get', 'job', name]);
        const c = (j?.status?.conditions || []).find((c) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True');
        return c ? { j, c } : false;
      },
      120000,
      `Job ${name} to end`,
      250,
    );
    const pods = await getJSON(['-n', t.ns, 'get', 'pods', '-l', `job-name=${name}`]);
    assert(pods.items.length === 1, `${pods.items.length} pods (OnFailure retries in the same pod)`);
    const p = pods.items[0];
    // the first attempt's log is gone once the pod completed; its exit code stays in lastState
    const second = (await logs(t.ns, p.metadata.name, 'main')).events;
    const proxy = (await logs(t.ns, p.metadata.name, 'proxy')).events;
    const mainSt = containerStatus(p, 'main'),
      proxySt = containerStatus(p, 'proxy');
    firstExit ??= mainSt.lastState?.terminated?.exitCode;
    t.log(
      `Job ${done.c.type}; main restarts ${mainSt.restartCount} (attempt 1 exit ${firstExit}, attempt ${ev(second, 'start')?.attempt} exit ${ev(second, 'exit')?.code}); proxy restarts ${proxySt.restartCount}, exit ${proxySt.state?.terminated?.exitCode}`,
    );
    assert(done.c.type === 'Complete', `Job ended ${done.c.type}: ${done.c.message}`);
    assert(
      mainSt.restartCount === 1 && firstExit === 1 && ev(second, 'start')?.attempt === 2,
      `main: restarts ${mainSt.restartCount}, first exit ${firstExit}, attempt ${ev(second, 'start')?.attempt}`,
    );
    assert(proxySt.restartCount === 0 && proxy.filter((e) => e.event === 'start').length === 1, 'proxy ran more than once');
    const proxyGone = (ev(proxy, 'signal') || ev(proxy, 'exit')).ts;
    assert(
      proxyGone > ev(second, 'exit').ts,
      `proxy was stopped ${fmtMs(ms(proxyGone, ev(second, 'start').ts))} before the retry started: the retry ran without its sidecar`,
    );
    assert(ev(second, 'start').ts > ev(proxy, 'ready').ts, 'the retry started before proxy was ready');
    t.log(
      `retry ran with its sidecar: proxy ready ${fmtMs(ms(ev(proxy, 'ready').ts, ev(second, 'start').ts))} before the retry started, SIGTERMed ${fmtMs(ms(ev(second, 'exit').ts, proxyGone))} after the retry's exit 0`,
    );
  },
};

const jobKilled = {
  name: 'job-never-main-sigkill-ends',
  async run(t) {
    const name = 'killed-job';
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
              containers: [wl('main'), wl('proxy', ['-port=8084'])],
            },
          },
        },
      },
    ];
    const s = soSpec(
      name,
      [
        { name: 'proxy', role: 'sidecar', ready: { httpGet: { port: 8084, path: '/ready' } } },
        { name: 'main', after: ['proxy'] },
      ],
      { selector: { kinds: ['Job'], names: [name] }, mode: 'wrapper' },
    );
    const out = transform(s, m);
    await apply(out.out, t.ns);
    const podName = await waitFor(
      async () => (await getJSON(['-n', t.ns, 'get', 'pods', '-l', `job-name=${name}`]))?.items?.[0]?.metadata?.name,
      60000,
      "the Job's pod",
    );
    await waitEvents(t.ns, podName, { main: 'start', proxy: 'ready' }, 60000);
    const k = await sigkillContainer(t.ns, podName, 'main');
    const p = await waitFor(
      async () => {
        const p = await getPod(t.ns, podName);
        return p && (p.status.phase === 'Failed' || p.status.phase === 'Succeeded') ? p : false;
      },
      60000,
      'the pod to end after main was SIGKILLed (a sidecar that waits for main/exited forever hangs it)',
      500,
    );
    const proxy = (await logs(t.ns, podName, 'proxy')).events;
    const sig = ev(proxy, 'signal');
    t.log(
      `main SIGKILLed (pid ${k.pid}); proxy got SIG${sig?.signal === 'terminated' ? 'TERM' : sig?.signal} ${sig ? `${(sig.ts / 1e6 - k.at).toFixed(0)} ms` : 'n/a'} after the kill; pod ${p.status.phase}, main exit ${containerStatus(p, 'main')?.state?.terminated?.exitCode}`,
    );
    assert(p.status.phase === 'Failed', `pod ${p.status.phase}`);
    const j = await waitFor(
      async () => {
        const j = await getJSON(['-n', t.ns, 'get', 'job', name]);
        return (j?.status?.conditions || []).find((c) => c.type === 'Failed' && c.status === 'True') ? j : false;
      },
      60000,
      'the Job to be Failed',
    );
    t.log(`Job Failed (${j.status.conditions.find((c) => c.type === 'Failed').reason})`);
  },
};

const readyTimeout = {
  name: 'ready-timeout-restarts-wrapper',
  async run(t) {
    const m = [
      pod('timeout', [wl('app'), wl('db', ['-port=8085', '-attempt-file=/work/db', '-unready-attempts=1'], { volumeMounts: [workMount] })], {
        restartPolicy: 'Always',
        volumes: [work],
      }),
    ];
    const s = soSpec(
      'timeout',
      [
        { name: 'db', ready: { httpGet: { port: 8085, path: '/ready' }, timeoutSeconds: 3 } },
        { name: 'app', after: ['db'] },
      ],
      { mode: 'wrapper' },
    );
    const out = transform(s, m);
    const t0 = Date.now();
    await apply(out.out, t.ns);
    // Ready, and app's own process started (a wrapper that gave up would keep the workload from
    // starting), and the kubelet has reported db's restart: its status can lag behind the logs by a
    // sync, so a pod read at the first moment of "Ready" may still say restartCount 0.
    const p = await waitFor(
      async () => {
        const p = await getPod(t.ns, 'timeout');
        const started = podReady(p) && ev((await logs(t.ns, 'timeout', 'app')).events, 'start');
        return started && containerStatus(p, 'db')?.restartCount >= 1 ? p : false;
      },
      120000,
      'the pod to become Ready, db to be restarted once (its readiness timed out) and app to start',
      500,
    );
    const db = (await logs(t.ns, 'timeout', 'db')).events;
    const app = (await logs(t.ns, 'timeout', 'app')).events;
    const dbSt = containerStatus(p, 'db'),
      appSt = containerStatus(p, 'app');
    t.log(
      `pod Ready ${((Date.now() - t0) / 1000).toFixed(1)}s after apply; db restarts ${dbSt.restartCount} (last exit ${dbSt.lastState?.terminated?.exitCode}), now attempt ${ev(db, 'start')?.attempt}; app restarts ${appSt.restartCount}`,
    );
    assert(dbSt.restartCount >= 1 && ev(db, 'start')?.attempt >= 2, 'db was not restarted after its readiness timed out');
    assert(ev(app, 'start').ts > ev(db, 'ready').ts, 'app started before db was ready');
    assert(appSt.restartCount === 0, `app restarted ${appSt.restartCount} times: a readiness timeout must not be final under restartPolicy Always`);
  },
};

export default [dependencyKilled, jobRetry, jobKilled, readyTimeout];
