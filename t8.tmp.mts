import { readFileSync } from 'node:fs';
import { loadPython } from './src/code/python.js';
const py = await loadPython();
const muts = JSON.parse(readFileSync('/tmp/mutations.json', 'utf8'));
let none = 0, sameLine = 0, exact = 0, near = 0; const byCh = new Map<string, number[]>();
for (const m of muts) {
  const src = readFileSync(m.file, 'utf8');
  const cps = Array.from(src); const code = cps.slice(0, m.index).join("") + cps.slice(m.index + 1).join("");
  const errs = py.withTree(code, (t) => py.syntaxErrors(t));
  const s = byCh.get(m.ch) ?? [0, 0, 0]; s[0]++;
  if (errs.length === 0) { none++; s[1]++; if (process.argv[2]) console.log('MISS', m.file, m.line, m.col, m.msg, JSON.stringify(m.ch)); }
  else {
    const e = errs[0]!;
    if (errs.some((x) => x.line === m.line)) sameLine++;
    if (e.line === m.line && e.column === m.col) exact++;
    if (Math.abs(e.line - m.line) <= 2) near++; else { s[2]++; if (process.argv[3]) console.log('FAR', m.file, 'py', m.line, m.col, m.msg, '| ts', e.line, e.column, e.message); }
  }
  byCh.set(m.ch, s);
}
console.log({ n: muts.length, none, anyErrOnPyLine: sameLine, firstExact: exact, firstWithin2Lines: near }, byCh);
