import { afterEach, describe, expect, it, vi } from 'vitest';
import { LineBatch } from '../../src/ui/batch.js';

afterEach(() => {
  vi.useRealTimers();
});

describe('LineBatch', () => {
  it('writes the lines gathered in its window with one call, joined by newlines', () => {
    vi.useFakeTimers();
    const writes: string[] = [];
    const batch = new LineBatch((text) => writes.push(text), 100);
    batch.add('a');
    batch.add('b');
    expect(writes).toEqual([]);
    vi.advanceTimersByTime(100);
    expect(writes).toEqual(['a\nb']);
    batch.add('c');
    vi.advanceTimersByTime(100);
    expect(writes).toEqual(['a\nb', 'c']);
  });

  it('flush writes what waits at once, and nothing when nothing waits', () => {
    vi.useFakeTimers();
    const writes: string[] = [];
    const batch = new LineBatch((text) => writes.push(text), 100);
    batch.flush();
    expect(writes).toEqual([]);
    batch.add('a');
    batch.flush();
    expect(writes).toEqual(['a']);
    // The window's timer was cleared: nothing is written twice.
    vi.advanceTimersByTime(1000);
    expect(writes).toEqual(['a']);
  });
});
