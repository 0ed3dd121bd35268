// 1. The seed case: a config sidecar writes /etc/app/config.yaml after 3 s and keeps running;
// app must start only after the file exists. Wrapper and native mode, and the same pod
// without startorder, which shows the race.
import {
  assert,
  transform,
  apply,
  toYaml,
  wl,
  pod,
  soSpec,
  modeArgs,
  waitEvents,
  getPod,
  ev,
  ms,
  emptyDirPath,
  mtimeNs,
  fmtMs,
  containerStatus,
  RUNTIME_IMAGE,
  RUNTIME_IMAGE_DIGEST,
} from './lib.mjs';

const VOL = [{ name: 'config', mountPath: '/etc/app' }];

function manifests(name) {
  return [
    pod(name, [wl('app', [], { volumeMounts: VOL }), wl('config-agent', ['-ready-after=3s', '-ready-file=/etc/app/config.yaml'], { volumeMounts: VOL })], {
      volumes: [{ name: 'config', emptyDir: {} }],
    }),
  ];
}

function spec(name, mode) {
  return soSpec(
    name,
    [
      { name: 'config-agent', ready: { file: '/etc/app/config.yaml', timeoutSeconds: 120 } },
      { name: 'app', after: ['config-agent'] },
    ],
    { selector: { kinds: ['Pod'], names: [name] }, ...modeArgs(mode) },
  );
}

async function observe(t, name) {
  const e = await waitEvents(t.ns, name, { app: 'start', 'config-agent': 'ready' }, 90000);
  const p = await getPod(t.ns, name);
  const appStart = ev(e.app, 'start').ts;
  const agentReady = ev(e['config-agent'], 'ready').ts;
  const fileM = mtimeNs(emptyDirPath(p.metadata.uid, 'config', 'config.yaml'));
  return { appStart, agentReady, fileM, pod: p };
}

function ordered(mode) {
  return {
    name: `seed-${mode}`,
    async run(t) {
      const name = `seed-${mode}`;
      const out = transform(spec(name, mode), manifests(name));
      if (mode === 'native') {
        const ic = out.docs[0].spec.initContainers.map((c) => c.name);
        assert(ic.includes('config-agent'), `native: config-agent should be a native sidecar, initContainers=${ic}`);
      }
      await apply(out.out, t.ns);
      const { appStart, agentReady, fileM, pod: p } = await observe(t, name);
      t.log(`config-agent ready (file written) at +0; app process started ${fmtMs(ms(agentReady, appStart))} later`);
      if (fileM !== undefined) t.log(`host mtime of config.yaml → app start: ${fmtMs(ms(fileM, appStart))}`);
      assert(appStart > agentReady, `app started ${fmtMs(ms(appStart, agentReady))} BEFORE config-agent was ready`);
      if (fileM !== undefined) assert(appStart > fileM, `app started before config.yaml's mtime`);
      const st = p.status.containerStatuses.map((c) => `${c.name}:${c.state.running ? 'running' : JSON.stringify(c.state)}`);
      t.log(`pod ${p.status.phase}; ${st.join(', ')}`);
      assert(
        p.status.containerStatuses.every((c) => c.state.running),
        'all containers should be running',
      );
      // The init container ran the image the kubelet pulled from the cluster's registry by digest:
      // containerd reports a pulled image as REPO@<digest>; an imported one would not have that digest
      // unless it were the same index.
      const init = containerStatus(p, 'startorder-init');
      const named = RUNTIME_IMAGE.split('@')[0];
      const repo = /:[^/]*$/.test(named) ? named.slice(0, named.lastIndexOf(':')) : named;
      t.log(`startorder-init image ${init?.image}, imageID ${init?.imageID}`);
      assert(init?.imageID === `${repo}@${RUNTIME_IMAGE_DIGEST}`, `startorder-init imageID ${init?.imageID}, expected ${repo}@${RUNTIME_IMAGE_DIGEST}`);
    },
  };
}

export default [
  ordered('wrapper'),
  ordered('native'),
  {
    name: 'seed-race-without-startorder',
    async run(t) {
      const name = 'seed-race';
      await apply(toYaml(manifests(name)), t.ns);
      const { appStart, agentReady, fileM } = await observe(t, name);
      t.log(`without startorder app started ${fmtMs(ms(appStart, agentReady))} BEFORE config.yaml was written (the race)`);
      assert(appStart < agentReady, 'expected the race: app before the config file');
      if (fileM !== undefined) assert(appStart < fileM, 'expected app start before config.yaml mtime');
    },
  },
];
