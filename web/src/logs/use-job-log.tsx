import { useEffect, useRef, useState } from 'react';
import { useClient } from 'urql';
import { errorMessage } from '../client/api-errors';
import { graphql } from '../gql';
import { applyEvents, initialLogState, type LogEventInput, type LogState } from './log-reducer';

const JobLogsDocument = graphql(`
  subscription JobLogs($jobId: ID!, $attempt: Int, $afterSeq: Int) {
    jobLogs(jobId: $jobId, attempt: $attempt, afterSeq: $afterSeq) {
      chunks {
        attempt
        seq
        stream
        data
      }
    }
  }
`);

/** events arriving within this window are applied as one batch (one render) */
const BATCH_MS = 25;

export interface JobLog {
  readonly state: LogState;
  readonly error: string | null;
}

/**
 * The log of a job from `attempt` (default: the current one), stored chunks first then
 * live. A reconnecting socket re-subscribes from the start; the reducer drops the chunks
 * it already has, so nothing shows twice and nothing is skipped.
 *
 * The API ends a `jobLogs` subscription when the job finishes; a later retry (by anyone)
 * raises `currentAttempt`, and the new attempt is then followed with one more subscription
 * appended to the same view.
 */
export function useJobLog(jobId: string, attempt: number | undefined, currentAttempt: number | undefined): JobLog {
  const client = useClient();
  const [state, setState] = useState<LogState>(() => initialLogState());
  const [error, setError] = useState<string | null>(null);
  // subscribes from an attempt into the current view; set by the effect below
  const follow = useRef<((fromAttempt: number) => void) | null>(null);
  // highest attempt some subscription started from (undefined: not known yet)
  const followed = useRef<number | undefined>(undefined);
  const latestAttempt = useRef(currentAttempt);
  latestAttempt.current = currentAttempt;

  useEffect(() => {
    setState(initialLogState());
    setError(null);
    let buffer: LogEventInput[] = [];
    let timer: ReturnType<typeof setTimeout> | undefined;
    const subscriptions: { unsubscribe(): void }[] = [];
    const flush = () => {
      timer = undefined;
      const batch = buffer;
      buffer = [];
      setState((s) => applyEvents(s, batch));
    };
    const subscribe = (from: number | undefined) => {
      subscriptions.push(
        client.subscription(JobLogsDocument, { jobId, attempt: from ?? null }).subscribe((result) => {
          if (result.error) setError(errorMessage(result.error));
          // An event carries every chunk the server had ready (one or more, in order).
          const event = result.data?.jobLogs;
          if (!event) return;
          buffer.push(event);
          timer ??= setTimeout(flush, BATCH_MS);
        }),
      );
    };
    followed.current = attempt ?? latestAttempt.current;
    subscribe(attempt);
    follow.current = (from) => {
      followed.current = from;
      subscribe(from);
    };
    return () => {
      follow.current = null;
      for (const s of subscriptions) s.unsubscribe();
      if (timer) clearTimeout(timer);
    };
  }, [client, jobId, attempt]);

  useEffect(() => {
    if (currentAttempt === undefined) return;
    if (followed.current === undefined) followed.current = currentAttempt;
    else if (currentAttempt > followed.current) follow.current?.(currentAttempt);
  }, [currentAttempt]);

  return { state, error };
}
