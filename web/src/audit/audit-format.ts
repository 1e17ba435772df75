/** Actions the API records (api/src/services/audit.service.ts), worded for the audit page. */
export const AUDIT_ACTIONS: ReadonlyArray<readonly [action: string, label: string]> = [
  ['auth.signIn', 'signed in'],
  ['auth.signInFailed', 'failed to sign in'],
  ['auth.lockout', 'username locked out'],
  ['user.create', 'created a user'],
  ['user.setRole', 'changed a role'],
  ['user.disable', 'disabled a user'],
  ['user.enable', 'enabled a user'],
  ['user.revokeSessions', 'signed a user out everywhere'],
  ['user.resetPassword', 'reset a password'],
  ['user.oidcFirstSignIn', 'first SSO sign-in'],
  ['workerToken.create', 'created a worker token'],
  ['workerToken.rotate', 'rotated a worker token'],
  ['workerToken.revoke', 'revoked a worker token'],
  ['worker.drain', 'drained a worker'],
  ['worker.remove', 'removed a worker'],
  ['job.cancel', 'canceled a job'],
  ['job.retry', 'retried a job'],
];

const LABELS = new Map(AUDIT_ACTIONS);

export function actionLabel(action: string): string {
  return LABELS.get(action) ?? action;
}

/** The target as a person reads it: its name from the details when recorded, else its id. */
export function targetText(targetId: string | null | undefined, details: ReadonlyArray<{ name: string; value: string }>): string {
  const named = details.find((d) => d.name === 'username' || d.name === 'name')?.value;
  if (named && targetId) return `${named} (${targetId.slice(-6)})`;
  return named ?? targetId ?? '—';
}

/** The remaining details, `name: value`, without the one already shown as the target. */
export function detailText(details: ReadonlyArray<{ name: string; value: string }>): string {
  return details
    .filter((d) => d.name !== 'username' && d.name !== 'name')
    .map((d) => [d.name, listText(d.value)] as const)
    .filter(([, value]) => value !== '')
    .map(([name, value]) => `${name}: ${value}`)
    .join(' · ');
}

/** A detail stored as a JSON list (a token's labels) reads as "a, b"; an empty one is left out. */
function listText(value: string): string {
  if (!value.startsWith('[')) return value;
  try {
    const list: unknown = JSON.parse(value);
    return Array.isArray(list) ? list.map(String).join(', ') : value;
  } catch {
    return value;
  }
}
