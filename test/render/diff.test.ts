import { describe, expect, it } from 'vitest';
import { diffLines, unifiedDiff } from '../../src/render/diff.js';

/** Apply a unified diff to `a` (checking every context and removed line), as patch(1) would. */
function applyDiff(a: string, diff: string): string {
  const lines = a === '' ? [] : a.replace(/\n$/, '').split('\n');
  const out: string[] = [];
  let cursor = 0;
  const body = diff.split('\n').slice(2);
  for (let i = 0; i < body.length; i += 1) {
    const header = /^@@ -(\d+)(?:,(\d+))? \+\d+(?:,\d+)? @@$/.exec(body[i] ?? '');
    if (header === null) continue;
    const count = header[2] === undefined ? 1 : Number(header[2]);
    const start = count === 0 ? Number(header[1]) : Number(header[1]) - 1;
    out.push(...lines.slice(cursor, start));
    cursor = start;
    for (i += 1; i < body.length && !(body[i] ?? '').startsWith('@@'); i += 1) {
      const line = body[i] ?? '';
      if (line === '') continue;
      const rest = line.slice(1);
      if (line[0] === '+') out.push(rest);
      else {
        if (lines[cursor] !== rest)
          throw new Error(`line ${cursor + 1}: expected ${rest}, found ${lines[cursor]}`);
        if (line[0] === ' ') out.push(rest);
        cursor += 1;
      }
    }
    i -= 1;
  }
  out.push(...lines.slice(cursor));
  return out.length === 0 ? '' : `${out.join('\n')}\n`;
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
      expect(applyDiff(a, diff)).toBe(b);
      const al = a === '' ? [] : a.slice(0, -1).split('\n');
      const bl = b === '' ? [] : b.slice(0, -1).split('\n');
      expect(diffLines(al, bl).filter((o) => o.kind === ' ')).toHaveLength(lcs(al, bl));
    },
  );

  it('finds a shortest edit script', () => {
    const ops = diffLines(['a', 'b', 'c', 'a', 'b', 'b', 'a'], ['c', 'b', 'a', 'b', 'a', 'c']);
    expect(ops.filter((o) => o.kind !== ' ')).toHaveLength(5);
    expect(ops.filter((o) => o.kind !== '+').map((o) => o.line)).toEqual(['a', 'b', 'c', 'a', 'b', 'b', 'a']);
    expect(ops.filter((o) => o.kind !== '-').map((o) => o.line)).toEqual(['c', 'b', 'a', 'b', 'a', 'c']);
  });
});
