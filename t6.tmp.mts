import { loadPython } from './src/code/python.js';
import { execFileSync } from 'node:child_process';
const py = await loadPython();
const cases: string[] = JSON.parse(process.argv[2] ?? '[]');
const pyOut = execFileSync('python3', ['/tmp/pyerr.py', JSON.stringify(cases)], { encoding: 'utf8' }).trim().split('\n');
cases.forEach((c, i) => {
  const errs = py.withTree(c, (t) => py.syntaxErrors(t));
  console.log(JSON.stringify(c));
  console.log('   py:', pyOut[i]?.replace(/^.* (\d+ \d+ )/, '$1'));
  for (const e of errs) console.log(`   ts: ${e.line} ${e.column} ${e.message}`);
});
