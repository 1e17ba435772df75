import { print } from 'graphql';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';

const PAGE = 1000;

interface LogPage {
  job: { logs: { seq: number; data: string }[] } | null;
}

/**
 * The whole stored log of every attempt, page by page over plain HTTP (it can be tens of
 * MB: kept out of urql's cache), then handed to the browser as a file.
 */
export async function downloadJobLog(
  logsDocument: TypedDocumentNode<LogPage, { id: string; attempt: number; afterSeq: number; limit: number }>,
  jobId: string,
  attempts: number,
): Promise<void> {
  const query = print(logsDocument);
  const parts: string[] = [];
  for (let attempt = 1; attempt <= attempts; attempt++) {
    if (attempts > 1) parts.push(`${attempt > 1 ? '\n' : ''}--- attempt ${attempt} ---\n`);
    let afterSeq = 0;
    for (;;) {
      const response = await fetch('/graphql', {
        method: 'POST',
        credentials: 'include',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify({ query, variables: { id: jobId, attempt, afterSeq, limit: PAGE } }),
      });
      const body = (await response.json()) as { data?: LogPage; errors?: { message: string }[] };
      if (body.errors?.length) throw new Error(body.errors.map((e) => e.message).join('; '));
      const chunks = body.data?.job?.logs ?? [];
      if (chunks.length === 0) break;
      for (const c of chunks) parts.push(c.data);
      afterSeq = chunks[chunks.length - 1]!.seq;
    }
  }
  const url = URL.createObjectURL(new Blob(parts, { type: 'text/plain' }));
  const a = createDownloadLink(url, `job-${jobId}.log`);
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

function createDownloadLink(href: string, filename: string): HTMLAnchorElement {
  const a = document.createElement('a');
  a.href = href;
  a.download = filename;
  return a;
}
