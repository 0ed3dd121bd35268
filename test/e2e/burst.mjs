#!/usr/bin/env node
// A burst of pod creations sent straight to the apiserver (no kubectl process per pod), for the webhook
// scenarios and bench-webhook.mjs. Runs in the cluster's network namespace (nsenter --net=…), with the
// admin kubeconfig of $KUBECONFIG (server, CA and client certificate files).
// stdin: {"ns": …, "count": N, "concurrency": C, "pod": {…a Pod; metadata.name gets "-<i>" appended…}}
// stdout: {"count", "ok", "failed", "rewritten" (created pods that came back with startorder's
//          annotation startorder.dev/applied), "errors": [{i, status, message}], "ms": [per creation, in order],
//          "started": [unix ms of each request], "wallMs"}
// stderr: "progress N" every 10 completions.
import { readFileSync } from 'node:fs';
import { request, Agent } from 'node:https';
import { dirname, resolve } from 'node:path';

/** The few fields of a kubeconfig the burst needs (the one up.sh writes: file paths, no inline data). */
function kubeconfig(file) {
  const text = readFileSync(file, 'utf8');
  const field = (k) => new RegExp(`^\\s*${k}:\\s*(\\S+)\\s*$`, 'm').exec(text)?.[1];
  const path = (k) => resolve(dirname(file), field(k));
  return {
    server: new URL(field('server')),
    ca: readFileSync(path('certificate-authority')),
    cert: readFileSync(path('client-certificate')),
    key: readFileSync(path('client-key')),
  };
}

function post(kc, agent, path, body) {
  return new Promise((done) => {
    const t0 = performance.now();
    const req = request(
      {
        host: kc.server.hostname,
        port: kc.server.port,
        path,
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        let text = '';
        res.on('data', (d) => (text += d));
        res.on('end', () => done({ status: res.statusCode, ms: performance.now() - t0, text }));
      },
    );
    req.on('error', (e) => done({ status: 0, ms: performance.now() - t0, text: e.message }));
    req.end(body);
  });
}

async function main() {
  const input = JSON.parse(readFileSync(0, 'utf8'));
  const kc = kubeconfig(process.env.KUBECONFIG);
  const agent = new Agent({ keepAlive: true, maxSockets: input.concurrency, ca: kc.ca, cert: kc.cert, key: kc.key });
  const path = `/api/v1/namespaces/${input.ns}/pods`;
  const out = { count: input.count, ok: 0, failed: 0, rewritten: 0, errors: [], ms: new Array(input.count), started: new Array(input.count), wallMs: 0 };
  let next = 0;
  let done = 0;
  const t0 = performance.now();
  async function worker() {
    for (let i; (i = next++) < input.count;) {
      const pod = structuredClone(input.pod);
      if (pod.metadata.name) pod.metadata.name = `${pod.metadata.name}-${i}`;
      out.started[i] = Date.now();
      const r = await post(kc, agent, path, JSON.stringify(pod));
      out.ms[i] = Number(r.ms.toFixed(2));
      if (r.status === 201) {
        out.ok++;
        if (JSON.parse(r.text).metadata?.annotations?.['startorder.dev/applied']) out.rewritten++;
      } else {
        out.failed++;
        let message = r.text;
        try {
          message = JSON.parse(r.text).message ?? r.text;
        } catch {
          // not a Status object: the transport error's text
        }
        out.errors.push({ i, status: r.status, message: String(message).slice(0, 500) });
      }
      if (++done % 10 === 0) process.stderr.write(`progress ${done}\n`);
    }
  }
  await Promise.all(Array.from({ length: input.concurrency }, worker));
  out.wallMs = Number((performance.now() - t0).toFixed(1));
  agent.destroy();
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

main().catch((e) => {
  process.stderr.write(`burst: ${e.stack}\n`);
  process.exit(1);
});
