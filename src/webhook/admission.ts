/** admission.k8s.io/v1 AdmissionReview: the request as the apiserver sends it, the answers, warnings. */
import type { Diagnostic } from '../diagnostics.js';
import { isObj, type Obj } from '../kube/index.js';
import type { PatchOp } from './patch.js';

export const REVIEW_API_VERSION = 'admission.k8s.io/v1';

/** A string field of parsed JSON, or the fallback. */
export function str(v: unknown, fallback = ''): string {
  return typeof v === 'string' ? v : fallback;
}

/** metadata.name / namespace of an object. */
export function nameOf(o: unknown): string {
  return isObj(o) && isObj(o.metadata) ? str(o.metadata.name) : '';
}

export function namespaceOf(o: unknown): string | undefined {
  return isObj(o) && isObj(o.metadata) && typeof o.metadata.namespace === 'string' ? o.metadata.namespace : undefined;
}

export interface AdmissionRequest {
  uid: string;
  kind?: { group?: string; version?: string; kind?: string };
  resource?: { group?: string; version?: string; resource?: string };
  subResource?: string;
  operation?: string;
  namespace?: string;
  name?: string;
  dryRun?: boolean;
  object?: unknown;
  oldObject?: unknown;
}

export interface AdmissionResponse {
  uid: string;
  allowed: boolean;
  patchType?: 'JSONPatch';
  /** base64 of the JSON Patch. */
  patch?: string;
  warnings?: string[];
  status?: { code: number; message: string; reason?: string };
}

/** The request of an AdmissionReview body, or why it is not one (answered 400). */
export function readReview(body: unknown): { request: AdmissionRequest } | { error: string } {
  if (!isObj(body)) return { error: 'the body is not a JSON object' };
  if (body.kind !== 'AdmissionReview') return { error: `expected kind AdmissionReview, got ${JSON.stringify(body.kind ?? null)}` };
  if (body.apiVersion !== REVIEW_API_VERSION)
    return { error: `expected apiVersion ${REVIEW_API_VERSION} (set admissionReviewVersions: ["v1"]), got ${JSON.stringify(body.apiVersion ?? null)}` };
  const request = body.request;
  if (!isObj(request) || typeof request.uid !== 'string' || request.uid === '') return { error: 'the AdmissionReview has no request.uid' };
  return { request: request as unknown as AdmissionRequest };
}

/** The AdmissionReview that answers one request. */
export function reviewOf(response: AdmissionResponse): Obj {
  return { apiVersion: REVIEW_API_VERSION, kind: 'AdmissionReview', response };
}

/** Allowed, with a JSON Patch (operations, or their JSON text) when there is one. */
export function allow(uid: string, warnings: readonly string[] = [], patch: readonly PatchOp[] | string = []): AdmissionResponse {
  return {
    uid,
    allowed: true,
    ...(patch.length > 0
      ? { patchType: 'JSONPatch' as const, patch: Buffer.from(typeof patch === 'string' ? patch : JSON.stringify(patch)).toString('base64') }
      : {}),
    ...(warnings.length > 0 ? { warnings: [...warnings] } : {}),
  };
}

export function deny(uid: string, message: string, warnings: readonly string[] = []): AdmissionResponse {
  return { uid, allowed: false, status: { code: 400, reason: 'Invalid', message }, ...(warnings.length > 0 ? { warnings: [...warnings] } : {}) };
}

/** A diagnostic path as the API server writes field paths: `spec.containers[1].after[0]`. */
export function fieldPath(path: readonly (string | number)[] | undefined): string {
  let out = '';
  for (const p of path ?? []) out += typeof p === 'number' ? `[${p}]` : out === '' ? p : `.${p}`;
  return out;
}

export const WARNING_LIMIT = 120;

function clip(text: string, limit: number): string {
  const one = text.replace(/\s+/g, ' ').trim();
  return one.length <= limit ? one : `${one.slice(0, limit - 1)}…`;
}

/** One admission warning (kubectl prints "Warning: " before it): short, one line. */
export function warningOf(d: Diagnostic): string {
  const where = d.container ? ` (container ${d.container})` : '';
  return clip(`startorder ${d.severity}[${d.code}]${where}: ${d.message}`, WARNING_LIMIT);
}

/** The denial message: where, what, and the fix line. */
export function denialOf(d: Diagnostic): string {
  const at = fieldPath(d.path);
  return `${at ? `${at}: ` : ''}${d.severity}[${d.code}]: ${d.message}${d.hint ? `\nfix: ${d.hint}` : ''}`;
}
