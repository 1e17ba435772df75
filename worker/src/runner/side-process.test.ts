import { Writable } from 'node:stream';
import { TickBatchedOrders } from './side-process';

/** A pipe's writing end that records each write call. */
function recordingPipe(): Writable & { writes: string[] } {
  const writes: string[] = [];
  const pipe = new Writable({
    write(chunk: Buffer, _enc, done) {
      writes.push(chunk.toString());
      done();
    },
  });
  return Object.assign(pipe, { writes });
}

const endOfTick = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('TickBatchedOrders', () => {
  test('the orders of one tick go out in one write, in order, at its end', async () => {
    const pipe = recordingPipe();
    const orders = new TickBatchedOrders(() => pipe);
    orders.send('g 101');
    orders.send('g 102');
    await Promise.resolve().then(() => orders.send('u 101')); // a promise callback of the same tick
    expect(pipe.writes).toEqual([]);
    await endOfTick();
    expect(pipe.writes).toEqual(['g 101\ng 102\nu 101\n']);
    orders.send('u 102');
    await endOfTick();
    expect(pipe.writes).toEqual(['g 101\ng 102\nu 101\n', 'u 102\n']);
  });

  test('flush writes what is pending at once, and nothing twice', async () => {
    const pipe = recordingPipe();
    const orders = new TickBatchedOrders(() => pipe);
    orders.send('spawn 1');
    orders.flush();
    expect(pipe.writes).toEqual(['spawn 1\n']);
    await endOfTick();
    expect(pipe.writes).toEqual(['spawn 1\n']);
  });

  test('the pipe is looked up when writing: a restarted process gets the orders, a closed pipe none', async () => {
    let pipe: (Writable & { writes: string[] }) | undefined = recordingPipe();
    const first = pipe;
    const orders = new TickBatchedOrders(() => pipe);
    orders.send('g 7');
    pipe = recordingPipe(); // restarted before the end of the tick
    await endOfTick();
    expect(first.writes).toEqual([]);
    expect(pipe.writes).toEqual(['g 7\n']);
    pipe.destroy();
    orders.send('g 8');
    await endOfTick();
    expect(pipe.writes).toEqual(['g 7\n']);
  });
});
