import { useEffect, useState } from 'react';
import { useClient } from 'urql';
import { errorMessage } from '../client/api-errors';
import { graphql } from '../gql';
import { applyChunks, initialLogState, type LogChunkInput, type LogState } from './log-reducer';

const JobLogsDocument = graphql(`
  subscription JobLogs($jobId: ID!, $attempt: Int, $afterSeq: Int) {
    jobLogs(jobId: $jobId, attempt: $attempt, afterSeq: $afterSeq) {
      attempt
      seq
      stream
      data
    }
  }
`);

/** chunks arriving within this window are applied as one batch (one render) */
const BATCH_MS = 25;

export interface JobLog {
  readonly state: LogState;
  readonly error: string | null;
}

/**
 * The log of a job from `attempt` (default: the current one), stored chunks first then
 * live. A reconnecting socket re-subscribes from the start; the reducer drops the chunks
 * it already has, so nothing shows twice and nothing is skipped.
 */
export function useJobLog(jobId: string, attempt: number | undefined): JobLog {
  const client = useClient();
  const [state, setState] = useState<LogState>(() => initialLogState());
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    setState(initialLogState());
    setError(null);
    let buffer: LogChunkInput[] = [];
    let timer: ReturnType<typeof setTimeout> | undefined;
    const flush = () => {
      timer = undefined;
      const batch = buffer;
      buffer = [];
      setState((s) => applyChunks(s, batch));
    };
    const subscription = client
      .subscription(JobLogsDocument, { jobId, attempt: attempt ?? null })
      .subscribe((result) => {
        if (result.error) setError(errorMessage(result.error));
        const chunk = result.data?.jobLogs;
        if (!chunk) return;
        buffer.push(chunk);
        timer ??= setTimeout(flush, BATCH_MS);
      });
    return () => {
      subscription.unsubscribe();
      if (timer) clearTimeout(timer);
    };
  }, [client, jobId, attempt]);

  return { state, error };
}
