import { isIP } from 'node:net';
import { isObj, type Obj, type Ready } from '../types.js';

/**
 * Readiness is checked where it is used, against the mechanism that will run it: the wrapper
 * (`-ready_http` / `-ready_tcp`, no TLS, no DNS) or the kubelet (a native sidecar's startupProbe,
 * which connects from the node, so a loopback-only server must be probed from inside the container).
 */
export type Runner = 'wrapper' | 'native';

/** all: absent / 0.0.0.0 / :: (the pod IP works); loopback: 127/8, ::1, localhost; ip: another IP literal. */
export type HostKind = 'all' | 'loopback' | 'ip';

/** A readiness with, for httpGet / tcpSocket, its host classified and its port resolved to a number. */
export interface PlannedReady extends Ready {
  endpoint?: { kind: HostKind; address: string; port: number };
}

export interface ReadinessProblem {
  code: 'readiness-unsupported' | 'readiness-port-unknown';
  /** Path inside the spec's container entry, e.g. ['ready', 'httpGet', 'scheme']. */
  path: (string | number)[];
  message: string;
  hint: string;
}

function hostKind(host: string | undefined): { kind: HostKind; address: string } | undefined {
  if (host === undefined || host === '0.0.0.0' || host === '::') return { kind: 'all', address: '127.0.0.1' };
  const h = host.replace(/^\[(.*)\]$/, '$1');
  if (h.toLowerCase() === 'localhost') return { kind: 'loopback', address: 'localhost' };
  const v = isIP(h);
  if (v === 4) return { kind: h.startsWith('127.') ? 'loopback' : 'ip', address: h };
  if (v === 6) return { kind: h === '::1' || h === '0:0:0:0:0:0:0:1' ? 'loopback' : 'ip', address: h };
  return undefined;
}

/** `host:port` for a URL or a dial, IPv6 in brackets. */
export function hostPort(address: string, port: number): string {
  return `${address.includes(':') ? `[${address}]` : address}:${port}`;
}

function portsOf(c: Obj): Obj[] {
  return Array.isArray(c.ports) ? c.ports.filter(isObj) : [];
}

/**
 * Resolves a named readiness port against the same container's ports, as the kubelet does. A name
 * only another container declares is an error too: the wrapper probes its own container's server.
 */
function resolvePort(port: number | string, self: Obj, others: readonly Obj[], at: (string | number)[], problems: ReadinessProblem[]): number | undefined {
  if (typeof port === 'number') return port;
  if (/^\d+$/.test(port)) return Number(port);
  const own = portsOf(self).find((p) => p.name === port);
  if (own && typeof own.containerPort === 'number') return own.containerPort;
  const owner = others.find((c) => portsOf(c).some((p) => p.name === port));
  const name = String(self.name);
  const declared = portsOf(self)
    .map((p) => p.name)
    .filter((n): n is string => typeof n === 'string');
  problems.push({
    code: 'readiness-port-unknown',
    path: [...at, 'port'],
    message: owner
      ? `readiness port "${port}" is a port of container "${String(owner.name)}", not of "${name}"; readiness probes the container's own server`
      : `container "${name}" has no port named "${port}"${declared.length ? ` (it has ${declared.map((d) => `"${d}"`).join(', ')})` : ''}`,
    hint: owner
      ? `Give "${name}" its own readiness, or use the port number if "${name}" serves it too.`
      : `Use a port number, or add {name: ${port}, containerPort: N} to the ports of container "${name}".`,
  });
  return undefined;
}

/**
 * Checks one container's readiness for the mechanism that runs it; returns it with resolved port and
 * host. In a hostNetwork pod the node's loopback is the pod's, so the kubelet reaches a loopback server.
 */
export function planReady(
  ready: Ready,
  runner: Runner,
  self: Obj,
  others: readonly Obj[],
  hostNetwork = false,
): { ready?: PlannedReady; problems: ReadinessProblem[] } {
  const problems: ReadinessProblem[] = [];
  const net = ready.httpGet ? { key: 'httpGet' as const, v: ready.httpGet } : ready.tcpSocket ? { key: 'tcpSocket' as const, v: ready.tcpSocket } : undefined;
  if (!net) return { ready, problems };
  const at = ['ready', net.key];
  const classified = hostKind(net.v.host);
  const host = classified?.kind === 'loopback' && hostNetwork && runner === 'native' ? { ...classified, kind: 'ip' as const } : classified;
  if (!host) {
    problems.push({
      code: 'readiness-unsupported',
      path: [...at, 'host'],
      message: `readiness host "${String(net.v.host)}" is a DNS name; readiness is checked inside the pod, against the container's own server`,
      hint: 'Remove "host" when the server listens on all addresses, or give the loopback address it listens on (127.0.0.1).',
    });
  }
  const port = resolvePort(net.v.port, self, others, at, problems);
  const https = ready.httpGet?.scheme === 'HTTPS';
  if (https && runner === 'wrapper') {
    problems.push({
      code: 'readiness-unsupported',
      path: [...at, 'scheme'],
      message: 'the wrapper cannot check readiness over HTTPS (no TLS in the static binary)',
      hint: 'Use ready.exec with a client the image has (e.g. {exec: {command: [curl, -fsk, "https://127.0.0.1:PORT/"]}}), ready.tcpSocket, or mode native so the kubelet probes it.',
    });
  } else if (https && host?.kind === 'loopback') {
    problems.push({
      code: 'readiness-unsupported',
      path: [...at, 'scheme'],
      message: 'a server that listens on loopback only is probed from inside the container through the wrapper, which has no TLS',
      hint: 'Let the server listen on all addresses and remove "host" (the kubelet then probes the pod IP over HTTPS), or use ready.exec.',
    });
  }
  if (problems.length > 0) return { problems };
  return { ready: { ...ready, endpoint: { ...host!, port: port! } }, problems };
}
