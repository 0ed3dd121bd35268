import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { KUBERNETES_SCHEMA_VERSION, validatePodSpec } from '../src/validate/pod-schema.js';

const SCRIPT = fileURLToPath(new URL('../scripts/gen-k8s-schema.mjs', import.meta.url));
const COMMITTED_SCHEMA = fileURLToPath(new URL('../schemas/k8s/podspec-v1.34.json', import.meta.url));
const MODULE_VERSION = 'v1.34.1';

function validPodSpec(): Record<string, unknown> {
  return {
    restartPolicy: 'Always',
    terminationGracePeriodSeconds: 30,
    initContainers: [
      {
        name: 'startorder-init',
        image: 'ghcr.io/example/startorder-entrypoint:0.1.0',
        command: ['/startorder-entrypoint', 'init', '/startorder/bin/entrypoint'],
        volumeMounts: [{ name: 'startorder-bin', mountPath: '/startorder/bin' }],
        securityContext: { runAsUser: 65532, runAsGroup: 65532, runAsNonRoot: true },
      },
      {
        // native sidecar
        name: 'proxy',
        image: 'envoyproxy/envoy:v1.31.0',
        restartPolicy: 'Always',
        ports: [{ name: 'admin', containerPort: 9901, protocol: 'TCP' }],
        startupProbe: { tcpSocket: { port: 9901 }, periodSeconds: 1, failureThreshold: 30 },
        readinessProbe: { httpGet: { path: '/ready', port: 'admin', scheme: 'HTTP' } },
        resources: { requests: { cpu: 0.1, memory: 67108864 }, limits: { memory: '128Mi' } },
      },
    ],
    containers: [
      {
        name: 'app',
        image: 'registry.example.com/app:1.2.3',
        command: ['/startorder/bin/entrypoint'],
        args: ['-wait_file', '/startorder/run/proxy/ready', '-entrypoint', '/app', '--', '--port=8080'],
        env: [
          { name: 'MODE', value: 'prod' },
          { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
        ],
        ports: [{ containerPort: 8080 }],
        livenessProbe: {
          httpGet: { path: '/healthz', port: 8080, httpHeaders: [{ name: 'X-Probe', value: '1' }] },
          initialDelaySeconds: 5,
        },
        readinessProbe: { exec: { command: ['/startorder/bin/entrypoint', 'probe', 'file', '/tmp/ready'] } },
        lifecycle: { preStop: { sleep: { seconds: 5 } } },
        resources: {
          requests: { cpu: '250m', memory: '64Mi', 'ephemeral-storage': '1Gi' },
          limits: { cpu: 1, memory: '256Mi' },
        },
        volumeMounts: [
          { name: 'startorder-bin', mountPath: '/startorder/bin', readOnly: true },
          { name: 'startorder-run', mountPath: '/startorder/run' },
          { name: 'startorder-downward', mountPath: '/startorder/downward', readOnly: true },
        ],
      },
    ],
    volumes: [
      { name: 'startorder-bin', emptyDir: {} },
      { name: 'startorder-run', emptyDir: { medium: 'Memory', sizeLimit: '16Mi' } },
      {
        name: 'startorder-downward',
        downwardAPI: {
          defaultMode: 420,
          items: [{ path: 'ready', fieldRef: { fieldPath: "metadata.annotations['startorder.dev/ready']" } }],
        },
      },
    ],
    nodeSelector: { 'kubernetes.io/os': 'linux' },
    tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'batch', effect: 'NoSchedule' }],
  };
}

function containers(spec: Record<string, unknown>): Record<string, unknown>[] {
  return spec['containers'] as Record<string, unknown>[];
}

test('schema version constant', () => {
  assert.equal(KUBERNETES_SCHEMA_VERSION, '1.34');
  const schema = JSON.parse(readFileSync(COMMITTED_SCHEMA, 'utf8')) as { $comment: string };
  assert.match(schema.$comment, /Kubernetes v1\.34\.\d+/);
});

test('a valid pod spec (init containers, native sidecar, probes, quantities, downwardAPI) has no issues', () => {
  assert.deepEqual(validatePodSpec(validPodSpec()), []);
});

test('a typo in a field name is reported at the typo', () => {
  const spec = validPodSpec();
  const app = containers(spec)[0]!;
  app['comand'] = app['command'];
  delete app['command'];
  const issues = validatePodSpec(spec);
  assert.equal(issues.length, 1, JSON.stringify(issues));
  assert.deepEqual(issues[0], { path: ['containers', 0, 'comand'], message: 'unknown field "comand"' });
});

test('a typo deep inside a volume is reported with array indexes as numbers', () => {
  const spec = validPodSpec();
  const volumes = spec['volumes'] as Record<string, Record<string, unknown>>[];
  const item = (volumes[2]!['downwardAPI']!['items'] as Record<string, unknown>[])[0]!;
  item['fieldref'] = item['fieldRef'];
  delete item['fieldRef'];
  const issues = validatePodSpec(spec);
  assert.deepEqual(issues, [{ path: ['volumes', 2, 'downwardAPI', 'items', 0, 'fieldref'], message: 'unknown field "fieldref"' }]);
});

test('a container without name is reported', () => {
  const spec = validPodSpec();
  delete containers(spec)[0]!['name'];
  const issues = validatePodSpec(spec);
  assert.deepEqual(issues, [{ path: ['containers', 0], message: 'missing required field "name"' }]);
});

test('a wrong type is reported', () => {
  const spec = validPodSpec();
  containers(spec)[0]!['command'] = 'x';
  const issues = validatePodSpec(spec);
  assert.deepEqual(issues, [{ path: ['containers', 0, 'command'], message: 'must be array' }]);
});

test('int-or-string and quantity reject other JSON types', () => {
  const spec = validPodSpec();
  const app = containers(spec)[0]!;
  (app['livenessProbe'] as { httpGet: { port: unknown } }).httpGet.port = true;
  (app['resources'] as { limits: Record<string, unknown> }).limits['cpu'] = { value: 1 };
  const issues = validatePodSpec(spec);
  assert.deepEqual(issues, [
    { path: ['containers', 0, 'livenessProbe', 'httpGet', 'port'], message: 'must be string or integer' },
    { path: ['containers', 0, 'resources', 'limits', 'cpu'], message: 'must be string or number' },
  ]);
});

test('numeric-looking map keys stay strings in the path', () => {
  const spec = validPodSpec();
  spec['nodeSelector'] = { '0': 1 };
  assert.deepEqual(validatePodSpec(spec), [{ path: ['nodeSelector', '0'], message: 'must be string' }]);
});

test('a non-object is reported at the root', () => {
  assert.deepEqual(validatePodSpec('pod'), [{ path: [], message: 'must be object' }]);
  assert.deepEqual(validatePodSpec({}), [{ path: [], message: 'missing required field "containers"' }]);
});

test('many pod specs validate with one compiled validator (speed is measured by npm run bench, not here)', () => {
  const specs = Array.from({ length: 1_000 }, () => validPodSpec());
  for (const spec of specs) assert.equal(validatePodSpec(spec).length, 0);
});

function findGo(): string | undefined {
  for (const candidate of [process.env['GO'], 'go', '/usr/local/go/bin/go']) {
    if (candidate === undefined) continue;
    try {
      execFileSync(candidate, ['version'], { stdio: 'ignore' });
      return candidate;
    } catch {
      // try the next one
    }
  }
  return undefined;
}

function goModCache(go: string | undefined): string | undefined {
  if (go !== undefined) {
    try {
      const dir = execFileSync(go, ['env', 'GOMODCACHE'], { encoding: 'utf8' }).trim();
      if (dir !== '') return dir;
    } catch {
      // fall through
    }
  }
  if (process.env['GOMODCACHE']) return process.env['GOMODCACHE'];
  return join(process.env['GOPATH'] ?? join(homedir(), 'go'), 'pkg', 'mod');
}

test('regenerating from the pinned swagger.json is byte-for-byte identical', (t) => {
  const env: NodeJS.ProcessEnv = { ...process.env };
  let args: string[];
  const fromEnv = process.env['STARTORDER_SWAGGER'];
  if (fromEnv) {
    args = ['--swagger', fromEnv];
  } else {
    const go = findGo();
    const cache = goModCache(go);
    const extracted = cache && join(cache, 'k8s.io', `kubernetes@${MODULE_VERSION}`, 'api', 'openapi-spec', 'swagger.json');
    const zip = cache && join(cache, 'cache', 'download', 'k8s.io', 'kubernetes', '@v', `${MODULE_VERSION}.zip`);
    if (extracted && existsSync(extracted)) {
      args = ['--swagger', extracted];
    } else if (go !== undefined && zip && existsSync(zip)) {
      // The module zip is in the download cache: let the script run `go mod download`
      // offline. The sumdb is off too (it would need the network); the script checks
      // the pinned sha256 of swagger.json anyway.
      args = [];
      env['GO'] = go;
      env['GOPROXY'] = 'off';
      env['GOSUMDB'] = 'off';
    } else if (go !== undefined) {
      // Not cached yet (a new machine): the script downloads the module from the Go module proxy.
      args = [];
      env['GO'] = go;
    } else {
      t.skip(`no Go toolchain to fetch k8s.io/kubernetes@${MODULE_VERSION} and STARTORDER_SWAGGER is not set`);
      return;
    }
  }
  const dir = mkdtempSync(join(tmpdir(), 'startorder-schema-'));
  try {
    const out = join(dir, 'podspec.json');
    try {
      execFileSync(process.execPath, [SCRIPT, ...args, '--out', out], { env, stdio: ['ignore', 'ignore', 'pipe'] });
    } catch (err) {
      const stderr = (err as { stderr?: Buffer }).stderr?.toString() ?? '';
      assert.fail(`gen-k8s-schema.mjs ${args.join(' ')} failed: ${stderr.trim() || String(err)}`);
    }
    const regenerated = readFileSync(out);
    const committed = readFileSync(COMMITTED_SCHEMA);
    assert.ok(regenerated.equals(committed), 'schemas/k8s/podspec-v1.34.json differs from a fresh generation; run `npm run schema:k8s`');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
