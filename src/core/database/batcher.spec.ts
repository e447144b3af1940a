import { Batcher } from './batcher';

/** A run that the test releases by hand, so batches are in flight exactly as long as wanted. */
function controlledRun() {
  const calls: number[][] = [];
  const releases: Array<() => void> = [];
  const run = (items: number[]): Promise<number[]> => {
    calls.push(items);
    return new Promise((resolve) => releases.push(() => resolve(items.map((i) => i * 10))));
  };
  return { calls, releases, run };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('Batcher', () => {
  it('puts what arrives in one turn of the event loop into one batch', async () => {
    const { calls, releases, run } = controlledRun();
    const batcher = new Batcher({ maxBatch: 10, maxParallel: 1, run, isolate: () => true });
    const results = Promise.all([1, 2, 3].map((i) => batcher.submit(i)));
    await tick();
    expect(calls).toEqual([[1, 2, 3]]);
    releases[0]();
    await expect(results).resolves.toEqual([10, 20, 30]);
  });

  it('gathers the items that arrive while a batch is in flight into the next one', async () => {
    const { calls, releases, run } = controlledRun();
    const batcher = new Batcher({ maxBatch: 10, maxParallel: 1, run, isolate: () => true });
    const first = batcher.submit(1);
    await tick();
    const later = [2, 3, 4].map((i) => batcher.submit(i));
    await tick();
    expect(calls).toEqual([[1]]);
    releases[0]();
    await expect(first).resolves.toBe(10);
    await tick();
    expect(calls).toEqual([[1], [2, 3, 4]]);
    releases[1]();
    await expect(Promise.all(later)).resolves.toEqual([20, 30, 40]);
  });

  it('never puts more than maxBatch items in a batch, nor more than maxParallel in flight', async () => {
    const { calls, releases, run } = controlledRun();
    const batcher = new Batcher({ maxBatch: 2, maxParallel: 2, run, isolate: () => true });
    const all = Promise.all([1, 2, 3, 4, 5].map((i) => batcher.submit(i)));
    await tick();
    expect(calls).toEqual([
      [1, 2],
      [3, 4],
    ]);
    releases[0]();
    await tick();
    await tick();
    expect(calls).toEqual([[1, 2], [3, 4], [5]]);
    releases[1]();
    releases[2]();
    await expect(all).resolves.toEqual([10, 20, 30, 40, 50]);
  });

  it('retries a failed batch item by item when the error is one to isolate', async () => {
    const calls: number[][] = [];
    const batcher = new Batcher<number, number>({
      maxBatch: 10,
      maxParallel: 1,
      run: (items) => {
        calls.push(items);
        if (items.includes(2)) return Promise.reject(new Error('bad item 2'));
        return Promise.resolve(items.map((i) => i * 10));
      },
      isolate: () => true,
    });
    const outcomes = await Promise.allSettled([1, 2, 3].map((i) => batcher.submit(i)));
    expect(outcomes).toEqual([
      { status: 'fulfilled', value: 10 },
      { status: 'rejected', reason: new Error('bad item 2') },
      { status: 'fulfilled', value: 30 },
    ]);
    expect(calls).toEqual([[1, 2, 3], [1], [2], [3]]);
  });

  it('fails every item of the batch with an error it must not isolate (the database is down)', async () => {
    const calls: number[][] = [];
    const down = new Error('connection refused');
    const batcher = new Batcher<number, number>({
      maxBatch: 10,
      maxParallel: 1,
      run: (items) => {
        calls.push(items);
        return Promise.reject(down);
      },
      isolate: () => false,
    });
    const outcomes = await Promise.allSettled([1, 2].map((i) => batcher.submit(i)));
    expect(outcomes).toEqual([
      { status: 'rejected', reason: down },
      { status: 'rejected', reason: down },
    ]);
    expect(calls).toEqual([[1, 2]]);
  });
});
