/** How a registry lookup fails: RegistryError with its code, and the helpers that tell the causes apart. */
import { createHash } from 'node:crypto';
import type { Code } from '../diagnostics.js';

/** A lookup that failed: `code` says which failure, `message` what happened, `hint` what to do. */
export class RegistryError extends Error {
  constructor(
    readonly code: Code,
    message: string,
    readonly hint: string,
  ) {
    super(message);
  }
}

export function sha256(bytes: Buffer): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

export function digestOf(bytes: Buffer, algorithm: string): string | undefined {
  if (algorithm !== 'sha256' && algorithm !== 'sha512') return undefined;
  return `${algorithm}:${createHash(algorithm).update(bytes).digest('hex')}`;
}

/** Says why a fetch threw: timed out, TLS, or not reachable (refused, no such host, closed). */
export function networkReason(e: unknown, timeoutMs: number): { code: Code; reason: string } {
  const err = e as Error & { cause?: { code?: string; message?: string } };
  if (err?.name === 'TimeoutError' || err?.name === 'AbortError') return { code: 'registry-timeout', reason: `no answer within ${timeoutMs} ms (timed out)` };
  const code = err?.cause?.code;
  const unreachable = (reason: string) => ({ code: 'registry-unreachable' as const, reason });
  if (code === 'ECONNREFUSED') return unreachable('connection refused (is the registry running?)');
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return unreachable('host not found');
  if (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET') return unreachable('connection closed by the registry');
  if (code?.startsWith('ERR_SSL') || code?.includes('CERT') || /certificate|SSL|TLS/i.test(err?.cause?.message ?? ''))
    return { code: 'registry-tls', reason: `TLS error: ${err.cause?.message ?? code}` };
  return unreachable(`${err?.cause?.message ?? err?.message ?? String(e)}${code ? ` (${code})` : ''}`);
}

/** An HTTP status the lookup did not expect, with the registry's own error when it sent one. */
export function unexpectedStatus(registry: string, status: number, what: string, body: Buffer): RegistryError {
  let detail = '';
  try {
    const j = JSON.parse(body.toString('utf8')) as { errors?: { code?: string; message?: string }[] };
    const e = j.errors?.[0];
    if (e) detail = `: ${e.code ?? ''}${e.message ? ` ${e.message}` : ''}`;
  } catch {
    /* not the registry's JSON error */
  }
  const code = status === 429 ? 'registry-rate-limited' : status >= 500 ? 'registry-server-error' : 'registry-bad-response';
  return new RegistryError(
    code,
    `registry ${registry} answered HTTP ${status} for ${what}${detail}`,
    status >= 500 ? 'The registry has a problem; try again later.' : `Check the image reference and the registry ${registry}.`,
  );
}
