import { ReportBatcher } from './report-batcher';

describe('ReportBatcher', () => {
  it('sends the reports of one turn together and answers each caller with its own item', async () => {
    const sent: number[][] = [];
    const b = new ReportBatcher<number, string>(async (items) => {
      sent.push(items);
      return items.map((i) => `ok-${i}`);
    });
    const answers = await Promise.all([b.add(1), b.add(2), b.add(3)]);
    expect(answers).toEqual(['ok-1', 'ok-2', 'ok-3']);
    expect(sent).toEqual([[1, 2, 3]]);
  });

  it('sends a lone report on the next turn, with no timer in the way', async () => {
    const sent: number[][] = [];
    const b = new ReportBatcher<number, number>(async (items) => {
      sent.push(items);
      return items;
    });
    const p = b.add(7);
    await new Promise((r) => setImmediate(r));
    expect(sent).toEqual([[7]]);
    await expect(p).resolves.toBe(7);
    // the next turn's report is a new request
    await b.add(8);
    expect(sent).toEqual([[7], [8]]);
  });

  it('fails every item of a request that failed, and a short answer fails the items left out', async () => {
    const boom = new ReportBatcher<number, number>(async () => {
      throw new Error('socket closed');
    });
    await expect(Promise.all([boom.add(1), boom.add(2)])).rejects.toThrow('socket closed');
    const short = new ReportBatcher<number, number>(async (items) => items.slice(0, 1));
    const [a, b] = await Promise.allSettled([short.add(1), short.add(2)]);
    expect(a).toEqual({ status: 'fulfilled', value: 1 });
    expect(b.status).toBe('rejected');
  });
});

describe('ReportBatcher with a limit', () => {
  it('splits one turn’s reports into requests of at most the weight, each answered with its own items', async () => {
    const sent: number[][] = [];
    const b = new ReportBatcher<number, number>(
      async (items) => {
        sent.push(items);
        return items.map((i) => i * 10);
      },
      { weigh: (i) => i, weight: 5 },
    );
    // 9 alone exceeds the limit: it still goes, alone
    const answers = await Promise.all([1, 2, 2, 9, 3, 1].map((i) => b.add(i)));
    expect(answers).toEqual([10, 20, 20, 90, 30, 10]);
    expect(sent).toEqual([[1, 2, 2], [9], [3, 1]]);
  });
});
