/** The startupProbe startorder gives a container from the spec's ready. */
import type { Obj } from '../kube/index.js';
import type { PlannedReady } from '../plan/readiness.js';
import { escapeExpansion, headerLines, readyTcp, readyUrl } from './flags.js';
import * as N from './names.js';

/**
 * A native sidecar's startupProbe. The kubelet probes from the node: a server on all addresses is
 * probed at the pod IP (`host` left out, never a loopback address, which would be the node's); a
 * loopback-only one from inside the container, through the wrapper's `probe` subcommand.
 */
export function startupProbe(ready: PlannedReady, name: string): Obj | undefined {
  const period = ready.periodSeconds ?? 1;
  const failureThreshold = Math.max(1, Math.ceil((ready.timeoutSeconds ?? 120) / period));
  const probe = (...words: string[]) => ({ exec: { command: [N.ENTRYPOINT, 'probe', ...words.map(escapeExpansion)] } });
  const at = ready.endpoint;
  const host = at?.kind === 'ip' ? { host: at.address } : {};
  let handler: Obj;
  if (ready.file !== undefined) handler = probe('file', ready.file);
  else if (ready.self) handler = probe('file', N.selfReadyFile(name));
  else if (ready.exec) handler = { exec: { command: ready.exec.command } };
  else if (ready.httpGet && at?.kind === 'loopback') handler = probe('http', readyUrl(ready), ...headerLines(ready).flatMap((h) => ['-header', h]));
  else if (ready.tcpSocket && at?.kind === 'loopback') handler = probe('tcp', readyTcp(ready));
  else if (ready.httpGet) {
    const { host: _host, ...rest } = ready.httpGet;
    handler = { httpGet: { ...rest, ...host } };
  } else if (ready.tcpSocket) {
    const { host: _host, ...rest } = ready.tcpSocket;
    handler = { tcpSocket: { ...rest, ...host } };
  } else return undefined;
  return { ...handler, periodSeconds: period, failureThreshold };
}

/** True when a probe runs the wrapper binary, so the container needs the bin volume. */
export function runsEntrypoint(probe: Obj | undefined): boolean {
  const exec = probe?.exec as { command?: unknown[] } | undefined;
  return exec?.command?.[0] === N.ENTRYPOINT;
}
