import { describe, expect, it } from 'vitest';
import { initOnce } from '../../functions/shared/init-once.ts';

describe('initOnce', () => {
  it('creates once for callers that arrive together', async () => {
    let calls = 0;
    const ready = initOnce(async () => {
      calls += 1;
      await new Promise((resolve) => setTimeout(resolve, 10));
      return { id: calls };
    });

    const [first, second] = await Promise.all([ready(), ready()]);
    const third = await ready();

    expect(calls).toBe(1);
    expect(second).toBe(first);
    expect(third).toBe(first);
  });

  it('tries again after a failure', async () => {
    let calls = 0;
    const ready = initOnce(() => {
      calls += 1;
      if (calls === 1) throw new Error('secret not found');
      return 'ready';
    });

    await expect(ready()).rejects.toThrow('secret not found');
    expect(await ready()).toBe('ready');
    expect(calls).toBe(2);
  });
});
