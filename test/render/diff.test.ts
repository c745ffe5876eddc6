import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { unifiedDiff } from '../../src/render/diff.js';

/**
 * Apply a unified diff to `a` with `git apply` (which checks every context and removed line),
 * whatever names its headers give.
 */
function gitApply(a: string, diff: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'strata-diff-'));
  try {
    writeFileSync(join(dir, 'f'), a);
    writeFileSync(join(dir, 'p.diff'), diff.replace(/^--- .*\n\+\+\+ .*\n/, '--- f\n+++ f\n'));
    execFileSync('git', ['apply', '-p0', 'p.diff'], { cwd: dir, stdio: 'pipe' });
    return readFileSync(join(dir, 'f'), 'utf8');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Length of a longest common subsequence (dynamic programming): the minimal diff keeps this many lines. */
function lcs(a: string[], b: string[]): number {
  let prev = new Array<number>(b.length + 1).fill(0);
  for (const x of a) {
    const row = [0];
    for (let j = 0; j < b.length; j += 1)
      row.push(x === b[j] ? (prev[j] ?? 0) + 1 : Math.max(prev[j + 1] ?? 0, row[j] ?? 0));
    prev = row;
  }
  return prev[b.length] ?? 0;
}

/** A deterministic pseudo-random text of `n` short lines. */
function text(seed: number, n: number): string {
  let x = seed;
  const lines: string[] = [];
  for (let i = 0; i < n; i += 1) {
    x = (x * 1103515245 + 12345) % 2147483648;
    lines.push(`line ${x % 7}`);
  }
  return `${lines.join('\n')}\n`;
}

const lines = (t: string) => (t === '' ? [] : t.slice(0, -1).split('\n'));

describe('unifiedDiff', () => {
  it('is empty for equal texts', () => {
    expect(unifiedDiff('a\nb\n', 'a\nb\n', 'x', 'y')).toBe('');
  });

  it('prints headers, hunk ranges and context like diff -u', () => {
    const before = 'a\nb\nc\nd\ne\nf\ng\nh\n';
    const after = 'a\nb\nc\nD\ne\nf\ng\nh\n';
    expect(unifiedDiff(before, after, 'old', 'new')).toBe(
      '--- old\n+++ new\n@@ -1,7 +1,7 @@\n a\n b\n c\n-d\n+D\n e\n f\n g\n',
    );
  });

  it('diffs against an empty (missing) file', () => {
    expect(unifiedDiff('', 'x\ny\n', '/dev/null', 'new')).toBe(
      '--- /dev/null\n+++ new\n@@ -0,0 +1,2 @@\n+x\n+y\n',
    );
  });

  it('shows a change of the final newline alone as a changed last line, with the marker', () => {
    const added = unifiedDiff('a\nb', 'a\nb\n', 'old', 'new');
    expect(added).toBe('--- old\n+++ new\n@@ -1,2 +1,2 @@\n a\n-b\n\\ No newline at end of file\n+b\n');
    expect(gitApply('a\nb', added)).toBe('a\nb\n');
    const removed = unifiedDiff('a\nb\n', 'a\nb', 'old', 'new');
    expect(removed).toBe('--- old\n+++ new\n@@ -1,2 +1,2 @@\n a\n-b\n+b\n\\ No newline at end of file\n');
    expect(gitApply('a\nb\n', removed)).toBe('a\nb');
  });

  it('keeps the marker when other lines change too', () => {
    const diff = unifiedDiff('a\nb\nc', 'a\nB\nc\n', 'old', 'new');
    expect(diff).toBe(
      '--- old\n+++ new\n@@ -1,3 +1,3 @@\n a\n-b\n-c\n\\ No newline at end of file\n+B\n+c\n',
    );
    expect(gitApply('a\nb\nc', diff)).toBe('a\nB\nc\n');
  });

  it('never prints a hunk without lines', () => {
    for (const [a, b] of [
      ['x', 'x\n'],
      ['x\n', 'x'],
      ['', 'x'],
      ['x', ''],
      ['a\nb\nc\nd\ne\nf\ng\nh\ni', 'a\nb\nc\nd\ne\nf\ng\nh\ni\n'],
    ] as const) {
      const diff = unifiedDiff(a, b, 'old', 'new');
      const body = diff.replace(/\n$/, '').split('\n').slice(2);
      expect(body[0]).toMatch(/^@@ /);
      // Every hunk header is followed by a line of the hunk.
      body.forEach((line, i) => {
        if (line.startsWith('@@')) expect(body[i + 1]).toMatch(/^[-+ ]/);
      });
      expect(gitApply(a, diff)).toBe(b);
    }
  });

  it.each([
    [1, 2, 10, 10],
    [3, 4, 30, 25],
    [5, 6, 40, 60],
    [7, 7, 50, 50],
    [8, 9, 0, 5],
    [10, 11, 80, 3],
    [12, 13, 200, 190],
  ])(
    'gives a diff that patches a into b, with a minimal edit script (seeds %i/%i, %i/%i lines)',
    (s1, s2, n1, n2) => {
      const a = text(s1, n1);
      const b = text(s2, n2);
      const diff = unifiedDiff(a, b, 'old', 'new');
      expect(diff === '').toBe(a === b);
      if (a !== b) expect(gitApply(a, diff)).toBe(b);
      // With context enough for one hunk, the kept lines are a longest common subsequence.
      const whole = unifiedDiff(a, b, 'old', 'new', Number.MAX_SAFE_INTEGER);
      const kept = whole.split('\n').filter((l) => l.startsWith(' '));
      expect(kept).toHaveLength(a === b ? 0 : lcs(lines(a), lines(b)));
    },
  );
});
