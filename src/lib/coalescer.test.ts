import { describe, expect, it } from 'vitest';
import { Coalescer } from './coalescer.ts';

describe('Coalescer', () => {
  it('flushes an item at once when idle, and what arrives meanwhile together in the next flush', async () => {
    const flushed: number[][] = [];
    let release: () => void = () => {};
    const c = new Coalescer<number>(async (items) => {
      flushed.push(items);
      if (flushed.length === 1) await new Promise<void>((r) => (release = r));
    });
    const first = c.add(1);
    const rest = [c.add(2), c.add(3)];
    expect(flushed).toEqual([[1]]);
    release();
    await Promise.all([first, ...rest]);
    expect(flushed).toEqual([[1], [2, 3]]);
  });

  it("rejects only the failed flush's callers, and keeps flushing after it", async () => {
    const c = new Coalescer<number>(async (items) => {
      if (items.includes(1)) throw new Error('down');
    });
    await expect(c.add(1)).rejects.toThrow('down');
    await expect(c.add(2)).resolves.toBeUndefined();
  });

  it('carries at most maxBatch items a flush', async () => {
    const flushed: number[][] = [];
    let release: () => void = () => {};
    const c = new Coalescer<number>(async (items) => {
      flushed.push(items);
      if (flushed.length === 1) await new Promise<void>((r) => (release = r));
    }, 2);
    const all = [c.add(0), c.add(1), c.add(2), c.add(3)];
    release();
    await Promise.all(all);
    expect(flushed).toEqual([[0], [1, 2], [3]]);
  });
});
