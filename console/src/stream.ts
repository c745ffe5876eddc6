/**
 * The live event feed: GET /v1/events:stream read with fetch(), so that the token travels in the
 * X-Auth-Token header (EventSource cannot send headers, and a token never goes into a URL).
 * Reconnects after a dropped connection from the last sequence seen (Last-Event-ID).
 */
import type { Api } from './api.js';
import type { LedgerEvent } from './model.js';
import { SseParser } from './sse.js';

export type StreamState = 'connecting' | 'live' | 'reconnecting' | 'stopped';

export interface StreamHandlers {
  onEvents(events: LedgerEvent[]): void;
  onState(state: StreamState, detail?: string): void;
}

export class EventStream {
  readonly #abort = new AbortController();
  #last: number;

  constructor(
    private readonly api: Api,
    private readonly handlers: StreamHandlers,
    after = 0,
    private readonly retryMs = 2000,
  ) {
    this.#last = after;
  }

  start(): void {
    void this.#run();
  }

  stop(): void {
    this.#abort.abort();
    this.handlers.onState('stopped');
  }

  async #run(): Promise<void> {
    while (!this.#abort.signal.aborted) {
      try {
        await this.#connect();
        if (this.#abort.signal.aborted) return;
        this.handlers.onState('reconnecting', 'the server closed the stream');
      } catch (e) {
        if (this.#abort.signal.aborted) return;
        if ((e as { status?: number }).status === 401)
          return this.handlers.onState('stopped', 'not authenticated');
        this.handlers.onState('reconnecting', (e as Error).message);
      }
      await new Promise((r) => setTimeout(r, this.retryMs));
    }
  }

  async #connect(): Promise<void> {
    this.handlers.onState('connecting');
    const res = await this.api.open(`/v1/events:stream?after=${this.#last}`, {
      headers: { accept: 'text/event-stream', 'last-event-id': String(this.#last) },
      signal: this.#abort.signal,
    });
    if (!res.ok || !res.body) {
      throw Object.assign(new Error(`the event stream answered ${res.status}`), { status: res.status });
    }
    this.handlers.onState('live');
    const parser = new SseParser();
    const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      const events = parser.push(value).map((m) => JSON.parse(m.data) as LedgerEvent);
      if (events.length === 0) continue;
      this.#last = events[events.length - 1]!.sequence;
      this.handlers.onEvents(events);
    }
  }
}
