#!/usr/bin/env node
// A burst of pod creations sent straight to the apiserver (no kubectl process per pod), for the webhook
// scenarios and bench-webhook.mjs. Runs in the cluster's network namespace (nsenter --net=…), with the
// admin kubeconfig of $KUBECONFIG (server, CA and client certificate files).
// stdin: {"ns": …, "count": N, "concurrency": C, "pod": {…a Pod; metadata.name gets "-<i>" appended…}}
// stdout: {"count", "ok", "failed", "rewritten" (created pods that came back with startorder's
//          annotation startorder.dev/applied), "errors": [{i, status, message}], "ms": [per request, in
//          order], "started": [unix ms of each request], "wallMs"}
// stderr: "progress N" every 10 completions.
// With "review": {"url": "https://POD_IP:8443/mutate", "ca": PEM, "servername": …, "body": an AdmissionReview}
// instead of "ns"/"pod", it POSTs that AdmissionReview straight to one webhook replica (a new uid each
// time, same pod; with "vary": true, a name of its own each time too): success is a 200 whose
// response.allowed is true; "rewritten" counts JSONPatch answers.
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

function post(url, agent, path, body) {
  return new Promise((done) => {
    const t0 = performance.now();
    const headers = { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) };
    const req = request({ host: url.hostname, port: url.port, path, method: 'POST', agent, headers }, (res) => {
      let text = '';
      res.on('data', (d) => (text += d));
      res.on('end', () => done({ status: res.statusCode, ms: performance.now() - t0, text }));
    });
    req.on('error', (e) => done({ status: 0, ms: performance.now() - t0, text: e.message }));
    req.end(body);
  });
}

/** Request i of the burst: [url, path, body, judge(status, text) → {ok, rewritten}]. */
function target(input, kc) {
  if (input.review) {
    const url = new URL(input.review.url);
    const judge = (status, text) => {
      const resp = status === 200 ? JSON.parse(text).response : undefined;
      return { ok: Boolean(resp?.allowed), rewritten: Boolean(resp?.patch) };
    };
    return (i) => {
      const rv = structuredClone(input.review.body);
      rv.request.uid = `bench-${process.pid}-${i}`;
      if (input.review.vary) rv.request.name = rv.request.object.metadata.name = `${rv.request.object.metadata.name}-${i}`;
      return [url, url.pathname, JSON.stringify(rv), judge];
    };
  }
  const path = `/api/v1/namespaces/${input.ns}/pods`;
  const judge = (status, text) => ({
    ok: status === 201,
    rewritten: status === 201 && Boolean(JSON.parse(text).metadata?.annotations?.['startorder.dev/applied']),
  });
  return (i) => {
    const pod = structuredClone(input.pod);
    if (pod.metadata.name) pod.metadata.name = `${pod.metadata.name}-${i}`;
    return [kc.server, path, JSON.stringify(pod), judge];
  };
}

async function main() {
  const input = JSON.parse(readFileSync(0, 'utf8'));
  const kc = input.review ? undefined : kubeconfig(process.env.KUBECONFIG);
  const tls = input.review ? { ca: input.review.ca, servername: input.review.servername } : { ca: kc.ca, cert: kc.cert, key: kc.key };
  const agent = new Agent({ keepAlive: true, maxSockets: input.concurrency, ...tls });
  const one = target(input, kc);
  const out = { count: input.count, ok: 0, failed: 0, rewritten: 0, errors: [], ms: new Array(input.count), started: new Array(input.count), wallMs: 0 };
  let next = 0;
  let done = 0;
  const t0 = performance.now();
  async function worker() {
    for (let i; (i = next++) < input.count;) {
      const [url, path, body, judge] = one(i);
      out.started[i] = Date.now();
      const r = await post(url, agent, path, body);
      out.ms[i] = Number(r.ms.toFixed(2));
      const j = r.status ? judge(r.status, r.text) : { ok: false };
      if (j.ok) {
        out.ok++;
        if (j.rewritten) out.rewritten++;
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
