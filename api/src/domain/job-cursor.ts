/** Opaque cursor for the jobs list: the (createdAt, _id) of the last job of a page. */
export function encodeJobCursor(createdAt: Date, id: string): string {
  return Buffer.from(`${createdAt.getTime()}:${id}`, 'utf8').toString('base64url');
}

export function decodeJobCursor(cursor: string): { createdAt: Date; id: string } | null {
  if (cursor.length > 100) return null;
  const m = /^(\d{1,15}):([0-9a-f]{24})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  return m ? { createdAt: new Date(Number(m[1])), id: m[2] } : null;
}
