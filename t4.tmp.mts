import { readFileSync } from 'node:fs';
import { loadPython } from './src/code/python.js';
import { analyzeCode } from './src/code/contract.js';
const t0 = performance.now();
const py = await loadPython();
console.log('init ms', (performance.now() - t0).toFixed(1));
const code = readFileSync('test/code/fixtures/savings_account.py', 'utf8');
const facts = analyzeCode(py, code);
console.log(facts);
// build 50KB
let big = code;
let i = 0;
const fn = code.slice(code.indexOf('@requires(parameters=True)'));
while (big.length < 50_000) { big += '\n\n' + fn.replace(/def (\w+)/g, (_m, n) => `def ${n}_${i}`); i++; }
console.log('size', big.length);
for (let k = 0; k < 5; k++) {
  let t = performance.now(); const tree = py.parse(big); const tp = performance.now() - t;
  t = performance.now(); const errs = py.syntaxErrors(tree); const te = performance.now() - t;
  tree.delete();
  t = performance.now(); const f = analyzeCode(py, big); const ta = performance.now() - t;
  console.log(`parse ${tp.toFixed(1)} syntaxErrors ${te.toFixed(1)} analyze(total) ${ta.toFixed(1)}`, errs.length, f.declaredParameters?.size);
}
