import { readFileSync } from 'node:fs';
import { Query } from 'web-tree-sitter';
import { loadPython } from './src/code/python.js';
const py = await loadPython();
const code = readFileSync('test/code/fixtures/savings_account.py', 'utf8');
let big = code; let i = 0;
const fn = code.slice(code.indexOf('@requires(parameters=True)'));
while (big.length < 50_000) { big += '\n\n' + fn.replace(/def (\w+)/g, (_m, n) => `def ${n}_${i}`); i++; }
const q = new Query(py.language, `(call function: [(identifier) @f (attribute attribute: (identifier) @f)] (#eq? @f "Parameter")) @call`);
const q2 = new Query(py.language, `(call function: [(identifier) @f (attribute attribute: (identifier) @f)]) @call`);
const tree = py.parse(big);
for (let k = 0; k < 5; k++) {
  let t = performance.now(); const m = q.matches(tree.rootNode); const a = performance.now() - t;
  t = performance.now(); const m2 = q2.captures(tree.rootNode); const b = performance.now() - t;
  t = performance.now(); let n = 0; const c = tree.rootNode.walk(); 
  let desc = true; for(;;){ if (desc && c.gotoFirstChild()) {} else { let up=false; while(!c.gotoNextSibling()){ if(!c.gotoParent()){up=true;break;} } if(up)break; } n++; desc = true; }
  const w = performance.now() - t;
  t = performance.now(); const d = tree.rootNode.descendantsOfType('call'); const e = performance.now() - t;
  console.log(`query-eq ${a.toFixed(1)} (${m.length}) query-all ${b.toFixed(1)} (${m2.length}) walk ${w.toFixed(1)} (${n}) descendantsOfType ${e.toFixed(1)} (${d.length})`);
}
