/**
 * When the reader of our output goes away (`cmd-executor run … | head`), the CLI ends as a local
 * command killed by SIGPIPE does: quietly, exit status 141 (128 + 13). First, what the command
 * registered runs: `run` cancels its job, which nobody can read any more and which would
 * otherwise go on holding a worker's slot (`yes | head` ends `yes`). The exit comes within
 * `GRACE_MS` whatever those steps do.
 */

export const EXIT_READER_GONE = 128 + 13;
const GRACE_MS = 5_000;

const steps = new Set<() => Promise<unknown>>();
let gone = false;

/** Registers a step to take before exiting when the reader goes away; returns its removal. */
export function onReaderGone(step: () => Promise<unknown>): () => void {
  steps.add(step);
  return () => steps.delete(step);
}

/** The reader went away (EPIPE on stdout or stderr): takes the registered steps, then exits 141. Once. */
export function readerGone(exit: (code: number) => void = (code) => process.exit(code)): void {
  if (gone) return;
  gone = true;
  let done = false;
  const finish = (): void => {
    if (done) return;
    done = true;
    clearTimeout(timer);
    exit(EXIT_READER_GONE);
  };
  const timer = setTimeout(finish, GRACE_MS);
  void Promise.allSettled([...steps].map((step) => Promise.resolve().then(step))).then(finish);
}
