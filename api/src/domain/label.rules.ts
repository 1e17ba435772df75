import { BadUserInputError } from '../errors';

const LABEL = /^[A-Za-z0-9][A-Za-z0-9_.:=/-]{0,127}$/;

/** Labels (worker) and requirements (job) share one format so matching is plain equality. */
export function validateLabels(labels: readonly string[] | null | undefined, field: string, max: number): string[] {
  const list = labels ?? [];
  if (list.length > max) throw new BadUserInputError(field, `at most ${max} entries`);
  list.forEach((l, i) => {
    if (typeof l !== 'string' || !LABEL.test(l)) {
      throw new BadUserInputError(`${field}[${i}]`, 'labels are 1-128 characters: letters, digits, _ . : = / - (not first)');
    }
  });
  return [...new Set(list)];
}
