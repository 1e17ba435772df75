/**
 * One attempt of one job as a map or set key: `<jobId>:<attempt>`. The id may be an ObjectId or
 * its hex string; both give the same key, so a key built from a stored job matches one built
 * from a worker's report.
 */
export function attemptKey(jobId: unknown, attempt: number): string {
  return `${String(jobId)}:${attempt}`;
}
