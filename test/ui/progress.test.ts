/** Progress of an import: live line on a terminal, a line every few seconds in CI, nothing when quiet. */
import { describe, expect, it } from 'vitest';
import { Progress, progressMode, type LiveLine } from '../../src/ui/progress.js';
import type { DeployEvent } from '../../src/deploy/report.js';

const at = '2026-12-02T12:00:00.000Z';
const started = (total: number): DeployEvent => ({
  event: 'run_started',
  at,
  run_id: 'r',
  command: 'import',
  total,
  target: 'http://x',
});
const begin = (id: string): DeployEvent => ({
  event: 'resource_started',
  at,
  resource_id: id,
  resource_type: 'FLAG_DEFINITION',
});
const done = (id: string, failed = false): DeployEvent => ({
  event: 'resource_result',
  at,
  resource_id: id,
  resource_type: 'FLAG_DEFINITION',
  action: failed ? 'failed' : 'created',
  vault_id: failed ? null : id,
  ...(failed ? { error: { code: 'INVALID_ARGUMENT', message: 'bad \u001b[2J flag' } } : {}),
});

/** A clock and a timer the test moves by hand. */
function fakeTime() {
  let now = Date.parse(at);
  let tick: (() => void) | undefined;
  return {
    now: () => now,
    every: (_ms: number, f: () => void) => {
      tick = f;
      return () => (tick = undefined);
    },
    advance(ms: number) {
      now += ms;
      tick?.();
    },
    get running() {
      return tick !== undefined;
    },
  };
}

describe('progressMode', () => {
  it.each([
    [{ quiet: true, tty: true, columns: 120, ci: undefined }, 'off'],
    [{ quiet: false, tty: true, columns: 120, ci: undefined }, 'live'],
    [{ quiet: false, tty: true, columns: 120, ci: 'true' }, 'lines'],
    [{ quiet: false, tty: true, columns: 120, ci: 'false' }, 'live'],
    [{ quiet: false, tty: true, columns: 0, ci: undefined }, 'lines'],
    [{ quiet: false, tty: false, columns: undefined, ci: undefined }, 'lines'],
  ] as const)('%o -> %s', (options, mode) => {
    expect(progressMode(options)).toBe(mode);
  });
});

describe('Progress in a CI log', () => {
  it('writes a line at the start, one per interval with done/total, rate and ETA, one per failure, one at the end', () => {
    const time = fakeTime();
    const lines: string[] = [];
    const p = new Progress({ mode: 'lines', write: (l) => lines.push(l), now: time.now, every: time.every });
    p.on(started(4));
    for (const id of ['a', 'b', 'c']) p.on(begin(id));
    p.on(done('a'));
    p.on(done('b', true));
    time.advance(2000);
    // Nothing moved since the last line: no repeat.
    time.advance(2000);
    p.on(done('c'));
    p.on({
      event: 'resource_blocked',
      at,
      resource_id: 'd',
      resource_type: 'FLAG_DEFINITION',
      blocked_by: ['b'],
    });
    time.advance(2000);
    p.on({
      event: 'run_finished',
      at,
      run_id: 'r',
      status: 'PARTIAL SUCCESS',
      summary: { counts: {}, skipped: 0, duration_ms: 5000, interrupted: false },
    });
    expect(time.running).toBe(false);
    expect(lines.map((l) => l.replace(/^\S+Z /, ''))).toEqual([
      'importing 4 resources',
      'failed b: bad \\x1b[2J flag',
      '2/4 done, 1 in flight, 1 failed, 1.0/s, ETA 2s',
      '3/4 done, 0 in flight, 1 failed, 1 blocked, 0.5/s, ETA 0s',
      '3/4 done in 6s',
    ]);
    for (const l of lines) expect(l).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z /);
  });
});

describe('Progress on a terminal', () => {
  it('keeps one live line with done/total, in flight, rate, ETA and names; failures stay above it', () => {
    const time = fakeTime();
    const texts: string[] = [];
    const written: string[] = [];
    let stops = 0;
    const live: LiveLine = { set: (t) => texts.push(t), stop: () => stops++ };
    const p = new Progress({
      mode: 'live',
      write: (l) => written.push(l),
      live,
      now: time.now,
      every: time.every,
    });
    p.on(started(10));
    p.on(begin('a'));
    p.on(begin('b'));
    time.advance(1000);
    p.on(done('a'));
    expect(texts.at(-1)).toBe('1/10 done, 1 in flight, 1.0/s, ETA 9s: b');
    p.on(done('b', true));
    expect(written).toEqual(['failed b: bad \\x1b[2J flag']);
    expect(time.running).toBe(false);
    p.stop();
    expect(stops).toBeGreaterThan(1);
  });

  it('quiet: nothing at all', () => {
    const written: string[] = [];
    const p = new Progress({ mode: 'off', write: (l) => written.push(l) });
    p.on(started(1));
    p.on(done('a', true));
    p.stop();
    expect(written).toEqual([]);
  });
});
