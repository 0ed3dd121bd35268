// 9. Every fixture output of the CLI (fixtures/*/expected.{yaml,json}) passes
// `kubectl apply --dry-run=server` in a namespace. Kinds the cluster does not serve (CRDs such
// as Istio's ServiceEntry) are skipped and named; cluster-scoped kinds are applied without a
// namespace. ServiceAccounts that pods reference are created first (the ServiceAccount
// admission plugin rejects pods whose SA is missing, even in a dry run).
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { assert, REPO, YAML, kubectlAsync } from './lib.mjs';

// Parse as YAML 1.1 (what kubectl's sigs.k8s.io/yaml does) and hand kubectl JSON, so the
// round trip cannot change a scalar's type.
const load = (file) =>
  YAML.parseAllDocuments(readFileSync(file, 'utf8'), { version: '1.1' })
    .map((d) => d.toJS())
    .filter((d) => d && typeof d === 'object');
const asList = (items) => JSON.stringify({ apiVersion: 'v1', kind: 'List', items });

async function resources() {
  const r = await kubectlAsync(['api-resources', '--no-headers']);
  const m = new Map(); // "apiVersion/Kind" → namespaced
  for (const line of r.stdout.split('\n').filter(Boolean)) {
    const f = line.trim().split(/\s+/);
    const kind = f[f.length - 1],
      namespaced = f[f.length - 2] === 'true',
      apiVersion = f[f.length - 3];
    m.set(`${apiVersion}/${kind}`, namespaced);
  }
  return m;
}

function serviceAccounts(doc, out) {
  if (!doc || typeof doc !== 'object') return;
  if (typeof doc.serviceAccountName === 'string' && Array.isArray(doc.containers)) out.add(doc.serviceAccountName);
  for (const v of Object.values(doc)) serviceAccounts(v, out);
}

export default [
  {
    name: 'fixtures-server-dry-run',
    async run(t) {
      const known = await resources();
      const dir = join(REPO, 'fixtures');
      const skipped = [],
        failed = [],
        inputInvalid = [];
      let files = 0,
        objects = 0;
      for (const fx of readdirSync(dir).sort()) {
        const f = ['expected.yaml', 'expected.json'].map((n) => join(dir, fx, n)).find((p) => existsSync(p));
        if (!f) continue;
        const prep = (file, note) => {
          const keep = [];
          const visit = (d) => {
            if (d.kind === 'List' && Array.isArray(d.items)) return d.items.forEach(visit);
            const key = `${d.apiVersion}/${d.kind}`;
            if (!known.has(key)) return note && skipped.push(`${fx}: ${key}`);
            if (known.get(key)) d.metadata = { ...(d.metadata || {}), namespace: t.ns };
            keep.push(d);
          };
          load(file).forEach(visit);
          return keep;
        };
        const keep = prep(f, true);
        const sas = new Set();
        keep.forEach((d) => serviceAccounts(d, sas));
        if (!keep.length) continue;
        files++;
        objects += keep.length;
        for (const sa of sas) {
          await kubectlAsync(['-n', t.ns, 'create', 'serviceaccount', sa], { allowFail: true });
        }
        const dry = (objs) => kubectlAsync(['apply', '--dry-run=server', '-f', '-'], { input: asList(objs), allowFail: true });
        const r = await dry(keep);
        if (r.status !== 0) {
          // is the CLI to blame, or was the input already rejected?
          const inFile = ['input.yaml', 'input.json'].map((n) => join(dir, fx, n)).find((p) => existsSync(p));
          const ri = inFile ? await dry(prep(inFile, false)) : { status: 0 };
          const why = r.stderr.trim().split('\n').join(' / ').slice(0, 400);
          if (ri.status !== 0) {
            inputInvalid.push(fx);
            t.log(`${fx}: rejected, but its input is rejected too (not the CLI's doing): ${why}`);
          } else {
            failed.push(fx);
            t.log(`${fx}: output rejected while the input is accepted: ${why}`);
          }
        }
      }
      t.log(
        `${files} fixture outputs, ${objects} objects, server dry-run; ${failed.length} rejected by the CLI's doing, ${inputInvalid.length} with an already-invalid input (${inputInvalid.join(', ') || '-'})`,
      );
      t.log(`skipped (kind not served by this cluster): ${skipped.join('; ') || 'none'}`);
      assert(files > 0, 'no fixture outputs found');
      assert(!failed.length, `rejected: ${failed.join(', ')}`);
    },
  },
];
