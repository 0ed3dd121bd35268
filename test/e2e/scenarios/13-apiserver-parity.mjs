// 13. Validation parity with the apiserver (issue 8), a differential test:
//  - every input manifest of fixtures/*/ and ../shared/corpus/ that the real apiserver accepts
//    (server-side dry-run) passes startorder's validate stage (the PodSpec schema check of the build);
//  - every output startorder writes for them is accepted by the apiserver: each fixture run with its
//    own spec and flags, each corpus workload with a generated spec that wraps every container that
//    states its command (a chain, or one container behind a gate).
// Plus inputs written the way charts render them (null optional fields), which the apiserver accepts.
import { readdirSync, readFileSync, existsSync, mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join, basename } from 'node:path';
import { pathToFileURL } from 'node:url';
import { assert, REPO, YAML, kubectlAsync, RUNTIME_IMAGE } from './lib.mjs';

const CORPUS = process.env.E2E_CORPUS || join(REPO, '..', 'shared', 'corpus');
const SHARED = existsSync(CORPUS) ? CORPUS : '/work/shared/corpus';

function load(text, json) {
  if (json) return [JSON.parse(text)];
  const docs = YAML.parseAllDocuments(text, { version: '1.1' });
  const bad = docs.find((d) => d.errors.length);
  if (bad) throw new Error(bad.errors[0].message);
  return docs.map((d) => d.toJS()).filter((d) => d && typeof d === 'object');
}
const flatten = (docs) => docs.flatMap((d) => (d.kind === 'List' && Array.isArray(d.items) ? d.items : [d]));

function podSpecOf(o) {
  if (o.kind === 'Pod') return o.spec;
  if (o.kind === 'CronJob') return o.spec?.jobTemplate?.spec?.template?.spec;
  if (['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'ReplicationController', 'Job'].includes(o.kind)) return o.spec?.template?.spec;
  return undefined;
}

function serviceAccounts(doc, out) {
  if (!doc || typeof doc !== 'object') return;
  if (typeof doc.serviceAccountName === 'string' && Array.isArray(doc.containers)) out.add(doc.serviceAccountName);
  for (const v of Object.values(doc)) serviceAccounts(v, out);
}

/** The inputs: [{ id, text, json, spec?, args? }] */
function inputs() {
  const out = [];
  const fx = join(REPO, 'fixtures');
  for (const d of readdirSync(fx).sort()) {
    const f = ['input.yaml', 'input.json'].map((n) => join(fx, d, n)).find(existsSync);
    if (!f) continue;
    const spec = join(fx, d, 'startorder.yaml');
    const args = existsSync(join(fx, d, 'args'))
      ? readFileSync(join(fx, d, 'args'), 'utf8')
          .split('\n')
          .filter(Boolean)
      : [];
    out.push({
      id: `fixtures/${d}`,
      text: readFileSync(f, 'utf8'),
      json: f.endsWith('.json'),
      file: f,
      spec: existsSync(spec) ? spec : undefined,
      args,
      fixture: true,
    });
  }
  if (existsSync(SHARED)) {
    for (const f of readdirSync(SHARED)
      .filter((n) => /\.(ya?ml|json)$/.test(n))
      .sort()) {
      out.push({ id: `corpus/${f}`, text: readFileSync(join(SHARED, f), 'utf8'), json: f.endsWith('.json'), file: join(SHARED, f) });
    }
  }
  // what charts render: optional fields with no value
  out.push({
    id: 'inline/chart-null-optionals',
    json: false,
    text: `apiVersion: apps/v1
kind: Deployment
metadata: {name: db}
spec:
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec:
      affinity:
        podAffinity:
        podAntiAffinity:
        nodeAffinity:
      nodeSelector:
      tolerations:
      securityContext:
      containers:
      - name: db
        image: db:1
        command: [/db]
        resources:
        env:
        livenessProbe:
      - name: metrics
        image: m:1
        command: [/m]
        args:
`,
  });
  return out;
}

/**
 * A spec that wraps what it can of one workload: the app containers that state their command, in a
 * chain (each Started after the one before), or the only one behind a gate. (A container without
 * `command` would need the image's ENTRYPOINT, which the corpus does not give.)
 */
function wrapSpec(o) {
  const names = (podSpecOf(o)?.containers || []).filter((c) => Array.isArray(c.command) && c.command.length).map((c) => c.name);
  if (!names.length) return undefined;
  return {
    apiVersion: 'startorder.dev/v1alpha1',
    kind: 'StartOrder',
    metadata: { name: 'parity' },
    spec: {
      selector: { kinds: [o.kind], names: [o.metadata?.name] },
      mode: 'wrapper',
      ...(names.length === 1 ? { gate: { annotation: 'startorder.dev/ready' } } : {}),
      containers: names.map((n, i) => (i === 0 ? { name: n } : { name: n, after: [{ name: names[i - 1], condition: 'Started' }] })),
    },
  };
}

function cli(args) {
  return spawnSync(process.execPath, [join(REPO, 'bin', 'startorder.js'), '--runtime-image', RUNTIME_IMAGE, ...args], {
    encoding: 'utf8',
    maxBuffer: 64 << 20,
  });
}

export default [
  {
    name: 'apiserver-validation-parity',
    async run(t) {
      const { validatePodSpec } = await import(pathToFileURL(join(REPO, 'dist', 'validate', 'pod-schema.js')).href);
      const res = await kubectlAsync(['api-resources', '--no-headers']);
      const known = new Map();
      for (const line of res.stdout.split('\n').filter(Boolean)) {
        const f = line.trim().split(/\s+/);
        known.set(`${f[f.length - 3]}/${f[f.length - 1]}`, f[f.length - 2] === 'true');
      }
      const served = (docs) =>
        flatten(docs)
          .filter((d) => known.has(`${d.apiVersion}/${d.kind}`))
          .map((d) => (known.get(`${d.apiVersion}/${d.kind}`) ? { ...d, metadata: { ...(d.metadata || {}), namespace: t.ns } } : d));
      const created = new Set();
      const dryRun = async (objs) => {
        const sas = new Set();
        objs.forEach((o) => serviceAccounts(o, sas));
        for (const sa of sas)
          if (!created.has(sa)) {
            created.add(sa);
            await kubectlAsync(['-n', t.ns, 'create', 'serviceaccount', sa], { allowFail: true });
          }
        return kubectlAsync(['apply', '--dry-run=server', '-f', '-'], {
          input: JSON.stringify({ apiVersion: 'v1', kind: 'List', items: objs }),
          allowFail: true,
        });
      };
      const why = (r) => r.stderr.trim().split('\n').join(' / ').slice(0, 300);

      const stats = { inputs: 0, accepted: 0, rejectedInputs: [], workloads: 0, outputs: 0, notTransformed: [] };
      const falseRejections = [],
        rejectedOutputs = [];
      const dir = mkdtempSync(join(tmpdir(), 'so-parity-'));
      try {
        for (const inp of inputs()) {
          let docs;
          try {
            docs = load(inp.text, inp.json);
          } catch (e) {
            stats.rejectedInputs.push(`${inp.id} (not parseable: ${e.message.slice(0, 60)})`);
            continue;
          }
          const objs = served(docs);
          if (!objs.length) continue;
          stats.inputs++;
          const r = await dryRun(objs);
          if (r.status !== 0) {
            stats.rejectedInputs.push(inp.id);
            t.log(`${inp.id}: input rejected by the apiserver, not compared: ${why(r)}`);
            continue;
          }
          stats.accepted++;
          // 1. accepted by the apiserver ⇒ accepted by startorder's validate stage
          for (const o of objs) {
            const ps = podSpecOf(o);
            if (!ps) continue;
            stats.workloads++;
            const issues = validatePodSpec(ps);
            if (issues.length)
              falseRejections.push(`${inp.id} ${o.kind}/${o.metadata?.name}: ${issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
          }
          // 2. startorder's output for it ⇒ accepted by the apiserver
          const runs = [];
          const inFile = join(dir, `${stats.inputs}-${basename(inp.file || 'in.yaml')}`);
          writeFileSync(inFile, inp.text);
          if (inp.fixture) {
            if (!inp.spec && !/startorder\.dev\/spec/.test(inp.text)) continue;
            runs.push({ what: 'its fixture spec', args: [...(inp.spec ? ['-c', inp.spec] : []), ...inp.args, inFile] });
          } else {
            for (const o of objs) {
              const spec = wrapSpec(o);
              if (!spec) continue;
              const specFile = join(dir, `${stats.inputs}-${o.kind}-${o.metadata?.name}.spec.yaml`);
              writeFileSync(specFile, YAML.stringify(spec));
              runs.push({ what: `the containers with a command of ${o.kind}/${o.metadata?.name}, wrapped`, args: ['-c', specFile, inFile] });
            }
          }
          for (const run of runs) {
            const o = cli(run.args);
            if (o.status !== 0) {
              const codes = [...new Set([...o.stderr.matchAll(/error\[([a-z-]+)\]/g)].map((m) => m[1]))];
              // schema-violation on an accepted input is the false rejection this test is about
              if (codes.includes('schema-violation')) falseRejections.push(`${inp.id} (${run.what}): schema-violation: ${o.stderr.split('\n')[0]}`);
              else stats.notTransformed.push(`${inp.id} (${codes.join(',') || `exit ${o.status}`})`);
              continue;
            }
            const outObjs = served(load(o.stdout, inp.json && o.stdout.trim().startsWith('{')));
            if (!outObjs.length) continue;
            stats.outputs++;
            const ro = await dryRun(outObjs);
            if (ro.status !== 0) rejectedOutputs.push(`${inp.id} (${run.what}): ${why(ro)}`);
          }
        }
      } finally {
        if (!process.env.E2E_KEEP) rmSync(dir, { recursive: true, force: true });
      }
      t.log(
        `${stats.inputs} inputs with served kinds, ${stats.accepted} accepted by the apiserver (${stats.workloads} workloads): ${falseRejections.length} rejected by startorder's validate stage`,
      );
      t.log(`${stats.outputs} outputs dry-run: ${rejectedOutputs.length} rejected by the apiserver`);
      t.log(`inputs the apiserver rejects (not compared): ${stats.rejectedInputs.join(', ') || 'none'}`);
      t.log(`not transformed by the generated spec (a refusal, not a wrong output): ${stats.notTransformed.join(', ') || 'none'}`);
      for (const f of [...falseRejections, ...rejectedOutputs]) t.log(`  ${f}`);
      assert(stats.accepted > 20, `only ${stats.accepted} accepted inputs: the corpus was not found (${SHARED})?`);
      assert(!falseRejections.length, `startorder rejects ${falseRejections.length} input(s) the apiserver accepts`);
      assert(!rejectedOutputs.length, `the apiserver rejects ${rejectedOutputs.length} output(s)`);
    },
  },
];
