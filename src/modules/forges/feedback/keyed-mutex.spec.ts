import { KeyedMutex } from './keyed-mutex';

describe('KeyedMutex', () => {
  it('runs work of one key one at a time, in order, also after a failure', async () => {
    const mutex = new KeyedMutex();
    const log: string[] = [];
    let active = 0;
    let most = 0;
    const work =
      (name: string, fail = false) =>
      async () => {
        active += 1;
        most = Math.max(most, active);
        await new Promise((resolve) => setImmediate(resolve));
        log.push(name);
        active -= 1;
        if (fail) throw new Error(name);
        return name;
      };
    const results = await Promise.allSettled([
      mutex.run('a', work('a1')),
      mutex.run('a', work('a2', true)),
      mutex.run('a', work('a3')),
    ]);
    expect(log).toEqual(['a1', 'a2', 'a3']);
    expect(most).toBe(1);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
  });

  it('lets different keys run together', async () => {
    const mutex = new KeyedMutex();
    let active = 0;
    let most = 0;
    const work = async () => {
      active += 1;
      most = Math.max(most, active);
      await new Promise((resolve) => setImmediate(resolve));
      active -= 1;
    };
    await Promise.all([mutex.run('a', work), mutex.run('b', work), mutex.run('c', work)]);
    expect(most).toBe(3);
  });
});
