/**
 * Issue 9, the CLI half: the flags the wrapper needs to keep the order when containers die, restart
 * and retry (docs/CONTRACT.md), the Exited condition, and the containers' own restart policies.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { c, deployment, job, run, specYaml } from './pods.js';
import { effectiveRestartPolicy } from '../src/plan/restart.js';
import { explain } from '../src/render/explain.js';
import { viewOf } from '../src/render/graph.js';

type O = Record<string, any>;

test('waits on other containers use -wait_status; the gate stays -wait_file with content', () => {
  const { errors, flags } = run(
    deployment([c('app'), c('proxy')]),
    specYaml([{ name: 'proxy' }, { name: 'app', after: ['proxy'] }], { mode: 'wrapper', gate: { annotation: 'example.com/go' } }),
  );
  assert.deepEqual(errors, []);
  assert.equal(flags('app').flags.wait_status, '/startorder/run/proxy/ready');
  assert.equal(flags('app').flags.wait_file, undefined);
  assert.equal(flags('proxy').flags.wait_file, '/startorder/downward/ready');
  assert.equal(flags('proxy').flags.wait_file_content, true);
  assert.equal(flags('proxy').flags.wait_status, undefined);
});

test("-restart_policy is the effective policy: the container's own, else the pod's, else Always", () => {
  const { errors, flags } = run(
    job([c('main'), c('side', { restartPolicy: 'OnFailure' })], 'Never'),
    specYaml(
      [
        { name: 'side', role: 'sidecar' },
        { name: 'main', after: ['side'] },
      ],
      { mode: 'wrapper' },
    ),
  );
  assert.deepEqual(errors, []);
  assert.equal(flags('main').flags.restart_policy, 'Never');
  assert.equal(flags('side').flags.restart_policy, 'OnFailure');
  const d = run(deployment([c('app'), c('proxy')]), specYaml([{ name: 'app', after: ['proxy'] }], { mode: 'wrapper' }));
  assert.equal(d.flags('app').flags.restart_policy, 'Always');
  assert.equal(d.flags('proxy').flags.restart_policy, 'Always');
});

test('restartPolicyRules: the policy the wrapper plans with never calls final an exit the kubelet may restart', () => {
  const pod = { restartPolicy: 'Never' };
  const rules = (operator: string, values: number[], policy = 'Never') => ({
    restartPolicy: policy,
    restartPolicyRules: [{ action: 'Restart', exitCodes: { operator, values } }],
  });
  assert.equal(effectiveRestartPolicy({}, pod), 'Never');
  assert.equal(effectiveRestartPolicy({}, {}), 'Always');
  assert.equal(effectiveRestartPolicy({ restartPolicy: 'Always' }, pod), 'Always');
  assert.equal(effectiveRestartPolicy(rules('In', [42]), pod), 'OnFailure');
  assert.equal(effectiveRestartPolicy(rules('In', [0, 42]), pod), 'Always');
  assert.equal(effectiveRestartPolicy(rules('NotIn', [0]), pod), 'OnFailure');
  assert.equal(effectiveRestartPolicy(rules('NotIn', [1]), pod), 'Always');
  assert.equal(effectiveRestartPolicy(rules('In', [], 'Never'), pod), 'Never');
  assert.equal(effectiveRestartPolicy(rules('In', [3], 'OnFailure'), pod), 'OnFailure');
});

test("a container's own restartPolicy and restartPolicyRules come out exactly as written", () => {
  const own = { restartPolicy: 'Never', restartPolicyRules: [{ action: 'Restart', exitCodes: { operator: 'In', values: [42] } }] };
  const input = job([c('main'), c('side', own)], 'Never');
  const { errors, container, flags } = run(
    input,
    specYaml(
      [
        { name: 'side', role: 'sidecar', ready: { file: '/tmp/up' } },
        { name: 'main', after: ['side'] },
      ],
      { kubernetesVersion: '1.34' },
    ),
  );
  assert.deepEqual(errors, []);
  // auto on 1.34 would make a sidecar native (restartPolicy: Always in initContainers); its own policy keeps it a container
  assert.equal(container('side').restartPolicy, 'Never');
  assert.deepEqual(container('side').restartPolicyRules, own.restartPolicyRules);
  assert.equal(flags('side').flags.restart_policy, 'OnFailure');
  const native = run(
    input,
    specYaml(
      [
        { name: 'side', role: 'sidecar' },
        { name: 'main', after: ['side'] },
      ],
      { mode: 'native', kubernetesVersion: '1.34' },
    ),
  );
  assert.deepEqual(
    native.errors.map((e) => [e.code, e.container]),
    [['native-impossible', 'side']],
  );
});

test('Job sidecars: -exit_with main/completed under OnFailure, main/exited under Never', () => {
  const spec = specYaml(
    [
      { name: 'proxy', role: 'sidecar' },
      { name: 'main', after: ['proxy'] },
    ],
    { mode: 'wrapper' },
  );
  const onFailure = run(job([c('main'), c('proxy')], 'OnFailure'), spec);
  assert.deepEqual(onFailure.errors, []);
  assert.equal(onFailure.flags('proxy').flags.exit_with, '/startorder/run/main/completed');
  assert.equal(onFailure.flags('proxy').flags.restart_policy, 'OnFailure');
  const never = run(job([c('main'), c('proxy')], 'Never'), spec);
  assert.equal(never.flags('proxy').flags.exit_with, '/startorder/run/main/exited');
  // a main with a policy of its own: the condition follows it
  const mixed = run(job([c('main'), c('other', { restartPolicy: 'OnFailure' }), c('proxy')], 'Never'), spec);
  assert.equal(mixed.flags('proxy').flags.exit_with, '/startorder/run/main/exited,/startorder/run/other/completed');
  assert.match(explain(never.r.plans), /exits once main exited/);
  assert.match(explain(onFailure.r.plans), /exits once main completed \(exit 0/);
});

test('startorder-init clears the run directory and mounts it; startorder-run has a sizeLimit', () => {
  const { pod, container } = run(deployment([c('app'), c('proxy')]), specYaml([{ name: 'app', after: ['proxy'] }], { mode: 'wrapper' }));
  const init = container('startorder-init');
  assert.deepEqual(init.command, ['/startorder-entrypoint', 'init', '-run_dir', '/startorder/run', '/startorder/bin/entrypoint']);
  assert.ok(init.volumeMounts.some((m: O) => m.name === 'startorder-run' && m.mountPath === '/startorder/run' && !m.readOnly));
  assert.deepEqual(pod!.volumes.find((v: O) => v.name === 'startorder-run').emptyDir, { medium: 'Memory', sizeLimit: '8Mi' });
});

test('a pod without the status volume (native sidecar with a file readiness) keeps a plain init', () => {
  const { errors, pod, container } = run(
    deployment([c('app'), c('proxy')]),
    specYaml(
      [
        { name: 'proxy', ready: { file: '/tmp/up' } },
        { name: 'app', after: ['proxy'] },
      ],
      { mode: 'native', kubernetesVersion: '1.34' },
    ),
  );
  assert.deepEqual(errors, []);
  assert.deepEqual(container('startorder-init').command, ['/startorder-entrypoint', 'init', '/startorder/bin/entrypoint']);
  assert.ok(!pod!.volumes.some((v: O) => v.name === 'startorder-run'));
});

test('Exited: waits on <dep>/exited, is not moved to an init container, and is drawn and explained', () => {
  const spec = specYaml([{ name: 'tests' }, { name: 'report', after: [{ name: 'tests', condition: 'Exited' }] }], { kubernetesVersion: '1.34' });
  const r = run(job([c('tests'), c('report')], 'Never'), spec);
  assert.deepEqual(r.errors, []);
  assert.equal(r.flags('report').flags.wait_status, '/startorder/run/tests/exited');
  assert.ok(!(r.pod!.initContainers ?? []).some((x: O) => x.name === 'tests'), 'a failing init container would stop the pod');
  const plan = r.r.plans[0]!;
  assert.deepEqual(viewOf(plan).edges, [{ dep: 'tests', dependent: 'report', condition: 'Exited', mechanism: 'wrapper' }]);
  assert.match(explain([plan]), /report starts after tests has exited \(whatever its exit code\)/);
  const native = run(job([c('tests'), c('report')], 'Never'), spec.replace('"kubernetesVersion"', '"mode":"native","kubernetesVersion"'));
  assert.deepEqual(
    native.errors.map((e) => [e.code, e.container]),
    [['native-impossible', 'tests']],
  );
});

test('Exited or Completed of a container the kubelet restarts on every exit is an error', () => {
  const exited = run(
    deployment([c('tests'), c('report')]),
    specYaml([{ name: 'report', after: [{ name: 'tests', condition: 'Exited' }] }], { mode: 'wrapper' }),
  );
  assert.deepEqual(
    exited.errors.map((e) => [e.code, e.container]),
    [['completed-would-restart', 'tests']],
  );
  assert.ok(exited.errors[0]!.hint);
  // in a Job, a container whose own policy is Always restarts too
  const own = run(
    job([c('tests', { restartPolicy: 'Always' }), c('report')], 'Never'),
    specYaml([{ name: 'report', after: [{ name: 'tests', condition: 'Completed' }] }], { mode: 'wrapper' }),
  );
  assert.deepEqual(
    own.errors.map((e) => [e.code, e.container]),
    [['completed-would-restart', 'tests']],
  );
});

test('the spec schema accepts condition Exited and nothing else new', () => {
  const ok = run(job([c('a'), c('b')]), specYaml([{ name: 'b', after: [{ name: 'a', condition: 'Exited' }] }], { mode: 'wrapper' }));
  assert.deepEqual(ok.errors, []);
  const bad = run(job([c('a'), c('b')]), specYaml([{ name: 'b', after: [{ name: 'a', condition: 'Finished' }] }], { mode: 'wrapper' }));
  assert.deepEqual([...new Set(bad.errors.map((e) => e.code))], ['spec-invalid']);
});

test("generated flag values are escaped for the kubelet ($ → $$); the user's own words are not", () => {
  const input = deployment([c('app', { args: ['--name=$(POD_NAME)'] }), c('proxy', { terminationMessagePath: '/tmp/$(X)/term' })]);
  const { errors, container, flags } = run(
    input,
    specYaml(
      [
        { name: 'proxy', ready: { exec: { command: ['sh', '-c', 'test -f $(HOME)/up && echo $$('] } } },
        { name: 'app', after: ['proxy'] },
      ],
      { mode: 'wrapper' },
    ),
  );
  assert.deepEqual(errors, []);
  assert.equal(flags('proxy').flags.ready_exec, JSON.stringify(['sh', '-c', 'test -f $$(HOME)/up && echo $$$$(']));
  assert.equal(flags('proxy').flags.termination_path, '/tmp/$$(X)/term');
  assert.deepEqual(flags('app').argv, ['/app', '--name=$(POD_NAME)']);
  assert.ok(container('app').args.includes('--name=$(POD_NAME)'));
});

test('graph of a rewritten manifest alone (from its record): an Exited dependency is not drawn as a sidecar', async () => {
  const { runCli } = await import('./helpers.js');
  const spec = specYaml([{ name: 'tests' }, { name: 'report', after: [{ name: 'tests', condition: 'Exited' }] }], { mode: 'wrapper' });
  const out = await runCli(['-c', 'spec.yaml', 'in.json'], { 'in.json': job([c('tests'), c('report')], 'Never'), 'spec.yaml': spec });
  assert.equal(out.code, 0, out.stderr);
  const g = await runCli(['graph', '--format', 'json', 'out.json'], { 'out.json': out.stdout });
  assert.equal(g.code, 0, g.stderr);
  const view = (JSON.parse(g.stdout) as O[])[0]!;
  assert.deepEqual(view.edges, [{ dep: 'tests', dependent: 'report', condition: 'Exited', mechanism: 'wrapper' }]);
  assert.notEqual(view.nodes.find((n: O) => n.name === 'tests').role, 'sidecar');
  const m = await runCli(['graph', 'out.json'], { 'out.json': out.stdout });
  assert.match(m.stdout, /-->\|Exited · wrapper\|/);
});
