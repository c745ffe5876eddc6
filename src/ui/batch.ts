/**
 * Lines written in batches: progress and event lines of a long run are gathered for at most
 * `waitMs` and written with one call (a synchronous system call on a pipe or file) instead of
 * one per line. `flush` writes what waits now: call it before any other output and at the end.
 */
export class LineBatch {
  #lines: string[] = [];
  #timer: NodeJS.Timeout | undefined;

  constructor(
    /** Writes the lines, joined by newlines, without a trailing one. */
    private readonly write: (text: string) => void,
    private readonly waitMs = 100,
  ) {}

  add(line: string): void {
    this.#lines.push(line);
    if (this.#timer === undefined) {
      this.#timer = setTimeout(() => this.flush(), this.waitMs);
      this.#timer.unref();
    }
  }

  flush(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#lines.length === 0) return;
    const text = this.#lines.join('\n');
    this.#lines = [];
    this.write(text);
  }
}
