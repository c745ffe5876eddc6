import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Heap } from '../../src/util/heap.js';

describe('Heap', () => {
  it('pops in the order of its comparison, whatever the order of pushes and pops', () => {
    fc.assert(
      fc.property(fc.array(fc.option(fc.integer({ min: -50, max: 50 }), { nil: undefined })), (ops) => {
        // A number pushes it; undefined pops the least, checked against a sorted copy.
        const heap = new Heap<number>((a, b) => a - b);
        const model: number[] = [];
        for (const op of ops) {
          if (op !== undefined) {
            heap.push(op);
            model.push(op);
            model.sort((a, b) => a - b);
          } else expect(heap.pop()).toBe(model.shift());
          expect(heap.size).toBe(model.length);
        }
        while (heap.size > 0) expect(heap.pop()).toBe(model.shift());
        expect(heap.pop()).toBeUndefined();
      }),
    );
  });
});
