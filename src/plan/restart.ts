import { isObj, type Obj, type RestartPolicy } from '../types.js';

/** The container's own restart fields (Kubernetes 1.34+ container restart rules), which startorder keeps as written. */
export function ownRestartFields(c: Obj): string[] {
  return ['restartPolicy', 'restartPolicyRules'].filter((k) => c[k] !== undefined && c[k] !== null);
}

/** Could this rule restart the container after an exit with `code`? Unknown shapes: assume yes. */
function ruleMatches(rule: unknown, code: 'zero' | 'nonzero'): boolean {
  if (!isObj(rule)) return true;
  if (rule.action !== undefined && rule.action !== 'Restart') return false;
  const on = rule.exitCodes;
  if (!isObj(on)) return true;
  const values = Array.isArray(on.values) ? on.values : [];
  const hasZero = values.includes(0);
  const hasNonZero = values.some((v) => v !== 0);
  if (on.operator === 'In') return code === 'zero' ? hasZero : hasNonZero;
  if (on.operator === 'NotIn') return code === 'zero' ? !hasZero : true; // 255 non-zero codes can never all be listed away
  return true;
}

/**
 * The restart policy the wrapper plans with (`-restart_policy`): the container's own restartPolicy
 * if set, else the pod's. With restartPolicyRules the wrapper's three values cannot say "restart on
 * these codes only", so it gets the weakest finality that is still true: Always when an exit 0 may
 * be restarted, OnFailure when some non-zero exit may be, Never only when no exit ever is.
 */
export function effectiveRestartPolicy(c: Obj, podSpec: Obj): RestartPolicy {
  const asPolicy = (v: unknown): RestartPolicy | undefined => (v === 'Never' || v === 'OnFailure' || v === 'Always' ? v : undefined);
  const base = asPolicy(c.restartPolicy) ?? asPolicy(podSpec.restartPolicy) ?? 'Always';
  const rules = Array.isArray(c.restartPolicyRules) ? c.restartPolicyRules : [];
  if (base === 'Always' || rules.some((r) => ruleMatches(r, 'zero'))) return 'Always';
  if (base === 'OnFailure' || rules.some((r) => ruleMatches(r, 'nonzero'))) return 'OnFailure';
  return 'Never';
}
