/**
 * A unified diff of two texts by lines (Myers' O(ND) algorithm), in the format `diff -u` and
 * `git diff` print: `---`/`+++` headers, `@@ -a,b +c,d @@` hunks with three lines of context.
 */

type Op = { kind: ' ' | '-' | '+'; line: string };

function splitLines(text: string): string[] {
  if (text === '') return [];
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/** The shortest edit script turning `a` into `b`, as a sequence of kept, removed and added lines. */
export function diffLines(a: readonly string[], b: readonly string[]): Op[] {
  const n = a.length;
  const m = b.length;
  const max = n + m;
  const offset = max + 1;
  const v = new Int32Array(2 * max + 3);
  const trace: Int32Array[] = [];
  let found = false;
  for (let d = 0; d <= max && !found; d += 1) {
    trace.push(v.slice());
    for (let k = -d; k <= d; k += 2) {
      let x =
        k === -d || (k !== d && (v[offset + k - 1] ?? 0) < (v[offset + k + 1] ?? 0))
          ? (v[offset + k + 1] ?? 0)
          : (v[offset + k - 1] ?? 0) + 1;
      let y = x - k;
      while (x < n && y < m && a[x] === b[y]) {
        x += 1;
        y += 1;
      }
      v[offset + k] = x;
      if (x >= n && y >= m) {
        found = true;
        break;
      }
    }
  }
  // Walk the trace back from (n, m) to (0, 0).
  const ops: Op[] = [];
  let x = n;
  let y = m;
  for (let d = trace.length - 1; d >= 0; d -= 1) {
    const vd = trace[d] as Int32Array;
    const k = x - y;
    const down = k === -d || (k !== d && (vd[offset + k - 1] ?? 0) < (vd[offset + k + 1] ?? 0));
    const prevK = down ? k + 1 : k - 1;
    const prevX = vd[offset + prevK] ?? 0;
    const prevY = prevX - prevK;
    while (x > prevX && y > prevY) {
      x -= 1;
      y -= 1;
      ops.push({ kind: ' ', line: a[x] ?? '' });
    }
    if (d > 0) {
      if (down) {
        y -= 1;
        ops.push({ kind: '+', line: b[y] ?? '' });
      } else {
        x -= 1;
        ops.push({ kind: '-', line: a[x] ?? '' });
      }
    }
  }
  return ops.reverse();
}

/** Unified diff from `before` to `after`, or '' when they are equal. */
export function unifiedDiff(
  before: string,
  after: string,
  fromName: string,
  toName: string,
  context = 3,
): string {
  if (before === after) return '';
  const a = splitLines(before);
  const b = splitLines(after);
  const ops = diffLines(a, b);
  const changed = ops.map((op, i) => (op.kind !== ' ' ? i : -1)).filter((i) => i >= 0);
  let out = `--- ${fromName}\n+++ ${toName}\n`;
  if (changed.length === 0) {
    // Same lines, different final newline.
    return `${out}@@ -${a.length},1 +${b.length},1 @@\n\\ No newline at end of file\n`;
  }
  // Group changes whose contexts touch into hunks.
  const hunks: Array<[number, number]> = [];
  for (const i of changed) {
    const last = hunks[hunks.length - 1];
    if (last !== undefined && i - last[1] <= 2 * context) last[1] = i;
    else hunks.push([i, i]);
  }
  // Line numbers before each op.
  const aLine: number[] = [];
  const bLine: number[] = [];
  let ai = 0;
  let bi = 0;
  for (const op of ops) {
    aLine.push(ai);
    bLine.push(bi);
    if (op.kind !== '+') ai += 1;
    if (op.kind !== '-') bi += 1;
  }
  for (const [first, last] of hunks) {
    const start = Math.max(0, first - context);
    const end = Math.min(ops.length - 1, last + context);
    const slice = ops.slice(start, end + 1);
    const aCount = slice.filter((op) => op.kind !== '+').length;
    const bCount = slice.filter((op) => op.kind !== '-').length;
    const aStart = aCount === 0 ? (aLine[start] ?? 0) : (aLine[start] ?? 0) + 1;
    const bStart = bCount === 0 ? (bLine[start] ?? 0) : (bLine[start] ?? 0) + 1;
    // A one-line range shows its start only, as diff -u does.
    const range = (start: number, count: number) => (count === 1 ? `${start}` : `${start},${count}`);
    out += `@@ -${range(aStart, aCount)} +${range(bStart, bCount)} @@\n`;
    for (const op of slice) out += `${op.kind}${op.line}\n`;
  }
  return out;
}
