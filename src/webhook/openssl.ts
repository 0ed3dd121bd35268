/**
 * A CA and a serving certificate made with the openssl command line (spawned; every Debian has it):
 * EC P-256 keys, the serving certificate for the Service's DNS names, signed by the CA.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Certificates {
  /** PEM of the CA certificate: the caBundle of the webhook configurations. */
  caCert: string;
  /** PEM of the serving certificate and its key: tls.crt and tls.key of the Secret. */
  cert: string;
  key: string;
}

export interface CertificateRequest {
  /** The names the serving certificate is for: DNS names, or IP addresses (tests: 127.0.0.1). */
  dnsNames: string[];
  ipAddresses?: string[];
  days: number;
  /** The CA's common name. */
  caName?: string;
  /** The openssl binary; default `openssl` on the PATH. */
  openssl?: string;
}

/** The DNS names by which the apiserver reaches a Service. */
export function serviceNames(service: string, namespace: string): string[] {
  return [service, `${service}.${namespace}`, `${service}.${namespace}.svc`, `${service}.${namespace}.svc.cluster.local`];
}

/** openssl is missing or failed: the user's machine, not startorder (exit 2). */
export class OpensslError extends Error {}

function openssl(bin: string, args: string[], cwd: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const p = spawn(bin, args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    p.stderr.on('data', (c: Buffer) => (err += c.toString()));
    p.on('error', (e) => reject(new OpensslError(`cannot run ${bin}: ${e.message} (install openssl)`)));
    p.on('close', (code) =>
      code === 0 ? resolve() : reject(new OpensslError(`${bin} ${args[0]} failed (exit ${code}): ${err.trim().split('\n').slice(-3).join(' ')}`)),
    );
  });
}

/** Makes a fresh CA and a serving certificate signed by it; nothing stays on disk. */
export async function makeCertificates(r: CertificateRequest): Promise<Certificates> {
  const bin = r.openssl ?? 'openssl';
  const dir = await mkdtemp(join(tmpdir(), 'startorder-certs-'));
  const days = String(r.days);
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  try {
    await openssl(
      bin,
      [
        'req',
        '-x509',
        ...ec,
        '-keyout',
        'ca.key',
        '-out',
        'ca.crt',
        '-days',
        days,
        '-subj',
        `/CN=${r.caName ?? 'startorder-webhook-ca'}`,
        '-addext',
        'basicConstraints=critical,CA:TRUE',
        '-addext',
        'keyUsage=critical,keyCertSign,cRLSign',
      ],
      dir,
    );
    await openssl(bin, ['req', ...ec, '-keyout', 'tls.key', '-out', 'tls.csr', '-subj', `/CN=${r.dnsNames[0] ?? r.ipAddresses?.[0] ?? 'startorder'}`], dir);
    const san = [...r.dnsNames.map((n) => `DNS:${n}`), ...(r.ipAddresses ?? []).map((n) => `IP:${n}`)].join(',');
    const ext = `basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\nsubjectAltName=${san}\n`;
    await writeFile(join(dir, 'ext.cnf'), ext);
    await openssl(
      bin,
      ['x509', '-req', '-in', 'tls.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-days', days, '-extfile', 'ext.cnf', '-out', 'tls.crt'],
      dir,
    );
    const [caCert, cert, key] = await Promise.all(['ca.crt', 'tls.crt', 'tls.key'].map((f) => readFile(join(dir, f), 'utf8')));
    return { caCert: caCert!, cert: cert!, key: key! };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
