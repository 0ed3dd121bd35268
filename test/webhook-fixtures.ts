/**
 * For the webhook tests: a CA and serving certificate made by openssl, AdmissionReview bodies with a
 * Pod as the apiserver sends it (from a Deployment's ReplicaSet: generateName and no name, after
 * defaulting and the ServiceAccount admission plugin), an HTTPS client, and RFC 6902 applied by hand.
 */
import { request } from 'node:https';
import { makeCertificates, type Certificates } from '../src/webhook/openssl.js';

export function loopbackCerts(): Promise<Certificates> {
  return makeCertificates({ dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'], days: 1 });
}

/** A Pod as kube-apiserver hands it to a mutating webhook on CREATE from a ReplicaSet. */
export function replicaSetPod(extra: { annotations?: Record<string, string>; command?: boolean } = {}): any {
  const withCommand = extra.command !== false;
  const common = (name: string, image: string, command: string[], port: number) => ({
    name,
    image,
    ...(withCommand ? { command } : {}),
    ports: [{ name: name === 'app' ? 'http' : 'pg', containerPort: port, protocol: 'TCP' }],
    resources: { requests: { cpu: '100m', memory: '64Mi' } },
    volumeMounts: [{ name: 'kube-api-access-7xk2p', readOnly: true, mountPath: '/var/run/secrets/kubernetes.io/serviceaccount' }],
    terminationMessagePath: '/dev/termination-log',
    terminationMessagePolicy: 'File',
    imagePullPolicy: 'IfNotPresent',
  });
  return {
    kind: 'Pod',
    apiVersion: 'v1',
    metadata: {
      generateName: 'web-6d4cf56db6-',
      namespace: 'shop',
      creationTimestamp: null,
      labels: { app: 'web', tier: 'frontend', 'pod-template-hash': '6d4cf56db6' },
      ...(extra.annotations ? { annotations: extra.annotations } : {}),
      ownerReferences: [
        {
          apiVersion: 'apps/v1',
          kind: 'ReplicaSet',
          name: 'web-6d4cf56db6',
          uid: '0b5f8a52-9f0e-4d53-9a55-5c3c2f1a7e11',
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
      managedFields: [
        {
          manager: 'kube-controller-manager',
          operation: 'Update',
          apiVersion: 'v1',
          time: '2026-12-01T12:00:00Z',
          fieldsType: 'FieldsV1',
          fieldsV1: { 'f:metadata': {} },
        },
      ],
    },
    spec: {
      volumes: [
        {
          name: 'kube-api-access-7xk2p',
          projected: {
            sources: [
              { serviceAccountToken: { expirationSeconds: 3607, path: 'token' } },
              { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
              { downwardAPI: { items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }] } },
            ],
            defaultMode: 420,
          },
        },
      ],
      containers: [
        { ...common('app', 'registry.example/shop/web:2.4.1', ['/app/web', '--listen=:8080'], 8080), args: ['--db=127.0.0.1:5432'] },
        common('db-proxy', 'registry.example/shop/pg-proxy:1.9', ['/bin/pg-proxy'], 5432),
      ],
      restartPolicy: 'Always',
      terminationGracePeriodSeconds: 30,
      dnsPolicy: 'ClusterFirst',
      serviceAccountName: 'default',
      serviceAccount: 'default',
      securityContext: {},
      schedulerName: 'default-scheduler',
      tolerations: [
        { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
        { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
      ],
      priority: 0,
      enableServiceLinks: true,
      preemptionPolicy: 'PreemptLowerPriority',
    },
    status: {},
  };
}

export function startOrder(name: string, spec: any, namespace = 'shop'): any {
  return {
    apiVersion: 'startorder.dev/v1alpha1',
    kind: 'StartOrder',
    metadata: { name, namespace, uid: `uid-${name}`, resourceVersion: '100', generation: 1 },
    spec,
  };
}

/** The AdmissionReview the apiserver POSTs for a CREATE. */
export function review(object: any, o: { uid?: string; kind?: string; group?: string; resource?: string; operation?: string; dryRun?: boolean } = {}): any {
  const kind = o.kind ?? object.kind;
  return {
    kind: 'AdmissionReview',
    apiVersion: 'admission.k8s.io/v1',
    request: {
      uid: o.uid ?? '705ab4f5-6393-11e8-b7cc-42010a800002',
      kind: { group: o.group ?? '', version: 'v1', kind },
      resource: { group: o.group ?? '', version: 'v1', resource: o.resource ?? 'pods' },
      requestKind: { group: o.group ?? '', version: 'v1', kind },
      requestResource: { group: o.group ?? '', version: 'v1', resource: o.resource ?? 'pods' },
      namespace: object.metadata?.namespace ?? 'shop',
      operation: o.operation ?? 'CREATE',
      userInfo: { username: 'system:serviceaccount:kube-system:replicaset-controller', uid: 'u', groups: ['system:serviceaccounts', 'system:authenticated'] },
      object,
      oldObject: null,
      dryRun: o.dryRun ?? false,
      options: { kind: 'CreateOptions', apiVersion: 'meta.k8s.io/v1' },
    },
  };
}

export interface Reply {
  status: number;
  body: string;
  json?: any;
}

/** One HTTPS request to the server on loopback, trusting the test CA. */
export function call(port: number, ca: string, method: string, path: string, body?: string | Buffer): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, ca, headers: body !== undefined ? { 'content-type': 'application/json' } : {} }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => {
        let json: any;
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode ?? 0, body: text, json });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** The decoded JSON Patch of an admission response ([] when none). */
export function patchOf(response: any): any[] {
  return response.patch ? JSON.parse(Buffer.from(response.patch, 'base64').toString()) : [];
}

function tokens(pointer: string): string[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** RFC 6902 applied to a copy (add, remove, replace, test), written here from the RFC. */
export function applyPatch(doc: any, ops: any[]): any {
  let root = structuredClone(doc);
  for (const op of ops) {
    const path = tokens(op.path);
    if (path.length === 0) {
      if (op.op === 'test') continue;
      root = op.op === 'remove' ? undefined : structuredClone(op.value);
      continue;
    }
    let parent = root;
    for (const t of path.slice(0, -1)) {
      parent = Array.isArray(parent) ? parent[Number(t)] : parent[t];
      if (parent === undefined) throw new Error(`${op.op} ${op.path}: no such parent`);
    }
    const last = path[path.length - 1]!;
    if (Array.isArray(parent)) {
      const i = last === '-' ? parent.length : Number(last);
      if (op.op === 'add') parent.splice(i, 0, structuredClone(op.value));
      else if (op.op === 'remove') parent.splice(i, 1);
      else if (op.op === 'replace') parent[i] = structuredClone(op.value);
      else if (JSON.stringify(parent[i]) !== JSON.stringify(op.value)) throw new Error(`test ${op.path} failed`);
      continue;
    }
    if ((op.op === 'remove' || op.op === 'replace') && !Object.hasOwn(parent, last)) throw new Error(`${op.op} ${op.path}: no such member`);
    if (op.op === 'remove') delete parent[last];
    else if (op.op === 'test') {
      if (JSON.stringify(parent[last]) !== JSON.stringify(op.value)) throw new Error(`test ${op.path} failed`);
    } else parent[last] = structuredClone(op.value);
  }
  return root;
}
