type ReaderGone = typeof import('./reader-gone');

/** A fresh copy of the module: it acts once per process. */
function fresh(): ReaderGone {
  let mod: ReaderGone | undefined;
  jest.isolateModules(() => {
    mod = jest.requireActual<ReaderGone>('./reader-gone');
  });
  return mod!;
}

afterEach(() => jest.useRealTimers());

it('takes the registered steps, then exits 141, once', async () => {
  const { onReaderGone, readerGone } = fresh();
  const order: string[] = [];
  onReaderGone(async () => {
    await new Promise((r) => setTimeout(r, 20));
    order.push('cancel');
  });
  const forgotten = onReaderGone(async () => order.push('removed'));
  forgotten();
  const exited = new Promise<number>((resolve) => {
    readerGone((code) => {
      order.push(`exit ${code}`);
      resolve(code);
    });
    readerGone(() => order.push('second exit'));
  });
  expect(await exited).toBe(141);
  expect(order).toEqual(['cancel', 'exit 141']);
});

it('exits within its grace period when a step hangs or fails', async () => {
  jest.useFakeTimers();
  const { onReaderGone, readerGone } = fresh();
  onReaderGone(() => new Promise(() => undefined));
  onReaderGone(() => Promise.reject(new Error('the API is down')));
  const exit = jest.fn();
  readerGone(exit);
  await jest.advanceTimersByTimeAsync(4_999);
  expect(exit).not.toHaveBeenCalled();
  await jest.advanceTimersByTimeAsync(1);
  expect(exit).toHaveBeenCalledWith(141);
});
