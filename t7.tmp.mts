import { readFileSync } from 'node:fs';
import { loadPython } from './src/code/python.js';
import { analyzeCode } from './src/code/contract.js';
const py = await loadPython();
const files = readFileSync('/tmp/valid_py.txt', 'utf8').split('\n');
let bad = 0, total = 0; const kinds = new Map<string, number>();
const t0 = performance.now(); let bytes = 0;
for (const f of files) {
  const code = readFileSync(f, 'utf8'); bytes += code.length;
  const errs = analyzeCode(py, code).syntaxErrors;
  total++;
  if (errs.length) { bad++; for (const e of errs) { const k = e.message.replace(/`[^`]*`/g, '`_`').replace(/line \d+/, 'line N'); kinds.set(k, (kinds.get(k) ?? 0) + 1); } if (process.argv[2]) console.log(f, JSON.stringify(errs[0])); }
}
console.log({ total, bad, ms: performance.now() - t0, mb: bytes / 1e6 });
console.log([...kinds].sort((a, b) => b[1] - a[1]).slice(0, 30));
