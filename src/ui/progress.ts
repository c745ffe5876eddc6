/**
 * Progress of an import on stderr, from its events. A person at a terminal gets one live line
 * (done/total, in flight, rate, ETA, the resources in flight); a CI log (no terminal, or CI set)
 * gets a plain timestamped line every few seconds and one per failure, never one per resource;
 * `--quiet` gets nothing (the result still names every failure).
 */
import type { DeployEvent } from '../deploy/report.js';
import { printable } from './text.js';

export type ProgressMode = 'live' | 'lines' | 'off';

/** What the live line is drawn with (ora's spinner, or a fake in tests). */
export interface LiveLine {
  set(text: string): void;
  stop(): void;
}

export interface ProgressOptions {
  mode: ProgressMode;
  /** Writes one line to stderr (lines mode). */
  write: (line: string) => void;
  live?: LiveLine;
  /** Milliseconds between plain lines (default 5000). */
  intervalMs?: number;
  now?: () => number;
  /** Starts a repeating timer; returns how to stop it (injected by tests). */
  every?: (ms: number, tick: () => void) => () => void;
}

/** Which mode a run gets: live only on a terminal that reports its width, outside CI. */
export function progressMode(options: {
  quiet: boolean;
  tty: boolean;
  columns: number | undefined;
  ci: string | undefined;
}): ProgressMode {
  if (options.quiet) return 'off';
  const ci = options.ci !== undefined && !/^(|0|false|no)$/i.test(options.ci);
  // A terminal that reports no width (some CI pseudo-terminals) would make a live line redraw endlessly.
  return options.tty && (options.columns ?? 0) > 0 && !ci ? 'live' : 'lines';
}

function duration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  return m < 60
    ? `${m}m${String(s % 60).padStart(2, '0')}s`
    : `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

const defaultEvery = (ms: number, tick: () => void) => {
  const timer = setInterval(tick, ms);
  timer.unref();
  return () => clearInterval(timer);
};

export class Progress {
  #total = 0;
  #done = 0;
  #failed = 0;
  #blocked = 0;
  #startedAt = 0;
  #inFlight = new Set<string>();
  #lastCounts = '';
  #lastLineAt = 0;
  #stopTimer: (() => void) | undefined;
  readonly #now: () => number;

  constructor(private readonly options: ProgressOptions) {
    this.#now = options.now ?? (() => Date.now());
  }

  /** Feeds one event of the run. */
  on(e: DeployEvent): void {
    if (this.options.mode === 'off') return;
    switch (e.event) {
      case 'run_started':
        this.#start(e.total);
        break;
      case 'resource_started':
        this.#inFlight.add(e.resource_id);
        break;
      case 'resource_result':
        this.#inFlight.delete(e.resource_id);
        this.#done++;
        if (e.action === 'failed') {
          this.#failed++;
          this.#line(`failed ${e.resource_id}: ${e.error?.message ?? 'error'}`);
        }
        break;
      case 'resource_blocked':
        this.#blocked++;
        break;
      case 'activation':
        if (e.action === 'failed')
          this.#line(`activation of ${e.resource_id} failed: ${e.error?.message ?? ''}`);
        break;
      case 'run_finished':
        this.stop();
        return;
      default:
        return;
    }
    if (this.options.mode === 'live') this.options.live?.set(this.status(true));
  }

  /** `120/3000 done, 8 in flight, 40.0/s, ETA 1m12s` (and, live, the first resources in flight). */
  status(withNames = false): string {
    const seconds = (this.#now() - this.#startedAt) / 1000;
    const rate = seconds > 0 ? this.#done / seconds : 0;
    const left = this.#total - this.#done - this.#blocked;
    const eta = this.#done === 0 ? '?' : duration(left / rate);
    const extra = [
      this.#failed > 0 ? `, ${this.#failed} failed` : '',
      this.#blocked > 0 ? `, ${this.#blocked} blocked` : '',
    ].join('');
    const names =
      withNames && this.#inFlight.size > 0 ? `: ${[...this.#inFlight].slice(0, 3).join(', ')}` : '';
    return `${this.#done}/${this.#total} done, ${this.#inFlight.size} in flight${extra}, ${rate.toFixed(1)}/s, ETA ${eta}${printable(names, true)}`;
  }

  #start(total: number): void {
    this.#total = total;
    this.#startedAt = this.#now();
    if (this.options.mode !== 'lines') return;
    this.#line(`importing ${total} resource${total === 1 ? '' : 's'}`);
    const every = this.options.every ?? defaultEvery;
    this.#stopTimer = every(this.options.intervalMs ?? 5000, () => this.#tick());
  }

  #tick(): void {
    // A run that is stuck says so once a minute (CI systems kill silent jobs), not every few seconds.
    const counts = `${this.#done} ${this.#inFlight.size} ${this.#failed} ${this.#blocked}`;
    if (counts === this.#lastCounts && this.#now() - this.#lastLineAt < 60_000) return;
    this.#lastCounts = counts;
    this.#lastLineAt = this.#now();
    this.#line(this.status());
  }

  #line(text: string): void {
    if (this.options.mode === 'lines')
      this.options.write(`${new Date(this.#now()).toISOString()} ${printable(text, true)}`);
    else if (this.options.mode === 'live') {
      // A failure stays on screen above the live line.
      this.options.live?.stop();
      this.options.write(printable(text, true));
      this.options.live?.set(this.status(true));
    }
  }

  /** Ends the progress: the timer stops, the live line is cleared, a last plain line is written. */
  stop(): void {
    if (this.#stopTimer) {
      this.#stopTimer();
      this.#stopTimer = undefined;
      const seconds = (this.#now() - this.#startedAt) / 1000;
      this.#line(`${this.#done}/${this.#total} done in ${duration(seconds)}`);
    }
    this.options.live?.stop();
  }
}
