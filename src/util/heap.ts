/** A binary min-heap: `pop` returns the least element by `compare` (the ready lists of graph walks). */
export class Heap<T> {
  readonly #items: T[] = [];

  constructor(private readonly compare: (a: T, b: T) => number) {}

  get size(): number {
    return this.#items.length;
  }

  push(item: T): void {
    const items = this.#items;
    let i = items.push(item) - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (this.compare(items[i] as T, items[parent] as T) >= 0) break;
      [items[i], items[parent]] = [items[parent] as T, items[i] as T];
      i = parent;
    }
  }

  pop(): T | undefined {
    const items = this.#items;
    const top = items[0];
    const last = items.pop();
    if (items.length === 0 || last === undefined) return top;
    items[0] = last;
    for (let i = 0; ;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let least = i;
      if (left < items.length && this.compare(items[left] as T, items[least] as T) < 0) least = left;
      if (right < items.length && this.compare(items[right] as T, items[least] as T) < 0) least = right;
      if (least === i) return top;
      [items[i], items[least]] = [items[least] as T, items[i] as T];
      i = least;
    }
  }
}
