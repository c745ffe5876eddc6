/**
 * A log destination that gathers the lines written during one turn of the event loop and hands
 * them to the underlying stream in one write: one syscall for many request lines instead of one
 * each. A line is at most one event-loop turn late; `flush()` writes what is pending (shutdown).
 */
import type { LogDestination } from './app.js';

export class BatchedLog implements LogDestination {
  #pending: string[] = [];
  #scheduled = false;

  constructor(private readonly out: { write(text: string): unknown }) {}

  write(line: string): void {
    this.#pending.push(line);
    if (!this.#scheduled) {
      this.#scheduled = true;
      setImmediate(() => this.flush());
    }
  }

  flush(): void {
    this.#scheduled = false;
    if (this.#pending.length === 0) return;
    const text = this.#pending.join('');
    this.#pending = [];
    this.out.write(text);
  }
}
